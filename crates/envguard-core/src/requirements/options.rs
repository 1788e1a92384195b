//! The options part of a requirements line, read as pip reads it: split by
//! `shlex.split` (POSIX rules), then parsed by an `optparse` parser that knows
//! only the options pip allows in a requirements file (`SUPPORTED_OPTIONS`
//! and `SUPPORTED_OPTIONS_REQ` in `pip/_internal/req/req_file.py`).
//!
//! Only what decides which packages get installed is kept: includes,
//! editables, and arguments pip drops. Index, binary and hash options are
//! checked as pip checks them and otherwise ignored.

/// What one line's options say, as far as identity goes.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct LineOptions {
    /// `-r` / `--requirement` values, in order.
    pub requirements: Vec<String>,
    /// `-c` / `--constraint` values, in order.
    pub constraints: Vec<String>,
    /// `-e` / `--editable` values, in order.
    pub editables: Vec<String>,
    /// Words that are no option's value: `optparse` keeps them aside and pip
    /// ignores them.
    pub ignored: Vec<String>,
    /// Options of old pips that pip no longer knows ([`OBSOLETE`]), as
    /// spelled: they install nothing, and today's pip refuses the line.
    pub obsolete: Vec<String>,
}

/// How an option takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    Value,
}

/// What envguard does with an option's value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    Requirement,
    Constraint,
    Editable,
    /// `--hash`: pip checks `algorithm:digest` with a strong algorithm.
    Hash,
    /// `--config-settings`: pip checks `KEY=VALUE`.
    ConfigSetting,
    /// `--no-binary`, `--only-binary`, `--all-releases`, `--only-final`:
    /// pip refuses a value starting with `-`.
    FormatControl,
    Ignored,
}

/// Every option some pip accepts in a requirements file, long spellings
/// first. pip's list changes between versions: `--install-option` left in
/// 23.1 and `--global-option` later, `--no-require-hashes`,
/// `--all-releases` and `--only-final` arrived in 26. A server may run any
/// of them, so all are accepted.
const OPTIONS: &[(&[&str], &[char], Takes, Dest)] = &[
    (
        &["--index-url", "--pypi-url"],
        &['i'],
        Takes::Value,
        Dest::Ignored,
    ),
    (&["--extra-index-url"], &[], Takes::Value, Dest::Ignored),
    (&["--no-index"], &[], Takes::Nothing, Dest::Ignored),
    (&["--constraint"], &['c'], Takes::Value, Dest::Constraint),
    (&["--requirement"], &['r'], Takes::Value, Dest::Requirement),
    (&["--editable"], &['e'], Takes::Value, Dest::Editable),
    (&["--find-links"], &['f'], Takes::Value, Dest::Ignored),
    (&["--no-binary"], &[], Takes::Value, Dest::FormatControl),
    (&["--only-binary"], &[], Takes::Value, Dest::FormatControl),
    (&["--prefer-binary"], &[], Takes::Nothing, Dest::Ignored),
    (&["--require-hashes"], &[], Takes::Nothing, Dest::Ignored),
    (&["--no-require-hashes"], &[], Takes::Nothing, Dest::Ignored),
    (&["--pre"], &[], Takes::Nothing, Dest::Ignored),
    (&["--all-releases"], &[], Takes::Value, Dest::FormatControl),
    (&["--only-final"], &[], Takes::Value, Dest::FormatControl),
    (&["--trusted-host"], &[], Takes::Value, Dest::Ignored),
    (&["--use-feature"], &[], Takes::Value, Dest::Ignored),
    (&["--global-option"], &[], Takes::Value, Dest::Ignored),
    (&["--install-option"], &[], Takes::Value, Dest::Ignored),
    (&["--hash"], &[], Takes::Value, Dest::Hash),
    (
        &["--config-settings"],
        &['C'],
        Takes::Value,
        Dest::ConfigSetting,
    ),
];

/// Options that old pips accepted in a requirements file and pip no longer
/// knows (pip 1.5 to 9 had them in `req_file.SUPPORTED_OPTIONS`): the
/// `--allow-external` family, the wheel switches, `--always-unzip` and
/// `--process-dependency-links`. None of them names a package, so a line of
/// them is a warning and no package; pip 10 and later refuse the line.
const OBSOLETE: &[(&[&str], &[char], Takes)] = &[
    (&["--allow-external"], &[], Takes::Value),
    (&["--allow-all-external"], &[], Takes::Nothing),
    (&["--no-allow-external"], &[], Takes::Nothing),
    (&["--allow-unverified"], &[], Takes::Value),
    (&["--allow-insecure"], &[], Takes::Value),
    (&["--no-allow-insecure"], &[], Takes::Nothing),
    (&["--use-wheel"], &[], Takes::Nothing),
    (&["--no-use-wheel"], &[], Takes::Nothing),
    (&["--always-unzip"], &['Z'], Takes::Nothing),
    (&["--process-dependency-links"], &[], Takes::Nothing),
];

/// pip's `STRONG_HASHES`.
const HASH_ALGORITHMS: &[&str] = &["sha256", "sha384", "sha512"];

/// Parses a line's options; `Err` says why pip would refuse the line.
pub(super) fn parse(options: &str) -> Result<LineOptions, String> {
    let words = shlex_split(options)?;
    let mut out = LineOptions::default();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            // optparse: everything after `--` is an argument.
            out.ignored.extend(words.by_ref());
            break;
        }
        let (spelling, option, value) = if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (long, None),
            };
            let written = format!("--{name}");
            let (spelling, option) = match match_long(&written) {
                Ok(found) => found,
                Err(why) => {
                    let (spelling, takes) = match_obsolete(&written).ok_or(why)?;
                    skip_obsolete(spelling, takes, inline.is_some(), &mut words)?;
                    out.obsolete.push(spelling.to_string());
                    continue;
                }
            };
            (spelling.to_string(), option, inline)
        } else if word.len() > 1 && word.starts_with('-') {
            // Every short option pip knows takes a value, so a cluster is
            // one option and the rest of the word is its value (`-rfile`).
            let mut chars = word.chars().skip(1);
            let letter = chars.next().unwrap_or('-');
            let rest: String = chars.collect();
            let Some(option) = OPTIONS
                .iter()
                .find(|(_, short, _, _)| short.contains(&letter))
            else {
                let (long, _, takes) = OBSOLETE
                    .iter()
                    .find(|(_, short, _)| short.contains(&letter))
                    .ok_or_else(|| format!("pip does not know the option `-{letter}`"))?;
                skip_obsolete(long[0], *takes, !rest.is_empty(), &mut words)?;
                out.obsolete.push(format!("-{letter}"));
                continue;
            };
            (
                format!("-{letter}"),
                option,
                (!rest.is_empty()).then_some(rest),
            )
        } else {
            out.ignored.push(word);
            continue;
        };
        let (_, _, takes, dest) = *option;
        let value = match (takes, value) {
            (Takes::Nothing, Some(_)) => {
                return Err(format!("the option `{spelling}` takes no value"))
            }
            (Takes::Nothing, None) => continue,
            // optparse takes the next word whatever it looks like.
            (Takes::Value, Some(value)) => value,
            (Takes::Value, None) => words
                .next()
                .ok_or_else(|| format!("the option `{spelling}` needs a value"))?,
        };
        match dest {
            Dest::Requirement => out.requirements.push(value),
            Dest::Constraint => out.constraints.push(value),
            Dest::Editable => out.editables.push(value),
            Dest::Hash => check_hash(&value)?,
            Dest::ConfigSetting if !value.contains('=') => {
                return Err(format!("`{spelling}` takes KEY=VALUE, not `{value}`"))
            }
            Dest::FormatControl if value.starts_with('-') => {
                return Err(format!("the option `{spelling}` needs a value"))
            }
            Dest::ConfigSetting | Dest::FormatControl | Dest::Ignored => {}
        }
    }
    Ok(out)
}

type OptionSpec = (&'static [&'static str], &'static [char], Takes, Dest);

/// optparse's `_match_abbrev`: an exact long option, or the only one that
/// starts with what was written (`--extra` is `--extra-index-url`).
fn match_long(written: &str) -> Result<(&'static str, &'static OptionSpec), String> {
    let all = || {
        OPTIONS
            .iter()
            .flat_map(|option| option.0.iter().map(move |&long| (long, option)))
    };
    if let Some(found) = all().find(|(long, _)| *long == written) {
        return Ok(found);
    }
    let mut candidates = all().filter(|(long, _)| long.starts_with(written));
    match (candidates.next(), candidates.next()) {
        (Some(found), None) => Ok(found),
        (Some(_), Some(_)) => Err(format!("the option `{written}` is ambiguous")),
        (None, _) => Err(format!("pip does not know the option `{written}`")),
    }
}

/// An obsolete option by its exact spelling or an abbreviation only it
/// has (optparse's rule, over the options old pips knew).
fn match_obsolete(written: &str) -> Option<(&'static str, Takes)> {
    let all = || {
        OBSOLETE
            .iter()
            .flat_map(|(longs, _, takes)| longs.iter().map(move |&long| (long, *takes)))
    };
    if let Some(found) = all().find(|(long, _)| *long == written) {
        return Some(found);
    }
    let mut candidates = all().filter(|(long, _)| long.starts_with(written));
    match (candidates.next(), candidates.next()) {
        (Some(found), None) => Some(found),
        _ => None,
    }
}

/// Passes over an obsolete option's value, as old pips' optparse took it.
fn skip_obsolete(
    spelling: &str,
    takes: Takes,
    has_inline_value: bool,
    words: &mut impl Iterator<Item = String>,
) -> Result<(), String> {
    match (takes, has_inline_value) {
        (Takes::Nothing, true) => Err(format!("the option `{spelling}` takes no value")),
        (Takes::Value, false) => words
            .next()
            .map(|_| ())
            .ok_or_else(|| format!("the option `{spelling}` needs a value")),
        _ => Ok(()),
    }
}

/// pip's `_handle_merge_hash`: `algorithm:digest`, algorithm in `STRONG_HASHES`.
fn check_hash(value: &str) -> Result<(), String> {
    match value.split_once(':') {
        Some((algorithm, _)) if HASH_ALGORITHMS.contains(&algorithm) => Ok(()),
        Some((algorithm, _)) => Err(format!(
            "`--hash` takes sha256, sha384 or sha512, not `{algorithm}`"
        )),
        None => Err(format!("`--hash` takes ALGORITHM:DIGEST, not `{value}`")),
    }
}

/// Python's `shlex.split(text)` (POSIX mode, no comments): words split at
/// whitespace, `'…'` literal, `"…"` with `\` escaping only `"` and `\`, and
/// a bare `\` escaping the next character.
fn shlex_split(text: &str) -> Result<Vec<String>, String> {
    #[derive(PartialEq)]
    enum State {
        Between,
        Word,
        Single,
        Double,
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut state = State::Between;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match state {
            State::Between | State::Word if matches!(c, ' ' | '\t' | '\r' | '\n') => {
                if state == State::Word {
                    words.push(std::mem::take(&mut word));
                    quoted = false;
                }
                state = State::Between;
            }
            State::Between | State::Word => {
                state = State::Word;
                match c {
                    '\'' => {
                        state = State::Single;
                        quoted = true;
                    }
                    '"' => {
                        state = State::Double;
                        quoted = true;
                    }
                    '\\' => word.push(
                        chars
                            .next()
                            .ok_or_else(|| "the options end in a lone `\\`".to_string())?,
                    ),
                    _ => word.push(c),
                }
            }
            State::Single if c == '\'' => state = State::Word,
            State::Double if c == '"' => state = State::Word,
            State::Double if c == '\\' => {
                let next = chars
                    .next()
                    .ok_or_else(|| "the options have an unclosed `\"`".to_string())?;
                if !matches!(next, '"' | '\\') {
                    word.push('\\');
                }
                word.push(next);
            }
            State::Single | State::Double => word.push(c),
        }
    }
    match state {
        State::Single | State::Double => Err("the options have an unclosed quote".to_string()),
        State::Word if !word.is_empty() || quoted => {
            words.push(word);
            Ok(words)
        }
        _ => Ok(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("", &[]; "empty")]
    #[test_case("  a\tb  ", &["a", "b"]; "whitespace")]
    #[test_case(r#"'a b' "c d""#, &["a b", "c d"]; "quotes")]
    #[test_case(r#"a'b'"c"d"#, &["abcd"]; "adjacent quotes join")]
    #[test_case(r#"'' """#, &["", ""]; "empty quoted words")]
    #[test_case(r#"a\ b \'"#, &["a b", "'"]; "backslash escapes")]
    #[test_case(r#""a\"b\\c\d""#, &[r#"a"b\c\d"#]; "backslash in double quotes")]
    #[test_case(r#"'a\b'"#, &[r"a\b"]; "backslash in single quotes")]
    fn shlex(text: &str, want: &[&str]) {
        assert_eq!(shlex_split(text).unwrap(), want);
    }

    #[test_case("'a"; "unclosed single")]
    #[test_case("\"a"; "unclosed double")]
    #[test_case("a\\"; "trailing backslash")]
    fn shlex_refuses(text: &str) {
        assert!(shlex_split(text).is_err());
    }

    fn includes(text: &str) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
        let o = parse(text).unwrap();
        (o.requirements, o.constraints, o.editables, o.ignored)
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test_case("-r a.txt", &["a.txt"], &[], &[]; "short with space")]
    #[test_case("-ra.txt", &["a.txt"], &[], &[]; "short glued")]
    #[test_case("--requirement=a.txt", &["a.txt"], &[], &[]; "long with equals")]
    #[test_case("--requirement a.txt", &["a.txt"], &[], &[]; "long with space")]
    #[test_case("--requirem a.txt", &["a.txt"], &[], &[]; "long abbreviated")]
    #[test_case("-r 'my reqs.txt'", &["my reqs.txt"], &[], &[]; "quoted path")]
    #[test_case("-c c.txt", &[], &["c.txt"], &[]; "constraint short")]
    #[test_case("--constraint=c.txt -r a.txt", &["a.txt"], &["c.txt"], &[]; "both")]
    #[test_case("-e git+https://x/y#egg=z", &[], &[], &["git+https://x/y#egg=z"]; "editable")]
    #[test_case("--editable=.", &[], &[], &["."]; "editable long")]
    #[test_case("-r --weird", &["--weird"], &[], &[]; "value may start with a dash")]
    fn reads_includes(text: &str, r: &[&str], c: &[&str], e: &[&str]) {
        assert_eq!(includes(text), (v(r), v(c), v(e), vec![]));
    }

    #[test_case("-i https://x/simple"; "index url")]
    #[test_case("--index-url=https://x/simple"; "index url long")]
    #[test_case("--pypi-url https://x/simple"; "pypi url alias")]
    #[test_case("--extra-index-url https://x/simple --trusted-host x"; "extra index and trusted host")]
    #[test_case("--extra https://x/simple"; "abbreviated extra index")]
    #[test_case("--no-index -f ./wheels --find-links=https://x/links"; "find links")]
    #[test_case("--no-binary :all: --only-binary=numpy,scipy --prefer-binary"; "binary options")]
    #[test_case("--require-hashes --pre --use-feature=truststore"; "flags")]
    #[test_case("--no-require-hashes --all-releases=:all: --only-final x,y"; "pip 26 options")]
    #[test_case("--hash=sha256:abc --hash sha512:def"; "hashes")]
    #[test_case("--config-settings=editable_mode=compat -C k=v"; "config settings")]
    #[test_case("--global-option=--no-user-cfg --install-option='--prefix=/x'"; "per requirement build options")]
    fn accepts_and_ignores(text: &str) {
        assert_eq!(parse(text).unwrap(), LineOptions::default());
    }

    #[test_case("--frobnicate", "does not know"; "unknown long")]
    #[test_case("-x", "does not know"; "unknown short")]
    #[test_case("--req a", "ambiguous"; "ambiguous abbreviation")]
    #[test_case("-r", "needs a value"; "missing value")]
    #[test_case("--pre=yes", "takes no value"; "flag with value")]
    #[test_case("--hash=md5:abc", "sha256"; "weak hash")]
    #[test_case("--hash=abc", "ALGORITHM:DIGEST"; "hash without algorithm")]
    #[test_case("-C novalue", "KEY=VALUE"; "config setting without equals")]
    #[test_case("--no-binary --pre", "needs a value"; "format control eats an option")]
    #[test_case("--hash='sha256:a", "unclosed"; "shlex error")]
    fn refuses(text: &str, want: &str) {
        let err = parse(text).unwrap_err();
        assert!(err.contains(want), "{err}");
    }

    #[test_case("--allow-external foo", &["--allow-external"]; "with its value")]
    #[test_case("--allow-unverified=foo --allow-all-external", &["--allow-unverified", "--allow-all-external"]; "two")]
    #[test_case("--no-use-wheel -Z --process-dependency-links", &["--no-use-wheel", "-Z", "--process-dependency-links"]; "flags")]
    #[test_case("--allow-ext foo", &["--allow-external"]; "abbreviated as old pips allowed")]
    fn old_pip_options_are_set_aside(text: &str, want: &[&str]) {
        let options = parse(text).unwrap();
        assert_eq!(options.obsolete, want);
        assert!(options.ignored.is_empty(), "{:?}", options.ignored);
    }

    #[test]
    fn old_pip_options_keep_an_include_on_the_line_and_their_own_rules() {
        let options = parse("--no-use-wheel -r base.txt").unwrap();
        assert_eq!(options.requirements, ["base.txt"]);
        assert!(parse("--allow-external")
            .unwrap_err()
            .contains("needs a value"));
        assert!(parse("--use-wheel=yes")
            .unwrap_err()
            .contains("takes no value"));
        // A current option's abbreviation still means the current option.
        assert_eq!(parse("--no-i").unwrap(), LineOptions::default());
    }

    #[test]
    fn keeps_words_pip_ignores() {
        assert_eq!(parse("--pre flask").unwrap().ignored, ["flask"]);
        assert_eq!(
            parse("-r a.txt -- -r b.txt").unwrap().ignored,
            ["-r", "b.txt"]
        );
        assert_eq!(parse("- x").unwrap().ignored, ["-", "x"]);
    }
}
