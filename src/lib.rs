//! `related`: for every article of a site, its most related articles.
//!
//! Two calls: [`read_corpus`] reads files, folders, feeds or JSON Lines into
//! a [`Corpus`] (applying the site generator's publishing rules and keys),
//! and [`compute`] lists each article's neighbours (TF-IDF cosine blended
//! with LSI, exact top-k). A program that has its articles in memory builds
//! the [`Corpus`] itself (`examples/embed.rs`):
//!
//! ```
//! use related::{Corpus, Document, Options, compute};
//! let doc = |key: &str, title: &str, text: &str| Document {
//!     key: key.into(),
//!     title: Some(title.into()),
//!     text: text.into(),
//!     ..Document::default()
//! };
//! let corpus = Corpus::new(vec![
//!     doc("rust", "Rust", "Rust command line tools"),
//!     doc("cargo", "Cargo", "Building Rust command line tools with cargo"),
//!     doc("bread", "Bread", "A recipe for bread"),
//! ])?;
//! let outcome = compute(corpus, &Options::default())?;
//! for (article, list) in outcome.iter() {
//!     for n in list {
//!         println!("{} -> {} ({:.3})", article.key, outcome.corpus.get(n.doc).key, n.score);
//!     }
//! }
//! assert_eq!(outcome.neighbours("rust").unwrap()[0].0, "cargo");
//! assert!(outcome.neighbours("bread").unwrap().is_empty(), "shares no term");
//! # Ok::<(), related::Error>(())
//! ```
//!
//! The stages, one module each (crate-private; the command line lives in
//! `cli`, behind the default `cli` feature):
//!
//! ```text
//! source   : inputs → files (sorted walk honouring .gitignore, globs), stdin; bytes → text
//! extract  : Markdown / HTML / feed / JSON Lines / plain text → title, text, metadata
//! site     : publishing rules, languages, keys and URLs, pair rules, pinned/filled lists
//! text     : text → terms (NFKC, script runs, lindera IPADIC for Japanese)
//! vector   : terms → sorted vocabulary → TF-IDF rows (CSR); LSI document vectors
//! similar  : rows → exact cosine top-k per article (inverted index, rayon)
//! pipeline : the stages in order, timed; the term cache between runs
//! output   : lists → JSON / JSON Lines / similar-documents, atomic writes
//! ```

#![warn(missing_docs)]
// Without the `cli` feature, the helpers only the command line calls (the
// output folder, `--check`, the generator's config files, signals) are
// compiled but unused.
#![cfg_attr(not(feature = "cli"), allow(dead_code))]

mod document;
mod error;
mod extract;
mod options;
mod outcome;
mod output;
mod pipeline;
mod similar;
mod site;
mod source;
mod text;
mod vector;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;

pub use document::{Corpus, DocId, Document, Origin};
pub use error::{Error, Message, Result, Setting};
pub use extract::ExtractOptions;
pub use options::{
    APPROXIMATE_POSTINGS, AUTO_APPROXIMATE_WORK, FieldWeights, LSI_MAX_DOCS, MAX_THREADS_PER_CORE,
    Options, ReadOptions, Shard, auto_max_terms, auto_shortlist, max_threads,
};
pub use outcome::{Mark, Neighbour, Outcome, Search, Stage, StageName, Warning};
pub use output::Format;
pub use pipeline::{compute, read_corpus};
pub use site::filter::FilterOptions;
pub use site::keys::{KeyOptions, KeyScheme};
pub use site::lists::Fill;
pub use site::{SiteMeta, SiteOptions, Zone};
pub use source::WalkOptions;
pub use text::{AnalyzerOptions, JapaneseOptions};
pub use vector::{DfBound, Scheme, Tf, WeightingOptions};

/// The stages' own APIs, for the benchmarks, fuzz targets and tests of this
/// repository. Not a stable interface.
#[doc(hidden)]
pub mod internals {
    pub use crate::extract::{ExtractOptions, feed, html, markdown};
    pub use crate::pipeline::document_terms;
    pub use crate::similar::{Related, TopKOptions, blend, round_score, top_k, top_k_rows};
    pub use crate::text::Analyzer;
    pub use crate::vector::{
        CountMatrix, Lsi, LsiOptions, TfIdfMatrix, WeightingOptions, count_terms, lsi,
    };
}
