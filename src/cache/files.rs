//! The parse of every file of a folder, reused while the file is unchanged: a pull request that
//! touches three rules re-parses three files.
//!
//! Per file: its size, modification time and content hash, and what the parser made of it. A
//! file is reused when its size and modification time are unchanged; when only the time changed
//! (a checkout, a `touch`), its content hash decides — "when in doubt, hash". Files the parser
//! refused are not cached (there are few, and the reason may depend on the environment). The
//! cache of a folder is one [`blob`](super::blob) keyed by what reads it and the folder's
//! canonical path; one that cannot be read back is ignored and rewritten.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One cached file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry<P> {
    size: u64,
    modified_ns: u128,
    sha256: [u8; 32],
    parsed: P,
}

/// The cache of one folder: entries by path relative to the folder (as text with `/`, so lookups
/// hash a string instead of comparing path components).
#[derive(Debug)]
pub struct FileCache<P> {
    entries: HashMap<String, Entry<P>>,
    /// Where it is stored, and the key it is stored under.
    file: Option<(PathBuf, String)>,
}

/// Counts of a load, for tests and timings.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Files answered from the cache without reading them.
    pub reused: usize,
    /// Files read, found unchanged by content, and reused.
    pub rehashed: usize,
    /// Files parsed.
    pub parsed: usize,
}

/// What [`FileCache::produce`] found for one file.
#[derive(Debug)]
pub enum Produced<P> {
    /// Unchanged: take the cached entry.
    Reused,
    /// Same content, new modification time.
    Rehashed {
        /// The new time.
        modified_ns: u128,
    },
    /// Parsed anew.
    Parsed(Entry<P>),
}

fn key(relative: &Path) -> String {
    relative.to_string_lossy().replace('\\', "/")
}

/// Where the cache of a folder read by `reader` (e.g. `sigma`) lives under the cache root, and
/// the key it is stored under.
pub fn location(root: &Path, reader: &str, folder: &Path) -> (PathBuf, String) {
    let canonical = folder.canonicalize().unwrap_or_else(|_| folder.to_owned());
    let key = format!("{reader}\0{}", canonical.display());
    let hex = crate::io::sha256_hex(key.as_bytes());
    (root.join("rules").join(format!("{}-{}.bin", &hex[..24], super::VERSION)), key)
}

impl<P: Serialize + DeserializeOwned> FileCache<P> {
    /// Reads a folder's cache from its location (`None`: no cache, nothing stored).
    pub fn open(file: Option<(PathBuf, String)>) -> FileCache<P> {
        let entries = file
            .as_ref()
            .and_then(|(path, key)| super::blob::read::<Vec<(String, Entry<P>)>>(path, key))
            .map(|entries| entries.into_iter().collect())
            .unwrap_or_default();
        FileCache { entries, file }
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
    /// not read at all, and their entries are not copied: [`FileCache::settle`] moves them.
    /// `read` reads the file's bytes, `parse` parses them; `unreadable` turns a failed `stat`
    /// into the caller's error.
    pub fn produce<E>(
        &self,
        absolute: &Path,
        relative: &Path,
        read: impl FnOnce(&Path) -> Result<Vec<u8>, E>,
        parse: impl FnOnce(Vec<u8>) -> Result<P, E>,
        unreadable: impl FnOnce(std::io::Error) -> E,
    ) -> Result<Produced<P>, E> {
        let meta = std::fs::metadata(absolute).map_err(unreadable)?;
        let size = meta.len();
        let modified_ns = super::modified_ns(&meta).unwrap_or(0);
        let cached = self.entries.get(&key(relative)).filter(|e| e.size == size);
        if cached.is_some_and(|e| e.modified_ns == modified_ns && modified_ns != 0) {
            return Ok(Produced::Reused);
        }
        let bytes = read(absolute)?;
        let sha256: [u8; 32] = Sha256::digest(&bytes).into();
        if cached.is_some_and(|e| e.sha256 == sha256) {
            return Ok(Produced::Rehashed { modified_ns });
        }
        let parsed = parse(bytes)?;
        Ok(Produced::Parsed(Entry { size, modified_ns, sha256, parsed }))
    }

    /// Turns what the walk produced into each file's parse, rewriting the cache file when
    /// anything changed (files parsed, re-stamped, or gone).
    pub fn settle(mut self, produced: Vec<(PathBuf, Produced<P>)>) -> (Vec<(PathBuf, P)>, CacheStats) {
        let mut stats = CacheStats::default();
        let mut entries: Vec<(PathBuf, String, Entry<P>)> = Vec::with_capacity(produced.len());
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
        if let Some((file, key)) = &self.file
            && (stats.parsed > 0 || stats.rehashed > 0 || gone)
        {
            let stored: Vec<(&str, &Entry<P>)> = entries.iter().map(|(_, k, e)| (k.as_str(), e)).collect();
            // Best effort: a cache that cannot be written only costs speed.
            let _ = super::blob::write(file, key, &stored);
        }
        (entries.into_iter().map(|(relative, _, e)| (relative, e.parsed)).collect(), stats)
    }
}

/// The parse of one file read by `reader`, reused while the file is unchanged: a [`FileCache`]
/// of that one file, in the cache folder when caching is on. `read`, `parse` and `unreadable`
/// are as for [`FileCache::produce`].
pub fn one_file<P: Serialize + DeserializeOwned, E>(
    reader: &str,
    path: &Path,
    read: impl FnOnce(&Path) -> Result<Vec<u8>, E>,
    parse: impl FnOnce(Vec<u8>) -> Result<P, E>,
    unreadable: impl FnOnce(std::io::Error) -> E,
) -> Result<P, E> {
    let cache: FileCache<P> = FileCache::open(super::active_root().map(|root| location(&root, reader, path)));
    let relative = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
    let produced = cache.produce(path, &relative, read, parse, unreadable)?;
    let (mut parsed, _) = cache.settle(vec![(relative, produced)]);
    match parsed.pop() {
        Some((_, p)) => Ok(p),
        // `settle` returns every produced entry; a reused one is in the cache it was read from.
        None => unreachable!("a produced file is settled"),
    }
}
