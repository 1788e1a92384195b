//! The rules the hook shares with `deploy.sh` and `deploy.cmd`, read from
//! the fixtures those scripts' tests read too (`tests/data/*.tsv`), so the
//! three readers cannot drift apart unseen.

use envguard_core::config::Config;
use envguard_core::deployment::{set_command, Deployment, Edit};
use envguard_core::platform::Runtime;
use envguard_core::token::Token;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");
const VALID_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The fixture's cases: (first column, case name, bytes), escapes undone
/// as its header says (`\n \r \t \\ \xHH`, and `{T}` in tokens.tsv).
fn cases(file: &str) -> Vec<(String, String, Vec<u8>)> {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let mut columns = line.splitn(3, '\t');
            let mut next = || columns.next().unwrap_or_else(|| panic!("{file}: {line:?}"));
            let (first, name, bytes) = (next().to_string(), next().to_string(), next());
            (first, name, unescape(&bytes.replace("{T}", VALID_TOKEN)))
        })
        .collect()
}

/// A fixture's lines as `N` columns, the last one holding the rest.
fn columns<const N: usize>(file: &str) -> Vec<[String; N]> {
    let text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let mut parts = line.splitn(N, '\t').map(str::to_string);
            std::array::from_fn(|_| parts.next().unwrap_or_else(|| panic!("{file}: {line:?}")))
        })
        .collect()
}

fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                let hex = std::str::from_utf8(&hex).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
            }
            other => panic!("unknown escape \\{other:?} in {text:?}"),
        }
    }
    out
}

#[test]
fn runtime_spellings() {
    let cases = cases("runtime_spellings.tsv");
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for (want, name, bytes) in cases {
        let got = Runtime::from_file(&bytes).map(|r| r.selector());
        let want = (want != "-").then_some(want);
        assert_eq!(got, want, "{name}: {bytes:?}");
    }
}

#[test]
fn tokens() {
    let cases = cases("tokens.tsv");
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for (verdict, name, bytes) in cases {
        let token = Token::from_marker(&bytes);
        match verdict.as_str() {
            "valid" => assert_eq!(
                token.as_ref().map(Token::as_str),
                Some(VALID_TOKEN),
                "{name}"
            ),
            "ignored" => assert_eq!(token, None, "{name}: {bytes:?}"),
            other => panic!("{name}: unknown verdict {other}"),
        }
    }
}

#[test]
fn deployment_ini() {
    let cases = columns::<5>("deployment_ini.tsv");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let value = |column: &str| {
        (column != "-").then(|| String::from_utf8(unescape(column)).expect("UTF-8 value"))
    };
    for [hook, project, command, name, bytes] in cases {
        let parsed = Deployment::parse(&unescape(&bytes));
        match hook.as_str() {
            "ok" => {
                let parsed = parsed.unwrap_or_else(|err| panic!("{name}: {err}"));
                assert_eq!(parsed.project, value(&project), "{name}");
                assert_eq!(parsed.command, value(&command), "{name}");
            }
            "refused" => {
                let err = parsed.expect_err(&name);
                assert!(err.to_string().starts_with(".deployment:"), "{name}: {err}");
            }
            other => panic!("{name}: unknown verdict {other}"),
        }
    }
}

/// `init` sets the command in every file Kudu reads: afterwards Kudu's
/// reading (the hook's) finds that command and the same project, whatever
/// the encoding, line ends or sections of the file.
#[test]
fn init_sets_the_command_kudu_reads() {
    for [hook, _, _, name, bytes] in columns::<5>("deployment_ini.tsv") {
        if hook != "ok" {
            continue;
        }
        let bytes = unescape(&bytes);
        let before = Deployment::parse(&bytes).unwrap();
        let after = match set_command(&bytes, "bash deploy.sh", true) {
            Edit::Changed(after) => after,
            Edit::Unchanged => bytes.clone(),
            Edit::Conflict(theirs) => panic!("{name}: a conflict with {theirs} despite force"),
        };
        let read = Deployment::parse(&after).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(read.command.as_deref(), Some("bash deploy.sh"), "{name}");
        assert_eq!(read.project, before.project, "{name}");
        // The file keeps its byte order mark, so its encoding.
        let start = 2.min(bytes.len());
        assert_eq!(after[..start], bytes[..start], "{name}");
    }
}

/// `tests/data/requirements_key.tsv`: project, result, case name, bytes.
#[test]
fn requirements_key() {
    let text = std::fs::read_to_string(format!("{DATA}/requirements_key.tsv")).unwrap();
    let mut count = 0;
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let columns: Vec<&str> = line.splitn(4, '\t').collect();
        let [project, want, name, bytes] = columns[..] else {
            panic!("requirements_key.tsv: {line:?}");
        };
        let bytes = unescape(bytes);
        let deployment = (project != "-").then(|| {
            Deployment::parse(format!("[config]\nproject = {project}\n").as_bytes()).unwrap()
        });
        let got = Config::from_files(Some(&bytes), deployment.as_ref());
        match want {
            "refused" => {
                let err = got.expect_err(name).to_string();
                assert!(err.starts_with("envguard.toml:"), "{name}: {err}");
            }
            path => assert_eq!(
                got.map(|c| c.requirements).map_err(|e| e.to_string()),
                Ok(path.to_string()),
                "{name}"
            ),
        }
        count += 1;
    }
    assert!(count >= 40, "{count} cases");
}
