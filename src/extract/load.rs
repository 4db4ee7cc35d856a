//! Reading sources into documents: bytes → text → the right extractor.
//!
//! - Encoding ([`crate::source::charset`]): a BOM (UTF-8, UTF-16, UTF-32), else
//!   UTF-8 if valid, else a declared charset (XML declaration, HTML
//!   `<meta>`), else a confidently detected Japanese legacy encoding
//!   (Shift_JIS, EUC-JP); otherwise invalid UTF-8 is decoded lossily
//!   (U+FFFD) with a warning, since one bad byte should not lose a whole
//!   article. A file with NUL bytes in its first 8 KiB is binary and
//!   skipped with a warning.
//! - Format: a feed is recognized by its content (`<rss`, `<feed`,
//!   `<rdf:RDF`) whatever the extension; otherwise the extension decides
//!   (`.md`/`.markdown`/`.mdx` Markdown, `.html`/`.htm` HTML, anything else
//!   plain text). Standard input is a feed or JSON Lines.
//!
//! One unreadable or unparsable source is a [`Warning`] and is skipped; the
//! caller decides whether warnings are fatal (`--strict`).
//!
//! With `--cache`, a file whose path, size and times are those the cache's
//! read memo has (`crate::pipeline::cache::memo`) is not opened: its
//! documents are recalled, without their text. Files read are recorded,
//! unless reading them met a warning (they are read, and warn, every time).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::document::{Document, Origin};
use crate::error::{Error, Result};
use crate::extract::{self, ExtractError, ExtractOptions};
use crate::outcome::Warning;
use crate::pipeline::cache::Cache;
use crate::pipeline::cache::memo::{self, Known, Stamp, origin_key};
use crate::source::{SourceFile, Sources};

/// How much of a file is inspected to tell binary from text.
const SNIFF_LEN: usize = 8 * 1024;

/// How far into a file the root element of a feed is looked for (past the
/// XML declaration, comments, processing instructions and a doctype).
pub const FEED_SNIFF_LEN: usize = 64 * 1024;

/// Extensions of files that should be feeds: one that is not recognized as
/// one earns a warning (it is read as plain text).
const FEED_EXTENSIONS: &[&str] = &["xml", "rss", "atom", "rdf"];

/// What reading produced: documents in source order, and the problems met.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every document read, in source order.
    pub docs: Vec<Document>,
    /// One per skipped or damaged source.
    pub warnings: Vec<Warning>,
    /// Bytes read, for throughput figures.
    pub bytes: u64,
}

/// What reading through the read memo (`--cache`) gave besides [`Loaded`]
/// (with no memo: only the count of files read):
/// see [`crate::pipeline::cache::memo`].
#[derive(Debug, Default)]
pub(crate) struct Remembered {
    /// Every file that can be remembered (read without a warning), in
    /// order: its record, the origin keys of its documents, and whether it
    /// was recalled (the record is the cache's).
    pub files: Vec<(Vec<u8>, Vec<u128>, bool)>,
    /// What is known of those files' documents, by origin key.
    pub known: HashMap<u128, Known>,
    /// Files opened and read.
    pub read: usize,
    /// Files not opened: unchanged since a previous run.
    pub unchanged: usize,
}

/// Reads every source in parallel (files) and then stdin. With `memo`
/// (`--cache`), the files it has a trusted record of (same path and
/// stamp) are recalled instead of read, and the others recorded.
pub(crate) fn load(
    sources: &Sources,
    opts: &ExtractOptions,
    memo: Option<&Cache>,
) -> Result<(Loaded, Remembered)> {
    let per_file: Vec<(FileLoad, Option<FileMemo>)> =
        sources.files.par_iter().map(|f| load_one(f, opts, memo)).collect();
    let mut loaded = Loaded::default();
    let mut remembered = Remembered::default();
    let mut capped = Vec::new();
    for (FileLoad { docs, note, bytes, capped: cut }, file_memo) in per_file {
        loaded.bytes += bytes;
        loaded.warnings.extend(note);
        capped.extend(cut);
        match docs {
            Ok(docs) => loaded.docs.extend(docs),
            Err(w) => loaded.warnings.push(w),
        }
        match file_memo {
            Some(m) => {
                if m.recalled {
                    remembered.unchanged += 1;
                } else {
                    remembered.read += 1;
                }
                remembered.known.extend(m.known.iter().copied());
                let origins = m.known.into_iter().map(|(o, _)| o).collect();
                remembered.files.push((m.record, origins, m.recalled));
            }
            None => remembered.read += 1,
        }
    }
    let first_stdin = loaded.docs.len();
    if sources.stdin {
        load_stdin(&mut loaded)?;
    }
    loaded.warnings.extend(capped);
    for doc in &mut loaded.docs[first_stdin..] {
        for message in cap_fields(doc) {
            loaded.warnings.push(Warning { location: doc.origin.to_string(), message });
        }
    }
    Ok((loaded, remembered))
}

/// What the memo says of one file: its record (as recalled, or made now)
/// and what is known of its documents, by origin key.
struct FileMemo {
    record: Vec<u8>,
    known: Vec<(u128, Known)>,
    recalled: bool,
}

/// Recalls one file from `memo`, or reads it (and its fields are capped);
/// a file read without a warning gets a new record.
fn load_one(
    file: &SourceFile,
    opts: &ExtractOptions,
    memo: Option<&Cache>,
) -> (FileLoad, Option<FileMemo>) {
    let stamp = memo.and_then(|_| Stamp::of(&std::fs::metadata(&file.path).ok()?));
    if let (Some(cache), Some(stamp)) = (memo, &stamp)
        && let Some(record) = cache.recall(&file.path, stamp)
    {
        let (docs, known): (Vec<Document>, Vec<Known>) =
            Cache::recall_docs(record, file).into_iter().unzip();
        let known = docs.iter().filter_map(|d| origin_key(&d.origin)).zip(known).collect();
        let memo = FileMemo { record: record.to_vec(), known, recalled: true };
        let load =
            FileLoad { docs: Ok(docs), note: Vec::new(), bytes: stamp.size, capped: Vec::new() };
        return (load, Some(memo));
    }
    let mut load = load_file(file, opts);
    if let Ok(docs) = &mut load.docs {
        for doc in docs.iter_mut() {
            for message in cap_fields(doc) {
                load.capped.push(Warning { location: doc.origin.to_string(), message });
            }
        }
    }
    let memo = match (&load.docs, stamp) {
        (Ok(docs), Some(stamp)) if load.note.is_empty() && load.capped.is_empty() => {
            let mut record = Vec::new();
            memo::encode_file(&mut record, &file.path, &stamp, docs).map(|known| {
                let origins = docs.iter().filter_map(|d| origin_key(&d.origin));
                FileMemo { record, known: origins.zip(known).collect(), recalled: false }
            })
        }
        _ => None,
    };
    (load, memo)
}

/// Longest title kept, in characters; a longer one is cut (ending in `…`).
/// Every neighbour entry repeats its article's title, so one huge title
/// would multiply into the output.
pub const MAX_TITLE_CHARS: usize = 500;

/// Longest `url`, `slug` or item key kept, in bytes (the common URL limit).
pub const MAX_URL_BYTES: usize = 2048;

/// Longest date kept, in bytes.
const MAX_DATE_BYTES: usize = 64;

/// Cuts the fields that are copied into the output to their limits, and
/// says what was cut.
fn cap_fields(doc: &mut Document) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(title) = &mut doc.title
        && let Some((cut, _)) = title.char_indices().nth(MAX_TITLE_CHARS)
    {
        let chars = title.chars().count();
        title.truncate(cut);
        title.push('…');
        notes.push(format!(
            "title of {chars} characters cut to {MAX_TITLE_CHARS} (titles are repeated in every neighbour entry)"
        ));
    }
    for (name, field) in [("url", &mut doc.url), ("slug", &mut doc.slug)] {
        if field.as_ref().is_some_and(|v| v.len() > MAX_URL_BYTES) {
            let len = field.take().map_or(0, |v| v.len());
            notes.push(format!("{name} of {len} bytes ignored (the limit is {MAX_URL_BYTES})"));
        }
    }
    if doc.date.as_ref().is_some_and(|d| d.len() > MAX_DATE_BYTES) {
        let len = doc.date.take().map_or(0, |d| d.len());
        notes.push(format!("date of {len} bytes ignored (the limit is {MAX_DATE_BYTES})"));
    }
    if doc.origin.path().is_none() && doc.key.len() > MAX_URL_BYTES {
        // Cut, and made distinct again by a hash of the whole key.
        let hash = xxhash_rust::xxh3::xxh3_64(doc.key.as_bytes());
        let mut cut = MAX_URL_BYTES - 17;
        while !doc.key.is_char_boundary(cut) {
            cut -= 1;
        }
        let len = doc.key.len();
        doc.key.truncate(cut);
        doc.key.push_str(&format!("~{hash:016x}"));
        notes.push(format!("key of {len} bytes cut to {MAX_URL_BYTES}"));
    }
    notes
}

/// Reads standard input: a feed or JSON Lines.
fn load_stdin(loaded: &mut Loaded) -> Result<()> {
    {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| Error::io("<stdin>", e))?;
        loaded.bytes += bytes.len() as u64;
        let (text, note) = decode(bytes, "<stdin>");
        loaded.warnings.extend(note);
        let items = if looks_like_feed(&text) {
            extract::feed::extract(&text)
        } else {
            extract::jsonl::extract(&text)
        };
        // Unlike a file in a directory, stdin is the whole input: a parse
        // error there is fatal. (A feed item without a key is only a warning,
        // as it is in a file: the other items are fine.)
        let items = items.map_err(|e| parse_error("<stdin>", &e))?;
        let (docs, skipped) = documents("<stdin>", items);
        loaded.docs.extend(docs);
        loaded.warnings.extend(skipped);
    }
    Ok(())
}

fn parse_error(origin: &str, e: &ExtractError) -> Error {
    let location = match e.position {
        Some((l, c)) => format!("{origin}:{l}:{c}"),
        None => origin.to_string(),
    };
    Error::Parse { location, message: e.message.clone() }
}

fn warning(origin: &str, e: &ExtractError) -> Warning {
    match parse_error(origin, e) {
        Error::Parse { location, message } => Warning { location, message },
        other => Warning { location: origin.into(), message: other.to_string() },
    }
}

/// What reading one file gave.
struct FileLoad {
    /// Its documents, or the warning that skipped it.
    docs: Result<Vec<Document>, Warning>,
    /// Damage that did not skip it (invalid UTF-8 replaced, feed items
    /// without a key left out).
    note: Vec<Warning>,
    /// Its size.
    bytes: u64,
    /// Fields cut to their limits, in document order.
    capped: Vec<Warning>,
}

/// Reads and extracts one file.
fn load_file(file: &SourceFile, opts: &ExtractOptions) -> FileLoad {
    let origin = crate::source::names::display_path(&file.path);
    let bytes = match std::fs::read(&file.path) {
        Ok(b) => b,
        Err(e) => {
            let docs = Err(Warning { location: origin, message: e.to_string() });
            return FileLoad { docs, note: Vec::new(), bytes: 0, capped: Vec::new() };
        }
    };
    let size = bytes.len() as u64;
    let raw_head = head(&bytes);
    if raw_head.contains(&0) && !crate::source::charset::has_wide_bom(raw_head) {
        let w = Warning { location: origin, message: "binary file (contains NUL bytes)".into() };
        return FileLoad { docs: Err(w), note: Vec::new(), bytes: size, capped: Vec::new() };
    }
    let (text, mut note) = decode(bytes, &origin);
    // Sniffed on the decoded text, so a UTF-16 feed is recognized too.
    let ext = extension(&file.path);
    let docs = if looks_like_feed(&text) {
        match extract::feed::extract(&text) {
            Ok(items) => {
                let (docs, skipped) = documents(&origin, items);
                note.extend(skipped);
                Ok(docs)
            }
            Err(e) => Err(warning(&origin, &e)),
        }
    } else {
        if ext.as_deref().is_some_and(|e| FEED_EXTENSIONS.contains(&e)) {
            note.push(Warning {
                location: origin.clone(),
                message: format!(
                    "not recognized as an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root element in the first {} KiB); read as plain text",
                    FEED_SNIFF_LEN / 1024
                ),
            });
        }
        let extracted = match ext.as_deref() {
            Some("md" | "markdown" | "mdx") => extract::markdown::extract(&text, opts),
            Some("html" | "htm" | "xhtml") => {
                Ok((extract::html::extract_with(&text, opts), vec![]))
            }
            _ => Ok((extract::plain::extract(&text), Vec::new())),
        };
        extracted
            .map(|(mut doc, notes)| {
                note.extend(
                    notes.into_iter().map(|message| Warning { location: origin.clone(), message }),
                );
                doc.key.clone_from(&file.key);
                doc.origin = Origin::File { path: file.path.clone() };
                vec![finish(doc)]
            })
            .map_err(|e| warning(&origin, &e))
    };
    FileLoad { docs, note, bytes: size, capped: Vec::new() }
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// Does `text` start like a feed (within [`FEED_SNIFF_LEN`] bytes)?
fn looks_like_feed(text: &str) -> bool {
    let b = text.as_bytes();
    extract::feed::looks_like_feed(b.get(..FEED_SNIFF_LEN).unwrap_or(b))
}

/// The first [`SNIFF_LEN`] bytes.
fn head(bytes: &[u8]) -> &[u8] {
    bytes.get(..SNIFF_LEN).unwrap_or(bytes)
}

/// Decodes `bytes` as text: see [`crate::source::charset`]. Takes the bytes by
/// value so that valid UTF-8, the common case, is not copied (a large file
/// is held in memory once, not twice).
fn decode(bytes: Vec<u8>, origin: &str) -> (String, Vec<Warning>) {
    crate::source::charset::decode(bytes, origin)
}

/// What every document read gets: a blank title is no title.
fn finish(mut doc: Document) -> Document {
    if doc.title.as_ref().is_some_and(|t| t.trim().is_empty()) {
        doc.title = None;
    }
    doc
}

/// Feed items and JSON lines carry their own keys. An item without one
/// (a feed item with neither link nor guid) cannot be listed: it is left
/// out with a warning naming it, and the other items are kept.
fn documents(origin: &str, items: Vec<Document>) -> (Vec<Document>, Vec<Warning>) {
    let mut docs = Vec::with_capacity(items.len());
    let mut skipped = Vec::new();
    for (n, mut doc) in items.into_iter().enumerate() {
        doc.origin = Origin::Item { file: origin.to_owned(), n: n + 1 };
        if doc.key.trim().is_empty() {
            skipped.push(Warning {
                location: doc.origin.to_string(),
                message: "item has no key (a feed item needs a <link>, <guid> or <id>); skipped"
                    .into(),
            });
        } else {
            docs.push(finish(doc));
        }
    }
    (docs, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_dropped_and_invalid_utf8_is_replaced_with_a_warning() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi".to_vec(), "f").0, "hi");
        let (text, note) = decode(b"ab\xFFcd".to_vec(), "f.md");
        assert_eq!(text, "ab\u{FFFD}cd");
        let [note] = note.as_slice() else { panic!("one warning expected: {note:?}") };
        assert_eq!(note.location, "f.md");
        assert!(note.message.contains("byte 2"), "{}", note.message);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("日本".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(le, "f").0, "日本");
        let mut be = vec![0xFE, 0xFF];
        be.extend("ab".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(be, "f").0, "ab");
    }

    #[test]
    fn invalid_utf8_offset_counts_the_bom() {
        let (text, note) = decode(b"\xEF\xBB\xBFab\xFF".to_vec(), "f");
        assert_eq!(text, "ab\u{FFFD}");
        assert!(note[0].message.contains("at byte 5;"), "{}", note[0].message);
    }

    #[test]
    fn descriptions_reach_the_document_from_all_three_extractors() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            SourceFile { path, key: name.into() }
        };
        let html = write(
            "a.html",
            "<html><head><meta name=description content=\"From meta\"></head><body>x</body></html>",
        );
        let md = write("b.md", "---\nsummary: From front matter\n---\nx\n");
        let read = |file: &SourceFile| {
            let [doc] =
                load_file(file, &ExtractOptions::default()).docs.unwrap().try_into().unwrap();
            doc
        };
        let (a, b) = (read(&html), read(&md));
        assert_eq!(a.site.description.as_deref(), Some("From meta"));
        assert_eq!((a.key.as_str(), a.origin.path()), ("a.html", Some(html.path.as_path())));
        assert_eq!(b.site.description.as_deref(), Some("From front matter"));
        let lines = extract::jsonl::extract(r#"{"key":"c","text":"x","description":"From JSON"}"#);
        let (docs, _) = documents("<stdin>", lines.unwrap());
        assert_eq!(docs[0].site.description.as_deref(), Some("From JSON"));
        assert_eq!(docs[0].origin, Origin::Item { file: "<stdin>".into(), n: 1 });
    }

    #[test]
    fn feed_items_without_a_key_are_skipped_one_by_one() {
        let item = |key: &str| Document { key: key.into(), ..Document::default() };
        let (docs, skipped) = documents("f.xml", vec![item("a"), item(""), item("  "), item("d")]);
        let keys: Vec<_> = docs.iter().map(|d| (d.key.as_str(), d.origin.to_string())).collect();
        assert_eq!(keys, [("a", "f.xml#1".to_owned()), ("d", "f.xml#4".to_owned())]);
        let locations: Vec<_> = skipped.iter().map(|w| w.location.as_str()).collect();
        assert_eq!(locations, ["f.xml#2", "f.xml#3"]);
        assert!(skipped[0].message.starts_with("item has no key"), "{}", skipped[0].message);
    }
}
