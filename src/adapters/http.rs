//! Builds every HTTP client (registry and GitHub alike) the way cargo sets
//! up its own, so that cargo-train reaches whatever `cargo publish` reaches:
//!
//! - TLS roots: the system store (through `rustls-native-certs`, which takes
//!   `SSL_CERT_FILE` / `SSL_CERT_DIR` in its place when set, as OpenSSL and
//!   so cargo on Linux do), plus cargo's `http.cainfo`;
//! - proxy: cargo's `http.proxy`, else `https_proxy`/`HTTPS_PROXY` (for
//!   https URLs), `http_proxy`/`HTTP_PROXY` (for http URLs), then
//!   `all_proxy`/`ALL_PROXY`; `no_proxy`/`NO_PROXY` lists hosts reached
//!   directly;
//! - cargo's `http.timeout` as the connect timeout and the longest a read or
//!   write may stall, and `http.low-speed-limit` over that same window while
//!   a body is read.

use crate::adapters::cargo_config::HttpConfig;
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// How to connect, loaded once per command.
pub struct Net {
    roots: RootCerts,
    /// Where the trusted CAs come from, for error messages.
    root_sources: Vec<String>,
    config: HttpConfig,
    env_proxy: EnvProxy,
}

/// The proxy variables of the environment (empty values count as unset).
#[derive(Debug, Default, Clone)]
pub struct EnvProxy {
    pub https: Option<(String, &'static str)>,
    pub http: Option<(String, &'static str)>,
    pub all: Option<(String, &'static str)>,
    pub no_proxy: Option<String>,
}

impl EnvProxy {
    pub fn from_env() -> EnvProxy {
        let first = |vars: &[&'static str]| {
            vars.iter().find_map(|v| {
                std::env::var(v)
                    .ok()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| (s, *v))
            })
        };
        EnvProxy {
            https: first(&["https_proxy", "HTTPS_PROXY"]),
            http: first(&["http_proxy", "HTTP_PROXY"]),
            all: first(&["all_proxy", "ALL_PROXY"]),
            no_proxy: first(&["no_proxy", "NO_PROXY"]).map(|(s, _)| s),
        }
    }
}

/// Whether `host` is listed in a `no_proxy` value, with curl's rules: `*`
/// is every host, an entry matches the host itself and its subdomains, a
/// leading dot or `*.` is ignored, a `:port` suffix is ignored, case does not
/// matter. IPv6 brackets are stripped.
pub fn no_proxy_matches(no_proxy: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    no_proxy.split([',', ' ']).any(|entry| {
        let mut e = entry.trim();
        if e == "*" {
            return true;
        }
        // `host:port`, but not a bare IPv6 address.
        if let Some((h, port)) = e.rsplit_once(':')
            && !h.contains(':')
            && port.chars().all(|c| c.is_ascii_digit())
        {
            e = h;
        }
        let e = e
            .trim_start_matches("*.")
            .trim_start_matches('.')
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        !e.is_empty()
            && (host == e || (host.ends_with(&e) && host[..host.len() - e.len()].ends_with('.')))
    })
}

/// The proxy for `url` (with where it was set), or none.
pub fn proxy_for<'a>(
    config: &'a HttpConfig,
    env: &'a EnvProxy,
    url: &str,
) -> Option<(&'a str, String)> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let host = uri.host()?;
    if env
        .no_proxy
        .as_deref()
        .is_some_and(|n| no_proxy_matches(n, host))
    {
        return None;
    }
    if let Some((p, origin)) = &config.proxy {
        return Some((p.as_str(), format!("http.proxy in {origin}")));
    }
    let by_scheme = if uri.scheme_str() == Some("https") {
        &env.https
    } else {
        &env.http
    };
    by_scheme
        .as_ref()
        .or(env.all.as_ref())
        .map(|(p, var)| (p.as_str(), format!("environment variable {var}")))
}

/// Where a redirect from `from` to `location` (its `Location` header)
/// goes: the absolute URL, and whether it stays on `from`'s scheme, host
/// and port (where a token sent to `from` may follow it).
pub fn redirect(from: &str, location: &str) -> (String, bool) {
    let origin = |u: &str| {
        let uri: ureq::http::Uri = u.parse().ok()?;
        Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
    };
    let Some(here) = origin(from) else {
        return (location.to_string(), false);
    };
    if location.starts_with('/') && !location.starts_with("//") {
        return (format!("{here}{location}"), true);
    }
    let same = origin(location).is_some_and(|o| o.eq_ignore_ascii_case(&here));
    (location.to_string(), same)
}

fn pem_certs(bytes: &[u8]) -> Vec<Certificate<'static>> {
    ureq::tls::parse_pem(bytes)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect()
}

impl Net {
    /// Reads cargo's settings for `workspace`, the environment, and the
    /// trusted CAs. A CA file that is set but unreadable or empty is an
    /// error naming it: silently trusting less than asked would fail later
    /// with a vaguer message.
    pub fn load(workspace: &Path) -> Result<Net> {
        let config = crate::adapters::cargo_config::http(workspace)?;
        let mut certs: Vec<Certificate<'static>> = Vec::new();
        let mut root_sources = Vec::new();
        let from_env: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
            .iter()
            .filter_map(|v| std::env::var(v).ok().map(|p| format!("{v}={p}")))
            .collect();
        let native = rustls_native_certs::load_native_certs();
        if !from_env.is_empty() {
            if let Some(e) = native.errors.first() {
                bail!(
                    "cannot read the CA certificates named by {}: {e}; fix or unset the variable",
                    from_env.join(" and ")
                );
            }
            if native.certs.is_empty() {
                bail!(
                    "{} holds no PEM certificates; point it at a CA bundle or unset it",
                    from_env.join(" and ")
                );
            }
            root_sources.push(format!(
                "{} (in place of the system store)",
                from_env.join(" and ")
            ));
        } else if !native.certs.is_empty() {
            root_sources.push(format!("the system store ({} CAs)", native.certs.len()));
        }
        certs.extend(
            native
                .certs
                .iter()
                .map(|c| Certificate::from_der(c.as_ref()).to_owned()),
        );
        if let Some((path, origin)) = &config.cainfo {
            let bytes = std::fs::read(path).with_context(|| {
                format!(
                    "cannot read http.cainfo = {} (set in {origin})",
                    path.display()
                )
            })?;
            let found = pem_certs(&bytes);
            if found.is_empty() {
                bail!(
                    "http.cainfo = {} (set in {origin}) holds no PEM certificates",
                    path.display()
                );
            }
            root_sources.push(format!("http.cainfo = {} (from {origin})", path.display()));
            certs.extend(found);
        }
        let roots = if certs.is_empty() {
            // No system store at all (a bare container): the CAs built into
            // the TLS library are better than trusting nothing.
            root_sources
                .push("the Mozilla CA list built into cargo-train (no system store found)".into());
            RootCerts::WebPki
        } else {
            RootCerts::new_with_certs(&certs)
        };
        Ok(Net {
            roots,
            root_sources,
            config,
            env_proxy: EnvProxy::from_env(),
        })
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs.max(1))
    }

    /// A client for requests to `base` (proxy choice depends on its
    /// scheme and host). Statuses are returned, not turned into errors.
    pub fn agent(&self, base: &str) -> Result<ureq::Agent> {
        self.agent_following(base, 10)
    }

    /// An agent for calls that carry a token: it follows no redirect, so
    /// the caller sees each one and decides (see [`redirect`]).
    pub fn api_agent(&self, base: &str) -> Result<ureq::Agent> {
        self.agent_following(base, 0)
    }

    /// Redirects are followed up to `redirects` times (ureq drops the
    /// `Authorization` header on the way); 0: the 3xx answer is returned.
    fn agent_following(&self, base: &str, redirects: u32) -> Result<ureq::Agent> {
        let proxy =
            match proxy_for(&self.config, &self.env_proxy, base) {
                None => None,
                Some((p, origin)) => Some(ureq::Proxy::new(p).map_err(|e| {
                    anyhow::anyhow!("proxy {p:?} (from {origin}) is not usable: {e}")
                })?),
            };
        let t = Some(self.timeout());
        Ok(ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("cargo-train/", env!("CARGO_PKG_VERSION")))
            .tls_config(TlsConfig::builder().root_certs(self.roots.clone()).build())
            .proxy(proxy)
            .timeout_connect(t)
            .timeout_per_read(t)
            .timeout_per_write(t)
            .max_redirects(redirects)
            .build()
            .into())
    }

    /// The same settings for the `git` command line (which brings its own
    /// proxy variables, read as curl reads them).
    pub fn git_settings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((path, _)) = &self.config.cainfo {
            out.push(format!("http.sslCAInfo={}", path.display()));
        }
        if let Some((proxy, _)) = &self.config.proxy {
            out.push(format!("http.proxy={proxy}"));
        }
        out.push(format!(
            "http.lowSpeedLimit={}",
            self.config.low_speed_limit.max(1)
        ));
        out.push(format!("http.lowSpeedTime={}", self.timeout().as_secs()));
        out
    }

    /// `e` (from a request to `url`) in words; a certificate the CAs do not
    /// vouch for gets the list of settings that provide CAs, since that is
    /// what the user must change, and a request through a proxy says which.
    pub fn describe(&self, e: &ureq::Error, url: &str) -> String {
        let mut text = e.to_string();
        if let Some((proxy, origin)) = proxy_for(&self.config, &self.env_proxy, url) {
            text = format!("{text} (through proxy {proxy} from {origin})");
        }
        if is_untrusted_certificate(&text) {
            format!(
                "{text}: the server's certificate is not signed by a trusted CA. Trusted now: {}. \
                 To trust another CA (as cargo does): put it in a PEM file named by SSL_CERT_FILE \
                 (or a directory in SSL_CERT_DIR), or set http.cainfo in .cargo/config.toml \
                 (or CARGO_HTTP_CAINFO), or add it to the system store",
                self.root_sources.join("; ")
            )
        } else {
            text
        }
    }

    /// Reads a response body, failing when fewer than `http.low-speed-limit`
    /// bytes per second arrive over `http.timeout` seconds (cargo's rule; a
    /// complete stall is caught by the per-read timeout).
    pub fn read_body(&self, body: &mut ureq::Body) -> std::io::Result<String> {
        const MAX: u64 = 256 << 20;
        let window = self.timeout();
        let need = self.config.low_speed_limit.saturating_mul(window.as_secs());
        let mut reader = body.with_config().limit(MAX).reader();
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let (mut since, mut got) = (Instant::now(), 0u64);
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            got += n as u64;
            if since.elapsed() >= window {
                if got < need {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!(
                            "transfer slower than {} bytes/s for {} s (cargo's http.low-speed-limit and http.timeout)",
                            self.config.low_speed_limit,
                            window.as_secs()
                        ),
                    ));
                }
                (since, got) = (Instant::now(), 0);
            }
        }
        String::from_utf8(out).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// How rustls reports a chain it cannot verify against the trusted roots.
fn is_untrusted_certificate(text: &str) -> bool {
    text.contains("UnknownIssuer")
}

impl std::fmt::Debug for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Net")
            .field("roots", &self.root_sources)
            .field("config", &self.config)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::cargo_config::Origin;

    fn cfg(proxy: Option<&str>) -> HttpConfig {
        HttpConfig {
            cainfo: None,
            proxy: proxy.map(|p| (p.to_string(), Origin::Env("CARGO_HTTP_PROXY"))),
            timeout_secs: 30,
            low_speed_limit: 10,
        }
    }

    #[test]
    fn a_redirect_stays_only_on_the_same_scheme_host_and_port() {
        let from = "https://api.example/repos/o/r";
        assert_eq!(
            redirect(from, "/repositories/1"),
            ("https://api.example/repositories/1".into(), true)
        );
        assert!(redirect(from, "https://API.example/x").1);
        for other in [
            "https://evil.example/x",
            "http://api.example/x",
            "https://api.example:8443/x",
            "//evil.example/x",
        ] {
            assert!(!redirect(from, other).1, "{other}");
        }
    }

    #[test]
    fn no_proxy_follows_curl() {
        assert!(no_proxy_matches("*", "index.crates.io"));
        assert!(no_proxy_matches("crates.io", "index.crates.io"));
        assert!(no_proxy_matches(".crates.io", "crates.io"));
        assert!(no_proxy_matches("*.crates.io", "index.crates.io"));
        assert!(no_proxy_matches("a.example, 127.0.0.1", "127.0.0.1"));
        assert!(no_proxy_matches("localhost:8080", "LOCALHOST"));
        assert!(no_proxy_matches("::1", "[::1]"));
        assert!(!no_proxy_matches("rates.io", "index.crates.io"));
        assert!(!no_proxy_matches("127.0.0.1", "127.0.0.10"));
        assert!(!no_proxy_matches("", "example.com"));
    }

    #[test]
    fn proxy_by_scheme_with_cargo_first() {
        let env = EnvProxy {
            https: Some(("http://s:1".into(), "HTTPS_PROXY")),
            http: Some(("http://p:2".into(), "http_proxy")),
            all: None,
            no_proxy: Some("internal.example".into()),
        };
        let none = cfg(None);
        assert_eq!(
            proxy_for(&none, &env, "https://index.crates.io/")
                .unwrap()
                .0,
            "http://s:1"
        );
        assert_eq!(
            proxy_for(&none, &env, "http://registry.local/").unwrap().0,
            "http://p:2"
        );
        assert!(proxy_for(&none, &env, "https://git.internal.example/").is_none());
        let cargo = cfg(Some("http://c:3"));
        let (p, from) = proxy_for(&cargo, &env, "https://index.crates.io/").unwrap();
        assert_eq!(
            (p, from.as_str()),
            (
                "http://c:3",
                "http.proxy in environment variable CARGO_HTTP_PROXY"
            )
        );
        let all = EnvProxy {
            all: Some(("socks5://a:4".into(), "ALL_PROXY")),
            ..EnvProxy::default()
        };
        assert_eq!(
            proxy_for(&none, &all, "https://x/").unwrap().0,
            "socks5://a:4"
        );
        assert!(proxy_for(&none, &EnvProxy::default(), "https://x/").is_none());
    }

    #[test]
    fn untrusted_certificates_are_recognised() {
        assert!(is_untrusted_certificate(
            "rustls: invalid peer certificate: UnknownIssuer"
        ));
        assert!(!is_untrusted_certificate("connection refused"));
    }
}
