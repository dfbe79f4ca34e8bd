//! `ttpc.lock`: beside a model, the sha256 of each ATT&CK bundle it was compiled against, so a
//! compile on another machine uses exactly the same data. Written by ttpc when an entry is
//! missing; a bundle with another hash is refused (exit 2) unless `--update-lock` is given.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Domain;

/// The lock file's name.
pub const FILE_NAME: &str = "ttpc.lock";

/// The lock file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockFile {
    /// One entry per ATT&CK bundle, sorted by domain and version.
    #[serde(default, rename = "attack")]
    pub entries: Vec<LockEntry>,
}

/// One pinned bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LockEntry {
    /// The domain.
    pub domain: Domain,
    /// The ATT&CK release.
    pub version: String,
    /// The bundle's sha256.
    pub sha256: String,
}

/// What happened to the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockOutcome {
    /// The bundle matched the pinned hash.
    Matched,
    /// No entry existed; one was written.
    Recorded,
    /// The entry was replaced (`--update-lock`).
    Updated,
}

/// Why the lock refused the data.
#[derive(Debug, Error, Diagnostic)]
pub enum LockError {
    /// The bundle's hash differs from the pinned one.
    #[error("ATT&CK {domain} {version} in {} has sha256 {found}, but {} pins {expected}", bundle.display(), lock.display())]
    #[diagnostic(
        code(ttpc::lock::mismatch),
        help(
            "this model was compiled against other data; get the pinned bundle, or run with --update-lock to accept this one"
        )
    )]
    Mismatch {
        /// The lock file.
        lock: PathBuf,
        /// The bundle file.
        bundle: PathBuf,
        /// Domain.
        domain: Domain,
        /// Version.
        version: String,
        /// Pinned hash.
        expected: String,
        /// Found hash.
        found: String,
    },
    /// The lock file cannot be read or written.
    #[error("cannot {action} {}: {message}", path.display())]
    #[diagnostic(code(ttpc::lock::io), help("ttpc.lock is TOML written by ttpc; delete it to start afresh"))]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The lock file beside a model.
pub fn lock_path(model: &Path) -> PathBuf {
    match model.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(FILE_NAME),
        _ => PathBuf::from(FILE_NAME),
    }
}

/// Reads a lock file; a missing file is an empty lock.
pub fn read(path: &Path) -> Result<LockFile, LockError> {
    let limit = crate::limits::current().max_file_bytes;
    let text = crate::limits::read_capped(path, limit).map(|b| String::from_utf8_lossy(&b).into_owned());
    match text {
        Ok(text) => toml::from_str(&text).map_err(|e| LockError::Io {
            action: "read",
            path: path.to_owned(),
            message: e.to_string(),
        }),
        Err(crate::limits::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(LockFile::default())
        }
        Err(e) => Err(LockError::Io { action: "read", path: path.to_owned(), message: e.to_string() }),
    }
}

impl LockFile {
    /// The pinned hash of a bundle.
    pub fn pinned(&self, domain: Domain, version: &str) -> Option<&str> {
        self.entries.iter().find(|e| e.domain == domain && e.version == version).map(|e| e.sha256.as_str())
    }
}

/// Checks a bundle's hash against the lock beside the model, recording it when missing (or
/// replacing it when `update`).
pub fn check(
    lock: &Path,
    bundle: &Path,
    domain: Domain,
    version: &str,
    sha256: &str,
    update: bool,
) -> Result<LockOutcome, LockError> {
    let mut file = read(lock)?;
    let outcome = match file.pinned(domain, version) {
        Some(pinned) if pinned.eq_ignore_ascii_case(sha256) => return Ok(LockOutcome::Matched),
        Some(pinned) if !update => {
            return Err(LockError::Mismatch {
                lock: lock.to_owned(),
                bundle: bundle.to_owned(),
                domain,
                version: version.to_owned(),
                expected: pinned.to_owned(),
                found: sha256.to_owned(),
            });
        }
        Some(_) => LockOutcome::Updated,
        None => LockOutcome::Recorded,
    };
    file.entries.retain(|e| !(e.domain == domain && e.version == version));
    file.entries.push(LockEntry { domain, version: version.to_owned(), sha256: sha256.to_owned() });
    file.entries.sort();
    let body = toml::to_string(&file).map_err(|e| LockError::Io {
        action: "write",
        path: lock.to_owned(),
        message: e.to_string(),
    })?;
    let text = format!(
        "# ttpc.lock — the ATT&CK data this folder's models were compiled against. Commit it.\n{body}"
    );
    crate::io::write_atomic(lock, text.as_bytes()).map_err(|e| LockError::Io {
        action: "write",
        path: lock.to_owned(),
        message: e.source.to_string(),
    })?;
    Ok(outcome)
}
