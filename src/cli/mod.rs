//! Command-line flags (clap), `related.toml`, and their conversion into a
//! [`Config`]. Entry point: [`parse`].

pub mod config_file;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{Config, FieldWeights, Verbosity};
use crate::extract::ExtractOptions;
use crate::filter::FilterOptions;
use crate::keys::{KeyOptions, KeyScheme};
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

  # Keys that are the site's URLs, one file per page, newer posts never listed
  related content/ --strip-extension --base-url / --output-dir data/related --exclude-newer

  # In CI: fail if data/related.json is out of date
  related content/ -o data/related.json --check

Output (default): {\"posts/a.md\": [{\"key\": \"posts/b.md\", \"score\": 0.42, \"title\": \"B\",
  \"url\": \"/b/\", \"date\": \"2024-01-02\"}, ...], ...}  (url and date when the article has them)
Keys are paths relative to the directory given (or to --root, or as given for files).
Drafts (draft: true, published: false) are skipped unless --include-drafts.

Settings can live in related.toml in the working directory (or --config FILE): any long
option as a key, e.g.  inputs = [\"content\"]  output = \"data/related.json\"  top-k = 8
Flags given on the command line override it.

Exit status: 0 success, 1 failure (or warnings with --strict, or stale with --check),
2 usage error.";

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
    max_term_width = 100,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true
)]
pub struct Args {
    /// Files, directories (walked recursively) or `-` for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Shell completions or the man page instead of a run.
    #[command(subcommand)]
    pub tool: Option<Tool>,

    /// Related articles listed per article.
    #[arg(short = 'k', long, default_value_t = 5, value_name = "N")]
    pub top_k: usize,

    /// Write the result to FILE (atomically: never a half-written file) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also (or instead of -o) write one file per article, DIR/<key>.json, holding its list
    /// (the default JSON entries, whatever --format). Only changed files are rewritten; files
    /// of deleted articles are removed.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Write nothing: exit 1 if -o FILE / --output-dir DIR is not what this run would write
    /// (for CI), 0 if it is up to date.
    #[arg(long)]
    pub check: bool,

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

    /// What each key is: the file's path, its front-matter url/permalink (feeds: the item
    /// link), or its slug (front matter, else the file name); the path when the field is absent.
    #[arg(long, value_enum, default_value_t = KeyScheme::Path, help_heading = "Site")]
    pub key: KeyScheme,

    /// Make keys relative to DIR instead of the directory given ('related _posts --root .'
    /// gives '_posts/a.md', Jekyll's page.path).
    #[arg(long, value_name = "DIR", help_heading = "Site")]
    pub root: Option<PathBuf>,

    /// Drop the file extension from path keys: 'posts/a.md' → 'posts/a'.
    #[arg(long, help_heading = "Site")]
    pub strip_extension: bool,

    /// Prefix every key and every relative url with URL ('/', '/blog/',
    /// 'https://example.org/'), joined with exactly one '/'.
    #[arg(long, value_name = "URL", help_heading = "Site")]
    pub base_url: Option<String>,

    /// The url of articles whose front matter has none, from a template: {key} {path} (path
    /// without extension or final /index) {slug} {year} {month} {day}, e.g. '/posts/{slug}/'
    /// or Jekyll's '/{year}/{month}/{day}/{slug}.html'; {path|urlize} lowercases and dashes
    /// like Hugo ('Café Notes' → 'café-notes'). Joined with --base-url like other urls.
    #[arg(long, value_name = "TEMPLATE", help_heading = "Site")]
    pub url_template: Option<String>,

    /// Also read and list articles marked draft: true (or published: false, permalink: false).
    #[arg(long, help_heading = "Site")]
    pub include_drafts: bool,

    /// Only list articles dated at or before the one they are listed for (stable "see also"
    /// lists, like Hugo's includeNewer = false). Undated articles are not filtered.
    #[arg(long, help_heading = "Site")]
    pub exclude_newer: bool,

    /// Only list articles in the same language (front-matter lang/language, <html lang>, feed
    /// language, or a Hugo-style file name post.ja.md; en-US = en). Articles without a language
    /// are not filtered.
    #[arg(long, help_heading = "Site")]
    pub same_lang: bool,

    /// Read settings from FILE (default: related.toml in the working directory, if any).
    #[arg(long, value_name = "FILE", help_heading = "Site")]
    pub config: Option<PathBuf>,

    /// Do not read related.toml.
    #[arg(long, conflicts_with = "config", help_heading = "Site")]
    pub no_config: bool,

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

    /// Latent dimensions (LSI, a truncated SVD of the TF-IDF vectors) blended into the
    /// score, so articles on one topic match even with different words; 0 turns it off.
    /// Sites above 20,000 articles run without it.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Weighting")]
    pub lsi_dims: u16,

    /// Weight of the TF-IDF cosine in the score when LSI is on (0 to 1); the LSI cosine
    /// gets the rest.
    #[arg(long, value_name = "ALPHA", default_value_t = 0.3, help_heading = "Weighting")]
    pub lsi_blend: f64,
}

impl Args {
    /// Validates the flags and resolves them into a [`Config`].
    pub fn into_config(self) -> Result<Config, String> {
        if self.inputs.is_empty() {
            return Err("no input: give files or directories (e.g. 'related content/'), '-' for \
                 stdin, or set inputs = [\"content\"] in related.toml"
                .into());
        }
        if self.check && self.output.is_none() && self.output_dir.is_none() {
            return Err("--check compares with an existing output: give -o FILE and/or \
                 --output-dir DIR"
                .into());
        }
        if let Some(t) = &self.url_template {
            crate::keys::check_url_template(t)?;
        }
        if self.base_url.as_deref().is_some_and(|u| u.trim().is_empty()) {
            return Err("--base-url is empty (for site-relative keys use --base-url /)".into());
        }
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(format!("--min-score {} is outside 0..=1", self.min_score));
        }
        if !(0.0..=1.0).contains(&self.lsi_blend) {
            return Err(format!(
                "--lsi-blend {} is outside 0..=1 (1 = TF-IDF only, 0 = LSI only)",
                self.lsi_blend
            ));
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
            walk: WalkOptions { include: self.include, exclude: self.exclude, root: self.root },
            extract: ExtractOptions { include_code: self.include_code },
            keys: KeyOptions {
                scheme: self.key,
                strip_extension: self.strip_extension,
                base_url: self.base_url,
                url_template: self.url_template,
            },
            filters: FilterOptions {
                include_drafts: self.include_drafts,
                exclude_newer: self.exclude_newer,
                same_lang: self.same_lang,
            },
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
            output_dir: self.output_dir,
            check: self.check,
            cache: self.cache,
            threads: self.threads.map(usize::from),
            strict: self.strict,
            progress: verbosity >= Verbosity::Normal && std::io::stderr().is_terminal(),
            verbosity,
            lsi_dims: usize::from(self.lsi_dims),
            lsi_blend: self.lsi_blend,
        })
    }
}

/// Things `related` can do besides a run.
#[derive(Debug, Subcommand)]
pub enum Tool {
    /// Print a shell completion script: related completions bash > /etc/bash_completion.d/related
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): related man > related.1 && man ./related.1
    Man,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Invocation {
    /// A run with these settings.
    Run(Box<Config>),
    /// Print a completion script or the man page on stdout.
    Tool(Tool),
}

/// Why the command line could not be used.
#[derive(Debug)]
pub enum ParseError {
    /// From clap (also `--help` and `--version`, which it prints itself).
    Clap(clap::Error),
    /// A usage error with a message.
    Usage(String),
}

/// Parses `argv` (program name first) and `related.toml`/`--config` into
/// what to do. See [`config_file`] for how the file and flags combine.
pub fn parse(argv: Vec<OsString>) -> Result<Invocation, ParseError> {
    let command = Args::command();
    let given = command.clone().try_get_matches_from(&argv).map_err(ParseError::Clap)?;
    let args = Args::from_arg_matches(&given).map_err(ParseError::Clap)?;
    if let Some(tool) = args.tool {
        return Ok(Invocation::Tool(tool));
    }
    let file =
        config_file::locate(args.config.as_deref(), args.no_config).map_err(ParseError::Usage)?;
    let args = match file {
        None => args,
        Some(path) => {
            let (options, inputs) =
                config_file::arguments(&path, &command, &given).map_err(ParseError::Usage)?;
            let mut merged = vec![argv.first().cloned().unwrap_or_else(|| "related".into())];
            merged.extend(options);
            merged.extend(argv.into_iter().skip(1));
            if !inputs.is_empty() {
                merged.push("--".into());
                merged.extend(inputs);
            }
            let matches = command.try_get_matches_from(merged).map_err(ParseError::Clap)?;
            Args::from_arg_matches(&matches).map_err(ParseError::Clap)?
        }
    };
    args.into_config().map(|c| Invocation::Run(Box::new(c))).map_err(ParseError::Usage)
}

/// Writes the completion script for `shell`, or the man page, to `out`.
pub fn print_tool(tool: &Tool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut command = Args::command();
    match tool {
        Tool::Completions { shell } => {
            clap_complete::generate(*shell, &mut command, "related", out);
            Ok(())
        }
        Tool::Man => clap_mangen::Man::new(command).render(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let none = Args::try_parse_from(["related"]).unwrap().into_config().unwrap_err();
        assert!(none.contains("no input"), "{none}");
        let check = Args::try_parse_from(["related", "x", "--check"]).unwrap();
        assert!(check.into_config().unwrap_err().contains("--check compares"));
        assert!(Args::try_parse_from(["related", "x", "--max-df", "2.0"]).is_err());
        assert!(Args::try_parse_from(["related", "x", "--threads", "0"]).is_err());
        let a = Args::try_parse_from(["related", "x", "--min-score", "1.5"]).unwrap();
        assert!(a.into_config().is_err());
    }

    fn run_config(argv: &[&str]) -> Result<Config, String> {
        let argv = argv.iter().map(OsString::from).collect();
        match parse(argv) {
            Ok(Invocation::Run(c)) => Ok(*c),
            Ok(Invocation::Tool(t)) => Err(format!("tool {t:?}")),
            Err(ParseError::Usage(m)) => Err(m),
            Err(ParseError::Clap(e)) => Err(e.render().to_string()),
        }
    }

    #[test]
    fn config_file_values_yield_to_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("site.toml");
        std::fs::write(
            &file,
            "inputs = [\"content\"]\ntop-k = 8\nexclude = [\"a/**\", \"b/**\"]\npretty = true\n\
             output = \"data/related.json\"\nbase-url = \"/blog/\"\nexclude-newer = false\n",
        )
        .unwrap();
        let file = file.to_str().unwrap();
        let c = run_config(&["related", "--config", file]).unwrap();
        assert_eq!(c.inputs, [dir.path().join("content")], "relative to the file's folder");
        assert_eq!(c.output, Some(dir.path().join("data/related.json")));
        assert_eq!((c.top_k, c.pretty, c.filters.exclude_newer), (8, true, false));
        assert_eq!(c.walk.exclude, ["a/**", "b/**"]);
        assert_eq!(c.keys.base_url.as_deref(), Some("/blog/"));

        let c = run_config(&["related", "--config", file, "x", "-k", "3", "--exclude", "c/**"])
            .unwrap();
        assert_eq!(c.inputs, [PathBuf::from("x")]);
        assert_eq!(c.top_k, 3);
        assert_eq!(c.walk.exclude, ["c/**"], "a list on the command line replaces the file's");
        assert!(c.pretty);

        // A flag that conflicts with one from the file replaces it.
        std::fs::write(dir.path().join("quiet.toml"), "inputs = [\"x\"]\nquiet = true\n").unwrap();
        let quiet = dir.path().join("quiet.toml");
        let c = run_config(&["related", "--config", quiet.to_str().unwrap()]).unwrap();
        assert_eq!(c.verbosity, Verbosity::Quiet);
        let c = run_config(&["related", "--config", quiet.to_str().unwrap(), "-v"]).unwrap();
        assert_eq!(c.verbosity, Verbosity::Verbose);
    }

    #[test]
    fn config_file_errors_name_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("related.toml");
        let path = file.to_str().unwrap();
        let error = |body: &str| {
            std::fs::write(&file, body).unwrap();
            run_config(&["related", "--config", path, "x"]).unwrap_err()
        };
        let e = error("top_k = 3\n");
        assert!(e.contains(path) && e.contains("unknown key `top_k`"), "{e}");
        assert!(e.contains("did you mean `top-k`"), "{e}");
        let e = error("top-k = \"many\"\n");
        assert!(e.contains("`top-k`") && e.contains("many"), "{e}");
        let e = error("pretty = 1\n");
        assert!(e.contains("`pretty` must be true or false"), "{e}");
        let e = error("top-k = [1, 2]\n");
        assert!(e.contains("`top-k` must be a single value"), "{e}");
        let e = error("config = \"other.toml\"\n");
        assert!(e.contains("unknown key `config`"), "{e}");
        let e = error("top-k = \n");
        assert!(e.contains("not valid TOML"), "{e}");
        let e = run_config(&["related", "--config", "/no/such.toml", "x"]).unwrap_err();
        assert!(e.contains("/no/such.toml"), "{e}");
    }

    #[test]
    fn subcommands_print_completions_and_man_page() {
        for (argv, needle) in [
            (&["related", "completions", "bash"][..], "_related()"),
            (&["related", "completions", "zsh"][..], "#compdef related"),
            (&["related", "man"][..], ".TH related 1"),
        ] {
            let Ok(Invocation::Tool(tool)) = parse(argv.iter().map(OsString::from).collect())
            else {
                panic!("{argv:?} is not a tool");
            };
            let mut out = Vec::new();
            print_tool(&tool, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains(needle), "{argv:?}: {}", &text[..200.min(text.len())]);
            let text = text.replace("\\-", "-"); // roff escapes dashes
            assert!(text.contains("exclude-newer"), "{argv:?} lists the options");
        }
    }
}
