//! Term counting with an interned vocabulary.
//!
//! Each rayon worker interns the terms it sees in its own [`Interner`] (no
//! locking, and each distinct term is allocated once per worker rather than
//! once per occurrence). The workers' maps are merged once into a
//! single vocabulary sorted by term: sorted ids make the matrix independent
//! of how work was split between threads, and match scikit-learn's
//! alphabetical `vocabulary_`.

use std::collections::HashMap;

use rayon::prelude::*;
use sprs::CsMatI;

use super::intern::Interner;

/// Raw term counts of every document: row `i` lists `(term id, count)` for
/// document `i`, term ids ascending. Term ids index [`CountMatrix::terms`].
/// Stored as a sprs CSR matrix (documents × terms), the same sparse type as
/// the TF-IDF weights.
#[derive(Debug, Clone, PartialEq)]
pub struct CountMatrix {
    /// The vocabulary, sorted (byte order).
    pub terms: Vec<String>,
    /// Occurrences of each term in each document, each times its field
    /// weight.
    counts: CsMatI<u32, u32, usize>,
}

impl Default for CountMatrix {
    fn default() -> Self {
        CountMatrix { terms: Vec::new(), counts: CsMatI::zero((0, 0)) }
    }
}

impl CountMatrix {
    /// Number of documents (rows).
    pub fn n_docs(&self) -> usize {
        self.counts.rows()
    }

    /// The `(term ids, counts)` of document `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[u32]) {
        let range = self.counts.indptr().outer_inds_sz(i);
        (&self.counts.indices()[range.clone()], &self.counts.data()[range])
    }

    /// Every stored term id, row after row (one per document and term).
    pub fn term_ids(&self) -> &[u32] {
        self.counts.indices()
    }

    /// Builds the matrix from each document's terms (in any order, with
    /// repeats). A convenience for tests and callers that already have terms.
    pub fn from_terms<S: AsRef<str> + Sync>(docs: &[Vec<S>]) -> Self {
        count_terms(docs.len(), |i, emit| {
            for t in &docs[i] {
                emit(t.as_ref(), 1);
            }
        })
    }
}

/// One worker's share: its interned terms and the documents it counted.
#[derive(Default)]
struct Partial {
    /// Local ids; each term's mark is where it sits in `row`, if it is
    /// there (a sparse set: `row[mark].0 == id` says it is), so nothing is
    /// cleared between documents and repeats are summed as they come
    /// instead of sorting every occurrence of every term.
    terms: Interner,
    /// (document index, (local term id, count) per distinct term, in order
    /// of first appearance)
    docs: Vec<(usize, Vec<(u32, u32)>)>,
    /// The document being counted: (local term id, count) per distinct term.
    row: Vec<(u32, u32)>,
}

impl Partial {
    /// Adds `weight` to `term`'s count in the document being counted.
    fn add(&mut self, term: &str, weight: u32) {
        let (id, at) = self.terms.intern_marked(term);
        match self.row.get_mut(*at as usize) {
            Some(entry) if entry.0 == id => entry.1 = entry.1.saturating_add(weight),
            _ => {
                *at = self.row.len() as u32;
                self.row.push((id, weight));
            }
        }
    }

    /// Files the document being counted as document `i`.
    fn finish(&mut self, i: usize) {
        // Exactly sized: a long article holds its distinct terms only. The
        // scratch row keeps its capacity for the next document.
        self.docs.push((i, self.row.as_slice().to_vec()));
        self.row.clear();
    }
}

/// Counts the terms of `n_docs` documents in parallel. `terms_of(i, emit)`
/// must call `emit(term, weight)` once per term occurrence of document `i`;
/// a term's count is the sum of its weights (saturating at `u32::MAX`), so a
/// field weight multiplies without repeating work.
pub fn count_terms<F>(n_docs: usize, terms_of: F) -> CountMatrix
where
    F: Fn(usize, &mut dyn FnMut(&str, u32)) + Sync,
{
    count_terms_owned(vec![(); n_docs], |i, (), emit| terms_of(i, emit))
}

/// [`count_terms`] of documents handed over whole: `terms_of(i, item,
/// emit)` gets document `i`'s `items[i]` by value and drops it when done,
/// so each text is freed as soon as it is analyzed and the memory it held
/// takes the term lists (a million articles' texts are gigabytes).
pub fn count_terms_owned<T, F>(items: Vec<T>, terms_of: F) -> CountMatrix
where
    T: Send,
    F: Fn(usize, T, &mut dyn FnMut(&str, u32)) + Sync,
{
    let n_docs = items.len();
    let partials: Vec<Partial> = items
        .into_par_iter()
        .enumerate()
        .fold(Partial::default, |mut p, (i, item)| {
            terms_of(i, item, &mut |t, w| {
                if w > 0 {
                    p.add(t, w);
                }
            });
            p.finish(i);
            p
        })
        .collect();

    // One sorted vocabulary for all workers (their maps are no longer needed).
    let (names, mut docs): (Vec<_>, Vec<_>) =
        partials.into_iter().map(|p| (p.terms.into_names(), p.docs)).unzip();
    let mut terms: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
    terms.par_sort_unstable();
    terms.dedup();
    let global: HashMap<&str, u32> =
        terms.iter().enumerate().map(|(i, t)| (*t, i as u32)).collect();

    // Re-map each worker's documents to global ids in place (ids stay
    // distinct: local ids were, and the map is one to one) and sort them
    // (the one sort a row gets: local ids do not sort like terms), then copy them
    // into the CSR arrays in document order, freeing each as it is copied:
    // at a million articles the term lists are gigabytes, and a second copy
    // of them would be too.
    let mut place = vec![(0u32, 0u32); n_docs];
    for (w, (names, docs)) in names.iter().zip(&mut docs).enumerate() {
        let to_global: Vec<u32> = names.iter().map(|n| global[n.as_str()]).collect();
        docs.par_iter_mut().for_each(|(_, local)| {
            for entry in local.iter_mut() {
                entry.0 = to_global[entry.0 as usize];
            }
            local.sort_unstable_by_key(|&(id, _)| id);
        });
        for (pos, (doc, _)) in docs.iter().enumerate() {
            place[*doc] = (w as u32, pos as u32);
        }
    }
    let nnz = docs.iter().flatten().map(|(_, row)| row.len()).sum();
    let mut indptr = Vec::with_capacity(n_docs + 1);
    let mut indices = Vec::with_capacity(nnz);
    let mut counts = Vec::with_capacity(nnz);
    indptr.push(0);
    for &(w, pos) in &place {
        let row = std::mem::take(&mut docs[w as usize][pos as usize].1);
        for (id, count) in row {
            indices.push(id);
            counts.push(count);
        }
        indptr.push(indices.len());
    }
    let terms: Vec<String> = terms.into_iter().map(str::to_owned).collect();
    // Rows are sorted and ids in range by construction; sprs checks both.
    let counts = CsMatI::new((n_docs, terms.len()), indptr, indices, counts);
    CountMatrix { terms, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_per_document_with_sorted_vocabulary() {
        let m = CountMatrix::from_terms(&[vec!["b", "a", "b"], vec![], vec!["c", "a"]]);
        assert_eq!(m.terms, ["a", "b", "c"]);
        assert_eq!(m.n_docs(), 3);
        assert_eq!(m.row(0), (&[0, 1][..], &[1, 2][..]));
        assert_eq!(m.row(1), (&[][..], &[][..]));
        assert_eq!(m.row(2), (&[0, 2][..], &[1, 1][..]));
    }

    #[test]
    fn result_does_not_depend_on_thread_count() {
        let docs: Vec<Vec<String>> = (0..500)
            .map(|i| (0..(i % 17)).map(|j| format!("t{}", (i * 7 + j * 13) % 101)).collect())
            .collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| CountMatrix::from_terms(&docs));
        let b = four.install(|| CountMatrix::from_terms(&docs));
        assert_eq!(a, b);
    }
}
