//! Output formats and determinism.

use crate::util::*;

#[test]
fn default_json_has_sorted_keys_rounded_scores_and_titles() {
    let out = related().arg("fixtures/golden").output().unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("}\n") && !text.contains("\n{"), "compact, one line");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // serde_json's map is sorted anyway: check the raw text order too.
    let positions: Vec<usize> =
        keys.iter().map(|k| text.find(&format!("\"{k}\":[")).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "keys not written in sorted order");
    for (key, list) in json.as_object().unwrap() {
        let list = list.as_array().unwrap();
        let mut last = f64::INFINITY;
        for e in list {
            assert_ne!(e["key"], key.as_str(), "self listed");
            let s = e["score"].as_f64().unwrap();
            assert!(s > 0.0 && s <= 1.0 && s <= last, "{key}: {list:?}");
            assert_eq!(s, (s * 1e6).round() / 1e6, "score not rounded to 6 decimals");
            assert!(e["title"].is_string());
            last = s;
        }
    }
}

#[test]
fn pretty_and_jsonl_carry_the_same_data() {
    let compact = run_json(related().arg("fixtures/golden"));
    let pretty = run_json(related().args(["fixtures/golden", "--pretty"]));
    assert_eq!(compact, pretty);
    let out = related().args(["fixtures/golden", "--format", "jsonl"]).output().unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), compact.as_object().unwrap().len());
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["related"], compact[v["key"].as_str().unwrap()]);
    }
}

#[test]
fn similar_documents_format_is_python_compatible() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks ocean");
    t.write("b.md", "walrus ocean");
    t.write("日本.md", "ocean");
    let out = t
        .cmd()
        .args(["a.md", "b.md", "日本.md", "--format", "similar-documents", "-o", "o.json"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = std::fs::read_to_string(t.path().join("o.json")).unwrap();
    assert!(text.starts_with("{\"a.md\": [[\"b.md\", 0."), "{text}");
    assert!(
        text.contains("\"\\u65e5\\u672c.md\": [["),
        "non-ASCII is escaped like json.dumps: {text}"
    );
    assert!(!text.ends_with('\n'), "the Python tool writes no newline to -o files");
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["a.md"][0][0], "b.md");
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let run = |threads: &str| {
        let out = related()
            .args([
                "fixtures/hotchpotch-dev-feed.xml",
                "fixtures/golden",
                "-k",
                "10",
                "--threads",
                threads,
            ])
            .output()
            .unwrap();
        assert_success(&out);
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn explain_lists_shared_terms_by_contribution() {
    use std::collections::{BTreeMap, HashMap};
    let json = run_json(related().args(["fixtures/golden", "--explain"]));
    let text = std::fs::read_to_string(fixture("golden.terms.json")).unwrap();
    let terms: BTreeMap<String, Vec<String>> = serde_json::from_str(&text).unwrap();
    // Sublinear TF-IDF weights, computed independently of related's code.
    let n = terms.len() as f64;
    let mut df: HashMap<&str, f64> = HashMap::new();
    for list in terms.values() {
        let mut seen: Vec<&str> = list.iter().map(String::as_str).collect();
        seen.sort();
        seen.dedup();
        seen.into_iter().for_each(|t| *df.entry(t).or_default() += 1.0);
    }
    let weights = |key: &str| -> HashMap<&str, f64> {
        let mut tf: HashMap<&str, f64> = HashMap::new();
        terms[key].iter().for_each(|t| *tf.entry(t).or_default() += 1.0);
        let w: HashMap<&str, f64> = tf
            .into_iter()
            .map(|(t, c)| (t, (1.0 + c.ln()) * (((1.0 + n) / (1.0 + df[t])).ln() + 1.0)))
            .collect();
        let norm = w.values().map(|x| x * x).sum::<f64>().sqrt();
        w.into_iter().map(|(t, x)| (t, x / norm)).collect()
    };
    let mut checked = 0;
    for (key, list) in json.as_object().unwrap() {
        let wa = weights(key);
        for e in list.as_array().unwrap() {
            let wb = weights(e["key"].as_str().unwrap());
            let listed: Vec<&str> =
                e["terms"].as_array().expect("terms").iter().map(|t| t.as_str().unwrap()).collect();
            assert!(!listed.is_empty() && listed.len() <= 5, "{key}: {listed:?}");
            let contrib: Vec<f64> = listed
                .iter()
                .map(|t| {
                    let (a, b) = (wa.get(t), wb.get(t));
                    assert!(a.is_some() && b.is_some(), "{key} → {}: {t} not shared", e["key"]);
                    a.unwrap() * b.unwrap()
                })
                .collect();
            assert!(
                contrib.windows(2).all(|w| w[0] >= w[1] - 1e-12),
                "{key}: {listed:?} {contrib:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 10);
    // Japanese terms appear as such.
    let travel = &json["ja-travel.md"][0];
    assert_eq!(travel["key"], "ja-food.md");
    let listed: Vec<&str> =
        travel["terms"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(listed.contains(&"抹茶") && listed.contains(&"京都"), "{listed:?}");
}

#[test]
fn without_explain_there_are_no_terms() {
    let json = run_json(related().arg("fixtures/golden"));
    assert!(json["ja-travel.md"][0].get("terms").is_none());
}
