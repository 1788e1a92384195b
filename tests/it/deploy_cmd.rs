//! `hooks/deploy.cmd` run for real by Wine's cmd, with stub tools: KuduSync
//! (xcopy), Kudu's Python selector, and a python/pip pair that make an env
//! folder and log their arguments. The stubs' log shows what ran; files left
//! in the env show whether it was rebuilt. One test swaps the python/pip
//! stubs for a bridge to a real Linux venv, real pip and the real checker.
//!
//! Needs Wine (Debian package `wine64`); CI installs it. One WINEPREFIX serves
//! the whole run: making one takes seconds.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

use crate::common::tsv::{self, VALID_TOKEN};

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
// `python -m venv <env>`. deploy.cmd runs everything else with the env's
// python as `python -c CODE ...`, isolated from the app's modules: CODE runs
// pip (`install ...`, `uninstall -y ...`), the checker (`<path of
// envguard_check.py> -r ...`) or the requirements files' check (`<path of
// deploy.cmd> <repository> <requirements.txt>`), and the stub tells them
// apart by the argument after CODE. Its pip "installs" by adding each name of
// requirements.txt (and STUB_PIP_EXTRA, a package some other step installs)
// to env\installed.txt and, like pip, never removes one unless uninstalled
// (STUB_UNINSTALL_FAIL: the uninstall fails; STUB_UNINSTALL_SKIPS: pip says
// that one is not installed, and leaves it); it plays the leftovers checker
// (hooks/envguard_check.py is tested against real environments in
// tests/it/envguard_check.rs): it prints each installed name that
// requirements.txt and --keep do not name. pip and python log whether the
// site was offline while they ran.
const KUDUSYNC: &str = r#"@echo off
>> "%STUB_LOG%" echo kudusync %*
xcopy "%~4" "%~6" /e /i /h /y /q >nul
"#;
/// Kudu's select_python_version.py in cmd: runtime.txt's text, lower-cased,
/// must start with one of the runtimes it supports.
const SELECT_PYTHON: &str = r#"@echo off
setlocal
>> "%STUB_LOG%" echo select %*
set "RUNTIME="
if exist "%~1\runtime.txt" for /f "usebackq delims=" %%L in ("%~1\runtime.txt") do (
  if not defined RUNTIME set "RUNTIME=%%L"
)
if not exist "%~1\runtime.txt" set "RUNTIME=python-3.6"
set "PREFIX=%RUNTIME:~0,10%"
for %%R in (python-2.7 python-3.4 python-3.6) do (
  if /i "%PREFIX%"=="%%R" goto found
)
echo Unsupported runtime
exit /b 1
:found
set "RUNTIME=%PREFIX%"
> "%~3\__PYTHON_RUNTIME.tmp" echo %RUNTIME%
> "%~3\__PYTHON_VER.tmp" echo %RUNTIME:~7%
> "%~3\__PYTHON_EXE.tmp" echo %~dp0python.cmd
> "%~3\__PYTHON_ENV_MODULE.tmp" echo venv
"#;
const PYTHON: &str = r#"@echo off
>> "%STUB_LOG%" echo python %*
mkdir "%~3\Scripts"
copy /y "%~dp0env-python.cmd" "%~3\Scripts\python.cmd" >nul
type nul > "%~3\installed.txt"
"#;
const ENV_PYTHON: &str = r#"@echo off
setlocal
set "OFFLINE=online"
if exist "%DEPLOYMENT_TARGET%\app_offline.htm" set "OFFLINE=offline"
if not "%~1"=="-c" goto script
if /i "%~nx3"=="envguard_check.py" goto checker
if /i "%~nx3"=="deploy.cmd" goto files
if "%~3"=="install" goto install
if "%~3"=="uninstall" goto uninstall
>> "%STUB_LOG%" echo env-python -c with %3
exit /b 9
:script
>> "%STUB_LOG%" echo env-python %* (%OFFLINE%)
if defined STUB_COLLECTSTATIC_FAIL exit /b 1
exit /b 0
:files
>> "%STUB_LOG%" echo requirement-files %~nx5
exit /b 0
:install
>> "%STUB_LOG%" echo pip %3 %4 %5 (%OFFLINE%)
if defined STUB_PIP_FAIL exit /b 1
set "INSTALLED=%~dp0..\installed.txt"
for /f "usebackq delims=" %%R in ("%~5") do (
  call :add %%R
)
if defined STUB_PIP_EXTRA call :add %STUB_PIP_EXTRA%
exit /b 0
:add
set "FOUND="
for /f "usebackq delims=" %%P in ("%INSTALLED%") do (
  if /i "%%P"=="%~1" set "FOUND=1"
)
if not defined FOUND >> "%INSTALLED%" echo %~1
if /i "%~1"=="Django" mkdir "%~dp0..\Lib\site-packages\django" 2>nul
exit /b 0
:uninstall
shift
shift
shift
shift
set "NAMES="
:uninstallArgs
if "%~1"=="" goto uninstallNow
set "NAMES=%NAMES% %~1"
shift
goto uninstallArgs
:uninstallNow
>> "%STUB_LOG%" echo pip uninstall -y%NAMES% (%OFFLINE%)
if defined STUB_UNINSTALL_FAIL exit /b 1
set "INSTALLED=%~dp0..\installed.txt"
type nul > "%INSTALLED%.new"
for /f "usebackq delims=" %%P in ("%INSTALLED%") do (
  call :keepUnlessNamed %%P
)
move /y "%INSTALLED%.new" "%INSTALLED%" >nul
exit /b 0
:keepUnlessNamed
set "GONE="
for %%N in (%NAMES%) do (
  if /i "%%N"=="%~1" set "GONE=1"
)
if /i "%STUB_UNINSTALL_SKIPS%"=="%~1" set "GONE="
if not defined GONE >> "%INSTALLED%.new" echo %~1
exit /b 0
:checker
>> "%STUB_LOG%" echo checker %4 %5 %6 %7 %8 %9
if defined STUB_CHECKER_CANNOT_JUDGE goto cannot
set "KEEP=%~7"
set "ANY="
for /f "usebackq delims=" %%P in ("%~dp0..\installed.txt") do (
  call :judge %%P
)
if defined ANY exit /b 1
exit /b 0
:judge
set "FOUND="
for /f "usebackq delims=" %%R in ("requirements.txt") do (
  if /i "%%R"=="%~1" set "FOUND=1"
)
if defined KEEP for %%K in (%KEEP:,= %) do (
  if /i "%%K"=="%~1" set "FOUND=1"
)
if defined FOUND exit /b 0
echo %~1==1.0
set "ANY=1"
exit /b 0
:cannot
>&2 echo envguard-check: cannot judge this environment: the stub says so
exit /b 3
"#;

// The real tools. Wine's cmd can start a Linux program (an ELF or a script,
// whatever its name), but it neither waits for it nor learns its exit code:
// NtCreateUserProcess hands anything that is not a PE image to fork_and_exec,
// which double-forks, execs it with only stdin and stdout passed on, and
// returns no process handle (Wine's dlls/ntdll/unix/process.c). BRIDGE runs
// the program, Z:\ paths turned into Unix ones, and leaves its exit code in a
// file that RUN_CMD polls for, once a second (`ping -n 2`), then returns it.
const BRIDGE: &str = r#"#!/bin/sh
unix() { printf '%s' "$1" | sed 's|^[Zz]:||; s|\\|/|g'; }
done=$(unix "$1"); err=$(unix "$2"); prog=$(unix "$3"); shift 3
for a in "$@"; do
  case $a in [Zz]:\\*) a=$(unix "$a") ;; esac
  set -- "$@" "$a"; shift
done
"$prog" "$@" 2>"$err"
echo $? > "$done.tmp" && mv "$done.tmp" "$done"
"#;
const RUN_CMD: &str = r#"@echo off
setlocal
set "DONE=%DEPLOYMENT_TEMP%\bridge-%RANDOM%-%RANDOM%"
del /f /q "%DONE%" "%DONE%.err" >nul 2>&1
"%~dp0bridge.exe" "%DONE%" "%DONE%.err" %*
set "N=0"
:wait
if exist "%DONE%" goto finished
set /a N+=1
if %N% GTR 300 goto timeout
ping -n 2 127.0.0.1 >nul
goto wait
:finished
set /p RC=<"%DONE%"
type "%DONE%.err" 1>&2
del /f /q "%DONE%" "%DONE%.err" >nul 2>&1
exit /b %RC%
:timeout
echo bridge: no answer in 5 minutes 1>&2
exit /b 1
"#;
/// `python -m venv <env>`: a copy of a real venv, with cmd stubs for Windows'
/// env\Scripts\pip.exe and python.exe.
const REAL_PYTHON: &str = r#"@echo off
>> "%STUB_LOG%" echo python %*
call "%~dp0run.cmd" /bin/cp -a "%REAL_VENV_TEMPLATE%" "%~3"
if not exist "%~3\bin" exit /b 1
mkdir "%~3\Scripts"
copy /y "%~dp0env-python.cmd" "%~3\Scripts\python.cmd" >nul
"#;
const REAL_ENV_PYTHON: &str = r#"@echo off
>> "%STUB_LOG%" echo env-python %*
call "%STUB_TOOLS%\run.cmd" "%~dp0..\bin\python" %*
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
        self.envs_created() > 0
    }

    fn envs_created(&self) -> usize {
        self.calls
            .iter()
            .filter(|c| c.starts_with("python -m venv "))
            .count()
    }

    fn checks(&self) -> Vec<&str> {
        self.calls
            .iter()
            .filter(|c| c.starts_with("checker "))
            .map(|c| c.trim_end())
            .collect()
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
            ("env-python.cmd", ENV_PYTHON),
        ] {
            let crlf = text.replace('\n', "\r\n");
            fs::write(site.root.join("tools").join(name), crlf).expect("write stub");
        }
        // What `envguard init --target windows` puts in the app repository.
        for name in ["deploy.cmd", "envguard_check.py"] {
            let script = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("hooks")
                .join(name);
            fs::copy(script, site.repository.join(name)).expect("copy from hooks/");
        }
        site.write("requirements.txt", "alpha\r\nbravo\r\n");
        site.write("runtime.txt", "python-3.6\r\n");
        site
    }

    /// A site whose python and pip are a real Linux venv (copied from
    /// `template`), installing from `wheelhouse`, through [`BRIDGE`].
    fn with_real_python(template: &Path, wheelhouse: &Path) -> (Site, Vec<(String, String)>) {
        let site = Site::new();
        let tools = site.root.join("tools");
        for (name, text) in [
            ("run.cmd", RUN_CMD),
            ("python.cmd", REAL_PYTHON),
            ("env-python.cmd", REAL_ENV_PYTHON),
        ] {
            fs::write(tools.join(name), text.replace('\n', "\r\n")).expect("write tool");
        }
        let bridge = tools.join("bridge.exe");
        fs::write(&bridge, BRIDGE).expect("write the bridge");
        fs::set_permissions(&bridge, fs::Permissions::from_mode(0o755)).expect("chmod");
        let settings = vec![
            ("STUB_TOOLS".into(), win(&tools)),
            ("REAL_VENV_TEMPLATE".into(), template.display().to_string()),
            ("PIP_NO_INDEX".into(), "1".into()),
            ("PIP_FIND_LINKS".into(), wheelhouse.display().to_string()),
            ("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into()),
        ];
        (site, settings)
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

    /// What the stub pip has installed in the env, in order.
    fn installed(&self) -> Vec<String> {
        fs::read_to_string(self.env_dir().join("installed.txt"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// env\.envguard-leftovers, one name a line.
    fn recorded_leftovers(&self) -> Option<Vec<String>> {
        fs::read_to_string(self.env_dir().join(".envguard-leftovers"))
            .ok()
            .map(|t| t.lines().map(|l| l.trim().to_string()).collect())
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
            "STUB_PIP_EXTRA",
            "STUB_UNINSTALL_FAIL",
            "STUB_UNINSTALL_SKIPS",
            "STUB_CHECKER_CANNOT_JUDGE",
            "STUB_COLLECTSTATIC_FAIL",
            "ENVGUARD_KEEP",
            "ENVGUARD_ON_LEFTOVERS",
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
        // no stub called, and no output or only Wine's own "ShellExecuteEx
        // failed" (once in about a dozen full test runs here). deploy.cmd
        // prints before it fails, so only those cases are tried again, at
        // most twice.
        for _ in 0..2 {
            let wine_only = out.stdout.is_empty()
                || String::from_utf8_lossy(&out.stdout).contains("ShellExecuteEx failed");
            if out.status.code() != Some(1) || !wine_only || log.exists() {
                break;
            }
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
fn marker_files_are_read_as_tokens_tsv_says() {
    let site = Site::new();
    site.marker(format!("{}\n", token(1)));
    site.deploy();
    let mut cases = tsv::TOKENS.cases();
    // Big files, beside the shared ones: a valid first line counts whatever
    // follows it (docs/formats.md: the scripts read only the first line).
    let mut after = format!("{VALID_TOKEN}\r\n").into_bytes();
    after.extend(
        "more text & %PATH% !x! \"quoted\"\r\n"
            .repeat(2000)
            .as_bytes(),
    );
    cases.push(("valid".into(), "token, then 80 KB".into(), after));
    cases.push((
        "ignored".into(),
        "10 MB on one line".into(),
        "ab".repeat(5 << 20).into_bytes(),
    ));
    for (verdict, case, contents) in cases {
        // cmd's `for /f` drops every CR at the end of a line (Wine's does;
        // no cmd tool here reads raw bytes), so `{T}\r\r\n` reads as the
        // token: deploy.cmd honours it where deploy.sh and the hook do not.
        if case == "two CRs" {
            continue;
        }
        // The env holds another token, as after an earlier deployment.
        fs::write(
            site.env_dir().join(".envguard-token"),
            format!("{}\n", token(1)),
        )
        .expect("write the env's token");
        let planted = site.plant();
        site.marker(&contents);
        let run = site.deploy();
        match verdict.as_str() {
            "valid" => {
                assert!(
                    run.created_env(),
                    "{case}: a new token rebuilds\n{}",
                    run.output
                );
                assert!(!planted.exists(), "{case}");
                assert_eq!(site.env_token().as_deref(), Some(VALID_TOKEN), "{case}");
                assert!(
                    !run.output.contains(IGNORED_MARKER),
                    "{case}:\n{}",
                    run.output
                );
            }
            "ignored" => {
                assert!(
                    run.output.contains(IGNORED_MARKER),
                    "{case}:\n{}",
                    run.output
                );
                assert!(!run.created_env(), "{case}: {:#?}", run.calls);
                assert!(planted.exists(), "{case}: the env must stay");
                // The deployed commit carries no token: the recorded one is
                // forgotten (a marker that comes back cleans again).
                assert_eq!(site.env_token(), None, "{case}");
            }
            other => panic!("tokens.tsv: unknown verdict {other}"),
        }
    }
    assert!(!site.repository.join("pwned").exists());
    assert!(!site.wwwroot.join("pwned").exists());
    assert!(!site.root.join("pwned").exists());
}

#[test]
fn the_runtime_is_the_selectors_and_newer_pythons_are_refused_clearly() {
    let site = Site::new();
    for (runtime, case, contents) in tsv::RUNTIME_SPELLINGS.cases() {
        site.write("runtime.txt", &contents);
        let run = site.deploy_with(&[]);
        if ["python-2.7", "python-3.4", "python-3.6"].contains(&runtime.as_str()) {
            assert_eq!(run.code, 0, "{case}:\n{}", run.output);
            let sentinel = format!("azure.env.{runtime}.txt");
            assert!(
                site.env_dir().join(&sentinel).exists(),
                "{case}: {sentinel}"
            );
        } else {
            // Kudu's selector knows 2.7, 3.4 and 3.6 only: python-3.11 and
            // python-3.12 are refused, and so is a file that states none.
            assert_ne!(run.code, 0, "{case}:\n{}", run.output);
            assert!(
                run.output
                    .contains("Python on Windows App Service stops at 3.6")
                    && run.output.contains("envguard init --target linux"),
                "{case}:\n{}",
                run.output
            );
            assert!(run.pip().is_empty(), "{case}: {:#?}", run.calls);
        }
    }
    assert!(!site.repository.join("pwned").exists());
}

#[test]
fn a_rollback_to_a_commit_without_a_marker_forgets_the_recorded_token() {
    let site = Site::new();
    site.deploy();
    // B: bravo removed, with marker T.
    site.write("requirements.txt", "alpha\r\n");
    site.marker(format!("{}\n", token(1)));
    let b = site.deploy();
    assert!(b.created_env(), "{:#?}", b.calls);
    assert_eq!(site.env_token(), Some(token(1)));

    // A again (a rollback): bravo back, no marker. The env is kept, and the
    // token it recorded is forgotten.
    fs::remove_dir_all(site.repository.join(".envguard")).expect("rm .envguard");
    site.write("requirements.txt", "alpha\r\nbravo\r\n");
    let a = site.deploy();
    assert!(!a.created_env(), "{:#?}", a.calls);
    assert!(
        a.output
            .contains("this commit carries no marker: forgetting"),
        "{}",
        a.output
    );
    assert_eq!(site.env_token(), None);
    assert_eq!(site.installed(), ["alpha", "bravo"]);
    let planted = site.plant();

    // B again, with the same marker T: the env is rebuilt and bravo is gone
    // (with ENVGUARD_ON_LEFTOVERS=warn, so the marker alone does it).
    site.write("requirements.txt", "alpha\r\n");
    site.marker(format!("{}\n", token(1)));
    let again = site.deploy_with(&[("ENVGUARD_ON_LEFTOVERS", "warn")]);
    assert_eq!(again.code, 0, "{}", again.output);
    assert!(again.created_env(), "{:#?}", again.calls);
    assert!(!planted.exists());
    assert_eq!(site.installed(), ["alpha"]);
    assert_eq!(site.env_token(), Some(token(1)));

    // A marker that is no token forgets the recorded one as well.
    site.marker("not a token\n");
    let invalid = site.deploy();
    assert!(
        invalid.output.contains(IGNORED_MARKER) && invalid.output.contains("forgetting"),
        "{}",
        invalid.output
    );
    assert!(!invalid.created_env());
    assert_eq!(site.env_token(), None);
}

/// Every file and folder under `dir` with its contents (links as their
/// target), to show that nothing there changed.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let mut entries: Vec<_> = fs::read_dir(&d)
            .map(|r| r.map(|e| e.expect("entry").path()).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries {
            let meta = fs::symlink_metadata(&path).expect("lstat");
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).expect("readlink");
                out.push((path, target.into_os_string().into_encoded_bytes()));
            } else if meta.is_dir() {
                out.push((path.clone(), Vec::new()));
                todo.push(path);
            } else {
                let bytes = fs::read(&path).expect("read");
                out.push((path, bytes));
            }
        }
    }
    out
}

/// A folder beside the site (not wwwroot, the repository or the temp
/// folder) holding `secret.txt` and `folder/keep.txt`.
fn outside(site: &Site) -> PathBuf {
    let outside = site.root.join("outside");
    fs::create_dir_all(outside.join("folder")).expect("mkdir");
    fs::write(outside.join("secret.txt"), "not the site's\r\n").expect("write");
    fs::write(outside.join("folder/keep.txt"), "not the site's\r\n").expect("write");
    outside
}

fn no_work_folder_left(site: &Site) {
    let left: Vec<_> = fs::read_dir(&site.wwwroot)
        .expect("read wwwroot")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".envguard-tmp"))
        .collect();
    assert!(left.is_empty(), "left behind in wwwroot: {left:?}");
}

#[test]
fn a_link_at_env_or_inside_it_is_refused_and_what_it_points_to_is_untouched() {
    let site = Site::new();
    let outside = outside(&site);
    site.deploy();
    let before = tree(&outside);

    // env itself a link to a folder outside: refused with or without a
    // marker (which would delete env), before anything is read or written.
    fs::remove_dir_all(site.env_dir()).expect("rm env");
    std::os::unix::fs::symlink(outside.join("folder"), site.env_dir()).expect("symlink");
    for marker in [None, Some(token(1))] {
        if let Some(t) = &marker {
            site.marker(format!("{t}\n"));
        }
        let run = site.deploy_with(&[]);
        assert_ne!(run.code, 0, "{marker:?}:\n{}", run.output);
        assert!(
            run.output.contains("is a link (a symlink or junction)"),
            "{}",
            run.output
        );
        assert!(run.pip().is_empty(), "{:#?}", run.calls);
        assert_eq!(tree(&outside), before);
        no_work_folder_left(&site);
    }

    // env a link to nothing: cmd cannot see it; creating env is refused.
    fs::remove_file(site.env_dir()).expect("rm link");
    std::os::unix::fs::symlink(outside.join("nothing"), site.env_dir()).expect("symlink");
    let run = site.deploy_with(&[]);
    assert_ne!(run.code, 0, "{}", run.output);
    assert!(run.output.contains("cannot create"), "{}", run.output);
    assert!(!outside.join("nothing").exists());
    assert_eq!(tree(&outside), before);

    // A link to a folder deep inside env (hidden, too) when a marker
    // deletes env: Wine's rmdir /s would empty the folder it points to.
    fs::remove_file(site.env_dir()).expect("rm link");
    site.marker(format!("{}\n", token(2)));
    site.deploy();
    for inside in ["Lib/site-packages/evil", "Lib/.hidden/.evil"] {
        let link = site.env_dir().join(inside);
        fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(outside.join("folder"), &link).expect("symlink");
        site.marker(format!("{}\n", token(3)));
        let run = site.deploy_with(&[]);
        assert_ne!(run.code, 0, "{inside}:\n{}", run.output);
        assert!(
            run.output
                .contains("is a link (a symlink or junction) inside"),
            "{inside}:\n{}",
            run.output
        );
        assert!(!run.created_env(), "{inside}");
        assert_eq!(tree(&outside), before, "{inside}");
        assert!(!site.wwwroot.join("app_offline.htm").exists(), "{inside}");
        no_work_folder_left(&site);
        fs::remove_file(&link).expect("rm link");
    }
    let run = site.deploy();
    assert!(run.created_env());
    assert_eq!(site.env_token(), Some(token(3)));
}

#[test]
fn links_at_the_files_deploy_cmd_writes_are_never_written_through() {
    let site = Site::new();
    let outside = outside(&site);
    site.write("web.3.6.config", "<configuration/>\r\n");
    site.deploy();
    let before = tree(&outside);
    let mut seed = 10;
    for name in [
        "env/.envguard-token",
        "env/.envguard-leftovers",
        "app_offline.htm",
        "web.config",
    ] {
        for (kind, target) in [
            ("a file", outside.join("secret.txt")),
            ("a folder", outside.join("folder")),
            ("nothing", outside.join("created-by-deploy")),
        ] {
            let case = format!("{name} a link to {kind}");
            let at = site.wwwroot.join(name);
            if at.exists() {
                fs::remove_file(&at).expect("rm");
            }
            std::os::unix::fs::symlink(&target, &at).expect("symlink");
            // A new marker: env is deleted (site offline) and its token
            // written; web.config is copied every time.
            seed += 1;
            site.marker(format!("{}\n", token(seed)));
            let run = site.deploy_with(&[]);
            assert_eq!(tree(&outside), before, "{case}:\n{}", run.output);
            assert!(!outside.join("created-by-deploy").exists(), "{case}");
            no_work_folder_left(&site);
            if kind == "a folder" {
                // Wine shows a link to a folder as one (as Windows shows
                // every link): refused.
                assert_ne!(run.code, 0, "{case}:\n{}", run.output);
                assert!(
                    run.output.contains("is a link (a symlink or junction)"),
                    "{case}:\n{}",
                    run.output
                );
            } else if name == "app_offline.htm" && kind == "a file" {
                // Wine shows a link to a file as that file: the owner's
                // page, left alone.
                assert_eq!(run.code, 0, "{case}:\n{}", run.output);
                assert!(
                    fs::symlink_metadata(&at).expect("lstat").is_symlink(),
                    "{case}"
                );
            } else {
                // Replaced by a rename, never written through.
                assert_eq!(run.code, 0, "{case}:\n{}", run.output);
                assert!(run.created_env(), "{case}");
                assert!(!site.wwwroot.join("app_offline.htm").exists(), "{case}");
            }
            if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                fs::remove_file(&at).expect("rm link");
            }
        }
    }
    let run = site.deploy();
    assert_eq!(
        fs::read_to_string(site.wwwroot.join("web.config")).expect("web.config"),
        "<configuration/>\r\n"
    );
    assert!(!run.created_env());
}

#[test]
fn a_removal_pushed_without_a_marker_is_pruned_in_place() {
    let site = Site::new();
    let first = site.deploy();
    assert_eq!(first.envs_created(), 1);
    assert_eq!(first.checks(), ["checker -r requirements.txt --keep \"\""]);
    assert!(
        first.output.contains("every installed package is reached"),
        "{}",
        first.output
    );
    assert_eq!(site.installed(), ["alpha", "bravo"]);
    let planted = site.plant();

    // bravo removed, and no marker came with it (git push --no-verify). A
    // kept name is never a leftover, so never pruned.
    site.write("requirements.txt", "alpha\r\n");
    let kept = site.deploy_with(&[("ENVGUARD_KEEP", "bravo")]);
    assert!(
        !kept.pip().iter().any(|c| c.starts_with("pip uninstall")),
        "{:#?}",
        kept.calls
    );
    assert_eq!(site.installed(), ["alpha", "bravo"]);

    // Without it: the env's own pip uninstalls exactly bravo, in place, and
    // the check runs again. No rebuild: the env (and the planted file)
    // stays.
    let run = site.deploy();
    assert!(run.output.contains("bravo==1.0"), "{}", run.output);
    assert!(
        run.output
            .contains("no marker scheduled this (was the hook bypassed?)")
            && run
                .output
                .contains("ENVGUARD_ON_LEFTOVERS=prune: uninstalling them in place: bravo")
            && run.output.contains("pruned in place"),
        "{}",
        run.output
    );
    assert_eq!(run.envs_created(), 0, "{:#?}", run.calls);
    assert_eq!(run.checks().len(), 2, "checked again after pruning");
    assert!(planted.exists());
    assert_eq!(site.installed(), ["alpha"]);
    assert_eq!(
        run.pip(),
        [
            "pip install -r requirements.txt (online)",
            "pip uninstall -y bravo (online)"
        ]
    );
    assert!(!site.wwwroot.join("app_offline.htm").exists());
    assert_eq!(site.recorded_leftovers(), None);

    let steady = site.deploy();
    assert_eq!(steady.envs_created(), 0, "{:#?}", steady.calls);
    assert_eq!(steady.pip(), ["pip install -r requirements.txt (online)"]);
}

#[test]
fn a_failed_or_incomplete_prune_falls_back_to_one_rebuild() {
    let site = Site::new();
    site.write("requirements.txt", "alpha\r\nbravo\r\ncharlie\r\n");
    site.deploy();
    let planted = site.plant();

    // pip fails to uninstall: rebuilt once, offline.
    site.write("requirements.txt", "alpha\r\ncharlie\r\n");
    let failed = site.deploy_with(&[("STUB_UNINSTALL_FAIL", "1")]);
    assert_eq!(failed.code, 0, "{}", failed.output);
    assert!(
        failed.output.contains("pip could not uninstall them")
            && failed
                .output
                .contains("rebuilding the virtual environment once"),
        "{}",
        failed.output
    );
    assert_eq!(failed.envs_created(), 1, "{:#?}", failed.calls);
    assert!(!planted.exists());
    assert_eq!(site.installed(), ["alpha", "charlie"]);
    assert_eq!(
        failed.pip(),
        [
            "pip install -r requirements.txt (online)",
            "pip uninstall -y bravo (online)",
            "pip install -r requirements.txt (offline)"
        ]
    );
    assert!(!site.wwwroot.join("app_offline.htm").exists());
    assert_eq!(site.recorded_leftovers(), None);
    let planted = site.plant();

    // pip "succeeds" but leaves one (it says it is not installed): the
    // check after pruning finds it, and the env is rebuilt once.
    site.write("requirements.txt", "alpha\r\n");
    let left = site.deploy_with(&[("STUB_UNINSTALL_SKIPS", "charlie")]);
    assert_eq!(left.code, 0, "{}", left.output);
    assert!(
        left.output.contains("still installed after pruning")
            && left
                .output
                .contains("rebuilding the virtual environment once"),
        "{}",
        left.output
    );
    assert_eq!(left.envs_created(), 1, "{:#?}", left.calls);
    assert!(!planted.exists());
    assert_eq!(site.installed(), ["alpha"]);
    assert_eq!(left.checks().len(), 3, "{:#?}", left.calls);
}

#[test]
fn a_package_installed_on_purpose_is_reported_and_never_rebuilt_for() {
    let site = Site::new();
    // Another step installs gunicorn on every deployment.
    let extra = [("STUB_PIP_EXTRA", "gunicorn")];
    let first = site.deploy_with(&extra);
    assert_eq!(first.code, 0, "{}", first.output);
    // A fresh env: reported and recorded, not rebuilt again.
    assert_eq!(first.envs_created(), 1, "{:#?}", first.calls);
    assert!(first.output.contains("gunicorn==1.0"), "{}", first.output);
    assert_eq!(
        site.recorded_leftovers(),
        Some(vec!["gunicorn".to_string()])
    );

    for _ in 0..2 {
        let again = site.deploy_with(&extra);
        assert_eq!(again.code, 0, "{}", again.output);
        assert_eq!(again.envs_created(), 0, "{:#?}", again.calls);
        assert!(
            again
                .output
                .contains("still left over since the last fresh build")
                && again.output.contains("gunicorn==1.0"),
            "{}",
            again.output
        );
    }

    // A removal on top of that is still pruned: bravo is new, gunicorn is
    // what a fresh env holds on purpose and stays.
    site.write("requirements.txt", "alpha\r\n");
    let removal = site.deploy_with(&extra);
    assert_eq!(removal.envs_created(), 0, "{:#?}", removal.calls);
    assert!(
        removal.pip().contains(&"pip uninstall -y bravo (online)"),
        "{:#?}",
        removal.calls
    );
    assert_eq!(site.installed(), ["alpha", "gunicorn"]);
    assert_eq!(
        site.recorded_leftovers(),
        Some(vec!["gunicorn".to_string()])
    );
    // With rebuild, it still rebuilds, and records gunicorn again.
    site.write("requirements.txt", "charlie\r\n");
    site.deploy_with(&extra);
    site.write("requirements.txt", "alpha\r\n");
    let rebuilt = site.deploy_with(&[
        ("STUB_PIP_EXTRA", "gunicorn"),
        ("ENVGUARD_ON_LEFTOVERS", "rebuild"),
    ]);
    assert_eq!(rebuilt.envs_created(), 1, "{:#?}", rebuilt.calls);
    assert_eq!(site.installed(), ["alpha", "gunicorn"]);
    assert_eq!(
        site.recorded_leftovers(),
        Some(vec!["gunicorn".to_string()])
    );

    // ENVGUARD_KEEP reaches the checker, which then has nothing to say.
    let kept = site.deploy_with(&[
        ("STUB_PIP_EXTRA", "gunicorn"),
        ("ENVGUARD_KEEP", "gunicorn"),
    ]);
    assert_eq!(
        kept.checks(),
        ["checker -r requirements.txt --keep \"gunicorn\""]
    );
    assert!(
        kept.output.contains("every installed package is reached"),
        "{}",
        kept.output
    );
}

#[test]
fn a_marker_and_leftovers_in_one_deployment_rebuild_once() {
    let site = Site::new();
    site.deploy();
    site.write("requirements.txt", "alpha\r\n");
    site.marker(format!("{}\n", token(1)));
    // The marker's rebuild, and something else installs uvicorn.
    let run = site.deploy_with(&[("STUB_PIP_EXTRA", "uvicorn")]);
    assert_eq!(run.code, 0, "{}", run.output);
    assert_eq!(run.envs_created(), 1, "{:#?}", run.calls);
    assert_eq!(run.pip().len(), 1, "{:#?}", run.calls);
    assert_eq!(site.installed(), ["alpha", "uvicorn"]);
    assert_eq!(site.recorded_leftovers(), Some(vec!["uvicorn".to_string()]));
    assert_eq!(site.env_token(), Some(token(1)));
}

#[test]
fn a_checker_that_cannot_judge_rebuilds_once_unless_warn() {
    let site = Site::new();
    site.deploy();
    let planted = site.plant();
    site.write("requirements.txt", "alpha\r\n");
    let warn = site.deploy_with(&[
        ("STUB_CHECKER_CANNOT_JUDGE", "1"),
        ("ENVGUARD_ON_LEFTOVERS", "warn"),
    ]);
    assert_eq!(warn.code, 0, "{}", warn.output);
    assert!(
        warn.output.contains("cannot judge this environment")
            && warn.output.contains("kept as it is"),
        "{}",
        warn.output
    );
    assert_eq!(warn.envs_created(), 0);
    assert!(planted.exists());

    // The default: what cannot be judged is rebuilt once; the fresh env,
    // which cannot be judged either, is kept.
    let run = site.deploy_with(&[("STUB_CHECKER_CANNOT_JUDGE", "1")]);
    assert_eq!(run.code, 0, "{}", run.output);
    assert!(
        run.output
            .contains("rebuilding the virtual environment once, so that it holds only what"),
        "{}",
        run.output
    );
    assert_eq!(run.envs_created(), 1, "{:#?}", run.calls);
    assert_eq!(run.checks().len(), 2, "{:#?}", run.calls);
    assert!(!planted.exists());
    assert_eq!(site.installed(), ["alpha"]);
    assert_eq!(site.recorded_leftovers(), None);
    assert!(!site.wwwroot.join("app_offline.htm").exists());

    // No checker beside deploy.cmd: said, and nothing changes.
    let planted = site.plant();
    fs::remove_file(site.repository.join("envguard_check.py")).expect("rm");
    let run = site.deploy();
    assert!(
        run.output
            .contains("envguard_check.py is not beside deploy.cmd"),
        "{}",
        run.output
    );
    assert!(run.checks().is_empty() && planted.exists());
}

#[test]
fn on_leftovers_rebuild_rebuilds_warn_only_reports_and_anything_else_rebuilds() {
    let site = Site::new();
    site.deploy();
    let planted = site.plant();
    site.write("requirements.txt", "alpha\r\n");
    let warn = site.deploy_with(&[("ENVGUARD_ON_LEFTOVERS", "warn")]);
    assert!(warn.output.contains("bravo==1.0"), "{}", warn.output);
    assert!(
        warn.output.contains("ENVGUARD_ON_LEFTOVERS=warn"),
        "{}",
        warn.output
    );
    assert_eq!(warn.envs_created(), 0);
    assert_eq!(warn.pip(), ["pip install -r requirements.txt (online)"]);
    assert!(planted.exists());

    let rebuild = site.deploy_with(&[("ENVGUARD_ON_LEFTOVERS", "rebuild")]);
    assert!(
        rebuild
            .output
            .contains("no marker scheduled this (was the hook bypassed?)")
            && rebuild
                .output
                .contains("rebuilding the virtual environment once"),
        "{}",
        rebuild.output
    );
    assert_eq!(rebuild.envs_created(), 1, "{:#?}", rebuild.calls);
    assert_eq!(
        rebuild.pip(),
        [
            "pip install -r requirements.txt (online)",
            "pip install -r requirements.txt (offline)"
        ]
    );
    assert!(!planted.exists());
    assert_eq!(site.installed(), ["alpha"]);

    site.write("requirements.txt", "alpha\r\ncharlie\r\n");
    site.deploy();
    site.write("requirements.txt", "alpha\r\n");
    let bogus = site.deploy_with(&[("ENVGUARD_ON_LEFTOVERS", "nuke")]);
    assert!(
        bogus
            .output
            .contains("ENVGUARD_ON_LEFTOVERS is none of \"prune\", \"rebuild\" and \"warn\": refused, acting as rebuild"),
        "{}",
        bogus.output
    );
    // Taken as rebuild, the safest, as deploy.sh takes it.
    assert_eq!(bogus.envs_created(), 1, "{:#?}", bogus.calls);
    assert!(!bogus.pip().iter().any(|call| call.contains("uninstall")));
    assert_eq!(site.installed(), ["alpha"]);
}

#[test]
fn collectstatic_may_fail_and_the_site_is_back_online_after_it() {
    let site = Site::new();
    site.write("requirements.txt", "Django\r\n");
    site.write("manage.py", "");
    site.write("web.3.6.config", "<configuration/>\r\n");
    site.deploy();
    site.marker(format!("{}\n", token(1)));
    let run = site.deploy_with(&[("STUB_COLLECTSTATIC_FAIL", "1")]);
    assert_eq!(
        run.code, 0,
        "Kudu's template ignores a failed collectstatic:\n{}",
        run.output
    );
    assert!(
        run.output.contains("collectstatic failed"),
        "{}",
        run.output
    );
    // The marker rebuilt the env offline; the site stayed offline through
    // web.config and collectstatic.
    assert!(
        run.calls
            .contains(&"env-python manage.py collectstatic --noinput --clear (offline)".into()),
        "{:#?}",
        run.calls
    );
    assert!(!site.wwwroot.join("app_offline.htm").exists());
    assert!(site.wwwroot.join("web.config").exists());
}

#[test]
fn a_sentinel_mismatch_rebuilds_and_records_the_token_again() {
    let site = Site::new();
    site.marker(format!("{}\n", token(1)));
    site.deploy();
    let planted = site.plant();

    site.write("runtime.txt", "python-3.4\r\n");
    let run = site.deploy();
    assert!(
        run.output
            .contains("Deleting incompatible virtual environment."),
        "{}",
        run.output
    );
    assert!(run.created_env());
    assert!(!planted.exists());
    assert!(site.env_dir().join("azure.env.python-3.4.txt").exists());
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
            .contains(&"env-python manage.py collectstatic --noinput --clear (online)".into()),
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

/// The distributions in a real env, by its own pip (pip and setuptools left
/// out).
fn pip_list(env: &Path) -> Vec<String> {
    let out = Command::new(env.join("bin/python"))
        .args([
            "-m",
            "pip",
            "list",
            "--format=freeze",
            "--disable-pip-version-check",
        ])
        .output()
        .expect("run the env's pip");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.split_once("==")
                .map(|(n, _)| n.to_lowercase().replace('_', "-"))
        })
        .filter(|n| n != "pip" && n != "setuptools")
        .collect()
}

/// A real venv to copy (without symlinks: --copies, no lib64, since cmd
/// deletes it) and a wheelhouse of alpha, Bravo_Web (requires charlie) and
/// charlie, in `dir`.
fn real_python(dir: &Path) -> (PathBuf, PathBuf) {
    let template = dir.join("venv");
    let out = Command::new("python3")
        .args(["-m", "venv", "--copies"])
        .arg(&template)
        .output()
        .expect("run python3 -m venv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = fs::remove_file(template.join("lib64"));
    let wheelhouse = dir.join("wheels");
    fs::create_dir_all(&wheelhouse).expect("mkdir");
    fs::write(
        dir.join("spec.json"),
        r#"[{"name": "alpha", "version": "1.0"},
            {"name": "Bravo_Web", "version": "2.0", "requires": ["charlie>=1"]},
            {"name": "charlie", "version": "1.0"}]"#,
    )
    .expect("write spec.json");
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/checker/make_wheels.py"
        ))
        .arg(&wheelhouse)
        .arg(dir.join("spec.json"))
        .output()
        .expect("build wheels");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (template, wheelhouse)
}

#[test]
fn a_real_venv_pip_and_checker_prune_a_removal_without_a_marker() {
    let dir = tempfile::Builder::new()
        .prefix("envguard-wine-real")
        .tempdir()
        .expect("tempdir");
    let (template, wheelhouse) = real_python(dir.path());
    let (site, settings) = Site::with_real_python(&template, &wheelhouse);
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    site.write("requirements.txt", "alpha\r\nbravo-web\r\n");
    // Modules of the app's own named like the standard library's, at the
    // root of the repository (where the checker lies) and of the app: pip
    // and the checker must never import them.
    for module in ["token.py", "queue.py", "email/__init__.py"] {
        site.write(
            module,
            "raise ImportError('the app shadows the standard library')\n",
        );
    }
    let first = site.deploy_with(&settings);
    assert_eq!(first.code, 0, "{}\n{}", first.output, first.stderr);
    assert_eq!(pip_list(&site.env_dir()), ["alpha", "bravo-web", "charlie"]);
    assert!(
        first.output.contains("every installed package is reached"),
        "{}\n{}",
        first.output,
        first.stderr
    );

    // bravo-web removed, pushed without a marker: the checker finds it and
    // charlie, which only it needed; the env's own pip uninstalls exactly
    // those, in place, and the check finds nothing more: the env holds what
    // a fresh one would.
    site.write("requirements.txt", "alpha\r\n");
    let run = site.deploy_with(&settings);
    assert_eq!(run.code, 0, "{}\n{}", run.output, run.stderr);
    assert!(
        run.output.contains("bravo-web==2.0") && run.output.contains("charlie==1.0"),
        "{}",
        run.output
    );
    assert!(
        run.output.contains("was the hook bypassed?")
            && run
                .output
                .contains("uninstalling them in place: bravo-web charlie")
            && run.output.contains("pruned in place"),
        "{}",
        run.output
    );
    assert_eq!(run.envs_created(), 0, "{:#?}", run.calls);
    assert_eq!(pip_list(&site.env_dir()), ["alpha"]);
    assert!(!site.wwwroot.join("app_offline.htm").exists());

    // A marker: a fresh env from the same requirements, which holds the same.
    site.marker(format!("{}\n", token(1)));
    let fresh = site.deploy_with(&settings);
    assert_eq!(fresh.code, 0, "{}\n{}", fresh.output, fresh.stderr);
    assert_eq!(fresh.envs_created(), 1, "{:#?}", fresh.calls);
    assert_eq!(pip_list(&site.env_dir()), ["alpha"]);

    // With rebuild, the same removal rebuilds instead.
    site.write("requirements.txt", "alpha\r\nbravo-web\r\n");
    site.deploy_with(&settings);
    site.write("requirements.txt", "alpha\r\n");
    let mut rebuild = settings.clone();
    rebuild.push(("ENVGUARD_ON_LEFTOVERS", "rebuild"));
    let rebuilt = site.deploy_with(&rebuild);
    assert_eq!(rebuilt.code, 0, "{}\n{}", rebuilt.output, rebuilt.stderr);
    assert_eq!(rebuilt.envs_created(), 1, "{:#?}", rebuilt.calls);
    assert_eq!(pip_list(&site.env_dir()), ["alpha"]);

    let steady = site.deploy_with(&settings);
    assert_eq!(steady.code, 0, "{}", steady.output);
    assert_eq!(steady.envs_created(), 0, "{:#?}", steady.calls);
    assert!(
        steady.output.contains("every installed package is reached"),
        "{}",
        steady.output
    );
}

#[test]
fn a_requirements_file_or_include_leading_outside_the_repository_is_refused_before_pip() {
    let dir = tempfile::Builder::new()
        .prefix("envguard-wine-real")
        .tempdir()
        .expect("tempdir");
    let (template, wheelhouse) = real_python(dir.path());
    let outside = dir.path().join("outside");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(outside.join("secret.txt"), "alpha\nTOP-SECRET-LINE\n").expect("write");
    let (site, settings) = Site::with_real_python(&template, &wheelhouse);
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();

    // A link inside the repository is followed, as pip and the hook do.
    site.write("reqs/prod.txt", "alpha\r\n");
    fs::remove_file(site.repository.join("requirements.txt")).expect("rm");
    std::os::unix::fs::symlink("reqs/prod.txt", site.repository.join("requirements.txt"))
        .expect("symlink");
    let inside = site.deploy_with(&settings);
    assert_eq!(inside.code, 0, "{}\n{}", inside.output, inside.stderr);
    assert_eq!(pip_list(&site.env_dir()), ["alpha"]);

    let cases: [(&str, &dyn Fn()); 3] = [
        ("requirements.txt a link out", &|| {
            fs::remove_file(site.repository.join("requirements.txt")).expect("rm");
            std::os::unix::fs::symlink(
                outside.join("secret.txt"),
                site.repository.join("requirements.txt"),
            )
            .expect("symlink");
        }),
        ("an include a link out", &|| {
            fs::remove_file(site.repository.join("requirements.txt")).expect("rm");
            site.write("requirements.txt", "-r reqs/base.txt\r\n");
            std::os::unix::fs::symlink(
                outside.join("secret.txt"),
                site.repository.join("reqs/base.txt"),
            )
            .expect("symlink");
        }),
        ("an include by a path out", &|| {
            site.write(
                "requirements.txt",
                format!(
                    "alpha\r\n--requirement {}\r\n",
                    outside.join("secret.txt").display()
                ),
            );
        }),
    ];
    for (case, arrange) in cases {
        arrange();
        let run = site.deploy_with(&settings);
        assert_ne!(run.code, 0, "{case}:\n{}", run.output);
        assert!(
            run.output.contains("leads outside the repository"),
            "{case}:\n{}\n{}",
            run.output,
            run.stderr
        );
        assert!(
            !run.calls.iter().any(|c| c.contains(" install ")),
            "{case}: pip ran: {:#?}",
            run.calls
        );
        assert!(
            !run.output.contains("TOP-SECRET") && !run.stderr.contains("TOP-SECRET"),
            "{case}:\n{}",
            run.output
        );
        assert!(!site.wwwroot.join("app_offline.htm").exists(), "{case}");
    }
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
