//! The whole job through the library against its yardstick, in one run and one process (so with
//! one allocator, the system's; the `ttpc` binary uses mimalloc and is measured against the same
//! yardstick by `bench/ratio.sh`): `ttpc::compile` of the financial model's
//! three actors over all of SigmaHQ, cold (no caches: the bundle parsed from JSON, every rule
//! file parsed) and warm (index and rule caches filled), next to a bare
//! `serde_json::from_slice::<serde_json::Value>` of the 18.1 bundle. The ratios are printed at the
//! end; docs/performance.md records them.
//!
//! Needs the shared test data: `TTPC_SHARED=../shared cargo bench --features bench --bench compile`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TTPC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    dir.join("attack").is_dir().then(|| dir.canonicalize().unwrap_or(dir))
}

/// The financial-services model with all of SigmaHQ as its only rule source and no emulation.
fn model(shared: &Path, work: &Path) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("models/financial-services.yaml")).expect("model");
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("rules:") || line.starts_with("validation:") || line.starts_with("outputs:") {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with("  ") || line.is_empty()) {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!(
        "rules:\n  - {{kind: sigma, path: \"{}\", name: SigmaHQ}}\n",
        shared.join("corpora/sigmahq").display()
    ));
    let path = work.join("model.yaml");
    std::fs::write(&path, out).expect("model written");
    path
}

fn compile(c: &mut Criterion) {
    let Some(shared) = shared() else {
        eprintln!("compile: shared test data not found; set TTPC_SHARED");
        return;
    };
    let work = tempfile::tempdir().expect("temp");
    let bundle = shared.join("attack/enterprise-attack-18.1.json");
    let bytes = std::fs::read(&bundle).expect("bundle");
    let cache = work.path().join("cache");
    let options =
        ttpc::Options { attack_data: Some(bundle.clone()), allow_outside: true, ..ttpc::Options::default() };
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
    let mut request = ttpc::Request::new(model(&shared, work.path()), as_of);
    request.output = Some(work.path().join("out"));
    let run = || {
        let compiled = ttpc::compile(&request, &options, &ttpc::diagnostics::ignore).expect("compiles");
        assert!(compiled.assessment.overall.covered > 0);
        compiled
    };

    let mut group = c.benchmark_group("financial model × SigmaHQ");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.bench_function("bare serde_json::Value parse of the bundle", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON"))
    });
    ttpc::cache::set(ttpc::cache::Settings { root: Some(cache.clone()), enabled: false });
    group.bench_function("ttpc::compile, cold (no caches)", |b| b.iter(run));
    ttpc::cache::set(ttpc::cache::Settings { root: Some(cache), enabled: true });
    run(); // fill the caches
    group.bench_function("ttpc::compile, warm (caches filled)", |b| b.iter(run));
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
