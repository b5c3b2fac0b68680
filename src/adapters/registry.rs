//! A registry: its index (which versions exist), sparse over HTTP or a git
//! repository, and its web API (publish, yank) over HTTP either way.
//! Failures are classified so the caller can retry what is transient and
//! honour `Retry-After`. The token goes into the `Authorization` header
//! of the API calls that need it, and to the index only when its
//! `config.json` says `"auth-required": true` (RFC 3139), as cargo does.

use crate::adapters::cargo_config::{RegistryConfig, Token};
// Re-exported: callers name it `registry::Failure`.
pub use crate::adapters::failure::Failure;
use crate::adapters::git_index::GitIndex;
use crate::adapters::http::Net;
use semver::Version;
use std::time::Duration;

enum Index {
    /// `auth`: the index's `config.json` says `"auth-required": true`, so
    /// its reads carry the token (RFC 3139); otherwise they never do.
    Sparse {
        url: String,
        agent: ureq::Agent,
        auth: bool,
    },
    Git(GitIndex),
}

pub struct Registry {
    pub name: String,
    index: Index,
    api: String,
    /// Replaced during a run when short-lived tokens are renewed.
    token: std::sync::RwLock<Option<Token>>,
    net: Net,
    /// Its own client: the index and the API may sit behind different
    /// proxies (or none).
    api_agent: ureq::Agent,
}

/// One version in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexVersion {
    pub version: Version,
    pub yanked: bool,
}

/// Where a crate's file is in an index (sparse or git: the same layout).
pub fn index_path(name: &str) -> Result<String, Failure> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Failure::Permanent(format!("`{name}` is not a crate name")));
    }
    let n = name.to_lowercase();
    Ok(match n.len() {
        1 => format!("1/{n}"),
        2 => format!("2/{n}"),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    })
}

/// The versions listed in a crate's index file (cargo's JSON lines).
fn parse_versions(name: &str, file: &[u8]) -> Result<Vec<IndexVersion>, Failure> {
    if file.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let krate = crates_index::Crate::from_slice(file)
        .map_err(|e| Failure::Permanent(format!("index of {name}: unreadable entry: {e}")))?;
    Ok(krate
        .versions()
        .iter()
        // A line of another crate (a broken or hostile index) is not one of
        // this crate's versions.
        .filter(|v| v.name().eq_ignore_ascii_case(name))
        .filter_map(|v| {
            Some(IndexVersion {
                version: Version::parse(v.version()).ok()?,
                yanked: v.is_yanked(),
            })
        })
        .collect())
}

fn is_certificate_problem(e: &ureq::Error) -> bool {
    let t = e.to_string();
    t.contains("invalid peer certificate") || t.contains("UnknownIssuer")
}

fn transient(message: String) -> Failure {
    Failure::Transient {
        message,
        retry_after: None,
    }
}

/// crates.io's trusted publishing endpoint (exchange and revoke).
const TRUSTED_TOKENS: &str = "/api/v1/trusted_publishing/tokens";

/// An answer of the registry, read to its end.
struct Answer {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
    /// A redirect's `Location`.
    location: Option<String>,
}

impl Answer {
    /// What the registry said went wrong: cargo's `errors[0].detail`, else
    /// the start of the body.
    fn detail(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["errors"][0]["detail"].as_str().map(str::to_string))
            .unwrap_or_else(|| self.body.chars().take(300).collect())
    }

    /// The status and body, or a classified failure.
    fn judge(self, what: &str) -> Result<(u16, String), Failure> {
        let status = self.status;
        match status {
            200..=299 | 404 => Ok((status, self.body)),
            // The API's calls carry the token and follow no redirect.
            300..=399 => Err(Failure::Permanent(format!(
                "{what}: {status} redirect to {}: not followed, since the request carries the \
                 registry's token; if the registry's API moved there, its index's config.json \
                 should say so",
                self.location
                    .as_deref()
                    .map_or("nowhere".to_string(), crate::core::redact::url)
            ))),
            429 => Err(Failure::Transient {
                message: format!("{what}: rate limited (429): {}", self.detail()),
                retry_after: self.retry_after,
            }),
            500..=599 | 408 => Err(Failure::Transient {
                message: format!("{what}: server error {status}: {}", self.detail()),
                retry_after: self.retry_after,
            }),
            _ => Err(Failure::Permanent(format!(
                "{what}: {status}: {}",
                self.detail()
            ))),
        }
    }
}

/// Reads a response to its end; no answer at all is a classified failure.
fn read(
    net: &Net,
    url: &str,
    what: &str,
    resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer, Failure> {
    let mut resp = resp.map_err(|e| {
        let message = format!("{what}: {}", net.describe(&e, url));
        // Retrying cannot make a certificate trusted, nor end a loop of
        // redirects.
        if is_certificate_problem(&e)
            || matches!(
                e,
                ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed
            )
        {
            Failure::Permanent(message)
        } else {
            transient(message)
        }
    })?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = net
        .read_body(resp.body_mut())
        .map_err(|e| transient(format!("{what}: {e}")))?;
    Ok(Answer {
        status,
        body,
        retry_after,
        location,
    })
}

/// Turns a response into its body, or a classified failure.
pub(crate) fn check(
    net: &Net,
    url: &str,
    what: &str,
    resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<(u16, String), Failure> {
    read(net, url, what, resp)?.judge(what)
}

/// Whether a registry's refusal of a publish says the version is there
/// already, in the words crates.io ("crate version `a@1.0.0` is already
/// uploaded", newer: "crate a@1.0.0 already exists") and kellnr ("Crate
/// with version already exists: a-1.0.0") use.
fn says_exists(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("already exists") || d.contains("already uploaded")
}

/// What the registry's answer to `publish {name}` means.
fn published(name: &str, api: &str, answer: Answer) -> Result<(), Failure> {
    let what = format!("publish {name}");
    // Only a refusal can say so; a success's body is not read for it.
    let exists = answer.status >= 400 && says_exists(&answer.detail());
    match answer.judge(&what) {
        Err(Failure::Permanent(m)) if exists => Err(Failure::AlreadyPublished(m)),
        Err(e) => Err(e),
        Ok((404, _)) => Err(Failure::Permanent(format!(
            "{what}: 404: no publish endpoint at {api}"
        ))),
        // Cargo reads a 200 that carries `errors` as a refusal too.
        Ok((_, body)) => match refusal_in(&body) {
            Some(why) => Err(Failure::Permanent(format!(
                "{what}: the registry refused it: {why}"
            ))),
            None => Ok(()),
        },
    }
}

/// The first of the `errors` a registry's answer carries, if any.
fn refusal_in(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let first = v["errors"].as_array()?.first()?;
    Some(
        first["detail"]
            .as_str()
            .map_or_else(|| first.to_string(), str::to_string),
    )
}

impl Registry {
    /// Connects to a configured registry (reads the index's `config.json`).
    /// `workspace` is where cargo's `[http]` settings are read from.
    pub fn open(cfg: RegistryConfig, workspace: &std::path::Path) -> anyhow::Result<Registry> {
        let net = Net::load(workspace)?;
        let in_registry = |e: String| anyhow::anyhow!("registry `{}`: {e}", cfg.name);
        let (index, config) = if cfg.git {
            let git = GitIndex::open(&cfg.index, net.git_settings())
                .map_err(|e| in_registry(e.to_string()))?;
            let config = git
                .file("config.json")
                .map_err(|e| in_registry(e.to_string()))?
                .ok_or_else(|| {
                    in_registry(format!("the git index {} has no config.json", cfg.index))
                })?;
            (
                Index::Git(git),
                String::from_utf8_lossy(&config).to_string(),
            )
        } else {
            let agent = net.agent(&cfg.index)?;
            let url = format!("{}config.json", cfg.index);
            let what = format!("index config {}", crate::core::redact::url(&url));
            // As cargo does: asked without the token first; a registry
            // that needs it answers 401, and is asked again with it.
            let mut answer = read(&net, &url, &what, agent.get(&url).call())
                .map_err(|e| in_registry(e.to_string()))?;
            if answer.status == 401
                && let Some(t) = &cfg.token
            {
                // With the token, no redirect is followed (to another host
                // it would carry the token there).
                let req = net
                    .api_agent(&cfg.index)?
                    .get(&url)
                    .header("Authorization", t.expose());
                answer =
                    read(&net, &url, &what, req.call()).map_err(|e| in_registry(e.to_string()))?;
            }
            let (status, body) = answer
                .judge(&what)
                .map_err(|e| in_registry(e.to_string()))?;
            if status == 404 {
                return Err(in_registry(format!(
                    "no config.json at {}",
                    crate::core::redact::url(&url)
                )));
            }
            let auth = serde_json::from_str::<serde_json::Value>(&body)
                .is_ok_and(|v| v["auth-required"].as_bool() == Some(true));
            // An index that requires the token is read without redirects.
            let agent = if auth {
                net.api_agent(&cfg.index)?
            } else {
                agent
            };
            (
                Index::Sparse {
                    url: cfg.index.clone(),
                    agent,
                    auth,
                },
                body,
            )
        };
        let v: serde_json::Value = serde_json::from_str(&config)
            .map_err(|e| in_registry(format!("config.json of its index is not JSON: {e}")))?;
        let api = v["api"]
            .as_str()
            .ok_or_else(|| in_registry("config.json names no `api`".to_string()))?
            .trim_end_matches('/')
            .to_string();
        let api_agent = net.api_agent(&api)?;
        Ok(Registry {
            name: cfg.name,
            index,
            api,
            token: std::sync::RwLock::new(cfg.token),
            net,
            api_agent,
        })
    }

    pub fn has_token(&self) -> bool {
        self.current_token().is_some()
    }

    /// The registry's web API (`https://crates.io`).
    pub fn api(&self) -> &str {
        &self.api
    }

    /// How this registry is reached (CAs, proxy, timeouts), for requests
    /// that belong with it, such as a CI job's OIDC token.
    pub fn net(&self) -> &Net {
        &self.net
    }

    /// Uses `token` from now on (a renewed short-lived token).
    pub fn set_token(&self, token: Token) {
        *self.token.write().expect("token lock") = Some(token);
    }

    fn current_token(&self) -> Option<Token> {
        self.token.read().expect("token lock").clone()
    }

    /// Every version of `name` in the index (none if it is not there).
    pub fn versions(&self, name: &str) -> Result<Vec<IndexVersion>, Failure> {
        let path = index_path(name)?;
        let file = match &self.index {
            Index::Git(git) => git.file(&path)?,
            Index::Sparse { url, agent, auth } => {
                let url = format!("{url}{path}");
                let mut req = agent.get(&url).header("Cache-Control", "no-cache");
                if *auth && let Some(t) = self.current_token() {
                    req = req.header("Authorization", t.expose());
                }
                match check(&self.net, &url, &format!("index of {name}"), req.call())? {
                    (404, _) => None,
                    (_, body) => Some(body.into_bytes()),
                }
            }
        };
        file.map_or(Ok(Vec::new()), |f| parse_versions(name, &f))
    }

    fn token(&self) -> Result<String, Failure> {
        self.current_token()
            .map(|t| t.expose().to_string())
            .ok_or_else(|| Failure::Permanent(format!("no token for registry `{}`", self.name)))
    }

    /// Trusted publishing: exchanges a CI job's OIDC token (`jwt`) for a
    /// short-lived registry token (`POST /api/v1/trusted_publishing/tokens`,
    /// `{"jwt": …}` -> `{"token": …}`).
    pub fn exchange_oidc_token(&self, jwt: &Token) -> Result<Token, Failure> {
        const WHAT: &str = "trusted publishing token exchange";
        let body = serde_json::json!({ "jwt": jwt.expose() }).to_string();
        let req = self
            .api_agent
            .post(format!("{}{TRUSTED_TOKENS}", self.api))
            .header("Content-Type", "application/json");
        let (status, body) = check(&self.net, &self.api, WHAT, req.send(body.as_str()))?;
        if status == 404 {
            return Err(Failure::Permanent(format!(
                "{WHAT}: 404: the registry at {} does not offer trusted publishing",
                self.api
            )));
        }
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["token"].as_str().map(|t| Token::new(t.to_string())))
            .ok_or_else(|| Failure::Permanent(format!("{WHAT}: no `token` in the answer")))
    }

    /// Revokes a token had by [`Registry::exchange_oidc_token`] (`DELETE` on
    /// the same path, the token as bearer).
    pub fn revoke_short_lived_token(&self, token: &Token) -> Result<(), Failure> {
        let req = self
            .api_agent
            .delete(format!("{}{TRUSTED_TOKENS}", self.api))
            .header("Authorization", format!("Bearer {}", token.expose()));
        check(
            &self.net,
            &self.api,
            "trusted publishing token revocation",
            req.call(),
        )
        .map(|_| ())
    }

    /// Uploads a packaged crate with its metadata (cargo's publish format).
    /// A version the registry has already is [`Failure::AlreadyPublished`].
    pub fn publish(
        &self,
        name: &str,
        metadata: &serde_json::Value,
        krate: &[u8],
    ) -> Result<(), Failure> {
        let json = serde_json::to_vec(metadata).expect("metadata serializes");
        let mut body = Vec::with_capacity(8 + json.len() + krate.len());
        body.extend_from_slice(&(json.len() as u32).to_le_bytes());
        body.extend_from_slice(&json);
        body.extend_from_slice(&(krate.len() as u32).to_le_bytes());
        body.extend_from_slice(krate);
        let req = self
            .api_agent
            .put(format!("{}/api/v1/crates/new", self.api))
            .header("Authorization", self.token()?)
            .header("Content-Type", "application/octet-stream");
        let what = format!("publish {name}");
        let answer = read(&self.net, &self.api, &what, req.send(&body[..]))?;
        published(name, &self.api, answer)
    }

    pub fn yank(&self, name: &str, version: &Version) -> Result<(), Failure> {
        let req = self
            .api_agent
            .delete(format!("{}/api/v1/crates/{name}/{version}/yank", self.api))
            .header("Authorization", self.token()?);
        match check(
            &self.net,
            &self.api,
            &format!("yank {name} {version}"),
            req.call(),
        )? {
            (404, _) => Err(Failure::Permanent(format!(
                "yank {name} {version}: 404: not in the registry"
            ))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_file_counts_only_its_own_crates_lines() {
        let line = |n: &str, v: &str| {
            format!(
                r#"{{"name":"{n}","vers":"{v}","deps":[],"cksum":"{}","features":{{}},"yanked":false}}"#,
                "0".repeat(64)
            )
        };
        let file = format!(
            "{}\n{}\n",
            line("rail-core", "1.0.0"),
            line("other", "4.0.0")
        );
        let v = parse_versions("rail-core", file.as_bytes()).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].version, Version::new(1, 0, 0));
    }

    #[test]
    fn a_200_that_carries_errors_is_a_refusal() {
        assert_eq!(
            refusal_in(r#"{"errors":[{"detail":"crate name is reserved"}]}"#).as_deref(),
            Some("crate name is reserved")
        );
        assert_eq!(
            refusal_in(r#"{"warnings":{"invalid_categories":[]}}"#),
            None
        );
        assert_eq!(refusal_in(r#"{"errors":[]}"#), None);
    }

    #[test]
    fn index_paths() {
        assert_eq!(index_path("a").unwrap(), "1/a");
        assert_eq!(index_path("ab").unwrap(), "2/ab");
        assert_eq!(index_path("abc").unwrap(), "3/a/abc");
        assert_eq!(index_path("Cargo-Train").unwrap(), "ca/rg/cargo-train");
        assert!(index_path("../x").is_err());
    }

    #[test]
    fn index_files() {
        let file = concat!(
            r#"{"name":"a","vers":"1.0.0","deps":[],"cksum":"0000000000000000000000000000000000000000000000000000000000000000","features":{},"yanked":false}"#,
            "\n",
            r#"{"name":"a","vers":"1.1.0-rc.1","deps":[],"cksum":"0000000000000000000000000000000000000000000000000000000000000000","features":{},"yanked":true}"#,
            "\n"
        );
        let v = parse_versions("a", file.as_bytes()).unwrap();
        // What ktra writes: every optional field of a dependency as null.
        let ktra = r#"{"name":"b","vers":"1.0.0","deps":[{"name":"a","req":"=1.0.0","features":[],"optional":false,"default_features":true,"target":null,"kind":"normal","registry":null,"package":null}],"cksum":"ca793d2b7fbfbf4d1f518b092d86c07d5d636a4528643a1b9b90395755a5d9a9","features":{},"yanked":false,"links":null}"#;
        assert_eq!(parse_versions("b", ktra.as_bytes()).unwrap().len(), 1);
        assert_eq!(
            v,
            [
                IndexVersion {
                    version: Version::new(1, 0, 0),
                    yanked: false
                },
                IndexVersion {
                    version: Version::parse("1.1.0-rc.1").unwrap(),
                    yanked: true
                }
            ]
        );
        assert!(parse_versions("a", b"\n").unwrap().is_empty());
        assert!(parse_versions("a", b"{not json").is_err());
    }

    #[test]
    fn a_version_there_already_is_told_from_other_refusals() {
        let answer = |status, detail: &str| Answer {
            status,
            body: serde_json::json!({"errors": [{"detail": detail}]}).to_string(),
            retry_after: None,
            location: None,
        };
        let api = "https://reg.example";
        for said in [
            "crate version `a@1.0.0` is already uploaded",
            "crate a@1.0.0 already exists",
            "ERROR: Crate with version already exists: a-1.0.0",
        ] {
            assert_eq!(
                published("a", api, answer(400, said)),
                Err(Failure::AlreadyPublished(format!("publish a: 400: {said}")))
            );
        }
        // A crate named after the words is no version there already.
        assert_eq!(
            published("already-exists", api, answer(403, "not an owner")),
            Err(Failure::Permanent(
                "publish already-exists: 403: not an owner".into()
            ))
        );
        assert!(matches!(
            published("a", api, answer(503, "crate a@1.0.0 already exists")),
            Err(Failure::Transient { .. })
        ));
        let ok = Answer {
            status: 200,
            body: r#"{"warnings":{"invalid_categories":[],"invalid_badges":[],"other":[]}}"#.into(),
            retry_after: None,
            location: None,
        };
        assert_eq!(published("a", api, ok), Ok(()));
        // A 200 that carries errors is refused, as cargo reads it.
        assert_eq!(
            published("a", api, answer(200, "name reserved")),
            Err(Failure::Permanent(
                "publish a: the registry refused it: name reserved".into()
            ))
        );
        assert_eq!(
            published("a", api, answer(404, "")),
            Err(Failure::Permanent(
                "publish a: 404: no publish endpoint at https://reg.example".into()
            ))
        );
    }
}
