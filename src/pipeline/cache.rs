//! The incremental cache (`--cache DIR`): CI re-runs only re-analyze what
//! changed.
//!
//! Two things are kept in `DIR/related-cache.bin`, one file replaced
//! atomically at the end of a run:
//!
//! - **terms**: each article's analyzed `(term, count)` list, keyed by a
//!   128-bit hash of its title, tags and text. Only articles whose content
//!   changed are tokenized again (tokenization is most of the run time).
//!   Stored as the run's vocabulary (each term once) and `(term id, count)`
//!   pairs per article, which are read in place from the loaded bytes:
//!   no string per (article, term), in the file or in memory.
//! - **files** (the read memo, [`memo`]): per input file read from disk
//!   without a warning, its path, size, modification and change times and
//!   inode, and the documents reading it produced, without their text
//!   (with their content hashes instead), keyed by the extraction settings.
//!   A file whose metadata are unchanged is not opened again; one changed
//!   too close to the previous run's start ([`memo::RACY_NANOS`]) is.
//! - **result**: the neighbour lists of the last run, keyed by a fingerprint
//!   of every key and content hash plus every setting that affects them. An
//!   unchanged site skips the similarity stage too.
//!
//! The terms and files are written right after analysis, to a
//! temporary file beside the cache (so no copy of them is held while the
//! similarities are computed); the result and a checksum are appended at
//! the end and the file is renamed over the old one. A run that fails or is
//! interrupted leaves the old cache.
//!
//! The whole cache is keyed by the format version, the crate version and the
//! analyzer settings: change any and it is rebuilt. The file ends with a
//! checksum; a file that is truncated, corrupt or from another version is
//! ignored with a warning and never trusted. Entries not used by this run
//! are dropped when the file is rewritten, so the cache never grows beyond
//! the site.

pub mod memo;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::document::Document;
use crate::error::{Error, Result};
use crate::outcome::Warning;
use crate::similar::{Related, round_score};
use crate::vector::CountMatrix;

const MAGIC: &[u8; 8] = b"RELCACHE";
/// 2: the terms are the run's vocabulary (sorted, each once) and per
/// article `(term id, count)` pairs read in place, never a string per term.
/// 3: the read memo (per file: its stamp and documents) after the terms.
const FORMAT: u32 = 3;
const FILE_NAME: &str = "related-cache.bin";

/// The cache as loaded: the file's bytes, read in place.
///
/// Loading checks every entry once (ids in range and ascending, counts not
/// zero) and indexes the articles by content hash; an article's terms are
/// then read straight from the bytes as `(&str, count)`, so a million
/// cached articles cost their file size in memory and no allocation per
/// term.
#[derive(Debug, Default)]
pub struct Cache {
    path: PathBuf,
    settings: u64,
    /// The file's contents.
    bytes: Vec<u8>,
    /// The vocabulary, concatenated: term `t` is `words[ends[t - 1]..ends[t]]`.
    words: String,
    ends: Vec<usize>,
    /// Content hash → where its `(id, count)` pairs start in `bytes`, and how many.
    docs: HashMap<u128, (usize, usize)>,
    /// Path key → where the file's record starts in `bytes`: only records
    /// that can be trusted (same extraction settings, settled files,
    /// every document's terms present).
    files: HashMap<u128, usize>,
    /// How many file records the file holds, trusted or not.
    file_records: usize,
    /// Where the terms end in `bytes` (and the file records begin).
    terms_end: usize,
    result: Option<(u128, Vec<Vec<Related>>)>,
}

/// The read memo of this run, to be saved: see [`memo`].
#[derive(Debug, Default)]
pub struct MemoOut {
    /// Hash of the extraction settings the records were read with.
    pub settings: u64,
    /// When this run started reading (nanoseconds since the epoch).
    pub read_start: i64,
    /// The records, one after the other.
    pub records: Vec<u8>,
    /// How many records.
    pub count: usize,
}

/// One cached article's terms, `(term, count)` in term order.
pub struct CachedTerms<'a> {
    cache: &'a Cache,
    pos: usize,
    left: usize,
}

impl<'a> Iterator for CachedTerms<'a> {
    type Item = (&'a str, u32);

    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        let pair = &self.cache.bytes[self.pos..self.pos + 8];
        self.pos += 8;
        let id = u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]) as usize;
        let count = u32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]);
        Some((self.cache.term(id), count))
    }
}

impl Cache {
    /// Opens the cache in `dir` for the given analyzer `settings` hash.
    /// A missing file is an empty cache; an unusable one is an empty cache
    /// and a warning.
    /// With `files`, the hash of the extraction settings: file records read
    /// with them are trusted.
    pub fn open(dir: &Path, settings: u64, files: Option<u64>) -> Result<(Cache, Option<Warning>)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(FILE_NAME);
        let empty = Cache { path: path.clone(), settings, ..Cache::default() };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((empty, None)),
            Err(e) => return Err(Error::io(&path, e)),
        };
        match decode(bytes, settings, files) {
            Ok(Some(loaded)) => Ok((Cache { path, settings, ..loaded }, None)),
            // Other settings or another version: rebuilt silently, that is
            // what a settings change means.
            Ok(None) => Ok((empty, None)),
            Err(why) => Ok((
                empty,
                Some(Warning {
                    location: path.display().to_string(),
                    message: format!("cache ignored and rebuilt: {why}"),
                }),
            )),
        }
    }

    /// The cache folder.
    pub fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    fn term(&self, id: usize) -> &str {
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.words[start..self.ends[id]]
    }

    /// The cached terms of a document with content hash `hash`.
    pub fn terms(&self, hash: u128) -> Option<CachedTerms<'_>> {
        let &(pos, left) = self.docs.get(&hash)?;
        Some(CachedTerms { cache: self, pos, left })
    }

    /// True if the cache has the terms of a document with content hash `hash`.
    pub fn has(&self, hash: u128) -> bool {
        self.docs.contains_key(&hash)
    }

    /// Frees the loaded terms (once counted, they are saved again from the
    /// counts); the result is kept.
    pub fn forget_terms(&mut self) {
        self.bytes = Vec::new();
        self.words = String::new();
        self.ends = Vec::new();
        self.docs = HashMap::new();
    }

    /// The record of the file at `path`, if the cache has a trusted one made
    /// when the file had this `stamp`: read it with [`Cache::recall_docs`].
    pub fn recall(&self, path: &Path, stamp: &memo::Stamp) -> Option<&[u8]> {
        let &start = self.files.get(&memo::path_key(path))?;
        let mut r = Reader { bytes: &self.bytes, pos: start };
        let head = memo::read_record(&mut r, None, &mut |_, _| {}).ok()?;
        (head.path == path.as_os_str().as_encoded_bytes() && head.stamp == *stamp)
            .then(|| &self.bytes[start..r.pos])
    }

    /// The documents of a record [`Cache::recall`] found, as `file`'s.
    pub fn recall_docs(
        record: &[u8],
        file: &crate::source::SourceFile,
    ) -> Vec<(Document, memo::Known)> {
        let mut docs = Vec::new();
        let mut r = Reader { bytes: record, pos: 0 };
        // Checked when loaded.
        let _ = memo::read_record(&mut r, Some(file), &mut |d, k| docs.push((d, k)));
        docs
    }

    /// How many file records the cache file holds (trusted or not).
    pub fn file_records(&self) -> usize {
        self.file_records
    }

    /// The cached result if it was computed for `fingerprint`.
    pub fn result(&self, fingerprint: u128) -> Option<&[Vec<Related>]> {
        match &self.result {
            Some((f, r)) if *f == fingerprint => Some(r),
            _ => None,
        }
    }

    /// Starts writing the cache for this run: every article's terms, from
    /// `counts` (row `i` is the article with content hash `hashes[i]`), go
    /// to a temporary file beside the cache file now, so the counts can be
    /// dropped; [`PendingSave::finish`] adds the result and puts the file in
    /// place. Articles with the same content are stored once.
    /// The read memo `files` follows the terms.
    pub fn begin_save(
        &self,
        hashes: &[u128],
        counts: &CountMatrix,
        files: Option<&MemoOut>,
    ) -> Result<PendingSave> {
        self.save_with(|out| {
            encode_terms(out, self.settings, hashes, counts)?;
            encode_files(out, files)
        })
    }

    /// [`Cache::begin_save`] for a run that changed no article (the result
    /// is reused) but read files again (a touched file, say): the terms are
    /// copied as loaded, with the new read memo `files`. Not after
    /// [`Cache::forget_terms`].
    pub fn begin_resave(&self, files: Option<&MemoOut>) -> Result<PendingSave> {
        self.save_with(|out| {
            out.write_all(&self.bytes[..self.terms_end])?;
            encode_files(out, files)
        })
    }

    fn save_with(
        &self,
        write: impl FnOnce(&mut Checksummed<BufWriter<std::fs::File>>) -> io::Result<()>,
    ) -> Result<PendingSave> {
        let dir = self.folder();
        crate::output::tempfiles::remove_stale(dir);
        let tmp = crate::output::tempfiles::create_in(dir).map_err(|e| Error::io(dir, e))?;
        let file = tmp.as_file().try_clone().map_err(|e| Error::io(&self.path, e))?;
        let mut out = Checksummed { w: BufWriter::with_capacity(1 << 20, file), h: Xxh3::new() };
        write(&mut out).map_err(|e| Error::io(&self.path, e))?;
        Ok(PendingSave { path: self.path.clone(), tmp, out })
    }
}

/// A cache file being written: the terms are in, the result is not.
/// Dropped without [`finish`](PendingSave::finish), the temporary file is
/// removed and the old cache stays.
pub struct PendingSave {
    path: PathBuf,
    tmp: NamedTempFile,
    out: Checksummed<BufWriter<std::fs::File>>,
}

impl PendingSave {
    /// Adds the neighbour lists (with their fingerprint) and the checksum,
    /// and renames the file over the cache.
    pub fn finish(mut self, result: Option<(u128, &[Vec<Related>])>) -> Result<()> {
        let path = self.path.clone();
        let io = |e| Error::io(&path, e);
        encode_result(&mut self.out, result).map_err(io)?;
        let sum = self.out.h.digest();
        self.out.w.write_all(&sum.to_le_bytes()).map_err(io)?;
        self.out.w.flush().map_err(io)?;
        self.tmp.as_file().sync_all().map_err(io)?;
        self.tmp.persist(&self.path).map_err(|e| Error::io(&self.path, e.error))?;
        Ok(())
    }
}

/// A writer that hashes what it writes (the file's trailing checksum).
struct Checksummed<W: Write> {
    w: W,
    h: Xxh3,
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.w.write(buf)?;
        self.h.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Hash of a document's analyzed content: what its terms depend on.
pub fn content_hash(doc: &Document) -> u128 {
    let mut h = Xxh3::new();
    for part in [doc.title.as_deref().unwrap_or(""), &doc.text, &doc.code] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    for list in [&doc.tags, &doc.links] {
        h.update(&(list.len() as u64).to_le_bytes());
        for item in list {
            h.update(&(item.len() as u64).to_le_bytes());
            h.update(item.as_bytes());
        }
    }
    h.digest128()
}

/// Hash of the settings the cached terms depend on (pass their `Debug` text:
/// every field counts, and a new field changes it).
pub fn settings_hash(settings: &str) -> u64 {
    let mut h = Xxh3::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    FORMAT.hash(&mut h);
    settings.hash(&mut h);
    h.finish()
}

/// Header, vocabulary, then per distinct content hash its `(id, count)` pairs.
fn encode_terms(
    out: &mut impl Write,
    settings: u64,
    hashes: &[u128],
    counts: &CountMatrix,
) -> io::Result<()> {
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT.to_le_bytes())?;
    out.write_all(&settings.to_le_bytes())?;
    out.write_all(&(counts.terms.len() as u64).to_le_bytes())?;
    for t in &counts.terms {
        out.write_all(&(t.len() as u64).to_le_bytes())?;
        out.write_all(t.as_bytes())?;
    }
    let mut seen = HashSet::with_capacity(hashes.len());
    let distinct: Vec<usize> = (0..hashes.len()).filter(|&i| seen.insert(hashes[i])).collect();
    out.write_all(&(distinct.len() as u64).to_le_bytes())?;
    for i in distinct {
        let (ids, n) = counts.row(i);
        out.write_all(&hashes[i].to_le_bytes())?;
        out.write_all(&(ids.len() as u64).to_le_bytes())?;
        for (id, c) in ids.iter().zip(n) {
            out.write_all(&id.to_le_bytes())?;
            out.write_all(&c.to_le_bytes())?;
        }
    }
    Ok(())
}

/// The read memo: absent (0), or its settings, start time and records (1).
fn encode_files(out: &mut impl Write, files: Option<&MemoOut>) -> io::Result<()> {
    match files {
        None => out.write_all(&[0]),
        Some(m) => {
            out.write_all(&[1])?;
            out.write_all(&m.settings.to_le_bytes())?;
            out.write_all(&m.read_start.to_le_bytes())?;
            out.write_all(&(m.count as u64).to_le_bytes())?;
            out.write_all(&m.records)
        }
    }
}

fn encode_result(out: &mut impl Write, result: Option<(u128, &[Vec<Related>])>) -> io::Result<()> {
    match result {
        None => out.write_all(&[0]),
        Some((fingerprint, lists)) => {
            out.write_all(&[1])?;
            out.write_all(&fingerprint.to_le_bytes())?;
            out.write_all(&(lists.len() as u64).to_le_bytes())?;
            for list in lists {
                out.write_all(&(list.len() as u64).to_le_bytes())?;
                for r in list {
                    out.write_all(&r.doc.to_le_bytes())?;
                    out.write_all(&r.score.to_bits().to_le_bytes())?;
                }
            }
            Ok(())
        }
    }
}

/// `Ok(None)`: a valid cache for other settings. `Err`: damaged.
fn decode(bytes: Vec<u8>, settings: u64, files: Option<u64>) -> Result<Option<Cache>, String> {
    let body_len = bytes.len().checked_sub(8).ok_or("file too short")?;
    let (body, sum) = bytes.split_at(body_len);
    if body.len() < 20 || &body[..8] != MAGIC {
        return Err("not a related cache file".into());
    }
    let mut r = Reader { bytes: body, pos: 8 };
    let format = r.u32()?;
    if format != FORMAT {
        return Ok(None);
    }
    if u64::from_le_bytes(sum.try_into().map_err(|_| "bad checksum")?) != xxh3_64(body) {
        return Err("checksum mismatch (truncated or corrupt file)".into());
    }
    if r.u64()? != settings {
        return Ok(None);
    }
    let n_terms = r.len()?;
    let mut words = String::new();
    let mut ends = Vec::with_capacity(n_terms.min(1 << 20));
    for _ in 0..n_terms {
        let len = r.len()?;
        let s = std::str::from_utf8(r.take(len)?).map_err(|_| "invalid UTF-8 term")?;
        // Written sorted, each once: the same vocabulary order as the counts.
        let prev_start = ends.len().checked_sub(2).map_or(0, |i| ends[i]);
        if !ends.is_empty() && &words[prev_start..] >= s {
            return Err("terms out of order".into());
        }
        words.push_str(s);
        ends.push(words.len());
    }
    let n_docs = r.len()?;
    let mut docs = HashMap::with_capacity(n_docs.min(1 << 20));
    for _ in 0..n_docs {
        let hash = r.u128()?;
        let n = r.len()?;
        let start = r.pos;
        let pairs = r.take(n.checked_mul(8).ok_or("implausible length")?)?;
        let mut last = None;
        for pair in pairs.chunks_exact(8) {
            let id = u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]);
            let count = u32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]);
            if id as usize >= n_terms {
                return Err("term id out of range".into());
            }
            if last.is_some_and(|l| l >= id) {
                return Err("terms out of order".into());
            }
            if count == 0 {
                return Err("term count of zero".into());
            }
            last = Some(id);
        }
        if docs.insert(hash, (start, n)).is_some() {
            return Err("an article stored twice".into());
        }
    }
    let terms_end = r.pos;
    let (files, file_records) = decode_files(&mut r, files, &docs)?;
    let result = match r.take(1)?[0] {
        0 => None,
        _ => {
            let fingerprint = r.u128()?;
            let n = r.len()?;
            let mut lists = Vec::with_capacity(n.min(1 << 20));
            for i in 0..n {
                let len = r.len()?;
                let mut list: Vec<Related> = Vec::with_capacity(len.min(1 << 16));
                for _ in 0..len {
                    let doc = r.u32()?;
                    let score = f64::from_bits(r.u64()?);
                    // Every index names another article of this result, every
                    // score is a cosine in (0, 1], best first.
                    if doc as usize >= n || doc as usize == i {
                        return Err("neighbour index out of range".into());
                    }
                    if !(score > 0.0 && score <= 1.0 + 1e-6) {
                        return Err("score out of range".into());
                    }
                    // Lists are ranked by the printed (rounded) score, then
                    // by key: a raw score may exceed the one before it.
                    if list
                        .last()
                        .is_some_and(|p| round_score(p.score) < round_score(score) || p.doc == doc)
                    {
                        return Err("neighbours out of order".into());
                    }
                    list.push(Related { doc, score });
                }
                lists.push(list);
            }
            Some((fingerprint, lists))
        }
    };
    if r.pos != body.len() {
        return Err("unexpected bytes after the end".into());
    }
    let (path, settings) = (PathBuf::new(), settings);
    Ok(Some(Cache {
        path,
        settings,
        bytes,
        words,
        ends,
        docs,
        files,
        file_records,
        terms_end,
        result,
    }))
}

/// Checks the read memo and indexes the records to trust: made with the
/// extraction settings `wanted`, of files settled before that run started
/// reading, whose documents' terms are all in `docs`.
fn decode_files(
    r: &mut Reader,
    wanted: Option<u64>,
    docs: &HashMap<u128, (usize, usize)>,
) -> Result<(HashMap<u128, usize>, usize), String> {
    if r.take(1)?[0] == 0 {
        return Ok((HashMap::new(), 0));
    }
    let settings = r.u64()?;
    let read_start = r.u64()? as i64;
    let n = r.len()?;
    let usable = wanted == Some(settings);
    let mut files = HashMap::with_capacity(if usable { n.min(1 << 24) } else { 0 });
    for _ in 0..n {
        let start = r.pos;
        let mut terms_known = true;
        let head =
            memo::read_record(r, None, &mut |_, k| terms_known &= docs.contains_key(&k.hash))?;
        if usable && terms_known && head.stamp.settled_before(read_start) {
            let key = xxhash_rust::xxh3::xxh3_128(head.path);
            if files.insert(key, start).is_some() {
                return Err("a file stored twice".into());
            }
        }
    }
    Ok((files, n))
}

/// Bounds-checked little-endian reads: a damaged file is an error, never a
/// panic or a huge allocation.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or("unexpected end of file")?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "short read")?))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "short read")?))
    }

    fn u128(&mut self) -> Result<u128, String> {
        Ok(u128::from_le_bytes(self.take(16)?.try_into().map_err(|_| "short read")?))
    }

    /// A length, which cannot exceed the bytes left (every item takes ≥ 1).
    fn len(&mut self) -> Result<usize, String> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.bytes.len() - self.pos)
            .ok_or_else(|| "implausible length".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::count_terms;

    fn counts() -> CountMatrix {
        let docs: [&[(&str, u32)]; 3] = [&[("rust", 2), ("検索", 1)], &[("rust", 1)], &[]];
        count_terms(docs.len(), |i, emit| docs[i].iter().for_each(|&(t, c)| emit(t, c)))
    }

    fn encode(hashes: &[u128], result: Option<(u128, &[Vec<Related>])>) -> Vec<u8> {
        encode_with(hashes, None, result)
    }

    fn encode_with(
        hashes: &[u128],
        files: Option<&MemoOut>,
        result: Option<(u128, &[Vec<Related>])>,
    ) -> Vec<u8> {
        let mut out = Checksummed { w: Vec::new(), h: Xxh3::new() };
        encode_terms(&mut out, 7, hashes, &counts()).unwrap();
        encode_files(&mut out, files).unwrap();
        encode_result(&mut out, result).unwrap();
        let sum = out.h.digest();
        let mut bytes = out.w;
        bytes.extend_from_slice(&sum.to_le_bytes());
        bytes
    }

    fn terms_of(cache: &Cache, hash: u128) -> Option<Vec<(String, u32)>> {
        Some(cache.terms(hash)?.map(|(t, c)| (t.to_owned(), c)).collect())
    }

    fn result() -> Vec<Vec<Related>> {
        vec![vec![Related { doc: 1, score: 0.5 }], vec![], vec![]]
    }

    #[test]
    fn a_list_ranked_by_printed_score_is_read_back() {
        // 0.3000004 and 0.3000001 both print as 0.3: ranked by key, so the
        // second raw score is the larger one. The cache must accept it.
        let result = vec![
            vec![Related { doc: 1, score: 0.300_000_1 }, Related { doc: 2, score: 0.300_000_4 }],
            vec![],
            vec![],
        ];
        let cache = decode(encode(&[1, 2, 3], Some((5, &result))), 7, None).unwrap().unwrap();
        assert_eq!(cache.result(5), Some(&result[..]));
    }

    #[test]
    fn round_trip() {
        let result = result();
        let bytes = encode(&[1, 2, 3], Some((99, &result)));
        let cache = decode(bytes.clone(), 7, None).unwrap().unwrap();
        let pairs = |v: &[(&str, u32)]| v.iter().map(|&(t, c)| (t.to_owned(), c)).collect();
        assert_eq!(terms_of(&cache, 1), Some(pairs(&[("rust", 2), ("検索", 1)])));
        assert_eq!(terms_of(&cache, 2), Some(pairs(&[("rust", 1)])));
        assert_eq!(terms_of(&cache, 3), Some(vec![]));
        assert!(cache.has(3) && !cache.has(4));
        assert_eq!(cache.result(99), Some(&result[..]));
        assert_eq!(cache.result(98), None);
        assert!(decode(bytes, 8, None).unwrap().is_none(), "other settings: not used");
    }

    #[test]
    fn articles_with_the_same_content_are_stored_once() {
        let cache = decode(encode(&[1, 1, 3], None), 7, None).unwrap().unwrap();
        assert_eq!(cache.docs.len(), 2);
        assert_eq!(terms_of(&cache, 1).unwrap().len(), 2, "the first article's terms");
    }

    #[test]
    fn a_save_replaces_the_file_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, _) = Cache::open(dir.path(), 7, None).unwrap();
        let pending = cache.begin_save(&[1, 2, 3], &counts(), None).unwrap();
        drop(pending);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file left behind");
        let result = result();
        cache.begin_save(&[1, 2, 3], &counts(), None).unwrap().finish(Some((5, &result))).unwrap();
        let (loaded, warning) = Cache::open(dir.path(), 7, None).unwrap();
        assert!(warning.is_none());
        assert_eq!(terms_of(&loaded, 2), Some(vec![("rust".to_owned(), 1)]));
        assert_eq!(loaded.result(5), Some(&result[..]));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the cache file");
    }

    /// A memo of two files: `a.md` (an article whose content hash is
    /// returned) modified at `mtime`, and `b.md` at 0; read from `start`.
    fn memo_of(settings: u64, mtime: i64, start: i64) -> (MemoOut, u128) {
        let mut out = MemoOut { settings, read_start: start, count: 2, ..MemoOut::default() };
        let doc = Document { text: "green tea".into(), ..Document::default() };
        let stamp = memo::Stamp { size: 9, mtime, ctime: mtime, ino: 1 };
        let known = memo::encode_file(&mut out.records, Path::new("a.md"), &stamp, &[doc]);
        let b = memo::Stamp { mtime: 0, ..stamp };
        memo::encode_file(&mut out.records, Path::new("b.md"), &b, &[Document::default()]);
        (out, known.unwrap()[0].hash)
    }

    #[test]
    fn file_records_are_trusted_when_settled_with_their_terms_and_settings() {
        const S: i64 = 1_000_000_000;
        let (memo, hash) = memo_of(5, 100 * S, 200 * S);
        let empty = content_hash(&Document::default());
        let stamp = memo::Stamp { size: 9, mtime: 100 * S, ctime: 100 * S, ino: 1 };
        let load = |memo: &MemoOut, hashes: &[u128], settings| {
            decode(encode_with(hashes, Some(memo), None), 7, settings).unwrap().unwrap()
        };
        let cache = load(&memo, &[hash, empty, 3], Some(5));
        assert_eq!(cache.file_records(), 2);
        let record = cache.recall(Path::new("a.md"), &stamp).expect("recalled");
        let file = crate::source::SourceFile { path: "a.md".into(), key: "a.md".into() };
        let [(doc, known)] = Cache::recall_docs(record, &file).try_into().unwrap();
        assert_eq!((doc.key.as_str(), doc.text.as_str(), known.hash), ("a.md", "green tea", hash));
        assert!(cache.recall(Path::new("b.md"), &memo::Stamp { mtime: 0, ..stamp }).is_some());
        // Another stamp, another path: not recalled.
        assert!(cache.recall(Path::new("a.md"), &memo::Stamp { size: 10, ..stamp }).is_none());
        assert!(cache.recall(Path::new("a.md"), &memo::Stamp { ctime: 0, ..stamp }).is_none());
        assert!(cache.recall(Path::new("c.md"), &stamp).is_none());
        // Other extraction settings, or none wanted: nothing is trusted.
        assert!(load(&memo, &[hash, empty], Some(6)).recall(Path::new("a.md"), &stamp).is_none());
        assert!(load(&memo, &[hash, empty], None).recall(Path::new("a.md"), &stamp).is_none());
        // Terms missing: that file is read again, the other is trusted.
        let cache = load(&memo, &[empty], Some(5));
        assert!(cache.recall(Path::new("a.md"), &stamp).is_none());
        assert!(cache.recall(Path::new("b.md"), &memo::Stamp { mtime: 0, ..stamp }).is_some());
        // Modified within 2 s of the run's start, or after it: not trusted.
        for mtime in [199 * S, 200 * S, 300 * S] {
            let (memo, hash) = memo_of(5, mtime, 200 * S);
            let stamp = memo::Stamp { mtime, ctime: mtime, ..stamp };
            let cache = load(&memo, &[hash, empty], Some(5));
            assert!(cache.recall(Path::new("a.md"), &stamp).is_none(), "{mtime}");
        }
    }

    #[test]
    fn damaged_files_are_errors_never_panics() {
        let result = result();
        let (memo, _) = memo_of(5, 0, 10);
        let bytes = encode_with(&[1, 2, 3], Some(&memo), Some((99, &result)));
        for cut in 0..bytes.len() {
            assert!(
                decode(bytes[..cut].to_vec(), 7, None).is_err(),
                "truncated at {cut} was accepted"
            );
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            // Flipping the format number makes it "another version": ignored.
            assert!(!matches!(decode(bad, 7, None), Ok(Some(_))), "corruption at {i} was trusted");
        }
    }

    /// A file whose checksum is right but whose entries are wrong (written
    /// by a bug, or crafted) is refused, never read out of bounds.
    #[test]
    fn inconsistent_entries_are_refused_even_with_a_good_checksum() {
        let seal = |mut body: Vec<u8>| {
            let sum = xxh3_64(&body);
            body.extend_from_slice(&sum.to_le_bytes());
            body
        };
        let good = encode(&[1, 2, 3], None);
        let body = good[..good.len() - 8].to_vec();
        assert!(decode(seal(body.clone()), 7, None).unwrap().is_some());
        // The first pair of article 1 starts after the header (20 bytes),
        // two terms (8 + 8+4 + 8+6 bytes), the article count, hash and length.
        let first_pair = 20 + 8 + 12 + 14 + 8 + 16 + 8;
        for (offset, value, why) in [
            (first_pair, 9u32, "term id out of range"),
            (first_pair + 4, 0, "term count of zero"),
            (first_pair + 8, 0, "terms out of order"),
        ] {
            let mut bad = body.clone();
            bad[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
            assert_eq!(decode(seal(bad), 7, None).err().as_deref(), Some(why));
        }
    }

    #[test]
    fn content_hash_depends_on_every_analyzed_field() {
        let base = Document { text: "a".into(), ..Document::default() };
        let h = content_hash(&base);
        assert_eq!(h, content_hash(&base.clone()));
        let with_title = Document { title: Some("t".into()), ..base.clone() };
        let with_tag = Document { tags: vec!["t".into()], ..base.clone() };
        let other_text = Document { text: "b".into(), ..base.clone() };
        let with_code = Document { code: "a".into(), ..base.clone() };
        let with_link = Document { links: vec!["a".into()], ..base.clone() };
        assert_ne!(h, content_hash(&with_code));
        assert_ne!(h, content_hash(&with_link));
        assert_ne!(content_hash(&with_code), content_hash(&with_link));
        let keyed = Document { key: "other".into(), ..base.clone() };
        assert_ne!(h, content_hash(&with_title));
        assert_ne!(h, content_hash(&with_tag));
        assert_ne!(h, content_hash(&other_text));
        assert_eq!(h, content_hash(&keyed), "the key is not analyzed");
    }
}
