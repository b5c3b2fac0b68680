//! How `publish` and `yank-rcs` are authorized at a registry: a token from
//! cargo's configuration, or, in a CI job with an identity (GitHub Actions
//! with `id-token: write`, GitLab CI with an ID token) and no token
//! configured, trusted publishing (short-lived tokens minted from the
//! job's identity by the plan's `MintToken` effect, renewed before they
//! expire, revoked at the end).

use crate::adapters::cargo_config::{self, token_var};
use crate::adapters::registry::Registry;
use crate::adapters::trusted_publishing::{JobIdentity, how_to_get_an_identity};
use crate::plan::{Auth, Plan};
use crate::train::Context;
use anyhow::{Result, bail};

/// A plan and the registry it acts on.
pub struct Prepared {
    pub plan: Plan,
    pub registry: Registry,
}

/// Whether the command must be able to act on the registry: a real run
/// needs a token, a dry run none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Token,
    Nothing,
}

impl Need {
    /// A token, unless the run is dry.
    pub fn unless(dry_run: bool) -> Need {
        if dry_run { Need::Nothing } else { Need::Token }
    }
}

/// The registry `name` of cargo's configuration, with its configured token
/// (if any).
pub fn open(ctx: &Context, name: &str) -> Result<Registry> {
    Registry::open(cargo_config::registry(&ctx.root, name)?, &ctx.root)
}

/// Refuses a registry without a regular token when one is needed (yanking;
/// trusted publishing tokens only publish).
pub fn require_token(reg: &Registry, need: Need, what: &str) -> Result<()> {
    if need == Need::Nothing || reg.has_token() {
        return Ok(());
    }
    let name = &reg.name;
    let var = token_var(name);
    if JobIdentity::from_env().is_some() {
        bail!(
            "{what} needs a regular API token for registry `{name}` (trusted publishing tokens \
             can only publish): set {var} to a token with that scope"
        );
    }
    bail!("no token for registry `{name}`: set {var} or run `cargo login`");
}

/// How a publish authorizes: the configured token; without one, in a job
/// that may ask for OIDC tokens, trusted publishing.
pub fn to_publish(reg: &Registry, need: Need) -> Result<Auth> {
    if reg.has_token() {
        return Ok(Auth::Configured);
    }
    if need == Need::Nothing {
        return Ok(Auth::None);
    }
    if JobIdentity::from_env().is_none() {
        bail!(
            "no token for registry `{}`: set {} or run `cargo login` ({} lets cargo-train use \
             trusted publishing instead)",
            reg.name,
            token_var(&reg.name),
            how_to_get_an_identity(reg.api())
        );
    }
    Ok(Auth::Trusted)
}
