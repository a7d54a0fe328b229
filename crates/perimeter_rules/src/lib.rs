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

/// Runs every rule over every app; findings sorted by file, line, code.
pub fn check(model: &Model) -> Vec<Finding> {
    let rules = registry();
    let mut out = Vec::new();
    for app in &model.apps {
        for rule in &rules {
            rule.check(app, &mut out);
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
