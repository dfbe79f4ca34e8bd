//! The drift section of the pull-request comment and the job summary: for each file source
//! paired with a live source (`deployed_as`), the rules in git but not deployed, deployed but
//! disabled, deployed but not in git, and mapped differently. Names come from rules and the
//! SIEM, so all are escaped for Markdown.

use super::escape::markdown as md;
use crate::assessment::{Drift, DriftRule};

/// Items listed per kind of disagreement before the rest is counted.
const SHOWN: usize = 20;

/// The section, empty when the model pairs no sources.
pub fn markdown(drift: &[Drift]) -> String {
    let mut out = String::new();
    for d in drift {
        out.push_str(&format!(
            "\n#### Drift: {} (git, {} rules) vs {} (deployed, {} rules)\n\nCoverage counts the {} side. ",
            md(&d.source),
            d.in_git,
            md(&d.deployed_as),
            d.deployed,
            md(&d.counted)
        ));
        if d.count() == 0 {
            out.push_str("Git and the deployed rules agree.\n");
            continue;
        }
        out.push_str(&format!("{} disagreement{}:\n\n", d.count(), if d.count() == 1 { "" } else { "s" }));
        list(&mut out, "In git, not deployed", &d.not_deployed);
        list(&mut out, "Deployed but disabled", &d.disabled);
        list(&mut out, "Deployed, not in git", &d.not_in_git);
        if !d.mapped_differently.is_empty() {
            out.push_str(&format!("- **Mapped differently** ({}):\n", d.mapped_differently.len()));
            for m in d.mapped_differently.iter().take(SHOWN) {
                out.push_str(&format!(
                    "  - `{}` {}: git {} / deployed {}\n",
                    md(&m.id),
                    md(&m.title),
                    techniques(&m.git),
                    techniques(&m.deployed)
                ));
            }
            more(&mut out, d.mapped_differently.len());
        }
    }
    out
}

fn techniques(ids: &[String]) -> String {
    if ids.is_empty() { String::from("none") } else { md(&ids.join(", ")) }
}

fn list(out: &mut String, title: &str, rules: &[DriftRule]) {
    if rules.is_empty() {
        return;
    }
    out.push_str(&format!("- **{title}** ({}):\n", rules.len()));
    for r in rules.iter().take(SHOWN) {
        out.push_str(&format!("  - `{}` {} — {}\n", md(&r.id), md(&r.title), md(&r.place)));
    }
    more(out, rules.len());
}

fn more(out: &mut String, total: usize) {
    if total > SHOWN {
        out.push_str(&format!("  - … and {} more (assessment.json lists all)\n", total - SHOWN));
    }
}
