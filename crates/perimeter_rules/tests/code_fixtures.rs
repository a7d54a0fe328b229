//! The harness of rules that read the code stage's facts (`common::CODE_STAGE_RULES`).
//!
//! A template alone cannot hold code, so each fixture `tests/fixtures/<CODE>/<stem>.yaml` has
//! its code next to it in `<stem>_code/`: every sub-folder `<FunctionId>/` becomes the code
//! bundle of that function, and every sub-folder `layer-<name>/` a layer bundle used by all
//! functions. The bundles are filled the way the code stage fills them (files filtered by
//! `perimeter_secrets::should_scan`, secrets from `perimeter_secrets::scan`), the rule runs
//! alone, `bad*` must fire (findings snapshotted, as in `rule_fixtures`) and `good*` must not.
//!
//! The documented examples are checked too: in `## Example`, each YAML block is followed by
//! a code block (`src/app.py` of the function); the first pair must fire, the second not.

mod common;

use perimeter_load::{cloudformation, doc};
use perimeter_model::{App, BundleKind, CodeBundle, FunctionCode, Language, SourceFile};
use perimeter_rules::{Finding, Rule, registry};
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

fn load_template(rel: &str, text: &str) -> Result<App, String> {
    let node = doc::parse_yaml(text)
        .map_err(|e| format!("{rel}: {e}"))?
        .ok_or_else(|| format!("{rel}: empty"))?;
    Ok(cloudformation::load(
        rel,
        &node,
        common::template_kind(&node),
    ))
}

fn function_code(bundle: &str, layers: &[String]) -> FunctionCode {
    FunctionCode {
        bundle: bundle.to_string(),
        layers: layers.to_vec(),
        language: Language::Python,
        handler: None,
        problem: None,
        files: Vec::new(),
        sdk_calls: Vec::new(),
        flows: Vec::new(),
    }
}

/// A bundle from `(display path, content)` pairs, scanned as the code stage scans.
fn bundle(id: &str, kind: BundleKind, files: &[(String, Vec<u8>)]) -> CodeBundle {
    let mut b = CodeBundle {
        id: id.to_string(),
        root: id.to_string(),
        kind,
        files: Vec::new(),
        dependencies: Vec::new(),
        secrets: Vec::new(),
    };
    for (path, content) in files {
        if !perimeter_secrets::should_scan(path, content.len() as u64) {
            continue;
        }
        b.files.push(SourceFile {
            path: path.clone(),
            language: Language::Other,
            size: content.len() as u64,
        });
        b.secrets.extend(perimeter_secrets::scan(path, content));
    }
    b
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
    out.sort();
}

/// Attaches the bundles of `code_dir` (see the module comment) to `app`.
fn attach_code(app: &mut App, root: &Path, code_dir: &Path) {
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(code_dir)
        .map(|e| {
            e.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    subdirs.sort();
    let mut layers = Vec::new();
    for dir in &subdirs {
        let rel = dir
            .strip_prefix(root)
            .unwrap_or(dir)
            .to_string_lossy()
            .replace('\\', "/");
        let mut paths = Vec::new();
        walk(dir, &mut paths);
        let files: Vec<(String, Vec<u8>)> = paths
            .iter()
            .map(|p| {
                let display = p
                    .strip_prefix(root)
                    .unwrap_or(p)
                    .to_string_lossy()
                    .replace('\\', "/");
                (display, std::fs::read(p).unwrap_or_default())
            })
            .collect();
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if name.starts_with("layer-") {
            app.code.push(bundle(&rel, BundleKind::Layer, &files));
            layers.push(rel);
        } else {
            app.code.push(bundle(&rel, BundleKind::Folder, &files));
            for f in app.functions.iter_mut().filter(|f| f.id == name) {
                f.code = Some(function_code(&rel, &[]));
            }
        }
    }
    for f in &mut app.functions {
        match &mut f.code {
            Some(code) => code.layers = layers.clone(),
            None => f.code = Some(function_code("", &layers)),
        }
    }
}

fn run(rule: &dyn Rule, app: &App) -> Vec<Finding> {
    let mut out = Vec::new();
    rule.check(app, &mut out);
    out.sort_by(|a, b| (&a.location, a.code).cmp(&(&b.location, b.code)));
    out
}

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

fn code_rules() -> Vec<&'static dyn Rule> {
    registry()
        .into_iter()
        .filter(|r| common::CODE_STAGE_RULES.contains(&r.meta().code))
        .collect()
}

#[test]
fn code_fixtures_fire_on_bad_and_stay_silent_on_good() {
    let root = fixtures_dir();
    let rules = code_rules();
    assert_eq!(rules.len(), common::CODE_STAGE_RULES.len());
    let mut problems = Vec::new();
    for rule in rules {
        let code = rule.meta().code;
        let mut templates: Vec<String> = std::fs::read_dir(root.join(code))
            .map(|e| {
                e.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                    .collect()
            })
            .unwrap_or_default();
        templates.sort();
        if !templates.iter().any(|t| t.starts_with("bad"))
            || !templates.iter().any(|t| t.starts_with("good"))
        {
            problems.push(format!("{code}: needs bad* and good* templates"));
        }
        for name in templates {
            let rel = format!("{code}/{name}");
            let text = std::fs::read_to_string(root.join(&rel)).unwrap_or_default();
            let mut app = match load_template(&rel, &text) {
                Ok(app) => app,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let stem = name.split('.').next().unwrap_or(&name);
            attach_code(
                &mut app,
                &root,
                &root.join(code).join(format!("{stem}_code")),
            );
            let findings = run(rule, &app);
            if name.starts_with("good") && !findings.is_empty() {
                problems.push(format!(
                    "{rel}: expected no finding, got:\n{}",
                    render(&findings)
                ));
            }
            if name.starts_with("bad") {
                if findings.is_empty() {
                    problems.push(format!("{rel}: expected at least one finding"));
                    continue;
                }
                insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(format!("{code}-{}", name.replace('.', "_")), render(&findings));
                });
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The fenced blocks of `## Example`, with their language.
fn example_blocks(documentation: &str) -> Vec<(String, String)> {
    let mut in_example = false;
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in documentation.lines() {
        if line.starts_with("## ") {
            in_example = line.trim_end() == "## Example";
            continue;
        }
        if !in_example {
            continue;
        }
        let fence = line.trim_start().starts_with("```");
        match (&mut current, fence) {
            (None, true) => {
                current = Some((
                    line.trim().trim_start_matches('`').to_string(),
                    String::new(),
                ))
            }
            (Some(_), true) => blocks.extend(current.take()),
            (Some((_, text)), false) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn documented_examples_behave_with_their_code() {
    let mut problems = Vec::new();
    for rule in code_rules() {
        let code = rule.meta().code;
        let blocks = example_blocks(&rule.meta().documentation());
        let [
            (y1, bad_yaml),
            (_, bad_code),
            (y2, good_yaml),
            (_, good_code),
        ] = blocks.as_slice()
        else {
            problems.push(format!(
                "{code}: `## Example` needs yaml, code, yaml, code blocks"
            ));
            continue;
        };
        if y1 != "yaml" || y2 != "yaml" {
            problems.push(format!("{code}: the first block of each pair must be yaml"));
            continue;
        }
        for (which, yaml, source, want) in [
            ("bad", bad_yaml, bad_code, true),
            ("good", good_yaml, good_code, false),
        ] {
            let rel = format!("{code}/example-{which}.yaml");
            let mut app = match load_template(&rel, yaml) {
                Ok(app) => app,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let files = vec![("src/app.py".to_string(), source.as_bytes().to_vec())];
            app.code.push(bundle("src", BundleKind::Folder, &files));
            for f in &mut app.functions {
                f.code = Some(function_code("src", &[]));
            }
            let fired = !run(rule, &app).is_empty();
            if fired != want {
                problems.push(format!(
                    "{code}: the {which} example {}",
                    if fired { "fires" } else { "does not fire" }
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
