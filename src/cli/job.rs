//! The command-line job around the library: read and compute (with a
//! progress bar), print warnings, notes and `-v` timings on stderr, enforce
//! `--strict`, then write `-o` and/or `--output-dir` all or nothing, or
//! compare with them under `--check`. The library itself prints nothing.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::failure::{Failure, Result};
use super::progress::Progress as Bar;
use crate::error::Error;
use crate::options::{LSI_MAX_DOCS, MAX_THREADS_PER_CORE, Options, ReadOptions, max_threads};
use crate::outcome::{Outcome, Search, StageName};
use crate::output::{self, Format};
use crate::pipeline::{self, Progress};
use crate::vector;

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors, warnings and a one-line summary when writing to a file.
    #[default]
    Normal,
    /// Also per-stage timings and sizes.
    Verbose,
}

/// One command-line run: what to read, how to compute, and the job's own
/// settings (outputs, `--check`, `--strict`, what to print).
#[derive(Debug, Clone)]
pub struct Job {
    /// Files, directories, or `-` for standard input.
    pub inputs: Vec<PathBuf>,
    /// How inputs become a corpus.
    pub read: ReadOptions,
    /// How the corpus becomes related lists.
    pub options: Options,
    /// Output format.
    pub format: Format,
    /// Indent the JSON.
    pub pretty: bool,
    /// Write here (atomically) instead of stdout.
    pub output: Option<PathBuf>,
    /// Write one `<key>.json` per article here (instead of stdout).
    pub output_dir: Option<PathBuf>,
    /// Only compare with `output`/`output_dir`; write nothing, fail if stale.
    pub check: bool,
    /// Any warning fails the run before anything is written.
    pub strict: bool,
    /// How much to report on stderr.
    pub verbosity: Verbosity,
    /// Show a progress bar on stderr for stages longer than two seconds.
    pub progress: bool,
    /// `--watch`: keep running and re-run on changes ([`super::watch`]).
    pub watch: bool,
    /// Said on stderr before the run (unless quiet): settings that do
    /// nothing here, an output that comes from `related.toml`.
    pub notes: Vec<String>,
}

impl Default for Job {
    fn default() -> Self {
        Job {
            inputs: Vec::new(),
            read: ReadOptions::default(),
            options: Options::default(),
            format: Format::Json,
            pretty: false,
            output: None,
            output_dir: None,
            check: false,
            strict: false,
            verbosity: Verbosity::Normal,
            progress: false,
            watch: false,
            notes: Vec::new(),
        }
    }
}

/// An exact similarity stage longer than this earns a note about the
/// approximate mode.
const SLOW_SIMILAR: Duration = Duration::from_secs(60);

/// The pipeline's progress as bars on stderr (one per long stage).
struct Bars {
    enabled: bool,
    current: Mutex<Option<Bar>>,
}

impl Bars {
    fn new(enabled: bool) -> Self {
        Bars { enabled, current: Mutex::new(None) }
    }
}

impl Progress for Bars {
    fn begin(&self, stage: StageName, items: usize) {
        if self.enabled {
            *self.current.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(Bar::new(true, stage.as_str(), items));
        }
    }

    fn tick(&self) {
        if self.enabled
            && let Some(bar) = self.current.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
        {
            bar.tick();
        }
    }

    fn end(&self) {
        if let Some(bar) = self.current.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish();
        }
    }
}

/// The command-line job: read and compute, print warnings (and timings
/// with `-v`) on stderr, then write the output to `job.output` atomically
/// and/or one file per article into `job.output_dir`, or to stdout when
/// neither is set. Under `--strict` any warning fails the run before
/// writing; with `job.check` nothing is written and a stale output is
/// [`Failure::Stale`].
pub fn run(job: &Job) -> Result<Outcome> {
    run_and_report(job).map(|(outcome, _)| outcome)
}

/// What [`run_and_report`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// `-o FILE`: `Some(true)` if it was (re)written, `Some(false)` if it
    /// already held the same bytes and was left alone (same inode and mtime).
    pub file: Option<bool>,
    /// `--output-dir DIR`: files written, unchanged and removed.
    pub dir: Option<output::dir::DirReport>,
}

/// [`run`], also saying which outputs were rewritten (for `--watch`).
pub fn run_and_report(job: &Job) -> Result<(Outcome, Written)> {
    let started = Instant::now();
    if job.check && job.output.is_none() && job.output_dir.is_none() {
        return Err(Failure::Usage(
            "--check compares with an existing output: give -o FILE and/or --output-dir DIR".into(),
        ));
    }
    if job.verbosity >= Verbosity::Normal {
        for note in &job.notes {
            eprintln!("related: note: {note}");
        }
    }
    if let Some(n) = job.options.threads.filter(|&n| n > max_threads())
        && job.verbosity >= Verbosity::Normal
    {
        eprintln!(
            "related: note: --threads {n} capped to {} ({MAX_THREADS_PER_CORE} per core)",
            max_threads()
        );
    }
    let mut warnings = Vec::new();
    let bars = Bars::new(job.progress);
    // `--format vectors` stops before the similarity stage and keeps the weights.
    let computed = match job.format {
        Format::Vectors => {
            pipeline::run_vectors(&job.inputs, &job.read, &job.options, &bars, &mut warnings)
                .map(|(outcome, vectors)| (outcome, Some(vectors)))
        }
        _ => pipeline::run(&job.inputs, &job.read, &job.options, &bars, &mut warnings)
            .map(|outcome| (outcome, None)),
    };
    let (outcome, vectors) = match computed {
        Ok(computed) => computed,
        // The warnings come first, and the error points at them.
        Err(err) => {
            if job.verbosity >= Verbosity::Normal {
                for w in &warnings {
                    eprintln!("related: warning: {w}");
                }
            }
            return Err(match err {
                Error::Invalid(_) => Failure::Error(err),
                _ if warnings.is_empty() => Failure::Error(err),
                _ => Failure::AfterWarnings { count: warnings.len(), error: err },
            });
        }
    };
    if job.verbosity >= Verbosity::Normal {
        for w in outcome.warnings.iter().chain(&outcome.notices) {
            eprintln!("related: warning: {w}");
        }
        if let Some(why) = empty_because_of_settings(job, &outcome).filter(|_| vectors.is_none()) {
            eprintln!("related: warning: every list is empty: {why}");
        }
    }
    if job.strict && !outcome.warnings.is_empty() {
        return Err(Failure::Strict { count: outcome.warnings.len() });
    }
    // The exact similarity stage grows with Σ df², which large sites feel:
    // point at the approximate mode when it would have paid off.
    let similar = outcome.elapsed(StageName::Similar);
    if job.verbosity >= Verbosity::Normal
        && job.options.lsi_dims > 0
        && outcome.corpus.len() > LSI_MAX_DOCS
    {
        eprintln!(
            "related: note: LSI is off above {LSI_MAX_DOCS} articles ({} here): scores are \
             TF-IDF cosines (BENCHMARKS.md, LSI)",
            outcome.corpus.len()
        );
    }
    if let Search::Approximate { max_terms, automatic: true, exact_work } = outcome.search
        && job.verbosity >= Verbosity::Normal
    {
        eprintln!(
            "related: note: {} articles: an exact search would walk {exact_work:.1e} postings \
             (minutes), so neighbours were searched through the {max_terms} highest-weighted \
             terms of each article (listed scores are exact; 98% of the exact top 5 were \
             found at 100k and at 1M articles: BENCHMARKS.md); --exact forces the exact search",
            outcome.corpus.len(),
            exact_work = exact_work as f64,
        );
    }
    if job.verbosity >= Verbosity::Normal
        && outcome.search == Search::Exact
        && similar.is_some_and(|t| t > SLOW_SIMILAR)
    {
        let n = outcome.corpus.len();
        // A shard searched only its slice's rows (against all n articles).
        let searched = match job.options.shard {
            Some(shard) => {
                format!("the {} articles of shard {shard} (of {n})", shard.rows(n).len())
            }
            None => format!("{n} articles"),
        };
        eprintln!(
            "related: note: finding neighbours took {:.0} s for {searched}; \
             --max-terms-per-doc 60 is about 4x faster at 100k articles and finds ~98% of the \
             same neighbours (BENCHMARKS.md)",
            similar.unwrap_or_default().as_secs_f64(),
        );
    }

    let write_started = Instant::now();
    // `--shard i/n`: only that slice's articles are written.
    let n = outcome.corpus.len();
    let rows = job.options.shard.map_or(0..n, |s| s.rows(n));
    let fill = |out: &mut dyn Write| match &vectors {
        Some(v) => output::vectors::write(out, &outcome.corpus, v, rows.clone()),
        None => output::write_rows(
            out,
            &outcome,
            rows.clone(),
            job.format,
            job.pretty,
            job.output.is_some(),
        ),
    };
    let files = match &job.output_dir {
        Some(_) => Some(output::dir::render_rows(&outcome, rows.clone(), job.pretty)?),
        None => None,
    };
    if job.check {
        check(job, fill, files.as_ref())?;
        return Ok((outcome, Written::default()));
    }
    // All or nothing across -o and --output-dir too: the folder's files
    // are staged first, and renamed into place only once -o is written.
    let manifest = output::dir::manifest_name(job.options.shard);
    let staged = match (&job.output_dir, &files) {
        (Some(dir), Some(files)) => Some(output::dir::stage(dir, files, &manifest)?),
        _ => None,
    };
    let mut written = Written::default();
    match &job.output {
        Some(path) => {
            // Rendered first, so an unchanged output keeps its file.
            let mut bytes = Vec::new();
            fill(&mut bytes).map_err(|e| Error::io(path, e))?;
            let changed = !output::unchanged(path, &bytes);
            if changed {
                output::write_atomically(path, |w| w.write_all(&bytes))?;
            }
            written.file = Some(changed);
        }
        None if job.output_dir.is_some() => {}
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            fill(&mut lock).map_err(|e| Error::io("<stdout>", e))?;
        }
    }
    written.dir = staged.map(output::dir::Staged::commit).transpose()?;

    if job.verbosity >= Verbosity::Verbose {
        // Peak memory so far after each stage: where a run's memory goes.
        let peak = |bytes: Option<u64>| match bytes {
            Some(b) => format!("  {:>7.1} MB peak", b as f64 / 1e6),
            None => String::new(),
        };
        // CPU time beside wall time: how well a stage used the cores.
        let cpu = |time: Option<std::time::Duration>| match time {
            Some(t) => format!("  {:>8.1} s CPU", t.as_secs_f64()),
            None => String::new(),
        };
        for s in &outcome.stages {
            eprintln!(
                "related: {:>12}  {:>8.3} s{}{}  {}",
                s.name,
                s.elapsed.as_secs_f64(),
                cpu(s.cpu),
                peak(s.peak_memory),
                s.detail.render(super::flag)
            );
        }
        eprintln!(
            "related: {:>12}  {:>8.3} s{}",
            "write",
            write_started.elapsed().as_secs_f64(),
            peak(crate::outcome::peak_memory())
        );
    }
    // A one-line summary for people at a terminal; silent in pipes and CI
    // (`--watch` says its own).
    if job.verbosity >= Verbosity::Normal && std::io::stderr().is_terminal() && !job.watch {
        let warned = match outcome.warnings.len() {
            0 => String::new(),
            n => format!(", {n} warning(s)"),
        };
        let mut places: Vec<String> = job.output.iter().map(|p| p.display().to_string()).collect();
        if let (Some(dir), Some(r)) = (&job.output_dir, &written.dir) {
            places.push(format!(
                "{} ({} files written, {} unchanged, {} removed)",
                dir.display(),
                r.written,
                r.unchanged,
                r.removed
            ));
        }
        if !places.is_empty() {
            eprintln!(
                "related: wrote {} articles to {} in {:.2} s{warned}",
                rows.len(),
                places.join(" and "),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok((outcome, written))
}

/// When every list came out empty and a setting is the reason, that setting.
fn empty_because_of_settings(job: &Job, outcome: &Outcome) -> Option<String> {
    let n = outcome.corpus.len();
    if n < 2 || outcome.lists.iter().any(|r| !r.is_empty()) {
        return None;
    }
    if job.options.top_k == 0 {
        return Some("-k 0 lists no neighbour; give 1 or more".into());
    }
    match job.options.weighting.min_df {
        vector::DfBound::Count(c) if c > n => {
            return Some(format!(
                "--min-df {c} is more than the {n} articles read: no term is kept; lower it"
            ));
        }
        _ => {}
    }
    (job.options.min_score > 0.0)
        .then(|| format!("no pair scores --min-score {} or more; lower it", job.options.min_score))
}

/// `--check`: compares what would be written with the files on disk.
fn check(
    job: &Job,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    files: Option<&std::collections::BTreeMap<String, Vec<u8>>>,
) -> Result<()> {
    let mut stale = Vec::new();
    if let Some(path) = &job.output {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(|e| Error::io(path, e))?;
        stale.extend(output::check::file(path, &bytes, job.format));
    }
    if let (Some(dir), Some(files)) = (&job.output_dir, files) {
        let manifest = output::dir::manifest_name(job.options.shard);
        stale.extend(output::check::dir(dir, files, &manifest));
    }
    if !stale.is_empty() {
        return Err(Failure::Stale(stale.join("; ")));
    }
    if job.verbosity >= Verbosity::Normal {
        let places: Vec<String> = job
            .output
            .iter()
            .chain(job.output_dir.iter())
            .map(|p| p.display().to_string())
            .collect();
        eprintln!("related: {} up to date", places.join(" and "));
    }
    Ok(())
}
