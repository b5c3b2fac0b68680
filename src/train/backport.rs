//! `cargo train backport COMMIT... --to BRANCH... | --supported`: commits
//! of `main` cherry-picked onto release branches, one change per branch.
//!
//! STEP 1: fetch; no target branch in its freeze unless `--allow-in-freeze`
//! gives a reason, which its commits carry (the gates). STEP 2: what
//! is backported: each COMMIT, or for `#N` the
//! merged pull request's commits on `main`, in the order they landed there;
//! a commit not on `main` is refused unless `--not-on-main` gives a reason.
//! STEP 3: for each branch: nothing if its review branch waits (only the
//! pull request if that is missing); the commits it has already are left
//! out; the others are picked one onto another, computed in a quarantine;
//! a conflict leaves the whole branch out and names the files; then the
//! notes entry for the branch's next patch version.
//! STEP 4: every branch's change in one atomic push (a pull request each,
//! or straight to the branch without a forge).
//! STEP 5: the summary: which branches landed, which need a hand.

use crate::adapters::forge::{self, Forge};
use crate::adapters::git::pick::{self, Applied, Commit, Quarantine, Revs};
use crate::core::changeset::ChangeSet;
use crate::core::notes as core_notes;
use crate::core::pull_request::{self, Landed};
use crate::core::refs::{BranchName, CommitId, Review, short};
use crate::output::say;
use crate::plan::{NewCommit, Pick, Plan, Rev};
use crate::train::deliver::{Change, Pending, deliver, pending, reopen};
use crate::train::gates::freeze::{self, Frozen};
use crate::train::gates::{self, Subject};
use crate::train::repo::Repo;
use crate::train::{Options, notes};
use anyhow::{Context as _, Result, bail};
use semver::Version;
use std::collections::{HashMap, HashSet};

pub struct BackportOpts {
    /// Commit ids, or `#N` for a merged pull request.
    pub commits: Vec<String>,
    /// The release branches (empty with `supported`).
    pub to: Vec<String>,
    pub supported: bool,
    /// Why commits not on `main` are backported anyway.
    pub not_on_main: Option<String>,
    /// Why a branch in its freeze takes the backport anyway.
    pub allow_in_freeze: Option<String>,
    pub notes: bool,
}

/// What a run did (or, dry, would do), branch by branch.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Changes go through pull requests.
    pub reviews: bool,
    pub landed: Vec<String>,
    /// Branches with nothing to do, and why.
    pub unchanged: Vec<(String, String)>,
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug)]
pub struct Conflict {
    pub branch: String,
    pub commit: CommitId,
    pub subject: String,
    pub files: Vec<String>,
}

impl Outcome {
    pub fn needs_a_hand(&self) -> bool {
        !self.conflicts.is_empty()
    }
}

/// A commit to backport.
struct Source {
    commit: Commit,
    /// Its line in the notes: the pull request's title, else the subject.
    entry: String,
    on_main: bool,
}

/// The backport's plan, and what it does branch by branch.
pub fn plan(repo: &Repo, options: &Options, opts: &BackportOpts) -> Result<(Plan, Outcome)> {
    let cfg = &repo.config;
    let forge = repo.forge()?;
    // STEP 1
    repo.fetch()?;
    let main = repo
        .remote_branch(&cfg.main_branch)?
        .with_context(|| format!("`{}/{}` does not exist", cfg.remote, cfg.main_branch))?;
    let branches = targets(repo, opts)?;
    let subjects: Vec<Subject> = branches
        .iter()
        .map(|(branch, tip)| Subject {
            branch: branch.clone(),
            tip: tip.clone(),
        })
        .collect();
    let allow = gates::Allow {
        in_freeze: opts.allow_in_freeze.clone(),
    };
    gates::require(&gates::for_backport(&allow), repo, options, &subjects)?;
    let frozen = freeze::excepted(repo, &subjects, opts.allow_in_freeze.as_deref())?;
    // STEP 2
    let (sources, id) = sources(repo, forge, &opts.commits, &main)?;
    refuse_off_main(&sources, opts, &cfg.main_branch)?;
    // STEP 3
    let run = Backport {
        repo,
        forge,
        q: Quarantine::new(&repo.git)?,
        main: &main,
        sources: &sources,
        id: &id,
        opts,
        frozen: frozen.as_ref(),
    };
    let mut plan = Plan::default();
    let mut changes = Vec::new();
    let mut outcome = Outcome::default();
    for (branch, tip) in &branches {
        run.branch(branch, tip, &mut plan, &mut changes, &mut outcome)?;
    }
    // STEP 4
    deliver(&mut plan, repo.remote(), forge.reviews(), &[], &changes);
    outcome.reviews = forge.reviews();
    Ok((plan, outcome))
}

/// What every branch of a backport shares.
struct Backport<'a> {
    repo: &'a Repo,
    forge: &'a dyn Forge,
    q: Quarantine,
    main: &'a str,
    sources: &'a [Source],
    /// The id of the review branches.
    id: &'a str,
    opts: &'a BackportOpts,
    /// The target in its freeze, when `--allow-in-freeze` lets it through.
    frozen: Option<&'a Frozen>,
}

impl Backport<'_> {
    /// STEP 3 for one branch at `tip`: nothing if its review branch waits
    /// (only the pull request if that is missing), else its picks and
    /// notes, or the conflict that leaves it out.
    fn branch(
        &self,
        branch: &str,
        tip: &str,
        plan: &mut Plan,
        changes: &mut Vec<Change>,
        outcome: &mut Outcome,
    ) -> Result<()> {
        let head = Review::Backport {
            branch: branch.to_string(),
            id: self.id.to_string(),
        }
        .branch();
        let change = Change {
            commit: Rev::at(tip, format!("{}/{branch}", self.repo.remote())),
            base: BranchName::new(branch),
            head,
            title: title(branch, self.sources),
            body: body(branch, self.sources),
        };
        if self.forge.reviews() {
            match pending(self.repo, self.forge, &change.head, branch)? {
                Pending::Waiting => {
                    let why = format!("{} waits for review", change.head);
                    outcome.unchanged.push((branch.to_string(), why));
                    return Ok(());
                }
                Pending::NoPullRequest => {
                    say(
                        "Backport",
                        &format!(
                            "{} is pushed without its pull request: opening it",
                            change.head
                        ),
                    );
                    reopen(plan, &change);
                    outcome.landed.push(branch.to_string());
                    return Ok(());
                }
                Pending::No => {}
            }
        }
        let ctx = Branch {
            repo: self.repo,
            q: &self.q,
            name: branch,
            tip,
            main: self.main,
            reason: self.opts.not_on_main.as_deref(),
            freeze: freeze::trailer_for(self.frozen, branch, self.opts.allow_in_freeze.as_deref()),
        };
        match ctx.plan(plan, self.sources, self.opts)? {
            Planned::Change(last) => {
                changes.push(Change {
                    commit: last,
                    ..change
                });
                outcome.landed.push(branch.to_string());
            }
            Planned::Nothing => outcome
                .unchanged
                .push((branch.to_string(), "it has every commit already".into())),
            Planned::Conflict(c) => outcome.conflicts.push(c),
        }
        Ok(())
    }
}

/// The branches named (each a release branch on the remote), or the
/// supported ones; with their tips.
fn targets(repo: &Repo, opts: &BackportOpts) -> Result<Vec<(BranchName, CommitId)>> {
    let mut names = if opts.supported {
        super::timetable::supported(repo)?
    } else {
        opts.to.clone()
    };
    let mut seen = HashSet::new();
    names.retain(|b| seen.insert(b.clone()));
    if names.is_empty() && opts.supported {
        bail!(
            "no release branch is supported on {} (support counts from a line's release tag; \
             `cargo train timetable` shows each line's dates): name the branches with --to",
            repo.today
        );
    }
    if names.is_empty() {
        bail!("no branch to backport to: name them with --to, or use --supported");
    }
    let form = repo.names();
    names
        .into_iter()
        .map(|b| {
            if form.parse_release_branch(&b).is_none() {
                bail!(
                    "`{b}` is not a release branch (`{}`); backports go to release branches",
                    form.release_branch_form()
                );
            }
            let tip = repo
                .remote_branch(&b)?
                .with_context(|| format!("`{}/{b}` does not exist", repo.remote()))?;
            Ok((BranchName::new(b), tip))
        })
        .collect()
}

/// The commits to backport, in the order they landed on `main` (then those
/// not on it, as given), and the id of the review branches.
fn sources(
    repo: &Repo,
    forge: &dyn Forge,
    args: &[String],
    main: &str,
) -> Result<(Vec<Source>, String)> {
    let git = &repo.git;
    let mut oids: Vec<CommitId> = Vec::new();
    let mut entries: HashMap<CommitId, String> = HashMap::new();
    let mut prs = Vec::new();
    for a in args {
        // `#N` a pull request, `!N` a merge request (GitLab's reference);
        // the notes keep the form given.
        let request = ['#', '!']
            .into_iter()
            .find_map(|sigil| a.strip_prefix(sigil).map(|n| (sigil, n)));
        if let Some((sigil, n)) = request {
            let n: u64 = n.parse().with_context(|| {
                format!(
                    "`{a}` is neither a commit nor `#N` or `!N`, a pull or merge request number"
                )
            })?;
            let pr = forge.merged_pull_request(n)?;
            let entry = if pr.title.ends_with(&format!("({sigil}{n})")) {
                pr.title.clone()
            } else {
                format!("{} ({sigil}{n})", pr.title)
            };
            for c in pull_request_commits(repo, &pr)? {
                entries.insert(c.clone(), entry.clone());
                oids.push(c);
            }
            prs.push(n);
        } else {
            let Some(c) = git.resolve(a)? else {
                let many = git.ambiguous(a)?;
                if !many.is_empty() {
                    bail!(
                        "`{a}` is ambiguous: {} objects here have ids that start with it; give \
                         more of the commit's id",
                        many.len()
                    );
                }
                bail!("`{a}` names no commit here; fetch it, or check the id");
            };
            oids.push(c);
        }
    }
    let mut seen = HashSet::new();
    oids.retain(|o| seen.insert(o.clone()));
    let on_main: Vec<bool> = oids
        .iter()
        .map(|o| git.is_ancestor(o, main))
        .collect::<Result<_>>()?;
    let order = landing_order(repo, &oids, &on_main, main)?;
    let commits = pick::commits(git, &oids)?;
    let mut out: Vec<Source> = commits
        .into_iter()
        .zip(on_main)
        .map(|(commit, on_main)| Source {
            entry: entries
                .get(&commit.oid)
                .cloned()
                .unwrap_or_else(|| commit.subject().to_string()),
            commit,
            on_main,
        })
        .collect();
    out.sort_by_key(|s| order.get(&s.commit.oid).copied().unwrap_or(usize::MAX));
    let id = match (prs.as_slice(), args.len()) {
        ([n], 1) => n.to_string(),
        _ => out
            .last()
            .map(|s| short(&s.commit.oid).to_string())
            .unwrap_or_default(),
    };
    Ok((out, id))
}

/// Each commit on `main`'s place in `git rev-list --reverse --topo-order`,
/// walked only back to where the oldest of them branched off.
fn landing_order(
    repo: &Repo,
    oids: &[CommitId],
    on_main: &[bool],
    main: &str,
) -> Result<HashMap<CommitId, usize>> {
    let mine: Vec<&CommitId> = oids
        .iter()
        .zip(on_main)
        .filter(|(_, m)| **m)
        .map(|(o, _)| o)
        .collect();
    if mine.len() < 2 {
        return Ok(mine.into_iter().map(|o| (o.clone(), 0)).collect());
    }
    let parents: Vec<String> = mine.iter().map(|o| format!("{o}^")).collect();
    // A root commit has no parent to stop at: walk all of main.
    let since = repo.git.merge_base_of(&parents).ok().flatten();
    let wanted: HashSet<&CommitId> = mine.into_iter().collect();
    Ok(repo
        .git
        .oldest_first(main, since.as_deref())?
        .into_iter()
        .filter(|l| wanted.contains(l))
        .enumerate()
        .map(|(i, l)| (l, i))
        .collect())
}

/// The commits on `main` a merged pull request stands for: a merge commit
/// as one (picked against its first parent); after a rebase merge, the
/// rebased commits (the last N on `main`'s first-parent line, when their
/// subjects are the pull request's); after a squash, the squashed commit.
fn pull_request_commits(repo: &Repo, pr: &forge::MergedPullRequest) -> Result<Vec<CommitId>> {
    let git = &repo.git;
    let m = git.resolve(&pr.merge_commit)?.with_context(|| {
        format!(
            "#{}'s merge commit {} is not in this clone; fetch `{}`",
            pr.number, pr.merge_commit, repo.config.main_branch
        )
    })?;
    let n = pr.subjects.len();
    let is_merge = pick::commits(git, std::slice::from_ref(&m))?[0]
        .parents
        .len()
        > 1;
    let line = if is_merge || n < 2 {
        Vec::new()
    } else {
        pick::log(git, &Revs::FirstParent { tip: &m, n })?
    };
    // The line oldest first; its newest commit is `m` itself.
    let subjects: Vec<&str> = line.iter().rev().map(Commit::subject).collect();
    match pull_request::landed(&pr.subjects, &pr.title, is_merge, &subjects) {
        Some(Landed::One) => return Ok(vec![m]),
        Some(Landed::Rebased) => return Ok(line.into_iter().rev().map(|c| c.oid).collect()),
        None => {}
    }
    // Neither: picking only `m` could drop the others without a word.
    bail!(
        "cannot tell which commits of `{}` are #{}'s: {} is neither a merge, nor a squash \
         titled \"{}\", nor the last of {n} commits with its commits' subjects; name the \
         commits instead of #{}",
        repo.config.main_branch,
        pr.number,
        short(&m),
        pr.title,
        pr.number
    )
}

/// Changes land on `main` first: others only with a reason.
fn refuse_off_main(sources: &[Source], opts: &BackportOpts, main: &str) -> Result<()> {
    let off: Vec<String> = sources
        .iter()
        .filter(|s| !s.on_main)
        .map(|s| format!("{} \"{}\"", short(&s.commit.oid), s.commit.subject()))
        .collect();
    if !off.is_empty() && opts.not_on_main.is_none() {
        bail!(
            "{} {} not on `{main}`: changes land on `{main}` first, then are backported; to \
             backport {} anyway, say why with --not-on-main \"REASON\" (the reason goes into the \
             commit's branch-only trailer, which `audit` accepts)",
            off.join(", "),
            if off.len() == 1 { "is" } else { "are" },
            if off.len() == 1 { "it" } else { "them" },
        );
    }
    Ok(())
}

/// One target branch while planning.
struct Branch<'a> {
    repo: &'a Repo,
    q: &'a Quarantine,
    name: &'a str,
    tip: &'a str,
    main: &'a str,
    /// `--not-on-main`'s reason.
    reason: Option<&'a str>,
    /// The freeze exception's trailer, when the branch is in its freeze.
    freeze: Option<String>,
}

enum Planned {
    /// The last commit of the branch's change.
    Change(Rev),
    Nothing,
    Conflict(Conflict),
}

impl Branch<'_> {
    /// Picks every source the branch lacks onto it, then the notes entry.
    fn plan(&self, plan: &mut Plan, sources: &[Source], opts: &BackportOpts) -> Result<Planned> {
        let present = self.present(sources)?;
        let mut picks: Vec<(Pick, &Source)> = Vec::new();
        let mut onto = self.tip.to_string();
        for s in sources {
            if let Some(why) = present.get(&s.commit.oid) {
                say(
                    "Skipping",
                    &format!(
                        "{} \"{}\": `{}` has it ({why})",
                        short(&s.commit.oid),
                        s.commit.subject(),
                        self.name
                    ),
                );
                continue;
            }
            let parent = s.commit.parents.first().with_context(|| {
                format!(
                    "{} is a root commit: there is no change to backport",
                    s.commit.oid
                )
            })?;
            match pick::apply_change(&self.q.git, parent, &onto, &s.commit.oid)? {
                Applied::Conflicts(files) => {
                    return Ok(Planned::Conflict(Conflict {
                        branch: self.name.to_string(),
                        commit: s.commit.oid.clone(),
                        subject: s.commit.subject().to_string(),
                        files,
                    }));
                }
                Applied::Tree(t) if t == pick::tree_of(&self.q.git, &onto)? => {
                    say(
                        "Skipping",
                        &format!(
                            "{} \"{}\": `{}` has its change already",
                            short(&s.commit.oid),
                            s.commit.subject(),
                            self.name
                        ),
                    );
                }
                Applied::Tree(t) => {
                    picks.push((self.pick_of(s, parent)?, s));
                    onto = t;
                }
            }
        }
        if picks.is_empty() {
            return Ok(Planned::Nothing);
        }
        let mut last = Rev::at(self.tip, format!("{}/{}", self.repo.remote(), self.name));
        let entries: Vec<&str> = picks.iter().map(|(_, s)| s.entry.as_str()).collect();
        for (mut p, _) in picks {
            p.base = last;
            last = plan.pick(p);
        }
        if opts.notes
            && let Some(c) = self.notes_commit(&onto, &entries, last.clone())?
        {
            last = plan.commit(c);
        }
        Ok(Planned::Change(last))
    }

    /// The sources the branch has already, with how that shows: reachable,
    /// a cherry-pick trailer naming it, or a commit with its patch id
    /// since the branch was cut.
    fn present(&self, sources: &[Source]) -> Result<HashMap<CommitId, &'static str>> {
        let git = &self.repo.git;
        let cut = self.repo.cut_point(self.main, self.tip, self.name)?;
        let range = format!("{cut}..{}", self.tip);
        // Each branch commit with the commits its cherry-pick trailers name.
        let picked: Vec<(CommitId, Vec<String>)> = pick::log(git, &Revs::Range(&range))?
            .into_iter()
            .map(|c| {
                let named = pick::picked_from(&c.message);
                (c.oid, named)
            })
            .filter(|(_, named)| !named.is_empty())
            .collect();
        let ids: HashSet<String> = pick::patch_ids(git, &Revs::Range(&range))?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let oids: Vec<&str> = sources.iter().map(|s| s.commit.oid.as_str()).collect();
        let source_ids: HashMap<String, String> = pick::patch_ids(git, &Revs::Only(&oids))?
            .into_iter()
            .map(|(p, c)| (c, p))
            .collect();
        let mut out = HashMap::new();
        for s in sources {
            let oid = &s.commit.oid;
            let why = if git.is_ancestor(oid, self.tip)? {
                Some("it is in its history")
            } else if self.picked_here(&picked, oid)? {
                Some("a cherry-pick of it")
            } else if source_ids
                .get(oid.as_str())
                .is_some_and(|p| ids.contains(p))
            {
                Some("a commit with the same patch")
            } else {
                None
            };
            if let Some(w) = why {
                out.insert(oid.clone(), w);
            }
        }
        Ok(out)
    }

    /// Whether a branch commit whose trailer names `oid` (in `picked`, each
    /// branch commit with the commits it names) makes its change: the
    /// message alone proves nothing.
    fn picked_here(&self, picked: &[(CommitId, Vec<String>)], oid: &CommitId) -> Result<bool> {
        for (here, named) in picked {
            if named.iter().any(|n| oid.starts_with(n.as_str()))
                && pick::touches_what_it_names(&self.repo.git, here, &[oid])?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The cherry-pick of `s`: its message with `git cherry-pick -x`'s
    /// trailer (and, off `main`, the branch-only one), its author.
    fn pick_of(&self, s: &Source, parent: &str) -> Result<Pick> {
        let mut message = format!(
            "{}\n\n(cherry picked from commit {})",
            s.commit.message, s.commit.oid
        );
        if !s.on_main {
            let why = self.reason.unwrap_or_default();
            message.push_str(&format!(
                "\n{}: {why}",
                self.repo.config.backport.branch_only_trailer
            ));
        }
        if let Some(t) = &self.freeze {
            message.push_str(&format!("\n{t}"));
        }
        Ok(Pick {
            base: Rev::at(self.tip, self.name),
            commit: s.commit.oid.clone(),
            parent: CommitId::new(parent),
            author: s.commit.author.clone(),
            message,
            files: pick::changed_files(&self.repo.git, parent, &s.commit.oid)?,
        })
    }

    /// The entries for the branch's next patch version, in its notes as
    /// they are after the picks (`tree`); the section is opened from the
    /// branch's template when missing. `None` without a notes file.
    fn notes_commit(&self, tree: &str, entries: &[&str], base: Rev) -> Result<Option<NewCommit>> {
        let cfg = &self.repo.config;
        let file = cfg.notes.file.to_string_lossy().into_owned();
        let Some(text) = self.q.git.show(tree, &file)? else {
            return Ok(None);
        };
        notes::checked(&text, &cfg.notes.file, &cfg.notes.archive_marker)
            .with_context(|| format!("on `{}`", self.name))?;
        let version = next_patch(&self.repo.version_at(self.tip)?);
        let template = self
            .q
            .git
            .show(tree, &cfg.notes.template.to_string_lossy())?
            .unwrap_or_else(|| notes::DEFAULT_TEMPLATE.to_string());
        let heading = &cfg.backport.notes_heading;
        let mut out = text.clone();
        for e in entries {
            out = match core_notes::add_entry(&out, &version, heading, e) {
                Ok(t) => t,
                Err(core_notes::NotesError::NoSection(_)) => {
                    let opened = core_notes::open_section(
                        &out,
                        &core_notes::section_from_template(&template, &version),
                        &version,
                    );
                    core_notes::add_entry(&opened, &version, heading, e)
                        .map_err(|err| anyhow::anyhow!("{file} on `{}`: {err}", self.name))?
                }
                Err(err) => bail!("{file} on `{}`: {err}", self.name),
            };
        }
        let mut changes = ChangeSet::default();
        changes.set(&cfg.notes.file, Some(text), out);
        if changes.is_empty() {
            return Ok(None);
        }
        Ok(Some(NewCommit {
            base,
            changes,
            hooks: Vec::new(),
            message: vec![
                format!("Release notes of {version}: the backports to {}", self.name),
                format!(
                    "{}: the notes of changes backported from `{}`{}",
                    cfg.backport.branch_only_trailer,
                    cfg.main_branch,
                    self.freeze
                        .as_ref()
                        .map_or(String::new(), |t| format!("\n{t}"))
                ),
            ],
        }))
    }
}

/// The notes section backports to a branch at `v` go in: its next patch
/// release, or (before its final release) the release itself.
fn next_patch(v: &Version) -> String {
    if v.pre.is_empty() {
        Version::new(v.major, v.minor, v.patch + 1).to_string()
    } else {
        notes::heading(v)
    }
}

fn title(branch: &str, sources: &[Source]) -> String {
    match sources {
        [one] => format!("[{branch}] {}", one.entry),
        _ => format!("[{branch}] Backport {} changes", sources.len()),
    }
}

fn body(branch: &str, sources: &[Source]) -> String {
    let mut b = format!("Backports to `{branch}`, cherry-picked with `cargo train backport`:\n\n");
    for s in sources {
        b.push_str(&format!(
            "* {} {} ({} <{}>)\n",
            short(&s.commit.oid),
            s.entry,
            s.commit.author.name,
            s.commit.author.email
        ));
    }
    b.push_str(
        "\nCheck that no public crate breaks its API, then merge; `cargo train patch` makes the \
         patch release.\n",
    );
    b
}

/// STEP 5: the summary of a run (`dry`: of a dry run).
pub fn summary(o: &Outcome, dry: bool) {
    let how = match (dry, o.reviews) {
        (true, _) => "would land",
        (false, true) => "pull request opened",
        (false, false) => "pushed",
    };
    for b in &o.landed {
        say("Backported", &format!("to `{b}` ({how})"));
    }
    for (b, why) in &o.unchanged {
        say("Unchanged", &format!("`{b}`: {why}"));
    }
    for c in &o.conflicts {
        eprintln!(
            "error: `{}`: the cherry-pick of {} \"{}\" conflicts in {}; nothing was pushed for `{}`: \
             backport it by hand (`git cherry-pick -x {}` on `{}`, resolve, push for review)",
            c.branch,
            short(&c.commit),
            c.subject,
            c.files.join(", "),
            c.branch,
            c.commit,
            c.branch
        );
    }
    let list = |v: Vec<&str>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    say(
        "Summary",
        &format!(
            "landed: {}; need a hand: {}",
            list(o.landed.iter().map(String::as_str).collect()),
            list(o.conflicts.iter().map(|c| c.branch.as_str()).collect())
        ),
    );
}
