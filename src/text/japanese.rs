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
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};

use lindera::dictionary::{Dictionary, Lattice, WordId};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::viterbi::LatticeOptions;

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
    /// For each [`BASE`] word, where its base form lies in the dictionary's
    /// word details once read: `(offset << 6 | length) + 1`, 0 until then
    /// ([`BaseForm`]). Reading their details at every occurrence was ~5 %
    /// of the analyzer's profile on synthetic text.
    bases: Box<[AtomicU32]>,
}

/// [`JapaneseTokenizer::known`]: not decided yet.
const UNSEEN: u8 = 0;
/// [`JapaneseTokenizer::known`]: not a term.
const DROP: u8 = 1;
/// [`JapaneseTokenizer::known`]: the term is the token's surface.
const SURFACE: u8 = 2;
/// [`JapaneseTokenizer::known`]: the term is the base form (inflected verbs
/// and adjectives only), found through [`JapaneseTokenizer::bases`].
const BASE: u8 = 3;

/// A base form's place in the dictionary's word details, packed in a `u32`
/// for [`JapaneseTokenizer::bases`].
struct BaseForm;

impl BaseForm {
    /// `term`'s place in `details`, packed, if it lies there and fits.
    fn pack(term: &str, details: &[u8]) -> Option<u32> {
        let offset = (term.as_ptr() as usize).wrapping_sub(details.as_ptr() as usize);
        let inside = offset < details.len() && term.len() <= details.len() - offset;
        let fits = offset < 1 << 26 && term.len() < 1 << 6;
        (inside && fits).then(|| ((offset as u32) << 6 | term.len() as u32) + 1)
    }

    /// The term packed by [`BaseForm::pack`] (`None` for 0, not packed).
    fn unpack(packed: u32, details: &[u8]) -> Option<&str> {
        let packed = packed.checked_sub(1)?;
        let (offset, len) = ((packed >> 6) as usize, (packed & 63) as usize);
        std::str::from_utf8(details.get(offset..offset + len)?).ok()
    }
}

/// Runs of this many bytes or more go through the segmenter, which cuts
/// them into lattices of at most this size (lindera's own limit,
/// `MAX_SENTENCE_BYTES`; a lattice's positions are 16-bit).
const MAX_LATTICE_BYTES: usize = 32 * 1024;

thread_local! {
    // The viterbi lattice and its read-back buffer are reused across calls
    // on one thread instead of being allocated for every run.
    static SCRATCH: RefCell<(Lattice, Vec<(usize, WordId)>)> = RefCell::default();
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
        let bases = (0..words).map(|_| AtomicU32::new(0)).collect();
        let segmenter = Segmenter::new(Mode::Normal, dictionary, None);
        Ok(JapaneseTokenizer { segmenter, options, known, bases })
    }

    /// Calls `emit` with each content word of `run` (text in Japanese
    /// script), from the lattice of the run read back as (word id, surface)
    /// pairs.
    ///
    /// A run is one of lindera's sentences as it is: it holds no sentence
    /// end (`\n`, `\t`, `、`, `。`) and no whitespace (none of them is
    /// Japanese script), so `Segmenter::segment` would give it one lattice
    /// and drop no token. Going to the lattice directly skips building a
    /// `Token` (and two vectors) per call, which short runs pay for most.
    /// A run too long for one lattice takes the segmenter's path, which
    /// cuts it.
    pub fn tokenize(&self, run: &str, emit: &mut dyn FnMut(&str)) {
        if run.is_empty() {
            return;
        }
        if run.len() >= MAX_LATTICE_BYTES {
            return self.segment_long(run, emit);
        }
        let segmenter = &self.segmenter;
        let dictionary = &segmenter.dictionary;
        let mut options = LatticeOptions::new(&segmenter.mode);
        options.max_grouping_len = segmenter.max_grouping_len;
        options.unknown_word_ladder = segmenter.unknown_word_ladder;
        SCRATCH.with_borrow_mut(|(lattice, offsets)| {
            lattice.set_text_with_options(
                &dictionary.prefix_dictionary,
                &None,
                &dictionary.character_definition,
                &dictionary.unknown_dictionary,
                &dictionary.connection_cost_matrix,
                run,
                &options,
            );
            lattice.tokens_offset_into(offsets);
            for (i, &(start, word_id)) in offsets.iter().enumerate() {
                let end = offsets.get(i + 1).map_or(run.len(), |next| next.0);
                if let Some(term) = self.term(word_id, &run[start..end]) {
                    emit(term);
                }
            }
        });
    }

    /// [`JapaneseTokenizer::tokenize`] of a run longer than one lattice
    /// takes, through the segmenter, which cuts it.
    fn segment_long(&self, run: &str, emit: &mut dyn FnMut(&str)) {
        SCRATCH.with_borrow_mut(|(lattice, _)| {
            match self.segmenter.segment_with_lattice(Cow::Borrowed(run), lattice) {
                Ok(tokens) => {
                    for token in &tokens {
                        if let Some(term) = self.term(token.word_id, token.surface.as_ref()) {
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

    /// [`content_word`] of a token, through the [`JapaneseTokenizer::known`]
    /// cache for dictionary words.
    fn term<'t>(&'t self, id: WordId, surface: &'t str) -> Option<&'t str> {
        let slot = match id.is_unknown() || !id.is_system() {
            true => None,
            false => self.known.get(id.id() as usize),
        };
        let dictionary = &self.segmenter.dictionary;
        let Some(slot) = slot else {
            return content_word(dictionary, id, surface, &self.options);
        };
        match slot.load(Ordering::Relaxed) {
            DROP => None,
            SURFACE => Some(surface),
            BASE => {
                let details: &[u8] = &dictionary.prefix_dictionary.words_data;
                let base = &self.bases[id.id() as usize];
                if let Some(term) = BaseForm::unpack(base.load(Ordering::Relaxed), details) {
                    return Some(term);
                }
                let term = content_word(dictionary, id, surface, &self.options);
                if let Some(packed) = term.and_then(|t| BaseForm::pack(t, details)) {
                    base.store(packed, Ordering::Relaxed);
                }
                term
            }
            _ => {
                let term = content_word(dictionary, id, surface, &self.options);
                let decision = match term {
                    None => DROP,
                    Some(t) if t == surface => SURFACE,
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
        SCRATCH.with_borrow_mut(|(lattice, _)| {
            if let Ok(tokens) = self.segmenter.segment_with_lattice(Cow::Borrowed(text), lattice) {
                for token in &tokens {
                    touch(token.surface.as_ref());
                }
            }
        });
    }
}

/// The term for the token `surface` of dictionary word `id`, or `None` if
/// its part of speech carries no topic.
///
/// Reads the details straight from the dictionary's bytes instead of through
/// `Token::details()`, which allocates a vector per token: this runs for
/// every Japanese word of every article.
fn content_word<'t>(
    dictionary: &'t Dictionary,
    id: WordId,
    surface: &'t str,
    opts: &JapaneseOptions,
) -> Option<&'t str> {
    let mut fields = if id.is_unknown() {
        dictionary.unknown_word_details_iter(id.id() as usize)
    } else {
        dictionary.word_details_iter(id.id() as usize)
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
    let term = if opts.lemma && base != "*" { base } else { surface };
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
                    let (id, surface) = (token.word_id, token.surface.as_ref());
                    let want = content_word(&tokenizer.segmenter.dictionary, id, surface, &options);
                    assert_eq!(
                        tokenizer.term(id, surface),
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
            // Inflected verbs and adjectives have a base form, found where
            // it lies in the dictionary from the second time on.
            assert_eq!(base > 0, options.lemma && !options.nouns_only, "{options:?}: {base}");
            let placed = tokenizer.bases.iter().filter(|b| b.load(Ordering::Relaxed) != 0).count();
            assert!(placed <= base && (placed > base / 2) == (base > 0), "{placed} of {base}");
        }
    }

    /// Every Japanese run of `text`, in order.
    fn japanese_runs(text: &str) -> Vec<&str> {
        crate::text::script::runs(text)
            .filter(|(script, _)| *script == crate::text::script::Script::Japanese)
            .map(|(_, run)| run)
            .collect()
    }

    /// The terms of `run` through the segmenter's tokens, as the tokenizer
    /// made them before it read the lattice directly.
    fn reference_terms(tokenizer: &JapaneseTokenizer, run: &str) -> Vec<String> {
        let tokens = tokenizer.segmenter.segment(Cow::Borrowed(run)).unwrap();
        let dictionary = &tokenizer.segmenter.dictionary;
        tokens
            .iter()
            .filter_map(|t| content_word(dictionary, t.word_id, &t.surface, &tokenizer.options))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_lattice_gives_the_segmenters_terms_for_every_run() {
        let text = fixture_text();
        let runs = japanese_runs(&text);
        assert!(runs.len() > 2_000, "{}", runs.len());
        // A run too long for one lattice, cut by the segmenter.
        let long = "日本語の文章".repeat(MAX_LATTICE_BYTES / 18 + 100);
        for options in
            [JapaneseOptions::default(), JapaneseOptions { lemma: false, ..Default::default() }]
        {
            let tokenizer = JapaneseTokenizer::new(options).unwrap();
            // Twice: the first pass fills the caches of decisions and base
            // forms, the second reads them.
            for pass in 0..2 {
                for run in runs.iter().copied().chain([long.as_str()]) {
                    let mut got = Vec::new();
                    tokenizer.tokenize(run, &mut |t| got.push(t.to_owned()));
                    assert_eq!(
                        got,
                        reference_terms(&tokenizer, run),
                        "{options:?} pass {pass}: {run}"
                    );
                }
            }
        }
    }
}
