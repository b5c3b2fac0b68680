//! RELEASES.md as a structured document: sections separated by a line of
//! dashes, the newest on top, then an archive of links to older notes.
//!
//! ```text
//! ## 49.0.0
//!
//! Unreleased.
//! ...
//! --------------------------------------------------------------------------------
//!
//! Release notes for previous releases … (preamble of the archive)
//!
//! <!-- ARCHIVE_START -->
//! * [48.0.x](<repo>/blob/release-48.0.0/RELEASES.md)
//! ```
//!
//! Every edit touches only the part it is about; all other bytes stay.

use semver::Version;

/// The line that separates sections.
pub const SEPARATOR: &str =
    "--------------------------------------------------------------------------------";

/// Whether `line` separates sections: a line of dashes only. (The reference
/// matches any line containing eleven dashes; a Markdown table's `|---|` row
/// in the notes must not end a section.)
fn is_separator(line: &str) -> bool {
    let t = line.trim_end();
    t.len() >= 11 && t.bytes().all(|b| b == b'-')
}

/// Byte offset just past the first separator line (its newline included),
/// and the offset where it starts.
fn first_separator(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if is_separator(line) {
            return Some((at, at + line.len()));
        }
        at += line.len();
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotesError {
    #[error("it has no separator line (a line of dashes) after the first section")]
    NoSeparator,
    #[error("it has no archive marker `{0}`")]
    NoArchiveMarker(String),
    #[error("it has no section `## {0}`")]
    NoSection(String),
    #[error("line {line} is a merge-conflict marker (`{text}`): resolve the conflict first")]
    Conflict { line: usize, text: String },
    #[error(
        "the section `{heading}` (line {line}) is not closed: a line of dashes must end it before \
         the next section"
    )]
    Unclosed { line: usize, heading: String },
}

/// Refuses notes that would publish a half-done edit: a merge-conflict
/// marker left in them, or a section that runs into the next one.
pub fn check(text: &str, archive_marker: &str) -> Result<(), NotesError> {
    let mut open: Option<(usize, &str)> = None;
    let mut archive = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_end();
        let marker = ["<<<<<<<", ">>>>>>>", "|||||||"]
            .iter()
            .any(|m| t == *m || t.starts_with(&format!("{m} ")));
        if marker {
            return Err(NotesError::Conflict {
                line: i + 1,
                text: t.to_string(),
            });
        }
        archive |= t == archive_marker;
        if is_separator(t) {
            open = None;
        } else if let Some(h) = t.strip_prefix("## ").filter(|_| !archive) {
            if let Some((line, heading)) = open {
                return Err(NotesError::Unclosed {
                    line,
                    heading: heading.to_string(),
                });
            }
            open = Some((i + 1, h));
        }
    }
    Ok(())
}

/// The series a release branch serves: `X.Y.x`.
pub fn series(v: &Version) -> String {
    format!("{}.{}.x", v.major, v.minor)
}

/// Fills a template section: every `VERSION` becomes `version`.
pub fn section_from_template(template: &str, version: &str) -> String {
    template.replace("VERSION", version)
}

/// What the cut does to `main`'s notes: drop the section of the version just
/// branched (the branch keeps it), add its archive link after the marker,
/// and put a fresh section for the next version on top.
pub fn rotate(
    text: &str,
    new_section: &str,
    marker: &str,
    link: &str,
) -> Result<String, NotesError> {
    let (_, after) = first_separator(text).ok_or(NotesError::NoSeparator)?;
    let rest = &text[after..];
    let mut out = String::with_capacity(new_section.len() + rest.len() + link.len() + 1);
    out.push_str(new_section);
    let mut inserted = false;
    for line in rest.split_inclusive('\n') {
        out.push_str(line);
        if !inserted && line.contains(marker) {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(link);
            out.push('\n');
            inserted = true;
        }
    }
    if !inserted {
        return Err(NotesError::NoArchiveMarker(marker.to_string()));
    }
    Ok(out)
}

/// Release day: `Unreleased` at the start of a line of the first section
/// becomes `Released DATE`.
pub fn set_released(text: &str, date: &str) -> String {
    let end = first_separator(text).map_or(text.len(), |(start, _)| start);
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for line in text[..end].split_inclusive('\n') {
        match line.strip_prefix("Unreleased") {
            Some(rest) => {
                out.push_str("Released ");
                out.push_str(date);
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
        at += line.len();
    }
    out.push_str(&text[at..]);
    out
}

/// Whether the first section is still unreleased.
pub fn first_section_unreleased(text: &str) -> bool {
    let end = first_separator(text).map_or(text.len(), |(start, _)| start);
    text[..end].lines().any(|l| l.starts_with("Unreleased"))
}

/// A patch release opens its own section on top, unless the notes already
/// start with a section for that version.
pub fn open_section(text: &str, new_section: &str, version: &str) -> String {
    if heading_version(text) == Some(version) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + new_section.len());
    out.push_str(new_section);
    out.push_str(text);
    out
}

/// Adds the list item `* entry` to the section of `version`, at the end of
/// its `heading` part (`### Fixed`), which is added at the section's end
/// when missing. An entry already listed there is not added twice.
pub fn add_entry(
    text: &str,
    version: &str,
    heading: &str,
    entry: &str,
) -> Result<String, NotesError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_heading = |l: &str, v: &str| l.strip_prefix("## ").map(str::trim) == Some(v);
    let start = lines
        .iter()
        .position(|l| is_heading(l, version))
        .ok_or_else(|| NotesError::NoSection(version.to_string()))?;
    let end = (start + 1..lines.len())
        .find(|&i| is_separator(lines[i]))
        .unwrap_or(lines.len());
    // One line whatever it came from (a pull request's title may hold
    // newlines, which would write sections of their own).
    let entry: String = entry
        .split(|c: char| c.is_control())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let item = format!("* {entry}");
    if lines[start..end].iter().any(|l| l.trim_end() == item) {
        return Ok(text.to_string());
    }
    let blank = |i: usize| lines[i].trim().is_empty();
    // The last line with text in `from..to`.
    let last_text = |from: usize, to: usize| (from..to).rev().find(|&i| !blank(i));
    let (after, insert) = match (start + 1..end).find(|&i| lines[i].trim_end() == heading) {
        Some(h) => {
            let part_end = (h + 1..end)
                .find(|&i| lines[i].starts_with('#'))
                .unwrap_or(end);
            let at = last_text(h, part_end).unwrap_or(h);
            let lead = if at == h { "\n" } else { "" };
            (at, format!("{lead}{item}\n"))
        }
        None => {
            let at = last_text(start, end).unwrap_or(start);
            (at, format!("\n{heading}\n\n{item}\n"))
        }
    };
    let mut out = String::with_capacity(text.len() + insert.len() + 2);
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        if i == after {
            if !l.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&insert);
            // Keep a blank line before whatever follows.
            if lines.get(i + 1).is_some_and(|_| !blank(i + 1)) {
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// The version named by the first `## ` heading.
fn heading_version(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("## "))
        .map(str::trim)
}

/// The notes of one version: from its `## VERSION` heading to the next
/// separator, without either. `None` asks for the first section.
pub fn section(text: &str, version: Option<&str>) -> Result<String, NotesError> {
    let mut lines = text.split_inclusive('\n').peekable();
    if let Some(v) = version {
        loop {
            match lines.peek() {
                None => return Err(NotesError::NoSection(v.to_string())),
                Some(l) if l.strip_prefix("## ").map(str::trim) == Some(v) => break,
                Some(_) => {
                    lines.next();
                }
            }
        }
    }
    let mut out = String::new();
    for line in lines {
        if is_separator(line) {
            break;
        }
        out.push_str(line);
    }
    Ok(out.trim().to_string() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_markers_and_unclosed_sections_are_named_with_their_line() {
        let ok = "## 1.0.1\n\nReleased.\n\n---------------\n\n## 1.0.0\n\n---------------\n\n<!-- A -->\n* [1.0.x](x)\n";
        assert_eq!(check(ok, "<!-- A -->"), Ok(()));
        let conflict =
            "## 1.0.1\n\n<<<<<<< HEAD\n* a\n=======\n* b\n>>>>>>> fix\n---------------\n";
        assert_eq!(
            check(conflict, "<!-- A -->"),
            Err(NotesError::Conflict {
                line: 3,
                text: "<<<<<<< HEAD".into()
            })
        );
        let unclosed = "## 1.0.1\n\n* a\n\n## 1.0.0\n\n---------------\n";
        assert_eq!(
            check(unclosed, "<!-- A -->"),
            Err(NotesError::Unclosed {
                line: 1,
                heading: "1.0.1".into()
            })
        );
        // A setext underline, or headings below the archive, are no sections.
        let other = "Title\n=======\n\n---------------\n<!-- A -->\n## old\n## older\n";
        assert_eq!(check(other, "<!-- A -->"), Ok(()));
    }

    const TEMPLATE: &str = "## VERSION\n\nUnreleased.\n\n### Added\n\n### Changed\n\n--------------------------------------------------------------------------------\n";

    fn notes() -> String {
        format!(
            "## 49.0.0\n\nUnreleased.\n\n### Added\n\n* A thing. [#1](x)\n\n| a | b |\n|-----------|---|\n\n### Changed\n\n{SEPARATOR}\n\nRelease notes for previous releases of Wasmtime can be found on the respective\nrelease branches of the Wasmtime repository.\n\n<!-- ARCHIVE_START -->\n* [48.0.x](https://h/r/blob/release-48.0.0/RELEASES.md)\n"
        )
    }

    #[test]
    fn rotate_like_the_reference_but_tables_do_not_end_sections() {
        let out = rotate(
            &notes(),
            &section_from_template(TEMPLATE, "50.0.0"),
            "<!-- ARCHIVE_START -->",
            "* [49.0.x](https://h/r/blob/release-49.0.0/RELEASES.md)",
        )
        .unwrap();
        assert_eq!(
            out,
            format!(
                "## 50.0.0\n\nUnreleased.\n\n### Added\n\n### Changed\n\n{SEPARATOR}\n\nRelease notes for previous releases of Wasmtime can be found on the respective\nrelease branches of the Wasmtime repository.\n\n<!-- ARCHIVE_START -->\n* [49.0.x](https://h/r/blob/release-49.0.0/RELEASES.md)\n* [48.0.x](https://h/r/blob/release-48.0.0/RELEASES.md)\n"
            )
        );
    }

    #[test]
    fn backport_entries_go_under_their_heading_once() {
        let opened = open_section(
            &notes(),
            &section_from_template(TEMPLATE, "49.0.1"),
            "49.0.1",
        );
        let one = add_entry(&opened, "49.0.1", "### Fixed", "Fix A (#7)").unwrap();
        assert!(
            one.starts_with(&format!(
                "## 49.0.1\n\nUnreleased.\n\n### Added\n\n### Changed\n\n### Fixed\n\n* Fix A (#7)\n\n{SEPARATOR}\n## 49.0.0\n"
            )),
            "{one}"
        );
        let two = add_entry(&one, "49.0.1", "### Fixed", "Fix B").unwrap();
        let forged = add_entry(&one, "49.0.1", "### Fixed", "Fix C\n\n## 9.9.9\nInjected").unwrap();
        assert!(forged.contains("* Fix C ## 9.9.9 Injected\n"), "{forged}");
        assert!(!forged.contains("\n## 9.9.9"), "{forged}");
        assert!(
            two.contains("### Fixed\n\n* Fix A (#7)\n* Fix B\n\n---"),
            "{two}"
        );
        assert_eq!(
            add_entry(&two, "49.0.1", "### Fixed", "Fix B").unwrap(),
            two
        );
        // Under an existing, empty heading that other parts follow.
        let empty = add_entry(&opened, "49.0.1", "### Added", "New").unwrap();
        assert!(
            empty.contains("### Added\n\n* New\n\n### Changed\n"),
            "{empty}"
        );
        // The section of 49.0.0 is the second; nothing else changes.
        let older = add_entry(&opened, "49.0.0", "### Changed", "Old").unwrap();
        assert!(
            older.contains(&format!(
                "### Changed\n\n* Old\n\n{SEPARATOR}\n\nRelease notes"
            )),
            "{older}"
        );
        assert_eq!(
            add_entry(&opened, "1.0.0", "### Fixed", "x"),
            Err(NotesError::NoSection("1.0.0".into()))
        );
    }

    #[test]
    fn rotate_errors_leave_nothing_half_done() {
        assert_eq!(
            rotate("## 1\n", "x", "m", "l"),
            Err(NotesError::NoSeparator)
        );
        assert_eq!(
            rotate(&format!("## 1\n{SEPARATOR}\n"), "x", "<!-- A -->", "l"),
            Err(NotesError::NoArchiveMarker("<!-- A -->".into()))
        );
    }

    #[test]
    fn release_date_and_sections() {
        let n = set_released(&notes(), "2026-11-20");
        assert!(n.starts_with("## 49.0.0\n\nReleased 2026-11-20.\n"));
        assert!(!first_section_unreleased(&n));
        assert!(first_section_unreleased(&notes()));
        let s = section(&n, Some("49.0.0")).unwrap();
        assert!(
            s.starts_with("## 49.0.0\n\nReleased 2026-11-20.") && s.ends_with("### Changed\n"),
            "{s}"
        );
        assert_eq!(section(&n, None).unwrap(), s);
        assert_eq!(
            section(&n, Some("1.0.0")),
            Err(NotesError::NoSection("1.0.0".into()))
        );

        let p = open_section(&n, &section_from_template(TEMPLATE, "49.0.1"), "49.0.1");
        assert!(p.starts_with("## 49.0.1\n\nUnreleased.\n"));
        assert_eq!(open_section(&p, "again", "49.0.1"), p);
        assert!(
            section(&p, Some("49.0.0"))
                .unwrap()
                .contains("Released 2026-11-20.")
        );
        assert_eq!(series(&Version::parse("49.0.3").unwrap()), "49.0.x");
    }
}
