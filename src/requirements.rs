//! Reading pip requirements files into the set of packages they install.
//!
//! Files are read through a caller-supplied function (`read`) that returns a
//! file's bytes by repository-relative path, so the same code reads a commit's
//! tree in production and a map in tests: this module never touches the disk
//! or git.
//!
//! Supported, following pip's `req_file.py`:
//! - `\` line continuations, comments (`#` at the start or after whitespace),
//!   blank lines, CRLF;
//! - `-r`/`--requirement` includes (followed) and `-c`/`--constraint` includes
//!   (read for their identity but adding no packages), with paths relative
//!   to the including file; an include cycle is an error naming the chain;
//! - global options (`--index-url`, `--find-links`, …) and per-requirement
//!   options (`--hash`), which never affect identity;
//! - PEP 508 requirements (through `pep508_rs`), `name @ url`, editable and
//!   plain URLs named by `#egg=`; unnamed URLs are identified by their text.
//!
//! A line that cannot be read becomes a [`Warning`] and is identified by its
//! text, so removing it still counts as a removal.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree};

use crate::runtime::Runtime;

/// A PEP 503 normalised project name: `Flask_Cors`, `flask.cors` and
/// `flask-cors` are all `flask-cors`.
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
    /// A named requirement (PEP 508, `name @ url`, `#egg=name`).
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
    /// From `runtime.txt`; `None` when the commit has none.
    pub python: Option<Runtime>,
}

/// One requirement line that names a package (or a URL).
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: PackageId,
    pub extras: BTreeSet<String>,
    /// `None` for "always", or when the line had no readable marker.
    pub marker: Option<MarkerTree>,
    pub file: String,
    pub line: usize,
}

/// A file that was read, with the SHA-256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub sha256: [u8; 32],
}

/// Something envguard could not read but that does not stop it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A problem that stops the reading: pip would fail the deployment on it too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for Error {}

/// Everything read from a requirements file and its includes.
#[derive(Clone, Debug, Default)]
pub struct Requirements {
    /// Every file read, top file first, each once.
    pub files: Vec<SourceFile>,
    pub entries: Vec<Entry>,
    pub warnings: Vec<Warning>,
}

/// Installed packages by identity, with the extras asked for.
pub type PackageSet = BTreeMap<PackageId, BTreeSet<String>>;

/// How a file is read: by repository-relative path (`/`-separated), giving
/// `Ok(None)` when the file does not exist.
pub type ReadFile<'a> = dyn FnMut(&str) -> anyhow::Result<Option<Vec<u8>>> + 'a;

impl Requirements {
    /// The packages pip would install on `target`: entries whose marker is
    /// false there are left out; a marker that cannot be evaluated counts as
    /// present (when in doubt, rebuild).
    pub fn packages(&self, target: &Target) -> PackageSet {
        let envs = marker_environments(target);
        let mut set = PackageSet::new();
        for entry in &self.entries {
            let applies = match &entry.marker {
                None => true,
                Some(marker) => envs.iter().any(|env| marker.evaluate(env, &[])),
            };
            if applies {
                set.entry(entry.id.clone())
                    .or_default()
                    .extend(entry.extras.iter().cloned());
            }
        }
        set
    }
}

/// Reads `path` and everything it includes.
pub fn parse(path: &str, read: &mut ReadFile<'_>) -> Result<Requirements, Error> {
    let mut out = Requirements::default();
    let mut stack = Vec::new();
    read_file(path, None, Kind::Requirements, read, &mut stack, &mut out)?;
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Requirements,
    Constraints,
}

/// Where an include was named, for errors about it.
struct IncludedFrom<'a> {
    file: &'a str,
    line: usize,
}

fn read_file(
    path: &str,
    from: Option<IncludedFrom<'_>>,
    kind: Kind,
    read: &mut ReadFile<'_>,
    stack: &mut Vec<String>,
    out: &mut Requirements,
) -> Result<(), Error> {
    let at_include = |message: String| match &from {
        Some(f) => Error {
            file: f.file.to_string(),
            line: f.line,
            message,
        },
        None => Error {
            file: path.to_string(),
            line: 0,
            message,
        },
    };
    if stack.iter().any(|p| p == path) {
        let mut chain = stack.clone();
        chain.push(path.to_string());
        return Err(at_include(format!(
            "include cycle: {}; pip refuses it, so remove one of these includes",
            chain.join(" -> ")
        )));
    }
    let bytes = match read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) if from.is_some() => {
            return Err(at_include(format!(
                "includes {path}, which is not in the commit; add it or fix the path (pip would fail the deployment)"
            )))
        }
        Ok(None) => return Ok(()),
        Err(err) => return Err(at_include(format!("cannot read {path}: {err:#}"))),
    };
    if !out.files.iter().any(|f| f.path == path) {
        out.files.push(SourceFile {
            path: path.to_string(),
            sha256: crate::fingerprint::sha256(&bytes),
        });
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    stack.push(path.to_string());
    for (line_no, line) in logical_lines(text) {
        match parse_line(&line) {
            Statement::Nothing => {}
            Statement::Include(include_kind, target) => {
                if target.contains("://") {
                    out.warnings.push(Warning {
                        file: path.to_string(),
                        line: line_no,
                        message: format!("cannot follow an include by URL ({target}); it is identified by its URL"),
                    });
                    out.entries.push(Entry {
                        id: PackageId::Text(target),
                        extras: BTreeSet::new(),
                        marker: None,
                        file: path.to_string(),
                        line: line_no,
                    });
                    continue;
                }
                let resolved = resolve(path, &target).ok_or_else(|| Error {
                    file: path.to_string(),
                    line: line_no,
                    message: format!(
                        "includes {target}, which is outside the repository; pip on the server cannot read it"
                    ),
                })?;
                let child_kind = if kind == Kind::Constraints {
                    Kind::Constraints
                } else {
                    include_kind
                };
                read_file(
                    &resolved,
                    Some(IncludedFrom {
                        file: path,
                        line: line_no,
                    }),
                    child_kind,
                    read,
                    stack,
                    out,
                )?;
            }
            Statement::Requirement(entry) => {
                if kind == Kind::Requirements {
                    out.entries.push(Entry {
                        file: path.to_string(),
                        line: line_no,
                        ..entry
                    });
                }
            }
            Statement::Unreadable(message) => {
                if kind == Kind::Requirements {
                    out.warnings.push(Warning {
                        file: path.to_string(),
                        line: line_no,
                        message: format!("{message}; identified by its text"),
                    });
                    out.entries.push(Entry {
                        id: PackageId::Text(line.trim().to_string()),
                        extras: BTreeSet::new(),
                        marker: None,
                        file: path.to_string(),
                        line: line_no,
                    });
                }
            }
        }
    }
    stack.pop();
    Ok(())
}

/// Joins `\` continuations and strips comments, giving each logical line
/// with the number of the physical line it starts on.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (start, mut acc) = current.take().unwrap_or((index + 1, String::new()));
        // pip never joins a comment line onto the one before.
        let is_comment = raw.trim_start().starts_with('#');
        if let Some(body) = raw.strip_suffix('\\').filter(|_| !is_comment) {
            acc.push_str(body);
            current = Some((start, acc));
            continue;
        }
        acc.push_str(raw);
        out.push((start, strip_comment(&acc).to_string()));
    }
    if let Some((start, acc)) = current {
        out.push((start, strip_comment(&acc).to_string()));
    }
    out
}

/// pip strips `(^|\s+)#.*$`: a `#` only starts a comment at the start of the
/// line or after whitespace, so `url#egg=name` keeps its fragment.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return line[..i].trim_end();
        }
    }
    line
}

enum Statement {
    Nothing,
    Include(Kind, String),
    Requirement(Entry),
    Unreadable(String),
}

fn parse_line(line: &str) -> Statement {
    let line = line.trim();
    if line.is_empty() {
        return Statement::Nothing;
    }
    if line.starts_with('-') {
        return parse_option_line(line);
    }
    // Per-requirement options start at the first token beginning with `-`.
    let requirement = match line.find(" -").or_else(|| line.find("\t-")) {
        Some(at) => line[..at].trim(),
        None => line,
    };
    parse_requirement(requirement)
}

fn parse_option_line(line: &str) -> Statement {
    let (option, value) = split_option(line);
    match option {
        "-r" | "--requirement" => Statement::Include(Kind::Requirements, value.to_string()),
        "-c" | "--constraint" => Statement::Include(Kind::Constraints, value.to_string()),
        "-e" | "--editable" => parse_requirement(value),
        _ => Statement::Nothing,
    }
}

/// Splits `-r file`, `-rfile`, `--requirement=file` into option and value.
fn split_option(line: &str) -> (&str, &str) {
    if let Some(long) = line.strip_prefix("--") {
        let end = long
            .find(|c: char| c == '=' || c.is_whitespace())
            .map_or(line.len(), |i| i + 2);
        let value = line[end..].trim_start_matches('=').trim();
        return (&line[..end], value);
    }
    let end = 2.min(line.len());
    (&line[..end], line[end..].trim())
}

fn parse_requirement(text: &str) -> Statement {
    let text = text.trim();
    if text.is_empty() {
        return Statement::Nothing;
    }
    if let Some(name) = egg_name(text) {
        return Statement::Requirement(entry(PackageId::Name(name), BTreeSet::new(), None));
    }
    if looks_like_url_or_path(text) {
        return Statement::Requirement(entry(PackageId::Text(text.to_string()), BTreeSet::new(), None));
    }
    match pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(text) {
        Ok(req) => {
            let extras = req.extras.iter().map(|e| e.to_string()).collect();
            let marker = (!req.marker.is_true()).then_some(req.marker);
            Statement::Requirement(entry(
                PackageId::Name(CanonicalName::new(req.name.as_ref())),
                extras,
                marker,
            ))
        }
        Err(err) => Statement::Unreadable(format!("cannot read this requirement ({})", first_line(&err.to_string()))),
    }
}

fn entry(id: PackageId, extras: BTreeSet<String>, marker: Option<MarkerTree>) -> Entry {
    Entry {
        id,
        extras,
        marker,
        file: String::new(),
        line: 0,
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn looks_like_url_or_path(text: &str) -> bool {
    text.contains("://")
        || text.starts_with("git+")
        || text.starts_with('.')
        || text.starts_with('/')
        || text.ends_with(".whl")
        || text.ends_with(".tar.gz")
        || text.ends_with(".zip")
}

/// The `#egg=name` fragment of a URL or VCS requirement.
fn egg_name(text: &str) -> Option<CanonicalName> {
    let fragment = text.split_once('#')?.1;
    fragment.split('&').find_map(|part| {
        let name = part.strip_prefix("egg=")?;
        let name = name.split('[').next().unwrap_or(name).trim();
        (!name.is_empty()).then(|| CanonicalName::new(name))
    })
}

/// Resolves an include against the including file's folder; `None` when it
/// leaves the repository.
fn resolve(including: &str, target: &str) -> Option<String> {
    let target = target.replace('\\', "/");
    if target.starts_with('/') || target.get(1..2) == Some(":") {
        return None;
    }
    let mut parts: Vec<&str> = including.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Marker environments for the target. With no runtime known, markers are
/// evaluated for every CPython 3 minor version still deployed, and a package
/// counts as present when any of them installs it.
fn marker_environments(target: &Target) -> Vec<MarkerEnvironment> {
    let runtimes: Vec<Runtime> = match &target.python {
        Some(runtime) => vec![runtime.clone()],
        None => (6..=14).map(|minor| Runtime::new(3, minor, None)).collect(),
    };
    let (os_name, sys_platform, platform_system, platform_machine) = match target.platform {
        Platform::Windows => ("nt", "win32", "Windows", "AMD64"),
        Platform::Linux => ("posix", "linux", "Linux", "x86_64"),
    };
    runtimes
        .iter()
        .filter_map(|runtime| {
            let full = runtime.python_full_version();
            let short = runtime.python_version();
            MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
                implementation_name: "cpython",
                implementation_version: &full,
                os_name,
                platform_machine,
                platform_python_implementation: "CPython",
                platform_release: "",
                platform_system,
                platform_version: "",
                python_full_version: &full,
                python_version: &short,
                sys_platform,
            })
            .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_map(files: &[(&str, &str)]) -> Result<Requirements, Error> {
        let map: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect();
        parse(files[0].0, &mut |path: &str| Ok(map.get(path).cloned()))
    }

    fn names(files: &[(&str, &str)], target: &Target) -> Vec<String> {
        parse_map(files)
            .unwrap()
            .packages(target)
            .into_iter()
            .map(|(id, extras)| {
                if extras.is_empty() {
                    id.to_string()
                } else {
                    format!("{id}[{}]", extras.into_iter().collect::<Vec<_>>().join(","))
                }
            })
            .collect()
    }

    fn linux(python: &str) -> Target {
        Target {
            platform: Platform::Linux,
            python: Runtime::parse(python),
        }
    }

    #[test]
    fn canonical_names() {
        for spelling in ["Flask_Cors", "flask.cors", "flask-cors", "FLASK__cors", "flask-_.cors"] {
            assert_eq!(CanonicalName::new(spelling).as_str(), "flask-cors");
        }
    }

    #[test]
    fn common_forms() {
        let text = "# top\nFlask==3.0 # web\nrequests[socks,security]>=2 \\\n  --hash=sha256:abc\n\n--index-url https://example.invalid/simple\n-e git+https://example.invalid/x.git#egg=My_Pkg\nhttps://example.invalid/thing.zip\nbad line here\nwinonly; sys_platform == 'win32'\n";
        let got = names(&[("requirements.txt", text)], &linux("python-3.11"));
        assert_eq!(
            got,
            [
                "flask",
                "my-pkg",
                "requests[security,socks]",
                "bad line here",
                "https://example.invalid/thing.zip"
            ]
        );
    }

    #[test]
    fn includes_relative_to_including_file() {
        let files = [
            ("app/requirements.txt", "-r req/base.txt\n-c req/constraints.txt\nflask\n"),
            ("app/req/base.txt", "--requirement=../shared.txt\nattrs\n"),
            ("app/shared.txt", "six\n"),
            ("app/req/constraints.txt", "urllib3<2\n"),
        ];
        let got = names(&files, &linux("python-3.11"));
        assert_eq!(got, ["attrs", "flask", "six"]);
        let parsed = parse_map(&files).unwrap();
        let read: Vec<_> = parsed.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            read,
            [
                "app/requirements.txt",
                "app/req/base.txt",
                "app/shared.txt",
                "app/req/constraints.txt"
            ]
        );
    }

    #[test]
    fn include_errors_name_file_and_line() {
        let err = parse_map(&[("requirements.txt", "flask\n-r missing.txt\n")]).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("requirements.txt", 2));
        let err = parse_map(&[("requirements.txt", "-r ../outside.txt\n")]).unwrap_err();
        assert!(err.message.contains("outside"), "{err}");
        let err = parse_map(&[("a.txt", "-r b.txt\n"), ("b.txt", "-r a.txt\n")]).unwrap_err();
        assert!(err.message.contains("a.txt -> b.txt -> a.txt"), "{err}");
        assert!(parse_map(&[("a.txt", "-r b.txt\n-r b.txt\n"), ("b.txt", "x\n")]).is_ok());
    }

    #[test]
    fn markers_follow_the_target() {
        let text = "a; python_version < '3.12'\nb; sys_platform == 'win32'\nc; python_version >= '3.12'\n";
        assert_eq!(names(&[("r.txt", text)], &linux("python-3.11")), ["a"]);
        let windows = Target {
            platform: Platform::Windows,
            python: Runtime::parse("python-3.12"),
        };
        assert_eq!(names(&[("r.txt", text)], &windows), ["b", "c"]);
        // Unknown runtime: present if any supported version installs it.
        assert_eq!(
            names(&[("r.txt", text)], &Target { platform: Platform::Linux, python: None }),
            ["a", "c"]
        );
    }
}
