//! The knowledge-base cache: a built index stored as a compact binary file, keyed by the
//! bundle's sha256 and ttpc's own version, so later runs skip parsing 34 MB of JSON.
//!
//! Encoding: postcard (serde-based, varint-compact, no unsafe, a stable documented wire format);
//! the tables already derive serde, so the cache cannot drift from the types. Each file carries a
//! header — magic, ttpc version, the bundle's sha256, and the sha256 of the payload — and is used
//! only if every part matches: a corrupt, truncated, stale or foreign file is ignored and
//! rebuilt, never trusted.
//!
//! For a bundle named on the command line, `kb/files.json` remembers its sha256 by canonical
//! path, size and modification time, so a warm run need not read and hash the bundle either.
//! `TTPC_NO_CACHE=1` turns the cache off.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{KnowledgeBase, Tables};

const MAGIC: &[u8; 8] = b"TTPCKB\x00\x01";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the cached index of a bundle lives.
pub fn path_for(root: &Path, sha256: &str) -> PathBuf {
    root.join("kb").join(format!("{sha256}-{VERSION}.bin"))
}

/// Reads a cached index; `None` unless the file is intact and made by this ttpc for this bundle.
pub fn read(root: &Path, sha256: &str) -> Option<KnowledgeBase> {
    let bytes = std::fs::read(path_for(root, sha256)).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (&len, rest) = rest.split_first()?;
    let (version, rest) = rest.split_at_checked(len as usize)?;
    if version != VERSION.as_bytes() {
        return None;
    }
    let (bundle_sha, rest) = rest.split_at_checked(64)?;
    if bundle_sha != sha256.as_bytes() {
        return None;
    }
    let (payload_sha, payload) = rest.split_at_checked(32)?;
    if Sha256::digest(payload).as_slice() != payload_sha {
        return None;
    }
    let tables: Tables = postcard::from_bytes(payload).ok()?;
    Some(KnowledgeBase::from_tables(tables))
}

/// Writes a cached index (atomically); failures are not fatal to the caller.
pub fn write(root: &Path, sha256: &str, kb: &KnowledgeBase) -> Result<(), String> {
    let payload = postcard::to_allocvec(kb.tables()).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(payload.len() + 128);
    bytes.extend_from_slice(MAGIC);
    bytes.push(VERSION.len() as u8);
    bytes.extend_from_slice(VERSION.as_bytes());
    bytes.extend_from_slice(sha256.as_bytes());
    bytes.extend_from_slice(Sha256::digest(&payload).as_slice());
    bytes.extend_from_slice(&payload);
    crate::emit::write::write_atomic(&path_for(root, sha256), &bytes).map_err(|e| e.to_string())
}

/// What `kb/files.json` remembers about a bundle file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    size: u64,
    modified_ns: u128,
    sha256: String,
}

fn index_path(root: &Path) -> PathBuf {
    root.join("kb").join("files.json")
}

fn stamp(path: &Path) -> Option<(PathBuf, u64, u128)> {
    let canonical = path.canonicalize().ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    Some((canonical, meta.len(), crate::cache::modified_ns(&meta)?))
}

/// The sha256 remembered for a file, when its size and modification time are unchanged.
pub fn remembered_sha256(root: &Path, path: &Path) -> Option<String> {
    let (canonical, size, modified_ns) = stamp(path)?;
    let index: BTreeMap<String, Seen> =
        serde_json::from_slice(&std::fs::read(index_path(root)).ok()?).ok()?;
    let seen = index.get(&canonical.display().to_string())?;
    (seen.size == size && seen.modified_ns == modified_ns).then(|| seen.sha256.clone())
}

/// Remembers a file's sha256 (best effort).
pub fn remember_sha256(root: &Path, path: &Path, sha256: &str) {
    let Some((canonical, size, modified_ns)) = stamp(path) else { return };
    let mut index: BTreeMap<String, Seen> = std::fs::read(index_path(root))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    index.insert(canonical.display().to_string(), Seen { size, modified_ns, sha256: sha256.to_owned() });
    if let Ok(text) = serde_json::to_vec_pretty(&index) {
        let _ = crate::emit::write::write_atomic(&index_path(root), &text);
    }
}
