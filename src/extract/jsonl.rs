//! JSON Lines input: one article per non-blank line, already reduced to
//! text by whatever produced the file.
//!
//! Each line is a JSON object with a required string `"key"` and `"text"`
//! and optional `"title"`, `"url"`, `"date"`, `"lang"`, `"slug"`,
//! `"description"` (strings), `"tags"` (array of strings) and `"draft"`
//! (bool). `null` counts as absent; unknown fields are ignored. A value of
//! the wrong type is an error rather than silently dropped, because this
//! format is written by programs and a mistake there should be loud.
//!
//! `text` is normalized to the module's text convention (see
//! [`crate::extract`]); titles and other strings are trimmed. Duplicate keys
//! across lines are the caller's concern.

use serde_json::{Map, Value};

use crate::document::{Document, SiteMeta};

use super::{ExtractError, clean_inline, dedup_tags, normalize_text, push_tag, strip_bom};

/// Parses a whole JSONL file; the first bad line fails it, with its
/// 1-based line number (and the JSON parser's column for syntax errors).
pub fn extract(src: &str) -> Result<Vec<Document>, ExtractError> {
    let src = strip_bom(src);
    let mut out = Vec::new();
    for (i, line) in src.split('\n').enumerate() {
        let line_no = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| {
            ExtractError::new(
                format!("invalid JSON: {}", message_without_position(&e)),
                Some((line_no, e.column().max(1))),
            )
        })?;
        let Value::Object(obj) = value else {
            return Err(ExtractError::new(
                "expected a JSON object",
                Some((line_no, first_column(line))),
            ));
        };
        out.push(
            record(&obj).map_err(|message| {
                ExtractError::new(message, Some((line_no, first_column(line))))
            })?,
        );
    }
    Ok(out)
}

/// serde_json appends " at line L column C" to its messages; the position
/// is reported separately (with the file's line), so drop it.
fn message_without_position(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    msg.strip_suffix(&suffix).unwrap_or(&msg).to_owned()
}

/// Column of the first non-blank character: where the object starts.
fn first_column(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count() + 1
}

fn record(obj: &Map<String, Value>) -> Result<Document, String> {
    let key = required_string(obj, "key")?;
    // The key is an identifier: kept exactly as given, only a blank one is refused.
    if key.trim().is_empty() {
        return Err("field \"key\" is empty".to_owned());
    }
    let text = required_string(obj, "text")?;
    let mut tags = Vec::new();
    match obj.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => push_tag(&mut tags, s),
                    _ => return Err("field \"tags\" must be an array of strings".to_owned()),
                }
            }
        }
        Some(_) => return Err("field \"tags\" must be an array of strings".to_owned()),
    }
    dedup_tags(&mut tags);
    let draft = match obj.get("draft") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("field \"draft\" must be a boolean".to_owned()),
    };
    Ok(Document {
        key,
        title: optional_string(obj, "title")?,
        text: normalize_text(&text),
        tags,
        date: optional_string(obj, "date")?,
        draft,
        url: optional_string(obj, "url")?,
        slug: optional_string(obj, "slug")?,
        lang: optional_string(obj, "lang")?,
        site: SiteMeta { description: optional_string(obj, "description")?, ..SiteMeta::default() },
        ..Document::default()
    })
}

fn required_string(obj: &Map<String, Value>, field: &str) -> Result<String, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(format!("missing field \"{field}\"")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("field \"{field}\" must be a string")),
    }
}

/// An optional string field, trimmed and whitespace-collapsed; empty → None.
fn optional_string(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(clean_inline(s)),
        Some(_) => Err(format!("field \"{field}\" must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> ExtractError {
        match extract(src) {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn good_lines() {
        let src = "\u{feff}{\"key\":\"a\",\"text\":\"Hello\\n\\n  world  \",\"title\":\" T \",\"tags\":[\"x\",\" y\",\"x\",\"\"],\"draft\":true,\"url\":\"/a/\",\"date\":\"2024-01-02\",\"lang\":\"en\",\"slug\":\"s\",\"description\":\"d\",\"extra\":{\"ignored\":1}}\r\n\
            \n   \n\
            {\"key\": \"b\", \"text\": \"\", \"title\": null}\n";
        let items = match extract(src) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0],
            Document {
                key: "a".into(),
                title: Some("T".into()),
                text: "Hello\nworld".into(),
                tags: vec!["x".into(), "y".into()],
                date: Some("2024-01-02".into()),
                draft: true,
                url: Some("/a/".into()),
                slug: Some("s".into()),
                lang: Some("en".into()),
                site: SiteMeta { description: Some("d".into()), ..SiteMeta::default() },
                ..Document::default()
            }
        );
        assert_eq!(items[1], Document { key: "b".into(), ..Document::default() });
        assert_eq!(extract("").map(|v| v.len()), Ok(0));
    }

    #[test]
    fn bad_lines_report_line_and_reason() {
        let e = err("{\"key\":\"a\",\"text\":\"x\"}\n\n{\"text\":\"no key\"}\n");
        assert_eq!(e.message, "missing field \"key\"");
        assert_eq!(e.position, Some((3, 1)));
        assert_eq!(e.to_string(), "3:1: missing field \"key\"");

        let e = err("{\"key\":\"a\"}");
        assert_eq!(e.message, "missing field \"text\"");

        let e = err("{\"key\":\"a\",\"text\":\"x\"}\n{\"key\":\"b\",\"text\":\"y\",}");
        assert_eq!(e.position, Some((2, 23)), "{e}");
        assert!(e.message.starts_with("invalid JSON: trailing comma"), "{e}");
        assert!(!e.message.contains("at line"), "{e}");

        let e = err("{\"key\":1,\"text\":\"x\"}");
        assert_eq!(e.message, "field \"key\" must be a string");
        let e = err("{\"key\":\"k\",\"text\":\"x\",\"tags\":\"a,b\"}");
        assert_eq!(e.message, "field \"tags\" must be an array of strings");
        let e = err("{\"key\":\"k\",\"text\":\"x\",\"draft\":\"yes\"}");
        assert_eq!(e.message, "field \"draft\" must be a boolean");
        let e = err("  [1, 2]");
        assert_eq!(e.message, "expected a JSON object");
        assert_eq!(e.position, Some((1, 3)));
        let e = err("{\"key\":\"  \",\"text\":\"x\"}");
        assert_eq!(e.message, "field \"key\" is empty");
        let e = err("{\"key\":\"k\",\"text\":\"x\"");
        assert!(e.message.starts_with("invalid JSON: EOF"), "{e}");
    }
}
