//! Text from files and from git, made safe to show: in a terminal, in a
//! commit message, in a log. It is the one quoting function for what came
//! from outside envguard (requirements lines, file names, ref names, git's
//! input): every message that shows such text passes it through [`quote`].

/// How many characters of one piece of text are shown; the rest is
/// summarised, so that a 50 MB line is not echoed whole.
pub const QUOTE_LIMIT: usize = 200;

/// `text` with everything a terminal or git would act on escaped: NUL and
/// the other C0 controls, DEL, the C1 controls (`\u{9b}` is a CSI on some
/// terminals) and the bidirectional overrides as `\0`, `\t`, `\x1b`,
/// `\u{9b}`, `\u{202e}`; bytes that are not UTF-8 as `\xff`. Printable text,
/// spaces and backslashes stay as they are. Past [`QUOTE_LIMIT`]
/// characters the rest is cut and its size said.
pub fn quote(text: impl AsRef<[u8]>) -> String {
    let bytes = text.as_ref();
    let mut out = String::new();
    let mut shown = 0;
    let mut consumed = 0;
    'chunks: for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if shown == QUOTE_LIMIT {
                break 'chunks;
            }
            push_char(&mut out, c);
            shown += 1;
            consumed += c.len_utf8();
        }
        for &b in chunk.invalid() {
            if shown == QUOTE_LIMIT {
                break 'chunks;
            }
            out.push_str(&format!("\\x{b:02x}"));
            shown += 1;
            consumed += 1;
        }
    }
    if consumed < bytes.len() {
        out.push_str(&format!("… ({} bytes in all)", bytes.len()));
    }
    out
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\0' => out.push_str("\\0"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 && c.is_control() => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if c.is_control() || is_bidi_control(c) => {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
        c => out.push(c),
    }
}

/// The characters that reorder text on screen (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_stays() {
        assert_eq!(
            quote("flask[socks]==3.0 ; python_version < '3.11'"),
            "flask[socks]==3.0 ; python_version < '3.11'"
        );
        assert_eq!(quote(r"-r ..\base.txt"), r"-r ..\base.txt");
        assert_eq!(quote("Zürich ✓"), "Zürich ✓");
    }

    #[test]
    fn controls_and_invalid_bytes_are_escaped() {
        assert_eq!(quote(b"bad\0line"), r"bad\0line");
        assert_eq!(quote("\u{1b}[31mred\u{7}"), r"\x1b[31mred\x07");
        assert_eq!(quote("\u{9b}2J\u{7f}"), r"\u{9b}2J\x7f");
        assert_eq!(quote("a\u{202e}b"), r"a\u{202e}b");
        assert_eq!(quote(b"v\xff1\r\n"), r"v\xff1\r\n");
    }

    #[test]
    fn long_text_is_cut_and_sized() {
        let long = "x".repeat(50 * 1024 * 1024);
        let quoted = quote(&long);
        assert!(quoted.starts_with(&"x".repeat(QUOTE_LIMIT)));
        assert!(
            quoted.ends_with("… (52428800 bytes in all)"),
            "{}",
            &quoted[QUOTE_LIMIT..]
        );
        assert_eq!(quote("x".repeat(QUOTE_LIMIT)), "x".repeat(QUOTE_LIMIT));
        let invalid = vec![0xffu8; QUOTE_LIMIT + 1];
        assert!(quote(&invalid).ends_with(&format!("… ({} bytes in all)", QUOTE_LIMIT + 1)));
    }
}
