//! The HTTP client of the live sources: TLS through rustls (the system's roots plus an optional
//! `ca_file`), plain `http://` to loopback addresses only, a timeout per request, retries with
//! backoff on 429 and 5xx (honouring `Retry-After`), and a size limit on every response.
//!
//! The credential goes into one header marked sensitive and nowhere else: not into URLs, not
//! into error messages (which name the environment variable instead), not into snapshots.

use std::io::Read;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderValue};

use super::LiveError;

/// Attempts per request: the first and up to three retries.
const ATTEMPTS: u32 = 4;
/// The first backoff; it doubles with every retry.
const BACKOFF: Duration = Duration::from_millis(250);
/// The longest `Retry-After` obeyed: a server asking for more is answered with an error.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// A client for one source: its address, its credential and its limits.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    auth: HeaderValue,
    /// `scheme://host:port` of the source: every request (a `nextLink` too) must stay on it.
    origin: String,
    /// Where the credential comes from, for messages.
    token_env: String,
    /// The most bytes one response may hold.
    limit: u64,
    /// Waits are shortened in tests of the library itself (never by a model).
    pub(super) backoff: Duration,
}

/// What a client needs to be built.
#[derive(Debug, Clone)]
pub struct ClientSpec<'a> {
    /// The source's base URL.
    pub base: &'a Url,
    /// The `Authorization` header's scheme: `Bearer`, `ApiKey`.
    pub scheme: &'a str,
    /// The credential.
    pub token: &'a str,
    /// The variable it came from.
    pub token_env: &'a str,
    /// Extra trusted certificate authorities (PEM).
    pub ca_pem: Option<&'a [u8]>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The most bytes per response.
    pub limit: u64,
}

/// Refuses what is not `https://`, or `http://` to a loopback address (a SIEM's credential must
/// not cross a network in clear).
pub fn check_scheme(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "plain http:// sends the credential in clear; {} is not a loopback address",
            url.host_str().unwrap_or("the host")
        )),
        other => Err(format!("`{other}:` is not an HTTP address")),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `scheme://host:port` of a URL.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Client {
    /// Builds the client; fails on a bad scheme, an unusable `ca_file` or a credential that
    /// cannot be a header.
    pub fn new(spec: &ClientSpec<'_>) -> Result<Client, LiveError> {
        check_scheme(spec.base).map_err(|message| LiveError::Refused { message })?;
        // rustls with the ring provider; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!("ttpc/", env!("CARGO_PKG_VERSION")))
            .timeout(spec.timeout)
            .connect_timeout(spec.timeout)
            // Redirects would carry the credential to wherever they lead: refused.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = spec.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| LiveError::Setup {
                    message: String::from("the ca_file holds no PEM certificate"),
                })?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().map_err(|e| LiveError::Setup { message: e.to_string() })?;
        let mut auth =
            HeaderValue::from_str(&format!("{} {}", spec.scheme, spec.token.trim())).map_err(|_| {
                LiveError::Setup {
                    message: format!("${} holds characters a header cannot carry", spec.token_env),
                }
            })?;
        auth.set_sensitive(true);
        Ok(Client {
            http,
            auth,
            origin: origin(spec.base),
            token_env: spec.token_env.to_owned(),
            limit: spec.limit,
            backoff: BACKOFF,
        })
    }

    /// GETs a URL on the source's origin and returns the body, retrying what is worth retrying.
    pub fn get(&self, url: &Url) -> Result<Vec<u8>, LiveError> {
        if origin(url) != self.origin {
            return Err(LiveError::Refused {
                message: format!(
                    "the API pointed at {}, outside {}; the credential is only sent to the source's own address",
                    origin(url),
                    self.origin
                ),
            });
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let wait = match self.once(url) {
                Ok(body) => return Ok(body),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Retry { error, after }) => {
                    if attempt >= ATTEMPTS {
                        return Err(error);
                    }
                    match after {
                        Some(after) if after > MAX_RETRY_AFTER => return Err(error),
                        Some(after) => after,
                        None => self.backoff * 2u32.pow(attempt - 1),
                    }
                }
            };
            std::thread::sleep(wait);
        }
    }

    fn once(&self, url: &Url) -> Result<Vec<u8>, Attempt> {
        let shown = shown(url);
        let sent = self.http.get(url.clone()).header(AUTHORIZATION, self.auth.clone()).send();
        let mut response = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() || e.is_connect() || e.is_request() => {
                return Err(Attempt::Retry { error: transport(&shown, &e), after: None });
            }
            Err(e) => return Err(Attempt::Final(transport(&shown, &e))),
        };
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let error = LiveError::Status { url: shown, status, token_env: self.token_env.clone() };
            return Err(match status {
                429 | 500 | 502 | 503 | 504 => Attempt::Retry { error, after: retry_after(&response) },
                _ => Attempt::Final(error),
            });
        }
        if let Some(length) = response.content_length()
            && length > self.limit
        {
            return Err(Attempt::Final(LiveError::TooLarge { url: shown, limit: self.limit }));
        }
        let mut body = Vec::new();
        match (&mut response).take(self.limit + 1).read_to_end(&mut body) {
            Ok(_) if body.len() as u64 > self.limit => {
                Err(Attempt::Final(LiveError::TooLarge { url: shown, limit: self.limit }))
            }
            Ok(_) => Ok(body),
            // A body cut off (or too slow) mid-way: the page is lost, worth another try.
            Err(e) => Err(Attempt::Retry {
                error: LiveError::Transport { url: shown, message: format!("the response broke off: {e}") },
                after: None,
            }),
        }
    }
}

/// One attempt's failure.
enum Attempt {
    Retry { error: LiveError, after: Option<Duration> },
    Final(LiveError),
}

/// `Retry-After` in seconds (the HTTP-date form is taken as "use the backoff").
fn retry_after(response: &reqwest::blocking::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A URL for messages: without its query (which never holds a secret here, but is long).
pub fn shown(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

fn transport(url: &str, e: &reqwest::Error) -> LiveError {
    // The causes say what failed (a refused connection, an unknown certificate authority); they
    // name hosts and addresses, never the credential.
    let mut causes = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push_str(": ");
        causes.push_str(&s.to_string());
        source = s.source();
    }
    let message = if e.is_timeout() {
        String::from("no answer within the timeout")
    } else if e.is_connect() {
        format!("could not connect{causes}")
    } else {
        format!("the request failed{causes}")
    };
    LiveError::Transport { url: url.to_owned(), message }
}
