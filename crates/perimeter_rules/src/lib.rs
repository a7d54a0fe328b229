//! The rule catalog and the checker that runs it over the model.
//!
//! One file per rule under `rules/<family>/`. A rule reads an [`App`] and pushes
//! [`Finding`]s; it never does I/O. Its file's `//!` comment is its user documentation
//! (`perimeter explain CODE`, `docs/rules/`).

pub mod exposure;
mod finding;
pub mod rules;
pub mod secrets;

pub use finding::{Family, Finding, Level, Related, RuleMeta, Severity, fingerprint};

use perimeter_model::{App, Model};

/// A rule over one application.
pub trait Rule: Sync {
    fn meta(&self) -> &RuleMeta;
    fn check(&self, app: &App, out: &mut Vec<Finding>);
}

/// Every rule, in code order.
pub fn registry() -> Vec<&'static dyn Rule> {
    rules::all()
}

/// Looks a rule up by code (case-insensitive) or name.
pub fn find_rule(code_or_name: &str) -> Option<&'static dyn Rule> {
    registry()
        .into_iter()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code_or_name) || r.meta().name == code_or_name)
}

/// Rules whose meaning holds on every cloud (public HTTP endpoints, shared-key-only HTTP
/// triggers, identities with primitive roles, secrets in settings and code, runtimes and
/// dependencies, injections, no scale-out cap or a long timeout on a public function):
/// code prefixes. Every other rule reads settings only AWS has (IAM statements, reserved
/// concurrency, X-Ray, log groups, code signing, API Gateway) and is not run on Azure or
/// Google Cloud apps, where the model's AWS defaults would make it speak falsely.
pub const CROSS_CLOUD_RULES: &[&str] = &[
    "AUTH002", "AUTH007", "IAM013", "SEC001", "SEC002", "SEC003", "DEP001", "DEP002", "DEP003",
    "INJ", "DOW001", "DOW002",
];

/// `true` when `rule` applies to `app`'s cloud (see [`CROSS_CLOUD_RULES`]).
pub fn applies_to(rule: &dyn Rule, app: &App) -> bool {
    app.cloud.is_aws()
        || CROSS_CLOUD_RULES
            .iter()
            .any(|p| rule.meta().code.starts_with(p))
}

/// Runs every rule over every app (the rules that apply to its cloud); findings sorted by
/// file, line, code.
pub fn check(model: &Model) -> Vec<Finding> {
    let rules = registry();
    let mut out = Vec::new();
    for app in &model.apps {
        for rule in &rules {
            if applies_to(*rule, app) {
                rule.check(app, &mut out);
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.location.column, a.code).cmp(&(
            &b.location.file,
            b.location.line,
            b.location.column,
            b.code,
        ))
    });
    out
}
