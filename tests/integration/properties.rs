//! Property tests: invariants that hold for any corpus.

use proptest::prelude::*;

use related::similar::{TopKOptions, round_score, top_k};
use related::vector::{CountMatrix, TfIdfMatrix, WeightingOptions};

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn top_k_equals_brute_force_and_keeps_invariants(docs in corpus(), k in 1usize..6) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let result = top_k(&m, &TopKOptions { k, ..TopKOptions::default() });
        let dense = brute_force(&docs);
        for (i, list) in result.iter().enumerate() {
            // What the straightforward implementation would list.
            let mut want: Vec<(u32, f64)> = (0..docs.len())
                .filter(|&j| j != i && dense[i][j] > 1e-12)
                .map(|j| (j as u32, dense[i][j]))
                .collect();
            want.sort_by(|a, b| round_score(b.1).total_cmp(&round_score(a.1)).then(a.0.cmp(&b.0)));
            want.truncate(k);
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
        prop_assert!(one.status.success());
        prop_assert_eq!(one.stdout, four.stdout);
    }
}
