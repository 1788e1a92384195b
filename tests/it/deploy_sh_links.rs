//! `hooks/deploy.sh` never writes, creates or deletes anything through a
//! link, nor outside `DEPLOYMENT_TARGET`, `DEPLOYMENT_TEMP` and the env
//! (docs/deploy-sh.md, "What it writes"): links to a file and to a folder
//! outside the site, at every name the script writes or deletes, put there
//! by the repository (its own sync copies links as links), by the build (a
//! `PRE_BUILD_COMMAND`), or left in the site by anything else. Each test
//! compares the outside folder, byte for byte, before and after.

use crate::kudu;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use kudu::{names, python3_runtime, token, uv, Kudu};

/// A folder outside the site: a file and a folder for links to point at.
struct Outside {
    root: PathBuf,
    file: PathBuf,
    folder: PathBuf,
}

impl Outside {
    fn new(kudu: &Kudu) -> Outside {
        let root = kudu.root.join("outside");
        let folder = root.join("folder");
        fs::create_dir_all(folder.join("sub")).expect("mkdir");
        fs::write(folder.join("kept.txt"), "outside\n").expect("write");
        fs::write(folder.join("sub/deep.txt"), "outside\n").expect("write");
        let file = root.join("victim.txt");
        fs::write(&file, "not the site's\n").expect("write");
        Outside { root, file, folder }
    }

    /// Every path under the root, with a file's bytes or a link's text.
    fn snapshot(&self) -> BTreeMap<PathBuf, String> {
        let mut found = BTreeMap::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).expect("read_dir").flatten() {
                let path = entry.path();
                let kind = entry.file_type().expect("file type");
                let what = if kind.is_symlink() {
                    format!("-> {}", fs::read_link(&path).expect("readlink").display())
                } else if kind.is_dir() {
                    stack.push(path.clone());
                    "folder".to_string()
                } else {
                    fs::read_to_string(&path).expect("read")
                };
                found.insert(path, what);
            }
        }
        found
    }
}

fn link(target: &Path, at: &Path) {
    if at.is_symlink() || at.is_file() {
        fs::remove_file(at).expect("rm");
    } else if at.is_dir() {
        fs::remove_dir_all(at).expect("rm -r");
    }
    fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
    symlink(target, at).expect("symlink");
}

fn is_real_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

fn is_real_folder(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_dir())
}

/// The repository commits links at the names the sync writes: the old temp
/// name beside a changed file (`config.ini.envguard-new`), the manifest, the
/// env's neighbours, and at paths that become a folder or a file in the next
/// deployment. Nothing outside changes, and the site ends up with real
/// folders and files.
#[test]
fn the_sync_never_writes_through_a_link_the_repository_committed() {
    let kudu = Kudu::new();
    let outside = Outside::new(&kudu);
    let before = outside.snapshot();
    let w = &kudu.work;
    kudu.write(".skipPythonDeployment", "");
    kudu.write("requirements.txt", "alpha\n");
    kudu.write("config.ini", "[v1]\n");
    link(&outside.file, &w.join("config.ini.envguard-new"));
    kudu.write("data.json", "1\n");
    link(&outside.folder, &w.join("data.json.envguard-new"));
    link(&outside.folder, &w.join("static"));
    link(&outside.file, &w.join("notes.txt"));
    link(&outside.file, &w.join(".envguard-manifest"));
    link(&outside.folder, &w.join(".envguard-stage.x"));
    link(&outside.folder, &w.join("antenv.envguard-new"));
    link(&outside.file, &w.join("antenv.envguard-old"));
    let first = kudu.deploy("links at the names the sync writes");
    assert!(
        first
            .log
            .contains("not synced: '.envguard-manifest' is a name deploy.sh keeps for itself"),
        "{}",
        first.log
    );
    assert_eq!(outside.snapshot(), before);

    // The same paths as files and folders, and the files changed.
    kudu.write("config.ini", "[v2]\n");
    kudu.write("data.json", "2\n");
    fs::remove_file(w.join("static")).expect("rm");
    kudu.write("static/app.css", "body {}\n");
    fs::remove_file(w.join("notes.txt")).expect("rm");
    kudu.write("notes.txt", "a file now\n");
    let second = kudu.deploy("files where the links were");
    assert_eq!(outside.snapshot(), before, "{}", second.log);
    let www = &kudu.wwwroot;
    assert_eq!(
        fs::read_to_string(www.join("config.ini")).unwrap(),
        "[v2]\n"
    );
    assert_eq!(fs::read_to_string(www.join("data.json")).unwrap(), "2\n");
    assert!(is_real_folder(&www.join("static")));
    assert!(is_real_file(&www.join("static/app.css")));
    assert!(is_real_file(&www.join("notes.txt")));
    assert!(is_real_file(&www.join(".envguard-manifest")));
    assert!(!www.join("antenv.envguard-new").exists());

    // And back: a folder becomes a link again, files go.
    fs::remove_dir_all(w.join("static")).expect("rm -r");
    link(&outside.folder, &w.join("static"));
    fs::remove_file(w.join("notes.txt")).expect("rm");
    let third = kudu.deploy("a link where the folder was");
    assert_eq!(outside.snapshot(), before, "{}", third.log);
    assert!(!www.join("notes.txt").exists());
    assert!(www.join("static").is_symlink());
    let stages: Vec<_> = fs::read_dir(www)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".envguard-stage")
        })
        .collect();
    assert!(stages.is_empty(), "the stage is removed: {stages:?}");
}

/// The deletion pass reads the previous manifest. A path it lists whose
/// folder is now a link (a deployment that stopped between replacing the
/// folder and writing the manifest, or anything else that put the link
/// there) is not deleted; a manifest that is itself a link is not read.
#[test]
fn the_deletion_pass_never_deletes_through_a_link() {
    let kudu = Kudu::new();
    let outside = Outside::new(&kudu);
    kudu.write(".skipPythonDeployment", "");
    kudu.write("requirements.txt", "alpha\n");
    kudu.write("d/kept.txt", "site\n");
    kudu.write("d/sub/deep.txt", "site\n");
    kudu.write("app.py", "print('v1')\n");
    kudu.deploy("a folder the manifest lists");
    let www = &kudu.wwwroot;
    // The folder becomes a link to a folder with the same names outside.
    fs::remove_dir_all(www.join("d")).expect("rm -r");
    symlink(&outside.folder, www.join("d")).expect("symlink");
    let before = outside.snapshot();

    fs::remove_dir_all(kudu.work.join("d")).expect("rm -r");
    let deploy = kudu.deploy("the folder is gone from the repository");
    assert_eq!(outside.snapshot(), before, "{}", deploy.log);
    assert!(
        deploy
            .log
            .contains("not deleting 'd/kept.txt': a folder on its way is a link"),
        "{}",
        deploy.log
    );

    // A manifest that is a link to a list outside: nothing is deleted by it,
    // and it is replaced by a file.
    let list = outside.root.join("list.txt");
    fs::write(&list, "app.py\n").expect("write");
    let manifest = www.join(".envguard-manifest");
    fs::remove_file(&manifest).expect("rm");
    symlink(&list, &manifest).expect("symlink");
    let before = outside.snapshot();
    kudu.remove("app.py");
    let deploy = kudu.deploy("app.py dropped, manifest a link");
    assert!(
        deploy.log.contains("is not a file deploy.sh wrote"),
        "{}",
        deploy.log
    );
    assert_eq!(outside.snapshot(), before);
    assert!(is_real_file(&manifest));
    assert!(www.join("app.py").exists(), "not deleted by a linked list");
}

/// The env and the files deploy.sh keeps in it: links at the env's own
/// name, at `<env>.envguard-new`/`-old`, at `.envguard-token`,
/// `.envguard-leftovers`, `.envguard-inputs` and the temp names they once
/// had, and at Oryx's output names, are replaced or removed, never written
/// through.
#[test]
fn the_env_and_its_state_files_are_never_written_through_a_link() {
    let mut kudu = Kudu::new();
    let outside = Outside::new(&kudu);
    let fake_env = outside.root.join("fake-env");
    fs::create_dir_all(fake_env.join("bin")).expect("mkdir");
    fs::write(
        fake_env.join(format!("azure.env.{}.txt", python3_runtime())),
        "",
    )
    .expect("write");
    fs::write(fake_env.join(".envguard-token"), format!("{}\n", token(1))).expect("write");
    let before = outside.snapshot();
    let victim = outside.file.display().to_string();

    // The build plants links where the token and the leftovers list go, and
    // installs something the requirements do not name (a leftover of a
    // fresh build, which deploy.sh records).
    kudu.app_setting(
        "PRE_BUILD_COMMAND",
        &format!(
            "for n in .envguard-token .envguard-token.tmp .envguard-leftovers .envguard-leftovers.tmp \
             .envguard-inputs; do ln -s '{victim}' \"$VIRTUAL_ENV/$n\"; done"
        ),
    );
    kudu.app_setting("POST_BUILD_COMMAND", "python -m pip install -q charlie");
    kudu.write("requirements.txt", "alpha\n");
    kudu.marker(format!("{}\n", token(1)));
    // Left in the site by anything else: the repository may not carry an
    // oryx-manifest.toml at all (deploy.sh refuses one up front).
    link(&outside.file, &kudu.wwwroot.join("oryx-manifest.toml"));
    link(&outside.folder, &kudu.wwwroot.join("output.tar.gz"));
    let first = kudu.deploy("links planted in the env being built");
    assert_eq!(outside.snapshot(), before, "{}", first.log);
    let env = kudu.env_dir();
    assert!(is_real_file(&env.join(".envguard-token")));
    assert_eq!(kudu.env_token(), Some(token(1)));
    assert!(is_real_file(&env.join(".envguard-leftovers")));
    assert!(is_real_file(&env.join(".envguard-inputs")));
    assert_eq!(
        fs::read_to_string(env.join(".envguard-leftovers")).unwrap(),
        "charlie\n"
    );
    assert!(!kudu.wwwroot.join("oryx-manifest.toml").is_symlink());
    assert!(!kudu.wwwroot.join("output.tar.gz").is_symlink());
    kudu.clear_setting("PRE_BUILD_COMMAND");
    kudu.clear_setting("POST_BUILD_COMMAND");

    // Links at the rebuild's two names beside the env.
    link(&outside.folder, &kudu.wwwroot.join("antenv.envguard-new"));
    link(&outside.file, &kudu.wwwroot.join("antenv.envguard-old"));
    kudu.marker(format!("{}\n", token(2)));
    let second = kudu.deploy("a new marker, links beside the env");
    assert_eq!(outside.snapshot(), before, "{}", second.log);
    assert_eq!(kudu.env_token(), Some(token(2)));
    assert_eq!(names(&kudu.packages()), ["alpha"]);

    // A commit without a marker forgets the token: a link there is removed,
    // not what it names. A link at the record is neither read nor followed.
    link(&outside.file, &env.join(".envguard-token"));
    link(&outside.file, &env.join(".envguard-inputs"));
    kudu.remove(".envguard/force-clean");
    let third = kudu.deploy("no marker, the token a link");
    assert_eq!(outside.snapshot(), before, "{}", third.log);
    assert!(!env.join(".envguard-token").is_symlink());
    assert!(is_real_file(&env.join(".envguard-inputs")));

    // The env itself a link to a folder that looks like a compatible env.
    link(&fake_env, &env);
    let fourth = kudu.deploy("the env is a link");
    assert_eq!(outside.snapshot(), before, "{}", fourth.log);
    assert!(is_real_folder(&env));
    assert_eq!(names(&kudu.packages()), ["alpha"]);
}

/// The state folder `.envguard` in the target and what uv keeps in it: a
/// link at the folder, at uv's cache, at ensurepip's wheels (the folder and a
/// wheel in it), and at the uv `ENVGUARD_UV=install` puts there is never
/// written through: the folder or the cache a link means pip installs; the
/// others are replaced.
#[test]
fn the_state_folder_and_uvs_files_are_never_written_through_a_link() {
    let Some(uv) = uv() else { return };
    let mut kudu = Kudu::new();
    for wheel in fs::read_dir(&uv.wheels).expect("uv's wheel").flatten() {
        fs::copy(wheel.path(), kudu.wheelhouse.join(wheel.file_name())).expect("copy");
    }
    let outside = Outside::new(&kudu);
    let before = outside.snapshot();
    let state = kudu.wwwroot.join(".envguard");
    kudu.app_setting("ENVGUARD_UV", &uv.binary.display().to_string());
    kudu.write("requirements.txt", "alpha\n");

    link(&outside.folder, &state);
    let first = kudu.deploy("the state folder is a link");
    assert_eq!(outside.snapshot(), before, "{}", first.log);
    assert!(
        first.log.contains("cannot hold uv's cache"),
        "{}",
        first.log
    );
    assert!(
        first.log.contains("Pip install requirements."),
        "{}",
        first.log
    );

    fs::remove_file(&state).expect("rm");
    fs::create_dir(&state).expect("mkdir");
    link(&outside.folder, &state.join("uv-cache"));
    kudu.marker(format!("{}\n", token(1)));
    let second = kudu.deploy("uv's cache is a link");
    assert_eq!(outside.snapshot(), before, "{}", second.log);
    assert!(
        second.log.contains("cannot hold uv's cache"),
        "{}",
        second.log
    );

    fs::remove_file(state.join("uv-cache")).expect("rm");
    let seed = state.join(format!("ensurepip-{}", python3_runtime()));
    link(&outside.folder, &seed);
    kudu.marker(format!("{}\n", token(2)));
    let third = kudu.deploy("ensurepip's wheels are a link");
    assert_eq!(outside.snapshot(), before, "{}", third.log);
    assert!(third.log.contains("installing with uv"), "{}", third.log);
    assert!(is_real_folder(&seed));
    let wheel = fs::read_dir(&seed)
        .expect("read the seed folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("ensurepip's wheel kept");
    link(&outside.file, &wheel);
    link(&outside.file, &wheel.with_extension("whl.tmp"));
    kudu.marker(format!("{}\n", token(3)));
    let fourth = kudu.deploy("an ensurepip wheel is a link");
    assert_eq!(outside.snapshot(), before, "{}", fourth.log);
    assert!(is_real_file(&wheel));
    assert_eq!(names(&kudu.packages()), ["alpha"]);

    kudu.app_setting("ENVGUARD_UV", "install");
    link(&outside.folder, &state.join("uv"));
    link(&outside.folder, &state.join("uv.envguard-new"));
    kudu.write("app.py", "print('v5')\n");
    let fifth = kudu.deploy("ENVGUARD_UV=install where uv is a link");
    assert_eq!(outside.snapshot(), before, "{}", fifth.log);
    assert!(fifth.log.contains("installing with uv"), "{}", fifth.log);
    assert!(is_real_folder(&state.join("uv")));
    assert!(!state.join("uv.envguard-new").is_symlink());
}

/// A line break (or any control character) in a folder deploy.sh works in
/// is refused before anything is created or synced. Kudu sets these folders
/// itself (the simulated one too, as KuduLite's ExternalCommandFactory.cs
/// does, over any app setting), so the script is run here as a
/// `post-receive` on your own server runs it, with the caller's values.
#[test]
fn control_characters_in_the_deployment_folders_are_refused_up_front() {
    let kudu = Kudu::new();
    kudu.write("requirements.txt", "alpha\n");
    kudu.write("app.py", "print('v1')\n");
    kudu.deploy("first deployment");
    let planted = kudu.plant();
    let broken = kudu.root.join("www\nroot");
    let temp = kudu.root.join("temp");
    fs::create_dir_all(&temp).expect("mkdir");
    for (key, value) in [
        ("DEPLOYMENT_TARGET", broken.display().to_string()),
        (
            "DEPLOYMENT_SOURCE",
            kudu.root.join("repo\nsitory").display().to_string(),
        ),
        (
            "DEPLOYMENT_TEMP",
            kudu.root.join("temp\tdir").display().to_string(),
        ),
    ] {
        // The next commit, checked out as the deployment would find it.
        fs::write(kudu.repository.join("app.py"), format!("print('{key}')\n")).expect("write");
        let mut run = Command::new("bash");
        run.arg("deploy.sh")
            .current_dir(&kudu.repository)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &kudu.root)
            .env("DEPLOYMENT_SOURCE", &kudu.repository)
            .env("DEPLOYMENT_TARGET", &kudu.wwwroot)
            .env("DEPLOYMENT_TEMP", &temp)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &kudu.wheelhouse)
            .env(key, &value);
        let out = run.output().expect("run deploy.sh");
        let log = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{key}: must fail:\n{log}");
        assert!(
            log.contains(&format!("envguard: {key}=$'")),
            "{key}: names it, quoted:\n{log}"
        );
        assert!(
            log.contains("line break or another control character"),
            "{log}"
        );
        assert!(!broken.exists(), "{key}: nothing created");
        assert_eq!(
            fs::read_to_string(kudu.wwwroot.join("app.py")).unwrap(),
            "print('v1')\n",
            "{key}: nothing synced"
        );
        assert!(planted.exists());
    }
}
