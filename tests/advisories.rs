//! The advisory gate and `cargo train advisories`: release branches whose
//! Cargo.lock locks a crates.io dependency with an unpatched RustSec
//! advisory are not released or patched, and are listed. Through the real
//! binary, on real git: the database is a git repository made here, laid
//! out as RustSec's advisory-db (`crates/<crate>/RUSTSEC-YYYY-NNNN.md`,
//! TOML front matter), committed on fixed days, so that its age is known.

mod common;
use common::sandbox::{Sandbox, git_at};
use std::path::{Path, PathBuf};

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// An advisory database in `dir`, a git repository with one commit dated
/// `day` holding RUSTSEC-2021-0003 (`smallvec` below 1.6.1).
fn database(dir: &Path, day: &str) -> PathBuf {
    let db = dir.join("advisory-db");
    std::fs::create_dir_all(&db).unwrap();
    git_at(&db, &at(day), &["init", "--quiet", "-b", "main"]);
    for (k, v) in [
        ("user.name", "RustSec"),
        ("user.email", "rustsec@example.invalid"),
        ("commit.gpgsign", "false"),
    ] {
        git_at(&db, &at(day), &["config", k, v]);
    }
    publish(
        &db,
        day,
        "RUSTSEC-2021-0003",
        ">= 1.6.1",
        "Buffer overflow in SmallVec::insert_many",
    );
    db
}

fn at(day: &str) -> String {
    format!("{day}T12:00:00Z")
}

/// Commits an advisory for `smallvec` to the database `db` on `day`.
fn publish(db: &Path, day: &str, id: &str, patched: &str, title: &str) {
    let dir = db.join("crates/smallvec");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{id}.md")),
        format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"smallvec\"\ndate = \"2021-01-08\"\n\
             categories = [\"memory-corruption\"]\n\n[versions]\npatched = [\"{patched}\"]\n```\n\n\
             # {title}\n\nA bug, for the tests.\n"
        ),
    )
    .unwrap();
    git_at(db, &at(day), &["add", "--all"]);
    git_at(db, &at(day), &["commit", "--quiet", "-m", id]);
}

/// `config` after the sandbox's own train.toml, in a file outside the
/// checkout (so that the tree stays clean): its `--config` arguments.
fn config(s: &Sandbox, name: &str, config: &str) -> Vec<String> {
    let text = std::fs::read_to_string(s.ws.join("train.toml")).unwrap();
    let path = s.root().join(name);
    std::fs::write(&path, format!("{text}\n{config}")).unwrap();
    vec!["--config".into(), path.display().to_string()]
}

/// `args` then `extra`, as the `&str`s `train` takes.
fn with<'a>(args: &[&'a str], extra: &'a [String]) -> Vec<&'a str> {
    args.iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .collect()
}

/// `branch`'s Cargo.lock on the origin with `smallvec` locked at
/// `version` (added if missing), pushed.
fn lock_smallvec(s: &Sandbox, branch: &str, version: &str) {
    let lock = s.file_at(branch, "Cargo.lock");
    let block = format!(
        "[[package]]\nname = \"smallvec\"\nversion = \"{version}\"\nsource = \"{CRATES_IO}\"\n\
         checksum = \"{}\"\n",
        "0".repeat(64)
    );
    let text = match lock.find("[[package]]\nname = \"smallvec\"\n") {
        Some(i) => {
            let end = lock[i + 1..]
                .find("\n[[package]]")
                .map_or(lock.len(), |j| i + 1 + j + 1);
            format!("{}{block}{}", &lock[..i], &lock[end..])
        }
        None => format!("{}\n{block}", lock.trim_end()),
    };
    s.commit_on(
        branch,
        "Cargo.lock",
        &text,
        &format!("Lock smallvec {version}\n\nBranch-only: a test fixture"),
    );
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
}

/// Runs `args`, which must fail and change nothing; returns stderr.
fn refused(s: &Sandbox, date: &str, args: &[&str]) -> String {
    let before = s.state();
    let r = s.train(date, args).failure();
    assert_eq!(s.state(), before, "{args:?} changed something");
    r.stderr
}

/// `release` refuses a branch whose Cargo.lock has a dependency an
/// advisory affects, naming crate, version, advisory and the fixed
/// versions, and changes nothing; an `ignore` entry with its reason lets
/// it through (and says so); a fixed version passes.
#[test]
fn an_advisory_on_a_shipped_dependency_blocks_the_release_until_fixed_or_ignored() {
    let s = Sandbox::new("");
    let db = database(s.root(), "2026-01-10");
    let url = db.display().to_string();
    let gate = config(
        &s,
        "gate.toml",
        &format!("[advisories]\ngate = true\nurl = {url:?}\n"),
    );
    lock_smallvec(&s, "main", "1.6.0");
    s.train("2026-01-05", &["cut"]).success();

    // Off by default: the sandbox's own configuration does not check.
    s.train("2026-01-20", &["release", "--dry-run"]).success();

    let e = refused(&s, "2026-01-20", &with(&["release"], &gate));
    assert!(
        e.contains("RustSec database of 2026-01-10 (commit ")
            && e.contains("10 days old), cloned from "),
        "{e}"
    );
    assert!(
        e.contains(
            "release-1.0.0: `smallvec` 1.6.0: RUSTSEC-2021-0003 (Buffer overflow in \
             SmallVec::insert_many); fixed in >=1.6.1 \
             <https://rustsec.org/advisories/RUSTSEC-2021-0003>"
        ),
        "{e}"
    );
    assert!(
        e.contains("update `smallvec` to a fixed version on `main`")
            && e.contains("{ id = \"RUSTSEC-2021-0003\", reason = \"why\" }"),
        "{e}"
    );
    // The same from `verify --advisories`, for the checkout's Cargo.lock.
    s.git(&["checkout", "--quiet", "release-1.0.0"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "release-1.0.0"]);
    let r = s
        .train("2026-01-20", &with(&["verify", "--advisories"], &gate))
        .failure();
    assert!(
        r.stderr
            .contains("error: Cargo.lock: `smallvec` 1.6.0: RUSTSEC-2021-0003"),
        "{}",
        r.stderr
    );
    s.git(&["checkout", "--quiet", "main"]);

    // Ignored, with its reason: released, and said so.
    let ignored = config(
        &s,
        "ignored.toml",
        &format!(
            "[advisories]\ngate = true\nurl = {url:?}\nignore = [\n  {{ id = \"RUSTSEC-2021-0003\", \
             reason = \"insert_many is never called\" }},\n]\n"
        ),
    );
    let r = s
        .train("2026-01-20", &with(&["release", "--dry-run"], &ignored))
        .success();
    assert!(
        r.stderr.contains(
            "Ignored RUSTSEC-2021-0003 in `smallvec` 1.6.0 on `release-1.0.0`: insert_many is \
             never called"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("fetched from "), "{}", r.stderr);
    // Without the reason, the configuration is refused.
    let no_reason = config(
        &s,
        "no-reason.toml",
        "[advisories]\ngate = true\nignore = [{ id = \"RUSTSEC-2021-0003\" }]\n",
    );
    let e = refused(&s, "2026-01-20", &with(&["release"], &no_reason));
    assert!(e.contains("missing field `reason`"), "{e}");

    // Fixed on the branch: released.
    lock_smallvec(&s, "release-1.0.0", "1.6.1");
    let r = s.train("2026-01-20", &with(&["release"], &gate)).success();
    assert!(
        r.stderr
            .contains("`release-1.0.0`: no unpatched advisory in its 1 crates.io dependencies"),
        "{}",
        r.stderr
    );
    let head = s.origin_git(&["log", "-1", "--format=%s", "release-1.0.0"]);
    assert_eq!(head.trim(), "Release Rail 1.0.0");
}

/// `patch` runs the gate too, against a database fetched again on each
/// run (an advisory published since the release is seen); when the fetch
/// fails the cached copy is used and its age warned about; with no
/// database at all the run fails, saying what to do; a local clone
/// (`db`) older than `stale-days` is warned about.
#[test]
fn patch_checks_a_fetched_database_and_an_old_one_is_warned_about() {
    let s = Sandbox::new("");
    let db = database(s.root(), "2026-01-10");
    let url = db.display().to_string();
    let gate = config(
        &s,
        "gate.toml",
        &format!("[advisories]\ngate = true\nurl = {url:?}\n"),
    );
    lock_smallvec(&s, "main", "1.6.1");
    s.train("2026-01-05", &["cut"]).success();
    s.train("2026-01-20", &with(&["release"], &gate)).success();
    s.backport("Fix A");

    // Published after the release: smallvec 1.6.1 is affected too.
    publish(
        &db,
        "2026-02-01",
        "RUSTSEC-2026-0001",
        ">= 1.6.5",
        "Use after free in SmallVec::drain",
    );
    let patch = with(&["patch", "--branch", "release-1.0.0"], &gate);
    let e = refused(&s, "2026-02-03", &patch);
    assert!(
        e.contains("RustSec database of 2026-02-01") && e.contains("2 days old), fetched from "),
        "{e}"
    );
    assert!(
        e.contains(
            "release-1.0.0: `smallvec` 1.6.1: RUSTSEC-2026-0001 (Use after free in \
             SmallVec::drain); fixed in >=1.6.5"
        ),
        "{e}"
    );
    assert!(!e.contains("RUSTSEC-2021-0003"), "{e}");

    // Offline: the copy fetched before, its age, and still the gate.
    let offline = config(
        &s,
        "offline.toml",
        &format!(
            "[advisories]\ngate = true\nurl = {:?}\n",
            s.root().join("gone").display().to_string()
        ),
    );
    let e = refused(
        &s,
        "2026-03-01",
        &with(&["patch", "--branch", "release-1.0.0"], &offline),
    );
    assert!(
        e.contains("could not fetch the advisory database from ")
            && e.contains(
                "checking against the copy fetched before, of 2026-02-01, 28 days old: \
                 advisories published since are not checked"
            ),
        "{e}"
    );
    assert!(e.contains("RUSTSEC-2026-0001"), "{e}");
    lock_smallvec(&s, "release-1.0.0", "1.6.5");
    let r = s
        .train(
            "2026-03-01",
            &with(
                &["patch", "--branch", "release-1.0.0", "--dry-run"],
                &offline,
            ),
        )
        .success();
    assert!(
        r.stderr
            .contains("Warning could not fetch the advisory database"),
        "{}",
        r.stderr
    );

    // No database at all: an error that says what to do, never a pass.
    let fresh = Sandbox::new("");
    let none = config(
        &fresh,
        "none.toml",
        &format!(
            "[advisories]\ngate = true\nurl = {:?}\n",
            fresh.root().join("gone").display().to_string()
        ),
    );
    fresh.train("2026-01-05", &["cut"]).success();
    let e = refused(&fresh, "2026-01-20", &with(&["release"], &none));
    assert!(
        e.contains("no advisory database: cloning ")
            && e.contains("set `[advisories] db = \"PATH\"` to that clone"),
        "{e}"
    );

    // A local clone, read as it is: 50 days old is stale.
    let local = config(
        &s,
        "local.toml",
        &format!("[advisories]\ngate = true\ndb = {url:?}\n"),
    );
    let r = s
        .train(
            "2026-03-23",
            &with(&["patch", "--branch", "release-1.0.0", "--dry-run"], &local),
        )
        .success();
    assert!(
        r.stderr.contains(&format!(
            "the advisory database at {url} is of 2026-02-01, 50 days old (more than \
             `stale-days = 7`)"
        )) && r.stderr.contains("the local clone"),
        "{}",
        r.stderr
    );
}

/// `advisories --supported` lists, newest first, each supported branch an
/// advisory affects, and the commands that patch them; exit 1. `--id`
/// asks about one advisory; an id the database lacks is an error.
#[test]
fn advisories_supported_lists_the_branches_an_advisory_affects() {
    let s = Sandbox::new("");
    let db = database(s.root(), "2026-03-01");
    let url = db.display().to_string();
    // The gate is off: `advisories` checks all the same.
    let cfg = config(&s, "adv.toml", &format!("[advisories]\nurl = {url:?}\n"));
    for (cut, release, n, locked) in [
        ("03-01", "03-02", 1, "1.6.0"),
        ("03-05", "03-06", 2, "1.6.1"),
        ("03-09", "03-10", 3, "1.6.0"),
    ] {
        lock_smallvec(&s, "main", locked);
        s.train(&format!("2026-{cut}"), &["cut", "--force"])
            .success();
        let branch = format!("release-{n}.0.0");
        s.train(
            &format!("2026-{release}"),
            &["release", "--branch", &branch],
        )
        .success();
        s.git(&["fetch", "--quiet", "origin"]);
        let tip = s.git(&["rev-parse", &format!("origin/{branch}")]);
        s.git(&["tag", &format!("v{n}.0.0"), tip.trim()]);
        s.git(&["push", "--quiet", "origin", &format!("v{n}.0.0")]);
    }
    let r = s
        .train("2026-03-20", &with(&["advisories", "--supported"], &cfg))
        .failure();
    let fixed = "`smallvec` 1.6.0: RUSTSEC-2021-0003 (Buffer overflow in \
                 SmallVec::insert_many); fixed in >=1.6.1 \
                 <https://rustsec.org/advisories/RUSTSEC-2021-0003>";
    assert_eq!(
        r.stdout,
        format!(
            "release-3.0.0: {fixed}\n\
             release-2.0.0: no unpatched advisory in its 1 crates.io dependencies\n\
             release-1.0.0: {fixed}\n\
             affected: release-3.0.0, release-1.0.0\n\
             to patch them: fix on `main`, `cargo train backport COMMIT --to release-3.0.0 \
             --to release-1.0.0`, then `cargo train patch --supported`\n"
        )
    );
    assert!(
        r.stderr.contains("RustSec database of 2026-03-01") && r.stderr.contains("19 days old"),
        "{}",
        r.stderr
    );

    let r = s
        .train(
            "2026-03-20",
            &with(
                &[
                    "advisories",
                    "--supported",
                    "--id",
                    "rustsec-2021-0003",
                    "--format",
                    "json",
                ],
                &cfg,
            ),
        )
        .failure();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["affected"],
        serde_json::json!(["release-3.0.0", "release-1.0.0"])
    );
    assert_eq!(v["id"], "RUSTSEC-2021-0003");
    assert_eq!(v["database"]["date"], "2026-03-01");
    assert_eq!(v["database"]["age-days"], 19);
    assert_eq!(v["branches"][0]["findings"][0]["crate"], "smallvec");
    assert_eq!(
        v["branches"][0]["findings"][0]["patched"],
        serde_json::json!([">=1.6.1"])
    );

    let e = s
        .train(
            "2026-03-20",
            &with(
                &["advisories", "--supported", "--id", "RUSTSEC-2099-0001"],
                &cfg,
            ),
        )
        .failure()
        .stderr;
    assert!(
        e.contains(
            "RUSTSEC-2099-0001 is not in the advisory database (1 advisories, of 2026-03-01)"
        ),
        "{e}"
    );

    // One branch, and one that is not affected: exit 0.
    let r = s
        .train(
            "2026-03-20",
            &with(&["advisories", "--branch", "release-2.0.0"], &cfg),
        )
        .success();
    assert_eq!(
        r.stdout,
        "release-2.0.0: no unpatched advisory in its 1 crates.io dependencies\n"
    );
}
