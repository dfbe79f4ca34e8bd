//! The fleet overview: what a batch of models (one per tenant or business unit) looks like as a
//! whole, kept as a small summary per model so that a batch of thousands never holds more than a
//! few assessments at once.
//!
//! [`FleetBuilder`] takes each model's summary as its compile finishes (the assessment is dropped
//! right after) and counts the gaps shared between tenants on the way; [`FleetBuilder::finish`]
//! turns it into the [`Fleet`]: `fleet.json`, the context of `fleet.html` and the rows of
//! `fleet.csv`. Models stay in the batch's order and every list is sorted, so two runs on the same
//! inputs serialise byte for byte the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Assessment, Coverage, State};

/// The format version of `fleet.json`.
pub const FLEET_FORMAT: u32 = 1;

/// How many of the techniques that are gaps in the most tenants the overview lists.
pub const COMMON_GAPS: usize = 25;

/// The overview of a batch of models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    /// [`FLEET_FORMAT`].
    pub format: u32,
    /// The batch in numbers.
    pub totals: FleetTotals,
    /// Models per band of overall coverage (0–10 %, …, 90–100 %), for models with a coverage.
    pub distribution: Vec<Band>,
    /// The techniques that are gaps in the most models, most first (then by ID): where one shared
    /// rule would help most.
    pub common_gaps: Vec<CommonGap>,
    /// Every tactic met in the batch (shortname, name), in the order first met: the columns of the
    /// per-tactic coverage.
    pub tactics: Vec<TacticName>,
    /// One summary per model, in the batch's order.
    pub models: Vec<FleetModel>,
}

/// The batch in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct FleetTotals {
    /// Models in the batch.
    pub models: usize,
    /// Compiled, every target holds.
    pub hold: usize,
    /// Compiled, at least one target failed.
    pub failed: usize,
    /// Not compiled: invalid input or an error.
    pub invalid: usize,
    /// Mean overall coverage of the compiled models, percent, one decimal.
    pub mean: Option<f64>,
    /// Median overall coverage of the compiled models, percent, one decimal.
    pub median: Option<f64>,
}

/// A band of the coverage distribution: `from` ≤ coverage < `to` (the last band includes 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// Lower bound, percent.
    pub from: u32,
    /// Upper bound, percent.
    pub to: u32,
    /// Models in the band.
    pub models: usize,
}

/// A technique that is a gap in several models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommonGap {
    /// ATT&CK ID.
    pub id: String,
    /// ATT&CK name.
    pub name: String,
    /// Models in which it is a gap.
    pub models: usize,
    /// Of the compiled models, percent, one decimal.
    pub percent: Option<f64>,
}

/// A tactic: shortname and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TacticName {
    /// Shortname (`defense-evasion`).
    pub shortname: String,
    /// Name (`Defense Evasion`).
    pub name: String,
}

/// What became of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FleetStatus {
    /// Compiled; every target holds.
    Hold,
    /// Compiled; a target failed.
    Failed,
    /// Not compiled.
    Invalid,
}

/// One model of the batch, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetModel {
    /// The model file as given.
    pub file: String,
    /// The model's name.
    pub name: Option<String>,
    /// The model's owner.
    pub owner: Option<String>,
    /// ATT&CK domain.
    pub domain: Option<String>,
    /// ATT&CK release.
    pub attack_version: Option<String>,
    /// What became of it.
    pub status: FleetStatus,
    /// Its exit code alone (0, 1, 2 or 3).
    pub exit: u8,
    /// Why it was not compiled.
    pub error: Option<String>,
    /// Its `report.html`, relative to the overview's folder (a link).
    pub report: Option<String>,
    /// Its output folder.
    pub output: Option<String>,
    /// Overall coverage.
    pub coverage: Option<Coverage>,
    /// Coverage per actor, model order.
    pub actors: Vec<ActorPercent>,
    /// Coverage per tactic (with techniques assessed), matrix order.
    pub tactics: Vec<TacticPercent>,
    /// Targets checked.
    pub targets: usize,
    /// The targets that failed, the model's order.
    pub failed_targets: Vec<FailedTarget>,
    /// Share of covered techniques validated by emulation, when the model has results.
    pub validation: Option<f64>,
}

/// An actor's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorPercent {
    /// Actor name.
    pub name: String,
    /// Percent.
    pub percent: Option<f64>,
}

/// A tactic's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TacticPercent {
    /// Tactic shortname.
    pub tactic: String,
    /// Percent.
    pub percent: Option<f64>,
}

/// A failed target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedTarget {
    /// The target in words.
    pub target: String,
    /// What was promised.
    pub expected: String,
    /// What was found.
    pub actual: String,
}

impl FleetModel {
    /// The summary of a compiled model; `output` is its output folder.
    pub fn compiled(file: &str, a: &Assessment, output: Option<String>) -> FleetModel {
        let failed_targets: Vec<FailedTarget> = a
            .verdicts
            .iter()
            .filter(|v| !v.pass)
            .map(|v| FailedTarget {
                target: v.target.clone(),
                expected: v.expected.clone(),
                actual: v.actual.clone(),
            })
            .collect();
        FleetModel {
            file: file.to_owned(),
            name: Some(a.model.name.clone()),
            owner: a.model.owner.clone(),
            domain: Some(a.model.domain.clone()),
            attack_version: Some(a.model.attack_version.clone()),
            status: if failed_targets.is_empty() { FleetStatus::Hold } else { FleetStatus::Failed },
            exit: u8::from(!failed_targets.is_empty()),
            error: None,
            report: None,
            output,
            coverage: Some(a.overall),
            actors: a
                .actors
                .iter()
                .map(|x| ActorPercent { name: x.name.clone(), percent: x.coverage.percent })
                .collect(),
            tactics: a
                .tactics
                .iter()
                .filter(|t| t.coverage.techniques > 0)
                .map(|t| TacticPercent { tactic: t.shortname.clone(), percent: t.coverage.percent })
                .collect(),
            targets: a.verdicts.len(),
            failed_targets,
            validation: a.emulation.as_ref().filter(|e| e.results.is_some()).and_then(|e| e.summary.percent),
        }
    }

    /// The summary of a model that was not compiled: `exit` is its exit code, `error` why.
    pub fn invalid(file: &str, exit: u8, error: String) -> FleetModel {
        FleetModel {
            file: file.to_owned(),
            name: None,
            owner: None,
            domain: None,
            attack_version: None,
            status: FleetStatus::Invalid,
            exit,
            error: Some(error),
            report: None,
            output: None,
            coverage: None,
            actors: Vec::new(),
            tactics: Vec::new(),
            targets: 0,
            failed_targets: Vec::new(),
            validation: None,
        }
    }
}

/// What the overview keeps of one model: its summary, plus its gaps and tactics until they are
/// counted (built on the thread that compiled the model, so the assessment can go at once).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The model's row.
    pub model: FleetModel,
    /// Its gaps: (ID, name).
    pub gaps: Vec<(String, String)>,
    /// Its tactics, matrix order.
    pub tactics: Vec<TacticName>,
}

impl Summary {
    /// The summary of a compiled model; `output` is its output folder.
    pub fn of(file: &str, a: &Assessment, output: Option<String>) -> Summary {
        Summary {
            model: FleetModel::compiled(file, a, output),
            gaps: a
                .techniques
                .iter()
                .filter(|t| t.state == State::Gap)
                .map(|t| (t.id.clone(), t.name.clone()))
                .collect(),
            tactics: a
                .tactics
                .iter()
                .map(|t| TacticName { shortname: t.shortname.clone(), name: t.name.clone() })
                .collect(),
        }
    }

    /// The summary of a model that was not compiled.
    pub fn invalid(file: &str, exit: u8, error: String) -> Summary {
        Summary { model: FleetModel::invalid(file, exit, error), gaps: Vec::new(), tactics: Vec::new() }
    }
}

/// Collects the summaries of a batch as its models finish.
#[derive(Debug, Default)]
pub struct FleetBuilder {
    models: Vec<FleetModel>,
    tactics: Vec<TacticName>,
    /// Gap ID → (name, models).
    gaps: BTreeMap<String, (String, usize)>,
}

impl FleetBuilder {
    /// An empty batch.
    pub fn new() -> FleetBuilder {
        FleetBuilder::default()
    }

    /// Adds a model: its row, and its tactics and gaps counted.
    pub fn add(&mut self, summary: Summary) {
        for t in summary.tactics {
            if !self.tactics.iter().any(|x| x.shortname == t.shortname) {
                self.tactics.push(t);
            }
        }
        for (id, name) in summary.gaps {
            self.gaps.entry(id).or_insert((name, 0)).1 += 1;
        }
        self.models.push(summary.model);
    }

    /// Models so far.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether no model was added.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The overview.
    pub fn finish(self) -> Fleet {
        let mut percents: Vec<f64> =
            self.models.iter().filter_map(|m| m.coverage.and_then(|c| c.percent)).collect();
        percents.sort_by(f64::total_cmp);
        let compiled = self.models.iter().filter(|m| m.status != FleetStatus::Invalid).count();
        let count = |s: FleetStatus| self.models.iter().filter(|m| m.status == s).count();
        let round = |x: f64| (x * 10.0).round() / 10.0;
        let mean =
            (!percents.is_empty()).then(|| round(percents.iter().sum::<f64>() / percents.len() as f64));
        let median = match percents.len() {
            0 => None,
            n if n % 2 == 1 => Some(percents[n / 2]),
            n => Some(round((percents[n / 2 - 1] + percents[n / 2]) / 2.0)),
        };
        let totals = FleetTotals {
            models: self.models.len(),
            hold: count(FleetStatus::Hold),
            failed: count(FleetStatus::Failed),
            invalid: count(FleetStatus::Invalid),
            mean,
            median,
        };
        let mut distribution: Vec<Band> =
            (0..10).map(|i| Band { from: i * 10, to: i * 10 + 10, models: 0 }).collect();
        for p in &percents {
            let i = ((p / 10.0).floor().max(0.0) as usize).min(9);
            distribution[i].models += 1;
        }
        let mut common_gaps: Vec<CommonGap> = self
            .gaps
            .into_iter()
            .map(|(id, (name, models))| CommonGap {
                id,
                name,
                models,
                percent: super::percent(models, compiled),
            })
            .collect();
        common_gaps.sort_by(|a, b| b.models.cmp(&a.models).then_with(|| a.id.cmp(&b.id)));
        common_gaps.truncate(COMMON_GAPS);
        Fleet {
            format: FLEET_FORMAT,
            totals,
            distribution,
            common_gaps,
            tactics: self.tactics,
            models: self.models,
        }
    }
}
