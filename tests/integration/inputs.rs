//! Every input kind, through the real binary.

use crate::util::*;

#[test]
fn sample_feed_gives_one_key_per_item_with_up_to_five_neighbours() {
    let json = run_json(related().arg("fixtures/hotchpotch-dev-feed.xml"));
    let map = json.as_object().expect("object");
    assert_eq!(map.len(), 59, "the sample feed has 59 items");
    for (key, list) in map {
        assert!(key.starts_with("https://hotchpotch.dev/"), "feed keys are item links: {key}");
        let list = list.as_array().expect("array");
        assert!(list.len() <= 5);
        assert!(!list.is_empty(), "{key} has no neighbour in a single-author blog?");
        for e in list {
            assert!(e["title"].as_str().is_some_and(|t| !t.is_empty()), "{e}");
            assert!(e["url"].as_str().is_some_and(|u| u.starts_with("https://")), "{e}");
        }
    }
}

#[test]
fn markdown_with_yaml_and_toml_front_matter() {
    let t = TestDir::new();
    t.write(
        "a.md",
        "---\ntitle: Sourdough starter\ndate: 2024-01-02\n---\nFeed the starter with flour and water.\n",
    );
    t.write(
        "b.md",
        "+++\ntitle = \"Bread baking\"\ndate = 2024-03-04\n+++\nA sourdough loaf needs a lively starter.\n",
    );
    t.write("c.md", "---\ntitle: Rust\n---\nOwnership and borrowing.\n");
    let json = run_json(t.cmd().arg("."));
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
    let entry = &json["a.md"][0];
    assert_eq!(entry["title"], "Bread baking", "title comes from TOML front matter");
    assert_eq!(entry["date"], "2024-03-04");
    assert_eq!(json["b.md"][0]["title"], "Sourdough starter");
    assert_eq!(json["c.md"], serde_json::json!([]), "an unrelated article has an empty list");
}

#[test]
fn front_matter_title_counts_as_text_and_metadata_does_not_leak() {
    let t = TestDir::new();
    // The shared word is only in a's title; `layout: post` must not become text.
    t.write("a.md", "---\ntitle: Kubernetes\nlayout: post\n---\nDeployment notes.\n");
    t.write("b.md", "---\nlayout: post\n---\nRunning kubernetes at home.\n");
    t.write("c.md", "---\nlayout: post\n---\nAnother layout post.\n");
    let json = run_json(t.cmd().arg("."));
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
}

#[test]
fn fenced_code_counts_by_default_unless_weight_zero() {
    let t = TestDir::new();
    t.write("a.md", "# Intro\n\nSome prose.\n\n```\nfrobnicate widget\n```\n");
    t.write("b.md", "About frobnicate and widget.\n");
    let json = run_json(t.cmd().args([".", "--code-weight", "0"]));
    assert!(neighbours(&json, "a.md").is_empty(), "{json}");
    let json = run_json(t.cmd().arg("."));
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
    let json = run_json(t.cmd().args([".", "--include-code"]));
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
}

#[test]
fn html_ignores_script_and_style_and_separates_blocks() {
    let t = TestDir::new();
    t.write(
        "a.html",
        "<html><head><title>Zebra page</title><style>.quokka{}</style></head>\
         <body><nav>platypus</nav><p>zebra</p><p>walrus</p><script>var quokka;</script></body></html>",
    );
    t.write("b.txt", "walrus");
    t.write("c.txt", "quokka");
    t.write("d.txt", "platypus");
    let json = run_json(t.cmd().arg("."));
    // `<p>zebra</p><p>walrus</p>` must give "zebra walrus", not "zebrawalrus".
    assert_eq!(neighbours(&json, "a.html"), ["b.txt"]);
    assert_eq!(json["b.txt"][0]["title"], "Zebra page");
}

#[test]
fn atom_feed_entries_are_articles_keyed_by_link() {
    let t = TestDir::new();
    t.write(
        "feed.xml",
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Blog</title>
  <entry><title>Rust &amp; WebAssembly</title><link rel="alternate" href="https://ex.com/wasm"/>
    <id>tag:ex.com,1</id><updated>2024-01-01T00:00:00Z</updated>
    <content type="html">&lt;p&gt;Compiling rust to webassembly&lt;/p&gt;</content></entry>
  <entry><title>More WebAssembly</title><link href="https://ex.com/wasm2"/><id>tag:ex.com,2</id>
    <summary>webassembly in the browser</summary></entry>
  <entry><title>Gardening</title><id>tag:ex.com,3</id><summary>tomatoes</summary></entry>
</feed>"#,
    );
    let json = run_json(t.cmd().arg("feed.xml"));
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["https://ex.com/wasm", "https://ex.com/wasm2", "tag:ex.com,3"]);
    assert_eq!(json["https://ex.com/wasm2"][0]["title"], "Rust & WebAssembly");
    assert_eq!(json["https://ex.com/wasm2"][0]["date"], "2024-01-01T00:00:00Z");
}

#[test]
fn rss_feed_is_recognized_by_content_not_extension() {
    let t = TestDir::new();
    t.write(
        "feed.txt",
        "<rss version=\"2.0\"><channel><title>x</title>\
         <item><title>Espresso</title><link>https://ex.com/1</link><description>&lt;b&gt;espresso&lt;/b&gt; grinder</description><category>coffee</category></item>\
         <item><title>Grinders</title><guid>https://ex.com/2</guid><description><![CDATA[<p>burr grinder</p>]]></description></item>\
         </channel></rss>",
    );
    let json = run_json(t.cmd().arg("feed.txt"));
    assert_eq!(neighbours(&json, "https://ex.com/1"), ["https://ex.com/2"]);
}

#[test]
fn json_lines_on_stdin() {
    let input = r#"{"key": "a", "title": "Tea", "text": "green tea from Shizuoka"}
{"key": "b", "title": "More tea", "text": "black tea and green tea", "url": "/b/"}

{"key": "c", "title": "Cars", "text": "engines"}
"#;
    let json = run_json(related().arg("-").write_stdin(input));
    assert_eq!(neighbours(&json, "a"), ["b"]);
    assert_eq!(json["a"][0]["url"], "/b/");
    assert_eq!(json["c"], serde_json::json!([]));
}

#[test]
fn directory_walk_is_recursive_sorted_and_keys_are_relative() {
    let t = TestDir::new();
    t.write("site/posts/2024/b.md", "walrus tusks");
    t.write("site/posts/a.markdown", "walrus swimming");
    t.write("site/pages/c.htm", "<p>walrus diet</p>");
    t.write("site/.drafts/d.md", "walrus secret");
    t.write("site/img/e.png", "walrus");
    let json = run_json(t.cmd().arg("site"));
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["pages/c.htm", "posts/2024/b.md", "posts/a.markdown"]);
}

#[test]
fn mixed_english_and_japanese_articles_relate_across_languages() {
    let t = TestDir::new();
    t.write(
        "ja-rust.md",
        "---\ntitle: Rustで検索エンジン\n---\nRustで全文検索エンジンを実装した。",
    );
    t.write(
        "en-rust.md",
        "---\ntitle: A search engine in Rust\n---\nRust search engine, 検索 index.",
    );
    t.write("ja-kyoto.md", "---\ntitle: 京都旅行\n---\n京都の寺を巡った。紅葉が美しかった。");
    t.write("ja-autumn.md", "---\ntitle: 秋の紅葉\n---\n紅葉の季節に京都を旅行した。");
    let json = run_json(t.cmd().arg("."));
    assert_eq!(neighbours(&json, "ja-rust.md"), ["en-rust.md"]);
    assert_eq!(neighbours(&json, "ja-kyoto.md"), ["ja-autumn.md"]);
}

#[test]
fn golden_fixture_site_relates_what_a_reader_would() {
    let json = run_json(related().arg("fixtures/golden"));
    assert_eq!(neighbours(&json, "ja-travel.md")[0], "ja-food.md");
    assert_eq!(neighbours(&json, "tfidf.md")[0], "cosine.md");
    assert_eq!(neighbours(&json, "rust-cli.md")[0], "python-cli.md");
}

/// A Hugo site root: articles in content/, the site's own build output in
/// public/ (which repeats every article's words), git-ignored.
fn hugo_root(t: &TestDir) {
    t.write(
        "content/posts/walrus.md",
        "---\ntitle: Walrus\n---\nWalrus tusks and walrus swimming.",
    );
    t.write("content/posts/tusks.md", "---\ntitle: Tusks\n---\nTusks of a walrus.");
    t.write("public/posts/walrus/index.html", "<p>Walrus tusks and walrus swimming.</p>");
    t.write("public/index.html", "<p>Walrus. Tusks.</p>");
    t.write(".gitignore", "/public/\n");
}

#[test]
fn git_ignored_build_output_is_not_read_in_a_git_checkout() {
    let t = TestDir::new();
    hugo_root(&t);
    let status = std::process::Command::new("git")
        .args(["init", "-q", "."])
        .current_dir(t.path())
        .status()
        .expect("git is needed to make a checkout");
    assert!(status.success());
    let json = run_json(t.cmd().arg("."));
    assert_eq!(keys(&json), ["content/posts/tusks.md", "content/posts/walrus.md"]);
    // --no-ignore reads it, hidden files (.git/, .gitignore) still not.
    let json = run_json(t.cmd().args([".", "--no-ignore"]));
    assert_eq!(
        keys(&json),
        [
            "content/posts/tusks.md",
            "content/posts/walrus.md",
            "public/index.html",
            "public/posts/walrus/index.html"
        ]
    );
    // --include chooses among the files the ignore rules leave.
    let json = run_json(t.cmd().args([".", "--include", "**/walrus*"]));
    assert_eq!(keys(&json), ["content/posts/walrus.md"]);
    // A file or folder named on the command line is read even if ignored;
    // the rules apply inside a named folder.
    let json = run_json(t.cmd().args(["content", "public/index.html"]));
    assert_eq!(keys(&json), ["posts/tusks.md", "posts/walrus.md", "public/index.html"]);
    let json = run_json(t.cmd().arg("public"));
    assert_eq!(keys(&json), ["index.html", "posts/walrus/index.html"]);
}

#[test]
fn gitignore_outside_a_git_repository_is_not_read_like_ripgrep() {
    let t = TestDir::new();
    hugo_root(&t);
    let json = run_json(t.cmd().arg("."));
    assert_eq!(keys(&json).len(), 4, "no .git: .gitignore does not apply: {json}");
    // Exclude the build output by hand, as docs/site-generators.md says.
    let json = run_json(t.cmd().args([".", "--exclude", "public/**"]));
    assert_eq!(keys(&json), ["content/posts/tusks.md", "content/posts/walrus.md"]);
}

#[test]
fn dot_ignore_and_dot_relatedignore_are_honoured_without_git() {
    let t = TestDir::new();
    t.write("posts/a.md", "walrus tusks");
    t.write("posts/b.md", "walrus swimming");
    t.write("notes/todo.md", "walrus chores");
    t.write("posts/old/c.md", "walrus history");
    t.write("posts/.hidden.md", "walrus secret");
    t.write(".ignore", "notes/\n");
    t.write(
        "posts/.relatedignore",
        "old/\n*.md\n# a comment; the last matching line wins\n!b.md\n",
    );
    let json = run_json(t.cmd().arg("."));
    assert_eq!(keys(&json), ["posts/b.md"]);
    let json = run_json(t.cmd().args([".", "--no-ignore"]));
    assert_eq!(keys(&json), ["notes/todo.md", "posts/a.md", "posts/b.md", "posts/old/c.md"]);
    // --exclude applies on top of the ignore files.
    let json = run_json(t.cmd().args([".", "--no-ignore", "--exclude", "posts/**"]));
    assert_eq!(keys(&json), ["notes/todo.md"]);
    // The walk of posts/ leaves only b.md, which --exclude removes; the
    // ignored a.md named on the command line is read (keyed as given).
    let json = run_json(t.cmd().args(["posts", "posts/a.md", "--exclude", "b.md"]));
    assert_eq!(keys(&json), ["posts/a.md"]);
}
