//! `hooks/deploy.sh` on a simulated Linux App Service site: KuduLite runs it
//! in the Kudu container, the app container starts the site as Oryx's startup
//! script does, and each test asks the running app what it can import (see
//! `linux_site`). Real git, real venvs, real pip with wheels built here.
//!
//! Pushes are plain `git push` (the hook is tested elsewhere): a test that
//! wants a marker writes `.envguard/force-clean` itself, as the hook would
//! commit it; one without plays a push made with `--no-verify`.

use crate::kudu;
use crate::linux_site;

use std::fs;
use std::os::unix::fs::symlink;

use crate::common::tsv;
use kudu::{find_named, token};
use linux_site::{image_modules, quoted, LinuxSite, OryxBuild};

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
    site.plant_oryx_build(OryxBuild::CompressedOutput, &["bravo", "charlie"]);
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
    for (runtime, name, bytes) in tsv::RUNTIME_SPELLINGS.cases() {
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
    // The hook checks the file envguard.toml names; the setting must agree.
    kudu.write("envguard.toml", "requirements = \"reqs/prod.txt\"\n");
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
        ("VIRTUALENV_NAME", "oryx-manifest.toml".into()),
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

/// App Service's runtime starts the env the manifest's `virtualEnvName`
/// names, else the `-virtualEnvName antenv` init_container.sh passes (Oryx
/// scriptgenerator.go `getPackageSetupCommand`): deploy.sh names any other
/// env in a manifest of that one key, and drops the manifest for antenv.
#[test]
fn a_virtualenv_name_other_than_antenv_starts_with_its_packages() {
    let mut site = LinuxSite::new();
    let www = site.kudu.wwwroot.clone();
    site.plant_oryx_build(OryxBuild::CompressedOutput, &["bravo"]);
    // Links in wwwroot where the manifest goes (whoever put them there):
    // the script's manifest replaces a link, never writes through it. First
    // Oryx's own manifest, reached through a link out of the site.
    let outside = site.kudu.root.join("outside");
    fs::create_dir_all(outside.join("folder")).unwrap();
    fs::rename(
        www.join("oryx-manifest.toml"),
        outside.join("precious.toml"),
    )
    .unwrap();
    symlink(
        outside.join("precious.toml"),
        www.join("oryx-manifest.toml"),
    )
    .unwrap();
    let precious = fs::read_to_string(outside.join("precious.toml")).unwrap();
    let untouched = |step: &str| {
        assert_eq!(
            fs::read_to_string(outside.join("precious.toml")).unwrap(),
            precious,
            "{step}"
        );
        assert_eq!(
            fs::read_dir(outside.join("folder")).unwrap().count(),
            0,
            "{step}"
        );
    };
    let link_to_folder = || {
        fs::remove_file(www.join("oryx-manifest.toml")).unwrap();
        symlink(outside.join("folder"), www.join("oryx-manifest.toml")).unwrap();
    };
    assert_eq!(site.importable(), ["bravo"], "Oryx's build runs");

    // A repository's own oryx-manifest.toml would reach wwwroot with the
    // sync, before the env is built: refused before anything is synced.
    site.kudu.app_setting("VIRTUALENV_NAME", ".venv");
    site.kudu.write("app.py", "print('hello')\n");
    site.kudu.write("requirements.txt", "alpha\n");
    site.kudu
        .write("oryx-manifest.toml", "CompressDestinationDir=\"true\"\n");
    let refused = site.kudu.push("a repository with its own manifest");
    assert!(!refused.success, "{}", refused.log);
    assert!(
        refused.log.contains("oryx-manifest.toml"),
        "{}",
        refused.log
    );
    assert!(!www.join("app.py").exists(), "nothing synced");
    untouched("refused");
    site.kudu.remove("oryx-manifest.toml");

    let first = site.kudu.deploy("an env named .venv");
    let start = site.started();
    assert_eq!(
        start.importable(),
        ["alpha"],
        "{}\n{}",
        first.log,
        start.log
    );
    untouched("a link to a file");
    assert_eq!(
        fs::read_to_string(www.join("oryx-manifest.toml")).unwrap(),
        "virtualEnvName=\".venv\"\n",
        "{}",
        first.log
    );
    assert!(!www.join("output.tar.gz").exists(), "{}", first.log);
    assert!(!www.join("antenv").exists());
    assert!(
        start.imports["alpha"].1.starts_with(www.join(".venv")),
        "{:?}",
        start.imports
    );
    assert!(
        start
            .log
            .contains("Using packages from virtual environment .venv located at"),
        "{}",
        start.log
    );

    // A removal with a marker cleans under that name too. A link to a
    // folder: a plain mv would put the manifest into it.
    link_to_folder();
    site.kudu.write("requirements.txt", "charlie\n");
    site.kudu.marker(format!("{}\n", token(4)));
    let remove = site.kudu.deploy("alpha removed, with a marker");
    assert!(remove.log.contains(MARKER_REBUILD), "{}", remove.log);
    untouched("a link to a folder");
    assert_eq!(
        fs::read_to_string(www.join("oryx-manifest.toml")).unwrap(),
        "virtualEnvName=\".venv\"\n"
    );
    assert_eq!(site.importable(), ["charlie"]);

    // A deployment under a new name that fails leaves the runtime on the
    // env it had: the manifest changes only once the new env is built.
    site.kudu.app_setting("VIRTUALENV_NAME", "venv2");
    site.kudu
        .write("requirements.txt", "charlie\nno-such-package\n");
    let failed = site.kudu.push("a new name, and pip fails");
    assert!(!failed.success, "{}", failed.log);
    assert_eq!(
        fs::read_to_string(www.join("oryx-manifest.toml")).unwrap(),
        "virtualEnvName=\".venv\"\n"
    );
    assert_eq!(site.importable(), ["charlie"]);

    // Back to antenv: no manifest (a link there is removed, not followed),
    // and the runtime finds antenv by itself.
    link_to_folder();
    site.kudu.app_setting("VIRTUALENV_NAME", "antenv");
    site.kudu.write("requirements.txt", "charlie\n");
    let back = site.kudu.deploy("antenv again");
    assert!(
        fs::symlink_metadata(www.join("oryx-manifest.toml")).is_err(),
        "{}",
        back.log
    );
    untouched("antenv");
    let start = site.started();
    assert_eq!(start.importable(), ["charlie"], "{}", start.log);
    assert!(
        start.imports["charlie"].1.starts_with(www.join("antenv")),
        "{:?}",
        start.imports
    );
    assert!(
        start.log.contains("Could not find build manifest file"),
        "{}",
        start.log
    );
}

/// The runtime image's own packages (Oryx's template.Dockerfile and
/// ImageBuilder's Dockerfile install gunicorn, flask, ... globally) import
/// whatever the env holds, so a test of a removal must ask for a name the
/// image lacks: here bravo goes, and with it the app's own Flask, which
/// came first while it was listed (init_container.sh's PYTHONPATH, then the
/// generator's site-packages, before the image's), leaving the image's.
#[test]
fn the_images_own_packages_stay_importable_and_a_removed_one_does_not() {
    let site = LinuxSite::new();
    let www = site.kudu.wwwroot.clone();
    site.kudu
        .write("requirements.txt", "alpha\nbravo\nFlask==2.0\n");
    site.kudu.deploy("first deployment");
    let start = site.started();
    assert_eq!(start.importable(), ["alpha", "bravo"], "{}", start.log);
    assert_eq!(start.imports["flask"].0, "2.0", "the app's own Flask first");
    assert!(start.imports["flask"].1.starts_with(www.join("antenv")));

    site.kudu.write("requirements.txt", "alpha\n");
    site.kudu.marker(format!("{}\n", token(5)));
    let remove = site.kudu.deploy("bravo and Flask removed, with a marker");
    let start = site.started();
    assert_eq!(
        start.importable(),
        ["alpha"],
        "{}\n{}",
        remove.log,
        start.log
    );
    assert!(start.imports["alpha"].1.starts_with(www.join("antenv")));
    for module in image_modules() {
        let (_, file) = start
            .imports
            .get(module)
            .unwrap_or_else(|| panic!("the image's {module} imports:\n{}", start.log));
        assert!(!file.starts_with(&www), "{module} is the image's: {file:?}");
    }
    assert_eq!(
        start.imports["flask"].0, "1.0",
        "the image's Flask stays, whatever the requirements say"
    );
}

/// Without its env the runtime warns, falls back to a `__oryx_packages__`
/// folder (none here either: another warning) and starts the app on the
/// image's packages alone (scriptgenerator.go `getPackageSetupCommand`).
/// deploy.sh never leaves a site so: the next successful deployment builds
/// the env, and a failed rebuild keeps the one there was.
#[test]
fn without_its_env_the_site_starts_bare_and_deploy_sh_never_leaves_it_so() {
    let site = LinuxSite::new();
    let kudu = &site.kudu;
    kudu.write("requirements.txt", "alpha\n");
    kudu.deploy("first deployment");
    assert_eq!(site.importable(), ["alpha"]);

    // Deleted by hand (SSH, FTP): the site still starts, without packages.
    fs::remove_dir_all(kudu.env_dir()).unwrap();
    let bare = site.started();
    assert_eq!(bare.importable(), Vec::<String>::new(), "{}", bare.log);
    for warning in [
        "WARNING: Could not find virtual environment directory",
        "WARNING: Could not find package directory",
        "__oryx_packages__",
    ] {
        assert!(bare.log.contains(warning), "{warning}:\n{}", bare.log);
    }
    assert!(bare.imports.contains_key("gunicorn"), "{}", bare.log);

    let again = kudu.deploy("the same commit again");
    assert!(
        again.log.contains("No virtual environment yet."),
        "{}",
        again.log
    );
    let start = site.started();
    assert_eq!(start.importable(), ["alpha"], "{}", start.log);
    assert!(!start.log.contains("WARNING"), "{}", start.log);

    // A rebuild whose pip fails keeps the env the site runs.
    kudu.write("requirements.txt", "alpha\nno-such-package\n");
    kudu.marker(format!("{}\n", token(6)));
    let failed = kudu.push("a marker, and pip fails");
    assert!(!failed.success, "{}", failed.log);
    assert!(kudu.env_dir().is_dir());
    assert_eq!(site.importable(), ["alpha"]);
}

/// An Oryx build with `KUDU_BUILD_VERSION=0.0.1` ships its venv as
/// `antenv.tar.gz`; at every start the runtime unpacks it to the
/// container's own `/antenv`, moves wwwroot's `antenv` aside to
/// `_del_antenv` and links `/antenv` in its place (scriptgenerator.go), a
/// link left dangling on the shared volume once the container stops.
/// deploy.sh's next deployment replaces all of it with its own env.
#[test]
fn an_earlier_oryx_compressed_venv_is_replaced_by_deploy_sh_env() {
    let site = LinuxSite::new();
    let www = site.kudu.wwwroot.clone();
    site.kudu.write("requirements.txt", "alpha\n");
    site.kudu.deploy("deploy.sh's env first");
    site.plant_oryx_build(OryxBuild::CompressedVenv, &["bravo", "charlie"]);
    let oryx = site.started();
    assert_eq!(oryx.importable(), ["bravo", "charlie"], "{}", oryx.log);
    assert_eq!(
        fs::read_link(www.join("antenv")).unwrap(),
        site.in_container("/antenv")
    );
    assert!(!www.join("antenv").exists(), "dangling once it stopped");
    assert!(
        www.join("_del_antenv/azure.env.python-".to_string() + &site.xy + ".txt")
            .is_file(),
        "deploy.sh's env, moved aside by the runtime"
    );

    let deploy = site.kudu.deploy("deploy.sh again");
    assert!(
        deploy.log.contains("No virtual environment yet."),
        "{}",
        deploy.log
    );
    for gone in ["oryx-manifest.toml", "antenv.tar.gz"] {
        assert!(!www.join(gone).exists(), "{gone} must go:\n{}", deploy.log);
    }
    assert!(!fs::symlink_metadata(www.join("antenv"))
        .unwrap()
        .is_symlink());
    let start = site.started();
    assert_eq!(start.importable(), ["alpha"], "{}", start.log);
    assert!(
        start.imports["alpha"].1.starts_with(www.join("antenv")),
        "{:?}",
        start.imports
    );
}
