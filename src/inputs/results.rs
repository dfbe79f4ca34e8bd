//! Emulation results: a CSV a purple team fills in after running the tests —
//! `technique,test,guid,date,detected,notes`, `detected` being `yes`, `no` or `partial`.
//!
//! Columns may come in any order (header names are matched case-insensitively); `technique`,
//! `date` and `detected` are required. A row that cannot be read is a warning naming its line,
//! never an abort.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Whether the emulated technique was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detected {
    /// An alert fired.
    Yes,
    /// Nothing fired.
    No,
    /// Something fired, but not enough (telemetry only, low fidelity, late).
    Partial,
}

impl Detected {
    fn parse(s: &str) -> Option<Detected> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "detected" => Some(Detected::Yes),
            "no" | "n" | "false" | "missed" => Some(Detected::No),
            "partial" | "partly" => Some(Detected::Partial),
            _ => None,
        }
    }
}

/// One row of the results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulationResult {
    /// Technique ID, upper-cased.
    pub technique: String,
    /// Test number or name, as written.
    pub test: Option<String>,
    /// Test GUID, as written.
    pub guid: Option<String>,
    /// When it ran.
    pub date: NaiveDate,
    /// What happened.
    pub detected: Detected,
    /// Free text.
    pub notes: String,
    /// Its line in the file.
    pub line: usize,
}

/// A results file.
#[derive(Debug, Clone)]
pub struct ResultsFile {
    /// The file as the model names it.
    pub path: PathBuf,
    /// The rows read.
    pub results: Vec<EmulationResult>,
    /// Rows that could not be read (`line 7: ...`).
    pub warnings: Vec<String>,
}

/// The results file cannot be used at all.
#[derive(Debug, Error)]
pub enum ResultsError {
    /// It does not exist.
    #[error("emulation results file {} does not exist", path.display())]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// It cannot be read or is not CSV with the needed columns.
    #[error("emulation results file {}: {message}", path.display())]
    Invalid {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Reads a results file.
pub fn load_results(path: &Path) -> Result<ResultsFile, ResultsError> {
    use crate::limits::{self, ReadError};
    let bytes = limits::read_capped(path, limits::current().max_file_bytes).map_err(|e| match e {
        ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            ResultsError::Missing { path: path.to_owned() }
        }
        other => ResultsError::Invalid { path: path.to_owned(), message: other.to_string() },
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ResultsError::Invalid {
        path: path.to_owned(),
        message: String::from("not UTF-8 text"),
    })?;
    parse(path, &text)
}

/// Parses the text of a results file.
pub fn parse(path: &Path, text: &str) -> Result<ResultsFile, ResultsError> {
    let invalid = |message: String| ResultsError::Invalid { path: path.to_owned(), message };
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| invalid(e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(technique), Some(date), Some(detected)) =
        (column("technique"), column("date"), column("detected"))
    else {
        return Err(invalid(String::from(
            "the header must name the columns technique, date and detected (test, guid and notes are optional)",
        )));
    };
    let (test, guid, notes) = (column("test"), column("guid"), column("notes"));
    let mut out = ResultsFile { path: path.to_owned(), results: Vec::new(), warnings: Vec::new() };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.warnings.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line()) as usize;
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).filter(|s| !s.is_empty());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(id) = field(Some(technique)).filter(|t| super::looks_like_technique(t)) else {
            out.warnings.push(format!("line {line}: no technique ID like T1059.001"));
            continue;
        };
        let Some(day) = field(Some(date)).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) else {
            out.warnings.push(format!("line {line}: the date must be YYYY-MM-DD"));
            continue;
        };
        let Some(outcome) = field(Some(detected)).and_then(Detected::parse) else {
            out.warnings.push(format!("line {line}: detected must be yes, no or partial"));
            continue;
        };
        out.results.push(EmulationResult {
            technique: id.to_ascii_uppercase(),
            test: field(test).map(str::to_owned),
            guid: field(guid).map(str::to_owned),
            date: day,
            detected: outcome,
            notes: field(notes).unwrap_or_default().to_owned(),
            line,
        });
    }
    Ok(out)
}
