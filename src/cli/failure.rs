//! What stops a command-line run: the library's [`Error`]s, and the
//! command line's own failures, which only make sense with its flags
//! (`--strict`, `--check`, flag combinations). Each is said on stderr in
//! the command line's words (settings named by their flags) and mapped to
//! an exit code.

use crate::error::{Error, error_chain, is_broken_pipe};

/// A failed command-line run.
#[derive(Debug)]
pub enum Failure {
    /// The library failed.
    Error(Error),
    /// Flags that do not go together, or a usage the library never sees
    /// (exit code 2).
    Usage(String),
    /// `--strict` was given and warnings were found.
    Strict {
        /// How many warnings.
        count: usize,
    },
    /// `--check`: the output on disk is not what this run would write.
    Stale(String),
    /// The library failed after inputs were skipped or damaged: the
    /// warnings (printed before it) usually say why.
    AfterWarnings {
        /// How many warnings were printed.
        count: usize,
        /// The error itself.
        error: Error,
    },
}

/// `Result` of a command-line run.
pub type Result<T, E = Failure> = std::result::Result<T, E>;

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Error(error)
    }
}

impl Failure {
    /// The message, with settings named by their flags.
    pub fn message(&self) -> String {
        match self {
            Failure::Error(e) => in_flags(e),
            Failure::Usage(m) => m.clone(),
            Failure::Strict { count } => {
                format!("{count} warning(s) with --strict; nothing was written")
            }
            Failure::Stale(what) => format!("{what}; run without --check to update it"),
            Failure::AfterWarnings { count, error } => {
                format!("{} (see the {count} warning(s) above)", in_flags(error))
            }
        }
    }

    /// The exit code: 2 for a usage error (flags, settings), 1 otherwise.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Error(Error::Invalid(_)) => 2,
            _ => 1,
        }
    }

    /// True if the reader of stdout went away (not a failure: `| head`).
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Failure::Error(e) | Failure::AfterWarnings { error: e, .. } => is_broken_pipe(e),
            _ => false,
        }
    }
}

/// A library error in the command line's words: settings named by their
/// flags.
pub fn in_flags(err: &Error) -> String {
    match err {
        Error::Invalid(message) => message.render(super::flag),
        other => error_chain(other),
    }
}
