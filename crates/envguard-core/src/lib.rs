//! envguard's core: every rule the hook, `status`, `diff` and `doctor`
//! decide by, over plain data. It does no I/O at all (no git, no files, no
//! process, no network, no environment; `tests/purity.rs` enforces it):
//! files come in as bytes through a caller-supplied reader, and what the
//! user should read goes out as a [`message::Message`] (or, for `doctor` and
//! `install`, a [`message::doctor::Finding`] or [`message::install::Install`]).
//!
//! Modules, innermost first: [`text`], [`encoding`], [`ids`], [`digest`], [`shipped`], [`names`], [`platform`],
//! [`token`], [`requirements`], [`deployment`], [`config`], [`fingerprint`],
//! [`decide`], [`managers`], [`message`], [`links`]. Each uses only modules before it.

pub mod config;
pub mod decide;
pub mod deployment;
pub mod digest;
pub mod encoding;
pub mod fingerprint;
pub mod ids;
pub mod links;
pub mod managers;
pub mod message;
pub mod names;
pub mod platform;
pub mod requirements;
pub mod shipped;
pub mod text;
pub mod token;
