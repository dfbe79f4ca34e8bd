//! ATT&CK Navigator layers (layer format 4.5) from the assessment: one TTP profile per actor,
//! one for all actors (score = weighted number of actors), the coverage layer (score = rule
//! count, 1 partial #a1d99b, 2+ strong #31a354) and the gap layer (covered green, gap red,
//! accepted grey).
//!
//! Navigator refuses layers from a navigator version below 4.9.0 and drops metadata with empty
//! values, so neither is ever written; every technique entry carries a non-empty tactic.
//!
//! Every annotated technique stays visible, in the Navigator and in mitreattack-python's Excel
//! and SVG exports: the platform filter lists the scope's platforms plus every platform of the
//! layer's techniques (`PRE` for Reconnaissance and Resource Development) and is left out when it
//! would be empty (ICS) or unknowable; the parent of an annotated sub-technique carries
//! `showSubtechniques: true`, with an entry of its own when it has none. Scores mean the same in
//! every layer — the technique's counted rules under the model's sub-technique policy — and each
//! gradient spans its layer's scores. A layer's name is at most 31 characters without the
//! characters Excel refuses in a sheet title (mitreattack-python derives sheet titles from it);
//! the full title opens the description.
//!
//! With telemetry in the model, two more: the visibility layer (what the collected log sources
//! let one see of each actor technique) and the visibility-minus-detection layer (the gaps that
//! are visible, not detected).

use serde::Serialize;

use crate::assessment::{Assessment, State, TechniqueAssessment};

/// Navigator version written into layers.
pub const NAVIGATOR_VERSION: &str = "5.1.0";
/// Layer format version.
pub const LAYER_VERSION: &str = "4.5";

/// Colour of partial coverage (1 rule).
pub const PARTIAL: &str = "#a1d99b";
/// Colour of strong coverage (2+ rules).
pub const STRONG: &str = "#31a354";
/// Colour of a gap.
pub const GAP: &str = "#e34a33";
/// Colour of an accepted risk.
pub const ACCEPTED: &str = "#bdbdbd";
/// Colour of an actor technique in a profile layer.
pub const PROFILE: &str = "#fc8d59";

/// A Navigator layer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Layer {
    name: String,
    versions: Versions,
    domain: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    filters: Option<Filters>,
    sorting: u8,
    layout: Layout,
    hide_disabled: bool,
    techniques: Vec<Entry>,
    gradient: Gradient,
    legend_items: Vec<LegendItem>,
    metadata: Vec<Metadata>,
    links: Vec<Link>,
    show_tactic_row_background: bool,
    tactic_row_background: String,
    select_techniques_across_tactics: bool,
    select_subtechniques_with_parent: bool,
    select_visible_techniques: bool,
}

#[derive(Debug, Serialize)]
struct Versions {
    attack: String,
    navigator: String,
    layer: String,
}

#[derive(Debug, Serialize)]
struct Filters {
    platforms: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Layout {
    layout: String,
    aggregate_function: String,
    show_i_d: bool,
    show_name: bool,
    show_aggregate_scores: bool,
    count_unscored: bool,
    expanded_subtechniques: String,
}

/// One technique in one tactic.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "techniqueID")]
    technique_id: String,
    tactic: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<u32>,
    color: String,
    comment: String,
    enabled: bool,
    metadata: Vec<Metadata>,
    links: Vec<Link>,
    show_subtechniques: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Gradient {
    colors: Vec<String>,
    min_value: u32,
    max_value: u32,
}

#[derive(Debug, Serialize)]
struct LegendItem {
    label: String,
    color: String,
}

#[derive(Debug, Serialize)]
struct Metadata {
    name: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct Link {
    label: String,
    url: String,
}

/// Layer files to write: (file name, layer).
pub fn layers(a: &Assessment) -> Vec<(String, Layer)> {
    let mut out = Vec::new();
    for actor in &a.actors {
        let entries = actor
            .techniques
            .iter()
            .filter_map(|at| a.technique(&at.id).map(|t| (t, at)))
            .flat_map(|(t, at)| {
                entries(
                    t,
                    Some(1),
                    PROFILE,
                    format!("{} — via {}", actor.name, at.via.join("; ")),
                    vec![meta("via", at.via.join("; "))],
                )
            })
            .collect();
        out.push((
            format!("actor-{}.json", slug(&actor.name)),
            layer(
                a,
                format!("{} ({}) — TTP profile", actor.name, actor.id),
                format!(
                    "Techniques {} ({}) is known to use, from ATT&CK {}.",
                    actor.name, actor.id, a.model.attack_version
                ),
                entries,
                gradient(&["#ffffff", PROFILE], 1),
                vec![legend("used by the actor", PROFILE)],
            ),
        ));
    }

    let max_weight = a.techniques.iter().map(|t| t.actor_weight).max().unwrap_or(1).max(1);
    let all = a
        .techniques
        .iter()
        .filter(|t| !t.actors.is_empty())
        .flat_map(|t| {
            entries(
                t,
                Some(t.actor_weight),
                "",
                format!("used by {}", t.actors.join(", ")),
                vec![meta("actors", t.actors.join(", "))],
            )
        })
        .collect();
    out.push((
        String::from("all-actors.json"),
        layer(
            a,
            format!("All actors — {}", a.model.name),
            String::from(
                "Techniques of all the model's actors; score = sum of the weights of the actors using it.",
            ),
            all,
            gradient(&["#fee8c8", "#e34a33"], max_weight),
            Vec::new(),
        ),
    ));

    // The coverage layer: every technique with counted rules. An assessed technique's score is
    // the one every other output uses (sub-technique rules count towards a parent an actor uses,
    // parent rules towards sub-techniques under `parent_covers_subtechniques`); elsewhere the
    // rules mapped to the technique itself.
    let strong_at = a.semantics.strong_at;
    let mut scored: Vec<(&str, &[String], u32)> = a
        .rule_coverage
        .iter()
        .filter(|r| a.technique(&r.id).is_none())
        .map(|r| (r.id.as_str(), r.tactics.as_slice(), r.rules))
        .collect();
    scored.extend(
        a.techniques
            .iter()
            .filter(|t| t.score > 0 && t.state != State::OutOfScope)
            .map(|t| (t.id.as_str(), t.tactics.as_slice(), t.score)),
    );
    scored.sort_by(|x, y| x.0.cmp(y.0));
    let max_rules = scored.iter().map(|s| s.2).max().unwrap_or(1).max(1);
    let coverage = scored
        .iter()
        .flat_map(|(id, tactics, rules)| {
            let color = if *rules >= strong_at { STRONG } else { PARTIAL };
            coverage_entries(id, tactics, *rules, color)
        })
        .collect();
    out.push((
        String::from("coverage.json"),
        layer(
            a,
            format!("Coverage — {}", a.model.name),
            format!(
                "Counted detection rules per technique (score = rule count under the model's sub-technique policy; 1 partial, {strong_at}+ strong)."
            ),
            coverage,
            gradient(&["#ffffff", PARTIAL, STRONG], max_rules),
            vec![
                legend("partial (1 rule)", PARTIAL),
                legend(&format!("strong ({strong_at}+ rules)"), STRONG),
            ],
        ),
    ));

    let gaps = a
        .techniques
        .iter()
        .filter(|t| !t.actors.is_empty() && t.state != State::OutOfScope)
        .flat_map(|t| {
            let (color, what) = match t.state {
                State::Strong | State::Partial => (STRONG, "covered"),
                State::Accepted => (ACCEPTED, "accepted risk"),
                _ => (GAP, "gap"),
            };
            let rules: Vec<String> = t.rules.iter().map(|r| r.title.clone()).collect();
            let mut comment = format!("{what}; used by {}", t.actors.join(", "));
            if !rules.is_empty() {
                comment.push_str(&format!("; rules: {}", rules.join("; ")));
            }
            if let Some(p) = &t.priority {
                comment.push_str(&format!("; priority {} (#{})", p.score, p.rank));
            }
            let mut metadata = vec![meta("state", what.to_owned()), meta("actors", t.actors.join(", "))];
            metadata.push(meta("rules", rules.join("; ")));
            entries(t, Some(t.score), if what == "covered" { STRONG } else { color }, comment, metadata)
        })
        .collect();
    if let Some(layer) = validation_layer(a) {
        out.push((String::from("validation.json"), layer));
    }
    out.extend(visibility_layers(a));
    out.extend(protection_layer(a));
    let gaps: Vec<Entry> = gaps;
    let max_gap_score = gaps.iter().filter_map(|e| e.score).max().unwrap_or(1).max(1);
    out.push((
        String::from("gaps.json"),
        layer(
            a,
            format!("Gaps — {}", a.model.name),
            String::from("The actors' techniques: covered (green), gaps (red), accepted risks (grey); score = counted rules."),
            gaps,
            gradient(&["#ffffff", STRONG], max_gap_score),
            vec![legend("covered", STRONG), legend("gap", GAP), legend("accepted risk", ACCEPTED)],
        ),
    ));
    out
}

/// Colour of a technique a selected control protects but no rule detects.
pub const PROTECTED: &str = "#3182bd";
/// Colour of a technique both detected and protected.
pub const DETECTED_AND_PROTECTED: &str = "#006d2c";

/// The detected-or-protected layer (with `mappings-explorer` sources only): every technique of
/// the actors by whether a counted rule detects it and a selected control protects it; score 2
/// for both, 1 for one, 0 for neither. The comment names the protecting capabilities.
fn protection_layer(a: &Assessment) -> Option<(String, Layer)> {
    a.overall.protection?;
    let entries_of = a
        .techniques
        .iter()
        .filter(|t| !t.actors.is_empty() && t.state != State::OutOfScope && t.state != State::Accepted)
        .flat_map(|t| {
            let detected = t.state.is_covered();
            let protected = t.protected == Some(true);
            let (color, score, what) = match (detected, protected) {
                (true, true) => (DETECTED_AND_PROTECTED, 2, "detected and protected"),
                (true, false) => (STRONG, 1, "detected"),
                (false, true) => (PROTECTED, 1, "protected"),
                (false, false) => (GAP, 0, "neither detected nor protected"),
            };
            let by: Vec<String> = t
                .controls
                .iter()
                .filter(|c| c.protects())
                .map(crate::assessment::ControlRef::named)
                .collect();
            let mut comment = what.to_owned();
            if !by.is_empty() {
                comment.push_str(&format!("; protected by {}", by.join(", ")));
            }
            if !t.exposed_by.is_empty() {
                comment.push_str(&format!("; exposed by {}", t.exposed_by.join(", ")));
            }
            entries(
                t,
                Some(score),
                color,
                comment,
                vec![meta("state", what.to_owned()), meta("protected by", by.join(", "))],
            )
        })
        .collect();
    Some((
        String::from("protection.json"),
        layer(
            a,
            format!("Detected or protected — {}", a.model.name),
            String::from(
                "The actors' techniques by detection (counted rules) and protection (a protect mapping, partial or significant, of a selected capability); score 2 both, 1 one, 0 neither.",
            ),
            entries_of,
            gradient(&["#ffffff", DETECTED_AND_PROTECTED], 2),
            vec![
                legend("detected and protected", DETECTED_AND_PROTECTED),
                legend("detected", STRONG),
                legend("protected", PROTECTED),
                legend("neither", GAP),
            ],
        ),
    ))
}

/// Colour of a technique whose analytics' log sources are all collected.
pub const VISIBLE: &str = "#31a354";
/// Colour of a technique some of whose analytics' log sources are collected.
pub const PARTLY_VISIBLE: &str = "#a1d99b";
/// Colour of a technique none of whose analytics' log sources is collected.
pub const NOT_VISIBLE: &str = "#e34a33";
/// Colour of a technique ATT&CK gives no analytics for.
pub const VISIBILITY_UNKNOWN: &str = "#d9d9d9";
/// Colour of a gap that is visible: the quick wins.
pub const VISIBLE_GAP: &str = "#f0e442";
/// Colour of a gap that is partly visible.
pub const PARTLY_VISIBLE_GAP: &str = "#fee391";

/// The visibility layer (every technique of the actors by what the collected telemetry lets one
/// see, DeTT&CT-style) and the visibility-minus-detection layer (gaps the data already shows:
/// where visibility exceeds detection). Only when the model lists telemetry.
fn visibility_layers(a: &Assessment) -> Vec<(String, Layer)> {
    use crate::assessment::Visibility as V;
    let Some(account) = a.telemetry.as_ref().filter(|t| !t.collected.is_empty()) else {
        return Vec::new();
    };
    let collected = account.collected.join(", ");
    let in_play = || a.techniques.iter().filter(|t| !t.actors.is_empty() && t.state != State::OutOfScope);
    let visibility = in_play()
        .filter_map(|t| t.visibility.map(|v| (t, v)))
        .flat_map(|(t, v)| {
            let (color, score) = match v {
                V::Visible => (VISIBLE, 2),
                V::Partial => (PARTLY_VISIBLE, 1),
                V::NotVisible => (NOT_VISIBLE, 0),
                V::Unknown => (VISIBILITY_UNKNOWN, 0),
            };
            let sources = t.detection.data_sources.join(", ");
            let comment = match v {
                V::Unknown => String::from("no ATT&CK analytics"),
                _ => format!(
                    "{}; needs {sources}; collected: {}",
                    v.as_str(),
                    t.detection.collected.join(", ")
                ),
            };
            entries(
                t,
                Some(score),
                color,
                comment,
                vec![meta("visibility", v.as_str().to_owned()), meta("log sources", sources)],
            )
        })
        .collect();
    let minus = in_play()
        .filter(|t| t.state == State::Gap)
        .filter_map(|t| match t.visibility {
            Some(V::Visible) => Some((t, VISIBLE_GAP, "visible, not detected", 2)),
            Some(V::Partial) => Some((t, PARTLY_VISIBLE_GAP, "partly visible, not detected", 1)),
            _ => None,
        })
        .flat_map(|(t, color, what, score)| {
            let mut comment = format!("{what}; log sources: {}", t.detection.data_sources.join(", "));
            if let Some(p) = &t.priority {
                comment.push_str(&format!("; priority {} (#{})", p.score, p.rank));
            }
            entries(t, Some(score), color, comment, vec![meta("state", what.to_owned())])
        })
        .collect();
    vec![
        (
            String::from("visibility.json"),
            layer(
                a,
                format!("Visibility — {}", a.model.name),
                format!(
                    "The actors' techniques by how much of what ATT&CK's analytics read is collected ({collected}): visible (dark green, 2), partly (light green, 1), not visible (red, 0), no analytics (grey)."
                ),
                visibility,
                gradient(&[NOT_VISIBLE, PARTLY_VISIBLE, VISIBLE], 2),
                vec![
                    legend("visible", VISIBLE),
                    legend("partly visible", PARTLY_VISIBLE),
                    legend("not visible", NOT_VISIBLE),
                    legend("no ATT&CK analytics", VISIBILITY_UNKNOWN),
                ],
            ),
        ),
        (
            String::from("visibility-minus-detection.json"),
            layer(
                a,
                format!("Visible, not detected — {}", a.model.name),
                format!(
                    "Gaps the collected telemetry ({collected}) already shows: visible, not detected (yellow: every log source of the analytics collected, the quick wins) and partly visible (light yellow)."
                ),
                minus,
                gradient(&["#ffffff", PARTLY_VISIBLE_GAP, VISIBLE_GAP], 2),
                vec![
                    legend("visible, not detected", VISIBLE_GAP),
                    legend("partly visible, not detected", PARTLY_VISIBLE_GAP),
                ],
            ),
        ),
    ]
}

/// Colour of a validated technique.
pub const VALIDATED: &str = "#31a354";
/// Colour of a partially validated technique.
pub const PARTIALLY_VALIDATED: &str = "#fdae6b";
/// Colour of a failed validation.
pub const FAILED: &str = "#e34a33";
/// Colour of an untested (or stale) technique.
pub const UNTESTED: &str = "#d9d9d9";

/// The validation layer: techniques covered on paper, validated (green), partially validated
/// (orange), failed (red), untested or stale (grey). Only when emulation results are in.
fn validation_layer(a: &Assessment) -> Option<Layer> {
    use crate::assessment::ValidationState as V;
    let e = a.emulation.as_ref()?;
    e.results.as_ref()?;
    let entries = a
        .techniques
        .iter()
        .filter(|t| !t.actors.is_empty())
        .filter_map(|t| t.validation.as_ref().map(|v| (t, v)))
        .filter(|(t, v)| t.state.is_covered() || v.state == V::Failed)
        .flat_map(|(t, v)| {
            let color = match v.state {
                V::Validated => VALIDATED,
                V::Partial => PARTIALLY_VALIDATED,
                V::Failed => FAILED,
                V::Untested | V::Stale => UNTESTED,
            };
            let last = v.results.first().map(|r| format!("; last run {}", r.date)).unwrap_or_default();
            entries(
                t,
                None,
                color,
                format!("{}{last}", v.state.as_str()),
                vec![meta("validation", v.state.as_str().to_owned())],
            )
        })
        .collect();
    Some(layer(
        a,
        format!("Validation — {}", a.model.name),
        String::from(
            "Covered techniques by emulation result: validated (green), partially (orange), failed — mapped rules did not fire (red), untested or stale (grey).",
        ),
        entries,
        gradient(&["#ffffff", VALIDATED], 1),
        vec![
            legend("validated", VALIDATED),
            legend("partially validated", PARTIALLY_VALIDATED),
            legend("failed validation", FAILED),
            legend("untested or stale", UNTESTED),
        ],
    ))
}

fn layer(
    a: &Assessment,
    name: String,
    description: String,
    techniques: Vec<Entry>,
    gradient: Gradient,
    legend_items: Vec<LegendItem>,
) -> Layer {
    let mut metadata = vec![
        meta("model", a.model.name.clone()),
        meta("ATT&CK", format!("{} {}", a.model.domain, a.model.attack_version)),
        meta("generated by", String::from("ttpc")),
    ];
    if let Some(date) = &a.model.assessed {
        metadata.push(meta("assessed", date.clone()));
    }
    if let Some(owner) = &a.model.owner {
        metadata.push(meta("owner", owner.clone()));
    }
    metadata.retain(|m| !m.value.is_empty());
    let techniques = with_visible_parents(techniques);
    let filters = platform_filter(a, &techniques);
    let description = if sheet_title(&name) == name { description } else { format!("{name}. {description}") };
    Layer {
        name: sheet_title(&name),
        versions: Versions {
            attack: a.model.attack_major.clone(),
            navigator: NAVIGATOR_VERSION.to_owned(),
            layer: LAYER_VERSION.to_owned(),
        },
        domain: a.model.domain.clone(),
        description,
        filters,
        sorting: 0,
        layout: Layout {
            layout: String::from("side"),
            aggregate_function: String::from("average"),
            show_i_d: true,
            show_name: true,
            show_aggregate_scores: false,
            count_unscored: false,
            expanded_subtechniques: String::from("annotated"),
        },
        hide_disabled: false,
        techniques,
        gradient,
        legend_items,
        metadata,
        links: Vec::new(),
        show_tactic_row_background: false,
        tactic_row_background: String::from("#dddddd"),
        select_techniques_across_tactics: true,
        select_subtechniques_with_parent: false,
        select_visible_techniques: false,
    }
}

/// One entry per tactic of the technique (Navigator places a technique per tactic).
fn entries(
    t: &TechniqueAssessment,
    score: Option<u32>,
    color: &str,
    comment: String,
    metadata: Vec<Metadata>,
) -> Vec<Entry> {
    let metadata: Vec<(String, String)> =
        metadata.into_iter().filter(|m| !m.value.is_empty()).map(|m| (m.name, m.value)).collect();
    t.tactics
        .iter()
        .filter(|tactic| !tactic.is_empty())
        .map(|tactic| Entry {
            technique_id: t.id.clone(),
            tactic: tactic.clone(),
            score,
            color: color.to_owned(),
            comment: comment.clone(),
            enabled: true,
            metadata: metadata.iter().map(|(n, v)| meta(n, v.clone())).collect(),
            links: Vec::new(),
            show_subtechniques: false,
        })
        .collect()
}

fn coverage_entries(id: &str, tactics: &[String], rules: u32, color: &str) -> Vec<Entry> {
    let entry = |tactic: &str| Entry {
        technique_id: id.to_owned(),
        tactic: tactic.to_owned(),
        score: Some(rules),
        color: color.to_owned(),
        comment: format!("{rules} counted rule{}", if rules == 1 { "" } else { "s" }),
        enabled: true,
        metadata: Vec::new(),
        links: Vec::new(),
        show_subtechniques: false,
    };
    tactics.iter().filter(|t| !t.is_empty()).map(|t| entry(t)).collect()
}

/// At most 31 characters, none of `[]:*?/\\` (Excel's limits for a sheet title, which
/// mitreattack-python's ToExcel derives from the layer name); cut with an ellipsis.
pub fn sheet_title(name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if "[]:*?/\\".contains(c) || c.is_control() { '-' } else { c }).collect();
    let clean = clean.trim().to_owned();
    if clean.chars().count() <= 31 {
        return clean;
    }
    let cut: String = clean.chars().take(30).collect();
    format!("{}…", cut.trim_end())
}

/// The layer's entries, plus for every annotated sub-technique an entry for its parent in the
/// same tactic with `showSubtechniques: true` (an unscored, uncoloured one when the parent has
/// none), so that no viewer hides the sub-technique behind a collapsed parent.
fn with_visible_parents(mut entries: Vec<Entry>) -> Vec<Entry> {
    use std::collections::BTreeSet;
    // Looked up in sets of borrowed pairs: a layer has hundreds of entries, a batch many layers.
    let (shown, missing): (Vec<usize>, Vec<(String, String)>) = {
        fn pair(e: &Entry) -> (&str, &str) {
            (e.technique_id.as_str(), e.tactic.as_str())
        }
        let wanted: BTreeSet<(&str, &str)> = entries
            .iter()
            .filter_map(|e| e.technique_id.split_once('.').map(|(p, _)| (p, e.tactic.as_str())))
            .collect();
        let present: BTreeSet<(&str, &str)> = entries.iter().map(pair).collect();
        let shown = (0..entries.len()).filter(|&i| wanted.contains(&pair(&entries[i]))).collect();
        let missing = wanted.difference(&present).map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect();
        (shown, missing)
    };
    for i in shown {
        entries[i].show_subtechniques = true;
    }
    for (parent, tactic) in missing {
        entries.push(Entry {
            technique_id: parent,
            tactic,
            score: None,
            color: String::new(),
            comment: String::new(),
            enabled: true,
            metadata: Vec::new(),
            links: Vec::new(),
            show_subtechniques: true,
        });
    }
    entries
}

/// The platforms in scope plus every platform of the layer's techniques, so the filter hides none
/// of them; `None` (no filter: every platform) when that is empty, when a technique of the layer
/// has no platforms (ICS has some), or when a technique of the layer is not in the assessment and
/// its platforms are unknown.
fn platform_filter(a: &Assessment, entries: &[Entry]) -> Option<Filters> {
    // Sorted and deduplicated as borrowed names; copied once at the end.
    let mut platforms: std::collections::BTreeSet<&str> =
        a.semantics.scope_platforms.iter().map(String::as_str).collect();
    for e in entries {
        let t = a.technique(&e.technique_id);
        match t {
            // A technique without platforms (some ICS ones) shows under no platform filter at all.
            Some(t) if t.platforms.is_empty() => return None,
            Some(t) => platforms.extend(t.platforms.iter().map(String::as_str)),
            None if e.score.is_none() && e.technique_id.len() == 5 => {} // an added parent entry
            None => return None,
        }
    }
    let platforms: Vec<String> = platforms.into_iter().map(str::to_owned).collect();
    (!platforms.is_empty()).then_some(Filters { platforms })
}

fn gradient(colors: &[&str], max: u32) -> Gradient {
    Gradient { colors: colors.iter().map(|c| (*c).to_owned()).collect(), min_value: 0, max_value: max }
}

fn legend(label: &str, color: &str) -> LegendItem {
    LegendItem { label: label.to_owned(), color: color.to_owned() }
}

fn meta(name: &str, value: String) -> Metadata {
    Metadata { name: name.to_owned(), value }
}

/// `Lazarus Group` → `lazarus-group`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-').to_owned();
    if trimmed.is_empty() { String::from("actor") } else { trimmed }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_actor_name_cannot_become_a_path() {
        // Layer and script names are slugs of ATT&CK names: never a separator or `..`.
        for name in ["../../etc/passwd", "/abs", "a/b\\c", "..", ""] {
            let slug = super::slug(name);
            assert!(
                !slug.is_empty() && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{name} → {slug}"
            );
        }
    }
}
