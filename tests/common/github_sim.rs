//! GitHub's REST API for the tests: `@simulacrum/github-api-simulator` (every
//! route of GitHub's OpenAPI description; request bodies that do not match it
//! are refused with 400), started by `tests/support/github-sim.mjs` on
//! 127.0.0.1 with state for pull requests, checks, tags and releases.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct GithubSim {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl GithubSim {
    pub fn start() -> GithubSim {
        // ES modules resolve packages from the script's own directory, so
        // the script runs beside a link to the installed node_modules.
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(super::node_modules(), dir.path().join("node_modules")).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/github-sim.mjs");
        std::fs::copy(script, dir.path().join("github-sim.mjs")).unwrap();
        let port = super::kellnr::free_port();
        let log = std::fs::File::create(dir.path().join("sim.log")).unwrap();
        let child = Command::new("node")
            .args(["github-sim.mjs", &port.to_string()])
            .current_dir(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start node");
        let sim = GithubSim {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while sim.get("/_test/state").is_err() {
            assert!(
                Instant::now() < deadline,
                "the simulator did not start: {}",
                sim.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        sim
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("sim.log")).unwrap_or_default()
    }

    fn get(&self, path: &str) -> Result<serde_json::Value, String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(true)
            .build()
            .into();
        let body = agent
            .get(format!("{}{path}", self.url()))
            .call()
            .map_err(|e| e.to_string())?
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        serde_json::from_str(&body).map_err(|e| e.to_string())
    }

    pub fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let text = agent
            .post(format!("{}{path}", self.url()))
            .header("Content-Type", "application/json")
            .send(serde_json::to_vec(&body).unwrap())
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str(&text).unwrap_or_default()
    }

    /// The JSON answer to a GET of `path`, whatever its status.
    pub fn get_answer(&self, path: &str) -> serde_json::Value {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let text = agent
            .get(format!("{}{path}", self.url()))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str(&text).unwrap_or_default()
    }

    /// What the simulator holds and every request it got.
    pub fn state(&self) -> serde_json::Value {
        self.get("/_test/state").unwrap()
    }
}

impl Drop for GithubSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl GithubSim {
    /// Seeds a merged pull request; `commits` are (sha, message), oldest
    /// first. Returns its number.
    pub fn merged_pull(&self, title: &str, merge_commit: &str, commits: &[(&str, &str)]) -> u64 {
        let commits: Vec<_> = commits
            .iter()
            .map(|(sha, message)| serde_json::json!({"sha": sha, "message": message}))
            .collect();
        self.post(
            "/_test/merged-pull",
            serde_json::json!({"title": title, "head": "feature", "base": "main",
                "merge_commit_sha": merge_commit, "commits": commits}),
        )["number"]
            .as_u64()
            .unwrap()
    }

    /// How many requests cargo-train made so far.
    pub fn request_count(&self) -> usize {
        self.state()["requests"].as_array().unwrap().len()
    }

    /// The requests from the `from`th on that change something, as
    /// `METHOD /path`.
    pub fn changes_since(&self, from: usize) -> Vec<String> {
        self.state()["requests"].as_array().unwrap()[from..]
            .iter()
            .filter(|r| r["method"] != "GET")
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }
}
