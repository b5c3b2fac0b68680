//! What the read-only operations' reports share: versions and days are
//! kept typed in a report and serialize as the text they print as, so its
//! JSON and its text agree.

use serde::Serializer;
use std::fmt::Display;

/// For `#[serde(serialize_with)]`: `v` as its text.
pub fn as_text<T: Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// [`as_text`] of an optional value: its text, or `null`.
pub fn as_text_opt<T: Display, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}
