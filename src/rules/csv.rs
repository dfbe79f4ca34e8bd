//! A CSV rule inventory (`.csv`): one rule per row, for content no other adapter reads (EDR
//! vendor rules, home-grown detections).
//!
//! The header row names the columns, case-insensitively and in any order: `id` and `techniques`
//! are required, `title`, `status`, `enabled`, `level`, `type` (`hunting` marks a hunting rule)
//! and `telemetry` (log-source names separated by `;`, any one of which lets the rule fire)
//! optional, anything else is ignored. A
//! `techniques` cell may separate its IDs with `;`, `,` or whitespace in any mix (a cell with
//! commas must be quoted); tokens that are not technique IDs (`TA0002`, `execution`) are kept as
//! tags. A row is located by the physical line it starts on; rows of nothing but empty cells
//! (spreadsheet padding) are passed over silently, a row with cells but no `id` is a warning.

use std::path::Path;

use csv::{ReaderBuilder, StringRecord, Trim};

use super::{Adapter, DetectionRule, Parsed, Skip, looks_like_technique};
use crate::inputs::malformed_technique;
use crate::inputs::text::{has_extension, normal_word};
use crate::model::RuleKind;

/// The Csv adapter.
pub struct Csv;

/// Where each known column sits in the header.
struct Columns {
    id: usize,
    techniques: usize,
    title: Option<usize>,
    status: Option<usize>,
    enabled: Option<usize>,
    level: Option<usize>,
    telemetry: Option<usize>,
    kind: Option<usize>,
}

impl Columns {
    /// The column positions, or which required columns are missing.
    fn find(header: &StringRecord) -> Result<Columns, Skip> {
        // The first column of a name wins; a repeated name is an extra column.
        let position = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
        let (id, techniques) = (position("id"), position("techniques"));
        match (id, techniques) {
            (Some(id), Some(techniques)) => Ok(Columns {
                id,
                techniques,
                title: position("title"),
                status: position("status"),
                enabled: position("enabled"),
                level: position("level"),
                telemetry: position("telemetry"),
                kind: position("type"),
            }),
            _ => {
                let missing: Vec<&str> = [("id", id), ("techniques", techniques)]
                    .into_iter()
                    .filter(|(_, at)| at.is_none())
                    .map(|(name, _)| name)
                    .collect();
                let mut detail = format!(
                    "the header has no {} column{} (a CSV inventory needs `id` and `techniques`)",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" or "),
                    if missing.len() > 1 { "s" } else { "" },
                );
                // Spreadsheets in some locales save `;`-separated "CSV": say so rather than
                // leave the user puzzling over a header that plainly names the columns.
                if header.len() == 1 && header.get(0).is_some_and(|h| h.contains(';')) {
                    detail.push_str("; the header looks `;`-separated, ttpc reads `,`");
                }
                Err(Skip::not_a_rule(detail))
            }
        }
    }
}

/// `enabled` as written: `None` when the value is not a recognised yes/no word.
fn enabled_value(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" | "on" | "enabled" => Some(true),
        "false" | "no" | "0" | "off" | "disabled" => Some(false),
        _ => None,
    }
}

/// The 1-based line of the record that the csv reader started at byte `start`.
///
/// The reader's own position is where it stopped after the previous record, which is before
/// any blank lines (and, with CRLF, before the `\n`) it then skipped; the record itself starts
/// after them.
fn line_at(text: &str, start: usize) -> usize {
    let start = start.min(text.len());
    let skipped = text[start..].bytes().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    1 + text.as_bytes()[..start + skipped].iter().filter(|&&b| b == b'\n').count()
}

/// Where a quoted field opens and never closes, as `(line, column)`.
///
/// The csv crate is lenient: an unbalanced quote silently swallows the rest of the file into
/// one field. This follows the same reading rules (a quote opens a field only at its start, and
/// `""` inside is a literal quote) to catch it.
fn unclosed_quote(text: &str) -> Option<(usize, usize)> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let (mut line, mut column) = (1, 0);
    let mut opened = (1, 1);
    for c in text.chars() {
        column += 1;
        state = match (state, c) {
            (State::Quoted, '"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, '"') => State::Quoted,
            (State::FieldStart, '"') => {
                opened = (line, column);
                State::Quoted
            }
            (_, ',' | '\r' | '\n') => State::FieldStart,
            _ => State::Unquoted,
        };
        if c == '\n' {
            line += 1;
            column = 0;
        }
    }
    matches!(state, State::Quoted).then_some(opened)
}

impl Adapter for Csv {
    fn kind(&self) -> RuleKind {
        RuleKind::Csv
    }

    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &["csv"])
    }

    fn parse(&self, path: &Path, text: &str) -> Result<Parsed, Skip> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(Skip::not_a_rule("an empty file"));
        }
        if let Some((line, column)) = unclosed_quote(text) {
            return Err(Skip::syntax(format!(
                "line {line} column {column}: quoted field never closed before the end of the file"
            )));
        }
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(Trim::All)
            .from_reader(text.as_bytes());
        let columns = match reader.headers() {
            Ok(header) => Columns::find(header)?,
            Err(e) => return Err(Skip::syntax(csv_error(text, &e))),
        };

        let mut parsed = Parsed::default();
        let mut rows = 0;
        let mut record = StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Skip::syntax(csv_error(text, &e))),
            }
            // Spreadsheets pad exports with rows of bare commas; they are not rules without ids.
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows += 1;
            let start = record.position().map_or(0, |p| p.byte());
            let line = line_at(text, usize::try_from(start).unwrap_or(usize::MAX));
            let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").trim();

            let id = cell(Some(columns.id));
            if id.is_empty() {
                parsed.warnings.push(format!("line {line}: row without an id"));
                continue;
            }
            let title = match cell(columns.title) {
                "" => id,
                title => title,
            };
            let mut rule = DetectionRule::new(RuleKind::Csv, path, id, title);
            rule.locator = Some(format!("line {line}"));
            rule.status = normal_word(Some(cell(columns.status)));
            let enabled = cell(columns.enabled);
            rule.enabled = enabled_value(enabled).unwrap_or_else(|| {
                parsed.warnings.push(format!(
                    "line {line}: rule {id} has enabled value `{enabled}`, not a yes/no value; \
                     treated as enabled"
                ));
                true
            });
            // Added in bulk: adding one by one is quadratic in the number of tokens in the cell.
            let (techniques, tags): (Vec<&str>, Vec<&str>) = cell(Some(columns.techniques))
                .split(|c: char| c == ';' || c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .partition(|token| looks_like_technique(token) || malformed_technique(token));
            // Malformed IDs go on to normalisation (repaired or reported); named here with the line.
            for token in techniques.iter().filter(|t| !looks_like_technique(t)) {
                parsed.warnings.push(format!("line {line}: `{token}` is not a well-formed technique ID"));
            }
            rule.add_techniques(techniques);
            rule.add_tags(tags);
            rule.level = normal_word(Some(cell(columns.level)));
            rule.hunting = cell(columns.kind).eq_ignore_ascii_case("hunting");
            rule.add_telemetries(cell(columns.telemetry).split(';'));
            parsed.rules.push(rule);
        }
        if rows == 0 {
            return Err(Skip::not_a_rule("a header without any rows"));
        }
        Ok(parsed)
    }
}

/// A csv error as `line L: message`. Reading from a string with flexible records leaves little
/// that can fail, but nothing here may panic on what it does report.
fn csv_error(text: &str, error: &csv::Error) -> String {
    let position = match error.kind() {
        csv::ErrorKind::Utf8 { pos, .. }
        | csv::ErrorKind::UnequalLengths { pos, .. }
        | csv::ErrorKind::Deserialize { pos, .. } => pos.as_ref(),
        _ => None,
    };
    match position {
        Some(p) => {
            format!("line {}: {error}", line_at(text, usize::try_from(p.byte()).unwrap_or(usize::MAX)))
        }
        None => error.to_string(),
    }
}
