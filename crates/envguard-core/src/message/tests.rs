use super::*;
use crate::decide::Change;
use crate::names::{CanonicalName, PackageId};
use crate::platform::{Platform, Runtime};

fn id(c: char) -> CommitId {
    CommitId::parse(&c.to_string().repeat(40)).unwrap()
}

fn removal(policy: OnRemoval) -> Decision {
    let name = |n: &str| PackageId::Name(CanonicalName::new(n));
    let change = Change {
        removed: vec![name("six")],
        extras_dropped: vec![(name("requests"), ["socks".to_string()].into())],
        ..Change::default()
    };
    Decision::Removed { policy, change }
}

fn decided(decision: Decision) -> String {
    Message::Decided {
        place: "azure main".into(),
        requirements: "requirements.txt".into(),
        decision,
    }
    .to_string()
}

// Each decision's sentence, pinned: the hook's line and `status`'s Push line.
#[test]
fn decisions_read_as_they_should() {
    let cases = [
        (Decision::FirstDeployment, "azure main: first deployment: nothing to compare with"),
        (
            Decision::NoRequirements,
            "azure main: no requirements.txt in this commit: the server skips pip, and its environment stays as it is \
             (every package installed before stays installed); when requirements.txt comes back, envguard \
             compares it with the last deployed commit that had it",
        ),
        (Decision::Unchanged, "azure main: requirements unchanged"),
        (
            Decision::CleanScheduled(Change::default()),
            "azure main: this push carries a new force-clean marker: the server deletes and rebuilds the \
             environment once",
        ),
        (
            Decision::RuntimeChanged {
                from: Runtime::new(3, 11, Some(4)),
                to: Runtime::new(3, 12, None),
                change: Change::default(),
            },
            "azure main: runtime changes from python-3.11 to python-3.12 and no package is removed: nothing \
             stale to clean (the deployment script builds an environment for the Python the site runs)",
        ),
        (
            Decision::NothingRemoved(Change::default()),
            "azure main: no packages removed",
        ),
        (
            removal(OnRemoval::Commit),
            "azure main: stopped: removes six, requests[socks]; envguard commits a force-clean marker, then you push again",
        ),
        (
            removal(OnRemoval::Warn),
            "azure main: warning: requirements.txt removes six and drops the socks extra of requests; the \
             server keeps them installed \
             (on_removal = \"warn\"; run `envguard --reset` to clean the environment)",
        ),
        (
            removal(OnRemoval::Block),
            "azure main: push stopped: requirements.txt removes six and drops the socks extra of requests, \
             which the server would keep installed.\n\
             envguard: run `envguard --reset` to schedule a clean environment, then push again \
             (or push anyway with `git push --no-verify`)",
        ),
    ];
    for (decision, want) in cases {
        assert_eq!(decided(decision), want);
    }
    let note = Message::RuntimeDoesNotExcuse {
        place: "azure main".into(),
        from: Runtime::new(3, 11, Some(4)),
        to: Runtime::new(3, 12, None),
    };
    assert_eq!(
        note.to_string(),
        "azure main: runtime.txt also changes from python-3.11 to python-3.12, which does not excuse the \
         removal: a Linux App Service site runs the Python of its own setting (FRAMEWORK_VERSION), not \
         runtime.txt's, and keeps its environment while that stays"
    );
    assert_eq!(
        Outcome(&removal(OnRemoval::Block), "requirements.txt").to_string(),
        "stopped: removes six, requests[socks]; run `envguard --reset`, then push"
    );
    assert_eq!(
        Outcome(&removal(OnRemoval::Warn), "r.txt").to_string(),
        "goes on with a warning: removes six, requests[socks] (on_removal = \"warn\")"
    );
}

#[test]
fn attributes_that_re_encode_envguards_files_say_the_fix() {
    let converted = |pushed: Option<&str>, retry| {
        Message::EnvguardFileConverted {
            converted: crate::token::Converted {
                path: MARKER_PATH.into(),
                attribute: "working-tree-encoding=UTF-16LE-BOM".into(),
            },
            pushed: pushed.map(str::to_string),
            retry,
        }
        .to_string()
    };
    assert_eq!(
        converted(None, Retry::Reset),
        ".envguard/force-clean gets `working-tree-encoding=UTF-16LE-BOM` from the pushed commit's \
         .gitattributes (or this clone's .git/info/attributes): a checkout writes it as other bytes than \
         envguard commits, so the server's deployment script would not read its token and would not \
         rebuild the environment (and `git status` here would fail on it); the marker commit holds \
         envguard's two files only, so it cannot change that. End .gitattributes with the line \
         `/.envguard/** -working-tree-encoding -filter` (or drop the rule; one in .envguard/.gitattributes \
         wins over the root's), commit it, then run `envguard --reset` again"
    );
    let carried = converted(Some("azure main"), Retry::Push);
    assert!(
        carried.starts_with(
            "azure main: this push carries a new force-clean marker, but .envguard/force-clean gets"
        ),
        "{carried}"
    );
    assert!(carried.ends_with("commit it, then push again"), "{carried}");
}

#[test]
fn an_object_that_is_no_commit_is_named() {
    let tag = Message::NotACommit {
        local_ref: b"refs/tags/v1".to_vec(),
        object: id('7'),
        kind: "an annotated tag",
        tagged: Some(id('c')),
        remote_ref: "refs/heads/main".into(),
        again: Some("git push azure 'refs/tags/v1^{}:refs/heads/main'".into()),
    };
    assert_eq!(
        tag.to_string(),
        "`refs/tags/v1` names an annotated tag (777777777777), not a commit (it tags commit \
         cccccccccccc): a branch holds commits only, so git on the remote refuses to write it to \
         refs/heads/main, and nothing would deploy. Push the commit it tags:\n\n    \
         git push azure 'refs/tags/v1^{}:refs/heads/main'\n"
    );
    let tree = Message::NotACommit {
        local_ref: b"HEAD^{tree}".to_vec(),
        object: id('7'),
        kind: "a tree",
        tagged: None,
        remote_ref: "refs/heads/main".into(),
        again: None,
    };
    assert!(tree
        .to_string()
        .ends_with("nothing would deploy. Push a commit to the branch"));
}

#[test]
fn an_unreadable_fingerprint_says_which_fix_fits() {
    let bad = |error| {
        Message::BadFingerprint {
            place: "azure main".into(),
            error,
        }
        .to_string()
    };
    let newer = bad(FingerprintError::NewerSchema(2));
    assert!(
        newer.contains("has schema 2, written by a newer envguard (this one reads schema 1)"),
        "{newer}"
    );
    assert!(newer.ends_with("Update envguard to the version your team uses, then push again"));
    let garbage = bad(FingerprintError::Unreadable("is not UTF-8".into()));
    assert!(
        garbage.starts_with(
            "azure main: the branch is new there, so the pushed commit's .envguard/fingerprint.toml \
             stands for what the site last installed, but it is not UTF-8; envguard cannot tell what \
             this push removes. Restore it"
        ),
        "{garbage}"
    );
    assert!(garbage.contains("`envguard --reset`"), "{garbage}");
}

#[test]
fn commit_ids_and_tokens_show_one_short_width() {
    let token = Token::parse(&"ab".repeat(32)).unwrap();
    let text = Message::MarkerCommitted {
        place: "azure main".into(),
        removals: vec![Removal {
            file: "requirements.txt".into(),
            removed: vec!["six".into()],
            extras: vec![],
        }],
        commit: id('c'),
        on: "main".into(),
        token: token.clone(),
        again: "git push azure main".into(),
    }
    .to_string();
    assert_eq!(
        text,
        "azure main: requirements.txt removes six, which pip would leave installed on the server.\n\
         envguard: committed cccccccccccc on main: .envguard/force-clean and .envguard/fingerprint.toml only \
         (token abababababab…), so the next deployment deletes and rebuilds the environment once.\n\
         envguard: this push was stopped so that the marker goes with it. Push again:\n\n    git push azure main\n"
    );
    let reset = Message::ResetCommitted {
        commit: id('d'),
        branch: "main".into(),
        token,
        push: "git push azure main".into(),
    };
    assert_eq!(
        reset.to_string(),
        "committed dddddddddddd on main: a new force-clean marker (token abababababab…).\n\
         envguard: the next `git push azure main` deletes and rebuilds the environment once."
    );
    let fetch = Message::FetchFirst {
        remote: "azure".into(),
        branch: "main".into(),
        commit: id('e'),
    };
    assert_eq!(
        fetch.to_string(),
        "azure has main at eeeeeeeeeeee, a commit this repository does not have; \
         run `git fetch azure` and look at what was deployed before pushing over it"
    );
    let moved = Message::RefMoved {
        refname: "refs/heads/main".into(),
        was: id('f'),
        now: Some(id('a')),
        retry: Retry::Push,
    };
    assert_eq!(
        moved.to_string(),
        "refs/heads/main moved while envguard was working on it: it pointed at ffffffffffff, and now \
         points at aaaaaaaaaaaa (a commit made meanwhile, or another push running at the same time whose \
         envguard committed a marker there). This run changed nothing. Look at `git log` (a marker commit \
         reads \"envguard: force a clean environment…\"), then push again"
    );
    let gone = Message::RefMoved {
        refname: "refs/heads/main".into(),
        was: id('f'),
        now: None,
        retry: Retry::Reset,
    };
    assert!(gone.to_string().contains("and no longer exists"), "{gone}");
    assert!(gone
        .to_string()
        .ends_with("then run `envguard --reset` again"));
}

#[test]
fn refusals_say_what_to_do() {
    let cases = [
        (
            Message::NotABranch {
                removals: vec![Removal {
                    file: "requirements.txt".into(),
                    removed: vec!["six".into(), "attrs".into()],
                    extras: vec![],
                }],
                local_ref: b"HEAD~1".to_vec(),
            },
            "requirements.txt removes six and attrs, but this push names `HEAD~1`, not a branch, so envguard \
             cannot commit a force-clean marker on it; push a branch, or run `envguard --reset` on one",
        ),
        (
            Message::EnvguardFileEdited {
                what: ".envguard/force-clean has staged changes".into(),
                path: crate::token::MARKER_PATH,
                retry: Retry::Push,
            },
            ".envguard/force-clean has staged changes; envguard would overwrite it. Commit or discard that \
             change (`git restore --staged --worktree .envguard/force-clean`), then push again",
        ),
        (
            Message::MalformedInput {
                number: 2,
                text: b"x\ty\x1b[2J\xff".to_vec(),
            },
            "line 2 of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"x\\ty\\x1b[2J\\xff\"",
        ),
        (
            Message::InTheWay(InTheWay {
                path: crate::token::ENVGUARD_DIR,
                found: crate::token::Entry::Symlink,
                place: Place::Commit,
            }),
            ".envguard is a symbolic link in the pushed commit; envguard keeps its marker as two \
             regular files in a folder .envguard/ and never writes over or through anything else. \
             Move it out of the way (`git mv -- .envguard <another name>`, or `git rm -r -- .envguard`: \
             for a link that removes the link, not what it points to) and commit, then push again",
        ),
        (
            Message::InTheWay(InTheWay {
                path: MARKER_PATH,
                found: crate::token::Entry::Directory,
                place: Place::WorkTree,
            }),
            ".envguard/force-clean is a directory in the working tree; envguard keeps its marker as \
             two regular files in a folder .envguard/ and never writes over or through anything else. \
             It is not committed: move it out of the way (`mv -- .envguard/force-clean <another name>`), \
             then push again",
        ),
        (
            Message::OperationInProgress(Operation::Rebase),
            "a `git rebase` is in progress here; envguard does not move a branch under it (git could \
             not finish it after that). Finish it (`git rebase --continue`) or abort it \
             (`git rebase --abort`), then try again",
        ),
        (
            Message::OperationInProgress(Operation::Bisect),
            "a `git bisect` is in progress here; envguard does not move a branch under it (git could \
             not finish it after that). End it (`git bisect reset`), then try again",
        ),
        (
            Message::NothingChanged {
                why: "cannot write .git/index.lock: File too large (os error 27)".into(),
                refname: "refs/heads/main".into(),
                parent: CommitId::parse(&"ab".repeat(20)).unwrap(),
            },
            "cannot write .git/index.lock: File too large (os error 27); nothing was changed: \
             refs/heads/main still points at abababababab, and the index and your files are as they \
             were (the marker commit written meanwhile is referenced by nothing). Fix that, then push \
             again",
        ),
        (
            Message::ForeignScript { name: "deploy.sh" },
            "deploy.sh exists and is not envguard's; keep it and add the marker steps by hand \
             (see \"Server-side setup on Azure\" in envguard's README: read .envguard/force-clean, \
             delete the environment when its token differs from <env>/.envguard-token, write the \
             token after pip succeeds), or replace it with `envguard init --force`",
        ),
        (
            Message::ForeignCommand {
                theirs: "bash scripts/mine.sh".into(),
                ours: "bash deploy.sh",
            },
            ".deployment runs `bash scripts/mine.sh`, not envguard's script; change it to \
             `command = bash deploy.sh` (after adding the marker steps to your script), or run \
             `envguard init --force`",
        ),
        (
            Message::MarkerCoversThisBranch {
                place: "azure master".into(),
            },
            "azure master: the marker committed above covers this branch too",
        ),
    ];
    for (message, want) in cases {
        assert_eq!(message.to_string(), want);
    }
}

fn removal_in(file: &str, removed: &[&str], extras: &[(&str, &[&str])]) -> Removal {
    Removal {
        file: file.into(),
        removed: removed.iter().map(|s| s.to_string()).collect(),
        extras: extras
            .iter()
            .map(|(p, e)| (p.to_string(), e.iter().map(|s| s.to_string()).collect()))
            .collect(),
    }
}

// Issue 16: a removal is named with its file, a dropped extra reads as
// one, singular and plural agree.
#[test]
fn removals_name_their_file_and_agree_in_number() {
    let cases = [
        (
            vec![removal_in("requirements/base.txt", &["python-dotenv"], &[])],
            "requirements/base.txt removes python-dotenv",
        ),
        (
            vec![removal_in("requirements.txt", &[], &[("requests", &["socks"])])],
            "requirements.txt drops the socks extra of requests",
        ),
        (
            vec![removal_in(
                "requirements.txt",
                &["a", "b", "c"],
                &[("requests", &["security", "socks"])],
            )],
            "requirements.txt removes a, b and c and drops the security and socks extras of requests",
        ),
        (
            vec![
                removal_in("requirements.txt", &["six"], &[]),
                removal_in("requirements/base.txt", &["python-dotenv"], &[]),
            ],
            "requirements.txt removes six; requirements/base.txt removes python-dotenv",
        ),
    ];
    for (removals, want) in cases {
        assert_eq!(Removals(&removals).to_string(), want);
    }
    let warn = |removed: &[&str]| {
        let name = |n: &str| PackageId::Name(CanonicalName::new(n));
        let change = Change {
            removed: removed.iter().map(|n| name(n)).collect(),
            ..Change::default()
        };
        decided(Decision::Removed {
            policy: OnRemoval::Warn,
            change,
        })
    };
    assert!(warn(&["six"]).contains("the server keeps it installed"));
    assert!(warn(&["six", "attrs"]).contains("the server keeps them installed"));
}

// Issue 16: the refusals for a missing identity and a local edit.
#[test]
fn identity_and_edit_refusals_say_what_to_retry() {
    let hook = Message::NoIdentity {
        missing: "user.email".into(),
        removals: vec![removal_in("requirements.txt", &["six"], &[])],
        retry: Retry::Push,
    };
    assert_eq!(
        hook.to_string(),
        "requirements.txt removes six, which pip would leave installed on the server, but git has no \
         user.email to write the marker commit with; set them with `git config --global user.name \
         \"Your Name\"` and `git config --global user.email you@example.com`, then push again"
    );
    let reset = Message::NoIdentity {
        missing: "user.name and user.email".into(),
        removals: vec![],
        retry: Retry::Reset,
    };
    assert_eq!(
        reset.to_string(),
        "git has no user.name and user.email to write the marker commit with; set them with \
         `git config --global user.name \"Your Name\"` and `git config --global user.email \
         you@example.com`, then run `envguard --reset` again"
    );
    let edited = Message::EnvguardFileEdited {
        what: ".envguard/force-clean has unstaged changes".into(),
        path: crate::token::MARKER_PATH,
        retry: Retry::Reset,
    }
    .to_string();
    assert_eq!(
        edited,
        ".envguard/force-clean has unstaged changes; envguard would overwrite it. Commit or discard that \
         change (`git restore --staged --worktree .envguard/force-clean`), then run `envguard --reset` again"
    );
    assert!(!edited.contains("push again"));
}

// Issue 11: how the site builds, in plain words.
#[test]
fn deploy_paths_read_plainly() {
    let oryx = Message::Deploys {
        path: DeployPath::Oryx,
    }
    .to_string();
    assert_eq!(
        oryx,
        format!(
            "no `command` in .deployment: on Linux App Service, Oryx builds the app into a fresh virtual \
             environment on every deployment (SCM_DO_BUILD_DURING_DEPLOYMENT true or unset), so a removed \
             package cannot survive there and envguard is not needed for correctness. \
             `envguard init --target linux` is an opt-in that trades Oryx's full rebuild for envguard's \
             incremental deploy (the environment is reused, and rebuilt only after a removal); it gives up \
             Oryx's own build features ({ORYX_FEATURES})"
        )
    );
    let cases = [
        (
            DeployPath::Envguard(Platform::Linux),
            ".deployment runs `bash deploy.sh`, envguard's script: it reuses the environment between \
             deployments and rebuilds it once for each new force-clean marker",
        ),
        (
            DeployPath::Envguard(Platform::Windows),
            ".deployment runs `deploy.cmd`, envguard's script for legacy Windows sites: it reuses the \
             environment between deployments and rebuilds it once for each new force-clean marker",
        ),
        (
            DeployPath::Custom("bash scripts/mydeploy.sh".into()),
            ".deployment runs `bash scripts/mydeploy.sh`, a deployment of your own: envguard's marker \
             helps only if it honours it",
        ),
        (
            DeployPath::KuduWindows,
            "no `command` in .deployment of a Windows site: Kudu's stock Python script keeps the \
             environment between deployments and never honours the force-clean marker, so removed \
             packages stay installed",
        ),
        (
            DeployPath::NoBuild,
            ".deployment sets SCM_DO_BUILD_DURING_DEPLOYMENT to false: Kudu copies the files and runs \
             no pip, so the server builds no environment for envguard to clean",
        ),
    ];
    for (path, want) in cases {
        assert_eq!(Message::Deploys { path }.to_string(), want);
    }
    assert_eq!(
        Message::ReplacesOryx {
            command: "bash deploy.sh".into()
        }
        .to_string(),
        format!(
            "note: a custom `command` replaces Oryx's build on Linux App Service: `bash deploy.sh` now \
             reuses the environment between deployments instead of Oryx's fresh build, and Oryx's own \
             build features ({ORYX_FEATURES}) no longer run. To go back to Oryx, delete the `command` \
             line from .deployment"
        )
    );
}

// Issue 16: init, status and revisions.
#[test]
fn init_status_and_revision_messages() {
    let cases = [
        (
            Message::InitFile {
                path: "deploy.sh".into(),
                done: Written::New,
            },
            "wrote deploy.sh",
        ),
        (
            Message::InitFile {
                path: "envguard_check.py".into(),
                done: Written::Updated,
            },
            "updated envguard_check.py",
        ),
        (
            Message::InitFile {
                path: "deploy.cmd".into(),
                done: Written::UpToDate,
            },
            "deploy.cmd is up to date",
        ),
        (
            Message::KeepsEdited {
                name: "deploy.sh",
                stamped: true,
            },
            "deploy.sh is envguard's, edited since envguard wrote it: init keeps your edits. \
             To replace it with this version's, run `envguard init --force`; `git diff deploy.sh` \
             then shows what changed",
        ),
        (
            Message::KeepsEdited {
                name: "envguard_check.py",
                stamped: false,
            },
            "envguard_check.py is envguard's but has no digest line (an older envguard wrote it, \
             or the line was edited out): init cannot tell whether you edited it, so it keeps it. \
             To replace it with this version's, run `envguard init --force`; \
             `git diff envguard_check.py` then shows what changed",
        ),
        (
            Message::ForeignChecker {
                name: "envguard_check.py",
            },
            "envguard_check.py exists and is not envguard's leftovers check: rename it, or replace \
             it with `envguard init --force`",
        ),
        (
            Message::DeploymentRuns {
                command: "bash deploy.sh".into(),
                changed: true,
            },
            ".deployment now runs `bash deploy.sh`",
        ),
        (
            Message::DeploymentRuns {
                command: "deploy.cmd".into(),
                changed: false,
            },
            ".deployment already runs `deploy.cmd`",
        ),
        (
            Message::InitUnchanged,
            "nothing changed: every file is already as `envguard init` writes it",
        ),
        (
            Message::CommitThem {
                paths: vec!["deploy.sh".into(), ".deployment".into()],
                script: "deploy.sh".into(),
            },
            "commit them: git add deploy.sh .deployment && git commit -m \"Deploy with envguard's deploy.sh\"",
        ),
        (
            Message::RemoteDoesNotDeploy {
                remote: "origin".into(),
                url: "git@example.invalid:me/app.git".into(),
                configured: false,
            },
            "origin (git@example.invalid:me/app.git) does not deploy: it is not named azure, has no App \
             Service scm URL, and no envguard.toml lists it in `remotes`; envguard lets every push to it \
             through unchecked. For a remote that deploys: `envguard status <remote>`",
        ),
        (
            Message::RemoteDoesNotDeploy {
                remote: "azure".into(),
                url: "/srv/site.git".into(),
                configured: true,
            },
            "azure (/srv/site.git) does not deploy: envguard.toml's `remotes` does not list it; envguard \
             lets every push to it through unchecked. For a remote that deploys: `envguard status <remote>`",
        ),
        (
            Message::UnknownRevision { rev: "v9".into() },
            "`v9` names no commit in this repository; check the name (`git log --oneline --all`), or \
             `git fetch` the commit first",
        ),
        (
            Message::KeptPackagesRemoved {
                names: vec!["gunicorn".into()],
                policy: OnRemoval::Warn,
            },
            "note: envguard.toml's `keep` lists gunicorn: the server's leftovers check never counts what \
             it lists, so it stays installed there",
        ),
        (
            Message::KeptPackagesRemoved {
                names: vec!["gunicorn".into()],
                policy: OnRemoval::Commit,
            },
            "note: envguard.toml's `keep` lists gunicorn: the server's leftovers check never counts what \
             it lists, but a clean rebuilds the environment from the requirements alone, so afterwards the \
             server has gunicorn only if what installs it outside them (a PRE_BUILD_COMMAND, a startup \
             step) runs again",
        ),
    ];
    for (message, want) in cases {
        assert_eq!(message.to_string(), want);
    }
}

// Issue 16: `-v` says where each decision came from.
#[test]
fn verbose_lines_name_their_sources() {
    let cases = [
        (
            Message::ConfigFrom {
                place: "azure main".into(),
                commit: id('a'),
                has_config: true,
                has_deployment: false,
            },
            "azure main: settings from envguard.toml (no .deployment) of the pushed commit aaaaaaaaaaaa",
        ),
        (
            Message::BaselineFrom {
                place: "azure main".into(),
                source: BaselineSource::OtherBranch {
                    refname: "refs/remotes/azure/master".into(),
                    commit: id('b'),
                },
            },
            "azure main: compared with refs/remotes/azure/master at bbbbbbbbbbbb (the branch is new on the remote)",
        ),
        (
            Message::BaselineFrom {
                place: "azure main".into(),
                source: BaselineSource::None,
            },
            "azure main: compared with nothing: a first deployment",
        ),
        (
            Message::FilesCompared {
                place: "azure main".into(),
                paths: vec!["requirements.txt".into(), "runtime.txt".into()],
            },
            "azure main: decided by the bytes of requirements.txt, runtime.txt",
        ),
    ];
    for (message, want) in cases {
        assert_eq!(message.to_string(), want);
    }
}

// Issue 12: status's refusals and Baseline line, and the shell's last
// inline sentences.
#[test]
fn status_lines_and_last_refusals() {
    let status_baseline = |source| Message::StatusBaseline {
        remote: "azure".into(),
        branch: "main".into(),
        source,
    };
    let cases = [
        (
            Message::StatusOfDeletion {
                refspec: ":main".into(),
            },
            "`:main` deletes the remote branch: a deletion never deploys, envguard lets it through",
        ),
        (
            Message::StatusNeedsDestination { src: "v1.2".into() },
            "`v1.2` is not a local branch, so the push needs a destination: \
             `envguard status <remote> v1.2:<branch>`",
        ),
        (
            Message::BranchDoesNotDeploy {
                branch: "feature".into(),
                branches: vec!["master".into(), "main".into()],
            },
            "feature does not deploy (deploying branches: master, main): a push to it is not checked",
        ),
        (
            status_baseline(BaselineSource::RemoteCommit(id('a'))),
            "azure/main at aaaaaaaaaaaa",
        ),
        (
            status_baseline(BaselineSource::OtherBranch {
                refname: "refs/remotes/azure/master".into(),
                commit: id('b'),
            }),
            "azure/master at bbbbbbbbbbbb (main is new on azure)",
        ),
        (
            status_baseline(BaselineSource::Fingerprint),
            "the fingerprint in .envguard/fingerprint.toml",
        ),
        (
            status_baseline(BaselineSource::None),
            "none: this would be the first deployment",
        ),
        (
            Message::InitWithoutWorkTree,
            "this repository has no working tree; run `envguard init` in the app's checkout",
        ),
        (
            Message::NoCommand,
            "no command given; see `envguard --help`",
        ),
        (
            Message::InitRefusesLink {
                name: ".deployment".into(),
            },
            ".deployment is a symbolic link; envguard init never writes through or over one. \
             Replace it with the file itself, then run `envguard init` again",
        ),
        (
            Message::DemoKeepNotEmpty {
                dir: "/tmp/demo".into(),
            },
            "/tmp/demo is not empty; give --keep a new or empty folder",
        ),
        (
            Message::DemoNoVenv,
            "python3 has no working venv module; install it (Debian/Ubuntu: `apt-get install \
             python3-venv`) and run the demo again",
        ),
        (
            Message::DemoNeedsPython,
            "the demo needs python3 with venv; install it (Debian/Ubuntu: `apt-get install python3 \
             python3-venv`)",
        ),
        (
            Message::DemoNeedsGit,
            "the demo needs git; install it (Debian/Ubuntu: `apt-get install git`)",
        ),
    ];
    for (message, want) in cases {
        assert_eq!(message.to_string(), want);
    }
}

// The warning's pronoun counts removed packages and dropped extras alike.
#[test]
fn the_warning_says_it_for_one_thing_and_them_for_more() {
    let name = |n: &str| PackageId::Name(CanonicalName::new(n));
    let warned = |removed: &[&str], extras: bool| {
        let change = Change {
            removed: removed.iter().map(|n| name(n)).collect(),
            extras_dropped: if extras {
                vec![(name("requests"), ["socks".to_string()].into())]
            } else {
                Vec::new()
            },
            ..Change::default()
        };
        decided(Decision::Removed {
            policy: OnRemoval::Warn,
            change,
        })
    };
    assert!(warned(&[], true).contains("the server keeps it installed"));
    assert!(warned(&["six"], false).contains("the server keeps it installed"));
    assert!(warned(&["six"], true).contains("the server keeps them installed"));
    assert!(warned(&["six", "attrs"], true).contains("the server keeps them installed"));
}
