//! ttpc's cache of ATT&CK bundles: downloading the official STIX 2.1 bundles from MITRE's
//! attack-stix-data repository, importing a file on an air-gapped host, and listing what is there.
//!
//! A bundle enters the cache only after it parsed as an ATT&CK bundle of the expected domain
//! (which also catches truncated downloads), and only through an atomic write; beside it a small
//! JSON file records its sha256, size and origin. When a hash is pinned (by `ttpc.lock`), a
//! download that does not match it is refused and nothing is written.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::source::{cache_root, cached_bundle, is_version, version_in_file_name, version_key};
use super::{AttackError, Domain, KnowledgeBase};

/// Where official bundles are published: `{base}/{domain}/{domain}-{version}.json`.
pub const OFFICIAL_BASE: &str = "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master";

/// The release `ttpc init` pins when the cache holds none of the domain (it pins the newest
/// cached one otherwise). `ttpc attack fetch` does not use it: without `--version` it asks MITRE's
/// index of releases ([`newest_release`]).
pub const LATEST_KNOWN: &str = "18.1";

/// Downloads larger than this are refused (the enterprise bundle is ~40 MB).
pub const MAX_DOWNLOAD: u64 = 512 * 1024 * 1024;

/// MITRE's index of releases larger than this is refused (it is ~40 KB).
pub const MAX_INDEX: u64 = 4 * 1024 * 1024;

/// A bundle in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CachedBundle {
    /// Its domain.
    pub domain: Domain,
    /// Its ATT&CK release.
    pub version: String,
    /// The file.
    pub path: PathBuf,
    /// Its sha256, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where it came from (a URL, or `import <file>`).
    pub origin: String,
}

/// What the cache records beside each bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    sha256: String,
    size: u64,
    origin: String,
}

/// Why a cache operation failed.
#[derive(Debug, Error, Diagnostic)]
pub enum StoreError {
    /// No cache folder can be determined.
    #[error("no cache folder: set TTPC_CACHE (or XDG_CACHE_HOME, or HOME)")]
    #[diagnostic(code(ttpc::attack::no_cache))]
    NoCache,
    /// The download failed before any byte of the body arrived.
    #[error("cannot download {url}: {message}")]
    #[diagnostic(code(ttpc::attack::download), help("{help}"))]
    Download {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
        /// What to do.
        help: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered {status}")]
    #[diagnostic(code(ttpc::attack::http_status), help("{help}"))]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What to do.
        help: String,
    },
    /// The body ended early.
    #[error("the download of {url} was cut off after {received} of {expected} bytes; nothing was written")]
    #[diagnostic(
        code(ttpc::attack::truncated),
        help("try again; a proxy or a dropped connection interrupted it")
    )]
    Truncated {
        /// The URL.
        url: String,
        /// Bytes received.
        received: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// The bytes do not have the pinned hash.
    #[error("{what} has sha256 {found}, but {expected} is pinned; nothing was written")]
    #[diagnostic(
        code(ttpc::attack::hash_mismatch),
        help("if the new data is intended, run again with --update-lock; otherwise find out who changed it")
    )]
    HashMismatch {
        /// What was checked.
        what: String,
        /// The pinned hash.
        expected: String,
        /// The hash found.
        found: String,
    },
    /// The data is not a usable bundle.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Attack(Box<AttackError>),
    /// The bundle is of another domain than asked for.
    #[error("{what} holds {found} data, not {expected}")]
    #[diagnostic(code(ttpc::attack::domain_mismatch))]
    WrongDomain {
        /// What was checked.
        what: String,
        /// The domain asked for.
        expected: Domain,
        /// The domain found.
        found: Domain,
    },
    /// The version cannot be told.
    #[error("cannot tell which ATT&CK release {} is", path.display())]
    #[diagnostic(code(ttpc::attack::unknown_version), help("pass it with --version, e.g. --version 18.1"))]
    UnknownVersion {
        /// The file.
        path: PathBuf,
    },
    /// MITRE's index of releases could not be downloaded.
    #[error("cannot read MITRE's index of ATT&CK releases at {url}: {reason}")]
    #[diagnostic(
        code(ttpc::attack::index_unavailable),
        help(
            "pass the release explicitly, e.g. `ttpc attack fetch --version 18.1`; or point --url (TTPC_ATTACK_URL) at a mirror that serves index.json"
        )
    )]
    IndexUnavailable {
        /// The index URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// MITRE's index of releases is not what it should be.
    #[error("MITRE's index of ATT&CK releases at {url} is malformed: {reason}")]
    #[diagnostic(
        code(ttpc::attack::index_malformed),
        help("pass the release explicitly, e.g. `ttpc attack fetch --version 18.1`")
    )]
    IndexMalformed {
        /// The index URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} {}", path.display())]
    #[diagnostic(code(ttpc::attack::io))]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The cache folder, or an error saying how to set one.
pub fn root() -> Result<PathBuf, StoreError> {
    cache_root().ok_or(StoreError::NoCache)
}

fn meta_path(bundle: &Path) -> PathBuf {
    let mut name = bundle.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".meta.json");
    bundle.with_file_name(name)
}

/// The recorded sha256 of a cached bundle, when its meta file matches the file's size.
pub fn recorded_sha256(bundle: &Path) -> Option<String> {
    let meta: Meta = serde_json::from_slice(&std::fs::read(meta_path(bundle)).ok()?).ok()?;
    let size = std::fs::metadata(bundle).ok()?.len();
    (size == meta.size).then_some(meta.sha256)
}

/// Stores bundle bytes in the cache after checking they are an ATT&CK bundle of `domain` (when
/// given); the version comes from `version`, else the bundle, else `name_hint`'s file name.
pub fn store(
    root: &Path,
    bytes: &[u8],
    origin: &str,
    domain: Option<Domain>,
    version: Option<&str>,
    name_hint: &Path,
) -> Result<CachedBundle, StoreError> {
    let kb = KnowledgeBase::from_json(bytes, name_hint).map_err(|e| StoreError::Attack(Box::new(e)))?;
    if let Some(expected) = domain
        && kb.domain() != expected
    {
        return Err(StoreError::WrongDomain { what: origin.to_owned(), expected, found: kb.domain() });
    }
    let version = version
        .map(str::to_owned)
        .or_else(|| kb.declared_version().map(str::to_owned))
        .or_else(|| version_in_file_name(name_hint))
        .ok_or_else(|| StoreError::UnknownVersion { path: name_hint.to_owned() })?;
    let path = cached_bundle(root, kb.domain(), &version);
    let sha256 = crate::io::sha256_hex(bytes);
    let meta = Meta { sha256: sha256.clone(), size: bytes.len() as u64, origin: origin.to_owned() };
    let io = |source: crate::io::WriteError| StoreError::Io {
        action: "write",
        path: source.path,
        source: source.source,
    };
    crate::io::write_atomic(&path, bytes).map_err(io)?;
    let mut meta_text = serde_json::to_string_pretty(&meta).unwrap_or_default();
    meta_text.push('\n');
    crate::io::write_atomic(&meta_path(&path), meta_text.as_bytes()).map_err(io)?;
    Ok(CachedBundle { domain: kb.domain(), version, path, sha256, size: meta.size, origin: meta.origin })
}

/// Imports a bundle file (air-gapped hosts).
pub fn import(
    root: &Path,
    file: &Path,
    domain: Option<Domain>,
    version: Option<&str>,
) -> Result<CachedBundle, StoreError> {
    let bytes = std::fs::read(file).map_err(|source| StoreError::Io {
        action: "read",
        path: file.to_owned(),
        source,
    })?;
    store(root, &bytes, &format!("import {}", file.display()), domain, version, file)
}

/// The URL of a release under a base (`TTPC_ATTACK_URL` overrides the official one).
pub fn url_for(base: &str, domain: Domain, version: &str) -> String {
    format!("{}/{domain}/{domain}-{version}.json", base.trim_end_matches('/'))
}

/// MITRE's index of releases (attack-stix-data's `index.json`, a STIX "collection index").
/// Fields ttpc does not use are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseIndex {
    /// One collection per domain.
    pub collections: Vec<IndexCollection>,
}

/// A collection of the index: the releases of one domain.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexCollection {
    /// E.g. `Enterprise ATT&CK`.
    pub name: String,
    /// The releases, in no particular order.
    pub versions: Vec<IndexVersion>,
}

/// A release listed in the index.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexVersion {
    /// E.g. `18.1`.
    pub version: String,
    /// Where MITRE publishes the bundle.
    #[serde(default)]
    pub url: Option<String>,
}

/// Where the index of releases lives under a base.
pub fn index_url(base: &str) -> String {
    format!("{}/index.json", base.trim_end_matches('/'))
}

impl IndexCollection {
    /// Whether the collection holds `domain`: the domain folder in one of its URLs
    /// (`…/enterprise-attack/enterprise-attack-18.1.json`), else its name (`Enterprise ATT&CK`).
    fn is(&self, domain: Domain) -> bool {
        let folder = format!("/{domain}/");
        let by_url = self.versions.iter().any(|v| v.url.as_deref().is_some_and(|u| u.contains(&folder)));
        let word = domain.as_str().trim_end_matches("-attack");
        let by_name =
            self.name.split_whitespace().next().is_some_and(|first| first.eq_ignore_ascii_case(word));
        by_url || by_name
    }
}

/// The newest release of `domain` in index bytes, compared numerically (`18.10` after `18.9`),
/// whatever the order of the list. `url` is where the bytes came from, for the diagnostic.
pub fn newest_in_index(bytes: &[u8], url: &str, domain: Domain) -> Result<String, StoreError> {
    let malformed = |reason: String| StoreError::IndexMalformed { url: url.to_owned(), reason };
    let index: ReleaseIndex = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    let collections: Vec<&IndexCollection> = index.collections.iter().filter(|c| c.is(domain)).collect();
    if collections.is_empty() {
        let names: Vec<String> = index.collections.iter().map(|c| format!("`{}`", c.name)).collect();
        return Err(malformed(format!(
            "no collection for {domain} (it lists {})",
            if names.is_empty() { String::from("none") } else { names.join(", ") }
        )));
    }
    let versions = collections.iter().flat_map(|c| &c.versions).map(|v| v.version.trim());
    // A version is put into a URL and a file name: only digits and dots are taken.
    let newest = versions.clone().filter(|v| is_version(v)).max_by_key(|v| version_key(v));
    match newest {
        Some(v) => Ok(v.to_owned()),
        None => {
            let listed: Vec<&str> = versions.take(5).collect();
            Err(malformed(if listed.is_empty() {
                format!("the {domain} collection lists no release")
            } else {
                format!(
                    "the {domain} collection lists no release number like 18.1 (it lists {})",
                    listed.join(", ")
                )
            }))
        }
    }
}

/// The newest release of `domain` that MITRE publishes, read from `{base}/index.json`.
pub fn newest_release(base: &str, domain: Domain) -> Result<String, StoreError> {
    let url = index_url(base);
    let bytes = download(&url, MAX_INDEX, false).map_err(|e| {
        let reason = match e {
            StoreError::Download { message, .. } => message,
            StoreError::Status { status, .. } => format!("the server answered {status}"),
            StoreError::Truncated { received, expected, .. } => {
                format!("the download was cut off after {received} of {expected} bytes")
            }
            other => other.to_string(),
        };
        StoreError::IndexUnavailable { url: url.clone(), reason }
    })?;
    newest_in_index(&bytes, &url, domain)
}

/// Downloads a release into the cache. `pinned` is the sha256 the lock file expects, if any.
pub fn fetch(
    root: &Path,
    base: &str,
    domain: Domain,
    version: &str,
    pinned: Option<&str>,
) -> Result<CachedBundle, StoreError> {
    let url = url_for(base, domain, version);
    let bytes = download(&url, MAX_DOWNLOAD, true)?;
    let found = crate::io::sha256_hex(&bytes);
    if let Some(expected) = pinned
        && !expected.eq_ignore_ascii_case(&found)
    {
        return Err(StoreError::HashMismatch { what: url, expected: expected.to_owned(), found });
    }
    store(root, &bytes, &url, Some(domain), Some(version), Path::new(&url))
}

/// Downloads at most `limit` bytes, with a progress bar on a terminal when `show` is set.
fn download(url: &str, limit: u64, show: bool) -> Result<Vec<u8>, StoreError> {
    // rustls with the ring provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let failed = |e: reqwest::Error| StoreError::Download {
        url: url.to_owned(),
        message: e.to_string(),
        help: String::from(
            "check the network and proxy settings; on an air-gapped host, copy the file over and run `ttpc attack import FILE`",
        ),
    };
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("ttpc/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(300))
        .build()
        .map_err(failed)?;
    let mut response = client.get(url).send().map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        let help = if status.as_u16() == 404 {
            String::from("no such release at this address: check --domain and --version (e.g. 18.1)")
        } else {
            String::from("try again later")
        };
        return Err(StoreError::Status { url: url.to_owned(), status: status.as_u16(), help });
    }
    let expected = response.content_length();
    if expected.is_some_and(|n| n > limit) {
        return Err(StoreError::Download {
            url: url.to_owned(),
            message: format!("{} bytes is more than the {limit}-byte limit", expected.unwrap_or(0)),
            help: String::from("this is not ATT&CK data"),
        });
    }
    let bar = if show { progress(expected) } else { None };
    let mut bytes = Vec::with_capacity(expected.unwrap_or(0).min(limit) as usize);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match response.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            // The connection broke mid-body: whatever arrived is useless.
            Err(_) => {
                return Err(StoreError::Truncated {
                    url: url.to_owned(),
                    received: bytes.len() as u64,
                    expected: expected.unwrap_or(0).max(bytes.len() as u64),
                });
            }
        };
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > limit {
            return Err(StoreError::Download {
                url: url.to_owned(),
                message: format!("more than {limit} bytes"),
                help: String::from("this is not ATT&CK data"),
            });
        }
        if let Some(bar) = &bar {
            bar.set_position(bytes.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(expected) = expected
        && bytes.len() as u64 != expected
    {
        return Err(StoreError::Truncated { url: url.to_owned(), received: bytes.len() as u64, expected });
    }
    Ok(bytes)
}

/// A progress bar on a terminal only.
fn progress(total: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// The bundles in the cache, by domain then version.
pub fn list(root: &Path) -> Vec<CachedBundle> {
    let mut out = Vec::new();
    for domain in Domain::ALL {
        for version in super::source::cached_versions(root, domain) {
            let path = cached_bundle(root, domain, &version);
            let meta: Option<Meta> =
                std::fs::read(meta_path(&path)).ok().and_then(|b| serde_json::from_slice(&b).ok());
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let (sha256, origin) = match meta {
                Some(m) if m.size == size => (m.sha256, m.origin),
                _ => (String::from("(not recorded)"), String::from("(unknown)")),
            };
            out.push(CachedBundle { domain, version, path, sha256, size, origin });
        }
    }
    out.sort_by_key(|b| (b.domain, version_key(&b.version)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"{"id":"bundle--x","name":"MITRE ATT&CK","collections":[
        {"id":"x-mitre-collection--1","name":"Enterprise ATT&CK","versions":[
            {"version":"18.1","url":"https://x.invalid/enterprise-attack/enterprise-attack-18.1.json","modified":"2025-11-01"},
            {"version":"9.0","url":"https://x.invalid/enterprise-attack/enterprise-attack-9.0.json"},
            {"version":"18.10"},
            {"version":"../../etc"}]},
        {"id":"x-mitre-collection--2","name":"Mobile ATT&CK","versions":[{"version":"17.0"}]},
        {"id":"x-mitre-collection--3","name":"Some collection","versions":[
            {"version":"16.1","url":"https://x.invalid/ics-attack/ics-attack-16.1.json"}]}]}"#;

    #[test]
    fn the_newest_release_is_the_highest_number_of_the_domain() {
        let newest = |d| newest_in_index(INDEX.as_bytes(), "u", d).expect("found");
        assert_eq!(newest(Domain::EnterpriseAttack), "18.10");
        assert_eq!(newest(Domain::MobileAttack), "17.0");
        // By the URL's domain folder when the name says nothing.
        assert_eq!(newest(Domain::IcsAttack), "16.1");
    }

    #[test]
    fn a_malformed_index_says_what_is_wrong() {
        let err =
            |text: &str, d| newest_in_index(text.as_bytes(), "u", d).expect_err("malformed").to_string();
        assert!(err("{}", Domain::EnterpriseAttack).contains("missing field `collections`"));
        assert!(err("[1", Domain::EnterpriseAttack).contains("malformed"));
        let only_mobile = r#"{"collections":[{"name":"Mobile ATT&CK","versions":[]}]}"#;
        let e = err(only_mobile, Domain::EnterpriseAttack);
        assert!(e.contains("no collection for enterprise-attack") && e.contains("`Mobile ATT&CK`"), "{e}");
        assert!(err(only_mobile, Domain::MobileAttack).contains("lists no release"));
        let odd = r#"{"collections":[{"name":"Enterprise ATT&CK","versions":[{"version":"v18"}]}]}"#;
        assert!(err(odd, Domain::EnterpriseAttack).contains("it lists v18"));
    }
}
