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
use std::sync::RwLock;

pub use memo::Memo;

/// ttpc's version, in the names of cache files.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The build of the running program: ttpc's version plus the size and modification time of its
/// executable. Every cache file records it and one written by another build is ignored, so a
/// rebuilt ttpc whose cached types changed shape never decodes an old file as the new shape.
pub fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let stamp = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| format!("{}-{}", m.len(), modified_ns(&m).unwrap_or(0)))
            .unwrap_or_default();
        format!("{VERSION}+{stamp}")
    })
}

/// Where the cache lives and whether the index and parsed-file caches are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The cache folder (`None`: no folder could be found).
    pub root: Option<PathBuf>,
    /// Whether the index and parsed-file caches are read and written.
    pub enabled: bool,
}

impl Settings {
    /// The settings the environment gives: `TTPC_CACHE`, else `XDG_CACHE_HOME/ttpc`, else
    /// `~/.cache/ttpc`; on unless `TTPC_NO_CACHE` is set to something other than empty or `0`.
    pub fn from_env() -> Settings {
        let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = non_empty("TTPC_CACHE")
            .or_else(|| non_empty("XDG_CACHE_HOME").map(|p| p.join("ttpc")))
            .or_else(|| non_empty("HOME").map(|p| p.join(".cache").join("ttpc")));
        let enabled = std::env::var_os("TTPC_NO_CACHE").is_none_or(|v| v.is_empty() || v == "0");
        Settings { root, enabled }
    }
}

static SET: RwLock<Option<Settings>> = RwLock::new(None);

/// Sets the cache settings for the rest of the process, instead of the environment's (for a
/// program embedding the library, or a benchmark comparing cold and warm runs).
pub fn set(settings: Settings) {
    if let Ok(mut set) = SET.write() {
        *set = Some(settings);
    }
}

fn settings() -> Settings {
    SET.read().ok().and_then(|s| s.clone()).unwrap_or_else(Settings::from_env)
}

/// The cache folder.
pub fn root() -> Option<PathBuf> {
    settings().root
}

/// Whether the index and parsed-file caches are used.
pub fn enabled() -> bool {
    settings().enabled
}

/// The cache folder when caching is on.
pub fn active_root() -> Option<PathBuf> {
    let s = settings();
    s.root.filter(|_| s.enabled)
}

/// Modification time in nanoseconds since the epoch, for "has this file changed" checks.
pub fn modified_ns(meta: &std::fs::Metadata) -> Option<u128> {
    meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_nanos())
}
