//! `envguard.toml`, the app's `.deployment`, and the defaults they override.
//!
//! The hook reads both files from the commit being pushed, so a team shares
//! one policy; other commands read them from HEAD. Everything here works on
//! bytes: finding the files is the caller's job.

use serde::Deserialize;

use crate::deployment::{Deployment, DeploymentError, DEPLOYMENT_PATH};
use crate::names::CanonicalName;
use crate::platform::{Platform, Runtime};
use crate::requirements::{ReadFile, ReaderError};

/// The config file's path, relative to the repository root.
pub const CONFIG_PATH: &str = "envguard.toml";

/// The remote name envguard acts on when `remotes` is not set.
pub const DEFAULT_REMOTE: &str = "azure";
/// Host suffixes of App Service's deployment (scm) endpoints.
pub const AZURE_HOST_SUFFIXES: [&str; 4] = [
    "azurewebsites.net",
    "azurewebsites.us",
    "chinacloudsites.cn",
    "appserviceenvironment.net",
];
/// The remote branches that deploy when `branches` is not set.
pub const DEFAULT_BRANCHES: [&str; 2] = ["master", "main"];
pub const DEFAULT_REQUIREMENTS: &str = "requirements.txt";
pub const DEFAULT_RUNTIME: &str = "runtime.txt";

/// What to do when a push would deploy with packages removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnRemoval {
    /// Commit a force-clean marker and stop the push.
    Commit,
    /// Stop the push; the user runs `envguard --reset`.
    Block,
    /// Let the push go on with a warning.
    Warn,
}

/// `envguard.toml` as written; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    remotes: Option<Vec<String>>,
    branches: Option<Vec<String>>,
    requirements: Option<String>,
    runtime: Option<String>,
    on_removal: Option<OnRemoval>,
    target: Option<Platform>,
    keep: Option<Vec<toml::Spanned<String>>>,
    #[serde(default, deserialize_with = "site_python")]
    python: Option<Runtime>,
}

/// `python = "X.Y"`, checked where it is read so that the error names its line.
fn site_python<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Runtime>, D::Error> {
    let value = toml::Value::deserialize(d)?;
    value
        .as_str()
        .and_then(Runtime::from_site_version)
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`python` takes the site's Python version as \"X.Y\" (python = \"3.11\"), not {value}"
            ))
        })
}

/// The settings in force, defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `None`: the default rule (a remote named `azure`, or an Azure scm URL).
    pub remotes: Option<Vec<String>>,
    pub branches: Vec<String>,
    pub requirements: String,
    pub runtime: String,
    pub on_removal: OnRemoval,
    pub target: Platform,
    /// Packages installed on purpose outside the requirements: the
    /// server's leftovers check never counts them (it reads this key from
    /// envguard.toml itself); the hook names them in its messages.
    pub keep: Vec<CanonicalName>,
    /// The site's Python when the commit has no runtime.txt.
    pub python: Option<Runtime>,
}

/// A problem in `envguard.toml`, placed at a line.
#[derive(Debug)]
pub struct ConfigError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{CONFIG_PATH}:{}: {}", self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Why the settings a commit carries cannot be read.
#[derive(Debug)]
pub enum ReadError {
    /// The caller's reader failed.
    Reader(ReaderError),
    /// `.deployment` reads differently to Kudu ([`Deployment::parse`]).
    Deployment(DeploymentError),
    /// `envguard.toml` is not valid.
    Config(ConfigError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Reader(error) => std::fmt::Display::fmt(error, f),
            ReadError::Deployment(error) => std::fmt::Display::fmt(error, f),
            ReadError::Config(error) => std::fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Reader(error) => std::error::Error::source(error),
            ReadError::Deployment(_) | ReadError::Config(_) => None,
        }
    }
}

impl From<ReaderError> for ReadError {
    fn from(error: ReaderError) -> ReadError {
        ReadError::Reader(error)
    }
}

impl From<DeploymentError> for ReadError {
    fn from(error: DeploymentError) -> ReadError {
        ReadError::Deployment(error)
    }
}

impl From<ConfigError> for ReadError {
    fn from(error: ConfigError) -> ReadError {
        ReadError::Config(error)
    }
}

impl Config {
    /// Reads the settings a commit carries, `envguard.toml` and
    /// `.deployment`, through `read`. A `.deployment` Kudu would read
    /// differently from envguard is an error too ([`Deployment::parse`]).
    pub fn read(read: &mut ReadFile<'_>) -> Result<Config, ReadError> {
        let config = read(CONFIG_PATH)?;
        let deployment = read(DEPLOYMENT_PATH)?
            .map(|bytes| Deployment::parse(&bytes))
            .transpose()?;
        Ok(Config::from_files(config.as_deref(), deployment.as_ref())?)
    }

    /// Builds the settings from `envguard.toml`'s bytes and the parsed
    /// `.deployment`, either possibly absent.
    pub fn from_files(
        config: Option<&[u8]>,
        deployment: Option<&Deployment>,
    ) -> Result<Config, ConfigError> {
        let (file, keep) = match config {
            Some(bytes) => {
                let file = parse_file(bytes)?;
                let keep = keep_names(bytes, file.keep.as_deref().unwrap_or_default())?;
                (file, keep)
            }
            None => (ConfigFile::default(), Vec::new()),
        };
        let deployment = deployment.cloned().unwrap_or_default();
        let prefix = deployment.project_prefix();
        let target = file.target.unwrap_or_else(|| deployment.target());
        let key = match config {
            Some(bytes) => requirements_key(bytes, file.requirements.as_deref())?,
            None => None,
        };
        let requirements = match key {
            Some(key) => requirements_path(&key, &prefix, target)?,
            None => format!("{prefix}{DEFAULT_REQUIREMENTS}"),
        };
        Ok(Config {
            remotes: file.remotes,
            branches: file
                .branches
                .unwrap_or_else(|| DEFAULT_BRANCHES.iter().map(|b| b.to_string()).collect()),
            requirements,
            runtime: file
                .runtime
                .unwrap_or_else(|| format!("{prefix}{DEFAULT_RUNTIME}")),
            on_removal: file.on_removal.unwrap_or(OnRemoval::Commit),
            target,
            keep,
            python: file.python,
        })
    }

    /// Whether a push to this remote deploys: by name, or by URL pattern.
    pub fn matches_remote(&self, name: &str, url: &str) -> bool {
        match &self.remotes {
            None => name == DEFAULT_REMOTE || is_azure_scm_url(url),
            Some(patterns) => patterns.iter().any(|pattern| {
                if pattern.contains('*') {
                    glob_match(pattern, url)
                } else {
                    pattern == name
                }
            }),
        }
    }

    /// The deploying branch a remote ref names (`refs/heads/main` → `main`).
    pub fn deploying_branch<'a>(&self, remote_ref: &'a str) -> Option<&'a str> {
        let branch = remote_ref.strip_prefix("refs/heads/")?;
        self.branches.iter().any(|b| b == branch).then_some(branch)
    }
}

fn parse_file(bytes: &[u8]) -> Result<ConfigFile, ConfigError> {
    let text = std::str::from_utf8(bytes).map_err(|err| ConfigError {
        line: line_of(bytes, err.valid_up_to()),
        message: "is not UTF-8; save it as UTF-8".to_string(),
    })?;
    let text = text.trim_start_matches('\u{feff}');
    toml::from_str(text).map_err(|err| ConfigError {
        line: err
            .span()
            .map_or(1, |span| line_of(text.as_bytes(), span.start)),
        message: format!("{}; fix it (keys: {KEYS})", err.message().trim_end()),
    })
}

/// `requirements` as written: its value and its line.
#[derive(Debug, PartialEq, Eq)]
pub struct RequirementsKey {
    pub line: usize,
    pub value: String,
}

/// What the requirements reader refuses, after `envguard.toml:<line>: `.
const KEY_FORM: &str = "deploy.sh reads the requirements file only as one line before any \
     [table]: requirements = \"path/from/the/repository/root.txt\" (or 'path'), the key without \
     quotes or dots, the value a one-line string without escapes";

/// envguard.toml's `requirements` as `deploy.sh` reads it, without a TOML
/// parser (its `read_requirements_key`, line for line; every case in
/// `tests/data/requirements_key.tsv`, which both sides' tests read): one
/// line `requirements = "…"` (a basic string without escapes) or `= '…'` (a
/// literal string), before any `[table]`, after a UTF-8 BOM and a trailing
/// CR are dropped. A quoted or dotted key, any other line naming
/// `requirements` before its `=`, a multi-line string, a second key, NUL
/// bytes or bytes that are not UTF-8 are refused. Comparing with what TOML
/// read (`toml_value`) refuses what the server would read differently (a
/// line inside a multi-line string, say): so the hook judges exactly the
/// file the server installs.
pub fn requirements_key(
    bytes: &[u8],
    toml_value: Option<&str>,
) -> Result<Option<RequirementsKey>, ConfigError> {
    let refuse = |line: usize, what: &str| ConfigError {
        line,
        message: format!("{what}; {KEY_FORM}"),
    };
    if bytes.contains(&0) {
        return Err(ConfigError {
            line: 1,
            message: "holds NUL bytes (UTF-16?); save it as UTF-8".to_string(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|err| ConfigError {
        line: line_of(bytes, err.valid_up_to()),
        message: "is not UTF-8; save it as UTF-8".to_string(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found: Option<RequirementsKey> = None;
    let mut table = false;
    for (index, line) in text.split('\n').enumerate() {
        let n = index + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim_start_matches(blank);
        if body.starts_with('#') {
            continue;
        }
        if line.contains("\"\"\"") || line.contains("'''") {
            return Err(refuse(n, "a multi-line string"));
        }
        if body.starts_with('[') {
            table = true;
        } else if let Some(rest) = key_start(body) {
            if table {
                return Err(refuse(n, "requirements inside a table"));
            }
            if let Some(first) = &found {
                let what = format!(
                    "a second requirements key (the first is on line {})",
                    first.line
                );
                return Err(refuse(n, &what));
            }
            let value = key_value(rest).ok_or_else(|| {
                refuse(
                    n,
                    "the value of requirements is not a one-line string without escapes",
                )
            })?;
            if value.is_empty() {
                return Err(refuse(n, "requirements is empty"));
            }
            found = Some(RequirementsKey {
                line: n,
                value: value.to_string(),
            });
        } else if let Some((before, _)) = line.split_once('=') {
            if before.to_ascii_lowercase().contains("requirements")
                || quoted_key(body)
                || dotted_key(body)
            {
                return Err(refuse(
                    n,
                    "a quoted or dotted key, or one that names requirements otherwise",
                ));
            }
        }
    }
    match (&found, toml_value) {
        (None, None) => Ok(None),
        (Some(key), Some(value)) if key.value == value => Ok(found),
        (Some(key), _) => Err(refuse(
            key.line,
            "deploy.sh reads requirements from this line, which TOML reads otherwise \
             (inside a string?)",
        )),
        (None, Some(_)) => Err(refuse(
            1,
            "requirements is set in a form deploy.sh does not read",
        )),
    }
}

fn blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// After `requirements`, blanks and `=`: the rest of the line.
fn key_start(body: &str) -> Option<&str> {
    body.strip_prefix("requirements")?
        .trim_start_matches(blank)
        .strip_prefix('=')
}

/// `"…"` or `'…'`, then blanks, then nothing or a comment: the string.
fn key_value(rest: &str) -> Option<&str> {
    let rest = rest.trim_start_matches(blank);
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let inner = &rest[1..];
    let end = inner.find(quote)?;
    let value = &inner[..end];
    let bad = |c: char| c.is_ascii_control() || (quote == '"' && c == '\\');
    let after = inner[end + 1..].trim_start_matches(blank);
    (!value.contains(bad) && (after.is_empty() || after.starts_with('#'))).then_some(value)
}

/// A quoted key (or the quoted first part of a dotted one): `"…"` with
/// backslash escapes, or `'…'`, then blanks, then `.` or `=`.
fn quoted_key(body: &str) -> bool {
    let rest = if let Some(inner) = body.strip_prefix('"') {
        let mut escaped = false;
        let end = inner.char_indices().find_map(|(at, c)| {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return Some(at),
                _ => {}
            }
            None
        });
        match end {
            Some(at) => &inner[at + 1..],
            None => return false,
        }
    } else if let Some(inner) = body.strip_prefix('\'') {
        match inner.split_once('\'') {
            Some((_, rest)) => rest,
            None => return false,
        }
    } else {
        return false;
    };
    rest.trim_start_matches(blank).starts_with(['.', '='])
}

/// A bare key followed by `.`: the start of a dotted key.
fn dotted_key(body: &str) -> bool {
    let rest = body.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    rest.len() < body.len() && rest.trim_start_matches(blank).starts_with('.')
}

/// A path's components without empty ones and `.`, joined by `/`; `None`
/// for an absolute path, `..`, `\` or a control character (deploy.sh's
/// `clean_path`).
pub fn clean_path(path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains('\\') || path.contains(|c: char| c.is_ascii_control())
    {
        return None;
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The requirements file both sides install, from the key: relative to the
/// repository root, inside the app folder (`.deployment`'s `project`, given
/// as its prefix). A Windows site runs deploy.cmd, which cannot read TOML
/// and installs the default: there the key may only name that.
fn requirements_path(
    key: &RequirementsKey,
    prefix: &str,
    target: Platform,
) -> Result<String, ConfigError> {
    let error = |message: String| ConfigError {
        line: key.line,
        message,
    };
    let value = &key.value;
    let path = clean_path(value).filter(|p| !p.is_empty()).ok_or_else(|| {
        error(format!(
            "requirements = \"{value}\" must be a path relative to the repository root, '/' \
                 between folders, without '..'"
        ))
    })?;
    let project = clean_path(prefix).unwrap_or_else(|| prefix.to_string());
    let inside = if project.is_empty() {
        Some(path.as_str())
    } else {
        path.strip_prefix(&project)
            .and_then(|p| p.strip_prefix('/'))
    };
    if inside.is_none() {
        return Err(error(format!(
            "requirements = \"{value}\" is not inside the app folder {project} (.deployment's \
             project), where the server installs from: move the file there, or fix the path"
        )));
    }
    let default = match project.as_str() {
        "" => DEFAULT_REQUIREMENTS.to_string(),
        project => format!("{project}/{DEFAULT_REQUIREMENTS}"),
    };
    if target == Platform::Windows && path != default {
        return Err(error(format!(
            "requirements = \"{value}\": a Windows site runs deploy.cmd, which cannot read \
             envguard.toml and installs {default}; remove the key (or set target = \"linux\" if \
             the site runs deploy.sh)"
        )));
    }
    Ok(path)
}

/// The keys envguard.toml may have, for messages.
const KEYS: &str = "remotes, branches, requirements, runtime, on_removal, target, python, keep";

/// `keep`'s entries as canonical names; each must be a valid project name
/// (PEP 508: letters and digits at both ends, `-`, `_`, `.` inside), since
/// an entry that can name no package would silently keep nothing.
fn keep_names(
    bytes: &[u8],
    entries: &[toml::Spanned<String>],
) -> Result<Vec<CanonicalName>, ConfigError> {
    // Spans count from the text after a byte order mark.
    let offset = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry.get_ref().as_str();
        let valid = name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(ConfigError {
                line: line_of(bytes, entry.span().start + offset),
                message: format!(
                    "`keep` lists {name:?}, which is not a package name (letters, digits, `-`, `_`, `.`; \
                     no versions or extras); fix it"
                ),
            });
        }
        let canonical = CanonicalName::new(name);
        if !names.contains(&canonical) {
            names.push(canonical);
        }
    }
    Ok(names)
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// An App Service deployment URL: a host with an `scm` label under one of
/// Azure's domains (`app.scm.azurewebsites.net`,
/// `app-hash.scm.region.azurewebsites.net`).
pub fn is_azure_scm_url(url: &str) -> bool {
    let Some(host) = url_host(url) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    host.split('.').any(|label| label == "scm")
        && AZURE_HOST_SUFFIXES.iter().any(|suffix| {
            host.strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('.'))
        })
}

/// The host of `scheme://[user@]host[:port]/…` or scp-like `[user@]host:path`.
fn url_host(url: &str) -> Option<&str> {
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest,
        None if url.contains(':') && !url.starts_with('/') => url,
        None => return None,
    };
    let authority = rest.split('/').next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, ConfigError> {
        Config::from_files(Some(text.as_bytes()), None)
    }

    #[test]
    fn defaults() {
        let c = Config::from_files(None, None).unwrap();
        assert_eq!(c.branches, ["master", "main"]);
        assert_eq!(c.requirements, "requirements.txt");
        assert_eq!(c.runtime, "runtime.txt");
        assert_eq!(c.on_removal, OnRemoval::Commit);
        assert_eq!(c.target, Platform::Linux);
        assert!(c.matches_remote("azure", "/tmp/x.git"));
        assert!(!c.matches_remote("origin", "git@example.invalid:me/app.git"));
        assert_eq!(c.deploying_branch("refs/heads/main"), Some("main"));
        assert_eq!(c.deploying_branch("refs/heads/dev"), None);
        assert_eq!(c.deploying_branch("refs/tags/main"), None);
    }

    #[test]
    fn azure_urls_by_host() {
        for url in [
            "https://app.scm.azurewebsites.net:443/app.git",
            "https://$app@app.scm.azurewebsites.net/app.git",
            "https://app-abc123.scm.westeurope-01.azurewebsites.net/app.git",
            "https://app.scm.azurewebsites.us/app.git",
            "https://app.scm.chinacloudsites.cn/app.git",
            "https://app.scm.myase.appserviceenvironment.net/app.git",
            "deploy@app.scm.azurewebsites.net:app.git",
        ] {
            assert!(is_azure_scm_url(url), "{url}");
        }
        for url in [
            "https://app.azurewebsites.net/app.git",
            "https://scm.example.invalid/azurewebsites.net",
            "https://app.scm.notazurewebsites.net/x.git",
            "/srv/scm.azurewebsites.net",
            "app.scm.azurewebsites.net/app.git",
            "",
        ] {
            assert!(!is_azure_scm_url(url), "{url}");
        }
    }

    #[test]
    fn configured_remotes_replace_the_default() {
        let c = config("remotes = [\"prod\", \"https://*.example.invalid/*\"]\n").unwrap();
        assert!(c.matches_remote("prod", "/x"));
        assert!(!c.matches_remote("azure", "/x"));
        assert!(c.matches_remote("other", "https://deploy.example.invalid/app.git"));
        assert!(!c.matches_remote("other", "https://deploy.example.invalid"));
    }

    #[test]
    fn glob() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("a*b*c", "abc"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn every_key() {
        let c = config(
            "remotes = [\"prod\"]\nbranches = [\"release\"]\nrequirements = \"req/prod.txt\"\nruntime = \"rt.txt\"\non_removal = \"warn\"\ntarget = \"linux\"\n",
        )
        .unwrap();
        assert_eq!(c.branches, ["release"]);
        assert_eq!(c.requirements, "req/prod.txt");
        assert_eq!(c.runtime, "rt.txt");
        assert_eq!(c.on_removal, OnRemoval::Warn);
        assert_eq!(c.target, Platform::Linux);
    }

    #[test]
    fn the_python_key_is_x_dot_y() {
        let c = config("python = \"3.12\"\n").unwrap();
        assert_eq!(c.python, Some(Runtime::new(3, 12, None)));
        assert_eq!(config("").unwrap().python, None);
        for bad in [
            "\"3\"",
            "3.11",
            "\"python-3.11\"",
            "[\"3.11\"]",
            "\"3.11.4\"",
        ] {
            let err = config(&format!("branches = [\"main\"]\npython = {bad}\n")).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("envguard.toml:2: `python` takes"),
                "{bad}: {text}"
            );
        }
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let err = config("branches = [\"main\"]\nremote = \"prod\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("envguard.toml:2: "), "{text}");
        assert!(text.contains("remote"), "{text}");
        let err = config("on_removal = \"delete\"\n").unwrap_err();
        assert!(err.to_string().contains("envguard.toml:1: "), "{err}");
        assert!(config("[[[").is_err());
        assert!(Config::from_files(Some(b"\xff\xfe"), None).is_err());
    }

    #[test]
    fn deployment_file_sets_project_and_target() {
        let parsed = |bytes: &[u8]| Deployment::parse(bytes).unwrap();
        let d = parsed(b"; comment\n[config]\nPROJECT = src/app/\ncommand = bash deploy.sh\n");
        let c = Config::from_files(None, Some(&d)).unwrap();
        assert_eq!(c.requirements, "src/app/requirements.txt");
        assert_eq!(c.runtime, "src/app/runtime.txt");
        assert_eq!(c.target, Platform::Linux);
        let windows = parsed(b"[config]\ncommand = deploy.cmd\nproject = .\n");
        let c = Config::from_files(None, Some(&windows)).unwrap();
        assert_eq!(c.requirements, "requirements.txt");
        assert_eq!(c.target, Platform::Windows);
        let c = Config::from_files(Some(b"target = \"windows\"\n"), Some(&d)).unwrap();
        assert_eq!(c.target, Platform::Windows);
        let other = parsed(b"[other]\nproject = x\n");
        let c = Config::from_files(None, Some(&other)).unwrap();
        assert_eq!(c.requirements, "requirements.txt");
    }

    #[test]
    fn reading_a_commit_stops_on_a_deployment_kudu_reads_as_unknown() {
        let files = |deployment: &'static [u8]| {
            move |path: &str| -> Result<Option<Vec<u8>>, ReaderError> {
                Ok((path == DEPLOYMENT_PATH).then(|| deployment.to_vec()))
            }
        };
        let c = Config::read(&mut files(b"[ config ]\nproject = src/app\n")).unwrap();
        assert_eq!(c.requirements, "src/app/requirements.txt");
        let err = Config::read(&mut files(b"[config]\nproject = caf\xe9\n")).unwrap_err();
        assert!(err.to_string().starts_with(".deployment:2: "), "{err}");
    }

    #[test]
    fn the_requirements_key_is_checked_where_it_is_read() {
        let err = config("branches = [\"main\"]\nrequirements = \"/srv/req.txt\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("envguard.toml:2: requirements = \"/srv/req.txt\" must be a path relative to the repository root"),
            "{err}"
        );
        // deploy.sh would read the line inside the string; TOML does not.
        let err = config("runtime = \"\"\"\nrequirements = \"a.txt\"\n\"\"\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("envguard.toml:1: a multi-line string;"),
            "{err}"
        );
        let found =
            requirements_key(b"a = 'b'\nrequirements = \"r.txt\"\n", Some("r.txt")).unwrap();
        assert_eq!(
            found,
            Some(RequirementsKey {
                line: 2,
                value: "r.txt".to_string()
            })
        );
        let err = requirements_key(b"requirements = \"r.txt\"\n", Some("other.txt")).unwrap_err();
        assert!(err.message.contains("which TOML reads otherwise"), "{err}");
    }

    #[test]
    fn a_windows_site_installs_only_the_default_requirements() {
        let windows =
            &Deployment::parse(b"[config]\ncommand = deploy.cmd\nproject = app\n").unwrap();
        let err = Config::from_files(
            Some(b"requirements = \"app/req/prod.txt\"\n"),
            Some(windows),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("a Windows site runs deploy.cmd, which cannot read envguard.toml and installs app/requirements.txt"),
            "{err}"
        );
        let c = Config::from_files(
            Some(b"requirements = \"./app/requirements.txt\"\n"),
            Some(windows),
        )
        .unwrap();
        assert_eq!(c.requirements, "app/requirements.txt");
        let err = Config::from_files(
            Some(b"target = \"windows\"\nrequirements = \"r.txt\"\n"),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("envguard.toml:2: "), "{err}");
        let c = Config::from_files(
            Some(b"target = \"linux\"\nrequirements = \"r.txt\"\n"),
            Some(windows),
        );
        assert!(c.is_err(), "r.txt is outside the app folder");
        let c = Config::from_files(
            Some(b"target = \"linux\"\nrequirements = \"app/r.txt\"\n"),
            Some(windows),
        )
        .unwrap();
        assert_eq!(c.requirements, "app/r.txt");
    }

    #[test]
    fn clean_paths() {
        assert_eq!(clean_path("./a//b/./c.txt").as_deref(), Some("a/b/c.txt"));
        assert_eq!(clean_path("a/").as_deref(), Some("a"));
        assert_eq!(clean_path("./").as_deref(), Some(""));
        for bad in ["/a", "a/../b", "..", "a\\b", "a\tb", "a\u{7f}"] {
            assert_eq!(clean_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            clean_path("caf\u{e9}\u{85}").as_deref(),
            Some("caf\u{e9}\u{85}")
        );
    }

    #[test]
    fn keep_lists_canonical_names() {
        let c = config("keep = [\"Flask_Cors\", \"gunicorn\", \"flask.cors\"]\n").unwrap();
        assert_eq!(
            c.keep,
            [
                CanonicalName::new("flask-cors"),
                CanonicalName::new("gunicorn")
            ]
        );
        assert!(Config::from_files(None, None).unwrap().keep.is_empty());
        for bad in ["gunicorn==21.2", "requests[socks]", "-x", ""] {
            let text = format!("branches = [\"main\"]\nkeep = [\n  \"ok\",\n  {bad:?},\n]\n");
            let err = config(&text).unwrap_err().to_string();
            assert!(err.starts_with("envguard.toml:4: `keep` lists"), "{err}");
        }
        let err = config("keep = \"gunicorn\"\n").unwrap_err().to_string();
        assert!(err.starts_with("envguard.toml:1: "), "{err}");
        let err = config("\u{feff}\nkeep = [\"a b\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("envguard.toml:2: "), "{err}");
    }
}
