//! Where a compiled model's findings sit in its repository, for the formats that point at lines
//! (SARIF, GitHub workflow commands, JUnit messages): each verdict at the line of the model that
//! makes the promise, each actor at its entry in `actors`, each input problem at its line of the
//! model or of the rule file.
//!
//! The [`Places`] are worked out once, here, from the loaded model and its span map; the
//! emitters that read them stay pure functions of the assessment and its places.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::assessment::{Assessment, TargetKind, Verdict};
use crate::diagnostics::{Problem, line_col};
use crate::emit::places::{InputProblem, Places};
use crate::model::LoadedModel;
use crate::model::spans::escape_segment;

/// The places of a compiled model's findings; paths are relative to the model's repository root.
pub fn places(model: &LoadedModel, a: &Assessment, warnings: &[Problem], as_of: NaiveDate) -> Places {
    let root = crate::confine::repository_root(&model.path);
    let uri = relative_uri(&root, &model.path);
    let line = |offset: usize| line_col(model.source.text(), offset).0 as u32;
    let verdicts = a.verdicts.iter().map(|v| line(model.key_span(&pointer(model, a, v)).start)).collect();
    let actors = a
        .actors
        .iter()
        .enumerate()
        .map(|(i, actor)| (actor.id.clone(), line(model.span(&format!("/actors/{i}")).start)))
        .collect();
    let mut problems: Vec<InputProblem> = warnings
        .iter()
        .map(|w| InputProblem {
            code: w.code.to_owned(),
            message: w.message.clone(),
            help: w.help.clone(),
            uri: uri.clone(),
            line: line(w.span.start),
            technique: None,
        })
        .collect();
    for m in a.stale_mappings.iter().chain(&a.unmapped) {
        let source = model
            .model
            .rules
            .iter()
            .position(|s| s.name.as_deref() == Some(m.source.as_str()) || s.path == m.source);
        let source_line = source.map_or(1, |i| line(model.span(&format!("/rules/{i}/path")).start));
        // Places are relative to the source's folder (or the folder of a one-file source).
        let base = source
            .map(|i| model.resolve_path(&model.model.rules[i].path))
            .map(|p| if p.is_file() { p.parent().map(Path::to_owned).unwrap_or_default() } else { p });
        let (file_uri, file_line) =
            rule_file(&root, base.as_deref(), &m.place).unwrap_or((uri.clone(), source_line));
        let (message, help) = match m.replacement.as_deref() {
            Some(current) => (
                format!(
                    "rule `{}` ({}) maps to {}, revoked in favour of {current}",
                    m.title, m.place, m.written
                ),
                Some(format!("map the rule to {current}; it is counted for {current} meanwhile")),
            ),
            None => (
                format!(
                    "rule `{}` ({}) maps to {}, which is {} in this ATT&CK release",
                    m.title, m.place, m.written, m.issue
                ),
                Some(String::from("map the rule to a current technique; it is not counted until then")),
            ),
        };
        problems.push(InputProblem {
            code: format!("ttpc::rules::{}", m.issue),
            message,
            help,
            uri: file_uri,
            line: file_line,
            technique: m.replacement.clone(),
        });
    }
    let assessed = a.model.assessed.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let date = assessed.unwrap_or(as_of).format("%Y-%m-%d").to_string();
    Places { model: uri, date, verdicts, actors, problems }
}

/// The JSON Pointer of the model node that makes a verdict's promise.
fn pointer(model: &LoadedModel, a: &Assessment, v: &Verdict) -> String {
    let t = &model.model.targets;
    let keyed = |section: &str, key: Option<&String>| match key {
        Some(k) => format!("/targets/{section}/{}", escape_segment(k)),
        None => format!("/targets/{section}"),
    };
    match v.kind {
        TargetKind::Overall => String::from("/targets/overall"),
        TargetKind::Actor => {
            let reference =
                a.actors.iter().find(|x| v.target == format!("{} coverage", x.name)).map(|x| &x.reference);
            let key = reference.and_then(|r| t.actors.keys().find(|k| k.eq_ignore_ascii_case(r)));
            keyed("actors", key)
        }
        TargetKind::Tactic => {
            let shortname =
                a.tactics.iter().find(|x| v.target == format!("{} coverage", x.name)).map(|x| &x.shortname);
            keyed("tactics", shortname.and_then(|s| t.tactics.keys().find(|k| *k == s)))
        }
        TargetKind::MustCover => {
            // `must cover T1003.006 Name`: the ID is the third word.
            let id = v.target.split_whitespace().nth(2).unwrap_or_default();
            match t.must_cover.iter().position(|x| x.to_string().eq_ignore_ascii_case(id)) {
                Some(i) => format!("/targets/must_cover/{i}"),
                None => String::from("/targets/must_cover"),
            }
        }
        TargetKind::MaxPriority1Gaps => String::from("/targets/max_priority_1_gaps"),
        TargetKind::Validated => String::from("/targets/validated"),
        TargetKind::NoDropFromBaseline => String::from("/targets/no_drop_from_baseline"),
        TargetKind::DetectedOrProtected => {
            let d = &t.detected_or_protected;
            let section = |k: &str| format!("/targets/detected_or_protected/{k}");
            let what = v.target.strip_suffix(" detected or protected").unwrap_or_default();
            if what == "overall" {
                return section("overall");
            }
            let actor = a.actors.iter().find(|x| x.name == what).map(|x| &x.reference);
            if let Some(key) = actor.and_then(|r| d.actors.keys().find(|k| k.eq_ignore_ascii_case(r))) {
                return format!("{}/{}", section("actors"), escape_segment(key));
            }
            let tactic = a.tactics.iter().find(|x| x.name == what).map(|x| &x.shortname);
            match tactic.and_then(|s| d.tactics.keys().find(|k| *k == s)) {
                Some(key) => format!("{}/{}", section("tactics"), escape_segment(key)),
                None => String::from("/targets/detected_or_protected"),
            }
        }
        TargetKind::Acceptance => {
            // `acceptance of T1055 Name (owner)`.
            let id = v.target.split_whitespace().nth(2).unwrap_or_default();
            match model.model.accepted.iter().position(|x| x.technique.to_string().eq_ignore_ascii_case(id)) {
                Some(i) => format!("/accepted/{i}"),
                None => String::from("/accepted"),
            }
        }
    }
}

/// A path as a URI relative to the repository root (`/`-separated), or its file name when it
/// lies elsewhere.
fn relative_uri(root: &Path, path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let canonical = absolute.canonicalize().unwrap_or(absolute);
    let relative: PathBuf = match canonical.strip_prefix(root) {
        Ok(r) => r.to_owned(),
        Err(_) => PathBuf::from(canonical.file_name().unwrap_or_default()),
    };
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// A rule's file and line from its place (`path`, `path line 7`, `path document 2`, …): the
/// longest prefix that is a file, and the line when the locator names one.
fn rule_file(root: &Path, base: Option<&Path>, place: &str) -> Option<(String, u32)> {
    let at = |end: usize| match base {
        Some(base) => base.join(&place[..end]),
        None => PathBuf::from(&place[..end]),
    };
    let mut ends = place.match_indices(' ').map(|(i, _)| i).chain(std::iter::once(place.len()));
    let end = ends.rfind(|&i| at(i).is_file())?;
    let locator = place[end..].trim();
    let line = locator.strip_prefix("line ").and_then(|n| n.parse().ok()).unwrap_or(1);
    let path = at(end);
    let canonical = path.canonicalize().ok()?;
    canonical.starts_with(root).then(|| (relative_uri(root, &path), line))
}
