//! Rendering the pictures for the full enterprise matrix: `report.html` (template context, the
//! minijinja render with every technique's data embedded) and `matrix.svg`, with `report.md`
//! beside them for scale. The assessment is the worst case ttpc meets: every ATT&CK group as an
//! actor, all of SigmaHQ as rules, the financial model's scope, so most of the 14 × ~200
//! technique cells carry data.
//!
//! Needs the shared test data: `TTPC_SHARED=../shared cargo bench --bench render`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use ttpc::assessment::Assessment;
use ttpc::emit::{report, svg};

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TTPC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    dir.join("attack").is_dir().then_some(dir.canonicalize().unwrap_or(dir))
}

/// Compiles the all-groups model once with the real binary and reads back its assessment.
fn all_groups_assessment(shared: &std::path::Path, work: &std::path::Path) -> Assessment {
    let bundle = shared.join("attack/enterprise-attack-18.1.json");
    let kb = ttpc::attack::KnowledgeBase::from_json(&std::fs::read(&bundle).expect("bundle"), &bundle)
        .expect("bundle loads");
    let actors: String = kb
        .groups()
        .iter()
        .filter(|g| g.status == ttpc::attack::Status::Active)
        .map(|g| format!("  - {{ref: {}}}\n", g.id))
        .collect();
    let model = format!(
        "ttpc: 1\nname: Every ATT&CK group\nattack: {{domain: enterprise-attack, version: \"18.1\"}}\n\
         scope:\n  platforms: [Windows, Linux, macOS, IaaS, SaaS, Office Suite, Identity Provider, Network Devices, Containers, ESXi]\n\
         actors:\n{actors}rules:\n  - {{kind: sigma, path: \"{}\", name: SigmaHQ}}\n",
        shared.join("corpora/sigmahq").display()
    );
    let path = work.join("all-groups.yaml");
    std::fs::write(&path, model).expect("model written");
    // The model lives in a scratch folder and names the shared corpus: outside by design.
    let out = Command::new(env!("CARGO_BIN_EXE_ttpc"))
        .args(["compile", "--allow-outside"])
        .arg(&path)
        .arg("--attack-data")
        .arg(&bundle)
        .arg("-o")
        .arg(work.join("out"))
        .args(["--as-of", "2026-03-15"])
        .env("TTPC_CACHE", work.join("cache"))
        .output()
        .expect("ttpc runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&std::fs::read(work.join("out/assessment.json")).expect("assessment.json"))
        .expect("assessment")
}

fn render(c: &mut Criterion) {
    let Some(shared) = shared() else {
        eprintln!("render: shared test data not found; set TTPC_SHARED");
        return;
    };
    let work = tempfile::tempdir().expect("temp");
    let a = all_groups_assessment(&shared, work.path());
    let cells: usize = a.matrix.iter().flat_map(|c| &c.cells).map(|c| 1 + c.subtechniques.len()).sum();
    eprintln!(
        "render: {} techniques assessed, {cells} matrix cells, {} actors",
        a.techniques.len(),
        a.actors.len()
    );

    let mut group = c.benchmark_group("render full enterprise matrix");
    group.sample_size(30);
    group.bench_function("report.html (context + template)", |b| {
        b.iter(|| {
            let ctx = report::context(&a);
            report::html_report_in(&ctx, None, ttpc::emit::page::PageData::of(&a)).expect("renders")
        })
    });
    group.bench_function("matrix.svg", |b| b.iter(|| svg::matrix_svg(&a)));
    group.bench_function("report.md (context + template)", |b| {
        b.iter(|| report::markdown_report_in(&report::context(&a), None).expect("renders"))
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
