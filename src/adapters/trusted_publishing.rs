//! Trusted publishing: in GitHub Actions with `id-token: write`, a registry
//! token is had from the job's OIDC identity instead of a stored secret.
//!
//! The job's OIDC token comes from `ACTIONS_ID_TOKEN_REQUEST_URL` (with
//! `&audience=` the registry's host, bearer `ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
//! answer `{"value": JWT}`); the registry exchanges it for a token and
//! revokes one ([`Registry::exchange_oidc_token`],
//! [`Registry::revoke_short_lived_token`]). On crates.io such a token lives
//! 30 minutes and a JWT is exchanged once, so a new JWT is asked for each
//! time. Every secret stays a [`Token`].

use crate::adapters::cargo_config::Token;
use crate::adapters::registry::{Failure, Registry, check};

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

/// Mints and revokes short-lived tokens for one registry.
pub struct TrustedPublisher {
    oidc: ActionsOidc,
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
    pub fn new(oidc: ActionsOidc, reg: &Registry) -> TrustedPublisher {
        TrustedPublisher {
            oidc,
            audience: host(reg.api()).to_string(),
        }
    }

    /// A new OIDC token of the job (each can be exchanged only once),
    /// reached with the registry's network settings.
    fn job_token(&self, reg: &Registry) -> Result<Token, Failure> {
        const WHAT: &str = "the job's OIDC token";
        let sep = if self.oidc.request_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!("{}{sep}audience={}", self.oidc.request_url, self.audience);
        let agent = reg
            .net()
            .agent(&url)
            .map_err(|e| Failure::Permanent(format!("{WHAT}: {e}")))?;
        let req = agent.get(&url).header(
            "Authorization",
            format!("bearer {}", self.oidc.request_token.expose()),
        );
        let (status, body) = check(reg.net(), &self.oidc.request_url, WHAT, req.call())?;
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
}
