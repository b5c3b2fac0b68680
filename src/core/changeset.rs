//! A set of file contents to write, computed in full before anything is
//! written so that a change lands whole or not at all.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the workspace root.
    pub path: PathBuf,
    /// The content read (`None`: the file is new).
    pub before: Option<String>,
    pub after: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub files: Vec<FileChange>,
}

impl ChangeSet {
    /// Records a file's new content; unchanged content is not a change.
    pub fn set(&mut self, path: impl Into<PathBuf>, before: Option<String>, after: String) {
        if before.as_deref() == Some(after.as_str()) {
            return;
        }
        self.files.push(FileChange {
            path: path.into(),
            before,
            after,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A unified diff of every change, as `git diff` would show it.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            let p = f.path.display();
            let before = f.before.as_deref().unwrap_or("");
            let a = if f.before.is_some() {
                format!("a/{p}")
            } else {
                "/dev/null".to_string()
            };
            out.push_str(
                &similar::TextDiff::from_lines(before, f.after.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&a, &format!("b/{p}"))
                    .to_string(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_files_are_not_changes_and_diff_is_unified() {
        let mut c = ChangeSet::default();
        c.set("same", Some("x\n".into()), "x\n".into());
        assert!(c.is_empty());
        c.set(
            "Cargo.toml",
            Some("a\nversion = \"1\"\nb\n".into()),
            "a\nversion = \"2\"\nb\n".into(),
        );
        let d = c.diff();
        assert!(
            d.starts_with("--- a/Cargo.toml\n+++ b/Cargo.toml\n@@"),
            "{d}"
        );
        assert!(d.contains("-version = \"1\"\n+version = \"2\"\n"), "{d}");
    }
}
