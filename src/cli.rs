//! The command line, as clap sees it. The man page and the shell
//! completions are generated from this same definition (`envguard man`,
//! `envguard completions <shell>`).

use clap::{Parser, Subcommand};

use crate::commands::Format;

/// Keeps Azure App Service's Python environment clean: when a push removes
/// packages from requirements.txt, envguard commits a force-clean marker that
/// the deployment script honours once.
#[derive(Debug, Parser)]
#[command(
    name = "envguard",
    version,
    about,
    long_about = None,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Commit a new force-clean marker on the current branch (same as `envguard reset`).
    #[arg(long, global = false)]
    pub reset: bool,

    /// Say only what stops a push, warnings and errors. `git push -q` tells
    /// hooks nothing, so for the hook set ENVGUARD_QUIET=1 instead.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also say where each decision came from: the settings, the baseline,
    /// the files compared (for the hook: ENVGUARD_VERBOSE=1).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The git pre-push hook entry point; reads git's ref lines on stdin.
    /// Run by pre-commit or prek, it takes no arguments: their PRE_COMMIT_*
    /// variables describe the push.
    PrePush {
        /// The remote's name (or its URL when unnamed).
        remote: Option<String>,
        /// The remote's URL.
        url: Option<String>,
    },
    /// Commit a new force-clean marker on the current branch, so the next
    /// deployment rebuilds the environment.
    Reset,
    /// Dry run: what a push would do, and why (`envguard status azure
    /// feature:main` answers for `git push azure feature:main`).
    Status {
        /// The remote a push goes to (default: the first one that deploys).
        #[arg(value_name = "REMOTE", conflicts_with = "remote")]
        remote_name: Option<String>,
        /// What the push sends, as `git push` takes it: `main`,
        /// `feature:main`, `HEAD:master` (default: the current branch).
        #[arg(value_name = "REFSPEC")]
        refspec: Option<String>,
        /// The remote, as an option (the same as REMOTE).
        #[arg(long, value_name = "NAME")]
        remote: Option<String>,
        /// `text` for people; `json`: one object with stable fields (docs/json.md).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The package-level difference of requirements between two commits
    /// (exit 0: nothing removed, 1: something removed).
    Diff {
        /// The commit deployed before: a branch, tag or commit id (`azure/main`, `v1`).
        #[arg(value_name = "OLD_REV")]
        old: String,
        /// The commit to compare with it (`HEAD`).
        #[arg(value_name = "NEW_REV")]
        new: String,
        /// `text`: one item per line; `json`: one object.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Install envguard's pre-push hook in this repository: as git's
    /// config-based hook where git has them (2.54+), else a hook file (a
    /// pre-push hook already there is kept as pre-push.envguard-chained and
    /// runs first). Under a hook manager (pre-commit, prek, lefthook, husky)
    /// without config hooks it writes no hook file: it says how to run
    /// envguard from the manager's config, and exits 1.
    Install {
        /// Replace an existing pre-push hook instead of keeping it.
        #[arg(long)]
        force: bool,
        /// Register envguard in git's config (`hook.envguard.command`, git
        /// 2.54 or later) beside other tools' hooks, writing no hook file.
        #[arg(long, conflicts_with = "manager")]
        config_hook: bool,
        /// Wire envguard into the hook manager where that is safe and
        /// reversible (husky's .husky/pre-push; lefthook-local.yml;
        /// pre-commit's pre-push.legacy).
        #[arg(long)]
        manager: bool,
        /// Write the hook file even where git has config-based hooks (for a
        /// git older than 2.54 that also pushes from this clone).
        #[arg(long, conflicts_with_all = ["config_hook", "manager"])]
        hook_file: bool,
    },
    /// Write the server-side deployment script (deploy.sh, or deploy.cmd for
    /// legacy Windows sites), its leftovers checker, a .deployment that runs
    /// it and the .gitattributes rule that keeps its line endings.
    Init {
        /// The App Service platform (default: windows when .deployment
        /// runs deploy.cmd or envguard.toml says so; else linux).
        #[arg(long, value_enum)]
        target: Option<TargetArg>,
        /// Replace a deployment script or command that is not envguard's.
        #[arg(long)]
        force: bool,
    },
    /// Show the whole loop on this machine: push, marker, rebuild, with a
    /// simulated Azure site (needs git and python3 with venv).
    Demo {
        /// Keep the demo's repositories and site in this folder.
        #[arg(long, value_name = "DIR")]
        keep: Option<std::path::PathBuf>,
    },
    /// Remove envguard's pre-push hook, putting back the hook it kept; and
    /// what `install --config-hook` and `install --manager` added.
    Uninstall,
    /// Check that the hook, the remotes and the server script are in place
    /// (exit 0: all in place, 1: something to fix).
    Doctor {
        /// `text` for people; `json`: one object with stable fields (docs/json.md).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Print a shell completion script (install.sh installs them).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print envguard's man page (roff; install.sh installs it as envguard.1).
    Man,
}

/// `--target` of `envguard init`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    Windows,
    Linux,
}

impl From<TargetArg> for envguard_core::platform::Platform {
    fn from(target: TargetArg) -> Self {
        match target {
            TargetArg::Windows => envguard_core::platform::Platform::Windows,
            TargetArg::Linux => envguard_core::platform::Platform::Linux,
        }
    }
}

/// `envguard` with no command (only flags).
#[derive(Debug)]
pub struct NoCommand;

impl std::fmt::Display for NoCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no command given; see `envguard --help`")
    }
}

impl std::error::Error for NoCommand {}

/// `clap`'s own errors in envguard's voice: every line `envguard: …`, the
/// help for a bare `envguard` as it is. Returns the exit code: 0 for
/// `--help` and `--version`, 2 for misuse (a bare `envguard` included).
pub fn report_clap_error(error: &clap::Error, out: &mut dyn std::io::Write) -> u8 {
    use clap::error::ErrorKind;
    let text = error.render().to_string();
    // Nothing more can be said when the stream itself is gone.
    let _ = match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // On stdout, as clap prints them.
            let _ = error.print();
            return 0;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => out.write_all(text.as_bytes()),
        _ => {
            let lines: Vec<String> = text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(|line| {
                    format!(
                        "{}{}\n",
                        crate::say::PREFIX,
                        line.strip_prefix("error: ").unwrap_or(line)
                    )
                })
                .collect();
            out.write_all(lines.concat().as_bytes())
        }
    };
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_command_points_at_the_help() {
        assert_eq!(
            NoCommand.to_string(),
            "no command given; see `envguard --help`"
        );
    }
}
