//! `cargo train order`: the publish order, from the dependency graph.

use crate::core::graph;
use crate::train::Context;
use anyhow::Result;

pub struct Entry<'a> {
    pub name: &'a str,
    pub version: String,
    pub manifest: String,
}

pub fn run(ctx: &Context) -> Result<Vec<Entry<'_>>> {
    let order = graph::publish_order(&ctx.ws)?;
    Ok(order
        .into_iter()
        .map(|i| {
            let c = &ctx.ws.crates[i];
            Entry {
                name: &c.name,
                version: c.version.to_string(),
                manifest: ctx.ws.manifests[c.manifest].path.display().to_string(),
            }
        })
        .collect())
}
