//! TF-IDF weighting and the CSR matrix of document vectors.
//!
//! Defaults equal scikit-learn's `TfidfVectorizer(sublinear_tf=True)` given
//! the same terms: tf `1 + ln(count)`, smooth idf `ln((1 + n) / (1 + df)) + 1`,
//! rows L2-normalized, float64; with [`Tf::Raw`], `TfidfVectorizer()`. With
//! normalized rows, cosine similarity is a dot product.

use rayon::prelude::*;
use sprs::CsMatI;

use super::vocab::CountMatrix;

/// A document-frequency bound, as in scikit-learn's `min_df`/`max_df`: an
/// absolute number of documents, or a fraction of the corpus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DfBound {
    /// At least / at most this many documents.
    Count(usize),
    /// At least / at most this fraction (0.0–1.0) of the documents.
    Fraction(f64),
}

impl DfBound {
    fn as_count(self, n_docs: usize) -> f64 {
        match self {
            DfBound::Count(c) => c as f64,
            DfBound::Fraction(f) => f * n_docs as f64,
        }
    }
}

impl std::str::FromStr for DfBound {
    type Err = String;

    /// `5` is a count, `0.5` a fraction (like scikit-learn's int vs float).
    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('.') {
            let f: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
            if !(0.0..=1.0).contains(&f) {
                return Err(format!("fraction {s} is outside 0.0..=1.0"));
            }
            Ok(DfBound::Fraction(f))
        } else {
            s.parse()
                .map(DfBound::Count)
                .map_err(|_| format!("{s:?} is not a document count or a fraction like 0.5"))
        }
    }
}

/// The term-weighting formula.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Scheme {
    /// scikit-learn's TF-IDF: `tf · (ln((1 + n) / (1 + df)) + 1)`.
    #[default]
    Tfidf,
    /// BM25 term weights (k1 = 1.2, b = 0.75): term frequency saturates, and
    /// long articles are normalized by their length relative to the average;
    /// idf `ln(1 + (n − df + 0.5) / (df + 0.5))`.
    Bm25,
}

/// How a term's count in a document becomes its term frequency (TF-IDF).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Tf {
    /// `1 + ln(count)` (scikit-learn's `sublinear_tf=True`): a word repeated
    /// ten times is not ten times as telling. The default: it lifted P@5 from
    /// 0.736 to 0.834 (livedoor) and 0.758 to 0.785 (ropensci), see QUALITY.md.
    #[default]
    Sublinear,
    /// The raw count (scikit-learn's `TfidfVectorizer()` default).
    Raw,
}

/// How many parallel tasks share a pass over the matrix: several per
/// thread, so that threads that finish early take more.
pub(crate) const PARALLEL_PARTS: usize = 64;

/// BM25's term-frequency saturation.
const BM25_K1: f64 = 1.2;
/// BM25's length normalization strength.
const BM25_B: f64 = 0.75;

/// How term counts become weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightingOptions {
    /// The formula.
    pub scheme: Scheme,
    /// Term frequency (TF-IDF only).
    pub tf: Tf,
    /// Drop terms found in fewer documents than this.
    pub min_df: DfBound,
    /// Drop terms found in more documents than this.
    pub max_df: DfBound,
}

impl Default for WeightingOptions {
    fn default() -> Self {
        WeightingOptions {
            scheme: Scheme::Tfidf,
            tf: Tf::Sublinear,
            min_df: DfBound::Count(1),
            max_df: DfBound::Fraction(1.0),
        }
    }
}

/// L2-normalized TF-IDF rows, one per document, over the kept vocabulary.
#[derive(Debug, Clone)]
pub struct TfIdfMatrix {
    terms: Vec<String>,
    idf: Vec<f64>,
    df: Vec<u32>,
    rows: CsMatI<f64, u32, usize>,
}

impl TfIdfMatrix {
    /// Weights `counts`. Terms outside the min/max document-frequency bounds
    /// are dropped; the kept terms are numbered rarest first.
    pub fn fit(counts: &CountMatrix, opts: &WeightingOptions) -> Self {
        let n_docs = counts.n_docs();
        let n_terms = counts.terms.len();
        // Counted in parallel over slices of the stored ids; sums of whole
        // numbers, so the same for any split.
        let df = counts
            .term_ids()
            .par_chunks(1 << 20)
            .fold(
                || vec![0u32; n_terms],
                |mut df, ids| {
                    ids.iter().for_each(|&t| df[t as usize] += 1);
                    df
                },
            )
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
                a
            })
            .unwrap_or_else(|| vec![0u32; n_terms]);
        let (min, max) = (opts.min_df.as_count(n_docs), opts.max_df.as_count(n_docs));

        // Kept terms get new ids in order of document frequency, rarest
        // first (ties by term). Rows stay sorted by id, so each row lists its
        // rarest terms first: the similarity stage accumulates scores in
        // exactly that order, which lets it stop before the common terms
        // (see `similar`) and still sum every score in one global order.
        let mut kept: Vec<usize> =
            (0..df.len()).filter(|&old| (min..=max).contains(&f64::from(df[old]))).collect();
        kept.sort_by_key(|&old| (df[old], old));
        // Old term id → new term id, or u32::MAX when pruned.
        let mut remap = vec![u32::MAX; counts.terms.len()];
        let mut terms = Vec::with_capacity(kept.len());
        let mut kept_df = Vec::with_capacity(kept.len());
        for (new, &old) in kept.iter().enumerate() {
            remap[old] = new as u32;
            terms.push(counts.terms[old].clone());
            kept_df.push(df[old]);
        }
        let n = n_docs as f64;
        let idf: Vec<f64> = kept_df
            .iter()
            .map(|&d| {
                let d = f64::from(d);
                match opts.scheme {
                    Scheme::Tfidf => ((1.0 + n) / (1.0 + d)).ln() + 1.0,
                    Scheme::Bm25 => (1.0 + (n - d + 0.5) / (d + 0.5)).ln(),
                }
            })
            .collect();
        // Each document's kept terms and, for BM25, its length (kept terms
        // only); then the mean length.
        let (kept_nnz, lengths): (Vec<usize>, Vec<f64>) = (0..n_docs)
            .into_par_iter()
            .map(|i| {
                let (ids, cs) = counts.row(i);
                let mut kept = 0;
                let mut length = 0.0;
                for (&t, &c) in ids.iter().zip(cs) {
                    if remap[t as usize] != u32::MAX {
                        kept += 1;
                        length += f64::from(c);
                    }
                }
                (kept, length)
            })
            .unzip();
        let avg_len = (lengths.iter().sum::<f64>() / n.max(1.0)).max(1.0);

        let mut indptr = Vec::with_capacity(n_docs + 1);
        indptr.push(0);
        for &k in &kept_nnz {
            indptr.push(indptr[indptr.len() - 1] + k);
        }
        let nnz = indptr[n_docs];
        let mut indices = vec![0u32; nnz];
        let mut data = vec![0.0f64; nnz];
        // Rows are weighted in parallel, each into its own place: groups of
        // rows take disjoint slices of `indices` and `data`, and every row's
        // weights are computed the same way whatever the group or thread, so
        // the matrix is the same for any thread count.
        let groups = balanced_groups(&indptr, PARALLEL_PARTS);
        let blocks = split_by_groups(&indptr, &groups, &mut indices, &mut data);
        blocks.into_par_iter().for_each(|(docs, block_i, block_d)| {
            let base = indptr[docs.start];
            let mut row: Vec<(u32, f64)> = Vec::new();
            for i in docs {
                let (ids, cs) = counts.row(i);
                row.clear();
                for (&old, &c) in ids.iter().zip(cs) {
                    let new = remap[old as usize];
                    if new == u32::MAX {
                        continue;
                    }
                    let c = f64::from(c);
                    let tf = match opts.scheme {
                        Scheme::Tfidf => match opts.tf {
                            Tf::Sublinear => 1.0 + c.ln(),
                            Tf::Raw => c,
                        },
                        Scheme::Bm25 => {
                            let norm = 1.0 - BM25_B + BM25_B * lengths[i] / avg_len;
                            c * (BM25_K1 + 1.0) / (c + BM25_K1 * norm)
                        }
                    };
                    row.push((new, tf * idf[new as usize]));
                }
                row.sort_unstable_by_key(|&(t, _)| t);
                let range = indptr[i] - base..indptr[i + 1] - base;
                let (out_i, out_d) = (&mut block_i[range.clone()], &mut block_d[range]);
                for (k, &(t, w)) in row.iter().enumerate() {
                    out_i[k] = t;
                    out_d[k] = w;
                }
                let norm = out_d.iter().map(|w| w * w).sum::<f64>().sqrt();
                if norm > 0.0 {
                    out_d.iter_mut().for_each(|w| *w /= norm);
                }
            }
        });
        let rows = CsMatI::new((n_docs, terms.len()), indptr, indices, data);
        TfIdfMatrix { terms, idf, df: kept_df, rows }
    }

    /// Number of documents.
    pub fn n_docs(&self) -> usize {
        self.rows.rows()
    }

    /// The kept vocabulary, index = term id: by document frequency ascending,
    /// then alphabetically.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Inverse document frequency per term id.
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// Document frequency per term id.
    pub fn df(&self) -> &[u32] {
        &self.df
    }

    /// Number of stored weights.
    pub fn nnz(&self) -> usize {
        self.rows.nnz()
    }

    /// `(term ids ascending, weights)` of document `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let ptr = self.rows.indptr();
        let range = ptr.outer_inds_sz(i);
        (&self.rows.indices()[range.clone()], &self.rows.data()[range])
    }

    /// The same weights stored by column: for each term, the documents that
    /// contain it (the inverted index).
    ///
    /// Built in parallel, each task filling the columns of one range of
    /// terms (rows are sorted by term, so a row's share of a range is one
    /// binary search away); each column lists its documents ascending, as
    /// sprs's `to_csc` does.
    pub fn to_columns(&self) -> CsMatI<f64, u32, usize> {
        let (n_docs, n_terms) = (self.n_docs(), self.terms.len());
        let mut col_ptr = Vec::with_capacity(n_terms + 1);
        col_ptr.push(0);
        for &d in &self.df {
            col_ptr.push(col_ptr[col_ptr.len() - 1] + d as usize);
        }
        debug_assert_eq!(col_ptr[n_terms], self.nnz());
        let mut docs = vec![0u32; self.nnz()];
        let mut weights = vec![0.0f64; self.nnz()];
        // Every task reads every row (a binary search or two): a few tasks
        // per thread, not PARALLEL_PARTS.
        let groups = balanced_groups(&col_ptr, 4 * rayon::current_num_threads());
        let parts = split_by_groups(&col_ptr, &groups, &mut docs, &mut weights);
        parts.into_par_iter().for_each(|(terms, docs, weights)| {
            let base = col_ptr[terms.start];
            // Next free place of each column of the range, within the slices.
            let mut next: Vec<usize> = col_ptr[terms.clone()].iter().map(|&p| p - base).collect();
            for i in 0..n_docs {
                let (ids, ws) = self.row(i);
                let from = ids.partition_point(|&t| (t as usize) < terms.start);
                let to = from + ids[from..].partition_point(|&t| (t as usize) < terms.end);
                for (&t, &w) in ids[from..to].iter().zip(&ws[from..to]) {
                    let slot = &mut next[t as usize - terms.start];
                    docs[*slot] = i as u32;
                    weights[*slot] = w;
                    *slot += 1;
                }
            }
        });
        CsMatI::new_csc((n_docs, n_terms), col_ptr, docs, weights)
    }
}

/// Cuts the outer range `0..ptr.len() - 1` of a compressed matrix (rows of
/// a CSR, columns of a CSC) into at most `parts` consecutive groups holding
/// about the same number of stored entries each, for parallel passes. Returns
/// the group boundaries: `0`, then increasing, ending at `ptr.len() - 1`.
pub(crate) fn balanced_groups(ptr: &[usize], parts: usize) -> Vec<usize> {
    let outer = ptr.len().saturating_sub(1);
    let total = ptr.last().copied().unwrap_or(0);
    let mut bounds = vec![0];
    for p in 1..parts.max(1) {
        // The first outer index whose entries start at or past p/parts.
        let cut = ptr.partition_point(|&x| x * parts < total * p).min(outer);
        if cut > bounds[bounds.len() - 1] {
            bounds.push(cut);
        }
    }
    if outer > bounds[bounds.len() - 1] {
        bounds.push(outer);
    }
    bounds
}

/// One group of [`split_by_groups`]: its outer indices and their entries.
pub(crate) type Group<'a, A, B> = (std::ops::Range<usize>, &'a mut [A], &'a mut [B]);

/// Splits the entry arrays `a` and `b` of a compressed matrix (offsets
/// `ptr`) at the group `bounds` of [`balanced_groups`], so that each group's
/// entries can be written by its own task.
pub(crate) fn split_by_groups<'a, A, B>(
    ptr: &[usize],
    bounds: &[usize],
    mut a: &'a mut [A],
    mut b: &'a mut [B],
) -> Vec<Group<'a, A, B>> {
    let mut groups = Vec::with_capacity(bounds.len());
    for w in bounds.windows(2) {
        let len = ptr[w[1]] - ptr[w[0]];
        let (head_a, tail_a) = std::mem::take(&mut a).split_at_mut(len);
        let (head_b, tail_b) = std::mem::take(&mut b).split_at_mut(len);
        (a, b) = (tail_a, tail_b);
        groups.push((w[0]..w[1], head_a, head_b));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(docs: &[Vec<&str>], opts: WeightingOptions) -> TfIdfMatrix {
        TfIdfMatrix::fit(&CountMatrix::from_terms(docs), &opts)
    }

    const RAW: WeightingOptions = WeightingOptions {
        scheme: Scheme::Tfidf,
        tf: Tf::Raw,
        min_df: DfBound::Count(1),
        max_df: DfBound::Fraction(1.0),
    };

    #[test]
    fn smooth_idf_and_l2_rows_like_scikit_learn() {
        // sklearn: TfidfVectorizer(analyzer=lambda d: d).fit_transform(
        //   [["a","b","b"], ["a","c"]]).toarray()
        // idf(a) = ln(3/3)+1 = 1, idf(b) = idf(c) = ln(3/2)+1
        let m = fit(&[vec!["a", "b", "b"], vec!["a", "c"]], RAW);
        assert_eq!(m.terms(), ["b", "c", "a"], "rarest first, then alphabetical");
        let idf_b = (1.5f64).ln() + 1.0;
        assert!((m.idf()[2] - 1.0).abs() < 1e-12);
        assert!((m.idf()[0] - idf_b).abs() < 1e-12);
        let (ids, w) = m.row(0);
        assert_eq!(ids, [0, 2]);
        let norm = (1.0 + (2.0 * idf_b).powi(2)).sqrt();
        assert!((w[1] - 1.0 / norm).abs() < 1e-12);
        assert!((w[0] - 2.0 * idf_b / norm).abs() < 1e-12);
        let sq: f64 = m.row(1).1.iter().map(|x| x * x).sum();
        assert!((sq - 1.0).abs() < 1e-12, "rows must be unit length");
    }

    /// A few thousand documents over a skewed vocabulary, some empty.
    fn skewed_docs() -> Vec<Vec<String>> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..3000)
            .map(|i| {
                let len = if i % 97 == 0 { 0 } else { (next() % 40) as usize };
                // Term i²/2000 for uniform i < 2000: ~1,400 terms, the
                // small ones common (t0 stands for 45 values of i).
                (0..len).map(|_| format!("t{}", (next() % 2000).pow(2) / 2000)).collect()
            })
            .collect()
    }

    #[test]
    fn weights_and_columns_are_the_same_for_any_thread_count() {
        let counts = CountMatrix::from_terms(&skewed_docs());
        for opts in [
            WeightingOptions::default(),
            RAW,
            WeightingOptions { scheme: Scheme::Bm25, ..WeightingOptions::default() },
            WeightingOptions { min_df: DfBound::Count(2), ..WeightingOptions::default() },
        ] {
            let in_pool = |threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| {
                    let m = TfIdfMatrix::fit(&counts, &opts);
                    let columns = m.to_columns();
                    (m, columns)
                })
            };
            let (one, one_columns) = in_pool(1);
            let (four, four_columns) = in_pool(4);
            assert_eq!(one.rows, four.rows, "{opts:?}");
            assert_eq!(one.df, four.df);
            // The parallel transpose equals sprs's, for either pool.
            let reference = one.rows.to_csc();
            assert_eq!(one_columns, reference, "{opts:?}");
            assert_eq!(four_columns, reference, "{opts:?}");
            assert!(one.nnz() > 10_000 && one.terms().len() > 100, "{}", one.nnz());
        }
    }

    #[test]
    fn balanced_groups_cover_every_outer_index_once() {
        assert_eq!(balanced_groups(&[0], 8), [0], "no rows: no group");
        assert_eq!(balanced_groups(&[0, 0, 0, 0], 8), [0, 3], "empty rows: one group");
        assert_eq!(balanced_groups(&[0, 5, 10, 15, 20], 1), [0, 4]);
        assert_eq!(balanced_groups(&[0, 5, 10, 15, 20], 2), [0, 2, 4]);
        // A group ends at the column where a share's worth of entries ends.
        assert_eq!(balanced_groups(&[0, 1, 2, 1000, 1001], 4), [0, 3, 4]);
        let ptr: Vec<usize> = (0..=1000).map(|i| i * i).collect();
        let bounds = balanced_groups(&ptr, 16);
        assert!(bounds.windows(2).all(|w| w[0] < w[1]) && bounds.len() <= 17, "{bounds:?}");
        assert_eq!((bounds[0], bounds[bounds.len() - 1]), (0, 1000));
        let (mut a, mut b) = (vec![0u8; ptr[1000]], vec![0u16; ptr[1000]]);
        let groups = split_by_groups(&ptr, &bounds, &mut a, &mut b);
        for (range, a, b) in &groups {
            assert_eq!(a.len(), ptr[range.end] - ptr[range.start]);
            assert_eq!(b.len(), a.len());
        }
        assert_eq!(groups.iter().map(|g| g.1.len()).sum::<usize>(), ptr[1000]);
    }

    #[test]
    fn sublinear_tf_uses_log_counts() {
        let m = fit(&[vec!["a", "a", "a", "a", "b"]], WeightingOptions::default());
        let (ids, w) = m.row(0);
        assert_eq!(ids, [0, 1]);
        let (ta, tb) = (1.0 + 4f64.ln(), 1.0);
        assert!((w[0] / w[1] - ta / tb).abs() < 1e-12);
    }

    #[test]
    fn bm25_saturates_term_frequency() {
        let opts = WeightingOptions { scheme: Scheme::Bm25, ..WeightingOptions::default() };
        let docs = [vec!["a"; 10], vec!["a", "b"], vec!["c"]];
        let m = fit(&docs.iter().map(|d| d.to_vec()).collect::<Vec<_>>(), opts);
        // idf(a) = ln(1 + (3 - 2 + .5) / 2.5); a is the most common term.
        assert_eq!(m.terms()[2], "a");
        assert!((m.idf()[2] - (1.0 + 1.5f64 / 2.5).ln()).abs() < 1e-12);
        // Within one document, 10 occurrences weigh far less than 10x one.
        let m2 =
            fit(&[vec!["a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "b"], vec!["x"]], opts);
        let (_, w) = m2.row(0);
        assert!(w[0] / w[1] < 2.5, "tf must saturate: {w:?}");
    }

    #[test]
    fn df_bounds_prune_terms_and_keep_order() {
        let docs = [vec!["common", "x"], vec!["common", "y", "x"], vec!["common", "z"]];
        let opts = WeightingOptions {
            max_df: DfBound::Fraction(0.9),
            min_df: DfBound::Count(2),
            ..WeightingOptions::default()
        };
        let m = fit(&docs, opts);
        assert_eq!(m.terms(), ["x"]);
        assert_eq!(m.row(2).0, &[] as &[u32], "a document can lose all its terms");
    }

    #[test]
    fn df_bound_parses_counts_and_fractions() {
        assert_eq!("3".parse::<DfBound>(), Ok(DfBound::Count(3)));
        assert_eq!("0.5".parse::<DfBound>(), Ok(DfBound::Fraction(0.5)));
        assert!("1.5".parse::<DfBound>().is_err());
        assert!("x".parse::<DfBound>().is_err());
    }
}
