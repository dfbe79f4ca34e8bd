//! Parsing whole rule corpora (SigmaHQ, Elastic detection-rules) with every file accounted for,
//! in parallel. Reports time per corpus; divide the rule count by it for rules/second.
//!
//! Needs the shared test data: `TTPC_SHARED=../shared cargo bench --bench rules_parse`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ttpc::model::RuleKind;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TTPC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    dir.join("corpora").is_dir().then_some(dir)
}

fn rules_parse(c: &mut Criterion) {
    let Some(shared) = shared() else {
        eprintln!("rules_parse: shared test data not found; set TTPC_SHARED");
        return;
    };
    let mut group = c.benchmark_group("rules");
    group.sample_size(20);
    for (name, kind) in [("sigmahq", RuleKind::Sigma), ("elastic", RuleKind::Elastic)] {
        let path = shared.join("corpora").join(name);
        let rules = ttpc::rules::load(kind, &path).map(|r| r.rules.len()).unwrap_or(0);
        group.throughput(Throughput::Elements(rules as u64));
        group.bench_function(format!("{name} ({rules} rules)"), |b| {
            b.iter(|| ttpc::rules::source::load_with(kind, &path, None).expect("corpus loads"))
        });
        // The warm path: every file unchanged since the rule cache was written.
        let cache = tempfile::tempdir().expect("temp");
        ttpc::rules::source::load_with(kind, &path, Some(cache.path())).expect("cache written");
        group.bench_function(format!("{name} ({rules} rules, rule cache warm)"), |b| {
            b.iter(|| ttpc::rules::source::load_with(kind, &path, Some(cache.path())).expect("corpus loads"))
        });
    }
    group.finish();
}

criterion_group!(benches, rules_parse);
criterion_main!(benches);
