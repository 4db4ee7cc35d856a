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
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use hashbrown::HashTable;
use xxhash_rust::xxh3::xxh3_64;

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
    /// Tells this tokenizer's entries in a thread's [`RunMemo`] from those
    /// of another (whose options may keep other words). Never reused.
    id: u64,
}

/// Source of [`JapaneseTokenizer::id`].
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

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
    static MEMO: RefCell<RunMemo> = RefCell::new(RunMemo::default());
}

/// Runs of at most this many bytes (8 kana or kanji) are segmented once per
/// thread and their terms replayed when the run comes again.
///
/// lindera costs ~0.8 µs per character however short the run, and short
/// runs recur: the particles and phrases between English words of a
/// technical post (`の`, `を使って`), the fragments between `、`. On the
/// livedoor and zenn corpora, runs of at most 8 characters that were seen
/// before take 9–11 % of lindera's time; longer runs rarely repeat
/// (measured in BENCHMARKS.md, "Short runs segmented once").
const MEMO_MAX_RUN: usize = 24;

/// Distinct runs one thread's memo keeps. Once full it stops adding (the
/// runs that come often are met early and are already in it): ~13 MB.
const MEMO_CAPACITY: usize = 1 << 17;

/// Terms of the short runs a thread has segmented ([`MEMO_MAX_RUN`]).
/// Segmentation is a function of the run and the tokenizer's options, so a
/// replay emits exactly the terms, in the same order, that segmenting again
/// would.
#[derive(Default)]
struct RunMemo {
    /// [`JapaneseTokenizer::id`] of the tokenizer that made the entries.
    owner: u64,
    table: HashTable<MemoEntry>,
    /// Every run's bytes followed by its terms' bytes.
    bytes: String,
    /// `(start, end)` in `bytes` of every term, each run's terms together.
    terms: Vec<(u32, u32)>,
}

/// One run of a [`RunMemo`]: its hash, where its bytes are, and which of
/// [`RunMemo::terms`] are its terms.
#[derive(Clone, Copy)]
struct MemoEntry {
    hash: u64,
    run: (u32, u32),
    terms: (u32, u32),
}

impl RunMemo {
    /// Calls `emit` with the terms of `run` if it was segmented before.
    fn replay(&self, hash: u64, run: &str, emit: &mut dyn FnMut(&str)) -> bool {
        let bytes = &self.bytes;
        let found = self
            .table
            .find(hash, |e| e.hash == hash && &bytes[e.run.0 as usize..e.run.1 as usize] == run);
        let Some(entry) = found else { return false };
        for &(start, end) in &self.terms[entry.terms.0 as usize..entry.terms.1 as usize] {
            emit(&bytes[start as usize..end as usize]);
        }
        true
    }

    /// Segments `run` with `segment`, recording the terms it emits (and
    /// passing them on to `emit`).
    fn record(
        &mut self,
        hash: u64,
        run: &str,
        segment: impl FnOnce(&mut dyn FnMut(&str)),
        emit: &mut dyn FnMut(&str),
    ) {
        let offset = |n: usize| u32::try_from(n).expect("a memo is far below 4 GB");
        let run_start = offset(self.bytes.len());
        self.bytes.push_str(run);
        let run_span = (run_start, offset(self.bytes.len()));
        let first = offset(self.terms.len());
        segment(&mut |term| {
            let start = offset(self.bytes.len());
            self.bytes.push_str(term);
            self.terms.push((start, offset(self.bytes.len())));
            emit(term);
        });
        let entry = MemoEntry { hash, run: run_span, terms: (first, offset(self.terms.len())) };
        self.table.insert_unique(hash, entry, |e| e.hash);
    }

    /// Forgets every run and takes the entries of tokenizer `owner`.
    fn reset(&mut self, owner: u64) {
        *self = RunMemo { owner, ..RunMemo::default() };
    }
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
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Ok(JapaneseTokenizer { segmenter, options, known, id })
    }

    /// Calls `emit` with each content word of `run` (text in Japanese script).
    /// Short runs go through this thread's [`RunMemo`].
    pub fn tokenize(&self, run: &str, emit: &mut dyn FnMut(&str)) {
        if run.len() > MEMO_MAX_RUN {
            return self.segment(run, emit);
        }
        MEMO.with_borrow_mut(|memo| {
            if memo.owner != self.id {
                memo.reset(self.id);
            }
            let hash = xxh3_64(run.as_bytes());
            if memo.replay(hash, run, emit) {
                return;
            }
            match memo.table.len() < MEMO_CAPACITY {
                true => memo.record(hash, run, |record| self.segment(run, record), emit),
                false => self.segment(run, emit),
            }
        });
    }

    /// [`JapaneseTokenizer::tokenize`] without the memo.
    fn segment(&self, run: &str, emit: &mut dyn FnMut(&str)) {
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

    /// The Japanese runs of the fixtures, as the analyzer cuts them.
    fn fixture_runs(text: &str) -> Vec<&str> {
        let runs = crate::text::script::runs(text);
        runs.filter(|(s, _)| *s == crate::text::script::Script::Japanese).map(|(_, r)| r).collect()
    }

    fn terms(each: impl FnOnce(&mut dyn FnMut(&str))) -> Vec<String> {
        let mut out = Vec::new();
        each(&mut |t| out.push(t.to_owned()));
        out
    }

    #[test]
    fn replayed_runs_give_the_terms_of_segmenting_them_again() {
        let text = fixture_text();
        let runs = fixture_runs(&text);
        let short = runs.iter().filter(|r| r.len() <= MEMO_MAX_RUN).count();
        assert!(short > 500 && short < runs.len(), "{short} of {}", runs.len());
        let distinct: std::collections::HashSet<_> =
            runs.iter().filter(|r| r.len() <= MEMO_MAX_RUN).collect();
        // Repeated short runs, so some of the terms below are replays.
        assert!(distinct.len() + 100 < short, "{} of {short}", distinct.len());
        // Two tokenizers with different filters, one after the other on this
        // thread: each gets its own terms, never the other's from the memo.
        let a = JapaneseTokenizer::new(JapaneseOptions::default()).unwrap();
        let b = JapaneseTokenizer::new(JapaneseOptions {
            keep_suffix: true,
            lemma: false,
            nouns_only: true,
        })
        .unwrap();
        for t in [&a, &b, &a] {
            for run in &runs {
                let want = terms(|e| t.segment(run, e));
                assert_eq!(terms(|e| t.tokenize(run, e)), want, "{:?}: {run}", t.options);
            }
            let held = MEMO.with_borrow(|m| (m.owner, m.table.len()));
            assert_eq!(held, (t.id, distinct.len()));
        }
    }

    #[test]
    fn a_memo_replays_only_the_runs_it_recorded() {
        let tokenizer = JapaneseTokenizer::new(JapaneseOptions::default()).unwrap();
        let mut memo = RunMemo::default();
        memo.reset(tokenizer.id);
        let record = |memo: &mut RunMemo, run: &str| {
            let hash = xxh3_64(run.as_bytes());
            memo.record(hash, run, |e| tokenizer.segment(run, e), &mut |_| {});
        };
        record(&mut memo, "東京都の天気");
        record(&mut memo, "の");
        let replayed = |memo: &RunMemo, run: &str| {
            let mut out = Vec::new();
            let hit = memo.replay(xxh3_64(run.as_bytes()), run, &mut |t| out.push(t.to_owned()));
            hit.then_some(out)
        };
        assert_eq!(replayed(&memo, "東京都の天気").unwrap(), ["東京", "天気"]);
        assert_eq!(replayed(&memo, "の").unwrap(), Vec::<String>::new());
        assert_eq!(replayed(&memo, "東京都"), None);
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
