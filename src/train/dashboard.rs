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
//! STEP 5: the page ([`page`]), written as a plan's one effect: the file
//!         in DIR (unchanged bytes are no change).
//!
//! It reads what was fetched last, like `status`: the page is the same for
//! the same repository and `--date`.

pub mod page;

use crate::adapters::forge::OpenPullRequest;
use crate::core::changeset::ChangeSet;
use crate::core::config::ForgeKind;
use crate::core::redact;
use crate::core::refs::Review;
use crate::plan::{Effect, Files, Plan};
use crate::train::repo::Repo;
use crate::train::timetable::TimetableOpts;
use crate::train::{Context, Options, publish, registry_auth, snapshot, status, timetable};
use anyhow::Result;
use page::{CrateState, Page, PublishState, Pulls};
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
    // STEP 1, STEP 2
    let status = status::status(repo)?;
    let timetable = timetable::run(
        repo,
        &TimetableOpts {
            months: o.months,
            all: false,
        },
    )?;
    // STEP 3, STEP 4
    let publish = publish_state(ctx, repo, opts)?;
    let pulls = release_pulls(repo);
    // STEP 5
    let project = crate::train::project_name(ctx);
    let html = Page {
        project: &project,
        status: &status,
        timetable: &timetable,
        publish: &publish,
        pulls: &pulls,
        advisories: None,
    }
    .html();
    let existing = crate::adapters::fs::read_optional(&o.out.join(PAGE))?;
    let mut changes = ChangeSet::default();
    changes.set(PAGE, existing, html);
    let mut plan = Plan::default();
    let path = o.out.join(PAGE);
    if changes.is_empty() {
        crate::output::say(
            "Dashboard",
            &format!("{} is up to date: nothing to write", path.display()),
        );
        return Ok(plan);
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
    let forge_name = match repo.config.forge {
        ForgeKind::None => "none",
        ForgeKind::DryRun => "dry-run",
        ForgeKind::Github => "GitHub",
        ForgeKind::Forgejo => "Forgejo",
        ForgeKind::Gitlab => "GitLab",
    }
    .to_string();
    let listed = repo.forge().and_then(|f| f.open_pull_requests());
    match listed {
        Ok(None) => Pulls::NotKept { forge: forge_name },
        Ok(Some(all)) => {
            let mut pulls: Vec<OpenPullRequest> = all
                .into_iter()
                .filter(|p| Review::parse(&p.head).is_some())
                .collect();
            pulls.sort_by_key(|p| p.number);
            Pulls::Listed {
                site: site(repo),
                forge: forge_name,
                pulls,
            }
        }
        Err(e) => Pulls::Unknown {
            forge: forge_name,
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
