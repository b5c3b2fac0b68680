//! Batched reads: many refs in one `for-each-ref`, many objects in one
//! `cat-file --batch`, so reading a repository with a long history of
//! release branches and tags starts as many git processes as a young one.

use super::{Git, GitError};
use crate::core::refs::CommitId;
use anyhow::{Context as _, Result, bail};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// A ref, the object it names and the commit that object peels to (an
/// annotated tag's commit; otherwise the same id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeeledRef {
    /// The full name (`refs/tags/v1.0.0`).
    pub name: String,
    pub oid: String,
    pub commit: CommitId,
}

impl Git {
    /// Every ref under any of `prefixes` (e.g. `refs/remotes/origin/`,
    /// `refs/tags/`), from one `for-each-ref`.
    pub fn refs_peeled(&self, prefixes: &[&str]) -> Result<Vec<PeeledRef>> {
        let mut args = vec![
            "for-each-ref",
            "--format=%(refname)%00%(objectname)%00%(*objectname)",
        ];
        args.extend_from_slice(prefixes);
        let out = self.read(&args)?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut f = l.split('\0');
                let (name, oid, peeled) = (f.next()?, f.next()?, f.next()?);
                Some(PeeledRef {
                    name: name.to_string(),
                    oid: oid.to_string(),
                    commit: CommitId::new(if peeled.is_empty() { oid } else { peeled }),
                })
            })
            .collect())
    }

    /// The contents of many objects, named as `cat-file` takes them
    /// (`<rev>:<path>`, a commit id), from one `git cat-file --batch`, in
    /// order; `None` for a name that names nothing.
    pub fn read_objects(&self, names: &[String]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut input = Vec::new();
        for n in names {
            if n.contains('\n') || n.is_empty() {
                bail!("cannot read the git object {n:?}: the name is empty or has a line break");
            }
            input.extend_from_slice(n.as_bytes());
            input.push(b'\n');
        }
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("failed to start `git cat-file --batch`")?;
        let mut stdin = child.stdin.take().expect("piped");
        // Written from a thread: git answers while it reads, and a large
        // answer would fill the pipe before all names are written.
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output()?;
        let written = writer.join().expect("the writer does not panic");
        if !out.status.success() {
            crate::signals::check(|| "while `git cat-file --batch` ran".to_string())?;
            return Err(GitError {
                args: "cat-file --batch".into(),
                code: out.status.code(),
                stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
            }
            .into());
        }
        written.context("failed to write to `git cat-file --batch`")?;
        parse_batch(&out.stdout, names.len())
    }
}

/// Splits `cat-file --batch` output into `count` answers.
fn parse_batch(out: &[u8], count: usize) -> Result<Vec<Option<Vec<u8>>>> {
    let mut answers = Vec::with_capacity(count);
    let mut pos = 0;
    for _ in 0..count {
        let end = out[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| pos + i)
            .context("`git cat-file --batch` gave fewer answers than asked")?;
        let header = std::str::from_utf8(&out[pos..end])?;
        pos = end + 1;
        if header.ends_with(" missing") || header.ends_with(" ambiguous") {
            answers.push(None);
            continue;
        }
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("`git cat-file --batch` gave a bad header {header:?}"))?;
        let body = out
            .get(pos..pos + size)
            .context("`git cat-file --batch` output ends early")?;
        answers.push(Some(body.to_vec()));
        pos += size + 1;
    }
    Ok(answers)
}

/// The committer time (seconds since the epoch) of a raw commit object.
pub fn committer_time(raw: &[u8]) -> Option<i64> {
    let headers = &raw[..raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(raw.len())];
    let line = headers
        .split(|b| *b == b'\n')
        .find(|l| l.starts_with(b"committer "))?;
    // `committer Name <email> 1700000000 +0200`
    let text = std::str::from_utf8(line).ok()?;
    text.rsplit(' ').nth(1)?.parse().ok()
}

/// The message of a raw commit object (after its headers).
pub fn commit_message(raw: &[u8]) -> &[u8] {
    raw.windows(2)
        .position(|w| w == b"\n\n")
        .map_or(&[][..], |i| &raw[i + 2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_found_and_missing_answers() {
        let out = b"aaaa blob 3\nabc\nHEAD:nope missing\nbbbb commit 0\n\n";
        let a = parse_batch(out, 3).unwrap();
        assert_eq!(a, [Some(b"abc".to_vec()), None, Some(Vec::new())]);
        assert!(parse_batch(out, 4).is_err());
    }

    #[test]
    fn committer_time_is_read_from_the_headers() {
        let raw = b"tree t\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1700000000 +0200\n\nmsg\n";
        assert_eq!(committer_time(raw), Some(1_700_000_000));
        assert_eq!(
            committer_time(b"tree t\n\ncommitter in the message 5 +0000\n"),
            None
        );
    }

    #[test]
    fn message_follows_the_headers() {
        let raw = b"tree t\nauthor a\ngpgsig -----BEGIN\n x\n -----END\n\nRelease 1.0.0\n\nbody\n";
        assert_eq!(commit_message(raw), b"Release 1.0.0\n\nbody\n");
        assert_eq!(commit_message(b"tree t\n"), b"");
    }
}
