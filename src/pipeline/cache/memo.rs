//! The read memo: what reading each input file produced, keyed by its
//! path and metadata, so that an unchanged file is not opened again (like
//! git's index, or make).
//!
//! One record per file read from disk without a warning: its path, its
//! [`Stamp`] (size, modification and change times in nanoseconds, inode:
//! all must be the same for the file to be recalled)
//! and the documents it yielded, each *without* its text, code and link
//! words (only analysis reads them, and the cached terms replace it) but
//! with its content hash (where its terms are in the cache), its text's
//! length and the line of text its [`Document::display_title`] falls back
//! to. Records are checked once when the cache is loaded and then read in
//! place: a document is built only for a file that is recalled.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use super::Reader;
use crate::document::{Document, Origin, SiteMeta};
use crate::site::CASCADE_KEYS;
use crate::source::SourceFile;

/// A file whose modification (or change) time is not this much older
/// than the moment the previous run started reading is not trusted: it
/// may have been written again within the same timestamp granule (git's
/// "racy clean" problem; FAT's granule is 2 s).
pub const RACY_NANOS: i64 = 2_000_000_000;

/// What a file's metadata says about its content: if all of it is the
/// same, the file is taken to be unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime: i64,
    /// Status change time (Unix; 0 elsewhere), nanoseconds since the epoch.
    pub ctime: i64,
    /// Inode number (Unix; 0 elsewhere).
    pub ino: u64,
}

impl Stamp {
    /// The stamp of a file's metadata; `None` where the platform has no
    /// modification time (then the file is always read).
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        let mtime = nanos(meta.modified().ok()?)?;
        #[cfg(unix)]
        let (ctime, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime().checked_mul(1_000_000_000)?.checked_add(meta.ctime_nsec())?, meta.ino())
        };
        #[cfg(not(unix))]
        let (ctime, ino) = (0, 0);
        Some(Stamp { size: meta.len(), mtime, ctime, ino })
    }

    /// True if the file was last modified safely before `read_start` (see
    /// [`RACY_NANOS`]). As in git, the modification time decides: a write
    /// sets it; the change time, which only a metadata change moves alone,
    /// is compared for equality.
    pub fn settled_before(&self, read_start: i64) -> bool {
        self.mtime < read_start.saturating_sub(RACY_NANOS)
    }
}

/// Nanoseconds since the Unix epoch (negative before it).
fn nanos(t: SystemTime) -> Option<i64> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).ok(),
        Err(e) => i64::try_from(e.duration().as_nanos()).ok().map(|n| -n),
    }
}

/// Now, in nanoseconds since the Unix epoch.
pub fn now() -> i64 {
    nanos(SystemTime::now()).unwrap_or(0)
}

/// What a recalled document brings besides its fields: what analysis and
/// its figures would have computed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// [`super::content_hash`] of the document as read.
    pub hash: u128,
    /// Length of its text in bytes.
    pub text_len: u64,
}

/// Identifies a document by where it came from, to find what is
/// [`Known`] of it after the site's rules dropped and sorted documents.
pub fn origin_key(origin: &Origin) -> Option<u128> {
    let mut h = Xxh3::new();
    match origin {
        Origin::File { path } => {
            h.update(b"F");
            h.update(path.as_os_str().as_encoded_bytes());
        }
        Origin::Item { file, n } => {
            h.update(b"I");
            h.update(&(*n as u64).to_le_bytes());
            h.update(file.as_bytes());
        }
        _ => return None,
    }
    Some(h.digest128())
}

/// The key a file's record is found by.
pub fn path_key(path: &Path) -> u128 {
    xxh3_128(path.as_os_str().as_encoded_bytes())
}

/// The line of text [`Document::display_title`] shows when there is no
/// title (kept whole: it cuts it itself), else nothing.
fn shown_line(doc: &Document) -> &str {
    if doc.title.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        return "";
    }
    doc.text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
        Some(s) => put_str(out, s),
    }
}

fn put_list(out: &mut Vec<u8>, items: &[String]) {
    put_u32(out, items.len());
    items.iter().for_each(|s| put_str(out, s));
}

/// True if the record of `docs` can be written: every string and list
/// fits its 32-bit length (far beyond any real article).
fn fits(docs: &[Document]) -> bool {
    let ok = |s: &str| s.len() < u32::MAX as usize;
    let opt = |s: &Option<String>| s.as_deref().is_none_or(ok);
    let list = |l: &[String]| l.len() < u32::MAX as usize && l.iter().all(|s| ok(s));
    docs.len() < u32::MAX as usize
        && docs.iter().all(|d| {
            ok(&d.key)
                && opt(&d.title)
                && ok(shown_line(d))
                && list(&d.tags)
                && [&d.date, &d.url, &d.slug, &d.lang].into_iter().all(opt)
                && [
                    &d.site.publish_date,
                    &d.site.expiry_date,
                    &d.site.unlisted,
                    &d.site.translation,
                    &d.site.image,
                    &d.site.description,
                    &d.site.partition,
                    &d.site.source_key,
                ]
                .into_iter()
                .all(opt)
                && list(&d.site.pinned)
        })
}

/// Appends the record of a file at `path` with `stamp` that yielded `docs`
/// (as read: their text is still there). Returns the documents' hashes
/// and text lengths, or `None` (nothing written) if a field is too long
/// for the format.
pub fn encode_file(
    out: &mut Vec<u8>,
    path: &Path,
    stamp: &Stamp,
    docs: &[Document],
) -> Option<Vec<Known>> {
    let path = path.as_os_str().as_encoded_bytes();
    if path.len() >= u32::MAX as usize || !fits(docs) {
        return None;
    }
    put_u32(out, path.len());
    out.extend_from_slice(path);
    for n in [stamp.size, stamp.mtime as u64, stamp.ctime as u64, stamp.ino] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    put_u32(out, docs.len());
    let mut known = Vec::with_capacity(docs.len());
    for doc in docs {
        // Every field named: a new one does not compile until it is stored
        // (or said to be only analysis input).
        let Document {
            key,
            origin,
            title,
            text,
            code: _,
            links: _,
            tags,
            date,
            draft,
            url,
            slug,
            lang,
            site,
        } = doc;
        let SiteMeta {
            publish_date,
            expiry_date,
            unlisted,
            translation,
            no_related,
            related_exclude,
            pinned,
            image,
            description,
            partition,
            source_key,
            front_matter_keys,
        } = site;
        let k = Known { hash: super::content_hash(doc), text_len: text.len() as u64 };
        known.push(k);
        out.extend_from_slice(&k.hash.to_le_bytes());
        out.extend_from_slice(&k.text_len.to_le_bytes());
        match origin {
            // A whole file's key is its path's, given again by each run.
            Origin::Item { n, .. } => {
                put_u32(out, *n);
                put_str(out, key);
            }
            _ => {
                put_u32(out, 0);
                put_str(out, "");
            }
        }
        put_opt(out, title.as_deref());
        put_str(out, shown_line(doc));
        put_list(out, tags);
        put_opt(out, date.as_deref());
        out.push(u8::from(*draft));
        put_opt(out, url.as_deref());
        put_opt(out, slug.as_deref());
        put_opt(out, lang.as_deref());
        put_opt(out, publish_date.as_deref());
        put_opt(out, expiry_date.as_deref());
        put_opt(out, unlisted.as_deref());
        put_opt(out, translation.as_deref());
        out.push(u8::from(*no_related));
        out.push(u8::from(*related_exclude));
        put_list(out, pinned);
        put_opt(out, image.as_deref());
        put_opt(out, description.as_deref());
        put_opt(out, partition.as_deref());
        put_opt(out, source_key.as_deref());
        let indices: Vec<u8> = front_matter_keys
            .iter()
            .filter_map(|k| CASCADE_KEYS.iter().position(|c| c == k))
            .map(|i| i as u8)
            .collect();
        out.push(indices.len() as u8);
        out.extend_from_slice(&indices);
    }
    Some(known)
}

/// A record's head: the file it is about and the file's stamp.
pub struct Head<'a> {
    /// The path's bytes.
    pub path: &'a [u8],
    /// The file's stamp when it was read.
    pub stamp: Stamp,
}

impl Reader<'_> {
    fn str32(&mut self) -> Result<Option<&str>, String> {
        let n = self.u32()?;
        if n == u32::MAX {
            return Ok(None);
        }
        let bytes = self.take(n as usize)?;
        std::str::from_utf8(bytes).map(Some).map_err(|_| "invalid UTF-8 in a file record".into())
    }

    fn string(&mut self) -> Result<&str, String> {
        self.str32()?.ok_or_else(|| "missing string in a file record".into())
    }

    fn flag(&mut self) -> Result<bool, String> {
        match self.take(1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err("bad flag in a file record".into()),
        }
    }
}

/// Reads one record at `r`, checking all of it. With `file`, builds its
/// documents as that file's (calls `each` with every document and what is
/// known of it); without, only checks (calls `each` with empty documents).
pub(super) fn read_record<'a>(
    r: &mut Reader<'a>,
    file: Option<&SourceFile>,
    each: &mut dyn FnMut(Document, Known),
) -> Result<Head<'a>, String> {
    let n = r.u32()? as usize;
    let path = r.take(n)?;
    let stamp =
        Stamp { size: r.u64()?, mtime: r.u64()? as i64, ctime: r.u64()? as i64, ino: r.u64()? };
    let n_docs = r.u32()?;
    let build = file.is_some();
    let own = |s: &str| if build { s.to_owned() } else { String::new() };
    let origin_file = file.map(|f| crate::source::names::display_path(&f.path));
    let mut seen_whole = false;
    for _ in 0..n_docs {
        let known = Known { hash: r.u128()?, text_len: r.u64()? };
        let item = r.u32()? as usize;
        let key = r.string()?;
        // A file yields one whole document, or items.
        if item == 0 && (seen_whole || n_docs != 1) {
            return Err("a whole-file record with several documents".into());
        }
        seen_whole |= item == 0;
        let (key, origin) = match (file, item) {
            (None, _) => (String::new(), Origin::Memory),
            (Some(f), 0) => (f.key.clone(), Origin::File { path: f.path.clone() }),
            (Some(_), n) => {
                let file = origin_file.clone().unwrap_or_default();
                (key.to_owned(), Origin::Item { file, n })
            }
        };
        let opt = |r: &mut Reader<'a>| r.str32().map(|s| s.map(own));
        let list = |r: &mut Reader<'a>| -> Result<Vec<String>, String> {
            let n = r.u32()?;
            let mut items = Vec::new();
            for _ in 0..n {
                let s = r.string()?;
                if build {
                    items.push(s.to_owned());
                }
            }
            Ok(items)
        };
        let title = opt(r)?;
        let text = own(r.string()?);
        let tags = list(r)?;
        let date = opt(r)?;
        let draft = r.flag()?;
        let (url, slug, lang) = (opt(r)?, opt(r)?, opt(r)?);
        let (publish_date, expiry_date, unlisted, translation) =
            (opt(r)?, opt(r)?, opt(r)?, opt(r)?);
        let (no_related, related_exclude) = (r.flag()?, r.flag()?);
        let pinned = list(r)?;
        let (image, description, partition, source_key) = (opt(r)?, opt(r)?, opt(r)?, opt(r)?);
        let n_keys = r.take(1)?[0] as usize;
        let mut front_matter_keys = Vec::new();
        for &i in r.take(n_keys)? {
            let key = CASCADE_KEYS.get(i as usize).ok_or("bad front matter key in a record")?;
            if build {
                front_matter_keys.push(*key);
            }
        }
        let doc = Document {
            key,
            origin,
            title,
            text,
            code: String::new(),
            links: Vec::new(),
            tags,
            date,
            draft,
            url,
            slug,
            lang,
            site: SiteMeta {
                publish_date,
                expiry_date,
                unlisted,
                translation,
                no_related,
                related_exclude,
                pinned,
                image,
                description,
                partition,
                source_key,
                front_matter_keys,
            },
        };
        each(doc, known);
    }
    Ok(Head { path, stamp })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp { size: 42, mtime: 1_700_000_000_123_456_789, ctime: -5, ino: 7 }
    }

    fn sample() -> Vec<Document> {
        let mut whole = Document {
            key: "posts/a.md".into(),
            origin: Origin::File { path: "site/posts/a.md".into() },
            title: None,
            text: "\n  First line  \nsecond line".into(),
            code: "fn main() {}".into(),
            links: vec!["example com".into()],
            tags: vec!["rust".into(), "検索".into()],
            date: Some("2024-01-02".into()),
            draft: true,
            url: Some("/a/".into()),
            slug: None,
            lang: Some("ja".into()),
            site: SiteMeta::default(),
        };
        whole.site.pinned = vec!["b".into()];
        whole.site.description = Some("About a".into());
        whole.site.front_matter_keys = vec!["related", "lang"];
        whole.site.no_related = true;
        vec![whole]
    }

    fn decode(bytes: &[u8], file: &SourceFile) -> Result<(Vec<(Document, Known)>, Stamp), String> {
        let mut r = Reader { bytes, pos: 0 };
        let mut docs = Vec::new();
        let head = read_record(&mut r, Some(file), &mut |d, k| docs.push((d, k)))?;
        if r.pos != bytes.len() {
            return Err("bytes after the record".into());
        }
        Ok((docs, head.stamp))
    }

    #[test]
    fn a_whole_file_round_trips_without_its_text() {
        let docs = sample();
        let file = SourceFile { path: "site/posts/a.md".into(), key: "posts/a.md".into() };
        let mut bytes = Vec::new();
        let known = encode_file(&mut bytes, &file.path, &stamp(), &docs).unwrap();
        let (back, s) = decode(&bytes, &file).unwrap();
        assert_eq!(s, stamp());
        let [(doc, k)] = back.try_into().unwrap();
        assert_eq!(k, known[0]);
        assert_eq!(k.hash, super::super::content_hash(&docs[0]));
        assert_eq!(k.text_len, docs[0].text.len() as u64);
        let expected = Document {
            text: "First line".into(),
            code: String::new(),
            links: Vec::new(),
            ..docs[0].clone()
        };
        assert_eq!(doc, expected);
        assert_eq!(doc.display_title(), docs[0].display_title());
    }

    #[test]
    fn feed_items_round_trip_with_their_keys() {
        let item = |n: usize, key: &str, title: &str| Document {
            key: key.into(),
            origin: Origin::Item { file: "feed.xml".into(), n },
            title: Some(title.into()),
            text: "body".into(),
            ..Document::default()
        };
        let docs = vec![item(1, "https://a", "A"), item(3, "https://c", "C")];
        let file = SourceFile { path: "feed.xml".into(), key: "feed.xml".into() };
        let mut bytes = Vec::new();
        encode_file(&mut bytes, &file.path, &stamp(), &docs).unwrap();
        let (back, _) = decode(&bytes, &file).unwrap();
        let back: Vec<Document> = back.into_iter().map(|(d, _)| d).collect();
        let expected: Vec<Document> =
            docs.into_iter().map(|d| Document { text: String::new(), ..d }).collect();
        assert_eq!(back, expected, "titled: no line of text kept");
    }

    #[test]
    fn truncated_or_corrupt_records_are_errors_never_panics() {
        let file = SourceFile { path: "site/posts/a.md".into(), key: "posts/a.md".into() };
        let mut bytes = Vec::new();
        encode_file(&mut bytes, &file.path, &stamp(), &sample()).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], &file).is_err(), "truncated at {cut} was accepted");
        }
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut bad = bytes.clone();
                bad[i] ^= flip;
                // Anything but a panic: a flipped stamp or hash byte is a
                // valid record of another file (the checksum catches it).
                let _ = decode(&bad, &file);
            }
        }
    }

    #[test]
    fn racy_stamps_are_not_settled() {
        let s = Stamp { mtime: 10 * RACY_NANOS, ctime: 0, ..stamp() };
        assert!(s.settled_before(12 * RACY_NANOS));
        assert!(!s.settled_before(11 * RACY_NANOS), "within the granule slack");
        assert!(!s.settled_before(10 * RACY_NANOS));
        let future = Stamp { mtime: 13 * RACY_NANOS, ..s };
        assert!(!future.settled_before(12 * RACY_NANOS), "modified after the run started");
    }
}
