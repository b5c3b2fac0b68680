//! The demo's sample workspace: a dozen crates shaped like a real train
//! (public and internal crates, a `0.x` line, a C header with the version,
//! RELEASES.md with its template).

/// `(path, content)` of every file.
pub fn files() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |p: &str, t: String| out.push((p.to_string(), t));

    // name, directory, literal version (None: inherited), dependencies
    let crates: &[(&str, &str, Option<&str>, &[&str])] = &[
        ("rail-core", "core", None, &[]),
        ("rail-util", "util", None, &["rail-core"]),
        ("rail-macros", "macros", Some("0.3.0"), &["rail-util"]),
        (
            "rail-codegen",
            "codegen",
            Some("0.3.0"),
            &["rail-core", "rail-macros"],
        ),
        ("rail-runtime", "runtime", None, &["rail-core", "rail-util"]),
        ("rail-cache", "cache", None, &["rail-runtime"]),
        (
            "rail",
            "rail",
            None,
            &["rail-runtime", "rail-codegen", "rail-cache"],
        ),
        ("rail-wasi", "wasi", None, &["rail"]),
        ("rail-http", "http", None, &["rail", "rail-wasi"]),
        ("rail-c-api", "c-api", None, &["rail"]),
        ("rail-cli", "cli", None, &["rail", "rail-wasi", "rail-http"]),
        ("rail-bench", "bench", Some("0.0.0"), &["rail"]),
    ];
    let public = [
        "rail",
        "rail-wasi",
        "rail-http",
        "rail-cli",
        "rail-codegen",
        "rail-macros",
    ];
    let version_of = |name: &str| {
        crates
            .iter()
            .find(|c| c.0 == name)
            .and_then(|c| c.2)
            .unwrap_or("1.0.0-dev")
    };

    let mut root = String::from(
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n\n\
         [workspace.package]\nversion = \"1.0.0-dev\"\nlicense = \"Apache-2.0\"\nedition = \"2024\"\n\
         repository = \"https://example.invalid/rail\"\n\n\
         # First-party crates: public ones with a caret, the rest pinned exactly.\n\
         [workspace.dependencies]\n",
    );
    for (name, dir, _, _) in crates.iter().filter(|c| c.0 != "rail-bench") {
        let v = version_of(name);
        let op = if public.contains(name) { "" } else { "=" };
        root.push_str(&format!(
            "{name} = {{ path = \"crates/{dir}\", version = \"{op}{v}\" }}\n"
        ));
    }
    add("Cargo.toml", root);

    for (name, dir, literal, deps) in crates {
        let mut m = format!("[package]\nname = \"{name}\"\n");
        match literal {
            Some(v) => m.push_str(&format!("version = \"{v}\"\n")),
            None => m.push_str("version.workspace = true\n"),
        }
        m.push_str("license.workspace = true\nedition.workspace = true\n");
        if *name == "rail-bench" {
            m.push_str("publish = false\n");
        } else {
            m.push_str(&format!(
                "description = \"The {dir} part of the rail sample\"\n"
            ));
        }
        if !deps.is_empty() {
            m.push_str("\n[dependencies]\n");
            for d in *deps {
                m.push_str(&format!("{d}.workspace = true\n"));
            }
        }
        add(&format!("crates/{dir}/Cargo.toml"), m);
        add(
            &format!("crates/{dir}/src/lib.rs"),
            "//! Part of the demo workspace.\n".into(),
        );
    }

    add(
        "crates/c-api/include/rail.h",
        "#ifndef RAIL_H\n#define RAIL_H\n\n#define RAIL_VERSION \"1.0.0-dev\"\n#define RAIL_VERSION_MAJOR 1\n\
         #define RAIL_VERSION_MINOR 0\n#define RAIL_VERSION_PATCH 0\n\n#endif\n"
            .into(),
    );
    add(
        "train.toml",
        format!(
            "project = \"Rail\"\nrequirements = \"pinned\"\npublic = [{}]\n\n[[version-files]]\npath = \"crates/c-api/include/rail.h\"\n\
             patterns = [\n    '#define RAIL_VERSION \"{{version}}\"',\n    \"#define RAIL_VERSION_MAJOR {{major}}\",\n    \
             \"#define RAIL_VERSION_MINOR {{minor}}\",\n    \"#define RAIL_VERSION_PATCH {{patch}}\",\n]\n",
            public
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    add(
        "ci/RELEASES-template.md",
        crate::train::notes::DEFAULT_TEMPLATE.to_string(),
    );
    add(
        "RELEASES.md",
        format!(
            "{}\nNotes of earlier releases live on their release branches.\n\n<!-- ARCHIVE_START -->\n",
            crate::train::notes::DEFAULT_TEMPLATE.replace("VERSION", "1.0.0")
        ),
    );
    add(".gitignore", "/target\n".into());
    out
}
