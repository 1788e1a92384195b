//! Kudu's `.deployment` file, parsed once: the app's folder (`project`) and
//! the script Kudu runs (`command`), and the one answer to "does this
//! command run envguard's script?" that config, `init` and `doctor` share.

use crate::platform::Platform;

/// Kudu's deployment settings file, relative to the repository root.
pub const DEPLOYMENT_PATH: &str = ".deployment";

/// File endings of scripts Kudu can run from `.deployment`'s `command`.
const SCRIPT_ENDINGS: [&str; 4] = [".cmd", ".bat", ".sh", ".ps1"];

/// The server script envguard ships for a platform, by its file name at the
/// repository root, and the `.deployment` command that runs it.
pub fn envguard_script(platform: Platform) -> (&'static str, &'static str) {
    match platform {
        Platform::Windows => ("deploy.cmd", "deploy.cmd"),
        Platform::Linux => ("deploy.sh", "bash deploy.sh"),
    }
}

/// What `.deployment` says that matters to envguard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `project = <dir>`: the app's folder inside the repository.
    pub project: Option<String>,
    /// `command = …`: the script Kudu runs.
    pub command: Option<String>,
}

impl Deployment {
    /// Reads Kudu's INI file: the `[config]` section, keys case-insensitive.
    pub fn parse(bytes: &[u8]) -> Deployment {
        let text = String::from_utf8_lossy(bytes);
        let mut in_config = false;
        let mut out = Deployment::default();
        for line in text.trim_start_matches('\u{feff}').lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_config = line.eq_ignore_ascii_case("[config]");
                continue;
            }
            if !in_config || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim().to_string();
            match key.trim().to_ascii_lowercase().as_str() {
                "project" => out.project = Some(value),
                "command" => out.command = Some(value),
                _ => {}
            }
        }
        out
    }

    /// The project folder as a repository-relative prefix (`""` for the root).
    pub fn project_prefix(&self) -> String {
        let dir = self.project.as_deref().unwrap_or("").replace('\\', "/");
        let dir = dir.trim_start_matches("./").trim_matches('/');
        if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        }
    }

    /// The platform whose markers count by default (SPEC, config `target`):
    /// `windows` when the command runs `deploy.cmd`, else `linux`.
    pub fn target(&self) -> Platform {
        let script = self.command.as_deref().and_then(script_of);
        let file_name = script.as_deref().map(|s| s.rsplit('/').next().unwrap_or(s));
        match file_name {
            Some(name) if name.eq_ignore_ascii_case(envguard_script(Platform::Windows).0) => {
                Platform::Windows
            }
            _ => Platform::Linux,
        }
    }

    /// The platform of the envguard script the command runs, when it runs
    /// one: `deploy.cmd` or `deploy.sh` at the repository root, as `init`
    /// writes them.
    pub fn runs_envguard_script(&self) -> Option<Platform> {
        let script = script_of(self.command.as_deref()?)?;
        [Platform::Windows, Platform::Linux]
            .into_iter()
            .find(|&platform| script.eq_ignore_ascii_case(envguard_script(platform).0))
    }
}

/// The script a `.deployment` command runs (`deploy.cmd`, `bash deploy.sh`),
/// as a repository path: Kudu runs it from the repository root.
pub fn script_of(command: &str) -> Option<String> {
    command
        .split_whitespace()
        .map(|word| word.trim_matches('"'))
        .find(|word| {
            let lower = word.to_ascii_lowercase();
            SCRIPT_ENDINGS.iter().any(|ending| lower.ends_with(ending))
        })
        .map(|word| word.replace('\\', "/").trim_start_matches("./").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(text: &str) -> Deployment {
        Deployment {
            command: Some(text.to_string()),
            ..Deployment::default()
        }
    }

    #[test]
    fn scripts_named_by_deployment_commands() {
        for (command, script) in [
            ("deploy.cmd", Some("deploy.cmd")),
            ("bash deploy.sh", Some("deploy.sh")),
            (
                "bash ./scripts/deploy.sh --verbose",
                Some("scripts/deploy.sh"),
            ),
            (r#""scripts\Deploy.CMD""#, Some("scripts/Deploy.CMD")),
            ("python build.py", None),
        ] {
            assert_eq!(script_of(command).as_deref(), script, "{command}");
        }
    }

    #[test]
    fn which_commands_run_envguards_script() {
        for (text, ours, target) in [
            ("deploy.cmd", Some(Platform::Windows), Platform::Windows),
            ("bash deploy.sh", Some(Platform::Linux), Platform::Linux),
            ("bash ./deploy.sh", Some(Platform::Linux), Platform::Linux),
            ("bash scripts/mydeploy.sh", None, Platform::Linux),
            ("bash scripts/deploy.sh", None, Platform::Linux),
            ("scripts\\deploy.cmd", None, Platform::Windows),
            ("python build.py", None, Platform::Linux),
        ] {
            let d = command(text);
            assert_eq!(d.runs_envguard_script(), ours, "{text}");
            assert_eq!(d.target(), target, "{text}");
        }
        assert_eq!(Deployment::default().target(), Platform::Linux);
        assert_eq!(Deployment::default().runs_envguard_script(), None);
    }

    #[test]
    fn reads_the_config_section_only() {
        let d = Deployment::parse(
            b"\xef\xbb\xbf; c\n[other]\nproject = x\n[CONFIG]\nPROJECT = src/app/\n",
        );
        assert_eq!(d.project.as_deref(), Some("src/app/"));
        assert_eq!(d.project_prefix(), "src/app/");
        assert_eq!(
            Deployment::parse(b"[config]\nproject = .\n").project_prefix(),
            ""
        );
        let elsewhere =
            Deployment::parse(b"[other]\ncommand = deploy.cmd\n[config]\n; project = x\n");
        assert_eq!(elsewhere, Deployment::default());
    }
}
