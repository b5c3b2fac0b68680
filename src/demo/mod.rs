//! `cargo train demo`: three months of the train on a sample workspace with
//! a local bare origin, driven by dates, left on disk to inspect: cuts,
//! candidates, releases, backports, a patch and a patch set.

pub mod sample;

use crate::adapters::git::Git;
use crate::apply::{self, Executor};
use crate::plan::Plan;
use crate::train::repo::Repo;
use crate::train::{Context, Options, backport, patch, rc, status, tag, tick};
use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

struct Demo {
    ws: PathBuf,
    opts: Options,
}

/// Carries out `plan` on `repo`, as the command line does.
fn carry_out(repo: &Repo, plan: &Plan) -> Result<()> {
    let mut exec = Executor::new().with_git(&repo.git);
    if plan.needs_forge() {
        exec = exec.with_forge(repo.forge()?);
    }
    apply::run(plan, &exec, false)
}

impl Demo {
    fn git(&self, day: &str) -> Git {
        Git::new(&self.ws).with_date(&format!("{day}T12:00:00Z"))
    }

    fn repo(&self, day: &str) -> Result<Repo> {
        let ctx = Context::load(&self.opts)?;
        Repo::open(self.ws.clone(), ctx.config, Some(day.parse::<Date>()?))
    }

    /// Carries out the plan `f` makes as on `day`, then tags what it pushed
    /// to release branches, as CI would after the push.
    fn step(&self, day: &str, what: &str, f: impl FnOnce(&Repo) -> Result<Plan>) -> Result<()> {
        crate::outln!("\n==> {day}  {what}");
        let repo = self.repo(day)?;
        let before: Vec<_> = repo
            .release_branches()?
            .into_iter()
            .map(|b| (b.name, b.oid))
            .collect();
        carry_out(&repo, &f(&repo)?)?;
        repo.fetch()?;
        for b in repo.release_branches()? {
            let old = before
                .iter()
                .find(|(n, _)| *n == b.name)
                .map(|(_, o)| o.as_str());
            if old != Some(b.oid.as_str()) {
                let range = format!(
                    "{}..{}",
                    old.unwrap_or("0000000000000000000000000000000000000000"),
                    b.oid
                );
                let plan = tag::plan(&repo, &range, std::time::Duration::ZERO)?;
                carry_out(&repo, &plan)?;
            }
        }
        Ok(())
    }

    /// A developer's change to `file`: lands on main, then `backport`
    /// cherry-picks it onto `to` (branches, or every supported one).
    fn fix(&self, day: &str, text: &str, file: &str, to: &[&str]) -> Result<()> {
        let g = self.git(day);
        g.write(&["pull", "--quiet", "--ff-only", "origin", "main"])?;
        let path = self.ws.join(file);
        let mut body = std::fs::read_to_string(&path)?;
        body.push_str(&format!("// {text}\n"));
        std::fs::write(&path, body)?;
        g.write(&["commit", "--quiet", "-am", text])?;
        g.write(&["push", "--quiet", "origin", "main"])?;
        let fix = g.resolve("HEAD")?.context("a commit")?;
        let what = if to.is_empty() {
            "every supported branch".to_string()
        } else {
            to.join(", ")
        };
        self.step(
            day,
            &format!("a fix lands on main; backport: onto {what}"),
            |r| {
                let opts = backport::BackportOpts {
                    commits: vec![fix.to_string()],
                    to: to.iter().map(|b| b.to_string()).collect(),
                    supported: to.is_empty(),
                    not_on_main: None,
                    allow_in_freeze: None,
                    notes: true,
                };
                let (plan, outcome) = backport::plan(r, &self.opts, &opts)?;
                if outcome.needs_a_hand() {
                    bail!("the demo's backport conflicted");
                }
                Ok(plan)
            },
        )
    }
}

fn init(dir: &Path) -> Result<PathBuf> {
    let origin = dir.join("origin.git");
    let ws = dir.join("rail");
    std::fs::create_dir_all(&ws)?;
    Git::new(dir).write(&["init", "--quiet", "--bare", "origin.git"])?;
    for (path, text) in sample::files() {
        let p = ws.join(&path);
        std::fs::create_dir_all(p.parent().expect("files are in the workspace"))?;
        std::fs::write(p, text)?;
    }
    let status = std::process::Command::new("cargo")
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(&ws)
        .status()?;
    if !status.success() {
        bail!("`cargo generate-lockfile` failed in {}", ws.display());
    }
    let g = Git::new(&ws).with_date("2026-01-02T12:00:00Z");
    g.write(&["init", "--quiet", "-b", "main"])?;
    // The demo must not depend on (or sign with) the user's git identity.
    for (k, v) in [
        ("user.name", "cargo-train demo"),
        ("user.email", "demo@example.invalid"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ] {
        g.write(&["config", k, v])?;
    }
    g.write(&["add", "--all"])?;
    g.write(&[
        "commit",
        "--quiet",
        "-m",
        "A workspace on the release train",
    ])?;
    g.write(&[
        "remote",
        "add",
        "origin",
        origin.to_str().context("UTF-8 path")?,
    ])?;
    g.write(&["push", "--quiet", "origin", "main"])?;
    Ok(ws)
}

pub fn run(dir: Option<PathBuf>) -> Result<PathBuf> {
    let dir = match dir {
        Some(d) => {
            if d.exists() && std::fs::read_dir(&d)?.next().is_some() {
                bail!("{} is not empty; give a new directory", d.display());
            }
            d
        }
        None => tempfile::Builder::new()
            .prefix("cargo-train-demo-")
            .tempdir()?
            .keep(),
    };
    let dir = std::fs::canonicalize({
        std::fs::create_dir_all(&dir)?;
        &dir
    })?;
    crate::outln!(
        "Sample workspace \"rail\" (12 crates) with a local origin in {}",
        dir.display()
    );
    let ws = init(&dir)?;
    let d = Demo {
        opts: Options {
            manifest_path: Some(ws.join("Cargo.toml")),
            config: None,
        },
        ws,
    };
    three_months(&d)?;
    let repo = d.repo("2026-03-26")?;
    crate::outln!(
        "\n==> where the train stands on 2026-03-26\n{}",
        status::status(&repo)?
    );
    let tags = Git::new(&d.ws).read(&["tag", "--list", "--sort=v:refname"])?;
    crate::outln!(
        "tags: {}",
        tags.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    crate::outln!(
        "\nThe workspace is {} (origin: {}). Try `cargo train status` there.",
        d.ws.display(),
        dir.join("origin.git").display()
    );
    Ok(dir)
}

/// The train's first three months on the sample, a step a day that
/// something happens.
fn three_months(d: &Demo) -> Result<()> {
    let tick = |day: &str| {
        d.step(day, "tick: what the schedule says", |r| {
            tick::plan(r, &d.opts)
        })
    };
    tick("2026-01-05")?;
    let core = "crates/core/src/lib.rs";
    d.fix(
        "2026-01-12",
        "Fix a crash in rail-core",
        core,
        &["release-1.0.0"],
    )?;
    d.step("2026-01-13", "rc: a second candidate with the fix", |r| {
        rc::plan(r, &d.opts, Some("release-1.0.0"))
    })?;
    tick("2026-01-20")?;
    tick("2026-02-05")?;
    d.fix(
        "2026-02-10",
        "Fix a leak in rail-core",
        core,
        &["release-1.0.0"],
    )?;
    d.step("2026-02-11", "patch: 1.0.1 with the backported fix", |r| {
        patch::plan(r, &d.opts, Some("release-1.0.0"), &Default::default())
    })?;
    tick("2026-02-20")?;
    tick("2026-03-05")?;
    tick("2026-03-20")?;
    // 1.0 reached its end of life on 2026-03-20: the fix goes to 2.0 and
    // 3.0, and one patch set releases both (tagged together).
    let util = "crates/util/src/lib.rs";
    d.fix("2026-03-24", "Fix an overflow in rail-util", util, &[])?;
    d.step(
        "2026-03-25",
        "patch --supported: 3.0.1 and 2.0.1, one set",
        |r| patch::plan_supported(r, &d.opts, &Default::default()),
    )?;

    Ok(())
}
