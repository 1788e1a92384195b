//! One requirement, identified the way pip identifies it: `parse_req_from_line`
//! and `parse_editable` in `pip/_internal/req/constructors.py`.
//!
//! - A PEP 508 requirement (through `pep508_rs`) is its canonical name.
//! - A URL (a scheme pip knows: `http`, `https`, `file`, `ftp`, `git+…`,
//!   `hg+…`, `svn+…`, `bzr+…`) is named by its wheel file name or its
//!   `#egg=` fragment, else identified by its text.
//! - A local path (`/` or `\` in it, or a leading `.`) or archive is named by
//!   its wheel file name, else identified by its normalised path.
//! - `-e` takes a local directory or a VCS URL named by `#egg=`.
//!
//! pip splits the marker off at the first `;` (at `"; "` for a URL) before
//! anything else, so a marker envguard cannot parse leaves the requirement
//! readable: it counts as installed, with a warning.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use pep508_rs::{MarkerTree, Pep508Url};

use super::guard;
use super::lines::py_trim;
use crate::names::{CanonicalName, PackageId};

/// A requirement that names its package (or a URL or path).
#[derive(Clone, Debug)]
pub(super) struct Parsed {
    pub id: PackageId,
    /// Canonical extra names (PEP 685).
    pub extras: BTreeSet<String>,
    /// `None` when the requirement always applies (or its marker is unreadable).
    pub marker: Option<MarkerTree>,
    /// Something the user should hear about; the requirement still counts.
    pub warning: Option<String>,
}

/// Why a requirement cannot be read (pip would refuse it too).
pub(super) type Unreadable = String;

/// The URL of `name @ url`, kept as written. pep508_rs's own `VerbatimUrl`
/// would expand `${VAR}` from envguard's environment and resolve relative
/// paths against its working directory; identity needs neither.
#[derive(Debug)]
struct RawUrl(String);

impl fmt::Display for RawUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Pep508Url for RawUrl {
    type Err = Infallible;

    fn parse_url(url: &str, _working_dir: Option<&Path>) -> Result<Self, Infallible> {
        Ok(RawUrl(url.to_string()))
    }
}

/// pip's `vcs.all_schemes`.
const VCS_SCHEMES: &[&str] = &[
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
    "bzr+file",
    "git+http",
    "git+https",
    "git+ssh",
    "git+git",
    "git+file",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn+ssh",
    "svn+http",
    "svn+https",
    "svn+svn",
    "svn+file",
];

/// The lower-case scheme of a URL-like text: what comes before the first `:`.
pub(super) fn scheme_of(text: &str) -> Option<String> {
    text.split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
}

fn is_vcs(text: &str) -> bool {
    scheme_of(text).is_some_and(|scheme| VCS_SCHEMES.contains(&scheme.as_str()))
}

/// pip's `is_url`: the text before the first `:` is a scheme it knows.
fn is_url(text: &str) -> bool {
    is_vcs(text)
        || scheme_of(text)
            .is_some_and(|scheme| ["http", "https", "file", "ftp"].contains(&scheme.as_str()))
}

/// pip's `ARCHIVE_EXTENSIONS`.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
    ".tar.gz",
    ".tgz",
    ".tar",
];

/// pip's `splitext` extension of a path's last component, in its own case:
/// Python's `splitext` (leading dots are no extension), with `.tar.` kept
/// together.
fn extension(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem_start = name.len() - name.trim_start_matches('.').len();
    let Some(dot) = name[stem_start..].rfind('.').map(|at| at + stem_start) else {
        return "";
    };
    let base = &name[..dot];
    match base.len().checked_sub(".tar".len()) {
        Some(tar)
            if base
                .get(tar..)
                .is_some_and(|t| t.eq_ignore_ascii_case(".tar")) =>
        {
            &name[tar..]
        }
        _ => &name[dot..],
    }
}

fn is_archive(path: &str) -> bool {
    ARCHIVE_EXTENSIONS.contains(&extension(path).to_ascii_lowercase().as_str())
}

/// pip's `_looks_like_path`: a path separator (`\` counts, as on the
/// Windows servers) or a leading `.`.
fn looks_like_path(text: &str) -> bool {
    text.contains('/') || text.contains('\\') || text.starts_with('.')
}

/// pip's `_strip_extras`: `^(.+)(\[[^\]]+\])$`.
fn strip_extras(text: &str) -> (&str, Option<&str>) {
    if let Some(open) = text.strip_suffix(']').and_then(|t| t.rfind('[')) {
        let inside = &text[open + 1..text.len() - 1];
        if open > 0 && !inside.is_empty() && !inside.contains(']') {
            return (&text[..open], Some(&text[open..]));
        }
    }
    (text, None)
}

/// A non-editable requirement line (pip's `parse_req_from_line`).
pub(super) fn requirement(text: &str) -> Result<Parsed, Unreadable> {
    let url = is_url(text);
    let separator = if url { "; " } else { ";" };
    let (body, marker) = match text.split_once(separator) {
        Some((body, marker)) => (body, Some(py_trim(marker)).filter(|m| !m.is_empty())),
        None => (text, None),
    };
    let body = py_trim(body);
    let mut parsed = if url {
        from_url(body)?
    } else {
        from_local_or_spec(body)?
    };
    // The line's marker wins over one inside an `#egg=` fragment, as in pip.
    if let Some(marker) = marker {
        match guard::marker(marker)
            .and_then(|m| MarkerTree::from_str(&m).map_err(|e| e.message.to_string()))
        {
            Ok(tree) => parsed.marker = (!tree.is_true()).then_some(tree),
            Err(err) => {
                parsed.marker = None;
                let said = format!(
                    "cannot read the environment marker `{marker}` ({err}); the requirement counts as installed"
                );
                parsed.warning = Some(match parsed.warning.take() {
                    Some(before) => format!("{before}; {said}"),
                    None => said,
                });
            }
        }
    }
    Ok(parsed)
}

/// The value of `-e` (pip's `parse_editable`): a local directory, or a VCS
/// URL named by `#egg=`.
pub(super) fn editable(text: &str) -> Result<Parsed, Unreadable> {
    let (location, extras) = strip_extras(text);
    let scheme = scheme_of(text).filter(|scheme| {
        // One letter is a Windows drive, not a scheme.
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(scheme) = scheme else {
        if scp_like(location) {
            return Err(
                "this is git's scp-like address (`user@host:path`), which pip does not read as a VCS URL \
                 and refuses; write it as `git+ssh://git@host/path`"
                    .to_string(),
            );
        }
        // envguard cannot see the server's folders; pip installs a path
        // that is a directory and refuses anything else, so either way the
        // path is what identifies the line.
        return unnamed(normalize_path(location), extras);
    };
    if scheme == "file" {
        return match egg_fragment(location) {
            Some(egg) => {
                let mut parsed = named_by_egg(egg)?;
                if let Some(extras) = extras {
                    parsed.extras = canonical_extras(extras)?;
                }
                Ok(parsed)
            }
            None => unnamed(normalize_url(location), extras),
        };
    }
    // pip turns `git:` into `git+git:` and so on, then wants a VCS URL.
    let url = match scheme.as_str() {
        "bzr" | "git" | "hg" | "svn" => format!("{scheme}+{text}"),
        _ => text.to_string(),
    };
    if !is_vcs(&url) {
        return Err(
            "`-e` takes a local directory or a VCS URL (git+https://…), and pip refuses this"
                .to_string(),
        );
    }
    match egg_fragment(&url) {
        Some(egg) => named_by_egg(egg),
        None => {
            Err("`-e` with a VCS URL needs `#egg=name`, and pip refuses it without".to_string())
        }
    }
}

/// git's scp-like address, `[vcs+]user@host:path`
/// (`git+git@github.com:org/repo.git`): a `@` before the first `:`, and no
/// `/` or `\\` there. pip sees neither a URL scheme nor a local folder in it.
fn scp_like(text: &str) -> bool {
    text.split_once(':').is_some_and(|(before, _)| {
        before.contains('@') && !before.contains('/') && !before.contains('\\')
    })
}

/// A URL pip knows: named by its wheel file name or `#egg=`, else unnamed.
fn from_url(url: &str) -> Result<Parsed, Unreadable> {
    let file_name = url_file_name(url);
    if extension(&file_name) == ".whl" {
        return wheel(&file_name, None);
    }
    match egg_fragment(url) {
        Some(egg) => named_by_egg(egg),
        None => unnamed(normalize_url(url), None),
    }
}

/// A requirement named by `#egg=`. pip up to 24 reads the fragment as a
/// requirement (`name[extras]` too); pip 25 and later refuse anything but a
/// bare project name (`Link._egg_fragment`). envguard reads it as the older
/// pips do, and warns where the newer ones would fail.
fn named_by_egg(egg: &str) -> Result<Parsed, Unreadable> {
    let mut parsed = spec(egg)?;
    let bare_name = egg.starts_with(|c: char| c.is_ascii_alphanumeric())
        && egg.ends_with(|c: char| c.is_ascii_alphanumeric())
        && egg.chars().all(guard::is_identifier);
    if !bare_name {
        parsed.warning = Some(format!(
            "pip 25 and later take only a project name after `#egg=`, not `{egg}`; write `name[extras] @ url` instead"
        ));
    }
    Ok(parsed)
}

/// Not a URL: a local path or archive (pip's `_get_url_from_path`), or a
/// PEP 508 requirement.
fn from_local_or_spec(text: &str) -> Result<Parsed, Unreadable> {
    let (path, extras) = strip_extras(text);
    if !looks_like_path(text) && !is_archive(path) {
        return spec(text);
    }
    // pip: "If the path contains '@' and the part before it does not look
    // like a path, try to treat it as a PEP 440 URL req instead."
    if text
        .split_once('@')
        .is_some_and(|(before, _)| !looks_like_path(before))
    {
        return spec(text);
    }
    if extension(path) == ".whl" {
        let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        return wheel(file_name, extras);
    }
    unnamed(normalize_path(path), extras)
}

/// A PEP 508 requirement string.
fn spec(text: &str) -> Result<Parsed, Unreadable> {
    let text = &*guard::requirement(text)?;
    let req = pep508_rs::Requirement::<RawUrl>::from_str(text)
        .or_else(|err| match arbitrary_equality_as_version(text) {
            Some(text) => pep508_rs::Requirement::<RawUrl>::from_str(&text).map_err(|_| err),
            None => Err(err),
        })
        // Only the message: the whole error's `Display` adds the input and
        // an underline, on lines of their own.
        .map_err(|err| format!("not a valid requirement ({})", err.message))?;
    Ok(Parsed {
        id: PackageId::Name(CanonicalName::new(req.name.as_ref())),
        extras: req
            .extras
            .iter()
            .map(|e| CanonicalName::new(e.as_ref()).to_string())
            .collect(),
        marker: (!req.marker.is_true()).then_some(req.marker),
        warning: None,
    })
}

/// PEP 440's arbitrary equality takes any string (`pkg===foobar`), and pip
/// accepts it, but pep440_rs wants a version there. Identity needs only the
/// name, so for a second try each `===` value is replaced by `0`.
fn arbitrary_equality_as_version(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(at) = rest.find("===") {
        found = true;
        out.push_str(&rest[..at + 3]);
        let value = rest[at + 3..].trim_start();
        let end = value
            .find(|c: char| matches!(c, ',' | ';' | ')') || c.is_whitespace())
            .unwrap_or(value.len());
        out.push('0');
        rest = &value[end..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// pip's `convert_extras`: `[a,b]` read as the extras of a placeholder requirement.
fn canonical_extras(extras: &str) -> Result<BTreeSet<String>, Unreadable> {
    Ok(spec(&format!("placeholder{extras}"))?.extras)
}

/// A wheel is named by its file name (pip's `Wheel`, `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`).
fn wheel(file_name: &str, extras: Option<&str>) -> Result<Parsed, Unreadable> {
    let invalid = || format!("`{file_name}` is not a valid wheel file name");
    let stem = file_name.strip_suffix(".whl").ok_or_else(invalid)?;
    let parts: Vec<&str> = stem.split('-').collect();
    let no_space = |part: &&str| !part.is_empty() && !part.contains(char::is_whitespace);
    let valid = match parts.as_slice() {
        [name, version, tags @ ..] if tags.len() == 3 || tags.len() == 4 => {
            no_space(name)
                && !version.contains(char::is_whitespace)
                && (tags.len() == 3 || tags[0].starts_with(|c: char| c.is_ascii_digit()))
                && tags[tags.len() - 3..].iter().all(no_space)
        }
        _ => false,
    };
    if !valid {
        return Err(invalid());
    }
    // "we'll assume "_" means "-" due to wheel naming scheme"; the name
    // must still be a PEP 508 name.
    let mut parsed = spec(&parts[0].replace('_', "-")).map_err(|_| invalid())?;
    if let Some(extras) = extras {
        parsed.extras = canonical_extras(extras)?;
    }
    Ok(parsed)
}

/// An unnamed requirement: its text (with canonical extras, if any) is its identity.
fn unnamed(text: String, extras: Option<&str>) -> Result<Parsed, Unreadable> {
    let text = match extras {
        Some(extras) => {
            let extras: Vec<String> = canonical_extras(extras)?.into_iter().collect();
            format!("{text}[{}]", extras.join(","))
        }
        None => text,
    };
    Ok(Parsed {
        id: PackageId::Text(text),
        extras: BTreeSet::new(),
        marker: None,
        warning: None,
    })
}

/// pip's `Link.egg_fragment`: `[#&]egg=([^&]*)` anywhere in the URL.
fn egg_fragment(url: &str) -> Option<&str> {
    let at = [url.find("#egg="), url.find("&egg=")]
        .into_iter()
        .flatten()
        .min()?;
    let value = &url[at + "#egg=".len()..];
    Some(value.split('&').next().unwrap_or(value))
}

/// The unquoted last path component of a URL (pip's `Link.filename`).
fn url_file_name(url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let url = url.split('?').next().unwrap_or(url);
    let path = match url.split_once(':') {
        Some((_, rest)) => match rest.strip_prefix("//") {
            Some(authority_and_path) => authority_and_path
                .find('/')
                .map_or("", |at| &authority_and_path[at..]),
            None => rest,
        },
        None => url,
    };
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    percent_decode(name)
}

/// `urllib.parse.unquote`: `%XX` escapes as UTF-8, invalid bytes replaced.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| bytes[i] == b'%' && h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An unnamed URL's identity: the scheme in lower case and no trailing `/`
/// on the path, so `HTTPS://host/pkg/` and `https://host/pkg` are one.
fn normalize_url(url: &str) -> String {
    let (scheme, rest) = url.split_once(':').unwrap_or(("", url));
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, tail) = rest.split_at(end);
    let path = match path.trim_end_matches('/') {
        "" if path.starts_with('/') => "/",
        trimmed => trimmed,
    };
    format!("{}:{path}{tail}", scheme.to_ascii_lowercase())
}

/// A local path's identity, normalised like Python's `os.path.normpath`
/// (`\` read as `/`, as on Windows): `./pkg/`, `pkg/` and `a/../pkg` are all
/// `./pkg`; relative paths keep a leading `./` (or `../`) so that they never
/// read as a package name.
fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let (root, rest) = if let Some(rest) = path.strip_prefix('/') {
        ("/".to_string(), rest)
    } else if path.len() >= 2
        && path.as_bytes()[1] == b':'
        && path.as_bytes()[0].is_ascii_alphabetic()
    {
        let (drive, rest) = path.split_at(2);
        (
            format!("{}/", drive.to_ascii_uppercase()),
            rest.trim_start_matches('/'),
        )
    } else {
        (String::new(), path.as_str())
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            // `..` above the root is the root, as in normpath.
            ".." if !root.is_empty() => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if !root.is_empty() {
        format!("{root}{joined}")
    } else if parts.first() == Some(&"..") {
        format!("{joined}/")
    } else {
        format!("./{joined}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    /// `name`, `name[extra,extra]` or `<text>` for an unnamed requirement,
    /// plus `; marker` when one applies.
    fn show(parsed: &Parsed) -> String {
        let mut out = match &parsed.id {
            PackageId::Name(name) => name.to_string(),
            PackageId::Text(text) => format!("<{text}>"),
        };
        if !parsed.extras.is_empty() {
            out.push_str(&format!(
                "[{}]",
                parsed.extras.iter().cloned().collect::<Vec<_>>().join(",")
            ));
        }
        if let Some(marker) = &parsed.marker {
            out.push_str(&format!("; {}", marker.try_to_string().unwrap_or_default()));
        }
        out
    }

    #[test_case("Flask", "flask"; "bare name")]
    #[test_case("zope.interface===6.4", "zope-interface"; "arbitrary equality with a version")]
    #[test_case("Weird === foo-bar , >=1; os_name == 'nt'", "weird; os_name == 'nt'"; "arbitrary equality with any string")]
    #[test_case("a (===x)", "a"; "arbitrary equality in parentheses")]
    #[test_case("Flask_Cors.ext==1.0", "flask-cors-ext"; "separators and version")]
    #[test_case("requests[Socks, security_Ext]>=2", "requests[security-ext,socks]"; "extras are canonical")]
    #[test_case("requests [socks] (>=2.0, <3)", "requests[socks]"; "parenthesised specifier")]
    #[test_case("numpy;python_version<'3.12'", "numpy; python_full_version < '3.12'"; "marker without spaces")]
    #[test_case("numpy ; ", "numpy"; "empty marker")]
    #[test_case("pkg @ https://x.invalid/pkg-1.0.tar.gz", "pkg"; "name at url")]
    #[test_case("pkg @ https://x.invalid/p.zip ; os_name == 'nt'", "pkg; os_name == 'nt'"; "name at url with marker")]
    #[test_case("pkg[x] @ git+https://x.invalid/r.git@v1", "pkg[x]"; "name at vcs url")]
    #[test_case("pkg @ file:///srv/pkg", "pkg"; "name at file url")]
    #[test_case("pkg @ https://${TOKEN}@x.invalid/p.zip", "pkg"; "env reference in url")]
    #[test_case("git+https://x.invalid/r.git@main#egg=My_Pkg", "my-pkg"; "vcs url with egg")]
    #[test_case("git+https://x.invalid/r.git#egg=My_Pkg&subdirectory=s", "my-pkg"; "egg and subdirectory")]
    #[test_case("https://x.invalid/a.zip?x=1&egg=zz", "zz"; "egg in query")]
    #[test_case("https://x.invalid/dl/Foo_Bar-1.0-py3-none-any.whl", "foo-bar"; "wheel url")]
    #[test_case("https://x.invalid/foo-1.0-1-py3-none-any.whl#egg=other", "foo"; "wheel name beats egg")]
    #[test_case("https://x.invalid/foo%2Dbar-1.0-py3-none-any.whl", "foo"; "wheel name unquoted")]
    #[test_case("git+https://x.invalid/r.git#egg=pkg ; sys_platform == 'win32'", "pkg; sys_platform == 'win32'"; "url marker after semicolon space")]
    #[test_case("HTTPS://X.invalid/pkg/", "<https://X.invalid/pkg>"; "unnamed url normalised")]
    #[test_case("https://x.invalid/a;b.zip", "<https://x.invalid/a;b.zip>"; "semicolon without space stays in url")]
    #[test_case("./dist/Foo-2.0-cp311-cp311-win_amd64.whl", "foo"; "local wheel")]
    #[test_case("dist\\foo-2.0-py3-none-any.whl[Bar]", "foo[bar]"; "local wheel with extras and backslash")]
    #[test_case("foo-2.0-py3-none-any.whl", "foo"; "wheel in cwd")]
    #[test_case("./pkg/", "<./pkg>"; "local dir")]
    #[test_case("pkg/", "<./pkg>"; "local dir without dot")]
    #[test_case("./a/../pkg[Dev,test]", "<./pkg[dev,test]>"; "local dir with extras")]
    #[test_case(".", "<./>"; "current dir")]
    #[test_case("../sibling/", "<../sibling/>"; "parent dir")]
    #[test_case("/opt/pkgs/../x.tar.gz", "</opt/x.tar.gz>"; "absolute archive")]
    #[test_case("c:\\pkgs\\x.zip", "<C:/pkgs/x.zip>"; "windows drive")]
    #[test_case("foo-1.0.tar.gz", "<./foo-1.0.tar.gz>"; "sdist in cwd")]
    #[test_case("./pkg; python_version >= '3'", "<./pkg>; python_full_version >= '3'"; "local path with marker")]
    #[test_case("https://x.invalid/.whl#egg=x", "x"; "dot whl is no wheel")]
    fn reads(text: &str, want: &str) {
        let parsed = requirement(text).unwrap();
        assert_eq!(show(&parsed), want);
        assert_eq!(parsed.warning, None);
    }

    #[test_case("./src/pkg[dev]", "<./src/pkg[dev]>"; "local dir")]
    #[test_case(".", "<./>"; "current dir")]
    #[test_case("git+https://x.invalid/r.git#egg=Pkg", "pkg"; "vcs")]
    #[test_case("git://x.invalid/r.git#egg=pkg", "pkg"; "bare git scheme")]
    #[test_case("hg+https://x.invalid/r#egg=pkg", "pkg"; "mercurial")]
    #[test_case("file:///srv/pkg#egg=pkg", "pkg"; "file url with egg")]
    #[test_case("file:///srv/pkg/[x]", "<file:///srv/pkg[x]>"; "file url without egg")]
    #[test_case("C:\\src\\pkg", "<C:/src/pkg>"; "windows path")]
    fn reads_editable(text: &str, want: &str) {
        assert_eq!(show(&editable(text).unwrap()), want);
    }

    #[test_case("git+https://x.invalid/r.git", "#egg=name"; "vcs without egg")]
    #[test_case("https://x.invalid/p.zip#egg=p", "VCS URL"; "not vcs")]
    #[test_case("git+git@github.com:org/repo.git@v1#egg=x", "scp-like"; "scp-like vcs")]
    #[test_case("git@github.com:org/repo.git#egg=x", "git+ssh://"; "scp-like without vcs prefix")]
    fn refuses_editable(text: &str, want: &str) {
        let err = editable(text).unwrap_err();
        assert!(err.contains(want), "{err}");
    }

    #[test_case("flask=1.0"; "single equals")]
    #[test_case("flask>=1.0[extra]"; "extras after version")]
    #[test_case("${PKG}==1.0"; "env reference as name")]
    #[test_case("git+https://x.invalid/r.git#egg="; "empty egg")]
    #[test_case("https://x.invalid/not_a_wheel.whl"; "bad wheel name")]
    #[test_case("./pkg[bad extra]"; "bad extras on a path")]
    #[test_case("-"; "just a dash")]
    #[test_case("flask- ==1"; "name ending in a separator before more text")]
    #[test_case("flask_"; "name ending in a separator")]
    #[test_case("requests[socks-]"; "extra ending in a separator")]
    #[test_case("requests[ok, socks. ]"; "second extra ending in a separator")]
    #[test_case("./pkg[dev_]"; "path extra ending in a separator")]
    #[test_case("git+https://x.invalid/r#egg=pkg."; "egg name ending in a separator")]
    fn refuses(text: &str) {
        assert!(requirement(text).is_err(), "{text}");
    }

    #[test]
    fn extras_in_an_egg_count_with_a_warning_for_newer_pips() {
        let parsed =
            requirement("git+https://x.invalid/r.git#egg=My_Pkg[Extra]&subdirectory=s").unwrap();
        assert_eq!(show(&parsed), "my-pkg[extra]");
        assert!(parsed.warning.unwrap().contains("pip 25 and later"));
        let parsed = editable("git+https://x.invalid/r.git#egg=pkg[a]").unwrap();
        assert_eq!(show(&parsed), "pkg[a]");
        assert!(parsed.warning.is_some());
    }

    #[test]
    fn an_unreadable_marker_counts_as_installed_with_a_warning() {
        let parsed = requirement("pkg==1 ; python_version >>> '3'").unwrap();
        assert_eq!(show(&parsed), "pkg");
        assert!(parsed.warning.unwrap().contains("python_version >>> '3'"));
    }

    #[test]
    fn the_line_marker_beats_the_egg_marker() {
        let parsed =
            requirement("https://x.invalid/r.zip#egg=pkg;os_name=='nt'; os_name == 'posix'")
                .unwrap();
        assert_eq!(show(&parsed), "pkg; os_name == 'posix'");
        let parsed = requirement("https://x.invalid/r.zip#egg=pkg;os_name=='nt'").unwrap();
        assert_eq!(show(&parsed), "pkg; os_name == 'nt'");
    }

    #[test_case("a.tar.gz", ".tar.gz")]
    #[test_case("a.TAR.XZ", ".TAR.XZ")]
    #[test_case("a.tar.zip", ".tar.zip")]
    #[test_case(".whl", "")]
    #[test_case("x/..tgz", "")]
    #[test_case("dir.d/file", "")]
    #[test_case("dir.d\\file", "")]
    fn extensions(path: &str, want: &str) {
        assert_eq!(extension(path), want);
    }
}
