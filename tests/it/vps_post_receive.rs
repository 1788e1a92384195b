//! The `post-receive` example of docs/deploy-sh.md, as written there, on a
//! plain server: a bare repository, a persistent venv, `deploy.sh` from the
//! pushed commit. Real git, a real venv, real pip from wheels built here.

use crate::kudu;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kudu::{assert_success, build_wheels, path_str, sh_quote, token};

const WHEELS: &[&str] = &["alpha==1.0", "bravo==1.0", "charlie==1.0"];

/// The hook as the docs print it: the bash block after the marker comment.
fn documented_hook() -> String {
    let docs = include_str!("../../docs/deploy-sh.md");
    let marker = "<!-- tested by tests/it/vps_post_receive.rs";
    let after = &docs[docs.find(marker).expect("the example's marker")..];
    let start = after.find("```bash\n").expect("the example's block") + "```bash\n".len();
    let block = &after[start..];
    block[..block.find("```").expect("end of the block")].to_string()
}

struct Server {
    _dir: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
    app: PathBuf,
    wheelhouse: PathBuf,
}

impl Server {
    fn new() -> Server {
        let dir = tempfile::Builder::new()
            .prefix("envguard-vps")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().to_path_buf();
        let server = Server {
            work: root.join("work"),
            app: root.join("srv/myapp/app"),
            wheelhouse: root.join("wheelhouse"),
            root,
            _dir: dir,
        };
        fs::create_dir_all(&server.wheelhouse).expect("mkdir");
        build_wheels(&server.wheelhouse, WHEELS);
        let bare = server.root.join("srv/git/myapp.git");
        server.git(&server.root, &["init", "-q", "--bare", path_str(&bare)]);

        // The documented hook, with this server's two folders.
        let source = server.root.join("srv/myapp/source");
        let hook: String = documented_hook()
            .lines()
            .map(|line| {
                if line.starts_with("APP=") {
                    format!("APP={}", sh_quote(path_str(&server.app)))
                } else if line.starts_with("SOURCE=") {
                    format!("SOURCE={}", sh_quote(path_str(&source)))
                } else {
                    line.to_string()
                }
            })
            .map(|line| line + "\n")
            .collect();
        assert!(hook.contains("bash deploy.sh"), "{hook}");
        let hook_path = bare.join("hooks/post-receive");
        fs::write(&hook_path, hook).expect("write post-receive");
        fs::set_permissions(&hook_path, fs::Permissions::from_mode(0o755)).expect("chmod");

        server.git(
            &server.root,
            &["init", "-q", "-b", "main", path_str(&server.work)],
        );
        server.git(
            &server.work,
            &["remote", "add", "production", path_str(&bare)],
        );
        let hooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks");
        for file in ["deploy.sh", "envguard_check.py"] {
            fs::copy(hooks.join(file), server.work.join(file)).expect("copy a hook file");
        }
        server
    }

    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        for (key, _) in std::env::vars_os() {
            let text = key.to_string_lossy();
            if text.starts_with("GIT_") || text.starts_with("PIP_") || text.starts_with("ENVGUARD_")
            {
                cmd.env_remove(key);
            }
        }
        cmd.current_dir(dir)
            .env("HOME", &self.root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Author")
            .env("GIT_COMMITTER_EMAIL", "author@example.com");
        cmd
    }

    fn git(&self, dir: &Path, args: &[&str]) {
        let out = self.command("git", dir).args(args).output().expect("git");
        assert_success(&format!("git {}", args.join(" ")), &out);
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.work.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    /// Commits everything and pushes main: what git showed the pusher.
    fn push(&self, message: &str) -> String {
        self.git(&self.work, &["add", "-A"]);
        self.git(
            &self.work,
            &["commit", "-q", "--allow-empty", "-m", message],
        );
        // The server's pip finds only the local wheels; over ssh these would
        // be the server's own settings.
        let out: Output = self
            .command("git", &self.work)
            .args(["push", "production", "main"])
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &self.wheelhouse)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .expect("git push");
        assert_success("git push", &out);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// What the app, run with the env's Python as the docs say, can import.
    fn importable(&self) -> Vec<String> {
        let out = Command::new(self.app.join("antenv/bin/python"))
            .current_dir(&self.app)
            .args([
                "-c",
                "import importlib.util as u\nfor n in ['alpha', 'bravo', 'charlie']:\n    \
                 print(n) if u.find_spec(n) else None",
            ])
            .output()
            .expect("run the app's python");
        assert_success("the app's python", &out);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

#[test]
fn the_documented_post_receive_deploys_and_never_keeps_a_removed_package() {
    let server = Server::new();
    server.write("app.py", "print('v1')\n");
    server.write("requirements.txt", "alpha\nbravo\n");
    let first = server.push("first deployment");
    assert!(first.contains("Finished successfully."), "{first}");
    assert_eq!(server.importable(), ["alpha", "bravo"]);
    assert_eq!(
        fs::read_to_string(server.app.join("app.py")).unwrap(),
        "print('v1')\n"
    );

    // Adding reuses the env.
    let planted = server.app.join("antenv/planted-by-test");
    fs::write(&planted, "").unwrap();
    server.write("requirements.txt", "alpha\nbravo\ncharlie\n");
    server.push("add charlie");
    assert_eq!(server.importable(), ["alpha", "bravo", "charlie"]);
    assert!(planted.exists(), "the env persists between pushes");

    // A removal without envguard's hook (a teammate without it, --no-verify).
    server.write("requirements.txt", "alpha\ncharlie\n");
    let bypass = server.push("remove bravo, no marker");
    assert!(bypass.contains("was the hook bypassed?"), "{bypass}");
    assert_eq!(server.importable(), ["alpha", "charlie"]);

    // With the hook's marker.
    server.write("requirements.txt", "alpha\n");
    server.write(".envguard/force-clean", &format!("{}\n", token(4)));
    let marked = server.push("remove charlie, with a marker");
    assert!(
        marked.contains("is new: deleting the virtual environment"),
        "{marked}"
    );
    assert_eq!(server.importable(), ["alpha"]);
    assert!(
        !server.app.join(".envguard").exists(),
        "the marker is not deployed"
    );

    // A failed deployment says so and keeps the env.
    let planted = server.app.join("antenv/planted-by-test");
    fs::write(&planted, "").unwrap();
    server.write("requirements.txt", "alpha\nno-such-package\n");
    server.write(".envguard/force-clean", &format!("{}\n", token(5)));
    let failed = server.push("a requirement pip cannot find");
    assert!(failed.contains("deployment of"), "{failed}");
    assert!(failed.contains("failed"), "{failed}");
    assert!(planted.exists(), "the previous env stays");
    assert_eq!(server.importable(), ["alpha"]);
}
