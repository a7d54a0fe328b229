//! Scans every folder of the third-party IaC corpus (`../shared/corpora/iac`) with
//! `load_path`: no panic, no loader crash, per-folder figures printed (run with
//! `--nocapture` to see them), and lower bounds on what must load so that a regression in
//! discovery or in a loader shows up here.

use perimeter_load::discover::discover;
use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{LoadError, Model, SourceKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Bounds measured on the corpus with a small margin: per folder, the fewest candidate files,
/// apps and functions that must come out, and the most per-file errors allowed. Raise them when
/// a loader gets better; a drop below them is a regression.
struct Bounds {
    folder: &'static str,
    min_candidates: usize,
    min_apps: usize,
    min_functions: usize,
    max_errors: usize,
}

const BOUNDS: &[Bounds] = &[
    Bounds {
        folder: "sam-translator",
        min_candidates: 1650,
        min_apps: 1360,
        min_functions: 1450,
        max_errors: 5,
    },
    // ~45 services of providers perimeter does not read (openwhisk, kubeless, cloudflare,
    // tencent, …) are each one "provider `x` is not supported" error, not a silent app.
    Bounds {
        folder: "serverless-examples",
        min_candidates: 210,
        min_apps: 145,
        min_functions: 250,
        max_errors: 50,
    },
    Bounds {
        folder: "serverless-patterns",
        min_candidates: 715,
        min_apps: 570,
        min_functions: 535,
        max_errors: 3,
    },
    Bounds {
        folder: "serverless-rules",
        min_candidates: 62,
        min_apps: 60,
        min_functions: 34,
        max_errors: 2,
    },
    // No Terraform loader yet: nothing is a candidate there, and nothing may fail.
    Bounds {
        folder: "terraform-aws-lambda",
        min_candidates: 0,
        min_apps: 0,
        min_functions: 0,
        max_errors: 0,
    },
];

fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/iac")
}

/// The main reason of an error: its message with numbers and quoted parts blanked, cut short,
/// so that "line 3" and "line 7" of the same problem group together.
fn reason(err: &LoadError) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in err.message.chars() {
        match c {
            '`' | '"' | '\'' => {
                quoted = !quoted;
                if quoted {
                    out.push('…');
                }
            }
            _ if quoted => {}
            c if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            c => out.push(c),
        }
    }
    out.chars().take(70).collect()
}

fn report(folder: &str, candidates: usize, model: &Model, seconds: f64) {
    let functions: usize = model.apps.iter().map(|a| a.functions.len()).sum();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for app in &model.apps {
        *kinds.entry(format!("{:?}", app.source)).or_default() += 1;
    }
    println!(
        "{folder}: {candidates} candidate files, {} apps {kinds:?}, {functions} functions, {} per-file errors ({seconds:.2} s)",
        model.apps.len(),
        model.errors.len(),
    );
    let mut reasons: BTreeMap<String, Vec<&LoadError>> = BTreeMap::new();
    for err in &model.errors {
        reasons.entry(reason(err)).or_default().push(err);
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    for (reason, errs) in reasons {
        println!("    {:4} × {reason}   (e.g. {})", errs.len(), errs[0]);
    }
}

#[test]
fn every_corpus_folder_loads_without_panic() {
    let root = corpus_root();
    assert!(
        root.is_dir(),
        "corpus missing at {}: the tests need ../shared/corpora beside the repo",
        root.display()
    );
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert!(folders.len() >= BOUNDS.len(), "corpus folders: {folders:?}");

    let options = LoadOptions::default();
    let mut failures = Vec::new();
    for folder in &folders {
        let dir = root.join(folder);
        let candidates = discover(&dir, &options).expect("discover").candidates.len();
        let start = Instant::now();
        let model = load_path(&dir, &options).expect("load_path");
        report(folder, candidates, &model, start.elapsed().as_secs_f64());

        // A loader that panicked is a bug whatever the input.
        for err in model
            .errors
            .iter()
            .filter(|e| e.message.starts_with("internal error"))
        {
            failures.push(format!("{folder}: {err}"));
        }
        // Determinism: sorted by file.
        assert!(
            model.apps.windows(2).all(|w| w[0].file <= w[1].file),
            "{folder}: apps not sorted"
        );
        assert!(
            model.errors.windows(2).all(|w| w[0].file <= w[1].file),
            "{folder}: errors not sorted"
        );
        // App IDs are unique (they are the declaring files).
        let mut ids: Vec<_> = model.apps.iter().map(|a| a.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), model.apps.len(), "{folder}: duplicate app IDs");
        // Every error names a file under the folder.
        for err in &model.errors {
            assert!(
                !err.file.is_empty() && !err.file.starts_with('/'),
                "{folder}: bad error path {err}"
            );
        }

        let Some(bounds) = BOUNDS.iter().find(|b| b.folder == folder) else {
            continue;
        };
        let functions: usize = model.apps.iter().map(|a| a.functions.len()).sum();
        if candidates < bounds.min_candidates {
            failures.push(format!(
                "{folder}: {candidates} candidates < {}",
                bounds.min_candidates
            ));
        }
        if model.apps.len() < bounds.min_apps {
            failures.push(format!(
                "{folder}: {} apps < {}",
                model.apps.len(),
                bounds.min_apps
            ));
        }
        if functions < bounds.min_functions {
            failures.push(format!(
                "{folder}: {functions} functions < {}",
                bounds.min_functions
            ));
        }
        if model.errors.len() > bounds.max_errors {
            failures.push(format!(
                "{folder}: {} errors > {}",
                model.errors.len(),
                bounds.max_errors
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "corpus regressions:\n{}",
        failures.join("\n")
    );
}

#[test]
fn corpus_source_kinds_are_detected() {
    let root = corpus_root().join("serverless-patterns");
    if !root.is_dir() {
        panic!("corpus missing at {}", root.display());
    }
    let model = load_path(&root, &LoadOptions::default()).expect("load_path");
    let count = |kind: SourceKind| model.apps.iter().filter(|a| a.source == kind).count();
    assert!(
        count(SourceKind::Sam) > 300,
        "SAM templates: {}",
        count(SourceKind::Sam)
    );
    assert!(
        count(SourceKind::CloudFormation) > 10,
        "CloudFormation templates: {}",
        count(SourceKind::CloudFormation)
    );
    assert!(
        count(SourceKind::Serverless) > 0,
        "serverless.yml services: {}",
        count(SourceKind::Serverless)
    );
}

/// Two scans of the same tree give byte-identical models: the order of apps, errors and
/// everything loaders fill (findings' fingerprints and reports depend on it). Catches hash-map
/// iteration order and thread scheduling leaking into the output.
#[test]
fn corpus_scans_are_deterministic() {
    for folder in ["serverless-patterns", "serverless-examples"] {
        let root = corpus_root().join(folder);
        assert!(root.is_dir(), "corpus missing at {}", root.display());
        let scan = || {
            let model = load_path(&root, &LoadOptions::default()).expect("load_path");
            serde_json::to_string(&model).expect("model serializes")
        };
        let (first, second) = (scan(), scan());
        assert!(first == second, "{folder}: two scans differ");
    }
}
