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
    let mut known: BTreeSet<String> = suggestible.iter().map(|n| n.to_ascii_lowercase()).collect();
    for component in kb.data_components() {
        known.insert(component.name.to_ascii_lowercase());
        if let Some(source) = &component.data_source {
            known.insert(source.to_ascii_lowercase());
            known.insert(format!("{source}: {}", component.name).to_ascii_lowercase());
        }
        known.extend(component.log_sources.iter().map(|l| l.name.trim().to_ascii_lowercase()));
    }
    for analytic in kb.analytics() {
        known.extend(analytic.log_sources.iter().map(|l| l.name.trim().to_ascii_lowercase()));
    }
    for (i, name) in m.telemetry.iter().enumerate() {
        if known.contains(&name.trim().to_ascii_lowercase()) {
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
