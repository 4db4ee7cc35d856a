//! Latent semantic indexing: a truncated SVD of the TF-IDF matrix.
//!
//! Two articles about the same topic often share few exact words (`cargo`
//! and `crate`, `野球` and `投手`); terms that occur in the same articles
//! load on the same latent dimensions, so their LSI vectors are close even
//! when the words differ. The similarity stage blends this cosine with the
//! TF-IDF one (see `crate::similar`).
//!
//! The SVD is randomized (Halko, Martinsson & Tropp 2011, algorithms 4.4 and
//! 5.1), for the n × V matrix `A` of L2-normalized TF-IDF rows, and works on
//! the document side only (sites have far fewer articles than terms):
//!
//! 1. `Y = A·Ω` with `Ω` a V × l Gaussian test matrix, `l = d + p`
//!    (`p` = [`LsiOptions::oversample`]), each row drawn from a ChaCha8
//!    generator seeded with the seed plus the term id, when it is used;
//! 2. `Q = orth(Y)`, then `q` power iterations `Q = orth(A·(Aᵀ·Q))`;
//! 3. the small l × l eigenproblem `B·Bᵀ = Qᵀ·A·(Aᵀ·Q) = W·Σ²·Wᵀ` (with
//!    `B = Qᵀ·A`) gives `A ≈ (Q·W)·Σ·(Bᵀ·W·Σ⁻¹)ᵀ`;
//! 4. document vectors: the first `d` columns of `Q·W·Σ`, L2-normalized
//!    (the right singular vectors `Bᵀ·W·Σ⁻¹` are only formed by
//!    [`truncated_svd`]).
//!
//! Every dense matrix is n × l or l × l: `A·(Aᵀ·Q)` is summed term by term
//! (`Σₜ aₜ·(aₜᵀ·Q)`, see `sum_over_terms`), so no V × l matrix is formed.
//! Dense factors are [`ndarray`] arrays and every n × l product is its
//! blocked `dot` (matrixmultiply, single-threaded). Orthonormalization is
//! CholeskyQR2 with a pivoted Cholesky factor of the l × l Gram matrix (see
//! `orthonormal`), and the eigenproblem is solved by Householder
//! tridiagonalization and implicit QL (`faer` would do both, but added 47
//! crates and over ten minutes of build on the project's 2-core machine for
//! a 110 × 110 problem). The sparse products run in parallel over a fixed
//! split of the terms (`TERM_CHUNKS` chunks of about equal non-zeros) whose
//! partial sums are added in chunk order, and the dense steps are
//! sequential: the vectors are bit for bit the same for any thread count.
//! Term ids are numbered by document frequency then term, and documents by
//! key, so they do not depend on input order.
//!
//! Cost: O(nnz · l · (2q + 3)) for the sparse products, O(n · l²) for the
//! orthonormalizations and O(l³) for the small factorizations; memory
//! O(TERM_CHUNKS · n · l) floats.

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
    let v = m.terms().len();
    match left_factors(m, opts) {
        None => Factors {
            u: Array2::zeros((m.n_docs(), 0)),
            sigma: Vec::new(),
            v: Array2::zeros((v, 0)),
        },
        Some(Left { q, w, sigma }) => {
            // Bᵀ = Aᵀ·Q, and A ≈ Q·B = (Q·W)·diag(σ)·(Aᵀ·Q·W·diag(1/σ))ᵀ.
            let mut right = transpose_times(&m.to_columns(), &q).dot(&w);
            for (mut col, s) in right.columns_mut().into_iter().zip(&sigma) {
                col.mapv_inplace(|x| x / s);
            }
            Factors { u: q.dot(&w), sigma, v: right }
        }
    }
}

/// The document-side factors: `Q` (n × r, orthonormal columns spanning the
/// sampled range), and the first `top ≤ d` eigenvectors `W` (r × top) of
/// `B·Bᵀ` and singular values `σ` of `B = Qᵀ·A`.
struct Left {
    q: Array2<f64>,
    w: Array2<f64>,
    sigma: Vec<f64>,
}

/// Steps 1–3 of the module docs; `None` when the matrix has rank 0 or `d`
/// is 0. Every dense matrix is n × l or l × l (plus `Z`, V × l, one at a
/// time), so no step costs more than O(nnz · l + n · l²).
fn left_factors(m: &TfIdfMatrix, opts: &LsiOptions) -> Option<Left> {
    let (n, v) = (m.n_docs(), m.terms().len());
    let d = opts.dims.min(n).min(v);
    let l = (d + opts.oversample).min(n).min(v);
    if d == 0 {
        return None;
    }
    let cols = m.to_columns();
    let mut q = orthonormal(&times_test_matrix(&cols, l, opts.seed));
    for _ in 0..opts.power_iters {
        q = orthonormal(&gram_times(&cols, &q));
    }
    if q.ncols() == 0 {
        return None;
    }
    // B·Bᵀ = Qᵀ·A·Aᵀ·Q: r × r, symmetrized so that rounding in the product
    // cannot make the eigenproblem unsymmetric.
    let g = q.t().dot(&gram_times(&cols, &q));
    let g = Array2::from_shape_fn(g.dim(), |(a, b)| 0.5 * (g[[a, b]] + g[[b, a]]));
    let (eigenvalues, w) = symmetric_eigen(&g);
    let top = eigenvalues.iter().take(d).take_while(|&&e| e > RANK_TOL * eigenvalues[0]).count();
    if top == 0 {
        return None;
    }
    let w = w.slice(ndarray::s![.., ..top]).to_owned();
    let sigma = eigenvalues[..top].iter().map(|e| e.sqrt()).collect();
    Some(Left { q, w, sigma })
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
        let Some(Left { q, w, sigma, .. }) = left_factors(m, opts) else {
            return Lsi { vectors: Array2::zeros((m.n_docs(), 0)) };
        };
        // U·Σ = Q·W·Σ: the right singular vectors (V × d) are never formed.
        let mut vectors = q.dot(&w);
        for mut row in vectors.rows_mut() {
            row.iter_mut().zip(&sigma).for_each(|(x, s)| *x *= s);
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

/// Terms are split into this many chunks of about equal non-zeros; the
/// chunks' partial sums are computed in parallel and added in chunk order,
/// so the result does not depend on the thread count.
const TERM_CHUNKS: usize = 8;

/// `A` by columns: the inverted index, V × n as CSC.
type Columns = sprs::CsMatI<f64, u32, usize>;

/// `Σₜ aₜ·f(t)ᵀ` (n × l) over the columns `aₜ` of `A`, where
/// `each(state, t, aₜ, f)` writes the l-vector `f(t)` into a zeroed buffer
/// (`state` is `init(first term)`, once per chunk, then passed to the
/// chunk's terms in ascending order): every
/// term adds `w(i,t)·f(t)` to the rows `i` of its documents, terms in
/// ascending order within a chunk. No V × l matrix is ever formed; memory
/// is O(TERM_CHUNKS · n · l).
fn sum_over_terms<S>(
    cols: &Columns,
    l: usize,
    init: impl Fn(usize) -> S + Sync,
    each: impl Fn(&mut S, usize, sprs::CsVecViewI<'_, f64, u32>, &mut [f64]) + Sync,
) -> Array2<f64> {
    let (n, v, nnz) = (cols.inner_dims(), cols.outer_dims(), cols.nnz());
    // bounds[c]..bounds[c + 1]: the terms of chunk c (about nnz / C non-zeros).
    let mut bounds = [v; TERM_CHUNKS + 1];
    bounds[0] = 0;
    let (mut seen, mut c) = (0, 1);
    for t in 0..v {
        seen += cols.outer_view(t).map_or(0, |col| col.nnz());
        while c < TERM_CHUNKS && seen * TERM_CHUNKS >= c * nnz {
            bounds[c] = t + 1;
            c += 1;
        }
    }
    let partials: Vec<Vec<f64>> = (0..TERM_CHUNKS)
        .into_par_iter()
        .map(|c| {
            let terms = bounds[c]..bounds[c + 1];
            let mut out = vec![0.0; if terms.is_empty() { 0 } else { n * l }];
            let mut f = vec![0.0; l];
            let mut state = init(terms.start);
            for t in terms {
                let col = cols.outer_view(t).expect("t < V");
                f.iter_mut().for_each(|x| *x = 0.0);
                // Called for every term, even one without documents (none in
                // practice), so that `state` advances the same whatever the split.
                each(&mut state, t, col.view(), &mut f);
                for (i, &w) in col.iter() {
                    let row = &mut out[i * l..(i + 1) * l];
                    row.iter_mut().zip(&f).for_each(|(o, &x)| *o += w * x);
                }
            }
            out
        })
        .collect();
    let mut total = vec![0.0; n * l];
    for p in partials.iter().filter(|p| !p.is_empty()) {
        total.iter_mut().zip(p).for_each(|(t, &x)| *t += x);
    }
    Array2::from_shape_vec((n, l), total).expect("n · l values")
}

/// Terms per random-number stream of the test matrix `Ω`: row `t` holds
/// the draws `(t mod TERMS_PER_STREAM)·l ..` of the stream seeded with
/// `seed + t / TERMS_PER_STREAM` (the layout of the first LSI version, whose
/// draws the relevance measurements were made with).
const TERMS_PER_STREAM: usize = 1024;

/// The generator for `Ω`'s rows from term `first` on: its block's stream,
/// advanced past the block's earlier rows (at most 1023 · l draws, discarded:
/// the Gaussian sampler uses a varying amount of randomness per draw, so the
/// stream cannot jump).
fn test_matrix_stream(seed: u64, first: usize, l: usize) -> ChaCha8Rng {
    let block = first / TERMS_PER_STREAM;
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(block as u64));
    for _ in 0..(first - block * TERMS_PER_STREAM) * l {
        let _: f64 = rng.sample(StandardNormal);
    }
    rng
}

/// `Y = A·Ω` (n × l) for the V × l Gaussian test matrix `Ω`, whose rows are
/// drawn as they are used (see [`TERMS_PER_STREAM`]), never stored.
fn times_test_matrix(cols: &Columns, l: usize, seed: u64) -> Array2<f64> {
    sum_over_terms(
        cols,
        l,
        |first| test_matrix_stream(seed, first, l),
        |rng, t, _, omega| {
            if t % TERMS_PER_STREAM == 0 {
                *rng = test_matrix_stream(seed, t, l);
            }
            omega.iter_mut().for_each(|x| *x = rng.sample(StandardNormal));
        },
    )
}

/// `A·(Aᵀ·Q)` (n × l) as `Σₜ aₜ·(aₜᵀ·Q)`: each term's row of `Aᵀ·Q` is
/// summed over its documents in ascending order, used at once, and dropped.
fn gram_times(cols: &Columns, q: &Array2<f64>) -> Array2<f64> {
    sum_over_terms(
        cols,
        q.ncols(),
        |_| (),
        |_, _, col, z| {
            for (i, &w) in col.iter() {
                z.iter_mut().zip(q.row(i)).for_each(|(o, &x)| *o += w * x);
            }
        },
    )
}

/// `Aᵀ·Y` for `A` given by columns (the inverted index, V × n as CSC) and
/// dense `Y` (n × l): row `t` is `Σ w(i,t)·Y[i]` over `t`'s documents in
/// ascending order.
fn transpose_times(cols: &Columns, y: &Array2<f64>) -> Array2<f64> {
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
/// numerical rank), by CholeskyQR2: the Cholesky factor `L` of the small
/// Gram matrix `yᵀy = L·Lᵀ` gives `Q = y·L⁻ᵀ`, done twice, as the Gram
/// matrix squares the condition number. The Cholesky factorization pivots
/// on the largest remaining diagonal and stops when it falls below
/// [`ORTHO_TOL`] of the largest (the columns left are, numerically, in the
/// span of those taken: rank deficiency). The m × l products are ndarray's
/// blocked `dot` (matrixmultiply, single-threaded: the same bits for any
/// thread count); the l × l steps are written here, O(l³).
fn orthonormal(y: &Array2<f64>) -> Array2<f64> {
    cholesky_qr(&cholesky_qr(y))
}

/// One pass of [`orthonormal`].
fn cholesky_qr(y: &Array2<f64>) -> Array2<f64> {
    let k = y.ncols();
    if k == 0 || y.iter().all(|&x| x == 0.0) {
        return Array2::zeros((y.nrows(), 0));
    }
    let gram = y.t().dot(y);
    // Right-looking pivoted Cholesky on a row-major copy: after step r, the
    // first r columns' lower part hold L (rows in pivot order) and the
    // trailing block the Schur complement.
    let mut a: Vec<f64> = gram.iter().copied().collect();
    let mut perm: Vec<usize> = (0..k).collect();
    let largest = (0..k).fold(0f64, |m, i| m.max(a[i * k + i]));
    let mut r = 0;
    while r < k {
        let p = (r..k).fold(r, |b, i| if a[i * k + i] > a[b * k + b] { i } else { b });
        // (A NaN diagonal stops too.)
        if a[p * k + p].is_nan() || a[p * k + p] <= ORTHO_TOL * largest {
            break;
        }
        if p != r {
            perm.swap(r, p);
            for c in 0..k {
                a.swap(r * k + c, p * k + c);
            }
            for row in 0..k {
                a.swap(row * k + r, row * k + p);
            }
        }
        let pivot = a[r * k + r].sqrt();
        a[r * k + r] = pivot;
        for i in r + 1..k {
            a[i * k + r] /= pivot;
        }
        for i in r + 1..k {
            let li = a[i * k + r];
            for j in r + 1..k {
                a[i * k + j] -= li * a[j * k + r];
            }
        }
        r += 1;
    }
    // T = L⁻¹ (lower triangular, r × r) by forward substitution; Q = y_P·Tᵀ.
    let mut t = Array2::<f64>::zeros((r, r));
    for c in 0..r {
        t[[c, c]] = 1.0 / a[c * k + c];
        for i in c + 1..r {
            let s = (c..i).fold(0.0, |s, m| s + a[i * k + m] * t[[m, c]]);
            t[[i, c]] = -s / a[i * k + i];
        }
    }
    y.select(ndarray::Axis(1), &perm[..r]).dot(&t.t())
}

/// Columns whose remaining Gram diagonal is below this fraction of the
/// largest are dropped: their part outside the others' span is below ~1e-7
/// of the largest column, where the Gram matrix has no accurate digits left.
const ORTHO_TOL: f64 = 1e-14;

/// Eigenvalues (descending) and eigenvectors (columns, same order) of the
/// symmetric matrix `a`: Householder reduction to tridiagonal form, then
/// the implicit QL algorithm (the EISPACK `tred2`/`tql2` pair as in JAMA).
/// O(l³), a few milliseconds at l = 110; sequential and deterministic.
#[allow(clippy::needless_range_loop)] // indices follow the published algorithm
fn symmetric_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    if n == 0 {
        return (Vec::new(), Array2::zeros((0, 0)));
    }
    let mut v: Vec<Vec<f64>> = (0..n).map(|i| a.row(i).to_vec()).collect();
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    // tred2: symmetric Householder reduction to tridiagonal form.
    d.copy_from_slice(&v[n - 1]);
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
                v[j][i] = 0.0;
            }
        } else {
            for k in 0..i {
                d[k] /= scale;
                h += d[k] * d[k];
            }
            let mut f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].iter_mut().for_each(|x| *x = 0.0);
            for j in 0..i {
                f = d[j];
                v[j][i] = f;
                g = e[j] + v[j][j] * f;
                for k in j + 1..i {
                    g += v[k][j] * d[k];
                    e[k] += v[k][j] * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                f = d[j];
                g = e[j];
                for k in j..i {
                    v[k][j] -= f * e[k] + g * d[k];
                }
                d[j] = v[i - 1][j];
                v[i][j] = 0.0;
            }
        }
        d[i] = h;
    }
    for i in 0..n - 1 {
        v[n - 1][i] = v[i][i];
        v[i][i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[k][i + 1] / h;
            }
            for j in 0..=i {
                let g = (0..=i).fold(0.0, |g, k| g + v[k][i + 1] * v[k][j]);
                for k in 0..=i {
                    v[k][j] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[k][i + 1] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[n - 1][j];
        v[n - 1][j] = 0.0;
    }
    v[n - 1][n - 1] = 1.0;
    e[0] = 0.0;
    // tql2: implicit QL iterations on the tridiagonal matrix.
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let eps = f64::EPSILON;
    let (mut f, mut tst1) = (0f64, 0f64);
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            // Converges in 1–3 iterations per eigenvalue; the cap only
            // guards against non-finite input.
            for _iteration in 0..64 {
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let h = g - d[l];
                for x in &mut d[l + 2..n] {
                    *x -= h;
                }
                f += h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    let h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    for row in v.iter_mut() {
                        let h = row[i + 1];
                        row[i + 1] = s * row[i] + c * h;
                        row[i] = c * row[i] - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| d[y].total_cmp(&d[x]).then(x.cmp(&y)));
    let values = order.iter().map(|&i| d[i]).collect();
    let vectors = Array2::from_shape_fn((n, n), |(r, c)| v[r][order[c]]);
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::{CountMatrix, WeightingOptions};

    /// A `rows × cols` matrix of standard normal draws; rows in blocks of
    /// `TERMS_PER_STREAM`, block `b` from the stream seeded with `seed + b`.
    fn gaussian(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
        let mut out = Array2::<f64>::zeros((rows, cols));
        if let Some(data) = out.as_slice_mut() {
            data.par_chunks_mut(TERMS_PER_STREAM * cols.max(1)).enumerate().for_each(
                |(b, chunk)| {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(b as u64));
                    chunk.iter_mut().for_each(|x| *x = rng.sample(StandardNormal));
                },
            );
        }
        out
    }

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
    fn eigen_decomposition_matches_jacobi_and_diagonalizes() {
        for (k, seed) in [(1, 1u64), (2, 2), (7, 3), (40, 4), (60, 5)] {
            let g = gaussian(k + 3, k, seed);
            // A Gram matrix (positive semi-definite, like every use here)
            // and a symmetric indefinite one.
            let indefinite = &g.slice(ndarray::s![..k, ..]) + &g.slice(ndarray::s![..k, ..]).t();
            for a in [g.t().dot(&g), indefinite] {
                let (values, vectors) = symmetric_eigen(&a);
                let (reference, _) = jacobi_eigen(&a);
                let scale = values.iter().fold(1f64, |m, x| m.max(x.abs()));
                for (x, y) in values.iter().zip(&reference) {
                    assert!((x - y).abs() < 1e-12 * scale, "k = {k}: {x} vs {y}");
                }
                assert!(values.windows(2).all(|w| w[0] >= w[1]), "descending");
                let residual = a.dot(&vectors)
                    - &vectors.dot(&Array2::from_diag(&ndarray::Array1::from(values.clone())));
                assert!(residual.iter().all(|x| x.abs() < 1e-11 * scale), "k = {k}: A·V = V·Λ");
                let gram = vectors.t().dot(&vectors);
                assert!((&gram - &Array2::<f64>::eye(k)).iter().all(|x| x.abs() < 1e-12));
            }
        }
    }

    #[test]
    fn test_matrix_rows_are_the_block_streams_whatever_the_chunks() {
        // Several stream blocks, split into chunks that do not start on a block.
        let m = corpus(1500, 9000);
        let v = m.terms().len();
        assert!(v > 2 * TERMS_PER_STREAM, "{v} terms");
        let y = times_test_matrix(&m.to_columns(), 7, 42);
        let reference = dense(&m).dot(&gaussian(v, 7, 42));
        let err = (&y - &reference).iter().fold(0f64, |e, x| e.max(x.abs()));
        assert!(err < 1e-12, "max error {err}");
    }

    #[test]
    fn orthonormal_spans_the_columns_and_drops_dependent_ones() {
        let g = gaussian(50, 6, 9);
        // Columns 4 and 5 are combinations of the others: rank 4.
        let mut y = g.clone();
        let c4 = &g.column(0) * 2.0 - g.column(1);
        let c5 = &g.column(2) + &g.column(3) * 0.5;
        y.column_mut(4).assign(&c4);
        y.column_mut(5).assign(&c5);
        let q = orthonormal(&y);
        assert_eq!(q.ncols(), 4);
        assert!((&q.t().dot(&q) - &Array2::<f64>::eye(4)).iter().all(|x| x.abs() < 1e-13));
        // Every column of y is in the span: projecting on Q gives it back.
        let back = q.dot(&q.t().dot(&y));
        assert!((&back - &y).iter().all(|x| x.abs() < 1e-12));
        assert_eq!(orthonormal(&Array2::zeros((5, 3))).ncols(), 0);
    }

    /// The reference for [`symmetric_eigen`]: cyclic Jacobi rotations
    /// (the solver of the first LSI version; accurate, but ~10× slower).
    fn jacobi_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
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
