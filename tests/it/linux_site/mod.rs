//! Both containers of a Linux App Service site, for testing `hooks/deploy.sh`.
//!
//! The **Kudu container** is [`Kudu`]'s simulated local-git deployment, with
//! the variables KuduLite hands a custom `command` (KuduLite
//! `Kudu.Core/Deployment/Generator/ExternalCommandFactory.cs` and
//! `ExternalCommandBuilder.cs`: `DEPLOYMENT_SOURCE`, `DEPLOYMENT_TARGET`,
//! `DEPLOYMENT_TEMP`, `PREVIOUS_MANIFEST_PATH`, `NEXT_MANIFEST_PATH`,
//! `KUDU_SYNC_CMD=kudusync`, `KUDU_SELECT_PYTHON_VERSION_CMD` (broken on
//! Linux), `WEBROOT_PATH`, `SCM_COMMIT_ID`; and the container's own
//! `FRAMEWORK`/`FRAMEWORK_VERSION`/`WEBSITE_PYTHON_VERSION`, which the command
//! inherits). Its PATH holds no Python at all: the site's Python lives under an
//! `/opt/python`-like root, as `/opt/python/<full version>/bin` in Oryx's
//! images, and only the machine's python3 is there, named by its full version.
//!
//! The **app container** starts the site as App Service's Python image does
//! ([`LinuxSite::start`]): `init_container.sh` sets `PYTHONPATH`, runs Oryx's
//! startup-script generator (modelled in `startup.py`, from its Go code) and
//! execs the script it wrote, whose last line would start the app with
//! gunicorn; here a probe asks that interpreter what it can import. Its
//! Python is the runtime image's own ([`RuntimeImage`]), with what the image
//! installs globally. `/home` is the volume both containers share (the Kudu
//! side's root here, so `/home/site/wwwroot` is [`Kudu::wwwroot`]); every
//! other path the app container sees is its own disk, fresh at each start
//! and gone after it, as a container's is.
//!
//! What the harness cannot do: write the real `/antenv` or `/tmp` (the
//! container's disk is a folder of the site's), run the real generator (a Go
//! program; `startup.py` follows its code and refuses what it leaves out),
//! or read a user site-packages (the runtime Python is a venv, so a
//! `__oryx_packages__` folder is refused, not guessed).

use std::collections::BTreeMap;
use std::fs;
use std::hash::{Hash, Hasher};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::kudu::{assert_success, path_str, sh_quote, Kudu};

/// The packages of every Linux site test (see `kudu::build_wheels`):
/// `delta` 1.0 depends on `echo`, 2.0 no longer does; `extra` and `kept` are
/// installed by a `PRE_BUILD_COMMAND`, outside the requirements; `Flask` is
/// a name the runtime image carries too.
pub const WHEELS: &[&str] = &[
    "alpha==1.0",
    "alpha==2.0",
    "bravo==1.0",
    "charlie==1.0",
    "Django==4.2",
    "delta==1.0;echo",
    "delta==2.0",
    "echo==1.0",
    "extra==1.0",
    "kept==1.0",
    "Flask==2.0",
];

/// The app's import names a start is asked about: none of them is in the
/// runtime image (checked when the image is built).
pub const MODULES: &[&str] = &[
    "alpha", "bravo", "charlie", "django", "delta", "echo", "extra", "kept",
];

/// What the runtime image installs globally, as stand-in wheels
/// `(distribution, version, import name, console script)`:
/// - Oryx `images/runtime/python/template.Dockerfile` line 92: `pip install
///   gunicorn debugpy viztracer==0.15.6 vizplugins==0.1.3`; line 93:
///   `orjson==3.11.8` (on the condition written there);
/// - Azure-App-Service/ImageBuilder `GenerateDockerFiles/python/template-3.10/
///   Dockerfile`, built on Oryx's image: lines 22-26 `pip install gunicorn
///   virtualenv flask` (and `subprocess32`, a Python 2 backport, left out);
///   line 67 the `appsvc_code_profiler` wheel of `common/code_profiler/`,
///   whose package is `appsvc_profiler`.
///
/// Unpinned versions are `1.0` here. What pip pulls in for these
/// (Werkzeug, click, packaging, ...) is not modelled: no test asks for it.
pub const IMAGE_PACKAGES: &[(&str, &str, &str, Option<&str>)] = &[
    ("gunicorn", "1.0", "gunicorn", Some("gunicorn")),
    ("debugpy", "1.0", "debugpy", None),
    ("viztracer", "0.15.6", "viztracer", Some("viztracer")),
    ("vizplugins", "0.1.3", "vizplugins", None),
    ("orjson", "3.11.8", "orjson", None),
    ("virtualenv", "1.0", "virtualenv", Some("virtualenv")),
    ("flask", "1.0", "flask", Some("flask")),
    ("appsvc-code-profiler", "1.0.0", "appsvc_profiler", None),
];

/// The modules ImageBuilder copies to `/opt/startup/app_logs` and
/// `/opt/startup/code_profiler` (its `GenerateDockerFiles/python/common/`
/// folders; Dockerfile lines 60-65), which `init_container.sh` puts on
/// `PYTHONPATH`: `(folder, module)`.
pub const STARTUP_MODULES: &[(&str, &str)] = &[
    ("app_logs", "appServiceAppLogs"),
    ("app_logs", "appServiceAppLogsConstants"),
    ("code_profiler", "code_profiler_installer"),
    ("code_profiler", "constants"),
    ("code_profiler", "signal_helper"),
];

/// Every import name the runtime image carries.
pub fn image_modules() -> Vec<&'static str> {
    IMAGE_PACKAGES
        .iter()
        .map(|p| p.2)
        .chain(STARTUP_MODULES.iter().map(|m| m.1))
        .collect()
}

/// Oryx's generator, modelled (see its header).
const STARTUP_PY: &str = include_str!("startup.py");

/// What the running app can import: `probe: name VERSION FILE` per module
/// of `PROBE_NAMES` that imports.
const PROBE: &str = r#"
import importlib, os
for name in os.environ["PROBE_NAMES"].split():
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue
    print("probe:", name, getattr(module, "VERSION", "?"), getattr(module, "__file__", "?"))
"#;

/// The harness's stand-in for the app's command: runs [`PROBE`] in the
/// interpreter of the script `$1`: pip's console scripts start `#!<python>`,
/// or, for a long or spaced path, `#!/bin/sh` then `'''exec' "<python>"
/// "$0" "$@"` (pip's vendored distlib, `scripts.py` `_build_shebang`).
const PROBE_RUNNER: &str = r#"#!/bin/sh
{ IFS= read -r first; IFS= read -r second || true; } <"$1" || exit 3
case $first in
  '#!/bin/sh') interpreter=${second#*\"}; interpreter=${interpreter%%\"*} ;;
  '#!'*) interpreter=${first#??} ;;
  *) echo "harness: cannot read the interpreter of $1" >&2; exit 3 ;;
esac
exec "$interpreter" -c "$PROBE"
"#;

/// Writes a stand-in wheel per `dist version module script` argument (`-`
/// for no console script): the module's `VERSION`, and a `run` that only
/// says what it is.
const IMAGE_WHEELS: &str = r#"
import base64, hashlib, os, sys, zipfile
out = sys.argv[1]
for spec in sys.argv[2:]:
    name, version, module, script = spec.split()
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f'VERSION = "{version}"\n\n\ndef run():\n'
        f'    raise SystemExit("a stand-in for the runtime image\'s {name}")\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: envguard-tests\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    if script != "-":
        files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{script} = {module}:run\n"
    record = ""
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record += f"{path},sha256={b64},{len(text.encode())}\n"
    files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(out, f"{dist}-{version}-py3-none-any.whl"), "w") as whl:
        for path, text in files.items():
            whl.writestr(path, text)
"#;

/// The runtime image's Python and `/opt/startup`, shared by every site of a
/// test run (nothing writes to it). `opt/python/<full version>` is a venv of
/// the machine's python3: its `site-packages` plays the image's global
/// site-packages (`pip install` into `/opt/python/<version>` in the
/// Dockerfiles) and holds [`IMAGE_PACKAGES`]; the machine's own packages are
/// not on its path, as they are not in the image. `opt/startup/<folder>`
/// holds [`STARTUP_MODULES`].
pub struct RuntimeImage {
    pub root: PathBuf,
}

impl RuntimeImage {
    /// Built once and kept in `CARGO_TARGET_TMPDIR` under a name that hashes
    /// what it holds, so later test runs reuse it: built in a folder of its
    /// own (pip writes that path into console scripts), then named by a link,
    /// which only one builder can create.
    fn get(exe: &Path, full: &str) -> &'static RuntimeImage {
        static IMAGE: OnceLock<RuntimeImage> = OnceLock::new();
        IMAGE.get_or_init(|| {
            let mut hasher = std::hash::DefaultHasher::new();
            (exe, full, IMAGE_PACKAGES, STARTUP_MODULES, IMAGE_WHEELS).hash(&mut hasher);
            let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
            let name = format!("envguard-runtime-image-{:016x}", hasher.finish());
            let link = tmp.join(&name);
            if let Ok(root) = fs::read_link(&link) {
                if root.join("complete").exists() {
                    return RuntimeImage { root };
                }
                fs::remove_file(&link).expect("remove a stale image link");
            }
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("time")
                .subsec_nanos();
            let root = tmp.join(format!("{name}.{}.{nanos}", std::process::id()));
            RuntimeImage::build(&root, exe, full);
            match symlink(&root, &link) {
                Ok(()) => RuntimeImage { root },
                Err(_) => {
                    fs::remove_dir_all(&root).expect("remove a duplicate image");
                    RuntimeImage {
                        root: fs::read_link(&link).expect("the image link"),
                    }
                }
            }
        })
    }

    fn build(root: &Path, exe: &Path, full: &str) {
        let python_dir = root.join("opt/python").join(full);
        let out = Command::new(exe)
            .args(["-m", "venv"])
            .arg(&python_dir)
            .output()
            .expect("venv");
        assert_success("the runtime image's Python", &out);
        let python = python_dir.join("bin/python");
        let wheelhouse = root.join("wheelhouse");
        fs::create_dir_all(&wheelhouse).expect("mkdir");
        let specs: Vec<String> = IMAGE_PACKAGES
            .iter()
            .map(|(dist, version, module, script)| {
                format!("{dist} {version} {module} {}", script.unwrap_or("-"))
            })
            .collect();
        let out = Command::new(exe)
            .arg("-c")
            .arg(IMAGE_WHEELS)
            .arg(&wheelhouse)
            .args(&specs)
            .output()
            .expect("python3");
        assert_success("the image's stand-in wheels", &out);
        let out = Command::new(&python)
            .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
            .arg(&wheelhouse)
            .args(IMAGE_PACKAGES.iter().map(|p| p.0))
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .expect("pip");
        assert_success("the image's pip install", &out);
        for (folder, module) in STARTUP_MODULES {
            let dir = root.join("opt/startup").join(folder);
            fs::create_dir_all(&dir).expect("mkdir");
            fs::write(
                dir.join(format!("{module}.py")),
                format!(
                    "# A stand-in for ImageBuilder's common/{folder}/{module}.py\n\
                     VERSION = \"image\"\n"
                ),
            )
            .expect("write a startup module");
        }

        // The image carries its packages and none of the app's names.
        let names = [MODULES, image_modules().as_slice()].concat().join(" ");
        let out = Command::new(&python)
            .arg("-c")
            .arg(PROBE)
            .env_clear()
            .env("PROBE_NAMES", names)
            .output()
            .expect("probe the image");
        assert_success("probing the image", &out);
        let found: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split(' ').nth(1).map(str::to_string))
            .collect();
        let globals: Vec<&str> = IMAGE_PACKAGES.iter().map(|p| p.2).collect();
        assert_eq!(
            found, globals,
            "the image's own site-packages, and only them"
        );
        fs::write(root.join("complete"), "").expect("mark the image complete");
    }
}

/// One start of the app container: whether the site started, its log (the
/// generator's, then the startup script's), the script the generator wrote,
/// and what the app could import, `module -> (VERSION, file)`.
#[derive(Debug)]
pub struct Start {
    pub success: bool,
    pub log: String,
    pub script: String,
    pub imports: BTreeMap<String, (String, PathBuf)>,
}

impl Start {
    /// The app's modules ([`MODULES`]) that imported, sorted.
    pub fn importable(&self) -> Vec<String> {
        self.imports
            .keys()
            .filter(|name| MODULES.contains(&name.as_str()))
            .cloned()
            .collect()
    }
}

/// How an earlier Oryx build left wwwroot (KuduLite
/// `Kudu.Core/Deployment/Oryx/AppServiceOryxArguments.cs`, and
/// `OryxArgumentsHelper.cs` `AddPythonCompressOption`).
#[derive(Clone, Copy, Debug)]
pub enum OryxBuild {
    /// The default, `--compress-destination-dir`: the whole output (app and
    /// `antenv`) in `output.tar.gz`, beside a manifest with
    /// `CompressDestinationDir="true"`.
    CompressedOutput,
    /// With the app setting `KUDU_BUILD_VERSION=0.0.1`, `-p
    /// compress_virtualenv=tar-gz`: the app in wwwroot and the venv in
    /// `antenv.tar.gz`, which the manifest names as
    /// `compressedVirtualEnvFile`.
    CompressedVenv,
}

/// The folder a KuduLite Oryx build runs in (`-i /tmp/<ticks>`;
/// AppServiceOryxArguments.cs `AddTempDirectoryOption`), which the manifest
/// records as `SourceDirectoryInBuildContainer`.
pub const ORYX_BUILD_DIR: &str = "/tmp/8dc4a0f1e2b3c4d";

/// A stand-in for KuduSync (a node tool on the real Kudu): copies `-f` to
/// `-t` without the `-i` names, deletes what the `-p` manifest lists and the
/// source no longer has, and writes the `-n` manifest.
const KUDUSYNC: &str = r#"#!/usr/bin/env bash
set -euo pipefail
while (($#)); do
  case $1 in
    -f) from=$2 ;; -t) to=$2 ;; -n) next=$2 ;; -p) prev=$2 ;; -i) ignore=$2 ;; -v) ;;
    *) echo "kudusync: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
excludes=()
IFS=';' read -r -a names <<<"$ignore"
for n in "${names[@]}"; do excludes+=(--exclude="./$n"); done
list=$(cd "$from" && tar -c "${excludes[@]}" . | tar -t | sed -e 's#^\./##' -e 's#/$##' | grep -v '^$' | sort)
if [[ -f $prev ]]; then
  while IFS= read -r rel; do
    if ! grep -qxF -- "$rel" <<<"$list" && [[ -f $to/$rel ]]; then rm -f -- "$to/$rel"; fi
  done <"$prev"
fi
(cd "$from" && tar -c "${excludes[@]}" .) | tar -x -C "$to"
mkdir -p "$(dirname "$next")"
printf '%s\n' "$list" >"$next"
"#;

/// A Linux App Service site: [`Kudu`] set up as KuduLite runs a custom
/// command, and the app container beside it.
pub struct LinuxSite {
    pub kudu: Kudu,
    /// The `/opt/python`-like root (`ENVGUARD_PYTHON_ROOT`).
    pub python_root: PathBuf,
    /// `<python_root>/<full version>/bin`, the Kudu container's Python.
    pub python_bin: PathBuf,
    /// The machine's python3 as `X.Y` and in full (`3.11.7`).
    pub xy: String,
    pub full: String,
    /// The app container's own disk (its `/`), while it runs.
    pub container: PathBuf,
    image: &'static RuntimeImage,
}

impl LinuxSite {
    /// A site whose `linuxFxVersion` is the machine's python3 (`PYTHON|X.Y`).
    pub fn new() -> LinuxSite {
        let mut kudu = Kudu::with_wheels(WHEELS);
        let root = kudu.root.clone();

        // The machine's python3, by its real path and version.
        let out = Command::new("python3")
            .args([
                "-c",
                "import os, platform, sys; print(os.path.realpath(sys.executable)); print(platform.python_version())",
            ])
            .output()
            .expect("run python3");
        assert_success("python3", &out);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let exe = PathBuf::from(lines.next().expect("executable"));
        let full = lines.next().expect("version").to_string();
        let xy = full.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
        let image = RuntimeImage::get(&exe, &full);

        let python_root = root.join("opt/python");
        let python_bin = python_root.join(&full).join("bin");
        fs::create_dir_all(&python_bin).expect("mkdir");
        for name in ["python3", "python", &format!("python{xy}")] {
            symlink(&exe, python_bin.join(name)).expect("symlink python");
        }

        // The Kudu container's PATH: the system's tools without any Python
        // (a python3 in /usr/bin would hide a wrong lookup), and kudusync.
        let bin = root.join("bin");
        fs::create_dir_all(&bin).expect("mkdir");
        for dir in [
            "/usr/local/sbin",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/bin",
            "/sbin",
            "/bin",
        ] {
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let text = name.to_string_lossy();
                let python_like = ["python", "pip", "pydoc", "2to3", "idle"]
                    .iter()
                    .any(|p| text.starts_with(p));
                if !python_like && !bin.join(&name).exists() {
                    symlink(entry.path(), bin.join(&name)).expect("symlink a tool");
                }
            }
        }
        let kudusync = bin.join("kudusync");
        fs::write(&kudusync, KUDUSYNC).expect("write kudusync");
        fs::set_permissions(&kudusync, fs::Permissions::from_mode(0o755)).expect("chmod");

        // The harness's own tools for starting the app container.
        let harness = root.join("harness");
        fs::create_dir_all(&harness).expect("mkdir");
        fs::write(harness.join("startup.py"), STARTUP_PY).expect("write startup.py");
        let runner = harness.join("probe-runner");
        fs::write(&runner, PROBE_RUNNER).expect("write the probe runner");
        fs::set_permissions(&runner, fs::Permissions::from_mode(0o755)).expect("chmod");

        let manifest = root.join("site/deployments/manifest");
        let wwwroot = path_str(&kudu.wwwroot).to_string();
        for (key, value) in [
            ("PATH", path_str(&bin)),
            ("ENVGUARD_PYTHON_ROOT", path_str(&python_root)),
            // No benv on this machine's Kudu container: the lookup must not
            // find one of the host's.
            (
                "ENVGUARD_BENV",
                &format!("{}/opt/oryx/benv", path_str(&root)),
            ),
            ("FRAMEWORK", "PYTHON"),
            ("FRAMEWORK_VERSION", &xy),
            ("WEBSITE_PYTHON_VERSION", &xy),
            ("KUDU_SYNC_CMD", "kudusync"),
            (
                "KUDU_SELECT_PYTHON_VERSION_CMD",
                "python \"/opt/Kudu/Scripts/select_python_version.py\"",
            ),
            ("WEBROOT_PATH", &wwwroot),
            ("PREVIOUS_MANIFEST_PATH", path_str(&manifest)),
            ("NEXT_MANIFEST_PATH", path_str(&manifest)),
        ] {
            kudu.app_setting(key, value);
        }
        LinuxSite {
            container: root.join("app-container"),
            kudu,
            python_root,
            python_bin,
            xy,
            full,
            image,
        }
    }

    /// A path of the app container's own disk, on this machine.
    pub fn in_container(&self, path: &str) -> PathBuf {
        self.container.join(path.trim_start_matches('/'))
    }

    /// Gives the app container a fresh disk: the image's `/opt/python`
    /// (`<full>`, and the `<X.Y>` and `<major>` links of Oryx's
    /// template.Dockerfile lines 65-68) and `/opt/startup`, an empty `/tmp`
    /// and `/root` (HOME).
    fn fresh_container(&self) {
        if self.container.exists() {
            fs::remove_dir_all(&self.container).expect("wipe the app container");
        }
        let pythons = self.container.join("opt/python");
        fs::create_dir_all(&pythons).expect("mkdir");
        symlink(
            self.image.root.join("opt/python").join(&self.full),
            pythons.join(&self.full),
        )
        .expect("link the image's Python");
        symlink(&self.full, pythons.join(&self.xy)).expect("link X.Y");
        symlink(&self.xy, pythons.join(self.major())).expect("link the major version");
        let startup = self.container.join("opt/startup");
        fs::create_dir_all(&startup).expect("mkdir");
        for folder in ["app_logs", "code_profiler"] {
            symlink(
                self.image.root.join("opt/startup").join(folder),
                startup.join(folder),
            )
            .expect("link a startup folder");
        }
        for dir in ["tmp", "root"] {
            fs::create_dir_all(self.container.join(dir)).expect("mkdir");
        }
    }

    fn major(&self) -> &str {
        self.xy.split('.').next().expect("major")
    }

    /// Starts the app container as App Service's Python image does
    /// (ImageBuilder `GenerateDockerFiles/python/template-3.10/
    /// init_container.sh`): `PYTHONPATH` is `/opt/startup/app_logs:
    /// /opt/startup/code_profiler` (lines 22-26), `oryx create-script
    /// -appPath /home/site/wwwroot -output /opt/startup/startup.sh
    /// -virtualEnvName antenv -defaultApp /opt/defaultsite` writes the
    /// startup script (lines 34, 86), which is exec'd (lines 87-89). The
    /// environment is the image's: `PYTHON_VERSION` the full version and
    /// `/opt/python/<major>/bin` first on PATH (Oryx template.Dockerfile lines
    /// 61 and 77), HOME `/root`. Then the container is gone.
    pub fn start(&self) -> Start {
        self.fresh_container();
        let harness = self.kudu.root.join("harness");
        let python_path = format!(
            "{}:{}",
            path_str(&self.in_container("/opt/startup/app_logs")),
            path_str(&self.in_container("/opt/startup/code_profiler"))
        );
        let path = format!(
            "{}:{}",
            path_str(&self.in_container(&format!("/opt/python/{}/bin", self.major()))),
            path_str(&self.kudu.root.join("bin"))
        );
        let names = [MODULES, image_modules().as_slice()].concat().join(" ");
        let home = self.in_container("/root");
        let runner = harness.join("probe-runner");
        let env = [
            ("PATH", path.as_str()),
            ("HOME", path_str(&home)),
            ("PYTHON_VERSION", self.full.as_str()),
            ("PYTHONPATH", python_path.as_str()),
            ("PROBE", PROBE),
            ("PROBE_NAMES", names.as_str()),
            ("PROBE_RUNNER", path_str(&runner)),
        ];
        let generate = Command::new(self.python_bin.join("python3"))
            .arg("-I")
            .arg(harness.join("startup.py"))
            .arg(&self.kudu.root)
            .arg(&self.container)
            .args([
                "create-script",
                "-appPath",
                "/home/site/wwwroot",
                "-output",
                "/opt/startup/startup.sh",
                "-virtualEnvName",
                "antenv",
                "-defaultApp",
                "/opt/defaultsite",
            ])
            .env_clear()
            .envs(env)
            .output()
            .expect("run the startup-script generator");
        let mut log = format!(
            "{}{}",
            String::from_utf8_lossy(&generate.stdout),
            String::from_utf8_lossy(&generate.stderr)
        );
        let script_path = self.in_container("/opt/startup/startup.sh");
        let script = fs::read_to_string(&script_path).unwrap_or_default();
        let mut imports = BTreeMap::new();
        let mut success = generate.status.success();
        if success {
            fs::set_permissions(&script_path, fs::Permissions::from_mode(0o755)).expect("chmod");
            let run = Command::new(&script_path)
                .current_dir(self.in_container("/"))
                .env_clear()
                .envs(env)
                .output()
                .expect("run the startup script");
            success = run.status.success();
            for line in String::from_utf8_lossy(&run.stdout).lines() {
                match line.strip_prefix("probe: ") {
                    Some(found) => {
                        let mut fields = found.splitn(3, ' ');
                        let name = fields.next().unwrap_or_default().to_string();
                        let version = fields.next().unwrap_or_default().to_string();
                        let file = PathBuf::from(fields.next().unwrap_or_default());
                        imports.insert(name, (version, file));
                    }
                    None => {
                        log.push_str(line);
                        log.push('\n');
                    }
                }
            }
            log.push_str(&String::from_utf8_lossy(&run.stderr));
        }
        fs::remove_dir_all(&self.container).expect("stop the app container");
        Start {
            success,
            log,
            script,
            imports,
        }
    }

    /// A start that must succeed.
    pub fn started(&self) -> Start {
        let start = self.start();
        assert!(
            start.success,
            "the site did not start:\n{}\n--- startup.sh:\n{}",
            start.log, start.script
        );
        start
    }

    /// Starts the app and returns what it can import, `module -> VERSION`.
    pub fn imports(&self) -> BTreeMap<String, String> {
        self.started()
            .imports
            .into_iter()
            .map(|(name, (version, _))| (name, version))
            .collect()
    }

    /// The app's modules ([`MODULES`]) a start can import.
    pub fn importable(&self) -> Vec<String> {
        self.started().importable()
    }

    /// Leaves wwwroot as a KuduLite Oryx build leaves it, with an `antenv`
    /// holding `packages` (see [`OryxBuild`]). The build runs in
    /// [`ORYX_BUILD_DIR`] as Oryx's does, here on the app container's disk,
    /// so that the paths the venv records are the ones the runtime unpacks
    /// to. The venv is made as Oryx's PythonBashBuildSnippet.sh.tpl makes it
    /// for a requirements.txt (`python -m venv antenv --copies
    /// --system-site-packages`; PythonPlatform.cs `GetVirtualEnvModules`),
    /// and the manifest holds the keys Oryx writes (BaseBashBuildScript.sh.tpl
    /// writes `key="value"` lines; the names are those of
    /// ManifestFilePropertyKeys.cs and PythonManifestFilePropertyKeys.cs).
    pub fn plant_oryx_build(&self, build: OryxBuild, packages: &[&str]) {
        let dir = self.in_container(ORYX_BUILD_DIR);
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join("app.py"), "print('built by Oryx')\n").expect("write");
        fs::write(dir.join("requirements.txt"), packages.join("\n") + "\n").expect("write");
        let out = Command::new(self.python_bin.join("python3"))
            .args(["-m", "venv", "antenv", "--copies", "--system-site-packages"])
            .current_dir(&dir)
            .output()
            .expect("venv");
        assert_success("Oryx's venv", &out);
        let out = Command::new(dir.join("antenv/bin/python"))
            .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
            .arg(&self.kudu.wheelhouse)
            .args(["-r", "requirements.txt"])
            .current_dir(&dir)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .expect("pip");
        assert_success("Oryx's pip install", &out);
        let www = &self.kudu.wwwroot;
        let tar = |archive: &Path, from: &Path| {
            let out = Command::new("tar")
                .arg("-czf")
                .arg(archive)
                .arg("-C")
                .arg(from)
                .arg(".")
                .output()
                .expect("tar");
            assert_success("Oryx's tarball", &out);
        };
        let mut keys = vec![
            ("PythonVersion", self.full.as_str()),
            ("virtualEnvName", "antenv"),
            ("OperationId", "4f2c1e0a9b8d7c6e"),
            ("SourceDirectoryInBuildContainer", ORYX_BUILD_DIR),
            ("PlatformName", "python"),
        ];
        match build {
            OryxBuild::CompressedOutput => {
                tar(&www.join("output.tar.gz"), &dir);
                keys.push(("CompressDestinationDir", "true"));
            }
            OryxBuild::CompressedVenv => {
                // `cd antenv; tar -zcf ../antenv.tar.gz .`, then the app
                // without the venv folder to wwwroot
                // (PythonBashBuildSnippet.sh.tpl; PythonPlatform.cs
                // GetDirectoriesToExcludeFromCopyToBuildOutputDir).
                tar(&dir.join("antenv.tar.gz"), &dir.join("antenv"));
                for name in ["app.py", "requirements.txt", "antenv.tar.gz"] {
                    fs::copy(dir.join(name), www.join(name)).expect("copy the build output");
                }
                keys.push(("compressedVirtualEnvFile", "antenv.tar.gz"));
                keys.push(("CompressDestinationDir", "false"));
            }
        }
        let manifest: String = keys
            .iter()
            .map(|(key, value)| format!("{key}=\"{value}\"\n"))
            .collect();
        fs::write(www.join("oryx-manifest.toml"), manifest).expect("write the manifest");
        fs::remove_dir_all(&self.container).expect("remove the build folder");
    }

    /// Runs deploy.sh directly (no push) with DEPLOYMENT_SOURCE `source`,
    /// the Kudu container's PATH and Python root, and `vars`: its exit status
    /// and log.
    pub fn run_deploy_sh(&self, source: &Path, vars: &[(&str, &str)]) -> (bool, String) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/deploy.sh");
        let target = self.kudu.root.join("direct/wwwroot");
        let temp = self.kudu.root.join("direct/temp");
        fs::create_dir_all(&target).expect("mkdir");
        fs::create_dir_all(&temp).expect("mkdir");
        let mut cmd = Command::new("bash");
        cmd.arg(script)
            .env_clear()
            .env("PATH", self.kudu.root.join("bin"))
            .env("HOME", self.kudu.root.join("home"))
            .env("ENVGUARD_PYTHON_ROOT", &self.python_root)
            .env("ENVGUARD_BENV", self.kudu.root.join("opt/oryx/benv"))
            .env("DEPLOYMENT_SOURCE", source)
            .env("DEPLOYMENT_TARGET", &target)
            .env("DEPLOYMENT_TEMP", &temp)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &self.kudu.wheelhouse)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run deploy.sh");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
}

/// Shell-quotes a path, for settings that hold commands.
pub fn quoted(path: &Path) -> String {
    sh_quote(path_str(path))
}
