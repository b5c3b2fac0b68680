//! Status lines on stderr, cargo's way: a right-aligned word, then what
//! happened (`     Pushed main`). Every operation and adapter speaks
//! through here; results meant for a pipe go to stdout with `out!`.

/// One status line.
pub fn say(word: &str, what: &str) {
    eprintln!("{word:>12} {what}");
}
