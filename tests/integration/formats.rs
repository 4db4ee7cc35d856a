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
