//! Synthetic workspaces shaped like a large real one, for the benchmarks:
//! inherited versions, `[workspace.dependencies]` with exact pins for
//! internal crates and carets for public ones, crates on a `0.x` line of
//! their own, a deep dependency DAG, dev-dependencies.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Every 10th crate is public; every 7th has a `0.x` version of its own.
pub fn is_public(n: usize) -> bool {
    n.is_multiple_of(10)
}

pub fn literal_version(n: usize) -> Option<&'static str> {
    (n % 7 == 3).then_some("0.5.0")
}

/// How deep the dependency DAG is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Every crate depends on the one before: as deep as the workspace is
    /// large, the worst case for ordering.
    Chain,
    /// Dependencies four crates back and further: a critical path of about
    /// a quarter of the crates, like a large real workspace.
    Layered,
}

/// Up to three lower-numbered dependencies.
pub fn deps(n: usize, shape: Shape) -> Vec<usize> {
    let near = if shape == Shape::Chain {
        n.wrapping_sub(1)
    } else {
        n.wrapping_sub(4)
    };
    let mut d: Vec<usize> = [near, n / 2, n * 7 / 11]
        .into_iter()
        .filter(|&k| k < n)
        .collect();
    d.sort_unstable();
    d.dedup();
    d
}

pub fn generate(dir: &Path, size: usize, shape: Shape) {
    let mut root = String::from(
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n\n[workspace.package]\n\
         version = \"1.0.0-dev\"\nlicense = \"MIT\"\nedition = \"2024\"\n\n[workspace.dependencies]\n",
    );
    for n in 0..size {
        let v = literal_version(n).unwrap_or("1.0.0-dev");
        let op = if is_public(n) { "" } else { "=" };
        root.push_str(&format!(
            "c{n} = {{ path = \"crates/c{n}\", version = \"{op}{v}\" }}\n"
        ));
    }
    std::fs::write(dir.join("Cargo.toml"), root).unwrap();
    std::fs::write(
        dir.join("train.toml"),
        "requirements = \"pinned\"\npublic = [\"c*0\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
    for n in 0..size {
        let c = dir.join(format!("crates/c{n}"));
        std::fs::create_dir_all(c.join("src")).unwrap();
        std::fs::write(c.join("src/lib.rs"), "").unwrap();
        let version = match literal_version(n) {
            Some(v) => format!("version = \"{v}\"  # a line of its own"),
            None => "version.workspace = true".to_string(),
        };
        let mut m = format!(
            "# Crate {n} of the synthetic workspace.\n[package]\nname = \"c{n}\"\n{version}\n\
             description = \"Synthetic crate {n}\"\nlicense.workspace = true\nedition.workspace = true\n"
        );
        let d = deps(n, shape);
        if !d.is_empty() {
            m.push_str("\n[dependencies]\n");
            for k in d {
                m.push_str(&format!("c{k}.workspace = true\n"));
            }
        }
        if n % 5 == 4 {
            m.push_str(&format!(
                "\n[dev-dependencies]\nc{} = {{ workspace = true }}\n",
                n / 3
            ));
        }
        std::fs::write(c.join("Cargo.toml"), m).unwrap();
    }
    run(dir, "cargo", &["generate-lockfile", "--offline", "--quiet"]);
}

pub fn run(dir: &Path, cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
