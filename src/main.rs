//! The `related` binary: parse flags, run the job, exit with its code.
//! Everything else lives in the library (`cli` for the command line).

use std::process::ExitCode;

use related::cli::{self, Invocation, ParseError};

// Blocks of 2 MiB and more on huge pages: ~1.1× on a whole run over a
// million articles, same memory (`cli::alloc`, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: cli::alloc::HugePageAlloc = cli::alloc::HugePageAlloc;

fn main() -> ExitCode {
    // Interrupted (Ctrl-C, SIGTERM): remove our temporary files, exit 130.
    cli::remove_temp_files_on_signals();
    let job = match cli::parse(std::env::args_os().collect()) {
        Ok(Invocation::Run(job)) => job,
        Ok(Invocation::Tool(cli::Tool::Merge(args))) => return cli::exit_code(cli::merge(&args)),
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
    let result = match job.watch {
        true => cli::watch::watch(&job),
        false => cli::run(&job).map(drop),
    };
    cli::exit_code(result)
}
