//! Whole-file rules: one table case per pip rule, with the canonical set
//! expected on the target.

use std::collections::BTreeMap;

use super::*;
use crate::names::CanonicalName;
use crate::platform::Platform;
use test_case::test_case;

fn parse_map(files: &[(&str, &[u8])]) -> Result<Requirements, Error> {
    let map: BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_vec()))
        .collect();
    parse(files[0].0, &mut |path: &str| Ok(map.get(path).cloned()))
}

fn labels(parsed: &Requirements, target: &Target) -> Vec<String> {
    parsed
        .packages(target)
        .into_iter()
        .map(|(id, extras)| {
            if extras.is_empty() {
                id.to_string()
            } else {
                format!("{id}[{}]", extras.into_iter().collect::<Vec<_>>().join(","))
            }
        })
        .collect()
}

fn linux(python: &str) -> Target {
    Target {
        platform: Platform::Linux,
        python: Runtime::parse(python),
    }
}

fn windows(python: &str) -> Target {
    Target {
        platform: Platform::Windows,
        python: Runtime::parse(python),
    }
}

/// The labels of one file on Windows with Python 3.11, and its warnings' lines.
fn one(text: &str) -> (Vec<String>, Vec<usize>) {
    let parsed = parse_map(&[("requirements.txt", text.as_bytes())]).unwrap();
    let lines = parsed.warnings.iter().map(|w| w.line).collect();
    (labels(&parsed, &windows("python-3.11")), lines)
}

#[test]
fn canonical_names() {
    for spelling in [
        "Flask_Cors",
        "flask.cors",
        "flask-cors",
        "FLASK__cors",
        "flask-_.cors",
    ] {
        assert_eq!(CanonicalName::new(spelling).as_str(), "flask-cors");
    }
}

#[test_case("Flask\nflask_cors\nFLASK.Cors\n", &["flask", "flask-cors"], &[]; "pep 503 names")]
#[test_case("requests[Socks]\nrequests[security]>=2\n", &["requests[security,socks]"], &[]; "extras merge")]
#[test_case("# top\n\n  # indented\nflask # web\nhttps://x.invalid/a.zip#egg=x # c\n", &["flask", "x"], &[]; "comments")]
#[test_case("flask \\\n  ==3.0 \\\n  --hash=sha256:ab\nsix\n", &["flask", "six"], &[]; "continuations")]
#[test_case("flask\\\n# comment\nsix", &["flask", "six"], &[]; "comment ends a continuation")]
#[test_case("flask # c \\\nsix\nattrs", &["attrs", "flask"], &[]; "pip swallows the line after a commented continuation")]
#[test_case("a\r\nb\rc\n", &["a", "b", "c"], &[]; "crlf and lone cr")]
#[test_case("pkg --hash=sha256:aa --hash sha512:bb\nq -C k=v --global-option=x\n", &["pkg", "q"], &[]; "per requirement options")]
#[test_case(
    "-i https://x.invalid/simple\n--index-url=https://x.invalid/s\n--extra-index-url https://y.invalid/s\n--no-index\n\
     -f ./wheels\n--find-links=https://z.invalid\n--no-binary :all:\n--only-binary=numpy\n--prefer-binary\n\
     --require-hashes\n--pre\n--trusted-host x.invalid\n--use-feature=truststore\nflask\n",
    &["flask"], &[];
    "global options"
)]
#[test_case("--frobnicate\nflask --nope\n", &["flask", "--frobnicate"], &[1, 2]; "unknown options")]
#[test_case("--pre flask\n", &[], &[1]; "a word after an option is dropped by pip")]
#[test_case("flask\ttab --hash=sha256:x\n", &["flask\ttab"], &[1]; "a tab does not split options")]
#[test_case("-e git+https://x.invalid/r.git#egg=My_Pkg[Ex]\n--editable=./src/app[dev]\n", &["my-pkg[ex]", "./src/app[dev]"], &[1]; "editables")]
#[test_case("-e https://x.invalid/a.zip\n", &["https://x.invalid/a.zip"], &[1]; "editable pip refuses")]
#[test_case("pkg @ https://x.invalid/p.zip\nhttps://x.invalid/q-1.0-py3-none-any.whl\nhttps://x.invalid/r.zip\n", &["pkg", "q", "https://x.invalid/r.zip"], &[]; "urls")]
#[test_case("./local/\nlocal\n", &["local", "./local"], &[]; "a path is not a name")]
#[test_case("flask=3.0\n", &["flask=3.0"], &[1]; "unreadable line by its text")]
#[test_case("${PKG}==1.0\npkg @ https://${TOKEN}@x.invalid/p.zip\n", &["pkg", "${PKG}==1.0"], &[]; "env references silently literal")]
#[test_case("a; sys_platform == 'win32'\nb; sys_platform == 'linux'\nc; extra == 'x'\n", &["a"], &[]; "markers")]
#[test_case("a; python_version >> '3'\n", &["a"], &[1]; "unparseable marker counts as present")]
fn rules(text: &str, want: &[&str], warned: &[usize]) {
    let (got, lines) = one(text);
    assert_eq!(got, want, "{text:?}");
    assert_eq!(lines, warned, "{text:?}");
}

#[test]
fn includes_relative_to_including_file() {
    let files: [(&str, &[u8]); 5] = [
        (
            "app/requirements.txt",
            b"-r req/base.txt\n-c req/constraints.txt\nflask\n",
        ),
        ("app/req/base.txt", b"--requirement=../shared.txt\nattrs\n"),
        ("app/shared.txt", b"six\n-rreq/base2.txt\n"),
        ("app/req/base2.txt", b"idna\n"),
        ("app/req/constraints.txt", b"urllib3<2\n"),
    ];
    let parsed = parse_map(&files).unwrap();
    assert_eq!(
        labels(&parsed, &linux("python-3.11")),
        ["attrs", "flask", "idna", "six"]
    );
    let read: Vec<_> = parsed.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        read,
        [
            "app/requirements.txt",
            "app/req/base.txt",
            "app/shared.txt",
            "app/req/base2.txt",
            "app/req/constraints.txt"
        ]
    );
    assert_eq!(parsed.files[1].sha256, crate::digest::sha256(files[1].1));
    // Entries say where they come from.
    let idna = parsed
        .entries
        .iter()
        .find(|e| e.id.to_string() == "idna")
        .unwrap();
    assert_eq!((idna.file.as_str(), idna.line), ("app/req/base2.txt", 1));
}

#[test]
fn constraints_add_no_packages_but_a_nested_r_does_as_in_pip() {
    // pip's _parse_and_recurse reads `-r` as requirements whatever the
    // including file is, so what a constraints file `-r`-includes is
    // installed.
    let files: [(&str, &[u8]); 4] = [
        ("requirements.txt", b"flask\n--constraint c.txt\n"),
        (
            "c.txt",
            b"jinja2<4\n-c c2.txt\n-r r.txt\nhttps://x.invalid/p.zip\n",
        ),
        ("c2.txt", b"markupsafe<3\n"),
        ("r.txt", b"gunicorn\n"),
    ];
    let parsed = parse_map(&files).unwrap();
    assert_eq!(
        labels(&parsed, &linux("python-3.11")),
        ["flask", "gunicorn"]
    );
    assert_eq!(parsed.files.len(), 4);
}

#[test]
fn the_same_file_twice_is_read_twice_and_listed_once() {
    let files: [(&str, &[u8]); 3] = [
        ("requirements.txt", b"-r a.txt\n-r b.txt\n-r ./a.txt\n"),
        ("a.txt", b"six\n"),
        ("b.txt", b"-r a.txt\n"),
    ];
    let parsed = parse_map(&files).unwrap();
    assert_eq!(labels(&parsed, &linux("python-3.11")), ["six"]);
    assert_eq!(parsed.entries.len(), 3);
    let read: Vec<_> = parsed.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(read, ["requirements.txt", "a.txt", "b.txt"]);
}

#[test_case(&[("r.txt", b"flask\n-r missing.txt\n")], "r.txt", 2, "missing.txt, which is not a file in the commit"; "missing include")]
#[test_case(&[("r.txt", b"-c sub/missing.txt\n")], "r.txt", 1, "sub/missing.txt, which is not"; "missing constraint")]
#[test_case(&[("r.txt", b"-r ../outside.txt\n")], "r.txt", 1, "outside the repository"; "dot dot past the root")]
#[test_case(&[("d/r.txt", b"-r ../../x.txt\n")], "d/r.txt", 1, "outside the repository"; "dot dot past the root from a folder")]
#[test_case(&[("r.txt", b"-r /etc/x.txt\n")], "r.txt", 1, "outside the repository"; "absolute path")]
#[test_case(&[("r.txt", b"-r C:\\x.txt\n")], "r.txt", 1, "outside the repository"; "windows drive")]
#[test_case(&[("r.txt", b"-r \\\\server\\share\\x.txt\n")], "r.txt", 1, "outside the repository"; "unc path")]
#[test_case(&[("r.txt", b"-r .\n")], "r.txt", 1, "root folder"; "the root folder")]
#[test_case(&[("a.txt", b"-r b.txt\n"), ("b.txt", b"\n\n-r a.txt\n")], "b.txt", 3, "include cycle: a.txt -> b.txt -> a.txt"; "cycle")]
#[test_case(&[("a.txt", b"-r a.txt\n")], "a.txt", 1, "include cycle: a.txt -> a.txt"; "self include")]
#[test_case(&[("d/a.txt", b"-r ../d/./b.txt\n"), ("d/b.txt", b"-c a.txt\n")], "d/b.txt", 1, "d/a.txt -> d/b.txt -> d/a.txt"; "cycle through a constraint and dots")]
#[test_case(&[("r.txt", b"-r b.txt\n"), ("b.txt", b"\xff\xfe\x00")], "b.txt", 0, "UTF-16 LE"; "bad bytes after a bom name the file")]
fn include_errors(files: &[(&str, &[u8])], file: &str, line: usize, message: &str) {
    let err = parse_map(files).unwrap_err();
    assert_eq!((err.file.as_str(), err.line), (file, line), "{err}");
    assert!(err.message.contains(message), "{err}");
}

#[test]
fn include_bounds() {
    let chain: Vec<(String, Vec<u8>)> = (0..=MAX_FILES)
        .map(|i| {
            (
                format!("{i}.txt"),
                format!("-r {}.txt\npkg{i}\n", i + 1).into_bytes(),
            )
        })
        .collect();
    let files: Vec<(&str, &[u8])> = chain
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let err = parse_map(&files).unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("63.txt", 1), "{err}");
    assert!(err.message.contains("more than 64"), "{err}");

    // The total is checked before a file is hashed or read further.
    let big = vec![b'#'; MAX_BYTES];
    let err = parse_map(&[("r.txt", b"flask\n-r big.txt\n"), ("big.txt", &big)]).unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("r.txt", 2), "{err}");
    assert!(err.message.contains("16 MiB"), "{err}");
}

#[test]
fn url_and_env_includes_are_identified_by_their_text() {
    let text =
        b"-r https://x.invalid/reqs.txt\n-c https://x.invalid/c.txt\n-r ${REQS_FILE}\nflask\n";
    let parsed = parse_map(&[("requirements.txt", text)]).unwrap();
    assert_eq!(
        labels(&parsed, &linux("python-3.11")),
        ["flask", "${REQS_FILE}", "https://x.invalid/reqs.txt"]
    );
    let warned: Vec<_> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(
        warned[0].starts_with("requirements.txt:1: cannot follow an include by URL"),
        "{warned:?}"
    );
}

#[test]
fn a_missing_top_file_reads_as_nothing() {
    let parsed = parse("requirements.txt", &mut |_: &str| Ok(None)).unwrap();
    assert!(parsed.files.is_empty() && parsed.entries.is_empty());
}

#[test]
fn a_read_failure_names_the_including_line() {
    let err = parse("r.txt", &mut |path: &str| match path {
        "r.txt" => Ok(Some(b"-r x.txt\n".to_vec())),
        _ => Err(ReaderError::new("object is corrupt")),
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.txt:1: cannot read x.txt: object is corrupt"
    );
    assert!(err.read_failed);
    let judged = parse("r.txt", &mut |path: &str| match path {
        "r.txt" => Ok(Some(b"-r x.txt\n".to_vec())),
        _ => Ok(None),
    })
    .unwrap_err();
    assert!(!judged.read_failed, "{judged}");
}

#[test]
fn decoding_warnings_name_the_line() {
    let parsed = parse_map(&[("r.txt", b"flask\n# caf\xe9\n")]).unwrap();
    assert_eq!(parsed.warnings.len(), 1);
    assert!(parsed.warnings[0]
        .to_string()
        .starts_with("r.txt:2: is not UTF-8"));
}

#[test]
fn warnings_read_file_line_message() {
    let parsed = parse_map(&[("sub/r.txt", b"\nflask=1\n")]).unwrap();
    assert_eq!(
        parsed.warnings[0].to_string(),
        "sub/r.txt:2: not a valid requirement (no such comparison operator \"=\", must be one of ~= == != <= >= < > ===); \
         envguard identifies it by its text"
    );
}

// `platform_machine` cannot be known (an own ARM server, a 32-bit Python on
// Windows), nor the server's patch level: markers on them may hold.
#[test_case("python-3.11", Platform::Linux, &["a", "linux-only", "old-full", "win-amd64"]; "linux 3.11")]
#[test_case("python-3.11.4", Platform::Linux, &["a", "linux-only", "old-full", "win-amd64"]; "the patch level picks no patch")]
#[test_case("python-3.12", Platform::Windows, &["b", "c", "win-amd64", "win-only"]; "windows 3.12")]
#[test_case("", Platform::Linux, &["a", "c", "linux-only", "old-full", "win-amd64"]; "unknown runtime means any version")]
fn markers_follow_the_target(python: &str, platform: Platform, want: &[&str]) {
    let text = "a; python_version < '3.12'\n\
                b; sys_platform == 'win32' and os_name == 'nt' and platform_system == 'Windows'\n\
                c; python_version >= '3.12' and implementation_name == 'cpython'\n\
                win-only; platform_system == \"Windows\"\n\
                win-amd64; platform_machine == 'AMD64'\n\
                linux-only; sys_platform == 'linux' and platform_machine == 'x86_64' and os_name == 'posix'\n\
                old-full; python_full_version < '3.11.1'\n\
                pypy-only; platform_python_implementation == 'PyPy'\n\
                extra-only; extra == 'dev'\n";
    let parsed = parse_map(&[("r.txt", text.as_bytes())]).unwrap();
    let target = Target {
        platform,
        python: Runtime::parse(python),
    };
    assert_eq!(labels(&parsed, &target), want);
}

#[test]
fn extras_only_count_where_the_marker_holds() {
    let text = b"requests[socks]; sys_platform == 'win32'\nrequests[security]\n";
    let parsed = parse_map(&[("r.txt", text)]).unwrap();
    assert_eq!(labels(&parsed, &linux("3.11")), ["requests[security]"]);
    assert_eq!(
        labels(&parsed, &windows("3.11")),
        ["requests[security,socks]"]
    );
}

#[test_case(b"\xef\xbb\xbfflask\r\nsix\r\n"; "utf-8 bom and crlf")]
#[test_case(b"\xff\xfef\x00l\x00a\x00s\x00k\x00\n\x00s\x00i\x00x\x00"; "utf-16 le")]
#[test_case(b"# -*- coding: latin-1 -*-\nflask # caf\xe9\nsix"; "declared latin-1")]
fn encodings_give_the_same_packages(bytes: &[u8]) {
    let parsed = parse_map(&[("r.txt", bytes)]).unwrap();
    assert_eq!(labels(&parsed, &linux("3.11")), ["flask", "six"]);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn warnings_come_once_per_file_and_are_capped() {
    let files: [(&str, &[u8]); 2] = [
        ("requirements.txt", b"-r a.txt\nbad=1\n-r a.txt\n"),
        ("a.txt", b"worse=2\n"),
    ];
    let parsed = parse_map(&files).unwrap();
    let said: Vec<_> = parsed
        .warnings
        .iter()
        .map(|w| format!("{}:{}", w.file, w.line))
        .collect();
    assert_eq!(said, ["a.txt:1", "requirements.txt:2"]);
    // Both copies of a.txt's line still count.
    assert_eq!(parsed.entries.len(), 3);

    let many: String = (0..MAX_WARNINGS_PER_FILE + 5)
        .map(|i| format!("bad{i}=1\n"))
        .collect();
    let parsed = parse_map(&[("r.txt", many.as_bytes())]).unwrap();
    assert_eq!(parsed.warnings.len(), MAX_WARNINGS_PER_FILE + 1);
    let last = parsed.warnings.last().unwrap().to_string();
    assert_eq!(
        last,
        format!("r.txt:{MAX_WARNINGS_PER_FILE}: and 5 more warnings about this file")
    );
    assert_eq!(parsed.entries.len(), MAX_WARNINGS_PER_FILE + 5);
}

/// What git stores for a file in Git LFS: a pointer, which pip never sees.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1\n\
oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n\
size 12345\n";

#[test]
fn a_requirements_file_in_git_lfs_cannot_be_read() {
    for files in [
        vec![("requirements.txt", LFS_POINTER)],
        vec![
            ("requirements.txt", &b"flask\n-r base.txt\n"[..]),
            ("base.txt", LFS_POINTER),
        ],
    ] {
        let err = parse_map(&files).unwrap_err();
        let lfs = files.last().unwrap().0;
        assert_eq!((err.file.as_str(), err.line), (lfs, 0));
        assert!(err.read_failed, "never a judgement of the contents");
        assert!(
            err.message.starts_with(
                "is a Git LFS pointer (oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393)"
            ),
            "{err}"
        );
        // The bytes alone cannot be trusted either: the real file may include others.
        let map: BTreeMap<String, Vec<u8>> = files
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_vec()))
            .collect();
        let mut read = |path: &str| Ok(map.get(path).cloned());
        assert!(
            sources("requirements.txt", &mut read)
                .unwrap_err()
                .read_failed
        );
    }
}

#[test_case(b"version https://git-lfs.github.com/spec/v1\nsize 12\n"; "no oid")]
#[test_case(b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\n"; "no size")]
#[test_case(b"version https://example.invalid/spec/v1\noid sha256:ab\nsize 1\n"; "another spec")]
#[test_case(b"flask\nversion https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 1\n"; "not the first line")]
fn text_that_is_no_lfs_pointer_is_read_as_requirements(bytes: &[u8]) {
    assert!(parse_map(&[("requirements.txt", bytes)]).is_ok());
}

#[test]
fn the_oldest_lfs_pointers_count_too() {
    let old = b"version https://hawser.github.com/spec/v1\noid sha256:ab\nsize 3\n";
    assert!(
        parse_map(&[("requirements.txt", old)])
            .unwrap_err()
            .read_failed
    );
}
