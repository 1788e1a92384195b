//! The reading side: no removal slips through an odd repository.
//! Each test is named for the hole it closes and runs against real git:
//! symlinks committed as git commits them (mode 120000), a real partial
//! clone served by a bare remote with `uploadpack.allowFilter`, a history
//! of real commits.

use crate::common;

use std::path::{Path, PathBuf};

use common::{assert_code, assert_says, Run, TestRepo};

const ZERO: &str = "0000000000000000000000000000000000000000";

/// Commits a symlink `link` whose text is `target`, as `ln -s` makes it.
fn commit_link(repo: &TestRepo, link: &str, target: &str, message: &str) -> String {
    let path = repo.dir.join(link);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    std::os::unix::fs::symlink(target, &path).unwrap();
    repo.git(&["add", "--", link]);
    repo.git(&["commit", "-q", "-m", message]);
    repo.rev("HEAD")
}

/// The hook as git runs it for `git push azure <pushed>:main` over a remote
/// whose `main` is at `remote` (all zeros: new there).
fn hook(repo: &TestRepo, pushed: &str, remote: &str) -> Run {
    let line = format!("refs/heads/main {pushed} refs/heads/main {remote}\n");
    repo.envguard_with_input(&["pre-push", "azure", "/srv/site.git"], &line)
}

// Symlinks in the tree are followed as pip follows them.

#[test]
fn symlinked_requirements_file_is_followed_as_pip_follows_it() {
    let repo = TestRepo::new();
    repo.commit(&[("config/requirements.txt", "flask\nsix\n")], "app");
    let deployed = commit_link(&repo, "requirements.txt", "config/requirements.txt", "link");
    // The link stays; the file it points at drops six.
    let pushed = repo.commit(&[("config/requirements.txt", "flask\n")], "drop six");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
    // A link that moves to another file counts that file's packages.
    repo.git(&["reset", "-q", "--hard", &deployed]);
    repo.commit(&[("config/other.txt", "flask\n")], "another set");
    let pushed = commit_link(&repo, "requirements.txt", "config/other.txt", "relink");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
}

#[test]
fn symlinked_requirements_file_resolves_its_includes_beside_the_link() {
    // pip joins an include to the folder of the file as it named it (the
    // link), not the folder of the file the link leads to.
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("config/requirements.txt", "-r base.txt\n-r cfg/prod.txt\n"),
            ("config/base.txt", "attrs\n"),
            ("base.txt", "six\nflask\n"),
            ("deploy/config/prod.txt", "gunicorn\nwhitenoise\n"),
        ],
        "app",
    );
    commit_link(&repo, "cfg", "deploy/config", "folder link");
    let deployed = commit_link(&repo, "requirements.txt", "config/requirements.txt", "link");
    let unrelated = repo.commit(&[("config/base.txt", "")], "a file pip never reads");
    assert_code(&hook(&repo, &unrelated, &deployed), 0);
    let pushed = repo.commit(&[("base.txt", "flask\n")], "drop six");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
    repo.git(&["reset", "-q", "--hard", &deployed]);
    let pushed = repo.commit(
        &[("deploy/config/prod.txt", "gunicorn\n")],
        "drop whitenoise",
    );
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
}

#[test]
fn symlink_chains_and_linked_folders_are_followed() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("requirements.txt", "-r reqs/all.txt\n"),
            ("real/base.txt", "flask\nsix\n"),
        ],
        "app",
    );
    // reqs -> real (a folder); reqs/all.txt -> base.txt -> ... a link to a link.
    commit_link(&repo, "reqs", "real", "folder link");
    commit_link(&repo, "real/all.txt", "link-to-base.txt", "link one");
    let deployed = commit_link(&repo, "real/link-to-base.txt", "./base.txt", "link two");
    let pushed = repo.commit(&[("real/base.txt", "flask\n")], "drop six");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
}

#[test]
fn symlink_leaving_the_repository_is_an_error_naming_it() {
    for (link, target) in [
        ("requirements.txt", "/etc/hostname"),
        ("requirements.txt", "../outside.txt"),
        ("requirements.txt", "sub/../../outside.txt"),
    ] {
        let repo = TestRepo::new();
        let base = repo.commit(&[("app.py", "x\n")], "app");
        let pushed = commit_link(&repo, link, target, "escape");
        let run = hook(&repo, &pushed, &base);
        assert_says!(run, 2);
    }
    // An include that is such a link: named with the including line.
    let repo = TestRepo::new();
    let base = repo.commit(&[("requirements.txt", "flask\n-r extra.txt\n")], "app");
    let pushed = commit_link(&repo, "extra.txt", "../../etc/hostname", "escape");
    let run = hook(&repo, &pushed, &base);
    assert_says!(run, 2);
}

#[test]
fn symlink_loop_is_an_error_naming_it() {
    let repo = TestRepo::new();
    let base = repo.commit(&[("app.py", "x\n")], "app");
    commit_link(&repo, "a.txt", "b.txt", "a");
    commit_link(&repo, "b.txt", "a.txt", "b");
    let pushed = commit_link(&repo, "requirements.txt", "a.txt", "loop");
    let run = hook(&repo, &pushed, &base);
    assert_says!(run, 2);
    // A folder link to itself, too.
    let repo = TestRepo::new();
    let base = repo.commit(&[("app.py", "x\n")], "app");
    commit_link(&repo, "d", "d", "d -> d");
    let pushed = commit_link(&repo, "requirements.txt", "d/x.txt", "via d");
    let run = hook(&repo, &pushed, &base);
    assert_says!(run, 2);
}

// The baseline is what the server last installed.

#[test]
fn a_removal_across_a_commit_without_requirements_is_seen() {
    let (repo, bare) =
        TestRepo::deployed(&[("requirements.txt", "flask\nsix\n"), ("app.py", "x\n")]);
    repo.commit_removal("requirements.txt", "no requirements for a while");
    let run = repo.push(&["azure", "main"]);
    assert_code(&run, 0);
    // The server skipped pip: the env still has flask and six.
    repo.commit(&[("requirements.txt", "flask\n")], "back, without six");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
    assert_code(&repo.push(&["azure", "main"]), 0);
    assert_eq!(
        repo.remote_rev(&bare, "refs/heads/main").unwrap(),
        repo.rev("HEAD")
    );
}

#[test]
fn the_baseline_walk_is_bounded_and_says_what_to_do_beyond_it() {
    let repo = TestRepo::new();
    // 10,001 commits without requirements.txt on top of one that has it.
    let mut script = String::new();
    script.push_str("commit refs/heads/main\ncommitter A <a@example.invalid> 1700000000 +0000\ndata 1\nr\nM 100644 inline requirements.txt\ndata 10\nflask\nsix\n\n");
    script.push_str("commit refs/heads/main\ncommitter A <a@example.invalid> 1700000001 +0000\ndata 1\nd\nD requirements.txt\n\n");
    for i in 0..10_000 {
        script.push_str(&format!(
            "commit refs/heads/main\ncommitter A <a@example.invalid> {} +0000\ndata 1\nc\nM 100644 inline app.py\ndata {}\n{i}\n\n",
            1_700_000_002 + i,
            i.to_string().len() + 1,
        ));
    }
    fast_import(&repo, &script);
    repo.git(&["checkout", "-q", "-f", "main"]);
    let deployed = repo.rev("HEAD");
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "back, without six");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 2);
    // Within the bound, the walk finds it.
    let near = repo.rev("HEAD~9000");
    let run = hook(&repo, &pushed, &near);
    assert_says!(run, 1);
}

fn fast_import(repo: &TestRepo, script: &str) {
    use std::io::Write;
    let mut child = repo
        .command("git", &repo.dir)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

// Objects missing from a partial clone.

/// A bare `origin` serving partial clones, holding `deployed` then
/// `later`; returns the partial clone of it, checked out at `later`.
fn partial_clone(repo: &TestRepo, filter: &str) -> (PathBuf, String, String) {
    let deployed = repo.commit(
        &[("requirements.txt", "flask\nsix\n"), ("app.py", "x\n")],
        "app",
    );
    let later = repo.commit(&[("requirements.txt", "flask\nsix\nattrs\n")], "add attrs");
    let origin = repo.add_remote("origin");
    repo.git(&["push", "-q", "origin", "main"]);
    let bare = |args: &[&str]| {
        let out = repo.command("git", &origin).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    bare(&["config", "uploadpack.allowFilter", "true"]);
    bare(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    let clone = repo
        .root
        .path()
        .join(format!("partial-{}", filter.replace(':', "-")));
    let url = format!("file://{}", origin.display());
    let out = repo
        .command("git", repo.root.path())
        .args(["clone", "-q", &format!("--filter={filter}"), &url])
        .arg(&clone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (clone, deployed, later)
}

fn run_in(repo: &TestRepo, dir: &Path, args: &[&str], input: Option<&str>) -> Run {
    use std::io::Write;
    let mut child = repo
        .command(args[0], dir)
        .args(&args[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.unwrap_or_default().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn missing_objects(repo: &TestRepo, dir: &Path) -> String {
    run_in(
        repo,
        dir,
        &["git", "rev-list", "--objects", "--all", "--missing=print"],
        None,
    )
    .stdout
    .lines()
    .filter(|l| l.starts_with('?'))
    .collect::<Vec<_>>()
    .join("\n")
}

#[test]
fn a_baseline_blob_missing_from_a_partial_clone_stops_with_how_to_fetch_it() {
    let repo = TestRepo::new();
    let (clone, deployed, _later) = partial_clone(&repo, "blob:none");
    let blob = repo.rev(&format!("{deployed}:requirements.txt"));
    assert!(
        missing_objects(&repo, &clone).contains(&blob),
        "the deployed requirements.txt is not in the partial clone"
    );
    std::fs::write(clone.join("requirements.txt"), "flask\nattrs\n").unwrap();
    let git = |args: &[&str]| {
        let mut all = vec!["git"];
        all.extend_from_slice(args);
        let run = run_in(&repo, &clone, &all, None);
        assert_code(&run, 0);
        run.stdout.trim().to_string()
    };
    git(&["commit", "-qam", "drop six"]);
    let pushed = git(&["rev-parse", "HEAD"]);
    let bin = common::envguard_bin();
    let line = format!("refs/heads/main {pushed} refs/heads/main {deployed}\n");
    let hook = || {
        run_in(
            &repo,
            &clone,
            &[bin.to_str().unwrap(), "pre-push", "azure", "/srv/site.git"],
            Some(&line),
        )
    };
    let run = hook();
    assert_says!(run, 2);
    // What it says to run fetches the blob; then the removal is seen.
    git(&["cat-file", "-p", &blob]);
    let run = hook();
    assert_says!(run, 1);
}

#[test]
fn a_baseline_tree_missing_from_a_partial_clone_is_missing_not_absent() {
    let repo = TestRepo::new();
    repo.commit(
        &[
            ("src/requirements.txt", "flask\nsix\n"),
            (".deployment", "[config]\nproject = src\n"),
        ],
        "app",
    );
    let (clone, deployed, _later) = partial_clone(&repo, "tree:0");
    let git = |args: &[&str]| {
        let mut all = vec!["git"];
        all.extend_from_slice(args);
        let run = run_in(&repo, &clone, &all, None);
        assert_code(&run, 0);
        run.stdout.trim().to_string()
    };
    std::fs::write(clone.join("src/requirements.txt"), "flask\n").unwrap();
    git(&["commit", "-qam", "drop six"]);
    let pushed = git(&["rev-parse", "HEAD"]);
    let bin = common::envguard_bin();
    let line = format!("refs/heads/main {pushed} refs/heads/main {deployed}\n");
    let run = run_in(
        &repo,
        &clone,
        &[bin.to_str().unwrap(), "pre-push", "azure", "/srv/site.git"],
        Some(&line),
    );
    assert_says!(run, 2);
}

// Each side read with the config of its own commit.

#[test]
fn moving_the_app_from_a_subfolder_to_the_root_compares_file_set_to_file_set() {
    let (repo, _bare) = TestRepo::deployed(&[
        (".deployment", "[config]\nproject = src\n"),
        ("src/requirements.txt", "flask\nsix\n"),
        ("src/app.py", "x\n"),
    ]);
    let deployed = repo.rev("HEAD");
    repo.git(&["mv", "src/requirements.txt", "requirements.txt"]);
    repo.git(&["mv", "src/app.py", "app.py"]);
    repo.git(&["rm", "-q", ".deployment"]);
    repo.git(&["commit", "-qm", "app at the root"]);
    let moved = repo.rev("HEAD");
    let run = hook(&repo, &moved, &deployed);
    assert_says!(run, 0);
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop six");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
    // And back the other way, through envguard.toml's `requirements` key.
    let run = hook(&repo, &deployed, &moved);
    assert_code(&run, 0);
    repo.git(&["reset", "-q", "--hard", &moved]);
    let renamed = repo.commit(
        &[
            ("envguard.toml", "requirements = \"deploy/reqs.txt\"\n"),
            ("deploy/reqs.txt", "flask\n"),
        ],
        "requirements elsewhere, without six",
    );
    let run = hook(&repo, &renamed, &moved);
    assert_says!(run, 1);
}

#[test]
fn diff_reads_each_commit_with_its_own_config() {
    let repo = TestRepo::new();
    let old = repo.commit(
        &[
            (".deployment", "[config]\nproject = src\n"),
            ("src/requirements.txt", "flask\nsix\n"),
        ],
        "app in src",
    );
    repo.git(&["rm", "-q", ".deployment", "src/requirements.txt"]);
    let new = repo.commit(
        &[("requirements.txt", "flask\n")],
        "app at the root, without six",
    );
    let run = repo.envguard(&["diff", &old, &new]);
    assert_code(&run, 1);
    assert_eq!(run.stdout, "removed six\n");
}

// Without runtime.txt, each candidate Python on its own.

#[test]
fn narrowing_a_marker_without_runtime_txt_is_a_removal() {
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\npytomlpp==1.0.13\n")]);
    repo.commit(
        &[(
            "requirements.txt",
            "flask\npytomlpp==1.0.13; python_version < '3.11'\n",
        )],
        "pytomlpp only before 3.11",
    );
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 1);
}

#[test]
fn the_python_key_states_the_site_python() {
    let narrowed = "flask\npytomlpp==1.0.13; python_version < '3.11'\n";
    for (python, code) in [("3.10", 0), ("3.12", 1)] {
        let repo = TestRepo::new();
        let config = format!("python = \"{python}\"\n");
        let deployed = repo.commit(
            &[
                ("requirements.txt", "flask\npytomlpp==1.0.13\n"),
                ("envguard.toml", &config),
            ],
            "app",
        );
        let pushed = repo.commit(&[("requirements.txt", narrowed)], "narrow");
        let run = hook(&repo, &pushed, &deployed);
        assert_code(&run, code);
    }
    // runtime.txt wins over the key.
    let repo = TestRepo::new();
    let deployed = repo.commit(
        &[
            ("requirements.txt", "flask\npytomlpp==1.0.13\n"),
            ("envguard.toml", "python = \"3.12\"\n"),
            ("runtime.txt", "python-3.10\n"),
        ],
        "app",
    );
    let pushed = repo.commit(&[("requirements.txt", narrowed)], "narrow");
    assert_code(&hook(&repo, &pushed, &deployed), 0);
}

#[test]
fn the_python_key_is_validated() {
    for text in [
        "python = \"3\"\n",
        "python = \"three\"\n",
        "python = 3.11\n",
        "python = \"python-3.11\"\n",
        "pyhton = \"3.11\"\n",
    ] {
        let repo = TestRepo::new();
        let base = repo.commit(&[("requirements.txt", "flask\n")], "app");
        let pushed = repo.commit(&[("envguard.toml", text)], "config");
        let run = hook(&repo, &pushed, &base);
        assert_says!(run, 2);
    }
}

#[test]
fn doctor_suggests_the_python_key_without_runtime_txt() {
    let repo = TestRepo::new();
    repo.commit(&[("requirements.txt", "flask\n")], "app");
    repo.add_remote("azure");
    repo.install_hook();
    let run = repo.envguard(&["doctor"]);
    assert_says!(run, 0);
    repo.commit(
        &[("envguard.toml", "python = \"3.12\"\n")],
        "state the site's Python",
    );
    let run = repo.envguard(&["doctor"]);
    assert_says!(run, 0);
}

// Small fidelity gaps.

#[test]
fn an_scp_style_vcs_line_is_a_warning_identified_by_its_text() {
    let line = "-e git+git@github.com:org/repo.git@v1#egg=x";
    let repo = TestRepo::new();
    let base = repo.commit(&[("requirements.txt", "flask\n")], "app");
    let deployed = repo.commit(&[("requirements.txt", &format!("flask\n{line}\n"))], "vcs");
    let run = hook(&repo, &deployed, &base);
    assert_says!(run, 0);
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop it");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 1);
}

#[test]
fn obsolete_pip_options_warn_and_are_no_package() {
    let repo = TestRepo::new();
    let base = repo.commit(&[("requirements.txt", "flask\n")], "app");
    let deployed = repo.commit(
        &[(
            "requirements.txt",
            "--allow-external foo\n--allow-unverified foo\n--allow-all-external\n--no-use-wheel\nflask\n",
        )],
        "old pip options",
    );
    let run = hook(&repo, &deployed, &base);
    assert_says!(run, 0);
    let pushed = repo.commit(&[("requirements.txt", "flask\n")], "drop the old options");
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 0);
}

#[test]
fn a_requirements_file_deleted_in_the_pushed_commit_says_the_server_keeps_its_env() {
    let (repo, _bare) =
        TestRepo::deployed(&[("requirements.txt", "flask\nsix\n"), ("app.py", "x\n")]);
    repo.commit_removal("requirements.txt", "no requirements");
    let run = repo.push(&["azure", "main"]);
    assert_says!(run, 0);
}

#[test]
fn unchanged_link_with_a_zero_remote_is_a_first_deployment() {
    // A sanity check that following links costs the fast path nothing odd:
    // a new branch with no other baseline is a first deployment.
    let repo = TestRepo::new();
    repo.commit(&[("config/requirements.txt", "flask\n")], "app");
    let pushed = commit_link(&repo, "requirements.txt", "config/requirements.txt", "link");
    let run = hook(&repo, &pushed, ZERO);
    assert_says!(run, 0);
}

#[test]
fn a_shallow_clone_that_ends_before_the_requirements_stops_with_how_to_deepen() {
    // The deployed commit has no requirements.txt, and the commit that had
    // it is beyond a shallow clone's edge: what the server installed cannot
    // be known, so the push stops (a "first deployment" would let six stay).
    let (repo, bare) =
        TestRepo::deployed(&[("requirements.txt", "flask\nsix\n"), ("app.py", "x\n")]);
    repo.commit_removal("requirements.txt", "no requirements for a while");
    assert_code(&repo.push(&["--no-verify", "-q", "azure", "main"]), 0);
    let clone = repo.root.path().join("shallow");
    let url = format!("file://{}", bare.display());
    let cloned = run_in(
        &repo,
        repo.root.path(),
        &[
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "-o",
            "azure",
            &url,
            clone.to_str().unwrap(),
        ],
        None,
    );
    assert_code(&cloned, 0);
    std::fs::write(clone.join("requirements.txt"), "flask\n").unwrap();
    for args in [
        &["git", "add", "requirements.txt"][..],
        &["git", "commit", "-q", "-m", "back, without six"],
    ] {
        assert_code(&run_in(&repo, &clone, args, None), 0);
    }
    let pushed = run_in(&repo, &clone, &["git", "rev-parse", "HEAD"], None);
    let deployed = run_in(&repo, &clone, &["git", "rev-parse", "azure/main"], None);
    let line = format!(
        "refs/heads/main {} refs/heads/main {}\n",
        pushed.stdout.trim(),
        deployed.stdout.trim()
    );
    let bin = common::envguard_bin();
    let bin = bin.to_str().unwrap();
    let run = run_in(
        &repo,
        &clone,
        &[bin, "pre-push", "azure", &url],
        Some(&line),
    );
    assert_says!(run, 2);

    // Deepened, the walk reaches the commit that had six.
    assert_code(
        &run_in(
            &repo,
            &clone,
            &["git", "fetch", "-q", "--unshallow", "azure"],
            None,
        ),
        0,
    );
    let run = run_in(
        &repo,
        &clone,
        &[bin, "pre-push", "azure", &url],
        Some(&line),
    );
    assert_says!(run, 1);
}

#[test]
fn an_include_through_a_file_where_a_folder_should_be_is_a_missing_include() {
    // `sub` is a file, so `sub/base.txt` is nothing, as pip would find: a
    // missing include, not an object missing from a partial clone.
    let (repo, _bare) = TestRepo::deployed(&[("requirements.txt", "flask\nsix\n")]);
    let deployed = repo.rev("HEAD");
    let pushed = repo.commit(
        &[
            ("sub", "a file\n"),
            ("requirements.txt", "-r sub/base.txt\nflask\n"),
        ],
        "include through a file",
    );
    let run = hook(&repo, &pushed, &deployed);
    assert_says!(run, 2);
}
