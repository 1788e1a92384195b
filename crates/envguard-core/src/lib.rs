//! envguard's core: every rule the hook, `status`, `diff` and `doctor`
//! decide by, over plain data. It does no I/O at all (no git, no files, no
//! process, no network, no environment; `tests/it/purity.rs` enforces it):
//! files come in as bytes through a caller-supplied reader, and decisions
//! and typed errors (each naming its file and line) go out. It keeps rules,
//! not prose: the only sentences here are the decision's own, which the
//! hook, `status` and `diff` share ([`decide::say`]), and each error's
//! `Display`; every other sentence lives in the shell module that decides
//! it.
//!
//! Modules, innermost first: [`text`], [`encoding`], [`ids`], [`digest`], [`shipped`], [`names`], [`platform`],
//! [`token`], [`links`], [`requirements`], [`deployment`], [`config`], [`fingerprint`],
//! [`decide`], [`managers`]. Each uses only modules before it.

pub mod config;
pub mod decide;
pub mod deployment;
pub mod digest;
pub mod encoding;
pub mod fingerprint;
pub mod ids;
pub mod links;
pub mod managers;
pub mod names;
pub mod platform;
pub mod requirements;
pub mod shipped;
pub mod text;
pub mod token;
