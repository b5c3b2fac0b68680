//! A plan in words: one line per effect for messages (what is left when a
//! run stops), and the whole plan as a dry run prints it: every effect
//! numbered, commits with their diffs and messages, the push as the git
//! command it is.

use super::{Effect, Hook, NewCommit, Pack, Pick, Plan, Rev, Uploads};
use crate::adapters::forge::{self, NewRelease};
use crate::core::refs::short;
use std::fmt::Write as _;
use std::path::PathBuf;

impl Plan {
    /// How a commit is named in messages.
    pub fn name(&self, r: &Rev) -> String {
        match r {
            Rev::At { oid, name } => format!("{name} ({})", short(oid)),
            Rev::Made(n) => match self.made_titles().nth(*n) {
                Some(t) => format!("commit {} \"{t}\"", n + 1),
                None => format!("commit {}", n + 1),
            },
        }
    }

    /// One line for an effect: what is left when a run stops before it.
    pub fn describe(&self, e: &Effect) -> String {
        match e {
            Effect::Commit(c) => format!("commit \"{}\" on {}", c.title(), self.name(&c.base)),
            Effect::Pick(p) => format!(
                "cherry-pick of {} \"{}\" on {}",
                short(&p.commit),
                p.title(),
                self.name(&p.base)
            ),
            Effect::Push { remote, updates } => format!(
                "push to `{remote}`: {}",
                updates
                    .iter()
                    .map(|(r, b)| format!("{b} at {}", self.name(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Effect::PullRequest(p) => {
                format!("pull request {} -> {}: {}", p.head, p.base, p.title)
            }
            Effect::FastForward { branch, to } => {
                format!("bring local `{branch}` to {}", self.name(to))
            }
            Effect::Tag { name, at } => format!("tag `{name}` at {}", self.name(at)),
            Effect::Files(f) => format!("write {}", paths(f)),
            Effect::Run(r) => format!("run {} {}", r.program, r.args.join(" ")),
            Effect::CreateDir(d) => format!("create {}", d.display()),
            Effect::Pack(p) => format!("pack {}", p.archive.display()),
            Effect::SourceTarball { archive, .. } => format!("write {}", archive.display()),
            Effect::Copy { from, to } => format!("copy {} to {}", from.display(), to.display()),
            Effect::Sums { file, files } => {
                format!("write {} of {} files", file.display(), files.len())
            }
            Effect::Release { new, .. } => format!("release {}", new.tag),
            Effect::Assets { release, files } => {
                format!("{} assets of the release {}", files.len(), release.tag)
            }
            Effect::MintToken { registry, .. } => {
                format!("a trusted publishing token for `{registry}`")
            }
            Effect::Publish(u) => {
                format!("publish {} crates to `{}`", u.todo().count(), u.registry)
            }
            Effect::Yank(y) => format!("yank {} versions from `{}`", y.versions.len(), y.registry),
            Effect::RevokeTokens { registry } => {
                format!("revoke the trusted publishing tokens of `{registry}`")
            }
            Effect::Output { file, line } => format!("append `{line}` to {}", file.display()),
            Effect::Issue(i) => match i.number {
                Some(n) => format!("edit the tracking issue #{n} \"{}\"", i.title),
                None => format!("open the tracking issue \"{}\"", i.title),
            },
        }
    }

    /// The plan as a dry run prints it: every effect numbered, in order.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut made = 0;
        for (i, e) in self.effects.iter().chain(&self.finally).enumerate() {
            let _ = write!(s, "{}. ", i + 1);
            if matches!(e, Effect::Commit(_) | Effect::Pick(_)) {
                made += 1;
            }
            self.render_one(&mut s, e, made);
        }
        s
    }

    /// One effect in full; `made` counts the commits so far, this one's
    /// included.
    fn render_one(&self, s: &mut String, e: &Effect, made: usize) {
        match e {
            Effect::Commit(c) => self.render_commit(s, c, made),
            Effect::Pick(p) => self.render_pick(s, p, made),
            Effect::Push { remote, updates } => {
                let specs: Vec<String> = updates
                    .iter()
                    .map(|(r, b)| format!("{}:refs/heads/{b}", self.spec(r)))
                    .collect();
                let _ = writeln!(
                    s,
                    "would run: git push --atomic {remote} {}",
                    specs.join(" ")
                );
            }
            Effect::PullRequest(p) => {
                let _ = writeln!(s, "would open {}", forge::render(p));
            }
            Effect::FastForward { branch, to } => {
                let _ = writeln!(
                    s,
                    "would bring local `{branch}` to {} if it is a clean fast-forward",
                    self.name(to)
                );
            }
            Effect::Tag { name, at } => {
                let _ = writeln!(s, "would create tag {name} at {}", self.spec(at));
            }
            Effect::Files(f) => {
                let _ = writeln!(s, "would write {}", paths(f));
                s.push_str(&f.changes.diff());
                hooks(s, &f.hooks);
            }
            Effect::Pack(p) => pack(s, p),
            Effect::Release { new, assets } => release(s, new, assets),
            Effect::Assets { release, files } => {
                let _ = writeln!(s, "would add to the release {}:", release.tag);
                uploads(s, files);
            }
            Effect::Publish(u) => publish(s, u),
            Effect::Issue(i) => issue(s, i),
            Effect::Yank(y) => {
                let _ = writeln!(
                    s,
                    "would yank {} from `{}`",
                    count(y.versions.len(), "version"),
                    y.registry
                );
                for (name, v) in &y.versions {
                    let _ = writeln!(s, "would yank {name} {v} from {}", y.registry);
                }
            }
            e => {
                let _ = writeln!(s, "would {}", self.describe(e));
            }
        }
    }

    fn render_commit(&self, s: &mut String, c: &NewCommit, made: usize) {
        let _ = writeln!(
            s,
            "commit {made} \"{}\" on {} ({})",
            c.title(),
            self.name(&c.base),
            count(c.changes.files.len(), "file")
        );
        s.push_str(&c.changes.diff());
        hooks(s, &c.hooks);
        message(s, &c.message.join("\n\n"));
    }

    fn render_pick(&self, s: &mut String, p: &Pick, made: usize) {
        let _ = writeln!(
            s,
            "commit {made} \"{}\" on {}: cherry-pick of {} by {} <{}> ({})",
            p.title(),
            self.name(&p.base),
            p.commit,
            p.author.name,
            p.author.email,
            count(p.files.len(), "file")
        );
        for f in &p.files {
            let _ = writeln!(s, "    {f}");
        }
        message(s, &p.message);
    }

    fn spec(&self, r: &Rev) -> String {
        match r {
            Rev::At { oid, .. } => oid.to_string(),
            Rev::Made(n) => format!("<commit {}>", n + 1),
        }
    }
}

fn issue(s: &mut String, i: &super::IssueEdit) {
    match i.number {
        Some(n) => {
            let _ = writeln!(s, "would edit the tracking issue #{n} \"{}\":", i.title);
        }
        None => {
            let _ = writeln!(s, "would open the tracking issue \"{}\":", i.title);
            for line in i.body.lines() {
                let _ = writeln!(s, "    {line}");
            }
        }
    }
    for e in &i.edits {
        let _ = writeln!(s, "  would {}", e.describe());
    }
    if i.close {
        let _ = writeln!(s, "  would close it once its release is done");
    }
}

fn hooks(s: &mut String, hooks: &[Hook]) {
    for h in hooks {
        let _ = writeln!(s, "would run: {}", h.command);
    }
}

fn release(s: &mut String, new: &NewRelease, assets: &[PathBuf]) {
    let marks = match (new.prerelease, new.latest) {
        (true, _) => " (pre-release)",
        (false, true) => " (release, latest)",
        (false, false) => " (release)",
    };
    let _ = writeln!(
        s,
        "would create the release {}{marks} with its notes",
        new.tag
    );
    for line in new.body.lines() {
        let _ = writeln!(s, "    {line}");
    }
    uploads(s, assets);
}

fn uploads(s: &mut String, files: &[PathBuf]) {
    for a in files {
        let _ = writeln!(s, "would upload {}", file_name(a));
    }
}

fn message(s: &mut String, text: &str) {
    let _ = writeln!(s, "message:");
    for line in text.lines() {
        let _ = writeln!(s, "    {line}");
    }
}

fn pack(s: &mut String, p: &Pack) {
    let _ = writeln!(s, "would pack {} ({}/):", p.archive.display(), p.dir);
    for (from, name) in &p.files {
        let _ = writeln!(s, "    {name} from {}", from.display());
    }
}

fn publish(s: &mut String, u: &Uploads) {
    let todo: Vec<usize> = u.todo().collect();
    let _ = writeln!(
        s,
        "would publish {} to `{}` ({} already there), in this order:",
        count(todo.len(), "crate"),
        u.registry,
        u.crates.len() - todo.len()
    );
    for p in todo {
        let c = &u.crates[p];
        let _ = writeln!(
            s,
            "would publish {} {} to {}",
            c.name, c.version, u.registry
        );
    }
}

fn paths(f: &super::Files) -> String {
    let names: Vec<String> = f
        .changes
        .files
        .iter()
        .map(|c| c.path.display().to_string())
        .collect();
    format!(
        "{} in {}: {}",
        count(names.len(), "file"),
        f.root.display(),
        names.join(", ")
    )
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// `1 file`, `3 files`.
pub(crate) fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
