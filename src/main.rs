//! The `related` binary: parse flags, run, map errors to exit codes.
//! Everything else lives in the library.

use std::process::ExitCode;

use related::cli::{self, Invocation, ParseError};
use related::error::{Error, is_broken_pipe};

fn main() -> ExitCode {
    // Interrupted (Ctrl-C, SIGTERM): remove our temporary files, exit 130.
    related::output::tempfiles::remove_on_signals();
    let config = match cli::parse(std::env::args_os().collect()) {
        Ok(Invocation::Run(config)) => config,
        Ok(Invocation::Tool(tool)) => {
            return match cli::print_tool(&tool, &mut std::io::stdout().lock()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("related: error: {e}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            };
        }
        // --help and --version print themselves and exit 0; errors exit 2.
        Err(ParseError::Clap(e)) => e.exit(),
        Err(ParseError::Usage(message)) => {
            eprintln!("related: error: {message}");
            return ExitCode::from(2);
        }
    };
    let result = match config.watch {
        true => related::cli::watch::watch(&config),
        false => related::run(&config).map(drop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(Error::Usage(message)) => {
            eprintln!("related: error: {message}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("related: error: {}", related::error::error_chain(&err));
            ExitCode::from(1)
        }
    }
}
