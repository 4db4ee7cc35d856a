//! LSI blended into the score: exact top-k against brute force, symmetry,
//! determinism across thread counts and input orders, the flags.

use proptest::prelude::*;

use related::internals::{CountMatrix, Lsi, LsiOptions, TfIdfMatrix, WeightingOptions};
use related::internals::{Related, TopKOptions, blend, round_score, top_k};

use crate::util::*;

/// 2–60 documents of 0–25 words from a Zipf-like vocabulary of ~60 words.
fn corpus() -> impl Strategy<Value = Vec<Vec<String>>> {
    let word = (0u32..600).prop_map(|r| format!("w{}", 600 / (r + 10)));
    prop::collection::vec(prop::collection::vec(word, 0..25), 2..60)
}

/// The TF-IDF cosine of rows `i` and `j`, summed over shared terms in
/// ascending term id.
fn tfidf_cosine(m: &TfIdfMatrix, i: usize, j: usize) -> f64 {
    let (tj, wj) = m.row(j);
    let (ti, wi) = m.row(i);
    tj.iter().zip(wj).fold(0.0, |s, (t, w)| match ti.binary_search(t) {
        Ok(p) => s + wi[p] * w,
        Err(_) => s + 0.0,
    })
}

/// Every pair scored, the `k` best allowed others with a printed score above
/// 0 and at least `min_score`, by printed score then id.
fn brute_force(
    m: &TfIdfMatrix,
    lsi: &Lsi,
    alpha: f64,
    k: usize,
    min_score: f64,
    allow: &dyn Fn(u32, u32) -> bool,
) -> Vec<Vec<Related>> {
    let n = m.n_docs();
    (0..n)
        .map(|i| {
            let mut all: Vec<Related> = (0..n)
                .filter(|&j| j != i && allow(i as u32, j as u32))
                .map(|j| Related {
                    doc: j as u32,
                    score: blend(alpha, tfidf_cosine(m, i, j), lsi.cosine(i, j)),
                })
                .filter(|r| round_score(r.score) > 0.0 && r.score >= min_score)
                .collect();
            all.sort_by(|a, b| {
                round_score(b.score).total_cmp(&round_score(a.score)).then(a.doc.cmp(&b.doc))
            });
            all.truncate(k);
            all
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn blended_top_k_equals_brute_force(
        docs in corpus(),
        k in 1usize..7,
        dims in 1usize..12,
        alpha in prop::sample::select(vec![0.0, 0.3, 0.5, 0.7, 1.0]),
        min_score in prop::sample::select(vec![0.0, 0.0, 0.2]),
        filtered in any::<bool>(),
    ) {
        let m = TfIdfMatrix::fit(&CountMatrix::from_terms(&docs), &WeightingOptions::default());
        let lsi = Lsi::fit(&m, &LsiOptions { dims, ..LsiOptions::default() });
        let every_third = |_: u32, j: u32| !j.is_multiple_of(3);
        let allow: Option<&(dyn Fn(u32, u32) -> bool + Sync)> =
            if filtered { Some(&every_third) } else { None };
        let opts = TopKOptions { k, min_score, allow, lsi: Some(&lsi), blend: alpha, ..TopKOptions::default() };
        let got = top_k(&m, &opts);
        let want = brute_force(&m, &lsi, alpha, k, min_score, &|i, j| allow.is_none_or(|a| a(i, j)));
        prop_assert_eq!(&got, &want);
        for (i, list) in got.iter().enumerate() {
            for r in list {
                prop_assert!(r.doc as usize != i, "self listed");
                prop_assert!(r.score > 0.0 && r.score <= 1.0);
                if let Some(back) = got[r.doc as usize].iter().find(|b| b.doc as usize == i) {
                    prop_assert_eq!(back.score.to_bits(), r.score.to_bits(), "asymmetric {} {}", i, r.doc);
                }
            }
        }
    }
}

/// Short texts over a handful of topics, so LSI has structure to find.
fn site() -> impl Strategy<Value = Vec<String>> {
    const TOPICS: &[&[&str]] = &[
        &["rust", "cargo", "crate", "borrow", "trait"],
        &["bread", "flour", "yeast", "oven", "dough"],
        &["git", "rebase", "commit", "branch", "merge"],
    ];
    let doc = (0usize..3, prop::collection::vec(0usize..5, 1..8))
        .prop_map(|(t, ws)| ws.iter().map(|&w| TOPICS[t][w]).collect::<Vec<_>>().join(" "));
    prop::collection::vec(doc, 2..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// The binary's output, byte for byte, for 1, 2 and 4 threads and for
    /// files given in directory order or reversed on the command line.
    #[test]
    fn blended_output_is_identical_for_any_threads_and_input_order(docs in site()) {
        let t = TestDir::new();
        let mut names = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let name = format!("d{i:02}.txt");
            t.write(&name, d);
            names.push(name);
        }
        let run = |threads: &str, inputs: &[String]| {
            let out = t
                .cmd()
                .args(["-k", "3", "--lsi-dims", "4", "--lsi-blend", "0.3", "--threads", threads])
                .args(inputs)
                .output()
                .unwrap();
            assert_success(&out);
            out.stdout
        };
        let base = run("1", &[".".to_string()]);
        prop_assert_eq!(&run("2", &[".".to_string()]), &base);
        prop_assert_eq!(&run("4", &[".".to_string()]), &base);
        names.reverse();
        let listed = run("4", &names);
        let keys = |bytes: &[u8]| -> Vec<(String, serde_json::Value)> {
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            v.as_object().unwrap().iter().map(|(k, v)| (k.trim_start_matches("./").to_string(), v.clone())).collect()
        };
        prop_assert_eq!(keys(&listed).len(), keys(&base).len());
        prop_assert_eq!(listed, run("1", &names));
    }
}

#[test]
fn lsi_flags_are_validated_and_reported() {
    let t = TestDir::new();
    t.write("a.txt", "rust cargo crate");
    t.write("b.txt", "rust borrow trait");
    t.write("c.txt", "bread flour oven");
    let out = t.cmd().args([".", "--lsi-blend", "1.5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lsi-blend 1.5 is outside 0..=1"));
    let out = t.cmd().args([".", "--lsi-dims", "2", "-v", "--explain"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lsi") && stderr.contains("2 dimensions of 3 articles"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json["a.txt"][0];
    assert_eq!(first["key"], "b.txt");
    assert_eq!(first["terms"], serde_json::json!(["rust"]), "--explain lists shared TF-IDF terms");
}
