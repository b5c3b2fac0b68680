//! A real registry for the publish tests: kellnr on 127.0.0.1, a free port,
//! a fresh data directory, an admin token set at start. Stopped by PID when
//! dropped.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "Zx8cargoTrainTestAdminToken0123";

pub struct Kellnr {
    child: Child,
    pub port: u16,
    _data: tempfile::TempDir,
}

/// The kellnr binary: `CARGO_TRAIN_KELLNR`, else what the install script
/// prints (it builds kellnr once per machine into a cache).
pub fn binary() -> PathBuf {
    cached_binary("CARGO_TRAIN_KELLNR", "install-kellnr.sh")
}

/// A test server's binary: the path in `var`, else what
/// `scripts/<script>` prints (it builds the server once per machine into a
/// cache).
pub fn cached_binary(var: &str, script: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return p.into();
    }
    let path = format!("{}/scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(&path)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    assert!(out.status.success(), "scripts/{script} failed");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Kellnr {
    pub fn start() -> Kellnr {
        Kellnr::start_with_origin(None)
    }

    /// Kellnr listening on plain HTTP, but naming `https://127.0.0.1:PORT`
    /// in its `config.json` (as behind a TLS-terminating front on PORT).
    pub fn start_behind_tls(front_port: u16) -> Kellnr {
        Kellnr::start_with_origin(Some(front_port))
    }

    /// Another listener may take the free port before kellnr binds it (a
    /// proxy of a test running beside this one): kellnr then exits, and its
    /// port answers for someone else. So kellnr must have said it started
    /// on its port and still run; otherwise it is started on another port.
    fn start_with_origin(https_port: Option<u16>) -> Kellnr {
        for _ in 0..5 {
            if let Some(k) = Kellnr::try_start(https_port) {
                return k;
            }
        }
        panic!("kellnr could not bind a free port in 5 tries");
    }

    fn try_start(https_port: Option<u16>) -> Option<Kellnr> {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let origin_port = https_port.unwrap_or(port);
        let protocol = if https_port.is_some() {
            "https"
        } else {
            "http"
        };
        let log = std::fs::File::create(data.path().join("kellnr.log")).unwrap();
        let child = Command::new(binary())
            .arg("start")
            .args(["--local-ip", "127.0.0.1", "--local-port", &port.to_string()])
            .args([
                "--origin-hostname",
                "127.0.0.1",
                "--origin-port",
                &origin_port.to_string(),
            ])
            .env("KELLNR_ORIGIN__PROTOCOL", protocol)
            .args(["--registry-data-dir", data.path().to_str().unwrap()])
            .args(["--setup-admin-token", TOKEN])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start kellnr");
        let mut k = Kellnr {
            child,
            port,
            _data: data,
        };
        let started = format!("started on http://127.0.0.1:{port}/");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if k.child.try_wait().unwrap().is_some() {
                return None;
            }
            if k.log().contains(&started)
                && let Ok(body) = get(&format!("{}config.json", k.index()))
                && body.contains("\"api\"")
                && k.child.try_wait().unwrap().is_none()
            {
                return Some(k);
            }
            assert!(
                Instant::now() < deadline,
                "kellnr did not answer on port {port}: {}",
                k.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The sparse index URL (without `sparse+`).
    pub fn index(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/crates/", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._data.path().join("kellnr.log")).unwrap_or_default()
    }

    /// Versions of `name` in the index, with their yanked flag, oldest first.
    pub fn versions(&self, name: &str) -> Vec<(String, bool)> {
        let n = name.to_lowercase();
        let path = match n.len() {
            1 => format!("1/{n}"),
            2 => format!("2/{n}"),
            3 => format!("3/{}/{n}", &n[..1]),
            _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
        };
        let mut out: Vec<(String, bool)> = match get(&format!("{}{path}", self.index())) {
            Ok(body) => body
                .lines()
                .map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    (
                        v["vers"].as_str().unwrap().to_string(),
                        v["yanked"].as_bool().unwrap(),
                    )
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        out.sort_by_key(|(v, _)| semver::Version::parse(v).unwrap());
        out
    }
}

impl Drop for Kellnr {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP GET (the tests talk to kellnr without cargo-train's code).
pub fn get(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(true)
        .build()
        .into();
    agent
        .get(url)
        .header("Authorization", TOKEN)
        .call()
        .map_err(|e| e.to_string())?
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())
}
