//! The Forgejo forge, for Gitea too (their REST APIs agree on everything
//! used here): pull requests, the combined status of a commit, tags,
//! releases and their attachments through `URL/api/v1`, on the shared REST
//! layer ([`crate::adapters::rest`]) with Forgejo's dialect: `Authorization:
//! token …`, `limit`/`page` paging followed by `Link` (or, where a list
//! names no next page, `X-Total-Count`), and 429 answers waited out for
//! their `Retry-After`. All calls of a run share one retry budget
//! (`forgejo.retry-budget-secs`).

use super::{
    Checks, Forge, Issue, IssueState, MergedPullRequest, NewRelease, OpenPullRequest, PrState,
    PullRequest, Release, ReleaseState,
};
use crate::adapters::cargo_config::Token;
use crate::adapters::rest::{self, Auth, Dialect, Paging, RateLimits, Request, RestError, enc};
use crate::core::config::Config;
use anyhow::Context as _;
use serde_json::{Value, json};
use std::time::Duration;

/// How Forgejo's REST API is spoken.
static FORGEJO: Dialect = Dialect {
    name: "Forgejo",
    budget_setting: "forgejo.retry-budget-secs",
    auth: Auth::Token,
    headers: &[("Accept", "application/json")],
    // 50 is the default `[api] MAX_RESPONSE_ITEMS`; an instance that allows
    // fewer answers fewer, and its `Link` and count say so.
    page_size: ("limit", 50),
    paging: Paging::LinkOrTotalCount,
    // Forgejo sends no rate-limit headers of its own: a limit (in front of
    // an instance) answers 429 with `Retry-After`, which is read first.
    // These are the usual names, should a proxy add them.
    limits: RateLimits {
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
        secondary: None,
    },
    // 404 missing, 409 a tag there already, 422 invalid (a protected tag).
    answered: &[404, 409, 422],
};

/// What went wrong with a Forgejo call: at the API itself, or in what its
/// answers mean for the train.
#[derive(Debug, thiserror::Error)]
pub enum ForgejoError {
    #[error(transparent)]
    Rest(#[from] RestError),
    #[error(
        "`{name}` already exists on Forgejo at {at}, not at {sha}; a released version is never re-tagged"
    )]
    TagElsewhere {
        name: String,
        at: String,
        sha: String,
    },
    #[error("the Forgejo forge needs a token: set FORGEJO_TOKEN or GITEA_TOKEN")]
    NoToken,
    #[error("the Forgejo forge needs its instance: set forgejo.url (e.g. `https://codeberg.org`)")]
    NoUrl,
}

/// An answer without what it should hold.
fn unexpected(call: String, problem: impl Into<String>) -> ForgejoError {
    RestError::Unexpected {
        call,
        problem: problem.into(),
    }
    .into()
}

/// `owner/name` from a remote URL on the instance at `instance`
/// (`https://host[:port][/path]`): https (`https://[user@]host/path/o/r.git`),
/// ssh (`ssh://git@host[:port]/o/r.git`) or scp-like (`git@host:o/r.git`).
/// The host is compared without its port (ssh's differs from the web's);
/// the instance's path may or may not be in the remote's (ssh has none).
pub fn repo_from_url(instance: &str, url: &str) -> Option<String> {
    let inst = instance.split_once("://").map_or(instance, |(_, r)| r);
    let (inst_host, inst_path) = inst.split_once('/').unwrap_or((inst, ""));
    let (authority, path) = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/')?,
        None => url.split_once(':')?,
    };
    let host = authority.rsplit('@').next()?;
    let name_of = |h: &str| h.split(':').next().unwrap_or(h).to_ascii_lowercase();
    if name_of(host) != name_of(inst_host) {
        return None;
    }
    let path = path.trim_matches('/');
    let inst_path = inst_path.trim_matches('/');
    let under_instance = path
        .strip_prefix(inst_path)
        .and_then(|p| p.strip_prefix('/'))
        .filter(|_| !inst_path.is_empty());
    under_instance.into_iter().chain([path]).find_map(|p| {
        let p = p.strip_suffix(".git").unwrap_or(p);
        let (owner, name) = p.split_once('/')?;
        (!owner.is_empty() && !name.is_empty() && !name.contains('/'))
            .then(|| format!("{owner}/{name}"))
    })
}

/// A `multipart/form-data` body holding `bytes` as the file field `field`
/// named `name`, and its content type (with the boundary).
fn multipart(field: &str, name: &str, bytes: &[u8]) -> (Vec<u8>, String) {
    // The boundary must not occur in the file: count up until it does not.
    let boundary = (0u32..)
        .map(|n| format!("cargo-train-attachment-{n:08x}"))
        .find(|b| !bytes.windows(b.len()).any(|w| w == b.as_bytes()))
        .expect("a boundary");
    // Quotes and line breaks in a file name are escaped as browsers do.
    let filename = name
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// A pull request's commits in the order they were made, oldest first.
/// Gitea lists them newest first (as `git log` does) and may change that,
/// so the order is read from the commits' parents rather than assumed.
fn oldest_first(mut commits: Vec<Value>) -> Vec<Value> {
    let newest_first = commits.len() >= 2
        && commits[0]["parents"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["sha"] == commits[1]["sha"]));
    if newest_first {
        commits.reverse();
    }
    commits
}

/// Pull requests, statuses, tags and releases on a Forgejo or Gitea
/// instance; an open pull request from the same branch is updated rather
/// than opened twice.
pub struct ForgejoForge {
    rest: rest::Client,
    /// `owner/name`
    repo: String,
    /// Statuses that must pass before a tag; empty: all of them.
    required_checks: Vec<String>,
}

impl ForgejoForge {
    /// The forge of this repository (`remote_url` names it unless
    /// configured).
    pub fn open(config: &Config, remote_url: &str) -> anyhow::Result<ForgejoForge> {
        let url = config.forgejo.url.as_deref().ok_or(ForgejoError::NoUrl)?;
        let repo = match &config.forgejo.repository {
            Some(r) => r.clone(),
            None => repo_from_url(url, remote_url).with_context(|| {
                format!(
                    "cannot tell the repository on {url} from the remote URL {remote_url}: \
                     set forgejo.repository"
                )
            })?,
        };
        // Cargo reads its `[http]` settings from the current directory up.
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        Ok(ForgejoForge {
            rest: rest::Client::new(
                &FORGEJO,
                &format!("{url}/api/v1"),
                Self::token_from_env()?,
                &cwd,
                Duration::from_secs(config.forgejo.retry_budget_secs),
            )?,
            repo,
            required_checks: config.forgejo.required_checks.clone(),
        })
    }

    /// The token from `FORGEJO_TOKEN`, else `GITEA_TOKEN` (an empty one is
    /// none).
    pub fn token_from_env() -> Result<Token, ForgejoError> {
        ["FORGEJO_TOKEN", "GITEA_TOKEN"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|t| !t.is_empty()))
            .map(Token::new)
            .ok_or(ForgejoError::NoToken)
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

    /// The number of the open pull request from `head` into `base`, if any,
    /// through every page of open ones (Gitea filters by neither).
    fn find_open_pull(&self, head: &str, base: &str) -> Result<Option<u64>, ForgejoError> {
        let pulls = self
            .rest
            .list(&format!("{}/pulls?state=open", self.repo_path()), None)?;
        // A fork's branch of the same name is another pull request.
        Ok(pulls
            .iter()
            .find(|p| {
                p["head"]["ref"] == head
                    && p["base"]["ref"] == base
                    && p["head"]["repo_id"] == p["base"]["repo_id"]
            })
            .and_then(|p| p["number"].as_u64()))
    }

    /// Every open pull request from a branch of this repository, through
    /// every page.
    fn open_pulls(&self) -> Result<Vec<OpenPullRequest>, ForgejoError> {
        let pulls = self
            .rest
            .list(&format!("{}/pulls?state=open", self.repo_path()), None)?;
        Ok(pulls
            .iter()
            .filter(|p| p["head"]["repo_id"] == p["base"]["repo_id"])
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

    fn create_pull(&self, pr: &PullRequest) -> Result<u64, ForgejoError> {
        let path = format!("{}/pulls", self.repo_path());
        let body = json!({"head": pr.head, "base": pr.base, "title": pr.title, "body": pr.body});
        let a = self
            .call("POST", &path, Some(body))?
            .or_rejected(|| format!("open the pull request {} → {}", pr.head, pr.base))?;
        a.body["number"].as_u64().ok_or_else(|| {
            unexpected(
                format!("POST {path}"),
                "Forgejo answered without a pull request number",
            )
        })
    }

    fn update_pull(&self, number: u64, pr: &PullRequest) -> Result<(), ForgejoError> {
        self.call(
            "PATCH",
            &format!("{}/pulls/{number}", self.repo_path()),
            Some(json!({"title": pr.title, "body": pr.body})),
        )?
        .or_rejected(|| format!("update pull request #{number}"))?;
        Ok(())
    }

    /// The open issue whose body holds `marker`, else the one titled
    /// `title`, through every page of `GET /issues?state=open&type=issues`.
    fn api_find_issue(&self, title: &str, marker: &str) -> Result<Option<Issue>, ForgejoError> {
        let issues = self.rest.list(
            &format!("{}/issues?state=open&type=issues", self.repo_path()),
            None,
        )?;
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

    fn api_create_issue(&self, title: &str, body: &str) -> Result<u64, ForgejoError> {
        let path = format!("{}/issues", self.repo_path());
        let a = self
            .call("POST", &path, Some(json!({"title": title, "body": body})))?
            .or_rejected(|| format!("open the issue \"{title}\""))?;
        a.body["number"].as_u64().ok_or_else(|| {
            unexpected(
                format!("POST {path}"),
                "Forgejo answered without an issue number",
            )
        })
    }

    fn api_update_issue(
        &self,
        number: u64,
        body: Option<&str>,
        close: bool,
    ) -> Result<(), ForgejoError> {
        let mut fields = serde_json::Map::new();
        if let Some(b) = body {
            fields.insert("body".into(), json!(b));
        }
        if close {
            fields.insert("state".into(), json!("closed"));
        }
        self.call(
            "PATCH",
            &format!("{}/issues/{number}", self.repo_path()),
            Some(Value::Object(fields)),
        )?
        .or_rejected(|| format!("update issue #{number}"))?;
        Ok(())
    }

    /// `GET /pulls/N` (its `merged` flag, `merge_commit_sha` and title) and
    /// `GET /pulls/N/commits` (its own commits).
    fn merged_pull(&self, number: u64) -> Result<MergedPullRequest, ForgejoError> {
        let path = format!("{}/pulls/{number}", self.repo_path());
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
        // Without signatures and file lists, which the train does not read
        // and which cost the server a `git` call each.
        let commits = self.rest.list(
            &format!("{path}/commits?verification=false&files=false"),
            None,
        )?;
        Ok(MergedPullRequest {
            number,
            title: v["title"].as_str().unwrap_or_default().to_string(),
            merge_commit: merge_commit.to_string(),
            subjects: oldest_first(commits)
                .iter()
                .map(|c| {
                    let message = c["commit"]["message"].as_str().unwrap_or_default();
                    message.lines().next().unwrap_or_default().to_string()
                })
                .collect(),
        })
    }

    /// The newest status of each context of `sha` (the combined status),
    /// as `required` asks for them.
    fn statuses(&self, sha: &str) -> Result<Checks, ForgejoError> {
        let statuses = self.rest.list(
            &format!("{}/commits/{}/status", self.repo_path(), enc(sha)),
            Some("statuses"),
        )?;
        let results = statuses
            .iter()
            .map(|s| {
                // A status's state is its `status` here (the combined one's
                // is `state`). Only success, or a skipped check, passes: a
                // warning is not green.
                let state = match s["status"].as_str().unwrap_or("pending") {
                    "success" | "skipped" => "passed",
                    "pending" => "pending",
                    _ => "failed",
                };
                (s["context"].as_str().unwrap_or("?").to_string(), state)
            })
            .collect();
        Ok(super::github::verdict(results, &self.required_checks, &[]))
    }

    /// Creates the lightweight tag `name` at `sha`. One already there at
    /// `sha` (an earlier or a concurrent run made it) is success; elsewhere,
    /// an error.
    fn tag(&self, name: &str, sha: &str) -> Result<(), ForgejoError> {
        let a = self.call(
            "POST",
            &format!("{}/tags", self.repo_path()),
            Some(json!({"tag_name": name, "target": sha})),
        )?;
        if a.status == 409
            && let Some(at) = self.tag_target(name)?
        {
            if at == sha {
                return Ok(());
            }
            return Err(ForgejoError::TagElsewhere {
                name: name.into(),
                at,
                sha: sha.into(),
            });
        }
        a.or_rejected(|| format!("create tag {name}"))?;
        Ok(())
    }

    /// The commit the tag `name` points at on Forgejo, if it exists.
    fn tag_target(&self, name: &str) -> Result<Option<String>, ForgejoError> {
        let path = format!("{}/tags/{}", self.repo_path(), enc(name));
        let a = self.call("GET", &path, None)?;
        if a.status == 404 {
            return Ok(None);
        }
        let a = a.or_rejected(|| format!("read the tag {name}"))?;
        Ok(a.body["commit"]["sha"].as_str().map(str::to_string))
    }

    /// Where a release's attachments are posted.
    fn assets_url(&self, call: String, release: &Value) -> Result<String, ForgejoError> {
        let id = release["id"]
            .as_u64()
            .ok_or_else(|| unexpected(call, "Forgejo answered with a release without id"))?;
        Ok(format!(
            "{}{}/releases/{id}/assets",
            self.rest.base(),
            self.repo_path()
        ))
    }
}

impl Forge for ForgejoForge {
    fn name(&self) -> &'static str {
        "Forgejo"
    }
    fn reviews(&self) -> bool {
        true
    }
    fn merged_pull_request(&self, number: u64) -> anyhow::Result<MergedPullRequest> {
        Ok(self.merged_pull(number)?)
    }
    fn pull_request(&self, head: &str, base: &str) -> anyhow::Result<PrState> {
        Ok(match self.find_open_pull(head, base)? {
            Some(n) => PrState::Open(n),
            None => PrState::Missing,
        })
    }
    fn open_pull_requests(&self) -> anyhow::Result<Option<Vec<OpenPullRequest>>> {
        Ok(Some(self.open_pulls()?))
    }
    fn open_pull_request(&self, pr: &PullRequest) -> anyhow::Result<()> {
        match self.find_open_pull(&pr.head, &pr.base)? {
            Some(n) => {
                self.update_pull(n, pr)?;
                crate::output::say("Updated", &format!("pull request #{n}: {}", pr.title));
            }
            None => {
                let n = self.create_pull(pr)?;
                crate::output::say("Opened", &format!("pull request #{n}: {}", pr.title));
            }
        }
        Ok(())
    }
    fn checks(&self, sha: &str) -> anyhow::Result<Checks> {
        Ok(self.statuses(sha)?)
    }
    fn create_tag(&self, name: &str, sha: &str) -> anyhow::Result<()> {
        // Through the API rather than a push, as on GitHub: the tag's own
        // workflows start, and a protected tag is refused with a reason.
        Ok(self.tag(name, sha)?)
    }
    fn release(&self, tag: &str) -> anyhow::Result<ReleaseState> {
        // A tag without a release is a 404 here too.
        let path = format!("{}/releases/tags/{}", self.repo_path(), enc(tag));
        let a = self.call("GET", &path, None)?;
        if a.status == 404 {
            return Ok(ReleaseState::Missing);
        }
        let v = a.or_rejected(|| format!("read the release {tag}"))?.body;
        let assets = v["assets"]
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
                assets_url: self.assets_url(format!("GET {path}"), &v)?,
            },
            assets,
        ))
    }
    fn create_release(&self, r: &NewRelease) -> anyhow::Result<Release> {
        // Forgejo has no "latest" flag to set: it shows as latest the newest
        // release by date that is neither a draft nor a pre-release, so
        // `r.latest` is not sent (a patch of an older line, released after a
        // newer version, shows as latest there).
        let path = format!("{}/releases", self.repo_path());
        let body = json!({
            "tag_name": r.tag, "name": r.tag, "body": r.body, "prerelease": r.prerelease,
        });
        let v = self
            .call("POST", &path, Some(body))?
            .or_rejected(|| format!("create the release {}", r.tag))?
            .body;
        Ok(Release {
            tag: r.tag.clone(),
            assets_url: self.assets_url(format!("POST {path}"), &v)?,
        })
    }
    fn upload_asset(&self, r: &Release, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        // The URL is ours, made under the API's base: the token stays there.
        let path = r
            .assets_url
            .strip_prefix(self.rest.base())
            .with_context(|| {
                format!("{} is not under the API {}", r.assets_url, self.rest.base())
            })?;
        let path = format!("{path}?name={}", enc(name));
        let (body, content_type) = multipart("attachment", name, bytes);
        let req = Request::new("POST", &path).bytes_as(&body, &content_type);
        self.rest
            .send(&req)
            .map_err(ForgejoError::from)?
            .or_rejected(|| format!("upload {name} to the release {}", r.tag))
            .map_err(ForgejoError::from)?;
        Ok(())
    }
    fn find_issue(&self, title: &str, marker: &str) -> anyhow::Result<IssueState> {
        Ok(match self.api_find_issue(title, marker)? {
            Some(i) => IssueState::Found(i),
            None => IssueState::Missing,
        })
    }
    fn create_issue(&self, title: &str, body: &str) -> anyhow::Result<u64> {
        Ok(self.api_create_issue(title, body)?)
    }
    fn update_issue(&self, number: u64, body: Option<&str>, close: bool) -> anyhow::Result<()> {
        Ok(self.api_update_issue(number, body, close)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_from_remote_urls_on_the_instance() {
        let on = |instance: &str, url: &str| repo_from_url(instance, url);
        let cb = "https://codeberg.org";
        assert_eq!(
            on(cb, "https://codeberg.org/o/r.git").as_deref(),
            Some("o/r")
        );
        assert_eq!(on(cb, "https://codeberg.org/o/r/").as_deref(), Some("o/r"));
        assert_eq!(on(cb, "git@codeberg.org:o/r.git").as_deref(), Some("o/r"));
        assert_eq!(
            on(cb, "ssh://git@codeberg.org:2222/o/r.git").as_deref(),
            Some("o/r")
        );
        assert_eq!(
            on(cb, "https://bot:tok@Codeberg.org/o/r").as_deref(),
            Some("o/r")
        );
        // An instance under a path: the web URL has it, ssh does not.
        let sub = "https://example.org/git";
        assert_eq!(
            on(sub, "https://example.org/git/o/r.git").as_deref(),
            Some("o/r")
        );
        assert_eq!(on(sub, "git@example.org:o/r.git").as_deref(), Some("o/r"));
        // Another host, a local path, or no owner/name.
        assert_eq!(on(cb, "https://github.com/o/r.git"), None);
        assert_eq!(on(cb, "/tmp/origin.git"), None);
        assert_eq!(on(cb, "https://codeberg.org/o"), None);
        assert_eq!(on(cb, "https://codeberg.org/o/r/x"), None);
    }

    #[test]
    fn an_attachment_is_one_multipart_file_field() {
        let (body, ct) = multipart("attachment", "a\"b.tar.gz", b"bytes");
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; \
                 filename=\"a%22b.tar.gz\"\r\nContent-Type: application/octet-stream\r\n\r\n\
                 bytes\r\n--{boundary}--\r\n"
            )
        );
        // A file holding the first boundary gets another.
        let first = "cargo-train-attachment-00000000";
        let (_, ct) = multipart("attachment", "x", first.as_bytes());
        assert!(!ct.ends_with(first), "{ct}");
    }

    #[test]
    fn pull_request_commits_come_oldest_first_in_either_order() {
        let c = |sha: &str, parent: &str| json!({"sha": sha, "parents": [{"sha": parent}]});
        let shas = |v: Vec<Value>| {
            v.iter()
                .map(|c| c["sha"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let newest = vec![c("3", "2"), c("2", "1"), c("1", "0")];
        assert_eq!(shas(oldest_first(newest)), ["1", "2", "3"]);
        let oldest = vec![c("1", "0"), c("2", "1"), c("3", "2")];
        assert_eq!(shas(oldest_first(oldest)), ["1", "2", "3"]);
        assert_eq!(shas(oldest_first(vec![c("1", "0")])), ["1"]);
    }

    #[test]
    fn rate_limits_wait_for_retry_after() {
        let h = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let wait = |status, pairs| FORGEJO.limits.wait(status, h(pairs), "", 0);
        assert_eq!(
            wait(429, &[("retry-after", "4")]),
            Some(Duration::from_secs(4))
        );
        // A 403 is a refusal: Forgejo has no "secondary" limits.
        assert_eq!(wait(403, &[]), None);
    }

    #[test]
    fn the_budget_message_names_forgejos_setting() {
        let e = RestError::BudgetSpent {
            forge: FORGEJO.name,
            setting: FORGEJO.budget_setting,
            budget_secs: 3,
            attempts: 2,
            last: Box::new(RestError::Unexpected {
                call: "GET /x".into(),
                problem: "?".into(),
            }),
        };
        assert!(
            e.to_string()
                .contains("this run's Forgejo calls ran out (raise `forgejo.retry-budget-secs`)"),
            "{e}"
        );
    }
}
