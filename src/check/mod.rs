//! Checking: the finished [`Assessment`] against the model's promises ([`Assessment::targets`],
//! every acceptance) and, when given, a baseline assessment. Each promise becomes a [`Verdict`]
//! {target, expected, actual, pass}; any failed verdict makes `ttpc compile` exit 1, after all
//! outputs are written so the reports show why. This stage reads nothing but assessments.

pub mod baseline;

use crate::assessment::{
    Assessment, Comparison, Coverage, TargetKind, ValidationState, Verdict, trim_number,
};

/// Judges the assessment: sets its verdicts (the baseline's last, when the model asks for one
/// and a baseline is given) and returns the comparison with the baseline.
pub fn check(a: &mut Assessment, baseline: Option<&Assessment>) -> Option<Comparison> {
    a.verdicts = verdicts(a);
    let base = baseline?;
    if let Some(tolerance) = a.targets.no_drop_from_baseline {
        let verdict = baseline::no_drop_verdict(base, a, tolerance);
        a.verdicts.push(verdict);
    }
    Some(baseline::compare(base, a))
}

/// Judges every target of the model against the assessment, in the model's order.
pub fn verdicts(a: &Assessment) -> Vec<Verdict> {
    let t = &a.targets;
    let mut out = Vec::new();

    if let Some(target) = t.overall {
        out.push(coverage_verdict(TargetKind::Overall, String::from("overall coverage"), target, &a.overall));
    }
    for target in &t.actors {
        if let Some(actor) = a.actors.iter().find(|x| x.reference.eq_ignore_ascii_case(&target.reference)) {
            out.push(coverage_verdict(
                TargetKind::Actor,
                format!("{} coverage", actor.name),
                target.percent,
                &actor.coverage,
            ));
        }
    }
    for target in &t.tactics {
        if let Some(tactic) = a.tactics.iter().find(|x| x.shortname == target.tactic) {
            out.push(coverage_verdict(
                TargetKind::Tactic,
                format!("{} coverage", tactic.name),
                target.percent,
                &tactic.coverage,
            ));
        }
    }
    let d = &t.detected_or_protected;
    if let Some(target) = d.overall {
        out.push(protection_verdict(String::from("overall"), target, &a.overall));
    }
    for target in &d.actors {
        if let Some(actor) = a.actors.iter().find(|x| x.reference.eq_ignore_ascii_case(&target.reference)) {
            out.push(protection_verdict(actor.name.clone(), target.percent, &actor.coverage));
        }
    }
    for target in &d.tactics {
        if let Some(tactic) = a.tactics.iter().find(|x| x.shortname == target.tactic) {
            out.push(protection_verdict(tactic.name.clone(), target.percent, &tactic.coverage));
        }
    }
    for id in &t.must_cover {
        let assessed = a.technique(id);
        let (state, score) = assessed.map_or(("not assessed", 0), |x| (x.state.as_str(), x.score));
        // Rules that emulation proved silent do not count, wherever the technique is in scope.
        let failed =
            assessed.and_then(|x| x.validation.as_ref()).is_some_and(|v| v.state == ValidationState::Failed);
        let name = assessed.map(|x| x.name.as_str()).unwrap_or_default();
        out.push(Verdict {
            kind: TargetKind::MustCover,
            target: format!("must cover {id} {name}"),
            expected: String::from("≥ 1 counted rule"),
            actual: format!(
                "{score} rule{} ({}{state})",
                if score == 1 { "" } else { "s" },
                if failed { "failed validation, " } else { "" }
            ),
            pass: score > 0 && !failed,
        });
    }
    if let Some(max) = t.max_priority_1_gaps {
        let total: u32 = a.actors.iter().map(|x| x.weight).sum();
        let count = a
            .gaps
            .iter()
            .filter_map(|id| a.technique(id))
            .filter(|t| !t.actors.is_empty() && t.actor_weight * 2 >= total)
            .count();
        out.push(Verdict {
            kind: TargetKind::MaxPriority1Gaps,
            target: String::from("priority-1 gaps (used by actors carrying half the weight or more)"),
            expected: format!("≤ {max}"),
            actual: count.to_string(),
            pass: count <= max as usize,
        });
    }
    if let Some(target) = t.validated {
        let (pass, actual) = match &a.emulation {
            Some(e) => {
                let s = &e.summary;
                let actual = match s.percent {
                    Some(p) => format!("{p:.1}% ({}/{} covered techniques)", s.validated, s.covered_on_paper),
                    None => String::from("n/a (no covered technique)"),
                };
                (s.percent.is_some_and(|p| p >= target), actual)
            }
            None => (false, String::from("n/a (the model has no validation section)")),
        };
        out.push(Verdict {
            kind: TargetKind::Validated,
            target: String::from("covered techniques validated by emulation"),
            expected: format!("≥ {}%", trim_number(target)),
            actual,
            pass,
        });
    }
    for acceptance in &a.accepted {
        out.push(Verdict {
            kind: TargetKind::Acceptance,
            target: format!(
                "acceptance of {} {} ({})",
                acceptance.technique, acceptance.name, acceptance.owner
            ),
            expected: format!("valid until {}", acceptance.expires),
            actual: if acceptance.expired { String::from("expired") } else { String::from("valid") },
            pass: !acceptance.expired,
        });
    }
    out
}

fn coverage_verdict(kind: TargetKind, target: String, promised: f64, coverage: &Coverage) -> Verdict {
    let actual = match coverage.percent {
        Some(p) => format!("{p:.1}% ({}/{})", coverage.covered, coverage.techniques),
        None => String::from("n/a (no techniques assessed)"),
    };
    Verdict {
        kind,
        target,
        expected: format!("≥ {}%", trim_number(promised)),
        actual,
        pass: coverage.percent.is_some_and(|p| p >= promised),
    }
}

/// A `targets.detected_or_protected` promise: a protected technique counts as covered.
fn protection_verdict(what: String, promised: f64, coverage: &Coverage) -> Verdict {
    let p = coverage.protection;
    let actual = match p.and_then(|p| p.percent.map(|percent| (p, percent))) {
        Some((p, percent)) => format!(
            "{percent:.1}% ({}/{}: {} detected, {} more protected)",
            p.detected_or_protected,
            coverage.techniques,
            coverage.covered,
            p.detected_or_protected - coverage.covered
        ),
        None if p.is_none() => String::from("n/a (the model has no mappings-explorer source)"),
        None => String::from("n/a (no techniques assessed)"),
    };
    Verdict {
        kind: TargetKind::DetectedOrProtected,
        target: format!("{what} detected or protected"),
        expected: format!("≥ {}%", trim_number(promised)),
        actual,
        pass: p.and_then(|p| p.percent).is_some_and(|x| x >= promised),
    }
}
