//! The only door to git: every read of a commit and every write envguard
//! makes goes through here, so each one can be audited in one place.
//!
//! Reads use git2. The marker commit object itself is written by
//! `git commit-tree`, so identity, dates and signing follow the user's git
//! exactly (`GIT_AUTHOR_*`, `GIT_COMMITTER_*`, `commit.gpgsign`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};
use git2::{ErrorCode, ObjectType, Oid, Repository};

/// An open repository.
pub struct Repo {
    repo: Repository,
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
        let repo = Repository::open_from_env()
            .context("cannot open the git repository here; run envguard inside one")?;
        Ok(Repo { repo })
    }

    /// The working tree, if there is one.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Whether a commit exists locally.
    pub fn has_commit(&self, oid: Oid) -> bool {
        self.repo.find_commit(oid).is_ok()
    }

    /// A file of a commit by repository-relative path; `Ok(None)` when the
    /// commit has no file there.
    pub fn reader(&self, commit: Oid) -> Result<impl FnMut(&str) -> Result<Option<Vec<u8>>> + '_> {
        let tree = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .with_context(|| format!("cannot read commit {commit}"))?;
        Ok(move |path: &str| -> Result<Option<Vec<u8>>> {
            let context = || format!("cannot read {path} in commit {commit}");
            let Some(id) = blob_at(&tree, path).with_context(context)? else {
                return Ok(None);
            };
            let blob = self.repo.find_blob(id).with_context(context)?;
            Ok(Some(blob.content().to_vec()))
        })
    }

    /// Whether two commits hold the same bytes (the same blob, or nothing)
    /// at every path: compared by object id, nothing is read.
    pub fn same_blobs(&self, a: Oid, b: Oid, paths: &[String]) -> bool {
        let tree = |oid| self.repo.find_commit(oid).and_then(|c| c.tree());
        let (Ok(a), Ok(b)) = (tree(a), tree(b)) else {
            return false;
        };
        let blob = |tree, path| blob_at(tree, path).ok().flatten();
        paths.iter().all(|path| blob(&a, path) == blob(&b, path))
    }

    /// The commit a remote-tracking branch points at, if it exists and its
    /// commit is local.
    pub fn tracking_ref(&self, remote: &str, branch: &str) -> Option<(String, Oid)> {
        let refname = format!("refs/remotes/{remote}/{branch}");
        let oid = self.repo.refname_to_id(&refname).ok()?;
        self.has_commit(oid).then_some((refname, oid))
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
    pub fn head_commit(&self) -> Option<Oid> {
        self.repo.head().ok()?.target()
    }

    /// Whether a ref is what HEAD shows in this worktree.
    pub fn is_checked_out(&self, refname: &str) -> bool {
        refname == "HEAD" || self.head_branch().as_deref() == Some(refname)
    }

    /// A revision (`HEAD~2`, a branch, an id) as a commit.
    pub fn resolve(&self, rev: &str) -> Result<Oid> {
        let object = self
            .repo
            .revparse_single(rev)
            .with_context(|| format!("unknown revision `{rev}`"))?;
        let commit = object
            .peel_to_commit()
            .with_context(|| format!("`{rev}` is not a commit"))?;
        Ok(commit.id())
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
            (on_branch && Some(&dir) != here.as_ref()).then_some(dir)
        })
    }

    /// The commit a ref points at now.
    pub fn ref_target(&self, refname: &str) -> Option<Oid> {
        self.repo.refname_to_id(refname).ok()
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
        let from_env = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
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
    /// `base`: untouched, or edited (what, in words).
    pub fn path_state(&self, base: Oid, path: &str) -> Result<PathState> {
        let Some(workdir) = self.repo.workdir() else {
            return Ok(PathState::Clean);
        };
        let committed = self.blob_id(base, path)?;
        let index = self.repo.index().context("cannot read the git index")?;
        let staged = index.get_path(Path::new(path), 0).map(|e| e.id);
        if staged != committed {
            return Ok(PathState::Edited(format!("{path} has staged changes")));
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

    fn blob_id(&self, commit: Oid, path: &str) -> Result<Option<Oid>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        Ok(blob_at(&tree, path)?)
    }

    /// Writes a commit whose tree is `parent`'s with `files` added or
    /// replaced, and whose only parent is `parent`; no ref moves. The files
    /// must all sit in one top-level folder (`.envguard/…`): only that
    /// subtree is rebuilt, every other entry is the parent's.
    pub fn commit_files(&self, parent: Oid, files: &[(&str, &[u8])], message: &str) -> Result<Oid> {
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
        let parent_tree = self.repo.find_commit(parent)?.tree()?;
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
        self.commit_tree(tree, parent, message)
    }

    /// `git commit-tree`, so that identity, dates and signing are git's own.
    fn commit_tree(&self, tree: Oid, parent: Oid, message: &str) -> Result<Oid> {
        let mut command = Command::new("git");
        command.arg("--git-dir").arg(self.repo.path()).args([
            "commit-tree",
            &tree.to_string(),
            "-p",
            &parent.to_string(),
            "-F",
            "-",
        ]);
        let sign = self.config_bool("commit.gpgsign");
        if sign {
            // commit-tree signs only when asked; the user asked in config.
            command.arg("-S");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run git (is it on PATH?)")?;
        child
            .stdin
            .take()
            .ok_or_else(|| anyhow!("git commit-tree has no standard input"))?
            .write_all(message.as_bytes())
            .context("cannot pass the commit message to git")?;
        let output = child
            .wait_with_output()
            .context("git commit-tree did not finish")?;
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

    /// Moves `refname` from `old` to `new`, failing if it no longer points at
    /// `old` (someone moved it meanwhile). The reflog names envguard.
    pub fn move_ref(&self, refname: &str, old: Oid, new: Oid, why: &str) -> Result<()> {
        let log = format!("envguard: {why}");
        let result = if refname == "HEAD" {
            match self.repo.head().ok().and_then(|h| h.target()) {
                Some(current) if current == old => self.repo.set_head_detached(new),
                _ => bail!("HEAD moved while envguard was working; check `git log` and push again"),
            }
        } else {
            self.repo
                .reference_matching(refname, new, true, old, &log)
                .map(|_| ())
        };
        result.with_context(|| {
            format!("cannot move {refname} from {old} to {new}; it may have moved meanwhile: check `git log` and push again")
        })
    }

    /// Makes the index and working tree show `commit`'s version of `paths`
    /// (written whole: temp file, then rename), touching nothing else.
    pub fn check_out_paths(&self, commit: Oid, paths: &[&str]) -> Result<()> {
        let Some(workdir) = self.repo.workdir() else {
            return Ok(());
        };
        let mut read = self.reader(commit)?;
        for path in paths {
            let bytes =
                read(path)?.ok_or_else(|| anyhow!("{path} is missing from commit {commit}"))?;
            write_atomically(&workdir.join(path), &bytes)?;
        }
        let mut index = self.repo.index().context("cannot read the git index")?;
        for path in paths {
            index
                .add_path(Path::new(path))
                .with_context(|| format!("cannot stage {path}"))?;
        }
        index.write().context("cannot write the git index")
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

/// Writes a file whole or not at all: a temp file beside it, then a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temp: PathBuf = dir.join(format!(".{name}.envguard-{}", std::process::id()));
    let result = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
