//! `cargo train tag --range BEFORE..AFTER`: after a push to a release
//! branch (and its CI), tag the release commit.
//!
//! STEP 1: fetch. STEP 2: nothing to do unless a commit of the pushed range
//! carries the marker. STEP 3: the tag is `<prefix><version at AFTER>`; if it
//! exists it must be at AFTER (then nothing to do). STEP 4: a release commit
//! of a patch set (`Patch-set:` trailer) is tagged only with the whole set:
//! until every member's release commit is on its branch, the tag is held
//! (not an error: the last member's push tags them all). STEP 5: once the
//! checks of every member on the forge passed (a forge without checks has
//! none to wait for), the forge creates the tags; then they are made locally.
//! STEP 6: the tag ticked in its release's tracking issue (also when it
//! existed already: an earlier run may have stopped before).

use crate::adapters::forge::Forge;
use crate::core::marker::Marker;
use crate::core::patch_set::{Member, PatchSet, TRAILER, Verdict, branch_of, verdict};
use crate::core::refs::{CommitId, Names, short};
use crate::core::release_commit::ReleaseCommit;
use crate::plan::{Plan, Rev};
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};
use semver::Version;

/// The tags to make for the pushed `range` (none: nothing to tag, or held
/// for the rest of a patch set). `wait`: how long to wait for pending
/// checks before giving up.
pub fn plan(repo: &Repo, range: &str, wait: std::time::Duration) -> Result<Plan> {
    // STEP 1
    repo.fetch()?;
    let (scanned, after) = pushed(repo, range)?;
    // STEP 2
    let Some((release, message)) = release_commit(repo, &scanned)? else {
        crate::output::say(
            "Tag",
            &format!(
                "nothing to do: no commit in {range} asks for a release (a release commit \
                 `Release <project> <version>` with the marker as a line of its own)"
            ),
        );
        return Ok(Plan::default());
    };
    // STEP 3
    let version = repo.version_at(&after)?;
    require_releasable(repo, range, &release, &version, &after)?;
    let name = Names::of(&repo.config).tag(&version);
    if tagged_already(repo, &name, &after)? {
        let mut plan = Plan::default();
        track(repo, &mut plan, &version)?;
        return Ok(plan);
    }
    // STEP 4, 5
    let set = patch_set(repo, range, &message, &version, &after)?;
    require_possible(repo, range, &set, &version)?;
    let pushed = Pushed {
        name: &name,
        set: &set,
        version: &version,
        after: &after,
    };
    let until = std::time::Instant::now() + wait;
    loop {
        if let Some(mut plan) = pushed.tags_once_checked(repo, until)? {
            // STEP 6
            if !plan.is_empty() {
                track(repo, &mut plan, &version)?;
            }
            return Ok(plan);
        }
    }
}

/// STEP 6: the tag in its release's tracking issue: a candidate's line
/// ticked, or for the release the merged pull request and the tag.
fn track(repo: &Repo, plan: &mut Plan, version: &Version) -> Result<()> {
    use crate::core::tracking::keys;
    use crate::train::tracking::{Step, add, release_of};
    let step = if version.pre.is_empty() {
        Step::default()
            .tick(keys::CANDIDATES)
            .tick(keys::FUZZING)
            .tick(keys::RELEASE_PR)
            .tick(keys::TAG)
    } else {
        Step::default().candidate(version, None, true)
    };
    add(repo, plan, &release_of(version), step)
}

/// The newest release commit among `scanned`, and its message: one the
/// train made (see [`ReleaseCommit`]), not any that quotes the marker.
fn release_commit(repo: &Repo, scanned: &str) -> Result<Option<(ReleaseCommit, String)>> {
    let marker = Marker::of(&repo.config);
    Ok(repo
        .git
        .messages_mentioning(scanned, marker.text())?
        .into_iter()
        .find_map(|m| ReleaseCommit::parse(&m, &marker).map(|r| (r, m))))
}

/// Only a release commit of the version at `after`, on a release branch,
/// is tagged: never a development version, never a commit of `main`.
fn require_releasable(
    repo: &Repo,
    range: &str,
    release: &ReleaseCommit,
    version: &Version,
    after: &CommitId,
) -> Result<()> {
    if version.pre.as_str() == "dev" {
        bail!(
            "not tagging: {} is at {version}, a development version, which is never tagged or \
             released; a release commit goes onto a release branch (`cargo train rc`, `release` \
             or `patch` make one)",
            after.short()
        );
    }
    if release.version != *version {
        bail!(
            "not tagging: the release commit in {range} releases {}, but {} is at {version}; \
             push the release commit as the branch's newest change",
            release.version,
            after.short()
        );
    }
    let names = repo.names();
    let remote = format!("refs/remotes/{}/", repo.remote());
    let on_branch = repo
        .git
        .refs_containing(after, &remote)?
        .iter()
        .any(|b| names.parse_release_branch(b).is_some());
    if !on_branch {
        bail!(
            "not tagging: {} is on no release branch of `{}` (`{}`); releases are tagged on \
             their release branch",
            after.short(),
            repo.remote(),
            names.release_branch_form()
        );
    }
    Ok(())
}

/// The commits of the pushed `range` to look at, and the one pushed last.
/// A new branch has no "before": only its newest commit is looked at.
fn pushed(repo: &Repo, range: &str) -> Result<(String, CommitId)> {
    let (before, after) = range
        .split_once("..")
        .map(|(b, a)| (b, a.trim_start_matches('.')))
        .context("--range takes BEFORE..AFTER (the commits before and after the push)")?;
    let after_oid = repo
        .git
        .resolve(after)?
        .with_context(|| format!("`{after}` is not a commit here"))?;
    let scanned = if before.is_empty() || before.bytes().all(|b| b == b'0') {
        format!("{after_oid}^!")
    } else {
        let b = repo
            .git
            .resolve(before)?
            .with_context(|| format!("`{before}` is not a commit here"))?;
        format!("{b}..{after_oid}")
    };
    Ok((scanned, after_oid))
}

/// Whether the tag `name` exists at `after` (nothing to do); one at
/// another commit is an error, never moved.
fn tagged_already(repo: &Repo, name: &str, after: &str) -> Result<bool> {
    let Some(at) = repo.tag(name)? else {
        return Ok(false);
    };
    if at != after {
        bail!(
            "`{name}` already exists at {at}, not at {after}; a released version is never re-tagged"
        );
    }
    crate::output::say(
        "Tag",
        &format!("nothing to do: `{name}` already tags {}", short(after)),
    );
    Ok(true)
}

/// The set the release commit's `Patch-set:` trailer names (which must hold
/// `version`), or `version` alone.
fn patch_set(
    repo: &Repo,
    range: &str,
    release: &str,
    version: &Version,
    after: &str,
) -> Result<PatchSet> {
    let names = repo.names();
    Ok(match PatchSet::parse(release, &names) {
        None => PatchSet::new(vec![version.clone()]),
        Some(Ok(set)) if set.versions.contains(version) => set,
        Some(Ok(set)) => bail!(
            "the release commit in {range} names the patch set {}, which does not hold {version} \
             (the version at {}); fix the commit's `{TRAILER}:` trailer",
            set.describe(&names),
            short(after)
        ),
        Some(Err(e)) => bail!("the release commit in {range}: {e}"),
    })
}

/// Every other member of `set` can still be made: its release branch
/// exists and has not gone past it. A member that cannot would hold the
/// set's tags for ever.
fn require_possible(repo: &Repo, range: &str, set: &PatchSet, version: &Version) -> Result<()> {
    let names = repo.names();
    for v in set.versions.iter().filter(|v| *v != version) {
        let tag = names.tag(v);
        if repo.tag(&tag)?.is_some() {
            continue;
        }
        let branch = branch_of(&names, v);
        let why = match repo.remote_branch(&branch)? {
            None => format!(
                "its release branch `{branch}` does not exist on `{}`",
                repo.remote()
            ),
            Some(tip) => match repo.version_at(&tip)? {
                at if at > *v => format!("`{branch}` is at {at}, past it, and it was never tagged"),
                _ => continue,
            },
        };
        bail!(
            "not tagging: the release commit in {range} names the patch set {}, whose member \
             `{tag}` can never be released: {why}; fix the commit's `{TRAILER}:` trailer (or make \
             the set again with `cargo train patch --supported`)",
            set.describe(&names)
        );
    }
    Ok(())
}

/// A pushed release commit and the set it belongs to.
struct Pushed<'a> {
    /// The tag of the version pushed.
    name: &'a str,
    set: &'a PatchSet,
    version: &'a Version,
    /// Where it landed.
    after: &'a str,
}

impl Pushed<'_> {
    /// One look at every member: the tags to make once all are merged and
    /// green (`Some`, empty while the set waits for a member to merge);
    /// `None` after waiting a while for pending checks (look again).
    fn tags_once_checked(&self, repo: &Repo, until: std::time::Instant) -> Result<Option<Plan>> {
        let names = repo.names();
        let (name, set) = (self.name, self.set);
        let members = members(repo, repo.forge()?, set, self.version, self.after)?;
        match verdict(&members) {
            Verdict::TagAll(tags) => {
                let mut plan = Plan::default();
                for (v, at) in &tags {
                    let tag = names.tag(v);
                    if repo.tag(&tag)?.is_none() {
                        plan.tag(&tag, Rev::at(at, branch_of(&names, v)));
                    }
                }
                Ok(Some(plan))
            }
            Verdict::Hold(missing) => {
                let waits: Vec<String> = missing
                    .iter()
                    .map(|v| format!("{} ({v} not merged yet)", branch_of(&names, v)))
                    .collect();
                crate::output::say(
                    "Holding",
                    &format!(
                        "`{name}`: the patch set {} is tagged once every member is merged and passed CI; \
                         it waits for {}",
                        set.describe(&names),
                        waits.join(", ")
                    ),
                );
                Ok(Some(Plan::default()))
            }
            Verdict::Wait(pending) if std::time::Instant::now() < until => {
                crate::output::say(
                    "Waiting",
                    &format!("for checks {}", checks_of(&names, &members, &pending)),
                );
                crate::signals::sleep(
                    std::time::Duration::from_secs(20).min(until - std::time::Instant::now()),
                    || {
                        format!(
                            "while waiting for the checks of {}; nothing was tagged",
                            set.describe(&names)
                        )
                    },
                )?;
                Ok(None)
            }
            Verdict::Wait(pending) => bail!(
                "not tagging `{name}` yet: checks still pending {}",
                checks_of(&names, &members, &pending)
            ),
            Verdict::Failed(failed) => bail!(
                "not tagging `{name}`: checks failed {}",
                checks_of(&names, &members, &failed)
            ),
        }
    }
}

/// `on 0123456789: ci, lint` for a lone release; for each member of a set
/// `v1.0.1 on release-1.0.0 at 0123456789: ci, lint`.
fn checks_of(
    names: &Names,
    members: &[(Version, Member)],
    list: &[(Version, Vec<String>)],
) -> String {
    let at = |v: &Version| {
        members.iter().find_map(|(mv, m)| match m {
            Member::Merged { at, .. } if mv == v => Some(short(at).to_string()),
            _ => None,
        })
    };
    list.iter()
        .map(|(v, n)| {
            let at = at(v).unwrap_or_default();
            if members.len() == 1 {
                format!("on {at}: {}", n.join(", "))
            } else {
                format!(
                    "{} on {} at {at}: {}",
                    names.tag(v),
                    branch_of(names, v),
                    n.join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every member's state; `version` is the one pushed, landed at `after`.
fn members(
    repo: &Repo,
    forge: &dyn Forge,
    set: &PatchSet,
    version: &Version,
    after: &str,
) -> Result<Vec<(Version, Member)>> {
    let names = repo.names();
    let mut out = Vec::new();
    for v in &set.versions {
        let at = if v == version {
            Some(after.to_string())
        } else if repo.tag(&names.tag(v))?.is_some() {
            out.push((v.clone(), Member::Tagged));
            continue;
        } else {
            landed(repo, &branch_of(&names, v), v, &set.trailer(&names))?
        };
        let member = match at {
            None => Member::NotMerged,
            Some(at) => {
                let checks = forge.checks(&at)?;
                Member::Merged { at, checks }
            }
        };
        out.push((v.clone(), member));
    }
    Ok(out)
}

/// Where member `v`'s release commit (the one with `trailer`) landed on
/// `branch`: the first commit of the branch's own line (first parents)
/// that holds it, i.e. the commit itself or the merge that brought it.
fn landed(repo: &Repo, branch: &str, v: &Version, trailer: &str) -> Result<Option<String>> {
    let Some(tip) = repo.remote_branch(branch)? else {
        return Ok(None);
    };
    // Release commits are never on main: the search stops where the
    // branch left it, however long the shared history.
    let main = repo.remote_branch(&repo.config.main_branch)?;
    let texts = [trailer, Marker::of(&repo.config).text()];
    let Some(release) = repo
        .git
        .newest_mentioning_all(&tip, main.as_deref(), &texts)?
    else {
        return Ok(None);
    };
    for c in repo.git.first_parent_line_since(&tip, &release)? {
        if repo.git.is_ancestor(&release, &c)? {
            // The release commit of another version carrying the same
            // trailer would be a hand-made mix-up: the version must match.
            return Ok((repo.version_at(&c)? == *v).then(|| c.to_string()));
        }
    }
    Ok(None)
}
