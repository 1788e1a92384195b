//! envguard's integration tests, compiled as one program (as ripgrep's are):
//! one binary to link instead of one per file, and one place for the
//! shared set-up. `cargo test --test it <filter>` runs a part of it, e.g.
//! `cargo test --test it hook::` for one module.
//!
//! The harnesses are modules of this program: [`common`] (a real app
//! repository with bare remotes beside it, the binary under test, what a
//! run said and `assert_says!`, the shared tables of
//! `tests/data`), [`kudu`] (a simulated Kudu server running
//! `hooks/deploy.sh`) and [`linux_site`] (both containers of a Linux App
//! Service site over it). Every other module is a group of tests, named for
//! what it covers.
//!
//! The core crate's own tests are a second program,
//! `crates/envguard-core/tests/it`: they build against the core alone,
//! without libgit2, as the core itself does.

mod common;
mod kudu;
mod linux_site;

// What envguard says, pinned whole with snapshots of real runs
// (`tests/it/snapshots`).
mod architecture;
mod cli;
mod commands;
mod fail_read;
mod hook;
mod hook_inprocess;
mod init;
mod init_promises;
mod install;
mod managers;
mod marker_commit;
mod messages;
mod push_target;
mod repo_state;
mod requirements_in_commits;

// The server side and the whole loop. Their logs hold pip's, Wine's and
// Python's own output, which differs between their versions, beside
// envguard's lines: these tests look for envguard's lines with `contains`
// rather than pin a snapshot of a log.
mod demo;
mod deploy_cmd;
mod deploy_converge;
mod deploy_sh;
mod deploy_sh_links;
mod deploy_sh_requirements;
mod deploy_sh_rollback;
mod envguard_check;
mod envguard_check_legacy;
mod full_loop;
mod kudu_deployment;
mod linux_app_service;
mod vps_post_receive;
