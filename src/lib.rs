//! cargo-train: a release train for Cargo workspaces.
//!
//! - [`core`]: versions, dependency graph, pin policy, configuration; pure.
//! - [`adapters`]: cargo and the file system; reads only, writes go through
//! - [`exec`]: the one executor of side effects, which a dry run swaps out.
//! - [`train`]: the operations, one file each; each plans its effects
//!   ([`train::plan`]) and [`train::apply`] carries them out.
//! - [`output`], [`retry`], [`signals`]: what operations and adapters share
//!   (status lines, retries with backoff, stopping at a safe point).
//! - [`cli`]: argument parsing.

/// Prints to standard output. A closed standard output (`cargo train order
/// | head`) is not an error: the reader wanted no more, and an operation must
/// not stop half-way for it, so what cannot be written is dropped.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// [`out!`] with a newline.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod adapters;
pub mod cli;
pub mod core;
pub mod demo;
pub mod exec;
pub mod output;
pub mod retry;
pub mod signals;
pub mod train;
