//! Whole HTML pages, and the fragments that feeds and Markdown embed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use related::internals::html;

fuzz_target!(|text: &str| {
    let _ = html::extract(text);
    let _ = html::fragment_to_text(text);
});
