//! Past one machine (issue 13): `--shard I/N` runs joined by `related
//! merge` give the bytes of one run, in every format and mode; shards of
//! `--output-dir`; refusals; and the `--format vectors` schema.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::util::*;

/// 27 Japanese news articles: a folder, so `--output-dir` works too.
fn corpus() -> PathBuf {
    fixture("livedoor-sample")
}

/// Runs `related` with `args`, asserting success; returns stdout.
#[track_caller]
fn run(args: &[&str]) -> Vec<u8> {
    let out = related().args(args).output().expect("run related");
    assert_success(&out);
    out.stdout
}

/// One run's `-o` bytes, and the bytes of `n` shard runs merged (the
/// shards given to `merge` in reverse order, to show order does not matter).
fn one_run_and_merged(flags: &[&str], n: usize) -> (Vec<u8>, Vec<u8>) {
    let t = TestDir::new();
    let input = corpus();
    let input = input.to_str().unwrap();
    let full = t.path().join("full.json");
    let mut args = vec![input, "-o", full.to_str().unwrap()];
    args.extend(flags);
    run(&args);
    let mut shards = Vec::new();
    for i in 1..=n {
        let out = t.path().join(format!("shard-{i}.json"));
        let shard = format!("{i}/{n}");
        let mut args = vec![input, "--shard", &shard, "-o", out.to_str().unwrap()];
        args.extend(flags);
        run(&args);
        shards.push(out);
    }
    let merged = t.path().join("merged.json");
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(shards.iter().rev().map(|p| p.to_str().unwrap()));
    args.extend(["-o", merged.to_str().unwrap()]);
    run(&args);
    // stdout holds the same bytes (-o is not special for the merge).
    args.truncate(args.len() - 2);
    assert_eq!(run(&args), std::fs::read(&merged).unwrap(), "{flags:?}: merge to stdout");
    (std::fs::read(full).unwrap(), std::fs::read(merged).unwrap())
}

#[track_caller]
fn assert_same_bytes(flags: &[&str], n: usize) {
    let (one, merged) = one_run_and_merged(flags, n);
    assert!(
        one == merged,
        "{flags:?}, {n} shards: merged output differs from one run\none:\n{}\nmerged:\n{}",
        String::from_utf8_lossy(&one),
        String::from_utf8_lossy(&merged)
    );
}

#[test]
fn shards_merge_to_the_bytes_of_one_run_json_and_pretty() {
    for n in 1..=3 {
        assert_same_bytes(&[], n); // LSI blended, the default
        assert_same_bytes(&["--pretty"], n);
    }
}

#[test]
fn shards_merge_to_the_bytes_of_one_run_similar_documents_and_approximate() {
    for n in 1..=3 {
        // No final newline with -o, as the Python tool writes it.
        assert_same_bytes(&["--format", "similar-documents", "-k", "3"], n);
        assert_same_bytes(&["--lsi-dims", "0", "--max-terms-per-doc", "5"], n);
    }
}

#[test]
fn shards_merge_to_the_bytes_of_one_run_with_every_list_option() {
    // Exact TF-IDF walk with pruning, explanations, filled lists, a pair
    // filter, a score floor; JSON Lines; more shards than one article each.
    let all = ["--lsi-dims", "0", "--explain", "--fill", "recent", "-k", "8", "--exclude-newer"];
    assert_same_bytes(&all, 3);
    assert_same_bytes(&["--explain", "--min-score", "0.05", "--lsi-blend", "0.7"], 2);
    assert_same_bytes(&["--format", "jsonl"], 3);
    assert_same_bytes(&["--format", "jsonl"], 40);
}

#[test]
fn split_lang_shards_merge_into_one_object_per_language() {
    let t = TestDir::new();
    let words = ["coffee kettle filter", "tea leaves kettle", "coffee beans grind", "bread oven"];
    for (n, body) in words.iter().enumerate() {
        t.write(&format!("content/en/p{n}.md"), format!("---\ntitle: P{n}\n---\n{body} {body}\n"));
        t.write(&format!("content/ja/p{n}.md"), format!("---\ntitle: J{n}\n---\n{body} 珈琲\n"));
    }
    for pretty in [false, true] {
        let mut flags =
            vec!["content", "--lang-dir", "en=content/en", "--lang-dir", "ja=content/ja"];
        if pretty {
            flags.push("--pretty");
        }
        let one = t.cmd().args(&flags).output().unwrap();
        assert_success(&one);
        let mut shards = Vec::new();
        for i in 1..=3 {
            let path = t.path().join(format!("s{i}.json"));
            let shard = format!("{i}/3");
            let out = t.cmd().args(&flags).args(["--shard", &shard, "-o"]).arg(&path).output();
            assert_success(&out.unwrap());
            shards.push(path);
        }
        let merged = t.cmd().arg("merge").args(&shards).output().unwrap();
        assert_success(&merged);
        assert_eq!(
            String::from_utf8_lossy(&merged.stdout),
            String::from_utf8_lossy(&one.stdout),
            "pretty: {pretty}"
        );
    }
}

/// Every file under `dir` (relative path → bytes), hidden ones included.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn copy_into(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
}

#[test]
fn output_dir_shards_copied_together_and_merged_are_one_runs_folder() {
    let t = TestDir::new();
    let input = corpus();
    let one = t.path().join("one");
    related().arg(&input).arg("--output-dir").arg(&one).assert().success();
    let mut shard_dirs = Vec::new();
    for i in 1..=3 {
        let dir = t.path().join(format!("shard-{i}"));
        let shard = format!("{i}/3");
        related()
            .arg(&input)
            .args(["--shard", &shard, "--output-dir"])
            .arg(&dir)
            .assert()
            .success();
        // Its own slice's files, and its own list of them.
        let files = tree(&dir);
        assert!(files.iter().any(|(f, _)| *f == format!(".related-files-{i}-of-3")), "{files:?}");
        assert!(!files.iter().any(|(f, _)| f == ".related-files"));
        assert!((9..=10).contains(&files.len()), "9 articles and a list: {}", files.len());
        shard_dirs.push(dir);
    }
    // The site's folder, as the previous run left it: one article since
    // deleted (its file must go), and a file of the user's (it must stay).
    let site = t.path().join("site");
    copy_into(&one, &site);
    std::fs::write(site.join("gone.txt.json"), "[]\n").unwrap();
    let list = std::fs::read_to_string(site.join(".related-files")).unwrap();
    std::fs::write(site.join(".related-files"), format!("gone.txt.json\n{list}")).unwrap();
    std::fs::write(site.join("mine.json"), "user file").unwrap();

    // Two of three shards: refused, the folder untouched.
    copy_into(&shard_dirs[0], &site);
    copy_into(&shard_dirs[2], &site);
    related()
        .args(["merge", "--output-dir"])
        .arg(&site)
        .assert()
        .failure()
        .stderr(predicate::str::contains("shard(s) 2/3 are missing"));
    assert!(site.join("gone.txt.json").exists());

    copy_into(&shard_dirs[1], &site);
    related().args(["merge", "--output-dir"]).arg(&site).assert().success();
    std::fs::remove_file(site.join("mine.json")).unwrap();
    assert_eq!(tree(&site), tree(&one), "the folder one run writes");
}

#[test]
fn output_dir_shards_in_one_folder_one_after_the_other() {
    let t = TestDir::new();
    let input = corpus();
    let one = t.path().join("one");
    let shared = t.path().join("shared");
    related().arg(&input).arg("--output-dir").arg(&one).assert().success();
    for i in [2, 1] {
        let shard = format!("{i}/2");
        let args = ["--shard", &shard, "--output-dir"];
        related().arg(&input).args(args).arg(&shared).assert().success();
        // A second time: nothing changes, and no shard removes another's files.
        related().arg(&input).args(args).arg(&shared).assert().success();
        related().arg(&input).args(args).arg(&shared).arg("--check").assert().success();
    }
    related().args(["merge", "--output-dir"]).arg(&shared).assert().success();
    assert_eq!(tree(&shared), tree(&one));
}

#[test]
fn bad_shard_values_are_usage_errors() {
    let input = corpus();
    for (value, says) in [
        ("0/3", "numbered from 1: 1/3 to 3/3"),
        ("4/3", "only 3 slices: 1/3 to 3/3"),
        ("x", "is not I/N"),
        ("1/0", "must be 1 or more"),
        ("2/", "is not I/N"),
    ] {
        related()
            .arg(&input)
            .args(["--shard", value])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says).and(predicate::str::contains("--shard")));
    }
    // In related.toml too, naming the file and the key.
    let t = TestDir::new();
    t.write("a.md", "rust cli tools");
    t.write("b.md", "rust cli crates");
    t.write("related.toml", "inputs = [\".\"]\nshard = \"5/3\"\n");
    t.cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("related.toml").and(predicate::str::contains("`shard`")));
    t.write("related.toml", "inputs = [\".\"]\nshard = \"2/2\"\n");
    let out: Value = serde_json::from_slice(&t.cmd().output().unwrap().stdout).unwrap();
    assert_eq!(out.as_object().unwrap().keys().collect::<Vec<_>>(), ["b.md"]);
}

#[test]
fn merge_refuses_what_is_not_one_runs_shards_naming_the_file() {
    let t = TestDir::new();
    let input = corpus();
    let shard = |i: usize, n: usize, extra: &[&str]| {
        let path = t.path().join(format!("s{i}of{n}{}.json", extra.join("")));
        let s = format!("{i}/{n}");
        related().arg(&input).args(["--shard", &s, "-o"]).arg(&path).args(extra).assert().success();
        path
    };
    let (a, b) = (shard(1, 2, &[]), shard(2, 2, &[]));
    let merge = |files: &[&PathBuf]| {
        let mut c = related();
        c.arg("merge").args(files);
        c.assert().failure()
    };
    // The same shard twice: an article in two shards.
    merge(&[&a, &b, &a]).stderr(
        predicate::str::contains("s1of2.json")
            .and(predicate::str::contains("twice in").or(predicate::str::contains("is in"))),
    );
    // A missing shard: lists name articles no shard has.
    merge(&[&a]).stderr(predicate::str::contains("s1of2.json").and(predicate::str::contains(
        "a shard is missing, or the shards come from different runs",
    )));
    // Not JSON, and not an object.
    let bad = t.write("bad.json", "{\"a.md\": [");
    merge(&[&a, &bad]).stderr(predicate::str::contains("bad.json: not the output"));
    let array = t.write("array.json", "[1, 2]\n");
    merge(&[&array, &b]).stderr(predicate::str::contains("array.json: not the output"));
    // Shards of different commands.
    let pretty = shard(2, 2, &["--pretty"]);
    merge(&[&a, &pretty]).stderr(
        predicate::str::contains("s2of2--pretty.json")
            .and(predicate::str::contains("--pretty JSON")),
    );
    // Nothing to merge.
    related().arg("merge").assert().code(2).stderr(predicate::str::contains("--output-dir"));
}

/// A `terms` object with its keys in the order written.
struct Terms(Vec<(String, f64)>);

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Terms;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of weights")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<Terms, M::Error> {
                let mut out = Vec::new();
                while let Some(pair) = m.next_entry()? {
                    out.push(pair);
                }
                Ok(Terms(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorLine {
    key: String,
    terms: Terms,
    vector: Option<Vec<f64>>,
}

fn norm(xs: impl Iterator<Item = f64>) -> f64 {
    xs.map(|x| x * x).sum::<f64>().sqrt()
}

#[test]
fn vectors_are_json_lines_of_normalized_weights() {
    let input = corpus();
    let keys: BTreeSet<String> = serde_json::from_slice::<Value>(&run(&[input.to_str().unwrap()]))
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for (flags, lsi) in [(&[][..], true), (&["--lsi-dims", "0"][..], false)] {
        let mut args = vec![input.to_str().unwrap(), "--format", "vectors"];
        args.extend(flags);
        let text = String::from_utf8(run(&args)).unwrap();
        let mut seen = BTreeSet::new();
        for line in text.lines() {
            let v: VectorLine =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert!(seen.insert(v.key.clone()), "{} twice", v.key);
            let terms = &v.terms.0;
            assert!(!terms.is_empty(), "{} has no terms", v.key);
            assert!(terms.windows(2).all(|w| w[0].0 < w[1].0), "{}: terms not sorted", v.key);
            for (t, w) in terms {
                assert!(w.is_finite() && *w > 0.0 && *w <= 1.0, "{}: {t} {w}", v.key);
            }
            let n = norm(terms.iter().map(|(_, w)| *w));
            assert!((n - 1.0).abs() < 1e-4, "{}: L2 norm {n}", v.key);
            match (&v.vector, lsi) {
                (Some(x), true) => {
                    assert!(!x.is_empty() && x.iter().all(|c| c.is_finite()));
                    assert!((norm(x.iter().copied()) - 1.0).abs() < 1e-4, "{}", v.key);
                }
                (None, false) => {}
                (x, _) => panic!("{}: vector {x:?} with LSI {lsi}", v.key),
            }
        }
        assert_eq!(seen, keys, "one line per article");
    }
}

#[test]
fn vectors_skip_the_similarity_stage_and_shard_like_lists() {
    let input = corpus();
    let out = related().arg(&input).args(["--format", "vectors", "-v"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped (--format vectors)"), "{stderr}");
    assert_same_bytes(&["--format", "vectors"], 3);
    related()
        .arg(&input)
        .args(["--format", "vectors", "--output-dir", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format vectors"));
}
