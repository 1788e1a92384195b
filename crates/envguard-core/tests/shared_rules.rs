//! The rules the hook shares with `deploy.sh` and `deploy.cmd`, read from
//! the fixtures those scripts' tests read too (`tests/data/*.tsv`), so the
//! three readers cannot drift apart unseen.

use envguard_core::config::Config;
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
        let deployment = (project != "-").then(|| format!("[config]\nproject = {project}\n"));
        let got = Config::from_files(Some(&bytes), deployment.as_deref().map(str::as_bytes));
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
