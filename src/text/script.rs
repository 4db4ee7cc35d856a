//! Splits normalized text into runs of one script family.
//!
//! Japanese runs (Han, Hiragana, Katakana and the marks that live inside
//! Japanese words) go to lindera; everything else goes to the Latin word
//! tokenizer. Sending only Japanese runs to lindera keeps English words out of
//! its unknown-word handling (which would tag `Rust` as `名詞,固有名詞,組織`)
//! and means English-only text never needs the dictionary at all.

/// Which tokenizer a run of text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Han, Hiragana, Katakana and Japanese iteration/length marks.
    Japanese,
    /// Everything else: Latin, digits, punctuation, other scripts.
    Other,
}

/// Classifies one character.
pub fn script_of(c: char) -> Script {
    if is_japanese(c) { Script::Japanese } else { Script::Other }
}

/// True for characters that lindera should see as part of a Japanese word.
pub fn is_japanese(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007      // 々 〆 〇
        | 0x3041..=0x309F    // Hiragana (incl. ゝゞ)
        | 0x30A1..=0x30FA    // Katakana letters (not ・ U+30FB, a separator)
        | 0x30FC..=0x30FF    // ー ヽ ヾ ヿ
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana (NFKC maps most away)
        | 0x20000..=0x2FA1F  // CJK Extensions B.. and compatibility supplement
    )
}

/// Iterates over maximal runs of one [`Script`], as `(script, &text)` slices
/// that borrow from `text` and cover it exactly.
pub fn runs(text: &str) -> impl Iterator<Item = (Script, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let script = script_of(first);
        let end = rest
            .char_indices()
            .find(|&(_, c)| script_of(c) != script)
            .map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some((script, run))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Vec<(Script, &str)> {
        runs(text).collect()
    }

    #[test]
    fn mixed_text_splits_at_script_changes() {
        assert_eq!(
            collect("Rustで高速なTF-IDF検索"),
            vec![
                (Script::Other, "Rust"),
                (Script::Japanese, "で高速な"),
                (Script::Other, "TF-IDF"),
                (Script::Japanese, "検索"),
            ]
        );
    }

    #[test]
    fn katakana_with_long_vowel_mark_stays_one_run() {
        assert_eq!(collect("トートバッグ"), vec![(Script::Japanese, "トートバッグ")]);
        assert_eq!(collect("人々"), vec![(Script::Japanese, "人々")]);
    }

    #[test]
    fn japanese_punctuation_separates_runs() {
        let runs = collect("東京。大阪、京都");
        assert_eq!(runs.iter().filter(|(s, _)| *s == Script::Japanese).count(), 3);
    }

    #[test]
    fn runs_cover_the_input_exactly() {
        let text = "a東b京 ｃ。!";
        assert_eq!(runs(text).map(|(_, r)| r).collect::<String>(), text);
        assert!(collect("").is_empty());
    }
}
