//! Live rule sources: the rules deployed in a SIEM, read over the product's documented REST API
//! — Splunk saved searches ([`splunk`]), Kibana detection rules ([`elastic`]), Microsoft Sentinel
//! analytic rules ([`sentinel`]) — into the same [`SourceReport`] as a folder of files, mapped by
//! the same code as the file adapters (annotations, `threat[]`, `techniques`).
//!
//! A pull reads every page (offset-paged APIs with a bounded number of pages in flight, Sentinel
//! by following `nextLink`), accounts for every entry (a rule, or skipped with a reason), and is
//! kept as a [`snapshot`] so that `--offline` compiles the same rules without the network. The
//! client ([`client`]) owns TLS, timeouts, retries and limits; the credential comes from an
//! environment variable and goes nowhere but the `Authorization` header.

pub mod client;
pub mod elastic;
pub mod sentinel;
pub mod snapshot;
pub mod splunk;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::Url;

use super::source::{RuleWarning, SourceReport};
use super::{DetectionRule, Parsed, SkipReason};
use crate::inputs::walk::SkippedFile;
use crate::model::RuleKind;
pub use client::Client;

/// Pages fetched at once from an offset-paged API: enough to hide the latency of a SIEM a few
/// milliseconds away, few enough not to load a production search head.
pub const CONCURRENCY: usize = 4;
/// Rules asked for per page.
pub const PAGE_SIZE: usize = 100;
/// Pages read at most, unless the model says otherwise.
pub const DEFAULT_MAX_PAGES: u32 = 1000;
/// Seconds a request may take, unless the model says otherwise.
pub const DEFAULT_TIMEOUT: u32 = 30;
/// The Azure Resource Manager endpoint of the public cloud.
pub const AZURE_MANAGEMENT: &str = "https://management.azure.com";
/// The SecurityInsights `api-version` used unless the model names one.
pub const SENTINEL_API_VERSION: &str = "2024-03-01";

/// Why a pull failed. Messages name the environment variable of the credential, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    /// The address or the client configuration is refused before any request.
    #[error("{message}")]
    Refused {
        /// Why.
        message: String,
    },
    /// The client could not be set up (a bad `ca_file`, a credential that is not a header).
    #[error("{message}")]
    Setup {
        /// Why.
        message: String,
    },
    /// The API answered with an error status (after the retries, for 429 and 5xx).
    #[error("{url} answered {status} {}", status_text(*status))]
    Status {
        /// The page (without its query).
        url: String,
        /// The HTTP status.
        status: u16,
        /// The variable the credential came from.
        token_env: String,
    },
    /// No usable answer: connection refused, timeout, a body that broke off (after the retries).
    #[error("{url}: {message}")]
    Transport {
        /// The page.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A response over the size limit.
    #[error("{url} sent more than {} in one response", crate::limits::size(*limit))]
    TooLarge {
        /// The page.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A response that is not the API's documented JSON.
    #[error("{url} did not answer with the documented JSON: {message}")]
    Malformed {
        /// The page.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// More pages than allowed, or a `nextLink` that comes back.
    #[error("{message}")]
    Paging {
        /// What happened.
        message: String,
    },
}

fn status_text(status: u16) -> &'static str {
    match status {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

impl LiveError {
    /// What to do about it, for the diagnostic's help.
    pub fn help(&self, kind: RuleKind) -> String {
        match self {
            LiveError::Status { status: 401, token_env, .. } => format!(
                "the API did not accept the credential in ${token_env}: check that it is current and meant for this address"
            ),
            LiveError::Status { status: 403, token_env, .. } => format!(
                "the credential in ${token_env} lacks a permission: {} (README, \"Live sources\")",
                permission(kind)
            ),
            LiveError::Status { status: 404, .. } => String::from(match kind {
                RuleKind::SplunkApi => "check `url` (the management port, usually 8089) and `app`",
                RuleKind::ElasticApi => "check `url` (Kibana, not Elasticsearch) and `space`",
                _ => "check `workspace` (the workspace's full resource ID) and `api_version`",
            }),
            LiveError::Status { status, .. } if *status == 429 || *status >= 500 => String::from(
                "the API kept failing after retries; try again later, or compile with --offline from the last snapshot",
            ),
            LiveError::Status { .. } => String::from("check the source's `url`"),
            LiveError::Transport { .. } => String::from(
                "check the address and the network (after a certificate error, `ca_file`); raise `timeout_seconds` for a slow API, or compile with --offline from the last snapshot",
            ),
            LiveError::TooLarge { .. } => String::from(
                "raise --max-file-size (TTPC_MAX_FILE_SIZE) if you trust this API, or point `url` at the right product",
            ),
            LiveError::Malformed { .. } => String::from(
                "check that `kind` and `url` name this product's API (a proxy may answer with a page of its own)",
            ),
            LiveError::Paging { .. } => String::from(
                "raise `max_pages` if the source is that large; a looping `nextLink` is a fault of the API",
            ),
            LiveError::Refused { .. } => {
                String::from("use https:// (plain http:// is allowed to 127.0.0.1 only)")
            }
            LiveError::Setup { .. } => String::from("check `ca_file` and the credential's variable"),
        }
    }
}

/// The read-only permission each API needs (the README repeats it).
pub fn permission(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::SplunkApi => {
            "a Splunk role that can list saved searches (read access to the apps' saved searches)"
        }
        RuleKind::ElasticApi => "Kibana feature privilege Security: Read (rules read) in the space",
        _ => {
            "Azure role Microsoft Sentinel Reader on the workspace (Microsoft.SecurityInsights/alertRules/read)"
        }
    }
}

/// A live source, bound: where it is, how to reach it, what to read.
#[derive(Debug, Clone)]
pub struct Target {
    /// The product.
    pub kind: RuleKind,
    /// The API's base URL.
    pub base: Url,
    /// The variable holding the credential.
    pub token_env: String,
    /// Extra certificate authorities (PEM), read from `ca_file`.
    pub ca_pem: Option<Vec<u8>>,
    /// Splunk: the app (`-`: all).
    pub app: String,
    /// Kibana: the space (`None`: the default space).
    pub space: Option<String>,
    /// Sentinel: the workspace resource ID.
    pub workspace: String,
    /// Sentinel: the `api-version`.
    pub api_version: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Most pages read.
    pub max_pages: u32,
    /// Most bytes per response.
    pub limit: u64,
}

impl Target {
    /// The first page's URL: what reports and snapshots name the source by.
    pub fn endpoint(&self) -> Url {
        match self.kind {
            RuleKind::SplunkApi => splunk::endpoint(self),
            RuleKind::ElasticApi => elastic::endpoint(self),
            _ => sentinel::endpoint(self),
        }
    }

    /// The `Authorization` scheme of the product.
    fn scheme(&self) -> &'static str {
        match self.kind {
            RuleKind::ElasticApi => "ApiKey",
            _ => "Bearer",
        }
    }
}

/// Pulls every rule of a live source with the credential `token`. A progress line goes to
/// stderr when it is a terminal.
pub fn pull(target: &Target, token: &str) -> Result<SourceReport, LiveError> {
    pull_with(target, token, None)
}

/// [`pull`] with a shorter backoff (tests of the library).
pub fn pull_with(target: &Target, token: &str, backoff: Option<Duration>) -> Result<SourceReport, LiveError> {
    let mut client = Client::new(&client::ClientSpec {
        base: &target.base,
        scheme: target.scheme(),
        token,
        token_env: &target.token_env,
        ca_pem: target.ca_pem.as_deref(),
        timeout: target.timeout,
        limit: target.limit,
    })?;
    if let Some(backoff) = backoff {
        client.backoff = backoff;
    }
    let progress = Progress::new(target);
    let entries = match target.kind {
        RuleKind::SplunkApi => splunk::fetch(&client, target, &progress)?,
        RuleKind::ElasticApi => elastic::fetch(&client, target, &progress)?,
        _ => sentinel::fetch(&client, target, &progress)?,
    };
    progress.done();
    Ok(account(target, entries))
}

/// One entry of a listing, with what it became.
pub(crate) type Entry = Result<Parsed, String>;

/// Every entry accounted for: rules, warnings, entries skipped with their reason.
fn account(target: &Target, entries: Vec<Entry>) -> SourceReport {
    let mut report = SourceReport {
        kind: target.kind,
        path: PathBuf::from(client::shown(&target.endpoint())),
        files: entries.len(),
        parsed_files: 0,
        skipped: Vec::new(),
        rules: Vec::new(),
        warnings: Vec::new(),
    };
    for (i, entry) in entries.into_iter().enumerate() {
        let place = PathBuf::from(format!("entry {}", i + 1));
        match entry {
            Ok(parsed) if !parsed.rules.is_empty() => {
                report.parsed_files += 1;
                for rule in &parsed.rules {
                    report.warnings.extend(
                        parsed
                            .warnings
                            .iter()
                            .map(|message| RuleWarning { path: rule.path.clone(), message: message.clone() }),
                    );
                }
                report.rules.extend(parsed.rules);
            }
            Ok(parsed) => report.skipped.push(SkippedFile {
                path: place,
                reason: SkipReason::NotARule,
                detail: parsed.warnings.first().cloned().unwrap_or_else(|| String::from("not a rule")),
            }),
            Err(detail) => {
                report.skipped.push(SkippedFile { path: place, reason: SkipReason::NotARule, detail })
            }
        }
    }
    report.rules.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.path.cmp(&b.path)));
    report
}

/// A rule of a live source: its kind set, its place the API path of the rule.
pub(crate) fn live_rule(mut rule: DetectionRule, kind: RuleKind, place: String) -> DetectionRule {
    rule.kind = kind;
    rule.path = PathBuf::from(place);
    rule.locator = None;
    rule
}

/// Fetches pages `0..count` with at most [`CONCURRENCY`] in flight; stops at the first error.
/// Results come back in page order.
pub(crate) fn pages<T: Send>(
    count: usize,
    progress: &Progress,
    fetch: impl Fn(usize) -> Result<T, LiveError> + Sync,
) -> Result<Vec<T>, LiveError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<T, LiveError>>>> = Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY.min(count) {
            scope.spawn(|| {
                loop {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let result = fetch(i);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    progress.page();
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(result);
                    }
                }
            });
        }
    });
    let slots = results.into_inner().unwrap_or_default();
    let mut out = Vec::with_capacity(count);
    let mut first_error = None;
    for slot in slots {
        match slot {
            Some(Ok(value)) => out.push(value),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_error {
        Some(e) => Err(e),
        None if out.len() == count => Ok(out),
        None => Err(LiveError::Paging { message: String::from("a page was not fetched") }),
    }
}

/// How many pages of `per_page` hold `total` entries, within the source's `max_pages`.
pub(crate) fn page_count(target: &Target, total: usize, per_page: usize) -> Result<usize, LiveError> {
    let count = total.div_ceil(per_page.max(1)).max(1);
    if count > target.max_pages as usize {
        return Err(LiveError::Paging {
            message: format!(
                "{} reports {total} rules: {count} pages, more than max_pages ({})",
                client::shown(&target.endpoint()),
                target.max_pages
            ),
        });
    }
    Ok(count)
}

/// Parses a page's JSON.
pub(crate) fn json(url: &Url, body: &[u8]) -> Result<serde_json::Value, LiveError> {
    serde_json::from_slice(body).map_err(|e| LiveError::Malformed {
        url: client::shown(url),
        message: crate::inputs::text::json_error(&e),
    })
}

/// The progress line of a long pull, on a terminal only.
pub(crate) struct Progress {
    name: String,
    pages: AtomicUsize,
    show: bool,
}

impl Progress {
    fn new(target: &Target) -> Progress {
        Progress {
            name: client::shown(&target.endpoint()),
            pages: AtomicUsize::new(0),
            show: std::io::stderr().is_terminal(),
        }
    }

    /// One more page read.
    pub(crate) fn page(&self) {
        let n = self.pages.fetch_add(1, Ordering::Relaxed) + 1;
        if self.show {
            eprint!("\r\x1b[2Kreading {}: {n} page{}", self.name, if n == 1 { "" } else { "s" });
        }
    }

    fn done(&self) {
        if self.show && self.pages.load(Ordering::Relaxed) > 0 {
            eprint!("\r\x1b[2K");
        }
    }
}
