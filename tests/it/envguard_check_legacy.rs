//! `hooks/envguard_check.py` under the real old Pythons of legacy Windows
//! App Service sites, with the pip each one shipped: CPython 2.7 (pip 19.2)
//! and 3.6 (pip 18.1), as pyenv keeps them on these machines
//! (`$PYENV_ROOT/versions/X.Y.Z`, default `~/.pyenv`). `tests/it/envguard_check.rs`
//! covers the checker in depth on the machine's python3; this file proves the
//! same verdicts where `importlib.metadata`, `tomllib` and pip's newer
//! internals do not exist, and that Python's own metadata (2.7 ships
//! `wsgiref.egg-info` in its standard library) is never a leftover.
//!
//! Where an old Python is absent the case says so and passes, except under
//! `CI=true`: CI runs on a machine that has them, and the README's claim
//! that these Pythons are covered rests on this file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/envguard_check.py");
const MAKE_WHEELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/checker/make_wheels.py"
);

/// The wheelhouse: an extra, a marker that holds only on Python 2, a name in
/// mixed case with `_`, a diamond (`left` and `right` both need `base`).
const SPEC: &str = r#"[
  {"name": "requests", "version": "2.31.0",
   "requires": ["idna (>=2.5)", "PySocks>=1.5.6; extra == \"socks\"",
                "futures; python_version < \"3\""],
   "extras": ["socks"]},
  {"name": "idna", "version": "3.4"},
  {"name": "PySocks", "version": "1.7.1"},
  {"name": "futures", "version": "3.4.0"},
  {"name": "Old_Thing", "version": "1.0"},
  {"name": "app", "version": "1.0", "requires": ["left", "right"]},
  {"name": "left", "version": "1.0", "requires": ["base"]},
  {"name": "right", "version": "1.0", "requires": ["base"]},
  {"name": "base", "version": "1.0"}
]"#;

/// The newest `X.Y.*` pyenv keeps, if any.
fn pyenv_python(minor: &str) -> Option<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))?;
    let mut found: Vec<PathBuf> = fs::read_dir(root.join("versions"))
        .ok()?
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(minor)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        .map(|e| e.path().join("bin/python"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop()
}

fn python_or_skip(minor: &str) -> Option<PathBuf> {
    let found = pyenv_python(minor);
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no Python {minor} under pyenv: CI's machine must have it (see this file's header)"
        );
        eprintln!("skipped: no Python {minor} under pyenv on this machine");
    }
    found
}

fn assert_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An environment of an old Python: a venv where the Python has one (3.4+),
/// else (2.7 has no venv, and no virtualenv here) a `pip install --target`
/// folder put on the path, which is where an env's site-packages would be.
struct OldEnv {
    dir: TempDir,
    python: PathBuf,
    target: Option<PathBuf>,
}

impl OldEnv {
    fn new(base: &Path, minor: &str) -> OldEnv {
        let dir = tempfile::Builder::new()
            .prefix("envguard-check-legacy")
            .tempdir()
            .expect("tempdir");
        fs::create_dir(dir.path().join("wheels")).expect("mkdir");
        fs::write(dir.path().join("spec.json"), SPEC).expect("write");
        let out = Command::new("python3")
            .arg(MAKE_WHEELS)
            .arg(dir.path().join("wheels"))
            .arg(dir.path().join("spec.json"))
            .arg("py2.py3-none-any")
            .output()
            .expect("run make_wheels.py");
        assert_success("building wheels", &out);
        let (python, target) = if minor.starts_with("2.") {
            (base.to_path_buf(), Some(dir.path().join("site-packages")))
        } else {
            let out = Command::new(base)
                .args(["-m", "venv"])
                .arg(dir.path().join("env"))
                .output()
                .expect("run venv");
            assert_success("python -m venv", &out);
            (dir.path().join("env/bin/python"), None)
        };
        OldEnv {
            dir,
            python,
            target,
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.current_dir(self.dir.path())
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PYTHONNOUSERSITE", "1")
            .env_remove("PYTHONHOME");
        match &self.target {
            Some(target) => cmd.env("PYTHONPATH", target),
            None => cmd.env_remove("PYTHONPATH"),
        };
        cmd
    }

    /// Where pip installs: the `--target` folder, or the venv's
    /// site-packages.
    fn site_packages(&self) -> PathBuf {
        if let Some(target) = &self.target {
            return target.clone();
        }
        let lib = self.dir.path().join("env/lib");
        let version = fs::read_dir(&lib)
            .expect("read env/lib")
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with("python"))
            .expect("env/lib/pythonX.Y");
        version.path().join("site-packages")
    }

    fn write(&self, rel: &str, contents: &str) {
        fs::write(self.dir.path().join(rel), contents).expect("write");
    }

    fn pip_install(&self, requirements: &str) {
        self.write("install.txt", requirements);
        let mut cmd = self.command();
        cmd.args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
            .arg(self.dir.path().join("wheels"));
        if let Some(target) = &self.target {
            // --target replaces what it installs; --upgrade lets a second
            // install add to the folder rather than refuse.
            cmd.arg("--upgrade").arg("--target").arg(target);
        }
        let out = cmd.args(["-r", "install.txt"]).output().expect("run pip");
        assert_success("pip install", &out);
    }

    /// What the checker says on stderr for this requirements.txt.
    fn check_stderr(&self, requirements: &str) -> String {
        self.write("requirements.txt", requirements);
        let out = self
            .command()
            .arg(CHECKER)
            .args(["-r", "requirements.txt"])
            .output()
            .expect("run the checker");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The checker's exit code and leftovers for this requirements.txt.
    fn check(&self, requirements: &str, more: &[&str]) -> (i32, Vec<String>) {
        self.write("requirements.txt", requirements);
        let out = self
            .command()
            .arg(CHECKER)
            .args(["-r", "requirements.txt"])
            .args(more)
            .output()
            .expect("run the checker");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for line in stderr.lines() {
            assert!(line.starts_with("envguard-check: "), "{stderr}");
        }
        let leftovers = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        (out.status.code().unwrap_or(-1), leftovers)
    }
}

/// The same story on each old Python: what is reachable stays, what is not
/// is listed, and the interpreter's own metadata never is.
fn the_checker_judges_an_old_pythons_env(minor: &str) {
    let Some(base) = python_or_skip(minor) else {
        return;
    };
    let env = OldEnv::new(&base, minor);
    env.pip_install("requests[socks]\nOld_Thing\napp\n");
    let py2 = minor.starts_with("2.");

    // Everything installed is reached: nothing from Python itself is listed.
    assert_eq!(
        env.check("requests[socks]\nold-thing\napp\n", &[]),
        (0, vec![])
    );
    // Dropping the extra leaves PySocks; dropping a name leaves it (its
    // spelling in the file does not matter, PEP 503); the diamond's shared
    // base goes only with both sides.
    assert_eq!(
        env.check("Requests\napp\n", &[]),
        (1, vec!["old-thing==1.0".into(), "pysocks==1.7.1".into()])
    );
    assert_eq!(
        env.check("requests[SOCKS]\nOLD.THING\nleft\n", &[]),
        (1, vec!["app==1.0".into(), "right==1.0".into()])
    );
    // `futures; python_version < "3"` was installed, and is reached, only on 2.
    let futures_installed = env
        .check("idna\n", &[])
        .1
        .contains(&"futures==3.4.0".into());
    assert_eq!(
        futures_installed, py2,
        "futures is installed on Python 2 only"
    );
    // Kept names, from --keep and from envguard.toml (read by hand here: no
    // tomllib, and this pip vendors no tomli), are never listed.
    env.write("envguard.toml", "keep = [\n  \"app\",  # ours\n]\n");
    assert_eq!(
        env.check(
            "requests[socks]\n",
            &["--keep", "Old_Thing", "--config", "envguard.toml"]
        ),
        (0, vec![])
    );
    // Includes are followed with this pip's own parser.
    env.write("base.txt", "requests[socks]\nold-thing\n");
    assert_eq!(env.check("-r base.txt\napp\n", &[]), (0, vec![]));
    // An unnamed requirement: this pip writes no direct_url.json to name it
    // by, so the check cannot judge, and says to upgrade pip.
    fs::create_dir(env.dir.path().join("proj")).expect("mkdir");
    env.write(
        "proj/setup.py",
        "from setuptools import setup\nsetup(name='proj', version='1.0')\n",
    );
    let (code, _) = env.check("./proj\napp\n", &[]);
    assert_eq!(code, 3, "an unnamed requirement under pip < 20.1");
    let stderr = env.check_stderr("./proj\napp\n");
    assert!(
        stderr.contains("writes no direct_url.json") && stderr.contains("upgrade pip"),
        "{stderr}"
    );

    // Metadata that contradicts itself cannot be judged: a folder whose
    // METADATA names another installed distribution, and two folders of
    // one site-packages claiming one name (pip lists them by their folder).
    let site = env.site_packages();
    let impostor = site.join("impostor-1.0.dist-info");
    copy_folder(&site.join("Old_Thing-1.0.dist-info"), &impostor);
    let (code, _) = env.check("requests[socks]\nold-thing\napp\n", &[]);
    assert_eq!(code, 3, "a folder that says impostor, METADATA Old_Thing");
    let stderr = env.check_stderr("requests[socks]\nold-thing\napp\n");
    assert!(
        stderr.contains("its folder names impostor, its METADATA names Old_Thing"),
        "{stderr}"
    );
    fs::remove_dir_all(&impostor).expect("rm");
    let stale = site.join("old_thing-0.9.dist-info");
    copy_folder(&site.join("Old_Thing-1.0.dist-info"), &stale);
    let stderr = env.check_stderr("requests[socks]\nold-thing\napp\n");
    assert!(
        stderr.contains("both claim the name old-thing in one folder"),
        "{stderr}"
    );
    fs::remove_dir_all(&stale).expect("rm");

    // --files, with this pip's parser (its `process_line` names the line
    // that includes a file): an include out of the root is refused.
    let outside = env.dir.path().join("outside.txt");
    fs::write(&outside, "SECRET\n").expect("write");
    env.write("base.txt", &format!("app\n-r {}\n", outside.display()));
    env.write("requirements.txt", "idna\n-r base.txt\n");
    fs::create_dir(env.dir.path().join("app-root")).expect("mkdir");
    let files = |root: &Path| {
        env.command()
            .arg(CHECKER)
            .args(["--files", "-r", "requirements.txt", "--root"])
            .arg(root)
            .output()
            .expect("run the checker")
    };
    let out = files(env.dir.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "requirements.txt\nbase.txt\noutside.txt\n"
    );
    let out = files(&env.dir.path().join("app-root"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("the requirements file requirements.txt, which is"),
        "{stderr}"
    );
    env.write("requirements.txt", "idna\n-r base.txt\n");
    fs::rename(
        env.dir.path().join("base.txt"),
        env.dir.path().join("app-root/base.txt"),
    )
    .expect("mv");
    fs::rename(
        env.dir.path().join("requirements.txt"),
        env.dir.path().join("app-root/requirements.txt"),
    )
    .expect("mv");
    let out = env
        .command()
        .current_dir(env.dir.path().join("app-root"))
        .arg(CHECKER)
        .args(["--files", "-r", "requirements.txt", "--root", "."])
        .output()
        .expect("run the checker");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("base.txt:2: includes {}", outside.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET"), "{stderr}");
}

fn copy_folder(from: &Path, to: &Path) {
    let out = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .expect("cp");
    assert_success("cp -a", &out);
}

#[test]
fn python_2_7_with_its_pip() {
    the_checker_judges_an_old_pythons_env("2.7");
}

#[test]
fn python_3_6_with_its_pip() {
    the_checker_judges_an_old_pythons_env("3.6");
}
