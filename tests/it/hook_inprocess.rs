//! The pre-push hook driven in-process (`hook::pre_push`, then the exit code
//! and error rendering `main` uses) against real temp repositories. Through
//! a real `git push` every hook failure reads as exit 1; here the contract's
//! exit 2 is visible, and the whole output is pinned with insta
//! (`tests/it/snapshots/`), commit ids and tokens normalised.

use crate::common;

use common::{app, isolate_libgit2, normalize, TestRepo};
use envguard::repo::{GitEnv, Repo};
use envguard_core::ids::CommitId;

const REQS: &str = "flask==3.0.0\nrequests[socks]==2.31.0\nsix\n";
const NAME: &str = "Ada Tester";
const EMAIL: &str = "ada@example.invalid";

/// The environment git sees: the harness's home (no config there), fixed
/// dates, and no identity unless a test adds one.
fn bare_env(repo: &TestRepo) -> GitEnv {
    let home = repo.root.path().to_str().unwrap();
    GitEnv::default()
        .with("HOME", home)
        .with("XDG_CONFIG_HOME", &format!("{home}/.config"))
        .with("GIT_CONFIG_NOSYSTEM", "1")
        .with("GIT_AUTHOR_DATE", "@1700000000 +0000")
        .with("GIT_COMMITTER_DATE", "@1700000000 +0000")
}

fn full_env(repo: &TestRepo) -> GitEnv {
    bare_env(repo)
        .with("GIT_AUTHOR_NAME", NAME)
        .with("GIT_AUTHOR_EMAIL", EMAIL)
        .with("GIT_COMMITTER_NAME", NAME)
        .with("GIT_COMMITTER_EMAIL", EMAIL)
}

/// An app whose `main` at the returned commit is what `azure` deployed.
fn deployed() -> (TestRepo, String) {
    isolate_libgit2();
    let repo = TestRepo::with_files(&app(REQS));
    let base = repo.rev("HEAD");
    (repo, base)
}

/// Runs the hook as `envguard pre-push azure <url>` with `input`; gives the
/// exit code and everything it wrote to stderr, normalised.
fn hook(repo: &TestRepo, env: GitEnv, input: &str) -> (u8, String) {
    let dir = repo.dir.clone();
    let mut err = Vec::new();
    let result = envguard::hook::pre_push(
        "azure",
        "https://app.scm.azurewebsites.net/app.git",
        input.as_bytes(),
        || Repo::open(&dir, env),
        envguard::say::Verbosity::Normal,
        &mut err,
    );
    let code = envguard::exit_code(result, true, &mut err);
    let text = String::from_utf8(err).unwrap();
    (code, normalize(&text))
}

fn line(local_ref: &str, local: &str, remote: &str) -> String {
    format!("{local_ref} {local} refs/heads/main {remote}\n")
}

#[test]
fn removal_commits_a_marker_and_stops_with_exit_1() {
    let (repo, base) = deployed();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &pushed, &base),
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("removal_commits_a_marker", out);
    assert_eq!(repo.rev("HEAD^"), pushed);
    assert_eq!(
        repo.changed_paths("HEAD"),
        [".envguard/fingerprint.toml", ".envguard/force-clean"]
    );
    // The index records the new files' stat data, as `git add` would: git's
    // plumbing, which compares stat data without refreshing, sees them clean
    // (before `git status`, which would refresh the index).
    assert_eq!(repo.git(&["diff-files", "--name-only"]), "");
    assert_eq!(repo.status(), "");
    // `git commit-tree` saw the identity and dates of the Repo's GitEnv,
    // not this test process's environment.
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae> %at / %cn <%ce> %ct"]),
        format!("{NAME} <{EMAIL}> 1700000000 / {NAME} <{EMAIL}> 1700000000")
    );
}

#[test]
fn passing_pushes_say_why_with_exit_0() {
    let (repo, base) = deployed();
    let same = repo.commit(&[("app.py", "print('bye')\n")], "code only");
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &same, &base),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "envguard: azure main: requirements unchanged\n")
    );
    let added = repo.commit(&[("requirements.txt", &format!("{REQS}attrs\n"))], "add");
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &added, &base),
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "envguard: azure main: no packages removed\n")
    );
    let zero = "0".repeat(40);
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &added, &zero),
    );
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "envguard: azure main: first deployment: nothing to compare with\n"
        )
    );
}

#[test]
fn block_and_warn_are_exit_1_and_0() {
    let (repo, base) = deployed();
    let block = repo.commit(
        &[
            ("requirements.txt", "flask==3.0.0\n"),
            ("envguard.toml", "on_removal = \"block\"\n"),
        ],
        "block",
    );
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &block, &base),
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("block", out);
    let warn = repo.commit(&[("envguard.toml", "on_removal = \"warn\"\n")], "warn");
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &warn, &base),
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!("warn", out);
    assert_eq!(repo.rev("HEAD"), warn, "no marker for block or warn");
}

#[test]
fn malformed_input_bad_config_and_unknown_remote_commit_are_exit_2() {
    let (repo, base) = deployed();
    let (code, out) = hook(&repo, full_env(&repo), "nonsense\n");
    assert_eq!(code, 2);
    insta::assert_snapshot!("malformed_input", out);

    let bad = repo.commit(&[("envguard.toml", "bogus = 1\n")], "bad config");
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &bad, &base),
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!("bad_config", out);

    let unknown = "1234567890".repeat(4);
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &base, &unknown),
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!("fetch_first", out);
}

#[test]
fn a_branch_not_checked_out_gets_the_marker_and_the_work_tree_stays_as_it_was() {
    let (repo, base) = deployed();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    repo.git(&["checkout", "-q", "main"]);
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/feature", &pushed, &base),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("git push azure feature:main"), "{out}");
    assert_eq!(repo.rev("feature^"), pushed);
    assert_eq!(repo.rev("main"), base);
    // main's work tree and index know nothing of the marker.
    assert!(!repo.dir.join(".envguard").exists());
    assert_eq!(repo.status(), "");
}

#[test]
fn a_marker_commit_keeps_the_users_other_files_under_envguard() {
    let (repo, base) = deployed();
    let pushed = repo.commit(
        &[
            ("requirements.txt", "flask==3.0.0\n"),
            (".envguard/README.md", "ours\n"),
        ],
        "drop two, note",
    );
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &pushed, &base),
    );
    assert_eq!(code, 1, "{out}");
    let tree = repo.git(&["ls-tree", "-r", "--name-only", "HEAD", ".envguard"]);
    assert_eq!(
        tree,
        ".envguard/README.md\n.envguard/fingerprint.toml\n.envguard/force-clean"
    );
    assert_eq!(repo.git(&["show", "HEAD:.envguard/README.md"]), "ours");
    assert_eq!(repo.status(), "");
}

#[test]
fn identity_from_config_alone_is_enough() {
    let (repo, base) = deployed();
    repo.git(&["config", "user.name", NAME]);
    repo.git(&["config", "user.email", EMAIL]);
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    let (code, out) = hook(
        &repo,
        bare_env(&repo),
        &line("refs/heads/main", &pushed, &base),
    );
    assert_eq!(code, 1, "{out}");
    let who = repo.git(&["log", "-1", "--format=%an <%ae> / %cn <%ce>"]);
    assert_eq!(who, format!("{NAME} <{EMAIL}> / {NAME} <{EMAIL}>"));
}

#[test]
fn author_or_committer_alone_is_no_identity() {
    let (repo, base) = deployed();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    let input = line("refs/heads/main", &pushed, &base);
    let author_only = bare_env(&repo)
        .with("GIT_AUTHOR_NAME", NAME)
        .with("GIT_AUTHOR_EMAIL", EMAIL);
    let (code, out) = hook(&repo, author_only, &input);
    assert_eq!(code, 2);
    insta::assert_snapshot!("no_identity", out);
    let committer_only = bare_env(&repo)
        .with("GIT_COMMITTER_NAME", NAME)
        .with("GIT_COMMITTER_EMAIL", EMAIL);
    let (code, again) = hook(&repo, committer_only, &input);
    assert_eq!((code, again), (2, out));
    // Names without emails: only the email is missing.
    let names_only = bare_env(&repo)
        .with("GIT_AUTHOR_NAME", NAME)
        .with("GIT_COMMITTER_NAME", NAME);
    let (code, out) = hook(&repo, names_only, &input);
    assert_eq!(code, 2);
    assert!(
        out.contains(", but git has no user.email to write"),
        "{out}"
    );
    assert_eq!(repo.rev("HEAD"), pushed);
}

#[test]
fn a_branch_that_moved_after_git_resolved_it_is_not_moved_again() {
    let (repo, base) = deployed();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    let later = repo.commit(&[("app.py", "print('later')\n")], "later");
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &pushed, &base),
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!("ref_moved", out);
    assert_eq!(repo.rev("HEAD"), later);
}

#[test]
fn move_ref_is_a_compare_and_swap() {
    let (repo, base) = deployed();
    let next = repo.commit(&[("app.py", "print('next')\n")], "next");
    let open = Repo::open(&repo.dir, full_env(&repo)).unwrap();
    let id = |hex: &str| envguard_core::ids::CommitId::parse(hex).unwrap();
    // main is at `next`, not `base`: a swap expecting `base` is refused.
    let err = open
        .move_ref("refs/heads/main", &id(&base), &id(&base), "test")
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("it may have moved meanwhile"),
        "{err:#}"
    );
    assert_eq!(repo.rev("main"), next);
    open.move_ref("refs/heads/main", &id(&next), &id(&base), "test")
        .unwrap();
    assert_eq!(repo.rev("main"), base);
    // Detached HEAD: the same guard.
    repo.git(&["checkout", "-q", "--detach", &next]);
    assert!(open
        .move_ref("HEAD", &id(&base), &id(&base), "test")
        .is_err());
    assert_eq!(repo.rev("HEAD"), next);
}

/// Overwrites a loose object with bytes that are no zlib stream.
fn corrupt(repo: &TestRepo, id: &str) {
    let object = repo.dir.join(".git/objects").join(&id[..2]).join(&id[2..]);
    let mut permissions = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).unwrap();
    std::fs::write(&object, b"not a zlib stream").unwrap();
}

#[test]
fn a_corrupt_baseline_blob_is_an_error_not_a_first_deployment() {
    let (repo, base) = deployed();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    corrupt(&repo, &repo.rev(&format!("{base}:requirements.txt")));
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &pushed, &base),
    );
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains("first deployment"), "{out}");
    insta::assert_snapshot!("corrupt_baseline_blob", out);
}

#[test]
fn a_corrupt_object_is_a_git_error_not_a_missing_commit() {
    let (repo, base) = deployed();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    corrupt(&repo, &base);
    let (code, out) = hook(
        &repo,
        full_env(&repo),
        &line("refs/heads/main", &pushed, &base),
    );
    assert_eq!(code, 2);
    assert!(!out.contains("git fetch"), "{out}");
    insta::assert_snapshot!("corrupt_object", out);
    assert_eq!(repo.rev("HEAD"), pushed);
}

#[test]
fn same_blobs_is_true_only_when_every_path_holds_the_same_bytes() {
    let (repo, base) = deployed();
    let open = Repo::open(&repo.dir, full_env(&repo)).unwrap();
    let id = |hex: &str| envguard_core::ids::CommitId::parse(hex).unwrap();
    let paths: Vec<String> = ["requirements.txt", "runtime.txt", "envguard.toml"]
        .map(String::from)
        .to_vec();
    let code_only = repo.commit(&[("app.py", "print('bye')\n")], "code only");
    assert!(open
        .same_blobs(&id(&base), &id(&code_only), &paths)
        .unwrap());
    let one = repo.commit(&[("runtime.txt", "python-3.12\n")], "one path");
    assert!(!open.same_blobs(&id(&code_only), &id(&one), &paths).unwrap());
    // Every path differs (one is new): still not the same.
    let every = repo.commit(
        &[
            ("requirements.txt", "flask\n"),
            ("runtime.txt", "python-3.13\n"),
            ("envguard.toml", "on_removal = \"fail\"\n"),
        ],
        "every path",
    );
    assert!(!open.same_blobs(&id(&one), &id(&every), &paths).unwrap());
}

#[test]
fn commit_files_writes_one_top_level_folder_and_refuses_anything_else() {
    let (repo, base) = deployed();
    let open = Repo::open(&repo.dir, full_env(&repo)).unwrap();
    let parent = envguard_core::ids::CommitId::parse(&base).unwrap();
    for files in [
        &[("top.txt", &b"x"[..])][..],
        &[(".envguard/a", b"x"), ("other/b", b"y")],
        &[(".envguard/deep/a", b"x")],
        &[(".envguard/a", b"x"), ("top.txt", b"y")],
    ] {
        let err = open.commit_files(&parent, files, "m").unwrap_err();
        assert!(
            format!("{err:#}").contains("one top-level folder at a time"),
            "{files:?}: {err:#}"
        );
    }
    let id = open
        .commit_files(
            &parent,
            &[(".envguard/a", b"x"), (".envguard/b", b"y")],
            "m",
        )
        .unwrap();
    let listed = repo.git(&["ls-tree", "-r", "--name-only", id.as_str()]);
    assert_eq!(
        listed,
        ".envguard/a\n.envguard/b\napp.py\nrequirements.txt\nruntime.txt"
    );
    assert_eq!(repo.rev("main"), base, "commit_files moves no ref");
}

/// `git commit-tree` run with exactly `vars` (and the harness's home), as
/// the marker commit's fallback runs it: the commit git itself writes.
fn git_commit_tree(
    repo: &TestRepo,
    vars: &[(&str, &str)],
    tree: &str,
    parent: &str,
    message: &[u8],
) -> String {
    use std::io::Write;
    let mut command = std::process::Command::new("git");
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("GIT_") || key == "EMAIL" {
            command.env_remove(&key);
        }
    }
    let home = repo.root.path();
    command
        .current_dir(&repo.dir)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(vars.iter().copied())
        .args(["commit-tree", tree, "-p", parent])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(message).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// The marker commit envguard writes itself is, byte for byte, the one
/// `git commit-tree` writes from the same identity sources and dates.
#[test]
fn the_marker_commit_is_the_one_git_would_write() {
    type Vars<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(&str, Vars, Vars)] = &[
        (
            "identity from the environment, a half-hour zone",
            &[
                ("GIT_AUTHOR_NAME", "Zoë Ümlaut"),
                ("GIT_AUTHOR_EMAIL", "zoe@example.invalid"),
                ("GIT_COMMITTER_NAME", "Ada Tester"),
                ("GIT_COMMITTER_EMAIL", "ada@example.invalid"),
                ("GIT_AUTHOR_DATE", "@1700000000 +0530"),
                ("GIT_COMMITTER_DATE", "@1700000300 -0800"),
            ],
            &[],
        ),
        (
            "identity from config, author and committer keys over user",
            &[
                ("GIT_AUTHOR_DATE", "@1700000000 -0000"),
                ("GIT_COMMITTER_DATE", "@1700000000 +0000"),
            ],
            &[
                ("user.name", "Config User"),
                ("user.email", "user@example.invalid"),
                ("author.name", "Config Author"),
                ("committer.email", "committer@example.invalid"),
            ],
        ),
        (
            "EMAIL when no email is configured",
            &[
                ("EMAIL", "env@example.invalid"),
                ("GIT_AUTHOR_DATE", "@1700000000 +0100"),
                ("GIT_COMMITTER_DATE", "@1700000000 +0100"),
            ],
            &[("user.name", "Env Mail")],
        ),
    ];
    for (case, vars, config) in cases {
        let (repo, base) = deployed();
        for (key, value) in *config {
            repo.git(&["config", key, value]);
        }
        let mut env = GitEnv::default()
            .with("HOME", repo.root.path().to_str().unwrap())
            .with("GIT_CONFIG_NOSYSTEM", "1");
        for (key, value) in *vars {
            let key = GitEnv::KEYS.iter().find(|k| *k == key).unwrap();
            env = env.with(key, value);
        }
        let ours = Repo::open(&repo.dir, env)
            .unwrap()
            .commit_files(
                &CommitId::parse(&base).unwrap(),
                &[(".envguard/force-clean", b"t\n")],
                "envguard: schedule a clean\n\nwhy\n",
            )
            .unwrap()
            .to_string();
        let tree = repo.rev(&format!("{ours}^{{tree}}"));
        let gits = git_commit_tree(
            &repo,
            vars,
            &tree,
            &base,
            b"envguard: schedule a clean\n\nwhy\n",
        );
        assert_eq!(
            ours,
            gits,
            "{case}: {}",
            repo.git(&["cat-file", "-p", &ours])
        );
    }
}

/// Now, in the local time zone, as git takes it: the zone of the commit
/// envguard writes without `GIT_*_DATE` is the one git writes.
#[test]
fn the_marker_commits_date_is_now_in_gits_time_zone() {
    let (repo, base) = deployed();
    let env = GitEnv::default()
        .with("HOME", repo.root.path().to_str().unwrap())
        .with("GIT_CONFIG_NOSYSTEM", "1")
        .with("GIT_AUTHOR_NAME", NAME)
        .with("GIT_AUTHOR_EMAIL", EMAIL)
        .with("GIT_COMMITTER_NAME", NAME)
        .with("GIT_COMMITTER_EMAIL", EMAIL);
    let ours = Repo::open(&repo.dir, env)
        .unwrap()
        .commit_files(
            &CommitId::parse(&base).unwrap(),
            &[(".envguard/force-clean", b"t\n")],
            "m\n",
        )
        .unwrap()
        .to_string();
    let tree = repo.rev(&format!("{ours}^{{tree}}"));
    let vars = [
        ("GIT_AUTHOR_NAME", NAME),
        ("GIT_AUTHOR_EMAIL", EMAIL),
        ("GIT_COMMITTER_NAME", NAME),
        ("GIT_COMMITTER_EMAIL", EMAIL),
    ];
    let gits = git_commit_tree(&repo, &vars, &tree, &base, b"m\n");
    let zone = |id: &str| repo.git(&["log", "-1", "--format=%ad %cd", "--date=format:%z", id]);
    assert_eq!(zone(&ours), zone(&gits));
    let seconds = |id: &str| -> i64 {
        repo.git(&["log", "-1", "--format=%at", id])
            .parse()
            .unwrap()
    };
    assert!((seconds(&gits) - seconds(&ours)).abs() < 60);
}

/// Config that libgit2 does not read (`includeIf.hasconfig:`, git 2.36+)
/// hands the commit to git, whose identity it then carries.
#[test]
fn identity_from_config_only_git_reads_comes_from_git() {
    let (repo, base) = deployed();
    repo.git(&["config", "user.name", "Personal"]);
    repo.git(&["config", "user.email", "me@example.invalid"]);
    repo.git(&[
        "remote",
        "add",
        "azure",
        "https://work.example.invalid/app.git",
    ]);
    let work = repo.root.path().join("work.gitconfig");
    std::fs::write(
        &work,
        "[user]\n\tname = Work Name\n\temail = work@example.invalid\n",
    )
    .unwrap();
    repo.git(&[
        "config",
        "includeIf.hasconfig:remote.*.url:https://work.example.invalid/**.path",
        work.to_str().unwrap(),
    ]);
    let env = GitEnv::default()
        .with("HOME", repo.root.path().to_str().unwrap())
        .with("GIT_CONFIG_NOSYSTEM", "1");
    let ours = Repo::open(&repo.dir, env)
        .unwrap()
        .commit_files(
            &CommitId::parse(&base).unwrap(),
            &[(".envguard/force-clean", b"t\n")],
            "m\n",
        )
        .unwrap()
        .to_string();
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae> / %cn <%ce>", &ours]),
        "Work Name <work@example.invalid> / Work Name <work@example.invalid>"
    );
}

/// A branch new on the remote is compared with the pushed commit's
/// fingerprint; one this envguard cannot read (a newer schema, garbage)
/// stops the push with exit 2, never "a first deployment".
#[test]
fn an_unreadable_fingerprint_stops_with_exit_2() {
    let (repo, _) = deployed();
    let zero = "0".repeat(40);
    for (name, fingerprint) in [
        ("fingerprint_newer_schema", "schema = 2\npackages = []\n"),
        ("fingerprint_garbage", "\u{1}not toml at all ["),
    ] {
        let pushed = repo.commit(
            &[
                ("requirements.txt", "flask==3.0.0\n"),
                (".envguard/fingerprint.toml", fingerprint),
            ],
            name,
        );
        let (code, out) = hook(
            &repo,
            full_env(&repo),
            &line("refs/heads/main", &pushed, &zero),
        );
        assert_eq!(code, 2, "{out}");
        insta::assert_snapshot!(name, out);
        assert_eq!(repo.rev("HEAD"), pushed, "nothing committed");
    }
}

/// Two pushes of one branch at the same time: the one that commits its
/// marker second finds the branch moved and its files staged by the first.
/// It says the branch moved, not that the user edited the marker.
#[test]
fn the_push_that_loses_a_race_says_the_branch_moved() {
    let (repo, _) = deployed();
    let pushed = repo.commit(&[("requirements.txt", "flask==3.0.0\n")], "drop two");
    let open = || Repo::open(&repo.dir, full_env(&repo)).unwrap();
    let (winner, loser) = (open(), open());
    let commit = envguard_core::ids::CommitId::parse(&pushed).unwrap();
    let config = envguard::hook::facts::config_at(&winner, &commit).unwrap();
    let (snapshot, _) = envguard::hook::facts::snapshot_at(&winner, &commit, &config).unwrap();
    let why = (&[][..], envguard::repo::Retry::Push);
    let schedule = |repo: &Repo| {
        envguard::hook::marker::schedule_clean(
            repo,
            "refs/heads/main",
            &commit,
            &snapshot,
            "race",
            why,
        )
    };
    let won = schedule(&winner).unwrap();
    let lost = format!("{:#}", schedule(&loser).unwrap_err());
    let won = won.commit.short().to_string();
    assert!(
        lost.starts_with(&format!(
            "refs/heads/main moved while envguard was working on it: it pointed at {}, and now points at {won}",
            &pushed[..12]
        )),
        "{lost}"
    );
    assert!(!lost.contains("staged changes"), "{lost}");
    assert_eq!(repo.rev("HEAD")[..12], won);
    assert_eq!(repo.status(), "");
}
