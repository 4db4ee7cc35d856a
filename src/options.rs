//! The library's settings: [`ReadOptions`] say how inputs become a corpus
//! (walk, extraction, the site's rules, keys), [`Options`] how a corpus
//! becomes related lists (analysis, weighting, similarity). Both are plain
//! data with defaults; the CLI builds them from flags, a program directly.
//! Outputs, `--check`, verbosity and other job settings belong to the CLI.

use std::path::PathBuf;

use crate::error::{Error, Result, Setting, message};
use crate::extract::ExtractOptions;
use crate::site::SiteOptions;
use crate::site::filter::FilterOptions;
use crate::site::keys::KeyOptions;
use crate::site::lists::Fill;
use crate::source::WalkOptions;
use crate::text::AnalyzerOptions;
use crate::vector::WeightingOptions;

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

/// How inputs become a [`Corpus`](crate::Corpus): which files, how they
/// are read, what the site publishes, and what the keys are.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Which files a directory walk reads.
    pub walk: WalkOptions,
    /// How Markdown/HTML become text.
    pub extract: ExtractOptions,
    /// What the keys (and links) in the output are.
    pub keys: KeyOptions,
    /// Languages, time zone and publishing rules of the site.
    pub site: SiteOptions,
    /// Keep articles marked `draft: true` / `published: false`.
    pub include_drafts: bool,
    /// Keep dates as the source has them instead of ISO 8601.
    pub raw_dates: bool,
}

impl ReadOptions {
    /// Checks the settings that can be wrong before any file is read.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = &self.keys.url_template {
            crate::site::keys::check_url_template(t)
                .map_err(|e| Error::Invalid(message![Setting::UrlTemplate, e]))?;
        }
        if self.keys.base_url.as_deref().is_some_and(|u| u.trim().is_empty()) {
            return Err(Error::Invalid(message![
                Setting::BaseUrl,
                " is empty (for site-relative keys use ",
                Setting::BaseUrl,
                " /)",
            ]));
        }
        Ok(())
    }
}

/// How a corpus becomes related lists.
#[derive(Debug, Clone)]
pub struct Options {
    /// How text becomes terms.
    pub analyzer: AnalyzerOptions,
    /// How terms are weighted.
    pub weighting: WeightingOptions,
    /// How much title, tags, code and links count.
    pub fields: FieldWeights,
    /// Neighbours listed per article.
    pub top_k: usize,
    /// Neighbours scoring below this are not listed.
    pub min_score: f64,
    /// Approximate mode: walk only this many highest-weighted terms per
    /// article. `None`: exact, unless the site is so large that the exact
    /// search would take minutes ([`AUTO_APPROXIMATE_WORK`]): then
    /// [`auto_max_terms`] terms, as [`Outcome::search`](crate::Outcome::search) says.
    pub max_terms_per_doc: Option<usize>,
    /// Keep each article's text and code in the [`Outcome`](crate::Outcome)'s
    /// corpus. Off, they are freed once analyzed: a million articles' text
    /// is gigabytes that no later stage reads (the CLI turns it off).
    pub keep_text: bool,
    /// Search exactly however large the site (never switch to the
    /// approximate search on its own).
    pub exact: bool,
    /// The exact search's work (postings) above which it switches to the
    /// approximate one: [`AUTO_APPROXIMATE_WORK`] by default.
    pub approximate_above: u64,
    /// The approximate search walks at most this many postings of each
    /// term, the heaviest: [`APPROXIMATE_POSTINGS`] by default.
    pub approximate_postings: usize,
    /// The approximate search scores exactly this many of the best
    /// candidates it finds (at least 12 · `top_k`); `None`:
    /// [`auto_shortlist`] of the site's size.
    pub approximate_shortlist: Option<usize>,
    /// Exact early termination in the similarity stage (same result, faster).
    pub early_termination: bool,
    /// List up to this many contributing terms per neighbour (0: none).
    pub explain: usize,
    /// Which pairs may be listed (`--exclude-newer`, `--same-lang`).
    pub pairs: FilterOptions,
    /// How short lists are topped up to `top_k`.
    pub fill: Fill,
    /// Keep analyzed terms (and the last result) here between runs.
    pub cache: Option<PathBuf>,
    /// Worker threads; `None` = one per core. Capped at [`max_threads`].
    pub threads: Option<usize>,
    /// Latent (LSI) dimensions blended into the score; 0 = TF-IDF only.
    /// Sites above [`LSI_MAX_DOCS`] articles run without LSI.
    pub lsi_dims: usize,
    /// Weight of the TF-IDF cosine in the blended score (0..=1); the LSI
    /// cosine gets the rest.
    pub lsi_blend: f64,
    /// Compute the lists of one slice of the articles only ([`Shard`]);
    /// `None`: all of them.
    pub shard: Option<Shard>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            analyzer: AnalyzerOptions::default(),
            weighting: WeightingOptions::default(),
            fields: FieldWeights::default(),
            top_k: 5,
            min_score: 0.0,
            max_terms_per_doc: None,
            exact: false,
            keep_text: true,
            approximate_above: AUTO_APPROXIMATE_WORK,
            approximate_postings: APPROXIMATE_POSTINGS,
            approximate_shortlist: None,
            early_termination: true,
            explain: 0,
            pairs: FilterOptions::default(),
            fill: Fill::None,
            cache: None,
            threads: None,
            lsi_dims: 75,
            lsi_blend: 0.5,
            shard: None,
        }
    }
}

impl Options {
    /// Checks the settings that can be wrong before any work is done.
    pub fn validate(&self) -> Result<()> {
        if let Some(s) = self.shard
            && Shard::new(s.index, s.count).is_none()
        {
            return Err(Error::Invalid(message![
                Setting::Shard,
                format!(" {s}: slices are 1/n to n/n"),
            ]));
        }
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(Error::Invalid(message![
                Setting::MinScore,
                format!(" {} is outside 0..=1", self.min_score),
            ]));
        }
        if !(0.0..=1.0).contains(&self.lsi_blend) {
            return Err(Error::Invalid(message![
                Setting::LsiBlend,
                format!(" {} is outside 0..=1 (1 = TF-IDF only, 0 = LSI only)", self.lsi_blend),
            ]));
        }
        Ok(())
    }

    /// True if LSI runs on a corpus of `n` articles.
    pub(crate) fn lsi_runs(&self, n: usize) -> bool {
        self.lsi_dims > 0 && (2..=LSI_MAX_DOCS).contains(&n)
    }
}

/// `--shard i/n`: the i-th (from 1) of n contiguous slices of the articles
/// in key order, whose sizes differ by at most one. The whole corpus is
/// still read and analyzed (same vocabulary, IDF and LSI), so each article
/// of the slice gets exactly the list a run over everything gives it; the
/// lists of the other articles are left empty and not written. n such runs
/// (CI matrix jobs, say) joined by `related merge` give the bytes of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which slice, 1..=count.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl Shard {
    /// The slice `index/count`, if `1 <= index <= count`.
    pub fn new(index: usize, count: usize) -> Option<Self> {
        (1..=count).contains(&index).then_some(Shard { index, count })
    }

    /// The articles (indices in key order) of this slice of `n` articles:
    /// `⌊(i−1)·n/count⌋ .. ⌊i·n/count⌋`.
    pub fn rows(&self, n: usize) -> std::ops::Range<usize> {
        let at = |i: usize| (i as u128 * n as u128 / self.count as u128) as usize;
        at(self.index - 1)..at(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `"2/3"`; anything else is an error saying what is expected.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let parsed = s.split_once('/').and_then(|(i, n)| {
            Some((i.trim().parse::<usize>().ok()?, n.trim().parse::<usize>().ok()?))
        });
        match parsed {
            None => Err(format!(
                "{s:?} is not I/N: write the slice and the number of slices, e.g. 2/3 for the second of three"
            )),
            Some((_, 0)) => Err(format!("{s:?}: the number of slices must be 1 or more")),
            Some((0, n)) => Err(format!("{s:?}: slices are numbered from 1: 1/{n} to {n}/{n}")),
            Some((i, n)) if i > n => {
                Err(format!("{s:?}: there are only {n} slices: 1/{n} to {n}/{n}"))
            }
            Some((i, n)) => Ok(Shard { index: i, count: n }),
        }
    }
}

/// Above this many articles LSI is off: the exact blended search costs
/// O(n² · d) (BENCHMARKS.md, "LSI").
pub const LSI_MAX_DOCS: usize = 20_000;

/// Above this much work (postings walked, Σ df² over the terms kept) the
/// exact search switches to the approximate one unless
/// [`Options::exact`] is set (the default of [`Options::approximate_above`]).
/// Σ df² is ~18 n² on the synthetic corpora of `scripts/gen_corpus.py`
/// (20 % of every article drawn from the whole pool): ~1.6·10¹⁰ at 30k
/// articles, whose exact stage takes ~15–35 s on 2 cores, stays exact;
/// ~1.8·10¹¹ at 100k (minutes) switches. livedoor's 7,378 articles are far
/// below (BENCHMARKS.md).
pub const AUTO_APPROXIMATE_WORK: u64 = 50_000_000_000;

/// The most postings of one term the approximate search walks (the
/// heaviest ones, see [`Options::approximate_postings`]). Without a cap a
/// common term's posting list grows with the site, and so does the work for
/// every article that picked it: the walk grew as n² (the first 1M run did
/// not finish its similarity stage in 49 CPU-minutes). With it, the work
/// per article is at most `N · APPROXIMATE_POSTINGS`, linear in n overall.
/// Measured in BENCHMARKS.md ("Approximate mode at scale").
pub const APPROXIMATE_POSTINGS: usize = 2_000;

/// How many candidates of each article the approximate search scores
/// exactly for `n` articles (the best by partial score; see
/// [`Options::approximate_shortlist`]): one per thousand articles, from 60
/// to 1,000. Partial scores rank candidates more loosely as the site
/// grows; exact rescoring is cheap next to the walk. Measured
/// (BENCHMARKS.md, "Approximate mode at scale"): recall@5 at 1M articles
/// 0.84 with 60, 0.94 with 300, 0.98 with 1,000; at 100k 0.960 with 60,
/// 0.979 with 100.
pub fn auto_shortlist(n: usize) -> usize {
    (n / 1000).clamp(60, 1000)
}

/// The number of terms per article the approximate search walks when it
/// was chosen automatically for `n` articles: recall@5 ≥ 0.95 needs more
/// terms as sites grow (measured: 40 at 10k, 60 at 100k, 80 at 1M
/// articles; BENCHMARKS.md), i.e. 20 more per tenfold, from 40 to 100.
pub fn auto_max_terms(n: usize) -> usize {
    let steps = (n.max(1) as f64).log10() - 4.0;
    (40.0 + 20.0 * steps).round().clamp(40.0, 100.0) as usize
}

/// Most worker threads per core [`Options::threads`] may start: more only
/// add switching and memory (`-j 65535` once loaded a machine to 2,400).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The most worker threads a run uses: [`MAX_THREADS_PER_CORE`] per core.
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from) * MAX_THREADS_PER_CORE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortlist_grows_with_the_site_within_bounds() {
        assert_eq!(auto_shortlist(0), 60);
        assert_eq!(auto_shortlist(7_378), 60);
        assert_eq!(auto_shortlist(100_000), 100);
        assert_eq!(auto_shortlist(1_000_000), 1000);
        assert_eq!(auto_shortlist(usize::MAX), 1000);
    }

    #[test]
    fn the_automatic_approximate_search_walks_more_terms_on_larger_sites() {
        assert_eq!(auto_max_terms(0), 40);
        assert_eq!(auto_max_terms(5_000), 40);
        assert_eq!(auto_max_terms(10_000), 40);
        assert_eq!(auto_max_terms(100_000), 60);
        assert_eq!(auto_max_terms(1_000_000), 80);
        assert_eq!(auto_max_terms(100_000_000), 100, "capped");
        let sizes = [1, 10, 1_000, 30_000, 300_000, 3_000_000, usize::MAX];
        assert!(sizes.windows(2).all(|w| auto_max_terms(w[0]) <= auto_max_terms(w[1])));
    }
}
