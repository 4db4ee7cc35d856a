//! Plain text input: the whole file is the body.
//!
//! Only the BOM is stripped and whitespace normalized to the module's text
//! convention (see [`crate::extract`]); there is no title, and no metadata.
//! Choosing a fallback title (file name, first line, ...) is the caller's job.

use super::{Extracted, normalize_text, strip_bom};

/// Extracts a plain-text file: `text` is the normalized content, everything else empty.
pub fn extract(src: &str) -> Extracted {
    Extracted { text: normalize_text(strip_bom(src)), ..Extracted::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_text_is_body_without_title() {
        let e = extract("\u{feff}First line\r\n\r\n  second   line  \n");
        assert_eq!(e.text, "First line\nsecond line");
        assert_eq!(e.title, None);
        assert_eq!(e, Extracted { text: e.text.clone(), ..Extracted::default() });
    }

    #[test]
    fn empty_input() {
        assert_eq!(extract(""), Extracted::default());
    }
}
