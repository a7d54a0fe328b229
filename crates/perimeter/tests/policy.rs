//! End to end: `perimeter policy` on the example apps (the real binary, the code stage, the
//! embedded action map and catalog), its JSON shape, formats and errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn perimeter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("run perimeter")
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn policy_json(example: &str) -> serde_json::Value {
    let out = perimeter(&["policy", example, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out)
}

#[test]
fn json_shape() {
    let report = policy_json("examples/vulnerable-sam");
    let top: Vec<&String> = report.as_object().expect("object").keys().collect();
    assert_eq!(top, ["functions"]);
    let functions = report["functions"].as_array().expect("functions");
    assert!(!functions.is_empty());
    for f in functions {
        for key in ["function", "policy", "evidence", "granted_unused"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert_eq!(f["policy"]["Version"], "2012-10-17");
        for s in f["policy"]["Statement"].as_array().expect("statements") {
            assert_eq!(s["Effect"], "Allow");
            assert!(!s["Action"].as_array().expect("actions").is_empty());
            assert!(!s["Resource"].as_array().expect("resources").is_empty());
        }
        for e in f["evidence"].as_array().expect("evidence") {
            for key in ["action", "file", "line", "call"] {
                assert!(e.get(key).is_some(), "{key} missing in {e}");
            }
        }
    }
}

#[test]
fn sam_example_snapshot() {
    let report = policy_json("examples/vulnerable-sam");
    // The upload function writes the table its environment names: the policy names it.
    let upload = report["functions"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["function"] == "UploadPhotoFunction"))
        .expect("UploadPhotoFunction");
    assert!(
        upload["policy"]["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .any(|s| s["Resource"][0] == serde_json::json!({"Fn::GetAtt": ["PhotosTable", "Arn"]})),
        "{upload}"
    );
    insta::assert_json_snapshot!("policy-vulnerable-sam", report);
}

#[test]
fn serverless_example_snapshot() {
    let report = policy_json("examples/vulnerable-serverless");
    insta::assert_json_snapshot!("policy-vulnerable-serverless", report);
}

#[test]
fn one_function_as_text_and_yaml() {
    let out = perimeter(&[
        "policy",
        "examples/vulnerable-sam",
        "--function",
        "UploadPhotoFunction",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Function UploadPhotoFunction (template.yaml)"),
        "{text}"
    );
    assert!(text.contains("Least-privilege policy:"));
    assert!(text.contains("Evidence:"));
    assert!(text.contains("Granted but unused (remove):"), "{text}");
    assert!(text.contains("Patch for template.yaml:"));
    assert!(!text.contains("Function ListPhotosFunction"));

    let out = perimeter(&[
        "policy",
        "examples/vulnerable-sam",
        "--function",
        "UploadPhotoFunction",
        "--format",
        "yaml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(
        yaml.starts_with("functions:\n  - function: UploadPhotoFunction\n"),
        "{yaml}"
    );
}

#[test]
fn unknown_function_is_an_error_listing_the_functions() {
    let out = perimeter(&["policy", "examples/vulnerable-sam", "--function", "Nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no function `Nope`"), "{err}");
    assert!(err.contains("UploadPhotoFunction (template.yaml)"), "{err}");
}

#[test]
fn missing_path_is_an_error() {
    let out = perimeter(&["policy", "examples/does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("policy.json");
    let file_arg = file.to_string_lossy().to_string();
    let out = perimeter(&[
        "policy",
        "examples/vulnerable-serverless",
        "-f",
        "json",
        "-o",
        &file_arg,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("json");
    assert!(
        written["functions"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
}

/// The two hand-kept tables agree: every SDK helper the code stage can report
/// (`perimeter_code::sdk::helpers::HELPERS`) is in the action map's exceptions table.
#[test]
fn every_helper_the_code_stage_reports_is_mapped() {
    use perimeter_iam::least_privilege::{Mapping, action_map};
    let missing: Vec<String> = perimeter_code::sdk::helpers::HELPERS
        .iter()
        .filter(|h| action_map().lookup(h.service, h.name) == Mapping::Unknown)
        .map(|h| format!("{} {}", h.service, h.name))
        .collect();
    assert!(
        missing.is_empty(),
        "not in sdk_actions_exceptions.tsv: {missing:?}"
    );
}
