//! A simulated Kudu server for testing `hooks/deploy.sh` end to end.
//!
//! Kudu's "local git" deployment is a bare repository whose post-receive hook
//! checks the pushed branch out into a `repository` folder and runs the
//! command named in the app's `.deployment` with `DEPLOYMENT_SOURCE`,
//! `DEPLOYMENT_TARGET` and `DEPLOYMENT_TEMP` set and every `.deployment` key
//! and app setting in the environment. [`Kudu`] builds exactly that in a
//! temporary folder, next to a client clone to push from, and a wheelhouse of
//! tiny wheels that pip installs from with `PIP_NO_INDEX=1` and
//! `PIP_FIND_LINKS`: real git, a real venv, real pip, and no network.
//!
//! Used by the server-side modules of the test program.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The packages in every test's wheelhouse (`name==version`). `alpha`, `bravo`
/// and `charlie` play the app's dependencies; `Django` is an empty stand-in,
/// enough for the script to find it and run `manage.py collectstatic`.
pub const WHEELS: &[&str] = &["alpha==1.0", "bravo==1.0", "charlie==1.0", "Django==4.2"];

/// Writes a minimal pure-Python wheel (`<name>-<version>-py3-none-any.whl`:
/// one package whose `VERSION` is the version, `METADATA`, `WHEEL` and a
/// `RECORD` with real hashes) for each `name==version` into `dir`, with
/// python3's standard library alone. `name==version;dep,dep` adds a
/// `Requires-Dist` line for each dependency.
pub fn build_wheels(dir: &Path, specs: &[&str]) {
    const BUILD_WHEELS: &str = r#"
import base64, hashlib, os, sys, zipfile
out = sys.argv[1]
for spec in sys.argv[2:]:
    spec, _, deps = spec.partition(";")
    name, version = spec.split("==")
    requires = "".join(f"Requires-Dist: {d}\n" for d in deps.split(",") if d)
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{dist.lower()}/__init__.py": f'VERSION = "{version}"\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{requires}",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: envguard-tests\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = ""
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record += f"{path},sha256={b64},{len(text.encode())}\n"
    files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(out, f"{dist}-{version}-py3-none-any.whl"), "w") as whl:
        for path, text in files.items():
            whl.writestr(path, text)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(BUILD_WHEELS)
        .arg(dir)
        .args(specs)
        .output()
        .expect("run python3");
    assert_success("building wheels", &out);
}

/// A token as envguard writes them: 64 lowercase hex characters, letters
/// among them (so that upper-casing one changes it).
pub fn token(seed: u8) -> String {
    format!("{seed:02x}").repeat(8) + &"deadbeef".repeat(6)
}

/// The `python-X.Y` of the machine's python3.
pub fn python3_runtime() -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; print('python-%d.%d' % sys.version_info[:2])",
        ])
        .output()
        .expect("run python3");
    assert_success("python3 --version", &out);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// How Kudu reads `.deployment` and what it puts in the deployment
/// script's environment, in Python (run by the post-receive below; its
/// test reads `tests/data/deployment_ini.tsv`, as the hook's does). Modelled
/// on KuduLite (the same files in projectkudu/kudu):
/// - `Kudu.Core/Infrastructure/IniFile.cs`: `File.ReadAllLines` (every byte
///   order mark, else UTF-8; bytes it cannot decode read as U+FFFD; lines
///   end at CR LF, CR or LF), `String.Trim`, `[name]` sections (more than
///   `[]`, the name trimmed, an empty one opens none, a repeated one
///   replaces the earlier whole), keys before the first `=`, trimmed, the
///   last of a name winning; names compare ignoring case; lines before any
///   section ignored; no comments.
/// - `Kudu.Core/Settings/DeploymentSettingsProvider.cs`: section `config`.
/// - `Kudu.Core/Settings/DeploymentSettingsManager.cs` (`GetValues`,
///   `GetValue`) and `Kudu.Core/Infrastructure/ExecutableExtensions.cs`
///   (`AddDeploymentSettingsAsEnvironmentVariables`): every key becomes an
///   environment variable **named as written** in `.deployment` (on Linux
///   names are case-sensitive: `project = app` gives `project`, not
///   `PROJECT`), with the value of an app setting of the same name
///   (ignoring case) where there is one; `COMMAND` is the first non-empty
///   of the app setting and the key.
///
/// Arguments: the `.deployment` path (may be missing) and a file of app
/// settings as NUL-separated `NAME=value`. Prints, NUL-separated, the
/// command (empty for none), then each `NAME=value` to add to the
/// environment.
pub const KUDU_INI: &str = r#"
import re, sys
WHITE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
BOMS = [(b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]

def fold(name):
    # StringComparer.OrdinalIgnoreCase, for the ASCII names that matter.
    return "".join(c.upper() if c.isascii() else c for c in name)

def sections(data):
    encoding = "utf-8"
    for bom, name in BOMS:
        if data.startswith(bom):
            encoding, data = name, data[len(bom):]
            break
    found, current = {}, None
    for line in re.split("\r\n|\r|\n", data.decode(encoding, errors="replace")):
        value = line.strip(WHITE)
        if not value:
            continue
        if value.startswith("[") and value.endswith("]") and value != "[]":
            name = value[1:-1].strip(WHITE)
            if name:
                current = {}
                found[fold(name)] = current
            continue
        if current is None or "=" not in value:
            continue
        key, rest = value.split("=", 1)
        if not key:
            continue
        key = key.strip(WHITE)
        # A dictionary ignoring case: the first spelling stays, the value changes.
        spelled = next((k for k in current if fold(k) == fold(key)), key)
        current[spelled] = rest.strip(WHITE)
    return found

try:
    config = sections(open(sys.argv[1], "rb").read()).get("CONFIG", {})
except FileNotFoundError:
    config = {}
app = dict(p.split("=", 1) for p in open(sys.argv[2], encoding="utf-8").read().split("\0") if p)
def app_value(key):
    return next((v for k, v in app.items() if fold(k) == fold(key)), None)
command = app_value("COMMAND") or next((v for k, v in config.items() if fold(k) == "COMMAND"), "")
out = [command]
for key, value in config.items():
    value = app_value(key) if app_value(key) is not None else value
    if key and "\0" not in key + value:
        out.append(key + "=" + value)
sys.stdout.write("\0".join(out))
"#;

/// The post-receive hook of the simulated Kudu. `@ROOT@` and friends are
/// replaced by [`Kudu::new`] with shell-quoted paths.
const POST_RECEIVE: &str = r#"#!/usr/bin/env bash
# Simulated Kudu "local git" deployment of master/main.
set -uo pipefail
# git sets GIT_DIR and friends for hooks; Kudu's build runs without them, and
# without whatever the test runner's environment says about pip or Kudu.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(GIT|PIP|ENVGUARD)_')
unset PROJECT PYTHON VIRTUALENV_NAME KUDU_SYNC_CMD IN_PLACE_DEPLOYMENT \
  NEXT_MANIFEST_PATH PREVIOUS_MANIFEST_PATH FRAMEWORK FRAMEWORK_VERSION \
  WEBSITE_PYTHON_VERSION PRE_BUILD_COMMAND POST_BUILD_COMMAND \
  DISABLE_COLLECTSTATIC CUSTOM_REQUIREMENTSTXT_PATH
root=@ROOT@
while read -r old new ref; do
  case $ref in refs/heads/master | refs/heads/main) ;; *) continue ;; esac
  case $new in *[!0]*) ;; *) continue ;; esac
  {
    echo "=== deploying $ref $new"
    git --git-dir=@REMOTE@ --work-tree=@REPOSITORY@ checkout -q -f "$new" || exit 1
    cd @REPOSITORY@ || exit 1
    # App settings are the Kudu process's environment; .deployment's
    # [config] keys are added as Kudu reads them (KUDU_INI), named as
    # written, an app setting of the same name winning.
    source "$root/app-settings.sh"
    mapfile -d '' -t settings < <(python3 "$root/kudu_ini.py" .deployment "$root/app-settings.nul")
    # No command: a real site would run Oryx; the simulation runs deploy.sh.
    command=${settings[0]:-bash deploy.sh}
    export DEPLOYMENT_SOURCE=@REPOSITORY@ DEPLOYMENT_TARGET=@WWWROOT@ SCM_COMMIT_ID=$new
    DEPLOYMENT_TEMP=$(mktemp -d "$root/deployment-temp.XXXXXX") || exit 1
    export DEPLOYMENT_TEMP
    export PIP_NO_INDEX=1 PIP_FIND_LINKS=@WHEELHOUSE@ PIP_DISABLE_PIP_VERSION_CHECK=1
    env -- "${settings[@]:1}" bash -c "$command"
    echo $? > "$root/last-status"
  } >> "$root/deploy.log" 2>&1
done
"#;

/// The result of one push: whether the deployment script succeeded, how long
/// the whole push took, and what the deployment logged.
#[derive(Debug)]
pub struct Deploy {
    pub success: bool,
    pub duration: Duration,
    pub log: String,
}

/// A simulated Kudu site with a client repository that deploys to it.
pub struct Kudu {
    _dir: TempDir,
    pub root: PathBuf,
    /// The client's work tree (remote `azure` points at the site).
    pub work: PathBuf,
    /// The site's checkout, `DEPLOYMENT_SOURCE`.
    pub repository: PathBuf,
    /// The site's `DEPLOYMENT_TARGET`.
    pub wwwroot: PathBuf,
    /// The wheels pip installs from (`PIP_FIND_LINKS`).
    pub wheelhouse: PathBuf,
    home: PathBuf,
    settings: Vec<(String, String)>,
}

impl Kudu {
    /// A site with nothing deployed yet and a client repository holding
    /// envguard's `deploy.sh` and a `.deployment` that runs it (what
    /// `envguard init --target linux` writes), and [`WHEELS`] to install.
    pub fn new() -> Kudu {
        Kudu::with_wheels(WHEELS)
    }

    /// Like [`Kudu::new`], with a wheelhouse of `specs` (see [`build_wheels`]).
    pub fn with_wheels(specs: &[&str]) -> Kudu {
        let dir = tempfile::Builder::new()
            .prefix("envguard-kudu")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().to_path_buf();
        let kudu = Kudu {
            work: root.join("work"),
            repository: root.join("site/repository"),
            wwwroot: root.join("site/wwwroot"),
            wheelhouse: root.join("wheelhouse"),
            home: root.join("home"),
            root,
            settings: Vec::new(),
            _dir: dir,
        };
        let remote = kudu.root.join("site/remote.git");
        let wheelhouse = &kudu.wheelhouse;
        for d in [&kudu.repository, &kudu.wwwroot, &kudu.home, wheelhouse] {
            fs::create_dir_all(d).expect("mkdir");
        }
        build_wheels(wheelhouse, specs);
        kudu.write_settings();
        fs::write(kudu.root.join("kudu_ini.py"), KUDU_INI).expect("write kudu_ini.py");

        kudu.git(&kudu.root, &["init", "-q", "--bare", path_str(&remote)]);
        let hook = POST_RECEIVE
            .replace("@ROOT@", &sh_quote(path_str(&kudu.root)))
            .replace("@REMOTE@", &sh_quote(path_str(&remote)))
            .replace("@REPOSITORY@", &sh_quote(path_str(&kudu.repository)))
            .replace("@WWWROOT@", &sh_quote(path_str(&kudu.wwwroot)))
            .replace("@WHEELHOUSE@", &sh_quote(path_str(wheelhouse)));
        let hook_path = remote.join("hooks/post-receive");
        fs::write(&hook_path, hook).expect("write post-receive");
        fs::set_permissions(&hook_path, fs::Permissions::from_mode(0o755)).expect("chmod");

        kudu.git(
            &kudu.root,
            &["init", "-q", "-b", "main", path_str(&kudu.work)],
        );
        kudu.git(&kudu.work, &["remote", "add", "azure", path_str(&remote)]);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/deploy.sh");
        fs::copy(&script, kudu.work.join("deploy.sh")).expect("copy hooks/deploy.sh");
        // `envguard init` puts the leftovers checker beside the script.
        let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/envguard_check.py");
        fs::copy(&checker, kudu.work.join("envguard_check.py"))
            .expect("copy hooks/envguard_check.py");
        kudu.write(".deployment", "[config]\ncommand = bash deploy.sh\n");
        kudu
    }

    /// Sets an app setting: an environment variable of every later deployment.
    pub fn app_setting(&mut self, key: &str, value: &str) {
        self.settings.retain(|(k, _)| k != key);
        self.settings.push((key.to_string(), value.to_string()));
        self.write_settings();
    }

    /// Removes an app setting.
    pub fn clear_setting(&mut self, key: &str) {
        self.settings.retain(|(k, _)| k != key);
        self.write_settings();
    }

    fn write_settings(&self) {
        let script: String = self
            .settings
            .iter()
            .map(|(k, v)| format!("export {k}={}\n", sh_quote(v)))
            .collect();
        fs::write(self.root.join("app-settings.sh"), script).expect("write app settings");
        let pairs: String = self
            .settings
            .iter()
            .map(|(k, v)| format!("{k}={v}\0"))
            .collect();
        fs::write(self.root.join("app-settings.nul"), pairs).expect("write app settings");
    }

    /// Writes a file of the client's work tree (parents created).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.work.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, contents).expect("write work tree file");
    }

    /// Removes a file of the client's work tree.
    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.work.join(rel)).expect("remove work tree file");
    }

    /// Writes the force-clean marker, as envguard's hook would commit it.
    pub fn marker(&self, contents: impl AsRef<[u8]>) {
        self.write(".envguard/force-clean", contents);
    }

    /// Commits the whole work tree.
    pub fn commit(&self, message: &str) {
        self.git(&self.work, &["add", "-A"]);
        self.git(
            &self.work,
            &["commit", "-q", "--allow-empty", "-m", message],
        );
    }

    /// Commits the whole work tree and pushes it to the site's master, which
    /// deploys it.
    pub fn push(&self, message: &str) -> Deploy {
        self.commit(message);
        self.push_head()
            .unwrap_or_else(|stderr| panic!("the push was refused:\n{stderr}"))
    }

    /// Pushes HEAD to the site's master: what the deployment did, or git's
    /// stderr when the push was refused (by a pre-push hook, say).
    pub fn push_head(&self) -> Result<Deploy, String> {
        self.push_head_with(&[])
    }

    /// Like [`Kudu::push_head`], with `--force`: a rollback.
    pub fn force_push_head(&self) -> Result<Deploy, String> {
        self.push_head_with(&["--force"])
    }

    fn push_head_with(&self, flags: &[&str]) -> Result<Deploy, String> {
        let log_path = self.root.join("deploy.log");
        let before = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
        let _ = fs::remove_file(self.root.join("last-status"));
        let start = Instant::now();
        let mut args = vec!["push", "-q"];
        args.extend_from_slice(flags);
        args.extend(["azure", "HEAD:master"]);
        let out = self.git_output(&self.work, &args);
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let duration = start.elapsed();
        let log = fs::read(&log_path).expect("read deploy.log");
        let log = String::from_utf8_lossy(&log[before as usize..]).into_owned();
        let status = fs::read_to_string(self.root.join("last-status"))
            .unwrap_or_else(|_| panic!("the deployment did not finish:\n{log}"));
        Ok(Deploy {
            success: status.trim() == "0",
            duration,
            log,
        })
    }

    /// Runs envguard in the client's work tree, with git's environment.
    pub fn envguard(&self, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_envguard"), &self.work)
            .args(args)
            .output()
            .expect("run envguard")
    }

    /// Like [`Kudu::push`], and the deployment must succeed.
    pub fn deploy(&self, message: &str) -> Deploy {
        let deploy = self.push(message);
        assert!(
            deploy.success,
            "deployment `{message}` failed:\n{}",
            deploy.log
        );
        deploy
    }

    /// The virtual environment deploy.sh keeps (`VIRTUALENV_NAME` default).
    pub fn env_dir(&self) -> PathBuf {
        self.wwwroot.join("antenv")
    }

    /// The token recorded in the env, if any.
    pub fn env_token(&self) -> Option<String> {
        fs::read_to_string(self.env_dir().join(".envguard-token"))
            .ok()
            .map(|t| t.trim_end().to_string())
    }

    /// Leaves a file in the env: it survives exactly as long as the env does.
    pub fn plant(&self) -> PathBuf {
        let path = self.env_dir().join("planted-by-test");
        fs::write(&path, "the env was not rebuilt\n").expect("plant a file in the env");
        path
    }

    /// The app's packages in the env, by the env's own `pip list` (pip and
    /// setuptools left out).
    pub fn packages(&self) -> BTreeMap<String, String> {
        let out = Command::new(self.env_dir().join("bin/python"))
            .args(["-m", "pip", "list", "--format=freeze"])
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INDEX", "1")
            .output()
            .expect("run the env's pip");
        assert_success("pip list", &out);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once("=="))
            .filter(|(name, _)| !["pip", "setuptools", "wheel"].contains(name))
            .map(|(name, version)| (name.to_lowercase(), version.to_string()))
            .collect()
    }

    /// A command with a clean environment: no inherited `GIT_*` or
    /// `ENVGUARD_*`, a private HOME, no system config, a fixed identity.
    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        for (key, _) in std::env::vars_os() {
            let key_text = key.to_string_lossy();
            if key_text.starts_with("GIT_") || key_text.starts_with("ENVGUARD_") {
                cmd.env_remove(key);
            }
        }
        cmd.current_dir(dir)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Author")
            .env("GIT_COMMITTER_EMAIL", "author@example.com");
        cmd
    }

    fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        self.command("git", dir)
            .args(args)
            .output()
            .expect("run git")
    }

    /// The client's HEAD commit id.
    pub fn head(&self) -> String {
        let out = self.git_output(&self.work, &["rev-parse", "HEAD"]);
        assert_success("git rev-parse HEAD", &out);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs git, which must succeed.
    pub fn git(&self, dir: &Path, args: &[&str]) {
        let out = self.git_output(dir, args);
        assert_success(&format!("git {}", args.join(" ")), &out);
    }
}

/// The names of `packages`, for comparing with a list.
pub fn names(packages: &BTreeMap<String, String>) -> Vec<&str> {
    packages.keys().map(String::as_str).collect()
}

/// Paths under `dir` whose file name contains `needle`.
pub fn find_named(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().contains(needle) {
                found.push(path.clone());
            }
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(path);
            }
        }
    }
    found
}

pub fn assert_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What the simulated Kudu takes from `.deployment` (and `app_settings`):
/// the command (empty for none) and the variables it adds to the
/// deployment script's environment, by [`KUDU_INI`].
pub fn kudu_settings(
    deployment: &[u8],
    app_settings: &[(&str, &str)],
) -> (String, Vec<(String, String)>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (file, settings, script) = (
        dir.path().join(".deployment"),
        dir.path().join("app-settings.nul"),
        dir.path().join("kudu_ini.py"),
    );
    fs::write(&file, deployment).expect("write .deployment");
    let pairs: String = app_settings
        .iter()
        .map(|(k, v)| format!("{k}={v}\0"))
        .collect();
    fs::write(&settings, pairs).expect("write app settings");
    fs::write(&script, KUDU_INI).expect("write kudu_ini.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&file)
        .arg(&settings)
        .output()
        .expect("run python3");
    assert_success("kudu_ini.py", &out);
    let text = String::from_utf8(out.stdout).expect("UTF-8 settings");
    let mut items = text.split('\0');
    let command = items.next().unwrap_or_default().to_string();
    let pairs = items
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("NAME=value");
            (key.to_string(), value.to_string())
        })
        .collect();
    (command, pairs)
}

/// The uv the tests install with, from the package index.
pub const UV_VERSION: &str = "0.13.9";

/// A uv for the tests: its binary, and the folder holding its wheel.
pub struct Uv {
    pub binary: PathBuf,
    pub wheels: PathBuf,
}

/// `uv==UV_VERSION`, downloaded once with pip into this build's test folder
/// (`CARGO_TARGET_TMPDIR`) and kept there; None, with a line saying so,
/// when the package index cannot be reached.
pub fn uv() -> Option<&'static Uv> {
    static UV: OnceLock<Option<Uv>> = OnceLock::new();
    UV.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("envguard-uv-{UV_VERSION}"));
        let uv = Uv {
            binary: dir.join("tree/bin/uv"),
            wheels: dir.join("wheels"),
        };
        if uv.binary.is_file() {
            return Some(uv);
        }
        let download = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
            ])
            .arg(&uv.wheels)
            .arg(format!("uv=={UV_VERSION}"))
            .output()
            .expect("run pip download");
        let install = download.status.success().then(|| {
            Command::new("python3")
                .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
                .arg(&uv.wheels)
                .arg("--target")
                .arg(dir.join("tree"))
                .arg(format!("uv=={UV_VERSION}"))
                .output()
                .expect("run pip install")
        });
        match install {
            Some(out) if out.status.success() && uv.binary.is_file() => Some(uv),
            _ => {
                eprintln!(
                    "skipped: uv {UV_VERSION} cannot be had from the package index here:\n{}",
                    String::from_utf8_lossy(&download.stderr)
                );
                None
            }
        }
    })
    .as_ref()
}
