//! The incremental cache (`--cache DIR`): CI re-runs only re-analyze what
//! changed.
//!
//! Two things are kept in `DIR/related-cache.bin`, one file written
//! atomically at the end of a run:
//!
//! - **terms**: each article's analyzed `(term, count)` list, keyed by a
//!   128-bit hash of its title, tags and text. Only articles whose content
//!   changed are tokenized again (tokenization is most of the run time).
//! - **result**: the neighbour lists of the last run, keyed by a fingerprint
//!   of every key and content hash plus every setting that affects them. An
//!   unchanged site skips the similarity stage too.
//!
//! The whole cache is keyed by the format version, the crate version and the
//! analyzer settings: change any and it is rebuilt. The file ends with a
//! checksum; a file that is truncated, corrupt or from another version is
//! ignored with a warning and never trusted. Entries not used by this run
//! are dropped when the file is rewritten, so the cache never grows beyond
//! the site.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::document::Document;
use crate::error::{Error, Result};
use crate::outcome::Warning;
use crate::similar::Related;

const MAGIC: &[u8; 8] = b"RELCACHE";
const FORMAT: u32 = 1;
const FILE_NAME: &str = "related-cache.bin";

/// Most term occurrences a cache file may hold in all (a billion: some
/// 5 GB of text). Counts are replayed one by one, so a crafted file with
/// huge counts could stall a run: it is refused instead.
const MAX_TOTAL_COUNT: u64 = 1 << 30;

/// A document's analyzed terms: `(term, count)`.
pub type Terms = Vec<(String, u32)>;

/// The cache as loaded, plus what this run adds.
#[derive(Debug, Default)]
pub struct Cache {
    path: PathBuf,
    settings: u64,
    terms: HashMap<u128, Terms>,
    result: Option<(u128, Vec<Vec<Related>>)>,
}

impl Cache {
    /// Opens the cache in `dir` for the given analyzer `settings` hash.
    /// A missing file is an empty cache; an unusable one is an empty cache
    /// and a warning.
    pub fn open(dir: &Path, settings: u64) -> Result<(Cache, Option<Warning>)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(FILE_NAME);
        let mut cache = Cache { path: path.clone(), settings, ..Cache::default() };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((cache, None)),
            Err(e) => return Err(Error::io(&path, e)),
        };
        match decode(&bytes, settings) {
            Ok(Some((terms, result))) => {
                cache.terms = terms;
                cache.result = result;
                Ok((cache, None))
            }
            // Other settings or another version: rebuilt silently, that is
            // what a settings change means.
            Ok(None) => Ok((cache, None)),
            Err(why) => Ok((
                cache,
                Some(Warning {
                    location: path.display().to_string(),
                    message: format!("cache ignored and rebuilt: {why}"),
                }),
            )),
        }
    }

    /// The cached terms of a document with content hash `hash`.
    pub fn terms(&self, hash: u128) -> Option<&Terms> {
        self.terms.get(&hash)
    }

    /// The cached result if it was computed for `fingerprint`.
    pub fn result(&self, fingerprint: u128) -> Option<&[Vec<Related>]> {
        match &self.result {
            Some((f, r)) if *f == fingerprint => Some(r),
            _ => None,
        }
    }

    /// Writes the cache for this run: `docs` are `(content hash, terms)` of
    /// every article read, `result` the neighbour lists with their fingerprint.
    pub fn save(
        &self,
        docs: &[(u128, &Terms)],
        result: Option<(u128, &[Vec<Related>])>,
    ) -> Result<()> {
        let bytes = encode(self.settings, docs, result);
        crate::output::write_atomically(&self.path, |w: &mut dyn Write| w.write_all(&bytes))
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

fn encode(
    settings: u64,
    docs: &[(u128, &Terms)],
    result: Option<(u128, &[Vec<Related>])>,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&settings.to_le_bytes());
    // A string table, so each distinct term is stored once.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut table: Vec<&str> = Vec::new();
    for (_, terms) in docs {
        for (t, _) in terms.iter() {
            ids.entry(t).or_insert_with(|| {
                table.push(t);
                (table.len() - 1) as u32
            });
        }
    }
    put_u64(&mut out, table.len() as u64);
    for t in &table {
        put_u64(&mut out, t.len() as u64);
        out.extend_from_slice(t.as_bytes());
    }
    put_u64(&mut out, docs.len() as u64);
    for (hash, terms) in docs {
        out.extend_from_slice(&hash.to_le_bytes());
        put_u64(&mut out, terms.len() as u64);
        for (t, c) in terms.iter() {
            out.extend_from_slice(&ids[t.as_str()].to_le_bytes());
            out.extend_from_slice(&c.to_le_bytes());
        }
    }
    match result {
        None => out.push(0),
        Some((fingerprint, lists)) => {
            out.push(1);
            out.extend_from_slice(&fingerprint.to_le_bytes());
            put_u64(&mut out, lists.len() as u64);
            for list in lists {
                put_u64(&mut out, list.len() as u64);
                for r in list {
                    out.extend_from_slice(&r.doc.to_le_bytes());
                    out.extend_from_slice(&r.score.to_bits().to_le_bytes());
                }
            }
        }
    }
    let sum = xxh3_64(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

type Decoded = (HashMap<u128, Terms>, Option<(u128, Vec<Vec<Related>>)>);

/// `Ok(None)`: a valid cache for other settings. `Err`: damaged.
fn decode(bytes: &[u8], settings: u64) -> Result<Option<Decoded>, String> {
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
    let n_strings = r.len()?;
    let mut table = Vec::with_capacity(n_strings.min(1 << 20));
    for _ in 0..n_strings {
        let len = r.len()?;
        let s = std::str::from_utf8(r.take(len)?).map_err(|_| "invalid UTF-8 term")?;
        table.push(s.to_owned());
    }
    let n_docs = r.len()?;
    let mut terms = HashMap::with_capacity(n_docs.min(1 << 20));
    let mut total = 0u64;
    for _ in 0..n_docs {
        let hash = r.u128()?;
        let n = r.len()?;
        let mut list: Terms = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let id = r.u32()? as usize;
            let count = r.u32()?;
            if count == 0 {
                return Err("term count of zero".into());
            }
            total += u64::from(count);
            if total > MAX_TOTAL_COUNT {
                return Err("implausible term counts".into());
            }
            let term = table.get(id).ok_or("term id out of range")?;
            // Written sorted by term, each once.
            if list.last().is_some_and(|(prev, _)| prev >= term) {
                return Err("terms out of order".into());
            }
            list.push((term.clone(), count));
        }
        if terms.insert(hash, list).is_some() {
            return Err("an article stored twice".into());
        }
    }
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
                    if list.last().is_some_and(|p| p.score < score || p.doc == doc) {
                        return Err("neighbours out of order".into());
                    }
                    list.push(Related { doc, score });
                }
                lists.push(list);
            }
            Some((fingerprint, lists))
        }
    };
    Ok(Some((terms, result)))
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

    fn sample() -> (Vec<(u128, Terms)>, Vec<Vec<Related>>) {
        let docs = vec![
            (1u128, vec![("rust".to_string(), 2), ("検索".to_string(), 1)]),
            (2u128, vec![("rust".to_string(), 1)]),
        ];
        let result = vec![vec![Related { doc: 1, score: 0.5 }], vec![]];
        (docs, result)
    }

    #[test]
    fn round_trip() {
        let (docs, result) = sample();
        let refs: Vec<(u128, &Terms)> = docs.iter().map(|(h, t)| (*h, t)).collect();
        let bytes = encode(7, &refs, Some((99, &result)));
        let (terms, res) = decode(&bytes, 7).unwrap().unwrap();
        assert_eq!(terms[&1], docs[0].1);
        assert_eq!(terms[&2], docs[1].1);
        assert_eq!(res, Some((99, result)));
        assert!(decode(&bytes, 8).unwrap().is_none(), "other settings: not used");
    }

    #[test]
    fn damaged_files_are_errors_never_panics() {
        let (docs, result) = sample();
        let refs: Vec<(u128, &Terms)> = docs.iter().map(|(h, t)| (*h, t)).collect();
        let bytes = encode(7, &refs, Some((99, &result)));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 7).is_err(), "truncated at {cut} was accepted");
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            // Flipping the format number makes it "another version": ignored.
            assert!(!matches!(decode(&bad, 7), Ok(Some(_))), "corruption at {i} was trusted");
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
