//! The library's error type. Every variant carries enough context to be read
//! on its own: which file, which position, what to do about it.

use std::path::PathBuf;

use crate::text::DictionaryError;

/// A fatal error: the run stops and nothing is written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input or output path could not be read, listed or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// An input could not be parsed (only fatal under `--strict`, or for stdin).
    #[error("{location}: {message}")]
    Parse {
        /// `path` or `path:line:column`.
        location: String,
        /// What is wrong with it.
        message: String,
    },
    /// An input path does not exist.
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The inputs held no article at all.
    #[error(
        "no articles found in {inputs} (looked for .md, .markdown, .mdx, .html, .htm, .txt files and RSS/Atom feeds; check the path or --include/--exclude)"
    )]
    EmptyCorpus {
        /// The inputs, for the message.
        inputs: String,
    },
    /// Two inputs produced the same key: the output could only hold one.
    #[error(
        "duplicate key {key:?}: produced by both {first} and {second} (give the inputs distinct paths, or exclude one)"
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// Where the first document with it came from.
        first: String,
        /// Where the second came from.
        second: String,
    },
    /// Articles were read, but not one of them has a term to compare (all
    /// empty, or only stop words and numbers): every list would be empty,
    /// which is almost always a mistake (pages rendered by JavaScript, text
    /// kept in `<nav>`, the wrong `--include`).
    #[error(
        "no article in {inputs} has any text to compare ({articles} read; all are empty or hold only stop words and numbers)"
    )]
    NoTerms {
        /// The inputs, for the message.
        inputs: String,
        /// How many articles were read.
        articles: usize,
    },
    /// An option value is invalid (reported as a usage error).
    #[error("{0}")]
    Usage(String),
    /// `--strict` was given and warnings were found.
    #[error("{count} warning(s) with --strict; nothing was written")]
    Strict {
        /// How many warnings.
        count: usize,
    },
    /// `--check`: the output on disk is not what this run would write.
    #[error("{0}; run without --check to update it")]
    Stale(String),
    /// A fatal error after inputs were skipped or damaged: the warnings
    /// (printed before it) usually say why.
    #[error("{source} (see the {count} warning(s) above)")]
    AfterWarnings {
        /// How many warnings were printed.
        count: usize,
        /// The error itself.
        #[source]
        source: Box<Error>,
    },
    /// The embedded Japanese dictionary could not be loaded.
    #[error(transparent)]
    Dictionary(#[from] DictionaryError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// An I/O error said in words, without the OS's code: "permission denied",
/// not "Permission denied (os error 13)".
pub fn io_in_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "it does not exist".into(),
        K::PermissionDenied => "permission denied".into(),
        K::ReadOnlyFilesystem => "the file system is read-only".into(),
        K::NotADirectory => "a file is in the way where a folder should be".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::StorageFull => "the disk is full".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}

/// True if `err` (or anything in its cause chain) is a broken pipe: the
/// reader of our stdout went away (`related … | head`), which is not a failure.
pub fn is_broken_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return true;
        }
        if let Some(json) = e.downcast_ref::<serde_json::Error>()
            && json.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The error and its causes on one line, `a: b: c` (a cause already quoted
/// in the text before it is not repeated).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cur = e.source();
    }
    text
}
