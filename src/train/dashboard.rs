//! `cargo train dashboard --out DIR`: one static HTML page for the release
//! manager, `DIR/index.html`, from the train's own reports.
//!
//! STEP 1: `status`: the branches supported on the day and their versions,
//!         what is due, the patch sets not tagged yet.
//! STEP 2: `timetable`: every line's dates, for the chart and its table.
//! STEP 3: the last release (the highest final tag): its crates, read from
//!         its tag, asked of the registry's index. A registry that cannot
//!         be read makes that section "unknown", with the reason, never a
//!         failed page.
//! STEP 4: the open release pull requests, where the forge keeps them;
//!         likewise "unknown" when the forge cannot be asked.
//! STEP 5: each supported branch's Cargo.lock against the RustSec database,
//!         as `advisories --supported` reads them; no database (none
//!         cached and the fetch failed, a `db` that is not there) is said
//!         on the page.
//! STEP 6: the page ([`crate::core::dashboard`]), written as a plan's
//!         effects: DIR made if missing, the file in it (unchanged bytes
//!         are no change), so that `--dry-run` writes nothing.
//!
//! It reads what was fetched last, like `status`: the page is the same for
//! the same repository, database and `--date`.

use crate::core::changeset::ChangeSet;
use crate::core::config::ForgeKind;
use crate::core::dashboard::{
    AdvisoryState, Branch, BranchAdvisories, Checked, CrateState, Dashboard, Due, Line, Member,
    PatchSet, Policy, PublishState, PullRequest, Pulls,
};
use crate::core::redact;
use crate::core::refs::Review;
use crate::plan::{Effect, Files, Plan};
use crate::train::repo::Repo;
use crate::train::status::{MemberState, Status};
use crate::train::timetable::{Timetable, TimetableOpts};
use crate::train::{
    Context, Options, advisories, publish, registry_auth, snapshot, status, timetable,
};
use anyhow::Result;
use semver::Version;
use std::path::PathBuf;
use std::time::Duration;

pub struct DashboardOpts {
    /// The directory the page goes to (made if missing).
    pub out: PathBuf,
    /// Months of the timetable, as `timetable --months`.
    pub months: u32,
}

/// The file the page is.
pub const PAGE: &str = "index.html";

/// How long the registry's answers may take, retries included: a slow
/// registry makes a section unknown, not a page that never comes.
const INDEX_BUDGET: Duration = Duration::from_secs(30);

pub fn plan(ctx: &Context, repo: &Repo, opts: &Options, o: &DashboardOpts) -> Result<Plan> {
    let page = read(ctx, repo, opts, o.months)?;
    // STEP 6
    let html = page.html(env!("CARGO_PKG_VERSION"));
    let path = o.out.join(PAGE);
    let existing = crate::adapters::fs::read_optional(&path)?;
    let mut changes = ChangeSet::default();
    changes.set(PAGE, existing, html);
    let mut plan = Plan::default();
    if changes.is_empty() {
        crate::output::say(
            "Dashboard",
            &format!("{} is up to date: nothing to write", path.display()),
        );
        return Ok(plan);
    }
    if !o.out.is_dir() {
        plan.add(Effect::CreateDir(o.out.clone()));
    }
    plan.add(Effect::Files(Files {
        root: o.out.clone(),
        changes,
        hooks: Vec::new(),
        relock: false,
    }));
    plan.then_say("Wrote", format!("the dashboard, {}", path.display()));
    Ok(plan)
}

/// What the page shows, read from the repository, its registry, its forge
/// and the advisory database.
pub fn read(ctx: &Context, repo: &Repo, opts: &Options, months: u32) -> Result<Dashboard> {
    // STEP 1, STEP 2
    let status = status::status(repo)?;
    let timetable = timetable::run(repo, &TimetableOpts { months, all: false })?;
    // STEP 3, STEP 4, STEP 5
    let publish = publish_state(ctx, repo, opts)?;
    let pulls = release_pulls(repo);
    let advisories = advisory_state(repo);
    Ok(view(
        crate::train::project_name(ctx),
        &status,
        &timetable,
        publish,
        pulls,
        advisories,
    ))
}

/// The reports as the page's data.
fn view(
    project: String,
    s: &Status,
    t: &Timetable,
    publish: PublishState,
    pulls: Pulls,
    advisories: AdvisoryState,
) -> Dashboard {
    let p = &t.policy;
    Dashboard {
        project,
        date: s.due.date,
        main_branch: s.main_branch.clone(),
        main_version: s.main_version.to_string(),
        branches: s
            .branches
            .iter()
            .map(|b| Branch {
                name: b.branch.clone(),
                version: b.version.as_ref().map(Version::to_string),
                state: b.state.as_ref().map(|st| st.to_string()),
                latest_tag: b.latest_tag.clone(),
            })
            .collect(),
        unreadable: s
            .unreadable
            .iter()
            .map(|u| (u.branch.clone(), u.error.clone()))
            .collect(),
        hidden: s.hidden,
        policy: Policy {
            lts_every: p.lts_every,
            lts_from: p.lts_from,
            lts: p.lts.clone(),
            lts_months: p.lts_months,
            months: p.months,
        },
        lines: t
            .versions
            .iter()
            .map(|e| Line {
                branch: e.branch.clone(),
                version: e.version.to_string(),
                lts: e.lts,
                state: e.state,
                branched: e.branch_date,
                released: e.release_date,
                end_of_life: e.end_of_life,
            })
            .collect(),
        due: Due {
            due: s
                .due
                .due
                .iter()
                .map(|a| (a.action.to_string(), a.reason.clone()))
                .collect(),
            next: s
                .due
                .next
                .as_ref()
                .map(|n| (n.action.to_string(), n.date, n.reason.clone())),
            freeze: s
                .due
                .freeze
                .as_ref()
                .map(|f| (f.branch.clone(), f.from, f.until)),
        },
        patch_sets: s
            .patch_sets
            .iter()
            .map(|set| PatchSet {
                members: set
                    .members
                    .iter()
                    .map(|m| Member {
                        tag: m.tag.clone(),
                        state: m.state.to_string(),
                        done: matches!(m.state, MemberState::Tagged | MemberState::Merged),
                    })
                    .collect(),
                since: set.since,
                too_long: set.too_long,
                bound: set.bound,
            })
            .collect(),
        publish,
        pulls,
        advisories,
    }
}

/// STEP 3: the highest final release tag, and where its crates stand in
/// the configured registry's index.
fn publish_state(ctx: &Context, repo: &Repo, opts: &Options) -> Result<PublishState> {
    let names = repo.names();
    let refs = repo.read_refs()?;
    let last = refs
        .tags
        .iter()
        .filter_map(|(t, oid)| Some((names.parse_tag(t)?, t, oid)))
        .filter(|(v, _, _)| v.pre.is_empty())
        .max_by(|a, b| a.0.cmp(&b.0));
    let Some((_, tag, oid)) = last else {
        return Ok(PublishState::NoRelease);
    };
    let registry = ctx.config.publish.registry.clone();
    let unknown = |reason: String| PublishState::Unknown {
        tag: tag.clone(),
        registry: registry.clone(),
        reason: redact::text(&reason).into_owned(),
    };
    // The crates as the release had them: a crate added or renamed since
    // is not the release's.
    let crates = match snapshot::at(repo, oid.as_str(), opts)
        .and_then(|s| publish::crates_to(&s.ctx, &registry))
    {
        Ok(c) => c,
        Err(e) => {
            return Ok(unknown(format!(
                "the workspace at {tag} cannot be read: {e:#}"
            )));
        }
    };
    let reg = match registry_auth::open(ctx, &registry) {
        Ok(r) => r,
        Err(e) => return Ok(unknown(format!("{e:#}"))),
    };
    let crate_names: Vec<String> = crates.iter().map(|(n, _)| n.clone()).collect();
    let found = publish::index_entries(&reg, &crate_names, INDEX_BUDGET);
    Ok(PublishState::Read {
        tag: tag.clone(),
        registry,
        crates: crates
            .into_iter()
            .zip(found)
            .map(|((name, version), listed)| CrateState {
                in_index: listed
                    .map(|l: Vec<Version>| l.contains(&version))
                    .map_err(|e| redact::text(&e.to_string()).into_owned()),
                name,
                version: version.to_string(),
            })
            .collect(),
    })
}

/// STEP 4: the open pull requests from the train's review branches
/// (`ci/…`), lowest number first.
fn release_pulls(repo: &Repo) -> Pulls {
    let forge = match repo.config.forge {
        ForgeKind::None => "none",
        ForgeKind::DryRun => "dry-run",
        ForgeKind::Github => "GitHub",
        ForgeKind::Forgejo => "Forgejo",
        ForgeKind::Gitlab => "GitLab",
    }
    .to_string();
    match repo.forge().and_then(|f| f.open_pull_requests()) {
        Ok(None) => Pulls::NotKept { forge },
        Ok(Some(all)) => {
            let mut pulls: Vec<PullRequest> = all
                .into_iter()
                .filter(|p| Review::parse(&p.head).is_some())
                .map(|p| PullRequest {
                    number: p.number,
                    title: p.title,
                    head: p.head,
                    base: p.base,
                    url: p.url,
                })
                .collect();
            pulls.sort_by_key(|p| p.number);
            Pulls::Listed {
                site: site(repo),
                forge,
                pulls,
            }
        }
        Err(e) => Pulls::Unknown {
            forge,
            reason: redact::text(&format!("{e:#}")).into_owned(),
        },
    }
}

/// The configured forge's site: the only place the page links to.
fn site(repo: &Repo) -> Option<String> {
    let c = &repo.config;
    match c.forge {
        ForgeKind::Github => Some(c.github.site()),
        ForgeKind::Forgejo => c.forgejo.url.clone(),
        ForgeKind::Gitlab => Some(c.gitlab.url.clone()),
        ForgeKind::None | ForgeKind::DryRun => None,
    }
}

/// STEP 5: the supported branches against the advisory database, as the
/// remote has them; no database is a state of the page, not an error.
fn advisory_state(repo: &Repo) -> AdvisoryState {
    let unavailable = |e: anyhow::Error| AdvisoryState::Unavailable {
        reason: redact::text(&format!("{e:#}")).into_owned(),
    };
    let branches = match timetable::supported(repo) {
        Ok(b) => b,
        Err(e) => return unavailable(e),
    };
    let db = match advisories::load(repo) {
        Ok(db) => db,
        Err(e) => return unavailable(e),
    };
    let index = db.index();
    let about = &db.about;
    let database = format!(
        "Checked against the RustSec advisory database {} ({} advisor{}{}), {} {}.",
        about
            .date
            .as_deref()
            .map_or("of unknown age".to_string(), |d| format!("of {d}")),
        about.advisories,
        if about.advisories == 1 { "y" } else { "ies" },
        about
            .commit
            .as_deref()
            .map_or(String::new(), |c| format!(", commit {c}")),
        match about.fetch {
            "local" => "the local clone",
            "cloned" => "cloned from",
            "fetched" => "fetched from",
            _ => "cached from",
        },
        redact::text(&about.source)
    );
    let branches = branches
        .into_iter()
        .map(|b| {
            let result = repo
                .remote_branch(&b)
                .and_then(|tip| {
                    let tip = tip
                        .ok_or_else(|| anyhow::anyhow!("`{}/{b}` does not exist", repo.remote()))?;
                    advisories::at(repo, &index, &b, tip.as_str())
                })
                .map(|r| Checked {
                    lock: r.lock,
                    dependencies: r.dependencies,
                    findings: r.findings,
                })
                .map_err(|e| redact::text(&format!("{e:#}")).into_owned());
            BranchAdvisories { branch: b, result }
        })
        .collect();
    AdvisoryState::Checked {
        database,
        warning: about.warning.clone(),
        branches,
    }
}
