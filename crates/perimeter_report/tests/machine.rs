//! The JSON contract and the SARIF log: snapshots, schema validation, stable fingerprints.

mod common;

use perimeter_report::{FINGERPRINT_KEY, json, sarif};
use serde_json::Value;
use std::path::Path;

#[test]
fn json_report_contract() {
    let scan = common::scan();
    let root = common::root();
    let out = json(&scan.input(&root));
    let doc: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "perimeter");
    assert_eq!(doc["functions"][0]["id"], "template.yaml#ApiFunction");
    assert_eq!(doc["findings"][0]["code"], "IAM001");
    assert_eq!(doc["findings"][0]["function"], Value::Null);
    assert_eq!(doc["findings"][1]["function"], "template.yaml#ApiFunction");
    assert_eq!(doc["summary"]["severity"]["high"], 2);
    assert_eq!(doc["errors"][1]["line"], Value::Null);
    insta::assert_snapshot!(out);
}

#[test]
fn json_report_is_independent_of_input_order() {
    let mut scan = common::scan();
    let root = common::root();
    let first = json(&scan.input(&root));
    scan.findings.reverse();
    assert_eq!(first, json(&scan.input(&root)));
}

fn schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas/sarif-2.1.0.json")
}

#[test]
fn sarif_log_validates_against_the_schema() {
    let path = schema_path();
    let schema_text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the SARIF schema must be at {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");

    let scan = common::scan();
    let root = common::root();
    let out = sarif(&scan.input(&root));
    let log: Value = serde_json::from_str(&out).expect("valid JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );

    // The validator is not vacuous: a broken log fails.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("severe");
    assert!(!validator.is_valid(&broken));

    // Sanity on what GitHub reads.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
    }
    let sec = rules
        .iter()
        .find(|r| r["id"] == "IAM001")
        .expect("IAM001 descriptor");
    assert_eq!(sec["properties"]["security-severity"], "9.5");
    assert_eq!(sec["defaultConfiguration"]["level"], "error");
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_fingerprints_are_stable() {
    let scan = common::scan();
    let root = common::root();
    let fingerprints = |out: &str| -> Vec<String> {
        let log: Value = serde_json::from_str(out).expect("valid JSON");
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["partialFingerprints"][FINGERPRINT_KEY]
                    .as_str()
                    .expect("fingerprint")
                    .to_string()
            })
            .collect()
    };
    let first = fingerprints(&sarif(&scan.input(&root)));
    assert_eq!(first.len(), scan.findings.len());
    // A second scan of the same thing (fresh findings, another order) gives the same set.
    let mut again = common::scan();
    again.findings.reverse();
    let second = fingerprints(&sarif(&again.input(&root)));
    assert_eq!(first, second);
    let unique: std::collections::BTreeSet<_> = first.iter().collect();
    assert_eq!(unique.len(), first.len(), "fingerprints are distinct");
}
