//! The model's rule sources: each is loaded (every file accounted for) and each rule's technique
//! IDs are normalised against the knowledge base. A source path that does not exist is an error
//! pointing at the model line that names it.

use crate::attack::KnowledgeBase;
use crate::diagnostics::Problem;
use crate::model::{LoadedModel, RuleSource};
use crate::rules::source::SourceError;
use crate::rules::{self, NormalisedRule, SourceReport};

/// A rule source of the model, loaded and normalised.
#[derive(Debug, Clone)]
pub struct ResolvedSource {
    /// The source as the model declares it.
    pub spec: RuleSource,
    /// Its name in reports: the model's `name`, else the path as written.
    pub name: String,
    /// What the source yielded.
    pub report: SourceReport,
    /// One entry per rule of `report.rules`, same order.
    pub normalised: Vec<NormalisedRule>,
}

/// Loads every rule source of the model; returns every problem when some cannot be read.
pub fn load_sources(model: &LoadedModel, kb: &KnowledgeBase) -> Result<Vec<ResolvedSource>, Vec<Problem>> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for (i, spec) in model.model.rules.iter().enumerate() {
        let path = model.resolve_path(&spec.path);
        match rules::load(spec.kind, &path) {
            Ok(mut report) => {
                // Reports name the source as the model writes it, not as resolved from the
                // working directory, so outputs do not depend on where ttpc runs.
                report.path = spec.path.clone().into();
                let normalised = report.rules.iter().map(|r| rules::normalise(r, kb)).collect();
                sources.push(ResolvedSource {
                    name: spec.name.clone().unwrap_or_else(|| spec.path.clone()),
                    spec: spec.clone(),
                    report,
                    normalised,
                });
            }
            Err(error) => {
                let (message, help) = match &error {
                    SourceError::Missing { .. } => (
                        format!("rule source {} does not exist", spec.path),
                        format!(
                            "paths are relative to the model file; this one resolves to {}",
                            path.display()
                        ),
                    ),
                    SourceError::Unreadable { .. } => {
                        (error.to_string(), String::from("check the permissions of the path"))
                    }
                };
                problems.push(
                    Problem::error("ttpc::rules::source", message, model.span(&format!("/rules/{i}/path")))
                        .label("this rule source")
                        .help(help),
                );
            }
        }
    }
    if problems.is_empty() { Ok(sources) } else { Err(problems) }
}

/// The model's emulation inputs: the Atomic Red Team folder and the results file, when named.
#[derive(Debug, Clone, Default)]
pub struct EmulationInputs {
    /// `validation.atomics`, parsed.
    pub atomics: Option<crate::emulation::AtomicsReport>,
    /// `validation.results`, parsed.
    pub results: Option<crate::emulation::ResultsFile>,
}

/// Loads `validation.atomics` and `validation.results`; a path that does not exist is an error
/// pointing at the model line that names it.
pub fn load_emulation(model: &LoadedModel) -> Result<EmulationInputs, Vec<Problem>> {
    let mut inputs = EmulationInputs::default();
    let mut problems = Vec::new();
    let Some(validation) = &model.model.validation else {
        return Ok(inputs);
    };
    if let Some(written) = &validation.atomics {
        let path = model.resolve_path(written);
        match crate::emulation::load_atomics(&path) {
            Ok(mut report) => {
                report.path = written.into();
                inputs.atomics = Some(report);
            }
            Err(error) => problems.push(
                Problem::error(
                    "ttpc::emulation::atomics",
                    match error {
                        SourceError::Missing { .. } => format!("Atomic Red Team folder {written} does not exist"),
                        other => other.to_string(),
                    },
                    model.span("/validation/atomics"),
                )
                .label("validation.atomics")
                .help(format!(
                    "point it at the `atomics` folder of a clone of redcanaryco/atomic-red-team; paths are relative to the model file (this one resolves to {})",
                    path.display()
                )),
            ),
        }
    }
    if let Some(written) = &validation.results {
        let path = model.resolve_path(written);
        match crate::emulation::load_results(&path) {
            Ok(mut results) => {
                results.path = written.into();
                inputs.results = Some(results);
            }
            Err(error) => problems.push(
                Problem::error("ttpc::emulation::results", error.to_string(), model.span("/validation/results"))
                    .label("validation.results")
                    .help("a CSV with the header technique,test,guid,date,detected,notes; detected is yes, no or partial"),
            ),
        }
    }
    if problems.is_empty() { Ok(inputs) } else { Err(problems) }
}
