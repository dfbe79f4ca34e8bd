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

use std::collections::BTreeMap;
use std::path::Path;

use ttpc::assessment::{Assessment, CellState, MatrixCell};

use crate::cdp::{Browser, chromium};
use crate::common;

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
    let mut tab = Browser::launch(&chromium, 1600, 1000);
    let url = file_url(&report);
    tab.navigate(&url);
    tab.wait_until("document.querySelector('#shown')");

    // Every tactic column holds the assessment's cells: techniques, and the sub-techniques shown.
    let in_page: BTreeMap<String, usize> = serde_json::from_value(tab.value(
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
    tab.hover(&format!("#matrix .cell[data-id='{}']", gap.id));
    tab.wait_visible("#tooltip");
    let tooltip = tab.text("#tooltip");
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
    tab.run(
        "const s = document.getElementById('filter-state'); s.value = 'gap'; s.dispatchEvent(new Event('change'));",
    );
    let visible = tab.value(
        "Array.from(document.querySelectorAll('#matrix .cell')).filter(c => c.offsetParent !== null).map(c => c.dataset.state)",
    );
    let visible: Vec<String> = serde_json::from_value(visible).expect("states");
    assert_eq!(visible.len(), gaps_in_matrix, "visible cells after filtering to gaps");
    assert!(visible.iter().all(|s| s == "gap"), "{visible:?}");
    let shown = tab.text("#shown");
    assert!(shown.starts_with(&format!("{gaps_in_matrix} of ")), "{shown}");
    tab.run(
        "const s = document.getElementById('filter-state'); s.value = ''; s.dispatchEvent(new Event('change'));",
    );

    // A hostile rule title is text in the details panel, and its script never ran.
    tab.click("#matrix .cell[data-id='T1059.001']");
    tab.wait_visible("#details");
    let details = tab.text("#details");
    assert!(details.contains(r#"<img src=x onerror="window.__pwned=1">"#), "{details}");
    assert!(details.contains("</script><script>window.__pwned=2</script>"), "{details}");
    assert_eq!(tab.value("typeof window.__pwned"), "undefined", "an injected script ran");
    assert_eq!(tab.value("document.querySelectorAll('img').length"), 0, "an injected element was created");
    tab.run("document.getElementById('details-close').click();");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target").join("screenshots");
    tab.run("document.activeElement.blur(); window.scrollTo(0, 0);");
    tab.screenshot(&shots.join("report.png"));

    let seen = tab.observed();
    assert!(seen.errors.is_empty(), "console errors: {:#?}", seen.errors);
    assert!(seen.dialogs.is_empty(), "dialogs opened: {:?}", seen.dialogs);
    assert!(
        seen.requests.contains(&url),
        "the network domain reports the page's own load: {:?}",
        seen.requests
    );
    assert!(seen.requests.iter().all(|r| *r == url), "requests beyond the file itself: {:?}", seen.requests);

    // The SVG, rasterised by the same browser.
    let svg = dir.path().join("out/matrix.svg");
    tab.navigate(&file_url(&svg));
    assert_eq!(tab.value("document.documentElement.localName"), "svg");
    let cells = tab.value("document.querySelectorAll('g.cell').length").as_u64().unwrap_or(0) as usize;
    assert_eq!(cells, expected.values().sum::<usize>(), "SVG cells");
    tab.screenshot(&shots.join("matrix.png"));
    assert!(shots.join("report.png").metadata().expect("report.png").len() > 10_000);
    assert!(shots.join("matrix.png").metadata().expect("matrix.png").len() > 10_000);
}
