//! Fitting into site builds: keys, per-article files, filters, config file,
//! `--check`, completions.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::*;

/// A small site: three Rust posts (one a draft), one Japanese page, one
/// baking post, with dates, a url and a slug.
fn site() -> TestDir {
    let t = TestDir::new();
    t.write(
        "content/posts/rust-cli.md",
        "---\ntitle: Rust CLI tools\ndate: 2024-01-10\ntags: [rust]\n---\n\
         Writing command line tools in Rust with clap and cargo.\n",
    );
    t.write(
        "content/posts/cargo.md",
        "---\ntitle: Cargo tips\ndate: 2024-03-01T09:00:00+09:00\nurl: /tips/cargo/\n\
         slug: cargo-tips\n---\nCargo builds Rust command line tools; clap parses flags.\n",
    );
    t.write(
        "content/posts/draft.md",
        "---\ntitle: Unfinished Rust draft\ndraft: true\n---\nRust command line tools clap cargo.\n",
    );
    t.write(
        "content/posts/bread.md",
        "---\ntitle: Sourdough bread\ndate: 2023-12-24\n---\nFlour, water, salt and a starter. \
         Bake the bread with command line precision.\n",
    );
    t.write(
        "content/ja/rust.md",
        "---\ntitle: Rustで作るCLI\nlang: ja-JP\ndate: 2024-02-01\n---\n\
         Rustとclapでコマンドラインツールを作る。cargoでビルドする。\n",
    );
    t
}

#[test]
fn drafts_are_skipped_unless_included() {
    let t = site();
    let json = run_json(t.cmd().arg("content"));
    assert!(!keys(&json).contains(&"posts/draft.md"));
    assert!(!json.to_string().contains("Unfinished"), "a draft is never listed: {json}");
    let json = run_json(t.cmd().args(["content", "--include-drafts"]));
    assert!(neighbours(&json, "posts/rust-cli.md").contains(&"posts/draft.md".to_owned()));
}

#[test]
fn all_drafts_is_an_error_that_says_how_to_include_them() {
    let t = TestDir::new();
    t.write("a.md", "---\ndraft: true\n---\nRust tools\n");
    t.cmd().arg(".").assert().code(2).stderr(
        predicate::str::contains("drafts").and(predicate::str::contains("--include-drafts")),
    );
}

#[test]
fn neighbours_carry_title_url_and_date() {
    let t = site();
    let json = run_json(t.cmd().arg("content"));
    let cargo = json["posts/rust-cli.md"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "posts/cargo.md")
        .expect("cargo.md is related to rust-cli.md");
    assert_eq!(cargo["title"], "Cargo tips");
    assert_eq!(cargo["url"], "/tips/cargo/");
    assert_eq!(cargo["date"], "2024-03-01T09:00:00+09:00");
}

#[test]
fn keys_with_strip_extension_and_base_url() {
    let t = site();
    let json = run_json(t.cmd().args(["content", "--strip-extension", "--base-url", "/blog/"]));
    assert_eq!(
        keys(&json),
        ["/blog/ja/rust", "/blog/posts/bread", "/blog/posts/cargo", "/blog/posts/rust-cli"]
    );
    let cargo = &json["/blog/posts/rust-cli"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "/blog/posts/cargo")
        .expect("listed with the same kind of key")
        .clone();
    assert_eq!(cargo["url"], "/blog/tips/cargo/", "relative urls get the base too");

    let json = run_json(t.cmd().args(["content", "--base-url", "https://example.org"]));
    assert!(keys(&json).contains(&"https://example.org/posts/cargo.md"));
}

#[test]
fn keys_from_slug_url_and_root() {
    let t = site();
    let json = run_json(t.cmd().args(["content", "--key", "slug"]));
    assert_eq!(keys(&json), ["bread", "cargo-tips", "rust", "rust-cli"]);

    let json = run_json(t.cmd().args(["content", "--key", "url", "--strip-extension"]));
    assert_eq!(keys(&json), ["/tips/cargo/", "ja/rust", "posts/bread", "posts/rust-cli"]);

    let json = run_json(t.cmd().args(["content/posts", "--root", "."]));
    assert!(keys(&json).contains(&"content/posts/cargo.md"), "{json}");
    t.cmd()
        .args(["content/posts", "--root", "content/ja"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not inside --root"));
}

#[test]
fn url_template_gives_every_neighbour_a_link() {
    let t = TestDir::new();
    t.write(
        "_posts/2024-01-08-rust-cli.md",
        "---\ntitle: Rust CLI\ndate: 2024-01-08\n---\nRust clap cargo",
    );
    t.write(
        "_posts/2024-02-01-cargo.md",
        "---\ntitle: Cargo\ndate: 2024-02-01\n---\nRust cargo clap",
    );
    t.write("_posts/2024-03-01-own.md", "---\ntitle: Own\nurl: /own/\n---\nRust cargo clap");
    let json = run_json(t.cmd().args([
        "_posts",
        "--key",
        "slug",
        "--url-template",
        "/{year}/{month}/{day}/{slug}.html",
        "--base-url",
        "/blog",
    ]));
    assert_eq!(keys(&json), ["/blog/cargo", "/blog/own", "/blog/rust-cli"], "date prefix dropped");
    let urls: Vec<&str> =
        json["/blog/own"].as_array().unwrap().iter().map(|e| e["url"].as_str().unwrap()).collect();
    assert_eq!(urls, ["/blog/2024/02/01/cargo.html", "/blog/2024/01/08/rust-cli.html"]);
    let own = json["/blog/cargo"].as_array().unwrap().iter().find(|e| e["title"] == "Own").unwrap();
    assert_eq!(own["url"], "/blog/own/", "front-matter urls win");
    t.cmd()
        .args(["_posts", "--url-template", "/{title}/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown placeholder {title}"));
}

#[test]
fn keys_that_collide_are_an_error_naming_both_files() {
    let t = TestDir::new();
    t.write("a.md", "Rust tools");
    t.write("a.html", "<p>Rust tools</p>");
    t.cmd().args([".", "--strip-extension"]).assert().code(1).stderr(
        predicate::str::contains("duplicate key \"a\"").and(predicate::str::contains("a.html")),
    );
}

#[test]
fn exclude_newer_lists_only_older_articles() {
    let t = site();
    let json = run_json(t.cmd().args(["content", "--exclude-newer", "-k", "10"]));
    let date = |key: &str| {
        let path = t.path().join("content").join(key);
        let text = std::fs::read_to_string(path).unwrap();
        text.lines().find_map(|l| l.strip_prefix("date: ")).map(|d| d[..10].to_owned())
    };
    let mut listed = 0;
    for (key, list) in json.as_object().unwrap() {
        for e in list.as_array().unwrap() {
            let other = e["key"].as_str().unwrap();
            assert!(date(other) <= date(key), "{other} is newer than {key}");
            listed += 1;
        }
    }
    assert!(listed >= 3, "the filter leaves older neighbours listed: {json}");
    assert!(neighbours(&json, "posts/bread.md").is_empty(), "the oldest lists nothing");
    // The newest (cargo, March) still lists the January post.
    assert!(neighbours(&json, "posts/cargo.md").contains(&"posts/rust-cli.md".to_owned()));
    // Without the filter, the oldest does list newer posts.
    let all = run_json(t.cmd().args(["content", "-k", "10"]));
    assert!(!neighbours(&all, "posts/bread.md").is_empty());
}

#[test]
fn unreadable_dates_warn_and_do_not_filter() {
    let t = TestDir::new();
    t.write("a.md", "---\ndate: next week\n---\nRust command line tools");
    t.write("b.md", "---\ndate: 2024-01-01\n---\nRust command line tools");
    let out = t.cmd().args([".", "--exclude-newer"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.md: cannot read the date \"next week\""), "{stderr}");
    t.cmd().args([".", "--exclude-newer", "--strict"]).assert().code(1);
}

#[test]
fn same_lang_keeps_languages_apart() {
    let t = site();
    t.write(
        "content/posts/rust-cli.md",
        "---\ntitle: Rust CLI tools\nlang: en\n---\nRust clap cargo コマンドライン ツール\n",
    );
    t.write(
        "content/ja/rust.md",
        "---\ntitle: Rust CLI\nlang: ja-JP\n---\nRust clap cargo コマンドライン ツール\n",
    );
    let mixed = run_json(t.cmd().args(["content", "-k", "10"]));
    assert!(neighbours(&mixed, "posts/rust-cli.md").contains(&"ja/rust.md".to_owned()));
    let json = run_json(t.cmd().args(["content", "-k", "10", "--same-lang"]));
    let listed = neighbours(&json, "posts/rust-cli.md");
    assert!(!listed.contains(&"ja/rust.md".to_owned()), "{listed:?}");
    assert!(listed.contains(&"posts/cargo.md".to_owned()), "no language: not filtered");
    assert!(!neighbours(&json, "ja/rust.md").contains(&"posts/rust-cli.md".to_owned()));
}

#[test]
fn same_lang_reads_hugo_language_file_names() {
    let t = TestDir::new();
    t.write("content/rust.en.md", "---\ntitle: Rust\n---\nRust clap cargo tools");
    t.write("content/cargo.en.md", "---\ntitle: Cargo\n---\nRust cargo tools");
    t.write("content/rust.ja.md", "---\ntitle: Rust (ja)\n---\nRust clap cargo tools ツール");
    let json = run_json(t.cmd().args(["content", "--same-lang"]));
    assert_eq!(neighbours(&json, "rust.en.md"), ["cargo.en.md"]);
    assert!(neighbours(&json, "rust.ja.md").is_empty());
}

#[test]
fn output_dir_writes_one_safe_file_per_article() {
    let t = TestDir::new();
    t.write("in/日本語/東京タワー.md", "# 東京タワーの夜景\n東京タワー 夜景 写真 Rust");
    t.write("in/plain.md", "# Rust\n東京タワー 夜景 Rust tools");
    t.write(
        "feed.jsonl",
        "{\"key\":\"../../escape\",\"title\":\"Escape\",\"text\":\"Rust tools 夜景\"}\n\
         {\"key\":\"/posts/a/\",\"title\":\"A\",\"text\":\"Rust tools\"}\n",
    );
    let jsonl = std::fs::read(t.path().join("feed.jsonl")).unwrap();
    let out = t
        .cmd()
        .args(["in", "-", "--output-dir", "out"])
        .write_stdin(jsonl.clone())
        .output()
        .unwrap();
    assert_success(&out);
    assert!(out.stdout.is_empty(), "nothing on stdout with only --output-dir");
    let mut files: Vec<String> = walk(&t.path().join("out"));
    files.sort();
    assert_eq!(
        files,
        [
            "%2E%2E/%2E%2E/escape.json",
            ".related-files",
            "plain.md.json",
            "posts/a/index.json",
            "日本語/東京タワー.md.json"
        ]
    );
    assert!(!t.path().join("escape.json").exists());
    let list: Value =
        serde_json::from_slice(&std::fs::read(t.path().join("out/plain.md.json")).unwrap())
            .unwrap();
    let keys: Vec<&str> =
        list.as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert!(keys.contains(&"日本語/東京タワー.md"), "{list}");
    assert_eq!(list[0]["title"].as_str().map(|s| !s.is_empty()), Some(true));

    // An article removed: its file goes, nothing else does.
    std::fs::write(t.path().join("out/notes.txt"), "mine").unwrap();
    std::fs::remove_file(t.path().join("in/plain.md")).unwrap();
    t.cmd().args(["in", "-", "--output-dir", "out"]).write_stdin(jsonl).assert().success();
    assert!(!t.path().join("out/plain.md.json").exists());
    assert!(t.path().join("out/notes.txt").exists());
    assert!(t.path().join("out/日本語/東京タワー.md.json").exists());
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            out.extend(walk(&p).into_iter().map(|f| format!("{name}/{f}")));
        } else {
            out.push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn check_exit_codes_fresh_stale_missing() {
    let t = site();
    t.cmd()
        .args(["content", "-o", "related.json", "--check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("related.json does not exist"));
    assert!(!t.path().join("related.json").exists(), "--check writes nothing");
    t.cmd().args(["content", "-o", "related.json"]).assert().success();
    t.cmd()
        .args(["content", "-o", "related.json", "--check"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("up to date"));
    let before = std::fs::read(t.path().join("related.json")).unwrap();
    t.write("content/posts/new.md", "---\ntitle: New Rust post\n---\nRust clap cargo tools\n");
    t.cmd().args(["content", "-o", "related.json", "--check"]).assert().code(1).stderr(
        predicate::str::contains("related.json is stale")
            .and(predicate::str::contains("1 article added (posts/new.md)"))
            .and(predicate::str::contains("run without --check")),
    );
    assert_eq!(std::fs::read(t.path().join("related.json")).unwrap(), before, "untouched");

    // The same for a folder of per-article files.
    t.cmd().args(["content", "--output-dir", "rel", "--check"]).assert().code(1);
    t.cmd().args(["content", "--output-dir", "rel"]).assert().success();
    t.cmd().args(["content", "--output-dir", "rel", "--check"]).assert().code(0);
    std::fs::remove_file(t.path().join("content/posts/new.md")).unwrap();
    t.cmd()
        .args(["content", "--output-dir", "rel", "--check"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("left over (posts/new.md.json)"));
    // --check alone has nothing to compare with.
    t.cmd().args(["content", "--check"]).assert().code(2);
}

#[test]
fn config_file_in_the_working_directory_and_flag_precedence() {
    let t = site();
    t.write(
        "related.toml",
        "inputs = [\"content\"]\noutput = \"data/related.json\"\ntop-k = 1\nstrip-extension = true\n",
    );
    std::fs::create_dir(t.path().join("data")).unwrap();
    t.cmd().assert().success();
    let json: Value =
        serde_json::from_slice(&std::fs::read(t.path().join("data/related.json")).unwrap())
            .unwrap();
    assert!(keys(&json).contains(&"posts/cargo"));
    assert!(json.as_object().unwrap().values().all(|l| l.as_array().unwrap().len() <= 1));

    // Flags win over the file; --no-config ignores it.
    let out = t.cmd().args(["-k", "3", "-o", "-"]).output().unwrap();
    assert_success(&out);
    assert!(!t.path().join("-").exists(), "-o - is stdout, not a file named '-'");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.as_object().unwrap().values().any(|l| l.as_array().unwrap().len() > 1));
    let json = run_json(t.cmd().args(["--no-config", "content"]));
    assert!(keys(&json).contains(&"posts/cargo.md"), "no strip-extension from the file");

    // An unknown key names the key and the file, exit 2.
    t.write("related.toml", "inputs = [\"content\"]\nexclude_newer = true\n");
    t.cmd().assert().code(2).stderr(
        predicate::str::contains("related.toml: unknown key `exclude_newer`")
            .and(predicate::str::contains("did you mean `exclude-newer`")),
    );
    // --config FILE: relative paths are relative to the file.
    t.write("conf/site.toml", "inputs = [\"../content\"]\nkey = \"slug\"\n");
    let json = run_json(related().args(["--config"]).arg(t.path().join("conf/site.toml")));
    assert!(keys(&json).contains(&"cargo-tips"), "{json}");
}

#[test]
fn completions_and_man_page() {
    related()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--strip-extension"));
    related().args(["completions", "fish"]).assert().success();
    related().arg("man").assert().success().stdout(predicate::str::contains(".TH related"));
    related().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn library_api_applies_site_options() {
    let t = site();
    let read = related::ReadOptions {
        keys: related::KeyOptions { scheme: related::KeyScheme::Slug, ..Default::default() },
        ..Default::default()
    };
    let options = related::Options {
        pairs: related::FilterOptions { exclude_newer: true, ..Default::default() },
        ..Default::default()
    };
    let (corpus, warnings) = related::read_corpus(&[t.path().join("content")], &read).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let outcome = related::compute(corpus, &options).unwrap();
    let keys: Vec<&str> = outcome.corpus.docs().iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["bread", "cargo-tips", "rust", "rust-cli"]);
    assert!(outcome.neighbours("bread").unwrap().is_empty());
}

/// A built site's pages, each with a `<div class="related">` list (not in
/// an `<aside>`) that the previous run rendered.
fn built_site() -> TestDir {
    let t = TestDir::new();
    let page = |name: &str, title: &str, body: &str, listed: &str| {
        t.write(
            &format!("public/{name}/index.html"),
            format!(
                "<html><body><main><h1>{title}</h1><p>{body}</p>\
                 <div class=\"related\"><h2>Related</h2><ul>{listed}</ul></div></main></body></html>"
            ),
        );
    };
    let kyoto = "<li><a href=\"/kyoto/\">Kyoto temples shrines gardens</a></li>";
    page("bread", "Bread", "Sourdough bread flour water salt starter.", kyoto);
    page("rolls", "Rolls", "Milk bread rolls flour butter yeast.", "");
    page("kyoto", "Kyoto", "Kyoto temples shrines gardens travel.", "");
    t
}

#[test]
fn exclude_selector_keeps_a_rendered_list_out_of_the_page_text() {
    let t = built_site();
    // Without it, the list rendered into /bread/ makes it "related" to Kyoto.
    let json = run_json(t.cmd().args(["public", "-k", "3"]));
    assert!(neighbours(&json, "kyoto/index.html").contains(&"bread/index.html".to_owned()));
    let json = run_json(t.cmd().args(["public", "-k", "3", "--exclude-selector", ".related"]));
    assert_eq!(neighbours(&json, "kyoto/index.html"), Vec::<String>::new(), "{json}");
    assert_eq!(neighbours(&json, "bread/index.html"), ["rolls/index.html"]);

    // The same from related.toml (a list, like every repeatable option).
    t.write(
        "related.toml",
        "inputs = [\"public\"]\nexclude-selector = [\"div.related\", \"#none\"]\n",
    );
    let json = run_json(t.cmd().args(["-k", "3"]));
    assert_eq!(neighbours(&json, "kyoto/index.html"), Vec::<String>::new(), "{json}");
    t.write("related.toml", "inputs = [\"public\"]\nexclude-selector = [\"div[\"]\n");
    t.cmd().assert().code(2).stderr(
        predicate::str::contains("related.toml: `exclude-selector`")
            .and(predicate::str::contains("\"div[\" is not a CSS selector")),
    );

    // A bad selector on the command line: a usage error naming it and why.
    t.cmd()
        .args(["--no-config", "public", "--exclude-selector", "li::nope("])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"li::nope(\" is not a CSS selector: "));
}
