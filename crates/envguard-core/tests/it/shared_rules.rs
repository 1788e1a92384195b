//! The rules the hook shares with `deploy.sh`, `deploy.cmd` and the
//! leftovers check (`envguard_check.py`), read from the tables those
//! scripts' tests read too (`tests/data/*.tsv`), so the readers cannot
//! drift apart unseen.

use envguard_core::config::Config;
use envguard_core::deployment::{set_command, Deployment, Edit};
use envguard_core::names::CanonicalName;
use envguard_core::platform::Runtime;
use envguard_core::token::Token;

use crate::tsv::{self, unescape, VALID_TOKEN};

#[test]
fn runtime_spellings() {
    let cases = tsv::RUNTIME_SPELLINGS.cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for (want, name, bytes) in cases {
        let got = Runtime::from_file(&bytes).map(|r| r.selector());
        let want = (want != "-").then_some(want);
        assert_eq!(got, want, "{name}: {bytes:?}");
    }
}

#[test]
fn tokens() {
    let cases = tsv::TOKENS.cases();
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
    let cases = tsv::DEPLOYMENT_INI.rows::<5>();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for [hook, project, command, name, bytes] in cases {
        let parsed = Deployment::parse(&unescape(bytes));
        match hook {
            "ok" => {
                let parsed = parsed.unwrap_or_else(|err| panic!("{name}: {err}"));
                assert_eq!(parsed.project, tsv::value(project), "{name}");
                assert_eq!(parsed.command, tsv::value(command), "{name}");
            }
            "refused" => {
                let err = parsed.expect_err(name);
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
    for [hook, _, _, name, bytes] in tsv::DEPLOYMENT_INI.rows::<5>() {
        if hook != "ok" {
            continue;
        }
        let bytes = unescape(bytes);
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
    let mut count = 0;
    for [project, want, name, bytes] in tsv::REQUIREMENTS_KEY.rows::<4>() {
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

/// `tests/data/canonical_names.tsv`: canonical, case name, name.
#[test]
fn canonical_names() {
    let cases = tsv::CANONICAL_NAMES.cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for (want, name, bytes) in cases {
        let want = String::from_utf8(unescape(&want)).unwrap();
        let given = String::from_utf8(bytes).unwrap();
        assert_eq!(CanonicalName::new(&given).as_str(), want, "{name}");
    }
}

/// `tests/data/keep.tsv`: what envguard.toml's `keep` holds for the hook,
/// and that whatever the hook calls kept the server keeps too.
#[test]
fn keep() {
    let rows = tsv::KEEP.rows::<6>();
    assert!(rows.len() >= 40, "{} cases", rows.len());
    for [hook, server, distribution, _, name, toml] in rows {
        let toml = (toml != "-").then(|| unescape(toml));
        let verdict = match Config::from_files(toml.as_deref(), None) {
            Ok(config) if config.keep.contains(&CanonicalName::new(distribution)) => "kept",
            Ok(_) => "-",
            Err(err) => {
                assert!(
                    err.to_string().starts_with("envguard.toml:"),
                    "{name}: {err}"
                );
                "refused"
            }
        };
        assert_eq!(verdict, hook, "{name}");
        if hook == "kept" && !server.contains('/') {
            assert_eq!(server, "kept", "{name}: the hook's note would not hold");
        }
    }
}
