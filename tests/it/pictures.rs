//! The pictures: `matrix.svg` parsed as XML and checked cell by cell against the assessment, and
//! every report format escaping text that comes from outside (a rule titled
//! `<img src=x onerror=…>` shows as text).

use crate::common;

use std::collections::BTreeMap;

use ttpc::assessment::{Assessment, CellState};
use ttpc::emit::svg::{colors, fit};

fn compile(model: &str) -> (tempfile::TempDir, Assessment) {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .args(["compile", model, "--as-of", "2026-03-15", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", common::text(&out.stderr));
    let a = serde_json::from_slice(&std::fs::read(dir.path().join("assessment.json")).expect("json"))
        .expect("assessment");
    (dir, a)
}

fn state_name(state: CellState) -> &'static str {
    match state {
        CellState::Strong => "strong",
        CellState::Partial => "partial",
        CellState::Gap => "gap",
        CellState::Accepted => "accepted",
        CellState::OutOfScope => "out-of-scope",
        CellState::NotUsed => "not-used",
    }
}

#[test]
fn the_svg_has_one_cell_per_matrix_cell_coloured_by_state() {
    let (dir, a) = compile("tests/fixtures/compile/model.yaml");
    let text = std::fs::read_to_string(dir.path().join("matrix.svg")).expect("matrix.svg");
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");

    let mut expected: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for column in &a.matrix {
        for cell in &column.cells {
            *expected.entry((cell.id.clone(), state_name(cell.state))).or_insert(0) += 1;
            for sub in &cell.subtechniques {
                *expected.entry((sub.id.clone(), state_name(sub.state))).or_insert(0) += 1;
            }
        }
    }
    let mut found: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let cells: Vec<roxmltree::Node> =
        doc.descendants().filter(|n| n.attribute("class") == Some("cell")).collect();
    for g in &cells {
        let id = g.attribute("data-id").expect("id").to_owned();
        let state = g.attribute("data-state").expect("state");
        let known = CellState::ALL.into_iter().find(|s| state_name(*s) == state).expect("a known state");
        let rect = g.children().find(|n| n.has_tag_name("rect")).expect("rect");
        assert_eq!(rect.attribute("fill"), Some(colors(known).0), "{id} is coloured as {state}");
        let title = g.children().find(|n| n.has_tag_name("title")).and_then(|t| t.text()).expect("tooltip");
        assert!(title.starts_with(&format!("{id} ")), "{title}");
        let width: f64 = rect.attribute("width").and_then(|w| w.parse().ok()).expect("width");
        let label = g.children().find(|n| n.has_tag_name("text")).and_then(|t| t.text()).expect("label");
        let size: f64 = g
            .children()
            .find(|n| n.has_tag_name("text"))
            .and_then(|t| t.attribute("font-size"))
            .and_then(|s| s.parse().ok())
            .expect("size");
        assert!(label.chars().count() as f64 * 6.0 * size / 11.0 <= width, "{label:?} overflows its cell");
        *found.entry((id, known.into_static())).or_insert(0) += 1;
    }
    assert_eq!(found, expected);
    // Columns in matrix order, one per tactic.
    let tactics: Vec<&str> = doc
        .descendants()
        .filter_map(|n| {
            (n.attribute("class") == Some("tactic")).then(|| n.attribute("data-tactic")).flatten()
        })
        .collect();
    let order: Vec<&str> = a.matrix.iter().map(|c| c.shortname.as_str()).collect();
    assert_eq!(tactics, order);
    // The gaps of the assessment are red cells.
    let red = cells.iter().filter(|g| g.attribute("data-state") == Some("gap")).count();
    assert!(red >= a.overall.gaps, "{red} red cells for {} gaps", a.overall.gaps);
    assert!(text.contains("Covered 4/11 (36.4%)"), "the figures are in the picture");
}

trait Static {
    fn into_static(self) -> &'static str;
}

impl Static for CellState {
    fn into_static(self) -> &'static str {
        state_name(self)
    }
}

#[test]
fn long_names_are_cut_with_an_ellipsis() {
    // 60 units at 6 per character leave room for ten characters, the ellipsis included.
    let cut = fit("Command and Scripting Interpreter", 60.0, 6.0);
    assert_eq!(cut, "Command a…");
    assert_eq!(cut.chars().count(), 10);
    // A cut that lands on a space does not leave the space before the ellipsis.
    assert_eq!(fit("Command and Scripting Interpreter", 54.0, 6.0), "Command…");
    assert_eq!(fit("Short", 60.0, 6.0), "Short");
}

#[test]
fn text_from_outside_is_escaped_in_every_format() {
    let (dir, _) = compile("tests/fixtures/models/hostile.yaml");
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap_or_else(|_| panic!("{p}"));

    let html = read("report.html");
    for raw in ["<img src=x", "<script>window.__pwned", "<svg onload", "<b>& friends</b>"] {
        assert!(!html.contains(raw), "report.html carries {raw:?} unescaped");
    }
    assert!(
        html.contains("Mini bank &lt;b&gt;&amp; friends&lt;&#x2f;b&gt;"),
        "model strings are escaped as text"
    );
    assert!(html.contains("\\u003cimg src=x onerror="), "JSON for the script is HTML-safe");
    assert!(html.contains("script-src 'nonce-"), "a Content-Security-Policy allows only ttpc's own script");

    let svg = read("matrix.svg");
    roxmltree::Document::parse(&svg).expect("still well-formed XML");
    assert!(!svg.contains("<b>"), "{svg}");

    let md = read("report.md");
    assert!(!md.contains("<svg onload"), "report.md carries raw HTML");
    assert!(md.contains("# Threat model assessment — Mini bank &lt;b&gt;&amp; friends&lt;/b&gt;"), "{md}");
    // The source's row keeps its eight columns: nothing in the name opened a tag or split a cell.
    let row = md.lines().find(|l| l.starts_with("| &lt;svg onload=alert(1)&gt; |")).expect("source row");
    assert_eq!(row.matches(" | ").count(), 7, "{row}");

    // JSON outputs carry the hostile title verbatim: escaping is the renderer's job, and
    // serde_json's quoting keeps the document well-formed.
    let layer: serde_json::Value =
        serde_json::from_str(&read("layers/gaps.json")).expect("gaps layer is JSON");
    assert!(layer.to_string().contains(r#"<img src=x onerror=\"window.__pwned=1\"> | `code` **bold**"#));
}
