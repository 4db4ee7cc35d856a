//! `--check`: compare what would be written with what is on disk, like
//! `rustfmt --check`. Nothing is written; a stale output is described in a
//! few words (which articles' lists changed, were added or removed) so a CI
//! log says what to look at.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::Format;
use super::dir;

/// How many article keys a summary names before "…".
const EXAMPLES: usize = 5;

/// `None` if `path` already holds `new`, else why it is stale.
pub fn file(path: &Path, new: &[u8], format: Format) -> Option<String> {
    let old = match std::fs::read(path) {
        Ok(old) => old,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(format!("{} does not exist", path.display()));
        }
        Err(e) => return Some(format!("{} cannot be read ({e})", path.display())),
    };
    if old == new {
        return None;
    }
    let what = match (lists(&old, format), lists(new, format)) {
        (Some(old), Some(new)) if old == new => {
            "only its formatting differs (--pretty? --format?)".to_owned()
        }
        (Some(old), Some(new)) => describe(&old, &new),
        _ => format!("it is not {} output of related", format_name(format)),
    };
    Some(format!("{} is stale: {what}", path.display()))
}

/// `None` if `dir` holds exactly `files` (and no leftover of a previous
/// run), else why it is stale.
/// `manifest` is the run's list of files ([`dir::manifest_name`]).
pub fn dir(dir: &Path, files: &BTreeMap<String, Vec<u8>>, manifest: &str) -> Option<String> {
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for (name, bytes) in files {
        match std::fs::read(dir.join(name)) {
            Ok(old) if old == *bytes => {}
            Ok(_) => changed.push(name.as_str()),
            Err(_) => missing.push(name.as_str()),
        }
    }
    let previous = dir::previous_files(dir, manifest);
    let leftover: Vec<&str> = previous
        .iter()
        .map(String::as_str)
        .filter(|f| !files.contains_key(*f) && dir.join(f).exists())
        .collect();
    if missing.is_empty() && changed.is_empty() && leftover.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for (list, what) in [(&changed, "changed"), (&missing, "missing"), (&leftover, "left over")] {
        if !list.is_empty() {
            parts.push(format!("{} {what} ({})", plural(list.len(), "file"), examples(list)));
        }
    }
    Some(format!("{} is stale: {}", dir.display(), parts.join(", ")))
}

/// Key → neighbour list of an output, whatever its format. With
/// `--split-lang` (`{"en": {key: […]}}`, or JSON lines with a `"lang"`)
/// an article is named `key (lang)`: keys repeat across languages.
fn lists(bytes: &[u8], format: Format) -> Option<BTreeMap<String, Value>> {
    match format {
        Format::Json | Format::SimilarDocuments => match serde_json::from_slice(bytes).ok()? {
            Value::Object(map) if !map.is_empty() && map.values().all(Value::is_object) => {
                let mut out = BTreeMap::new();
                for (lang, by_key) in map {
                    let Value::Object(by_key) = by_key else { return None };
                    for (key, list) in by_key {
                        out.insert(format!("{key} ({lang})"), list);
                    }
                }
                Some(out)
            }
            Value::Object(map) => Some(map.into_iter().collect()),
            _ => None,
        },
        // `vectors` lines compare whole: a changed weight is a changed line.
        Format::Jsonl | Format::Vectors => std::str::from_utf8(bytes)
            .ok()?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).ok()?;
                let mut key = v.get("key")?.as_str()?.to_owned();
                if let Some(lang) = v.get("lang").and_then(Value::as_str) {
                    key = format!("{key} ({lang})");
                }
                match format {
                    Format::Vectors => Some((key, v)),
                    _ => Some((key, v.get_mut("related")?.take())),
                }
            })
            .collect(),
    }
}

fn describe(old: &BTreeMap<String, Value>, new: &BTreeMap<String, Value>) -> String {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let (mut changed, mut added, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for k in keys {
        match (old.get(k), new.get(k)) {
            (Some(a), Some(b)) if a != b => changed.push(k.as_str()),
            (None, Some(_)) => added.push(k.as_str()),
            (Some(_), None) => removed.push(k.as_str()),
            _ => {}
        }
    }
    let mut parts = Vec::new();
    for (list, noun, what) in [
        (&changed, "related list", "changed"),
        (&added, "article", "added"),
        (&removed, "article", "removed"),
    ] {
        if !list.is_empty() {
            parts.push(format!("{} {what} ({})", plural(list.len(), noun), examples(list)));
        }
    }
    parts.join(", ")
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn examples(list: &[&str]) -> String {
    let mut s = list.iter().take(EXAMPLES).copied().collect::<Vec<_>>().join(", ");
    if list.len() > EXAMPLES {
        s.push_str(", …");
    }
    s
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Json => "JSON",
        Format::Jsonl => "JSON Lines",
        Format::SimilarDocuments => "similar-documents",
        Format::Vectors => "vectors",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_stale_and_missing_files() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("related.json");
        let new = br#"{"a":[{"key":"b"}],"b":[],"c":[]}"#;
        let missing = file(&path, new, Format::Json).unwrap();
        assert!(missing.ends_with("related.json does not exist"), "{missing}");
        std::fs::write(&path, new).unwrap();
        assert_eq!(file(&path, new, Format::Json), None);
        std::fs::write(&path, br#"{"a":[{"key":"c"}],"b":[],"d":[]}"#).unwrap();
        let stale = file(&path, new, Format::Json).unwrap();
        assert!(
            stale.ends_with(
                "is stale: 1 related list changed (a), 1 article added (c), 1 article removed (d)"
            ),
            "{stale}"
        );
        std::fs::write(&path, b"{\n  \"a\": [{\"key\": \"b\"}], \"b\": [], \"c\": []}").unwrap();
        let reformatted = file(&path, new, Format::Json).unwrap();
        assert!(reformatted.contains("only its formatting differs"), "{reformatted}");
        std::fs::write(&path, b"<html>").unwrap();
        assert!(file(&path, new, Format::Json).unwrap().contains("not JSON output"));
    }

    #[test]
    fn split_lang_outputs_name_the_articles_and_their_language() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("related.json");
        std::fs::write(&path, br#"{"en":{"a":[{"key":"b"}],"b":[]},"ja":{"a":[],"c":[]}}"#)
            .unwrap();
        let new = br#"{"en":{"a":[{"key":"b"}],"b":[{"key":"a"}]},"ja":{"a":[],"d":[]}}"#;
        let stale = file(&path, new, Format::Json).unwrap();
        assert!(
            stale.ends_with(
                "is stale: 1 related list changed (b (en)), 1 article added (d (ja)), 1 article removed (c (ja))"
            ),
            "{stale}"
        );
        let path = d.path().join("r.jsonl");
        std::fs::write(&path, "{\"key\":\"a\",\"lang\":\"en\",\"related\":[]}\n{\"key\":\"a\",\"lang\":\"ja\",\"related\":[]}\n").unwrap();
        let new = b"{\"key\":\"a\",\"lang\":\"en\",\"related\":[]}\n{\"key\":\"a\",\"lang\":\"ja\",\"related\":[1]}\n";
        let stale = file(&path, new, Format::Jsonl).unwrap();
        assert!(stale.ends_with("is stale: 1 related list changed (a (ja))"), "{stale}");
    }

    #[test]
    fn json_lines_are_compared_by_key() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("r.jsonl");
        std::fs::write(&path, "{\"key\":\"a\",\"related\":[]}\n").unwrap();
        let new = b"{\"key\":\"a\",\"related\":[1]}\n{\"key\":\"b\",\"related\":[]}\n";
        let stale = file(&path, new, Format::Jsonl).unwrap();
        assert!(stale.ends_with("1 related list changed (a), 1 article added (b)"), "{stale}");
    }

    #[test]
    fn folders_report_changed_missing_and_leftover_files() {
        let d = tempfile::tempdir().unwrap();
        let files: BTreeMap<String, Vec<u8>> =
            [("a.json", "[1]"), ("b.json", "[2]")].map(|(k, v)| (k.into(), v.into())).into();
        dir::write(d.path(), &files).unwrap();
        assert_eq!(dir(d.path(), &files, dir::MANIFEST), None);
        let mut next = files.clone();
        next.insert("a.json".into(), b"[9]".to_vec());
        next.remove("b.json");
        next.insert("c.json".into(), b"[3]".to_vec());
        let stale = dir(d.path(), &next, dir::MANIFEST).unwrap();
        assert!(
            stale.ends_with("is stale: 1 file changed (a.json), 1 file missing (c.json), 1 file left over (b.json)"),
            "{stale}"
        );
    }
}
