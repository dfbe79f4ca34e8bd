//! The integration tests, one binary: every module below drives the public CLI or library API.
//! One binary links the test stack (assert_cmd, headless_chrome, ...) once and parses the real
//! ATT&CK bundle once (see `common`), which keeps `cargo test` quick on a fresh clone.

mod architecture;
mod attack_diff;
mod attack_kb;
mod attack_store;
mod browser;
mod cache;
mod cdp;
mod check_cli;
mod ci;
mod ci_files;
mod common;
mod compile_arithmetic;
mod compile_cli;
mod corpus_attack;
mod corpus_compile;
mod corpus_emulation;
mod corpus_rules;
mod emulation;
mod examples;
mod figures;
mod fleet;
mod fuzz_regressions;
mod hostile;
mod init_cli;
mod intel;
mod injection;
mod lookup_cli;
mod messy_tags;
mod pictures;
mod pull_request;
mod releases;
mod rules_cli;
mod rules_csv;
mod rules_elastic;
mod rules_navigator;
mod rules_sentinel;
mod rules_sigma;
mod rules_splunk;
mod schema;
mod snapshots_cli;
mod tools;
mod tools_ajv;
mod tools_caldera;
mod tools_navigator;
