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

pub mod cache;
pub mod cli;
pub mod config;
pub mod document;
pub mod error;
pub mod extract;
pub mod filter;
pub mod keys;
pub mod load;
pub mod output;
pub mod progress;
pub mod similar;
pub mod source;
pub mod text;
pub mod vector;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use cache::Cache;
pub use config::{Config, FieldWeights, Verbosity};
pub use document::{Corpus, DocId, Document};
pub use error::{Error, Result};
use progress::Progress;
use rayon::prelude::*;
use similar::{Related, TopKOptions};
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
    /// Per-stage timings.
    pub stages: Vec<Stage>,
}

impl Outcome {
    /// `(key, score)` of the neighbours of the article with `key`.
    pub fn neighbours(&self, key: &str) -> Option<Vec<(&str, f64)>> {
        let i = self.corpus.docs().binary_search_by(|d| d.key.as_str().cmp(key)).ok()?;
        Some(
            self.related[i]
                .iter()
                .map(|r| (self.corpus.get(r.doc).key.as_str(), similar::round_score(r.score)))
                .collect(),
        )
    }
}

/// Runs the pipeline on `config.inputs` and returns the related articles.
/// Writes nothing and prints nothing.
pub fn compute(config: &Config) -> Result<Outcome> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = config.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().map_err(|e| Error::Usage(format!("--threads: {e}")))?;
    pool.install(|| compute_in_pool(config))
}

fn compute_in_pool(config: &Config) -> Result<Outcome> {
    let mut watch = Stopwatch::new();

    let sources = source::discover(&config.inputs, &config.walk)?;
    let mut warnings = sources.warnings.clone();
    watch.lap("discover", format!("{} files", sources.files.len()));

    let (corpus, site_note) = site_corpus(config, &sources, &mut warnings)?;
    let text_bytes: usize =
        corpus.docs().iter().map(|d| d.text.len() + d.title.as_ref().map_or(0, String::len)).sum();
    watch.lap("read+extract", format!("{} articles{site_note}", corpus.len()));
    let pairs = filter::PairFilter::new(&corpus, &config.filters, &mut warnings);

    let analyzer = Analyzer::new(config.analyzer);
    let mut cache = match &config.cache {
        Some(dir) => {
            let settings =
                cache::settings_hash(&format!("{:?} {:?}", config.analyzer, config.fields));
            let (cache, warning) = Cache::open(dir, settings)?;
            warnings.extend(warning);
            Some(cache)
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
            c.result(f).map(<[_]>::to_vec)
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
                        (0..*c).for_each(|_| emit(t));
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
    // `--check` writes nothing, the cache included.
    let unchanged = unchanged || config.check;
    if let (Some(cache), Some((hashes, fresh)), false) = (cache.as_mut(), cached, unchanged) {
        let docs: Vec<(u128, &cache::Terms)> = hashes
            .iter()
            .zip(&fresh)
            .map(|(h, f)| {
                (*h, f.as_ref().or_else(|| cache.terms(*h)).expect("terms of every article"))
            })
            .collect();
        let result = fingerprint.filter(|_| config.explain == 0).map(|f| (f, related.as_slice()));
        cache.save(&docs, result)?;
        watch.lap("cache", "saved".into());
    }

    Ok(Outcome { corpus, related, explanations, warnings, stages: watch.stages })
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
    let fallbacks = keys::apply(&mut loaded.docs, &config.keys);
    let corpus = Corpus::new(loaded.docs)?;
    if corpus.is_empty() {
        let inputs =
            config.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(if drafts > 0 {
            Error::Usage(format!(
                "all {read} articles in {inputs} are drafts (draft: true / published: false); pass --include-drafts to use them"
            ))
        } else {
            Error::EmptyCorpus { inputs }
        });
    }
    let mut note = format!(", {}", megabytes(loaded.bytes as usize));
    if drafts > 0 {
        note.push_str(&format!(", {drafts} draft(s) skipped"));
    }
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
    document_terms(doc, analyzer, fields, &mut |t| match counts.get_mut(t) {
        Some(c) => *c += 1,
        None => {
            counts.insert(t.to_owned(), 1);
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

/// Calls `emit` with every term of `doc`: its title's (`fields.title`
/// times: the title is usually the best summary), its tags' (`fields.tags`
/// times), then its text's.
pub fn document_terms(
    doc: &Document,
    analyzer: &Analyzer,
    fields: &FieldWeights,
    emit: &mut dyn FnMut(&str),
) {
    let repeat = |text: &str, times: u32, emit: &mut dyn FnMut(&str)| {
        if times > 0 {
            analyzer.for_each_term(text, &mut |t| (0..times).for_each(|_| emit(t)));
        }
    };
    if let Some(title) = &doc.title {
        repeat(title, fields.title, emit);
    }
    for tag in &doc.tags {
        repeat(tag, fields.tags, emit);
    }
    analyzer.for_each_term(&doc.text, emit);
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
    let started = Instant::now();
    if config.check && config.output.is_none() && config.output_dir.is_none() {
        return Err(Error::Usage(
            "--check compares with an existing output: give -o FILE and/or --output-dir DIR".into(),
        ));
    }
    let outcome = compute(config)?;
    if config.verbosity >= Verbosity::Normal {
        for w in &outcome.warnings {
            eprintln!("related: warning: {w}");
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
        return Ok(outcome);
    }
    let mut dir_report = None;
    if let (Some(dir), Some(files)) = (&config.output_dir, &files) {
        dir_report = Some(output::dir::write(dir, files)?);
    }
    match &config.output {
        Some(path) => output::write_atomically(path, fill)?,
        None if config.output_dir.is_some() => {}
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            fill(&mut lock).map_err(|e| Error::io("<stdout>", e))?;
        }
    }

    if config.verbosity >= Verbosity::Verbose {
        for s in &outcome.stages {
            eprintln!("related: {:>12}  {:>8.3} s  {}", s.name, s.elapsed.as_secs_f64(), s.detail);
        }
        eprintln!("related: {:>12}  {:>8.3} s", "write", write_started.elapsed().as_secs_f64());
    }
    // A one-line summary for people at a terminal; silent in pipes and CI.
    if config.verbosity >= Verbosity::Normal && std::io::stderr().is_terminal() {
        let warned = match outcome.warnings.len() {
            0 => String::new(),
            n => format!(", {n} warning(s)"),
        };
        let mut places: Vec<String> =
            config.output.iter().map(|p| p.display().to_string()).collect();
        if let (Some(dir), Some(r)) = (&config.output_dir, &dir_report) {
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
    Ok(outcome)
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
