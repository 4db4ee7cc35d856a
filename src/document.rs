//! The unit of work: one article, where it came from, and the sorted,
//! de-duplicated corpus.
//!
//! The extractors return a [`Document`] (without key and origin for a
//! whole file, with the item's own key for a feed item or JSON line); the
//! reading stage sets its [`Origin`], and every later stage reads and
//! rewrites the same value.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::pipeline::cache::memo::{Known, origin_key};

/// One article, as extracted from a file, a feed item or a JSON line, or
/// built in memory by a program.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Stable identity used in the output: the path relative to the input
    /// root with `/` separators, or a feed item's link (else guid/id), or
    /// whatever a program building documents in memory chooses.
    pub key: String,
    /// Where it came from: decides which file-name conventions apply, and
    /// names the article in messages (its [`Display`](fmt::Display) form).
    pub origin: Origin,
    /// Title, if the source has one (else the first line of the text).
    pub title: Option<String>,
    /// Plain text of the body (the title is not repeated here).
    pub text: String,
    /// Code blocks (Markdown fenced/indented, HTML `<pre>`), not in `text`.
    pub code: String,
    /// Words of each link and image target (host, path words), one per target.
    pub links: Vec<String>,
    /// Tags, categories and keywords from front matter or the feed.
    pub tags: Vec<String>,
    /// Publication date as written in the source.
    pub date: Option<String>,
    /// `draft: true` in front matter.
    pub draft: bool,
    /// URL from front matter (`url`/`permalink`) or the feed item link.
    pub url: Option<String>,
    /// Front matter `slug`.
    pub slug: Option<String>,
    /// Language from front matter, `<html lang>` or the feed.
    pub lang: Option<String>,
    /// Publishing, listing and language-group details (see `crate::site`).
    pub site: SiteMeta,
}

impl Document {
    /// The title to show: the source's title, else the first line of the text
    /// (cut to 120 characters), else the key. Output always has a title, so a
    /// template never renders an empty link.
    pub fn display_title(&self) -> &str {
        if let Some(t) = self.title.as_deref().filter(|t| !t.trim().is_empty()) {
            return t;
        }
        match self.text.lines().map(str::trim).find(|l| !l.is_empty()) {
            Some(line) => match line.char_indices().nth(120) {
                Some((cut, _)) => &line[..cut],
                None => line,
            },
            None => &self.key,
        }
    }
}

/// Where a [`Document`] came from.
///
/// A whole file's key is derived from its path, and the site generator's
/// file conventions apply to it: publishing rules, dates from `_posts` file
/// names, languages from `post.ja.md` names and language folders, Eleventy
/// data files, slugs from file names, keys without their extension. An item
/// of a feed or JSON Lines stream, or a document built in memory, is
/// published already and keeps the key it has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Built in memory by the program calling the library (the default).
    /// Shown as `<memory>`.
    #[default]
    Memory,
    /// A whole file, at `path` as the inputs name it. Shown as that path
    /// (bytes that are not UTF-8 percent-encoded, as in keys).
    File {
        /// The file as read (relative to the working directory, or absolute).
        path: PathBuf,
    },
    /// The `n`-th item (from 1) of a feed or JSON Lines stream, which
    /// carries its own key. Shown as `file#n`.
    Item {
        /// The file the item is in, as shown in messages, or `<stdin>`.
        file: String,
        /// Its position in the file, from 1.
        n: usize,
    },
}

impl Origin {
    /// The file, when the document is a whole file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Origin::File { path } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Memory => f.write_str("<memory>"),
            Origin::File { path } => f.write_str(&crate::source::names::display_path(path)),
            Origin::Item { file, n } => write!(f, "{file}#{n}"),
        }
    }
}

/// What front matter says about publishing and listing, beyond the fields
/// every article has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SiteMeta {
    /// `publishDate` (Hugo; the date the page goes live when it differs from `date`).
    pub publish_date: Option<String>,
    /// `expiryDate` / `expirydate` / `unpublishdate`.
    pub expiry_date: Option<String>,
    /// Why the generator lists no page for it (`build.list: never`, …).
    pub unlisted: Option<String>,
    /// `translationKey`; after the site stage, also the page a translation
    /// belongs to (its path without language suffix or folder).
    pub translation: Option<String>,
    /// `related: false`.
    pub no_related: bool,
    /// `related_exclude: true`.
    pub related_exclude: bool,
    /// `related: [keys or paths]`, in order.
    pub pinned: Vec<String>,
    /// `image` / `cover` (a string, or Hugo's `cover.image`).
    pub image: Option<String>,
    /// `description` / `summary` (front matter), meta description (HTML),
    /// `"description"` (JSON Lines); each output entry repeats it.
    pub description: Option<String>,
    /// After the site stage with `--split-lang`: the language whose output
    /// holds it.
    pub partition: Option<String>,
    /// After the site stage: the path key before `--key`/`--base-url` rewrote
    /// it, so `related: [posts/b.md]` finds it.
    pub source_key: Option<String>,
    /// Which of `CASCADE_KEYS` the article's own front matter sets: an
    /// Eleventy data file does not override them.
    pub front_matter_keys: Vec<&'static str>,
}

/// Index of a document in a [`Corpus`] (documents are sorted by key, so
/// ascending ids are ascending keys: the tie-break order of the output).
pub type DocId = u32;

/// Documents sorted by key with duplicate keys rejected (with
/// `--split-lang`: sorted by language, then key, and keys unique within a
/// language). This type owns the
/// order every later stage and the output rely on.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    docs: Vec<Document>,
    /// Per document (empty: none), what the read memo knows of it (its
    /// content hash and text length), for documents recalled without text.
    known: Vec<Option<Known>>,
}

impl Corpus {
    /// Takes every article's text and code out of the corpus, in corpus
    /// order, so that analysis can free each as soon as it is analyzed
    /// (nothing later reads them). An article without a title keeps the
    /// line of text its [`Document::display_title`] shows.
    pub(crate) fn take_texts(&mut self) -> Vec<(String, String)> {
        let take = |doc: &mut Document| {
            let titled = doc.title.as_deref().is_some_and(|t| !t.trim().is_empty());
            // The whole line: cut, then trimmed again, a title could lose a
            // final space.
            let shown = match doc.text.lines().map(str::trim).find(|l| !l.is_empty()) {
                Some(line) if !titled => line.to_owned(),
                _ => String::new(),
            };
            (std::mem::replace(&mut doc.text, shown), std::mem::take(&mut doc.code))
        };
        self.docs.iter_mut().map(take).collect()
    }

    /// Sorts `docs` by key; two documents with the same key are an error that
    /// names both origins.
    pub fn new(mut docs: Vec<Document>) -> Result<Self> {
        // Origins only break ties between duplicate keys (an error), as
        // they are shown.
        docs.sort_by(|a, b| {
            (&a.site.partition, &a.key)
                .cmp(&(&b.site.partition, &b.key))
                .then_with(|| a.origin.to_string().cmp(&b.origin.to_string()))
        });
        if let Some(pair) = docs
            .windows(2)
            .find(|w| w[0].key == w[1].key && w[0].site.partition == w[1].site.partition)
        {
            return Err(Error::DuplicateKey {
                key: pair[0].key.clone(),
                first: pair[0].origin.to_string(),
                second: pair[1].origin.to_string(),
            });
        }
        if docs.len() > u32::MAX as usize {
            return Err(Error::TooManyDocuments { count: docs.len() });
        }
        Ok(Corpus { docs, known: Vec::new() })
    }

    /// Sets what is known of each document from `known`, by origin key.
    pub(crate) fn set_known(&mut self, known: &HashMap<u128, Known>) {
        use rayon::prelude::*;
        self.known = (self.docs.par_iter())
            .map(|d| origin_key(&d.origin).and_then(|o| known.get(&o).copied()))
            .collect();
    }

    /// Frees what the read memo knew (once the content hashes are taken).
    pub(crate) fn forget_known(&mut self) {
        self.known = Vec::new();
    }

    /// What the read memo knows of document `i`, if anything.
    pub(crate) fn known(&self, i: usize) -> Option<Known> {
        self.known.get(i).copied().flatten()
    }

    /// The documents, sorted by key.
    pub fn docs(&self) -> &[Document] {
        &self.docs
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True if there are no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The document with id `id`.
    pub fn get(&self, id: DocId) -> &Document {
        &self.docs[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(key: &str, origin: &str) -> Document {
        Document { key: key.into(), origin: file(origin), ..Document::default() }
    }

    fn file(path: &str) -> Origin {
        Origin::File { path: path.into() }
    }

    #[test]
    fn display_title_falls_back_to_first_line_then_key() {
        let mut d = doc("k.txt", "k.txt");
        assert_eq!(d.display_title(), "k.txt");
        d.text = "\n  First line  \nsecond".into();
        assert_eq!(d.display_title(), "First line");
        d.text = "あ".repeat(200);
        assert_eq!(d.display_title().chars().count(), 120);
        d.title = Some("Real".into());
        assert_eq!(d.display_title(), "Real");
    }

    #[test]
    fn taking_texts_keeps_every_display_title() {
        let long_key = "k".repeat(200);
        let text = |key: &str, text: &str| Document { text: text.into(), ..doc(key, key) };
        let mut docs = vec![
            text("a", "\n  First line  \nsecond"),
            text("b", &"あ".repeat(200)),
            text("b2", &format!("{}  and more words", "x".repeat(119))),
            text("c", ""),
            text(&long_key, "  \n "),
            Document { title: Some("Real".into()), ..text("d", "text") },
            Document { title: Some("  ".into()), ..text("e", "shown\nnot") },
        ];
        docs.iter_mut().for_each(|d| d.code = "fn main() {}".into());
        let mut corpus = Corpus::new(docs).unwrap();
        let before: Vec<String> = corpus.docs().iter().map(|d| d.display_title().into()).collect();
        let texts = corpus.take_texts();
        // Corpus order: a, b, b2, c, d, e, k…
        assert_eq!(texts.len(), 7);
        assert_eq!(texts[4], ("text".to_owned(), "fn main() {}".to_owned()));
        let after: Vec<String> = corpus.docs().iter().map(|d| d.display_title().into()).collect();
        assert_eq!(before, after);
        assert!(corpus.docs().iter().all(|d| d.code.is_empty() && !d.text.contains('\n')));
        assert_eq!(corpus.docs()[4].text, "", "titled: no text kept");
    }

    #[test]
    fn corpus_is_sorted_by_key() {
        let c = Corpus::new(vec![doc("b", "1"), doc("a", "2"), doc("c", "3")]).unwrap();
        let keys: Vec<_> = c.docs().iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn origins_are_shown_as_messages_name_them() {
        assert_eq!(file("posts/a.md").to_string(), "posts/a.md");
        assert_eq!(Origin::Item { file: "feed.xml".into(), n: 3 }.to_string(), "feed.xml#3");
        assert_eq!(Origin::Item { file: "<stdin>".into(), n: 1 }.to_string(), "<stdin>#1");
        assert_eq!(Origin::default().to_string(), "<memory>");
        assert_eq!(file("posts/a.md").path(), Some(Path::new("posts/a.md")));
        assert_eq!(Origin::Item { file: "f".into(), n: 1 }.path(), None);
        assert_eq!(Origin::Memory.path(), None);
    }

    #[test]
    fn duplicate_keys_are_reported_in_the_order_their_origins_are_shown() {
        let item = |n| Document {
            key: "k".into(),
            origin: Origin::Item { file: "f.xml".into(), n },
            ..Document::default()
        };
        let err = Corpus::new(vec![item(2), item(10)]).unwrap_err().to_string();
        assert!(err.contains("both f.xml#10 and f.xml#2"), "{err}");
    }

    #[test]
    fn duplicate_keys_name_both_origins() {
        let err = Corpus::new(vec![doc("a", "x/a.md"), doc("a", "y/a.md")]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x/a.md") && msg.contains("y/a.md"), "{msg}");
    }
}
