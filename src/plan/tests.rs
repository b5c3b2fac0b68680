use super::*;
use crate::core::changeset::ChangeSet;

#[test]
fn commits_are_named_by_their_place_and_rendered_with_the_push() {
    let mut p = Plan::default();
    let base = Rev::at("0123456789abcdef", "origin/main");
    let mut changes = ChangeSet::default();
    changes.set("Cargo.toml", Some("v = 1\n".into()), "v = 2\n".into());
    let c = p.commit(NewCommit {
        base: base.clone(),
        changes,
        hooks: Vec::new(),
        message: vec!["Bump to 2".into(), "marker".into()],
    });
    assert_eq!(c, Rev::Made(0));
    p.push(
        "origin",
        vec![(base, "release-1".into()), (c, "main".into())],
    );
    let r = p.render();
    assert!(
        r.contains("1. commit 1 \"Bump to 2\" on origin/main (0123456789) (1 file)"),
        "{r}"
    );
    assert!(r.contains("+v = 2\n"), "{r}");
    assert!(
        r.contains(
            "would run: git push --atomic origin 0123456789abcdef:refs/heads/release-1 <commit 1>:refs/heads/main"
        ),
        "{r}"
    );
    assert_eq!(
        p.describe(&p.effects[1]),
        "push to `origin`: release-1 at origin/main (0123456789), main at commit 1 \"Bump to 2\""
    );
}

#[test]
fn picks_count_among_the_commits_and_render_with_their_author() {
    let mut p = Plan::default();
    let tip = Rev::at("fedcba9876543210", "origin/release-1.0.0");
    let pick = |base: Rev, commit: &str, title: &str| Pick {
        base,
        commit: commit.into(),
        parent: format!("{commit}^").into(),
        author: Author {
            name: "Ada".into(),
            email: "ada@example.invalid".into(),
            date: "1700000000 +0200".into(),
        },
        message: format!("{title}\n\n(cherry picked from commit {commit})"),
        files: vec!["src/a.rs".into()],
    };
    let a = p.pick(pick(tip, "aaaaaaaaaaaa", "Fix A"));
    let b = p.pick(pick(a.clone(), "bbbbbbbbbbbb", "Fix B"));
    let notes = p.commit(NewCommit {
        base: b.clone(),
        changes: ChangeSet::default(),
        hooks: Vec::new(),
        message: vec!["Notes".into()],
    });
    assert_eq!(
        (a, b.clone(), notes.clone()),
        (Rev::Made(0), Rev::Made(1), Rev::Made(2))
    );
    assert_eq!(p.picks().count(), 2);
    assert_eq!(p.name(&b), "commit 2 \"Fix B\"");
    assert_eq!(
        p.describe(&p.effects[1]),
        "cherry-pick of bbbbbbbbbb \"Fix B\" on commit 1 \"Fix A\""
    );
    p.push("origin", vec![(notes, "release-1.0.0".into())]);
    let r = p.render();
    assert!(
        r.contains("1. commit 1 \"Fix A\" on origin/release-1.0.0 (fedcba9876): cherry-pick of aaaaaaaaaaaa by Ada <ada@example.invalid> (1 file)\n    src/a.rs\n"),
        "{r}"
    );
    assert!(
        r.contains("    (cherry picked from commit bbbbbbbbbbbb)\n"),
        "{r}"
    );
    assert!(
        r.contains("3. commit 3 \"Notes\" on commit 2 \"Fix B\" (0 files)"),
        "{r}"
    );
    assert!(
        r.contains("git push --atomic origin <commit 3>:refs/heads/release-1.0.0"),
        "{r}"
    );
}
