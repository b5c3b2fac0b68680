//! A commit message's trailers as git reads them (`git interpret-trailers
//! --parse`): the `Key: value` lines of its last paragraph, and only when
//! that paragraph is a trailer block (not the subject; every line a
//! trailer, or at least a quarter of them with one git writes itself, such
//! as `Signed-off-by:` or `(cherry picked from commit …)`). A `Key:` line in
//! the middle of a body is prose, not a trailer.

/// The trailers of one message, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers {
    entries: Vec<(String, String)>,
}

/// The lines git itself writes into a trailer block: one of them lets a
/// block hold other lines too.
const GIT_WRITES: [&str; 2] = ["Signed-off-by: ", "(cherry picked from commit "];

impl Trailers {
    pub fn parse(message: &str) -> Trailers {
        let paragraphs = paragraphs(message);
        let Some(last) = paragraphs.last().filter(|_| paragraphs.len() > 1) else {
            return Trailers::default();
        };
        let mut entries: Vec<(String, String)> = Vec::new();
        let (mut trailers, mut others, mut git_written) = (0, 0, false);
        for line in last {
            if line.starts_with([' ', '\t']) && !entries.is_empty() {
                // A continuation of the trailer before it.
                let (_, v) = entries.last_mut().expect("not empty");
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            git_written |= GIT_WRITES.iter().any(|p| line.starts_with(p));
            match split(line) {
                Some((k, v)) => {
                    trailers += 1;
                    entries.push((k.to_string(), v.to_string()));
                }
                None if line.starts_with("(cherry picked from commit ") => trailers += 1,
                None => others += 1,
            }
        }
        let block = trailers > 0 && (others == 0 || (git_written && trailers * 3 >= others));
        Trailers {
            entries: if block { entries } else { Vec::new() },
        }
    }

    /// The value of the last trailer `key` (any case), as git reads a
    /// repeated key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `Key: value` with a key of letters, digits and `-`.
fn split(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line.split_once(':')?;
    let k = k.trim_end();
    let ok = !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| (k, v.trim()))
}

/// The message's paragraphs (runs of non-blank lines), comment lines left
/// out as git does.
fn paragraphs(message: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in message.lines().map(str::trim_end) {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_matched_in_any_case() {
        // Moved from the git adapter's `trailer`, which trailers replace.
        assert_eq!(
            Trailers::parse("x\n\nbranch-only: CI fix").get("Branch-only"),
            Some("CI fix")
        );
    }

    #[test]
    fn only_the_last_paragraph_holds_trailers() {
        let t = Trailers::parse(
            "Fix it\n\nBranch-only: in the middle\nmore prose\n\nSigned-off-by: A <a@x>\n",
        );
        assert_eq!(t.get("branch-only"), None);
        assert_eq!(t.get("Signed-off-by"), Some("A <a@x>"));
        assert!(Trailers::parse("Branch-only: a subject is not a trailer\n").is_empty());
        let t = Trailers::parse("Fix\n\nBranch-only: the notes\nPatch-set: v1.0.1,\n  v2.0.1\n");
        assert_eq!(t.get("Branch-only"), Some("the notes"));
        assert_eq!(t.get("patch-set"), Some("v1.0.1, v2.0.1"));
    }

    #[test]
    fn a_block_of_prose_is_no_trailers_unless_git_wrote_into_it() {
        let prose = "Fix\n\nThis explains: why it broke\nand how it is mended\n";
        assert!(Trailers::parse(prose).is_empty());
        let picked = "Fix\n\nNote: kept\nline\nline\n(cherry picked from commit 0123456789)\n";
        assert_eq!(Trailers::parse(picked).get("Note"), Some("kept"));
        // Fewer than a quarter: prose, whatever git added to it.
        let mostly_prose =
            "Fix\n\nKey: v\na\nb\nc\nd\ne\nf\ng\n(cherry picked from commit 0123456789)\n";
        assert!(Trailers::parse(mostly_prose).is_empty());
        assert_eq!(
            Trailers::parse("Fix\n\nA: 1\n\n# a comment\nA: 2\n").get("a"),
            Some("2")
        );
    }
}
