//! Emitters: pure functions of the [`Assessment`] that render every output — Navigator layers,
//! the remediation plan (YAML), the gaps as a spreadsheet (CSV), the Markdown report, the
//! assessment itself (JSON) and the terminal summary — plus the atomic writer that puts them on
//! disk.
//!
//! Everything is rendered in memory before anything is written, so a template error or a
//! failing emitter leaves earlier outputs untouched.

pub mod diff;
pub mod emulation;
pub mod escape;
pub mod layers;
pub mod plan;
pub mod report;
pub mod spreadsheet;
pub mod svg;
pub mod terminal;
pub mod write;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::assessment::Assessment;
pub use write::{OutputFile, WriteError, write_all};

/// Options that change what is rendered.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// A user template replacing the built-in Markdown report.
    pub report_template: Option<PathBuf>,
    /// A user template replacing the built-in HTML report.
    pub html_template: Option<PathBuf>,
    /// The overall target, for the plan's `target_coverage`.
    pub overall_target: Option<f64>,
}

/// Renders every output file.
pub fn render_all(
    a: &Assessment,
    options: &EmitOptions,
) -> Result<Vec<OutputFile>, Box<report::TemplateError>> {
    let mut files = Vec::new();
    let ctx = report::context(a);
    for (name, layer) in layers::layers(a) {
        files.push(OutputFile { path: Path::new("layers").join(name), contents: json(&layer) });
    }
    files.push(OutputFile { path: PathBuf::from("matrix.svg"), contents: svg::matrix_svg(a) });
    let plan = plan::document(a, options.overall_target);
    files.push(OutputFile { path: PathBuf::from("remediation-plan.yaml"), contents: yaml(&plan) });
    files.push(OutputFile { path: PathBuf::from("gaps.csv"), contents: spreadsheet::gaps_csv(a) });
    // The two reports are the costliest renders and independent of each other: one per core.
    let (markdown, (assessment, html)) = rayon::join(
        || report::markdown_report_in(&ctx, options.report_template.as_deref()),
        || {
            let assessment = json(a);
            // The page's script nonce: derived from the data, so it is the same on every run and
            // cannot be known in advance by whoever writes a rule title.
            let nonce = crate::attack::store::sha256_hex(assessment.as_bytes())[..32].to_owned();
            let html = report::html_report_in(&ctx, options.html_template.as_deref(), &nonce);
            (assessment, html)
        },
    );
    files.push(OutputFile { path: PathBuf::from("report.md"), contents: markdown? });
    if let Some(e) = &a.emulation {
        files.push(OutputFile {
            path: PathBuf::from("emulation-plan.md"),
            contents: report::emulation_plan_in(&ctx)?,
        });
        for actor in &e.actors {
            let slug = layers::slug(&actor.name);
            let dir = Path::new("emulation");
            files.push(OutputFile {
                path: dir.join(format!("{slug}.ps1")),
                contents: emulation::powershell(a, actor),
            });
            files.push(OutputFile {
                path: dir.join(format!("{slug}.sh")),
                contents: emulation::shell(a, actor),
            });
            files.push(OutputFile {
                path: dir.join(format!("{slug}.caldera.yml")),
                contents: yaml(&emulation::caldera(a, actor)),
            });
        }
    }
    files.push(OutputFile { path: PathBuf::from("report.html"), contents: html? });
    files.push(OutputFile { path: PathBuf::from("assessment.json"), contents: assessment });
    Ok(files)
}

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| unreachable!("outputs are plain data and always serialise: {e}"));
    text.push('\n');
    text
}

/// YAML that YAML 1.1 and 1.2 readers read back the same (see [`yaml::to_string`]).
pub fn yaml<T: serde::Serialize>(value: &T) -> String {
    yaml::to_string(value)
}
