//! The requirements reader through its public API.
//!
//! - Every fixture in `tests/data/requirements/cases/` is read and what
//!   envguard makes of it (packages on a Linux and a Windows target,
//!   warnings, errors) is pinned in an insta snapshot under
//!   `tests/data/requirements/snapshots/`; the same fixture written with
//!   CRLF, lone CR, a UTF-8 BOM, or as UTF-16 LE/BE must read the same.
//! - Include trees are read from real git commits, never from the working
//!   tree, and a removal inside an included file is seen.
//!
//! Snapshots are updated with `INSTA_UPDATE=always cargo test --test requirements`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use envguard::requirements::{parse, PackageId, PackageSet, Platform, Requirements, Target};
use envguard::runtime::Runtime;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/requirements/cases");

/// A fixture's files by repository-relative path.
fn load(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            load(&entry.path(), &format!("{name}/"), files);
        } else {
            files.insert(name, fs::read(entry.path()).unwrap());
        }
    }
}

fn read(files: &BTreeMap<String, Vec<u8>>) -> Result<Requirements, envguard::requirements::Error> {
    parse("requirements.txt", &mut |path: &str| {
        Ok(files.get(path).cloned())
    })
}

fn label(id: &PackageId, extras: &std::collections::BTreeSet<String>) -> String {
    if extras.is_empty() {
        id.to_string()
    } else {
        format!(
            "{id}[{}]",
            extras.iter().cloned().collect::<Vec<_>>().join(",")
        )
    }
}

/// What envguard reads from a fixture, as text for a snapshot.
fn render(files: &BTreeMap<String, Vec<u8>>) -> String {
    let parsed = match read(files) {
        Ok(parsed) => parsed,
        Err(err) => return format!("error: {err}\n"),
    };
    let mut out = String::new();
    for (platform, python) in [
        (Platform::Linux, "python-3.11"),
        (Platform::Windows, "python-3.8.10"),
    ] {
        let target = Target {
            platform,
            python: Runtime::parse(python),
        };
        writeln!(out, "{platform} {python}:").unwrap();
        for (id, extras) in parsed.packages(&target) {
            writeln!(out, "  {}", label(&id, &extras)).unwrap();
        }
    }
    writeln!(
        out,
        "files: {}",
        parsed
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
    .unwrap();
    for warning in &parsed.warnings {
        writeln!(out, "warning: {warning}").unwrap();
    }
    out
}

fn cases() -> Vec<(String, BTreeMap<String, Vec<u8>>)> {
    let mut cases: Vec<_> = fs::read_dir(CASES)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let mut files = BTreeMap::new();
            load(&entry.path(), "", &mut files);
            (entry.file_name().to_string_lossy().to_string(), files)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

#[test]
fn fixtures() {
    let cases = cases();
    assert!(cases.len() >= 19, "fixtures missing: {}", cases.len());
    for (name, files) in cases {
        insta::with_settings!({
            snapshot_path => "data/requirements/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, render(&files));
        });
    }
}

/// The hook's fast path reads the same files as the full reading, or fails
/// on the same include.
#[test]
fn sources_are_the_files_parse_reads() {
    for (name, files) in cases() {
        let mut reader = |path: &str| Ok(files.get(path).cloned());
        let sources = envguard::requirements::sources("requirements.txt", &mut reader);
        match read(&files) {
            Ok(parsed) => assert_eq!(sources.unwrap(), parsed.files, "{name}"),
            Err(err) => assert_eq!(sources.unwrap_err(), err, "{name}"),
        }
    }
}

/// A way to write a file's text as bytes.
type Writer = fn(&str) -> Vec<u8>;

/// Writes every `.txt` file's text another way; `None` for a fixture that
/// is not UTF-8 (its bytes are the point).
fn variant(files: &BTreeMap<String, Vec<u8>>, write: Writer) -> Option<BTreeMap<String, Vec<u8>>> {
    files
        .iter()
        .map(|(path, bytes)| {
            let text = std::str::from_utf8(bytes).ok()?;
            let bytes = if path.ends_with(".txt") {
                write(text)
            } else {
                bytes.clone()
            };
            Some((path.clone(), bytes))
        })
        .collect()
}

#[test]
fn line_endings_and_encodings_read_the_same() {
    let writers: [(&str, Writer); 5] = [
        ("crlf", |t| t.replace('\n', "\r\n").into_bytes()),
        ("cr", |t| t.replace('\n', "\r").into_bytes()),
        ("utf-8 bom", |t| {
            [&b"\xef\xbb\xbf"[..], t.as_bytes()].concat()
        }),
        ("utf-16 le", |t| {
            [0xff, 0xfe]
                .into_iter()
                .chain(t.encode_utf16().flat_map(u16::to_le_bytes))
                .collect()
        }),
        ("utf-16 be", |t| {
            [0xfe, 0xff]
                .into_iter()
                .chain(t.encode_utf16().flat_map(u16::to_be_bytes))
                .collect()
        }),
    ];
    let mut compared = 0;
    for (name, files) in cases() {
        let want = render(&files);
        for (how, write) in writers {
            if let Some(files) = variant(&files, write) {
                assert_eq!(render(&files), want, "{name} written as {how}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 80, "only {compared} variants compared");
}

/// A repository whose commits hold include trees.
struct Repo {
    _dir: tempfile::TempDir,
    repo: git2::Repository,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        Repo { _dir: dir, repo }
    }

    /// Commits `files` on top of `parent` (every file of the parent kept
    /// unless named; `None` deletes).
    fn commit(&self, parent: Option<git2::Oid>, files: &[(&str, Option<&str>)]) -> git2::Oid {
        let mut index = git2::Index::new().unwrap();
        if let Some(parent) = parent {
            index
                .read_tree(&self.repo.find_commit(parent).unwrap().tree().unwrap())
                .unwrap();
        }
        for (path, contents) in files {
            match contents {
                Some(contents) => {
                    let blob = self.repo.blob(contents.as_bytes()).unwrap();
                    let entry = git2::IndexEntry {
                        ctime: git2::IndexTime::new(0, 0),
                        mtime: git2::IndexTime::new(0, 0),
                        dev: 0,
                        ino: 0,
                        mode: 0o100644,
                        uid: 0,
                        gid: 0,
                        file_size: contents.len() as u32,
                        id: blob,
                        flags: 0,
                        flags_extended: 0,
                        path: path.as_bytes().to_vec(),
                    };
                    index.add(&entry).unwrap();
                }
                None => index.remove_path(Path::new(path)).unwrap(),
            }
        }
        let tree = self
            .repo
            .find_tree(index.write_tree_to(&self.repo).unwrap())
            .unwrap();
        let who = git2::Signature::new("t", "t@example.invalid", &git2::Time::new(0, 0)).unwrap();
        let parents: Vec<_> = parent
            .map(|p| self.repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let parents: Vec<_> = parents.iter().collect();
        self.repo
            .commit(None, &who, &who, "test", &tree, &parents)
            .unwrap()
    }

    /// The packages of a commit, read from its tree only.
    fn packages(
        &self,
        commit: git2::Oid,
        top: &str,
    ) -> Result<PackageSet, envguard::requirements::Error> {
        let tree = self.repo.find_commit(commit).unwrap().tree().unwrap();
        let parsed = parse(top, &mut |path: &str| {
            Ok(tree
                .get_path(Path::new(path))
                .ok()
                .and_then(|entry| self.repo.find_blob(entry.id()).ok())
                .map(|blob| blob.content().to_vec()))
        })?;
        Ok(parsed.packages(&Target {
            platform: Platform::Windows,
            python: Runtime::parse("python-3.12"),
        }))
    }
}

fn names(set: &PackageSet) -> Vec<String> {
    set.iter().map(|(id, extras)| label(id, extras)).collect()
}

#[test]
fn include_trees_in_commits() {
    let repo = Repo::new();
    let first = repo.commit(
        None,
        &[
            (
                "app/requirements.txt",
                Some("-r requirements/base.txt\n-c ../constraints.txt\nflask\n"),
            ),
            (
                "app/requirements/base.txt",
                Some("-r common/shared.txt\nrequests[socks]\n"),
            ),
            (
                "app/requirements/common/shared.txt",
                Some("six\nattrs; sys_platform == 'win32'\n"),
            ),
            ("constraints.txt", Some("urllib3<2\n")),
        ],
    );
    assert_eq!(
        names(&repo.packages(first, "app/requirements.txt").unwrap()),
        ["attrs", "flask", "requests[socks]", "six"]
    );

    // A removal two includes deep, and a dropped extra, are seen.
    let second = repo.commit(
        Some(first),
        &[
            (
                "app/requirements/common/shared.txt",
                Some("attrs; sys_platform == 'win32'\n"),
            ),
            (
                "app/requirements/base.txt",
                Some("-r common/shared.txt\nRequests\n"),
            ),
        ],
    );
    assert_eq!(
        names(&repo.packages(second, "app/requirements.txt").unwrap()),
        ["attrs", "flask", "requests"]
    );

    // An include that the commit lacks is an error at the including line,
    // whatever the working tree has.
    let third = repo.commit(
        Some(second),
        &[("app/requirements/common/shared.txt", None)],
    );
    let err = repo.packages(third, "app/requirements.txt").unwrap_err();
    assert_eq!(
        (err.file.as_str(), err.line),
        ("app/requirements/base.txt", 1),
        "{err}"
    );
    assert!(
        err.message.contains("app/requirements/common/shared.txt"),
        "{err}"
    );

    // A folder where a file should be is not a file.
    let fourth = repo.commit(
        Some(second),
        &[("app/requirements/common/shared.txt/x", Some("x\n"))],
    );
    assert!(repo.packages(fourth, "app/requirements.txt").is_err());
}
