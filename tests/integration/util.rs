//! Test helpers: a temporary site folder and a `Command` for the real binary.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// A temporary directory to write articles into.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        TestDir { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `rel` (creating folders) and returns the full path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, content).expect("write");
        p
    }

    /// `related` running in this directory.
    pub fn cmd(&self) -> Command {
        let mut c = related();
        c.current_dir(self.dir.path());
        c
    }
}

/// `related` running in the crate root (where `fixtures/` is).
pub fn related() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_related"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Path of a file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// Runs, asserts success and parses stdout as JSON.
#[track_caller]
pub fn run_json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("run related");
    assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout))
    })
}

#[track_caller]
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "related failed with {:?}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The neighbour keys listed for `key`.
#[track_caller]
pub fn neighbours(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("no entry for {key:?} in {json}"))
        .iter()
        .map(|e| e["key"].as_str().expect("key").to_owned())
        .collect()
}

/// Exit code, stdout and stderr of a finished run.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out: Output = cmd.output().expect("run related");
    let code = out.status.code().expect("related was killed by a signal");
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs, expects exit 0, returns (stdout as JSON, stderr).
#[track_caller]
pub fn run_ok(cmd: &mut Command) -> (Value, String) {
    let (code, stdout, stderr) = run(cmd);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (json, stderr)
}

/// Two articles that relate to each other, so a corpus with a skipped or
/// empty document still has something to compute.
pub fn write_pair(t: &TestDir) {
    t.write("walrus.md", "# Walrus\nThe walrus has long tusks and whiskers.\n");
    t.write("tusks.md", "# Tusks\nWalrus tusks are long teeth.\n");
}

/// The keys of a JSON object (an output, or one language's part of it), in order.
#[track_caller]
pub fn keys(json: &Value) -> Vec<&str> {
    json.as_object().expect("object").keys().map(String::as_str).collect()
}
