//! `related`: for every article of a site, its most related articles.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! source  : inputs → files (sorted directory walk, globs) and stdin
//! load    : file → text (encoding, format detection) → extract
//! extract : Markdown / HTML / feed / JSON Lines / plain text → title, text, metadata
//! text    : text → terms (NFKC, script runs, lindera IPADIC for Japanese)
//! vector  : terms → sorted vocabulary → L2-normalized TF-IDF rows (CSR)
//! vector::lsi : rows → truncated SVD document vectors (optional, ndarray + faer)
//! similar : rows → exact cosine top-k per article (inverted index, rayon)
//! output  : top-k → JSON / JSON Lines / similar-documents, atomic file write
//! ```
//!
//! [`compute`] runs the pipeline and returns the results; [`run`] is the
//! command-line job: compute, report on stderr, write the output.
//!
//! ```
//! use related::{Config, compute};
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("a.md"), "# Rust\nRust command line tools")?;
//! std::fs::write(dir.path().join("b.md"), "# Cargo\nBuilding Rust command line tools")?;
//! std::fs::write(dir.path().join("c.md"), "# Cooking\nA recipe for bread")?;
//! let config = Config { inputs: vec![dir.path().to_path_buf()], ..Config::default() };
//! let outcome = compute(&config)?;
//! let a = outcome.neighbours("a.md").expect("a.md was read");
//! assert_eq!(a[0].0, "b.md");
//! assert_eq!(a.len(), 1, "c.md shares no term with a.md");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cli;
pub mod config;
pub mod document;
pub mod error;
pub mod extract;
pub mod output;
pub mod pipeline;
pub mod similar;
pub mod site;
pub mod source;
pub mod text;
pub mod vector;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use cli::progress::Progress;
pub use config::{Config, FieldWeights, Verbosity};
pub use document::{Corpus, DocId, Document};
pub use error::{Error, Result};
use extract::load;
use pipeline::cache::{self, Cache};
use rayon::prelude::*;
use similar::{Related, TopKOptions};
use site::{filter, keys, lists};
use text::Analyzer;
use vector::{TfIdfMatrix, count_terms};

/// A problem that skipped or damaged one input without stopping the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `path`, `path:line:column` or `path#item`.
    pub location: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// How long one stage took, and how much it handled.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Stage name.
    pub name: &'static str,
    /// Wall time.
    pub elapsed: Duration,
    /// What it handled, e.g. "7367 docs, 40.1 MB (8.2 MB/s)".
    pub detail: String,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// The articles, sorted by key.
    pub corpus: Corpus,
    /// For each article of `corpus` (same order), its neighbours, best first.
    pub related: Vec<Vec<Related>>,
    /// With `config.explain`: for each neighbour in `related`, the terms that
    /// contributed most to its score.
    pub explanations: Option<Vec<Vec<Vec<String>>>>,
    /// Inputs skipped or damaged, in input order.
    pub warnings: Vec<Warning>,
    /// Problems that are not the inputs' (a damaged cache, rebuilt): printed
    /// as warnings, but never fail `--strict`.
    pub notices: Vec<Warning>,
    /// Per-stage timings.
    pub stages: Vec<Stage>,
    /// How each entry of `related` got there (same shape), when some were
    /// pinned by front matter or added by `--fill`; `None`: all computed.
    pub marks: Option<Vec<Vec<lists::Mark>>>,
}

impl Outcome {
    /// `(key, score)` of the neighbours of the article with `key`.
    pub fn neighbours(&self, key: &str) -> Option<Vec<(&str, f64)>> {
        self.neighbours_in(None, key)
    }

    /// Like [`Outcome::neighbours`], for the article with `key` in language
    /// `lang` of a `--split-lang` run (`None` otherwise).
    pub fn neighbours_in(&self, lang: Option<&str>, key: &str) -> Option<Vec<(&str, f64)>> {
        let i = self
            .corpus
            .docs()
            .binary_search_by(|d| (d.site.partition.as_deref(), d.key.as_str()).cmp(&(lang, key)))
            .ok()?;
        Some(
            self.related[i]
                .iter()
                .map(|r| (self.corpus.get(r.doc).key.as_str(), similar::round_score(r.score)))
                .collect(),
        )
    }
}

/// Most worker threads per core `--threads` may start: more only add
/// switching and memory (`-j 65535` once loaded a machine to 2,400).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The most worker threads a run uses: [`MAX_THREADS_PER_CORE`] per core.
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from) * MAX_THREADS_PER_CORE
}

/// Runs the pipeline on `config.inputs` and returns the related articles.
/// Writes nothing and prints nothing.
pub fn compute(config: &Config) -> Result<Outcome> {
    compute_collecting(config, &mut Vec::new())
}

/// [`compute`], keeping the warnings met so far in `warnings` when it fails
/// (they often explain the failure: the only file was skipped).
fn compute_collecting(config: &Config, warnings: &mut Vec<Warning>) -> Result<Outcome> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = config.threads {
        pool = pool.num_threads(n.min(max_threads()));
    }
    let pool = pool.build().map_err(|e| Error::Usage(format!("--threads: {e}")))?;
    pool.install(|| compute_in_pool(config, warnings))
}

fn compute_in_pool(config: &Config, warnings: &mut Vec<Warning>) -> Result<Outcome> {
    let mut watch = Stopwatch::new();

    let sources = source::discover(&config.inputs, &config.walk)?;
    warnings.extend(sources.warnings.iter().cloned());
    watch.lap("discover", format!("{} files", sources.files.len()));

    let (corpus, site_note) = site_corpus(config, &sources, warnings)?;
    let text_bytes: usize =
        corpus.docs().iter().map(|d| d.text.len() + d.title.as_ref().map_or(0, String::len)).sum();
    watch.lap("read+extract", format!("{} articles{site_note}", corpus.len()));
    let filter_opts =
        filter::FilterOptions { zone: config.filters.zone.or(config.site.zone), ..config.filters };
    let pairs = filter::PairFilter::new(&corpus, &filter_opts, warnings);

    let analyzer = Analyzer::new(config.analyzer);
    let mut notices = Vec::new();
    let mut cache = match &config.cache {
        Some(dir) => {
            let settings =
                cache::settings_hash(&format!("{:?} {:?}", config.analyzer, config.fields));
            // A cache that cannot be used only makes the run slower (and,
            // not being an input, never fails --strict).
            match Cache::open(dir, settings) {
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
        None => None,
    };
    // With a cache: hash every article, analyze only the new or changed ones.
    let cached = cache.as_ref().map(|cache| {
        let hashes: Vec<u128> = corpus.docs().par_iter().map(cache::content_hash).collect();
        let fresh: Vec<Option<cache::Terms>> = corpus
            .docs()
            .par_iter()
            .zip(&hashes)
            .map(|(doc, h)| match cache.terms(*h) {
                Some(_) => None,
                None => Some(term_counts(doc, &analyzer, &config.fields)),
            })
            .collect();
        (hashes, fresh)
    });
    // An unchanged site with unchanged settings has an unchanged result.
    let fingerprint =
        cached.as_ref().map(|(hashes, _)| result_fingerprint(config, &corpus, hashes));
    let reused = match (&cache, fingerprint, &cached) {
        (Some(c), Some(f), Some((_, fresh)))
            if config.explain == 0 && fresh.iter().all(Option::is_none) =>
        {
            // Only a result for exactly these articles (the file is checked
            // for indices in range, not for what they index).
            c.result(f).filter(|r| r.len() == corpus.len()).map(<[_]>::to_vec)
        }
        _ => None,
    };
    let cache_note = match &cached {
        Some((_, fresh)) => format!(
            ", {} of {} articles from the cache",
            fresh.iter().filter(|f| f.is_none()).count(),
            corpus.len()
        ),
        None => String::new(),
    };

    let (related, explanations) = match reused {
        Some(related) => {
            watch.lap("analyze", format!("nothing changed{cache_note}"));
            watch.lap("similar", "reused from the cache".into());
            (related, None)
        }
        None => {
            let counts = match (&cache, &cached) {
                (Some(cache), Some((hashes, fresh))) => count_terms(corpus.len(), |i, emit| {
                    let terms = fresh[i]
                        .as_ref()
                        .or_else(|| cache.terms(hashes[i]))
                        .expect("every article is either cached or analyzed");
                    for (t, c) in terms {
                        emit(t, *c);
                    }
                }),
                _ => {
                    let bar = Progress::new(config.progress, "analyze", corpus.len());
                    let counts = count_terms(corpus.len(), |i, emit| {
                        document_terms(&corpus.docs()[i], &analyzer, &config.fields, emit);
                        bar.tick();
                    });
                    bar.finish();
                    counts
                }
            };
            // Every list would be empty: almost always a mistake (pages
            // rendered by JavaScript, text only in <nav>, a wrong --include).
            if counts.terms.is_empty() {
                let inputs = config
                    .inputs
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::NoTerms { inputs, articles: corpus.len() });
            }
            if analyzer.dictionary_loaded() {
                analyzer.load_dictionary()?;
            }
            let analyze_time = watch.elapsed();
            watch.lap(
                "analyze",
                format!(
                    "{} of text, {} terms, {}{cache_note}",
                    megabytes(text_bytes),
                    counts.terms.len(),
                    rate(text_bytes, analyze_time)
                ),
            );
            let matrix = TfIdfMatrix::fit(&counts, &config.weighting);
            drop(counts);
            watch.lap(
                "tf-idf",
                format!("{} terms kept, {} weights", matrix.terms().len(), matrix.nnz()),
            );
            let lsi = lsi_vectors(config, &matrix);
            if let Some(lsi) = &lsi {
                watch.lap(
                    "lsi",
                    format!(
                        "{} dimensions of {} articles x {} terms",
                        lsi.dims(),
                        matrix.n_docs(),
                        matrix.terms().len()
                    ),
                );
            }
            let allow = |i, j| pairs.allows(i, j);
            let opts = TopKOptions {
                allow: pairs.is_active().then_some(&allow as _),
                k: config.top_k,
                min_score: config.min_score,
                max_terms: config.max_terms_per_doc,
                prune_min_df: if config.early_termination {
                    TopKOptions::default().prune_min_df
                } else {
                    None
                },
                lsi: lsi.as_ref(),
                blend: config.lsi_blend,
                ..TopKOptions::default()
            };
            let bar = Progress::new(config.progress, "similar", corpus.len());
            let tick = || bar.tick();
            let opts = TopKOptions { progress: Some(&tick), ..opts };
            let related = similar::top_k(&matrix, &opts);
            bar.finish();
            watch.lap("similar", format!("top {} of {} articles", config.top_k, corpus.len()));
            let explanations =
                (config.explain > 0).then(|| explain_all(&matrix, &related, config.explain));
            (related, explanations)
        }
    };

    // Rewrite the cache unless this run reused all of it unchanged.
    let unchanged = cached.as_ref().is_some_and(|(_, fresh)| fresh.iter().all(Option::is_none))
        && fingerprint.is_some_and(|f| cache.as_ref().is_some_and(|c| c.result(f).is_some()));
    // `--check` saves it too: the cache is not an output, and CI jobs that
    // run `--cache DIR --check` keep it between runs.
    if let (Some(cache), Some((hashes, fresh)), false) = (cache.as_mut(), cached, unchanged) {
        let docs: Vec<(u128, &cache::Terms)> = hashes
            .iter()
            .zip(&fresh)
            .map(|(h, f)| {
                (*h, f.as_ref().or_else(|| cache.terms(*h)).expect("terms of every article"))
            })
            .collect();
        let result = fingerprint.filter(|_| config.explain == 0).map(|f| (f, related.as_slice()));
        match cache.save(&docs, result) {
            Ok(()) => watch.lap("cache", "saved".into()),
            Err(e) => {
                notices.push(cache_unusable(config.cache.as_deref().unwrap_or(".".as_ref()), &e))
            }
        }
    }

    // Pinned articles first, then short lists filled (never cached: cheap,
    // and they depend on front matter the cache does not see).
    let (mut related, mut explanations) = (related, explanations);
    let list_opts =
        lists::ListOptions { k: config.top_k, fill: config.fill, zone: config.site.zone };
    let marks =
        lists::finish(&corpus, &mut related, explanations.as_mut(), &pairs, list_opts, warnings);

    let warnings = std::mem::take(warnings);
    Ok(Outcome { corpus, related, explanations, warnings, notices, stages: watch.stages, marks })
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
    config: &Config,
    sources: &source::Sources,
    warnings: &mut Vec<Warning>,
) -> Result<(Corpus, String)> {
    if let Some(t) = &config.keys.url_template {
        keys::check_url_template(t).map_err(Error::Usage)?;
    }
    let mut loaded = load::load(sources, &config.extract)?;
    warnings.append(&mut loaded.warnings);
    let read = loaded.docs.len();
    let drafts = filter::drop_drafts(&mut loaded.docs, &config.filters);
    let skipped = site::prepare(&mut loaded.docs, &config.site, warnings)?;
    let fallbacks = keys::apply(&mut loaded.docs, &config.keys);
    if !config.raw_dates {
        site::normalize_dates(&mut loaded.docs, config.site.zone);
    }
    let corpus = Corpus::new(loaded.docs)?;
    if corpus.is_empty() {
        let inputs =
            config.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(if drafts > 0 {
            Error::Usage(format!(
                "all {read} articles in {inputs} are drafts (draft: true / published: false); pass --include-drafts to use them"
            ))
        } else if skipped.total() > 0 {
            Error::Usage(format!("no article of {inputs} is published{}", skipped.note()))
        } else {
            Error::EmptyCorpus { inputs }
        });
    }
    let mut note = format!(", {}", megabytes(loaded.bytes as usize));
    if drafts > 0 {
        note.push_str(&format!(", {drafts} draft(s) skipped"));
    }
    note.push_str(&skipped.note());
    if fallbacks > 0 {
        let field = match config.keys.scheme {
            keys::KeyScheme::Url => "url",
            keys::KeyScheme::Slug | keys::KeyScheme::Path => "slug",
        };
        note.push_str(&format!(", {fallbacks} keyed by path (no {field})"));
    }
    Ok((corpus, note))
}

/// The `(term, count)` list of a document, sorted by term.
fn term_counts(doc: &Document, analyzer: &Analyzer, fields: &FieldWeights) -> cache::Terms {
    let mut counts: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    document_terms(doc, analyzer, fields, &mut |t, w| match counts.get_mut(t) {
        Some(c) => *c = c.saturating_add(w),
        None => {
            counts.insert(t.to_owned(), w);
        }
    });
    let mut list: cache::Terms = counts.into_iter().collect();
    list.sort_unstable();
    list
}

/// Above this many articles LSI is off: the exact blended search costs
/// O(n² · d) (BENCHMARKS.md, "LSI").
pub const LSI_MAX_DOCS: usize = 20_000;

/// The LSI document vectors `config` asks for, if any (none above
/// [`LSI_MAX_DOCS`] articles).
fn lsi_vectors(config: &Config, matrix: &TfIdfMatrix) -> Option<vector::Lsi> {
    (config.lsi_dims > 0 && matrix.n_docs() >= 2 && matrix.n_docs() <= LSI_MAX_DOCS).then(|| {
        let opts = vector::LsiOptions { dims: config.lsi_dims, ..vector::LsiOptions::default() };
        vector::Lsi::fit(matrix, &opts)
    })
}

/// Identifies everything a similarity result depends on: every key and
/// content hash, in order, and every setting.
fn result_fingerprint(config: &Config, corpus: &Corpus, hashes: &[u128]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let settings = format!(
        "{:?} {:?} {:?} {} {} {:?} {:?} {}",
        config.analyzer,
        config.fields,
        config.weighting,
        config.top_k,
        config.min_score,
        config.max_terms_per_doc,
        config.filters,
        env!("CARGO_PKG_VERSION"),
    );
    h.update(settings.as_bytes());
    // LSI changes the scores only when it runs.
    let lsi = config.lsi_dims > 0 && corpus.len() <= LSI_MAX_DOCS;
    let settings = format!("lsi {} {}", if lsi { config.lsi_dims } else { 0 }, config.lsi_blend);
    h.update(settings.as_bytes());
    for (doc, hash) in corpus.docs().iter().zip(hashes) {
        // The pair filters read the date and language (also from the file name).
        for part in [
            &doc.key,
            &doc.origin,
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

/// An exact similarity stage longer than this earns a note about the
/// approximate mode.
const SLOW_SIMILAR: Duration = Duration::from_secs(60);

/// Collects [`Stage`] timings.
struct Stopwatch {
    clock: Instant,
    stages: Vec<Stage>,
}

impl Stopwatch {
    fn new() -> Self {
        Stopwatch { clock: Instant::now(), stages: Vec::new() }
    }

    fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// Ends the current stage and starts the next.
    fn lap(&mut self, name: &'static str, detail: String) {
        self.stages.push(Stage { name, elapsed: self.clock.elapsed(), detail });
        self.clock = Instant::now();
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
    field(&doc.text, 1);
    field(&doc.code, fields.code);
    for link in &doc.links {
        field(link, fields.links);
    }
}

/// Reads the inputs of `config` into a sorted corpus (no analysis; drafts
/// dropped and keys set as configured), with the warnings met on the way.
pub fn read_corpus(config: &Config) -> Result<(Corpus, Vec<Warning>)> {
    let sources = source::discover(&config.inputs, &config.walk)?;
    let mut warnings = sources.warnings.clone();
    let (corpus, _) = site_corpus(config, &sources, &mut warnings)?;
    Ok((corpus, warnings))
}

/// The command-line job: [`compute`], print warnings (and timings with
/// `-v`) on stderr, then write the output to `config.output` atomically
/// and/or one file per article into `config.output_dir`, or to stdout when
/// neither is set. Under `--strict` any warning fails the run before
/// writing; with `config.check` nothing is written and a stale output is
/// [`Error::Stale`].
///
/// A Rust site generator can call it with the site's settings:
///
/// ```
/// use related::{Config, keys::{KeyOptions, KeyScheme}, filter::FilterOptions};
/// let site = tempfile::tempdir()?;
/// let content = site.path().join("content");
/// std::fs::create_dir(&content)?;
/// std::fs::write(content.join("a.md"), "---\ntitle: Rust\nslug: rust\n---\nRust command line tools")?;
/// std::fs::write(content.join("b.md"), "---\ntitle: Cargo\n---\nBuilding Rust command line tools")?;
/// std::fs::write(content.join("c.md"), "---\ntitle: WIP\ndraft: true\n---\nRust tools")?;
/// let config = Config {
///     inputs: vec![content],
///     keys: KeyOptions { scheme: KeyScheme::Slug, base_url: Some("/posts/".into()), ..KeyOptions::default() },
///     filters: FilterOptions::default(), // drafts skipped
///     output: Some(site.path().join("related.json")),
///     verbosity: related::Verbosity::Quiet,
///     ..Config::default()
/// };
/// let outcome = related::run(&config)?;
/// assert_eq!(outcome.neighbours("/posts/rust").unwrap()[0].0, "/posts/b");
/// let written: serde_json::Value =
///     serde_json::from_slice(&std::fs::read(site.path().join("related.json"))?)?;
/// assert_eq!(written["/posts/b"][0]["title"], "Rust");
/// assert!(written.get("/posts/c").is_none(), "drafts are not published");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(config: &Config) -> Result<Outcome> {
    run_and_report(config).map(|(outcome, _)| outcome)
}

/// What [`run_and_report`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// `-o FILE`: `Some(true)` if it was (re)written, `Some(false)` if it
    /// already held the same bytes and was left alone (same inode and mtime).
    pub file: Option<bool>,
    /// `--output-dir DIR`: files written, unchanged and removed.
    pub dir: Option<output::dir::DirReport>,
}

/// [`run`], also saying which outputs were rewritten (for `--watch`).
pub fn run_and_report(config: &Config) -> Result<(Outcome, Written)> {
    let started = Instant::now();
    if config.check && config.output.is_none() && config.output_dir.is_none() {
        return Err(Error::Usage(
            "--check compares with an existing output: give -o FILE and/or --output-dir DIR".into(),
        ));
    }
    if config.verbosity >= Verbosity::Normal {
        for note in &config.notes {
            eprintln!("related: note: {note}");
        }
    }
    if let Some(n) = config.threads.filter(|&n| n > max_threads())
        && config.verbosity >= Verbosity::Normal
    {
        eprintln!(
            "related: note: --threads {n} capped to {} ({MAX_THREADS_PER_CORE} per core)",
            max_threads()
        );
    }
    let mut warnings = Vec::new();
    let outcome = match compute_collecting(config, &mut warnings) {
        Ok(outcome) => outcome,
        // The warnings come first, and the error points at them.
        Err(err) => {
            if config.verbosity >= Verbosity::Normal {
                for w in &warnings {
                    eprintln!("related: warning: {w}");
                }
            }
            return Err(match err {
                Error::Usage(_) => err,
                _ if warnings.is_empty() => err,
                _ => Error::AfterWarnings { count: warnings.len(), source: Box::new(err) },
            });
        }
    };
    if config.verbosity >= Verbosity::Normal {
        for w in outcome.warnings.iter().chain(&outcome.notices) {
            eprintln!("related: warning: {w}");
        }
        if let Some(why) = empty_because_of_settings(config, &outcome) {
            eprintln!("related: warning: every list is empty: {why}");
        }
    }
    if config.strict && !outcome.warnings.is_empty() {
        return Err(Error::Strict { count: outcome.warnings.len() });
    }
    // The exact similarity stage grows with Σ df², which large sites feel:
    // point at the approximate mode when it would have paid off.
    let similar = outcome.stages.iter().find(|s| s.name == "similar").map(|s| s.elapsed);
    if config.verbosity >= Verbosity::Normal
        && config.lsi_dims > 0
        && outcome.corpus.len() > LSI_MAX_DOCS
    {
        eprintln!(
            "related: note: LSI is off above {LSI_MAX_DOCS} articles ({} here): scores are \
             TF-IDF cosines (BENCHMARKS.md, LSI)",
            outcome.corpus.len()
        );
    }
    if config.verbosity >= Verbosity::Normal
        && config.max_terms_per_doc.is_none()
        && similar.is_some_and(|t| t > SLOW_SIMILAR)
    {
        eprintln!(
            "related: note: finding neighbours took {:.0} s for {} articles; \
             --max-terms-per-doc 60 is typically 5-7x faster there and finds ~97% of the same \
             neighbours (BENCHMARKS.md)",
            similar.unwrap_or_default().as_secs_f64(),
            outcome.corpus.len()
        );
    }

    let write_started = Instant::now();
    let fill = |out: &mut dyn Write| {
        output::write(out, &outcome, config.format, config.pretty, config.output.is_some())
    };
    let files = match &config.output_dir {
        Some(_) => Some(output::dir::render(&outcome, config.pretty)?),
        None => None,
    };
    if config.check {
        check(config, fill, files.as_ref())?;
        return Ok((outcome, Written::default()));
    }
    // All or nothing across -o and --output-dir too: the folder's files
    // are staged first, and renamed into place only once -o is written.
    let staged = match (&config.output_dir, &files) {
        (Some(dir), Some(files)) => Some(output::dir::stage(dir, files)?),
        _ => None,
    };
    let mut written = Written::default();
    match &config.output {
        Some(path) => {
            // Rendered first, so an unchanged output keeps its file.
            let mut bytes = Vec::new();
            fill(&mut bytes).map_err(|e| Error::io(path, e))?;
            let changed = !output::unchanged(path, &bytes);
            if changed {
                output::write_atomically(path, |w| w.write_all(&bytes))?;
            }
            written.file = Some(changed);
        }
        None if config.output_dir.is_some() => {}
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            fill(&mut lock).map_err(|e| Error::io("<stdout>", e))?;
        }
    }
    written.dir = staged.map(output::dir::Staged::commit).transpose()?;

    if config.verbosity >= Verbosity::Verbose {
        for s in &outcome.stages {
            eprintln!("related: {:>12}  {:>8.3} s  {}", s.name, s.elapsed.as_secs_f64(), s.detail);
        }
        eprintln!("related: {:>12}  {:>8.3} s", "write", write_started.elapsed().as_secs_f64());
    }
    // A one-line summary for people at a terminal; silent in pipes and CI
    // (`--watch` says its own).
    if config.verbosity >= Verbosity::Normal && std::io::stderr().is_terminal() && !config.watch {
        let warned = match outcome.warnings.len() {
            0 => String::new(),
            n => format!(", {n} warning(s)"),
        };
        let mut places: Vec<String> =
            config.output.iter().map(|p| p.display().to_string()).collect();
        if let (Some(dir), Some(r)) = (&config.output_dir, &written.dir) {
            places.push(format!(
                "{} ({} files written, {} unchanged, {} removed)",
                dir.display(),
                r.written,
                r.unchanged,
                r.removed
            ));
        }
        if !places.is_empty() {
            eprintln!(
                "related: wrote {} articles to {} in {:.2} s{warned}",
                outcome.corpus.len(),
                places.join(" and "),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok((outcome, written))
}

/// When every list came out empty and a setting is the reason, that setting.
fn empty_because_of_settings(config: &Config, outcome: &Outcome) -> Option<String> {
    let n = outcome.corpus.len();
    if n < 2 || outcome.related.iter().any(|r| !r.is_empty()) {
        return None;
    }
    if config.top_k == 0 {
        return Some("-k 0 lists no neighbour; give 1 or more".into());
    }
    match config.weighting.min_df {
        vector::DfBound::Count(c) if c > n => {
            return Some(format!(
                "--min-df {c} is more than the {n} articles read: no term is kept; lower it"
            ));
        }
        _ => {}
    }
    (config.min_score > 0.0)
        .then(|| format!("no pair scores --min-score {} or more; lower it", config.min_score))
}

/// `--check`: compares what would be written with the files on disk.
fn check(
    config: &Config,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    files: Option<&std::collections::BTreeMap<String, Vec<u8>>>,
) -> Result<()> {
    let mut stale = Vec::new();
    if let Some(path) = &config.output {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(|e| Error::io(path, e))?;
        stale.extend(output::check::file(path, &bytes, config.format));
    }
    if let (Some(dir), Some(files)) = (&config.output_dir, files) {
        stale.extend(output::check::dir(dir, files));
    }
    if !stale.is_empty() {
        return Err(Error::Stale(stale.join("; ")));
    }
    if config.verbosity >= Verbosity::Normal {
        let places: Vec<String> = config
            .output
            .iter()
            .chain(config.output_dir.iter())
            .map(|p| p.display().to_string())
            .collect();
        eprintln!("related: {} up to date", places.join(" and "));
    }
    Ok(())
}
