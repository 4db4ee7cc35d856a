//! Exact top-k by the TF-IDF cosine, every pair scored once, in blocks.
//!
//! The per-document walk of [`super`] reads the posting lists of a
//! document's terms once for every document: Σ df² postings streamed from
//! memory, and when common words link nearly every pair (the synthetic
//! 100k corpus: Σ df² ≈ 18 n²), that traffic is the whole cost. Here:
//!
//! - **Each pair once.** Documents are taken in blocks of [`BLOCK`]
//!   consecutive ids; a block is scored against the documents from its
//!   first id on (the upper triangle), and each partial score `p(i, j)`,
//!   `i < j`, is offered to both `i`'s and `j`'s candidates.
//! - **Tiles.** The documents are walked in tiles of [`TILE`] ids: the
//!   block's partial scores against one tile (`BLOCK × TILE` f32, 512 KB)
//!   stay in cache while every posting list of the block's terms adds its
//!   postings that fall in the tile (lists sorted by document id, one
//!   cursor per term; each term is filed under the tile of its next
//!   posting, so a tile visits only the terms it has postings of). Each posting is read once per block instead of once
//!   per document.
//! - **A dense product for the commonest terms.** Terms found in at least
//!   [`DENSE_DF`] of the documents (term ids are numbered rarest first, so
//!   they are the last ids) are laid out as a dense `n × H` f32 panel, and
//!   their share of a tile's scores is one matrix product (ndarray's
//!   `general_mat_mul`, i.e. `matrixmultiply`'s SIMD kernels), added into
//!   the same accumulator.
//!
//! Partial scores are f32 sums of f32 products, in whatever order the tile
//! and the product add them: the rounding-error bound [`f32_error`] holds
//! for any order of summation (the product adds exact zeros for terms a
//! pair does not share, which round nothing). Each worker keeps, per
//! document, the best `k` allowed partial scores it has seen and every
//! offered candidate that could still reach them (within the error margin);
//! the lists of all workers are merged, the k-th best partial score θ of
//! the merged lists is the same as the per-document walk's, and every
//! candidate within `2·f32_error + MARGIN` of θ is scored exactly in f64
//! over the shared terms in ascending term id ([`Scratch::rescore`]). A
//! worker's own θ is never above the merged one, so what it dropped could
//! not have been listed. The result is therefore the same as the
//! per-document walk's, bit for bit, for any thread count.
//!
//! Memory: the sorted f32 postings (8 bytes per weight), the panel (4·n·H
//! bytes), and per worker a tile, `k + 1` floats per document and the
//! candidate lists (a few dozen entries per document).
//!
//! **Bounded instead of multiplied** ([`top_k_bounded`], large sites): when
//! a lower bound of every document's k-th best score is known in advance
//! (the approximate search's k-th best, an exact score of a real
//! neighbour), the commonest terms need not be summed at all. Their share
//! of `score(i, j)` is at most `‖cᵢ‖·‖cⱼ‖`, the product of the two
//! documents' norms over those terms (Cauchy–Schwarz), so a pair whose
//! sparse partial score plus that product stays below the bound (with the
//! same error margin) cannot be listed; every other pair is a candidate and
//! is scored exactly. On the synthetic 100k corpus the terms in ≥ 10 % of
//! the documents are 74 % of Σ df², their norms are small next to the
//! neighbours' scores (median 0.27 against a k-th best of 0.20), and ~100
//! candidates per document remain (BENCHMARKS.md). A document with no such
//! bound (fewer than k neighbours found), or with more candidates than
//! [`OVERFLOW`], is searched by the per-document walk instead: the result
//! is the same bit for bit either way.

use std::sync::Mutex;

use ndarray::{Array2, ArrayViewMut2, ShapeBuilder, s};
use rayon::prelude::*;

use super::{Index, MARGIN, Related, Scratch, TopKOptions, f32_error};
use crate::vector::TfIdfMatrix;

/// Documents per block of queries.
const BLOCK: usize = 128;
/// Documents per tile: a block's partial scores against a tile are
/// `BLOCK × TILE` f32 (512 KB).
const TILE: usize = 1024;
/// Terms found in at least this fraction of the documents are scored by a
/// dense product: there, most of a block's documents share them and a SIMD
/// product beats adding postings one by one (measured on the synthetic 30k
/// corpus, BENCHMARKS.md).
const DENSE_DF: f64 = 0.1;
/// In bounded mode, a document offered more candidates than this (by one
/// worker) is searched by the per-document walk instead: its bound was too
/// loose to be worth keeping candidates for, and memory stays bounded.
const OVERFLOW: usize = 4096;
/// Covers rounding a candidate threshold from f64 to f32 (at most half an
/// f32 unit in the last place of a number ≤ 1, 2⁻²⁵).
const F32_ROUNDING: f64 = 1e-7;
/// The smallest positive f32: a partial score of 0 is no candidate.
const TINY: f32 = f32::from_bits(1);

/// How the work is cut: [`BLOCK`], [`TILE`] and [`DENSE_DF`] (tests vary
/// them).
#[derive(Clone, Copy, Debug)]
struct Shape {
    block: usize,
    tile: usize,
    dense_df: f64,
    overflow: usize,
}

const SHAPE: Shape = Shape { block: BLOCK, tile: TILE, dense_df: DENSE_DF, overflow: OVERFLOW };

/// Posting lists sorted by document id, weights in f32.
struct Postings {
    ptr: Vec<usize>,
    docs: Vec<u32>,
    weights: Vec<f32>,
}

/// One worker's candidates, per document.
struct Offers {
    k: usize,
    /// The `k` best partial scores offered to each document, descending
    /// (0: none yet).
    best: Vec<f32>,
    /// What an offer must reach to be kept: the k-th best minus the margin.
    floor: Vec<f32>,
    /// Offered `(document, partial score)` pairs that reached the floor.
    lists: Vec<Vec<(u32, f32)>>,
    /// Bounded mode: the floors are fixed and `best` is not kept; a list
    /// longer than this is dropped and its document marked in `overflowed`.
    bounded: Option<usize>,
    overflowed: Vec<bool>,
}

impl Offers {
    fn new(n: usize, k: usize) -> Self {
        Offers {
            k,
            best: vec![0.0; n * k],
            floor: vec![TINY; n],
            lists: vec![Vec::new(); n],
            bounded: None,
            overflowed: Vec::new(),
        }
    }

    /// Fixed floors (`f32::INFINITY`: keep nothing for that document).
    fn bounded(floor: Vec<f32>, overflow: usize) -> Self {
        let n = floor.len();
        Offers {
            k: 0,
            best: Vec::new(),
            floor,
            lists: vec![Vec::new(); n],
            bounded: Some(overflow),
            overflowed: vec![false; n],
        }
    }

    /// Offers `j`, with partial score `v` (at least `floor[i]`), to `i`.
    fn offer(&mut self, slack: &[f64], i: usize, j: u32, v: f32) {
        let list = &mut self.lists[i];
        list.push((j, v));
        if let Some(overflow) = self.bounded {
            if list.len() > overflow {
                *list = Vec::new();
                self.overflowed[i] = true;
                self.floor[i] = f32::INFINITY;
            }
            return;
        }
        let k = self.k;
        let best = &mut self.best[i * k..(i + 1) * k];
        if v > best[k - 1] {
            let mut p = k - 1;
            while p > 0 && best[p - 1] < v {
                best[p] = best[p - 1];
                p -= 1;
            }
            best[p] = v;
            if best[k - 1] > 0.0 {
                self.floor[i] = ((f64::from(best[k - 1]) - slack[i]) as f32).max(TINY);
            }
        }
        if list.len() >= 64 && list.len().is_power_of_two() {
            let floor = self.floor[i];
            list.retain(|e| e.1 >= floor);
        }
    }
}

/// One worker's scratch space for a block.
#[derive(Default)]
struct Block {
    /// Documents per tile (the stride of `acc`).
    tile: usize,
    /// Partial scores of the block's documents against one tile.
    acc: Vec<f32>,
    /// `(term, document in the block, weight)` of the block's sparse terms,
    /// by term.
    entries: Vec<(u32, u32, f32)>,
    /// Distinct terms of `entries`: `(term, first entry, end entry)`.
    terms: Vec<(u32, usize, usize)>,
    /// Per distinct term: its next posting (absolute index).
    cursor: Vec<usize>,
    /// Per tile from the block's first document on: the distinct terms
    /// whose next posting falls in it. A tile visits only the terms it
    /// has postings of (rare terms have none in most tiles).
    due: Vec<Vec<u32>>,
}

/// The top `opts.k` neighbours of every document by the TF-IDF cosine
/// (`opts.max_terms` and `opts.lsi` must be `None`; `opts.k ≥ 1`, two
/// documents or more).
pub(super) fn top_k(m: &TfIdfMatrix, opts: &TopKOptions<'_>) -> Vec<Vec<Related>> {
    shaped(m, opts, SHAPE, None)
}

/// [`top_k`], given `floors[i]`: a lower bound of document `i`'s k-th best
/// score (the score of a real allowed neighbour), or 0 when none is known.
/// The commonest terms are bounded instead of multiplied (module docs).
pub(super) fn top_k_bounded(
    m: &TfIdfMatrix,
    opts: &TopKOptions<'_>,
    floors: &[f64],
) -> Vec<Vec<Related>> {
    shaped(m, opts, SHAPE, Some(floors))
}

fn shaped(
    m: &TfIdfMatrix,
    opts: &TopKOptions<'_>,
    shape: Shape,
    floors: Option<&[f64]>,
) -> Vec<Vec<Related>> {
    let Shape { block: rows_per_block, tile: tile_len, dense_df, overflow } = shape;
    let n = m.n_docs();
    let k = opts.k;
    let n_terms = m.terms().len();
    let (ptr, docs, weights) = m.to_columns().into_raw_storage();
    let postings = Postings { ptr, docs, weights: weights.iter().map(|&w| w as f32).collect() };
    // Dense terms: ids from `first_dense` on (ids are by df ascending).
    let df = m.df();
    let first_dense = df.partition_point(|&d| f64::from(d) < dense_df * n as f64);
    let common = |i: usize| {
        let (terms, w) = m.row(i);
        let from = terms.partition_point(|&t| (t as usize) < first_dense);
        (&terms[from..], &w[from..])
    };
    // Bounded: no panel, each document's norm over the dense terms instead,
    // rounded up so that the f32 product of two stays a bound.
    let dense_terms = if floors.is_some() { 0 } else { n_terms - first_dense };
    let mut panel = Array2::<f32>::zeros((n, dense_terms));
    let mut norms = Vec::new();
    for i in 0..n {
        let (terms, w) = common(i);
        if floors.is_some() {
            let norm = w.iter().map(|w| w * w).sum::<f64>().sqrt() as f32;
            norms.push(if norm > 0.0 { norm.next_up() } else { 0.0 });
        } else {
            for (&t, &w) in terms.iter().zip(w) {
                panel[[i, t as usize - first_dense]] = w as f32;
            }
        }
    }
    let slack: Vec<f64> =
        (0..n).map(|i| 2.0 * f32_error(m.row(i).0.len()) + MARGIN + F32_ROUNDING).collect();
    let workers = rayon::current_num_threads().max(1);
    let new_offers = || match floors {
        // The floor of a bounded offer: the document's bound, less the
        // error margin and two more f32 roundings (the product of the two
        // norms and its addition to the partial score). No bound, no offers.
        Some(floors) => Offers::bounded(
            floors
                .iter()
                .zip(&slack)
                .map(|(&f, &s)| {
                    if f > 0.0 {
                        ((f - s - 2.0 * F32_ROUNDING) as f32).max(TINY)
                    } else {
                        f32::INFINITY
                    }
                })
                .collect(),
            overflow,
        ),
        None => Offers::new(n, k),
    };
    let offers: Vec<Mutex<Offers>> = (0..workers).map(|_| Mutex::new(new_offers())).collect();

    let new_block = || Block { tile: tile_len, ..Block::default() };
    (0..n.div_ceil(rows_per_block)).into_par_iter().for_each_init(new_block, |b, block| {
        let rows = block * rows_per_block..n.min((block + 1) * rows_per_block);
        b.gather(m, &postings, rows.clone(), first_dense);
        let worker = rayon::current_thread_index().unwrap_or(0) % workers;
        let mut offers = offers[worker].lock().unwrap_or_else(|e| e.into_inner());
        let mut tile = rows.start;
        while tile < n {
            let cols = tile..n.min(tile + tile_len);
            b.score_tile(&postings, &panel, rows.clone(), cols.clone());
            b.offer_tile(opts, &slack, &norms, &mut offers, rows.clone(), cols.clone());
            tile = cols.end;
        }
        drop(offers);
        if let Some(progress) = opts.progress {
            rows.for_each(|_| progress());
        }
    });

    let offers: Vec<Offers> =
        offers.into_iter().map(|o| o.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
    if let Some(floors) = floors {
        return bounded_lists(m, opts, floors, &offers);
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || (Scratch::new(0, n_terms), Vec::new()),
            |(s, tops), i| {
                tops.clear();
                for o in &offers {
                    tops.extend(o.best[i * k..(i + 1) * k].iter().copied().filter(|&v| v > 0.0));
                }
                let (terms, weights) = m.row(i);
                // θ: the k-th best allowed partial score, as in the
                // per-document walk (`Scratch::rescore_candidates`).
                let cut = (tops.len() >= k).then(|| {
                    let (_, kth, _) = tops.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
                    f64::from(*kth) - 2.0 * f32_error(terms.len()) - MARGIN
                });
                s.pending.clear();
                for o in &offers {
                    s.pending.extend(
                        o.lists[i]
                            .iter()
                            .filter(|&&(_, v)| cut.is_none_or(|c| f64::from(v) >= c))
                            .map(|&(j, _)| j),
                    );
                }
                s.score_pending(m, opts, terms, weights)
            },
        )
        .collect()
}

/// How many of `docs` (ascending) come before `end`: a galloping search
/// from the start. A tile holds a few of a term's postings, the rest of the
/// list follows; a binary search over the whole rest, once per term and
/// tile, was most of the exact stage at 100k articles (its steps are cache
/// misses), where this costs about the logarithm of what it skips.
fn gallop(docs: &[u32], end: u32) -> usize {
    let mut hi = 1;
    while hi <= docs.len() && docs[hi - 1] < end {
        hi *= 2;
    }
    let lo = hi / 2;
    let hi = hi.min(docs.len());
    lo + docs[lo..hi].partition_point(|&d| d < end)
}

/// Bounded mode's end: every candidate kept for a document is scored
/// exactly (all pairs that could reach its bound, see the module docs);
/// documents without a bound, or whose candidates overflowed, are searched
/// by the per-document walk.
fn bounded_lists(
    m: &TfIdfMatrix,
    opts: &TopKOptions<'_>,
    floors: &[f64],
    offers: &[Offers],
) -> Vec<Vec<Related>> {
    let n = m.n_docs();
    let walk: Vec<bool> =
        (0..n).map(|i| floors[i] <= 0.0 || offers.iter().any(|o| o.overflowed[i])).collect();
    let index = walk.iter().any(|&w| w).then(|| Index::new(m, None));
    (0..n)
        .into_par_iter()
        .map_init(
            || Scratch::new(if index.is_some() { n } else { 0 }, m.terms().len()),
            |s, i| match &index {
                Some(index) if walk[i] => s.exact(index, opts, i),
                _ => {
                    s.pending.clear();
                    s.pending
                        .extend(offers.iter().flat_map(|o| o.lists[i].iter().map(|&(j, _)| j)));
                    let (terms, weights) = m.row(i);
                    s.score_pending(m, opts, terms, weights)
                }
            },
        )
        .collect()
}

impl Block {
    /// Collects the sparse terms of documents `rows` and puts a cursor at
    /// each term's first posting from `rows.start` on.
    fn gather(
        &mut self,
        m: &TfIdfMatrix,
        p: &Postings,
        rows: std::ops::Range<usize>,
        first_dense: usize,
    ) {
        let n = m.n_docs();
        self.entries.clear();
        for i in rows.clone() {
            let (terms, weights) = m.row(i);
            for (&t, &w) in terms.iter().zip(weights) {
                let t_ = t as usize;
                // A term found in one document links no two.
                if t_ < first_dense && p.ptr[t_ + 1] - p.ptr[t_] >= 2 {
                    self.entries.push((t, (i - rows.start) as u32, w as f32));
                }
            }
        }
        self.entries.sort_unstable_by_key(|&(t, q, _)| (t, q));
        self.terms.clear();
        self.cursor.clear();
        let tiles = (n - rows.start).div_ceil(self.tile);
        self.due.resize_with(tiles.max(self.due.len()), Vec::new);
        self.due.iter_mut().for_each(Vec::clear);
        let mut s = 0;
        while s < self.entries.len() {
            let t = self.entries[s].0;
            let e = s + self.entries[s..].partition_point(|x| x.0 == t);
            let column = p.ptr[t as usize]..p.ptr[t as usize + 1];
            let first = column.start
                + p.docs[column.clone()].partition_point(|&d| (d as usize) < rows.start);
            if first < column.end {
                let tile = (p.docs[first] as usize - rows.start) / self.tile;
                self.due[tile].push(self.terms.len() as u32);
            }
            self.cursor.push(first);
            self.terms.push((t, s, e));
            s = e;
        }
        self.acc.resize((rows.end - rows.start) * self.tile, 0.0);
    }

    /// Partial scores of documents `rows` against documents `cols`:
    /// postings of the sparse terms, then the dense product.
    fn score_tile(
        &mut self,
        p: &Postings,
        panel: &Array2<f32>,
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
    ) {
        let tile = self.tile;
        self.acc[..rows.len() * tile].fill(0.0);
        let end = cols.end as u32;
        let this = (cols.start - rows.start) / tile;
        let mut due = std::mem::take(&mut self.due[this]);
        for &u in &due {
            let (t, s, e) = self.terms[u as usize];
            let column_end = p.ptr[t as usize + 1];
            let from = self.cursor[u as usize];
            let to = from + gallop(&p.docs[from..column_end], end);
            self.cursor[u as usize] = to;
            if to < column_end {
                self.due[(p.docs[to] as usize - rows.start) / tile].push(u);
            }
            let (docs, weights) = (&p.docs[from..to], &p.weights[from..to]);
            for &(_, q, wq) in &self.entries[s..e] {
                let q = q as usize * tile;
                let acc = &mut self.acc[q..q + tile];
                for (&j, &wj) in docs.iter().zip(weights) {
                    acc[j as usize - cols.start] += wq * wj;
                }
            }
        }
        due.clear();
        self.due[this] = due;
        if panel.ncols() > 0 {
            let a = panel.slice(s![rows.clone(), ..]);
            let b = panel.slice(s![cols.clone(), ..]);
            let mut c = ArrayViewMut2::from_shape(
                (rows.len(), cols.len()).strides((tile, 1)),
                &mut self.acc[..],
            )
            .expect("the tile holds rows × tile scores");
            ndarray::linalg::general_mat_mul(1.0, &a, &b.t(), 1.0, &mut c);
        }
    }

    /// Offers each pair `(i, j)`, `i < j`, of the tile to both documents;
    /// in bounded mode (`norms` not empty) its partial score plus the
    /// product of their norms over the dense terms.
    fn offer_tile(
        &self,
        opts: &TopKOptions<'_>,
        slack: &[f64],
        norms: &[f32],
        offers: &mut Offers,
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
    ) {
        let allowed = |i: usize, j: usize| opts.allow.is_none_or(|allow| allow(i as u32, j as u32));
        for (q, i) in rows.enumerate() {
            let from = (i + 1).max(cols.start);
            if from >= cols.end {
                continue;
            }
            let acc = &self.acc[q * self.tile..q * self.tile + cols.len()];
            let norm = norms.get(i).copied().unwrap_or(0.0);
            for j in from..cols.end {
                let v = match norms.get(j) {
                    Some(&n) => acc[j - cols.start] + norm * n,
                    None => acc[j - cols.start],
                };
                if v >= offers.floor[i] && allowed(i, j) {
                    offers.offer(slack, i, j as u32, v);
                }
                if v >= offers.floor[j] && allowed(j, i) {
                    offers.offer(slack, j, i as u32, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::document::DocId;
    use crate::similar::round_score;
    use crate::vector::{CountMatrix, WeightingOptions};

    const WORDS: &[&str] =
        &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r"];

    /// `(document, score bits)`: equality bit for bit.
    fn bits(r: &[Vec<Related>]) -> Vec<Vec<(DocId, u64)>> {
        r.iter().map(|l| l.iter().map(|x| (x.doc, x.score.to_bits())).collect()).collect()
    }

    fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any block and tile size, any share of dense terms, 1 or 3
        /// threads, with or without an `allow` filter: the same lists as
        /// the exhaustive per-document walk, bit for bit (duplicates and
        /// repeated words make ties).
        #[test]
        fn equals_the_exhaustive_walk_bit_for_bit(
            docs in prop::collection::vec(
                prop::collection::vec(prop::sample::select(WORDS), 0..14), 2..70),
            k in 1usize..7,
            block in 1usize..9,
            tile in 1usize..12,
            dense_df in prop::sample::select(vec![0.0, 0.1, 0.3, 2.0]),
            threads in prop::sample::select(vec![1usize, 3]),
            filter in 0u32..3,
            min_score in prop::sample::select(vec![0.0, 0.3]),
        ) {
            let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
            // 1: no odd neighbour for even documents; 2: only older ones.
            let allow = move |i: DocId, j: DocId| match filter {
                1 => !i.is_multiple_of(2) || j.is_multiple_of(2),
                2 => j < i,
                _ => true,
            };
            let opts = TopKOptions {
                k,
                min_score,
                allow: (filter > 0).then_some(&allow as _),
                ..TopKOptions::default()
            };
            let want = crate::similar::top_k(&m, &TopKOptions { prune_min_df: None, ..opts });
            let shape = Shape { block, tile, dense_df, overflow: OVERFLOW };
            let got = in_pool(threads, || shaped(&m, &opts, shape, None));
            prop_assert_eq!(bits(&got), bits(&want), "{:?}, {} threads", shape, threads);
        }

        /// Bounded mode, given any lower bounds of the k-th best scores
        /// (the k-th best itself, half of it, or none), any share of
        /// bounded terms and candidates overflowing at any count: the same
        /// lists as the exhaustive walk, bit for bit.
        #[test]
        fn bounded_equals_the_exhaustive_walk_bit_for_bit(
            docs in prop::collection::vec(
                prop::collection::vec(prop::sample::select(WORDS), 0..14), 2..70),
            k in 1usize..7,
            block in 1usize..9,
            tile in 1usize..12,
            dense_df in prop::sample::select(vec![0.0, 0.1, 0.3, 2.0]),
            overflow in prop::sample::select(vec![0usize, 1, 3, OVERFLOW]),
            scale in prop::collection::vec(prop::sample::select(vec![0.0, 0.5, 1.0]), 70),
            threads in prop::sample::select(vec![1usize, 3]),
            filter in 0u32..3,
            min_score in prop::sample::select(vec![0.0, 0.3]),
        ) {
            let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
            let allow = move |i: DocId, j: DocId| match filter {
                1 => !i.is_multiple_of(2) || j.is_multiple_of(2),
                2 => j < i,
                _ => true,
            };
            let opts = TopKOptions {
                k,
                min_score,
                allow: (filter > 0).then_some(&allow as _),
                ..TopKOptions::default()
            };
            let want = crate::similar::top_k(&m, &TopKOptions { prune_min_df: None, ..opts });
            let floors: Vec<f64> = want
                .iter()
                .zip(&scale)
                .map(|(l, s)| if l.len() == k { l.iter().map(|r| r.score).fold(1.0, f64::min) * s } else { 0.0 })
                .collect();
            let shape = Shape { block, tile, dense_df, overflow };
            let got = in_pool(threads, || shaped(&m, &opts, shape, Some(&floors)));
            prop_assert_eq!(bits(&got), bits(&want), "{:?}, {} threads", shape, threads);
        }

        /// The galloping search finds what a binary search finds.
        #[test]
        fn gallop_equals_partition_point(
            mut docs in prop::collection::vec(0u32..200, 0..90),
            end in 0u32..210,
        ) {
            docs.sort_unstable();
            prop_assert_eq!(gallop(&docs, end), docs.partition_point(|&d| d < end));
        }
    }

    #[test]
    fn bounds_from_the_approximate_search_give_the_exact_lists() {
        // Common words (bounded) beside rarer ones (walked), and ties.
        let docs: Vec<Vec<String>> = (0..300)
            .map(|d: usize| {
                let mut words: Vec<String> = vec!["the".into(), "a".into()];
                words.extend((0..(d % 9 + 2)).map(|w| format!("w{}", (d * 7 + w * w * 13) % 97)));
                if d.is_multiple_of(3) {
                    words.push("of".into());
                }
                words
            })
            .collect();
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        for k in [1, 5] {
            let opts = TopKOptions { k, ..TopKOptions::default() };
            let want = crate::similar::top_k(&m, &TopKOptions { prune_min_df: None, ..opts });
            let floors = crate::similar::floors(&m, &opts);
            for (f, l) in floors.iter().zip(&want) {
                // A lower bound of the k-th best, known wherever k are listed
                // by the approximate search.
                assert!(l.len() < k || *f <= l[k - 1].score + 1e-6, "{f} {l:?}");
            }
            assert!(floors.iter().filter(|&&f| f > 0.0).count() > 250);
            let got = in_pool(2, || top_k_bounded(&m, &opts, &floors));
            assert_eq!(bits(&got), bits(&want), "k = {k}");
        }
    }

    #[test]
    fn the_default_entry_point_takes_this_path_and_ties_break_by_id() {
        // Ten identical documents and ten others: every printed score ties.
        let mut docs = vec![vec!["x", "y", "z"]; 10];
        docs.extend((0..10).map(|_| vec!["u", "v"]));
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let opts = TopKOptions { k: 3, ..TopKOptions::default() };
        let got = in_pool(3, || crate::similar::top_k(&m, &opts));
        let ids: Vec<Vec<DocId>> = got.iter().map(|l| l.iter().map(|r| r.doc).collect()).collect();
        assert_eq!(ids[0], [1, 2, 3]);
        assert_eq!(ids[5], [0, 1, 2]);
        assert_eq!(ids[19], [10, 11, 12]);
        assert!(got.iter().flatten().all(|r| round_score(r.score) == 1.0));
        let shape = Shape { block: 4, tile: 3, dense_df: 0.0, overflow: OVERFLOW };
        assert_eq!(bits(&shaped(&m, &opts, shape, None)), bits(&got));
    }
}
