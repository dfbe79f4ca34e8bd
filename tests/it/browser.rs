//! `report.html` in a real browser: Debian's headless Chromium, driven over the DevTools protocol,
//! opens the report of the financial model (plus a source of rules with hostile titles) from
//! `file://` and checks what a reader would: it loads without a console error or a network
//! request, the matrix has the assessment's cells in every tactic column, hovering a gap names its
//! actors, the state filter hides the rest, and a rule title carrying a script stays text.
//! Screenshots of the report and of `matrix.svg` land in `target/screenshots/`.
//!
//! Needs the shared corpora (the full enterprise matrix) and Chromium (`TTPC_CHROMIUM`,
//! `/usr/bin/chromium` or one on the `PATH`); `.ci/run` installs Debian's package when it is
//! missing. Without Chromium the test prints one line saying what to install and passes, except
//! under `CI=true`, where a missing browser fails it.

use crate::common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use headless_chrome::protocol::cdp::Page::{CaptureScreenshot, CaptureScreenshotFormatOption, Viewport};
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Network};
use headless_chrome::{Browser, LaunchOptions, Tab};
use ttpc::assessment::{Assessment, CellState, MatrixCell};

/// Chromium: `TTPC_CHROMIUM`, else Debian's `/usr/bin/chromium`, else a `chromium`,
/// `chromium-browser` or `google-chrome` on the `PATH`. Without one the browser checks cannot
/// run: in CI (`CI=true`) that fails the test; elsewhere the test says what to install and is
/// skipped, so `cargo test` passes on a machine with only Rust.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TTPC_CHROMIUM").map(PathBuf::from) {
        assert!(path.exists(), "TTPC_CHROMIUM names {}, which does not exist", path.display());
        return Some(path);
    }
    let on_path =
        std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let candidates =
        std::iter::once(PathBuf::from("/usr/bin/chromium"))
            .chain(on_path.flat_map(|dir| {
                ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
            }));
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

/// Compiles the financial model with one more source, whose rule titles try to inject script.
fn compile_report(dir: &Path) -> Assessment {
    let root = common::root();
    let model = std::fs::read_to_string(root.join("models/financial-services.yaml")).expect("model");
    let examples = format!("{}/", root.join("examples").display());
    let hostile = root.join("tests/fixtures/rules/hostile");
    let model = model.replace("../examples/", &examples).replacen(
        "rules:",
        &format!("rules:\n  - {{kind: sigma, path: '{}', name: Hostile titles}}", hostile.display()),
        1,
    );
    let path = dir.join("model.yaml");
    std::fs::write(&path, model).expect("write model");
    // The model lives in a temporary folder and names the repository's examples: outside by design.
    let out = common::ttpc()
        .args(["compile", "--allow-outside"])
        .arg(&path)
        .args(["--as-of", "2026-03-15", "--attack-data"])
        .arg(common::shared_file("attack/enterprise-attack-18.1.json"))
        .arg("-o")
        .arg(dir.join("out"))
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", common::text(&out.stderr));
    let json = std::fs::read(dir.join("out/assessment.json")).expect("assessment.json");
    serde_json::from_slice(&json).expect("assessment")
}

/// What the page said and asked for while it was open.
#[derive(Default)]
struct Observed {
    errors: Vec<String>,
    requests: Vec<String>,
    dialogs: Vec<String>,
}

fn watch(tab: &Tab) -> Arc<Mutex<Observed>> {
    let seen = Arc::new(Mutex::new(Observed::default()));
    let sink = Arc::clone(&seen);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let Ok(mut seen) = sink.lock() else { return };
        match event {
            Event::RuntimeExceptionThrown(e) => {
                seen.errors.push(format!("exception: {:?}", e.params.exception_details.text))
            }
            Event::RuntimeConsoleAPICalled(e) => {
                let kind = format!("{:?}", e.params.Type);
                if kind == "Error" || kind == "Warning" || kind == "Assert" {
                    seen.errors.push(format!("console.{kind}: {:?}", e.params.args));
                }
            }
            // Log entries carry what the page's own scripts cannot see: CSP violations, blocked
            // loads, failed resources.
            Event::LogEntryAdded(e)
                if matches!(
                    e.params.entry.level,
                    Log::LogEntryLevel::Error | Log::LogEntryLevel::Warning
                ) =>
            {
                seen.errors.push(format!("log: {}", e.params.entry.text));
            }
            Event::NetworkRequestWillBeSent(e) => seen.requests.push(e.params.request.url.clone()),
            Event::PageJavascriptDialogOpening(e) => seen.dialogs.push(e.params.message.clone()),
            _ => {}
        }
    }))
    .expect("listen");
    tab.enable_log().expect("log domain");
    tab.enable_runtime().expect("runtime domain");
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .expect("network domain");
    seen
}

/// The value of a JavaScript expression, carried over as JSON.
fn value(tab: &Tab, expr: &str) -> serde_json::Value {
    let json = tab.evaluate(&format!("JSON.stringify({expr})"), false).expect("evaluate").value;
    match json {
        Some(serde_json::Value::String(json)) => serde_json::from_str(&json).expect("JSON from the page"),
        other => panic!("{expr} gave {other:?}"),
    }
}

/// Runs JavaScript statements in the page.
fn run(tab: &Tab, statements: &str) {
    tab.evaluate(&format!("(() => {{ {statements} }})()"), false).expect("evaluate");
}

/// A PNG of the whole page (not just the viewport).
fn screenshot(tab: &Tab, to: &Path) {
    let size = value(tab, "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]");
    let dim = |i: usize| size[i].as_f64().unwrap_or(1000.0);
    let png = tab
        .call_method(CaptureScreenshot {
            format: Some(CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(Viewport { x: 0.0, y: 0.0, width: dim(0), height: dim(1), scale: 1.0 }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .expect("screenshot")
        .data;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(png).expect("base64 PNG");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    std::fs::create_dir_all(to.parent().expect("parent")).expect("screenshot folder");
    std::fs::write(to, bytes).expect("write screenshot");
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().expect("exists").display())
}

fn shown_cells(cells: &[MatrixCell]) -> usize {
    cells.iter().map(|c| 1 + c.subtechniques.len()).sum()
}

#[test]
#[ignore = "needs the shared corpora and Debian's chromium"]
fn the_html_report_works_in_a_browser_offline_and_keeps_hostile_titles_as_text() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp");
    let assessment = compile_report(dir.path());
    let report = dir.path().join("out/report.html");
    let profile = dir.path().join("chromium-profile");

    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(chromium))
            .headless(true)
            // Containers run as root without user namespaces; the page is ttpc's own file.
            .sandbox(false)
            .window_size(Some((1600, 1000)))
            .user_data_dir(Some(profile))
            .args(args)
            .build()
            .expect("launch options"),
    )
    .expect("Chromium starts");
    let tab = browser.new_tab().expect("tab");
    let seen = watch(&tab);
    let url = file_url(&report);
    tab.navigate_to(&url).expect("navigate").wait_until_navigated().expect("loaded");
    tab.wait_for_element("#shown").expect("the page script ran");

    // Every tactic column holds the assessment's cells: techniques, and the sub-techniques shown.
    let in_page: BTreeMap<String, usize> = serde_json::from_value(value(
        &tab,
        "Object.fromEntries(Array.from(document.querySelectorAll('#matrix .column'), \
            c => [c.dataset.tactic, c.querySelectorAll('.cell').length]))",
    ))
    .expect("counts");
    let expected: BTreeMap<String, usize> =
        assessment.matrix.iter().map(|c| (c.shortname.clone(), shown_cells(&c.cells))).collect();
    assert_eq!(in_page, expected, "cells per tactic");
    assert_eq!(in_page.len(), 14, "the enterprise matrix has 14 tactics");

    // Hovering a gap names the actors that use it.
    let gap = assessment
        .techniques
        .iter()
        .find(|t| assessment.gaps.first() == Some(&t.id) && !t.actors.is_empty())
        .expect("a prioritised gap with actors");
    tab.find_element(&format!("#matrix .cell[data-id='{}']", gap.id))
        .expect("the gap's cell")
        .move_mouse_over()
        .expect("hover");
    let tooltip = tab.wait_until_visible("#tooltip").expect("tooltip shows").get_inner_text().expect("text");
    assert!(tooltip.contains(&gap.id), "{tooltip}");
    for actor in &gap.actors {
        assert!(tooltip.contains(actor.as_str()), "tooltip of {} lacks {actor}: {tooltip}", gap.id);
    }
    assert!(tooltip.contains("Priority"), "{tooltip}");

    // The state filter leaves only gaps on screen.
    let gaps_in_matrix: usize = assessment
        .matrix
        .iter()
        .flat_map(|c| c.cells.iter().flat_map(|cell| std::iter::once(cell).chain(&cell.subtechniques)))
        .filter(|cell| cell.state == CellState::Gap)
        .count();
    assert!(gaps_in_matrix > 0);
    run(
        &tab,
        "const s = document.getElementById('filter-state'); s.value = 'gap'; s.dispatchEvent(new Event('change'));",
    );
    let visible = value(
        &tab,
        "Array.from(document.querySelectorAll('#matrix .cell')).filter(c => c.offsetParent !== null).map(c => c.dataset.state)",
    );
    let visible: Vec<String> = serde_json::from_value(visible).expect("states");
    assert_eq!(visible.len(), gaps_in_matrix, "visible cells after filtering to gaps");
    assert!(visible.iter().all(|s| s == "gap"), "{visible:?}");
    let shown = tab.find_element("#shown").expect("count").get_inner_text().expect("text");
    assert!(shown.starts_with(&format!("{gaps_in_matrix} of ")), "{shown}");
    run(
        &tab,
        "const s = document.getElementById('filter-state'); s.value = ''; s.dispatchEvent(new Event('change'));",
    );

    // A hostile rule title is text in the details panel, and its script never ran.
    tab.find_element("#matrix .cell[data-id='T1059.001']").expect("PowerShell cell").click().expect("click");
    let details = tab.wait_until_visible("#details").expect("details open").get_inner_text().expect("text");
    assert!(details.contains(r#"<img src=x onerror="window.__pwned=1">"#), "{details}");
    assert!(details.contains("</script><script>window.__pwned=2</script>"), "{details}");
    assert_eq!(value(&tab, "typeof window.__pwned"), "undefined", "an injected script ran");
    assert_eq!(value(&tab, "document.querySelectorAll('img').length"), 0, "an injected element was created");
    run(&tab, "document.getElementById('details-close').click();");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target").join("screenshots");
    run(&tab, "document.activeElement.blur(); window.scrollTo(0, 0);");
    screenshot(&tab, &shots.join("report.png"));

    let seen = seen.lock().expect("observations");
    assert!(seen.errors.is_empty(), "console errors: {:#?}", seen.errors);
    assert!(seen.dialogs.is_empty(), "dialogs opened: {:?}", seen.dialogs);
    assert!(seen.requests.iter().all(|r| *r == url), "requests beyond the file itself: {:?}", seen.requests);
    drop(seen);

    // The SVG, rasterised by the same browser.
    let svg = dir.path().join("out/matrix.svg");
    tab.navigate_to(&file_url(&svg)).expect("navigate").wait_until_navigated().expect("svg loaded");
    assert_eq!(value(&tab, "document.documentElement.localName"), "svg");
    let cells = value(&tab, "document.querySelectorAll('g.cell').length").as_u64().unwrap_or(0) as usize;
    assert_eq!(cells, expected.values().sum::<usize>(), "SVG cells");
    screenshot(&tab, &shots.join("matrix.png"));
    assert!(shots.join("report.png").metadata().expect("report.png").len() > 10_000);
    assert!(shots.join("matrix.png").metadata().expect("matrix.png").len() > 10_000);
}
