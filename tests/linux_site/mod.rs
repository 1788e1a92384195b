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
//! The **app container** starts the site as Oryx's startup script does
//! (`src/startupscriptgenerator/src/python/scriptgenerator.go`), see
//! [`RUNTIME`], and asks the running interpreter what it can import.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::kudu::{assert_success, path_str, sh_quote, Kudu};

/// The packages of every Linux site test (see `kudu::build_wheels`):
/// `delta` 1.0 depends on `echo`, 2.0 no longer does; `extra` and `kept` are
/// installed by a `PRE_BUILD_COMMAND`, outside the requirements.
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
];

/// Every import name the runtime is asked about.
pub const MODULES: &[&str] = &[
    "alpha", "bravo", "charlie", "django", "delta", "echo", "extra", "kept",
];

/// Oryx's startup for a Python site, in bash, as scriptgenerator.go writes
/// it: a manifest with `CompressDestinationDir="true"` extracts
/// `output.tar.zst` (or `.tar.gz`) into `SourceDirectoryInBuildContainer` and
/// runs the app from there (activating the venv); otherwise the app runs from
/// wwwroot and, when `antenv` exists, `antenv/lib/python<X.Y>/site-packages`
/// (X.Y of the runtime's own python) is put on PYTHONPATH and nothing is
/// activated. `$1` wwwroot, `$2` the runtime's /opt/python/<version>/bin, then
/// the probe's arguments.
const RUNTIME: &str = r#"
set -euo pipefail
app=$1; export PATH="$2:$PATH"; shift 2
manifest=$app/oryx-manifest.toml
value() { [[ ! -f $manifest ]] || sed -n "s/^$1 *= *\"\(.*\)\"\$/\1/p" "$manifest" | head -n1; }
compressed=
if [[ -f $manifest && $(value CompressDestinationDir) == true ]]; then
  if [[ -f $app/output.tar.zst ]]; then tarball=$app/output.tar.zst
  elif [[ -f $app/output.tar.gz ]]; then tarball=$app/output.tar.gz
  else echo "zstd/gzip output not found" >&2; exit 1; fi
  app=$(value SourceDirectoryInBuildContainer)
  rm -rf "$app"; mkdir -p "$app"; tar -xf "$tarball" -C "$app"
  compressed=1
fi
venv=$(value VirtualEnvName); venv=${venv:-antenv}
cd "$app"
if [[ -d $app/$venv ]]; then
  PYTHON_VERSION=$(python -c "import sys; print(str(sys.version_info.major) + '.' + str(sys.version_info.minor))")
  export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}"$app/$venv/lib/python$PYTHON_VERSION/site-packages"
  if [[ -n $compressed ]]; then . "$venv/bin/activate"; fi
fi
exec python -c "$PROBE" "$@"
"#;

/// What the running app can import: `name VERSION` per importable module.
const PROBE: &str = r#"
import importlib, sys
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue
    print(name, getattr(module, "VERSION", "?"))
"#;

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
/// command, and the runtime container beside it.
pub struct LinuxSite {
    pub kudu: Kudu,
    /// The `/opt/python`-like root (`ENVGUARD_PYTHON_ROOT`).
    pub python_root: PathBuf,
    /// `<python_root>/<full version>/bin`, the runtime's Python.
    pub python_bin: PathBuf,
    /// The machine's python3 as `X.Y` and in full (`3.11.7`).
    pub xy: String,
    pub full: String,
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
            kudu,
            python_root,
            python_bin,
            xy,
            full,
        }
    }

    /// Starts the app as the runtime container does and returns what it can
    /// import, `module -> VERSION`.
    pub fn imports(&self) -> BTreeMap<String, String> {
        let out = Command::new("bash")
            .arg("-c")
            .arg(RUNTIME)
            .arg("runtime")
            .arg(&self.kudu.wwwroot)
            .arg(&self.python_bin)
            .args(MODULES)
            .env("PROBE", PROBE)
            .env("PATH", self.kudu.root.join("bin"))
            .env_remove("PYTHONPATH")
            .env_remove("VIRTUAL_ENV")
            .output()
            .expect("start the app");
        assert_success("the runtime's start", &out);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// The names [`LinuxSite::imports`] finds.
    pub fn importable(&self) -> Vec<String> {
        self.imports().into_keys().collect()
    }

    /// Leaves wwwroot as an Oryx build with `--compress-destination-dir`
    /// leaves it (KuduLite `AppServiceOryxArguments.cs`): the app and an
    /// `antenv` holding `packages`, built in a folder of its own, tarred to
    /// `output.tar.gz` beside an `oryx-manifest.toml` naming that folder.
    pub fn plant_oryx_build(&self, packages: &[&str]) {
        let build = self.kudu.root.join("oryx-build");
        fs::create_dir_all(&build).expect("mkdir");
        fs::write(build.join("app.py"), "print('built by Oryx')\n").expect("write");
        let venv = build.join("antenv");
        let python = self.python_bin.join("python3");
        let out = Command::new(&python)
            .args(["-m", "venv", "--copies"])
            .arg(&venv)
            .output()
            .expect("venv");
        assert_success("Oryx's venv", &out);
        let out = Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "-q", "--no-index", "--find-links"])
            .arg(&self.kudu.wheelhouse)
            .args(packages)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .expect("pip");
        assert_success("Oryx's pip install", &out);
        let www = &self.kudu.wwwroot;
        let out = Command::new("tar")
            .arg("-czf")
            .arg(www.join("output.tar.gz"))
            .arg("-C")
            .arg(&build)
            .arg(".")
            .output()
            .expect("tar");
        assert_success("Oryx's tarball", &out);
        fs::write(
            www.join("oryx-manifest.toml"),
            format!(
                "Frameworks=\"python\"\nPythonVersion=\"{}\"\nCompressDestinationDir=\"true\"\n\
                 SourceDirectoryInBuildContainer=\"{}\"\nVirtualEnvName=\"antenv\"\n",
                self.full,
                path_str(&build)
            ),
        )
        .expect("write the manifest");
        fs::remove_dir_all(&build).expect("remove the build folder");
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
