//! Writing results: the JSON formats, and the atomic file write.
//!
//! Formats:
//! - `json` (default): `{"key": [{"key", "score", "title", "url"?, "date"?,
//!   "description"?, "image"?, "tags"?}, …]}` (dates in ISO 8601 unless
//!   `--raw-dates`; with `--split-lang`, one such object per language),
//!   keys sorted, scores rounded to 6 decimals.
//! - `jsonl`: one `{"key": …, "related": […]}` object per line.
//! - `similar-documents`: `{"path": [["path", score], …]}`, byte-compatible
//!   with the Python `similar-documents` tool (ASCII-escaped, `", "`/`": "`
//!   separators, full-precision floats in Python's `repr` format).
//! - `vectors` ([`vectors`]): JSON Lines of each article's weights
//!   (`{"key", "terms": {term: weight}, "vector"?}`) for a search engine;
//!   no lists.
//!
//! With `--shard i/n` only that slice's articles are written
//! ([`write_rows`]); [`merge`] joins the n outputs into the bytes of one run.
//!
//! The wire types below only borrow; the logic that fills them lives in
//! [`crate::similar`].

pub mod check;
pub mod dir;
pub mod merge;
pub mod tempfiles;
pub mod vectors;

use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::document::Corpus;
use crate::error::{Error, Result};
use crate::outcome::{Neighbour, Outcome};
use crate::similar::round_score;
use crate::site::lists::Mark;

/// Output format (`--format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// A JSON object: key → list of {key, score, title, url, date}.
    #[default]
    Json,
    /// JSON Lines: one {"key", "related"} object per article.
    Jsonl,
    /// The Python similar-documents tool's format: {"path": [["path", score], ...]}.
    SimilarDocuments,
    /// JSON Lines of each article's TF-IDF term weights (and LSI vector), for a search
    /// engine: {"key", "terms": {"term": weight, ...}, "vector": [...]}. No lists.
    Vectors,
}

/// One neighbour as written in `json`/`jsonl`.
#[derive(Serialize)]
pub(crate) struct Entry<'a> {
    key: &'a str,
    /// `None` for pinned and filled entries: they earned no score.
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    /// Front-matter `description`/`summary` (HTML: meta description).
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    /// Front-matter `image`/`cover`.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    /// Tags, categories and keywords.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    /// With `--explain`: the shared terms that contributed most.
    #[serde(skip_serializing_if = "Option::is_none")]
    terms: Option<&'a [String]>,
    /// Named by the article's `related: […]` front matter.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pinned: bool,
    /// Added by `--fill`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    filled: bool,
}

#[derive(Serialize)]
struct Line<'a> {
    key: &'a str,
    /// With `--split-lang`: the article's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
    related: Vec<Entry<'a>>,
}

/// The neighbours of document `i` as wire entries.
pub(crate) fn entries(outcome: &Outcome, i: usize) -> Vec<Entry<'_>> {
    let corpus = &outcome.corpus;
    outcome.lists[i]
        .iter()
        .map(|r| {
            let d = corpus.get(r.doc);
            let mark = r.mark;
            Entry {
                key: &d.key,
                score: (mark == Mark::Computed).then(|| round_score(r.score)),
                title: d.display_title(),
                url: d.url.as_deref(),
                date: d.date.as_deref(),
                description: d.site.description.as_deref(),
                image: d.site.image.as_deref(),
                tags: &d.tags,
                terms: outcome.explained.then_some(r.terms.as_slice()),
                pinned: mark == Mark::Pinned,
                filled: mark == Mark::Filled,
            }
        })
        .collect()
}

impl Outcome {
    /// Writes the lists as `format` (the bytes `related -o` writes; JSON
    /// indented with `pretty`).
    pub fn write(
        &self,
        out: &mut dyn std::io::Write,
        format: Format,
        pretty: bool,
    ) -> std::io::Result<()> {
        write(out, self, format, pretty, true)
    }
}

/// Writes the results of `outcome` in `format`. `to_file` drops the trailing
/// newline in `similar-documents` format, as the Python tool does with `-o`.
pub fn write(
    out: &mut dyn Write,
    outcome: &Outcome,
    format: Format,
    pretty: bool,
    to_file: bool,
) -> io::Result<()> {
    write_rows(out, outcome, 0..outcome.corpus.len(), format, pretty, to_file)
}

/// [`write()`] for the articles `rows` only (`--shard`): the same bytes for
/// each of them, framed as one output. `Format::Vectors` needs the weights
/// ([`vectors::write`]) and is an error here.
pub fn write_rows(
    out: &mut dyn Write,
    outcome: &Outcome,
    rows: Range<usize>,
    format: Format,
    pretty: bool,
    to_file: bool,
) -> io::Result<()> {
    let (corpus, results) = (&outcome.corpus, &outcome.lists);
    let rows = rows.start.min(corpus.len())..rows.end.min(corpus.len());
    match format {
        Format::Json => write_json(out, outcome, rows, pretty)?,
        Format::Vectors => {
            return Err(io::Error::other("--format vectors is written from the weights"));
        }
        Format::Jsonl => {
            for (i, doc) in corpus.docs().iter().enumerate().take(rows.end).skip(rows.start) {
                let line = Line {
                    key: &doc.key,
                    lang: doc.site.partition.as_deref(),
                    related: entries(outcome, i),
                };
                serde_json::to_writer(&mut *out, &line)?;
                out.write_all(b"\n")?;
            }
        }
        Format::SimilarDocuments => {
            write_similar_documents(out, corpus, results, rows)?;
            if !to_file {
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()
}

fn write_json(
    out: &mut dyn Write,
    outcome: &Outcome,
    rows: Range<usize>,
    pretty: bool,
) -> io::Result<()> {
    let docs = &outcome.corpus.docs()[rows.clone()];
    let split = outcome.corpus.docs().iter().any(|d| d.site.partition.is_some());
    let items = docs.iter().map(|d| (d.site.partition.as_deref(), d.key.as_str()));
    let style = if pretty { Style::Pretty } else { Style::Compact };
    write_object(out, items, style, split, &mut |out, n, depth| {
        write_entries(out, &entries(outcome, rows.start + n), pretty, depth)
    })?;
    out.write_all(b"\n")
}

/// How an output that is one JSON object is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `--format json`: `{"a":[…],"b":[…]}`.
    Compact,
    /// `--format json --pretty`: one article per line, indented by two.
    Pretty,
    /// `--format similar-documents`: `{"a": […], "b": […]}`, ASCII-escaped.
    Python,
}

/// The frame of an output that is one object: `items` are the articles'
/// (language, key) in corpus order; `split` nests them in one object per
/// language (`--split-lang`). `value(out, n, depth)` writes the n-th
/// article's value, nested `depth` levels deep. No final newline. Shared
/// by the writers and [`merge`], so a merge gives the bytes of one run.
pub(crate) fn write_object<'a>(
    out: &mut dyn Write,
    items: impl Iterator<Item = (Option<&'a str>, &'a str)>,
    style: Style,
    split: bool,
    value: &mut dyn FnMut(&mut dyn Write, usize, usize) -> io::Result<()>,
) -> io::Result<()> {
    if split {
        return write_object_by_lang(out, items, style == Style::Pretty, value);
    }
    // Streamed key by key (the corpus is sorted by key) so the whole output
    // never has to exist as one serde_json::Value.
    out.write_all(b"{")?;
    let mut any = false;
    for (n, (_, key)) in items.enumerate() {
        any = true;
        match style {
            Style::Compact | Style::Pretty => {
                if n > 0 {
                    out.write_all(b",")?;
                }
                if style == Style::Pretty {
                    out.write_all(b"\n  ")?;
                }
                serde_json::to_writer(&mut *out, key)?;
                out.write_all(if style == Style::Pretty { b": " } else { b":" })?;
            }
            Style::Python => {
                let mut s = String::from(if n > 0 { ", " } else { "" });
                push_python_str(&mut s, key);
                s.push_str(": ");
                out.write_all(s.as_bytes())?;
            }
        }
        value(out, n, 1)?;
    }
    if style == Style::Pretty && any {
        out.write_all(b"\n")?;
    }
    out.write_all(b"}")
}

/// `--split-lang`: `{"en": {key: […]}, "ja": {key: […]}}`. The corpus is
/// sorted by language, then key.
fn write_object_by_lang<'a>(
    out: &mut dyn Write,
    items: impl Iterator<Item = (Option<&'a str>, &'a str)>,
    pretty: bool,
    value: &mut dyn FnMut(&mut dyn Write, usize, usize) -> io::Result<()>,
) -> io::Result<()> {
    out.write_all(b"{")?;
    let mut current: Option<&str> = None;
    for (n, (lang, key)) in items.enumerate() {
        let lang = lang.unwrap_or_default();
        let first_of_lang = current != Some(lang);
        if first_of_lang {
            if current.is_some() {
                out.write_all(if pretty { b"\n  }," } else { b"}," })?;
            }
            if pretty {
                out.write_all(b"\n  ")?;
            }
            serde_json::to_writer(&mut *out, lang)?;
            out.write_all(if pretty { b": {" } else { b":{" })?;
            current = Some(lang);
        } else {
            out.write_all(b",")?;
        }
        if pretty {
            out.write_all(b"\n    ")?;
        }
        serde_json::to_writer(&mut *out, key)?;
        out.write_all(if pretty { b": " } else { b":" })?;
        value(out, n, 2)?;
    }
    if current.is_some() {
        out.write_all(if pretty { b"\n  }\n" } else { b"}" })?;
    }
    out.write_all(b"}")
}

/// A neighbour list as JSON; `pretty` indents it as a value nested `depth`
/// levels deep.
fn write_entries(
    out: &mut dyn Write,
    entries: &[Entry<'_>],
    pretty: bool,
    depth: usize,
) -> io::Result<()> {
    if !pretty || entries.is_empty() {
        return serde_json::to_writer(&mut *out, entries).map_err(io::Error::from);
    }
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    entries.serialize(&mut ser)?;
    let text = String::from_utf8_lossy(&buf);
    let text = match depth {
        0 => text,
        d => text.replace('\n', &format!("\n{}", "  ".repeat(d))).into(),
    };
    out.write_all(text.as_bytes())
}

fn write_similar_documents(
    out: &mut dyn Write,
    corpus: &Corpus,
    results: &[Vec<Neighbour>],
    rows: Range<usize>,
) -> io::Result<()> {
    let docs = &corpus.docs()[rows.clone()];
    let items = docs.iter().map(|d| (None, d.key.as_str()));
    write_object(out, items, Style::Python, false, &mut |out, n, _| {
        let mut s = String::from("[");
        for (m, r) in results[rows.start + n].iter().enumerate() {
            if m > 0 {
                s.push_str(", ");
            }
            s.push('[');
            push_python_str(&mut s, &corpus.get(r.doc).key);
            s.push_str(", ");
            s.push_str(&python_float_repr(r.score));
            s.push(']');
        }
        s.push(']');
        out.write_all(s.as_bytes())
    })
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii=True`).
fn push_python_str(s: &mut String, value: &str) {
    use std::fmt::Write as _;
    s.push('"');
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{8}' => s.push_str("\\b"),
            '\u{c}' => s.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => s.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(s, "\\u{u:04x}");
                }
            }
        }
    }
    s.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, scientific notation
/// when the exponent is below -4 or at least 16 (`1e-05`, `1.5e+16`).
pub fn python_float_repr(x: f64) -> String {
    if x == 0.0 {
        return "0.0".into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "3.140937367048256e-1".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let s = format!("{x}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Where `path` leads through symlinks (relative targets resolved against
/// the link's folder), up to 40 links as the OS allows; `path` itself if it
/// is not a symlink.
pub(crate) fn follow_symlinks(path: &Path) -> PathBuf {
    let mut cur = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&cur) {
                Ok(next) => {
                    cur = match cur.parent() {
                        Some(parent) if next.is_relative() => parent.join(next),
                        _ => next,
                    }
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    cur
}

/// tempfile's error names the temporary file, which the user never asked
/// for; when the folder itself is the problem, report that instead.
fn without_temp_path(e: io::Error, dir: &Path) -> io::Error {
    std::fs::metadata(dir).err().unwrap_or(e)
}

/// True if `path` is a regular file holding exactly `bytes`. Such a file is
/// left alone rather than rewritten: a rewrite would only give it a new inode
/// and mtime, and make every watching dev server rebuild for nothing.
pub fn unchanged(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Writes `path` atomically (creating its folder if needed): the bytes go to
/// a temporary file in the same directory, which is renamed over `path` only
/// once complete. An interrupted
/// or failed run leaves the previous file untouched and no partial file.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    // `-o /dev/null`, `-o /dev/stdout` or a named pipe: there is no file to
    // replace, and renaming over a device node would replace the device
    // itself with a regular file. Write to it directly.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let file =
            std::fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, e))?;
        let mut w = io::BufWriter::new(file);
        fill(&mut w).map_err(|e| Error::io(path, e))?;
        return w.flush().map_err(|e| Error::io(path, e));
    }
    // `-o data/related.json` where that is a symlink: the file it points to
    // is the output (replaced atomically there), the link stays.
    let target = follow_symlinks(path);
    let path = target.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A fresh clone of a site often lacks `data/` (empty folders are not
    // kept by git): create it, as site generators do for their outputs.
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    tempfiles::remove_stale(dir);
    let mut tmp =
        tempfiles::create_in(dir).map_err(|e| Error::io(path, without_temp_path(e, dir)))?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w).map_err(|e| Error::io(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // tempfile creates 0600 files; an output file is meant to be read by the
    // site build and web server, so keep the old file's mode, or 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode));
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    fn corpus() -> Corpus {
        let doc = |key: &str, title: Option<&str>| Document {
            key: key.into(),
            title: title.map(Into::into),
            ..Document::default()
        };
        Corpus::new(vec![
            doc("a.md", Some("A \"quoted\"")),
            doc("b.md", None),
            doc("日本.md", None),
        ])
        .unwrap()
    }

    fn render(format: Format, pretty: bool, to_file: bool) -> String {
        let n = |doc, score| Neighbour { doc, score, terms: Vec::new(), mark: Mark::Computed };
        let lists = vec![
            vec![n(1, 0.3140937367048256)],
            vec![n(0, 0.3140937367048256), n(2, 1e-5)],
            vec![],
        ];
        let outcome = Outcome {
            corpus: corpus(),
            lists,
            warnings: Vec::new(),
            notices: Vec::new(),
            stages: Vec::new(),
            explained: false,
            search: crate::outcome::Search::Exact,
        };
        let mut out = Vec::new();
        write(&mut out, &outcome, format, pretty, to_file).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_is_compact_sorted_and_rounded() {
        assert_eq!(
            render(Format::Json, false, false),
            "{\"a.md\":[{\"key\":\"b.md\",\"score\":0.314094,\"title\":\"b.md\"}],\
             \"b.md\":[{\"key\":\"a.md\",\"score\":0.314094,\"title\":\"A \\\"quoted\\\"\"},\
             {\"key\":\"日本.md\",\"score\":0.00001,\"title\":\"日本.md\"}],\"日本.md\":[]}\n"
        );
    }

    #[test]
    fn pretty_json_parses_to_the_same_value() {
        let compact: serde_json::Value =
            serde_json::from_str(&render(Format::Json, false, false)).unwrap();
        let pretty_text = render(Format::Json, true, false);
        let pretty: serde_json::Value = serde_json::from_str(&pretty_text).unwrap();
        assert_eq!(compact, pretty);
        assert!(pretty_text.contains("\n  \"a.md\": [\n    {"), "{pretty_text}");
    }

    #[test]
    fn jsonl_has_one_line_per_document() {
        let text = render(Format::Jsonl, false, false);
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().last().unwrap().starts_with("{\"key\":\"日本.md\",\"related\":[]"));
    }

    #[test]
    fn similar_documents_format_matches_python_json_dumps() {
        assert_eq!(
            render(Format::SimilarDocuments, false, true),
            "{\"a.md\": [[\"b.md\", 0.3140937367048256]], \"b.md\": [[\"a.md\", \
             0.3140937367048256], [\"\\u65e5\\u672c.md\", 1e-05]], \"\\u65e5\\u672c.md\": []}"
        );
        assert!(render(Format::SimilarDocuments, false, false).ends_with("]}\n"));
    }

    #[test]
    fn python_float_repr_examples() {
        for (x, want) in [
            (0.5, "0.5"),
            (1.0, "1.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.2345e-7, "1.2345e-07"),
            (0.1369872376313647, "0.1369872376313647"),
        ] {
            assert_eq!(python_float_repr(x), want);
        }
    }

    #[test]
    fn atomic_write_replaces_or_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomically(&path, |w: &mut dyn Write| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "temp file left behind");
        write_atomically(&path, |w: &mut dyn Write| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
