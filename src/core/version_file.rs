//! Files other than manifests that carry the version, such as a C header with
//! `#define X_VERSION "1.2.3"` and `_MAJOR`/`_MINOR`/`_PATCH` macros.
//!
//! Each is described by line templates (`#define X_VERSION_MAJOR {major}`);
//! a line matches where the template's literal text stands with a
//! version-shaped token at every placeholder, and only those tokens change.

use semver::Version;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Version,
    Major,
    Minor,
    Patch,
    Pre,
}

impl Field {
    fn render(self, v: &Version) -> String {
        match self {
            Field::Version => v.to_string(),
            Field::Major => v.major.to_string(),
            Field::Minor => v.minor.to_string(),
            Field::Patch => v.patch.to_string(),
            Field::Pre => v.pre.to_string(),
        }
    }

    /// Whether `b` can be part of this field's token.
    fn accepts(self, b: u8) -> bool {
        match self {
            Field::Major | Field::Minor | Field::Patch => b.is_ascii_digit(),
            Field::Version | Field::Pre => b.is_ascii_alphanumeric() || b"-.+".contains(&b),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Field(Field),
}

/// One line template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for Template {
    type Err = String;

    fn from_str(source: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed `{{` in pattern `{source}`"))?
                + open;
            if open > 0 {
                parts.push(Part::Lit(rest[..open].to_string()));
            }
            let field = match &rest[open + 1..close] {
                "version" => Field::Version,
                "major" => Field::Major,
                "minor" => Field::Minor,
                "patch" => Field::Patch,
                "pre" => Field::Pre,
                other => {
                    return Err(format!(
                        "unknown placeholder `{{{other}}}` in pattern `{source}` \
                         (use version, major, minor, patch or pre)"
                    ));
                }
            };
            if matches!(parts.last(), Some(Part::Field(_))) {
                return Err(format!(
                    "pattern `{source}` puts two placeholders side by side; \
                     separate them with text"
                ));
            }
            parts.push(Part::Field(field));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        if !matches!(parts.first(), Some(Part::Lit(_))) {
            return Err(format!(
                "pattern `{source}` must start with text before its first placeholder"
            ));
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(format!(
                "pattern `{source}` has no placeholder such as {{version}}"
            ));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A match of a template in a line: where each placeholder's token stands.
struct Match {
    fields: Vec<(Field, Range<usize>)>,
}

impl Template {
    /// Finds the template in `line`, trying each place its first literal occurs.
    fn find(&self, line: &str) -> Option<Match> {
        let Part::Lit(first) = &self.parts[0] else {
            unreachable!("templates start with text")
        };
        let bytes = line.as_bytes();
        let mut from = 0;
        while let Some(pos) = line[from..].find(first.as_str()) {
            let start = from + pos;
            if let Some(m) = self.match_at(bytes, line, start + first.len()) {
                return Some(m);
            }
            from = start + 1;
        }
        None
    }

    fn match_at(&self, bytes: &[u8], line: &str, mut at: usize) -> Option<Match> {
        let mut fields = Vec::new();
        for part in &self.parts[1..] {
            match part {
                Part::Lit(lit) => {
                    if !line[at..].starts_with(lit.as_str()) {
                        return None;
                    }
                    at += lit.len();
                }
                Part::Field(f) => {
                    let len = bytes[at..].iter().take_while(|b| f.accepts(**b)).count();
                    // An empty pre-release is a valid value; other fields need a token.
                    if len == 0 && *f != Field::Pre {
                        return None;
                    }
                    fields.push((*f, at..at + len));
                    at += len;
                }
            }
        }
        Some(Match { fields })
    }
}

/// The outcome of bringing one file up to a version.
#[derive(Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    /// Templates that matched no line (an error for `verify` and `bump`).
    pub unmatched: Vec<String>,
    /// 1-based lines whose tokens did not already carry the version.
    pub stale_lines: Vec<usize>,
}

/// Rewrites every line of `text` matching one of `templates` to `version`,
/// keeping line endings and everything around the tokens.
pub fn rewrite(text: &str, templates: &[Template], version: &Version) -> Rewrite {
    let mut out = String::with_capacity(text.len());
    let mut hits = vec![false; templates.len()];
    let mut stale_lines = Vec::new();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let m = templates
            .iter()
            .enumerate()
            .find_map(|(i, t)| t.find(line).map(|m| (i, m)));
        let Some((i, m)) = m else {
            out.push_str(line);
            continue;
        };
        hits[i] = true;
        let mut at = 0;
        let mut changed = false;
        for (field, span) in m.fields {
            let new = field.render(version);
            changed |= line[span.clone()] != new;
            out.push_str(&line[at..span.start]);
            out.push_str(&new);
            at = span.end;
        }
        out.push_str(&line[at..]);
        if changed {
            stale_lines.push(n + 1);
        }
    }
    Rewrite {
        text: out,
        unmatched: templates
            .iter()
            .zip(hits)
            .filter(|(_, hit)| !hit)
            .map(|(t, _)| t.source.clone())
            .collect(),
        stale_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Vec<Template> {
        [
            "#define WASMTIME_VERSION \"{version}\"",
            "#define WASMTIME_VERSION_MAJOR {major}",
            "#define WASMTIME_VERSION_MINOR {minor}",
            "#define WASMTIME_VERSION_PATCH {patch}",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect()
    }

    const HEADER: &str = "/**\n * \\brief Wasmtime version string.\n */\n\
        #define WASMTIME_VERSION \"49.0.0-dev\"\r\n\
        #define WASMTIME_VERSION_MAJOR 49 // major\n\
        #define WASMTIME_VERSION_MINOR 0\n\
        #define WASMTIME_VERSION_PATCH 0\n";

    #[test]
    fn rewrites_only_the_tokens() {
        let v = Version::parse("50.1.2-rc.1").unwrap();
        let r = rewrite(HEADER, &templates(), &v);
        assert_eq!(
            r.text,
            HEADER
                .replace("49.0.0-dev", "50.1.2-rc.1")
                .replace("MAJOR 49", "MAJOR 50")
                .replace("MINOR 0", "MINOR 1")
                .replace("PATCH 0", "PATCH 2")
        );
        assert!(r.unmatched.is_empty());
        assert_eq!(r.stale_lines, vec![4, 5, 6, 7]);
    }

    #[test]
    fn current_file_has_no_stale_lines() {
        let v = Version::parse("49.0.0-dev").unwrap();
        let r = rewrite(HEADER, &templates(), &v);
        assert_eq!(r.text, HEADER);
        assert!(r.stale_lines.is_empty());
    }

    #[test]
    fn reports_templates_that_match_nothing() {
        let v = Version::parse("1.0.0").unwrap();
        let r = rewrite("nothing here\n", &templates()[..1], &v);
        assert_eq!(r.unmatched, vec!["#define WASMTIME_VERSION \"{version}\""]);
    }

    #[test]
    fn rejects_bad_templates() {
        for (t, msg) in [
            ("{version}", "must start with text"),
            ("v = {version", "unclosed"),
            ("v = {ver}", "unknown placeholder `{ver}`"),
            ("v = {major}{minor}", "side by side"),
            ("plain", "no placeholder"),
        ] {
            let e = t.parse::<Template>().unwrap_err();
            assert!(e.contains(msg), "{t}: {e}");
        }
    }
}
