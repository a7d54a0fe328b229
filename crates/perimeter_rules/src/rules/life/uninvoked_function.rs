//! ## What it does
//! Flags deployed functions that were not invoked once during the days of CloudWatch
//! `Invocations` metrics the live scan read (`scan --aws --metrics-days N`, 30 by default).
//! Severity is **low**, or **medium** when the function can still be reached from the internet
//! (an unauthenticated route or function URL) or holds an unbounded role.
//!
//! The rule only speaks when metrics were read for the function: it is silent on IaC input,
//! on scans with `--metrics-days 0`, and on functions whose metrics could not be read.
//!
//! ## Why is this bad?
//! A function nobody calls is still a way in. Its triggers still accept events, its role keeps
//! every permission it was granted, and its code and dependencies stop receiving fixes because
//! nobody owns them any more. Forgotten functions are where old vulnerable libraries, stale
//! credentials and over-broad roles survive: they widen the attack surface for no benefit.
//!
//! ## Example
//! What the account holds (as perimeter's tests describe a live account):
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1, metrics-days: 30 }
//! functions:
//!   - name: legacy-export
//!     runtime: python3.12
//!     role: legacy-export-role
//!     invocations: 0
//! ```
//!
//! Use instead:
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1, metrics-days: 30 }
//! functions:
//!   - name: orders
//!     runtime: python3.13
//!     role: orders-role
//!     invocations: 5120
//! ```
//!
//! ## Remediation
//! Confirm with the owner that the function is no longer needed (a monthly or yearly job can
//! legitimately be idle for 30 days: re-scan with a larger `--metrics-days`), then delete it
//! and what only it used: `aws lambda delete-function --function-name ARN`, its event source
//! mappings, its log group and its role. If it must stay, keep it patched and its role minimal,
//! or suppress the finding with a reason in `perimeter.toml`.
//!
//! ## References
//! - CWE-561: Dead Code
//! - CSA, The 12 Most Critical Risks for Serverless Applications (2019), SAS-11: legacy and unused functions and cloud resources: https://cloudsecurityalliance.org/articles/critical-risks-serverless-applications
//! - https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
//! - https://docs.aws.amazon.com/cli/latest/reference/lambda/delete-function.html

use super::{delete_command, live};
use crate::exposure::{function_exposure, function_label};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct UninvokedFunction;

static META: RuleMeta = RuleMeta {
    code: "LIFE001",
    name: "uninvoked-function",
    family: Family::Life,
    summary: "Deployed function not invoked during the days of metrics read",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::Medium,
    confidence: Level::Medium,
    source: include_str!("uninvoked_function.rs"),
};

const REMEDIATION: &str = "Confirm the function is no longer needed, then delete it with its event source mappings, log group and role; or keep it patched and minimal and suppress with a reason.";

impl Rule for UninvokedFunction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        let Some(scope) = live(app) else {
            return;
        };
        if scope.metrics_days == 0 {
            return;
        }
        for function in &app.functions {
            let Some(deployed) = &function.deployed else {
                continue;
            };
            if deployed.invocations != Some(0) {
                continue;
            }
            let public = function_exposure(app, function).is_public();
            let admin_role = app.role_of(function).is_some_and(has_full_wildcard);
            let severity = if public || admin_role {
                Severity::Medium
            } else {
                Severity::Low
            };
            let mut why = Vec::new();
            if public {
                why.push("it can still be invoked from the internet");
            }
            if admin_role {
                why.push("its role allows every action");
            }
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join(", "))
            };
            let updated = deployed
                .last_modified
                .as_deref()
                .map(|t| format!(", last updated {}", t.get(..10).unwrap_or(t)))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    "uninvoked",
                    format!(
                        "Function `{}` was not invoked in the last {} days (metrics read {}{updated}): it still widens the attack surface with its triggers, role and code{why}. If it is no longer needed, delete it: `{}`.",
                        function_label(function),
                        scope.metrics_days,
                        scope.captured_at.get(..10).unwrap_or(&scope.captured_at),
                        delete_command(function, scope),
                    ),
                    function.location.clone(),
                    REMEDIATION,
                )
                .with_severity(severity),
            );
        }
    }
}

/// `true` when the role allows `*` on `*` in some statement.
fn has_full_wildcard(role: &perimeter_model::Role) -> bool {
    role.statements().any(|(_, s)| {
        s.is_allow()
            && s.known_actions().any(|a| a == "*")
            && s.resources.iter().any(|r| r.as_str() == Some("*"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::life::testing::*;

    fn run(app: &App) -> Vec<Finding> {
        let mut out = Vec::new();
        UninvokedFunction.check(app, &mut out);
        out
    }

    #[test]
    fn flags_zero_invocations_only_when_metrics_were_read() {
        let mut a = app(30, &[REGION]);
        a.functions.push(function("idle", "idle-role", Some(0)));
        a.functions.push(function("busy", "busy-role", Some(12)));
        a.functions.push(function("unknown", "unknown-role", None));
        let found = run(&a);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].resource, "idle");
        assert_eq!(found[0].severity, Severity::Low);
        assert!(
            found[0].message.contains("last 30 days"),
            "{}",
            found[0].message
        );
        assert!(
            found[0]
                .message
                .contains("aws lambda delete-function --function-name arn:aws:lambda:eu-west-1:123456789012:function:idle"),
            "{}",
            found[0].message
        );

        let mut no_metrics = app(0, &[REGION]);
        no_metrics
            .functions
            .push(function("idle", "idle-role", Some(0)));
        assert!(run(&no_metrics).is_empty());

        let mut iac = a.clone();
        iac.live = None;
        assert!(run(&iac).is_empty());
    }

    #[test]
    fn public_idle_function_is_medium() {
        use crate::rules::auth::testing::url;
        let mut a = app(30, &[REGION]);
        let mut f = function("open", "open-role", Some(0));
        f.url = Some(url("NONE"));
        a.functions.push(f);
        let found = run(&a);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(found[0].message.contains("from the internet"));
    }
}
