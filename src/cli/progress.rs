//! A progress bar on stderr for long runs.
//!
//! Shown only when stderr is a terminal and the run was not made quiet, and
//! only once a stage has taken more than two seconds: short runs, pipes and
//! CI logs stay clean.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a stage runs before its bar appears.
const DELAY: Duration = Duration::from_secs(2);

/// One stage's progress: `tick()` once per item, from any thread.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// A bar for `len` items labelled `stage`; a no-op unless `enabled`.
    pub fn new(enabled: bool, stage: &'static str, len: usize) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template(
                "related: {prefix:>8} [{bar:30}] {pos}/{len} articles, {eta} left",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(stage);
            bar
        });
        Progress { bar, started: Instant::now(), shown: AtomicBool::new(false) }
    }

    /// One more item done.
    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
