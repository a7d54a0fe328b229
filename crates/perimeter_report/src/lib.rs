//! perimeter's output emitters: a human text report, a JSON document with a stable contract
//! (see `CONTRACT.md`), SARIF 2.1.0 for code-scanning services, a self-contained HTML report
//! (with the attack graph) and a Markdown summary for pull-request comments.
//!
//! Every emitter takes one [`ReportInput`] (the scan's results, already filtered by the
//! configuration) and returns a `String`; none of them writes anywhere. Only the text and HTML
//! emitters read files (to show code frames), and they treat every file as untrusted: missing, huge or
//! binary files just get no frame, control characters are neutralised, and values that may be
//! secrets are masked.

mod frame;
mod html;
mod json;
mod markdown;
mod redact;
mod sarif;
mod text;

pub use html::html;
pub use json::{JSON_VERSION, json};
pub use markdown::{GITHUB_COMMENT_LIMIT, MarkdownOptions, markdown, markdown_with};
pub use sarif::{FINGERPRINT_KEY, sarif, sarif_level, security_severity};
pub use text::{TextOptions, text};

use perimeter_model::{LoadError, Model};
use perimeter_rules::{Finding, Rule, Severity};
use perimeter_score::FunctionScore;
use std::collections::BTreeSet;
use std::path::Path;

/// Everything an emitter needs about one scan.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    /// The scan root on disk: finding locations are relative to it (code frames read from it).
    pub root: &'a Path,
    pub model: &'a Model,
    /// Findings to report, already filtered by the configuration (disabled rules, ignores).
    pub findings: &'a [Finding],
    /// Function scores, highest first (the order is kept: rank = position + 1).
    pub scores: &'a [FunctionScore],
    /// Per-file problems to report: load errors, configuration problems, stale ignores. The
    /// emitters do not add `model.errors` themselves; the caller passes what it wants shown.
    pub errors: &'a [LoadError],
    /// How many findings the configuration suppressed (only the count is reported).
    pub suppressed: usize,
    /// The rule catalog, for SARIF rule metadata.
    pub rules: &'a [&'static dyn Rule],
    /// perimeter's version, e.g. `env!("CARGO_PKG_VERSION")` of the binary.
    pub tool_version: &'a str,
    /// The date of the embedded AWS IAM action catalog the IAM rules judged against
    /// (`perimeter_iam::DATA_DATE`), shown so a report says how current its IAM knowledge is.
    pub iam_catalog_date: &'a str,
}

/// The tool name every emitter reports.
pub const TOOL_NAME: &str = "perimeter";
/// Where users learn about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/perimeter-sec/perimeter";

/// Counts shown at the end of the text report and in the JSON `summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub findings: usize,
    /// Indexed like [`Severity::ALL`]: info, low, medium, high, critical.
    pub by_severity: [usize; 5],
    pub functions: usize,
    pub apps: usize,
    /// Distinct files among `errors`.
    pub files_with_errors: usize,
    pub errors: usize,
    pub suppressed: usize,
}

impl Summary {
    pub fn of(input: &ReportInput<'_>) -> Summary {
        let mut by_severity = [0; 5];
        for f in input.findings {
            by_severity[severity_index(f.severity)] += 1;
        }
        let files: BTreeSet<&str> = input.errors.iter().map(|e| e.file.as_str()).collect();
        Summary {
            findings: input.findings.len(),
            by_severity,
            functions: input.model.apps.iter().map(|a| a.functions.len()).sum(),
            apps: input.model.apps.len(),
            files_with_errors: files.len(),
            errors: input.errors.len(),
            suppressed: input.suppressed,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.by_severity[severity_index(severity)]
    }
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The order every emitter lists findings in: most severe first, then by file, line, column,
/// code and fingerprint (so the output is deterministic whatever order the rules ran in).
pub fn sorted_findings(findings: &[Finding]) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = findings.iter().collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.file.cmp(&b.location.file))
            .then_with(|| a.location.line.cmp(&b.location.line))
            .then_with(|| a.location.column.cmp(&b.location.column))
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    out
}

/// The CDK construct path of what a finding names (its resource, else its function), when
/// the app is a synthesized CDK template that recorded one (`Metadata: aws:cdk:path`).
pub fn construct_path<'a>(model: &'a Model, finding: &Finding) -> Option<&'a str> {
    let app = model.apps.iter().find(|a| a.id == finding.app)?;
    app.construct_path(&finding.resource).or_else(|| {
        finding
            .function
            .as_deref()
            .and_then(|f| app.construct_path(f))
    })
}

/// The app-qualified id of a function: `"<app id>#<function id>"`, as in fingerprints.
pub fn qualified_function(app: &str, function: &str) -> String {
    format!("{app}#{function}")
}
