//! How envguard speaks and how a command ends: the one owner of the
//! `envguard: ` prefix every message goes out with, the marker for text to
//! paste that goes out without it, how much is said ([`Verbosity`]), and
//! the [`Outcome`] that becomes the exit code. What each command says is
//! its own module's; this module only puts it on the stream.

use std::fmt::Display;
use std::io::{self, Write};

/// Before every line envguard writes to standard error.
pub const PREFIX: &str = "envguard: ";

/// Marks a line of text to paste. Such a line goes out exactly as it goes
/// into its file: no `envguard: ` before it and no indentation added, so
/// what is copied from the terminal is valid YAML (or sh) where it lands.
pub const PASTE: char = '\u{1e}';

/// Each line of `text` marked as text to paste.
pub fn paste(text: &str) -> String {
    text.lines()
        .map(|line| format!("{PASTE}{line}\n"))
        .collect()
}

/// Says `text` after the prefix, as one message: a line the text breaks
/// itself goes out as it is.
pub fn line(out: &mut dyn Write, text: impl Display) -> io::Result<()> {
    writeln!(out, "{PREFIX}{text}")
}

/// Says each line of `text` after the prefix, except blank lines and text
/// to paste ([`PASTE`]); a text that ends with a newline ends with a blank
/// line. A line ends at LF or CRLF.
pub fn lines(out: &mut dyn Write, text: &str) -> io::Result<()> {
    let mut said = String::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match line.strip_prefix(PASTE) {
            Some(paste) => said.push_str(paste),
            None if line.is_empty() => {}
            None => {
                said.push_str(PREFIX);
                said.push_str(line);
            }
        }
        said.push('\n');
    }
    out.write_all(said.as_bytes())
}

/// How much a command says (`-q`, `-v`; for the hook, which git runs with
/// no flags, `ENVGUARD_QUIET=1` and `ENVGUARD_VERBOSE=1`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verbosity {
    /// Only what stops a push, warnings and errors.
    Quiet,
    #[default]
    Normal,
    /// Also where each decision came from.
    Verbose,
}

impl Verbosity {
    /// From the flags, else (for the hook) the environment.
    pub fn of(quiet: bool, verbose: bool) -> Verbosity {
        let set = |name: &str| std::env::var(name).is_ok_and(|v| v == "1");
        if quiet || (!verbose && set("ENVGUARD_QUIET")) {
            Verbosity::Quiet
        } else if verbose || set("ENVGUARD_VERBOSE") {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }
}

/// How a command ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the push was stopped (or `diff` found removals, or `doctor`
    /// something to fix).
    Stopped,
    /// Exit 2, after saying why, with nothing stopped: a hook manager run
    /// by hand with no push to check.
    Failed,
}

/// Standard error for what envguard says. A message that cannot be written
/// (a closed pipe) is dropped: what envguard decided sets the exit code,
/// not whether anyone still reads, and nothing here can panic (release
/// builds abort on a panic).
pub struct Said<W>(W);

impl<W: Write> Write for Said<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = self.0.write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}

/// [`Said`] over the process's standard error.
pub fn stderr() -> Said<io::StderrLock<'static>> {
    Said(io::stderr().lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_prefix_what_is_said_and_leave_what_is_pasted() {
        let said = |text: &str| {
            let mut out = Vec::new();
            lines(&mut out, text).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(said("a"), "envguard: a\n");
        assert_eq!(said("a\nb"), "envguard: a\nenvguard: b\n");
        assert_eq!(said("a\r\nb"), "envguard: a\nenvguard: b\n");
        let text = format!("push again:\n\n{}", paste("    git push azure main"));
        assert_eq!(
            said(&text),
            "envguard: push again:\n\n    git push azure main\n\n"
        );
        assert_eq!(paste("a:\n  b\n"), "\u{1e}a:\n\u{1e}  b\n");
    }
}
