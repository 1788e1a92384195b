//! `hooks/deploy.cmd` run for real by Wine's cmd, with stub tools: KuduSync
//! (xcopy), Kudu's Python selector, and a python/pip pair that make an env
//! folder and log their arguments. The stubs' log shows what ran; files left
//! in the env show whether it was rebuilt.
//!
//! Needs Wine (Debian package `wine64`); CI installs it. One WINEPREFIX serves
//! the whole run: making one takes seconds.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

const WINE: &str = "/usr/lib/wine/wine64";
const IGNORED_MARKER: &str = "does not hold a token of 64 lowercase hex characters";

/// The prefix, made (or brought up to date) once per run.
fn wine_prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        assert!(
            Path::new(WINE).exists(),
            "{WINE} not found: these tests run deploy.cmd under Wine; \
             install it with `apt-get install wine64` (CI does)"
        );
        let uid = Command::new("id").arg("-u").output().expect("run id -u");
        let uid = String::from_utf8_lossy(&uid.stdout).trim().to_string();
        let prefix = std::env::temp_dir().join(format!("envguard-wineprefix-{uid}"));
        let out = wine_command(&prefix)
            .args(["cmd", "/c", "exit", "0"])
            .output()
            .expect("start wine");
        assert!(
            out.status.success(),
            "wine cannot start with WINEPREFIX={}:\n{}",
            prefix.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        prefix
    })
}

fn wine_command(prefix: &Path) -> Command {
    let mut cmd = Command::new(WINE);
    cmd.env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        // No Mono or Gecko installer when the prefix is made.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    cmd
}

/// A Unix path as Wine's cmd sees it (drive Z: is /).
fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// 64 lowercase hex characters, letters among them.
fn token(seed: u8) -> String {
    format!("{seed:02x}").repeat(8) + &"deadbeef".repeat(6)
}

// The stubs. Kudu calls KuduSync as `-v 50 -f <from> -t <to> ...`; the
// selector with the app folder, wwwroot and the temp folder; python as
// `python -m venv <env>`. pip and python in the env log whether the site was
// offline while they ran.
const KUDUSYNC: &str = r#"@echo off
>> "%STUB_LOG%" echo kudusync %*
xcopy "%~4" "%~6" /e /i /h /y /q >nul
"#;
const SELECT_PYTHON: &str = r#"@echo off
setlocal
>> "%STUB_LOG%" echo select %*
for /f "usebackq delims=" %%L in ("%~1\runtime.txt") do set "RUNTIME=%%L"
> "%~3\__PYTHON_RUNTIME.tmp" echo %RUNTIME%
> "%~3\__PYTHON_VER.tmp" echo %RUNTIME:~7%
> "%~3\__PYTHON_EXE.tmp" echo %~dp0python.cmd
> "%~3\__PYTHON_ENV_MODULE.tmp" echo venv
"#;
const PYTHON: &str = r#"@echo off
>> "%STUB_LOG%" echo python %*
mkdir "%~3\Scripts"
copy /y "%~dp0env-pip.cmd" "%~3\Scripts\pip.cmd" >nul
copy /y "%~dp0env-python.cmd" "%~3\Scripts\python.cmd" >nul
"#;
const ENV_PIP: &str = r#"@echo off
setlocal
set "OFFLINE=online"
if exist "%DEPLOYMENT_TARGET%\app_offline.htm" set "OFFLINE=offline"
>> "%STUB_LOG%" echo pip %* (%OFFLINE%)
if defined STUB_PIP_FAIL exit /b 1
exit /b 0
"#;
const ENV_PYTHON: &str = r#"@echo off
>> "%STUB_LOG%" echo env-python %*
"#;

/// A site: repository (with deploy.cmd), wwwroot, temp folder and stubs.
struct Site {
    _dir: TempDir,
    root: PathBuf,
    repository: PathBuf,
    wwwroot: PathBuf,
}

/// One run of deploy.cmd.
struct Run {
    code: i32,
    output: String,
    /// Wine's own complaints, if any (WINEDEBUG keeps them few).
    stderr: String,
    /// The stubs' log lines of this run.
    calls: Vec<String>,
}

impl Run {
    fn created_env(&self) -> bool {
        self.calls.iter().any(|c| c.starts_with("python -m venv "))
    }

    fn pip(&self) -> Vec<&str> {
        self.calls
            .iter()
            .filter(|c| c.starts_with("pip "))
            .map(String::as_str)
            .collect()
    }
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::Builder::new()
            .prefix("envguard-wine-site")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().to_path_buf();
        let site = Site {
            repository: root.join("repository"),
            wwwroot: root.join("wwwroot"),
            root,
            _dir: dir,
        };
        for d in ["repository", "wwwroot", "temp", "tools"] {
            fs::create_dir_all(site.root.join(d)).expect("mkdir");
        }
        for (name, text) in [
            ("kudusync.cmd", KUDUSYNC),
            ("select-python.cmd", SELECT_PYTHON),
            ("python.cmd", PYTHON),
            ("env-pip.cmd", ENV_PIP),
            ("env-python.cmd", ENV_PYTHON),
        ] {
            let crlf = text.replace('\n', "\r\n");
            fs::write(site.root.join("tools").join(name), crlf).expect("write stub");
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/deploy.cmd");
        fs::copy(script, site.repository.join("deploy.cmd")).expect("copy hooks/deploy.cmd");
        site.write("requirements.txt", "alpha\r\nbravo\r\n");
        site.write("runtime.txt", "python-3.6\r\n");
        site
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.repository.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, contents).expect("write repository file");
    }

    fn marker(&self, contents: impl AsRef<[u8]>) {
        self.write(".envguard/force-clean", contents);
    }

    fn env_dir(&self) -> PathBuf {
        self.wwwroot.join("env")
    }

    fn env_token(&self) -> Option<String> {
        fs::read_to_string(self.env_dir().join(".envguard-token"))
            .ok()
            .map(|t| t.trim_end().to_string())
    }

    fn plant(&self) -> PathBuf {
        let path = self.env_dir().join("planted-by-test");
        fs::write(&path, "the env was not rebuilt\r\n").expect("plant a file in the env");
        path
    }

    /// Runs `cmd /c deploy.cmd` as Kudu would, plus `settings`.
    fn deploy_with(&self, settings: &[(&str, &str)]) -> Run {
        let log = self.root.join("stub-log.txt");
        let _ = fs::remove_file(&log);
        let tools = self.root.join("tools");
        let mut cmd = wine_command(wine_prefix());
        for inherited in [
            "PROJECT",
            "IN_PLACE_DEPLOYMENT",
            "SCM_TRACE_LEVEL",
            "STUB_PIP_FAIL",
        ] {
            cmd.env_remove(inherited);
        }
        cmd.args(["cmd", "/c", &win(&self.repository.join("deploy.cmd"))])
            .current_dir(&self.repository)
            .env("DEPLOYMENT_SOURCE", win(&self.repository))
            .env("DEPLOYMENT_TARGET", win(&self.wwwroot))
            .env("DEPLOYMENT_TEMP", win(&self.root.join("temp")))
            .env("NEXT_MANIFEST_PATH", win(&self.root.join("manifest")))
            .env("PREVIOUS_MANIFEST_PATH", win(&self.root.join("manifest")))
            .env("KUDU_SYNC_CMD", win(&tools.join("kudusync.cmd")))
            .env(
                "KUDU_SELECT_PYTHON_VERSION_CMD",
                win(&tools.join("select-python.cmd")),
            )
            .env("STUB_LOG", win(&log))
            .envs(settings.iter().copied());
        let mut out = cmd.output().expect("run wine");
        // Now and then, under load, Wine fails to start cmd at all: exit 1,
        // no output, no stub called (once in about a dozen full test runs
        // here). deploy.cmd prints before it fails, so only that case is
        // tried again, once.
        if out.status.code() == Some(1) && out.stdout.is_empty() && !log.exists() {
            out = cmd.output().expect("run wine");
        }
        let calls = fs::read_to_string(&log).unwrap_or_default();
        Run {
            code: out.status.code().unwrap_or(-1),
            output: String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            calls: calls.lines().map(str::to_string).collect(),
        }
    }

    /// Runs deploy.cmd, which must succeed.
    fn deploy(&self) -> Run {
        let run = self.deploy_with(&[]);
        assert_eq!(
            run.code, 0,
            "deploy.cmd failed:\n{}\n{:#?}\nstderr:\n{}",
            run.output, run.calls, run.stderr
        );
        run
    }
}

#[test]
fn a_new_token_rebuilds_the_env_and_a_repeated_one_does_not() {
    let site = Site::new();
    site.marker(format!("{}\n", token(1)));
    let first = site.deploy();
    assert!(first.created_env(), "{:#?}", first.calls);
    assert_eq!(site.env_token(), Some(token(1)));
    assert!(site.env_dir().join("azure.env.python-3.6.txt").exists());
    assert_eq!(first.pip(), ["pip install -r requirements.txt (online)"]);
    let planted = site.plant();

    let again = site.deploy();
    assert!(!again.created_env(), "{:#?}", again.calls);
    assert!(planted.exists(), "a repeated token must reuse the env");
    assert!(
        again
            .output
            .contains("Found compatible virtual environment."),
        "{}",
        again.output
    );

    // LF or CRLF (a Windows checkout): the same token.
    site.marker(format!("{}\r\n", token(1)));
    let crlf = site.deploy();
    assert!(!crlf.created_env() && planted.exists(), "{}", crlf.output);

    // Only the first line counts.
    site.marker(format!("{}\r\nanything & else\r\n", token(2)));
    let clean = site.deploy();
    let announced = format!("envguard: marker {}... is new", &token(2)[..12]);
    assert!(clean.output.contains(&announced), "{}", clean.output);
    assert!(clean.created_env());
    assert!(!planted.exists(), "a new token must rebuild the env");
    assert_eq!(site.env_token(), Some(token(2)));
    // Offline while the env was rebuilt, online again afterwards.
    assert_eq!(clean.pip(), ["pip install -r requirements.txt (offline)"]);
    assert!(!site.wwwroot.join("app_offline.htm").exists());
}

#[test]
fn hostile_tokens_are_ignored() {
    let site = Site::new();
    site.marker(format!("{}\n", token(1)));
    site.deploy();
    let planted = site.plant();

    let valid = token(2);
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        ("bang", format!("{}!PATH!\n", &valid[..58]).into_bytes()),
        ("percent", format!("{}%PATH%\n", &valid[..58]).into_bytes()),
        ("ampersand", b"abc&type nul > pwned.txt&rem\n".to_vec()),
        (
            "quote",
            b"\" == \"x\" type nul > pwned.txt & rem \"\n".to_vec(),
        ),
        ("block", b"\") do type nul > pwned.txt & rem (\"\n".to_vec()),
        (
            "upper case",
            format!("{}\n", valid.to_uppercase()).into_bytes(),
        ),
        ("63 characters", format!("{}\n", &valid[..63]).into_bytes()),
        ("65 characters", format!("{valid}a\n").into_bytes()),
        ("empty first line", format!("\n{valid}\n").into_bytes()),
        ("semicolon", format!(";{}\n", &valid[..63]).into_bytes()),
        ("10 MB", "ab".repeat(5 << 20).into_bytes()),
        ("empty file", Vec::new()),
    ];
    for (what, contents) in hostile {
        site.marker(contents);
        let run = site.deploy();
        assert!(
            run.output.contains(IGNORED_MARKER),
            "{what}:\n{}",
            run.output
        );
        assert!(!run.created_env(), "{what}: {:#?}", run.calls);
        assert!(planted.exists(), "{what}: the env must stay");
        assert_eq!(site.env_token(), Some(token(1)), "{what}");
    }
    assert!(!site.repository.join("pwned.txt").exists());
    assert!(!site.wwwroot.join("pwned.txt").exists());
}

#[test]
fn a_sentinel_mismatch_rebuilds_and_records_the_token_again() {
    let site = Site::new();
    site.marker(format!("{}\n", token(1)));
    site.deploy();
    let planted = site.plant();

    site.write("runtime.txt", "python-3.9\r\n");
    let run = site.deploy();
    assert!(
        run.output
            .contains("Deleting incompatible virtual environment."),
        "{}",
        run.output
    );
    assert!(run.created_env());
    assert!(!planted.exists());
    assert!(site.env_dir().join("azure.env.python-3.9.txt").exists());
    assert!(!site.env_dir().join("azure.env.python-3.6.txt").exists());
    assert_eq!(site.env_token(), Some(token(1)));
    assert!(!site.wwwroot.join("app_offline.htm").exists());
}

#[test]
fn a_failed_pip_fails_the_deployment_and_leaves_the_token_unwritten() {
    let site = Site::new();
    site.marker(format!("{}\n", token(1)));
    site.deploy();

    site.marker(format!("{}\n", token(2)));
    let failed = site.deploy_with(&[("STUB_PIP_FAIL", "1")]);
    assert_ne!(failed.code, 0, "{}", failed.output);
    assert!(failed
        .output
        .contains("An error has occurred during web site deployment."));
    assert!(failed.created_env());
    assert_eq!(site.env_token(), None, "no token before pip succeeded");
    assert!(
        !site.wwwroot.join("app_offline.htm").exists(),
        "back online after a failure"
    );
    let planted = site.plant();

    let retry = site.deploy();
    assert!(retry.created_env(), "the unrecorded token must clean again");
    assert!(!planted.exists());
    assert_eq!(site.env_token(), Some(token(2)));
}

#[test]
fn an_app_offline_page_of_the_owner_stays() {
    let site = Site::new();
    site.deploy();
    fs::write(site.wwwroot.join("app_offline.htm"), "down for maintenance").expect("write");
    site.marker(format!("{}\n", token(1)));
    let run = site.deploy();
    assert!(run.created_env());
    assert_eq!(
        fs::read_to_string(site.wwwroot.join("app_offline.htm")).expect("still there"),
        "down for maintenance"
    );
}

#[test]
fn kudu_steps_project_web_config_django_and_skip_files() {
    let site = Site::new();
    fs::remove_file(site.repository.join("requirements.txt")).expect("rm");
    fs::remove_file(site.repository.join("runtime.txt")).expect("rm");
    site.write("app/requirements.txt", "Django\r\n");
    site.write("app/runtime.txt", "python-3.6\r\n");
    site.write("app/web.3.6.config", "<configuration/>\r\n");
    site.write("app/manage.py", "");
    // The marker is read from the repository root, not from PROJECT.
    site.marker(format!("{}\n", token(1)));
    let project = [("PROJECT", "app")];
    let first = site.deploy_with(&project);
    assert_eq!(first.code, 0, "{}", first.output);
    let app = win(&site.repository.join("app"));
    let (www, temp) = (win(&site.wwwroot), win(&site.root.join("temp")));
    let manifest = win(&site.root.join("manifest"));
    assert_eq!(
        first.calls[..2],
        [
            format!(
                "kudusync -v 50 -f \"{app}\" -t \"{www}\" -n \"{manifest}\" -p \"{manifest}\" \
                 -i \".git;.hg;.deployment;deploy.cmd;deploy.sh;.envguard\""
            ),
            format!("select \"{app}\" \"{www}\" \"{temp}\""),
        ]
    );
    assert_eq!(site.env_token(), Some(token(1)));
    assert_eq!(
        fs::read_to_string(site.wwwroot.join("web.config")).expect("web.config"),
        "<configuration/>\r\n"
    );
    // Django is "installed" from now on: collectstatic runs.
    fs::create_dir_all(site.env_dir().join("Lib/site-packages/django")).expect("mkdir");
    let django = site.deploy_with(&project);
    assert!(
        django
            .calls
            .contains(&"env-python manage.py collectstatic --noinput --clear".into()),
        "{:#?}",
        django.calls
    );

    site.write("app/.skipDjango", "");
    let skip_django = site.deploy_with(&project);
    assert!(!skip_django
        .calls
        .iter()
        .any(|c| c.starts_with("env-python")));

    site.write("app/.skipPythonDeployment", "");
    let skip_python = site.deploy_with(&project);
    assert_eq!(
        skip_python.calls.len(),
        1,
        "KuduSync only: {:#?}",
        skip_python.calls
    );

    let in_place = site.deploy_with(&[("PROJECT", "app"), ("IN_PLACE_DEPLOYMENT", "1")]);
    assert!(
        in_place.calls.is_empty(),
        "no KuduSync in place: {:#?}",
        in_place.calls
    );
}

#[test]
fn deploy_cmd_has_crlf_line_endings() {
    let script = fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/deploy.cmd")).expect("read");
    let lf = script.iter().filter(|&&b| b == b'\n').count();
    let crlf = script.windows(2).filter(|w| w == b"\r\n").count();
    assert!(
        lf > 0 && lf == crlf,
        "every line of deploy.cmd must end in CRLF"
    );
}
