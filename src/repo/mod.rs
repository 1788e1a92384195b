//! The only door to git: every read of a commit and every write envguard
//! makes goes through here, so each one can be audited in one place.
//!
//! "Not found" is an answer (`Ok(None)`, `Ok(false)`); every other git
//! failure is a [`GitError`] naming what was being read, so a corrupt object
//! store is never mistaken for a commit that was not fetched.
//!
//! Reads use git2, and so do the writes where the result is certain to be
//! git's own: the marker commit object is written by `git commit-tree`
//! wherever identity, dates or signing need git itself (`ident.rs` says
//! when), so they follow the user's git exactly.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};
use envguard_core::ids::CommitId;
use envguard_core::links::{self, Node};
use envguard_core::requirements::ReaderError;
use envguard_core::token::Entry;
use git2::{ErrorCode, Index, ObjectType, Oid, Repository};

pub mod cli;
mod error;
mod ident;
mod write;

pub use error::{Error, GitError, Retry, WriteError};

/// An operation git is in the middle of, which moving a branch would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Merge,
    Rebase,
    CherryPick,
    Revert,
    Bisect,
    ApplyMailbox,
}

impl Operation {
    /// The git command that continues or ends it.
    pub fn command(self) -> &'static str {
        match self {
            Operation::Merge => "merge",
            Operation::Rebase => "rebase",
            Operation::CherryPick => "cherry-pick",
            Operation::Revert => "revert",
            Operation::Bisect => "bisect",
            Operation::ApplyMailbox => "am",
        }
    }
}

/// An error and its causes, `: `-separated as `{:#}` shows them, with each
/// libgit2 error by its message alone: its class and code numbers
/// (`class=Reference (4); code=NotFound (-3)`) mean nothing to a user.
pub fn describe(error: &anyhow::Error) -> String {
    let causes: Vec<String> = error
        .chain()
        .map(|cause| match cause.downcast_ref::<git2::Error>() {
            Some(git) => git.message().to_string(),
            None => cause.to_string(),
        })
        .collect();
    causes.join(": ")
}

/// `Ok(None)` for "not found", the value, or a [`GitError`] naming `what`.
fn found<T>(
    result: Result<T, git2::Error>,
    what: impl FnOnce() -> String,
) -> Result<Option<T>, GitError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
        Err(source) => Err(GitError {
            what: what(),
            source,
        }),
    }
}

/// A git2 id as the core's; git2 never gives a commit the all-zero id.
fn commit_id(oid: Oid) -> CommitId {
    CommitId::parse(&oid.to_string()).expect("a commit's id is 40 hex digits, not all zeros")
}

/// The core's id as git2's; both are the same hex digits.
fn oid(id: &CommitId) -> Oid {
    Oid::from_str(id.as_str()).expect("a CommitId is valid hex")
}

/// A file of `commit` by repository-relative path, read through git itself
/// (`git ls-tree`, `git cat-file`) rather than git2: for repositories git2
/// cannot open (SHA-256 object ids). `Ok(None)` when the commit has no file
/// there.
pub fn read_with_git(
    commit: &CommitId,
) -> impl FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError> + '_ {
    move |path: &str| -> Result<Option<Vec<u8>>, ReaderError> {
        let git = |args: &[&str]| -> Result<Vec<u8>> {
            let output = Command::new("git")
                .args(args)
                .stderr(Stdio::piped())
                .output()
                .context("cannot run git (is it on PATH?)")?;
            if !output.status.success() {
                bail!(
                    "cannot read {path} in commit {commit}: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            Ok(output.stdout)
        };
        let listed =
            git(&["ls-tree", "-z", commit.as_str(), "--", path]).map_err(ReaderError::new)?;
        // `<mode> <type> <object>\t<path>\0`, or nothing when absent.
        let meta = listed.split(|&b| b == b'\t').next().unwrap_or_default();
        let meta = String::from_utf8_lossy(meta);
        match meta.split(' ').collect::<Vec<_>>()[..] {
            [_, "blob", object] => Ok(Some(
                git(&["cat-file", "blob", object]).map_err(ReaderError::new)?,
            )),
            // Absent, or a folder or submodule: no file there.
            _ => Ok(None),
        }
    }
}

/// An open repository.
pub struct Repo {
    repo: Repository,
    env: GitEnv,
}

/// The variables git reads for a commit's identity, dates and config,
/// captured once when the repository is opened, so that what envguard checks
/// (`missing_identity`) and what `git commit-tree` sees are the same, and
/// tests can give a repository its own environment without touching the
/// process's.
#[derive(Clone, Debug, Default)]
pub struct GitEnv {
    vars: Vec<(&'static str, String)>,
    /// Config given on git's command line (`git -c key=value push`), which
    /// git passes to the hook in `GIT_CONFIG_PARAMETERS` or
    /// `GIT_CONFIG_COUNT`: git reads it, libgit2 does not.
    config_overridden: bool,
}

impl GitEnv {
    /// Every variable envguard passes to git, and no other.
    pub const KEYS: [&'static str; 11] = [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
        "EMAIL",
        "HOME",
        "XDG_CONFIG_HOME",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_GLOBAL",
    ];

    /// The process's values of [`GitEnv::KEYS`].
    pub fn from_process() -> GitEnv {
        let vars = GitEnv::KEYS
            .iter()
            .filter_map(|&key| Some((key, std::env::var(key).ok()?)))
            .collect();
        let config_overridden = ["GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"]
            .iter()
            .any(|key| std::env::var_os(key).is_some());
        GitEnv {
            vars,
            config_overridden,
        }
    }

    /// Whether git's command line set config that only git reads.
    fn config_overridden(&self) -> bool {
        self.config_overridden
    }

    /// Sets one of [`GitEnv::KEYS`].
    pub fn with(mut self, key: &'static str, value: &str) -> GitEnv {
        assert!(GitEnv::KEYS.contains(&key), "{key} is not a GitEnv key");
        self.vars.retain(|(k, _)| *k != key);
        self.vars.push((key, value.to_string()));
        self
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Gives `command` exactly these values of [`GitEnv::KEYS`].
    fn apply(&self, command: &mut Command) {
        for key in GitEnv::KEYS {
            match self.get(key) {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
    }
}

/// The local ref a pushed line names, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalRef {
    /// A branch, `refs/heads/<name>`.
    Branch(String),
    /// HEAD, detached.
    DetachedHead,
    /// A raw commit id or an expression (`HEAD~1`): nothing to move.
    Other(String),
}

impl LocalRef {
    /// The branch's short name (`main`); `None` when it is no branch.
    pub fn branch_name(&self) -> Option<&str> {
        match self {
            LocalRef::Branch(name) => name.strip_prefix("refs/heads/"),
            LocalRef::DetachedHead | LocalRef::Other(_) => None,
        }
    }

    /// The ref to move: the branch, or `HEAD` itself when detached.
    pub fn refname(&self) -> Option<&str> {
        match self {
            LocalRef::Branch(name) => Some(name),
            LocalRef::DetachedHead => Some("HEAD"),
            LocalRef::Other(_) => None,
        }
    }
}

/// How a file in the working tree and index relates to a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathState {
    /// Index and working tree both match the commit.
    Clean,
    /// The user changed it: staged, unstaged, or deleted.
    Edited(String),
}

impl Repo {
    /// Opens the repository git runs the hook in (honours `GIT_DIR`, so
    /// linked worktrees work), or the one around the current directory.
    pub fn open_from_env() -> Result<Repo> {
        let repo = Repository::open_from_env().map_err(|err| {
            // libgit2 names the extension it does not know.
            if err.message().contains("object format") {
                anyhow::Error::from(Error::Sha256)
            } else {
                anyhow::Error::from(err)
                    .context("cannot open the git repository here; run envguard inside one")
            }
        })?;
        Ok(Repo {
            repo,
            env: GitEnv::from_process(),
        })
    }

    /// Opens the repository at `path` with its own environment (tests).
    pub fn open(path: &Path, env: GitEnv) -> Result<Repo> {
        let repo = Repository::open(path)
            .with_context(|| format!("cannot open the git repository at {}", path.display()))?;
        Ok(Repo { repo, env })
    }

    /// The working tree, if there is one.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Whether a commit exists locally; an unreadable object store is an
    /// error, not "absent".
    pub fn has_commit(&self, id: &CommitId) -> Result<bool, GitError> {
        Ok(found(self.repo.find_commit(oid(id)), || format!("commit {id}"))?.is_some())
    }

    /// What `id` names when it is not a commit (git passes the hook the
    /// object a pushed ref names, which a tag makes an annotated tag):
    /// its kind and, for a tag, the commit it tags. `None` for a commit,
    /// or an object this repository does not have (reading it says so).
    pub fn not_a_commit(&self, id: &CommitId) -> Result<Option<(&'static str, Option<CommitId>)>> {
        let object = match found(self.repo.find_object(oid(id), None), || {
            format!("object {id}")
        })? {
            Some(object) => object,
            None => return Ok(None),
        };
        Ok(match object.kind() {
            Some(ObjectType::Commit) => None,
            Some(ObjectType::Tag) => {
                let tagged = object.peel_to_commit().ok().map(|c| commit_id(c.id()));
                Some(("an annotated tag", tagged))
            }
            Some(ObjectType::Tree) => Some(("a tree", None)),
            _ => Some(("a file's contents (a blob)", None)),
        })
    }

    /// A file of a commit by repository-relative path, symbolic links
    /// followed as the server's file system follows them
    /// ([`links::resolve`]); `Ok(None)` when the commit has no file there.
    /// An object the tree names but this repository lacks (a partial
    /// clone) is an error saying how to fetch it, never "no file".
    pub fn reader(
        &self,
        commit: &CommitId,
    ) -> Result<impl FnMut(&str) -> Result<Option<Vec<u8>>, ReaderError> + '_> {
        let tree = self.root_tree(commit)?;
        let commit = commit.clone();
        let read = move |path: &str| -> Result<Option<Vec<u8>>> {
            let Some(id) = self.file_at(&tree, &commit, path)? else {
                return Ok(None);
            };
            let blob = self.object(id, ObjectType::Blob, path, &commit)?;
            Ok(Some(blob.peel_to_blob()?.content().to_vec()))
        };
        Ok(move |path: &str| read(path).map_err(ReaderError::new))
    }

    /// Whether two commits hold the same bytes (the same blob, or no file)
    /// at every path, links followed: compared by object id, no file is
    /// read.
    pub fn same_blobs(&self, a: &CommitId, b: &CommitId, paths: &[String]) -> Result<bool> {
        let (a_tree, b_tree) = (self.root_tree(a)?, self.root_tree(b)?);
        for path in paths {
            if self.file_at(&a_tree, a, path)? != self.file_at(&b_tree, b, path)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether a commit has a file at `path`, links followed.
    pub fn has_file(&self, commit: &CommitId, path: &str) -> Result<bool> {
        Ok(self
            .file_at(&self.root_tree(commit)?, commit, path)?
            .is_some())
    }

    /// A commit's first parent; `None` for a root commit, or where a
    /// shallow clone's history ends.
    pub fn first_parent(&self, commit: &CommitId) -> Result<Option<CommitId>, GitError> {
        Ok(self.commit(commit)?.parent_ids().next().map(commit_id))
    }

    /// A commit that must be there: any failure, "not found" too, is a
    /// [`GitError`] naming it.
    fn commit(&self, commit: &CommitId) -> Result<git2::Commit<'_>, GitError> {
        self.repo
            .find_commit(oid(commit))
            .map_err(|source| GitError {
                what: format!("commit {commit}"),
                source,
            })
    }

    /// Whether this is a shallow clone, whose history ends early.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The root folder of a commit's tree.
    fn root_tree(&self, commit: &CommitId) -> Result<git2::Tree<'_>> {
        let found = self.commit(commit)?;
        let tree = self.object(found.tree_id(), ObjectType::Tree, "the root folder", commit)?;
        Ok(tree.peel_to_tree()?)
    }

    /// The blob a path names in `tree`, links followed.
    fn file_at(&self, tree: &git2::Tree<'_>, commit: &CommitId, path: &str) -> Result<Option<Oid>> {
        let mut lookup = |p: &str| -> Result<Node> { Ok(self.node_at(tree, commit, p)?.0) };
        let Some(real) = links::resolve(path, &mut lookup)? else {
            return Ok(None);
        };
        Ok(self.node_at(tree, commit, &real)?.1)
    }

    /// What `tree` holds at `path`, a path of real folders, and its id.
    fn node_at(
        &self,
        tree: &git2::Tree<'_>,
        commit: &CommitId,
        path: &str,
    ) -> Result<(Node, Option<Oid>)> {
        let parts: Vec<&str> = path.split('/').collect();
        let Some((name, folders)) = parts.split_last() else {
            return Ok((Node::Missing, None));
        };
        let mut folder = tree.clone();
        for (depth, part) in folders.iter().enumerate() {
            let id = match folder.get_name(part) {
                Some(entry) if entry.kind() == Some(ObjectType::Tree) => entry.id(),
                _ => return Ok((Node::Missing, None)),
            };
            let walked = parts[..=depth].join("/");
            folder = self
                .object(id, ObjectType::Tree, &walked, commit)?
                .peel_to_tree()?;
        }
        let Some((id, mode)) = folder.get_name(name).map(|e| (e.id(), e.filemode())) else {
            return Ok((Node::Missing, None));
        };
        let node = match mode {
            0o120000 => {
                let blob = self.object(id, ObjectType::Blob, path, commit)?;
                let text = blob.peel_to_blob()?.content().to_vec();
                let Ok(text) = String::from_utf8(text) else {
                    bail!("{path} in commit {commit} is a symbolic link whose text is not UTF-8; envguard cannot follow it");
                };
                Node::Link(text)
            }
            0o040000 => Node::Folder,
            0o100644 | 0o100755 | 0o100664 => Node::File,
            // A submodule: its files are not in this commit.
            _ => Node::Missing,
        };
        Ok((node, Some(id)))
    }

    /// The object a tree names: missing from the repository (a partial
    /// clone) is an error saying how to fetch it.
    fn object(
        &self,
        id: Oid,
        kind: ObjectType,
        path: &str,
        commit: &CommitId,
    ) -> Result<git2::Object<'_>> {
        match self.repo.find_object(id, Some(kind)) {
            Ok(object) => Ok(object),
            Err(err) if err.code() == ErrorCode::NotFound => Err(Error::MissingObject {
                path: path.to_string(),
                commit: commit.clone(),
                kind: if kind == ObjectType::Tree {
                    "tree"
                } else {
                    "blob"
                },
                object: id.to_string(),
                promisor: self.promisor_remote(),
            }
            .into()),
            Err(source) => Err(GitError {
                what: format!("{path} in commit {commit}"),
                source,
            }
            .into()),
        }
    }

    /// A partial clone's promisor remote (`remote.<name>.promisor`).
    fn promisor_remote(&self) -> Option<String> {
        self.remotes()
            .into_iter()
            .map(|(name, _)| name)
            .find(|name| self.config_bool(&format!("remote.{name}.promisor")))
    }

    /// The commit a remote-tracking branch points at, if it exists and its
    /// commit is local.
    pub fn tracking_ref(
        &self,
        remote: &str,
        branch: &str,
    ) -> Result<Option<(String, CommitId)>, GitError> {
        let refname = format!("refs/remotes/{remote}/{branch}");
        let Some(target) = found(self.repo.refname_to_id(&refname), || refname.clone())? else {
            return Ok(None);
        };
        let id = commit_id(target);
        Ok(self.has_commit(&id)?.then_some((refname, id)))
    }

    /// Resolves the local ref of a pushed line (`refs/heads/main`, `HEAD`,
    /// or whatever the user typed).
    pub fn local_ref(&self, name: &str) -> LocalRef {
        if name.starts_with("refs/heads/") {
            return LocalRef::Branch(name.to_string());
        }
        if name == "HEAD" {
            return match self.head_branch() {
                Some(branch) => LocalRef::Branch(branch),
                None => LocalRef::DetachedHead,
            };
        }
        LocalRef::Other(name.to_string())
    }

    /// The branch HEAD points at, `None` when detached.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        head.symbolic_target().ok().flatten().map(str::to_string)
    }

    /// The commit HEAD points at; `None` on an unborn branch.
    pub fn head_commit(&self) -> Result<Option<CommitId>, GitError> {
        let head = match self.repo.head() {
            Err(err) if err.code() == ErrorCode::UnbornBranch => return Ok(None),
            head => found(head, || "HEAD".to_string())?,
        };
        Ok(head.and_then(|h| h.target()).map(commit_id))
    }

    /// Whether a ref is what HEAD shows in this worktree.
    pub fn is_checked_out(&self, refname: &str) -> bool {
        refname == "HEAD" || self.head_branch().as_deref() == Some(refname)
    }

    /// A revision (`HEAD~2`, a branch, an id) as a commit.
    pub fn resolve(&self, rev: &str) -> Result<CommitId> {
        let object = match self.repo.revparse_single(rev) {
            Ok(object) => object,
            Err(err) if matches!(err.code(), ErrorCode::NotFound | ErrorCode::InvalidSpec) => {
                let rev = rev.to_string();
                return Err(Error::UnknownRevision { rev }.into());
            }
            Err(source) => {
                let what = format!("the revision `{rev}`");
                return Err(GitError { what, source }.into());
            }
        };
        let commit = object
            .peel_to_commit()
            .with_context(|| format!("`{rev}` is not a commit"))?;
        Ok(commit_id(commit.id()))
    }

    /// The configured remotes, by name, with their URLs.
    pub fn remotes(&self) -> Vec<(String, String)> {
        let Ok(names) = self.repo.remotes() else {
            return Vec::new();
        };
        names
            .iter()
            .filter_map(|name| {
                let name = name.ok().flatten()?;
                let remote = self.repo.find_remote(name).ok()?;
                let url = remote.url().unwrap_or_default().to_string();
                Some((name.to_string(), url))
            })
            .collect()
    }

    /// The working tree, other than this one, that has `refname` checked
    /// out: moving that branch from here would leave its index showing the
    /// marker files as staged deletions.
    pub fn checked_out_elsewhere(&self, refname: &str) -> Option<PathBuf> {
        let linked = self.repo.worktrees().ok();
        if !self.repo.is_worktree() && linked.as_ref().is_none_or(|names| names.is_empty()) {
            return None;
        }
        let here = self.repo.workdir().and_then(|p| p.canonicalize().ok());
        let main = Repository::open(self.repo.commondir()).ok();
        let linked = linked
            .iter()
            .flat_map(|names| names.iter())
            .filter_map(|name| name.ok().flatten())
            .filter_map(|name| self.repo.find_worktree(name).ok())
            .filter_map(|wt| Repository::open_from_worktree(&wt).ok());
        main.into_iter().chain(linked).find_map(|other| {
            let dir = other.workdir()?.canonicalize().ok()?;
            let head = other.find_reference("HEAD").ok()?;
            let on_branch = head.symbolic_target().ok().flatten() == Some(refname);
            // As git counts it: a branch being rebased there is checked out
            // there, though its HEAD is detached meanwhile.
            let rebasing = being_rebased(other.path()).as_deref() == Some(refname);
            ((on_branch || rebasing) && Some(&dir) != here.as_ref()).then_some(dir)
        })
    }

    /// The commit a ref points at now.
    pub fn ref_target(&self, refname: &str) -> Result<Option<CommitId>, GitError> {
        let target = found(self.repo.refname_to_id(refname), || refname.to_string())?;
        Ok(target.map(commit_id))
    }

    /// Whether a merge, rebase, cherry-pick or similar is under way.
    pub fn operation_in_progress(&self) -> bool {
        self.repo.state() != git2::RepositoryState::Clean
    }

    /// Every value of a multi-valued git config key (`remote.azure.push`),
    /// in the order git reads them; none when unset or unreadable.
    pub fn config_values(&self, key: &str) -> Vec<String> {
        let Ok(config) = self.repo.config() else {
            return Vec::new();
        };
        let mut values = Vec::new();
        if let Ok(mut entries) = config.multivar(key, None) {
            while let Some(Ok(entry)) = entries.next() {
                if let Ok(value) = entry.value() {
                    values.push(value.to_string());
                }
            }
        }
        values
    }

    /// A git config string, as git would read it for this repository; `None`
    /// when unset or empty.
    pub fn config_value(&self, key: &str) -> Option<String> {
        self.config_string(key)
    }

    /// A git config value, as git would read it for this repository.
    pub fn config_bool(&self, key: &str) -> bool {
        self.repo
            .config()
            .and_then(|c| c.get_bool(key))
            .unwrap_or(false)
    }

    fn config_string(&self, key: &str) -> Option<String> {
        self.repo
            .config()
            .ok()?
            .get_string(key)
            .ok()
            .filter(|v| !v.is_empty())
    }

    /// How the user's files and index stand for `path` relative to commit
    /// `base`: untouched, or edited (what, in words). A path the sparse
    /// checkout leaves out (`excluded`) is judged by the index alone.
    pub fn path_state(&self, base: &CommitId, path: &str, excluded: bool) -> Result<PathState> {
        let index = self.repo.index().context("cannot read the git index")?;
        self.path_state_in(&index, base, path, excluded)
    }

    fn path_state_in(
        &self,
        index: &Index,
        base: &CommitId,
        path: &str,
        excluded: bool,
    ) -> Result<PathState> {
        let Some(workdir) = self.repo.workdir() else {
            return Ok(PathState::Clean);
        };
        let committed = self.blob_id(base, path)?;
        let staged = index.get_path(Path::new(path), 0).map(|e| e.id);
        if staged != committed {
            return Ok(PathState::Edited(format!("{path} has staged changes")));
        }
        if excluded {
            return Ok(PathState::Clean);
        }
        let on_disk = workdir.join(path);
        let state = match (committed, on_disk.symlink_metadata().is_ok()) {
            (None, false) => PathState::Clean,
            (None, true) => PathState::Edited(format!("{path} exists but is not committed")),
            (Some(_), false) => PathState::Edited(format!("{path} was deleted")),
            (Some(id), true) => {
                let hashed = Oid::hash_file(ObjectType::Blob, &on_disk)
                    .with_context(|| format!("cannot read {}", on_disk.display()))?;
                if hashed == id {
                    PathState::Clean
                } else {
                    PathState::Edited(format!("{path} has unstaged changes"))
                }
            }
        };
        Ok(state)
    }

    /// The git attributes `names` of each of `paths` as a checkout of
    /// `commit` sets them, as `(path, name, value)` in git's words
    /// (`unspecified`, `unset`, `set` or the value): from the commit's own
    /// `.gitattributes` files (the root's and those of the folders above
    /// each path), which the server's checkout reads too, and this clone's
    /// (`$GIT_DIR/info/attributes`, `core.attributesFile`). git decides
    /// (`git check-attr --cached`, over a temporary index that holds the
    /// commit's `.gitattributes` files alone: any git version reads it,
    /// where `--source` needs git 2.40).
    pub fn attributes(
        &self,
        commit: &CommitId,
        paths: &[&str],
        names: &[&str],
    ) -> Result<Vec<(String, String, String)>> {
        let tree = self.root_tree(commit)?;
        let mut files = Vec::new();
        for path in paths {
            let parts: Vec<&str> = path.split('/').collect();
            for depth in 0..parts.len() {
                let file = [&parts[..depth], &[".gitattributes"]].concat().join("/");
                if files.iter().any(|(f, _)| *f == file) {
                    continue;
                }
                // git reads a regular file only: a link there is ignored.
                match tree.get_path(Path::new(&file)) {
                    Ok(entry) if matches!(entry.filemode(), 0o100644 | 0o100755) => {
                        files.push((file, entry.id()));
                    }
                    Ok(_) => {}
                    Err(err) if err.code() == ErrorCode::NotFound => {}
                    Err(source) => {
                        let what = format!("{file} in commit {commit}");
                        return Err(GitError { what, source }.into());
                    }
                }
            }
        }
        let index_path = self
            .repo
            .path()
            .join(format!("envguard-attributes-{}.index", std::process::id()));
        let _ = std::fs::remove_file(&index_path);
        let output = (|| -> Result<std::process::Output> {
            // No file to hold: git reads a missing index as an empty one.
            if !files.is_empty() {
                let mut index = Index::open(&index_path).context("cannot create a git index")?;
                for (file, id) in &files {
                    index.add(&attributes_entry(file, *id))?;
                }
                index
                    .write()
                    .with_context(|| format!("cannot write {}", index_path.display()))?;
            }
            let mut command = Command::new("git");
            self.env.apply(&mut command);
            command
                .env("GIT_INDEX_FILE", &index_path)
                .arg("--git-dir")
                .arg(self.repo.path())
                .args(["check-attr", "--cached", "-z"])
                .args(names)
                .arg("--")
                .args(paths);
            command.output().context("cannot run git (is it on PATH?)")
        })();
        let _ = std::fs::remove_file(&index_path);
        let output = output?;
        if !output.status.success() {
            bail!(
                "`git check-attr` cannot tell the git attributes of {}: {}",
                paths.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        // `<path>\0<name>\0<value>\0`, once per path and name.
        let fields: Vec<String> = output
            .stdout
            .split(|&b| b == 0)
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        Ok(fields
            .chunks_exact(3)
            .map(|t| (t[0].clone(), t[1].clone(), t[2].clone()))
            .collect())
    }

    /// What `commit`'s tree holds at `path`.
    pub fn entry_in_commit(&self, commit: &CommitId, path: &str) -> Result<Entry> {
        let tree = self.repo.find_commit(oid(commit))?.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(err) if err.code() == ErrorCode::NotFound => return Ok(Entry::Absent),
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {path} in commit {commit}"))
            }
        };
        Ok(match entry.filemode() {
            0o040000 => Entry::Directory,
            0o120000 => Entry::Symlink,
            0o160000 => Entry::Submodule,
            _ if entry.kind() == Some(ObjectType::Blob) => Entry::File,
            _ => Entry::Special,
        })
    }

    /// What the working tree holds at `path`, the last component not
    /// followed (the caller checks the components before it first).
    pub fn entry_in_worktree(&self, path: &str) -> Result<Entry> {
        let Some(workdir) = self.repo.workdir() else {
            return Ok(Entry::Absent);
        };
        entry_on_disk(&workdir.join(path))
    }

    /// Which of `paths` the sparse checkout leaves out of the working tree
    /// (none without one). git decides, by the repository's own rules and
    /// mode (`git sparse-checkout check-rules`, git 2.41 and later).
    pub fn sparse_excluded(&self, paths: &[&str]) -> Result<Vec<bool>> {
        let sparse = self.config_bool("core.sparseCheckout");
        let Some(workdir) = self.repo.workdir().filter(|_| sparse) else {
            return Ok(vec![false; paths.len()]);
        };
        if self.config_bool("index.sparse") {
            return Err(Error::SparseIndex.into());
        }
        let mut command = Command::new("git");
        self.env.apply(&mut command);
        command
            .arg("--git-dir")
            .arg(self.repo.path())
            .arg("--work-tree")
            .arg(workdir)
            .args(["sparse-checkout", "check-rules"]);
        let mut input = paths.join("\n");
        input.push('\n');
        let output = run_with_input(command, input.as_bytes(), "git sparse-checkout")?;
        if !output.status.success() {
            bail!(
                "cannot tell whether this sparse checkout includes .envguard/ (`git sparse-checkout \
                 check-rules` needs git 2.41 or later): {}; add it with `git sparse-checkout add .envguard`, \
                 or leave the sparse checkout, then push again",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let included = String::from_utf8_lossy(&output.stdout);
        let included: Vec<&str> = included.lines().collect();
        Ok(paths.iter().map(|p| !included.contains(p)).collect())
    }

    /// The operation this worktree is in the middle of, if any.
    pub fn operation(&self) -> Option<Operation> {
        use git2::RepositoryState as S;
        match self.repo.state() {
            S::Clean => None,
            S::Merge => Some(Operation::Merge),
            S::Revert | S::RevertSequence => Some(Operation::Revert),
            S::CherryPick | S::CherryPickSequence => Some(Operation::CherryPick),
            S::Bisect => Some(Operation::Bisect),
            S::Rebase | S::RebaseInteractive | S::RebaseMerge | S::ApplyMailboxOrRebase => {
                Some(Operation::Rebase)
            }
            S::ApplyMailbox => Some(Operation::ApplyMailbox),
        }
    }

    fn blob_id(&self, commit: &CommitId, path: &str) -> Result<Option<Oid>> {
        let tree = self.repo.find_commit(oid(commit))?.tree()?;
        Ok(blob_at(&tree, path)?)
    }
}

/// The branch a rebase in the worktree whose git folder is `gitdir` is
/// rebasing (`rebase-merge/head-name`, or `rebase-apply/` for `git am`-style
/// rebases), as git's own `is_worktree_being_rebased` reads it.
fn being_rebased(gitdir: &Path) -> Option<String> {
    ["rebase-merge", "rebase-apply"].iter().find_map(|dir| {
        let name = std::fs::read_to_string(gitdir.join(dir).join("head-name")).ok()?;
        Some(name.trim().to_string())
    })
}

/// What is at `path` on disk, the link itself when it is one.
fn entry_on_disk(path: &Path) -> Result<Entry> {
    let meta = match path.symlink_metadata() {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Entry::Absent),
        Err(err) => return Err(err).with_context(|| format!("cannot look at {}", path.display())),
    };
    let kind = meta.file_type();
    Ok(if kind.is_symlink() {
        Entry::Symlink
    } else if kind.is_dir() {
        Entry::Directory
    } else if kind.is_file() {
        Entry::File
    } else {
        Entry::Special
    })
}

/// An index entry for a committed `.gitattributes` file, which
/// `git check-attr --cached` reads by its blob.
fn attributes_entry(path: &str, id: Oid) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: u16::try_from(path.len()).unwrap_or(0xfff).min(0xfff),
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// The blob at `path` in `tree`; `None` when there is none, or a folder.
fn blob_at(tree: &git2::Tree<'_>, path: &str) -> Result<Option<Oid>, git2::Error> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok((entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())),
        Err(err) if err.code() == ErrorCode::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// Runs `command` (a git command, named `what` in errors) with `input` on
/// its standard input, and waits for its output. The input is small (a
/// commit message, a few paths), so writing it whole before reading the
/// output cannot fill a pipe.
fn run_with_input(mut command: Command, input: &[u8], what: &str) -> Result<std::process::Output> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run git (is it on PATH?)")?;
    child
        .stdin
        .take()
        .ok_or_else(|| anyhow!("{what} has no standard input"))?
        .write_all(input)
        .with_context(|| format!("cannot write to {what}'s standard input"))?;
    child
        .wait_with_output()
        .with_context(|| format!("{what} did not finish"))
}
