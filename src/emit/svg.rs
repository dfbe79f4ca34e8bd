//! `matrix.svg`: the ATT&CK matrix of the model's domain as a heat map — tactics as columns in
//! matrix order, techniques as cells coloured by state, sub-techniques in play under their parent
//! (the rest counted "+3"), with a title, the coverage figures and a legend. GitHub and GitLab
//! render it inline from report.md.
//!
//! Names are truncated with an ellipsis to fit their cell and kept whole in a `<title>` tooltip;
//! tactic names wrap onto two lines (whole in the tooltip too); every text from outside is
//! escaped for XML. A cell's name and ID sit on separate lines that never overlap. The colours
//! are a blue–orange scale that the common colour-vision deficiencies keep apart, and every state
//! also has its own mark (and gaps a hatch), so no state is told by colour alone. A tactic much
//! taller than the rest (Defense Evasion) continues in further columns under one header, so the
//! picture keeps a sensible aspect ratio.

use std::fmt::Write;

use super::escape::xml;
use crate::assessment::{Assessment, CellState, MatrixCell};

const COLUMN: f64 = 150.0;
const GAP: f64 = 6.0;
const MARGIN: f64 = 16.0;
const HEADER: f64 = 54.0;
const CELL: f64 = 30.0;
const SUB: f64 = 28.0;
const INDENT: f64 = 10.0;
const TOP: f64 = 96.0;
/// Average advance of a character of the 11 px sans-serif used in cells.
const CHAR: f64 = 6.0;

/// Fill and text colour of a state: blue for covered, orange for gaps (Okabe–Ito hues, apart
/// under protanopia, deuteranopia and tritanopia), greys for the rest.
pub fn colors(state: CellState) -> (&'static str, &'static str) {
    match state {
        CellState::Strong => ("#0072b2", "#ffffff"),
        CellState::Partial => ("#9ecae1", "#08306b"),
        CellState::Gap => ("#e69f00", "#222222"),
        CellState::VisibleGap => ("#f0e442", "#222222"),
        CellState::Accepted => ("#bdbdbd", "#222222"),
        CellState::OutOfScope => ("#f0f0f0", "#707070"),
        CellState::NotUsed => ("#fafafa", "#b8b8b8"),
    }
}

/// The mark each state carries besides its colour (also in the legend and in report.html).
pub fn mark(state: CellState) -> &'static str {
    match state {
        CellState::Strong => "●",
        CellState::Partial => "◐",
        CellState::Gap => "✕",
        CellState::VisibleGap => "◇",
        CellState::Accepted => "≈",
        CellState::OutOfScope => "⊘",
        CellState::NotUsed => "",
    }
}

/// Splits a tactic name into at most two lines of `max` characters (the second cut with an
/// ellipsis if it must be).
pub fn wrap_two(text: &str, max: usize) -> (String, String) {
    if text.chars().count() <= max {
        return (text.to_owned(), String::new());
    }
    let mut first = String::new();
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        if rest.is_empty() && (first.is_empty() || first.chars().count() + 1 + word.chars().count() <= max) {
            if !first.is_empty() {
                first.push(' ');
            }
            first.push_str(word);
        } else {
            rest.push(word);
        }
    }
    let second = rest.join(" ");
    let cut = |t: &str| {
        if t.chars().count() <= max {
            t.to_owned()
        } else {
            format!("{}…", t.chars().take(max - 1).collect::<String>())
        }
    };
    (cut(&first), cut(&second))
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

/// A coordinate written as `{:.1}` writes it. A cell's coordinates are whole numbers, written
/// here without the general float formatting, which cost more than the rest of the matrix.
#[derive(Clone, Copy)]
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.is_sign_positive() && v.fract() == 0.0 && v < 1e15 {
            write!(f, "{}.0", v as u64)
        } else {
            write!(f, "{v:.1}")
        }
    }
}

fn cell(out: &mut String, c: &MatrixCell, x: f64, y: f64, width: f64, height: f64, sub: bool) {
    let (x, y, width, height) = (Tenths(x), Tenths(y), Tenths(width), Tenths(height));
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
    if c.state == CellState::Gap {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" rx="3" fill="url(#hatch)"/>"#
        );
    }
    if c.protected {
        let _ = write!(
            out,
            r##"<rect class="protected" x="{x:.1}" y="{y:.1}" width="4" height="{height:.1}" rx="1" fill="{PROTECTED}"/>"##
        );
    }
    let (size, small) = if sub { (10.0, 8.0) } else { (11.0, 9.0) };
    let symbol = mark(c.state);
    if !symbol.is_empty() {
        let _ = write!(
            out,
            r#"<text class="mark" x="{mx:.1}" y="{my:.1}" font-size="{small}" fill="{ink}" text-anchor="end">{symbol}</text>"#,
            mx = Tenths(x.0 + width.0 - 4.0),
            my = Tenths(y.0 + height.0 - 4.0),
        );
    }
    let name = fit(&c.name, width.0 - 8.0, CHAR * size / 11.0);
    let mut detail = c.id.clone();
    if c.hidden_subtechniques > 0 {
        let _ = write!(detail, " · +{}", c.hidden_subtechniques);
    }
    let _ = write!(
        out,
        r#"<text x="{tx:.1}" y="{ty:.1}" font-size="{size}" fill="{ink}">{name}</text><text x="{tx:.1}" y="{ty2:.1}" font-size="{small}" fill="{ink}" opacity="0.85">{detail}</text></g>"#,
        tx = Tenths(x.0 + 4.0),
        ty = Tenths(y.0 + size + 2.0),
        ty2 = Tenths(y.0 + height.0 - 4.0),
        name = xml(&name),
        detail = xml(&fit(&detail, width.0 - 20.0, CHAR * small / 11.0)),
    );
    out.push('\n');
}

/// The states a legend shows: "visible, not detected" only when the model lists telemetry (it
/// is the only way to get there), so legends of other models stay as they were.
pub fn legend_states(a: &Assessment) -> Vec<CellState> {
    CellState::ALL
        .into_iter()
        .filter(|s| {
            *s != CellState::VisibleGap || a.telemetry.as_ref().is_some_and(|t| !t.collected.is_empty())
        })
        .collect()
}

fn state_attr(state: CellState) -> &'static str {
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

/// A column's cells in groups (a technique with the sub-techniques shown under it), each with
/// its height.
fn groups(column: &crate::assessment::MatrixColumn) -> Vec<(&MatrixCell, f64)> {
    column.cells.iter().map(|c| (c, CELL + 3.0 + c.subtechniques.len() as f64 * (SUB + 2.0))).collect()
}

/// The tallest a column may be before it continues in a further column: 1.5 times the mean
/// tactic's height, and never under 15 cells.
fn column_limit(a: &Assessment) -> f64 {
    let heights: Vec<f64> = a.matrix.iter().map(|c| groups(c).iter().map(|g| g.1).sum()).collect();
    let mean = heights.iter().sum::<f64>() / heights.len().max(1) as f64;
    (mean * 1.5).max(15.0 * (CELL + 3.0))
}

/// A tactic's cell groups split into columns no taller than `limit` (a group is never split).
fn split(column: &crate::assessment::MatrixColumn, limit: f64) -> Vec<Vec<(&MatrixCell, f64)>> {
    let mut parts: Vec<Vec<(&MatrixCell, f64)>> = vec![Vec::new()];
    let mut height = 0.0;
    for (cell, h) in groups(column) {
        if height + h > limit && parts.last().is_some_and(|p| !p.is_empty()) {
            parts.push(Vec::new());
            height = 0.0;
        }
        height += h;
        parts.last_mut().expect("one part at least").push((cell, h));
    }
    parts
}

/// The edge marking a technique a selected security control protects (also in report.html).
const PROTECTED: &str = "#009e73";

/// The SVG document.
pub fn matrix_svg(a: &Assessment) -> String {
    let limit = column_limit(a);
    let layout: Vec<Vec<Vec<(&MatrixCell, f64)>>> = a.matrix.iter().map(|c| split(c, limit)).collect();
    let columns = layout.iter().map(Vec::len).sum::<usize>().max(1) as f64;
    let width = MARGIN * 2.0 + columns * COLUMN + (columns - 1.0) * GAP;
    let tallest =
        layout.iter().flatten().map(|part| part.iter().map(|g| g.1).sum::<f64>()).fold(0.0, f64::max);
    let height = TOP + HEADER + tallest + MARGIN;

    let mut out = String::with_capacity(256 * 1024);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(out, r#"<title>{} — ATT&amp;CK coverage</title>"#, xml(&a.model.name));
    let _ = writeln!(
        out,
        r##"<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000000" stroke-opacity="0.18" stroke-width="2"/></pattern></defs>"##
    );
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
                "Covered {}/{} ({}){} · strong {} · partial {} · gaps {} · accepted {} · out of scope {} · actors: {}",
                o.covered,
                o.techniques,
                pct(o.percent),
                o.protection
                    .map(|p| format!(" · detected or protected {}", pct(p.percent)))
                    .unwrap_or_default(),
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
    for state in legend_states(a) {
        let (fill, ink) = colors(state);
        let hatch = if state == CellState::Gap {
            format!(r#"<rect x="{lx:.1}" y="66" width="14" height="14" rx="2" fill="url(#hatch)"/>"#)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            r##"<rect class="legend" x="{lx:.1}" y="66" width="14" height="14" rx="2" fill="{fill}" stroke="#c8c8c8"/>{hatch}<text x="{mx:.1}" y="76.5" font-size="9" fill="{ink}" text-anchor="middle">{mark}</text><text x="{:.1}" y="77" font-size="11" fill="#444444">{}</text>"##,
            lx + 18.0,
            state.as_str(),
            mx = lx + 7.0,
            mark = mark(state),
        );
        lx += 18.0 + state.as_str().len() as f64 * 6.2 + 18.0;
    }
    if o.protection.is_some() {
        let word = "protected by a control";
        let _ = writeln!(
            out,
            r##"<rect class="legend" x="{lx:.1}" y="66" width="14" height="14" rx="2" fill="#ffffff" stroke="#c8c8c8"/><rect x="{lx:.1}" y="66" width="4" height="14" rx="1" fill="{PROTECTED}"/><text x="{:.1}" y="77" font-size="11" fill="#444444">{word}</text>"##,
            lx + 18.0,
        );
    }

    let mut slot = 0.0;
    for (column, parts) in a.matrix.iter().zip(&layout) {
        let x = MARGIN + slot * (COLUMN + GAP);
        let span = parts.len() as f64;
        let header_width = span * COLUMN + (span - 1.0) * GAP;
        let coverage = a.tactics.iter().find(|t| t.shortname == column.shortname).map(|t| t.coverage);
        let figures = match coverage {
            Some(c) if c.techniques > 0 => {
                format!("{}/{} covered · {}", c.covered, c.techniques, pct(c.percent))
            }
            _ => format!("{} techniques", column.cells.len()),
        };
        let (line1, line2) = wrap_two(&column.name, ((header_width - 10.0) / 7.4).floor() as usize);
        let (ty2, ty3) = if line2.is_empty() { (TOP + 32.0, TOP + 32.0) } else { (TOP + 30.0, TOP + 45.0) };
        let _ = writeln!(
            out,
            r##"<g class="tactic" data-tactic="{short}"><title>{id} {name}</title><rect x="{x:.1}" y="{TOP}" width="{header_width:.1}" height="{h:.1}" rx="3" fill="#3a3a3a"/><text x="{tx:.1}" y="{ty:.1}" font-size="12" font-weight="bold" fill="#ffffff">{line1}</text>{second}<text x="{tx:.1}" y="{ty3:.1}" font-size="10" fill="#dddddd">{figures}</text></g>"##,
            short = xml(&column.shortname),
            id = xml(&column.id),
            name = xml(&column.name),
            h = HEADER - 4.0,
            tx = x + 5.0,
            ty = TOP + 15.0,
            line1 = xml(&line1),
            second = if line2.is_empty() {
                String::new()
            } else {
                format!(
                    r##"<text x="{:.1}" y="{ty2:.1}" font-size="12" font-weight="bold" fill="#ffffff">{}</text>"##,
                    x + 5.0,
                    xml(&line2)
                )
            },
            figures = xml(&figures),
        );
        for (k, part) in parts.iter().enumerate() {
            let x = x + k as f64 * (COLUMN + GAP);
            let mut y = TOP + HEADER;
            for (c, _) in part {
                cell(&mut out, c, x, y, COLUMN, CELL, false);
                y += CELL + 3.0;
                for s in &c.subtechniques {
                    cell(&mut out, s, x + INDENT, y - 1.0, COLUMN - INDENT, SUB, true);
                    y += SUB + 2.0;
                }
            }
        }
        slot += span;
    }
    out.push_str("</svg>\n");
    out
}
