//! The generic rule harness: every rule in the registry is run, alone, over its fixtures.
//!
//! `tests/fixtures/<CODE>/bad*` must make the rule report at least one finding, and the findings
//! are snapshotted (one compact line each); `tests/fixtures/<CODE>/good*` must make it report
//! nothing. Fixtures are loaded through the real loaders (`perimeter_load`): SAM/CloudFormation
//! templates, Serverless Framework services for files named `*.serverless.yml`, or one-file
//! Terraform modules for `*.tf` and `*.tf.json` files (AWS, Google Cloud and Azure).
//!
//! All rules are checked and every failure is listed at the end, so one unfinished rule does
//! not hide the others. `RULES=AUTH,DOW001` limits a run to codes starting with those prefixes.
//! The scan clock is pinned (see [`TODAY`]) so date-dependent rules are deterministic.

mod common;

use perimeter_load::{LoadOptions, cloudformation, doc, serverless};
use perimeter_model::App;
use perimeter_rules::rules::dep::{Date, set_today};
use perimeter_rules::{Finding, Rule, registry};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The date every fixture is judged on.
const TODAY: Date = Date::new(2026, 7, 1);

const SECTIONS: [&str; 5] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Remediation",
    "## References",
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// Loads one fixture file (relative name `rel` is what locations show).
fn load(root: &Path, rel: &str) -> Result<App, String> {
    let path = root.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = doc::decode(&bytes).map_err(|e| format!("{rel}: {e}"))?;
    if rel.ends_with(".tf") || rel.ends_with(".tf.json") {
        let outcome = perimeter_load::terraform::load_texts("", &[(rel, text)], &[]);
        if let Some(e) = outcome.errors.first() {
            return Err(format!("{rel}: {}", e.message));
        }
        return outcome.app.ok_or_else(|| format!("{rel}: no module"));
    }
    let parsed = if rel.ends_with(".json") {
        doc::parse_json(text)
    } else {
        doc::parse_yaml(text)
    };
    let node = parsed
        .map_err(|e| format!("{rel}: {e}"))?
        .ok_or_else(|| format!("{rel}: empty file"))?;
    let file_name = rel.rsplit('/').next().unwrap_or(rel);
    if file_name.contains("serverless") {
        return serverless::load(rel, &node, root, &LoadOptions::default())
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
    // As `perimeter_rules::check` runs it: AWS-only rules are not run on other clouds.
    if perimeter_rules::applies_to(rule, app) {
        rule.check(app, &mut out);
    }
    out.sort_by(|a, b| (&a.location, a.code).cmp(&(&b.location, b.code)));
    out
}

/// One line per finding: `CODE severity resource file:line:col message`.
fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}\n",
                f.code, f.severity, f.resource, f.location, f.message
            )
        })
        .collect()
}

fn selected(code: &str) -> bool {
    match std::env::var("RULES") {
        Ok(filter) if !filter.trim().is_empty() => filter
            .split(',')
            .map(str::trim)
            .any(|p| !p.is_empty() && code.starts_with(p)),
        _ => true,
    }
}

/// The `bad*` and `good*` files of a fixture folder, sorted.
fn fixture_files(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut bad = Vec::new();
    let mut good = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("bad") {
                bad.push(name);
            } else if name.starts_with("good") {
                good.push(name);
            }
        }
    }
    bad.sort();
    good.sort();
    (bad, good)
}

/// Checks one rule's fixtures; returns the problems found.
fn check_rule(rule: &dyn Rule) -> Vec<String> {
    let code = rule.meta().code;
    if common::CODE_STAGE_RULES.contains(&code) || common::tested_elsewhere(code) {
        return Vec::new();
    }
    let root = fixtures_dir();
    let (bad, good) = fixture_files(&root.join(code));
    let mut problems = Vec::new();
    if bad.is_empty() || good.is_empty() {
        problems.push(format!(
            "{code}: tests/fixtures/{code}/ needs bad* and good* files"
        ));
    }
    for name in good {
        let rel = format!("{code}/{name}");
        match load(&root, &rel) {
            Ok(app) => {
                let findings = run(rule, &app);
                if !findings.is_empty() {
                    problems.push(format!(
                        "{rel}: expected no finding, got:\n{}",
                        render(&findings)
                    ));
                }
            }
            Err(e) => problems.push(format!("{rel}: could not load: {e}")),
        }
    }
    for name in bad {
        let rel = format!("{code}/{name}");
        match load(&root, &rel) {
            Ok(app) => {
                let findings = run(rule, &app);
                if findings.is_empty() {
                    problems.push(format!("{rel}: expected at least one finding, got none"));
                    continue;
                }
                let snapshot = format!("{code}-{}", name.replace('.', "_"));
                let rendered = render(&findings);
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
                        insta::assert_snapshot!(snapshot.clone(), rendered);
                    });
                }));
                if outcome.is_err() {
                    problems.push(format!(
                        "{rel}: snapshot {snapshot} differs (review with `cargo insta review`)"
                    ));
                }
            }
            Err(e) => problems.push(format!("{rel}: could not load: {e}")),
        }
    }
    problems
}

#[test]
fn fixtures_fire_on_bad_and_stay_silent_on_good() {
    set_today(TODAY);
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in registry() {
        if !selected(rule.meta().code) || reads_code(rule) {
            continue;
        }
        checked += 1;
        match catch_unwind(AssertUnwindSafe(|| check_rule(rule))) {
            Ok(p) => problems.extend(p),
            Err(_) => problems.push(format!(
                "{}: panicked while checking its fixtures",
                rule.meta().code
            )),
        }
    }
    assert!(checked > 0, "no rule selected");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let rules = registry();
    let mut codes = std::collections::BTreeSet::new();
    let mut names = std::collections::BTreeSet::new();
    for rule in &rules {
        let m = rule.meta();
        let prefix = m.family.prefix();
        let digits = m.code.strip_prefix(prefix).unwrap_or("");
        assert!(
            digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()) && digits != "000",
            "{}: code must be {prefix} + three digits",
            m.code
        );
        let kebab = !m.name.is_empty()
            && m.name.split('-').all(|w| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        assert!(kebab, "{}: name `{}` is not kebab-case", m.code, m.name);
        assert!(
            !m.summary.is_empty() && !m.summary.ends_with('.'),
            "{}: summary must be one line without a final period",
            m.code
        );
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
    }
    let sorted: Vec<_> = rules.iter().map(|r| r.meta().code).collect();
    let mut expected = sorted.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "registry() must list rules in code order");
}

/// INJ rules read flows that the code stage finds in handler code, which templates alone do
/// not give: `tests/inj_rules.rs` runs them over code (their fixtures and doc examples).
fn reads_code(rule: &dyn Rule) -> bool {
    rule.meta().family == perimeter_rules::Family::Inj
}

#[test]
fn every_rule_has_a_fixture_folder() {
    let missing: Vec<_> = registry()
        .into_iter()
        .filter(|r| !reads_code(*r))
        .map(|r| r.meta().code)
        .filter(|code| {
            let (bad, good) = fixture_files(&fixtures_dir().join(code));
            bad.is_empty() || good.is_empty()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "rules without tests/fixtures/<CODE>/bad* and good*: {missing:?}"
    );
}

#[test]
fn every_doc_has_all_five_sections() {
    let mut problems = Vec::new();
    for rule in registry() {
        let m = rule.meta();
        let doc = m.documentation();
        let mut last = 0;
        for section in SECTIONS {
            match doc.lines().position(|l| l.trim_end() == section) {
                Some(at) if at >= last => last = at,
                Some(_) => problems.push(format!("{}: `{section}` is out of order", m.code)),
                None => problems.push(format!("{}: missing `{section}`", m.code)),
            }
        }
        if !doc.contains("Use instead:") {
            problems.push(format!(
                "{}: `## Example` needs a \"Use instead:\" part",
                m.code
            ));
        }
        let references = doc.split("## References").nth(1).unwrap_or("");
        if !references.contains("CWE-") || !references.contains("https://") {
            problems.push(format!(
                "{}: references need a CWE and a documentation URL",
                m.code
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Third-party corpora (`../shared/corpora` next to the repository), when present.
fn corpora() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/iac");
    dir.is_dir().then_some(dir)
}

/// awslabs/serverless-rules labels templates `*.pass.yaml` / `*.fail.yaml` for its own checks;
/// where one of ours checks the same thing, it must agree with every label.
#[test]
fn labelled_third_party_templates_agree() {
    let Some(root) = corpora() else {
        eprintln!("corpora not found: skipped");
        return;
    };
    let root = root.join("serverless-rules/cfn-lint-serverless/tests/templates");
    // (their rule prefix, our code): log retention, API access logs, async failure destination.
    let pairs = [
        ("ws1004", "LOG001"),
        ("es2000", "LOG003"),
        ("es1007", "LOG004"),
    ];
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (theirs, ours) in pairs {
        let Some(rule) = registry().into_iter().find(|r| r.meta().code == ours) else {
            continue;
        };
        if !selected(ours) {
            continue;
        }
        for name in names.iter().filter(|n| n.starts_with(theirs)) {
            let app = match load(&root, name) {
                Ok(app) => app,
                Err(e) => {
                    problems.push(format!("{name}: {e}"));
                    continue;
                }
            };
            checked += 1;
            let fired = !run(rule, &app).is_empty();
            if fired != name.ends_with(".fail.yaml") {
                problems.push(format!(
                    "{name}: {ours} {}",
                    if fired {
                        "fires on a pass"
                    } else {
                        "misses a fail"
                    }
                ));
            }
        }
    }
    let wanted = pairs.iter().filter(|(_, ours)| selected(ours)).count();
    assert!(
        wanted == 0 || checked >= 10,
        "only {checked} labelled templates found"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// No rule panics on real templates and services (SAM patterns, Serverless examples).
#[test]
fn rules_survive_real_templates() {
    let Some(root) = corpora() else {
        eprintln!("corpora not found: skipped");
        return;
    };
    set_today(TODAY);
    let mut files = Vec::new();
    let mut stack = vec![
        root.join("serverless-patterns"),
        root.join("serverless-examples"),
    ];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "node_modules" && !name.starts_with('.') {
                    stack.push(path);
                }
            } else if name.starts_with("template.")
                && (name.ends_with(".yaml") || name.ends_with(".yml"))
                || name == "serverless.yml"
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let rules: Vec<_> = registry()
        .into_iter()
        .filter(|r| selected(r.meta().code))
        .collect();
    let mut panics = Vec::new();
    let mut loaded = 0;
    for path in &files {
        let Ok(rel) = path.strip_prefix(&root) else {
            continue;
        };
        let rel = rel.to_string_lossy().to_string();
        let app = load(&root, &rel);
        let Ok(app) = app else { continue };
        loaded += 1;
        for rule in &rules {
            if catch_unwind(AssertUnwindSafe(|| run(*rule, &app))).is_err() {
                panics.push(format!("{}: {rel}", rule.meta().code));
            }
        }
    }
    assert!(
        loaded > 100,
        "only {loaded} of {} corpus files loaded",
        files.len()
    );
    assert!(panics.is_empty(), "rules panicked:\n{}", panics.join("\n"));
}
