//! Forgejo's REST API for the tests, on 127.0.0.1 at a free port: every
//! request is checked against Forgejo's own API description
//! ([`super::swagger`]) and refused with 400 naming what does not match
//! (path, method, query, content type or body); what passes is answered
//! from the state kept here (pull requests, commit statuses, tags,
//! releases and their attachments) with a body that is checked against the
//! description too. Every request is logged with its answer.
//!
//! It answers as Forgejo does where the description leaves it open: `limit`
//! defaults to 30 and is cut to 50 (`[api]` `DEFAULT_PAGING_NUM`,
//! `MAX_RESPONSE_ITEMS`); lists carry `Link` and `X-Total-Count`, a
//! commit's combined status only the count; a pull request's commits come
//! newest first; an edited pull request is a 201; a tag that exists is a
//! 409 without a body; a commit without statuses has a combined status of
//! Go's zero values.

use super::proxy::read_request;
use super::swagger::{Call, Spec};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// The id of the one repository (`o/r`) every pull request is in.
const REPO_ID: i64 = 1;
const DEFAULT_LIMIT: usize = 30;
const MAX_LIMIT: usize = 50;

#[derive(Debug, Clone)]
pub struct Pull {
    pub number: u64,
    pub head: String,
    pub base: String,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub merged: bool,
    pub merge_commit_sha: Option<String>,
    /// (sha, message), oldest first.
    pub commits: Vec<(String, String)>,
    /// How often it was edited.
    pub edits: u32,
    /// Where its head branch is: this repository, or a fork's id.
    pub head_repo_id: i64,
}

/// An issue (numbered in the same sequence as pull requests, as on
/// Forgejo).
#[derive(Debug, Clone)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub open: bool,
    /// How often its body was edited.
    pub edits: u32,
}

#[derive(Debug, Clone)]
pub struct Asset {
    pub name: String,
    pub size: usize,
    /// The file name its multipart part carried.
    pub filename: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub id: u64,
    pub tag: String,
    pub name: String,
    pub body: String,
    pub prerelease: bool,
    pub assets: Vec<Asset>,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The path with its query, as sent.
    pub target: String,
    pub auth: Option<String>,
    pub status: u16,
    /// Why it was refused as not matching the description.
    pub refused: Option<String>,
}

/// Answers a test set up for the requests to come.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: String,
    /// Requests whose path starts with this get the fault.
    pub path_prefix: String,
    pub status: u16,
    pub retry_after: Option<u64>,
    /// How many more requests get it.
    pub times: usize,
}

#[derive(Default)]
pub struct State {
    pub pulls: Vec<Pull>,
    pub issues: Vec<Issue>,
    /// (commit, context, state), oldest first; the newest of a commit's
    /// context is the one that counts.
    pub statuses: Vec<(String, String, String)>,
    /// (name, commit)
    pub tags: Vec<(String, String)>,
    pub releases: Vec<Release>,
    pub requests: Vec<Logged>,
    pub faults: Vec<Fault>,
    /// Answers of the double itself that do not fit the description: a bug
    /// here, which the tests assert never happened.
    pub broken: Vec<String>,
}

impl State {
    /// The next number of an issue or pull request.
    fn next_number(&self) -> u64 {
        let pulls = self.pulls.iter().map(|p| p.number);
        1 + pulls
            .chain(self.issues.iter().map(|i| i.number))
            .max()
            .unwrap_or(0)
    }

    fn pull_mut(&mut self, number: u64) -> &mut Pull {
        self.pulls.iter_mut().find(|p| p.number == number).unwrap()
    }
}

pub struct ForgejoSim {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

/// An answer: status, JSON body (none: empty), extra headers.
struct Answer {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn message(status: u16, message: &str) -> Answer {
        Answer::json(
            status,
            json!({"message": message, "url": "http://127.0.0.1/api/swagger"}),
        )
    }

    fn empty(status: u16) -> Answer {
        Answer {
            status,
            body: None,
            headers: Vec::new(),
        }
    }
}

impl ForgejoSim {
    /// Started on 127.0.0.1 at a free port, taking requests with `token`.
    pub fn start(token: &str) -> ForgejoSim {
        let spec = Arc::new(Spec::load());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, halt, token) = (state.clone(), stop.clone(), token.to_string());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let (spec, st, token) = (spec.clone(), st.clone(), token.clone());
                std::thread::spawn(move || serve(conn, port, &spec, &st, &token));
            }
        });
        ForgejoSim { port, state, stop }
    }

    /// The instance's URL (`forgejo.url`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// A status of `sha` set (by CI).
    pub fn set_status(&self, sha: &str, context: &str, state: &str) {
        self.state()
            .statuses
            .push((sha.into(), context.into(), state.into()));
    }

    /// An open pull request someone opened; its number.
    pub fn open_pull(&self, head: &str, base: &str, title: &str) -> u64 {
        let mut st = self.state();
        let number = st.next_number();
        st.pulls.push(Pull {
            number,
            head: head.into(),
            base: base.into(),
            title: title.into(),
            body: String::new(),
            open: true,
            merged: false,
            merge_commit_sha: None,
            commits: Vec::new(),
            edits: 0,
            head_repo_id: REPO_ID,
        });
        number
    }

    /// An open pull request from a fork's branch `head`; its number.
    pub fn open_fork_pull(&self, head: &str, base: &str, title: &str) -> u64 {
        let n = self.open_pull(head, base, title);
        self.state().pull_mut(n).head_repo_id = REPO_ID + 1;
        n
    }

    /// A pull request someone merged at `merge_commit`; `commits` are (sha,
    /// message), oldest first. Its number.
    pub fn merged_pull(&self, title: &str, merge_commit: &str, commits: &[(&str, &str)]) -> u64 {
        let n = self.open_pull("feature", "main", title);
        let mut st = self.state();
        let p = st.pull_mut(n);
        p.open = false;
        p.merged = true;
        p.merge_commit_sha = Some(merge_commit.into());
        p.commits = commits
            .iter()
            .map(|(s, m)| (s.to_string(), m.to_string()))
            .collect();
        n
    }

    /// The next `times` requests `method` on a path starting with
    /// `path_prefix` are answered `status`, with `Retry-After` if given.
    pub fn fail(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        retry_after: Option<u64>,
        times: usize,
    ) {
        self.state().faults.push(Fault {
            method: method.into(),
            path_prefix: path_prefix.into(),
            status,
            retry_after,
            times,
        });
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state().requests.clone()
    }

    /// The requests that change something, as `METHOD /path`.
    pub fn changes(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// Why requests were refused, and whether an answer of the double's
    /// own did not fit the description: nothing, in a test that passes.
    pub fn assert_all_matched(&self) {
        let st = self.state();
        let refused: Vec<String> = st
            .requests
            .iter()
            .filter_map(|r| {
                r.refused
                    .as_ref()
                    .map(|e| format!("{} {}: {e}", r.method, r.target))
            })
            .collect();
        assert!(refused.is_empty(), "requests refused: {refused:#?}");
        assert!(
            st.broken.is_empty(),
            "answers that break the description: {:#?}",
            st.broken
        );
    }

    /// Sends one request, as a test would check the double itself: status
    /// and body.
    pub fn send(
        &self,
        method: &str,
        target: &str,
        auth: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (u16, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{target}", self.url()));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if let Some(c) = content_type {
            req = req.header("Content-Type", c);
        }
        let mut resp = agent.run(req.body(body.to_vec()).unwrap()).unwrap();
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

impl Drop for ForgejoSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One connection: one request and its answer (`Connection: close`).
fn serve(mut conn: TcpStream, port: u16, spec: &Spec, state: &Mutex<State>, token: &str) {
    let Some(raw) = read_request(&mut conn) else {
        return;
    };
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let body = &raw[end..];
    let path = target.split('?').next().unwrap_or_default().to_string();

    let mut st = state.lock().unwrap();
    let mut refused = None;
    let answer = 'answer: {
        if let Some(f) = st
            .faults
            .iter_mut()
            .find(|f| f.times > 0 && f.method == method && path.starts_with(&f.path_prefix))
        {
            f.times -= 1;
            let mut a = Answer::message(f.status, "Too Many Requests");
            if let Some(s) = f.retry_after {
                a.headers.push(("Retry-After".into(), s.to_string()));
            }
            break 'answer a;
        }
        if header("authorization").as_deref() != Some(&format!("token {token}")) {
            break 'answer Answer::message(401, "token is required");
        }
        let call =
            match spec.check_request(&method, &target, header("content-type").as_deref(), body) {
                Ok(c) => c,
                Err(e) => {
                    refused = Some(e.clone());
                    break 'answer Answer::message(400, &e);
                }
            };
        let a = handle(&call, spec, &mut st, port);
        if let Err(e) = spec.check_answer(&call, a.status, a.body.as_ref()) {
            st.broken.push(e.clone());
            break 'answer Answer::message(500, &e);
        }
        a
    };
    st.requests.push(Logged {
        at: Instant::now(),
        method,
        path,
        target,
        auth: header("authorization"),
        status: answer.status,
        refused,
    });
    drop(st);

    let text = answer.body.map(|b| b.to_string()).unwrap_or_default();
    let mut out = format!("HTTP/1.1 {} X\r\n", answer.status);
    if !text.is_empty() {
        out.push_str("Content-Type: application/json;charset=utf-8\r\n");
    }
    for (k, v) in &answer.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    ));
    let _ = conn.write_all(out.as_bytes());
}

/// A path segment or query value as Forgejo writes it into a `Link`.
fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// `list` cut to the page the call asks for, with Forgejo's headers
/// (`Link` only where `link`).
fn page(
    call: &Call,
    port: u16,
    list: Vec<Value>,
    link: bool,
) -> (Vec<Value>, Vec<(String, String)>) {
    let limit = match call.query("limit").and_then(|l| l.parse::<usize>().ok()) {
        None | Some(0) => DEFAULT_LIMIT,
        Some(l) => l.min(MAX_LIMIT),
    };
    let page = call
        .query("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = list.len();
    let mut headers = vec![("X-Total-Count".to_string(), total.to_string())];
    let pages = total.div_ceil(limit).max(1);
    if link {
        // As Forgejo's SetLinkHeader: the instance's URL, the request's
        // path, its query with `page` set.
        let url = |n: usize| {
            let mut q: Vec<String> = call
                .query
                .iter()
                .filter(|(k, _)| k != "page")
                .map(|(k, v)| format!("{k}={}", enc(v)))
                .collect();
            q.push(format!("page={n}"));
            let path = call.params.iter().fold(call.template.clone(), |t, (k, v)| {
                t.replace(&format!("{{{k}}}"), &enc(v))
            });
            format!("<http://127.0.0.1:{port}/api/v1{path}?{}>", q.join("&"))
        };
        let mut links = Vec::new();
        if page < pages {
            links.push(format!("{}; rel=\"next\"", url(page + 1)));
            links.push(format!("{}; rel=\"last\"", url(pages)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"first\"", url(1)));
            links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        }
        if !links.is_empty() {
            headers.push(("Link".into(), links.join(",")));
        }
    }
    let items = list
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    (items, headers)
}

/// `base` with the fields of `over` put in (objects merged, the rest
/// replaced).
fn merged(mut base: Value, over: Value) -> Value {
    match (&mut base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                let old = b.remove(&k).unwrap_or(Value::Null);
                b.insert(k, merged(old, v));
            }
            base
        }
        (_, o) => o,
    }
}

/// A definition's example with `over` put in.
fn shaped(spec: &Spec, definition: &str, over: Value) -> Value {
    let base = spec
        .example_of(&json!({"$ref": format!("#/definitions/{definition}")}), 0)
        .unwrap();
    merged(base, over)
}

fn pull_json(spec: &Spec, port: u16, p: &Pull) -> Value {
    let branch =
        |r: &str, repo: i64| json!({"ref": r, "label": r, "repo_id": repo, "sha": "0".repeat(40)});
    shaped(
        spec,
        "PullRequest",
        json!({
            "id": p.number + 100, "number": p.number, "title": p.title, "body": p.body,
            "state": if p.open { "open" } else { "closed" },
            "merged": p.merged, "merge_commit_sha": p.merge_commit_sha.clone().unwrap_or_default(),
            "head": branch(&p.head, p.head_repo_id), "base": branch(&p.base, REPO_ID),
            "html_url": format!("http://127.0.0.1:{port}/o/r/pulls/{}", p.number),
        }),
    )
}

/// An issue, or a pull request as the issues list shows one (with its
/// `pull_request`).
fn issue_json(
    spec: &Spec,
    port: u16,
    number: u64,
    title: &str,
    body: &str,
    open: bool,
    pull: bool,
) -> Value {
    let html = format!("http://127.0.0.1:{port}/o/r/issues/{number}");
    let meta = if pull {
        json!({"merged": false, "merged_at": null, "draft": false, "html_url": html})
    } else {
        Value::Null
    };
    let over = json!({
        "id": number + 1000, "number": number, "title": title, "body": body,
        "state": if open { "open" } else { "closed" }, "html_url": html,
        "url": format!("http://127.0.0.1:{port}/api/v1/repos/o/r/issues/{number}"),
    });
    let mut v = shaped(spec, "Issue", over);
    v["pull_request"] = meta;
    v
}

fn release_json(spec: &Spec, port: u16, r: &Release) -> Value {
    let assets: Vec<Value> = r
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| attachment_json(spec, port, i as u64 + 1, a))
        .collect();
    shaped(
        spec,
        "Release",
        json!({
            "id": r.id, "tag_name": r.tag, "name": r.name, "body": r.body,
            "prerelease": r.prerelease, "draft": false, "assets": assets,
            "upload_url": format!("http://127.0.0.1:{port}/api/v1/repos/o/r/releases/{}/assets", r.id),
        }),
    )
}

fn attachment_json(spec: &Spec, port: u16, id: u64, a: &Asset) -> Value {
    shaped(
        spec,
        "Attachment",
        json!({
            "id": id, "name": a.name, "size": a.size, "type": "attachment",
            "uuid": format!("{id:08}-0000-0000-0000-000000000000"),
            "browser_download_url": format!("http://127.0.0.1:{port}/attachments/{id}"),
        }),
    )
}

fn tag_json(spec: &Spec, name: &str, sha: &str) -> Value {
    shaped(
        spec,
        "Tag",
        json!({"name": name, "id": sha, "message": "", "commit": {"sha": sha}}),
    )
}

/// What the double answers an allowed call.
fn handle(call: &Call, spec: &Spec, st: &mut State, port: u16) -> Answer {
    if call.param("owner") != "o" || call.param("repo") != "r" {
        return Answer::message(404, "repository does not exist");
    }
    let body = call.body.clone().unwrap_or(Value::Null);
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let index = call.param("index").parse::<u64>().unwrap_or(0);
    match call.op.as_str() {
        "repoListPullRequests" => {
            let state = call.query("state").unwrap_or("open");
            // Newest first, as Forgejo lists them by default.
            let list: Vec<Value> = st
                .pulls
                .iter()
                .rev()
                .filter(|p| state == "all" || p.open == (state == "open"))
                .map(|p| pull_json(spec, port, p))
                .collect();
            let (items, headers) = page(call, port, list, true);
            Answer {
                headers,
                ..Answer::json(200, Value::Array(items))
            }
        }
        "issueListIssues" => {
            let state = call.query("state").unwrap_or("open");
            let kind = call.query("type");
            // Newest first, pull requests among them unless `type` says.
            let mut all: Vec<(u64, Value, bool)> = Vec::new();
            if kind != Some("pulls") {
                for i in &st.issues {
                    let v = issue_json(spec, port, i.number, &i.title, &i.body, i.open, false);
                    all.push((i.number, v, i.open));
                }
            }
            if kind != Some("issues") {
                for p in &st.pulls {
                    let v = issue_json(spec, port, p.number, &p.title, &p.body, p.open, true);
                    all.push((p.number, v, p.open));
                }
            }
            all.sort_by_key(|a| std::cmp::Reverse(a.0));
            let list: Vec<Value> = all
                .into_iter()
                .filter(|(_, _, open)| state == "all" || *open == (state == "open"))
                .map(|(_, v, _)| v)
                .collect();
            let (items, headers) = page(call, port, list, true);
            Answer {
                headers,
                ..Answer::json(200, Value::Array(items))
            }
        }
        "issueCreateIssue" => {
            if text("title").is_empty() {
                return Answer::message(422, "title is required");
            }
            let number = st.next_number();
            st.issues.push(Issue {
                number,
                title: text("title"),
                body: text("body"),
                open: !body["closed"].as_bool().unwrap_or(false),
                edits: 0,
            });
            let i = st.issues.last().unwrap();
            Answer::json(
                201,
                issue_json(spec, port, i.number, &i.title, &i.body, i.open, false),
            )
        }
        "issueEditIssue" => {
            let Some(i) = st.issues.iter_mut().find(|i| i.number == index) else {
                return Answer::json(
                    404,
                    json!({"message": "issue does not exist", "errors": []}),
                );
            };
            if body.get("title").is_some() {
                i.title = text("title");
            }
            if body.get("body").is_some() {
                i.body = text("body");
                i.edits += 1;
            }
            match body["state"].as_str() {
                Some("closed") => i.open = false,
                Some("open") => i.open = true,
                Some(other) => return Answer::message(422, &format!("unknown state {other}")),
                None => {}
            }
            let i = i.clone();
            Answer::json(
                201,
                issue_json(spec, port, i.number, &i.title, &i.body, i.open, false),
            )
        }
        "repoCreatePullRequest" => {
            // Forgejo's binding requires these, which the description
            // does not say.
            for k in ["head", "base", "title"] {
                if text(k).is_empty() {
                    return Answer::message(422, &format!("{k} is required"));
                }
            }
            if st
                .pulls
                .iter()
                .any(|p| p.open && p.head == text("head") && p.base == text("base"))
            {
                return Answer::message(409, "pull request already exists for these targets");
            }
            let number = st.next_number();
            st.pulls.push(Pull {
                number,
                head: text("head"),
                base: text("base"),
                title: text("title"),
                body: text("body"),
                open: true,
                merged: false,
                merge_commit_sha: None,
                commits: Vec::new(),
                edits: 0,
                head_repo_id: REPO_ID,
            });
            Answer::json(201, pull_json(spec, port, st.pulls.last().unwrap()))
        }
        "repoEditPullRequest" => {
            let Some(p) = st.pulls.iter_mut().find(|p| p.number == index) else {
                return Answer::json(
                    404,
                    json!({"message": "pull request does not exist", "errors": []}),
                );
            };
            if body.get("title").is_some() {
                p.title = text("title");
            }
            if body.get("body").is_some() {
                p.body = text("body");
            }
            p.edits += 1;
            let p = p.clone();
            Answer::json(201, pull_json(spec, port, &p))
        }
        "repoGetPullRequest" => match st.pulls.iter().find(|p| p.number == index) {
            Some(p) => Answer::json(200, pull_json(spec, port, p)),
            None => Answer::json(
                404,
                json!({"message": "pull request does not exist", "errors": []}),
            ),
        },
        "repoGetPullRequestCommits" => {
            let Some(p) = st.pulls.iter().find(|p| p.number == index) else {
                return Answer::json(
                    404,
                    json!({"message": "pull request does not exist", "errors": []}),
                );
            };
            // Newest first, as `git log` lists them, each with its parent.
            let list: Vec<Value> = p
                .commits
                .iter()
                .enumerate()
                .rev()
                .map(|(i, (sha, message))| {
                    let parent = if i == 0 {
                        "0".repeat(40)
                    } else {
                        p.commits[i - 1].0.clone()
                    };
                    shaped(
                        spec,
                        "Commit",
                        json!({"sha": sha, "commit": {"message": format!("{message}\n")}, "parents": [{"sha": parent}]}),
                    )
                })
                .collect();
            let (items, headers) = page(call, port, list, true);
            Answer {
                headers,
                ..Answer::json(200, Value::Array(items))
            }
        }
        "repoGetCombinedStatusByRef" => {
            let sha = call.param("ref");
            let mut newest: Vec<(String, String)> = Vec::new();
            for (s, context, state) in &st.statuses {
                if s == sha {
                    newest.retain(|(c, _)| c != context);
                    newest.push((context.clone(), state.clone()));
                }
            }
            if newest.is_empty() {
                // Forgejo's `&api.CombinedStatus{}`.
                return Answer::json(
                    200,
                    json!({"state": "", "sha": "", "total_count": 0, "statuses": null,
                        "repository": null, "commit_url": "", "url": ""}),
                );
            }
            let worst = [
                "error", "failure", "warning", "pending", "success", "skipped",
            ]
            .into_iter()
            .find(|w| newest.iter().any(|(_, s)| s == w))
            .unwrap();
            let list: Vec<Value> = newest
                .iter()
                .enumerate()
                .map(|(i, (context, state))| {
                    shaped(
                        spec,
                        "CommitStatus",
                        json!({"id": i + 1, "context": context, "status": state}),
                    )
                })
                .collect();
            let (items, headers) = page(call, port, list, false);
            let combined = shaped(
                spec,
                "CombinedStatus",
                json!({"state": worst, "sha": sha, "total_count": items.len(), "statuses": items}),
            );
            Answer {
                headers,
                ..Answer::json(200, combined)
            }
        }
        "repoCreateTag" => {
            let name = text("tag_name");
            let target = text("target");
            if st.tags.iter().any(|(n, _)| *n == name) {
                return Answer::empty(409);
            }
            if target.len() != 40 || !target.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Answer::json(404, json!({"message": "target not found", "errors": []}));
            }
            st.tags.push((name.clone(), target.clone()));
            Answer::json(201, tag_json(spec, &name, &target))
        }
        "repoGetTag" => match st.tags.iter().find(|(n, _)| n == call.param("tag")) {
            Some((n, sha)) => Answer::json(200, tag_json(spec, n, sha)),
            None => Answer::json(404, json!({"message": "tag does not exist", "errors": []})),
        },
        "repoCreateRelease" => {
            let tag = text("tag_name");
            if st.releases.iter().any(|r| r.tag == tag) {
                return Answer::message(409, "release already exists");
            }
            let r = Release {
                id: st.releases.len() as u64 + 1,
                tag,
                name: text("name"),
                body: text("body"),
                prerelease: body["prerelease"].as_bool().unwrap_or(false),
                assets: Vec::new(),
            };
            st.releases.push(r.clone());
            Answer::json(201, release_json(spec, port, &r))
        }
        "repoGetReleaseByTag" => match st.releases.iter().find(|r| r.tag == call.param("tag")) {
            Some(r) => Answer::json(200, release_json(spec, port, r)),
            None => Answer::json(
                404,
                json!({"message": "release does not exist", "errors": []}),
            ),
        },
        "repoCreateReleaseAttachment" => {
            let id = call.param("id").parse::<u64>().unwrap_or(0);
            let Some(r) = st.releases.iter_mut().find(|r| r.id == id) else {
                return Answer::json(
                    404,
                    json!({"message": "release does not exist", "errors": []}),
                );
            };
            let Some((_, filename, bytes)) = call
                .form
                .iter()
                .find(|(field, ..)| field == "attachment" || field.is_empty())
            else {
                return Answer::message(400, "attachment or external_url is required");
            };
            let name = call
                .query("name")
                .map(str::to_string)
                .or_else(|| filename.clone())
                .unwrap_or_default();
            let asset = Asset {
                name,
                size: bytes.len(),
                filename: filename.clone(),
            };
            r.assets.push(asset.clone());
            let n = r.assets.len() as u64;
            Answer::json(201, attachment_json(spec, port, n, &asset))
        }
        other => Answer::message(501, &format!("the double does not answer {other}")),
    }
}
