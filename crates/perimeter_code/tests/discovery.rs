//! The code stage on fixture apps in each language: handlers, files read, SDK calls.

mod common;

use common::{fixture, load_and_attach, render};
use perimeter_code::CodeOptions;

fn snapshot_app(name: &str) -> perimeter_code::CodeStats {
    let (model, stats) = load_and_attach(&fixture(name), &CodeOptions::default());
    insta::assert_snapshot!(name, render(&model));
    stats
}

#[test]
fn python_sam_app() {
    let stats = snapshot_app("sam-python");
    assert_eq!(stats.functions, 4);
    assert_eq!(stats.handlers_resolved, 3, "{:?}", stats.problems);
    assert!(
        stats
            .problems
            .iter()
            .any(|p| p.contains("no function 'no_such_handler'"))
    );
    assert_eq!(stats.unrecognized.len(), 1, "{:?}", stats.unrecognized);
}

#[test]
fn node_serverless_app() {
    let stats = snapshot_app("sls-node");
    assert_eq!(stats.functions, 5);
    assert_eq!(stats.handlers_resolved, 4, "{:?}", stats.problems);
    assert!(
        stats
            .problems
            .iter()
            .any(|p| p.contains("nope.js: file not found"))
    );
}

#[test]
fn go_sam_app() {
    let stats = snapshot_app("sam-go");
    assert_eq!(stats.handlers_resolved, 1, "{:?}", stats.problems);
    assert_eq!(stats.unrecognized.len(), 1, "{:?}", stats.unrecognized);
}

#[test]
fn java_sam_app() {
    let stats = snapshot_app("sam-java");
    assert_eq!(stats.handlers_resolved, 1, "{:?}", stats.problems);
}
