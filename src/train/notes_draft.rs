//! `cargo train notes --draft`: the notes of the next release drafted from
//! history, printed, or merged into the notes through a plan (`--write`);
//! and the same entries for `cut` when `notes.draft = true`.
//!
//! STEP 1: where the release starts: `--since`, else the last release (the
//!         newest final tag the tip reaches, or where the tip left the
//!         newest older release branch, whichever is later); per crate for
//!         an independent workspace (its newest own tag).
//! STEP 2: the commits since then (a crate's: those touching its
//!         directory), and the pull requests that merged them when the
//!         forge can say.
//! STEP 3: `core::notes_draft` sorts them under the template's headings.
//! STEP 4: with `--write`, the entries not listed yet go into RELEASES.md's
//!         first section (lockstep) or each crate's CHANGELOG.md
//!         (`## [Unreleased]`), as one `Files` effect.

use crate::core::changeset::ChangeSet;
use crate::core::config::Model;
use crate::core::marker::Marker;
use crate::core::notes_draft::{self, Draft, Entry, Rules};
use crate::core::refs::CrateTags;
use crate::core::release_commit::ReleaseCommit;
use crate::core::{selection, semver_scope};
use crate::plan::{self, Effect, Plan};
use crate::train::Context;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};
use semver::Version;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

pub struct DraftOpts {
    /// Where the release starts; `None`: its last release.
    pub since: Option<String>,
    /// The release's tip.
    pub at: String,
}

/// One file's draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The notes file the entries belong in.
    pub file: PathBuf,
    /// The crate, for an independent workspace.
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<String>,
    /// Where the range starts (`None`: the whole history).
    pub since: Option<String>,
    pub commits: usize,
    pub pulls: usize,
    pub entries: Vec<Entry>,
    /// The entries as Markdown.
    pub text: String,
    #[serde(skip)]
    draft: Draft,
}

/// `cargo train notes --draft`'s report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drafted {
    pub parts: Vec<Part>,
}

impl fmt::Display for Drafted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let several = self.parts.iter().any(|p| p.krate.is_some());
        for (i, p) in self
            .parts
            .iter()
            .filter(|p| !p.entries.is_empty())
            .enumerate()
        {
            if i > 0 {
                writeln!(f)?;
            }
            if several {
                writeln!(f, "## {}\n", p.krate.as_deref().unwrap_or_default())?;
            }
            f.write_str(&p.text)?;
        }
        Ok(())
    }
}

/// The rules of `[notes]`, with the repository for links.
fn rules(ctx: &Context) -> Rules {
    let n = &ctx.config.notes;
    Rules::new(&n.sections, &n.labels, n.skip_types.as_deref(), &n.breaking)
        .with_repository(super::notes::repository(ctx))
}

/// The template's headings: where new ones go.
fn order(ctx: &Context) -> Result<Vec<String>> {
    Ok(notes_draft::template_headings(&super::notes::template(
        ctx,
    )?))
}

/// STEP 1 (lockstep): the last release before `tip`, as a commit-ish.
pub fn last_release(repo: &Repo, tip: &str) -> Result<Option<String>> {
    let names = repo.names();
    let tags = repo.git.tags_merged(tip)?;
    let mut candidates: Vec<String> =
        semver_scope::newest_release(tags.iter().map(|t| t.trim()), |t| names.parse_tag(t))
            .into_iter()
            .collect();
    // A release branch's tags are not on `main`: there the last release
    // starts where its branch was cut.
    let at = repo.version_at(tip).ok();
    let at = at.map(|v| Version::new(v.major, v.minor, v.patch));
    let older = repo
        .release_branches()?
        .into_iter()
        .filter(|b| at.as_ref().is_none_or(|at| b.version < *at))
        .max_by(|a, b| a.version.cmp(&b.version));
    if let Some(b) = older
        && let Some(base) = repo.git.merge_base(tip, b.oid.as_str())?
    {
        candidates.push(base.as_str().to_string());
    }
    // The later of the two: the one the other is an ancestor of.
    for c in &candidates {
        let mut later = true;
        for o in &candidates {
            if o != c && !repo.git.is_ancestor(o, c)? {
                later = false;
            }
        }
        if later {
            return Ok(Some(c.clone()));
        }
    }
    Ok(candidates.into_iter().next())
}

/// STEP 2-3: the draft of `since..at` (touching `paths`).
fn draft_range(
    repo: &Repo,
    ctx: &Context,
    since: Option<&str>,
    at: &str,
    paths: &[String],
) -> Result<(Draft, usize, usize)> {
    let range = match since {
        Some(s) => format!("{s}..{at}"),
        None => at.to_string(),
    };
    let mut commits = repo
        .git
        .commits_for_notes(&range, paths)
        .with_context(|| format!("cannot read the commits of `{range}` for the notes"))?;
    // The train's own commits (release commits, main's bump at a cut)
    // change nothing a user of the release sees.
    let marker = Marker::of(&ctx.config);
    let bump = format!("Bump {} to ", super::project_name(ctx));
    commits.retain(|c| {
        let message = format!("{}\n\n{}", c.subject, c.body);
        ReleaseCommit::parse(&message, &marker).is_none() && !c.subject.starts_with(&bump)
    });
    let ids: Vec<String> = commits.iter().map(|c| c.id.clone()).collect();
    let pulls = if ids.is_empty() {
        Vec::new()
    } else {
        repo.forge()?
            .merged_pull_requests(&ctx.config.main_branch, &ids)?
            .unwrap_or_default()
    };
    let d = notes_draft::draft(&commits, &pulls, &rules(ctx));
    Ok((d, commits.len(), pulls.len()))
}

/// `cargo train notes --draft`: one part for RELEASES.md (lockstep), or
/// one per publishable crate with changes (independent).
pub fn run(repo: &Repo, ctx: &Context, opts: &DraftOpts) -> Result<Drafted> {
    if let Some(s) = &opts.since
        && repo.git.resolve(s)?.is_none()
    {
        bail!("`--since {s}` names no commit");
    }
    let order = order(ctx)?;
    let eligible = |i: usize| ctx.ws.crates[i].publishable;
    let model = selection::model(&ctx.ws, ctx.config.versioning.model, &eligible);
    let mut parts = Vec::new();
    if model == Model::Lockstep {
        let since = match &opts.since {
            Some(s) => Some(s.clone()),
            None => last_release(repo, &opts.at)?,
        };
        let (draft, commits, pulls) = draft_range(repo, ctx, since.as_deref(), &opts.at, &[])?;
        parts.push(part(
            ctx.config.notes.file.clone(),
            None,
            since,
            (draft, commits, pulls),
            &order,
        ));
        return Ok(Drafted { parts });
    }
    let tags = CrateTags::of(&ctx.config);
    let merged = repo.git.tags_merged(&opts.at)?;
    for (_, c) in ctx
        .ws
        .crates
        .iter()
        .enumerate()
        .filter(|(i, _)| eligible(*i))
    {
        let dir = ctx.ws.manifests[c.manifest]
            .path
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let since = match &opts.since {
            Some(s) => Some(s.clone()),
            None => semver_scope::newest_release(merged.iter().map(|t| t.trim()), |t| {
                tags.parse(t)
                    .filter(|(name, _)| *name == c.name)
                    .map(|(_, v)| v)
            }),
        };
        let paths = vec![if dir.is_empty() {
            ".".into()
        } else {
            dir.clone()
        }];
        let drafted = draft_range(repo, ctx, since.as_deref(), &opts.at, &paths)?;
        let file = PathBuf::from(&dir).join("CHANGELOG.md");
        parts.push(part(file, Some(c.name.clone()), since, drafted, &order));
    }
    Ok(Drafted { parts })
}

fn part(
    file: PathBuf,
    krate: Option<String>,
    since: Option<String>,
    (draft, commits, pulls): (Draft, usize, usize),
    order: &[String],
) -> Part {
    Part {
        file,
        krate,
        since,
        commits,
        pulls,
        entries: draft.entries.clone(),
        text: draft.render(order, "*"),
        draft,
    }
}

/// The first `## ` heading of RELEASES.md: the section being written.
fn current_section(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("## "))
        .map(str::trim)
}

/// The notes' edits for `drafted` (STEP 4): the entries not listed yet.
/// Returns how many were added.
pub fn merge(ctx: &Context, changes: &mut ChangeSet, drafted: &Drafted) -> Result<usize> {
    let order = order(ctx)?;
    let mut added = 0;
    for p in &drafted.parts {
        if p.entries.is_empty() {
            continue;
        }
        let text = crate::adapters::fs::read_named(&ctx.root, &p.file, "the notes")?;
        let out = match &p.krate {
            None => {
                let Some(text) = text else {
                    bail!(
                        "{} does not exist: nothing to write the draft into",
                        p.file.display()
                    )
                };
                super::notes::checked(&text, &p.file, &ctx.config.notes.archive_marker)?;
                let version = current_section(&text)
                    .with_context(|| format!("{} has no `## ` section", p.file.display()))?
                    .to_string();
                let (out, new) = notes_draft::merge_releases(&text, &version, &p.draft, &order)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.file.display()))?;
                added += new.len();
                (text, out)
            }
            Some(_) => {
                let before = text.clone().unwrap_or_default();
                let (out, new) = notes_draft::merge_changelog(&before, &p.draft, &order);
                added += new.len();
                if new.is_empty() {
                    continue;
                }
                changes.set(&p.file, text, out);
                continue;
            }
        };
        if out.0 != out.1 {
            changes.set(&p.file, Some(out.0), out.1);
        }
    }
    Ok(added)
}

/// `cargo train notes --draft --write`: the merge as a plan.
pub fn plan(ctx: &Context, drafted: &Drafted) -> Result<Plan> {
    let mut changes = ChangeSet::default();
    let added = merge(ctx, &mut changes, drafted)?;
    let mut plan = Plan::default();
    if !changes.is_empty() {
        plan.add(Effect::Files(plan::Files {
            root: ctx.root.clone(),
            relock: false,
            changes,
            hooks: Vec::new(),
        }));
    }
    plan.then_say(
        "Drafted",
        match added {
            0 => "nothing new: every entry is in the notes already".to_string(),
            n => format!(
                "{n} new entr{} in the notes",
                if n == 1 { "y" } else { "ies" }
            ),
        },
    );
    Ok(plan)
}

/// With `notes.draft = true`, for `cut` (the branched release's section),
/// `release` and `patch` (the section they date): the section of `version`
/// gets the entries drafted since the last release before `tip`, merged
/// into the notes as `changes` already has them.
pub fn fill_section(
    repo: &Repo,
    ctx: &Context,
    changes: &mut ChangeSet,
    tip: &str,
    version: &str,
) -> Result<()> {
    if !ctx.config.notes.draft {
        return Ok(());
    }
    let since = last_release(repo, tip)?;
    let (draft, _, _) = draft_range(repo, ctx, since.as_deref(), tip, &[])?;
    let file = &ctx.config.notes.file;
    let order = order(ctx)?;
    let merge = |text: &str| {
        notes_draft::merge_releases(text, version, &draft, &order)
            .map(|(out, _)| out)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
    };
    if let Some(pending) = changes.files.iter_mut().find(|f| f.path == *file) {
        pending.after = merge(&pending.after)?;
        return Ok(());
    }
    let Some(text) = crate::adapters::fs::read_named(&ctx.root, file, "notes.file")? else {
        return Ok(());
    };
    let out = merge(&text)?;
    changes.set(file, Some(text), out);
    Ok(())
}
