//! The HTML nesting limit: start tags that would open an element more than
//! [`MAX_NESTING`] deep are replaced by a space before html5ever sees them.
//!
//! html5ever's tree builder scans its stack of open elements on most start
//! and end tags, so a document that keeps N elements open costs it O(N²):
//! 200,000 nested `<div>`s (1 MB) took minutes. Bounding the depth bounds
//! every scan, so parsing stays linear in the input.
//!
//! [`limit_nesting`] runs one linear pass of a tokenizer that follows the
//! HTML5 tokenizer's rules where they decide what is markup (comments
//! including `<!-->` and `<!--->`, bogus comments, doctypes, attribute
//! quoting, raw text and script escapes, CDATA in SVG/MathML) and keeps
//! its own stack of the elements the tree builder keeps open. Where the
//! tree builder's rules are too intricate to follow exactly it errs
//! towards counting too deep, never too shallow, so no input can get deep
//! nesting past it:
//!
//! - an end tag closes only an element it names that is open in scope
//!   (`</i>` with no `<i>` open closes nothing; `</div>` does not close
//!   through a `<table>`);
//! - an end tag the parser handles as "any other end tag" (`</span>`,
//!   custom elements) closes nothing when a special element (`<div>`,
//!   `<p>`…) is open above the element it names: the parser ignores it;
//! - formatting elements other than `<a>` (`<b>`, `<i>`, `<font>`…) are
//!   dropped, start and end tags (text kept): they never change the
//!   extracted text, and the parser re-creates every one left open at
//!   each paragraph (`<p><b id=1>x</p>`…), a cost that grows with the
//!   input times the number pending. `<a>` tags (whose `href` is a link
//!   word) stay counted until their own end tag finds them on top of the
//!   stack, and beyond [`MAX_FORMATTING`] of them new ones are dropped;
//! - void elements and those the parser closes by itself when a sibling
//!   starts (`<p>`, `<li>`, `<td>`…) are not counted in HTML, every
//!   element is in SVG and MathML (where `/>` closes one).
//!
//! Flattening keeps the text: only structure that deep is lost.

use std::borrow::Cow;

/// Deepest element nesting handed to the HTML parser. Real pages nest a few
/// dozen levels; this bounds the parser's stack scans to a constant per tag.
pub(crate) const MAX_NESTING: usize = 256;

/// Most elements, comments and doctypes handed to the parser for one
/// document; further tags are replaced by a space and comments dropped
/// (text kept). Every node of the parsed tree costs about 150 bytes and
/// 0.3 µs: 2.5 million `<p>x` (10 MB) took 700 MB and 2 s. A long page has
/// a few thousand.
pub(crate) const MAX_NODES: usize = 1 << 18;

/// Most attributes in one tag; a tag with more is replaced by a space (an
/// end tag dropped). The tokenizer compares each attribute's name with all
/// before it, so one tag with N attributes costs N²: 800,000 of them took
/// minutes.
pub(crate) const MAX_ATTRIBUTES: usize = 64;

/// Most `<a>` elements left open or closed out of order at a time; more
/// are dropped. The parser re-creates every formatting element an
/// unrelated end tag closed (`<p><a href=x>y</p><p>z`) at the next text,
/// so N of them pending cost N new elements per paragraph. (The other
/// formatting elements are always dropped.)
pub(crate) const MAX_FORMATTING: usize = 4;

/// Elements that never have content: their start tag opens nothing.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements the parser closes by itself when a sibling of their kind starts
/// (or that occur once), so they do not pile up on its stack.
const SELF_LIMITING: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "rtc",
    "thead", "tbody", "tfoot", "colgroup", "caption", "html", "head", "body",
];

/// Elements whose content is raw text up to their own end tag (`noscript`
/// too: html5ever parses with scripting enabled). `<script>` has escapes.
const RAW_TEXT: &[&str] =
    &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"];

/// Formatting elements: the parser reopens them after other end tags
/// closed them (the "list of active formatting elements").
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Formatting elements that are dropped: they hold no link and are
/// inline, so the text is the same without them.
const DROPPED_FORMATTING: &[&str] =
    &["b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];

/// End tags the parser closes "in scope" (through any element but a scope
/// boundary); every other end tag is "any other end tag", which stops at
/// the first [`SPECIAL`] element.
const SCOPED_END: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "button",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "pre",
    "search",
    "section",
    "summary",
    "ul",
    "form",
    "p",
    "li",
    "dd",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "applet",
    "marquee",
    "object",
    "template",
    "body",
    "html",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "colgroup",
    "select",
];

/// The parser's "special" HTML elements: "any other end tag" does not
/// close an element through them.
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "keygen",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];

/// An end tag does not close an element through these (the parser's
/// "has an element in scope").
const SCOPE_BOUNDARY: &[&str] =
    &["applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"];

/// HTML start tags that end SVG/MathML content (the parser pops the foreign
/// elements, then opens them as HTML).
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// SVG elements whose content is parsed as HTML again.
const SVG_INTEGRATION: &[&str] = &["foreignobject", "desc", "title"];

/// MathML elements whose content is parsed as HTML again (`annotation-xml`
/// too when its encoding is HTML).
const MATH_INTEGRATION: &[&str] = &["mi", "mo", "mn", "ms", "mtext"];

/// What kind of content an open element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Html,
    /// SVG (and MathML): `/>` closes, no raw text, CDATA sections.
    Svg,
    Math,
    /// An SVG/MathML element whose content is HTML (`<foreignObject>`…).
    Integration,
}

impl Ns {
    fn is_foreign(self) -> bool {
        matches!(self, Ns::Svg | Ns::Math)
    }
}

/// One element the parser keeps open.
struct Open {
    name: Vec<u8>,
    ns: Ns,
    /// For formatting elements: the whole start tag, as the parser compares
    /// them when it limits how many identical ones it reopens.
    tag: Vec<u8>,
    /// A formatting element an end tag closed that the parser may reopen.
    reopen: bool,
}

/// `src` with every start tag that would open an element more than
/// [`MAX_NESTING`] deep replaced by a space: the text is kept, only
/// structure that deep is flattened. Borrowed, not copied, when nothing is
/// that deep (every real page). Linear time.
pub(crate) fn limit_nesting(src: &str) -> Cow<'_, str> {
    let b = src.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut out = String::new();
    let mut copied = 0usize;
    let mut i = 0usize;
    // Nodes the parser will make (elements, comments, doctypes), roughly;
    // past MAX_NODES everything but text is dropped.
    let mut nodes = 0usize;
    while let Some(lt) = find_byte(b, i, b'<') {
        let rest = &b[lt + 1..];
        let top = stack.last().map_or(Ns::Html, |o| o.ns);
        let foreign = top.is_foreign();
        let full = nodes >= MAX_NODES;
        // A comment, doctype or bogus comment ending at `i`: a node.
        let mut comment = |i: usize, out: &mut String, copied: &mut usize| {
            nodes += 1;
            if full {
                out.push_str(&src[*copied..lt]);
                *copied = i;
            }
        };
        match rest.first() {
            Some(b'!') => {
                i = markup_declaration_end(b, lt, foreign);
                if !(foreign && rest.starts_with(b"![CDATA[")) {
                    comment(i, &mut out, &mut copied);
                }
            }
            Some(b'?') => {
                i = find_byte(b, lt, b'>').map_or(b.len(), |p| p + 1);
                comment(i, &mut out, &mut copied);
            }
            Some(b'/') => match rest.get(1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let name = lowercase(tag_name(&rest[1..]));
                    let (end, _, crowded) = tag_end(b, lt + 2);
                    i = end;
                    if full || crowded || is_one_of(&name, DROPPED_FORMATTING) {
                        // Its start tag was dropped too (or closed nothing);
                        // past the node limit `</p>` and `</br>` would make
                        // elements.
                        out.push_str(&src[copied..lt]);
                        copied = i;
                        continue;
                    }
                    close(&mut stack, &name);
                }
                Some(b'>') => i = lt + 3,
                // `</` + anything else is a bogus comment up to `>`.
                _ => {
                    i = find_byte(b, lt, b'>').map_or(b.len(), |p| p + 1);
                    comment(i, &mut out, &mut copied);
                }
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let name = lowercase(tag_name(rest));
                let (end, self_closing, crowded) = tag_end(b, lt + 1);
                i = end;
                if end == b.len() && !b.ends_with(b">") {
                    break; // a tag cut off by the end of input is dropped
                }
                if full || crowded {
                    // Flattened to a space; a script or style goes whole,
                    // so that its content does not become text.
                    if !foreign && is_one_of(&name, RAW_TEXT) {
                        let close = raw_text_end(b, end, &name);
                        i = if close < b.len() { tag_end(b, close + 2).0 } else { b.len() };
                    }
                    out.push_str(&src[copied..lt]);
                    out.push(' ');
                    copied = i;
                    continue;
                }
                nodes += 1;
                let mut ns = if foreign { top } else { Ns::Html };
                if foreign && is_one_of(&name, BREAKOUT) {
                    // The parser pops the SVG/MathML elements first.
                    while stack.last().is_some_and(|o| o.ns.is_foreign()) {
                        stack.pop();
                    }
                    ns = Ns::Html;
                }
                let counted = match ns {
                    Ns::Svg | Ns::Math => !self_closing,
                    _ => {
                        if is_one_of(&name, RAW_TEXT) {
                            // Skip the content; the element closes itself.
                            i = raw_text_end(b, end, &name);
                            continue;
                        }
                        if name == b"plaintext" {
                            break; // the rest of the document is text
                        }
                        if name == b"svg" || name == b"math" {
                            ns = if name == b"svg" { Ns::Svg } else { Ns::Math };
                            !self_closing
                        } else {
                            !is_one_of(&name, VOID) && !is_one_of(&name, SELF_LIMITING)
                        }
                    }
                };
                if !counted {
                    continue;
                }
                if ns == Ns::Html && is_one_of(&name, DROPPED_FORMATTING) {
                    out.push_str(&src[copied..lt]);
                    if foreign {
                        // It ended SVG/MathML: a void element that does the
                        // same keeps that (and the text out of the skipped
                        // drawing).
                        out.push_str("<br>");
                    }
                    copied = end;
                    continue;
                }
                let formatting = ns == Ns::Html && is_one_of(&name, FORMATTING);
                if formatting
                    && stack.iter().filter(|o| !o.tag.is_empty()).count() >= MAX_FORMATTING
                {
                    // Dropped, not spaced: formatting elements are inline.
                    out.push_str(&src[copied..lt]);
                    copied = end;
                } else if stack.len() >= MAX_NESTING {
                    out.push_str(&src[copied..lt]);
                    out.push(' ');
                    copied = end;
                } else {
                    let tag = &b[lt..end];
                    let integration = match ns {
                        Ns::Svg => is_one_of(&name, SVG_INTEGRATION),
                        Ns::Math => {
                            is_one_of(&name, MATH_INTEGRATION)
                                || (name == b"annotation-xml"
                                    && (contains_ignore_case(tag, b"text/html")
                                        || contains_ignore_case(tag, b"application/xhtml+xml")))
                        }
                        _ => false,
                    };
                    if integration {
                        ns = Ns::Integration;
                    }
                    let tag = if ns == Ns::Html && is_one_of(&name, FORMATTING) {
                        tag.to_ascii_lowercase()
                    } else {
                        Vec::new()
                    };
                    stack.push(Open { name, ns, tag, reopen: false });
                }
            }
            _ => i = lt + 1,
        }
    }
    if copied == 0 {
        Cow::Borrowed(src)
    } else {
        out.push_str(&src[copied..]);
        Cow::Owned(out)
    }
}

/// Applies an end tag to the stack, erring towards leaving elements open.
fn close(stack: &mut Vec<Open>, name: &[u8]) {
    let html_context = stack.last().is_none_or(|o| !o.ns.is_foreign());
    if html_context && is_one_of(name, FORMATTING) {
        // Closed for sure only when it is the current element.
        if stack.last().is_some_and(|o| o.name == name && o.ns == Ns::Html) {
            stack.pop();
        }
        return;
    }
    // The nearest open element of that name, not looking through a scope
    // boundary (nor out of SVG/MathML into HTML or back); "any other end
    // tag" stops at any special element.
    let any_other = !is_one_of(name, SCOPED_END);
    let mut found = None;
    for (k, o) in stack.iter().enumerate().rev() {
        if o.name == name {
            found = Some(k);
            break;
        }
        let boundary = match o.ns {
            Ns::Html => {
                !html_context
                    || is_one_of(&o.name, SCOPE_BOUNDARY)
                    || (any_other && is_one_of(&o.name, SPECIAL))
            }
            Ns::Svg | Ns::Math | Ns::Integration => html_context,
        };
        if boundary {
            break;
        }
    }
    if let Some(k) = found {
        // Formatting elements closed on the way may be reopened: keep them,
        // at most three identical ones (the parser's "Noah's Ark" rule).
        let closed: Vec<Open> = stack.drain(k..).skip(1).collect();
        for mut o in closed {
            if o.ns != Ns::Html || !is_one_of(&o.name, FORMATTING) {
                continue;
            }
            let twins = stack.iter().filter(|s| s.reopen && s.tag == o.tag).count();
            if twins < 3 {
                o.reopen = true;
                stack.push(o);
            }
        }
    }
}

/// Index just past a `<!…` construct starting at `lt`: a comment (ending at
/// `-->` or `--!>`; `<!-->` and `<!--->` are empty comments), a CDATA
/// section in SVG/MathML, or a doctype / bogus comment ending at `>`.
fn markup_declaration_end(b: &[u8], lt: usize, foreign: bool) -> usize {
    let rest = &b[lt + 2..];
    if rest.starts_with(b"--") {
        let body = lt + 4;
        let after = &b[body..];
        if after.starts_with(b">") {
            return body + 1;
        }
        if after.starts_with(b"->") {
            return body + 2;
        }
        let mut k = body;
        while let Some(dash) = find_byte(b, k, b'-') {
            let tail = &b[dash..];
            if tail.starts_with(b"-->") {
                return dash + 3;
            }
            if tail.starts_with(b"--!>") {
                return dash + 4;
            }
            k = dash + 1;
        }
        return b.len();
    }
    if foreign && rest.starts_with(b"[CDATA[") {
        return find(b, lt + 9, b"]]>").map_or(b.len(), |p| p + 3);
    }
    find_byte(b, lt, b'>').map_or(b.len(), |p| p + 1)
}

/// Index of the `<` of the end tag that ends the raw text element `name`
/// whose content starts at `from` (or the end of input). `<script>` follows
/// the script-data escape states (`<!--`, nested `<script>`).
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let script = name == b"script";
    let mut state = State::Data;
    let mut k = from;
    while k < b.len() {
        let Some(p) = b[k..].iter().position(|&c| c == b'<' || c == b'-').map(|p| p + k) else {
            break;
        };
        let tail = &b[p..];
        if !script {
            if tail[0] == b'<' && is_tag_named(&tail[1..], b"/", name) {
                return p;
            }
            k = p + 1;
            continue;
        }
        match state {
            State::Data => {
                if tail.starts_with(b"<!--") {
                    state = State::Escaped;
                    // `<!-->` leaves the escape at once: keep the dashes.
                    k = p + 2;
                    continue;
                }
                if is_tag_named(&tail[1..], b"/", name) && tail[0] == b'<' {
                    return p;
                }
            }
            State::Escaped => {
                if tail.starts_with(b"-->") {
                    state = State::Data;
                    k = p + 3;
                    continue;
                }
                if tail[0] == b'<' && is_tag_named(&tail[1..], b"/", name) {
                    return p;
                }
                if tail[0] == b'<' && is_tag_named(&tail[1..], b"", name) {
                    state = State::DoubleEscaped;
                }
            }
            State::DoubleEscaped => {
                if tail.starts_with(b"-->") {
                    state = State::Data;
                    k = p + 3;
                    continue;
                }
                if tail[0] == b'<' && is_tag_named(&tail[1..], b"/", name) {
                    state = State::Escaped;
                }
            }
        }
        k = p + 1;
    }
    b.len()
}

/// Does `s` start with `prefix`, then `name` (ASCII case-insensitively),
/// then whitespace, `/` or `>`, as the tokenizer requires of the tag that
/// ends raw text?
fn is_tag_named(s: &[u8], prefix: &[u8], name: &[u8]) -> bool {
    let Some(s) = s.strip_prefix(prefix) else { return false };
    s.len() > name.len()
        && s[..name.len()].eq_ignore_ascii_case(name)
        && matches!(s[name.len()], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>')
}

fn is_one_of(name: &[u8], list: &[&str]) -> bool {
    list.iter().any(|n| n.as_bytes() == name)
}

fn lowercase(name: &[u8]) -> Vec<u8> {
    name.to_ascii_lowercase()
}

/// The tag name at the start of `s`: up to whitespace, `/` or `>`.
fn tag_name(s: &[u8]) -> &[u8] {
    let len = s.iter().position(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>');
    &s[..len.unwrap_or(s.len())]
}

/// Index just past the `>` ending the tag whose name starts at `from` (or
/// the end of input), whether it ended with a self-closing `/>`, and
/// whether it has more than [`MAX_ATTRIBUTES`] attributes. Follows the
/// tokenizer's attribute states: a quote starts a quoted value only right
/// after `=`.
fn tag_end(b: &[u8], from: usize) -> (usize, bool, bool) {
    #[derive(Clone, Copy)]
    enum S {
        Name,
        BeforeAttrName,
        AttrName,
        AfterAttrName,
        BeforeValue,
        Quoted(u8),
        AfterQuoted,
        Unquoted,
        SelfClosing,
    }
    let ws = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut s = S::Name;
    let mut attributes = 0usize;
    let mut k = from;
    while k < b.len() {
        let c = b[k];
        k += 1;
        s = match s {
            S::Name | S::AttrName => match c {
                b'>' => return (k, false, attributes > MAX_ATTRIBUTES),
                b'/' => S::SelfClosing,
                c if ws(c) => {
                    if matches!(s, S::Name) {
                        S::BeforeAttrName
                    } else {
                        S::AfterAttrName
                    }
                }
                b'=' if matches!(s, S::AttrName) => S::BeforeValue,
                _ => s,
            },
            S::BeforeAttrName => match c {
                b'>' => return (k, false, attributes > MAX_ATTRIBUTES),
                b'/' => S::SelfClosing,
                c if ws(c) => s,
                _ => {
                    attributes += 1;
                    S::AttrName
                }
            },
            S::AfterAttrName => match c {
                b'>' => return (k, false, attributes > MAX_ATTRIBUTES),
                b'/' => S::SelfClosing,
                b'=' => S::BeforeValue,
                c if ws(c) => s,
                _ => {
                    attributes += 1;
                    S::AttrName
                }
            },
            S::BeforeValue => match c {
                b'>' => return (k, false, attributes > MAX_ATTRIBUTES),
                b'"' | b'\'' => S::Quoted(c),
                c if ws(c) => s,
                _ => S::Unquoted,
            },
            S::Quoted(q) if c == q => S::AfterQuoted,
            S::Quoted(_) => s,
            S::AfterQuoted => match c {
                b'>' => return (k, false, attributes > MAX_ATTRIBUTES),
                b'/' => S::SelfClosing,
                c if ws(c) => S::BeforeAttrName,
                _ => {
                    k -= 1; // reconsumed as the start of an attribute name
                    S::BeforeAttrName
                }
            },
            S::Unquoted => match c {
                b'>' => return (k, false, attributes > MAX_ATTRIBUTES),
                c if ws(c) => S::BeforeAttrName,
                _ => s,
            },
            S::SelfClosing => match c {
                b'>' => return (k, true, attributes > MAX_ATTRIBUTES),
                _ => {
                    k -= 1;
                    S::BeforeAttrName
                }
            },
        };
    }
    (b.len(), false, attributes > MAX_ATTRIBUTES)
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

fn find_byte(hay: &[u8], from: usize, byte: u8) -> Option<usize> {
    hay.get(from..)?.iter().position(|&c| c == byte).map(|p| p + from)
}

/// First index at or after `from` where `needle` starts.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many `<div>` start tags survive.
    fn divs(src: &str) -> usize {
        limit_nesting(src).matches("<div>").count()
    }

    #[test]
    fn end_tags_that_close_nothing_do_not_lower_the_depth() {
        let src = format!("{}text", "<div></i></b></span></p>".repeat(1_000));
        assert_eq!(divs(&src), MAX_NESTING);
        let src =
            format!("{}text", format!("{}{}", "<div>".repeat(20), "</i>".repeat(20)).repeat(50));
        assert_eq!(divs(&src), MAX_NESTING);
    }

    #[test]
    fn empty_comments_end_where_html5_ends_them() {
        for open in
            ["<!-->", "<!--->", "<!---->", "<!-- a --!>", "<? pi >", "</ bogus>", "<!doctype html>"]
        {
            let src = format!("{open}{}<!-- -->text", "<div>".repeat(1_000));
            assert_eq!(divs(&src), MAX_NESTING, "{open}");
        }
        // A real comment hides its content.
        let src = format!("<!--{}-->text", "<div>".repeat(1_000));
        assert!(matches!(limit_nesting(&src), Cow::Borrowed(_)));
    }

    #[test]
    fn quotes_only_count_after_equals() {
        // `<div =">` is an attribute named `="`: the tag ends at the first `>`.
        let src = format!("<div =\">{}\"text", "<div>".repeat(1_000));
        assert_eq!(divs(&src), MAX_NESTING - 1);
        let src = format!("<div a='>'>{}", "<div>".repeat(1_000));
        assert_eq!(divs(&src), MAX_NESTING - 1);
    }

    #[test]
    fn raw_text_ends_only_at_its_own_end_tag() {
        let src = format!("<style></styles><!--</style>{}-->", "<div>".repeat(1_000));
        assert_eq!(divs(&src), MAX_NESTING);
        // Script escapes: `</script>` inside `<!--<script>` does not end it.
        let src = format!("<script><!--<script></script><!--</script>{}-->", "<div>".repeat(1_000));
        assert_eq!(divs(&src), MAX_NESTING);
        let src = format!("<script>{}</script>x", "<div>".repeat(1_000));
        assert!(matches!(limit_nesting(&src), Cow::Borrowed(_)));
    }

    #[test]
    fn foreign_content_rules() {
        // `/>` closes in SVG, but an HTML tag leaves SVG and `/>` opens again.
        let src = format!("<svg>{}</svg>", "<g/>".repeat(1_000));
        assert!(matches!(limit_nesting(&src), Cow::Borrowed(_)));
        let src = format!("<svg><div></div>{}x", "<section/>".repeat(1_000));
        assert_eq!(limit_nesting(&src).matches("<section/>").count(), MAX_NESTING);
        // In SVG every element nests, even those HTML closes by itself.
        let src = format!("<svg>{}x", "<td>".repeat(1_000));
        assert_eq!(limit_nesting(&src).matches("<td>").count(), MAX_NESTING - 1);
        // CDATA is only a section in SVG, and then ends at `]]>`.
        let src = format!("<svg><![CDATA[ > <!-- ]]>{}-->", "<g>".repeat(1_000));
        assert_eq!(limit_nesting(&src).matches("<g>").count(), MAX_NESTING - 1);
        // Inside <foreignObject> raw text is back.
        let src = format!("<svg><foreignObject><style><!--</style>{}-->", "<div>".repeat(1_000));
        assert_eq!(divs(&src), MAX_NESTING - 2);
    }

    #[test]
    fn links_stay_counted_until_closed_on_top() {
        // The parser reopens them all after each </div> or </p>: at most
        // MAX_FORMATTING pending...
        for close in ["</div>", "</p>"] {
            let open = if close == "</p>" { "<p>" } else { "<div>" };
            let src: String = (0..1_000).map(|i| format!("{open}<a href={i}>x{close}")).collect();
            assert_eq!(limit_nesting(&src).matches("<a href=").count(), MAX_FORMATTING, "{close}");
        }
        // ...identical ones at most three times.
        let src = format!("{}x", "<div><a href=1></div>".repeat(1_000));
        assert_eq!(limit_nesting(&src).matches("<a href=1>").count(), 1_000);
        // Properly closed ones never count.
        let src = format!("{}x", "<p><a href=x>b</a> <span>c</span></p>".repeat(1_000));
        assert!(matches!(limit_nesting(&src), Cow::Borrowed(_)));
    }

    #[test]
    fn other_formatting_elements_are_dropped_text_kept() {
        assert_eq!(
            limit_nesting("<p>x <B class=y>b</b> <code>c</CODE> <i>i</p>"),
            "<p>x b c i</p>"
        );
        // Nothing pending for the parser to re-create at every paragraph.
        let src: String = (0..1_000).map(|i| format!("<p><b id={i}>x</p>")).collect();
        assert_eq!(limit_nesting(&src), "<p>x</p>".repeat(1_000));
        // In SVG one still ends the drawing, as a void element.
        assert_eq!(limit_nesting("<svg><g><b>x</b></svg>"), "<svg><g><br>x</svg>");
    }

    #[test]
    fn any_other_end_tag_stops_at_a_special_element() {
        // `</span>` is ignored with a `<div>` open above the `<span>`.
        let src = format!("{}text", "<span><div></span>".repeat(1_000));
        let flat = limit_nesting(&src);
        assert_eq!(flat.matches("<div>").count() + flat.matches("<span>").count(), MAX_NESTING);
        // With only inline elements above it, it closes them.
        let src = format!("{}text", "<span><em-x><q></span>".repeat(1_000));
        assert!(matches!(limit_nesting(&src), Cow::Borrowed(_)));
    }

    #[test]
    fn end_tags_do_not_close_through_a_table() {
        let src = format!("{}x", "<div><table></div>".repeat(1_000));
        let flat = limit_nesting(&src);
        assert_eq!(flat.matches("<div>").count() + flat.matches("<table>").count(), MAX_NESTING);
    }

    #[test]
    fn past_the_node_limit_only_text_is_kept() {
        let src =
            format!("{}<script>var x;</script><!-- c --></p><p>end", "<p>x".repeat(MAX_NODES));
        let flat = limit_nesting(&src);
        assert_eq!(flat.matches("<p>").count(), MAX_NODES);
        assert!(flat.ends_with("<p>x  end"), "{}", &flat[flat.len() - 20..]);
        let src = format!("{}x</p>", "<!---->".repeat(MAX_NODES + 5));
        assert_eq!(limit_nesting(&src), format!("{}x", "<!---->".repeat(MAX_NODES)));
    }

    #[test]
    fn a_tag_with_too_many_attributes_is_flattened() {
        let attrs = |n: usize| (0..n).map(|i| format!(" a{i}=\"v>\"")).collect::<String>();
        let ok = format!("<div{}>x</div>", attrs(MAX_ATTRIBUTES));
        assert!(matches!(limit_nesting(&ok), Cow::Borrowed(_)));
        let src = format!("<p>a<div{}>x</div {}>b", attrs(MAX_ATTRIBUTES + 1), attrs(100));
        assert_eq!(limit_nesting(&src), "<p>a xb");
    }
}
