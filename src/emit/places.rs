//! The findings CI formats report (SARIF results, GitHub workflow commands), each at a file and
//! line of the repository: failed targets, new gaps, techniques newly uncovered, input problems.
//!
//! A [`Places`] (worked out by the pipeline from the model's span map) says where each verdict,
//! actor and input problem sits; [`findings`] joins it with the assessment and the comparison.
//! One list, so SARIF and the workflow commands always agree.

use std::collections::BTreeMap;

use crate::assessment::{Assessment, Comparison, TargetKind, TechniqueChange};

/// Where a compiled model's findings sit, relative to its repository root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// The model file, relative to the repository root, `/`-separated.
    pub model: String,
    /// The date the results carry (YYYY-MM-DD): the model's assessment date, else the as-of date.
    pub date: String,
    /// The model line making each verdict's promise, in the order of `Assessment::verdicts`.
    pub verdicts: Vec<u32>,
    /// The model line of each actor's entry in `actors`, by ATT&CK ID.
    pub actors: BTreeMap<String, u32>,
    /// Warnings about the model and rules whose technique IDs could not be counted as written.
    pub problems: Vec<InputProblem>,
}

/// A problem with an input, at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The diagnostic code (`ttpc::rules::stale`).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// The file, relative to the repository root.
    pub uri: String,
    /// The line (1-based).
    pub line: u32,
    /// The technique concerned, when there is one.
    pub technique: Option<String>,
}

/// One compiled model as the CI formats see it.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    /// The checked assessment.
    pub assessment: &'a Assessment,
    /// The comparison with the baseline, when there was one.
    pub comparison: Option<&'a Comparison>,
    /// Where its findings sit.
    pub places: &'a Places,
}

/// What a finding is about: one rule of the SARIF file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A failed verdict of this kind.
    Target(TargetKind),
    /// A technique that is a gap now and was not in the baseline.
    NewGap,
    /// A technique covered in the baseline and not now.
    NewlyUncovered,
    /// A problem with an input.
    InputProblem,
}

/// Every kind, in the order of the SARIF file's rules.
pub const KINDS: [Kind; 12] = [
    Kind::Target(TargetKind::Overall),
    Kind::Target(TargetKind::Actor),
    Kind::Target(TargetKind::Tactic),
    Kind::Target(TargetKind::MustCover),
    Kind::Target(TargetKind::MaxPriority1Gaps),
    Kind::Target(TargetKind::Acceptance),
    Kind::Target(TargetKind::Validated),
    Kind::Target(TargetKind::NoDropFromBaseline),
    Kind::Target(TargetKind::DetectedOrProtected),
    Kind::NewGap,
    Kind::NewlyUncovered,
    Kind::InputProblem,
];

impl Kind {
    /// The stable rule ID (`ttpc/target/overall`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::Target(TargetKind::Overall) => "ttpc/target/overall",
            Kind::Target(TargetKind::Actor) => "ttpc/target/actor",
            Kind::Target(TargetKind::Tactic) => "ttpc/target/tactic",
            Kind::Target(TargetKind::MustCover) => "ttpc/target/must-cover",
            Kind::Target(TargetKind::MaxPriority1Gaps) => "ttpc/target/max-priority-1-gaps",
            Kind::Target(TargetKind::Acceptance) => "ttpc/target/acceptance",
            Kind::Target(TargetKind::Validated) => "ttpc/target/validated",
            Kind::Target(TargetKind::NoDropFromBaseline) => "ttpc/target/no-drop-from-baseline",
            Kind::Target(TargetKind::DetectedOrProtected) => "ttpc/target/detected-or-protected",
            Kind::NewGap => "ttpc/new-gap",
            Kind::NewlyUncovered => "ttpc/newly-uncovered",
            Kind::InputProblem => "ttpc/input-problem",
        }
    }

    /// A short name (`OverallCoverage`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Target(TargetKind::Overall) => "OverallCoverage",
            Kind::Target(TargetKind::Actor) => "ActorCoverage",
            Kind::Target(TargetKind::Tactic) => "TacticCoverage",
            Kind::Target(TargetKind::MustCover) => "MustCover",
            Kind::Target(TargetKind::MaxPriority1Gaps) => "MaxPriority1Gaps",
            Kind::Target(TargetKind::Acceptance) => "ExpiredAcceptance",
            Kind::Target(TargetKind::Validated) => "ValidatedByEmulation",
            Kind::Target(TargetKind::NoDropFromBaseline) => "NoDropFromBaseline",
            Kind::Target(TargetKind::DetectedOrProtected) => "DetectedOrProtected",
            Kind::NewGap => "NewGap",
            Kind::NewlyUncovered => "NewlyUncovered",
            Kind::InputProblem => "InputProblem",
        }
    }

    /// One sentence: what the rule checks.
    pub fn summary(self) -> &'static str {
        match self {
            Kind::Target(TargetKind::Overall) => {
                "Overall coverage of the actors' techniques is below `targets.overall`."
            }
            Kind::Target(TargetKind::Actor) => "An actor's coverage is below its `targets.actors` entry.",
            Kind::Target(TargetKind::Tactic) => "A tactic's coverage is below its `targets.tactics` entry.",
            Kind::Target(TargetKind::MustCover) => "A technique in `targets.must_cover` has no counted rule.",
            Kind::Target(TargetKind::MaxPriority1Gaps) => {
                "More priority-1 gaps than `targets.max_priority_1_gaps` allows."
            }
            Kind::Target(TargetKind::Acceptance) => "A risk acceptance in `accepted` has expired.",
            Kind::Target(TargetKind::Validated) => {
                "Fewer covered techniques validated by emulation than `targets.validated` asks."
            }
            Kind::Target(TargetKind::NoDropFromBaseline) => {
                "Overall coverage dropped below the baseline (`targets.no_drop_from_baseline`)."
            }
            Kind::Target(TargetKind::DetectedOrProtected) => {
                "The share of techniques detected or protected by a selected security control is below its `targets.detected_or_protected` entry."
            }
            Kind::NewGap => "A technique of an actor is a detection gap that was not one in the baseline.",
            Kind::NewlyUncovered => "A technique covered in the baseline has no counted rule any more.",
            Kind::InputProblem => {
                "An input ttpc read has a problem: a model warning, or a rule mapped to a revoked, deprecated or unknown technique."
            }
        }
    }

    /// What to do about it (Markdown).
    pub fn help(self) -> &'static str {
        match self {
            Kind::Target(TargetKind::Overall | TargetKind::Actor | TargetKind::Tactic) => {
                "Close the highest-priority gaps of `remediation-plan.yaml` (each says why it ranks where it does), or change the promise in the model if it no longer holds."
            }
            Kind::Target(TargetKind::MustCover) => {
                "Add a detection rule mapped to the technique (for example a Sigma rule tagged `attack.tXXXX`) in one of the model's rule sources."
            }
            Kind::Target(TargetKind::MaxPriority1Gaps) => {
                "Close gaps of the first horizon of `remediation-plan.yaml`, highest priority first."
            }
            Kind::Target(TargetKind::Acceptance) => {
                "Renew the acceptance with a new `expires` date and the owner's agreement, or detect the technique."
            }
            Kind::Target(TargetKind::Validated) => {
                "Run the emulation plan (`ttpc emulate`) and record the results in the model's `validation.results` file."
            }
            Kind::Target(TargetKind::DetectedOrProtected) => {
                "Close gaps with a detection, or deploy the capabilities the mapping file says protect them and list them in the source's `capabilities`."
            }
            Kind::Target(TargetKind::NoDropFromBaseline) => {
                "The change removes or disables rules that covered techniques (see the newly uncovered techniques): restore them, or replace them with rules mapped to the same techniques."
            }
            Kind::NewGap => {
                "A new actor, a new technique of an actor or a wider scope brought this technique in: plan a detection for it."
            }
            Kind::NewlyUncovered => {
                "The rules that covered it disappeared or stopped counting (status, enabled): restore them or add another rule for the technique."
            }
            Kind::InputProblem => {
                "Fix the input at the line shown; `ttpc check MODEL` and `ttpc rules SOURCE --kind KIND` show every problem."
            }
        }
    }
}

/// The level of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Fails the check.
    Error,
    /// Worth a look.
    Warning,
}

/// One finding: a kind, a message, a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is about.
    pub kind: Kind,
    /// Error or warning.
    pub level: Level,
    /// A short title (the target, or the technique).
    pub title: String,
    /// The message.
    pub message: String,
    /// The file, relative to the repository root.
    pub uri: String,
    /// The line (1-based).
    pub line: u32,
    /// The technique concerned.
    pub technique: Option<String>,
    /// What identifies the finding across runs, line moves included (`model|kind|subject`).
    pub key: String,
}

/// The ATT&CK page of a technique (`T1003.006` → `…/techniques/T1003/006/`).
pub fn technique_url(id: &str) -> String {
    format!("https://attack.mitre.org/techniques/{}/", id.replace('.', "/"))
}

/// Every finding of a compiled model, in a fixed order: failed verdicts (model order), new gaps,
/// newly uncovered techniques (by ID), input problems.
pub fn findings(o: &Outcome<'_>) -> Vec<Finding> {
    let (a, p) = (o.assessment, o.places);
    let mut out = Vec::new();
    for (i, v) in a.verdicts.iter().enumerate() {
        if v.pass {
            continue;
        }
        let technique = match v.kind {
            TargetKind::MustCover | TargetKind::Acceptance => {
                v.target.split_whitespace().nth(2).map(str::to_owned)
            }
            _ => None,
        };
        let mut message =
            format!("Target failed: {} — expected {}, actual {}.", v.target, v.expected, v.actual);
        if let Some(t) = &technique {
            message.push_str(&format!(" {}", technique_url(t)));
        }
        out.push(Finding {
            kind: Kind::Target(v.kind),
            level: Level::Error,
            title: v.target.clone(),
            message,
            uri: p.model.clone(),
            line: p.verdicts.get(i).copied().unwrap_or(1),
            technique,
            key: format!("{}|{}|{}", p.model, Kind::Target(v.kind).id(), v.target),
        });
    }
    if let Some(c) = o.comparison {
        for (kind, changes) in [(Kind::NewGap, &c.new_gaps), (Kind::NewlyUncovered, &c.newly_uncovered)] {
            for t in changes.iter() {
                out.push(technique_finding(a, p, kind, t));
            }
        }
    }
    for problem in &p.problems {
        let mut message = problem.message.clone();
        if let Some(help) = &problem.help {
            message.push_str(&format!(" ({help})"));
        }
        if let Some(t) = &problem.technique {
            message.push_str(&format!(" {}", technique_url(t)));
        }
        out.push(Finding {
            kind: Kind::InputProblem,
            level: Level::Warning,
            title: problem.code.clone(),
            message,
            uri: problem.uri.clone(),
            line: problem.line,
            technique: problem.technique.clone(),
            key: format!("{}|{}|{}|{}", problem.uri, problem.code, problem.message, p.model),
        });
    }
    out
}

fn technique_finding(a: &Assessment, p: &Places, kind: Kind, t: &TechniqueChange) -> Finding {
    // At the entry of the first actor (model order) that uses the technique.
    let line = a
        .actors
        .iter()
        .find(|x| t.actors.contains(&x.name))
        .and_then(|x| p.actors.get(&x.id))
        .copied()
        .unwrap_or(1);
    let what = match kind {
        Kind::NewGap => format!("New gap: {} {} ({} → {})", t.id, t.name, t.from, t.to),
        _ => format!("Newly uncovered: {} {} ({} → {})", t.id, t.name, t.from, t.to),
    };
    let mut message = what;
    if !t.actors.is_empty() {
        message.push_str(&format!(", used by {}", t.actors.join(", ")));
    }
    if !t.rules_removed.is_empty() {
        message.push_str(&format!("; rules gone: {}", t.rules_removed.join(", ")));
    }
    message.push_str(&format!(". {}", technique_url(&t.id)));
    Finding {
        kind,
        level: Level::Warning,
        title: format!("{} {}", t.id, t.name),
        message,
        uri: p.model.clone(),
        line,
        technique: Some(t.id.clone()),
        key: format!("{}|{}|{}", p.model, kind.id(), t.id),
    }
}
