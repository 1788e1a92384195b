//! Kudu's `.deployment` file, parsed once: the app's folder (`project`) and
//! the script Kudu runs (`command`), and the one answer to "does this
//! command run envguard's script?" that config, `init` and `doctor` share.

use crate::encoding::{Encoding, REPLACEMENT};
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

/// A `.deployment` whose meaning to Kudu cannot be known, at a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for DeploymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{DEPLOYMENT_PATH}:{}: {}", self.line, self.message)
    }
}

impl std::error::Error for DeploymentError {}

/// `.deployment` as Kudu's `IniFile` reads it: KuduLite and projectkudu/kudu
/// `Kudu.Core/Infrastructure/IniFile.cs` (the same file in both), called by
/// `Kudu.Core/Settings/DeploymentSettingsProvider.cs` for section `config`.
///
/// - `File.ReadAllLines` decodes by the byte order mark, any of them, and
///   UTF-8 without one; bytes it cannot decode become U+FFFD
///   ([`Encoding`]). Lines end at CR LF, a lone CR or LF.
/// - Each line is trimmed of white space (`String.Trim`: the same
///   characters as Rust's `trim`); blank lines are skipped.
/// - `[name]` (more than `[]`) opens a section named by what is inside,
///   trimmed; `[ ]` opens none and the section before goes on. Sections are
///   a dictionary by name, ignoring case: a later `[config]` replaces an
///   earlier one whole.
/// - Before any section, lines are ignored. In one, a line with `=` is a key
///   (before the first `=`, trimmed) and its value (the rest, trimmed: `=`
///   may appear in it; no quotes are removed, no comment is cut off); a
///   later key of the same name, ignoring case, replaces the value. A line
///   starting with `=`, or without one, is skipped. There are no comments:
///   `; project = x` is a key named `; project`.
/// - Names compare ignoring case (`StringComparer.OrdinalIgnoreCase`);
///   envguard's names are ASCII and no other character upper-cases to one
///   of their letters in .NET's ordinal casing.
mod ini {
    use super::Encoding;

    /// One line: its bytes, its line ending's bytes, and its text.
    pub(super) struct Line<'a> {
        pub content: &'a [u8],
        pub ending: &'a [u8],
        pub text: String,
        /// Whether decoding put U+FFFD in place of bytes.
        pub replaced: bool,
    }

    /// A key of the `[config]` section that counts.
    pub(super) struct Entry {
        pub key: String,
        pub value: String,
        /// Index into [`File::lines`].
        pub line: usize,
        pub replaced: bool,
    }

    pub(super) struct File<'a> {
        /// The byte order mark, as it was.
        pub bom: &'a [u8],
        pub encoding: Encoding,
        pub lines: Vec<Line<'a>>,
        /// The last `[config]` section: its header's line index and its keys.
        pub config: Option<(usize, Vec<Entry>)>,
    }

    impl<'a> File<'a> {
        pub fn read(bytes: &'a [u8]) -> File<'a> {
            let (encoding, bom_len) = Encoding::from_bom(bytes).unwrap_or((Encoding::Utf8, 0));
            let (bom, body) = bytes.split_at(bom_len);
            let lines: Vec<Line<'a>> = split(encoding, body)
                .into_iter()
                .map(|(content, ending)| {
                    let (text, replaced) = encoding.decode_lossy(content);
                    Line {
                        content,
                        ending,
                        text,
                        replaced,
                    }
                })
                .collect();
            let mut config: Option<(usize, Vec<Entry>)> = None;
            let mut in_section = false;
            let mut in_config = false;
            for (index, line) in lines.iter().enumerate() {
                let value = line.text.trim();
                if value.is_empty() {
                    continue;
                }
                if value.starts_with('[') && value.ends_with(']') && value != "[]" {
                    let name = value[1..value.len() - 1].trim();
                    if !name.is_empty() {
                        in_section = true;
                        in_config = name.eq_ignore_ascii_case("config");
                        if in_config {
                            config = Some((index, Vec::new()));
                        }
                    }
                    continue;
                }
                if !in_section {
                    continue;
                }
                let Some((key, rest)) = value.split_once('=') else {
                    continue;
                };
                if key.is_empty() || !in_config {
                    continue;
                }
                if let Some((_, entries)) = config.as_mut() {
                    entries.push(Entry {
                        key: key.trim().to_string(),
                        value: rest.trim().to_string(),
                        line: index,
                        replaced: line.replaced,
                    });
                }
            }
            File {
                bom,
                encoding,
                lines,
                config,
            }
        }

        /// The entry that sets `key` in the last `[config]` section: the
        /// last one of that name, ignoring case.
        pub fn config_value(&self, key: &str) -> Option<&Entry> {
            let (_, entries) = self.config.as_ref()?;
            entries
                .iter()
                .rev()
                .find(|e| e.key.eq_ignore_ascii_case(key))
        }

        /// The line ending new lines get: the file's first, else LF.
        pub fn newline(&self) -> Vec<u8> {
            self.lines
                .iter()
                .map(|l| l.ending)
                .find(|ending| !ending.is_empty())
                .map_or_else(|| self.encoding.encode("\n"), <[u8]>::to_vec)
        }
    }

    /// `body` cut into lines as `StreamReader.ReadLine` cuts text: at CR LF,
    /// a lone CR, or LF, counted in code units of `encoding`. Each line's
    /// bytes come with its ending's; a last line without one has none.
    fn split(encoding: Encoding, body: &[u8]) -> Vec<(&[u8], &[u8])> {
        let width = encoding.unit_width();
        let mut lines = Vec::new();
        let (mut start, mut at) = (0, 0);
        while at + width <= body.len() {
            let unit = encoding.unit(&body[at..]);
            if unit != 0x0a && unit != 0x0d {
                at += width;
                continue;
            }
            let mut end = at + width;
            if unit == 0x0d && end + width <= body.len() && encoding.unit(&body[end..]) == 0x0a {
                end += width;
            }
            lines.push((&body[start..at], &body[at..end]));
            (start, at) = (end, end);
        }
        if start < body.len() {
            lines.push((&body[start..], &body[body.len()..]));
        }
        lines
    }
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
    /// Reads `.deployment` exactly as Kudu does (module [`ini`] says how):
    /// the values of its last `[config]` section. A value envguard uses
    /// (`project`, `command`) that Kudu would read with U+FFFD in place of
    /// bytes it cannot decode is an error naming the line: what folder or
    /// script the site then uses cannot be known.
    pub fn parse(bytes: &[u8]) -> Result<Deployment, DeploymentError> {
        let file = ini::File::read(bytes);
        let mut out = Deployment::default();
        for key in ["project", "command", "scm_do_build_during_deployment"] {
            // Kudu's settings take an empty value for no value at all
            // (DeploymentSettingsManager.GetValue skips it).
            let Some(entry) = file.config_value(key).filter(|e| !e.value.is_empty()) else {
                continue;
            };
            let value = entry.value.clone();
            if key != "scm_do_build_during_deployment"
                && entry.replaced
                && value.contains(REPLACEMENT)
            {
                return Err(DeploymentError {
                    line: entry.line + 1,
                    message: format!(
                        "the value of `{key}` holds bytes that are not valid {} (Kudu reads U+FFFD in \
                         their place, so the {} it names cannot be known); save {DEPLOYMENT_PATH} as \
                         UTF-8 (or UTF-16 with a byte order mark) and commit it",
                        file.encoding.name(),
                        if key == "project" { "folder" } else { "script" },
                    ),
                });
            }
            let slot = match key {
                "project" => &mut out.project,
                "command" => &mut out.command,
                _ => &mut out.build_during_deployment,
            };
            *slot = Some(value);
        }
        Ok(out)
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

    /// The platform whose markers count by default (docs/configuration.md,
    /// `target`):
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

/// Sets `command = …` in the `[config]` section of a `.deployment`, the one
/// Kudu reads (the last), adding the section when there is none. Works on
/// the file's lines as Kudu cuts them, in the file's own encoding (a byte
/// order mark says which): every other line keeps its bytes and its line
/// ending, so a file in Latin-1, UTF-16 or with a BOM comes back as it was.
/// A command that is not `init`'s own ([`Deployment::runs_envguard_script`])
/// is a conflict unless `force`; an empty one is no command, as for Kudu.
pub fn set_command(bytes: &[u8], command: &str, force: bool) -> Edit {
    let file = ini::File::read(bytes);
    let line = file.encoding.encode(&format!("command = {command}"));
    let newline = file.newline();
    let raw = |range: std::ops::Range<usize>| -> Vec<u8> {
        file.lines[range]
            .iter()
            .flat_map(|l| [l.content, l.ending])
            .flatten()
            .copied()
            .collect()
    };
    let count = file.lines.len();
    let mut out = file.bom.to_vec();
    if let Some(entry) = file.config_value("command") {
        let value = entry.value.as_str();
        if value == command {
            return Edit::Unchanged;
        }
        let theirs = Deployment {
            command: Some(value.to_string()),
            ..Deployment::default()
        };
        if !value.is_empty() && theirs.runs_envguard_script().is_none() && !force {
            return Edit::Conflict(value.to_string());
        }
        out.extend(raw(0..entry.line));
        out.extend_from_slice(&line);
        out.extend_from_slice(file.lines[entry.line].ending);
        out.extend(raw(entry.line + 1..count));
        return Edit::Changed(out);
    }
    match &file.config {
        Some((at, _)) => {
            out.extend(raw(0..at + 1));
            if file.lines[*at].ending.is_empty() {
                out.extend_from_slice(&newline);
            }
            out.extend_from_slice(&line);
            out.extend_from_slice(&newline);
            out.extend(raw(at + 1..count));
        }
        None => {
            out.extend(raw(0..count));
            if file.lines.last().is_some_and(|l| l.ending.is_empty()) {
                out.extend_from_slice(&newline);
            }
            out.extend_from_slice(&file.encoding.encode("[config]"));
            out.extend_from_slice(&newline);
            out.extend_from_slice(&line);
            out.extend_from_slice(&newline);
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

    fn parse(bytes: &[u8]) -> Deployment {
        Deployment::parse(bytes).unwrap()
    }

    // What each spelling means is the shared fixture's job
    // (tests/data/deployment_ini.tsv, tests/it/shared_rules.rs, and the
    // simulated Kudu's own test); here: what the values become.
    #[test]
    fn reads_the_config_section_only() {
        let d = parse(b"\xef\xbb\xbf; c\n[other]\nproject = x\n[CONFIG]\nPROJECT = src/app/\n");
        assert_eq!(d.project.as_deref(), Some("src/app/"));
        assert_eq!(d.project_prefix(), "src/app/");
        assert_eq!(parse(b"[config]\nproject = .\n").project_prefix(), "");
        let elsewhere = parse(b"[other]\ncommand = deploy.cmd\n[config]\n; project = x\n");
        assert_eq!(elsewhere, Deployment::default());
    }

    #[test]
    fn a_value_kudu_reads_with_replacement_characters_is_refused() {
        let err = Deployment::parse(b"; x\n[config]\nproject = caf\xe9\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.to_string(),
            ".deployment:3: the value of `project` holds bytes that are not valid UTF-8 (Kudu reads \
             U+FFFD in their place, so the folder it names cannot be known); save .deployment as UTF-8 \
             (or UTF-16 with a byte order mark) and commit it"
        );
        let mut odd = b"\xff\xfe".to_vec();
        odd.extend(
            "[config]\r\ncommand = x"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        odd.push(b'y');
        let err = Deployment::parse(&odd).unwrap_err();
        assert!(err.to_string().contains("not valid UTF-16 LE"), "{err}");
        assert!(err.to_string().contains("the script it names"), "{err}");
        // A literal U+FFFD is text like any other; so is a Latin-1 byte in
        // a key envguard does not use.
        let literal = parse("[config]\nproject = a\u{fffd}\n".as_bytes());
        assert_eq!(literal.project.as_deref(), Some("a\u{fffd}"));
        let other = parse(b"[config]\nSCM_DO_BUILD_DURING_DEPLOYMENT = f\xe9\n");
        assert_eq!(other.build_during_deployment.as_deref(), Some("f\u{fffd}"));
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
        let d = parse(b"[config]\nSCM_DO_BUILD_DURING_DEPLOYMENT = false\n");
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
    fn deployment_edits_follow_kudus_reading() {
        let utf16 = |text: &str| -> Vec<u8> {
            let mut bytes = b"\xff\xfe".to_vec();
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        };
        // PowerShell 5's Out-File: UTF-16 LE with a BOM, CRLF.
        assert_eq!(
            set_command(
                &utf16("[config]\r\nproject = src/app\r\n"),
                "bash deploy.sh",
                false
            ),
            Edit::Changed(utf16(
                "[config]\r\ncommand = bash deploy.sh\r\nproject = src/app\r\n"
            ))
        );
        assert_eq!(
            set_command(
                &utf16("[config]\ncommand = deploy.cmd"),
                "deploy.cmd",
                false
            ),
            Edit::Unchanged
        );
        // The section Kudu reads is the last `[config]`; `[ config ]` is one.
        assert_eq!(
            changed(set_command(
                b"[config]\ncommand = mine.sh\n[ Config ]\nproject = app\n",
                "bash deploy.sh",
                false
            )),
            "[config]\ncommand = mine.sh\n[ Config ]\ncommand = bash deploy.sh\nproject = app\n"
        );
        // The last of a repeated key is the one Kudu uses.
        assert_eq!(
            set_command(
                b"[config]\ncommand = deploy.cmd\ncommand = mine.cmd\n",
                "deploy.cmd",
                false
            ),
            Edit::Conflict("mine.cmd".into())
        );
        // An empty command is no command: replaced in place, no conflict.
        assert_eq!(
            changed(set_command(
                b"[config]\ncommand =\nproject = app",
                "deploy.cmd",
                false
            )),
            "[config]\ncommand = deploy.cmd\nproject = app"
        );
        // Lone CRs end lines for Kudu: the section is found, not appended twice.
        assert_eq!(
            changed(set_command(
                b"[config]\rproject = app\r",
                "deploy.cmd",
                false
            )),
            "[config]\rcommand = deploy.cmd\rproject = app\r"
        );
        // A header with a trailing comment is no header for Kudu.
        assert_eq!(
            changed(set_command(b"[config] ; x\n", "deploy.cmd", false)),
            "[config] ; x\n[config]\ncommand = deploy.cmd\n"
        );
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
