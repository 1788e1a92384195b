//! Snapshots of what a commit deploys, and the fingerprint file that records
//! the last one envguard scheduled a clean for.
//!
//! A [`Snapshot`] is plain data: the hashes that decide "nothing changed" at
//! once, the runtime, the package set on the target, and the marker token.
//! [`Snapshot::read`] builds one through a file-reading function, so it works
//! the same on a commit tree and on a map in tests.

use std::collections::BTreeMap;

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::digest::{hex, sha256};
use crate::encoding::Encoding;
use crate::names::{self, PackageId, PackageSet};
use crate::platform::{Runtime, Target};
use crate::requirements::{self, ReadFile, ReaderError, SourceFile, Warning};
use crate::token::{Token, MARKER_PATH};

/// The fingerprint format this version writes and reads.
pub const SCHEMA: u32 = 1;

/// Why a commit's identity or snapshot cannot be read.
#[derive(Debug)]
pub enum ReadError {
    /// The caller's reader failed.
    Reader(ReaderError),
    /// The requirements cannot be read: pip would fail on them too, or
    /// (`read_failed`) their bytes cannot be known.
    Requirements(requirements::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Reader(error) => fmt::Display::fmt(error, f),
            ReadError::Requirements(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Reader(error) => std::error::Error::source(error),
            ReadError::Requirements(_) => None,
        }
    }
}

impl From<ReaderError> for ReadError {
    fn from(error: ReaderError) -> ReadError {
        ReadError::Reader(error)
    }
}

impl From<requirements::Error> for ReadError {
    fn from(error: requirements::Error) -> ReadError {
        ReadError::Requirements(error)
    }
}

/// The fingerprint file could not be written (TOML refused a value).
#[derive(Debug)]
pub struct WriteError(toml::ser::Error);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot write the fingerprint")
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The bytes a deployment's environment depends on, as hashes: equal
/// identities need no package comparison at all (docs/removals.md, "What is
/// compared with what").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Over every requirements file read (paths and contents), in order.
    pub requirements_sha256: String,
    /// Over the bytes of runtime.txt (empty when it is absent).
    pub runtime_sha256: String,
    /// Whether the requirements file exists at all.
    pub has_requirements: bool,
}

impl Identity {
    /// Reads only what the identity needs: the requirements files (includes
    /// followed, requirement lines not parsed) and runtime.txt. Also gives
    /// the paths it depends on: a commit with the same bytes at each of them
    /// has the same identity.
    pub fn read(
        config: &Config,
        read: &mut ReadFile<'_>,
    ) -> Result<(Identity, Vec<String>), ReadError> {
        let files = requirements::sources(&config.requirements, read)?;
        let runtime_bytes = read(&config.runtime)?.unwrap_or_default();
        let mut paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        // The top file too when it is missing: its appearing is a change.
        if paths.is_empty() {
            paths.push(config.requirements.clone());
        }
        paths.push(config.runtime.clone());
        Ok((Identity::of(&files, &runtime_bytes), paths))
    }

    fn of(files: &[SourceFile], runtime_bytes: &[u8]) -> Identity {
        let mut hasher = Sha256::new();
        for file in files {
            hasher.update(file.path.as_bytes());
            hasher.update([0]);
            hasher.update(file.sha256);
        }
        Identity {
            requirements_sha256: hex(&hasher.finalize()),
            runtime_sha256: hex(&sha256(runtime_bytes)),
            has_requirements: !files.is_empty(),
        }
    }
}

/// What one commit deploys, as far as the environment is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub identity: Identity,
    pub runtime: Option<Runtime>,
    /// What pip installs on any Python the site may run (what the
    /// fingerprint records).
    pub packages: PackageSet,
    /// What pip installs on each Python the site may run: one entry when
    /// the site's Python is known (runtime.txt, or the `python` key), one
    /// per candidate when it is not, none for a fingerprint that recorded
    /// no runtime (then `packages` stands for every Python).
    pub by_python: Vec<(Runtime, PackageSet)>,
    pub token: Option<Token>,
    /// The requirements file each package is listed in; empty when the
    /// snapshot comes from a fingerprint, which records no files.
    pub origins: BTreeMap<PackageId, String>,
}

impl Snapshot {
    /// Reads a commit's requirements (with includes), runtime and marker.
    /// Warnings about unreadable lines come back beside the snapshot.
    pub fn read(
        config: &Config,
        read: &mut ReadFile<'_>,
    ) -> Result<(Snapshot, Vec<Warning>), ReadError> {
        let runtime_bytes = read(&config.runtime)?.unwrap_or_default();
        let runtime = Runtime::from_file(&runtime_bytes);
        let parsed = requirements::parse(&config.requirements, read)?;
        let token = read(MARKER_PATH)?.as_deref().and_then(Token::from_marker);
        let target = Target {
            platform: config.target,
            python: runtime.clone().or_else(|| config.python.clone()),
        };
        let by_python = parsed.packages_by_python(&target);
        let snapshot = Snapshot {
            identity: Identity::of(&parsed.files, &runtime_bytes),
            runtime,
            packages: requirements::union(by_python.iter().map(|(_, set)| set)),
            by_python,
            token,
            origins: parsed.origins(&target),
        };
        Ok((snapshot, parsed.warnings))
    }

    /// The identity and marker token, as the decision's fast path takes them.
    pub fn marked(&self) -> (&Identity, Option<&Token>) {
        (&self.identity, self.token.as_ref())
    }

    /// The fingerprint file for this snapshot, as committed with a marker.
    pub fn to_fingerprint(&self, reason: &str) -> Result<Vec<u8>, WriteError> {
        let file = FingerprintFile {
            schema: SCHEMA,
            requirements_sha256: self.identity.requirements_sha256.clone(),
            runtime_sha256: self.identity.runtime_sha256.clone(),
            runtime: self
                .runtime
                .as_ref()
                .map(Runtime::to_string)
                .unwrap_or_default(),
            packages: names::labels(&self.packages),
            token: self
                .token
                .as_ref()
                .map(Token::to_string)
                .unwrap_or_default(),
            reason: reason.to_string(),
        };
        let body = toml::to_string(&file).map_err(WriteError)?;
        Ok(
            format!("# Written by envguard: the last deployed requirements. Do not edit.\n{body}")
                .into_bytes(),
        )
    }

    /// Reads a committed fingerprint back into the snapshot it recorded.
    /// envguard writes UTF-8 with LF; a checkout or an editor that saved it
    /// again with CRLF or a byte order mark (UTF-8, UTF-16 or UTF-32) means
    /// the same. Anything else is an error: a baseline that cannot be read
    /// is never "nothing deployed".
    pub fn from_fingerprint(bytes: &[u8]) -> Result<Snapshot, FingerprintError> {
        let unreadable = |why: String| FingerprintError::Unreadable(why);
        let text = match Encoding::from_bom(bytes) {
            Some((encoding, mark)) => match encoding.decode_lossy(&bytes[mark..]) {
                (text, false) => text,
                (_, true) => {
                    return Err(unreadable(format!(
                        "starts with a {0} byte order mark but is not valid {0}",
                        encoding.name()
                    )))
                }
            },
            None => std::str::from_utf8(bytes)
                .map_err(|_| unreadable("is not UTF-8".to_string()))?
                .to_string(),
        };
        // The schema first: a newer envguard may have changed the rest.
        let schema = toml::from_str::<toml::Table>(&text)
            .map_err(|err| unreadable(format!("is not TOML ({})", err.message().trim_end())))?
            .get("schema")
            .and_then(toml::Value::as_integer);
        match schema {
            Some(schema) if schema == i64::from(SCHEMA) => {}
            Some(schema) if schema > i64::from(SCHEMA) => {
                return Err(FingerprintError::NewerSchema(schema))
            }
            _ => return Err(unreadable(format!("has no `schema = {SCHEMA}`"))),
        }
        let file: FingerprintFile = toml::from_str(&text)
            .map_err(|err| unreadable(err.message().trim_end().to_string()))?;
        let runtime = Runtime::parse(&file.runtime);
        if runtime.is_none() && !file.runtime.is_empty() {
            return Err(unreadable(format!(
                "has `runtime = {:?}`, which is no python-X.Y",
                file.runtime
            )));
        }
        let token = Token::parse(&file.token);
        if token.is_none() && !file.token.is_empty() {
            return Err(unreadable(
                "has a `token` that is not 64 lowercase hex characters".to_string(),
            ));
        }
        let packages: PackageSet = file
            .packages
            .iter()
            .map(|p| names::parse_label(p))
            .collect();
        Ok(Snapshot {
            identity: Identity {
                requirements_sha256: file.requirements_sha256,
                runtime_sha256: file.runtime_sha256,
                has_requirements: true,
            },
            by_python: runtime
                .iter()
                .map(|r| (r.clone(), packages.clone()))
                .collect(),
            runtime,
            packages,
            token,
            origins: BTreeMap::new(),
        })
    }
}

/// Why a committed fingerprint cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FingerprintError {
    /// A newer envguard wrote it, in a format this one does not know.
    NewerSchema(i64),
    /// It is not a fingerprint: what is wrong with it.
    Unreadable(String),
}

impl std::fmt::Display for FingerprintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FingerprintError::NewerSchema(schema) => write!(
                f,
                "has schema {schema}, written by a newer envguard (this one reads schema {SCHEMA})"
            ),
            FingerprintError::Unreadable(why) => f.write_str(why),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct FingerprintFile {
    schema: u32,
    requirements_sha256: String,
    runtime_sha256: String,
    runtime: String,
    packages: Vec<String>,
    token: String,
    reason: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn read_map(files: &[(&str, &str)]) -> (Snapshot, Vec<Warning>) {
        let map: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect();
        let config = Config::from_files(None, None).unwrap();
        Snapshot::read(&config, &mut |path: &str| Ok(map.get(path).cloned())).unwrap()
    }

    #[test]
    fn fingerprint_round_trip() {
        let token = "ab".repeat(32);
        let (snapshot, _) = read_map(&[
            (
                "requirements.txt",
                "Flask_Cors\nrequests[socks]\nhttps://example.invalid/x.zip\n",
            ),
            ("runtime.txt", "python-3.11.4\n"),
            (MARKER_PATH, &format!("{token}\n")),
        ]);
        let bytes = snapshot.to_fingerprint("removed: six").unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("schema = 1\n"), "{text}");
        assert!(text.contains("runtime = \"python-3.11.4\""), "{text}");
        assert!(text.contains("reason = \"removed: six\""), "{text}");
        let recorded = Snapshot {
            origins: BTreeMap::new(),
            ..snapshot
        };
        assert_eq!(Snapshot::from_fingerprint(&bytes).unwrap(), recorded);
    }

    #[test]
    fn hashes_see_includes_and_runtime() {
        let base = read_map(&[("requirements.txt", "-r base.txt\n"), ("base.txt", "a\n")]).0;
        let changed = read_map(&[("requirements.txt", "-r base.txt\n"), ("base.txt", "a \n")]).0;
        assert_ne!(base.identity, changed.identity);
        assert_eq!(base.packages, changed.packages);
        let with_runtime = read_map(&[
            ("requirements.txt", "-r base.txt\n"),
            ("base.txt", "a\n"),
            ("runtime.txt", "python-3.11"),
        ])
        .0;
        assert_eq!(
            base.identity.requirements_sha256,
            with_runtime.identity.requirements_sha256
        );
        assert_ne!(
            base.identity.runtime_sha256,
            with_runtime.identity.runtime_sha256
        );
    }

    #[test]
    fn text_entries_that_look_almost_like_names_stay_text() {
        let (snapshot, warnings) = read_map(&[(
            "requirements.txt",
            "flask-\n--frobnicate\n./local/pkg\nsix\n",
        )]);
        assert!(!warnings.is_empty());
        let back = Snapshot::from_fingerprint(&snapshot.to_fingerprint("x").unwrap()).unwrap();
        assert_eq!(back.packages, snapshot.packages);
    }

    #[test]
    fn the_fast_identity_is_the_snapshots() {
        let files = [
            ("requirements.txt", "-r base.txt\n-c pins.txt\nflask\n"),
            ("base.txt", "six\n"),
            ("pins.txt", "six==1.16\n"),
            ("runtime.txt", "python-3.12\n"),
        ];
        let map: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect();
        let config = Config::from_files(None, None).unwrap();
        let mut read = |path: &str| Ok(map.get(path).cloned());
        let (identity, paths) = Identity::read(&config, &mut read).unwrap();
        assert_eq!(
            paths,
            ["requirements.txt", "base.txt", "pins.txt", "runtime.txt"]
        );
        assert_eq!(identity, read_map(&files).0.identity);
        assert!(identity.has_requirements);
    }

    #[test]
    fn a_bad_fingerprint_says_why() {
        let why = |bytes: &[u8]| Snapshot::from_fingerprint(bytes).unwrap_err().to_string();
        assert_eq!(
            Snapshot::from_fingerprint(b"schema = 2\nanything = \"new\"\n"),
            Err(FingerprintError::NewerSchema(2))
        );
        assert_eq!(why(b"schema = 0\n"), "has no `schema = 1`");
        assert_eq!(why(b"packages = []\n"), "has no `schema = 1`");
        assert!(why(b"nonsense").starts_with("is not TOML ("));
        assert_eq!(why(b"\xff"), "is not UTF-8");
        assert_eq!(
            why(b"\xff\xfes\x00c"),
            "starts with a UTF-16 LE byte order mark but is not valid UTF-16 LE"
        );
        assert!(
            why(b"schema = 1\n").contains("missing field"),
            "{}",
            why(b"schema = 1\n")
        );
        let good = fingerprint_text();
        let bad_runtime = good.replace("runtime = \"python-3.11.4\"", "runtime = \"3.11\"");
        assert!(why(bad_runtime.as_bytes()).contains("no python-X.Y"));
        let bad_token = good.replace(&"ab".repeat(32), "not a token");
        assert!(why(bad_token.as_bytes()).contains("`token`"));
    }

    /// A fingerprint as envguard writes it.
    fn fingerprint_text() -> String {
        let token = "ab".repeat(32);
        let (snapshot, _) = read_map(&[
            ("requirements.txt", "flask\n"),
            ("runtime.txt", "python-3.11.4\n"),
            (MARKER_PATH, &format!("{token}\n")),
        ]);
        String::from_utf8(snapshot.to_fingerprint("removed: six").unwrap()).unwrap()
    }

    /// Every encoding and line ending a checkout or an editor may give the
    /// file reads the same.
    #[test]
    fn a_fingerprint_saved_again_reads_the_same() {
        let text = fingerprint_text();
        let want = Snapshot::from_fingerprint(text.as_bytes()).unwrap();
        let crlf = text.replace('\n', "\r\n");
        let mut variants = vec![crlf.clone().into_bytes()];
        for (encoding, mark) in [
            (Encoding::Utf8, &b"\xef\xbb\xbf"[..]),
            (Encoding::Utf16Le, b"\xff\xfe"),
            (Encoding::Utf16Be, b"\xfe\xff"),
            (Encoding::Utf32Le, b"\xff\xfe\x00\x00"),
            (Encoding::Utf32Be, b"\x00\x00\xfe\xff"),
        ] {
            for body in [&text, &crlf] {
                variants.push([mark, &encoding.encode(body)].concat());
            }
        }
        for bytes in variants {
            assert_eq!(Snapshot::from_fingerprint(&bytes).as_ref(), Ok(&want));
        }
        // UTF-16 without its mark is not UTF-8.
        let bare = Encoding::Utf16Le.encode(&text);
        assert!(Snapshot::from_fingerprint(&bare).is_err());
    }
}
