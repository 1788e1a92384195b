//! Feeds arbitrary bytes to `envguard_core::requirements::parse`: no input may
//! panic it. The input is cut at `\0\xff` into the top file and two files
//! that includes may name (`a.txt`, `b/c.txt`), so include handling is
//! reached as well as decoding and line parsing.
#![no_main]

use std::collections::BTreeMap;

use envguard_core::platform::{Platform, Runtime, Target};
use envguard_core::requirements::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    let names = ["requirements.txt", "a.txt", "b/c.txt"];
    let mut rest = data;
    for name in names {
        let end = rest
            .windows(2)
            .position(|w| w == b"\0\xff")
            .unwrap_or(rest.len());
        files.insert(name.to_string(), rest[..end].to_vec());
        rest = rest.get(end + 2..).unwrap_or(&[]);
    }
    match parse("requirements.txt", &mut |path: &str| {
        Ok(files.get(path).cloned())
    }) {
        Ok(parsed) => {
            for platform in [Platform::Linux, Platform::Windows] {
                for python in [None, Runtime::parse("python-3.12.1")] {
                    let _ = parsed.packages(&Target { platform, python });
                }
            }
            for warning in &parsed.warnings {
                let _ = warning.to_string();
            }
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
