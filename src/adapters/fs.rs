//! Files: reads that name the file on error, and writes that land whole.

use crate::core::changeset::ChangeSet;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

pub fn read(path: &Path) -> Result<String> {
    regular(path)?;
    std::fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))
}

/// `Ok(None)` when the file does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    regular(path)?;
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("failed to read {}", path.display())),
    }
}

/// What `path` is when it exists and is no regular file ("a symbolic
/// link", "a directory", …), not following a link: a file the train is to
/// read or write as it stands must be the file itself.
pub fn not_plain(path: &Path) -> Option<&'static str> {
    let t = std::fs::symlink_metadata(path).ok()?.file_type();
    if t.is_file() {
        None
    } else if t.is_symlink() {
        Some("a symbolic link")
    } else if t.is_dir() {
        Some("a directory")
    } else {
        Some("a FIFO, socket or device")
    }
}

/// Refuses what exists and is no regular file: opening a FIFO would wait
/// for a writer without end, and a device or directory is no text to read.
fn regular(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            let kind = if m.is_dir() {
                "a directory"
            } else {
                "not a regular file (a FIFO, socket or device)"
            };
            anyhow::bail!("cannot read {}: it is {kind}", path.display())
        }
        _ => Ok(()),
    }
}

/// A directory of cargo-train's own state (under the repository's git
/// directory, never in the user's tree), made if missing.
pub fn state_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// A file of cargo-train's own state (a cache entry), written whole: a
/// temporary file beside it, then renamed, so that a killed run leaves no
/// half entry.
pub fn write_state(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().context("a state file outside a directory")?;
    state_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".cargo-train-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Why `rel` is no path to read or write under `root`: it leaves it
/// (absolute, or with `..`), or goes through a symbolic link (a directory
/// on the way, or the file itself). What the train reads and writes stays
/// in the tree it is for, and a link is never replaced by a file.
pub fn outside(root: &Path, rel: &Path) -> Option<String> {
    let escapes = rel.is_absolute()
        || rel.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
    if escapes || rel.as_os_str().is_empty() {
        return Some(format!("it is not a path inside {}", root.display()));
    }
    let mut at = root.to_path_buf();
    for c in rel.components() {
        at.push(c);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(format!(
                "{} is a symbolic link, and cargo-train reads and writes nothing through one",
                at.strip_prefix(root).unwrap_or(&at).display()
            ));
        }
    }
    None
}

/// A file named by `key` (a configuration key) under `root`: `None` when
/// it does not exist; an error naming the key when it is outside the
/// tree (see [`outside`]).
pub fn read_named(root: &Path, rel: &Path, key: &str) -> Result<Option<String>> {
    if let Some(why) = outside(root, rel) {
        anyhow::bail!("{key} = {:?}: {why}", rel.display().to_string());
    }
    read_optional(&root.join(rel))
}

/// Writes every file of `changes` (paths relative to `root`) or none.
///
/// Each new content goes to a temporary file beside its target first; only
/// when all are written are they renamed into place. Should a rename fail,
/// the files already replaced get their old content back.
pub fn write_all(root: &Path, changes: &ChangeSet) -> Result<()> {
    for f in &changes.files {
        if let Some(why) = outside(root, &f.path) {
            anyhow::bail!(
                "refusing to write {}: {why}; nothing was written",
                f.path.display()
            );
        }
    }
    // Refuse to overwrite what changed on disk since it was read.
    for f in &changes.files {
        let path = root.join(&f.path);
        let now = read_optional(&path)?;
        if now != f.before {
            anyhow::bail!(
                "{} changed on disk while cargo-train was working; nothing was written",
                f.path.display()
            );
        }
        // A rename would replace a read-only file as if it were writable.
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.permissions().readonly()
        {
            anyhow::bail!(
                "{} is read-only; nothing was written: make it writable (chmod u+w) or leave \
                 it out of the change, then run again",
                f.path.display()
            );
        }
    }
    let mut staged = Vec::with_capacity(changes.files.len());
    for f in &changes.files {
        let path = root.join(&f.path);
        let dir = path.parent().unwrap_or(root);
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".cargo-train-")
            .tempfile_in(dir)
            .with_context(|| format!("failed to stage a write in {}", dir.display()))?;
        tmp.write_all(f.after.as_bytes())
            .with_context(|| format!("failed to stage {}", f.path.display()))?;
        if let Ok(meta) = std::fs::metadata(&path) {
            std::fs::set_permissions(tmp.path(), meta.permissions()).ok();
        }
        staged.push((tmp, path, f));
    }
    let mut done: Vec<(&Path, &crate::core::changeset::FileChange)> = Vec::new();
    for (tmp, path, f) in &staged {
        if let Err(e) = std::fs::rename(tmp.path(), path) {
            for (p, g) in done {
                match &g.before {
                    Some(old) => std::fs::write(p, old).ok(),
                    None => std::fs::remove_file(p).ok(),
                };
            }
            return Err(e).with_context(|| {
                format!(
                    "failed to write {}; every file was left as it was",
                    f.path.display()
                )
            });
        }
        done.push((path.as_path(), f));
    }
    // The temporary files were renamed away; dropping them is a no-op.
    Ok(())
}
