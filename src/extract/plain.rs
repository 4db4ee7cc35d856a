//! Plain text input: the whole file is the body.
//!
//! Only the BOM is stripped and whitespace normalized to the module's text
//! convention (see [`crate::extract`]); there is no title, and no metadata.
//! Choosing a fallback title (file name, first line, ...) is the caller's job.

use super::{normalize_text, strip_bom};
use crate::document::Document;

/// Extracts a plain-text file: `text` is the normalized content, everything else empty.
pub fn extract(src: &str) -> Document {
    Document { text: normalize_text(strip_bom(src)), ..Document::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_text_is_body_without_title() {
        let e = extract("\u{feff}First line\r\n\r\n  second   line  \n");
        assert_eq!(e.text, "First line\nsecond line");
        assert_eq!(e.title, None);
        assert_eq!(e, Document { text: e.text.clone(), ..Document::default() });
    }

    #[test]
    fn empty_input() {
        assert_eq!(extract(""), Document::default());
    }
}
