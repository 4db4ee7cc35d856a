//! Text analysis: one article's text → the terms that describe it.
//!
//! Steps, in order:
//! 1. NFKC normalization, so full-width `ＡＢＣ１２３` equals `ABC123` and
//!    half-width katakana equals full-width.
//! 2. Split into script runs ([`script::runs`]).
//! 3. Japanese runs → lindera with a part-of-speech filter ([`japanese`]);
//!    every other run → the word tokenizer ([`latin`]).
//!
//! The [`Analyzer`] is built once and shared by reference across threads.
//! The Japanese dictionary is loaded the first time Japanese text is seen, so
//! an English-only site never pays for it.

mod ascii_words;
pub mod japanese;
pub mod latin;
pub mod script;
pub mod stopwords;

use std::borrow::Cow;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use japanese::JapaneseTokenizer;
pub use japanese::{DictionaryError, JapaneseOptions};
use script::Script;

/// Settings that change which terms come out of a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalyzerOptions {
    /// What the Japanese part-of-speech filter keeps.
    pub japanese: JapaneseOptions,
    /// Reduce English words to their Snowball stem.
    pub stem: bool,
    /// Emit compounds (`node.js`, `snake_case`, `real-time`) whole and as
    /// their parts (`latin`).
    pub split_compounds: bool,
}

/// Turns text into terms. Create one and share `&Analyzer` between threads.
pub struct Analyzer {
    options: AnalyzerOptions,
    japanese: OnceLock<Result<JapaneseTokenizer, String>>,
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    /// An analyzer with the given options. Does not load the dictionary yet.
    pub fn new(options: AnalyzerOptions) -> Self {
        let stemmer = options.stem.then(|| Stemmer::create(Algorithm::English));
        Analyzer { options, japanese: OnceLock::new(), stemmer }
    }

    /// The options this analyzer was built with.
    pub fn options(&self) -> &AnalyzerOptions {
        &self.options
    }

    /// Loads the Japanese dictionary now instead of on first use, so that a
    /// broken build is reported before any work is done.
    pub fn load_dictionary(&self) -> Result<(), DictionaryError> {
        self.japanese().map(|_| ())
    }

    /// Whether the Japanese dictionary has been loaded (it is loaded lazily).
    pub fn dictionary_loaded(&self) -> bool {
        self.japanese.get().is_some()
    }

    fn japanese(&self) -> Result<&JapaneseTokenizer, DictionaryError> {
        self.japanese
            .get_or_init(|| {
                JapaneseTokenizer::new(self.options.japanese).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| DictionaryError::from_message(e))
    }

    /// The terms of `text`, in order of appearance, with repeats.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_term(text, &mut |t| out.push(t.to_owned()));
        out
    }

    /// Calls `emit` with each term of `text`, in order of appearance. Avoids
    /// allocating a `String` per term where the caller interns terms itself.
    pub fn for_each_term(&self, text: &str, emit: &mut dyn FnMut(&str)) {
        let text = nfkc(text);
        for (script, run) in script::runs(&text) {
            match script {
                Script::Other => {
                    latin::tokenize(run, self.stemmer.as_ref(), self.options.split_compounds, emit)
                }
                Script::Japanese => match self.japanese() {
                    Ok(tokenizer) => tokenizer.tokenize(run, emit),
                    // Unreachable with a correctly built binary (the
                    // dictionary is embedded); `load_dictionary` reports it
                    // up front, so here the run is kept whole.
                    Err(_) => emit(run),
                },
            }
        }
    }

    /// Raw lindera, for measuring the analyzer against it: segments all of
    /// `text` with the same dictionary and mode as [`Analyzer::for_each_term`]
    /// but without normalization, script runs, filtering or stemming, and
    /// calls `touch` with every token's surface (punctuation and English
    /// words included). Loads the dictionary if needed.
    pub fn segment_raw(
        &self,
        text: &str,
        touch: &mut dyn FnMut(&str),
    ) -> Result<(), DictionaryError> {
        self.japanese()?.segment_raw(text, touch);
        Ok(())
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(AnalyzerOptions::default())
    }
}

/// NFKC-normalizes `text`, borrowing it when it is already normalized (all
/// ASCII text is, and most Japanese prose passes the quick check).
///
/// Otherwise only the stretches that need it go through the normalizer:
/// the text is cut before every [`safe_boundary`] character, and a piece is
/// normalized only if one of its characters is not plainly NFKC (quick
/// check not `Yes`, or a combining mark that might be out of order). A
/// news article with a few full-width `！` or `（` is otherwise copied as
/// it is, instead of being decomposed and recomposed whole.
fn nfkc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    // `text[..copied]` is in `out`; the current piece starts at `piece`.
    let (mut copied, mut piece, mut dirty) = (0, 0, false);
    for (i, c) in text.char_indices() {
        if safe_boundary(c) {
            if dirty {
                out.push_str(&text[copied..piece]);
                out.extend(text[piece..i].nfkc());
                copied = i;
                dirty = false;
            }
            piece = i;
        } else if !dirty && !plainly_nfkc(c) {
            dirty = true;
        }
    }
    out.push_str(&text[copied..piece]);
    match dirty {
        true => out.extend(text[piece..].nfkc()),
        false => out.push_str(&text[piece..]),
    }
    Cow::Owned(out)
}

/// Characters that NFKC leaves alone and that never combine with what is
/// before them (no composition has them as its second part), so that
/// `NFKC(a + c + b) = NFKC(a) + c + NFKC(b)`: ASCII, `、` `。`, hiragana and
/// katakana letters (not the combining sound marks), and the CJK unified
/// ideographs.
fn safe_boundary(c: char) -> bool {
    c.is_ascii()
        || matches!(c as u32, 0x3001 | 0x3002 | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x4E00..=0x9FFF)
}

/// True if `c` alone is NFKC and is not a combining mark (marks are left to
/// the normalizer, which also puts them in canonical order).
fn plainly_nfkc(c: char) -> bool {
    canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

#[cfg(test)]
mod tests;
