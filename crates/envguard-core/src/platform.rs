//! The deployment target: the server's platform and the Python runtime a
//! deployment asks for, read from `runtime.txt`.
//!
//! Kudu's version selector matches the first line of `runtime.txt` by prefix
//! (`python-3.11.4` selects the `python-3.11` runtime), and its virtual
//! environment sentinel is named after that `python-X.Y` string. So the minor
//! version is what decides whether the server rebuilds the environment by
//! itself; the full version only feeds environment markers.

use std::fmt;

/// The platform whose environment markers count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Windows,
    Linux,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Platform::Windows => "windows",
            Platform::Linux => "linux",
        })
    }
}

/// The deployment target that environment markers are evaluated against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub platform: Platform,
    /// From `runtime.txt`, else envguard.toml's `python`; `None` when
    /// neither says.
    pub python: Option<Runtime>,
}

/// The Pythons a site may run when nothing says which: every CPython 3
/// minor version App Service has offered (3.6 on legacy Windows sites) up to
/// the newest. Each is judged on its own.
pub const CANDIDATE_MINORS: std::ops::RangeInclusive<u32> = 6..=14;

impl Target {
    /// The Pythons whose markers count: the one the site runs, or, when
    /// that is unknown, each candidate ([`CANDIDATE_MINORS`]).
    pub fn pythons(&self) -> Vec<Runtime> {
        match &self.python {
            Some(runtime) => vec![runtime.clone()],
            None => CANDIDATE_MINORS
                .map(|minor| Runtime::new(3, minor, None))
                .collect(),
        }
    }
}

/// A parsed `runtime.txt`: `python-3.11` or `python-3.11.4`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runtime {
    major: u32,
    minor: u32,
    patch: Option<u32>,
}

impl Runtime {
    /// Reads a `runtime.txt` by the one rule the hook, `deploy.sh` and
    /// `deploy.cmd` share (`tests/data/runtime_spellings.tsv` states it and
    /// tests every side against it): the first line, less a UTF-8 BOM, one
    /// trailing CR and surrounding spaces/tabs, is `python-` in any case,
    /// then `X.Y` in digits, then nothing or `.` and anything (a patch
    /// level). Kudu's `select_python_version.py` lowercases and matches by
    /// prefix. `None`: no runtime stated; the site's own setting decides.
    pub fn from_file(bytes: &[u8]) -> Option<Runtime> {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let blank = |b: &u8| matches!(b, b' ' | b'\t');
        let start = line.iter().position(|b| !blank(b))?;
        let end = line.iter().rposition(|b| !blank(b))?;
        let line = &line[start..=end];
        if line.len() < 7 || !line[..7].eq_ignore_ascii_case(b"python-") {
            return None;
        }
        let (major, rest) = digits(&line[7..])?;
        let (minor, rest) = digits(rest.strip_prefix(b".")?)?;
        let patch = match rest {
            [] => None,
            [b'.', patch @ ..] => digits(patch).and_then(|(p, tail)| tail.is_empty().then_some(p)),
            _ => return None,
        };
        Some(Runtime {
            major,
            minor,
            patch,
        })
    }

    /// [`Runtime::from_file`] over text (a fingerprint's `runtime` field).
    pub fn parse(text: &str) -> Option<Runtime> {
        Runtime::from_file(text.as_bytes())
    }

    /// The site's Python as envguard.toml's `python` key states it: exactly
    /// `X.Y` in digits (`3.11`), the form App Service's Python setting
    /// takes; a major version other than 2 or 3 is no Python a site runs.
    pub fn from_site_version(text: &str) -> Option<Runtime> {
        let (major, rest) = digits(text.as_bytes())?;
        let (minor, rest) = digits(rest.strip_prefix(b".")?)?;
        (rest.is_empty() && matches!(major, 2 | 3) && text.len() <= 6)
            .then_some(Runtime::new(major, minor, None))
    }

    /// Builds a runtime from its parts (tests and marker evaluation).
    pub fn new(major: u32, minor: u32, patch: Option<u32>) -> Runtime {
        Runtime {
            major,
            minor,
            patch,
        }
    }

    /// `python-X.Y`, the name Kudu's selector and sentinel use.
    pub fn selector(&self) -> String {
        format!("python-{}.{}", self.major, self.minor)
    }

    /// `(X, Y)`.
    pub fn major_minor(&self) -> (u32, u32) {
        (self.major, self.minor)
    }

    /// `X.Y`, the `python_version` marker variable.
    pub fn python_version(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }

    /// `X.Y.Z`, the `python_full_version` marker variable; an unstated patch
    /// level reads as `.0`, the oldest release of that minor version.
    pub fn python_full_version(&self) -> String {
        format!("{}.{}.{}", self.major, self.minor, self.patch.unwrap_or(0))
    }

    /// Whether two runtimes select a different environment on the server.
    pub fn selects_other_env_than(&self, other: &Runtime) -> bool {
        (self.major, self.minor) != (other.major, other.minor)
    }
}

/// A run of ASCII digits at the start of `bytes` as a number, and the rest.
fn digits(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let end = bytes
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    let number = std::str::from_utf8(&bytes[..end]).ok()?.parse().ok()?;
    Some((number, &bytes[end..]))
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "python-{}.{}.{}", self.major, self.minor, p),
            None => write!(f, "python-{}.{}", self.major, self.minor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Which spellings are a runtime at all is the shared fixture's job
    // (tests/data/runtime_spellings.tsv, tests/it/shared_rules.rs); here: what
    // each part becomes.
    #[test]
    fn reads_the_parts() {
        let cases = [
            ("python-3.11", Some((3, 11, None))),
            ("python-3.11.4\n", Some((3, 11, Some(4)))),
            ("Python-3.12.10 \r\nignored", Some((3, 12, Some(10)))),
            ("python-3.11.x", Some((3, 11, None))),
            ("python-3.11.4.1", Some((3, 11, None))),
            ("python-3.11rc1", None),
            ("3.10", None),
        ];
        for (text, want) in cases {
            let got = Runtime::parse(text).map(|r| (r.major, r.minor, r.patch));
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn the_site_version_is_x_dot_y() {
        assert_eq!(
            Runtime::from_site_version("3.11"),
            Some(Runtime::new(3, 11, None))
        );
        assert_eq!(
            Runtime::from_site_version("2.7"),
            Some(Runtime::new(2, 7, None))
        );
        for bad in [
            "3",
            "3.11.4",
            "python-3.11",
            "three",
            " 3.11",
            "3.",
            "4.0",
            "3.x",
            "",
        ] {
            assert_eq!(Runtime::from_site_version(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn patch_level_selects_the_same_env() {
        let a = Runtime::parse("python-3.11").unwrap();
        let b = Runtime::parse("python-3.11.4").unwrap();
        let c = Runtime::parse("python-3.12").unwrap();
        assert!(!a.selects_other_env_than(&b));
        assert!(a.selects_other_env_than(&c));
        assert_eq!(b.selector(), "python-3.11");
        assert_eq!(b.python_full_version(), "3.11.4");
        assert_eq!(a.python_full_version(), "3.11.0");
        assert_eq!(b.to_string(), "python-3.11.4");
        assert_eq!(a.to_string(), "python-3.11");
        assert_eq!(Platform::Linux.to_string(), "linux");
        assert_eq!(Platform::Windows.to_string(), "windows");
    }
}
