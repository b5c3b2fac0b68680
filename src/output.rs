//! Status lines on stderr, cargo's way: a right-aligned word, then what
//! happened (`     Pushed main`). Every operation and adapter speaks
//! through here; results meant for a pipe go to stdout with `out!`.

/// One status line.
pub fn say(word: &str, what: &str) {
    eprintln!("{}", status_line(word, &crate::core::redact::text(what)));
}

/// The text of the status line [`say`] prints: for a report that renders
/// its lines before they are printed.
pub fn status_line(word: &str, what: &str) -> String {
    format!("{word:>12} {what}")
}
