//! The requirements reader through its public API.
//!
//! - Every fixture in `tests/data/requirements/cases/` is read and what
//!   envguard makes of it (packages on a Linux and a Windows target,
//!   warnings, errors) is pinned in an insta snapshot under
//!   `tests/data/requirements/snapshots/`; the same fixture written with
//!   CRLF, lone CR, a UTF-8 BOM, or as UTF-16 LE/BE must read the same.
//! - Include trees are read from real git commits, never from the working
//!   tree, and a removal inside an included file is seen.
//!
//! Snapshots are updated with `INSTA_UPDATE=always cargo test -p envguard-core --test it requirements::`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use envguard_core::names;
use envguard_core::platform::{Platform, Runtime, Target};
use envguard_core::requirements::{parse, Requirements};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/requirements/cases"
);

/// A fixture's files by repository-relative path.
fn load(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            load(&entry.path(), &format!("{name}/"), files);
        } else {
            files.insert(name, fs::read(entry.path()).unwrap());
        }
    }
}

fn read(
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<Requirements, envguard_core::requirements::Error> {
    parse("requirements.txt", &mut |path: &str| {
        Ok(files.get(path).cloned())
    })
}

/// What envguard reads from a fixture, as text for a snapshot.
fn render(files: &BTreeMap<String, Vec<u8>>) -> String {
    let parsed = match read(files) {
        Ok(parsed) => parsed,
        Err(err) => return format!("error: {err}\n"),
    };
    let mut out = String::new();
    for (platform, python) in [
        (Platform::Linux, "python-3.11"),
        (Platform::Windows, "python-3.8.10"),
    ] {
        let target = Target {
            platform,
            python: Runtime::parse(python),
        };
        writeln!(out, "{platform} {python}:").unwrap();
        for (id, extras) in parsed.packages(&target) {
            writeln!(out, "  {}", names::label(&id, &extras)).unwrap();
        }
    }
    writeln!(
        out,
        "files: {}",
        parsed
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
    .unwrap();
    for warning in &parsed.warnings {
        writeln!(out, "warning: {warning}").unwrap();
    }
    out
}

fn cases() -> Vec<(String, BTreeMap<String, Vec<u8>>)> {
    let mut cases: Vec<_> = fs::read_dir(CASES)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let mut files = BTreeMap::new();
            load(&entry.path(), "", &mut files);
            (entry.file_name().to_string_lossy().to_string(), files)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

#[test]
fn fixtures() {
    let cases = cases();
    assert!(cases.len() >= 19, "fixtures missing: {}", cases.len());
    for (name, files) in cases {
        insta::with_settings!({
            snapshot_path => "../../../../tests/data/requirements/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, render(&files));
        });
    }
}

/// The hook's fast path reads the same files as the full reading, or fails
/// on the same include.
#[test]
fn sources_are_the_files_parse_reads() {
    for (name, files) in cases() {
        let mut reader = |path: &str| Ok(files.get(path).cloned());
        let sources = envguard_core::requirements::sources("requirements.txt", &mut reader);
        match read(&files) {
            Ok(parsed) => assert_eq!(sources.unwrap(), parsed.files, "{name}"),
            Err(err) => assert_eq!(sources.unwrap_err(), err, "{name}"),
        }
    }
}

/// A way to write a file's text as bytes.
type Writer = fn(&str) -> Vec<u8>;

/// Writes every `.txt` file's text another way; `None` for a fixture that
/// is not UTF-8 (its bytes are the point).
fn variant(files: &BTreeMap<String, Vec<u8>>, write: Writer) -> Option<BTreeMap<String, Vec<u8>>> {
    files
        .iter()
        .map(|(path, bytes)| {
            let text = std::str::from_utf8(bytes).ok()?;
            let bytes = if path.ends_with(".txt") {
                write(text)
            } else {
                bytes.clone()
            };
            Some((path.clone(), bytes))
        })
        .collect()
}

#[test]
fn line_endings_and_encodings_read_the_same() {
    let writers: [(&str, Writer); 5] = [
        ("crlf", |t| t.replace('\n', "\r\n").into_bytes()),
        ("cr", |t| t.replace('\n', "\r").into_bytes()),
        ("utf-8 bom", |t| {
            [&b"\xef\xbb\xbf"[..], t.as_bytes()].concat()
        }),
        ("utf-16 le", |t| {
            [0xff, 0xfe]
                .into_iter()
                .chain(t.encode_utf16().flat_map(u16::to_le_bytes))
                .collect()
        }),
        ("utf-16 be", |t| {
            [0xfe, 0xff]
                .into_iter()
                .chain(t.encode_utf16().flat_map(u16::to_be_bytes))
                .collect()
        }),
    ];
    let mut compared = 0;
    for (name, files) in cases() {
        let want = render(&files);
        for (how, write) in writers {
            if let Some(files) = variant(&files, write) {
                assert_eq!(render(&files), want, "{name} written as {how}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 80, "only {compared} variants compared");
}
