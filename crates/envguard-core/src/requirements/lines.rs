//! pip's line pipeline, step for step (`preprocess` and `break_args_options`
//! in `pip/_internal/req/req_file.py`): split lines as Python's
//! `str.splitlines` does, join `\` continuations, strip comments, and split
//! each logical line into its requirement part and its options part.
//!
//! pip would also expand `${NAME}` references from its environment here; the
//! server's environment is unknown, so envguard leaves them as written and
//! identifies what contains them by that text.

/// Python's `str.isspace`, which `\s` in pip's regular expressions and
/// `str.strip()` follow: Unicode White_Space plus the four separators
/// U+001C..=U+001F.
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()`.
pub(super) fn py_trim(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

/// The line boundaries of Python's `str.splitlines` (`\r\n` counts once).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// `content.splitlines()`: no empty last line after a final line break.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !is_line_break(c) {
            continue;
        }
        lines.push(&text[start..at]);
        start = at + c.len_utf8();
        if c == '\r' {
            if let Some(&(lf_at, '\n')) = chars.peek() {
                chars.next();
                start = lf_at + 1;
            }
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// pip's `COMMENT_RE.match(line)`: `(^|\s+)#` at the start of the line, that
/// is, a line whose first non-space character is `#`.
fn is_comment_line(line: &str) -> bool {
    line.trim_start_matches(is_py_space).starts_with('#')
}

/// pip's `COMMENT_RE.sub("", line)` with `COMMENT_RE = (^|\s+)#.*$`: a `#`
/// starts a comment only at the start of the line or after whitespace (so
/// `url#egg=name` keeps its fragment), and the whitespace before it goes too.
fn strip_comment(line: &str) -> &str {
    let mut space_run_start = None;
    for (at, c) in line.char_indices() {
        if c == '#' {
            match space_run_start {
                Some(start) => return &line[..start],
                None if at == 0 => return "",
                None => {}
            }
        }
        if is_py_space(c) {
            space_run_start.get_or_insert(at);
        } else {
            space_run_start = None;
        }
    }
    line
}

/// The logical lines of a file, each with the number of the physical line it
/// starts on, comments stripped and blank ones dropped (pip's `join_lines`,
/// then `ignore_comments`).
pub(super) fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut emit = |number: usize, line: &str| {
        let line = py_trim(strip_comment(line));
        if !line.is_empty() {
            out.push((number, line.to_string()));
        }
    };
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in split_lines(text).into_iter().enumerate() {
        let number = index + 1;
        let comment = is_comment_line(line);
        // pip's join_lines: a line ending in `\` is joined to the next one,
        // unless it is a comment line; a comment line that ends a
        // continuation is prefixed with a space so that it is stripped
        // later (it never swallows the line before it). A comment line on
        // its own is stripped whole, space or not.
        if line.ends_with('\\') && !comment {
            let (_, joined) = pending.get_or_insert_with(|| (number, String::new()));
            // `line.strip("\\")`: every backslash at either end goes.
            joined.push_str(line.trim_matches('\\'));
            continue;
        }
        match pending.take() {
            Some((first, mut joined)) => {
                if comment {
                    joined.push(' ');
                }
                joined.push_str(line);
                emit(first, &joined);
            }
            None => emit(number, line),
        }
    }
    if let Some((first, joined)) = pending {
        emit(first, &joined);
    }
    out
}

/// pip's `break_args_options`: the line is split at single spaces and the
/// requirement ends before the first token that starts with `-`, so
/// `pkg --hash=…` splits but `pkg-name` and `pkg\t--hash` do not.
pub(super) fn break_args_options(line: &str) -> (String, String) {
    let tokens: Vec<&str> = line.split(' ').collect();
    let split = tokens
        .iter()
        .position(|token| token.starts_with('-'))
        .unwrap_or(tokens.len());
    (tokens[..split].join(" "), tokens[split..].join(" "))
}

/// Whether the text holds a `${NAME}` reference pip would expand from its
/// environment (`ENV_VAR_RE`, names of `[A-Z0-9_]`).
pub(super) fn has_env_reference(text: &str) -> bool {
    text.match_indices("${").any(|(at, _)| {
        let name = &text[at + 2..];
        let len = name
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        len > 0 && name[len..].starts_with('}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn lines(text: &str) -> Vec<(usize, String)> {
        logical_lines(text)
    }

    fn at(pairs: &[(usize, &str)]) -> Vec<(usize, String)> {
        pairs.iter().map(|&(n, s)| (n, s.to_string())).collect()
    }

    #[test_case("a\nb\n", &[(1, "a"), (2, "b")]; "lf")]
    #[test_case("a\r\nb\r\n", &[(1, "a"), (2, "b")]; "crlf")]
    #[test_case("a\rb\r", &[(1, "a"), (2, "b")]; "lone cr")]
    #[test_case("a\r\n\r\nb", &[(1, "a"), (3, "b")]; "blank lines keep numbering")]
    #[test_case("a\u{0c}b\u{2028}c\u{85}d", &[(1, "a"), (2, "b"), (3, "c"), (4, "d")]; "python splitlines boundaries")]
    #[test_case("a \\\n  b\nc", &[(1, "a   b"), (3, "c")]; "continuation keeps spacing")]
    #[test_case("a\\\r\nb\\\rc", &[(1, "abc")]; "continuation over crlf and cr")]
    #[test_case("a\\\\\n\\b", &[(1, "a\\b")]; "strip removes every trailing backslash only")]
    #[test_case("a\\", &[(1, "a")]; "continuation at end of file")]
    #[test_case("# c \\\nb", &[(2, "b")]; "comment lines are never joined")]
    #[test_case("a \\\n# c\nb", &[(1, "a"), (3, "b")]; "comment ends a continuation")]
    #[test_case("a # c \\\nb\nc", &[(1, "a"), (3, "c")]; "a trailing comment swallows the continued line")]
    #[test_case("pkg#egg\nurl#egg=x # c\n#x\n  # y", &[(1, "pkg#egg"), (2, "url#egg=x")]; "hash needs whitespace before it")]
    #[test_case("a\t#c\nb\u{a0}#c", &[(1, "a"), (2, "b")]; "any unicode space starts a comment")]
    #[test_case("  \t\n\u{3000}x\u{1f}", &[(2, "x")]; "strip is python's")]
    fn pipeline(text: &str, want: &[(usize, &str)]) {
        assert_eq!(lines(text), at(want));
    }

    #[test_case("flask", "flask", ""; "bare")]
    #[test_case("flask --hash=sha256:ab", "flask", "--hash=sha256:ab"; "hash")]
    #[test_case("flask-cors>=1 ; python_version < '3'", "flask-cors>=1 ; python_version < '3'", ""; "dash inside a token")]
    #[test_case("flask\t--hash=x", "flask\t--hash=x", ""; "tab does not split")]
    #[test_case("-r a.txt", "", "-r a.txt"; "option only")]
    #[test_case("a  -x b", "a ", "-x b"; "double space")]
    fn splits_options(line: &str, args: &str, options: &str) {
        assert_eq!(
            break_args_options(line),
            (args.to_string(), options.to_string())
        );
    }

    #[test]
    fn env_references() {
        assert!(has_env_reference("https://${TOKEN_1}@x"));
        assert!(!has_env_reference("${token}"));
        assert!(!has_env_reference("${}"));
        assert!(!has_env_reference("$TOKEN"));
        assert!(!has_env_reference("${TOKEN"));
    }
}
