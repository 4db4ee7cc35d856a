//! Latent semantic indexing: a truncated SVD of the TF-IDF matrix.
//!
//! Two articles about the same topic often share few exact words (`cargo`
//! and `crate`, `野球` and `投手`); terms that occur in the same articles
//! load on the same latent dimensions, so their LSI vectors are close even
//! when the words differ. The similarity stage blends this cosine with the
//! TF-IDF one (see `crate::similar`).
//!
//! The SVD is randomized (Halko, Martinsson & Tropp 2011, algorithms 4.4 and
//! 5.1), for the n × V matrix `A` of L2-normalized TF-IDF rows:
//!
//! 1. `Y = A·Ω` with `Ω` a V × l Gaussian test matrix, `l = d + p`
//!    (`p` = [`LsiOptions::oversample`]), drawn from a ChaCha8 generator with
//!    a fixed seed, one stream per block of terms;
//! 2. `Q = orth(Y)`, then `q` power iterations (`Q = orth(A·orth(Aᵀ·Q))`),
//!    each product re-orthonormalized so the small singular values survive;
//! 3. `Bᵀ = Aᵀ·Q`; the small l × l eigenproblem `B·Bᵀ = W·Σ²·Wᵀ` gives
//!    `A ≈ (Q·W)·Σ·(Bᵀ·W·Σ⁻¹)ᵀ`;
//! 4. document vectors: the first `d` columns of `Q·W·Σ`, L2-normalized.
//!
//! Dense factors are [`ndarray`] arrays and every tall product is its
//! blocked `dot` (matrixmultiply). Orthonormalization goes through the l × l
//! Gram matrix, twice (like CholeskyQR2, see `orthonormal`); the only
//! factorization written here is a Jacobi eigen-solver for l × l symmetric
//! matrices (`faer` would do it, but added 47 crates and over ten minutes of
//! build on the project's 2-core machine for a 110 × 110 problem). The
//! sparse × dense products run in parallel, one output row per task, each
//! summed in ascending term (or document) order, and the dense steps are
//! sequential: the vectors are bit for bit the same for any thread count. Term ids are numbered by document frequency
//! then term, and documents by key, so they do not depend on input order.
//!
//! Cost: O(nnz · l · (2q + 2)) for the products, O((n + V) · l²) for the Gram matrices and products;
//! memory O((n + V) · l) floats.

use ndarray::{Array2, ArrayView1};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use super::TfIdfMatrix;

/// How the truncated SVD is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsiOptions {
    /// Latent dimensions kept (`d`). Clamped to the matrix's smaller side.
    pub dims: usize,
    /// Extra random directions sampled beyond `dims` (`p`, ~10 is usual).
    pub oversample: usize,
    /// Power iterations (`q`): sharpen the spectrum; 2 is plenty for text.
    pub power_iters: usize,
    /// Seed of the Gaussian test matrix.
    pub seed: u64,
}

impl Default for LsiOptions {
    fn default() -> Self {
        LsiOptions { dims: 100, oversample: 10, power_iters: 2, seed: 0x5EED_1A7E_0000_0016 }
    }
}

/// Terms per random-number stream: the test matrix is drawn in blocks of
/// this many rows in parallel, each from its own seeded stream.
const TERMS_PER_STREAM: usize = 1024;

/// A rank-`d` factorization `A ≈ U·diag(σ)·Vᵀ` (columns of `U`, `V`
/// orthonormal, σ descending).
#[derive(Debug, Clone)]
pub struct Factors {
    /// n × d left singular vectors.
    pub u: Array2<f64>,
    /// The d largest singular values, descending.
    pub sigma: Vec<f64>,
    /// V × d right singular vectors.
    pub v: Array2<f64>,
}

/// Rank-`d` truncated SVD of `m`'s rows (randomized, see the module docs).
/// `d` is clamped to `min(n, V)` and to the numerical rank of the sampled
/// range; an empty matrix gives empty factors.
pub fn truncated_svd(m: &TfIdfMatrix, opts: &LsiOptions) -> Factors {
    let (n, v) = (m.n_docs(), m.terms().len());
    let d = opts.dims.min(n).min(v);
    let l = (d + opts.oversample).min(n).min(v);
    let empty =
        || Factors { u: Array2::zeros((n, 0)), sigma: Vec::new(), v: Array2::zeros((v, 0)) };
    if d == 0 {
        return empty();
    }
    let cols = m.to_columns();
    let omega = gaussian(v, l, opts.seed);
    let mut q = orthonormal(&times(m, &omega));
    for _ in 0..opts.power_iters {
        let z = orthonormal(&transpose_times(&cols, &q));
        q = orthonormal(&times(m, &z));
    }
    // Bᵀ = Aᵀ·Q (V × r); B·Bᵀ = W·diag(σ²)·Wᵀ gives B's left singular
    // vectors W, so A ≈ Q·B = (Q·W)·diag(σ)·(Bᵀ·W·diag(1/σ))ᵀ.
    if q.ncols() == 0 {
        return empty();
    }
    let bt = transpose_times(&cols, &q);
    let (eigenvalues, w) = symmetric_eigen(&bt.t().dot(&bt));
    let top = eigenvalues.iter().take(d).take_while(|&&e| e > RANK_TOL * eigenvalues[0]).count();
    if top == 0 {
        return empty();
    }
    let w = w.slice(ndarray::s![.., ..top]).to_owned();
    let sigma: Vec<f64> = eigenvalues[..top].iter().map(|e| e.sqrt()).collect();
    let mut right = bt.dot(&w);
    for (mut col, s) in right.columns_mut().into_iter().zip(&sigma) {
        col.mapv_inplace(|x| x / s);
    }
    Factors { u: q.dot(&w), sigma, v: right }
}

/// Squared singular values below this fraction of the largest are treated
/// as zero (rank deficiency: duplicate articles, fewer distinct rows than
/// dimensions asked for).
const RANK_TOL: f64 = 1e-20;

/// L2-normalized LSI document vectors: one row per document.
#[derive(Debug, Clone)]
pub struct Lsi {
    vectors: Array2<f64>,
}

impl Lsi {
    /// The rows of `U·Σ` of [`truncated_svd`], scaled to unit length (a
    /// document without terms keeps a zero row: cosine 0 with every other).
    pub fn fit(m: &TfIdfMatrix, opts: &LsiOptions) -> Self {
        let f = truncated_svd(m, opts);
        let mut vectors = f.u;
        for mut row in vectors.rows_mut() {
            row.iter_mut().zip(&f.sigma).for_each(|(x, s)| *x *= s);
            let norm = row.iter().fold(0.0, |a, x| a + x * x).sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|x| *x /= norm);
            }
        }
        Lsi { vectors }
    }

    /// Latent dimensions (0 when the matrix was empty).
    pub fn dims(&self) -> usize {
        self.vectors.ncols()
    }

    /// The n × d matrix of document vectors.
    pub fn vectors(&self) -> &Array2<f64> {
        &self.vectors
    }

    /// Document `i`'s vector.
    pub fn row(&self, i: usize) -> ArrayView1<'_, f64> {
        self.vectors.row(i)
    }

    /// The cosine of documents `i` and `j`: their dot product summed in
    /// dimension order, so `cosine(i, j) == cosine(j, i)` bit for bit.
    pub fn cosine(&self, i: usize, j: usize) -> f64 {
        self.row(i).iter().zip(self.row(j)).fold(0.0, |s, (a, b)| s + a * b)
    }
}

/// A `rows × cols` matrix of standard normal draws; rows in blocks of
/// [`TERMS_PER_STREAM`], block `b` from the stream seeded with `seed + b`.
fn gaussian(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros((rows, cols));
    if let Some(data) = out.as_slice_mut() {
        data.par_chunks_mut(TERMS_PER_STREAM * cols.max(1)).enumerate().for_each(|(b, chunk)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(b as u64));
            chunk.iter_mut().for_each(|x| *x = rng.sample(StandardNormal));
        });
    }
    out
}

/// `A·X` for the sparse rows `A` (n × V) and dense `X` (V × l): row `i` is
/// `Σ w(i,t)·X[t]` over `i`'s terms in ascending order.
fn times(m: &TfIdfMatrix, x: &Array2<f64>) -> Array2<f64> {
    let l = x.ncols();
    let mut out = Array2::<f64>::zeros((m.n_docs(), l));
    if l == 0 {
        return out;
    }
    let data = out.as_slice_mut().expect("a new array is contiguous");
    data.par_chunks_mut(l).enumerate().for_each(|(i, row)| {
        let (terms, weights) = m.row(i);
        for (&t, &w) in terms.iter().zip(weights) {
            row.iter_mut().zip(x.row(t as usize)).for_each(|(o, &xv)| *o += w * xv);
        }
    });
    out
}

/// `Aᵀ·Y` for `A` given by columns (the inverted index, V × n as CSC) and
/// dense `Y` (n × l): row `t` is `Σ w(i,t)·Y[i]` over `t`'s documents in
/// ascending order.
fn transpose_times(cols: &sprs::CsMatI<f64, u32, usize>, y: &Array2<f64>) -> Array2<f64> {
    let l = y.ncols();
    let mut out = Array2::<f64>::zeros((cols.cols(), l));
    if l == 0 {
        return out;
    }
    let data = out.as_slice_mut().expect("a new array is contiguous");
    data.par_chunks_mut(l).enumerate().for_each(|(t, row)| {
        if let Some(col) = cols.outer_view(t) {
            for (i, &w) in col.iter() {
                row.iter_mut().zip(y.row(i)).for_each(|(o, &yv)| *o += w * yv);
            }
        }
    });
    out
}

/// An orthonormal basis of the range of `y`'s columns (m × r, r ≤ l the
/// numerical rank): from the eigen-decomposition of the small Gram matrix
/// `yᵀy = W·Λ·Wᵀ`, `Q = y·W·Λ^(−1/2)` over the eigenvalues above
/// [`ORTHO_TOL`]; done twice, as the Gram matrix squares the condition
/// number (like CholeskyQR2). The m × l products are ndarray's blocked
/// `dot` (matrixmultiply, single-threaded: the same bits for any thread
/// count); only the l × l eigenproblem is solved here.
fn orthonormal(y: &Array2<f64>) -> Array2<f64> {
    let once = |y: &Array2<f64>| {
        if y.ncols() == 0 || y.iter().all(|&x| x == 0.0) {
            return Array2::zeros((y.nrows(), 0));
        }
        let (eigenvalues, w) = symmetric_eigen(&y.t().dot(y));
        let keep = eigenvalues.iter().take_while(|&&e| e > ORTHO_TOL * eigenvalues[0]).count();
        let mut scaled = w.slice(ndarray::s![.., ..keep]).to_owned();
        for (mut col, e) in scaled.columns_mut().into_iter().zip(&eigenvalues) {
            col.mapv_inplace(|x| x / e.sqrt());
        }
        y.dot(&scaled)
    };
    once(&once(y))
}

/// Directions of the Gram matrix with eigenvalues below this fraction of
/// the largest are dropped: their singular values are below ~1e-7 of the
/// largest, where the Gram matrix has no accurate digits left.
const ORTHO_TOL: f64 = 1e-14;

/// Eigenvalues (descending) and eigenvectors (columns, same order) of the
/// symmetric matrix `a`, by cyclic Jacobi rotations: l ≤ a few hundred here,
/// where Jacobi is simple, accurate to rounding and deterministic.
fn symmetric_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let k = a.nrows();
    let mut a = a.clone();
    let mut v = Array2::<f64>::eye(k);
    for _sweep in 0..64 {
        let off: f64 = (0..k)
            .flat_map(|p| (p + 1..k).map(move |q| (p, q)))
            .fold(0.0, |s, (p, q)| s + a[[p, q]] * a[[p, q]]);
        let diag: f64 = (0..k).fold(0.0, |s, p| s + a[[p, p]] * a[[p, p]]);
        if off <= f64::EPSILON * f64::EPSILON * diag || off == 0.0 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan 8.5.2).
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[[r, p]], a[[r, q]]);
                    a[[r, p]] = c * arp - s * arq;
                    a[[r, q]] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[[p, r]], a[[q, r]]);
                    a[[p, r]] = c * apr - s * aqr;
                    a[[q, r]] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[[r, p]], v[[r, q]]);
                    v[[r, p]] = c * vrp - s * vrq;
                    v[[r, q]] = s * vrp + c * vrq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| a[[y, y]].total_cmp(&a[[x, x]]).then(x.cmp(&y)));
    let values = order.iter().map(|&i| a[[i, i]]).collect();
    let vectors = Array2::from_shape_fn((k, k), |(r, c)| v[[r, order[c]]]);
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::{CountMatrix, WeightingOptions};

    /// Documents over a small vocabulary with uneven overlaps.
    fn corpus(n: usize, vocab: usize) -> TfIdfMatrix {
        let docs: Vec<Vec<String>> = (0..n)
            .map(|d| {
                (0..(d % 7 + 2)).map(|w| format!("t{}", (d * 5 + w * w * 3 + w) % vocab)).collect()
            })
            .collect();
        TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default())
    }

    fn dense(m: &TfIdfMatrix) -> Array2<f64> {
        let mut a = Array2::zeros((m.n_docs(), m.terms().len()));
        for i in 0..m.n_docs() {
            let (t, w) = m.row(i);
            t.iter().zip(w).for_each(|(&t, &w)| a[[i, t as usize]] = w);
        }
        a
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // indices follow the formulas
    fn reconstructs_the_best_rank_d_approximation_of_a_dense_svd() {
        // 14 documents: rank ≤ 14 = l, so the randomized range is exact and
        // the truncation is the best rank-d approximation (Eckart–Young).
        let m = corpus(14, 20);
        let a = dense(&m);
        // Reference: the full dense SVD from the eigen-decomposition of AᵀA,
        // checked to be one (orthonormal factors that reconstruct A).
        let (eig, v) = symmetric_eigen(&a.t().dot(&a));
        let s: Vec<f64> = eig.iter().map(|e| e.max(0.0).sqrt()).collect();
        let r = s.iter().take_while(|&&x| x > 1e-6).count();
        let u = Array2::from_shape_fn((a.nrows(), r), |(i, k)| a.row(i).dot(&v.column(k)) / s[k]);
        let sr = Array2::from_diag(&ndarray::Array1::from(s[..r].to_vec()));
        let rebuilt = u.dot(&sr).dot(&v.slice(ndarray::s![.., ..r]).t());
        assert!((&rebuilt - &a).iter().all(|x| x.abs() < 1e-8), "reference reconstructs A");
        assert!((&u.t().dot(&u) - &Array2::<f64>::eye(r)).iter().all(|x| x.abs() < 1e-8));
        for d in [1, 3, 6] {
            assert!(s[d - 1] - s[d] > 1e-3, "test needs a spectral gap at {d}: {s:?}");
            let mut best = Array2::<f64>::zeros(a.dim());
            for k in 0..d {
                let (uk, vk) = (u.column(k), v.column(k));
                for i in 0..a.nrows() {
                    for t in 0..a.ncols() {
                        best[[i, t]] += s[k] * uk[i] * vk[t];
                    }
                }
            }
            // Oversampling to l ≥ n makes the sampled range all of A's rows.
            let opts = LsiOptions { dims: d, oversample: 20, ..LsiOptions::default() };
            let f = truncated_svd(&m, &opts);
            let sigma = Array2::from_diag(&ndarray::Array1::from(f.sigma.clone()));
            let approx = f.u.dot(&sigma).dot(&f.v.t());
            let err = (&approx - &best).iter().fold(0f64, |e, x| e.max(x.abs()));
            assert!(err < 1e-6, "rank {d}: max error {err}");
            for k in 0..d {
                assert!((f.sigma[k] - s[k]).abs() < 1e-8, "σ{k}: {} vs {}", f.sigma[k], s[k]);
            }
            let gram = f.u.t().dot(&f.u);
            assert!((&gram - &Array2::<f64>::eye(d)).iter().all(|x| x.abs() < 1e-9));
        }
    }

    #[test]
    fn vectors_are_unit_rows_and_cosines_symmetric() {
        let m = corpus(60, 45);
        let lsi = Lsi::fit(&m, &LsiOptions { dims: 8, ..LsiOptions::default() });
        assert_eq!(lsi.dims(), 8);
        for i in 0..60 {
            let norm: f64 = lsi.row(i).iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-12, "row {i} has squared norm {norm}");
            for j in 0..60 {
                assert_eq!(lsi.cosine(i, j).to_bits(), lsi.cosine(j, i).to_bits());
            }
        }
    }

    #[test]
    fn same_vectors_for_any_thread_count() {
        let m = corpus(300, 120);
        let opts = LsiOptions { dims: 12, ..LsiOptions::default() };
        let fit = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| Lsi::fit(&m, &opts))
        };
        let one = fit(1);
        for threads in [2, 4] {
            let other = fit(threads);
            assert!(
                one.vectors().iter().zip(other.vectors()).all(|(a, b)| a.to_bits() == b.to_bits()),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn dims_are_clamped_and_empty_rows_stay_zero() {
        let docs: Vec<Vec<&str>> = vec![vec!["a", "b"], vec![], vec!["b", "c"]];
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let lsi = Lsi::fit(&m, &LsiOptions { dims: 50, ..LsiOptions::default() });
        assert_eq!(lsi.dims(), 2, "3 articles, 3 terms, but rank 2");
        assert!(lsi.row(1).iter().all(|&x| x == 0.0));
        assert_eq!(lsi.cosine(0, 1), 0.0);
        let none = Lsi::fit(&m, &LsiOptions { dims: 0, ..LsiOptions::default() });
        assert_eq!(none.dims(), 0);
    }
}
