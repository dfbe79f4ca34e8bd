//! `matrix.svg`: the ATT&CK matrix of the model's domain as a heat map — tactics as columns in
//! matrix order, techniques as cells coloured by state, sub-techniques in play under their parent
//! (the rest counted "+3"), with a title, the coverage figures and a legend. GitHub and GitLab
//! render it inline from report.md.
//!
//! Names are truncated with an ellipsis to fit their cell and kept whole in a `<title>` tooltip;
//! every text from outside is escaped for XML.

use std::fmt::Write;

use super::escape::xml;
use crate::assessment::{Assessment, CellState, MatrixCell};

const COLUMN: f64 = 150.0;
const GAP: f64 = 6.0;
const MARGIN: f64 = 16.0;
const HEADER: f64 = 40.0;
const CELL: f64 = 30.0;
const SUB: f64 = 22.0;
const INDENT: f64 = 10.0;
const TOP: f64 = 96.0;
/// Average advance of a character of the 11 px sans-serif used in cells.
const CHAR: f64 = 6.0;

/// Fill and text colour of a state.
pub fn colors(state: CellState) -> (&'static str, &'static str) {
    match state {
        CellState::Strong => ("#31a354", "#ffffff"),
        CellState::Partial => ("#a1d99b", "#1b3a1f"),
        CellState::Gap => ("#e34a33", "#ffffff"),
        CellState::Accepted => ("#bdbdbd", "#222222"),
        CellState::OutOfScope => ("#f0f0f0", "#707070"),
        CellState::NotUsed => ("#fafafa", "#b8b8b8"),
    }
}

/// `text`, cut with an ellipsis to fit `width` pixels at `char_width` per character.
pub fn fit(text: &str, width: f64, char_width: f64) -> String {
    let max = ((width / char_width).floor() as usize).max(2);
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn cell(out: &mut String, c: &MatrixCell, x: f64, y: f64, width: f64, height: f64, sub: bool) {
    let (fill, ink) = colors(c.state);
    let rules = match c.score {
        0 => String::new(),
        1 => String::from(", 1 rule"),
        n => format!(", {n} rules"),
    };
    let _ = write!(
        out,
        r#"<g class="cell" data-id="{id}" data-state="{state}"><title>{id} {name} — {word}{rules}</title><rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" rx="3" fill="{fill}" stroke="{stroke}"/>"#,
        id = xml(&c.id),
        name = xml(&c.name),
        word = c.state.as_str(),
        state = state_attr(c.state),
        stroke = if c.state == CellState::OutOfScope { "#c8c8c8" } else { "none" },
    );
    let (size, small) = if sub { (10.0, 8.0) } else { (11.0, 9.0) };
    let name = fit(&c.name, width - 8.0, CHAR * size / 11.0);
    let mut detail = c.id.clone();
    if c.hidden_subtechniques > 0 {
        let _ = write!(detail, " · +{}", c.hidden_subtechniques);
    }
    let _ = write!(
        out,
        r#"<text x="{tx:.1}" y="{ty:.1}" font-size="{size}" fill="{ink}">{name}</text><text x="{tx:.1}" y="{ty2:.1}" font-size="{small}" fill="{ink}" opacity="0.85">{detail}</text></g>"#,
        tx = x + 4.0,
        ty = y + size + 2.0,
        ty2 = y + height - 4.0,
        name = xml(&name),
        detail = xml(&fit(&detail, width - 8.0, CHAR * small / 11.0)),
    );
    out.push('\n');
}

fn state_attr(state: CellState) -> &'static str {
    match state {
        CellState::Strong => "strong",
        CellState::Partial => "partial",
        CellState::Gap => "gap",
        CellState::Accepted => "accepted",
        CellState::OutOfScope => "out-of-scope",
        CellState::NotUsed => "not-used",
    }
}

/// The SVG document.
pub fn matrix_svg(a: &Assessment) -> String {
    let columns = a.matrix.len().max(1) as f64;
    let width = MARGIN * 2.0 + columns * COLUMN + (columns - 1.0) * GAP;
    let column_height = |c: &crate::assessment::MatrixColumn| -> f64 {
        c.cells.iter().map(|cell| CELL + 3.0 + cell.subtechniques.len() as f64 * (SUB + 2.0)).sum::<f64>()
    };
    let tallest = a.matrix.iter().map(column_height).fold(0.0, f64::max);
    let height = TOP + HEADER + tallest + MARGIN;

    let mut out = String::with_capacity(256 * 1024);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(out, r#"<title>{} — ATT&amp;CK coverage</title>"#, xml(&a.model.name));
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let o = &a.overall;
    let pct = |p: Option<f64>| p.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"));
    let actors: Vec<&str> = a.actors.iter().map(|x| x.name.as_str()).collect();
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="30" font-size="20" font-weight="bold" fill="#222222">{}</text>"##,
        xml(&fit(
            &format!("{} — {} {}", a.model.name, a.model.matrix, a.model.attack_version),
            width - 2.0 * MARGIN,
            11.0
        ))
    );
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="52" font-size="13" fill="#444444">{}</text>"##,
        xml(&fit(
            &format!(
                "Covered {}/{} ({}) · strong {} · partial {} · gaps {} · accepted {} · out of scope {} · actors: {}",
                o.covered,
                o.techniques,
                pct(o.percent),
                o.strong,
                o.partial,
                o.gaps,
                o.accepted,
                o.out_of_scope,
                actors.join(", ")
            ),
            width - 2.0 * MARGIN,
            7.2,
        ))
    );
    // Legend.
    let mut lx = MARGIN;
    for state in CellState::ALL {
        let (fill, _) = colors(state);
        let _ = writeln!(
            out,
            r##"<rect class="legend" x="{lx:.1}" y="66" width="14" height="14" rx="2" fill="{fill}" stroke="#c8c8c8"/><text x="{:.1}" y="77" font-size="11" fill="#444444">{}</text>"##,
            lx + 18.0,
            state.as_str()
        );
        lx += 18.0 + state.as_str().len() as f64 * 6.2 + 18.0;
    }

    for (i, column) in a.matrix.iter().enumerate() {
        let x = MARGIN + i as f64 * (COLUMN + GAP);
        let coverage = a.tactics.iter().find(|t| t.shortname == column.shortname).map(|t| t.coverage);
        let figures = match coverage {
            Some(c) if c.techniques > 0 => {
                format!("{}/{} covered · {}", c.covered, c.techniques, pct(c.percent))
            }
            _ => format!("{} techniques", column.cells.len()),
        };
        let _ = writeln!(
            out,
            r##"<g class="tactic" data-tactic="{short}"><title>{id} {name}</title><rect x="{x:.1}" y="{TOP}" width="{COLUMN}" height="{h:.1}" rx="3" fill="#3a3a3a"/><text x="{tx:.1}" y="{ty:.1}" font-size="12" font-weight="bold" fill="#ffffff">{label}</text><text x="{tx:.1}" y="{ty2:.1}" font-size="10" fill="#dddddd">{figures}</text></g>"##,
            short = xml(&column.shortname),
            id = xml(&column.id),
            name = xml(&column.name),
            h = HEADER - 4.0,
            tx = x + 5.0,
            ty = TOP + 15.0,
            ty2 = TOP + 30.0,
            label = xml(&fit(&column.name, COLUMN - 10.0, 7.4)),
            figures = xml(&figures),
        );
        let mut y = TOP + HEADER;
        for c in &column.cells {
            cell(&mut out, c, x, y, COLUMN, CELL, false);
            y += CELL + 3.0;
            for s in &c.subtechniques {
                cell(&mut out, s, x + INDENT, y - 1.0, COLUMN - INDENT, SUB, true);
                y += SUB + 2.0;
            }
        }
    }
    out.push_str("</svg>\n");
    out
}
