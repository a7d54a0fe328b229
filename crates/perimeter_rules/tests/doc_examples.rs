//! The examples in every rule's documentation are tested: in `## Example`, the first YAML (or
//! Terraform `hcl`) block must make the rule fire and the one after "Use instead:" must not.
//!
//! Each block is loaded through the real loaders, as `<CODE>/example-bad.yaml` or
//! `<CODE>/example-good.yaml` (a Serverless Framework service when it has `service:` and no
//! `Resources` template shape). Failures of all rules are collected and listed together.

mod common;

use perimeter_load::{LoadOptions, cloudformation, doc, serverless};
use perimeter_model::App;
use perimeter_rules::rules::dep::{Date, set_today};
use perimeter_rules::{Finding, Rule, registry};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Same pinned date as the fixture harness.
const TODAY: Date = Date::new(2026, 7, 1);

/// The YAML blocks of the `## Example` section, in order.
fn example_blocks(documentation: &str) -> Vec<String> {
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
            (None, true) if matches!(line.trim(), "```yaml" | "```yml" | "```hcl") => {
                current = Some(String::new())
            }
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

fn load(rel: &str, text: &str) -> Result<App, String> {
    if text.trim_start().starts_with("resource \"") || text.trim_start().starts_with("data \"") {
        let rel = rel.replace(".yaml", ".tf");
        let outcome = perimeter_load::terraform::load_texts("", &[(&rel, text)], &[]);
        if let Some(e) = outcome.errors.first() {
            return Err(format!("{rel}: {}", e.message));
        }
        return outcome.app.ok_or_else(|| format!("{rel}: no module"));
    }
    let node = doc::parse_yaml(text)
        .map_err(|e| format!("{rel}: {e}"))?
        .ok_or_else(|| format!("{rel}: empty"))?;
    if !cloudformation::is_template(&node) && node.get("service").is_some() {
        return serverless::load(rel, &node, Path::new("."), &LoadOptions::default())
            .map_err(|e| e.to_string());
    }
    Ok(cloudformation::load(
        rel,
        &node,
        common::template_kind(&node),
    ))
}

fn run(rule: &dyn Rule, app: &App) -> Vec<Finding> {
    let mut out = Vec::new();
    if perimeter_rules::applies_to(rule, app) {
        rule.check(app, &mut out);
    }
    out
}

fn check_rule(rule: &dyn Rule) -> Vec<String> {
    let code = rule.meta().code;
    if common::CODE_STAGE_RULES.contains(&code) || common::tested_elsewhere(code) {
        return Vec::new();
    }
    let blocks = example_blocks(&rule.meta().documentation());
    let [bad, good] = blocks.as_slice() else {
        return vec![format!(
            "{code}: `## Example` must hold exactly two yaml blocks, found {}",
            blocks.len()
        )];
    };
    let mut problems = Vec::new();
    match load(&format!("{code}/example-bad.yaml"), bad) {
        Ok(app) if run(rule, &app).is_empty() => {
            problems.push(format!("{code}: the bad example does not fire"))
        }
        Ok(_) => {}
        Err(e) => problems.push(format!("{code}: bad example: {e}")),
    }
    match load(&format!("{code}/example-good.yaml"), good) {
        Ok(app) => {
            let findings = run(rule, &app);
            if let Some(f) = findings.first() {
                problems.push(format!(
                    "{code}: the good example fires: {} {}",
                    f.location, f.message
                ));
            }
        }
        Err(e) => problems.push(format!("{code}: good example: {e}")),
    }
    problems
}

#[test]
fn documented_examples_behave() {
    set_today(TODAY);
    let mut problems = Vec::new();
    for rule in registry() {
        // INJ examples are handler code, tested by `tests/inj_rules.rs`.
        if rule.meta().family == perimeter_rules::Family::Inj {
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| check_rule(rule))) {
            Ok(p) => problems.extend(p),
            Err(_) => problems.push(format!("{}: panicked on its examples", rule.meta().code)),
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn extracts_the_two_blocks_of_the_example_section_only() {
    let doc = "## What it does\n```yaml\nnot: this\n```\n## Example\n```yaml\na: 1\n```\n\nUse instead:\n```yaml\nb: 2\n```\n## Remediation\n```yaml\nc: 3\n```\n";
    assert_eq!(example_blocks(doc), ["a: 1\n", "b: 2\n"]);
}
