//! The files `envguard init` copies into an app (`deploy.sh`, `deploy.cmd`,
//! `envguard_check.py`) each carry one comment line with the SHA-256 of the
//! rest of the file: `envguard-digest: sha256:<hex>`. A later `init` can so
//! tell an unedited copy of any envguard version, which it may update, from
//! a copy the user edited, which it keeps unless told `--force`.
//!
//! The digest is taken over the file with CRLF read as LF (deploy.cmd goes
//! out with CRLF, a checkout may turn it back) and without the digest line
//! itself, so the line can sit anywhere in the comment block.

use crate::digest::{hex, sha256};

/// What precedes the hex on the digest line.
pub const DIGEST_KEY: &str = "envguard-digest: sha256:";

/// What an existing copy of a shipped file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copy {
    /// Its digest line matches the rest: envguard wrote it, nobody edited it.
    Unedited,
    /// Its digest line does not match: edited after envguard wrote it.
    Edited,
    /// No digest line: the user's own file, or an envguard copy from before
    /// the digest line, edited or not (there is no telling).
    Unstamped,
}

/// Judges a copy of a shipped file.
pub fn examine(bytes: &[u8]) -> Copy {
    match split(bytes) {
        None => Copy::Unstamped,
        Some((stated, rest)) if stated == hex(&sha256(&rest)).as_bytes() => Copy::Unedited,
        Some(_) => Copy::Edited,
    }
}

/// The digest line a file's text should carry (without the comment leader
/// or the line end), `None` when it has no digest line to fill in.
pub fn expected_line(bytes: &[u8]) -> Option<String> {
    let (_, rest) = split(bytes)?;
    Some(format!("{DIGEST_KEY}{}", hex(&sha256(&rest))))
}

/// The hex the first digest line states, and the file's other lines (LF
/// line ends), or `None` when no line holds the key.
fn split(bytes: &[u8]) -> Option<(&[u8], Vec<u8>)> {
    let key = DIGEST_KEY.as_bytes();
    let mut stated = None;
    let mut rest = Vec::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        match find(body, key) {
            Some(at) if stated.is_none() => stated = Some(&body[at + key.len()..]),
            _ => {
                rest.extend_from_slice(body);
                if line.ends_with(b"\n") {
                    rest.push(b'\n');
                }
            }
        }
    }
    stated.map(|hex| (hex, rest))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(leader: &str, body: &str) -> String {
        let unfilled = format!("{leader}{DIGEST_KEY}\n{body}");
        let line = expected_line(unfilled.as_bytes()).unwrap();
        format!("{leader}{line}\n{body}")
    }

    #[test]
    fn a_stamped_file_is_unedited_in_either_line_ending() {
        let text = stamped("# ", "#!/bin/sh\necho hi\n");
        assert_eq!(examine(text.as_bytes()), Copy::Unedited);
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(examine(crlf.as_bytes()), Copy::Unedited);
        let cmd = stamped(":: ", "@echo off\r\ncall :x\r\n").replace("\r\n", "\n");
        assert_eq!(
            examine(cmd.replace('\n', "\r\n").as_bytes()),
            Copy::Unedited
        );
    }

    #[test]
    fn any_edit_is_seen() {
        let text = stamped("# ", "#!/bin/sh\necho hi\n");
        for edited in [
            text.replace("hi", "ho"),
            format!("{text}echo more\n"),
            text.trim_end().to_string(),
            text.replace("#!/bin/sh", "#!/bin/bash"),
            format!("{text}\n"),
        ] {
            assert_eq!(examine(edited.as_bytes()), Copy::Edited, "{edited:?}");
        }
    }

    #[test]
    fn no_digest_line_is_unstamped() {
        assert_eq!(examine(b"#!/bin/sh\necho envguard\n"), Copy::Unstamped);
        assert_eq!(examine(b""), Copy::Unstamped);
        assert_eq!(expected_line(b"echo\n"), None);
    }

    #[test]
    fn a_bad_or_short_digest_is_edited_not_unedited() {
        for hex in ["", "00", &"0".repeat(64), &"g".repeat(64)] {
            let text = format!("# {DIGEST_KEY}{hex}\necho\n");
            assert_eq!(examine(text.as_bytes()), Copy::Edited, "{hex:?}");
        }
    }

    #[test]
    fn only_the_first_digest_line_counts_and_odd_bytes_are_data() {
        let text = stamped("# ", "echo \u{fffd}\n");
        let second = format!("{text}# {DIGEST_KEY}{}\n", "0".repeat(64));
        assert_eq!(examine(second.as_bytes()), Copy::Edited);
        // A copy of the digest line itself, pasted further down, is an edit.
        let line = text.lines().next().unwrap();
        let pasted = format!("{text}{line}\n");
        assert_eq!(examine(pasted.as_bytes()), Copy::Edited);
        let mut unfilled = format!("# {DIGEST_KEY}\n").into_bytes();
        unfilled.extend_from_slice(b"echo caf\xe9\n");
        let line = expected_line(&unfilled).unwrap();
        let mut latin1 = format!("# {line}\n").into_bytes();
        latin1.extend_from_slice(b"echo caf\xe9\n");
        assert_eq!(examine(&latin1), Copy::Unedited);
    }
}
