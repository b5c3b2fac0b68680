//! What the GitLab pipeline and the Forgejo workflows share: the script that
//! installs cargo-train's prebuilt binary with curl (their runners have no
//! `gh`), and the rules for the configured names written into them.

/// The script that installs the newest cargo-train release's prebuilt
/// binary from `repo` (`owner/name` on GitHub) for this host, checked
/// against that release's `SHA256SUMS`; it fails (and the job builds
/// cargo-train instead) if there is none, or anything about it is wrong.
/// Both downloads go to `releases/latest/download/`: should a release land
/// between them, the archive does not match the sums and nothing is taken.
pub fn prebuilt_script(repo: &str) -> String {
    format!(
        r#"set -euo pipefail
host="$(rustc -vV | sed -n 's/^host: //p')"
cd "$(mktemp -d)"
url="https://github.com/{repo}/releases/latest/download"
curl -fsSL --retry 3 -o SHA256SUMS "$url/SHA256SUMS"
grep -E "^[0-9a-f]{{64}}  cargo-train-[A-Za-z0-9._-]+-$host\.(tar\.gz|zip)$" SHA256SUMS > ours
test "$(wc -l < ours)" -eq 1
archive="$(cut -d' ' -f3 ours)"
curl -fsSL --retry 3 -o "$archive" "$url/$archive"
if command -v sha256sum > /dev/null; then sha256sum -c ours; else shasum -a 256 -c ours; fi
case "$archive" in *.zip) unzip -q "$archive" ;; *) tar xzf "$archive" ;; esac
dir="${{archive%.zip}}"
cp "${{dir%.tar.gz}}"/cargo-train* "${{CARGO_HOME:-$HOME/.cargo}}/bin/"
cargo train --version
"#
    )
}

/// Keeps (without its marker lines) or drops each `#@name` … `#@end` block.
pub fn section(text: &str, name: &str, keep: bool) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        match line.trim_end() {
            l if l == format!("#@{name}") => inside = true,
            "#@end" if inside => inside = false,
            _ if inside && !keep => {}
            _ => out.push_str(line),
        }
    }
    out
}

/// `text` with every line indented by `by` spaces (empty lines stay empty).
pub fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{:by$}{l}\n", "")
            }
        })
        .collect()
}

/// A name that can go into a CI file as it is: a YAML scalar, a shell
/// word, a branch filter or a GitLab expression string need no quoting for
/// it. Letters, digits, `-`, `_`, `.` and `/` (what branch and tag names,
/// workflow files and runner labels are made of in practice).
pub fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['-', '.', '/'])
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

/// `s` matched literally in a GitLab `=~ /…/` pattern (RE2): every
/// character but letters, digits, `_` and `-` escaped, `/` included.
pub fn regex_literal(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = !(c.is_ascii_alphanumeric() || c == '_' || c == '-');
            escape.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// `s` as a single-quoted YAML scalar.
pub fn yaml_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        for ok in ["release-", "v", "release/", "ci.yml", "main", "my_box-2"] {
            assert!(is_plain(ok), "{ok}");
        }
        for bad in [
            "", "a b", "rel'", "a\"b", "$x", "-x", ".x", "/x", "a:b", "a#b", "c++",
        ] {
            assert!(!is_plain(bad), "{bad}");
        }
    }

    #[test]
    fn regexes_and_yaml_quote_what_they_must() {
        assert_eq!(regex_literal("release-"), "release-");
        assert_eq!(regex_literal("rel.x/"), "rel\\.x\\/");
        assert_eq!(yaml_quoted("it's"), "'it''s'");
        assert_eq!(indent("a\n\nb\n", 2), "  a\n\n  b\n");
    }
}
