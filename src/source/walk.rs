//! Recursive directory walk on ripgrep's `ignore` crate: sorted by file
//! name, hidden entries skipped, ignore files honoured (`.gitignore` inside a
//! git repository, `.ignore` and `.relatedignore` everywhere; `--no-ignore`
//! turns them off), links followed with loop detection, but only to targets
//! inside the walked directory (unless `--follow-external-symlinks`).
//!
//! `.gitignore` applies only in a git repository (a `.git` in the folder or
//! one above it), as in git and ripgrep: a Hugo site whose `public/` is
//! git-ignored is walked without it, while a copied folder that merely holds
//! a `.gitignore` is walked whole. Ignore files in the folders above the
//! walked one apply too (`related content` in a repository whose root
//! `.gitignore` lists `content/drafts/`), as do `.git/info/exclude` and
//! git's global excludes file. The directory given on the command line is
//! walked even if an ignore file names it; the rules apply inside it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::{DirEntry, WalkBuilder};

use super::{Filter, SourceFile, Sources};
use crate::error::Result;
use crate::outcome::Warning;

/// Extensions picked up by a directory walk when no `--include` is given.
pub const DEFAULT_EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "html", "htm", "txt"];

/// The ignore file read only by `related` (like ripgrep's `.rgignore`), in
/// `.gitignore` syntax: what the site's git must keep but `related` must not
/// read.
pub const IGNORE_FILE: &str = ".relatedignore";

/// True if `key` ends in one of [`DEFAULT_EXTENSIONS`] (case-insensitive).
pub fn has_default_extension(key: &str) -> bool {
    let Some((_, ext)) = key.rsplit_once('.') else { return false };
    DEFAULT_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
}

/// Adds the files under `dir` to `sources`, keyed relative to `dir`.
/// Unreadable entries, symlink loops and bad ignore-file lines become
/// warnings, not failures. Returns whether a symbolic link was followed:
/// only then can the walk reach one file by two paths.
pub(crate) fn walk_dir(dir: &Path, filter: &Filter, sources: &mut Sources) -> Result<bool> {
    // Warnings from the entry filter and from the loop below, in walk order
    // (the walk is single-threaded: the filter runs inside `next`).
    let warnings: Arc<Mutex<Vec<Warning>>> = Arc::default();
    let mut builder = WalkBuilder::new(dir);
    builder
        .standard_filters(filter.ignore_files)
        .hidden(true)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b));
    if filter.ignore_files {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    // Symlinks are followed only within the walked tree unless asked.
    if !filter.follow_external_symlinks
        && let Ok(root) = std::fs::canonicalize(dir)
    {
        let (dir, filter, warnings) = (dir.to_path_buf(), filter.clone(), Arc::clone(&warnings));
        builder.filter_entry(move |entry| match external_link(entry, &root) {
            None => true,
            Some(target) => {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                // A file this walk would not read anyway needs no warning.
                if is_dir || filter.walked(&key_of(&dir, entry.path())) {
                    warnings.lock().unwrap_or_else(PoisonError::into_inner).push(Warning {
                        location: super::names::display_path(entry.path()),
                        message: format!(
                            "symbolic link to {}, outside {}; skipped (--follow-external-symlinks reads it)",
                            super::names::display_path(&target),
                            dir.display()
                        ),
                    });
                }
                false
            }
        });
    }
    let mut followed_link = false;
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let mut w = warnings.lock().unwrap_or_else(PoisonError::into_inner);
                w.extend(walk_warnings(&err, dir));
                continue;
            }
        };
        // A line of an ignore file that could not be read or parsed: the
        // rest of the file still applies.
        if let Some(err) = entry.error() {
            let mut w = warnings.lock().unwrap_or_else(PoisonError::into_inner);
            w.extend(walk_warnings(err, dir));
        }
        followed_link |= entry.depth() > 0 && entry.path_is_symlink();
        if !entry.file_type().is_some_and(|t| t.is_file())
            || entry.path().strip_prefix(dir).is_err()
        {
            continue;
        }
        let key = key_of(dir, entry.path());
        if filter.walked(&key) {
            sources.files.push(SourceFile { path: entry.into_path(), key });
        }
    }
    let mut w = warnings.lock().unwrap_or_else(PoisonError::into_inner);
    sources.warnings.append(&mut w);
    Ok(followed_link)
}

/// The target of `entry` if it is a symbolic link (below the walked
/// directory) to something outside `root`.
fn external_link(entry: &DirEntry, root: &Path) -> Option<PathBuf> {
    if entry.depth() == 0 || !entry.path_is_symlink() {
        return None;
    }
    let target = std::fs::canonicalize(entry.path()).ok()?;
    (!target.starts_with(root)).then_some(target)
}

/// One warning per problem in `err` (an ignore file can hold several bad
/// lines), each located at the path it names.
fn walk_warnings(err: &ignore::Error, dir: &Path) -> Vec<Warning> {
    fn collect(
        err: &ignore::Error,
        path: Option<&Path>,
        line: Option<u64>,
        out: &mut Vec<(Option<PathBuf>, Option<u64>, String)>,
    ) {
        use ignore::Error as E;
        match err {
            E::Partial(errs) => errs.iter().for_each(|e| collect(e, path, line, out)),
            E::WithPath { path, err } => collect(err, Some(path), line, out),
            E::WithLineNumber { line, err } => collect(err, path, Some(*line), out),
            E::WithDepth { err, .. } => collect(err, path, line, out),
            E::Loop { child, .. } => out.push((
                Some(child.clone()),
                None,
                "symbolic link loop; not followed".to_string(),
            )),
            E::Io(io) => {
                let message = match path.and_then(dangling_link) {
                    Some(target) => format!(
                        "symbolic link to {} which does not exist; skipped",
                        target.display()
                    ),
                    None => crate::error::io_in_words(io),
                };
                out.push((path.map(Path::to_path_buf), line, message));
            }
            other => out.push((path.map(Path::to_path_buf), line, other.to_string())),
        }
    }
    let mut found = Vec::new();
    collect(err, None, None, &mut found);
    found
        .into_iter()
        .map(|(path, line, message)| {
            let path = path.as_deref().unwrap_or(dir).display();
            let location = match line {
                Some(n) => format!("{path}:{n}"),
                None => path.to_string(),
            };
            Warning { location, message }
        })
        .collect()
}

/// The key of `path` under `dir`: its components joined with `/`, bytes
/// that are not UTF-8 percent-encoded.
fn key_of(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| super::names::encode_name(c.as_os_str()).0)
        .collect::<Vec<_>>()
        .join("/")
}

/// The target of `path` if it is a symbolic link to nothing.
fn dangling_link(path: &Path) -> Option<std::path::PathBuf> {
    let target = std::fs::read_link(path).ok()?;
    (!path.exists()).then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{WalkOptions, discover};

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        dir
    }

    fn keys(dir: &Path, opts: WalkOptions) -> Vec<String> {
        discover(&[dir.to_path_buf()], &opts).unwrap().files.into_iter().map(|f| f.key).collect()
    }

    #[test]
    fn walk_is_sorted_recursive_and_filters_extensions_and_hidden() {
        let d = tree(&["b.md", "a/z.html", "a/y.TXT", ".git/x.md", "a/.hidden.md", "img.png"]);
        assert_eq!(keys(d.path(), WalkOptions::default()), ["a/y.TXT", "a/z.html", "b.md"]);
    }

    #[test]
    fn include_replaces_extensions_and_exclude_removes() {
        let d = tree(&["posts/a.md", "tags/t.md", "feed.xml"]);
        let opts = WalkOptions { exclude: vec!["tags/**".into()], ..WalkOptions::default() };
        assert_eq!(keys(d.path(), opts), ["posts/a.md"]);
        let opts = WalkOptions { include: vec!["*.xml".into()], ..WalkOptions::default() };
        assert_eq!(keys(d.path(), opts), ["feed.xml"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_a_warning() {
        let d = tree(&["a/x.md"]);
        std::os::unix::fs::symlink(d.path().join("a"), d.path().join("a/loop")).unwrap();
        let s = discover(&[d.path().to_path_buf()], &WalkOptions::default()).unwrap();
        assert_eq!(s.files.len(), 1);
        assert!(s.warnings.iter().any(|w| w.message.contains("loop")), "{:?}", s.warnings);
    }

    #[cfg(unix)]
    #[test]
    fn dangling_symlink_is_said_in_words() {
        let d = tree(&["a.md"]);
        std::os::unix::fs::symlink("gone.md", d.path().join("b.md")).unwrap();
        let s = discover(&[d.path().to_path_buf()], &WalkOptions::default()).unwrap();
        assert_eq!(s.files.len(), 1);
        let w = &s.warnings[0];
        assert_eq!(w.message, "symbolic link to gone.md which does not exist; skipped");
        assert!(!w.message.contains("os error"), "{w}");
    }

    #[test]
    fn a_bad_ignore_line_is_a_warning_and_the_rest_applies() {
        let d = tree(&["a.md", "b.md", "drafts/c.md"]);
        std::fs::write(d.path().join(".ignore"), "drafts/\n{b.md\n").unwrap();
        let s = discover(&[d.path().to_path_buf()], &WalkOptions::default()).unwrap();
        let keys: Vec<&str> = s.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["a.md", "b.md"]);
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        let w = &s.warnings[0];
        assert!(w.location.ends_with(".ignore:2"), "{w}");
        assert!(w.message.contains("{b.md") && w.message.contains("unclosed"), "{w}");
    }

    #[test]
    fn no_ignore_reads_ignored_files_but_not_hidden_ones() {
        let d = tree(&["a.md", "drafts/c.md", ".hidden/d.md"]);
        std::fs::write(d.path().join(".relatedignore"), "drafts/\n").unwrap();
        assert_eq!(keys(d.path(), WalkOptions::default()), ["a.md"]);
        let all = WalkOptions { no_ignore: true, ..WalkOptions::default() };
        assert_eq!(keys(d.path(), all), ["a.md", "drafts/c.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_reached_through_a_link_inside_the_tree_is_read_once() {
        let d = tree(&["a/x.md", "c.md"]);
        std::os::unix::fs::symlink(d.path().join("a"), d.path().join("b")).unwrap();
        assert_eq!(keys(d.path(), WalkOptions::default()), ["a/x.md", "c.md"]);
    }
}
