//! Where ttpc keeps what it can rebuild: downloaded ATT&CK bundles, built knowledge-base indexes
//! and parsed rule files. One folder — `$TTPC_CACHE`, else `$XDG_CACHE_HOME/ttpc`, else
//! `~/.cache/ttpc` — and one switch: `TTPC_NO_CACHE=1` turns the index and rule caches off (the
//! bundles stay, they are data, not a cache of it).

use std::path::PathBuf;

/// The cache folder.
pub fn root() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    non_empty("TTPC_CACHE")
        .or_else(|| non_empty("XDG_CACHE_HOME").map(|p| p.join("ttpc")))
        .or_else(|| non_empty("HOME").map(|p| p.join(".cache").join("ttpc")))
}

/// Whether the index and rule caches are used (`TTPC_NO_CACHE` unset, empty or `0`).
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

/// Phase timings on stderr when `TTPC_TIMINGS` is set: how the performance figures in
/// docs/performance.md were broken down.
pub fn timing(phase: &str, since: std::time::Instant) {
    if std::env::var_os("TTPC_TIMINGS").is_some() {
        eprintln!("timing: {phase}: {:.1} ms", since.elapsed().as_secs_f64() * 1000.0);
    }
}
