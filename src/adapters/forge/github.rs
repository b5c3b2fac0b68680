//! The GitHub forge: pull requests, commit checks and statuses, tag refs,
//! releases and their assets through GitHub's REST API, on the shared REST
//! layer ([`crate::adapters::rest`]) with GitHub's dialect: a bearer
//! token, its media type and API version, `Link` pagination, and its rate
//! limits (429, or 403 with `x-ratelimit-remaining: 0`, or its "secondary
//! rate limit", wait for `retry-after`, `x-ratelimit-reset` or a minute).
//! All calls of a run share one retry budget (`github.retry-budget-secs`).

use super::{
    Checks, Forge, Issue, IssueState, MergedPullRequest, NewRelease, OpenPullRequest, PrState,
    PullRequest, Release, ReleaseState,
};
use crate::adapters::cargo_config::Token;
use crate::adapters::rest::{
    self, Auth, Dialect, Paging, RateLimits, Request, RestError, Target, enc, enc_ref,
};
use crate::core::config::Config;
use anyhow::Context as _;
use serde_json::{Value, json};
use std::time::Duration;

/// How GitHub's REST API is spoken.
static GITHUB: Dialect = Dialect {
    name: "GitHub",
    budget_setting: "github.retry-budget-secs",
    auth: Auth::Bearer,
    headers: &[
        ("Accept", "application/vnd.github+json"),
        ("X-GitHub-Api-Version", "2022-11-28"),
    ],
    page_size: ("per_page", 100),
    paging: Paging::Link,
    limits: RateLimits {
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        secondary: Some("secondary rate limit"),
    },
    answered: &[404, 422],
};

/// What went wrong with a GitHub call: at the API itself, or in what
/// GitHub's answers mean for the train.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error(transparent)]
    Rest(#[from] RestError),
    #[error(
        "`{name}` already exists on GitHub at {at}, not at {sha}; a released version is never re-tagged"
    )]
    TagElsewhere {
        name: String,
        at: String,
        sha: String,
    },
    #[error("the GitHub forge needs a token: set GITHUB_TOKEN or GH_TOKEN")]
    NoToken,
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

/// GitHub's endpoints for one repository.
pub struct GitHub {
    rest: rest::Client,
    /// `owner/name`
    pub repo: String,
}

/// An answer without what it should hold.
fn unexpected(call: String, problem: impl Into<String>) -> GithubError {
    RestError::Unexpected {
        call,
        problem: problem.into(),
    }
    .into()
}

impl GitHub {
    /// `workspace` is where cargo's `[http]` settings are read from (the
    /// client is built as for a registry: same CAs, proxy, timeouts).
    /// `budget`: how long all calls together may spend retrying.
    pub fn new(
        api: &str,
        repo: String,
        token: Token,
        workspace: &std::path::Path,
        budget: Duration,
    ) -> anyhow::Result<GitHub> {
        Ok(GitHub {
            rest: rest::Client::new(&GITHUB, api, token, workspace, budget)?,
            repo,
        })
    }

    /// The token from `GITHUB_TOKEN` or `GH_TOKEN`.
    pub fn token_from_env() -> Result<Token, GithubError> {
        std::env::var("GITHUB_TOKEN")
            .or_else(|_| std::env::var("GH_TOKEN"))
            .map(Token::new)
            .map_err(|_| GithubError::NoToken)
    }

    /// `method` on `path` under the API, with a JSON body if any.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<rest::Answer, RestError> {
        let req = Request::new(method, path);
        match &body {
            Some(b) => self.rest.send(&req.json(b)),
            None => self.rest.send(&req),
        }
    }

    /// `/repos/OWNER/NAME`, each part encoded.
    fn repo_path(&self) -> String {
        let (owner, name) = self.repo.split_once('/').unwrap_or((&self.repo, ""));
        format!("/repos/{}/{}", enc(owner), enc(name))
    }

    /// The number of the open pull request from `head` into `base`, if any.
    /// GitHub filters by head; the base is matched here, through every page.
    pub fn open_pull_request(&self, head: &str, base: &str) -> Result<Option<u64>, GithubError> {
        let owner = self.repo.split('/').next().unwrap_or_default();
        let pulls = self.rest.list(
            &format!(
                "{}/pulls?state=open&head={}",
                self.repo_path(),
                enc(&format!("{owner}:{head}"))
            ),
            None,
        )?;
        Ok(pulls
            .iter()
            .find(|p| p["head"]["ref"] == head && p["base"]["ref"] == base)
            .and_then(|p| p["number"].as_u64()))
    }

    /// Every open pull request from a branch of this repository (a fork's
    /// head names another repository), through every page.
    pub fn open_pull_requests(&self) -> Result<Vec<OpenPullRequest>, GithubError> {
        let pulls = self
            .rest
            .list(&format!("{}/pulls?state=open", self.repo_path()), None)?;
        Ok(pulls
            .iter()
            .filter(|p| p["head"]["repo"]["full_name"] == p["base"]["repo"]["full_name"])
            .filter_map(|p| {
                Some(OpenPullRequest {
                    number: p["number"].as_u64()?,
                    title: p["title"].as_str().unwrap_or_default().to_string(),
                    head: p["head"]["ref"].as_str()?.to_string(),
                    base: p["base"]["ref"].as_str()?.to_string(),
                    url: p["html_url"].as_str().unwrap_or_default().to_string(),
                })
            })
            .collect())
    }

    /// The closed pull requests into `base` whose merge commit is one of
    /// `commits`: `GET /pulls?state=closed&base=B`, newest update first,
    /// through the client's bounded paging (GitHub lists no pull requests
    /// by merge commit in one call; one call per commit would be more).
    pub fn merged_pull_requests(
        &self,
        base: &str,
        commits: &[String],
    ) -> Result<Vec<crate::core::notes_draft::Pull>, GithubError> {
        let wanted: std::collections::HashSet<&str> = commits.iter().map(String::as_str).collect();
        let pulls = self.rest.list(
            &format!(
                "{}/pulls?state=closed&base={}&sort=updated&direction=desc",
                self.repo_path(),
                enc(base)
            ),
            None,
        )?;
        Ok(pulls
            .iter()
            .filter(|p| !p["merged_at"].is_null())
            .filter_map(|p| {
                let merge = p["merge_commit_sha"].as_str()?;
                wanted
                    .contains(merge)
                    .then(|| crate::core::notes_draft::Pull {
                        number: p["number"].as_u64().unwrap_or_default(),
                        title: p["title"].as_str().unwrap_or_default().to_string(),
                        author: p["user"]["login"].as_str().unwrap_or_default().to_string(),
                        labels: p["labels"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|l| l["name"].as_str().map(str::to_string))
                            .collect(),
                        merge_commit: merge.to_string(),
                    })
            })
            .collect())
    }

    /// The merged pull request `number`: `GET /pulls/N` (its `merged` flag,
    /// `merge_commit_sha` and title) and `GET /pulls/N/commits` (its own
    /// commits, oldest first).
    pub fn merged_pull_request(&self, number: u64) -> Result<MergedPullRequest, GithubError> {
        let path = format!("{}/pulls/{number}", self.repo_path());
        let a = self.call("GET", &path, None)?;
        let call = format!("GET {path}");
        if a.status >= 300 {
            return Err(RestError::Refused {
                call,
                status: a.status,
                message: a.message(),
            }
            .into());
        }
        let v = &a.body;
        if v["merged"].as_bool() != Some(true) {
            return Err(unexpected(
                call,
                format!(
                    "pull request #{number} is not merged ({}); backport it once it is",
                    v["state"].as_str().unwrap_or("state unknown")
                ),
            ));
        }
        let Some(merge_commit) = v["merge_commit_sha"].as_str().filter(|s| !s.is_empty()) else {
            return Err(unexpected(
                call,
                "a merged pull request without merge_commit_sha",
            ));
        };
        let commits = self.rest.list(&format!("{path}/commits"), None)?;
        Ok(MergedPullRequest {
            number,
            title: v["title"].as_str().unwrap_or_default().to_string(),
            merge_commit: merge_commit.to_string(),
            subjects: commits
                .iter()
                .map(|c| {
                    c["commit"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect(),
        })
    }

    pub fn create_pull_request(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
    ) -> Result<u64, GithubError> {
        let path = format!("{}/pulls", self.repo_path());
        let a = self
            .call(
                "POST",
                &path,
                Some(json!({"title": title, "head": head, "base": base, "body": body})),
            )?
            .or_rejected(|| format!("open the pull request {head} → {base}"))?;
        a.body["number"].as_u64().ok_or_else(|| {
            unexpected(
                format!("POST {path}"),
                "GitHub answered without a pull request number",
            )
        })
    }

    pub fn update_pull_request(
        &self,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GithubError> {
        self.call(
            "PATCH",
            &format!("{}/pulls/{number}", self.repo_path()),
            Some(json!({"title": title, "body": body})),
        )?
        .or_rejected(|| format!("update pull request #{number}"))?;
        Ok(())
    }

    /// Combined statuses and check runs of `sha`; `required` (if not
    /// empty) limits which ones must pass; `ignore` names checks not to wait
    /// for (the job asking, which is itself a check run of the commit).
    pub fn checks(
        &self,
        sha: &str,
        required: &[String],
        ignore: &[String],
    ) -> Result<Checks, GithubError> {
        // The combined status holds the newest status of each context (the
        // list endpoint would hold every status ever set); both paginate.
        let statuses = self.rest.list(
            &format!("{}/commits/{}/status", self.repo_path(), enc(sha)),
            Some("statuses"),
        )?;
        let runs = self.rest.list(
            &format!("{}/commits/{}/check-runs", self.repo_path(), enc(sha)),
            Some("check_runs"),
        )?;
        let mut results: Vec<(String, &str)> = Vec::new();
        for s in &statuses {
            let state = match s["state"].as_str().unwrap_or("pending") {
                "success" => "passed",
                "pending" => "pending",
                _ => "failed",
            };
            results.push((s["context"].as_str().unwrap_or("?").to_string(), state));
        }
        for r in &runs {
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
        Ok(verdict(results, required, ignore))
    }

    /// Creates `refs/tags/NAME` at `sha` (through the API, so the tag's own
    /// workflows run). A tag already there at `sha` (an earlier or a
    /// concurrent run made it) is success; elsewhere, an error.
    pub fn create_tag(&self, name: &str, sha: &str) -> Result<(), GithubError> {
        let a = self.call(
            "POST",
            &format!("{}/git/refs", self.repo_path()),
            Some(json!({"ref": format!("refs/tags/{name}"), "sha": sha})),
        )?;
        if a.status == 422
            && let Some(at) = self.tag_target(name)?
        {
            if at == sha {
                return Ok(());
            }
            return Err(GithubError::TagElsewhere {
                name: name.into(),
                at,
                sha: sha.into(),
            });
        }
        a.or_rejected(|| format!("create tag {name}"))?;
        Ok(())
    }

    /// What `refs/tags/NAME` points at on GitHub, if it exists.
    pub fn tag_target(&self, name: &str) -> Result<Option<String>, GithubError> {
        // `/git/ref/` takes the ref with its slashes: `tags/release/1.0`.
        let path = format!(
            "{}/git/ref/{}",
            self.repo_path(),
            enc_ref(&format!("tags/{name}"))
        );
        let a = self.call("GET", &path, None)?;
        if a.status == 404 {
            return Ok(None);
        }
        let a = a.or_rejected(|| format!("read the tag {name}"))?;
        Ok(a.body["object"]["sha"].as_str().map(str::to_string))
    }

    /// A release's id and asset upload URL from GitHub's answer.
    fn release_of(call: String, v: &Value) -> Result<(u64, String), GithubError> {
        let id = v["id"]
            .as_u64()
            .ok_or_else(|| unexpected(call, "GitHub answered with a release without id"))?;
        Ok((id, v["upload_url"].as_str().unwrap_or_default().to_string()))
    }

    /// The release of `tag`: its id, asset upload URL and its assets' names.
    pub fn release(&self, tag: &str) -> Result<Option<(u64, String, Vec<String>)>, GithubError> {
        let path = format!("{}/releases/tags/{}", self.repo_path(), enc(tag));
        let a = self.call("GET", &path, None)?;
        if a.status == 404 {
            return Ok(None);
        }
        let v = a.or_rejected(|| format!("read the release {tag}"))?.body;
        let (id, url) = Self::release_of(format!("GET {path}"), &v)?;
        let assets = v["assets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some((id, url, assets)))
    }

    pub fn create_release(
        &self,
        tag: &str,
        body: &str,
        prerelease: bool,
        latest: bool,
    ) -> Result<(u64, String), GithubError> {
        let path = format!("{}/releases", self.repo_path());
        let a = self.call(
            "POST",
            &path,
            Some(json!({
                "tag_name": tag, "name": tag, "body": body, "prerelease": prerelease,
                "make_latest": if latest { "true" } else { "false" },
            })),
        )?;
        let v = a.or_rejected(|| format!("create the release {tag}"))?.body;
        Self::release_of(format!("POST {path}"), &v)
    }

    /// The open issue whose body holds `marker`, else the one titled
    /// `title`: every page of `GET /issues?state=open` (pull requests,
    /// which GitHub lists among issues, left out).
    pub fn find_issue(&self, title: &str, marker: &str) -> Result<Option<Issue>, GithubError> {
        let issues = self
            .rest
            .list(&format!("{}/issues?state=open", self.repo_path()), None)?;
        let issues: Vec<Issue> = issues
            .iter()
            .filter(|i| i.get("pull_request").is_none_or(Value::is_null))
            .filter_map(|i| {
                Some(Issue {
                    number: i["number"].as_u64()?,
                    title: i["title"].as_str().unwrap_or_default().to_string(),
                    body: i["body"].as_str().unwrap_or_default().to_string(),
                })
            })
            .collect();
        let by_marker = issues.iter().find(|i| i.body.contains(marker));
        Ok(by_marker
            .or_else(|| issues.iter().find(|i| i.title == title))
            .cloned())
    }

    pub fn create_issue(&self, title: &str, body: &str) -> Result<u64, GithubError> {
        let path = format!("{}/issues", self.repo_path());
        let a = self
            .call("POST", &path, Some(json!({"title": title, "body": body})))?
            .or_rejected(|| format!("open the issue \"{title}\""))?;
        a.body["number"].as_u64().ok_or_else(|| {
            unexpected(
                format!("POST {path}"),
                "GitHub answered without an issue number",
            )
        })
    }

    pub fn update_issue(
        &self,
        number: u64,
        body: Option<&str>,
        close: bool,
    ) -> Result<(), GithubError> {
        let mut fields = serde_json::Map::new();
        if let Some(b) = body {
            fields.insert("body".into(), json!(b));
        }
        if close {
            fields.insert("state".into(), json!("closed"));
            fields.insert("state_reason".into(), json!("completed"));
        }
        self.call(
            "PATCH",
            &format!("{}/issues/{number}", self.repo_path()),
            Some(Value::Object(fields)),
        )?
        .or_rejected(|| format!("update issue #{number}"))?;
        Ok(())
    }

    /// Uploads an asset to the `upload_url` GitHub gave its release (on
    /// github.com another host than the API's, `uploads.github.com`).
    pub fn upload_asset(
        &self,
        upload_url: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), GithubError> {
        let base = upload_url.split('{').next().unwrap_or(upload_url);
        let url = format!("{base}?name={}", enc(name));
        let req = Request::to("POST", Target::Given(&url)).bytes(bytes);
        self.rest
            .send(&req)?
            .or_rejected(|| format!("upload {name}"))?;
        Ok(())
    }
}

/// What the checks `results` (name and `passed`, `pending` or `failed`)
/// say: `required` (if not empty) limits which ones must pass, and waits
/// for those not reported yet; `ignore`d ones do not count. Forgejo's
/// statuses are read by the same rule.
pub(super) fn verdict(
    mut results: Vec<(String, &str)>,
    required: &[String],
    ignore: &[String],
) -> Checks {
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
    if !failed.is_empty() {
        Checks::Failed(failed)
    } else if !pending.is_empty() || results.is_empty() {
        Checks::Pending(if pending.is_empty() {
            vec!["(no checks reported yet)".into()]
        } else {
            pending
        })
    } else {
        Checks::Passed
    }
}

/// Pull requests, checks, tags and releases on GitHub; an open pull request
/// from the same branch is updated rather than opened twice.
pub struct GithubForge {
    api: GitHub,
    /// Checks that must pass before a tag; empty: all of them.
    required_checks: Vec<String>,
}

impl GithubForge {
    /// The forge of this repository (`remote_url` names it unless
    /// configured).
    pub fn open(config: &Config, remote_url: &str) -> anyhow::Result<GithubForge> {
        let repo = match &config.github.repository {
            Some(r) => r.clone(),
            None => repo_from_url(remote_url).with_context(|| {
                format!("cannot tell the GitHub repository from the remote URL {remote_url}: set github.repository")
            })?,
        };
        // Cargo reads its `[http]` settings from the current directory up.
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let api = GitHub::new(
            &config.github.api_url,
            repo,
            GitHub::token_from_env()?,
            &cwd,
            Duration::from_secs(config.github.retry_budget_secs),
        )?;
        Ok(GithubForge {
            api,
            required_checks: config.github.required_checks.clone(),
        })
    }
}

impl Forge for GithubForge {
    fn name(&self) -> &'static str {
        "GitHub"
    }
    fn reviews(&self) -> bool {
        true
    }
    fn merged_pull_request(&self, number: u64) -> anyhow::Result<MergedPullRequest> {
        Ok(self.api.merged_pull_request(number)?)
    }
    fn pull_request(&self, head: &str, base: &str) -> anyhow::Result<PrState> {
        Ok(match self.api.open_pull_request(head, base)? {
            Some(n) => PrState::Open(n),
            None => PrState::Missing,
        })
    }
    fn open_pull_requests(&self) -> anyhow::Result<Option<Vec<OpenPullRequest>>> {
        Ok(Some(self.api.open_pull_requests()?))
    }
    fn merged_pull_requests(
        &self,
        base: &str,
        commits: &[String],
    ) -> anyhow::Result<Option<Vec<crate::core::notes_draft::Pull>>> {
        Ok(Some(self.api.merged_pull_requests(base, commits)?))
    }
    fn open_pull_request(&self, pr: &PullRequest) -> anyhow::Result<()> {
        match self.api.open_pull_request(&pr.head, &pr.base)? {
            Some(n) => {
                self.api.update_pull_request(n, &pr.title, &pr.body)?;
                crate::output::say("Updated", &format!("pull request #{n}: {}", pr.title));
            }
            None => {
                let n = self
                    .api
                    .create_pull_request(&pr.title, &pr.head, &pr.base, &pr.body)?;
                crate::output::say("Opened", &format!("pull request #{n}: {}", pr.title));
            }
        }
        Ok(())
    }
    fn checks(&self, sha: &str) -> anyhow::Result<Checks> {
        // In GitHub Actions the job asking is a check run of the commit
        // too: waiting for it would wait for itself.
        let me: Vec<String> = std::env::var("GITHUB_JOB").into_iter().collect();
        Ok(self.api.checks(sha, &self.required_checks, &me)?)
    }
    fn create_tag(&self, name: &str, sha: &str) -> anyhow::Result<()> {
        // Through the API rather than a push, so the tag's own workflows
        // (publishing) start.
        Ok(self.api.create_tag(name, sha)?)
    }
    fn release(&self, tag: &str) -> anyhow::Result<ReleaseState> {
        Ok(match self.api.release(tag)? {
            Some((_, url, assets)) => ReleaseState::Exists(
                Release {
                    tag: tag.to_string(),
                    assets_url: url,
                },
                assets,
            ),
            None => ReleaseState::Missing,
        })
    }
    fn create_release(&self, r: &NewRelease) -> anyhow::Result<Release> {
        let (_, url) = self
            .api
            .create_release(&r.tag, &r.body, r.prerelease, r.latest)?;
        Ok(Release {
            tag: r.tag.clone(),
            assets_url: url,
        })
    }
    fn upload_asset(&self, r: &Release, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        Ok(self.api.upload_asset(&r.assets_url, name, bytes)?)
    }
    fn find_issue(&self, title: &str, marker: &str) -> anyhow::Result<IssueState> {
        Ok(match self.api.find_issue(title, marker)? {
            Some(i) => IssueState::Found(i),
            None => IssueState::Missing,
        })
    }
    fn create_issue(&self, title: &str, body: &str) -> anyhow::Result<u64> {
        Ok(self.api.create_issue(title, body)?)
    }
    fn update_issue(&self, number: u64, body: Option<&str>, close: bool) -> anyhow::Result<()> {
        Ok(self.api.update_issue(number, body, close)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's dialect's rule for a rate limit's wait.
    fn limit_wait(
        status: u16,
        header: impl Fn(&str) -> Option<String>,
        message: &str,
        now_epoch: u64,
    ) -> Option<Duration> {
        GITHUB.limits.wait(status, header, message, now_epoch)
    }

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

    #[test]
    fn rate_limit_waits_follow_githubs_rules() {
        let h = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let s = |n| Some(Duration::from_secs(n));
        assert_eq!(limit_wait(429, h(&[("retry-after", "7")]), "", 0), s(7));
        assert_eq!(limit_wait(403, h(&[("retry-after", "3")]), "", 0), s(3));
        let primary = h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1030"),
        ]);
        assert_eq!(
            limit_wait(403, primary, "API rate limit exceeded", 1000),
            s(31)
        );
        // A secondary limit without headers: at least a minute.
        let msg = "You have exceeded a secondary rate limit. Please wait a few minutes.";
        assert_eq!(limit_wait(403, h(&[]), msg, 0), s(60));
        assert_eq!(limit_wait(429, h(&[]), msg, 0), s(60));
        // A 403 that is no rate limit is a plain refusal.
        assert_eq!(
            limit_wait(403, h(&[]), "Resource not accessible by integration", 0),
            None
        );
        let left = h(&[
            ("x-ratelimit-remaining", "12"),
            ("x-ratelimit-reset", "1030"),
        ]);
        assert_eq!(limit_wait(403, left, "Forbidden", 1000), None);
    }

    #[test]
    fn the_budget_message_names_githubs_setting() {
        let e = RestError::BudgetSpent {
            forge: GITHUB.name,
            setting: GITHUB.budget_setting,
            budget_secs: 3,
            attempts: 2,
            last: Box::new(RestError::Unexpected {
                call: "GET /x".into(),
                problem: "?".into(),
            }),
        };
        assert_eq!(
            e.to_string(),
            "giving up after 2 attempts: the 3s budget for retrying this run's GitHub calls \
             ran out (raise `github.retry-budget-secs`); the last failure"
        );
    }
}
