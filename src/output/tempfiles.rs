//! Our temporary files (`.related-<pid>-XXXXXX.tmp`, next to each file
//! written atomically): created with the process id in the name, removed
//! when the process is interrupted (SIGINT, SIGTERM, SIGHUP: see
//! [`remove_on_signals`]), and, when a run was killed outright (`kill -9`,
//! power loss), removed by the next run that writes into the same folder
//! (`remove_stale`) once their process is gone.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tempfile::NamedTempFile;

const PREFIX: &str = ".related-";
const SUFFIX: &str = ".tmp";

/// The folders this process creates temporary files in: on a signal, its
/// files there are removed (by name, so a file created just as the signal
/// came goes too).
static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Folders created to hold temporary files whose update is not committed
/// yet (`--output-dir` staging): on a signal, removed when empty, deepest
/// last in the list, so an interrupted run leaves no empty folders.
static CREATED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Creates the folder `dir` (its parent must exist) and remembers it for
/// [`remove_on_signals`] until [`forget_created`].
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    // Under the lock the signal handler holds, as in `create_in`.
    let _dirs = DIRS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    std::fs::create_dir(dir)?;
    CREATED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(dir.to_path_buf());
    Ok(())
}

/// These folders are kept (they hold committed files) or were removed by
/// their owner: a signal no longer removes them.
pub(crate) fn forget_created(dirs: &[PathBuf]) {
    let mut created = CREATED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    created.retain(|d| !dirs.contains(d));
}

/// Removes this process's temporary files in `dirs`, then those of the
/// `created` folders that are empty, deepest (last) first.
fn remove_own(dirs: &[PathBuf], created: &[PathBuf]) {
    let prefix = own_prefix();
    for dir in dirs {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&prefix) && name.ends_with(SUFFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for dir in created.iter().rev() {
        let _ = std::fs::remove_dir(dir); // fails, as it should, if not empty
    }
}

/// This process's temporary file names start with this.
fn own_prefix() -> String {
    format!("{PREFIX}{}-", std::process::id())
}

/// A temporary file in `dir`, named `.related-<pid>-XXXXXX.tmp`; `dir` is
/// remembered for [`remove_on_signals`].
pub(crate) fn create_in(dir: &Path) -> io::Result<NamedTempFile> {
    // The file is created while holding the lock that the signal handler
    // holds while it removes files and exits: a file is either on disk
    // before the handler looks, or never created.
    let mut dirs = DIRS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !dirs.iter().any(|d| d == dir) {
        dirs.push(dir.to_path_buf());
    }
    tempfile::Builder::new().prefix(&own_prefix()).suffix(SUFFIX).tempfile_in(dir)
}

/// Set by [`stop_gracefully`]: a signal sets this flag instead of exiting.
static GRACEFUL: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// A long-running mode (`--watch`) that stops on its own: from now on a
/// signal removes our temporary files and sets `flag` instead of exiting,
/// so the caller can finish and clean up. One process has one signal
/// handler (the `ctrlc` crate allows no second), so this is the way to
/// share it.
pub fn stop_gracefully(flag: Arc<AtomicBool>) {
    let _ = GRACEFUL.set(flag);
    remove_on_signals();
}

/// On SIGINT, SIGTERM or SIGHUP, removes this process's temporary files and
/// exits with 130 (the shell's code for an interrupted command), or, after
/// [`stop_gracefully`], sets its flag. For the binary; a program embedding
/// the library keeps its own signal handling. Installing it twice is
/// harmless.
pub fn remove_on_signals() {
    let _ = ctrlc::set_handler(|| {
        // Held until the process exits: no temporary file or folder is
        // created after the folders were read (see `create_in`).
        let dirs = DIRS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let created = CREATED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        remove_own(&dirs, &created);
        match GRACEFUL.get() {
            Some(flag) => flag.store(true, Ordering::SeqCst),
            None => std::process::exit(130),
        }
    });
}

/// Removes temporary files of ours left in `dir` by a run that was killed:
/// those whose process is gone (and those of the old `.related-XXXXXX.tmp`
/// naming, which did not record it). Only regular files; errors ignored.
pub(crate) fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(middle) = name.strip_prefix(PREFIX).and_then(|n| n.strip_suffix(SUFFIX)) else {
            continue;
        };
        let stale = match middle.split_once('-') {
            Some((pid, _)) => match pid.parse::<u32>() {
                Ok(pid) => pid != std::process::id() && !process_alive(pid),
                Err(_) => false,
            },
            // The old naming: six random letters and digits, no process id.
            None => middle.len() == 6 && middle.bytes().all(|c| c.is_ascii_alphanumeric()),
        };
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Is process `pid` running? Where that cannot be told (no `/proc`), it is
/// assumed to be, so a live run's files are never removed.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_files_of_dead_processes_go_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = create_in(dir.path()).unwrap();
        let ours = tmp.path().to_path_buf();
        let name = ours.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(name.starts_with(&own_prefix()) && name.ends_with(".tmp"), "{name}");
        assert!(DIRS.lock().unwrap().iter().any(|d| d == dir.path()));
        // No process has the largest pid.
        let dead = dir.path().join(".related-4294967295-abcdef.tmp");
        let old = dir.path().join(".related-AbC123.tmp");
        let other = dir.path().join(".related-notes.tmp");
        let user = dir.path().join("related-1-x.tmp");
        for p in [&dead, &old, &other, &user] {
            std::fs::write(p, "x").unwrap();
        }
        remove_stale(dir.path());
        assert!(ours.exists(), "this process's file is live");
        assert!(!dead.exists() && !old.exists());
        assert!(other.exists() && user.exists(), "not our naming: kept");
    }

    #[test]
    fn an_interrupt_removes_the_folders_made_for_temporary_files() {
        let root = tempfile::tempdir().unwrap();
        let (a, b, kept) = (root.path().join("a"), root.path().join("a/b"), root.path().join("k"));
        for d in [&a, &b, &kept] {
            create_dir(d).unwrap();
        }
        forget_created(std::slice::from_ref(&kept));
        assert!(!CREATED.lock().unwrap().contains(&kept));
        let tmp = create_in(&b).unwrap().into_temp_path();
        std::fs::write(kept.join("x.json"), "[]").unwrap();
        // What the signal handler does, on this test's folders only.
        remove_own(&[b.clone(), kept.clone()], &[a.clone(), b.clone()]);
        assert!(!tmp.exists() && !b.exists() && !a.exists());
        assert!(kept.join("x.json").exists());
        // A folder that holds something else stays.
        create_dir(&a).unwrap();
        std::fs::write(a.join("user.txt"), "mine").unwrap();
        remove_own(&[], std::slice::from_ref(&a));
        assert!(a.join("user.txt").exists());
        forget_created(&[a, b]);
    }
}
