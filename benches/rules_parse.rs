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

/// Mapping every SigmaHQ rule's tags onto enterprise 18.1, with and without translation across
/// releases: SigmaHQ tags 19.0 IDs, so translation is exercised on every such rule. The two
/// figures should be indistinguishable (a lookup in a small table happens only for IDs the
/// release does not know).
fn normalise(c: &mut Criterion) {
    let Some(shared) = shared() else { return };
    let report = ttpc::rules::load(RuleKind::Sigma, &shared.join("corpora/sigmahq")).expect("SigmaHQ loads");
    let plain =
        ttpc::attack::KnowledgeBase::load(&shared.join("attack/enterprise-attack-18.1.json")).expect("18.1");
    let mut translating = plain.clone();
    translating.set_translation(ttpc::attack::releases::Translation::new(&ttpc::attack::releases::builtin(
        ttpc::attack::Domain::EnterpriseAttack,
    )));
    let mut group = c.benchmark_group("normalise");
    group.throughput(Throughput::Elements(report.rules.len() as u64));
    for (name, kb) in
        [("sigmahq on 18.1, no translation", &plain), ("sigmahq on 18.1, translating 19.0 IDs", &translating)]
    {
        group.bench_function(name, |b| {
            b.iter(|| {
                report.rules.iter().map(|r| ttpc::rules::normalise(r, kb).techniques.len()).sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, rules_parse, normalise);
criterion_main!(benches);
