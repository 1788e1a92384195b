//! The hook's refusals: every reason it stops a push with exit 2 that is
//! its own (and its marker commit's, which `--reset` shares), each with
//! what to do. The repository's own refusals (a missing object, a moved
//! branch, a locked index) are `repo`'s.

use std::fmt;

use envguard_core::decide::say::Removals;
use envguard_core::decide::Removal;
use envguard_core::fingerprint::FingerprintError;
use envguard_core::ids::CommitId;
use envguard_core::text::quote;
use envguard_core::token::{Converted, InTheWay, Place, ENVGUARD_DIR, FINGERPRINT_PATH};

use crate::repo::{Operation, Retry};
use crate::say::PASTE;

/// Why the hook stops a push with exit 2, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A line of git's pre-push input is not a ref line.
    MalformedInput { number: usize, text: Vec<u8> },
    /// `envguard pre-push` without git's arguments, and no manager's variables.
    PrePushWithoutArguments,
    /// A hook manager ran `envguard pre-push` with no ref information.
    NoPushToCheck { runner: String },
    /// A push sends an object that is not a commit (an annotated tag) to a
    /// branch.
    NotACommit {
        local_ref: Vec<u8>,
        object: CommitId,
        kind: &'static str,
        /// The commit a tag tags.
        tagged: Option<CommitId>,
        remote_ref: String,
        /// The push of the tagged commit instead.
        again: Option<String>,
    },
    /// The push names no branch to put the marker on.
    NotABranch {
        removals: Vec<Removal>,
        local_ref: Vec<u8>,
    },
    /// A SHA-256 repository: a push to `place` deploys, and cannot be checked.
    Sha256Push { place: String },
    /// The remote's commit is not in this repository.
    FetchFirst {
        remote: String,
        branch: String,
        commit: CommitId,
    },
    /// The pushed commit's fingerprint, the baseline of a branch new on
    /// the remote, cannot be read.
    BadFingerprint {
        place: String,
        error: FingerprintError,
    },
    /// No first-parent ancestor within the bound has the requirements file.
    BaselineTooDeep {
        requirements: String,
        deployed: CommitId,
        bound: usize,
    },
    /// A shallow clone's history ends before a commit with the file.
    BaselineShallow {
        requirements: String,
        deployed: CommitId,
    },
    /// git has no identity to commit with; `removals`: what the push
    /// that needed the marker removes (none for `--reset`).
    NoIdentity {
        missing: String,
        removals: Vec<Removal>,
        retry: Retry,
    },
    /// A merge, rebase or similar is under way in this worktree.
    OperationInProgress(Operation),
    /// The branch is checked out in another worktree.
    CheckedOutElsewhere { refname: String, worktree: String },
    /// Something at an envguard path that is not envguard's to write over.
    InTheWay(InTheWay),
    /// A git attribute makes a checkout write an envguard file as other
    /// bytes than envguard commits. `pushed`: the place of a push that
    /// carries such a marker already; `None` for a marker about to be
    /// committed.
    EnvguardFileConverted {
        converted: Converted,
        pushed: Option<String>,
        retry: Retry,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MalformedInput { number, text } => write!(
                f,
                "line {number} of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"{}\"",
                quote(text)
            ),
            Refusal::PrePushWithoutArguments => write!(
                f,
                "`envguard pre-push` needs the remote's name and URL, as git passes them to a \
                 pre-push hook, with git's ref lines on stdin; in a hook manager's config write \
                 `envguard pre-push \"$@\"` (husky) or `envguard pre-push \"{{1}}\" \"{{2}}\"` with \
                 `use_stdin: true` (lefthook)"
            ),
            Refusal::NoPushToCheck { runner } => write!(
                f,
                "{runner} ran `envguard pre-push` with no push to check (no ref lines on stdin, no \
                 PRE_COMMIT_* push variables), as `pre-commit run --hook-stage pre-push` typed by hand \
                 does: nothing was pushed and nothing was checked, and envguard fails rather than pass \
                 what it cannot see. It checks pushes when `git push` runs it (for pre-commit: \
                 `pre-commit install --hook-type pre-push`, then push), or with git's arguments and ref \
                 lines passed on (`envguard pre-push \"$@\"`; lefthook: `use_stdin: true`); \
                 `envguard status` shows what the next push would do"
            ),
            Refusal::NotACommit {
                local_ref,
                object,
                kind,
                tagged,
                remote_ref,
                again,
            } => {
                write!(
                    f,
                    "`{}` names {kind} ({}), not a commit",
                    quote(local_ref),
                    object.short()
                )?;
                if let Some(commit) = tagged {
                    write!(f, " (it tags commit {})", commit.short())?;
                }
                write!(
                    f,
                    ": a branch holds commits only, so git on the remote refuses to write it to \
                     {remote_ref}, and nothing would deploy"
                )?;
                match again {
                    Some(again) => write!(f, ". Push the commit it tags:\n\n{PASTE}    {again}\n"),
                    None => f.write_str(". Push a commit to the branch"),
                }
            }
            Refusal::NotABranch { removals, local_ref } => write!(
                f,
                "{}, but this push names `{}`, not a branch, so envguard cannot commit \
                 a force-clean marker on it; push a branch, or run `envguard --reset` on one",
                Removals(removals),
                quote(local_ref)
            ),
            Refusal::Sha256Push { place } => write!(
                f,
                "{place}: this repository uses SHA-256 object ids, which envguard cannot read yet (its git \
                 library opens SHA-1 repositories only), so it cannot check what this push deploys. Check \
                 the requirements yourself (if packages were removed, delete the environment on the \
                 server), then push with `git push --no-verify`"
            ),
            Refusal::FetchFirst {
                remote,
                branch,
                commit,
            } => write!(
                f,
                "{remote} has {branch} at {}, a commit this repository does not have; \
                 run `git fetch {remote}` and look at what was deployed before pushing over it",
                commit.short()
            ),
            Refusal::BadFingerprint { place, error } => {
                write!(
                    f,
                    "{place}: the branch is new there, so the pushed commit's {FINGERPRINT_PATH} \
                     stands for what the site last installed, but it {error}; envguard cannot tell \
                     what this push removes. "
                )?;
                match error {
                    FingerprintError::NewerSchema(_) => f.write_str(
                        "Update envguard to the version your team uses, then push again",
                    ),
                    FingerprintError::Unreadable(_) => write!(
                        f,
                        "Restore it from the commit that wrote it (`git log -- {FINGERPRINT_PATH}`), \
                         or run `envguard --reset` to commit a fresh marker and fingerprint (the next \
                         deployment then rebuilds the environment), then push again"
                    ),
                }
            }
            Refusal::BaselineTooDeep {
                requirements,
                deployed,
                bound,
            } => write!(
                f,
                "the deployed commit {} has no {requirements}, nor do its {bound} nearest first-parent \
                 ancestors, so envguard cannot tell what the server last installed. Run `envguard --reset` \
                 to schedule a clean environment, then push with `git push --no-verify`",
                deployed.short()
            ),
            Refusal::BaselineShallow {
                requirements,
                deployed,
            } => write!(
                f,
                "the deployed commit {} has no {requirements}, and this shallow clone's history ends before \
                 a commit that has it, so envguard cannot tell what the server last installed. Run \
                 `git fetch --unshallow` (or `git fetch --deepen=<n>`), then push again",
                deployed.short()
            ),
            Refusal::NoIdentity {
                missing,
                removals,
                retry,
            } => {
                if !removals.is_empty() {
                    write!(
                        f,
                        "{}, which pip would leave installed on the server, but ",
                        Removals(removals)
                    )?;
                }
                write!(
                    f,
                    "git has no {missing} to write the marker commit with; set them with \
                     `git config --global user.name \"Your Name\"` and \
                     `git config --global user.email you@example.com`, then {retry}"
                )
            }
            Refusal::OperationInProgress(operation) => {
                let command = operation.command();
                let finish = match operation {
                    Operation::Bisect => "End it (`git bisect reset`)".to_string(),
                    _ => format!(
                        "Finish it (`git {command} --continue`) or abort it (`git {command} --abort`)"
                    ),
                };
                write!(
                    f,
                    "a `git {command}` is in progress here; envguard does not move a branch under it \
                     (git could not finish it after that). {finish}, then try again"
                )
            }
            Refusal::CheckedOutElsewhere { refname, worktree } => write!(
                f,
                "{refname} is checked out in the worktree {worktree}; run this there, so that its index and files follow the marker commit"
            ),
            Refusal::InTheWay(InTheWay { path, found, place }) => {
                let (place, fix) = match place {
                    Place::Commit => (
                        "in the pushed commit",
                        format!("Move it out of the way (`git mv -- {path} <another name>`, or `git rm -r -- {path}`: for a link that removes the link, not what it points to) and commit"),
                    ),
                    Place::WorkTree => (
                        "in the working tree",
                        format!("It is not committed: move it out of the way (`mv -- {path} <another name>`)"),
                    ),
                };
                write!(
                    f,
                    "{path} is {found} {place}; envguard keeps its marker as two regular files in a folder \
                     .envguard/ and never writes over or through anything else. {fix}, then push again"
                )
            }
            Refusal::EnvguardFileConverted {
                converted: Converted { path, attribute },
                pushed,
                retry,
            } => {
                let (lead, source, also) = match pushed {
                    Some(place) => (
                        format!("{place}: this push carries a new force-clean marker, but "),
                        "the pushed commit's .gitattributes",
                        "",
                    ),
                    None => (
                        String::new(),
                        "the pushed commit's .gitattributes (or this clone's .git/info/attributes)",
                        " (and `git status` here would fail on it); the marker commit holds \
                         envguard's two files only, so it cannot change that",
                    ),
                };
                write!(
                    f,
                    "{lead}{path} gets `{attribute}` from {source}: a checkout writes it as other bytes \
                     than envguard commits, so the server's deployment script would not read its token \
                     and would not rebuild the environment{also}. End .gitattributes with the line \
                     `/{ENVGUARD_DIR}/** -working-tree-encoding -filter` (or drop the rule; one in \
                     {ENVGUARD_DIR}/.gitattributes wins over the root's), commit it, then {retry}"
                )
            }
        }
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;
    use envguard_core::token::{Entry, MARKER_PATH};

    fn id(c: char) -> CommitId {
        CommitId::parse(&c.to_string().repeat(40)).unwrap()
    }

    fn removal_in(file: &str, removed: &[&str]) -> Removal {
        Removal {
            file: file.into(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            extras: vec![],
        }
    }

    #[test]
    fn attributes_that_re_encode_envguards_files_say_the_fix() {
        let converted = |pushed: Option<&str>, retry| {
            Refusal::EnvguardFileConverted {
                converted: Converted {
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
        let tag = Refusal::NotACommit {
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
             refs/heads/main, and nothing would deploy. Push the commit it tags:\n\n\u{1e}    \
             git push azure 'refs/tags/v1^{}:refs/heads/main'\n"
        );
        let tree = Refusal::NotACommit {
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
            Refusal::BadFingerprint {
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
        let fetch = Refusal::FetchFirst {
            remote: "azure".into(),
            branch: "main".into(),
            commit: id('e'),
        };
        assert_eq!(
            fetch.to_string(),
            "azure has main at eeeeeeeeeeee, a commit this repository does not have; \
             run `git fetch azure` and look at what was deployed before pushing over it"
        );
    }

    #[test]
    fn refusals_say_what_to_do() {
        let cases = [
            (
                Refusal::NotABranch {
                    removals: vec![removal_in("requirements.txt", &["six", "attrs"])],
                    local_ref: b"HEAD~1".to_vec(),
                },
                "requirements.txt removes six and attrs, but this push names `HEAD~1`, not a branch, so envguard \
                 cannot commit a force-clean marker on it; push a branch, or run `envguard --reset` on one",
            ),
            (
                Refusal::MalformedInput {
                    number: 2,
                    text: b"x\ty\x1b[2J\xff".to_vec(),
                },
                "line 2 of git's input is not `<local-ref> <oid> <remote-ref> <oid>`: \"x\\ty\\x1b[2J\\xff\"",
            ),
            (
                Refusal::InTheWay(InTheWay {
                    path: ENVGUARD_DIR,
                    found: Entry::Symlink,
                    place: Place::Commit,
                }),
                ".envguard is a symbolic link in the pushed commit; envguard keeps its marker as two \
                 regular files in a folder .envguard/ and never writes over or through anything else. \
                 Move it out of the way (`git mv -- .envguard <another name>`, or `git rm -r -- .envguard`: \
                 for a link that removes the link, not what it points to) and commit, then push again",
            ),
            (
                Refusal::InTheWay(InTheWay {
                    path: MARKER_PATH,
                    found: Entry::Directory,
                    place: Place::WorkTree,
                }),
                ".envguard/force-clean is a directory in the working tree; envguard keeps its marker as \
                 two regular files in a folder .envguard/ and never writes over or through anything else. \
                 It is not committed: move it out of the way (`mv -- .envguard/force-clean <another name>`), \
                 then push again",
            ),
            (
                Refusal::OperationInProgress(Operation::Rebase),
                "a `git rebase` is in progress here; envguard does not move a branch under it (git could \
                 not finish it after that). Finish it (`git rebase --continue`) or abort it \
                 (`git rebase --abort`), then try again",
            ),
            (
                Refusal::OperationInProgress(Operation::Bisect),
                "a `git bisect` is in progress here; envguard does not move a branch under it (git could \
                 not finish it after that). End it (`git bisect reset`), then try again",
            ),
        ];
        for (refusal, want) in cases {
            assert_eq!(refusal.to_string(), want);
        }
    }

    // The refusal for a missing identity lists what the push removes, and
    // says what to retry.
    #[test]
    fn identity_refusals_say_what_to_retry() {
        let hook = Refusal::NoIdentity {
            missing: "user.email".into(),
            removals: vec![removal_in("requirements.txt", &["six"])],
            retry: Retry::Push,
        };
        assert_eq!(
            hook.to_string(),
            "requirements.txt removes six, which pip would leave installed on the server, but git has no \
             user.email to write the marker commit with; set them with `git config --global user.name \
             \"Your Name\"` and `git config --global user.email you@example.com`, then push again"
        );
        let reset = Refusal::NoIdentity {
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
    }
}
