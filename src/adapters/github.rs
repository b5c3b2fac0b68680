//! GitHub's REST API: pull requests, commit checks and statuses, tag refs,
//! releases and their assets. Requests are retried like registry calls;
//! rate-limit answers (429, or 403 with `x-ratelimit-remaining: 0`) wait for
//! `retry-after` or `x-ratelimit-reset`. The token goes only into the
//! `Authorization` header.

use crate::adapters::cargo_config::Token;
use crate::adapters::registry::Failure;
use crate::train::retry::retry;
use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct GitHub {
    api: String,
    /// `owner/name`
    pub repo: String,
    token: Token,
    agent: ureq::Agent,
}

/// What the checks of a commit say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checks {
    Passed,
    Pending(Vec<String>),
    Failed(Vec<String>),
}

/// `owner/name` from a GitHub remote URL (https or ssh).
pub fn repo_from_url(url: &str) -> Option<String> {
    let rest = url.split_once("github.com").map(|(_, r)| r)?;
    let rest = rest
        .trim_start_matches([':', '/'])
        .trim_end_matches('/')
        .trim_end_matches(".git");
    let mut parts = rest.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !name.is_empty()).then(|| format!("{owner}/{name}"))
}

fn retry_after(resp: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let h = |k: &str| {
        resp.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(s) = h("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(s));
    }
    if h("x-ratelimit-remaining") == Some("0") {
        let reset = h("x-ratelimit-reset")?.parse::<u64>().ok()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
    }
    None
}

impl GitHub {
    /// `workspace` is where cargo's `[http]` settings are read from (the
    /// client is built as for a registry: same CAs, proxy, timeouts).
    pub fn new(
        api: &str,
        repo: String,
        token: Token,
        workspace: &std::path::Path,
    ) -> Result<GitHub> {
        let agent = crate::adapters::http::Net::load(workspace)?.agent(api)?;
        Ok(GitHub {
            api: api.trim_end_matches('/').to_string(),
            repo,
            token,
            agent,
        })
    }

    /// The token from `GITHUB_TOKEN` or `GH_TOKEN`.
    pub fn token_from_env() -> Result<Token> {
        std::env::var("GITHUB_TOKEN")
            .or_else(|_| std::env::var("GH_TOKEN"))
            .map(Token::new)
            .context("the GitHub forge needs a token: set GITHUB_TOKEN or GH_TOKEN")
    }

    fn once(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        raw: Option<&[u8]>,
    ) -> Result<(u16, Value), Failure> {
        let auth = format!("Bearer {}", self.token.expose());
        let what = format!("{method} {}", url.strip_prefix(&self.api).unwrap_or(url));
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Authorization", auth)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        let resp = match (body, raw) {
            (Some(b), _) => {
                let req = req
                    .header("Content-Type", "application/json")
                    .body(serde_json::to_vec(b).expect("json"));
                self.agent.run(req.expect("a valid request"))
            }
            (None, Some(bytes)) => {
                let req = req
                    .header("Content-Type", "application/octet-stream")
                    .body(bytes.to_vec());
                self.agent.run(req.expect("a valid request"))
            }
            (None, None) => self
                .agent
                .run(req.body(Vec::new()).expect("a valid request")),
        };
        let mut resp = resp.map_err(|e| Failure::Transient {
            message: format!("{what}: {e}"),
            retry_after: None,
        })?;
        let status = resp.status().as_u16();
        let wait = retry_after(&resp);
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let msg = || {
            v["message"]
                .as_str()
                .map_or_else(|| text.chars().take(300).collect(), str::to_string)
        };
        match status {
            200..=299 | 404 | 422 => Ok((status, v)),
            429 => Err(Failure::Transient {
                message: format!("{what}: rate limited: {}", msg()),
                retry_after: wait,
            }),
            403 if wait.is_some() => Err(Failure::Transient {
                message: format!("{what}: rate limited: {}", msg()),
                retry_after: wait,
            }),
            500..=599 => Err(Failure::Transient {
                message: format!("{what}: server error {status}: {}", msg()),
                retry_after: wait,
            }),
            _ => Err(Failure::Permanent(format!("{what}: {status}: {}", msg()))),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<(u16, Value)> {
        let url = format!("{}{path}", self.api);
        let deadline = Instant::now() + Duration::from_secs(600);
        let say = |e: &Failure, w: Duration| {
            eprintln!("{:>12} in {:.1}s: {e}", "Retrying", w.as_secs_f64())
        };
        Ok(retry(
            deadline,
            || self.once(method, &url, body.as_ref(), None),
            say,
        )?)
    }

    /// The number of the open pull request from `head`, if any.
    pub fn open_pull_request(&self, head: &str) -> Result<Option<u64>> {
        let owner = self.repo.split('/').next().unwrap_or_default();
        let (_, v) = self.call(
            "GET",
            &format!("/repos/{}/pulls?state=open&head={owner}:{head}", self.repo),
            None,
        )?;
        Ok(v.as_array()
            .and_then(|a| a.first())
            .and_then(|p| p["number"].as_u64()))
    }

    pub fn create_pull_request(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
    ) -> Result<u64> {
        let (status, v) = self.call(
            "POST",
            &format!("/repos/{}/pulls", self.repo),
            Some(json!({"title": title, "head": head, "base": base, "body": body})),
        )?;
        if status >= 300 {
            bail!(
                "could not open the pull request {head} → {base}: {}",
                v["message"]
            );
        }
        v["number"]
            .as_u64()
            .context("GitHub answered without a pull request number")
    }

    pub fn update_pull_request(&self, number: u64, title: &str, body: &str) -> Result<()> {
        let (status, v) = self.call(
            "PATCH",
            &format!("/repos/{}/pulls/{number}", self.repo),
            Some(json!({"title": title, "body": body})),
        )?;
        if status >= 300 {
            bail!("could not update pull request #{number}: {}", v["message"]);
        }
        Ok(())
    }

    /// Combined statuses and check runs of `sha`; `required` (if not
    /// empty) limits which ones must pass; `ignore` names checks not to wait
    /// for (the job asking, which is itself a check run of the commit).
    pub fn checks(&self, sha: &str, required: &[String], ignore: &[String]) -> Result<Checks> {
        let (_, st) = self.call(
            "GET",
            &format!("/repos/{}/commits/{sha}/status", self.repo),
            None,
        )?;
        let (_, cr) = self.call(
            "GET",
            &format!("/repos/{}/commits/{sha}/check-runs", self.repo),
            None,
        )?;
        let mut results: Vec<(String, &str)> = Vec::new();
        for s in st["statuses"].as_array().into_iter().flatten() {
            let state = match s["state"].as_str().unwrap_or("pending") {
                "success" => "passed",
                "pending" => "pending",
                _ => "failed",
            };
            results.push((s["context"].as_str().unwrap_or("?").to_string(), state));
        }
        for r in cr["check_runs"].as_array().into_iter().flatten() {
            let state = if r["status"].as_str() != Some("completed") {
                "pending"
            } else {
                match r["conclusion"].as_str().unwrap_or("") {
                    "success" | "neutral" | "skipped" => "passed",
                    _ => "failed",
                }
            };
            results.push((r["name"].as_str().unwrap_or("?").to_string(), state));
        }
        results.retain(|(n, _)| !ignore.contains(n));
        if !required.is_empty() {
            for name in required {
                if !results.iter().any(|(n, _)| n == name) {
                    results.push((name.clone(), "pending"));
                }
            }
            results.retain(|(n, _)| required.contains(n));
        }
        let pick = |s: &str| {
            results
                .iter()
                .filter(|(_, x)| *x == s)
                .map(|(n, _)| n.clone())
                .collect::<Vec<_>>()
        };
        let (failed, pending) = (pick("failed"), pick("pending"));
        Ok(if !failed.is_empty() {
            Checks::Failed(failed)
        } else if !pending.is_empty() || results.is_empty() {
            Checks::Pending(if pending.is_empty() {
                vec!["(no checks reported yet)".into()]
            } else {
                pending
            })
        } else {
            Checks::Passed
        })
    }

    /// Creates `refs/tags/NAME` at `sha` (through the API, so the tag's own
    /// workflows run).
    pub fn create_tag(&self, name: &str, sha: &str) -> Result<()> {
        let (status, v) = self.call(
            "POST",
            &format!("/repos/{}/git/refs", self.repo),
            Some(json!({"ref": format!("refs/tags/{name}"), "sha": sha})),
        )?;
        if status >= 300 {
            bail!("could not create tag {name}: {}", v["message"]);
        }
        Ok(())
    }

    /// The release of `tag`: its id and asset upload URL.
    pub fn release(&self, tag: &str) -> Result<Option<(u64, String)>> {
        let (status, v) = self.call(
            "GET",
            &format!("/repos/{}/releases/tags/{tag}", self.repo),
            None,
        )?;
        if status == 404 {
            return Ok(None);
        }
        Ok(Some((
            v["id"].as_u64().context("release without id")?,
            v["upload_url"].as_str().unwrap_or_default().to_string(),
        )))
    }

    pub fn create_release(
        &self,
        tag: &str,
        body: &str,
        prerelease: bool,
        latest: bool,
    ) -> Result<(u64, String)> {
        let (status, v) = self.call(
            "POST",
            &format!("/repos/{}/releases", self.repo),
            Some(json!({
                "tag_name": tag, "name": tag, "body": body, "prerelease": prerelease,
                "make_latest": if latest { "true" } else { "false" },
            })),
        )?;
        if status >= 300 {
            bail!("could not create the release {tag}: {}", v["message"]);
        }
        Ok((
            v["id"].as_u64().context("release without id")?,
            v["upload_url"].as_str().unwrap_or_default().to_string(),
        ))
    }

    pub fn upload_asset(&self, upload_url: &str, name: &str, bytes: &[u8]) -> Result<()> {
        let base = upload_url.split('{').next().unwrap_or(upload_url);
        let url = format!("{base}?name={name}");
        let deadline = Instant::now() + Duration::from_secs(600);
        let (status, v) = retry(
            deadline,
            || self.once("POST", &url, None, Some(bytes)),
            |_, _| {},
        )?;
        if status >= 300 {
            bail!("could not upload {name}: {}", v["message"]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_from_remote_urls() {
        assert_eq!(
            repo_from_url("https://github.com/bytecodealliance/wasmtime.git").as_deref(),
            Some("bytecodealliance/wasmtime")
        );
        assert_eq!(
            repo_from_url("git@github.com:o/r.git").as_deref(),
            Some("o/r")
        );
        assert_eq!(
            repo_from_url("https://git:tok@github.com/o/r").as_deref(),
            Some("o/r")
        );
        assert_eq!(repo_from_url("/tmp/origin.git"), None);
    }
}
