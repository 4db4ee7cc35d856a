//! Extraction stage: turns the text of one input file into plain text plus
//! metadata: a [`Document`](crate::document::Document) (one per file, or
//! one per feed item or JSON line).
//!
//! One submodule per input format: [`markdown`] (with YAML/TOML front
//! matter), [`html`], [`feed`] (RSS 1.0/2.0 and Atom, many articles per
//! file), [`plain`] and [`jsonl`] (many articles per file). This stage does
//! not read files, decide which format a file is (beyond
//! [`feed::looks_like_feed`]), assign keys to single-article inputs, or
//! choose a fallback title: those are the caller's decisions ([`load`]
//! sets each document's key and [`Origin`](crate::document::Origin)).
//!
//! What each extractor fills: `title`, `text`, `code`, `links`, `tags`
//! (tags + categories + keywords, in source order, deduplicated, trimmed,
//! no empties), `date` (as written, trimmed; YAML/TOML dates as their string
//! form), `url` (front matter `url`/`permalink`, feed item link, HTML
//! canonical link), `lang` (front matter `lang`/`language`, `<html lang>`,
//! feed `xml:lang` / channel `<language>`); from front matter also `draft`,
//! `slug` and the [`SiteMeta`](crate::document::SiteMeta) fields, among
//! them `description` (front matter `description`/`summary`, HTML meta
//! description, JSON Lines `"description"`). Only feeds and JSON Lines set
//! `key` (feed: link, else guid/id; JSON Lines: `"key"`); a whole file's is
//! left empty. Code blocks (Markdown fenced/indented, HTML `<pre>`) go to
//! `code`, not `text`; inline code stays in `text`. `links` holds the words
//! of each link and image target ([`links::link_words`]), one entry per
//! target, in source order.
//!
//! # Text convention
//!
//! Every extractor produces `text` in the same shape, so later stages can
//! rely on it: lines are separated by a single `"\n"`, one line per block
//! (paragraph, heading, list item, table cell, ...); within a line every run
//! of Unicode whitespace (including U+00A0 and U+3000) is collapsed to one
//! ASCII space; lines have no leading or trailing whitespace; there are no
//! empty lines and no leading/trailing newline. Titles, tags, dates and the
//! other metadata strings are trimmed and have their whitespace collapsed to
//! single spaces (no newlines).

mod depth;
pub mod feed;
pub mod html;
pub mod jsonl;
pub mod links;
pub mod load;
pub mod markdown;
pub(crate) mod markup;
mod nesting;
pub mod plain;

/// A failure to parse one input, with a 1-based position when known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", position.map(|(l, c)| format!("{l}:{c}: ")).unwrap_or_default())]
pub struct ExtractError {
    pub message: String,
    /// (line, column), both 1-based; the column counts characters, not bytes.
    pub position: Option<(usize, usize)>,
}

impl ExtractError {
    pub(crate) fn new(message: impl Into<String>, position: Option<(usize, usize)>) -> Self {
        Self { message: message.into(), position }
    }

    /// The same error with its line moved down by `delta` (for a part that
    /// starts `delta` lines into the file).
    pub(crate) fn shifted_lines(mut self, delta: usize) -> Self {
        self.position = self.position.map(|(l, c)| (l + delta, c));
        self
    }
}

/// Options shared by extractors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Read Zenn/Qiita, Hugo shortcode, LaTeX and MDX comment syntax in
    /// Markdown as plain text instead of understanding it (see
    /// [`markdown`]), and leave bare URLs and autolinks in the text: for
    /// measuring what markup-aware extraction is worth.
    pub keep_markup: bool,
    /// `--exclude-selector`: elements of a whole HTML page (a built site's
    /// page) left out of its text, on top of the page chrome
    /// ([`html::extract_with`]).
    pub exclude_selectors: Vec<html::ExcludeSelector>,
}

/// What an HTML fragment or a Markdown body yields: text, code, link words.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub(crate) text: TextSink,
    pub(crate) code: TextSink,
    pub(crate) links: Vec<String>,
}

impl Fields {
    /// Records one link or image target (nothing if it names nothing).
    pub(crate) fn push_link(&mut self, target: &str) {
        if let Some(words) = links::link_words(target) {
            self.links.push(words);
        }
    }
}

/// Strips one leading UTF-8 byte order mark, which editors on Windows like to add.
pub(crate) fn strip_bom(src: &str) -> &str {
    src.strip_prefix('\u{feff}').unwrap_or(src)
}

/// Maps a byte offset in `src` to a 1-based (line, column) pair, the column
/// counted in characters. Offsets past the end clamp to the end, and offsets
/// inside a multi-byte character snap back to its start, so any offset a
/// parser reports yields a usable position.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Collapses all whitespace (newlines included) to single spaces and trims;
/// `None` when nothing is left. Used for one-line metadata such as titles.
pub(crate) fn clean_inline(s: &str) -> Option<String> {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// Normalizes free text to the module's text convention, keeping its line
/// structure (used for plain text and JSONL bodies).
pub(crate) fn normalize_text(s: &str) -> String {
    let mut sink = TextSink::default();
    sink.push_lines(s);
    sink.finish()
}

/// Appends `tag` (trimmed, whitespace collapsed) unless it is empty.
/// Duplicates are removed once at the end by [`dedup_tags`]: checking each
/// push against the list would be quadratic, and a hostile feed item or
/// front matter can carry hundreds of thousands of tags.
pub(crate) fn push_tag(tags: &mut Vec<String>, tag: &str) {
    if let Some(tag) = clean_inline(tag) {
        tags.push(tag);
    }
}

/// Removes repeated tags, keeping the first of each, in linear time.
pub(crate) fn dedup_tags(tags: &mut Vec<String>) {
    if tags.len() > 1 {
        let mut seen = std::collections::HashSet::with_capacity(tags.len());
        tags.retain(|t| seen.insert(t.clone()));
    }
}

/// Accumulates plain text while enforcing the text convention incrementally:
/// whitespace is remembered as a pending space and only written once a
/// visible character follows on the same line, and line breaks are
/// idempotent. That way callers can emit "space" and "break" wherever a
/// boundary *might* be without ever producing doubled separators.
#[derive(Debug, Default)]
pub(crate) struct TextSink {
    out: String,
    pending_space: bool,
}

impl TextSink {
    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Appends text, collapsing every whitespace run (newlines included) to
    /// one space.
    pub(crate) fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                self.push_space();
            } else {
                if self.pending_space && !self.at_line_start() {
                    self.out.push(' ');
                }
                self.pending_space = false;
                self.out.push(c);
            }
        }
    }

    /// Appends text whose newlines are real line breaks (preformatted text,
    /// or the output of another extractor).
    pub(crate) fn push_lines(&mut self, s: &str) {
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                self.push_break();
            }
            self.push_text(line);
        }
    }

    /// Marks a word boundary that does not end the line.
    pub(crate) fn push_space(&mut self) {
        self.pending_space = true;
    }

    /// Ends the current line (a no-op at the start of a line).
    pub(crate) fn push_break(&mut self) {
        if !self.at_line_start() {
            self.out.push('\n');
        }
        self.pending_space = false;
    }

    pub(crate) fn finish(mut self) -> String {
        while self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_includes_position_when_known() {
        let e = ExtractError::new("boom", Some((3, 7)));
        assert_eq!(e.to_string(), "3:7: boom");
        assert_eq!(ExtractError::new("boom", None).to_string(), "boom");
    }

    #[test]
    fn line_col_counts_chars_and_clamps() {
        let s = "ab\nあいう\nx";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 1));
        // byte 6 is after "あ" (3 bytes) on line 2
        assert_eq!(line_col(s, 6), (2, 2));
        // inside a multi-byte char: snaps back
        assert_eq!(line_col(s, 7), (2, 2));
        assert_eq!(line_col(s, 1000), (3, 2));
    }

    #[test]
    fn sink_collapses_and_never_doubles_separators() {
        let mut s = TextSink::default();
        s.push_break();
        s.push_text("  a \t b  ");
        s.push_break();
        s.push_break();
        s.push_space();
        s.push_text("c\u{3000}\u{a0}d");
        s.push_space();
        s.push_break();
        assert_eq!(s.finish(), "a b\nc d");
    }

    #[test]
    fn normalize_text_drops_blank_lines() {
        assert_eq!(normalize_text("\r\n  x  y \r\n\r\n\tz\n"), "x y\nz");
    }

    #[test]
    fn push_tag_trims_and_dedup_tags_keeps_the_first() {
        let mut tags = Vec::new();
        for t in [" rust ", "", "rust", "web  dev", "  ", "rust", "web dev"] {
            push_tag(&mut tags, t);
        }
        dedup_tags(&mut tags);
        assert_eq!(tags, ["rust", "web dev"]);
    }

    #[test]
    fn many_tags_are_deduplicated_in_linear_time() {
        let mut tags = Vec::new();
        for i in 0..200_000 {
            push_tag(&mut tags, &format!("t{}", i % 150_000));
        }
        dedup_tags(&mut tags);
        assert_eq!(tags.len(), 150_000);
        assert_eq!(tags[149_999], "t149999");
    }
}
