//! `related merge`: joins the outputs of `--shard i/n` runs into the bytes
//! one run writes.
//!
//! A shard's output is an ordinary output holding one slice of the
//! articles, so the merge needs no side file: it reads each shard as JSON,
//! keeping every article's value as the exact bytes written
//! ([`serde_json::value::RawValue`]), and writes the articles again in key
//! order through the writers' own frame ([`super::write_object`]). Which
//! format a shard is in (`json`, `json --pretty`, `similar-documents`, with
//! or without a final newline; `--split-lang` nesting) is found by framing
//! its own articles each way and keeping the one that gives its bytes back,
//! so anything that is not an output of `related` is refused rather than
//! misread. JSON Lines (`jsonl`, `vectors`) are sorted line by line.
//!
//! Refused, naming the file: a file that is not such an output, shards in
//! different formats, an article in two shards, and a list naming an
//! article that no shard has (a shard is missing, or the shards come from
//! different runs).
//!
//! `--output-dir`: [`merge_dir`] joins the shards' lists of files.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::Style;
use crate::error::{Error, Result, Setting, message};

/// The keys and values of a JSON object, in the order written.
struct Ordered<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Ordered<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Pairs<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Pairs<'a> {
            type Value = Ordered<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut map: M,
            ) -> std::result::Result<Self::Value, M::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, &'de RawValue>()? {
                    pairs.push(pair);
                }
                Ok(Ordered(pairs))
            }
        }
        d.deserialize_map(Pairs(std::marker::PhantomData))
    }
}

/// A neighbour as written in `json` / `jsonl` (only its key is read).
#[derive(Deserialize)]
struct Named {
    key: String,
}

/// The start of a JSON Lines line: whose it is.
#[derive(Deserialize)]
struct LineHead {
    key: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    related: Option<Vec<Named>>,
}

/// How a shard is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One object: its style, `--split-lang` nesting, and what follows the
    /// closing brace.
    Object { style: Style, split: bool, newline: bool },
    /// JSON Lines; `lists`: lines have `"related"` (`jsonl`, not `vectors`).
    Lines { lists: bool },
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Object { style: Style::Compact, .. } => f.write_str("JSON"),
            Shape::Object { style: Style::Pretty, .. } => f.write_str("--pretty JSON"),
            Shape::Object { style: Style::Python, .. } => f.write_str("similar-documents"),
            Shape::Lines { lists: true } => f.write_str("JSON Lines"),
            Shape::Lines { lists: false } => f.write_str("vectors"),
        }?;
        match self {
            Shape::Object { split: true, .. } => f.write_str(" (--split-lang)"),
            Shape::Object { style: Style::Python, newline: false, .. } => {
                f.write_str(" (written with -o)")
            }
            _ => Ok(()),
        }
    }
}

/// One article of one shard: language, key, its value's bytes (a JSON
/// Lines line with its newline), and which shard it came from.
struct Item<'a> {
    lang: Option<String>,
    key: String,
    value: &'a [u8],
    shard: usize,
}

fn invalid(path: &Path, message: impl Into<String>) -> Error {
    Error::Parse { location: path.display().to_string(), message: message.into() }
}

/// The merged output of the shard files `paths` (in any order).
pub fn merge(paths: &[PathBuf]) -> Result<Vec<u8>> {
    let texts: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| Error::io(p, e)))
        .collect::<Result<_>>()?;
    let mut shape: Option<(Shape, usize)> = None;
    let mut items: Vec<Item<'_>> = Vec::new();
    for (n, (path, text)) in paths.iter().zip(&texts).enumerate() {
        let Some((this, found)) = read_shard(path, text, n)? else { continue };
        match shape {
            Some((first, at)) if first != this => {
                return Err(invalid(
                    path,
                    format!(
                        "this shard is {this} but {} is {first}: all shards must come from one command (same --format, --pretty, and -o or stdout)",
                        paths[at].display()
                    ),
                ));
            }
            None => shape = Some((this, n)),
            _ => {}
        }
        items.extend(found);
    }
    // Corpus order: language, then key (byte order).
    items.sort_by(|a, b| (&a.lang, &a.key).cmp(&(&b.lang, &b.key)));
    if let Some(w) = items.windows(2).find(|w| (&w[0].lang, &w[0].key) == (&w[1].lang, &w[1].key)) {
        let (a, b) = (paths[w[0].shard].display(), paths[w[1].shard].display());
        let whose = if a.to_string() == b.to_string() {
            format!("twice in {a}")
        } else {
            format!("in {a} and in {b}")
        };
        return Err(invalid(
            &paths[w[1].shard],
            format!("article {:?} is {whose}: give each shard's output once", w[0].key),
        ));
    }
    let Some((shape, _)) = shape else {
        return Err(Error::Invalid(message!["the shard outputs given hold no article"]));
    };
    complete(paths, &items, shape)?;
    let mut out = Vec::with_capacity(texts.iter().map(Vec::len).sum());
    match shape {
        Shape::Lines { .. } => items.iter().for_each(|i| out.extend_from_slice(i.value)),
        Shape::Object { style, split, newline } => {
            frame(&mut out, &items, style, split).expect("writing to memory");
            if newline {
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

/// The frame of an object output around the items' bytes.
fn frame(out: &mut Vec<u8>, items: &[Item<'_>], style: Style, split: bool) -> std::io::Result<()> {
    let keys = items.iter().map(|i| (i.lang.as_deref(), i.key.as_str()));
    super::write_object(out, keys, style, split, &mut |out, n, _| out.write_all(items[n].value))
}

/// Every neighbour listed is an article of some shard.
fn complete(paths: &[PathBuf], items: &[Item<'_>], shape: Shape) -> Result<()> {
    let keys: HashSet<&str> = items.iter().map(|i| i.key.as_str()).collect();
    for item in items {
        let listed: Vec<String> = match shape {
            Shape::Lines { lists: false } => continue,
            Shape::Lines { lists: true } => serde_json::from_slice::<LineHead>(item.value)
                .ok()
                .and_then(|l| l.related)
                .map(|r| r.into_iter().map(|n| n.key).collect())
                .unwrap_or_default(),
            Shape::Object { style: Style::Python, .. } => {
                serde_json::from_slice::<Vec<(String, IgnoredAny)>>(item.value)
                    .map(|r| r.into_iter().map(|(k, _)| k).collect())
                    .unwrap_or_default()
            }
            Shape::Object { .. } => serde_json::from_slice::<Vec<Named>>(item.value)
                .map(|r| r.into_iter().map(|n| n.key).collect())
                .unwrap_or_default(),
        };
        if let Some(missing) = listed.iter().find(|k| !keys.contains(k.as_str())) {
            return Err(invalid(
                &paths[item.shard],
                format!(
                    "{:?} lists {missing:?}, which no shard given has: a shard is missing, or the shards come from different runs",
                    item.key
                ),
            ));
        }
    }
    Ok(())
}

/// The shape and articles of one shard file; `None` when it holds none.
fn read_shard<'a>(
    path: &Path,
    text: &'a [u8],
    shard: usize,
) -> Result<Option<(Shape, Vec<Item<'a>>)>> {
    let trimmed = text.trim_ascii();
    if trimmed.is_empty() || trimmed == b"{}" {
        return Ok(None);
    }
    let not_ours = |why: String| invalid(path, format!("not the output of a related run ({why})"));
    let first_line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    if let Ok(head) = serde_json::from_slice::<LineHead>(first_line) {
        let lists = head.related.is_some();
        let mut items = Vec::new();
        let mut rest = text;
        let mut number = 0;
        while !rest.is_empty() {
            number += 1;
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| not_ours(format!("line {number} does not end with a newline")))?;
            let (line, after) = rest.split_at(end + 1);
            rest = after;
            let head = serde_json::from_slice::<LineHead>(line)
                .map_err(|e| not_ours(format!("line {number}: {e}")))?;
            if head.related.is_some() != lists {
                return Err(not_ours(format!("line {number} is not like line 1")));
            }
            items.push(Item { lang: head.lang, key: head.key, value: line, shard });
        }
        return Ok(Some((Shape::Lines { lists }, items)));
    }
    let top: Ordered<'_> = serde_json::from_slice(text).map_err(|e| not_ours(e.to_string()))?;
    let split = top.0.first().is_some_and(|(_, v)| v.get().starts_with('{'));
    let mut items = Vec::new();
    for (key, value) in top.0 {
        if split {
            let by_key: Ordered<'_> = serde_json::from_str(value.get())
                .map_err(|e| not_ours(format!("language {key:?}: {e}")))?;
            for (article, value) in by_key.0 {
                let value = value.get().as_bytes();
                items.push(Item { lang: Some(key.clone()), key: article, value, shard });
            }
        } else {
            items.push(Item { lang: None, key, value: value.get().as_bytes(), shard });
        }
    }
    // The style that gives these bytes back.
    for style in [Style::Compact, Style::Pretty, Style::Python] {
        let mut framed = Vec::with_capacity(text.len());
        frame(&mut framed, &items, style, split).expect("writing to memory");
        let newline = match &text[framed.len().min(text.len())..] {
            b"\n" => true,
            b"" if style == Style::Python => false,
            _ => continue,
        };
        if text.starts_with(&framed) {
            return Ok(Some((Shape::Object { style, split, newline }, items)));
        }
    }
    Err(not_ours(
        "a JSON object, but not as related writes one: was it edited or re-formatted?".into(),
    ))
}

/// What [`merge_dir`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DirMerge {
    /// Shard lists joined.
    pub shards: usize,
    /// Files listed in the joined list.
    pub files: usize,
    /// Files of articles that are gone (listed by a previous run, written
    /// by no shard), removed.
    pub removed: usize,
}

/// `--output-dir DIR` after the shards' folders were copied into `DIR`:
/// each shard wrote its own articles' files and its list of them
/// (`.related-files-I-of-N`, [`super::dir::manifest_name`]). Checks that
/// the lists of shards 1 to N are all there and disjoint, then does what
/// one run does when it commits: removes the files of a previous run's list
/// (`.related-files`) that no shard wrote, writes the joined list there, and
/// removes the shards' lists. The folder then holds what one run writes.
pub fn merge_dir(dir: &Path) -> Result<DirMerge> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut lists: Vec<(usize, usize, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if let Some((i, n)) = name.to_str().and_then(super::dir::parse_manifest_name) {
            lists.push((i, n, entry.path()));
        }
    }
    lists.sort();
    let Some(&(_, count, _)) = lists.first() else {
        return Err(Error::Invalid(message![
            format!(
                "{}: no shard's list of files (.related-files-I-of-N) here: copy the ",
                dir.display()
            ),
            Setting::OutputDir,
            " folders of the ",
            Setting::Shard,
            " runs into it first",
        ]));
    };
    if let Some((_, other, path)) = lists.iter().find(|(_, n, _)| *n != count) {
        return Err(invalid(
            path,
            format!(
                "a list of shards out of {other}, beside shards out of {count}: remove the lists of the older run"
            ),
        ));
    }
    let have: BTreeSet<usize> = lists.iter().map(|(i, _, _)| *i).collect();
    let missing: Vec<String> =
        (1..=count).filter(|i| !have.contains(i)).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        return Err(Error::Invalid(message![format!(
            "{}: the files of shard(s) {} are missing: copy every shard's folder in",
            dir.display(),
            missing.join(", ")
        )]));
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (_, _, path) in &lists {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        for line in text.lines().filter(|l| !l.is_empty()) {
            if !names.insert(line.to_owned()) {
                return Err(invalid(path, format!("{line} is also in another shard's list")));
            }
            if !dir.join(line).is_file() {
                return Err(invalid(path, format!("lists {line}, which is not in the folder")));
            }
        }
    }
    let removed = super::dir::replace_manifest(dir, &names)?;
    for (_, _, path) in &lists {
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
    }
    Ok(DirMerge { shards: lists.len(), files: names.len(), removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(shards: &[&str]) -> Result<String> {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = shards
            .iter()
            .enumerate()
            .map(|(n, text)| {
                let p = dir.path().join(format!("{n}.json"));
                std::fs::write(&p, text).unwrap();
                p
            })
            .collect();
        merge(&paths).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn objects_are_joined_in_key_order_whatever_the_shard_order() {
        let a = "{\"a\":[{\"key\":\"c\",\"score\":0.5}],\"b\":[]}\n";
        let c = "{\"c\":[{\"key\":\"a\",\"score\":0.5}]}\n";
        let want = "{\"a\":[{\"key\":\"c\",\"score\":0.5}],\"b\":[],\"c\":[{\"key\":\"a\",\"score\":0.5}]}\n";
        assert_eq!(merged(&[c, a]).unwrap(), want);
        assert_eq!(merged(&[a, "{}\n", c]).unwrap(), want, "an empty shard adds nothing");
        let pretty = "{\n  \"b\": [],\n  \"a\": []\n}\n";
        assert_eq!(merged(&[pretty]).unwrap(), "{\n  \"a\": [],\n  \"b\": []\n}\n");
        let reindented = "{\n    \"a\": []\n}\n";
        let e = merged(&[reindented]).unwrap_err().to_string();
        assert!(e.contains("not as related writes"), "{e}");
        let py = "{\"a\": [[\"b\", 0.5]]}";
        assert_eq!(
            merged(&[py, "{\"b\": [[\"a\", 0.5]]}"]).unwrap(),
            "{\"a\": [[\"b\", 0.5]], \"b\": [[\"a\", 0.5]]}"
        );
    }

    #[test]
    fn refusals_name_the_file() {
        let e = merged(&["{\"a\":[]}\n", "{\"a\":[]}\n"]).unwrap_err().to_string();
        assert!(e.contains("1.json") && e.contains("\"a\"") && e.contains("0.json"), "{e}");
        let e = merged(&["{\"a\":[]}\n", "{\"b\": []}\n"]).unwrap_err().to_string();
        assert!(e.contains("1.json") && e.contains("similar-documents"), "{e}");
        let e = merged(&["{\"a\":[{\"key\":\"z\"}]}\n"]).unwrap_err().to_string();
        assert!(e.contains("0.json") && e.contains("\"z\"") && e.contains("missing"), "{e}");
        let e = merged(&["{\"a\":[]}\n", "[1, 2"]).unwrap_err().to_string();
        assert!(e.contains("1.json") && e.contains("not the output"), "{e}");
    }

    #[test]
    fn json_lines_are_sorted_by_language_then_key() {
        let a = "{\"key\":\"b\",\"related\":[]}\n";
        let b = "{\"key\":\"a\",\"related\":[{\"key\":\"b\"}]}\n";
        assert_eq!(merged(&[a, b]).unwrap(), format!("{b}{a}"));
        let e = merged(&[a, "{\"key\":\"c\",\"related\":[]}"]).unwrap_err().to_string();
        assert!(e.contains("newline"), "{e}");
    }
}
