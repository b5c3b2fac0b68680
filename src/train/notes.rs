//! RELEASES.md on disk: the edits the train makes to it, and
//! `cargo train notes [VERSION]`.

use crate::adapters::fs;
use crate::core::changeset::ChangeSet;
use crate::core::manifest::Field;
use crate::core::notes;
use crate::core::refs::Names;
use crate::train::Context;
use anyhow::{Context as _, Result, bail};
use semver::Version;
use serde::Serialize;
use std::fmt;

/// Used when the project has no template file.
pub const DEFAULT_TEMPLATE: &str = "## VERSION\n\nUnreleased.\n\n### Added\n\n### Changed\n\n--------------------------------------------------------------------------------\n";

/// The notes, refused (naming the file and line) when they hold a
/// half-done edit: what a release would otherwise publish as it is.
fn read_notes(ctx: &Context) -> Result<Option<String>> {
    let file = &ctx.config.notes.file;
    let Some(text) = fs::read_named(&ctx.root, file, "notes.file")? else {
        return Ok(None);
    };
    checked(&text, file, &ctx.config.notes.archive_marker)?;
    Ok(Some(text))
}

/// `text` of the notes file `file`, if [`notes::check`] finds nothing.
pub fn checked(text: &str, file: &std::path::Path, archive_marker: &str) -> Result<()> {
    notes::check(text, archive_marker)
        .map_err(|e| anyhow::anyhow!("{}: {e}; then run this again", file.display()))
}

pub(super) fn template(ctx: &Context) -> Result<String> {
    Ok(
        fs::read_named(&ctx.root, &ctx.config.notes.template, "notes.template")?
            .unwrap_or_else(|| DEFAULT_TEMPLATE.to_string()),
    )
}

/// The repository URL for archive links.
pub(super) fn repository(ctx: &Context) -> Option<String> {
    if let Some(r) = &ctx.config.notes.repository {
        return Some(r.trim_end_matches('/').to_string());
    }
    let root = ctx.ws.root();
    if let Some(r) = root
        .workspace_package
        .as_ref()
        .and_then(|w| w.repository.clone())
    {
        return Some(r);
    }
    match root.package.as_ref().map(|p| &p.repository) {
        Some(Field::Given(r)) => Some(r.clone()),
        _ => None,
    }
}

/// The version a section heading names: without the `-dev`/`-rc` suffix.
pub fn heading(v: &Version) -> String {
    Version::new(v.major, v.minor, v.patch).to_string()
}

/// Cut: `main`'s notes lose the branched version's section, gain its archive
/// link, and start a section for `next`.
pub fn rotate(
    ctx: &Context,
    changes: &mut ChangeSet,
    branched: &Version,
    branch: &str,
    next: &Version,
) -> Result<()> {
    let Some(text) = read_notes(ctx)? else {
        return Ok(());
    };
    let link = &ctx.config.notes.link;
    let link = if link.contains("{repository}") {
        let repo = repository(ctx).context(
            "the archive link needs the repository URL: set `repository` in [workspace.package] or `notes.repository`",
        )?;
        if repo.chars().any(char::is_control) {
            bail!(
                "the repository URL {repo:?} spans lines: the archive link in {} is one line; \
                 fix `repository` in the root Cargo.toml or set `notes.repository`",
                ctx.config.notes.file.display()
            );
        }
        link.replace("{repository}", &repo)
    } else {
        link.clone()
    };
    let link = link
        .replace("{series}", &notes::series(branched))
        .replace("{branch}", branch);
    let section = notes::section_from_template(&template(ctx)?, &heading(next));
    let out = notes::rotate(&text, &section, &ctx.config.notes.archive_marker, &link)
        .map_err(|e| anyhow::anyhow!("cannot rotate {}: {e}", ctx.config.notes.file.display()))?;
    changes.set(&ctx.config.notes.file, Some(text), out);
    Ok(())
}

/// Release and patch: a section for `version` (opened from the template if
/// missing, for a patch) is dated `date`.
pub fn date_release(
    ctx: &Context,
    changes: &mut ChangeSet,
    version: &Version,
    date: &str,
    open: bool,
) -> Result<()> {
    let Some(text) = read_notes(ctx)? else {
        return Ok(());
    };
    let h = heading(version);
    let text_opened = if open {
        notes::open_section(
            &text,
            &notes::section_from_template(&template(ctx)?, &h),
            &h,
        )
    } else {
        text.clone()
    };
    changes.set(
        &ctx.config.notes.file,
        Some(text),
        notes::set_released(&text_opened, date),
    );
    Ok(())
}

/// `cargo train notes`' report: one version's section of the notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notes {
    /// From its `## VERSION` heading to the separator, as written.
    pub section: String,
}

impl fmt::Display for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.section)
    }
}

/// `cargo train notes [VERSION]`.
pub fn run(ctx: &Context, version: Option<&str>) -> Result<Notes> {
    Ok(Notes {
        section: show(ctx, version)?,
    })
}

/// One version's notes (the first section by default).
pub fn show(ctx: &Context, version: Option<&str>) -> Result<String> {
    let Some(text) = read_notes(ctx)? else {
        bail!("{} does not exist", ctx.config.notes.file.display())
    };
    let names = Names::of(&ctx.config);
    let v = version.map(|v| names.strip_tag_prefix(v));
    let v = v.map(|v| {
        Version::parse(v)
            .map(|p| heading(&p))
            .unwrap_or_else(|_| v.to_string())
    });
    notes::section(&text, v.as_deref())
        .map_err(|e| anyhow::anyhow!("{}: {e}", ctx.config.notes.file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_the_section_as_text_and_in_json() {
        let n = Notes {
            section: "## 1.0.0\n\nReleased 2026-01-20.\n".into(),
        };
        assert_eq!(n.to_string(), "## 1.0.0\n\nReleased 2026-01-20.\n");
        assert_eq!(
            serde_json::to_value(&n).unwrap(),
            serde_json::json!({"section": "## 1.0.0\n\nReleased 2026-01-20.\n"})
        );
    }
}
