//! The terminal summary: the brief's assessment box (━ rules, █/░ bars, "<-- Priority gap"
//! marks), coloured only when writing to a terminal.
//!
//! Every string from outside (model, actor, tactic and technique names, target texts) goes
//! through [`super::escape::terminal`]: a rule file or model could otherwise carry ANSI escapes or
//! carriage returns that recolour the box or overwrite a `[FAIL]` line. ttpc's own colours are
//! added after escaping.

use super::escape::terminal as t;
use crate::assessment::Assessment;

const WIDTH: usize = 78;

/// The summary; `color` adds ANSI colours.
pub fn summary(a: &Assessment, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    };
    let rule = "━".repeat(WIDTH);
    // One decimal, as every other output: the figure is rounded once, from counts (assessment::number).
    let pct = |p: Option<f64>| p.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
    let bar = |p: Option<f64>| {
        let full = ((p.unwrap_or(0.0) / 10.0).round() as usize).min(10);
        format!("{}{}", "█".repeat(full), "░".repeat(10 - full))
    };
    let mut out = String::new();
    out.push_str(&format!("{rule}\n"));
    out.push_str(&paint("1", &format!("THREAT MODEL ASSESSMENT — {}", t(&a.model.name))));
    out.push('\n');
    out.push_str(&format!("{rule}\n"));
    let names: Vec<String> = a.actors.iter().map(|x| t(&x.name)).collect();
    out.push_str(&format!(
        "Threat Actors: {}    Techniques Total: {} unique\n",
        names.join(", "),
        a.overall.techniques
    ));
    out.push_str(&format!(
        "ATT&CK: {} {}    Accepted: {}    Out of scope: {}\n\n",
        t(&a.model.matrix),
        t(&a.model.attack_version),
        a.overall.accepted,
        a.overall.out_of_scope
    ));
    let o = &a.overall;
    let gap_share = crate::assessment::percent(o.gaps, o.techniques);
    out.push_str("DETECTION COVERAGE:\n");
    out.push_str(&format!(
        "  Covered: {}/{} ({})   Gaps: {}/{} ({})   Strong: {}   Partial: {}\n",
        o.covered,
        o.techniques,
        pct(o.percent),
        o.gaps,
        o.techniques,
        pct(gap_share),
        o.strong,
        o.partial
    ));
    if let Some(p) = o.protection {
        out.push_str(&format!(
            "  Protected: {}/{}   Detected or protected: {}/{} ({})\n",
            p.protected,
            o.techniques,
            p.detected_or_protected,
            o.techniques,
            pct(p.percent)
        ));
    }
    out.push('\n');
    out.push_str("Tactic Coverage Breakdown:\n");
    let name_width = a.tactics.iter().map(|x| t(&x.name).chars().count()).max().unwrap_or(10) + 1;
    for tactic in a.tactics.iter().filter(|x| x.coverage.techniques > 0) {
        let label = format!("{}:", t(&tactic.name));
        let mut line = format!(
            "  {label:<name_width$} {:>6} {}",
            pct(tactic.coverage.percent),
            bar(tactic.coverage.percent)
        );
        if tactic.priority_gap {
            line.push_str(&paint("33", " <-- Priority gap"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    if a.tactics.iter().any(|x| x.priority_gap) {
        out.push_str(&format!("  ({})\n", a.semantics.priority_gap));
    }
    if let Some(account) = &a.telemetry {
        out.push_str(&telemetry_lines(account));
    }
    if let Some(first) = a.plan.horizons.first() {
        out.push_str(&format!("\nTOP PRIORITY GAPS ({}-day remediation):\n", first.days));
        for (i, item) in first.items.iter().enumerate() {
            let technique = a.technique(&item.technique);
            let users = technique.map(|x| x.actors.len()).unwrap_or(0);
            let used = if users == a.actors.len() && users > 1 {
                format!("used by all {users} actors")
            } else {
                format!("used by {}", technique.map(|x| t(&x.actors.join(", "))).unwrap_or_default())
            };
            out.push_str(&format!(
                "  {}. {} {} — {used}, {} detections, effort {}\n",
                i + 1,
                t(&item.technique),
                t(&item.name),
                technique.map_or(0, |x| x.score),
                item.effort.as_str()
            ));
        }
    }
    if let (Some(now), Some(last)) = (a.plan.projection.first(), a.plan.projection.last())
        && a.plan.projection.len() > 1
    {
        out.push_str(&format!(
            "\nINVESTMENT RECOMMENDATION: Closing top {} gaps: expected coverage {} -> {}\n",
            last.closed,
            pct(now.percent),
            pct(last.percent)
        ));
        if let Some(r) = &a.plan.reach {
            out.push_str(&format!("  {}\n", reach_line(r)));
        }
    }
    if let Some(e) = a.emulation.as_ref().filter(|e| e.results.is_some()) {
        let s = &e.summary;
        out.push_str(&format!(
            "\nVALIDATION: {}/{} covered techniques validated ({})   Failed: {}   Partial: {}   Stale: {}   Untested: {}\n",
            s.validated,
            s.covered_on_paper,
            pct(s.percent),
            s.failed,
            s.partial,
            s.stale,
            s.untested
        ));
    }
    if !a.verdicts.is_empty() {
        out.push_str("\nTARGETS:\n");
        for v in &a.verdicts {
            let mark = if v.pass { paint("32", "pass") } else { paint("31", "FAIL") };
            out.push_str(&format!(
                "  [{mark}] {}: expected {}, actual {}\n",
                t(&v.target),
                t(&v.expected),
                t(&v.actual)
            ));
        }
    }
    out.push_str(&format!("{rule}\n"));
    out
}

/// The telemetry block: visible-not-detected gaps and the rules the policy left out, summed over
/// the sources.
pub fn telemetry_lines(account: &crate::assessment::TelemetryAccount) -> String {
    let sum =
        |f: fn(&crate::assessment::SourceExclusions) -> usize| account.sources.iter().map(f).sum::<usize>();
    let collected =
        if account.collected.is_empty() { String::from("none listed") } else { account.collected.join(", ") };
    let mut out = format!("\nTELEMETRY ({}):\n", t(&collected));
    out.push_str(&format!(
        "  Visible, not detected: {}   Quick wins: {}\n",
        account.visible_not_detected,
        account.quick_wins.len()
    ));
    let blind = sum(|s| s.blind);
    out.push_str(&format!(
        "  Blind rules: {blind}{}   Hunting rules: {}{}   Below counted levels: {}   Unmapped telemetry: {} rules\n",
        if account.require_telemetry || blind == 0 { "" } else { " (counted: require_telemetry is off)" },
        sum(|s| s.hunting),
        if account.count_hunting { " (counted)" } else { "" },
        sum(|s| s.level),
        sum(|s| s.unknown_telemetry),
    ));
    out
}

/// Whether the plan meets the overall target, and how many gaps would.
pub fn reach_line(r: &crate::assessment::TargetReach) -> String {
    let target = crate::assessment::trim_number(r.target);
    let needed = match r.gaps_needed {
        Some(0) => String::from("it is met today"),
        Some(n) => format!("closing {n} gap{} would meet it", if n == 1 { "" } else { "s" }),
        None => String::from("closing every gap would not meet it"),
    };
    if r.reached {
        format!("The plan meets the {target}% overall target ({needed}).")
    } else {
        format!("The plan does not meet the {target}% overall target: {needed}.")
    }
}
