//! Requirements read from real commit trees: includes resolve inside the
//! commit, never the working tree (docs/removals.md, "What is compared
//! with what").

use std::path::Path;

use envguard_core::names::{self, PackageSet};
use envguard_core::platform::{Platform, Runtime, Target};
use envguard_core::requirements::parse;

/// A repository whose commits hold include trees.
struct Repo {
    _dir: tempfile::TempDir,
    repo: git2::Repository,
}

impl Repo {
    fn new() -> Repo {
        crate::common::isolate_libgit2();
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
    ) -> Result<PackageSet, envguard_core::requirements::Error> {
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
    names::labels(set)
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
