//! End to end over real inputs: load → rules → score → every emitter. Checks that the
//! emitters cope with whatever the real pipeline produces: SARIF stays schema-valid, JSON
//! round-trips, the text report holds no control characters and no secret that a SEC finding
//! points at.

use perimeter_report::{ReportInput, TextOptions, json, sarif, text};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn validator() -> jsonschema::Validator {
    let path = shared().join("schemas/sarif-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

/// The value written after the first `:` or `=` of a line, unquoted.
fn value_on(line: &str) -> Option<String> {
    let sep = line.find([':', '='])?;
    let v = line[sep + 1..].trim().trim_matches(['"', '\'', ',']).trim();
    (v.chars().count() >= 8).then(|| v.to_string())
}

fn run(root: &Path) -> usize {
    assert!(root.is_dir(), "{} is missing", root.display());
    let model = perimeter_load::load_path(root, &perimeter_load::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    // Runtime end-of-life findings depend on the day: judge as of a fixed one.
    perimeter_rules::rules::dep::set_today(perimeter_rules::rules::dep::Date::new(2026, 11, 1));
    let findings = perimeter_rules::check(&model);
    let scores = perimeter_score::score(&model, &findings);
    let rules = perimeter_rules::registry();
    let input = ReportInput {
        root,
        model: &model,
        findings: &findings,
        scores: &scores,
        errors: &model.errors,
        suppressed: 0,
        rules: &rules,
        tool_version: "0.0.0-test",
        iam_catalog_date: "2026-10-27",
    };

    let out = text(&input, &TextOptions::default());
    assert!(
        !out.chars().any(|c| c.is_control() && c != '\n'),
        "control character in the text report"
    );
    for f in findings.iter().filter(|f| f.code.starts_with("SEC")) {
        let line = std::fs::read_to_string(root.join(&f.location.file))
            .ok()
            .and_then(|t| {
                t.lines()
                    .nth(f.location.line as usize - 1)
                    .map(str::to_string)
            });
        if let Some(secret) = line.as_deref().and_then(value_on) {
            assert!(
                !out.contains(&secret),
                "{}: secret value printed in the text report",
                f.location
            );
        }
    }

    let doc: Value = serde_json::from_str(&json(&input)).expect("JSON report parses");
    assert_eq!(
        doc["findings"].as_array().map(Vec::len),
        Some(findings.len())
    );

    let log: Value = serde_json::from_str(&sarif(&input)).expect("SARIF parses");
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{}: SARIF schema violations:\n{}",
        root.display(),
        errors.join("\n")
    );
    findings.len()
}

#[test]
fn repository_examples() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    run(&examples);
}

#[test]
fn serverless_rules_corpus() {
    run(&shared().join("corpora/iac/serverless-rules"));
}

#[test]
fn serverless_patterns_corpus() {
    // ~560 SAM/CloudFormation templates: the broadest real input we have.
    let findings = run(&shared().join("corpora/iac/serverless-patterns"));
    assert!(findings > 0);
}
