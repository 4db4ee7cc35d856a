//! Golden parity with scikit-learn.
//!
//! `fixtures/golden.terms.json` holds the terms `related` extracts from
//! `fixtures/golden/` (examples/dump_terms.rs); `fixtures/golden.expected.json`
//! holds the cosine scores that scikit-learn's
//! `TfidfVectorizer(sublinear_tf=True)` and `cosine_similarity` compute from
//! those terms, and `golden.expected-raw.json` those of plain
//! `TfidfVectorizer()` (scripts/golden.py). The real binary's TF-IDF cosine (`--lsi-dims 0`:
//! the LSI blend is not scikit-learn's) must reproduce every score within 1e-9, in the same
//! order: with the default weighting, and with `--tf raw`.

use std::collections::BTreeMap;

use crate::util::*;

type Expected = BTreeMap<String, Vec<(String, f64)>>;

fn load<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn analyzer_still_produces_the_golden_terms() {
    // If this fails, the analyzer changed: regenerate both golden files (see
    // scripts/golden.py) and review the diff.
    let expected: BTreeMap<String, Vec<String>> = load("golden.terms.json");
    let analyzer = related::internals::Analyzer::default();
    let options = related::Options::default();
    let (corpus, warnings) =
        related::read_corpus(&[fixture("golden")], &related::ReadOptions::default()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut actual = BTreeMap::new();
    for doc in corpus.docs() {
        let mut terms = Vec::new();
        related::internals::document_terms(doc, &analyzer, &options.fields, &mut |t, w| {
            terms.extend(std::iter::repeat_n(t.to_owned(), w as usize))
        });
        actual.insert(doc.key.clone(), terms);
    }
    assert_eq!(actual, expected);
}

#[test]
fn default_scores_match_scikit_learn_sublinear_tf_within_1e9() {
    compare(load("golden.expected.json"), &[]);
}

#[test]
fn raw_tf_scores_match_scikit_learn_defaults_within_1e9() {
    compare(load("golden.expected-raw.json"), &["--tf", "raw"]);
}

#[track_caller]
fn compare(expected: Expected, flags: &[&str]) {
    let out = related()
        .args(["fixtures/golden", "-k", "100", "--format", "similar-documents", "--lsi-dims", "0"])
        .args(flags)
        .output()
        .unwrap();
    assert_success(&out);
    let actual: Expected = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(actual.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
    let mut compared = 0;
    for (key, want) in &expected {
        let got = &actual[key];
        let got_keys: Vec<&String> = got.iter().map(|(k, _)| k).collect();
        let want_keys: Vec<&String> = want.iter().map(|(k, _)| k).collect();
        assert_eq!(got_keys, want_keys, "{key}: neighbour order differs from scikit-learn");
        for ((other, g), (_, w)) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{key} → {other}: related {g} vs scikit-learn {w}");
            compared += 1;
        }
    }
    assert!(compared > 20, "the golden fixture should exercise many pairs, got {compared}");
}
