//! Pure logic: no file, process or network access here, so all of it is
//! unit-tested in memory.

pub mod advisories;
pub mod bump;
pub mod changeset;
pub mod config;
pub mod conventional;
pub mod dashboard;
pub mod gantt;
pub mod graph;
pub mod html;
pub mod lockfile;
pub mod manifest;
pub mod marker;
pub mod notes;
pub mod notes_draft;
pub mod patch_set;
pub mod pins;
pub mod problem;
pub mod publish_metadata;
pub mod publish_plan;
pub mod pull_request;
pub mod redact;
pub mod refs;
pub mod release_commit;
pub mod schedule;
pub mod selection;
pub mod semver_scope;
pub mod support;
pub mod tracking;
pub mod trailers;
pub mod verify;
pub mod version;
pub mod version_file;
pub mod workspace;
