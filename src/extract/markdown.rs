//! Markdown (and MDX-ish) files: front matter → metadata, body → plain text.
//!
//! Front matter is YAML between `---` lines (closed by `---` or `...`) or
//! TOML between `+++` lines, as Hugo and Jekyll write it; the body is
//! rendered to text with pulldown-cmark (tables, footnotes, strikethrough,
//! task lists). Raw HTML inside the Markdown goes through
//! [`html::fragment_to_text`](super::html::fragment_to_text), so it follows
//! the same rules as HTML pages (scripts dropped, blocks → lines).
//!
//! What is emitted as text: headings, paragraphs, list items, block quotes,
//! table cells, footnote definitions, inline code, link text and image alt
//! text. Soft line breaks become a space, hard breaks and block ends a
//! newline. Fenced and indented code blocks go to the code field
//! (`Document::code`); link and image targets, autolinks and bare
//! `http(s)://` URLs in the text go to the link field (`Document::links`,
//! see `links`), never to the text.
//!
//! Zenn/Qiita (`:::message`, `@[card](…)`, `![](x.png =600x)`), Hugo
//! shortcodes, MDX `{/* comments */}` and LaTeX math (`$…$`, `$$…$$`: commands
//! dropped) are understood, not indexed as words (see the `markup` module),
//! unless [`ExtractOptions::keep_markup`] is set (which also leaves URLs in
//! the text, as extraction did before link fields).
//!
//! MDX: a *top-level* paragraph whose source starts with `import ` or
//! `export ` is taken to be an MDX ES-module statement and dropped whole.
//! The same words inside lists, quotes or later in a paragraph are kept.
//! An `export` whose value spans a blank line is split into several
//! paragraphs by Markdown, and the later ones are kept as text.
//!
//! Left to the caller: the fallback title (a missing `title` stays `None`;
//! the first heading is *not* guessed), the key, and which files are Markdown.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use pulldown_cmark::LinkType;

use super::html::fragment_to_fields;
use super::links::find_bare_url;
use super::markup::{bound_marks, math_text, preprocess};
use super::{
    ExtractError, ExtractOptions, Fields, clean_inline, dedup_tags, line_col, push_tag, strip_bom,
};
use crate::document::Document;

/// Extracts one Markdown file (front matter + body), with what was changed
/// to keep reading it bounded (a note each, for a warning naming the file).
pub fn extract(src: &str, opts: &ExtractOptions) -> Result<(Document, Vec<String>), ExtractError> {
    let src = strip_bom(src);
    let (front, body) = split_front_matter(src)?;
    let mut out = Document::default();
    if let Some(front) = front {
        let map = match front.kind {
            FrontKind::Yaml => parse_yaml(&front.text)?,
            FrontKind::Toml => parse_toml(&front.text)?,
        };
        apply_front_matter(&map, &mut out);
    }
    let (body, notes) = bound_marks(body);
    let fields = body_fields(&body, opts);
    out.text = fields.text.finish();
    out.code = fields.code.finish();
    out.links = fields.links;
    Ok((out, notes.into_iter().collect()))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FrontKind {
    Yaml,
    Toml,
}

struct FrontMatter {
    kind: FrontKind,
    /// The lines between the delimiters, joined with `\n` (CR stripped).
    /// Its line 1 is line 2 of the file.
    text: String,
}

/// Splits off front matter. A file has front matter only if its very
/// first line is `---` or `+++` (trailing blanks and CR tolerated).
fn split_front_matter(src: &str) -> Result<(Option<FrontMatter>, &str), ExtractError> {
    let mut lines = src.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let (kind, closers): (FrontKind, &[&str]) = match delimiter_line(first) {
        "---" => (FrontKind::Yaml, &["---", "..."]),
        "+++" => (FrontKind::Toml, &["+++"]),
        _ => return Ok((None, src)),
    };
    let mut offset = first.len();
    let mut inner = Vec::new();
    for line in lines {
        offset += line.len();
        let bare = delimiter_line(line);
        if closers.contains(&bare) {
            let text = inner.join("\n");
            return Ok((Some(FrontMatter { kind, text }), &src[offset..]));
        }
        inner.push(line.trim_end_matches('\n').trim_end_matches('\r'));
    }
    let (name, closer) = match kind {
        FrontKind::Yaml => ("YAML", "---"),
        FrontKind::Toml => ("TOML", "+++"),
    };
    Err(ExtractError::new(
        format!("unclosed {name} front matter (opened at line 1, no closing `{closer}`)"),
        Some((1, 1)),
    ))
}

/// A line without its line ending and trailing blanks, for delimiter checks.
fn delimiter_line(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r', ' ', '\t'])
}

/// Front matter values reduced to what the fields need. Converting only
/// one level deep (lists of scalars) keeps this non-recursive; anything
/// deeper is `Other` and ignored.
#[derive(Debug, Clone, PartialEq)]
enum FmValue {
    Str(String),
    Bool(bool),
    List(Vec<FmValue>),
    Other,
}

impl FmValue {
    /// The value as a string if it is a scalar (numbers and booleans as written).
    fn scalar(&self) -> Option<String> {
        match self {
            FmValue::Str(s) => Some(s.clone()),
            FmValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

type FmMap = Vec<(String, FmValue)>;

fn parse_yaml(text: &str) -> Result<FmMap, ExtractError> {
    use serde_norway::Value;
    super::depth::check_yaml(text).map_err(|e| e.shifted_lines(1))?;
    let value: Value = serde_norway::from_str(text).map_err(|e| {
        // Front matter line n is file line n + 1; the column is unchanged.
        let position = e.location().map(|l| (l.line() + 1, l.column()));
        ExtractError::new(
            format!("invalid YAML front matter: {}", shift_line_numbers(&e.to_string(), 1)),
            position,
        )
    })?;
    let mapping = match untag_yaml(&value) {
        Value::Null => return Ok(Vec::new()),
        Value::Mapping(m) => m,
        _ => {
            return Err(ExtractError::new(
                "front matter is not a mapping of keys to values",
                Some((2, 1)),
            ));
        }
    };
    let mut map: FmMap = mapping
        .iter()
        .filter_map(|(k, v)| {
            let key = untag_yaml(k).as_str()?.to_owned();
            let value = match untag_yaml(v) {
                Value::Sequence(items) => {
                    FmValue::List(items.iter().map(|i| yaml_scalar(untag_yaml(i))).collect())
                }
                other => yaml_scalar(other),
            };
            Some((key, value))
        })
        .collect();
    // One level of nesting, as `outer.inner` (Hugo's `build: {list: never}`).
    for (k, v) in mapping {
        if let (Some(outer), Value::Mapping(inner)) = (untag_yaml(k).as_str(), untag_yaml(v)) {
            for (ik, iv) in inner {
                if let Some(name) = untag_yaml(ik).as_str() {
                    map.push((format!("{outer}.{name}"), yaml_scalar(untag_yaml(iv))));
                }
            }
        }
    }
    Ok(map)
}

/// Looks through YAML tags (`!foo value`) to the value, iteratively.
fn untag_yaml(mut v: &serde_norway::Value) -> &serde_norway::Value {
    while let serde_norway::Value::Tagged(t) = v {
        v = &t.value;
    }
    v
}

fn yaml_scalar(v: &serde_norway::Value) -> FmValue {
    use serde_norway::Value;
    match v {
        Value::String(s) => FmValue::Str(s.clone()),
        Value::Number(n) => FmValue::Str(n.to_string()),
        Value::Bool(b) => FmValue::Bool(*b),
        _ => FmValue::Other,
    }
}

fn parse_toml(text: &str) -> Result<FmMap, ExtractError> {
    super::depth::check_toml(text).map_err(|e| e.shifted_lines(1))?;
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let position = e.span().map(|span| {
            let (line, col) = line_col(text, span.start);
            (line + 1, col)
        });
        ExtractError::new(format!("invalid TOML front matter: {}", e.message().trim()), position)
    })?;
    let mut map: FmMap = table
        .iter()
        .map(|(k, v)| {
            let value = match v {
                toml::Value::Array(items) => FmValue::List(items.iter().map(toml_scalar).collect()),
                other => toml_scalar(other),
            };
            (k.clone(), value)
        })
        .collect();
    // One level of nesting, as `outer.inner` (Hugo's `[build] list = "never"`).
    for (outer, v) in &table {
        if let toml::Value::Table(inner) = v {
            for (name, iv) in inner {
                map.push((format!("{outer}.{name}"), toml_scalar(iv)));
            }
        }
    }
    Ok(map)
}

fn toml_scalar(v: &toml::Value) -> FmValue {
    match v {
        toml::Value::String(s) => FmValue::Str(s.clone()),
        toml::Value::Integer(i) => FmValue::Str(i.to_string()),
        toml::Value::Float(f) => FmValue::Str(f.to_string()),
        toml::Value::Boolean(b) => FmValue::Bool(*b),
        toml::Value::Datetime(d) => FmValue::Str(d.to_string()),
        _ => FmValue::Other,
    }
}

/// Adds `delta` to every number that follows the word "line" in a parser
/// message, so positions quoted inside the message match the file.
fn shift_line_numbers(msg: &str, delta: usize) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find("line ") {
        let (head, tail) = rest.split_at(i + "line ".len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match tail[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n.saturating_add(delta)).to_string()),
            Err(_) => out.push_str(&tail[..digits]),
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// Copies the known keys into `out`. Wrong types are ignored, never errors:
/// front matter is written for a site generator, not for us.
fn apply_front_matter(map: &FmMap, out: &mut Document) {
    let get = |key: &str| map.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let first_scalar = |keys: &[&str]| {
        keys.iter().find_map(|k| get(k).and_then(FmValue::scalar).and_then(|s| clean_inline(&s)))
    };
    out.title = first_scalar(&["title"]);
    // `published` is a date in some generators and Jekyll's on/off switch in
    // others; only a date-like value is a date.
    let is_bool = |k: &&str| matches!(get(k), Some(FmValue::Bool(_)));
    let date_keys: Vec<&str> = ["date", "publishDate", "published", "pubDate"]
        .into_iter()
        .filter(|k| !is_bool(k))
        .collect();
    out.date = first_scalar(&date_keys);
    // Only text is a url: Eleventy's `permalink: false` means "no page".
    out.url = ["url", "permalink"].iter().find_map(|k| match get(k) {
        Some(FmValue::Str(s)) => clean_inline(s),
        _ => None,
    });
    out.slug = first_scalar(&["slug"]);
    out.lang = first_scalar(&["lang", "language", "locale"]);
    apply_site_front_matter(map, out);
    out.site.description = first_scalar(&["description", "summary"]);
    out.draft = match get("draft") {
        Some(FmValue::Bool(b)) => *b,
        Some(FmValue::Str(s)) => {
            let s = s.trim();
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes")
        }
        _ => false,
    } || matches!(get("published"), Some(FmValue::Bool(false)))
        || matches!(get("permalink"), Some(FmValue::Bool(false)));
    for key in ["tags", "categories", "keywords"] {
        match get(key) {
            Some(FmValue::List(items)) => {
                for item in items.iter().filter_map(FmValue::scalar) {
                    push_tag(&mut out.tags, &item);
                }
            }
            Some(FmValue::Str(s)) => {
                for part in s.split(',') {
                    push_tag(&mut out.tags, part);
                }
            }
            Some(v) => {
                if let Some(s) = v.scalar() {
                    push_tag(&mut out.tags, &s);
                }
            }
            None => {}
        }
    }
    dedup_tags(&mut out.tags);
}

/// The publishing, listing and language fields of [`crate::document::SiteMeta`].
fn apply_site_front_matter(map: &FmMap, out: &mut Document) {
    let get = |key: &str| map.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let first_scalar = |keys: &[&str]| {
        keys.iter().find_map(|k| get(k).and_then(FmValue::scalar).and_then(|s| clean_inline(&s)))
    };
    let is_true = |key: &str| match get(key) {
        Some(FmValue::Bool(b)) => *b,
        Some(FmValue::Str(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    };
    let site = &mut out.site;
    site.publish_date = first_scalar(&["publishDate", "publishdate"]);
    site.expiry_date = first_scalar(&["expiryDate", "expirydate", "unpublishdate"]);
    site.translation = first_scalar(&["translationKey", "translationkey"]);
    site.image = first_scalar(&["image", "cover", "cover.image"]);
    for build in ["build", "_build"] {
        for option in ["list", "render"] {
            let key = format!("{build}.{option}");
            let value = first_scalar(&[key.as_str()]).unwrap_or_default();
            if site.unlisted.is_none() && value.eq_ignore_ascii_case("never") {
                site.unlisted = Some(format!("{key}: never"));
            }
        }
    }
    for flag in ["headless", "eleventyExcludeFromCollections"] {
        if site.unlisted.is_none() && is_true(flag) {
            site.unlisted = Some(format!("{flag}: true"));
        }
    }
    match get("related") {
        Some(FmValue::Bool(false)) => site.no_related = true,
        Some(FmValue::Str(s)) if s.trim().eq_ignore_ascii_case("false") => site.no_related = true,
        Some(FmValue::List(items)) => {
            site.pinned =
                items.iter().filter_map(FmValue::scalar).filter_map(|s| clean_inline(&s)).collect();
        }
        Some(FmValue::Str(s)) => site.pinned = clean_inline(s).into_iter().collect(),
        _ => {}
    }
    site.related_exclude = is_true("related_exclude");
    site.front_matter_keys =
        crate::site::CASCADE_KEYS.iter().copied().filter(|k| get(k).is_some()).collect();
}

/// Renders the Markdown body to text, code and link words (see the module
/// doc for the rules).
fn body_fields(body: &str, opts: &ExtractOptions) -> Fields {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let body = if opts.keep_markup {
        std::borrow::Cow::Borrowed(body)
    } else {
        options |= Options::ENABLE_MATH;
        preprocess(body)
    };
    let body = body.as_ref();
    let mut r = Renderer { urls_as_text: opts.keep_markup, ..Renderer::default() };
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph) => {
                r.block_boundary();
                let source = body.get(range).unwrap_or("");
                r.skip_paragraph = r.containers == 0
                    && (source.starts_with("import ") || source.starts_with("export "));
            }
            Event::End(TagEnd::Paragraph) => {
                if r.skip_paragraph {
                    r.clear_inline();
                    r.skip_paragraph = false;
                }
                r.block_boundary();
            }
            Event::Start(Tag::CodeBlock(_)) => {
                r.block_boundary();
                r.in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                r.in_code = false;
                r.out.code.push_break();
                r.out.text.push_break();
            }
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => r.block_boundary(),
            Event::Start(
                Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::DefinitionList,
            ) => {
                r.block_boundary();
                r.containers += 1;
            }
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::FootnoteDefinition
                | TagEnd::Table
                | TagEnd::DefinitionList,
            ) => {
                r.block_boundary();
                r.containers = r.containers.saturating_sub(1);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                r.out.push_link(&dest_url);
                // Alt text is a word group of its own.
                r.plain.push(' ');
                r.html.push(' ');
            }
            Event::End(TagEnd::Image) => {
                r.plain.push(' ');
                r.html.push(' ');
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                r.out.push_link(&dest_url);
                // An autolink's text is its URL: link words, not text.
                r.in_autolink =
                    !r.urls_as_text && matches!(link_type, LinkType::Autolink | LinkType::Email);
            }
            Event::End(TagEnd::Link) => r.in_autolink = false,
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript,
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {}
            // Headings, table parts, definition titles/bodies, metadata
            // blocks: all simply end the line.
            Event::Start(_) | Event::End(_) | Event::Rule => r.block_boundary(),
            Event::Text(t) if r.in_code => r.out.code.push_lines(&t),
            Event::Text(_) if r.in_autolink => {}
            Event::Text(t) | Event::Code(t) => r.push_inline_text(&t),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                r.push_inline_text(" ");
                r.push_inline_text(&math_text(&t));
                r.push_inline_text(" ");
            }
            Event::Html(h) => r.html_block.push_str(&h),
            Event::InlineHtml(h) => {
                r.html.push_str(&h);
                r.has_html = true;
            }
            Event::SoftBreak => {
                r.plain.push(' ');
                r.html.push('\n');
            }
            Event::HardBreak => {
                r.plain.push('\n');
                r.html.push_str("<br>");
            }
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }
    r.block_boundary();
    r.out
}

/// State of the Markdown → text conversion. Inline content of the current
/// leaf block is buffered twice — as plain text and as HTML — because
/// inline HTML (`a <span>b</span>`, `<br>`, `<script>…</script>`) can only
/// be interpreted by parsing the whole run as one HTML fragment; runs
/// without inline HTML use the plain buffer directly.
#[derive(Default)]
struct Renderer {
    out: Fields,
    plain: String,
    html: String,
    has_html: bool,
    html_block: String,
    in_code: bool,
    /// Inside `<https://…>`: its text is the URL, already a link.
    in_autolink: bool,
    /// Leave URLs in the text (`keep_markup`: the extraction of old).
    urls_as_text: bool,
    /// Depth of lists, quotes, tables, ...: MDX statements are top-level only.
    containers: usize,
    skip_paragraph: bool,
}

impl Renderer {
    fn push_inline_text(&mut self, t: &str) {
        self.plain.push_str(t);
        for c in t.chars() {
            match c {
                '&' => self.html.push_str("&amp;"),
                '<' => self.html.push_str("&lt;"),
                '>' => self.html.push_str("&gt;"),
                c => self.html.push(c),
            }
        }
    }

    fn clear_inline(&mut self) {
        self.plain.clear();
        self.html.clear();
        self.has_html = false;
    }

    /// Writes out any buffered inline run and raw HTML block, then ends the line.
    fn block_boundary(&mut self) {
        if !self.skip_paragraph {
            if self.has_html {
                let html = std::mem::take(&mut self.html);
                self.push_fragment(&html);
            } else {
                let plain = std::mem::take(&mut self.plain);
                self.push_text_without_urls(&plain);
            }
        }
        self.clear_inline();
        if !self.html_block.is_empty() {
            self.out.text.push_break();
            let block = std::mem::take(&mut self.html_block);
            self.push_fragment(&block);
        }
        self.out.text.push_break();
    }

    /// Raw HTML: its text, code and links join the body's.
    fn push_fragment(&mut self, html: &str) {
        let f = fragment_to_fields(html);
        self.push_text_without_urls(&f.text.finish());
        let code = f.code.finish();
        if !code.is_empty() {
            self.out.code.push_break();
            self.out.code.push_lines(&code);
            self.out.code.push_break();
        }
        self.out.links.extend(f.links);
    }

    /// Text with its bare `http(s)://` URLs moved to the link field.
    fn push_text_without_urls(&mut self, text: &str) {
        let mut rest = text;
        if self.urls_as_text {
            self.out.text.push_lines(rest);
            return;
        }
        while let Some((start, end)) = find_bare_url(rest) {
            self.out.text.push_lines(&rest[..start]);
            self.out.text.push_space();
            self.out.push_link(&rest[start..end]);
            rest = &rest[end..];
        }
        self.out.text.push_lines(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(src: &str) -> Document {
        match extract(src, &ExtractOptions::default()) {
            Ok((e, _)) => e,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn md_err(src: &str) -> ExtractError {
        match extract(src, &ExtractOptions::default()) {
            Ok(e) => panic!("expected an error, got {e:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn eleventy_permalink_false_is_unpublished_not_a_url() {
        let e = md("---\npermalink: false\n---\nx");
        assert!(e.draft);
        assert_eq!(e.url, None);
        let e = md("---\npermalink: /p/\n---\nx");
        assert!(!e.draft);
        assert_eq!(e.url.as_deref(), Some("/p/"));
    }

    #[test]
    fn jekyll_published_false_is_a_draft_and_not_a_date() {
        let e = md("---\npublished: false\ndate: 2024-01-02\n---\nx");
        assert!(e.draft);
        assert_eq!(e.date.as_deref(), Some("2024-01-02"));
        let e = md("---\npublished: true\n---\nx");
        assert!(!e.draft);
        assert_eq!(e.date, None);
        let e = md("---\npublished: 2024-03-04\n---\nx");
        assert!(!e.draft);
        assert_eq!(e.date.as_deref(), Some("2024-03-04"));
    }

    #[test]
    fn yaml_front_matter_fields() {
        let e = md("---\n\
            title: \"Hello  World\"\n\
            date: 2024-01-02\n\
            tags: [rust, \" cli \", rust, 42]\n\
            categories: Tech, Notes\n\
            keywords:\n  - search\n\
            draft: true\n\
            permalink: /p/hello/\n\
            slug: hello\n\
            language: en\n\
            summary: Short.\n\
            extra: {nested: [1, 2]}\n\
            ---\n\
            # Heading\n\nBody text.\n");
        assert_eq!(e.title.as_deref(), Some("Hello World"));
        assert_eq!(e.date.as_deref(), Some("2024-01-02"));
        assert_eq!(e.tags, ["rust", "cli", "42", "Tech", "Notes", "search"]);
        assert!(e.draft);
        assert_eq!(e.url.as_deref(), Some("/p/hello/"));
        assert_eq!(e.slug.as_deref(), Some("hello"));
        assert_eq!(e.lang.as_deref(), Some("en"));
        assert_eq!(e.site.description.as_deref(), Some("Short."));
        assert_eq!(e.text, "Heading\nBody text.");
        assert_eq!(e.key, "");
    }

    #[test]
    fn yaml_key_preferences_and_fallbacks() {
        let e = md("---\n\
            url: /u/\npermalink: /p/\n\
            publishDate: 2023-05-06T07:08:09+09:00\n\
            draft: \"yes\"\n\
            description: D\nsummary: S\n\
            lang: ja\nlanguage: en\n\
            title: 2024\n\
            ---\nx");
        assert_eq!(e.url.as_deref(), Some("/u/"));
        assert_eq!(e.date.as_deref(), Some("2023-05-06T07:08:09+09:00"));
        assert!(e.draft);
        assert_eq!(e.site.description.as_deref(), Some("D"));
        assert_eq!(e.lang.as_deref(), Some("ja"));
        assert_eq!(e.title.as_deref(), Some("2024"));
        let e = md("---\ndraft: no\ntags: {a: 1}\n...\nx");
        assert!(!e.draft);
        assert!(e.tags.is_empty());
        assert_eq!(e.text, "x");
    }

    #[test]
    fn toml_front_matter_fields() {
        let e = md("+++\n\
            title = \"TOML post\"\n\
            date = 2024-01-02T03:04:05+09:00\n\
            tags = [\"a\", \"b\", 3]\n\
            categories = \"c, a\"\n\
            draft = false\n\
            url = \"/t/\"\n\
            [params]\nx = 1\n\
            +++\n\nBody.\n");
        assert_eq!(e.title.as_deref(), Some("TOML post"));
        assert_eq!(e.date.as_deref(), Some("2024-01-02T03:04:05+09:00"));
        assert_eq!(e.tags, ["a", "b", "3", "c"]);
        assert!(!e.draft);
        assert_eq!(e.url.as_deref(), Some("/t/"));
        assert_eq!(e.text, "Body.");
        let e = md("+++\ndate = 2024-01-02\n+++\n");
        assert_eq!(e.date.as_deref(), Some("2024-01-02"));
        assert_eq!(e.text, "");
    }

    #[test]
    fn crlf_and_bom() {
        let e = md(
            "\u{feff}---\r\ntitle: Win\r\ntags: x, y\r\n---\r\nLine one\r\nline two\r\n\r\nNext\r\n",
        );
        assert_eq!(e.title.as_deref(), Some("Win"));
        assert_eq!(e.tags, ["x", "y"]);
        assert_eq!(e.text, "Line one line two\nNext");
        let e = md("\u{feff}+++\r\ntitle = \"T\"\r\n+++\r\nB");
        assert_eq!(e.title.as_deref(), Some("T"));
        assert_eq!(e.text, "B");
    }

    #[test]
    fn empty_and_absent_front_matter() {
        let e = md("---\n---\nBody");
        assert_eq!(e.title, None);
        assert_eq!(e.text, "Body");
        // no front matter, and no title guessed from the heading
        let e = md("# Title-like heading\n\nText");
        assert_eq!(e.title, None);
        assert_eq!(e.text, "Title-like heading\nText");
        // `----` is not a delimiter
        assert_eq!(md("----\nx").text, "x");
    }

    #[test]
    fn unclosed_front_matter_is_error() {
        let e = md_err("---\ntitle: x\n\nbody\n");
        assert_eq!(e.message, "unclosed YAML front matter (opened at line 1, no closing `---`)");
        assert_eq!(e.position, Some((1, 1)));
        let e = md_err("+++\ntitle = 1\n");
        assert!(e.message.starts_with("unclosed TOML front matter"), "{e}");
        assert_eq!(e.position, Some((1, 1)));
    }

    #[test]
    fn invalid_yaml_reports_file_line() {
        // the bad line is line 3 of the file (line 2 of the front matter)
        let e = md_err("---\ntitle: ok\ntags: [a, b\nfoo: bar\n---\nbody");
        // libyaml notices at line 4, col 4; positions quoted in the message
        // are shifted to file lines too ("parsing a flow sequence" at line 3)
        assert_eq!(e.position, Some((4, 4)), "{e}");
        assert!(e.message.contains("at line 3 column 7"), "{e}");
        let e = md_err("---\ntitle: ok\n  bad: indent\n---\n");
        assert_eq!(e.position.map(|p| p.0), Some(3), "{e}");
        assert!(e.message.starts_with("invalid YAML front matter"), "{e}");
        assert!(e.to_string().starts_with("3:"), "{e}");
    }

    #[test]
    fn invalid_toml_reports_file_line() {
        let e = md_err("+++\ntitle = \"ok\"\ndate = = 1\n+++\n");
        assert_eq!(e.position, Some((3, 8)), "{e}");
        assert!(e.message.starts_with("invalid TOML front matter"), "{e}");
    }

    #[test]
    fn non_mapping_front_matter_is_error() {
        for src in ["---\n- a\n- b\n---\nx", "---\njust a string\n---\nx"] {
            let e = md_err(src);
            assert_eq!(e.message, "front matter is not a mapping of keys to values");
        }
    }

    #[test]
    fn code_blocks_are_the_code_field() {
        let src = "Intro `inline code` here.\n\n```rust\nfn main() {\n    let x = 1;\n}\n```\n\n    indented code\n\nOutro\n\n<pre>html pre</pre>";
        let e = md(src);
        assert_eq!(e.text, "Intro inline code here.\nOutro");
        assert_eq!(e.code, "fn main() {\nlet x = 1;\n}\nindented code\nhtml pre");
    }

    #[test]
    fn link_targets_are_the_link_field() {
        let src = "See [the docs](https://www.postgresql.org/docs/current/sql-select.html?x=1#f), \
            ![diagram](../img/flow.png), <https://docs.rs/serde>, [ref][r] and \
            https://github.com/simonw/llm. Also <a href=\"/tags/rust/\">raw</a>.\n\n\
            [r]: https://crates.io/crates/clap\n";
        let e = md(src);
        assert_eq!(e.text, "See the docs, diagram , , ref and . Also raw.");
        assert_eq!(
            e.links,
            [
                "postgresql.org docs current sql-select",
                "img flow.png",
                "docs.rs serde",
                "crates.io crates clap",
                "github.com simonw llm",
                "tags rust"
            ]
        );
    }

    #[test]
    fn zenn_markup_is_understood_not_indexed() {
        let src = ":::message alert\n注意 text\n:::\n\n@[card](https://zenn.dev/topics/rust)\n\n\
            ![](https://example.com/shot.png =600x)\n\n@[youtube](abc123)\n\n\
            Inline $\\frac{a}{b}$ math and\n\n$$\n\\begin{align} \\mathrm{softmax} \\end{align}\n$$\n\n\
            {{< ref \"other.md\" >}} {/* hidden */}\n";
        let e = md(src);
        for w in ["message", "card", "600x", "youtube", "frac", "align", "begin", "ref", "hidden"] {
            assert!(!e.text.contains(w), "{w} in {:?}", e.text);
        }
        assert!(e.text.contains("注意 text") && e.text.contains("softmax"), "{:?}", e.text);
        assert_eq!(e.links, ["zenn.dev topics rust", "example.com shot.png"]);
        let (raw, _) =
            extract(src, &ExtractOptions { keep_markup: true, ..ExtractOptions::default() })
                .unwrap_or_default();
        assert!(raw.text.contains("message") && raw.text.contains("frac"), "{:?}", raw.text);
    }

    #[test]
    fn structure_links_images_tables() {
        let src = "## Sub\n\
            Para with [link text](https://example.com/url) and ![alt words](img.png).\n\
            Soft\nbreak and hard  \nbreak.\n\n\
            - item one\n- item two\n  - nested\n- [x] done task\n\n\
            > quoted\n\n\
            | h1 | h2 |\n|----|----|\n| c1 | c2 |\n\n\
            ~~gone~~ text[^1]\n\n\
            [^1]: The note.\n\n\
            ---\n\nend";
        assert_eq!(
            md(src).text,
            "Sub\nPara with link text and alt words . Soft break and hard\nbreak.\n\
             item one\nitem two\nnested\ndone task\nquoted\nh1\nh2\nc1\nc2\ngone text\n\
             The note.\nend"
        );
        assert!(!md(src).text.contains("example.com"));
    }

    #[test]
    fn inline_and_block_html() {
        let e = md("a <span>b</span> c<br>d <script>alert(1)</script>e\n\n\
            <div>\n<p>x</p><p>y</p>\n</div>\n\n\
            <script>\nvar leak = 1;\n</script>\n\n\
            <!-- comment -->\nz &amp; w");
        assert_eq!(e.text, "a b c\nd e\nx\ny\nz & w");
        assert_eq!(md("<div>foo</div>").text, "foo");
        assert_eq!(md("1 < 2 & 3 > <em>2</em>").text, "1 < 2 & 3 > 2");
    }

    #[test]
    fn mdx_import_export_dropped_only_at_top_level() {
        let src = "import Chart from './chart'\nimport X from 'x'\n\n\
            export const meta = { a: 1 }\n\n\
            Real text about import rules.\n\n\
            - import this item\n\n\
            <Chart data={1} />\n";
        assert_eq!(md(src).text, "Real text about import rules.\nimport this item");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep_quote = ">".repeat(50_000) + " x";
        assert!(md(&deep_quote).text.contains('x'));
        let deep_list = "- ".repeat(20_000) + "y";
        assert!(md(&deep_list).text.contains('y'));
        let deep_yaml = format!("---\ntags: {}{}\n---\n", "[".repeat(10_000), "]".repeat(10_000));
        let _ = extract(&deep_yaml, &ExtractOptions::default());
        let deep_toml = format!("+++\ntags = {}{}\n+++\n", "[".repeat(10_000), "]".repeat(10_000));
        let _ = extract(&deep_toml, &ExtractOptions::default());
        let bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n---\n";
        let _ = extract(bomb, &ExtractOptions::default());
        for s in ["", "---", "---\n", "+++\r\n", "\u{feff}", "---\r\n---", "`", "<", "[^x]:"] {
            let _ = extract(s, &ExtractOptions::default());
        }
    }

    #[test]
    fn shift_line_numbers_rewrites_positions() {
        assert_eq!(
            shift_line_numbers("bad at line 2 column 3, while at line 1 column 1", 1),
            "bad at line 3 column 3, while at line 2 column 1"
        );
        assert_eq!(shift_line_numbers("inline x", 1), "inline x");
    }
}
