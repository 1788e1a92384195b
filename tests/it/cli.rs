//! The command line's conventions: clap's errors in envguard's voice, help
//! for a bare `envguard`, named arguments, and the man page and shell
//! completions generated from the same definition.

use crate::common;

use common::{assert_code, assert_says, TestRepo};

#[test]
fn clap_errors_carry_the_envguard_prefix() {
    let repo = TestRepo::new();
    for args in [
        &["--bogus"][..],
        &["status", "--format", "xml"],
        &["diff", "HEAD"],
        &["frobnicate"],
    ] {
        let run = repo.envguard(args);
        assert_says!(run, 2);
        assert!(!run.stderr.is_empty(), "{args:?}");
        for line in run.stderr.lines() {
            assert!(
                line.starts_with("envguard: "),
                "{args:?}: {line:?}\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn a_bare_envguard_prints_help_and_misuse_keeps_exit_2() {
    let repo = TestRepo::new();
    let run = repo.envguard(&[]);
    assert_says!(run, 2);
    let help = repo.envguard(&["--help"]);
    assert_says!(help, 0);
    assert_code(&repo.envguard(&["--version"]), 0);
}

#[test]
fn diff_help_names_its_arguments() {
    let run = TestRepo::new().envguard(&["diff", "--help"]);
    assert_says!(run, 0);
}

#[test]
fn the_man_page_and_completions_build_from_the_clap_definition() {
    let repo = TestRepo::new();
    // The man page and the completions are clap_mangen's and
    // clap_complete's output, in their formats: what matters is that they
    // come from the definition, not each line of them.
    let man = repo.envguard(&["man"]);
    assert_code(&man, 0);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH envguard 1"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("pre\\-push") || man.stdout.contains("pre-push"));
    for (shell, needle) in [
        ("bash", "complete -F _envguard"),
        ("zsh", "#compdef envguard"),
        ("fish", "complete -c envguard"),
        ("elvish", "edit:completion:arg-completer[envguard]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = repo.envguard(&["completions", shell]);
        assert_code(&run, 0);
        assert!(
            run.stdout.contains(needle),
            "{shell}: {}",
            &run.stdout[..300.min(run.stdout.len())]
        );
        for command in ["status", "doctor", "init", "completions"] {
            assert!(run.stdout.contains(command), "{shell} lacks {command}");
        }
    }
    // bash parses what it is given.
    let script = repo.envguard(&["completions", "bash"]).stdout;
    let path = repo.root.path().join("envguard.bash");
    std::fs::write(&path, script).unwrap();
    let check = repo.run_in(&repo.dir, "bash", &["-n", path.to_str().unwrap()], &[]);
    assert_code(&check, 0);
}
