//! Keeps `Cargo.lock` current after a bump without running cargo, writing
//! what `cargo update --workspace` would: member entries (packages without a
//! `source`) take their new versions, entries stay sorted as cargo sorts
//! them (name, then version), and every reference is re-encoded as cargo
//! encodes it (`name` when one package has that name, `name version` when
//! that version is unique, `name version (source)` otherwise), so a moved
//! member can change how other entries are written.
//!
//! Also checks that a lock file is current before anything relies on it.

use semver::Version;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use toml_edit::{Document, Item};

/// One member whose version moves.
pub struct Move<'a> {
    pub name: &'a str,
    pub old: &'a Version,
    pub new: &'a Version,
}

/// A package as identified in the lock: name, version, source.
type Id = (String, String, Option<String>);

struct Entry<'t> {
    /// The `[[package]]` table's text, without trailing newlines.
    text: &'t str,
    id: Id,
    version_span: Range<usize>,
    deps_span: Option<Range<usize>>,
    deps: Vec<String>,
}

/// A `Cargo.lock`, read once for every check and rewrite.
pub struct Lock<'t> {
    text: &'t str,
    /// Everything before the first `[[package]]`.
    header: &'t str,
    entries: Vec<Entry<'t>>,
    /// Tables after the packages (`[[patch.unused]]`, `[metadata]`).
    trailer: Option<&'t str>,
}

/// Lines git leaves in a file with an unresolved conflict.
fn conflict_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.starts_with("<<<<<<<")
                || l.starts_with(">>>>>>>")
                || l.starts_with("|||||||")
                || l == "======="
        })
        .map(|i| i + 1)
}

/// Reads a lock file; fails on conflict markers or what cargo never writes.
pub fn read(text: &str) -> Result<Lock<'_>, String> {
    if let Some(line) = conflict_line(text) {
        return Err(format!(
            "it has merge-conflict markers (line {line}): resolve the conflict, then run \
             `cargo update --workspace` and commit it"
        ));
    }
    // Cargo writes each table from column 0; a block runs to the next one.
    let mut starts = Vec::new();
    let mut trailer = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end();
        if l == "[[package]]" {
            starts.push(at);
        } else if l.starts_with('[') && !starts.is_empty() {
            trailer = Some(at);
            break;
        }
        at += line.len();
    }
    let Some(&first) = starts.first() else {
        return Err("it has no [[package]] entries".into());
    };
    let doc = Document::parse(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let tables = doc
        .get("package")
        .and_then(Item::as_array_of_tables)
        .ok_or("it has no [[package]] entries")?;
    if tables.len() != starts.len() {
        return Err("its [[package]] tables are not written as cargo writes them".into());
    }
    let end = trailer.unwrap_or(text.len());
    let mut entries = Vec::with_capacity(starts.len());
    for (k, (&s, t)) in starts.iter().zip(tables.iter()).enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(end);
        entries.push(entry(t, text[s..e].trim_end_matches(['\n', '\r']), s)?);
    }
    Ok(Lock {
        text,
        header: &text[..first],
        entries,
        trailer: trailer.map(|t| &text[t..]),
    })
}

/// One `[[package]]` table; spans are made relative to its block at `at`.
fn entry<'t>(t: &toml_edit::Table, block: &'t str, at: usize) -> Result<Entry<'t>, String> {
    let bad = |what: &str| format!("a [[package]] entry {what}: {block:.60}");
    let rel = |r: Range<usize>| r.start - at..r.end - at;
    let name = t
        .get("name")
        .and_then(Item::as_str)
        .ok_or_else(|| bad("has no name"))?;
    let version = t
        .get("version")
        .and_then(Item::as_value)
        .ok_or_else(|| bad("has no version"))?;
    let source = t.get("source").and_then(Item::as_str).map(str::to_string);
    let (deps_span, deps) = match t.get("dependencies").and_then(Item::as_array) {
        Some(a) => (
            a.span().map(rel),
            a.iter()
                .map(|d| {
                    d.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| bad("has a bad dependency"))
                })
                .collect::<Result<_, _>>()?,
        ),
        None => (None, Vec::new()),
    };
    let version_span = rel(version.span().expect("parsed values have spans"));
    if block.get(version_span.clone()).is_none() {
        return Err(bad("is not written as cargo writes it"));
    }
    Ok(Entry {
        id: (
            name.to_string(),
            version
                .as_str()
                .ok_or_else(|| bad("has a bad version"))?
                .to_string(),
            source,
        ),
        version_span,
        deps_span,
        deps,
        text: block,
    })
}

/// Which entry a reference (`name`, `name version` or `name version
/// (source)`) points at.
fn resolve(r: &str, by_name: &HashMap<&str, Vec<usize>>, entries: &[Entry<'_>]) -> Option<usize> {
    let (name, rest) = r.split_once(' ').unwrap_or((r, ""));
    let (version, source) = match rest.split_once(' ') {
        Some((v, s)) => (v, s.strip_prefix('(')?.strip_suffix(')')),
        None => (rest, None),
    };
    let candidates = by_name.get(name)?;
    if version.is_empty() {
        return (candidates.len() == 1).then(|| candidates[0]);
    }
    let same: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| entries[i].id.1 == version)
        .collect();
    match (same.as_slice(), source) {
        ([one], None) => Some(*one),
        // Cargo never writes a path source: a bare `name version` among
        // several is the member.
        (_, None) => same.into_iter().find(|&i| entries[i].id.2.is_none()),
        (_, Some(s)) => same
            .into_iter()
            .find(|&i| entries[i].id.2.as_deref().map(strip_precise) == Some(strip_precise(s))),
    }
}

/// A git source's `#commit` is not written in references.
fn strip_precise(s: &str) -> &str {
    s.split_once('#').map_or(s, |(a, _)| a)
}

/// How cargo writes a reference to `id` given every package in the lock.
fn encode(
    id: &Id,
    counts: &HashMap<&str, HashMap<&str, usize>>,
) -> (String, Option<String>, Option<String>) {
    let versions = &counts[id.0.as_str()];
    let mut version = Some(id.1.clone());
    let mut source = id.2.as_deref().map(|s| strip_precise(s).to_string());
    if versions[id.1.as_str()] == 1 {
        source = None;
        if versions.len() == 1 {
            version = None;
        }
    }
    (id.0.clone(), version, source)
}

/// Rewrites `lock` for `moves`. Fails when the lock file does not list a
/// moving member at its old version (the lock is stale).
pub fn rewrite(lock: &Lock<'_>, moves: &[Move<'_>]) -> Result<String, String> {
    let entries = &lock.entries;
    // References as entry indexes, read before any version moves.
    let refs = references(entries)?;
    let (ids, moved) = move_members(entries, moves)?;
    if !moved.iter().any(|m| *m) {
        return Ok(lock.text.to_string());
    }
    let counts = counts(&ids);
    let texts: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let deps = encode_deps(&refs[i], &ids, &counts);
            let version = moved[i].then(|| ids[i].1.as_str());
            entry_text(e, version, &deps)
        })
        .collect();
    Ok(assemble(lock, &texts, &cargo_order(&ids)))
}

/// Entry indexes as cargo sorts packages: by name, then version; a tie (one
/// version from two sources) keeps the order cargo gave it.
fn cargo_order(ids: &[Id]) -> Vec<usize> {
    let key = |i: usize| (ids[i].0.clone(), Version::parse(&ids[i].1).ok(), i);
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_cached_key(|&i| key(i));
    order
}

/// The lock's text: its header, the entries' `texts` in `order`, its
/// trailer.
fn assemble(lock: &Lock<'_>, texts: &[Cow<'_, str>], order: &[usize]) -> String {
    let mut out = String::with_capacity(lock.text.len() + 64);
    out.push_str(lock.header);
    for (k, &i) in order.iter().enumerate() {
        if k > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&texts[i]);
    }
    match lock.trailer {
        Some(t) => {
            out.push_str("\n\n");
            out.push_str(t);
        }
        None => out.push('\n'),
    }
    out
}

/// Every entry's dependencies as entry indexes; a reference to a package
/// the lock does not list means it is stale.
fn references(entries: &[Entry<'_>]) -> Result<Vec<Vec<usize>>, String> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_name.entry(e.id.0.as_str()).or_default().push(i);
    }
    let mut refs = Vec::with_capacity(entries.len());
    for e in entries {
        let r: Vec<usize> = e
            .deps
            .iter()
            .map(|d| {
                resolve(d, &by_name, entries).ok_or_else(|| {
                    format!(
                        "its entry for {} {} names \"{d}\", which it does not list; it is out of \
                         date: run `cargo update --workspace` and commit it first",
                        e.id.0, e.id.1
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        refs.push(r);
    }
    Ok(refs)
}

/// Every entry's id once the members move, and which entries moved; a
/// moving member the lock does not list at its old version means it is
/// stale.
fn move_members(entries: &[Entry<'_>], moves: &[Move<'_>]) -> Result<(Vec<Id>, Vec<bool>), String> {
    let olds: HashMap<(&str, String), usize> = moves
        .iter()
        .enumerate()
        .map(|(k, m)| ((m.name, m.old.to_string()), k))
        .collect();
    let mut found = vec![false; moves.len()];
    let mut moved = vec![false; entries.len()];
    let mut ids: Vec<Id> = entries.iter().map(|e| e.id.clone()).collect();
    for (i, id) in ids.iter_mut().enumerate() {
        if id.2.is_some() {
            continue;
        }
        if let Some(&k) = olds.get(&(id.0.as_str(), id.1.clone())) {
            found[k] = true;
            moved[i] = true;
            id.1 = moves[k].new.to_string();
        }
    }
    let missing: Vec<String> = moves
        .iter()
        .zip(&found)
        .filter(|(_, f)| !**f)
        .map(|(m, _)| format!("{} {}", m.name, m.old))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "it has no entry for {}; it is out of date: run `cargo update --workspace` and commit it first",
            missing.join(", ")
        ));
    }
    Ok((ids, moved))
}

/// How many packages have each name and version.
fn counts(ids: &[Id]) -> HashMap<&str, HashMap<&str, usize>> {
    let mut counts: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for id in ids {
        *counts
            .entry(id.0.as_str())
            .or_default()
            .entry(id.1.as_str())
            .or_default() += 1;
    }
    counts
}

/// An entry's dependency list as cargo writes it: each reference encoded,
/// sorted.
fn encode_deps(
    refs: &[usize],
    ids: &[Id],
    counts: &HashMap<&str, HashMap<&str, usize>>,
) -> Vec<String> {
    let mut encoded: Vec<_> = refs.iter().map(|&d| encode(&ids[d], counts)).collect();
    encoded.sort();
    encoded
        .into_iter()
        .map(|(n, v, s)| match (v, s) {
            (None, _) => n,
            (Some(v), None) => format!("{n} {v}"),
            (Some(v), Some(s)) => format!("{n} {v} ({s})"),
        })
        .collect()
}

/// An entry's text with its new `version` (when it moved) and dependency
/// list (when it changed); the rest as written.
fn entry_text<'t>(e: &Entry<'t>, version: Option<&str>, deps: &[String]) -> Cow<'t, str> {
    let mut splices: Vec<(Range<usize>, String)> = Vec::new();
    if let Some(v) = version {
        splices.push((e.version_span.clone(), format!("\"{v}\"")));
    }
    if let Some(span) = &e.deps_span
        && deps != e.deps
    {
        let mut a = String::from("[\n");
        for d in deps {
            a.push_str(&format!(" \"{d}\",\n"));
        }
        a.push(']');
        splices.push((span.clone(), a));
    }
    if splices.is_empty() {
        Cow::Borrowed(e.text)
    } else {
        Cow::Owned(splice(e.text, splices))
    }
}

fn splice(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for (r, v) in edits {
        out.push_str(&text[at..r.start]);
        out.push_str(&v);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What a bump's moves mean beyond the moved versions themselves.
pub struct Context<'a> {
    /// Packages the root manifest's `[patch]` tables replace.
    pub patched: Vec<&'a str>,
    /// For each moving member: `(package, requirement)` of its registry
    /// and git dependencies.
    pub requirements: Vec<(&'a str, Vec<(&'a str, &'a str)>)>,
}

/// Why the lock cannot be rewritten offline to what `cargo update
/// --workspace` writes, if it cannot: cargo then has to resolve again.
///
/// Cargo re-resolves the dependencies of a member whose version changed, so
/// its answer depends on more than the versions: a requirement that several
/// locked versions match may be resolved to another one, a registry package
/// of a moving member's name may be updated with it, and a `[patch]` of a
/// moving member may stop applying (a pre-release matches no plain
/// requirement of the packages it patched).
pub fn needs_cargo(lock: &Lock<'_>, moves: &[Move<'_>], cx: &Context<'_>) -> Option<String> {
    let moving = |n: &str| moves.iter().any(|m| m.name == n);
    if let Some(m) = moves.iter().find(|m| {
        lock.entries
            .iter()
            .any(|e| e.id.0 == m.name && e.id.2.is_some())
    }) {
        return Some(format!(
            "`{}` is also a registry or git package in it",
            m.name
        ));
    }
    if let Some(p) = cx.patched.iter().find(|p| moving(p)) {
        return Some(format!("`[patch]` replaces `{p}`"));
    }
    for (member, reqs) in &cx.requirements {
        for (dep, req) in reqs {
            let Ok(r) = semver::VersionReq::parse(req) else {
                continue;
            };
            let n = lock
                .entries
                .iter()
                .filter(|e| e.id.0 == *dep && Version::parse(&e.id.1).is_ok_and(|v| r.matches(&v)))
                .count();
            if n > 1 {
                return Some(format!(
                    "`{member}` requires `{dep}` \"{req}\", which {n} locked versions match"
                ));
            }
        }
    }
    None
}

/// A workspace member as its manifest describes it.
pub struct Member<'a> {
    pub name: &'a str,
    pub version: &'a Version,
    /// The packages it depends on (any kind, target or feature).
    pub deps: Vec<&'a str>,
}

/// Whether `text` is current for `members`: readable, free of conflict
/// markers, listing every member at its version with every dependency its
/// manifest names. Returns what is wrong, with what to do.
pub fn check(lock: &Lock<'_>, members: &[Member<'_>]) -> Vec<String> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in lock.entries.iter().enumerate() {
        by_name.entry(e.id.0.as_str()).or_default().push(i);
    }
    let fix = "it is out of date: run `cargo update --workspace` and commit it";
    let mut out = Vec::new();
    for m in members {
        let version = m.version.to_string();
        let Some(e) = by_name.get(m.name).and_then(|c| {
            c.iter()
                .map(|&i| &lock.entries[i])
                .find(|e| e.id.2.is_none() && e.id.1 == version)
        }) else {
            out.push(format!(
                "it has no entry for member {} {version}; {fix}",
                m.name
            ));
            continue;
        };
        let listed: Vec<&str> = e
            .deps
            .iter()
            .map(|d| d.split(' ').next().unwrap_or_default())
            .collect();
        let mut absent: Vec<&str> = m
            .deps
            .iter()
            .copied()
            .filter(|d| !listed.contains(d))
            .collect();
        absent.sort_unstable();
        absent.dedup();
        if !absent.is_empty() {
            out.push(format!(
                "its entry for {} does not list {} (in its manifest); {fix}",
                m.name,
                absent
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "a"
version = "1.0.0-dev"
dependencies = [
 "b",
 "c 0.3.0",
 "serde",
]

[[package]]
name = "b"
version = "1.0.0-dev"

[[package]]
name = "c"
version = "0.2.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"

[[package]]
name = "c"
version = "0.3.0"

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
"#;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn moves_members_and_versioned_references_only() {
        let (a0, a1, b0, b1, c0, c1) = (
            v("1.0.0-dev"),
            v("2.0.0-dev"),
            v("1.0.0-dev"),
            v("2.0.0-dev"),
            v("0.3.0"),
            v("0.4.0-dev"),
        );
        let out = rewrite(
            &read(LOCK).unwrap(),
            &[
                Move {
                    name: "a",
                    old: &a0,
                    new: &a1,
                },
                Move {
                    name: "b",
                    old: &b0,
                    new: &b1,
                },
                Move {
                    name: "c",
                    old: &c0,
                    new: &c1,
                },
            ],
        )
        .unwrap();
        let expected = LOCK
            .replace(
                "name = \"a\"\nversion = \"1.0.0-dev\"",
                "name = \"a\"\nversion = \"2.0.0-dev\"",
            )
            .replace(
                "name = \"b\"\nversion = \"1.0.0-dev\"",
                "name = \"b\"\nversion = \"2.0.0-dev\"",
            )
            .replace(
                "name = \"c\"\nversion = \"0.3.0\"",
                "name = \"c\"\nversion = \"0.4.0-dev\"",
            )
            .replace("\"c 0.3.0\"", "\"c 0.4.0-dev\"");
        assert_eq!(out, expected);
    }

    /// What `cargo update -w` writes when a member that shared its version
    /// with a registry package moves past it: the registry entry loses its
    /// `(source)`, references are re-sorted, and so are the entries.
    #[test]
    fn references_and_order_are_encoded_as_cargo_does() {
        let lock = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "t 1.0.0",
 "t 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "t"
version = "1.0.0"
dependencies = [
 "u",
]

[[package]]
name = "t"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"

[[package]]
name = "t"
version = "1.0.5"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "01"

[[package]]
name = "u"
version = "0.1.0"
"#;
        let (o, n) = (v("1.0.0"), v("1.1.0"));
        let out = rewrite(
            &read(lock).unwrap(),
            &[Move {
                name: "t",
                old: &o,
                new: &n,
            }],
        )
        .unwrap();
        let expected = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "t 1.0.0",
 "t 1.1.0",
]

[[package]]
name = "t"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"

[[package]]
name = "t"
version = "1.0.5"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "01"

[[package]]
name = "t"
version = "1.1.0"
dependencies = [
 "u",
]

[[package]]
name = "u"
version = "0.1.0"
"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn cargo_relocks_when_resolution_could_change() {
        let (c0, c1, a0, a1) = (v("0.3.0"), v("0.4.0"), v("1.0.0-dev"), v("2.0.0-dev"));
        let none = Context {
            patched: vec![],
            requirements: vec![],
        };
        let mv_a = [Move {
            name: "a",
            old: &a0,
            new: &a1,
        }];
        assert_eq!(needs_cargo(&read(LOCK).unwrap(), &mv_a, &none), None);
        // `c` is also a registry package.
        let mv_c = [Move {
            name: "c",
            old: &c0,
            new: &c1,
        }];
        let why = needs_cargo(&read(LOCK).unwrap(), &mv_c, &none).unwrap();
        assert!(
            why.contains("`c` is also a registry or git package"),
            "{why}"
        );
        // A [patch] of a moving member.
        let patched = Context {
            patched: vec!["a"],
            requirements: vec![],
        };
        assert_eq!(
            needs_cargo(&read(LOCK).unwrap(), &mv_a, &patched).unwrap(),
            "`[patch]` replaces `a`"
        );
        // A requirement that two locked versions of `c` match; one that a
        // single version matches is not a reason.
        let ranged = Context {
            patched: vec![],
            requirements: vec![("a", vec![("c", ">=0.2"), ("serde", "1")])],
        };
        let why = needs_cargo(&read(LOCK).unwrap(), &mv_a, &ranged).unwrap();
        assert!(
            why.contains("`a` requires `c` \">=0.2\", which 2 locked versions match"),
            "{why}"
        );
        let narrow = Context {
            patched: vec![],
            requirements: vec![("a", vec![("c", "0.3"), ("serde", "1")])],
        };
        assert_eq!(needs_cargo(&read(LOCK).unwrap(), &mv_a, &narrow), None);
    }

    #[test]
    fn a_lock_without_moves_is_left_byte_for_byte() {
        let own = include_str!("../../Cargo.lock");
        assert_eq!(rewrite(&read(own).unwrap(), &[]).unwrap(), own);
    }

    #[test]
    fn stale_lock_is_an_error() {
        let (o, n) = (v("9.0.0"), v("10.0.0"));
        let e = rewrite(
            &read(LOCK).unwrap(),
            &[Move {
                name: "a",
                old: &o,
                new: &n,
            }],
        )
        .unwrap_err();
        assert!(e.contains("no entry for a 9.0.0"), "{e}");
    }

    #[test]
    fn check_finds_conflicts_missing_members_and_unlocked_dependencies() {
        let conflicted = LOCK.replace(
            "[[package]]\nname = \"b\"",
            "<<<<<<< HEAD\n[[package]]\n=======\n>>>>>>> other\nname = \"b\"",
        );
        let e = read(&conflicted).err().unwrap();
        assert!(e.contains("merge-conflict markers (line 14)"), "{e}");
        let a = v("1.0.0-dev");
        let b = v("2.0.0");
        let e = check(
            &read(LOCK).unwrap(),
            &[
                Member {
                    name: "a",
                    version: &a,
                    deps: vec!["b", "serde", "c", "rand", "regex"],
                },
                Member {
                    name: "b",
                    version: &b,
                    deps: vec![],
                },
            ],
        );
        assert_eq!(
            e,
            [
                "its entry for a does not list `rand`, `regex` (in its manifest); it is out of date: \
                 run `cargo update --workspace` and commit it",
                "it has no entry for member b 2.0.0; it is out of date: run `cargo update --workspace` \
                 and commit it",
            ]
        );
        let ok = check(
            &read(LOCK).unwrap(),
            &[Member {
                name: "a",
                version: &a,
                deps: vec!["b", "c", "serde"],
            }],
        );
        assert!(ok.is_empty(), "{ok:?}");
    }
}
