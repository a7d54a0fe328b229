//! The rules that read the code stage's facts (INJ*, SEC003, DEP002, DEP003, IAM012) on
//! Terraform input, end to end: `tests/fixtures/<CODE>/tf-bad/` and `tf-good/` are Terraform
//! modules whose functions deploy a code folder through `data "archive_file"` (`source_dir`),
//! loaded by the real loader (`perimeter_load::load_path`), their code read by the real code
//! stage (`perimeter_code::attach`: handlers, flows, SDK calls, secrets, dependency files) and
//! their dependencies matched against OSV records (`perimeter_deps::annotate`), as a scan with
//! code does. `tf-bad` must make each listed rule fire (findings snapshotted), `tf-good` must
//! keep them all silent.

use perimeter_deps::{Database, annotate};
use perimeter_load::{LoadOptions, load_path};
use perimeter_model::Model;
use perimeter_rules::rules::dep::{Date, set_today};
use perimeter_rules::{Finding, find_rule};
use std::path::Path;
use std::sync::OnceLock;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// npm records written from public advisories, and the real PyPI snapshot (as
/// `tests/dep_vulnerable_dependency.rs` uses).
fn database() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        for (src, name) in [
            (manifest().join("../perimeter_deps/tests/osv/npm"), "npm"),
            (
                manifest().join("../../../shared/advisories/osv-pypi"),
                "pypi",
            ),
        ] {
            let dest = dir.path().join(name);
            std::fs::create_dir_all(&dest).expect("create");
            for entry in std::fs::read_dir(&src)
                .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
                .flatten()
            {
                std::fs::copy(entry.path(), dest.join(entry.file_name())).expect("copy");
            }
        }
        let db = Database::open(dir.path()).expect("database");
        // The records are read at open; the folder can go.
        drop(dir);
        db
    })
}

/// Each fixture folder and the rules it exercises.
const CASES: &[(&str, &[&str])] = &[
    (
        "INJ",
        &[
            "INJ001", "INJ002", "INJ003", "INJ004", "INJ005", "INJ006", "INJ007",
        ],
    ),
    ("SEC003", &["SEC003"]),
    ("DEP002", &["DEP002"]),
    ("DEP003", &["DEP003"]),
    ("IAM012", &["IAM012"]),
];

fn scan(dir: &Path) -> Model {
    let mut model = load_path(dir, &LoadOptions::default()).expect("scan");
    assert!(
        model.errors.is_empty(),
        "{}: {:?}",
        dir.display(),
        model.errors
    );
    assert_eq!(model.apps.len(), 1, "{}", dir.display());
    perimeter_code::attach(&mut model, dir, &perimeter_code::CodeOptions::default());
    annotate(&mut model, database());
    model
}

fn check(code: &str, model: &Model) -> Vec<Finding> {
    let rule = find_rule(code).unwrap_or_else(|| panic!("{code} is not registered"));
    let mut out = Vec::new();
    rule.check(&model.apps[0], &mut out);
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

#[test]
fn terraform_modules_with_code_fire_on_bad_and_stay_silent_on_good() {
    set_today(Date::new(2026, 7, 1));
    let mut problems = Vec::new();
    for (folder, codes) in CASES {
        let root = manifest().join("tests/fixtures").join(folder);
        let bad = scan(&root.join("tf-bad"));
        let good = scan(&root.join("tf-good"));
        let mut all = Vec::new();
        for code in *codes {
            let found = check(code, &bad);
            if found.is_empty() {
                problems.push(format!("{folder}/tf-bad: {code} does not fire"));
            }
            all.extend(found);
            let quiet = check(code, &good);
            if !quiet.is_empty() {
                problems.push(format!(
                    "{folder}/tf-good: {code} fires:\n{}",
                    render(&quiet)
                ));
            }
        }
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{folder}-tf-bad"), render(&all));
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
