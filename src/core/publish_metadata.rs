//! The metadata a registry's publish endpoint takes beside the `.crate`
//! file, built from `cargo metadata`'s view of a package.

use cargo_metadata::{DependencyKind, Package};
use serde_json::{Value, json};

pub const CRATES_IO_GIT_INDEX: &str = "https://github.com/rust-lang/crates.io-index";

/// Whether cargo drops this dependency when packaging: a dev-dependency
/// given by path only.
fn stripped(d: &cargo_metadata::Dependency) -> bool {
    d.kind == DependencyKind::Development && d.path.is_some() && d.req.to_string() == "*"
}

/// `to_crates_io`: whether the target registry is crates.io (dependencies
/// on crates.io are then written without a registry).
pub fn metadata(p: &Package, readme: Option<String>, to_crates_io: bool) -> Value {
    let deps: Vec<Value> = p
        .dependencies
        .iter()
        .filter(|d| !stripped(d))
        .map(|d| {
            let from_crates_io = d
                .source
                .as_ref()
                .is_some_and(|s| s.repr.contains("crates.io-index"));
            let registry = if d.path.is_some() {
                // First-party: published to the same registry.
                Value::Null
            } else if from_crates_io {
                if to_crates_io {
                    Value::Null
                } else {
                    json!(CRATES_IO_GIT_INDEX)
                }
            } else {
                d.registry.as_ref().map_or(Value::Null, |r| json!(r))
            };
            json!({
                "name": d.name,
                "version_req": d.req.to_string(),
                "features": d.features,
                "optional": d.optional,
                "default_features": d.uses_default_features,
                "target": d.target.as_ref().map(|t| t.to_string()),
                "kind": match d.kind {
                    DependencyKind::Development => "dev",
                    DependencyKind::Build => "build",
                    _ => "normal",
                },
                "registry": registry,
                "explicit_name_in_toml": d.rename,
            })
        })
        .collect();
    json!({
        "name": p.name.to_string(),
        "vers": p.version.to_string(),
        "deps": deps,
        "features": p.features,
        "authors": p.authors,
        "description": p.description,
        "documentation": p.documentation,
        "homepage": p.homepage,
        "readme": readme,
        "readme_file": p.readme.as_ref().map(|r| r.to_string()),
        "keywords": p.keywords,
        "categories": p.categories,
        "license": p.license,
        "license_file": p.license_file.as_ref().map(|r| r.to_string()),
        "repository": p.repository,
        "badges": {},
        "links": p.links,
        "rust_version": p.rust_version.as_ref().map(|v| v.to_string()),
    })
}
