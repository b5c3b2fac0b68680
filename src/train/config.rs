//! `cargo train config`: the effective configuration.

use crate::train::Context;

pub fn run(ctx: &Context) -> String {
    format!(
        "# effective configuration (from {})\n{}",
        ctx.config_source,
        ctx.config.to_toml()
    )
}
