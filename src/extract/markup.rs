//! Markup that Markdown itself does not know, understood before parsing so
//! that its syntax never becomes words: Zenn/Qiita fences and embeds, image
//! size suffixes, Hugo shortcodes, MDX comments. LaTeX math is parsed by
//! pulldown-cmark (`$…$`, `$$…$$`) and reduced by [`math_text`].
//!
//! [`preprocess`] rewrites the Markdown body line by line, leaving fenced
//! code blocks (```` ``` ```` / `~~~`) untouched:
//!
//! | source | becomes |
//! | --- | --- |
//! | `:::message` / `:::message alert` / `:::` (Zenn, Qiita `:::note`) | an empty line (the inner text stays) |
//! | `:::details Title` | `Title` |
//! | `@[card](https://x/y)`, `@[tweet](url)`, `@[github](url)`, ... | `[](https://x/y)`: a link (its words go to the link field), no text |
//! | `@[youtube](id)`, `@[speakerdeck](id)` (not a URL) | nothing |
//! | `![alt](x.png =600x)`, `=250x100` | `![alt](x.png)` |
//! | `{{< ref "post.md" >}}`, `{{< relref "x" >}}` | `post.md` (so `[a]({{< ref "p" >}})` is a link to `p`) |
//! | other `{{< … >}}` / `{{% … %}}`, opening or closing | the values of `alt`, `caption`, `title`, `cite` as text, of `src`, `link`, `href`, `url` as links; nothing else (text between a pair stays) |
//! | MDX `{/* comment */}`, also over several lines | nothing |
//!
//! Everything is linear in the input; unclosed constructs are left as written.

use std::borrow::Cow;

/// Most Markdown punctuation marks (`[`, `(`, `*`, `_`, `>`, `<`, `|`…)
/// read as Markdown in one body; the rest are read as spaces. Every mark
/// can become a node of the parser's tree (links, emphasis, nested quotes,
/// table cells), which costs about 100 bytes and 0.1 µs each: a body made
/// of them (`[a](` × 2.5 million) took over 2 s and 500 MB. A long article
/// has a few thousand.
pub(crate) const MAX_MARKS: usize = 1 << 20;

/// Characters that count against [`MAX_MARKS`].
fn is_mark(c: u8) -> bool {
    matches!(
        c,
        b'[' | b']'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'!'
            | b'*'
            | b'_'
            | b'~'
            | b'`'
            | b'&'
            | b'$'
            | b'|'
            | b'\\'
            | b'#'
            | b'-'
            | b'+'
            | b'^'
            | b':'
            | b'{'
            | b'}'
    )
}

/// `body` with the Markdown punctuation after the first [`MAX_MARKS`]
/// marks replaced by spaces (same length, so offsets and lines stay), and
/// a note saying so; fenced code blocks neither count nor change. Borrowed
/// when the body has fewer marks (every real article). Linear time.
pub(crate) fn bound_marks(body: &str) -> (Cow<'_, str>, Option<String>) {
    let b = body.as_bytes();
    // Cheap upper bound first: most bodies have far fewer marks in all.
    if b.iter().filter(|&&c| is_mark(c)).count() <= MAX_MARKS {
        return (Cow::Borrowed(body), None);
    }
    let mut out = b.to_vec();
    let mut marks = 0usize;
    let mut cut_from = None;
    let mut fence: Option<(u8, usize)> = None;
    let mut start = 0usize;
    while start < b.len() {
        let end = b[start..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| start + p + 1);
        let line = &b[start..end];
        let indent = line.iter().take_while(|&&c| c == b' ').count();
        let trimmed = &line[indent..];
        let run = |ch: u8| trimmed.iter().take_while(|&&c| c == ch).count();
        if let Some((ch, n)) = fence {
            if indent < 4 && run(ch) >= n && trimmed[run(ch)..].iter().all(u8::is_ascii_whitespace)
            {
                fence = None;
            }
            start = end;
            continue;
        }
        if indent < 4
            && let Some(ch) = [b'`', b'~'].into_iter().find(|&c| run(c) >= 3)
        {
            fence = Some((ch, run(ch)));
            start = end;
            continue;
        }
        for (k, &c) in line.iter().enumerate() {
            if is_mark(c) {
                marks += 1;
                if marks > MAX_MARKS {
                    out[start + k] = b' ';
                    cut_from.get_or_insert(start + k);
                }
            }
        }
        start = end;
    }
    let Some(at) = cut_from else {
        return (Cow::Borrowed(body), None);
    };
    let line = 1 + b[..at].iter().filter(|&&c| c == b'\n').count();
    // Only ASCII bytes were replaced by ASCII spaces: still UTF-8.
    let out = String::from_utf8(out).expect("ASCII replaced by ASCII");
    let note = format!(
        "more than {MAX_MARKS} Markdown punctuation marks; from body line {line} on they are read as spaces"
    );
    (Cow::Owned(out), Some(note))
}

/// The body with the syntax above rewritten (borrowed when there is none).
pub(crate) fn preprocess(body: &str) -> Cow<'_, str> {
    if !["\n:::", ":::", "@[", " =", "{{<", "{{%", "{/*"].iter().any(|m| body.contains(m)) {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<(char, usize)> = None;
    let mut in_comment = false;
    for line in body.split_inclusive('\n') {
        let (content, ending) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        let trimmed = content.trim_start();
        if let Some((ch, n)) = fence {
            out.push_str(line);
            let run = trimmed.chars().take_while(|&c| c == ch).count();
            if run >= n && trimmed[run * ch.len_utf8()..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if !in_comment
            && let Some(ch) = ['`', '~'].into_iter().find(|&c| trimmed.starts_with([c, c, c]))
        {
            fence = Some((ch, trimmed.chars().take_while(|&c| c == ch).count()));
            out.push_str(line);
            continue;
        }
        let line = strip_mdx_comments(content, &mut in_comment);
        let line = directive(&line).unwrap_or(line);
        let line = embeds(&line);
        let line = image_sizes(&line);
        let line = shortcodes(&line);
        out.push_str(&line);
        out.push_str(ending);
    }
    Cow::Owned(out)
}

/// Removes `{/* … */}`; a comment left open continues on the next lines.
fn strip_mdx_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        if *in_comment {
            match rest.find("*/}") {
                Some(i) => {
                    rest = &rest[i + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        } else {
            match rest.find("{/*") {
                Some(i) => {
                    out.push_str(&rest[..i]);
                    rest = &rest[i + 3..];
                    *in_comment = true;
                }
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }
}

/// Names of `:::name` fences: Zenn, Qiita, Docusaurus, VitePress.
const DIRECTIVES: &[&str] = &[
    "message",
    "details",
    "note",
    "tip",
    "info",
    "warning",
    "warn",
    "caution",
    "danger",
    "alert",
    "important",
];

/// A Zenn/Qiita `:::name …` fence line → its replacement.
fn directive(line: &str) -> Option<String> {
    let trimmed = line.trim();
    let colons = trimmed.chars().take_while(|&c| c == ':').count();
    if colons < 3 {
        return None;
    }
    let rest = trimmed[colons..].trim_start();
    let name_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (name, arg) = rest.split_at(name_len);
    if !(name.is_empty() || DIRECTIVES.contains(&name)) {
        return None; // `:::` followed by prose is not a fence
    }
    Some(if name == "details" { arg.trim().to_owned() } else { String::new() })
}

/// `@[name](arg)` → `[](arg)` for a URL argument, nothing otherwise.
fn embeds(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("@[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let parsed = after.find("](").and_then(|close| {
            let name = &after[..close];
            let tail = &after[close + 2..];
            let end = tail.find(')')?;
            let ok =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            ok.then(|| (tail[..end].trim(), &tail[end + 1..]))
        });
        match parsed {
            Some((arg, tail)) => {
                if arg.contains("://") {
                    out.push_str("[](");
                    out.push_str(arg);
                    out.push(')');
                }
                rest = tail;
            }
            None => {
                out.push_str("@[");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `](target =600x)` → `](target)` (Zenn and Qiita image sizes).
fn image_sizes(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let inside = &rest[..end];
        if let Some((target, size)) = inside.rsplit_once(" =")
            && is_size(size.trim())
        {
            out.push_str(target.trim_end());
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// `600x`, `x300`, `250x100`.
fn is_size(s: &str) -> bool {
    match s.split_once('x') {
        Some((w, h)) => {
            !(w.is_empty() && h.is_empty())
                && w.chars().all(|c| c.is_ascii_digit())
                && h.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Hugo shortcodes: `ref`/`relref` become their target, the others vanish.
fn shortcodes(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let open = ["{{<", "{{%"].iter().filter_map(|o| rest.find(o).map(|i| (i, *o))).min();
        let Some((i, opener)) = open else { break };
        let closer = if opener == "{{<" { ">}}" } else { "%}}" };
        let inner_start = i + 3;
        let Some(len) = rest[inner_start..].find(closer) else { break };
        out.push_str(&rest[..i]);
        let inner = rest[inner_start..inner_start + len].trim();
        let inner = inner.strip_prefix("/*").and_then(|i| i.strip_suffix("*/")).unwrap_or(inner);
        let name_len = inner.find(char::is_whitespace).unwrap_or(inner.len());
        let (name, args) = inner.split_at(name_len);
        if name == "ref" || name == "relref" {
            out.push_str(args.trim().trim_matches(['"', '\'', '`']));
        } else {
            // What a reader sees stays text; what it points to is a link.
            for (key, value) in shortcode_args(args) {
                match key {
                    "alt" | "caption" | "title" | "cite" | "attr" => {
                        out.push(' ');
                        out.push_str(value);
                        out.push(' ');
                    }
                    "src" | "link" | "href" | "url" => {
                        out.push_str(" [](");
                        out.push_str(value);
                        out.push_str(") ");
                    }
                    _ => {}
                }
            }
        }
        rest = &rest[inner_start + len + 3..];
    }
    out.push_str(rest);
    out
}

/// The `key = "value"` pairs of a shortcode (unquoted values end at a
/// blank; positional arguments are skipped).
fn shortcode_args(args: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        let key_len = rest.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(rest.len());
        let key = &rest[..key_len];
        let after = rest[key_len..].trim_start();
        let Some(value) = after.strip_prefix('=') else {
            // positional: skip one (possibly quoted) token
            rest = skip_value(rest).1;
            continue;
        };
        let (v, tail) = skip_value(value.trim_start());
        if !key.is_empty() {
            out.push((key, v));
        }
        rest = tail;
    }
    out
}

/// Splits one value (`"quoted"`, `'quoted'` or bare) off `s`.
fn skip_value(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.chars().next() {
        Some(q @ ('"' | '\'' | '`')) => match s[1..].find(q) {
            Some(end) => (&s[1..1 + end], s[end + 2..].trim_start()),
            None => (&s[1..], ""),
        },
        Some(_) => {
            let end = s.find(char::is_whitespace).unwrap_or(s.len());
            (&s[..end], s[end..].trim_start())
        }
        None => ("", ""),
    }
}

/// LaTeX source → the words worth keeping: commands (`\frac`, `\mathrm`),
/// environment names (`\begin{align}`) and braces go; identifiers written
/// out (`\text{softmax}` → `softmax`) stay. One-letter symbols are dropped
/// later by the tokenizer like any one-letter word.
pub(crate) fn math_text(tex: &str) -> String {
    let mut out = String::with_capacity(tex.len());
    let mut chars = tex.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let name: String =
                tex[i + 1..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            for _ in 0..name.chars().count() {
                chars.next();
            }
            if (name == "begin" || name == "end") && tex[i + 1 + name.len()..].starts_with('{') {
                // skip the environment name
                for (_, c) in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            out.push(' ');
        } else if "{}^_&".contains(c) {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zenn_fences_keep_inner_text_and_details_title() {
        let src =
            ":::message alert\nBeware.\n:::\n\n:::details 詳細を見る\nHidden\n:::\n::: not a fence";
        assert_eq!(preprocess(src), "\nBeware.\n\n\n詳細を見る\nHidden\n\n::: not a fence");
    }

    #[test]
    fn embeds_become_links_or_nothing() {
        assert_eq!(embeds("a @[card](https://x.dev/post) b"), "a [](https://x.dev/post) b");
        assert_eq!(embeds("@[youtube](dQw4w9WgXcQ)"), "");
        assert_eq!(embeds("mail me @[not closed"), "mail me @[not closed");
        assert_eq!(embeds("x@[a b](c)"), "x@[a b](c)");
    }

    #[test]
    fn image_size_suffixes_are_dropped() {
        assert_eq!(image_sizes("![](/a.png =600x)"), "![](/a.png)");
        assert_eq!(
            image_sizes("![alt](a.png =250x100) and [l](b =c)"),
            "![alt](a.png) and [l](b =c)"
        );
        assert_eq!(image_sizes("![x](a.png =x)"), "![x](a.png =x)");
    }

    #[test]
    fn hugo_shortcodes() {
        assert_eq!(shortcodes(r#"[post]({{< ref "rust/cargo.md" >}})"#), "[post](rust/cargo.md)");
        assert_eq!(shortcodes("{{< figure src=\"a.png\" >}} text"), " [](a.png)  text");
        assert_eq!(
            shortcodes(
                r#"{{< figure src = "m.jpg" width = "800" alt = "A map of Lagos" class = "center" >}}"#
            ),
            " [](m.jpg)  A map of Lagos "
        );
        assert_eq!(shortcodes("{{< youtube abc123 >}}"), "");
        assert_eq!(shortcodes(r#"{{</* figure src="x" */>}}"#), " [](x) ");
        assert_eq!(shortcodes("{{% notice tip %}}Inner{{% /notice %}}"), "Inner");
        assert_eq!(shortcodes("{{< open"), "{{< open");
    }

    #[test]
    fn mdx_comments_are_dropped_even_over_lines() {
        assert_eq!(preprocess("a {/* x */} b\n{/* multi\nline */}c\n"), "a  b\n\nc\n");
    }

    #[test]
    fn code_fences_are_left_alone() {
        let src = "```md\n:::message\n@[card](https://x)\n{{< ref \"a\" >}}\n```\n:::message\nok\n";
        assert_eq!(
            preprocess(src),
            "```md\n:::message\n@[card](https://x)\n{{< ref \"a\" >}}\n```\n\nok\n"
        );
        let tilde = "~~~~\n```\n:::\n~~~~\n:::\n";
        assert_eq!(preprocess(tilde), "~~~~\n```\n:::\n~~~~\n\n");
    }

    #[test]
    fn math_keeps_written_out_words_only() {
        assert_eq!(
            math_text(
                r"\begin{align} \mathrm{softmax}(x_i) = \frac{e^{x_i}}{\sum_j e^{x_j}} \end{align}"
            )
            .split_whitespace()
            .collect::<Vec<_>>(),
            ["softmax", "(x", "i)", "=", "e", "x", "i", "j", "e", "x", "j"]
        );
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(preprocess("just text\nmore"), Cow::Borrowed(_)));
    }

    #[test]
    fn punctuation_beyond_the_bound_is_read_as_spaces() {
        let fence = "```\n[[[[\n```\n";
        let body = format!("{fence}{}", "[a](".repeat(MAX_MARKS / 3 + 10));
        let (bounded, note) = bound_marks(&body);
        assert_eq!(bounded.len(), body.len());
        // The fence is left alone and not counted; the first MAX_MARKS marks stay.
        assert!(bounded.starts_with(fence));
        assert_eq!(bounded.bytes().filter(|&c| is_mark(c)).count(), MAX_MARKS + 10);
        assert!(bounded.ends_with("a  "), "{}", &bounded[bounded.len() - 8..]);
        assert!(note.is_some_and(|n| n.contains("from body line 4 on")));
        // Real articles are borrowed.
        let normal = "# A\n\n[link](x) *em* `code` | a | b |\n".repeat(1_000);
        assert!(matches!(bound_marks(&normal), (Cow::Borrowed(_), None)));
    }
}
