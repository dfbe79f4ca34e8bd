//! Emulation against coverage: each technique's results judged (validated, failed, partial,
//! stale, untested), the validation figures, and per actor the emulation plan — its in-scope
//! techniques in kill-chain order with the atomic tests that exist for them on the model's
//! platforms.
//!
//! A covered technique whose tests ran undetected is a gap: its mapped rules did not fire, and a
//! detection mapped on paper is not a detection proved.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::assessment::{
    ActorEmulation, AtomicTest, AtomicsAccount, Detected, Emulation, EmulationStep, ResultRef, SkipCount,
    State, TechniqueAssessment, TechniqueValidation, ValidationState, ValidationSummary, percent,
};
use crate::inputs::{self, EmulationResult, atomic_platforms};
use crate::resolve::Resolved;

/// Judges emulation results as of a date.
pub struct Judge<'r> {
    results: BTreeMap<String, Vec<&'r EmulationResult>>,
    as_of: NaiveDate,
    max_age_days: u32,
    resolved: &'r Resolved,
    platforms: BTreeSet<&'static str>,
}

impl<'r> Judge<'r> {
    /// A judge for the model, or `None` when it has no `validation` section.
    pub fn new(r: &'r Resolved, as_of: NaiveDate) -> Option<Judge<'r>> {
        let validation = r.model.model.validation.as_ref()?;
        let mut results: BTreeMap<String, Vec<&EmulationResult>> = BTreeMap::new();
        for result in r.emulation.results.iter().flat_map(|f| &f.results) {
            results.entry(result.technique.clone()).or_default().push(result);
        }
        for list in results.values_mut() {
            list.sort_by(|a, b| b.date.cmp(&a.date).then(a.line.cmp(&b.line)));
        }
        let platforms =
            r.model.model.scope.platforms.iter().flat_map(|p| atomic_platforms(p).iter().copied()).collect();
        Some(Judge { results, as_of, max_age_days: validation.max_age_days, resolved: r, platforms })
    }

    /// The atomic tests for a technique that run on the platforms in scope.
    pub fn tests_for(&self, id: &str) -> Vec<AtomicTest> {
        let Some((_, atomics)) = &self.resolved.emulation.atomics else {
            return Vec::new();
        };
        atomics
            .tests_for(id)
            .iter()
            .filter(|t| {
                self.platforms.is_empty() || t.platforms.iter().any(|p| self.platforms.contains(p.as_str()))
            })
            .map(atomic_test)
            .collect()
    }

    /// What the results say about a technique.
    pub fn validation(&self, id: &str) -> TechniqueValidation {
        let results = self.results.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let fresh = |r: &EmulationResult| (self.as_of - r.date).num_days() <= i64::from(self.max_age_days);
        let recent: Vec<&EmulationResult> = results.iter().copied().filter(|r| fresh(r)).collect();
        let state = if recent.is_empty() {
            if results.is_empty() { ValidationState::Untested } else { ValidationState::Stale }
        } else if recent.iter().any(|r| r.detected == inputs::Detected::No) {
            ValidationState::Failed
        } else if recent.iter().all(|r| r.detected == inputs::Detected::Yes) {
            ValidationState::Validated
        } else {
            ValidationState::Partial
        };
        TechniqueValidation {
            state,
            atomic_tests: self.tests_for(id).len(),
            results: results
                .iter()
                .map(|r| ResultRef {
                    test: r.test.clone(),
                    guid: r.guid.clone(),
                    date: r.date.to_string(),
                    detected: detected(r.detected),
                    notes: r.notes.clone(),
                    stale: !fresh(r),
                })
                .collect(),
        }
    }

    /// The emulation section of the assessment, once every technique is judged.
    pub fn emulation(&self, techniques: &[TechniqueAssessment]) -> Emulation {
        let r = self.resolved;
        let kb = &r.attack.kb;
        let known: BTreeSet<&str> = techniques.iter().map(|t| t.id.as_str()).collect();
        let mut warnings: Vec<String> = r
            .emulation
            .results
            .iter()
            .flat_map(|f| f.warnings.iter().map(move |w| format!("{}: {w}", f.path.display())))
            .collect();
        if let Some((written, atomics)) = &r.emulation.atomics {
            for technique in &atomics.techniques {
                let file = format!("{written}/{}", technique.path.to_string_lossy().replace('\\', "/"));
                warnings.extend(technique.warnings.iter().map(|w| format!("{file}: {w}")));
            }
        }
        for (id, results) in &self.results {
            if !known.contains(id.as_str()) {
                let lines: Vec<String> = results.iter().map(|x| x.line.to_string()).collect();
                warnings.push(format!(
                    "results for {id} (line {}), a technique this model does not contain; ignored",
                    lines.join(", ")
                ));
            }
        }

        let actors = r
            .actors
            .iter()
            .map(|actor| {
                let mut steps: Vec<(usize, EmulationStep)> = actor
                    .techniques
                    .keys()
                    .filter_map(|t| {
                        let assessed = techniques.binary_search_by(|x| x.id.as_str().cmp(&kb[*t].id)).ok()?;
                        let assessed = &techniques[assessed];
                        if assessed.state == State::OutOfScope {
                            return None;
                        }
                        let first = kb[*t].tactics.first().copied();
                        Some((
                            first.map_or(usize::MAX, |x| x.get()),
                            EmulationStep {
                                technique: assessed.id.clone(),
                                name: assessed.name.clone(),
                                tactic: first.map(|x| kb[x].name.clone()).unwrap_or_default(),
                                covered: assessed.state.is_covered(),
                                tests: self.tests_for(&assessed.id),
                            },
                        ))
                    })
                    .collect();
                steps.sort_by(|(a, x), (b, y)| a.cmp(b).then(x.technique.cmp(&y.technique)));
                ActorEmulation {
                    reference: actor.reference.clone(),
                    id: actor.id.clone(),
                    name: actor.name.clone(),
                    steps: steps.into_iter().map(|(_, s)| s).collect(),
                }
            })
            .collect();

        Emulation {
            atomics: r.emulation.atomics.as_ref().map(|(written, a)| {
                let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
                for s in &a.skipped {
                    *skipped.entry(s.reason.as_str()).or_insert(0) += 1;
                }
                AtomicsAccount {
                    path: written.clone(),
                    files: a.files,
                    parsed_files: a.parsed_files,
                    skipped: skipped
                        .into_iter()
                        .map(|(reason, files)| SkipCount { reason: reason.to_owned(), files })
                        .collect(),
                    techniques: a.techniques.len(),
                    tests: a.techniques.iter().map(|t| t.tests.len()).sum(),
                    commit: a.commit.clone(),
                    digest: a.digest.clone(),
                }
            }),
            results: r.emulation.results.as_ref().map(|f| f.path.display().to_string()),
            max_age_days: self.max_age_days,
            summary: summary(techniques),
            actors,
            warnings,
        }
    }
}

fn detected(d: inputs::Detected) -> Detected {
    match d {
        inputs::Detected::Yes => Detected::Yes,
        inputs::Detected::No => Detected::No,
        inputs::Detected::Partial => Detected::Partial,
    }
}

fn atomic_test(t: &inputs::AtomicTest) -> AtomicTest {
    AtomicTest {
        number: t.number,
        name: t.name.clone(),
        guid: t.guid.clone(),
        platforms: t.platforms.clone(),
        executor: t.executor.clone(),
        elevation_required: t.elevation_required,
        has_prerequisites: t.has_prerequisites,
        caldera_ability: t.caldera_ability.clone(),
    }
}

/// Validation figures over the actors' techniques.
fn summary(techniques: &[TechniqueAssessment]) -> ValidationSummary {
    let mut s = ValidationSummary::default();
    for t in techniques.iter().filter(|t| !t.actors.is_empty()) {
        let Some(v) = &t.validation else { continue };
        let on_paper = t.state.is_covered() || v.state == ValidationState::Failed;
        if !on_paper {
            continue;
        }
        s.covered_on_paper += 1;
        match v.state {
            ValidationState::Validated => s.validated += 1,
            ValidationState::Failed => s.failed += 1,
            ValidationState::Partial => s.partial += 1,
            ValidationState::Stale => s.stale += 1,
            ValidationState::Untested => s.untested += 1,
        }
    }
    s.percent = percent(s.validated, s.covered_on_paper);
    s
}
