//! `cargo train dashboard --out DIR`, through the real binary on real git
//! (a bare origin in a temporary directory, a month of the train run on
//! it), its page rendered by a real headless Chromium: the DOM it builds
//! (`--dump-dom`) and a screenshot, decoded. The registry is a git index
//! (cargo's older protocol) made here; the advisory database a git
//! repository laid out as RustSec's; the forge the Forgejo double.
//!
//! Chromium is `CARGO_TRAIN_CHROMIUM` (`scripts/install-chromium.sh`,
//! which `scripts/test.sh` runs), else `chromium` on the PATH. Without
//! one these tests say so and pass, except in CI (`CI=true`), where they
//! fail.

mod common;
use common::forgejo_sim::ForgejoSim;
use common::github_sim::GithubSim;
use common::gitlab_sim::{GitlabSim, PROJECT};
use common::sandbox::{Sandbox, git_at};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
const TOKEN: &str = "forgejoCanaryTokenForCargoTrain0123456789";

/// The browser, or `None` (said) outside CI when there is none.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CARGO_TRAIN_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    for name in ["chromium", "chromium-browser"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .unwrap();
        if found.status.success() {
            let path = String::from_utf8(found.stdout).unwrap();
            return Some(PathBuf::from(path.trim()));
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no chromium in CI: scripts/install-chromium.sh installs Debian's package"
    );
    eprintln!("SKIPPED: no chromium (scripts/install-chromium.sh installs it)");
    None
}

/// Chromium, headless, on `page` with `args`; its stdout. Its profile is a
/// directory of its own under `scratch`.
fn browse(chromium: &Path, scratch: &Path, page: &Path, args: &[&str]) -> Vec<u8> {
    let profile = tempfile::tempdir_in(scratch).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            // As root (CI is), Chromium refuses its sandbox.
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.path().display()),
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The DOM Chromium built from `page`.
fn dom(chromium: &Path, scratch: &Path, page: &Path) -> String {
    String::from_utf8(browse(chromium, scratch, page, &["--dump-dom"])).unwrap()
}

/// A screenshot of `page`, decoded: (width, height, RGB pixels).
fn screenshot(chromium: &Path, scratch: &Path, page: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let shot = scratch.join("shot.png");
    browse(
        chromium,
        scratch,
        page,
        &[
            "--window-size=1280,2400",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let mut decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("a screenshot in {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// The values of attribute `name` of every element in `html`, entities
/// `&amp;` and `&quot;` read.
fn attributes(html: &str, name: &str) -> Vec<String> {
    let key = format!(" {name}=\"");
    html.split(&key)
        .skip(1)
        .map(|s| {
            s[..s.find('"').unwrap()]
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}

/// Every link in `dom` resolves: an anchor to an id in it, a relative link
/// to a file in `dir`, anything else only under one of `sites`.
fn links_resolve(dom: &str, dir: &Path, sites: &[String]) {
    let ids: BTreeSet<String> = attributes(dom, "id").into_iter().collect();
    let mut links = attributes(dom, "href");
    links.extend(attributes(dom, "src"));
    links.extend(attributes(dom, "xlink:href"));
    assert!(!links.is_empty(), "no links in {dom}");
    for link in links {
        if let Some(anchor) = link.strip_prefix('#') {
            assert!(ids.contains(anchor), "#{anchor}: no such id in {ids:?}");
        } else if link.contains(':') || link.starts_with("//") {
            assert!(
                sites
                    .iter()
                    .any(|s| link.starts_with(&format!("{}/", s.trim_end_matches('/')))),
                "{link} is not on the configured forge ({sites:?})"
            );
        } else {
            let path = link.split(['#', '?']).next().unwrap();
            assert!(dir.join(path).is_file(), "{link}: no such file in {dir:?}");
        }
    }
}

/// A git index (cargo's older registry protocol) in `dir/index.git` listing
/// `crates` (name, version); its `file://` URL.
fn git_index(dir: &Path, crates: &[(&str, &str)]) -> String {
    let work = dir.join("index");
    std::fs::create_dir_all(&work).unwrap();
    let at = "2026-01-01T00:00:00Z";
    git_at(&work, at, &["init", "--quiet", "-b", "master"]);
    std::fs::write(
        work.join("config.json"),
        "{\"dl\": \"http://127.0.0.1:9/api/v1/crates\", \"api\": \"http://127.0.0.1:9\"}\n",
    )
    .unwrap();
    for (name, version) in crates {
        let path = match name.len() {
            1 => format!("1/{name}"),
            2 => format!("2/{name}"),
            3 => format!("3/{}/{name}", &name[..1]),
            _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
        };
        let file = work.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(
            file,
            format!(
                "{{\"name\":\"{name}\",\"vers\":\"{version}\",\"deps\":[],\"cksum\":\"{}\",\
                 \"features\":{{}},\"yanked\":false}}\n",
                "0".repeat(64)
            ),
        )
        .unwrap();
    }
    for args in [
        &[
            "-c",
            "user.name=Index",
            "-c",
            "user.email=index@example.invalid",
            "add",
            "--all",
        ][..],
        &[
            "-c",
            "user.name=Index",
            "-c",
            "user.email=index@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "-m",
            "index",
        ][..],
    ] {
        git_at(&work, at, args);
    }
    git_at(
        dir,
        at,
        &["clone", "--quiet", "--bare", "index", "index.git"],
    );
    format!("file://{}", dir.join("index.git").display())
}

/// An advisory database in `dir/advisory-db` with one commit on `day`:
/// RUSTSEC-2021-0003, `smallvec` below 1.6.1.
fn database(dir: &Path, day: &str) -> PathBuf {
    let db = dir.join("advisory-db");
    let at = format!("{day}T12:00:00Z");
    std::fs::create_dir_all(db.join("crates/smallvec")).unwrap();
    git_at(&db, &at, &["init", "--quiet", "-b", "main"]);
    std::fs::write(
        db.join("crates/smallvec/RUSTSEC-2021-0003.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2021-0003\"\npackage = \"smallvec\"\n\
         date = \"2021-01-08\"\ncategories = [\"memory-corruption\"]\n\n[versions]\n\
         patched = [\">= 1.6.1\"]\n```\n\n# Buffer overflow in SmallVec::insert_many\n\n\
         A bug, for the tests.\n",
    )
    .unwrap();
    let id = [
        "-c",
        "user.name=RustSec",
        "-c",
        "user.email=rustsec@example.invalid",
    ];
    git_at(&db, &at, &[&id[..], &["add", "--all"]].concat());
    git_at(
        &db,
        &at,
        &[
            &id[..],
            &[
                "-c",
                "commit.gpgsign=false",
                "commit",
                "--quiet",
                "-m",
                "RUSTSEC-2021-0003",
            ],
        ]
        .concat(),
    );
    db
}

/// `branch`'s Cargo.lock on the origin with `smallvec` 1.6.0 added, pushed.
fn lock_smallvec(s: &Sandbox, branch: &str) {
    let lock = s.file_at(branch, "Cargo.lock");
    let text = format!(
        "{}\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"{CRATES_IO}\"\n\
         checksum = \"{}\"\n",
        lock.trim_end(),
        "0".repeat(64)
    );
    s.commit_on(
        branch,
        "Cargo.lock",
        &text,
        "Lock smallvec 1.6.0\n\nBranch-only: a test fixture",
    );
    s.git(&["checkout", "--quiet", "main"]);
}

/// `prefix`, the sandbox's train.toml, then `suffix`, in a file outside
/// the checkout: the `--config` arguments naming it.
fn config(s: &Sandbox, prefix: &str, suffix: &str) -> Vec<String> {
    let text = std::fs::read_to_string(s.ws.join("train.toml")).unwrap();
    let path = s.root().join("dashboard.toml");
    std::fs::write(&path, format!("{prefix}{text}\n{suffix}")).unwrap();
    vec!["--config".into(), path.display().to_string()]
}

fn args<'a>(args: &[&'a str], extra: &'a [String]) -> Vec<&'a str> {
    args.iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .collect()
}

/// How many of `pixels` are `rgb` exactly.
fn count(pixels: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    pixels.iter().filter(|p| **p == rgb).count()
}

/// Two months of the train (1.0.0 and 2.0.0 cut, released, tagged; 3.0.0
/// cut; a patch set of both released lines waiting for its tags), then the dashboard: every section in the
/// DOM Chromium builds, the chart with a bar per line and its versions and
/// dates, a screenshot that shows it, links that all resolve; a dry run
/// writes nothing, and a second run finds nothing to change.
#[test]
fn a_month_of_the_train_on_the_dashboard_in_a_browser() {
    let Some(chromium) = chromium() else { return };
    let s = Sandbox::new("");
    for (cut, release, branch) in [
        ("2026-01-05", "2026-01-20", "release-1.0.0"),
        ("2026-02-02", "2026-02-20", "release-2.0.0"),
    ] {
        s.git(&["checkout", "--quiet", "main"]);
        s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
        s.train(cut, &["cut"]).success();
        let before = s.release_branches();
        s.train(release, &["release", "--branch", branch]).success();
        assert_eq!(s.tag_moved(release, &before).len(), 1);
    }
    s.git(&["checkout", "--quiet", "main"]);
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    s.train("2026-03-02", &["cut"]).success();
    // smallvec 1.6.0 on the oldest line, which an advisory affects.
    lock_smallvec(&s, "release-1.0.0");
    // A fix on main, picked onto both released lines, and their patch set,
    // merged (no forge: pushed) but not tagged yet.
    s.git(&["pull", "--quiet", "--ff-only", "origin", "main"]);
    std::fs::write(s.ws.join("crates/core/src/fix.rs"), "// fix\n").unwrap();
    s.git(&["add", "crates/core/src/fix.rs"]);
    s.git(&["commit", "--quiet", "-m", "Fix"]);
    s.git(&["push", "--quiet", "origin", "main"]);
    s.train("2026-03-02", &["backport", "main", "--supported"])
        .success();
    s.train("2026-03-03", &["patch", "--supported"]).success();

    // The index has every crate of the last release, 2.0.0, but rail-cli.
    let mut listed: Vec<(String, String)> = Vec::new();
    for line in s.file_at("v2.0.0", "Cargo.toml").lines() {
        if let Some((name, rest)) = line.split_once(" = { path = \"crates/")
            && name != "rail-cli"
        {
            let v = rest.split("version = \"").nth(1).unwrap();
            let v = v.trim_start_matches('=');
            listed.push((name.into(), v[..v.find('"').unwrap()].into()));
        }
    }
    assert!(listed.len() > 5, "{listed:?}");
    let refs: Vec<(&str, &str)> = listed
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let index = git_index(s.root(), &refs);
    let db = database(s.root(), "2026-03-01");
    let cfg = config(
        &s,
        "",
        &format!(
            "[publish]\nregistry = \"local\"\n\n[advisories]\ndb = \"{}\"\nstale-days = 30\n",
            db.display()
        ),
    );
    let site = s.root().join("site");
    let out = site.display().to_string();
    let env = [("CARGO_REGISTRIES_LOCAL_INDEX", index.as_str())];

    // A dry run says what it would write, and writes nothing.
    let state = s.state();
    let r = s
        .train_env(
            "2026-03-04",
            &args(&["dashboard", "--out", &out, "--dry-run"], &cfg),
            &env,
        )
        .success();
    assert!(!site.exists(), "{}", r.stderr);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("index.html"), "{said}");
    assert_eq!(s.state(), state);

    let r = s
        .train_env(
            "2026-03-04",
            &args(&["dashboard", "--out", &out], &cfg),
            &env,
        )
        .success();
    assert!(r.stderr.contains("Wrote"), "{}", r.stderr);
    let page = site.join("index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // Standing alone: no script, and nothing loaded from anywhere.
    assert!(!html.contains("<script"), "{html}");
    assert!(
        !html.contains("@import") && !html.contains("url("),
        "{html}"
    );
    assert_eq!(s.state(), state, "the dashboard changed the repository");

    // Again: the same bytes, nothing written.
    let r = s
        .train_env(
            "2026-03-04",
            &args(&["dashboard", "--out", &out], &cfg),
            &env,
        )
        .success();
    assert!(r.stderr.contains("up to date"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);

    let dom = dom(&chromium, s.root(), &page);
    for (id, heading) in [
        ("supported", "Supported branches"),
        ("timetable", "Timetable"),
        ("due", "Due next"),
        ("patch-sets", "Patch sets"),
        ("publish", "Publish state"),
        ("pulls", "Release pull requests"),
        ("advisories", "Advisories"),
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">\n<h2>{heading}</h2>")),
            "{id}: {dom}"
        );
    }
    // The branches and their versions.
    for want in [
        "<code>release-1.0.0</code>",
        "<code>release-2.0.0</code>",
        "<code>release-3.0.0</code>",
        "<td>1.0.1</td>",
        "<td>2.0.1</td>",
        "3.0.0-rc.1",
    ] {
        assert!(dom.contains(want), "{want}: {dom}");
    }
    // The chart: an SVG in the DOM, a bar per line of the timetable, each
    // labelled with its version; the day marked; months labelled.
    let svg_start = dom.find("<svg").expect("no svg in the DOM");
    let svg = &dom[svg_start..svg_start + dom[svg_start..].find("</svg>").unwrap()];
    assert!(svg.contains("class=\"gantt\""), "{svg}");
    let rows = dom.matches("<tr id=\"v").count();
    assert!(rows >= 2, "{dom}");
    assert_eq!(svg.matches("<rect class=\"bar\"").count(), rows, "{svg}");
    for want in [
        ">1.0.0</text>",
        ">2.0.0</text>",
        ">3.0.0</text>",
        ">2026-03-04</text>",
        ">2026-01</text>",
        "released 2026-01-20",
    ] {
        assert!(svg.contains(want), "{want}: {svg}");
    }
    // What is due next; the patch set and what it waits for.
    assert!(dom.contains("Next: <strong>"), "{dom}");
    assert!(dom.contains("<h3>Patch set v"), "{dom}");
    assert!(dom.contains("<td>v1.0.1</td><td>merged</td>"), "{dom}");
    assert!(dom.contains("<td>v2.0.1</td><td>merged</td>"), "{dom}");
    assert!(dom.contains("every member is merged"), "{dom}");
    // The last release in the index: all but rail-cli.
    assert!(
        dom.contains(&format!(
            "{} of {} crates in the index of <code>local</code>",
            listed.len(),
            listed.len() + 1
        )),
        "{dom}"
    );
    assert!(
        dom.contains(
            "<td><code>rail-cli</code></td><td>2.0.0</td><td><span class=\"bad\">missing</span>"
        ),
        "{dom}"
    );
    // No forge: no pull requests to list.
    assert!(dom.contains("keeps no pull requests"), "{dom}");
    // The advisory on the released line, none on the new one.
    assert!(
        dom.contains("RUSTSEC-2021-0003</span> in <code>smallvec</code> 1.6.0"),
        "{dom}"
    );
    assert!(
        dom.contains("<td><code>release-2.0.0</code></td><td><span class=\"ok\">none</span>"),
        "{dom}"
    );
    assert!(
        !dom.contains("<td><code>release-3.0.0</code></td><td><span"),
        "{dom}"
    );
    assert!(dom.contains("advisory database of 2026-03-01"), "{dom}");
    links_resolve(&dom, &site, &[]);

    // The screenshot shows the page: the header's colour, the supported
    // line's green bar, the candidate's amber one, and far from blank.
    let (w, h, pixels) = screenshot(&chromium, s.root(), &page);
    if let Some(keep) = std::env::var_os("CARGO_TRAIN_KEEP_SCREENSHOT") {
        std::fs::copy(s.root().join("shot.png"), keep).unwrap();
    }
    assert_eq!((w, h), (1280, 2400));
    let white = count(&pixels, [255, 255, 255]);
    assert!(
        white < pixels.len() * 97 / 100,
        "{white} of {} pixels white",
        pixels.len()
    );
    let distinct: BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
    assert!(distinct.len() > 50, "{} colours", distinct.len());
    assert!(count(&pixels, [0x0b, 0x3d, 0x59]) > 10_000, "no header");
    assert!(count(&pixels, [0x2e, 0x7d, 0x32]) > 500, "no supported bar");
    assert!(count(&pixels, [0xf9, 0xa8, 0x25]) > 100, "no candidate bar");
}

/// Values from a forge and a repository that are markup are text on the
/// page: a pull request's title and branch name with `<script>` and an
/// `<img onerror>` run nothing and add no element; pull requests link to
/// the forge only; fork and non-train pull requests are left out; with no
/// advisory database, the page says so rather than fail.
#[test]
fn hostile_titles_and_branch_names_are_text_and_no_database_is_said() {
    let Some(chromium) = chromium() else { return };
    let sim = ForgejoSim::start(TOKEN);
    let s = Sandbox::new("");
    let hostile_head = "ci/backport-<script>alert(1)</script>-abc123";
    let hostile_title = "<script>alert('pr')</script> & <img src=x onerror=alert(2)>";
    let ours = sim.open_pull(hostile_head, "release-1.0.0", hostile_title);
    let bump = sim.open_pull("ci/bump-to-2.0.0", "main", "Bump to 2.0.0");
    sim.open_pull("feature", "main", "Not the train's");
    sim.open_fork_pull("ci/bump-to-9.0.0", "main", "From a fork");
    let cfg = config(
        &s,
        &format!(
            "forge = \"forgejo\"\nforgejo = {{ url = \"{}\", repository = \"o/r\" }}\n",
            sim.url()
        ),
        &format!(
            "[advisories]\ndb = \"{}\"\n",
            s.root().join("no-such-db").display()
        ),
    );
    let site = s.root().join("site");
    let out = site.display().to_string();
    let r = s
        .train_env(
            "2026-01-02",
            &args(&["dashboard", "--out", &out], &cfg),
            &[("FORGEJO_TOKEN", TOKEN)],
        )
        .success();
    assert!(!r.stderr.contains(TOKEN) && !r.stdout.contains(TOKEN));
    assert!(sim.state().broken.is_empty(), "{:?}", sim.state().broken);
    let page = site.join("index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");

    let dom = dom(&chromium, s.root(), &page);
    // No element came of them: the DOM has no script and no image, and
    // shows both as they were written.
    assert!(!dom.contains("<script"), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(
        dom.contains(
            "&lt;script&gt;alert('pr')&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"
        ),
        "{dom}"
    );
    assert!(
        dom.contains("<code>ci/backport-&lt;script&gt;alert(1)&lt;/script&gt;-abc123</code>"),
        "{dom}"
    );
    assert!(
        dom.contains("2 release pull requests open on Forgejo"),
        "{dom}"
    );
    for n in [ours, bump] {
        assert!(
            dom.contains(&format!("<a href=\"{}/o/r/pulls/{n}\">#{n}</a>", sim.url())),
            "#{n}: {dom}"
        );
    }
    assert!(!dom.contains("Not the train") && !dom.contains("From a fork"));
    assert!(
        dom.contains("no advisory database is available: `[advisories] db` names"),
        "{dom}"
    );
    links_resolve(&dom, &site, &[sim.url()]);
}

/// On GitLab the release pull requests are the project's opened merge
/// requests from `ci/…` branches (a fork's left out), each linked to its
/// page on the instance; every request the dashboard makes is one GitLab's
/// API describes. No browser needed: the page's own text is checked.
#[test]
fn gitlab_merge_requests_are_listed_and_linked() {
    let token = "glpat-canaryTokenForCargoTrain0123456789";
    let sim = GitlabSim::start(token, "glcbt-jobCanaryTokenForCargoTrain98765");
    let s = Sandbox::new(&format!(
        "forge = \"gitlab\"\ngitlab = {{ url = \"{}\", project = \"{PROJECT}\" }}\n",
        sim.url()
    ));
    let ours = sim.open_mr("ci/bump-to-2.0.0", "main", "Bump <main> to 2.0.0");
    sim.open_mr("feature", "main", "Not the train's");
    sim.open_fork_mr("ci/bump-to-9.0.0", "main", "From a fork");
    let site = s.root().join("site");
    let no_db = config(
        &s,
        "",
        &format!(
            "[advisories]\ndb = \"{}\"\n",
            s.root().join("none").display()
        ),
    );
    let r = s
        .train_env(
            "2026-01-02",
            &args(&["dashboard", "--out", &site.display().to_string()], &no_db),
            &[("GITLAB_TOKEN", token)],
        )
        .success();
    assert!(!r.stderr.contains(token) && !r.stdout.contains(token));
    sim.assert_all_matched();
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        html.contains("1 release pull request open on GitLab"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{}/{PROJECT}/-/merge_requests/{ours}\">#{ours}</a></td><td>Bump &lt;main&gt; to 2.0.0</td>",
            sim.url()
        )),
        "{html}"
    );
    assert!(!html.contains("Not the train") && !html.contains("From a fork"));
    links_resolve(&html, &site, &[sim.url()]);
}

/// On GitHub likewise: the open pull requests from `ci/…` branches, linked
/// to their pages on the configured site (the API's host here).
#[test]
fn github_pull_requests_are_listed_and_linked() {
    let token = "ghp_canaryTokenForCargoTrainTests0123456789";
    let sim = GithubSim::start();
    let s = Sandbox::new(&format!(
        "forge = \"github\"\ngithub = {{ api-url = \"{}\", repository = \"o/r\" }}\n",
        sim.url()
    ));
    for (head, title) in [
        ("ci/bump-to-2.0.0", "Bump <b>Rail</b> to 2.0.0"),
        ("feature", "Not the train's"),
    ] {
        sim.post(
            "/repos/o/r/pulls",
            serde_json::json!({"title": title, "head": head, "base": "main", "body": ""}),
        );
    }
    let site = s.root().join("site");
    let no_db = config(
        &s,
        "",
        &format!(
            "[advisories]\ndb = \"{}\"\n",
            s.root().join("none").display()
        ),
    );
    let r = s
        .train_env(
            "2026-01-02",
            &args(&["dashboard", "--out", &site.display().to_string()], &no_db),
            &[("GITHUB_TOKEN", token)],
        )
        .success();
    assert!(!r.stderr.contains(token) && !r.stdout.contains(token));
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        html.contains("1 release pull request open on GitHub"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{}/o/r/pull/1\">#1</a></td><td>Bump &lt;b&gt;Rail&lt;/b&gt; to 2.0.0</td>",
            sim.url()
        )),
        "{html}"
    );
    assert!(!html.contains("Not the train"), "{html}");
    links_resolve(&html, &site, &[sim.url()]);
}
