//! A cheap scan that refuses deeply nested front matter before it reaches
//! the YAML or TOML parser.
//!
//! The YAML parser takes time quadratic in the nesting depth (`x: [[[…]]]`
//! 100,000 deep took two minutes before failing with "recursion limit
//! exceeded"), and front matter never needs more than a few levels: the
//! fields read from it are scalars and lists of scalars. So front matter
//! nested more than [`MAX_FRONT_MATTER_DEPTH`] levels is an error naming
//! the line, found by one linear pass that over-estimates the depth a
//! little, never under-estimates it:
//!
//! - YAML: block levels by indentation (plus compact `- - x` items), and
//!   flow collections `[` `{` outside quoted scalars and comments;
//! - TOML: arrays and inline tables outside strings and comments, plus the
//!   tables a dotted key (`a.b.c = 1`, `[a.b.c]`) opens.

use super::ExtractError;

/// Deepest nesting accepted in front matter (mappings, lists, tables).
pub(crate) const MAX_FRONT_MATTER_DEPTH: usize = 32;

/// Largest front matter accepted, in bytes: a few fields need a few KB,
/// and the parsers' trees take 100-200 times the text's size in memory.
pub(crate) const MAX_FRONT_MATTER_BYTES: usize = 1 << 20;

/// `Err` if front matter is larger than [`MAX_FRONT_MATTER_BYTES`].
fn check_size(kind: &str, text: &str) -> Result<(), ExtractError> {
    if text.len() <= MAX_FRONT_MATTER_BYTES {
        return Ok(());
    }
    Err(ExtractError::new(
        format!(
            "{kind} front matter of {} bytes, more than the {} MiB allowed; front matter holds a few fields: move the rest to the body",
            text.len(),
            MAX_FRONT_MATTER_BYTES >> 20
        ),
        Some((1, 1)),
    ))
}

/// `Err` naming the line (1 = the line after the opening `---`; the
/// caller shifts it) where YAML front matter nests too deep.
pub(crate) fn check_yaml(text: &str) -> Result<(), ExtractError> {
    check_size("YAML", text)?;
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    // Inside a quoted scalar that continues on the next line.
    let mut quote: Option<u8> = None;
    // Indentation of the line that started a block scalar (`|`, `>`).
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let b = line.as_bytes();
        let indent = b.iter().take_while(|&&c| c == b' ').count();
        let blank = b[indent..].iter().all(|c| c.is_ascii_whitespace());
        if let Some(level) = block_scalar {
            if blank || indent > level {
                continue;
            }
            block_scalar = None;
        }
        if blank && quote.is_none() {
            continue;
        }
        let mut k = indent;
        if quote.is_none() && flow == 0 {
            if b[k] == b'#' {
                continue;
            }
            while indents.last().is_some_and(|&top| top > indent) {
                indents.pop();
            }
            if indents.last().is_none_or(|&top| top < indent) {
                indents.push(indent);
            }
            // Compact nesting on one line: `- - x`, `? key`, `- key: v`.
            while matches!(b.get(k), Some(b'-' | b'?' | b':'))
                && b.get(k + 1).is_none_or(|c| *c == b' ' || *c == b'\t')
            {
                k += 1;
                while b.get(k).is_some_and(|c| *c == b' ' || *c == b'\t') {
                    k += 1;
                }
                indents.push(k);
            }
        }
        // Where a `[`, `{` or quote may start a node: at the start of a
        // value, or anywhere in a flow collection.
        let mut value_start = true;
        let mut last_block_char = 0u8;
        while k < b.len() {
            let c = b[k];
            if let Some(q) = quote {
                if c == b'\\' && q == b'"' {
                    k += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && b.get(k + 1) == Some(&b'\'') {
                        k += 2;
                        continue;
                    }
                    quote = None;
                    value_start = false;
                }
                k += 1;
                continue;
            }
            match c {
                b'#' if k == 0 || matches!(b[k - 1], b' ' | b'\t') => break,
                b'"' | b'\'' if value_start => quote = Some(c),
                b'[' | b'{' if value_start || flow > 0 => {
                    flow += 1;
                    value_start = true;
                    let depth = indents.len() + flow;
                    if depth > MAX_FRONT_MATTER_DEPTH {
                        return Err(too_deep("YAML", n + 1, line, k));
                    }
                    k += 1;
                    continue;
                }
                b']' | b'}' if flow > 0 => {
                    flow -= 1;
                    value_start = false;
                }
                b',' | b':' | b'-' | b'?' if flow > 0 || c == b':' => value_start = true,
                b' ' | b'\t' => {}
                _ => value_start = false,
            }
            if !c.is_ascii_whitespace() {
                last_block_char = c;
            }
            k += 1;
        }
        if indents.len() + flow > MAX_FRONT_MATTER_DEPTH {
            return Err(too_deep("YAML", n + 1, line, indent));
        }
        // A block scalar header (`key: |`, `- >-`) makes the following more
        // indented lines plain text.
        if quote.is_none() && flow == 0 {
            let content = line.split(" #").next().unwrap_or("").trim_end();
            let header =
                content.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
            if (header.ends_with('|') || header.ends_with('>'))
                && matches!(last_block_char, b'|' | b'>' | b'-' | b'+' | b'0'..=b'9')
            {
                block_scalar = Some(indent);
            }
        }
    }
    Ok(())
}

/// [`check_yaml`] for TOML front matter.
pub(crate) fn check_toml(text: &str) -> Result<(), ExtractError> {
    check_size("TOML", text)?;
    // Open arrays (`[`) and inline tables (`{`).
    let mut open: Vec<u8> = Vec::new();
    // Inside a multi-line string: its closing delimiter.
    let mut multiline: Option<&[u8]> = None;
    for (n, line) in text.lines().enumerate() {
        let b = line.as_bytes();
        let mut k = 0usize;
        // Keys come first on a line (outside arrays), and after `{` or `,`
        // in an inline table; a table header is all key.
        let mut in_key = open.is_empty();
        let mut header = false;
        let mut dots = 0usize;
        while k < b.len() {
            if let Some(close) = multiline {
                match find(b, k, close) {
                    Some(p) => {
                        k = p + close.len();
                        multiline = None;
                    }
                    None => k = b.len(),
                }
                continue;
            }
            let c = b[k];
            let rest = &b[k..];
            match c {
                b'#' => break,
                b'"' | b'\'' => {
                    let triple: &[u8] = if c == b'"' { b"\"\"\"" } else { b"'''" };
                    if rest.starts_with(triple) {
                        multiline = Some(triple);
                        k += 3;
                        continue;
                    }
                    // A one-line string: skip to its end.
                    k += 1;
                    while k < b.len() && b[k] != c {
                        k += if c == b'"' && b[k] == b'\\' { 2 } else { 1 };
                    }
                }
                b'[' if open.is_empty() && !header && in_key && b[..k].trim_ascii().is_empty() => {
                    header = true;
                }
                b'[' | b'{' => {
                    open.push(c);
                    in_key = c == b'{';
                    dots = 0;
                }
                b']' | b'}' => {
                    if open.pop().is_none() {
                        header = false;
                    }
                    in_key = false;
                }
                b',' => in_key = open.last() == Some(&b'{'),
                b'=' => {
                    in_key = false;
                    dots = 0;
                }
                b'.' if in_key => dots += 1,
                _ => {}
            }
            if open.len() + dots + 1 > MAX_FRONT_MATTER_DEPTH {
                return Err(too_deep("TOML", n + 1, line, k));
            }
            k += 1;
        }
    }
    Ok(())
}

fn too_deep(kind: &str, line: usize, text: &str, byte: usize) -> ExtractError {
    let column = text.get(..byte).map_or(1, |s| s.chars().count() + 1);
    ExtractError::new(
        format!(
            "{kind} front matter nested more than {MAX_FRONT_MATTER_DEPTH} levels deep; \
             front matter fields are scalars and lists: flatten it"
        ),
        Some((line, column)),
    )
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_front_matter_passes() {
        let yaml = "title: It's [draft] {x}\ntags:\n  - a\n  - [b, c]\nmeta:\n  og:\n    image: {url: x, size: [1, 2]}\n\
                    description: |\n  if (x) {\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n\"quoted\n  ] [ multi\"\n- - - x\n";
        check_yaml(yaml).unwrap();
        let toml = "title = \"a [[[[ {{{{\"\ntags = [\"a\", \"b\"]\n[extra]\nog.image = { url = \"x\", size = [1, 2] }\n\
                    v = 1.5\ns = '''\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n'''\n[[a.b]]\n";
        check_toml(toml).unwrap();
    }

    #[test]
    fn deep_yaml_is_refused_with_its_line() {
        let deep = [
            format!("x: {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a: 1\nx: {}", "{a: ".repeat(50_000)),
            format!("x:\n{}y", "- ".repeat(1000)),
            (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect(),
            format!(
                "x:\n{}",
                (0..100).map(|i| format!("{}- \n", " ".repeat(i))).collect::<String>()
            ),
            format!("x: [{}", "\n[".repeat(100)),
            format!("x: [\"a\", {}]", "[".repeat(100)),
        ];
        for (i, src) in deep.iter().enumerate() {
            let err = check_yaml(src).unwrap_err();
            assert!(err.message.contains("nested more than 32"), "{i}: {err}");
            assert!(err.position.is_some(), "{i}");
        }
        assert_eq!(check_yaml(&deep[1]).unwrap_err().position.map(|p| p.0), Some(2));
    }

    #[test]
    fn huge_front_matter_is_refused() {
        let big = format!("x: [{}]", "[[[1]]], ".repeat(200_000));
        let err = check_yaml(&big).unwrap_err();
        assert!(err.message.contains("more than the 1 MiB allowed"), "{err}");
        let big = format!("x = [{}]", "[[[1]]], ".repeat(200_000));
        assert!(check_toml(&big).is_err());
        check_yaml(&format!("x: [{}]", "[[[1]]], ".repeat(100_000))).unwrap();
    }

    #[test]
    fn deep_toml_is_refused_with_its_line() {
        let deep = [
            format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a = 1\nx = {}", "{a = ".repeat(50_000)),
            format!("{} = 1", vec!["a"; 1000].join(".")),
            format!("[{}]", vec!["a"; 1000].join(".")),
            format!("x = {{ {} = 1 }}", vec!["a"; 1000].join(".")),
        ];
        for (i, src) in deep.iter().enumerate() {
            let err = check_toml(src).unwrap_err();
            assert!(err.message.contains("nested more than 32"), "{i}: {err}");
        }
        assert_eq!(check_toml(&deep[1]).unwrap_err().position.map(|p| p.0), Some(2));
    }
}
