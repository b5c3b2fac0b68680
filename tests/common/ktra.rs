//! A real registry with a git index for the publish tests: ktra on
//! 127.0.0.1 (its default is 0.0.0.0:8000), a free port, every path in a
//! fresh directory, its index a bare git repository there (with the
//! `config.json` cargo reads), and one user whose token the tests use.
//! Stopped by PID when dropped.
#![allow(dead_code)]

use super::kellnr::free_port;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct Ktra {
    child: Child,
    pub port: u16,
    /// The user's API token.
    pub token: String,
    data: tempfile::TempDir,
}

/// The ktra binary: `CARGO_TRAIN_KTRA`, else what the install script prints
/// (it builds ktra once per machine into a cache).
pub fn binary() -> PathBuf {
    super::kellnr::cached_binary("CARGO_TRAIN_KTRA", "install-ktra.sh")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=ktra test",
            "-c",
            "user.email=ktra@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

impl Ktra {
    pub fn start() -> Ktra {
        let data = tempfile::tempdir().unwrap();
        let d = data.path();
        let port = free_port();

        // The index: a bare repository with cargo's config.json on `main`.
        let bare = d.join("index.git");
        git(d, &["init", "--quiet", "--bare", "-b", "main", "index.git"]);
        let seed = d.join("seed");
        git(d, &["init", "--quiet", "-b", "main", "seed"]);
        std::fs::write(
            seed.join("config.json"),
            format!(r#"{{"dl":"http://127.0.0.1:{port}/dl","api":"http://127.0.0.1:{port}"}}"#),
        )
        .unwrap();
        git(&seed, &["add", "config.json"]);
        git(&seed, &["commit", "--quiet", "-m", "config.json"]);
        git(&seed, &["push", "--quiet", bare.to_str().unwrap(), "main"]);

        let config = format!(
            r#"[index_config]
remote_url = "file://{bare}"
local_path = "{d}/index"
branch = "main"
name = "ktra test"
email = "ktra@example.invalid"

[crate_files_config]
dl_dir_path = "{d}/crates"

[db_config]
db_dir_path = "{d}/db"

[server_config]
address = [127, 0, 0, 1]
port = {port}
"#,
            bare = bare.display(),
            d = d.display(),
        );
        std::fs::write(d.join("ktra.toml"), config).unwrap();
        let log = std::fs::File::create(d.join("ktra.log")).unwrap();
        let child = Command::new(binary())
            .args(["--config", d.join("ktra.toml").to_str().unwrap()])
            .current_dir(d)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start ktra");
        let mut k = Ktra {
            child,
            port,
            token: String::new(),
            data,
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(60);
        let token = loop {
            // Exited: most likely another listener took the port first.
            if let Some(status) = k.child.try_wait().unwrap() {
                panic!("ktra exited ({status}) on port {port}: {}", k.log());
            }
            let r = agent
                .post(format!(
                    "http://127.0.0.1:{port}/ktra/api/v1/new_user/train"
                ))
                .header("Content-Type", "application/json")
                .send(r#"{"password":"cargo-train-test"}"#);
            if let Ok(mut r) = r {
                let body = r.body_mut().read_to_string().unwrap_or_default();
                assert_eq!(r.status(), 200, "new_user: {body}\n{}", k.log());
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                break v["token"].as_str().unwrap().to_string();
            }
            assert!(
                Instant::now() < deadline,
                "ktra did not answer on port {port}: {}",
                k.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        k.token = token;
        k
    }

    /// The git index URL, as cargo configures it.
    pub fn index(&self) -> String {
        format!("file://{}", self.data.path().join("index.git").display())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.path().join("ktra.log")).unwrap_or_default()
    }

    /// Versions of `name` in the index (read from the repository with git),
    /// with their yanked flag, oldest first.
    pub fn versions(&self, name: &str) -> Vec<(String, bool)> {
        let n = name.to_lowercase();
        let path = match n.len() {
            1 => format!("1/{n}"),
            2 => format!("2/{n}"),
            3 => format!("3/{}/{n}", &n[..1]),
            _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
        };
        let out = Command::new("git")
            .args(["--git-dir", "index.git", "show", &format!("main:{path}")])
            .current_dir(self.data.path())
            .output()
            .unwrap();
        if !out.status.success() {
            return Vec::new();
        }
        let mut v: Vec<(String, bool)> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let e: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    e["vers"].as_str().unwrap().to_string(),
                    e["yanked"].as_bool().unwrap(),
                )
            })
            .collect();
        v.sort_by_key(|(v, _)| semver::Version::parse(v).unwrap());
        v
    }
}

impl Drop for Ktra {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
