//! JUnit XML (`--junit FILE`): every target verdict a test case, one test suite per model, in the
//! Ant/Jenkins schema GitLab, Jenkins and Azure Pipelines read as test reports.
//!
//! A failed verdict is a `<failure>` whose message is the expected and actual values; the text
//! says where the promise is written. The suite's timestamp is the assessment date (the model's
//! `assessed`, else the as-of date) and every time is 0, so the file is the same on every run.

use super::places::{Kind, Outcome};

/// The JUnit XML of the compiled models.
pub fn junit(outcomes: &[Outcome<'_>]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, o) in outcomes.iter().enumerate() {
        let a = o.assessment;
        let failures = a.verdicts.iter().filter(|v| !v.pass).count();
        let suite = token(&a.model.name);
        out.push_str(&format!(
            "  <testsuite name=\"{}\" package=\"ttpc\" id=\"{id}\" timestamp=\"{}T00:00:00\" hostname=\"localhost\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
            attr(&suite),
            attr(&o.places.date),
            a.verdicts.len(),
        ));
        out.push_str("    <properties>\n");
        let coverage = a.overall.percent.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
        for (name, value) in [
            ("model", o.places.model.clone()),
            ("attack", format!("{} {}", a.model.domain, a.model.attack_version)),
            ("coverage", format!("{coverage} ({}/{})", a.overall.covered, a.overall.techniques)),
        ] {
            out.push_str(&format!("      <property name=\"{name}\" value=\"{}\"/>\n", attr(&value)));
        }
        out.push_str("    </properties>\n");
        for (i, v) in a.verdicts.iter().enumerate() {
            let classname = format!("{}.{}", suite, Kind::Target(v.kind).name());
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
                attr(&token(&v.target)),
                attr(&token(&classname))
            );
            if v.pass {
                out.push_str(&open);
                out.push_str("/>\n");
                continue;
            }
            let line = o.places.verdicts.get(i).copied().unwrap_or(1);
            let message = format!("expected {}, actual {}", v.expected, v.actual);
            let body = format!(
                "{}\nexpected: {}\nactual: {}\nat {}:{line}",
                v.target, v.expected, v.actual, o.places.model
            );
            out.push_str(&format!(
                "{open}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                attr(&message),
                Kind::Target(v.kind).id(),
                text(&body)
            ));
        }
        out.push_str("    <system-out/>\n    <system-err/>\n  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text as an `xs:token`: no line breaks or tabs, single spaces, no leading or trailing space;
/// never empty.
fn token(s: &str) -> String {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() { String::from("unnamed") } else { t }
}

/// Characters XML 1.0 allows (others are dropped: a rule title is anyone's text).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escaped element text.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// An escaped attribute value (line breaks and tabs kept as character references).
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_characters_xml_forbids() {
        assert_eq!(attr("a<b>&\"c\"\n\u{1}"), "a&lt;b&gt;&amp;&quot;c&quot;&#10;");
        assert_eq!(text("x\u{0}y & z"), "xy &amp; z");
        assert_eq!(token("  a \n b\t"), "a b");
        assert_eq!(token(" "), "unnamed");
    }
}
