//! File names that are not valid UTF-8 (legacy Latin-1 or Shift_JIS names
//! on Unix): kept distinct by percent-encoding each invalid byte
//! (`caf\xE9.md` → `caf%E9.md`), where a lossy conversion would turn every
//! such name into the same `caf�.md`.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;

/// `name` as a string, invalid bytes percent-encoded; `true` if any were.
pub fn encode_name(name: &OsStr) -> (Cow<'_, str>, bool) {
    if let Some(s) = name.to_str() {
        return (Cow::Borrowed(s), false);
    }
    (Cow::Owned(percent_encode_invalid(name.as_encoded_bytes())), true)
}

/// A path for messages and keys: [`encode_name`] applied to the whole path.
pub fn display_path(path: &Path) -> String {
    encode_name(path.as_os_str()).0.into_owned()
}

/// Valid UTF-8 runs kept, every other byte as `%XX`.
fn percent_encode_invalid(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for b in &rest[..bad] {
                    let _ = write!(out, "%{b:02X}");
                }
                bytes = &rest[bad..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_are_percent_encoded_and_stay_distinct() {
        assert_eq!(percent_encode_invalid(b"caf\xE9.md"), "caf%E9.md");
        assert_eq!(percent_encode_invalid(b"caf\xE8.md"), "caf%E8.md");
        assert_eq!(percent_encode_invalid("日本\u{e9}".as_bytes()), "日本\u{e9}");
        assert_eq!(percent_encode_invalid(b"\x93\xfa\x96\x7b.md"), "%93%FA%96{.md");
        assert_eq!(percent_encode_invalid(b"a\xE6\x97"), "a%E6%97");
        assert_eq!(encode_name(OsStr::new("plain.md")), (Cow::Borrowed("plain.md"), false));
    }
}
