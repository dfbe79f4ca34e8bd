//! Writing outputs atomically: every file is rendered in memory first, then each is written to a
//! temporary file in its destination folder and renamed over the old one, so a failed run never
//! leaves a half-written file and never touches earlier outputs before everything rendered.

use std::io::Write;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

/// A rendered output: where (relative to the output folder) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path inside the output folder.
    pub path: PathBuf,
    /// Contents.
    pub contents: String,
}

/// Writing failed.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot write {}", path.display())]
#[diagnostic(
    code(ttpc::emit::write),
    help("check that the output folder is writable (set it with -o DIR or outputs.dir)")
)]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// An output that would land outside the output folder.
#[derive(Debug, Error, Diagnostic)]
#[error("refusing to write {}: it would land outside the output folder {}", path.display(), dir.display())]
#[diagnostic(
    code(ttpc::confine::output),
    help(
        "a symbolic link inside the output folder points elsewhere; remove it, or choose another folder with -o DIR"
    )
)]
pub struct OutsideOutput {
    /// The output, relative to the output folder.
    pub path: PathBuf,
    /// The output folder.
    pub dir: PathBuf,
}

/// Writes every file under `dir`, each atomically, and nowhere else: an output path that is not
/// plainly relative, or a folder inside `dir` that is a symbolic link leading out of it, is
/// refused before anything is written.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<(), crate::Error> {
    let outside = |path: &Path| OutsideOutput { path: path.to_owned(), dir: dir.to_owned() };
    std::fs::create_dir_all(dir).map_err(|source| WriteError { path: dir.to_owned(), source })?;
    let root = dir.canonicalize().map_err(|source| WriteError { path: dir.to_owned(), source })?;
    // Many outputs share a folder (layers/, emulation/): each is created and checked once.
    let mut checked = std::collections::BTreeSet::new();
    for file in files {
        if !file.path.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
            return Err(outside(&file.path).into());
        }
        if let Some(parent) = file.path.parent().filter(|p| !p.as_os_str().is_empty() && checked.insert(*p)) {
            let folder = root.join(parent);
            std::fs::create_dir_all(&folder).map_err(|source| WriteError { path: folder.clone(), source })?;
            let real = folder.canonicalize().map_err(|source| WriteError { path: folder.clone(), source })?;
            if !real.starts_with(&root) {
                return Err(outside(&file.path).into());
            }
        }
    }
    // The final rename replaces a symbolic link at the file's own name rather than following it.
    for file in files {
        write_atomic(&root.join(&file.path), file.contents.as_bytes())?;
    }
    Ok(())
}

/// Writes one file atomically: temporary file in the same folder, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |source| WriteError { path: path.to_owned(), source };
    std::fs::create_dir_all(folder).map_err(|source| WriteError { path: folder.to_owned(), source })?;
    let mut temp =
        tempfile::Builder::new().prefix(".ttpc-").suffix(".tmp").tempfile_in(folder).map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    // Temporary files are private (0600); outputs are ordinary files other tools read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(fail)?;
    }
    // No fsync: outputs and caches can be rebuilt; the rename alone guarantees that readers see
    // the old file or the new one, never a part of either.
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> OutputFile {
        OutputFile { path: PathBuf::from(path), contents: String::from("x\n") }
    }

    #[test]
    fn output_paths_that_climb_or_are_absolute_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        for bad in ["../escaped.json", "layers/../../escaped.json", "/tmp/escaped.json"] {
            let result = write_all(&out, &[file("report.md"), file(bad)]);
            assert!(matches!(result, Err(crate::Error::OutsideOutput(_))), "{bad}: {result:?}");
            assert!(!out.join("report.md").exists(), "{bad}: nothing written");
        }
        assert!(!dir.path().join("escaped.json").exists());
    }

    #[test]
    fn an_actor_name_cannot_become_a_path() {
        // Layer and script names are slugs of ATT&CK names: never a separator or `..`.
        for name in ["../../etc/passwd", "/abs", "a/b\\c", "..", ""] {
            let slug = crate::emit::layers::slug(name);
            assert!(slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{name} → {slug}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let name = format!("layers/actor-{}.json", crate::emit::layers::slug("../../x"));
        write_all(dir.path(), &[file(&name)]).expect("a slug is a plain file name");
        assert!(dir.path().join("layers/actor-x.json").exists());
    }
}
