//! Release archives: `.tar.gz` (Unix targets) or `.zip` (Windows targets)
//! holding one directory, and SHA-256 sums.

use anyhow::{Context as _, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// Writes `out` with `files` (path on disk, name inside) under `dir/`.
pub fn pack(out: &Path, dir: &str, files: &[(&Path, &str)], zip: bool) -> Result<()> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    if zip {
        let mut z = zip::ZipWriter::new(file);
        for (path, name) in files {
            let mode = std::fs::metadata(path).map(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode()
            })?;
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(mode);
            z.start_file(format!("{dir}/{name}"), opts)?;
            z.write_all(&std::fs::read(path)?)?;
        }
        z.finish()?;
    } else {
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut t = tar::Builder::new(gz);
        for (path, name) in files {
            t.append_path_with_name(path, format!("{dir}/{name}"))
                .with_context(|| format!("cannot add {} to {}", path.display(), out.display()))?;
        }
        t.into_inner()?.finish()?.flush()?;
    }
    Ok(())
}

/// The SHA-256 of a file, in lowercase hex.
pub fn sha256_hex(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// `sha256sum`'s format: the hex digest, two spaces, the name.
pub fn sha256_line(path: &Path) -> Result<String> {
    Ok(format!(
        "{}  {}",
        sha256_hex(path)?,
        path.file_name().expect("a file").to_string_lossy()
    ))
}

/// The (digest, file name) lines of a `SHA256SUMS` (`sha256sum`'s text or
/// binary mode), or the number of the first line that is neither.
pub fn parse_sums(text: &str) -> Result<Vec<(String, String)>, usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let (hex, name) = l.split_once(' ').ok_or(i + 1)?;
            let name = name.strip_prefix([' ', '*']).ok_or(i + 1)?;
            let ok = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
            (ok && !name.is_empty() && !name.contains(['/', '\\']))
                .then(|| (hex.to_ascii_lowercase(), name.to_string()))
                .ok_or(i + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn packs_zip_and_tar_gz_under_one_directory() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("tool.exe");
        std::fs::write(&bin, b"binary").unwrap();

        let z = dir.path().join("tool-1.0.0-x86_64-pc-windows-msvc.zip");
        pack(
            &z,
            "tool-1.0.0-x86_64-pc-windows-msvc",
            &[(&bin, "tool.exe")],
            true,
        )
        .unwrap();
        let mut a = zip::ZipArchive::new(std::fs::File::open(&z).unwrap()).unwrap();
        let mut f = a
            .by_name("tool-1.0.0-x86_64-pc-windows-msvc/tool.exe")
            .unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "binary");

        let t = dir.path().join("tool.tar.gz");
        pack(&t, "tool-1.0.0", &[(&bin, "tool")], false).unwrap();
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(
            std::fs::File::open(&t).unwrap(),
        ));
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["tool-1.0.0/tool"]);

        assert_eq!(
            sha256_line(&bin).unwrap(),
            "9a3a45d01531a20e89ac6ae10b0b0beb0492acd7216a368aa062d1a5fecaf9cd  tool.exe"
        );
    }

    #[test]
    fn reads_sha256sum_lines() {
        let h = "9a3a45d01531a20e89ac6ae10b0b0beb0492acd7216a368aa062d1a5fecaf9cd";
        let text = format!("{h}  a.tar.gz\n{} *b.zip\n\n", h.to_uppercase());
        assert_eq!(
            parse_sums(&text).unwrap(),
            [
                (h.to_string(), "a.tar.gz".to_string()),
                (h.into(), "b.zip".into())
            ]
        );
        assert_eq!(parse_sums(&format!("{h}  ok\nnonsense\n")), Err(2));
        assert_eq!(parse_sums(&format!("{h}  ../escape\n")), Err(1));
        assert_eq!(parse_sums("abc  short\n"), Err(1));
    }
}
