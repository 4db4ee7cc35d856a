//! The pipeline, stage after stage: [`read_corpus`] (discover → read and
//! extract → the site's rules and keys) and [`compute`] (analyze → TF-IDF →
//! LSI → similar → pinned and filled lists), with the term cache between
//! runs ([`cache`]). Each stage lives in its own module; this one only calls
//! them in order, times them and reports progress. It prints nothing.

pub mod cache;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::document::{Corpus, DocId, Document};
use crate::error::{self, Error, Message, Result, Setting, message};
use crate::extract::load;
use crate::options::{
    FieldWeights, LSI_MAX_DOCS, Options, ReadOptions, auto_max_terms, auto_shortlist, max_threads,
};
use crate::outcome::{Neighbour, Outcome, Search, Stage, StageName, Warning};
use crate::similar::{self, Related, TopKOptions};
use crate::site::{self, filter, keys, lists};
use crate::source;
use crate::text::Analyzer;
use crate::vector::{self, TfIdfMatrix, count_terms, count_terms_owned};
use cache::Cache;

/// Told how far a long stage has got (the CLI draws a progress bar).
pub(crate) trait Progress: Sync {
    /// A stage of `items` articles begins.
    fn begin(&self, stage: StageName, items: usize);
    /// One more article of the current stage is done (from any thread).
    fn tick(&self);
    /// The current stage ended.
    fn end(&self);
}

/// No progress reports.
pub(crate) struct Silent;

impl Progress for Silent {
    fn begin(&self, _: StageName, _: usize) {}
    fn tick(&self) {}
    fn end(&self) {}
}

/// Reads `inputs` (files, folders, `-` for stdin) into the corpus the site
/// publishes: drafts and unpublished articles dropped unless wanted, keys
/// as `options.keys` says. Returns the warnings met on the way (files
/// skipped or damaged).
pub fn read_corpus(inputs: &[PathBuf], options: &ReadOptions) -> Result<(Corpus, Vec<Warning>)> {
    let mut warnings = Vec::new();
    let mut watch = Stopwatch::new();
    let corpus = in_pool(None, || read_timed(inputs, options, &mut watch, &mut warnings, None))?.0;
    Ok((corpus, warnings))
}

/// The related lists of `corpus`: analysis, weighting, similarity, then
/// pinned and filled entries. Writes nothing and prints nothing (a cache
/// folder in `options.cache` is read and updated).
pub fn compute(corpus: Corpus, options: &Options) -> Result<Outcome> {
    options.validate()?;
    let mut warnings = Vec::new();
    let mut watch = Stopwatch::new();
    let mut outcome = in_pool(options.threads, || {
        let name = "the documents given";
        compute_timed(name, corpus, options, &Silent, &mut watch, &mut warnings, None, None)
    })?;
    outcome.warnings = warnings;
    outcome.stages = watch.stages;
    Ok(outcome)
}

/// [`read_corpus`] then [`compute`] in one thread pool, with progress
/// reports, keeping the warnings met so far in `warnings` when it fails
/// (they often explain the failure: the only file was skipped).
pub(crate) fn run(
    inputs: &[PathBuf],
    read: &ReadOptions,
    options: &Options,
    progress: &dyn Progress,
    warnings: &mut Vec<Warning>,
) -> Result<Outcome> {
    run_with(inputs, read, options, progress, warnings, None)
}

/// The weights behind the lists, for `--format vectors`: every article's
/// L2-normalized TF-IDF row and, when LSI ran, its LSI vector.
pub(crate) struct Vectors {
    /// The TF-IDF rows (documents in corpus order).
    pub matrix: TfIdfMatrix,
    /// The LSI document vectors, if LSI ran.
    pub lsi: Option<vector::Lsi>,
}

/// [`run`] up to the weights only: analysis, TF-IDF and LSI, never the
/// similarity stage (`--format vectors`). The outcome's lists are empty.
pub(crate) fn run_vectors(
    inputs: &[PathBuf],
    read: &ReadOptions,
    options: &Options,
    progress: &dyn Progress,
    warnings: &mut Vec<Warning>,
) -> Result<(Outcome, Vectors)> {
    let mut vectors = None;
    let outcome = run_with(inputs, read, options, progress, warnings, Some(&mut vectors))?;
    let vectors = vectors.expect("the weights are kept when asked for");
    Ok((outcome, vectors))
}

fn run_with(
    inputs: &[PathBuf],
    read: &ReadOptions,
    options: &Options,
    progress: &dyn Progress,
    warnings: &mut Vec<Warning>,
    vectors: Option<&mut Option<Vectors>>,
) -> Result<Outcome> {
    let mut watch = Stopwatch::new();
    let mut outcome = in_pool(options.threads, || {
        // The CLI frees the texts once analyzed: unchanged files need not
        // be read at all, their terms are in the cache.
        let memo = (!options.keep_text).then_some(options);
        let (corpus, opened) = read_timed(inputs, read, &mut watch, warnings, memo)?;
        let named = describe(inputs);
        compute_timed(&named, corpus, options, progress, &mut watch, warnings, vectors, opened)
    })?;
    outcome.warnings = std::mem::take(warnings);
    outcome.stages = watch.stages;
    Ok(outcome)
}

/// Runs `f` on a pool of `threads` workers (capped at [`max_threads`]), or
/// on rayon's global pool (one per core) when no number is given.
fn in_pool<T: Send>(threads: Option<usize>, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    match threads {
        None => f(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.min(max_threads()))
            .build()
            .map_err(|e| Error::Invalid(message![Setting::Threads, format!(": {e}")]))?
            .install(f),
    }
}

/// The inputs, for messages.
fn describe(inputs: &[PathBuf]) -> String {
    inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// The cache opened before reading (a CLI run with `--cache`), whose read
/// memo spares reading the files unchanged since the last run.
struct Opened {
    /// The cache, if usable.
    cache: Option<Cache>,
    /// Why it is not (or was rebuilt).
    notices: Vec<Warning>,
    /// Hash of the extraction settings (the memo's key).
    settings: u64,
    /// This run's read memo, once read, to save with the terms.
    memo: Option<cache::MemoOut>,
    /// True if it is the memo the cache file holds already.
    memo_unchanged: bool,
}

impl Opened {
    fn new(options: &Options, read: &ReadOptions) -> Opened {
        // Every extraction setting (a new one does not compile until it is
        // here); the site's rules run again on recalled documents.
        let crate::extract::ExtractOptions { keep_markup, exclude_selectors } = &read.extract;
        let selectors: Vec<&str> = exclude_selectors.iter().map(|s| s.as_str()).collect();
        let settings = cache::settings_hash(&format!("extract {keep_markup} {selectors:?}"));
        let mut notices = Vec::new();
        let cache = open_cache(options, Some(settings), &mut notices);
        Opened { cache, notices, settings, memo: None, memo_unchanged: false }
    }
}

/// Discover, then read and extract, then the site's rules. With `memo`'s
/// cache folder, unchanged files are recalled from its read memo: the
/// cache is returned open.
fn read_timed(
    inputs: &[PathBuf],
    options: &ReadOptions,
    watch: &mut Stopwatch,
    warnings: &mut Vec<Warning>,
    memo: Option<&Options>,
) -> Result<(Corpus, Option<Opened>)> {
    let sources = source::discover(inputs, &options.walk)?;
    warnings.extend(sources.warnings.iter().cloned());
    watch.lap(StageName::Discover, format!("{} files", sources.files.len()));
    let mut opened = memo.map(|o| Opened::new(o, options)).filter(|o: &Opened| o.cache.is_some());
    let inputs = describe(inputs);
    let (corpus, site_note) = site_corpus(&inputs, options, &sources, warnings, opened.as_mut())?;
    let mut note = message![format!("{} articles", corpus.len())];
    note.append(site_note);
    watch.lap(StageName::Read, note);
    Ok((corpus, opened))
}

/// Analyze → TF-IDF → LSI → similar → lists, through the cache when there
/// is one. With `vectors`, the weights are kept there and the similarity
/// stage is skipped (the lists stay empty).
#[allow(clippy::too_many_arguments)]
fn compute_timed(
    inputs: &str,
    mut corpus: Corpus,
    options: &Options,
    progress: &dyn Progress,
    watch: &mut Stopwatch,
    warnings: &mut Vec<Warning>,
    mut vectors: Option<&mut Option<Vectors>>,
    opened: Option<Opened>,
) -> Result<Outcome> {
    let want_vectors = vectors.is_some();
    let text_bytes: usize = (corpus.docs().iter().enumerate())
        .map(|(i, d)| {
            let text = corpus.known(i).map_or(d.text.len(), |k| k.text_len as usize);
            text + d.title.as_ref().map_or(0, String::len)
        })
        .sum();
    let pairs = filter::PairFilter::new(&corpus, &options.pairs, warnings);

    let analyzer = Analyzer::new(options.analyzer);
    let mut notices = Vec::new();
    // One path with or without --cache: the store remembers nothing when
    // there is no cache folder, and every article not in it is analyzed.
    let mut store = TermStore::open(options, &corpus, opened, &mut notices);
    corpus.forget_known();
    let cached = store.cached();
    // An unchanged site with unchanged settings has an unchanged result.
    let fingerprint = store.active().then(|| result_fingerprint(options, &corpus, &store.hashes));
    let reused = match (&store.cache, fingerprint) {
        (Some(c), Some(f)) if options.explain == 0 && cached == corpus.len() && !want_vectors => {
            // Only a result for exactly these articles (the file is checked
            // for indices in range, not for what they index).
            c.result(f).filter(|r| r.len() == corpus.len()).map(<[_]>::to_vec)
        }
        _ => None,
    };
    let cache_note = match store.active() {
        true => format!(", {cached} of {} articles from the cache", corpus.len()),
        false => String::new(),
    };
    // Rewrite the cache unless this run reuses all of it unchanged.
    let unchanged = cached == corpus.len()
        && store.memo_unchanged
        && fingerprint.is_some_and(|f| store.cache.as_ref().is_some_and(|c| c.result(f).is_some()));
    // The cache being rewritten: its terms are saved once counted.
    let mut pending = None;

    let mut search = Search::Reused;
    let (related, explanations) = match reused {
        Some(related) => {
            // Files read again (touched, say) change the read memo only.
            if !unchanged {
                pending = store.begin_resave(&mut notices);
            }
            watch.lap(StageName::Analyze, format!("nothing changed{cache_note}"));
            watch.lap(StageName::Similar, "reused from the cache".to_owned());
            (related, None)
        }
        None => {
            progress.begin(StageName::Analyze, corpus.len() - cached);
            // Each article's terms from the cache, else from its text: the
            // text itself, when no later stage reads it, handed over and
            // freed once analyzed (analysis never holds all texts at once).
            let texts = (!options.keep_text).then(|| corpus.take_texts());
            let analyze =
                |i: usize, text: &str, code: &str, emit: &mut dyn FnMut(&str, u32)| match store
                    .terms(i)
                {
                    Some(terms) => terms.for_each(|(t, c)| emit(t, c)),
                    None => {
                        let doc = &corpus.docs()[i];
                        fields_terms(doc, text, code, &analyzer, &options.fields, emit);
                        progress.tick();
                    }
                };
            let counts = match texts {
                None => count_terms(corpus.len(), |i, emit| {
                    let doc = &corpus.docs()[i];
                    analyze(i, &doc.text, &doc.code, emit);
                }),
                Some(texts) => {
                    count_terms_owned(texts, |i, (text, code), emit| analyze(i, &text, &code, emit))
                }
            };
            progress.end();
            // `--check` saves it too: the cache is not an output, and CI
            // jobs that run `--cache DIR --check` keep it between runs.
            if !unchanged {
                pending = store.begin_save(&counts, &mut notices);
            }
            store.forget_terms();
            // Every list would be empty: almost always a mistake (pages
            // rendered by JavaScript, text only in <nav>, a wrong --include).
            if counts.terms.is_empty() {
                return Err(Error::NoTerms { inputs: inputs.to_owned(), articles: corpus.len() });
            }
            if analyzer.dictionary_loaded() {
                analyzer.load_dictionary()?;
            }
            let analyze_time = watch.elapsed();
            watch.lap(
                StageName::Analyze,
                format!(
                    "{} of text, {} terms, {}{cache_note}",
                    megabytes(text_bytes),
                    counts.terms.len(),
                    rate(text_bytes, analyze_time)
                ),
            );
            let matrix = TfIdfMatrix::fit(&counts, &options.weighting);
            drop(counts);
            // The texts, the cached terms and the counting's term lists are
            // freed by now: gigabytes at a million articles.
            return_freed_memory();
            let exact_work = exact_work(&matrix);
            watch.lap(
                StageName::TfIdf,
                format!(
                    "{} terms kept, {} weights, exact search {:.1e} postings",
                    matrix.terms().len(),
                    matrix.nnz(),
                    exact_work as f64
                ),
            );
            let lsi = lsi_vectors(options, &matrix);
            if let Some(lsi) = &lsi {
                watch.lap(
                    StageName::Lsi,
                    format!(
                        "{} dimensions of {} articles x {} terms",
                        lsi.dims(),
                        matrix.n_docs(),
                        matrix.terms().len()
                    ),
                );
            }
            search = choose_search(options, matrix.n_docs(), exact_work, lsi.is_some());
            let allow = |i, j| pairs.allows(i, j);
            let opts = TopKOptions {
                allow: pairs.is_active().then_some(&allow as _),
                k: options.top_k,
                min_score: options.min_score,
                max_terms: match search {
                    Search::Approximate { max_terms, .. } => Some(max_terms),
                    _ => None,
                },
                max_postings: options.approximate_postings,
                shortlist: options
                    .approximate_shortlist
                    .unwrap_or_else(|| auto_shortlist(matrix.n_docs())),
                prune_min_df: if options.early_termination {
                    TopKOptions::default().prune_min_df
                } else {
                    None
                },
                lsi: lsi.as_ref(),
                blend: options.lsi_blend,
                ..TopKOptions::default()
            };
            // `--shard`: one slice's lists, the others left empty; none
            // for `--format vectors`.
            let n = corpus.len();
            let rows = match options.shard {
                _ if want_vectors => 0..0,
                Some(shard) => shard.rows(n),
                None => 0..n,
            };
            progress.begin(StageName::Similar, rows.len());
            let tick = || progress.tick();
            let opts = TopKOptions { progress: Some(&tick), ..opts };
            let related =
                rows_of(n, rows.clone(), similar::top_k_rows(&matrix, &opts, rows.clone()));
            progress.end();
            watch.lap(
                StageName::Similar,
                match options.shard {
                    _ if want_vectors => "skipped (--format vectors)".to_owned(),
                    Some(s) => {
                        format!("top {} of {} articles (shard {s})", options.top_k, rows.len())
                    }
                    None => format!("top {} of {} articles", options.top_k, corpus.len()),
                },
            );
            let explanations =
                (options.explain > 0).then(|| explain_all(&matrix, &related, options.explain));
            if let Some(slot) = vectors.as_mut() {
                **slot = Some(Vectors { matrix, lsi });
            }
            (related, explanations)
        }
    };

    if let Some(pending) = pending {
        let result = fingerprint
            .filter(|_| options.explain == 0 && !want_vectors)
            .map(|f| (f, related.as_slice()));
        match pending.finish(result) {
            Ok(()) => watch.lap(StageName::Cache, "saved".to_owned()),
            Err(e) => {
                notices.push(cache_unusable(options.cache.as_deref().unwrap_or(".".as_ref()), &e))
            }
        }
    }

    // Pinned articles first, then short lists filled (never cached: cheap,
    // and they depend on front matter the cache does not see).
    let (mut related, mut explanations) = (related, explanations);
    let list_opts =
        lists::ListOptions { k: options.top_k, fill: options.fill, zone: options.pairs.zone };
    let marks =
        lists::finish(&corpus, &mut related, explanations.as_mut(), &pairs, list_opts, warnings);

    let explained = explanations.is_some();
    let lists = neighbours(related, explanations, marks);
    Ok(Outcome {
        corpus,
        lists,
        warnings: Vec::new(),
        notices,
        stages: Vec::new(),
        explained,
        search,
    })
}

/// The per-article term counts remembered between runs (`--cache DIR`),
/// or nothing at all.
struct TermStore {
    /// The cache folder's contents, if there is a usable one.
    cache: Option<Cache>,
    /// Each article's content hash (empty without a cache: not computed).
    hashes: Vec<u128>,
    /// The read memo to save with the terms (none: an empty one).
    memo: Option<cache::MemoOut>,
    /// True if the cache file holds this run's read memo already.
    memo_unchanged: bool,
}

/// Opens `options.cache` (with `files`, the extraction settings whose file
/// records are trusted); a cache that cannot be used only makes the run
/// slower (a notice, which never fails `--strict`).
fn open_cache(options: &Options, files: Option<u64>, notices: &mut Vec<Warning>) -> Option<Cache> {
    let dir = options.cache.as_ref()?;
    let settings = cache::settings_hash(&format!("{:?} {:?}", options.analyzer, options.fields));
    match Cache::open(dir, settings, files) {
        Ok((cache, warning)) => {
            notices.extend(warning);
            Some(cache)
        }
        Err(e) => {
            notices.push(cache_unusable(dir, &e));
            None
        }
    }
}

impl TermStore {
    /// Opens `options.cache`, unless `opened` has it open already.
    fn open(
        options: &Options,
        corpus: &Corpus,
        opened: Option<Opened>,
        notices: &mut Vec<Warning>,
    ) -> Self {
        let (cache, memo, memo_unchanged) = match opened {
            Some(o) => {
                notices.extend(o.notices);
                (o.cache, o.memo, o.memo_unchanged)
            }
            // Without a read memo, a cache holding one is rewritten.
            None => {
                let cache = open_cache(options, None, notices);
                let unchanged = cache.as_ref().is_some_and(|c| c.file_records() == 0);
                (cache, None, unchanged)
            }
        };
        let hashes = match cache {
            Some(_) => (0..corpus.len())
                .into_par_iter()
                .map(|i| match corpus.known(i) {
                    Some(k) => k.hash,
                    None => cache::content_hash(&corpus.docs()[i]),
                })
                .collect(),
            None => Vec::new(),
        };
        TermStore { cache, hashes, memo, memo_unchanged }
    }

    /// True if there is a cache to read and save.
    fn active(&self) -> bool {
        self.cache.is_some()
    }

    /// The remembered terms of article `i`, if any.
    fn terms(&self, i: usize) -> Option<cache::CachedTerms<'_>> {
        self.cache.as_ref()?.terms(self.hashes[i])
    }

    /// How many articles the cache has.
    fn cached(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| self.hashes.iter().filter(|&&h| c.has(h)).count())
    }

    /// Frees the remembered terms once they are counted.
    fn forget_terms(&mut self) {
        if let Some(cache) = self.cache.as_mut() {
            cache.forget_terms();
        }
    }

    /// Starts rewriting the cache with the terms it has (none changed) and
    /// this run's read memo.
    fn begin_resave(&mut self, notices: &mut Vec<Warning>) -> Option<cache::PendingSave> {
        let memo = self.memo.take();
        let cache = self.cache.as_ref()?;
        match cache.begin_resave(memo.as_ref()) {
            Ok(pending) => Some(pending),
            Err(e) => {
                notices.push(cache_unusable(cache.folder(), &e));
                None
            }
        }
    }

    /// Starts rewriting the cache with every article's terms, from the
    /// counts (a cache that cannot be written is a notice).
    fn begin_save(
        &mut self,
        counts: &vector::CountMatrix,
        notices: &mut Vec<Warning>,
    ) -> Option<cache::PendingSave> {
        // Written now, then freed (hundreds of MB at a million files).
        let memo = self.memo.take();
        let cache = self.cache.as_ref()?;
        match cache.begin_save(&self.hashes, counts, memo.as_ref()) {
            Ok(pending) => Some(pending),
            Err(e) => {
                notices.push(cache_unusable(cache.folder(), &e));
                None
            }
        }
    }
}

/// The warning for a `--cache DIR` that cannot be read or written: the run
/// goes on without it.
fn cache_unusable(dir: &std::path::Path, e: &Error) -> Warning {
    let why = match e {
        _ if dir.exists() && !dir.is_dir() => "it is a file, not a folder".into(),
        Error::Io { source, .. } => error::io_in_words(source),
        other => other.to_string(),
    };
    Warning {
        location: dir.display().to_string(),
        message: format!(
            "--cache folder not usable ({why}); running without a cache: give a writable folder"
        ),
    }
}

/// Reads the files found into the corpus the site publishes: drafts dropped
/// unless wanted, keys as `config.keys` says. Also returns a note on what
/// was done, for `-v`.
fn site_corpus(
    inputs: &str,
    config: &ReadOptions,
    sources: &source::Sources,
    warnings: &mut Vec<Warning>,
    memo: Option<&mut Opened>,
) -> Result<(Corpus, Message)> {
    config.validate()?;
    let read_start = cache::memo::now();
    let cache = memo.as_ref().and_then(|m| m.cache.as_ref());
    let (mut loaded, remembered) = load::load(sources, &config.extract, cache)?;
    warnings.append(&mut loaded.warnings);
    let read = loaded.docs.len();
    let drafts = filter::drop_drafts(&mut loaded.docs, config.include_drafts);
    let skipped = site::prepare(&mut loaded.docs, &config.site, warnings)?;
    let fallbacks = keys::apply(&mut loaded.docs, &config.keys);
    if !config.raw_dates {
        site::normalize_dates(&mut loaded.docs, config.site.zone);
    }
    let mut corpus = Corpus::new(loaded.docs)?;
    let memo_note = memo.map(|memo| {
        corpus.set_known(&remembered.known);
        let files = match remembered.read {
            1 => "1 file".to_owned(),
            n => format!("{n} files"),
        };
        let note = format!(", read {files}, {} unchanged", remembered.unchanged);
        remember(memo, &corpus, remembered, read_start);
        note
    });
    if corpus.is_empty() {
        let inputs = inputs.to_owned();
        return Err(if drafts > 0 {
            Error::Invalid(message![
                format!(
                    "all {read} articles in {inputs} are drafts (draft: true / published: false); "
                ),
                Setting::IncludeDrafts,
                " keeps them",
            ])
        } else if skipped.total() > 0 {
            let mut parts = message![format!("no article of {inputs} is published")];
            parts.append(skipped.message());
            Error::Invalid(parts)
        } else {
            Error::EmptyCorpus { inputs }
        });
    }
    let mut note = format!(", {}", megabytes(loaded.bytes as usize));
    if drafts > 0 {
        note.push_str(&format!(", {drafts} draft(s) skipped"));
    }
    note.push_str(memo_note.as_deref().unwrap_or(""));
    let mut note = message![note];
    note.append(skipped.message());
    if fallbacks > 0 {
        let field = match config.keys.scheme {
            keys::KeyScheme::Url => "url",
            keys::KeyScheme::Slug | keys::KeyScheme::Path => "slug",
        };
        note.append(message![format!(", {fallbacks} keyed by path (no {field})")]);
    }
    Ok((corpus, note))
}

/// Keeps the read memo of this run in `opened`: the records of the files
/// whose every document is in the corpus (a draft's file, say, is read
/// again next time: its terms are not cached).
fn remember(opened: &mut Opened, corpus: &Corpus, remembered: load::Remembered, read_start: i64) {
    let in_corpus: std::collections::HashSet<u128> =
        corpus.docs().iter().filter_map(|d| cache::memo::origin_key(&d.origin)).collect();
    let mut out = cache::MemoOut { settings: opened.settings, read_start, ..Default::default() };
    let mut fresh = 0;
    for (record, origins, recalled) in remembered.files {
        if origins.iter().all(|o| in_corpus.contains(o)) {
            out.records.extend_from_slice(&record);
            out.count += 1;
            fresh += usize::from(!recalled);
        }
    }
    // The same records as the file's: all of them recalled, none dropped.
    opened.memo_unchanged =
        fresh == 0 && opened.cache.as_ref().is_some_and(|c| c.file_records() == out.count);
    opened.memo = Some(out);
}

/// The postings the exact search walks, ignoring early termination: for
/// each article, the posting lists of its terms, i.e. Σ df² over the terms
/// found in two articles or more (the others are never walked).
fn exact_work(matrix: &TfIdfMatrix) -> u64 {
    matrix.df().iter().filter(|&&df| df >= 2).map(|&df| u64::from(df) * u64::from(df)).sum()
}

/// Exact, approximate as asked, or approximate because the exact search
/// would be too slow (never with LSI, whose blended search is exact).
fn choose_search(options: &Options, n_docs: usize, exact_work: u64, lsi: bool) -> Search {
    match options.max_terms_per_doc {
        _ if lsi => Search::Exact,
        Some(max_terms) => Search::Approximate { max_terms, automatic: false, exact_work },
        None if !options.exact && exact_work > options.approximate_above => {
            Search::Approximate { max_terms: auto_max_terms(n_docs), automatic: true, exact_work }
        }
        None => Search::Exact,
    }
}

/// The LSI document vectors `options` asks for, if any (none above
/// [`LSI_MAX_DOCS`] articles).
fn lsi_vectors(options: &Options, matrix: &TfIdfMatrix) -> Option<vector::Lsi> {
    options.lsi_runs(matrix.n_docs()).then(|| {
        let opts = vector::LsiOptions { dims: options.lsi_dims, ..vector::LsiOptions::default() };
        vector::Lsi::fit(matrix, &opts)
    })
}

/// Identifies everything a similarity result depends on: every key and
/// content hash, in order, and every setting.
fn result_fingerprint(config: &Options, corpus: &Corpus, hashes: &[u128]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let settings = format!(
        "{:?} {:?} {:?} {} {} {:?} {} {} {} {} {:?} {}",
        config.analyzer,
        config.fields,
        config.weighting,
        config.top_k,
        config.min_score,
        config.max_terms_per_doc,
        config.exact,
        config.approximate_above,
        config.approximate_postings,
        config.approximate_shortlist.unwrap_or_else(|| auto_shortlist(corpus.len())),
        config.pairs,
        env!("CARGO_PKG_VERSION"),
    );
    h.update(settings.as_bytes());
    // LSI changes the scores only when it runs.
    let lsi = config.lsi_dims > 0 && corpus.len() <= LSI_MAX_DOCS;
    let settings = format!("lsi {} {}", if lsi { config.lsi_dims } else { 0 }, config.lsi_blend);
    h.update(settings.as_bytes());
    // A shard's result holds one slice's lists only.
    if let Some(shard) = config.shard {
        h.update(format!("shard {shard}").as_bytes());
    }
    for (doc, hash) in corpus.docs().iter().zip(hashes) {
        // The pair filters read the date and language (also from the file name).
        let origin = doc.origin.to_string();
        for part in [
            &doc.key,
            &origin,
            doc.date.as_deref().unwrap_or(""),
            doc.lang.as_deref().unwrap_or(""),
        ] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(&hash.to_le_bytes());
        // Translation groups, languages and exclusions decide pairs too.
        let site = format!("{:?}", doc.site);
        h.update(&(site.len() as u64).to_le_bytes());
        h.update(site.as_bytes());
    }
    h.digest128()
}

/// The lists of all `n` articles from those of `rows`: empty elsewhere.
fn rows_of(n: usize, rows: std::ops::Range<usize>, found: Vec<Vec<Related>>) -> Vec<Vec<Related>> {
    let mut all = Vec::with_capacity(n);
    all.resize(rows.start, Vec::new());
    all.extend(found);
    all.resize(n, Vec::new());
    all
}

/// For each neighbour, the names of the terms that contributed most.
fn explain_all(matrix: &TfIdfMatrix, related: &[Vec<Related>], n: usize) -> Vec<Vec<Vec<String>>> {
    related
        .iter()
        .enumerate()
        .map(|(i, list)| {
            list.iter()
                .map(|r| {
                    similar::explain(matrix, i as DocId, r.doc, n)
                        .into_iter()
                        .map(|t| matrix.terms()[t as usize].clone())
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Collects [`Stage`] timings.
struct Stopwatch {
    clock: Instant,
    /// The process's CPU time when the stage began.
    cpu: Option<Duration>,
    stages: Vec<Stage>,
}

impl Stopwatch {
    fn new() -> Self {
        Stopwatch { clock: Instant::now(), cpu: crate::outcome::cpu_time(), stages: Vec::new() }
    }

    fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// Ends the current stage and starts the next.
    fn lap(&mut self, name: StageName, detail: impl Into<Message>) {
        self.stages.push(Stage {
            name,
            elapsed: self.clock.elapsed(),
            detail: detail.into(),
            peak_memory: crate::outcome::peak_memory(),
            cpu: None,
        });
        let cpu = crate::outcome::cpu_time();
        if let Some(stage) = self.stages.last_mut() {
            stage.cpu = cpu.zip(self.cpu).map(|(now, then)| now.saturating_sub(then));
        }
        self.cpu = cpu;
        self.clock = Instant::now();
    }
}

/// Hands the memory freed so far back to the OS. glibc keeps freed small
/// allocations (every article's text, its term list) in its heap for reuse,
/// so without this the process stays as large as at the end of analysis
/// for the whole similarity stage. Elsewhere a no-op (musl returns memory
/// by itself).
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only releases free
    // pages of the allocator's own heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn rate(bytes: usize, time: Duration) -> String {
    format!("{:.1} MB/s", bytes as f64 / 1e6 / time.as_secs_f64().max(1e-9))
}

/// Calls `emit(term, weight)` for every term occurrence of `doc`, with the
/// weight of the field it is in: its title's (`fields.title`: the title is
/// usually the best summary), its tags' (`fields.tags`), its text's (1),
/// its code blocks' (`fields.code`), then its link words' (`fields.links`).
/// A field of weight 0 is not analyzed at all. A term's count is the sum of
/// its weights, so a weight multiplies and never repeats work.
pub fn document_terms(
    doc: &Document,
    analyzer: &Analyzer,
    fields: &FieldWeights,
    emit: &mut dyn FnMut(&str, u32),
) {
    fields_terms(doc, &doc.text, &doc.code, analyzer, fields, emit);
}

/// [`document_terms`] with the text and code given apart (taken out of
/// the document to be freed once analyzed).
fn fields_terms(
    doc: &Document,
    text: &str,
    code: &str,
    analyzer: &Analyzer,
    fields: &FieldWeights,
    emit: &mut dyn FnMut(&str, u32),
) {
    let mut field = |text: &str, weight: u32| {
        if weight > 0 && !text.is_empty() {
            analyzer.for_each_term(text, &mut |t| emit(t, weight));
        }
    };
    if let Some(title) = &doc.title {
        field(title, fields.title);
    }
    for tag in &doc.tags {
        field(tag, fields.tags);
    }
    field(text, 1);
    field(code, fields.code);
    for link in &doc.links {
        field(link, fields.links);
    }
}

/// The lists as [`Neighbour`]s: scores, explanations and marks together.
fn neighbours(
    related: Vec<Vec<Related>>,
    explanations: Option<Vec<Vec<Vec<String>>>>,
    marks: Option<Vec<Vec<lists::Mark>>>,
) -> Vec<Vec<Neighbour>> {
    let mut explanations = explanations.map(Vec::into_iter);
    let mut marks = marks.map(Vec::into_iter);
    related
        .into_iter()
        .map(|row| {
            let mut terms = explanations.as_mut().and_then(Iterator::next).map(Vec::into_iter);
            let row_marks = marks.as_mut().and_then(Iterator::next);
            row.into_iter()
                .enumerate()
                .map(|(n, r)| Neighbour {
                    doc: r.doc,
                    score: r.score,
                    terms: terms.as_mut().and_then(Iterator::next).unwrap_or_default(),
                    mark: row_marks.as_ref().map_or(lists::Mark::Computed, |m| m[n]),
                })
                .collect()
        })
        .collect()
}
