//! Gap priority: a documented, explainable score. Every point a gap receives comes with a
//! sentence saying why, so the plan can say why each gap sits where it sits.
//!
//! | input | points |
//! |---|---|
//! | threat: each unit of weight of the actors using it | 10 |
//! | exposure: each critical asset on one of its platforms | 8 |
//! | exposure: each high-criticality asset on one of its platforms | 4 |
//! | tactic: each of its tactics whose target is not met | 5 |
//! | tactic: each of its other tactics below the overall target (without one: the overall coverage) | 3 |
//! | promise: listed in `targets.must_cover` | 20 |
//! | feasibility: ATT&CK has analytics for it | 2 |
//! | feasibility: all the data those need is collected (quick win) | 5 |
//! | feasibility: some of it is collected | 2 |
//! | emulation: its tests ran undetected (mapped rules did not fire) | 25 |
//!
//! With `priority.weights` (opt-in), each source adds its own term:
//!
//! | input | points |
//! |---|---|
//! | CTID Top ATT&CK Techniques: prevalence (0 to 1) | 20 × prevalence, rounded |
//! | CTID Top ATT&CK Techniques: choke point (0 to 1) | 10 × choke point, rounded |
//! | CTID Top ATT&CK Techniques: actionability below 0.2 (little to detect or mitigate it with) | −15 |
//! | team CSV: weight (0 or more) | 10 × weight, rounded |
//!
//! With `mappings-explorer` sources (security controls as evidence):
//!
//! | input | points |
//! |---|---|
//! | exposure: a known exploited vulnerability the team has (CISA KEV) enables it | 15 |
//! | protection: a selected capability protects it (partial or significant) | −10 |
//!
//! A technique a source does not cover has no weight from it (said so in its reasons), which is
//! not a weight of 0. A score never drops below 0.
//!
//! Ties are broken by actor weight, then by technique ID.

use crate::assessment::{DetectionGuidance, Effort};
use crate::resolve::weights::Weight;

/// Points per unit of actor weight.
pub const THREAT: u32 = 10;
/// Points per critical asset exposed.
pub const CRITICAL_ASSET: u32 = 8;
/// Points per high-criticality asset exposed.
pub const HIGH_ASSET: u32 = 4;
/// Points per tactic whose target fails.
pub const FAILING_TACTIC: u32 = 5;
/// Points per tactic without a target of its own below the overall target (or, in a model
/// without one, the overall coverage).
pub const WEAK_TACTIC: u32 = 3;
/// Points for a must-cover technique.
pub const MUST_COVER: u32 = 20;
/// Points when ATT&CK has analytics.
pub const HAS_ANALYTICS: u32 = 2;
/// Points when every needed log source is collected.
pub const QUICK_WIN: u32 = 5;
/// Points when some needed log sources are collected.
pub const SOME_DATA: u32 = 2;
/// Points when emulation ran undetected.
pub const FAILED_VALIDATION: u32 = 25;

/// Points per unit of CTID prevalence.
pub const PREVALENCE: u32 = 20;
/// Points per unit of CTID choke-point score.
pub const CHOKE_POINT: u32 = 10;
/// Points taken from a gap whose CTID actionability is below [`ACTIONABLE_AT`].
pub const LOW_ACTIONABILITY: u32 = 15;
/// The CTID actionability below which a SOC has little to detect or mitigate a technique with.
pub const ACTIONABLE_AT: f64 = 0.2;
/// Points per unit of a team CSV weight.
pub const TEAM_WEIGHT: u32 = 10;
/// Points when a known exploited vulnerability of the team's enables the technique.
pub const EXPOSED: u32 = 15;
/// Points taken from a gap a selected control protects.
pub const PROTECTED: u32 = 10;

/// What the score of one gap is computed from.
#[derive(Debug)]
pub struct PriorityInputs<'a> {
    /// Names of the actors using it and the sum of their weights.
    pub actors: &'a [String],
    /// Sum of their weights.
    pub actor_weight: u32,
    /// Critical assets exposed.
    pub critical_assets: Vec<&'a str>,
    /// High-criticality assets exposed.
    pub high_assets: Vec<&'a str>,
    /// Its tactics whose target fails (names).
    pub failing_tactics: Vec<&'a str>,
    /// Its tactics without a target of their own that are priority gaps (names, with their
    /// coverage).
    pub weak_tactics: Vec<(&'a str, f64)>,
    /// What those are below, as the report says it (`below the 80% overall target`).
    pub weak_against: String,
    /// Whether it is in `targets.must_cover`.
    pub must_cover: bool,
    /// ATT&CK's detection guidance.
    pub guidance: &'a DetectionGuidance,
    /// When emulation ran undetected: the titles of the mapped rules that did not fire.
    pub failed_validation: Option<Vec<String>>,
    /// One entry per `priority.weights` source: its label and the technique's weight in it
    /// (`None`: the source does not cover it).
    pub weights: Vec<(&'a str, Option<&'a Weight>)>,
    /// The CVEs of the team's that enable it (known exploited).
    pub exposed_by: &'a [String],
    /// The selected capabilities protecting it (`AWS WAF (significant)`).
    pub protected_by: Vec<String>,
}

/// The score and the reasons behind it.
pub fn score(inputs: &PriorityInputs<'_>) -> (u32, Vec<String>) {
    let mut score = 0;
    let mut reasons = Vec::new();
    let mut add = |points: u32, reason: String| {
        if points > 0 {
            score += points;
            reasons.push(format!("{reason}: +{points}"));
        }
    };
    let names = inputs.actors.join(", ");
    let plural = if inputs.actors.len() == 1 { "" } else { "s" };
    add(
        inputs.actor_weight * THREAT,
        format!("used by {names} (actor{plural} weighing {} in all)", inputs.actor_weight),
    );
    if !inputs.critical_assets.is_empty() {
        add(
            inputs.critical_assets.len() as u32 * CRITICAL_ASSET,
            format!("applies to critical assets: {}", inputs.critical_assets.join(", ")),
        );
    }
    if !inputs.high_assets.is_empty() {
        add(
            inputs.high_assets.len() as u32 * HIGH_ASSET,
            format!("applies to high-criticality assets: {}", inputs.high_assets.join(", ")),
        );
    }
    if !inputs.failing_tactics.is_empty() {
        add(
            inputs.failing_tactics.len() as u32 * FAILING_TACTIC,
            format!("in {}, below its target", inputs.failing_tactics.join(", ")),
        );
    }
    if !inputs.weak_tactics.is_empty() {
        let list: Vec<String> = inputs.weak_tactics.iter().map(|(n, p)| format!("{n} ({p:.1}%)")).collect();
        add(
            inputs.weak_tactics.len() as u32 * WEAK_TACTIC,
            format!("in {}, {}", list.join(", "), inputs.weak_against),
        );
    }
    if inputs.must_cover {
        add(MUST_COVER, String::from("listed in targets.must_cover"));
    }
    if let Some(rules) = &inputs.failed_validation {
        let which = if rules.is_empty() {
            String::new()
        } else {
            format!("; mapped rules that did not fire: {}", rules.join("; "))
        };
        add(FAILED_VALIDATION, format!("emulation ran undetected{which}"));
    }
    if !inputs.exposed_by.is_empty() {
        const SHOWN: usize = 5;
        let mut cves: Vec<&str> = inputs.exposed_by.iter().take(SHOWN).map(String::as_str).collect();
        let more = inputs.exposed_by.len().saturating_sub(SHOWN);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        cves.sort_unstable();
        add(
            EXPOSED,
            format!(
                "exposed: known exploited {}{more} enable{} it",
                cves.join(", "),
                if inputs.exposed_by.len() == 1 { "s" } else { "" }
            ),
        );
    }
    let g = inputs.guidance;
    let analytics = g.analytics.len();
    let mut feasibility = 0;
    let mut words = Vec::new();
    if analytics > 0 {
        feasibility += HAS_ANALYTICS;
        words.push(format!("{analytics} ATT&CK analytic{}", if analytics == 1 { "" } else { "s" }));
    }
    match g.effort {
        Effort::Low => {
            feasibility += QUICK_WIN;
            words.push(format!("{} already collected (quick win)", g.collected.join(", ")));
        }
        Effort::Medium => {
            feasibility += SOME_DATA;
            words.push(format!("{} already collected, more needed", g.collected.join(", ")));
        }
        Effort::High if g.data_sources.is_empty() => words.push(String::from("no ATT&CK detection guidance")),
        Effort::High => words.push(format!("needs new telemetry: {}", g.data_sources.join(", "))),
    }
    if feasibility > 0 {
        add(feasibility, words.join("; "));
    } else {
        reasons.push(format!("{}: +0", words.join("; ")));
    }
    let mut penalty = 0;
    if !inputs.protected_by.is_empty() {
        penalty += PROTECTED;
        reasons.push(format!(
            "protected by {}: a control already blocks it, detection is defence in depth: −{PROTECTED}",
            inputs.protected_by.join(", ")
        ));
    }
    for (label, weight) in &inputs.weights {
        let (points, reason, minus) = weight_term(label, *weight);
        score += points;
        penalty += minus;
        reasons.extend(reason);
    }
    (score.saturating_sub(penalty), reasons)
}

/// One weight source's points, its reason lines, and the points it takes away.
fn weight_term(label: &str, weight: Option<&Weight>) -> (u32, Vec<String>, u32) {
    let as_written =
        |written: &Option<String>| written.as_ref().map(|w| format!(" (as {w})")).unwrap_or_default();
    match weight {
        None => (0, vec![format!("no weight in {label}: it does not cover this technique")], 0),
        Some(Weight::Ctid { prevalence, choke_point, actionability, written }) => {
            let points = scaled(*prevalence, PREVALENCE) + scaled(*choke_point, CHOKE_POINT);
            let acting = actionability.map_or_else(
                || String::from("actionability not scored"),
                |a| format!("actionability {}", number(a)),
            );
            let mut reasons = vec![format!(
                "prevalence {}, choke point {}, {acting} — {label}{}: +{points}",
                number(*prevalence),
                number(*choke_point),
                as_written(written)
            )];
            let mut minus = 0;
            if let Some(a) = actionability.filter(|a| *a < ACTIONABLE_AT) {
                minus = LOW_ACTIONABILITY;
                reasons.push(format!(
                    "low actionability {} (below {}): {label} finds little a SOC can detect or mitigate it with: −{minus}",
                    number(a),
                    number(ACTIONABLE_AT)
                ));
            }
            (points, reasons, minus)
        }
        Some(Weight::Team { weight, reason, written }) => {
            let points = scaled(*weight, TEAM_WEIGHT);
            let why = if reason.is_empty() { String::new() } else { format!(" — {reason}") };
            (
                points,
                vec![format!("weight {} in {label}{}{why}: +{points}", number(*weight), as_written(written))],
                0,
            )
        }
    }
}

/// `x × per`, rounded half away from zero (x is 0 or more).
fn scaled(x: f64, per: u32) -> u32 {
    let points = (x * f64::from(per)).round();
    if points.is_finite() && points > 0.0 { points.min(f64::from(u32::MAX / 4)) as u32 } else { 0 }
}

/// A weight as reasons print it: at most two decimals, no trailing zeros (`0.6`, `0.87`, `3`).
fn number(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { String::from("0") } else { text.to_owned() }
}
