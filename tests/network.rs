//! Networks like cargo's: a registry reached only over HTTPS with a CA of
//! the test's own (trusted through SSL_CERT_FILE or cargo's http.cainfo, or
//! refused with a message naming those settings), an HTTPS_PROXY CONNECT
//! proxy and NO_PROXY, cargo's http.timeout, and a bad index URL.

mod common;
use common::Run;
use common::connect_proxy::ConnectProxy;
use common::kellnr::{Kellnr, TOKEN};
use common::ktra::Ktra;
use common::tls::{TestCa, TlsFront};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Everything in the environment that changes how a connection is made;
/// each test sets what it means to test.
const NET_VARS: &[&str] = &[
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CARGO_HTTP_CAINFO",
    "CARGO_HTTP_PROXY",
    "CARGO_HTTP_TIMEOUT",
    "CARGO_HTTP_LOW_SPEED_LIMIT",
    "HTTP_TIMEOUT",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

type Ws = common::RegistryWs;

/// The demo's workspace (11 crates to publish), its first-party crates on
/// registry `kellnr` at `index` (`config` appended to .cargo/config.toml).
fn workspace(index: &str, config: &str) -> Ws {
    workspace_for("kellnr", index, config)
}

fn workspace_for(registry: &str, index: &str, config: &str) -> Ws {
    common::sample_on_registry(registry, index, config)
}

fn train(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-train"));
    cmd.arg("train").args(args).current_dir(dir);
    for v in NET_VARS {
        cmd.env_remove(v);
    }
    cmd.env("CARGO_REGISTRIES_KELLNR_TOKEN", TOKEN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().unwrap())
}

/// kellnr reached only through a TLS front with a certificate from `ca`.
fn https_kellnr(ca: &TestCa) -> (TlsFront, Kellnr) {
    let front = TlsFront::start(ca);
    let k = Kellnr::start_behind_tls(front.port);
    front.forward_to(k.port);
    (front, k)
}

const PUBLISHED: &str = "11 published, 0 already there, 0 failed";
const NOTHING: &str = "nothing: all 11 crates are in `kellnr` already";

#[test]
fn https_registry_trusted_through_ssl_cert_file_and_refused_without() {
    let ca = TestCa::new();
    let (front, k) = https_kellnr(&ca);
    let ws = workspace(&format!("sparse+{}", front.index()), "");
    let before = common_snapshot(&ws.path);

    // Without the CA (only the system store): refused before anything is
    // done, and the message names every setting that provides a CA.
    let r = train(&ws.path, &["publish", "--registry", "kellnr"], &[]).failure();
    for needle in [
        "UnknownIssuer",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "http.cainfo",
        "system store",
        "registry `kellnr`",
    ] {
        assert!(r.stderr.contains(needle), "no {needle:?} in:\n{}", r.stderr);
    }
    // The client hangs up in the handshake (rustls may not send an alert).
    assert!(
        !front.failures().is_empty(),
        "the TLS front saw no failed handshake"
    );
    assert_eq!(front.handshakes(), 0);
    assert_eq!(common_snapshot(&ws.path), before, "files changed");
    assert!(k.versions("rail-core").is_empty());

    // SSL_CERT_FILE naming a file that holds no certificate: said so.
    let empty = ws.path.join("target/empty.pem");
    std::fs::create_dir_all(empty.parent().unwrap()).unwrap();
    std::fs::write(&empty, "").unwrap();
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("SSL_CERT_FILE", empty.to_str().unwrap())],
    )
    .failure();
    assert!(
        r.stderr.contains("SSL_CERT_FILE=") && r.stderr.contains("holds no PEM certificates"),
        "{}",
        r.stderr
    );

    // With the CA in SSL_CERT_FILE: everything is published over HTTPS,
    // and a second run finds it all there.
    let ca_file = ca.pem_file.to_str().unwrap();
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr"],
        &[("SSL_CERT_FILE", ca_file)],
    )
    .success();
    assert!(r.stderr.contains(PUBLISHED), "{}", r.stderr);
    assert_eq!(k.versions("rail-core"), [("1.0.0-dev".to_string(), false)]);
    assert!(front.handshakes() > 0);
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr"],
        &[("SSL_CERT_FILE", ca_file)],
    )
    .success();
    assert!(r.stderr.contains(NOTHING), "{}", r.stderr);
}

#[test]
fn https_registry_trusted_through_cargo_http_cainfo() {
    let ca = TestCa::new();
    let (front, k) = https_kellnr(&ca);
    // Relative: cargo resolves it from the directory holding `.cargo`.
    let ws = workspace(
        &format!("sparse+{}", front.index()),
        "[http]\ncainfo = \"certs/test-ca.pem\"\n",
    );
    std::fs::create_dir_all(ws.path.join("certs")).unwrap();
    std::fs::copy(&ca.pem_file, ws.path.join("certs/test-ca.pem")).unwrap();

    let r = train(&ws.path, &["publish", "--registry", "kellnr"], &[]).success();
    assert!(r.stderr.contains(PUBLISHED), "{}", r.stderr);
    assert_eq!(k.versions("rail-core"), [("1.0.0-dev".to_string(), false)]);

    // The same through CARGO_HTTP_CAINFO, which wins over the file.
    std::fs::remove_file(ws.path.join("certs/test-ca.pem")).unwrap();
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("CARGO_HTTP_CAINFO", ca.pem_file.to_str().unwrap())],
    )
    .success();
    assert!(r.stderr.contains(NOTHING), "{}", r.stderr);

    // A cainfo that is not there: named, with the file that set it.
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[],
    )
    .failure();
    assert!(
        r.stderr.contains("cannot read http.cainfo")
            && r.stderr.contains("certs/test-ca.pem")
            && r.stderr.contains(".cargo/config.toml"),
        "{}",
        r.stderr
    );
}

#[test]
fn https_proxy_tunnels_every_request_and_no_proxy_bypasses_it() {
    let ca = TestCa::new();
    let (front, _k) = https_kellnr(&ca);
    let ws = workspace(&format!("sparse+{}", front.index()), "");
    let ca_file = ca.pem_file.to_str().unwrap();
    // Published directly first, so that the runs below read only the index
    // (cargo is not started; every connection is cargo-train's own).
    train(
        &ws.path,
        &["publish", "--registry", "kellnr"],
        &[("SSL_CERT_FILE", ca_file)],
    )
    .success();

    let proxy = ConnectProxy::start();
    let target = format!("127.0.0.1:{}", front.port);
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("SSL_CERT_FILE", ca_file), ("HTTPS_PROXY", &proxy.url())],
    )
    .success();
    assert!(r.stderr.contains(NOTHING), "{}", r.stderr);
    let tunnels = proxy.tunnels();
    assert!(
        !tunnels.is_empty() && tunnels.iter().all(|t| *t == target),
        "{tunnels:?}"
    );
    assert!(proxy.refused.lock().unwrap().is_empty());

    // NO_PROXY (curl's rules: a host, with or without port) bypasses it.
    for no_proxy in ["127.0.0.1", "localhost,127.0.0.1:1"] {
        let before = proxy.tunnels().len();
        let r = train(
            &ws.path,
            &["publish", "--registry", "kellnr", "--dry-run"],
            &[
                ("SSL_CERT_FILE", ca_file),
                ("https_proxy", &proxy.url()),
                ("NO_PROXY", no_proxy),
            ],
        )
        .success();
        assert!(r.stderr.contains(NOTHING), "{}", r.stderr);
        assert_eq!(proxy.tunnels().len(), before, "NO_PROXY={no_proxy}");
    }

    // cargo's http.proxy is used as cargo uses it, before the environment.
    let before = proxy.tunnels().len();
    train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[
            ("SSL_CERT_FILE", ca_file),
            ("CARGO_HTTP_PROXY", &proxy.url()),
            ("HTTPS_PROXY", "http://127.0.0.1:1"),
        ],
    )
    .success();
    assert!(proxy.tunnels().len() > before);

    // A plain-http index is not sent to the HTTPS proxy.
    let plain = workspace(
        &format!("sparse+http://127.0.0.1:{}/api/v1/crates/", _k.port),
        "",
    );
    let before = proxy.tunnels().len();
    train(
        &plain.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("HTTPS_PROXY", &proxy.url())],
    )
    .success();
    assert_eq!(proxy.tunnels().len(), before);
}

/// ktra serves its index as a git repository; uploads and yanks go to
/// the same web API as for a sparse registry.
#[test]
fn git_index_registry_publishes_once_and_yanks_candidates() {
    let k = Ktra::start();
    let ws = workspace_for("ktra", &k.index(), "");
    let token = [("CARGO_REGISTRIES_KTRA_TOKEN", k.token.as_str())];
    let run = |args: &[&str]| train(&ws.path, args, &token);

    let r = run(&["publish", "--registry", "ktra", "--dry-run"]).success();
    assert!(
        r.stdout
            .contains("would publish rail-core 1.0.0-dev to ktra"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(k.versions("rail-core").is_empty(), "a dry run uploaded");

    let r = run(&["publish", "--registry", "ktra"]).success();
    assert!(
        r.stderr.contains("11 published, 0 already there, 0 failed"),
        "{}",
        r.stderr
    );
    assert_eq!(k.versions("rail-core"), [("1.0.0-dev".to_string(), false)]);
    assert_eq!(k.versions("rail-macros"), [("0.3.0".to_string(), false)]);
    assert!(
        k.versions("rail-bench").is_empty(),
        "publish = false was published"
    );

    let r = run(&["publish", "--registry", "ktra"]).success();
    assert!(
        r.stderr
            .contains("nothing: all 11 crates are in `ktra` already"),
        "{}",
        r.stderr
    );

    // Two candidates, then yank-rcs yanks the superseded one.
    for _ in 0..2 {
        run(&["bump", "rc"]).success();
        run(&["publish", "--registry", "ktra"]).success();
    }
    let r = run(&["yank-rcs", "--registry", "ktra"]).success();
    assert!(
        r.stderr.contains("Yanked rail-core 1.0.0-rc.1"),
        "{}",
        r.stderr
    );
    assert_eq!(
        k.versions("rail-core"),
        [
            ("1.0.0-dev".to_string(), false),
            ("1.0.0-rc.1".to_string(), true),
            ("1.0.0-rc.2".to_string(), false)
        ]
    );
    let r = run(&["yank-rcs", "--registry", "ktra"]).success();
    assert!(r.stderr.contains("nothing"), "{}", r.stderr);
}

#[test]
fn a_git_index_that_cannot_be_fetched_is_named() {
    let missing = tempfile::tempdir().unwrap();
    let url = format!("file://{}/no-such-index.git", missing.path().display());
    let ws = workspace("sparse+http://127.0.0.1:1/", "");
    std::fs::write(
        ws.path.join(".cargo/config.toml"),
        format!("[registries.kellnr]\nindex = \"{url}\"\n"),
    )
    .unwrap();
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[],
    )
    .failure();
    assert!(
        r.stderr.contains("registry `kellnr`")
            && r.stderr.contains(&format!("git index {url}"))
            && r.stderr.contains("git fetch"),
        "{}",
        r.stderr
    );
}

/// A server that accepts connections and never answers.
#[test]
fn a_silent_registry_fails_after_cargos_http_timeout() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // Holds every connection open, unanswered, until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in silent.incoming() {
            held.push(c);
        }
    });
    let ws = workspace(&format!("sparse+http://127.0.0.1:{port}/index/"), "");
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("CARGO_HTTP_TIMEOUT", "1")],
    )
    .failure();
    assert!(
        r.stderr.contains("registry `kellnr`") && r.stderr.contains("timeout"),
        "{}",
        r.stderr
    );

    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("CARGO_HTTP_TIMEOUT", "soon")],
    )
    .failure();
    assert!(
        r.stderr
            .contains("CARGO_HTTP_TIMEOUT=\"soon\" is not a whole number"),
        "{}",
        r.stderr
    );
}

/// A server that answers, then sends its body a byte every 200 ms: never
/// stalled long enough for the read timeout, but below the low-speed limit.
#[test]
fn a_trickling_registry_fails_under_cargos_low_speed_limit() {
    use std::io::{Read, Write};
    let slow = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = slow.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in slow.incoming() {
            let Ok(mut c) = c else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = c.read(&mut buf);
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                for _ in 0..1000 {
                    if c.write_all(b" ").is_err() {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
            });
        }
    });
    let ws = workspace(&format!("sparse+http://127.0.0.1:{port}/index/"), "");
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[
            ("CARGO_HTTP_TIMEOUT", "1"),
            ("CARGO_HTTP_LOW_SPEED_LIMIT", "100"),
        ],
    )
    .failure();
    assert!(
        r.stderr.contains("registry `kellnr`")
            && r.stderr.contains("slower than 100 bytes/s for 1 s"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_proxy_that_refuses_is_named_with_its_variable() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let ws = workspace("sparse+https://registry.example.invalid/index/", "");
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[("HTTPS_PROXY", &dead)],
    )
    .failure();
    assert!(
        r.stderr.contains("registry `kellnr`")
            && r.stderr.contains(&format!(
                "through proxy {dead} from environment variable HTTPS_PROXY"
            )),
        "{}",
        r.stderr
    );
}

#[test]
fn an_index_that_is_not_a_url_is_named_with_its_file() {
    // Cargo itself needs a valid index to write the lock file.
    let ws = workspace("sparse+http://127.0.0.1:1/", "");
    std::fs::write(
        ws.path.join(".cargo/config.toml"),
        "[registries.kellnr]\nindex = \"not a url\"\n",
    )
    .unwrap();
    let before = common_snapshot(&ws.path);
    let r = train(
        &ws.path,
        &["publish", "--registry", "kellnr", "--dry-run"],
        &[],
    )
    .failure();
    assert!(
        r.stderr.contains("registry `kellnr`")
            && r.stderr.contains("index = \"not a url\"")
            && r.stderr.contains(".cargo/config.toml")
            && r.stderr.contains("is not a URL")
            && !r.stderr.contains("has a git index"),
        "{}",
        r.stderr
    );
    assert_eq!(common_snapshot(&ws.path), before);
}

/// Every file of the workspace but `target/`.
fn common_snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().unwrap() == "target" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}
