//! The release marker: the text in a release commit's message that asks
//! for a tag once CI passes (`marker` in the configuration). The train's
//! release commits get it here, and a message is asked for it here; git
//! searches a range for the same text ([`Marker::text`]).

use crate::core::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker<'a>(&'a str);

impl<'a> Marker<'a> {
    pub fn of(config: &'a Config) -> Marker<'a> {
        Marker(&config.marker)
    }

    /// The text git looks for in commit messages.
    pub fn text(&self) -> &'a str {
        self.0
    }

    /// A release commit's message, by paragraph: its title, the marker,
    /// then `trailer` (e.g. a patch set's) as the last paragraph.
    pub fn release_message(&self, title: &str, trailer: Option<&str>) -> Vec<String> {
        let mut message = vec![title.to_string(), self.0.to_string()];
        message.extend(trailer.map(str::to_string));
        message
    }

    /// Whether `message` asks for a release.
    pub fn asks_in(&self, message: &str) -> bool {
        message.contains(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_message_carries_the_marker_that_is_asked_for() {
        let config = Config::default();
        let m = Marker::of(&config);
        let message = m.release_message("Release Rail 1.0.1", Some("Patch-set: v1.0.1"));
        assert_eq!(
            message,
            [
                "Release Rail 1.0.1",
                "[automatically-tag-and-release-this-commit]",
                "Patch-set: v1.0.1"
            ]
        );
        assert!(m.asks_in(&message.join("\n\n")));
        assert!(!m.asks_in("Release Rail 1.0.1"));
    }
}
