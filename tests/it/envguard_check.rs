//! `hooks/envguard_check.py` against real environments: a real
//! `python3 -m venv`, real `pip install --no-index --find-links` from wheels
//! each test builds itself (`tests/data/checker/make_wheels.py`), then the
//! checker run by the env's own Python.
//!
//! Every check runs twice and must give the same verdict: once as the
//! servers run it (Python 3.8+: `importlib.metadata`, `tomllib`), and once
//! with `importlib.metadata`, `tomllib` and pip's vendored `tomli` made
//! unimportable, which forces the code path of legacy Windows sites' Python
//! 2.7/3.4/3.6 (metadata files read directly, envguard.toml read by hand).
//! That the file's syntax and modules suit those Pythons is checked by
//! `vermin` in `.ci/run` (only CPython 3.11 is on these machines).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use envguard_core::names::CanonicalName;
use tempfile::TempDir;

use crate::common::tsv;

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/envguard_check.py");
const MAKE_WHEELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/checker/make_wheels.py"
);
/// An in-tree PEP 517/660 build backend: pip builds a project with it offline.
const BACKEND: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/checker/backend.py");

/// Runs the checker with the code path of Pythons without
/// importlib.metadata: the checker's own imports of `importlib.metadata`,
/// `tomllib` and pip's vendored `tomli` fail (pip's own imports are left
/// alone: this pip needs them).
const LEGACY_RUNNER: &str = "import builtins, runpy, sys
checker = sys.argv[1]
real_import = builtins.__import__
def legacy_import(name, globals=None, locals=None, fromlist=(), level=0):
    if (globals or {}).get('__file__') == checker and (
        name in ('importlib.metadata', 'tomllib')
        or (name == 'pip._vendor' and 'tomli' in (fromlist or ()))
    ):
        raise ImportError('no ' + name + ' on this Python')
    return real_import(name, globals, locals, fromlist, level)
builtins.__import__ = legacy_import
sys.argv = sys.argv[1:]
runpy.run_path(checker, run_name='__main__')
";

/// One `python3 -m venv` per test run, copied for each test (a venv with its
/// pip takes seconds to make; a copy, a fraction of one).
fn template_venv() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("envguard-check-venv");
        let _ = fs::remove_dir_all(&path);
        let out = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&path)
            .output()
            .expect("run python3 -m venv");
        assert_success("python3 -m venv", &out);
        path
    })
}

/// A package of the wheelhouse: name, version, Requires-Dist, Provides-Extra.
struct Wheel<'a> {
    name: &'a str,
    version: &'a str,
    requires: &'a [&'a str],
    extras: &'a [&'a str],
}

const fn w<'a>(name: &'a str, requires: &'a [&'a str]) -> Wheel<'a> {
    Wheel {
        name,
        version: "1.0",
        requires,
        extras: &[],
    }
}

/// A package without dependencies, at a version.
const fn v<'a>(name: &'a str, version: &'a str) -> Wheel<'a> {
    Wheel {
        name,
        version,
        requires: &[],
        extras: &[],
    }
}

fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn json_list(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| json_str(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A wheel's spec as make_wheels.py and backend.py read it.
fn spec_json(w: &Wheel) -> String {
    format!(
        "{{\"name\": {}, \"version\": {}, \"requires\": {}, \"extras\": {}}}",
        json_str(w.name),
        json_str(w.version),
        json_list(w.requires),
        json_list(w.extras)
    )
}

/// A venv, a wheelhouse, and the app's files.
struct Env {
    _dir: TempDir,
    root: PathBuf,
}

/// What the checker said.
#[derive(Debug)]
struct Verdict {
    code: i32,
    leftovers: Vec<String>,
    stderr: String,
}

impl Env {
    fn new(wheels: &[Wheel]) -> Env {
        let dir = tempfile::Builder::new()
            .prefix("envguard-check")
            .tempdir()
            .expect("tempdir");
        let env = Env {
            root: dir.path().to_path_buf(),
            _dir: dir,
        };
        let out = Command::new("cp")
            .arg("-a")
            .arg(template_venv())
            .arg(env.root.join("env"))
            .output()
            .expect("run cp");
        assert_success("copying the venv", &out);
        fs::create_dir_all(env.root.join("wheels")).expect("mkdir");
        let spec: Vec<String> = wheels.iter().map(spec_json).collect();
        env.write("spec.json", format!("[{}]", spec.join(",\n")));
        let out = Command::new("python3")
            .arg(MAKE_WHEELS)
            .arg(env.root.join("wheels"))
            .arg(env.root.join("spec.json"))
            .output()
            .expect("run make_wheels.py");
        assert_success("building wheels", &out);
        env
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
    }

    /// A project in the folder `dir` that pip builds with [`BACKEND`]
    /// (`requires = []`, so build isolation needs no index), as `spec`.
    fn project(&self, dir: &str, spec: &Wheel) {
        self.write(
            &format!("{dir}/pyproject.toml"),
            "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
        );
        self.write(&format!("{dir}/project.json"), spec_json(spec));
        for (name, source) in [("backend.py", BACKEND), ("make_wheels.py", MAKE_WHEELS)] {
            fs::copy(source, self.root.join(dir).join(name)).expect("copy the backend");
        }
    }

    fn python(&self) -> PathBuf {
        self.root.join("env/bin/python")
    }

    fn site_packages(&self) -> PathBuf {
        let lib = self.root.join("env/lib");
        let version = fs::read_dir(&lib)
            .expect("read env/lib")
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with("python"))
            .expect("env/lib/pythonX.Y");
        version.path().join("site-packages")
    }

    /// `pip install --no-index --find-links wheels ARGS` in the env.
    fn pip_install(&self, args: &[&str]) {
        let out = Command::new(self.python())
            .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
            .arg(self.root.join("wheels"))
            .args(args)
            .current_dir(&self.root)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .expect("run pip");
        assert_success(&format!("pip install {}", args.join(" ")), &out);
    }

    fn run(&self, legacy: bool, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.python());
        if legacy {
            cmd.args(["-c", LEGACY_RUNNER]);
        }
        cmd.arg(CHECKER)
            .args(args)
            .current_dir(&self.root)
            .env_remove("PYTHONPATH")
            .output()
            .expect("run the checker")
    }

    /// The checker's verdict, the same on both code paths.
    fn check(&self, args: &[&str]) -> Verdict {
        let verdicts: Vec<Verdict> = [false, true]
            .into_iter()
            .map(|legacy| {
                let out = self.run(legacy, args);
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                for line in stderr.lines() {
                    assert!(
                        line.starts_with("envguard-check: "),
                        "every diagnostic is prefixed (legacy path: {legacy}):\n{stderr}"
                    );
                }
                Verdict {
                    code: out.status.code().unwrap_or(-1),
                    leftovers: String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .map(str::to_string)
                        .collect(),
                    stderr,
                }
            })
            .collect();
        let [modern, legacy] = <[Verdict; 2]>::try_from(verdicts).expect("two runs");
        assert_eq!(
            (modern.code, &modern.leftovers),
            (legacy.code, &legacy.leftovers),
            "importlib.metadata and the direct reading disagree:\n{modern:#?}\n{legacy:#?}"
        );
        modern
    }

    /// `-r requirements.txt` plus `more`, which must list exactly `leftovers`.
    fn expect(&self, more: &[&str], leftovers: &[&str]) -> Verdict {
        let mut args = vec!["-r", "requirements.txt"];
        args.extend_from_slice(more);
        let verdict = self.check(&args);
        assert_eq!(verdict.leftovers, leftovers, "{verdict:#?}");
        assert_eq!(
            verdict.code,
            if leftovers.is_empty() { 0 } else { 1 },
            "{verdict:#?}"
        );
        verdict
    }
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

const REQUESTS: Wheel = Wheel {
    name: "requests",
    version: "2.31.0",
    requires: &[
        "urllib3<3,>=1.21.1",
        "idna (>=2.5)",
        "PySocks!=1.5.7,>=1.5.6; extra == \"socks\"",
        "chardet<6,>=3.0.2; extra == \"use_chardet_on_py3\"",
    ],
    extras: &["socks", "use_chardet_on_py3"],
};

#[test]
fn an_extra_keeps_its_dependency_and_dropping_it_leaves_it_over() {
    let env = Env::new(&[
        REQUESTS,
        v("urllib3", "2.0.7"),
        v("idna", "3.4"),
        v("PySocks", "1.7.1"),
        v("chardet", "5.2.0"),
    ]);
    env.write("requirements.txt", "requests[socks]\n");
    env.pip_install(&["-r", "requirements.txt"]);
    env.expect(&[], &[]);

    env.write("requirements.txt", "requests\n");
    env.expect(&[], &["pysocks==1.7.1"]);

    // An extra spelled otherwise (PEP 685) is the same extra.
    env.write("requirements.txt", "Requests[SOCKS]\n");
    env.expect(&[], &[]);
    env.pip_install(&["requests[use_chardet_on_py3]"]);
    env.write("requirements.txt", "requests[socks,use.chardet.on.py3]\n");
    env.expect(&[], &[]);
    env.write("requirements.txt", "requests[socks]\n");
    env.expect(&[], &["chardet==5.2.0"]);
}

#[test]
fn an_upgrade_that_drops_a_dependency_leaves_it_over() {
    let env = Env::new(&[
        w("app", &["helper"]),
        Wheel {
            name: "app",
            version: "2.0",
            requires: &["newhelper"],
            extras: &[],
        },
        w("helper", &[]),
        w("newhelper", &[]),
    ]);
    env.write("requirements.txt", "app==1.0\n");
    env.pip_install(&["-r", "requirements.txt"]);
    env.expect(&[], &[]);
    // Every top-level name stays; pip upgrades app and keeps helper.
    env.write("requirements.txt", "app==2.0\n");
    env.pip_install(&["-r", "requirements.txt"]);
    env.expect(&[], &["helper==1.0"]);
}

#[test]
fn markers_are_evaluated_for_this_python() {
    let env = Env::new(&[
        w(
            "app",
            &[
                "backport; python_version < \"3.8\"",
                "modern; python_version >= \"3.8\"",
                "winonly; sys_platform == \"win32\"",
            ],
        ),
        w("backport", &[]),
        w("modern", &[]),
        w("winonly", &[]),
        w("oldtool", &[]),
    ]);
    env.pip_install(&["app", "backport", "winonly", "oldtool"]);
    env.write("requirements.txt", "app\n");
    env.expect(&[], &["backport==1.0", "oldtool==1.0", "winonly==1.0"]);

    // A requirement whose own marker fails here was not installed by pip:
    // it reaches nothing.
    env.write(
        "requirements.txt",
        "app\noldtool; python_version < \"3\"\nwinonly ; platform_system != \"Linux\"\n",
    );
    env.expect(&[], &["backport==1.0", "oldtool==1.0", "winonly==1.0"]);
    env.write(
        "requirements.txt",
        "app\noldtool; python_version >= \"3\"\n",
    );
    env.expect(&[], &["backport==1.0", "winonly==1.0"]);
}

#[test]
fn names_are_compared_as_pep_503_says() {
    let env = Env::new(&[
        w("Flask_Cors", &["Zope.Interface>=0.5"]),
        w("zope-interface", &[]),
        w("My_Odd.Name", &[]),
        w("ruamel.yaml", &["ruamel.yaml.clib"]),
        w("ruamel.yaml.clib", &[]),
    ]);
    env.pip_install(&["Flask_Cors", "My_Odd.Name", "ruamel.yaml"]);
    env.write("requirements.txt", "flask.cors\nRUAMEL-YAML\n");
    env.expect(&[], &["my-odd-name==1.0"]);
    env.write(
        "requirements.txt",
        "FLASK-cors\nruamel_yaml\nmy__odd--name\n",
    );
    env.expect(&[], &[]);
}

#[test]
fn cycles_and_diamonds_end_and_reach_everything_once() {
    let env = Env::new(&[
        w("top", &["left", "right"]),
        w("left", &["base[fast]", "top"]),
        w("right", &["base", "right"]),
        Wheel {
            name: "base",
            version: "2.0",
            requires: &["speedups; extra == \"fast\"", "left"],
            extras: &["fast"],
        },
        w("speedups", &["base"]),
        w("island", &["islet"]),
        w("islet", &["island"]),
    ]);
    env.pip_install(&["top", "island"]);
    env.write("requirements.txt", "top\n");
    env.expect(&[], &["island==1.0", "islet==1.0"]);
    env.write("requirements.txt", "right\n");
    // right -> base -> left -> base[fast] -> speedups, and left -> top.
    env.expect(&[], &["island==1.0", "islet==1.0"]);
    env.write("requirements.txt", "islet\n");
    env.expect(
        &[],
        &[
            "base==2.0",
            "left==1.0",
            "right==1.0",
            "speedups==1.0",
            "top==1.0",
        ],
    );
}

#[test]
fn includes_are_followed_and_constraints_add_nothing() {
    let env = Env::new(&[
        w("alpha", &[]),
        w("bravo", &["charlie"]),
        w("charlie", &[]),
        w("delta", &[]),
    ]);
    env.pip_install(&["alpha", "bravo", "delta"]);
    env.write(
        "requirements.txt",
        "# the app\nalpha \\\n  >=1.0  # pinned below\n-r reqs/base.txt\n-c constraints.txt\n",
    );
    // -r inside an include is relative to the including file, as pip reads it.
    env.write("reqs/base.txt", "-r more.txt\n");
    env.write("reqs/more.txt", "bravo --hash=sha256:00\n");
    env.write("constraints.txt", "delta==1.0\n");
    env.expect(&[], &["delta==1.0"]);

    // Several -r arguments add up.
    env.write("extra.txt", "delta\n");
    env.expect(&["-r", "extra.txt"], &[]);
}

#[test]
fn kept_names_and_what_they_need_are_never_leftovers() {
    let env = Env::new(&[
        w("app", &[]),
        w("Gunicorn", &["packaging_tool"]),
        w("packaging-tool", &[]),
        w("debug.toolbar", &[]),
        w("stray", &[]),
    ]);
    env.pip_install(&["app", "gunicorn", "debug.toolbar", "stray"]);
    env.write("requirements.txt", "app\n");
    env.expect(
        &[],
        &[
            "debug-toolbar==1.0",
            "gunicorn==1.0",
            "packaging-tool==1.0",
            "stray==1.0",
        ],
    );
    env.expect(&["--keep", " gunicorn , Debug_Toolbar,"], &["stray==1.0"]);
    env.write(
        "envguard.toml",
        "remotes = [\"azure\"]  # keep = [\"nope\"]\n\
         keep = [\n  \"GUNICORN\", # the server\n  'debug-toolbar',\n]\n\
         [other]\nkeep = [\"stray\"]\n",
    );
    env.expect(&["--config", "envguard.toml"], &["stray==1.0"]);
    env.expect(&["--config", "envguard.toml", "--keep=stray"], &[]);
    // No envguard.toml in the repository: no keep list, nothing to judge.
    env.expect(
        &["--config", "missing/envguard.toml"],
        &[
            "debug-toolbar==1.0",
            "gunicorn==1.0",
            "packaging-tool==1.0",
            "stray==1.0",
        ],
    );

    env.write("envguard.toml", "keep = \"gunicorn\"\n");
    let verdict = env.check(&["-r", "requirements.txt", "--config", "envguard.toml"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(
        verdict.stderr.contains("keep must be an array of strings"),
        "{verdict:#?}"
    );
}

/// `tests/data/keep.tsv`, the server's side: every case run by the real
/// checker, on both of its readers of envguard.toml, against an env where
/// every distribution of the table is installed and none is required.
#[test]
fn keep_is_read_as_the_shared_table_says() {
    let rows = tsv::KEEP.rows::<6>();
    let mut names: Vec<&str> = rows
        .iter()
        .map(|row| row[2])
        .filter(|name| !["pip", "setuptools", "wheel"].contains(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    let wheels: Vec<Wheel> = names.iter().map(|name| w(name, &[])).collect();
    let env = Env::new(&wheels);
    env.pip_install(&names);
    env.write(
        "requirements.txt",
        "# every distribution is a leftover unless kept\n",
    );
    for [_, server, distribution, keep, name, toml] in rows {
        let keep = tsv::value(keep);
        let mut args = vec!["-r", "requirements.txt"];
        if let Some(keep) = &keep {
            args.extend(["--keep", keep]);
        }
        let _ = fs::remove_file(env.root.join("envguard.toml"));
        if toml != "-" {
            env.write("envguard.toml", tsv::unescape(toml));
            args.extend(["--config", "envguard.toml"]);
        }
        let listed = format!("{}==", CanonicalName::new(distribution));
        let verdicts = [false, true].map(|legacy| {
            let out = env.run(legacy, &args);
            let stdout = String::from_utf8_lossy(&out.stdout);
            match out.status.code() {
                Some(3) => "cannot-judge",
                Some(0 | 1) if stdout.lines().any(|l| l.starts_with(&listed)) => "counted",
                Some(0 | 1) => "kept",
                _ => panic!("{name}: {out:?}"),
            }
        });
        let want = server.split_once('/').unwrap_or((server, server));
        assert_eq!((verdicts[0], verdicts[1]), want, "{name}: (modern, legacy)");
    }
}

/// `tests/data/canonical_names.tsv`, the server's side: the checker's own
/// `canonical()`, run by this machine's python3 on the real file.
#[test]
fn names_are_canonical_as_the_shared_table_says() {
    const CANONICAL: &str = "import json, runpy, sys
canonical = runpy.run_path(sys.argv[1])['canonical']
names = json.loads(sys.stdin.read())
sys.stdout.write(json.dumps([canonical(name) for name in names]))
";
    let cases = tsv::CANONICAL_NAMES.cases();
    let names: Vec<String> = cases
        .iter()
        .map(|(_, _, bytes)| String::from_utf8(bytes.clone()).expect("UTF-8"))
        .collect();
    let mut child = Command::new("python3")
        .args(["-c", CANONICAL, CHECKER])
        .env_remove("PYTHONPATH")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python3");
    let input = serde_json::to_string(&names).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().expect("python3");
    assert_success("the checker's canonical()", &out);
    let got: Vec<String> = serde_json::from_slice(&out.stdout).expect("JSON");
    for ((want, name, _), got) in cases.iter().zip(&got) {
        let want = String::from_utf8(tsv::unescape(want)).unwrap();
        assert_eq!(got, &want, "{name}");
    }
    assert_eq!(got.len(), cases.len());
}

#[test]
fn egg_info_metadata_is_read_with_its_sections() {
    let env = Env::new(&[w("app", &["legacy"]), w("tool", &[]), w("winlib", &[])]);
    env.pip_install(&["--no-deps", "app"]);
    env.pip_install(&["tool", "winlib"]);
    // A distutils/setuptools install: PKG-INFO and requires.txt, with an
    // extra section and a marker section.
    let egg = env.site_packages().join("Legacy_Pkg-0.9-py3.11.egg-info");
    fs::create_dir_all(&egg).expect("mkdir");
    fs::write(
        egg.join("PKG-INFO"),
        "Metadata-Version: 1.1\nName: Legacy.Pkg\nVersion: 0.9\n",
    )
    .expect("write PKG-INFO");
    fs::write(
        egg.join("requires.txt"),
        "tool\n\n[cli]\nwinlib\n\n[:sys_platform == \"win32\"]\nwinlib\n",
    )
    .expect("write requires.txt");
    // A single-file egg-info, as distutils writes it.
    fs::write(
        env.site_packages().join("flat-1.2.egg-info"),
        "Metadata-Version: 1.0\nName: flat\nVersion: 1.2\n",
    )
    .expect("write flat egg-info");

    env.write("requirements.txt", "app\n");
    env.expect(
        &[],
        &["flat==1.2", "legacy-pkg==0.9", "tool==1.0", "winlib==1.0"],
    );
    // "legacy" names Legacy.Pkg by PEP 503: its requires.txt counts.
    fs::rename(&egg, env.site_packages().join("legacy-0.9-py3.11.egg-info")).expect("rename");
    fs::write(
        env.site_packages()
            .join("legacy-0.9-py3.11.egg-info/PKG-INFO"),
        "Metadata-Version: 1.1\nName: Legacy\nVersion: 0.9\n",
    )
    .expect("write PKG-INFO");
    env.expect(&[], &["flat==1.2", "winlib==1.0"]);
    env.write("requirements.txt", "app\nlegacy[cli]\n");
    env.expect(&[], &["flat==1.2"]);
}

#[test]
fn broken_metadata_is_reported_and_never_a_traceback() {
    let env = Env::new(&[
        w(
            "app",
            &["helper", "this is not a requirement", "needed (>=1"],
        ),
        w("helper", &[]),
        w("needed", &[]),
        w("other", &[]),
    ]);
    // pip itself refuses app's Requires-Dist: installed without it.
    env.pip_install(&["--no-deps", "app"]);
    env.pip_install(&["helper", "needed", "other"]);
    env.write("requirements.txt", "app\n");
    // A Requires-Dist that does not parse keeps its leading name: when in
    // doubt, required.
    let verdict = env.expect(&[], &["other==1.0"]);
    assert!(
        verdict.stderr.contains("does not parse")
            && verdict.stderr.contains("needed counted as required"),
        "{verdict:#?}"
    );

    // A .dist-info without METADATA: nothing can be said about the env.
    let broken = env.site_packages().join("Broken-1.0.dist-info");
    fs::create_dir_all(&broken).expect("mkdir");
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(verdict.leftovers.is_empty(), "{verdict:#?}");
    assert!(
        verdict.stderr.contains("cannot judge this environment")
            && verdict.stderr.contains("Broken-1.0.dist-info"),
        "{verdict:#?}"
    );
    fs::write(
        broken.join("METADATA"),
        "Metadata-Version: 2.1\nVersion: 1.0\n",
    )
    .expect("write");
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(verdict.stderr.contains("no Name"), "{verdict:#?}");
}

#[test]
fn what_pip_cannot_read_cannot_be_judged() {
    let env = Env::new(&[w("app", &[])]);
    env.pip_install(&["app"]);
    // A project folder: pip knows its name only once it has built it.
    env.write("some/folder/setup.py", "");
    for (what, requirements) in [
        ("a missing include", "app\n-r missing.txt\n"),
        (
            "an include by URL",
            "app\n-r https://example.invalid/r.txt\n",
        ),
        ("an unnamed requirement", "app\n./some/folder\n"),
    ] {
        env.write("requirements.txt", requirements);
        let verdict = env.check(&["-r", "requirements.txt"]);
        assert_eq!(verdict.code, 3, "{what}: {verdict:#?}");
        assert!(verdict.leftovers.is_empty(), "{what}: {verdict:#?}");
        assert!(
            verdict.stderr.contains("cannot judge this environment"),
            "{what}: {verdict:#?}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new(&[]);
    env.write("requirements.txt", "");
    for args in [
        &[][..],
        &["--keep", "a"][..],
        &["-r"][..],
        &["-r", "requirements.txt", "--bogus"][..],
        &["-r", "requirements.txt", "--config"][..],
    ] {
        let verdict = env.check(args);
        assert_eq!(verdict.code, 2, "{args:?}: {verdict:#?}");
        assert!(verdict.stderr.contains("usage: "), "{verdict:#?}");
    }
    // An empty requirements file: pip, setuptools (and wheel) are no leftovers.
    env.expect(&[], &[]);
    env.expect(
        &["--requirement=requirements.txt", "-rrequirements.txt"],
        &[],
    );
}

/// An app that installs itself: it needs `dep-a`, and `speedup` with its
/// extra `fast`. Mixed case and `_`: the checker reports it as `my-app`.
const MY_APP: Wheel = Wheel {
    name: "My_App",
    version: "1.0",
    requires: &["dep-a", "speedup; extra == \"fast\""],
    extras: &["fast"],
};

/// The project's dependencies and a real leftover beside them.
fn app_env() -> Env {
    Env::new(&[w("dep-a", &[]), w("speedup", &[]), w("old-thing", &[])])
}

#[test]
fn an_editable_project_is_named_by_its_direct_url_json() {
    let env = app_env();
    env.project(".", &MY_APP);
    env.write("requirements.txt", "-e .\n");
    env.pip_install(&["-r", "requirements.txt"]);
    env.pip_install(&["old-thing", "speedup"]);
    let verdict = env.expect(&[], &["old-thing==1.0", "speedup==1.0"]);
    assert!(
        verdict.stderr.contains("is my-app (its direct_url.json)"),
        "{verdict:#?}"
    );

    // With the extra, what the extra needs is reached too.
    env.write("requirements.txt", "-e .[fast]\n");
    env.pip_install(&["-r", "requirements.txt"]);
    env.expect(&[], &["old-thing==1.0"]);

    // Taken out of the requirements, the project is a leftover like any
    // other, and so is what only it needed.
    env.write("requirements.txt", "old-thing\n");
    env.expect(&[], &["dep-a==1.0", "my-app==1.0", "speedup==1.0"]);
}

#[test]
fn a_project_folder_is_named_by_its_direct_url_json() {
    let env = app_env();
    env.project("mypkg", &MY_APP);
    env.write("requirements.txt", "./mypkg\n");
    env.pip_install(&["-r", "requirements.txt"]);
    env.pip_install(&["old-thing"]);
    env.expect(&[], &["old-thing==1.0"]);
    // The same folder spelled otherwise is the same origin: pip writes the
    // absolute path without a trailing slash.
    let url = format!("file://{}/mypkg/", env.root.display());
    for spelling in ["mypkg/.", "./mypkg/", url.as_str()] {
        env.write("requirements.txt", format!("{spelling}\n"));
        env.expect(&[], &["old-thing==1.0"]);
    }
    // An editable requirement is not what pip installed from the folder.
    env.write("requirements.txt", "-e ./mypkg\n");
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
}

#[test]
fn a_vcs_requirement_is_named_by_its_url_and_revision() {
    let env = app_env();
    env.project("repo", &MY_APP);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(env.root.join("repo"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert_success(&format!("git {}", args.join(" ")), &out);
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "the app"]);
    let url = format!("git+file://{}/repo", env.root.display());
    env.write("requirements.txt", format!("{url}@main\n"));
    env.pip_install(&["-r", "requirements.txt"]);
    env.pip_install(&["old-thing"]);
    env.expect(&[], &["old-thing==1.0"]);
    // Another revision was not what pip installed.
    env.write("requirements.txt", format!("{url}@v2\n"));
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    // (pip shows `file:///` as `file:/`.)
    assert!(
        verdict.stderr.contains("/repo@v2")
            && verdict
                .stderr
                .contains("no installed distribution records it"),
        "{verdict:#?}"
    );
}

#[test]
fn an_unnamed_requirement_nothing_records_cannot_be_judged() {
    let env = app_env();
    env.project("mypkg", &MY_APP);
    env.project("other", &w("other", &[]));
    env.pip_install(&["./mypkg", "old-thing"]);
    for requirement in [
        "git+https://example.invalid/app.git@v1",
        "https://example.invalid/app-1.0.tar.gz",
        "./other",
        "-e ./other",
    ] {
        env.write("requirements.txt", format!("dep-a\n{requirement}\n"));
        let verdict = env.check(&["-r", "requirements.txt"]);
        assert_eq!(verdict.code, 3, "{requirement}: {verdict:#?}");
        assert!(verdict.leftovers.is_empty(), "{requirement}: {verdict:#?}");
        let shown = requirement.replace("./other", &format!("file://{}/other", env.root.display()));
        assert!(
            verdict.stderr.contains("cannot judge this environment")
                && verdict.stderr.contains(&shown)
                && verdict
                    .stderr
                    .contains("no installed distribution records it"),
            "{requirement}: {verdict:#?}"
        );
    }
}

#[test]
fn a_renamed_project_or_a_broken_direct_url_json_cannot_be_judged() {
    let env = app_env();
    env.project("mypkg", &MY_APP);
    env.write("requirements.txt", "./mypkg\n");
    env.pip_install(&["-r", "requirements.txt"]);
    // The project renames itself: pip installs the new name and keeps the
    // old one, and both record the folder. Which is the requirement?
    env.write(
        "mypkg/project.json",
        spec_json(&Wheel {
            name: "new-app",
            ..MY_APP
        }),
    );
    env.pip_install(&["-r", "requirements.txt"]);
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(
        verdict.stderr.contains("my-app, new-app all record it"),
        "{verdict:#?}"
    );

    let dist_info = env.site_packages().join("new_app-1.0.dist-info");
    fs::remove_dir_all(env.site_packages().join("My_App-1.0.dist-info")).expect("rm");
    env.expect(&[], &[]);
    fs::write(dist_info.join("direct_url.json"), "{\"url\": ").expect("write");
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(
        verdict.stderr.contains("direct_url.json is not readable"),
        "{verdict:#?}"
    );
    // Only an unnamed requirement needs direct_url.json.
    env.write("requirements.txt", "new-app\n");
    env.expect(&[], &[]);
}

/// pip lists an installed distribution by its metadata folder's name
/// (`<name>-<version>.dist-info`; pip's metadata/importlib/_compat.py),
/// import and other distributions' Requires-Dist by METADATA's `Name`.
/// Where the two disagree, or two folders of one site-packages claim one
/// name, the metadata contradicts itself: the check cannot judge, and names
/// both, rather than let one hide the other.
#[test]
fn metadata_that_contradicts_itself_cannot_be_judged() {
    let env = Env::new(&[w("alpha", &[]), w("charlie", &[])]);
    // A real wheel whose folder says bravo and whose METADATA says alpha;
    // pip installs it from its path.
    let impostor = env.root.join("impostor");
    fs::create_dir_all(&impostor).expect("mkdir");
    fs::write(
        env.root.join("impostor.json"),
        r#"[{"name": "bravo", "version": "1.0", "metadata_name": "alpha"}]"#,
    )
    .expect("write");
    let out = Command::new("python3")
        .arg(MAKE_WHEELS)
        .arg(&impostor)
        .arg(env.root.join("impostor.json"))
        .output()
        .expect("run make_wheels.py");
    assert_success("building the impostor wheel", &out);
    env.pip_install(&["alpha", "charlie"]);
    env.pip_install(&[
        "--no-deps",
        impostor
            .join("bravo-1.0-py3-none-any.whl")
            .to_str()
            .expect("UTF-8"),
    ]);
    env.write("requirements.txt", "alpha\ncharlie\n");
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(verdict.leftovers.is_empty(), "{verdict:#?}");
    assert!(
        verdict
            .stderr
            .contains("bravo-1.0.dist-info: its folder names bravo, its METADATA names alpha"),
        "{verdict:#?}"
    );

    // Two folders of one site-packages claiming one name.
    let site = env.site_packages();
    fs::remove_dir_all(site.join("bravo-1.0.dist-info")).expect("rm");
    env.expect(&[], &[]);
    let copy = Command::new("cp")
        .arg("-a")
        .arg(site.join("charlie-1.0.dist-info"))
        .arg(site.join("Charlie-0.9.dist-info"))
        .output()
        .expect("cp");
    assert_success("copying a dist-info", &copy);
    let verdict = env.check(&["-r", "requirements.txt"]);
    assert_eq!(verdict.code, 3, "{verdict:#?}");
    assert!(
        verdict.stderr.contains("Charlie-0.9.dist-info")
            && verdict.stderr.contains("charlie-1.0.dist-info")
            && verdict
                .stderr
                .contains("both claim the name charlie in one folder"),
        "{verdict:#?}"
    );
}

/// One case of [`the_satisfied_proof_agrees_with_real_pip`]: what is
/// installed (`pip install --no-deps`), the requirements, the variables
/// pip runs with, and whether the checker proves pip would install nothing.
struct Satisfied<'a> {
    what: &'a str,
    installed: &'a [&'a str],
    requirements: &'a str,
    vars: &'a [(&'a str, &'a str)],
    proven: bool,
}

/// `--files --satisfied` (deploy.sh skips pip or uv on it): wherever the
/// checker says `satisfied`, real pip, asked the same (`pip install --dry-run
/// --report`), installs nothing, and so does real uv when it can be had; and
/// each case it must not prove (pip installs something, or a setting or
/// option may make it) says why.
#[test]
fn the_satisfied_proof_agrees_with_real_pip() {
    const WHEELS: &[Wheel] = &[
        w("alpha", &[]),
        v("alpha", "2.0"),
        v("beta-pre", "2.0rc1"),
        w("bravo", &["charlie"]),
        w("charlie", &[]),
        v("charlie", "2.0"),
        w("needs-new", &["charlie (>=2.0)"]),
        REQUESTS,
        v("urllib3", "2.2.1"),
        v("idna", "3.6"),
        v("pysocks", "1.7.1"),
        v("Mixed_Case.Name", "1.0"),
    ];
    let cases = [
        Satisfied {
            what: "everything installed",
            installed: &["alpha==1.0", "bravo", "charlie==1.0"],
            requirements: "alpha\nbravo\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "a removal",
            installed: &["alpha==1.0", "bravo", "charlie==1.0"],
            requirements: "alpha\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "a pin the installed version meets",
            installed: &["alpha==1.0"],
            requirements: "alpha==1.0 ; python_version >= '3'\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "a bump",
            installed: &["alpha==1.0"],
            requirements: "alpha==2.0\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "a new requirement",
            installed: &["alpha==1.0"],
            requirements: "alpha\ncharlie\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "a dependency missing",
            installed: &["bravo"],
            requirements: "bravo\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "a dependency too old (parenthesised specifier)",
            installed: &["needs-new", "charlie==1.0"],
            requirements: "needs-new\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "an installed prerelease, allowed as pip allows it",
            installed: &["beta-pre==2.0rc1"],
            requirements: "beta-pre>=1.0\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "an extra whose dependency is missing",
            installed: &["requests", "urllib3", "idna"],
            requirements: "requests[socks]\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "an extra whose dependency is there",
            installed: &["requests", "urllib3", "idna", "pysocks"],
            requirements: "requests[socks]\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "a marker that does not hold",
            installed: &["alpha==1.0"],
            requirements: "alpha\ncharlie; python_version < '3'\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "a name spelled otherwise",
            installed: &["mixed-case-name"],
            requirements: "MIXED.case_name==1.0\n",
            vars: &[],
            proven: true,
        },
        Satisfied {
            what: "a constraint the installed version breaks",
            installed: &["alpha==1.0"],
            requirements: "alpha\n-c constraints.txt\n",
            vars: &[("CONSTRAINT", "alpha==2.0")],
            proven: false,
        },
        Satisfied {
            what: "a constraint the installed version meets",
            installed: &["alpha==1.0"],
            requirements: "alpha\n-c constraints.txt\n",
            vars: &[("CONSTRAINT", "alpha<2")],
            proven: true,
        },
        Satisfied {
            what: "a project from a path",
            installed: &["alpha==1.0"],
            requirements: "alpha\n./project\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "a requirement with a hash",
            installed: &["alpha==1.0"],
            requirements: "alpha==1.0 --hash=sha256:00\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "hash checking for the file",
            installed: &["alpha==1.0"],
            requirements: "--require-hashes\nalpha==1.0\n",
            vars: &[],
            proven: false,
        },
        Satisfied {
            what: "PIP_UPGRADE",
            installed: &["alpha==1.0"],
            requirements: "alpha\n",
            vars: &[("PIP_UPGRADE", "1")],
            proven: false,
        },
        Satisfied {
            what: "PIP_TARGET",
            installed: &["alpha==1.0"],
            requirements: "alpha\n",
            vars: &[("PIP_TARGET", "elsewhere")],
            proven: false,
        },
        Satisfied {
            what: "a pip.conf that upgrades",
            installed: &["alpha==1.0"],
            requirements: "alpha\n",
            vars: &[("PIP_CONFIG_FILE", "upgrade.conf")],
            proven: false,
        },
        Satisfied {
            what: "a pip.conf that names an index",
            installed: &["alpha==1.0"],
            requirements: "alpha\n",
            vars: &[("PIP_CONFIG_FILE", "index.conf"), ("PIP_RETRIES", "3")],
            proven: true,
        },
    ];
    for case in cases {
        // A venv of its own: what is installed is the case's alone.
        let env = Env::new(WHEELS);
        env.pip_install(&[&["--no-deps"][..], case.installed].concat());
        let constraint = case
            .vars
            .iter()
            .find(|(k, _)| *k == "CONSTRAINT")
            .map_or("", |(_, v)| v);
        env.write("constraints.txt", format!("{constraint}\n"));
        env.write("requirements.txt", case.requirements);
        env.write("project/setup.py", "");
        env.write("upgrade.conf", "[install]\nupgrade = true\n");
        env.write(
            "index.conf",
            "[global]\nindex-url = https://example.invalid/simple\n",
        );
        let vars: Vec<(&str, &str)> = case
            .vars
            .iter()
            .copied()
            .filter(|(k, _)| *k != "CONSTRAINT")
            .collect();
        let said: Vec<String> = [false, true]
            .into_iter()
            .map(|legacy| {
                let mut cmd = Command::new(env.python());
                if legacy {
                    cmd.args(["-c", LEGACY_RUNNER]);
                }
                let out = cmd
                    .arg(CHECKER)
                    .args(["--files", "-r", "requirements.txt", "--root", "."])
                    .args(["--inputs", "inputs.txt", "--satisfied"])
                    .current_dir(&env.root)
                    .env_remove("PYTHONPATH")
                    .envs(vars.iter().copied())
                    .output()
                    .expect("run the checker");
                assert_success(case.what, &out);
                let inputs = fs::read_to_string(env.root.join("inputs.txt")).expect("read");
                inputs.lines().next().unwrap_or("").to_string()
            })
            .collect();
        assert_eq!(said[0], said[1], "{}: both code paths", case.what);
        let mut words = said[0].split(' ');
        let proven = words.next() == Some("satisfied");
        assert_eq!(proven, case.proven, "{}: {}", case.what, said[0]);
        if !proven {
            assert!(
                said[0].starts_with("unsatisfied "),
                "{}: {}",
                case.what,
                said[0]
            );
        } else {
            // The same pass lists what the check would: deploy.sh takes it
            // instead of running the check when nothing was installed.
            let listed: Vec<String> = words.map(str::to_string).collect();
            let verdict = env.check(&["-r", "requirements.txt"]);
            assert_eq!(listed, verdict.leftovers, "{}: {verdict:#?}", case.what);
        }
        let report = env.root.join("report.json");
        let out = Command::new(env.python())
            .args(["-m", "pip", "install", "--dry-run", "--report"])
            .arg(&report)
            .args(["-q", "--no-index", "--find-links"])
            .arg(env.root.join("wheels"))
            .args(["-r", "requirements.txt"])
            .current_dir(&env.root)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .envs(vars.iter().copied().filter(|(k, _)| *k != "PIP_TARGET"))
            .output()
            .expect("run pip");
        if !proven {
            continue;
        }
        assert_success(&format!("{}: pip install --dry-run", case.what), &out);
        let report = fs::read_to_string(&report).expect("read pip's report");
        let parsed: serde_json::Value =
            serde_json::from_str(&report).expect("pip's report is JSON");
        assert_eq!(
            parsed["install"].as_array().map(Vec::len),
            Some(0),
            "{}: proven satisfied, yet pip would install:\n{report}",
            case.what
        );
        // deploy.sh takes the proof for uv too (with no UV_* setting of
        // consequence): uv must agree.
        let Some(uv) = crate::kudu::uv() else {
            continue;
        };
        let out = Command::new(&uv.binary)
            .args(["pip", "install", "--dry-run", "--no-config", "--python"])
            .arg(env.python())
            .args(["--no-index", "--find-links"])
            .arg(env.root.join("wheels"))
            .args(["-r", "requirements.txt"])
            .current_dir(&env.root)
            .output()
            .expect("run uv");
        assert_success(&format!("{}: uv pip install --dry-run", case.what), &out);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("Would make no changes"),
            "{}: proven satisfied, yet uv would change:\n{said}",
            case.what
        );
    }
    if crate::kudu::uv().is_none() {
        eprintln!("uv could not be had: the proof was held against pip only");
    }
}
