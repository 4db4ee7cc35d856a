//! Analysis throughput against raw lindera, on one thread, on the texts a
//! corpus's analyze stage sees (title, tags, text, code and link words of
//! every article, with the default field weights; a field of weight 0 is
//! skipped as the stage skips it).
//!
//! Measures, interleaved over `--runs` rounds, on the same bytes:
//!
//! - `lindera`: lindera's segmentation of each field as it is (same embedded
//!   IPADIC and mode as the analyzer), touching every token's surface;
//! - `analyzer`: `related`'s analyzer (NFKC, script runs, lindera on the
//!   Japanese runs with the part-of-speech filter, the word tokenizer with
//!   stop words, compounds and stemming on the rest), calling a term
//!   callback that counts terms;
//! - `stage`: the analyze stage's own counting (`count_terms`: the analyzer,
//!   interning each term, sorting and merging each article's term ids,
//!   merging into one sorted vocabulary) on a pool of one thread;
//! - `stage-hashmap`: the same per-term work with a `HashMap<String, u32>`
//!   (SipHash, keys on the heap) instead of the stage's interner, to
//!   measure what the interner saves.
//!
//! and prints each one's best (min time) and median MB/s and the
//! `analyzer / lindera` and `stage / lindera` ratios (on medians). Time is
//! the thread's time on a CPU where Linux reports it (waiting for a core on
//! a busy machine is not counted), wall time elsewhere. The whole analyze stage of the
//! CLI on the same input is `related -v -j 1 INPUT -o /dev/null` (its
//! `analyze` line).
//!
//! ```sh
//! cargo run --release --example analyze_throughput -- ../shared/corpora/livedoor/text --runs 5
//! ```

use std::collections::HashMap;
use std::hash::RandomState;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use related::internals::{Analyzer, count_terms};
use related::{Options, ReadOptions, read_corpus};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut inputs = Vec::new();
    let mut runs = 3usize;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs N")?.parse()?,
            "--only" => {
                only = Some(args.next().ok_or("--only lindera|analyzer|stage|stage-hashmap")?)
            }
            _ => inputs.push(PathBuf::from(arg)),
        }
    }
    if inputs.is_empty() {
        return Err("usage: analyze_throughput INPUT... [--runs N] [--only NAME]".into());
    }
    let options = Options::default();
    let (corpus, _) = read_corpus(&inputs, &ReadOptions::default())?;
    let fields = options.fields;
    // Every field text the stage analyzes, grouped by article.
    let docs: Vec<Vec<(&str, u32)>> = corpus
        .docs()
        .iter()
        .map(|d| {
            let mut texts = Vec::new();
            let mut add = |t, w| {
                if w > 0 && !str::is_empty(t) {
                    texts.push((t, w));
                }
            };
            if let Some(title) = &d.title {
                add(title.as_str(), fields.title);
            }
            d.tags.iter().for_each(|t| add(t.as_str(), fields.tags));
            add(d.text.as_str(), 1);
            add(d.code.as_str(), fields.code);
            d.links.iter().for_each(|t| add(t.as_str(), fields.links));
            texts
        })
        .collect();
    let bytes: usize = docs.iter().flatten().map(|(t, _)| t.len()).sum();
    let japanese = docs
        .iter()
        .flatten()
        .flat_map(|(t, _)| t.chars())
        .filter(|&c| matches!(c as u32, 0x3041..=0x30FF | 0x4E00..=0x9FFF))
        .count();
    let chars: usize = docs.iter().flatten().map(|(t, _)| t.chars().count()).sum();
    println!(
        "{} articles, {:.1} MB of field text, {:.0} % of characters kana/kanji",
        docs.len(),
        bytes as f64 / 1e6,
        100.0 * japanese as f64 / chars.max(1) as f64
    );

    // Every pass starts from a new analyzer, as a run of `related` does:
    // the caches it fills as it goes (the part-of-speech decision and the
    // base form of each dictionary word) start empty each round (a memo
    // kept across rounds once made a change look 20 % faster than it was:
    // BENCHMARKS.md, session 10), and loading the embedded dictionary
    // (~1 ms) is timed too.
    let fresh = || {
        let analyzer = Analyzer::new(options.analyzer);
        analyzer.load_dictionary().expect("the embedded dictionary loads");
        analyzer
    };
    fresh();

    let lindera = || {
        let analyzer = fresh();
        let mut n = 0usize;
        for texts in &docs {
            for (t, _) in texts {
                analyzer
                    .segment_raw(black_box(t), &mut |s| n += s.len())
                    .expect("the embedded dictionary loads");
            }
        }
        n
    };
    let analyze = || {
        let analyzer = fresh();
        let mut n = 0usize;
        for texts in &docs {
            for (t, _) in texts {
                analyzer.for_each_term(black_box(t), &mut |s| n += s.len());
            }
        }
        n
    };
    // This thread is the pool's only worker, so its CPU time is the stage's.
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build()?;
    let stage = || {
        let analyzer = fresh();
        let counts = one_thread.install(|| {
            count_terms(docs.len(), |i, emit| {
                for &(t, w) in &docs[i] {
                    analyzer.for_each_term(black_box(t), &mut |s| emit(s, w));
                }
            })
        });
        counts.term_ids().len() + counts.terms.len()
    };
    let stage_hashmap = || stage_with_hashmap(&fresh(), &docs);

    type Bench<'a> = (&'static str, &'a dyn Fn() -> usize);
    let benches: Vec<Bench> = [
        ("lindera", &lindera as &dyn Fn() -> usize),
        ("analyzer", &analyze),
        ("stage", &stage),
        ("stage-hashmap", &stage_hashmap),
    ]
    .into_iter()
    .filter(|(name, _)| only.as_deref().is_none_or(|o| o == *name))
    .collect();
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); benches.len()];
    let mut checks: Vec<Option<usize>> = vec![None; benches.len()];
    for round in 0..runs {
        for (i, (name, bench)) in benches.iter().enumerate() {
            let (start, cpu_start) = (Instant::now(), cpu_seconds());
            let check = bench();
            let wall = start.elapsed().as_secs_f64();
            // On-CPU time when the OS tells it: on a shared machine, waiting
            // for a core is not the code's cost.
            let secs = cpu_seconds().map_or(wall, |end| end - cpu_start.unwrap_or(0.0));
            // Each pass must do the same work every round.
            assert!(checks[i].is_none_or(|c| c == check), "{name}: result changed");
            checks[i] = Some(check);
            let rate = bytes as f64 / 1e6 / secs;
            rates[i].push(rate);
            eprintln!(
                "round {round}: {name:8} {secs:7.3} s on CPU ({wall:.3} s wall) {rate:6.2} MB/s"
            );
        }
    }
    let mut medians = Vec::new();
    for ((name, _), r) in benches.iter().zip(&mut rates) {
        r.sort_by(f64::total_cmp);
        let median = r[r.len() / 2];
        medians.push((*name, median));
        println!(
            "{name:8} best {:6.2} MB/s  median {median:6.2} MB/s  worst {:6.2} MB/s",
            r[r.len() - 1],
            r[0]
        );
    }
    if let Some(&(_, floor)) = medians.iter().find(|(n, _)| *n == "lindera") {
        for (name, m) in medians.iter().filter(|(n, _)| *n != "lindera") {
            println!("{name} / lindera (medians): {:.1} %", 100.0 * m / floor);
        }
    }
    Ok(())
}

/// This thread's time on a CPU so far (Linux: `/proc/thread-self/schedstat`).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    (ns > 0).then_some(ns as f64 / 1e9)
}

/// What `count_terms` does per term on one worker (src/vector/vocab.rs),
/// with a standard `HashMap<String, u32>` as the interner: intern each
/// term, then sort and merge each article's (id, weight) pairs.
fn stage_with_hashmap(analyzer: &Analyzer, docs: &[Vec<(&str, u32)>]) -> usize {
    let mut ids: HashMap<String, u32, RandomState> = HashMap::default();
    let mut rows = 0usize;
    for texts in docs {
        let mut row: Vec<(u32, u32)> = Vec::new();
        for &(t, w) in texts {
            analyzer.for_each_term(black_box(t), &mut |s| {
                let next = ids.len() as u32;
                let id = match ids.get(s) {
                    Some(&id) => id,
                    None => *ids.entry(s.to_owned()).or_insert(next),
                };
                row.push((id, w));
            });
        }
        row.sort_unstable_by_key(|&(id, _)| id);
        row.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += next.1;
            }
            same
        });
        rows += row.len();
    }
    rows + ids.len()
}
