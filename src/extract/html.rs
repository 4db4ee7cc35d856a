//! HTML → plain text plus metadata, for whole pages ([`extract`]) and for
//! fragments embedded in other formats ([`fragment_to_text`]: feed item
//! content, raw HTML inside Markdown).
//!
//! Parsing (and entity decoding) is html5ever's via `scraper`; this module
//! only decides which part of the page is the article and how the tree
//! becomes lines of text. Block-level elements end a line, inline elements
//! do not add spaces (`foo<b>bar</b>` → `foobar`), and non-content
//! elements (scripts, styles, navigation, SVG, ...) are dropped, and so is a
//! whole page's chrome (`<header>`, `<footer>`, `<aside>`, `role="navigation"`). `<pre>`
//! (and `<listing>`) text is code: it goes to the code field
//! (`Document::code`), keeping its line breaks, not to the text. The
//! targets of `<a href>` and `<img src>` go to the link field
//! (`Document::links`, see `links`); the link text stays text. The tree is walked with an explicit stack, never
//! recursively, so arbitrarily deep markup cannot overflow the call stack.
//!
//! Nesting deeper than `MAX_NESTING` elements is flattened before parsing
//! (the text is kept; see the `nesting` module): html5ever's tree builder
//! scans its stack of open elements on most block-level start tags, so
//! N nested `<div>`s cost O(N²) — 200,000 of them (1 MB) took minutes.
//!
//! Not done here: choosing a key or a fallback title, reading files,
//! detecting the charset (input is already `&str`).

use scraper::{ElementRef, Html, Node, Selector};

use super::nesting::limit_nesting;
use super::{ExtractOptions, Fields, clean_inline, dedup_tags, push_tag, strip_bom};
use crate::document::Document;

/// A `--exclude-selector`: a CSS selector (`scraper`'s syntax:
/// `.related`, `div#comments`, `section[data-nosnippet]`, `a, b`) whose
/// elements, with everything inside them, are left out of a whole page's
/// text, code and links. Compared by the text it was written as.
#[derive(Debug, Clone)]
pub struct ExcludeSelector {
    source: String,
    selector: Selector,
}

impl ExcludeSelector {
    /// Parses `css`; the error names the selector and what is wrong with it.
    pub fn parse(css: &str) -> Result<Self, String> {
        let source = css.trim();
        if source.is_empty() {
            return Err("the selector is empty (e.g. --exclude-selector '.related')".into());
        }
        Selector::parse(source)
            .map(|selector| ExcludeSelector { source: source.to_owned(), selector })
            .map_err(|e| format!("{source:?} is not a CSS selector: {e}"))
    }

    /// The selector as written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn matches(&self, el: ElementRef<'_>) -> bool {
        self.selector.matches(&el)
    }
}

impl PartialEq for ExcludeSelector {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for ExcludeSelector {}

impl std::str::FromStr for ExcludeSelector {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// Elements whose content is never article text.
const SKIPPED: &[&str] =
    &["script", "style", "noscript", "template", "nav", "head", "svg", "iframe", "title", "object"];

/// A built site's page chrome, also skipped in whole pages (not in
/// fragments: an `<aside>` inside a post's own HTML is the author's): site
/// headers and footers, sidebars — and the related list a previous run
/// rendered into the page, which must not become its own text on the next.
/// Elements with `role="navigation"` are skipped as `<nav>` is.
const PAGE_CHROME: &[&str] = &["header", "footer", "aside"];

/// Elements that start and end a line. Anything else (span, a, em, code, b,
/// ...) is inline and glues to its neighbours exactly as written.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "legend",
    "li",
    "listing",
    "main",
    "menu",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose text keeps its newlines as line breaks.
const PREFORMATTED: &[&str] = &["pre", "listing", "textarea"];

/// Preformatted elements whose text is code (the code field, not the text).
const CODE: &[&str] = &["pre", "listing"];

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Extracts title, body text and metadata from a whole HTML page.
///
/// Body text comes from the first `<main>`, else from every `<article>`
/// not nested in another one, else from `<body>`, else from the whole
/// document. The title is `<title>`, else the first `<h1>` (which is then
/// left out of the text so the title is not repeated).
pub fn extract(src: &str) -> Document {
    extract_with(src, &ExtractOptions::default())
}

/// [`extract`], also leaving out of the text (and code and links) every
/// element matching one of `opts.exclude_selectors`, with its content.
pub fn extract_with(src: &str, opts: &ExtractOptions) -> Document {
    let doc = Html::parse_document(&limit_nesting(strip_bom(src)));
    let mut out = Document::default();
    let found = scan(&doc, &mut out);
    dedup_tags(&mut out.tags);

    let mut skip_h1 = None;
    if out.title.is_none()
        && let Some(h1) = found.first_h1
    {
        out.title = clean_inline(&element_text(h1, None));
        skip_h1 = Some(h1);
    }

    let roots: Vec<ElementRef<'_>> = if let Some(main) = found.main {
        vec![main]
    } else if !found.articles.is_empty() {
        found.articles
    } else if let Some(body) = found.body {
        vec![body]
    } else {
        top_elements(&doc)
    };
    let mut fields = Fields::default();
    for root in roots {
        append_text(root, skip_h1, Some(&opts.exclude_selectors), &mut fields);
        fields.text.push_break();
        fields.code.push_break();
    }
    out.text = fields.text.finish();
    out.code = fields.code.finish();
    out.links = fields.links;
    out
}

/// Converts an HTML fragment to text with the same rules as [`extract`]
/// (blocks → lines, scripts and styles dropped, entities decoded); code
/// and link targets are left out (see `fragment_to_fields`).
pub fn fragment_to_text(fragment: &str) -> String {
    fragment_to_fields(fragment).text.finish()
}

/// Converts an HTML fragment to text, code and link words with the same
/// rules as [`extract`] (feed item content, raw HTML inside Markdown).
pub(crate) fn fragment_to_fields(fragment: &str) -> Fields {
    let doc = Html::parse_fragment(&limit_nesting(fragment));
    let mut fields = Fields::default();
    for root in top_elements(&doc) {
        append_text(root, None, None, &mut fields);
    }
    fields
}

/// The element children of the document (or fragment) node: normally just
/// `<html>`. Used instead of `Html::root_element`, which panics if absent.
fn top_elements(doc: &Html) -> Vec<ElementRef<'_>> {
    doc.tree.root().children().filter_map(ElementRef::wrap).collect()
}

/// Elements the text stage needs, found in one document-order pass.
#[derive(Default)]
struct Found<'a> {
    main: Option<ElementRef<'a>>,
    articles: Vec<ElementRef<'a>>,
    body: Option<ElementRef<'a>>,
    first_h1: Option<ElementRef<'a>>,
}

/// One pre-order pass over the whole document (explicit stack) that fills
/// the metadata fields of `out` and locates the candidate text roots.
fn scan<'a>(doc: &'a Html, out: &mut Document) -> Found<'a> {
    let mut found = Found::default();
    // (element, inside an <article>)
    let mut stack: Vec<(ElementRef<'a>, bool)> =
        top_elements(doc).into_iter().rev().map(|e| (e, false)).collect();
    while let Some((el, in_article)) = stack.pop() {
        let e = el.value();
        let is_html = &*e.name.ns == HTML_NS;
        match e.name() {
            "html" if is_html && out.lang.is_none() => {
                out.lang = e.attr("lang").or_else(|| e.attr("xml:lang")).and_then(clean_inline);
            }
            "title" if is_html && out.title.is_none() => {
                out.title = clean_inline(&el.text().collect::<String>());
            }
            "h1" if is_html && found.first_h1.is_none() => found.first_h1 = Some(el),
            "main" if is_html && found.main.is_none() => found.main = Some(el),
            "body" if is_html && found.body.is_none() => found.body = Some(el),
            "article" if is_html && !in_article => found.articles.push(el),
            "meta" => read_meta(e, out),
            "link" if out.url.is_none() => {
                let canonical = e.attr("rel").is_some_and(|rel| {
                    rel.split_whitespace().any(|r| r.eq_ignore_ascii_case("canonical"))
                });
                if canonical {
                    out.url = e.attr("href").and_then(clean_inline);
                }
            }
            _ => {}
        }
        let in_article = in_article || (is_html && e.name() == "article");
        for child in el.children().rev().filter_map(ElementRef::wrap) {
            stack.push((child, in_article));
        }
    }
    found
}

fn read_meta(e: &scraper::node::Element, out: &mut Document) {
    let Some(content) = e.attr("content") else {
        return;
    };
    let name = e.attr("name").or_else(|| e.attr("property")).unwrap_or("");
    if name.eq_ignore_ascii_case("description") {
        if out.site.description.is_none() {
            out.site.description = clean_inline(content);
        }
    } else if name.eq_ignore_ascii_case("keywords") {
        for k in content.split(',') {
            push_tag(&mut out.tags, k);
        }
    } else if name == "article:tag" {
        push_tag(&mut out.tags, content);
    } else if name == "article:published_time" && out.date.is_none() {
        out.date = clean_inline(content);
    }
}

/// Text of one element on a single line (for titles taken from `<h1>`).
fn element_text(el: ElementRef<'_>, skip: Option<ElementRef<'_>>) -> String {
    let mut fields = Fields::default();
    append_text(el, skip, None, &mut fields);
    fields.text.finish()
}

enum Step<N> {
    Enter(N),
    Leave { block: bool, pre: bool, code: bool },
}

/// Appends the text of `root` to `out` following the module's rules;
/// `skip` is one element to leave out (the `<h1>` used as title); `page`:
/// `root` is part of a whole page, whose [`PAGE_CHROME`] is left out too,
/// and so are the elements these selectors match.
fn append_text(
    root: ElementRef<'_>,
    skip: Option<ElementRef<'_>>,
    page: Option<&[ExcludeSelector]>,
    out: &mut Fields,
) {
    let skip_id = skip.map(|s| s.id());
    let mut stack = vec![Step::Enter(*root)];
    let mut pre_depth = 0usize;
    let mut code_depth = 0usize;
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Leave { block, pre, code } => {
                if pre {
                    pre_depth = pre_depth.saturating_sub(1);
                }
                if code {
                    code_depth = code_depth.saturating_sub(1);
                    out.code.push_break();
                }
                if block {
                    out.text.push_break();
                }
                continue;
            }
            Step::Enter(node) => node,
        };
        let sink = if code_depth > 0 { &mut out.code } else { &mut out.text };
        match node.value() {
            Node::Text(t) if pre_depth > 0 => sink.push_lines(t),
            Node::Text(t) => sink.push_text(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) || Some(node.id()) == skip_id {
                    continue;
                }
                let navigation =
                    e.attr("role").is_some_and(|r| r.trim().eq_ignore_ascii_case("navigation"));
                if let Some(excluded) = page {
                    if PAGE_CHROME.contains(&name) || navigation {
                        continue;
                    }
                    if !excluded.is_empty()
                        && ElementRef::wrap(node)
                            .is_some_and(|el| excluded.iter().any(|s| s.matches(el)))
                    {
                        continue;
                    }
                }
                if name == "br" || name == "hr" {
                    sink.push_break();
                    continue;
                }
                match name {
                    "a" => e.attr("href").into_iter().for_each(|h| out.push_link(h)),
                    "img" => e.attr("src").into_iter().for_each(|h| out.push_link(h)),
                    _ => {}
                }
                let block = BLOCKS.contains(&name);
                let pre = PREFORMATTED.contains(&name);
                let code = CODE.contains(&name);
                if block {
                    out.text.push_break();
                }
                if pre {
                    pre_depth += 1;
                }
                if code {
                    code_depth += 1;
                }
                stack.push(Step::Leave { block, pre, code });
                stack.extend(node.children().rev().map(Step::Enter));
            }
            // Comments, doctypes, processing instructions carry no text.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::super::nesting::MAX_NESTING;
    use super::*;

    #[test]
    fn blocks_become_lines_and_inline_glues() {
        assert_eq!(fragment_to_text("<p>a</p><p>b</p>"), "a\nb");
        assert_eq!(fragment_to_text("foo<b>bar</b> <i>baz</i>"), "foobar baz");
        assert_eq!(
            fragment_to_text("<ul><li>one</li><li>two<br>three</li></ul><h2>Head</h2>x"),
            "one\ntwo\nthree\nHead\nx"
        );
        assert_eq!(fragment_to_text("<table><tr><td>a</td><td>b</td></tr></table>"), "a\nb");
    }

    #[test]
    fn whitespace_collapsed_and_entities_decoded() {
        assert_eq!(
            fragment_to_text("  <p>  a \n\t b&nbsp;&amp; &lt;c&gt; &#12354;</p>  "),
            "a b & <c> あ"
        );
    }

    #[test]
    fn pre_is_code_and_keeps_line_breaks() {
        let src =
            "<p>x <code>inline</code></p><pre><code>fn a() {\n    b()\n}</code></pre><p>y</p>";
        let f = fragment_to_fields(src);
        assert_eq!(f.text.finish(), "x inline\ny");
        assert_eq!(f.code.finish(), "fn a() {\nb()\n}");
        assert_eq!(fragment_to_text("<textarea>a\nb</textarea>"), "a\nb");
    }

    #[test]
    fn link_and_image_targets_are_link_words() {
        let page = "<body><p>See <a href=\"https://www.rust-lang.org/learn?x=1#y\">the book</a>\
                    <img src=\"/img/ferris.png\" alt=\"crab\"> <a href=\"#top\">top</a></p>\
                    <pre><a href=\"https://docs.rs/serde\">serde</a></pre></body>";
        let e = extract(page);
        assert_eq!(e.text, "See the book top");
        assert_eq!(e.links, ["rust-lang.org learn", "img ferris.png", "docs.rs serde"]);
        assert_eq!(e.code, "serde");
    }

    #[test]
    fn non_content_elements_dropped() {
        let t = fragment_to_text(
            "<nav>Home | About</nav><p>keep</p><script>var x = 1;</script>\
             <style>p{}</style><noscript>enable js</noscript>\
             <svg><text>drawn</text></svg><iframe src=x>frame</iframe><button>Click</button>",
        );
        assert_eq!(t, "keep\nClick");
    }

    #[test]
    fn page_metadata_and_main_preferred() {
        let page = r#"<!DOCTYPE html>
<html lang="ja"><head>
<title>  My   Post | Site </title>
<meta name="description" content=" A post. ">
<meta name="keywords" content="rust, web ,,rust">
<meta property="article:published_time" content="2024-01-02T03:04:05Z">
<link rel="canonical" href="https://example.com/post/">
<style>body{}</style>
</head><body>
<nav>menu</nav><header>Site header</header>
<main><h1>My Post</h1><p>Body <a href="/x">link</a>.</p></main>
<footer>footer</footer>
</body></html>"#;
        let e = extract(page);
        assert_eq!(e.title.as_deref(), Some("My Post | Site"));
        assert_eq!(e.text, "My Post\nBody link.");
        assert_eq!(e.lang.as_deref(), Some("ja"));
        assert_eq!(e.site.description.as_deref(), Some("A post."));
        assert_eq!(e.tags, ["rust", "web"]);
        assert_eq!(e.date.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(e.url.as_deref(), Some("https://example.com/post/"));
        assert_eq!(e.key, "");
        assert!(!e.draft);
    }

    #[test]
    fn page_chrome_and_a_rendered_related_list_are_not_text() {
        let page = r#"<html><body>
<header><a href="/">My site</a> <span>tagline</span></header>
<div role="navigation">Home | Tags</div>
<p>The post itself.</p>
<aside><h2>Related articles</h2><ul><li><a href="/b/">Bread at home</a></li></ul></aside>
<footer>© me</footer>
</body></html>"#;
        let e = extract(page);
        assert_eq!(e.text, "The post itself.");
        assert!(e.links.is_empty(), "{:?}", e.links);
        // In a fragment (a feed item's HTML, raw HTML in Markdown) an
        // <aside> or <header> is the author's own content.
        assert_eq!(fragment_to_text("<aside>A note</aside><p>text</p>"), "A note\ntext");
    }

    #[test]
    fn exclude_selectors_drop_matching_elements_of_whole_pages_only() {
        let page = r#"<html><body><main><h1>Bread</h1><p>Flour and water.</p>
<div class="related"><h2>Related</h2><ul><li><a href="/kyoto/">Kyoto temples</a></li></ul></div>
<section id="comments"><p>Nice post!</p><pre>spam()</pre></section>
<p class="note related-ish">kept</p></main></body></html>"#;
        let plain = extract(page);
        assert!(plain.text.contains("Kyoto temples") && plain.text.contains("Nice post!"));
        let opts = ExtractOptions {
            exclude_selectors: vec![
                ExcludeSelector::parse(".related").unwrap(),
                ExcludeSelector::parse(" section#comments , .nothing ").unwrap(),
            ],
            ..ExtractOptions::default()
        };
        let e = extract_with(page, &opts);
        assert_eq!(e.text, "Flour and water.\nkept");
        assert!(e.links.is_empty(), "links inside excluded elements are dropped: {:?}", e.links);
        assert_eq!(e.code, "", "so is their code");
        assert_eq!(e.title.as_deref(), Some("Bread"));
        // The default page chrome still goes.
        let e = extract_with("<body><aside>side</aside><p class=x>x</p><p>y</p></body>", &opts);
        assert_eq!(e.text, "x\ny");
        assert_eq!(opts.exclude_selectors[1].as_str(), "section#comments , .nothing");
    }

    #[test]
    fn bad_exclude_selectors_name_the_selector_and_the_error() {
        let e = ExcludeSelector::parse("div[").unwrap_err();
        assert!(e.starts_with("\"div[\" is not a CSS selector: "), "{e}");
        assert!(e.len() > "\"div[\" is not a CSS selector: ".len(), "says why: {e}");
        assert!(ExcludeSelector::parse("  ").unwrap_err().contains("empty"));
        assert!("a > b".parse::<ExcludeSelector>().is_ok());
    }

    #[test]
    fn articles_concatenated_when_no_main() {
        let page = "<body><p>side</p><article><p>one</p><article>inner</article></article>\
                    <article><p>two</p></article></body>";
        assert_eq!(extract(page).text, "one\ninner\ntwo");
    }

    #[test]
    fn body_used_and_title_falls_back_to_h1() {
        let e = extract("<html><body><h1> The <em>Title</em></h1><p>text</p></body></html>");
        assert_eq!(e.title.as_deref(), Some("The Title"));
        // the h1 became the title, so it is not repeated in the text
        assert_eq!(e.text, "text");
        let e = extract("just text, no tags");
        assert_eq!(e.title, None);
        assert_eq!(e.text, "just text, no tags");
    }

    #[test]
    fn svg_title_is_not_page_title() {
        let e = extract("<body><svg><title>icon</title></svg><p>x</p></body>");
        assert_eq!(e.title, None);
        assert_eq!(e.text, "x");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        // html5ever builds deep trees in linear time for inline elements
        // (nested <div>s cost it quadratic time, see below); either way our
        // walk must not recurse.
        let n = 100_000;
        let src = format!("<body>{}deep{}</body>", "<span>".repeat(n), "</span>".repeat(n));
        let e = extract(&src);
        assert_eq!(e.text, "deep");
        assert_eq!(fragment_to_text(&src), "deep");
    }

    #[test]
    fn normal_pages_are_not_copied_by_the_nesting_limit() {
        let page = "<!DOCTYPE html><html><head><title>t</title><script>if (a<b) x='<div>';</script>\
                    </head><body><!-- <div><div> --><div class=\"a>b\"><p>x<p>y<ul><li>1<li>2</ul>\
                    <svg><path d='M0'/><path/></svg><br><img src=x></div></body></html>";
        assert!(matches!(limit_nesting(page), Cow::Borrowed(_)));
        let deep_but_fine =
            format!("{}x{}", "<div>".repeat(MAX_NESTING), "</div>".repeat(MAX_NESTING));
        assert!(matches!(limit_nesting(&deep_but_fine), Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_beyond_the_limit_is_flattened_keeping_the_text() {
        let n = 1_000;
        let src = format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n));
        let flat = limit_nesting(&src);
        assert_eq!(flat.matches("<div>").count(), MAX_NESTING);
        assert!(flat.contains("deep"));
        assert_eq!(fragment_to_text(&src), "deep");
        // `<div/>` opens a div in HTML, so it counts
        let src = format!("{}x", "<div/>".repeat(n));
        assert_eq!(limit_nesting(&src).matches("<div/>").count(), MAX_NESTING);
        // but `/>` closes inside SVG, and raw text is not markup
        let src =
            format!("<svg>{}</svg><script>{}</script><p>x", "<g/>".repeat(n), "<b>".repeat(n));
        assert!(matches!(limit_nesting(&src), Cow::Borrowed(_)));
    }

    #[test]
    fn very_deep_div_nesting_is_fast() {
        // 200,000 nested <div>s (1 MB) took html5ever minutes before the
        // nesting limit; now the parser never sees more than MAX_NESTING.
        let n = 200_000;
        let src = format!("<body>{}deep", "<div>".repeat(n));
        let started = std::time::Instant::now();
        assert_eq!(extract(&src).text, "deep");
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }

    #[test]
    fn deep_div_nesting_does_not_overflow() {
        // Kept smaller than the span test only because html5ever's own tree
        // builder is O(depth²) for nested block elements in debug builds.
        let n = 3_000;
        let src = format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        assert_eq!(fragment_to_text(&src), "x");
    }
}
