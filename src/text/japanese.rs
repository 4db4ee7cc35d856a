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

/// lindera's segmenter over the embedded IPADIC. Cheap to share: `&self`
/// methods only, one lattice per thread.
pub struct JapaneseTokenizer {
    segmenter: Segmenter,
}

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
    pub fn new() -> Result<Self, DictionaryError> {
        let dictionary = embedded::load().map_err(|e| DictionaryError(e.to_string()))?;
        Ok(JapaneseTokenizer { segmenter: Segmenter::new(Mode::Normal, dictionary, None) })
    }

    /// Calls `emit` with each content word of `run` (text in Japanese script).
    pub fn tokenize(&self, run: &str, opts: &JapaneseOptions, emit: &mut dyn FnMut(&str)) {
        LATTICE.with_borrow_mut(|lattice| {
            match self.segmenter.segment_with_lattice(Cow::Borrowed(run), lattice) {
                Ok(tokens) => {
                    for token in &tokens {
                        if let Some(term) = content_word(token, opts) {
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
