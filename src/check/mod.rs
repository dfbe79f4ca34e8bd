//! Targets → verdicts. Each promise of the model (`targets`, and every acceptance) becomes a
//! [`Verdict`] {target, expected, actual, pass}; any failed verdict makes `ttpc compile` exit 1,
//! after all outputs are written so the reports show why.

pub mod baseline;

use crate::assessment::{Assessment, Coverage, TargetKind, Verdict};
use crate::resolve::Resolved;

/// Judges every target of the model against the assessment.
pub fn verdicts(a: &Assessment, r: &Resolved) -> Vec<Verdict> {
    let m = &r.model.model;
    let kb = &r.attack.kb;
    let mut out = Vec::new();

    if let Some(target) = m.targets.overall {
        out.push(coverage_verdict(
            TargetKind::Overall,
            String::from("overall coverage"),
            target.value(),
            &a.overall,
        ));
    }
    for (key, target) in &m.targets.actors {
        if let Some(actor) = a.actors.iter().find(|x| x.reference.eq_ignore_ascii_case(key)) {
            out.push(coverage_verdict(
                TargetKind::Actor,
                format!("{} coverage", actor.name),
                target.value(),
                &actor.coverage,
            ));
        }
    }
    for (_, tactic, target) in &r.targets.tactics {
        let coverage = &a.tactics[tactic.get()].coverage;
        let name = &kb[*tactic].name;
        out.push(coverage_verdict(TargetKind::Tactic, format!("{name} coverage"), target.value(), coverage));
    }
    for t in &r.targets.must_cover {
        let id = &kb[*t].id;
        let assessed = a.technique(id);
        let (state, score) = assessed.map_or(("not assessed", 0), |x| (x.state.as_str(), x.score));
        // Rules that emulation proved silent do not count, wherever the technique is in scope.
        let failed = assessed
            .and_then(|x| x.validation.as_ref())
            .is_some_and(|v| v.state == crate::assessment::ValidationState::Failed);
        out.push(Verdict {
            kind: TargetKind::MustCover,
            target: format!("must cover {id} {}", kb.full_name(*t)),
            expected: String::from("≥ 1 counted rule"),
            actual: format!(
                "{score} rule{} ({}{state})",
                if score == 1 { "" } else { "s" },
                if failed { "failed validation, " } else { "" }
            ),
            pass: score > 0 && !failed,
        });
    }
    if let Some(max) = m.targets.max_priority_1_gaps {
        let total: u32 = r.actors.iter().map(|x| x.weight).sum();
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
    if let Some(target) = m.targets.validated {
        let (pass, actual) = match &a.emulation {
            Some(e) => {
                let s = &e.summary;
                let actual = match s.percent {
                    Some(p) => format!("{p:.1}% ({}/{} covered techniques)", s.validated, s.covered_on_paper),
                    None => String::from("n/a (no covered technique)"),
                };
                (s.percent.is_some_and(|p| p >= target.value()), actual)
            }
            None => (false, String::from("n/a (the model has no validation section)")),
        };
        out.push(Verdict {
            kind: TargetKind::Validated,
            target: String::from("covered techniques validated by emulation"),
            expected: format!("≥ {}%", trim_number(target.value())),
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

/// `80` for 80.0, `80.5` for 80.5.
pub fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }
}
