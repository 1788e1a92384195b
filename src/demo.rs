//! `envguard demo`: the whole loop on this machine, with nothing fetched.
//!
//! It builds a small app repository, a bare remote named `azure` whose
//! `post-receive` plays Kudu (checks the pushed commit out and runs the app's
//! `deploy.sh`, the one `envguard init --target linux` writes), and a
//! wheelhouse of tiny packages made on the spot. The app gets the real hook
//! (`envguard install`), then each step runs real `git push` and shows the
//! server environment's own `pip list`. Nothing is special-cased for the demo.

use std::fmt::{self, Write as _};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::repo::cli;
use crate::setup::{hookfile, init, install};
use envguard_core::platform::Platform;

const MAKE_WHEELS: &str = include_str!("demo/make_wheels.py");
const POST_RECEIVE: &str = include_str!("demo/post-receive");
/// The packages the demo's wheelhouse offers.
const WHEELS: [&str; 3] = ["greeting==1.0.0", "colors==1.0.0", "shapes==1.0.0"];
/// A file the demo leaves in the server's environment after each deploy: if
/// it is gone after the next one, the environment was rebuilt.
const PROBE: &str = ".envguard-demo-probe";

/// What stops the demo before it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Said {
    /// `demo --keep` with a folder that has files in it.
    KeepNotEmpty { dir: String },
    /// `demo`'s python3 cannot make a virtual environment.
    NoVenv,
    /// `demo` finds no python3.
    NeedsPython,
    /// `demo` finds no git.
    NeedsGit,
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Said::KeepNotEmpty { dir } => {
                write!(f, "{dir} is not empty; give --keep a new or empty folder")
            }
            Said::NoVenv => f.write_str(
                "python3 has no working venv module; install it (Debian/Ubuntu: `apt-get install python3-venv`) and run the demo again",
            ),
            Said::NeedsPython => f.write_str(
                "the demo needs python3 with venv; install it (Debian/Ubuntu: `apt-get install python3 python3-venv`)",
            ),
            Said::NeedsGit => f.write_str(
                "the demo needs git; install it (Debian/Ubuntu: `apt-get install git`)",
            ),
        }
    }
}

impl std::error::Error for Said {}

/// The demo's folders.
struct Demo {
    root: PathBuf,
    app: PathBuf,
    site: PathBuf,
}

/// The interpreter the simulated server uses.
const PYTHON: &str = "python3";

/// Runs the demo, narrating to `out`. With `keep`, everything is left in
/// that folder; otherwise a temporary folder is removed at the end.
pub fn run(keep: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    check_python()?;
    check_git()?;
    let temp;
    let root = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            if std::fs::read_dir(dir)?.next().is_some() {
                let dir = dir.display().to_string();
                return Err(Said::KeepNotEmpty { dir }.into());
            }
            dir.canonicalize()?
        }
        None => {
            temp = TempDir::new()?;
            temp.0.clone()
        }
    };
    let demo = Demo {
        app: root.join("app"),
        site: root.join("site"),
        root,
    };
    demo.play(out)?;
    if let Some(dir) = keep {
        writeln!(out, "\nEverything is kept in {}: app/, site/azure.git, site/deploy.log, site/wwwroot/antenv.", dir.display())?;
    }
    Ok(())
}

impl Demo {
    fn play(&self, out: &mut dyn Write) -> Result<()> {
        writeln!(
            out,
            "envguard demo: the whole loop, on this machine, with a simulated Azure site.\n"
        )?;
        self.set_up_site()?;
        self.set_up_app()?;

        writeln!(
            out,
            "1. An app that needs greeting and colors; its first deployment."
        )?;
        let first = self.push(out)?;
        self.show_env(out, first, "environment created")?;

        writeln!(
            out,
            "\n2. Add shapes to requirements.txt: pip installs it into the same environment."
        )?;
        self.commit_requirements(
            &["greeting==1.0.0", "colors==1.0.0", "shapes==1.0.0"],
            "Add shapes",
        )?;
        let add = self.push(out)?;
        let (reused, _) = self.show_env(out, add, "")?;

        writeln!(
            out,
            "\n3. Remove colors. pip alone would leave it installed; envguard stops the push:"
        )?;
        self.commit_requirements(&["greeting==1.0.0", "shapes==1.0.0"], "Drop colors")?;
        let stopped = self.push(out)?;
        if stopped.ok {
            bail!("the push that removes a package went through; the hook is not working");
        }
        writeln!(out, "   $ git show --stat HEAD")?;
        let stat = self.git(&self.app, &["show", "--stat", "--format=%h %s", "HEAD"])?;
        for line in stat.lines().filter(|l| !l.trim().is_empty()) {
            writeln!(out, "   {line}")?;
        }
        writeln!(
            out,
            "   Pushing again sends the marker; the server rebuilds the environment once:"
        )?;
        let again = self.push(out)?;
        if !again.ok {
            bail!("the push that carries the marker was stopped too; see the lines above");
        }
        let (rebuilt, listed) = self.show_env(out, again, "")?;
        if listed.lines().any(|l| l.starts_with("colors==")) {
            bail!(
                "colors is still installed after the rebuild; see {}",
                self.site.join("deploy.log").display()
            );
        }

        writeln!(
            out,
            "\n4. A code-only change: the same marker is not honoured twice."
        )?;
        std::fs::write(self.app.join("app.py"), APP_V2)?;
        self.git(&self.app, &["commit", "-qam", "Say hello differently"])?;
        let code = self.push(out)?;
        let (kept, _) = self.show_env(out, code, "")?;

        writeln!(out, "\nSummary:")?;
        writeln!(
            out,
            "  adding a package reused the environment ({}); removing one rebuilt it once ({}),\n  \
             and the next deployment reused it again ({}).",
            seconds(reused),
            seconds(rebuilt),
            seconds(kept)
        )?;
        writeln!(
            out,
            "  colors is gone from the server: without envguard it would still be importable there."
        )?;
        writeln!(out, "\nNext, in your app's repository:")?;
        writeln!(out, "  envguard install          # the pre-push hook")?;
        writeln!(
            out,
            "  envguard init             # deploy.sh, envguard_check.py, .deployment, .gitattributes"
        )?;
        writeln!(
            out,
            "  git add deploy.sh envguard_check.py .deployment .gitattributes && git commit -m \"Deploy with envguard\""
        )?;
        writeln!(
            out,
            "  git push azure main:master  # Local Git deploys master unless DEPLOYMENT_BRANCH says otherwise"
        )?;
        Ok(())
    }

    fn set_up_site(&self) -> Result<()> {
        let wheelhouse = self.site.join("wheelhouse");
        std::fs::create_dir_all(&wheelhouse)?;
        let script = self.root.join("make_wheels.py");
        std::fs::write(&script, MAKE_WHEELS)?;
        let mut command = Command::new(PYTHON);
        command.arg(&script).arg(&wheelhouse).args(WHEELS);
        run_ok(&mut command, "building the demo's wheels")?;
        std::fs::remove_file(&script)?;

        let bare = self.site.join("azure.git");
        self.git(
            &self.root,
            &["init", "-q", "--bare", "-b", "main", path_str(&bare)?],
        )?;
        let hook = bare.join("hooks").join("post-receive");
        let body = POST_RECEIVE
            .replace(
                "@SITE@",
                &crate::quote::single_quoted_inside(path_str(&self.site)?),
            )
            .replace("@PYTHON@", &crate::quote::single_quoted_inside(PYTHON));
        std::fs::write(&hook, body)?;
        hookfile::make_executable(&hook)
    }

    fn set_up_app(&self) -> Result<()> {
        std::fs::create_dir_all(&self.app)?;
        let app = &self.app;
        self.git(app, &["init", "-q", "-b", "main"])?;
        // A local identity and plain settings, so the demo does not depend
        // on (or change) the user's own git configuration.
        for (key, value) in [
            ("user.name", "envguard demo"),
            ("user.email", "demo@envguard.invalid"),
            ("commit.gpgsign", "false"),
            ("core.hooksPath", ".git/hooks"),
        ] {
            self.git(app, &["config", key, value])?;
        }
        std::fs::write(app.join("app.py"), APP_V1)?;
        std::fs::write(app.join("runtime.txt"), format!("{}\n", self.runtime()?))?;
        write_requirements(app, &["greeting==1.0.0", "colors==1.0.0"])?;
        init::init(app, Platform::Linux, false)?;
        install::install(app, &std::env::current_exe()?, install::How::default())?;
        self.git(app, &["add", "."])?;
        self.git(app, &["commit", "-qm", "A small Flask-style app"])?;
        self.git(
            app,
            &[
                "remote",
                "add",
                "azure",
                path_str(&self.site.join("azure.git"))?,
            ],
        )?;
        Ok(())
    }

    /// `python-X.Y` of the interpreter the simulated server uses.
    fn runtime(&self) -> Result<String> {
        let mut command = Command::new(PYTHON);
        command.args([
            "-c",
            "import sys; print('python-%d.%d' % sys.version_info[:2])",
        ]);
        Ok(run_ok(&mut command, "asking python3 its version")?
            .trim()
            .to_string())
    }

    fn commit_requirements(&self, packages: &[&str], message: &str) -> Result<()> {
        write_requirements(&self.app, packages)?;
        self.git(&self.app, &["commit", "-qam", message]).map(drop)
    }

    /// `git push azure main`, showing envguard's lines and the deployment's outcome.
    fn push(&self, out: &mut dyn Write) -> Result<Pushed> {
        writeln!(out, "   $ git push azure main")?;
        let started = Instant::now();
        let output = self.git_output(&self.app, &["push", "-q", "azure", "main"])?;
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        for line in stderr.lines() {
            let line = line.trim_start_matches("remote: ");
            if line.starts_with("envguard") || line.trim_start().starts_with("git push") {
                writeln!(out, "   {line}")?;
            }
        }
        let ok = output.status.success();
        if ok && !self.env().exists() {
            bail!(
                "the deployment did not create {}; see {}",
                self.env().display(),
                self.site.join("deploy.log").display()
            );
        }
        Ok(Pushed { ok, took })
    }

    fn env(&self) -> PathBuf {
        self.site.join("wwwroot").join("antenv")
    }

    /// Prints the server environment's `pip list`, says whether it was
    /// rebuilt, and leaves the probe for the next deployment.
    /// Gives the deployment's time and the `pip list` it printed.
    fn show_env(
        &self,
        out: &mut dyn Write,
        pushed: Pushed,
        first: &str,
    ) -> Result<(Duration, String)> {
        let probe = self.env().join(PROBE);
        let how = if !first.is_empty() {
            first
        } else if probe.exists() {
            "environment reused"
        } else {
            "environment rebuilt"
        };
        let pip = self.env().join("bin").join("python");
        let mut command = Command::new(&pip);
        command.args([
            "-m",
            "pip",
            "list",
            "--format=freeze",
            "--disable-pip-version-check",
        ]);
        let listed = run_ok(&mut command, "listing the server environment's packages")?;
        let packages: Vec<&str> = listed
            .lines()
            .filter(|l| !l.starts_with("pip==") && !l.starts_with("setuptools=="))
            .collect();
        writeln!(
            out,
            "   server: pip list -> {}   [{how}, deploy took {}]",
            packages.join(" "),
            seconds(pushed.took)
        )?;
        std::fs::write(&probe, "left by envguard demo\n")?;
        Ok((pushed.took, listed))
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Result<String> {
        run_ok(
            &mut cli::isolated(dir, args),
            &format!("git {}", args.join(" ")),
        )
    }

    fn git_output(&self, dir: &Path, args: &[&str]) -> Result<Output> {
        cli::isolated(dir, args).output().context("cannot run git")
    }
}

struct Pushed {
    ok: bool,
    took: Duration,
}

const APP_V1: &str = "import greeting\n\n\ndef app(environ, start_response):\n    start_response(\"200 OK\", [])\n    return [b\"hello\"]\n";
const APP_V2: &str = "import greeting\n\n\ndef app(environ, start_response):\n    start_response(\"200 OK\", [])\n    return [b\"hello again\"]\n";

fn write_requirements(app: &Path, packages: &[&str]) -> Result<()> {
    let mut text = String::new();
    for package in packages {
        let _ = writeln!(text, "{package}");
    }
    std::fs::write(app.join("requirements.txt"), text).context("cannot write requirements.txt")
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn check_python() -> Result<()> {
    let probe = Command::new(PYTHON)
        .args(["-c", "import venv, ensurepip"])
        .output();
    match probe {
        Ok(output) if output.status.success() => Ok(()),
        Ok(_) => Err(Said::NoVenv.into()),
        Err(_) => Err(Said::NeedsPython.into()),
    }
}

fn check_git() -> Result<()> {
    if cli::available() {
        Ok(())
    } else {
        Err(Said::NeedsGit.into())
    }
}

fn run_ok(command: &mut Command, what: &str) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("{what}: cannot start {:?}", command.get_program()))?;
    if !output.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not valid UTF-8", path.display()))
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        let path =
            std::env::temp_dir().join(format!("envguard-demo-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_says_what_it_needs() {
        let cases = [
        (
            Said::KeepNotEmpty {
                dir: "/tmp/demo".into(),
            },
            "/tmp/demo is not empty; give --keep a new or empty folder",
        ),
        (
            Said::NoVenv,
            "python3 has no working venv module; install it (Debian/Ubuntu: `apt-get install \
             python3-venv`) and run the demo again",
        ),
        (
            Said::NeedsPython,
            "the demo needs python3 with venv; install it (Debian/Ubuntu: `apt-get install python3 \
             python3-venv`)",
        ),
        (
            Said::NeedsGit,
            "the demo needs git; install it (Debian/Ubuntu: `apt-get install git`)",
        ),
        ];
        for (said, want) in cases {
            assert_eq!(said.to_string(), want);
        }
    }
}
