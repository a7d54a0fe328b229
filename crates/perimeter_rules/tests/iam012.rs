//! IAM012 (`granted-but-unused-permissions`) on real templates with the code stage's facts
//! attached by hand: the loader-backed harnesses cannot hold code, so this file runs the rule's
//! fixtures (`tests/fixtures/IAM012/bad*`, `good*`) and its documented examples itself.

mod common;

use perimeter_load::{cloudformation, doc};
use perimeter_model::{
    App, ArgValue, FunctionCode, HandlerRef, Language, Location, ResourceArg, Sdk, SdkCall,
};
use perimeter_rules::{Finding, registry};
use std::path::Path;

fn load(rel: &str, text: &str) -> App {
    let node = doc::parse_yaml(text)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .unwrap_or_else(|| panic!("{rel}: empty"));
    cloudformation::load(rel, &node, common::template_kind(&node))
}

fn call(service: &str, op: &str, param: &str, var: &str, line: u32) -> SdkCall {
    SdkCall {
        sdk: Sdk::Boto3,
        service: service.into(),
        operation: op.into(),
        resources: vec![ResourceArg {
            param: param.into(),
            value: ArgValue::EnvVar(var.into()),
        }],
        location: Location::new("src/app.py", line, 5),
    }
}

/// What the code stage finds in the fixtures' `src/`: a found handler and these calls.
fn attach(app: &mut App, calls: &[(&str, SdkCall)]) {
    for f in &mut app.functions {
        let sdk_calls: Vec<SdkCall> = calls
            .iter()
            .filter(|(id, _)| *id == f.id)
            .map(|(_, c)| c.clone())
            .collect();
        f.code = Some(FunctionCode {
            bundle: "src".into(),
            layers: vec![],
            language: Language::Python,
            handler: Some(HandlerRef {
                file: "src/app.py".into(),
                symbol: "handler".into(),
                location: Location::new("src/app.py", 1, 1),
            }),
            problem: None,
            files: vec!["src/app.py".into()],
            sdk_calls,
            flows: vec![],
        });
    }
}

fn run(app: &App) -> Vec<Finding> {
    let rule = registry()
        .into_iter()
        .find(|r| r.meta().code == "IAM012")
        .expect("IAM012 is registered");
    let mut out = Vec::new();
    rule.check(app, &mut out);
    out
}

fn fixture_calls() -> Vec<(&'static str, SdkCall)> {
    vec![
        (
            "CreateOrder",
            call("dynamodb", "PutItem", "TableName", "TABLE", 8),
        ),
        ("Notify", call("sns", "Publish", "TopicArn", "TOPIC", 12)),
    ]
}

fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} [{}] {}\n  fix at {}:\n{}",
                f.location,
                f.code,
                f.function.as_deref().unwrap_or("-"),
                f.message,
                f.related[0].location,
                f.related[0]
                    .message
                    .lines()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn fixture(name: &str) -> App {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/IAM012");
    let text = std::fs::read_to_string(dir.join(name)).expect("fixture");
    let mut app = load(name, &text);
    attach(&mut app, &fixture_calls());
    app
}

#[test]
fn bad_fixture_fires() {
    let findings = run(&fixture("bad.yaml"));
    assert!(!findings.is_empty());
    insta::assert_snapshot!("IAM012-bad_yaml", render(&findings));
}

#[test]
fn good_fixture_is_silent() {
    let findings = run(&fixture("good.yaml"));
    assert!(findings.is_empty(), "{}", render(&findings));
}

#[test]
fn silent_without_code_facts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/IAM012");
    let text = std::fs::read_to_string(dir.join("bad.yaml")).expect("fixture");
    assert!(run(&load("bad.yaml", &text)).is_empty());
}

/// The two YAML blocks of `## Example`.
fn example_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut in_example = false;
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if line.starts_with("## ") {
            in_example = line.trim_end() == "## Example";
            continue;
        }
        if !in_example {
            continue;
        }
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(b) => blocks.push(b),
                None => current = Some(String::new()),
            }
        } else if let Some(b) = current.as_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    blocks
}

#[test]
fn documented_examples_behave_with_their_code() {
    let rule = registry()
        .into_iter()
        .find(|r| r.meta().code == "IAM012")
        .expect("IAM012 is registered");
    let blocks = example_blocks(&rule.meta().documentation());
    assert_eq!(blocks.len(), 2);
    // The code the example's comment describes: `table.put_item(...)` on TABLE.
    let calls = [(
        "CreateOrder",
        call("dynamodb", "PutItem", "TableName", "TABLE", 7),
    )];
    let mut bad = load("IAM012/example-bad.yaml", &blocks[0]);
    attach(&mut bad, &calls);
    let findings = run(&bad);
    assert_eq!(findings.len(), 1, "{}", render(&findings));
    assert!(
        findings[0]
            .message
            .contains("`dynamodb:*` (used only for dynamodb:PutItem")
    );
    let mut good = load("IAM012/example-good.yaml", &blocks[1]);
    attach(&mut good, &calls);
    assert!(run(&good).is_empty(), "{}", render(&run(&good)));
}
