//! envguard: a git pre-push hook that forces a clean Python environment on
//! Azure App Service when a push removes packages from requirements.txt.
//!
//! This crate is the shell: git ([`repo`], the only door to git2), files
//! ([`fs`]), the process, and the commands. Every rule it acts on lives in
//! the I/O-free core, [`envguard_core`]; dependencies point inward only
//! (docs/ARCHITECTURE.md). `main.rs` only maps [`run`]'s outcome to an
//! exit code.

pub mod cli;
pub mod commands;
pub mod demo;
pub mod doctor;
pub mod facts;
pub mod fs;
pub mod hook;
pub mod init;
pub mod install;
pub mod managers;
pub mod marker;
pub mod quote;
pub mod repo;

use std::io::{IsTerminal, Read};

use anyhow::{bail, Context, Result};

use cli::{Cli, Command};
use envguard_core::managers::PushInput;
use envguard_core::message::Message;
use repo::Repo;

/// How a command ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the push was stopped (or `diff` found removals, or `doctor`
    /// something to fix).
    Stopped,
}

fn this_binary() -> Result<std::path::PathBuf> {
    std::env::current_exe().context("cannot tell where the envguard binary is")
}

fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().context("cannot read the current directory")
}

/// git's ref lines from stdin. git always gives a pipe; a terminal means a
/// person or a manager run by hand (`pre-commit run`), which has none to
/// give, and reading it would wait for typing.
fn read_ref_lines() -> Result<String> {
    let mut input = String::new();
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        stdin
            .lock()
            .read_to_string(&mut input)
            .context("cannot read git's ref lines from stdin")?;
    }
    Ok(input)
}

/// `envguard: ` before each line of what a command says, except blank
/// lines and text to paste (indented four spaces), which stays as it is.
fn prefixed(said: &str) -> String {
    said.lines()
        .map(|line| {
            if line.is_empty() || line.starts_with("    ") {
                format!("{line}\n")
            } else {
                format!("envguard: {line}\n")
            }
        })
        .collect()
}

fn reset() -> Result<Outcome> {
    commands::reset(&Repo::open_from_env()?, &mut std::io::stderr().lock())?;
    Ok(Outcome::Success)
}

/// The exit code for how a command ended, after saying an error once (with
/// its chain) and, when it stopped a push, how to bypass envguard: 0 go on,
/// 1 stopped, 2 error.
pub fn exit_code(result: Result<Outcome>, stops_push: bool, err: &mut dyn std::io::Write) -> u8 {
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Stopped) => 1,
        Err(error) => {
            // Nothing more can be said when stderr itself is gone.
            let _ = writeln!(err, "envguard: {error:#}");
            if stops_push {
                let _ = writeln!(err, "envguard: {}", envguard_core::message::BYPASS);
            }
            2
        }
    }
}

/// Whether a failure of this command stops a push (and so needs the bypass hint).
pub fn stops_push(cli: &Cli) -> bool {
    matches!(cli.command, Some(Command::PrePush { .. }))
}

/// Runs one command. Errors carry their full context; the caller prints them.
pub fn run(cli: Cli) -> Result<Outcome> {
    let mut err = std::io::stderr().lock();
    match cli.command {
        Some(Command::PrePush { remote, url }) => {
            if std::env::var("ENVGUARD_SKIP").is_ok_and(|v| v == "1") {
                return Ok(Outcome::Success);
            }
            let input = read_ref_lines()?;
            // git names an unnamed remote by its URL, twice.
            let args = remote.map(|remote| {
                let url = url.unwrap_or_else(|| remote.clone());
                (remote, url)
            });
            let has_lines = input.lines().any(|line| !line.trim().is_empty());
            let var = |name: &str| std::env::var(name).ok();
            match envguard_core::managers::push_input(args, &var, has_lines) {
                PushInput::Lines { remote, url } => {
                    hook::pre_push(&remote, &url, &input, Repo::open_from_env, &mut err)
                }
                PushInput::PreCommit(push) => {
                    hook::pre_push_from_pre_commit(&push, Repo::open_from_env, &mut err)
                }
                PushInput::NothingPushed => Ok(Outcome::Success),
                PushInput::NoPush { runner } => Err(Message::NoPushToCheck {
                    runner: runner.to_string(),
                }
                .into()),
                PushInput::NoArguments => Err(Message::PrePushWithoutArguments.into()),
            }
        }
        Some(Command::Install {
            force,
            config_hook,
            manager,
        }) => {
            let how = install::How {
                force,
                config_hook,
                manager,
            };
            let said = install::install(&current_dir()?, &this_binary()?, how)?;
            eprint!("{}", prefixed(&said));
            Ok(Outcome::Success)
        }
        Some(Command::Uninstall) => {
            let said = install::uninstall(&current_dir()?)?;
            eprint!("{}", prefixed(&said));
            Ok(Outcome::Success)
        }
        Some(Command::Doctor) => {
            let report = doctor::doctor(&current_dir()?, &Repo::open_from_env()?, &this_binary()?)?;
            report.render(&mut std::io::stdout().lock())?;
            Ok(if report.to_fix() == 0 {
                Outcome::Success
            } else {
                Outcome::Stopped
            })
        }
        Some(Command::Reset) => reset(),
        None if cli.reset => reset(),
        Some(Command::Status { remote }) => {
            commands::status(
                &Repo::open_from_env()?,
                remote.as_deref(),
                &mut std::io::stdout().lock(),
            )?;
            Ok(Outcome::Success)
        }
        Some(Command::Diff { old, new, format }) => {
            let repo = Repo::open_from_env()?;
            let removed = commands::diff(
                &repo,
                &old,
                &new,
                format,
                &mut std::io::stdout().lock(),
                &mut err,
            )?;
            Ok(if removed {
                Outcome::Stopped
            } else {
                Outcome::Success
            })
        }
        Some(Command::Init { target, force }) => {
            let repo = Repo::open_from_env()?;
            let Some(root) = repo.workdir() else {
                bail!("this repository has no working tree; run `envguard init` in the app's checkout");
            };
            let target = match (target, repo.head_commit()?) {
                (Some(target), _) => target.into(),
                (None, Some(head)) => facts::config_at(&repo, &head)?.target,
                (None, None) => envguard_core::config::Config::from_files(None, None)?.target,
            };
            eprint!("{}", init::init(root, target, force)?);
            Ok(Outcome::Success)
        }
        Some(Command::Demo { keep }) => {
            demo::run(keep.as_deref(), &mut std::io::stdout().lock())?;
            Ok(Outcome::Success)
        }
        None => bail!("no command given; see `envguard --help`"),
    }
}
