//! `cargo train order`: the publish order, from the dependency graph.

use crate::core::graph;
use crate::train::Context;
use anyhow::Result;
use serde::Serialize;
use std::fmt;

/// The publishable crates in publish order: a line each as text, a list
/// as JSON.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Order<'a> {
    pub crates: Vec<Entry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    // Declared in this order so the JSON keeps the (sorted) key order it
    // has always had.
    /// Its manifest, relative to the workspace root.
    pub manifest: String,
    pub name: &'a str,
    pub version: String,
}

impl fmt::Display for Order<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.crates {
            writeln!(f, "{} {}", e.name, e.version)?;
        }
        Ok(())
    }
}

pub fn run(ctx: &Context) -> Result<Order<'_>> {
    let order = graph::publish_order(&ctx.ws)?;
    let crates = order
        .into_iter()
        .map(|i| {
            let c = &ctx.ws.crates[i];
            Entry {
                name: &c.name,
                version: c.version.to_string(),
                manifest: ctx.ws.manifests[c.manifest].path.display().to_string(),
            }
        })
        .collect();
    Ok(Order { crates })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_a_line_per_crate_and_a_json_list() {
        let order = Order {
            crates: vec![
                Entry {
                    manifest: "crates/core/Cargo.toml".into(),
                    name: "rail-core",
                    version: "2.0.0-dev".into(),
                },
                Entry {
                    manifest: "Cargo.toml".into(),
                    name: "rail",
                    version: "2.0.0-dev".into(),
                },
            ],
        };
        assert_eq!(order.to_string(), "rail-core 2.0.0-dev\nrail 2.0.0-dev\n");
        // The keys in the order they have always come in.
        assert_eq!(
            serde_json::to_string(&order).unwrap(),
            concat!(
                r#"[{"manifest":"crates/core/Cargo.toml","name":"rail-core","version":"2.0.0-dev"},"#,
                r#"{"manifest":"Cargo.toml","name":"rail","version":"2.0.0-dev"}]"#
            )
        );
    }
}
