//! The marker commit is all or nothing (docs/exit-codes.md, "The marker
//! commit is all or nothing"): killed with
//! SIGKILL at any moment, refused a held `index.lock`, or cut short by a
//! full disk (`ulimit -f`), envguard leaves the repository untouched or the
//! marker fully committed; the user's staged and unstaged work is never
//! touched. Real git, real signals, real resource limits.
//!
//! Acceptable end states (README, "When envguard stops with an error"):
//! - untouched: the branch at the pushed commit, index and files as before;
//! - done: the branch at the marker commit, its two files in the index and
//!   the working tree, everything else as before;
//! - killed while holding `.git/index.lock` (as git itself leaves it when
//!   killed there): with the branch at the pushed commit and nothing else
//!   changed, or at the marker commit with the index not yet switched.
//!   The documented next step (remove the lock; if `git status` shows the
//!   envguard files changed, `git restore --staged --worktree` them) must
//!   then give one of the first two states.

#![cfg(target_os = "linux")]

use crate::common;

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{assert_code, assert_says, envguard_bin, Run, TestRepo};

const MARKER: &str = ".envguard/force-clean";
const FINGERPRINT: &str = ".envguard/fingerprint.toml";

/// A repository ready for the hook: deployed, then a commit removing `six`,
/// with the user's own work on top (staged, unstaged, untracked).
struct Scene {
    repo: TestRepo,
    bare: PathBuf,
    pushed: String,
    line: String,
}

/// `earlier_marker`: whether `.envguard/` already exists (a marker was
/// deployed before), so the hook replaces files instead of creating them.
/// `extra_files` makes the index bigger (for `ulimit -f`).
fn scene(earlier_marker: bool, extra_files: usize) -> Scene {
    let repo = TestRepo::new();
    let mut files = vec![
        (
            "requirements.txt".to_string(),
            "flask==3.0.0\nsix\n".to_string(),
        ),
        ("runtime.txt".to_string(), "python-3.11\n".to_string()),
        ("app.py".to_string(), "print('app')\n".to_string()),
        ("lib.py".to_string(), "X = 1\n".to_string()),
    ];
    for i in 0..extra_files {
        files.push((
            format!("pkg/module_with_a_long_name_{i:04}.py"),
            format!("N = {i}\n"),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    repo.commit(&files, "app");
    if earlier_marker {
        assert_code(&repo.envguard(&["--reset"]), 0);
    }
    let bare = repo.add_remote("azure");
    assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
    let deployed = repo.rev("main");
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop six");
    repo.write("app.py", "print('staged edit')\n");
    repo.git(&["add", "app.py"]);
    repo.write("app.py", "print('staged edit, then more')\n");
    repo.write("lib.py", "X = 2  # unstaged\n");
    repo.write("notes.txt", "untracked\n");
    let line = format!("refs/heads/main {pushed} refs/heads/main {deployed}\n");
    Scene {
        repo,
        bare,
        pushed,
        line,
    }
}

/// Everything a run may not change, read from a copy of the scene.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Snapshot {
    /// `git ls-files -s` outside `.envguard/`.
    index_outside: String,
    /// `git ls-files -s -- .envguard`.
    index_envguard: String,
    /// Every file of the working tree outside `.git/` and `.envguard/`.
    files_outside: BTreeMap<String, Vec<u8>>,
    /// The files under `.envguard/`.
    files_envguard: BTreeMap<String, Vec<u8>>,
    status: String,
}

fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if skip.contains(&rel.as_str()) {
            continue;
        }
        let meta = path.symlink_metadata().unwrap();
        if meta.is_dir() {
            walk(root, &path, skip, out);
        } else {
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

fn git(repo: &TestRepo, dir: &Path, args: &[&str]) -> Run {
    repo.run_in(dir, common::which("git"), args, &[])
}

fn git_ok(repo: &TestRepo, dir: &Path, args: &[&str]) -> String {
    repo.git_in(dir, args)
}

fn snapshot(repo: &TestRepo, dir: &Path) -> Snapshot {
    let all = git_ok(repo, dir, &["ls-files", "-s"]);
    let (envguard, outside): (Vec<&str>, Vec<&str>) =
        all.lines().partition(|l| l.contains("\t.envguard/"));
    let mut files_outside = BTreeMap::new();
    walk(dir, dir, &[".git", ".envguard"], &mut files_outside);
    let mut files_envguard = BTreeMap::new();
    if dir.join(".envguard").is_dir() {
        walk(dir, &dir.join(".envguard"), &[], &mut files_envguard);
    }
    Snapshot {
        index_outside: outside.join("\n"),
        index_envguard: envguard.join("\n"),
        files_outside,
        files_envguard,
        status: git_ok(repo, dir, &["status", "--porcelain"]),
    }
}

/// What the index and `.envguard/` hold when `commit` is checked out
/// cleanly: its two envguard blobs, staged and on disk.
fn envguard_as_in(
    repo: &TestRepo,
    dir: &Path,
    commit: &str,
) -> (String, BTreeMap<String, Vec<u8>>) {
    let tree = git_ok(repo, dir, &["ls-tree", "-r", commit, "--", ".envguard"]);
    let mut index = Vec::new();
    let mut files = BTreeMap::new();
    for entry in tree.lines() {
        let (meta, path) = entry.split_once('\t').unwrap();
        let parts: Vec<&str> = meta.split(' ').collect();
        index.push(format!("{} {} 0\t{path}", parts[0], parts[2]));
        let bytes = repo
            .command("git", dir)
            .args(["cat-file", "blob", parts[2]])
            .output()
            .unwrap()
            .stdout;
        files.insert(path.to_string(), bytes);
    }
    (index.join("\n"), files)
}

/// Where a run left the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Untouched,
    Done,
    LockAtPushed,
    LockAtMarker,
}

/// Classifies the copy `dir` of the scene `before`; `Err` says what is wrong.
fn judge(scene: &Scene, before: &Snapshot, dir: &Path) -> Result<End, String> {
    let repo = &scene.repo;
    let fsck = git(repo, dir, &["fsck", "--no-progress", "--no-dangling"]);
    if fsck.code != 0 || !fsck.stdout.trim().is_empty() || !fsck.stderr.trim().is_empty() {
        return Err(format!("git fsck: {}{}", fsck.stdout, fsck.stderr));
    }
    let gitdir = dir.join(".git");
    let lock = gitdir.join("index.lock");
    let ref_lock = gitdir.join("refs/heads/main.lock");
    let locked = lock.exists();
    if ref_lock.exists() && !locked {
        return Err("refs/heads/main.lock left behind without the index lock".to_string());
    }
    let main = git_ok(repo, dir, &["rev-parse", "refs/heads/main"]);
    let at_marker = if main == scene.pushed {
        false
    } else {
        let parent = git_ok(repo, dir, &["rev-parse", "main^"]);
        let changed = git_ok(
            repo,
            dir,
            &["diff-tree", "--no-commit-id", "--name-only", "-r", "main"],
        );
        if parent != scene.pushed || changed != format!("{FINGERPRINT}\n{MARKER}") {
            return Err(format!(
                "main moved to {main}, which is no marker commit on the pushed one"
            ));
        }
        true
    };
    let leftovers: Vec<String> = std::fs::read_dir(&gitdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("envguard") || n.ends_with(".lock"))
        .collect();
    let end = match (locked, at_marker) {
        (false, false) => End::Untouched,
        (false, true) => End::Done,
        (true, false) => End::LockAtPushed,
        (true, true) => End::LockAtMarker,
    };
    if !locked && !leftovers.is_empty() {
        return Err(format!("left behind without a lock: {leftovers:?}"));
    }
    if locked {
        // The documented next step.
        std::fs::remove_file(&lock).unwrap();
        let _ = std::fs::remove_file(&ref_lock);
        let status = git_ok(repo, dir, &["status", "--porcelain", "--", ".envguard"]);
        if !status.is_empty() {
            let run = git(
                repo,
                dir,
                &[
                    "restore",
                    "--staged",
                    "--worktree",
                    "--",
                    MARKER,
                    FINGERPRINT,
                ],
            );
            if run.code != 0 {
                return Err(format!("the next step failed: {}", run.stderr));
            }
        }
    }
    let after = snapshot(repo, dir);
    if after.index_outside != before.index_outside {
        return Err(format!(
            "the index changed outside .envguard:\n{}",
            after.index_outside
        ));
    }
    if after.files_outside != before.files_outside {
        return Err("the user's files changed".to_string());
    }
    if after.status != before.status {
        return Err(format!(
            "git status:\n{}\nwas:\n{}",
            after.status, before.status
        ));
    }
    let (index, files) = if at_marker {
        envguard_as_in(repo, dir, "main")
    } else {
        (before.index_envguard.clone(), before.files_envguard.clone())
    };
    if after.index_envguard != index {
        return Err(format!(
            "index .envguard entries:\n{}\nwanted:\n{index}",
            after.index_envguard
        ));
    }
    if after.files_envguard != files {
        return Err(format!(
            "the .envguard files: {:?}",
            after.files_envguard.keys()
        ));
    }
    Ok(end)
}

/// Copies the scene's repository (`cp -a`, as a user's backup would).
fn copy_of(scene: &Scene, name: &str) -> PathBuf {
    let dir = scene.repo.root.path().join(name);
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(&scene.repo.dir)
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// Starts the hook in `dir` in a process group of its own, its ref line
/// already on stdin.
fn start_hook(scene: &Scene, dir: &Path) -> Child {
    let mut child = scene
        .repo
        .command(envguard_bin(), dir)
        .arg("pre-push")
        .arg("azure")
        .arg(&scene.bare)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(scene.line.as_bytes()).unwrap();
    drop(stdin);
    child
}

/// Waits until no process of group `pgid` is left (a `git commit-tree` the
/// hook started may outlive it by a moment).
fn wait_for_group(pgid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let alive = std::fs::read_dir("/proc").unwrap().any(|entry| {
            let stat =
                std::fs::read_to_string(entry.unwrap().path().join("stat")).unwrap_or_default();
            // Field 5 (after the parenthesised command) is the group.
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(2).map(str::to_string))
                .is_some_and(|group| group == pgid.to_string())
        });
        if !alive || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn sigkill_at_any_moment_leaves_the_repository_untouched_or_done() {
    let runs: usize = std::env::var("ENVGUARD_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let scenes = [scene(false, 20), scene(true, 20)];
    let befores: Vec<Snapshot> = scenes
        .iter()
        .map(|s| snapshot(&s.repo, &s.repo.dir))
        .collect();

    // How long an unkilled run of each scene takes here (the median of
    // three); its kills spread over 0..1.2 times that.
    let mut full = Vec::new();
    for (i, scene) in scenes.iter().enumerate() {
        let mut took = Vec::new();
        for attempt in 0..3 {
            let dir = copy_of(scene, &format!("whole-{i}-{attempt}"));
            let started = Instant::now();
            let mut child = start_hook(scene, &dir);
            let status = child.wait().unwrap();
            took.push(started.elapsed());
            assert_eq!(status.code(), Some(1), "an unkilled run commits the marker");
            assert_eq!(judge(scene, &befores[i], &dir), Ok(End::Done));
            std::fs::remove_dir_all(&dir).unwrap();
        }
        took.sort();
        full.push(took[1]);
    }
    let spans: Vec<Duration> = full.iter().map(|t| t.mul_f64(1.2)).collect();

    let mut counts: BTreeMap<End, usize> = BTreeMap::new();
    let mut bad = Vec::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for run in 0..runs {
        let which = run % 2;
        let scene = &scenes[which];
        let span = spans[which];
        let dir = copy_of(scene, &format!("run-{run}"));
        // Evenly spread, plus a jitter below one step so that the whole
        // span is covered, not a grid. Every other run of a scene spreads
        // over the whole span; the rest over its last 40 per cent, where
        // the writes are (reading and `git commit-tree` come first).
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let per_scene = runs.div_ceil(2) as f64;
        let (from, width) = if (run / 2) % 2 == 0 {
            (0.0, 1.0)
        } else {
            (0.6 / 1.2, 0.6 / 1.2)
        };
        let step = width / (per_scene / 2.0);
        let jitter = (seed >> 11) as f64 / (1u64 << 53) as f64 * step;
        let position = from + width * ((run / 4) as f64 / (per_scene / 2.0)) + jitter;
        let delay = span.mul_f64(position.min(1.0));
        let mut child = start_hook(scene, &dir);
        let pgid = child.id();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        wait_for_group(pgid);
        match judge(scene, &befores[which], &dir) {
            Ok(end) => *counts.entry(end).or_default() += 1,
            Err(why) => bad.push(format!("run {run} (killed after {delay:?}): {why}")),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!(
        "kill loop: {runs} runs, delays 0..{spans:?} (an unkilled run: {full:?}); \
         end states {counts:?}; bad runs: {}",
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} bad runs:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn a_held_index_lock_leaves_branch_index_and_files_untouched() {
    let scene = scene(true, 0);
    let repo = &scene.repo;
    let before = snapshot(repo, &repo.dir);
    let lock = repo.dir.join(".git/index.lock");
    std::fs::write(&lock, "held by another git\n").unwrap();

    let run = repo.envguard_with_input(
        &["pre-push", "azure", scene.bare.to_str().unwrap()],
        &scene.line,
    );
    assert_says!(run, 2);
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap(),
        "held by another git\n"
    );
    assert_eq!(repo.rev("main"), scene.pushed);

    std::fs::remove_file(&lock).unwrap();
    assert_eq!(judge(&scene, &before, &repo.dir), Ok(End::Untouched));
    let run = repo.envguard_with_input(
        &["pre-push", "azure", scene.bare.to_str().unwrap()],
        &scene.line,
    );
    assert_code(&run, 1);
    assert_eq!(judge(&scene, &before, &repo.dir), Ok(End::Done));
}

#[test]
fn an_index_that_cannot_be_written_leaves_no_new_files_behind() {
    // libgit2 writes the new index through a lock of its own,
    // `index.lock.lock`; a folder there (which envguard's clean-up of a
    // killed run cannot remove) makes that write fail after the new files
    // were written beside the index. They go again, with the lock.
    let scene = scene(true, 0);
    let repo = &scene.repo;
    let before = snapshot(repo, &repo.dir);
    let blocker = repo.dir.join(".git/index.lock.lock");
    std::fs::create_dir(&blocker).unwrap();

    let run = repo.envguard_with_input(
        &["pre-push", "azure", scene.bare.to_str().unwrap()],
        &scene.line,
    );
    assert_says!(run, 2);
    let left: Vec<String> = std::fs::read_dir(repo.dir.join(".git"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("envguard-new-") || name == "index.lock")
        .collect();
    assert!(left.is_empty(), "left in .git: {left:?}");
    std::fs::remove_dir(&blocker).unwrap();
    assert_eq!(judge(&scene, &before, &repo.dir), Ok(End::Untouched));
}

#[test]
fn a_full_disk_under_ulimit_f_rolls_the_marker_commit_back() {
    // Enough files that the index outgrows the limit; objects stay under it.
    let scene = scene(true, 300);
    let repo = &scene.repo;
    let before = snapshot(repo, &repo.dir);
    let index_size = std::fs::metadata(repo.dir.join(".git/index"))
        .unwrap()
        .len();
    assert!(index_size > 16 * 1024, "index of {index_size} bytes");

    let limited = |blocks: &str| {
        let mut child = repo
            .command("bash", &repo.dir)
            .arg("-c")
            .arg(format!(
                "ulimit -f {blocks} && exec \"$0\" pre-push azure \"$1\""
            ))
            .arg(envguard_bin())
            .arg(&scene.bare)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(scene.line.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // 8 blocks of 1 KiB: bash's `ulimit -f` unit.
    let (status, stderr) = limited("8");
    assert_eq!(status.code(), Some(2), "{status:?}: {stderr}");
    // Which write the limit stops depends on the sizes of git's files on
    // this machine, so the message is not pinned whole.
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(judge(&scene, &before, &repo.dir), Ok(End::Untouched));

    let (status, stderr) = limited("unlimited");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(judge(&scene, &before, &repo.dir), Ok(End::Done));
}

#[test]
fn a_git_dir_on_another_file_system_still_gets_the_marker() {
    // /dev/shm is a tmpfs: a git folder there is on another file system
    // than a working tree under the temp folder, so no rename crosses.
    let shm = Path::new("/dev/shm");
    let scene = scene(false, 0);
    let repo = &scene.repo;
    let dev = |p: &Path| std::os::unix::fs::MetadataExt::dev(&p.metadata().unwrap());
    if !shm.is_dir() || dev(shm) == dev(&repo.dir) {
        eprintln!("skipped: no second file system at /dev/shm");
        return;
    }
    let gitdir = tempfile::Builder::new()
        .prefix("envguard-gitdir")
        .tempdir_in(shm)
        .unwrap();
    let moved = gitdir.path().join("app.git");
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(repo.dir.join(".git"))
        .arg(&moved)
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::remove_dir_all(repo.dir.join(".git")).unwrap();
    std::fs::write(
        repo.dir.join(".git"),
        format!("gitdir: {}\n", moved.display()),
    )
    .unwrap();
    let before = snapshot(repo, &repo.dir);

    let run = repo.envguard_with_input(
        &["pre-push", "azure", scene.bare.to_str().unwrap()],
        &scene.line,
    );
    assert_code(&run, 1);
    let marker = repo.git(&["show", "main:.envguard/force-clean"]);
    assert_eq!(repo.read(MARKER), format!("{marker}\n"));
    let after = snapshot(repo, &repo.dir);
    assert_eq!(after.status, before.status);
    assert_eq!(after.index_outside, before.index_outside);
    assert_eq!(after.files_outside, before.files_outside);
}

/// `chattr FLAGS PATH`, undone when dropped; `None` where the file system
/// has no such attributes (tmpfs, overlay on some kernels) or chattr is
/// missing: the caller then skips, saying so. As root, `+i` (immutable) and
/// `+a` (append-only) are the only way to make a write fail on purpose.
struct Attr(PathBuf, &'static str);

impl Attr {
    fn set(path: &Path, on: &'static str, off: &'static str) -> Option<Attr> {
        let ok = std::process::Command::new("chattr")
            .arg(on)
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: chattr {on} does not work on {}", path.display());
        }
        ok.then(|| Attr(path.to_path_buf(), off))
    }
}

impl Drop for Attr {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg(self.1)
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_lock_that_cannot_be_created_is_not_called_held_by_another_git() {
    let scene = scene(false, 0);
    let repo = &scene.repo;
    let Some(_frozen) = Attr::set(&repo.dir.join(".git"), "+i", "-i") else {
        return;
    };
    let run = repo.envguard_with_input(
        &["pre-push", "azure", scene.bare.to_str().unwrap()],
        &scene.line,
    );
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), scene.pushed);
}

#[test]
fn an_undo_that_cannot_put_the_files_back_says_where_things_stand() {
    // The new index cannot replace the old one (immutable), after both new
    // files were placed; putting them back means deleting them, which the
    // append-only .envguard folder refuses. The branch moves back, and the
    // message says the files could not be.
    let scene = scene(false, 0);
    let repo = &scene.repo;
    let envguard = repo.dir.join(".envguard");
    std::fs::create_dir(&envguard).unwrap();
    let Some(_index) = Attr::set(&repo.dir.join(".git/index"), "+i", "-i") else {
        return;
    };
    let Some(_folder) = Attr::set(&envguard, "+a", "-a") else {
        return;
    };
    let run = repo.envguard_with_input(
        &["pre-push", "azure", scene.bare.to_str().unwrap()],
        &scene.line,
    );
    assert_says!(run, 2);
    assert_eq!(repo.rev("main"), scene.pushed);
}
