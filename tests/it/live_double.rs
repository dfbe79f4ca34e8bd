//! A loopback double of a SIEM's REST API for the live-source tests: real HTTP on 127.0.0.1,
//! one thread per connection, every request recorded, answers chosen by a closure (pages in the
//! vendors' documented shapes, errors, delays, broken bodies). Nothing here reaches any other
//! address.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// A request as the double saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Path and query, as sent.
    pub target: String,
    /// The `Authorization` header.
    pub auth: Option<String>,
}

impl Seen {
    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// An answer.
pub enum Reply {
    /// A status, extra headers and a body (`Content-Length` set to its length).
    Body { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// The answer after a pause.
    Late(Duration, Box<Reply>),
    /// Raw bytes on the wire (malformed HTTP, bodies cut short).
    Raw(Vec<u8>),
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(value: &Value) -> Reply {
        Reply::Body { status: 200, headers: Vec::new(), body: value.to_string().into_bytes() }
    }

    /// A status with a small JSON error body, as the products send.
    pub fn status(status: u16) -> Reply {
        Reply::Body {
            status,
            headers: Vec::new(),
            body: json!({"messages": [{"type": "ERROR", "text": "refused"}]}).to_string().into_bytes(),
        }
    }

    /// 429 with `Retry-After`.
    pub fn too_many(seconds: u32) -> Reply {
        Reply::Body {
            status: 429,
            headers: vec![(String::from("Retry-After"), seconds.to_string())],
            body: b"{}".to_vec(),
        }
    }
}

/// A running double.
pub struct Double {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Double {
    /// Starts a double answering with `route(request, how many requests came before, its own
    /// base URL)`.
    pub fn start(route: impl Fn(&Seen, usize, &str) -> Reply + Send + Sync + 'static) -> Double {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let route = Arc::new(route);
        let log = Arc::clone(&seen);
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (route, log, base) = (Arc::clone(&route), Arc::clone(&log), base.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let mut stream = stream;
                    serve(&mut stream, &*route, &log, &base);
                });
            }
        });
        Double { url, seen }
    }

    /// [`Double::start`] over TLS, with the certificate of tests/fixtures/live/tls (issued to
    /// 127.0.0.1 by the test CA in `ca.pem` there).
    pub fn start_tls(route: impl Fn(&Seen, usize, &str) -> Reply + Send + Sync + 'static) -> Double {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let dir = super::common::fixture("live/tls");
        let certs = CertificateDer::pem_file_iter(dir.join("server.pem"))
            .expect("server.pem")
            .collect::<Result<Vec<_>, _>>()
            .expect("certificates");
        let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).expect("server.key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("TLS versions")
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .expect("a server configuration"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!("https://{}", listener.local_addr().expect("an address"));
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let route = Arc::new(route);
        let log = Arc::clone(&seen);
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (route, log, base, config) =
                    (Arc::clone(&route), Arc::clone(&log), base.clone(), Arc::clone(&config));
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let Ok(connection) = rustls::ServerConnection::new(config) else { return };
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    serve(&mut tls, &*route, &log, &base);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        Double { url, seen }
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("the log").clone()
    }
}

type Route = dyn Fn(&Seen, usize, &str) -> Reply + Send + Sync;

fn serve<S: Read + Write>(stream: &mut S, route: &Route, log: &Mutex<Vec<Seen>>, base: &str) {
    let mut reader = BufReader::new(&mut *stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut auth = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            auth = Some(value.trim().to_owned());
        }
    }
    drop(reader);
    let request = Seen { target, auth };
    let before = {
        let mut log = log.lock().expect("the log");
        log.push(request.clone());
        log.len() - 1
    };
    let reply = route(&request, before, base);
    write(stream, reply);
}

fn write<S: Write>(stream: &mut S, reply: Reply) {
    match reply {
        Reply::Late(pause, reply) => {
            std::thread::sleep(pause);
            write(stream, *reply);
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Body { status, headers, body } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    }
    let _ = stream.flush();
}

/// A rule of a double: ID, title, enabled, techniques.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub enabled: bool,
    pub techniques: Vec<String>,
}

impl Rule {
    pub fn new(id: &str, title: &str, enabled: bool, techniques: &[&str]) -> Rule {
        Rule {
            id: id.to_owned(),
            title: title.to_owned(),
            enabled,
            techniques: techniques.iter().map(|t| (*t).to_owned()).collect(),
        }
    }
}

/// `n` rules, every `disabled_every`-th disabled, mapped round-robin onto `techniques`.
pub fn many(n: usize, disabled_every: usize, techniques: &[&str]) -> Vec<Rule> {
    (0..n)
        .map(|i| {
            Rule::new(
                &format!("rule-{i:05}"),
                &format!("Rule {i}"),
                i % disabled_every != 0,
                &[techniques[i % techniques.len()]],
            )
        })
        .collect()
}

/// A page of Splunk's `saved/searches` listing (`output_mode=json`), `disabled` written in the
/// forms Splunk uses (a boolean, or "1"/"0").
pub fn splunk_page(rules: &[Rule], offset: usize, count: usize) -> Value {
    let entries: Vec<Value> = rules
        .iter()
        .enumerate()
        .skip(offset)
        .take(count)
        .map(|(i, r)| {
            let annotations = json!({"mitre_attack": r.techniques, "kill_chain_phases": ["Exploitation"]});
            let disabled = if i % 2 == 0 { json!(!r.enabled) } else { json!(if r.enabled { "0" } else { "1" }) };
            json!({
                "name": r.id,
                "id": format!("https://splunk.example:8089/servicesNS/nobody/SA-ThreatIntelligence/saved/searches/{}", r.id),
                "updated": "2026-11-30T10:00:00+00:00",
                "links": {"alternate": format!("/servicesNS/nobody/SA-ThreatIntelligence/saved/searches/{}", r.id)},
                "author": "nobody",
                "acl": {"app": "SA-ThreatIntelligence", "owner": "nobody", "sharing": "global", "can_write": true},
                "content": {
                    "action.correlationsearch.enabled": "1",
                    "action.correlationsearch.label": r.title,
                    "action.correlationsearch.annotations": annotations.to_string(),
                    "action.notable.param.severity": "high",
                    "cron_schedule": "*/5 * * * *",
                    "disabled": disabled,
                    "search": "| tstats count from datamodel=Endpoint.Processes"
                }
            })
        })
        .collect();
    json!({
        "links": {"create": "/servicesNS/-/-/saved/searches/_new"},
        "origin": "https://splunk.example:8089/servicesNS/-/-/saved/searches",
        "updated": "2026-12-01T00:00:00+00:00",
        "generator": {"build": "abc", "version": "9.3.1"},
        "entry": entries,
        "paging": {"total": rules.len(), "perPage": count, "offset": offset},
        "messages": []
    })
}

/// Splunk's answer to a listing request, paged by its `offset`/`count` parameters.
pub fn splunk(rules: &[Rule], request: &Seen) -> Reply {
    let offset = request.param("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let count = request.param("count").and_then(|c| c.parse().ok()).unwrap_or(30);
    Reply::json(&splunk_page(rules, offset, count))
}

/// A page of Kibana's `_find`.
pub fn elastic_page(rules: &[Rule], page: usize, per_page: usize) -> Value {
    let data: Vec<Value> = rules
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|r| {
            let techniques: Vec<Value> = r
                .techniques
                .iter()
                .map(|t| match t.split_once('.') {
                    Some((parent, _)) => json!({"id": parent, "name": "Parent", "reference": "https://attack.mitre.org/", "subtechnique": [{"id": t, "name": "Sub", "reference": "https://attack.mitre.org/"}]}),
                    None => json!({"id": t, "name": "Technique", "reference": "https://attack.mitre.org/"}),
                })
                .collect();
            json!({
                "id": format!("uuid-{}", r.id),
                "rule_id": r.id,
                "name": r.title,
                "enabled": r.enabled,
                "type": "query",
                "severity": "high",
                "risk_score": 73,
                "version": 3,
                "threat": [{"framework": "MITRE ATT&CK", "tactic": {"id": "TA0002", "name": "Execution", "reference": "https://attack.mitre.org/tactics/TA0002/"}, "technique": techniques}]
            })
        })
        .collect();
    json!({"page": page, "perPage": per_page, "total": rules.len(), "data": data})
}

/// Kibana's answer, paged by `page`/`per_page`.
pub fn elastic(rules: &[Rule], request: &Seen) -> Reply {
    let page = request.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let per_page = request.param("per_page").and_then(|p| p.parse().ok()).unwrap_or(20);
    Reply::json(&elastic_page(rules, page, per_page))
}

/// A page of ARM's alertRules listing; `next` is the full `nextLink`, if any.
pub fn sentinel_page(rules: &[Rule], next: Option<String>) -> Value {
    let value: Vec<Value> = rules
        .iter()
        .map(|r| {
            let (subs, parents): (Vec<&String>, Vec<&String>) = r.techniques.iter().partition(|t| t.contains('.'));
            json!({
                "id": format!("/subscriptions/0000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/sec/providers/Microsoft.SecurityInsights/alertRules/{}", r.id),
                "name": r.id,
                "type": "Microsoft.SecurityInsights/alertRules",
                "kind": "Scheduled",
                "etag": "\"0300bf09-0000-0000-0000-5c37296e0000\"",
                "properties": {
                    "displayName": r.title,
                    "enabled": r.enabled,
                    "severity": "High",
                    "query": "SecurityEvent | where EventID == 4688",
                    "tactics": ["Execution"],
                    "techniques": parents,
                    "subTechniques": subs
                }
            })
        })
        .collect();
    match next {
        Some(link) => json!({"value": value, "nextLink": link}),
        None => json!({"value": value}),
    }
}

/// ARM's answer: `per_page` rules a page, the page in `$skipToken`.
pub fn sentinel(rules: &[Rule], request: &Seen, base: &str, per_page: usize) -> Reply {
    let page: usize = request.param("$skipToken").and_then(|p| p.parse().ok()).unwrap_or(0);
    let chunk: Vec<Rule> = rules.iter().skip(page * per_page).take(per_page).cloned().collect();
    let more = (page + 1) * per_page < rules.len();
    let next =
        more.then(|| format!("{base}{}?api-version=2024-03-01&$skipToken={}", request.path(), page + 1));
    Reply::json(&sentinel_page(&chunk, next))
}
