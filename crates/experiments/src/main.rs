//! The `experiments` binary: parses the command line and hands it to the library
//! ([`experiments::cli::run`]); prints an error with its chain of causes and exits with the
//! status the error calls for (see the library's documentation for the statuses).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match experiments::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match experiments::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", experiments::error_chain(&e));
            ExitCode::from(e.exit_code())
        }
    }
}
