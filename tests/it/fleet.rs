//! Issue 22, fleet scale: a batch of tenant models with different failing targets (and one that
//! does not compile) and its overview (`--summary DIR`): `fleet.json`, `fleet.csv` and
//! `fleet.html` list exactly the failures each model's own `assessment.json` has, the batch exits
//! with the worst code, the output is the same on a second run, and the page works in a browser
//! offline (no network request, no console error; sorting, filtering, links to the reports).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ttpc::assessment::Assessment;
use ttpc::assessment::fleet::{Fleet, FleetStatus};

use crate::cdp::{Browser, chromium};
use crate::common::{self, fixture, mini21, text, ttpc};

/// The arithmetic model with other targets (and without its expired acceptance).
fn tenant(dir: &Path, name: &str, targets: &str) -> PathBuf {
    let rules = fixture("compile/rules");
    let model = format!(
        "ttpc: 1\nname: Tenant {name}\nowner: {name}@example.com\nassessed: 2026-03-15\n\
         attack: {{domain: enterprise-attack, version: \"18.1\"}}\n\
         scope: {{platforms: [Windows, Linux, macOS, IaaS]}}\n\
         actors:\n  - {{ref: FIN7, weight: 3, via_software: true}}\n  - {{ref: APT38, weight: 2}}\n\
         rules:\n  - {{kind: sigma, path: '{}', name: Unit Sigma}}\n\
         coverage: {{count_status: [stable, test], strong_at: 2}}\n\
         targets: {targets}\n",
        rules.display()
    );
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, model).expect("write model");
    path
}

/// Five tenants: two hold, two fail different targets, one does not compile.
fn tenants(dir: &Path) -> Vec<PathBuf> {
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "ttpc: 1\nname: Broken\nactors: [\n").expect("write");
    vec![
        tenant(dir, "alpha", "{overall: 10%}"),
        tenant(dir, "bravo", "{overall: 95%, tactics: {credential-access: 99%}}"),
        broken,
        tenant(dir, "charlie", "{must_cover: [T1003.006]}"),
        tenant(dir, "delta", "{}"),
    ]
}

fn compile_batch(models: &[PathBuf], out: &Path, summary: &Path) -> std::process::Output {
    ttpc()
        .args(["compile", "--allow-outside", "--as-of", "2026-03-15", "--attack-data"])
        .arg(mini21())
        .args(models)
        .arg("-o")
        .arg(out)
        .arg("--summary")
        .arg(summary)
        .output()
        .expect("runs")
}

/// The failed targets of each compiled model, from its own assessment.json: file → targets.
fn failures_in_assessments(models: &[PathBuf], out: &Path) -> BTreeMap<String, Vec<String>> {
    let mut all = BTreeMap::new();
    for m in models {
        let stem = m.file_stem().expect("stem").to_string_lossy().into_owned();
        let Ok(json) = std::fs::read(out.join(&stem).join("assessment.json")) else { continue };
        let a: Assessment = serde_json::from_slice(&json).expect("assessment");
        all.insert(
            m.display().to_string(),
            a.verdicts.iter().filter(|v| !v.pass).map(|v| v.target.clone()).collect(),
        );
    }
    all
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[test]
fn issue_22_the_overview_lists_exactly_the_failures_of_each_model() {
    let dir = tempfile::tempdir().expect("temp");
    let models = tenants(dir.path());
    let (out, summary) = (dir.path().join("out"), dir.path().join("summary"));
    let run = compile_batch(&models, &out, &summary);
    let stdout = text(&run.stdout);
    let stderr = text(&run.stderr);
    common::assert_no_panic(&stderr);
    // The broken model is invalid input: the worst code of the batch.
    assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
    // Not on a terminal: one line per model, in the order given.
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with(['✓', '✗'])).collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    for (line, model) in lines.iter().zip(&models) {
        assert!(line.contains(&model.display().to_string()), "{line} for {}", model.display());
    }
    assert!(stdout.contains("Wrote the fleet overview (3 files)"), "{stdout}");

    let expected = failures_in_assessments(&models, &out);
    assert_eq!(expected.len(), 4, "four models compiled");
    let failing: Vec<_> = expected.iter().filter(|(_, f)| !f.is_empty()).collect();
    assert_eq!(failing.len(), 2, "two models fail: {expected:?}");
    assert_ne!(failing[0].1, failing[1].1, "with different targets");

    // fleet.json
    let fleet: Fleet =
        serde_json::from_slice(&std::fs::read(summary.join("fleet.json")).expect("json")).expect("fleet");
    assert_eq!(fleet.models.len(), 5);
    assert_eq!((fleet.totals.hold, fleet.totals.failed, fleet.totals.invalid), (2, 2, 1));
    for (m, file) in fleet.models.iter().zip(&models) {
        assert_eq!(m.file, file.display().to_string(), "the batch's order");
        match expected.get(&m.file) {
            Some(failed) => {
                let listed: Vec<String> = m.failed_targets.iter().map(|f| f.target.clone()).collect();
                assert_eq!(&listed, failed, "{}", m.file);
                let status = if failed.is_empty() { FleetStatus::Hold } else { FleetStatus::Failed };
                assert_eq!(m.status, status);
                let report = summary.join(m.report.as_deref().expect("a link to the report"));
                assert!(report.is_file(), "{} links to {}", m.file, report.display());
            }
            None => {
                assert_eq!((m.status, m.exit), (FleetStatus::Invalid, 2));
                assert!(m.error.is_some() && m.report.is_none());
            }
        }
    }
    let percents = fleet.models.iter().filter_map(|m| m.coverage.and_then(|c| c.percent)).count();
    assert_eq!(fleet.distribution.iter().map(|b| b.models).sum::<usize>(), percents);
    let top = fleet.common_gaps.first().expect("gaps shared by the tenants");
    assert_eq!(top.models, 4, "every compiled tenant has the same rules, so the same gaps: {top:?}");

    // fleet.csv: the same failures, in the same order.
    let mut csv = csv::Reader::from_path(summary.join("fleet.csv")).expect("csv");
    let headers = csv.headers().expect("headers").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (file, failed) = (column("file"), column("failed_targets"));
    assert!(headers.iter().any(|h| h == "tactic:credential-access"), "{headers:?}");
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        let listed: Vec<String> = row[failed]
            .split(" | ")
            .filter(|s| !s.is_empty())
            .map(|s| s.split(" (expected ").next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(&listed, expected.get(&row[file]).unwrap_or(&Vec::new()), "{}", &row[file]);
    }

    // fleet.html: one row per model, each with exactly its failures.
    let html = std::fs::read_to_string(summary.join("fleet.html")).expect("html");
    let rows: Vec<&str> = html.split("<tr data-status=").skip(1).collect();
    assert_eq!(rows.len(), 5);
    for (row, model) in rows.iter().zip(&models) {
        let row = &row[..row.find("</tr>").expect("row end")];
        let listed: Vec<String> = row
            .split("<li>")
            .skip(1)
            .map(|li| unescape(li.split(" <small").next().unwrap_or_default()))
            .collect();
        let key = model.display().to_string();
        assert_eq!(&listed, expected.get(&key).unwrap_or(&Vec::new()), "{key}");
    }

    // The same inputs give the same overview, byte for byte.
    let read = |name: &str| std::fs::read(summary.join(name)).expect(name);
    let first: Vec<Vec<u8>> = ["fleet.json", "fleet.csv", "fleet.html"].map(read).to_vec();
    let again = compile_batch(&models, &out, &summary);
    assert_eq!(again.status.code(), Some(2));
    assert!(first == ["fleet.json", "fleet.csv", "fleet.html"].map(read).to_vec(), "the overview changed");
}

#[test]
fn issue_22_a_batch_prints_its_assessments_as_one_json_array_in_order() {
    let dir = tempfile::tempdir().expect("temp");
    let models: Vec<PathBuf> =
        tenants(dir.path()).into_iter().filter(|m| !m.ends_with("broken.yaml")).collect();
    let run = ttpc()
        .args(["compile", "--allow-outside", "--as-of", "2026-03-15", "--format", "json", "--attack-data"])
        .arg(mini21())
        .args(&models)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let all: Vec<Assessment> = serde_json::from_slice(&run.stdout).expect("one JSON array");
    let names: Vec<&str> = all.iter().map(|a| a.model.name.as_str()).collect();
    assert_eq!(names, ["Tenant alpha", "Tenant bravo", "Tenant charlie", "Tenant delta"]);
}

#[test]
fn issue_22_models_sharing_a_file_name_are_refused_with_one_output_folder() {
    let dir = tempfile::tempdir().expect("temp");
    let a = tenant(dir.path(), "alpha", "{}");
    std::fs::create_dir(dir.path().join("b")).expect("mkdir");
    let b = tenant(&dir.path().join("b"), "alpha", "{}");
    let run = ttpc()
        .args(["compile", "--allow-outside", "--attack-data"])
        .arg(mini21())
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("share the file name"), "{}", text(&run.stderr));
}

#[test]
#[ignore = "needs Debian's chromium"]
fn issue_22_the_fleet_page_works_in_a_browser_offline() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp");
    let models = tenants(dir.path());
    let (out, summary) = (dir.path().join("out"), dir.path().join("summary"));
    let run = compile_batch(&models, &out, &summary);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let page = summary.join("fleet.html").canonicalize().expect("fleet.html");
    let url = format!("file://{}", page.display());
    let mut tab = Browser::launch(&chromium, 1400, 900);
    tab.navigate(&url);
    tab.wait_until("document.getElementById('shown').textContent.length > 0");
    assert_eq!(tab.text("#shown"), "5 of 5 models shown");

    // Filtering by status leaves the two failing models.
    tab.run("const s = document.getElementById('filter-status'); s.value = 'failed'; s.dispatchEvent(new Event('change'));");
    let visible: Vec<String> = serde_json::from_value(tab.value(
        "Array.from(document.querySelectorAll('#models tbody tr')).filter(r => r.offsetParent !== null).map(r => r.dataset.status)",
    ))
    .expect("statuses");
    assert_eq!(visible, ["failed", "failed"]);
    tab.run("const s = document.getElementById('filter-status'); s.value = ''; s.dispatchEvent(new Event('change'));");
    // Text filtering finds a tenant by its owner.
    tab.run("const t = document.getElementById('filter-text'); t.value = 'charlie@'; t.dispatchEvent(new Event('input'));");
    assert_eq!(tab.text("#shown"), "1 of 5 models shown");
    tab.run("const t = document.getElementById('filter-text'); t.value = ''; t.dispatchEvent(new Event('input'));");

    // Sorting by failed targets, descending: the most failures first.
    tab.run("document.querySelectorAll('#models th')[6].click(); document.querySelectorAll('#models th')[6].click();");
    let counts: Vec<f64> = serde_json::from_value(tab.value(
        "Array.from(document.querySelectorAll('#models tbody tr'), r => parseFloat(r.cells[6].dataset.v))",
    ))
    .expect("counts");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(counts[0] >= 1.0, "{counts:?}");

    // Every link leads to a report that exists.
    let links: Vec<String> =
        serde_json::from_value(tab.value("Array.from(document.querySelectorAll('#models a'), a => a.href)"))
            .expect("links");
    assert_eq!(links.len(), 4, "one link per compiled model");
    for link in &links {
        let path = link.strip_prefix("file://").expect("a file link");
        assert!(Path::new(path).is_file(), "{link}");
    }

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target").join("screenshots");
    tab.screenshot(&shots.join("fleet.png"));
    let seen = tab.observed();
    assert!(seen.errors.is_empty(), "console errors: {:#?}", seen.errors);
    assert!(seen.dialogs.is_empty(), "dialogs opened: {:?}", seen.dialogs);
    assert!(seen.requests.contains(&url), "the page's own load is seen: {:?}", seen.requests);
    assert!(seen.requests.iter().all(|r| *r == url), "requests beyond the page: {:?}", seen.requests);
}
