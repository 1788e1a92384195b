//! The core's tests, compiled as one program against the core alone: no
//! libgit2, no git (`crates/envguard-core` builds without them, and so do
//! these). `cargo test -p envguard-core --test it <filter>` runs a part.

/// The one reader of the shared tables of `tests/data`, which envguard's
/// own tests (`tests/it`) use too.
#[path = "../../../../tests/it/common/tsv.rs"]
mod tsv;

mod purity;
mod requirements;
mod requirements_pip;
mod requirements_props;
mod shared_rules;
