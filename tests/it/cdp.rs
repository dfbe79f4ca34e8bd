//! A small Chrome DevTools Protocol client for the browser tests: starts Chromium headless on a
//! private profile, opens one page and talks JSON to it over the DevTools WebSocket (tungstenite).
//! The protocol is plain JSON-RPC; a full typed client would link hundreds of generated types
//! (and an async runtime) into the test binary for the dozen commands used here.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// Chromium, a WebSocket to it, and one page attached in flattened session mode.
pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    session: String,
    /// Every event received so far (method and params), in order.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

const TIMEOUT: Duration = Duration::from_secs(30);

impl Browser {
    /// Starts Chromium headless with a viewport of `width` × `height` and opens a blank page with
    /// the Page, Runtime, Log and Network domains enabled.
    pub fn launch(chromium: &Path, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().expect("profile folder");
        // The flags keep a closed network quiet; the sandbox needs user namespaces that
        // containers running as root lack, and the pages are ttpc's own files.
        let child = Command::new(chromium)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                &format!("--window-size={width},{height}"),
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Chromium starts");
        // Chromium writes the port it listens on, and the browser's WebSocket path, here.
        let port_file = profile.path().join("DevToolsActivePort");
        let start = Instant::now();
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Some((port, path)) = text.split_once('\n')
                && !path.trim().is_empty()
            {
                break (port.trim().to_owned(), path.trim().to_owned());
            }
            assert!(start.elapsed() < TIMEOUT, "Chromium did not open its DevTools port");
            std::thread::sleep(Duration::from_millis(50));
        };
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect to DevTools");
        let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream).expect("WebSocket");
        ws.get_ref().set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
        let mut browser =
            Browser { child, ws, next_id: 0, session: String::new(), events: Vec::new(), _profile: profile };
        let target = browser.send(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target = target["targetId"].as_str().expect("a target id").to_owned();
        let attached =
            browser.send(None, "Target.attachToTarget", json!({"targetId": target, "flatten": true}));
        browser.session = attached["sessionId"].as_str().expect("a session id").to_owned();
        for domain in ["Page", "Runtime", "Log", "Network"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        browser
    }

    /// Calls a method of the page and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params)
    }

    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.ws.send(Message::text(message.to_string())).expect("send to Chromium");
        let start = Instant::now();
        loop {
            assert!(start.elapsed() < TIMEOUT, "no answer to {method}");
            let Some(reply) = self.receive() else { continue };
            if reply["id"].as_u64() == Some(id) {
                assert!(reply.get("error").is_none(), "{method} failed: {}", reply["error"]);
                return reply["result"].clone();
            }
        }
    }

    /// The next message, events stored on the way; `None` after a short wait without one.
    fn receive(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(text)) => {
                let value: Value = serde_json::from_str(&text).expect("JSON from Chromium");
                if value.get("method").is_some() {
                    self.events.push(value.clone());
                }
                Some(value)
            }
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                None
            }
            Err(e) => panic!("DevTools connection failed: {e}"),
        }
    }

    /// Opens a URL and waits for its load event.
    pub fn navigate(&mut self, url: &str) {
        let before = self.events.len();
        self.call("Page.navigate", json!({"url": url}));
        let start = Instant::now();
        while !self.events[before..].iter().any(|e| e["method"] == "Page.loadEventFired") {
            assert!(start.elapsed() < TIMEOUT, "{url} did not load");
            self.receive();
        }
    }

    /// The value of a JavaScript expression in the page.
    pub fn value(&mut self, expr: &str) -> Value {
        let result = self.call("Runtime.evaluate", json!({"expression": expr, "returnByValue": true}));
        assert!(result.get("exceptionDetails").is_none(), "{expr} threw: {}", result["exceptionDetails"]);
        result["result"]["value"].clone()
    }

    /// Runs JavaScript statements in the page.
    pub fn run(&mut self, statements: &str) {
        self.value(&format!("(() => {{ {statements} }})()"));
    }

    /// Waits until a JavaScript expression is true.
    pub fn wait_until(&mut self, expr: &str) {
        let start = Instant::now();
        while self.value(&format!("Boolean({expr})")) != json!(true) {
            assert!(start.elapsed() < TIMEOUT, "never true: {expr}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until an element is shown (laid out, not hidden; fixed-position ones included).
    pub fn wait_visible(&mut self, selector: &str) {
        let quoted = serde_json::to_string(selector).expect("a string");
        self.wait_until(&format!("document.querySelector({quoted})?.checkVisibility()"));
    }

    /// The centre of the first element matching a CSS selector, scrolled into view.
    fn centre(&mut self, selector: &str) -> (f64, f64) {
        let selector = serde_json::to_string(selector).expect("a string");
        let at = self.value(&format!(
            "(() => {{ const e = document.querySelector({selector}); if (!e) return null; \
             e.scrollIntoView({{block: 'center', inline: 'center'}}); const r = e.getBoundingClientRect(); \
             return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ));
        assert!(at.is_array(), "no element matches {selector}");
        (at[0].as_f64().unwrap_or(0.0), at[1].as_f64().unwrap_or(0.0))
    }

    /// Moves the mouse over an element, as a user would.
    pub fn hover(&mut self, selector: &str) {
        let (x, y) = self.centre(selector);
        self.call("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": x, "y": y}));
    }

    /// Clicks an element with the mouse.
    pub fn click(&mut self, selector: &str) {
        let (x, y) = self.centre(selector);
        self.call("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": x, "y": y}));
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// The visible text of an element.
    pub fn text(&mut self, selector: &str) -> String {
        let selector = serde_json::to_string(selector).expect("a string");
        self.value(&format!("document.querySelector({selector}).innerText"))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A PNG of the whole page (not just the viewport), written to `to`.
    pub fn screenshot(&mut self, to: &Path) {
        let size =
            self.value("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]");
        let dim = |i: usize| size[i].as_f64().unwrap_or(1000.0);
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": dim(0), "height": dim(1), "scale": 1},
                "captureBeyondViewport": true
            }),
        );
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64 PNG");
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        std::fs::create_dir_all(to.parent().expect("parent")).expect("screenshot folder");
        std::fs::write(to, bytes).expect("write screenshot");
    }

    /// What the page reported since it was opened: errors and warnings (exceptions, console,
    /// the browser's log: CSP violations, blocked loads), network requests, dialogs.
    pub fn observed(&mut self) -> Observed {
        while self.receive().is_some() {}
        let mut seen = Observed::default();
        for e in &self.events {
            let p = &e["params"];
            match e["method"].as_str().unwrap_or_default() {
                "Runtime.exceptionThrown" => {
                    seen.errors.push(format!("exception: {}", p["exceptionDetails"]))
                }
                "Runtime.consoleAPICalled"
                    if matches!(p["type"].as_str(), Some("error" | "warning" | "assert")) =>
                {
                    seen.errors.push(format!("console.{}: {}", p["type"], p["args"]))
                }
                "Log.entryAdded" if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) => {
                    seen.errors.push(format!("log: {}", p["entry"]["text"]))
                }
                "Network.requestWillBeSent" => {
                    seen.requests.push(p["request"]["url"].as_str().unwrap_or_default().to_owned())
                }
                "Page.javascriptDialogOpening" => {
                    seen.dialogs.push(p["message"].as_str().unwrap_or_default().to_owned())
                }
                _ => {}
            }
        }
        seen
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a page did.
#[derive(Debug, Default)]
pub struct Observed {
    /// Errors and warnings.
    pub errors: Vec<String>,
    /// URLs requested.
    pub requests: Vec<String>,
    /// Dialogs opened (`alert`, ...).
    pub dialogs: Vec<String>,
}

/// Chromium: `TTPC_CHROMIUM`, else Debian's `/usr/bin/chromium`, else a `chromium`,
/// `chromium-browser` or `google-chrome` on the `PATH`. Without one the browser checks cannot
/// run: in CI (`CI=true`) that fails the test; elsewhere the test says what to install and is
/// skipped, so `cargo test` passes on a machine with only Rust.
pub fn chromium() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    if let Some(path) = std::env::var_os("TTPC_CHROMIUM").map(PathBuf::from) {
        assert!(path.exists(), "TTPC_CHROMIUM names {}, which does not exist", path.display());
        return Some(path);
    }
    let on_path: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    let candidates = std::iter::once(PathBuf::from("/usr/bin/chromium")).chain(
        on_path
            .into_iter()
            .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|n| dir.join(n))),
    );
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !in_ci,
            "CI=true and no Chromium: `apt-get install chromium` (as .ci/run does) or set TTPC_CHROMIUM"
        );
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let line = "SKIPPED browser test: no Chromium found (install Debian's `chromium` package or set TTPC_CHROMIUM)\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    found
}
