//! `cargo train artifacts [--target T] [--out DIR]`: the release's binaries
//! for one target, each packed as `<bin>-<version>-<target>.tar.gz` (`.zip`
//! for Windows targets), a source tarball of the commit checked out (not with
//! `--no-source`), and `SHA256SUMS`, in `dist/`.
//!
//! STEP 1: build every binary of the publishable crates in release mode.
//! STEP 2: pack each. STEP 3: `git archive` the tree. STEP 4: the sums.
//!
//! `--gather DIR...` builds nothing: it takes the archives that runs for
//! other targets wrote (each DIR with its `SHA256SUMS`, every file checked
//! against it), adds the source tarball, and writes one `SHA256SUMS` for all.

use crate::adapters::{archive, cargo, fs};
use crate::plan::{self, Effect, Pack, Plan};
use crate::train::Context;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The archive of binary `bin` for `target`, as `artifacts` names it (and
/// cargo-train's own `[package.metadata.binstall]` expects it).
pub fn archive_name(bin: &str, version: &str, target: &str) -> String {
    let ext = if target.contains("windows") {
        ".zip"
    } else {
        ".tar.gz"
    };
    format!("{bin}-{version}-{target}{ext}")
}

fn host_target() -> Result<String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("cannot run rustc")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .context("rustc -vV names no host")
}

/// The artifacts for one target (default: the host), in `out`.
pub fn plan(ctx: &Context, target: Option<&str>, out: &Path, source: bool) -> Result<Plan> {
    let target = match target {
        Some(t) => t.to_string(),
        None => host_target()?,
    };
    let meta = cargo::metadata(&ctx.root)?;
    let version = train_version(ctx)?;
    let mut plan = Plan::default();
    let out_dir = ctx.root.join(out);
    check_out(&out_dir)?;
    // STEP 1
    let bins = binaries(ctx, &meta);
    if !bins.is_empty() {
        crate::output::say("Building", &format!("{} binaries for {target}", bins.len()));
        plan.add(Effect::Run(build(ctx, &target, &bins)));
    }
    plan.add(Effect::CreateDir(out_dir.clone()));
    // STEP 2
    let built = meta
        .target_directory
        .clone()
        .into_std_path_buf()
        .join(&target)
        .join("release");
    let mut files = Vec::new();
    for (_, b) in &bins {
        let pack = pack(ctx, &built, b, &version.to_string(), &target, &out_dir);
        files.push(pack.archive.clone());
        plan.add(Effect::Pack(pack));
    }
    // STEP 3
    if source {
        files.push(source_tarball(ctx, &out_dir, &mut plan)?);
    }
    // STEP 4
    sums(&out_dir, files, &mut plan);
    Ok(plan)
}

/// The version the artifacts are named after: the train's.
fn train_version(ctx: &Context) -> Result<semver::Version> {
    ctx.ws
        .train_version()
        .context("the workspace has no version")
}

/// Every binary of the publishable crates, as (package, binary).
fn binaries(ctx: &Context, meta: &cargo_metadata::Metadata) -> Vec<(String, String)> {
    let mut bins = Vec::new();
    for c in ctx.ws.crates.iter().filter(|c| c.publishable) {
        let Some(p) = meta.packages.iter().find(|p| p.name.as_str() == c.name) else {
            continue;
        };
        for t in p.targets.iter().filter(|t| t.is_bin()) {
            bins.push((c.name.clone(), t.name.clone()));
        }
    }
    bins
}

/// One release build of every binary for `target`.
fn build(ctx: &Context, target: &str, bins: &[(String, String)]) -> plan::Run {
    let mut args = vec![
        "build".to_string(),
        "--release".into(),
        "--locked".into(),
        "--target".into(),
        target.to_string(),
    ];
    for (p, b) in bins {
        args.extend(["--package".into(), p.clone(), "--bin".into(), b.clone()]);
    }
    plan::Run {
        program: "cargo".into(),
        args,
        dir: ctx.root.clone(),
    }
}

/// The archive of binary `bin` (built in `built`) with the workspace's
/// README and licenses, in `out_dir`.
fn pack(
    ctx: &Context,
    built: &Path,
    bin: &str,
    version: &str,
    target: &str,
    out_dir: &Path,
) -> Pack {
    let windows = target.contains("windows");
    let exe = if windows {
        format!("{bin}.exe")
    } else {
        bin.to_string()
    };
    let mut inside: Vec<(PathBuf, String)> = vec![(built.join(&exe), exe)];
    for extra in ["README.md", "LICENSE", "LICENSE-MIT", "LICENSE-APACHE"] {
        if ctx.root.join(extra).is_file() {
            inside.push((ctx.root.join(extra), extra.to_string()));
        }
    }
    Pack {
        archive: out_dir.join(archive_name(bin, version, target)),
        dir: format!("{bin}-{version}-{target}"),
        files: inside,
        zip: windows,
    }
}

/// `<project>-<version>`: the source tarball's directory.
fn source_dir(ctx: &Context) -> Result<String> {
    let version = train_version(ctx)?;
    let project = super::project_name(ctx);
    // It names a file in `--out` and the tarball's top directory.
    if project.contains(['/', '\\']) || project.starts_with('.') {
        bail!(
            "the project's name `{project}` cannot name the source tarball (it has `/` or `\\`, \
             or starts with `.`): set `project` to a plain name, or pass --no-source"
        );
    }
    Ok(format!("{project}-{version}"))
}

/// `--out` is a directory of its own: not a link (what is written would
/// land wherever it points).
fn check_out(out_dir: &Path) -> Result<()> {
    if std::fs::symlink_metadata(out_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "--out {} is a symbolic link: give the directory itself; nothing was written",
            out_dir.display()
        );
    }
    Ok(())
}

/// `<project>-<version>-src.tar.gz`: `git archive` of HEAD under one directory.
fn source_tarball(ctx: &Context, out_dir: &Path, plan: &mut Plan) -> Result<PathBuf> {
    let dir = source_dir(ctx)?;
    let src = out_dir.join(format!("{dir}-src.tar.gz"));
    plan.add(Effect::SourceTarball {
        archive: src.clone(),
        prefix: format!("{dir}/"),
        rev: "HEAD".into(),
    });
    Ok(src)
}

/// `SHA256SUMS` of `files` in `out_dir`.
fn sums(out_dir: &Path, files: Vec<PathBuf>, plan: &mut Plan) {
    plan.add(Effect::Sums {
        file: out_dir.join("SHA256SUMS"),
        files,
    });
}

/// `--gather DIR...`: every archive of `dirs` (checked against its
/// directory's `SHA256SUMS`) copied into `out`, the source tarball unless
/// `source` is false, and one `SHA256SUMS`. Everything is checked before
/// anything is written.
pub fn plan_gather(ctx: &Context, dirs: &[PathBuf], out: &Path, source: bool) -> Result<Plan> {
    let out_dir = ctx.root.join(out);
    check_out(&out_dir)?;
    refuse_input_as_output(&ctx.root, dirs, &out_dir)?;
    // name -> the file to copy
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (i, dir) in dirs.iter().enumerate() {
        if dirs[..i].contains(dir) {
            bail!(
                "--gather names {} twice: name each directory once",
                dir.display()
            );
        }
        gather_dir(&ctx.root.join(dir), &mut found)?;
    }
    refuse_strangers(ctx, &out_dir, &found, source)?;
    let mut plan = Plan::default();
    plan.add(Effect::CreateDir(out_dir.clone()));
    let mut files = Vec::new();
    for (name, from) in &found {
        let to = out_dir.join(name);
        plan.add(Effect::Copy {
            from: from.clone(),
            to: to.clone(),
        });
        files.push(to);
    }
    plan.then_say(
        "Gathered",
        format!("{} archives from {} directories", found.len(), dirs.len()),
    );
    if source {
        files.push(source_tarball(ctx, &out_dir, &mut plan)?);
    }
    sums(&out_dir, files, &mut plan);
    Ok(plan)
}

/// The files `dir`'s `SHA256SUMS` lists, each checked against its sum,
/// added to `found` (by name); a file listed twice over the directories, or
/// one in `dir` nobody listed, is an error.
fn gather_dir(dir: &Path, found: &mut BTreeMap<String, PathBuf>) -> Result<()> {
    let sums_file = dir.join("SHA256SUMS");
    if let Some(kind) = fs::not_plain(&sums_file) {
        bail!(
            "{} is not a regular file ({kind}): --gather reads only what `cargo train \
             artifacts` wrote",
            sums_file.display()
        );
    }
    let text = std::fs::read_to_string(&sums_file).with_context(|| {
        format!(
            "cannot read {}: --gather takes the directories that `cargo train artifacts` wrote",
            sums_file.display()
        )
    })?;
    let sums = archive::parse_sums(&text).map_err(|line| {
        anyhow::anyhow!(
            "{} line {line} is not `<sha256>  <file name>`",
            sums_file.display()
        )
    })?;
    let mut listed: Vec<&str> = Vec::new();
    for (i, (hex, name)) in sums.iter().enumerate() {
        if let Some(first) = sums[..i].iter().position(|(_, n)| n == name) {
            bail!(
                "{} lists {name} twice (lines {} and {}): one sum a file",
                sums_file.display(),
                first + 1,
                i + 1
            );
        }
        let file = dir.join(name);
        let plain = !name.contains('/') && name != "." && name != "..";
        if !plain || fs::not_plain(&file).is_some() {
            bail!(
                "{} lists {name}, which is not a plain file of {} (a link, a directory or a \
                 path elsewhere): gathering takes only the archives themselves",
                sums_file.display(),
                dir.display()
            );
        }
        if !file.is_file() {
            bail!(
                "{} lists {name}, which is not in {}",
                sums_file.display(),
                dir.display()
            );
        }
        if archive::sha256_hex(&file)? != *hex {
            bail!(
                "{} does not match its SHA-256 in {}: it was damaged on the way; build it again",
                file.display(),
                sums_file.display()
            );
        }
        if let Some(other) = found.get(name) {
            bail!(
                "{name} is in both {} and {}: gather the archives of distinct targets (built with --no-source)",
                other.parent().unwrap_or(other).display(),
                dir.display()
            );
        }
        found.insert(name.clone(), file);
        listed.push(name);
    }
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the directory {}", dir.display()))?
    {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name != "SHA256SUMS" && !listed.contains(&name.as_str()) {
            bail!(
                "{} is not listed in {}: not gathering a file nobody vouched for",
                dir.join(&name).display(),
                sums_file.display()
            );
        }
    }
    Ok(())
}

/// Gathering reads the directories and writes `--out`: one that is both
/// would have its archives overwritten by their own copies.
fn refuse_input_as_output(root: &Path, dirs: &[PathBuf], out_dir: &Path) -> Result<()> {
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(out) = real(out_dir) else {
        return Ok(());
    };
    for d in dirs {
        if real(&root.join(d)).is_some_and(|d| d == out) {
            bail!(
                "--out {} is also a directory to gather ({}): gather into another directory",
                out_dir.display(),
                d.display()
            );
        }
    }
    Ok(())
}

/// Never overwrite what is not ours to write: `out_dir` may hold only what
/// gathering writes.
fn refuse_strangers(
    ctx: &Context,
    out_dir: &Path,
    found: &BTreeMap<String, PathBuf>,
    source: bool,
) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return Ok(());
    };
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        // Checked before anything is written: a link among them would be
        // written through.
        if let Some(kind) = fs::not_plain(&e.path()) {
            bail!(
                "{} holds {name}, which is {kind}: remove it or choose another --out; nothing \
                 was written",
                out_dir.display()
            );
        }
        let ours = name == "SHA256SUMS"
            || found.contains_key(&name)
            || (source && name == format!("{}-src.tar.gz", source_dir(ctx)?));
        if !ours {
            bail!(
                "{} already holds {name}, which is not among the gathered files: remove it or choose another --out",
                out_dir.display()
            );
        }
    }
    Ok(())
}
