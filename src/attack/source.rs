//! Where a model's ATT&CK data comes from: an explicit file (`--attack-data`, `TTPC_ATTACK_DATA`)
//! or ttpc's cache (`$TTPC_CACHE`, else `$XDG_CACHE_HOME/ttpc`, else `~/.cache/ttpc`), where
//! bundles live as `attack/<domain>-<version>.json`.
//!
//! When neither holds the data, the error says exactly how to get it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{AttackError, Domain, KnowledgeBase, Tables, releases};

/// The data a model pins (or a command asks for).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pin {
    /// The domain; `None` accepts whatever an explicit file holds (enterprise-attack when looking
    /// in the cache).
    pub domain: Option<Domain>,
    /// The release, e.g. `18.1`; `None` means the newest one available.
    pub version: Option<String>,
}

impl Pin {
    /// The domain, enterprise-attack when none is asked for.
    pub fn domain_or_default(&self) -> Domain {
        self.domain.unwrap_or(Domain::EnterpriseAttack)
    }
}

/// Where the data was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Named on the command line or in `TTPC_ATTACK_DATA`.
    Explicit,
    /// Found in the cache.
    Cache,
}

/// A knowledge base together with where it came from.
#[derive(Debug, Clone)]
pub struct AttackData {
    /// The knowledge base (shared: a batch compiles many models against one).
    pub kb: Arc<KnowledgeBase>,
    /// The bundle file.
    pub path: PathBuf,
    /// How it was found.
    pub origin: Origin,
    /// The release: declared by the bundle, else read from its file name, else the pinned one.
    pub version: Option<String>,
    /// Non-fatal findings, e.g. a version other than the pinned one.
    pub warnings: Vec<String>,
    /// The bundle's sha256 (recorded by the cache, or computed).
    pub sha256: String,
}

/// The cache root (see [`crate::cache`]).
pub fn cache_root() -> Option<PathBuf> {
    crate::cache::root()
}

/// Where the cache keeps a bundle.
pub fn cached_bundle(root: &Path, domain: Domain, version: &str) -> PathBuf {
    root.join("attack").join(format!("{domain}-{version}.json"))
}

/// The official STIX 2.1 bundle of a release in MITRE's attack-stix-data repository.
pub fn official_url(domain: Domain, version: &str) -> String {
    format!(
        "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/{domain}/{domain}-{version}.json"
    )
}

/// Versions of a domain present in the cache, oldest first.
pub fn cached_versions(root: &Path, domain: Domain) -> Vec<String> {
    let prefix = format!("{domain}-");
    let mut versions: Vec<String> = std::fs::read_dir(root.join("attack"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.strip_prefix(&prefix)?.strip_suffix(".json")?;
            is_version(version).then(|| version.to_owned())
        })
        .collect();
    versions.sort_by_key(|v| version_key(v));
    versions
}

/// Finds the bundle for a pin.
pub fn locate(explicit: Option<&Path>, pin: &Pin) -> Result<(PathBuf, Origin), AttackError> {
    if let Some(path) = explicit {
        return Ok((path.to_owned(), Origin::Explicit));
    }
    let root = cache_root();
    if let Some(root) = &root {
        let version = match &pin.version {
            Some(v) => Some(v.clone()),
            None => cached_versions(root, pin.domain_or_default()).pop(),
        };
        if let Some(version) = version {
            let path = cached_bundle(root, pin.domain_or_default(), &version);
            if path.is_file() {
                return Ok((path, Origin::Cache));
            }
        }
    }
    Err(no_data(pin, root.as_deref()))
}

/// Locates and loads the bundle for a pin, checking it is of the pinned domain.
pub fn load(explicit: Option<&Path>, pin: &Pin) -> Result<AttackData, AttackError> {
    let (path, origin) = locate(explicit, pin)?;
    let (mut kb, sha256) = knowledge_base(&path, origin)?;
    if let Some(expected) = pin.domain
        && kb.domain() != expected
    {
        return Err(AttackError::DomainMismatch {
            path,
            expected: expected.to_string(),
            found: kb.domain().to_string(),
        });
    }
    // A release the bundle declares itself is a fact: disagreeing with the pin is an error. One
    // read from a file name may just be a misnamed file: a warning.
    if let (Some(declared), Some(pinned)) = (kb.declared_version(), &pin.version)
        && !same_release(declared, pinned)
    {
        return Err(AttackError::VersionMismatch {
            path,
            pinned: pinned.clone(),
            found: declared.to_owned(),
        });
    }
    let found = kb.declared_version().map(str::to_owned).or_else(|| version_in_file_name(&path));
    let mut warnings = Vec::new();
    if let (Some(found), Some(pinned)) = (&found, &pin.version)
        && !same_release(found, pinned)
    {
        warnings.push(format!(
            "the model pins ATT&CK {pinned}, but {} holds {found}; results follow the data given",
            path.display()
        ));
    }
    let version = found.or_else(|| pin.version.clone());
    kb.set_translation(translation(kb.domain(), version.as_deref(), &path, &[]));
    Ok(AttackData { kb: Arc::new(kb), path, origin, version, warnings, sha256 })
}

/// The knowledge base of a bundle: from the index cache when an intact entry exists for the
/// bundle's sha256, else parsed from the JSON (and cached for next time).
fn knowledge_base(path: &Path, origin: Origin) -> Result<(KnowledgeBase, String), AttackError> {
    use crate::cache::stamps;
    let cache = crate::cache::active_root();
    // The bundle's sha256 without reading it: recorded beside cached bundles, remembered by
    // path, size and modification time for others.
    let known_sha = cache.as_deref().and_then(|root| match origin {
        Origin::Cache => super::store::recorded_sha256(path),
        Origin::Explicit => stamps::remembered_sha256(root, path),
    });
    if let (Some(root), Some(sha)) = (cache.as_deref(), &known_sha)
        && let Some(kb) = cached_index(root, sha)
    {
        return Ok((kb, sha.clone()));
    }
    let bytes = super::read_bundle(path)?;
    // Hashing 34 MB is a fifth of the parse; on a second core it costs no wall time.
    let (kb, sha) = rayon::join(|| KnowledgeBase::from_json(&bytes, path), || crate::io::sha256_hex(&bytes));
    let kb = kb?;
    if let Some(root) = cache.as_deref() {
        // A cache that cannot be written only costs speed next time.
        let _ = cache_index(root, &sha, &kb);
        if origin == Origin::Explicit {
            stamps::remember_sha256(root, path, &sha);
        }
    }
    Ok((kb, sha))
}

/// How IDs of other releases count in a release of `domain`: the built-in moves, the moves of
/// every newer release in the cache (so v20 works the day it is fetched), and `extra` (the other
/// side of a migration). The bundle at `own` is skipped.
pub fn translation(
    domain: Domain,
    version: Option<&str>,
    own: &Path,
    extra: &[releases::Moves],
) -> releases::Translation {
    let mut all: Vec<releases::Moves> = extra.to_vec();
    if let (Some(root), Some(version)) = (crate::cache::root(), version) {
        for newer in
            cached_versions(&root, domain).into_iter().filter(|v| version_key(v) > version_key(version))
        {
            let path = cached_bundle(&root, domain, &newer);
            if same_file(&path, own) {
                continue;
            }
            if let Some(moves) = moves_of(&path, &newer) {
                all.push(moves);
            }
        }
    }
    all.extend(releases::builtin(domain));
    releases::Translation::new(&all)
}

/// The moves of a cached bundle: remembered beside its index, else read from it (a bundle that
/// cannot be read adds none; `ttpc attack list` and a compile against it say why).
fn moves_of(bundle: &Path, version: &str) -> Option<releases::Moves> {
    let root = crate::cache::active_root();
    let sha = super::store::recorded_sha256(bundle);
    let memo =
        root.as_deref().zip(sha.as_deref()).map(|(root, sha)| root.join("moves").join(format!("{sha}.bin")));
    if let (Some(memo), Some(sha)) = (&memo, &sha)
        && let Some(moves) = crate::cache::blob::read::<releases::Moves>(memo, sha)
    {
        return Some(moves);
    }
    let (kb, _) = knowledge_base(bundle, Origin::Cache).ok()?;
    let moves = releases::Moves::of(&kb, version);
    if let (Some(memo), Some(sha)) = (&memo, &sha) {
        // A memo that cannot be written only costs speed next time.
        let _ = crate::cache::blob::write(memo, sha, &moves);
    }
    Some(moves)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The cached index of the bundle with this sha256, when an intact one exists.
pub fn cached_index(root: &Path, sha256: &str) -> Option<KnowledgeBase> {
    crate::cache::blob::read::<Tables>(&index_path(root, sha256), sha256).map(KnowledgeBase::from_tables)
}

/// Caches the index of the bundle with this sha256.
pub fn cache_index(root: &Path, sha256: &str, kb: &KnowledgeBase) -> Result<(), String> {
    crate::cache::blob::write(&index_path(root, sha256), sha256, kb.tables())
}

/// Where the built index of a bundle is cached: `kb/<sha256>-<ttpc version>.bin`.
pub fn index_path(root: &Path, sha256: &str) -> PathBuf {
    root.join("kb").join(format!("{sha256}-{}.bin", crate::cache::VERSION))
}

fn no_data(pin: &Pin, root: Option<&Path>) -> AttackError {
    let version = pin.version.clone().unwrap_or_else(|| String::from("18.1"));
    let domain = pin.domain_or_default();
    let url = official_url(domain, &version);
    let cache_line = match root {
        Some(root) => {
            format!("or put the file at {} (ttpc's cache)", cached_bundle(root, domain, &version).display())
        }
        None => String::from("or set TTPC_CACHE to a folder holding attack/<domain>-<version>.json"),
    };
    AttackError::NoData {
        domain: domain.to_string(),
        version: pin.version.clone().unwrap_or_else(|| String::from("(any version)")),
        help: format!(
            "download the STIX bundle from {url}\nthen pass it with --attack-data FILE or TTPC_ATTACK_DATA=FILE, {cache_line}"
        ),
    }
}

/// `enterprise-attack-17.1.json` → `17.1`: MITRE's own naming, `<domain>-<version>.json`; any
/// other file name says nothing about the version.
pub fn version_in_file_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    Domain::ALL.iter().find_map(|d| {
        let version = stem.strip_prefix(d.as_str())?.strip_prefix('-')?;
        is_version(version).then(|| version.to_owned())
    })
}

/// `19` and `19.0` are one release.
fn same_release(a: &str, b: &str) -> bool {
    let trim = |v: &str| {
        let mut key = version_key(v);
        while key.len() > 1 && key.last() == Some(&0) {
            key.pop();
        }
        key
    };
    trim(a) == trim(b)
}

/// Whether `s` is a release number: dot-separated digits, e.g. `18.1`.
pub fn is_version(s: &str) -> bool {
    let mut parts = s.split('.');
    let ok = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok(parts.next()) && parts.all(|p| ok(Some(p)))
}

/// `18.1` → `[18, 1]`, for sorting versions numerically.
pub fn version_key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_file_names() {
        assert_eq!(version_in_file_name(Path::new("x/enterprise-attack-17.1.json")).as_deref(), Some("17.1"));
        assert_eq!(version_in_file_name(Path::new("bundle.json")), None);
        assert_eq!(version_in_file_name(Path::new("mini-enterprise-2.1.json")), None);
    }

    #[test]
    fn sorts_versions_numerically() {
        let mut v = vec!["9.0", "18.1", "17.1"];
        v.sort_by_key(|s| version_key(s));
        assert_eq!(v, ["9.0", "17.1", "18.1"]);
    }
}
