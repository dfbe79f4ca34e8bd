//! GitHub Actions: the job summary (appended to `$GITHUB_STEP_SUMMARY`) and `::error` /
//! `::warning` workflow commands, which GitHub shows as annotations at the model line of each
//! failed target (and of each new gap or newly uncovered technique).

use super::places::{Level, Outcome, findings};

/// The workflow commands of the compiled models: `::error` for failed targets, `::warning` for
/// new gaps and newly uncovered techniques (input problems are left to the SARIF file and the
/// diagnostics, which already show them).
pub fn workflow_commands(outcomes: &[Outcome<'_>]) -> String {
    let mut out = String::new();
    for o in outcomes {
        for f in findings(o) {
            if f.kind == super::places::Kind::InputProblem {
                continue;
            }
            let command = match f.level {
                Level::Error => "error",
                Level::Warning => "warning",
            };
            out.push_str(&format!(
                "::{command} file={},line={},title={}::{}\n",
                property(&f.uri),
                f.line,
                property(&format!("ttpc: {}", f.title)),
                data(&f.message)
            ));
        }
    }
    out
}

/// The job summary: per model, the pull-request comment when there is a baseline, else the
/// verdicts as a table.
pub fn step_summary(outcomes: &[Outcome<'_>]) -> String {
    let mut out = String::new();
    for o in outcomes {
        let a = o.assessment;
        if let Some(c) = o.comparison {
            out.push_str(&super::diff::markdown(c));
        } else {
            let coverage = a.overall.percent.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
            let failed = a.verdicts.iter().filter(|v| !v.pass).count();
            out.push_str(&format!(
                "### {} {}: coverage {coverage} ({}/{})\n\n",
                if failed == 0 { "✅" } else { "❌" },
                super::escape::markdown(&a.model.name),
                a.overall.covered,
                a.overall.techniques
            ));
            if a.verdicts.is_empty() {
                out.push_str("The model sets no targets.\n");
            } else {
                out.push_str("| | target | expected | actual |\n|---|---|---|---|\n");
                for v in &a.verdicts {
                    out.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        if v.pass { "✅" } else { "❌" },
                        super::escape::markdown(&v.target),
                        super::escape::markdown(&v.expected),
                        super::escape::markdown(&v.actual)
                    ));
                }
            }
            out.push_str(&super::drift::markdown(&a.drift));
        }
        out.push('\n');
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_values() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
