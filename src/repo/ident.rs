//! Who the marker commit is by, and when: resolved as git's own `ident.c`
//! resolves it, so that envguard can write the commit itself (no process
//! to spawn on the hook's removal path) wherever the answer is certain, and
//! hands the commit to `git commit-tree` wherever only git can say.
//!
//! git's order (`ident.c`, `fmt_ident` and `ident_default_email`): the name
//! is `GIT_{AUTHOR,COMMITTER}_NAME`, else `{author,committer}.name`, else
//! `user.name`; the email is `GIT_*_EMAIL`, else `{author,committer}.email`,
//! else `user.email`, else `EMAIL`; the date is `GIT_*_DATE`, else now in
//! the local time zone.

use git2::{Signature, Time};

use super::Repo;

/// The two roles git asks an identity for.
#[derive(Clone, Copy)]
enum Role {
    Author,
    Committer,
}

impl Role {
    fn config(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Committer => "committer",
        }
    }

    fn var(self, what: &str) -> &'static str {
        match (self, what) {
            (Role::Author, "NAME") => "GIT_AUTHOR_NAME",
            (Role::Author, "EMAIL") => "GIT_AUTHOR_EMAIL",
            (Role::Author, _) => "GIT_AUTHOR_DATE",
            (Role::Committer, "NAME") => "GIT_COMMITTER_NAME",
            (Role::Committer, "EMAIL") => "GIT_COMMITTER_EMAIL",
            (Role::Committer, _) => "GIT_COMMITTER_DATE",
        }
    }
}

/// One role's identity as found, before git would clean it.
struct Found {
    name: Option<String>,
    email: Option<String>,
    /// `GIT_*_DATE` as set, or `None` for "now".
    date: Option<String>,
}

impl Repo {
    /// `None` when git has an author and committer identity for this
    /// repository; else what is missing. envguard never invents one.
    pub fn missing_identity(&self) -> Option<String> {
        let (author, committer) = (self.found(Role::Author), self.found(Role::Committer));
        let mut missing = Vec::new();
        if author.name.is_none() || committer.name.is_none() {
            missing.push("user.name");
        }
        if author.email.is_none() || committer.email.is_none() {
            missing.push("user.email");
        }
        (!missing.is_empty()).then(|| missing.join(" and "))
    }

    /// The author and committer git would write, when envguard can write
    /// them exactly as git would; `None` sends the commit to `git
    /// commit-tree`: signing, a commit encoding, config that git reads and
    /// libgit2 does not (`git -c`, `includeIf.hasconfig:`), a date in any
    /// form but git's own `@<seconds> <+|-><hhmm>`, or a name or email that
    /// git would clean (`strbuf_addstr_without_crud`).
    pub(super) fn signatures(&self) -> Option<(Signature<'static>, Signature<'static>)> {
        if self.config_bool("commit.gpgsign")
            || self.env.config_overridden()
            || !self.config_git2_reads_whole()
            || self.config_string("i18n.commitEncoding").is_some_and(|e| {
                !e.eq_ignore_ascii_case("utf-8") && !e.eq_ignore_ascii_case("utf8")
            })
        {
            return None;
        }
        Some((
            self.signature(Role::Author)?,
            self.signature(Role::Committer)?,
        ))
    }

    fn signature(&self, role: Role) -> Option<Signature<'static>> {
        let found = self.found(role);
        let (name, email) = (found.name?, found.email?);
        if !plain(&name) || !plain(&email) {
            return None;
        }
        let (seconds, offset) = match found.date {
            Some(date) => object_header_date(&date)?,
            None => now()?,
        };
        Signature::new(&name, &email, &Time::new(seconds, offset)).ok()
    }

    fn found(&self, role: Role) -> Found {
        // git ignores an empty variable (`ident.c` tests `*name`); so does
        // this, and the signature then comes from config.
        let from_env = |var: &str| {
            self.env
                .get(var)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_string)
        };
        let config = role.config();
        Found {
            name: from_env(role.var("NAME"))
                .or_else(|| self.config_string(&format!("{config}.name")))
                .or_else(|| self.config_string("user.name")),
            email: from_env(role.var("EMAIL"))
                .or_else(|| self.config_string(&format!("{config}.email")))
                .or_else(|| self.config_string("user.email"))
                .or_else(|| from_env("EMAIL")),
            date: self.env.get(role.var("DATE")).map(str::to_string),
        }
    }

    /// Whether every conditional include in the config is one libgit2
    /// evaluates as git does (`gitdir:`, `gitdir/i:`, `onbranch:`; libgit2
    /// `config_file.c`, `conditions[]`); git's `hasconfig:` and any later
    /// condition are skipped by libgit2, so an identity read past one
    /// could differ from git's.
    fn config_git2_reads_whole(&self) -> bool {
        let Ok(config) = self.repo.config() else {
            return false;
        };
        let Ok(mut entries) = config.entries(Some(r"^includeif\..*\.path$")) else {
            return false;
        };
        let mut whole = true;
        while let Some(entry) = entries.next() {
            let Ok(entry) = entry else { return false };
            let name = String::from_utf8_lossy(entry.name_bytes()).to_ascii_lowercase();
            let condition = name.get("includeif.".len()..).unwrap_or("");
            whole &= ["gitdir:", "gitdir/i:", "onbranch:"]
                .iter()
                .any(|known| condition.starts_with(known));
        }
        whole
    }
}

/// Whether git writes `value` into an identity unchanged: no character of
/// git's "crud" at either end (the set has changed between git versions:
/// this is the widest, `ident.c` `crud()`), and none of the delimiters
/// `\n`, `<`, `>` that git drops inside.
fn plain(value: &str) -> bool {
    let crud = |c: char| c <= ' ' || ".,:;<>\"\\'".contains(c);
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().last()) else {
        return false;
    };
    !crud(first) && !crud(last) && !value.contains(['\n', '<', '>'])
}

/// git's own raw date, `@<seconds> <+|-><hhmm>` (`date.c`,
/// `match_object_header_date`), as seconds and an offset in minutes; any
/// other spelling is git's to parse.
fn object_header_date(date: &str) -> Option<(i64, i32)> {
    let (seconds, zone) = date.strip_prefix('@')?.split_once(' ')?;
    if seconds.is_empty() || seconds.len() > 12 || !seconds.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (sign, digits) = zone.split_at_checked(1)?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hhmm: i32 = digits.parse().ok()?;
    let minutes = (hhmm / 100) * 60 + hhmm % 100;
    let offset = match sign {
        "+" => minutes,
        "-" => -minutes,
        _ => return None,
    };
    Some((seconds.parse().ok()?, offset))
}

/// Now, and the local time zone's offset in minutes, as git's `datestamp`
/// takes them (`date.c`: `time()`, and `localtime_r`'s distance from UTC).
#[cfg(unix)]
fn now() -> Option<(i64, i32)> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let t = libc::time_t::try_from(seconds).ok()?;
    // SAFETY: `localtime_r` writes only into `tm`, which outlives the call;
    // a null result (an unrepresentable time) is checked.
    let offset = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        tm.tm_gmtoff
    };
    Some((
        i64::try_from(seconds).ok()?,
        i32::try_from(offset / 60).ok()?,
    ))
}

/// Elsewhere the local offset is git's to find.
#[cfg(not(unix))]
fn now() -> Option<(i64, i32)> {
    None
}

#[cfg(test)]
mod tests {
    use super::super::GitEnv;
    use super::*;

    /// A repository whose config holds `config`, opened with `env` plus a
    /// plain identity unless `env` names one.
    fn repo_with(
        config: &[(&str, &str)],
        env: &[(&'static str, &str)],
    ) -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let mut local = repo
            .config()
            .unwrap()
            .open_level(git2::ConfigLevel::Local)
            .unwrap();
        for (key, value) in config {
            local.set_str(key, value).unwrap();
        }
        let mut git_env = GitEnv::default()
            .with("GIT_AUTHOR_NAME", "Ada")
            .with("GIT_AUTHOR_EMAIL", "ada@example.invalid")
            .with("GIT_COMMITTER_NAME", "Ada")
            .with("GIT_COMMITTER_EMAIL", "ada@example.invalid");
        for (key, value) in env {
            git_env = git_env.with(key, value);
        }
        (dir, Repo { repo, env: git_env })
    }

    #[test]
    fn envguard_writes_the_commit_only_where_it_is_certain() {
        let (_dir, repo) = repo_with(&[], &[("GIT_AUTHOR_DATE", "@1700000000 +0200")]);
        let (author, committer) = repo.signatures().expect("a plain identity");
        assert_eq!(author.when().seconds(), 1_700_000_000);
        assert_eq!(author.when().offset_minutes(), 120);
        assert_eq!(committer.name().unwrap(), "Ada");
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [(&'static str, &'a str)]);
        let to_git: &[Case] = &[
            (&[("commit.gpgsign", "true")], &[]),
            (&[("i18n.commitEncoding", "ISO-8859-1")], &[]),
            (
                &[("includeIf.hasconfig:remote.*.url:x.path", "/nowhere")],
                &[],
            ),
            (&[], &[("GIT_AUTHOR_DATE", "2023-11-14 22:13:20")]),
            (&[], &[("GIT_COMMITTER_DATE", "yesterday")]),
            (&[], &[("GIT_AUTHOR_NAME", "Ada.")]),
            (&[], &[("GIT_COMMITTER_EMAIL", "<ada@example.invalid>")]),
        ];
        for (config, env) in to_git {
            let (_dir, repo) = repo_with(config, env);
            assert!(repo.signatures().is_none(), "{config:?} {env:?}");
        }
        for config in [
            &[("i18n.commitEncoding", "UTF-8")][..],
            &[("includeIf.gitdir:/elsewhere/.path", "/nowhere")][..],
            &[("includeIf.onbranch:main.path", "/nowhere")][..],
        ] {
            let (_dir, repo) = repo_with(config, &[]);
            assert!(repo.signatures().is_some(), "{config:?}");
        }
        let (_dir, mut repo) = repo_with(&[], &[]);
        repo.env.config_overridden = true;
        assert!(repo.signatures().is_none(), "git -c");
    }

    #[test]
    fn plain_values_are_what_git_writes_unchanged() {
        for value in ["Ada Lovelace", "ada@example.com", "Zoë", "a", "O'Neil"] {
            assert!(plain(value), "{value}");
        }
        for value in [
            "", " Ada", "Ada ", "Ada.", ".ada", "\"Ada\"", "Ada;", "a<b", "a>b", "a\nb", "'Ada'",
            "Ada\\", ",Ada", "Ada:",
        ] {
            assert!(!plain(value), "{value:?}");
        }
    }

    #[test]
    fn only_gits_raw_date_is_read_here() {
        assert_eq!(
            object_header_date("@1700000000 +0000"),
            Some((1_700_000_000, 0))
        );
        assert_eq!(
            object_header_date("@1700000000 +0530"),
            Some((1_700_000_000, 330))
        );
        assert_eq!(object_header_date("@0 -0800"), Some((0, -480)));
        for date in [
            "1700000000 +0000",
            "@1700000000",
            "@1700000000 0000",
            "@1700000000 +000",
            "@1700000000 +00000",
            "@1700000000  +0000",
            "@-5 +0000",
            "@17e8 +0000",
            "@1700000000 +0000\n",
            "2023-11-14T22:13:20Z",
            "@1234567890123 +0000",
            "@1 +-123",
        ] {
            assert_eq!(object_header_date(date), None, "{date:?}");
        }
    }
}
