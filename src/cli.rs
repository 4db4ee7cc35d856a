//! Command-line flags (clap) and their conversion into a [`Config`].

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Parser;

use crate::config::{Config, FieldWeights, Verbosity};
use crate::extract::ExtractOptions;
use crate::output::Format;
use crate::source::WalkOptions;
use crate::text::{AnalyzerOptions, JapaneseOptions};
use crate::vector::{DfBound, Scheme, Tf, WeightingOptions};

const EXAMPLES: &str = "\
Examples:
  # Related articles for a Hugo/Jekyll/Eleventy content folder
  related content/ -o data/related.json

  # Ten neighbours each, only reasonably similar ones, readable JSON
  related content/posts -k 10 --min-score 0.1 --pretty

  # A site's RSS or Atom feed: every item is an article, keyed by its link
  related public/index.xml

  # JSON Lines on stdin: {\"key\": ..., \"title\": ..., \"text\": ...} per line
  cat articles.jsonl | related -

  # Drop-in replacement for the Python similar-documents tool's output
  related --format similar-documents -k 3 articles/*.md -o similar.json

Output (default): {\"posts/a.md\": [{\"key\": \"posts/b.md\", \"score\": 0.42, \"title\": \"B\"}, ...], ...}
Keys are paths relative to the directory given (or as given, for files).
Exit status: 0 success, 1 failure (or warnings with --strict), 2 usage error.";

/// Raw command-line flags. See [`Args::into_config`].
#[derive(Debug, Parser)]
#[command(
    name = "related",
    version,
    about = "Find the most related articles of every article of a site, as JSON.",
    long_about = "Find the most related articles of every article of a site, as JSON.\n\n\
        Reads Markdown (YAML/TOML front matter), HTML, plain text, RSS/Atom feeds and \
        JSON Lines; understands Japanese (embedded IPADIC) and English, mixed freely; \
        scores pairs by TF-IDF cosine similarity, exactly, in parallel.",
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Args {
    /// Files, directories (walked recursively) or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Related articles listed per article.
    #[arg(short = 'k', long, default_value_t = 5, value_name = "N")]
    pub top_k: usize,

    /// Write the result to FILE (atomically: never a half-written file) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// Indent the JSON output.
    #[arg(long)]
    pub pretty: bool,

    /// Do not list neighbours scoring below this (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "SCORE")]
    pub min_score: f64,

    /// Add to each neighbour the (up to 5) shared terms that contributed most to its score:
    /// "terms": ["rust", "検索", ...]. Shows why two articles were paired.
    #[arg(long)]
    pub explain: bool,

    /// Only read files whose path (relative to the directory) matches GLOB; replaces the
    /// default extensions (.md .markdown .mdx .html .htm .txt). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files whose path (relative to the directory) matches GLOB, e.g. 'tags/**'. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Include fenced and indented code blocks of Markdown in the text (excluded by default).
    #[arg(long)]
    pub include_code: bool,

    /// Term weighting formula.
    #[arg(long, value_enum, default_value_t = Scheme::Tfidf, help_heading = "Weighting")]
    pub weighting: Scheme,

    /// How many times the title's words count (0: the title is not part of the text).
    #[arg(long, default_value_t = 1, value_name = "N", help_heading = "Weighting")]
    pub title_weight: u32,

    /// How many times front-matter tags/categories/keywords count (0: ignore them).
    #[arg(long, default_value_t = 1, value_name = "N", help_heading = "Weighting")]
    pub tag_weight: u32,

    /// Reduce English words to their stem (searching, searched → search).
    #[arg(long, help_heading = "Weighting")]
    pub stem: bool,

    /// Term frequency: 1 + ln(count) (sublinear), or the raw count (scikit-learn's default).
    #[arg(long, value_enum, default_value_t = Tf::Sublinear, help_heading = "Weighting")]
    pub tf: Tf,

    /// Ignore terms found in fewer articles than this (a count like 2, or a fraction like 0.01).
    #[arg(long, value_name = "N|FRACTION", default_value = "1", help_heading = "Weighting")]
    pub min_df: DfBound,

    /// Ignore terms found in more articles than this (a count, or a fraction like 0.5): common
    /// words that would link everything to everything.
    #[arg(long, value_name = "N|FRACTION", default_value = "1.0", help_heading = "Weighting")]
    pub max_df: DfBound,

    /// Japanese: keep words as written (書いた → 書い) instead of their dictionary form (書く).
    #[arg(long, help_heading = "Weighting")]
    pub surface_form: bool,

    /// Japanese: keep noun suffixes (〜さん, 〜的, 〜化) as terms.
    #[arg(long, help_heading = "Weighting")]
    pub keep_suffix: bool,

    /// Japanese: keep only nouns (drop verbs and adjectives).
    #[arg(long, help_heading = "Weighting")]
    pub nouns_only: bool,

    /// Approximate mode for very large sites: look for neighbours through only the N
    /// highest-weighted terms of each article (listed scores stay exact; a few true
    /// neighbours may be missed). Exact when not given.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_terms_per_doc: Option<u32>,

    /// Turn off exact early termination in the similarity stage (same output, slower;
    /// for benchmarking).
    #[arg(long, hide = true)]
    pub no_early_termination: bool,

    /// Keep analyzed articles (and the last result) in DIR: the next run only re-analyzes
    /// changed articles, and an unchanged site is not recomputed. Safe to delete.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Fail (exit 1, write nothing) if any input is skipped or damaged.
    #[arg(long)]
    pub strict: bool,

    /// Print nothing on stderr but errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print per-stage timings and sizes on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

impl Args {
    /// Validates the flags and resolves them into a [`Config`].
    pub fn into_config(self) -> Result<Config, String> {
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(format!("--min-score {} is outside 0..=1", self.min_score));
        }
        let verbosity = if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        Ok(Config {
            inputs: self.inputs,
            walk: WalkOptions { include: self.include, exclude: self.exclude },
            extract: ExtractOptions { include_code: self.include_code },
            analyzer: AnalyzerOptions {
                japanese: JapaneseOptions {
                    keep_suffix: self.keep_suffix,
                    lemma: !self.surface_form,
                    nouns_only: self.nouns_only,
                },
                stem: self.stem,
            },
            fields: FieldWeights { title: self.title_weight, tags: self.tag_weight },
            weighting: WeightingOptions {
                scheme: self.weighting,
                tf: self.tf,
                min_df: self.min_df,
                max_df: self.max_df,
            },
            top_k: self.top_k,
            min_score: self.min_score,
            max_terms_per_doc: self.max_terms_per_doc.map(|n| n as usize),
            early_termination: !self.no_early_termination,
            explain: if self.explain { 5 } else { 0 },
            format: self.format,
            pretty: self.pretty,
            output: self.output,
            cache: self.cache,
            threads: self.threads.map(usize::from),
            strict: self.strict,
            progress: verbosity >= Verbosity::Normal && std::io::stderr().is_terminal(),
            verbosity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn defaults_are_sublinear_tfidf_and_five_neighbours() {
        let c = Args::try_parse_from(["related", "x"]).unwrap().into_config().unwrap();
        assert_eq!(c.top_k, 5);
        assert_eq!(c.weighting, WeightingOptions::default());
        assert_eq!(c.format, Format::Json);
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(Args::try_parse_from(["related"]).is_err(), "an input is required");
        assert!(Args::try_parse_from(["related", "x", "--max-df", "2.0"]).is_err());
        assert!(Args::try_parse_from(["related", "x", "--threads", "0"]).is_err());
        let a = Args::try_parse_from(["related", "x", "--min-score", "1.5"]).unwrap();
        assert!(a.into_config().is_err());
    }
}
