//! `related.toml`: any long option as a key, so a site keeps its settings
//! next to its content and runs plain `related`.
//!
//! ```toml
//! inputs = ["content"]
//! output = "data/related.json"
//! exclude = ["**/_index.md", "tags/**"]
//! top-k = 8
//! exclude-newer = true
//! ```
//!
//! Keys are the long option names (`top-k`, `base-url`, …; `inputs` for the
//! positional arguments). The file is turned into command-line arguments
//! placed before the real ones, leaving out every option the command line
//! gives itself, so flags always win (a list given on the command line
//! replaces the file's list). Relative paths in the file are relative to the
//! file's folder. An unknown key, or a value of the wrong type, is an error
//! naming the file and the key.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};

/// The file read from the working directory when `--config` is not given.
pub const DEFAULT_NAME: &str = "related.toml";

/// Options that take paths: relative values are resolved against the file's folder.
const PATH_KEYS: &[&str] = &["inputs", "output", "output-dir", "cache", "root"];

/// Options a file cannot set.
const NOT_IN_FILE: &[&str] = &["config", "no-config", "help", "version"];

/// Arguments from the file at `path`: `(options, inputs)`, options to go
/// before the command line's own, inputs (if the command line gives none) after.
pub fn arguments(
    path: &Path,
    command: &Command,
    given: &ArgMatches,
) -> Result<(Vec<OsString>, Vec<OsString>), String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        format!("{name}: not valid TOML: {}", e.to_string().trim_end().replace('\n', "\n  "))
    })?;
    let base = path.parent().filter(|p| !p.as_os_str().is_empty() && *p != Path::new("."));

    let mut options = Vec::new();
    let mut inputs = Vec::new();
    for (key, value) in &table {
        let arg = command
            .get_arguments()
            .find(|a| {
                a.get_long() == Some(key.as_str()) || (a.is_positional() && a.get_id() == key)
            })
            .filter(|_| !NOT_IN_FILE.contains(&key.as_str()));
        let Some(arg) = arg else {
            return Err(unknown_key(&name.to_string(), key, command));
        };
        // The command line has its own value, or a flag that excludes this
        // one (`-v` against the file's `quiet = true`): it wins.
        let on_command_line = |a: &clap::Arg| {
            given.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine)
        };
        if on_command_line(arg)
            || command.get_arg_conflicts_with(arg).into_iter().any(on_command_line)
        {
            continue;
        }
        let wrong = |expected: &str| {
            format!("{name}: `{key}` must be {expected}, not {}", value.type_str())
        };
        let flag = matches!(arg.get_action(), ArgAction::SetTrue);
        let many = arg.is_positional() || matches!(arg.get_action(), ArgAction::Append);
        let is_path = arg.is_positional() || PATH_KEYS.contains(&key.as_str());
        let values: Vec<String> = match value {
            toml::Value::Boolean(b) if flag => {
                if *b {
                    options.push(OsString::from(format!("--{key}")));
                }
                continue;
            }
            _ if flag => return Err(wrong("true or false")),
            // Paths are strings: `inputs = [1, 2]` is a mistake, not files "1" and "2".
            toml::Value::Array(items) if many && is_path => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        format!(
                            "{name}: `{key}` must be a list of strings (paths), but holds {} {v}",
                            v.type_str()
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            toml::Value::Array(items) if many => items
                .iter()
                .map(|v| scalar(v).ok_or_else(|| wrong("a list of strings or numbers")))
                .collect::<Result<_, _>>()?,
            toml::Value::Array(_) => return Err(wrong("a single value")),
            toml::Value::String(s) => vec![s.clone()],
            _ if is_path => return Err(wrong("a string (a path)")),
            v => vec![scalar(v).ok_or_else(|| wrong("a string or a number"))?],
        };
        let resolve = |v: String| -> OsString {
            match base {
                Some(dir) if PATH_KEYS.contains(&key.as_str()) && Path::new(&v).is_relative() => {
                    dir.join(v).into_os_string()
                }
                _ => v.into(),
            }
        };
        for v in values {
            if arg.is_positional() {
                inputs.push(resolve(v));
            } else {
                // Checked one by one so the message can name the file and key.
                let one = format!("--{key}={v}");
                if let Err(e) = command.clone().try_get_matches_from(["related", &one]) {
                    let why = e.render().to_string();
                    let why = why.lines().next().unwrap_or_default().trim_start_matches("error: ");
                    return Err(format!("{name}: `{key}`: {why}"));
                }
                let mut opt = OsString::from(format!("--{key}="));
                opt.push(resolve(v));
                options.push(opt);
            }
        }
    }
    Ok((options, inputs))
}

/// Which file to read: `--config FILE`, else `related.toml` here if present.
pub fn locate(explicit: Option<&Path>, disabled: bool) -> Result<Option<PathBuf>, String> {
    match explicit {
        Some(p) if p.is_file() => Ok(Some(p.to_path_buf())),
        Some(p) => Err(format!("--config {}: no such file", p.display())),
        None if disabled => Ok(None),
        None => Ok(Some(PathBuf::from(DEFAULT_NAME)).filter(|p| p.is_file())),
    }
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        // `1.0` stays a fraction (`--max-df 1.0`), not the count `1`.
        toml::Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(format!("{f:.1}")),
        toml::Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

fn unknown_key(file: &str, key: &str, command: &Command) -> String {
    let known: Vec<String> = command
        .get_arguments()
        .filter_map(|a| {
            if a.is_positional() {
                Some(a.get_id().to_string())
            } else {
                a.get_long().map(str::to_owned)
            }
        })
        .filter(|k| !NOT_IN_FILE.contains(&k.as_str()))
        .collect();
    let hint = known
        .iter()
        .filter(|k| !(key.len() < 4 && k.len() > key.len() + 2))
        .map(|k| (edit_distance(&key.replace('_', "-"), k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    format!(
        "{file}: unknown key `{key}`{hint}; keys are the long options of `related --help`, without the dashes"
    )
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("top-k", "top-k"), 0);
        assert_eq!(edit_distance("topk", "top-k"), 1);
        assert_eq!(edit_distance("exclude-newr", "exclude-newer"), 1);
        assert_eq!(edit_distance("abc", "xyz"), 3);
    }
}
