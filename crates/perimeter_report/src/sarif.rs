//! SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.
//!
//! One run; `tool.driver.rules` is the rule catalog (plus a minimal descriptor for any code
//! that a finding carries but the catalog lacks, so `ruleIndex` is always valid), results point
//! at `%SRCROOT%`-relative URIs, and per-file problems go to
//! `invocations[0].toolExecutionNotifications`. Columns count Unicode code points, as the
//! model's do, and the run says so (`columnKind`).

use crate::{INFORMATION_URI, ReportInput, TOOL_NAME, sorted_findings};
use perimeter_model::Location;
use perimeter_rules::{Finding, RuleMeta, Severity};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "perimeterFingerprint/v1";

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// SARIF `level` for a severity.
pub fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a number in a string) for a severity.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Renders the SARIF log (pretty-printed, ending with a newline).
pub fn sarif(input: &ReportInput<'_>) -> String {
    let findings = sorted_findings(input.findings);

    // The catalog first, in its order; then codes only findings know about.
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in input.rules {
        let meta = rule.meta();
        if index.contains_key(meta.code) {
            continue;
        }
        index.insert(meta.code, rules.len());
        rules.push(rule_descriptor(meta));
    }
    for f in &findings {
        if !index.contains_key(f.code) {
            index.insert(f.code, rules.len());
            rules.push(unknown_rule_descriptor(f));
        }
    }

    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, index.get(f.code).copied().unwrap_or(0)))
        .collect();

    let notifications: Vec<Value> = input
        .errors
        .iter()
        .map(|e| {
            // A per-file problem is always about a file under the root (or the configuration
            // file), even when its line is unknown.
            let mut physical =
                json!({ "artifactLocation": { "uri": encode_uri(&e.file), "uriBaseId": SRCROOT } });
            if let Some(line) = e.line.filter(|&l| l > 0) {
                physical["region"] = json!({ "startLine": line });
                if let Some(column) = e.column.filter(|&c| c > 0) {
                    physical["region"]["startColumn"] = json!(column);
                }
            }
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [ { "physicalLocation": physical } ],
            })
        })
        .collect();

    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": TOOL_NAME,
                "version": input.tool_version,
                "semanticVersion": input.tool_version,
                "properties": { "iamCatalogDate": input.iam_catalog_date },
                "informationUri": INFORMATION_URI,
                "rules": rules,
            } },
            "invocations": [ {
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            } ],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "suppressed": input.suppressed },
        } ],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    let doc = meta.documentation();
    let full = first_paragraph_of_section(&doc, "What it does")
        .unwrap_or_else(|| meta.summary.to_string());
    let help_text = if doc.trim().is_empty() {
        meta.summary.to_string()
    } else {
        doc.clone()
    };
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": full },
        "help": { "text": help_text, "markdown": help_text },
        "defaultConfiguration": { "level": sarif_level(meta.severity) },
        "properties": {
            "tags": ["security", meta.family.prefix().to_ascii_lowercase()],
            "security-severity": security_severity(meta.severity),
            "precision": precision(meta),
        },
    })
}

/// GitHub's `precision` from the rule's confidence.
fn precision(meta: &RuleMeta) -> &'static str {
    match meta.confidence {
        perimeter_rules::Level::High => "high",
        perimeter_rules::Level::Medium => "medium",
        perimeter_rules::Level::Low => "low",
    }
}

fn unknown_rule_descriptor(f: &Finding) -> Value {
    json!({
        "id": f.code,
        "name": f.name,
        "shortDescription": { "text": f.name },
        "defaultConfiguration": { "level": sarif_level(f.severity) },
        "properties": { "tags": ["security"], "security-severity": security_severity(f.severity) },
    })
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let related: Vec<Value> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "id": i,
                "physicalLocation": physical_location(&r.location),
                "message": { "text": r.message },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": sarif_level(f.severity),
        "message": { "text": f.message },
        "locations": [ { "physicalLocation": physical_location(&f.location) } ],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
        "properties": {
            "severity": f.severity.as_str(),
            "security-severity": security_severity(f.severity),
            "resource": f.resource,
            "app": f.app,
        },
    });
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    if let Some(function) = &f.function {
        result["properties"]["function"] = json!(crate::qualified_function(&f.app, function));
    }
    result
}

/// A file location relative to `%SRCROOT%`; live-account locations (line 0, an ARN) get no
/// base and no region.
fn physical_location(l: &Location) -> Value {
    if l.line == 0 {
        return json!({ "artifactLocation": { "uri": encode_uri(&l.file) } });
    }
    let mut region = json!({ "startLine": l.line });
    if l.column > 0 {
        region["startColumn"] = json!(l.column);
    }
    json!({
        "artifactLocation": { "uri": encode_uri(&l.file), "uriBaseId": SRCROOT },
        "region": region,
    })
}

/// Percent-encodes a relative path for a URI reference (RFC 3986): unreserved characters,
/// `/` and a few sub-delimiters stay; backslashes become `/`.
fn encode_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'=' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The first paragraph under `## {title}` in a rule's Markdown documentation.
fn first_paragraph_of_section(doc: &str, title: &str) -> Option<String> {
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim_start_matches('#').trim() != title || !l.starts_with('#'));
    lines.next()?;
    let paragraph: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    if paragraph.is_empty() {
        None
    } else {
        Some(paragraph.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode_uri("a b/c#d%.yaml"), "a%20b/c%23d%25.yaml");
        assert_eq!(encode_uri("src\\x.py"), "src/x.py");
        assert_eq!(encode_uri("é"), "%C3%A9");
    }

    #[test]
    fn section_paragraph() {
        let doc = "# AUTH001\n\n## What it does\n\nFinds a thing\nthat is bad.\n\nMore.\n## Why is this bad?\nx\n";
        assert_eq!(
            first_paragraph_of_section(doc, "What it does").as_deref(),
            Some("Finds a thing that is bad.")
        );
        assert_eq!(first_paragraph_of_section(doc, "Missing"), None);
    }
}
