//! The GitLab forge, for gitlab.com and self-managed instances: merge
//! requests, the pipelines, jobs and commit statuses of a commit, tags,
//! releases with their assets (files in the project's generic package
//! registry, linked from the release) through `URL/api/v4`, on the shared
//! REST layer ([`crate::adapters::rest`]) with GitLab's dialect:
//! `PRIVATE-TOKEN` (or `JOB-TOKEN` in CI), `per_page`/`page` paging
//! followed by `x-next-page` (or, for keyset pagination, `Link`), and 429
//! answers waited out for their `Retry-After` or `RateLimit-Reset`. All
//! calls of a run share one retry budget (`gitlab.retry-budget-secs`).
//!
//! A job token (`CI_JOB_TOKEN`) reaches only what GitLab lets job tokens
//! do: releases and their links, the package registry, reading merge
//! requests (the list and one, not its commits) and a pipeline's jobs.
//! Elsewhere (listing pipelines, commit statuses, opening or editing merge
//! requests, creating or reading a tag) GitLab ignores it and answers 401 as
//! to no token, so `cut`, `rc`, `patch`, `backport` and `tag` need
//! `GITLAB_TOKEN` (a personal, project or group access token with the `api`
//! scope).

use super::{
    Checks, Forge, Issue, IssueState, MergedPullRequest, NewRelease, OpenPullRequest, PrState,
    PullRequest, Release, ReleaseState,
};
use crate::adapters::cargo_config::Token;
use crate::adapters::rest::{self, Auth, Dialect, Paging, RateLimits, Request, RestError, enc};
use crate::core::config::Config;
use anyhow::Context as _;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

/// How GitLab's REST API is spoken, with a personal, project or group
/// access token.
const DIALECT: Dialect = Dialect {
    name: "GitLab",
    budget_setting: "gitlab.retry-budget-secs",
    auth: Auth::PrivateToken,
    headers: &[("Accept", "application/json")],
    // 100 is the most GitLab gives a page.
    page_size: ("per_page", 100),
    paging: Paging::NextPageOrLink,
    // GitLab limits with 429 and `Retry-After`, and says `RateLimit-*` on
    // throttled paths (the reset in epoch seconds); no "secondary" limits.
    limits: RateLimits {
        remaining: "ratelimit-remaining",
        reset: "ratelimit-reset",
        secondary: None,
    },
    // 400 a tag there already (or a bad name), 404 missing, 409 a release or
    // merge request there already.
    answered: &[400, 404, 409],
};
static GITLAB: Dialect = DIALECT;
/// The same with GitLab CI's job token.
static GITLAB_JOB: Dialect = Dialect {
    auth: Auth::JobToken,
    ..DIALECT
};

/// What went wrong with a GitLab call: at the API itself, or in what its
/// answers mean for the train.
#[derive(Debug, thiserror::Error)]
pub enum GitlabError {
    #[error(transparent)]
    Rest(#[from] RestError),
    #[error(
        "`{name}` already exists on GitLab at {at}, not at {sha}; a released version is never re-tagged"
    )]
    TagElsewhere {
        name: String,
        at: String,
        sha: String,
    },
    #[error(
        "the GitLab forge needs a token: set GITLAB_TOKEN (a personal, project or group access \
         token with the `api` scope); in GitLab CI, CI_JOB_TOKEN reaches releases and packages only"
    )]
    NoToken,
}

/// An answer without what it should hold.
fn unexpected(call: String, problem: impl Into<String>) -> GitlabError {
    RestError::Unexpected {
        call,
        problem: problem.into(),
    }
    .into()
}

/// The project's full path (`group/subgroup/name`) from a remote URL on the
/// instance at `instance` (`https://host[:port][/path]`): https
/// (`https://[user@]host/path/g/r.git`), ssh (`ssh://git@host[:port]/g/r.git`)
/// or scp-like (`git@host:g/r.git`). The host is compared without its port
/// (ssh's differs from the web's); the instance's path (a relative URL root)
/// may or may not be in the remote's (ssh has none).
pub fn project_from_url(instance: &str, url: &str) -> Option<String> {
    let inst = instance.split_once("://").map_or(instance, |(_, r)| r);
    let (inst_host, inst_path) = inst.split_once('/').unwrap_or((inst, ""));
    let (authority, path) = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/')?,
        None => url.split_once(':')?,
    };
    let host = authority.rsplit('@').next()?;
    let bare = |h: &str| h.split(':').next().unwrap_or(h).to_ascii_lowercase();
    if bare(host) != bare(inst_host) {
        return None;
    }
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let inst_path = inst_path.trim_matches('/');
    let path = match path.strip_prefix(inst_path) {
        Some(rest) if !inst_path.is_empty() && rest.starts_with('/') => &rest[1..],
        _ => path,
    };
    // A namespace and a name at least; no empty segment.
    let segments: Vec<&str> = path.split('/').collect();
    (segments.len() >= 2 && segments.iter().all(|s| !s.is_empty())).then(|| path.to_string())
}

/// `s` with every character a generic package's name or version may not
/// hold (anything but letters, digits, `.`, `_`, `-`) made `-`.
fn package_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A merge request's commits in the order they were made, oldest first.
/// GitLab lists them newest first, as `git log` does; the order is read
/// from the commits' `parent_ids` rather than assumed.
fn oldest_first(mut commits: Vec<Value>) -> Vec<Value> {
    let newest_first = commits.len() >= 2
        && commits[0]["parent_ids"]
            .as_array()
            .is_some_and(|ps| ps.contains(&commits[1]["id"]));
    if newest_first {
        commits.reverse();
    }
    commits
}

/// What a job's or commit status's `status` says for the gate: `passed`,
/// `pending` or `failed`. A failure GitLab allows (`allow_failure`) does
/// not fail the pipeline, so it does not fail the gate; a manual job that
/// may be left unplayed does not hold it, unless it is `required`.
fn job_state(status: &str, allow_failure: bool, required: bool) -> &'static str {
    match status {
        "success" | "skipped" => "passed",
        "failed" if allow_failure => "passed",
        "failed" | "canceled" | "canceling" => "failed",
        "manual" if allow_failure && !required => "passed",
        // created, waiting_for_resource, preparing, pending, running,
        // scheduled, manual (blocking or required).
        _ => "pending",
    }
}

/// Merge requests, pipelines and statuses, tags and releases of one
/// project on a GitLab instance; an open merge request from the same
/// branch is updated rather than opened twice.
pub struct GitlabForge {
    rest: rest::Client,
    /// `group/subgroup/name`
    project: String,
    /// Jobs and statuses that must pass before a tag; empty: all of them.
    required_jobs: Vec<String>,
}

impl GitlabForge {
    /// The forge of this repository (`remote_url` names the project unless
    /// configured).
    pub fn open(config: &Config, remote_url: &str) -> anyhow::Result<GitlabForge> {
        let url = &config.gitlab.url;
        let project = match &config.gitlab.project {
            Some(p) => p.trim_matches('/').to_string(),
            None => project_from_url(url, remote_url).with_context(|| {
                format!(
                    "cannot tell the project on {url} from the remote URL {remote_url}: \
                     set gitlab.project (`group/name`)"
                )
            })?,
        };
        let (token, dialect) = Self::token_from_env()?;
        // Cargo reads its `[http]` settings from the current directory up.
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        Ok(GitlabForge {
            rest: rest::Client::new(
                dialect,
                &format!("{url}/api/v4"),
                token,
                &cwd,
                Duration::from_secs(config.gitlab.retry_budget_secs),
            )?,
            project,
            required_jobs: config.gitlab.required_jobs.clone(),
        })
    }

    /// The token from `GITLAB_TOKEN` (sent as `PRIVATE-TOKEN`), else GitLab
    /// CI's `CI_JOB_TOKEN` (sent as `JOB-TOKEN`); an empty one is none.
    pub fn token_from_env() -> Result<(Token, &'static Dialect), GitlabError> {
        let var = |v: &str| std::env::var(v).ok().filter(|t| !t.is_empty());
        if let Some(t) = var("GITLAB_TOKEN") {
            return Ok((Token::new(t), &GITLAB));
        }
        var("CI_JOB_TOKEN")
            .map(|t| (Token::new(t), &GITLAB_JOB))
            .ok_or(GitlabError::NoToken)
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

    /// `/projects/ID`, the project's path encoded as its id.
    fn project_path(&self) -> String {
        format!("/projects/{}", enc(&self.project))
    }

    /// The iid of the open merge request from `head` into `base`, if any,
    /// through every page (a fork's branch of the same name is another
    /// merge request, into this project too).
    fn find_open_mr(&self, head: &str, base: &str) -> Result<Option<u64>, GitlabError> {
        let mrs = self.rest.list(
            &format!(
                "{}/merge_requests?state=opened&source_branch={}&target_branch={}",
                self.project_path(),
                enc(head),
                enc(base)
            ),
            None,
        )?;
        Ok(mrs
            .iter()
            .find(|m| {
                m["source_branch"] == head
                    && m["target_branch"] == base
                    && m["source_project_id"] == m["target_project_id"]
            })
            .and_then(|m| m["iid"].as_u64()))
    }

    /// Every open merge request from a branch of this project, through
    /// every page.
    fn open_mrs(&self) -> Result<Vec<OpenPullRequest>, GitlabError> {
        let mrs = self.rest.list(
            &format!("{}/merge_requests?state=opened", self.project_path()),
            None,
        )?;
        Ok(mrs
            .iter()
            .filter(|m| m["source_project_id"] == m["target_project_id"])
            .filter_map(|m| {
                Some(OpenPullRequest {
                    number: m["iid"].as_u64()?,
                    title: m["title"].as_str().unwrap_or_default().to_string(),
                    head: m["source_branch"].as_str()?.to_string(),
                    base: m["target_branch"].as_str()?.to_string(),
                    url: m["web_url"].as_str().unwrap_or_default().to_string(),
                })
            })
            .collect())
    }

    fn create_mr(&self, pr: &PullRequest) -> Result<u64, GitlabError> {
        let path = format!("{}/merge_requests", self.project_path());
        let body = json!({
            "source_branch": pr.head, "target_branch": pr.base,
            "title": pr.title, "description": pr.body,
        });
        let a = self
            .call("POST", &path, Some(body))?
            .or_rejected(|| format!("open the merge request {} → {}", pr.head, pr.base))?;
        a.body["iid"].as_u64().ok_or_else(|| {
            unexpected(
                format!("POST {path}"),
                "GitLab answered without a merge request iid",
            )
        })
    }

    /// The open issue whose description holds `marker`, else the one
    /// titled `title`, through every page of `GET /issues?state=opened`.
    fn find_issue_in(&self, title: &str, marker: &str) -> Result<Option<Issue>, GitlabError> {
        let issues = self.rest.list(
            &format!("{}/issues?state=opened", self.project_path()),
            None,
        )?;
        let issues: Vec<Issue> = issues
            .iter()
            .filter_map(|i| {
                Some(Issue {
                    number: i["iid"].as_u64()?,
                    title: i["title"].as_str().unwrap_or_default().to_string(),
                    body: i["description"].as_str().unwrap_or_default().to_string(),
                })
            })
            .collect();
        let by_marker = issues.iter().find(|i| i.body.contains(marker));
        Ok(by_marker
            .or_else(|| issues.iter().find(|i| i.title == title))
            .cloned())
    }

    fn create_issue_in(&self, title: &str, body: &str) -> Result<u64, GitlabError> {
        let path = format!("{}/issues", self.project_path());
        let a = self
            .call(
                "POST",
                &path,
                Some(json!({"title": title, "description": body})),
            )?
            .or_rejected(|| format!("open the issue \"{title}\""))?;
        a.body["iid"].as_u64().ok_or_else(|| {
            unexpected(
                format!("POST {path}"),
                "GitLab answered without an issue iid",
            )
        })
    }

    fn update_issue_in(
        &self,
        iid: u64,
        body: Option<&str>,
        close: bool,
    ) -> Result<(), GitlabError> {
        let mut fields = serde_json::Map::new();
        if let Some(b) = body {
            fields.insert("description".into(), json!(b));
        }
        if close {
            fields.insert("state_event".into(), json!("close"));
        }
        self.call(
            "PUT",
            &format!("{}/issues/{iid}", self.project_path()),
            Some(Value::Object(fields)),
        )?
        .or_rejected(|| format!("update issue #{iid}"))?;
        Ok(())
    }

    fn update_mr(&self, iid: u64, pr: &PullRequest) -> Result<(), GitlabError> {
        self.call(
            "PUT",
            &format!("{}/merge_requests/{iid}", self.project_path()),
            Some(json!({"title": pr.title, "description": pr.body})),
        )?
        .or_rejected(|| format!("update merge request !{iid}"))?;
        Ok(())
    }

    /// `GET /merge_requests/IID` (its state, the commit it landed as, its
    /// title) and `GET /merge_requests/IID/commits` (its own commits).
    fn merged_mr(&self, iid: u64) -> Result<MergedPullRequest, GitlabError> {
        let path = format!("{}/merge_requests/{iid}", self.project_path());
        let call = format!("GET {path}");
        let a = self.call("GET", &path, None)?;
        if a.status >= 300 {
            return Err(RestError::Refused {
                call,
                status: a.status,
                message: a.message(),
            }
            .into());
        }
        let v = &a.body;
        if v["state"] != "merged" {
            return Err(unexpected(
                call,
                format!(
                    "merge request !{iid} is not merged ({}); backport it once it is",
                    v["state"].as_str().unwrap_or("state unknown")
                ),
            ));
        }
        // Merged with a merge commit: that; squashed without one: the
        // squash commit; fast-forwarded (rebased): its head, the last of the
        // rebased commits.
        let landed = ["merge_commit_sha", "squash_commit_sha", "sha"]
            .iter()
            .find_map(|k| v[*k].as_str().filter(|s| !s.is_empty()));
        let Some(merge_commit) = landed else {
            return Err(unexpected(
                call,
                "a merged merge request without merge_commit_sha, squash_commit_sha or sha",
            ));
        };
        let commits = self.rest.list(&format!("{path}/commits"), None)?;
        Ok(MergedPullRequest {
            number: iid,
            title: v["title"].as_str().unwrap_or_default().to_string(),
            merge_commit: merge_commit.to_string(),
            subjects: oldest_first(commits)
                .iter()
                .map(|c| c["title"].as_str().unwrap_or_default().to_string())
                .collect(),
        })
    }

    /// The CI of commit `sha`: the jobs of its newest pipeline, and the
    /// commit's statuses that are not those jobs (set by other CI, in an
    /// external pipeline or on the newest one), as `required-jobs` asks
    /// for them; `ignore` names jobs not to wait for.
    fn ci(&self, sha: &str, ignore: &[String]) -> Result<Checks, GitlabError> {
        let p = self.project_path();
        let pipelines = self.rest.list(
            &format!("{p}/pipelines?sha={}&order_by=id&sort=desc", enc(sha)),
            None,
        )?;
        let newest = pipelines.first().and_then(|n| n["id"].as_u64());
        let external: HashSet<u64> = pipelines
            .iter()
            .filter(|p| p["source"] == "external")
            .filter_map(|p| p["id"].as_u64())
            .collect();
        let required = |name: &str| self.required_jobs.iter().any(|r| r == name);
        let mut results: Vec<(String, &str)> = Vec::new();
        let mut jobs = HashSet::new();
        if let Some(id) = newest {
            // The newest attempt of each job (retried ones are left out).
            for j in self.rest.list(&format!("{p}/pipelines/{id}/jobs"), None)? {
                let name = j["name"].as_str().unwrap_or("?").to_string();
                let status = j["status"].as_str().unwrap_or("pending");
                let allowed = j["allow_failure"].as_bool().unwrap_or(false);
                results.push((name.clone(), job_state(status, allowed, required(&name))));
                jobs.insert(name);
            }
        }
        // The newest status of each name; jobs are statuses too, those of
        // the newest pipeline counted above and older pipelines' not at all.
        let statuses = self.rest.list(
            &format!("{p}/repository/commits/{}/statuses", enc(sha)),
            None,
        )?;
        for s in &statuses {
            let name = s["name"].as_str().unwrap_or("?").to_string();
            let pipeline = s["pipeline_id"].as_u64();
            let stale = pipeline.is_some_and(|id| Some(id) != newest && !external.contains(&id));
            if jobs.contains(&name) || stale {
                continue;
            }
            let status = s["status"].as_str().unwrap_or("pending");
            let allowed = s["allow_failure"].as_bool().unwrap_or(false);
            results.push((name.clone(), job_state(status, allowed, required(&name))));
        }
        Ok(super::github::verdict(results, &self.required_jobs, ignore))
    }

    /// Creates the tag `name` at `sha`. One already there at `sha` (an
    /// earlier or a concurrent run made it) is success; elsewhere, an error.
    fn tag(&self, name: &str, sha: &str) -> Result<(), GitlabError> {
        let a = self.call(
            "POST",
            &format!("{}/repository/tags", self.project_path()),
            Some(json!({"tag_name": name, "ref": sha})),
        )?;
        // GitLab answers 400 "Tag … already exists": its code and OpenAPI
        // document say 400, where `doc/api/tags.md` says 405.
        if a.status == 400
            && let Some(at) = self.tag_target(name)?
        {
            if at == sha {
                return Ok(());
            }
            return Err(GitlabError::TagElsewhere {
                name: name.into(),
                at,
                sha: sha.into(),
            });
        }
        a.or_rejected(|| format!("create tag {name}"))?;
        Ok(())
    }

    /// The commit the tag `name` points at on GitLab, if it exists.
    fn tag_target(&self, name: &str) -> Result<Option<String>, GitlabError> {
        let path = format!("{}/repository/tags/{}", self.project_path(), enc(name));
        let a = self.call("GET", &path, None)?;
        if a.status == 404 {
            return Ok(None);
        }
        let a = a.or_rejected(|| format!("read the tag {name}"))?;
        Ok(a.body["commit"]["id"].as_str().map(str::to_string))
    }

    /// Where a release's files go: its generic package, named after the
    /// project and versioned by the tag (as much of them as a package's
    /// name and version may hold).
    fn package_path(&self, tag: &str) -> String {
        let name = self.project.rsplit('/').next().unwrap_or(&self.project);
        format!(
            "{}/packages/generic/{}/{}",
            self.project_path(),
            enc(&package_part(name)),
            enc(&package_part(tag))
        )
    }
}

impl Forge for GitlabForge {
    fn name(&self) -> &'static str {
        "GitLab"
    }
    fn reviews(&self) -> bool {
        true
    }
    fn merged_pull_request(&self, number: u64) -> anyhow::Result<MergedPullRequest> {
        Ok(self.merged_mr(number)?)
    }
    fn pull_request(&self, head: &str, base: &str) -> anyhow::Result<PrState> {
        Ok(match self.find_open_mr(head, base)? {
            Some(n) => PrState::Open(n),
            None => PrState::Missing,
        })
    }
    fn open_pull_requests(&self) -> anyhow::Result<Option<Vec<OpenPullRequest>>> {
        Ok(Some(self.open_mrs()?))
    }
    fn open_pull_request(&self, pr: &PullRequest) -> anyhow::Result<()> {
        match self.find_open_mr(&pr.head, &pr.base)? {
            Some(n) => {
                self.update_mr(n, pr)?;
                crate::output::say("Updated", &format!("merge request !{n}: {}", pr.title));
            }
            None => {
                let n = self.create_mr(pr)?;
                crate::output::say("Opened", &format!("merge request !{n}: {}", pr.title));
            }
        }
        Ok(())
    }
    fn checks(&self, sha: &str) -> anyhow::Result<Checks> {
        // In GitLab CI the job asking is a job of the commit's pipeline
        // too: waiting for it would wait for itself.
        let me: Vec<String> = std::env::var("CI_JOB_NAME").into_iter().collect();
        Ok(self.ci(sha, &me)?)
    }
    fn create_tag(&self, name: &str, sha: &str) -> anyhow::Result<()> {
        // Through the API rather than a push, as on GitHub: the tag's own
        // pipeline starts, and a protected tag is refused with a reason.
        Ok(self.tag(name, sha)?)
    }
    fn release(&self, tag: &str) -> anyhow::Result<ReleaseState> {
        let path = format!("{}/releases/{}", self.project_path(), enc(tag));
        let a = self.call("GET", &path, None)?;
        if a.status == 404 {
            return Ok(ReleaseState::Missing);
        }
        let v = a.or_rejected(|| format!("read the release {tag}"))?.body;
        let links = v["assets"]["links"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(ReleaseState::Exists(
            Release {
                tag: tag.to_string(),
                assets_url: self.package_path(tag),
            },
            links,
        ))
    }
    fn create_release(&self, r: &NewRelease) -> anyhow::Result<Release> {
        // GitLab has no "latest" or "pre-release" flag to set. Its latest
        // release is the one released last (the newest `released_at`, which
        // `/releases/permalink/latest` follows), and a release dated in the
        // future shows as "upcoming". Keeping "latest" on a newer line when
        // patching an older one would mean backdating the patch, which would
        // misstate when it was released: so neither flag is sent, and every
        // release is dated now (a patch of an older line released after a
        // newer version is the latest there).
        let path = format!("{}/releases", self.project_path());
        let body = json!({"tag_name": r.tag, "name": r.tag, "description": r.body});
        self.call("POST", &path, Some(body))?
            .or_rejected(|| format!("create the release {}", r.tag))?;
        Ok(Release {
            tag: r.tag.clone(),
            assets_url: self.package_path(&r.tag),
        })
    }
    fn upload_asset(&self, r: &Release, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        // The file into the release's generic package, then a link to it
        // from the release; the release lists the links, so a file whose
        // link is missing is uploaded again on a re-run.
        let file = format!("{}/{}", r.assets_url, enc(name));
        let upload = format!("{file}?select=package_file");
        self.rest
            .send(&Request::new("PUT", &upload).bytes(bytes))
            .map_err(GitlabError::from)?
            .or_rejected(|| format!("upload {name} to the package registry"))
            .map_err(GitlabError::from)?;
        let link = json!({
            "name": name,
            "url": format!("{}{file}", self.rest.base()),
            "direct_asset_path": format!("/{name}"),
            "link_type": "package",
        });
        self.call(
            "POST",
            &format!(
                "{}/releases/{}/assets/links",
                self.project_path(),
                enc(&r.tag)
            ),
            Some(link),
        )
        .map_err(GitlabError::from)?
        .or_rejected(|| format!("link {name} from the release {}", r.tag))
        .map_err(GitlabError::from)?;
        Ok(())
    }
    fn pull_request_ref(&self, number: u64) -> String {
        format!("!{number}")
    }
    fn find_issue(&self, title: &str, marker: &str) -> anyhow::Result<IssueState> {
        Ok(match self.find_issue_in(title, marker)? {
            Some(i) => IssueState::Found(i),
            None => IssueState::Missing,
        })
    }
    fn create_issue(&self, title: &str, body: &str) -> anyhow::Result<u64> {
        Ok(self.create_issue_in(title, body)?)
    }
    fn update_issue(&self, number: u64, body: Option<&str>, close: bool) -> anyhow::Result<()> {
        Ok(self.update_issue_in(number, body, close)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_from_remote_urls_on_the_instance() {
        let on = |instance: &str, url: &str| project_from_url(instance, url);
        let gl = "https://gitlab.com";
        assert_eq!(on(gl, "https://gitlab.com/g/r.git").as_deref(), Some("g/r"));
        assert_eq!(
            on(gl, "https://gitlab.com/g/sub/deeper/r/").as_deref(),
            Some("g/sub/deeper/r")
        );
        assert_eq!(
            on(gl, "git@gitlab.com:g/sub/r.git").as_deref(),
            Some("g/sub/r")
        );
        assert_eq!(
            on(gl, "ssh://git@gitlab.com:2222/g/r.git").as_deref(),
            Some("g/r")
        );
        // GitLab CI's checkout: the job token in the URL.
        assert_eq!(
            on(gl, "https://gitlab-ci-token:xyz@GitLab.com/g/r.git").as_deref(),
            Some("g/r")
        );
        // A relative URL root: the web URL has it, ssh does not.
        let sub = "https://example.org/gitlab";
        assert_eq!(
            on(sub, "https://example.org/gitlab/g/r.git").as_deref(),
            Some("g/r")
        );
        assert_eq!(on(sub, "git@example.org:g/r.git").as_deref(), Some("g/r"));
        assert_eq!(on(gl, "https://github.com/g/r.git"), None);
        assert_eq!(on(gl, "/tmp/origin.git"), None);
        assert_eq!(on(gl, "https://gitlab.com/g"), None);
        assert_eq!(on(gl, "https://gitlab.com/g//r"), None);
    }

    #[test]
    fn jobs_and_statuses_pass_fail_or_hold_as_gitlab_counts_them() {
        assert_eq!(job_state("success", false, false), "passed");
        assert_eq!(job_state("skipped", false, true), "passed");
        assert_eq!(job_state("failed", false, false), "failed");
        assert_eq!(job_state("failed", true, true), "passed");
        assert_eq!(job_state("canceled", true, false), "failed");
        for s in ["created", "pending", "running", "preparing", "scheduled"] {
            assert_eq!(job_state(s, false, false), "pending", "{s}");
        }
        assert_eq!(job_state("manual", true, false), "passed");
        assert_eq!(job_state("manual", true, true), "pending");
        assert_eq!(job_state("manual", false, false), "pending");
    }

    #[test]
    fn merge_request_commits_come_oldest_first_in_either_order() {
        let c = |sha: &str, parent: &str| json!({"id": sha, "parent_ids": [parent]});
        let ids = |v: Vec<Value>| {
            v.iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let newest = vec![c("3", "2"), c("2", "1"), c("1", "0")];
        assert_eq!(ids(oldest_first(newest)), ["1", "2", "3"]);
        let oldest = vec![c("1", "0"), c("2", "1"), c("3", "2")];
        assert_eq!(ids(oldest_first(oldest)), ["1", "2", "3"]);
    }

    #[test]
    fn a_package_is_named_and_versioned_as_gitlab_allows() {
        assert_eq!(package_part("v1.0.0-rc.1"), "v1.0.0-rc.1");
        assert_eq!(package_part("release/1.0 x"), "release-1.0-x");
    }

    #[test]
    fn rate_limits_wait_for_retry_after_or_the_reset() {
        let h = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let wait = |pairs| GITLAB.limits.wait(429, h(pairs), "", 1000);
        let s = |n| Some(Duration::from_secs(n));
        assert_eq!(wait(&[("retry-after", "4")]), s(4));
        assert_eq!(
            wait(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "1030")]),
            s(31)
        );
        // A 403 is a refusal: GitLab has no "secondary" limits.
        assert_eq!(GITLAB.limits.wait(403, h(&[]), "Forbidden", 0), None);
        assert_eq!(GITLAB_JOB.auth, Auth::JobToken);
        assert_eq!(GITLAB_JOB.budget_setting, "gitlab.retry-budget-secs");
    }
}
