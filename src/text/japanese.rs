//! Japanese runs → content words, with lindera and the embedded IPADIC.
//!
//! This is the only file that imports lindera: its API changes between
//! versions, so everything else talks to [`JapaneseTokenizer`].
//!
//! The dictionary is built from Debian's `mecab-ipadic` source by `build.rs`
//! and baked into the binary, so no file or network access is needed at run
//! time. IPADIC token details are
//! `品詞,品詞細分類1,品詞細分類2,品詞細分類3,活用型,活用形,原形,読み,発音`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};

use lindera::dictionary::Lattice;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera::token::Token;

use super::stopwords::is_japanese_stopword;

mod embedded {
    // Generates `load()` over `include_bytes!` of `$OUT_DIR/lindera-ipadic/*`.
    lindera_dictionary::embedded_dictionary!("/lindera-ipadic", IpadicLoader);
}

/// Which Japanese words become terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JapaneseOptions {
    /// Keep noun suffixes (名詞,接尾: `〜さん`, `〜的`, `〜化`). Off by default:
    /// they attach to everything and link unrelated articles.
    pub keep_suffix: bool,
    /// Use the dictionary base form (`原形`: 書いた → 書く) rather than the
    /// surface form, so inflections of one verb count as one term.
    pub lemma: bool,
    /// Keep only nouns (drop 自立 verbs and adjectives).
    pub nouns_only: bool,
}

impl Default for JapaneseOptions {
    fn default() -> Self {
        JapaneseOptions { keep_suffix: false, lemma: true, nouns_only: false }
    }
}

/// lindera's segmenter over the embedded IPADIC, with the part-of-speech
/// filter of one [`JapaneseOptions`]. Cheap to share: `&self` methods only,
/// one lattice per thread.
pub struct JapaneseTokenizer {
    segmenter: Segmenter,
    options: JapaneseOptions,
    /// What [`content_word`] decided for each word of the system dictionary,
    /// filled as words are met ([`UNSEEN`], [`DROP`], [`SURFACE`], [`BASE`]).
    /// A dictionary word has one surface and one entry, so the decision is a
    /// function of its id; caching it saves reading the entry's details from
    /// the dictionary's bytes, two dependent cache misses per token that
    /// cost a fifth of the analysis of Japanese text. Threads race benignly:
    /// they store the same value.
    known: Box<[AtomicU8]>,
}

/// [`JapaneseTokenizer::known`]: not decided yet.
const UNSEEN: u8 = 0;
/// [`JapaneseTokenizer::known`]: not a term.
const DROP: u8 = 1;
/// [`JapaneseTokenizer::known`]: the term is the token's surface.
const SURFACE: u8 = 2;
/// [`JapaneseTokenizer::known`]: the term is the base form, read from the
/// entry each time (inflected verbs and adjectives only).
const BASE: u8 = 3;

thread_local! {
    // The viterbi lattice is reused across calls on one thread instead of
    // being allocated for every run.
    static LATTICE: RefCell<Lattice> = RefCell::new(Lattice::default());
}

/// The dictionary could not be loaded (only possible if the embedded bytes
/// were built by an incompatible lindera version).
#[derive(Debug, thiserror::Error)]
#[error("could not load the embedded Japanese dictionary: {0}")]
pub struct DictionaryError(String);

impl DictionaryError {
    pub(crate) fn from_message(message: &str) -> Self {
        DictionaryError(message.to_owned())
    }
}

impl JapaneseTokenizer {
    /// Loads the embedded dictionary (about 1 ms warm, tens of ms cold).
    pub fn new(options: JapaneseOptions) -> Result<Self, DictionaryError> {
        let dictionary = embedded::load().map_err(|e| DictionaryError(e.to_string()))?;
        // One little-endian u32 offset per system-dictionary word.
        let words = dictionary.prefix_dictionary.words_idx_data.len() / 4;
        let known = (0..words).map(|_| AtomicU8::new(UNSEEN)).collect();
        let segmenter = Segmenter::new(Mode::Normal, dictionary, None);
        Ok(JapaneseTokenizer { segmenter, options, known })
    }

    /// Calls `emit` with each content word of `run` (text in Japanese script).
    pub fn tokenize(&self, run: &str, emit: &mut dyn FnMut(&str)) {
        LATTICE.with_borrow_mut(|lattice| {
            match self.segmenter.segment_with_lattice(Cow::Borrowed(run), lattice) {
                Ok(tokens) => {
                    for token in &tokens {
                        if let Some(term) = self.term(token) {
                            emit(term);
                        }
                    }
                }
                // Segmentation has no failure mode on valid UTF-8 today; if a
                // future lindera adds one, keep the run as a single term
                // rather than silently losing its words.
                Err(_) => emit(run),
            }
        });
    }

    /// [`content_word`] of `token`, through the [`JapaneseTokenizer::known`]
    /// cache for dictionary words.
    fn term<'t>(&self, token: &'t Token<'_>) -> Option<&'t str> {
        let id = token.word_id;
        let slot = match id.is_unknown() || !id.is_system() {
            true => None,
            false => self.known.get(id.id() as usize),
        };
        let Some(slot) = slot else {
            return content_word(token, &self.options);
        };
        match slot.load(Ordering::Relaxed) {
            DROP => None,
            SURFACE => Some(token.surface.as_ref()),
            BASE => content_word(token, &self.options),
            _ => {
                let term = content_word(token, &self.options);
                let decision = match term {
                    None => DROP,
                    Some(t) if t == token.surface.as_ref() => SURFACE,
                    Some(_) => BASE,
                };
                slot.store(decision, Ordering::Relaxed);
                term
            }
        }
    }
}

impl JapaneseTokenizer {
    /// lindera alone: segments `text` as it is (no normalization, no script
    /// split, no part-of-speech filter) and calls `touch` with every token's
    /// surface. The floor the analyzer is measured against
    /// (`examples/analyze_throughput.rs`); not used to make terms.
    pub fn segment_raw(&self, text: &str, touch: &mut dyn FnMut(&str)) {
        LATTICE.with_borrow_mut(|lattice| {
            if let Ok(tokens) = self.segmenter.segment_with_lattice(Cow::Borrowed(text), lattice) {
                for token in &tokens {
                    touch(token.surface.as_ref());
                }
            }
        });
    }
}

/// The term for `token`, or `None` if its part of speech carries no topic.
///
/// Reads the details straight from the dictionary's bytes instead of through
/// `Token::details()`, which allocates a vector per token: this runs for
/// every Japanese word of every article.
fn content_word<'t>(token: &'t Token<'_>, opts: &JapaneseOptions) -> Option<&'t str> {
    let id = token.word_id.id() as usize;
    let mut fields = if token.word_id.is_unknown() {
        token.dictionary.unknown_word_details_iter(id)
    } else {
        token.dictionary.word_details_iter(id)
    };
    let pos = fields.next().unwrap_or("*");
    let sub1 = fields.next().unwrap_or("*");
    let keep = match pos {
        "名詞" => match sub1 {
            "非自立" | "代名詞" | "数" | "特殊" | "動詞非自立的" | "接続詞的" | "引用文字列" => {
                false
            }
            "接尾" => opts.keep_suffix,
            _ => true,
        },
        "動詞" | "形容詞" => !opts.nouns_only && sub1 == "自立",
        _ => false,
    };
    if !keep {
        return None;
    }
    // Fields 2..=5 are sub-categories and conjugation; 6 is the base form.
    let base = fields.nth(4).unwrap_or("*");
    let term = if opts.lemma && base != "*" { base } else { token.surface.as_ref() };
    // A lone kana (こ, ら, ヶ) is almost always a mis-segmentation fragment;
    // a lone kanji (本, 車, 山) is a real word and stays.
    let mut chars = term.chars();
    let first = chars.next()?;
    if chars.next().is_none() && !is_kanji(first) {
        return None;
    }
    if is_japanese_stopword(term) {
        return None;
    }
    Some(term)
}

fn is_kanji(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real Japanese text: the livedoor articles of the fixtures.
    fn fixture_text() -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/livedoor-sample");
        let mut paths: Vec<_> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }

    #[test]
    fn cached_decisions_equal_the_part_of_speech_filter_for_every_option() {
        let text = fixture_text();
        for bits in 0..8 {
            let options = JapaneseOptions {
                keep_suffix: bits & 1 != 0,
                lemma: bits & 2 != 0,
                nouns_only: bits & 4 != 0,
            };
            let tokenizer = JapaneseTokenizer::new(options).unwrap();
            let tokens = tokenizer.segmenter.segment(Cow::Borrowed(text.as_str())).unwrap();
            assert!(tokens.len() > 10_000, "{}", tokens.len());
            // Twice: the first pass fills the cache, the second reads it.
            for pass in 0..2 {
                let mut kept = 0;
                for token in &tokens {
                    let want = content_word(token, &options);
                    assert_eq!(
                        tokenizer.term(token),
                        want,
                        "{options:?} pass {pass}: {}",
                        token.surface
                    );
                    kept += usize::from(want.is_some());
                }
                assert!(kept > 1000 && kept < tokens.len(), "{options:?}: {kept}");
            }
            let decided = tokenizer.known.iter().filter(|s| s.load(Ordering::Relaxed) != UNSEEN);
            let (mut surface, mut base) = (0, 0);
            for slot in decided {
                match slot.load(Ordering::Relaxed) {
                    SURFACE => surface += 1,
                    BASE => base += 1,
                    _ => {}
                }
            }
            assert!(surface > 1000, "{options:?}: {surface}");
            // Inflected verbs and adjectives read their base form each time.
            assert_eq!(base > 0, options.lemma && !options.nouns_only, "{options:?}: {base}");
        }
    }
}
