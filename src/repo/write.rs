//! The writes: the marker commit's tree and commit, the compare-and-swap
//! ref move, and the all-or-nothing switch of the checked-out branch's
//! index and files, under git's own `index.lock`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use envguard_core::ids::CommitId;
use envguard_core::token::{Entry, ENVGUARD_DIR, FINGERPRINT_PATH, MARKER_PATH};
use git2::{Index, IndexEntry, IndexTime, ObjectType, Oid, Signature};

use super::{
    blob_at, commit_id, entry_on_disk, oid, run_with_input, PathState, Repo, Retry, WriteError,
};

impl Repo {
    /// [`WriteError::RefMoved`] when `refname` no longer points at `was`:
    /// whatever else failed meanwhile, that is what happened (another push
    /// running at the same time, say, whose marker commit moved it and
    /// staged its files).
    pub fn moved_meanwhile(
        &self,
        refname: &str,
        was: &CommitId,
        retry: Retry,
    ) -> Result<Option<WriteError>> {
        let now = self.ref_target(refname)?;
        Ok((now.as_ref() != Some(was)).then(|| WriteError::RefMoved {
            refname: refname.to_string(),
            was: was.clone(),
            now,
            retry,
        }))
    }

    /// A commit whose tree is `parent`'s with each of `files` added or
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

    /// The commit object: written here when its identity and dates are
    /// certain to be what git would write ([`Repo::signatures`]), else by
    /// `git commit-tree`, so that signing and every identity rule are git's
    /// own. Spawning git is most of the hook's removal path otherwise.
    fn commit_tree(&self, tree: Oid, parent: &CommitId, message: &str) -> Result<Oid> {
        match self.signatures() {
            Some((author, committer)) => {
                self.commit_in_process(tree, parent, message, &author, &committer)
            }
            None => self.commit_by_git(tree, parent, message),
        }
    }

    fn commit_in_process(
        &self,
        tree: Oid,
        parent: &CommitId,
        message: &str,
        author: &Signature<'_>,
        committer: &Signature<'_>,
    ) -> Result<Oid> {
        let tree = self.repo.find_tree(tree)?;
        let parent = self.repo.find_commit(oid(parent))?;
        self.repo
            .commit(None, author, committer, message, &tree, &[&parent])
            .context("cannot write the marker commit")
    }

    fn commit_by_git(&self, tree: Oid, parent: &CommitId, message: &str) -> Result<Oid> {
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
            WriteError::NothingChanged {
                why: super::describe(&why),
                refname: refname.to_string(),
                parent: old.clone(),
            }
            .into()
        };
        let prepared = self.prepare_switch(&lock, &waiting, old, new, paths, retry);
        let temps = match prepared {
            Ok(Ok(temps)) => temps,
            // A refusal already says what happened and what to do.
            Ok(Err(refused)) => {
                if let Some(moved) = self.moved_meanwhile(refname, old, retry)? {
                    return Err(moved.into());
                }
                return Err(refused.into());
            }
            Err(err) => {
                if let Some(moved) = self.moved_meanwhile(refname, old, retry)? {
                    return Err(moved.into());
                }
                return Err(nothing(err));
            }
        };
        // The point of no return: from here on, a failure is undone.
        if let Err(err) = self.move_ref(refname, old, new, why) {
            return Err(match self.moved_meanwhile(refname, old, retry)? {
                Some(moved) => moved.into(),
                None => nothing(err),
            });
        }
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
    /// files beside the index and the new index into the lock file. The
    /// inner error is a refusal (a user's edit of an envguard file), the
    /// outer one a failure.
    fn prepare_switch(
        &self,
        lock: &Lock,
        waiting: &Path,
        old: &CommitId,
        new: &CommitId,
        paths: &[(&'static str, bool)],
        retry: Retry,
    ) -> Result<Result<Vec<(Temp, String)>, WriteError>> {
        let gitdir = self.repo.path();
        let index_path = gitdir.join("index");
        std::fs::copy(&index_path, &lock.path)
            .with_context(|| format!("cannot write {}", lock.path.display()))?;
        let mut index = Index::open(&lock.path).context("cannot read the git index")?;
        for &(path, excluded) in paths {
            if let PathState::Edited(what) = self.path_state_in(&index, old, path, excluded)? {
                return Ok(Err(WriteError::EnvguardFileEdited { what, path, retry }));
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
        Ok(Ok(temps))
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
                failed.push(format!("{path}: {}", super::describe(&err)));
            }
        }
        let moved_back = self.move_ref(refname, new, old, "undo a failed force-clean marker");
        if failed.is_empty() && moved_back.is_ok() {
            return WriteError::NothingChanged {
                why: super::describe(&why),
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
        WriteError::HalfDone {
            why: super::describe(&why),
            state,
            fix,
        }
        .into()
    }
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
                Err(WriteError::IndexLocked {
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
