//! Property tests: invariants that hold for any corpus.

use proptest::prelude::*;

use related::internals::{CountMatrix, TfIdfMatrix, WeightingOptions};
use related::internals::{TopKOptions, round_score, top_k};

use crate::util::*;

const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa",
];

/// Corpora of 1–14 documents of 0–12 words from a small vocabulary, so that
/// documents overlap a lot (ties, duplicates, empty documents included).
fn corpus() -> impl Strategy<Value = Vec<Vec<&'static str>>> {
    prop::collection::vec(prop::collection::vec(prop::sample::select(WORDS), 0..12), 1..14)
}

/// The straightforward implementation: dense sublinear TF-IDF vectors, every pair.
fn brute_force(docs: &[Vec<&str>]) -> Vec<Vec<f64>> {
    let n = docs.len();
    let df = |w: &str| docs.iter().filter(|d| d.contains(&w)).count() as f64;
    let vecs: Vec<Vec<f64>> = docs
        .iter()
        .map(|d| {
            let v: Vec<f64> = WORDS
                .iter()
                .map(|w| {
                    let tf = d.iter().filter(|x| *x == w).count() as f64;
                    if tf == 0.0 {
                        0.0
                    } else {
                        (1.0 + tf.ln()) * (((1 + n) as f64 / (1.0 + df(w))).ln() + 1.0)
                    }
                })
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.iter().map(|x| if norm > 0.0 { x / norm } else { 0.0 }).collect()
        })
        .collect();
    (0..n)
        .map(|i| (0..n).map(|j| vecs[i].iter().zip(&vecs[j]).map(|(a, b)| a * b).sum()).collect())
        .collect()
}

/// What the straightforward implementation lists for document `i`: the `k`
/// best allowed others with a non-zero score, by printed score then id.
fn expected_top_k(
    dense: &[Vec<f64>],
    i: usize,
    k: usize,
    allow: impl Fn(usize) -> bool,
) -> Vec<(u32, f64)> {
    let mut want: Vec<(u32, f64)> = (0..dense.len())
        .filter(|&j| j != i && dense[i][j] > 1e-12 && allow(j))
        .map(|j| (j as u32, dense[i][j]))
        .collect();
    want.sort_by(|a, b| round_score(b.1).total_cmp(&round_score(a.1)).then(a.0.cmp(&b.0)));
    want.truncate(k);
    want
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn top_k_equals_brute_force_and_keeps_invariants(docs in corpus(), k in 1usize..6) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let result = top_k(&m, &TopKOptions { k, ..TopKOptions::default() });
        let dense = brute_force(&docs);
        for (i, list) in result.iter().enumerate() {
            let want = expected_top_k(&dense, i, k, |_| true);
            prop_assert_eq!(list.len(), want.len(), "doc {}: {:?} vs {:?}", i, list, want);
            for (got, (j, s)) in list.iter().zip(&want) {
                prop_assert!(got.doc as usize != i, "self listed");
                prop_assert!(got.score > 0.0 && got.score <= 1.0);
                prop_assert!((got.score - s).abs() < 1e-9);
                // Equal printed scores may come in either order only if keys tie-break.
                prop_assert!(got.doc == *j || round_score(got.score) == round_score(*s));
            }
            // Symmetry: if i lists j, j's score for i is the same, bit for bit.
            for got in list {
                if let Some(back) = result[got.doc as usize].iter().find(|r| r.doc as usize == i) {
                    prop_assert_eq!(back.score.to_bits(), got.score.to_bits());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// `--exclude-newer`-like asymmetric filters: the walk (pruned or not)
    /// lists exactly the filtered brute force's top k.
    #[test]
    fn pair_filters_equal_filtered_brute_force(
        docs in corpus(),
        k in 1usize..6,
        dates in prop::collection::vec(0u8..4, 14),
    ) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let allow = |i: u32, j: u32| dates[j as usize] <= dates[i as usize];
        let dense = brute_force(&docs);
        for prune in [None, Some(1)] {
            let opts = TopKOptions { k, allow: Some(&allow), prune_min_df: prune, ..TopKOptions::default() };
            for (i, list) in top_k(&m, &opts).iter().enumerate() {
                let want = expected_top_k(&dense, i, k, |j| allow(i as u32, j as u32));
                prop_assert_eq!(list.len(), want.len(), "doc {}: {:?} vs {:?}", i, list, want);
                for (got, (j, s)) in list.iter().zip(&want) {
                    prop_assert!(allow(i as u32, got.doc), "doc {} lists filtered {}", i, got.doc);
                    prop_assert!((got.score - s).abs() < 1e-9);
                    prop_assert!(got.doc == *j || round_score(got.score) == round_score(*s));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn binary_output_is_identical_for_1_and_4_threads(docs in corpus()) {
        let t = TestDir::new();
        for (i, d) in docs.iter().enumerate() {
            t.write(&format!("d{i:02}.txt"), d.join(" "));
        }
        let run = |threads: &str| t.cmd().args([".", "-k", "3", "--threads", threads]).output().unwrap();
        let one = run("1");
        let four = run("4");
        // A corpus of only empty articles is a fatal "no text" error (exit 1),
        // for any thread count; anything else succeeds.
        let expected = if docs.iter().all(Vec::is_empty) { Some(1) } else { Some(0) };
        prop_assert_eq!(one.status.code(), expected);
        prop_assert_eq!(four.status.code(), expected);
        prop_assert_eq!(one.stdout, four.stdout);
    }
}

/// Larger corpora with a skewed vocabulary (a few very common words, many
/// rare ones), where early termination actually triggers.
fn skewed_corpus() -> impl Strategy<Value = Vec<Vec<String>>> {
    let word = (0u32..1000).prop_map(|r| {
        // r in 0..1000 → word rank ~ Zipf: rank = 1000 / (r + 1)
        format!("w{}", 1000 / (r + 1))
    });
    prop::collection::vec(prop::collection::vec(word, 0..40), 2..120)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn early_termination_never_changes_the_result(docs in skewed_corpus(), k in 1usize..8) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let plain = top_k(&m, &TopKOptions { k, prune_min_df: None, ..TopKOptions::default() });
        for min_df in [1, 2, 4, 32] {
            let pruned = top_k(&m, &TopKOptions { k, prune_min_df: Some(min_df), ..TopKOptions::default() });
            prop_assert_eq!(pruned.len(), plain.len());
            for (a, b) in pruned.iter().zip(&plain) {
                prop_assert_eq!(a.len(), b.len());
                for (x, y) in a.iter().zip(b) {
                    prop_assert_eq!(x.doc, y.doc);
                    prop_assert_eq!(x.score.to_bits(), y.score.to_bits());
                }
            }
        }
        // With a filter too: drafts-like exclusion of every third document.
        let allow = |_: u32, j: u32| !j.is_multiple_of(3);
        let plain = top_k(&m, &TopKOptions { k, allow: Some(&allow), prune_min_df: None, ..TopKOptions::default() });
        let pruned = top_k(&m, &TopKOptions { k, allow: Some(&allow), prune_min_df: Some(1), ..TopKOptions::default() });
        prop_assert_eq!(pruned, plain);
    }

    #[test]
    fn approximate_mode_lists_exact_scores_of_true_neighbours(docs in skewed_corpus(), n in 1usize..6) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let exact = top_k(&m, &TopKOptions { k: 50, ..TopKOptions::default() });
        let approx = top_k(&m, &TopKOptions { k: 3, max_terms: Some(n), ..TopKOptions::default() });
        for (i, list) in approx.iter().enumerate() {
            for r in list {
                // Every listed score is the exact cosine, bit for bit.
                let e = exact[i].iter().find(|x| x.doc == r.doc);
                if let Some(e) = e {
                    prop_assert_eq!(e.score.to_bits(), r.score.to_bits());
                }
                prop_assert!(r.doc as usize != i && r.score > 0.0 && r.score <= 1.0);
            }
        }
    }

    /// Walking only each term's heaviest postings: scores stay exact, the
    /// result does not depend on the thread count, and a cap no list
    /// reaches changes nothing.
    #[test]
    fn capped_postings_list_exact_scores_whatever_the_threads(
        docs in skewed_corpus(),
        n in 1usize..6,
        cap in 1usize..6,
    ) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let exact = top_k(&m, &TopKOptions { k: 200, ..TopKOptions::default() });
        let opts = TopKOptions { k: 3, max_terms: Some(n), max_postings: cap, ..TopKOptions::default() };
        let in_pool = |threads: usize| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| top_k(&m, &opts))
        };
        let capped = in_pool(1);
        prop_assert_eq!(&capped, &in_pool(3));
        for (i, list) in capped.iter().enumerate() {
            for r in list {
                prop_assert!(r.doc as usize != i && r.score > 0.0 && r.score <= 1.0);
                let e = exact[i].iter().find(|x| x.doc == r.doc);
                prop_assert!(e.is_some_and(|e| e.score.to_bits() == r.score.to_bits()));
            }
        }
        let uncapped = top_k(&m, &TopKOptions { max_postings: usize::MAX, ..opts });
        let roomy = top_k(&m, &TopKOptions { max_postings: docs.len(), ..opts });
        prop_assert_eq!(roomy, uncapped);
    }
}
