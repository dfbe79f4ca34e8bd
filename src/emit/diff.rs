//! Rendering a [`Comparison`] of two assessments: plain text for a terminal, and a compact
//! Markdown pull-request comment (tables, ▲▼ marks, at most about 60 lines visible, everything
//! else folded into `<details>`).
//!
//! Every name in either comes from the two assessments, that is from rule files and models: the
//! Markdown escapes it for Markdown ([`super::escape::markdown`]), the text shows its control
//! characters instead of obeying them ([`super::escape::terminal`]).

use super::escape::terminal as term;
use crate::assessment::{Comparison, Delta, TechniqueChange, VerdictChange};

/// Items listed in the visible part of the comment before the rest is folded away.
const VISIBLE: usize = 8;

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| String::from("—"), |p| format!("{p:.1}%"))
}

/// `▲ 1.2`, `▼ 0.6`, `= 0.0`, `new`.
pub fn mark(change: Option<f64>) -> String {
    match change {
        Some(c) if c > 0.0 => format!("▲ {c:.1}"),
        Some(c) if c < 0.0 => format!("▼ {:.1}", -c),
        Some(_) => String::from("= 0.0"),
        None => String::from("—"),
    }
}

fn verdict_word(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "pass",
        Some(false) => "FAIL",
        None => "—",
    }
}

fn technique_line(t: &TechniqueChange) -> String {
    let mut line = format!("**{}** {}", md(&t.id), md(&t.name));
    if !t.actors.is_empty() {
        line.push_str(&format!(" — {}", md(&t.actors.join(", "))));
    }
    if !t.rules_removed.is_empty() {
        let list: Vec<String> = t.rules_removed.iter().map(|r| md(r)).collect();
        line.push_str(&format!("; removed: {}", list.join("; ")));
    }
    if !t.rules_added.is_empty() {
        let list: Vec<String> = t.rules_added.iter().map(|r| md(r)).collect();
        line.push_str(&format!("; added: {}", list.join("; ")));
    }
    line
}

fn delta_row(d: &Delta) -> String {
    let count = |x: Option<(usize, usize)>| x.map_or_else(|| String::from("—"), |(c, n)| format!("{c}/{n}"));
    format!(
        "| {} | {} {} | {} {} | {} |",
        md(&d.name),
        pct(d.base_percent),
        count(d.base),
        pct(d.head_percent),
        count(d.head),
        mark(d.change)
    )
}

fn verdict_row(v: &VerdictChange) -> String {
    let icon = match v.head {
        Some(false) => "❌",
        Some(true) => "✅",
        None => "➖",
    };
    format!(
        "| {icon} {} | {} → {} | {} | {} |",
        md(&v.target),
        if v.base.is_none() { "new" } else { verdict_word(v.base) },
        verdict_word(v.head),
        md(&v.expected),
        md(&v.actual)
    )
}

/// The pull-request comment.
pub fn markdown(c: &Comparison) -> String {
    let mut out = changes(c);
    out.push_str(&super::drift::markdown(&c.drift));
    out
}

/// The comment without the drift section.
fn changes(c: &Comparison) -> String {
    let mut out = format!(
        "### ttpc — {}: coverage {} → {} ({})\n\n",
        md(&c.model),
        pct(c.overall.base_percent),
        pct(c.overall.head_percent),
        mark(c.overall.change)
    );
    if c.is_empty() {
        out.push_str("No change in coverage, gaps, targets or validation.\n");
        return out;
    }
    if c.base_attack != c.head_attack {
        out.push_str(&format!("ATT&CK {} → {}.\n\n", md(&c.base_attack), md(&c.head_attack)));
    }
    let failing: Vec<&VerdictChange> = c.verdicts.iter().filter(|v| v.head == Some(false)).collect();
    if !failing.is_empty() {
        out.push_str("**Targets failing**\n\n| Target | Was → is | Expected | Actual |\n|---|---|---|---|\n");
        for v in &failing {
            out.push_str(&verdict_row(v));
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str("| Coverage | Base | Head | Change |\n|---|---:|---:|---:|\n");
    out.push_str(&delta_row(&c.overall));
    out.push('\n');
    for d in c.actors.iter().filter(|d| d.changed()) {
        out.push_str(&delta_row(d));
        out.push('\n');
    }
    out.push('\n');
    let list = |title: &str, items: &[TechniqueChange], out: &mut String| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("**{title} ({})**\n\n", items.len()));
        for t in items.iter().take(VISIBLE) {
            out.push_str(&format!("- {}\n", technique_line(t)));
        }
        if items.len() > VISIBLE {
            out.push_str(&format!("- … {} more below\n", items.len() - VISIBLE));
        }
        out.push('\n');
    };
    list("▼ Newly uncovered", &c.newly_uncovered, &mut out);
    list("▲ Newly covered", &c.newly_covered, &mut out);
    list("New gaps", &c.new_gaps, &mut out);

    // Everything, folded.
    let mut details = String::new();
    if !c.tactics.is_empty() {
        details.push_str("| Tactic | Base | Head | Change |\n|---|---:|---:|---:|\n");
        for d in &c.tactics {
            details.push_str(&delta_row(d));
            details.push('\n');
        }
        details.push('\n');
    }
    let mut all = |title: &str, items: &[TechniqueChange]| {
        if items.len() > VISIBLE || (title == "Rules changed" && !items.is_empty()) {
            details.push_str(&format!("**{title} ({})**\n\n", items.len()));
            for t in items {
                details.push_str(&format!("- {} ({} → {})\n", technique_line(t), md(&t.from), md(&t.to)));
            }
            details.push('\n');
        }
    };
    all("Newly uncovered", &c.newly_uncovered);
    all("Newly covered", &c.newly_covered);
    all("New gaps", &c.new_gaps);
    all("Rules changed", &c.rules_changed);
    let other: Vec<&VerdictChange> = c.verdicts.iter().filter(|v| v.head != Some(false)).collect();
    if !other.is_empty() {
        details.push_str("| Target | Was → is | Expected | Actual |\n|---|---|---|---|\n");
        for v in other {
            details.push_str(&verdict_row(v));
            details.push('\n');
        }
        details.push('\n');
    }
    if !c.validation.is_empty() {
        details.push_str("| Validation | Was | Is |\n|---|---|---|\n");
        for v in &c.validation {
            details.push_str(&format!(
                "| {} {} | {} | {} |\n",
                md(&v.id),
                md(&v.name),
                md(&v.from),
                md(&v.to)
            ));
        }
        details.push('\n');
    }
    if !details.is_empty() {
        out.push_str("<details><summary>All changes</summary>\n\n");
        out.push_str(&details);
        out.push_str("</details>\n");
    }
    out
}

/// Plain text for a terminal.
pub fn text(c: &Comparison) -> String {
    let mut out = format!(
        "{}: overall coverage {} → {} ({})\n",
        term(&c.model),
        pct(c.overall.base_percent),
        pct(c.overall.head_percent),
        mark(c.overall.change)
    );
    if c.is_empty() {
        out.push_str("no change\n");
        return out;
    }
    for d in c.actors.iter().chain(&c.tactics).filter(|d| d.changed()) {
        out.push_str(&format!(
            "  {}: {} → {} ({})\n",
            term(&d.name),
            pct(d.base_percent),
            pct(d.head_percent),
            mark(d.change)
        ));
    }
    let mut list = |title: &str, items: &[TechniqueChange]| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("{title} ({}):\n", items.len()));
        for t in items {
            let mut line = format!("  {} {}", term(&t.id), term(&t.name));
            if !t.rules_removed.is_empty() {
                line.push_str(&format!("; removed: {}", term(&t.rules_removed.join("; "))));
            }
            if !t.rules_added.is_empty() {
                line.push_str(&format!("; added: {}", term(&t.rules_added.join("; "))));
            }
            out.push_str(&line);
            out.push('\n');
        }
    };
    list("newly uncovered", &c.newly_uncovered);
    list("newly covered", &c.newly_covered);
    list("new gaps", &c.new_gaps);
    list("rules changed", &c.rules_changed);
    for v in &c.verdicts {
        out.push_str(&format!(
            "target {}: {} → {} (expected {}, actual {})\n",
            term(&v.target),
            verdict_word(v.base),
            verdict_word(v.head),
            term(&v.expected),
            term(&v.actual)
        ));
    }
    for v in &c.validation {
        out.push_str(&format!(
            "validation {} {}: {} → {}\n",
            term(&v.id),
            term(&v.name),
            term(&v.from),
            term(&v.to)
        ));
    }
    out
}

/// Markdown for the pull-request comment: escaped as everywhere, plus a word joiner after each
/// `@`, so a rule titled `@org/security-team` shows as written but notifies nobody (GitHub and
/// GitLab mention on `@name` whatever backslashes precede it).
fn md(text: &str) -> String {
    super::escape::markdown(text).replace('@', "@\u{2060}")
}

#[cfg(test)]
mod mention_tests {
    #[test]
    fn a_title_cannot_mention_anyone_in_the_pull_request_comment() {
        let shown = super::md("Alert @org/security-team | now");
        assert!(!shown.contains("@org"), "{shown}");
        assert!(shown.contains("\\|"), "still escaped as Markdown: {shown}");
        assert_eq!(shown.replace(['\u{2060}', '\\'], ""), "Alert @org/security-team | now");
    }
}
