//! Terminal plumbing shared by the commands: the miette handler (colour only on a terminal),
//! warnings, simple aligned tables and stdout writes that fail cleanly on a closed pipe.

use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use ttpc::Error;
use ttpc::diagnostics::{InFile, Problem, SourceFile, Warning};

use super::ColorChoice;

/// Whether stdout gets colour.
pub fn stdout_is_colored(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Sets up miette: colour and wrapping on a terminal (width from `COLUMNS`, default 100); plain
/// Unicode and unwrapped lines otherwise, so CI logs stay greppable and URLs stay whole.
pub fn install_diagnostics(choice: ColorChoice) {
    let terminal = std::io::stderr().is_terminal();
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        Box::new(
            GraphicalReportHandler::new_themed(theme)
                .with_width(width)
                .with_wrap_lines(terminal)
                .with_break_words(false)
                .with_links(false),
        )
    }));
}

/// Prints an error to stderr.
pub fn report(error: Error) {
    eprintln!("{:?}", miette::Report::new(error));
}

/// Prints warnings located in a file to stderr.
pub fn warn_in_file(file: &SourceFile, warnings: &[Problem]) {
    for w in warnings {
        // Warnings quote rule titles and file names from the pull request.
        let mut w = w.clone();
        w.message = ttpc::emit::escape::terminal(&w.message);
        eprintln!("{:?}", miette::Report::new(InFile::new(w, file)));
    }
}

/// Prints a notice of the library on stderr.
pub fn notice(notice: ttpc::diagnostics::Notice) {
    use ttpc::diagnostics::Notice;
    match notice {
        Notice::InFile { file, problems } => warn_in_file(&file, &problems),
        Notice::Warning(w) => warn(w.code, w.message, w.help),
        Notice::Info(line) => eprintln!("{}", ttpc::emit::escape::terminal(&line)),
    }
}

/// Prints a warning that points at no file.
pub fn warn(code: &'static str, message: String, help: Option<String>) {
    let message = ttpc::emit::escape::terminal(&message);
    eprintln!("{:?}", miette::Report::new(Warning { code, message, help }));
}

/// Writes uncoloured text built from untrusted strings (rule titles, file names, model names) to
/// stdout, with control characters shown rather than obeyed, line by line.
pub fn print_plain(text: &str) -> Result<(), Error> {
    let lines: Vec<String> = text.split('\n').map(ttpc::emit::escape::terminal).collect();
    print(&lines.join("\n"))
}

/// Writes text to stdout; a closed pipe (`ttpc actors | head`) is not an error worth a report.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(Error::Io { what: String::from("standard output"), source }),
    }
}

/// Left-aligned columns (numbers right-aligned), two spaces apart, no trailing spaces.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..columns)
        .map(|i| !rows.is_empty() && rows.iter().all(|r| r.get(i).is_some_and(|c| c.parse::<f64>().is_ok())))
        .collect();
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i > 0 {
                text.push_str("  ");
            }
            if numeric[i] {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// Text for people, JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text.
    Text,
    /// Pretty JSON.
    Json,
}

/// Pretty JSON with a trailing newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    text.push('\n');
    text
}
