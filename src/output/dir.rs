//! `--output-dir DIR`: one JSON file per article, `DIR/<key>.json`, holding
//! the array of its neighbours (the same entries as the default format), for
//! generators that read one data file per page.
//!
//! File names come from keys, made safe: a URL key loses its scheme
//! (`https://x.org/a/` → `x.org/a/`), a key ending in `/` gets `index`
//! (`/posts/a/` → `posts/a/index.json`), `/` separates folders, empty, `.`
//! and `..` components can never climb out (`..` → `%2E%2E`), and characters
//! that are unsafe in file names on some system (`\ : * ? " < > |`, control
//! characters, and `%` itself) are percent-encoded. Japanese and other
//! letters are kept. Two keys that would share a file are an error.
//!
//! Each file is written atomically and only when its content changed (so a
//! generator watching the folder rebuilds only what changed). The names
//! written are kept in `DIR/.related-files`; files a previous run wrote for
//! articles that no longer exist are removed, and nothing else in `DIR` is
//! ever touched.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::error::{Error, Result};

/// Where a run keeps the list of files it wrote.
pub const MANIFEST: &str = ".related-files";

/// Longest file-name component kept as is (bytes); longer ones are cut and
/// end in a hash so they stay distinct.
const MAX_COMPONENT: usize = 200;

/// The file (relative to the output folder) for `key`, `/`-separated.
pub fn file_for_key(key: &str) -> String {
    let mut rest = key;
    if crate::keys::is_absolute_url(rest) {
        rest = rest.split_once("//").map_or(rest, |(_, r)| r);
    }
    let mut parts: Vec<String> =
        rest.split('/').filter(|p| !p.is_empty()).map(safe_component).collect();
    if rest.ends_with('/') || parts.is_empty() {
        parts.push("index".into());
    }
    let mut path = parts.join("/");
    path.push_str(".json");
    path
}

fn safe_component(part: &str) -> String {
    if part == "." || part == ".." {
        return part.replace('.', "%2E");
    }
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        if c.is_control() || "\\:*?\"<>|%".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    if out.len() > MAX_COMPONENT {
        let hash = xxhash_rust::xxh3::xxh3_64(part.as_bytes());
        let mut cut = MAX_COMPONENT - 17;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        let _ = write!(out, "~{hash:016x}");
    }
    out
}

/// Every file of the folder: relative path → content. Fails if two keys
/// would share a file, or a file would sit where another key needs a folder.
pub fn render(outcome: &Outcome, pretty: bool) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for (i, doc) in outcome.corpus.docs().iter().enumerate() {
        let name = file_for_key(&doc.key);
        if let Some(first) = owner.insert(name.clone(), &doc.key) {
            return Err(clash(first, &doc.key, &name));
        }
        let mut bytes = Vec::new();
        super::write_entries(&mut bytes, &super::entries(outcome, i), pretty, 0)
            .and_then(|()| bytes.write_all(b"\n"))
            .expect("writing to memory");
        files.insert(name, bytes);
    }
    // `a.json` for key `a.json/…`'s folder? Rare, but it would fail half-way.
    let folders: BTreeSet<&str> =
        files.keys().flat_map(|f| f.match_indices('/').map(move |(i, _)| &f[..i])).collect();
    if let Some(f) = files.keys().find(|f| folders.contains(f.as_str())) {
        let inside = files.keys().find(|g| g.starts_with(&format!("{f}/"))).expect("a file inside");
        return Err(clash(owner[f], owner[inside], f));
    }
    Ok(files)
}

fn clash(a: &str, b: &str, file: &str) -> Error {
    Error::Usage(format!(
        "--output-dir: keys {a:?} and {b:?} both need the file {file:?}; give the articles distinct keys (see --key, --strip-extension)"
    ))
}

/// What [`write()`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DirReport {
    /// Files created or changed.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Files of articles that are gone, removed.
    pub removed: usize,
}

/// The files a previous run wrote into `dir` (empty if none).
pub fn previous_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .map(|s| s.lines().filter(|l| is_own_file(l)).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A manifest line names a file this module could have written: relative,
/// no `..`, ends in `.json`. Anything else (a hand-edited manifest) is never
/// deleted.
fn is_own_file(name: &str) -> bool {
    name.ends_with(".json")
        && !name.starts_with('/')
        && name.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
}

/// Writes `files` into `dir`, each atomically and only if changed, then
/// removes the files of articles that are gone and records the new list.
pub fn write(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<DirReport> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let previous = previous_files(dir);
    let mut report = DirReport::default();
    for (name, bytes) in files {
        let path = dir.join(name);
        if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
            report.unchanged += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        super::write_atomically(&path, |w| w.write_all(bytes))?;
        report.written += 1;
    }
    for gone in previous.iter().filter(|f| !files.contains_key(*f)) {
        let path = dir.join(gone);
        match std::fs::remove_file(&path) {
            Ok(()) => report.removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        remove_empty_parents(dir, &path);
    }
    let manifest: String = files.keys().map(|f| format!("{f}\n")).collect();
    if !super::unchanged(&dir.join(MANIFEST), manifest.as_bytes()) {
        super::write_atomically(&dir.join(MANIFEST), |w| w.write_all(manifest.as_bytes()))?;
    }
    Ok(report)
}

/// Removes the folders between `file` and `dir` that are now empty.
fn remove_empty_parents(dir: &Path, file: &Path) {
    let mut cur: Option<PathBuf> = file.parent().map(Path::to_path_buf);
    while let Some(p) = cur {
        if p == dir || !p.starts_with(dir) || std::fs::remove_dir(&p).is_err() {
            break;
        }
        cur = p.parent().map(Path::to_path_buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_stay_inside() {
        assert_eq!(file_for_key("posts/a.md"), "posts/a.md.json");
        assert_eq!(file_for_key("posts/a"), "posts/a.json");
        assert_eq!(file_for_key("/posts/a/"), "posts/a/index.json");
        assert_eq!(file_for_key("/"), "index.json");
        assert_eq!(file_for_key(""), "index.json");
        assert_eq!(file_for_key("https://x.org/a/b.html"), "x.org/a/b.html.json");
        assert_eq!(file_for_key("../../etc/passwd"), "%2E%2E/%2E%2E/etc/passwd.json");
        assert_eq!(file_for_key("a/./b"), "a/%2E/b.json");
        assert_eq!(file_for_key("a//b"), "a/b.json");
        assert_eq!(file_for_key("q?x=1&y=2%"), "q%3Fx=1&y=2%25.json");
        assert_eq!(file_for_key("c:\\win"), "c%3A%5Cwin.json");
        assert_eq!(file_for_key("日記/東京タワー"), "日記/東京タワー.json");
        assert_eq!(file_for_key("tab\there"), "tab%09here.json");
        let long = "あ".repeat(100);
        let name = file_for_key(&long);
        assert!(name.len() <= MAX_COMPONENT + 5, "{}", name.len());
        assert_ne!(name, file_for_key(&"あ".repeat(101)), "cut names stay distinct");
        for key in ["..", "../x", "a/../../b", "/..", "..\\..\\x"] {
            let f = file_for_key(key);
            assert!(f.split('/').all(|p| p != ".." && p != "."), "{key} → {f}");
            assert!(!Path::new(&f).is_absolute());
        }
    }

    #[test]
    fn manifest_lines_that_could_escape_are_ignored() {
        assert!(is_own_file("posts/a.json"));
        assert!(!is_own_file("../a.json"));
        assert!(!is_own_file("/etc/a.json"));
        assert!(!is_own_file("a/./b.json"));
        assert!(!is_own_file("notes.txt"));
    }

    #[test]
    fn writes_only_changes_and_removes_only_its_own_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("related");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("mine.json"), "user file").unwrap();
        let files = |list: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            list.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
        };
        let first = files(&[("a.json", "[1]"), ("deep/er/b.json", "[2]")]);
        assert_eq!(write(&out, &first).unwrap(), DirReport { written: 2, ..DirReport::default() });
        let second = files(&[("a.json", "[1]"), ("c.json", "[3]")]);
        let report = write(&out, &second).unwrap();
        assert_eq!(report, DirReport { written: 1, unchanged: 1, removed: 1 });
        assert!(!out.join("deep").exists(), "emptied folders go too");
        assert_eq!(std::fs::read_to_string(out.join("mine.json")).unwrap(), "user file");
        assert_eq!(previous_files(&out), second.keys().cloned().collect());
    }
}
