//! ## What it does
//! Flags deployed functions that run on a deprecated runtime **and** have not been updated
//! (code or configuration, `LastModified`) for more than a year: functions nobody maintains.
//!
//! This complements DEP001 (`deprecated-runtime`), which reports every function on a
//! deprecated runtime, declared or deployed, and asks for an upgrade. LIFE004 reports the
//! subset that looks abandoned, where the question is not "which runtime next" but "does anyone
//! still own this, or should it be deleted". It reads the deployed state only (silent on IaC
//! input), uses the same dated runtime table as DEP001, and says whether AWS already blocks
//! updates of the function (then it can no longer be patched in place, only migrated or
//! deleted).
//!
//! ## Why is this bad?
//! An unmaintained function on an unpatched runtime collects vulnerabilities on both sides: in
//! the language runtime and operating system AWS no longer patches, and in code and
//! dependencies nobody has touched for a year. It keeps its triggers and role all the while.
//! When a vulnerability is found, there may be nobody left who knows how to build and deploy it.
//!
//! ## Example
//! What the account holds (as perimeter's tests describe a live account):
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1 }
//! functions:
//!   - name: nightly-sync
//!     runtime: python3.8
//!     role: sync-role
//!     last-modified: "2024-03-02T08:00:00.000+0000"
//! ```
//!
//! Use instead:
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1 }
//! functions:
//!   - name: nightly-sync
//!     runtime: python3.13
//!     role: sync-role
//!     last-modified: "2026-05-20T08:00:00.000+0000"
//! ```
//!
//! ## Remediation
//! Find the owner. If the function is still needed, migrate it to the runtime DEP001 names,
//! rebuild its dependencies and redeploy; if not, delete it with its triggers and role
//! (`aws lambda delete-function --function-name ARN`). LIFE001 tells whether it is still
//! invoked.
//!
//! ## References
//! - CWE-1104: Use of Unmaintained Third Party Components
//! - https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html

use super::{delete_command, live};
use crate::exposure::function_label;
use crate::rules::dep::{Date, lifecycle, today};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct AbandonedDeprecatedFunction;

static META: RuleMeta = RuleMeta {
    code: "LIFE004",
    name: "abandoned-deprecated-function",
    family: Family::Life,
    summary: "Deployed function on a deprecated runtime, not updated for over a year",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("abandoned_deprecated_function.rs"),
};

const REMEDIATION: &str = "Find the owner: migrate the function to a supported runtime and redeploy, or delete it with its triggers and role.";

/// Days without an update after which a function on a deprecated runtime counts as abandoned.
pub const STALE_DAYS: i64 = 365;

impl Rule for AbandonedDeprecatedFunction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        check_at(app, today(), out);
    }
}

/// The rule as of `today` (tests pin it without touching the process-wide scan clock).
fn check_at(app: &App, today: Date, out: &mut Vec<Finding>) {
    let Some(scope) = live(app) else {
        return;
    };
    for function in &app.functions {
        let Some(deployed) = &function.deployed else {
            continue;
        };
        let Some(runtime) = function.runtime.as_str().and_then(lifecycle) else {
            continue;
        };
        let Some(deprecation) = runtime.deprecation else {
            continue;
        };
        if today < deprecation {
            continue;
        }
        let Some(modified) = deployed
            .last_modified
            .as_deref()
            .and_then(|t| t.get(..10))
            .and_then(Date::parse)
        else {
            continue;
        };
        let idle = modified.days_until(today);
        if idle <= STALE_DAYS {
            continue;
        }
        let blocked = match runtime.block_update {
            Some(update) if today >= update => format!(
                " AWS blocks updates on {} since {update}: it can only be migrated or deleted.",
                runtime.id
            ),
            _ => String::new(),
        };
        let invoked = match deployed.invocations {
            Some(0) => format!(
                " It was not invoked in the last {} days.",
                scope.metrics_days
            ),
            _ => String::new(),
        };
        out.push(Finding::new(
                &META,
                &app.id,
                Some(&function.id),
                &function.id,
                runtime.id,
                format!(
                    "Function `{}` runs on {} (`{}`, deprecated since {deprecation}) and was last updated on {modified}, {idle} days ago (as of {today}): nobody seems to maintain it.{blocked}{invoked} Migrate it to {}, or delete it: `{}`.",
                    function_label(function),
                    runtime.name,
                    runtime.id,
                    runtime.successor,
                    delete_command(function, scope),
                ),
                function.runtime.location.clone(),
                REMEDIATION,
            ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::life::testing::*;
    use perimeter_model::Attr;

    #[test]
    fn stale_and_deprecated_only() {
        let day = Date::new(2026, 7, 1);
        let mut a = app(30, &[REGION]);
        let mut stale = function("stale", "r", Some(0));
        stale.runtime = Attr::explicit("python3.8".into(), loc("x"));
        stale.deployed.as_mut().unwrap().last_modified =
            Some("2024-03-02T08:00:00.000+0000".into());
        let mut fresh = stale.clone();
        fresh.id = "fresh".into();
        fresh.deployed.as_mut().unwrap().last_modified =
            Some("2026-05-20T08:00:00.000+0000".into());
        let mut current = stale.clone();
        current.id = "current".into();
        current.runtime = Attr::explicit("python3.13".into(), loc("x"));
        let mut unknown = stale.clone();
        unknown.id = "unknown".into();
        unknown.deployed.as_mut().unwrap().last_modified = None;
        a.functions.extend([stale, fresh, current, unknown]);
        let mut out = Vec::new();
        check_at(&a, day, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].resource, "stale");
        assert!(
            out[0].message.contains("851 days ago"),
            "{}",
            out[0].message
        );
        assert!(out[0].message.contains("not invoked in the last 30 days"));

        a.live = None;
        let mut out = Vec::new();
        check_at(&a, day, &mut out);
        assert!(out.is_empty());
    }
}
