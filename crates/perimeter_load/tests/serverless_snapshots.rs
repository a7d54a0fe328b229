//! Snapshots of the model the serverless loader builds for its fixtures: a complete
//! service, an empty one, one full of unresolvable variables, and one with per-function IAM
//! roles and a `resources:` block.

use perimeter_load::{LoadOptions, doc, serverless};
use perimeter_model::App;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serverless")
}

/// Loads `name/serverless.yml` with the fixtures folder as the scan root.
fn load(name: &str, options: &LoadOptions) -> App {
    let root = fixtures();
    let file = format!("{name}/serverless.yml");
    let text = std::fs::read_to_string(root.join(&file)).expect("fixture");
    let node = doc::parse_yaml(&text)
        .expect("fixture parses")
        .expect("fixture not empty");
    serverless::load(&file, &node, &root, options).expect("fixture loads")
}

#[test]
fn complete_service() {
    let app = load("complete", &LoadOptions::default());
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn empty_service() {
    let app = load("empty", &LoadOptions::default());
    assert_eq!(app.name, "empty");
    assert!(app.functions.is_empty() && app.roles.is_empty() && app.apis.is_empty());
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn unresolvable_service() {
    let app = load("unresolvable", &LoadOptions::default());
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn per_function_iam_and_resources() {
    let app = load("per-function-iam", &LoadOptions::default());
    insta::assert_yaml_snapshot!(app);
}
