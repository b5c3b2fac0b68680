//! Interrupted runs: the train stopped by a signal at any moment of an
//! operation, a forge that goes away after the push, a hook that never
//! ends. Whatever happens, the user's checkout is as it was, and running
//! the same command again finishes the job. Driven only through the CLI.
//!
//! `CARGO_TRAIN_INTERRUPT_TRIALS`: interrupts per operation and signal
//! (default 4); `CARGO_TRAIN_INTERRUPT_GIT_DELAY_MS`: how long each git
//! command is held up to spread them over the run (default 20).

mod common;
use common::faults::{
    Checkout, Running, Signal, SlowGit, origin_trees, scratch, scratch_dirs, tmpdir, train_within,
};
use common::github_sim::GithubSim;
use common::sandbox::Sandbox;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The interrupt tests take turns: each measures a clean run and times its
/// interrupts by it, which a neighbour sharing the cores would upset.
static SERIAL: Mutex<()> = Mutex::new(());

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} is {v:?}, not a number")),
        Err(_) => default,
    }
}

/// An operation with work to do, and how to reach the state it starts from.
struct Op {
    name: &'static str,
    setup: fn(&Sandbox),
    date: &'static str,
    args: &'static [&'static str],
    /// Without a forge, a completed cut fast-forwards the local main
    /// branch to the bump it pushed: the checkout may end as after a clean
    /// run instead of as before.
    may_advance: bool,
}

fn cut_done(s: &Sandbox) {
    s.train("2026-01-05", &["cut"]).success();
}

const CUT: Op = Op {
    name: "cut",
    setup: |_| {},
    date: "2026-01-05",
    args: &["cut"],
    may_advance: true,
};
const RC: Op = Op {
    name: "rc",
    setup: |s| {
        cut_done(s);
        s.backport("Fix");
    },
    date: "2026-01-07",
    args: &["rc"],
    may_advance: false,
};
const RELEASE: Op = Op {
    name: "release",
    setup: cut_done,
    date: "2026-01-20",
    args: &["release"],
    may_advance: false,
};
const PATCH: Op = Op {
    name: "patch",
    setup: |s| {
        cut_done(s);
        s.train("2026-01-20", &["release"]).success();
        s.backport("Fix");
    },
    date: "2026-02-02",
    args: &["patch"],
    may_advance: false,
};
const PATCH_SET: Op = Op {
    name: "patch --supported",
    setup: |s| {
        cut_done(s);
        s.train("2026-01-20", &["release"]).success();
        s.train("2026-01-21", &["cut", "--force"]).success();
        s.train("2026-01-22", &["release"]).success();
        // Tagged as CI would: `supported` goes by the release tags' dates.
        s.git(&["fetch", "--quiet", "origin"]);
        for v in ["1.0.0", "2.0.0"] {
            s.git(&["tag", &format!("v{v}"), &format!("origin/release-{v}")]);
        }
        s.git(&["push", "--quiet", "--tags", "origin"]);
        s.backport("Fix");
        // And one on release-2.0.0: the set has two members.
        s.commit_on(
            "release-2.0.0",
            "crates/core/src/lib.rs",
            "// Fix 2\n",
            "Fix 2\n\nBranch-only: a test fixture",
        );
    },
    date: "2026-02-02",
    args: &["patch", "--supported"],
    may_advance: false,
};
const BACKPORT: Op = Op {
    name: "backport",
    setup: |s| {
        cut_done(s);
        s.train("2026-01-20", &["release"]).success();
        // A fix on main (a new file: it picks cleanly).
        s.git(&["checkout", "--quiet", "main"]);
        std::fs::write(s.ws.join("crates/core/src/fix.rs"), "// Fix\n").unwrap();
        s.git(&["add", "crates/core/src/fix.rs"]);
        s.git(&["commit", "--quiet", "-m", "Fix on main"]);
        s.git(&["push", "--quiet", "origin", "main"]);
    },
    date: "2026-01-25",
    args: &["backport", "main", "--to", "release-1.0.0"],
    may_advance: false,
};
const TICK_CUT: Op = Op {
    name: "tick on a cut day",
    setup: |_| {},
    date: "2026-01-05",
    args: &["tick"],
    may_advance: true,
};
const TICK_RELEASE: Op = Op {
    name: "tick on a release day",
    setup: cut_done,
    date: "2026-01-20",
    args: &["tick"],
    may_advance: false,
};

/// The first line of an error, for counting failures by their cause.
fn error_line(stderr: &str) -> String {
    let l = stderr
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("(no output)")
        .trim();
    l.chars().take(140).collect()
}

/// What is wrong with how a run ended after `sig`, if anything: a run
/// the signal stopped exits as the shell reports that signal (130, 143) and
/// says it was interrupted and that the same command finishes the job; one
/// that was done already exits 0.
fn exit_after(sig: Signal, e: &common::faults::Ended) -> Option<String> {
    let want = match sig {
        Signal::Int => 130,
        Signal::Term | Signal::TermGroup => 143,
        Signal::Kill => return None,
    };
    // Ended by the signal itself (before the train installed its
    // handlers: nothing had started): the shell reports 128 + the signal.
    use std::os::unix::process::ExitStatusExt;
    if e.before_signal || e.status.success() || e.status.signal() == Some(want - 128) {
        return None;
    }
    let said =
        e.stderr.contains("interrupted by SIG") && e.stderr.contains("run the same command again");
    match e.status.code() {
        Some(c) if c == want && said => None,
        Some(c) if c == want => Some(format!(
            "exit {c} without saying it was interrupted: {}",
            error_line(&e.stderr)
        )),
        code => Some(format!(
            "exit {code:?}, not {want}: {}",
            error_line(&e.stderr)
        )),
    }
}

/// How the origin differs from `want`, by ref.
fn origin_differences(got: &BTreeMap<String, String>, want: &BTreeMap<String, String>) -> String {
    let mut d: Vec<String> = Vec::new();
    for (r, t) in want {
        match got.get(r) {
            None => d.push(format!("{r} missing")),
            Some(g) if g != t => d.push(format!("{r} at another tree")),
            _ => {}
        }
    }
    for r in got.keys().filter(|r| !want.contains_key(*r)) {
        d.push(format!("{r} extra"));
    }
    d.join(", ")
}

#[derive(Default)]
struct Tally {
    tried: usize,
    ended_before_signal: usize,
    /// Trials whose git (or other child) outlived the train.
    orphans: usize,
    failed: usize,
    /// Each problem, how many trials had it, and the earliest moment.
    problems: BTreeMap<String, (usize, Duration)>,
}

/// Starts `op` in fresh copies of its starting state and interrupts it at
/// moments spread evenly over a clean run, with each signal; then checks
/// the checkout, re-runs the command and checks the origin.
fn interrupts(op: &Op) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let trials = env_number("CARGO_TRAIN_INTERRUPT_TRIALS", 4) as usize;
    let delay = Duration::from_millis(env_number("CARGO_TRAIN_INTERRUPT_GIT_DELAY_MS", 20));
    let slow = SlowGit::new(delay);
    let scratch = scratch();
    let template = Sandbox::new("");
    (op.setup)(&template);
    let start_origin = origin_trees(&template);
    let limit = Duration::from_secs(300);
    let rerun_limit = Duration::from_secs(120);
    let slowed = |s: &Sandbox, name: &str| {
        let mut cmd = s.command(op.date, op.args);
        cmd.env("PATH", &slow.path).env("TMPDIR", tmpdir(s));
        Running::start(s, cmd, name)
    };

    // The reference: one clean run, slowed down like the trials, timed.
    let clean = template.duplicate_in(&scratch);
    let before = Checkout::of(&clean);
    let e = slowed(&clean, "clean").finish(None, limit);
    assert!(e.status.success(), "the clean run failed:\n{}", e.stderr);
    let run_time = e.took;
    let advanced = Checkout::of(&clean);
    let want_origin = origin_trees(&clean);
    assert_ne!(want_origin, start_origin, "the clean run pushed nothing");
    let mut clean_problems = Vec::new();
    if !op.may_advance && advanced != before {
        clean_problems.push(format!(
            "the clean run changed the checkout: {}",
            advanced.differences(&before).join("; ")
        ));
    }

    let mut tallies: BTreeMap<Signal, Tally> = BTreeMap::new();
    for i in 0..trials {
        for (k, &sig) in Signal::ALL.iter().enumerate() {
            // Evenly spaced over the run, each signal a little offset.
            let at = run_time.mul_f64((i as f64 + (k as f64 + 1.0) / 4.0) / trials as f64);
            let s = template.duplicate_in(&scratch);
            let before = Checkout::of(&s);
            let e = slowed(&s, "trial").finish(Some((sig, at)), limit);
            let mut found = Vec::new();
            if e.ignored_signal {
                found.push("still ran 30s after the signal".to_string());
            }
            if let Some(wrong) = exit_after(sig, &e) {
                found.push(wrong);
            }
            let now = Checkout::of(&s);
            if now != before && !(op.may_advance && now == advanced) {
                found.extend(now.differences(&before));
            }
            let origin = origin_trees(&s);
            if origin != start_origin && origin != want_origin {
                found.push(format!(
                    "origin half-way after the interrupt ({})",
                    origin_differences(&origin, &want_origin)
                ));
            }
            // The same command again, at full speed: it finishes the job.
            let mut cmd = s.command(op.date, op.args);
            cmd.env("TMPDIR", tmpdir(&s));
            let r = Running::start(&s, cmd, "rerun").finish(None, rerun_limit);
            if r.took >= rerun_limit {
                found.push(format!("re-run still ran after {rerun_limit:?}"));
            } else if !r.status.success() {
                found.push(format!("re-run failed: {}", error_line(&r.stderr)));
            } else {
                // A scratch directory a `kill -9` left is the re-run's to remove.
                let left = scratch_dirs(&s);
                if !left.is_empty() {
                    found.push(format!("scratch left after the re-run: {left:?}"));
                }
                let origin = origin_trees(&s);
                if origin != want_origin {
                    found.push(format!(
                        "origin after the re-run not as after a clean run ({})",
                        origin_differences(&origin, &want_origin)
                    ));
                }
            }
            let t = tallies.entry(sig).or_default();
            t.tried += 1;
            t.ended_before_signal += usize::from(e.before_signal);
            t.orphans += usize::from(e.stragglers);
            t.failed += usize::from(!found.is_empty());
            for f in found {
                let p = t.problems.entry(f).or_insert((0, at));
                p.0 += 1;
                p.1 = p.1.min(at);
            }
        }
    }

    let mut report = format!(
        "interrupting `{}` ({} {}): a clean run takes {:.2}s with each git held {}ms\n",
        op.name,
        op.args.join(" "),
        op.date,
        run_time.as_secs_f64(),
        delay.as_millis()
    );
    for p in &clean_problems {
        report.push_str(&format!("  {p}\n"));
    }
    let mut failed = clean_problems.len();
    for (sig, t) in &tallies {
        failed += t.failed;
        report.push_str(&format!(
            "  {}: {} tried, {} ended before the signal, {} left a child running, {} failed\n",
            sig.name(),
            t.tried,
            t.ended_before_signal,
            t.orphans,
            t.failed
        ));
        for (p, (n, first)) in &t.problems {
            report.push_str(&format!(
                "    {n:>3} × {p} (earliest at {:.2}s)\n",
                first.as_secs_f64()
            ));
        }
    }
    eprint!("{report}");
    let tried: usize = tallies.values().map(|t| t.tried).sum();
    assert!(
        failed == 0,
        "{failed} of {tried} interrupted runs of `{}` went wrong (counted above)",
        op.name
    );
}

#[test]
fn interrupted_cut() {
    interrupts(&CUT);
}

#[test]
fn interrupted_rc() {
    interrupts(&RC);
}

#[test]
fn interrupted_release() {
    interrupts(&RELEASE);
}

#[test]
fn interrupted_patch() {
    interrupts(&PATCH);
}

#[test]
fn interrupted_patch_set() {
    interrupts(&PATCH_SET);
}

#[test]
fn interrupted_backport() {
    interrupts(&BACKPORT);
}

#[test]
fn interrupted_tick_on_a_cut_day() {
    interrupts(&TICK_CUT);
}

#[test]
fn interrupted_tick_on_a_release_day() {
    interrupts(&TICK_RELEASE);
}

const TOKEN: &str = "ghp_canaryTokenForCargoTrainTests0123456789";

/// The pull requests on the simulator: (head, base, title).
fn pulls(sim: &GithubSim) -> Vec<(String, String, String)> {
    sim.state()["pulls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let f = |k: &str| p[k].as_str().unwrap().to_string();
            (f("head"), f("base"), f("title"))
        })
        .collect()
}

#[test]
fn github_down_after_the_push_leaves_the_pull_requests_to_the_rerun() {
    // Not beside an interrupt test: node starting up would upset its timing.
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let sim = GithubSim::start();
    // The API is down for longer than the run's retry budget (2 s).
    let s = Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\", retry-budget-secs = 2 }}\n",
        sim.url()
    ));
    // Every push that changes the origin, logged by the origin.
    let log = s.log_pushes();
    let pushes = || log.pushes().len();
    let env = [("GITHUB_TOKEN", TOKEN)];
    let bound = Duration::from_secs(60);

    // The API fails every pull-request call; the push goes through.
    sim.post("/_test/fault", json!({"status": 503}));
    let before = Checkout::of(&s);
    let e = train_within(&s, "2026-01-05", &["cut"], &env, bound);
    assert!(!e.status.success(), "{}", e.stderr);
    assert!(!e.stderr.contains(TOKEN) && !e.stdout.contains(TOKEN));
    assert_eq!(pushes(), 1);
    for b in ["release-1.0.0", "ci/bump-to-2.0.0", "ci/rc-1.0.0-rc.1"] {
        assert!(s.remote_oid(b).is_some(), "{b} was not pushed");
    }
    assert!(pulls(&sim).is_empty());
    // The error says what is left: both pull requests, by their branches
    // (which the progress lines before it name anyway).
    let error = &e.stderr[e.stderr.find("error").unwrap_or(0)..];
    assert!(error.contains("pull request"), "{}", e.stderr);
    for head in ["ci/bump-to-2.0.0", "ci/rc-1.0.0-rc.1"] {
        assert!(error.contains(head), "{head} not named:\n{}", e.stderr);
    }
    assert_eq!(Checkout::of(&s), before, "the checkout changed");
    let origin = origin_trees(&s);

    // The API is back: the re-run opens the two pull requests, nothing else.
    sim.post("/_test/fault", json!({}));
    let from = sim.request_count();
    let e = train_within(&s, "2026-01-05", &["cut"], &env, bound);
    assert!(e.status.success(), "{}", e.stderr);
    assert_eq!(
        sim.changes_since(from),
        ["POST /repos/o/r/pulls", "POST /repos/o/r/pulls"],
        "{}",
        e.stderr
    );
    let mut got = pulls(&sim);
    got.sort();
    assert_eq!(
        got,
        [
            (
                "ci/bump-to-2.0.0".to_string(),
                "main".to_string(),
                "Bump Rail to 2.0.0".to_string()
            ),
            (
                "ci/rc-1.0.0-rc.1".into(),
                "release-1.0.0".into(),
                "Release Rail 1.0.0-rc.1".into()
            ),
        ]
    );
    assert_eq!(pushes(), 1, "the re-run pushed");
    assert_eq!(origin_trees(&s), origin);
    assert_eq!(Checkout::of(&s), before, "the checkout changed");

    // A third run has nothing to do.
    let from = sim.request_count();
    let e = train_within(&s, "2026-01-05", &["cut"], &env, bound);
    assert!(e.status.success(), "{}", e.stderr);
    assert!(e.stderr.contains("nothing to do"), "{}", e.stderr);
    assert_eq!(sim.changes_since(from), Vec::<String>::new());
    assert_eq!(pulls(&sim).len(), 2);
    assert_eq!(pushes(), 1);
    assert_eq!(origin_trees(&s), origin);
}

#[test]
fn an_after_bump_hook_that_never_ends_fails_the_cut_within_its_bound() {
    // The hook starts a child that would leave a mark after 3 s, then waits
    // forever; after 1 s both must be gone.
    let outside = tempfile::tempdir().unwrap();
    let late = outside.path().join("late");
    let s = Sandbox::new(&format!(
        "hook-timeout-secs = 1\nafter-bump = [\"(sleep 3; touch '{}') & sleep 600\"]\n",
        late.display()
    ));
    let before = Checkout::of(&s);
    let origin = s.origin_git(&["for-each-ref", "--format=%(refname) %(objectname)"]);
    let tmp = tmpdir(&s);
    let e = train_within(
        &s,
        "2026-01-05",
        &["cut"],
        &[("TMPDIR", &tmp)],
        Duration::from_secs(60),
    );
    assert!(!e.status.success(), "{}", e.stderr);
    assert!(e.took < Duration::from_secs(20), "took {:?}", e.took);
    assert!(
        e.stderr
            .contains("did not finish within 1s and was stopped"),
        "{}",
        e.stderr
    );
    let diff = Checkout::of(&s).differences(&before);
    assert!(diff.is_empty(), "the checkout changed: {diff:?}");
    assert_eq!(
        s.origin_git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        origin
    );
    // The hook's child was stopped too: nothing happens later.
    std::thread::sleep(Duration::from_secs(4));
    assert!(!late.exists(), "the hook's child outlived the run");
    assert_eq!(Checkout::of(&s).differences(&before), Vec::<String>::new());
}
