//! Which branch of a remote a push of a local branch deploys to, learned
//! once from what git and the site's remote-tracking refs say, and used by
//! every command that names a push (`reset`, `status`, `doctor`), so that
//! they all name the push that deploys: `git push azure main:master` where
//! the site deploys `master`, never a `git push azure main` that would make
//! a stray `main` there.
//!
//! git's own rules (git-push(1), "<refspec>"; git-config(1), `push.default`,
//! `remote.<name>.push`, `branch.<name>.merge`): a refspec without `:<dst>`
//! updates what `remote.<name>.push` maps its source to, else the same name;
//! `push.default = upstream` sends a plain `git push` to the branch's
//! upstream. The site's remote-tracking refs say which of the deploying
//! branches it has.

use crate::repo::Repo;

/// Why a push goes to the branch it goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// `remote.<name>.push` maps the local branch there: `git push <remote>
    /// <branch>` already goes there.
    Refspec,
    /// The local branch's upstream on that remote (`branch.<b>.merge`).
    Upstream,
    /// The site has that deploying branch (a remote-tracking ref), and not
    /// one named like the local branch.
    Deployed,
    /// Nothing else is known: git's default, the same name.
    SameName,
}

/// Where a push of one local branch to one remote goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub remote: String,
    /// The local branch, short (`main`).
    pub local: String,
    /// The remote branch, short (`master`).
    pub branch: String,
    pub why: Why,
}

impl Target {
    /// The command that makes this push: `git push azure main:master`, or
    /// `git push azure main` where the names agree or `remote.azure.push`
    /// maps them.
    pub fn command(&self) -> String {
        if self.branch == self.local || self.why == Why::Refspec {
            format!("git push {} {}", self.remote, self.local)
        } else {
            format!("git push {} {}:{}", self.remote, self.local, self.branch)
        }
    }
}

/// What git's config says about pushing one local branch to one remote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushConfig {
    /// `remote.<remote>.push`, in order.
    pub refspecs: Vec<String>,
    /// `branch.<local>.pushRemote`, else `remote.pushDefault`, else
    /// `branch.<local>.remote`: the remote the branch pushes to.
    pub branch_remote: Option<String>,
    /// `branch.<local>.merge` (`refs/heads/master`).
    pub merge: Option<String>,
}

/// The destination `remote.<name>.push` gives `refs/heads/<local>`: an
/// exact `src:dst`, or a `refs/heads/*:refs/heads/*`-style pattern (a
/// leading `+` forces, and changes nothing here). The first match wins, as
/// in git.
pub fn mapped(refspecs: &[String], local: &str) -> Option<String> {
    let source = format!("refs/heads/{local}");
    refspecs.iter().find_map(|spec| {
        let spec = spec.strip_prefix('+').unwrap_or(spec);
        let (src, dst) = spec.split_once(':')?;
        let dst = match (src.split_once('*'), dst.split_once('*')) {
            (Some((src_head, src_tail)), Some((dst_head, dst_tail))) => {
                let middle = source.strip_prefix(src_head)?.strip_suffix(src_tail)?;
                format!("{dst_head}{middle}{dst_tail}")
            }
            (None, None) if src == source || src == local => dst.to_string(),
            _ => return None,
        };
        Some(dst.strip_prefix("refs/heads/").unwrap_or(&dst).to_string())
    })
}

/// Where a push of `local` to `remote` deploys: `remote.<remote>.push`'s
/// mapping; else the branch's upstream there when that branch deploys; else
/// the local name when the site has it or it is not a deploying branch's
/// name; else the first deploying branch the site has (README: `git push
/// azure main:master`); else the same name.
/// `tracked` tells whether the site has a branch (its remote-tracking ref).
pub fn target(
    remote: &str,
    local: &str,
    config: &PushConfig,
    deploying: &[String],
    tracked: &dyn Fn(&str) -> bool,
) -> Target {
    let at = |branch: String, why: Why| Target {
        remote: remote.to_string(),
        local: local.to_string(),
        branch,
        why,
    };
    if let Some(branch) = mapped(&config.refspecs, local) {
        return at(branch, Why::Refspec);
    }
    let upstream = config
        .merge
        .as_deref()
        .and_then(|merge| merge.strip_prefix("refs/heads/"))
        .filter(|_| config.branch_remote.as_deref() == Some(remote))
        .filter(|branch| deploying.iter().any(|d| d == branch));
    if let Some(branch) = upstream {
        return at(branch.to_string(), Why::Upstream);
    }
    // A branch of its own (a feature branch) goes to its own name; one named
    // like a deploying branch goes to the deploying branch the site has.
    let deploys = deploying.iter().any(|d| d == local);
    if tracked(local) || !deploys {
        return at(local.to_string(), Why::SameName);
    }
    if let Some(branch) = deploying.iter().find(|branch| tracked(branch)) {
        return at(branch.clone(), Why::Deployed);
    }
    at(local.to_string(), Why::SameName)
}

/// [`target`] with what `repo` says.
pub fn of(repo: &Repo, remote: &str, local: &str, deploying: &[String]) -> Target {
    let config = PushConfig {
        refspecs: repo.config_values(&format!("remote.{remote}.push")),
        branch_remote: repo
            .config_value(&format!("branch.{local}.pushRemote"))
            .or_else(|| repo.config_value("remote.pushDefault"))
            .or_else(|| repo.config_value(&format!("branch.{local}.remote"))),
        merge: repo.config_value(&format!("branch.{local}.merge")),
    };
    let tracked = |branch: &str| repo.tracking_ref(remote, branch).ok().flatten().is_some();
    target(remote, local, &config, deploying, &tracked)
}

/// Where an explicit refspec without `:<dst>` (`git push azure main`)
/// goes: `remote.<remote>.push`'s mapping, else the same name.
pub fn of_refspec(repo: &Repo, remote: &str, local: &str) -> String {
    mapped(&repo.config_values(&format!("remote.{remote}.push")), local)
        .unwrap_or_else(|| local.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branches() -> Vec<String> {
        vec!["master".to_string(), "main".to_string()]
    }

    #[test]
    fn refspecs_map_as_git_maps_them() {
        let specs = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            mapped(&specs(&["refs/heads/main:refs/heads/master"]), "main").as_deref(),
            Some("master")
        );
        assert_eq!(
            mapped(&specs(&["+main:master"]), "main").as_deref(),
            Some("master")
        );
        assert_eq!(
            mapped(&specs(&["refs/heads/*:refs/heads/deploy/*"]), "main").as_deref(),
            Some("deploy/main")
        );
        assert_eq!(mapped(&specs(&["refs/heads/x:refs/heads/y"]), "main"), None);
        assert_eq!(mapped(&specs(&["refs/heads/main"]), "main"), None);
    }

    #[test]
    fn the_deploying_branch_and_the_command() {
        let none = PushConfig::default();
        let has = |names: &'static [&'static str]| move |b: &str| names.contains(&b);
        // After `git push azure main:master` the site has master only.
        let t = target("azure", "main", &none, &branches(), &has(&["master"]));
        assert_eq!((t.branch.as_str(), t.why), ("master", Why::Deployed));
        assert_eq!(t.command(), "git push azure main:master");
        // The site has main: git's default.
        let t = target(
            "azure",
            "main",
            &none,
            &branches(),
            &has(&["main", "master"]),
        );
        assert_eq!(t.command(), "git push azure main");
        // A feature branch goes to its own name, which does not deploy.
        let t = target("azure", "dev", &none, &branches(), &has(&["master"]));
        assert_eq!(t.command(), "git push azure dev");
        // Nothing deployed yet: the same name.
        let t = target("azure", "main", &none, &branches(), &has(&[]));
        assert_eq!((t.branch.as_str(), t.why), ("main", Why::SameName));
        // remote.azure.push maps it: a plain `git push azure main` deploys.
        let mapped = PushConfig {
            refspecs: vec!["refs/heads/main:refs/heads/master".into()],
            ..PushConfig::default()
        };
        let t = target("azure", "main", &mapped, &branches(), &has(&[]));
        assert_eq!((t.branch.as_str(), t.why), ("master", Why::Refspec));
        assert_eq!(t.command(), "git push azure main");
        // The upstream on that remote, when it deploys.
        let upstream = PushConfig {
            branch_remote: Some("azure".into()),
            merge: Some("refs/heads/master".into()),
            ..PushConfig::default()
        };
        let t = target("azure", "main", &upstream, &branches(), &has(&[]));
        assert_eq!(t.command(), "git push azure main:master");
        let elsewhere = PushConfig {
            branch_remote: Some("origin".into()),
            ..upstream
        };
        let t = target("azure", "main", &elsewhere, &branches(), &has(&[]));
        assert_eq!(t.command(), "git push azure main");
    }
}
