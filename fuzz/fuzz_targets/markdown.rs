//! Markdown with YAML/TOML front matter, code blocks dropped and kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use related::internals::{ExtractOptions, markdown};

fuzz_target!(|text: &str| {
    for keep_markup in [false, true] {
        let _ = markdown::extract(text, &ExtractOptions { keep_markup, ..ExtractOptions::default() });
    }
});
