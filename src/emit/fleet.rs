//! The fleet overview of a batch (`ttpc compile --summary DIR`): `fleet.json` (the [`Fleet`]),
//! `fleet.csv` (one row per model) and `fleet.html` (offline, sortable and filterable, linking to
//! each model's report) — pure functions of the [`Fleet`], like every emitter.
//!
//! The CSV guards its cells against formulas as `gaps.csv` does; the HTML page has the report's
//! Content-Security-Policy (inline style, one script carrying a nonce derived from the data, no
//! other resource) and writes data into the page with `textContent` only.

use std::path::{Component, Path};

use minijinja::value::Value;

use super::report::{self, TemplateError};
use super::spreadsheet::cell;
use crate::assessment::fleet::{Fleet, FleetModel};
use crate::assessment::trim_number;
use crate::io::OutputFile;

/// The built-in fleet page.
pub const FLEET_HTML: &str = "fleet.html.j2";
const FLEET_HTML_SOURCE: &str = include_str!("../../templates/fleet.html.j2");

/// Makes the overview's files (`fleet.json`, `fleet.csv`, `fleet.html`) one at a time and hands each to `sink` before making the next, so
/// a caller that writes and drops them never holds more than one (with the rows) in memory.
/// Takes the fleet whole: its rows move into the page's context rather than being copied.
pub fn each_file<E: From<Box<TemplateError>>>(
    mut fleet: Fleet,
    mut sink: impl FnMut(OutputFile) -> Result<(), E>,
) -> Result<(), E> {
    let json = json(&fleet);
    let nonce = super::page::nonce(&json);
    sink(OutputFile::new("fleet.json", json))?;
    sink(OutputFile::new("fleet.csv", csv(&fleet)))?;
    let rows = std::sync::Arc::new(std::mem::take(&mut fleet.models));
    let html = report::html_page_in(FLEET_HTML, FLEET_HTML_SOURCE, &context(&fleet, rows), &nonce)?;
    sink(OutputFile::new("fleet.html", html))
}

/// `fleet.json`: the fleet indented as every JSON output is, except that each model is one line
/// of its own — a fleet of thousands stays readable and diffable tenant by tenant, at half the
/// size (and memory) of an indented one.
pub fn json(fleet: &Fleet) -> String {
    #[derive(serde::Serialize)]
    struct Head<'a> {
        format: u32,
        totals: &'a crate::assessment::fleet::FleetTotals,
        distribution: &'a [crate::assessment::fleet::Band],
        common_gaps: &'a [crate::assessment::fleet::CommonGap],
        tactics: &'a [crate::assessment::fleet::TacticName],
    }
    let head = super::json(&Head {
        format: fleet.format,
        totals: &fleet.totals,
        distribution: &fleet.distribution,
        common_gaps: &fleet.common_gaps,
        tactics: &fleet.tactics,
    });
    // The head is an object ending in `\n}\n`; the models close it instead.
    let head = head.trim_end().strip_suffix('}').unwrap_or(&head).trim_end();
    let mut out = String::with_capacity(head.len() + fleet.models.len() * 1200);
    out.push_str(head);
    out.push_str(",\n  \"models\": [");
    for (i, m) in fleet.models.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        let line = serde_json::to_string(m)
            .unwrap_or_else(|e| unreachable!("outputs are plain data and always serialise: {e}"));
        out.push_str(&line);
    }
    out.push_str(if fleet.models.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
    out
}

/// The page's context. The models are a sequence whose rows become template values one at a
/// time as the page is rendered, not all at once: converted whole, thousands of rows held more
/// memory than the rest of a batch (issue 22).
fn context(fleet: &Fleet, rows: std::sync::Arc<Vec<FleetModel>>) -> Value {
    minijinja::context! {
        format => fleet.format,
        totals => Value::from(minijinja::value::Serde(fleet.totals)),
        distribution => Value::from(minijinja::value::Serde(&fleet.distribution)),
        common_gaps => Value::from(minijinja::value::Serde(&fleet.common_gaps)),
        tactics => Value::from(minijinja::value::Serde(&fleet.tactics)),
        models => Value::from_object(Rows(rows)),
    }
}

/// The models of a fleet as a lazy template sequence.
#[derive(Debug)]
struct Rows(std::sync::Arc<Vec<FleetModel>>);

impl minijinja::value::Object for Rows {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get(key.as_usize()?).map(|m| Value::from(minijinja::value::Serde(m)))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }
}

/// The fixed columns of `fleet.csv`; one `tactic:<shortname>` column per tactic follows.
pub const COLUMNS: [&str; 22] = [
    "file",
    "name",
    "owner",
    "domain",
    "attack_version",
    "status",
    "exit",
    "coverage",
    "covered",
    "techniques",
    "gaps",
    "strong",
    "partial",
    "accepted",
    "out_of_scope",
    "targets",
    "failed",
    "failed_targets",
    "validation",
    "actors",
    "report",
    "error",
];

/// `fleet.csv`: one row per model, the batch's order.
pub fn csv(fleet: &Fleet) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let mut header: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    header.extend(fleet.tactics.iter().map(|t| format!("tactic:{}", t.shortname)));
    let _ = writer.write_record(&header);
    for m in &fleet.models {
        let _ = writer.write_record(row(fleet, m).iter().map(|c| cell(c)));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn row(fleet: &Fleet, m: &FleetModel) -> Vec<String> {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let number = |x: Option<f64>| x.map(trim_number).unwrap_or_default();
    let count =
        |f: fn(&crate::assessment::Coverage) -> usize| m.coverage.as_ref().map(f).map(|n| n.to_string());
    let status = serde_json::to_value(m.status).ok().and_then(|v| v.as_str().map(str::to_owned));
    let mut row = vec![
        m.file.clone(),
        text(&m.name),
        text(&m.owner),
        text(&m.domain),
        text(&m.attack_version),
        status.unwrap_or_default(),
        m.exit.to_string(),
        number(m.coverage.and_then(|c| c.percent)),
        text(&count(|c| c.covered)),
        text(&count(|c| c.techniques)),
        text(&count(|c| c.gaps)),
        text(&count(|c| c.strong)),
        text(&count(|c| c.partial)),
        text(&count(|c| c.accepted)),
        text(&count(|c| c.out_of_scope)),
        m.targets.to_string(),
        m.failed_targets.len().to_string(),
        m.failed_targets
            .iter()
            .map(|f| format!("{} (expected {}, actual {})", f.target, f.expected, f.actual))
            .collect::<Vec<_>>()
            .join(" | "),
        number(m.validation),
        m.actors
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    a.name,
                    a.percent.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"))
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        text(&m.report),
        text(&m.error),
    ];
    for t in &fleet.tactics {
        row.push(number(m.tactics.iter().find(|x| x.tactic == t.shortname).and_then(|x| x.percent)));
    }
    row
}

/// A link from the folder `from` to the file `to` (both absolute): relative, `/`-separated, each
/// segment percent-encoded.
pub fn link(from: &Path, to: &Path) -> String {
    // Lexically normalised: `a/./b/../c` is `a/c`.
    let normal = |p: &Path| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
                Component::Prefix(p) => out.push(p.as_os_str().to_string_lossy().into_owned()),
                Component::ParentDir => {
                    out.pop();
                }
                Component::RootDir | Component::CurDir => {}
            }
        }
        out
    };
    let (from, to) = (normal(from), normal(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut segments: Vec<String> = vec![String::from(".."); from.len() - common];
    segments.extend(to[common..].iter().map(|s| encode(s)));
    segments.join("/")
}

/// Percent-encodes everything but unreserved URL characters.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_climb_to_the_common_folder_and_encode_segments() {
        let link = link(Path::new("/work/fleet/summary"), Path::new("/work/fleet/out/a b#1/report.html"));
        assert_eq!(link, "../out/a%20b%231/report.html");
        assert_eq!(super::link(Path::new("/x"), Path::new("/x/m/report.html")), "m/report.html");
        assert_eq!(super::link(Path::new("/x/./s"), Path::new("/x/s/../m/report.html")), "../m/report.html");
    }

    #[test]
    fn fleet_json_is_the_fleet_with_one_line_per_model() {
        use crate::assessment::fleet::{FleetBuilder, Summary};
        for n in [0, 1, 3] {
            let mut builder = FleetBuilder::new();
            for i in 0..n {
                builder.add(Summary::invalid(&format!("m{i}.yaml"), 2, String::from("bad \"model\"\nline")));
            }
            let fleet = builder.finish();
            let text = super::json(&fleet);
            let read: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(read, serde_json::to_value(&fleet).expect("serialises"), "{text}");
            let model_lines = text.lines().filter(|l| l.starts_with("    {\"file\":")).count();
            assert_eq!(model_lines, n, "{text}");
            assert!(text.ends_with("}\n"));
        }
    }
}
