//! Environment markers judged for a server envguard knows only in part.
//!
//! pip evaluates a marker against the server's interpreter. envguard knows
//! some of that interpreter's values and not others, and a marker that may
//! hold there must count as holding: a requirement that may be installed
//! and is removed is a removal (when in doubt, rebuild).
//!
//! Known, for CPython on the target platform (App Service runs CPython,
//! and so does envguard's `deploy.sh` anywhere it finds a `pythonX.Y`):
//! `os_name`, `sys_platform`, `platform_system` (`posix`, `linux`, `Linux`
//! or `nt`, `win32`, `Windows`), `implementation_name` (`cpython`),
//! `platform_python_implementation` (`CPython`), `python_version` (the X.Y
//! of the runtime), and `extra` (false: pip evaluates a requirements file
//! with no extras).
//!
//! Known only in part: `python_full_version` and `implementation_version`
//! are some X.Y.Z release of that X.Y: runtime.txt's patch level does not
//! pick the server's (Kudu's selector matches `python-X.Y` by prefix; a
//! Linux site runs the patch its image has).
//!
//! Unknown: `platform_release` and `platform_version` (the server's kernel
//! or Windows build), and `platform_machine` (`x86_64` on App Service for
//! Linux, but `aarch64` on an own ARM server, and `x86` for a 32-bit Python
//! on a Windows site).
//!
//! pep508_rs keeps a marker as a decision diagram whose edges split each
//! variable's values into ranges. A known value follows the one edge that
//! holds it; a value known to lie in a range follows every edge that meets
//! the range; an unknown one follows every edge. The marker may hold when
//! any path reaches `true`.

use std::ops::Bound;
use std::str::FromStr;

use pep508_rs::pep440_rs::Version;
use pep508_rs::{MarkerTree, MarkerTreeKind, MarkerValueString, MarkerValueVersion};

use crate::platform::{Platform, Runtime};

/// Whether `marker` may hold for CPython `python` on `platform`.
pub(super) fn may_hold(marker: &MarkerTree, platform: Platform, python: &Runtime) -> bool {
    let (major, minor) = python.major_minor();
    let exact = version(&format!("{major}.{minor}"));
    let lowest = version(&format!("{major}.{minor}.0"));
    let above = version(&format!("{major}.{}.dev0", minor + 1));
    holds(
        marker,
        &|key| known_string(key, platform),
        &Versions {
            exact,
            lowest,
            above,
        },
    )
}

/// The values of a version variable: `python_version` exactly, the full
/// versions from `lowest` up to (not including) `above`.
struct Versions {
    exact: Version,
    lowest: Version,
    above: Version,
}

fn version(text: &str) -> Version {
    Version::from_str(text).expect("a version envguard builds from numbers")
}

/// The value of a string variable, when it is known.
fn known_string(key: &MarkerValueString, platform: Platform) -> Option<&'static str> {
    use MarkerValueString as K;
    let windows = platform == Platform::Windows;
    match key {
        K::OsName | K::OsNameDeprecated => Some(if windows { "nt" } else { "posix" }),
        K::SysPlatform | K::SysPlatformDeprecated => Some(if windows { "win32" } else { "linux" }),
        K::PlatformSystem => Some(if windows { "Windows" } else { "Linux" }),
        K::ImplementationName => Some("cpython"),
        K::PlatformPythonImplementation
        | K::PlatformPythonImplementationDeprecated
        | K::PythonImplementationDeprecated => Some("CPython"),
        K::PlatformMachine
        | K::PlatformMachineDeprecated
        | K::PlatformRelease
        | K::PlatformVersion
        | K::PlatformVersionDeprecated => None,
    }
}

fn holds(
    marker: &MarkerTree,
    string: &dyn Fn(&MarkerValueString) -> Option<&'static str>,
    versions: &Versions,
) -> bool {
    match marker.kind() {
        MarkerTreeKind::True => true,
        MarkerTreeKind::False => false,
        MarkerTreeKind::Version(node) => node.edges().any(|(range, next)| {
            let meets = match node.key() {
                MarkerValueVersion::PythonVersion => range.contains(&versions.exact),
                MarkerValueVersion::PythonFullVersion
                | MarkerValueVersion::ImplementationVersion => range
                    .iter()
                    .any(|(start, end)| meets(start, end, &versions.lowest, &versions.above)),
            };
            meets && holds(&next, string, versions)
        }),
        MarkerTreeKind::String(node) => {
            let value = string(node.key()).map(str::to_string);
            node.children().any(|(range, next)| {
                value.as_ref().is_none_or(|v| range.contains(v)) && holds(&next, string, versions)
            })
        }
        MarkerTreeKind::In(node) => match string(node.key()) {
            Some(value) => holds(&node.edge(node.value().contains(value)), string, versions),
            None => node
                .children()
                .any(|(_, next)| holds(&next, string, versions)),
        },
        MarkerTreeKind::Contains(node) => match string(node.key()) {
            Some(value) => holds(&node.edge(value.contains(node.value())), string, versions),
            None => node
                .children()
                .any(|(_, next)| holds(&next, string, versions)),
        },
        MarkerTreeKind::Extra(node) => holds(&node.edge(false), string, versions),
    }
}

/// Whether the segment from `start` to `end` shares a version with
/// `[lowest, above)`. Versions are dense enough (post and local releases
/// lie between any two) that touching open ends is all that can miss.
fn meets(start: &Bound<Version>, end: &Bound<Version>, lowest: &Version, above: &Version) -> bool {
    let starts_below_above = match start {
        Bound::Unbounded => true,
        Bound::Included(v) | Bound::Excluded(v) => v < above,
    };
    let ends_above_lowest = match end {
        Bound::Unbounded => true,
        Bound::Included(v) => v >= lowest,
        Bound::Excluded(v) => v > lowest,
    };
    starts_below_above && ends_above_lowest
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    fn judge(marker: &str, platform: Platform, python: &str) -> bool {
        let tree = MarkerTree::from_str(marker).unwrap();
        may_hold(&tree, platform, &Runtime::parse(python).unwrap())
    }

    const LINUX: Platform = Platform::Linux;
    const WINDOWS: Platform = Platform::Windows;

    // Values that cannot be known hold either way.
    #[test_case("platform_release >= '5'", true; "release compared")]
    #[test_case("platform_release < '5'", true; "release compared the other way")]
    #[test_case("platform_version != ''", true; "version not empty")]
    #[test_case("platform_version == ''", true; "version empty")]
    #[test_case("platform_machine == 'aarch64'", true; "an arm machine")]
    #[test_case("platform_machine == 'x86_64'", true; "an intel machine")]
    #[test_case("platform_machine != 'x86_64'", true; "not an intel machine")]
    #[test_case("'arm' in platform_machine", true; "in an unknown value")]
    #[test_case("platform_machine in 'x86_64 AMD64'", true; "unknown value in a list")]
    #[test_case("platform.version == 'x'", true; "a deprecated spelling")]
    // A marker no value can satisfy still never holds.
    #[test_case("platform_release == '5' and platform_release == '6'", false; "contradiction")]
    // Known values decide.
    #[test_case("sys_platform == 'win32'", false; "windows on linux")]
    #[test_case("sys_platform == 'linux'", true; "linux")]
    #[test_case("os_name == 'nt' or platform_system == 'Windows'", false; "two windows markers")]
    #[test_case("'lin' in sys_platform", true; "substring of a known value")]
    #[test_case("sys_platform in 'darwin win32'", false; "known value not in a list")]
    #[test_case("implementation_name == 'pypy'", false; "pypy")]
    #[test_case("platform_python_implementation == 'CPython'", true; "cpython")]
    #[test_case("python_implementation == 'CPython'", true; "an older spelling")]
    #[test_case("extra == 'dev'", false; "no extras")]
    // Unknown only where it matters.
    #[test_case("sys_platform == 'win32' and platform_machine == 'AMD64'", false; "unknown machine on the wrong platform")]
    #[test_case("sys_platform == 'linux' and platform_release >= '6'", true; "unknown release on the right platform")]
    #[test_case("python_version < '3.11' and platform_machine == 'x86_64'", false; "unknown machine on a newer python")]
    fn on_linux_3_11(marker: &str, want: bool) {
        assert_eq!(judge(marker, LINUX, "python-3.11"), want, "{marker}");
    }

    #[test]
    fn windows_values() {
        assert!(judge("sys_platform == 'win32'", WINDOWS, "python-3.6"));
        assert!(judge("os_name == 'nt'", WINDOWS, "python-3.6"));
        assert!(!judge("platform_system == 'Linux'", WINDOWS, "python-3.6"));
        assert!(judge("platform_machine == 'x86'", WINDOWS, "python-3.6"));
    }

    // The patch level is any release of the minor version, whatever
    // runtime.txt says.
    #[test_case("python_version < '3.11'", "python-3.11", false; "minor below")]
    #[test_case("python_version >= '3.11'", "python-3.11", true; "minor at")]
    #[test_case("python_version == '3.11'", "python-3.11.4", true; "minor equal")]
    #[test_case("python_full_version < '3.11.4'", "python-3.11.4", true; "an earlier patch may run")]
    #[test_case("python_full_version >= '3.11.4'", "python-3.11", true; "a later patch may run")]
    #[test_case("python_full_version < '3.11'", "python-3.11", false; "no pre-release of 3.11")]
    #[test_case("python_full_version >= '3.12.0a1'", "python-3.11", false; "no pre-release of 3.12")]
    #[test_case("python_full_version >= '3.12'", "python-3.11", false; "next minor")]
    #[test_case("python_full_version == '3.11.*'", "python-3.11.2", true; "wildcard")]
    #[test_case("python_full_version == '3.10.*'", "python-3.11.2", false; "other wildcard")]
    #[test_case("implementation_version < '3.11.2'", "python-3.11.9", true; "implementation version")]
    #[test_case("python_full_version > '3.11.99'", "python-3.11", true; "a late patch")]
    fn python_versions(marker: &str, python: &str, want: bool) {
        assert_eq!(judge(marker, LINUX, python), want, "{marker} on {python}");
    }
}
