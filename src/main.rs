//! The `envguard` binary: parses arguments, runs, maps the outcome to an
//! exit code (0 go on, 1 stopped, 2 error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A full disk under `ulimit -f` is an error envguard undoes and reports
    // (EFBIG), not a signal that kills it half-way.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" before any thread
    // starts; no handler runs.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = match envguard::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = envguard::cli::report_clap_error(&error, &mut envguard::say::stderr());
            return ExitCode::from(code);
        }
    };
    let stops_push = envguard::stops_push(&cli);
    let result = envguard::run(cli);
    ExitCode::from(envguard::exit_code(
        result,
        stops_push,
        &mut envguard::say::stderr(),
    ))
}
