//! The pieces of the commands' sentences: how the site builds, as
//! `.deployment` says, and what `init` did to a file.

use std::fmt;

use crate::deployment::DeployPath;
use crate::platform::Platform;

/// What `init` did to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    New,
    Updated,
    UpToDate,
}

/// What a custom `command` gives up of Oryx's build (Oryx `doc/configuration.md`).
pub(super) const ORYX_FEATURES: &str =
    "pyproject.toml, Poetry, uv and setup.py projects, its pip cache and compressed output, \
     multi-platform builds such as a Node front end, CUSTOM_BUILD_COMMAND and its other build settings";

pub(super) fn fmt_deploy_path(f: &mut fmt::Formatter<'_>, path: &DeployPath) -> fmt::Result {
    match path {
        DeployPath::Envguard(Platform::Linux) => f.write_str(
            ".deployment runs `bash deploy.sh`, envguard's script: it reuses the environment between \
             deployments and rebuilds it once for each new force-clean marker",
        ),
        DeployPath::Envguard(Platform::Windows) => f.write_str(
            ".deployment runs `deploy.cmd`, envguard's script for legacy Windows sites: it reuses the \
             environment between deployments and rebuilds it once for each new force-clean marker",
        ),
        DeployPath::Custom(command) => write!(
            f,
            ".deployment runs `{command}`, a deployment of your own: envguard's marker helps only if it \
             honours it"
        ),
        DeployPath::Oryx => write!(
            f,
            "no `command` in .deployment: on Linux App Service, Oryx builds the app into a fresh virtual \
             environment on every deployment (SCM_DO_BUILD_DURING_DEPLOYMENT true or unset), so a removed \
             package cannot survive there and envguard is not needed for correctness. \
             `envguard init --target linux` is an opt-in that trades Oryx's full rebuild for envguard's \
             incremental deploy (the environment is reused, and rebuilt only after a removal); it gives up \
             Oryx's own build features ({ORYX_FEATURES})"
        ),
        DeployPath::KuduWindows => f.write_str(
            "no `command` in .deployment of a Windows site: Kudu's stock Python script keeps the environment \
             between deployments and never honours the force-clean marker, so removed packages stay installed",
        ),
        DeployPath::NoBuild => f.write_str(
            ".deployment sets SCM_DO_BUILD_DURING_DEPLOYMENT to false: Kudu copies the files and runs no pip, \
             so the server builds no environment for envguard to clean",
        ),
    }
}
