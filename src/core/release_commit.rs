//! A release commit: the commit `cut` (its first candidate), `rc`,
//! `release` and `patch` make, "Release <project> <version>" with the
//! marker as a paragraph of its own and, in a patch set, the set's trailer
//! last. It is made and recognised here, from those parts: a commit that
//! only quotes the marker somewhere, or names a `-dev` version, is not one.

use crate::core::marker::Marker;
use semver::Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseCommit {
    pub project: String,
    pub version: Version,
}

impl ReleaseCommit {
    /// The subject: `Release <project> <version>`.
    pub fn title(&self) -> String {
        format!("Release {} {}", self.project, self.version)
    }

    /// The message, by paragraph: the title, the marker, then `trailer`.
    pub fn message(&self, marker: &Marker, trailer: Option<&str>) -> Vec<String> {
        let mut m = vec![self.title(), marker.text().to_string()];
        m.extend(trailer.map(str::to_string));
        m
    }

    /// The release commit `message` is, if it is one: a subject `Release
    /// <project> <version>` (a forge's ` (#N)` after it too: a squash or a
    /// merge titles the commit after its pull request), the marker alone
    /// on a line below it, and a version that is not a development one.
    pub fn parse(message: &str, marker: &Marker) -> Option<ReleaseCommit> {
        let mut lines = message.lines();
        let subject = lines.next()?.trim();
        if !lines.any(|l| l.trim() == marker.text()) {
            return None;
        }
        let rest = subject.strip_prefix("Release ")?;
        let rest = strip_pull_request(rest);
        let (project, version) = rest.rsplit_once(' ')?;
        let version = Version::parse(version).ok()?;
        let development = version.pre.as_str() == "dev";
        (!project.trim().is_empty() && !development).then(|| ReleaseCommit {
            project: project.trim().to_string(),
            version,
        })
    }
}

/// `title (#123)` → `title`.
fn strip_pull_request(subject: &str) -> &str {
    subject
        .strip_suffix(')')
        .and_then(|s| s.rsplit_once(" (#"))
        .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(subject, |(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Config;

    fn parse(message: &str) -> Option<ReleaseCommit> {
        ReleaseCommit::parse(message, &Marker::of(&Config::default()))
    }

    #[test]
    fn a_release_commit_is_made_and_recognised_from_its_parts() {
        let config = Config::default();
        let marker = Marker::of(&config);
        let rc = ReleaseCommit {
            project: "Rail".into(),
            version: Version::parse("1.0.1").unwrap(),
        };
        let message = rc.message(&marker, Some("Patch-set: v1.0.1, v2.0.1"));
        assert_eq!(
            message,
            [
                "Release Rail 1.0.1",
                "[automatically-tag-and-release-this-commit]",
                "Patch-set: v1.0.1, v2.0.1"
            ]
        );
        assert_eq!(parse(&message.join("\n\n")), Some(rc.clone()));
        // Squashed or merged on a forge: the pull request's number follows.
        let squashed = "Release Rail 1.0.1 (#42)\n\n[automatically-tag-and-release-this-commit]\n";
        assert_eq!(parse(squashed), Some(rc));
        let two_words =
            "Release Big Project 2.0.0-rc.1\n\n[automatically-tag-and-release-this-commit]";
        assert_eq!(parse(two_words).unwrap().project, "Big Project");
    }

    #[test]
    fn quoting_the_marker_or_a_dev_version_is_no_release_commit() {
        let m = "[automatically-tag-and-release-this-commit]";
        assert_eq!(
            parse(&format!("Fix a crash\n\nsee {m} in the docs\n")),
            None
        );
        assert_eq!(parse(&format!("Fix a crash\n\n{m}\n")), None);
        assert_eq!(parse(&format!("Release Rail 4.0.0-dev\n\n{m}\n")), None);
        assert_eq!(parse("Release Rail 1.0.0\n\nno marker\n"), None);
        assert_eq!(parse(&format!("Release Rail one\n\n{m}\n")), None);
        assert_eq!(parse(&format!("{m}\n\nRelease Rail 1.0.0\n")), None);
    }
}
