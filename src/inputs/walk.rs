//! Walking a file or folder of inputs and parsing every file in parallel, with every file put
//! in exactly one bucket: parsed, or skipped with a reason. Rule sources and Atomic Red Team
//! folders both go through here.
//!
//! Walking is deterministic (entries sorted by name) and does not follow symbolic links; hidden
//! folders (`.git`, `.github`) are not entered. Paths handed back are relative to the root, so
//! reports do not depend on where the repository is checked out.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use super::{Skip, SkipReason};

/// A file that yielded nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SkippedFile {
    /// Relative to the root.
    pub path: PathBuf,
    /// The bucket.
    pub reason: SkipReason,
    /// The detail (parser message with line and column).
    pub detail: String,
}

/// Why a root could not be read at all.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The path does not exist.
    #[error("rule source {} does not exist", path.display())]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// The folder holds more files than `--max-files` allows.
    #[error("rule source {} holds more than {limit} files", path.display())]
    TooManyFiles {
        /// The folder.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// The path exists but cannot be listed or read.
    #[error("rule source {} cannot be read: {source}", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What a walk found.
#[derive(Debug)]
pub struct Walked<T> {
    /// Regular files met (symbolic links included, as skipped).
    pub files: usize,
    /// Files parsed, in walk order, with their path relative to the root.
    pub parsed: Vec<(PathBuf, T)>,
    /// Files skipped, in walk order.
    pub skipped: Vec<SkippedFile>,
}

/// Walks `root` (a file, parsed whatever its name, or a folder) and parses every file that
/// `wanted` accepts with `parse`, in parallel. `wanted` returns why a file is not wanted, or
/// `None` to parse it.
pub fn walk<T: Send>(
    root: &Path,
    wanted: impl Fn(&Path) -> Option<Skip> + Sync,
    parse: impl Fn(&Path, &str) -> Result<T, Skip> + Sync,
) -> Result<Walked<T>, SourceError> {
    walk_with(root, wanted, |absolute, _| read_text(absolute).and_then(|text| parse(absolute, &text)))
}

/// Like [`walk`], but `produce` gets each wanted file's absolute and relative path and does the
/// reading itself (a cache can answer without reading).
pub fn walk_with<T: Send>(
    root: &Path,
    wanted: impl Fn(&Path) -> Option<Skip> + Sync,
    produce: impl Fn(&Path, &Path) -> Result<T, Skip> + Sync,
) -> Result<Walked<T>, SourceError> {
    Ok(list(root, wanted)?.produce(produce))
}

/// Every file under a root, in walk order, before any is read.
#[derive(Debug)]
pub struct Listing {
    /// (absolute path, path relative to the root, why it is not parsed).
    files: Vec<(PathBuf, PathBuf, Option<Skip>)>,
}

/// Lists `root` (a file, or a folder walked in name order without following links or entering
/// hidden folders); `wanted` says why a file is not wanted, or `None` to keep it.
pub fn list(root: &Path, wanted: impl Fn(&Path) -> Option<Skip> + Sync) -> Result<Listing, SourceError> {
    let metadata = std::fs::metadata(root).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => SourceError::Missing { path: root.to_owned() },
        _ => SourceError::Unreadable { path: root.to_owned(), source },
    })?;
    let mut files: Vec<(PathBuf, PathBuf, Option<Skip>)> = Vec::new();
    let max_files = crate::limits::current().max_files;
    if metadata.is_file() {
        let name = root.file_name().map(PathBuf::from).unwrap_or_else(|| root.to_owned());
        files.push((root.to_owned(), name, None));
        return Ok(Listing { files });
    }
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let entries = list_folder(root, Path::new(""), &seen, max_files, &wanted).map_err(|e| match e {
        SourceError::TooManyFiles { limit, .. } => SourceError::TooManyFiles { path: root.to_owned(), limit },
        other => other,
    })?;
    files.extend(entries);
    Ok(Listing { files })
}

/// One file of a listing: absolute path, relative path, why it is not parsed.
type Listed = (PathBuf, PathBuf, Option<Skip>);

/// Lists a folder in name order, its subfolders in parallel (most of a listing is the
/// kernel's work per folder, which two cores do twice as fast), counting files against the
/// limit as they are met.
fn list_folder(
    folder: &Path,
    relative: &Path,
    seen: &std::sync::atomic::AtomicUsize,
    max_files: usize,
    wanted: &(impl Fn(&Path) -> Option<Skip> + Sync),
) -> Result<Vec<Listed>, SourceError> {
    use std::sync::atomic::Ordering;
    let unreadable = |path: &Path, source| SourceError::Unreadable { path: path.to_owned(), source };
    let mut entries: Vec<(std::ffi::OsString, std::fs::FileType)> = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|e| unreadable(folder, e))? {
        let entry = entry.map_err(|e| unreadable(folder, e))?;
        let kind = entry.file_type().map_err(|e| unreadable(&entry.path(), e))?;
        if !kind.is_dir() && seen.fetch_add(1, Ordering::Relaxed) >= max_files {
            return Err(SourceError::TooManyFiles { path: folder.to_owned(), limit: max_files });
        }
        entries.push((entry.file_name(), kind));
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<Result<Vec<Listed>, SourceError>> = entries
        .par_iter()
        .map(|(name, kind)| {
            // Hidden folders (`.git`, `.github`) are not entered; hidden files are read.
            let hidden = name.as_encoded_bytes().starts_with(b".");
            let (absolute, rel) = (folder.join(name), relative.join(name));
            if kind.is_symlink() {
                if hidden {
                    return Ok(Vec::new());
                }
                Ok(vec![(absolute, rel, Some(Skip::not_a_rule("symbolic link, not followed")))])
            } else if kind.is_dir() {
                if hidden { Ok(Vec::new()) } else { list_folder(&absolute, &rel, seen, max_files, wanted) }
            } else if kind.is_file() {
                let skip = wanted(&absolute);
                Ok(vec![(absolute, rel, skip)])
            } else {
                Ok(Vec::new())
            }
        })
        .collect();
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

impl Listing {
    /// Runs `produce` on every wanted file, in parallel, and puts each file in its bucket.
    pub fn produce<T: Send>(self, produce: impl Fn(&Path, &Path) -> Result<T, Skip> + Sync) -> Walked<T> {
        let outcomes: Vec<Result<T, Skip>> = self
            .files
            .par_iter()
            .map(|(absolute, relative, skip)| match skip {
                Some(skip) => Err(skip.clone()),
                None => produce(absolute, relative),
            })
            .collect();
        let mut walked = Walked { files: self.files.len(), parsed: Vec::new(), skipped: Vec::new() };
        for ((_, relative, _), outcome) in self.files.into_iter().zip(outcomes) {
            match outcome {
                Ok(value) => walked.parsed.push((relative, value)),
                Err(skip) => walked.skipped.push(SkippedFile {
                    path: relative,
                    reason: skip.reason,
                    detail: skip.detail,
                }),
            }
        }
        walked
    }
}

/// A file's text: UTF-8 checked, a leading BOM removed.
pub fn read_text(path: &Path) -> Result<String, Skip> {
    let bytes = super::text::read_capped(path)?;
    text_of(bytes)
}

/// Bytes as text: UTF-8 checked, a leading BOM removed.
pub fn text_of(bytes: Vec<u8>) -> Result<String, Skip> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        }),
        Err(e) => Err(Skip::new(
            SkipReason::InvalidUtf8,
            format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        )),
    }
}
