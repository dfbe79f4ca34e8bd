//! Caching, in one place: everything ttpc keeps so that it need not do the same work twice.
//!
//! - On disk, in one folder — `$TTPC_CACHE`, else `$XDG_CACHE_HOME/ttpc`, else `~/.cache/ttpc`:
//!   downloaded ATT&CK bundles (`attack/`, managed by [`crate::attack::store`]), built
//!   knowledge-base indexes (`kb/`) and parsed input files (`rules/`). [`blob`] is the one file
//!   format of the indexes and parsed files (versioned, keyed, hashed: a stale, corrupt or
//!   foreign file is ignored and rebuilt, never trusted); [`files`] reuses the parse of every
//!   unchanged file of a folder; [`stamps`] remembers the sha256 of files named on the command
//!   line by path, size and modification time. `TTPC_NO_CACHE=1` turns the indexes and parsed
//!   files off (the bundles stay: they are data, not a cache of it).
//! - In memory, for one run: [`Memo`] shares what the models of a batch have in common (ATT&CK
//!   releases, rule sources, atomics), each loaded once.
//!
//! What to key and what to store is decided by the stage that owns the data; the machinery here
//! knows nothing of ATT&CK or rules.

pub mod blob;
pub mod files;
pub mod memo;
pub mod stamps;

use std::path::PathBuf;

pub use memo::Memo;

/// ttpc's version: every cache file records it, and one written by another version is ignored.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The cache folder.
pub fn root() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    non_empty("TTPC_CACHE")
        .or_else(|| non_empty("XDG_CACHE_HOME").map(|p| p.join("ttpc")))
        .or_else(|| non_empty("HOME").map(|p| p.join(".cache").join("ttpc")))
}

/// Whether the index and parsed-file caches are used (`TTPC_NO_CACHE` unset, empty or `0`).
pub fn enabled() -> bool {
    std::env::var_os("TTPC_NO_CACHE").is_none_or(|v| v.is_empty() || v == "0")
}

/// The cache folder when caching is on.
pub fn active_root() -> Option<PathBuf> {
    root().filter(|_| enabled())
}

/// Modification time in nanoseconds since the epoch, for "has this file changed" checks.
pub fn modified_ns(meta: &std::fs::Metadata) -> Option<u128> {
    meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_nanos())
}
