//! The code stage on the example apps: every handler is found, SDK calls are read, and the
//! scan reports no error for the code it reads.

use perimeter_code::{CodeOptions, attach};
use perimeter_load::LoadOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

#[test]
fn examples_code_is_found_and_read_without_errors() {
    for (example, functions) in [
        ("examples/vulnerable-serverless", 7),
        ("examples/vulnerable-sam", 5),
    ] {
        let root = repo().join(example);
        let mut model = perimeter_load::load_path(&root, &LoadOptions::default()).expect("loads");
        let before = model.errors.len();
        let stats = attach(&mut model, &root, &CodeOptions::default());
        assert_eq!(
            model.errors.len(),
            before,
            "{example}: {:?}",
            &model.errors[before..]
        );
        assert_eq!(stats.functions, functions, "{example}");
        assert_eq!(
            stats.handlers_resolved, functions,
            "{example}: {:?}",
            stats.problems
        );
        assert!(stats.sdk_calls > 0, "{example}: no SDK call");
        for app in &model.apps {
            assert!(!app.code.is_empty(), "{example}: no bundle");
            for f in &app.functions {
                let code = f.code.as_ref().expect("code");
                assert!(
                    code.handler.is_some() && !code.files.is_empty(),
                    "{example} {}",
                    f.id
                );
            }
        }
    }
}

#[test]
fn scan_of_examples_reports_no_load_error() {
    for example in [
        "examples/vulnerable-serverless",
        "examples/vulnerable-sam",
        "examples/clean-sam",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", example, "--format", "json"])
            .current_dir(repo())
            .env("NO_COLOR", "1")
            .output()
            .expect("run perimeter");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(report["errors"], serde_json::json!([]), "{example}");
    }
}

#[test]
fn sam_example_sdk_calls_name_their_resources() {
    let root = repo().join("examples/vulnerable-sam");
    let mut model = perimeter_load::load_path(&root, &LoadOptions::default()).expect("loads");
    attach(&mut model, &root, &CodeOptions::default());
    let mut calls = Vec::new();
    for f in &model.apps[0].functions {
        for c in &f.code.as_ref().expect("code").sdk_calls {
            calls.push(format!(
                "{} {} {}.{} {:?}",
                f.id, c.location, c.service, c.operation, c.resources
            ));
        }
    }
    insta::assert_snapshot!(calls.join("\n"));
}
