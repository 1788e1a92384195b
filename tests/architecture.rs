//! The shell's own rule (docs/ARCHITECTURE.md): `src/repo/` is the only
//! door to git2, so every git read and write can be audited in one place.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_src_repo_uses_git2() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 10);
    let door = src.join("repo");
    assert!(door.join("mod.rs").is_file() && door.join("write.rs").is_file());
    for path in files.iter().filter(|p| !p.starts_with(&door)) {
        let text = std::fs::read_to_string(path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            assert!(
                !code.contains("git2::") && !code.contains("use git2"),
                "{}:{}: git2 outside src/repo/: {line}",
                path.display(),
                number + 1
            );
        }
    }
}
