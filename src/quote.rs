//! Quoting for a POSIX shell, written once: commands envguard prints for
//! pasting, and the hook script it installs.

/// `text` as one single-quoted shell word's inside: `'` becomes `'\''`.
pub fn single_quoted_inside(text: &str) -> String {
    text.replace('\'', r"'\''")
}

/// `text` quoted for a POSIX shell when needed, so a command can be pasted.
pub fn shell_word(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+,%".contains(&b));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", single_quoted_inside(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_word("main:master"), "main:master");
        assert_eq!(shell_word("/tmp/my site.git"), "'/tmp/my site.git'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
