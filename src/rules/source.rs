//! A rule source on disk: walk it, parse every file in parallel, account for every file.
//!
//! Walking is deterministic (entries sorted by name) and does not follow symbolic links; hidden
//! folders (`.git`, `.github`) are not entered. Every regular file met ends up in exactly one
//! bucket: parsed (with its rules) or skipped with a reason. Paths in the report are relative
//! to the source root, so reports do not depend on where the repository is checked out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use super::{DetectionRule, Parsed, Skip, SkipReason, adapter};
use crate::model::RuleKind;

/// A file that yielded no rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    /// Relative to the source root.
    pub path: PathBuf,
    /// The bucket.
    pub reason: SkipReason,
    /// The detail (parser message with line and column).
    pub detail: String,
}

/// A warning about one rule inside an otherwise good file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleWarning {
    /// Relative to the source root.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Everything a source yielded.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// The format.
    pub kind: RuleKind,
    /// The source as the model (or the command line) names it.
    pub path: PathBuf,
    /// Regular files met.
    pub files: usize,
    /// Files that yielded at least one rule.
    pub parsed_files: usize,
    /// Files that yielded none, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// The rules, in file order.
    pub rules: Vec<DetectionRule>,
    /// Problems with single rules that did not stop their file.
    pub warnings: Vec<RuleWarning>,
}

impl SourceReport {
    /// How many rules name at least one technique (as written, before normalisation).
    pub fn rules_with_techniques(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| !r.techniques.is_empty())
            .count()
    }

    /// Skipped files per reason.
    pub fn skipped_by_reason(&self) -> BTreeMap<SkipReason, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(s.reason).or_insert(0) += 1;
        }
        counts
    }
}

/// Why a source could not be read at all.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The path does not exist.
    #[error("rule source {} does not exist", path.display())]
    Missing {
        /// The path.
        path: PathBuf,
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

/// Loads a source: one file (parsed whatever its extension) or a folder tree (files the
/// adapter does not recognise are skipped as "not a rule").
pub fn load(kind: RuleKind, path: &Path) -> Result<SourceReport, SourceError> {
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => SourceError::Missing {
            path: path.to_owned(),
        },
        _ => SourceError::Unreadable {
            path: path.to_owned(),
            source,
        },
    })?;
    let adapter = adapter(kind);

    // (absolute path, path relative to the root, whether the adapter should parse it)
    let mut files: Vec<(PathBuf, PathBuf, Option<Skip>)> = Vec::new();
    if metadata.is_file() {
        let name = path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| path.to_owned());
        files.push((path.to_owned(), name, None));
    } else {
        let walker = walkdir::WalkDir::new(path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_name().to_string_lossy().starts_with('.')
                    || e.file_type().is_file()
            });
        for entry in walker {
            let entry = entry.map_err(|e| SourceError::Unreadable {
                path: e.path().unwrap_or(path).to_owned(),
                source: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("walk failed")),
            })?;
            let relative = entry
                .path()
                .strip_prefix(path)
                .unwrap_or(entry.path())
                .to_owned();
            if entry.file_type().is_symlink() {
                files.push((
                    entry.path().to_owned(),
                    relative,
                    Some(Skip::not_a_rule("symbolic link, not followed")),
                ));
            } else if entry.file_type().is_file() {
                let skip = (!adapter.accepts(entry.path())).then(|| {
                    Skip::not_a_rule(format!("{kind} rules do not use this file extension"))
                });
                files.push((entry.path().to_owned(), relative, skip));
            }
        }
    }

    let outcomes: Vec<Result<Parsed, Skip>> = files
        .par_iter()
        .map(|(absolute, _, skip)| match skip {
            Some(skip) => Err(skip.clone()),
            None => parse_file(kind, absolute),
        })
        .collect();

    let mut report = SourceReport {
        kind,
        path: path.to_owned(),
        files: files.len(),
        parsed_files: 0,
        skipped: Vec::new(),
        rules: Vec::new(),
        warnings: Vec::new(),
    };
    for ((_, relative, _), outcome) in files.into_iter().zip(outcomes) {
        match outcome {
            Ok(parsed) if !parsed.rules.is_empty() => {
                report.parsed_files += 1;
                for mut rule in parsed.rules {
                    rule.path.clone_from(&relative);
                    report.rules.push(rule);
                }
                report
                    .warnings
                    .extend(parsed.warnings.into_iter().map(|message| RuleWarning {
                        path: relative.clone(),
                        message,
                    }));
            }
            Ok(parsed) => {
                let detail = match parsed.warnings.first() {
                    Some(w) => format!("no usable rule: {w}"),
                    None => String::from("no rules in the file"),
                };
                report.skipped.push(SkippedFile {
                    path: relative,
                    reason: SkipReason::NotARule,
                    detail,
                });
            }
            Err(skip) => report.skipped.push(SkippedFile {
                path: relative,
                reason: skip.reason,
                detail: skip.detail,
            }),
        }
    }
    Ok(report)
}

fn parse_file(kind: RuleKind, path: &Path) -> Result<Parsed, Skip> {
    let bytes =
        std::fs::read(path).map_err(|e| Skip::new(SkipReason::Unreadable, e.to_string()))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(Skip::new(
                SkipReason::InvalidUtf8,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    adapter(kind).parse(path, text)
}
