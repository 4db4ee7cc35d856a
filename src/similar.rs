//! Exact cosine top-k per document, without ever building an n×n matrix.
//!
//! For document `i`, every other document's score is the dot product of
//! their (L2-normalized) rows. It is accumulated term by term through the
//! inverted index: for each term of `i`, add `w(i,t) · w(j,t)` to `acc[j]`
//! for every document `j` containing `t`. Each rayon worker owns one dense
//! accumulator of n floats plus a list of the slots it touched, so resetting
//! costs only what was used. Memory is O(nnz + threads · n).
//!
//! Exact pruning: a term found in one document links no two documents, so
//! its column is never walked.
//!
//! Determinism: a score is summed over the shared terms in ascending term
//! order whichever side computes it, so `score(i, j) == score(j, i)` bit for
//! bit and the result does not depend on the thread count. Ranking is by the
//! score rounded to [`SCORE_DECIMALS`] (what the output shows), then by
//! ascending document id, which is ascending key.

use rayon::prelude::*;

use crate::document::DocId;
use crate::vector::TfIdfMatrix;

/// Decimals kept in the output, and used for ranking so that documents with
/// equal printed scores are ordered by key.
pub const SCORE_DECIMALS: i32 = 6;

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
}

impl Default for TopKOptions<'_> {
    fn default() -> Self {
        TopKOptions { k: 5, min_score: 0.0, allow: None }
    }
}

/// Rounds `score` to the output precision.
pub fn round_score(score: f64) -> f64 {
    let scale = 10f64.powi(SCORE_DECIMALS);
    (score * scale).round() / scale
}

/// The top `opts.k` neighbours of every document, in document order.
pub fn top_k(m: &TfIdfMatrix, opts: &TopKOptions<'_>) -> Vec<Vec<Related>> {
    let n = m.n_docs();
    if opts.k == 0 || n < 2 {
        return vec![Vec::new(); n];
    }
    let columns = m.to_columns();
    let col_ptr = columns.indptr();
    let col_docs = columns.indices();
    let col_weights = columns.data();

    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f64; n], Vec::<u32>::new(), Vec::<Related>::new()),
            |(acc, touched, found), i| {
                let (terms, weights) = m.row(i);
                for (&t, &w) in terms.iter().zip(weights) {
                    let range = col_ptr.outer_inds_sz(t as usize);
                    if range.len() < 2 {
                        continue; // only document i has this term
                    }
                    for (&j, &wj) in col_docs[range.clone()].iter().zip(&col_weights[range]) {
                        let slot = &mut acc[j as usize];
                        if *slot == 0.0 {
                            touched.push(j);
                        }
                        *slot += w * wj;
                    }
                }
                found.clear();
                for &j in touched.iter() {
                    let score = std::mem::take(&mut acc[j as usize]);
                    if j as usize != i
                        && score > 0.0
                        && score >= opts.min_score
                        && opts.allow.is_none_or(|allow| allow(i as DocId, j))
                    {
                        // Rounding can push 1 + ε above 1; cosine is at most 1.
                        found.push(Related { doc: j, score: score.min(1.0) });
                    }
                }
                touched.clear();
                select_top(found, opts.k)
            },
        )
        .collect()
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
