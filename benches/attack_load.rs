//! Loading the ATT&CK enterprise bundle into the knowledge base, next to a bare
//! `serde_json::from_slice::<serde_json::Value>` of the same bytes measured in the same run.
//!
//! Needs the shared test data: `TTPC_SHARED=../shared cargo bench --bench attack_load`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ttpc::attack::KnowledgeBase;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TTPC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    dir.join("attack").is_dir().then_some(dir)
}

fn attack_load(c: &mut Criterion) {
    let Some(shared) = shared() else {
        eprintln!("attack_load: shared test data not found; set TTPC_SHARED");
        return;
    };
    for version in ["18.1", "17.1"] {
        let path = shared.join(format!("attack/enterprise-attack-{version}.json"));
        let bytes = std::fs::read(&path).expect("bundle readable");
        let mut group = c.benchmark_group(format!("enterprise-{version}"));
        group.sample_size(20);
        group.bench_function("serde_json::Value (bare parse)", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON"))
        });
        group.bench_function("KnowledgeBase::from_json (parse + index)", |b| {
            b.iter(|| KnowledgeBase::from_json(&bytes, &path).expect("loads"))
        });
        // The warm path: the postcard index ttpc caches after the first parse.
        let cache = tempfile::tempdir().expect("temp");
        let sha = ttpc::io::sha256_hex(&bytes);
        let kb = KnowledgeBase::from_json(&bytes, &path).expect("loads");
        ttpc::attack::source::cache_index(cache.path(), &sha, &kb).expect("cache written");
        group.bench_function("source::cached_index (cached index)", |b| {
            b.iter(|| ttpc::attack::source::cached_index(cache.path(), &sha).expect("cache hit"))
        });
        group.finish();
    }
}

criterion_group!(benches, attack_load);
criterion_main!(benches);
