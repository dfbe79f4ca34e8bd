//! Fuzzing entry points: one function per input parser, taking raw bytes, shared by the cargo-fuzz
//! targets in `fuzz/` and by `tests/fuzz_regressions.rs`, so the normal test suite replays every
//! past finding through exactly the code the fuzzer ran.
//!
//! Each function feeds the bytes to the public library API the way the CLI would and throws the
//! result away: an `Err` is a correct answer to hostile input; a panic, abort, hang or runaway
//! allocation is a finding. Errors that carry source spans are also rendered the way the CLI
//! renders them (miette's graphical handler), because a span outside the text makes that
//! rendering fail, which the CLI's `eprintln!("{:?}", report)` turns into a panic.
//!
//! Not a stable API; it exists for the fuzz harness.
#![doc(hidden)]

use std::path::Path;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::diagnostics::InFile;
use crate::model::RuleKind;

/// What one input did, so the regression test can tell "parsed" from "rejected".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The parser accepted the input.
    Accepted,
    /// The parser returned an error (or skipped the file).
    Rejected,
    /// The input is not UTF-8 and the parser only takes text; nothing was run.
    NotText,
}

/// A fuzz target: its name (as in `fuzz/fuzz_targets/<name>.rs`) and its function.
pub type Target = (&'static str, fn(&[u8]) -> Outcome);

/// Every target, in the order `.ci/fuzz` runs them.
pub const TARGETS: &[Target] = &[
    ("model", model),
    ("stix", stix),
    ("rules_sigma", rules_sigma),
    ("rules_splunk_conf", rules_splunk_conf),
    ("rules_splunk_content", rules_splunk_content),
    ("rules_elastic", rules_elastic),
    ("rules_sentinel", rules_sentinel),
    ("rules_csv", rules_csv),
    ("rules_navigator", rules_navigator),
    ("rules_mappings", rules_mappings),
    ("atomics", atomics),
    ("results", results),
];

/// Renders a diagnostic as the CLI does (plain Unicode, 100 columns) and insists it renders:
/// a failure here is the CLI panicking while printing an error.
fn render(diagnostic: &dyn Diagnostic) {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    let rendered = handler.render_report(&mut out, diagnostic);
    assert!(rendered.is_ok(), "rendering the diagnostic failed (a span outside its source?): {diagnostic}");
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A threat model: YAML load, JSON-Schema validation and semantic checks
/// ([`crate::model::load_str`]); errors and warnings are rendered.
pub fn model(data: &[u8]) -> Outcome {
    let Some(text) = text(data) else { return Outcome::NotText };
    match crate::model::load_str(Path::new("fuzz.yaml"), text.to_owned()) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                render(&InFile::new(warning.clone(), &loaded.source));
            }
            Outcome::Accepted
        }
        Err(error) => {
            render(&error);
            Outcome::Rejected
        }
    }
}

/// An ATT&CK STIX bundle ([`crate::attack::KnowledgeBase::from_json`]); errors are rendered.
pub fn stix(data: &[u8]) -> Outcome {
    match crate::attack::KnowledgeBase::from_json(data, Path::new("fuzz.json")) {
        Ok(_) => Outcome::Accepted,
        Err(error) => {
            render(&error);
            Outcome::Rejected
        }
    }
}

fn rules(kind: RuleKind, path: &str, data: &[u8]) -> Outcome {
    let Some(text) = text(data) else { return Outcome::NotText };
    match crate::rules::adapter(kind).parse(Path::new(path), text) {
        Ok(_) => Outcome::Accepted,
        Err(_) => Outcome::Rejected,
    }
}

/// Whether text starts (after white space) with one of `openers`, to give an adapter that reads
/// two syntaxes the extension a real file of that syntax would have (so one corpus covers both).
fn starts_with(data: &[u8], openers: &[u8]) -> bool {
    data.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| openers.contains(b))
}

/// A Sigma rule file (`.yml`, possibly several documents).
pub fn rules_sigma(data: &[u8]) -> Outcome {
    rules(RuleKind::Sigma, "fuzz.yml", data)
}

/// A Splunk `savedsearches.conf`.
pub fn rules_splunk_conf(data: &[u8]) -> Outcome {
    rules(RuleKind::SplunkSavedsearches, "savedsearches.conf", data)
}

/// A Splunk security_content detection (`.yml`).
pub fn rules_splunk_content(data: &[u8]) -> Outcome {
    rules(RuleKind::SplunkContent, "fuzz.yml", data)
}

/// An Elastic detection-rules TOML file, or a Kibana NDJSON export when the text starts with `{`.
pub fn rules_elastic(data: &[u8]) -> Outcome {
    // Only `{`: TOML files start with `[rule]` or `[metadata]`.
    let path = if starts_with(data, b"{") { "fuzz.ndjson" } else { "fuzz.toml" };
    rules(RuleKind::Elastic, path, data)
}

/// A Sentinel analytic rule (`.yaml`), or an ARM export (`.json`) when the text starts with `{`
/// or `[`.
pub fn rules_sentinel(data: &[u8]) -> Outcome {
    let path = if starts_with(data, b"{[") { "fuzz.json" } else { "fuzz.yaml" };
    rules(RuleKind::Sentinel, path, data)
}

/// A CSV rule inventory.
pub fn rules_csv(data: &[u8]) -> Outcome {
    rules(RuleKind::Csv, "fuzz.csv", data)
}

/// An ATT&CK Navigator layer used as coverage.
pub fn rules_navigator(data: &[u8]) -> Outcome {
    rules(RuleKind::NavigatorLayer, "fuzz.json", data)
}

/// A Mappings Explorer file of security-control mappings.
pub fn rules_mappings(data: &[u8]) -> Outcome {
    rules(RuleKind::MappingsExplorer, "fuzz.json", data)
}

/// An Atomic Red Team technique file ([`crate::inputs::atomics::parse`]).
pub fn atomics(data: &[u8]) -> Outcome {
    let Some(text) = text(data) else { return Outcome::NotText };
    match crate::inputs::atomics::parse(text) {
        Ok(_) => Outcome::Accepted,
        Err(_) => Outcome::Rejected,
    }
}

/// An emulation results CSV ([`crate::inputs::results::parse`]); the error's message is
/// formatted.
pub fn results(data: &[u8]) -> Outcome {
    let Some(text) = text(data) else { return Outcome::NotText };
    match crate::inputs::results::parse(Path::new("results.csv"), text) {
        Ok(_) => Outcome::Accepted,
        Err(error) => {
            let _ = error.to_string();
            Outcome::Rejected
        }
    }
}
