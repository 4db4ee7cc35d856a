//! Code and link fields, field weights as multipliers, compound terms and
//! markup-aware extraction, through the binary.

use std::time::{Duration, Instant};

use crate::util::*;

#[test]
fn code_weight_counts_code_blocks_and_include_code_is_weight_one() {
    let t = TestDir::new();
    t.write("a.md", "# Intro\n\nSome prose.\n\n```sh\nfrobnicate widget\n```\n");
    t.write("b.md", "About frobnicate and widget.\n");
    t.write("c.html", "<body><p>Unrelated words.</p><pre>frobnicate widget</pre></body>");
    let off = run_json(t.cmd().args([".", "--code-weight", "0"]));
    assert!(neighbours(&off, "a.md").is_empty(), "{off}");
    assert!(neighbours(&off, "c.html").is_empty(), "{off}");
    let on = run_json(t.cmd().args([".", "--code-weight", "1"]));
    assert_eq!(neighbours(&on, "a.md"), ["b.md", "c.html"]);
    assert_eq!(neighbours(&on, "c.html"), ["b.md", "a.md"], "HTML <pre> is code too");
    let alias = run_json(t.cmd().args([".", "--include-code"]));
    assert_eq!(alias, on, "--include-code is --code-weight 1");
    let out = t.cmd().args([".", "--include-code", "--code-weight", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "conflicting flags are a usage error");
}

#[test]
fn link_weight_counts_host_and_path_words_not_queries() {
    let t = TestDir::new();
    t.write(
        "a.md",
        "Read [the manual](https://www.postgresql.org/docs/current/?zebra=1#quokka).\n",
    );
    t.write("b.md", "Also <https://postgresql.org/about/>, a fine project.\n");
    t.write("c.txt", "zebra quokka");
    let off = run_json(t.cmd().args([".", "--link-weight", "0"]));
    assert!(neighbours(&off, "a.md").is_empty(), "{off}");
    let on = run_json(t.cmd().args([".", "--link-weight", "1", "--explain"]));
    assert_eq!(neighbours(&on, "a.md"), ["b.md"], "{on}");
    let terms = on["a.md"][0]["terms"].as_array().unwrap();
    assert!(terms.iter().any(|t| t == "postgresql.org"), "{terms:?}");
    assert!(neighbours(&on, "c.txt").is_empty(), "query strings and fragments are not words");
}

#[test]
fn feed_content_gives_code_and_links() {
    let t = TestDir::new();
    t.write(
        "feed.xml",
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>f</title>
<item><title>One</title><link>https://x.org/1</link><content:encoded><![CDATA[<p>Intro.</p><pre>kubectl rollout</pre><a href="https://kubernetes.io/docs/">k</a>]]></content:encoded></item>
<item><title>Two</title><link>https://x.org/2</link><content:encoded><![CDATA[<p>Words.</p><pre>kubectl rollout</pre><a href="https://kubernetes.io/blog/">k8s</a>]]></content:encoded></item>
</channel></rss>"#,
    );
    let none = run_json(t.cmd().args(["feed.xml", "--code-weight", "0", "--link-weight", "0"]));
    assert!(neighbours(&none, "https://x.org/1").is_empty(), "{none}");
    for flags in
        [["--code-weight", "1", "--link-weight", "0"], ["--code-weight", "0", "--link-weight", "1"]]
    {
        let json = run_json(t.cmd().arg("feed.xml").args(flags));
        assert_eq!(neighbours(&json, "https://x.org/1"), ["https://x.org/2"], "{flags:?}");
    }
}

#[test]
fn compounds_are_split_unless_told_not_to() {
    let t = TestDir::new();
    t.write("a.md", "Building with node.js today.\n");
    t.write("b.md", "A node in the graph.\n");
    let split = run_json(t.cmd().args([".", "--split-compounds"]));
    assert_eq!(neighbours(&split, "a.md"), ["b.md"]);
    let whole = run_json(t.cmd().args([".", "--no-split-compounds"]));
    assert!(neighbours(&whole, "a.md").is_empty(), "{whole}");
    let last_wins = run_json(t.cmd().args([".", "--no-split-compounds", "--split-compounds"]));
    assert_eq!(last_wins, split);
}

#[test]
fn zenn_and_hugo_markup_are_not_words() {
    let t = TestDir::new();
    t.write(
        "a.md",
        ":::message\nPlatypus.\n:::\n\n@[card](https://zenn.dev/)\n\n![](shot.png =600x)\n\n\
         {{< figure src=\"x.png\" width=\"800\" >}}\n\n$$\n\\frac{1}{2}\n$$\n",
    );
    t.write("b.md", "message card 600x figure width frac platypus\n");
    let json = run_json(t.cmd().args([".", "--explain"]));
    let terms = &json["b.md"][0]["terms"];
    assert_eq!(terms, &serde_json::json!(["platypus"]), "{json}");
}

#[test]
fn huge_field_weights_cost_nothing_more() {
    let t = TestDir::new();
    t.write("a.md", "---\ntitle: Rust tools\ntags: [cli]\n---\nCommand line tools in Rust.\n");
    t.write("b.md", "---\ntitle: Cargo\ntags: [cli]\n---\n```\ncargo build\n```\nRust [tools](https://rust-lang.org/tools).\n");
    let started = Instant::now();
    let json = run_json(t.cmd().args([
        ".",
        "--title-weight",
        "4294967295",
        "--tag-weight",
        "4294967295",
        "--code-weight",
        "4294967295",
        "--link-weight",
        "4294967295",
        "--tf",
        "raw",
    ]));
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
    let score = json["a.md"][0]["score"].as_f64().unwrap();
    assert!(score > 0.0 && score <= 1.0, "{score}");
}
