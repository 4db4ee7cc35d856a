//! File names that are not valid UTF-8 (legacy Latin-1 or Shift_JIS names
//! on Unix): kept distinct by percent-encoding each invalid byte
//! (`caf\xE9.md` → `caf%E9.md`), where a lossy conversion would turn every
//! such name into the same `caf�.md`.
//!
//! An encoded name escapes `%` too (`%25`), and a valid name is kept as
//! is unless it could be read as an encoded one — it holds `%25` or `%`
//! followed by a byte at or above `%80` (`caf%E9.md`, literally): then it
//! is encoded the same way (`caf%25E9.md`). So two different names never
//! share a key, while names like `my%20post.md` keep theirs.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;

/// `name` as a string, invalid bytes percent-encoded (see the module
/// doc); `true` if the name is not valid UTF-8.
pub fn encode_name(name: &OsStr) -> (Cow<'_, str>, bool) {
    if let Some(s) = name.to_str() {
        if !looks_encoded(s) {
            return (Cow::Borrowed(s), false);
        }
        return (Cow::Owned(percent_encode_invalid(s.as_bytes())), false);
    }
    (Cow::Owned(percent_encode_invalid(name.as_encoded_bytes())), true)
}

/// Could `s` be the encoding of another name: does it hold `%25`, or `%`
/// and two hex digits from `80` to `FF` (what invalid bytes become)?
fn looks_encoded(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && w[2].is_ascii_hexdigit()
            && (w[1] == b'2' && w[2] == b'5'
                || matches!(w[1].to_ascii_uppercase(), b'8'..=b'9' | b'A'..=b'F'))
    })
}

/// A path for messages and keys: [`encode_name`] applied to the whole path.
pub fn display_path(path: &Path) -> String {
    encode_name(path.as_os_str()).0.into_owned()
}

/// Valid UTF-8 runs kept (with `%` as `%25`), every other byte as `%XX`.
fn percent_encode_invalid(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(&s.replace('%', "%25"));
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(&std::str::from_utf8(valid).unwrap_or_default().replace('%', "%25"));
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

    #[cfg(unix)]
    #[test]
    fn a_literal_percent_never_makes_two_names_share_a_key() {
        use std::os::unix::ffi::OsStrExt;
        let key = |b: &[u8]| encode_name(OsStr::from_bytes(b)).0.into_owned();
        // The invalid byte and the valid name spelled like its encoding.
        assert_eq!(key(b"caf\xE9.md"), "caf%E9.md");
        assert_eq!(key(b"caf%E9.md"), "caf%25E9.md");
        assert_eq!(key(b"caf%25E9.md"), "caf%2525E9.md");
        assert_eq!(key(b"caf%\xE9.md"), "caf%25%E9.md");
        // Ordinary percent signs stay.
        for plain in ["my%20post.md", "100%.md", "a%zz.md", "%7E.md"] {
            assert_eq!(key(plain.as_bytes()), plain);
        }
        // Distinct over every short name made of these pieces.
        let pieces: [&[u8]; 6] = [b"%", b"E9", b"25", b"\xE9", b"a", b"%E9"];
        let mut seen = std::collections::HashMap::new();
        for x in pieces {
            for y in pieces {
                for z in pieces {
                    let name = [x, y, z].concat();
                    let k = key(&name);
                    if let Some(other) = seen.insert(k.clone(), name.clone()) {
                        assert_eq!(other, name, "{k}");
                    }
                }
            }
        }
    }
}
