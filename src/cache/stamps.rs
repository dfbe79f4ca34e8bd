//! The sha256 of files named on the command line (an ATT&CK bundle passed with `--attack-data`),
//! remembered by canonical path, size and modification time in `stamps.json`, so a warm run need
//! not read and hash a 34 MB file to find its cached index.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What is remembered about a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    size: u64,
    modified_ns: u128,
    sha256: String,
}

fn index_path(root: &Path) -> PathBuf {
    root.join("stamps.json")
}

fn stamp(path: &Path) -> Option<(PathBuf, u64, u128)> {
    let canonical = path.canonicalize().ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    Some((canonical, meta.len(), super::modified_ns(&meta)?))
}

/// The sha256 remembered for a file, when its size and modification time are unchanged.
pub fn remembered_sha256(root: &Path, path: &Path) -> Option<String> {
    let (canonical, size, modified_ns) = stamp(path)?;
    let index: BTreeMap<String, Seen> =
        serde_json::from_slice(&std::fs::read(index_path(root)).ok()?).ok()?;
    let seen = index.get(&canonical.display().to_string())?;
    (seen.size == size && seen.modified_ns == modified_ns).then(|| seen.sha256.clone())
}

/// Remembers a file's sha256 (best effort: a cache that cannot be written only costs speed).
pub fn remember_sha256(root: &Path, path: &Path, sha256: &str) {
    let Some((canonical, size, modified_ns)) = stamp(path) else { return };
    let mut index: BTreeMap<String, Seen> = std::fs::read(index_path(root))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    index.insert(canonical.display().to_string(), Seen { size, modified_ns, sha256: sha256.to_owned() });
    if let Ok(text) = serde_json::to_vec_pretty(&index) {
        let _ = crate::io::write_atomic(&index_path(root), &text);
    }
}
