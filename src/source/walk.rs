//! Recursive directory walk: sorted, hidden entries skipped, links followed
//! with loop detection, but only to targets inside the walked directory
//! (unless `--follow-external-symlinks`).

use std::path::Path;

use walkdir::WalkDir;

use super::{Filter, SourceFile, Sources};
use crate::error::Result;
use crate::outcome::Warning;

/// Extensions picked up by a directory walk when no `--include` is given.
pub const DEFAULT_EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "html", "htm", "txt"];

/// True if `key` ends in one of [`DEFAULT_EXTENSIONS`] (case-insensitive).
pub fn has_default_extension(key: &str) -> bool {
    let Some((_, ext)) = key.rsplit_once('.') else { return false };
    DEFAULT_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
}

/// Adds the files under `dir` to `sources`, keyed relative to `dir`.
/// Unreadable entries and symlink loops become warnings, not failures.
pub(crate) fn walk_dir(dir: &Path, filter: &Filter, sources: &mut Sources) -> Result<()> {
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    // Symlinks are followed only within the walked tree unless asked.
    let root =
        (!filter.follow_external_symlinks).then(|| std::fs::canonicalize(dir).ok()).flatten();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let location = err.path().unwrap_or(dir).display().to_string();
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else if let Some(target) = err.path().and_then(dangling_link) {
                    format!("symbolic link to {} which does not exist; skipped", target.display())
                } else {
                    err.io_error().map_or_else(|| err.to_string(), crate::error::io_in_words)
                };
                sources.warnings.push(Warning { location, message });
                continue;
            }
        };
        if let Some(root) = &root
            && entry.depth() > 0
            && entry.path_is_symlink()
            && let Ok(target) = std::fs::canonicalize(entry.path())
            && !target.starts_with(root)
        {
            let is_dir = entry.file_type().is_dir();
            // A file this walk would not read anyway needs no warning.
            if !is_dir && !filter.walked(&key_of(dir, entry.path())) {
                continue;
            }
            sources.warnings.push(Warning {
                location: super::names::display_path(entry.path()),
                message: format!(
                    "symbolic link to {}, outside {}; skipped (--follow-external-symlinks reads it)",
                    super::names::display_path(&target),
                    dir.display()
                ),
            });
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() || entry.path().strip_prefix(dir).is_err() {
            continue;
        }
        let key = key_of(dir, entry.path());
        if filter.walked(&key) {
            sources.files.push(SourceFile { path: entry.into_path(), key });
        }
    }
    Ok(())
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
}
