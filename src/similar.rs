//! Cosine top-k per document, without ever building an n×n matrix.
//!
//! For document `i`, every other document's score is the dot product of
//! their (L2-normalized) rows. It is accumulated term by term through the
//! inverted index: for each term of `i`, add `w(i,t) · w(j,t)` to `acc[j]`
//! for every document `j` containing `t`. Each rayon worker owns one dense
//! accumulator of n floats plus a list of the slots it touched, so resetting
//! costs only what was used. Memory is O(nnz + threads · (n + vocabulary)).
//!
//! **Exact mode (the default) does not walk document by document**: it
//! scores every pair once, a block of documents against tiles of the
//! others, with a dense SIMD product for the terms found in ≥ 10 % of the
//! documents (`similar/symmetric.rs`): the per-document walk reads each
//! posting list once per document that has the term (Σ df² postings),
//! which on corpora where common words link every pair is the whole cost.
//! From [`BOUNDED_MIN_DOCS`] documents on, those common terms are not
//! multiplied but bounded: an approximate search first finds a real k-th
//! best score for each document, and only the pairs whose rarer terms'
//! partial score plus the product of their norms over the common terms
//! can reach it are scored.
//! It chooses candidates from f32 partial scores with the same error margin
//! and rescores them with the same exact f64 sum, so its output is the same
//! bit for bit (property tests against the exhaustive walk, thread counts 1
//! and 3). The per-document walk below remains for approximate mode (and
//! its short documents), the blended LSI mode, and as the reference
//! (`prune_min_df: None`, the hidden `--no-early-termination`).
//!
//! The walk accumulates in f32 (half the memory traffic; 8.5 % faster on
//! 100k articles): partial scores only choose candidates, with a margin for
//! their rounding error (`f32_error`), and every score that is listed or
//! ranked is recomputed exactly in f64 (`Scratch::rescore`).
//!
//! Exact pruning in the per-document walk, never changing the result:
//! - a term found in one document links no two documents: never walked;
//! - each posting list is split into a short *head* (its heaviest postings)
//!   and a *tail*, whose largest weight bounds what it can add to any score.
//!   All heads are walked first, then the tails from the rarest term on
//!   (term ids are numbered rarest first, see [`crate::vector::tfidf`]).
//!   Before walking a long tail, the k-th best partial score θ is compared
//!   with the most the unwalked tails could still add,
//!   `Σ w(i,t) · max tail weight(t)`. Once that is below θ (with a margin
//!   covering rounding to the printed 6 decimals), no untouched document can
//!   enter the top k: the walk stops, and the touched documents that could
//!   still reach θ are scored exactly (MaxScore-style early termination). How much this saves depends on the
//!   corpus: ~2× on livedoor news, little on corpora where common words carry
//!   as much weight as the differences between neighbours.
//!
//! Determinism: every listed score is computed in f64 over the shared terms
//! in ascending term id, whichever side computes it and whether or not the
//! walk stopped early, so `score(i, j) == score(j, i)` bit for bit and the result does not depend
//! on the thread count or on pruning. Ranking is by the score rounded to
//! [`SCORE_DECIMALS`] (what the output shows), then by ascending document id,
//! which is ascending key.
//!
//! Approximate mode (`max_terms`): only the N highest-weighted terms of each
//! document that occur elsewhere are walked (like Elasticsearch's
//! `max_query_terms`), and of each, only its `max_postings` heaviest
//! postings (impact-ordered static pruning: a common term's full list grows
//! with the site, its heaviest postings are where the neighbours it can
//! reveal are); the `shortlist` (at least 12·k) best candidates found are
//! then scored exactly. A row with no more than N terms is walked the same
//! way when one of its terms is capped (else exactly: an exact walk of a
//! common term's whole list is what the cap avoids). Scores listed are
//! exact cosines; some true neighbours may be missed (recall is measured in
//! BENCHMARKS.md).
//!
//! Blended mode (`lsi`, see [`crate::vector::lsi`]): the score is
//! [`blend`]`(α, cos_tfidf, cos_lsi)`. Exact, for sites up to
//! `LSI_MAX_DOCS` articles: for a block of 64 documents, one dense f32
//! product gives their LSI cosines with every document; with the walk's partial
//! TF-IDF scores (all postings, no pruning) this estimates every blended
//! score within a stated error (`gemm_error`, `f32_error`), and every
//! document that can reach the k-th best estimate is scored exactly.
//! O(n² · d); no n × n matrix is kept.
//!
//! Exact rescoring (of the approximate shortlist, and of every candidate of
//! the exact walks) spreads the document's row over the vocabulary (a
//! per-worker table of two-byte slots, `Spread`) and sums `w(i,t) · w(j,t)`
//! over the candidate's row: no merge branches, and bit-identical to merging
//! the two sorted rows. Candidates are summed four at a time, side by side
//! ([`rescore_all`]), so that their chains of additions overlap instead of
//! each waiting on the last; each chain keeps its own order, so the scores
//! are the same bit for bit.

use rayon::prelude::*;

mod symmetric;

use crate::document::DocId;
use crate::vector::tfidf::{PARALLEL_PARTS, balanced_groups, split_by_groups};
use crate::vector::{Lsi, TfIdfMatrix};

/// Decimals kept in the output, and used for ranking so that documents with
/// equal printed scores are ordered by key.
pub const SCORE_DECIMALS: i32 = 6;

/// Slack for comparing bounds with partial scores: one unit of the printed
/// precision (documents whose printed scores tie are ordered by key, so a
/// bound must beat θ by a printed unit to rule a document out) plus room
/// for floating-point error in the bound itself.
const MARGIN: f64 = 1e-6 + 1e-9;

/// One neighbour of a document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Related {
    /// The neighbour.
    pub doc: DocId,
    /// Cosine similarity in (0, 1].
    pub score: f64,
}

/// What to find.
#[derive(Clone, Copy)]
pub struct TopKOptions<'a> {
    /// Neighbours per document.
    pub k: usize,
    /// Neighbours scoring below this are not listed.
    pub min_score: f64,
    /// `allow(i, j)`: may `j` be listed for `i`? (drafts, dates, language)
    pub allow: Option<&'a (dyn Fn(DocId, DocId) -> bool + Sync)>,
    /// Approximate mode: walk only this many of each document's
    /// highest-weighted terms. `None`: exact.
    pub max_terms: Option<usize>,
    /// Approximate mode: walk at most this many postings of each term,
    /// its heaviest (ties by document id).
    pub max_postings: usize,
    /// Approximate mode: how many of the best candidates found (by
    /// partial score) are scored exactly; at least `12 · k`.
    pub shortlist: usize,
    /// Exact early termination: consider stopping before a posting list of
    /// at least this many documents. `None` turns it off (the result is the
    /// same either way; this exists to test that and to measure it).
    pub prune_min_df: Option<usize>,
    /// Called once per document done (progress reporting).
    pub progress: Option<&'a (dyn Fn() + Sync)>,
    /// Blend in the LSI cosine (see [`blend`]): exact top-k by the blended
    /// score, in blocked dense products; `max_terms` and `prune_min_df` are
    /// then not used. `None`: TF-IDF cosine only.
    pub lsi: Option<&'a Lsi>,
    /// Weight of the TF-IDF cosine in the blend (0..=1); the LSI cosine
    /// gets `1 − blend`.
    pub blend: f64,
}

impl Default for TopKOptions<'_> {
    fn default() -> Self {
        TopKOptions {
            k: 5,
            min_score: 0.0,
            allow: None,
            max_terms: None,
            max_postings: usize::MAX,
            shortlist: 60,
            prune_min_df: Some(32),
            progress: None,
            lsi: None,
            blend: 1.0,
        }
    }
}

/// The most an f32 partial score of a document with `terms` terms can be
/// off from its exact value: summing m products of rounded weights errs by
/// at most about (m + 2)·u·Σ|products| with u = 2⁻²⁴, and Σ products ≤ 1 for
/// L2-normalized rows (Cauchy–Schwarz). Twice that, for the second-order terms.
fn f32_error(terms: usize) -> f64 {
    (terms as f64 + 4.0) * f64::from(f32::EPSILON)
}

/// Rounds `score` to the output precision.
pub fn round_score(score: f64) -> f64 {
    let scale = 10f64.powi(SCORE_DECIMALS);
    (score * scale).round() / scale
}

/// The inverted index and per-term bounds shared by all workers.
///
/// Each posting list is split into a *head*, its heaviest postings (at least
/// [`HEAD_MIN`], or 1/[`HEAD_SHARE`] of the list), and a *tail* whose largest
/// weight bounds what the tail can add to any score. Heads are always walked
/// (they are short); tails of common terms are what early termination skips.
struct Index<'m> {
    m: &'m TfIdfMatrix,
    col_ptr: Vec<usize>,
    col_docs: Vec<u32>,
    /// Posting weights in f32: half the memory traffic of the walk. Partial
    /// scores are only used to choose candidates (with an error margin,
    /// [`f32_error`]); every listed score is recomputed exactly in f64.
    col_weights: Vec<f32>,
    /// Where each column's tail starts (absolute index into `col_docs`).
    tail_start: Vec<usize>,
    /// Largest weight in each column's tail (0 when the tail is empty).
    tail_max: Vec<f64>,
    /// Built for the approximate walk: heads are the capped lists.
    walk_cap: bool,
}

/// A posting-list head holds at least this many postings...
const HEAD_MIN: usize = 16;
/// ...or this fraction (1/N) of the list.
const HEAD_SHARE: usize = 32;

impl<'m> Index<'m> {
    /// The index for the exact walks (heads of [`HEAD_MIN`] or
    /// 1/[`HEAD_SHARE`] postings), or, with `walk_cap`, for the approximate
    /// walk: each head is then the list's `walk_cap` heaviest postings, the
    /// only ones it walks.
    fn new(m: &'m TfIdfMatrix, walk_cap: Option<usize>) -> Self {
        let (col_ptr, mut col_docs, mut col_weights) = m.to_columns().into_raw_storage();
        // Columns are split in parallel, groups of them per task; each
        // column's split depends on the column alone.
        let groups = balanced_groups(&col_ptr, PARALLEL_PARTS);
        let parts = split_by_groups(&col_ptr, &groups, &mut col_docs, &mut col_weights);
        let splits: Vec<Vec<(usize, f64)>> = parts
            .into_par_iter()
            .map(|(columns, docs, weights)| {
                let base = col_ptr[columns.start];
                let mut pairs: Vec<(u32, f64)> = Vec::new();
                let mut splits = Vec::with_capacity(columns.len());
                for c in columns {
                    let (start, end) = (col_ptr[c] - base, col_ptr[c + 1] - base);
                    let head = match walk_cap {
                        Some(cap) => (end - start).min(cap.max(1)),
                        None => (end - start).min(HEAD_MIN.max((end - start) / HEAD_SHARE)),
                    };
                    if head < end - start {
                        // Heaviest postings first; order within head and tail
                        // does not matter (each document gets one
                        // contribution per term).
                        pairs.clear();
                        pairs.extend(
                            docs[start..end]
                                .iter()
                                .copied()
                                .zip(weights[start..end].iter().copied()),
                        );
                        pairs.select_nth_unstable_by(head - 1, |a, b| {
                            b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
                        });
                        if walk_cap.is_some() {
                            // The approximate walk reads only the head: in
                            // document order its scattered adds go up through
                            // the accumulator instead of jumping about (each
                            // document gets one add per term whatever the
                            // order, so the sums are the same).
                            pairs[..head].sort_unstable_by_key(|p| p.0);
                        }
                        for (k, (d, wt)) in pairs.iter().enumerate() {
                            docs[start + k] = *d;
                            weights[start + k] = *wt;
                        }
                    }
                    let tail_max = weights[start + head..end].iter().fold(0f64, |a, &b| a.max(b));
                    splits.push((base + start + head, tail_max));
                }
                splits
            })
            .collect();
        let (tail_start, tail_max) = splits.into_iter().flatten().unzip();
        let col_weights = col_weights.par_iter().map(|&w| w as f32).collect();
        Index {
            m,
            col_ptr,
            col_docs,
            col_weights,
            tail_start,
            tail_max,
            walk_cap: walk_cap.is_some(),
        }
    }

    /// True if a term of row `i` has more postings than the approximate
    /// walk reads (only an index built with a walk cap has such terms).
    fn capped(&self, i: usize) -> bool {
        self.walk_cap && self.m.row(i).0.iter().any(|&t| self.head(t).len() < self.df(t))
    }

    fn df(&self, t: u32) -> usize {
        self.col_ptr[t as usize + 1] - self.col_ptr[t as usize]
    }

    /// Postings `range` of the column (absolute indices).
    fn postings(&self, range: std::ops::Range<usize>) -> (&[u32], &[f32]) {
        (&self.col_docs[range.clone()], &self.col_weights[range])
    }

    fn column(&self, t: u32) -> std::ops::Range<usize> {
        self.col_ptr[t as usize]..self.col_ptr[t as usize + 1]
    }

    fn head(&self, t: u32) -> std::ops::Range<usize> {
        self.col_ptr[t as usize]..self.tail_start[t as usize]
    }

    fn tail(&self, t: u32) -> std::ops::Range<usize> {
        self.tail_start[t as usize]..self.col_ptr[t as usize + 1]
    }
}

/// One worker's scratch space, reused for every document it handles.
struct Scratch {
    /// Partial scores in f32 (see [`Index::col_weights`]); the accumulator of
    /// a 100k-article site then fits in a core's L2 cache.
    acc: Vec<f32>,
    touched: Vec<u32>,
    found: Vec<Related>,
    /// The approximate walk's best candidates so far, worst on top.
    shortlist: std::collections::BinaryHeap<Candidate>,
    partials: Vec<f32>,
    bound: Vec<f64>,
    /// The current document's row spread over the vocabulary, for exact
    /// rescoring; see [`Scratch::rescore`].
    spread: Spread,
    /// Documents to score exactly, gathered so that [`rescore_all`] can sum
    /// several at once.
    pending: Vec<u32>,
}

/// A document found by the approximate walk, with its partial score.
/// Ordered worst first: a lower partial score, then a higher id, is
/// greater (so a max-heap keeps the worst on top). A total order, so the
/// shortlist is the same set whatever order documents are offered in.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    partial: f32,
    doc: u32,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.partial.total_cmp(&self.partial).then(self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Candidate {}

/// The top `opts.k` neighbours of every document, in document order.
pub fn top_k(m: &TfIdfMatrix, opts: &TopKOptions<'_>) -> Vec<Vec<Related>> {
    top_k_rows(m, opts, 0..m.n_docs())
}

/// The top `opts.k` neighbours of the documents in `rows` (against all
/// documents), in document order: for each, exactly its list in [`top_k`].
pub fn top_k_rows(
    m: &TfIdfMatrix,
    opts: &TopKOptions<'_>,
    rows: std::ops::Range<usize>,
) -> Vec<Vec<Related>> {
    let n = m.n_docs();
    let rows = rows.start.min(n)..rows.end.min(n);
    if opts.k == 0 || n < 2 || rows.is_empty() {
        return vec![Vec::new(); rows.len()];
    }
    let lsi = opts.lsi.filter(|l| l.dims() > 0);
    // Every pair once needs every row: a shard's slice walks its rows
    // one by one (same lists, bit for bit).
    if lsi.is_none() && opts.max_terms.is_none() && opts.prune_min_df.is_some() && rows == (0..n) {
        if n >= BOUNDED_MIN_DOCS {
            // Two passes over every row (the approximate search for the
            // floors, then the bounded one), each about as long at 100k
            // articles: each moves the progress half a row per row, so the
            // bar fills across both instead of standing still through the
            // first.
            let ticks = std::sync::atomic::AtomicUsize::new(0);
            let half = || {
                if ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 1
                    && let Some(progress) = opts.progress
                {
                    progress();
                }
            };
            let opts = TopKOptions { progress: opts.progress.map(|_| &half as _), ..*opts };
            return symmetric::top_k_bounded(m, &opts, &floors(m, &opts));
        }
        return symmetric::top_k(m, opts);
    }
    let walk_cap = match (lsi, opts.max_terms) {
        (None, Some(_)) => Some(opts.max_postings),
        _ => None,
    };
    let index = Index::new(m, walk_cap);
    if let Some(lsi) = lsi {
        return blended_top_k(&index, lsi, opts, rows);
    }
    rows.into_par_iter()
        .map_init(
            || Scratch::new(n, m.terms().len()),
            |s, i| {
                // A row with no more terms than the approximate walk takes is
                // searched exactly, unless one of its terms' postings are
                // capped: an exact walk of a very common term's whole list
                // costs what the cap saves (at a million articles, most of
                // the stage's time went to such short rows).
                let found = match opts.max_terms {
                    Some(max) if max < m.row(i).0.len() || index.capped(i) => {
                        s.approximate(&index, opts, i, max)
                    }
                    _ => s.exact(&index, opts, i),
                };
                if let Some(progress) = opts.progress {
                    progress();
                }
                found
            },
        )
        .collect()
}

/// Sites of at least this many documents take the exact search that bounds
/// the commonest terms instead of multiplying them
/// ([`symmetric::top_k_bounded`]), after an approximate search for the
/// bounds: below, that search costs more than it saves.
const BOUNDED_MIN_DOCS: usize = 50_000;

/// A lower bound of each document's k-th best score for
/// [`symmetric::top_k_bounded`]: the lowest of the k scores the
/// approximate search lists (exact scores of real, allowed neighbours), or
/// 0 when it lists fewer than k.
fn floors(m: &TfIdfMatrix, opts: &TopKOptions<'_>) -> Vec<f64> {
    let n = m.n_docs();
    let approximate = TopKOptions {
        max_terms: Some(crate::options::auto_max_terms(n)),
        max_postings: crate::options::APPROXIMATE_POSTINGS,
        shortlist: crate::options::auto_shortlist(n),
        ..*opts
    };
    top_k_rows(m, &approximate, 0..n)
        .iter()
        .map(|found| {
            if found.len() < opts.k {
                0.0
            } else {
                found.iter().map(|r| r.score).fold(f64::INFINITY, f64::min)
            }
        })
        .collect()
}

/// The blended score of a pair from its two exact parts:
/// `blend · tfidf + (1 − blend) · max(0, lsi)`, clamped to [0, 1]. A fixed
/// formula of two symmetric values, so `score(i, j) == score(j, i)` bit for
/// bit. LSI cosines can be negative (opposite topics); they count as 0.
pub fn blend(alpha: f64, tfidf: f64, lsi: f64) -> f64 {
    (alpha * tfidf + (1.0 - alpha) * lsi.max(0.0)).clamp(0.0, 1.0)
}

/// Documents per block of the dense LSI products: each worker multiplies a
/// block of this many LSI rows by all n of them at once (one
/// `BLOCK_ROWS × n` matrix of f32, 2.5 MB at n = 10,000).
const BLOCK_ROWS: usize = 64;

/// How far the dense block product's cosine may be from the exact one
/// ([`Lsi::cosine`]): the product runs in f32 over the vectors rounded to
/// f32 (each factor off by u = 2⁻²⁴ relative), and its d products of unit
/// vectors are summed with an error of at most about (d + 2)·u·Σ|aₖbₖ| ≤
/// (d + 2)·u (Cauchy–Schwarz); doubled, for the second-order terms.
fn gemm_error(dims: usize) -> f64 {
    2.0 * (dims as f64 + 4.0) * f64::from(f32::EPSILON)
}

/// Exact top-k by the blended score: for each block of documents, their LSI
/// cosines with every document come from one dense product (ndarray's
/// blocked `dot`, in f32: half the time of f64), their TF-IDF cosines from
/// the inverted-index walk; the
/// candidates whose approximate blended score can reach the k-th best are
/// scored exactly ([`Scratch::rescore`] and [`Lsi::cosine`] through
/// [`blend`]). O(n² · d) time, O(threads · (n + V + BLOCK_ROWS · n)) memory:
/// the caller limits n (`lib.rs`, `LSI_MAX_DOCS`).
fn blended_top_k(
    index: &Index<'_>,
    lsi: &Lsi,
    opts: &TopKOptions<'_>,
    rows: std::ops::Range<usize>,
) -> Vec<Vec<Related>> {
    let m = index.m;
    let n = m.n_docs();
    // f32 halves the product's time; its error is in `gemm_error`, and every
    // listed score is recomputed in f64 (`Lsi::cosine`).
    let vectors = lsi.vectors().mapv(|x| x as f32);
    let (first, end) = (rows.start, rows.end);
    let blocks: Vec<Vec<Vec<Related>>> = (0..rows.len().div_ceil(BLOCK_ROWS))
        .into_par_iter()
        .map_init(
            || (Scratch::new(n, m.terms().len()), Vec::new()),
            |(s, approx), b| {
                let rows = first + b * BLOCK_ROWS..(end.min(first + (b + 1) * BLOCK_ROWS));
                let gram = vectors.slice(ndarray::s![rows.clone(), ..]).dot(&vectors.t());
                rows.clone()
                    .map(|i| {
                        let lsi_row = gram.row(i - rows.start);
                        let found = s.blended(index, lsi, opts, i, lsi_row, approx);
                        if let Some(progress) = opts.progress {
                            progress();
                        }
                        found
                    })
                    .collect()
            },
        )
        .collect();
    blocks.into_iter().flatten().collect()
}

impl Scratch {
    fn new(n_docs: usize, n_terms: usize) -> Self {
        Scratch {
            acc: vec![0f32; n_docs],
            touched: Vec::new(),
            found: Vec::new(),
            shortlist: std::collections::BinaryHeap::new(),
            partials: Vec::new(),
            bound: Vec::new(),
            spread: Spread::new(n_terms),
            pending: Vec::new(),
        }
    }

    fn allowed(opts: &TopKOptions<'_>, i: usize, j: u32) -> bool {
        j as usize != i && opts.allow.is_none_or(|allow| allow(i as DocId, j))
    }

    /// Adds `w · w(j,t)` to every document `j` of the postings in `range`,
    /// and lists in `touched` the documents it touches first.
    fn scatter(&mut self, index: &Index<'_>, range: std::ops::Range<usize>, w: f64) {
        let (docs, weights) = index.postings(range);
        let w = w as f32;
        // Branch-free: each document is written at the end of `touched`,
        // which only grows past it if the slot was untouched. A branch on
        // the slot's value would be mispredicted about half the time, each
        // time waiting for the slot's cache miss, so the misses of a large
        // site's accumulator would come one after another instead of
        // overlapping (at a million articles, most of the walk's time).
        let (acc, touched) = (&mut self.acc, &mut self.touched);
        let mut len = touched.len();
        touched.resize(len + docs.len(), 0);
        for (&j, &wj) in docs.iter().zip(weights) {
            let slot = &mut acc[j as usize];
            touched[len] = j;
            len += usize::from(*slot == 0.0);
            *slot += w * wj;
        }
        touched.truncate(len);
    }

    /// The k-th best partial score among allowed touched documents.
    fn kth_partial(&mut self, opts: &TopKOptions<'_>, i: usize) -> Option<f64> {
        self.partials.clear();
        for &j in &self.touched {
            if Self::allowed(opts, i, j) {
                self.partials.push(self.acc[j as usize]);
            }
        }
        if self.partials.len() < opts.k {
            return None;
        }
        let (_, kth, _) = self.partials.select_nth_unstable_by(opts.k - 1, |a, b| b.total_cmp(a));
        Some(f64::from(*kth))
    }

    fn exact(&mut self, index: &Index<'_>, opts: &TopKOptions<'_>, i: usize) -> Vec<Related> {
        match opts.prune_min_df {
            None => self.exhaustive(index, opts, i),
            Some(min_df) => self.pruned(index, opts, i, min_df),
        }
    }

    /// Walks every posting list of row `i` in row order: the reference
    /// the pruned walk must equal.
    fn exhaustive(&mut self, index: &Index<'_>, opts: &TopKOptions<'_>, i: usize) -> Vec<Related> {
        let (terms, weights) = index.m.row(i);
        for (&t, &w) in terms.iter().zip(weights) {
            if index.df(t) >= 2 {
                self.scatter(index, index.column(t), w);
            }
        }
        self.rescore_candidates(index, opts, i, 0.0)
    }

    /// Ends a walk: every allowed touched document that may still be in the
    /// top k (its partial score, plus `rest` that unwalked postings may add,
    /// reaches the k-th best partial within the f32 error and the printed
    /// precision) is scored exactly; the rest are dropped. Clears the
    /// accumulator.
    fn rescore_candidates(
        &mut self,
        index: &Index<'_>,
        opts: &TopKOptions<'_>,
        i: usize,
        rest: f64,
    ) -> Vec<Related> {
        let (terms, weights) = index.m.row(i);
        let err = f32_error(terms.len());
        let cut = self.kth_partial(opts, i).map(|theta| theta - 2.0 * err - MARGIN - rest);
        self.pending.clear();
        for &j in &self.touched {
            let partial = f64::from(std::mem::take(&mut self.acc[j as usize]));
            if Self::allowed(opts, i, j) && cut.is_none_or(|c| partial >= c) {
                self.pending.push(j);
            }
        }
        self.touched.clear();
        self.score_pending(index.m, opts, terms, weights)
    }

    /// Heads first, then tails rarest first until no untouched document can
    /// reach the top k; the surviving candidates are scored exactly, as in
    /// [`Self::exhaustive`] (see [`Self::rescore_candidates`]).
    fn pruned(
        &mut self,
        index: &Index<'_>,
        opts: &TopKOptions<'_>,
        i: usize,
        min_df: usize,
    ) -> Vec<Related> {
        let (terms, weights) = index.m.row(i);
        for (&t, &w) in terms.iter().zip(weights) {
            if index.df(t) >= 2 {
                self.scatter(index, index.head(t), w);
            }
        }
        // bound[q]: the most the tails from position q on can add to a score.
        self.bound.clear();
        self.bound.resize(terms.len() + 1, 0.0);
        for q in (0..terms.len()).rev() {
            let tail =
                if index.df(terms[q]) >= 2 { index.tail_max[terms[q] as usize] } else { 0.0 };
            self.bound[q] = self.bound[q + 1] + weights[q] * tail;
        }
        let mut rest = 0.0; // what unwalked tails may still add
        let err = f32_error(terms.len());
        for (q, (&t, &w)) in terms.iter().zip(weights).enumerate() {
            let tail = index.tail(t);
            if tail.is_empty() || index.df(t) < 2 {
                continue;
            }
            // A check costs O(touched); only make it before a tail at least
            // half that long, so checks at most double the work.
            if tail.len() >= min_df
                && 2 * tail.len() >= self.touched.len()
                && let Some(theta) = self.kth_partial(opts, i)
                && self.bound[q] < theta - err - MARGIN
            {
                rest = self.bound[q];
                break;
            }
            self.scatter(index, tail, w);
        }
        // θ, the k-th best partial score, is a lower bound of the k-th best
        // score: a document whose partial score plus `rest` stays below it
        // cannot be in the top k; untouched documents (partial 0) never are.
        self.rescore_candidates(index, opts, i, rest)
    }

    fn approximate(
        &mut self,
        index: &Index<'_>,
        opts: &TopKOptions<'_>,
        i: usize,
        max_terms: usize,
    ) -> Vec<Related> {
        let (terms, weights) = index.m.row(i);
        // The max_terms heaviest terms that link to another document (a
        // term only this document has is heavy but finds nothing), walked
        // in row order.
        let mut picked: Vec<usize> =
            (0..terms.len()).filter(|&p| index.df(terms[p]) >= 2).collect();
        if picked.len() > max_terms {
            picked.select_nth_unstable_by(max_terms - 1, |&a, &b| {
                weights[b].total_cmp(&weights[a]).then(a.cmp(&b))
            });
            picked.truncate(max_terms);
            picked.sort_unstable();
        }
        for &p in &picked {
            self.scatter(index, index.head(terms[p]), weights[p]);
        }
        // Score the best candidates exactly. Partial scores from N terms
        // rank candidates loosely, the more so the larger the site, so the
        // shortlist is generous and grows with it (`auto_shortlist`): at 1M
        // articles 1,000 candidates found 0.98 of the exact top 5, 60 only
        // 0.84 (BENCHMARKS.md, approximate mode at scale).
        // The shortlist is the best partial scores (then the lowest ids):
        // a heap of that many whose worst gives way to anything better, so
        // most of the (up to N · max_postings) touched documents cost one
        // comparison.
        let shortlist = opts.shortlist.max(12 * opts.k);
        let best = &mut self.shortlist;
        for &j in &self.touched {
            let partial = std::mem::take(&mut self.acc[j as usize]);
            if !Self::allowed(opts, i, j) {
                continue;
            }
            let c = Candidate { partial, doc: j };
            if best.len() < shortlist {
                best.push(c);
            } else if best.peek().is_some_and(|worst| c < *worst) {
                best.pop();
                best.push(c);
            }
        }
        self.touched.clear();
        self.pending.clear();
        self.pending.extend(self.shortlist.drain().map(|c| c.doc));
        self.score_pending(index.m, opts, terms, weights)
    }

    /// Document `i`'s top k by the blended score (see [`blended_top_k`]);
    /// `lsi_row[j]` is the block product's LSI cosine of `i` and `j`.
    fn blended(
        &mut self,
        index: &Index<'_>,
        lsi: &Lsi,
        opts: &TopKOptions<'_>,
        i: usize,
        lsi_row: ndarray::ArrayView1<'_, f32>,
        approx: &mut Vec<f64>,
    ) -> Vec<Related> {
        let (terms, weights) = index.m.row(i);
        for (&t, &w) in terms.iter().zip(weights) {
            if index.df(t) >= 2 {
                self.scatter(index, index.column(t), w);
            }
        }
        let alpha = opts.blend;
        let estimate = |acc: f32, cos: f32| blend(alpha, f64::from(acc), f64::from(cos));
        // Both parts are estimates: the walk's f32 sum and the block product.
        let err = alpha * f32_error(terms.len()) + (1.0 - alpha) * gemm_error(lsi.dims());
        approx.clear();
        for (j, &cos) in lsi_row.iter().enumerate() {
            if Self::allowed(opts, i, j as u32) {
                approx.push(estimate(self.acc[j], cos));
            }
        }
        let cut = if approx.len() > opts.k {
            let (_, kth, _) = approx.select_nth_unstable_by(opts.k - 1, |a, b| b.total_cmp(a));
            *kth - 2.0 * err - MARGIN
        } else {
            f64::NEG_INFINITY
        };
        self.found.clear();
        self.spread(terms, weights);
        for (j, &cos) in lsi_row.iter().enumerate() {
            let j = j as u32;
            if !Self::allowed(opts, i, j) || estimate(self.acc[j as usize], cos) < cut {
                continue;
            }
            let score = blend(alpha, self.rescore(index.m, j), lsi.cosine(i, j as usize));
            // Two articles that share no term have an LSI cosine of exactly 0
            // in theory but ~1e-17 in floating point (always, when the site
            // has no more articles than dimensions): a score that prints as
            // 0 is no neighbour.
            if round_score(score) > 0.0 {
                self.push_found(opts, j, score);
            }
        }
        self.unspread(terms);
        for &j in &self.touched {
            self.acc[j as usize] = 0.0;
        }
        self.touched.clear();
        select_top(&mut self.found, opts.k)
    }

    /// Spreads row `i` for rescoring.
    fn spread(&mut self, terms: &[u32], weights: &[f64]) {
        self.spread.set(terms, weights);
    }

    /// Undoes what [`Self::spread`] wrote.
    fn unspread(&mut self, terms: &[u32]) {
        self.spread.clear(terms);
    }

    /// The exact score of the spread row with row `j`: `Σ w(i,t) · w(j,t)`
    /// over `j`'s terms in ascending term id. Terms the spread row lacks add
    /// `+0.0`, which leaves a non-negative sum bit for bit unchanged, so this
    /// equals [`add_shared`] (and the exhaustive walk) exactly, without the
    /// merge's unpredictable branches.
    fn rescore(&self, m: &TfIdfMatrix, j: u32) -> f64 {
        let mut score = 0.0;
        rescore_all(&self.spread, m, &[j], |_, s| score = s);
        score
    }

    fn push_found(&mut self, opts: &TopKOptions<'_>, j: u32, score: f64) {
        push_found(&mut self.found, opts, j, score);
    }

    /// Scores every document of `pending` exactly against the row `(terms,
    /// weights)` and returns the top k of them.
    fn score_pending(
        &mut self,
        m: &TfIdfMatrix,
        opts: &TopKOptions<'_>,
        terms: &[u32],
        weights: &[f64],
    ) -> Vec<Related> {
        self.found.clear();
        self.spread(terms, weights);
        let found = &mut self.found;
        rescore_all(&self.spread, m, &self.pending, |j, score| push_found(found, opts, j, score));
        self.unspread(terms);
        self.pending.clear();
        select_top(&mut self.found, opts.k)
    }
}

fn push_found(found: &mut Vec<Related>, opts: &TopKOptions<'_>, j: u32, score: f64) {
    if score > 0.0 && score >= opts.min_score {
        // Rounding can push 1 + ε above 1; cosine is at most 1.
        found.push(Related { doc: j, score: score.min(1.0) });
    }
}

/// Documents [`rescore_all`] sums side by side.
const LANES: usize = 4;

/// A document's row spread over the vocabulary for exact rescoring: the
/// weight of term `t` is `values[slots[t]]`, and slot 0 holds `0.0` for the
/// terms the row lacks. Rescoring looks up one term of a candidate per step,
/// ~250,000 lookups per article at a million articles, nearly all of terms
/// the row lacks: two bytes per term of the vocabulary (300 KB at 150,000
/// terms) stay in a core's L2 cache beside the candidates' rows, where a
/// vector of f64 (1.2 MB) did not, and the row's own weights (a few KB) in
/// L1. A row of 65,535 terms or more (a book-length article) is spread as
/// f64 instead (`wide`).
struct Spread {
    slots: Vec<u16>,
    values: Vec<f64>,
    /// The row's weights over the whole vocabulary when it is too long for
    /// `slots`; empty until such a row comes.
    wide: Vec<f64>,
    is_wide: bool,
}

impl Spread {
    fn new(n_terms: usize) -> Self {
        Spread { slots: vec![0; n_terms], values: vec![0.0], wide: Vec::new(), is_wide: false }
    }

    /// Spreads the row `(terms, weights)`; [`Spread::clear`] undoes it.
    fn set(&mut self, terms: &[u32], weights: &[f64]) {
        self.is_wide = terms.len() >= usize::from(u16::MAX);
        if self.is_wide {
            self.wide.resize(self.slots.len(), 0.0);
            for (&t, &w) in terms.iter().zip(weights) {
                self.wide[t as usize] = w;
            }
            return;
        }
        self.values.truncate(1);
        for (slot, (&t, &w)) in (1u16..).zip(terms.iter().zip(weights)) {
            self.slots[t as usize] = slot;
            self.values.push(w);
        }
    }

    /// Zeroes what [`Spread::set`] wrote for `terms`.
    fn clear(&mut self, terms: &[u32]) {
        for &t in terms {
            if self.is_wide {
                self.wide[t as usize] = 0.0;
            } else {
                self.slots[t as usize] = 0;
            }
        }
    }

    /// True if nothing is spread.
    #[cfg(test)]
    fn is_clear(&self) -> bool {
        self.slots.iter().all(|&s| s == 0) && self.wide.iter().all(|&w| w == 0.0)
    }
}

/// [`Scratch::rescore`] of each document of `docs` with the row spread in
/// `spread`, given to `emit` in the order of `docs`.
///
/// Each score is one chain of dependent additions (in ascending term id, for
/// bit-identical results), so scoring one document after another waits on
/// the latency of every addition. At a million articles, where 1,000
/// candidates of ~250 terms are scored per article, rescoring was about
/// 40 % of the similarity stage's profile; here [`LANES`] documents are
/// summed side by side, one term of each per step, so their chains overlap
/// (~15 % off the stage; what is left is reading the candidates' rows).
/// Each chain still adds its own terms in the same order, so every score is
/// the same bit for bit.
fn rescore_all(spread: &Spread, m: &TfIdfMatrix, docs: &[u32], emit: impl FnMut(u32, f64)) {
    // One loop per representation, chosen once per batch (not per term).
    if spread.is_wide {
        sum_side_by_side(|t| spread.wide[t as usize], m, docs, emit);
    } else {
        let (slots, values) = (&spread.slots, &spread.values);
        sum_side_by_side(|t| values[usize::from(slots[t as usize])], m, docs, emit);
    }
}

/// [`rescore_all`] with `weight(t)`, the spread row's weight of term `t`.
fn sum_side_by_side(
    weight: impl Fn(u32) -> f64,
    m: &TfIdfMatrix,
    docs: &[u32],
    mut emit: impl FnMut(u32, f64),
) {
    let term = |s: f64, (&t, &w): (&u32, &f64)| s + weight(t) * w;
    let mut groups = docs.chunks_exact(LANES);
    for group in &mut groups {
        let rows: [(&[u32], &[f64]); LANES] = std::array::from_fn(|l| m.row(group[l] as usize));
        let common = rows.iter().map(|(t, _)| t.len()).min().unwrap_or(0);
        let heads: [(&[u32], &[f64]); LANES] =
            std::array::from_fn(|l| (&rows[l].0[..common], &rows[l].1[..common]));
        let mut sums = [0f64; LANES];
        for p in 0..common {
            for (sum, (t, w)) in sums.iter_mut().zip(&heads) {
                *sum = term(*sum, (&t[p], &w[p]));
            }
        }
        for ((&j, sum), (t, w)) in group.iter().zip(sums).zip(rows) {
            emit(j, t[common..].iter().zip(&w[common..]).fold(sum, term));
        }
    }
    for &j in groups.remainder() {
        let (t, w) = m.row(j as usize);
        emit(j, t.iter().zip(w).fold(0.0, term));
    }
}

/// `start` plus `Σ w_a(t) · w_b(t)` over the terms the two sorted rows share,
/// added in ascending term order: the same sequence of additions as the
/// inverted-index walk, so the result is bit-identical to it. The reference
/// that [`Scratch::rescore`] is tested against.
#[cfg(test)]
fn add_shared(start: f64, ta: &[u32], wa: &[f64], tb: &[u32], wb: &[f64]) -> f64 {
    let mut s = start;
    let Some(&first) = ta.first() else { return s };
    let (mut a, mut b) = (0, tb.partition_point(|&t| t < first));
    while a < ta.len() && b < tb.len() {
        match ta[a].cmp(&tb[b]) {
            std::cmp::Ordering::Less => a += 1,
            std::cmp::Ordering::Greater => b += 1,
            std::cmp::Ordering::Equal => {
                s += wa[a] * wb[b];
                a += 1;
                b += 1;
            }
        }
    }
    s
}

/// The best `k` of `found`, ordered by rounded score descending, then
/// document id ascending. Partial selection first: only `k` items get sorted.
/// `found` is a per-thread scratch buffer; the result is a new, exactly sized
/// vector (keeping the scratch capacity per document would cost O(n²) memory).
fn select_top(found: &mut [Related], k: usize) -> Vec<Related> {
    let order = |a: &Related, b: &Related| {
        round_score(b.score).total_cmp(&round_score(a.score)).then(a.doc.cmp(&b.doc))
    };
    let keep = found.len().min(k);
    if found.len() > k {
        found.select_nth_unstable_by(k - 1, order);
    }
    let best = &mut found[..keep];
    best.sort_unstable_by(order);
    best.to_vec()
}

/// The terms that contribute most to `score(i, j)`: shared terms ordered by
/// `w(i,t) · w(j,t)` descending (then term id), at most `n` of them. Both rows
/// are sorted by term id, so this is a merge, O(len(i) + len(j)).
pub fn explain(m: &TfIdfMatrix, i: DocId, j: DocId, n: usize) -> Vec<u32> {
    let (ti, wi) = m.row(i as usize);
    let (tj, wj) = m.row(j as usize);
    let mut shared = Vec::new();
    let (mut a, mut b) = (0, 0);
    while a < ti.len() && b < tj.len() {
        match ti[a].cmp(&tj[b]) {
            std::cmp::Ordering::Less => a += 1,
            std::cmp::Ordering::Greater => b += 1,
            std::cmp::Ordering::Equal => {
                shared.push((ti[a], wi[a] * wj[b]));
                a += 1;
                b += 1;
            }
        }
    }
    shared.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    shared.into_iter().take(n).map(|(t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::{CountMatrix, WeightingOptions};

    fn matrix(docs: &[Vec<&str>]) -> TfIdfMatrix {
        TfIdfMatrix::fit(&CountMatrix::from_terms(docs), &WeightingOptions::default())
    }

    #[test]
    fn dense_rescoring_equals_the_row_merge_bit_for_bit() {
        // Rows of varied lengths and overlaps; weights with long mantissas.
        let docs: Vec<Vec<String>> = (0..40)
            .map(|d| (0..(d % 13 + 1)).map(|w| format!("w{}", (d * 7 + w * w) % 29)).collect())
            .collect();
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let mut s = Scratch {
            acc: Vec::new(),
            touched: Vec::new(),
            found: Vec::new(),
            shortlist: std::collections::BinaryHeap::new(),
            partials: Vec::new(),
            bound: Vec::new(),
            spread: Spread::new(m.terms().len()),
            pending: Vec::new(),
        };
        for i in 0..docs.len() {
            let (ti, wi) = m.row(i);
            s.spread(ti, wi);
            for j in 0..docs.len() {
                let (tj, wj) = m.row(j);
                let merged = add_shared(0.0, ti, wi, tj, wj);
                assert_eq!(s.rescore(&m, j as u32).to_bits(), merged.to_bits(), "{i} {j}");
            }
            s.unspread(ti);
            assert!(s.spread.is_clear());
        }
    }

    #[test]
    fn a_row_too_long_for_slots_is_spread_wide_with_the_same_scores() {
        // One article of 70,000 distinct words (more than u16 slots hold),
        // others sharing some of them; then a short row again (the slots
        // must be clean after the wide one).
        let long: Vec<String> = (0..70_000).map(|w| format!("w{w}")).collect();
        let mut docs = vec![long];
        docs.extend((0..20).map(|d: usize| {
            (0..(d % 7 + 2)).map(|w| format!("w{}", (d * 9_973 + w * 17) % 80_000)).collect()
        }));
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let mut s = Scratch::new(docs.len(), m.terms().len());
        for i in [0, 3, 0, 5] {
            let (ti, wi) = m.row(i);
            s.spread(ti, wi);
            assert_eq!(s.spread.is_wide, i == 0);
            let batch: Vec<u32> = (0..docs.len() as u32).collect();
            let mut got = Vec::new();
            rescore_all(&s.spread, &m, &batch, |j, score| got.push((j, score.to_bits())));
            for (j, bits) in got {
                let (tj, wj) = m.row(j as usize);
                assert_eq!(bits, add_shared(0.0, ti, wi, tj, wj).to_bits(), "{i} {j}");
            }
            s.unspread(ti);
            assert!(s.spread.is_clear());
        }
    }

    #[test]
    fn side_by_side_rescoring_equals_one_at_a_time_bit_for_bit() {
        // Rows of lengths 1..=17 so that groups of LANES have unequal rows.
        let docs: Vec<Vec<String>> = (0..60)
            .map(|d| (0..(d % 17 + 1)).map(|w| format!("w{}", (d * 5 + w * w * 3) % 41)).collect())
            .collect();
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let mut s = Scratch::new(docs.len(), m.terms().len());
        for i in [0, 7, 33] {
            let (ti, wi) = m.row(i);
            s.spread(ti, wi);
            // Every count of documents around the lane width, in a scrambled order.
            for n in 0..=(3 * LANES + 1) {
                let batch: Vec<u32> = (0..n as u32).map(|x| (x * 37 + i as u32) % 60).collect();
                let mut got = Vec::new();
                rescore_all(&s.spread, &m, &batch, |j, score| got.push((j, score.to_bits())));
                let want: Vec<(u32, u64)> =
                    batch.iter().map(|&j| (j, s.rescore(&m, j).to_bits())).collect();
                assert_eq!(got, want, "row {i}, {n} documents");
            }
            s.unspread(ti);
        }
    }

    /// Dense cosine similarity: the straightforward implementation.
    fn brute_force(m: &TfIdfMatrix, i: usize, j: usize) -> f64 {
        let (ti, wi) = m.row(i);
        let (tj, wj) = m.row(j);
        let mut s = 0.0;
        for (a, x) in ti.iter().zip(wi) {
            if let Some(p) = tj.iter().position(|b| b == a) {
                s += x * wj[p];
            }
        }
        s
    }

    #[test]
    fn short_rows_with_a_capped_term_take_the_approximate_walk() {
        // "common" is in all five documents, "pair" in two, "alone" in one.
        let m = matrix(&[
            vec!["common", "pair"],
            vec!["common", "pair", "x"],
            vec!["common", "y"],
            vec!["common", "z"],
            vec!["common", "alone"],
        ]);
        let capped = Index::new(&m, Some(2));
        assert!((0..5).all(|i| capped.capped(i)), "every row has the capped term");
        let roomy = Index::new(&m, Some(5));
        assert!((0..5).all(|i| !roomy.capped(i)), "no list is longer than 5");
        let exact = Index::new(&m, None);
        assert!((0..5).all(|i| !exact.capped(i)), "the exact index caps nothing");
        // Two terms, walk of up to 40: row 0 is short, but its capped term
        // sends it through the approximate walk, which still finds row 1
        // (through "pair") with its exact score.
        let opts = TopKOptions { k: 1, max_terms: Some(40), max_postings: 2, ..Default::default() };
        let found = top_k(&m, &opts);
        let all = top_k(&m, &TopKOptions { k: 1, ..Default::default() });
        assert_eq!(found[0], all[0]);
    }

    /// How many times each search path calls `progress`.
    fn ticks(m: &TfIdfMatrix, opts: TopKOptions<'_>, rows: std::ops::Range<usize>) -> usize {
        let count = std::sync::atomic::AtomicUsize::new(0);
        let tick = || {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        };
        top_k_rows(m, &TopKOptions { progress: Some(&tick), ..opts }, rows);
        count.into_inner()
    }

    #[test]
    fn progress_ticks_once_per_row_on_every_path() {
        // Pairs of documents sharing a rare word, and one common word: every
        // path has work to do.
        let small: Vec<Vec<String>> = (0..200)
            .map(|d| vec!["the".into(), format!("w{}", d / 2), format!("v{}", d % 7)])
            .collect();
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&small), &WeightingOptions::default());
        let exact = TopKOptions::default();
        assert_eq!(ticks(&m, exact, 0..200), 200, "every pair once");
        assert_eq!(ticks(&m, exact, 50..120), 70, "a shard's rows");
        let walk = TopKOptions { prune_min_df: None, ..exact };
        assert_eq!(ticks(&m, walk, 0..200), 200, "per-document walk");
        let approximate = TopKOptions { max_terms: Some(1), max_postings: 10, ..exact };
        assert_eq!(ticks(&m, approximate, 0..200), 200, "approximate");
        // From BOUNDED_MIN_DOCS on, two passes share the rows' ticks.
        let n = BOUNDED_MIN_DOCS;
        let large: Vec<Vec<String>> =
            (0..n).map(|d| vec![format!("w{}", d / 2), format!("v{}", d % 5000)]).collect();
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&large), &WeightingOptions::default());
        assert_eq!(ticks(&m, exact, 0..n), n, "bounded");
    }

    #[test]
    fn neighbours_are_ranked_and_self_is_excluded() {
        let m = matrix(&[
            vec!["rust", "cli", "fast"],
            vec!["rust", "cli"],
            vec!["python", "cli"],
            vec!["cooking"],
        ]);
        let r = top_k(&m, &TopKOptions { k: 5, ..TopKOptions::default() });
        let ids: Vec<u32> = r[0].iter().map(|x| x.doc).collect();
        assert_eq!(ids, [1, 2], "doc 3 shares nothing with doc 0 and must not be listed");
        assert!(r[3].is_empty(), "a document sharing no term has no neighbours");
        for (i, list) in r.iter().enumerate() {
            for rel in list {
                assert_ne!(rel.doc as usize, i);
                assert!((rel.score - brute_force(&m, i, rel.doc as usize)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn identical_documents_list_each_other_not_themselves() {
        let m = matrix(&[vec!["a", "b"], vec!["a", "b"], vec!["c"]]);
        let r = top_k(&m, &TopKOptions::default());
        assert_eq!(r[0], [Related { doc: 1, score: 1.0 }]);
        assert_eq!(r[1], [Related { doc: 0, score: 1.0 }]);
    }

    #[test]
    fn ties_break_by_document_id() {
        let m = matrix(&[vec!["x", "q"], vec!["x", "b"], vec!["x", "a"], vec!["x", "c"]]);
        let r = top_k(&m, &TopKOptions { k: 2, ..TopKOptions::default() });
        let ids: Vec<u32> = r[0].iter().map(|x| x.doc).collect();
        assert_eq!(ids, [1, 2]);
    }

    #[test]
    fn explanation_lists_shared_terms_by_contribution() {
        let m = matrix(&[
            vec!["rare", "rare", "common", "mine"],
            vec!["rare", "common", "other"],
            vec!["common", "x"],
            vec!["common", "y"],
        ]);
        let terms: Vec<&str> =
            explain(&m, 0, 1, 5).iter().map(|&t| m.terms()[t as usize].as_str()).collect();
        assert_eq!(terms, ["rare", "common"], "only shared terms, the rarer first");
        assert_eq!(explain(&m, 0, 1, 1).len(), 1);
        assert!(explain(&m, 2, 0, 5).iter().all(|&t| m.terms()[t as usize] == "common"));
    }

    #[test]
    fn min_score_k_and_allow_filter() {
        let m = matrix(&[vec!["a", "b"], vec!["a", "b", "c"], vec!["a", "z", "y", "w"]]);
        let all = top_k(&m, &TopKOptions::default());
        assert_eq!(all[0].len(), 2);
        let cut = all[0][1].score + 1e-9;
        let r = top_k(&m, &TopKOptions { min_score: cut, ..TopKOptions::default() });
        assert_eq!(r[0].len(), 1);
        let r = top_k(&m, &TopKOptions { k: 0, ..TopKOptions::default() });
        assert!(r.iter().all(Vec::is_empty));
        let no_1 = |_: DocId, j: DocId| j != 1;
        let r = top_k(&m, &TopKOptions { allow: Some(&no_1), ..TopKOptions::default() });
        assert!(r[0].iter().all(|x| x.doc != 1));
    }
}
