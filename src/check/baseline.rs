//! Comparing two assessments (a pull request's base and head): coverage per actor and tactic,
//! techniques newly covered or uncovered with the rules that appeared or disappeared, new gaps,
//! target verdicts that changed, validation states that changed — and the
//! `no_drop_from_baseline` verdict.

use std::collections::{BTreeMap, BTreeSet};

use miette::Diagnostic;
use thiserror::Error;

use crate::assessment::{
    Assessment, Comparison, Delta, FORMAT, State, TargetKind, TechniqueAssessment, TechniqueChange,
    ValidationChange, Verdict, VerdictChange,
};

/// A baseline file that cannot be used.
#[derive(Debug, Error, Diagnostic)]
pub enum BaselineError {
    /// Cannot read it.
    #[error("cannot read the baseline {}: {message}", path.display())]
    #[diagnostic(
        code(ttpc::baseline::unreadable),
        help("a baseline is the assessment.json of an earlier `ttpc compile`")
    )]
    Unreadable {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Another assessment format.
    #[error("the baseline {} is assessment format {found}; this ttpc writes format {FORMAT}", path.display())]
    #[diagnostic(code(ttpc::baseline::format), help("compile the base again with this ttpc"))]
    Format {
        /// The file.
        path: std::path::PathBuf,
        /// The format found.
        found: u32,
    },
}

/// Reads an assessment written by `ttpc compile`.
pub fn read(path: &std::path::Path) -> Result<Assessment, BaselineError> {
    let unreadable = |message: String| BaselineError::Unreadable { path: path.to_owned(), message };
    let limit = crate::limits::current().max_file_bytes;
    let bytes = crate::limits::read_capped(path, limit).map_err(|e| unreadable(e.to_string()))?;
    let probe: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
    let format = probe.get("format").and_then(serde_json::Value::as_u64).unwrap_or(0) as u32;
    if format != FORMAT {
        return Err(BaselineError::Format { path: path.to_owned(), found: format });
    }
    serde_json::from_value(probe).map_err(|e| unreadable(e.to_string()))
}

fn rules_of(t: Option<&TechniqueAssessment>) -> BTreeSet<String> {
    t.map(|t| t.rules.iter().map(|r| format!("{} ({})", r.title, r.source)).collect()).unwrap_or_default()
}

fn state(t: Option<&TechniqueAssessment>) -> String {
    t.map_or_else(|| String::from("none"), |t| t.state.as_str().to_owned())
}

/// Compares two assessments.
pub fn compare(base: &Assessment, head: &Assessment) -> Comparison {
    let mut actor_ids: Vec<(String, String)> =
        head.actors.iter().map(|a| (a.id.clone(), a.name.clone())).collect();
    for a in &base.actors {
        if !actor_ids.iter().any(|(id, _)| *id == a.id) {
            actor_ids.push((a.id.clone(), a.name.clone()));
        }
    }
    let actors = actor_ids
        .iter()
        .map(|(id, name)| {
            let find = |x: &Assessment| x.actors.iter().find(|a| &a.id == id).map(|a| a.coverage);
            Delta::new(name, find(base).as_ref(), find(head).as_ref())
        })
        .collect();
    let tactics = head
        .tactics
        .iter()
        .map(|t| {
            let before = base.tactics.iter().find(|b| b.shortname == t.shortname).map(|b| b.coverage);
            Delta::new(&t.name, before.as_ref(), Some(&t.coverage))
        })
        .filter(|d| d.changed())
        .collect();

    let ids: BTreeSet<&str> = base.techniques.iter().chain(&head.techniques).map(|t| t.id.as_str()).collect();
    let (mut newly_covered, mut newly_uncovered, mut new_gaps, mut rules_changed, mut validation) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for id in ids {
        let (b, h) = (base.technique(id), head.technique(id));
        let in_profile = |t: Option<&TechniqueAssessment>| t.is_some_and(|t| !t.actors.is_empty());
        if !in_profile(b) && !in_profile(h) {
            continue;
        }
        let covered = |t: Option<&TechniqueAssessment>| t.is_some_and(|t| t.state.is_covered());
        let gap = |t: Option<&TechniqueAssessment>| t.is_some_and(|t| t.state == State::Gap);
        let (rb, rh) = (rules_of(b), rules_of(h));
        let either = h.or(b);
        let change = || TechniqueChange {
            id: id.to_owned(),
            name: either.map(|t| t.name.clone()).unwrap_or_default(),
            actors: either.map(|t| t.actors.clone()).unwrap_or_default(),
            from: state(b),
            to: state(h),
            rules_added: rh.difference(&rb).cloned().collect(),
            rules_removed: rb.difference(&rh).cloned().collect(),
        };
        match (covered(b), covered(h)) {
            (false, true) => newly_covered.push(change()),
            (true, false) => newly_uncovered.push(change()),
            (true, true) if rb != rh => rules_changed.push(change()),
            (false, false) if gap(h) && !gap(b) && in_profile(h) => new_gaps.push(change()),
            _ => {}
        }
        let v = |t: Option<&TechniqueAssessment>| {
            t.and_then(|t| t.validation.as_ref()).map(|v| v.state.as_str().to_owned())
        };
        if let (Some(from), Some(to)) = (v(b), v(h))
            && from != to
        {
            validation.push(ValidationChange {
                id: id.to_owned(),
                name: either.map(|t| t.name.clone()).unwrap_or_default(),
                from,
                to,
            });
        }
    }

    // Every verdict that changed, and every verdict failing in the head whether it changed or
    // not (the reader of a failed check must see why it failed). The baseline verdict is about
    // this comparison itself: it has no counterpart in the base, so it shows as new.
    let key = |v: &Verdict| (v.kind, v.target.clone());
    let judged = |v: &&Verdict| v.kind != TargetKind::NoDropFromBaseline;
    let before: BTreeMap<(TargetKind, String), &Verdict> =
        base.verdicts.iter().filter(judged).map(|v| (key(v), v)).collect();
    let after: BTreeMap<(TargetKind, String), &Verdict> =
        head.verdicts.iter().filter(|v| judged(v) || !v.pass).map(|v| (key(v), v)).collect();
    let mut verdicts = Vec::new();
    for (k, h) in &after {
        let b = before.get(k);
        if b.is_none_or(|b| b.pass != h.pass) || !h.pass {
            verdicts.push(VerdictChange {
                target: h.target.clone(),
                base: b.map(|b| b.pass),
                head: Some(h.pass),
                expected: h.expected.clone(),
                actual: h.actual.clone(),
            });
        }
    }
    for (k, b) in &before {
        if !after.contains_key(k) {
            verdicts.push(VerdictChange {
                target: b.target.clone(),
                base: Some(b.pass),
                head: None,
                expected: b.expected.clone(),
                actual: b.actual.clone(),
            });
        }
    }

    Comparison {
        model: head.model.name.clone(),
        base_attack: base.model.attack_version.clone(),
        head_attack: head.model.attack_version.clone(),
        overall: Delta::new("overall", Some(&base.overall), Some(&head.overall)),
        actors,
        tactics,
        newly_covered,
        newly_uncovered,
        new_gaps,
        rules_changed,
        verdicts,
        validation,
        drift: head.drift.clone(),
    }
}

/// The `no_drop_from_baseline` verdict: overall coverage may drop by at most `tolerance`
/// percentage points.
pub fn no_drop_verdict(base: &Assessment, head: &Assessment, tolerance: f64) -> Verdict {
    let show = |a: &Assessment| {
        a.overall.percent.map_or_else(
            || String::from("n/a"),
            |p| format!("{p:.1}% ({}/{})", a.overall.covered, a.overall.techniques),
        )
    };
    let expected = match base.overall.percent {
        Some(b) if tolerance > 0.0 => format!("≥ {:.1}% (baseline {b:.1}% − {tolerance} pp)", b - tolerance),
        Some(b) => format!("≥ {b:.1}% (baseline)"),
        None => String::from("n/a (baseline has no coverage)"),
    };
    // One-decimal figures: compare with a hair of slack so 45.6 - 0.0 ≥ 45.6 holds.
    let pass = match (base.overall.percent, head.overall.percent) {
        (Some(b), Some(h)) => h + 1e-9 >= b - tolerance,
        (None, _) => true,
        (Some(_), None) => false,
    };
    Verdict {
        kind: TargetKind::NoDropFromBaseline,
        target: String::from("no drop from baseline"),
        expected,
        actual: show(head),
        pass,
    }
}
