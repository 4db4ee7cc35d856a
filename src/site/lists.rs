//! After the similarity stage: articles pinned by front matter
//! (`related: [keys or paths]`) go first, and `--fill` tops short lists up
//! to k. Pinned and filled entries are marked (`"pinned": true`,
//! `"filled": true`) and carry no score: they did not earn one.
//!
//! A pin names an article by its key, or by its path as read (`posts/b.md`,
//! also without extension); with `--split-lang` it is looked up in the
//! pinning article's language first. A pin that names no article (or one
//! that is not published) is a warning, and is left out.
//!
//! Filling (`--fill recent`: newest first; `--fill tags`: most shared tags
//! first, then newest) only adds articles the pair rules allow (so never the
//! article itself, a translation, another language under `--split-lang`, a
//! newer one under `--exclude-newer`), in a deterministic order (ties by
//! key).

use std::collections::HashMap;

use crate::document::{Corpus, DocId};
use crate::outcome::Warning;
use crate::similar::Related;
use crate::site::filter::PairFilter;

/// How short lists are topped up to k (`--fill`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Fill {
    /// Leave short lists short.
    #[default]
    None,
    /// The newest articles (undated ones last).
    Recent,
    /// The articles sharing the most tags, then the newest.
    Tags,
}

pub use crate::outcome::Mark;

/// What [`finish`] needs besides the lists.
#[derive(Debug, Clone, Copy)]
pub struct ListOptions {
    /// Places per list.
    pub k: usize,
    /// How to fill short lists.
    pub fill: Fill,
    /// The site's time zone, for dates written without one.
    pub zone: Option<crate::site::Zone>,
}

/// Puts pinned articles first and fills short lists. Returns the marks of
/// every entry (`None` when nothing was pinned or filled). `explanations`,
/// when given, is rearranged alongside (new entries explain nothing).
pub fn finish(
    corpus: &Corpus,
    related: &mut [Vec<Related>],
    explanations: Option<&mut Vec<Vec<Vec<String>>>>,
    pairs: &PairFilter,
    opts: ListOptions,
    warnings: &mut Vec<Warning>,
) -> Option<Vec<Vec<Mark>>> {
    let ListOptions { k, fill, zone } = opts;
    let docs = corpus.docs();
    let pinning = docs.iter().any(|d| !d.site.pinned.is_empty());
    let short = fill != Fill::None && related.iter().any(|l| l.len() < k);
    if !pinning && !short {
        return None;
    }
    let mut empty_explanations = Vec::new();
    let explanations = explanations.unwrap_or(&mut empty_explanations);
    let explaining = !explanations.is_empty();

    // Names a pin may use → article, per partition.
    let mut names: HashMap<(Option<&str>, &str), DocId> = HashMap::new();
    if pinning {
        for (id, d) in docs.iter().enumerate() {
            let part = d.site.partition.as_deref();
            for name in [Some(d.key.as_str()), d.site.source_key.as_deref()]
                .into_iter()
                .flatten()
                .flat_map(|n| [n, crate::site::keys::strip_extension(n)])
            {
                names.entry((part, name)).or_insert(id as DocId);
                names.entry((None, name)).or_insert(id as DocId);
            }
        }
    }

    let dates: Vec<Option<i64>> = if fill == Fill::None {
        Vec::new()
    } else {
        docs.iter()
            .map(|d| d.date.as_deref().and_then(|raw| crate::site::parse_date_in(raw, zone)))
            .map(|t| t.map(|t| t.timestamp()))
            .collect()
    };
    // Newest first, undated last, ties by key.
    let mut by_date: Vec<DocId> = Vec::new();
    if fill != Fill::None {
        by_date = (0..docs.len() as DocId).collect();
        by_date.sort_by_key(|&j| {
            (dates[j as usize].is_none(), std::cmp::Reverse(dates[j as usize]), j)
        });
    }
    let mut by_tag: HashMap<&str, Vec<DocId>> = HashMap::new();
    if fill == Fill::Tags {
        for (id, d) in docs.iter().enumerate() {
            for t in &d.tags {
                by_tag.entry(t.as_str()).or_default().push(id as DocId);
            }
        }
    }

    let mut marks = Vec::with_capacity(related.len());
    for (i, list) in related.iter_mut().enumerate() {
        let doc = &docs[i];
        let mut entries: Vec<(Related, Mark, Vec<String>)> = Vec::new();
        for pin in &doc.site.pinned {
            let part = doc.site.partition.as_deref();
            let found =
                names.get(&(part, pin.as_str())).or_else(|| names.get(&(None, pin.as_str())));
            match found {
                Some(&j) if j as usize != i => {
                    if entries.iter().all(|(r, _, _)| r.doc != j) {
                        entries.push((Related { doc: j, score: 0.0 }, Mark::Pinned, Vec::new()));
                    }
                }
                Some(_) => {}
                None => warnings.push(Warning {
                    location: doc.origin.to_string(),
                    message: format!(
                        "related: {pin:?} names no published article; give its key or its path as read (e.g. posts/b.md)"
                    ),
                }),
            }
        }
        let room = k.saturating_sub(entries.len());
        let mut terms = if explaining { std::mem::take(&mut explanations[i]) } else { Vec::new() };
        terms.resize(list.len(), Vec::new());
        let pinned: Vec<DocId> = entries.iter().map(|(r, _, _)| r.doc).collect();
        for (r, t) in list.iter().zip(terms).filter(|(r, _)| !pinned.contains(&r.doc)).take(room) {
            entries.push((*r, Mark::Computed, t));
        }
        if fill != Fill::None && entries.len() < k {
            let taken = |j: DocId, entries: &[(Related, Mark, Vec<String>)]| {
                j as usize == i || entries.iter().any(|(r, _, _)| r.doc == j)
            };
            let candidates: Vec<DocId> = match fill {
                Fill::Recent => by_date.clone(),
                Fill::Tags => {
                    let mut shared: HashMap<DocId, usize> = HashMap::new();
                    for t in &doc.tags {
                        for &j in by_tag.get(t.as_str()).into_iter().flatten() {
                            *shared.entry(j).or_default() += 1;
                        }
                    }
                    let mut c: Vec<DocId> = shared.keys().copied().collect();
                    c.sort_by_key(|&j| {
                        let d = dates[j as usize];
                        (std::cmp::Reverse(shared[&j]), d.is_none(), std::cmp::Reverse(d), j)
                    });
                    c
                }
                Fill::None => Vec::new(),
            };
            for j in candidates {
                if entries.len() >= k {
                    break;
                }
                if !taken(j, &entries) && pairs.allows(i as DocId, j) {
                    entries.push((Related { doc: j, score: 0.0 }, Mark::Filled, Vec::new()));
                }
            }
        }
        list.clear();
        let mut row_marks = Vec::with_capacity(entries.len());
        let mut row_terms = Vec::with_capacity(entries.len());
        for (r, m, t) in entries {
            list.push(r);
            row_marks.push(m);
            row_terms.push(t);
        }
        if explaining {
            explanations[i] = row_terms;
        }
        marks.push(row_marks);
    }
    Some(marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, Origin};
    use crate::site::filter::FilterOptions;

    fn doc(key: &str, date: Option<&str>, tags: &[&str], pins: &[&str]) -> Document {
        let mut d = Document {
            key: key.into(),
            origin: Origin::File { path: key.into() },
            date: date.map(Into::into),
            tags: tags.iter().map(|t| (*t).into()).collect(),
            ..Document::default()
        };
        d.site.pinned = pins.iter().map(|p| (*p).into()).collect();
        d.site.source_key = Some(format!("content/{key}"));
        d
    }

    fn opts(k: usize, fill: Fill) -> ListOptions {
        ListOptions { k, fill, zone: None }
    }

    #[test]
    fn pins_go_first_then_computed_then_filled() {
        let corpus = Corpus::new(vec![
            doc("a.md", Some("2024-01-01"), &["x"], &["c", "content/d.md", "nowhere", "a.md"]),
            doc("b.md", Some("2024-02-01"), &["x"], &[]),
            doc("c.md", Some("2024-03-01"), &[], &[]),
            doc("d.md", None, &["x"], &[]),
            doc("e.md", Some("2024-04-01"), &[], &[]),
        ])
        .unwrap();
        let pairs = PairFilter::new(&corpus, &FilterOptions::default(), &mut Vec::new());
        let r = |doc, score| Related { doc, score };
        let mut related = vec![vec![r(2, 0.5), r(1, 0.4)], vec![r(0, 0.3)], vec![], vec![], vec![]];
        let mut warnings = Vec::new();
        let marks =
            finish(&corpus, &mut related, None, &pairs, opts(3, Fill::Recent), &mut warnings)
                .unwrap();
        let ids: Vec<Vec<DocId>> =
            related.iter().map(|l| l.iter().map(|r| r.doc).collect()).collect();
        assert_eq!(
            ids[0],
            [2, 3, 1],
            "pins in order (by key without extension, by path), then computed"
        );
        assert_eq!(marks[0], [Mark::Pinned, Mark::Pinned, Mark::Computed]);
        assert_eq!(ids[1], [0, 4, 2], "filled newest first");
        assert_eq!(marks[1], [Mark::Computed, Mark::Filled, Mark::Filled]);
        assert_eq!(ids[3], [4, 2, 1], "undated articles fill last and never list themselves");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("\"nowhere\""));

        let mut related = vec![vec![], vec![], vec![], vec![], vec![]];
        let corpus_no_pins = Corpus::new(
            ["a.md", "b.md", "c.md", "d.md", "e.md"]
                .iter()
                .enumerate()
                .map(|(n, k)| {
                    doc(
                        k,
                        Some(&format!("2024-0{}-01", n + 1)),
                        if n % 2 == 0 { &["x"] } else { &[] },
                        &[],
                    )
                })
                .collect(),
        )
        .unwrap();
        finish(&corpus_no_pins, &mut related, None, &pairs, opts(3, Fill::Tags), &mut Vec::new());
        let ids: Vec<DocId> = related[0].iter().map(|r| r.doc).collect();
        assert_eq!(ids, [4, 2], "only articles sharing a tag, newest first");
        assert!(
            finish(
                &corpus_no_pins,
                &mut vec![vec![r(1, 0.1)]; 5],
                None,
                &pairs,
                opts(1, Fill::Recent),
                &mut Vec::new()
            )
            .is_none(),
            "nothing short, nothing pinned"
        );
    }
}
