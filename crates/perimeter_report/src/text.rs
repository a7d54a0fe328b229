//! The human report: a ranked table of functions, findings with code frames, per-file
//! errors, and a one-line summary.
//!
//! Plain output (no colour) is byte-stable and snapshot-tested; colours are added only when
//! the caller asks (the binary asks when stdout is a terminal and `NO_COLOR` is unset).

use crate::frame::{Files, FrameLine, FrameStyle};
use crate::redact::{clean, clean_multiline};
use crate::{ReportInput, Summary, sorted_findings};
use comfy_table::{CellAlignment, ContentArrangement, LineStyle, Table, TableStyle};
use owo_colors::{OwoColorize, Style};
use perimeter_model::Location;
use perimeter_rules::{Finding, Severity};
use perimeter_score::FunctionScore;
use std::collections::HashMap;
use std::fmt::Write;

/// Choices for [`text`].
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// ANSI colours.
    pub color: bool,
    /// Show at most this many findings (the summary still counts all of them).
    pub max_findings: Option<usize>,
    /// Show at most this many functions in the ranking table.
    pub max_functions: Option<usize>,
    /// Lines of context above and below the offending line in code frames.
    pub context: u32,
    /// Widest code line shown in a frame, in characters; longer lines are cut around the column.
    pub max_width: usize,
    /// Fit the ranking table to this many columns (the terminal's width), wrapping cells;
    /// `None`: no limit.
    pub width: Option<u16>,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            max_findings: None,
            max_functions: None,
            context: 2,
            max_width: 120,
            width: None,
        }
    }
}

/// Longest reason text in the ranking table before it is cut.
const REASON_WIDTH: usize = 60;
/// Reasons and triggers listed per function in the table.
const TOP_REASONS: usize = 3;
const TOP_TRIGGERS: usize = 3;

/// Renders the text report.
pub fn text(input: &ReportInput<'_>, options: &TextOptions) -> String {
    let paint = Painter {
        color: options.color,
    };
    let mut out = String::new();

    if !input.scores.is_empty() {
        let _ = writeln!(out, "{}\n", paint.heading("Functions by risk"));
        let shown = options
            .max_functions
            .unwrap_or(usize::MAX)
            .min(input.scores.len());
        out.push_str(&ranking_table(input, &input.scores[..shown], options.width));
        out.push('\n');
        if shown < input.scores.len() {
            let _ = writeln!(
                out,
                "… {} more functions not shown",
                input.scores.len() - shown
            );
        }
        out.push('\n');
    }

    let findings = sorted_findings(input.findings);
    if !findings.is_empty() {
        let _ = writeln!(out, "{}\n", paint.heading("Findings"));
        let shown = options
            .max_findings
            .unwrap_or(usize::MAX)
            .min(findings.len());
        let mut files = Files::new(input.root);
        // Lines that secret findings point at, per file: masked in every frame.
        let mut secret_lines: HashMap<&str, Vec<u32>> = HashMap::new();
        for f in input.findings.iter().filter(|f| is_secret_finding(f)) {
            secret_lines
                .entry(f.location.file.as_str())
                .or_default()
                .push(f.location.line);
        }
        let mut previous: Option<&Location> = None;
        for finding in &findings[..shown] {
            // Several findings on one spot (one inherited setting, many functions): one frame.
            let frame = previous != Some(&finding.location);
            let secrets = secret_lines
                .get(finding.location.file.as_str())
                .map_or(&[][..], Vec::as_slice);
            write_finding(
                &mut out,
                finding,
                crate::construct_path(input.model, finding),
                frame.then_some((&mut files, secrets)),
                options,
                &paint,
            );
            out.push('\n');
            previous = Some(&finding.location);
        }
        if shown < findings.len() {
            let _ = writeln!(
                out,
                "… {} more findings not shown (the JSON and SARIF outputs list all)\n",
                findings.len() - shown
            );
        }
    }

    if !input.errors.is_empty() {
        let _ = writeln!(out, "{}\n", paint.heading("Errors"));
        for error in input.errors {
            let _ = writeln!(out, "  {}", paint.error(&clean(&error.to_string())));
        }
        out.push('\n');
    }

    out.push_str(&summary_line(&Summary::of(input)));
    if !input.iam_catalog_date.is_empty() {
        let _ = write!(out, " (AWS IAM catalog of {})", input.iam_catalog_date);
    }
    out.push('\n');
    out
}

fn ranking_table(input: &ReportInput<'_>, scores: &[FunctionScore], width: Option<u16>) -> String {
    let mut table = Table::new();
    // No styling, no box drawing, and no terminal-width detection: the output depends only on
    // the input and the options.
    table
        .load_style(TableStyle::new().header_separator(LineStyle::none().fill('-').junction(' ')))
        .force_no_tty()
        .set_header(vec!["Rank", "Function", "Score", "Top reasons", "Triggers"]);
    match width {
        Some(width) => table
            .set_width(width)
            .set_content_arrangement(ContentArrangement::Dynamic),
        None => table.set_content_arrangement(ContentArrangement::Disabled),
    };
    for (i, score) in scores.iter().enumerate() {
        let app_name = input
            .model
            .apps
            .iter()
            .find(|a| a.id == score.app)
            .map_or(score.app.as_str(), |a| a.name.as_str());
        let mut reasons: Vec<_> = score.reasons.iter().collect();
        // Stable sort: equal points keep the scorer's order.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
        let reasons: Vec<String> = reasons
            .iter()
            .take(TOP_REASONS)
            .map(|r| format!("+{} {}", r.points, shorten(&clean(&r.text), REASON_WIDTH)))
            .collect();
        let mut triggers: Vec<String> = score
            .triggers
            .iter()
            .take(TOP_TRIGGERS)
            .map(|t| shorten(&clean(t), REASON_WIDTH))
            .collect();
        if score.triggers.len() > TOP_TRIGGERS {
            triggers.push(format!("+{} more", score.triggers.len() - TOP_TRIGGERS));
        }
        table.add_row(vec![
            (i + 1).to_string(),
            clean(&format!("{}/{}", app_name, score.name)),
            score.score.to_string(),
            if reasons.is_empty() {
                "-".to_string()
            } else {
                reasons.join("\n")
            },
            if triggers.is_empty() {
                "-".to_string()
            } else {
                triggers.join("\n")
            },
        ]);
    }
    for index in [0, 2] {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `SEC` findings are about secrets: their frames are masked whole.
fn is_secret_finding(f: &Finding) -> bool {
    f.code.starts_with("SEC")
}

/// Writes one finding; `frame` carries the file reader and the file's secret lines when a
/// code frame is wanted.
fn write_finding(
    out: &mut String,
    finding: &Finding,
    construct: Option<&str>,
    frame: Option<(&mut Files<'_>, &[u32])>,
    options: &TextOptions,
    paint: &Painter,
) {
    let _ = writeln!(
        out,
        "{} {} {}  {}",
        paint.severity(finding.severity),
        paint.code(finding.code),
        finding.name,
        paint.location(&clean(&finding.location.to_string())),
    );
    for line in clean_multiline(&finding.message).lines() {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(path) = construct {
        let _ = writeln!(out, "  construct: {}", clean(path));
    }
    let frame = frame.and_then(|(files, secret_lines)| {
        let style = FrameStyle {
            context: options.context,
            max_width: options.max_width,
            mask_all: is_secret_finding(finding),
            secret_lines,
        };
        files.frame(
            &finding.location.file,
            finding.location.line,
            finding.location.column,
            &style,
        )
    });
    if let Some(frame) = frame {
        let width = frame
            .iter()
            .filter_map(|l| match l {
                FrameLine::Code { number, .. } => Some(number.to_string().len()),
                FrameLine::Caret { .. } => None,
            })
            .max()
            .unwrap_or(1);
        for line in frame {
            match line {
                FrameLine::Code {
                    number,
                    text,
                    marked,
                } => {
                    let marker = if marked {
                        paint.marker(">")
                    } else {
                        " ".to_string()
                    };
                    let gutter = paint.gutter(&format!("{number:>width$} |"));
                    let _ = writeln!(out, "  {marker} {gutter} {text}");
                }
                FrameLine::Caret { offset } => {
                    let gutter = paint.gutter(&format!("{:>width$} |", ""));
                    let _ = writeln!(
                        out,
                        "    {gutter} {}{}",
                        " ".repeat(offset),
                        paint.marker("^")
                    );
                }
            }
        }
    }
    for related in &finding.related {
        let _ = writeln!(
            out,
            "  related: {}  {}",
            paint.location(&clean(&related.location.to_string())),
            clean(&related.message)
        );
    }
    if !finding.remediation.is_empty() {
        let _ = writeln!(out, "  help: {}", clean(finding.remediation));
    }
}

/// `N findings (c critical, h high, m medium, l low, i info), F functions, A apps, E files with
/// errors, S suppressed`.
pub(crate) fn summary_line(s: &Summary) -> String {
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|&sev| format!("{} {}", s.count(sev), sev.as_str()))
        .collect();
    format!(
        "{} ({}), {}, {}, {} with errors, {} suppressed",
        plural(s.findings, "finding", "findings"),
        counts.join(", "),
        plural(s.functions, "function", "functions"),
        plural(s.apps, "app", "apps"),
        plural(s.files_with_errors, "file", "files"),
        s.suppressed,
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Cuts `text` to `max` characters, ending with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Applies colours only when asked, so plain output has no escape codes at all.
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_string()
        }
    }

    fn heading(&self, text: &str) -> String {
        self.paint(text, Style::new().bold().underline())
    }

    fn severity(&self, severity: Severity) -> String {
        let label = severity.as_str().to_ascii_uppercase();
        let style = match severity {
            Severity::Critical => Style::new().bold().magenta(),
            Severity::High => Style::new().bold().red(),
            Severity::Medium => Style::new().bold().yellow(),
            Severity::Low => Style::new().blue(),
            Severity::Info => Style::new().dimmed(),
        };
        self.paint(&label, style)
    }

    fn code(&self, code: &str) -> String {
        self.paint(code, Style::new().bold())
    }

    fn location(&self, text: &str) -> String {
        self.paint(text, Style::new().cyan())
    }

    fn gutter(&self, text: &str) -> String {
        self.paint(text, Style::new().dimmed())
    }

    fn marker(&self, text: &str) -> String {
        self.paint(text, Style::new().bold().red())
    }

    fn error(&self, text: &str) -> String {
        self.paint(text, Style::new().red())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_counts_and_plurals() {
        let s = Summary {
            findings: 3,
            by_severity: [0, 1, 0, 2, 0],
            functions: 1,
            apps: 2,
            files_with_errors: 1,
            errors: 2,
            suppressed: 4,
        };
        assert_eq!(
            summary_line(&s),
            "3 findings (0 critical, 2 high, 0 medium, 1 low, 0 info), 1 function, 2 apps, 1 file with errors, 4 suppressed"
        );
    }

    #[test]
    fn shorten_cuts_with_ellipsis() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
