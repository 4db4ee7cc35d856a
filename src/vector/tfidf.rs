//! TF-IDF weighting and the CSR matrix of document vectors.
//!
//! Defaults equal scikit-learn's `TfidfVectorizer(sublinear_tf=True)` given
//! the same terms: tf `1 + ln(count)`, smooth idf `ln((1 + n) / (1 + df)) + 1`,
//! rows L2-normalized, float64; with [`Tf::Raw`], `TfidfVectorizer()`. With
//! normalized rows, cosine similarity is a dot product.

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
        let mut df = vec![0u32; counts.terms.len()];
        for &t in counts.term_ids() {
            df[t as usize] += 1;
        }
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
        // BM25 needs each document's length (kept terms only) and the mean.
        let lengths: Vec<f64> = (0..n_docs)
            .map(|i| {
                let (ids, cs) = counts.row(i);
                ids.iter()
                    .zip(cs)
                    .filter(|(t, _)| remap[**t as usize] != u32::MAX)
                    .map(|(_, &c)| f64::from(c))
                    .sum()
            })
            .collect();
        let avg_len = (lengths.iter().sum::<f64>() / n.max(1.0)).max(1.0);

        let mut indptr = Vec::with_capacity(n_docs + 1);
        let mut indices = Vec::with_capacity(counts.term_ids().len());
        let mut data = Vec::with_capacity(counts.term_ids().len());
        indptr.push(0);
        let mut row: Vec<(u32, f64)> = Vec::new();
        for (i, &length) in lengths.iter().enumerate() {
            let start = indices.len();
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
                        let norm = 1.0 - BM25_B + BM25_B * length / avg_len;
                        c * (BM25_K1 + 1.0) / (c + BM25_K1 * norm)
                    }
                };
                row.push((new, tf * idf[new as usize]));
            }
            row.sort_unstable_by_key(|&(t, _)| t);
            for &(t, w) in &row {
                indices.push(t);
                data.push(w);
            }
            let norm = data[start..].iter().map(|w| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                data[start..].iter_mut().for_each(|w| *w /= norm);
            }
            indptr.push(indices.len());
        }
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
    pub fn to_columns(&self) -> CsMatI<f64, u32, usize> {
        self.rows.to_csc()
    }
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
