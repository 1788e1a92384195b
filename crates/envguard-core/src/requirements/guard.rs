//! Text made safe for pep508_rs 0.9, which panics on some inputs instead of
//! returning an error. Fuzzing envguard found three; each guard below keeps
//! one away and changes nothing about what parses or what a marker says:
//!
//! 1. A name or extra that ends in `-`, `_` or `.` before more text
//!    (`flask- ==1`, `requests[socks-]`) trips an `expect` in its name
//!    parser. PEP 508 names end in a letter or digit, so such text is refused.
//! 2. After a marker expression, it measures the next word in characters
//!    and slices the text in bytes with that length (`Cursor::peek_while`),
//!    which panics after a multi-byte character (`extra == 'x'==}é`). Every
//!    non-ASCII character becomes `?`: neither may appear in a name, extra,
//!    version or marker keyword, and no value a marker compares with on the
//!    target holds either.
//! 3. `'linux' ~= sys_platform` (a string before `~=`, a string variable
//!    after) reaches an `unreachable!` in its marker algebra. packaging
//!    cannot evaluate it either, so the marker is refused.
//!
//! The fuzz target (`fuzz/`) and the arbitrary-input property tests keep
//! these honest.

use std::borrow::Cow;

/// The marker variables whose values are strings, new and legacy spellings.
const STRING_VARIABLES: &[&str] = &[
    "implementation_name",
    "os_name",
    "os.name",
    "platform_machine",
    "platform.machine",
    "platform_python_implementation",
    "platform.python_implementation",
    "python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform.version",
    "sys_platform",
    "sys.platform",
];

/// A whole requirement (`name[extras] spec ; marker`), ready for pep508_rs.
pub(super) fn requirement(text: &str) -> Result<Cow<'_, str>, String> {
    check_identifiers(text)?;
    marker(text)
}

/// A marker, ready for pep508_rs.
pub(super) fn marker(text: &str) -> Result<Cow<'_, str>, String> {
    let text = ascii_only(text);
    check_tilde_equal(&text)?;
    Ok(text)
}

fn ascii_only(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_ascii() { c } else { '?' })
                .collect(),
        )
    }
}

/// A character of a PEP 508 name or identifier.
pub(super) fn is_identifier(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn check_identifiers(text: &str) -> Result<(), String> {
    let rest = text.trim_start();
    let name_len = rest.find(|c: char| !is_identifier(c)).unwrap_or(rest.len());
    let (name, rest) = rest.split_at(name_len);
    if name.ends_with(['-', '_', '.']) {
        return Err(format!("the name `{name}` must end in a letter or digit"));
    }
    if let Some(extras) = rest.trim_start().strip_prefix('[') {
        let extras = extras.split(']').next().unwrap_or(extras);
        for extra in extras.split(',').map(str::trim) {
            let end = extra
                .find(|c: char| !is_identifier(c))
                .unwrap_or(extra.len());
            if extra[..end].ends_with(['-', '_', '.']) {
                return Err(format!("the extra `{extra}` must end in a letter or digit"));
            }
        }
    }
    Ok(())
}

fn check_tilde_equal(text: &str) -> Result<(), String> {
    for (at, _) in text.match_indices("~=") {
        let after = text[at + 2..].trim_start();
        let word_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.')))
            .unwrap_or(after.len());
        let word = &after[..word_len];
        if STRING_VARIABLES.contains(&word) {
            return Err(format!("`~=` cannot compare with the string `{word}`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("flask- ==1"; "name ending in a separator before more text")]
    #[test_case("  flask_[x]"; "name ending in a separator before extras")]
    #[test_case("requests[socks-]"; "extra ending in a separator")]
    #[test_case("requests[ok, socks. ]"; "second extra ending in a separator")]
    #[test_case("a ; 'linux' ~= sys_platform"; "tilde equal before a string variable")]
    #[test_case("a;'x'~=platform.machine"; "tilde equal before a legacy string variable")]
    fn refuses(text: &str) {
        assert!(requirement(text).is_err(), "{text}");
    }

    #[test_case("flask==1", "flask==1"; "plain")]
    #[test_case("a ; extra == 'x'==}\u{e9}", "a ; extra == 'x'==}?"; "non ascii after a marker")]
    #[test_case("a; '3.8' ~= python_version", "a; '3.8' ~= python_version"; "tilde equal before a version variable")]
    #[test_case("a; python_version ~= '3.8'", "a; python_version ~= '3.8'"; "tilde equal before a value")]
    fn passes(text: &str, want: &str) {
        assert_eq!(requirement(text).unwrap(), want);
    }

    /// Each of these panicked inside pep508_rs 0.9 before the guards; now
    /// the marker is unreadable (counts as installed) or the line is.
    #[test_case("a ; extra == 'x'==}\u{e9}"; "multi byte after a marker expression")]
    #[test_case("https://x.invalid/a#egg=b;extra == 'x'==}\u{e9}"; "the same inside an egg")]
    #[test_case("flask-\u{e}"; "name ending in a separator")]
    #[test_case("in-marker ; \"linux\" ~= sys_platform"; "fuzz crash b52d2a81")]
    fn found_by_fuzzing(line: &str) {
        let parsed = super::super::requirement::requirement(line);
        assert!(parsed.map_or(true, |p| p.warning.is_some()), "{line}");
    }

    #[test]
    fn a_non_ascii_value_compares_as_before() {
        let parsed = super::super::requirement::requirement(
            "a; platform_release != '\u{e9}' and 'caf\u{e9}' not in sys_platform",
        )
        .unwrap();
        assert!(parsed.warning.is_none() && parsed.marker.is_some());
    }
}
