//! `Config`: validated, resolved settings for one run. The CLI builds it from
//! flags ([`crate::cli`]); a Rust program can build it directly.

use std::path::PathBuf;

use crate::extract::ExtractOptions;
use crate::output::Format;
use crate::site::filter::FilterOptions;
use crate::site::keys::KeyOptions;
use crate::source::WalkOptions;
use crate::text::AnalyzerOptions;
use crate::vector::WeightingOptions;

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors, warnings and a one-line summary when writing to a file.
    #[default]
    Normal,
    /// Also per-stage timings and sizes.
    Verbose,
}

/// How much each field counts: each occurrence of a term in a field adds
/// the field's weight to the term's count (the body text counts 1). A
/// multiplier, not a repetition, so any `u32` costs the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldWeights {
    /// The title's terms count this many times (0: the title is not text).
    pub title: u32,
    /// Front-matter / feed tags, categories and keywords count this many times.
    pub tags: u32,
    /// Code blocks' terms count this many times (0: code is ignored).
    pub code: u32,
    /// Link and image targets' words count this many times (0: ignored).
    pub links: u32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights { title: 1, tags: 1, code: 1, links: 2 }
    }
}

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Files, directories, or `-` for standard input.
    pub inputs: Vec<PathBuf>,
    /// Which files a directory walk reads.
    pub walk: WalkOptions,
    /// How Markdown/HTML become text.
    pub extract: ExtractOptions,
    /// What the keys (and links) in the output are.
    pub keys: KeyOptions,
    /// Drafts, and which pairs may be listed (`--exclude-newer`, `--same-lang`).
    pub filters: FilterOptions,
    /// How text becomes terms.
    pub analyzer: AnalyzerOptions,
    /// How terms are weighted.
    pub weighting: WeightingOptions,
    /// How much title and tags count.
    pub fields: FieldWeights,
    /// Neighbours listed per article.
    pub top_k: usize,
    /// Neighbours scoring below this are not listed.
    pub min_score: f64,
    /// Approximate mode: walk only this many highest-weighted terms per article.
    pub max_terms_per_doc: Option<usize>,
    /// Exact early termination in the similarity stage (same result, faster).
    pub early_termination: bool,
    /// List up to this many contributing terms per neighbour (0: none).
    pub explain: usize,
    /// Output format.
    pub format: Format,
    /// Indent the JSON.
    pub pretty: bool,
    /// Write here (atomically) instead of stdout.
    pub output: Option<PathBuf>,
    /// Write one `<key>.json` per article here (instead of stdout).
    pub output_dir: Option<PathBuf>,
    /// Only compare with `output`/`output_dir`; write nothing, fail if stale.
    pub check: bool,
    /// Keep analyzed terms (and the last result) here between runs.
    pub cache: Option<PathBuf>,
    /// Worker threads; `None` = one per core.
    pub threads: Option<usize>,
    /// Any warning fails the run before anything is written.
    pub strict: bool,
    /// How much to report on stderr.
    pub verbosity: Verbosity,
    /// Show a progress bar on stderr for stages longer than two seconds.
    pub progress: bool,
    /// Languages, time zone and publishing rules of the site.
    pub site: crate::site::SiteOptions,
    /// How short lists are topped up to `top_k`.
    pub fill: crate::site::lists::Fill,
    /// `--watch`: keep running and re-run on changes ([`crate::cli::watch`]).
    pub watch: bool,
    /// Said on stderr before the run (unless quiet): settings that do
    /// nothing here, an output that comes from `related.toml`.
    pub notes: Vec<String>,
    /// Write dates as the source has them instead of ISO 8601.
    pub raw_dates: bool,
    /// Latent (LSI) dimensions blended into the score; 0 = TF-IDF only.
    /// Sites above [`crate::LSI_MAX_DOCS`] articles run without LSI.
    pub lsi_dims: usize,
    /// Weight of the TF-IDF cosine in the blended score (0..=1); the LSI
    /// cosine gets the rest.
    pub lsi_blend: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            walk: WalkOptions::default(),
            extract: ExtractOptions::default(),
            keys: KeyOptions::default(),
            filters: FilterOptions::default(),
            analyzer: AnalyzerOptions::default(),
            weighting: WeightingOptions::default(),
            fields: FieldWeights::default(),
            top_k: 5,
            min_score: 0.0,
            max_terms_per_doc: None,
            early_termination: true,
            explain: 0,
            format: Format::Json,
            pretty: false,
            output: None,
            output_dir: None,
            check: false,
            cache: None,
            threads: None,
            strict: false,
            verbosity: Verbosity::Normal,
            progress: false,
            site: crate::site::SiteOptions::default(),
            fill: crate::site::lists::Fill::None,
            watch: false,
            notes: Vec::new(),
            raw_dates: false,
            lsi_dims: 75,
            lsi_blend: 0.5,
        }
    }
}
