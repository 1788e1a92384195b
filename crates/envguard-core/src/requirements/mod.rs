//! Reading pip requirements files into the set of packages they install.
//!
//! Files are read through a caller-supplied function ([`ReadFile`]) that
//! returns a file's bytes by repository-relative path, so the same code reads
//! a commit's tree in production and a map in tests: this module never
//! touches the disk or git.
//!
//! The pipeline follows pip's own (`pip/_internal/req/req_file.py` and
//! `req/constructors.py`), step for step, one submodule a step:
//!
//! 1. **Decoding** (`decode`): a byte order mark (UTF-8, UTF-16 and UTF-32,
//!    LE and BE) decides, and bytes invalid for it are an [`Error`]; else a
//!    PEP 263 `coding:` comment in the first two lines (UTF-8, Latin-1,
//!    Windows-1252, ASCII and their Python aliases; an unknown one is a
//!    warning); else UTF-8; else Windows-1252, with a warning. This is
//!    pip 24.2's order, with the locale's encoding taken as Windows-1252.
//! 2. **Lines** (`lines`): Python's `splitlines` (LF, CRLF, lone CR and the
//!    rarer breaks), `\` continuations (comment lines are never joined),
//!    comments by `(^|\s+)#.*$`, blank lines dropped. `${NAME}` references
//!    stay as written: the server's environment decides their value, so
//!    what holds one is identified by its literal text, silently.
//! 3. **Options** (`options`): the requirement ends before the first
//!    space-separated token that starts with `-`; the rest is split like
//!    `shlex.split` and parsed like pip's `optparse` parser, abbreviations
//!    included. Every option some pip version accepts in a file is known:
//!    `-i`/`--index-url`, `--extra-index-url`, `--no-index`,
//!    `-f`/`--find-links`, `--no-binary`, `--only-binary`,
//!    `--prefer-binary`, `--require-hashes`, `--no-require-hashes`, `--pre`,
//!    `--all-releases`, `--only-final`, `--trusted-host`, `--use-feature`,
//!    `-r`, `-c`, `-e`, and per requirement `--hash`,
//!    `-C`/`--config-settings`, `--global-option`, `--install-option`. Only
//!    `-r`, `-c` and `-e` change identity. What pip would refuse (an unknown
//!    option, a missing value, a weak `--hash`) is a warning.
//! 4. **Includes**: `-r`/`--requirement` and `-c`/`--constraint`, paths
//!    relative to the including file inside the commit. A constraints file
//!    adds no packages; like pip, a `-r` inside one reads requirements
//!    again. An include cycle is an [`Error`] naming the chain
//!    (`a.txt -> b.txt -> a.txt`); the same file twice without a cycle is
//!    fine. An include that leaves the repository or is missing from the
//!    commit is an [`Error`] at the including line; one by URL is a
//!    warning and identified by its URL. At most [`MAX_FILES`] includes and
//!    [`MAX_BYTES`] in all.
//! 5. **Requirements** (`requirement`): PEP 508 through `pep508_rs`
//!    (behind `guard`, which keeps inputs that panic it away), `name @ url`,
//!    URLs and `-e` VCS URLs named by `#egg=` or a wheel file name; unnamed
//!    URLs and local paths identified by their normalised text. Names are
//!    PEP 503 canonical, extras PEP 685 canonical.
//! 6. **Markers** ([`Requirements::packages_by_python`], `markers`): judged
//!    for the deployment [`Target`] as CPython on Windows or Linux, for the
//!    site's Python or, when it is unknown, for each candidate on its own; a
//!    requirement counts when its marker may hold there. Values the
//!    repository cannot tell (`platform_machine`, `platform_release`,
//!    `platform_version`, the patch level in `python_full_version`) may be
//!    anything; `extra == …` is false, as pip evaluates a requirements file
//!    with no extras. A marker that cannot be parsed counts as true, with a
//!    warning.
//!
//! A line envguard cannot read is a [`Warning`] and is identified by its
//! text, so removing it still counts as a removal (when in doubt, rebuild).
//! A file stored in Git LFS (the commit holds a pointer to it) cannot be
//! read at all: an [`Error`], whether its packages or only its bytes are
//! wanted.
//!
//! Not supported: following includes by URL; the names of local
//! directories (pip learns them by building the project; their path
//! identifies them here); case-insensitive include paths as on Windows
//! servers (`-r Base.txt` must match the committed name); checking
//! `--use-feature` values. Where pip versions differ, envguard reads a file
//! as the most lenient one does and warns about what newer ones refuse
//! (`#egg=name[extras]`, refused since pip 25).
//!
//! `scripts/pip_compare.py` and `tests/it/requirements_pip.rs` compare all of
//! this with pip itself.

mod decode;
mod guard;
mod lines;
mod markers;
mod options;
mod requirement;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use pep508_rs::MarkerTree;

use crate::names::{PackageId, PackageSet};
use crate::platform::{Runtime, Target};

/// At most this many files are read, counting an include each time it is
/// followed: generous for real projects, and it bounds the work an include
/// tree that repeats itself can cause.
pub const MAX_FILES: usize = 64;

/// At most this many bytes are read over all files (counted per include).
pub const MAX_BYTES: usize = 16 << 20;

/// At most this many warnings are given for one file; one more says how
/// many were left out (a binary file read as requirements would otherwise
/// print a warning for every line, on every push).
pub const MAX_WARNINGS_PER_FILE: usize = 20;

/// One requirement line that names a package (or a URL).
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: PackageId,
    /// Canonical extra names.
    pub extras: BTreeSet<String>,
    /// `None` for "always", or when the line had no readable marker.
    pub marker: Option<MarkerTree>,
    pub file: String,
    pub line: usize,
}

impl Entry {
    /// Whether pip may install this entry on `target` running `python`
    /// (module `markers`: a value the server's interpreter may have counts).
    fn applies(&self, target: &Target, python: &Runtime) -> bool {
        self.marker
            .as_ref()
            .is_none_or(|marker| markers::may_hold(marker, target.platform, python))
    }
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

/// A problem that stops the reading: pip would fail the deployment on it too,
/// or (`read_failed`) a file's bytes cannot be known: the caller's reader
/// could not give them, or the commit holds a Git LFS pointer instead.
/// `line` is 0 when the problem is the file as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub file: String,
    pub line: usize,
    pub message: String,
    /// The reader failed (an unreadable repository, say), or the commit
    /// holds only a pointer to the file (Git LFS), so nothing is known
    /// about the file's contents: never a judgement of them.
    pub read_failed: bool,
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
    /// Every file read (requirements and constraints), in read order, each once.
    pub files: Vec<SourceFile>,
    pub entries: Vec<Entry>,
    pub warnings: Vec<Warning>,
}

/// Why the caller's reader could not give a file's bytes (an unreadable
/// repository, say): the caller's own error, carried through unchanged. It
/// shows as that error does, and its causes are that error's.
#[derive(Debug)]
pub struct ReaderError(Box<dyn std::error::Error + Send + Sync>);

impl ReaderError {
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ReaderError {
        ReaderError(error.into())
    }
}

impl fmt::Display for ReaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ReaderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// How a file is read: by repository-relative path (`/`-separated), giving
/// `Ok(None)` when the file does not exist.
pub type ReadFile<'a> = dyn FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError> + 'a;

impl Requirements {
    /// The packages pip would install on `target`, for each Python it may
    /// run ([`Target::pythons`]): entries whose marker cannot hold there
    /// are left out; one whose marker may hold on a value envguard cannot
    /// know (`platform_release`, …) counts as present (when in doubt,
    /// rebuild).
    pub fn packages_by_python(&self, target: &Target) -> Vec<(Runtime, PackageSet)> {
        target
            .pythons()
            .into_iter()
            .map(|python| {
                let mut set = PackageSet::new();
                for entry in &self.entries {
                    if entry.applies(target, &python) {
                        set.entry(entry.id.clone())
                            .or_default()
                            .extend(entry.extras.iter().cloned());
                    }
                }
                (python, set)
            })
            .collect()
    }

    /// The packages pip would install on `target` on any Python it may run.
    pub fn packages(&self, target: &Target) -> PackageSet {
        union(self.packages_by_python(target).iter().map(|(_, set)| set))
    }
}

/// Every package (and extra) of the sets.
pub fn union<'s>(sets: impl Iterator<Item = &'s PackageSet>) -> PackageSet {
    let mut all = PackageSet::new();
    for set in sets {
        for (id, extras) in set {
            all.entry(id.clone())
                .or_default()
                .extend(extras.iter().cloned());
        }
    }
    all
}

impl Requirements {
    /// The file each package [`packages`](Requirements::packages) installs
    /// is listed in (the first such file), so a message can name the file
    /// a removal happened in.
    pub fn origins(&self, target: &Target) -> BTreeMap<PackageId, String> {
        let pythons = target.pythons();
        let mut origins = BTreeMap::new();
        for entry in &self.entries {
            if pythons.iter().any(|python| entry.applies(target, python)) {
                origins
                    .entry(entry.id.clone())
                    .or_insert_with(|| entry.file.clone());
            }
        }
        origins
    }
}

/// Reads `path` and everything it includes. A missing `path` gives an
/// empty result (no files read); a missing include is an [`Error`].
pub fn parse(path: &str, read: &mut ReadFile<'_>) -> Result<Requirements, Error> {
    walk(path, read, true)
}

/// The files [`parse`] would read, and nothing else: includes are followed
/// by the same rules, but requirement lines are not parsed. It is what the
/// hook's "nothing changed" fast path needs, at a fraction of the cost.
pub fn sources(path: &str, read: &mut ReadFile<'_>) -> Result<Vec<SourceFile>, Error> {
    Ok(walk(path, read, false)?.files)
}

fn walk(path: &str, read: &mut ReadFile<'_>, requirements: bool) -> Result<Requirements, Error> {
    let mut walker = Walker {
        read,
        out: Requirements::default(),
        stack: Vec::new(),
        files_read: 0,
        bytes_read: 0,
        requirements,
    };
    walker.file(path, None, Kind::Requirements)?;
    Ok(walker.out)
}

/// Whether a file's requirements are installed or only constrain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Requirements,
    Constraints,
}

/// What one logical line says.
#[derive(Debug)]
enum Statement {
    /// Options only (or nothing envguard needs).
    Nothing,
    Include(Kind, String),
    Requirement(requirement::Parsed),
    /// A line envguard cannot read, identified by this text.
    Unreadable(String),
}

/// Reads one logical line into a statement and what to warn about. Which
/// part wins follows pip's `ParsedLine` and `_parse_and_recurse`: a
/// requirement, else the first `-e`, else the first `-r`, else the first `-c`.
/// Without `requirements`, requirement and `-e` lines are passed over unread.
fn statement(text: &str, requirements: bool) -> (Statement, Vec<String>) {
    // Without requirements, only a line whose requirement part is empty can
    // include: `break_args_options` leaves it empty exactly when the text
    // (trimmed by `logical_lines`) starts with `-`. Any other line is passed
    // over before it is split.
    let may_include = text.starts_with('-');
    if !(requirements || may_include) {
        return (Statement::Nothing, Vec::new());
    }
    let mut warnings = Vec::new();
    let (args, options) = lines::break_args_options(text);
    let options = match options::parse(&options) {
        Ok(options) => options,
        Err(why) => {
            warnings.push(format!("{why}; pip would refuse this line"));
            if args.is_empty() {
                return (Statement::Unreadable(text.to_string()), warnings);
            }
            options::LineOptions::default()
        }
    };
    for spelling in &options.obsolete {
        warnings.push(format!(
            "`{spelling}` is an option of old pips that pip no longer knows (it names no package); \
             today's pip refuses this line, so delete the option"
        ));
    }
    let mut ignore = |what: &str, values: &[String]| {
        if !values.is_empty() {
            warnings.push(format!(
                "pip ignores {what} `{}` on this line",
                values.join(" ")
            ));
        }
    };
    let statement = if !requirements && (!args.is_empty() || !options.editables.is_empty()) {
        (Statement::Nothing, None)
    } else if !args.is_empty() {
        ignore("the include", &options.requirements);
        ignore("the constraint", &options.constraints);
        ignore("the editable", &options.editables);
        read_requirement(requirement::requirement(&args), &args)
    } else if let Some((first, rest)) = options.editables.split_first() {
        ignore("the further editable", rest);
        ignore("the include", &options.requirements);
        ignore("the constraint", &options.constraints);
        read_requirement(requirement::editable(first), first)
    } else if let Some((first, rest)) = options.requirements.split_first() {
        ignore("the further include", rest);
        ignore("the constraint", &options.constraints);
        (Statement::Include(Kind::Requirements, first.clone()), None)
    } else if let Some((first, rest)) = options.constraints.split_first() {
        ignore("the further constraint", rest);
        (Statement::Include(Kind::Constraints, first.clone()), None)
    } else {
        (Statement::Nothing, None)
    };
    // optparse sets words that are no option's value aside, and pip drops them.
    ignore("the word", &options.ignored);
    let (statement, warning) = statement;
    warnings.extend(warning);
    (statement, warnings)
}

/// A requirement, or the text that identifies it when it cannot be read,
/// with what to warn about.
fn read_requirement(
    parsed: Result<requirement::Parsed, String>,
    text: &str,
) -> (Statement, Option<String>) {
    match parsed {
        Ok(mut parsed) => {
            let warning = parsed.warning.take();
            (Statement::Requirement(parsed), warning)
        }
        // The server's environment decides what `${NAME}` is: the text
        // identifies the line, silently (docs/removals.md, "Lines envguard
        // cannot read").
        Err(_) if lines::has_env_reference(text) => (Statement::Unreadable(text.to_string()), None),
        Err(why) => (
            Statement::Unreadable(text.to_string()),
            Some(format!("{why}; envguard identifies it by its text")),
        ),
    }
}

/// The object id a Git LFS pointer names, when `bytes` are one: the
/// git-lfs spec (`docs/spec.md` in git-lfs/git-lfs) writes a pointer as
/// `key value` lines, `version https://git-lfs.github.com/spec/v1` first
/// (`https://hawser.github.com/spec/v1` in the oldest pointers), then `oid
/// sha256:<hex>` and `size <bytes>`, in under 1024 bytes.
fn lfs_pointer(bytes: &[u8]) -> Option<&str> {
    if bytes.len() >= 1024 {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    let version = lines.next()?.strip_prefix("version ")?;
    if !matches!(
        version,
        "https://git-lfs.github.com/spec/v1" | "https://hawser.github.com/spec/v1"
    ) {
        return None;
    }
    let mut oid = None;
    let mut size = false;
    for line in lines {
        if let Some(value) = line.strip_prefix("oid ") {
            oid = Some(value);
        } else if line
            .strip_prefix("size ")
            .is_some_and(|n| n.parse::<u64>().is_ok())
        {
            size = true;
        }
    }
    oid.filter(|_| size)
}

/// Walks a file and its includes, depth first, in pip's order.
struct Walker<'r, 'a> {
    read: &'r mut ReadFile<'a>,
    out: Requirements,
    /// The chain of files being read, for cycles.
    stack: Vec<String>,
    files_read: usize,
    bytes_read: usize,
    /// Whether to read requirement lines, or only follow includes.
    requirements: bool,
}

/// Where an include was named.
#[derive(Clone, Copy)]
struct Place<'p> {
    file: &'p str,
    line: usize,
}

impl Place<'_> {
    fn error(self, message: String) -> Error {
        Error {
            file: self.file.to_string(),
            line: self.line,
            message,
            read_failed: false,
        }
    }
}

impl Walker<'_, '_> {
    fn file(&mut self, path: &str, from: Option<Place<'_>>, kind: Kind) -> Result<(), Error> {
        let at_include = |message: String| match from {
            Some(place) => place.error(message),
            None => Place {
                file: path,
                line: 0,
            }
            .error(message),
        };
        if self.stack.iter().any(|p| p == path) {
            let mut chain = self.stack.clone();
            chain.push(path.to_string());
            return Err(at_include(format!(
                "include cycle: {}; pip cannot install it, so remove one of these includes",
                chain.join(" -> ")
            )));
        }
        self.files_read += 1;
        if self.files_read > MAX_FILES {
            return Err(at_include(format!(
                "includes more than {MAX_FILES} requirements files (counting each time one is included); envguard stops here"
            )));
        }
        // The repository root itself (`-r .`) is a folder, not a file.
        let found = if path.is_empty() {
            Ok(None)
        } else {
            (self.read)(path)
        };
        let bytes = match found {
            Ok(Some(bytes)) => bytes,
            Ok(None) if from.is_some() => {
                return Err(at_include(format!(
                    "includes {}, which is not a file in the commit; add it or fix the path (pip would fail the deployment)",
                    if path.is_empty() { "the repository's root folder" } else { path }
                )))
            }
            Ok(None) => return Ok(()),
            Err(err) => {
                return Err(Error {
                    read_failed: true,
                    ..at_include(format!("cannot read {path}: {err:#}"))
                })
            }
        };
        self.bytes_read = self.bytes_read.saturating_add(bytes.len());
        if self.bytes_read > MAX_BYTES {
            return Err(at_include(format!(
                "the requirements files add up to more than {} MiB; envguard stops here",
                MAX_BYTES >> 20
            )));
        }
        // What git stores for a file in Git LFS is a pointer to it: pip on
        // the server reads the real file, which the commit does not hold.
        if let Some(oid) = lfs_pointer(&bytes) {
            return Err(Error {
                file: path.to_string(),
                line: 0,
                message: format!(
                    "is a Git LFS pointer (oid {oid}), not the requirements themselves: pip on the \
                     server reads the real file, which this commit does not hold, so envguard cannot \
                     tell what it installs. Keep requirements files out of Git LFS (`git lfs untrack \
                     {path}`, then `git add --renormalize {path}` and commit); while a deployed commit \
                     still has the pointer, check the change yourself and push with `git push \
                     --no-verify` (after `envguard --reset` if it removes packages)"
                ),
                read_failed: true,
            });
        }
        // A file included again says again what it said: its packages
        // count once more (harmlessly), its warnings are not repeated.
        let first_read = !self.out.files.iter().any(|f| f.path == path);
        if first_read {
            self.out.files.push(SourceFile {
                path: path.to_string(),
                sha256: crate::digest::sha256(&bytes),
            });
        }
        let mut said = Said {
            file: path,
            first_read,
            count: 0,
        };
        let decoded = decode::decode(&bytes).map_err(|why| {
            Place {
                file: path,
                line: 0,
            }
            .error(why)
        })?;
        if let Some((line, message)) = decoded.warning {
            said.warn(&mut self.out, line, message);
        }
        self.stack.push(path.to_string());
        for (line, text) in lines::logical_lines(&decoded.text) {
            let place = Place { file: path, line };
            let (statement, warnings) = statement(&text, self.requirements);
            for message in warnings {
                said.warn(&mut self.out, line, message);
            }
            match statement {
                Statement::Nothing => {}
                Statement::Include(include, target) => {
                    self.include(place, include, &target, &mut said)?
                }
                Statement::Requirement(parsed) => {
                    self.add(place, kind, parsed.id, parsed.extras, parsed.marker)
                }
                Statement::Unreadable(text) => {
                    self.add(place, kind, PackageId::Text(text), BTreeSet::new(), None)
                }
            }
        }
        self.stack.pop();
        said.finish(&mut self.out);
        Ok(())
    }

    /// Follows `-r` / `-c`. pip (`_parse_and_recurse`) reads a `-r` as
    /// requirements even inside a constraints file, and a `-c` as
    /// constraints; envguard does the same, so what pip installs counts.
    fn include(
        &mut self,
        place: Place<'_>,
        kind: Kind,
        target: &str,
        said: &mut Said<'_>,
    ) -> Result<(), Error> {
        // pip fetches `http:`, `https:` and `file:` includes (`SCHEME_RE`).
        let scheme = requirement::scheme_of(target);
        let by_url = matches!(scheme.as_deref(), Some("http" | "https" | "file"));
        if by_url {
            said.warn(
                &mut self.out,
                place.line,
                format!("cannot follow an include by URL ({target}); it is identified by its URL"),
            );
        }
        // With `${NAME}` the server's environment decides the path: the
        // include is identified by its text, silently.
        if by_url || lines::has_env_reference(target) {
            self.add(
                place,
                kind,
                PackageId::Text(target.to_string()),
                BTreeSet::new(),
                None,
            );
            return Ok(());
        }
        let resolved = resolve(place.file, target).ok_or_else(|| {
            place.error(format!(
                "includes {target}, which is outside the repository; pip on the server cannot read it from the commit"
            ))
        })?;
        self.file(&resolved, Some(place), kind)
    }

    fn add(
        &mut self,
        place: Place<'_>,
        kind: Kind,
        id: PackageId,
        extras: BTreeSet<String>,
        marker: Option<MarkerTree>,
    ) {
        if kind == Kind::Requirements {
            self.out.entries.push(Entry {
                id,
                extras,
                marker,
                file: place.file.to_string(),
                line: place.line,
            });
        }
    }
}

/// The warnings about one file: given the first time it is read (a file
/// included again would say the same again), at most
/// [`MAX_WARNINGS_PER_FILE`] of them and then how many more there were.
struct Said<'p> {
    file: &'p str,
    first_read: bool,
    count: usize,
}

impl Said<'_> {
    fn warn(&mut self, out: &mut Requirements, line: usize, message: String) {
        self.count += 1;
        if self.first_read && self.count <= MAX_WARNINGS_PER_FILE {
            out.warnings.push(Warning {
                file: self.file.to_string(),
                line,
                message,
            });
        }
    }

    fn finish(self, out: &mut Requirements) {
        if self.first_read && self.count > MAX_WARNINGS_PER_FILE {
            let line = out
                .warnings
                .iter()
                .rev()
                .find(|w| w.file == self.file)
                .map_or(1, |w| w.line);
            out.warnings.push(Warning {
                file: self.file.to_string(),
                line,
                message: format!(
                    "and {} more warnings about this file",
                    self.count - MAX_WARNINGS_PER_FILE
                ),
            });
        }
    }
}

/// Resolves an include against the including file's folder, as pip's
/// `os.path.join(os.path.dirname(filename), req_path)` does; `None` when it
/// leaves the repository (an absolute path, a drive, or `..` past the root).
/// `\` separates too, as on the Windows servers.
fn resolve(including: &str, target: &str) -> Option<String> {
    let target = target.replace('\\', "/");
    let drive = target.len() >= 2 && target.as_bytes()[1] == b':';
    if target.starts_with('/') || drive {
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

#[cfg(test)]
mod tests;
