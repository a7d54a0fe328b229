//! The Markdown summary: snapshots over the repository's examples (real pipeline), the
//! comment-size cap, and hostile text kept inert.

mod common;

use perimeter_model::Location;
use perimeter_report::{GITHUB_COMMENT_LIMIT, MarkdownOptions, ReportInput, markdown_with};
use perimeter_rules::Finding;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn options(example: &str) -> MarkdownOptions {
    MarkdownOptions {
        link_base: Some(format!(
            "https://github.com/perimeter-sec/perimeter/blob/0123abc/examples/{example}/"
        )),
        ..MarkdownOptions::default()
    }
}

/// The real pipeline (load, code stage, rules, score) over an example, as Markdown.
fn example(name: &str) -> String {
    let root = examples().join(name);
    let mut model = perimeter_load::load_path(&root, &perimeter_load::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    perimeter_code::attach(&mut model, &root, &perimeter_code::CodeOptions::default());
    // Runtime end-of-life findings depend on the day: judge as of a fixed one.
    perimeter_rules::rules::dep::set_today(perimeter_rules::rules::dep::Date::new(2026, 11, 1));
    let findings = perimeter_rules::check(&model);
    let scores = perimeter_score::score(&model, &findings);
    let rules = perimeter_rules::registry();
    let input = ReportInput {
        root: &root,
        model: &model,
        findings: &findings,
        scores: &scores,
        errors: &model.errors,
        suppressed: 0,
        rules: &rules,
        tool_version: "0.0.0-test",
        iam_catalog_date: "2026-10-27",
    };
    markdown_with(&input, &options(name))
}

/// `<details>` opened and closed in pairs, in order.
fn details_balanced(md: &str) -> bool {
    let mut depth = 0i32;
    for line in md.lines() {
        depth += line.matches("<details>").count() as i32;
        depth -= line.matches("</details>").count() as i32;
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

#[test]
fn vulnerable_sam_summary() {
    let md = example("vulnerable-sam");
    assert!(details_balanced(&md));
    assert!(md.contains("](https://github.com/perimeter-sec/perimeter/blob/0123abc/examples/vulnerable-sam/template.yaml#L"));
    insta::assert_snapshot!(md);
}

#[test]
fn vulnerable_serverless_summary() {
    let md = example("vulnerable-serverless");
    assert!(details_balanced(&md));
    insta::assert_snapshot!(md);
}

#[test]
fn clean_sam_summary() {
    insta::assert_snapshot!(example("clean-sam"));
}

#[test]
fn stays_under_the_comment_limit_with_a_note() {
    let mut scan = common::scan();
    let template = scan.findings.clone();
    for i in 0..3_000 {
        for f in &template {
            let mut f = f.clone();
            f.message = format!("{} (copy {i}) {}", f.message, "x".repeat(40));
            f.location.line = i + 1;
            scan.findings.push(f);
        }
    }
    let root = common::root();
    let md = markdown_with(&scan.input(&root), &options("big"));
    assert!(
        md.chars().count() <= GITHUB_COMMENT_LIMIT,
        "{} chars",
        md.chars().count()
    );
    assert!(md.len() > GITHUB_COMMENT_LIMIT / 2, "the budget is used");
    assert!(md.contains("not shown to keep this comment under GitHub's size limit"));
    assert!(details_balanced(&md));
    // The headline still counts everything.
    assert!(md.starts_with(&format!("## perimeter: {} findings", scan.findings.len())));
}

#[test]
fn without_a_link_base_locations_are_code_text() {
    let scan = common::scan();
    let root = common::root();
    let md = markdown_with(&scan.input(&root), &MarkdownOptions::default());
    assert!(md.contains("`template.yaml:12`"));
    assert!(!md.contains("]("), "no link without a base");
}

#[test]
fn hostile_text_is_inert() {
    let mut scan = common::scan();
    scan.findings.push(Finding::new(
        &common::AUTH002.0,
        "template.yaml",
        Some("ApiFunction"),
        "ApiFunction",
        "x",
        "<script>alert(1)</script> ![img](https://evil.example/x.png) | @octocat </details>\n# heading",
        Location::new("src/a b|`c`.py", 3, 1),
        "",
    ));
    scan.scores[0].name = "<img src=x onerror=alert(1)>|**bold**".to_string();
    let root = common::root();
    let md = markdown_with(&scan.input(&root), &options("hostile"));
    assert!(!md.contains("<script>"));
    assert!(!md.contains("<img"));
    assert!(!md.contains("![img]"));
    assert!(!md.contains("@octocat"));
    assert!(!md.contains("\n# heading"));
    assert!(md.contains("src/a%20b%7C%60c%60.py#L3"));
    assert!(details_balanced(&md));
    // Table rows keep their four cells: every unescaped `|` is a separator.
    let row = md
        .lines()
        .find(|l| l.starts_with("| 1 |"))
        .expect("first ranked row");
    let separators = row.replace("\\|", "").matches('|').count();
    assert_eq!(separators, 5, "{row}");
}
