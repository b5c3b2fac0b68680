//! Where a registry is and the token for it, from cargo's usual places:
//! `CARGO_REGISTRIES_<NAME>_INDEX` / `_TOKEN` (`CARGO_REGISTRY_TOKEN` for
//! crates.io), `.cargo/config.toml` from the workspace up and in
//! `CARGO_HOME`, and `CARGO_HOME/credentials.toml`.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// The name cargo gives crates.io (`--registry`, `[registries]`).
pub const CRATES_IO: &str = "crates-io";
pub const CRATES_IO_INDEX: &str = "sparse+https://index.crates.io/";

/// A token, kept out of every `Debug` and `Display`.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(s: String) -> Token {
        crate::core::redact::secret(&s);
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

/// The variable that holds a registry's token, as cargo names it.
pub fn token_var(name: &str) -> String {
    if name == CRATES_IO {
        "CARGO_REGISTRY_TOKEN".to_string()
    } else {
        format!(
            "CARGO_REGISTRIES_{}_TOKEN",
            name.to_uppercase().replace('-', "_")
        )
    }
}

pub struct RegistryConfig {
    pub name: String,
    /// A sparse index: without the `sparse+` prefix, ending in `/`; a git
    /// index: the URL as configured.
    pub index: String,
    /// Whether `index` is a git repository (cargo's older protocol).
    pub git: bool,
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
    // What exists is read (and a FIFO or directory there refused by name),
    // not passed over in silence.
    out.into_iter().filter(|p| p.exists()).collect()
}

/// The first value at `path` in `files`, with the file it came from.
fn lookup_value(files: &[PathBuf], path: &[&str]) -> Result<Option<(toml::Value, PathBuf)>> {
    for f in files {
        let text = super::fs::read(f)?;
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
        if found {
            return Ok(Some((at.clone(), f.clone())));
        }
    }
    Ok(None)
}

fn lookup(files: &[PathBuf], path: &[&str]) -> Result<Option<String>> {
    Ok(lookup_at(files, path)?.map(|(s, _)| s))
}

/// A string value at `path`, with the file it came from; any other type is
/// an error naming the file and key.
fn lookup_at(files: &[PathBuf], path: &[&str]) -> Result<Option<(String, PathBuf)>> {
    match lookup_value(files, path)? {
        None => Ok(None),
        Some((toml::Value::String(s), f)) => Ok(Some((s, f))),
        Some((other, f)) => bail!(
            "{}: `{}` must be a string, not {}",
            f.display(),
            path.join("."),
            other.type_str()
        ),
    }
}

/// Where a setting came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Env(&'static str),
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Env(v) => write!(f, "environment variable {v}"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Cargo's `[http]` settings that shape a connection (cargo's defaults
/// where unset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// `http.cainfo`: a PEM bundle of extra CAs.
    pub cainfo: Option<(PathBuf, Origin)>,
    /// `http.proxy`: used for every URL, before any environment proxy.
    pub proxy: Option<(String, Origin)>,
    /// `http.timeout` (seconds): connect timeout, and the window of the
    /// low-speed limit.
    pub timeout_secs: u64,
    /// `http.low-speed-limit` (bytes per second).
    pub low_speed_limit: u64,
}

/// How the environment is read (the process's, or a test's).
type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn env_nonempty(env: Env, var: &'static str) -> Option<(String, Origin)> {
    env(var)
        .filter(|v| !v.is_empty())
        .map(|v| (v, Origin::Env(var)))
}

fn http_int(
    env: Env,
    files: &[PathBuf],
    envs: &[&'static str],
    key: &str,
    default: u64,
) -> Result<u64> {
    for var in envs {
        if let Some((v, _)) = env_nonempty(env, var) {
            return v.trim().parse().map_err(|_| {
                anyhow::anyhow!("{var}={v:?} is not a whole number (http.{key} in cargo's terms)")
            });
        }
    }
    match lookup_value(files, &["http", key])? {
        None => Ok(default),
        Some((toml::Value::Integer(n), _)) if n >= 0 => Ok(n as u64),
        Some((other, f)) => bail!(
            "{}: `http.{key}` must be a whole number of {}, not {other}",
            f.display(),
            if key == "timeout" {
                "seconds"
            } else {
                "bytes per second"
            }
        ),
    }
}

/// Cargo's `[http]` settings for `workspace`, read as cargo reads them:
/// `CARGO_HTTP_*` first, then the config files from the workspace up and in
/// `CARGO_HOME`. A relative `http.cainfo` is relative to the directory
/// holding the `.cargo` directory of its file (cargo's rule).
pub fn http(workspace: &Path) -> Result<HttpConfig> {
    http_from(&config_files(workspace), &|v| std::env::var(v).ok())
}

fn http_from(files: &[PathBuf], env: Env) -> Result<HttpConfig> {
    let files = files.to_vec();
    let cainfo = match env_nonempty(env, "CARGO_HTTP_CAINFO") {
        Some((v, o)) => Some((PathBuf::from(v), o)),
        None => lookup_at(&files, &["http", "cainfo"])?.map(|(v, f)| {
            let base = f.parent().and_then(Path::parent).unwrap_or(Path::new("/"));
            (base.join(v), Origin::File(f))
        }),
    };
    let proxy = match env_nonempty(env, "CARGO_HTTP_PROXY") {
        Some(p) => Some(p),
        None => lookup_at(&files, &["http", "proxy"])?.map(|(v, f)| (v, Origin::File(f))),
    }
    .filter(|(v, _)| !v.is_empty());
    Ok(HttpConfig {
        cainfo,
        proxy,
        timeout_secs: http_int(
            env,
            &files,
            &["CARGO_HTTP_TIMEOUT", "HTTP_TIMEOUT"],
            "timeout",
            30,
        )?,
        low_speed_limit: http_int(
            env,
            &files,
            &["CARGO_HTTP_LOW_SPEED_LIMIT"],
            "low-speed-limit",
            10,
        )?,
    })
}

/// A token from the environment. An empty one counts as unset: a workflow
/// passes `${{ secrets.X }}` of a secret that does not exist as "".
fn token_from_env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|t| !t.trim().is_empty())
}

pub fn registry(workspace: &Path, name: &str) -> Result<RegistryConfig> {
    let files = config_files(workspace);
    let (index, token) = if name == CRATES_IO {
        let token = match token_from_env("CARGO_REGISTRY_TOKEN") {
            Some(t) => Some(t),
            None => lookup(&files, &["registry", "token"])?,
        };
        (
            (CRATES_IO_INDEX.to_string(), "cargo's default".to_string()),
            token,
        )
    } else {
        let var = env_key(name, "INDEX");
        let index = match std::env::var(&var) {
            Ok(i) => (i, format!("environment variable {var}")),
            Err(_) => match lookup_at(&files, &["registries", name, "index"])? {
                Some((i, f)) => (i, f.display().to_string()),
                None => bail!(
                    "registry `{name}` is not configured: set [registries.{name}] index in .cargo/config.toml \
                     or {var}"
                ),
            },
        };
        let token = match token_from_env(&env_key(name, "TOKEN")) {
            Some(t) => Some(t),
            None => lookup(&files, &["registries", name, "token"])?,
        };
        (index, token)
    };
    let (index, origin) = index;
    let url = index.strip_prefix("sparse+").unwrap_or(&index);
    if !is_url(url) {
        bail!(
            "registry `{name}`: index = {index:?} (in {origin}) is not a URL: \
             write `sparse+https://…` for a sparse index, or the URL of a git index"
        );
    }
    let (index, git) = match index.strip_prefix("sparse+") {
        Some(i) if i.ends_with('/') => (i.to_string(), false),
        Some(i) => (format!("{i}/"), false),
        None => (index.clone(), true),
    };
    Ok(RegistryConfig {
        name: name.to_string(),
        index,
        git,
        token: token.map(Token::new),
    })
}

/// `scheme://rest` with a scheme cargo knows for an index and no blanks:
/// enough to tell a URL from a typo or a path.
fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "http" | "file" | "ssh" | "git")
        && !rest.is_empty()
        && !rest.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_url("https://index.crates.io/"));
        assert!(is_url("ssh://git@example.com/index.git"));
        assert!(is_url("file:///srv/index"));
        assert!(!is_url("not a url"));
        assert!(!is_url("https://"));
        assert!(!is_url("index.crates.io"));
        assert!(!is_url("https://a b/"));
        assert!(!is_url("gopher://x/"));
    }

    #[test]
    fn http_settings_like_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let near = dir.path().join("ws/.cargo/config.toml");
        let far = dir.path().join("home/config.toml");
        for (f, text) in [
            (&near, "[http]\ncainfo = \"certs/ca.pem\"\ntimeout = 5\n"),
            (
                &far,
                "[http]\ncainfo = \"/elsewhere.pem\"\nproxy = \"http://p:3128\"\nlow-speed-limit = 1\n",
            ),
        ] {
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, text).unwrap();
        }
        let files = vec![near.clone(), far.clone()];
        let none = |_: &str| None;
        let c = http_from(&files, &none).unwrap();
        // The nearest file wins, key by key; cainfo is relative to the
        // directory holding `.cargo`.
        assert_eq!(
            c.cainfo,
            Some((
                dir.path().join("ws/certs/ca.pem"),
                Origin::File(near.clone())
            ))
        );
        assert_eq!(
            c.proxy,
            Some(("http://p:3128".to_string(), Origin::File(far.clone())))
        );
        assert_eq!((c.timeout_secs, c.low_speed_limit), (5, 1));

        // Variables win over files.
        let env = |v: &str| match v {
            "CARGO_HTTP_CAINFO" => Some("/env.pem".to_string()),
            "HTTP_TIMEOUT" => Some("7".to_string()),
            "CARGO_HTTP_PROXY" => Some(String::new()), // empty: unset
            _ => None,
        };
        let c = http_from(&files, &env).unwrap();
        assert_eq!(
            c.cainfo,
            Some((PathBuf::from("/env.pem"), Origin::Env("CARGO_HTTP_CAINFO")))
        );
        assert_eq!(c.proxy.unwrap().0, "http://p:3128");
        assert_eq!(c.timeout_secs, 7);

        // Cargo's defaults; bad values name the file or variable.
        let c = http_from(&[], &none).unwrap();
        assert_eq!((c.cainfo, c.proxy), (None, None));
        assert_eq!((c.timeout_secs, c.low_speed_limit), (30, 10));
        std::fs::write(&near, "[http]\ntimeout = \"30s\"\n").unwrap();
        let e = http_from(&files, &none).unwrap_err().to_string();
        assert!(
            e.contains("ws/.cargo/config.toml") && e.contains("http.timeout"),
            "{e}"
        );
        let bad = |v: &str| (v == "CARGO_HTTP_TIMEOUT").then(|| "x".to_string());
        let e = http_from(&[], &bad).unwrap_err().to_string();
        assert!(e.contains("CARGO_HTTP_TIMEOUT=\"x\""), "{e}");
    }
}
