//! The Python runtime a deployment asks for, read from `runtime.txt`.
//!
//! Kudu's version selector matches the first line of `runtime.txt` by prefix
//! (`python-3.11.4` selects the `python-3.11` runtime), and its virtual
//! environment sentinel is named after that `python-X.Y` string. So the minor
//! version is what decides whether the server rebuilds the environment by
//! itself; the full version only feeds environment markers.

use std::fmt;

/// A parsed `runtime.txt`: `python-3.11` or `python-3.11.4`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runtime {
    major: u32,
    minor: u32,
    patch: Option<u32>,
}

impl Runtime {
    /// Reads the first line of a `runtime.txt`. Returns `None` when it does
    /// not name a CPython version envguard understands; the caller then
    /// treats the runtime as unknown rather than failing.
    pub fn parse(text: &str) -> Option<Runtime> {
        let line = text.trim_start_matches('\u{feff}').lines().next()?.trim();
        let version = line
            .strip_prefix("python-")
            .or_else(|| line.strip_prefix("python"))
            .unwrap_or(line);
        let mut parts = version.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = match parts.next() {
            None => None,
            Some(p) => Some(p.parse().ok()?),
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Runtime {
            major,
            minor,
            patch,
        })
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

    #[test]
    fn reads_kudu_spellings() {
        let cases = [
            ("python-3.11", Some((3, 11, None))),
            ("python-3.11.4\n", Some((3, 11, Some(4)))),
            ("  python-3.12  \r\nignored", Some((3, 12, None))),
            ("\u{feff}python-3.9", Some((3, 9, None))),
            ("3.10", Some((3, 10, None))),
            ("python3.8", Some((3, 8, None))),
            ("python-3", None),
            ("python-3.x", None),
            ("", None),
            ("ruby-2.7", None),
            ("python-3.11.4.1", None),
        ];
        for (text, want) in cases {
            let got = Runtime::parse(text).map(|r| (r.major, r.minor, r.patch));
            assert_eq!(got, want, "{text:?}");
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
    }
}
