//! Snapshots of live pulls: the rules as read (normalised into [`DetectionRule`]s, every skipped
//! entry and warning kept), with the time of the pull, the URL and a sha256 of the content.
//! `--offline` compiles from a snapshot exactly what the pull yielded; the hash tells an edited
//! snapshot from a pulled one. No credential is in it: the rules are all it holds.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::inputs::walk::SkippedFile;
use crate::model::RuleKind;
use crate::rules::DetectionRule;
use crate::rules::source::{RuleWarning, SourceReport};

/// The snapshot format's version.
pub const FORMAT: u32 = 1;

/// One pull, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`FORMAT`].
    pub ttpc_snapshot: u32,
    /// The product.
    pub kind: RuleKind,
    /// The listing's URL (without credentials).
    pub url: String,
    /// When the pull ended (UTC, RFC 3339).
    pub taken: DateTime<Utc>,
    /// sha256 of `content` as serialised compactly.
    pub sha256: String,
    /// What the pull yielded.
    pub content: Content,
}

/// The rules of a pull and the account of its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Entries the API listed.
    pub entries: usize,
    /// The rules, sorted by ID.
    pub rules: Vec<DetectionRule>,
    /// Entries that are no rule, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// Problems with single rules.
    pub warnings: Vec<RuleWarning>,
}

/// Why a snapshot cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// No snapshot at the place.
    #[error("there is no snapshot at {}", .0.display())]
    Missing(PathBuf),
    /// Unreadable, not a snapshot, or edited.
    #[error("the snapshot {} cannot be used: {message}", path.display())]
    Invalid {
        /// Where.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

fn digest(content: &Content) -> String {
    let bytes = serde_json::to_vec(content).unwrap_or_default();
    crate::io::sha256_hex(&bytes)
}

impl Snapshot {
    /// The snapshot of a pull that ended at `taken`.
    pub fn of(report: &SourceReport, taken: DateTime<Utc>) -> Snapshot {
        let content = Content {
            entries: report.files,
            rules: report.rules.clone(),
            skipped: report.skipped.clone(),
            warnings: report.warnings.clone(),
        };
        Snapshot {
            ttpc_snapshot: FORMAT,
            kind: report.kind,
            url: report.path.display().to_string(),
            taken,
            sha256: digest(&content),
            content,
        }
    }

    /// The file's text: pretty JSON with a trailing newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads and checks a snapshot of a source of `kind`.
    pub fn read(path: &Path, kind: RuleKind) -> Result<Snapshot, SnapshotError> {
        let invalid = |message: String| SnapshotError::Invalid { path: path.to_owned(), message };
        let bytes = match crate::inputs::text::read_capped(path) {
            Ok(bytes) => bytes,
            Err(_) if !path.exists() => return Err(SnapshotError::Missing(path.to_owned())),
            Err(e) => return Err(invalid(e.detail)),
        };
        let snapshot: Snapshot =
            serde_json::from_slice(&bytes).map_err(|e| invalid(crate::inputs::text::json_error(&e)))?;
        if snapshot.ttpc_snapshot != FORMAT {
            return Err(invalid(format!(
                "snapshot format {} (this ttpc reads {FORMAT})",
                snapshot.ttpc_snapshot
            )));
        }
        if snapshot.kind != kind {
            return Err(invalid(format!("it holds a {} pull, not {kind}", snapshot.kind)));
        }
        if digest(&snapshot.content) != snapshot.sha256 {
            return Err(invalid(String::from("its sha256 does not match its content (edited by hand?)")));
        }
        Ok(snapshot)
    }

    /// The pull as a source report.
    pub fn report(&self) -> SourceReport {
        SourceReport {
            kind: self.kind,
            path: PathBuf::from(&self.url),
            files: self.content.entries,
            parsed_files: self.content.entries - self.content.skipped.len().min(self.content.entries),
            skipped: self.content.skipped.clone(),
            rules: self.content.rules.clone(),
            warnings: self.content.warnings.clone(),
        }
    }
}

/// A file name for a source's snapshot: the name with anything but letters, digits, `-`, `_` and
/// `.` replaced.
pub fn file_name(source: &str) -> String {
    let mut name: String = source
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    name.truncate(100);
    format!("{name}.json")
}
