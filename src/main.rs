//! The `related` binary: parse flags, run, map errors to exit codes.
//! Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use related::cli::Args;
use related::error::{Error, is_broken_pipe};

fn main() -> ExitCode {
    let config = match Args::parse().into_config() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("related: error: {message}");
            return ExitCode::from(2);
        }
    };
    match related::run(&config) {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            eprintln!("related: error: {message}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("related: error: {}", error_chain(&err));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line, `a: b: c`.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cur = e.source();
    }
    text
}
