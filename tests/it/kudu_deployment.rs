//! The simulated Kudu reads `.deployment` as Kudu does, by the table the
//! hook's reading is tested against too (`tests/data/deployment_ini.tsv`),
//! and puts its keys in the deployment script's environment as Kudu does:
//! named as written, an app setting of the same name winning.

use crate::kudu;

use crate::common::tsv;
use kudu::{kudu_settings, Kudu};

/// One case of the table, `None` for `-`, the escapes undone. The hook's
/// verdict (`ok`, `refused`) is the core's to check; Kudu reads every case.
struct Case {
    project: Option<String>,
    command: Option<String>,
    name: String,
    bytes: Vec<u8>,
}

fn cases() -> Vec<Case> {
    tsv::DEPLOYMENT_INI
        .rows::<5>()
        .into_iter()
        .map(|[_hook, project, command, name, bytes]| Case {
            project: tsv::value(project),
            command: tsv::value(command),
            name: name.to_string(),
            bytes: tsv::unescape(bytes),
        })
        .collect()
}

/// The variable the script sees for `key`, whatever its spelling.
fn setting<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_simulated_kudu_reads_every_case_of_the_table() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for Case {
        project,
        command,
        name,
        bytes,
    } in cases
    {
        let (run, pairs) = kudu_settings(&bytes, &[]);
        // An empty value is exported, and means no value (GetValue).
        let used = |key| setting(&pairs, key).filter(|v| !v.is_empty());
        assert_eq!(used("project"), project.as_deref(), "{name}");
        // Kudu runs the command it read; an empty one is none.
        let want = command.clone().unwrap_or_default();
        assert_eq!(run, want, "{name}");
        assert_eq!(used("command"), command.as_deref(), "{name}");
    }
}

#[test]
fn keys_keep_their_spelling_and_app_settings_win() {
    let (command, pairs) = kudu_settings(
        b"[config]\nProject = src/app\nPROJECT = src/other\nSCM_TRACE_LEVEL = 1\n",
        &[],
    );
    assert_eq!(command, "");
    // One key, spelled as first written, the last value.
    assert_eq!(
        pairs,
        [
            ("Project".to_string(), "src/other".to_string()),
            ("SCM_TRACE_LEVEL".to_string(), "1".to_string())
        ]
    );
    let (command, pairs) = kudu_settings(
        b"[config]\nproject = src/app\ncommand = bash deploy.sh\n",
        &[("PROJECT", "elsewhere"), ("COMMAND", "bash mine.sh")],
    );
    assert_eq!(command, "bash mine.sh");
    assert_eq!(setting(&pairs, "project"), Some("elsewhere"));
    assert_eq!(pairs[0].0, "project");
}

/// End to end: a `.deployment` in UTF-16 with `[ config ]` (what Windows
/// PowerShell 5 writes, spaced by hand) still runs its command, with its
/// keys in the script's environment.
#[test]
fn a_utf16_deployment_with_a_spaced_section_runs_its_command() {
    let kudu = Kudu::new();
    let text = "[ config ]\r\ncommand = bash record.sh\r\nEnvguard_Note = from .deployment\r\n";
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    kudu.write(".deployment", bytes);
    kudu.write(
        "record.sh",
        "printf '%s\\n' \"note=${Envguard_Note-unset}\" \"upper=${ENVGUARD_NOTE-unset}\"\n",
    );
    let deploy = kudu.push("utf-16 deployment");
    assert!(deploy.success, "{}", deploy.log);
    assert!(
        deploy.log.contains("note=from .deployment\nupper=unset\n"),
        "{}",
        deploy.log
    );
}
