//! `cargo train artifacts [--target T] [--out DIR]`: the release's binaries
//! for one target, each packed as `<bin>-<version>-<target>.tar.gz` (`.zip`
//! for Windows targets), a source tarball of the commit checked out, and
//! `SHA256SUMS`, in `dist/`.
//!
//! STEP 1: build every binary of the publishable crates in release mode.
//! STEP 2: pack each. STEP 3: `git archive` the tree. STEP 4: the sums.

use crate::adapters::{archive, cargo};
use crate::core::changeset::ChangeSet;
use crate::exec::Executor;
use crate::train::Context;
use crate::train::repo::Repo;
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

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

pub fn run(
    ctx: &Context,
    repo: &Repo,
    target: Option<&str>,
    out: &Path,
    exec: &Executor,
) -> Result<Vec<PathBuf>> {
    let target = match target {
        Some(t) => t.to_string(),
        None => host_target()?,
    };
    let windows = target.contains("windows");
    let meta = cargo::metadata(&ctx.root)?;
    let project = super::project_name(ctx);
    let version = ctx
        .ws
        .workspace_version()
        .or_else(|| ctx.ws.crates.first().map(|c| c.version.clone()))
        .context("the workspace has no version")?;

    // STEP 1
    let mut bins: Vec<(String, String)> = Vec::new(); // (package, bin)
    for c in ctx.ws.crates.iter().filter(|c| c.publishable) {
        let Some(p) = meta.packages.iter().find(|p| p.name.as_str() == c.name) else {
            continue;
        };
        for t in p.targets.iter().filter(|t| t.is_bin()) {
            bins.push((c.name.clone(), t.name.clone()));
        }
    }
    let mut files = Vec::new();
    let out_dir = ctx.root.join(out);
    if !bins.is_empty() {
        let mut cmd = vec![
            "build".to_string(),
            "--release".into(),
            "--locked".into(),
            "--target".into(),
            target.clone(),
        ];
        for (p, b) in &bins {
            cmd.extend(["--package".into(), p.clone(), "--bin".into(), b.clone()]);
        }
        eprintln!("{:>12} {} binaries for {target}", "Building", bins.len());
        exec.effect(&format!("run cargo {}", cmd.join(" ")), || {
            let status = Command::new("cargo")
                .args(&cmd)
                .current_dir(&ctx.root)
                .status()?;
            if !status.success() {
                bail!("`cargo {}` failed", cmd.join(" "));
            }
            Ok(())
        })?;
    }
    exec.effect(&format!("create {}", out.display()), || {
        std::fs::create_dir_all(&out_dir)
            .with_context(|| format!("cannot create {}", out_dir.display()))
    })?;

    // STEP 2
    let target_dir = meta
        .target_directory
        .clone()
        .into_std_path_buf()
        .join(&target)
        .join("release");
    for (_, b) in &bins {
        let exe = if windows {
            format!("{b}.exe")
        } else {
            b.clone()
        };
        let name = format!("{b}-{version}-{target}");
        let file = out_dir.join(format!(
            "{name}{}",
            if windows { ".zip" } else { ".tar.gz" }
        ));
        let mut inside: Vec<(PathBuf, String)> = vec![(target_dir.join(&exe), exe.clone())];
        for extra in ["README.md", "LICENSE", "LICENSE-MIT", "LICENSE-APACHE"] {
            if ctx.root.join(extra).is_file() {
                inside.push((ctx.root.join(extra), extra.to_string()));
            }
        }
        let refs: Vec<(&Path, &str)> = inside
            .iter()
            .map(|(p, n)| (p.as_path(), n.as_str()))
            .collect();
        exec.effect(&format!("pack {}", file.display()), || {
            archive::pack(&file, &name, &refs, windows)
        })?;
        files.push(file);
    }

    // STEP 3
    let src = out_dir.join(format!("{project}-{version}-src.tar.gz"));
    let prefix = format!("--prefix={project}-{version}/");
    let output = format!("--output={}", src.display());
    exec.git(
        &repo.git,
        &["archive", "--format=tar.gz", &prefix, &output, "HEAD"],
    )?;
    files.push(src);
    if exec.is_dry_run() {
        println!("would write SHA256SUMS of {} files", files.len());
        return Ok(files);
    }

    // STEP 4
    let mut sums = String::new();
    for f in &files {
        sums.push_str(&archive::sha256_line(f)?);
        sums.push('\n');
    }
    let mut changes = ChangeSet::default();
    let sums_path = out.join("SHA256SUMS");
    changes.set(
        &sums_path,
        crate::adapters::fs::read_optional(&ctx.root.join(&sums_path))?,
        sums,
    );
    exec.write_files(&ctx.root, &changes)?;
    files.push(ctx.root.join(sums_path));
    for f in &files {
        eprintln!(
            "{:>12} {}",
            "Wrote",
            f.strip_prefix(&ctx.root).unwrap_or(f).display()
        );
    }
    Ok(files)
}
