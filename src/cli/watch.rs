//! `--watch`: keep the outputs up to date while a dev server runs
//! (`hugo server`, `eleventy --serve`, `astro dev`).
//!
//! One [`run_and_report`](super::job::run_and_report) at start, then one after
//! each burst of changes to the inputs (debounced by
//! `notify-debouncer-full`). Every run goes through the cache (`--cache DIR`,
//! else a temporary folder removed on exit), so only changed articles are
//! analyzed again, and every output is rewritten only when its bytes change,
//! so the dev server rebuilds only the pages whose list changed.
//!
//! - A bad file, or a run that fails, is reported on stderr and watching
//!   goes on; the outputs of the last good run stay in place.
//! - Events on our own outputs, their temporary files, the cache and hidden
//!   files (editor swap files, `.related-files`) are ignored, so an output
//!   inside a watched folder cannot start a loop. Files the walk would not
//!   read (`--include` / `--exclude`, extensions) are ignored too.
//! - Ctrl-C (SIGINT) or SIGTERM stops watching between runs and exits 0;
//!   outputs are only ever replaced by a rename, so never left half-written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::failure::{Failure, Result};
use super::job::{Job, Verbosity};
use crate::error::Error;
use crate::source::Filter;

/// How long the inputs must be quiet before a run starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Watches `config.inputs` and re-runs on every change until interrupted.
/// Fails only if watching cannot start (a usage error, inputs that cannot
/// be watched); a failing run is reported and watching goes on.
pub fn watch(config: &Job) -> Result<()> {
    if config.inputs.iter().any(|p| p.as_os_str() == "-") {
        return Err(Failure::Usage(
            "--watch watches files and folders: stdin ('-') cannot be watched".into(),
        ));
    }
    if config.check {
        return Err(Failure::Usage("--watch writes its outputs: it cannot go with --check".into()));
    }
    if config.output.is_none() && config.output_dir.is_none() {
        return Err(Failure::Usage(
            "--watch rewrites files: give -o FILE and/or --output-dir DIR".into(),
        ));
    }
    let mut config = config.clone();
    // Without --cache, a private cache for this session only.
    let _session_cache = match &config.options.cache {
        Some(_) => None,
        None => {
            let dir = tempfile::Builder::new()
                .prefix("related-watch-")
                .tempdir()
                .map_err(|e| Error::io(std::env::temp_dir(), e))?;
            config.options.cache = Some(dir.path().to_path_buf());
            Some(dir)
        }
    };
    let filter = Filter::new(&config.read.walk)?;
    let inputs: Vec<Input> = config.inputs.iter().map(|p| Input::new(p)).collect::<Result<_>>()?;
    let ignored = Ignored::new(&config);

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Ctrl-C ends the loop (and the session cache is removed) instead of
    // exiting on the spot.
    crate::output::tempfiles::stop_gracefully(flag);

    let (tx, rx) = channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, tx)
        .map_err(|e| Failure::Usage(format!("--watch: cannot watch files here: {e}")))?;
    for input in &inputs {
        let (path, mode) = match input {
            Input::Dir(dir) => (dir.as_path(), RecursiveMode::Recursive),
            // Editors replace a file by renaming a new one over it: watch
            // its folder, which sees that, not the file's old inode.
            Input::File(file) => {
                (file.parent().unwrap_or(Path::new("/")), RecursiveMode::NonRecursive)
            }
        };
        debouncer.watch(path, mode).map_err(|e| {
            Failure::Usage(format!("--watch: cannot watch {}: {e}", path.display()))
        })?;
    }

    let quiet = config.verbosity == Verbosity::Quiet;
    rebuild(&config, None);
    config.notes.clear(); // said once
    if !quiet {
        let names: Vec<String> = config.inputs.iter().map(|p| p.display().to_string()).collect();
        eprintln!("related: watching {} for changes (Ctrl-C to stop)", names.join(", "));
    }
    while !stop.load(Ordering::SeqCst) {
        let events = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(events)) => events,
            Ok(Err(errors)) => {
                for e in errors {
                    eprintln!("related: warning: watching: {e}");
                }
                continue;
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Reading a file is an event too (open, close): only changes count,
        // or each run would start the next.
        let mut changed: Vec<&Path> = events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.paths.iter().map(PathBuf::as_path))
            .filter(|p| !ignored.covers(p) && inputs.iter().any(|i| i.reads(p, &filter)))
            .collect();
        changed.sort();
        changed.dedup();
        if !changed.is_empty() && !stop.load(Ordering::SeqCst) {
            rebuild(&config, Some(&changed));
        }
    }
    if !quiet {
        eprintln!("related: stopped watching");
    }
    Ok(())
}

/// One run, reported on stderr in one line; errors are reported, not returned.
fn rebuild(config: &Job, changed: Option<&[&Path]>) {
    let started = Instant::now();
    let result = super::job::run_and_report(config);
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok((outcome, written)) if config.verbosity > Verbosity::Quiet => {
            let mut parts = Vec::new();
            if let (Some(path), Some(w)) = (&config.output, written.file) {
                let what = if w { "written" } else { "unchanged" };
                parts.push(format!("{} {what}", path.display()));
            }
            if let (Some(dir), Some(r)) = (&config.output_dir, &written.dir) {
                parts.push(format!(
                    "{}: {} written, {} unchanged, {} removed",
                    dir.display(),
                    r.written,
                    r.unchanged,
                    r.removed
                ));
            }
            let why = match changed {
                None => String::new(),
                Some([one]) => {
                    let here = std::env::current_dir().and_then(std::fs::canonicalize);
                    let shown = here.ok().and_then(|h| one.strip_prefix(h).ok()).unwrap_or(one);
                    format!("{} changed; ", shown.display())
                }
                Some(many) => format!("{} files changed; ", many.len()),
            };
            eprintln!(
                "related: {why}{} articles in {seconds:.2} s; {}",
                outcome.corpus.len(),
                parts.join("; ")
            );
        }
        Ok(_) => {}
        Err(e) => eprintln!("related: error: {}; still watching", e.message()),
    }
}

/// A watched input, as an absolute path (events come with absolute paths).
enum Input {
    Dir(PathBuf),
    File(PathBuf),
}

impl Input {
    fn new(path: &Path) -> Result<Input> {
        let abs = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        Ok(if abs.is_dir() { Input::Dir(abs) } else { Input::File(abs) })
    }

    /// Could a change at `path` change what a run reads from this input?
    fn reads(&self, path: &Path, filter: &Filter) -> bool {
        match self {
            Input::File(file) => path == file,
            Input::Dir(dir) => {
                let Ok(rel) = path.strip_prefix(dir) else { return false };
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts.iter().any(|p| p.starts_with('.')) {
                    return false; // hidden: never read by the walk
                }
                // A folder (or something gone) may hold articles; a file
                // counts if the walk would read it.
                !path.is_file() || filter.walked(&parts.join("/"))
            }
        }
    }
}

/// Our own files: writing them must not trigger a run.
struct Ignored {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Ignored {
    fn new(config: &Job) -> Ignored {
        let files = config.output.iter().map(|p| absolute(p)).collect();
        let dirs = config
            .output_dir
            .iter()
            .chain(config.options.cache.iter())
            .map(|p| absolute(p))
            .collect();
        Ignored { files, dirs }
    }

    fn covers(&self, path: &Path) -> bool {
        let temporary = path.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with(".related-") && n.ends_with(".tmp")
        });
        temporary
            || self.files.iter().any(|f| f == path)
            || self.dirs.iter().any(|d| path.starts_with(d))
    }
}

/// `path` made absolute with symbolic links resolved, as far as it exists
/// (an output may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            absolute(parent).join(name)
        }
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}
