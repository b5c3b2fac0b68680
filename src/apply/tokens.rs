//! Registry tokens of one run by trusted publishing: minted from the job's
//! identity, renewed before they expire while uploads go on, every one
//! revoked at the end.

use super::Executor;
use crate::adapters::cargo_config::{self, Token};
use crate::adapters::registry::{Failure, Registry};
use crate::adapters::trusted_publishing::{ActionsOidc, TrustedPublisher};
use crate::retry::retry;
use anyhow::{Result, bail};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The tokens minted in a run, the newest in use; none without trusted
/// publishing.
#[derive(Default)]
pub struct Tokens(OnceLock<Trusted>);

struct Trusted {
    publisher: TrustedPublisher,
    renew_after: Duration,
    /// When the token in use was minted, and every token minted so far.
    minted: Mutex<(Instant, Vec<Token>)>,
}

impl Tokens {
    /// Mints a new token when the one in use is due for renewal.
    pub fn renew_if_due(&self, reg: &Registry) -> Result<(), Failure> {
        let Some(t) = self.0.get() else {
            return Ok(());
        };
        let mut m = t.minted.lock().expect("token lock");
        if m.0.elapsed() < t.renew_after {
            return Ok(());
        }
        let token = t.publisher.mint(reg)?;
        reg.set_token(token.clone());
        m.0 = Instant::now();
        m.1.push(token);
        crate::output::say(
            "Renewed",
            &format!(
                "a new trusted publishing token for `{}` (renewed every {}s)",
                reg.name,
                t.renew_after.as_secs()
            ),
        );
        Ok(())
    }
}

impl Executor<'_> {
    /// The first token of the run, from the job's identity.
    pub(super) fn mint_token(&self, name: &str, renew_after: Duration) -> Result<()> {
        let reg = self.registry(name)?;
        let Some(oidc) = ActionsOidc::from_env() else {
            bail!(
                "no token for registry `{name}`, and this job cannot use trusted publishing \
                 (`permissions: id-token: write` gives it an identity): set {}",
                cargo_config::token_var(name)
            );
        };
        let publisher = TrustedPublisher::new(oidc, reg);
        let deadline = Instant::now() + Duration::from_secs(120);
        let token = retry(deadline, || publisher.mint(reg), |_, _| {}).map_err(|e| {
            anyhow::anyhow!(
                "no token for registry `{name}`, and trusted publishing failed: {e}. Configure \
                 trusted publishing for this repository and workflow on the registry, or set {}",
                cargo_config::token_var(name)
            )
        })?;
        reg.set_token(token.clone());
        crate::output::say(
            "Using",
            &format!(
                "trusted publishing: a short-lived token for `{name}` from this job's identity"
            ),
        );
        let trusted = Trusted {
            publisher,
            renew_after,
            minted: Mutex::new((Instant::now(), vec![token])),
        };
        if self.tokens.0.set(trusted).is_err() {
            bail!("internal error: a second trusted publishing session for `{name}`");
        }
        Ok(())
    }

    /// Revokes every token minted in this run; a failure is only said, the
    /// tokens expire by themselves.
    pub(super) fn revoke_tokens(&self, name: &str) -> Result<()> {
        let reg = self.registry(name)?;
        let Some(t) = self.tokens.0.get() else {
            return Ok(());
        };
        let m = t.minted.lock().expect("token lock");
        for token in &m.1 {
            if let Err(e) = reg.revoke_short_lived_token(token) {
                crate::output::say("Warning", &format!("{e} (the token expires by itself)"));
            }
        }
        Ok(())
    }
}
