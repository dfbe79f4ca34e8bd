//! `ttpc technique ID`: everything the knowledge base knows about one technique.

use ttpc::attack::{KnowledgeBase, Status, TechniqueIdx};
use ttpc::diagnostics::nearest;
use ttpc::{Error, Exit};

use super::ui::{self, Format};
use super::{CommandResult, Global};

/// Arguments of `ttpc technique`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Technique ID, e.g. T1059.001 (any case).
    id: String,
    #[command(flatten)]
    release: super::Release,
    #[command(flatten)]
    output: super::FormatArg,
}

#[derive(serde::Serialize)]
struct LogSourceView {
    name: String,
    channel: Option<String>,
}

#[derive(serde::Serialize)]
struct AnalyticView {
    id: String,
    platforms: Vec<String>,
    description: String,
    log_sources: Vec<LogSourceView>,
}

#[derive(serde::Serialize)]
struct StrategyView {
    id: String,
    name: String,
    analytics: Vec<AnalyticView>,
}

#[derive(serde::Serialize)]
struct View {
    id: String,
    name: String,
    status: &'static str,
    revoked_by: Option<String>,
    url: Option<String>,
    tactics: Vec<String>,
    platforms: Vec<String>,
    parent: Option<String>,
    subtechniques: Vec<String>,
    groups: Vec<String>,
    detection_strategies: Vec<StrategyView>,
    data_components: Vec<String>,
    mitigations: Vec<String>,
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    let data = super::session(global, None).attack(&args.release.pin())?;
    let kb = &data.kb;
    let Some(idx) = kb.technique(&args.id) else {
        let suggestions = suggest(kb, &args.id);
        // An ID of another release says what it stands for here.
        let help = match kb.translate(&args.id) {
            Some(ttpc::attack::releases::Foreign::Translated { release, techniques, .. }) => Some(format!(
                "{} is an ID of ATT&CK {release}; here it stands for {}",
                args.id.to_ascii_uppercase(),
                techniques
                    .iter()
                    .map(|t| format!("{} {}", kb[*t].id, kb.full_name(*t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some(ttpc::attack::releases::Foreign::New { release }) => Some(format!(
                "{} is new in ATT&CK {release} and has no equivalent in this release",
                args.id.to_ascii_uppercase()
            )),
            None => (!suggestions.is_empty()).then(|| format!("did you mean {}?", suggestions.join(", or "))),
        };
        return Err(Error::NotFound {
            message: format!("no technique {} in ATT&CK {}", args.id, kb.domain()),
            help,
        });
    };
    let view = view(kb, idx);
    match args.output.format {
        Format::Json => ui::print(&ui::to_json(&view))?,
        Format::Text => ui::print(&text(&view))?,
    }
    Ok(Exit::Ok)
}

/// For an ID, the technique family it belongs to (`T1059.009` → `T1059`, its sub-techniques); for
/// a name, the nearest names.
fn suggest(kb: &KnowledgeBase, query: &str) -> Vec<String> {
    let label = |t: TechniqueIdx| format!("{} {}", kb[t].id, kb.full_name(t));
    let upper = query.trim().to_ascii_uppercase();
    let family = upper.get(..5).filter(|p| p.starts_with('T'));
    if let Some(family) = family {
        let list: Vec<String> =
            kb.active_techniques().filter(|t| kb[*t].id.starts_with(family)).map(label).take(4).collect();
        if !list.is_empty() {
            return list;
        }
    }
    let names: Vec<(String, TechniqueIdx)> = kb.active_techniques().map(|t| (kb.full_name(t), t)).collect();
    nearest(query, names.iter().map(|(n, _)| n.as_str()), 3)
        .into_iter()
        .filter_map(|n| names.iter().find(|(name, _)| name == n).map(|(_, t)| label(*t)))
        .collect()
}

fn view(kb: &KnowledgeBase, idx: TechniqueIdx) -> View {
    let t = &kb[idx];
    let label = |i: TechniqueIdx| format!("{} {}", kb[i].id, kb.full_name(i));
    View {
        id: t.id.clone(),
        name: kb.full_name(idx),
        status: match t.status {
            Status::Active => "active",
            Status::Deprecated => "deprecated",
            Status::Revoked => "revoked",
        },
        revoked_by: t.revoked_by.map(label),
        url: t.url.clone(),
        tactics: t.tactics.iter().map(|x| kb[*x].name.clone()).collect(),
        platforms: t.platforms.clone(),
        parent: t.parent.map(label),
        subtechniques: t.subtechniques.iter().filter(|s| kb[**s].is_active()).map(|s| label(*s)).collect(),
        groups: kb.groups_using(idx).into_iter().map(|g| format!("{} {}", kb[g].id, kb[g].name)).collect(),
        detection_strategies: t
            .detection_strategies
            .iter()
            .map(|d| {
                let d = &kb[*d];
                StrategyView {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    analytics: d
                        .analytics
                        .iter()
                        .map(|a| {
                            let a = &kb[*a];
                            AnalyticView {
                                id: a.id.clone(),
                                platforms: a.platforms.clone(),
                                description: a.description.clone(),
                                log_sources: a
                                    .log_sources
                                    .iter()
                                    .map(|l| LogSourceView {
                                        name: l.name.clone(),
                                        channel: l.channel.clone(),
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        data_components: t
            .data_components
            .iter()
            .map(|d| {
                let d = &kb[*d];
                match &d.data_source {
                    Some(source) => format!("{source}: {}", d.name),
                    None => d.name.clone(),
                }
            })
            .collect(),
        mitigations: t.mitigations.iter().map(|m| format!("{} {}", kb[*m].id, kb[*m].name)).collect(),
    }
}

fn text(v: &View) -> String {
    let mut out = format!("{} {}", v.id, v.name);
    if v.status != "active" {
        out.push_str(&format!(" ({})", v.status));
    }
    out.push('\n');
    if let Some(next) = &v.revoked_by {
        out.push_str(&format!("  replaced by: {next}\n"));
    }
    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("  {title}: {}\n", items.join(", ")));
        }
    };
    if let Some(url) = &v.url {
        out.push_str(&format!("  {url}\n"));
    }
    list(&mut out, "tactics", &v.tactics);
    list(&mut out, "platforms", &v.platforms);
    if let Some(parent) = &v.parent {
        out.push_str(&format!("  parent: {parent}\n"));
    }
    list(&mut out, "sub-techniques", &v.subtechniques);
    list(&mut out, &format!("groups using it ({})", v.groups.len()), &v.groups);
    list(&mut out, "mitigations", &v.mitigations);
    list(&mut out, "data components (ATT&CK ≤ v17)", &v.data_components);
    if !v.detection_strategies.is_empty() {
        out.push_str("  detection strategies:\n");
        for d in &v.detection_strategies {
            out.push_str(&format!("    {} {}\n", d.id, d.name));
            for a in &d.analytics {
                let sources: Vec<String> = a
                    .log_sources
                    .iter()
                    .map(|l| match &l.channel {
                        Some(c) => format!("{} ({c})", l.name),
                        None => l.name.clone(),
                    })
                    .collect();
                out.push_str(&format!(
                    "      {} [{}] {}\n",
                    a.id,
                    a.platforms.join(", "),
                    sources.join("; ")
                ));
            }
        }
    }
    out
}
