//! Secrets kept out of what is printed: a URL's userinfo
//! (`https://user:TOKEN@host/`) and the values of query parameters that
//! carry credentials (`?access_token=…`, a presigned URL's `X-Amz-Signature`).
//! Messages come from cargo-train, git and the HTTP client alike, so the
//! whole text is scanned, not only the URLs cargo-train formats.

use std::borrow::Cow;

/// Query parameter names (lower case, any part of the name) whose values
/// are secrets.
const SECRET_KEYS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "key",
    "sig",
    "auth",
    "credential",
    "session",
];

/// Tokens this run holds: a server that echoes one back in an error must
/// not get it printed.
static SECRETS: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());

/// Registers `s` (a token) as a secret that [`text`] replaces by `***`.
/// Very short values are not registered: they would blank ordinary words.
pub fn secret(s: &str) {
    if s.len() < 8 {
        return;
    }
    let mut all = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|k| k == s) {
        all.push(s.to_string());
    }
}

/// `text` with every registered secret replaced and every URL in it
/// redacted (see [`url`]).
pub fn text(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    if secrets.iter().any(|k| text.contains(k.as_str())) {
        let mut t = text.to_string();
        for k in secrets.iter() {
            t = t.replace(k.as_str(), "***");
        }
        drop(secrets);
        return Cow::Owned(self::text(&t).into_owned());
    }
    drop(secrets);
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme: the letters before `://`.
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let end = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`' | ')'))
            .map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        out.push_str(&url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `u` without its userinfo, and with `***` for the values of query
/// parameters that carry credentials.
pub fn url(u: &str) -> String {
    let Some(at) = u.find("://") else {
        return u.to_string();
    };
    let (scheme, after) = (&u[..at + 3], &u[at + 3..]);
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut out = format!("{scheme}{host}");
    match tail.split_once('?') {
        None => out.push_str(tail),
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            out.push_str(path);
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if secret_key(k) => format!("{k}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
            }
        }
    }
    out
}

fn secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| k.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_never_printed() {
        secret("cio_ECHOED_0123456789");
        secret("short");
        assert_eq!(
            text("403: token cio_ECHOED_0123456789 is not valid for https://u:p@h/x"),
            "403: token *** is not valid for https://h/x"
        );
        assert_eq!(text("a short word"), "a short word");
    }

    #[test]
    fn userinfo_is_dropped() {
        assert_eq!(
            url("http://user:SECRET@127.0.0.1:8000/api/v1/crates/"),
            "http://127.0.0.1:8000/api/v1/crates/"
        );
        assert_eq!(
            url("sparse+https://tok@h/index/"),
            "sparse+https://h/index/"
        );
        assert_eq!(url("https://h/a@b"), "https://h/a@b");
    }

    #[test]
    fn secret_query_values_are_hidden() {
        assert_eq!(
            url("https://h/x?page=2&access_token=abc&X-Amz-Signature=f00#top"),
            "https://h/x?page=2&access_token=***&X-Amz-Signature=***#top"
        );
        assert_eq!(url("https://h/x?page=2"), "https://h/x?page=2");
    }

    #[test]
    fn text_redacts_every_url_in_it() {
        let t = "fatal: unable to access 'https://u:SECRET@git.example/r.git/': 403; \
                 then (http://a:b@c/d?token=T)";
        let r = text(t);
        assert!(
            !r.contains("SECRET") && !r.contains("a:b") && !r.contains("=T"),
            "{r}"
        );
        assert!(r.contains("'https://git.example/r.git/'"), "{r}");
        assert!(r.contains("http://c/d?token=***)"), "{r}");
        assert!(matches!(text("no urls here"), Cow::Borrowed(_)));
    }
}
