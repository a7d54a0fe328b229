//! The JSON report: a documented, versioned contract (`CONTRACT.md`).
//!
//! The document is built from serde structs private to this module rather than from the
//! model's own `Serialize` derives, so a change to the model cannot change the contract by
//! accident: every field here is written down in `CONTRACT.md`, and a snapshot test pins it.

use crate::{
    INFORMATION_URI, ReportInput, Summary, TOOL_NAME, qualified_function, sorted_findings,
};
use perimeter_model::Location;
use perimeter_rules::Severity;
use serde::Serialize;

/// The contract's version: bumped on any change that could break a consumer (a removed or
/// renamed field, a changed meaning). Adding a field does not bump it.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool<'a>,
    summary: SummaryOut,
    functions: Vec<FunctionOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    errors: Vec<ErrorOut<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
    #[serde(rename = "informationUri")]
    information_uri: &'a str,
    /// Date of the embedded AWS IAM action catalog.
    iam_catalog_date: &'a str,
}

#[derive(Serialize)]
struct SummaryOut {
    findings: usize,
    severity: SeverityCounts,
    functions: usize,
    apps: usize,
    files_with_errors: usize,
    errors: usize,
    suppressed: usize,
}

#[derive(Serialize)]
struct SeverityCounts {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct LocationOut<'a> {
    file: &'a str,
    line: u32,
    column: u32,
}

impl<'a> From<&'a Location> for LocationOut<'a> {
    fn from(l: &'a Location) -> Self {
        LocationOut {
            file: &l.file,
            line: l.line,
            column: l.column,
        }
    }
}

#[derive(Serialize)]
struct FunctionOut<'a> {
    id: String,
    app: &'a str,
    name: &'a str,
    rank: usize,
    score: u32,
    reasons: Vec<ReasonOut<'a>>,
    triggers: &'a [String],
    location: LocationOut<'a>,
}

#[derive(Serialize)]
struct ReasonOut<'a> {
    points: u32,
    factor: &'a str,
    text: &'a str,
    codes: &'a [&'static str],
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    app: &'a str,
    function: Option<String>,
    resource: &'a str,
    /// CDK construct path of the resource, for synthesized CDK templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<&'a str>,
    message: &'a str,
    location: LocationOut<'a>,
    related: Vec<RelatedOut<'a>>,
    remediation: &'a str,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    message: &'a str,
    location: LocationOut<'a>,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

/// Renders the JSON report (pretty-printed, ending with a newline).
pub fn json(input: &ReportInput<'_>) -> String {
    let s = Summary::of(input);
    let report = Report {
        version: JSON_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: input.tool_version,
            iam_catalog_date: input.iam_catalog_date,
            information_uri: INFORMATION_URI,
        },
        summary: SummaryOut {
            findings: s.findings,
            severity: SeverityCounts {
                critical: s.count(Severity::Critical),
                high: s.count(Severity::High),
                medium: s.count(Severity::Medium),
                low: s.count(Severity::Low),
                info: s.count(Severity::Info),
            },
            functions: s.functions,
            apps: s.apps,
            files_with_errors: s.files_with_errors,
            errors: s.errors,
            suppressed: s.suppressed,
        },
        functions: input
            .scores
            .iter()
            .enumerate()
            .map(|(i, f)| FunctionOut {
                id: qualified_function(&f.app, &f.function),
                app: &f.app,
                name: &f.name,
                rank: i + 1,
                score: f.score,
                reasons: f
                    .reasons
                    .iter()
                    .map(|r| ReasonOut {
                        points: r.points,
                        factor: r.factor,
                        text: &r.text,
                        codes: &r.codes,
                    })
                    .collect(),
                triggers: &f.triggers,
                location: (&f.location).into(),
            })
            .collect(),
        findings: sorted_findings(input.findings)
            .into_iter()
            .map(|f| FindingOut {
                code: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                app: &f.app,
                function: f
                    .function
                    .as_deref()
                    .map(|id| qualified_function(&f.app, id)),
                resource: &f.resource,
                construct_path: crate::construct_path(input.model, f),
                message: &f.message,
                location: (&f.location).into(),
                related: f
                    .related
                    .iter()
                    .map(|r| RelatedOut {
                        message: &r.message,
                        location: (&r.location).into(),
                    })
                    .collect(),
                remediation: f.remediation,
                fingerprint: &f.fingerprint,
            })
            .collect(),
        errors: input
            .errors
            .iter()
            .map(|e| ErrorOut {
                file: &e.file,
                line: e.line,
                column: e.column,
                message: &e.message,
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}
