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
//! Each file is written only when its content changed (so a generator
//! watching the folder rebuilds only what changed), and the folder is
//! updated all or nothing: every destination is checked, then every
//! changed file is written to a temporary file beside it ([`stage`]), and
//! only when all succeeded are they renamed into place ([`Staged::commit`]);
//! a failure (disk full, a name too long) leaves the folder as it was. The
//! names written are kept in `DIR/.related-files`; files a previous run
//! wrote for articles that no longer exist are removed if they are regular
//! files reached without a symlink, and nothing else in `DIR` is ever
//! touched.
//!
//! `--shard i/n` writes its slice's files and lists them in
//! `DIR/.related-files-i-of-n` instead ([`manifest_name`]), and removes only
//! files that list named: shards never touch each other's files, so their
//! folders can be copied together (or the shards run one after the other
//! into one folder). [`super::merge::merge_dir`] then joins the lists into
//! `.related-files`, as one run would have written it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, Setting, message};
use crate::outcome::Outcome;

/// Where a run keeps the list of files it wrote.
pub const MANIFEST: &str = ".related-files";

/// The list of files of a run: [`MANIFEST`], or `.related-files-i-of-n` for
/// `--shard i/n`.
pub fn manifest_name(shard: Option<crate::options::Shard>) -> String {
    match shard {
        None => MANIFEST.to_owned(),
        Some(s) => format!("{MANIFEST}-{}-of-{}", s.index, s.count),
    }
}

/// `(i, n)` if `name` is a shard's list of files ([`manifest_name`]).
pub(crate) fn parse_manifest_name(name: &str) -> Option<(usize, usize)> {
    let (i, n) = name.strip_prefix(MANIFEST)?.strip_prefix('-')?.split_once("-of-")?;
    let shard = crate::options::Shard::new(i.parse().ok()?, n.parse().ok()?)?;
    Some((shard.index, shard.count))
}

/// Longest file-name component kept as is (bytes); longer ones are cut and
/// end in a hash so they stay distinct.
const MAX_COMPONENT: usize = 200;

/// The file (relative to the output folder) for `key`, `/`-separated.
pub fn file_for_key(key: &str) -> String {
    let mut rest = key;
    if crate::site::keys::is_absolute_url(rest) {
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

/// The files of the folder for the articles `rows` (all, or a `--shard`'s):
/// relative path → content. Fails if two keys would share a file, or a file
/// would sit where another key needs a folder (checked over all articles, so
/// every shard fails as one run would).
pub fn render_rows(
    outcome: &Outcome,
    rows: std::ops::Range<usize>,
    pretty: bool,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for (i, doc) in outcome.corpus.docs().iter().enumerate() {
        let name = match &doc.site.partition {
            // `--split-lang`: one folder per language.
            Some(lang) => format!("{}/{}", safe_component(lang), file_for_key(&doc.key)),
            None => file_for_key(&doc.key),
        };
        if let Some(first) = owner.insert(name.clone(), &doc.key) {
            return Err(clash(first, &doc.key, &name));
        }
        if !rows.contains(&i) {
            continue;
        }
        let mut bytes = Vec::new();
        super::write_entries(&mut bytes, &super::entries(outcome, i), pretty, 0)
            .and_then(|()| bytes.write_all(b"\n"))
            .expect("writing to memory");
        files.insert(name, bytes);
    }
    // `a.json` for key `a.json/…`'s folder? Rare, but it would fail half-way.
    let folders: BTreeSet<&str> =
        owner.keys().flat_map(|f| f.match_indices('/').map(move |(i, _)| &f[..i])).collect();
    if let Some(f) = owner.keys().find(|f| folders.contains(f.as_str())) {
        let inside = owner.keys().find(|g| g.starts_with(&format!("{f}/"))).expect("a file inside");
        return Err(clash(owner[f], owner[inside], f));
    }
    Ok(files)
}

fn clash(a: &str, b: &str, file: &str) -> Error {
    Error::Invalid(message![
        Setting::OutputDir,
        format!(
            ": keys {a:?} and {b:?} both need the file {file:?}; give the articles distinct keys (see "
        ),
        Setting::Key,
        ", ",
        Setting::StripExtension,
        ")",
    ])
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

/// The files a previous run wrote into `dir` (empty if none), as listed in
/// its `manifest` ([`manifest_name`]).
pub fn previous_files(dir: &Path, manifest: &str) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(manifest))
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

/// Longest path written (bytes), below every system's limit: a longer one
/// is refused before anything is written.
const MAX_PATH: usize = 4000;

/// Writes `files` into `dir`, all or nothing: see [`stage`] and
/// [`Staged::commit`].
#[cfg(test)]
pub fn write(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<DirReport> {
    stage(dir, files, MANIFEST)?.commit()
}

/// An update of the output folder written to temporary files next to their
/// destinations, not yet visible. Dropping it removes the temporary files
/// and the folders it created: the folder is as before.
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    /// The list of files kept ([`manifest_name`]).
    manifest: String,
    /// Destination and its complete temporary file, for changed files.
    renames: Vec<(PathBuf, tempfile::TempPath)>,
    /// Folders created for new files, deepest last.
    created: Vec<PathBuf>,
    previous: BTreeSet<String>,
    names: BTreeSet<String>,
    report: DirReport,
}

/// Checks every destination, then writes every changed file of `files` to a
/// temporary file beside it. Nothing in `dir` changes yet; on any error the
/// temporary files are removed again. `manifest` names the list of files
/// ([`manifest_name`]).
pub fn stage(dir: &Path, files: &BTreeMap<String, Vec<u8>>, manifest: &str) -> Result<Staged> {
    // Every name and destination first: a failure half-way would leave a
    // mix of old and new files.
    for name in files.keys() {
        let path = dir.join(name);
        if path.as_os_str().len() > MAX_PATH {
            return Err(Error::Invalid(message![
                Setting::OutputDir,
                format!(
                    ": the path for {name:?} would be longer than {MAX_PATH} bytes; use shorter keys (see "
                ),
                Setting::Key,
                ", ",
                Setting::StripExtension,
                ") or a shorter folder",
            ]));
        }
        let mut cur = dir.to_path_buf();
        let parts: Vec<&str> = name.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            cur.push(part);
            let last = i + 1 == parts.len();
            match std::fs::metadata(&cur) {
                Ok(m) if last && m.is_dir() => {
                    return Err(Error::Invalid(message![
                        Setting::OutputDir,
                        format!(
                            ": {} is a folder, where the file for {name:?} goes; move it away",
                            cur.display()
                        ),
                    ]));
                }
                Ok(m) if !last && !m.is_dir() => {
                    return Err(Error::Invalid(message![
                        Setting::OutputDir,
                        format!(
                            ": {} is a file, where a folder for {name:?} goes; move it away",
                            cur.display()
                        ),
                    ]));
                }
                _ => {}
            }
        }
    }
    let mut staged = Staged {
        dir: dir.to_path_buf(),
        manifest: manifest.to_owned(),
        renames: Vec::new(),
        created: Vec::new(),
        previous: BTreeSet::new(),
        names: files.keys().cloned().collect(),
        report: DirReport::default(),
    };
    staged.create_dir(dir)?;
    staged.previous = previous_files(dir, manifest);
    let mut cleaned = BTreeSet::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
            staged.report.unchanged += 1;
            continue;
        }
        let parent = path.parent().unwrap_or(dir).to_path_buf();
        staged.create_dir(&parent)?;
        if cleaned.insert(parent.clone()) {
            super::tempfiles::remove_stale(&parent);
        }
        let mut tmp = super::tempfiles::create_in(&parent).map_err(|e| Error::io(&parent, e))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| Error::io(&path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode()).unwrap_or(0o644);
            let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode));
        }
        // Closed now (thousands of open files would hit the limit), removed
        // when dropped unless renamed.
        staged.renames.push((path, tmp.into_temp_path()));
    }
    Ok(staged)
}

impl Staged {
    /// `dir` and its missing parents, recording those created.
    fn create_dir(&mut self, dir: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut cur = Some(dir);
        while let Some(p) = cur.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            missing.push(p.to_path_buf());
            cur = p.parent();
        }
        for p in missing.into_iter().rev() {
            // Remembered so that an interrupt removes it again (if empty).
            super::tempfiles::create_dir(&p).map_err(|e| Error::io(&p, e))?;
            self.created.push(p);
        }
        Ok(())
    }

    /// Makes the update visible: renames every file into place, removes
    /// the files of articles that are gone, and records the new list. The
    /// list is first written with the old and new names together, so even
    /// an interruption half-way leaves no file the next run would not know.
    pub fn commit(mut self) -> Result<DirReport> {
        let dir = self.dir.clone();
        let list = dir.join(&self.manifest);
        let union: String = self.previous.union(&self.names).map(|f| format!("{f}\n")).collect();
        // Unchanged lists keep their file (inode and mtime), as every output does.
        if !super::unchanged(&list, union.as_bytes()) {
            super::write_atomically(&list, |w| w.write_all(union.as_bytes()))?;
        }
        for (path, tmp) in std::mem::take(&mut self.renames) {
            tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
            self.report.written += 1;
        }
        // They hold files now.
        super::tempfiles::forget_created(&std::mem::take(&mut self.created));
        self.report.removed = remove_gone(&dir, &self.previous, &self.names)?;
        write_list(&list, &self.names)?;
        Ok(std::mem::take(&mut self.report))
    }
}

/// Removes the files in `previous` that are not in `names` (regular files
/// inside `dir` only), and the folders that leaves empty. Returns how many.
fn remove_gone(dir: &Path, previous: &BTreeSet<String>, names: &BTreeSet<String>) -> Result<usize> {
    let mut removed = 0;
    for gone in previous.iter().filter(|f| !names.contains(*f)) {
        let path = dir.join(gone);
        if !is_plain_file_inside(dir, gone) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        remove_empty_parents(dir, &path);
    }
    Ok(removed)
}

/// Writes the list of files `names` to `list` (atomically; left alone when unchanged).
fn write_list(list: &Path, names: &BTreeSet<String>) -> Result<()> {
    let text: String = names.iter().map(|f| format!("{f}\n")).collect();
    if !super::unchanged(list, text.as_bytes()) {
        super::write_atomically(list, |w| w.write_all(text.as_bytes()))?;
    }
    Ok(())
}

/// What a run's commit does to `dir`'s list of files ([`MANIFEST`]), for
/// files already in place (copied from the shards' folders): removes the
/// files of the previous list that are not in `names`, then lists `names`.
/// Returns how many files were removed.
pub(crate) fn replace_manifest(dir: &Path, names: &BTreeSet<String>) -> Result<usize> {
    let list = dir.join(MANIFEST);
    let previous = previous_files(dir, MANIFEST);
    let union: BTreeSet<String> = previous.union(names).cloned().collect();
    write_list(&list, &union)?;
    let removed = remove_gone(dir, &previous, names)?;
    write_list(&list, names)?;
    Ok(removed)
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Temporary files first (their TempPath removes them), then the
        // folders made for them, deepest first; a folder not empty stays.
        self.renames.clear();
        for p in self.created.iter().rev() {
            let _ = std::fs::remove_dir(p);
        }
        super::tempfiles::forget_created(&self.created);
    }
}

/// Is `dir/name` a regular file reached without any symlink below `dir`?
/// Only those are ever removed: a symlinked folder in the output folder
/// (`od/link -> /elsewhere`) must not lead a removal outside it.
fn is_plain_file_inside(dir: &Path, name: &str) -> bool {
    let mut cur = dir.to_path_buf();
    let parts: Vec<&str> = name.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        cur.push(part);
        let Ok(m) = std::fs::symlink_metadata(&cur) else { return false };
        let ok = if i + 1 == parts.len() { m.file_type().is_file() } else { m.is_dir() };
        if !ok {
            return false;
        }
    }
    true
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
        assert_eq!(previous_files(&out, MANIFEST), second.keys().cloned().collect());
    }
}
