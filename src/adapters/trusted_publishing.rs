//! Trusted publishing: in GitHub Actions with `id-token: write`, a registry
//! token is had from the job's OIDC identity instead of a stored secret.
//!
//! The job's OIDC token comes from `ACTIONS_ID_TOKEN_REQUEST_URL` (with
//! `&audience=` the registry's host, bearer `ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
//! answer `{"value": JWT}`); the registry exchanges it for a token
//! (`POST /api/v1/trusted_publishing/tokens` with `{"jwt": JWT}`, answer
//! `{"token": …}`) and revokes one (`DELETE` on the same path, bearer). On
//! crates.io such a token lives 30 minutes and a JWT is exchanged once, so a
//! new one is asked for each time. Every secret stays a [`Token`].

use crate::adapters::cargo_config::Token;
use crate::adapters::registry::{Failure, check};
use std::time::Duration;

const EXCHANGE: &str = "/api/v1/trusted_publishing/tokens";

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

/// Mints and revokes registry tokens for one registry.
pub struct TrustedPublisher {
    oidc: ActionsOidc,
    /// The registry's web API, without a trailing `/`.
    api: String,
    audience: String,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .user_agent(concat!("cargo-train/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// The host of a URL (`https://crates.io` -> `crates.io`).
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority.rsplit('@').next().unwrap_or(authority)
}

impl TrustedPublisher {
    /// For the registry whose web API is at `api`; the audience of the OIDC
    /// token is the API's host (`crates.io`), as the registry expects.
    pub fn new(oidc: ActionsOidc, api: &str) -> TrustedPublisher {
        let api = api.trim_end_matches('/').to_string();
        let audience = host(&api).split(':').next().unwrap_or("").to_string();
        TrustedPublisher {
            oidc,
            api,
            audience,
            agent: agent(),
        }
    }

    /// A new OIDC token of the job (each can be exchanged only once).
    fn job_token(&self) -> Result<Token, Failure> {
        let sep = if self.oidc.request_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!("{}{sep}audience={}", self.oidc.request_url, self.audience);
        let req = self.agent.get(&url).header(
            "Authorization",
            format!("bearer {}", self.oidc.request_token.expose()),
        );
        let (_, body) = check("the job's OIDC token", req.call())?;
        let v: serde_json::Value = serde_json::from_str(&body).map_err(|_| {
            Failure::Permanent("the job's OIDC token: the answer is not JSON".into())
        })?;
        v["value"]
            .as_str()
            .map(|s| Token::new(s.to_string()))
            .ok_or_else(|| {
                Failure::Permanent("the job's OIDC token: no `value` in the answer".into())
            })
    }

    /// A fresh registry token, from a fresh OIDC token.
    pub fn mint(&self) -> Result<Token, Failure> {
        let jwt = self.job_token()?;
        let body = serde_json::json!({ "jwt": jwt.expose() }).to_string();
        let req = self
            .agent
            .post(format!("{}{EXCHANGE}", self.api))
            .header("Content-Type", "application/json");
        let (status, body) = check("trusted publishing token exchange", req.send(body.as_str()))?;
        if status == 404 {
            return Err(Failure::Permanent(format!(
                "trusted publishing token exchange: 404: the registry at {} does not offer trusted publishing",
                self.api
            )));
        }
        let v: serde_json::Value = serde_json::from_str(&body).map_err(|_| {
            Failure::Permanent("trusted publishing token exchange: the answer is not JSON".into())
        })?;
        v["token"]
            .as_str()
            .map(|s| Token::new(s.to_string()))
            .ok_or_else(|| {
                Failure::Permanent(
                    "trusted publishing token exchange: no `token` in the answer".into(),
                )
            })
    }

    /// Revokes a token minted here (it would expire anyway; this ends it now).
    pub fn revoke(&self, token: &Token) -> Result<(), Failure> {
        let req = self
            .agent
            .delete(format!("{}{EXCHANGE}", self.api))
            .header("Authorization", format!("Bearer {}", token.expose()));
        check("trusted publishing token revocation", req.call()).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_the_api_host() {
        assert_eq!(host("https://crates.io"), "crates.io");
        assert_eq!(host("http://127.0.0.1:8000/x"), "127.0.0.1:8000");
        assert_eq!(host("https://u:p@reg.example/api"), "reg.example");
    }
}
