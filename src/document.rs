//! The unit of work: one article, and the sorted, de-duplicated corpus.

use crate::error::{Error, Result};

/// One article, as extracted from a file, a feed item or a JSON line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Stable identity used in the output: the path relative to the input
    /// root with `/` separators, or a feed item's link (else guid/id).
    pub key: String,
    /// Where it came from, for messages: `path` or `path#item-3`.
    pub origin: String,
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
    /// The key is a file path (not a feed link or a JSON Lines key), so
    /// `--strip-extension` and slug-from-file-name apply to it.
    pub path_key: bool,
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
    /// `description` / `summary` (front matter), meta description (HTML).
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
}

impl Corpus {
    /// Sorts `docs` by key; two documents with the same key are an error that
    /// names both origins.
    pub fn new(mut docs: Vec<Document>) -> Result<Self> {
        docs.sort_by(|a, b| {
            (&a.site.partition, &a.key, &a.origin).cmp(&(&b.site.partition, &b.key, &b.origin))
        });
        if let Some(pair) = docs
            .windows(2)
            .find(|w| w[0].key == w[1].key && w[0].site.partition == w[1].site.partition)
        {
            return Err(Error::DuplicateKey {
                key: pair[0].key.clone(),
                first: pair[0].origin.clone(),
                second: pair[1].origin.clone(),
            });
        }
        if docs.len() > u32::MAX as usize {
            return Err(Error::TooManyDocuments { count: docs.len() });
        }
        Ok(Corpus { docs })
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
        Document { key: key.into(), origin: origin.into(), ..Document::default() }
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
    fn corpus_is_sorted_by_key() {
        let c = Corpus::new(vec![doc("b", "1"), doc("a", "2"), doc("c", "3")]).unwrap();
        let keys: Vec<_> = c.docs().iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn duplicate_keys_name_both_origins() {
        let err = Corpus::new(vec![doc("a", "x/a.md"), doc("a", "y/a.md")]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x/a.md") && msg.contains("y/a.md"), "{msg}");
    }
}
