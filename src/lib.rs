//! cargo-train: a release train for Cargo workspaces.
//!
//! - [`core`]: versions, dependency graph, pin policy, configuration; pure.
//! - [`adapters`]: git, cargo, registries, forges, the file system; one job
//!   each. Operations read through them; only [`apply`] writes.
//! - [`plan`]: every side effect of a command as data, and its dry-run text.
//! - [`apply`]: the one applier and executor that carries a plan out.
//! - [`train`]: the operations, one file each; each returns a plan (or a
//!   report) and changes nothing itself.
//! - [`output`], [`progress`], [`retry`], [`signals`]: what the layers
//!   share (status lines, progress bars, retries with backoff, stopping at a
//!   safe point).
//! - [`cli`]: argument parsing; it prints reports and hands plans to
//!   [`apply`].
//!
//! ARCHITECTURE.md says where each kind of change goes.

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
pub mod apply;
pub mod cli;
pub mod core;
pub mod demo;
pub mod output;
pub mod plan;
pub mod progress;
pub mod retry;
pub mod signals;
pub mod train;
