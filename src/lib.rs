//! envguard: a git pre-push hook that forces a clean Python environment on
//! Azure App Service when a push removes packages from requirements.txt.
//!
//! This crate is the shell: git ([`repo`], the only door to git), files
//! ([`fs`]), the process, and the commands. Every rule it acts on lives in
//! the I/O-free core, [`envguard_core`]; dependencies point inward only
//! (docs/ARCHITECTURE.md). `main.rs` only maps [`run`]'s outcome to an
//! exit code.

pub mod cli;
pub mod commands;
pub mod demo;
pub mod fs;
pub mod hook;
pub mod push_target;
pub mod quote;
pub mod repo;
pub mod say;
pub mod setup;

use std::io::{IsTerminal, Read, Write};

use anyhow::{Context, Result};

use cli::{Cli, Command};
use envguard_core::managers::PushInput;
use repo::Repo;
use say::{Outcome, Verbosity};

fn this_binary() -> Result<std::path::PathBuf> {
    std::env::current_exe().context("cannot tell where the envguard binary is")
}

fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().context("cannot read the current directory")
}

/// git's ref lines from stdin. git always gives a pipe; a terminal means a
/// person or a manager run by hand (`pre-commit run`), which has none to
/// give, and reading it would wait for typing.
fn read_ref_lines() -> Result<Vec<u8>> {
    let mut input = Vec::new();
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        stdin
            .lock()
            .read_to_end(&mut input)
            .context("cannot read git's ref lines from stdin")?;
    }
    Ok(input)
}

/// Says, after a command run in a repository, when envguard no longer runs
/// on `git push` there, with the one command that fixes it.
fn warn_if_not_running(err: &mut dyn Write) {
    if let Some(warning) = current_dir()
        .ok()
        .and_then(|dir| setup::managers::warning(&dir))
    {
        let _ = say::line(err, warning);
    }
}

/// The copy of envguard that pre-commit's or prek's config runs steps
/// aside, saying so, where envguard's own hook file is the manager's legacy
/// hook: that copy has already checked this push, every ref line of it,
/// before the manager decided whether anything was pushed
/// ([`setup::managers::config_copy_steps_aside`]).
fn config_copy_steps_aside(err: &mut dyn Write) -> bool {
    let Ok(dir) = current_dir() else {
        return false;
    };
    match setup::managers::config_copy_steps_aside(&dir) {
        Some(note) => {
            let _ = say::line(err, note);
            true
        }
        None => false,
    }
}

fn reset() -> Result<Outcome> {
    commands::reset(&Repo::open_from_env()?, &mut say::stderr())?;
    warn_if_not_running(&mut say::stderr());
    Ok(Outcome::Success)
}

/// The exit code for how a command ended, after saying an error once (with
/// its chain) and, when it stopped a push, how to bypass envguard: 0 go on,
/// 1 stopped, 2 error.
pub fn exit_code(result: Result<Outcome>, stops_push: bool, err: &mut dyn std::io::Write) -> u8 {
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Stopped) => 1,
        Ok(Outcome::Failed) => 2,
        Err(error) => {
            // Nothing more can be said when stderr itself is gone.
            let text = describe(&error);
            let _ = if text.contains(say::PASTE) {
                say::lines(err, &text)
            } else {
                say::line(err, &text)
            };
            if stops_push {
                let _ = say::line(err, BYPASS);
            }
            2
        }
    }
}

/// How to push without envguard, said after every error that stops a push.
const BYPASS: &str =
    "the push was stopped. To push without envguard: `git push --no-verify` or `ENVGUARD_SKIP=1 git push …`";

pub use repo::describe;

/// Whether a failure of this command stops a push (and so needs the bypass hint).
pub fn stops_push(cli: &Cli) -> bool {
    matches!(cli.command, Some(Command::PrePush { .. }))
}

/// Runs one command. Errors carry their full context; the caller prints them.
pub fn run(cli: Cli) -> Result<Outcome> {
    let mut err = say::stderr();
    let verbosity = Verbosity::of(cli.quiet, cli.verbose);
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
            let has_lines = input
                .split(|&b| b == b'\n')
                .any(|line| !line.iter().all(u8::is_ascii_whitespace));
            let var = |name: &str| std::env::var(name).ok();
            match envguard_core::managers::push_input(args, &var, has_lines) {
                PushInput::Lines { remote, url } => hook::pre_push(
                    &remote,
                    &url,
                    &input,
                    Repo::open_from_env,
                    verbosity,
                    &mut err,
                ),
                PushInput::PreCommit(_) if config_copy_steps_aside(&mut err) => {
                    Ok(Outcome::Success)
                }
                PushInput::PreCommit(push) => {
                    hook::pre_push_from_pre_commit(&push, Repo::open_from_env, verbosity, &mut err)
                }
                PushInput::NothingPushed => Ok(Outcome::Success),
                // A manager run by hand (`pre-commit run --hook-stage
                // pre-push`) stopped no push: no bypass to mention.
                PushInput::NoPush { runner } => {
                    let runner = runner.to_string();
                    say::line(&mut err, hook::Refusal::NoPushToCheck { runner })?;
                    Ok(Outcome::Failed)
                }
                PushInput::NoArguments => Err(hook::Refusal::PrePushWithoutArguments.into()),
            }
        }
        Some(Command::Install {
            force,
            config_hook,
            manager,
            hook_file,
        }) => {
            let how = setup::install::How {
                force,
                config_hook,
                manager,
                hook_file,
            };
            let (said, runs) = setup::install::install(&current_dir()?, &this_binary()?, how)?;
            let _ = setup::install::say(&mut err, &said);
            // Nothing installed under a manager: exit 1, so that a setup
            // script does not take the repository for guarded
            // (docs/exit-codes.md).
            Ok(if runs {
                Outcome::Success
            } else {
                Outcome::Stopped
            })
        }
        Some(Command::Uninstall) => {
            let said = setup::install::uninstall(&current_dir()?)?;
            let _ = setup::install::say(&mut err, &said);
            Ok(Outcome::Success)
        }
        Some(Command::Doctor { format }) => {
            let report =
                setup::doctor::doctor(&current_dir()?, &Repo::open_from_env()?, &this_binary()?)?;
            let mut out = std::io::stdout().lock();
            match format {
                commands::Format::Text => report.render(&mut out)?,
                commands::Format::Json => report.render_json(&mut out)?,
            }
            warn_if_not_running(&mut err);
            Ok(if report.to_fix() == 0 {
                Outcome::Success
            } else {
                Outcome::Stopped
            })
        }
        Some(Command::Reset) => reset(),
        None if cli.reset => reset(),
        Some(Command::Status {
            remote_name,
            refspec,
            remote,
            format,
        }) => {
            commands::status(
                &Repo::open_from_env()?,
                remote_name.or(remote).as_deref(),
                refspec.as_deref(),
                format,
                &mut std::io::stdout().lock(),
            )?;
            warn_if_not_running(&mut err);
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
            warn_if_not_running(&mut err);
            Ok(if removed {
                Outcome::Stopped
            } else {
                Outcome::Success
            })
        }
        Some(Command::Init { target, force }) => {
            let report = setup::init::run(&Repo::open_from_env()?, target.map(Into::into), force)?;
            report.say(verbosity, &mut err)?;
            Ok(Outcome::Success)
        }
        Some(Command::Demo { keep }) => {
            demo::run(keep.as_deref(), &mut std::io::stdout().lock())?;
            Ok(Outcome::Success)
        }
        Some(Command::Completions { shell }) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "envguard", &mut std::io::stdout());
            Ok(Outcome::Success)
        }
        Some(Command::Man) => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout().lock())?;
            Ok(Outcome::Success)
        }
        None => Err(cli::NoCommand.into()),
    }
}
