//! `--format vectors`: each article's weights as JSON Lines, for a search
//! engine that already runs (OpenSearch, Elasticsearch) instead of lists:
//!
//! ```text
//! {"key":"posts/a.md","terms":{"cargo":0.412311,"crate":0.300157,…},"vector":[0.0123457,-0.2,…]}
//! ```
//!
//! - `terms`: the article's TF-IDF weights exactly as the similarity stage
//!   uses them (L2-normalized: the squares sum to 1; each in (0, 1]), terms
//!   in byte order, weights to 6 significant digits (never rounded to 0).
//!   Fit for a `more_like_this` query, or a `rank_features` field.
//! - `vector` (only when LSI ran): the article's LSI coordinates, of unit
//!   length, for a k-NN (`dense_vector` / `knn_vector`) field.
//! - `lang` with `--split-lang`, as in `--format jsonl`.
//!
//! Terms and vectors come from the whole corpus (vocabulary, IDF and LSI of
//! every article), also with `--shard`, which writes one slice's lines.

use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;
use serde::ser::Serializer;

use crate::document::Corpus;
use crate::pipeline::Vectors;

/// Significant digits kept in weights and coordinates.
const DIGITS: usize = 6;

/// `x` with [`DIGITS`] significant digits (so a small weight stays above 0).
/// `m / 10^k` with an integer `m` and an exact power of ten is the double
/// nearest that decimal, which serde_json (shortest round trip) then
/// writes as those digits; without formatting text (4.8 M weights for a
/// 20,000-article site). Very small or large values go through the text.
fn significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exponent = x.abs().log10().floor() as i32;
    let k = DIGITS as i32 - 1 - exponent;
    if (0..=22).contains(&k) {
        let scale = 10f64.powi(k);
        (x * scale).round() / scale
    } else {
        format!("{x:.prec$e}", prec = DIGITS - 1).parse().unwrap_or(x)
    }
}

/// A term → weight map, written in the order given.
struct Terms<'a>(Vec<(&'a str, f64)>);

impl Serialize for Terms<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(t, w)| (t, w)))
    }
}

#[derive(Serialize)]
struct Line<'a> {
    key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
    terms: Terms<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<Vec<f64>>,
}

/// Writes one line per article of `rows` (all: `0..corpus.len()`).
pub(crate) fn write(
    out: &mut dyn Write,
    corpus: &Corpus,
    vectors: &Vectors,
    rows: Range<usize>,
) -> io::Result<()> {
    let vocabulary = vectors.matrix.terms();
    let rows = rows.start.min(corpus.len())..rows.end.min(corpus.len());
    for i in rows {
        let doc = &corpus.docs()[i];
        let (terms, weights) = vectors.matrix.row(i);
        let mut pairs: Vec<(&str, f64)> = terms
            .iter()
            .zip(weights)
            .map(|(&t, &w)| (vocabulary[t as usize].as_str(), significant(w)))
            .collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let line = Line {
            key: &doc.key,
            lang: doc.site.partition.as_deref(),
            terms: Terms(pairs),
            vector: vectors
                .lsi
                .as_ref()
                .filter(|l| l.dims() > 0)
                .map(|l| l.row(i).iter().map(|&x| significant(x)).collect()),
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_significant_digits_never_round_to_zero() {
        assert_eq!(significant(0.123456789), 0.123457);
        assert_eq!(significant(1.0), 1.0);
        assert_eq!(significant(1.23456789e-9), 1.23457e-9);
        assert_eq!(significant(-0.5), -0.5);
        assert_eq!(serde_json::to_string(&significant(0.30015712)).unwrap(), "0.300157");
        assert_eq!(significant(123456789.0), 123457000.0);
        assert_eq!(significant(1.2345678e-30), 1.23457e-30);
        // As many digits as the text formatting, for weights of every size.
        let mut x = 0.987654321f64;
        while x > 1e-12 {
            let text: f64 = format!("{x:.5e}").parse().unwrap();
            let got = significant(x);
            assert!((got - text).abs() <= x * 1e-5, "{x}: {got} vs {text}");
            let text = serde_json::to_string(&got).unwrap();
            let mantissa = text.split(['e', 'E']).next().unwrap().replace(['.', '-'], "");
            let digits = mantissa.trim_start_matches('0').trim_end_matches('0');
            assert!(digits.len() <= DIGITS, "{x} is written {text}");
            x *= 0.8383;
        }
    }
}
