//! `ttpc check MODEL`: validate a model, resolve it against ATT&CK, print each actor's profile.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ttpc::Exit;
use ttpc::resolve::Resolved;
use ttpc::rules::SourceSummary;

use super::{CommandResult, Global, ui};

/// Arguments of `ttpc check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The threat model (YAML); several are checked one after the other (as pre-commit passes
    /// them), and the first invalid one ends the run.
    #[arg(required = true, num_args = 1..)]
    models: Vec<PathBuf>,
    #[command(flatten)]
    data: super::ModelData,
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    let session = super::session(global, Some(&args.data));
    for model in &args.models {
        let resolved = session.resolve(model)?;
        ui::print_plain(&summary(&resolved))?;
    }
    Ok(Exit::Ok)
}

fn summary(r: &Resolved) -> String {
    let kb = &r.attack.kb;
    let mut out = format!(
        "✓ {}: \"{}\" is a valid threat model\n  ATT&CK {} {} ({}, {} active techniques) from {}\n\n",
        r.model.source.name(),
        r.model.model.name,
        kb.domain(),
        r.attack.version.as_deref().unwrap_or("(version not stated)"),
        kb.flavour(),
        kb.active_techniques().count(),
        r.attack.path.display(),
    );
    let rows: Vec<Vec<String>> = r
        .actors
        .iter()
        .map(|a| {
            let (direct, campaigns, software) = a.provenance_counts();
            vec![
                a.reference.clone(),
                a.id.clone(),
                a.name.clone(),
                a.weight.to_string(),
                a.techniques.len().to_string(),
                direct.to_string(),
                campaigns.to_string(),
                software.to_string(),
            ]
        })
        .collect();
    out.push_str(&ui::table(
        &["actor", "ID", "ATT&CK name", "weight", "techniques", "direct", "via campaigns", "via software"],
        &rows,
    ));
    if !r.sources.is_empty() {
        out.push_str("\nRule sources\n");
        for source in &r.sources {
            let summary = SourceSummary::with(&source.report, Some((kb, &source.normalised)));
            out.push_str(&format!(
                "  {} ({}): {}\n",
                source.name,
                source.spec.kind,
                super::rules::headline(&summary)
            ));
            // The first few inline; all of them are in `ttpc rules` and the report.
            const SHOWN: usize = 10;
            for w in summary.warnings.iter().take(SHOWN) {
                out.push_str(&format!("    warning: {}: {}\n", w.path.display(), w.message));
            }
            if summary.warnings.len() > SHOWN {
                out.push_str(&format!(
                    "    ... {} more warnings (`ttpc rules {}` lists them all)\n",
                    summary.warnings.len() - SHOWN,
                    source.spec.path
                ));
            }
        }
    }
    if let Some((written, atomics)) = &r.emulation.atomics {
        let tests: usize = atomics.techniques.iter().map(|t| t.tests.len()).sum();
        out.push_str(&format!(
            "\nAtomic Red Team: {}: {} files, {} technique files ({} tests), {} skipped\n",
            written,
            atomics.files,
            atomics.parsed_files,
            tests,
            atomics.skipped.len()
        ));
    }
    if let Some(results) = &r.emulation.results {
        out.push_str(&format!(
            "Emulation results: {}: {} results, {} unreadable rows\n",
            results.path.display(),
            results.results.len(),
            results.warnings.len()
        ));
    }
    let union: BTreeSet<_> = r.actors.iter().flat_map(|a| a.techniques.keys()).collect();
    out.push_str(&format!(
        "\n{} actor{}, {} unique techniques\n",
        r.actors.len(),
        if r.actors.len() == 1 { "" } else { "s" },
        union.len()
    ));
    out
}
