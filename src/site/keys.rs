//! Keys and links as the site knows them (`--key`, `--strip-extension`,
//! `--base-url`), so a template can look an article up with what it already
//! has (`.File.Path`, `page.filePathStem`, a slug, a URL) and link to its
//! neighbours without a second lookup.
//!
//! Runs after extraction, before the corpus is sorted: two articles that end
//! up with the same key (`a.md` and `a.html` with `--strip-extension`, two
//! posts with the same slug) are then reported as a duplicate key naming both
//! files, never silently merged.

use crate::document::Document;

/// What an article's key is (`--key`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum KeyScheme {
    /// The file's path relative to the input directory (or `--root`).
    #[default]
    Path,
    /// Front-matter `url`/`permalink` (feeds: the item link); the path when absent.
    Url,
    /// Front-matter `slug`; else the file name without extension (the folder
    /// name for `index.md`/`_index.md`).
    Slug,
}

/// How keys and links are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOptions {
    /// What the key is.
    pub scheme: KeyScheme,
    /// Drop the file extension from path keys (`posts/a.md` → `posts/a`).
    pub strip_extension: bool,
    /// Prefix joined onto every key and every relative `url`, with exactly
    /// one `/` between them. Absolute URLs are left alone.
    pub base_url: Option<String>,
    /// `url` for articles whose front matter has none, e.g.
    /// `/posts/{slug}/` (see `URL_PLACEHOLDERS`); checked by
    /// `check_url_template`.
    pub url_template: Option<String>,
    /// `--timezone`: `{year}`/`{month}`/`{day}` are the date as this zone's
    /// calendar shows it (Jekyll: `2024-01-01 00:30:00 +0900` on a UTC site
    /// is `2023/12/31`); `None`: as written.
    pub date_zone: Option<crate::site::Zone>,
}

/// Rewrites the keys (and relative URLs) of `docs` as `opts` says. Returns
/// how many articles fell back to their path because the field `--key`
/// asked for was missing.
pub fn apply(docs: &mut [Document], opts: &KeyOptions) -> usize {
    if *opts == KeyOptions::default() {
        return 0;
    }
    let mut fallbacks = 0;
    for doc in docs.iter_mut() {
        let chosen = match opts.scheme {
            KeyScheme::Path => None,
            KeyScheme::Url => nonblank(doc.url.as_deref()),
            KeyScheme::Slug => nonblank(doc.slug.as_deref()).or_else(|| {
                // A feed item or JSON line has no file name to take a slug from.
                doc.origin.path().map(|_| file_slug(&doc.key))
            }),
        };
        let mut key = match chosen {
            Some(k) => k,
            None => {
                fallbacks += usize::from(opts.scheme != KeyScheme::Path);
                if doc.origin.path().is_some() && opts.strip_extension {
                    strip_extension(&doc.key).to_owned()
                } else {
                    doc.key.clone()
                }
            }
        };
        if doc.url.as_deref().is_none_or(|u| u.trim().is_empty())
            && let Some(template) = &opts.url_template
        {
            // Placeholders see the key before --base-url (the URL gets it below).
            doc.url = fill_url_template(template, doc, &key, &doc.key, opts.date_zone);
        }
        if let Some(base) = &opts.base_url {
            key = join_url(base, &key);
            doc.url = doc.url.take().map(|u| join_url(base, &u));
        }
        doc.key = key;
    }
    fallbacks
}

fn nonblank(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `posts/a.md` → `posts/a`. Only the last component's last extension goes;
/// a name that is only an extension (`.md`) is kept.
pub fn strip_extension(key: &str) -> &str {
    let name_start = key.rfind('/').map_or(0, |i| i + 1);
    match key[name_start..].rfind('.') {
        Some(dot) if dot > 0 => &key[..name_start + dot],
        _ => key,
    }
}

/// The slug a generator would give the file: its name without extension
/// (and without a Jekyll/Hexo `2024-01-31-` date prefix), or its folder's
/// name for a page bundle's `index.md`/`_index.md`.
fn file_slug(path_key: &str) -> String {
    let stem = strip_extension(path_key);
    let mut parts = stem.rsplit('/');
    let name = parts.next().unwrap_or(stem);
    let name = match (name, parts.next()) {
        ("index" | "_index", Some(folder)) if !folder.is_empty() => folder,
        _ => name,
    };
    strip_date_prefix(name).to_owned()
}

/// `2024-01-31-hello` → `hello` (Jekyll's `_posts` naming); other names unchanged.
fn strip_date_prefix(name: &str) -> &str {
    match date_prefix(name) {
        Some(_) if name.len() > 11 && name.as_bytes()[10] == b'-' => &name[11..],
        _ => name,
    }
}

/// The `YYYY-MM-DD` a file name starts with (Jekyll's `_posts/2024-01-31-hello.md`).
pub fn date_prefix(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    let dated = b.len() >= 10
        && b[..10]
            .iter()
            .enumerate()
            .all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && b.get(10).is_none_or(|c| !c.is_ascii_digit());
    dated.then(|| &name[..10])
}

/// The page a path key stands for: without extension, and without a final
/// `index`/`_index` (a bundle's `posts/b/index.md` is the page `posts/b`).
fn page_path(path_key: &str) -> &str {
    let stem = strip_extension(path_key);
    for index in ["index", "_index"] {
        if stem == index {
            return "";
        }
        if let Some(folder) = stem.strip_suffix(index).and_then(|s| s.strip_suffix('/')) {
            return folder;
        }
    }
    stem
}

/// Placeholders `--url-template` understands.
pub const URL_PLACEHOLDERS: &[&str] = &["key", "path", "slug", "year", "month", "day"];

/// Checks a URL template (the message follows the setting's name): every `{…}` must be a known placeholder,
/// optionally followed by `|urlize`.
pub fn check_url_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!(" {template:?}: '{{' without '}}'"));
        };
        let (name, filter) = split_filter(&rest[open + 1..open + close]);
        if filter.is_some_and(|f| f != "urlize") {
            return Err(format!(
                " {template:?}: unknown filter |{}; the one filter is |urlize",
                filter.unwrap_or_default()
            ));
        }
        if !URL_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                " {template:?}: unknown placeholder {{{name}}}; known: {}",
                URL_PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

/// `slug|urlize` → (`slug`, Some(`urlize`)).
fn split_filter(placeholder: &str) -> (&str, Option<&str>) {
    match placeholder.split_once('|') {
        Some((name, filter)) => (name.trim(), Some(filter.trim())),
        None => (placeholder.trim(), None),
    }
}

/// What Hugo's `urlize` (and its default page paths) does to a path: lower
/// case, spaces to `-`, and only letters, marks, digits and `. / \ _ - # + ~`
/// kept (`Café Notes!` → `café-notes`).
pub fn urlize(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || "./\\_-#+~".contains(c) => Some(c),
            c if unicode_normalization::char::is_combining_mark(c) => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The url `template` gives `doc` (whose `key` is already final), or `None`
/// when it needs a date the article lacks. `{path}` is the path key without
/// extension (`posts/a`), `{slug}` the front-matter slug or the file's slug,
/// `{year}`/`{month}`/`{day}` the date's (`2024`, `01`, `31`).
fn fill_url_template(
    template: &str,
    doc: &Document,
    key: &str,
    path_key: &str,
    opts_zone: Option<crate::site::Zone>,
) -> Option<String> {
    // The article's date, else a Jekyll file name's.
    let file_name = path_key.rsplit('/').next().unwrap_or(path_key);
    let date = doc
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| {
            d.len() >= 10
                && d.as_bytes()[4] == b'-'
                && d.as_bytes()[7] == b'-'
                && d.is_char_boundary(10)
        })
        .or_else(|| date_prefix(file_name));
    // The calendar date in the site's zone, when it has one.
    let zoned = date.zip(opts_zone).and_then(|(_, zone)| {
        let raw = doc.date.as_deref()?;
        let t = crate::site::parse_date_in(raw, Some(zone))?;
        Some(zone.convert(t).format("%Y-%m-%d").to_string())
    });
    let date = zoned.as_deref().or(date);
    let mut out = String::with_capacity(template.len() + key.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}')?;
        let (name, filter) = split_filter(&rest[open + 1..close]);
        let value = match name {
            "key" => key.to_owned(),
            "path" => page_path(path_key).to_owned(),
            "slug" => nonblank(doc.slug.as_deref()).unwrap_or_else(|| file_slug(path_key)),
            "year" => date?[..4].to_owned(),
            "month" => date?[5..7].to_owned(),
            "day" => date?[8..10].to_owned(),
            _ => return None,
        };
        let value = if filter.is_some() { urlize(&value) } else { value };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(collapse_slashes(&out))
}

/// `//` → `/` (an empty `{path}` must not make `/{path}/` a
/// protocol-relative `//`), leaving a scheme's `://` alone.
fn collapse_slashes(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) if is_absolute_url(url) => url.split_at(i + 3),
        _ => ("", url),
    };
    let mut out = String::from(scheme);
    for c in rest.chars() {
        if !(c == '/' && out.ends_with('/') && out.len() > scheme.len()) {
            out.push(c);
        }
    }
    out
}

/// True for `https://…`, `//host/…` and other `scheme://` URLs.
pub fn is_absolute_url(s: &str) -> bool {
    s.starts_with("//")
        || s.split_once("://").is_some_and(|(scheme, _)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

/// `base` + `path` with exactly one `/` between them; `path` unchanged if it
/// is already an absolute URL.
pub fn join_url(base: &str, path: &str) -> String {
    if is_absolute_url(path) {
        return path.to_owned();
    }
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return base.to_owned();
    }
    let base = base.trim_end_matches('/');
    format!("{base}/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Origin;

    fn doc(key: &str) -> Document {
        Document {
            key: key.into(),
            origin: Origin::File { path: key.into() },
            ..Document::default()
        }
    }

    fn keys(docs: &[Document]) -> Vec<&str> {
        docs.iter().map(|d| d.key.as_str()).collect()
    }

    #[test]
    fn joins_with_exactly_one_slash() {
        assert_eq!(join_url("https://x.org/blog/", "/posts/a/"), "https://x.org/blog/posts/a/");
        assert_eq!(join_url("https://x.org/blog", "posts/a"), "https://x.org/blog/posts/a");
        assert_eq!(join_url("/", "posts/a"), "/posts/a");
        assert_eq!(join_url("/", "/"), "/");
        assert_eq!(join_url("https://x.org/", "https://y.org/a"), "https://y.org/a");
        assert_eq!(join_url("https://x.org/", "//cdn.org/a"), "//cdn.org/a");
        assert!(!is_absolute_url("posts/a:b"));
        assert!(!is_absolute_url("1ab://x"));
    }

    #[test]
    fn strips_one_extension_of_the_file_name_only() {
        assert_eq!(strip_extension("posts/a.md"), "posts/a");
        assert_eq!(strip_extension("v1.2/a"), "v1.2/a");
        assert_eq!(strip_extension("a.tar.gz"), "a.tar");
        assert_eq!(strip_extension("posts/.md"), "posts/.md");
        assert_eq!(strip_extension("日本語.md"), "日本語");
    }

    #[test]
    fn path_keys_with_extension_stripped_and_base_url() {
        let mut docs = vec![doc("posts/a.md"), doc("b.html")];
        docs[0].url = Some("/a/".into());
        let opts = KeyOptions {
            strip_extension: true,
            base_url: Some("https://x.org/".into()),
            ..KeyOptions::default()
        };
        assert_eq!(apply(&mut docs, &opts), 0);
        assert_eq!(keys(&docs), ["https://x.org/posts/a", "https://x.org/b"]);
        assert_eq!(docs[0].url.as_deref(), Some("https://x.org/a/"));
    }

    #[test]
    fn url_and_slug_keys_fall_back_to_the_path() {
        let mut docs = vec![doc("posts/a.md"), doc("posts/b.md"), doc("posts/c/index.md")];
        docs[0].url = Some(" /p/a/ ".into());
        docs[1].slug = Some("bee".into());
        let url = KeyOptions { scheme: KeyScheme::Url, ..KeyOptions::default() };
        let mut by_url = docs.clone();
        assert_eq!(apply(&mut by_url, &url), 2);
        assert_eq!(keys(&by_url), ["/p/a/", "posts/b.md", "posts/c/index.md"]);

        let slug = KeyOptions { scheme: KeyScheme::Slug, ..KeyOptions::default() };
        assert_eq!(apply(&mut docs, &slug), 0);
        assert_eq!(keys(&docs), ["a", "bee", "c"]);
    }

    #[test]
    fn file_slugs_drop_jekyll_date_prefixes() {
        assert_eq!(file_slug("_posts/2024-01-08-rust-cli.md"), "rust-cli");
        assert_eq!(file_slug("posts/2024-01-08.md"), "2024-01-08", "a date alone is the name");
        assert_eq!(file_slug("posts/2024-1-08-x.md"), "2024-1-08-x");
        assert_eq!(file_slug("posts/bundle/index.md"), "bundle");
    }

    #[test]
    fn url_templates_fill_missing_urls() {
        let mut docs = vec![doc("_posts/2024-01-08-rust-cli.md"), doc("about.md"), doc("b.md")];
        docs[0].date = Some("2024-01-08 10:00:00 +0900".into());
        docs[2].url = Some("/custom/".into());
        let opts = KeyOptions {
            url_template: Some("/{year}/{month}/{day}/{slug}.html".into()),
            base_url: Some("https://x.org/blog/".into()),
            ..KeyOptions::default()
        };
        apply(&mut docs, &opts);
        let urls: Vec<_> = docs.iter().map(|d| d.url.as_deref()).collect();
        assert_eq!(
            urls,
            [
                Some("https://x.org/blog/2024/01/08/rust-cli.html"),
                None, // needs a date it does not have
                Some("https://x.org/blog/custom/"),
            ]
        );
        let mut docs = vec![doc("posts/a.md")];
        let opts = KeyOptions {
            strip_extension: true,
            url_template: Some("/{path}/#{key}".into()),
            ..KeyOptions::default()
        };
        apply(&mut docs, &opts);
        assert_eq!(docs[0].url.as_deref(), Some("/posts/a/#posts/a"));
    }

    #[test]
    fn url_template_paths_are_pages_and_dates_come_from_jekyll_names() {
        let mut docs =
            vec![doc("posts/b/index.md"), doc("index.md"), doc("_posts/2024-02-03-undated.md")];
        let opts = KeyOptions {
            url_template: Some("/{path}/{year}{month}{day}".into()),
            ..KeyOptions::default()
        };
        apply(&mut docs, &opts);
        let urls: Vec<_> = docs.iter().map(|d| d.url.as_deref()).collect();
        assert_eq!(urls, [None, None, Some("/_posts/2024-02-03-undated/20240203")]);
        let opts = KeyOptions { url_template: Some("/{path}/".into()), ..KeyOptions::default() };
        let mut docs = vec![doc("posts/b/index.md"), doc("posts/_index.md"), doc("index.md")];
        apply(&mut docs, &opts);
        let urls: Vec<_> = docs.iter().map(|d| d.url.as_deref().unwrap()).collect();
        assert_eq!(urls, ["/posts/b/", "/posts/", "/"]);
        assert_eq!(collapse_slashes("https://x.org//a//b/"), "https://x.org/a/b/");
        assert_eq!(collapse_slashes("//a"), "/a");
        assert_eq!(date_prefix("2024-02-03"), Some("2024-02-03"));
        assert_eq!(date_prefix("2024-02-034"), None);
        assert_eq!(date_prefix("v2024-02-03"), None);
    }

    #[test]
    fn url_templates_are_checked() {
        assert!(check_url_template("/posts/{slug}/").is_ok());
        assert!(check_url_template("/static/").is_ok());
        let e = check_url_template("/{title}/").unwrap_err();
        assert!(e.contains("unknown placeholder {title}") && e.contains("{slug}"), "{e}");
        assert!(check_url_template("/{slug").unwrap_err().contains("without"));
        assert!(check_url_template("/{path|urlize}/").is_ok());
        assert!(
            check_url_template("/{path|upper}/").unwrap_err().contains("unknown filter |upper")
        );
    }

    #[test]
    fn urlize_matches_hugo_paths() {
        assert_eq!(urlize("posts/Café Notes"), "posts/café-notes");
        assert_eq!(urlize("My Custom Slug!"), "my-custom-slug");
        assert_eq!(urlize("C++ & Rust: 入門"), "c++--rust-入門");
        let mut docs = vec![doc("posts/Café Notes.md")];
        docs[0].slug = None;
        let opts =
            KeyOptions { url_template: Some("/{path|urlize}/".into()), ..KeyOptions::default() };
        apply(&mut docs, &opts);
        assert_eq!(docs[0].url.as_deref(), Some("/posts/café-notes/"));
    }

    #[test]
    fn feed_keys_are_not_treated_as_paths() {
        let mut item = doc("https://x.org/a.html");
        item.origin = Origin::Item { file: "feed.xml".into(), n: 1 };
        let mut docs = vec![item];
        let opts = KeyOptions {
            scheme: KeyScheme::Slug,
            strip_extension: true,
            base_url: Some("/blog".into()),
            url_template: None,
            date_zone: None,
        };
        assert_eq!(apply(&mut docs, &opts), 1);
        assert_eq!(keys(&docs), ["https://x.org/a.html"]);
    }
}
