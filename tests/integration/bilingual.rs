//! Bilingual sites and the generator's publishing rules (issue 14):
//! languages, translations, `--split-lang`, future/expired/unlisted
//! articles, time zones and `--now`, front-matter controls, `--fill`.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::*;

const COFFEE_EN: &str = "Pour over coffee: grind the beans, bloom, pour slowly. Coffee \
                         brewing with a kettle and a paper filter.";
const COFFEE_JA: &str = "ハンドドリップのコーヒー。豆を挽いて、蒸らして、ゆっくり注ぐ。\
                         Pour over coffee with a kettle and a paper filter.";

/// Hugo, one content folder per language: the same `posts/*.md` paths in
/// `content/en` and `content/ja`.
fn folder_site() -> TestDir {
    let t = TestDir::new();
    for lang in ["en", "ja"] {
        let body = if lang == "en" { COFFEE_EN } else { COFFEE_JA };
        t.write(
            &format!("content/{lang}/posts/pour-over.md"),
            format!("---\ntitle: Pour over {lang}\n---\n{body}\n"),
        );
        t.write(
            &format!("content/{lang}/posts/kettle.md"),
            format!("---\ntitle: Kettle {lang}\n---\n{body} A gooseneck kettle.\n"),
        );
        t.write(
            &format!("content/{lang}/posts/filter.md"),
            format!("---\ntitle: Filter {lang}\n---\n{body} Paper filter papers.\n"),
        );
    }
    t
}

#[test]
fn per_language_folders_key_like_hugo_and_split_the_output() {
    let t = folder_site();
    let json = run_json(t.cmd().args([
        "content",
        "--lang-dir",
        "en=content/en",
        "--lang-dir",
        "ja=./content/ja",
    ]));
    assert_eq!(keys(&json), ["en", "ja"]);
    for lang in ["en", "ja"] {
        assert_eq!(keys(&json[lang]), ["posts/filter.md", "posts/kettle.md", "posts/pour-over.md"]);
        for (key, list) in json[lang].as_object().unwrap() {
            assert!(!list.as_array().unwrap().is_empty(), "{lang} {key} has a list");
            for e in list.as_array().unwrap() {
                assert_ne!(e["key"], key.as_str(), "never itself");
                let title = e["title"].as_str().unwrap();
                assert!(title.ends_with(lang), "{lang} {key} lists {title}: another language");
            }
        }
    }
    // Without --lang-dir the folders are part of the keys, and lists mix languages.
    let json = run_json(t.cmd().arg("content"));
    assert!(neighbours(&json, "en/posts/pour-over.md").contains(&"ja/posts/pour-over.md".into()));
}

#[test]
fn lang_dir_errors_name_the_folder_and_the_fix() {
    let t = folder_site();
    t.cmd()
        .args(["content", "--lang-dir", "ja=content/jp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("content/jp").and(predicate::str::contains("--lang-dir")));
    t.cmd()
        .args(["content", "--lang-dir", "content/ja"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("CODE=DIR"));
    t.cmd()
        .args(["content", "--lang-dir", "ja=content/ja", "--format", "similar-documents"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--split-lang"));
    // A file outside every language folder has no language.
    t.write("content/about.md", "About this coffee site.\n");
    t.cmd()
        .args(["content", "--lang-dir", "ja=content/ja", "--lang-dir", "en=content/en"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("about.md").and(predicate::str::contains("--default-lang")),
        );
}

/// Hugo, translations by file name.
fn suffix_site() -> TestDir {
    let t = TestDir::new();
    t.write("content/posts/pour-over.md", format!("---\ntitle: Pour over\n---\n{COFFEE_EN}\n"));
    t.write("content/posts/pour-over.ja.md", format!("---\ntitle: ドリップ\n---\n{COFFEE_JA}\n"));
    t.write("content/posts/kettle.md", format!("---\ntitle: Kettle\n---\n{COFFEE_EN} Kettle.\n"));
    t.write(
        "content/posts/kettle.ja.md",
        format!("---\ntitle: ケトル\n---\n{COFFEE_JA} ケトル。\n"),
    );
    t.write(
        "content/posts/cup.md",
        format!("---\ntitle: Cup\ntranslationKey: cup\n---\n{COFFEE_EN} A cup.\n"),
    );
    t.write(
        "content/posts/chawan.ja.md",
        format!("---\ntitle: 茶碗\ntranslationKey: cup\n---\n{COFFEE_JA} 茶碗。\n"),
    );
    t
}

#[test]
fn translations_are_never_neighbours_and_default_lang_separates_languages() {
    let t = suffix_site();
    let json = run_json(t.cmd().arg("content"));
    let pairs = [
        ("posts/pour-over.md", "posts/pour-over.ja.md"),
        ("posts/kettle.md", "posts/kettle.ja.md"),
        ("posts/cup.md", "posts/chawan.ja.md"),
    ];
    for (a, b) in pairs {
        assert!(!neighbours(&json, a).contains(&b.to_owned()), "{a} lists its translation");
        assert!(!neighbours(&json, b).contains(&a.to_owned()), "{b} lists its translation");
    }
    assert!(neighbours(&json, "posts/pour-over.md").contains(&"posts/kettle.ja.md".into()));

    // Unsuffixed files have no language, so --same-lang alone cannot separate them.
    let json = run_json(t.cmd().args(["content", "--same-lang", "--default-lang", "en"]));
    let sorted = |key: &str| {
        let mut n = neighbours(&json, key);
        n.sort();
        n
    };
    assert_eq!(sorted("posts/pour-over.md"), ["posts/cup.md", "posts/kettle.md"]);
    assert_eq!(sorted("posts/pour-over.ja.md"), ["posts/chawan.ja.md", "posts/kettle.ja.md"]);

    let json = run_json(t.cmd().args(["content", "--split-lang", "--default-lang", "en"]));
    assert_eq!(keys(&json), ["en", "ja"]);
    assert_eq!(
        keys(&json["ja"]),
        ["posts/chawan.ja.md", "posts/kettle.ja.md", "posts/pour-over.ja.md"]
    );
}

#[test]
fn split_lang_in_jsonl_and_output_dir() {
    let t = suffix_site();
    let out = t
        .cmd()
        .args(["content", "--split-lang", "--default-lang", "en", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().next().unwrap().starts_with("{\"key\":\"posts/cup.md\",\"lang\":\"en\""),
        "{text}"
    );
    t.cmd()
        .args(["content", "--split-lang", "--default-lang", "en", "--output-dir", "data/related"])
        .assert()
        .success();
    let ja: Value = serde_json::from_slice(
        &std::fs::read(t.path().join("data/related/ja/posts/kettle.ja.md.json")).unwrap(),
    )
    .unwrap();
    assert!(!ja.as_array().unwrap().is_empty());
    assert!(t.path().join("data/related/en/posts/kettle.md.json").exists());
}

#[test]
fn check_under_split_lang_names_the_changed_articles_and_their_language() {
    let t = folder_site();
    let args = ["content", "--lang-dir", "en=content/en", "--lang-dir", "ja=content/ja"];
    t.cmd().args(args).args(["-o", "related.json"]).assert().success();
    t.cmd().args(args).args(["-o", "related.json", "--check"]).assert().code(0);
    // A new Japanese post about kettles (the scores of both languages change: one corpus).
    t.write(
        "content/ja/posts/gooseneck.md",
        format!("---\ntitle: Gooseneck ja\n---\n{COFFEE_JA} A gooseneck kettle.\n"),
    );
    let out = t.cmd().args(args).args(["-o", "related.json", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 article added (posts/gooseneck.md (ja))"), "{stderr}");
    assert!(
        stderr.contains("related lists changed (posts/filter.md (en), posts/filter.md (ja)"),
        "{stderr}"
    );
    // JSON lines carry the language on each line: the same names.
    t.cmd().args(args).args(["--format", "jsonl", "-o", "r.jsonl"]).assert().success();
    std::fs::remove_file(t.path().join("content/ja/posts/gooseneck.md")).unwrap();
    t.cmd()
        .args(args)
        .args(["--format", "jsonl", "-o", "r.jsonl", "--check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1 article removed (posts/gooseneck.md (ja))"));
}

/// Posts around 2024-06-01 12:00 UTC.
fn dated_site() -> TestDir {
    let t = TestDir::new();
    let post = |name: &str, front: &str| {
        t.write(
            &format!("content/{name}.md"),
            format!("---\ntitle: {name}\n{front}\n---\n{COFFEE_EN}\n"),
        );
    };
    post("past", "date: 2024-05-01");
    post("later", "date: 2024-06-01 20:00:00");
    post("scheduled", "date: 2024-01-01\npublishDate: 2030-01-01");
    post("expired", "date: 2024-01-01\nexpiryDate: 2024-05-31");
    post("unlisted", "build:\n  list: never");
    post("hidden", "_build:\n  render: never");
    post("headless", "headless: true");
    post("collection", "eleventyExcludeFromCollections: true");
    post("off", "related: false");
    post("plain", "date: 2024-02-01");
    t
}

#[test]
fn publishing_rules_skip_by_default_and_flags_keep() {
    let t = dated_site();
    let now = ["--now", "2024-06-01T12:00:00Z"];
    let json = run_json(t.cmd().arg("content").args(now));
    assert_eq!(keys(&json), ["past.md", "plain.md"]);
    assert!(!json.to_string().contains("later"), "future posts are listed nowhere");

    let json = run_json(t.cmd().arg("content").args(now).arg("--include-future"));
    assert_eq!(keys(&json), ["later.md", "past.md", "plain.md", "scheduled.md"]);
    let json = run_json(t.cmd().arg("content").args(now).arg("--include-expired"));
    assert_eq!(keys(&json), ["expired.md", "past.md", "plain.md"]);
    let json = run_json(t.cmd().arg("content").args(now).arg("--include-unlisted"));
    assert_eq!(
        keys(&json),
        ["collection.md", "headless.md", "hidden.md", "past.md", "plain.md", "unlisted.md"]
    );

    // 20:00 in Tokyo is 11:00 UTC: already published at noon UTC.
    let json = run_json(t.cmd().arg("content").args(now).args(["--timezone", "Asia/Tokyo"]));
    assert_eq!(keys(&json), ["later.md", "past.md", "plain.md"]);
    // --now itself is read in the site's zone.
    let json = run_json(t.cmd().arg("content").args([
        "--now",
        "2024-06-01 21:00",
        "--timezone",
        "+01:00",
    ]));
    assert_eq!(keys(&json), ["later.md", "past.md", "plain.md"]);

    t.cmd()
        .arg("content")
        .args(["--now", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--now"));
    t.cmd()
        .arg("content")
        .args(["--timezone", "Mars/Base"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Asia/Tokyo"));
}

#[test]
fn nothing_published_says_what_was_skipped() {
    let t = TestDir::new();
    t.write("a.md", "---\ndate: 2030-01-01\n---\nCoffee\n");
    t.cmd()
        .args([".", "--now", "2024-01-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--include-future"));
}

#[test]
fn jekyll_date_permalinks_use_the_site_time_zone() {
    let t = TestDir::new();
    t.write(
        "_posts/2024-01-01-new-year.md",
        format!("---\ntitle: New year\ndate: 2024-01-01 00:30:00 +0900\n---\n{COFFEE_EN}\n"),
    );
    t.write("_posts/2023-12-01-other.md", format!("---\ntitle: Other\n---\n{COFFEE_EN}\n"));
    let args = [
        "_posts",
        "--root",
        ".",
        "--url-template",
        "/{year}/{month}/{day}/{slug}/",
        "--now",
        "2024-06-01",
    ];
    let json = run_json(t.cmd().args(args).args(["--timezone", "UTC"]));
    assert_eq!(json["_posts/2023-12-01-other.md"][0]["url"], "/2023/12/31/new-year/");
    let json = run_json(t.cmd().args(args).args(["--timezone", "Asia/Tokyo"]));
    assert_eq!(json["_posts/2023-12-01-other.md"][0]["url"], "/2024/01/01/new-year/");
}

#[test]
fn front_matter_controls_pin_and_exclude() {
    let t = TestDir::new();
    let post = |name: &str, front: &str, extra: &str| {
        t.write(
            &format!("content/{name}.md"),
            format!("---\ntitle: {name}\n{front}\n---\n{COFFEE_EN} {extra}\n"),
        );
    };
    post("a", "related: [content/d, content/c.md, nowhere]", "kettle kettle");
    post("b", "", "kettle kettle");
    post("c", "related_exclude: true", "kettle kettle");
    post("d", "", "Unrelated words about trains.");
    post("e", "related: false", "kettle kettle");
    let out = t.cmd().args(["content", "-k", "3", "--root", "."]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.md: related: \"nowhere\" names no published article"), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = json["content/a.md"].as_array().unwrap();
    let listed: Vec<&str> = a.iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(listed, ["content/d.md", "content/c.md", "content/b.md"]);
    assert_eq!(a[0]["pinned"], true);
    assert!(a[0].get("score").is_none(), "a pinned entry has no score: {a:?}");
    assert!(a[2]["score"].is_number() && a[2].get("pinned").is_none());
    assert!(json.get("content/e.md").is_none(), "related: false is left out");
    for (key, list) in json.as_object().unwrap() {
        if key != "content/a.md" {
            assert!(!list.to_string().contains("content/c.md"), "{key} lists the excluded c");
        }
    }
    assert!(
        !json["content/c.md"].as_array().unwrap().is_empty(),
        "an excluded article still gets a list"
    );
}

#[test]
fn fill_tops_short_lists_up_without_scores() {
    let t = TestDir::new();
    t.write("a.md", "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\ncoffee kettle\n");
    t.write("b.md", "---\ntitle: B\ndate: 2024-02-01\ntags: [x]\n---\ncoffee kettle\n");
    t.write("c.md", "---\ntitle: C\ndate: 2024-03-01\n---\ntrains stations\n");
    t.write("d.md", "---\ntitle: D\ndate: 2024-04-01\ntags: [x]\n---\nbread flour\n");
    let json = run_json(t.cmd().args([".", "-k", "3", "--now", "2025-01-01"]));
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
    let json = run_json(t.cmd().args([".", "-k", "3", "--now", "2025-01-01", "--fill", "recent"]));
    assert_eq!(neighbours(&json, "a.md"), ["b.md", "d.md", "c.md"]);
    assert_eq!(json["a.md"][1]["filled"], true);
    assert!(json["a.md"][1].get("score").is_none());
    let json = run_json(t.cmd().args([".", "-k", "3", "--now", "2025-01-01", "--fill", "tags"]));
    assert_eq!(neighbours(&json, "a.md"), ["b.md", "d.md"]);
    let json = run_json(t.cmd().args([
        ".",
        "-k",
        "3",
        "--now",
        "2025-01-01",
        "--fill",
        "recent",
        "--exclude-newer",
    ]));
    assert_eq!(neighbours(&json, "a.md"), Vec::<String>::new(), "nothing older to fill with");
}

#[test]
fn hugo_config_settles_languages_zone_and_future() {
    let t = folder_site();
    t.write(
        "hugo.toml",
        "defaultContentLanguage = \"en\"\ntimeZone = \"Asia/Tokyo\"\n\
         [languages.en]\ncontentDir = \"content/en\"\n[languages.ja]\ncontentDir = \"content/ja\"\n",
    );
    t.write(
        "content/ja/posts/soon.md",
        format!("---\ntitle: Soon ja\ndate: 2024-06-01 20:00\n---\n{COFFEE_JA}\n"),
    );
    let now = ["--now", "2024-06-01T12:00:00Z"];
    let json = run_json(t.cmd().arg("content").args(now));
    assert_eq!(keys(&json), ["en", "ja"], "languages.*.contentDir read from hugo.toml");
    assert!(json["ja"].get("posts/soon.md").is_some(), "20:00 in Tokyo is before noon UTC");
    let json = run_json(t.cmd().arg("content").args(now).args(["--timezone", "UTC"]));
    assert!(json["ja"].get("posts/soon.md").is_none(), "a flag wins over the config");
    let json = run_json(t.cmd().arg("content").args(now).args(["--site", "none"]));
    assert!(json.get("en/posts/kettle.md").is_some(), "--site none reads nothing");
    t.write("hugo.toml", "timeZone = \"Nowhere/Town\"\n");
    t.cmd()
        .arg("content")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hugo.toml").and(predicate::str::contains("timeZone")));
}

#[test]
fn jekyll_config_future_and_timezone() {
    let t = TestDir::new();
    t.write("_config.yml", "timezone: Asia/Tokyo\nfuture: true\n");
    t.write("_posts/2030-01-01-later.md", format!("---\ntitle: Later\n---\n{COFFEE_EN}\n"));
    t.write("_posts/2024-01-01-now.md", format!("---\ntitle: Now\n---\n{COFFEE_EN}\n"));
    let json = run_json(t.cmd().args(["_posts", "--now", "2024-06-01"]));
    assert!(json.get("2030-01-01-later.md").is_some(), "future: true builds it");
    t.write("_config.yml", "timezone: Asia/Tokyo\n");
    let json = run_json(t.cmd().args(["_posts", "--now", "2024-06-01"]));
    assert!(json.get("2030-01-01-later.md").is_none());
}

#[test]
fn entries_carry_description_image_tags_and_iso_dates() {
    let t = TestDir::new();
    t.write(
        "a.md",
        "---\ntitle: A\ndate: 2024-01-31 09:00:00 +0900\nsummary: About kettles\n\
         cover: /img/a.jpg\ntags: [coffee, kettle]\n---\ncoffee kettle\n",
    );
    t.write("b.md", "---\ntitle: B\ndate: 2024-02-01 10:00\n---\ncoffee kettle\n");
    let json = run_json(t.cmd().args([".", "--now", "2025-01-01", "--timezone", "Asia/Tokyo"]));
    let a = &json["b.md"][0];
    assert_eq!(a["date"], "2024-01-31T09:00:00+09:00");
    assert_eq!(a["description"], "About kettles");
    assert_eq!(a["image"], "/img/a.jpg");
    assert_eq!(a["tags"], serde_json::json!(["coffee", "kettle"]));
    assert_eq!(json["a.md"][0]["date"], "2024-02-01T10:00:00+09:00", "read in the site's zone");
    assert!(json["a.md"][0].get("tags").is_none(), "no tags, no field");
    let json = run_json(t.cmd().args([".", "--now", "2025-01-01", "--raw-dates"]));
    assert_eq!(json["b.md"][0]["date"], "2024-01-31 09:00:00 +0900");
}

/// Eleventy, one folder per language with `lang` in directory data files
/// (the i18n layout Eleventy documents), and the other controls in template
/// and directory data files.
fn eleventy_site() -> TestDir {
    let t = TestDir::new();
    t.write("eleventy.config.js", "export default function (eleventyConfig) {}\n");
    t.write("src/en/en.11tydata.json", r#"{"lang": "en"}"#);
    t.write("src/ja/ja.json", r#"{"lang": "ja"}"#);
    t.write(
        "src/en/posts/posts.11tydata.json",
        r#"{"layout": "post.njk", "related_exclude": true}"#,
    );
    for lang in ["en", "ja"] {
        let body = if lang == "en" { COFFEE_EN } else { COFFEE_JA };
        for (name, extra) in [("pour-over", ""), ("kettle", " Kettle."), ("filter", " Filter.")] {
            t.write(
                &format!("src/{lang}/posts/{name}.md"),
                format!("---\ntitle: {name} {lang}\n---\n{body}{extra}\n"),
            );
        }
    }
    // Front matter wins over the folder's data file.
    t.write(
        "src/en/posts/grinder.md",
        format!("---\ntitle: grinder en\nrelated_exclude: false\n---\n{COFFEE_EN} Grinder.\n"),
    );
    t.write("src/en/posts/sale.11tydata.json", r#"{"eleventyExcludeFromCollections": true}"#);
    t.write("src/en/posts/sale.md", format!("---\ntitle: sale en\n---\n{COFFEE_EN} Sale.\n"));
    t.write("src/ja/posts/old.json", r#"{"permalink": false}"#);
    t.write("src/ja/posts/old.md", format!("---\ntitle: old ja\n---\n{COFFEE_JA} Old.\n"));
    t.write("src/ja/posts/kettle.11tydata.json", r#"{"related": false}"#);
    t
}

#[test]
fn eleventy_data_files_supply_language_and_controls() {
    let t = eleventy_site();
    let args = ["src", "--root", "src", "--strip-extension", "--base-url", "/", "--split-lang"];
    let out = t.cmd().args(args).arg("-v").output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(keys(&json), ["en", "ja"], "lang from en.11tydata.json and ja.json");
    assert_eq!(
        keys(&json["en"]),
        ["/en/posts/filter", "/en/posts/grinder", "/en/posts/kettle", "/en/posts/pour-over"],
        "sale (eleventyExcludeFromCollections in sale.11tydata.json) is skipped: {stderr}"
    );
    assert_eq!(
        keys(&json["ja"]),
        ["/ja/posts/filter", "/ja/posts/pour-over"],
        "old (permalink: false in old.json) and kettle (related: false) are skipped"
    );
    assert!(stderr.contains("2 unlisted article(s) skipped"), "{stderr}");
    // related_exclude: true from posts.11tydata.json: the English posts list
    // only grinder, whose front matter says false.
    for (key, list) in json["en"].as_object().unwrap() {
        let listed: Vec<&str> =
            list.as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
        let expected: &[&str] =
            if key == "/en/posts/grinder" { &[] } else { &["/en/posts/grinder"] };
        assert_eq!(listed, expected, "{key}");
    }
    assert!(!json["ja"]["/ja/posts/filter"].as_array().unwrap().is_empty());

    // --include-unlisted keeps sale and old.
    let json = run_json(t.cmd().args(args).arg("--include-unlisted"));
    assert!(
        json["en"].get("/en/posts/sale").is_some() && json["ja"].get("/ja/posts/old").is_some()
    );

    // Only for Eleventy: --site none (or no Eleventy config found) reads no data file.
    t.cmd()
        .args(args)
        .args(["--site", "none"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no language (--split-lang"));
    std::fs::remove_file(t.path().join("eleventy.config.js")).unwrap();
    let json = run_json(t.cmd().args(["src", "--root", "src", "--strip-extension"]));
    assert!(json.get("en/posts/sale").is_some(), "no Eleventy config, no data files: {json}");
    let json = run_json(t.cmd().args(args).args(["--site", "eleventy"]));
    assert_eq!(keys(&json), ["en", "ja"], "--site eleventy reads them without a config file");
}
