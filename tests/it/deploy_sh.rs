//! `hooks/deploy.sh` against a simulated Kudu: real pushes, a real venv made
//! with `python3 -m venv`, real pip installing tiny local wheels.
//!
//! The client pushes with plain `git push` (envguard's pre-push hook is tested
//! elsewhere): the tests write `.envguard/force-clean` themselves, as the hook
//! would commit it.

use crate::kudu;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::Duration;

use crate::common::tsv;
use kudu::{find_named, names, python3_runtime, token, Kudu};

const REBUILT: &str = "is new: deleting the virtual environment";
const IGNORED_MARKER: &str = "does not hold a token of 64 lowercase hex characters";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[test]
fn a_new_marker_rebuilds_the_env_exactly_once() {
    let kudu = Kudu::new();
    kudu.write("app.py", "print('hello')\n");
    kudu.write("requirements.txt", "alpha\nbravo\n");
    let first = kudu.deploy("first deployment");
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo"]);
    assert_eq!(kudu.env_token(), None, "no marker, no token");
    let planted = kudu.plant();

    // Adding a package: pip adds it to the env it has.
    kudu.write("requirements.txt", "alpha\nbravo\ncharlie\n");
    let add = kudu.deploy("add charlie");
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo", "charlie"]);
    assert!(planted.exists(), "adding a package must reuse the env");
    assert!(!add.log.contains(REBUILT), "{}", add.log);

    // Removing one: pip alone would leave bravo installed; the marker that
    // comes with the removal rebuilds the env.
    kudu.write("requirements.txt", "alpha\ncharlie\n");
    // Only the first line counts.
    kudu.marker(format!("{}\nanything; $(else)\n", token(1)));
    let clean = kudu.deploy("remove bravo, with a marker");
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie"]);
    assert!(!planted.exists(), "a new marker must rebuild the env");
    assert_eq!(kudu.env_token(), Some(token(1)));
    let announced = format!("envguard: marker {}… {REBUILT}", &token(1)[..12]);
    assert!(clean.log.contains(&announced), "{}", clean.log);

    // The marker stays in the repository; it is honoured once.
    let planted = kudu.plant();
    kudu.write("app.py", "print('hello again')\n");
    let again = kudu.deploy("same marker");
    assert!(planted.exists(), "a marker must be honoured only once");
    assert!(!again.log.contains(REBUILT), "{}", again.log);
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie"]);
    assert_eq!(kudu.env_token(), Some(token(1)));

    // What envguard saves: every push that only adds or bumps packages reuses
    // the env instead of rebuilding it.
    let rebuild = (first.duration + clean.duration) / 2;
    let reuse = (add.duration + again.duration) / 2;
    eprintln!(
        "deploy.sh timing: rebuild {:.0} ms (first {:.0}, marker {:.0}), reuse {:.0} ms \
         (add {:.0}, same marker {:.0}): rebuild/reuse = {:.1}x",
        ms(rebuild),
        ms(first.duration),
        ms(clean.duration),
        ms(reuse),
        ms(add.duration),
        ms(again.duration),
        rebuild.as_secs_f64() / reuse.as_secs_f64()
    );
}

#[test]
fn a_failed_install_keeps_the_old_env_and_the_next_deploy_rebuilds() {
    let kudu = Kudu::new();
    kudu.write("requirements.txt", "alpha\nbravo\n");
    kudu.deploy("first deployment");
    let planted = kudu.plant();

    kudu.write("requirements.txt", "alpha\nno-such-package\n");
    kudu.marker(format!("{}\n", token(1)));
    let failed = kudu.push("a requirement pip cannot find");
    assert!(
        !failed.success,
        "pip failed, so must the deployment:\n{}",
        failed.log
    );
    assert!(failed.log.contains("pip install failed"), "{}", failed.log);
    // The rebuild happened beside the env: the site keeps the old one.
    assert!(
        planted.exists(),
        "a failed rebuild must not replace the env"
    );
    assert_eq!(names(&kudu.packages()), ["alpha", "bravo"]);
    assert_eq!(kudu.env_token(), None, "no token before pip succeeded");

    kudu.write("requirements.txt", "alpha\n");
    let fixed = kudu.deploy("fix requirements");
    assert!(fixed.log.contains(REBUILT), "{}", fixed.log);
    assert!(!planted.exists(), "the unrecorded token must clean again");
    assert_eq!(kudu.env_token(), Some(token(1)));
    assert_eq!(names(&kudu.packages()), ["alpha"]);
}

#[test]
fn a_runtime_change_rebuilds_and_a_patch_change_does_not() {
    let kudu = Kudu::new();
    // The machine has one Python: runtime.txt names it, with patch levels.
    let runtime = python3_runtime();
    kudu.write("requirements.txt", "alpha\n");
    kudu.write("runtime.txt", format!("{runtime}.4\n"));
    kudu.marker(format!("{}\n", token(7)));
    kudu.deploy("first deployment");
    let sentinel = kudu.env_dir().join(format!("azure.env.{runtime}.txt"));
    assert!(sentinel.exists());
    let planted = kudu.plant();

    kudu.write("runtime.txt", format!("{runtime}.9\r\n"));
    kudu.deploy("patch release");
    assert!(planted.exists(), "{runtime}.4 -> .9 is the same runtime");

    // An env an earlier deployment built for another runtime.
    let other = kudu.env_dir().join("azure.env.python-3.0.txt");
    fs::rename(&sentinel, &other).expect("rename the sentinel");
    let upgrade = kudu.deploy("env of another runtime");
    assert!(
        upgrade
            .log
            .contains("Deleting incompatible virtual environment"),
        "{}",
        upgrade.log
    );
    assert!(!planted.exists(), "another runtime's env must be rebuilt");
    assert!(sentinel.exists());
    assert!(!other.exists());
    assert_eq!(names(&kudu.packages()), ["alpha"]);
    // Still honoured: the rebuilt env records the marker's token again.
    assert_eq!(kudu.env_token(), Some(token(7)));

    // A runtime this machine lacks fails the deployment and keeps the env.
    let planted = kudu.plant();
    kudu.write("runtime.txt", "python-3.0\n");
    let missing = kudu.push("a runtime that is not installed");
    assert!(!missing.success, "{}", missing.log);
    assert!(
        missing
            .log
            .contains("Python 3.0 (runtime.txt) is not available"),
        "{}",
        missing.log
    );
    assert!(planted.exists());
}

#[test]
fn an_app_in_a_subfolder_is_synced_without_touching_what_the_site_wrote() {
    let kudu = Kudu::new();
    kudu.write(
        ".deployment",
        "[config]\ncommand = bash deploy.sh\nproject = app\n",
    );
    kudu.write("README.md", "not part of the site\n");
    kudu.write("app/requirements.txt", "alpha\nDjango\n");
    kudu.write("app/app.py", "print('v1')\n");
    kudu.write("app/old.py", "print('old')\n");
    kudu.write("app/pkg/only.py", "print('only file of pkg')\n");
    // A stand-in for Django's manage.py: it records how it was called.
    kudu.write(
        "app/manage.py",
        "import sys\nopen('collectstatic-args.txt', 'w').write(' '.join(sys.argv[1:]))\n",
    );
    // The marker lives at the repository root, not in the app folder.
    kudu.marker(format!("{}\n", token(3)));
    kudu.deploy("app in a subfolder");

    let www = &kudu.wwwroot;
    for file in [
        "app.py",
        "old.py",
        "pkg/only.py",
        "requirements.txt",
        "manage.py",
    ] {
        assert!(www.join(file).is_file(), "{file} must be deployed");
    }
    for name in [
        "README.md",
        "app",
        "deploy.sh",
        ".deployment",
        ".envguard",
        ".git",
    ] {
        assert!(!www.join(name).exists(), "{name} must not be deployed");
    }
    assert_eq!(names(&kudu.packages()), ["alpha", "django"]);
    assert_eq!(kudu.env_token(), Some(token(3)));
    // No runtime.txt: the sentinel is named after the interpreter.
    let sentinel = format!("azure.env.{}.txt", python3_runtime());
    assert!(kudu.env_dir().join(sentinel).exists());
    assert_eq!(
        fs::read_to_string(www.join("collectstatic-args.txt")).expect("collectstatic ran"),
        "collectstatic --noinput"
    );

    // What the running site writes is not in the manifest.
    fs::create_dir_all(www.join("uploads")).expect("mkdir");
    fs::write(www.join("uploads/photo.txt"), "user upload").expect("write");
    fs::write(www.join("site.log"), "log line").expect("write");
    fs::remove_file(www.join("collectstatic-args.txt")).expect("remove");
    let planted = kudu.plant();

    kudu.remove("app/old.py");
    kudu.remove("app/pkg/only.py");
    kudu.write("app/app.py", "print('v2')\n");
    kudu.write("app/.skipDjango", "");
    kudu.deploy("drop old.py and pkg/, skip Django");
    assert!(!www.join("old.py").exists(), "deleted from the repository");
    assert!(!www.join("pkg").exists(), "an emptied folder goes too");
    assert_eq!(
        fs::read_to_string(www.join("app.py")).expect("read"),
        "print('v2')\n"
    );
    assert!(
        www.join("uploads/photo.txt").exists(),
        "written by the site"
    );
    assert!(www.join("site.log").exists(), "written by the site");
    assert!(planted.exists(), "the env is never synced away");
    assert!(!www.join("collectstatic-args.txt").exists(), ".skipDjango");
}

/// Kudu exports `project = app` as `$project` on Linux (the name as
/// written), and reads its settings ignoring case: deploy.sh finds the app
/// folder under any spelling, and refuses two spellings that disagree.
#[test]
fn project_is_read_in_any_spelling_and_two_that_disagree_are_refused() {
    let mut kudu = Kudu::new();
    kudu.write(
        ".deployment",
        "[config]\ncommand = bash deploy.sh\nProject = app\n",
    );
    kudu.write("app/requirements.txt", "alpha\n");
    kudu.write("app/app.py", "print('v1')\n");
    kudu.deploy("Project = app, as written in .deployment");
    assert!(kudu.wwwroot.join("app.py").is_file());
    assert_eq!(names(&kudu.packages()), ["alpha"]);

    kudu.app_setting("PROJECT", "app");
    kudu.app_setting("project", "elsewhere");
    kudu.write("app/app.py", "print('v2')\n");
    let run = kudu.push("two spellings, two folders");
    assert!(!run.success, "{}", run.log);
    assert!(run.log.contains("disagree"), "{}", run.log);
    assert_eq!(
        fs::read_to_string(kudu.wwwroot.join("app.py")).expect("read"),
        "print('v1')\n",
        "nothing synced"
    );
}

#[test]
fn kudusync_is_used_when_kudu_provides_it() {
    let mut kudu = Kudu::new();
    let calls = kudu.root.join("kudusync-calls.txt");
    let stub = kudu.root.join("kudusync");
    fs::write(
        &stub,
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> '{}'\ncp -R \"$4/.\" \"$6\"\n",
            calls.display()
        ),
    )
    .expect("write the KuduSync stub");
    fs::set_permissions(&stub, fs::Permissions::from_mode(0o755)).expect("chmod");
    // Kudu may quote the command; the script strips the quotes, as Kudu's own
    // bash template does.
    kudu.app_setting("KUDU_SYNC_CMD", &format!("\"{}\"", stub.display()));
    kudu.app_setting("NEXT_MANIFEST_PATH", "/manifests/next");
    kudu.app_setting("PREVIOUS_MANIFEST_PATH", "/manifests/previous");
    kudu.write("requirements.txt", "alpha\n");
    kudu.write(".skipPythonDeployment", "");
    kudu.deploy("deploy through KuduSync");

    let expected = format!(
        "-v 50 -f {} -t {} -n /manifests/next -p /manifests/previous \
         -i .git;.hg;.deployment;deploy.cmd;deploy.sh;.envguard\n",
        kudu.repository.display(),
        kudu.wwwroot.display()
    );
    assert_eq!(fs::read_to_string(&calls).expect("KuduSync ran"), expected);
    assert!(kudu.wwwroot.join("requirements.txt").exists());
    assert!(
        !kudu.env_dir().exists(),
        ".skipPythonDeployment: no Python steps"
    );

    kudu.app_setting("IN_PLACE_DEPLOYMENT", "1");
    kudu.deploy("in place");
    assert_eq!(
        fs::read_to_string(&calls).expect("read"),
        expected,
        "no sync in place"
    );

    // A committed env folder: KuduSync would copy it over the site's env.
    kudu.clear_setting("IN_PLACE_DEPLOYMENT");
    kudu.write("antenv/lib/evil.py", "import os\n");
    let run = kudu.push("a committed antenv");
    assert!(!run.success, "{}", run.log);
    assert!(
        run.log.contains("the repository holds 'antenv'"),
        "{}",
        run.log
    );
    assert_eq!(
        fs::read_to_string(&calls).expect("read"),
        expected,
        "KuduSync never ran"
    );
}

/// The marker as every server script reads it (`tests/data/tokens.tsv`):
/// a valid token rebuilds the env once, anything else is ignored with a
/// warning, deletes nothing and executes nothing.
#[test]
fn markers_are_read_as_the_shared_fixture_says() {
    let kudu = Kudu::new();
    kudu.write("requirements.txt", "alpha\n");
    kudu.marker(format!("{}\n", token(1)));
    kudu.deploy("first deployment");

    for (verdict, what, contents) in tsv::TOKENS.cases() {
        // As if an earlier marker had been honoured.
        fs::write(
            kudu.env_dir().join(".envguard-token"),
            format!("{}\n", token(1)),
        )
        .expect("write the token");
        let planted = kudu.plant();
        kudu.marker(contents);
        let deploy = kudu.deploy(&what);
        match verdict.as_str() {
            "valid" => {
                assert!(deploy.log.contains(REBUILT), "{what}:\n{}", deploy.log);
                assert!(!planted.exists(), "{what}: the env must be rebuilt");
                assert_eq!(
                    kudu.env_token().as_deref(),
                    Some(tsv::VALID_TOKEN),
                    "{what}"
                );
            }
            "ignored" => {
                assert!(
                    deploy.log.contains(IGNORED_MARKER),
                    "{what}:\n{}",
                    deploy.log
                );
                assert!(planted.exists(), "{what}: the env must stay");
                // Not a marker: the commit carries none, so the recorded
                // token is forgotten (a later marker cleans again).
                assert_eq!(kudu.env_token(), None, "{what}");
            }
            other => panic!("unknown verdict {other}"),
        }
    }

    let planted = kudu.plant();
    kudu.marker("ab".repeat(5 << 20));
    let deploy = kudu.deploy("10 MB");
    assert!(deploy.log.contains(IGNORED_MARKER), "{}", deploy.log);
    assert!(planted.exists());
    // Not a file at all.
    kudu.remove(".envguard/force-clean");
    kudu.write(".envguard/force-clean/nested", "x");
    let deploy = kudu.deploy("a folder");
    assert!(deploy.log.contains(IGNORED_MARKER), "{}", deploy.log);
    assert!(planted.exists());
    assert_eq!(find_named(&kudu.root, "pwned"), Vec::<PathBuf>::new());
    assert_eq!(names(&kudu.packages()), ["alpha"]);
}

#[test]
fn deploy_sh_has_lf_line_endings() {
    let script = fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/deploy.sh")).expect("read");
    assert!(script.starts_with(b"#!/usr/bin/env bash\n"));
    assert!(!script.contains(&b'\r'), "a CR breaks bash");
}

/// An app that installs itself with `-e .`: pip builds it with the in-tree
/// backend of the checker's tests (`requires = []`, so no index is needed),
/// and the leftovers check names it by its direct_url.json. deploy.sh runs
/// the checker in the app folder, where pip ran, or the relative `.` would
/// be another folder.
#[test]
fn an_app_installed_with_dash_e_dot_gets_a_leftovers_check() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/checker");
    let kudu = Kudu::new();
    kudu.write(
        "pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
    );
    for name in ["backend.py", "make_wheels.py"] {
        fs::copy(data.join(name), kudu.work.join(name)).expect("copy the backend");
    }
    let project = |requires: &str| {
        format!("{{\"name\": \"my-app\", \"version\": \"1.0\", \"requires\": [\"{requires}\"]}}")
    };
    kudu.write("project.json", project("alpha"));
    kudu.write("requirements.txt", "-e .\n");
    let first = kudu.deploy("first deployment");
    assert_eq!(names(&kudu.packages()), ["alpha", "my-app"]);
    assert!(
        first.log.contains("is my-app (its direct_url.json)"),
        "{}",
        first.log
    );
    assert!(!first.log.contains("cannot judge"), "{}", first.log);
    assert!(!first.log.contains("left over"), "{}", first.log);

    // The app stops needing alpha; the hook sees no removal in
    // requirements.txt, so only the check can find it left over.
    kudu.write("project.json", project("bravo"));
    let second = kudu.deploy("my-app needs bravo now");
    assert!(
        second
            .log
            .contains("left over from earlier deployments: alpha"),
        "{}",
        second.log
    );
    assert_eq!(names(&kudu.packages()), ["bravo", "my-app"]);
}
