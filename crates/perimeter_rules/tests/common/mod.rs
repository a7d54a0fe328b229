//! What the two loader-backed harnesses (`rule_fixtures`, `doc_examples`) share: telling a
//! SAM template from plain CloudFormation the way they both load test inputs.

use perimeter_load::doc::Node;
use perimeter_model::SourceKind;

/// SAM by its Transform, or by its resource types when the Transform is left out; plain
/// CloudFormation otherwise.
pub fn template_kind(node: &Node) -> SourceKind {
    let sam = node.get("Transform").is_some_and(|t| {
        t.as_str().is_some_and(|s| s.contains("AWS::Serverless"))
            || t.items()
                .iter()
                .any(|i| i.as_str().is_some_and(|s| s.contains("AWS::Serverless")))
    }) || node.get("Resources").is_some_and(|r| {
        r.entries().iter().any(|(_, v)| {
            v.get("Type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        })
    });
    if sam {
        SourceKind::Sam
    } else {
        SourceKind::CloudFormation
    }
}

/// Rules that read what the code stage found (`App::code`: bundles, their secrets), which a
/// template alone cannot hold. The loader-backed harnesses skip them; `tests/code_fixtures.rs`
/// runs their fixtures and documented examples with the code (files next to the template)
/// scanned into bundles.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub const CODE_STAGE_RULES: &[&str] = &["SEC003"];

/// Rules over code bundles (filled by the code stage, which these harnesses do not run): their
/// fixtures and documented examples are tested by the named test file instead.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub const TESTED_ELSEWHERE: &[(&str, &str)] = &[
    ("DEP002", "tests/dep_vulnerable_dependency.rs"),
    ("DEP003", "tests/dep_vulnerable_dependency.rs"),
    ("IAM012", "tests/iam012.rs"),
    // Live-account rules: they judge what a live scan read, which no template holds.
    ("LIFE001", "tests/life_rules.rs"),
    ("LIFE002", "tests/life_rules.rs"),
    ("LIFE003", "tests/life_rules.rs"),
    ("LIFE004", "tests/life_rules.rs"),
];

#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn tested_elsewhere(code: &str) -> bool {
    TESTED_ELSEWHERE.iter().any(|(c, _)| *c == code)
}
