//! `hooks/deploy.sh` converges: every deployment ends with the packages a
//! fresh env would hold (docs/deploy-sh.md, docs/leftovers.md). Behind the
//! simulated Kudu of `tests/kudu`: real pushes, real venvs, real pip (and
//! real uv, installed from the package index into this test run's cache
//! folder when it can be had), tiny wheels built here.

use crate::kudu;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use kudu::{assert_success, names, token, uv, Kudu, UV_VERSION};

const MAKE_WHEELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/checker/make_wheels.py"
);
const BACKEND: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/checker/backend.py");
const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/envguard_check.py");

const PIP_SKIPPED: &str = "pip skipped";
const CHECK_SKIPPED: &str = "leftovers check skipped";
const REBUILT_ONCE: &str = "rebuilding the environment once";
const PIP_NOT_RUN: &str = "pip would install nothing, so it does not run";

/// Wheels written by make_wheels.py (extras, markers): `(name, version,
/// [Requires-Dist], [Provides-Extra])`.
fn add_wheels(kudu: &Kudu, wheels: &[(&str, &str, &[&str], &[&str])]) {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let list = |items: &[&str]| {
        format!(
            "[{}]",
            items
                .iter()
                .map(|s| quote(s))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let specs: Vec<String> = wheels
        .iter()
        .map(|(name, version, requires, extras)| {
            format!(
                "{{\"name\": {}, \"version\": {}, \"requires\": {}, \"extras\": {}}}",
                quote(name),
                quote(version),
                list(requires),
                list(extras)
            )
        })
        .collect();
    let spec = kudu.root.join("spec.json");
    fs::write(&spec, format!("[{}]", specs.join(",\n"))).expect("write spec.json");
    let out = Command::new("python3")
        .arg(MAKE_WHEELS)
        .arg(&kudu.wheelhouse)
        .arg(&spec)
        .output()
        .expect("run make_wheels.py");
    assert_success("make_wheels.py", &out);
}

fn site_packages(env: &Path) -> PathBuf {
    let lib = env.join("lib");
    let version = fs::read_dir(&lib)
        .expect("read env/lib")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("python"))
        .expect("env/lib/pythonX.Y");
    version.path().join("site-packages")
}

/// `pip freeze --all` of an env, run by its own Python.
fn freeze(env: &Path) -> String {
    let out = Command::new(env.join("bin/python"))
        .args(["-m", "pip", "freeze", "--all"])
        .current_dir(env)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .expect("run pip freeze");
    assert_success("pip freeze", &out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file and folder under `dir`, relative, sorted.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(dir).expect("under dir");
            found.insert(rel.to_string_lossy().into_owned());
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(path);
            }
        }
    }
    found
}

/// What a fresh env holds after `pip install -r requirements` from the
/// site's wheelhouse (`python3 -m venv`, as the site's own Python would make
/// it): its `pip freeze --all` and its site-packages' files.
fn fresh(kudu: &Kudu, requirements: &str) -> (String, BTreeSet<String>) {
    let dir = kudu.root.join("fresh");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join("requirements.txt"), requirements).expect("write");
    let out = Command::new("python3")
        .args(["-m", "venv", "env"])
        .current_dir(&dir)
        .output()
        .expect("run python3 -m venv");
    assert_success("python3 -m venv", &out);
    let out = Command::new(dir.join("env/bin/python"))
        .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
        .arg(&kudu.wheelhouse)
        .args(["-r", "requirements.txt"])
        .current_dir(&dir)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .expect("run pip");
    assert_success("pip install into a fresh env", &out);
    let env = dir.join("env");
    (freeze(&env), files(&site_packages(&env)))
}

/// The site's env holds exactly what a fresh one gets from `requirements`:
/// the same `pip freeze --all`, the same files in site-packages.
fn assert_like_fresh(kudu: &Kudu, requirements: &str) {
    let (want_freeze, want_files) = fresh(kudu, requirements);
    assert_eq!(freeze(&kudu.env_dir()), want_freeze);
    let got_files = files(&site_packages(&kudu.env_dir()));
    let missing: Vec<_> = want_files.difference(&got_files).collect();
    let extra: Vec<_> = got_files.difference(&want_files).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "site-packages differs from a fresh env's: missing {missing:?}, extra {extra:?}"
    );
}

/// A site deployed with `before`, then `after` pushed without a marker (a
/// hook bypassed): the second deployment must uninstall exactly `pruned`
/// (`name==version`) in place and end like a fresh env.
fn converge(kudu: &Kudu, before: &str, after: &str, pruned: &str) -> String {
    kudu.write("requirements.txt", before);
    kudu.deploy("first deployment");
    let planted = kudu.plant();
    kudu.write("requirements.txt", after);
    let deploy = kudu.deploy("a removal the hook did not see");
    let said = format!("uninstalling {pruned} (ENVGUARD_ON_LEFTOVERS=prune)");
    assert!(deploy.log.contains(&said), "{said}:\n{}", deploy.log);
    assert!(
        deploy
            .log
            .contains("the environment holds what a fresh one would"),
        "{}",
        deploy.log
    );
    assert!(
        planted.exists(),
        "a prune works in place, without a rebuild"
    );
    assert!(!deploy.log.contains(REBUILT_ONCE), "{}", deploy.log);
    assert_like_fresh(kudu, after);
    deploy.log
}

#[test]
fn a_top_level_removal_is_pruned_in_place() {
    let mut kudu = Kudu::with_wheels(&["alpha==1.0", "bravo==1.0;charlie", "charlie==1.0"]);
    kudu.app_setting("ENVGUARD_UV", "off");
    let log = converge(
        &kudu,
        "alpha\nbravo\n",
        "alpha\n",
        "bravo==1.0 charlie==1.0",
    );
    // What is left is all installed: pip would do nothing, so it does not run.
    assert!(log.contains(PIP_NOT_RUN), "{log}");
    assert!(!log.contains("Pip install requirements."), "{log}");
}

#[test]
fn a_dependency_an_upgrade_orphaned_is_pruned() {
    let mut kudu = Kudu::with_wheels(&["bravo==1.0;charlie", "bravo==2.0", "charlie==1.0"]);
    kudu.app_setting("ENVGUARD_UV", "off");
    let log = converge(&kudu, "bravo==1.0\n", "bravo==2.0\n", "charlie==1.0");
    assert!(
        log.contains(
            "envguard: pip runs: the requirements ask for bravo==2.0, and bravo 1.0 is installed."
        ),
        "{log}"
    );
}

#[test]
fn a_dropped_extra_is_pruned() {
    let mut kudu = Kudu::with_wheels(&["pysocks==1.7"]);
    add_wheels(
        &kudu,
        &[(
            "requests",
            "2.0",
            &["pysocks; extra == \"socks\""],
            &["socks"],
        )],
    );
    kudu.app_setting("ENVGUARD_UV", "off");
    converge(&kudu, "requests[socks]\n", "requests\n", "pysocks==1.7");
}

#[test]
fn a_requirement_whose_marker_stopped_holding_is_pruned() {
    let mut kudu = Kudu::with_wheels(&["alpha==1.0", "bravo==1.0;charlie", "charlie==1.0"]);
    kudu.app_setting("ENVGUARD_UV", "off");
    converge(
        &kudu,
        "alpha\nbravo; python_version >= \"3\"\n",
        "alpha\nbravo; python_version < \"3\"\n",
        "bravo==1.0 charlie==1.0",
    );
}

/// A site with alpha and bravo (which needs charlie) deployed, with pip.
fn deployed_site(more_wheels: &[&str]) -> Kudu {
    let mut specs = vec!["alpha==1.0", "bravo==1.0;charlie", "charlie==1.0"];
    specs.extend_from_slice(more_wheels);
    let mut kudu = Kudu::with_wheels(&specs);
    kudu.app_setting("ENVGUARD_UV", "off");
    kudu.write("requirements.txt", "alpha\nbravo\n");
    kudu.deploy("first deployment");
    kudu
}

#[test]
fn a_failed_uninstall_falls_back_to_one_rebuild() {
    let kudu = deployed_site(&[]);
    let planted = kudu.plant();
    // pip cannot uninstall what has no RECORD (its req_uninstall.py).
    let site = site_packages(&kudu.env_dir());
    fs::remove_file(site.join("bravo-1.0.dist-info/RECORD")).expect("remove RECORD");
    kudu.write("requirements.txt", "alpha\n");
    let deploy = kudu.deploy("remove bravo");
    assert!(
        deploy
            .log
            .contains("could not uninstall bravo charlie: rebuilding the environment once"),
        "{}",
        deploy.log
    );
    assert!(!planted.exists(), "the fallback is a rebuild");
    assert_eq!(names(&kudu.packages()), ["alpha"]);
    assert_eq!(deploy.log.matches("Creating python-").count(), 1, "once");
    assert_like_fresh(&kudu, "alpha\n");
}

#[test]
fn what_is_still_left_after_the_prune_falls_back_to_one_rebuild() {
    let kudu = deployed_site(&[]);
    let planted = kudu.plant();
    // delta lives outside the env, on its sys.path through a .pth: pip says
    // "Not uninstalling delta ..., outside environment" and succeeds.
    let outside = kudu.root.join("outside");
    fs::create_dir_all(outside.join("delta-1.0.dist-info")).expect("mkdir");
    fs::create_dir_all(outside.join("delta")).expect("mkdir");
    fs::write(outside.join("delta/__init__.py"), "").expect("write");
    fs::write(
        outside.join("delta-1.0.dist-info/METADATA"),
        "Metadata-Version: 2.1\nName: delta\nVersion: 1.0\n",
    )
    .expect("write");
    fs::write(outside.join("delta-1.0.dist-info/RECORD"), "").expect("write");
    let site = site_packages(&kudu.env_dir());
    fs::write(site.join("outside.pth"), format!("{}\n", outside.display())).expect("write");
    kudu.write("app.py", "print('v2')\n");
    let deploy = kudu.deploy("a code change");
    assert!(
        deploy.log.contains("uninstalling delta==1.0"),
        "{}",
        deploy.log
    );
    assert!(
        deploy
            .log
            .contains("still left over after uninstalling: delta: rebuilding the environment once"),
        "{}",
        deploy.log
    );
    assert!(!planted.exists());
    assert!(outside.join("delta/__init__.py").exists(), "never touched");
    assert_like_fresh(&kudu, "alpha\nbravo\n");
}

#[test]
fn what_the_checker_cannot_judge_is_rebuilt_once_unless_warn() {
    let mut kudu = deployed_site(&[]);
    // A .dist-info left without METADATA by an interrupted install.
    let broken = site_packages(&kudu.env_dir()).join("broken-1.0.dist-info");
    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "warn");
    fs::create_dir_all(&broken).expect("mkdir");
    let planted = kudu.plant();
    kudu.write("app.py", "print('v2')\n");
    let deploy = kudu.deploy("warn");
    assert!(
        deploy.log.contains("cannot judge this environment"),
        "{}",
        deploy.log
    );
    assert!(deploy.log.contains("nothing changed"), "{}", deploy.log);
    assert!(broken.exists() && planted.exists());

    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "prune");
    kudu.write("app.py", "print('v3')\n");
    let deploy = kudu.deploy("prune");
    assert!(
        deploy.log.contains(
            "the leftovers check cannot judge this environment (see above): rebuilding the environment once"
        ),
        "{}",
        deploy.log
    );
    assert!(!planted.exists() && !broken.exists());
    assert_like_fresh(&kudu, "alpha\nbravo\n");
}

#[test]
fn warn_and_rebuild_keep_their_meaning_and_an_unknown_policy_rebuilds() {
    let mut kudu = deployed_site(&["delta==1.0"]);
    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "warn");
    let planted = kudu.plant();
    kudu.write("requirements.txt", "alpha\n");
    let deploy = kudu.deploy("warn");
    assert!(
        deploy.log.contains(
            "left over from earlier deployments: bravo charlie (ENVGUARD_ON_LEFTOVERS=warn: nothing removed)"
        ),
        "{}",
        deploy.log
    );
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo", "charlie"]);
    assert!(planted.exists());
    // Reported again: a deployment that left something is never recorded
    // as one whose check can be skipped.
    let again = kudu.deploy("warn again");
    assert!(!again.log.contains(CHECK_SKIPPED), "{}", again.log);
    assert!(
        again.log.contains("ENVGUARD_ON_LEFTOVERS=warn"),
        "{}",
        again.log
    );

    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "rebuild");
    let deploy = kudu.deploy("rebuild");
    assert!(
        deploy.log.contains(
            "left over from earlier deployments: bravo charlie; no marker scheduled this (was the hook bypassed?); `envguard doctor` in a clone says whether envguard still runs on push there (a hook manager installed after it may have taken pre-push over) and prints the one command that fixes it: rebuilding the environment once"
        ),
        "{}",
        deploy.log
    );
    assert!(!planted.exists());
    assert_eq!(names(&kudu.packages()), ["alpha"]);

    // An unknown value is the safest: a rebuild.
    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "yes");
    let planted = kudu.plant();
    kudu.write("requirements.txt", "alpha\ndelta\n");
    kudu.deploy("add delta");
    kudu.write("requirements.txt", "alpha\n");
    let deploy = kudu.deploy("an unknown policy");
    assert!(
        deploy
            .log
            .contains("ENVGUARD_ON_LEFTOVERS=yes is not prune, rebuild or warn: acting as rebuild"),
        "{}",
        deploy.log
    );
    assert!(deploy.log.contains(REBUILT_ONCE), "{}", deploy.log);
    assert!(!planted.exists());
    assert_eq!(names(&kudu.packages()), ["alpha"]);
}

/// A package PRE_BUILD_COMMAND installs is not in the requirements: only a
/// fresh build can tell it from a leftover, so it is rebuilt for once, then
/// kept, and the deployments after skip pip and the check again.
#[test]
fn what_a_build_command_installs_is_rebuilt_for_once_then_kept() {
    let mut kudu = deployed_site(&["delta==1.0"]);
    kudu.app_setting("PRE_BUILD_COMMAND", "pip install -q delta");
    let planted = kudu.plant();
    let deploy = kudu.deploy("PRE_BUILD_COMMAND installs delta");
    assert!(
        deploy
            .log
            .contains("PRE_BUILD_COMMAND or POST_BUILD_COMMAND may have installed them, and only a fresh build tells: rebuilding the environment once"),
        "{}",
        deploy.log
    );
    assert!(
        deploy.log.contains("never pruned or rebuilt for: delta"),
        "{}",
        deploy.log
    );
    assert!(!planted.exists());
    assert_eq!(
        names(&kudu.packages()),
        ["alpha", "bravo", "charlie", "delta"]
    );
    kudu.write("app.py", "print('v2')\n");
    let next = kudu.deploy("the same again");
    assert!(next.log.contains(PIP_SKIPPED), "{}", next.log);
    assert!(next.log.contains(CHECK_SKIPPED), "{}", next.log);
    assert_eq!(
        names(&kudu.packages()),
        ["alpha", "bravo", "charlie", "delta"]
    );
}

/// Pushes a code change and says whether pip was skipped; when it was not,
/// the log must name `changed` as the reason.
fn redeploy(kudu: &Kudu, what: &str, changed: Option<&str>) -> String {
    let n = kudu.root.join("n");
    let count: u32 = fs::read_to_string(&n)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
        + 1;
    fs::write(&n, count.to_string()).expect("write");
    kudu.write("app.py", format!("print({count})\n"));
    let deploy = kudu.deploy(what);
    match changed {
        None => {
            assert!(deploy.log.contains(PIP_SKIPPED), "{what}:\n{}", deploy.log);
            assert!(
                deploy.log.contains(CHECK_SKIPPED),
                "{what}:\n{}",
                deploy.log
            );
        }
        Some(reason) => {
            assert!(!deploy.log.contains(PIP_SKIPPED), "{what}:\n{}", deploy.log);
            assert!(
                !deploy.log.contains(CHECK_SKIPPED),
                "{what}:\n{}",
                deploy.log
            );
            let said = format!("since the last deployment, {reason} changed");
            assert!(
                deploy.log.contains(&said),
                "{what}: {said}:\n{}",
                deploy.log
            );
        }
    }
    deploy.log
}

/// The unchanged deployment skips pip and the check, and every kind of
/// change that can change pip's outcome or the check's verdict runs both.
#[test]
fn an_unchanged_deployment_skips_pip_and_the_check_only_when_provably_safe() {
    let mut kudu = Kudu::with_wheels(&["alpha==1.0", "bravo==1.0", "charlie==1.0", "delta==1.0"]);
    kudu.app_setting("ENVGUARD_UV", "off");
    kudu.app_setting("SPEC", ">=1.0");
    kudu.write("requirements.txt", "alpha${SPEC}\n-r more.txt\n");
    kudu.write("more.txt", "bravo\n");
    let first = kudu.deploy("first deployment");
    assert!(!first.log.contains(PIP_SKIPPED), "{}", first.log);
    redeploy(&kudu, "nothing changed", None);

    // Installed by hand (SSH): pip and the check run, and the check prunes it.
    let out = Command::new(kudu.env_dir().join("bin/python"))
        .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
        .arg(&kudu.wheelhouse)
        .arg("delta")
        .current_dir(&kudu.root)
        .output()
        .expect("run pip");
    assert_success("pip install delta", &out);
    let log = redeploy(
        &kudu,
        "delta installed by hand",
        Some("the installed distributions"),
    );
    assert!(log.contains("uninstalling delta==1.0"), "{log}");
    redeploy(&kudu, "nothing changed", None);

    kudu.write("more.txt", "bravo\ncharlie\n");
    let more = kudu.wwwroot.join("more.txt");
    redeploy(
        &kudu,
        "an include changed",
        Some(&format!("{}", more.display())),
    );
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo", "charlie"]);
    redeploy(&kudu, "nothing changed", None);

    kudu.write(
        "requirements.txt",
        "alpha${SPEC}\n-r more.txt\n# a comment\n",
    );
    let top = kudu.wwwroot.join("requirements.txt");
    redeploy(&kudu, "a comment", Some(&format!("{}", top.display())));

    kudu.app_setting("SPEC", "==1.0");
    redeploy(&kudu, "${SPEC} changed", Some("${SPEC}"));

    kudu.app_setting("PIP_RETRIES", "3");
    redeploy(&kudu, "a PIP_ variable", Some("PIP_RETRIES"));

    kudu.app_setting("ENVGUARD_KEEP", "delta");
    redeploy(&kudu, "the keep list", Some("ENVGUARD_KEEP"));
    redeploy(&kudu, "nothing changed", None);

    kudu.write("envguard.toml", "keep = [\"charlie\"]\n");
    redeploy(&kudu, "envguard.toml's keep", Some("envguard.toml"));

    // An ENVGUARD_UV that says nothing usable is pip, said so: the same
    // installer as before, so nothing to install.
    kudu.app_setting("ENVGUARD_UV", "uv-please");
    let log = redeploy(&kudu, "an unknown ENVGUARD_UV", None);
    assert!(
        log.contains("ENVGUARD_UV must be auto, off, install or the absolute path of uv, not 'uv-please': installing with pip"),
        "{log}"
    );

    // A pip told to upgrade consults the index even for what is installed.
    kudu.app_setting("PIP_UPGRADE", "1");
    let log = redeploy(&kudu, "PIP_UPGRADE", Some("PIP_UPGRADE"));
    assert!(
        log.contains("the next deployment installs again (PIP_UPGRADE is set)"),
        "{log}"
    );
    let deploy = kudu.deploy("PIP_UPGRADE still set");
    assert!(!deploy.log.contains(PIP_SKIPPED), "{}", deploy.log);
}

/// The record's digests cover a file's bytes, not where a link at its path
/// leads: an include swapped for a link out of the app, to a file with the
/// very same bytes, changes no line of the record. The files pip would read
/// are judged before every install and before every skip, so the deployment
/// fails before anything reads it.
#[test]
fn a_skip_still_judges_the_files_pip_would_read() {
    let mut kudu = Kudu::with_wheels(&["alpha==1.0"]);
    kudu.app_setting("ENVGUARD_UV", "off");
    kudu.write("requirements.txt", "-r base.txt\n");
    kudu.write("base.txt", "alpha\n");
    kudu.deploy("first deployment");
    redeploy(&kudu, "nothing changed", None);
    let outside = kudu.root.join("outside/base.txt");
    fs::create_dir_all(outside.parent().expect("parent")).expect("mkdir");
    fs::write(&outside, "alpha\n").expect("write");
    fs::remove_file(kudu.work.join("base.txt")).expect("rm");
    symlink(&outside, kudu.work.join("base.txt")).expect("symlink");
    let planted = kudu.plant();
    let deploy = kudu.push("an include that leads out, with the same bytes");
    assert!(!deploy.success, "{}", deploy.log);
    assert!(
        deploy
            .log
            .contains("requirements.txt:1: includes base.txt, which is"),
        "{}",
        deploy.log
    );
    assert!(!deploy.log.contains(PIP_SKIPPED), "{}", deploy.log);
    assert!(planted.exists(), "nothing installed, nothing rebuilt");
}

/// The leftovers check keeps what envguard.toml's `keep` names: the
/// repository root's envguard.toml, the file the hook reads; one in the app
/// folder (PROJECT) is the app's own file.
#[test]
fn only_the_repository_roots_envguard_toml_keeps() {
    let mut kudu = Kudu::with_wheels(&["alpha==1.0", "bravo==1.0"]);
    kudu.app_setting("ENVGUARD_UV", "off");
    kudu.write(
        ".deployment",
        "[config]\ncommand = bash deploy.sh\nproject = app\n",
    );
    kudu.write("app/requirements.txt", "alpha\nbravo\n");
    kudu.deploy("first deployment");
    kudu.write("app/envguard.toml", "keep = [\"bravo\"]\n");
    kudu.write("app/requirements.txt", "alpha\n");
    let deploy = kudu.deploy("bravo removed, kept by the app folder's file");
    assert!(
        deploy.log.contains("uninstalling bravo==1.0"),
        "{}",
        deploy.log
    );
    assert_eq!(names(&kudu.packages()), ["alpha"]);

    kudu.write("app/requirements.txt", "alpha\nbravo\n");
    kudu.deploy("bravo back");
    kudu.write("envguard.toml", "keep = [\"bravo\"]\n");
    kudu.write("app/requirements.txt", "alpha\n");
    let deploy = kudu.deploy("bravo removed, kept by the root's file");
    assert!(!deploy.log.contains("uninstalling"), "{}", deploy.log);
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo"]);
}

/// pip reinstalls a project from a path every time (its resolver.py), so
/// its outcome depends on the project's files: never skipped.
#[test]
fn a_project_installed_from_a_path_is_installed_every_time() {
    let mut kudu = Kudu::new();
    kudu.app_setting("ENVGUARD_UV", "off");
    kudu.write(
        "pkg/pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
    );
    for (name, source) in [("backend.py", BACKEND), ("make_wheels.py", MAKE_WHEELS)] {
        fs::copy(source, kudu.work.join("pkg").join(name)).expect("copy the backend");
    }
    let project = |requires: &str| {
        format!("{{\"name\": \"my-pkg\", \"version\": \"1.0\", \"requires\": [\"{requires}\"]}}")
    };
    kudu.write("pkg/project.json", project("alpha"));
    kudu.write("requirements.txt", "./pkg\n");
    let first = kudu.deploy("first deployment");
    assert!(
        first.log.contains(
            "the next deployment installs again (the requirements install a project from a path or URL"
        ),
        "{}",
        first.log
    );
    kudu.write("pkg/project.json", project("bravo"));
    let second = kudu.deploy("the project needs bravo now");
    assert!(!second.log.contains(PIP_SKIPPED), "{}", second.log);
    assert_eq!(names(&kudu.packages()), ["bravo", "my-pkg"]);
}

/// An app whose own modules have standard-library names: pip, venv, the
/// checker (and uv's Python parts) must not import them.
fn shadowing_app(kudu: &Kudu) {
    for name in [
        "token.py",
        "queue.py",
        "json.py",
        "re.py",
        "email/__init__.py",
    ] {
        kudu.write(
            name,
            format!("raise SystemExit('the app\\'s {name} was imported')\n"),
        );
    }
    // A relative requirement still resolves from the app folder, as pip does.
    kudu.write(
        "pkg/pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
    );
    for (name, source) in [("backend.py", BACKEND), ("make_wheels.py", MAKE_WHEELS)] {
        fs::copy(source, kudu.work.join("pkg").join(name)).expect("copy the backend");
    }
    kudu.write(
        "pkg/project.json",
        "{\"name\": \"my-pkg\", \"version\": \"1.0\", \"requires\": [\"charlie\"]}",
    );
}

fn deploys_despite_shadowing(kudu: &Kudu) {
    shadowing_app(kudu);
    kudu.write("requirements.txt", "alpha\nbravo\n./pkg\n");
    let first = kudu.deploy("an app with token.py, queue.py, json.py, re.py, email/");
    assert!(!first.log.contains("was imported"), "{}", first.log);
    assert_eq!(
        names(&kudu.packages()),
        ["alpha", "bravo", "charlie", "my-pkg"]
    );
    kudu.write("requirements.txt", "alpha\n./pkg\n");
    let prune = kudu.deploy("remove bravo");
    assert!(
        prune.log.contains("uninstalling bravo==1.0"),
        "{}",
        prune.log
    );
    kudu.marker(format!("{}\n", token(4)));
    let marker = kudu.deploy("a marker");
    assert!(!marker.log.contains("was imported"), "{}", marker.log);
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie", "my-pkg"]);
}

#[test]
fn an_app_shadowing_the_standard_library_deploys_with_pip() {
    let mut kudu = Kudu::new();
    kudu.app_setting("ENVGUARD_UV", "off");
    deploys_despite_shadowing(&kudu);
}

#[test]
fn an_app_shadowing_the_standard_library_deploys_with_uv() {
    let Some(uv) = uv() else { return };
    let mut kudu = Kudu::new();
    kudu.app_setting("ENVGUARD_UV", &uv.binary.display().to_string());
    deploys_despite_shadowing(&kudu);
}

/// The same requirements and wheels give the same `pip freeze --all` with
/// uv as with pip: fresh, after a prune, and after a marker (a fresh env
/// that takes the bytecode of files it shares with the old one).
#[test]
fn uv_installs_what_pip_installs() {
    let Some(uv) = uv() else { return };
    let specs = [
        "alpha==1.0",
        "bravo==1.0;charlie",
        "bravo==2.0",
        "charlie==1.0",
        "pysocks==1.7",
    ];
    let extras: &[(&str, &str, &[&str], &[&str])] = &[(
        "requests",
        "2.0",
        &["pysocks; extra == \"socks\"", "alpha"],
        &["socks"],
    )];
    let mut with_uv = Kudu::with_wheels(&specs);
    let mut with_pip = Kudu::with_wheels(&specs);
    add_wheels(&with_uv, extras);
    add_wheels(&with_pip, extras);
    with_uv.app_setting("ENVGUARD_UV", &uv.binary.display().to_string());
    with_pip.app_setting("ENVGUARD_UV", "off");
    let steps = [
        ("first deployment", "requests[socks]\nbravo==1.0\n"),
        ("drop an extra, upgrade bravo", "requests\nbravo==2.0\n"),
    ];
    for (what, requirements) in steps {
        let mut logs = Vec::new();
        for kudu in [&with_uv, &with_pip] {
            kudu.write("requirements.txt", requirements);
            logs.push(kudu.deploy(what).log);
        }
        assert!(
            logs[0].contains(&format!("installing with uv {UV_VERSION}")),
            "{}",
            logs[0]
        );
        assert!(logs[1].contains("installing with pip"), "{}", logs[1]);
        assert_eq!(
            freeze(&with_uv.env_dir()),
            freeze(&with_pip.env_dir()),
            "{what}"
        );
    }
    assert_like_fresh(&with_pip, "requests\nbravo==2.0\n");

    let unchanged = with_uv.deploy("nothing changed");
    assert!(unchanged.log.contains(PIP_SKIPPED), "{}", unchanged.log);

    // A marker: a fresh env; the source files uv links from its cache are
    // the old env's, and so is their bytecode.
    let site = site_packages(&with_uv.env_dir());
    let pyc = site.join("alpha/__pycache__");
    let inodes = |dir: &Path| -> Vec<u64> {
        fs::read_dir(dir)
            .expect("alpha is compiled")
            .flatten()
            .map(|e| e.metadata().expect("stat").ino())
            .collect()
    };
    let before = inodes(&pyc);
    assert_eq!(before.len(), 1);
    with_uv.marker(format!("{}\n", token(2)));
    with_uv.deploy("a marker");
    assert_eq!(freeze(&with_uv.env_dir()), freeze(&with_pip.env_dir()));
    // The very .pyc of the old env (the old env is gone, its inode is not).
    let after = inodes(&site_packages(&with_uv.env_dir()).join("alpha/__pycache__"));
    assert_eq!(
        after, before,
        "the bytecode is carried over, not compiled again"
    );

    // ENVGUARD_UV=install: from the package index (here the site's
    // wheelhouse, through PIP_FIND_LINKS), into the state folder, once.
    let mut installs = Kudu::with_wheels(&["alpha==1.0"]);
    for wheel in fs::read_dir(&uv.wheels).expect("uv's wheel").flatten() {
        fs::copy(wheel.path(), installs.wheelhouse.join(wheel.file_name())).expect("copy");
    }
    installs.app_setting("ENVGUARD_UV", "install");
    installs.write("requirements.txt", "alpha\n");
    let first = installs.deploy("ENVGUARD_UV=install");
    let state = installs.wwwroot.join(".envguard");
    let said = format!(
        "envguard: ENVGUARD_UV=install: installing uv from the package index into {}/uv",
        state.display()
    );
    assert!(first.log.contains(&said), "{}", first.log);
    assert!(first.log.contains("installing with uv"), "{}", first.log);
    assert!(state.join("uv/bin/uv").is_file() && state.join("uv-cache").is_dir());
    installs.write("requirements.txt", "alpha\n# again\n");
    let second = installs.deploy("ENVGUARD_UV=install again");
    assert!(!second.log.contains(&said), "once: {}", second.log);
    assert!(second.log.contains("installing with uv"), "{}", second.log);
}

/// A removal on a uv site: what is left is installed, so uv would change
/// nothing and does not run; with a uv setting that may make it reinstall,
/// it runs, and the prune is the same either way.
#[test]
fn a_removal_on_a_uv_site_skips_uv_unless_told_otherwise() {
    let Some(uv) = uv() else { return };
    for (setting, skipped) in [(None, true), (Some(("UV_REINSTALL", "1")), false)] {
        let mut kudu = Kudu::with_wheels(&["alpha==1.0", "bravo==1.0;charlie", "charlie==1.0"]);
        kudu.app_setting("ENVGUARD_UV", &uv.binary.display().to_string());
        if let Some((name, value)) = setting {
            kudu.app_setting(name, value);
        }
        kudu.write("requirements.txt", "alpha\nbravo\n");
        kudu.deploy("first deployment");
        kudu.write("requirements.txt", "alpha\n");
        let log = kudu.deploy("a removal the hook did not see").log;
        assert!(
            log.contains("uninstalling bravo==1.0 charlie==1.0"),
            "{log}"
        );
        // uv writes files of its own into .dist-info: pip's freeze compares.
        assert_eq!(freeze(&kudu.env_dir()), fresh(&kudu, "alpha\n").0);
        assert!(
            log.contains(&format!("installing with uv {UV_VERSION}")),
            "{log}"
        );
        assert_eq!(
            log.contains("uv would install nothing, so it does not run"),
            skipped,
            "{setting:?}:\n{log}"
        );
    }
}

/// What `--files --inputs` lists: each file pip's parser read, each ${NAME}
/// in them, each requirement pip installs from a path or URL; and the checker
/// run as `python envguard_check.py` beside an app's json.py and re.py.
#[test]
fn the_checker_lists_what_pip_read() {
    let mut kudu = Kudu::new();
    kudu.app_setting("ENVGUARD_UV", "off");
    kudu.write("requirements.txt", "alpha\n");
    kudu.deploy("first deployment");
    let dir = kudu.root.join("inputs");
    fs::create_dir_all(dir.join("req")).expect("mkdir");
    fs::copy(CHECKER, dir.join("envguard_check.py")).expect("copy the checker");
    for name in ["json.py", "re.py"] {
        fs::write(dir.join(name), "raise SystemExit('shadowed')\n").expect("write");
    }
    fs::write(
        dir.join("requirements.txt"),
        "-r req/more.txt\nalpha${NAME_SUFFIX}\n",
    )
    .expect("write");
    fs::write(dir.join("req/more.txt"), "-c cons.txt\n./local-project\n").expect("write");
    fs::write(dir.join("req/cons.txt"), "alpha<2\n").expect("write");
    fs::create_dir_all(dir.join("local-project")).expect("mkdir");
    fs::write(dir.join("local-project/pyproject.toml"), "").expect("write");
    let out = Command::new(kudu.env_dir().join("bin/python"))
        .args([
            "envguard_check.py",
            "--files",
            "-r",
            "requirements.txt",
            "--root",
            ".",
            "--inputs",
            "inputs.txt",
        ])
        .current_dir(&dir)
        .env("NAME_SUFFIX", ">=1")
        .output()
        .expect("run the checker");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("shadowed"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "requirements.txt\nreq/more.txt\nreq/cons.txt\n"
    );
    let listed = fs::read_to_string(dir.join("inputs.txt")).expect("--inputs was written");
    let lines: Vec<&str> = listed.lines().collect();
    let d = dir.display();
    assert_eq!(
        lines[..4],
        [
            format!("file {d}/requirements.txt"),
            "ref NAME_SUFFIX".to_string(),
            format!("file {d}/req/more.txt"),
            format!("file {d}/req/cons.txt"),
        ],
        "{listed}{stderr}"
    );
    assert_eq!(lines.len(), 5, "{listed}");
    let link = format!("link file://{d}/local-project");
    assert!(lines[4].starts_with(&link), "{listed}");
}
