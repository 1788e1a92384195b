//! The `envguard` binary: parses arguments, runs, maps the outcome to an
//! exit code (0 go on, 1 stopped, 2 error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = envguard::cli::Cli::parse();
    let stops_push = envguard::stops_push(&cli);
    let result = envguard::run(cli);
    ExitCode::from(envguard::exit_code(
        result,
        stops_push,
        &mut std::io::stderr().lock(),
    ))
}
