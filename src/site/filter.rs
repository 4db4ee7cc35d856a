//! Which articles may be listed for which: drafts, `--exclude-newer`,
//! `--same-lang`.
//!
//! Drafts are removed before analysis (a draft is not published, so it must
//! neither be listed nor weigh on the vocabulary). The two pair filters are a
//! rule `allows(i, j)` that the similarity stage applies while it selects
//! each top k, so an article still gets k neighbours when some candidates are
//! ruled out.
//!
//! Missing information never hides an article: an article without a (readable)
//! date, or without a language, is neither filtered nor filters others. The
//! language comes from the document (front matter, `<html lang>`, feed), else
//! from a Hugo-style file name (`post.ja.md`).
//!
//! Three rules always apply (see [`crate::site`]): translations of one page
//! are never each other's neighbours, `--split-lang` keeps lists within a
//! language, and `related_exclude: true` articles are never listed.

use crate::document::{Corpus, DocId, Document};
use crate::outcome::Warning;

/// Filters chosen by the user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilterOptions {
    /// Only list articles published at or before the one being viewed.
    pub exclude_newer: bool,
    /// Only list articles in the same language as the one being viewed.
    pub same_lang: bool,
    /// The site's time zone: dates written without one are read in it.
    pub zone: Option<crate::site::Zone>,
}

/// Removes drafts from `docs` unless they are wanted. Returns how many went.
pub fn drop_drafts(docs: &mut Vec<Document>, include_drafts: bool) -> usize {
    if include_drafts {
        return 0;
    }
    let before = docs.len();
    docs.retain(|d| !d.draft);
    before - docs.len()
}

/// The pair rule for one corpus.
#[derive(Debug, Default)]
pub struct PairFilter {
    /// Seconds since the epoch, per document (`--exclude-newer`).
    dates: Option<Vec<Option<i64>>>,
    /// Interned primary language subtag per document, 0 = unknown (`--same-lang`).
    langs: Option<Vec<u32>>,
    /// Interned output partition (`--split-lang`) per document: lists never
    /// cross partitions.
    partitions: Option<Vec<u32>>,
    /// Interned translation group per document, 0 = none: translations of
    /// one page are never each other's neighbours.
    translations: Option<Vec<u32>>,
    /// `related_exclude: true`: never listed.
    excluded: Option<Vec<bool>>,
}

/// Numbers the distinct values of `values` from 1 (0 = `None`); `None` if
/// no value occurs twice (the rule would then never apply).
fn intern<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Option<Vec<u32>> {
    let mut ids: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut repeated = false;
    let out: Vec<u32> = values
        .map(|v| match v {
            None => 0,
            Some(v) => {
                let next = ids.len() as u32 + 1;
                let id = *ids.entry(v).or_insert(next);
                repeated |= id != next;
                id
            }
        })
        .collect();
    repeated.then_some(out)
}

impl PairFilter {
    /// Prepares the rule; an unreadable date becomes a warning (the article
    /// is then treated as undated).
    pub fn new(corpus: &Corpus, opts: &FilterOptions, warnings: &mut Vec<Warning>) -> Self {
        let dates = opts.exclude_newer.then(|| {
            corpus
                .docs()
                .iter()
                .map(|d| {
                    let raw = d.date.as_deref()?;
                    let parsed = crate::site::parse_date_in(raw, opts.zone).map(|d| d.timestamp());
                    if parsed.is_none() {
                        warnings.push(Warning {
                            location: d.origin.to_string(),
                            message: format!(
                                "cannot read the date {raw:?} (expected e.g. 2024-01-31, 2024-01-31T09:00:00+09:00 or an RFC 2822 date); --exclude-newer treats this article as undated"
                            ),
                        });
                    }
                    parsed
                })
                .collect()
        });
        let langs = opts.same_lang.then(|| {
            let mut names: Vec<String> = Vec::new();
            corpus
                .docs()
                .iter()
                .map(|d| {
                    match d.lang.as_deref().and_then(primary_language).or_else(|| file_language(d))
                    {
                        None => 0,
                        Some(l) => match names.iter().position(|n| *n == l) {
                            Some(p) => p as u32 + 1,
                            None => {
                                names.push(l);
                                names.len() as u32
                            }
                        },
                    }
                })
                .collect()
        });
        let docs = corpus.docs();
        let partitions = intern(docs.iter().map(|d| d.site.partition.as_deref()))
            .filter(|p| p.iter().any(|id| *id != p[0]));
        let translations = intern(docs.iter().map(|d| d.site.translation.as_deref()));
        let excluded = docs
            .iter()
            .any(|d| d.site.related_exclude)
            .then(|| docs.iter().map(|d| d.site.related_exclude).collect());
        PairFilter { dates, langs, partitions, translations, excluded }
    }

    /// True if some pair may be ruled out.
    pub fn is_active(&self) -> bool {
        self.dates.is_some()
            || self.langs.is_some()
            || self.partitions.is_some()
            || self.translations.is_some()
            || self.excluded.is_some()
    }

    /// May `j` be listed among the related articles of `i`?
    pub fn allows(&self, i: DocId, j: DocId) -> bool {
        if let Some(dates) = &self.dates
            && let (Some(viewed), Some(candidate)) = (dates[i as usize], dates[j as usize])
            && candidate > viewed
        {
            return false;
        }
        if let Some(langs) = &self.langs {
            let (a, b) = (langs[i as usize], langs[j as usize]);
            if a != 0 && b != 0 && a != b {
                return false;
            }
        }
        if let Some(p) = &self.partitions
            && p[i as usize] != p[j as usize]
        {
            return false;
        }
        if let Some(t) = &self.translations
            && t[i as usize] != 0
            && t[i as usize] == t[j as usize]
        {
            return false;
        }
        !self.excluded.as_ref().is_some_and(|e| e[j as usize])
    }
}

/// Hugo's multilingual file names: `post.ja.md`, `_index.fr.md` → the
/// language, when the middle part is an ISO 639-1 code (so `jquery.ui.md`
/// or `notes.v2.md` are not mistaken for one).
fn file_language(doc: &Document) -> Option<String> {
    let name = doc.origin.path()?.file_name()?.to_string_lossy();
    let mut parts = name.rsplitn(3, '.');
    let (_ext, code, _stem) = (parts.next()?, parts.next()?, parts.next()?);
    let code = code.to_ascii_lowercase();
    let primary = code.split('-').next()?;
    crate::site::ISO_639_1.contains(&primary).then(|| primary.to_owned())
}

/// `en-US` → `en`, `JA` → `ja`: regional variants are one language.
fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty()).then_some(primary)
}

/// Reads the dates site generators and feeds write, as seconds since the
/// epoch. A date without a time zone is taken as UTC.
#[cfg(test)]
pub fn parse_date(raw: &str) -> Option<i64> {
    crate::site::parse_date_in(raw, None).map(|d| d.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Origin;

    #[test]
    fn reads_the_usual_date_formats() {
        let day = parse_date("2024-01-31").unwrap();
        assert_eq!(parse_date("2024/01/31"), Some(day));
        assert_eq!(parse_date(" 2024-01-31T00:00:00Z "), Some(day));
        assert_eq!(parse_date("2024-01-31T09:00:00+09:00"), Some(day));
        assert_eq!(parse_date("2024-01-31 09:00:00 +0900"), Some(day));
        assert_eq!(parse_date("2024-01-31T09:00:00+0900"), Some(day));
        assert_eq!(parse_date("2024-01-31 00:00:00"), Some(day));
        assert_eq!(parse_date("2024-01-31T00:00"), Some(day));
        assert_eq!(parse_date("2024-01-31T00:00:00.250Z"), Some(day));
        assert_eq!(parse_date("Wed, 31 Jan 2024 00:00:00 GMT"), Some(day));
        assert_eq!(parse_date("Wed, 31 Jan 2024 09:00:00 +0900"), Some(day));
        assert_eq!(parse_date("2024-01-31").unwrap() - parse_date("2024-01-30").unwrap(), 86400);
        assert_eq!(parse_date("last tuesday"), None);
        assert_eq!(parse_date("2024-02-30"), None);
    }

    fn corpus(docs: &[(&str, Option<&str>, Option<&str>)]) -> Corpus {
        Corpus::new(
            docs.iter()
                .map(|(key, date, lang)| Document {
                    key: (*key).into(),
                    origin: Origin::File { path: key.into() },
                    date: date.map(Into::into),
                    lang: lang.map(Into::into),
                    ..Document::default()
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn exclude_newer_lists_only_older_or_same_day_and_ignores_undated() {
        let c = corpus(&[
            ("a", Some("2024-01-01"), None),
            ("b", Some("2024-06-01"), None),
            ("c", Some("2024-06-01T00:00:00Z"), None),
            ("d", None, None),
            ("e", Some("soon"), None),
        ]);
        let mut warnings = Vec::new();
        let opts = FilterOptions { exclude_newer: true, ..FilterOptions::default() };
        let f = PairFilter::new(&c, &opts, &mut warnings);
        assert!(f.is_active());
        assert!(f.allows(1, 0), "older is listed");
        assert!(!f.allows(0, 1), "newer is not");
        assert!(f.allows(1, 2) && f.allows(2, 1), "same time is not newer");
        assert!(f.allows(0, 3) && f.allows(3, 1), "undated neither filtered nor filtering");
        assert!(f.allows(0, 4), "an unreadable date counts as undated");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].location, "e");
        assert!(warnings[0].message.contains("\"soon\""), "{}", warnings[0].message);
    }

    #[test]
    fn same_lang_compares_primary_subtags() {
        let c = corpus(&[
            ("a", None, Some("en-US")),
            ("b", None, Some("EN")),
            ("c", None, Some("ja")),
            ("d", None, None),
        ]);
        let opts = FilterOptions { same_lang: true, ..FilterOptions::default() };
        let f = PairFilter::new(&c, &opts, &mut Vec::new());
        assert!(f.allows(0, 1) && f.allows(1, 0));
        assert!(!f.allows(0, 2) && !f.allows(2, 1));
        assert!(f.allows(2, 3) && f.allows(3, 0), "unknown language is not filtered");
        assert!(!PairFilter::new(&c, &FilterOptions::default(), &mut Vec::new()).is_active());
    }

    #[test]
    fn hugo_language_file_names_give_a_language() {
        let file = |origin: &str, lang: Option<&str>| Document {
            key: origin.into(),
            origin: Origin::File { path: origin.into() },
            lang: lang.map(Into::into),
            ..Document::default()
        };
        let c = Corpus::new(vec![
            file("content/a.ja.md", None),
            file("content/a.en.md", None),
            file("content/b.md", None),
            file("content/jquery.ui.md", None),
            file("content/c.en.md", Some("ja")),
            file("content/d.zh-tw.md", None),
        ])
        .unwrap();
        let opts = FilterOptions { same_lang: true, ..FilterOptions::default() };
        let f = PairFilter::new(&c, &opts, &mut Vec::new());
        // Sorted keys: a.en, a.ja, b, c.en (ja by front matter), d.zh-tw, jquery.ui
        assert!(!f.allows(0, 1), "en and ja from file names");
        assert!(f.allows(1, 3), "front matter wins over the file name");
        assert!(f.allows(0, 2) && f.allows(0, 5), "no code, or not an ISO 639-1 code: unknown");
        assert!(!f.allows(4, 0), "zh-tw is zh");
    }

    #[test]
    fn drafts_go_unless_asked_for() {
        let mut docs = vec![
            Document { key: "a".into(), draft: true, ..Document::default() },
            Document { key: "b".into(), ..Document::default() },
        ];
        assert_eq!(drop_drafts(&mut docs, true), 0);
        assert_eq!(drop_drafts(&mut docs, false), 1);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].key, "b");
    }
}
