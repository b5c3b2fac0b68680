//! A forge's REST API over HTTP, the part every forge shares: the client
//! (built as a registry's is, so cargo's CAs, proxy and timeouts apply),
//! one request and its answer, rate-limit waits, the one retry budget all
//! calls of a run share, pagination, percent-encoding, and errors that name
//! their call. What differs between forges is a [`Dialect`]: how the token
//! is sent, default headers, how a list continues, which headers tell a
//! rate limit's wait.
//!
//! The token goes only into the dialect's auth header, and only with
//! requests to paths under the configured base (or to a URL the API itself
//! handed out for a follow-up call, [`Target::Given`]); a list's next page
//! outside the base is refused.

use crate::adapters::cargo_config::Token;
use crate::retry::{Retryable, retry};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use std::path::Path;
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

/// A Git ref path (`heads/feature/x`) for GitHub's `/git/ref/…` and
/// `/git/matching-refs/…`: its slashes stay as they are, so only the parts
/// between them are encoded.
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

/// `url` with its query parameter `key` set to `value` (in place of the
/// one there, if any).
fn with_query(url: &str, key: &str, value: &str) -> String {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .collect();
    let set = format!("{key}={}", enc(value));
    params.push(&set);
    format!("{head}?{}", params.join("&"))
}

/// Lists longer than this many pages are refused rather than read without
/// end.
const MAX_PAGES: usize = 100;

/// How a forge's API takes its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer TOKEN` (GitHub; GitLab's OAuth and job tokens).
    Bearer,
    /// `Authorization: token TOKEN` (Forgejo, Gitea).
    Token,
    /// `PRIVATE-TOKEN: TOKEN` (GitLab's personal, project and group tokens).
    PrivateToken,
    /// `JOB-TOKEN: TOKEN` (GitLab CI's `CI_JOB_TOKEN`).
    JobToken,
}

impl Auth {
    /// The header carrying `token`: its name and value.
    fn header(self, token: &Token) -> (&'static str, String) {
        match self {
            Auth::Bearer => ("Authorization", format!("Bearer {}", token.expose())),
            Auth::Token => ("Authorization", format!("token {}", token.expose())),
            Auth::PrivateToken => ("PRIVATE-TOKEN", token.expose().to_string()),
            Auth::JobToken => ("JOB-TOKEN", token.expose().to_string()),
        }
    }
}

/// How an answer says where a list's next page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `Link: <URL>; rel="next"` (GitHub, Forgejo/Gitea, GitLab's keyset
    /// pagination).
    Link,
    /// `x-next-page: N`, empty on the last page (GitLab's offset
    /// pagination): the same URL with `page=N`.
    NextPageHeader,
    /// `Link` where the answer has one, else `x-total-count`: while fewer
    /// items were read than it counts, the same URL with the next `page`.
    /// Forgejo/Gitea page some lists (a commit's combined status) without
    /// naming the next page.
    LinkOrTotalCount,
    /// `x-next-page` where the answer has one, else `Link` (GitLab: offset
    /// pagination sends both, keyset pagination only `Link`).
    NextPageOrLink,
}

impl Paging {
    /// The URL of the page after `url`, which was answered with `a`.
    fn next(self, url: &str, a: &Answer) -> Option<String> {
        match self {
            Paging::Link => a.header("link").and_then(next_link),
            Paging::NextPageHeader => a
                .header("x-next-page")
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| with_query(url, "page", n)),
            // Only `list` knows how much was read; see `next_after`.
            Paging::LinkOrTotalCount => a.header("link").and_then(next_link),
            Paging::NextPageOrLink => Paging::NextPageHeader
                .next(url, a)
                .or_else(|| Paging::Link.next(url, a)),
        }
    }

    /// The URL of the page after `url`, answered with `a`, once `read`
    /// items were read, the last `page_len` of them from this page.
    fn next_after(self, url: &str, a: &Answer, read: usize, page_len: usize) -> Option<String> {
        if let Some(next) = self.next(url, a) {
            return Some(next);
        }
        if self != Paging::LinkOrTotalCount || page_len == 0 {
            return None;
        }
        let total: usize = a.header("x-total-count")?.trim().parse().ok()?;
        let page: usize = url
            .split_once('?')
            .map_or("", |(_, q)| q)
            .split('&')
            .find_map(|p| p.strip_prefix("page="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        (read < total).then(|| with_query(url, "page", &(page + 1).to_string()))
    }
}

/// The headers and words by which a forge says how long to wait when it
/// limits the rate of calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// How many calls are left in the window (`0`: wait for its reset).
    pub remaining: &'static str,
    /// When the window resets, in epoch seconds.
    pub reset: &'static str,
    /// Words in a 403 or 429 answer's message for a limit that neither
    /// header tells (GitHub's "secondary rate limit"): then a minute.
    pub secondary: Option<&'static str>,
}

impl RateLimits {
    /// How long a rate-limited answer asks to wait: `retry-after` (seconds)
    /// first; else, with no calls left, until the reset; else, for a
    /// secondary limit, at least a minute. `None`: not rate limited.
    pub fn wait(
        &self,
        status: u16,
        header: impl Fn(&str) -> Option<String>,
        message: &str,
        now_epoch: u64,
    ) -> Option<Duration> {
        if let Some(s) = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
            return Some(Duration::from_secs(s));
        }
        if header(self.remaining).as_deref().map(str::trim) == Some("0")
            && let Some(reset) = header(self.reset).and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_secs(reset.saturating_sub(now_epoch) + 1));
        }
        let secondary = self
            .secondary
            .is_some_and(|words| message.to_ascii_lowercase().contains(words));
        (matches!(status, 403 | 429) && secondary).then_some(Duration::from_secs(60))
    }
}

/// What differs between forges' REST APIs.
#[derive(Debug)]
pub struct Dialect {
    /// The forge as messages name it (`GitHub`).
    pub name: &'static str,
    /// The setting of the retry budget, for the message when it runs out.
    pub budget_setting: &'static str,
    pub auth: Auth,
    /// Sent with every request (media type, API version).
    pub headers: &'static [(&'static str, &'static str)],
    /// The query parameter of a page's size, and the size asked for.
    pub page_size: (&'static str, u32),
    pub paging: Paging,
    pub limits: RateLimits,
    /// Error statuses the endpoints read themselves rather than fail the
    /// call (GitHub: 404 missing, 422 invalid or there already).
    pub answered: &'static [u16],
}

/// What went wrong at a forge's API. Each names its call (`GET /repos/…`)
/// or what was asked; the transport's own error is kept as the cause.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
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
    /// A redirect to another host (or scheme, or port), not followed: the
    /// request carries the token, which goes only where it was configured
    /// to go.
    #[error(
        "{call}: {status} redirect to {}: not followed, since the request carries a token meant \
         for this API only; if the API moved there, configure that address",
        crate::core::redact::url(to)
    )]
    Redirected {
        call: String,
        status: u16,
        to: String,
    },
    /// An answer without what it should hold.
    #[error("{call}: {problem}")]
    Unexpected { call: String, problem: String },
    /// An endpoint's refusal, read by the endpoint ([`Answer::or_rejected`]).
    #[error("could not {action}: {status}: {message}")]
    Rejected {
        action: String,
        status: u16,
        message: String,
    },
    /// Retrying stopped: the cause is the last failure, which names the call.
    #[error(
        "giving up after {attempts} attempt{}: the {budget_secs}s budget for retrying this run's \
         {forge} calls ran out (raise `{setting}`); the last failure",
        if *attempts == 1 { "" } else { "s" }
    )]
    BudgetSpent {
        forge: &'static str,
        setting: &'static str,
        budget_secs: u64,
        attempts: u32,
        #[source]
        last: Box<RestError>,
    },
}

impl Retryable for RestError {
    fn retry_after(&self) -> Option<Option<Duration>> {
        match self {
            RestError::Unreachable { .. } | RestError::BrokenAnswer { .. } => Some(None),
            RestError::RateLimited { wait, .. } => Some(*wait),
            RestError::Server { retry_after, .. } => Some(*retry_after),
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

/// Where a request goes.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A path under the base, with its query (`/repos/o/r/pulls?state=open`).
    Path(&'a str),
    /// A URL an answer of the API handed out for a follow-up call (GitHub's
    /// release `upload_url`, on another host): the API vouches for it.
    Given(&'a str),
}

/// What a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Empty,
    Json(&'a Value),
    Bytes(&'a [u8]),
}

/// One request: method, target, body and headers of its own.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    method: &'a str,
    target: Target<'a>,
    body: Body<'a>,
    headers: Vec<(&'a str, &'a str)>,
    /// Of a [`Body::Bytes`]; `None`: `application/octet-stream`.
    content_type: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// `method` on `path` under the base, without a body.
    pub fn new(method: &'a str, path: &'a str) -> Request<'a> {
        Request::to(method, Target::Path(path))
    }

    /// `method` on `target`, without a body.
    pub fn to(method: &'a str, target: Target<'a>) -> Request<'a> {
        Request {
            method,
            target,
            body: Body::Empty,
            headers: Vec::new(),
            content_type: None,
        }
    }

    pub fn json(mut self, body: &'a Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    pub fn bytes(mut self, body: &'a [u8]) -> Self {
        self.body = Body::Bytes(body);
        self
    }

    /// `body` sent as `content_type` (a multipart form with its boundary).
    pub fn bytes_as(mut self, body: &'a [u8], content_type: &'a str) -> Self {
        self.body = Body::Bytes(body);
        self.content_type = Some(content_type);
        self
    }

    /// A header of this request only.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// One answer of the API: its status, JSON body (`null` if it is none)
/// and headers.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    headers: ureq::http::HeaderMap,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `message` of an error answer. GitLab's may be a list or an
    /// object of field errors (`{"title": ["is too long"]}`), written out
    /// as JSON, or an OAuth `error`.
    pub fn message(&self) -> String {
        error_message(&self.body).unwrap_or_else(|| "no message".to_string())
    }

    /// The answer if it is a success, else the endpoint's refusal to
    /// `action`.
    pub fn or_rejected(self, action: impl FnOnce() -> String) -> Result<Answer, RestError> {
        if self.status < 300 {
            return Ok(self);
        }
        Err(RestError::Rejected {
            action: action(),
            status: self.status,
            message: self.message(),
        })
    }
}

/// What an error answer's body says: its `message` (text, or a list or
/// object of them as JSON), else its `error` and `error_description`.
fn error_message(body: &Value) -> Option<String> {
    match &body["message"] {
        Value::String(m) => return Some(m.clone()),
        m @ (Value::Array(_) | Value::Object(_)) => return Some(m.to_string()),
        _ => {}
    }
    let error = body["error"].as_str()?;
    Some(match body["error_description"].as_str() {
        Some(d) => format!("{error}: {d}"),
        None => error.to_string(),
    })
}

/// A client of one forge's API: its dialect, base URL and token, and the
/// retry budget its calls share.
pub struct Client {
    dialect: &'static Dialect,
    base: String,
    token: Token,
    agent: ureq::Agent,
    /// How long this run's calls may spend failing and waiting to retry,
    /// all calls together.
    budget: Duration,
    /// What the calls spent of it so far, in milliseconds.
    spent_ms: AtomicU64,
}

impl Client {
    /// A client of the API at `base` (`https://api.github.com`).
    /// `workspace` is where cargo's `[http]` settings are read from (the
    /// client is built as for a registry: same CAs, proxy, timeouts).
    /// `budget`: how long all calls together may spend retrying.
    pub fn new(
        dialect: &'static Dialect,
        base: &str,
        token: Token,
        workspace: &Path,
        budget: Duration,
    ) -> anyhow::Result<Client> {
        let agent = crate::adapters::http::Net::load(workspace)?.api_agent(base)?;
        Ok(Client {
            dialect,
            base: base.trim_end_matches('/').to_string(),
            token,
            agent,
            budget,
            spent_ms: AtomicU64::new(0),
        })
    }

    /// The API's base URL, without a trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// One request, retried while the run's budget lasts. Failed attempts
    /// and the waits after them spend it; time spent on answers does not,
    /// so a long run (waiting for checks, uploading assets) keeps its
    /// retries.
    pub fn send(&self, req: &Request<'_>) -> Result<Answer, RestError> {
        let url = match req.target {
            // Without its `/` a path would run on into the base's host name.
            Target::Path(path) if path.starts_with('/') => format!("{}{path}", self.base),
            Target::Path(path) => panic!("a path under the API starts with `/`: {path}"),
            Target::Given(url) => url.to_string(),
        };
        self.retried(req, &url)
    }

    /// [`Client::send`] of `req` to `url`, its target resolved.
    fn retried(&self, req: &Request<'_>, url: &str) -> Result<Answer, RestError> {
        let start = Instant::now();
        let spent = Duration::from_millis(self.spent_ms.load(Ordering::Relaxed));
        let left = self.budget.saturating_sub(spent);
        let (mut attempts, mut last_try) = (0u32, start);
        let r = retry(
            start + left,
            || {
                attempts += 1;
                self.once(req, url)
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
            Some(_) => RestError::BudgetSpent {
                forge: self.dialect.name,
                setting: self.dialect.budget_setting,
                budget_secs: self.budget.as_secs(),
                attempts,
                last: Box::new(e),
            },
            None => e,
        })
    }

    /// One attempt of `req` at `url`: its answer, or why there is none
    /// worth reading.
    fn once(&self, req: &Request<'_>, url: &str) -> Result<Answer, RestError> {
        let call = format!(
            "{} {}",
            req.method,
            url.strip_prefix(&self.base).unwrap_or(url)
        );
        // A redirect on the API's own host is followed (a renamed
        // repository), a few times at most; one elsewhere is an error.
        let mut at = url.to_string();
        for _ in 0..4 {
            let (answer, text) = self.attempt(req, &at, &call)?;
            if !(300..400).contains(&answer.status) {
                return self.judge(call, answer, &text);
            }
            let Some(location) = answer.header("location") else {
                return self.judge(call, answer, &text);
            };
            let (to, same) = crate::adapters::http::redirect(&at, location);
            if !same {
                return Err(RestError::Redirected {
                    call,
                    status: answer.status,
                    to,
                });
            }
            at = to;
        }
        Err(RestError::Unexpected {
            call,
            problem: "redirected more than 3 times".into(),
        })
    }

    /// One request of `req` at `url`: the answer and its body as sent.
    fn attempt(
        &self,
        req: &Request<'_>,
        url: &str,
        call: &str,
    ) -> Result<(Answer, String), RestError> {
        let (auth, token) = self.dialect.auth.header(&self.token);
        let mut http = ureq::http::Request::builder()
            .method(req.method)
            .uri(url)
            .header(auth, token);
        for (name, value) in self.dialect.headers {
            http = http.header(*name, *value);
        }
        for (name, value) in &req.headers {
            http = http.header(*name, *value);
        }
        let http = match req.body {
            Body::Json(b) => http
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(b).expect("json")),
            Body::Bytes(bytes) => http
                .header(
                    "Content-Type",
                    req.content_type.unwrap_or("application/octet-stream"),
                )
                .body(bytes.to_vec()),
            Body::Empty => http.body(Vec::new()),
        };
        let mut resp = self
            .agent
            .run(http.expect("a valid request"))
            .map_err(|source| RestError::Unreachable {
                call: call.to_string(),
                source,
            })?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|source| RestError::BrokenAnswer {
                call: call.to_string(),
                source,
            })?;
        let answer = Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers: std::mem::take(resp.headers_mut()),
        };
        Ok((answer, text))
    }

    /// An answer the endpoint reads (a success, or a status the dialect
    /// leaves to it), or the failure it is; `text` is its body as sent.
    fn judge(&self, call: String, a: Answer, text: &str) -> Result<Answer, RestError> {
        let status = a.status;
        let message = error_message(&a.body).unwrap_or_else(|| text.chars().take(300).collect());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = |k: &str| a.header(k).map(str::to_string);
        let wait = self.dialect.limits.wait(status, header, &message, now);
        match status {
            200..=299 => Ok(a),
            s if self.dialect.answered.contains(&s) => Ok(a),
            403 | 429 if wait.is_some() => Err(RestError::RateLimited {
                call,
                wait,
                message,
            }),
            429 => Err(RestError::RateLimited {
                call,
                wait: None,
                message,
            }),
            500..=599 => Err(RestError::Server {
                call,
                status,
                message,
                retry_after: wait,
            }),
            _ => Err(RestError::Refused {
                call,
                status,
                message,
            }),
        }
    }

    /// Every item of a list: `path` (with its query) asked for a full page
    /// at a time, then each next page the dialect's paging names followed.
    /// `key` names the array in an object answer (`check_runs`); `None`:
    /// the answer is the array.
    pub fn list(&self, path: &str, key: Option<&str>) -> Result<Vec<Value>, RestError> {
        let name = self.dialect.name;
        let (size_param, size) = self.dialect.page_size;
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{path}{sep}{size_param}={size}", self.base);
        let mut items = Vec::new();
        let call = format!("GET {path}");
        let unexpected = |problem: String| RestError::Unexpected {
            call: call.clone(),
            problem,
        };
        let page_request = Request::new("GET", path);
        for _ in 0..MAX_PAGES {
            let a = self.retried(&page_request, &url)?;
            if a.status >= 300 {
                return Err(RestError::Refused {
                    call,
                    status: a.status,
                    message: a.message(),
                });
            }
            let none = Vec::new();
            let page = match key {
                // The list named but `null`: how Go sends an empty one
                // (Forgejo's combined status of a commit without statuses).
                Some(k) if a.body.get(k).is_some_and(Value::is_null) => Some(&none),
                Some(k) => a.body[k].as_array(),
                None => a.body.as_array(),
            };
            let page = page.ok_or_else(|| {
                unexpected(format!(
                    "{name} answered without a list ({})",
                    key.unwrap_or("array")
                ))
            })?;
            items.extend(page.iter().cloned());
            let next = self
                .dialect
                .paging
                .next_after(&url, &a, items.len(), page.len());
            match next {
                None => return Ok(items),
                // The token is only ever sent under the configured base.
                Some(n) if n.starts_with(&format!("{}/", self.base)) => url = n,
                Some(n) => {
                    return Err(unexpected(format!(
                        "{name}'s next page {n} is not under the API {}; not following it",
                        self.base
                    )));
                }
            }
        }
        Err(unexpected(format!(
            "more than {MAX_PAGES} pages of {size}; refusing to read on"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn answer(headers: &[(&'static str, &str)]) -> Answer {
        let mut map = ureq::http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        Answer {
            status: 200,
            body: Value::Null,
            headers: map,
        }
    }

    #[test]
    fn next_page_by_each_paging_rule() {
        let url =
            "https://gitlab.example/api/v4/projects/1/merge_requests?state=opened&per_page=100";
        let link = answer(&[(
            "link",
            r#"<https://gitlab.example/api/v4/x?cursor=ab>; rel="next""#,
        )]);
        assert_eq!(
            Paging::Link.next(url, &link).as_deref(),
            Some("https://gitlab.example/api/v4/x?cursor=ab")
        );
        let numbered = answer(&[("x-next-page", "3")]);
        assert_eq!(
            Paging::NextPageHeader.next(url, &numbered).as_deref(),
            Some(
                "https://gitlab.example/api/v4/projects/1/merge_requests?state=opened&per_page=100&page=3"
            )
        );
        // The page number is replaced, not added twice.
        assert_eq!(
            with_query("https://x/a?page=3&per_page=100", "page", "4"),
            "https://x/a?per_page=100&page=4"
        );
        assert_eq!(with_query("https://x/a", "page", "2"), "https://x/a?page=2");
        // The last page: an empty header, or none.
        assert_eq!(
            Paging::NextPageHeader.next(url, &answer(&[("x-next-page", "")])),
            None
        );
        assert_eq!(Paging::NextPageHeader.next(url, &link), None);
        assert_eq!(Paging::Link.next(url, &numbered), None);
        // GitLab's rule: the page number first, else the keyset link.
        let both = answer(&[
            ("x-next-page", "2"),
            (
                "link",
                r#"<https://gitlab.example/api/v4/x?page=2>; rel="next""#,
            ),
        ]);
        let rule = Paging::NextPageOrLink;
        assert_eq!(
            rule.next(url, &both).as_deref(),
            Some(
                "https://gitlab.example/api/v4/projects/1/merge_requests?state=opened&per_page=100&page=2"
            )
        );
        assert_eq!(
            rule.next(url, &link).as_deref(),
            Some("https://gitlab.example/api/v4/x?cursor=ab")
        );
        let last = answer(&[("x-next-page", "")]);
        assert_eq!(rule.next(url, &last), None);
    }

    #[test]
    fn next_page_by_the_total_count_without_a_link() {
        let url = "https://git.example/api/v1/repos/o/r/commits/abc/status?limit=50";
        let counted = answer(&[("x-total-count", "120")]);
        let rule = Paging::LinkOrTotalCount;
        assert_eq!(
            rule.next_after(url, &counted, 50, 50).as_deref(),
            Some("https://git.example/api/v1/repos/o/r/commits/abc/status?limit=50&page=2")
        );
        let second = format!("{url}&page=2");
        assert_eq!(
            rule.next_after(&second, &counted, 100, 50).as_deref(),
            Some("https://git.example/api/v1/repos/o/r/commits/abc/status?limit=50&page=3")
        );
        // All read, an empty page (the count was wrong), or no count: done.
        assert_eq!(rule.next_after(&second, &counted, 120, 20), None);
        assert_eq!(rule.next_after(&second, &counted, 100, 0), None);
        assert_eq!(rule.next_after(url, &answer(&[]), 50, 50), None);
        // A Link is followed first; the other rules ignore the count.
        let link = answer(&[
            ("x-total-count", "120"),
            (
                "link",
                r#"<https://git.example/api/v1/x?page=7>; rel="next""#,
            ),
        ]);
        assert_eq!(
            rule.next_after(url, &link, 50, 50).as_deref(),
            Some("https://git.example/api/v1/x?page=7")
        );
        assert_eq!(Paging::Link.next_after(url, &counted, 50, 50), None);
    }

    #[test]
    fn each_auth_scheme_has_its_header() {
        let t = Token::new("s3cret".into());
        assert_eq!(
            Auth::Bearer.header(&t),
            ("Authorization", "Bearer s3cret".into())
        );
        assert_eq!(
            Auth::Token.header(&t),
            ("Authorization", "token s3cret".into())
        );
        assert_eq!(
            Auth::PrivateToken.header(&t),
            ("PRIVATE-TOKEN", "s3cret".into())
        );
        assert_eq!(Auth::JobToken.header(&t), ("JOB-TOKEN", "s3cret".into()));
    }

    #[test]
    fn an_endpoints_refusal_names_what_was_asked() {
        let mut a = answer(&[]);
        a.status = 422;
        a.body = serde_json::json!({"message": "Validation Failed"});
        let e = a.or_rejected(|| "create tag v1".into()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "could not create tag v1: 422: Validation Failed"
        );
        assert!(answer(&[]).or_rejected(|| unreachable!()).is_ok());
        // GitLab's messages: a list, an object of field errors, an OAuth error.
        let said = |body: Value| {
            let mut a = answer(&[]);
            a.body = body;
            a.message()
        };
        assert_eq!(
            said(serde_json::json!({"message": ["Another open merge request already exists"]})),
            r#"["Another open merge request already exists"]"#
        );
        assert_eq!(
            said(serde_json::json!({"message": {"title": ["is too long"]}})),
            r#"{"title":["is too long"]}"#
        );
        assert_eq!(
            said(
                serde_json::json!({"error": "insufficient_scope", "error_description": "needs api"})
            ),
            "insufficient_scope: needs api"
        );
        assert_eq!(said(Value::Null), "no message");
    }
}
