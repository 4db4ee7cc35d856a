//! Per-stage benchmarks: analysis (Japanese, English, mixed), TF-IDF
//! building, and top-k similarity. Each asserts a known count inside the loop
//! so a benchmark that silently stops doing the work fails instead.
//!
//! Run: `cargo bench --bench pipeline`. End-to-end timings on real corpora:
//! `benches/compare.sh` and BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use related::internals::Analyzer;
use related::internals::{CountMatrix, TfIdfMatrix, WeightingOptions};
use related::internals::{TopKOptions, top_k};
use related::{ReadOptions, read_corpus};

/// Texts of the fixture articles: 27 Japanese news articles, and the 59 items
/// of an English-with-Japanese blog feed.
fn texts(input: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(input);
    let (corpus, _) = read_corpus(&[root], &ReadOptions::default()).expect("fixtures are readable");
    corpus.docs().iter().map(|d| d.text.clone()).collect()
}

fn ascii_only(texts: &[String]) -> Vec<String> {
    texts.iter().map(|t| t.chars().filter(char::is_ascii).collect()).collect()
}

fn bench_analyze(c: &mut Criterion) {
    let analyzer = Analyzer::default();
    analyzer.load_dictionary().expect("dictionary");
    let japanese = texts("livedoor-sample");
    let mixed = texts("hotchpotch-dev-feed.xml");
    let english = ascii_only(&mixed);
    let mut group = c.benchmark_group("analyze");
    for (name, docs) in [("japanese", &japanese), ("english", &english), ("mixed", &mixed)] {
        let bytes: usize = docs.iter().map(String::len).sum();
        let expected: usize = docs.iter().map(|d| analyzer.terms(d).len()).sum();
        assert!(expected > 1000, "{name}: fixture too small ({expected} terms)");
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0;
                for d in docs {
                    analyzer.for_each_term(black_box(d), &mut |_| n += 1);
                }
                assert_eq!(n, expected);
            })
        });
    }
    group.finish();
}

/// A synthetic corpus: `n` documents of 150 terms drawn from a Zipf-like
/// vocabulary of 20,000 terms (deterministic).
fn synthetic(n: usize) -> Vec<Vec<String>> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            (0..150)
                .map(|_| {
                    // Inverse-CDF of a 1/r distribution: r = V^u.
                    let u = (next() % 1_000_000) as f64 / 1e6;
                    format!("t{}", (20_000f64.powf(u)) as u32)
                })
                .collect()
        })
        .collect()
}

fn bench_vectors(c: &mut Criterion) {
    let docs = synthetic(5_000);
    let counts = CountMatrix::from_terms(&docs);
    let n_terms = counts.terms.len();
    let mut group = c.benchmark_group("vector");
    group.sample_size(20);
    group.bench_function("count_terms_5k", |b| {
        b.iter(|| assert_eq!(CountMatrix::from_terms(black_box(&docs)).terms.len(), n_terms))
    });
    group.bench_function("tfidf_fit_5k", |b| {
        b.iter(|| {
            let m = TfIdfMatrix::fit(black_box(&counts), &WeightingOptions::default());
            assert_eq!(m.n_docs(), 5_000);
        })
    });
    let m = TfIdfMatrix::fit(&counts, &WeightingOptions::default());
    group.bench_function("top_k_5k", |b| {
        b.iter(|| {
            let r = top_k(black_box(&m), &TopKOptions { k: 5, ..TopKOptions::default() });
            assert!(r.iter().all(|l| l.len() == 5));
        })
    });
    group.finish();
}

criterion_group!(benches, bench_analyze, bench_vectors);
criterion_main!(benches);
