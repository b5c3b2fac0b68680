//! cargo-train: a release train for Cargo workspaces.
//!
//! - [`core`]: versions, dependency graph, pin policy, configuration; pure.
//! - [`adapters`]: cargo and the file system; reads only, writes go through
//! - [`exec`]: the one executor of side effects, which a dry run swaps out.
//! - [`train`]: the operations, one file each.
//! - [`cli`]: argument parsing.

pub mod adapters;
pub mod cli;
pub mod core;
pub mod demo;
pub mod exec;
pub mod train;
