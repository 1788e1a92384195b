//! The shell's own rules (docs/ARCHITECTURE.md): `src/repo/` is the only
//! door to git, git2 and the git command line alike, so every git read and
//! write can be audited in one place; and the shell's modules import each
//! other without cycles, so each can be read from the bottom up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file of the shell outside `src/repo/`, with its lines of
/// code (comments dropped).
fn outside_repo() -> Vec<(PathBuf, Vec<(usize, String)>)> {
    let src = src();
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 10);
    let door = src.join("repo");
    assert!(door.join("mod.rs").is_file() && door.join("cli.rs").is_file());
    files
        .into_iter()
        .filter(|p| !p.starts_with(&door))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines = text
                .lines()
                .enumerate()
                .map(|(n, line)| {
                    (
                        n + 1,
                        line.split("//").next().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            (path, lines)
        })
        .collect()
}

#[test]
fn only_src_repo_uses_git2() {
    for (path, lines) in outside_repo() {
        for (number, code) in lines {
            assert!(
                !code.contains("git2::") && !code.contains("use git2"),
                "{}:{number}: git2 outside src/repo/: {code}",
                path.display()
            );
        }
    }
}

#[test]
fn only_src_repo_runs_git() {
    for (path, lines) in outside_repo() {
        for (number, code) in lines {
            let spawns_git = code.contains("Command::new(\"git\"")
                || (code.contains("Command") && code.contains("\"git\""));
            assert!(
                !spawns_git,
                "{}:{number}: git run outside src/repo/ (ask repo::cli): {code}",
                path.display()
            );
        }
    }
}

/// A source file's module path (`hook::facts`; the crate root is empty),
/// from its place under `src/`.
fn module_of(src: &Path, path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code of a file without its test modules (at the end of each file)
/// and without comments.
fn code_of(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A use tree from `s[*at..]`: `a::b`, `a::{b, c::d}`, `a::*`, as paths.
fn tree(s: &[char], at: &mut usize) -> Vec<Vec<String>> {
    let skip = |at: &mut usize| {
        while *at < s.len() && s[*at].is_whitespace() {
            *at += 1;
        }
    };
    let mut prefix: Vec<String> = Vec::new();
    loop {
        skip(at);
        if *at < s.len() && s[*at] == '{' {
            *at += 1;
            let mut out = Vec::new();
            loop {
                skip(at);
                if *at >= s.len() || s[*at] == '}' {
                    *at += 1;
                    return out;
                }
                for sub in tree(s, at) {
                    out.push([prefix.clone(), sub].concat());
                }
                skip(at);
                if *at < s.len() && s[*at] == ',' {
                    *at += 1;
                }
            }
        }
        let start = *at;
        while *at < s.len() && (s[*at].is_alphanumeric() || s[*at] == '_') {
            *at += 1;
        }
        if *at == start {
            // `*`, or the end of the path.
            while *at < s.len() && s[*at] == '*' {
                *at += 1;
            }
            return vec![prefix];
        }
        prefix.push(s[start..*at].iter().collect());
        if s.get(*at) == Some(&':') && s.get(*at + 1) == Some(&':') {
            *at += 2;
        } else {
            return vec![prefix];
        }
    }
}

/// The paths a file names: `crate::a::b`, `super::a`, `self::a`, and
/// `child::a` for a module it declares (`mod child;`), with `{…}` groups
/// spelled out, as module paths from the crate root.
fn paths_named(module: &[String], code: &str) -> Vec<Vec<String>> {
    let children: Vec<String> = code
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))?;
            rest.strip_suffix(';').map(str::to_string)
        })
        .collect();
    let s: Vec<char> = code.chars().collect();
    let word_char = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut found = Vec::new();
    let mut at = 0;
    while at < s.len() {
        if at > 0 && word_char(s[at - 1]) {
            at += 1;
            continue;
        }
        let rest: String = s[at..s.len().min(at + 64)].iter().collect();
        let (base, skip) = if rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") {
            let mut base = module.to_vec();
            let mut skip = 0;
            while rest[skip..].starts_with("super::") {
                base.pop();
                skip += "super::".len();
            }
            (base, skip)
        } else if rest.starts_with("self::") {
            (module.to_vec(), "self::".len())
        } else if children
            .iter()
            .any(|child| rest.starts_with(&format!("{child}::")))
        {
            (module.to_vec(), 0)
        } else {
            at += 1;
            continue;
        };
        let mut end = at + skip;
        for path in tree(&s, &mut end) {
            found.push([base.clone(), path].concat());
        }
        at = end.max(at + 1);
    }
    found
}

/// The module a path names: its longest prefix that is a module.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
        .unwrap_or_default()
}

/// Which modules each module of the shell uses.
fn imports() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let src = src();
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.retain(|p| p != &src.join("main.rs"));
    let modules: BTreeSet<Vec<String>> = files.iter().map(|p| module_of(&src, p)).collect();
    let mut graph = BTreeMap::new();
    for path in &files {
        let module = module_of(&src, path);
        let code = code_of(&std::fs::read_to_string(path).unwrap());
        let used: BTreeSet<Vec<String>> = paths_named(&module, &code)
            .iter()
            .map(|named| resolve(named, &modules))
            .filter(|used| *used != module)
            .collect();
        graph.insert(module, used);
    }
    graph
}

fn shown(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

#[test]
fn the_shells_modules_import_each_other_without_cycles() {
    let graph = imports();
    let at = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    // The test sees what it should: the hook uses its marker commit, the
    // marker commit the facts it acts on, and the root every module.
    assert!(graph[&at(&["hook"])].contains(&at(&["hook", "marker"])));
    assert!(graph[&at(&["hook", "marker"])].contains(&at(&["hook", "facts"])));
    assert!(graph[&at(&["setup", "install"])].contains(&at(&["setup", "managers"])));
    assert!(graph[&Vec::new()].contains(&at(&["setup", "install"])));
    // Depth-first search; a module met again on the current path closes a
    // cycle.
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(start) = path.iter().position(|p| p == node) {
            let cycle: Vec<String> = path[start..]
                .iter()
                .chain([node])
                .map(|m| shown(m))
                .collect();
            panic!("import cycle: {}", cycle.join(" -> "));
        }
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.clone());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_cycle_check_sees_each_kind_of_path() {
    let module = vec!["hook".to_string(), "marker".to_string()];
    let code =
        "mod inner;\nuse crate::{say::{self, PASTE}, repo::Repo};\nuse super::facts::Deploying;\n\
                use crate::hook::{marker, Note};\nfn f() { inner::g(); crate::fs::write(); }";
    let named: Vec<String> = paths_named(&module, code)
        .iter()
        .map(|p| p.join("::"))
        .collect();
    for want in [
        "say::self",
        "repo::Repo",
        "hook::facts::Deploying",
        "hook::marker",
        "hook::Note",
        "hook::marker::inner::g",
        "fs::write",
    ] {
        assert!(named.iter().any(|n| n == want), "{want} not in {named:?}");
    }
}
