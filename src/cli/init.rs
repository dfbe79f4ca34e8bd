//! `ttpc init`: write a commented starter model that passes `ttpc check` straight away.
//!
//! When ATT&CK data is at hand, the actors are resolved before anything is written (a typo is an
//! error with suggestions, not a broken file) and written with their canonical names.

use std::path::PathBuf;

use ttpc::attack::Domain;
use ttpc::attack::source::Pin;
use ttpc::model::RuleKind;
use ttpc::{Error, Exit};

use super::{CommandResult, Global, ui};

/// Arguments of `ttpc init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the model.
    #[arg(long, short = 'o', default_value = "threat-model.yaml")]
    output: PathBuf,
    /// The model's name.
    #[arg(long, default_value = "My organisation")]
    name: String,
    /// Threat actors: ATT&CK IDs, names or aliases, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "FIN7")]
    actors: Vec<String>,
    /// Platforms in scope, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "Windows,Linux,macOS")]
    platforms: Vec<String>,
    /// A rule source as KIND:PATH (e.g. sigma:detections/sigma), relative to the model; repeatable.
    #[arg(long = "rules", value_name = "KIND:PATH")]
    rules: Vec<String>,
    /// The ATT&CK domain.
    #[arg(long, value_enum, default_value_t = Domain::EnterpriseAttack)]
    domain: Domain,
    /// The ATT&CK release to pin (default: the release of --attack-data when it says, else the
    /// newest of the domain in the cache, else 18.1).
    #[arg(long = "attack-version")]
    version: Option<String>,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
}

fn quote(s: &str) -> String {
    // serde_yaml quotes exactly when YAML needs it.
    ttpc::emit::yaml(&s).trim_end().to_owned()
}

pub fn run(args: &Args, global: &Global) -> CommandResult {
    if args.output.exists() && !args.force {
        return Err(Error::NotFound {
            message: format!("{} already exists", args.output.display()),
            help: Some(String::from("choose another file with -o, or pass --force to replace it")),
        });
    }
    let mut rules = Vec::new();
    for spec in &args.rules {
        let Some((kind, path)) = spec.split_once(':') else {
            return Err(Error::NotFound {
                message: format!("`{spec}` is not KIND:PATH"),
                help: Some(String::from("e.g. --rules sigma:detections/sigma")),
            });
        };
        let Some(kind) = RuleKind::ALL.into_iter().find(|k| k.as_str() == kind) else {
            let names: Vec<&str> = RuleKind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(Error::NotFound {
                message: format!("`{kind}` is not a rule format"),
                help: Some(format!("formats: {}", names.join(", "))),
            });
        };
        rules.push((kind, path.to_owned()));
    }

    // The release to pin: the one asked for; else, with --attack-data, the file's own (known once
    // it is loaded); else the newest of the domain in the cache; else ttpc's default.
    let cached = ttpc::attack::source::cache_root()
        .and_then(|root| ttpc::attack::source::cached_versions(&root, args.domain).pop());
    let otherwise = || match &cached {
        Some(v) => (v.clone(), format!("the newest {} release in the cache", args.domain)),
        None => (
            String::from(ttpc::attack::store::LATEST_KNOWN),
            format!(
                "the cache holds no {} release, so ttpc's default; `ttpc attack fetch` gets the newest",
                args.domain
            ),
        ),
    };
    let (version, mut why) = match (&args.version, &global.attack_data) {
        (Some(v), _) => (Some(v.clone()), String::from("as given with --attack-version")),
        (None, Some(file)) => (None, format!("the release {} holds", file.display())),
        (None, None) => {
            let (v, why) = otherwise();
            (Some(v), why)
        }
    };
    let mut decide = |version: Option<String>, found: Option<String>| match version
        .or(found.filter(|v| ttpc::attack::source::is_version(v)))
    {
        Some(v) => v,
        None => {
            let (v, because) = otherwise();
            why = because;
            v
        }
    };
    // Check the model as `ttpc check` would before writing it, when ATT&CK data is available.
    let path = args.output.clone();
    let pin = Pin { domain: Some(args.domain), version: version.clone() };
    let (version, text) = match super::session(global, None).attack(&pin) {
        Ok(data) => {
            let version = decide(version, data.version.clone());
            let text = model_text(args, &version, &args.actors, &rules);
            let loaded = ttpc::model::load_str(&path, text)?;
            let resolved = ttpc::resolve::resolve(loaded, data)?;
            let mut canonical: Vec<String> = Vec::new();
            for actor in &resolved.actors {
                if !canonical.contains(&actor.name) {
                    canonical.push(actor.name.clone());
                }
            }
            (version.clone(), model_text(args, &version, &canonical, &rules))
        }
        Err(Error::Attack(e)) if matches!(*e, ttpc::attack::AttackError::NoData { .. }) => {
            let version = decide(version, None);
            let text = model_text(args, &version, &args.actors, &rules);
            // Still a valid model, whatever the actors turn out to be.
            ttpc::model::load_str(&path, text.clone())?;
            ui::warn(
                "ttpc::init::unchecked",
                String::from("no ATT&CK data at hand: the actors were not checked"),
                Some(String::from("run `ttpc check` on the new model once the data is available")),
            );
            (version, text)
        }
        Err(e) => return Err(e),
    };
    ttpc::io::write_atomic(&path, text.as_bytes())?;
    ui::print_plain(&format!(
        "pinned ATT&CK {} {version}: {why}\nwrote {}; next: ttpc check {}\n",
        args.domain,
        path.display(),
        path.display()
    ))?;
    Ok(Exit::Ok)
}

fn model_text(args: &Args, version: &str, actors: &[String], rules: &[(RuleKind, String)]) -> String {
    let mut out = String::from(
        "# A ttpc threat model. Reference: `ttpc schema` (JSON Schema, every field documented) and\n\
         # the README. Paths are relative to this file. Percentages are written like 80%.\n",
    );
    out.push_str("ttpc: 1\n");
    out.push_str(&format!("name: {}\n", quote(&args.name)));
    out.push_str("# owner: detection-engineering@example.com\n");
    out.push_str(
        "# assessed: \"2026-01-31\"            # the date written into reports (quoted: YAML 1.1 readers\n",
    );
    out.push_str(
        "#                                     # such as PyYAML would load a bare date as a date)\n\n",
    );
    out.push_str(&format!(
        "# The ATT&CK data: `ttpc attack fetch --version {v}` (or `ttpc attack import FILE`).\n",
        v = version
    ));
    out.push_str(&format!("attack: {{domain: {}, version: {}}}\n\n", args.domain, quote(version)));
    out.push_str("scope:\n  platforms: [");
    out.push_str(&args.platforms.iter().map(|p| quote(p.trim())).collect::<Vec<_>>().join(", "));
    out.push_str("]\n\n");
    out.push_str("# Who attacks you: ATT&CK groups, campaigns or software by ID, name or alias.\n");
    out.push_str(
        "# weight: how much each matters (default 1); via_software: also count its software's techniques.\n",
    );
    out.push_str("actors:\n");
    for actor in actors {
        out.push_str(&format!("  - {{ref: {}, weight: 1}}\n", quote(actor.trim())));
    }
    out.push_str(
        "\n# What you defend; critical and high assets raise the priority of gaps on their platforms.\n",
    );
    out.push_str(
        "# assets:\n#   - {name: Domain controllers, criticality: critical, platforms: [Windows]}\n\n",
    );
    out.push_str(
        "# Log sources you collect today, as ATT&CK names them; gaps they can detect are quick wins.\n",
    );
    out.push_str("# telemetry: [\"WinEventLog:Security\", \"WinEventLog:Sysmon\"]\n\n");
    out.push_str(
        "# Where your detections live: sigma, splunk-savedsearches, splunk-content, elastic, sentinel,\n# csv, navigator-layer.\n",
    );
    if rules.is_empty() {
        out.push_str("# rules:\n#   - {kind: sigma, path: detections/sigma}\n\n");
    } else {
        out.push_str("rules:\n");
        for (kind, path) in rules {
            if *kind == RuleKind::MappingsExplorer {
                // A mapping file needs the capabilities the team runs; `all` is a start to narrow.
                out.push_str(&format!(
                    "  - {{kind: {kind}, path: {}, capabilities: all}}   # list the capabilities you run\n",
                    quote(path)
                ));
            } else {
                out.push_str(&format!("  - {{kind: {kind}, path: {}}}\n", quote(path)));
            }
        }
        out.push('\n');
    }
    out.push_str("# coverage: {strong_at: 2, parent_covers_subtechniques: false}\n");
    out.push_str(
        "# Only rules that can fire, alert and matter (README \"What counts as coverage\"):\n# coverage: {require_telemetry: true, count_levels: [critical, high, medium], count_hunting: false}\n\n",
    );
    out.push_str("# What you promise; a broken target makes `ttpc compile` exit 1.\n");
    out.push_str("targets:\n  overall: 0%                       # raise as detections land\n");
    out.push_str("  # must_cover: [T1003.006]\n  # no_drop_from_baseline: true     # with `ttpc compile --baseline BASE.json` in CI\n\n");
    out.push_str("# remediation: {horizons_days: [30, 60, 90], per_horizon: 5}\n");
    out.push_str("# validation: {atomics: atomic-red-team/atomics, results: emulation/results.csv}\n");
    out.push_str("outputs: {dir: out}\n");
    out
}
