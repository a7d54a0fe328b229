//! Loads every Terraform module of the third-party IaC corpus (`../shared/corpora/iac`):
//! no panic, every error names a `.tf` file, and lower bounds on what comes out (modules,
//! functions, known runtimes) so a regression in the Terraform loader shows up here. Run with
//! `--nocapture` for the figures.

use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{SourceKind, Value};
use std::path::PathBuf;

struct Bounds {
    folder: &'static str,
    min_modules: usize,
    min_functions: usize,
    min_known_runtimes: usize,
    max_errors: usize,
}

/// Measured on the corpus (see the figures printed), with a small margin. Measured on
/// 2026-11-22, with local child modules followed (a folder called as a child is not a root):
/// serverless-patterns 129 modules, 90 functions (88 known runtimes, 64 triggers), 0 errors;
/// terraform-aws-lambda 20 modules, 32 functions (30 known runtimes, 10 triggers: `for`
/// expressions over empty defaults now give no placeholder instance; module `for_each` gives
/// `examples/complete` its three `lambda_function_for_each` instances and the `wrappers`
/// module, called over an empty `var.items`, none), 0 errors.
const BOUNDS: &[Bounds] = &[
    Bounds {
        folder: "serverless-patterns",
        min_modules: MIN_SP_MODULES,
        min_functions: MIN_SP_FUNCTIONS,
        min_known_runtimes: MIN_SP_RUNTIMES,
        max_errors: MAX_SP_ERRORS,
    },
    Bounds {
        folder: "terraform-aws-lambda",
        min_modules: MIN_TAL_MODULES,
        min_functions: MIN_TAL_FUNCTIONS,
        min_known_runtimes: MIN_TAL_RUNTIMES,
        max_errors: MAX_TAL_ERRORS,
    },
    // Two `.tf` files (a tflint example and a scratch file): every `.tf` folder of the corpus
    // is loaded.
    Bounds {
        folder: "serverless-rules",
        min_modules: 1,
        min_functions: 1,
        min_known_runtimes: 0,
        max_errors: 0,
    },
];

const MIN_SP_MODULES: usize = 125;
const MIN_SP_FUNCTIONS: usize = 88;
const MIN_SP_RUNTIMES: usize = 85;
const MAX_SP_ERRORS: usize = 2;
const MIN_TAL_MODULES: usize = 18;
const MIN_TAL_FUNCTIONS: usize = 28;
const MIN_TAL_RUNTIMES: usize = 25;
const MAX_TAL_ERRORS: usize = 2;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/iac")
}

#[test]
fn terraform_corpus_loads_without_panic() {
    let root = corpus();
    if !root.is_dir() {
        eprintln!("corpus not found at {}: skipped", root.display());
        return;
    }
    for b in BOUNDS {
        let model = load_path(&root.join(b.folder), &LoadOptions::default()).expect("scan starts");
        let apps: Vec<_> = model
            .apps
            .iter()
            .filter(|a| a.source == SourceKind::Terraform)
            .collect();
        let functions: usize = apps.iter().map(|a| a.functions.len()).sum();
        let runtimes = apps
            .iter()
            .flat_map(|a| &a.functions)
            .filter(|f| f.runtime.value.is_known())
            .count();
        let roles_linked = apps
            .iter()
            .flat_map(|a| a.functions.iter().map(move |f| (a, f)))
            .filter(|(a, f)| a.role_of(f).is_some())
            .count();
        let triggers: usize = apps
            .iter()
            .flat_map(|a| &a.functions)
            .map(|f| f.triggers.len())
            .sum();
        let unresolved = apps
            .iter()
            .flat_map(|a| &a.functions)
            .flat_map(|f| [&f.runtime.value, &f.handler.value])
            .filter(|v| matches!(v, Value::Unresolved(_)))
            .count();
        // Real modules never come near the evaluation budget (a guard against hostile input).
        let budget_hits = apps
            .iter()
            .flat_map(|a| &a.functions)
            .flat_map(|f| [&f.runtime.value, &f.handler.value, &f.role.value])
            .filter(|v| matches!(v, Value::Unresolved(r) if r.contains("budget")))
            .count();
        assert_eq!(budget_hits, 0, "{}: evaluation budget hit", b.folder);
        let tf_errors: Vec<_> = model
            .errors
            .iter()
            .filter(|e| e.file.ends_with(".tf") || e.file.ends_with(".tfvars"))
            .collect();
        for e in &model.errors {
            assert!(
                !e.message.contains("panicked"),
                "{}: loader panicked: {e}",
                b.folder
            );
        }
        println!(
            "{}: {} modules, {} functions ({} known runtimes, {} with their role, {} triggers, \
             {} unresolved runtime/handler values), {} Terraform file errors",
            b.folder,
            apps.len(),
            functions,
            runtimes,
            roles_linked,
            triggers,
            unresolved,
            tf_errors.len()
        );
        for e in &tf_errors {
            println!("  {e}");
        }
        assert!(
            apps.len() >= b.min_modules,
            "{}: {} modules",
            b.folder,
            apps.len()
        );
        assert!(
            functions >= b.min_functions,
            "{}: {functions} functions",
            b.folder
        );
        assert!(
            runtimes >= b.min_known_runtimes,
            "{}: {runtimes} runtimes",
            b.folder
        );
        assert!(
            tf_errors.len() <= b.max_errors,
            "{}: {} errors",
            b.folder,
            tf_errors.len()
        );
    }
}
