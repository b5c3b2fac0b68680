//! Each kind of command returns a plan, and applying it does exactly what
//! the plan says: the commits it names (with their files), the branches and
//! tags it pushes (nothing else on the origin), the files it writes (nothing
//! else in the tree). Run through the library on the sample workspace with
//! a bare origin and real git; the registry and forge kinds are in
//! tests/publish.rs and tests/github.rs.

mod common;
use cargo_train::apply::{self, Executor};
use cargo_train::core::version::Level;
use cargo_train::plan::{Effect, Plan, Rev};
use cargo_train::train::repo::Repo;
use cargo_train::train::{self, Context, Options};
use common::sandbox::{Sandbox, snapshot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn options(s: &Sandbox) -> Options {
    Options {
        manifest_path: Some(s.ws.join("Cargo.toml")),
        config: None,
    }
}

/// The workspace and its repository as on `day`.
fn open(s: &Sandbox, day: &str) -> (Context, Repo) {
    let ctx = Context::load(&options(s)).unwrap();
    let repo = Repo::open(
        ctx.root.clone(),
        ctx.config.clone(),
        Some(day.parse().unwrap()),
    )
    .unwrap();
    (ctx, repo)
}

/// Carries out `plan` as the command line does; the commits it made.
fn carry_out(repo: &Repo, plan: &Plan) -> Vec<String> {
    let mut exec = Executor::new().with_git(&repo.git);
    if plan.needs_forge() {
        exec = exec.with_forge(repo.forge().unwrap());
    }
    apply::apply(plan, &exec)
        .unwrap()
        .into_iter()
        .map(String::from)
        .collect()
}

fn resolve(r: &Rev, made: &[String]) -> String {
    match r {
        Rev::At { oid, .. } => oid.to_string(),
        Rev::Made(n) => made[*n].clone(),
    }
}

fn origin_refs(s: &Sandbox) -> BTreeMap<String, String> {
    s.origin_git(&["for-each-ref", "--format=%(refname) %(objectname)"])
        .lines()
        .map(|l| {
            let (r, o) = l.split_once(' ').unwrap();
            (r.to_string(), o.to_string())
        })
        .collect()
}

/// The refs of the origin that `after` has and `before` had not, or at
/// another commit.
fn moved(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    after
        .iter()
        .filter(|(r, o)| before.get(*r) != Some(*o))
        .map(|(r, _)| r.clone())
        .collect()
}

/// Applies `plan` and checks the origin against it: every pushed branch at
/// its planned commit, every made commit with its planned parent and
/// files, no other ref moved. Returns the commits made.
fn applies_exactly(s: &Sandbox, repo: &Repo, plan: &Plan) -> Vec<String> {
    let before = origin_refs(s);
    let made = carry_out(repo, plan);
    let after = origin_refs(s);
    let mut planned: Vec<String> = plan
        .pushed()
        .iter()
        .map(|(_, b)| format!("refs/heads/{b}"))
        .collect();
    for (rev, branch) in plan.pushed() {
        assert_eq!(
            after[&format!("refs/heads/{branch}")],
            resolve(rev, &made),
            "{branch}"
        );
    }
    for e in &plan.effects {
        if let Effect::Tag { name, at } = e {
            planned.push(format!("refs/tags/{name}"));
            let tag = s.origin_git(&["rev-parse", &format!("refs/tags/{name}^{{commit}}")]);
            assert_eq!(tag.trim(), resolve(at, &made), "{name}");
        }
    }
    planned.sort();
    planned.dedup();
    assert_eq!(moved(&before, &after), planned, "{}", plan.render());
    let mut n = 0;
    for e in &plan.effects {
        let (base, files) = match e {
            Effect::Commit(c) => (
                &c.base,
                c.changes
                    .files
                    .iter()
                    .map(|f| f.path.display().to_string())
                    .collect::<Vec<_>>(),
            ),
            Effect::Pick(p) => (&p.base, p.files.clone()),
            _ => continue,
        };
        let at = &made[n];
        n += 1;
        let parent = s.git(&["rev-parse", &format!("{at}^")]);
        assert_eq!(parent.trim(), resolve(base, &made), "parent of {at}");
        let changed = s.git(&["diff", "--name-only", &format!("{at}^"), at]);
        let mut changed: Vec<&str> = changed.lines().collect();
        let mut files: Vec<&str> = files.iter().map(String::as_str).collect();
        changed.sort();
        files.sort();
        assert_eq!(changed, files, "files of {at}");
    }
    assert_eq!(n, made.len());
    made
}

/// cut: two commits on main's tip (main's bump, the first candidate), one
/// atomic push of main and the new branch, main brought along locally.
#[test]
fn a_cut_plans_its_commits_and_push_and_applying_makes_exactly_them() {
    let s = Sandbox::new("");
    let (_, repo) = open(&s, "2026-01-05");
    let opts = options(&s);
    let cut = train::cut::CutOpts { force: false };
    let plan = train::cut::plan(&repo, &opts, &cut).unwrap();
    let titles: Vec<&str> = plan.commits().map(|c| c.title()).collect();
    assert_eq!(titles, ["Bump Rail to 2.0.0", "Release Rail 1.0.0-rc.1"]);
    let mut pushed: Vec<&str> = plan.pushed().iter().map(|(_, b)| *b).collect();
    pushed.sort();
    assert_eq!(pushed, ["main", "release-1.0.0"]);
    let release = plan.commits().nth(1).unwrap();
    assert_eq!(
        release.message[1], repo.config.marker,
        "the candidate carries the marker"
    );
    assert!(matches!(
        plan.effects.last(),
        Some(Effect::FastForward { branch, .. }) if branch == "main"
    ));
    let made = applies_exactly(&s, &repo, &plan);
    assert_eq!(s.git(&["rev-parse", "main"]).trim(), made[0]);
    // Applied: nothing is left to plan.
    let (_, repo) = open(&s, "2026-01-05");
    assert!(train::cut::plan(&repo, &opts, &cut).unwrap().is_empty());
}

/// backport: the fix picked onto the branch (its author and trailer kept),
/// then the notes entry, one push.
#[test]
fn a_backport_plans_its_picks_and_applying_makes_exactly_them() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    std::fs::write(s.ws.join("crates/core/src/lib.rs"), "// fixed\n").unwrap();
    s.git(&["commit", "--quiet", "-am", "Fix a crash"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    let fix = s.git(&["rev-parse", "HEAD"]).trim().to_string();
    let (_, repo) = open(&s, "2026-01-12");
    let opts = train::backport::BackportOpts {
        commits: vec![fix.clone()],
        to: vec!["release-1.0.0".into()],
        supported: false,
        not_on_main: None,
        allow_in_freeze: None,
        notes: true,
    };
    let (plan, outcome) = train::backport::plan(&repo, &options(&s), &opts).unwrap();
    assert_eq!(outcome.landed, ["release-1.0.0"]);
    let picks: Vec<&str> = plan.picks().map(|p| p.commit.as_str()).collect();
    assert_eq!(picks, [fix.as_str()]);
    assert_eq!(plan.commits().count(), 1, "the notes entry");
    let made = applies_exactly(&s, &repo, &plan);
    let message = s.git(&["log", "-1", "--format=%B", &made[0]]);
    assert!(
        message.contains(&format!("(cherry picked from commit {fix})")),
        "{message}"
    );
    let (_, repo) = open(&s, "2026-01-12");
    let (plan, outcome) = train::backport::plan(&repo, &options(&s), &opts).unwrap();
    assert!(plan.is_empty(), "{}", plan.render());
    assert_eq!(outcome.unchanged.len(), 1);
}

/// tag: the release commit of the pushed range tagged, on the origin and
/// here, at the planned commit.
#[test]
fn a_tag_plans_its_tag_and_applying_makes_exactly_it() {
    let s = Sandbox::new("");
    s.train("2026-01-05", &["cut"]).success();
    let tip = s.remote_oid("release-1.0.0").unwrap();
    let (_, repo) = open(&s, "2026-01-05");
    let range = format!("{}..{tip}", "0".repeat(40));
    let plan = train::tag::plan(&repo, &range, std::time::Duration::ZERO).unwrap();
    match plan.effects.as_slice() {
        [Effect::Tag { name, at }] => {
            assert_eq!(name, "v1.0.0-rc.1");
            assert_eq!(resolve(at, &[]), tip);
        }
        e => panic!("{e:?}"),
    }
    applies_exactly(&s, &repo, &plan);
    assert_eq!(
        s.git(&["rev-parse", "v1.0.0-rc.1^{commit}"]).trim(),
        tip,
        "the local tag"
    );
    let (_, repo) = open(&s, "2026-01-05");
    assert!(
        train::tag::plan(&repo, &range, std::time::Duration::ZERO)
            .unwrap()
            .is_empty()
    );
}

/// The files a plan writes under `root` hold what it planned; every other
/// file of `root` is as `before` had it.
fn writes_exactly(root: &Path, before: &BTreeMap<PathBuf, Vec<u8>>, plan: &Plan) {
    let mut expected = before.clone();
    for e in &plan.effects {
        if let Effect::Files(f) = e {
            assert_eq!(f.root, root);
            for c in &f.changes.files {
                expected.insert(c.path.clone(), c.after.clone().into_bytes());
            }
        }
    }
    let after = snapshot(root);
    let changed: Vec<&PathBuf> = expected
        .keys()
        .chain(after.keys())
        .filter(|p| expected.get(*p) != after.get(*p))
        .collect();
    assert!(changed.is_empty(), "differ from the plan: {changed:?}");
}

/// bump (files in the checkout): one all-or-nothing write of every manifest,
/// the lock and the version header, and nothing else.
#[test]
fn a_bump_plans_its_files_and_applying_writes_exactly_them() {
    let s = Sandbox::new("");
    let (ctx, _) = open(&s, "2026-01-05");
    let opts = train::bump::BumpOpts {
        level: Level::Patch,
        hooks: true,
        allow_downgrade: false,
    };
    let plan = train::bump::plan(&ctx, &opts).unwrap();
    let [Effect::Files(f)] = plan.effects.as_slice() else {
        panic!("{}", plan.render());
    };
    let paths: Vec<String> = f
        .changes
        .files
        .iter()
        .map(|c| c.path.display().to_string())
        .collect();
    for p in ["Cargo.toml", "Cargo.lock", "crates/c-api/include/rail.h"] {
        assert!(paths.iter().any(|x| x == p), "{p} in {paths:?}");
    }
    let before = snapshot(&s.ws);
    apply::apply(&plan, &Executor::new()).unwrap();
    writes_exactly(&s.ws, &before, &plan);
}

/// artifacts --gather: the archives copied, the source tarball, one
/// SHA256SUMS of exactly those files, all in --out.
#[test]
fn a_gather_plans_its_copies_and_sums_and_applying_writes_exactly_them() {
    let s = Sandbox::new("");
    let (ctx, repo) = open(&s, "2026-01-05");
    let from = s.root().join("from");
    for (dir, name) in [("a", "rail-1.0.0-x.tar.gz"), ("b", "rail-1.0.0-y.zip")] {
        let d = from.join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(name), format!("{name} bytes")).unwrap();
        let line = cargo_train::adapters::archive::sha256_line(&d.join(name)).unwrap();
        std::fs::write(d.join("SHA256SUMS"), format!("{line}\n")).unwrap();
    }
    let out = s.root().join("dist");
    let dirs = [from.join("a"), from.join("b")];
    let plan = train::artifacts::plan_gather(&ctx, &dirs, &out, true).unwrap();
    let copies: Vec<&Path> = plan
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Copy { to, .. } => Some(to.as_path()),
            _ => None,
        })
        .collect();
    assert_eq!(copies.len(), 2);
    let Some(Effect::Sums { file, files }) = plan.effects.last() else {
        panic!("{}", plan.render());
    };
    assert!(!out.exists(), "planning wrote nothing");
    carry_out(&repo, &plan);
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut planned: Vec<String> = files
        .iter()
        .chain([file])
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    planned.sort();
    assert_eq!(written, planned);
    let sums = std::fs::read_to_string(file).unwrap();
    assert_eq!(sums.lines().count(), files.len(), "{sums}");
}

/// dashboard: the directory made, then its one file, and nothing else (the
/// checkout and the origin untouched); planning writes nothing.
#[test]
fn a_dashboard_plans_its_page_and_applying_writes_exactly_it() {
    let s = Sandbox::new("");
    // No advisory database: the page says so (and nothing is fetched).
    let text = std::fs::read_to_string(s.ws.join("train.toml")).unwrap();
    let cfg = s.root().join("dashboard.toml");
    let none = s.root().join("no-db");
    std::fs::write(
        &cfg,
        format!("{text}\n[advisories]\ndb = \"{}\"\n", none.display()),
    )
    .unwrap();
    let opts = Options {
        config: Some(cfg),
        ..options(&s)
    };
    let ctx = Context::load(&opts).unwrap();
    let repo = Repo::open(
        ctx.root.clone(),
        ctx.config.clone(),
        Some("2026-01-02".parse().unwrap()),
    )
    .unwrap();
    let out = s.root().join("site");
    let plan = train::dashboard::plan(
        &ctx,
        &repo,
        &opts,
        &train::dashboard::DashboardOpts {
            out: out.clone(),
            months: 12,
        },
    )
    .unwrap();
    let [Effect::CreateDir(dir), Effect::Files(f)] = plan.effects.as_slice() else {
        panic!("{}", plan.render());
    };
    assert_eq!((dir, &f.root), (&out, &out));
    assert!(!out.exists(), "planning wrote nothing");
    let (tree, refs) = (snapshot(&s.ws), origin_refs(&s));
    carry_out(&repo, &plan);
    writes_exactly(&out, &BTreeMap::new(), &plan);
    assert_eq!(snapshot(&s.ws), tree);
    assert_eq!(origin_refs(&s), refs);
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("no advisory database is available"), "{page}");
}
