//! DEP002 and DEP003 end to end over code: the generic harnesses load templates only, so this
//! test does what the code stage does for these rules — finds each function's `CodeUri` folder,
//! parses its lockfiles with `perimeter_deps`, matches them against OSV records — then runs
//! the rule.
//!
//! - `tests/fixtures/<CODE>/bad/` must fire (findings snapshotted), `good/` must not;
//! - the two dependency files of the rule's `## Example` section (DEP002: package-lock.json
//!   blocks, DEP003: requirements.txt blocks) are deployed by one function: the first must
//!   fire, the one after "Use instead:" must not.

use perimeter_deps::{Database, annotate, parse, recognize};
use perimeter_load::{cloudformation, doc};
use perimeter_model::{App, BundleKind, CodeBundle, FunctionCode, Language, Model, SourceKind};
use perimeter_rules::{Finding, Rule, find_rule};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// npm and Maven records written from public advisories, and the real PyPI snapshot.
fn database() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for (src, name) in [
            (manifest().join("../perimeter_deps/tests/osv/npm"), "npm"),
            (
                manifest().join("../../../shared/advisories/osv-pypi"),
                "pypi",
            ),
        ] {
            let dest = dir.path().join(name);
            std::fs::create_dir_all(&dest).unwrap();
            for entry in std::fs::read_dir(&src).unwrap().flatten() {
                std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
            }
        }
        Database::open(dir.path()).unwrap()
    })
}

fn rule(code: &str) -> &'static dyn Rule {
    find_rule(code).expect("registered")
}

fn function_code(bundle: &str) -> FunctionCode {
    FunctionCode {
        bundle: bundle.into(),
        layers: Vec::new(),
        language: Language::Other,
        handler: None,
        problem: None,
        files: Vec::new(),
        sdk_calls: Vec::new(),
        flows: Vec::new(),
    }
}

/// The bundle of one code folder: its dependency files (not recursive), display paths relative
/// to `root`.
fn bundle(root: &Path, code_path: &str) -> CodeBundle {
    let rel = code_path.trim_end_matches('/');
    let mut dependencies = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(rel))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if recognize(&name).is_some() {
            let display = format!("{rel}/{name}");
            dependencies.extend(parse(&display, &std::fs::read(&path).unwrap()).unwrap());
        }
    }
    CodeBundle {
        id: rel.into(),
        root: rel.into(),
        kind: BundleKind::Folder,
        files: Vec::new(),
        dependencies,
        secrets: Vec::new(),
    }
}

fn check(code: &str, app: App) -> Vec<Finding> {
    let mut model = Model {
        apps: vec![app],
        errors: Vec::new(),
    };
    annotate(&mut model, database());
    let mut out = Vec::new();
    rule(code).check(&model.apps[0], &mut out);
    out
}

fn scan_fixture(code: &str, dir: &Path) -> Vec<Finding> {
    let text = std::fs::read_to_string(dir.join("template.yaml")).unwrap();
    let node = doc::parse_yaml(&text).unwrap().unwrap();
    let mut app = cloudformation::load("template.yaml", &node, SourceKind::Sam);
    let mut bundles: Vec<CodeBundle> = Vec::new();
    for function in &mut app.functions {
        let Some(code_path) = function.code_path.as_ref().and_then(|c| c.known()).cloned() else {
            continue;
        };
        let id = code_path.trim_end_matches('/').to_string();
        if !bundles.iter().any(|b| b.id == id) {
            bundles.push(bundle(dir, &code_path));
        }
        function.code = Some(function_code(&id));
    }
    app.code = bundles;
    check(code, app)
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

#[test]
fn bad_fixtures_fire_and_good_fixtures_do_not() {
    for code in ["DEP002", "DEP003"] {
        let root = manifest().join("tests/fixtures").join(code);
        let bad = scan_fixture(code, &root.join("bad"));
        assert!(!bad.is_empty(), "{code}: bad fixture does not fire");
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{code}-bad"), render(&bad));
        });
        let good = scan_fixture(code, &root.join("good"));
        assert!(
            good.is_empty(),
            "{code}: good fixture fired:\n{}",
            render(&good)
        );
    }
}

/// The `lang` blocks of the `## Example` section, in order.
fn example_blocks(documentation: &str, lang: &str) -> Vec<String> {
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
            (None, true) if line.trim() == format!("```{lang}") => current = Some(String::new()),
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

#[test]
fn documented_examples_behave() {
    for (code, lang, file) in [
        ("DEP002", "json", "src/package-lock.json"),
        ("DEP003", "text", "src/requirements.txt"),
    ] {
        let blocks = example_blocks(&rule(code).meta().documentation(), lang);
        let [bad, good] = blocks.as_slice() else {
            panic!(
                "{code}'s example must hold two {lang} blocks, found {}",
                blocks.len()
            );
        };
        let deployed = |content: &str| {
            let mut app = App::new(
                "template.yaml",
                "template",
                SourceKind::Sam,
                "template.yaml",
            );
            app.code.push(CodeBundle {
                id: "src".into(),
                root: "src".into(),
                kind: BundleKind::Folder,
                files: Vec::new(),
                dependencies: parse(file, content.as_bytes()).unwrap(),
                secrets: Vec::new(),
            });
            let mut function = perimeter_model::Function::new(
                "Orders",
                perimeter_model::Location::new("template.yaml", 4, 3),
            );
            function.code = Some(function_code("src"));
            app.functions.push(function);
            check(code, app)
        };
        assert!(
            !deployed(bad).is_empty(),
            "{code}: the bad example does not fire"
        );
        let fired = deployed(good);
        assert!(
            fired.is_empty(),
            "{code}: the good example fires: {}",
            render(&fired)
        );
    }
}
