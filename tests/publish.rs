//! `cargo train publish` and `yank-rcs` against a real registry (kellnr on
//! 127.0.0.1), through a fault-injecting proxy where the test needs one.

mod common;
#[path = "../benches/support/synthetic.rs"]
mod synthetic;
use common::Run;
use common::kellnr::{Kellnr, TOKEN};
use common::proxy::{Event, Proxy};
use common::trustpub;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Ws = common::RegistryWs;

/// The demo's 12-crate workspace (11 publish), on registry `kellnr` at the
/// sparse index `index`.
fn workspace(index: &str) -> Ws {
    common::sample_on_registry("kellnr", &format!("sparse+{index}"), "")
}

fn train(dir: &Path, args: &[&str]) -> Run {
    train_with(dir, args, &[("CARGO_REGISTRIES_KELLNR_TOKEN", TOKEN)])
}

/// Runs cargo-train with `env`; no registry token unless `env` has one.
fn train_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-train"))
        .arg("train")
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO_REGISTRIES_KELLNR_TOKEN")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let r = Run::from(out);
    // Tokens are canaries: none may ever be printed.
    for canary in [
        TOKEN,
        trustpub::REQUEST_TOKEN,
        "jwt-canary",
        "cio-tp-canary",
    ] {
        assert!(
            !r.stdout.contains(canary) && !r.stderr.contains(canary),
            "a token was printed:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
    r
}

fn publishable() -> Vec<String> {
    let mut v: Vec<String> = cargo_train::demo::sample::files()
        .into_iter()
        .filter(|(p, t)| {
            p.ends_with("Cargo.toml") && p != "Cargo.toml" && !t.contains("publish = false")
        })
        .map(|(_, t)| {
            t.lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .unwrap()
                .trim_end_matches('"')
                .to_string()
        })
        .collect();
    v.sort();
    v
}

/// First-party dependencies of each crate, read from its manifest.
fn deps_of(ws: &Path) -> Vec<(String, Vec<String>)> {
    let out = Command::new("cargo")
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(ws)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["path"].is_string() && d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn publishes_in_graph_order_then_nothing_and_dry_run_uploads_nothing() {
    let k = Kellnr::start();
    let proxy = Proxy::start(k.port, usize::MAX); // records, injects nothing
    let ws = workspace(&proxy.index());

    let r = train(&ws.path, &["publish", "--registry", "kellnr", "--dry-run"]).success();
    assert!(
        r.stdout
            .contains("would publish rail-core 1.0.0-dev to kellnr"),
        "{}",
        r.stdout
    );
    for name in publishable() {
        assert!(
            k.versions(&name).is_empty(),
            "{name} was uploaded by a dry run"
        );
    }

    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "3"],
    )
    .success();
    assert!(
        r.stderr.contains("11 published, 0 already there, 0 failed"),
        "{}",
        r.stderr
    );
    for name in publishable() {
        let expected = if name == "rail-macros" || name == "rail-codegen" {
            "0.3.0"
        } else {
            "1.0.0-dev"
        };
        assert_eq!(k.versions(&name), [(expected.to_string(), false)], "{name}");
    }
    assert!(
        k.versions("rail-bench").is_empty(),
        "publish = false was published"
    );

    // Every upload came after the uploads of the crates it depends on.
    let uploads: Vec<String> = proxy
        .events()
        .into_iter()
        .filter(|e| e.1 == "PUT" && e.3 == Event::Forwarded)
        .map(|e| e.2.rsplit(':').next().unwrap().to_string())
        .collect();
    assert_eq!(uploads.len(), 11, "{uploads:?}");
    for (name, deps) in deps_of(&ws.path) {
        let Some(at) = uploads.iter().position(|u| *u == name) else {
            continue;
        };
        for d in deps {
            let dep_at = uploads.iter().position(|u| *u == d).unwrap();
            assert!(
                dep_at < at,
                "{name} was uploaded before its dependency {d}: {uploads:?}"
            );
        }
    }

    let before = proxy.events().len();
    let r = train(&ws.path, &["publish", "--registry", "kellnr"]).success();
    assert!(
        r.stderr
            .contains("nothing: all 11 crates are in `kellnr` already"),
        "{}",
        r.stderr
    );
    assert!(
        proxy.events()[before..].iter().all(|e| e.1 != "PUT"),
        "a second run uploaded"
    );
}

#[test]
fn killed_midway_and_run_again_publishes_every_version_once() {
    for k_done in [1, 4, 8] {
        let k = Kellnr::start();
        // Slow enough that the kill lands in the middle of the run (index
        // confirmations overlap the next uploads, so every request is slow).
        let proxy = Proxy::with_delay(k.port, usize::MAX, Duration::from_millis(250));
        let ws = workspace(&proxy.index());
        let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-train"))
            .args(["train", "publish", "--registry", "kellnr", "--jobs", "1"])
            .current_dir(&ws.path)
            .env("CARGO_REGISTRIES_KELLNR_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let n = publishable()
                .iter()
                .filter(|c| !k.versions(c).is_empty())
                .count();
            if n >= k_done {
                break;
            }
            assert!(Instant::now() < deadline, "publish made no progress");
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // An upload the proxy was holding still reaches the registry, as a
        // killed client's request can: count once it has.
        std::thread::sleep(Duration::from_millis(600));
        let published = publishable()
            .iter()
            .filter(|c| !k.versions(c).is_empty())
            .count();
        assert!(
            published < 11,
            "the run finished before the kill at {k_done}"
        );
        let r = train(&ws.path, &["publish", "--registry", "kellnr"]).success();
        assert!(
            r.stderr.contains(&format!(
                "{} published, {published} already there, 0 failed",
                11 - published
            )),
            "{}",
            r.stderr
        );
        for name in publishable() {
            assert_eq!(
                k.versions(&name).len(),
                1,
                "{name} after a kill at {k_done}: {:?}",
                k.versions(&name)
            );
        }
    }
}

#[test]
fn completes_through_faults_and_honours_retry_after() {
    let k = Kellnr::start();
    let proxy = Proxy::start(k.port, 4);
    let ws = workspace(&proxy.index());
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "2"],
    )
    .success();
    assert!(r.stderr.contains("11 published"), "{}", r.stderr);
    for name in publishable() {
        assert_eq!(k.versions(&name).len(), 1, "{name}");
    }
    let events = proxy.events();
    for kind in [Event::TooMany, Event::ServerError, Event::Dropped] {
        assert!(
            events.iter().any(|e| e.3 == kind),
            "no {kind:?} was injected: {events:?}"
        );
    }
    // After a 429 with `Retry-After: 1`, the same request waited at least 1 s.
    for (i, (t, method, path, ev)) in events.iter().enumerate() {
        if *ev == Event::TooMany
            && let Some((t2, ..)) = events[i + 1..].iter().find(|e| {
                e.1 == *method
                    && e.2.split(':').next() == path.split(':').next()
                    && (path.ends_with("/new") || e.2 == *path)
            })
        {
            assert!(
                t2.duration_since(*t) >= Duration::from_millis(950),
                "{method} {path} came back after {:?}",
                t2.duration_since(*t)
            );
        }
    }
}

#[test]
fn yank_rcs_yanks_exactly_the_superseded_candidates() {
    let k = Kellnr::start();
    let ws = workspace(&k.index());
    let publish = |level: &str| {
        train(&ws.path, &["bump", level]).success();
        train(&ws.path, &["publish", "--registry", "kellnr"]).success();
    };
    publish("rc"); // 1.0.0-rc.1 (rail-macros 0.3.0-rc.1, …)
    publish("rc"); // rc.2
    let r = train(&ws.path, &["yank-rcs", "--registry", "kellnr"]).success();
    assert!(
        r.stderr.contains("Yanked rail-core 1.0.0-rc.1"),
        "{}",
        r.stderr
    );
    assert_eq!(
        k.versions("rail-core"),
        [("1.0.0-rc.1".into(), true), ("1.0.0-rc.2".into(), false)]
    );
    publish("drop-rc"); // 1.0.0
    let r = train(&ws.path, &["yank-rcs", "--registry", "kellnr", "--dry-run"]).success();
    assert!(
        r.stdout.contains("would yank rail-core 1.0.0-rc.2"),
        "{}",
        r.stdout
    );
    assert_eq!(
        k.versions("rail-core")[1],
        ("1.0.0-rc.2".into(), false),
        "a dry run yanked"
    );
    train(&ws.path, &["yank-rcs", "--registry", "kellnr"]).success();
    for name in publishable() {
        let v = k.versions(&name);
        assert_eq!(v.len(), 3, "{name}: {v:?}");
        assert!(
            v.iter()
                .all(|(ver, yanked)| *yanked == ver.contains("-rc.")),
            "{name}: {v:?}"
        );
    }
    let r = train(&ws.path, &["yank-rcs", "--registry", "kellnr"]).success();
    assert!(r.stderr.contains("nothing"), "{}", r.stderr);
}

/// When each crate's upload was accepted (the proxy records it as the
/// upload's answer goes back), in order, since `from` (an index into the log).
fn accepted_uploads(proxy: &Proxy, from: usize) -> Vec<(Instant, String)> {
    proxy.events()[from..]
        .iter()
        .filter(|e| e.1 == "PUT" && e.3 == Event::Forwarded)
        .map(|e| (e.0, e.2.rsplit(':').next().unwrap().to_string()))
        .collect()
}

/// For every first-party edge, how long after its dependency's upload the
/// dependent's was accepted.
fn gaps(ws: &Path, uploads: &[(Instant, String)]) -> Vec<(String, String, Duration)> {
    let mut out = Vec::new();
    for (name, deps) in deps_of(ws) {
        let Some((at, _)) = uploads.iter().find(|u| u.1 == name) else {
            continue;
        };
        for d in deps {
            let (dep_at, _) = uploads.iter().find(|u| u.1 == d).unwrap();
            out.push((name.clone(), d, at.duration_since(*dep_at)));
        }
    }
    assert!(!out.is_empty());
    out
}

/// A fresh kellnr behind a proxy that shows each new version in the index
/// 1 s after its upload (as crates.io's index lags its API), and the sample
/// on it.
fn lagging_registry() -> (Kellnr, Proxy, Ws) {
    let k = Kellnr::start();
    let proxy = Proxy::with_options(
        k.port,
        usize::MAX,
        Duration::ZERO,
        Duration::from_secs(1),
        Duration::ZERO,
    );
    let ws = workspace(&proxy.index());
    (k, proxy, ws)
}

/// Asserts that every dependent's upload went at least `at_least` after
/// its dependencies'.
fn every_edge_waited(ws: &Path, uploads: &[(Instant, String)], at_least: Duration) {
    for (name, d, gap) in gaps(ws, uploads) {
        assert!(gap >= at_least, "{name} went {gap:?} after {d}");
    }
}

#[test]
fn dependents_wait_until_their_dependencies_are_in_the_index() {
    let (_k, proxy, ws) = lagging_registry();
    train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "4"],
    )
    .success();
    let uploads = accepted_uploads(&proxy, 0);
    assert_eq!(uploads.len(), 11);
    every_edge_waited(&ws.path, &uploads, Duration::from_millis(900));
}

#[test]
fn with_the_acceptance_gate_updates_go_once_accepted_new_crates_wait_for_the_index() {
    let (k, proxy, ws) = lagging_registry();
    let toml = std::fs::read_to_string(ws.path.join("train.toml")).unwrap();
    std::fs::write(
        ws.path.join("train.toml"),
        format!("{toml}\n[publish.dependents-wait-for]\nkellnr = \"acceptance\"\n"),
    )
    .unwrap();

    // Every crate is new: a dependent still waits for its dependencies to
    // be in the index.
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "4"],
    )
    .success();
    assert!(
        r.stderr
            .contains("each goes once the registry accepted its dependencies"),
        "{}",
        r.stderr
    );
    let first = accepted_uploads(&proxy, 0);
    assert_eq!(first.len(), 11);
    every_edge_waited(&ws.path, &first, Duration::from_millis(900));

    // The next version of crates that exist: each dependent goes as soon as
    // its dependencies were accepted, well before they show in the index.
    let logged = proxy.events().len();
    train(&ws.path, &["bump", "patch"]).success();
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "4"],
    )
    .success();
    let second = accepted_uploads(&proxy, logged);
    assert_eq!(second.len(), 11);
    for (name, d, gap) in gaps(&ws.path, &second) {
        assert!(
            gap < Duration::from_millis(700),
            "{name} went {gap:?} after {d}: it waited for the index"
        );
    }
    // And every version was still confirmed in the index before the end.
    assert!(
        r.stderr.contains("11 published, 0 already there, 0 failed"),
        "{}",
        r.stderr
    );
    for name in publishable() {
        assert_eq!(k.versions(&name).len(), 2, "{name}");
    }
}

#[test]
fn verify_package_builds_every_crate_from_its_packaged_sources() {
    let k = Kellnr::start();
    let ws = workspace(&k.index());
    let toml = std::fs::read_to_string(ws.path.join("train.toml")).unwrap();
    std::fs::write(
        ws.path.join("train.toml"),
        format!("{toml}\n[publish]\nregistry = \"kellnr\"\n"),
    )
    .unwrap();
    let r = train(&ws.path, &["verify", "--package"]).success();
    assert!(
        r.stderr
            .contains("11 crates package and build from their packaged sources"),
        "{}",
        r.stderr
    );

    // A source file the package leaves out breaks the build from the registry
    // (while the workspace itself still builds).
    std::fs::write(ws.path.join("crates/cache/src/lib.rs"), "mod extra;\n").unwrap();
    std::fs::write(ws.path.join("crates/cache/src/extra.rs"), "").unwrap();
    let m = std::fs::read_to_string(ws.path.join("crates/cache/Cargo.toml")).unwrap();
    std::fs::write(
        ws.path.join("crates/cache/Cargo.toml"),
        m.replace("[package]\n", "[package]\nexclude = [\"src/extra.rs\"]\n"),
    )
    .unwrap();
    let r = train(&ws.path, &["verify", "--package"]).failure();
    assert!(
        r.stderr
            .contains("error: Cargo.toml: `cargo package` failed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rail-cache"), "{}", r.stderr);
    // Nothing reached the registry.
    assert!(k.versions("rail-core").is_empty());
}

#[test]
fn gives_up_past_the_budget_reports_and_a_rerun_finishes() {
    let k = Kellnr::start();
    let proxy = Proxy::start(k.port, usize::MAX);
    proxy.refuse_uploads_of("rail-runtime");
    let ws = workspace(&proxy.index());
    let toml = std::fs::read_to_string(ws.path.join("train.toml")).unwrap();
    std::fs::write(
        ws.path.join("train.toml"),
        format!("{toml}\n[publish]\nretry-budget-secs = 2\n"),
    )
    .unwrap();

    let r = train(&ws.path, &["publish", "--registry", "kellnr"]).failure();
    assert!(
        r.stderr.contains("Retrying rail-runtime 1.0.0-dev"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Failed rail-runtime 1.0.0-dev: publish rail-runtime: server error 500: injected failure"), "{}", r.stderr);
    // What needs rail-runtime was not attempted; the rest went out.
    assert!(
        r.stderr
            .contains("4 published, 0 already there, 1 failed, 6 not attempted"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("failed: rail-runtime 1.0.0-dev; not attempted: "),
        "{}",
        r.stderr
    );
    assert!(k.versions("rail-runtime").is_empty() && k.versions("rail").is_empty());
    assert_eq!(k.versions("rail-macros").len(), 1);

    // Run again straight to the registry: only the rest is published.
    std::fs::write(
        ws.path.join(".cargo/config.toml"),
        format!("[registries.kellnr]\nindex = \"sparse+{}\"\n", k.index()),
    )
    .unwrap();
    let r = train(&ws.path, &["publish", "--registry", "kellnr"]).success();
    assert!(
        r.stderr.contains("7 published, 4 already there, 0 failed"),
        "{}",
        r.stderr
    );
}

/// A job's environment for trusted publishing through `front`.
fn oidc_env(front: &trustpub::Front) -> Vec<(&'static str, String)> {
    vec![
        ("ACTIONS_ID_TOKEN_REQUEST_URL", front.oidc_url()),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            trustpub::REQUEST_TOKEN.to_string(),
        ),
    ]
}

fn as_env<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// Runs `args` on the sample, nothing of it published, in a job that may use
/// trusted publishing and has no registry token; it must fail.
fn fails_in_a_job_without_a_token(args: &[&str]) -> (Kellnr, trustpub::Front, Run) {
    let k = Kellnr::start();
    let front = trustpub::Front::start(k.port, Duration::from_secs(60), Duration::ZERO);
    let ws = workspace(&front.index());
    let env = oidc_env(&front);
    let r = train_with(&ws.path, args, &as_env(&env)).failure();
    (k, front, r)
}

#[test]
fn trusted_publishing_cannot_create_crates_so_it_names_them_and_uploads_nothing() {
    let (_k, front, r) = fails_in_a_job_without_a_token(&["publish", "--registry", "kellnr"]);
    assert!(
        r.stderr.contains("11 crates are new to `kellnr`, and trusted publishing tokens cannot create crates: rail-core 1.0.0-dev, rail-util 1.0.0-dev, rail-macros 0.3.0"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("CARGO_REGISTRIES_KELLNR_TOKEN"),
        "{}",
        r.stderr
    );
    let s = front.state.lock().unwrap();
    assert!(s.breaches.is_empty(), "{:?}", s.breaches);
    assert!(s.uploads.is_empty());
    assert_eq!(s.minted.len(), 1);
    assert_eq!(
        s.revoked.len(),
        1,
        "the token minted for nothing is revoked"
    );
}

/// The 60-crate synthetic workspace of the benchmarks (a layered graph,
/// critical path 18), its first-party crates on `kellnr` at `index`.
fn synthetic_workspace(index: &str) -> Ws {
    synthetic_workspace_of(index, 60)
}

/// The synthetic workspace of `crates` crates, on `kellnr` at `index`.
fn synthetic_workspace_of(index: &str, crates: usize) -> Ws {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("synthetic");
    std::fs::create_dir_all(path.join(".cargo")).unwrap();
    synthetic::generate(&path, crates, synthetic::Shape::Layered);
    let root = std::fs::read_to_string(path.join("Cargo.toml")).unwrap();
    let root = root.replace("{ path = ", "{ registry = \"kellnr\", path = ");
    std::fs::write(path.join("Cargo.toml"), root).unwrap();
    std::fs::write(
        path.join(".cargo/config.toml"),
        format!("[registries.kellnr]\nindex = \"sparse+{index}\"\n"),
    )
    .unwrap();
    synthetic::run(
        &path,
        "cargo",
        &["generate-lockfile", "--offline", "--quiet"],
    );
    Ws::new(dir, path)
}

#[test]
fn trusted_publishing_of_60_crates_outlives_its_tokens_renews_and_revokes_them() {
    let k = Kellnr::start();
    // Tokens live 2 s here (30 minutes on crates.io) and are renewed after
    // 1 s; each upload takes 0.15 s, so the run outlives several tokens.
    let front = trustpub::Front::start(k.port, Duration::from_secs(2), Duration::from_millis(150));
    let ws = synthetic_workspace(&front.index());
    let toml = std::fs::read_to_string(ws.path.join("train.toml")).unwrap();
    std::fs::write(
        ws.path.join("train.toml"),
        format!("{toml}\n[publish]\ntrusted-token-renew-secs = 1\n"),
    )
    .unwrap();

    // The first versions with a regular token (trusted publishing cannot
    // create crates); then the next ones by trusted publishing alone.
    train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "8"],
    )
    .success();
    train(&ws.path, &["bump", "patch"]).success();
    let env = oidc_env(&front);
    let mut env = as_env(&env);
    // As a workflow passes a secret that does not exist: empty, so unset.
    env.push(("CARGO_REGISTRIES_KELLNR_TOKEN", ""));
    let start = Instant::now();
    let r = train_with(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "4"],
        &env,
    )
    .success();
    assert!(
        start.elapsed() > Duration::from_secs(2),
        "the run must outlive one token"
    );
    assert!(
        r.stderr.contains("Using trusted publishing"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Renewed a new trusted publishing token"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("(trusted publishing: no per-user limit on new versions)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("60 published, 0 already there, 0 failed"),
        "{}",
        r.stderr
    );
    let s = front.state.lock().unwrap();
    // No upload with an expired or unknown token, no JWT used twice, every
    // request as the contract says.
    assert!(s.breaches.is_empty(), "{:?}", s.breaches);
    let trusted: Vec<_> = s.uploads.iter().filter(|u| u.1 != TOKEN).collect();
    assert_eq!(trusted.len(), 60);
    let used: std::collections::BTreeSet<&String> = trusted.iter().map(|u| &u.1).collect();
    assert!(used.len() >= 2, "uploads used {} tokens", used.len());
    eprintln!(
        "60 crates by trusted publishing in {:.1} s: {} tokens minted, {} used by uploads, {} revoked",
        start.elapsed().as_secs_f64(),
        s.minted.len(),
        used.len(),
        s.revoked.len()
    );
    assert!(s.jwts.values().all(|&exchanged| exchanged));
    assert_eq!(s.jwts.len(), s.minted.len());
    assert_eq!(s.revoked.len(), s.minted.len(), "every token revoked");
    for n in 0..60 {
        assert_eq!(k.versions(&format!("c{n}")).len(), 2, "c{n}");
    }
}

#[test]
fn yank_rcs_says_it_needs_a_regular_token_under_trusted_publishing() {
    let (_k, front, r) = fails_in_a_job_without_a_token(&["yank-rcs", "--registry", "kellnr"]);
    assert!(
        r.stderr.contains("yank-rcs needs a regular API token for registry `kellnr` (trusted publishing tokens can only publish): set CARGO_REGISTRIES_KELLNR_TOKEN"),
        "{}",
        r.stderr
    );
    assert!(front.state.lock().unwrap().minted.is_empty());
}

/// A GitLab CI job's environment with `jwts` as its ID tokens
/// (`CARGO_TRAIN_ID_TOKEN`, `CARGO_TRAIN_ID_TOKEN_2`, …).
fn gitlab_env(jwts: &[String]) -> Vec<(String, String)> {
    let mut env = vec![("GITLAB_CI".to_string(), "true".to_string())];
    for (i, jwt) in jwts.iter().enumerate() {
        let var = match i {
            0 => "CARGO_TRAIN_ID_TOKEN".to_string(),
            n => format!("CARGO_TRAIN_ID_TOKEN_{}", n + 1),
        };
        env.push((var, jwt.clone()));
    }
    env
}

fn env_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, x)| (k.as_str(), x.as_str())).collect()
}

#[test]
fn trusted_publishing_from_gitlab_ci_exchanges_the_jobs_id_token_or_says_what_to_set() {
    let k = Kellnr::start();
    let front = trustpub::Front::start(k.port, Duration::from_secs(60), Duration::ZERO);
    let ws = workspace(&front.index());
    let publish = ["publish", "--registry", "kellnr"];

    // A GitLab job without an ID token: what to declare.
    let r = train_with(&ws.path, &publish, &env_refs(&gitlab_env(&[]))).failure();
    assert!(
        r.stderr.contains(
            "no token for registry `kellnr`: set CARGO_REGISTRIES_KELLNR_TOKEN or run `cargo login` \
             (in GitLab CI, an ID token in the job, `id_tokens: {CARGO_TRAIN_ID_TOKEN: {aud: 127.0.0.1}}` \
             lets cargo-train use trusted publishing instead)"
        ),
        "{}",
        r.stderr
    );

    // An ID token for another audience is never sent.
    let other = front.gitlab_id_token("crates.io");
    let r = train_with(
        &ws.path,
        &publish,
        &env_refs(&gitlab_env(std::slice::from_ref(&other))),
    )
    .failure();
    assert!(
        r.stderr.contains(
            "the job's ID token CARGO_TRAIN_ID_TOKEN is for `crates.io`, not for this registry: \
             declare it with `aud: 127.0.0.1` in the job's `id_tokens:`"
        ),
        "{}",
        r.stderr
    );
    assert!(front.state.lock().unwrap().minted.is_empty());

    // Its own: exchanged once for a registry token, which (the crates being
    // new) publishes nothing and is revoked.
    let jwt = front.gitlab_id_token("127.0.0.1");
    let r = train_with(
        &ws.path,
        &publish,
        &env_refs(&gitlab_env(std::slice::from_ref(&jwt))),
    )
    .failure();
    assert!(
        r.stderr.contains(
            "11 crates are new to `kellnr`, and trusted publishing tokens cannot create crates"
        ),
        "{}",
        r.stderr
    );
    let s = front.state.lock().unwrap();
    assert!(s.breaches.is_empty(), "{:?}", s.breaches);
    assert_eq!((s.jwts[&jwt], s.jwts[&other]), (true, false));
    assert_eq!((s.minted.len(), s.revoked.len()), (1, 1));
    assert!(s.uploads.is_empty());
}

#[test]
fn trusted_publishing_from_gitlab_ci_renews_once_per_id_token_then_keeps_its_token() {
    let k = Kellnr::start();
    // Tokens are renewed after 1 s here; each upload takes 0.4 s, so eight
    // uploads one at a time outlast two renewals, and the job has one ID
    // token to renew with.
    let front = trustpub::Front::start(k.port, Duration::from_secs(60), Duration::from_millis(400));
    let ws = synthetic_workspace_of(&front.index(), 8);
    let toml = std::fs::read_to_string(ws.path.join("train.toml")).unwrap();
    std::fs::write(
        ws.path.join("train.toml"),
        format!("{toml}\n[publish]\ntrusted-token-renew-secs = 1\n"),
    )
    .unwrap();
    train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "4"],
    )
    .success();
    train(&ws.path, &["bump", "patch"]).success();

    let jwts = [
        front.gitlab_id_token("127.0.0.1"),
        front.gitlab_id_token("127.0.0.1"),
    ];
    let mut env = gitlab_env(&jwts);
    env.push(("CARGO_REGISTRIES_KELLNR_TOKEN".into(), String::new()));
    let r = train_with(
        &ws.path,
        &["publish", "--registry", "kellnr", "--jobs", "1"],
        &env_refs(&env),
    )
    .success();
    assert!(
        r.stderr.contains("Using trusted publishing"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr
            .matches("Renewed a new trusted publishing token")
            .count(),
        1,
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr
            .matches(
                "cannot renew the trusted publishing token for `kellnr`: every ID token of this \
                 job was exchanged"
            )
            .count(),
        1,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("8 published, 0 already there, 0 failed"),
        "{}",
        r.stderr
    );
    let s = front.state.lock().unwrap();
    assert!(s.breaches.is_empty(), "{:?}", s.breaches);
    assert!(jwts.iter().all(|j| s.jwts[j]), "each ID token exchanged");
    assert_eq!((s.minted.len(), s.revoked.len()), (2, 2));
    assert_eq!(s.uploads.iter().filter(|u| u.1 != TOKEN).count(), 8);
}

/// publish and yank-rcs through the library: the plan names every upload
/// (in publish order) and every yank, and applying it makes exactly those
/// on the registry; planned again, there is nothing left to do.
#[test]
fn publish_and_yank_plans_name_every_upload_and_yank_and_applying_makes_exactly_them() {
    use cargo_train::apply::{self, Executor};
    use cargo_train::plan::Effect;
    use cargo_train::train::registry_auth::Need;
    use cargo_train::train::{Context, Options, publish, yank_rcs};
    let k = Kellnr::start();
    // The token where the library reads it without the environment.
    let ws = common::sample_on_registry(
        "kellnr",
        &format!("sparse+{}", k.index()),
        &format!("token = \"{TOKEN}\"\n"),
    );
    let ctx = || {
        Context::load(&Options {
            manifest_path: Some(ws.path.join("Cargo.toml")),
            config: None,
        })
        .unwrap()
    };
    let opts = publish::PublishOpts {
        registry: Some("kellnr".into()),
        jobs: None,
    };
    train(&ws.path, &["bump", "rc"]).success();
    let p = publish::plan(&ctx(), &opts, Need::Token).unwrap();
    let [Effect::Publish(u)] = p.plan.effects.as_slice() else {
        panic!("{}", p.plan.render());
    };
    let planned: Vec<String> = u.todo().map(|i| u.crates[i].name.clone()).collect();
    let order = train(&ws.path, &["order"]).success().stdout;
    let order: Vec<&str> = order
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(planned, order, "every publishable crate, in publish order");
    apply::apply(&p.plan, &Executor::new().with_registry(&p.registry)).unwrap();
    for c in &u.crates {
        assert_eq!(
            k.versions(&c.name),
            [(c.version.to_string(), false)],
            "{}",
            c.name
        );
    }
    let again = publish::plan(&ctx(), &opts, Need::Token).unwrap();
    assert!(again.plan.is_empty(), "{}", again.plan.render());

    // A second candidate: the first is superseded, and yanked.
    train(&ws.path, &["bump", "rc"]).success();
    train(&ws.path, &["publish", "--registry", "kellnr"]).success();
    let y = yank_rcs::plan(&ctx(), Some("kellnr"), Need::Token).unwrap();
    let [Effect::Yank(yanks)] = y.plan.effects.as_slice() else {
        panic!("{}", y.plan.render());
    };
    assert_eq!(yanks.versions.len(), u.crates.len());
    apply::apply(&y.plan, &Executor::new().with_registry(&y.registry)).unwrap();
    for (name, v) in &yanks.versions {
        assert!(v.to_string().ends_with("-rc.1"), "{name} {v}");
        let listed = k.versions(name);
        assert_eq!(listed.len(), 2, "{name}: {listed:?}");
        assert!(
            listed
                .iter()
                .all(|(ver, yanked)| *yanked == (ver == &v.to_string())),
            "{name}: {listed:?}"
        );
    }
    let again = yank_rcs::plan(&ctx(), Some("kellnr"), Need::Token).unwrap();
    assert!(again.plan.is_empty(), "{}", again.plan.render());
}
