//! `cargo train config`: the effective configuration.

use crate::train::Context;
use serde::Serialize;
use std::fmt;

/// The configuration in effect: where it came from, and all of it as TOML
/// (defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveConfig {
    /// A file, `Cargo.toml [workspace.metadata.train]`, or `defaults`.
    pub source: String,
    pub toml: String,
}

impl fmt::Display for EffectiveConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "# effective configuration (from {})\n{}",
            self.source, self.toml
        )
    }
}

pub fn run(ctx: &Context) -> EffectiveConfig {
    EffectiveConfig {
        source: ctx.config_source.clone(),
        toml: ctx.config.to_toml(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_as_text_and_json() {
        let c = EffectiveConfig {
            source: "train.toml".into(),
            toml: "cut-day = 5\n".into(),
        };
        assert_eq!(
            c.to_string(),
            "# effective configuration (from train.toml)\ncut-day = 5\n"
        );
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"source": "train.toml", "toml": "cut-day = 5\n"})
        );
    }
}
