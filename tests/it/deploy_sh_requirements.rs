//! Which requirements file `hooks/deploy.sh` installs, and which files pip
//! may read for it, against the simulated Kudu (real git, real venv, real
//! pip).
//!
//! - One definition with the hook: envguard.toml's `requirements`, read by
//!   both sides as `tests/data/requirements_key.tsv` says (the core's
//!   `tests/shared_rules.rs` reads the same table), and Oryx's
//!   `CUSTOM_REQUIREMENTSTXT_PATH` must agree with it.
//! - The requirements file and every file it includes stay inside the app:
//!   a link out, an absolute path, `..` out or a URL fails the deployment
//!   before pip reads anything, naming the file and the line that includes
//!   it (pip would print a server file's first line into the log).

use crate::kudu;

use std::fs;
use std::os::unix::fs::symlink;

use crate::common::tsv;
use kudu::{names, Kudu};

const CHOSEN: &str = "envguard: requirements file: ";

/// Every case of the shared table, deployed: deploy.sh names the file the
/// hook names, or refuses before anything is synced. `.skipPythonDeployment`
/// keeps pip out of it (the file is chosen before that is looked at).
#[test]
fn the_requirements_key_is_read_as_the_shared_table_says() {
    let kudu = Kudu::new();
    kudu.write(".skipPythonDeployment", "");
    kudu.write("app/.skipPythonDeployment", "");
    let cases = tsv::REQUIREMENTS_KEY.rows::<4>();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for [project, result, name, bytes] in cases {
        let bytes = tsv::unescape(bytes);
        let deployment = match project {
            "-" => "[config]\ncommand = bash deploy.sh\n".to_string(),
            dir => format!("[config]\ncommand = bash deploy.sh\nproject = {dir}\n"),
        };
        kudu.write(".deployment", deployment);
        kudu.write("envguard.toml", &bytes);
        // Something to sync, new in every case.
        kudu.write("app/case.txt", name);
        kudu.write("case.txt", name);
        let deploy = kudu.push(name);
        match result {
            "refused" => {
                assert!(!deploy.success, "{name}: must be refused:\n{}", deploy.log);
                assert!(
                    deploy.log.contains("envguard: envguard.toml"),
                    "{name}: must name envguard.toml:\n{}",
                    deploy.log
                );
                assert!(!deploy.log.contains("Synced"), "{name}:\n{}", deploy.log);
            }
            path => {
                assert!(deploy.success, "{name}:\n{}", deploy.log);
                let chosen = deploy
                    .log
                    .lines()
                    .find_map(|l| l.strip_prefix(CHOSEN))
                    .unwrap_or_else(|| panic!("{name}: no file chosen:\n{}", deploy.log));
                let chosen = chosen.split(" (").next().unwrap_or_default();
                assert_eq!(chosen, path, "{name}:\n{}", deploy.log);
            }
        }
    }
}

/// The key names the file pip installs, from the repository root and inside
/// the app folder; a typo names a file that is not there, and then neither
/// side installs anything (the hook says "the server skips pip").
#[test]
fn pip_installs_the_file_the_key_names() {
    let kudu = Kudu::new();
    kudu.write(
        ".deployment",
        "[config]\ncommand = bash deploy.sh\nproject = app\n",
    );
    kudu.write("app/requirements.txt", "bravo\n");
    kudu.write("app/req/prod.txt", "alpha\n-r common.txt\n");
    kudu.write("app/req/common.txt", "charlie\n");
    kudu.write("envguard.toml", "requirements = \"app/req/prod.txt\"\n");
    let deploy = kudu.deploy("the key names app/req/prod.txt");
    assert!(
        deploy
            .log
            .contains("requirements file: app/req/prod.txt (envguard.toml's requirements)"),
        "{}",
        deploy.log
    );
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie"]);

    kudu.write("envguard.toml", "requirements = \"app/req/prdo.txt\"\n");
    let typo = kudu.deploy("a typo in the key");
    assert!(
        typo.log.contains("No req/prdo.txt: no Python steps."),
        "{}",
        typo.log
    );
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie"]);
}

/// Oryx's CUSTOM_REQUIREMENTSTXT_PATH is invisible to the hook: it must name
/// the file envguard.toml names (or the default), or the deployment fails
/// saying what to put in envguard.toml.
#[test]
fn custom_requirementstxt_path_must_agree_with_envguard_toml() {
    let mut kudu = Kudu::new();
    kudu.write("requirements.txt", "bravo\n");
    kudu.write("reqs/prod.txt", "alpha\n");
    kudu.app_setting("CUSTOM_REQUIREMENTSTXT_PATH", "reqs/prod.txt");
    let refused = kudu.push("a setting the hook cannot see");
    assert!(!refused.success, "{}", refused.log);
    assert!(
        refused
            .log
            .contains("put requirements = \"reqs/prod.txt\" in envguard.toml"),
        "{}",
        refused.log
    );
    assert!(!refused.log.contains("Synced"), "{}", refused.log);

    kudu.write("envguard.toml", "requirements = \"reqs/prod.txt\"\n");
    kudu.deploy("the same file in envguard.toml");
    assert_eq!(names(&kudu.packages()), ["alpha"]);

    kudu.app_setting("CUSTOM_REQUIREMENTSTXT_PATH", "./reqs//prod.txt");
    kudu.deploy("the same file, spelled otherwise");
    kudu.app_setting("CUSTOM_REQUIREMENTSTXT_PATH", "requirements.txt");
    let other = kudu.push("the default, while envguard.toml names another");
    assert!(!other.success, "{}", other.log);
    assert!(
        other.log.contains("CUSTOM_REQUIREMENTSTXT_PATH"),
        "{}",
        other.log
    );
    assert_eq!(names(&kudu.packages()), ["alpha"]);
}

/// What a case puts in the work tree besides requirements.txt.
type Prepare<'a> = Box<dyn Fn() + 'a>;

/// What pip would print of a file outside the app: it must never reach the
/// log.
const SECRET: &str = "SECRET-FIRST-LINE-of-a-server-file";

/// A requirements file or include that leaves the app -- a link to a file
/// outside, an absolute path, `..` out, a link in a folder on the way, a
/// file: URL -- fails the deployment before pip reads it, naming the file
/// and the line that includes it; the env stays as it was.
#[test]
fn requirements_and_includes_that_leave_the_app_are_refused() {
    let mut kudu = Kudu::new();
    let outside = kudu.root.join("outside");
    fs::create_dir_all(&outside).expect("mkdir");
    let secret = outside.join("secret.txt");
    fs::write(&secret, format!("{SECRET}\n")).expect("write");
    kudu.write("requirements.txt", "alpha\n");
    kudu.deploy("first deployment");
    let planted = kudu.plant();

    // The requirements file itself, a link to a file of the server: refused
    // before anything is synced (the hook refuses it too).
    fs::remove_file(kudu.work.join("requirements.txt")).expect("rm");
    symlink(&secret, kudu.work.join("requirements.txt")).expect("symlink");
    let deploy = kudu.push("requirements.txt is a link out");
    assert!(!deploy.success, "{}", deploy.log);
    assert!(
        deploy
            .log
            .contains("requirements.txt leads outside the repository"),
        "{}",
        deploy.log
    );
    assert!(!deploy.log.contains(SECRET), "{}", deploy.log);
    assert!(!deploy.log.contains("Synced"), "{}", deploy.log);
    fs::remove_file(kudu.work.join("requirements.txt")).expect("rm");

    let depth = kudu.wwwroot.components().count();
    let climb = "../".repeat(depth) + secret.to_str().expect("UTF-8").trim_start_matches('/');
    let cases: Vec<(&str, String, Prepare)> = vec![
        (
            "an include that is a link out",
            "alpha\n-r sub/b.txt\n".into(),
            Box::new(|| {
                fs::create_dir_all(kudu.work.join("sub")).expect("mkdir");
                symlink(&secret, kudu.work.join("sub/b.txt")).expect("symlink");
            }),
        ),
        (
            "an absolute include",
            format!("alpha\n-r {}\n", secret.display()),
            Box::new(|| {}),
        ),
        (
            "a constraint that climbs out with ..",
            format!("alpha\n-c {climb}\n"),
            Box::new(|| {}),
        ),
        (
            "an include in a folder that is a link out",
            "alpha\n-r linked/secret.txt\n".into(),
            Box::new(|| symlink(&outside, kudu.work.join("linked")).expect("symlink")),
        ),
        (
            "a nested include",
            "alpha\n-r sub/nested.txt\n".into(),
            Box::new(|| {
                kudu.write("sub/nested.txt", format!("bravo\n\n-r {climb}\n"));
            }),
        ),
        (
            "a file: URL",
            format!("alpha\n-r file://{}\n", secret.display()),
            Box::new(|| {}),
        ),
        // pip decodes a BOM and CRLF; so does the judge, which is pip's parser.
        (
            "a UTF-16 file with CRLF",
            String::new(),
            Box::new(|| {
                let text = format!("alpha\r\n-r {}\r\n", secret.display());
                let mut bytes = vec![0xff, 0xfe];
                bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                kudu.write("requirements.txt", bytes);
            }),
        ),
    ];
    for (what, requirements, prepare) in cases {
        for extra in ["sub", "linked"] {
            let path = kudu.work.join(extra);
            if path.is_symlink() {
                fs::remove_file(&path).expect("rm");
            } else if path.exists() {
                fs::remove_dir_all(&path).expect("rm -r");
            }
        }
        kudu.write("requirements.txt", &requirements);
        prepare();
        let deploy = kudu.push(what);
        assert!(!deploy.success, "{what}: must fail:\n{}", deploy.log);
        assert!(!deploy.log.contains(SECRET), "{what}:\n{}", deploy.log);
        let including = if what == "a nested include" {
            "sub/nested.txt:3: includes"
        } else {
            "requirements.txt:2: includes"
        };
        assert!(deploy.log.contains(including), "{what}:\n{}", deploy.log);
        assert!(
            deploy
                .log
                .contains("pip would read a file that is not the app's"),
            "{what}:\n{}",
            deploy.log
        );
        assert!(planted.exists(), "{what}: the env stays");
        assert_eq!(names(&kudu.packages()), ["alpha"], "{what}");
    }

    // An include inside the app, through a link inside it, is fine.
    kudu.write("reqs/base.txt", "charlie\n");
    symlink("reqs", kudu.work.join("sub")).expect("symlink");
    kudu.write("requirements.txt", "alpha\n-r sub/base.txt\n");
    kudu.deploy("an include through a link inside the app");
    assert_eq!(names(&kudu.packages()), ["alpha", "charlie"]);
    assert_eq!(
        fs::read_to_string(&secret).expect("read"),
        format!("{SECRET}\n")
    );

    // In place, pip reads the repository's checkout: the same rule there.
    kudu.app_setting("IN_PLACE_DEPLOYMENT", "1");
    symlink(&outside, kudu.work.join("linked")).expect("symlink");
    kudu.write("requirements.txt", "alpha\n-r linked/secret.txt\n");
    let deploy = kudu.push("in place, an include through a link out");
    assert!(!deploy.success, "{}", deploy.log);
    assert!(
        deploy.log.contains("requirements.txt:2: includes"),
        "{}",
        deploy.log
    );
    assert!(!deploy.log.contains(SECRET), "{}", deploy.log);
}

/// The hook refuses what deploy.sh would refuse or read otherwise, with
/// exit 2 naming envguard.toml's line and what to write.
#[test]
fn the_hook_refuses_a_key_the_server_would_not_read() {
    let kudu = Kudu::new();
    let installed = kudu.envguard(&["install"]);
    assert!(installed.status.success(), "{installed:?}");
    kudu.write("requirements.txt", "alpha\n");
    kudu.deploy("first deployment");

    for (toml, says) in [
        (
            "requirements = \"/etc/requirements.txt\"\n",
            "envguard.toml:1: requirements = \"/etc/requirements.txt\" must be a path relative to the repository root",
        ),
        (
            "branches = [\"main\", \"master\"]\n\"requirements\" = \"requirements.txt\"\n",
            "envguard.toml:2: a quoted or dotted key",
        ),
        (
            "runtime = \"\"\"\nrequirements = \"other.txt\"\n\"\"\"\n",
            "envguard.toml:1: a multi-line string",
        ),
    ] {
        kudu.write("envguard.toml", toml);
        kudu.commit(toml);
        let refused = kudu.push_head().expect_err("the hook must refuse");
        assert!(refused.contains(says), "{toml}: {refused}");
    }
}
