//! What the site generator publishes, and in which language: the rules that
//! run after extraction and before keys are rewritten (see
//! [`crate::site::keys`]).
//!
//! - **Languages.** An article's language is, in this order: the
//!   `--lang-dir` folder it lies in (Hugo's `contentDir` per language; its
//!   key then becomes its path inside that folder, Hugo's `.File.Path`), its
//!   front matter (`lang`, `language`, `locale`), `<html lang>` or the
//!   feed's language, a Hugo file-name suffix (`a.ja.md`, `a.zh-tw.md`: any
//!   ISO 639-1 code, with a region), else `--default-lang`. Codes are written
//!   in lower case with `-` (`ja_JP` → `ja-jp`).
//! - **Translations** of one page (Hugo's same path without the language
//!   suffix or language folder, or the same `translationKey`) are never each
//!   other's neighbours, with or without `--same-lang`.
//! - **`--split-lang`** (implied by `--lang-dir`): one output per language,
//!   `{"en": {key: […]}, "ja": {key: […]}}`; keys need only be unique within
//!   a language, and lists never cross languages.
//! - **Publishing rules** (files only; feed items and JSON lines are
//!   published already): an article is skipped when the generator would not
//!   list it. Each rule has a flag that keeps those articles:
//!
//!   | skipped by default | kept with |
//!   | --- | --- |
//!   | publication date (`publishDate`, else `date`, else a `_posts` file name) after `--now` | `--include-future` |
//!   | `expiryDate` (`expirydate`, `unpublishdate`) at or before `--now` | `--include-expired` |
//!   | Hugo `build`/`_build` with `list: never` or `render: never`, `headless: true`, `eleventyExcludeFromCollections: true` | `--include-unlisted` |
//!   | `related: false` | (never listed, gets no list) |
//!
//!   Dates without a time zone are read in the site's time zone
//!   (`--timezone`, else UTC), as Hugo (`timeZone`) and Jekyll (`timezone`)
//!   read them.
//! - **Front-matter controls**: `related: false` (the article is left out),
//!   `related_exclude: true` (it gets a list but is never listed),
//!   `related: [keys or paths]` (listed first, in that order, marked
//!   `"pinned": true`; computed neighbours fill the rest of the k places).
//! - **Eleventy's data cascade** (with [`SiteOptions::eleventy_data`]):
//!   template and directory data files, JSON only (`posts/a.11tydata.json`
//!   or `posts/a.json` for `posts/a.md`; `posts/posts.11tydata.json` or
//!   `posts/posts.json` for everything under `posts/`, the nearer folder
//!   winning; up to the folder the keys are relative to, `--root`, which
//!   should be Eleventy's input folder) supply `related`, `related_exclude`,
//!   `eleventyExcludeFromCollections`, `permalink: false` (read as unlisted)
//!   and `lang` (`language`, `locale`) when the article's own front matter
//!   does not set them. JavaScript data files (`.11tydata.js`), global
//!   `_data` and `eleventyComputed` are not read.

pub mod filter;
pub mod generator;
pub mod keys;
pub mod lists;

use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone};

use crate::document::Document;
use crate::error::{Error, Message, Result, Setting, message};
use crate::outcome::Warning;

pub use crate::document::SiteMeta;

/// The front-matter keys an Eleventy data file can also supply (see
/// [`prepare`] with [`SiteOptions::eleventy_data`]).
pub const CASCADE_KEYS: &[&str] = &[
    "related",
    "related_exclude",
    "eleventyExcludeFromCollections",
    "permalink",
    "lang",
    "language",
    "locale",
];

/// A site time zone: an IANA name (`Asia/Tokyo`) or a fixed offset (`+09:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// `UTC`, `+09:00`, `-0500`.
    Fixed(FixedOffset),
    /// `Asia/Tokyo`.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Reads `Asia/Tokyo`, `UTC`, `Z`, `+09:00` or `+0900`.
    pub fn parse(s: &str) -> std::result::Result<Zone, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("utc") || s == "Z" {
            return Ok(Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset")));
        }
        if s.starts_with(['+', '-']) {
            let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
            let (h, m) = match digits.len() {
                2 => (digits.parse::<i32>().ok(), Some(0)),
                4 => (digits[..2].parse::<i32>().ok(), digits[2..].parse::<i32>().ok()),
                _ => (None, None),
            };
            let sign = if s.starts_with('-') { -1 } else { 1 };
            if let (Some(h), Some(m)) = (h, m)
                && let Some(offset) = FixedOffset::east_opt(sign * (h * 3600 + m * 60))
            {
                return Ok(Zone::Fixed(offset));
            }
        }
        s.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!(
                "unknown time zone {s:?}: give an IANA name like Asia/Tokyo or Europe/Paris, UTC, or an offset like +09:00"
            )
        })
    }

    /// A wall-clock time in this zone (the earlier one when a clock change
    /// makes it ambiguous, the time after the gap when it does not exist).
    fn local(&self, t: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            Zone::Fixed(o) => o.from_local_datetime(&t).earliest(),
            Zone::Named(tz) => tz
                .from_local_datetime(&t)
                .earliest()
                .or_else(|| tz.from_local_datetime(&(t + chrono::Duration::hours(1))).earliest())
                .map(|d| d.fixed_offset()),
        }
    }

    /// `t` as this zone's wall clock shows it.
    pub fn convert(&self, t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Zone::Fixed(o) => t.with_timezone(o),
            Zone::Named(tz) => {
                let local = t.with_timezone(tz);
                local.with_timezone(&local.offset().fix())
            }
        }
    }
}

/// Reads the dates site generators and feeds write. A date without an
/// offset is a wall-clock time in `zone` (UTC when `None`).
pub fn parse_date_in(raw: &str, zone: Option<Zone>) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    // Jekyll's `2024-01-31 09:00:00 +0900`, Hugo's `2024-01-31T09:00:00+0900`.
    const ZONED: &[&str] = &[
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M%z",
    ];
    if let Some(d) = ZONED.iter().find_map(|f| DateTime::parse_from_str(s, f).ok()) {
        return Some(d);
    }
    const NAIVE: &[&str] =
        &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"];
    let naive =
        NAIVE.iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok()).or_else(|| {
            ["%Y-%m-%d", "%Y/%m/%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    let zone = zone.unwrap_or(Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset")));
    zone.local(naive)
}

/// `raw` in ISO 8601: `2024-01-31` stays a date; a time becomes
/// `2024-01-31T09:00:00+09:00` (`Z` for UTC), read in `zone` when written
/// without an offset. `None` when it cannot be read.
pub fn iso_date(raw: &str, zone: Option<Zone>) -> Option<String> {
    let s = raw.trim();
    if let Some(d) =
        ["%Y-%m-%d", "%Y/%m/%d"].iter().find_map(|f| NaiveDate::parse_from_str(s, f).ok())
    {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    let t = parse_date_in(s, zone)?;
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// Rewrites every readable date as [`iso_date`] writes it (unreadable ones
/// are kept as written).
pub fn normalize_dates(docs: &mut [Document], zone: Option<Zone>) {
    for doc in docs {
        if let Some(iso) = doc.date.as_deref().and_then(|d| iso_date(d, zone)) {
            doc.date = Some(iso);
        }
    }
}

/// How the site publishes (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteOptions {
    /// `--lang-dir CODE=DIR`: every file under DIR is in language CODE and
    /// keyed by its path inside DIR.
    pub lang_dirs: Vec<(String, PathBuf)>,
    /// `--default-lang`: the language of articles that name none.
    pub default_lang: Option<String>,
    /// `--split-lang`: one output per language.
    pub split_lang: bool,
    /// `--timezone`: the zone of dates written without one.
    pub zone: Option<Zone>,
    /// `--now`: seconds since the epoch (default: the clock).
    pub now: Option<i64>,
    /// `--include-future`.
    pub include_future: bool,
    /// `--include-expired`.
    pub include_expired: bool,
    /// `--include-unlisted`.
    pub include_unlisted: bool,
    /// Read Eleventy's JSON data files (`--site eleventy`, or an
    /// `eleventy.config.js` found by `--site auto`): see `prepare`.
    pub eleventy_data: bool,
}

impl SiteOptions {
    /// True if articles are grouped by language in the output.
    pub fn splits(&self) -> bool {
        self.split_lang || !self.lang_dirs.is_empty()
    }
}

/// What [`prepare`] left out.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Skipped {
    /// Dated after now.
    pub future: usize,
    /// Expired.
    pub expired: usize,
    /// Not listed by the generator (build options, headless, excluded from collections).
    pub unlisted: usize,
    /// `related: false`.
    pub opted_out: usize,
}

impl Skipped {
    /// `", 2 future article(s) skipped (--include-future keeps them)"` etc.
    pub fn message(&self) -> Message {
        let mut note = message![];
        for (n, what, setting) in [
            (self.future, "future-dated", Some(Setting::IncludeFuture)),
            (self.expired, "expired", Some(Setting::IncludeExpired)),
            (self.unlisted, "unlisted", Some(Setting::IncludeUnlisted)),
            (self.opted_out, "related: false", None),
        ] {
            if n > 0 {
                note.append(message![format!(", {n} {what} article(s) skipped")]);
                if let Some(setting) = setting {
                    note.append(message![" (", setting, " keeps them)"]);
                }
            }
        }
        note
    }

    /// Total left out.
    pub fn total(&self) -> usize {
        self.future + self.expired + self.unlisted + self.opted_out
    }
}

/// `ja_JP` → `ja-jp`, `` → `None`.
pub fn normalize_lang(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    (!tag.is_empty()).then_some(tag)
}

/// Hugo's multilingual file names: `post.ja.md`, `_index.fr.md`,
/// `post.zh-tw.md` → (`ja`, `post.md`), when the middle part is an ISO 639-1
/// code with an optional region (so `jquery.ui.md` or `notes.v2.md` are not
/// mistaken for one).
pub fn file_language(name: &str) -> Option<(String, String)> {
    let mut parts = name.rsplitn(3, '.');
    let (ext, code, stem) = (parts.next()?, parts.next()?, parts.next()?);
    let lower = code.to_ascii_lowercase();
    let mut subtags = lower.split('-');
    let primary = subtags.next()?;
    let region_ok = match (subtags.next(), subtags.next()) {
        (None, _) => true,
        (Some(r), None) => {
            (2..=4).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        _ => false,
    };
    (region_ok && ISO_639_1.contains(&primary) && !stem.is_empty())
        .then(|| (lower.clone(), format!("{stem}.{ext}")))
}

/// `content/ja/posts/a.md` under `content/ja` → `posts/a.md`.
fn relative_to(path: &Path, dir: &Path) -> Option<String> {
    let clean = |p: &Path| -> Vec<String> {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| crate::source::names::encode_name(c.as_os_str()).0.into_owned())
            .collect()
    };
    let (path, dir) = (clean(path), clean(dir));
    (path.len() > dir.len() && path[..dir.len()] == dir[..]).then(|| path[dir.len()..].join("/"))
}

/// Checks `--lang-dir` folders and normalizes their codes. Relative folders
/// are compared with the files as the inputs name them, and also after
/// resolving both (so `./content/ja` and an absolute path both work).
pub fn check_lang_dirs(dirs: &[(String, PathBuf)]) -> Result<Vec<(String, PathBuf, PathBuf)>> {
    dirs.iter()
        .map(|(code, dir)| {
            let code = normalize_lang(code).ok_or_else(|| {
                Error::Invalid(message![
                    Setting::LangDir,
                    format!(" ={}: the language code is empty", dir.display())
                ])
            })?;
            let real = std::fs::canonicalize(dir).map_err(|e| {
                Error::Invalid(message![
                    Setting::LangDir,
                    format!(
                        " {code}={}: {e}; give the folder holding the {code} pages, e.g. ",
                        dir.display()
                    ),
                    Setting::LangDir,
                    format!(" {code}=content/{code}"),
                ])
            })?;
            Ok((code, dir.clone(), real))
        })
        .collect()
}

/// Parses `CODE=DIR` (`--lang-dir`).
pub fn parse_lang_dir(s: &str) -> std::result::Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((code, dir)) if !code.trim().is_empty() && !dir.trim().is_empty() => {
            Ok((code.trim().to_owned(), PathBuf::from(dir)))
        }
        _ => Err(format!("{s:?} is not CODE=DIR (e.g. ja=content/ja)")),
    }
}

/// Parses `--now`: a date as front matter writes it (in `--timezone`), or
/// seconds since the epoch.
pub fn parse_now(raw: &str, zone: Option<Zone>) -> std::result::Result<i64, String> {
    if let Ok(secs) = raw.trim().parse::<i64>() {
        return Ok(secs);
    }
    parse_date_in(raw, zone).map(|d| d.timestamp()).ok_or_else(|| {
        format!(
            "--now {raw:?}: expected a date like 2024-01-31, 2024-01-31T09:00:00+09:00, or seconds since 1970"
        )
    })
}

/// Eleventy's JSON data files, each read (and parsed) once.
#[derive(Default)]
struct DataFiles {
    /// Path → its object (`None`: absent, unreadable or not an object).
    read: std::collections::HashMap<
        PathBuf,
        Option<std::rc::Rc<serde_json::Map<String, serde_json::Value>>>,
    >,
}

impl DataFiles {
    /// The data file at `path`; a file that is not JSON is a warning (once).
    fn get(
        &mut self,
        path: PathBuf,
        warnings: &mut Vec<Warning>,
    ) -> Option<std::rc::Rc<serde_json::Map<String, serde_json::Value>>> {
        if let Some(known) = self.read.get(&path) {
            return known.clone();
        }
        let parsed =
            std::fs::read_to_string(&path).ok().and_then(|text| {
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(serde_json::Value::Object(map)) => Some(std::rc::Rc::new(map)),
                    Ok(_) => None,
                    Err(e) => {
                        warnings.push(Warning {
                            location: crate::source::names::display_path(&path),
                            message: format!(
                                "not valid JSON ({e}); this Eleventy data file is ignored"
                            ),
                        });
                        None
                    }
                }
            });
        self.read.insert(path, parsed.clone());
        parsed
    }

    /// The data files that apply to `doc`, lowest priority first: the
    /// folder the keys are relative to, each folder down to the article's,
    /// then the article's own (`X.json` before `X.11tydata.json`).
    fn paths(doc: &Document) -> Vec<PathBuf> {
        let Some(origin) = doc.origin.path() else { return Vec::new() };
        let key_depth = doc.key.split(['/', '\\']).filter(|p| !p.is_empty()).count();
        let parts: Vec<&std::ffi::OsStr> = origin
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(Component::as_os_str)
            .collect();
        if key_depth == 0 || parts.len() < key_depth {
            return Vec::new();
        }
        let root_len = parts.len() - key_depth;
        let mut paths = Vec::new();
        let mut push = |dir: &Path, base: &str| {
            for suffix in ["", ".11tydata"] {
                paths.push(dir.join(format!("{base}{suffix}.json")));
            }
        };
        // Eleventy reads `src/src.json` for the input folder `src`, but
        // nothing for `.`.
        let first = if root_len == 0 { 1 } else { root_len };
        for depth in first..parts.len() {
            let dir: PathBuf = parts[..depth].iter().collect();
            let name = parts[depth - 1].to_string_lossy();
            push(&dir, &name);
        }
        let dir: PathBuf = parts[..parts.len() - 1].iter().collect();
        let file = parts[parts.len() - 1].to_string_lossy();
        let stem = file.rsplit_once('.').map_or(&*file, |(stem, _)| stem);
        push(&dir, stem);
        paths
    }

    /// Sets what the data files say and the front matter does not.
    fn apply(&mut self, doc: &mut Document, warnings: &mut Vec<Warning>) {
        use serde_json::Value;
        let mut found: Vec<(&'static str, Value, PathBuf)> = Vec::new();
        for path in Self::paths(doc) {
            let Some(data) = self.get(path.clone(), warnings) else { continue };
            for key in CASCADE_KEYS {
                if let Some(v) = data.get(*key) {
                    found.retain(|(k, _, _)| k != key);
                    found.push((key, v.clone(), path.clone()));
                }
            }
        }
        let set = |key: &str| doc.site.front_matter_keys.contains(&key);
        let file_name = |p: &Path| p.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let is_true = |v: &Value| {
            v.as_bool() == Some(true)
                || v.as_str().is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
        };
        let inline = |v: &Value| v.as_str().and_then(crate::extract::clean_inline);
        for (key, value, path) in &found {
            match *key {
                "related" if !set("related") => match value {
                    Value::Bool(false) => doc.site.no_related = true,
                    Value::String(s) if s.trim().eq_ignore_ascii_case("false") => {
                        doc.site.no_related = true;
                    }
                    Value::String(_) => doc.site.pinned = inline(value).into_iter().collect(),
                    Value::Array(items) => {
                        doc.site.pinned = items.iter().filter_map(inline).collect()
                    }
                    _ => {}
                },
                "related_exclude" if !set("related_exclude") => {
                    doc.site.related_exclude = is_true(value);
                }
                "eleventyExcludeFromCollections"
                    if !set("eleventyExcludeFromCollections") && is_true(value) =>
                {
                    doc.site.unlisted.get_or_insert_with(|| {
                        format!("eleventyExcludeFromCollections: true ({})", file_name(path))
                    });
                }
                "permalink" if !set("permalink") && *value == Value::Bool(false) => {
                    doc.site
                        .unlisted
                        .get_or_insert_with(|| format!("permalink: false ({})", file_name(path)));
                }
                _ => {}
            }
        }
        // The first of lang, language, locale, as in front matter.
        let lang = ["lang", "language", "locale"]
            .iter()
            .find_map(|k| found.iter().find(|(f, _, _)| f == k).and_then(|(_, v, _)| inline(v)));
        if doc.lang.is_none()
            && let Some(lang) = lang
        {
            doc.lang = Some(lang);
        }
    }
}

/// Sets languages, translation groups and source keys, and drops what the
/// generator does not publish. Runs before [`crate::site::keys::apply`].
/// The two-letter language codes of ISO 639-1.
pub(crate) const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// The date in the name of a file under a `_posts` folder.
fn jekyll_post_date(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    let posts = path.parent()?.components().any(|part| part.as_os_str() == "_posts");
    posts.then(|| keys::date_prefix(&name)).flatten().map(str::to_owned)
}

pub fn prepare(
    docs: &mut Vec<Document>,
    opts: &SiteOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Skipped> {
    let lang_dirs = check_lang_dirs(&opts.lang_dirs)?;
    let default_lang = opts.default_lang.as_deref().and_then(normalize_lang);
    let mut data_files = DataFiles::default();
    for doc in docs.iter_mut() {
        // Jekyll and Hexo date posts by file name: `_posts/2024-01-31-hello.md`.
        let is_file = doc.origin.path().is_some();
        if let Some(path) = doc.origin.path()
            && doc.date.is_none()
        {
            doc.date = jekyll_post_date(path);
        }
        if opts.eleventy_data && is_file {
            data_files.apply(doc, warnings);
        }
        let mut from_dir = None;
        if let Some(path) = doc.origin.path()
            && !lang_dirs.is_empty()
        {
            let real = std::fs::canonicalize(path).ok();
            from_dir = lang_dirs.iter().find_map(|(code, dir, real_dir)| {
                relative_to(path, dir)
                    .or_else(|| real.as_deref().and_then(|r| relative_to(r, real_dir)))
                    .map(|key| (code.clone(), key))
            });
        }
        // Named as in keys (bytes that are not UTF-8 percent-encoded).
        let name = match doc.origin.path().and_then(Path::file_name) {
            Some(name) => crate::source::names::encode_name(name).0.into_owned(),
            None => String::new(),
        };
        let suffix = is_file.then(|| file_language(&name)).flatten();
        let mut page = doc.key.clone();
        if let Some((code, key)) = from_dir {
            doc.lang = Some(code);
            doc.key = key.clone();
            page = key;
        } else if let Some(lang) = doc.lang.as_deref().and_then(normalize_lang) {
            doc.lang = Some(lang);
        } else if let Some((code, _)) = &suffix {
            doc.lang = Some(code.clone());
        } else {
            doc.lang.clone_from(&default_lang);
        }
        if let Some((_, unsuffixed)) = &suffix {
            let dir_len = page.len().saturating_sub(name.len());
            if page.ends_with(&name) {
                page = format!("{}{unsuffixed}", &page[..dir_len]);
            }
        }
        if is_file {
            doc.site.source_key = Some(doc.key.clone());
            if doc.site.translation.is_none() {
                // Cannot collide with a translationKey: those never start with NUL.
                doc.site.translation = Some(format!("\0{page}"));
            }
        }
        if opts.splits() {
            match &doc.lang {
                Some(lang) => doc.site.partition = Some(lang.clone()),
                None => {
                    return Err(Error::Invalid(message![
                        format!("{}: no language (", doc.origin),
                        Setting::SplitLang,
                        " groups the output by language): give it a `lang` in front matter, put it under a ",
                        Setting::LangDir,
                        " folder, or give a default language: ",
                        Setting::DefaultLang,
                    ]));
                }
            }
        }
    }

    let now = opts.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    let mut skipped = Skipped::default();
    let mut warn = |doc: &Document, field: &str, raw: &str| {
        warnings.push(Warning {
            location: doc.origin.to_string(),
            message: format!(
                "cannot read the {field} {raw:?} (expected e.g. 2024-01-31 or 2024-01-31T09:00:00+09:00); the article is kept"
            ),
        });
    };
    let mut keep = Vec::with_capacity(docs.len());
    for doc in std::mem::take(docs) {
        if doc.site.no_related {
            skipped.opted_out += 1;
            continue;
        }
        if doc.origin.path().is_some() {
            if !opts.include_unlisted && doc.site.unlisted.is_some() {
                skipped.unlisted += 1;
                continue;
            }
            let published = match (&doc.site.publish_date, &doc.date) {
                (Some(p), _) => {
                    let t = parse_date_in(p, opts.zone);
                    if t.is_none() {
                        warn(&doc, "publishDate", p);
                    }
                    t
                }
                (None, Some(d)) => parse_date_in(d, opts.zone),
                (None, None) => None,
            };
            if !opts.include_future && published.is_some_and(|t| t.timestamp() > now) {
                skipped.future += 1;
                continue;
            }
            if let Some(raw) = &doc.site.expiry_date {
                match parse_date_in(raw, opts.zone) {
                    Some(t) if !opts.include_expired && t.timestamp() <= now => {
                        skipped.expired += 1;
                        continue;
                    }
                    Some(_) => {}
                    None => warn(&doc, "expiryDate", raw),
                }
            }
        }
        keep.push(doc);
    }
    *docs = keep;
    Ok(skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Origin;

    #[test]
    fn jekyll_posts_take_their_date_from_the_file_name() {
        let date = |path: &str| jekyll_post_date(Path::new(path));
        assert_eq!(date("site/_posts/2024-01-31-a.md").as_deref(), Some("2024-01-31"));
        assert_eq!(date("_posts/tech/2024-01-31-a.md").as_deref(), Some("2024-01-31"));
        assert_eq!(date("posts/2024-01-31-a.md"), None, "only under _posts");
        assert_eq!(date("_posts/about.md"), None);
        assert_eq!(date("2024-01-31-a.md"), None);
        let post = |date: Option<&str>| Document {
            key: "2024-01-31-a.md".into(),
            origin: Origin::File { path: "_posts/2024-01-31-a.md".into() },
            date: date.map(Into::into),
            ..Document::default()
        };
        let mut docs = vec![post(Some("2020-05-05")), post(None)];
        prepare(&mut docs, &SiteOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(docs[0].date.as_deref(), Some("2020-05-05"), "front matter wins");
        assert_eq!(docs[1].date.as_deref(), Some("2024-01-31"));
    }

    fn file(path: &str) -> Document {
        Document {
            key: path.into(),
            origin: Origin::File { path: path.into() },
            ..Document::default()
        }
    }

    #[test]
    fn zones_parse_names_and_offsets() {
        assert!(matches!(Zone::parse("Asia/Tokyo"), Ok(Zone::Named(_))));
        assert_eq!(
            Zone::parse("+09:00"),
            Ok(Zone::Fixed(FixedOffset::east_opt(9 * 3600).unwrap()))
        );
        assert_eq!(Zone::parse("-0530"), Ok(Zone::Fixed(FixedOffset::west_opt(19800).unwrap())));
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Fixed(FixedOffset::east_opt(0).unwrap())));
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(e.contains("Asia/Tokyo"), "{e}");
    }

    #[test]
    fn naive_dates_are_read_in_the_site_zone() {
        let tokyo = Zone::parse("Asia/Tokyo").ok();
        let utc = parse_date_in("2024-01-01", None).unwrap().timestamp();
        assert_eq!(parse_date_in("2024-01-01", tokyo).unwrap().timestamp(), utc - 9 * 3600);
        let zoned = parse_date_in("2024-01-01 00:30:00 +0900", tokyo).unwrap();
        assert_eq!(zoned, parse_date_in("2024-01-01 00:30:00 +0900", None).unwrap());
        let utc_zone = Zone::parse("UTC").unwrap();
        assert_eq!(utc_zone.convert(zoned).format("%Y-%m-%d").to_string(), "2023-12-31");
        let ny = Zone::parse("America/New_York").unwrap();
        // 02:30 does not exist on 2024-03-10 in New York: the hour after the gap.
        assert!(parse_date_in("2024-03-10 02:30", Some(ny)).is_some());
    }

    #[test]
    fn hugo_file_names_give_language_and_page() {
        assert_eq!(file_language("a.ja.md"), Some(("ja".into(), "a.md".into())));
        assert_eq!(file_language("a.zh-TW.md"), Some(("zh-tw".into(), "a.md".into())));
        assert_eq!(file_language("jquery.ui.md"), None);
        assert_eq!(file_language("notes.v2.md"), None);
        assert_eq!(file_language("a.md"), None);
        assert_eq!(file_language(".ja.md"), None);
    }

    #[test]
    fn languages_come_from_folders_front_matter_suffixes_then_default() {
        let dir = tempfile::tempdir().unwrap();
        let ja = dir.path().join("content/ja");
        std::fs::create_dir_all(ja.join("posts")).unwrap();
        std::fs::write(ja.join("posts/a.md"), "x").unwrap();
        let origin = ja.join("posts/a.md").display().to_string();
        let mut docs = vec![
            Document { key: "ja/posts/a.md".into(), ..file(&origin) },
            file("posts/b.ja.md"),
            Document { lang: Some("en_US".into()), ..file("posts/c.ja.md") },
            file("posts/d.md"),
        ];
        let opts = SiteOptions {
            lang_dirs: vec![("JA".into(), ja)],
            default_lang: Some("en".into()),
            now: Some(0),
            ..SiteOptions::default()
        };
        prepare(&mut docs, &opts, &mut Vec::new()).unwrap();
        let got: Vec<_> = docs.iter().map(|d| (d.key.as_str(), d.lang.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("posts/a.md", Some("ja")),
                ("posts/b.ja.md", Some("ja")),
                ("posts/c.ja.md", Some("en-us")),
                ("posts/d.md", Some("en")),
            ]
        );
        assert_eq!(docs[0].site.partition.as_deref(), Some("ja"), "--lang-dir splits");
        assert_eq!(docs[0].site.translation.as_deref(), Some("\0posts/a.md"));
        assert_eq!(docs[1].site.translation.as_deref(), Some("\0posts/b.md"));
    }

    #[test]
    fn eleventy_data_files_are_looked_for_like_eleventy_does() {
        let names = |origin: &str, key: &str| -> Vec<String> {
            let doc = Document { key: key.into(), ..file(origin) };
            DataFiles::paths(&doc).iter().map(|p| p.display().to_string()).collect()
        };
        assert_eq!(
            names("content/posts/a.ja.md", "posts/a.ja.md"),
            [
                "content/content.json",
                "content/content.11tydata.json",
                "content/posts/posts.json",
                "content/posts/posts.11tydata.json",
                "content/posts/a.ja.json",
                "content/posts/a.ja.11tydata.json",
            ]
        );
        // The input folder `.` has no data file of its own.
        assert_eq!(
            names("./posts/a.md", "posts/a.md"),
            [
                "posts/posts.json",
                "posts/posts.11tydata.json",
                "posts/a.json",
                "posts/a.11tydata.json"
            ]
        );
    }

    #[test]
    fn eleventy_data_files_fill_what_front_matter_leaves_unset() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("src");
        std::fs::create_dir_all(root.join("ja/posts")).unwrap();
        let write = |rel: &str, text: &str| std::fs::write(root.join(rel), text).unwrap();
        write("ja/ja.11tydata.json", r#"{"lang": "ja", "related_exclude": true}"#);
        write("ja/posts/posts.json", r#"{"related_exclude": false, "related": ["x", 1]}"#);
        write("ja/posts/b.11tydata.json", r#"{"eleventyExcludeFromCollections": true}"#);
        write("ja/posts/c.json", r#"{"permalink": false, "lang": "en"}"#);
        write("ja/posts/d.11tydata.json", "{not json");
        let doc = |name: &str, front: &[&'static str]| {
            let origin = root.join("ja/posts").join(name).display().to_string();
            let mut d = Document { key: format!("ja/posts/{name}"), ..file(&origin) };
            d.site.front_matter_keys = front.to_vec();
            d
        };
        let mut own = doc("a.md", &["related", "lang"]);
        own.site.related_exclude = false;
        own.lang = Some("fr".into());
        let mut docs = vec![own, doc("b.md", &[]), doc("c.md", &[]), doc("d.md", &[])];
        let opts = SiteOptions {
            eleventy_data: true,
            include_unlisted: true,
            now: Some(0),
            ..SiteOptions::default()
        };
        let mut warnings = Vec::new();
        prepare(&mut docs, &opts, &mut warnings).unwrap();
        // a: its front matter's related and lang win; related_exclude comes
        // from the nearest folder (posts.json: false beats ja's true).
        assert_eq!(docs[0].lang.as_deref(), Some("fr"));
        assert!(docs[0].site.pinned.is_empty() && !docs[0].site.related_exclude);
        assert_eq!(docs[1].site.pinned, ["x"], "only strings are keys");
        assert_eq!(docs[1].lang.as_deref(), Some("ja"));
        assert_eq!(
            docs[1].site.unlisted.as_deref(),
            Some("eleventyExcludeFromCollections: true (b.11tydata.json)")
        );
        assert_eq!(docs[2].site.unlisted.as_deref(), Some("permalink: false (c.json)"));
        assert_eq!(docs[2].lang.as_deref(), Some("en"), "the template's own data file wins");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].location.ends_with("d.11tydata.json"), "{warnings:?}");
        assert!(warnings[0].message.contains("not valid JSON"), "{warnings:?}");

        // Without --include-unlisted, b and c are skipped; without
        // eleventy_data nothing is read.
        let mut docs = vec![doc("b.md", &[]), doc("c.md", &[])];
        let skipped =
            prepare(&mut docs, &SiteOptions { include_unlisted: false, ..opts }, &mut Vec::new());
        assert_eq!(skipped.unwrap().unlisted, 2);
        let mut docs = vec![doc("b.md", &[])];
        prepare(
            &mut docs,
            &SiteOptions { now: Some(0), ..SiteOptions::default() },
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(docs[0].lang, None);
        assert_eq!(docs[0].site.unlisted, None);
    }

    #[test]
    fn split_lang_needs_a_language_for_every_article() {
        let opts = SiteOptions { split_lang: true, now: Some(0), ..SiteOptions::default() };
        let e = prepare(&mut vec![file("a.md")], &opts, &mut Vec::new()).unwrap_err();
        let Error::Invalid(m) = &e else { panic!("{e:?}") };
        let settings: Vec<Setting> = m.settings().collect();
        assert_eq!(settings, [Setting::SplitLang, Setting::LangDir, Setting::DefaultLang]);
        assert!(e.to_string().contains("a.md"), "{e}");
        assert!(e.to_string().contains("`ReadOptions::site.default_lang`"), "named by field: {e}");
    }

    #[test]
    fn publishing_rules_skip_future_expired_and_unlisted() {
        let now = parse_date_in("2024-06-01T12:00:00Z", None).unwrap().timestamp();
        let dated = |origin: &str, date: &str| Document { date: Some(date.into()), ..file(origin) };
        let docs = vec![
            dated("past.md", "2024-06-01"),
            dated("later-today.md", "2024-06-01T13:00:00Z"),
            Document {
                site: SiteMeta { publish_date: Some("2025-01-01".into()), ..SiteMeta::default() },
                ..dated("publish.md", "2020-01-01")
            },
            Document {
                site: SiteMeta { expiry_date: Some("2024-06-01".into()), ..SiteMeta::default() },
                ..file("expired.md")
            },
            Document {
                site: SiteMeta { expiry_date: Some("someday".into()), ..SiteMeta::default() },
                ..file("odd.md")
            },
            Document {
                site: SiteMeta { unlisted: Some("headless".into()), ..SiteMeta::default() },
                ..file("headless.md")
            },
            Document {
                site: SiteMeta { no_related: true, ..SiteMeta::default() },
                ..file("off.md")
            },
            Document {
                origin: Origin::Item { file: "feed".into(), n: 1 },
                ..dated("feed#1", "2030-01-01")
            },
        ];
        let opts = SiteOptions { now: Some(now), ..SiteOptions::default() };
        let mut warnings = Vec::new();
        let mut kept = docs.clone();
        let skipped = prepare(&mut kept, &opts, &mut warnings).unwrap();
        let keys: Vec<_> = kept.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["past.md", "odd.md", "feed#1"]);
        assert_eq!(skipped, Skipped { future: 2, expired: 1, unlisted: 1, opted_out: 1 });
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("\"someday\""), "{}", warnings[0].message);

        let all = SiteOptions {
            include_future: true,
            include_expired: true,
            include_unlisted: true,
            ..opts.clone()
        };
        let mut kept = docs.clone();
        assert_eq!(prepare(&mut kept, &all, &mut Vec::new()).unwrap().total(), 1);

        // In Tokyo, 2024-06-01 21:00 (UTC noon) is already past "2024-06-01 20:00".
        let tokyo = SiteOptions { zone: Zone::parse("Asia/Tokyo").ok(), ..opts };
        let mut kept =
            vec![dated("tokyo.md", "2024-06-01 20:00"), dated("late.md", "2024-06-01 22:00")];
        prepare(&mut kept, &tokyo, &mut Vec::new()).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].key, "tokyo.md");
    }

    #[test]
    fn dates_are_written_in_iso_8601() {
        let tokyo = Zone::parse("Asia/Tokyo").ok();
        assert_eq!(iso_date("2024/01/31", None).as_deref(), Some("2024-01-31"));
        assert_eq!(
            iso_date("2024-01-31 09:00:00 +0900", None).as_deref(),
            Some("2024-01-31T09:00:00+09:00")
        );
        assert_eq!(
            iso_date("2024-01-31 09:00", tokyo).as_deref(),
            Some("2024-01-31T09:00:00+09:00")
        );
        assert_eq!(iso_date("2024-01-31T00:00:00Z", None).as_deref(), Some("2024-01-31T00:00:00Z"));
        assert_eq!(
            iso_date("Wed, 31 Jan 2024 09:00:00 +0900", None).as_deref(),
            Some("2024-01-31T09:00:00+09:00")
        );
        assert_eq!(iso_date("someday", None), None);
    }

    #[test]
    fn lang_dir_flags_are_code_equals_folder() {
        assert_eq!(parse_lang_dir("ja=content/ja"), Ok(("ja".into(), "content/ja".into())));
        assert!(parse_lang_dir("content/ja").is_err());
        assert!(parse_lang_dir("=content/ja").is_err());
        assert_eq!(parse_now("1700000000", None), Ok(1_700_000_000));
        assert!(parse_now("tomorrow", None).unwrap_err().contains("--now"));
    }
}
