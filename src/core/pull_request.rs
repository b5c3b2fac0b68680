//! How a pull request landed on its base branch, told from the commits
//! there: what a backport of `#N` picks.

/// How a merged pull request's change sits on the base branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landed {
    /// As one commit: a merge commit (picked against its first parent), a
    /// squash, or a pull request of a single commit.
    One,
    /// Rebased: the last N commits of the base's first-parent line are its
    /// N commits.
    Rebased,
}

/// How a pull request of `subjects` (its commits' subjects, oldest first)
/// titled `title` landed at its merge commit, which `is_merge` says has
/// several parents; `line` is the subjects of the base's first-parent
/// line ending at that commit, as many as the pull request has commits,
/// oldest first. `None`: none of the ways, so picking one commit could
/// drop the others without a word.
pub fn landed(subjects: &[String], title: &str, is_merge: bool, line: &[&str]) -> Option<Landed> {
    if is_merge || subjects.len() < 2 {
        return Some(Landed::One);
    }
    if line.iter().copied().eq(subjects.iter().map(String::as_str)) {
        return Some(Landed::Rebased);
    }
    // A squash: the merge commit (the newest of the line) is titled after
    // the pull request.
    line.last()
        .is_some_and(|s| s.starts_with(title))
        .then_some(Landed::One)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_a_squash_and_a_rebase_are_told_apart() {
        let subjects: Vec<String> = ["Add a", "Add b"].map(String::from).to_vec();
        assert_eq!(landed(&subjects, "Feature", true, &[]), Some(Landed::One));
        assert_eq!(
            landed(&subjects[..1], "Feature", false, &["Add a"]),
            Some(Landed::One)
        );
        assert_eq!(
            landed(&subjects, "Feature", false, &["Add a", "Add b"]),
            Some(Landed::Rebased)
        );
        assert_eq!(
            landed(&subjects, "Feature", false, &["Other", "Feature (#12)"]),
            Some(Landed::One)
        );
        assert_eq!(
            landed(&subjects, "Feature", false, &["Other", "Add b"]),
            None
        );
    }
}
