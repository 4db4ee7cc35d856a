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
    /// An input could not be parsed (fatal for stdin; skipped with a warning otherwise).
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
        "no articles found in {inputs} (looked for .md, .markdown, .mdx, .html, .htm, .txt files and RSS/Atom feeds; check the path or the include/exclude patterns)"
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
    /// kept in `<nav>`, the wrong include patterns).
    #[error(
        "no article in {inputs} has any text to compare ({articles} read; all are empty or hold only stop words and numbers)"
    )]
    NoTerms {
        /// The inputs, for the message.
        inputs: String,
        /// How many articles were read.
        articles: usize,
    },
    /// A setting is wrong, or the inputs do not fit the settings (the
    /// message names settings as [`Setting`]s, for the front end to word).
    #[error("{0}")]
    Invalid(Message),
    /// The corpus holds more articles than document ids can number.
    #[error("too many articles: {count} (at most 4,294,967,294)")]
    TooManyDocuments {
        /// How many were read.
        count: usize,
    },
    /// The embedded Japanese dictionary could not be loaded.
    #[error(transparent)]
    Dictionary(#[from] DictionaryError),
}

/// A setting of [`ReadOptions`](crate::ReadOptions) or
/// [`Options`](crate::Options) (or of where the output goes) named in a
/// [`Message`]. Messages never spell a setting themselves: the CLI prints
/// its flag (`--lang-dir`), [`Message`]'s `Display` the field
/// (`ReadOptions::site.lang_dirs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Setting {
    /// `ReadOptions::walk.include`.
    Include,
    /// `ReadOptions::walk.exclude`.
    Exclude,
    /// `ReadOptions::walk.root`.
    Root,
    /// `ReadOptions::keys.scheme`.
    Key,
    /// `ReadOptions::keys.strip_extension`.
    StripExtension,
    /// `ReadOptions::keys.url_template`.
    UrlTemplate,
    /// `ReadOptions::keys.base_url`.
    BaseUrl,
    /// `ReadOptions::site.lang_dirs`.
    LangDir,
    /// `ReadOptions::site.default_lang`.
    DefaultLang,
    /// `ReadOptions::site.split_lang`.
    SplitLang,
    /// `ReadOptions::include_drafts`.
    IncludeDrafts,
    /// `ReadOptions::site.include_future`.
    IncludeFuture,
    /// `ReadOptions::site.include_expired`.
    IncludeExpired,
    /// `ReadOptions::site.include_unlisted`.
    IncludeUnlisted,
    /// `Options::min_score`.
    MinScore,
    /// `Options::lsi_blend`.
    LsiBlend,
    /// `Options::threads`.
    Threads,
    /// The folder given to the per-article output writer.
    OutputDir,
    /// `Options::shard`.
    Shard,
}

impl Setting {
    /// The setting's name in the library: its field.
    pub fn field(self) -> &'static str {
        match self {
            Setting::Include => "ReadOptions::walk.include",
            Setting::Exclude => "ReadOptions::walk.exclude",
            Setting::Root => "ReadOptions::walk.root",
            Setting::Key => "ReadOptions::keys.scheme",
            Setting::StripExtension => "ReadOptions::keys.strip_extension",
            Setting::UrlTemplate => "ReadOptions::keys.url_template",
            Setting::BaseUrl => "ReadOptions::keys.base_url",
            Setting::LangDir => "ReadOptions::site.lang_dirs",
            Setting::DefaultLang => "ReadOptions::site.default_lang",
            Setting::SplitLang => "ReadOptions::site.split_lang",
            Setting::IncludeDrafts => "ReadOptions::include_drafts",
            Setting::IncludeFuture => "ReadOptions::site.include_future",
            Setting::IncludeExpired => "ReadOptions::site.include_expired",
            Setting::IncludeUnlisted => "ReadOptions::site.include_unlisted",
            Setting::MinScore => "Options::min_score",
            Setting::LsiBlend => "Options::lsi_blend",
            Setting::Threads => "Options::threads",
            Setting::OutputDir => "the output folder",
            Setting::Shard => "Options::shard",
        }
    }
}

/// The words of a message, some of which name [`Setting`]s: each front end
/// words those its own way ([`Message::render`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message(Vec<Part>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Text(String),
    Setting(Setting),
}

impl Message {
    /// The message with each setting named by `name`.
    pub fn render(&self, name: impl Fn(Setting) -> String) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Setting(s) => out.push_str(&name(*s)),
            }
        }
        out
    }

    /// Adds `other` at the end.
    pub fn append(&mut self, other: Message) {
        self.0.extend(other.0);
    }

    /// The settings it names, in order.
    pub fn settings(&self) -> impl Iterator<Item = Setting> + '_ {
        self.0.iter().filter_map(|p| match p {
            Part::Setting(s) => Some(*s),
            Part::Text(_) => None,
        })
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(|s| format!("`{}`", s.field())))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message(vec![Part::Text(text)])
    }
}

/// Words and settings to a [`Message`]: `message![Setting::Root, " is empty"]`.
macro_rules! message {
    ($($part:expr),* $(,)?) => {
        $crate::error::Message::from_parts(vec![$($crate::error::IntoPart::into_part($part)),*])
    };
}
pub(crate) use message;

impl Message {
    pub(crate) fn from_parts(parts: Vec<Part>) -> Message {
        Message(parts)
    }
}

/// What [`message!`] accepts: text or a setting.
pub(crate) trait IntoPart {
    fn into_part(self) -> Part;
}

impl IntoPart for Setting {
    fn into_part(self) -> Part {
        Part::Setting(self)
    }
}

impl IntoPart for String {
    fn into_part(self) -> Part {
        Part::Text(self)
    }
}

impl IntoPart for &str {
    fn into_part(self) -> Part {
        Part::Text(self.to_owned())
    }
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
