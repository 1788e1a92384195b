//! `hooks/deploy.sh` on a simulated Linux App Service site: KuduLite runs it
//! in the Kudu container, the app container starts the site as Oryx's startup
//! script does, and each test asks the running app what it can import (see
//! `linux_site`). Real git, real venvs, real pip with wheels built here.
//!
//! Pushes are plain `git push` (the hook is tested elsewhere): a test that
//! wants a marker writes `.envguard/force-clean` itself, as the hook would
//! commit it; one without plays a push made with `--no-verify`.

mod kudu;
mod linux_site;

use std::fs;
use std::os::unix::fs::symlink;

use kudu::{find_named, fixture, token};
use linux_site::{quoted, LinuxSite};

const MARKER_REBUILD: &str = "is new: deleting the virtual environment";
const BYPASSED: &str = "no marker scheduled this (was the hook bypassed?)";
const PRUNED_BRAVO: &str = "uninstalling bravo==1.0 (ENVGUARD_ON_LEFTOVERS=prune)";

fn creations(log: &str) -> usize {
    log.matches("Creating python-").count()
}

#[test]
fn first_deploy_over_an_oryx_build_then_add_then_remove_with_a_marker() {
    let site = LinuxSite::new();
    let kudu = &site.kudu;
    site.plant_oryx_build(&["bravo", "charlie"]);
    assert_eq!(site.importable(), ["bravo", "charlie"], "Oryx's build runs");

    kudu.write("app.py", "print('hello')\n");
    kudu.write("requirements.txt", "alpha\ncharlie\n");
    let first = kudu.deploy("first deployment with deploy.sh");
    assert_eq!(
        site.importable(),
        ["alpha", "charlie"],
        "the runtime must start deploy.sh's env, not Oryx's tarball:\n{}",
        first.log
    );
    for gone in ["oryx-manifest.toml", "output.tar.gz"] {
        assert!(!kudu.wwwroot.join(gone).exists(), "{gone} must go");
    }
    assert!(
        first.log.contains(&format!("Python {}", site.xy)),
        "{}",
        first.log
    );
    let env = kudu.env_dir();
    assert!(env
        .join(format!("lib/python{}/site-packages", site.xy))
        .is_dir());
    assert!(env
        .join(format!("azure.env.python-{}.txt", site.xy))
        .is_file());
    // --copies: nothing in the env points back at the Kudu container's Python.
    assert!(!fs::symlink_metadata(env.join("bin/python"))
        .unwrap()
        .is_symlink());

    let planted = kudu.plant();
    kudu.write("requirements.txt", "alpha\nbravo\ncharlie\n");
    let add = kudu.deploy("add bravo");
    assert_eq!(site.importable(), ["alpha", "bravo", "charlie"]);
    assert!(
        planted.exists(),
        "adding a package reuses the env:\n{}",
        add.log
    );
    assert_eq!(creations(&add.log), 0, "{}", add.log);

    kudu.write("requirements.txt", "alpha\ncharlie\n");
    kudu.marker(format!("{}\n", token(1)));
    let remove = kudu.deploy("remove bravo, with a marker");
    assert_eq!(site.importable(), ["alpha", "charlie"], "{}", remove.log);
    assert!(!planted.exists());
    assert!(remove.log.contains(MARKER_REBUILD), "{}", remove.log);
    assert_eq!(creations(&remove.log), 1, "{}", remove.log);
    assert!(!remove.log.contains(BYPASSED), "{}", remove.log);
    assert_eq!(kudu.env_token(), Some(token(1)));

    // Steady state: the same requirements again reuse the env.
    let planted = kudu.plant();
    kudu.write("app.py", "print('v2')\n");
    let again = kudu.deploy("code only");
    assert!(planted.exists(), "{}", again.log);
    assert_eq!(creations(&again.log), 0, "{}", again.log);
    // Nothing of the rebuilds is left beside the env.
    assert_eq!(
        find_named(&kudu.wwwroot, "envguard-new"),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(
        find_named(&kudu.wwwroot, "envguard-old"),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn a_removal_pushed_without_the_hook_is_pruned_and_then_never_again() {
    let site = LinuxSite::new();
    let kudu = &site.kudu;
    kudu.write("requirements.txt", "alpha\nbravo\n");
    kudu.deploy("first deployment");
    let planted = kudu.plant();

    // git push --no-verify: no marker comes with the removal; the default
    // ENVGUARD_ON_LEFTOVERS=prune uninstalls it in place.
    kudu.write("requirements.txt", "alpha\n");
    let bypass = kudu.deploy("remove bravo, no marker");
    assert_eq!(site.importable(), ["alpha"], "{}", bypass.log);
    assert!(planted.exists(), "pruned in place:\n{}", bypass.log);
    assert!(bypass.log.contains(PRUNED_BRAVO), "{}", bypass.log);
    assert_eq!(creations(&bypass.log), 0, "no rebuild:\n{}", bypass.log);

    let steady = kudu.deploy("nothing changed");
    assert!(planted.exists(), "{}", steady.log);
    assert!(!steady.log.contains("uninstalling"), "{}", steady.log);
    assert!(steady.log.contains("pip skipped"), "{}", steady.log);

    // warn only reports.
    let mut kudu = site.kudu;
    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "warn");
    kudu.write("requirements.txt", "alpha\ncharlie\n");
    kudu.deploy("add charlie");
    kudu.write("requirements.txt", "alpha\n");
    let warned = kudu.deploy("remove charlie, no marker, warn");
    assert!(planted.exists(), "warn never rebuilds:\n{}", warned.log);
    assert!(warned.log.contains("charlie"), "{}", warned.log);
    assert!(
        warned.log.contains("ENVGUARD_ON_LEFTOVERS=warn"),
        "{}",
        warned.log
    );

    // Anything else is no policy: refused by name, and a rebuild it is.
    kudu.app_setting("ENVGUARD_ON_LEFTOVERS", "ignore");
    let refused = kudu.deploy("leftovers, unknown policy");
    assert!(
        refused.log.contains("ENVGUARD_ON_LEFTOVERS=ignore"),
        "{}",
        refused.log
    );
    assert!(refused.log.contains(BYPASSED), "{}", refused.log);
    assert!(!planted.exists(), "fail closed: rebuild\n{}", refused.log);
    assert_eq!(creations(&refused.log), 1, "one rebuild:\n{}", refused.log);
}

#[test]
fn an_upgrade_that_orphans_a_dependency_is_cleaned() {
    let site = LinuxSite::new();
    let kudu = &site.kudu;
    kudu.write("requirements.txt", "alpha\ndelta==1.0\n");
    kudu.deploy("delta 1.0 needs echo");
    assert_eq!(site.importable(), ["alpha", "delta", "echo"]);

    // Every top-level name is still listed: no hook would see a removal.
    kudu.write("requirements.txt", "alpha\ndelta==2.0\n");
    let upgrade = kudu.deploy("delta 2.0 does not");
    let imports = site.imports();
    assert_eq!(imports.get("delta").map(String::as_str), Some("2.0"));
    assert!(!imports.contains_key("echo"), "{}", upgrade.log);
    assert!(
        upgrade.log.contains("uninstalling echo==1.0"),
        "{}",
        upgrade.log
    );
}

/// Every path deploy.sh may take to the env (pip skipped, a prune, a marker's
/// fresh env; with uv when it can be had) starts the app with exactly the
/// requirements importable.
#[test]
fn skipped_pruned_and_fresh_envs_start_with_exactly_the_requirements() {
    let mut site = LinuxSite::new();
    if let Some(uv) = kudu::uv() {
        site.kudu
            .app_setting("ENVGUARD_UV", &uv.binary.display().to_string());
    }
    let kudu = &site.kudu;
    kudu.write("requirements.txt", "alpha\nbravo\ndelta==1.0\n");
    kudu.deploy("first deployment");
    assert_eq!(site.importable(), ["alpha", "bravo", "delta", "echo"]);

    kudu.write("app.py", "print('v2')\n");
    let same = kudu.deploy("code only");
    assert!(same.log.contains("pip skipped"), "{}", same.log);
    assert_eq!(site.importable(), ["alpha", "bravo", "delta", "echo"]);

    kudu.write("requirements.txt", "alpha\ndelta==2.0\n");
    let prune = kudu.deploy("remove bravo, delta 2.0 drops echo");
    assert!(
        prune.log.contains("uninstalling bravo==1.0 echo==1.0"),
        "{}",
        prune.log
    );
    assert_eq!(site.importable(), ["alpha", "delta"], "{}", prune.log);

    kudu.marker(format!("{}\n", token(5)));
    let marker = kudu.deploy("a marker");
    assert_eq!(creations(&marker.log), 1, "{}", marker.log);
    assert_eq!(site.importable(), ["alpha", "delta"], "{}", marker.log);
}

#[test]
fn packages_installed_on_purpose_are_reported_and_never_rebuilt_for() {
    let mut site = LinuxSite::new();
    let kudu = &mut site.kudu;
    // PRE_BUILD_COMMAND runs with the env's pip first on PATH.
    kudu.app_setting("PRE_BUILD_COMMAND", "pip install -q extra kept");
    kudu.app_setting("ENVGUARD_KEEP", "Kept");
    kudu.write("requirements.txt", "alpha\n");
    let first = kudu.deploy("first deployment");
    assert_eq!(site.importable(), ["alpha", "extra", "kept"]);
    let kudu = &site.kudu;
    assert!(first.log.contains("extra"), "{}", first.log);
    assert_eq!(
        creations(&first.log),
        1,
        "a fresh env is never rebuilt:\n{}",
        first.log
    );
    assert_eq!(
        fs::read_to_string(kudu.env_dir().join(".envguard-leftovers")).unwrap(),
        "extra\n"
    );

    let planted = kudu.plant();
    for round in ["second", "third"] {
        let next = kudu.deploy(round);
        assert!(planted.exists(), "{round}: no rebuild loop:\n{}", next.log);
        assert!(
            next.log.contains("extra"),
            "{round}: still reported:\n{}",
            next.log
        );
        assert!(!next.log.contains(BYPASSED), "{}", next.log);
    }
}

#[test]
fn a_marker_and_leftovers_in_one_deployment_rebuild_once() {
    let mut site = LinuxSite::new();
    site.kudu
        .write("requirements.txt", "alpha\nbravo\ndelta==1.0\n");
    site.kudu.deploy("first deployment");
    // This push removes bravo (marker), orphans echo and brings a pre-build
    // step that installs a package of its own.
    site.kudu
        .app_setting("PRE_BUILD_COMMAND", "pip install -q extra");
    let kudu = &site.kudu;
    kudu.write("requirements.txt", "alpha\ndelta==2.0\n");
    kudu.marker(format!("{}\n", token(2)));
    let both = kudu.deploy("marker and leftovers");
    assert_eq!(creations(&both.log), 1, "{}", both.log);
    assert!(!both.log.contains(BYPASSED), "{}", both.log);
    assert_eq!(site.importable(), ["alpha", "delta", "extra"]);
}

#[test]
fn an_unavailable_python_fails_and_the_site_keeps_running_its_env() {
    let mut site = LinuxSite::new();
    site.kudu.write("app.py", "print('v1')\n");
    site.kudu.write("requirements.txt", "alpha\nbravo\n");
    site.kudu.deploy("first deployment");
    let planted = site.kudu.plant();

    // The portal now says Python 3.9, which this Kudu container lacks.
    site.kudu.app_setting("FRAMEWORK_VERSION", "3.9");
    site.kudu.write("app.py", "print('v2')\n");
    site.kudu.write("requirements.txt", "alpha\n");
    site.kudu.marker(format!("{}\n", token(3)));
    let failed = site.kudu.push("needs Python 3.9");
    assert!(!failed.success, "{}", failed.log);
    assert!(failed.log.contains("Python 3.9"), "{}", failed.log);
    assert!(
        failed.log.contains(&site.full),
        "names what exists:\n{}",
        failed.log
    );
    assert!(planted.exists(), "the env is left alone");
    assert_eq!(site.importable(), ["alpha", "bravo"], "the site still runs");
    assert_eq!(
        fs::read_to_string(site.kudu.wwwroot.join("app.py")).unwrap(),
        "print('v1')\n",
        "nothing is synced before the Python is known"
    );

    // runtime.txt asks for 3.9 too; the site's setting decides.
    site.kudu.app_setting("FRAMEWORK_VERSION", &site.xy.clone());
    site.kudu.write("runtime.txt", "python-3.9\n");
    let setting_wins = site.kudu.deploy("runtime.txt says 3.9, the site 3.11");
    assert!(setting_wins.log.contains("decides"), "{}", setting_wins.log);
    assert_eq!(site.importable(), ["alpha"]);

    // A PYTHON of another X.Y is never used under the site's label.
    let other = site.python_root.join("3.9.0/bin");
    fs::create_dir_all(&other).unwrap();
    symlink(site.python_bin.join("python3"), other.join("python3")).unwrap();
    site.kudu.app_setting("FRAMEWORK_VERSION", "3.9");
    let mislabelled = site.kudu.push("a 3.9 folder holding another Python");
    assert!(!mislabelled.success, "{}", mislabelled.log);
    assert!(
        mislabelled.log.contains(&format!("is Python {}", site.xy)),
        "{}",
        mislabelled.log
    );
    assert_eq!(site.importable(), ["alpha"]);
}

/// runtime.txt as the hook reads it (`tests/data/runtime_spellings.tsv`):
/// deploy.sh must ask for exactly the fixture's X.Y, or for none.
#[test]
fn every_runtime_spelling_of_the_fixture_asks_for_its_python() {
    let site = LinuxSite::new();

    // No Python under the root and none on PATH: the log then says what
    // deploy.sh asked for, and nothing is built.
    let empty_root = site.kudu.root.join("no-python");
    fs::create_dir_all(&empty_root).unwrap();
    let source = site.kudu.root.join("spelling");
    let mut cases = 0;
    for (runtime, name, bytes) in fixture(include_str!("data/runtime_spellings.tsv")) {
        let _ = fs::remove_dir_all(&source);
        fs::create_dir_all(&source).unwrap();
        fs::write(source.join("requirements.txt"), "alpha\n").unwrap();
        fs::write(source.join("runtime.txt"), bytes).unwrap();
        let (ok, log) = site.run_deploy_sh(
            &source,
            &[("ENVGUARD_PYTHON_ROOT", empty_root.to_str().unwrap())],
        );
        assert!(!ok, "{name}: no Python to be had\n{log}");
        match runtime.strip_prefix("python-") {
            Some(xy) => assert!(
                log.contains(&format!("Python {xy} (runtime.txt) is not available")),
                "{name}: asks for {xy}\n{log}"
            ),
            None => assert!(
                log.contains("no Python version set"),
                "{name}: asks for no version\n{log}"
            ),
        }
        assert!(!log.contains("pwned"), "{log}");
        cases += 1;
    }
    assert!(cases >= 20, "the fixture has its cases");
    assert_eq!(
        find_named(&site.kudu.root, "pwned"),
        Vec::<std::path::PathBuf>::new()
    );

    // And one that is found: the whole deployment on it.
    fs::write(
        source.join("runtime.txt"),
        format!("Python-{}.x\r\n", site.xy),
    )
    .unwrap();
    let (ok, log) = site.run_deploy_sh(&source, &[]);
    assert!(ok, "{log}");
    assert!(log.contains(&format!("for python-{}", site.xy)), "{log}");
}

#[test]
fn oryx_build_settings_work_as_in_an_oryx_build() {
    let mut site = LinuxSite::new();
    let kudu = &mut site.kudu;
    kudu.app_setting("CUSTOM_REQUIREMENTSTXT_PATH", "reqs/prod.txt");
    kudu.app_setting(
        "POST_BUILD_COMMAND",
        "python -c 'import alpha' && echo done > post-build.txt",
    );
    kudu.write("reqs/prod.txt", "alpha\nDjango\n");
    kudu.write("requirements.txt", "bravo\n");
    kudu.write(
        "manage.py",
        "import sys\nopen('collectstatic-args.txt', 'w').write(' '.join(sys.argv[1:]))\n",
    );
    kudu.deploy("custom requirements, Django, post-build");
    let www = kudu.wwwroot.clone();
    assert_eq!(site.importable(), ["alpha", "django"]);
    assert_eq!(
        fs::read_to_string(www.join("collectstatic-args.txt")).unwrap(),
        "collectstatic --noinput"
    );
    assert_eq!(
        fs::read_to_string(www.join("post-build.txt")).unwrap(),
        "done\n"
    );

    // A failing collectstatic is a warning, as in Oryx.
    let kudu = &mut site.kudu;
    kudu.write("manage.py", "raise SystemExit(1)\n");
    let failing = kudu.deploy("collectstatic fails");
    assert!(
        failing.log.contains("collectstatic failed"),
        "{}",
        failing.log
    );

    fs::remove_file(www.join("collectstatic-args.txt")).unwrap();
    kudu.write(
        "manage.py",
        "import sys\nopen('collectstatic-args.txt', 'w').write(' '.join(sys.argv[1:]))\n",
    );
    kudu.app_setting("DISABLE_COLLECTSTATIC", "TRUE");
    kudu.deploy("collectstatic disabled");
    assert!(!www.join("collectstatic-args.txt").exists());

    kudu.app_setting("DISABLE_COLLECTSTATIC", "maybe");
    let refused = kudu.push("not a boolean");
    assert!(!refused.success);
    assert!(
        refused.log.contains("DISABLE_COLLECTSTATIC"),
        "{}",
        refused.log
    );

    // No Django in the requirements: no collectstatic, manage.py or not.
    kudu.app_setting("DISABLE_COLLECTSTATIC", "false");
    kudu.write("reqs/prod.txt", "alpha\n");
    kudu.deploy("no Django");
    assert!(!www.join("collectstatic-args.txt").exists());

    kudu.app_setting("CUSTOM_REQUIREMENTSTXT_PATH", "reqs/missing.txt");
    let missing = kudu.push("a path that is not there");
    assert!(!missing.success);
    assert!(
        missing.log.contains("CUSTOM_REQUIREMENTSTXT_PATH"),
        "{}",
        missing.log
    );
}

#[test]
fn hostile_settings_are_refused_and_touch_nothing() {
    let mut site = LinuxSite::new();
    let outside = site.kudu.root.join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("precious.txt"), "not the site's").unwrap();
    fs::write(outside.join("requirements.txt"), "alpha\n").unwrap();
    site.kudu.write("app.py", "print('app')\n");
    site.kudu.write("requirements.txt", "alpha\n");
    site.kudu.deploy("first deployment");
    let planted = site.kudu.plant();
    symlink(&outside, site.kudu.work.join("escape")).unwrap();

    let cases: Vec<(&str, String)> = vec![
        ("VIRTUALENV_NAME", "*".into()),
        ("VIRTUALENV_NAME", "..".into()),
        ("VIRTUALENV_NAME", ".".into()),
        ("VIRTUALENV_NAME", "a/b".into()),
        ("VIRTUALENV_NAME", "-rf".into()),
        ("VIRTUALENV_NAME", "env name".into()),
        ("VIRTUALENV_NAME", "$(touch pwned)".into()),
        ("PROJECT", "..".into()),
        ("PROJECT", "../outside".into()),
        ("PROJECT", "sub/../..".into()),
        ("PROJECT", quoted(&outside).trim_matches('\'').to_string()),
        ("PROJECT", "escape".into()),
        (
            "CUSTOM_REQUIREMENTSTXT_PATH",
            "../outside/requirements.txt".into(),
        ),
        (
            "CUSTOM_REQUIREMENTSTXT_PATH",
            "escape/requirements.txt".into(),
        ),
    ];
    for (key, value) in cases {
        site.kudu.app_setting(key, &value);
        let deploy = site.kudu.push(&format!("{key}={value}"));
        assert!(
            !deploy.success,
            "{key}={value} must be refused:\n{}",
            deploy.log
        );
        assert!(
            deploy.log.contains(key),
            "{key}={value}: named\n{}",
            deploy.log
        );
        assert!(planted.exists(), "{key}={value}: the env stays");
        assert!(site.kudu.wwwroot.join("app.py").exists(), "{key}={value}");
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 2, "{key}={value}");
        site.kudu.app_setting(key, "");
    }
    assert_eq!(
        find_named(&site.kudu.root, "pwned"),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(site.importable(), ["alpha"]);
}

#[test]
fn oryx_benv_is_asked_when_the_root_has_no_such_python() {
    let site = LinuxSite::new();
    let empty_root = site.kudu.root.join("no-python");
    fs::create_dir_all(&empty_root).unwrap();
    // A stand-in for Oryx's /opt/oryx/benv: `source benv python=X.Y …` puts
    // that version's bin folder first on PATH.
    let benv = site.kudu.root.join("benv");
    fs::write(
        &benv,
        format!(
            "for arg; do [ \"$arg\" = python={} ] && PATH={}:$PATH; done\n",
            site.xy,
            quoted(&site.python_bin)
        ),
    )
    .unwrap();
    let source = site.kudu.root.join("app");
    fs::create_dir_all(&source).unwrap();
    fs::write(source.join("requirements.txt"), "alpha\n").unwrap();
    fs::write(source.join("runtime.txt"), format!("python-{}\n", site.xy)).unwrap();
    let (ok, log) = site.run_deploy_sh(
        &source,
        &[
            ("ENVGUARD_PYTHON_ROOT", empty_root.to_str().unwrap()),
            ("ENVGUARD_BENV", benv.to_str().unwrap()),
        ],
    );
    assert!(ok, "{log}");
    let python = site.python_bin.join("python3");
    assert!(
        log.contains(&format!("Using {} (Python {})", python.display(), site.xy)),
        "{log}"
    );
}
