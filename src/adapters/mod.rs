//! Access to the outside world, one job per module. Reads happen here
//! directly; every write is an effect of a plan that [`crate::apply`]
//! carries out.

pub mod advisory_db;
pub mod archive;
pub mod cargo;
pub mod cargo_config;
pub mod failure;
pub mod forge;
pub mod fs;
pub mod git;
pub mod git_index;
pub mod http;
pub mod layout;
pub mod process;
pub mod registry;
pub mod rest;
pub mod semver_checks;
pub mod trusted_publishing;
