//! The INJ rules over real flows: handler code is analyzed by `perimeter_code::taint` and the
//! flows attached to functions of a template loaded by the real loader, as the code stage does.
//!
//! - every INJ rule's documented examples (the `python` blocks of `## Example`): the first must
//!   make the rule fire, the one after "Use instead:" must not;
//! - `tests/fixtures/INJ/`: one template (a public API route, an S3-triggered, an
//!   SQS-triggered and a scheduled function, one without triggers) whose functions' code has flows of every
//!   kind; the findings of all INJ rules, with their related locations, are snapshotted.

mod common;

use perimeter_code::{lang, taint};
use perimeter_load::{cloudformation, doc};
use perimeter_model::{App, FunctionCode, HandlerRef, Language, Location};
use perimeter_rules::{Family, Finding, Rule, registry};
use std::path::Path;

fn inj_rules() -> Vec<&'static dyn Rule> {
    registry()
        .into_iter()
        .filter(|r| r.meta().family == Family::Inj)
        .collect()
}

fn load_template(rel: &str, text: &str) -> App {
    let node = doc::parse_yaml(text)
        .expect("template parses")
        .expect("template is not empty");
    cloudformation::load(rel, &node, common::template_kind(&node))
}

/// Analyzes `source` and gives the flows to `function` of `app`, as the code stage would.
fn attach(app: &mut App, function: &str, path: &str, source: &str) {
    let language = lang::language_of(path);
    let tree = lang::parse(language, path, source).expect("code parses");
    let flows = taint::analyze(language, path, source, &tree, "handler");
    let f = app
        .functions
        .iter_mut()
        .find(|f| f.id == function)
        .expect("function in template");
    f.code = Some(FunctionCode {
        bundle: "src".into(),
        layers: Vec::new(),
        language,
        handler: Some(HandlerRef {
            file: path.into(),
            symbol: "handler".into(),
            location: Location::new(path, 1, 1),
        }),
        problem: None,
        files: vec![path.into()],
        sdk_calls: Vec::new(),
        flows,
    });
}

fn run(rules: &[&dyn Rule], app: &App) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        rule.check(app, &mut out);
    }
    out.sort_by(|a, b| (&a.location, a.code).cmp(&(&b.location, b.code)));
    out
}

/// The `python` blocks of a documentation's `## Example` section.
fn code_blocks(documentation: &str) -> Vec<String> {
    let mut in_example = false;
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in documentation.lines() {
        if line.starts_with("## ") {
            in_example = line.trim_end() == "## Example";
            continue;
        }
        if !in_example {
            continue;
        }
        match (&mut current, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```python" => current = Some(String::new()),
            (Some(_), true) => blocks.extend(current.take()),
            (Some(text), false) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

const EXAMPLE_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get:
          Type: Api
          Properties:
            Path: /run
            Method: get
";

#[test]
fn documented_examples_behave() {
    let rules = inj_rules();
    assert_eq!(rules.len(), 7);
    let mut problems = Vec::new();
    for rule in rules {
        let code = rule.meta().code;
        let blocks = code_blocks(&rule.meta().documentation());
        let [bad, good] = blocks.as_slice() else {
            problems.push(format!(
                "{code}: needs exactly two python blocks, found {}",
                blocks.len()
            ));
            continue;
        };
        for (which, source, should_fire) in [("bad", bad, true), ("good", good, false)] {
            let mut app = load_template("template.yaml", EXAMPLE_TEMPLATE);
            attach(
                &mut app,
                "Fn",
                &format!("{code}/example-{which}.py"),
                source,
            );
            let findings = run(&[rule], &app);
            if findings.is_empty() == should_fire {
                problems.push(format!(
                    "{code}: the {which} example {}: {:?}",
                    if should_fire {
                        "does not fire"
                    } else {
                        "fires"
                    },
                    findings.iter().map(|f| &f.message).collect::<Vec<_>>()
                ));
            }
            // Only its own kind: the example of one rule does not trip another INJ rule.
            let others: Vec<_> = run(&inj_rules(), &app)
                .into_iter()
                .filter(|f| f.code != code)
                .map(|f| f.code)
                .collect();
            if !others.is_empty() {
                problems.push(format!("{code}: the {which} example also fires {others:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            f.code, f.severity, f.resource, f.location, f.message
        ));
        for r in &f.related {
            out.push_str(&format!("    {} {}\n", r.location, r.message));
        }
    }
    out
}

#[test]
fn findings_on_a_mixed_app() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/INJ");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("fixture");
    let mut app = load_template("INJ/template.yaml", &read("template.yaml"));
    attach(&mut app, "AdminApi", "src/admin.py", &read("admin.py"));
    attach(&mut app, "Thumbnails", "src/thumbs.js", &read("thumbs.js"));
    attach(&mut app, "Worker", "src/worker.py", &read("worker.py"));
    attach(&mut app, "Internal", "src/worker.py", &read("worker.py"));
    attach(&mut app, "Nightly", "src/worker.py", &read("worker.py"));
    let findings = run(&inj_rules(), &app);
    let codes: std::collections::BTreeSet<_> = findings.iter().map(|f| f.code).collect();
    assert_eq!(
        codes.len(),
        7,
        "every INJ rule fires once at least: {codes:?}"
    );
    // The public route makes its findings critical, a schedule's fixed input medium; the
    // others stay high.
    for f in &findings {
        let expected = match f.resource.as_str() {
            "AdminApi" => perimeter_rules::Severity::Critical,
            "Nightly" => perimeter_rules::Severity::Medium,
            _ => perimeter_rules::Severity::High,
        };
        assert_eq!(f.severity, expected, "{} {}", f.code, f.message);
        assert!(!f.related.is_empty());
    }
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("INJ-mixed-app", render(&findings));
    });
}

#[test]
fn functions_without_code_or_flows_give_nothing() {
    let app = load_template("template.yaml", EXAMPLE_TEMPLATE);
    assert!(run(&inj_rules(), &app).is_empty());
    let _ = Language::Python;
}
