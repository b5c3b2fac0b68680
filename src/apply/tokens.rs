//! Registry tokens of one run by trusted publishing: minted from the job's
//! identity, renewed before they expire while uploads go on, every one
//! revoked at the end.

use super::Executor;
use crate::adapters::cargo_config::{self, Token};
use crate::adapters::registry::{Failure, Registry};
use crate::adapters::trusted_publishing::{JobIdentity, TrustedPublisher, how_to_get_an_identity};
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
    minted: Mutex<Minted>,
}

/// The tokens of a run.
struct Minted {
    /// When the token in use was minted.
    at: Instant,
    /// Every token minted so far.
    tokens: Vec<Token>,
    /// The job can mint no more (GitLab's has no unused ID token left): the
    /// token in use is kept, said once.
    spent: bool,
}

impl Tokens {
    /// Mints a new token when the one in use is due for renewal.
    pub fn renew_if_due(&self, reg: &Registry) -> Result<(), Failure> {
        let Some(t) = self.0.get() else {
            return Ok(());
        };
        let mut m = t.minted.lock().expect("token lock");
        if m.spent || m.at.elapsed() < t.renew_after {
            return Ok(());
        }
        if !t.publisher.can_mint() {
            m.spent = true;
            crate::output::say(
                "Warning",
                &format!(
                    "cannot renew the trusted publishing token for `{}`: every ID token of this \
                     job was exchanged (declare CARGO_TRAIN_ID_TOKEN_2, … in its `id_tokens:` for \
                     more); the one in use is kept until it expires",
                    reg.name
                ),
            );
            return Ok(());
        }
        let token = t.publisher.mint(reg)?;
        reg.set_token(token.clone());
        m.at = Instant::now();
        m.tokens.push(token);
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
        let Some(identity) = JobIdentity::from_env() else {
            bail!(
                "no token for registry `{name}`, and this job cannot use trusted publishing \
                 ({} gives it an identity): set {}",
                how_to_get_an_identity(reg.api()),
                cargo_config::token_var(name)
            );
        };
        let publisher = TrustedPublisher::new(identity, reg);
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
            minted: Mutex::new(Minted {
                at: Instant::now(),
                tokens: vec![token],
                spent: false,
            }),
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
        for token in &m.tokens {
            if let Err(e) = reg.revoke_short_lived_token(token) {
                crate::output::say("Warning", &format!("{e} (the token expires by itself)"));
            }
        }
        Ok(())
    }
}
