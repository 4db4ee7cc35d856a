//! Flags, exit codes, stderr, and what happens to the output file.

use std::io::Read;
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::*;

use crate::util::*;

#[test]
fn help_teaches_with_examples() {
    related()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("related content/ -o data/related.json"))
        .stdout(predicate::str::contains("--format"));
}

#[test]
fn no_input_is_a_usage_error() {
    related().assert().code(2).stderr(predicate::str::contains("no input"));
}

#[test]
fn bad_option_value_is_a_usage_error() {
    related().args(["x", "--min-score", "3"]).assert().code(2);
    related().args(["x", "--format", "yaml"]).assert().code(2);
}

#[test]
fn missing_path_fails_with_its_name() {
    related()
        .arg("no/such/dir")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("related: error: no/such/dir: no such file or directory"));
}

#[test]
fn empty_directory_fails_and_says_what_was_looked_for() {
    let t = TestDir::new();
    t.write("img/a.png", "x");
    t.cmd().arg(".").assert().code(1).stderr(predicate::str::contains("no articles found"));
}

#[test]
fn top_k_limits_and_zero_gives_empty_lists() {
    let json = run_json(related().args(["fixtures/golden", "-k", "2"]));
    assert!(json.as_object().unwrap().values().all(|v| v.as_array().unwrap().len() <= 2));
    let json = run_json(related().args(["fixtures/golden", "-k", "0"]));
    assert!(json.as_object().unwrap().values().all(|v| v.as_array().unwrap().is_empty()));
}

#[test]
fn min_score_hides_weak_neighbours() {
    let all = run_json(related().args(["fixtures/golden", "-k", "9"]));
    let cut = run_json(related().args(["fixtures/golden", "-k", "9", "--min-score", "0.1"]));
    let count = |j: &serde_json::Value| -> usize {
        j.as_object().unwrap().values().map(|v| v.as_array().unwrap().len()).sum()
    };
    assert!(count(&cut) < count(&all));
    for list in cut.as_object().unwrap().values() {
        for e in list.as_array().unwrap() {
            assert!(e["score"].as_f64().unwrap() >= 0.1);
        }
    }
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    // The output folder does not exist yet: it is created.
    let out = t.cmd().args([".", "-o", "out/related.json"]).output().unwrap();
    assert_success(&out);
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path().join("out/related.json")).unwrap()).unwrap();
    assert_eq!(neighbours(&written, "a.md"), ["b.md"]);
}

#[test]
fn failing_run_never_touches_the_previous_output() {
    let t = TestDir::new();
    t.write("related.json", "previous");
    // The second line is broken: stdin is the whole input, so this is fatal
    // after the first document was already read.
    let out = t
        .cmd()
        .args(["-", "-o", "related.json"])
        .write_stdin("{\"key\":\"a\",\"text\":\"x y\"}\n{\"key\": 5}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<stdin>:2"));
    assert_eq!(std::fs::read_to_string(t.path().join("related.json")).unwrap(), "previous");
    let names: Vec<_> =
        std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "a temporary file was left behind: {names:?}");
}

#[test]
fn strict_turns_warnings_into_failure_and_writes_nothing() {
    let t = TestDir::new();
    t.write("a.md", "walrus");
    t.write("b.md", "---\ntitle: [unclosed\n---\nwalrus");
    let out = t.cmd().args([".", "-o", "r.json"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("related: warning:") && stderr.contains("b.md"), "{stderr}");
    std::fs::remove_file(t.path().join("r.json")).unwrap();
    t.cmd().args([".", "-o", "r.json", "--strict"]).assert().code(1);
    assert!(!t.path().join("r.json").exists());
    // --quiet silences warnings.
    t.cmd().args([".", "-q"]).assert().success().stderr("");
}

#[test]
fn verbose_prints_stage_timings() {
    related()
        .args(["fixtures/golden", "-v"])
        .assert()
        .success()
        .stderr(predicate::str::contains("analyze").and(predicate::str::contains("similar")));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_related"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["fixtures/hotchpotch-dev-feed.xml", "-k", "58", "--pretty"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then drop: pipe closed
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn cache_reuses_work_and_never_changes_the_output() {
    let t = TestDir::new();
    t.write("a.md", "---\ntitle: Tea\n---\ngreen tea from Shizuoka, 静岡のお茶");
    t.write("b.md", "black tea and green tea, お茶の話");
    t.write("c.md", "engines and cars");
    let uncached = t.cmd().arg(".").output().unwrap();
    assert_success(&uncached);
    let cached = |extra: &[&str]| {
        let out = t.cmd().args([".", "--cache", ".cache", "-v"]).args(extra).output().unwrap();
        assert_success(&out);
        (out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (first, log) = cached(&[]);
    assert_eq!(first, uncached.stdout);
    assert!(log.contains("0 of 3 articles from the cache"), "{log}");
    let (second, log) = cached(&[]);
    assert_eq!(second, uncached.stdout);
    assert!(log.contains("3 of 3 articles from the cache") && log.contains("reused"), "{log}");

    // A changed article is analyzed again; the result equals an uncached run.
    t.write("c.md", "engines, cars and green tea");
    let (third, log) = cached(&[]);
    assert!(log.contains("2 of 3 articles from the cache"), "{log}");
    assert_eq!(third, t.cmd().arg(".").output().unwrap().stdout);

    // Other settings do not reuse the result.
    let (k1, _) = cached(&["-k", "1"]);
    assert_eq!(k1, t.cmd().args([".", "-k", "1"]).output().unwrap().stdout);
}

#[test]
fn corrupt_cache_is_ignored_with_a_warning() {
    let t = TestDir::new();
    t.write("a.md", "green tea");
    t.write("b.md", "black tea");
    let expected = t.cmd().arg(".").output().unwrap().stdout;
    t.cmd().args([".", "--cache", "c"]).assert().success();
    let file = t.path().join("c/related-cache.bin");
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&file, &bytes).unwrap();
    let out = t.cmd().args([".", "--cache", "c"]).output().unwrap();
    assert_success(&out);
    assert_eq!(out.stdout, expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cache ignored") && stderr.contains("related-cache.bin"), "{stderr}");
    // Truncated to nothing: same.
    std::fs::write(&file, b"").unwrap();
    let out = t.cmd().args([".", "--cache", "c"]).output().unwrap();
    assert_success(&out);
    assert_eq!(out.stdout, expected);
}

/// Regression: `-o /dev/null` once renamed a temporary file over the device
/// node. A special file is written to directly, never replaced.
#[cfg(unix)]
#[test]
fn output_to_a_named_pipe_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    let fifo = t.path().join("out.fifo");
    let made = StdCommand::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = t.cmd().args([".", "-o", "out.fifo"]).output().unwrap();
    assert_success(&out);
    let text = reader.join().unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(neighbours(&json, "a.md"), ["b.md"]);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced");
}

/// A site whose exact search would be too much work switches to the
/// approximate search on its own and says so; `--exact` keeps it exact.
#[test]
fn large_sites_switch_to_the_approximate_search_with_a_note() {
    let t = TestDir::new();
    let words = ["rust", "python", "garden", "tomato", "guitar", "chord", "train", "rail", "bread"];
    for i in 0..60 {
        let body: Vec<&str> =
            (0..30).map(|j| words[(i * 7 + j * (i % 5 + 1)) % words.len()]).collect();
        t.write(&format!("posts/{i:02}.md"), format!("# Post {i}\n\n{} word{i}\n", body.join(" ")));
    }
    let run = |args: &[&str]| {
        let out = t.cmd().args(["posts", "-q", "--lsi-dims", "0"]).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out
    };
    let switched =
        t.cmd().args(["posts", "--lsi-dims", "0", "--approximate-above", "1"]).output().unwrap();
    assert!(switched.status.success());
    let note = String::from_utf8_lossy(&switched.stderr);
    assert!(note.contains("note: 60 articles: an exact search would walk"), "{note}");
    assert!(note.contains("through the 40 highest-weighted terms"), "{note}");
    assert!(note.contains("--exact forces the exact search"), "{note}");
    let asked = run(&["--max-terms-per-doc", "40"]);
    assert_eq!(switched.stdout, asked.stdout, "the switch runs --max-terms-per-doc 40");

    let exact = t
        .cmd()
        .args(["posts", "--lsi-dims", "0", "--approximate-above", "1", "--exact"])
        .output()
        .unwrap();
    assert!(exact.status.success());
    assert!(!String::from_utf8_lossy(&exact.stderr).contains("note:"), "no switch with --exact");
    assert_eq!(exact.stdout, run(&[]).stdout, "below the limit the default is exact");

    // The LSI-blended search (sites up to 20,000 articles) is exact anyway.
    let blended = t.cmd().args(["posts", "--approximate-above", "1"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&blended.stderr).contains("note:"), "no switch with LSI");

    let both = t.cmd().args(["posts", "--exact", "--max-terms-per-doc", "5"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "--exact and --max-terms-per-doc contradict");
}

/// The approximate search's cap on postings per term is a setting like any
/// other: it changes the lists, and a cached result of another cap is not
/// reused; nor is one of another shortlist.
#[test]
fn the_posting_cap_changes_the_result_and_the_cache_knows_it() {
    let t = TestDir::new();
    let words = ["rust", "python", "garden", "tomato", "guitar", "chord", "train", "rail", "bread"];
    for i in 0..40 {
        let body: Vec<&str> =
            (0..30).map(|j| words[(i * 7 + j * (i % 5 + 1)) % words.len()]).collect();
        t.write(&format!("posts/{i:02}.md"), format!("# Post {i}\n\n{} word{i}\n", body.join(" ")));
    }
    let run = |extra: &[&str]| {
        let out = t
            .cmd()
            .args(["posts", "-v", "--lsi-dims", "0", "--max-terms-per-doc", "3"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (one, _) = run(&["--approximate-postings", "1"]);
    let (roomy, _) = run(&["--approximate-postings", "1000"]);
    let (default, _) = run(&[]);
    assert_ne!(one, roomy, "one posting per term finds fewer neighbours");
    assert_eq!(roomy, default, "no list of 40 articles reaches the default cap");

    let (cached_one, _) = run(&["--approximate-postings", "1", "--cache", ".cache"]);
    assert_eq!(cached_one, one);
    let (cached_roomy, log) = run(&["--approximate-postings", "1000", "--cache", ".cache"]);
    assert_eq!(cached_roomy, roomy, "{log}");
    assert!(!log.contains("reused from the cache"), "{log}");

    // So is the shortlist scored exactly: another one is not the cached result.
    let (_, log) = run(&["--approximate-postings", "1000", "--cache", ".cache"]);
    assert!(log.contains("reused from the cache"), "{log}");
    let (short, log) = run(&["--approximate-shortlist", "500", "--cache", ".cache"]);
    assert!(!log.contains("reused from the cache"), "{log}");
    assert_eq!(short, roomy, "60 or 500 candidates of 40 articles: all of them");
}
