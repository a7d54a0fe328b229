//! The HTML report's structure: well-formed (as XML once the script and style bodies are
//! set aside), every function present with its page, nothing loaded from the network (only
//! in-page links), hostile names and messages escaped, and secrets masked in code frames.

mod common;

use perimeter_model::{Function, Location};
use perimeter_report::{ReportInput, html};
use perimeter_rules::Finding;
use std::path::{Path, PathBuf};

/// The report with the bodies of `<script>` and `<style>` emptied and the doctype removed: what
/// remains must parse as XML. Also returns the two script bodies.
fn markup(report: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut scripts = Vec::new();
    let mut rest = report
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("doctype first");
    loop {
        let next = ["<script", "<style"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((start, tag)) = next else {
            out.push_str(rest);
            break;
        };
        let open_end = start + rest[start..].find('>').expect("tag closes") + 1;
        let close = format!("</{}>", &tag[1..]);
        let body_end = open_end + rest[open_end..].find(&close).expect("element closes");
        out.push_str(&rest[..open_end]);
        if tag == "<script" {
            scripts.push(rest[open_end..body_end].to_string());
        }
        rest = &rest[body_end..];
    }
    (out, scripts)
}

/// Checks the report's structure; returns the parsed text of the page (for content checks).
fn check_structure(report: &str, function_names: &[String]) {
    let (xml, scripts) = markup(report);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not well-formed: {e}"));
    // Exactly our two scripts: the JSON island and the page script.
    assert_eq!(scripts.len(), 2, "script elements");
    let island: serde_json::Value =
        serde_json::from_str(&scripts[0]).expect("the graph island is JSON");
    assert!(island["nodes"].is_array() && island["bands"].is_array());
    for s in &scripts {
        assert!(!s.contains("</"), "a script body holds `</`");
    }
    // Nothing is loaded: no src, no stylesheet link, no external href, no CSS url().
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !matches!(
                name,
                "link" | "img" | "iframe" | "object" | "embed" | "audio" | "video" | "source"
            ),
            "<{name}> element"
        );
        for attr in node.attributes() {
            assert!(attr.name() != "src", "src attribute on <{name}>");
            assert!(
                !attr.name().starts_with("on"),
                "event handler attribute {} on <{name}>",
                attr.name()
            );
            if attr.name() == "href" {
                assert!(
                    attr.value().starts_with('#'),
                    "external href {}",
                    attr.value()
                );
            }
        }
    }
    assert!(!report.contains("url("), "CSS url()");
    assert!(!report.contains("@import"));
    let csp = doc
        .descendants()
        .find(|n| n.attribute("http-equiv") == Some("Content-Security-Policy"))
        .and_then(|n| n.attribute("content"))
        .expect("a Content-Security-Policy");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    // Every function: a row in the ranking and a page.
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    let pages = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("fn-page"))
        .count();
    let rows = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("fn-table"))
        .expect("ranking table")
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .count();
    assert_eq!(pages, function_names.len());
    assert_eq!(
        rows,
        function_names.len() + 1,
        "one row per function and the header"
    );
    for name in function_names {
        assert!(text.contains(name.as_str()), "function {name} missing");
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The real pipeline (load, code stage, rules, score) over `root`, then `check(report, …)`.
fn with_pipeline(root: &Path, check: impl FnOnce(&str, &perimeter_model::Model, &[Finding])) {
    let mut model = perimeter_load::load_path(root, &perimeter_load::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    perimeter_code::attach(&mut model, root, &perimeter_code::CodeOptions::default());
    // Runtime end-of-life findings depend on the day: judge as of a fixed one.
    perimeter_rules::rules::dep::set_today(perimeter_rules::rules::dep::Date::new(2026, 11, 1));
    let findings = perimeter_rules::check(&model);
    let scores = perimeter_score::score(&model, &findings);
    let rules = perimeter_rules::registry();
    let input = ReportInput {
        root,
        model: &model,
        findings: &findings,
        scores: &scores,
        errors: &model.errors,
        suppressed: 0,
        rules: &rules,
        tool_version: "0.0.0-test",
        iam_catalog_date: "2026-10-27",
    };
    let report = html(&input);
    check(&report, &model, &findings);
}

fn names(model: &perimeter_model::Model) -> Vec<String> {
    model
        .apps
        .iter()
        .flat_map(|a| a.functions.iter().map(|f| f.name.clone()))
        .collect()
}

#[test]
fn vulnerable_sam_report_is_complete_and_self_contained() {
    with_pipeline(
        &examples().join("vulnerable-sam"),
        |report, model, findings| {
            assert_eq!(names(model).len(), 5);
            check_structure(report, &names(model));
            // Code frames, a generated policy and attack paths are on the pages.
            assert!(report.contains("<pre class=\"frame\">"));
            assert!(report.contains("Least-privilege policy"));
            assert!(report.contains("<pre class=\"policy\">"));
            assert!(report.contains("Attack paths ("));
            // Secrets a SEC finding points at are never printed whole.
            for f in findings.iter().filter(|f| f.code.starts_with("SEC")) {
                let Ok(file) = std::fs::read_to_string(
                    examples().join("vulnerable-sam").join(&f.location.file),
                ) else {
                    continue;
                };
                let Some(line) = file.lines().nth(f.location.line as usize - 1) else {
                    continue;
                };
                if let Some(value) = line
                    .split_once([':', '='])
                    .map(|(_, v)| v.trim().trim_matches(['"', '\'', ',']).trim())
                    .filter(|v| v.chars().count() >= 12)
                {
                    assert!(
                        !report.contains(value),
                        "{}: secret in the report",
                        f.location
                    );
                }
            }
        },
    );
}

#[test]
fn every_example_renders_well_formed() {
    for example in ["vulnerable-serverless", "clean-sam", "vulnerable-terraform"] {
        with_pipeline(&examples().join(example), |report, model, _| {
            check_structure(report, &names(model));
        });
    }
}

#[test]
fn hostile_names_and_messages_are_escaped() {
    let mut scan = common::scan();
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let app = &mut scan.model.apps[0];
    let mut function = Function::new("Evil", Location::new("template.yaml", 5, 3));
    function.name = format!("Evil{evil}");
    app.functions.push(function);
    app.name = format!("app\"'{evil}");
    scan.findings.push(Finding::new(
        &common::AUTH002.0,
        "template.yaml",
        Some("Evil"),
        "Evil",
        evil,
        format!("Function `{evil}` is </section></main>{evil} and {{{{BODY}}}}"),
        Location::new(format!("src/{evil}.py"), 1, 1),
        "",
    ));
    let mut score = scan.scores[1].clone();
    score.function = "Evil".to_string();
    score.name = function_name(&scan);
    score.triggers = vec![evil.to_string()];
    score.reasons[0].text = evil.to_string();
    scan.scores.push(score);
    let root = common::root();
    let report = html(&scan.input(&root));
    assert!(!report.contains("<script>alert"), "unescaped script");
    assert!(!report.contains("<img"), "unescaped img");
    assert!(report.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(report.matches("<script").count(), 2);
    assert!(
        report.contains("{{BODY}}"),
        "placeholders in values are not expanded"
    );
    check_structure(
        &report,
        &[
            "ApiFunction".to_string(),
            "WorkerFunction".to_string(),
            function_name(&scan),
        ],
    );
}

fn function_name(scan: &common::Scan) -> String {
    scan.model.apps[0].functions[2].name.clone()
}

#[test]
fn the_hand_made_scan_shows_frames_without_the_secret() {
    let scan = common::scan();
    let root = common::root();
    let report = html(&scan.input(&root));
    check_structure(
        &report,
        &["ApiFunction".to_string(), "WorkerFunction".to_string()],
    );
    let template = std::fs::read_to_string(root.join("template.yaml")).expect("fixture");
    let secret_line = template.lines().nth(15).expect("line 16");
    let value = secret_line
        .split_once(':')
        .map(|(_, v)| v.trim())
        .expect("key: value");
    assert!(value.len() > 12);
    assert!(!report.contains(value), "secret printed: {value}");
    // Findings not reported on a function are listed on their own (none here: the role's
    // finding belongs to the functions that use it).
    assert!(report.contains("IAM001"));
    assert!(report.contains("Errors (2)"));
}

#[test]
fn a_large_app_is_collapsed_and_stays_a_reasonable_size() {
    // 600 functions over 6 apps, each with a trigger finding: the graph starts collapsed.
    let mut scan = common::scan();
    let base = scan.model.apps[0].clone();
    let mut scores = Vec::new();
    for a in 0..6 {
        let mut app = base.clone();
        app.id = format!("app{a}/template.yaml");
        app.name = format!("app{a}");
        app.functions.clear();
        for i in 0..100 {
            let mut f = Function::new(format!("Fn{i}"), Location::new("template.yaml", 5, 3));
            f.name = format!("app{a}-fn{i}");
            app.functions.push(f);
            let mut s = scan.scores[1].clone();
            s.app = app.id.clone();
            s.function = format!("Fn{i}");
            s.name = format!("app{a}-fn{i}");
            scores.push(s);
        }
        scan.model.apps.push(app);
    }
    scan.scores.extend(scores);
    let root = common::root();
    let report = html(&scan.input(&root));
    let mut all: Vec<String> = vec!["ApiFunction".to_string(), "WorkerFunction".to_string()];
    for a in 0..6 {
        for i in 0..100 {
            all.push(format!("app{a}-fn{i}"));
        }
    }
    check_structure(&report, &all);
    let (_, scripts) = markup(&report);
    let island: serde_json::Value = serde_json::from_str(&scripts[0]).expect("JSON");
    assert_eq!(island["collapse"], serde_json::Value::Bool(true));
    assert_eq!(island["bands"].as_array().map(Vec::len), Some(8));
    // About 1.5 KB per function here; a bound that catches an accidental blow-up.
    assert!(report.len() < 602 * 4_000, "{} bytes", report.len());
}
