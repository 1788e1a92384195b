//! Paths in a commit's tree, resolved as the server's file system resolves
//! them once the commit is checked out: symbolic links (git mode 120000)
//! are followed, `..` in a link's text is taken physically, and nothing
//! may leave the repository.
//!
//! pip opens a requirements file, and every `-r`/`-c` include, with
//! Python's `open()`, so the kernel follows links: relative to the folder
//! that holds the link, one component at a time, so a link may name a
//! file, a folder (`cfg -> deploy/config`, then `cfg/prod.txt`) or another
//! link. Linux gives up after 40 links in one lookup (`MAXSYMLINKS` in
//! `include/linux/namei.h`); so does envguard, and calls it a loop.
//!
//! A link whose text is absolute, or climbs above the repository's root,
//! would make pip read a file of the server rather than of the commit: a
//! [`LinkError`] naming the link. The tree itself is the caller's:
//! [`resolve`] asks a lookup function what one path of real folders holds.

use std::fmt;

use crate::token::ENVGUARD_DIR;

/// At most this many links are followed in one lookup (Linux's
/// `MAXSYMLINKS`).
pub const MAX_LINK_HOPS: usize = 40;

/// What a tree holds at a path whose folders are all real folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Nothing there (or a submodule, whose files are not in the commit).
    Missing,
    /// A folder.
    Folder,
    /// A file.
    File,
    /// A symbolic link, with its text.
    Link(String),
}

/// A link the server could not follow into the commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// A symbolic link names something outside the repository (`link ==
    /// target`: the path itself climbs above the root).
    LeavesRepository { link: String, target: String },
    /// Following the links never ends.
    Loops { link: String, hops: usize },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // envguard's own folder: its files are never read or written
            // through a link, whatever the link says (the writing side
            // refuses the same way, `token::check_written`).
            LinkError::LeavesRepository { link, target }
                if link == ENVGUARD_DIR || link.starts_with(&format!("{ENVGUARD_DIR}/")) =>
            {
                write!(
                    f,
                    "{link} is a symbolic link to {target}, outside the repository; envguard keeps its marker \
                     as two regular files in a folder .envguard/ and never reads or writes through such a link. \
                     Move it out of the way (`git rm -- {link}`: for a link that removes the link, not what it \
                     points to) and commit, then push again"
                )
            }
            LinkError::LeavesRepository { link, target } if link == target => write!(
                f,
                "{link} leads outside the repository; pip on the server would read a file that is not in the commit"
            ),
            LinkError::LeavesRepository { link, target } => write!(
                f,
                "{link} is a symbolic link to {target}, outside the repository; pip on the server would read \
                 a file that is not in the commit. Commit the file itself, or a link within the repository"
            ),
            LinkError::Loops { link, hops } => write!(
                f,
                "{link} is a symbolic link that leads to no file within {hops} links (a loop); \
                 pip on the server could not open it. Fix the link"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// Resolves `path` (`/`-separated, relative to the repository root) to the
/// path of the file it names, with every link followed and every `..`
/// applied. `Ok(None)`: no file there (missing, a folder, a dangling link,
/// or a file used as a folder: what `open()` fails on with `ENOENT`,
/// `EISDIR` or `ENOTDIR`). A link that leaves the repository or loops is a
/// [`LinkError`] naming it, in the caller's error type; `lookup`'s errors
/// (an object missing from the repository, say) pass through unchanged.
pub fn resolve<E: From<LinkError>>(
    path: &str,
    lookup: &mut dyn FnMut(&str) -> Result<Node, E>,
) -> Result<Option<String>, E> {
    // `done`: the real folders walked so far; `todo`: what is left to walk,
    // last component first, so that a link's text can go in front.
    let mut done: Vec<String> = Vec::new();
    let mut todo: Vec<String> = components(path).rev().collect();
    let mut hops = 0;
    while let Some(part) = todo.pop() {
        if part == ".." {
            if done.pop().is_none() {
                let link = path.to_string();
                let target = path.to_string();
                return Err(LinkError::LeavesRepository { link, target }.into());
            }
            continue;
        }
        done.push(part);
        let here = done.join("/");
        match lookup(&here)? {
            Node::Missing => return Ok(None),
            Node::File if todo.is_empty() => return Ok(Some(here)),
            // `open("file/x")` fails with ENOTDIR: there is no such file.
            Node::File => return Ok(None),
            Node::Folder if todo.is_empty() => return Ok(None),
            Node::Folder => {}
            Node::Link(target) => {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    let hops = MAX_LINK_HOPS;
                    return Err(LinkError::Loops { link: here, hops }.into());
                }
                done.pop();
                if leaves_root(&done, &target) {
                    return Err(LinkError::LeavesRepository { link: here, target }.into());
                }
                todo.extend(components(&target).rev());
            }
        }
    }
    // The root itself, or a path of only `.`: a folder.
    Ok(None)
}

/// A path's components, less empty ones and `.`.
fn components(path: &str) -> impl DoubleEndedIterator<Item = String> + '_ {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .map(str::to_string)
}

/// Whether a link's text, read from the folder `from`, names something
/// outside the repository: an absolute path, or `..` past the root even
/// through folders that do not exist.
fn leaves_root(from: &[String], target: &str) -> bool {
    if target.starts_with('/') {
        return true;
    }
    let mut depth = from.len();
    for part in components(target) {
        if part == ".." {
            match depth.checked_sub(1) {
                Some(up) => depth = up,
                None => return true,
            }
        } else {
            depth += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A tree as data: path to node; folders are implied by what is in them.
    fn tree(entries: &[(&str, Node)]) -> BTreeMap<String, Node> {
        let mut map: BTreeMap<String, Node> = BTreeMap::new();
        for (path, node) in entries {
            let parts: Vec<&str> = path.split('/').collect();
            for end in 1..parts.len() {
                map.entry(parts[..end].join("/")).or_insert(Node::Folder);
            }
            map.insert(path.to_string(), node.clone());
        }
        map
    }

    fn link(text: &str) -> Node {
        Node::Link(text.to_string())
    }

    fn resolve_in(map: &BTreeMap<String, Node>, path: &str) -> Result<Option<String>, String> {
        let mut lookup = |p: &str| Ok::<_, LinkError>(map.get(p).cloned().unwrap_or(Node::Missing));
        resolve(path, &mut lookup).map_err(|e| e.to_string())
    }

    fn found(path: &str) -> Result<Option<String>, String> {
        Ok(Some(path.to_string()))
    }

    #[test]
    fn plain_paths_resolve_to_themselves() {
        let map = tree(&[
            ("requirements.txt", Node::File),
            ("req/base.txt", Node::File),
        ]);
        assert_eq!(
            resolve_in(&map, "requirements.txt"),
            found("requirements.txt")
        );
        assert_eq!(resolve_in(&map, "./req//base.txt"), found("req/base.txt"));
        assert_eq!(
            resolve_in(&map, "req/../req/base.txt"),
            found("req/base.txt")
        );
        assert_eq!(resolve_in(&map, "req"), Ok(None));
        assert_eq!(resolve_in(&map, "nothing.txt"), Ok(None));
        assert_eq!(resolve_in(&map, "requirements.txt/x"), Ok(None));
        assert_eq!(resolve_in(&map, ""), Ok(None));
    }

    #[test]
    fn links_resolve_beside_themselves_through_chains_and_folders() {
        let map = tree(&[
            ("requirements.txt", link("config/requirements.txt")),
            ("config/requirements.txt", link("../real/reqs.txt")),
            ("real/reqs.txt", Node::File),
            ("cfg", link("deploy/config")),
            ("deploy/config/prod.txt", Node::File),
            ("deploy/common.txt", Node::File),
            ("shared", link("cfg/../common.txt")),
            ("dangling.txt", link("gone.txt")),
        ]);
        assert_eq!(resolve_in(&map, "requirements.txt"), found("real/reqs.txt"));
        assert_eq!(
            resolve_in(&map, "cfg/prod.txt"),
            found("deploy/config/prod.txt")
        );
        // `..` after a linked folder is the link target's parent.
        assert_eq!(
            resolve_in(&map, "cfg/../common.txt"),
            found("deploy/common.txt")
        );
        assert_eq!(resolve_in(&map, "shared"), found("deploy/common.txt"));
        assert_eq!(resolve_in(&map, "dangling.txt"), Ok(None));
    }

    #[test]
    fn links_out_of_the_repository_are_errors_naming_them() {
        let map = tree(&[
            ("abs.txt", link("/etc/hostname")),
            ("up.txt", link("../outside.txt")),
            ("sub/deep.txt", link("../../outside.txt")),
            ("via.txt", link("nowhere/../../outside.txt")),
            ("ok.txt", link("sub/../abs.txt")),
        ]);
        for path in ["abs.txt", "up.txt", "sub/deep.txt", "via.txt"] {
            let err = resolve_in(&map, path).unwrap_err();
            assert!(err.starts_with(&format!("{path} ")), "{err}");
            assert!(err.contains("outside the repository"), "{err}");
        }
        // Through another link: the link that leaves is named.
        let err = resolve_in(&map, "ok.txt").unwrap_err();
        assert!(err.starts_with("abs.txt "), "{err}");
        let err = resolve_in(&map, "../x.txt").unwrap_err();
        assert!(err.contains("outside the repository"), "{err}");
    }

    #[test]
    fn loops_are_errors_naming_the_link() {
        let map = tree(&[
            ("a.txt", link("b.txt")),
            ("b.txt", link("a.txt")),
            ("d", link("d")),
        ]);
        let err = resolve_in(&map, "a.txt").unwrap_err();
        assert!(err.contains("loop"), "{err}");
        let err = resolve_in(&map, "d/x.txt").unwrap_err();
        assert!(err.starts_with("d "), "{err}");
        // 40 links in a row are followed, 41 are not.
        let mut entries: Vec<(String, Node)> = (0..40)
            .map(|i| (format!("l{i}"), link(&format!("l{}", i + 1))))
            .collect();
        entries.push(("l40".into(), Node::File));
        entries.push(("start".into(), link("l0")));
        let entries: Vec<(&str, Node)> = entries
            .iter()
            .map(|(p, n)| (p.as_str(), n.clone()))
            .collect();
        let map = tree(&entries);
        assert_eq!(resolve_in(&map, "l0"), found("l40"));
        assert!(resolve_in(&map, "start").unwrap_err().contains("loop"));
    }

    /// The caller's own error type, as a repository reader has one.
    #[derive(Debug, PartialEq)]
    enum Lookup {
        Missing(&'static str),
        Link(LinkError),
    }

    impl From<LinkError> for Lookup {
        fn from(error: LinkError) -> Lookup {
            Lookup::Link(error)
        }
    }

    #[test]
    fn lookup_errors_pass_through() {
        let mut lookup = |_: &str| Err(Lookup::Missing("object missing"));
        let err = resolve("a/b.txt", &mut lookup).unwrap_err();
        assert_eq!(err, Lookup::Missing("object missing"));
        let mut lookup = |_: &str| Ok(Node::Link("/etc".into()));
        assert!(matches!(
            resolve("a", &mut lookup),
            Err(Lookup::Link(LinkError::LeavesRepository { .. }))
        ));
    }

    // A link out of the repository, in its three wordings: envguard's own
    // folder (never read or written through a link), a path that climbs out by
    // itself, and a link whose text leads out.
    #[test]
    fn links_leaving_the_repository() {
        let leaves = |link: &str, target: &str| {
            LinkError::LeavesRepository {
                link: link.into(),
                target: target.into(),
            }
            .to_string()
        };
        for link in [".envguard", ".envguard/force-clean"] {
            assert!(
                leaves(link, "../elsewhere").starts_with(&format!(
                    "{link} is a symbolic link to ../elsewhere, outside the repository; envguard keeps its marker"
                )),
                "{link}"
            );
        }
        assert_eq!(
            leaves("../requirements.txt", "../requirements.txt"),
            "../requirements.txt leads outside the repository; pip on the server would read a file that is \
             not in the commit"
        );
        for link in ["requirements.txt", ".envguardian"] {
            assert_eq!(
                leaves(link, "../shared/requirements.txt"),
                format!(
                    "{link} is a symbolic link to ../shared/requirements.txt, outside the repository; pip on \
                     the server would read a file that is not in the commit. Commit the file itself, or a \
                     link within the repository"
                )
            );
        }
    }
}
