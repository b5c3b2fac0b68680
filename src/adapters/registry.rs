//! A registry over HTTP: the sparse index (which versions exist) and the web
//! API (publish, yank). Failures are classified so the caller can retry what
//! is transient and honour `Retry-After`. The token goes into the
//! `Authorization` header and nowhere else.

use crate::adapters::cargo_config::{RegistryConfig, Token};
use crate::adapters::http::Net;
use semver::Version;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Worth another try: rate limited (with the wait asked for), server
    /// error, connection trouble.
    #[error("{message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Retrying will not help (bad request, forbidden, …).
    #[error("{0}")]
    Permanent(String),
}

pub struct Registry {
    pub name: String,
    index: String,
    api: String,
    token: Option<Token>,
    net: Net,
    /// One client per base URL: the index and the API may sit behind
    /// different proxies (or none).
    index_agent: ureq::Agent,
    api_agent: ureq::Agent,
}

/// One version in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexVersion {
    pub version: Version,
    pub yanked: bool,
}

/// Where a crate's file is in a sparse index.
pub fn index_path(name: &str) -> String {
    let n = name.to_lowercase();
    match n.len() {
        1 => format!("1/{n}"),
        2 => format!("2/{n}"),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    }
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

/// Turns a response into its body, or a classified failure.
fn check(
    net: &Net,
    what: &str,
    resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<(u16, String), Failure> {
    let mut resp = resp.map_err(|e| {
        let message = format!("{what}: {}", net.describe(&e));
        if is_certificate_problem(&e) {
            // Retrying cannot make a certificate trusted.
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
    let body = net
        .read_body(resp.body_mut())
        .map_err(|e| transient(format!("{what}: {e}")))?;
    let detail = || {
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["errors"][0]["detail"].as_str().map(str::to_string))
            .unwrap_or_else(|| body.chars().take(300).collect())
    };
    match status {
        200..=299 | 404 => Ok((status, body)),
        429 => Err(Failure::Transient {
            message: format!("{what}: rate limited (429): {}", detail()),
            retry_after,
        }),
        500..=599 | 408 => Err(Failure::Transient {
            message: format!("{what}: server error {status}: {}", detail()),
            retry_after,
        }),
        _ => Err(Failure::Permanent(format!(
            "{what}: {status}: {}",
            detail()
        ))),
    }
}

impl Registry {
    /// Connects to a configured registry (reads the index's `config.json`).
    /// `workspace` is where cargo's `[http]` settings are read from.
    pub fn open(cfg: RegistryConfig, workspace: &std::path::Path) -> anyhow::Result<Registry> {
        let net = Net::load(workspace)?;
        let index_agent = net.agent(&cfg.index)?;
        let url = format!("{}config.json", cfg.index);
        let (status, body) = check(&net, "index config", index_agent.get(&url).call())
            .map_err(|e| anyhow::anyhow!("registry `{}`: {e}", cfg.name))?;
        if status == 404 {
            anyhow::bail!("registry `{}`: no config.json at {url}", cfg.name);
        }
        let v: serde_json::Value = serde_json::from_str(&body)?;
        let api = v["api"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("registry `{}`: config.json names no `api`", cfg.name))?
            .trim_end_matches('/')
            .to_string();
        let api_agent = net.agent(&api)?;
        Ok(Registry {
            name: cfg.name,
            index: cfg.index,
            api,
            token: cfg.token,
            net,
            index_agent,
            api_agent,
        })
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Every version of `name` in the index (none if it is not there).
    pub fn versions(&self, name: &str) -> Result<Vec<IndexVersion>, Failure> {
        let url = format!("{}{}", self.index, index_path(name));
        let mut req = self
            .index_agent
            .get(&url)
            .header("Cache-Control", "no-cache");
        if let Some(t) = &self.token {
            req = req.header("Authorization", t.expose());
        }
        let (status, body) = check(&self.net, &format!("index of {name}"), req.call())?;
        if status == 404 {
            return Ok(Vec::new());
        }
        Ok(body
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| {
                Some(IndexVersion {
                    version: Version::parse(v["vers"].as_str()?).ok()?,
                    yanked: v["yanked"].as_bool().unwrap_or(false),
                })
            })
            .collect())
    }

    fn token(&self) -> Result<&str, Failure> {
        self.token
            .as_ref()
            .map(Token::expose)
            .ok_or_else(|| Failure::Permanent(format!("no token for registry `{}`", self.name)))
    }

    /// Uploads a packaged crate with its metadata (cargo's publish format).
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
        match check(&self.net, &format!("publish {name}"), req.send(&body[..]))? {
            (404, _) => Err(Failure::Permanent(format!(
                "publish {name}: 404: no publish endpoint at {}",
                self.api
            ))),
            _ => Ok(()),
        }
    }

    pub fn yank(&self, name: &str, version: &Version) -> Result<(), Failure> {
        let req = self
            .api_agent
            .delete(format!("{}/api/v1/crates/{name}/{version}/yank", self.api))
            .header("Authorization", self.token()?);
        match check(&self.net, &format!("yank {name} {version}"), req.call())? {
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
    fn index_paths() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("abc"), "3/a/abc");
        assert_eq!(index_path("Cargo-Train"), "ca/rg/cargo-train");
    }
}
