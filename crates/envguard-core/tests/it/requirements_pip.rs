//! envguard's reading of requirements files against pip's own.
//!
//! Every fixture in `tests/data/requirements/cases/` (each a folder with a
//! `requirements.txt` and what it includes) is written out again as CRLF,
//! lone-CR, UTF-8-with-BOM, UTF-16 LE and UTF-16 BE variants, then read by
//! `scripts/pip_compare.py` (pip's `parse_requirements` and
//! `install_req_from_parsed_requirement`, markers evaluated for the target)
//! and by envguard, for a Linux and a Windows target. They agree when:
//!
//! - pip refuses the file set exactly when envguard does (an [`Error`], or a
//!   warning that pip would refuse a line), except for options that only
//!   some pip versions take, which envguard accepts;
//! - every requirement pip refuses has an envguard warning on its line;
//! - the installed named packages (canonical names and extras) are equal;
//! - the installed unnamed requirements are on the same lines.
//!
//! The test runs where `python3` (or `$ENVGUARD_PIP_PYTHON`) can import pip,
//! and says so when it cannot.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use envguard_core::names::PackageId;
use envguard_core::platform::{Platform, Runtime, Target};
use envguard_core::requirements::{self, Error, Requirements};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/requirements/cases"
);
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/pip_compare.py");

/// An interpreter that can import pip's parser, and pip's version.
fn python_with_pip() -> Option<(String, String)> {
    let python = std::env::var("ENVGUARD_PIP_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let output = Command::new(&python)
        .args([
            "-c",
            "import pip, pip._internal.req.req_file, pip._internal.network.session; print(pip.__version__)",
        ])
        .output()
        .ok()?;
    output.status.success().then(|| {
        (
            python,
            String::from_utf8_lossy(&output.stdout).trim().to_string(),
        )
    })
}

/// A way to write a `.txt` file's text out again.
type Transform = fn(&str) -> Vec<u8>;

/// The file-set variants besides the fixture as it is.
const VARIANTS: &[(&str, Transform)] = &[
    ("crlf", |t| t.replace('\n', "\r\n").into_bytes()),
    ("cr", |t| t.replace('\n', "\r").into_bytes()),
    ("bom", |t| [&b"\xef\xbb\xbf"[..], t.as_bytes()].concat()),
    ("utf16le", |t| {
        let mut out = vec![0xff, 0xfe];
        out.extend(t.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }),
    ("utf16be", |t| {
        let mut out = vec![0xfe, 0xff];
        out.extend(t.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }),
];

/// Copies `from` to `to`, transforming `.txt` files (none: as they are);
/// `false` when a `.txt` file is not UTF-8, so it has no variants.
fn copy_variant(from: &Path, to: &Path, transform: Option<Transform>) -> bool {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if !copy_variant(&entry.path(), &target, transform) {
                return false;
            }
            continue;
        }
        let bytes = fs::read(entry.path()).unwrap();
        let bytes = match transform {
            Some(transform) if entry.path().extension().is_some_and(|e| e == "txt") => {
                match std::str::from_utf8(&bytes) {
                    Ok(text) => transform(text),
                    Err(_) => return false,
                }
            }
            _ => bytes,
        };
        fs::write(target, bytes).unwrap();
    }
    true
}

/// What pip said about one file set.
#[derive(Debug, Default)]
struct Pip {
    error: Option<String>,
    packages: BTreeMap<String, BTreeSet<String>>,
    unnamed: BTreeSet<String>,
    invalid: BTreeSet<String>,
}

fn strings(value: Option<&toml::Value>) -> BTreeSet<String> {
    value
        .and_then(toml::Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn run_pip(
    python: &str,
    root: &Path,
    dirs: &[String],
    platform: &str,
    version: &str,
) -> BTreeMap<String, Pip> {
    let output = Command::new(python)
        .arg(SCRIPT)
        .args([
            "--format",
            "toml",
            "--platform",
            platform,
            "--python",
            version,
        ])
        .args(dirs)
        .current_dir(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pip_compare.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table: toml::Table = stdout
        .parse()
        .unwrap_or_else(|err| panic!("{err}\n{stdout}"));
    table
        .into_iter()
        .map(|(dir, result)| {
            let packages = result
                .get("packages")
                .and_then(toml::Value::as_table)
                .map(|t| {
                    t.iter()
                        .map(|(name, extras)| (name.clone(), strings(Some(extras))))
                        .collect()
                })
                .unwrap_or_default();
            let pip = Pip {
                error: result
                    .get("error")
                    .and_then(toml::Value::as_str)
                    .map(str::to_string),
                packages,
                unnamed: strings(result.get("unnamed")),
                invalid: strings(result.get("invalid")),
            };
            (dir, pip)
        })
        .collect()
}

fn read_dir(dir: &Path) -> Result<Requirements, Error> {
    requirements::parse(
        "requirements.txt",
        &mut |path: &str| match fs::read(dir.join(path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(requirements::ReaderError::new(err)),
        },
    )
}

/// Options some pip versions take and others refuse (`--install-option`
/// left in 23.1, `--global-option` later; the last three arrived in 26).
/// envguard takes them all, so a pip refusing one is no disagreement.
const VERSION_DEPENDENT_OPTIONS: &[&str] = &[
    "--global-option",
    "--install-option",
    "--no-require-hashes",
    "--all-releases",
    "--only-final",
];

/// How envguard and pip agree on one file set.
#[derive(Debug, PartialEq, Eq)]
enum Agreement {
    Full,
    /// pip refuses an option that other pip versions take, and envguard
    /// takes: nothing else was compared.
    VersionDependentOption,
}

/// How envguard agrees with pip on one file set, else what differs.
fn compare(
    pip: &Pip,
    ours: &Result<Requirements, Error>,
    target: &Target,
) -> Result<Agreement, String> {
    let refuses = match ours {
        Err(_) => true,
        Ok(parsed) => parsed
            .warnings
            .iter()
            .any(|w| w.message.contains("pip would refuse")),
    };
    if pip.error.is_some() || refuses {
        return match (&pip.error, ours) {
            (Some(_), _) if refuses => Ok(Agreement::Full),
            (Some(why), Ok(_)) if VERSION_DEPENDENT_OPTIONS.iter().any(|o| why.contains(o)) => {
                Ok(Agreement::VersionDependentOption)
            }
            (Some(why), _) => Err(format!(
                "pip refuses the files ({why}); envguard does not say so"
            )),
            (None, Err(err)) => Err(format!(
                "envguard refuses the files ({err}); pip reads them"
            )),
            (None, Ok(parsed)) => Err(format!(
                "envguard says pip would refuse: {:?}",
                parsed.warnings
            )),
        };
    }
    let Ok(parsed) = ours else {
        unreachable!("refusals are handled above")
    };
    let warned: BTreeSet<String> = parsed
        .warnings
        .iter()
        .map(|w| format!("{}:{}", w.file, w.line))
        .collect();
    let silent: Vec<_> = pip.invalid.difference(&warned).collect();
    if !silent.is_empty() {
        return Err(format!(
            "pip refuses {silent:?}; envguard reads them without a warning"
        ));
    }
    let mut packages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut unnamed = BTreeSet::new();
    for entry in &parsed.entries {
        let place = format!("{}:{}", entry.file, entry.line);
        let alone = Requirements {
            entries: vec![entry.clone()],
            ..Requirements::default()
        };
        if pip.invalid.contains(&place) || alone.packages(target).is_empty() {
            continue;
        }
        match &entry.id {
            PackageId::Name(name) => {
                packages
                    .entry(name.to_string())
                    .or_default()
                    .extend(entry.extras.iter().cloned());
            }
            PackageId::Text(_) => {
                unnamed.insert(place);
            }
        }
    }
    if packages != pip.packages {
        return Err(format!(
            "packages differ:\n  pip:      {:?}\n  envguard: {packages:?}",
            pip.packages
        ));
    }
    if unnamed != pip.unnamed {
        return Err(format!(
            "unnamed differ:\n  pip:      {:?}\n  envguard: {unnamed:?}",
            pip.unnamed
        ));
    }
    Ok(Agreement::Full)
}

#[test]
fn agrees_with_pip() {
    let Some((python, pip_version)) = python_with_pip() else {
        eprintln!("skipped: no python3 that can import pip (set ENVGUARD_PIP_PYTHON to one)");
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    let mut cases: Vec<PathBuf> = fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        copy_variant(case, &temp.path().join(&name), None);
        dirs.push(name.clone());
        for (variant, transform) in VARIANTS {
            let dir = format!("{name}.{variant}");
            if copy_variant(case, &temp.path().join(&dir), Some(*transform)) {
                dirs.push(dir);
            }
        }
    }
    let targets = [
        (Platform::Linux, "linux", "3.11.4"),
        (Platform::Windows, "windows", "3.8.10"),
    ];
    // One pip run per target, side by side.
    let results: Vec<_> = std::thread::scope(|scope| {
        let runs: Vec<_> = targets
            .iter()
            .map(|(_, name, version)| {
                scope.spawn(|| run_pip(&python, temp.path(), &dirs, name, version))
            })
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    let mut total = 0;
    let mut by_option = 0;
    let mut disagreements = Vec::new();
    for ((platform, platform_name, version), pip) in targets.into_iter().zip(results) {
        let target = Target {
            platform,
            python: Runtime::parse(&format!("python-{version}")),
        };
        for dir in &dirs {
            total += 1;
            let ours = read_dir(&temp.path().join(dir));
            let theirs = pip
                .get(dir)
                .unwrap_or_else(|| panic!("pip_compare.py said nothing about {dir}"));
            match compare(theirs, &ours, &target) {
                Ok(Agreement::Full) => {}
                Ok(Agreement::VersionDependentOption) => by_option += 1,
                Err(why) => {
                    disagreements.push(format!("{dir} on {platform_name} {version}: {why}"))
                }
            }
        }
    }
    eprintln!(
        "pip {pip_version}: {} of {total} file sets agree ({} fixtures × variants × 2 targets; \
         {by_option} of them refused by this pip for an option other versions take)",
        total - disagreements.len(),
        cases.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
