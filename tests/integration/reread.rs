//! `--cache DIR` remembers each file read: a file whose path, size and
//! times are unchanged is not read again, and the output is byte for byte
//! that of a run without the cache in every case.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::util::{TestDir, assert_success};

/// Sets `rel`'s modification time to `ago` before now (negative: after).
fn set_mtime(t: &TestDir, rel: &str, ago: i64) {
    let now = SystemTime::now();
    let when = if ago >= 0 {
        now - Duration::from_secs(ago as u64)
    } else {
        now + Duration::from_secs(ago.unsigned_abs())
    };
    let file = std::fs::File::options().write(true).open(t.path().join(rel)).unwrap();
    file.set_modified(when).unwrap();
}

/// Writes `rel`, last modified an hour ago (long settled: not racy).
fn write_old(t: &TestDir, rel: &str, content: &str) {
    t.write(rel, content);
    set_mtime(t, rel, 3600);
}

/// A run with the cache: its output, its `-v` log and the files it read
/// and did not (from "read N files, M unchanged").
fn cached(t: &TestDir, args: &[&str]) -> (Vec<u8>, String, (usize, usize)) {
    let out = t.cmd().args(args).args(["--cache", ".cache", "-v"]).output().unwrap();
    assert_success(&out);
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    let counts = read_counts(&log);
    (out.stdout, log, counts)
}

fn read_counts(log: &str) -> (usize, usize) {
    let at = log.find(", read ").unwrap_or_else(|| panic!("no read counts in {log}"));
    let words: Vec<&str> = log[at + 7..].split_whitespace().take(3).collect();
    let number = |s: &str| s.trim_end_matches(',').parse::<usize>().unwrap();
    let unit = if words[0] == "1" { "file," } else { "files," };
    assert_eq!(words[1], unit, "{log}");
    (number(words[0]), number(words[2]))
}

/// The output of a run without any cache.
fn uncached(t: &TestDir, args: &[&str]) -> Vec<u8> {
    let out = t.cmd().args(args).output().unwrap();
    assert_success(&out);
    out.stdout
}

fn site() -> TestDir {
    let t = TestDir::new();
    write_old(&t, "a.md", "---\ntitle: Tea\n---\ngreen tea from Shizuoka, 静岡のお茶");
    write_old(&t, "b.md", "black tea and green tea, お茶の話");
    write_old(&t, "c.md", "engines and cars");
    t
}

#[test]
fn an_unchanged_rerun_reads_no_file_and_writes_the_same_bytes() {
    let t = site();
    let plain = uncached(&t, &["."]);
    let (first, _, counts) = cached(&t, &["."]);
    assert_eq!(counts, (3, 0));
    assert_eq!(first, plain);
    let (second, log, counts) = cached(&t, &["."]);
    assert_eq!(counts, (0, 3), "{log}");
    assert_eq!(second, plain);
    assert!(log.contains("3 of 3 articles from the cache") && log.contains("reused"), "{log}");
    // Untitled b.md shows its first line as its title, recalled without its text.
    let json: serde_json::Value = serde_json::from_slice(&second).unwrap();
    let titles: Vec<&str> =
        json["a.md"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["black tea and green tea, お茶の話"]);
    // Other outputs and settings from the recalled documents: the same too.
    for args in [&[".", "--format", "jsonl"][..], &[".", "--explain"], &[".", "-k", "1"]] {
        let (out, _, counts) = cached(&t, args);
        assert_eq!(counts, (0, 3));
        assert_eq!(out, uncached(&t, args), "{args:?}");
    }
}

#[test]
fn an_edited_file_is_read_again_even_with_the_same_size() {
    let t = site();
    cached(&t, &["."]);
    let before = std::fs::metadata(t.path().join("c.md")).unwrap().len();
    // Same size, the modification time one second later (still long ago).
    write_old(&t, "c.md", "engines and tea!");
    set_mtime(&t, "c.md", 3599);
    assert_eq!(std::fs::metadata(t.path().join("c.md")).unwrap().len(), before);
    let (out, log, counts) = cached(&t, &["."]);
    assert_eq!(counts, (1, 2), "{log}");
    assert!(log.contains("2 of 3 articles from the cache"), "{log}");
    assert_eq!(out, uncached(&t, &["."]));
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(json["c.md"].as_array().is_some_and(|l| !l.is_empty()), "c.md now shares tea");
    // And the next run recalls it.
    assert_eq!(cached(&t, &["."]).2, (0, 3));
}

#[test]
fn an_edit_that_keeps_size_and_modification_time_is_seen_by_its_change_time() {
    let t = site();
    cached(&t, &["."]);
    let path = t.path().join("c.md");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    t.write("c.md", "engines and tea!");
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    let (out, _, counts) = cached(&t, &["."]);
    // The same size and modification time: on Unix the change time (which
    // setting the modification time moves) tells; elsewhere it is trusted.
    if cfg!(unix) {
        assert_eq!(counts, (1, 2));
        assert_eq!(out, uncached(&t, &["."]));
    }
}

#[test]
fn deleted_added_and_renamed_files() {
    let t = site();
    cached(&t, &["."]);
    std::fs::remove_file(t.path().join("c.md")).unwrap();
    write_old(&t, "d.md", "green tea and more tea");
    let (out, log, counts) = cached(&t, &["."]);
    assert_eq!(counts, (1, 2), "{log}");
    assert_eq!(out, uncached(&t, &["."]));
    assert!(!String::from_utf8_lossy(&out).contains("c.md"));

    // Renamed: another path, another key, read again.
    std::fs::rename(t.path().join("b.md"), t.path().join("e.md")).unwrap();
    let (out, _, counts) = cached(&t, &["."]);
    assert_eq!(counts.0, 1, "e.md is read");
    assert_eq!(out, uncached(&t, &["."]));
    assert!(String::from_utf8_lossy(&out).contains("e.md"));
}

#[test]
fn a_feed_file_is_recalled_with_all_its_items() {
    let t = TestDir::new();
    let item = |n: usize, title: &str, text: &str| {
        format!(
            "<item><title>{title}</title><link>https://example.com/{n}/</link>\
             <category>drinks</category><description>{text}</description></item>"
        )
    };
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>{}{}{}</channel></rss>",
        item(1, "Green tea", "green tea from Shizuoka"),
        item(2, "Black tea", "black tea and green tea"),
        item(3, "Cars", "engines and cars"),
    );
    write_old(&t, "feed.xml", &feed);
    write_old(&t, "posts/tea.md", "---\ntitle: More tea\n---\noolong tea");
    let args = ["feed.xml", "posts"];
    let plain = uncached(&t, &args);
    assert_eq!(cached(&t, &args).0, plain);
    let (out, log, counts) = cached(&t, &args);
    assert_eq!(counts, (0, 2), "{log}");
    assert!(log.contains("4 of 4 articles from the cache"), "{log}");
    assert_eq!(out, plain);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 4);
}

#[test]
fn racy_files_are_read_again() {
    let t = site();
    // Modified after the run started (in the future here): not settled
    // before the run's start, so not trusted. (A file modified within 2 s
    // before it is not either: see the unit tests of `memo`.)
    set_mtime(&t, "a.md", -3600);
    let plain = uncached(&t, &["."]);
    cached(&t, &["."]);
    let (out, log, counts) = cached(&t, &["."]);
    assert_eq!(counts, (1, 2), "{log}");
    assert_eq!(out, plain);
    // Just written: read again at least until 2 s after it was.
    t.write("b.md", "black tea and green tea, お茶の話");
    let (out, _, counts) = cached(&t, &["."]);
    assert_eq!(counts, (2, 1));
    assert_eq!(out, plain);
    // Settled: recalled.
    set_mtime(&t, "a.md", 3600);
    set_mtime(&t, "b.md", 3600);
    cached(&t, &["."]);
    assert_eq!(cached(&t, &["."]).2, (0, 3));
}

#[test]
fn an_extraction_setting_invalidates_the_memo_a_site_setting_does_not() {
    let t = site();
    write_old(&t, "page.html", "<html><body><nav>menu tea</nav><p>green tea</p></body></html>");
    write_old(&t, "draft.md", "---\ndraft: true\n---\ngreen tea draft");
    cached(&t, &["."]);
    assert_eq!(cached(&t, &["."]).2, (1, 4), "the draft is not remembered: read each time");
    let args = [".", "--exclude-selector", "p"];
    let (out, _, counts) = cached(&t, &args);
    assert_eq!(counts, (5, 0), "another extraction: every file read");
    assert_eq!(out, uncached(&t, &args));
    // Drafts are a site rule: the memo stands, the draft is read as always.
    cached(&t, &["."]);
    let args = [".", "--include-drafts"];
    let (out, _, counts) = cached(&t, &args);
    assert_eq!(counts, (1, 4));
    assert_eq!(out, uncached(&t, &args));
}

#[test]
fn files_with_warnings_are_read_and_warn_every_time() {
    let t = site();
    t.write("bad.md", b"green tea \xFF bytes".as_slice());
    set_mtime(&t, "bad.md", 3600);
    cached(&t, &["."]);
    for _ in 0..2 {
        let (out, log, counts) = cached(&t, &["."]);
        assert_eq!(counts, (1, 3), "{log}");
        assert!(log.contains("bad.md"), "warned again: {log}");
        assert_eq!(out, uncached(&t, &["."]));
    }
}

#[test]
fn the_cache_file_is_rewritten_only_when_something_changed() {
    let t = site();
    cached(&t, &["."]);
    let file = t.path().join(".cache/related-cache.bin");
    let stamp = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let first = stamp(&file);
    let (_, log, _) = cached(&t, &["."]);
    assert!(!log.contains("saved"), "{log}");
    assert_eq!(stamp(&file), first);
    // Touched (same content): read again, the result reused, the memo saved.
    set_mtime(&t, "a.md", 3000);
    let (_, log, counts) = cached(&t, &["."]);
    assert_eq!(counts, (1, 2));
    assert!(log.contains("reused") && log.contains("saved"), "{log}");
    assert_eq!(cached(&t, &["."]).2, (0, 3));
}
