//! End to end with the real loader and rules: inline ignores line up with the locations the
//! loader records (a function's logical ID line, the offending attribute's line).

use perimeter_config::{Config, SuppressedBy, apply};
use std::path::Path;

const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  # perimeter:ignore AUTH002 demo endpoint, serves only static data
  DemoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: 'def handler(event, context): return 1'
      FunctionUrlConfig:
        AuthType: NONE
  EdgeFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: 'def handler(event, context): return 1'
      FunctionUrlConfig:
        AuthType: NONE  # perimeter:ignore AUTH002 only CloudFront can reach it (OAC)
  OpenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: 'def handler(event, context): return 1'
      FunctionUrlConfig:
        AuthType: NONE
";

#[test]
fn inline_ignores_on_a_loaded_template() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).expect("write");
    let model = perimeter_load::load_path(dir.path(), &perimeter_load::LoadOptions::default())
        .expect("load");
    assert_eq!(model.apps.len(), 1, "{:?}", model.errors);
    // Runtime end-of-life findings depend on the day: judge as of a fixed one.
    perimeter_rules::rules::dep::set_today(perimeter_rules::rules::dep::Date::new(2026, 11, 1));
    let findings = perimeter_rules::check(&model);
    let public: Vec<_> = findings.iter().filter(|f| f.code == "AUTH002").collect();
    assert_eq!(public.len(), 3, "the rule fires on the three URLs");

    let root = dir.path().to_path_buf();
    let read = move |rel: &str| std::fs::read_to_string(root.join(Path::new(rel))).ok();
    let applied = apply(&Config::default(), &model, findings, &read);

    let kept: Vec<&str> = applied
        .kept
        .iter()
        .filter(|f| f.code == "AUTH002")
        .map(|f| f.resource.as_str())
        .collect();
    assert_eq!(kept, ["OpenFunction"]);
    let mut suppressed: Vec<(&str, u32)> = applied
        .suppressed
        .iter()
        .filter(|s| s.finding.code == "AUTH002")
        .map(|s| match &s.by {
            SuppressedBy::Inline { line, .. } => (s.finding.resource.as_str(), *line),
            SuppressedBy::Config { .. } => ("config", 0),
        })
        .collect();
    suppressed.sort();
    assert_eq!(suppressed, [("DemoFunction", 4), ("EdgeFunction", 20)]);
    assert!(applied.problems.is_empty(), "{:?}", applied.problems);
}
