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
        CellState::VisibleGap => "visible-gap",
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

/// The vertical extent of a text element: from its baseline up by the font's ascent (0.8 em) and
/// down by its descent (0.25 em).
fn text_box(node: roxmltree::Node) -> (f64, f64) {
    let y: f64 = node.attribute("y").and_then(|v| v.parse().ok()).expect("y");
    let size: f64 = node.attribute("font-size").and_then(|v| v.parse().ok()).expect("font-size");
    (y - 0.8 * size, y + 0.25 * size)
}

/// sRGB `#rrggbb` as seen under protanopia and deuteranopia (Viénot, Brettel and Mollon 1999,
/// in linear RGB), back in sRGB 0–255.
fn simulate(hex: &str, protan: bool) -> [f64; 3] {
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).expect("hex")) / 255.0;
        if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    let (r, g, b) = (channel(0), channel(1), channel(2));
    let m: [[f64; 3]; 3] = if protan {
        [[0.11238, 0.88762, 0.0], [0.11238, 0.88762, 0.0], [0.00401, -0.00401, 1.0]]
    } else {
        [[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]]
    };
    let back = |v: f64| {
        let v = v.clamp(0.0, 1.0);
        255.0 * if v <= 0.0031308 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 }
    };
    [0, 1, 2].map(|i| back(m[i][0] * r + m[i][1] * g + m[i][2] * b))
}

/// Issue 15: matrix.svg of the full enterprise matrix is legible at a glance — no two texts of a
/// cell overlap, every tactic's full name is drawn (wrapped), covered and gap cells stay apart for
/// protanopes and deuteranopes and carry distinct marks, and the tallest tactic no longer makes
/// the picture mostly empty.
#[test]
#[ignore = "needs the shared corpora"]
fn the_full_matrix_svg_is_legible() {
    let dir = tempfile::tempdir().expect("temp");
    let out = common::ttpc()
        .args(["compile", "models/financial-services.yaml", "--as-of", "2026-03-15", "-o"])
        .arg(dir.path())
        .arg("--attack-data")
        .arg(common::shared_file("attack/enterprise-attack-18.1.json"))
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", common::text(&out.stderr));
    let text = std::fs::read_to_string(dir.path().join("matrix.svg")).expect("matrix.svg");
    let a: Assessment =
        serde_json::from_slice(&std::fs::read(dir.path().join("assessment.json")).expect("json")).expect("a");
    let doc = roxmltree::Document::parse(&text).expect("XML");

    let mut cells = 0;
    for g in doc.descendants().filter(|n| n.attribute("class") == Some("cell")) {
        let texts: Vec<(f64, f64)> = g
            .children()
            .filter(|n| n.has_tag_name("text") && n.attribute("class") != Some("mark"))
            .map(text_box)
            .collect();
        assert_eq!(texts.len(), 2, "a name and an ID line");
        let (name, id) = (texts[0], texts[1]);
        assert!(
            name.1 <= id.0,
            "{}: the name ({name:?}) runs into the ID line ({id:?})",
            g.attribute("data-id").unwrap_or("")
        );
        let rect = g.children().find(|n| n.has_tag_name("rect")).expect("rect");
        let y: f64 = rect.attribute("y").and_then(|v| v.parse().ok()).expect("y");
        let h: f64 = rect.attribute("height").and_then(|v| v.parse().ok()).expect("h");
        assert!(name.0 >= y && id.1 <= y + h + 0.5, "text outside its cell");
        cells += 1;
    }
    assert!(cells > 100, "{cells}");

    for (g, column) in doc.descendants().filter(|n| n.attribute("class") == Some("tactic")).zip(&a.matrix) {
        let bold: Vec<&str> = g
            .children()
            .filter(|n| n.attribute("font-weight") == Some("bold"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(bold.join(" "), column.name, "the tactic's full name is drawn");
    }

    // Marks: every state but "not used" has its own; the legend shows them.
    let marks: std::collections::BTreeSet<&str> =
        CellState::ALL.iter().map(|s| ttpc::emit::svg::mark(*s)).filter(|m| !m.is_empty()).collect();
    assert_eq!(marks.len(), CellState::ALL.len() - 1);
    for m in &marks {
        assert!(text.contains(&format!(">{m}</text>")), "legend and cells carry {m}");
    }
    // Colours: covered and gap fills far apart under protanopia and deuteranopia.
    for protan in [true, false] {
        for (x, y) in [(CellState::Strong, CellState::Gap), (CellState::Partial, CellState::Gap)] {
            let (p, q) = (simulate(colors(x).0, protan), simulate(colors(y).0, protan));
            let distance = (0..3).map(|i| (p[i] - q[i]).powi(2)).sum::<f64>().sqrt();
            assert!(
                distance > 80.0,
                "{x:?} and {y:?} are {distance:.0} apart for a {} viewer",
                if protan { "protan" } else { "deutan" }
            );
        }
    }

    // Aspect: the picture is wider than it is tall, though Defense Evasion has 40+ techniques.
    let root = doc.root_element();
    let width: f64 = root.attribute("width").and_then(|v| v.parse().ok()).expect("width");
    let height: f64 = root.attribute("height").and_then(|v| v.parse().ok()).expect("height");
    assert!(height <= width, "{width} × {height}");
}
