//! File plumbing every stage shares: atomic writes of single files (caches, the lock file, a new
//! model), the transactional write of a model's whole output set, and sha256 hashing.
//!
//! A single file is written to a temporary file beside it and renamed over the old one, so a
//! reader sees the old file or the new one, never part of either. A model's output set is written
//! as one transaction: every file is staged in a fresh folder beside the output folder, and only
//! when all of them are written is the staged folder swapped in for the old one. A failure (a full
//! disk, a name the file system refuses) leaves the previous set complete and untouched; a success
//! replaces it whole, so no file of an earlier run lingers beside the new ones.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use miette::Diagnostic;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// A rendered output: where (relative to the output folder) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative path inside the output folder.
    pub path: PathBuf,
    /// Contents.
    pub contents: String,
}

impl OutputFile {
    /// An output at `path` (relative to the output folder).
    pub fn new(path: impl Into<PathBuf>, contents: String) -> OutputFile {
        OutputFile { path: path.into(), contents }
    }
}

/// The file that marks a folder as ttpc's output folder, which each compile replaces whole.
pub const MARKER: &str = ".ttpc-outputs";

/// Writing failed.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot write {}", path.display())]
#[diagnostic(
    code(ttpc::io::write),
    help(
        "check that the output folder and the folder above it are writable and have room (set the folder with -o DIR or outputs.dir)"
    )
)]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// Why an output set was not written.
#[derive(Debug, Error, Diagnostic)]
pub enum OutputError {
    /// Writing failed; the previous outputs are untouched.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(#[from] WriteError),
    /// An output path that would land outside the output folder.
    #[error("refusing to write {}: it would land outside the output folder {}", path.display(), dir.display())]
    #[diagnostic(
        code(ttpc::confine::output),
        help("output paths are plain relative names; this one climbs out or is absolute")
    )]
    Outside {
        /// The output, relative to the output folder.
        path: PathBuf,
        /// The output folder.
        dir: PathBuf,
    },
    /// The output folder holds files ttpc did not write, which replacing it would delete.
    #[error("the output folder {} holds files ttpc did not write (e.g. {})", dir.display(), example.display())]
    #[diagnostic(
        code(ttpc::io::foreign_folder),
        help(
            "each compile replaces its output folder whole; choose an empty or new folder (-o DIR or outputs.dir), or move those files away"
        )
    )]
    Foreign {
        /// The output folder.
        dir: PathBuf,
        /// One of the files ttpc did not write.
        example: PathBuf,
    },
}

impl OutputError {
    /// Whether the fault lies with the input (a path or folder the user chose) rather than the
    /// system (a full disk, permissions).
    pub fn is_input_error(&self) -> bool {
        !matches!(self, OutputError::Write(_))
    }
}

/// The sha256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Writes one file atomically: a temporary file in the same folder, then a rename.
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
    set_mode(temp.path(), 0o644).map_err(fail)?;
    // No fsync: outputs and caches can be rebuilt; the rename alone guarantees that readers see
    // the old file or the new one, never a part of either.
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Appends to a file another program owns and reads as a whole afterwards (GitHub's
/// `$GITHUB_STEP_SUMMARY`): one write of all the bytes, never a rewrite of what is there.
pub fn append(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |source| WriteError { path: path.to_owned(), source };
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(fail)?;
    file.write_all(bytes).map_err(fail)
}

/// Writes a model's output set into `dir` as one transaction (see the module docs). Output paths
/// must be plain relative names. An existing `dir` must be ttpc's: empty, marked by an earlier
/// compile, or holding only files named as ttpc names its outputs; anything else is refused
/// before a byte is written, because replacing the folder would delete it.
pub fn write_set(dir: &Path, files: &[OutputFile]) -> Result<(), OutputError> {
    let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    let mut set = OutputSet::begin(dir, &paths)?;
    for file in files {
        set.add(file)?;
    }
    set.commit()
}

/// An output set being written: [`write_set`] for outputs made one at a time, each written
/// and dropped before the next is made, so a large set (a fleet overview of thousands of models)
/// never sits in memory whole. Dropped before [`OutputSet::commit`], it deletes what it staged
/// and the previous outputs stay untouched.
#[derive(Debug)]
pub struct OutputSet {
    /// The output folder (a link named as it resolved).
    dir: PathBuf,
    /// Whether it exists (and is ttpc's): swapped, not renamed.
    existing: bool,
    staging: tempfile::TempDir,
    folders: std::collections::BTreeSet<PathBuf>,
    names: Vec<String>,
}

impl OutputSet {
    /// Checks the output folder and the paths the set will hold, and opens a staging folder.
    pub fn begin(dir: &Path, paths: &[&Path]) -> Result<OutputSet, OutputError> {
        for path in paths {
            if path.as_os_str().is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
                return Err(OutputError::Outside { path: path.to_path_buf(), dir: dir.to_owned() });
            }
        }
        // A link named as the output folder is the operator's choice: write where it leads.
        let dir = match std::fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                dir.canonicalize().map_err(|source| WriteError { path: dir.to_owned(), source })?
            }
            _ => dir.to_owned(),
        };
        let existing = match std::fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => {
                if let Some(example) = foreign_file(&dir) {
                    return Err(OutputError::Foreign { dir, example });
                }
                true
            }
            Ok(_) => {
                let source = std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a file, not a folder");
                return Err(WriteError { path: dir, source }.into());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(source) => return Err(WriteError { path: dir, source }.into()),
        };
        let name =
            dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| String::from("out"));
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|source| WriteError { path: parent.clone(), source })?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.ttpc-new-"))
            .tempdir_in(&parent)
            .map_err(|source| WriteError { path: parent.clone(), source })?;
        set_mode(staging.path(), 0o755)
            .map_err(|source| WriteError { path: staging.path().to_owned(), source })?;
        Ok(OutputSet {
            dir,
            existing,
            staging,
            folders: std::collections::BTreeSet::new(),
            names: Vec::with_capacity(paths.len()),
        })
    }

    /// Writes one file of the set into the staging folder. Its path must be one of those given
    /// to [`OutputSet::begin`] (it is checked again).
    pub fn add(&mut self, file: &OutputFile) -> Result<(), OutputError> {
        if file.path.as_os_str().is_empty()
            || !file.path.components().all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(OutputError::Outside { path: file.path.clone(), dir: self.dir.clone() });
        }
        let root = self.staging.path();
        let path = root.join(&file.path);
        if let Some(parent) = file.path.parent().filter(|p| !p.as_os_str().is_empty())
            && self.folders.insert(parent.to_owned())
        {
            let folder = root.join(parent);
            std::fs::create_dir_all(&folder).map_err(|source| WriteError { path: folder, source })?;
        }
        let fail = |source| WriteError { path: file.path.clone(), source };
        let mut out = std::fs::File::create(&path).map_err(fail)?;
        out.write_all(file.contents.as_bytes()).and_then(|()| out.flush()).map_err(fail)?;
        self.names.push(file.path.to_string_lossy().replace('\\', "/"));
        Ok(())
    }

    /// Writes the marker and puts the staged set in place of the previous one.
    pub fn commit(mut self) -> Result<(), OutputError> {
        self.names.sort();
        let mut marker = String::from(
            "# Written by ttpc: this folder holds one compile's outputs and is replaced whole by the next.\n",
        );
        for name in &self.names {
            marker.push_str(name);
            marker.push('\n');
        }
        let path = self.staging.path().join(MARKER);
        std::fs::write(&path, marker).map_err(|source| WriteError { path, source })?;
        let (dir, existing) = (self.dir, self.existing);
        let staged = self.staging.keep();
        let swapped = if existing { swap(&staged, &dir) } else { std::fs::rename(&staged, &dir) };
        if let Err(source) = swapped {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(WriteError { path: dir, source }.into());
        }
        // After a swap the staged path holds the previous set; it is no longer needed.
        if existing {
            let _ = std::fs::remove_dir_all(&staged);
        }
        Ok(())
    }
}

/// Exchanges two folders: atomically where the system can (Linux `renameat2`), else by two
/// renames, putting the old folder back if the second fails.
fn swap(staged: &Path, dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staged, CWD, dir, RenameFlags::EXCHANGE).is_ok() {
            return Ok(());
        }
    }
    let aside = staged.with_extension("old");
    std::fs::rename(dir, &aside)?;
    if let Err(e) = std::fs::rename(staged, dir) {
        let _ = std::fs::rename(&aside, dir);
        return Err(e);
    }
    // The caller removes `staged`; the old set now sits at `aside`.
    std::fs::rename(&aside, staged)
}

/// The first file in `dir` that ttpc did not write, if any. A folder with the marker is ttpc's;
/// one without it (written by a ttpc before the marker, or new) is ttpc's when every file in it
/// has a name ttpc gives its outputs.
fn foreign_file(dir: &Path) -> Option<PathBuf> {
    if dir.join(MARKER).is_file() {
        return None;
    }
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap_or(e.path()).to_owned())
        .find(|relative| !is_output_name(relative))
}

/// Whether a path is one ttpc writes into an output folder.
fn is_output_name(relative: &Path) -> bool {
    let text = relative.to_string_lossy().replace('\\', "/");
    let top = [
        "assessment.json",
        "report.md",
        "report.html",
        "matrix.svg",
        "remediation-plan.yaml",
        "gaps.csv",
        "emulation-plan.md",
        "diff.md",
    ];
    let in_folder = |folder: &str, suffixes: &[&str]| {
        text.strip_prefix(folder)
            .is_some_and(|rest| !rest.contains('/') && suffixes.iter().any(|s| rest.ends_with(s)))
    };
    top.contains(&text.as_str())
        || in_folder("layers/", &[".json"])
        || in_folder("snapshots/", &[".json"])
        || in_folder("emulation/", &[".ps1", ".sh", ".caldera.yml", ".yml", ".yaml"])
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile::new(path, contents.to_owned())
    }

    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
                (rel, std::fs::read_to_string(e.path()).expect("text"))
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn output_paths_that_climb_or_are_absolute_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        for bad in ["../escaped.json", "layers/../../escaped.json", "/tmp/escaped.json", ""] {
            let result = write_set(&out, &[file("report.md", "x"), file(bad, "x")]);
            assert!(matches!(result, Err(OutputError::Outside { .. })), "{bad}: {result:?}");
            assert!(!out.exists(), "{bad}: nothing written");
        }
        assert!(!dir.path().join("escaped.json").exists());
    }

    #[test]
    fn a_failed_write_leaves_the_previous_set_complete_and_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        write_set(&out, &[file("report.md", "old report"), file("layers/a.json", "old layer")])
            .expect("first");
        let before = listing(&out);
        // A name longer than any file system allows fails the write of the last file: an error
        // injected through the real file system, as a full disk would fail it.
        let too_long = format!("layers/{}.json", "x".repeat(300));
        let result = write_set(&out, &[file("report.md", "new report"), file(&too_long, "new layer")]);
        assert!(matches!(result, Err(OutputError::Write(_))), "{result:?}");
        assert_eq!(listing(&out), before, "the previous set is untouched");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, ["out"], "no staging folder is left behind");
    }

    #[test]
    fn a_success_replaces_the_set_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        write_set(&out, &[file("report.md", "one"), file("layers/actor-old.json", "{}")]).expect("first");
        write_set(&out, &[file("report.md", "two"), file("layers/actor-new.json", "{}")]).expect("second");
        let names: Vec<String> = listing(&out).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, [MARKER, "layers/actor-new.json", "report.md"]);
        assert_eq!(std::fs::read_to_string(out.join("report.md")).expect("report"), "two");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1, "nothing beside the folder");
    }

    #[test]
    fn a_folder_holding_other_files_is_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
        let result = write_set(dir.path(), &[file("report.md", "x")]);
        assert!(matches!(result, Err(OutputError::Foreign { .. })), "{result:?}");
        assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).expect("kept"), "mine");
        assert!(!dir.path().join("report.md").exists());
    }

    #[test]
    fn outputs_of_an_older_ttpc_without_the_marker_are_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("layers")).expect("mkdir");
        std::fs::write(out.join("layers/gaps.json"), "{}").expect("write");
        std::fs::write(out.join("report.md"), "old").expect("write");
        write_set(&out, &[file("report.md", "new")]).expect("replaced");
        assert!(!out.join("layers/gaps.json").exists());
    }

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
