//! The command line, as clap sees it.

use clap::{Parser, Subcommand};

/// Keeps Azure App Service's Python environment clean: when a push removes
/// packages from requirements.txt, envguard commits a force-clean marker that
/// the deployment script honours once.
#[derive(Debug, Parser)]
#[command(name = "envguard", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Commit a new force-clean marker on the current branch (same as `envguard reset`).
    #[arg(long, global = false)]
    pub reset: bool,

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
    /// Dry run: what pushing HEAD would do, and why.
    Status {
        /// The remote to check (default: the first one that deploys).
        #[arg(long)]
        remote: Option<String>,
    },
    /// The package-level difference of requirements between two commits
    /// (exit 0: nothing removed, 1: something removed).
    Diff {
        old: String,
        new: String,
        /// `text`: one item per line; `json`: one object.
        #[arg(long, value_enum, default_value = "text")]
        format: crate::commands::Format,
    },
    /// Install envguard's pre-push hook in this repository; a pre-push hook
    /// already there is kept as pre-push.envguard-chained and runs first.
    /// Under a hook manager (pre-commit, prek, lefthook, husky) it writes no
    /// hook file: it says how to run envguard from the manager's config.
    Install {
        /// Replace an existing pre-push hook instead of keeping it.
        #[arg(long)]
        force: bool,
        /// Register envguard in git's config (`hook.envguard.command`, git
        /// 2.54 or later) beside other tools' hooks, writing no hook file.
        #[arg(long, conflicts_with = "manager")]
        config_hook: bool,
        /// Add envguard to the hook manager's config where that is safe and
        /// reversible (husky's .husky/pre-push; lefthook-local.yml).
        #[arg(long)]
        manager: bool,
    },
    /// Write the server-side deployment script (deploy.cmd or deploy.sh) and
    /// a .deployment that runs it into this app repository.
    Init {
        /// The App Service platform (default: from envguard.toml's `target`,
        /// or `.deployment`; else linux).
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
    Doctor,
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
