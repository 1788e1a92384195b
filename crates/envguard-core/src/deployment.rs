//! Kudu's `.deployment` file, parsed once: the app's folder (`project`) and
//! the script Kudu runs (`command`), and the one answer to "does this
//! command run envguard's script?" that config, `init` and `doctor` share.

use crate::platform::Platform;

/// Kudu's deployment settings file, relative to the repository root.
pub const DEPLOYMENT_PATH: &str = ".deployment";
/// git's attributes file, at the repository root: its rules keep the
/// scripts' line endings ([`with_attributes`]).
pub const ATTRIBUTES_PATH: &str = ".gitattributes";

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
    /// `SCM_DO_BUILD_DURING_DEPLOYMENT = …`: whether Kudu builds at all.
    pub build_during_deployment: Option<String>,
}

/// How the site builds a deployment, as far as `.deployment` tells (an app
/// setting of the same name in the portal overrides a key here). KuduLite's
/// `SiteBuilderFactory.cs` checks, in this order: a `command` (the custom
/// script runs, Oryx does not), then `SCM_DO_BUILD_DURING_DEPLOYMENT`
/// (false-like: the files are copied and nothing is built), then Oryx.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeployPath {
    /// `command` runs exactly the script `envguard init` writes.
    Envguard(Platform),
    /// `command` runs something else: the user's own deployment.
    Custom(String),
    /// No `command`, build on, a Linux site: Oryx builds a fresh virtual
    /// environment on every deployment.
    Oryx,
    /// No `command` on a Windows site: Kudu's stock Python script, which
    /// keeps the environment between deployments.
    KuduWindows,
    /// `SCM_DO_BUILD_DURING_DEPLOYMENT` false: files are copied, pip never runs.
    NoBuild,
}

impl DeployPath {
    /// A stable name for scripts (`status --format json`).
    pub fn key(&self) -> &'static str {
        match self {
            DeployPath::Envguard(Platform::Linux) => "envguard-deploy-sh",
            DeployPath::Envguard(Platform::Windows) => "envguard-deploy-cmd",
            DeployPath::Custom(_) => "custom-command",
            DeployPath::Oryx => "oryx",
            DeployPath::KuduWindows => "kudu-windows",
            DeployPath::NoBuild => "no-build",
        }
    }
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
                "scm_do_build_during_deployment" => out.build_during_deployment = Some(value),
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
    /// exactly the command `init` writes: `deploy.cmd` or `bash deploy.sh`
    /// (a leading `./` or quotes aside). `bash deploy.sh --extra`,
    /// `sh deploy.sh` or `bash scripts/mydeploy.sh` are the user's own.
    pub fn runs_envguard_script(&self) -> Option<Platform> {
        let words: Vec<&str> = self.command.as_deref()?.split_whitespace().collect();
        [Platform::Windows, Platform::Linux]
            .into_iter()
            .find(|&platform| is_init_command(&words, platform))
    }

    /// How this `.deployment` builds on a site of `target`.
    pub fn path(&self, target: Platform) -> DeployPath {
        if let Some(command) = self.command.as_deref().filter(|c| !c.is_empty()) {
            return match self.runs_envguard_script() {
                Some(platform) => DeployPath::Envguard(platform),
                None => DeployPath::Custom(command.to_string()),
            };
        }
        // KuduLite's DoBuildDuringDeployment: unset or true-like builds;
        // only a false-like value ("0", "false") turns the build off.
        let value = self.build_during_deployment.as_deref().unwrap_or("");
        if value == "0" || value.eq_ignore_ascii_case("false") {
            return DeployPath::NoBuild;
        }
        match target {
            Platform::Linux => DeployPath::Oryx,
            Platform::Windows => DeployPath::KuduWindows,
        }
    }
}

fn is_init_command(words: &[&str], platform: Platform) -> bool {
    let (script, command) = envguard_script(platform);
    let expected: Vec<&str> = command.split_whitespace().collect();
    let Some((last, lead)) = words.split_last() else {
        return false;
    };
    let word = last.trim_matches('"').replace('\\', "/");
    let word = word.strip_prefix("./").unwrap_or(&word);
    let same_file = match platform {
        // Windows file names are case-insensitive.
        Platform::Windows => word.eq_ignore_ascii_case(script),
        Platform::Linux => word == script,
    };
    same_file && lead == &expected[..expected.len() - 1]
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

/// The result of setting `command` in a `.deployment`.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    /// It already runs that command.
    Unchanged,
    /// The file with the command set; every other byte as it was.
    Changed(Vec<u8>),
    /// It runs something else, the user's own: this command.
    Conflict(String),
}

/// Sets `command = …` in the `[config]` section of a `.deployment`
/// (adding the section when missing). Works on bytes, line by line: every
/// other line keeps its bytes and its line ending, so a file in Latin-1 or
/// with a BOM comes back as it was. A command that is not `init`'s own
/// ([`Deployment::runs_envguard_script`]) is a conflict unless `force`.
pub fn set_command(bytes: &[u8], command: &str, force: bool) -> Edit {
    let newline: &[u8] = if bytes.windows(2).any(|w| w == b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let mut in_config = false;
    let mut config_at = None;
    for (i, raw) in lines.iter().enumerate() {
        let text = String::from_utf8_lossy(raw);
        let trimmed = text.trim().trim_start_matches('\u{feff}');
        if trimmed.starts_with('[') {
            in_config = trimmed.eq_ignore_ascii_case("[config]");
            if in_config {
                config_at = Some(i);
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=').filter(|_| in_config) else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("command") {
            continue;
        }
        let value = value.trim();
        if value == command {
            return Edit::Unchanged;
        }
        let theirs = Deployment {
            command: Some(value.to_string()),
            ..Deployment::default()
        };
        if theirs.runs_envguard_script().is_none() && !force {
            return Edit::Conflict(value.to_string());
        }
        let ending: &[u8] = if raw.ends_with(b"\r\n") {
            b"\r\n"
        } else if raw.ends_with(b"\n") {
            b"\n"
        } else {
            b""
        };
        let mut out = lines[..i].concat();
        out.extend_from_slice(format!("command = {command}").as_bytes());
        out.extend_from_slice(ending);
        out.extend_from_slice(&lines[i + 1..].concat());
        return Edit::Changed(out);
    }
    let line = format!("command = {command}").into_bytes();
    let mut out = Vec::with_capacity(bytes.len() + 32);
    match config_at {
        Some(at) => {
            out.extend_from_slice(&lines[..=at].concat());
            if !lines[at].ends_with(b"\n") {
                out.extend_from_slice(newline);
            }
            out.extend_from_slice(&line);
            out.extend_from_slice(newline);
            out.extend_from_slice(&lines[at + 1..].concat());
        }
        None => {
            out.extend_from_slice(bytes);
            if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                out.extend_from_slice(newline);
            }
            out.extend_from_slice(b"[config]");
            out.extend_from_slice(newline);
            out.extend_from_slice(&line);
            out.extend_from_slice(newline);
        }
    }
    Edit::Changed(out)
}

/// The `.gitattributes` rule that keeps a script's committed bytes in every
/// checkout: `-text` turns off line-ending conversion for that one path, so
/// neither `* text=auto eol=lf` nor `core.autocrlf` turns `deploy.cmd`'s
/// CRLF (which cmd needs: it misreads labels in LF files) into LF, or
/// `deploy.sh`'s LF (which bash needs) into CRLF. Later lines win in
/// `.gitattributes`, so an appended rule overrides a broader one above it.
pub fn attributes_rule(script: &str) -> String {
    format!("/{script} -text")
}

/// `.gitattributes` with `rules` appended where missing, every existing
/// byte kept; `None` when every rule is there already.
pub fn with_attributes(existing: Option<&[u8]>, rules: &[String]) -> Option<Vec<u8>> {
    let bytes = existing.unwrap_or_default();
    let text = String::from_utf8_lossy(bytes);
    let present: Vec<&str> = text.lines().map(str::trim).collect();
    let missing: Vec<&String> = rules
        .iter()
        .filter(|rule| !present.contains(&rule.as_str()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let newline: &[u8] = if bytes.windows(2).any(|w| w == b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let mut out = bytes.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(newline);
    }
    out.extend_from_slice(ATTRIBUTES_COMMENT.as_bytes());
    out.extend_from_slice(newline);
    for rule in missing {
        out.extend_from_slice(rule.as_bytes());
        out.extend_from_slice(newline);
    }
    Some(out)
}

/// The comment `init` writes above its `.gitattributes` rules.
const ATTRIBUTES_COMMENT: &str =
    "# envguard: the deployment script runs with the line endings it was committed with";

/// Whether a script's bytes have the line endings its interpreter needs:
/// CRLF only for `deploy.cmd`, no CR at all for `deploy.sh`.
pub fn has_platform_endings(platform: Platform, bytes: &[u8]) -> bool {
    match platform {
        Platform::Windows => bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b != b'\n' || (i > 0 && bytes[i - 1] == b'\r')),
        Platform::Linux => !bytes.contains(&b'\r'),
    }
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
            ("bash deploy.sh --verbose", None, Platform::Linux),
            ("sh deploy.sh", None, Platform::Linux),
            ("bash Deploy.sh", None, Platform::Linux),
            ("\"Deploy.CMD\"", Some(Platform::Windows), Platform::Windows),
            (".\\deploy.cmd", Some(Platform::Windows), Platform::Windows),
            ("deploy.cmd && del x", None, Platform::Windows),
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

    #[test]
    fn deploy_paths_follow_kudulites_order() {
        let with = |command: Option<&str>, build: Option<&str>| Deployment {
            command: command.map(str::to_string),
            build_during_deployment: build.map(str::to_string),
            ..Deployment::default()
        };
        assert_eq!(with(None, None).path(Platform::Linux), DeployPath::Oryx);
        assert_eq!(
            with(None, Some("true")).path(Platform::Linux),
            DeployPath::Oryx
        );
        assert_eq!(
            with(None, Some("1")).path(Platform::Windows),
            DeployPath::KuduWindows
        );
        for off in ["0", "false", "False"] {
            assert_eq!(
                with(None, Some(off)).path(Platform::Linux),
                DeployPath::NoBuild
            );
        }
        assert_eq!(
            with(Some("bash deploy.sh"), Some("false")).path(Platform::Linux),
            DeployPath::Envguard(Platform::Linux)
        );
        assert_eq!(
            with(Some("bash scripts/mydeploy.sh"), None).path(Platform::Linux),
            DeployPath::Custom("bash scripts/mydeploy.sh".into())
        );
        let d = Deployment::parse(b"[config]\nSCM_DO_BUILD_DURING_DEPLOYMENT = false\n");
        assert_eq!(d.path(Platform::Linux), DeployPath::NoBuild);
    }

    fn changed(edit: Edit) -> String {
        match edit {
            Edit::Changed(bytes) => String::from_utf8(bytes).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deployment_edits_keep_other_keys() {
        assert_eq!(
            changed(set_command(
                b"[config]\nproject = app\n",
                "deploy.cmd",
                false
            )),
            "[config]\ncommand = deploy.cmd\nproject = app\n"
        );
        assert_eq!(
            changed(set_command(
                b"[config]\r\nCOMMAND = deploy.cmd\r\n",
                "bash deploy.sh",
                false
            )),
            "[config]\r\ncommand = bash deploy.sh\r\n"
        );
        assert_eq!(
            changed(set_command(
                b"[config]\ncommand = deploy.cmd",
                "bash deploy.sh",
                false
            )),
            "[config]\ncommand = bash deploy.sh"
        );
        assert_eq!(
            set_command(b"[config]\ncommand = deploy.cmd\n", "deploy.cmd", false),
            Edit::Unchanged
        );
        assert_eq!(
            set_command(b"[config]\ncommand = mine.cmd\n", "deploy.cmd", false),
            Edit::Conflict("mine.cmd".into())
        );
        assert_eq!(
            set_command(
                b"[config]\ncommand = bash scripts/mydeploy.sh\n",
                "bash deploy.sh",
                false
            ),
            Edit::Conflict("bash scripts/mydeploy.sh".into())
        );
        assert_eq!(
            changed(set_command(
                b"[config]\ncommand = mine.cmd\n",
                "deploy.cmd",
                true
            )),
            "[config]\ncommand = deploy.cmd\n"
        );
        assert_eq!(
            changed(set_command(
                b"; note\nSCM_DO_BUILD_DURING_DEPLOYMENT = 1",
                "deploy.cmd",
                false
            )),
            "; note\nSCM_DO_BUILD_DURING_DEPLOYMENT = 1\n[config]\ncommand = deploy.cmd\n"
        );
    }

    #[test]
    fn deployment_edits_keep_bytes_that_are_not_utf8() {
        let latin1 = b"; caf\xe9 \xa9 2024\r\n[config]\r\nproject = app\r\n";
        let Edit::Changed(out) = set_command(latin1, "bash deploy.sh", false) else {
            panic!("not changed");
        };
        assert_eq!(
            out,
            b"; caf\xe9 \xa9 2024\r\n[config]\r\ncommand = bash deploy.sh\r\nproject = app\r\n"
        );
        let Edit::Changed(out) = set_command(
            b"[config]\ncommand = deploy.cmd\n; \xff\n",
            "bash deploy.sh",
            false,
        ) else {
            panic!("not changed");
        };
        assert_eq!(out, b"[config]\ncommand = bash deploy.sh\n; \xff\n");
    }

    #[test]
    fn attributes_are_appended_once() {
        let rules = [attributes_rule("deploy.cmd")];
        assert_eq!(rules[0], "/deploy.cmd -text");
        let out = with_attributes(Some(b"* text=auto eol=lf"), &rules).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            format!("* text=auto eol=lf\n{ATTRIBUTES_COMMENT}\n/deploy.cmd -text\n")
        );
        assert_eq!(with_attributes(Some(&out), &rules), None);
        let fresh = with_attributes(None, &rules).unwrap();
        assert!(fresh.starts_with(b"# envguard"));
    }

    #[test]
    fn platform_endings() {
        assert!(has_platform_endings(
            Platform::Windows,
            b"@echo off\r\nx\r\n"
        ));
        assert!(!has_platform_endings(
            Platform::Windows,
            b"@echo off\r\nx\n"
        ));
        assert!(!has_platform_endings(Platform::Windows, b"\n"));
        assert!(has_platform_endings(Platform::Linux, b"#!/bin/bash\n"));
        assert!(!has_platform_endings(Platform::Linux, b"#!/bin/bash\r\n"));
    }
}
