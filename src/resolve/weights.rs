//! The model's `priority.weights` bound to ATT&CK: each technique weight source read (CTID's Top
//! ATT&CK Techniques `Techniques.json`, or a team CSV of `technique,weight,reason`), and its IDs
//! carried to the pinned release the way rule mappings are (a revoked ID counts for its
//! replacement, an ID of another release is translated), every remapped or dropped ID reported.
//!
//! A source that cannot be read or is not in its kind's shape is an error at the model line: a
//! model uses all of its weights or none. The points each weight gives live in
//! [`crate::analysis::priority`].

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::Deserialize;

use crate::attack::releases::Foreign;
use crate::attack::{KnowledgeBase, Status, TechniqueIdx};
use crate::diagnostics::Problem;
use crate::model::{LoadedModel, WeightKind, WeightSource};

/// How reasons name CTID's data.
pub const CTID_LABEL: &str = "CTID Top ATT&CK Techniques";

/// The model's weight sources, in model order (empty without `priority.weights`).
#[derive(Debug, Clone, Default)]
pub struct TechniqueWeights {
    /// One per source.
    pub sources: Vec<WeightTable>,
}

/// One source's weights on the pinned release.
#[derive(Debug, Clone)]
pub struct WeightTable {
    /// How reasons name it: [`CTID_LABEL`], or the CSV path as written.
    pub label: String,
    /// The weight of each technique it covers.
    pub by_technique: BTreeMap<TechniqueIdx, Weight>,
}

/// One technique's weight in one source.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub enum Weight {
    /// CTID's scores, each 0 to 1.
    Ctid {
        /// How often it is seen in intrusions.
        prevalence: f64,
        /// How many attack paths pass through it.
        choke_point: f64,
        /// CTID's combined actionability score; without one, the larger of its detection and
        /// mitigation scores; `None` when CTID scores neither.
        actionability: Option<f64>,
        /// The ID as the file writes it, when the pinned release calls it otherwise.
        written: Option<String>,
    },
    /// A team's weight.
    Team {
        /// 0 or more.
        weight: f64,
        /// Why, as the CSV says (may be empty).
        reason: String,
        /// The ID as the file writes it, when the pinned release calls it otherwise.
        written: Option<String>,
    },
}

/// One entry of CTID's `Techniques.json` (only the fields ttpc reads).
#[derive(Deserialize)]
struct CtidTechnique {
    tid: String,
    prevalence_score: f64,
    choke_point_score: f64,
    actionability_score: CtidActionability,
}

#[derive(Deserialize)]
struct CtidActionability {
    #[serde(default)]
    combined_score: Option<f64>,
    #[serde(default)]
    mitigation_score: Option<f64>,
    #[serde(default)]
    detection_score: Option<f64>,
}

/// One row of a team CSV.
#[derive(Deserialize)]
struct TeamRow {
    technique: String,
    weight: String,
    #[serde(default)]
    reason: Option<String>,
}

/// Reads every weight source of the model: the weights, and warnings for IDs remapped or dropped;
/// or the errors, at the model line of each bad source.
pub fn load_weights(
    model: &LoadedModel,
    kb: &KnowledgeBase,
) -> Result<(TechniqueWeights, Vec<Problem>), Vec<Problem>> {
    let mut out = TechniqueWeights::default();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (i, spec) in model.model.priority.weights.iter().enumerate() {
        let span = model.span(&format!("/priority/weights/{i}/path"));
        match read_source(model, spec) {
            Ok(rows) => {
                let label = match spec.kind {
                    WeightKind::CtidTopTechniques => String::from(CTID_LABEL),
                    WeightKind::Csv => spec.path.clone(),
                };
                let (by_technique, notes) = bind(kb, rows);
                if !notes.is_empty() {
                    warnings.push(
                        Problem::warning(
                            "ttpc::priority::weight_ids",
                            format!("weight source {}: {}", spec.path, notes.join("; ")),
                            span.clone(),
                        )
                        .label("IDs remapped or dropped")
                        .help("remapped IDs weigh their replacements; dropped IDs weigh nothing"),
                    );
                }
                out.sources.push(WeightTable { label, by_technique });
            }
            Err((message, help)) => problems.push(
                Problem::error(
                    "ttpc::priority::weights",
                    format!("weight source {}: {message}", spec.path),
                    span,
                )
                .label("this weight source")
                .help(help),
            ),
        }
    }
    if problems.is_empty() { Ok((out, warnings)) } else { Err(problems) }
}

/// The source's rows as (written ID, weight), or (message, help). The parse is cached like a
/// rule file's (CTID's file is 3.8 MB of JSON): an unchanged file is not read again.
fn read_source(model: &LoadedModel, spec: &WeightSource) -> Result<Vec<(String, Weight)>, (String, String)> {
    let path = model.resolve_path(&spec.path);
    let cannot_read = |e: &dyn std::fmt::Display| {
        (format!("cannot read {}: {e}", path.display()), String::from("paths are relative to the model file"))
    };
    let reader = match spec.kind {
        WeightKind::CtidTopTechniques => "weights-ctid",
        WeightKind::Csv => "weights-csv",
    };
    crate::cache::files::one_file(
        reader,
        &path,
        |p| {
            crate::limits::read_capped(p, crate::limits::current().max_file_bytes)
                .map_err(|e| cannot_read(&e))
        },
        |bytes| match spec.kind {
            WeightKind::CtidTopTechniques => parse_ctid(&bytes),
            WeightKind::Csv => parse_csv(&bytes),
        },
        |e| cannot_read(&e),
    )
}

/// CTID's `Techniques.json`: an array of techniques with `tid`, `prevalence_score`,
/// `choke_point_score` and `actionability_score`.
fn parse_ctid(bytes: &[u8]) -> Result<Vec<(String, Weight)>, (String, String)> {
    let list: Vec<CtidTechnique> = serde_json::from_slice(bytes).map_err(|e| {
        (
            format!("not CTID's Top ATT&CK Techniques format: {e}"),
            String::from(
                "kind ctid-top-techniques reads Techniques.json of CTID's top-attack-techniques (an array of {tid, prevalence_score, choke_point_score, actionability_score})",
            ),
        )
    })?;
    Ok(list
        .into_iter()
        .map(|t| {
            let a = t.actionability_score;
            let actionability = a.combined_score.or(match (a.detection_score, a.mitigation_score) {
                (Some(d), Some(m)) => Some(d.max(m)),
                (d, m) => d.or(m),
            });
            let weight = Weight::Ctid {
                prevalence: t.prevalence_score,
                choke_point: t.choke_point_score,
                actionability,
                written: None,
            };
            (t.tid, weight)
        })
        .collect())
}

/// A team CSV with a `technique,weight,reason` header (reason may be empty).
fn parse_csv(bytes: &[u8]) -> Result<Vec<(String, Weight)>, (String, String)> {
    let help = || {
        String::from("a weights CSV has the header technique,weight,reason and a weight of 0 or more per row")
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers = reader.headers().map_err(|e| (format!("not a CSV: {e}"), help()))?.clone();
    for wanted in ["technique", "weight"] {
        if !headers.iter().any(|h| h == wanted) {
            return Err((
                format!(
                    "its header has no `{wanted}` column (it has: {})",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
                help(),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| (format!("not a CSV: {e}"), help()))?;
        let line = record.position().map_or(0, csv::Position::line);
        let row: TeamRow =
            record.deserialize(Some(&headers)).map_err(|e| (format!("line {line}: {e}"), help()))?;
        if row.technique.is_empty() {
            return Err((format!("line {line}: no technique"), help()));
        }
        let weight =
            row.weight.parse::<f64>().ok().filter(|w| w.is_finite() && *w >= 0.0).ok_or_else(|| {
                (format!("line {line}: weight `{}` is not a number of 0 or more", row.weight), help())
            })?;
        rows.push((
            row.technique,
            Weight::Team { weight, reason: row.reason.unwrap_or_default(), written: None },
        ));
    }
    Ok(rows)
}

/// Carries each written ID to the pinned release. An entry written with the pinned ID wins over
/// one remapped onto it; otherwise the first entry wins. Returns the notes saying what moved.
fn bind(kb: &KnowledgeBase, rows: Vec<(String, Weight)>) -> (BTreeMap<TechniqueIdx, Weight>, Vec<String>) {
    let mut direct = BTreeMap::new();
    let mut remapped: Vec<(TechniqueIdx, Weight)> = Vec::new();
    let mut moved = Vec::new();
    let mut dropped = Vec::new();
    let mut twice = Vec::new();
    for (written, weight) in rows {
        let id = written.trim();
        let targets: Vec<TechniqueIdx> = match kb.technique(id) {
            Some(t) if kb[t].status == Status::Active => {
                match direct.entry(t) {
                    Entry::Vacant(slot) => {
                        slot.insert(weight);
                    }
                    Entry::Occupied(_) => twice.push(id.to_owned()),
                }
                continue;
            }
            Some(t) => match kb[t].revoked_by.filter(|r| kb[*r].is_active()) {
                Some(next) => vec![next],
                None => {
                    dropped.push(format!("{id} (deprecated)"));
                    continue;
                }
            },
            None => match kb.translate(id) {
                Some(Foreign::Translated { techniques, .. }) => techniques,
                Some(Foreign::New { release }) => {
                    dropped.push(format!("{id} (new in {release})"));
                    continue;
                }
                None => {
                    dropped.push(format!("{id} (unknown)"));
                    continue;
                }
            },
        };
        let names: Vec<&str> = targets.iter().map(|t| kb[*t].id.as_str()).collect();
        moved.push(format!("{id} → {}", names.join(", ")));
        for t in targets {
            remapped.push((t, with_written(weight.clone(), id)));
        }
    }
    let mut shadowed = Vec::new();
    for (t, weight) in remapped {
        if direct.contains_key(&t) {
            shadowed.push(format!("{} (as {})", kb[t].id, written_of(&weight)));
            continue;
        }
        direct.insert(t, weight);
    }
    let mut notes = Vec::new();
    if !moved.is_empty() {
        notes.push(format!("{} ID(s) remapped to the pinned release: {}", moved.len(), moved.join(", ")));
    }
    if !shadowed.is_empty() {
        notes.push(format!(
            "{} remapped ID(s) ignored because the file also weighs their replacement: {}",
            shadowed.len(),
            shadowed.join(", ")
        ));
    }
    if !dropped.is_empty() {
        notes.push(format!("{} ID(s) weigh nothing here: {}", dropped.len(), dropped.join(", ")));
    }
    if !twice.is_empty() {
        notes.push(format!("{} ID(s) listed twice, the first row kept: {}", twice.len(), twice.join(", ")));
    }
    (direct, notes)
}

fn with_written(weight: Weight, id: &str) -> Weight {
    match weight {
        Weight::Ctid { prevalence, choke_point, actionability, .. } => {
            Weight::Ctid { prevalence, choke_point, actionability, written: Some(id.to_owned()) }
        }
        Weight::Team { weight, reason, .. } => Weight::Team { weight, reason, written: Some(id.to_owned()) },
    }
}

fn written_of(weight: &Weight) -> &str {
    match weight {
        Weight::Ctid { written, .. } | Weight::Team { written, .. } => written.as_deref().unwrap_or(""),
    }
}
