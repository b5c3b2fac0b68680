//! The tracking issue of a release (with `[tracking] enabled = true` and a
//! forge that has issues): `cut` opens it from the template with the
//! schedule's dates; every command adds what it did as edits of it (a tick,
//! a line with its pull request), planned here as one [`Effect::Issue`].
//! The issue is found again by the hidden marker in its body (or its exact
//! title) among every open issue; when nothing would change, nothing is
//! planned, so a re-run neither duplicates the issue nor its lines.
//!
//! STEP 1: tracking enabled, the forge has issues, the issue found.
//! STEP 2: the edits made to its body as it is now: nothing changes (and
//!         nothing closes): no effect. Missing: opened only by a cut.

use crate::adapters::forge::IssueState;
use crate::adapters::fs;
use crate::core::refs::{Names, Review};
use crate::core::schedule::{self, Branch};
use crate::core::tracking::{self, Edit, keys};
use crate::plan::{Effect, IssueEdit, Plan};
use crate::train::Context;
use crate::train::repo::Repo;
use anyhow::Result;
use semver::Version;
use std::collections::BTreeMap;

/// What a command adds to the issue of `version`'s release.
#[derive(Default)]
pub struct Step {
    pub edits: Vec<Edit>,
    /// (an added line's key, the head and base of its pull request).
    pub links: Vec<(String, String, String)>,
    /// Close the issue if the release is done after these edits.
    pub close: bool,
    /// The body to open the issue with when it is missing (a cut's).
    pub open: Option<String>,
}

impl Step {
    /// A line for the pull request `head` → `base`, below the item `under`.
    pub fn link(mut self, under: &str, text: &str, head: &str, base: &str) -> Step {
        let key = format!("pr {head}");
        self.edits.push(Edit::Add {
            key: key.clone(),
            under: under.into(),
            text: text.into(),
            done: false,
        });
        self.links.push((key, head.into(), base.into()));
        self
    }

    /// The line of candidate `rc` (with its pull request, if any), ticked
    /// when `done`.
    pub fn candidate(mut self, rc: &Version, pr: Option<(&str, &str)>, done: bool) -> Step {
        let key = format!("rc {rc}");
        let text = match pr {
            Some(_) => format!("- [?] `{rc}`: {{pr}}"),
            None => format!("- [?] `{rc}`"),
        };
        self.edits.push(Edit::Add {
            key: key.clone(),
            under: keys::CANDIDATES.into(),
            text,
            done,
        });
        if let Some((head, base)) = pr {
            self.links.push((key, head.into(), base.into()));
        }
        self
    }

    pub fn tick(mut self, key: &str) -> Step {
        self.edits.push(Edit::tick(key));
        self
    }
}

/// The release a version belongs to: `X.Y.Z` of `X.Y.Z-rc.N`.
pub fn release_of(v: &Version) -> Version {
    Version::new(v.major, v.minor, v.patch)
}

/// Adds the edit of `release`'s issue to `plan`, if it changes anything.
pub fn add(repo: &Repo, plan: &mut Plan, release: &Version, step: Step) -> Result<()> {
    // STEP 1
    let cfg = &repo.config.tracking;
    if !cfg.enabled {
        return Ok(());
    }
    let v = release.to_string();
    let title = tracking::title(&cfg.title, &v);
    let marker = tracking::issue_marker(&v);
    let (number, body) = match repo.forge()?.find_issue(&title, &marker)? {
        IssueState::Unsupported => return Ok(()),
        IssueState::Found(i) => (Some(i.number), i.body),
        IssueState::Missing => match &step.open {
            Some(b) => (None, b.clone()),
            None => {
                crate::output::say(
                    "Tracking",
                    &format!("no open issue \"{title}\": nothing to tick"),
                );
                return Ok(());
            }
        },
    };
    // STEP 2
    let after = tracking::edit(&body, &step.edits);
    let close = step.close && tracking::is_complete(&after);
    if number.is_some() && after == body && !close {
        return Ok(());
    }
    plan.add(Effect::Issue(IssueEdit {
        title,
        marker,
        number,
        body: step.open.unwrap_or_default(),
        edits: step.edits,
        links: step.links,
        close: step.close,
    }));
    Ok(())
}

/// The body a cut opens `release`'s issue with: the template (the
/// configured file of the workspace `ctx`, else the built-in checklist)
/// filled with the release's names and the schedule's dates.
pub fn new_body(repo: &Repo, ctx: &Context, release: &Version) -> Result<String> {
    let cfg = &repo.config;
    let template = match &cfg.tracking.template {
        Some(p) => fs::read_named(&ctx.root, p, "tracking.template")?.ok_or_else(|| {
            anyhow::anyhow!(
                "tracking.template = {:?} names no file of the workspace; add it or remove the key",
                p.display().to_string()
            )
        })?,
        None => tracking::DEFAULT_TEMPLATE.to_string(),
    };
    let names = Names::of(cfg);
    let cut = repo.today;
    let branch = Branch {
        version: release.clone(),
        cut_on: Some(cut),
        released: false,
        release_pending: false,
    };
    let release_day = schedule::release_day_of(&branch, repo.today, cfg);
    let vars: BTreeMap<&str, String> = [
        ("version", release.to_string()),
        ("project", super::project_name(ctx)),
        ("branch", names.release_branch(release).to_string()),
        ("main", cfg.main_branch.clone()),
        ("tag", names.tag(release).to_string()),
        ("cut_date", cut.to_string()),
        ("release_date", release_day.to_string()),
    ]
    .into_iter()
    .collect();
    Ok(tracking::new_body(&release.to_string(), &template, &vars))
}

/// The head of a candidate's review branch.
pub fn candidate_head(rc: &Version) -> String {
    Review::Candidate(rc.clone()).branch().to_string()
}
