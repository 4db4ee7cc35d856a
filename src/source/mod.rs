//! Sources: command-line inputs → the list of files (and stdin) to read.
//!
//! A directory is walked recursively in sorted order, skipping hidden and
//! ignored files (see [`walk`]); a file is taken as given, whatever its
//! extension (its content decides how it is read), even if an ignore file
//! names it. Each file gets its key here: the path relative to the directory
//! given on the command line, or the path as given for a file argument,
//! always with `/` separators so keys are the same on every machine.

pub mod charset;
pub mod names;
pub mod walk;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result, Setting, message};
use walk::walk_dir;

/// Which files a directory walk picks up.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Globs (matched against the key) a file must match; when empty, the
    /// `DEFAULT_EXTENSIONS` decide.
    pub include: Vec<String>,
    /// Globs (matched against the key) that exclude a file.
    pub exclude: Vec<String>,
    /// Key files by their path relative to this folder instead of the
    /// directory given (`related _posts --root .` → `_posts/a.md`).
    pub root: Option<PathBuf>,
    /// Read symlinks whose target is outside the walked directory (skipped
    /// with a warning by default: `content/x.md -> ~/.env` must not publish
    /// a secret).
    pub follow_external_symlinks: bool,
    /// Read files that ignore files exclude (`--no-ignore`): `.gitignore`,
    /// `.ignore`, `.relatedignore` and git's excludes are not read. Hidden
    /// files are skipped all the same.
    pub no_ignore: bool,
}

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its key: relative path with `/` separators.
    pub key: String,
}

/// Everything the inputs name.
#[derive(Debug, Default)]
pub struct Sources {
    /// Files, sorted by key.
    pub files: Vec<SourceFile>,
    /// `-` was given: read standard input too.
    pub stdin: bool,
    /// Problems that skipped part of a walk (unreadable directory, link loop).
    pub warnings: Vec<crate::outcome::Warning>,
}

/// Compiled include/exclude globs, and how a walk treats links and ignore
/// files.
#[derive(Clone)]
pub(crate) struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
    pub(crate) follow_external_symlinks: bool,
    /// Honour ignore files (not `--no-ignore`).
    pub(crate) ignore_files: bool,
}

impl Filter {
    pub(crate) fn new(opts: &WalkOptions) -> Result<Self> {
        let build = |globs: &[String], flag: Setting| -> Result<GlobSet> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(
                    Glob::new(g)
                        .map_err(|e| Error::Invalid(message![flag, format!(" {g:?}: {e}")]))?,
                );
            }
            b.build().map_err(|e| Error::Invalid(message![flag, format!(": {e}")]))
        };
        let include = if opts.include.is_empty() {
            None
        } else {
            Some(build(&opts.include, Setting::Include)?)
        };
        Ok(Filter {
            include,
            exclude: build(&opts.exclude, Setting::Exclude)?,
            follow_external_symlinks: opts.follow_external_symlinks,
            ignore_files: !opts.no_ignore,
        })
    }

    /// Should a walked file with this key be read?
    pub(crate) fn walked(&self, key: &str) -> bool {
        let included = match &self.include {
            Some(set) => set.is_match(key),
            // Hugo's list pages (`_index.md`, `posts/_index.fr.md`: home,
            // sections, taxonomies) are not articles: Hugo's own related
            // content and `.RegularPages` leave them out too.
            None => walk::has_default_extension(key) && !is_list_page(key),
        };
        included && !self.exclude.is_match(key)
    }

    /// Should an explicitly named file be read? (only `--exclude` applies)
    fn named(&self, key: &str) -> bool {
        !self.exclude.is_match(key)
    }
}

/// A Hugo list page: a file named `_index.*`, in any folder. Skipped by a
/// directory walk unless `--include` globs choose the files.
pub fn is_list_page(key: &str) -> bool {
    key.rsplit('/').next().is_some_and(|name| name.starts_with("_index."))
}

/// Resolves the inputs. A path that does not exist is an error; so is an
/// input list that names no file at all.
pub fn discover(inputs: &[PathBuf], opts: &WalkOptions) -> Result<Sources> {
    let filter = Filter::new(opts)?;
    let mut sources = Sources::default();
    // Can a file be named twice? Only through two inputs or a link: one
    // folder walked without links names each file once, and canonicalizing
    // every path to find out costs a third of the walk.
    let mut maybe_twice = inputs.iter().filter(|i| i.as_os_str() != "-").count() > 1;
    for input in inputs {
        if input.as_os_str() == "-" {
            sources.stdin = true;
            continue;
        }
        let meta = std::fs::metadata(input).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound { path: input.clone() },
            _ => Error::io(input, e),
        })?;
        if meta.is_dir() {
            maybe_twice |= walk_dir(input, &filter, &mut sources)?;
        } else {
            let key = path_key(input);
            if filter.named(&key) {
                sources.files.push(SourceFile { path: input.clone(), key });
            }
        }
    }
    if let Some(root) = &opts.root {
        for f in &mut sources.files {
            f.key = key_under_root(&f.path, root)?;
        }
    }
    // Warned once for the whole run, naming one example.
    if let Some(f) = sources.files.iter().find(|f| f.path.to_str().is_none()) {
        let n = sources.files.iter().filter(|f| f.path.to_str().is_none()).count();
        sources.warnings.push(crate::outcome::Warning {
            location: f.key.clone(),
            message: format!(
                "{n} file name(s) are not valid UTF-8; their invalid bytes are percent-encoded in keys (%XX)"
            ),
        });
    }
    if maybe_twice {
        dedupe_same_file(&mut sources.files);
    }
    sources.files.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.path.cmp(&b.path)));
    Ok(sources)
}

/// A file named both directly and through its directory (`related posts/
/// posts/a.md`) is read once. The shortest key wins (then the smallest), so
/// the result does not depend on the order of the inputs.
fn dedupe_same_file(files: &mut Vec<SourceFile>) {
    let mut best: HashMap<PathBuf, usize> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        let id = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
        best.entry(id)
            .and_modify(|j| {
                let rank = |f: &SourceFile| (f.key.len(), f.key.clone());
                if rank(&files[i]) < rank(&files[*j]) {
                    *j = i;
                }
            })
            .or_insert(i);
    }
    let mut keep = vec![false; files.len()];
    for i in best.into_values() {
        keep[i] = true;
    }
    let mut n = 0;
    files.retain(|_| {
        n += 1;
        keep[n - 1]
    });
}

/// The key of a file named on the command line: its path with `/`
/// separators, without a leading `./`.
pub fn path_key(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            c => names::encode_name(c.as_os_str()).0.into_owned(),
        })
        .collect();
    let key = parts.join("/");
    if key.is_empty() { names::display_path(path) } else { key }
}

/// The key of `path` relative to `root` (`--root`). Tried on the paths as
/// given first (fast, and keeps symbolic links as the user sees them), then
/// on their canonical forms (`../site/content` against `.`).
fn key_under_root(path: &Path, root: &Path) -> Result<String> {
    let lexical = |p: &Path| -> PathBuf {
        let p: PathBuf = p.components().filter(|c| !matches!(c, Component::CurDir)).collect();
        if p.is_absolute() { p } else { std::env::current_dir().unwrap_or_default().join(p) }
    };
    let relative =
        lexical(path).strip_prefix(lexical(root)).map(Path::to_path_buf).ok().or_else(|| {
            let (p, r) = (std::fs::canonicalize(path).ok()?, std::fs::canonicalize(root).ok()?);
            p.strip_prefix(r).map(Path::to_path_buf).ok()
        });
    match relative {
        Some(rel) if !rel.as_os_str().is_empty() => Ok(path_key(&rel)),
        _ => Err(Error::Invalid(message![
            format!("{} is not inside ", path.display()),
            Setting::Root,
            format!(" {}: give a ", root.display()),
            Setting::Root,
            " folder that contains every input",
        ])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_use_slashes_without_dot_prefix() {
        assert_eq!(path_key(Path::new("./posts/a.md")), "posts/a.md");
        assert_eq!(path_key(Path::new("posts//b.md")), "posts/b.md");
        assert_eq!(path_key(Path::new("/abs/c.md")), "/abs/c.md");
    }

    #[test]
    fn file_and_its_directory_are_read_once_whatever_the_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        let file = dir.path().join("posts/a.md");
        std::fs::write(&file, "hello").unwrap();
        let posts = dir.path().join("posts");
        let one = discover(&[posts.clone(), file.clone()], &WalkOptions::default()).unwrap();
        let two = discover(&[file, posts], &WalkOptions::default()).unwrap();
        assert_eq!(one.files.len(), 1);
        assert_eq!(one.files, two.files);
        assert_eq!(one.files[0].key, "a.md");
    }

    #[test]
    fn root_makes_keys_relative_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("site/_posts");
        std::fs::create_dir_all(&posts).unwrap();
        std::fs::write(posts.join("a.md"), "hello").unwrap();
        let opts = WalkOptions { root: Some(dir.path().join("site")), ..WalkOptions::default() };
        let found = discover(&[posts.clone(), posts.join("a.md")], &opts).unwrap();
        assert_eq!(found.files.len(), 1);
        assert_eq!(found.files[0].key, "_posts/a.md");
        // The same folder reached through `..` is still inside the root.
        let roundabout = dir.path().join("site/_posts/../../site");
        let opts = WalkOptions { root: Some(roundabout), ..WalkOptions::default() };
        assert_eq!(
            discover(std::slice::from_ref(&posts), &opts).unwrap().files[0].key,
            "_posts/a.md"
        );

        let opts =
            WalkOptions { root: Some(dir.path().join("elsewhere")), ..WalkOptions::default() };
        let err = discover(&[posts], &opts).unwrap_err();
        let Error::Invalid(m) = &err else { panic!("{err:?}") };
        let cli_words = m.render(|s| format!("<{s:?}>"));
        assert!(cli_words.contains("is not inside <Root>"), "{cli_words}");
        assert!(err.to_string().contains("elsewhere"), "{err}");
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let err = discover(&[PathBuf::from("no/such/dir")], &WalkOptions::default()).unwrap_err();
        assert!(err.to_string().contains("no/such/dir"), "{err}");
    }

    #[test]
    fn hugo_list_pages_are_skipped_unless_include_chooses() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["_index.md", "posts/_index.fr.md", "posts/a.md", "posts/index.md"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let keys = |opts: &WalkOptions| -> Vec<String> {
            discover(&[dir.path().to_path_buf()], opts)
                .unwrap()
                .files
                .into_iter()
                .map(|f| f.key)
                .collect()
        };
        assert_eq!(keys(&WalkOptions::default()), ["posts/a.md", "posts/index.md"]);
        let all = WalkOptions { include: vec!["**/*.md".into()], ..WalkOptions::default() };
        assert_eq!(keys(&all).len(), 4);
        // A list page named on the command line is read.
        let named = discover(&[dir.path().join("_index.md")], &WalkOptions::default()).unwrap();
        assert_eq!(named.files.len(), 1);
    }
}
