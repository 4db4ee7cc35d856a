//! What a new user hits first: the README's commands do what their
//! comments say, settings that would make every list empty are said, and the
//! odd corners of the command line (`man/` folders, `--no-FLAG`, an
//! unwritable cache) behave.

use crate::util::{TestDir, assert_success, related};

/// The README, for the doc checks below.
fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// Splits a documented command line into words: spaces separate, single
/// quotes group, `#` starts the comment (returned separately).
fn words(line: &str) -> (Vec<String>, String) {
    let (mut out, mut cur, mut quoted, mut comment) = (Vec::new(), String::new(), false, None);
    for (i, c) in line.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '#' if !quoted && cur.is_empty() => {
                comment = Some(line[i + 1..].trim().to_owned());
                break;
            }
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    (out, comment.unwrap_or_default())
}

/// The lines of the README's ```sh block that follows `marker`.
fn block_after(readme: &str, marker: &str) -> Vec<String> {
    let from = readme.find(marker).unwrap_or_else(|| panic!("README lost {marker:?}"));
    let block = &readme[from..];
    let start = block.find("```sh\n").expect("a sh block") + 6;
    let end = start + block[start..].find("```").expect("block end");
    block[start..end].lines().map(str::to_owned).collect()
}

/// A site with the folders the README's examples name: a Hugo `content/`
/// (with list pages), Jekyll `_posts/`, Eleventy `posts/`.
fn example_site() -> TestDir {
    let t = TestDir::new();
    t.write("content/_index.md", "---\ntitle: Home\n---\nwalrus tusks and walrus swimming");
    t.write("content/posts/_index.md", "---\ntitle: Posts\n---\nwalrus posts about walrus");
    t.write("content/posts/a.md", "---\ntitle: A\n---\nwalrus tusks");
    t.write("content/pa.md", "---\ntitle: PA\nurl: /p/a/\n---\nwalrus tusks");
    t.write("content/posts/b.md", "---\ntitle: B\n---\nwalrus swimming");
    t.write("_posts/2024-01-01-a.md", "---\ntitle: A\n---\nwalrus tusks");
    t.write("_posts/2024-01-02-b.md", "---\ntitle: B\n---\nwalrus swimming");
    t.write("posts/a.md", "---\ntitle: A\n---\nwalrus tusks");
    t.write("posts/b.md", "---\ntitle: B\n---\nwalrus swimming");
    t
}

/// Runs a documented command line in `t` (without `-o`: stdout) and returns the JSON.
#[track_caller]
fn run_documented(t: &TestDir, args: &[String]) -> serde_json::Value {
    assert_eq!(args[0], "related", "{args:?}");
    let out = t.cmd().args(&args[1..]).output().unwrap();
    assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn readme_key_examples_give_the_keys_their_comments_say() {
    let t = example_site();
    let lines = block_after(&readme(), "**Keys that match what the template has.**");
    assert_eq!(lines.len(), 4, "{lines:?}");
    for line in lines {
        let (args, comment) = words(&line);
        let expected = comment.split([' ', ',']).next().unwrap().to_owned();
        let json = run_documented(&t, &args);
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert!(keys.contains(&&expected), "README: `{line}`\n gives {keys:?}, not {expected}");
        assert!(keys.iter().all(|k| !k.contains("_index")), "`{line}` lists a list page: {keys:?}");
    }
}

#[test]
fn readme_url_template_examples_give_the_urls_their_comments_say() {
    let t = example_site();
    let lines = block_after(&readme(), "`href=\"{{ r.url }}\"` without looking anything up");
    assert_eq!(lines.len(), 4, "{lines:?}");
    for line in lines {
        let (args, comment) = words(&line);
        let expected = comment.split(' ').next().unwrap().to_owned();
        let json = run_documented(&t, &args);
        let urls: Vec<&str> = json
            .as_object()
            .unwrap()
            .values()
            .flat_map(|list| list.as_array().unwrap())
            .filter_map(|e| e["url"].as_str())
            .collect();
        assert!(urls.contains(&expected.as_str()), "README: `{line}`\n gives urls {urls:?}");
    }
}

#[test]
fn the_headline_command_and_help_example_skip_hugo_list_pages() {
    let readme = readme();
    let headline = block_after(&readme, "# related");
    let help = related().arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let example = help
        .lines()
        .skip_while(|l| !l.contains("# Related articles for a Hugo"))
        .nth(1)
        .expect("--help example 1")
        .trim()
        .to_owned();
    for command in [headline[0].clone(), example] {
        let t = example_site();
        let (args, _) = words(&command);
        let out = t.cmd().args(&args[1..]).output().unwrap();
        assert_success(&out);
        let written = std::fs::read_to_string(t.path().join("data/related.json")).unwrap();
        assert!(!written.contains("_index"), "`{command}` lists Hugo's list pages: {written}");
        assert!(written.contains("\"posts/a.md\""), "{written}");
    }
}

#[test]
fn flags_from_related_toml_can_be_switched_off() {
    let t = TestDir::new();
    t.write("a.md", "---\ndate: 2024-01-01\n---\nwalrus tusks");
    t.write("b.md", "---\ndate: 2024-02-01\n---\nwalrus swim");
    t.write("related.toml", "inputs = [\".\"]\nexclude-newer = true\n");
    let listed = |extra: &[&str]| {
        let out = t.cmd().args(extra).output().unwrap();
        assert_success(&out);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["a.md"].as_array().unwrap().len()
    };
    assert_eq!(listed(&[]), 0, "a.md is older than b.md");
    assert_eq!(listed(&["--no-exclude-newer"]), 1);
    assert_eq!(listed(&["--exclude-newer=false"]), 1);
    assert_eq!(listed(&["--no-exclude-newer", "--exclude-newer"]), 0, "the last one wins");
    assert_eq!(listed(&["--exclude-newer=true"]), 0);
    let out = t.cmd().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_output_from_related_toml_is_said_for_an_ad_hoc_run() {
    let t = TestDir::new();
    t.write("posts/a.md", "walrus tusks");
    t.write("posts/b.md", "walrus swim");
    t.write("related.toml", "inputs = [\"posts\"]\noutput = \"data/related.json\"\n");
    let out = t.cmd().arg("posts").output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("writing to data/related.json as related.toml says"), "{stderr}");
    assert!(stderr.contains("-o - prints to stdout"), "{stderr}");
    // The build's own plain run says nothing, and -o - prints.
    let out = t.cmd().output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = t.cmd().args(["posts", "-o", "-"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"a.md\""));
}

#[test]
fn settings_that_empty_every_list_are_named() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    for (args, needle) in [
        (&["--max-df", "1"][..], "--max-df 1 keeps only terms found in at most 1 article"),
        (&["--min-df", "3", "--max-df", "2"][..], "--min-df 3 is above --max-df 2"),
    ] {
        let out = t.cmd().arg(".").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // A warning, and the run goes on (-k 0 is asked for plainly).
    let out = t.cmd().args([".", "-k", "0"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("every list is empty: -k 0 lists no neighbour"), "{stderr}");
    // Known only once the articles are counted: a warning, and the run goes on.
    let out = t.cmd().args([".", "--min-df", "3"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("every list is empty: --min-df 3 is more than the 2 articles"),
        "{stderr}"
    );
    let out = t.cmd().args([".", "--min-score", "0.99"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("every list is empty: no pair scores --min-score 0.99"), "{stderr}");
    // The default prints as 1.0 and is a fraction, also from related.toml.
    t.write("related.toml", "max-df = 1.0\n");
    assert_success(&t.cmd().arg(".").output().unwrap());
}

#[test]
fn flags_the_format_ignores_are_said() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    for (args, needle) in [
        (&["--pretty", "--format", "jsonl"][..], "--pretty has no effect with --format jsonl"),
        (&["--explain", "--format", "similar-documents"][..], "--explain has no effect"),
    ] {
        let out = t.cmd().arg(".").args(args).output().unwrap();
        assert_success(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let out = t.cmd().args([".", "--pretty"]).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_content_folder_named_man_is_an_input() {
    let t = TestDir::new();
    t.write("man/a.md", "walrus tusks");
    t.write("man/b.md", "walrus swim");
    let out = t.cmd().args(["man", "-k", "1"]).output().unwrap();
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["a.md"][0]["key"], "b.md");
    // Alone, `man` is still the man page.
    let out = t.cmd().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH related 1"));
}

#[test]
fn man_page_examples_are_not_reflowed_and_cite_no_missing_page() {
    let out = related().arg("man").output().unwrap();
    assert_success(&out);
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(!roff.contains("related-completions("), "cites a page that does not exist");
    assert!(!roff.contains("related-man("), "cites a page that does not exist");
    let examples = roff.split(".SH EXAMPLES\n").nth(1).expect("an EXAMPLES section");
    assert!(examples.starts_with(".nf\n"), "EXAMPLES must be no-fill: {examples}");
    // Rendered, each example command stays on one line.
    let dir = TestDir::new();
    let page = dir.write("related.1", &roff);
    let Ok(rendered) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-rLL=80n"])
        .arg(&page)
        .env("GROFF_NO_SGR", "1")
        .output()
    else {
        return; // no groff here: the roff checks above still hold
    };
    let text = String::from_utf8_lossy(&rendered.stdout).replace('\u{2010}', "-");
    let text: String = text.chars().filter(|c| *c != '\u{8}').collect();
    for line in [
        "related content/ -o data/related.json",
        "related content/ --strip-extension --base-url / --output-dir data/related --exclude-newer",
    ] {
        assert!(text.contains(line), "`{line}` is split in the rendered page:\n{text}");
    }
}

#[test]
fn an_unwritable_cache_is_a_warning_not_a_failure() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    t.write("cache", "a file where the cache folder should be");
    let out = t.cmd().args([".", "--cache", "cache"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cache: --cache folder not usable"), "{stderr}");
    assert!(stderr.contains("running without a cache"), "{stderr}");
    assert!(!stderr.contains("os error"), "raw OS text: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"a.md\""));
}

#[test]
fn check_saves_the_cache_for_the_next_ci_run() {
    let t = TestDir::new();
    t.write("a.md", "walrus tusks");
    t.write("b.md", "walrus swim");
    assert_success(&t.cmd().args([".", "-o", "r.json"]).output().unwrap());
    let out = t.cmd().args([".", "-o", "r.json", "--cache", ".cache", "--check"]).output().unwrap();
    assert_success(&out);
    assert!(t.path().join(".cache/related-cache.bin").is_file(), "--check saved no cache");
    let out = t.cmd().args([".", "-o", "r.json", "--cache", ".cache", "-v"]).output().unwrap();
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 of 2 articles from the cache"), "{stderr}");
}
