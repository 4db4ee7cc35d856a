//! RSS/Atom: sniffing any bytes, and extracting any UTF-8 text (feed or not).
#![no_main]

use libfuzzer_sys::fuzz_target;
use related::internals::feed;

fuzz_target!(|data: &[u8]| {
    let _ = feed::looks_like_feed(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = feed::extract(text);
    }
});
