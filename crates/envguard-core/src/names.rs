//! Package identity: PEP 503 canonical names, the identity of one
//! requirement, the set a commit installs, and the one label format that
//! messages and the fingerprint file share (`name`, `name[extra,extra]`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A [PEP 503](https://peps.python.org/pep-0503/#normalized-names)
/// normalised project name: `Flask_Cors`, `flask.cors` and `flask-cors` are
/// all `flask-cors`. PEP 685 normalises extra names the same way.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CanonicalName(String);

impl CanonicalName {
    /// Normalises per PEP 503: runs of `-`, `_`, `.` become one `-`, lower case.
    pub fn new(name: &str) -> CanonicalName {
        let mut out = String::with_capacity(name.len());
        let mut in_separator = false;
        for c in name.trim().chars() {
            if matches!(c, '-' | '_' | '.') {
                if !in_separator {
                    out.push('-');
                }
                in_separator = true;
            } else {
                out.extend(c.to_lowercase());
                in_separator = false;
            }
        }
        CanonicalName(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CanonicalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What identifies one requirement when deciding whether it was removed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackageId {
    /// A named requirement (PEP 508, `name @ url`, `#egg=name`, a wheel).
    Name(CanonicalName),
    /// An unnamed URL or path, or a line envguard could not read: its text.
    Text(String),
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackageId::Name(name) => name.fmt(f),
            PackageId::Text(text) => f.write_str(text),
        }
    }
}
/// Installed packages by identity, with the extras asked for.
pub type PackageSet = BTreeMap<PackageId, BTreeSet<String>>;

/// One package as messages and the fingerprint show it: `name` or
/// `name[extra,extra]`; an unnamed requirement by its text.
pub fn label(id: &PackageId, extras: &BTreeSet<String>) -> String {
    if extras.is_empty() {
        id.to_string()
    } else {
        let extras: Vec<&str> = extras.iter().map(String::as_str).collect();
        format!("{id}[{}]", extras.join(","))
    }
}

/// The sorted labels of a package set.
pub fn labels(packages: &PackageSet) -> Vec<String> {
    packages
        .iter()
        .map(|(id, extras)| label(id, extras))
        .collect()
}

/// Reads a [`label`] back. Text entries (URLs, unreadable lines such as
/// `flask-`) are never a valid name, so they come back as text.
pub fn parse_label(label: &str) -> (PackageId, BTreeSet<String>) {
    let (name, extras) = match label.strip_suffix(']').and_then(|l| l.split_once('[')) {
        Some((name, extras)) => (name, extras.split(',').map(str::to_string).collect()),
        None => (label, BTreeSet::new()),
    };
    // A valid PEP 508 name: alphanumeric at both ends, `-_.` inside.
    let is_name = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if is_name {
        (PackageId::Name(CanonicalName::new(name)), extras)
    } else {
        (PackageId::Text(label.to_string()), BTreeSet::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for text in [
            "six",
            "requests[security,socks]",
            "https://example.invalid/x.zip",
            "flask-",
        ] {
            let (id, extras) = parse_label(text);
            assert_eq!(label(&id, &extras), text);
        }
        assert_eq!(
            parse_label("Flask_Cors").0,
            PackageId::Name(CanonicalName::new("flask-cors"))
        );
        assert_eq!(parse_label("flask-").0, PackageId::Text("flask-".into()));
    }
}
