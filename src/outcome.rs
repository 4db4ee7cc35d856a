//! What a run returns: each article's neighbours, the problems met on the
//! way, and how long each stage took. Built by [`crate::pipeline`], read by
//! [`crate::output`] and by programs that embed the library.

use std::fmt;
use std::time::Duration;

use crate::document::{Corpus, DocId, Document};
use crate::error::Message;

/// A problem that skipped or damaged one input without stopping the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `path`, `path:line:column` or `path#item`.
    pub location: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// The stages of a run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StageName {
    /// Finding the input files.
    Discover,
    /// Reading, decoding and extracting them, and the site's rules.
    Read,
    /// Text → term counts.
    Analyze,
    /// Counts → TF-IDF weights.
    TfIdf,
    /// The latent (LSI) document vectors.
    Lsi,
    /// Top-k neighbours.
    Similar,
    /// Saving the term cache.
    Cache,
}

impl StageName {
    /// The name printed by `-v`.
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Discover => "discover",
            StageName::Read => "read+extract",
            StageName::Analyze => "analyze",
            StageName::TfIdf => "tf-idf",
            StageName::Lsi => "lsi",
            StageName::Similar => "similar",
            StageName::Cache => "cache",
        }
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the neighbours were searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Search {
    /// Through every shared term (also the LSI-blended search).
    #[default]
    Exact,
    /// Through each article's `max_terms` highest-weighted terms. Listed
    /// scores are exact; a few true neighbours may be missed.
    Approximate {
        /// Terms walked per article.
        max_terms: usize,
        /// Chosen by the library (the exact search would have walked
        /// `exact_work` postings, over
        /// [`AUTO_APPROXIMATE_WORK`](crate::AUTO_APPROXIMATE_WORK)), not asked for.
        automatic: bool,
        /// Postings the exact search would have walked (Σ df²).
        exact_work: u64,
    },
    /// Not run: an unchanged site's lists came from the cache.
    Reused,
}

/// How long one stage took, and how much it handled.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Which stage.
    pub name: StageName,
    /// Wall time.
    pub elapsed: Duration,
    /// What it handled, e.g. "7367 docs, 40.1 MB (8.2 MB/s)" (it may name
    /// settings, e.g. the one that keeps what was skipped).
    pub detail: Message,
    /// The process's peak resident memory at the end of the stage, in
    /// bytes (where the OS tells it: Linux).
    pub peak_memory: Option<u64>,
    /// CPU time the process spent in the stage, all threads together
    /// (where the OS tells it: Linux). Beside the wall time it shows how
    /// well the stage used the cores, and it is what to compare when
    /// other work shares the machine.
    pub cpu: Option<Duration>,
}

/// The process's peak resident memory so far (`VmHWM`), in bytes; `None`
/// where `/proc` does not say.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 =
        line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// CPU time the process has used so far (user and system, every thread),
/// from `/proc/self/stat`; `None` where `/proc` does not say.
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, in parentheses):
    // state is the first, utime and stime the 12th and 13th, in clock ticks
    // of 1/100 s (USER_HZ, fixed by the kernel's ABI).
    let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().skip(11);
    let ticks = |f: Option<&str>| f.and_then(|v| v.parse::<u64>().ok());
    let (user, system) = (ticks(fields.next())?, ticks(fields.next())?);
    Some(Duration::from_millis((user + system) * 10))
}

/// How an entry got into a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mark {
    /// Scored by the similarity stage.
    #[default]
    Computed,
    /// Named by the article's `related: […]` front matter.
    Pinned,
    /// Added by `--fill`.
    Filled,
}

/// One entry of an article's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// The related article (an index into [`Outcome::corpus`]).
    pub doc: DocId,
    /// Its similarity in `[0, 1]`; 0 for an entry added by `--fill`, which
    /// earned no score.
    pub score: f64,
    /// With [`Options::explain`](crate::Options::explain): the shared terms
    /// that contributed most, best first; empty otherwise.
    pub terms: Vec<String>,
    /// How it got into the list.
    pub mark: Mark,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// The articles, sorted by key.
    pub corpus: Corpus,
    /// For each article of `corpus` (same order), its neighbours, best first.
    pub lists: Vec<Vec<Neighbour>>,
    /// Inputs skipped or damaged, in input order.
    pub warnings: Vec<Warning>,
    /// Problems that are not the inputs' (a damaged cache, rebuilt): printed
    /// as warnings, but never fail `--strict`.
    pub notices: Vec<Warning>,
    /// Per-stage timings.
    pub stages: Vec<Stage>,
    /// The lists were explained (`explain > 0`): every entry's `terms` is
    /// written, even when empty (a pinned or filled entry explains nothing).
    pub explained: bool,
    /// How the neighbours were searched.
    pub search: Search,
}

impl Outcome {
    /// Every article with its list, in corpus order.
    pub fn iter(&self) -> impl Iterator<Item = (&Document, &[Neighbour])> {
        self.corpus.docs().iter().zip(self.lists.iter().map(Vec::as_slice))
    }

    /// How long `stage` took, if it ran.
    pub fn elapsed(&self, stage: StageName) -> Option<Duration> {
        self.stages.iter().find(|s| s.name == stage).map(|s| s.elapsed)
    }

    /// `(key, score)` of the neighbours of the article with `key` (scores
    /// rounded as written).
    pub fn neighbours(&self, key: &str) -> Option<Vec<(&str, f64)>> {
        self.neighbours_in(None, key)
    }

    /// Like [`Outcome::neighbours`], for the article with `key` in language
    /// `lang` of a `--split-lang` run (`None` otherwise).
    pub fn neighbours_in(&self, lang: Option<&str>, key: &str) -> Option<Vec<(&str, f64)>> {
        let i = self
            .corpus
            .docs()
            .binary_search_by(|d| (d.site.partition.as_deref(), d.key.as_str()).cmp(&(lang, key)))
            .ok()?;
        Some(
            self.lists[i]
                .iter()
                .map(|n| {
                    (self.corpus.get(n.doc).key.as_str(), crate::similar::round_score(n.score))
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn cpu_time_counts_the_work_done() {
        let before = cpu_time().expect("Linux has /proc/self/stat");
        // Spin until the clock (1/100 s ticks) has moved, or give up: a
        // reading that never changes, or goes back, fails.
        let start = std::time::Instant::now();
        let mut spins = 0u64;
        let after = loop {
            spins = std::hint::black_box(spins + 1);
            let now = cpu_time().expect("still readable");
            if now > before || start.elapsed() > Duration::from_secs(10) {
                break now;
            }
        };
        assert!(after > before, "{before:?} -> {after:?} after {spins} spins");
        // Units: other tests run beside this one, but no machine has the
        // cores to spend a thousand times the wall time.
        assert!(after - before < Duration::from_millis(100) + start.elapsed() * 256);
    }
}
