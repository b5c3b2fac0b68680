//! HTML text and attribute values from data: every value that comes from a
//! repository or a configuration (a branch name, a pull request's title, a
//! project name) goes through [`escape`], so it reads as text and can never
//! open an element, close an attribute or start an entity.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with `&`, `<`, `>`, `"` and `'` as character references: safe both
/// as element text and inside a quoted attribute value (either quote).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An `id` (and `#` anchor) made from `s`: ASCII letters and digits kept,
/// everything else `-`, after `prefix` so it never starts with a digit. Two
/// different names can share one; callers make ids from names they
/// control (versions), not from free text.
pub fn id(prefix: &str, s: &str) -> String {
    let mut out = String::from(prefix);
    for c in s.chars() {
        out.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    out
}

/// A table: `head` cells, then each row's cells, each already HTML.
pub fn table(class: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("<table class=\"{}\">\n<thead><tr>", escape(class));
    for h in head {
        let _ = write!(s, "<th scope=\"col\">{}</th>", escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for cell in r {
            let _ = write!(s, "<td>{cell}</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

/// Whether `url` is on the site `base` (scheme, host and port the same, and
/// its path under `base`'s): the only absolute links a page may hold are to
/// the configured forge.
pub fn is_under(url: &str, base: &str) -> bool {
    let base = base.trim_end_matches('/');
    let Some(rest) = url.strip_prefix(base) else {
        return false;
    };
    let has_scheme = base
        .split_once("://")
        .is_some_and(|(s, host)| !s.is_empty() && !host.is_empty());
    // `https://forge.example` must not take `https://forge.example.evil`.
    has_scheme && (rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(escape("release-1.0.0"), "release-1.0.0");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("r<script>alert('x')</script>&\"-"),
            "r&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;-"
        );
        // An entity in the input stays visible as written.
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn ids_are_letters_digits_and_dashes() {
        assert_eq!(id("v", "1.0.0-rc.1"), "v1-0-0-rc-1");
        assert_eq!(id("b-", "r<x>\"'"), "b-r-x---");
    }

    #[test]
    fn tables_escape_headings_and_keep_cells() {
        let t = table("t", &["<a>"], &[vec!["<b>x</b>".into()]]);
        assert_eq!(
            t,
            "<table class=\"t\">\n<thead><tr><th scope=\"col\">&lt;a&gt;</th></tr></thead>\n\
             <tbody>\n<tr><td><b>x</b></td></tr>\n</tbody>\n</table>\n"
        );
    }

    #[test]
    fn only_urls_under_the_base_are_on_its_site() {
        let b = "https://forge.example/";
        assert!(is_under("https://forge.example/o/r/pull/1", b));
        assert!(is_under("https://forge.example", b));
        assert!(!is_under("https://forge.example.evil/o/r", b));
        assert!(!is_under("https://forge.example:8443/o", b));
        assert!(!is_under("javascript:alert(1)", b));
        assert!(!is_under("/o/r", "/"));
        assert!(is_under(
            "http://127.0.0.1:4000/o/r/pull/2",
            "http://127.0.0.1:4000"
        ));
    }
}
