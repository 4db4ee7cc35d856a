//! Terms → vocabulary → TF-IDF vectors.
//!
//! - [`vocab`] counts the terms of every document in parallel, interning them
//!   in per-thread maps that are merged once into one sorted vocabulary.
//! - [`tfidf`] turns the counts into L2-normalized TF-IDF rows (a CSR matrix),
//!   matching scikit-learn's `TfidfVectorizer` so scores can be checked
//!   against it.
//! - [`lsi`] reduces those rows to a few hundred latent dimensions (a
//!   randomized truncated SVD) for the blended similarity.

mod intern;
pub mod lsi;
pub mod tfidf;
pub mod vocab;

pub use lsi::{Lsi, LsiOptions};
pub use tfidf::{DfBound, Scheme, Tf, TfIdfMatrix, WeightingOptions};
pub use vocab::{CountMatrix, count_terms, count_terms_owned};
