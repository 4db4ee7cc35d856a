//! Word tokenizer for every non-Japanese run: Latin script, digits, other
//! alphabets.
//!
//! Words are found with Unicode word boundaries (UAX #29; ASCII runs are cut
//! by [`ascii_words`](super::ascii_words), the same boundaries without
//! tables), which already keep `node.js`, `don't` and `snake_case` whole. On top of that, two rules keep
//! technical terms intact, because splitting them would make them either
//! vanish (`c` is one character) or collide with unrelated words:
//!
//! - hyphenated compounds stay one term: `tf-idf`, `e-mail`, `real-time`;
//! - a word directly followed by `+`s or one `#` keeps them: `c++`, `g++`, `c#`, `f#`.
//!
//! Then each word is lowercased, a trailing possessive `'s` is removed, and
//! English stop words, pure numbers (`2024`, `3.14`, `2024-01-02`) and
//! one-character words are dropped. Optionally, plain alphabetic words are
//! reduced to their English Snowball stem (`searching` → `search`).
//!
//! With `split_compounds` (the default of the CLI), a compound joined by
//! `.`, `_` or `-` is emitted whole *and* as its parts, as search engines do
//! (Elasticsearch's `word_delimiter_graph` with `preserve_original`):
//! `node.js` → `node.js`, `node`, `js`; `azurerm_storage_account` → the whole,
//! `azurerm`, `storage`, `account`; `real-time` → `real-time`, `real`, `time`.
//! The parts go through the same rules (stop words, numbers and one-letter
//! parts dropped, stemming), so `e-mail` gives `e-mail`, `mail`.

use rust_stemmers::Stemmer;
use unicode_segmentation::UnicodeSegmentation;

use super::ascii_words::AsciiWordBounds;
use super::stopwords::is_english_stopword;

/// Calls `emit` with each term of `run`, in order. With a `stemmer`, plain
/// alphabetic words are stemmed (technical terms like `c++`, `node.js`,
/// `tf-idf` are left alone: stemming them would only corrupt them).
pub fn tokenize(
    run: &str,
    stemmer: Option<&Stemmer>,
    split_compounds: bool,
    emit: &mut dyn FnMut(&str),
) {
    // ASCII runs (most of them, with the `、` `「」` that often sit in the
    // Latin runs of Japanese text) are cut without Unicode's tables, into
    // the same segments.
    match AsciiWordBounds::new(run) {
        Some(segments) => tokenize_segments(run, segments, stemmer, split_compounds, emit),
        // Only a segment with a letter or digit is a word, so a run without
        // one has no term: the `、` `。` `「` `」` between Japanese runs,
        // which are most non-ASCII runs of Japanese text.
        None if !run.chars().any(char::is_alphanumeric) => {}
        None => {
            let segments = run.split_word_bound_indices();
            tokenize_segments(run, segments, stemmer, split_compounds, emit)
        }
    }
}

/// [`tokenize`] of `run` cut into `segments` at its word boundaries.
fn tokenize_segments<'a>(
    run: &'a str,
    mut segments: impl Iterator<Item = (usize, &'a str)> + Clone,
    stemmer: Option<&Stemmer>,
    split_compounds: bool,
    emit: &mut dyn FnMut(&str),
) {
    // Segments are read one at a time; look-ahead clones the (small)
    // iterator instead of collecting the run, so memory does not grow with
    // the length of a run (a 200 MB English file is one run).
    let mut lowered = String::new();
    while let Some((start, seg)) = segments.next() {
        if !is_word(seg) {
            continue;
        }
        let mut end = start + seg.len();
        // word ( "-" word )*
        loop {
            let mut ahead = segments.clone();
            match (ahead.next(), ahead.next()) {
                (Some((_, "-")), Some((at, word))) if is_word(word) => {
                    end = at + word.len();
                    segments = ahead;
                }
                _ => break,
            }
        }
        // c++ / c#: only when the symbols are not followed by another word
        // character, so `a+b` stays two words.
        let mut ahead = segments.clone();
        let mut suffix = 0;
        let mut next = ahead.next();
        while let Some((_, "+")) = next {
            suffix += 1;
            next = ahead.next();
        }
        if suffix == 0 && matches!(next, Some((_, "#"))) {
            suffix = 1;
            next = ahead.next();
        }
        if suffix > 0 && !next.is_some_and(|(_, s)| is_word(s)) {
            end += suffix; // '+' and '#' are one byte each
            for _ in 0..suffix {
                segments.next();
            }
        }
        let word = &run[start..end];
        if let Some(term) = normalize(word, &mut lowered) {
            emit_stemmed(term, stemmer, emit);
        }
        if split_compounds && word.contains(['.', '_', '-']) {
            for part in word.split(['.', '_', '-']) {
                if let Some(term) = normalize(part, &mut lowered) {
                    emit_stemmed(term, stemmer, emit);
                }
            }
        }
    }
}

fn emit_stemmed(term: &str, stemmer: Option<&Stemmer>, emit: &mut dyn FnMut(&str)) {
    match stemmer {
        Some(st) if term.chars().all(char::is_alphabetic) => emit(&st.stem(term)),
        _ => emit(term),
    }
}

/// A segment is a word if it has a letter or digit (UAX #29 also yields
/// punctuation and spaces as segments).
fn is_word(seg: &str) -> bool {
    seg.chars().any(char::is_alphanumeric)
}

/// Lowercases `word` into `buf` and applies the drop rules; `None` means drop.
fn normalize<'b>(word: &str, buf: &'b mut String) -> Option<&'b str> {
    buf.clear();
    for c in word.chars() {
        match c {
            // Typographic apostrophe: `Rust’s` must equal `Rust's`.
            '\u{2019}' => buf.push('\''),
            c if c.is_ascii() => buf.push(c.to_ascii_lowercase()),
            c => buf.extend(c.to_lowercase()),
        }
    }
    if buf.ends_with("'s") {
        buf.truncate(buf.len() - 2);
    }
    let term = buf.as_str();
    if term.chars().nth(1).is_none()
        || term.chars().all(|c| c.is_numeric() || matches!(c, '.' | ',' | '-' | '_' | ':'))
        || is_english_stopword(term)
    {
        return None;
    }
    Some(term)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize(text, None, false, &mut |t| out.push(t.to_string()));
        out
    }

    fn split(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize(text, None, true, &mut |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn compounds_give_the_whole_and_the_parts() {
        assert_eq!(split("Node.js"), ["node.js", "node", "js"]);
        assert_eq!(split("snake_case"), ["snake_case", "snake", "case"]);
        assert_eq!(split("real-time"), ["real-time", "real", "time"]);
        assert_eq!(
            split("azurerm_storage_account"),
            ["azurerm_storage_account", "azurerm", "storage", "account"]
        );
        // parts follow the word rules: no stop words, numbers or single letters
        assert_eq!(
            split("e-mail state-of-the-art v1.2.3"),
            ["e-mail", "mail", "state-of-the-art", "state", "art", "v1.2.3", "v1"]
        );
        assert_eq!(split("c++ c# plain 3.14"), ["c++", "c#", "plain"]);
        assert_eq!(terms("node.js real-time"), ["node.js", "real-time"], "off: whole only");
    }

    #[test]
    fn stemming_merges_inflections_but_spares_technical_terms() {
        let stemmer = Stemmer::create(rust_stemmers::Algorithm::English);
        let mut out = Vec::new();
        tokenize(
            "searching searches searched c++ node.js tf-idf",
            Some(&stemmer),
            false,
            &mut |t| out.push(t.to_string()),
        );
        assert_eq!(out, ["search", "search", "search", "c++", "node.js", "tf-idf"]);
        let mut out = Vec::new();
        tokenize("searching-engines", Some(&stemmer), true, &mut |t| out.push(t.to_string()));
        assert_eq!(out, ["searching-engines", "search", "engin"]);
    }

    #[test]
    fn lowercases_and_drops_stopwords() {
        assert_eq!(terms("The Quick brown FOX and the dog"), ["quick", "brown", "fox", "dog"]);
    }

    #[test]
    fn technical_terms_stay_whole() {
        assert_eq!(terms("TF-IDF in C++ and C# with Node.js"), ["tf-idf", "c++", "c#", "node.js"]);
        assert_eq!(terms("a+b"), Vec::<String>::new(), "one-letter operands are not c++");
        assert_eq!(terms("x-ray vision"), ["x-ray", "vision"]);
    }

    #[test]
    fn numbers_and_single_characters_are_dropped() {
        assert_eq!(terms("2024 3.14 1,000 2024-01-02 x y z v2 rust2024"), ["v2", "rust2024"]);
    }

    #[test]
    fn possessive_s_is_removed_whatever_the_apostrophe() {
        assert_eq!(terms("Rust's borrow checker"), ["rust", "borrow", "checker"]);
        assert_eq!(terms("Rust\u{2019}s borrow checker"), ["rust", "borrow", "checker"]);
    }

    #[test]
    fn sentence_punctuation_is_not_part_of_words() {
        assert_eq!(terms("search. (ranking), \"vectors\"!"), ["search", "ranking", "vectors"]);
    }

    #[test]
    fn other_alphabets_are_words_too() {
        assert_eq!(terms("Über große Straße"), ["über", "große", "straße"]);
        assert_eq!(terms("Привет мир"), ["привет", "мир"]);
    }
}
