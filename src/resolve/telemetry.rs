//! Checks the model's telemetry settings against what ttpc and the ATT&CK data know: every name
//! in `telemetry` must be a log-source name (built in, ATT&CK's, or one the model's
//! `telemetry_map` introduces), every `telemetry_map` entry must map to something, and every
//! `coverage.count_levels` entry must be a level of the common scale. A typo here would silently
//! turn rules blind or drop them, so each is an error at its model line, with the nearest names.

use std::collections::BTreeSet;

use crate::attack::KnowledgeBase;
use crate::diagnostics::{Problem, nearest};
use crate::model::LoadedModel;
use crate::model::spans::escape_segment;
use crate::rules::telemetry::{Level, builtin_names};

/// Every problem of the model's telemetry settings.
pub fn check(model: &LoadedModel, kb: &KnowledgeBase) -> Vec<Problem> {
    let m = &model.model;
    let mut problems = Vec::new();

    // Names the model may collect: the built-in ones, those its map introduces, and the names
    // the ATT&CK data itself uses (log sources, data components and data sources).
    let mapped: BTreeSet<&str> = m.telemetry_map.values().flatten().map(|n| n.trim()).collect();
    let mut suggestible: BTreeSet<&str> = builtin_names();
    suggestible.extend(mapped.iter().copied());
    let known: BTreeSet<String> = suggestible.iter().map(|n| n.to_ascii_lowercase()).collect();
    for (i, name) in m.telemetry.iter().enumerate() {
        if known.contains(&name.trim().to_ascii_lowercase()) || named_by_attack(kb, name.trim()) {
            continue;
        }
        let suggestions = nearest(name.trim(), suggestible.iter().copied(), 3);
        problems.push(
            Problem::error(
                "ttpc::model::unknown_telemetry",
                format!("`{name}` is not a log-source name ttpc or ATT&CK {} knows", kb.domain()),
                model.span(&format!("/telemetry/{i}")),
            )
            .label("unknown telemetry")
            .help(match suggestions.first() {
                Some(best) => format!(
                    "did you mean `{best}`? A name of your own can be introduced by mapping rule declarations onto it in `telemetry_map`"
                ),
                None => String::from(
                    "use ATT&CK's log-source names (`WinEventLog:Security`), or introduce your own in `telemetry_map`",
                ),
            }),
        );
    }

    for (key, names) in &m.telemetry_map {
        let pointer = format!("/telemetry_map/{}", escape_segment(key));
        if key.trim().is_empty() {
            problems.push(
                Problem::error(
                    "ttpc::model::telemetry_map",
                    "a `telemetry_map` entry without a declaration to match",
                    model.key_span(&pointer),
                )
                .label("empty key")
                .help("write what rules declare, e.g. `sigma:windows/sysmon` or `index:logs-endpoint.*`"),
            );
        }
        if names.iter().all(|n| n.trim().is_empty()) {
            problems.push(
                Problem::error(
                    "ttpc::model::telemetry_map",
                    format!("`telemetry_map` maps `{key}` to nothing"),
                    model.span(&pointer),
                )
                .label("maps to nothing")
                .help("list the log-source names that let such rules fire, e.g. [\"WinEventLog:Sysmon\"]"),
            );
        }
    }

    if let Some(levels) = &m.coverage.count_levels {
        let words: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        if levels.is_empty() {
            problems.push(
                Problem::error(
                    "ttpc::model::unknown_level",
                    "`count_levels` is empty: no rule with a level would count",
                    model.span("/coverage/count_levels"),
                )
                .label("no level")
                .help(format!(
                    "list the levels that count, from {}; or leave the setting out",
                    words.join(", ")
                )),
            );
        }
        for (i, level) in levels.iter().enumerate() {
            if Level::parse(level).is_some() {
                continue;
            }
            let suggestions = nearest(level.trim(), words.iter().copied(), 1);
            problems.push(
                Problem::error(
                    "ttpc::model::unknown_level",
                    format!("`{level}` is not a rule level; every format's level is put on one scale"),
                    model.span(&format!("/coverage/count_levels/{i}")),
                )
                .label("unknown level")
                .help(match suggestions.first() {
                    Some(best) => format!("did you mean `{best}`? Levels are {}", words.join(", ")),
                    None => format!("levels are {}", words.join(", ")),
                }),
            );
        }
    }
    problems
}

/// Whether the ATT&CK data uses `name` (ASCII case aside) as a data component, a data source,
/// `source: component`, or a log source of a component or an analytic. Scanned for each of the
/// model's few names rather than collected into a set, which a batch built again for every model.
fn named_by_attack(kb: &KnowledgeBase, name: &str) -> bool {
    let is = |known: &str| known.eq_ignore_ascii_case(name);
    // `source: component`, compared without building it.
    let joined = |source: &str, component: &str| {
        let (n, cut) = (name.as_bytes(), source.len());
        n.len() == cut + 2 + component.len()
            && n[..cut].eq_ignore_ascii_case(source.as_bytes())
            && &n[cut..cut + 2] == b": "
            && n[cut + 2..].eq_ignore_ascii_case(component.as_bytes())
    };
    kb.data_components().iter().any(|c| {
        is(&c.name)
            || c.data_source.as_deref().is_some_and(|s| is(s) || joined(s, &c.name))
            || c.log_sources.iter().any(|l| is(l.name.trim()))
    }) || kb.analytics().iter().any(|a| a.log_sources.iter().any(|l| is(l.name.trim())))
}
