//! Bytes → text: which character encoding a file is in.
//!
//! In order:
//!
//! 1. a byte order mark: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE (UTF-32's BOM
//!    starts like UTF-16 LE's, so it is checked first);
//! 2. valid UTF-8 is UTF-8, whatever a file declares (files converted to
//!    UTF-8 often keep their old declaration);
//! 3. a declared charset: `<?xml … encoding="…"?>` at the start, or
//!    `<meta charset="…">` / `<meta http-equiv="Content-Type" content="…;
//!    charset=…">` within the first 1024 bytes (as browsers look);
//! 4. a confident detection of a Japanese legacy encoding (Shift_JIS,
//!    EUC-JP, ISO-2022-JP; `chardetng`, the detector Firefox uses): the
//!    whole file decodes without an error and reads as Japanese (kana);
//! 5. otherwise UTF-8, invalid bytes replaced with U+FFFD, with a warning.
//!
//! Legacy decoding is `encoding_rs`'s (the WHATWG Encoding Standard).

use encoding_rs::{EUC_JP, Encoding, ISO_2022_JP, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};

use crate::outcome::Warning;

/// How far a `<meta>` charset declaration is looked for.
const META_SCAN: usize = 1024;

/// How much of a file the detector reads.
const DETECT_SCAN: usize = 64 * 1024;

/// True if `b` starts with a UTF-16 or UTF-32 byte order mark (such text
/// holds NUL bytes and is not binary).
pub fn has_wide_bom(b: &[u8]) -> bool {
    b.starts_with(&[0xFF, 0xFE])
        || b.starts_with(&[0xFE, 0xFF])
        || b.starts_with(&[0, 0, 0xFE, 0xFF])
}

/// Decodes `bytes` by the rules of the module docs. Valid UTF-8 (the common
/// case) is not copied.
pub fn decode(bytes: Vec<u8>, origin: &str) -> (String, Vec<Warning>) {
    let warn = |message: String| vec![Warning { location: origin.into(), message }];
    if let Some(big_endian) = utf32_bom(&bytes) {
        let (text, errors) = decode_utf32(&bytes[4..], big_endian);
        let note = if errors {
            warn("invalid UTF-32; damaged characters were replaced with U+FFFD".into())
        } else {
            Vec::new()
        };
        return (text, note);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let encoding = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        let (text, _, had_errors) = encoding.decode(&bytes);
        let note = if had_errors {
            warn("invalid UTF-16; damaged characters were replaced with U+FFFD".into())
        } else {
            Vec::new()
        };
        return (text.into_owned(), note);
    }
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let err = match String::from_utf8(bytes) {
        Ok(mut s) => {
            s.drain(..bom);
            return (s, Vec::new());
        }
        Err(e) => e,
    };
    let valid_up_to = err.utf8_error().valid_up_to();
    let bytes = err.into_bytes();
    if bom == 0 {
        if let Some(declared) = declared_encoding(&bytes).filter(|e| *e != UTF_8) {
            let (text, had_errors) = declared.decode_without_bom_handling(&bytes);
            let note = if had_errors {
                warn(format!(
                    "invalid {} (as declared); damaged characters were replaced with U+FFFD",
                    declared.name()
                ))
            } else {
                Vec::new()
            };
            return (text.into_owned(), note);
        }
        if let Some(text) = detect_japanese(&bytes) {
            return (text, Vec::new());
        }
    }
    let note = warn(format!(
        "invalid UTF-8 at byte {valid_up_to}; invalid bytes were replaced with U+FFFD (convert the file to UTF-8 to silence this)"
    ));
    let text = String::from_utf8_lossy(bytes.get(bom..).unwrap_or_default()).into_owned();
    (text, note)
}

/// `Some(big_endian)` if `b` starts with a UTF-32 byte order mark.
fn utf32_bom(b: &[u8]) -> Option<bool> {
    if b.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some(false)
    } else if b.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some(true)
    } else {
        None
    }
}

/// UTF-32 (after the BOM) → text, and whether anything was invalid.
fn decode_utf32(b: &[u8], big_endian: bool) -> (String, bool) {
    let mut text = String::with_capacity(b.len() / 4);
    let mut errors = !b.len().is_multiple_of(4);
    for chunk in b.chunks_exact(4) {
        let bytes = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let n = if big_endian { u32::from_be_bytes(bytes) } else { u32::from_le_bytes(bytes) };
        match char::from_u32(n) {
            Some(c) => text.push(c),
            None => {
                errors = true;
                text.push('\u{FFFD}');
            }
        }
    }
    if !b.len().is_multiple_of(4) {
        text.push('\u{FFFD}');
    }
    (text, errors)
}

/// The encoding an XML declaration or an HTML `<meta>` declares, if any
/// (and known to the Encoding Standard; UTF-16 labels are ignored, as
/// browsers do for bytes that are evidently not UTF-16).
fn declared_encoding(b: &[u8]) -> Option<&'static Encoding> {
    let label =
        xml_declaration_encoding(b).or_else(|| meta_charset(&b[..b.len().min(META_SCAN)]))?;
    let encoding = Encoding::for_label(label.trim_ascii())?;
    (encoding != UTF_16LE && encoding != UTF_16BE).then_some(encoding)
}

/// `encoding="…"` of an `<?xml …?>` declaration at the very start.
fn xml_declaration_encoding(b: &[u8]) -> Option<&[u8]> {
    let decl = b.strip_prefix(b"<?xml")?;
    let end = find(decl, b"?>")?;
    attribute_value(&decl[..end], b"encoding")
}

/// The charset of the first `<meta>` tag that declares one.
fn meta_charset(b: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    while let Some(p) = find_ignore_case(&b[from..], b"<meta").map(|p| p + from) {
        let tag_end = b[p..].iter().position(|&c| c == b'>').map_or(b.len(), |e| p + e);
        let tag = &b[p + 5..tag_end];
        if let Some(v) = attribute_value(tag, b"charset") {
            return Some(v);
        }
        // <meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">
        if let Some(content) = attribute_value(tag, b"content")
            && let Some(i) = find_ignore_case(content, b"charset=")
        {
            let v = &content[i + 8..];
            let end =
                v.iter().position(|&c| matches!(c, b';' | b' ' | b'"' | b'\'')).unwrap_or(v.len());
            return Some(&v[..end]);
        }
        from = tag_end;
    }
    None
}

/// The value of attribute `name` (ASCII case-insensitive) in the inside of
/// a tag: quoted, or up to whitespace, `/`, `?` or `>`.
fn attribute_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(p) = find_ignore_case(&tag[from..], name).map(|p| p + from) {
        from = p + name.len();
        // A whole attribute name: not the end of `data-charset`.
        if p > 0 && !tag[p - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = tag[from..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else { continue };
        let rest = rest.trim_ascii_start();
        return Some(match rest.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let v = &rest[1..];
                &v[..v.iter().position(|&c| c == q).unwrap_or(v.len())]
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|&c| c.is_ascii_whitespace() || matches!(c, b'/' | b'?' | b'>'))
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        });
    }
    None
}

/// The text of `b` if it is confidently Japanese in a legacy encoding.
fn detect_japanese(b: &[u8]) -> Option<String> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    let sample = &b[..b.len().min(DETECT_SCAN)];
    detector.feed(sample, sample.len() == b.len());
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    if ![SHIFT_JIS, EUC_JP, ISO_2022_JP].contains(&guess) {
        return None;
    }
    let (text, had_errors) = guess.decode_without_bom_handling(b);
    if had_errors {
        return None;
    }
    // Japanese prose is full of kana; Chinese or mis-detected bytes are not.
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    let kana = text.chars().filter(|c| ('\u{3041}'..='\u{30FF}').contains(c)).count();
    (kana > 0 && kana * 10 >= non_ascii).then(|| text.into_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JA: &str = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。";

    fn encode(encoding: &'static Encoding, s: &str) -> Vec<u8> {
        encoding.encode(s).0.into_owned()
    }

    #[test]
    fn declared_charsets_are_followed() {
        let html = format!(
            "<html><head><meta charset=\"EUC-JP\"><title>猫</title></head><body>{JA}</body></html>"
        );
        let (text, notes) = decode(encode(EUC_JP, &html), "a.html");
        assert_eq!(text, html);
        assert!(notes.is_empty());
        let html = format!(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">{JA}"
        );
        assert_eq!(decode(encode(SHIFT_JIS, &html), "a.html").0, html);
        let xml =
            format!("<?xml version=\"1.0\" encoding='Shift_JIS'?><rss><title>{JA}</title></rss>");
        assert_eq!(decode(encode(SHIFT_JIS, &xml), "a.xml").0, xml);
    }

    #[test]
    fn undeclared_japanese_is_detected() {
        for encoding in [SHIFT_JIS, EUC_JP] {
            let (text, notes) = decode(encode(encoding, JA), "a.md");
            assert_eq!(text, JA, "{}", encoding.name());
            assert!(notes.is_empty());
        }
        // Latin-1 bytes are not Japanese: replaced, with a warning.
        let (text, notes) = decode(b"caf\xE9 cr\xE8me".to_vec(), "a.txt");
        assert_eq!(text, "caf\u{FFFD} cr\u{FFFD}me");
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn utf32_with_bom_is_not_read_as_utf16() {
        let mut le = vec![0xFF, 0xFE, 0, 0];
        le.extend("日本 ab".chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(decode(le, "f").0, "日本 ab");
        let mut be = vec![0, 0, 0xFE, 0xFF];
        be.extend("日本".chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert!(has_wide_bom(&be));
        assert_eq!(decode(be, "f").0, "日本");
    }

    #[test]
    fn valid_utf8_wins_over_a_stale_declaration() {
        let html = format!("<meta charset=\"Shift_JIS\">{JA}");
        assert_eq!(decode(html.clone().into_bytes(), "a.html").0, html);
    }
}
