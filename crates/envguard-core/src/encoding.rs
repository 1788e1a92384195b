//! Unicode files by their byte order mark, read the way .NET reads them.
//!
//! Kudu reads `.deployment` with `File.ReadAllLines`, a `StreamReader` that
//! detects every byte order mark (`StreamReader.DetectEncoding` in
//! dotnet/runtime: UTF-16 BE `FE FF`; `FF FE` is UTF-32 LE when two zero
//! bytes follow, else UTF-16 LE; UTF-8 `EF BB BF`; UTF-32 BE `00 00 FE FF`),
//! strips exactly one, and decodes the rest with the encoding it names (UTF-8
//! without one). .NET's decoders never fail: each sequence that is not valid
//! for the encoding becomes U+FFFD. [`Encoding::decode_lossy`] does the same
//! and says whether it had to, so a caller can refuse what Kudu would read as
//! U+FFFD.

/// A Unicode encoding, as a byte order mark names it (UTF-8 without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// The replacement character .NET's decoders (and Rust's) put in place of
/// bytes that are not valid for the encoding.
pub const REPLACEMENT: char = '\u{fffd}';

impl Encoding {
    /// The encoding a byte order mark at the start of `bytes` names, with
    /// the mark's bytes; `None` without one. UTF-32 LE is checked before
    /// UTF-16 LE, whose mark starts it, as .NET does.
    pub fn from_bom(bytes: &[u8]) -> Option<(Encoding, usize)> {
        const MARKS: [(&[u8], Encoding); 5] = [
            (b"\xff\xfe\x00\x00", Encoding::Utf32Le),
            (b"\x00\x00\xfe\xff", Encoding::Utf32Be),
            (b"\xef\xbb\xbf", Encoding::Utf8),
            (b"\xff\xfe", Encoding::Utf16Le),
            (b"\xfe\xff", Encoding::Utf16Be),
        ];
        MARKS
            .iter()
            .find(|(mark, _)| bytes.starts_with(mark))
            .map(|&(mark, encoding)| (encoding, mark.len()))
    }

    /// Its name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Utf32Le => "UTF-32 LE",
            Encoding::Utf32Be => "UTF-32 BE",
        }
    }

    /// Bytes per code unit.
    pub fn unit_width(self) -> usize {
        match self {
            Encoding::Utf8 => 1,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            Encoding::Utf32Le | Encoding::Utf32Be => 4,
        }
    }

    /// The code unit at the start of `bytes` (which holds at least
    /// [`Encoding::unit_width`] bytes).
    pub fn unit(self, bytes: &[u8]) -> u32 {
        match self {
            Encoding::Utf8 => u32::from(bytes[0]),
            Encoding::Utf16Le => u32::from(u16::from_le_bytes([bytes[0], bytes[1]])),
            Encoding::Utf16Be => u32::from(u16::from_be_bytes([bytes[0], bytes[1]])),
            Encoding::Utf32Le => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            Encoding::Utf32Be => u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        }
    }

    /// The text, each sequence that is not valid for the encoding (a lone
    /// surrogate, a code point past U+10FFFF, a trailing part of a unit)
    /// replaced by [`REPLACEMENT`]; and whether anything was.
    pub fn decode_lossy(self, bytes: &[u8]) -> (String, bool) {
        let width = self.unit_width();
        let whole = bytes.len() - bytes.len() % width;
        let (units, tail) = bytes.split_at(whole);
        let (mut text, mut replaced) = match self {
            Encoding::Utf8 => {
                let text = String::from_utf8_lossy(units);
                let replaced = matches!(text, std::borrow::Cow::Owned(_));
                (text.into_owned(), replaced)
            }
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let mut replaced = false;
                let units = units.chunks_exact(2).map(|u| self.unit(u) as u16);
                let text = char::decode_utf16(units)
                    .map(|c| {
                        c.unwrap_or_else(|_| {
                            replaced = true;
                            REPLACEMENT
                        })
                    })
                    .collect();
                (text, replaced)
            }
            Encoding::Utf32Le | Encoding::Utf32Be => {
                let mut replaced = false;
                let text = units
                    .chunks_exact(4)
                    .map(|u| {
                        char::from_u32(self.unit(u)).unwrap_or_else(|| {
                            replaced = true;
                            REPLACEMENT
                        })
                    })
                    .collect();
                (text, replaced)
            }
        };
        if !tail.is_empty() {
            text.push(REPLACEMENT);
            replaced = true;
        }
        (text, replaced)
    }

    /// `text` in this encoding (no byte order mark).
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Encoding::Utf32Le => text
                .chars()
                .flat_map(|c| (c as u32).to_le_bytes())
                .collect(),
            Encoding::Utf32Be => text
                .chars()
                .flat_map(|c| (c as u32).to_be_bytes())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_as_dotnet_detects_them() {
        type Detected = Option<(Encoding, usize)>;
        let cases: [(&[u8], Detected); 8] = [
            (b"\xef\xbb\xbfa", Some((Encoding::Utf8, 3))),
            (b"\xff\xfea\x00", Some((Encoding::Utf16Le, 2))),
            (b"\xfe\xff\x00a", Some((Encoding::Utf16Be, 2))),
            (
                b"\xff\xfe\x00\x00a\x00\x00\x00",
                Some((Encoding::Utf32Le, 4)),
            ),
            (
                b"\x00\x00\xfe\xff\x00\x00\x00a",
                Some((Encoding::Utf32Be, 4)),
            ),
            (b"\xef\xbb", None),
            (b"a", None),
            (b"", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(Encoding::from_bom(bytes), want, "{bytes:?}");
        }
    }

    #[test]
    fn every_encoding_round_trips_and_replaces_what_it_cannot_read() {
        let text = "[config]\r\nproject = src/äpp 😀\n";
        for encoding in [
            Encoding::Utf8,
            Encoding::Utf16Le,
            Encoding::Utf16Be,
            Encoding::Utf32Le,
            Encoding::Utf32Be,
        ] {
            let bytes = encoding.encode(text);
            assert_eq!(encoding.decode_lossy(&bytes), (text.to_string(), false));
            // A byte too many: a trailing part of a unit (in UTF-8, a byte
            // that is never valid).
            let mut odd = bytes.clone();
            odd.push(0xff);
            let (read, replaced) = encoding.decode_lossy(&odd);
            assert!(replaced, "{encoding:?}");
            assert!(read.starts_with(text), "{encoding:?}");
        }
        assert_eq!(
            Encoding::Utf8.decode_lossy(b"caf\xe9!"),
            ("caf\u{fffd}!".to_string(), true)
        );
        assert_eq!(
            Encoding::Utf16Le.decode_lossy(b"a\x00\x00\xd8b\x00"),
            ("a\u{fffd}b".to_string(), true)
        );
        assert_eq!(
            Encoding::Utf32Be.decode_lossy(b"\x00\x11\x00\x00"),
            ("\u{fffd}".to_string(), true)
        );
        assert_eq!(
            Encoding::Utf16Be.unit(b"\x00\x0a"),
            0x0a,
            "a line feed is one unit"
        );
        assert_eq!(Encoding::Utf32Le.name(), "UTF-32 LE");
    }
}
