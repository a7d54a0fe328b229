//! `apply`: disabled rules, severity overrides, config and inline ignores, stale ignores.

use perimeter_config::{Config, SuppressedBy, apply};
use perimeter_model::{App, Function, Location, Model, Resource, ResourceKind, Role, SourceKind};
use perimeter_rules::{Family, Finding, Level, RuleMeta, Severity};
use std::collections::HashMap;

const CODES: &[&str] = &["AUTH001", "AUTH002", "IAM001", "SEC001", "DOW001", "LOG001"];

const TEMPLATE: &str = "\
Resources:
  # perimeter:ignore AUTH001 internal tool, reachable only through the VPN
  PublicFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig:
        AuthType: NONE
      Timeout: 900  # perimeter:ignore DOW001 batch export, takes minutes
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      # perimeter:ignore SEC001 rotated test credential
      # (kept for the integration suite)
      Environment: { Variables: { KEY: abc } }
      FunctionUrlConfig:
        AuthType: NONE
  Bucket:  # perimeter:ignore LOG001
    Type: AWS::S3::Bucket
  # perimeter:ignore IAM001 nothing here uses it
  Queue:
    Type: AWS::SQS::Queue
";

fn meta(code: &'static str) -> RuleMeta {
    RuleMeta {
        code,
        name: "test-rule",
        family: Family::Auth,
        summary: "",
        severity: Severity::High,
        likelihood: Level::High,
        impact: Level::High,
        confidence: Level::High,
        source: "",
    }
}

fn finding(
    code: &'static str,
    resource: &str,
    function: Option<&str>,
    file: &str,
    line: u32,
) -> Finding {
    Finding::new(
        &meta(code),
        "template.yaml",
        function,
        resource,
        "k",
        format!("{code} on {resource}"),
        Location::new(file, line, 9),
        "",
    )
}

fn model() -> Model {
    let loc = |line| Location::new("template.yaml", line, 3);
    let mut app = App::new(
        "template.yaml",
        "template",
        SourceKind::Sam,
        "template.yaml",
    );
    app.functions.push(Function::new("PublicFunction", loc(3)));
    app.functions.push(Function::new("OtherFunction", loc(9)));
    // SAM generates the role at the function's declaration.
    app.roles
        .push(Role::new("PublicFunctionRole", loc(3), true));
    app.resources.push(Resource::new(
        "Bucket",
        ResourceKind::Bucket,
        "AWS::S3::Bucket",
        loc(17),
    ));
    app.resources.push(Resource::new(
        "Queue",
        ResourceKind::Queue,
        "AWS::SQS::Queue",
        loc(20),
    ));
    Model {
        apps: vec![app],
        errors: vec![],
    }
}

fn files() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("template.yaml", TEMPLATE),
        ("examples/demo/template.yaml", "Resources: {}\n"),
    ])
}

fn run(config: &Config, findings: Vec<Finding>) -> perimeter_config::Applied {
    let files = files();
    let read = move |path: &str| files.get(path).map(|s| s.to_string());
    apply(config, &model(), findings, &read)
}

fn codes(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}:{}", f.code, f.resource, f.location.line))
        .collect()
}

fn problems(applied: &perimeter_config::Applied) -> Vec<String> {
    applied.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn inline_ignores_on_resource_above_and_on_line() {
    let applied = run(
        &Config::default(),
        vec![
            // Deep inside PublicFunction, whose declaration has the comment above it.
            finding(
                "AUTH001",
                "PublicFunction",
                Some("PublicFunction"),
                "template.yaml",
                7,
            ),
            // The generated role declared on the same line is covered too.
            finding(
                "AUTH001",
                "PublicFunctionRole",
                Some("PublicFunction"),
                "template.yaml",
                3,
            ),
            // Same code, another function: kept.
            finding(
                "AUTH001",
                "OtherFunction",
                Some("OtherFunction"),
                "template.yaml",
                16,
            ),
            // Trailing comment on the offending line.
            finding(
                "DOW001",
                "PublicFunction",
                Some("PublicFunction"),
                "template.yaml",
                8,
            ),
            // Comment block above the offending line (the next non-comment line is 14).
            finding(
                "SEC001",
                "OtherFunction",
                Some("OtherFunction"),
                "template.yaml",
                14,
            ),
            // A finding of the same resource in another file (handler code) is covered by the
            // ignore on the resource.
            finding(
                "AUTH001",
                "PublicFunction",
                Some("PublicFunction"),
                "src/app.py",
                2,
            ),
        ],
    );
    assert_eq!(codes(&applied.kept), ["AUTH001 OtherFunction:16"]);
    let by: Vec<(String, SuppressedBy)> = applied
        .suppressed
        .iter()
        .map(|s| (format!("{} {}", s.finding.code, s.reason), s.by.clone()))
        .collect();
    let inline = |line| SuppressedBy::Inline {
        file: "template.yaml".to_string(),
        line,
    };
    assert_eq!(
        by,
        [
            (
                "AUTH001 internal tool, reachable only through the VPN".to_string(),
                inline(2)
            ),
            (
                "AUTH001 internal tool, reachable only through the VPN".to_string(),
                inline(2)
            ),
            ("DOW001 batch export, takes minutes".to_string(), inline(8)),
            ("SEC001 rotated test credential".to_string(), inline(12)),
            (
                "AUTH001 internal tool, reachable only through the VPN".to_string(),
                inline(2)
            ),
        ]
    );
    // The ignore without a reason is a problem; the one matching nothing too.
    assert_eq!(
        problems(&applied),
        [
            "template.yaml:17:14: perimeter:ignore LOG001 has no reason: write why after the codes; the ignore is not applied",
            "template.yaml:19: perimeter:ignore IAM001 matches no finding",
        ]
    );
}

#[test]
fn ignore_without_reason_does_not_apply() {
    let applied = run(
        &Config::default(),
        vec![finding("LOG001", "Bucket", None, "template.yaml", 17)],
    );
    assert_eq!(codes(&applied.kept), ["LOG001 Bucket:17"]);
    assert!(applied.suppressed.is_empty());
}

#[test]
fn trailing_comment_does_not_reach_the_next_line() {
    // DOW001 on line 9 (OtherFunction's declaration) is not covered by the comment that ends line 8.
    let applied = run(
        &Config::default(),
        vec![finding(
            "DOW001",
            "OtherFunction",
            Some("OtherFunction"),
            "template.yaml",
            9,
        )],
    );
    assert_eq!(applied.kept.len(), 1);
    assert!(
        problems(&applied)
            .contains(&"template.yaml:8: perimeter:ignore DOW001 matches no finding".to_string())
    );
}

#[test]
fn config_ignores_with_globs_and_resources() {
    let text = r#"
[[ignore]]
code = "SEC001"
path = "examples/**"
reason = "test fixture"

[[ignore]]
code = "IAM001"
resource = "OtherFunction"
reason = "reviewed"

[[ignore]]
code = "AUTH002"
path = "legacy/*.yaml"
reason = "legacy, being retired"
"#;
    let config = Config::parse(text, "perimeter.toml", CODES).expect("valid");
    let applied = run(
        &config,
        vec![
            finding("SEC001", "Fixture", None, "examples/demo/template.yaml", 4),
            finding(
                "SEC001",
                "OtherFunction",
                Some("OtherFunction"),
                "template.yaml",
                14,
            ),
            // resource matches the function a role finding is about.
            finding(
                "IAM001",
                "OtherFunctionRole",
                Some("OtherFunction"),
                "template.yaml",
                9,
            ),
            finding(
                "IAM001",
                "PublicFunctionRole",
                Some("PublicFunction"),
                "template.yaml",
                3,
            ),
        ],
    );
    let kept = codes(&applied.kept);
    assert_eq!(kept, ["IAM001 PublicFunctionRole:3"], "{kept:?}");
    let by: Vec<_> = applied
        .suppressed
        .iter()
        .map(|s| (s.finding.code, s.by.clone(), s.reason.as_str()))
        .collect();
    assert_eq!(
        by,
        [
            ("SEC001", SuppressedBy::Config { line: 2 }, "test fixture"),
            // Outside examples/: the config ignore does not apply, the inline one does.
            (
                "SEC001",
                SuppressedBy::Inline {
                    file: "template.yaml".into(),
                    line: 12
                },
                "rotated test credential"
            ),
            ("IAM001", SuppressedBy::Config { line: 7 }, "reviewed"),
        ]
    );
    let problems = problems(&applied);
    assert!(
        problems.contains(&"perimeter.toml:12: ignore for AUTH002 matches no finding".to_string()),
        "{problems:?}"
    );
}

#[test]
fn disabled_rules_severity_overrides_and_excludes() {
    let text = "exclude = [\"vendor/**\"]\n[rules]\nAUTH002 = \"off\"\nDOW001 = { severity = \"low\" }\nSEC001 = { enabled = false }\n";
    let config = Config::parse(text, "perimeter.toml", CODES).expect("valid");
    let applied = run(
        &config,
        vec![
            finding(
                "AUTH002",
                "PublicFunction",
                Some("PublicFunction"),
                "template.yaml",
                7,
            ),
            finding(
                "SEC001",
                "OtherFunction",
                Some("OtherFunction"),
                "template.yaml",
                14,
            ),
            finding(
                "DOW001",
                "OtherFunction",
                Some("OtherFunction"),
                "template.yaml",
                9,
            ),
            finding("AUTH001", "Vendored", None, "vendor/lib/template.yaml", 3),
        ],
    );
    // Disabled and excluded findings are dropped, not suppressed.
    assert_eq!(codes(&applied.kept), ["DOW001 OtherFunction:9"]);
    assert_eq!(applied.kept[0].severity, Severity::Low);
    assert!(applied.suppressed.is_empty());
    // The SEC001 inline ignore now matches nothing: its rule is off.
    assert!(
        problems(&applied)
            .contains(&"template.yaml:12: perimeter:ignore SEC001 matches no finding".to_string())
    );
}

#[test]
fn unreadable_files_are_skipped() {
    let read = |_: &str| None;
    let findings = vec![finding(
        "AUTH001",
        "PublicFunction",
        Some("PublicFunction"),
        "template.yaml",
        7,
    )];
    let applied = apply(&Config::default(), &model(), findings, &read);
    assert_eq!(applied.kept.len(), 1);
    assert!(applied.problems.is_empty());
}

#[test]
fn only_relevant_files_are_read() {
    let asked = std::cell::RefCell::new(Vec::new());
    let read = |path: &str| {
        asked.borrow_mut().push(path.to_string());
        None
    };
    let findings = vec![finding("AUTH001", "X", None, "src/handler.py", 1)];
    apply(&Config::default(), &model(), findings, &read);
    assert_eq!(*asked.borrow(), ["src/handler.py", "template.yaml"]);
}

#[test]
fn a_config_ignore_covering_an_inline_ignored_finding_is_not_stale() {
    let text = "[[ignore]]\ncode = \"DOW001\"\nreason = \"batch jobs\"\n";
    let config = Config::parse(text, "perimeter.toml", CODES).expect("valid");
    // Line 8 carries an inline DOW001 ignore: it wins, but the config entry matched too.
    let applied = run(
        &config,
        vec![finding(
            "DOW001",
            "PublicFunction",
            Some("PublicFunction"),
            "template.yaml",
            8,
        )],
    );
    assert_eq!(applied.suppressed.len(), 1);
    assert!(matches!(
        applied.suppressed[0].by,
        SuppressedBy::Inline { line: 8, .. }
    ));
    assert!(
        !problems(&applied)
            .iter()
            .any(|p| p.starts_with("perimeter.toml")),
        "{:?}",
        problems(&applied)
    );
}
