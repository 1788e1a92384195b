//! The shared tables of `tests/data/*.tsv`, read one way by every test that
//! reads them: envguard's (this program) and the core's
//! (`crates/envguard-core/tests/it/main.rs` includes this file), so
//! the hook, the server scripts and the checker are held to the same cases.
//!
//! A table holds one case a line, its columns split by tabs, the last
//! column holding the rest of the line; lines starting with `#` (the
//! header, which says what each column means) and blank lines are skipped.
//! Bytes and values are written with the escapes `\n \r \t \\ \xHH`, and
//! `{T}` stands for [`VALID_TOKEN`].

/// One table of `tests/data`.
pub struct Table {
    /// Its file name, for messages.
    pub name: &'static str,
    text: &'static str,
}

macro_rules! table {
    ($name:literal) => {
        Table {
            name: $name,
            text: include_str!(concat!("../../data/", $name)),
        }
    };
}

/// The force-clean marker as the hook and the server scripts read it.
pub const TOKENS: Table = table!("tokens.tsv");
/// runtime.txt as the hook and the server scripts read it.
pub const RUNTIME_SPELLINGS: Table = table!("runtime_spellings.tsv");
/// `.deployment` as Kudu reads it.
pub const DEPLOYMENT_INI: Table = table!("deployment_ini.tsv");
/// envguard.toml's `requirements` as the hook and deploy.sh read it.
pub const REQUIREMENTS_KEY: Table = table!("requirements_key.tsv");
/// PEP 503 names as the hook and the leftovers check compute them.
pub const CANONICAL_NAMES: Table = table!("canonical_names.tsv");
/// What the leftovers check never counts (`keep`), as the hook and the
/// checker read it.
pub const KEEP: Table = table!("keep.tsv");

/// `{T}` in a table.
pub const VALID_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

impl Table {
    /// Each case's `N` columns as written (escapes not undone); a line
    /// with fewer columns fails the test, naming the table and the line.
    pub fn rows<const N: usize>(&self) -> Vec<[&'static str; N]> {
        self.text
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let mut columns = line.splitn(N, '\t');
                std::array::from_fn(|_| {
                    columns
                        .next()
                        .unwrap_or_else(|| panic!("{}: not {N} columns: {line:?}", self.name))
                })
            })
            .collect()
    }

    /// The cases of a three-column table: (first column, case name, the
    /// last column's bytes with the escapes undone).
    pub fn cases(&self) -> Vec<(String, String, Vec<u8>)> {
        self.rows::<3>()
            .into_iter()
            .map(|[first, name, bytes]| (first.to_string(), name.to_string(), unescape(bytes)))
            .collect()
    }
}

/// A column's bytes, with the escapes undone.
pub fn unescape(text: &str) -> Vec<u8> {
    let text = text.replace("{T}", VALID_TOKEN);
    let mut out = Vec::new();
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                let hex = std::str::from_utf8(&hex).expect("\\xHH");
                out.push(u8::from_str_radix(hex, 16).expect("\\xHH"));
            }
            other => panic!("unknown escape \\{:?} in {text:?}", other.map(char::from)),
        }
    }
    out
}

/// A value column: `None` for `-`, else its text with the escapes undone.
pub fn value(column: &str) -> Option<String> {
    (column != "-").then(|| String::from_utf8(unescape(column)).expect("a UTF-8 value"))
}
