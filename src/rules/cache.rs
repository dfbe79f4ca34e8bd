//! The rule-source cache: per file, its size, modification time and content hash, and what the
//! adapter made of it, so a pull request that touches three rules re-parses three files.
//!
//! A file is reused when its size and modification time are unchanged. When only the time
//! changed (a checkout, a `touch`), its content hash decides — "when in doubt, hash". Skipped
//! files are not cached (there are few and the reason may depend on the environment). The cache
//! of a source is one postcard file keyed by the format, the source's canonical path and ttpc's
//! version; a file that cannot be read back is ignored and rewritten.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Parsed;
use crate::model::RuleKind;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One cached file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    size: u64,
    modified_ns: u128,
    sha256: [u8; 32],
    parsed: Parsed,
}

/// The cache of one source: entries by path relative to the source root (as text with `/`, so
/// lookups hash a string instead of comparing path components).
#[derive(Debug, Default)]
pub struct SourceCache {
    entries: HashMap<String, Entry>,
}

/// The cache file's contents, in walk order.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: String,
    entries: Vec<(String, Entry)>,
}

fn key(relative: &Path) -> String {
    relative.to_string_lossy().replace('\\', "/")
}

/// Counts of a load, for tests and `--verbose` output.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Files answered from the cache without reading them.
    pub reused: usize,
    /// Files read, found unchanged by content, and reused.
    pub rehashed: usize,
    /// Files parsed.
    pub parsed: usize,
}

/// Where a source's cache lives.
pub fn path_for(root: &Path, kind: RuleKind, source: &Path) -> PathBuf {
    let canonical = source.canonicalize().unwrap_or_else(|_| source.to_owned());
    let key = Sha256::digest(format!("{kind}\0{}", canonical.display()).as_bytes());
    let hex: String = key.iter().take(12).map(|b| format!("{b:02x}")).collect();
    root.join("rules").join(format!("{hex}-{VERSION}.bin"))
}

impl SourceCache {
    /// Reads a source's cache; an unreadable or foreign file is an empty cache.
    pub fn read(path: &Path) -> SourceCache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<Stored>(&bytes).ok())
            .filter(|c| c.version == VERSION)
            .map(|c| SourceCache { entries: c.entries.into_iter().collect() })
            .unwrap_or_default()
    }

    /// How many files it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The parse of a file, reusing the cache when the file is unchanged. Unchanged files are
    /// not read at all, and their entries are not copied: [`SourceCache::settle`] moves them.
    pub fn produce(
        &self,
        absolute: &Path,
        relative: &Path,
        parse: impl Fn(&str) -> Result<Parsed, super::Skip>,
    ) -> Result<Produced, super::Skip> {
        let unreadable = |e: std::io::Error| super::Skip::new(super::SkipReason::Unreadable, e.to_string());
        let meta = std::fs::metadata(absolute).map_err(unreadable)?;
        let size = meta.len();
        let modified_ns = crate::cache::modified_ns(&meta).unwrap_or(0);
        let cached = self.entries.get(&key(relative)).filter(|e| e.size == size);
        if cached.is_some_and(|e| e.modified_ns == modified_ns && modified_ns != 0) {
            return Ok(Produced::Reused);
        }
        let bytes = super::text::read_capped(absolute)?;
        let sha256: [u8; 32] = Sha256::digest(&bytes).into();
        if cached.is_some_and(|e| e.sha256 == sha256) {
            return Ok(Produced::Rehashed { modified_ns });
        }
        let text = super::walk::text_of(bytes)?;
        let parsed = parse(&text)?;
        Ok(Produced::Parsed(Entry { size, modified_ns, sha256, parsed }))
    }

    /// Turns what the walk produced into each file's parse, rewriting the cache file when
    /// anything changed (files parsed, re-stamped, or gone).
    pub fn settle(
        mut self,
        produced: Vec<(PathBuf, Produced)>,
        file: Option<&Path>,
    ) -> (Vec<(PathBuf, Parsed)>, CacheStats) {
        let mut stats = CacheStats::default();
        let mut entries: Vec<(PathBuf, String, Entry)> = Vec::with_capacity(produced.len());
        for (relative, p) in produced {
            let k = key(&relative);
            let entry = match p {
                Produced::Reused => {
                    stats.reused += 1;
                    self.entries.remove(&k)
                }
                Produced::Rehashed { modified_ns } => {
                    stats.rehashed += 1;
                    self.entries.remove(&k).map(|e| Entry { modified_ns, ..e })
                }
                Produced::Parsed(entry) => {
                    stats.parsed += 1;
                    Some(entry)
                }
            };
            if let Some(entry) = entry {
                entries.push((relative, k, entry));
            }
        }
        let gone = !self.entries.is_empty();
        if let Some(file) = file
            && (stats.parsed > 0 || stats.rehashed > 0 || gone)
        {
            #[derive(Serialize)]
            struct StoredRef<'a> {
                version: &'a str,
                entries: Vec<(&'a str, &'a Entry)>,
            }
            let stored = StoredRef {
                version: VERSION,
                entries: entries.iter().map(|(_, k, e)| (k.as_str(), e)).collect(),
            };
            if let Ok(bytes) = postcard::to_allocvec(&stored) {
                // Best effort: a cache that cannot be written only costs speed.
                let _ = crate::emit::write::write_atomic(file, &bytes);
            }
        }
        (entries.into_iter().map(|(relative, _, e)| (relative, e.parsed)).collect(), stats)
    }
}

/// What [`SourceCache::produce`] found for one file.
#[derive(Debug)]
pub enum Produced {
    /// Unchanged: take the cached entry.
    Reused,
    /// Same content, new modification time.
    Rehashed {
        /// The new time.
        modified_ns: u128,
    },
    /// Parsed anew.
    Parsed(Entry),
}
