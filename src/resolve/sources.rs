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
pub fn load_sources(
    model: &LoadedModel,
    kb: &KnowledgeBase,
) -> Result<Vec<ResolvedSource>, Vec<Problem>> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for (i, spec) in model.model.rules.iter().enumerate() {
        let path = model.resolve_path(&spec.path);
        match rules::load(spec.kind, &path) {
            Ok(mut report) => {
                // Reports name the source as the model writes it, not as resolved from the
                // working directory, so outputs do not depend on where ttpc runs.
                report.path = spec.path.clone().into();
                let normalised = report
                    .rules
                    .iter()
                    .map(|r| rules::normalise(r, kb))
                    .collect();
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
                    SourceError::Unreadable { .. } => (
                        error.to_string(),
                        String::from("check the permissions of the path"),
                    ),
                };
                problems.push(
                    Problem::error(
                        "ttpc::rules::source",
                        message,
                        model.span(&format!("/rules/{i}/path")),
                    )
                    .label("this rule source")
                    .help(help),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(sources)
    } else {
        Err(problems)
    }
}
