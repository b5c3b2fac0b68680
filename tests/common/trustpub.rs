//! Stand-ins for trusted publishing, in front of a real kellnr: GitHub
//! Actions' OIDC token endpoint, GitLab CI's ID tokens, and crates.io's
//! token exchange, with the contract of each checked on every request (read
//! from crates.io's `src/controllers/trustpub/tokens/`, GitHub's OIDC
//! documentation and GitLab's ID token documentation):
//!
//! - `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=<registry host>` with
//!   `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` answers
//!   `{"count": 1, "value": <jwt>}`;
//! - a GitLab job's ID token ([`Front::gitlab_id_token`]) is a JWT whose
//!   claims crates.io reads: `iss` `https://gitlab.com`, `aud` the
//!   registry's host, `jti`, `project_path` (`namespace/project`),
//!   `ci_config_ref_uri`, `namespace_id`, `job_id`, `sha`;
//! - `POST /api/v1/trusted_publishing/tokens`, JSON `{"jwt": …}`: each JWT
//!   is exchanged once (a second time: 400 "JWT has already been used"),
//!   answer `{"token": …}`; the token lives `lifetime` (30 minutes on
//!   crates.io, compressed here);
//! - `DELETE /api/v1/trusted_publishing/tokens` with `Authorization: Bearer
//!   <token>` answers 204;
//! - an upload with such a token creates no crate (403, crates.io's words)
//!   and is refused once the token expired or was revoked; a valid one is
//!   forwarded to kellnr with kellnr's own token.
//!
//! Every contract breach is recorded; tests assert there was none.
#![allow(dead_code)]

use super::kellnr::TOKEN as KELLNR_TOKEN;
use super::proxy::{read_request, with_close};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const REQUEST_TOKEN: &str = "ghaOidcRequestCanary7731";

#[derive(Default)]
pub struct State {
    /// JWTs handed out, and whether each was exchanged.
    pub jwts: HashMap<String, bool>,
    /// Registry tokens minted: when.
    pub minted: HashMap<String, Instant>,
    pub revoked: HashSet<String>,
    /// Uploads: crate name, token used.
    pub uploads: Vec<(String, String)>,
    /// Every breach of the contract, in words.
    pub breaches: Vec<String>,
    /// Answers refused as a registry would (expired, new crate).
    pub refusals: Vec<String>,
}

pub struct Front {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    raw: Vec<u8>,
}

fn parse(raw: Vec<u8>) -> Req {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let (method, path) = (
        first.next().unwrap().to_string(),
        first.next().unwrap().to_string(),
    );
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Req {
        method,
        path,
        headers,
        body: raw[end..].to_vec(),
        raw,
    }
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn respond(c: &mut TcpStream, status: &str, body: &str) {
    let _ = c.write_all(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}

fn error(c: &mut TcpStream, status: &str, detail: &str) {
    respond(
        c,
        status,
        &serde_json::json!({ "errors": [{ "detail": detail }] }).to_string(),
    );
}

/// The request with its `Authorization` replaced by kellnr's token.
fn with_kellnr_auth(req: &Req) -> Vec<u8> {
    let end = req.raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&req.raw[..end - 2]).to_string();
    let mut out: String = head
        .split("\r\n")
        .filter(|l| !l.to_lowercase().starts_with("authorization:") && !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str(&format!("Authorization: {KELLNR_TOKEN}\r\n\r\n"));
    let mut v = out.into_bytes();
    v.extend_from_slice(&req.body);
    with_close(&v)
}

fn forward(upstream: u16, port: u16, req: &Req) -> Vec<u8> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
    up.write_all(&with_kellnr_auth(req)).unwrap();
    let mut resp = Vec::new();
    let _ = up.read_to_end(&mut resp);
    if req.path.ends_with("config.json") {
        // The API is this front, so uploads come through it.
        let text = String::from_utf8_lossy(&resp).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let body = body.replace(&format!(":{upstream}"), &format!(":{port}"));
        let head: String = head
            .split("\r\n")
            .filter(|l| {
                let l = l.to_lowercase();
                !l.starts_with("content-length:") && !l.starts_with("transfer-encoding:")
            })
            .map(|l| format!("{l}\r\n"))
            .collect();
        resp = format!("{head}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes();
    }
    resp
}

/// The crate name of an upload (cargo's publish body: length, JSON, …).
fn upload_name(body: &[u8]) -> String {
    let n = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
    let v: serde_json::Value = serde_json::from_slice(&body[4..4 + n]).unwrap();
    v["name"].as_str().unwrap().to_string()
}

impl Front {
    /// In front of kellnr on `upstream`; minted tokens live `lifetime`.
    pub fn start(upstream: u16, lifetime: Duration, upload_time: Duration) -> Front {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state: Arc<Mutex<State>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut c) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let Some(raw) = read_request(&mut c) else {
                        return;
                    };
                    let req = parse(raw);
                    handle(&mut c, &req, &st, upstream, port, lifetime, upload_time);
                });
            }
        });
        Front { port, state, stop }
    }

    pub fn index(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/crates/", self.port)
    }

    /// What a job's environment says where its OIDC tokens come from.
    pub fn oidc_url(&self) -> String {
        format!("http://127.0.0.1:{}/oidc/token?api-version=2.0", self.port)
    }

    /// An ID token as GitLab CI gives a job for `id_tokens: {NAME: {aud}}`
    /// (signed by "gitlab.com": this front takes it).
    pub fn gitlab_id_token(&self, aud: &str) -> String {
        let mut s = self.state.lock().unwrap();
        let n = s.jwts.len() + 1;
        let claims = serde_json::json!({
            "iss": "https://gitlab.com", "aud": aud, "jti": format!("jti-{n}"),
            "sub": "project_path:g/r:ref_type:tag:ref:v1.0.1", "project_path": "g/r",
            "namespace_id": "72", "namespace_path": "g", "job_id": format!("{}", 9000 + n),
            "sha": "0".repeat(40), "ref": "v1.0.1", "ref_type": "tag",
            "ci_config_ref_uri": "gitlab.com/g/r//.gitlab-ci.yml@refs/tags/v1.0.1",
            "exp": 4_102_444_800u64, "iat": 1_767_225_600u64,
        });
        let jwt = format!(
            "{}.{}.jwt-canary-gitlab-{n}",
            base64url(br#"{"alg":"RS256","kid":"gitlab-canary","typ":"JWT"}"#),
            base64url(claims.to_string().as_bytes())
        );
        s.jwts.insert(jwt.clone(), false);
        jwt
    }
}

/// `bytes` as unpadded base64url, as a JWT's parts are.
fn base64url(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The claims of a JWT's middle part, if it is one.
fn claims(jwt: &str) -> Option<serde_json::Value> {
    let payload = jwt.split('.').nth(1)?;
    let mut bytes = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in payload.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    serde_json::from_slice(&bytes).ok()
}

/// What crates.io's exchange would refuse in a GitLab ID token's claims
/// (`handle_gitlab_token`), if anything.
fn gitlab_claims_refused(c: &serde_json::Value) -> Option<String> {
    if c["iss"] != "https://gitlab.com" {
        return Some(format!("Unsupported JWT issuer: {}", c["iss"]));
    }
    if c["aud"] != "127.0.0.1" {
        return Some(format!("JWT for audience {}", c["aud"]));
    }
    let text = |k: &str| c[k].as_str().filter(|v| !v.is_empty());
    if !text("project_path").is_some_and(|p| p.contains('/')) {
        return Some("Unexpected `project_path` value".into());
    }
    for k in ["jti", "ci_config_ref_uri", "namespace_id", "job_id", "sha"] {
        if text(k).is_none() {
            return Some(format!("JWT without `{k}`"));
        }
    }
    None
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn handle(
    c: &mut TcpStream,
    req: &Req,
    st: &Mutex<State>,
    upstream: u16,
    port: u16,
    lifetime: Duration,
    upload_time: Duration,
) {
    const TOKENS: &str = "/api/v1/trusted_publishing/tokens";
    let auth = req.header("authorization").unwrap_or("").to_string();
    match (req.method.as_str(), req.path.split('?').next().unwrap()) {
        ("GET", "/oidc/token") => {
            let mut s = st.lock().unwrap();
            if auth != format!("bearer {REQUEST_TOKEN}") {
                s.breaches
                    .push(format!("OIDC request authorized with {auth:?}"));
                return error(c, "401 Unauthorized", "bad request token");
            }
            if !req.path.contains("api-version=2.0&audience=127.0.0.1") {
                s.breaches.push(format!("OIDC request for {}", req.path));
            }
            let jwt = format!("jwt-canary-{}", s.jwts.len() + 1);
            s.jwts.insert(jwt.clone(), false);
            respond(
                c,
                "200 OK",
                &serde_json::json!({ "count": 1, "value": jwt }).to_string(),
            );
        }
        ("POST", TOKENS) => {
            let mut s = st.lock().unwrap();
            if !req
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json"))
            {
                s.breaches
                    .push("exchange without a JSON content type".into());
            }
            let v: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let jwt = v["jwt"].as_str().unwrap_or("").to_string();
            match s.jwts.get(&jwt).copied() {
                None => {
                    s.breaches
                        .push(format!("exchange of an unknown JWT {jwt:?}"));
                    error(c, "400 Bad Request", "Failed to decode JWT")
                }
                Some(true) => {
                    s.breaches.push("a JWT exchanged twice".into());
                    error(c, "400 Bad Request", "JWT has already been used")
                }
                Some(false) => {
                    if let Some(refused) = claims(&jwt).as_ref().and_then(gitlab_claims_refused) {
                        s.breaches
                            .push(format!("exchange of a GitLab ID token: {refused}"));
                        return error(c, "400 Bad Request", "Failed to decode JWT");
                    }
                    s.jwts.insert(jwt, true);
                    let token = format!("cio-tp-canary-{}", s.minted.len() + 1);
                    s.minted.insert(token.clone(), Instant::now());
                    respond(
                        c,
                        "200 OK",
                        &serde_json::json!({ "token": token }).to_string(),
                    );
                }
            }
        }
        ("DELETE", TOKENS) => {
            let mut s = st.lock().unwrap();
            let Some(token) = auth.strip_prefix("Bearer ") else {
                s.breaches
                    .push(format!("revocation authorized with {auth:?}"));
                return error(c, "401 Unauthorized", "Invalid authorization header");
            };
            s.revoked.insert(token.to_string());
            let _ = c.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
        ("PUT", "/api/v1/crates/new") => {
            let name = upload_name(&req.body);
            {
                let mut s = st.lock().unwrap();
                s.uploads.push((name.clone(), auth.clone()));
                if auth != KELLNR_TOKEN {
                    let Some(minted) = s.minted.get(&auth).copied() else {
                        s.breaches
                            .push(format!("upload of {name} with an unknown token"));
                        return error(c, "403 Forbidden", "authentication failed");
                    };
                    if minted.elapsed() >= lifetime || s.revoked.contains(&auth) {
                        s.breaches
                            .push(format!("upload of {name} with an expired token"));
                        return error(c, "403 Forbidden", "The given API token has expired");
                    }
                    let index = super::kellnr::get(&format!(
                        "http://127.0.0.1:{upstream}/api/v1/crates/{}",
                        cargo_train::adapters::registry::index_path(&name).unwrap()
                    ));
                    if index.is_err() {
                        s.refusals.push(format!("{name} is new"));
                        return error(
                            c,
                            "403 Forbidden",
                            "Trusted Publishing tokens do not support creating new crates. Publish the crate manually, first",
                        );
                    }
                }
            }
            std::thread::sleep(upload_time);
            let resp = forward(upstream, port, req);
            let _ = c.write_all(&resp);
        }
        _ => {
            let resp = forward(upstream, port, req);
            let _ = c.write_all(&resp);
        }
    }
}
