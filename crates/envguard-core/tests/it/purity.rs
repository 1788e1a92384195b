//! The core does no I/O: no git2, no `std::fs`, `std::process`, `std::net`
//! or `std::env` in its code, and no dependency that is a door to them in
//! its Cargo.toml (docs/ARCHITECTURE.md). A new import of any of them fails
//! here, before it can make the core impure.

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const FORBIDDEN_CODE: [&str; 8] = [
    "std::fs",
    "std::process",
    "std::net",
    "std::env",
    "std::os",
    "git2",
    "std::time::SystemTime",
    "std::io::stdin",
];
const ALLOWED_DEPENDENCIES: [&str; 4] = ["pep508_rs", "serde", "sha2", "toml"];

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

#[test]
fn no_io_in_the_code() {
    let mut files = Vec::new();
    sources(&Path::new(ROOT).join("src"), &mut files);
    assert!(files.len() > 10);
    for (path, text) in files {
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN_CODE {
                assert!(
                    !code.contains(word),
                    "{path}:{}: the core uses {word}: {line}",
                    number + 1
                );
            }
        }
    }
}

#[test]
fn no_io_dependencies() {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let mut section = "";
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if section == "[dependencies]" {
            if let Some((name, _)) = line.split_once('=') {
                let name = name.trim();
                assert!(
                    ALLOWED_DEPENDENCIES.contains(&name),
                    "the core depends on {name}; the core takes no dependency that does I/O \
                     (add it to the shell, or to ALLOWED_DEPENDENCIES with a reason)"
                );
            }
        } else {
            assert!(
                !section.contains("dependencies") || section.contains("dev-dependencies"),
                "{section}: the core has only [dependencies] and [dev-dependencies]"
            );
        }
    }
}

/// The core's modules, innermost first: each may use only those before it,
/// so there are no cycles (docs/ARCHITECTURE.md).
const LAYERS: [&str; 15] = [
    "text",
    "encoding",
    "ids",
    "digest",
    "shipped",
    "names",
    "platform",
    "token",
    "links",
    "requirements",
    "deployment",
    "config",
    "fingerprint",
    "decide",
    "managers",
];

#[test]
fn modules_use_only_inner_ones() {
    let mut files = Vec::new();
    sources(&Path::new(ROOT).join("src"), &mut files);
    for (path, text) in files {
        let Some(module) = LAYERS.iter().position(|m| {
            path.ends_with(&format!("/src/{m}.rs")) || path.contains(&format!("/src/{m}/"))
        }) else {
            assert!(
                path.ends_with("/src/lib.rs"),
                "{path} is in no layer of LAYERS"
            );
            continue;
        };
        for (at, _) in text.match_indices("crate::") {
            let used = text[at + 7..]
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .next()
                .unwrap_or_default();
            let Some(layer) = LAYERS.iter().position(|m| *m == used) else {
                continue;
            };
            assert!(
                layer <= module,
                "{path} (layer {}) uses crate::{used}, an outer module",
                LAYERS[module]
            );
        }
    }
}
