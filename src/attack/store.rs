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

use super::source::{cache_root, cached_bundle, version_in_file_name, version_key};
use super::{AttackError, Domain, KnowledgeBase};

/// Where official bundles are published: `{base}/{domain}/{domain}-{version}.json`.
pub const OFFICIAL_BASE: &str = "https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master";

/// The newest ATT&CK release this ttpc knows of; `ttpc attack fetch` takes it when no
/// `--version` is given.
pub const LATEST_KNOWN: &str = "18.1";

/// Downloads larger than this are refused (the enterprise bundle is ~40 MB).
pub const MAX_DOWNLOAD: u64 = 512 * 1024 * 1024;

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

/// Downloads a release into the cache. `pinned` is the sha256 the lock file expects, if any.
pub fn fetch(
    root: &Path,
    base: &str,
    domain: Domain,
    version: &str,
    pinned: Option<&str>,
) -> Result<CachedBundle, StoreError> {
    let url = url_for(base, domain, version);
    let bytes = download(&url)?;
    let found = crate::io::sha256_hex(&bytes);
    if let Some(expected) = pinned
        && !expected.eq_ignore_ascii_case(&found)
    {
        return Err(StoreError::HashMismatch { what: url, expected: expected.to_owned(), found });
    }
    store(root, &bytes, &url, Some(domain), Some(version), Path::new(&url))
}

fn download(url: &str) -> Result<Vec<u8>, StoreError> {
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
    if expected.is_some_and(|n| n > MAX_DOWNLOAD) {
        return Err(StoreError::Download {
            url: url.to_owned(),
            message: format!("{} bytes is more than the {MAX_DOWNLOAD}-byte limit", expected.unwrap_or(0)),
            help: String::from("this is not an ATT&CK bundle"),
        });
    }
    let bar = progress(expected);
    let mut bytes = Vec::with_capacity(expected.unwrap_or(0).min(MAX_DOWNLOAD) as usize);
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
        if bytes.len() as u64 > MAX_DOWNLOAD {
            return Err(StoreError::Download {
                url: url.to_owned(),
                message: format!("more than {MAX_DOWNLOAD} bytes"),
                help: String::from("this is not an ATT&CK bundle"),
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
