//! GitHub's REST API: pull requests, commit checks and statuses, tag refs,
//! releases and their assets. Requests are retried like registry calls;
//! rate-limit answers (429, or 403 with `x-ratelimit-remaining: 0`, or
//! GitHub's "secondary rate limit") wait for `retry-after`,
//! `x-ratelimit-reset` or a minute. All calls of a run share one retry
//! budget (`github.retry-budget-secs`): the time spent on failed attempts
//! and the waits after them. Lists ask
//! for 100 items a page and follow every `Link: rel="next"`. Path segments
//! and query values are percent-encoded. The token goes only into the
//! `Authorization` header, and only to URLs under the configured API.

use crate::adapters::cargo_config::Token;
use crate::adapters::forge::Checks;
use crate::retry::{Retryable, retry};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Everything but RFC 3986's unreserved characters is encoded, `/` too: a
/// branch `feature/x` is one segment or one query value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment or query value, percent-encoded.
pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// A Git ref path (`heads/feature/x`) for `/git/ref/…` and
/// `/git/matching-refs/…`: GitHub expects its slashes as they are, so only
/// the parts between them are encoded.
pub fn enc_ref(r: &str) -> String {
    r.split('/').map(enc).collect::<Vec<_>>().join("/")
}

/// The `rel="next"` URL of a `Link` header
/// (`<https://…?page=2>; rel="next", <https://…?page=5>; rel="last"`).
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.trim().split_once(';')?;
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                p.trim()
                    .strip_prefix("rel=")
                    .is_some_and(|v| v.trim_matches('"').split(' ').any(|r| r == "next"))
            })
            .then(|| url.to_string())
    })
}

/// Lists longer than this many pages (of 100) are refused rather than read
/// without end.
const MAX_PAGES: usize = 100;

pub struct GitHub {
    api: String,
    /// `owner/name`
    pub repo: String,
    token: Token,
    agent: ureq::Agent,
    /// How long this run's calls may spend failing and waiting to retry,
    /// all calls together.
    budget: Duration,
    /// What the calls spent of it so far, in milliseconds.
    spent_ms: AtomicU64,
}

/// What went wrong at GitHub's API. Each names its call (`GET /repos/…`)
/// or what was asked; the transport's own error is kept as the cause.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// No answer: connection refused or reset, timed out, name not found.
    #[error("{call}: no answer")]
    Unreachable {
        call: String,
        #[source]
        source: ureq::Error,
    },
    /// The answer stopped before its end.
    #[error("{call}: the answer broke off")]
    BrokenAnswer {
        call: String,
        #[source]
        source: ureq::Error,
    },
    #[error("{call}: rate limited{}: {message}", wait.map_or(String::new(), |w| format!(" for {}s", w.as_secs())))]
    RateLimited {
        call: String,
        wait: Option<Duration>,
        message: String,
    },
    #[error("{call}: server error {status}: {message}")]
    Server {
        call: String,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// A refusal another try will not change (401, 403, 404 of a list, …).
    #[error("{call}: {status}: {message}")]
    Refused {
        call: String,
        status: u16,
        message: String,
    },
    /// An answer without what it should hold.
    #[error("{call}: {problem}")]
    Unexpected { call: String, problem: String },
    #[error("could not {action}: {status}: {message}")]
    Rejected {
        action: String,
        status: u16,
        message: String,
    },
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
    /// Retrying stopped: the cause is the last failure, which names the call.
    #[error(
        "giving up after {attempts} attempt{}: the {budget_secs}s budget for retrying this run's \
         GitHub calls ran out (raise `github.retry-budget-secs`); the last failure",
        if *attempts == 1 { "" } else { "s" }
    )]
    BudgetSpent {
        budget_secs: u64,
        attempts: u32,
        #[source]
        last: Box<GithubError>,
    },
}

impl Retryable for GithubError {
    fn retry_after(&self) -> Option<Option<Duration>> {
        match self {
            GithubError::Unreachable { .. } | GithubError::BrokenAnswer { .. } => Some(None),
            GithubError::RateLimited { wait, .. } => Some(*wait),
            GithubError::Server { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// `e` with its causes, as `error:` prints them.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
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

/// How long a rate-limited answer asks to wait, after GitHub's documented
/// rules: `retry-after` (seconds) first; else with `x-ratelimit-remaining: 0`
/// until `x-ratelimit-reset` (epoch seconds); else, for a secondary rate limit
/// (403 or 429 saying so), at least a minute. `None`: not rate limited.
pub fn limit_wait(
    status: u16,
    header: impl Fn(&str) -> Option<String>,
    message: &str,
    now_epoch: u64,
) -> Option<Duration> {
    if let Some(s) = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(s));
    }
    if header("x-ratelimit-remaining").as_deref().map(str::trim) == Some("0")
        && let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(Duration::from_secs(reset.saturating_sub(now_epoch) + 1));
    }
    let secondary = message
        .to_ascii_lowercase()
        .contains("secondary rate limit");
    (matches!(status, 403 | 429) && secondary).then_some(Duration::from_secs(60))
}

/// One answer of the API: status, JSON body, and the next page's URL.
struct Answer {
    status: u16,
    body: Value,
    next: Option<String>,
}

/// What a request carries.
#[derive(Clone, Copy)]
enum Body<'a> {
    Empty,
    Json(&'a Value),
    Bytes(&'a [u8]),
}

/// The `message` of an error answer.
fn message(v: &Value) -> String {
    v["message"].as_str().unwrap_or("no message").to_string()
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
        let agent = crate::adapters::http::Net::load(workspace)?.agent(api)?;
        Ok(GitHub {
            api: api.trim_end_matches('/').to_string(),
            repo,
            token,
            agent,
            budget,
            spent_ms: AtomicU64::new(0),
        })
    }

    /// The token from `GITHUB_TOKEN` or `GH_TOKEN`.
    pub fn token_from_env() -> Result<Token, GithubError> {
        std::env::var("GITHUB_TOKEN")
            .or_else(|_| std::env::var("GH_TOKEN"))
            .map(Token::new)
            .map_err(|_| GithubError::NoToken)
    }

    fn once(&self, method: &str, url: &str, body: Body<'_>) -> Result<Answer, GithubError> {
        let auth = format!("Bearer {}", self.token.expose());
        let call = format!("{method} {}", url.strip_prefix(&self.api).unwrap_or(url));
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Authorization", auth)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        let req = match body {
            Body::Json(b) => req
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(b).expect("json")),
            Body::Bytes(bytes) => req
                .header("Content-Type", "application/octet-stream")
                .body(bytes.to_vec()),
            Body::Empty => req.body(Vec::new()),
        };
        let mut resp = self
            .agent
            .run(req.expect("a valid request"))
            .map_err(|source| GithubError::Unreachable {
                call: call.clone(),
                source,
            })?;
        let status = resp.status().as_u16();
        let header = |k: &str| {
            resp.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let next = header("link").as_deref().and_then(next_link);
        let (remaining, reset) = (header("x-ratelimit-remaining"), header("x-ratelimit-reset"));
        let retry_after = header("retry-after");
        let text =
            resp.body_mut()
                .read_to_string()
                .map_err(|source| GithubError::BrokenAnswer {
                    call: call.clone(),
                    source,
                })?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let msg = v["message"]
            .as_str()
            .map_or_else(|| text.chars().take(300).collect(), str::to_string);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let wait = limit_wait(
            status,
            |k| match k {
                "retry-after" => retry_after.clone(),
                "x-ratelimit-remaining" => remaining.clone(),
                "x-ratelimit-reset" => reset.clone(),
                _ => None,
            },
            &msg,
            now,
        );
        match status {
            200..=299 | 404 | 422 => Ok(Answer {
                status,
                body: v,
                next,
            }),
            403 | 429 if wait.is_some() => Err(GithubError::RateLimited {
                call,
                wait,
                message: msg,
            }),
            429 => Err(GithubError::RateLimited {
                call,
                wait: None,
                message: msg,
            }),
            500..=599 => Err(GithubError::Server {
                call,
                status,
                message: msg,
                retry_after: wait,
            }),
            _ => Err(GithubError::Refused {
                call,
                status,
                message: msg,
            }),
        }
    }

    /// One request to `url` (absolute, under the API), retried while the
    /// run's budget lasts. Failed attempts and the waits after them spend
    /// it; time spent on answers does not, so a long run (waiting for
    /// checks, uploading assets) keeps its retries.
    fn send(&self, method: &str, url: &str, body: Body<'_>) -> Result<Answer, GithubError> {
        let start = Instant::now();
        let spent = Duration::from_millis(self.spent_ms.load(Ordering::Relaxed));
        let left = self.budget.saturating_sub(spent);
        let (mut attempts, mut last_try) = (0u32, start);
        let r = retry(
            start + left,
            || {
                attempts += 1;
                self.once(method, url, body)
            },
            |e, w| {
                crate::output::say(
                    "Retrying",
                    &format!("in {:.1}s: {}", w.as_secs_f64(), with_causes(e)),
                );
                last_try = Instant::now() + w;
            },
        );
        let failing = match &r {
            Ok(_) => last_try.saturating_duration_since(start),
            Err(_) => start.elapsed(),
        };
        self.spent_ms
            .fetch_add(failing.as_millis() as u64, Ordering::Relaxed);
        r.map_err(|e| match e.retry_after() {
            Some(_) => GithubError::BudgetSpent {
                budget_secs: self.budget.as_secs(),
                attempts,
                last: Box::new(e),
            },
            None => e,
        })
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), GithubError> {
        let body = match &body {
            Some(b) => Body::Json(b),
            None => Body::Empty,
        };
        let a = self.send(method, &format!("{}{path}", self.api), body)?;
        Ok((a.status, a.body))
    }

    /// `/repos/OWNER/NAME`, each part encoded.
    fn repo_path(&self) -> String {
        let (owner, name) = self.repo.split_once('/').unwrap_or((&self.repo, ""));
        format!("/repos/{}/{}", enc(owner), enc(name))
    }

    /// Every item of a list: `path` (with its query) asked for 100 a page,
    /// then each `Link: rel="next"` followed. `key` names the array in an
    /// object answer (`check_runs`); `None`: the answer is the array.
    fn list(&self, path: &str, key: Option<&str>) -> Result<Vec<Value>, GithubError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{path}{sep}per_page=100", self.api);
        let mut items = Vec::new();
        let call = format!("GET {path}");
        let unexpected = |problem: String| GithubError::Unexpected {
            call: call.clone(),
            problem,
        };
        for _ in 0..MAX_PAGES {
            let a = self.send("GET", &url, Body::Empty)?;
            if a.status >= 300 {
                return Err(GithubError::Refused {
                    call,
                    status: a.status,
                    message: message(&a.body),
                });
            }
            let page = match key {
                Some(k) => &a.body[k],
                None => &a.body,
            };
            let page = page.as_array().ok_or_else(|| {
                unexpected(format!(
                    "GitHub answered without a list ({})",
                    key.unwrap_or("array")
                ))
            })?;
            items.extend(page.iter().cloned());
            match a.next {
                None => return Ok(items),
                // The token is only ever sent under the configured API.
                Some(n) if n.starts_with(&format!("{}/", self.api)) => url = n,
                Some(n) => {
                    return Err(unexpected(format!(
                        "GitHub's next page {n} is not under the API {}; not following it",
                        self.api
                    )));
                }
            }
        }
        Err(unexpected(format!(
            "more than {MAX_PAGES} pages of 100; refusing to read on"
        )))
    }

    /// The number of the open pull request from `head` into `base`, if any.
    /// GitHub filters by head; the base is matched here, through every page.
    pub fn open_pull_request(&self, head: &str, base: &str) -> Result<Option<u64>, GithubError> {
        let owner = self.repo.split('/').next().unwrap_or_default();
        let pulls = self.list(
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

    /// The merged pull request `number`: `GET /pulls/N` (its `merged` flag,
    /// `merge_commit_sha` and title) and `GET /pulls/N/commits` (its own
    /// commits, oldest first).
    pub fn merged_pull_request(
        &self,
        number: u64,
    ) -> Result<crate::adapters::forge::MergedPullRequest, GithubError> {
        let path = format!("{}/pulls/{number}", self.repo_path());
        let (status, v) = self.call("GET", &path, None)?;
        let call = format!("GET {path}");
        if status >= 300 {
            return Err(GithubError::Refused {
                call,
                status,
                message: message(&v),
            });
        }
        let unexpected = |problem: String| GithubError::Unexpected {
            call: call.clone(),
            problem,
        };
        if v["merged"].as_bool() != Some(true) {
            return Err(unexpected(format!(
                "pull request #{number} is not merged ({}); backport it once it is",
                v["state"].as_str().unwrap_or("state unknown")
            )));
        }
        let merge_commit = v["merge_commit_sha"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| unexpected("a merged pull request without merge_commit_sha".into()))?
            .to_string();
        let commits = self.list(&format!("{path}/commits"), None)?;
        Ok(crate::adapters::forge::MergedPullRequest {
            number,
            title: v["title"].as_str().unwrap_or_default().to_string(),
            merge_commit,
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
        let (status, v) = self.call(
            "POST",
            &path,
            Some(json!({"title": title, "head": head, "base": base, "body": body})),
        )?;
        if status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("open the pull request {head} → {base}"),
                status,
                message: message(&v),
            });
        }
        v["number"].as_u64().ok_or_else(|| GithubError::Unexpected {
            call: format!("POST {path}"),
            problem: "GitHub answered without a pull request number".into(),
        })
    }

    pub fn update_pull_request(
        &self,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GithubError> {
        let (status, v) = self.call(
            "PATCH",
            &format!("{}/pulls/{number}", self.repo_path()),
            Some(json!({"title": title, "body": body})),
        )?;
        if status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("update pull request #{number}"),
                status,
                message: message(&v),
            });
        }
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
        let statuses = self.list(
            &format!("{}/commits/{}/status", self.repo_path(), enc(sha)),
            Some("statuses"),
        )?;
        let runs = self.list(
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
    /// workflows run). A tag already there at `sha` (an earlier or a
    /// concurrent run made it) is success; elsewhere, an error.
    pub fn create_tag(&self, name: &str, sha: &str) -> Result<(), GithubError> {
        let (status, v) = self.call(
            "POST",
            &format!("{}/git/refs", self.repo_path()),
            Some(json!({"ref": format!("refs/tags/{name}"), "sha": sha})),
        )?;
        if status == 422
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
        if status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("create tag {name}"),
                status,
                message: message(&v),
            });
        }
        Ok(())
    }

    /// What `refs/tags/NAME` points at on GitHub, if it exists.
    pub fn tag_target(&self, name: &str) -> Result<Option<String>, GithubError> {
        // `/git/ref/` takes the ref with its slashes: `tags/release/1.0`.
        let (status, v) = self.call(
            "GET",
            &format!(
                "{}/git/ref/{}",
                self.repo_path(),
                enc_ref(&format!("tags/{name}"))
            ),
            None,
        )?;
        if status == 404 {
            return Ok(None);
        }
        if status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("read the tag {name}"),
                status,
                message: message(&v),
            });
        }
        Ok(v["object"]["sha"].as_str().map(str::to_string))
    }

    /// A release's id and asset upload URL from GitHub's answer.
    fn release_of(call: String, v: &Value) -> Result<(u64, String), GithubError> {
        let id = v["id"].as_u64().ok_or_else(|| GithubError::Unexpected {
            call,
            problem: "GitHub answered with a release without id".into(),
        })?;
        Ok((id, v["upload_url"].as_str().unwrap_or_default().to_string()))
    }

    /// The release of `tag`: its id, asset upload URL and its assets' names.
    pub fn release(&self, tag: &str) -> Result<Option<(u64, String, Vec<String>)>, GithubError> {
        let path = format!("{}/releases/tags/{}", self.repo_path(), enc(tag));
        let (status, v) = self.call("GET", &path, None)?;
        if status == 404 {
            return Ok(None);
        }
        if status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("read the release {tag}"),
                status,
                message: message(&v),
            });
        }
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
        let (status, v) = self.call(
            "POST",
            &path,
            Some(json!({
                "tag_name": tag, "name": tag, "body": body, "prerelease": prerelease,
                "make_latest": if latest { "true" } else { "false" },
            })),
        )?;
        if status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("create the release {tag}"),
                status,
                message: message(&v),
            });
        }
        Self::release_of(format!("POST {path}"), &v)
    }

    pub fn upload_asset(
        &self,
        upload_url: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), GithubError> {
        let base = upload_url.split('{').next().unwrap_or(upload_url);
        let url = format!("{base}?name={}", enc(name));
        let a = self.send("POST", &url, Body::Bytes(bytes))?;
        if a.status >= 300 {
            return Err(GithubError::Rejected {
                action: format!("upload {name}"),
                status: a.status,
                message: message(&a.body),
            });
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

    #[test]
    fn segments_and_refs_are_encoded() {
        assert_eq!(enc("release/1.0 + rc#1"), "release%2F1.0%20%2B%20rc%231");
        assert_eq!(enc("v1.0.0-rc.1_x~"), "v1.0.0-rc.1_x~");
        assert_eq!(enc("o:ci/bump&x"), "o%3Aci%2Fbump%26x");
        assert_eq!(enc_ref("heads/feature/a b"), "heads/feature/a%20b");
    }

    #[test]
    fn next_page_from_link_header() {
        let h = r#"<https://api.github.com/repositories/1/pulls?page=1>; rel="prev", <https://api.github.com/repositories/1/pulls?per_page=100&page=3>; rel="next", <https://api.github.com/repositories/1/pulls?page=9>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/pulls?per_page=100&page=3")
        );
        assert_eq!(
            next_link(r#"<https://x/a?page=1>; rel="first", <https://x/a?page=1>; rel="prev""#),
            None
        );
        assert_eq!(next_link(""), None);
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
}
