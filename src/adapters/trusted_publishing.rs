//! Trusted publishing: in a CI job with an identity, a registry token is had
//! from the job's OIDC token (a JWT) instead of a stored secret.
//!
//! - GitHub Actions with `id-token: write`: a JWT comes from
//!   `ACTIONS_ID_TOKEN_REQUEST_URL` (with `&audience=` the registry's host,
//!   bearer `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answer `{"value": JWT}`), a new
//!   one each time it is asked.
//! - GitLab CI with `id_tokens:`: each ID token the job declares is a
//!   variable holding one JWT, its `aud` the registry's host
//!   (`id_tokens: {CARGO_TRAIN_ID_TOKEN: {aud: crates.io}}`). cargo-train
//!   reads `CARGO_TRAIN_ID_TOKEN`, then `CARGO_TRAIN_ID_TOKEN_2`, `_3`, …
//!   for renewals, and `CRATES_IO_ID_TOKEN`, the name crates.io's
//!   documentation gives it. crates.io takes the ID tokens of gitlab.com's
//!   jobs (not yet a self-managed instance's).
//!
//! The registry exchanges a JWT for a token and revokes one
//! ([`Registry::exchange_oidc_token`], [`Registry::revoke_short_lived_token`]).
//! On crates.io such a token lives 30 minutes and a JWT is exchanged once:
//! GitHub's job asks for a new JWT each time, GitLab's job has as many as it
//! declares. Every secret stays a [`Token`].

use crate::adapters::cargo_config::Token;
use crate::adapters::registry::{Failure, Registry, check};
use std::sync::Mutex;

/// What GitHub Actions provides to a job that may ask for OIDC tokens.
pub struct ActionsOidc {
    request_url: String,
    request_token: Token,
}

impl ActionsOidc {
    /// The job's OIDC endpoint, when the workflow grants `id-token: write`.
    pub fn from_env() -> Option<ActionsOidc> {
        let url = std::env::var("ACTIONS_ID_TOKEN_REQUEST_URL").ok()?;
        let token = std::env::var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").ok()?;
        (!url.is_empty() && !token.is_empty()).then(|| ActionsOidc {
            request_url: url,
            request_token: Token::new(token),
        })
    }
}

/// The variables a GitLab CI job's ID tokens are read from, in the order
/// they are used (the numbered ones renew the first).
const ID_TOKEN: &str = "CARGO_TRAIN_ID_TOKEN";
const CRATES_IO_ID_TOKEN: &str = "CRATES_IO_ID_TOKEN";

/// One ID token of a GitLab CI job: the variable it is in, the JWT, and
/// whether it was exchanged.
struct IdToken {
    var: String,
    jwt: Token,
    used: bool,
}

/// The ID tokens a GitLab CI job was given (`id_tokens:`), each exchanged
/// once.
pub struct IdTokens(Mutex<Vec<IdToken>>);

impl IdTokens {
    /// The job's ID tokens, if it has any.
    pub fn from_env() -> Option<IdTokens> {
        let numbered = (2..).map(|n| format!("{ID_TOKEN}_{n}"));
        let var = |v: &str| std::env::var(v).ok().filter(|t| !t.is_empty());
        let mut tokens: Vec<IdToken> = std::iter::once(ID_TOKEN.to_string())
            .chain(numbered)
            .map_while(|v| var(&v).map(|jwt| (v, jwt)))
            .chain(var(CRATES_IO_ID_TOKEN).map(|jwt| (CRATES_IO_ID_TOKEN.to_string(), jwt)))
            .map(|(var, jwt)| IdToken {
                var,
                jwt: Token::new(jwt),
                used: false,
            })
            .collect();
        // The same JWT under two names is one token.
        let mut seen = std::collections::HashSet::new();
        tokens.retain(|t| seen.insert(t.jwt.expose().to_string()));
        (!tokens.is_empty()).then(|| IdTokens(Mutex::new(tokens)))
    }

    /// An unused ID token for `audience`, now used. One for another
    /// audience is never sent: the error names what to set instead.
    fn take(&self, audience: &str) -> Result<Token, Failure> {
        let mut tokens = self.0.lock().expect("ID token lock");
        let fits = |t: &IdToken| {
            audiences(t.jwt.expose()).is_none_or(|a| a.contains(&audience.to_string()))
        };
        if let Some(t) = tokens.iter_mut().find(|t| !t.used && fits(t)) {
            t.used = true;
            return Ok(t.jwt.clone());
        }
        if let Some(t) = tokens.iter().find(|t| !t.used) {
            let aud = audiences(t.jwt.expose()).unwrap_or_default().join(", ");
            return Err(Failure::Permanent(format!(
                "the job's ID token {} is for `{aud}`, not for this registry: declare it with \
                 `aud: {audience}` in the job's `id_tokens:`",
                t.var
            )));
        }
        Err(Failure::Permanent(format!(
            "every ID token of the job was exchanged once already (GitLab gives a job one JWT per \
             `id_tokens:` entry): declare {ID_TOKEN}_2, {ID_TOKEN}_3, … with `aud: {audience}` for \
             a run that outlives its tokens"
        )))
    }

    /// Whether an unused ID token for `audience` is left.
    fn left(&self, audience: &str) -> bool {
        let tokens = self.0.lock().expect("ID token lock");
        tokens.iter().any(|t| {
            !t.used && audiences(t.jwt.expose()).is_none_or(|a| a.contains(&audience.to_string()))
        })
    }
}

/// A JWT's `aud` (a string or a list), read without checking its signature
/// (the registry checks that); `None` if it cannot be read.
fn audiences(jwt: &str) -> Option<Vec<String>> {
    let payload = jwt.split('.').nth(1)?;
    let claims: serde_json::Value = serde_json::from_slice(&base64url(payload)?).ok()?;
    match &claims["aud"] {
        serde_json::Value::String(a) => Some(vec![a.clone()]),
        serde_json::Value::Array(a) => Some(
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    }
}

/// The bytes of unpadded (or padded) base64url text; `None` if it is not.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
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
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Where a CI job's OIDC tokens come from.
pub enum JobIdentity {
    Actions(ActionsOidc),
    Gitlab(IdTokens),
}

impl JobIdentity {
    /// The identity of the job this runs in, if it has one.
    pub fn from_env() -> Option<JobIdentity> {
        ActionsOidc::from_env()
            .map(JobIdentity::Actions)
            .or_else(|| IdTokens::from_env().map(JobIdentity::Gitlab))
    }
}

/// How a job gets an identity for trusted publishing to the registry at
/// `api`, for the message that says it has none: GitLab CI's way in a
/// GitLab job (`GITLAB_CI`), else GitHub Actions'.
pub fn how_to_get_an_identity(api: &str) -> String {
    if std::env::var("GITLAB_CI").is_ok_and(|v| v == "true") {
        format!(
            "in GitLab CI, an ID token in the job, `id_tokens: {{{ID_TOKEN}: {{aud: {}}}}}`",
            host(api)
        )
    } else {
        "in GitHub Actions, `permissions: id-token: write`".to_string()
    }
}

/// Mints and revokes short-lived tokens for one registry.
pub struct TrustedPublisher {
    identity: JobIdentity,
    /// The registry's host (`crates.io`): the audience it expects.
    audience: String,
}

/// The host of a URL, without port or user (`https://crates.io` -> `crates.io`).
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    host.split(':').next().unwrap_or(host)
}

impl TrustedPublisher {
    pub fn new(identity: JobIdentity, reg: &Registry) -> TrustedPublisher {
        TrustedPublisher {
            identity,
            audience: host(reg.api()).to_string(),
        }
    }

    /// Whether a new registry token can be minted (GitLab's job may have
    /// exchanged every ID token it has).
    pub fn can_mint(&self) -> bool {
        match &self.identity {
            JobIdentity::Actions(_) => true,
            JobIdentity::Gitlab(ids) => ids.left(&self.audience),
        }
    }

    /// A new OIDC token of the job (each can be exchanged only once).
    fn job_token(&self, reg: &Registry) -> Result<Token, Failure> {
        match &self.identity {
            JobIdentity::Actions(oidc) => self.actions_token(oidc, reg),
            JobIdentity::Gitlab(ids) => ids.take(&self.audience),
        }
    }

    /// A new OIDC token from GitHub Actions, reached with the registry's
    /// network settings.
    fn actions_token(&self, oidc: &ActionsOidc, reg: &Registry) -> Result<Token, Failure> {
        const WHAT: &str = "the job's OIDC token";
        let sep = if oidc.request_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!("{}{sep}audience={}", oidc.request_url, self.audience);
        let agent = reg
            .net()
            .api_agent(&url)
            .map_err(|e| Failure::Permanent(format!("{WHAT}: {e}")))?;
        let req = agent.get(&url).header(
            "Authorization",
            format!("bearer {}", oidc.request_token.expose()),
        );
        let (status, body) = check(reg.net(), &oidc.request_url, WHAT, req.call())?;
        if status == 404 {
            return Err(Failure::Permanent(format!(
                "{WHAT}: 404 from ACTIONS_ID_TOKEN_REQUEST_URL"
            )));
        }
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["value"].as_str().map(|t| Token::new(t.to_string())))
            .ok_or_else(|| Failure::Permanent(format!("{WHAT}: no `value` in the answer")))
    }

    /// A fresh registry token, from a fresh OIDC token.
    pub fn mint(&self, reg: &Registry) -> Result<Token, Failure> {
        reg.exchange_oidc_token(&self.job_token(reg)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_the_api_host() {
        assert_eq!(host("https://crates.io"), "crates.io");
        assert_eq!(host("http://127.0.0.1:8000/x"), "127.0.0.1");
        assert_eq!(host("https://u:p@reg.example/api"), "reg.example");
    }

    /// A JWT of `claims`, its signature not one (only the registry checks it).
    fn jwt(claims: &str) -> String {
        const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let enc = |b: &[u8]| {
            let mut s = String::new();
            for chunk in b.chunks(3) {
                let n = chunk.iter().fold(0u32, |n, &x| (n << 8) | u32::from(x))
                    << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    s.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            s
        };
        format!(
            "{}.{}.sig",
            enc(br#"{"alg":"RS256"}"#),
            enc(claims.as_bytes())
        )
    }

    #[test]
    fn a_jwts_audience_is_read_from_its_claims() {
        assert_eq!(base64url("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64url("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64url("a+b"), None);
        let one = jwt(r#"{"aud":"crates.io","iss":"https://gitlab.com"}"#);
        assert_eq!(audiences(&one), Some(vec!["crates.io".to_string()]));
        let two = jwt(r#"{"aud":["a","crates.io"]}"#);
        assert_eq!(audiences(&two).unwrap(), ["a", "crates.io"]);
        assert_eq!(audiences("not-a-jwt"), None);
    }

    #[test]
    fn each_id_token_is_used_once_and_only_for_its_audience() {
        let token = |var: &str, jwt: String| IdToken {
            var: var.into(),
            jwt: Token::new(jwt),
            used: false,
        };
        let ids = IdTokens(Mutex::new(vec![
            token("CARGO_TRAIN_ID_TOKEN", jwt(r#"{"aud":"other.example"}"#)),
            token("CARGO_TRAIN_ID_TOKEN_2", jwt(r#"{"aud":"crates.io"}"#)),
        ]));
        assert!(ids.left("crates.io"));
        assert!(ids.take("crates.io").unwrap().expose().ends_with(".sig"));
        assert!(!ids.left("crates.io"));
        let e = ids.take("crates.io").unwrap_err().to_string();
        assert!(
            e.contains("CARGO_TRAIN_ID_TOKEN is for `other.example`")
                && e.contains("`aud: crates.io`"),
            "{e}"
        );
        assert!(ids.take("other.example").is_ok());
        let e = ids.take("other.example").unwrap_err().to_string();
        assert!(e.contains("exchanged once already"), "{e}");
    }
}
