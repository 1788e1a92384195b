//! Bytes to text, the way pip's `auto_decode` (`pip/_internal/utils/encoding.py`) does it.
//!
//! pip looks for a byte order mark first, then for a PEP 263 `coding:` comment in
//! the first two lines, and otherwise decodes with the locale's encoding. The
//! server's locale is unknown here, so envguard tries UTF-8 and falls back to
//! Windows-1252 (the ANSI code page of an English Windows App Service) with a
//! warning. Package names are ASCII, so either reading gives the same names.

/// A decoded file, with a note for the user when the decoding was a guess.
#[derive(Debug)]
pub(super) struct Decoded {
    pub text: String,
    /// `(line, message)` when the file is not what envguard expected.
    pub warning: Option<(usize, String)>,
}

/// Why a file cannot be decoded at all: pip would fail on it too.
pub(super) type DecodeError = String;

/// Encodings a `coding:` comment may name, as far as envguard reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Declared {
    Utf8,
    Latin1,
    Windows1252,
    Ascii,
}

impl Declared {
    /// Looks a name up the way Python's `codecs.lookup` does: lower case,
    /// punctuation folded to `_`, then the aliases of `encodings/aliases.py`.
    fn lookup(name: &str) -> Option<Declared> {
        let mut folded = String::with_capacity(name.len());
        for c in name.chars() {
            if c.is_ascii_alphanumeric() || c == '.' {
                folded.push(c.to_ascii_lowercase());
            } else if !folded.ends_with('_') {
                folded.push('_');
            }
        }
        let folded = folded.trim_matches('_');
        Some(match folded {
            "utf_8" | "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001"
            | "utf_8_sig" => Declared::Utf8,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859"
            | "cp819" | "ibm819" | "iso_ir_100" | "iso_8859_1_1987" | "csisolatin1" => {
                Declared::Latin1
            }
            "cp1252" | "windows_1252" | "1252" => Declared::Windows1252,
            "ascii" | "us_ascii" | "646" | "us" | "ansi_x3.4_1968" | "ansi_x3_4_1968"
            | "ansi_x3.4_1986" | "cp367" | "csascii" | "ibm367" | "iso646_us"
            | "iso_646.irv_1991" | "iso_ir_6" => Declared::Ascii,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Declared::Utf8 => "UTF-8",
            Declared::Latin1 => "Latin-1",
            Declared::Windows1252 => "Windows-1252",
            Declared::Ascii => "ASCII",
        }
    }

    /// Strict decoding, as Python's codecs do it; `Err` gives the offset of
    /// the first byte that does not belong to the encoding.
    fn decode(self, bytes: &[u8]) -> Result<String, usize> {
        match self {
            Declared::Utf8 => std::str::from_utf8(bytes)
                .map(str::to_string)
                .map_err(|err| err.valid_up_to()),
            Declared::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Declared::Windows1252 => bytes
                .iter()
                .enumerate()
                .map(|(at, &b)| windows_1252(b).ok_or(at))
                .collect(),
            Declared::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
                Some(at) => Err(at),
                None => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            },
        }
    }
}

/// Windows-1252 is Latin-1 except for 0x80..=0x9F, where it has printable
/// characters; five of those bytes are undefined (Python refuses them).
fn windows_1252(byte: u8) -> Option<char> {
    const HIGH: [Option<char>; 32] = [
        Some('\u{20AC}'),
        None,
        Some('\u{201A}'),
        Some('\u{0192}'),
        Some('\u{201E}'),
        Some('\u{2026}'),
        Some('\u{2020}'),
        Some('\u{2021}'),
        Some('\u{02C6}'),
        Some('\u{2030}'),
        Some('\u{0160}'),
        Some('\u{2039}'),
        Some('\u{0152}'),
        None,
        Some('\u{017D}'),
        None,
        None,
        Some('\u{2018}'),
        Some('\u{2019}'),
        Some('\u{201C}'),
        Some('\u{201D}'),
        Some('\u{2022}'),
        Some('\u{2013}'),
        Some('\u{2014}'),
        Some('\u{02DC}'),
        Some('\u{2122}'),
        Some('\u{0161}'),
        Some('\u{203A}'),
        Some('\u{0153}'),
        None,
        Some('\u{017E}'),
        Some('\u{0178}'),
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => Some(char::from(byte)),
    }
}

/// The lenient Windows-1252 reading used as the last resort: an undefined
/// byte reads as the Latin-1 control character of the same value, as
/// browsers do, so this never fails.
fn windows_1252_lossy(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| windows_1252(b).unwrap_or(char::from(b)))
        .collect()
}

/// Decodes a requirements file: BOM, else `coding:` comment, else UTF-8,
/// else Windows-1252 with a warning.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some(text) = decode_bom(bytes)? {
        return Ok(Decoded {
            text,
            warning: None,
        });
    }
    let mut warning = None;
    if let Some((line, name)) = coding_comment(bytes) {
        match Declared::lookup(&name) {
            Some(declared) => {
                return declared
                    .decode(bytes)
                    .map(|text| Decoded { text, warning: None })
                    .map_err(|at| {
                        format!(
                            "declares `coding: {name}` but line {} is not valid {}; pip would fail to read it",
                            line_at(bytes, at),
                            declared.label()
                        )
                    })
            }
            None => {
                warning = Some((
                    line,
                    format!("declares `coding: {name}`, an encoding envguard does not know; read as UTF-8"),
                ))
            }
        }
    }
    match Declared::Utf8.decode(bytes) {
        Ok(text) => Ok(Decoded { text, warning }),
        Err(at) => {
            let line = line_at(bytes, at);
            Ok(Decoded {
                text: windows_1252_lossy(bytes),
                warning: Some((
                    line,
                    "is not UTF-8; read as Windows-1252 (pip uses the server's locale encoding)"
                        .to_string(),
                )),
            })
        }
    }
}

/// A BOM decides the encoding, and bytes that do not fit it are an error.
/// UTF-32 LE is checked before UTF-16 LE: its BOM starts with UTF-16 LE's.
/// (pip checks them the other way round, so it misreads UTF-32 LE files.)
fn decode_bom(bytes: &[u8]) -> Result<Option<String>, DecodeError> {
    let invalid =
        |what: &str| format!("starts with a {what} byte order mark but is not valid {what}");
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return Declared::Utf8
            .decode(rest)
            .map(Some)
            .map_err(|_| invalid("UTF-8"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe\x00\x00") {
        return utf32(rest, u32::from_le_bytes)
            .map(Some)
            .ok_or_else(|| invalid("UTF-32 LE"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\x00\x00\xfe\xff") {
        return utf32(rest, u32::from_be_bytes)
            .map(Some)
            .ok_or_else(|| invalid("UTF-32 BE"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return utf16(rest, u16::from_le_bytes)
            .map(Some)
            .ok_or_else(|| invalid("UTF-16 LE"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return utf16(rest, u16::from_be_bytes)
            .map(Some)
            .ok_or_else(|| invalid("UTF-16 BE"));
    }
    Ok(None)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    if bytes.len() % 2 != 0 {
        return None;
    }
    char::decode_utf16(bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]])))
        .collect::<Result<String, _>>()
        .ok()
}

fn utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32) -> Option<String> {
    if bytes.len() % 4 != 0 {
        return None;
    }
    bytes
        .chunks_exact(4)
        .map(|quad| char::from_u32(unit([quad[0], quad[1], quad[2], quad[3]])))
        .collect()
}

/// PEP 263 as pip applies it: in the first two `\n`-separated lines, a line
/// that starts with `#` and matches `coding[:=]\s*([-\w.]+)`. Gives the line
/// number and the encoding name.
fn coding_comment(bytes: &[u8]) -> Option<(usize, String)> {
    for (index, line) in bytes.split(|&b| b == b'\n').take(2).enumerate() {
        if line.first() != Some(&b'#') {
            continue;
        }
        let mut from = 0;
        while let Some(at) = find(&line[from..], b"coding") {
            let after = from + at + b"coding".len();
            from = from + at + 1;
            if !matches!(line.get(after), Some(b':' | b'=')) {
                continue;
            }
            let value = &line[after + 1..];
            let value = &value[value
                .iter()
                .take_while(|b| b" \t\n\r\x0b\x0c".contains(b))
                .count()..];
            let len = value
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                .count();
            if len > 0 {
                // The name is ASCII by construction.
                return Some((
                    index + 1,
                    String::from_utf8_lossy(&value[..len]).into_owned(),
                ));
            }
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The 1-based line of a byte offset, counting LF, CRLF and lone CR.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    let head = &bytes[..offset.min(bytes.len())];
    let lf = head.iter().filter(|&&b| b == b'\n').count();
    let lone_cr = head
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && head.get(i + 1) != Some(&b'\n'))
        .count();
    1 + lf + lone_cr
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn utf16le(text: &str) -> Vec<u8> {
        let mut out = vec![0xff, 0xfe];
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(text: &str) -> Vec<u8> {
        let mut out = vec![0xfe, 0xff];
        out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    fn utf32le(text: &str) -> Vec<u8> {
        let mut out = vec![0xff, 0xfe, 0, 0];
        out.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
        out
    }

    fn utf32be(text: &str) -> Vec<u8> {
        let mut out = vec![0, 0, 0xfe, 0xff];
        out.extend(text.chars().flat_map(|c| u32::from(c).to_be_bytes()));
        out
    }

    #[test_case(b"flask\n".to_vec(), "flask\n"; "plain utf-8")]
    #[test_case(b"\xef\xbb\xbfflask\n".to_vec(), "flask\n"; "utf-8 bom")]
    #[test_case(utf16le("flask\u{e9}\n"), "flask\u{e9}\n"; "utf-16 le")]
    #[test_case(utf16be("flask\u{1F600}\n"), "flask\u{1F600}\n"; "utf-16 be with a surrogate pair")]
    #[test_case(utf32le("flask\n"), "flask\n"; "utf-32 le is not mistaken for utf-16")]
    #[test_case(utf32be("flask\n"), "flask\n"; "utf-32 be")]
    #[test_case(b"# -*- coding: latin-1 -*-\n# caf\xe9\nflask\n".to_vec(), "# -*- coding: latin-1 -*-\n# caf\u{e9}\nflask\n"; "latin-1 declared")]
    #[test_case(b"#!x\n# vim: set fileencoding=cp1252 :\n# \x80\n".to_vec(), "#!x\n# vim: set fileencoding=cp1252 :\n# \u{20ac}\n"; "cp1252 declared on line two")]
    #[test_case(b"# coding=Windows-1252\n\x93q\x94\n".to_vec(), "# coding=Windows-1252\n\u{201c}q\u{201d}\n"; "windows-1252 alias")]
    #[test_case(b"# coding: utf8\nflask\n".to_vec(), "# coding: utf8\nflask\n"; "utf8 declared")]
    #[test_case(b"#coding:ascii\nflask\n".to_vec(), "#coding:ascii\nflask\n"; "ascii declared")]
    fn decodes(bytes: Vec<u8>, want: &str) {
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.text, want);
        assert_eq!(decoded.warning, None);
    }

    #[test]
    fn falls_back_to_windows_1252_with_a_warning_on_the_right_line() {
        let decoded = decode(b"flask\r\nr\xe9sum\xe9\n").unwrap();
        assert_eq!(decoded.text, "flask\r\nr\u{e9}sum\u{e9}\n");
        let (line, message) = decoded.warning.unwrap();
        assert_eq!(line, 2);
        assert!(message.contains("Windows-1252"), "{message}");
        // The five bytes Windows-1252 leaves undefined do not stop the fallback.
        assert_eq!(
            decode(b"\x81\x8d\x8f\x90\x9d").unwrap().text,
            "\u{81}\u{8d}\u{8f}\u{90}\u{9d}"
        );
    }

    #[test]
    fn an_unknown_declared_encoding_is_a_warning() {
        let decoded = decode(b"\n# coding: klingon\nflask\n").unwrap();
        assert_eq!(decoded.text, "\n# coding: klingon\nflask\n");
        assert_eq!(decoded.warning.unwrap().0, 2);
    }

    #[test]
    fn a_coding_comment_must_start_its_line_and_be_in_the_first_two() {
        // Not at the start of a line, and on line three: both ignored, so
        // the bytes are read as UTF-8 (and fall back).
        for bytes in [
            &b" # coding: latin-1\n\xe9"[..],
            b"\n\n# coding: latin-1\n\xe9",
        ] {
            let decoded = decode(bytes).unwrap();
            assert!(decoded.warning.unwrap().1.contains("not UTF-8"));
        }
    }

    #[test_case(b"\xef\xbb\xbf\xff".to_vec(), "UTF-8"; "bad utf-8 after bom")]
    #[test_case(vec![0xff, 0xfe, b'a'], "UTF-16 LE"; "odd utf-16 length")]
    #[test_case(vec![0xfe, 0xff, 0xd8, 0x00], "UTF-16 BE"; "lone surrogate")]
    #[test_case(vec![0, 0, 0xfe, 0xff, 0, 0x11, 0, 0], "UTF-32 BE"; "utf-32 beyond unicode")]
    #[test_case(vec![0xff, 0xfe, 0, 0, 1], "UTF-32 LE"; "utf-32 truncated")]
    #[test_case(b"# coding: ascii\nflask\n\xe9\n".to_vec(), "line 3 is not valid ASCII"; "declared ascii")]
    #[test_case(b"# coding: utf-8\n\xe9\n".to_vec(), "line 2 is not valid UTF-8"; "declared utf-8")]
    #[test_case(b"# coding: cp1252\n\x81\n".to_vec(), "not valid Windows-1252"; "declared cp1252 undefined byte")]
    fn refuses(bytes: Vec<u8>, want: &str) {
        let err = decode(&bytes).unwrap_err();
        assert!(err.contains(want), "{err}");
    }

    #[test]
    fn lines_count_every_newline_style() {
        assert_eq!(line_at(b"a\r\nb\rc\nd", 8), 4);
        assert_eq!(line_at(b"a", 99), 1);
    }
}
