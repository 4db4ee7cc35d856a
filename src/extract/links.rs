//! Link and image targets → the words of the link field.
//!
//! A link says what an article is about (`[the docs](https://www.postgresql.org/docs/…)`),
//! so its target is kept as a field of its own ([`Document::links`](crate::document::Document::links)):
//! the host without `www.` (one word, `postgresql.org`) and the words of the path
//! (`/docs/current/sql-select.html` → `docs current sql-select`). The scheme, user,
//! port, query string and fragment are dropped: `?utm_source=…` and `#section-2`
//! say nothing about the topic. A relative link (`../rust/cargo.md`) gives its path
//! words. Path segments that look like opaque ids (long runs mixing letters and
//! digits, as in image upload names) and common page extensions (`.html`, `.php`,
//! `.md`, ...) are dropped. `mailto:`, `javascript:`, `data:` and `tel:` targets and
//! pure fragments (`#top`) give nothing.

/// Page extensions that carry no topic (`sql-select.html` → `sql-select`).
const PAGE_EXTENSIONS: &[&str] =
    &["html", "htm", "shtml", "xhtml", "php", "asp", "aspx", "jsp", "md", "mdx", "markdown"];

/// The words of one link target, separated by spaces, or `None` when it
/// names nothing (see the module doc).
pub fn link_words(target: &str) -> Option<String> {
    let target = target.trim();
    let lower_head: String = target.chars().take(11).collect::<String>().to_ascii_lowercase();
    if ["mailto:", "javascript:", "data:", "tel:", "about:"]
        .iter()
        .any(|s| lower_head.starts_with(s))
    {
        return None;
    }
    // Fragment first (it may contain `?`), then the query string.
    let target = target.split('#').next().unwrap_or("");
    let target = target.split('?').next().unwrap_or("");
    let (host, path) = match target.find("://") {
        Some(i) if target[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) => {
            split_authority(&target[i + 3..])
        }
        _ => match target.strip_prefix("//") {
            Some(rest) => split_authority(rest),
            None => (None, target),
        },
    };
    let mut words: Vec<String> = Vec::new();
    if let Some(host) = host {
        words.push(host);
    }
    let segments: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate() {
        let seg = percent_decode(seg);
        let mut seg = seg.as_str();
        if i + 1 == segments.len()
            && let Some((stem, ext)) = seg.rsplit_once('.')
            && PAGE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
        {
            seg = stem;
        }
        if seg.is_empty() || seg == "." || seg == ".." || looks_like_id(seg) {
            continue;
        }
        words.push(seg.to_owned());
    }
    let joined = words.join(" ");
    (!joined.trim().is_empty()).then_some(joined)
}

/// `user@host:port/path` → (`host` lowercased without `www.`, `/path`).
fn split_authority(rest: &str) -> (Option<String>, &str) {
    let end = rest.find(['/', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host = authority.rsplit('@').next().unwrap_or("");
    // `[::1]:8080` keeps no useful word; a port is dropped.
    let host = if host.starts_with('[') { "" } else { host.split(':').next().unwrap_or("") };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
    ((!host.is_empty()).then_some(host), path)
}

/// Decodes `%XX` escapes when they form valid UTF-8 (Japanese page names
/// are written that way); otherwise the segment is returned as written.
fn percent_decode(seg: &str) -> String {
    if !seg.contains('%') {
        return seg.to_owned();
    }
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).and_then(|&c| hex(c)), b.get(i + 2).and_then(|&c| hex(c))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| seg.to_owned())
}

/// A segment that mixes letters and digits over 12+ alphanumerics with no
/// separator (`3f9a0c1b2d4e5f60`, `a1b2c3d4e5f6.png`): an upload hash or id.
fn looks_like_id(seg: &str) -> bool {
    let stem = seg.split('.').next().unwrap_or(seg);
    stem.len() >= 12
        && stem.chars().all(|c| c.is_ascii_alphanumeric())
        && stem.chars().any(|c| c.is_ascii_digit())
        && stem.chars().any(|c| c.is_ascii_alphabetic())
}

/// Where a bare `http://` / `https://` URL starts in `text`, and where it
/// ends (before trailing punctuation that usually closes the sentence).
pub(crate) fn find_bare_url(text: &str) -> Option<(usize, usize)> {
    let start = ["https://", "http://"].iter().filter_map(|p| text.find(p)).min()?;
    let rest = &text[start..];
    let mut end = rest
        .find(|c: char| c.is_whitespace() || "<>\"'`「」（）、。".contains(c))
        .unwrap_or(rest.len());
    while end > 0 && rest[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']']) {
        end -= 1;
    }
    Some((start, start + end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Option<String> {
        link_words(t)
    }

    #[test]
    fn host_without_www_and_path_words() {
        assert_eq!(
            words("https://www.postgresql.org/docs/current/sql-select.html?x=1#frag").as_deref(),
            Some("postgresql.org docs current sql-select")
        );
        assert_eq!(words("http://user@Example.COM:8080/a/b/").as_deref(), Some("example.com a b"));
        assert_eq!(words("//cdn.example.org/lib.js").as_deref(), Some("cdn.example.org lib.js"));
        assert_eq!(words("https://github.com").as_deref(), Some("github.com"));
    }

    #[test]
    fn relative_links_give_their_path_words() {
        assert_eq!(words("../rust/cargo-workspaces.md").as_deref(), Some("rust cargo-workspaces"));
        assert_eq!(words("/til/python/uv-tool?x#y").as_deref(), Some("til python uv-tool"));
        assert_eq!(words("images/diagram.png").as_deref(), Some("images diagram.png"));
    }

    #[test]
    fn no_words_from_fragments_queries_and_non_web_schemes() {
        for t in [
            "#top",
            "?page=2",
            "mailto:a@b.c",
            "javascript:void(0)",
            "data:image/png;base64,xx",
            "",
            "/",
        ] {
            assert_eq!(words(t), None, "{t}");
        }
    }

    #[test]
    fn ids_are_dropped_and_escapes_decoded() {
        assert_eq!(
            words("https://storage.googleapis.com/zenn-user-upload/3f9a0c1b2d4e5f60.png")
                .as_deref(),
            Some("storage.googleapis.com zenn-user-upload")
        );
        assert_eq!(
            words("https://ja.wikipedia.org/wiki/%E6%A4%9C%E7%B4%A2").as_deref(),
            Some("ja.wikipedia.org wiki 検索")
        );
        assert_eq!(words("/a/%ZZ").as_deref(), Some("a %ZZ"));
    }

    #[test]
    fn bare_urls_are_found_without_trailing_punctuation() {
        let t = "see https://example.com/a_b. Then";
        let (s, e) = find_bare_url(t).unwrap();
        assert_eq!(&t[s..e], "https://example.com/a_b");
        assert_eq!(find_bare_url("no url here"), None);
        let t = "(http://x.org/y)";
        let (s, e) = find_bare_url(t).unwrap();
        assert_eq!(&t[s..e], "http://x.org/y");
    }
}
