//! The command line, outside the library core: flags (clap) and
//! `related.toml` resolved into a [`Job`] ([`parse`]), the job itself
//! ([`job`]: outputs, `--check`, `--strict`, everything printed on stderr),
//! `--watch` ([`watch`]), progress bars, completions and the man page, the
//! mapping of errors to messages and exit codes ([`exit_code`]), and the
//! binary's huge-page allocator ([`alloc`]).

// The flags' doc comments are `--help` text, not rustdoc: `<key>`, `<pre>`
// and bare URLs there are meant literally.
#![allow(rustdoc::invalid_html_tags, rustdoc::bare_urls)]

pub mod alloc;
pub mod config_file;
pub mod failure;
pub mod job;
pub mod progress;
pub mod watch;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

pub use failure::Failure;
pub use job::{Job, Verbosity, run, run_and_report};

use crate::Setting;
use crate::extract::ExtractOptions;
use crate::options::{FieldWeights, Options, ReadOptions};
use crate::output::Format;
use crate::site::filter::FilterOptions;
use crate::site::keys::{KeyOptions, KeyScheme};
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

  # Next to a dev server: rewrite only what each edit changes, until Ctrl-C
  related content/ -o data/related.json --watch & hugo server

  # A very large site on 3 machines (CI matrix jobs), joined into one run's bytes
  related content/ --shard 2/3 -o shard-2.json      # each machine its slice: 1/3, 2/3, 3/3
  related merge shard-*.json -o data/related.json

  # Each article's term weights (and LSI vector) for OpenSearch/Elasticsearch, no lists
  related content/ --format vectors -o vectors.jsonl

Output (default): {\"posts/a.md\": [{\"key\": \"posts/b.md\", \"score\": 0.42, \"title\": \"B\",
  \"url\": \"/b/\", \"date\": \"2024-01-02\"}, ...], ...}  (url, date, description, image and tags
  when the article has them)
Keys are paths relative to the directory given (or to --root, or as given for files).
Drafts (draft: true, published: false) are skipped unless --include-drafts; future-dated,
expired and unlisted articles unless --include-future / --include-expired / --include-unlisted;
Hugo's list pages (_index.md) unless --include globs choose the files.

Settings can live in related.toml in the working directory (or --config FILE): any long
option as a key, e.g.  inputs = [\"content\"]  output = \"data/related.json\"  top-k = 8
Flags given on the command line override it; --no-FLAG (or --FLAG=false) turns an on/off
option off again.

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
    /// An unchanged result leaves FILE untouched (same mtime). '-o -' is stdout.
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

    /// Output format. vectors: no lists, but each article's TF-IDF weights (and LSI vector)
    /// as JSON Lines, to load into OpenSearch/Elasticsearch (more_like_this, k-NN) when a
    /// search engine should answer instead; skips the similarity stage.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// Very large sites: compute only the I-th of N slices of the articles (in key order,
    /// sizes within one) and write only their entries. Every run still reads and analyzes the
    /// whole site, so each entry is exactly what one run writes; N runs (CI matrix jobs) and
    /// 'related merge' give the bytes of one run. E.g. --shard 2/3 -o shard-2.json.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::options::Shard>,

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

    /// Leave the elements matching this CSS selector out of HTML pages' text (a built site's
    /// comments, share buttons, a class="related" list that is not in an <aside>), on top of
    /// header, footer, aside, nav and role=navigation. Repeatable.
    #[arg(long, value_name = "CSS", value_parser = crate::extract::html::ExcludeSelector::parse)]
    pub exclude_selector: Vec<crate::extract::html::ExcludeSelector>,

    /// Count code blocks once, like body text: the same as --code-weight 1, the default (kept
    /// for old scripts).
    #[arg(long, conflicts_with = "code_weight")]
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

    /// How many times words in code blocks count (Markdown fenced/indented code, HTML
    /// <pre>): `git rebase`, `SELECT ... FROM` are often the topic. 0 ignores code. Inline
    /// `code` is always body text. [default: 1]
    #[arg(long, value_name = "N", help_heading = "Weighting")]
    pub code_weight: Option<u32>,

    /// How many times the words of link and image targets count: the host without www.
    /// (postgresql.org) and the path words (/docs/current/sql-select → docs current
    /// sql-select), never the query string or fragment. 0 ignores links.
    #[arg(long, default_value_t = 2, value_name = "N", help_heading = "Weighting")]
    pub link_weight: u32,

    /// Keep compounds whole only (the default): node.js, snake_case, real-time are not also
    /// counted as node + js, snake + case, real + time.
    #[arg(long, overrides_with = "split_compounds", help_heading = "Weighting")]
    pub no_split_compounds: bool,

    /// Count compounds (node.js, snake_case, real-time) whole and as their parts (node, js,
    /// ...). Off by default: it lost P@5 on one labelled corpus (QUALITY.md).
    #[arg(long, overrides_with = "no_split_compounds", help_heading = "Weighting")]
    pub split_compounds: bool,

    /// Index Zenn/Qiita fences and embeds, image sizes, Hugo shortcodes, MDX comments and
    /// LaTeX commands as words instead of understanding them (for measurement).
    #[arg(long, hide = true)]
    pub keep_markup: bool,

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
    /// highest-weighted terms of each article, and the 2,000 heaviest articles of each
    /// term, then score exactly the best candidates found (one per thousand articles, 60 to
    /// 1,000). Listed scores stay exact; some true neighbours are missed: 2% at 100k
    /// articles and at 1M. When not given, the search is exact, unless it would take
    /// minutes (about 100,000 articles and up): then N is chosen for the site's size (60
    /// at 100k, 80 at 1M articles) and a note says so.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_terms_per_doc: Option<u32>,

    /// Always search exactly, however large the site: never switch to the approximate
    /// search on its own (see --max-terms-per-doc).
    #[arg(long, conflicts_with = "max_terms_per_doc")]
    pub exact: bool,

    /// The exact search's work (postings walked) above which it switches to the
    /// approximate one (for tests and measuring).
    #[arg(long, hide = true, value_name = "POSTINGS")]
    pub approximate_above: Option<u64>,

    /// The most postings of one term the approximate search walks, its heaviest (for
    /// tests and measuring).
    #[arg(long, hide = true, value_name = "POSTINGS", value_parser = clap::value_parser!(u64).range(1..))]
    pub approximate_postings: Option<u64>,

    /// How many of its best candidates the approximate search scores exactly (for
    /// tests and measuring).
    #[arg(long, hide = true, value_name = "CANDIDATES", value_parser = clap::value_parser!(u64).range(1..))]
    pub approximate_shortlist: Option<u64>,

    /// Turn off exact early termination in the similarity stage (same output, slower;
    /// for benchmarking).
    #[arg(long, hide = true)]
    pub no_early_termination: bool,

    /// Keep analyzed articles (and the last result) in DIR: the next run only re-analyzes
    /// changed articles, an unchanged site is not recomputed, and files whose size and
    /// modification time are unchanged are not read again (one modified within 2 s of the
    /// previous run's start is). Safe to delete.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Worker threads (default: one per core; more than 4 per core are capped to that).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Fail (exit 1, write nothing) if any input is skipped or damaged.
    #[arg(long)]
    pub strict: bool,

    /// Print nothing on stderr but errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print per-stage timings (wall and CPU), sizes and peak memory on stderr.
    #[arg(short, long)]
    pub verbose: bool,

    /// Also read symlinks (in a walked directory) whose target is outside it;
    /// skipped with a warning by default.
    #[arg(long)]
    pub follow_external_symlinks: bool,

    /// Also read files that ignore files exclude. A directory walk skips what .gitignore
    /// (in a git repository), .ignore and .relatedignore list, like ripgrep: a Hugo site's
    /// git-ignored public/ is not read. Hidden files are skipped all the same; a file named
    /// on the command line is always read.
    #[arg(long)]
    pub no_ignore: bool,

    /// Every file under DIR is in language CODE and keyed by its path inside DIR (Hugo's
    /// contentDir per language: --lang-dir en=content/en --lang-dir ja=content/ja gives
    /// .File.Path keys). Repeatable; implies --split-lang.
    #[arg(long, value_name = "CODE=DIR", value_parser = crate::site::parse_lang_dir, help_heading = "Languages")]
    pub lang_dir: Vec<(String, PathBuf)>,

    /// The language of articles that name none (no lang/language/locale, no post.ja.md suffix,
    /// no --lang-dir), e.g. Hugo's defaultContentLanguage.
    #[arg(long, value_name = "CODE", help_heading = "Languages")]
    pub default_lang: Option<String>,

    /// One output per language: {"en": {key: [...]}, "ja": {key: [...]}} (--output-dir:
    /// DIR/<lang>/<key>.json; JSON Lines: a "lang" field); lists never cross languages.
    #[arg(long, help_heading = "Languages")]
    pub split_lang: bool,

    /// The site's time zone (Asia/Tokyo, UTC, +09:00): dates written without one are read in
    /// it, and --url-template's {year}/{month}/{day} are the date there (as Jekyll does).
    /// Default: UTC.
    #[arg(long, value_name = "ZONE", value_parser = crate::site::Zone::parse, help_heading = "Publishing")]
    pub timezone: Option<crate::site::Zone>,

    /// The time the site is built at, for the publishing rules (default: now), e.g.
    /// 2024-06-01T12:00:00Z: reproducible builds and tests.
    #[arg(long, value_name = "TIMESTAMP", help_heading = "Publishing")]
    pub now: Option<String>,

    /// Keep articles dated after --now (publishDate, else date; skipped by default, as Jekyll
    /// and Hugo do).
    #[arg(long, help_heading = "Publishing")]
    pub include_future: bool,

    /// Keep articles whose expiryDate is past (skipped by default, as Hugo does).
    #[arg(long, help_heading = "Publishing")]
    pub include_expired: bool,

    /// Keep articles the generator does not list: Hugo build/_build list or render "never",
    /// headless bundles, eleventyExcludeFromCollections (skipped by default).
    #[arg(long, help_heading = "Publishing")]
    pub include_unlisted: bool,

    /// Top short lists up to -k with the newest articles (recent) or those sharing the most
    /// tags (tags); those entries are marked "filled": true and have no score.
    #[arg(long, value_enum, default_value_t = crate::site::lists::Fill::None, help_heading = "Publishing")]
    pub fill: crate::site::lists::Fill,

    /// Read the generator's config in the site folder (--root, else here) where it settles a
    /// question: Hugo's hugo.toml (timeZone, defaultContentLanguage, buildFuture, buildExpired,
    /// languages.*.contentDir), Jekyll's _config.yml (timezone, future). auto: whichever is
    /// there. Flags given win.
    #[arg(long, value_enum, default_value_t = crate::site::generator::Generator::Auto, help_heading = "Publishing")]
    pub site: crate::site::generator::Generator,

    /// Keep running next to a dev server: re-run whenever an input changes, re-analyzing only
    /// changed articles (through --cache DIR, else a temporary cache) and rewriting only
    /// outputs whose content changed. Needs -o FILE and/or --output-dir DIR. Ctrl-C stops.
    #[arg(long, conflicts_with = "check")]
    pub watch: bool,

    /// Write each neighbour's date as the source has it, instead of ISO 8601 (2024-01-31, or
    /// 2024-01-31T09:00:00+09:00 for a time; read in --timezone when written without one).
    #[arg(long, help_heading = "Publishing")]
    pub raw_dates: bool,

    /// Latent dimensions (LSI, a truncated SVD of the TF-IDF vectors) blended into the
    /// score, so articles on one topic match even with different words; 0 turns it off
    /// (plain TF-IDF cosine, exactly scikit-learn's). Sites above 20,000 articles run
    /// without it.
    #[arg(long, value_name = "N", default_value_t = 75, help_heading = "Weighting")]
    pub lsi_dims: u16,

    /// Weight of the TF-IDF cosine in the score when LSI is on (0 to 1); the LSI cosine
    /// gets the rest.
    #[arg(long, value_name = "ALPHA", default_value_t = 0.5, help_heading = "Weighting")]
    pub lsi_blend: f64,
}

impl Args {
    /// Validates the flags and resolves them into a [`Job`].
    pub fn into_config(self) -> Result<Job, String> {
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
        let notes = self.empty_settings()?;
        let mut site = crate::site::SiteOptions {
            lang_dirs: self.lang_dir,
            default_lang: self.default_lang,
            split_lang: self.split_lang,
            zone: self.timezone,
            now: None,
            include_future: self.include_future,
            include_expired: self.include_expired,
            include_unlisted: self.include_unlisted,
            eleventy_data: false, // set by the generator's config below
        };
        let site_dir = self.root.clone().unwrap_or_else(|| PathBuf::from("."));
        let generator = crate::site::generator::read(self.site, &site_dir)?;
        let jekyll = generator.jekyll;
        generator.apply(&mut site, self.timezone.is_some());
        site.now = match &self.now {
            Some(raw) => Some(crate::site::parse_now(raw, site.zone)?),
            None => None,
        };
        let split_lang = site.splits();
        if self.format == Format::Vectors && (self.output_dir.is_some() || self.watch) {
            return Err("--format vectors writes weights, not lists: it cannot go with \
                 --output-dir or --watch (write it with -o FILE)"
                .into());
        }
        if split_lang && self.format == Format::SimilarDocuments {
            return Err("--format similar-documents has one list per path and no languages:                  --split-lang/--lang-dir need --format json or jsonl"
                .into());
        }
        let verbosity = if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let read = ReadOptions {
            walk: WalkOptions {
                include: self.include,
                exclude: self.exclude,
                root: self.root,
                follow_external_symlinks: self.follow_external_symlinks,
                no_ignore: self.no_ignore,
            },
            extract: ExtractOptions {
                keep_markup: self.keep_markup,
                exclude_selectors: self.exclude_selector,
            },
            keys: KeyOptions {
                scheme: self.key,
                strip_extension: self.strip_extension,
                base_url: self.base_url,
                url_template: self.url_template,
                // Hugo keeps a date's own offset in permalinks; Jekyll converts.
                date_zone: self.timezone.or(if jekyll { site.zone } else { None }),
            },
            site,
            include_drafts: self.include_drafts,
            raw_dates: self.raw_dates,
        };
        let options = Options {
            analyzer: AnalyzerOptions {
                japanese: JapaneseOptions {
                    keep_suffix: self.keep_suffix,
                    lemma: !self.surface_form,
                    nouns_only: self.nouns_only,
                },
                stem: self.stem,
                split_compounds: self.split_compounds && !self.no_split_compounds,
            },
            fields: FieldWeights {
                title: self.title_weight,
                tags: self.tag_weight,
                code: self.code_weight.unwrap_or(if self.include_code {
                    FieldWeights::default().code.max(1)
                } else {
                    FieldWeights::default().code
                }),
                links: self.link_weight,
            },
            weighting: WeightingOptions {
                scheme: self.weighting,
                tf: self.tf,
                min_df: self.min_df,
                max_df: self.max_df,
            },
            top_k: self.top_k,
            min_score: self.min_score,
            max_terms_per_doc: self.max_terms_per_doc.map(|n| n as usize),
            exact: self.exact,
            keep_text: false,
            approximate_above: self.approximate_above.unwrap_or(crate::AUTO_APPROXIMATE_WORK),
            approximate_postings: self
                .approximate_postings
                .map_or(crate::APPROXIMATE_POSTINGS, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            approximate_shortlist: self
                .approximate_shortlist
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            early_termination: !self.no_early_termination,
            explain: if self.explain { 5 } else { 0 },
            pairs: FilterOptions {
                exclude_newer: self.exclude_newer,
                same_lang: self.same_lang,
                zone: read.site.zone,
            },
            fill: self.fill,
            cache: self.cache,
            threads: self.threads.map(usize::from),
            lsi_dims: usize::from(self.lsi_dims),
            lsi_blend: self.lsi_blend,
            shard: self.shard,
        };
        // The library's own checks, once, before anything is read.
        read.validate().and_then(|()| options.validate()).map_err(|e| failure::in_flags(&e))?;
        Ok(Job {
            inputs: self.inputs,
            read,
            options,
            format: self.format,
            pretty: self.pretty,
            // `-o -` is stdout, as for inputs.
            output: self.output.filter(|p| p.as_os_str() != "-"),
            output_dir: self.output_dir,
            check: self.check,
            strict: self.strict,
            progress: verbosity >= Verbosity::Normal && std::io::stderr().is_terminal(),
            verbosity,
            watch: self.watch,
            notes,
        })
    }

    /// Settings that always make every list empty are usage errors (but
    /// `-k 0`, which says so itself, only a warning at run time); flags
    /// that the chosen format ignores are notes.
    fn empty_settings(&self) -> Result<Vec<String>, String> {
        if let DfBound::Count(c) = self.max_df
            && c <= 1
        {
            return Err(format!(
                "--max-df {c} keeps only terms found in at most {c} article, and such terms link no two articles: every list would be empty. A count needs 2 or more; for a fraction write a decimal point (--max-df 1.0 is all articles)"
            ));
        }
        if let (DfBound::Count(min), DfBound::Count(max)) = (self.min_df, self.max_df)
            && min > max
        {
            return Err(format!(
                "--min-df {min} is above --max-df {max}: no term is kept, every list would be empty"
            ));
        }
        let mut notes = Vec::new();
        let format = self.format.to_possible_value().map(|v| v.get_name().to_owned());
        let format = format.unwrap_or_default();
        if self.pretty && self.format != Format::Json && self.output_dir.is_none() {
            notes.push(format!(
                "--pretty has no effect with --format {format}: only --format json (and --output-dir files) are indented"
            ));
        }
        if self.explain && self.format == Format::SimilarDocuments && self.output_dir.is_none() {
            notes.push(
                "--explain has no effect with --format similar-documents: its [path, score] pairs have no room for terms; use --format json or jsonl"
                    .into(),
            );
        }
        Ok(notes)
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
    /// Join the outputs of 'related --shard I/N' runs into the output of one run (the same
    /// bytes): related merge shard-*.json -o data/related.json
    Merge(MergeArgs),
}

/// `related merge`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Any format but --output-dir files: the shards' format (json, --pretty, jsonl,
similar-documents, vectors) is recognized, and the shards may be given in any order.
Refused, naming the file: a file that is not such an output, shards of different formats,
an article in two shards, a list naming an article no shard has (a missing shard).

--output-dir: copy the N shards' folders into one (their files never overlap), then run
  related merge --output-dir DIR
to join their lists of files (.related-files-I-of-N) into .related-files, as one run
writes it, removing the files of articles gone since the previous run.")]
pub struct MergeArgs {
    /// The outputs (-o FILE) of the shard runs, in any order.
    #[arg(value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Write the merged output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A folder holding the shards' --output-dir folders copied together: join their lists of
    /// files.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Invocation {
    /// A run with these settings.
    Run(Box<Job>),
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
    let (argv, switched_off) = negations(argv, &command);
    let given = match command.clone().try_get_matches_from(&argv) {
        Ok(given) => given,
        Err(e) => match folder_named_like_a_tool(&argv) {
            Some(argv) => return parse(argv),
            None => return Err(ParseError::Clap(e)),
        },
    };
    let args = Args::from_arg_matches(&given).map_err(ParseError::Clap)?;
    if let Some(tool) = args.tool {
        return Ok(Invocation::Tool(tool));
    }
    let file =
        config_file::locate(args.config.as_deref(), args.no_config).map_err(ParseError::Usage)?;
    let args = match &file {
        None => args,
        Some(path) => {
            let (mut options, inputs) =
                config_file::arguments(path, &command, &given).map_err(ParseError::Usage)?;
            options.retain(|o| !switched_off.iter().any(|off| *o == *format!("--{off}")));
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
    let mut config = args.into_config().map_err(ParseError::Usage)?;
    // An ad-hoc run on other inputs would print to stdout, but the file's
    // `output` sends it elsewhere: say so.
    let from_command_line = |id: &str| given.value_source(id) == Some(ValueSource::CommandLine);
    if let (Some(file), Some(output)) = (&file, &config.output)
        && from_command_line("inputs")
        && !from_command_line("output")
    {
        config.notes.push(format!(
            "writing to {} as {} says (not to stdout; -o - prints to stdout)",
            output.display(),
            file.display()
        ));
    }
    Ok(Invocation::Run(Box::new(config)))
}

/// `related merge`: joins shard outputs into `-o FILE` (atomically, left
/// alone when unchanged) or stdout, and/or the shards' lists of files in
/// `--output-dir DIR`.
pub fn merge(args: &MergeArgs) -> failure::Result<()> {
    use crate::error::Error;
    use std::io::Write;
    if args.shards.is_empty() && args.output_dir.is_none() {
        return Err(Failure::Usage(
            "related merge: give the shards' outputs (related merge shard-*.json -o FILE) and/or \
             --output-dir DIR"
                .into(),
        ));
    }
    if let Some(dir) = &args.output_dir {
        let done = crate::output::merge::merge_dir(dir)?;
        if !args.quiet {
            eprintln!(
                "related: joined the lists of {} shards in {} ({} files, {} removed)",
                done.shards,
                dir.display(),
                done.files,
                done.removed
            );
        }
    }
    if args.shards.is_empty() {
        return Ok(());
    }
    let bytes = crate::output::merge::merge(&args.shards)?;
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            if !crate::output::unchanged(path, &bytes) {
                crate::output::write_atomically(path, |w| w.write_all(&bytes))?;
            }
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|e| Error::io("<stdout>", e))?;
        }
    }
    Ok(())
}

/// Removes our temporary files and exits 130 on SIGINT/SIGTERM/SIGHUP.
pub fn remove_temp_files_on_signals() {
    crate::output::tempfiles::remove_on_signals();
}

/// The flag that sets a setting, as errors name it.
pub fn flag(setting: Setting) -> String {
    let flag = match setting {
        Setting::Include => "--include",
        Setting::Exclude => "--exclude",
        Setting::Root => "--root",
        Setting::Key => "--key",
        Setting::StripExtension => "--strip-extension",
        Setting::UrlTemplate => "--url-template",
        Setting::BaseUrl => "--base-url",
        Setting::LangDir => "--lang-dir",
        Setting::DefaultLang => "--default-lang CODE",
        Setting::SplitLang => "--split-lang",
        Setting::IncludeDrafts => "--include-drafts",
        Setting::IncludeFuture => "--include-future",
        Setting::IncludeExpired => "--include-expired",
        Setting::IncludeUnlisted => "--include-unlisted",
        Setting::MinScore => "--min-score",
        Setting::LsiBlend => "--lsi-blend",
        Setting::Threads => "--threads",
        Setting::OutputDir => "--output-dir",
        Setting::Shard => "--shard",
    };
    flag.to_owned()
}

/// The exit code of a finished job, after saying on stderr what went
/// wrong: 0 (also when the reader of stdout went away), 2 for a usage
/// error, 1 for anything else.
pub fn exit_code(result: failure::Result<()>) -> std::process::ExitCode {
    use std::process::ExitCode;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.is_broken_pipe() => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("related: error: {}", failure.message());
            ExitCode::from(failure.code())
        }
    }
}

/// Turns every on/off flag off again, also when `related.toml` turned it
/// on: `--no-FLAG` or `--FLAG=false` (`--FLAG=true` is `--FLAG`). Returns
/// the arguments without those, and the flags switched off. The last of
/// `--FLAG` / `--no-FLAG` wins. Nothing after `--` is touched.
fn negations(argv: Vec<OsString>, command: &clap::Command) -> (Vec<OsString>, Vec<String>) {
    let flags: Vec<&str> = command
        .get_arguments()
        .filter(|a| matches!(a.get_action(), ArgAction::SetTrue))
        .filter_map(|a| a.get_long())
        .collect();
    let mut out: Vec<OsString> = Vec::with_capacity(argv.len());
    let mut off: Vec<String> = Vec::new();
    let mut rest = false;
    for (i, arg) in argv.into_iter().enumerate() {
        let text = arg.to_str().filter(|_| i > 0 && !rest).map(str::to_owned);
        let Some(text) = text else {
            out.push(arg);
            continue;
        };
        rest = text == "--";
        let (name, value) = match text.strip_prefix("--").map(|t| t.split_once('=')) {
            Some(Some((name, value))) => (name, Some(value)),
            Some(None) => (&text[2..], None),
            None => ("", None),
        };
        // `--no-config` and the like are flags of their own.
        let negated = match (name.strip_prefix("no-"), value) {
            (Some(flag), None) if flags.contains(&flag) && !flags.contains(&name) => Some(flag),
            _ if !flags.contains(&name) => None,
            (_, Some("false" | "no" | "off" | "0")) => Some(name),
            (_, Some("true" | "yes" | "on" | "1")) => {
                off.retain(|f| f != name);
                out.push(format!("--{name}").into());
                continue;
            }
            _ => {
                off.retain(|f| f != name);
                None
            }
        };
        match negated {
            Some(flag) => {
                out.retain(|a| *a != *format!("--{flag}"));
                off.push(flag.to_owned());
            }
            None => out.push(arg),
        }
    }
    (out, off)
}

/// `related man -k 1` when `man/` is a content folder: the subcommand
/// cannot take these arguments, so the folder is meant. Returns the
/// arguments with that word as a path (`./man`), if that is the case.
fn folder_named_like_a_tool(argv: &[OsString]) -> Option<Vec<OsString>> {
    let tools: Vec<String> =
        Args::command().get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let i = argv.iter().skip(1).position(|a| tools.iter().any(|t| *a == **t))? + 1;
    let word = argv[i].to_str()?;
    if !std::path::Path::new(word).exists() {
        return None;
    }
    let mut fixed = argv.to_vec();
    fixed[i] = format!("./{word}").into();
    Some(fixed)
}

/// Writes the completion script for `shell`, or the man page, to `out`.
pub fn print_tool(tool: &Tool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut command = Args::command();
    match tool {
        Tool::Completions { shell } => {
            // clap_complete panics on a failed write (a closed pipe):
            // render first, then write and report like any other output.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "related", &mut script);
            out.write_all(&script)?;
            out.flush()
        }
        Tool::Man => man_page(command, out),
        Tool::Merge(_) => Err(std::io::Error::other("related merge prints nothing itself")),
    }
}

/// The man page: clap_mangen's title, synopsis, description and options,
/// then our own COMMANDS (clap_mangen would cite `related-man(1)` pages that
/// do not exist) and EXAMPLES kept as typed (no-fill, so roff never splits
/// a command line), then the version.
fn man_page(command: clap::Command, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let version = command.get_version().unwrap_or_default().to_owned();
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for (usage, what) in [
        (
            "\\fBrelated completions\\fR \\fISHELL\\fR",
            "Print a completion script for bash, zsh, fish, elvish or powershell.",
        ),
        ("\\fBrelated man\\fR", "Print this page (roff)."),
        (
            "\\fBrelated merge\\fR \\fISHARD\\fR... [\\fB-o\\fR \\fIFILE\\fR] [\\fB--output-dir\\fR \\fIDIR\\fR]",
            "Join the outputs of \\fB--shard\\fR \\fII/N\\fR runs into the output of one run.",
        ),
    ] {
        writeln!(out, ".TP\n{usage}\n{what}")?;
    }
    writeln!(out, ".SH EXAMPLES\n.nf")?;
    for line in EXAMPLES.lines().skip_while(|l| l.ends_with(':')) {
        writeln!(out, "{}", roff_literal(line))?;
    }
    writeln!(out, ".fi\n.SH VERSION\nv{version}")
}

/// A line of text for roff's no-fill mode: backslashes and dashes escaped,
/// a leading `.` or `'` made literal.
fn roff_literal(line: &str) -> String {
    let text = line.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with('.') || text.starts_with('\'') { format!("\\&{text}") } else { text }
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
        assert_eq!(c.options.top_k, 5);
        assert_eq!(c.options.weighting, WeightingOptions::default());
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

    fn run_config(argv: &[&str]) -> Result<Job, String> {
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
        assert_eq!((c.options.top_k, c.pretty, c.options.pairs.exclude_newer), (8, true, false));
        assert_eq!(c.read.walk.exclude, ["a/**", "b/**"]);
        assert_eq!(c.read.keys.base_url.as_deref(), Some("/blog/"));

        let c = run_config(&["related", "--config", file, "x", "-k", "3", "--exclude", "c/**"])
            .unwrap();
        assert_eq!(c.inputs, [PathBuf::from("x")]);
        assert_eq!(c.options.top_k, 3);
        assert_eq!(c.read.walk.exclude, ["c/**"], "a list on the command line replaces the file's");
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
