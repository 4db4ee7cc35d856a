//! Unicode word boundaries (UAX #29) of ASCII text, without table lookups.
//!
//! [`latin`](super::latin) cuts every non-Japanese run at word boundaries.
//! `unicode-segmentation` looks each character's class up in a table of all
//! of Unicode and walks a general state machine; on ASCII text, which is
//! most of what it sees (English prose, code, and the Latin runs between
//! Japanese ones), that was a twentieth of the whole analysis. Restricted
//! to ASCII the rules are few, so [`AsciiWordBounds`] applies them
//! directly. It yields exactly the segments `split_word_bound_indices`
//! does (property test below); text with any other character than ASCII
//! and a few Japanese separators ([`is_cjk_separator`]) is left to the
//! crate.
//!
//! The classes of ASCII characters (`WordBreakProperty.txt`) and the rules
//! that can apply between them:
//!
//! - letters `A-Z a-z` (ALetter), digits `0-9` (Numeric) and `_`
//!   (ExtendNumLet) join each other in any order (WB5, WB8–WB10, WB13a,
//!   WB13b);
//! - `:` (MidLetter) and `.` `'` (MidNumLet, Single_Quote) join two letters
//!   (WB6, WB7); `,` `;` (MidNum) and `.` `'` join two digits (WB11, WB12);
//! - CR LF stay together (WB3), runs of spaces stay together (WB3d);
//! - everything else is a segment of its own (WB3a, WB3b, WB999).
//!
//! No ASCII character is Extend, Format, ZWJ, Hebrew, Katakana or a
//! regional indicator, so the rules about those never apply.

/// The punctuation that splits Japanese clauses and quotes (`、` `。` `〃`
/// `〈〉《》「」『』【】`): word-break class Other, so each is a segment of
/// its own, and with them the Latin runs between Japanese ones (`」と
/// Rust「`) stay on the fast path. A non-ASCII byte of a segment can only
/// belong to one of them (the text holds nothing else), and it is always
/// a boundary on both sides (`class` never sees it: [`Class::Other`]).
fn is_cjk_separator(c: char) -> bool {
    matches!(c as u32, 0x3001..=0x3003 | 0x3008..=0x3011)
}

/// The word-break class of an ASCII byte, as far as the rules above tell
/// them apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// `_`.
    Connector,
    /// `:`: joins letters only.
    MidLetter,
    /// `,` `;`: joins digits only.
    MidNum,
    /// `.` `'`: joins letters, and digits.
    MidBoth,
    Space,
    Cr,
    Other,
}

fn class(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Connector,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidBoth,
        b' ' => Class::Space,
        b'\r' => Class::Cr,
        _ => Class::Other,
    }
}

/// The segments of an ASCII text between its word boundaries, with their
/// byte offsets: what `UnicodeSegmentation::split_word_bound_indices`
/// yields for it.
#[derive(Clone)]
pub struct AsciiWordBounds<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> AsciiWordBounds<'a> {
    /// The segments of `text`, or `None` if it has a character other than
    /// ASCII and the [`is_cjk_separator`]s.
    pub fn new(text: &'a str) -> Option<Self> {
        let plain = text.is_ascii() || text.chars().all(|c| c.is_ascii() || is_cjk_separator(c));
        plain.then_some(AsciiWordBounds { text, at: 0 })
    }

    /// Where the segment starting at `start` ends.
    fn end_of(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let class_at = |i: usize| bytes.get(i).map(|&b| class(b));
        if !bytes[start].is_ascii() {
            // A CJK separator (three bytes): a segment of its own.
            return start + self.text[start..].chars().next().map_or(1, char::len_utf8);
        }
        let mut end = start + 1;
        match class(bytes[start]) {
            Class::Cr => {
                if bytes.get(end) == Some(&b'\n') {
                    end += 1;
                }
            }
            Class::Space => {
                while class_at(end) == Some(Class::Space) {
                    end += 1;
                }
            }
            Class::Letter | Class::Digit | Class::Connector => {
                // `end - 1` is always a letter, digit or `_` here.
                while let Some(next) = class_at(end) {
                    let last = class(bytes[end - 1]);
                    end += match next {
                        Class::Letter | Class::Digit | Class::Connector => 1,
                        Class::MidLetter | Class::MidBoth
                            if last == Class::Letter
                                && class_at(end + 1) == Some(Class::Letter) =>
                        {
                            2
                        }
                        Class::MidNum | Class::MidBoth
                            if last == Class::Digit && class_at(end + 1) == Some(Class::Digit) =>
                        {
                            2
                        }
                        _ => break,
                    };
                }
            }
            Class::MidLetter | Class::MidNum | Class::MidBoth | Class::Other => {}
        }
        end
    }
}

impl<'a> Iterator for AsciiWordBounds<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.at;
        if start >= self.text.len() {
            return None;
        }
        let end = self.end_of(start);
        self.at = end;
        Some((start, &self.text[start..end]))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    use super::*;

    type Segments<'a> = Vec<(usize, &'a str)>;

    fn both(text: &str) -> (Segments<'_>, Segments<'_>) {
        let fast = AsciiWordBounds::new(text).expect("ASCII and separators").collect();
        (fast, text.split_word_bound_indices().collect())
    }

    #[test]
    fn examples_match_the_unicode_segmenter() {
        for text in [
            "",
            "Node.js and tf-idf, c++ c# snake_case_name __init__ _x x_ 3.14 1,000,000 1;2 v1.2.3",
            "don't rust's 'quoted' a:b a::b 1:2 a.1 1.a .5 5. ..  a..b 1..2 a'1 1'2",
            "CR\r\nLF\n\r\r\n\n VT\x0bFF\x0c  two  spaces\t\ttabs \u{7f}",
            "e-mail state-of-the-art x@y.com https://example.com/a_b?c=d&e=f#frag",
            "___ 1_000 _1 1_ a_1_b 12ab34 ab12cd \"q\" (p) [b] {c} <a> `code` ~!@$%^&*=+|\\/?",
        ] {
            let (fast, reference) = both(text);
            assert_eq!(fast, reference, "{text:?}");
        }
        assert!(AsciiWordBounds::new("café").is_none());
        assert!(AsciiWordBounds::new("」と・").is_none());
        let (fast, reference) = both("」Rust「、c++。【tf-idf】『a_b』〃1,2、x.y《z》〈q〉");
        assert_eq!(fast, reference);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Random text from the characters the rules tell apart, and a few
        /// that fall in none of them.
        #[test]
        fn segments_equal_the_unicode_segmenter(
            text in "[aZ0_:,;.' \r\n\t\x0b\x0c\"#+\\-/@x9、。〃〈〉《》「」『』【】]{0,40}",
        ) {
            let (fast, reference) = both(&text);
            prop_assert_eq!(fast, reference);
        }

        /// Any printable ASCII and control characters.
        #[test]
        fn segments_equal_the_unicode_segmenter_on_any_ascii(text in "[\x00-\x7f]{0,60}") {
            let (fast, reference) = both(&text);
            prop_assert_eq!(fast, reference);
        }
    }
}
