//! Bad input, one test per case: the exact exit code and what stderr says.
//!
//! The contract: a document that cannot be read or parsed is skipped with
//! `related: warning: <path>[:line:col]: <message>` and the run goes on
//! (exit 0); `--strict` turns any warning into exit 1 with nothing written;
//! fatal errors are `related: error: …` with exit 1; usage errors exit 2.
//! A panic (exit 101) is never acceptable.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::*;

// ---------------------------------------------------------------- inputs

#[test]
fn nonexistent_path_fails_naming_it() {
    let (code, stdout, stderr) = run(related().arg("no/such/place"));
    assert_eq!(code, 1);
    assert_eq!(stderr, "related: error: no/such/place: no such file or directory\n");
    assert!(stdout.is_empty());
}

#[test]
fn directory_without_articles_fails_naming_it() {
    let t = TestDir::new();
    t.write("site/img/logo.png", [0x89, b'P', b'N', b'G', 0]);
    t.write("site/data.json", "{}");
    let (code, stdout, stderr) = run(t.cmd().arg("site"));
    assert_eq!(code, 1);
    assert!(stderr.starts_with("related: error: no articles found in site ("), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    assert!(stdout.is_empty());
}

#[test]
fn empty_file_is_listed_with_no_neighbours() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("empty.md", "");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(json["empty.md"], json!([]));
    assert_eq!(neighbours(&json, "walrus.md"), ["tusks.md"]);
    assert!(stderr.is_empty(), "an empty article is not a warning: {stderr}");
}

#[test]
fn whitespace_only_file_is_listed_with_no_neighbours() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("blank.txt", " \n\t\r\n\u{3000}\u{a0}\n");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(json["blank.txt"], json!([]));
    // The title falls back to the key when there is no text at all.
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn invalid_utf8_is_decoded_lossily_with_a_warning_naming_the_byte() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("latin1.md", b"Walrus tusks caf\xE9 whiskers\n");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(
        stderr,
        "related: warning: ./latin1.md: invalid UTF-8 at byte 16; invalid bytes were replaced \
         with U+FFFD (convert the file to UTF-8 to silence this)\n"
    );
    // The rest of the text is still there and relates.
    assert!(neighbours(&json, "latin1.md").contains(&"walrus.md".to_owned()), "{json}");
}

#[test]
fn invalid_utf8_fails_under_strict_and_writes_nothing() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("latin1.md", b"caf\xE9\n");
    let (code, stdout, stderr) = run(t.cmd().args([".", "--strict", "-o", "out.json"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("related: warning: ./latin1.md: invalid UTF-8 at byte 3"), "{stderr}");
    assert!(
        stderr.ends_with("related: error: 1 warning(s) with --strict; nothing was written\n"),
        "{stderr}"
    );
    assert!(stdout.is_empty());
    assert!(!t.path().join("out.json").exists());
}

#[test]
fn utf16_with_bom_is_decoded_both_byte_orders() {
    let t = TestDir::new();
    let utf16 = |text: &str, big_endian: bool| -> Vec<u8> {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    };
    t.write("le.txt", utf16("Walrus tusks in the Arctic 北極\n", false));
    t.write("be.txt", utf16("Arctic walrus tusks\n", true));
    t.write("other.txt", "Sourdough bread recipe\n");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(neighbours(&json, "le.txt"), ["be.txt"]);
    assert_eq!(neighbours(&json, "be.txt"), ["le.txt"]);
    assert_eq!(json["le.txt"][0]["title"], "Arctic walrus tusks");
}

#[test]
fn utf16_feed_with_bom_is_recognized_as_a_feed() {
    let t = TestDir::new();
    let feed = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<rss><channel>\
        <item><title>Walrus</title><link>https://x.example/1</link><description>walrus tusks</description></item>\
        <item><title>Tusks</title><link>https://x.example/2</link><description>tusks of walrus</description></item>\
        </channel></rss>";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(feed.encode_utf16().flat_map(u16::to_le_bytes));
    t.write("feed.txt", bytes);
    let (json, stderr) = run_ok(t.cmd().arg("feed.txt"));
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(keys(&json), ["https://x.example/1", "https://x.example/2"]);
}

#[test]
fn binary_file_with_markdown_extension_is_skipped_as_binary() {
    let t = TestDir::new();
    write_pair(&t);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i * 31 % 251) as u8));
    t.write("image.md", png);
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(stderr, "related: warning: ./image.md: binary file (contains NUL bytes)\n");
    assert!(json.get("image.md").is_none(), "{json}");
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
}

#[test]
fn truncated_feed_is_skipped_with_its_line_and_column() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("feed.xml", "<rss>\n<channel>\n<item><title>Hi</title>\n<link>https://x.example/</li");
    let (json, stderr) = run_ok(t.cmd().args(["feed.xml", "walrus.md", "tusks.md"]));
    assert!(stderr.starts_with("related: warning: feed.xml:4:25: malformed XML:"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
}

#[test]
fn malformed_feed_mismatched_tags_is_skipped_with_its_position() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("feed.txt", "<rss><channel>\n  <item><title>x</title></channel></rss>\n");
    let (_, stderr) = run_ok(t.cmd().args(["feed.txt", "walrus.md", "tusks.md"]));
    assert!(stderr.starts_with("related: warning: feed.txt:2:"), "{stderr}");
    assert!(stderr.contains("malformed XML"), "{stderr}");
}

/// A feed whose DTD defines nested entities: ten levels of ten-fold
/// references would expand to 3 GB of "lol". Never expanded.
fn billion_laughs() -> String {
    let mut src = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    src.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let prev = format!("&lol{};", i - 1);
        src.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
    }
    src.push_str(
        "]>\n<rss><channel>\
         <item><title>&lol9;</title><link>https://x.example/1</link>\
         <description>walrus &lol9; tusks</description></item>\
         <item><title>b</title><link>https://x.example/2</link>\
         <description>walrus &lol9; tusks &lol8;</description></item>\
         </channel></rss>\n",
    );
    src
}

#[test]
fn billion_laughs_feed_finishes_fast_without_expanding_entities() {
    let t = TestDir::new();
    t.write("feed.txt", billion_laughs());
    let started = Instant::now();
    let (json, stderr) = run_ok(t.cmd().arg("feed.txt"));
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(stderr.is_empty(), "{stderr}");
    let text = json.to_string();
    assert!(!text.contains("lollol"), "an entity was expanded: {text}");
    assert!(text.len() < 1_000, "{text}");
    assert_eq!(json["https://x.example/2"][0]["title"], "&lol9;", "kept literally");
}

#[cfg(target_os = "linux")]
#[test]
fn billion_laughs_feed_fits_in_bounded_memory() {
    // Expanding &lol9; would need gigabytes; the run must fit in 1 GiB of
    // address space (the binary, its embedded dictionary and thread stacks
    // included).
    let t = TestDir::new();
    t.write("feed.txt", billion_laughs());
    let out = std::process::Command::new("sh")
        .current_dir(t.path())
        .args(["-c", "ulimit -v 1048576 && exec \"$0\" feed.txt -j 2"])
        .arg(env!("CARGO_BIN_EXE_related"))
        .output()
        .expect("sh");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("lollol"));
}

#[test]
fn external_entities_are_never_resolved() {
    let t = TestDir::new();
    t.write("secret.txt", "TOPSECRET walrus");
    t.write(
        "feed.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"secret.txt\">]>\n\
         <rss><channel><item><title>&xxe;</title><link>https://x.example/1</link>\
         <description>walrus &xxe;</description></item></channel></rss>\n",
    );
    let (json, _) = run_ok(t.cmd().arg("feed.xml"));
    assert!(!json.to_string().contains("TOPSECRET"), "{json}");
}

#[test]
fn unclosed_front_matter_is_skipped_with_its_position() {
    let t = TestDir::new();
    write_pair(&t);
    t.write(
        "draft.md",
        "---\ntitle: Walrus\n\nThe walrus body, but the front matter never ends.\n",
    );
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(
        stderr,
        "related: warning: ./draft.md:1:1: unclosed YAML front matter (opened at line 1, no \
         closing `---`)\n"
    );
    assert!(json.get("draft.md").is_none());
}

#[test]
fn unclosed_toml_front_matter_is_skipped_with_its_position() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("draft.md", "+++\ntitle = \"Walrus\"\nbody\n");
    let (_, stderr) = run_ok(t.cmd().arg("."));
    assert!(
        stderr.starts_with("related: warning: ./draft.md:1:1: unclosed TOML front matter"),
        "{stderr}"
    );
}

#[test]
fn invalid_yaml_front_matter_is_skipped_with_the_file_line() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("bad.md", "---\ntitle: ok\ntags: [a, b\nfoo: bar\n---\nwalrus\n");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert!(stderr.starts_with("related: warning: ./bad.md:4:"), "{stderr}");
    assert!(stderr.contains("invalid YAML front matter"), "{stderr}");
    assert!(json.get("bad.md").is_none());
}

#[test]
fn front_matter_that_is_not_a_mapping_is_skipped_with_its_position() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("list.md", "---\n- walrus\n- tusks\n---\nWalrus body.\n");
    t.write("scalar.md", "---\njust a string\n---\nWalrus body.\n");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(
        stderr,
        "related: warning: ./list.md:2:1: front matter is not a mapping of keys to values\n\
         related: warning: ./scalar.md:2:1: front matter is not a mapping of keys to values\n"
    );
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
}

#[test]
fn yaml_alias_bomb_in_front_matter_finishes_fast() {
    // Nine levels of nine-fold aliases: 387 million strings if expanded.
    let t = TestDir::new();
    write_pair(&t);
    let mut front = String::from("---\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=9 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        front.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    front.push_str("tags: *l9\ntitle: Walrus\n---\nWalrus tusks.\n");
    t.write("bomb.md", front);
    let started = Instant::now();
    let (code, stdout, stderr) = run(t.cmd().arg("."));
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("lol"), "{stdout}");
    assert!(stderr.starts_with("related: warning: ./bomb.md:"), "{stderr}");
}

#[test]
fn deeply_nested_front_matter_and_markdown_do_not_overflow_the_stack() {
    let t = TestDir::new();
    write_pair(&t);
    let n = 100_000;
    t.write("yaml.md", format!("---\ntags: {}\n---\nwalrus\n", "[".repeat(n)));
    t.write("toml.md", format!("+++\ntags = {}\n+++\nwalrus\n", "[".repeat(n)));
    t.write("toml-tables.md", format!("+++\ntags = {}\n+++\nwalrus\n", "{a=".repeat(n)));
    t.write("quotes.md", format!("{}walrus\n", "> ".repeat(n)));
    t.write("lists.md", format!("{}walrus\n", "- ".repeat(n)));
    t.write("emphasis.md", format!("{}walrus{}\n", "*_".repeat(n), "_*".repeat(n)));
    t.write("links.md", format!("{}walrus{}\n", "[".repeat(n), "](x)".repeat(n)));
    let (code, stdout, stderr) = run(t.cmd().arg("."));
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    // Broken front matter is skipped with its position; deep Markdown is read.
    for key in ["yaml.md", "toml.md", "toml-tables.md"] {
        assert!(json.get(key).is_none(), "{key} was read");
        assert!(stderr.contains(&format!("related: warning: ./{key}:")), "{stderr}");
    }
    for key in ["quotes.md", "lists.md", "emphasis.md", "links.md"] {
        assert!(neighbours(&json, key).contains(&"walrus.md".to_owned()), "{key}: {json}");
    }
}

#[cfg(unix)]
#[test]
fn fifo_in_a_walk_is_not_read() {
    // A named pipe nobody writes to would block a reader forever.
    let t = TestDir::new();
    write_pair(&t);
    let made = std::process::Command::new("mkfifo").arg(t.path().join("pipe.md")).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let started = Instant::now();
    let (json, _) = run_ok(t.cmd().arg(".").timeout(Duration::from_secs(20)));
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
}

#[test]
fn html_without_body_is_read_from_what_it_has() {
    let t = TestDir::new();
    write_pair(&t);
    // Only a head: the title is the whole article, and it still relates.
    t.write("head.html", "<html><head><title>Walrus tusks</title></head></html>");
    // Nothing at all.
    t.write("bare.html", "<html></html>");
    // No <html>/<body> tags, just text: html5ever wraps it in a body.
    t.write("frag.html", "walrus <b>whiskers</b>");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(json["bare.html"], json!([]));
    let head = neighbours(&json, "head.html");
    assert!(
        head.contains(&"tusks.md".to_owned()) && head.contains(&"walrus.md".to_owned()),
        "{json}"
    );
    assert!(neighbours(&json, "frag.html").contains(&"walrus.md".to_owned()));
}

#[test]
fn large_single_file_completes() {
    // 50 MB of prose-like ASCII (the 200 MB case behaves the same,
    // just slower; see the README's notes on sizes).
    let t = TestDir::new();
    let words = ["walrus", "tusks", "arctic", "ice", "whiskers", "ocean", "floe", "herd"];
    let mut big = String::with_capacity(51 * 1024 * 1024);
    let mut i = 0usize;
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(words[i % words.len()]);
        big.push_str(if i % 13 == 12 { ".\n" } else { " " });
        i += 1;
    }
    t.write("big.txt", &big);
    drop(big);
    t.write("small.txt", "walrus on the ice floe");
    t.write("other.txt", "sourdough bread recipe");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(neighbours(&json, "small.txt"), ["big.txt"]);
    assert_eq!(json["other.txt"], json!([]));
}

#[test]
fn ten_thousand_tiny_files_are_all_listed() {
    let t = TestDir::new();
    let animals = ["walrus", "seal", "otter", "puffin", "narwhal", "orca", "beluga"];
    for i in 0..10_000usize {
        let body = format!(
            "{} {} note{}",
            animals[i % animals.len()],
            animals[(i / 7) % animals.len()],
            i % 100
        );
        t.write(&format!("posts/{:02}/{i:05}.md", i % 100), body);
    }
    let (json, stderr) = run_ok(t.cmd().args(["posts", "-k", "3"]));
    // No warning; a debug build on a loaded machine may add the note that
    // points slow similarity stages at --max-terms-per-doc.
    let unexpected: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("related: note: finding neighbours took"))
        .collect();
    assert!(unexpected.is_empty(), "{stderr}");
    let map = json.as_object().expect("object");
    assert_eq!(map.len(), 10_000);
    assert!(map.values().all(|v| v.as_array().is_some_and(|a| a.len() == 3)));
    assert!(map.contains_key("00/00000.md") && map.contains_key("99/09999.md"));
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_a_walk_is_a_warning() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("sub/inner.md", "walrus tusks");
    std::os::unix::fs::symlink(t.path().join("sub"), t.path().join("sub/loop")).expect("symlink");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(stderr, "related: warning: ./sub/loop: symbolic link loop; not followed\n");
    assert_eq!(keys(&json), ["sub/inner.md", "tusks.md", "walrus.md"]);
    // and under --strict the loop fails the run
    let (code, _, stderr) = run(t.cmd().args([".", "--strict"]));
    assert_eq!(code, 1, "{stderr}");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_a_walk_is_a_warning() {
    let t = TestDir::new();
    write_pair(&t);
    std::os::unix::fs::symlink(t.path().join("gone.md"), t.path().join("link.md"))
        .expect("symlink");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert!(stderr.starts_with("related: warning: ./link.md: "), "{stderr}");
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
}

#[test]
fn same_item_link_in_two_feeds_fails_naming_both() {
    let t = TestDir::new();
    let feed = |title: &str| {
        format!(
            "<rss><channel><item><title>{title}</title><link>https://x.example/same</link>\
             <description>walrus</description></item></channel></rss>"
        )
    };
    t.write("a.xml", feed("A"));
    t.write("b.xml", feed("B"));
    let (code, stdout, stderr) = run(t.cmd().args(["b.xml", "a.xml"]));
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "related: error: duplicate key \"https://x.example/same\": produced by both a.xml#1 and \
         b.xml#1 (give the inputs distinct paths, or exclude one)\n"
    );
    assert!(stdout.is_empty());
}

#[test]
fn file_and_its_directory_given_together_are_read_once() {
    let t = TestDir::new();
    t.write("posts/walrus.md", "walrus tusks");
    t.write("posts/tusks.md", "tusks of the walrus");
    let (json, stderr) = run_ok(t.cmd().args(["posts/walrus.md", "posts", "./posts/walrus.md"]));
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
    assert_eq!(neighbours(&json, "walrus.md"), ["tusks.md"]);
}

// ---------------------------------------------------------------- options

#[test]
fn top_k_zero_gives_every_article_an_empty_list() {
    let (json, _) = run_ok(related().args(["fixtures/golden", "-k", "0"]));
    let map = json.as_object().expect("object");
    assert_eq!(map.len(), 10);
    assert!(map.values().all(|v| v == &json!([])), "{json}");
}

#[test]
fn top_k_larger_than_the_corpus_lists_at_most_the_others() {
    let (json, _) = run_ok(related().args(["fixtures/golden", "--top-k", "1000"]));
    let map = json.as_object().expect("object");
    for (key, list) in map {
        let list = list.as_array().expect("array");
        assert!(list.len() < map.len(), "{key}: {}", list.len());
        assert!(list.iter().all(|e| e["key"] != json!(key)), "{key} lists itself");
    }
}

#[test]
fn corpus_of_one_article_is_listed_with_no_neighbours() {
    let t = TestDir::new();
    t.write("a.md", "# Walrus\nTusks and whiskers.\n");
    let (code, stdout, stderr) = run(t.cmd().arg("."));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "{\"a.md\":[]}\n");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn articles_without_terms_after_filtering_are_listed_not_dropped() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("stopwords.txt", "the and of a to is it was");
    t.write("numbers.txt", "123 456 2024 3.14 1,000");
    t.write("letters.txt", "a b c x y z");
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert!(stderr.is_empty(), "{stderr}");
    for key in ["stopwords.txt", "numbers.txt", "letters.txt"] {
        assert_eq!(json[key], json!([]), "{key}");
    }
    assert_eq!(neighbours(&json, "walrus.md"), ["tusks.md"]);
}

/// All documents empty is almost certainly a mistake (JavaScript-rendered
/// pages, content in `<nav>`, wrong `--include`), so it is a fatal error
/// with one clear line.
#[test]
fn all_documents_empty_is_a_fatal_error_with_one_line() {
    let t = TestDir::new();
    t.write("site/a.md", "");
    t.write("site/b.txt", "   \n");
    t.write("site/c.txt", "the and of 42");
    let (code, stdout, stderr) = run(t.cmd().arg("site"));
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("related: error: no article in site has any text to compare (3 read"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn feed_item_without_link_or_guid_is_skipped_alone() {
    let t = TestDir::new();
    t.write(
        "feed.xml",
        "<rss><channel>\
         <item><title>Walrus</title><link>https://x.example/1</link><description>walrus tusks</description></item>\
         <item><title>Orphan</title><description>walrus without a link</description></item>\
         <item><title>Tusks</title><guid>urn:x:3</guid><description>tusks of a walrus</description></item>\
         </channel></rss>",
    );
    let (json, stderr) = run_ok(t.cmd().arg("feed.xml"));
    assert_eq!(
        stderr,
        "related: warning: feed.xml#2: item has no key (a feed item needs a <link>, <guid> or \
         <id>); skipped\n"
    );
    assert_eq!(keys(&json), ["https://x.example/1", "urn:x:3"]);
    assert_eq!(neighbours(&json, "https://x.example/1"), ["urn:x:3"]);
    // --strict still fails on it.
    let (code, _, _) = run(t.cmd().args(["feed.xml", "--strict"]));
    assert_eq!(code, 1);
}

#[test]
fn feed_item_without_key_on_stdin_is_skipped_alone() {
    let feed = "<rss><channel>\
        <item><title>Walrus</title><link>https://x.example/1</link></item>\
        <item><title>Orphan walrus</title></item>\
        <item><title>Walrus again</title><link>https://x.example/3</link></item>\
        </channel></rss>";
    let (json, stderr) = run_ok(related().arg("-").write_stdin(feed));
    assert!(stderr.starts_with("related: warning: <stdin>#2: item has no key"), "{stderr}");
    assert_eq!(keys(&json), ["https://x.example/1", "https://x.example/3"]);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_skipped_with_the_os_error() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestDir::new();
    write_pair(&t);
    let locked = t.write("locked.md", "walrus");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        // Running as root (as in CI containers): permissions do not apply,
        // so there is nothing to test here.
        eprintln!("skipping: file permissions are not enforced for this user");
        return;
    }
    let (json, stderr) = run_ok(t.cmd().arg("."));
    assert_eq!(stderr, "related: warning: ./locked.md: Permission denied (os error 13)\n");
    assert_eq!(keys(&json), ["tusks.md", "walrus.md"]);
}

// ---------------------------------------------------------------- output

#[test]
fn output_in_a_missing_directory_creates_it() {
    let t = TestDir::new();
    write_pair(&t);
    let (code, stdout, stderr) = run(t.cmd().args([".", "-o", "missing/deeper/related.json"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let written = std::fs::read(t.path().join("missing/deeper/related.json")).unwrap();
    assert!(written.starts_with(b"{"));
}

#[test]
fn output_under_a_file_fails_naming_it() {
    let t = TestDir::new();
    write_pair(&t);
    t.write("notadir", "x");
    let (code, stdout, stderr) = run(t.cmd().args([".", "-o", "notadir/related.json"]));
    assert_eq!(code, 1);
    assert!(stderr.starts_with("related: error: notadir: "), "{stderr}");
    assert!(stdout.is_empty());
}

#[test]
fn output_path_that_is_a_directory_fails_and_leaves_no_temp_file() {
    let t = TestDir::new();
    write_pair(&t);
    std::fs::create_dir(t.path().join("out")).expect("mkdir");
    let (code, _, stderr) = run(t.cmd().args([".", "-o", "out"]));
    assert_eq!(code, 1);
    assert!(stderr.starts_with("related: error: out: "), "{stderr}");
    assert!(stderr.contains("Is a directory"), "{stderr}");
    let mut names: Vec<_> = std::fs::read_dir(t.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out", "tusks.md", "walrus.md"], "a temporary file was left behind");
}

// ---------------------------------------------------------------- determinism

#[test]
fn output_is_byte_identical_across_threads_and_input_order() {
    let golden: Vec<String> = {
        let mut names: Vec<String> = std::fs::read_dir(fixture("golden"))
            .expect("fixtures/golden")
            .map(|e| format!("fixtures/golden/{}", e.expect("entry").file_name().to_string_lossy()))
            .collect();
        names.sort();
        names
    };
    let mut inputs: Vec<String> = golden.clone();
    inputs.push("fixtures/hotchpotch-dev-feed.xml".into());
    inputs.push("fixtures/livedoor-sample".into());
    let run_with = |args: &[String], threads: &str| -> Vec<u8> {
        let out = related().args(args).args(["-k", "8", "-j", threads]).output().expect("run");
        assert_success(&out);
        out.stdout
    };
    let reference = run_with(&inputs, "1");
    assert!(reference.len() > 1000);
    // A fixed set of permutations (reversed, rotated, interleaved) so a
    // failure is reproducible.
    let mut reversed = inputs.clone();
    reversed.reverse();
    let mut rotated = inputs.clone();
    rotated.rotate_left(5);
    let (even, odd): (Vec<_>, Vec<_>) =
        inputs.iter().cloned().enumerate().partition(|(i, _)| i % 2 == 0);
    let interleaved: Vec<String> = odd.into_iter().chain(even).map(|(_, s)| s).collect();
    for (order, threads) in
        [(&inputs, "2"), (&inputs, "8"), (&reversed, "1"), (&rotated, "8"), (&interleaved, "2")]
    {
        assert!(run_with(order, threads) == reference, "differs for -j {threads} with {order:?}");
    }
}

// ---------------------------------------------------------------- fuzz regressions

/// Every input the fuzzers found interesting (crashes, timeouts, and a
/// sample of their corpora) goes through the binary without a panic.
#[test]
fn fuzz_regression_inputs_never_panic() {
    let root = fixture("fuzz-regressions");
    for (target, extra) in [
        ("feed", &[][..]),
        ("markdown", &[][..]),
        ("markdown", &["--include-code"][..]),
        ("html", &[][..]),
        ("analyzer", &[][..]),
    ] {
        let dir = root.join(target);
        let count =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).count();
        assert!(count > 0, "{} is empty", dir.display());
        let (code, _, stderr) = run(related().arg(&dir).args(extra).args(["-j", "2"]));
        assert!(code == 0 || code == 1, "{target}: exit {code}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{target}:\n{stderr}");
    }
}

/// The same inputs straight into the extractor each fuzz target drives, so a
/// regression points at the exact file.
#[test]
fn fuzz_regression_inputs_never_panic_in_the_extractors() {
    use related::internals::{ExtractOptions, feed, html, markdown};
    let root = fixture("fuzz-regressions");
    let analyzer = related::internals::Analyzer::default();
    for target in ["feed", "markdown", "html", "analyzer"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(target))
            .expect("fuzz-regressions")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            let name = path.strip_prefix(&root).unwrap_or(Path::new("?")).display().to_string();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match target {
                "feed" => {
                    let _ = feed::looks_like_feed(&bytes);
                    let _ = feed::extract(&text);
                }
                "markdown" => {
                    for keep_markup in [false, true] {
                        let _ = markdown::extract(
                            &text,
                            &ExtractOptions { keep_markup, ..ExtractOptions::default() },
                        );
                    }
                }
                "html" => {
                    let _ = html::extract(&text);
                    let _ = html::fragment_to_text(&text);
                }
                _ => {
                    let _ = analyzer.terms(&text);
                }
            }));
            assert!(result.is_ok(), "{name} panicked");
        }
    }
}
