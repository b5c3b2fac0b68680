//! The release marker: the text in a release commit's message that asks
//! for a tag once CI passes (`marker` in the configuration). A release
//! commit carries it as a paragraph of its own (see
//! [`crate::core::release_commit`]); git searches a range for the same
//! text ([`Marker::text`]).

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
}
