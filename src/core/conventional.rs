//! Conventional commit subjects (`feat(parser)!: …`), read with the
//! `git-conventional` crate: what each commit says its change is, for the
//! level of an independent release and the sections of drafted notes.

use crate::core::version::Change;

/// One commit message, read as a conventional commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The type, lower-cased (`feat`, `fix`, `docs`, …).
    pub kind: String,
    pub scope: Option<String>,
    pub description: String,
    /// `!` after the type or a `BREAKING CHANGE:` footer.
    pub breaking: bool,
}

impl Commit {
    /// What the commit says its change is: a break, a feature, a fix
    /// (`fix`, `perf`); other types (`docs`, `chore`, …) say nothing.
    pub fn change(&self) -> Option<Change> {
        if self.breaking {
            return Some(Change::Breaking);
        }
        match self.kind.as_str() {
            "feat" => Some(Change::Feature),
            "fix" | "perf" => Some(Change::Fix),
            _ => None,
        }
    }
}

/// `message` as a conventional commit, or `None` when it is not one.
pub fn parse(message: &str) -> Option<Commit> {
    let c = git_conventional::Commit::parse(message.trim()).ok()?;
    Some(Commit {
        kind: c.type_().as_str().to_ascii_lowercase(),
        scope: c.scope().map(|s| s.as_str().to_string()),
        description: c.description().to_string(),
        breaking: c.breaking(),
    })
}

/// The most any of `messages` calls for, with the first message that calls
/// for it (its subject line).
pub fn level<'a>(messages: impl IntoIterator<Item = &'a str>) -> Option<(Change, String)> {
    let mut best: Option<(Change, String)> = None;
    for m in messages {
        let Some(change) = parse(m).and_then(|c| c.change()) else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| change > *b) {
            let subject = m.trim().lines().next().unwrap_or_default().to_string();
            best = Some((change, subject));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_scopes_and_breaks_are_read() {
        let c = parse("feat(parser)!: drop the old entry point").unwrap();
        assert_eq!(c.kind, "feat");
        assert_eq!(c.scope.as_deref(), Some("parser"));
        assert_eq!(c.description, "drop the old entry point");
        assert_eq!(c.change(), Some(Change::Breaking));
        let footer = parse("fix: tighten checks\n\nBREAKING CHANGE: `open` takes a path").unwrap();
        assert_eq!(footer.change(), Some(Change::Breaking));
        assert_eq!(parse("Fix: a typo").unwrap().change(), Some(Change::Fix));
        assert_eq!(parse("docs: wording").unwrap().change(), None);
        assert_eq!(parse("Merge pull request #1 from a/b"), None);
        assert_eq!(parse("just words"), None);
    }

    #[test]
    fn the_level_is_the_most_any_commit_calls_for() {
        let msgs = ["fix: one", "chore: two", "feat: three", "feat: four"];
        assert_eq!(level(msgs), Some((Change::Feature, "feat: three".into())));
        assert_eq!(level(["docs: x", "plain"]), None);
        assert_eq!(
            level(["feat: x", "refactor!: y\n\nbody"]),
            Some((Change::Breaking, "refactor!: y".into()))
        );
    }
}
