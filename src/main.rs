//! The `envguard` binary: parses arguments, runs, maps the outcome to an
//! exit code (0 go on, 1 stopped, 2 error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = envguard::cli::Cli::parse();
    let stops_push = envguard::stops_push(&cli);
    match envguard::run(cli) {
        Ok(envguard::Outcome::Success) => ExitCode::SUCCESS,
        Ok(envguard::Outcome::Stopped) => ExitCode::from(1),
        Err(err) => {
            eprintln!("envguard: {err:#}");
            if stops_push {
                eprintln!("envguard: {}", envguard_core::message::BYPASS);
            }
            ExitCode::from(2)
        }
    }
}
