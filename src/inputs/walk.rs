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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    wanted: impl Fn(&Path) -> Option<Skip>,
    parse: impl Fn(&Path, &str) -> Result<T, Skip> + Sync,
) -> Result<Walked<T>, SourceError> {
    walk_with(root, wanted, |absolute, _| read_text(absolute).and_then(|text| parse(absolute, &text)))
}

/// Like [`walk`], but `produce` gets each wanted file's absolute and relative path and does the
/// reading itself (a cache can answer without reading).
pub fn walk_with<T: Send>(
    root: &Path,
    wanted: impl Fn(&Path) -> Option<Skip>,
    produce: impl Fn(&Path, &Path) -> Result<T, Skip> + Sync,
) -> Result<Walked<T>, SourceError> {
    let metadata = std::fs::metadata(root).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => SourceError::Missing { path: root.to_owned() },
        _ => SourceError::Unreadable { path: root.to_owned(), source },
    })?;

    // (absolute path, path relative to the root, why it is not parsed)
    let mut files: Vec<(PathBuf, PathBuf, Option<Skip>)> = Vec::new();
    let max_files = crate::limits::current().max_files;
    if metadata.is_file() {
        let name = root.file_name().map(PathBuf::from).unwrap_or_else(|| root.to_owned());
        files.push((root.to_owned(), name, None));
    } else {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.') || e.file_type().is_file()
            });
        for entry in walker {
            let entry = entry.map_err(|e| SourceError::Unreadable {
                path: e.path().unwrap_or(root).to_owned(),
                source: e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk failed")),
            })?;
            if files.len() >= max_files && !entry.file_type().is_dir() {
                return Err(SourceError::TooManyFiles { path: root.to_owned(), limit: max_files });
            }
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_owned();
            if entry.file_type().is_symlink() {
                files.push((
                    entry.path().to_owned(),
                    relative,
                    Some(Skip::not_a_rule("symbolic link, not followed")),
                ));
            } else if entry.file_type().is_file() {
                let skip = wanted(entry.path());
                files.push((entry.path().to_owned(), relative, skip));
            }
        }
    }

    let outcomes: Vec<Result<T, Skip>> = files
        .par_iter()
        .map(|(absolute, relative, skip)| match skip {
            Some(skip) => Err(skip.clone()),
            None => produce(absolute, relative),
        })
        .collect();

    let mut walked = Walked { files: files.len(), parsed: Vec::new(), skipped: Vec::new() };
    for ((_, relative, _), outcome) in files.into_iter().zip(outcomes) {
        match outcome {
            Ok(value) => walked.parsed.push((relative, value)),
            Err(skip) => {
                walked.skipped.push(SkippedFile { path: relative, reason: skip.reason, detail: skip.detail })
            }
        }
    }
    Ok(walked)
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
