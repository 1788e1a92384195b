//! The only door to git: every read of a commit and every write envguard
//! makes goes through here, so each one can be audited in one place.
//!
//! "Not found" is an answer (`Ok(None)`, `Ok(false)`); every other git
//! failure is a [`GitError`] naming what was being read, so a corrupt object
//! store is never mistaken for a commit that was not fetched.
//!
//! Reads use git2. The marker commit object itself is written by
//! `git commit-tree`, so identity, dates and signing follow the user's git
//! exactly (`GIT_AUTHOR_*`, `GIT_COMMITTER_*`, `commit.gpgsign`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};
use envguard_core::ids::CommitId;
use envguard_core::links::{self, Node};
use envguard_core::message::{Message, Operation, Retry};
use envguard_core::token::{Entry, ENVGUARD_DIR, FINGERPRINT_PATH, MARKER_PATH};
use git2::{ErrorCode, Index, IndexEntry, IndexTime, ObjectType, Oid, Repository};

/// A git failure other than "not found", with what envguard was doing.
#[derive(Debug)]
pub struct GitError {
    /// What was being read: `commit 1a2b…`, `refs/remotes/azure/main`.
    pub what: String,
    pub source: git2::Error,
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "git cannot read {}: {} (check the repository with `git fsck`)",
            self.what,
            self.source.message()
        )
    }
}

impl std::error::Error for GitError {}

/// A libgit2 error by its message alone, without the class and code
/// numbers its `Display` adds; `None` for any other error.
pub fn git_message(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    error
        .downcast_ref::<git2::Error>()
        .map(|git| git.message().to_string())
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
pub fn read_with_git(commit: &CommitId) -> impl FnMut(&str) -> Result<Option<Vec<u8>>> + '_ {
    move |path: &str| {
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
        let listed = git(&["ls-tree", "-z", commit.as_str(), "--", path])?;
        // `<mode> <type> <object>\t<path>\0`, or nothing when absent.
        let meta = listed.split(|&b| b == b'\t').next().unwrap_or_default();
        let meta = String::from_utf8_lossy(meta);
        match meta.split(' ').collect::<Vec<_>>()[..] {
            [_, "blob", object] => Ok(Some(git(&["cat-file", "blob", object])?)),
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
        GitEnv { vars }
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
                anyhow::Error::from(Message::Sha256Repository)
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

    /// A file of a commit by repository-relative path, symbolic links
    /// followed as the server's file system follows them
    /// ([`links::resolve`]); `Ok(None)` when the commit has no file there.
    /// An object the tree names but this repository lacks (a partial
    /// clone) is an error saying how to fetch it, never "no file".
    pub fn reader(
        &self,
        commit: &CommitId,
    ) -> Result<impl FnMut(&str) -> Result<Option<Vec<u8>>> + '_> {
        let tree = self.root_tree(commit)?;
        let commit = commit.clone();
        Ok(move |path: &str| -> Result<Option<Vec<u8>>> {
            let Some(id) = self.file_at(&tree, &commit, path)? else {
                return Ok(None);
            };
            let blob = self.object(id, ObjectType::Blob, path, &commit)?;
            Ok(Some(blob.peel_to_blob()?.content().to_vec()))
        })
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
        let found = self
            .repo
            .find_commit(oid(commit))
            .map_err(|source| GitError {
                what: format!("commit {commit}"),
                source,
            })?;
        Ok(found.parent_ids().next().map(commit_id))
    }

    /// Whether this is a shallow clone, whose history ends early.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The root folder of a commit's tree.
    fn root_tree(&self, commit: &CommitId) -> Result<git2::Tree<'_>> {
        let found = self
            .repo
            .find_commit(oid(commit))
            .map_err(|source| GitError {
                what: format!("commit {commit}"),
                source,
            })?;
        let tree = self.object(found.tree_id(), ObjectType::Tree, "the root folder", commit)?;
        Ok(tree.peel_to_tree()?)
    }

    /// The blob a path names in `tree`, links followed.
    fn file_at(&self, tree: &git2::Tree<'_>, commit: &CommitId, path: &str) -> Result<Option<Oid>> {
        let mut lookup = |p: &str| Ok(self.node_at(tree, commit, p)?.0);
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
            Err(err) if err.code() == ErrorCode::NotFound => Err(Message::MissingObject {
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
                return Err(envguard_core::message::Message::UnknownRevision { rev }.into());
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

    /// `None` when git has an author and committer identity for this
    /// repository; else what is missing. envguard never invents one.
    pub fn missing_identity(&self) -> Option<String> {
        let from_env = |var: &str| {
            self.env
                .get(var)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_string)
        };
        let name = |role: &str, var: &str| {
            from_env(var)
                .or_else(|| self.config_string(&format!("{role}.name")))
                .or_else(|| self.config_string("user.name"))
        };
        let email = |role: &str, var: &str| {
            from_env(var)
                .or_else(|| self.config_string(&format!("{role}.email")))
                .or_else(|| self.config_string("user.email"))
                .or_else(|| from_env("EMAIL"))
        };
        let mut missing = Vec::new();
        if name("author", "GIT_AUTHOR_NAME").is_none()
            || name("committer", "GIT_COMMITTER_NAME").is_none()
        {
            missing.push("user.name");
        }
        if email("author", "GIT_AUTHOR_EMAIL").is_none()
            || email("committer", "GIT_COMMITTER_EMAIL").is_none()
        {
            missing.push("user.email");
        }
        (!missing.is_empty()).then(|| missing.join(" and "))
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
            return Err(Message::SparseIndex.into());
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

    /// Writes a commit whose tree is `parent`'s with `files` added or
    /// replaced, and whose only parent is `parent`; no ref moves. The files
    /// must all sit in one top-level folder (`.envguard/…`): only that
    /// subtree is rebuilt, every other entry is the parent's.
    pub fn commit_files(
        &self,
        parent: &CommitId,
        files: &[(&str, &[u8])],
        message: &str,
    ) -> Result<CommitId> {
        let split: Vec<(&str, &str, &[u8])> = files
            .iter()
            .filter_map(|(path, bytes)| path.split_once('/').map(|(dir, name)| (dir, name, *bytes)))
            .collect();
        let dir = match split.first() {
            Some((dir, ..))
                if split.len() == files.len()
                    && split.iter().all(|(d, n, _)| d == dir && !n.contains('/')) =>
            {
                *dir
            }
            _ => bail!("envguard writes files of one top-level folder at a time"),
        };
        let parent_tree = self.repo.find_commit(oid(parent))?.tree()?;
        let existing = match parent_tree.get_name(dir) {
            Some(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Some(self.repo.find_tree(entry.id())?)
            }
            _ => None,
        };
        let mut sub = self.repo.treebuilder(existing.as_ref())?;
        for (_, name, bytes) in &split {
            let blob = self.repo.blob(bytes)?;
            sub.insert(name, blob, 0o100644)?;
        }
        let sub_id = sub.write()?;
        let mut root = self.repo.treebuilder(Some(&parent_tree))?;
        root.insert(dir, sub_id, 0o040000)?;
        let tree = root
            .write()
            .context("cannot write the marker commit's tree")?;
        self.commit_tree(tree, parent, message).map(commit_id)
    }

    /// `git commit-tree`, so that identity, dates and signing are git's own.
    fn commit_tree(&self, tree: Oid, parent: &CommitId, message: &str) -> Result<Oid> {
        let mut command = Command::new("git");
        self.env.apply(&mut command);
        command.arg("--git-dir").arg(self.repo.path()).args([
            "commit-tree",
            &tree.to_string(),
            "-p",
            parent.as_str(),
            "-F",
            "-",
        ]);
        let sign = self.config_bool("commit.gpgsign");
        if sign {
            // commit-tree signs only when asked; the user asked in config.
            command.arg("-S");
        }
        let output = run_with_input(command, message.as_bytes(), "git commit-tree")?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let signing = if sign {
                " (commit.gpgsign is set: check that signing works, e.g. with `git commit --allow-empty`)"
            } else {
                ""
            };
            bail!(
                "git could not write the marker commit{signing}: {}",
                stderr.trim()
            );
        }
        let text = String::from_utf8_lossy(&output.stdout);
        Oid::from_str(text.trim())
            .map_err(|_| anyhow!("git commit-tree printed no commit id: {text}"))
    }

    /// Moves `refname` (a branch, or a detached `HEAD`) from `old` to `new`
    /// by compare-and-swap: it fails, moving nothing, if the ref no longer
    /// points at `old` (someone moved it meanwhile). The reflog names
    /// envguard.
    pub fn move_ref(&self, refname: &str, old: &CommitId, new: &CommitId, why: &str) -> Result<()> {
        let log = format!("envguard: {why}");
        self.repo
            .reference_matching(refname, oid(new), true, oid(old), &log)
            .map(|_| ())
            .with_context(|| {
                format!("cannot move {refname} from {old} to {new}; it may have moved meanwhile: check `git log` and push again")
            })
    }

    /// Moves the checked-out `refname` from `old` to `new` and makes the
    /// index and working tree show `new`'s version of `paths`, all or
    /// nothing, as `git commit` does: the index lock first (`index.lock`,
    /// created exclusively), everything prepared under it (the new index in
    /// the lock file, the new files beside the index), then the ref moved by
    /// compare-and-swap, the files renamed into place, and the lock renamed
    /// over the index. A failure before the ref moves changes nothing; one
    /// after it is undone. A path `excluded` by the sparse checkout gets a
    /// skip-worktree entry and no file. Only a process killed while holding
    /// the lock leaves it behind, as git would: README, "When envguard
    /// stops with an error", says what to do then.
    pub fn switch_checked_out(
        &self,
        refname: &str,
        old: &CommitId,
        new: &CommitId,
        paths: &[(&'static str, bool)],
        (why, retry): (&str, Retry),
    ) -> Result<()> {
        let Some(workdir) = self.repo.workdir() else {
            return self.move_ref(refname, old, new, why);
        };
        let gitdir = self.repo.path();
        let lock = Lock::take(&gitdir.join("index.lock"))?;
        // New files wait beside the index, out of sight of `git status`,
        // unless the working tree is on another file system (a rename
        // cannot cross one): then in the folder they go to.
        let waiting = if same_file_system(gitdir, workdir) {
            gitdir.to_path_buf()
        } else {
            workdir.join(ENVGUARD_DIR)
        };
        // Left by an earlier envguard that was killed under the lock (which
        // is ours now): libgit2's lock on the lock file, and our new files.
        let _ = std::fs::remove_file(gitdir.join("index.lock.lock"));
        for (path, _) in paths {
            let _ = std::fs::remove_file(waiting_file(&waiting, path));
        }
        let nothing = |why: anyhow::Error| -> anyhow::Error {
            Message::NothingChanged {
                why: format!("{why:#}"),
                refname: refname.to_string(),
                parent: old.clone(),
            }
            .into()
        };
        let prepared = self.prepare_switch(&lock, &waiting, old, new, paths, retry);
        let temps = match prepared {
            Ok(temps) => temps,
            Err(err) if err.downcast_ref::<Message>().is_some() => return Err(err),
            Err(err) => return Err(nothing(err)),
        };
        // The point of no return: from here on, a failure is undone.
        self.move_ref(refname, old, new, why).map_err(nothing)?;
        let mut placed = Vec::new();
        let result = (|| -> Result<()> {
            for (temp, path) in &temps {
                let target = workdir.join(path);
                if let Some(dir) = target.parent() {
                    ensure_real_dir(dir)?;
                }
                match entry_on_disk(&target)? {
                    Entry::Absent | Entry::File => {}
                    found => bail!("{path} became {found} in the working tree meanwhile"),
                }
                std::fs::rename(temp.path(), &target)
                    .with_context(|| format!("cannot write {}", target.display()))?;
                temp.placed();
                placed.push(path.as_str());
            }
            lock.commit(&gitdir.join("index"))
        })();
        match result {
            Ok(()) => Ok(()),
            Err(err) => Err(self.undo_switch(refname, old, new, &placed, err)),
        }
    }

    /// Under the index lock: checks again that nothing moved, writes the new
    /// files beside the index and the new index into the lock file.
    fn prepare_switch(
        &self,
        lock: &Lock,
        waiting: &Path,
        old: &CommitId,
        new: &CommitId,
        paths: &[(&'static str, bool)],
        retry: Retry,
    ) -> Result<Vec<(Temp, String)>> {
        let gitdir = self.repo.path();
        let index_path = gitdir.join("index");
        std::fs::copy(&index_path, &lock.path)
            .with_context(|| format!("cannot write {}", lock.path.display()))?;
        let mut index = Index::open(&lock.path).context("cannot read the git index")?;
        for &(path, excluded) in paths {
            if let PathState::Edited(what) = self.path_state_in(&index, old, path, excluded)? {
                return Err(Message::EnvguardFileEdited { what, path, retry }.into());
            }
        }
        let tree = self.repo.find_commit(oid(new))?.tree()?;
        let mut temps = Vec::new();
        for &(path, excluded) in paths {
            let id = blob_at(&tree, path)?
                .ok_or_else(|| anyhow!("{path} is missing from commit {new}"))?;
            let blob = self.repo.find_blob(id)?;
            let mut entry = IndexEntry {
                ctime: IndexTime::new(0, 0),
                mtime: IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: u32::try_from(blob.size()).unwrap_or(u32::MAX),
                id,
                flags: u16::try_from(path.len()).unwrap_or(0xfff).min(0xfff),
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            if excluded {
                entry.flags_extended = SKIP_WORKTREE;
            } else {
                ensure_real_dir(waiting)?;
                let temp = Temp::write(&waiting_file(waiting, path), blob.content())?;
                stat_into(&mut entry, &temp.path().symlink_metadata()?);
                temps.push((temp, path.to_string()));
            }
            index
                .add(&entry)
                .with_context(|| format!("cannot stage {path}"))?;
        }
        index
            .write()
            .with_context(|| format!("cannot write {}", lock.path.display()))?;
        Ok(temps)
    }

    /// Puts back what a failed switch changed after the ref moved; says
    /// exactly where things stand when that fails too.
    fn undo_switch(
        &self,
        refname: &str,
        old: &CommitId,
        new: &CommitId,
        placed: &[&str],
        why: anyhow::Error,
    ) -> anyhow::Error {
        let mut failed = Vec::new();
        let workdir = self.repo.workdir().unwrap_or(Path::new("."));
        let before = self.repo.find_commit(oid(old)).and_then(|c| c.tree());
        for path in placed {
            let target = workdir.join(path);
            let restored = match &before {
                Ok(tree) => match blob_at(tree, path) {
                    Ok(Some(id)) => self
                        .repo
                        .find_blob(id)
                        .map_err(anyhow::Error::from)
                        .and_then(|blob| crate::fs::write_atomically(&target, blob.content())),
                    Ok(None) => std::fs::remove_file(&target).map_err(anyhow::Error::from),
                    Err(err) => Err(err.into()),
                },
                Err(err) => Err(anyhow!("{err}")),
            };
            if let Err(err) = restored {
                failed.push(format!("{path}: {err:#}"));
            }
        }
        let moved_back = self.move_ref(refname, new, old, "undo a failed force-clean marker");
        if failed.is_empty() && moved_back.is_ok() {
            return Message::NothingChanged {
                why: format!("{why:#}"),
                refname: refname.to_string(),
                parent: old.clone(),
            }
            .into();
        }
        let paths = placed.join(" ");
        let (state, fix) = if moved_back.is_err() {
            (
                format!(
                    "{refname} points at the marker commit {}, the index is the one from before",
                    new.short()
                ),
                format!("`git restore --staged --worktree -- {MARKER_PATH} {FINGERPRINT_PATH}`"),
            )
        } else {
            (
                format!(
                    "{refname} points at {} again, but {paths} in the working tree could not be put back ({})",
                    old.short(),
                    failed.join("; ")
                ),
                format!("`git restore --worktree -- {paths}` (or delete them where git status calls them untracked)"),
            )
        };
        Message::HalfDone {
            why: format!("{why:#}"),
            state,
            fix,
        }
        .into()
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

/// git's skip-worktree bit in an index entry's extended flags.
const SKIP_WORKTREE: u16 = 1 << 14;

/// Where the new file for `path` waits in `dir` until it is renamed into
/// the working tree.
fn waiting_file(dir: &Path, path: &str) -> PathBuf {
    dir.join(format!("envguard-new-{}", path.replace('/', "-")))
}

/// Whether a rename can go from `a` to `b`.
#[cfg(unix)]
fn same_file_system(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (a.metadata(), b.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

/// Elsewhere a failed rename is undone and reported like any failed write.
#[cfg(not(unix))]
fn same_file_system(_a: &Path, _b: &Path) -> bool {
    true
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

/// Creates `dir` when it is missing; refuses anything but a real folder.
fn ensure_real_dir(dir: &Path) -> Result<()> {
    match entry_on_disk(dir)? {
        Entry::Directory => Ok(()),
        Entry::Absent => {
            std::fs::create_dir(dir).with_context(|| format!("cannot create {}", dir.display()))
        }
        found => bail!(
            "{} became {found} in the working tree meanwhile",
            dir.display()
        ),
    }
}

/// The stat data git keeps for a file, so that `git status` need not
/// hash it again.
#[cfg(unix)]
fn stat_into(entry: &mut IndexEntry, meta: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // The index stores these fields in 32 bits, truncated as git does.
    entry.ctime = IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32);
    entry.mtime = IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32);
    entry.dev = meta.dev() as u32;
    entry.ino = meta.ino() as u32;
    entry.uid = meta.uid();
    entry.gid = meta.gid();
    entry.file_size = meta.size() as u32;
}

/// Elsewhere git hashes the file on the next `git status`.
#[cfg(not(unix))]
fn stat_into(_entry: &mut IndexEntry, _meta: &std::fs::Metadata) {}

/// git's lock on the index: `index.lock`, created exclusively; removed
/// when dropped unless renamed over the index.
struct Lock {
    path: PathBuf,
    held: std::cell::Cell<bool>,
}

impl Lock {
    fn take(path: &Path) -> Result<Lock> {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(_) => Ok(Lock {
                path: path.to_path_buf(),
                held: std::cell::Cell::new(true),
            }),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(Message::IndexLocked {
                    lock: path.display().to_string(),
                }
                .into())
            }
            Err(err) => Err(err).with_context(|| format!("cannot create {}", path.display())),
        }
    }

    /// Renames the lock over `index`: the new index, and the lock released.
    fn commit(&self, index: &Path) -> Result<()> {
        std::fs::rename(&self.path, index)
            .with_context(|| format!("cannot write {}", index.display()))?;
        self.held.set(false);
        Ok(())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if self.held.get() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A new file waiting beside the index; removed when dropped unless placed.
struct Temp {
    path: PathBuf,
    waiting: std::cell::Cell<bool>,
}

impl Temp {
    fn write(path: &Path, bytes: &[u8]) -> Result<Temp> {
        let temp = Temp {
            path: path.to_path_buf(),
            waiting: std::cell::Cell::new(false),
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        temp.waiting.set(true);
        file.write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(temp)
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn placed(&self) {
        self.waiting.set(false);
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if self.waiting.get() {
            let _ = std::fs::remove_file(&self.path);
        }
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
