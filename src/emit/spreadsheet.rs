//! `gaps.csv`: the prioritised gaps as a spreadsheet, one row per gap in priority order, for
//! the people who plan the work in Excel or LibreOffice rather than in YAML.
//!
//! Cells hold text from outside (technique and actor names, asset names inside the reasons), and
//! a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`,
//! `=cmd|' /C calc'!A0`). Every cell is therefore guarded by the OWASP rule: one that starts
//! with one of those, a tab or a carriage return — or with blanks and then one of those, which
//! some spreadsheets skip — gets a leading `'`, which spreadsheets read as "text" and do not
//! show. Line breaks and other control characters inside a value become spaces, so each gap is
//! one line of the file; the csv crate quotes the rest. Rows end in `\n`; the order is the
//! assessment's, so two runs write the same bytes.

use crate::assessment::Assessment;

/// The header row.
pub const COLUMNS: [&str; 13] = [
    "rank",
    "technique",
    "name",
    "tactics",
    "priority",
    "phase",
    "effort",
    "actors",
    "actor_weight",
    "must_cover",
    "data_sources",
    "data_sources_collected",
    "reasons",
];

/// The columns added when the model has security-control mappings.
pub const CONTROL_COLUMNS: [&str; 2] = ["protected", "exposed_by"];

/// Separates the items of a list inside one cell.
const LIST: &str = "; ";
/// Separates reasons, which contain `; ` themselves.
const REASONS: &str = " | ";

/// A cell as written: formula triggers neutralised, controls flattened.
pub fn cell(text: &str) -> String {
    let trigger = |c: char| matches!(c, '=' | '+' | '-' | '@');
    let guarded = text.starts_with(['\t', '\r'])
        || text.trim_start_matches(|c: char| c.is_whitespace() || c.is_control()).starts_with(trigger);
    let mut out = String::with_capacity(text.len() + 1);
    if guarded {
        out.push('\'');
    }
    out.extend(text.chars().map(|c| if c.is_control() || super::escape::is_line_break(c) { ' ' } else { c }));
    out
}

/// The CSV text.
pub fn gaps_csv(a: &Assessment) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    // With security controls, two more columns (after the fixed ones, so readers of the fixed
    // columns by position are unaffected).
    let controls = a.overall.protection.is_some();
    let mut header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    if controls {
        header.extend(CONTROL_COLUMNS.iter().map(|c| (*c).to_owned()));
    }
    let mut rows: Vec<Vec<String>> = vec![header];
    for id in &a.gaps {
        let Some(t) = a.technique(id) else { continue };
        let phase = a
            .plan
            .horizons
            .iter()
            .find(|h| h.items.iter().any(|i| i.technique == t.id))
            .map_or_else(|| String::from("backlog"), |h| format!("{} days", h.days));
        let tactics: Vec<&str> = t
            .tactics
            .iter()
            .map(|s| a.tactics.iter().find(|x| &x.shortname == s).map_or(s.as_str(), |x| x.name.as_str()))
            .collect();
        let (score, rank, reasons) = match &t.priority {
            Some(p) => (p.score.to_string(), p.rank.to_string(), p.reasons.join(REASONS)),
            None => (String::new(), String::new(), String::new()),
        };
        rows.push(vec![
            rank,
            t.id.clone(),
            t.name.clone(),
            tactics.join(LIST),
            score,
            phase,
            t.detection.effort.as_str().to_owned(),
            t.actors.join(LIST),
            t.actor_weight.to_string(),
            String::from(if t.must_cover { "yes" } else { "no" }),
            t.detection.data_sources.join(LIST),
            t.detection.collected.join(LIST),
            reasons,
        ]);
        if controls && let Some(row) = rows.last_mut() {
            let by: Vec<&str> =
                t.controls.iter().filter(|c| c.protects()).map(|c| c.description.as_str()).collect();
            row.push(if by.is_empty() { String::from("no") } else { format!("yes: {}", by.join(LIST)) });
            row.push(t.exposed_by.join(LIST));
        }
    }
    // Writing into memory fails only if memory does.
    for row in rows {
        writer
            .write_record(row.iter().map(|c| cell(c)))
            .unwrap_or_else(|e| unreachable!("writing CSV into memory: {e}"));
    }
    let bytes = writer.into_inner().unwrap_or_else(|e| unreachable!("writing CSV into memory: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_get_a_quote() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=1"), "' =1");
        assert_eq!(cell("\rx"), "' x");
        assert_eq!(cell("  =1"), "'  =1");
        assert_eq!(cell("T1059.001"), "T1059.001");
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell("two\nlines"), "two lines");
    }
}
