//! Text → terms: NFKC, script runs, lindera (Japanese), the word tokenizer.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use related::internals::Analyzer;

/// Built once: loading the embedded dictionary takes far longer than one run.
static ANALYZER: LazyLock<Analyzer> = LazyLock::new(|| {
    let analyzer = Analyzer::default();
    analyzer.load_dictionary().expect("the embedded dictionary loads");
    analyzer
});

fuzz_target!(|text: &str| {
    let _ = ANALYZER.terms(text);
});
