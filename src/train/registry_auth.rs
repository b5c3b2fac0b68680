//! How `publish` and `yank-rcs` are authorized at a registry: a token from
//! cargo's configuration, or, in GitHub Actions with `id-token: write` and no
//! token configured, trusted publishing (short-lived tokens minted from the
//! job's identity, renewed before they expire, revoked at the end).

use crate::adapters::cargo_config::{self, Token};
use crate::adapters::registry::{Failure, Registry};
use crate::adapters::trusted_publishing::{ActionsOidc, TrustedPublisher};
use crate::exec::Executor;
use crate::retry::retry;
use crate::train::Context;
use anyhow::{Result, bail};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The variable that holds a registry's token, as cargo names it.
pub fn token_var(name: &str) -> String {
    if name == cargo_config::CRATES_IO {
        "CARGO_REGISTRY_TOKEN".to_string()
    } else {
        format!(
            "CARGO_REGISTRIES_{}_TOKEN",
            name.to_uppercase().replace('-', "_")
        )
    }
}

/// Opens a registry for operations that need a regular token (yanking;
/// trusted publishing tokens only publish).
pub fn open_with_token(ctx: &Context, name: &str, exec: &Executor, what: &str) -> Result<Registry> {
    let reg = Registry::open(cargo_config::registry(&ctx.root, name)?, &ctx.root)?;
    if !exec.is_dry_run() && !reg.has_token() {
        let var = token_var(name);
        if ActionsOidc::from_env().is_some() {
            bail!(
                "{what} needs a regular API token for registry `{name}` (trusted publishing tokens \
                 can only publish): set {var} to a token with that scope"
            );
        }
        bail!("no token for registry `{name}`: set {var} or run `cargo login`");
    }
    Ok(reg)
}

/// Short-lived tokens of one run, the newest in use.
pub struct Trusted {
    publisher: TrustedPublisher,
    renew_after: Duration,
    /// When the token in use was minted, and every token minted so far.
    minted: Mutex<(Instant, Vec<Token>)>,
}

impl Trusted {
    /// Mints a new token when the one in use is due for renewal.
    pub fn renew_if_due(&self, reg: &Registry, exec: &Executor) -> Result<(), Failure> {
        let mut m = self.minted.lock().expect("token lock");
        if m.0.elapsed() < self.renew_after {
            return Ok(());
        }
        let token = exec.mint_token(&self.publisher, reg)?;
        reg.set_token(token.clone());
        m.0 = Instant::now();
        m.1.push(token);
        crate::output::say(
            "Renewed",
            &format!(
                "a new trusted publishing token for `{}` (renewed every {}s)",
                reg.name,
                self.renew_after.as_secs()
            ),
        );
        Ok(())
    }

    /// Revokes every token minted in this run; a failure is only said, the
    /// tokens expire by themselves.
    pub fn revoke_all(&self, reg: &Registry, exec: &Executor) {
        let m = self.minted.lock().expect("token lock");
        for t in &m.1 {
            if let Err(e) = exec.revoke_token(reg, t) {
                crate::output::say("Warning", &format!("{e} (the token expires by itself)"));
            }
        }
    }
}

/// Opens a registry to publish to. Without a configured token, in a job
/// that may ask for OIDC tokens, it uses trusted publishing.
pub fn open_to_publish(
    ctx: &Context,
    name: &str,
    exec: &Executor,
) -> Result<(Registry, Option<Trusted>)> {
    let reg = Registry::open(cargo_config::registry(&ctx.root, name)?, &ctx.root)?;
    if exec.is_dry_run() || reg.has_token() {
        return Ok((reg, None));
    }
    let Some(oidc) = ActionsOidc::from_env() else {
        bail!(
            "no token for registry `{name}`: set {} or run `cargo login` (in GitHub Actions, \
             `permissions: id-token: write` lets cargo-train use trusted publishing instead)",
            token_var(name)
        );
    };
    let publisher = TrustedPublisher::new(oidc, &reg);
    let deadline = Instant::now() + Duration::from_secs(120);
    let token = retry(deadline, || exec.mint_token(&publisher, &reg), |_, _| {}).map_err(|e| {
        anyhow::anyhow!(
            "no token for registry `{name}`, and trusted publishing failed: {e}. Configure \
             trusted publishing for this repository and workflow on the registry, or set {}",
            token_var(name)
        )
    })?;
    reg.set_token(token.clone());
    crate::output::say(
        "Using",
        &format!("trusted publishing: a short-lived token for `{name}` from this job's identity"),
    );
    let renew_after = Duration::from_secs(ctx.config.publish.trusted_token_renew_secs);
    let trusted = Trusted {
        publisher,
        renew_after,
        minted: Mutex::new((Instant::now(), vec![token])),
    };
    Ok((reg, Some(trusted)))
}
