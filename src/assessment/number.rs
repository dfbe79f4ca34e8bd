//! Numbers as every output shows them: percentages computed once from counts, with one
//! decimal, and promised figures written back without a needless `.0`.

/// `x / n × 100` with one decimal; `None` for `n = 0`.
pub fn percent(x: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| (x as f64 * 1000.0 / n as f64).round() / 10.0)
}

/// `80` for 80.0, `80.5` for 80.5.
pub fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }
}

/// A computed percentage as every output prints it: `52.7%`, or `n/a` when there is nothing to
/// divide by. The figure is already rounded (see [`percent`]); this only formats it.
pub fn percent_text(p: Option<f64>) -> String {
    p.map_or_else(|| String::from("n/a"), |p| format!("{p:.1}%"))
}
