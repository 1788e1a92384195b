//! Setting a repository up for envguard, and checking it: envguard's hook
//! file ([`hookfile`]), what hook managers and git's config-based hooks
//! hold ([`managers`]), `install` and `uninstall` ([`install`]), the
//! server's files (`init`, [`init`]) and `doctor` ([`doctor`]).

pub mod doctor;
pub mod hookfile;
pub mod init;
pub mod install;
pub mod managers;
