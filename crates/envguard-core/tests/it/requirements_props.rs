//! Properties of requirements reading, checked on generated files.
//!
//! - Reformatting a file (order, case, `-`/`_`/`.` separators, comments,
//!   blank lines, `\` continuations, options, CRLF or CR, BOM, UTF-16) never
//!   changes the package set: no false alarm.
//! - Deleting any one requirement always removes it from the set: no
//!   missed removal.
//! - Arbitrary bytes, and arbitrary lines built from the format's own
//!   tokens, never make the reader panic.
//!
//! Case counts: `PROPTEST_CASES` (default 256) for the first two,
//! `ENVGUARD_FUZZ_CASES` (default 2000) for the last; a long fuzzing run is
//! `ENVGUARD_FUZZ_CASES=2000000 cargo test --release -p envguard-core --test it requirements_props::never_panics`.

use std::collections::BTreeMap;

use envguard_core::names::{CanonicalName, PackageId, PackageSet};
use envguard_core::platform::{Platform, Runtime, Target};
use envguard_core::requirements::{parse, Requirements};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn target() -> Target {
    Target {
        platform: Platform::Linux,
        python: Runtime::parse("python-3.11"),
    }
}

fn read(files: &BTreeMap<String, Vec<u8>>) -> Requirements {
    let top = files.keys().next().cloned().unwrap_or_default();
    parse(&top, &mut |path: &str| Ok(files.get(path).cloned())).unwrap()
}

fn packages(files: &BTreeMap<String, Vec<u8>>) -> PackageSet {
    read(files).packages(&target())
}

/// One requirement, in a form that can be written many ways.
#[derive(Clone, Debug)]
struct Req {
    /// Lower-case alphanumeric words; the canonical name joins them with `-`.
    words: Vec<String>,
    extras: Vec<String>,
    version: Option<&'static str>,
    /// A marker and whether it holds on Linux with Python 3.11.
    marker: Option<(&'static str, bool)>,
    form: Form,
}

#[derive(Clone, Copy, Debug)]
enum Form {
    Pep508,
    NameAtUrl,
    Egg,
    Editable,
}

const VERSIONS: &[&str] = &["==1.0", ">=2,<3", "~=1.4.2", "!=1.5", "===7.1", " (>=1.0)"];
const MARKERS: &[(&str, bool)] = &[
    ("python_version >= '3.8'", true),
    ("sys_platform == 'win32'", false),
    (
        "os_name == \"posix\" and platform_machine == 'x86_64'",
        true,
    ),
    ("python_version < '3.0'", false),
    ("implementation_name == 'cpython' or extra == 'x'", true),
];

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}"
}

fn req() -> impl Strategy<Value = Req> {
    (
        prop::collection::vec(word(), 1..4),
        prop::collection::vec(word(), 0..3),
        prop::option::of(prop::sample::select(VERSIONS)),
        prop::option::of(prop::sample::select(MARKERS)),
        prop::sample::select(
            &[
                Form::Pep508,
                Form::Pep508,
                Form::NameAtUrl,
                Form::Egg,
                Form::Editable,
            ][..],
        ),
    )
        .prop_map(|(words, extras, version, marker, form)| Req {
            words,
            extras,
            version,
            // pip reads no marker after `-e`.
            marker: marker.filter(|_| !matches!(form, Form::Editable)),
            form,
        })
}

/// Requirements with distinct canonical names.
fn reqs() -> impl Strategy<Value = Vec<Req>> {
    prop::collection::vec(req(), 1..8).prop_map(|reqs| {
        let mut seen = std::collections::BTreeSet::new();
        reqs.into_iter()
            .filter(|r| seen.insert(r.words.join("-")))
            .collect()
    })
}

/// How a file is written: every choice a user may make without meaning a
/// different set of packages.
#[derive(Clone, Debug)]
struct Style {
    /// Per requirement: separator choice, case flips, comment, continuation.
    seeds: Vec<u32>,
    order: Vec<usize>,
    line_ending: &'static str,
    encoding: Encoding,
    header_comment: bool,
    options: bool,
    blank_lines: bool,
}

#[derive(Clone, Copy, Debug)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

fn style(len: usize) -> impl Strategy<Value = Style> {
    (
        prop::collection::vec(any::<u32>(), len),
        Just((0..len).collect::<Vec<_>>()).prop_shuffle(),
        prop::sample::select(&["\n", "\r\n", "\r"][..]),
        prop::sample::select(
            &[
                Encoding::Utf8,
                Encoding::Utf8Bom,
                Encoding::Utf16Le,
                Encoding::Utf16Be,
            ][..],
        ),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(seeds, order, line_ending, encoding, header_comment, options, blank_lines)| Style {
                seeds,
                order,
                line_ending,
                encoding,
                header_comment,
                options,
                blank_lines,
            },
        )
}

/// The plain way to write a requirement.
fn plain() -> Style {
    Style {
        seeds: Vec::new(),
        order: Vec::new(),
        line_ending: "\n",
        encoding: Encoding::Utf8,
        header_comment: false,
        options: false,
        blank_lines: false,
    }
}

/// A name written with the seed's separators and case.
fn spell(words: &[String], seed: u32) -> String {
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(["-", "_", ".", "-_", "__", "._-"][(seed as usize >> (i * 3)) % 6]);
        }
        for (j, c) in word.chars().enumerate() {
            if seed.rotate_left((i * 7 + j) as u32) & 1 == 1 {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// One requirement as lines of a file.
fn write_req(req: &Req, seed: u32) -> Vec<String> {
    let name = spell(&req.words, seed);
    let extras = if req.extras.is_empty() {
        String::new()
    } else {
        let spelled: Vec<String> = req
            .extras
            .iter()
            .enumerate()
            .map(|(i, e)| spell(std::slice::from_ref(e), seed.rotate_right(i as u32 + 3)))
            .collect();
        // A space after a comma is fine in PEP 508, not inside a URL.
        let pep508 = matches!(req.form, Form::Pep508 | Form::NameAtUrl) && seed & 16 != 0;
        format!("[{}]", spelled.join(if pep508 { ", " } else { "," }))
    };
    let space = if seed & 32 == 0 { " " } else { "" };
    // After a URL, pip wants `; ` to end it.
    let marker = req.marker.map_or(String::new(), |(m, _)| match req.form {
        Form::Egg => format!("{space}; {m}"),
        _ => format!("{space};{space}{m}"),
    });
    let canonical = req.words.join("-");
    let line = match req.form {
        Form::Pep508 => format!("{name}{extras}{}{marker}", req.version.unwrap_or("")),
        Form::NameAtUrl => {
            format!("{name}{extras} @ https://example.invalid/{canonical}.zip{marker}")
        }
        Form::Egg => {
            format!("git+https://example.invalid/{canonical}.git#egg={name}{extras}{marker}")
        }
        Form::Editable => {
            format!("-e git+https://example.invalid/{canonical}.git#egg={name}{extras}")
        }
    };
    let mut lines = Vec::new();
    let hash = !matches!(req.form, Form::Editable) && seed & 64 != 0;
    if seed & 128 != 0 && hash {
        // A continuation before the per-requirement option.
        lines.push(format!("{line} \\"));
        lines.push("    --hash=sha256:0123abcd".to_string());
    } else if hash {
        lines.push(format!("{line} --hash=sha256:0123abcd"));
    } else {
        lines.push(line);
    }
    if seed & 256 != 0 {
        let last = lines.last_mut().unwrap();
        last.push_str("   # a comment, with # and ; -r x.txt");
    }
    if seed & 512 != 0 {
        lines[0] = format!("\t {}", lines[0]);
    }
    lines
}

fn write_file(reqs: &[Req], style: &Style) -> Vec<u8> {
    let mut lines = Vec::new();
    if style.header_comment {
        lines.push("# -*- coding: utf-8 -*-".to_string());
        lines.push("# Pinned by hand. \\".to_string());
    }
    if style.options {
        lines.push("--index-url https://example.invalid/simple".to_string());
        lines.push("--prefer-binary".to_string());
    }
    let order: Vec<usize> = if style.order.is_empty() {
        (0..reqs.len()).collect()
    } else {
        style.order.clone()
    };
    for i in order {
        let seed = style.seeds.get(i).copied().unwrap_or(0);
        lines.extend(write_req(&reqs[i], seed));
        if style.blank_lines {
            lines.push("   ".to_string());
        }
    }
    let text = lines.join(style.line_ending) + style.line_ending;
    match style.encoding {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Utf8Bom => [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat(),
        Encoding::Utf16Le => [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        Encoding::Utf16Be => [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
    }
}

fn one_file(bytes: Vec<u8>) -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([("requirements.txt".to_string(), bytes)])
}

fn id(req: &Req) -> PackageId {
    PackageId::Name(CanonicalName::new(&req.words.join("-")))
}

proptest! {
    #[test]
    fn reformatting_never_changes_the_packages((reqs, style) in reqs().prop_flat_map(|r| { let n = r.len(); (Just(r), style(n)) })) {
        let before = packages(&one_file(write_file(&reqs, &plain())));
        let after = read(&one_file(write_file(&reqs, &style)));
        // The only warning a generated file earns: extras in `#egg=`.
        prop_assert!(
            after.warnings.iter().all(|w| w.message.starts_with("pip 25 and later")),
            "{:?}",
            after.warnings
        );
        prop_assert_eq!(&after.packages(&target()), &before);
        // And the plain file has what was written.
        let want: Vec<PackageId> = reqs.iter().filter(|r| !matches!(r.marker, Some((_, false)))).map(id).collect();
        prop_assert_eq!(before.keys().cloned().collect::<std::collections::BTreeSet<_>>(), want.into_iter().collect());
    }

    #[test]
    fn deleting_a_requirement_removes_it((reqs, style, gone) in reqs().prop_flat_map(|r| { let n = r.len(); (Just(r), style(n), 0..n) })) {
        let before = packages(&one_file(write_file(&reqs, &style)));
        let mut fewer = reqs.clone();
        let removed = fewer.remove(gone);
        let mut style = style;
        style.order = (0..fewer.len()).collect();
        style.seeds.remove(gone);
        let after = packages(&one_file(write_file(&fewer, &style)));
        let present = !matches!(removed.marker, Some((_, false)));
        prop_assert_eq!(before.contains_key(&id(&removed)), present);
        prop_assert!(!after.contains_key(&id(&removed)));
        // Nothing else changed.
        let mut expected = before.clone();
        expected.remove(&id(&removed));
        prop_assert_eq!(after, expected);
    }

    #[test]
    fn extras_dropped_are_seen(req in req(), extra in word()) {
        let with = Req { extras: vec![extra.clone()], marker: None, ..req };
        let without = Req { extras: vec![], ..with.clone() };
        let before = packages(&one_file(write_file(std::slice::from_ref(&with), &plain())));
        let after = packages(&one_file(write_file(&[without], &plain())));
        prop_assert!(before[&id(&with)].contains(&CanonicalName::new(&extra).to_string()));
        prop_assert!(after[&id(&with)].is_empty());
    }
}

/// Pieces of the format, to build lines that reach deep into the reader.
const TOKENS: &[&str] = &[
    "flask",
    "Flask_Cors",
    "a",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\\",
    "\\\n",
    "#",
    " #",
    "-r ",
    "-c ",
    "-e ",
    "-r",
    "--requirement=",
    "--constraint ",
    "a.txt",
    "b/c.txt",
    "../requirements.txt",
    "/abs",
    "C:\\x",
    "--hash=sha256:ab",
    "--hash",
    "-C",
    "k=v",
    "--index-url",
    "--pre",
    "--",
    "-",
    ";",
    "; ",
    " ; ",
    "python_version",
    " < ",
    "'3.8'",
    "\"3\"",
    " and ",
    " or ",
    "(",
    ")",
    "extra == 'x'",
    "sys_platform",
    "==",
    "===",
    "~=",
    ">=",
    "1.0",
    "*",
    ",",
    "@",
    " @ ",
    "https://x.invalid/p.zip",
    "git+https://x.invalid/r.git",
    "#egg=",
    "egg=",
    "&",
    "[",
    "]",
    "[x,y]",
    ".whl",
    "-1.0-py3-none-any",
    ".tar.gz",
    "./",
    "${VAR}",
    "${",
    "}",
    "'",
    "\"",
    "é",
    "\u{2028}",
    "\u{85}",
    "\u{a0}",
    "\0",
    "\u{feff}",
    "file:",
    "hg+https://h/x#egg=y",
    "%2D",
    "?q=1",
];

fn fuzz_config() -> Config {
    let cases = std::env::var("ENVGUARD_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Reads three files (the top one, and two that includes may name) and
/// uses everything the reader returns.
fn exercise(files: [Vec<u8>; 3]) {
    let [top, a, c] = files;
    let map = BTreeMap::from([
        ("requirements.txt".to_string(), top),
        ("a.txt".to_string(), a),
        ("b/c.txt".to_string(), c),
    ]);
    let parsed = parse("requirements.txt", &mut |path: &str| {
        Ok(map.get(path).cloned())
    });
    // The hook's fast path must read exactly the files the full reading does.
    let sources = envguard_core::requirements::sources("requirements.txt", &mut |path: &str| {
        Ok(map.get(path).cloned())
    });
    match (&parsed, &sources) {
        (Ok(parsed), Ok(files)) => assert_eq!(files, &parsed.files),
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("parse and sources disagree: {a:?} / {b:?}"),
    }
    match parsed {
        Ok(parsed) => {
            for platform in [Platform::Linux, Platform::Windows] {
                for python in [None, Runtime::parse("python-3.11.2")] {
                    let _ = parsed.packages(&Target { platform, python });
                }
            }
            for warning in &parsed.warnings {
                assert!(!warning.to_string().is_empty());
            }
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
}

fn tokens() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.concat().into_bytes())
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn never_panics_on_bytes(top in prop::collection::vec(any::<u8>(), 0..300), a in prop::collection::vec(any::<u8>(), 0..64)) {
        exercise([top, a, Vec::new()]);
    }

    #[test]
    fn never_panics_on_lines(top in tokens(), a in tokens(), c in tokens(), bom in 0..4u8) {
        // Sometimes the same text behind a BOM, or as UTF-16.
        let top = match (bom, String::from_utf8(top.clone())) {
            (1, _) => [&b"\xef\xbb\xbf"[..], &top].concat(),
            (2, Ok(text)) => [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
            (3, Ok(text)) => [0xfe, 0xff].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect(),
            _ => top,
        };
        exercise([top, a, c]);
    }
}
