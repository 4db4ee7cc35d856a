//! Running next to a dev server: outputs that did not change keep their
//! file (inode and mtime), and `--watch` rewrites only what an edit changed.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::util::{TestDir, assert_success};

/// `(inode, mtime in ns)` of `path`.
fn stamp(path: &Path) -> (u64, i64) {
    let m = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (m.ino(), m.mtime() * 1_000_000_000 + m.mtime_nsec())
}

/// Stamps of every `.json` file under `dir`, by path relative to it.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            out.insert(path.file_name().unwrap().to_string_lossy().into_owned(), stamp(&path));
        }
    }
    out
}

#[test]
fn an_unchanged_output_keeps_its_inode_and_mtime() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    t.write("c.md", "tusks of the walrus");
    let run = || {
        assert_success(
            &t.cmd().args([".", "-o", "r.json", "--output-dir", "out"]).output().unwrap(),
        )
    };
    run();
    let file = stamp(&t.path().join("r.json"));
    let dir = stamps(&t.path().join("out"));
    let manifest = stamp(&t.path().join("out/.related-files"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    run();
    assert_eq!(stamp(&t.path().join("r.json")), file, "-o FILE was replaced by the same bytes");
    assert_eq!(stamps(&t.path().join("out")), dir, "--output-dir files were replaced");
    assert_eq!(stamp(&t.path().join("out/.related-files")), manifest, "the manifest was replaced");

    // A change is still written.
    t.write("c.md", "a recipe for bread");
    run();
    assert_ne!(stamp(&t.path().join("r.json")), file);
    let json = std::fs::read_to_string(t.path().join("r.json")).unwrap();
    assert!(json.contains("\"c.md\":[]"), "{json}");
}

#[test]
fn output_dash_writes_stdout() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    let out = t.cmd().args([".", "-o", "-"]).output().unwrap();
    assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("{\"a.md\""));
    assert!(!t.path().join("-").exists(), "-o - created a file named '-'");
}

/// A running `related --watch`, stopped with SIGINT when dropped.
struct Watcher {
    child: std::process::Child,
    stderr: std::path::PathBuf,
}

impl Watcher {
    fn start(dir: &Path, args: &[&str]) -> Watcher {
        let stderr = dir.join(".watch-stderr.log");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_related"))
            .current_dir(dir)
            .args(args)
            .arg("--watch")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("start related --watch");
        Watcher { child, stderr }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits (at most 10 s) until `done` holds; panics with the log otherwise.
    #[track_caller]
    fn wait_for(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !done(&self.log()) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("related --watch exited ({status}) before {what}:\n{}", self.log());
            }
            assert!(std::time::Instant::now() < deadline, "no {what} within 10 s:\n{}", self.log());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Sends SIGINT and returns the exit status (within 10 s).
    fn interrupt(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let kill = std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(kill.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no exit 10 s after SIGINT:\n{}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_rewrites_only_the_outputs_an_edit_changes() {
    let t = TestDir::new();
    t.write("content/a.md", "---\ntitle: Rust\n---\nrust cargo borrow checker");
    t.write("content/b.md", "---\ntitle: Cargo\n---\nrust cargo crates");
    t.write("content/c.md", "---\ntitle: Bread\n---\nflour yeast oven");
    t.write("content/d.md", "---\ntitle: Pizza\n---\nflour oven tomato");
    t.write("content/e.md", "---\ntitle: Roses\n---\ngarden roses pruning");
    // Outputs inside the watched folder must not start a loop.
    let mut w = Watcher::start(
        t.path(),
        &["content", "-o", "content/related.json", "--output-dir", "content/related"],
    );
    w.wait_for("first run", |log| log.contains("watching content"));
    let runs = |log: &str| log.matches(" articles in ").count();
    assert_eq!(runs(&w.log()), 1, "{}", w.log());
    let dir = t.path().join("content/related");
    let before = stamps(&dir);
    assert_eq!(before.len(), 5, "{before:?}");
    let file_before = stamp(&t.path().join("content/related.json"));

    // d gains a word shared with c: only c's and d's lists change.
    std::thread::sleep(std::time::Duration::from_millis(50));
    t.write("content/d.md", "---\ntitle: Pizza\n---\nflour oven tomato yeast");
    w.wait_for("a run after the edit", |log| runs(log) == 2);
    let after = stamps(&dir);
    for name in ["a.md.json", "b.md.json", "e.md.json"] {
        assert_eq!(before[name], after[name], "{name} was rewritten\n{}", w.log());
    }
    for name in ["c.md.json", "d.md.json"] {
        assert_ne!(before[name], after[name], "{name} was not rewritten\n{}", w.log());
    }
    assert_ne!(stamp(&t.path().join("content/related.json")), file_before);
    assert!(w.log().contains("d.md changed"), "{}", w.log());

    // A broken file is reported and watching goes on; the outputs stay.
    t.write("content/f.md", "---\ntitle: [unclosed\n---\nroses");
    w.wait_for("a warning", |log| log.contains("warning: content/f.md:"));
    let json = std::fs::read_to_string(t.path().join("content/related.json")).unwrap();
    assert!(json.contains("\"d.md\""), "{json}");

    // Our own writes never triggered a run: one per edit.
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(runs(&w.log()), 3, "{}", w.log());
    let status = w.interrupt();
    assert!(status.success(), "{status}\n{}", w.log());
    assert!(w.log().contains("stopped watching"), "{}", w.log());
    let leftovers: Vec<_> = std::fs::read_dir(t.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn watch_needs_an_output_file() {
    let t = TestDir::new();
    t.write("a.md", "walrus");
    let out = t.cmd().args([".", "--watch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give -o FILE"));
}
