//! RSS 1.0 / RSS 2.0 / Atom feeds: one [`Document`] per item or entry.
//!
//! Read with quick-xml's streaming reader (no serde, no DOM), with
//! namespace resolution so that e.g. `<media:title>` is never mistaken for
//! `<title>` while undeclared conventional prefixes (`dc:date` without an
//! `xmlns:dc`) still work. HTML content (`content:encoded`, `description`,
//! Atom `type="html"`/`"xhtml"`) is turned into text, code (`<pre>`) and
//! link words by the HTML extractor's rules ([`html`](super::html)).
//!
//! Entities: the five XML entities and numeric character references are
//! decoded; any other entity reference is kept literally as `&name;` (in
//! HTML content the HTML parser then decodes names such as `&nbsp;`).
//! Entities declared in a `<!DOCTYPE>` internal subset are never expanded,
//! so "billion laughs" documents cost no more memory than their size.
//!
//! Keys: an item's key is its link, else its guid (RSS) / id (Atom); items
//! with neither get `key: None` and the caller decides (it reports an
//! error). Items are returned in document order; a feed without items is
//! `Ok(vec![])`. Sniffing whether a file is a feed at all is
//! [`looks_like_feed`]; character-set detection is the caller's (input is
//! already `&str`).

use std::rc::Rc;

use quick_xml::NsReader;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::html::fragment_to_fields;
use super::{ExtractError, TextSink, clean_inline, dedup_tags, line_col, push_tag, strip_bom};
use crate::document::Document;

const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
const NS_ATOM_03: &str = "http://purl.org/atom/ns#";
const NS_RSS_10: &str = "http://purl.org/rss/1.0/";
const NS_RSS_090: &str = "http://my.netscape.com/rdf/simple/0.9/";
const NS_CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
const NS_RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// Sniffs the start of a file for a feed root element: `<rss`, `<feed`
/// (Atom) or `<rdf:RDF`. Skips a BOM, whitespace, the XML declaration and
/// other processing instructions, comments and a doctype (including an
/// internal subset), however long, within `head` (the caller bounds it).
/// Anything else first — notably `<html` or `<!DOCTYPE html>` followed by
/// `<html` — means "not a feed".
pub fn looks_like_feed(head: &[u8]) -> bool {
    let mut s = head;
    s = s.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(s);
    loop {
        s = s.trim_ascii_start();
        if s.starts_with(b"<?") {
            match find(s, b"?>") {
                Some(i) => s = &s[i + 2..],
                None => return false,
            }
        } else if s.starts_with(b"<!--") {
            match find(&s[4..], b"-->") {
                Some(i) => s = &s[4 + i + 3..],
                None => return false,
            }
        } else if s.len() >= 9 && s[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            match doctype_end(s) {
                Some(i) => s = &s[i..],
                None => return false,
            }
        } else {
            break;
        }
    }
    [&b"<rss"[..], b"<feed", b"<rdf:RDF"].iter().any(|root| {
        s.strip_prefix(*root).is_some_and(|rest| {
            // The name must end here: `<rss>` yes, `<rssfoo>` no. A buffer
            // that ends right after the name is given the benefit of the doubt.
            rest.first().is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'))
        })
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Index just past the `>` closing a doctype, skipping quoted strings and
/// a bracketed internal subset (whose declarations contain `>` too).
fn doctype_end(s: &[u8]) -> Option<usize> {
    let mut quote = None;
    let mut depth = 0usize;
    for (i, &c) in s.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Extracts every RSS `<item>` / Atom `<entry>` of a feed.
pub fn extract(src: &str) -> Result<Vec<Document>, ExtractError> {
    let src = strip_bom(src);
    let mut reader = NsReader::from_str(src);
    // Real feeds contain bare `&` in URLs and text; keep it as text rather
    // than rejecting the whole feed.
    reader.config_mut().allow_dangling_amp = true;

    let mut state = State::default();
    loop {
        let event = match reader.read_resolved_event() {
            Ok((ns, event)) => {
                let canon = match &event {
                    Event::Start(e) | Event::Empty(e) => {
                        Some(canonical_name(&ns, e.local_name().into_inner(), e.name().0))
                    }
                    _ => None,
                };
                (canon, event)
            }
            Err(e) => {
                let pos = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(ExtractError::new(
                    format!("malformed XML: {e}"),
                    Some(line_col(src, pos)),
                ));
            }
        };
        match event {
            (Some(canon), Event::Start(e)) => state.start(canon, &e),
            (Some(canon), Event::Empty(e)) => {
                state.start(canon, &e);
                state.end(false);
            }
            (_, Event::End(_)) => state.end(true),
            (_, Event::Text(t)) => state.text(&t.xml10_content(), true),
            (_, Event::CData(t)) => state.text(&t.xml10_content(), true),
            (_, Event::GeneralRef(r)) => {
                let name = r.xml10_content();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => resolve_xml_entity(&name).map(str::to_owned),
                };
                match resolved {
                    Some(s) => state.text(&s, true),
                    // Unknown (possibly DTD-declared) entity: never expand.
                    None => state.text(&format!("&{name};"), false),
                }
            }
            (_, Event::Eof) => break,
            // Declarations, comments, PIs, doctypes carry no article data.
            _ => {}
        }
    }
    if let Some(open) = state.stack.last() {
        return Err(ExtractError::new(
            format!("malformed XML: unexpected end of input, <{}> is not closed", open.raw),
            Some(line_col(src, src.len())),
        ));
    }
    Ok(state.finish())
}

/// Maps a resolved element name to the spelling this module matches on:
/// RSS elements bare (`item`), everything else with its conventional
/// prefix (`atom:entry`, `content:encoded`, `dc:date`). Undeclared prefixes
/// keep their literal qualified name; unknown namespaces get a prefix that
/// matches nothing.
fn canonical_name(ns: &ResolveResult<'_>, local: &str, qname: &str) -> String {
    match ns {
        ResolveResult::Unbound => local.to_owned(),
        ResolveResult::Unknown(_) => qname.to_owned(),
        ResolveResult::Bound(ns) => match ns.0 {
            NS_RSS_10 | NS_RSS_090 => local.to_owned(),
            NS_ATOM | NS_ATOM_03 => format!("atom:{local}"),
            NS_CONTENT => format!("content:{local}"),
            NS_DC => format!("dc:{local}"),
            NS_RDF => format!("rdf:{local}"),
            _ => format!("?:{local}"),
        },
    }
}

/// Longest language value kept. Real tags (`en-us`, `zh-Hant-TW`) are far
/// shorter; the limit keeps a hostile megabyte-long `xml:lang` or
/// `<language>` from being copied into every item.
const MAX_LANG_LEN: usize = 64;

/// A language value, whitespace-collapsed; `None` if empty or too long.
fn language(s: &str) -> Option<String> {
    clean_inline(s).filter(|l| l.len() <= MAX_LANG_LEN)
}

/// An attribute value with the XML entities decoded; the raw value when it
/// contains something undecodable (lenient: attributes are hints only).
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.0 == name).map(|a| {
        a.normalized_value_with(quick_xml::XmlVersion::Implicit1_0, 1, resolve_xml_entity)
            .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Plain text; nested elements contribute only their text.
    Text,
    /// The decoded text is HTML source (escaped or CDATA HTML, as in RSS).
    Html,
    /// The child elements are the markup (Atom `type="xhtml"`).
    Xhtml,
}

impl Mode {
    fn from_atom_type(ty: Option<&str>) -> Mode {
        match ty.map(str::trim) {
            Some("html" | "text/html") => Mode::Html,
            Some("xhtml" | "application/xhtml+xml") => Mode::Xhtml,
            _ => Mode::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Title,
    Link,
    Guid,
    Encoded,
    Description,
    Content,
    Summary,
    PubDate,
    DcDate,
    Published,
    Updated,
    Category,
    ChannelLanguage,
}

struct Frame {
    /// Qualified name as written, for error messages.
    raw: String,
    canon: String,
    /// In-scope `xml:lang`, shared with the enclosing frames: copying it
    /// into each frame would cost depth × length.
    lang: Option<Rc<str>>,
}

/// Text being collected for one field, from its start tag to its end tag.
struct Capture {
    field: Field,
    mode: Mode,
    /// Stack depth of the field's element.
    depth: usize,
    buf: String,
}

#[derive(Default)]
struct Item {
    /// Stack depth of the `<item>`/`<entry>` element.
    depth: usize,
    atom: bool,
    lang: Option<String>,
    /// RSS 1.0 `rdf:about`, the item's URI when it has no `<link>`.
    about: Option<String>,
    title: Option<String>,
    link: Option<String>,
    guid: Option<String>,
    encoded: Option<Body>,
    description: Option<Body>,
    content: Option<Body>,
    summary: Option<Body>,
    pub_date: Option<String>,
    dc_date: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    tags: Vec<String>,
}

/// An item's content: text, code and link words.
#[derive(Debug, Default)]
struct Body {
    text: String,
    code: String,
    links: Vec<String>,
}

#[derive(Default)]
struct State {
    stack: Vec<Frame>,
    item: Option<Item>,
    capture: Option<Capture>,
    channel_lang: Option<String>,
    done: Vec<Document>,
}

impl State {
    fn start(&mut self, canon: String, e: &BytesStart<'_>) {
        let lang = match attr(e, "xml:lang").and_then(|l| language(&l)) {
            Some(own) => Some(Rc::from(own)),
            None => self.stack.last().and_then(|f| f.lang.clone()),
        };
        let parent = self.stack.last().map(|f| f.canon.as_str()).unwrap_or("");

        if let Some(cap) = &mut self.capture {
            // Markup nested inside a captured field: rebuild the tags for
            // HTML modes (sloppy feeds put raw HTML in <description>), drop
            // them for plain text.
            if cap.mode != Mode::Text {
                let local = e.local_name().into_inner();
                cap.buf.push('<');
                cap.buf.push_str(local);
                cap.buf.push('>');
            }
        } else if let Some(item) = &mut self.item {
            if self.stack.len() == item.depth {
                Self::item_child(item, &canon, e, self.stack.len() + 1, &mut self.capture);
            }
        } else if canon == "item" || canon == "atom:entry" {
            self.item = Some(Item {
                depth: self.stack.len() + 1,
                atom: canon == "atom:entry",
                lang: lang.as_deref().map(str::to_owned),
                about: attr(e, "rdf:about").and_then(|a| clean_inline(&a)),
                ..Item::default()
            });
        } else if parent == "channel" && (canon == "language" || canon == "dc:language") {
            self.capture = Some(Capture {
                field: Field::ChannelLanguage,
                mode: Mode::Text,
                depth: self.stack.len() + 1,
                buf: String::new(),
            });
        }
        self.stack.push(Frame { raw: e.name().0.to_owned(), canon, lang });
    }

    /// A direct child of an item: attribute-only fields are read here,
    /// text fields start a capture.
    fn item_child(
        item: &mut Item,
        canon: &str,
        e: &BytesStart<'_>,
        depth: usize,
        capture: &mut Option<Capture>,
    ) {
        let atom_type = || attr(e, "type");
        let (field, mode) = if item.atom {
            match canon {
                "atom:title" => (Field::Title, Mode::from_atom_type(atom_type().as_deref())),
                "atom:link" => {
                    let rel = attr(e, "rel");
                    let rel = rel.as_deref().map(str::trim).unwrap_or("alternate");
                    if item.link.is_none() && (rel.is_empty() || rel == "alternate") {
                        item.link = attr(e, "href").and_then(|h| clean_inline(&h));
                    }
                    return;
                }
                "atom:category" => {
                    if let Some(term) = attr(e, "term") {
                        push_tag(&mut item.tags, &term);
                    }
                    return;
                }
                // Out-of-line content (`src=`) has no text here.
                "atom:content" if attr(e, "src").is_some() => return,
                "atom:content" => (Field::Content, Mode::from_atom_type(atom_type().as_deref())),
                "atom:summary" => (Field::Summary, Mode::from_atom_type(atom_type().as_deref())),
                "atom:id" => (Field::Guid, Mode::Text),
                "atom:published" => (Field::Published, Mode::Text),
                "atom:updated" => (Field::Updated, Mode::Text),
                "dc:date" => (Field::DcDate, Mode::Text),
                "dc:subject" => (Field::Category, Mode::Text),
                _ => return,
            }
        } else {
            match canon {
                "title" => (Field::Title, Mode::Text),
                "link" => (Field::Link, Mode::Text),
                "guid" => (Field::Guid, Mode::Text),
                "content:encoded" => (Field::Encoded, Mode::Html),
                "description" => (Field::Description, Mode::Html),
                "pubDate" => (Field::PubDate, Mode::Text),
                "dc:date" => (Field::DcDate, Mode::Text),
                "category" | "dc:subject" => (Field::Category, Mode::Text),
                _ => return,
            }
        };
        *capture = Some(Capture { field, mode, depth, buf: String::new() });
    }

    /// Decoded character data; `escapable` is false for an undecoded
    /// `&name;` that must reach the HTML parser as written.
    fn text(&mut self, s: &str, escapable: bool) {
        let Some(cap) = &mut self.capture else {
            return;
        };
        if cap.mode == Mode::Xhtml && escapable {
            for c in s.chars() {
                match c {
                    '&' => cap.buf.push_str("&amp;"),
                    '<' => cap.buf.push_str("&lt;"),
                    '>' => cap.buf.push_str("&gt;"),
                    c => cap.buf.push(c),
                }
            }
        } else {
            cap.buf.push_str(s);
        }
    }

    /// Closes the innermost element; `close_tag` is false for `<x/>`, whose
    /// rebuilt HTML must not get a `</x>` (`</br>` would be a second break).
    fn end(&mut self, close_tag: bool) {
        let depth = self.stack.len();
        let Some(frame) = self.stack.pop() else {
            return;
        };
        if let Some(cap) = self.capture.take_if(|c| c.depth == depth) {
            self.finish_capture(cap);
        } else if let Some(cap) = &mut self.capture {
            if cap.mode != Mode::Text && close_tag {
                let local = frame.raw.rsplit(':').next().unwrap_or("");
                cap.buf.push_str("</");
                cap.buf.push_str(local);
                cap.buf.push('>');
            }
        } else if let Some(item) = self.item.take_if(|i| i.depth == depth) {
            self.done.push(item.into_document());
        }
    }

    fn finish_capture(&mut self, cap: Capture) {
        // HTML content also yields code (`<pre>`) and link words.
        let (text, code, links) = match cap.mode {
            Mode::Text => {
                let mut sink = TextSink::default();
                sink.push_lines(&cap.buf);
                (sink.finish(), String::new(), Vec::new())
            }
            Mode::Html | Mode::Xhtml => {
                let f = fragment_to_fields(&cap.buf);
                (f.text.finish(), f.code.finish(), f.links)
            }
        };
        if cap.field == Field::ChannelLanguage {
            self.channel_lang = self.channel_lang.take().or_else(|| language(&text));
            return;
        }
        let Some(item) = &mut self.item else {
            return;
        };
        let slot = match cap.field {
            Field::Category => {
                push_tag(&mut item.tags, &text);
                return;
            }
            Field::Encoded | Field::Description | Field::Content | Field::Summary => {
                let slot = match cap.field {
                    Field::Encoded => &mut item.encoded,
                    Field::Description => &mut item.description,
                    Field::Content => &mut item.content,
                    _ => &mut item.summary,
                };
                // Body text keeps its lines.
                if slot.is_none() && !(text.is_empty() && code.is_empty()) {
                    *slot = Some(Body { text, code, links });
                }
                return;
            }
            Field::Title => &mut item.title,
            Field::Link => &mut item.link,
            Field::Guid => &mut item.guid,
            Field::PubDate => &mut item.pub_date,
            Field::DcDate => &mut item.dc_date,
            Field::Published => &mut item.published,
            Field::Updated => &mut item.updated,
            Field::ChannelLanguage => return,
        };
        if slot.is_none() {
            *slot = clean_inline(&text);
        }
    }

    fn finish(self) -> Vec<Document> {
        let channel_lang = self.channel_lang;
        self.done
            .into_iter()
            .map(|mut e| {
                if e.lang.is_none() {
                    e.lang.clone_from(&channel_lang);
                }
                e
            })
            .collect()
    }
}

impl Item {
    fn into_document(mut self) -> Document {
        dedup_tags(&mut self.tags);
        let (body, date) = if self.atom {
            (self.content.or(self.summary), self.published.or(self.updated))
        } else {
            (self.encoded.or(self.description), self.pub_date)
        };
        let link = self.link.or(self.about);
        let body = body.unwrap_or_default();
        Document {
            key: link.clone().or(self.guid).unwrap_or_default(),
            title: self.title,
            text: body.text,
            code: body.code,
            links: body.links,
            tags: self.tags,
            date: date.or(self.dc_date),
            draft: false,
            url: link,
            slug: None,
            lang: self.lang,
            ..Document::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(src: &str) -> Vec<Document> {
        match extract(src) {
            Ok(items) => items,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn feed_err(src: &str) -> ExtractError {
        match extract(src) {
            Ok(items) => panic!("expected an error, got {items:?}"),
            Err(e) => e,
        }
    }

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Site</title>
  <link>https://example.com/</link>
  <atom:link href="https://example.com/feed.xml" rel="self"/>
  <language>en-us</language>
  <item>
    <title>Fish &amp; Chips &#12354; &#x3042;</title>
    <link>https://example.com/a?x=1&amp;y=2</link>
    <guid isPermaLink="false">id-a</guid>
    <media:title>not the title</media:title>
    <description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>First para &amp; more</p><p>Second</p><script>evil()</script>]]></content:encoded>
    <pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate>
    <category>Rust</category>
    <category> Web </category>
    <category>Rust</category>
    <dc:subject>Search</dc:subject>
  </item>
  <item>
    <title>Second</title>
    <guid>urn:uuid:2</guid>
    <description>Plain &lt;i&gt;html&lt;/i&gt; &amp;amp; entity&nbsp;here</description>
    <dc:date>2024-02-03</dc:date>
  </item>
  <item><description>no link, no guid</description></item>
</channel>
</rss>"#;

    #[test]
    fn rss_items() {
        let items = feed(RSS);
        assert_eq!(items.len(), 3);
        let a = &items[0];
        assert_eq!(a.key, "https://example.com/a?x=1&y=2");
        assert_eq!(a.url.as_deref(), Some(a.key.as_str()));
        assert_eq!(a.title.as_deref(), Some("Fish & Chips あ あ"));
        assert_eq!(a.text, "First para & more\nSecond");
        assert_eq!(a.date.as_deref(), Some("Tue, 02 Jan 2024 03:04:05 +0000"));
        assert_eq!(a.tags, ["Rust", "Web", "Search"]);
        assert_eq!(a.lang.as_deref(), Some("en-us"));
        let b = &items[1];
        assert_eq!(b.key, "urn:uuid:2");
        assert_eq!(b.url, None);
        // description is HTML: tags stripped, double-escaped entity shown once
        assert_eq!(b.text, "Plain html & entity&nbsp;here".replace("&nbsp;", " "));
        assert_eq!(b.date.as_deref(), Some("2024-02-03"));
        assert_eq!(items[2].key, "");
        assert_eq!(items[2].text, "no link, no guid");
    }

    #[test]
    fn rss_1_0_rdf() {
        let src = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>S</title><dc:language>ja</dc:language></channel>
  <item rdf:about="https://example.org/1">
    <title>One</title><link>https://example.org/1</link>
    <description>Desc one</description><dc:date>2024-01-01T00:00:00+09:00</dc:date>
    <dc:subject>tag1</dc:subject>
  </item>
  <item rdf:about="https://example.org/2"><title>Two</title></item>
</rdf:RDF>"#;
        let items = feed(src);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key, "https://example.org/1");
        assert_eq!(items[0].text, "Desc one");
        assert_eq!(items[0].date.as_deref(), Some("2024-01-01T00:00:00+09:00"));
        assert_eq!(items[0].tags, ["tag1"]);
        assert_eq!(items[0].lang.as_deref(), Some("ja"));
        // no <link>: rdf:about is the item's URI
        assert_eq!(items[1].key, "https://example.org/2");
    }

    #[test]
    fn atom_entries() {
        let src = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Blog</title>
  <link href="https://blog.example/" />
  <entry>
    <title type="html">A &lt;em&gt;bold&lt;/em&gt; move</title>
    <link rel="edit" href="https://blog.example/edit/1"/>
    <link rel="alternate" type="text/html" href="https://blog.example/1"/>
    <id>tag:blog.example,2024:1</id>
    <published>2024-03-04T05:06:07Z</published>
    <updated>2024-03-05T00:00:00Z</updated>
    <category term="rust" label="Rust"/>
    <category term="xml"/>
    <summary>ignored because content exists</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para &amp; one</p><p>Para <b>two</b> &lt;x&gt;</p></div></content>
  </entry>
  <entry xml:lang="ja">
    <title>Plain</title>
    <id>urn:2</id>
    <updated>2024-01-01</updated>
    <summary type="html">&lt;p&gt;s1&lt;/p&gt;&lt;p&gt;s2&lt;/p&gt;</summary>
    <content src="https://elsewhere/"/>
  </entry>
  <entry>
    <title>Text content</title>
    <link href="https://blog.example/3"/>
    <content type="text">line one
line two</content>
  </entry>
</feed>"#;
        let items = feed(src);
        assert_eq!(items.len(), 3);
        let a = &items[0];
        assert_eq!(a.key, "https://blog.example/1");
        assert_eq!(a.title.as_deref(), Some("A bold move"));
        assert_eq!(a.text, "Para & one\nPara two <x>");
        assert_eq!(a.date.as_deref(), Some("2024-03-04T05:06:07Z"));
        assert_eq!(a.tags, ["rust", "xml"]);
        assert_eq!(a.lang.as_deref(), Some("en"));
        let b = &items[1];
        assert_eq!(b.key, "urn:2");
        assert_eq!(b.url, None);
        assert_eq!(b.text, "s1\ns2");
        assert_eq!(b.date.as_deref(), Some("2024-01-01"));
        assert_eq!(b.lang.as_deref(), Some("ja"));
        assert_eq!(items[2].key, "https://blog.example/3");
        assert_eq!(items[2].text, "line one\nline two");
    }

    #[test]
    fn unescaped_nested_markup_still_yields_text() {
        let src = "<rss><channel><item><title>Hello <b>World</b></title>\
                   <description><p>a</p><p>b <i>c</i><br/>d</p></description></item></channel></rss>";
        let items = feed(src);
        assert_eq!(items[0].title.as_deref(), Some("Hello World"));
        assert_eq!(items[0].text, "a\nb c\nd");
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let mut src =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
        src.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..=9 {
            let prev = format!("&lol{};", i - 1);
            src.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
        }
        src.push_str(
            "]>\n<rss><channel><item><title>&lol9;</title><link>https://x/</link>\
            <description>a &lol9; b</description></item></channel></rss>",
        );
        let items = feed(&src);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title.as_deref(), Some("&lol9;"));
        assert!(items[0].text.len() < 32, "{:?}", items[0].text);
        assert!(looks_like_feed(src.as_bytes()));
    }

    #[test]
    fn truncated_feed_reports_line_and_column() {
        let e = feed_err("<rss>\n<channel>\n<item><title>Hi</title>\n<link>https://x/</li");
        // points at the `<` of the cut-off end tag
        assert_eq!(e.position, Some((4, 17)), "{e}");
        assert!(e.message.starts_with("malformed XML"), "{e}");
        let e = feed_err("<rss>\n<channel>\n  <item><title>é</title>");
        // end of input: just past the last character (é counts as one column)
        assert_eq!(e.position, Some((3, 25)), "{e}");
        assert!(e.message.contains("<item> is not closed"), "{e}");
        let e = feed_err("<rss><channel>\n  <item></channel></rss>");
        assert_eq!(e.position.map(|p| p.0), Some(2), "{e}");
    }

    #[test]
    fn empty_feeds_are_ok() {
        assert_eq!(feed("<rss version=\"2.0\"><channel><title>x</title></channel></rss>"), []);
        assert_eq!(feed("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"), []);
        assert_eq!(feed(""), []);
    }

    #[test]
    fn bare_ampersand_tolerated() {
        let items = feed(
            "<rss><channel><item><title>Q & A</title><link>http://x/?a=1&b=2</link></item></channel></rss>",
        );
        assert_eq!(items[0].title.as_deref(), Some("Q & A"));
        assert_eq!(items[0].key, "http://x/?a=1&b=2");
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_feed(b"<rss version=\"2.0\"><channel/></rss>"));
        assert!(looks_like_feed(
            b"\xEF\xBB\xBF  <?xml version=\"1.0\"?>\n<!-- c -->\n<?xml-stylesheet href=\"a.xsl\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        ));
        assert!(looks_like_feed(
            b"<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
        ));
        assert!(looks_like_feed(
            b"<!DOCTYPE rss PUBLIC \"-//Netscape\" \"x.dtd\" [ <!ENTITY a \">\"> ]>\n<rss>"
        ));
        assert!(!looks_like_feed(
            b"<!DOCTYPE html>\n<html><head><title>rss feed</title></head><body><rss></body>"
        ));
        assert!(!looks_like_feed(b"<html lang=\"en\"><feed>"));
        assert!(!looks_like_feed(b"<rssx>"));
        assert!(!looks_like_feed(b"# Markdown <rss>"));
        assert!(!looks_like_feed(b"<!-- unclosed comment <rss>"));
        assert!(!looks_like_feed(b""));
        assert!(!looks_like_feed(
            "\u{feff}<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>".as_bytes()
        ));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = format!(
            "<rss><channel><item><description>{}x{}</description></item></channel></rss>",
            "<div>".repeat(2_000),
            "</div>".repeat(2_000)
        );
        assert_eq!(feed(&deep)[0].text, "x");
        let deep_xml = format!("<rss>{}</rss>", "<a>".repeat(100_000));
        assert!(extract(&deep_xml).is_err());
        for s in [
            "<",
            "<rss",
            "<rss><item>&#0;</item></rss>",
            "&",
            "<rss><item><title>&#xD800;</title></item></rss>",
            "</rss>",
            "<a b='&'/>",
        ] {
            let _ = extract(s);
        }
    }

    #[test]
    fn long_language_values_are_ignored_and_not_copied_per_element() {
        let long = "x".repeat(100_000);
        let src = format!(
            "<rss xml:lang=\"{long}\"><channel><language>{long}</language>{}\
             <item><link>https://x/</link></item>{}</channel></rss>",
            "<a>".repeat(10_000),
            "</a>".repeat(10_000)
        );
        let items = feed(&src);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].lang, None);
        let src = "<rss xml:lang=\" en \"><channel><item xml:lang=\"ja\"><link>a</link></item>\
                   <item><link>b</link></item></channel></rss>";
        let langs: Vec<_> = feed(src).into_iter().map(|i| i.lang).collect();
        assert_eq!(langs, [Some("ja".to_owned()), Some("en".to_owned())]);
    }

    #[test]
    fn real_feed_sample() {
        let path = "/work/shared/corpora/hotchpotch-dev-feed.xml";
        let Ok(src) = std::fs::read_to_string(path) else {
            eprintln!("skipping: {path} not present");
            return;
        };
        assert!(looks_like_feed(src.as_bytes()));
        let items = feed(&src);
        assert_eq!(items.len(), 59);
        for item in &items {
            assert!(item.key.starts_with("http"), "{item:?}");
            assert!(!item.text.is_empty(), "{:?}", item.key);
            assert!(item.title.as_deref().is_some_and(|t| !t.is_empty()), "{:?}", item.key);
            assert_eq!(item.lang.as_deref(), Some("en"));
        }
    }
}
