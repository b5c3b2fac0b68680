//! Where a registry is and the token for it, from cargo's usual places:
//! `CARGO_REGISTRIES_<NAME>_INDEX` / `_TOKEN` (`CARGO_REGISTRY_TOKEN` for
//! crates.io), `.cargo/config.toml` from the workspace up and in
//! `CARGO_HOME`, and `CARGO_HOME/credentials.toml`.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

pub const CRATES_IO: &str = "crates-io";
pub const CRATES_IO_INDEX: &str = "sparse+https://index.crates.io/";

/// A token, kept out of every `Debug` and `Display`.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(s: String) -> Token {
        Token(s)
    }
    /// The secret itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

pub struct RegistryConfig {
    pub name: String,
    /// Without the `sparse+` prefix, ending in `/`.
    pub index: String,
    pub token: Option<Token>,
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::home_dir().unwrap_or_default().join(".cargo"))
}

fn env_key(name: &str, what: &str) -> String {
    format!(
        "CARGO_REGISTRIES_{}_{what}",
        name.to_uppercase().replace('-', "_")
    )
}

/// Config files, most specific first.
fn config_files(workspace: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = workspace
        .ancestors()
        .flat_map(|d| [d.join(".cargo/config.toml"), d.join(".cargo/config")])
        .collect();
    out.push(cargo_home().join("config.toml"));
    out.push(cargo_home().join("credentials.toml"));
    out.push(cargo_home().join("credentials"));
    out.into_iter().filter(|p| p.is_file()).collect()
}

fn lookup(files: &[PathBuf], path: &[&str]) -> Result<Option<String>> {
    for f in files {
        let text = std::fs::read_to_string(f)?;
        let v: toml::Value =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        let mut at = &v;
        let mut found = true;
        for k in path {
            match at.get(k) {
                Some(n) => at = n,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found && let Some(s) = at.as_str() {
            return Ok(Some(s.to_string()));
        }
    }
    Ok(None)
}

pub fn registry(workspace: &Path, name: &str) -> Result<RegistryConfig> {
    let files = config_files(workspace);
    let (index, token) = if name == CRATES_IO {
        let token = match std::env::var("CARGO_REGISTRY_TOKEN") {
            Ok(t) => Some(t),
            Err(_) => lookup(&files, &["registry", "token"])?,
        };
        (CRATES_IO_INDEX.to_string(), token)
    } else {
        let index = match std::env::var(env_key(name, "INDEX")) {
            Ok(i) => i,
            Err(_) => match lookup(&files, &["registries", name, "index"])? {
                Some(i) => i,
                None => bail!(
                    "registry `{name}` is not configured: set [registries.{name}] index in .cargo/config.toml \
                     or {}",
                    env_key(name, "INDEX")
                ),
            },
        };
        let token = match std::env::var(env_key(name, "TOKEN")) {
            Ok(t) => Some(t),
            Err(_) => lookup(&files, &["registries", name, "token"])?,
        };
        (index, token)
    };
    let Some(index) = index.strip_prefix("sparse+") else {
        bail!("registry `{name}` has a git index ({index}); cargo-train reads sparse indexes only");
    };
    let index = if index.ends_with('/') {
        index.to_string()
    } else {
        format!("{index}/")
    };
    Ok(RegistryConfig {
        name: name.to_string(),
        index,
        token: token.map(Token),
    })
}
