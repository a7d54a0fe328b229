//! ## What it does
//! Flags functions whose runtime is deprecated, or will be within 180 days, according to a
//! dated table of every Lambda managed runtime built into perimeter (checked against the AWS
//! Lambda runtimes page on 2026-07-25; dates AWS has not published for a runtime are marked
//! "projected" in findings). Severity follows the runtime's lifecycle on the scan date:
//! - **high** once AWS blocks updates of functions on the runtime (you can no longer ship a fix),
//! - **medium** once it is deprecated (no more security patches, no support),
//! - **low** within 180 days before deprecation (time to plan the upgrade).
//!
//! Container-image functions have no `Runtime` and are not judged here.
//!
//! Google Cloud and Azure functions are judged on their own dated tables (checked on
//! 2026-11-22 against Google's Cloud Run functions "Runtime support" schedule and Microsoft's
//! "Supported languages in Azure Functions"): on Google Cloud, *high* once the runtime is
//! decommissioned (no more deploys); on Azure, which publishes only an end-of-support date,
//! *medium* once it has passed.
//!
//! ## Why is this bad?
//! A deprecated runtime no longer receives security patches, for the language runtime or the
//! operating system under it: vulnerabilities found after the deprecation date stay
//! exploitable in your function forever. Past the block-update date you cannot even deploy a
//! fix for your own code without first migrating the runtime, which turns an urgent patch into
//! a migration project during an incident.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Legacy:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.8
//!       Handler: app.handler
//!       CodeUri: src/
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Legacy:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.13
//!       Handler: app.handler
//!       CodeUri: src/
//! ```
//!
//! ## Remediation
//! Move the function to the runtime named in the finding (the newest of its family), test it,
//! and deploy. Schedule runtime upgrades as routine work: AWS announces deprecations at least
//! 180 days ahead, which is when this rule starts reporting them.
//!
//! ## References
//! - CWE-1104: Use of Unmaintained Third Party Components
//! - https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html
//! - https://cloud.google.com/functions/docs/runtime-support
//! - https://learn.microsoft.com/en-us/azure/azure-functions/supported-languages

use super::clock::{Date, today};
use super::runtimes::{RuntimeLifecycle, lifecycle_on};
use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, Cloud};

pub struct DeprecatedRuntime;

static META: RuleMeta = RuleMeta {
    code: "DEP001",
    name: "deprecated-runtime",
    family: Family::Dep,
    summary: "Runtime deprecated or reaching end of life within 180 days",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("deprecated_runtime.rs"),
};

const REMEDIATION: &str =
    "Upgrade the function to a supported runtime (the newest of its family), test and redeploy.";

/// How many days before deprecation the rule starts to warn.
pub const WARN_DAYS: i64 = 180;

/// The severity and the sentence describing `runtime`'s state on `today`, or `None` when it is
/// more than [`WARN_DAYS`] from deprecation.
#[cfg(test)]
pub fn judge(runtime: &RuntimeLifecycle, today: Date) -> Option<(Severity, String)> {
    judge_on(Cloud::Aws, runtime, today)
}

/// [`judge`] in the words of `cloud`'s lifecycle: AWS blocks updates, Google decommissions,
/// Azure ends support.
pub fn judge_on(
    cloud: Cloud,
    runtime: &RuntimeLifecycle,
    today: Date,
) -> Option<(Severity, String)> {
    let deprecation = runtime.deprecation?;
    let projected = if runtime.projected {
        " (projected)"
    } else {
        ""
    };
    if let Some(update) = runtime.block_update
        && today >= update
    {
        let blocked = match cloud {
            Cloud::Gcp => format!("Google decommissioned it on {update}{projected}"),
            _ => format!("AWS blocks updating functions on it since {update}{projected}"),
        };
        return Some((
            Severity::High,
            format!(
                "was deprecated on {deprecation} and {blocked}: no security patches, and no fix can be deployed without migrating"
            ),
        ));
    }
    if today >= deprecation {
        let blocks = match (runtime.block_create, runtime.block_update) {
            (_, Some(update)) if cloud == Cloud::Gcp => {
                format!("; Google decommissions it (no more deploys) on {update}{projected}")
            }
            (_, Some(update)) => format!("; updates will be blocked from {update}{projected}"),
            _ => String::new(),
        };
        return Some((
            Severity::Medium,
            format!(
                "{} since {deprecation}{}: it no longer receives security patches{blocks}",
                if cloud == Cloud::Azure {
                    "is out of support"
                } else {
                    "is deprecated"
                },
                if cloud == Cloud::Azure { projected } else { "" }
            ),
        ));
    }
    let days = today.days_until(deprecation);
    if days <= WARN_DAYS {
        return Some((
            Severity::Low,
            format!("will be deprecated on {deprecation} (in {days} days)"),
        ));
    }
    None
}

impl Rule for DeprecatedRuntime {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        let today = today();
        for function in &app.functions {
            let Some(id) = function.runtime.as_str() else {
                continue;
            };
            let Some(runtime) = lifecycle_on(app.cloud, id) else {
                continue;
            };
            let Some((severity, state)) = judge_on(app.cloud, runtime, today) else {
                continue;
            };
            let successor = if runtime.successor != runtime.id {
                format!("; move to {}", runtime.successor)
            } else {
                String::new()
            };
            out.push(
                Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    runtime.id,
                    format!(
                        "Function `{}` runs on {} (`{}`), which {state} (as of {today}){successor}.",
                        function_label(function), runtime.name, runtime.id
                    ),
                    function.runtime.location.clone(),
                    REMEDIATION,
                )
                .with_severity(severity),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dep::runtimes::lifecycle;

    fn at(id: &str, y: i32, m: u8, d: u8) -> Option<Severity> {
        judge(lifecycle(id).unwrap(), Date::new(y, m, d)).map(|(s, _)| s)
    }

    #[test]
    fn documentation_names_the_table_date() {
        let date = crate::rules::dep::RUNTIMES_AS_OF.to_string();
        assert!(
            META.documentation().contains(&date),
            "update the doc to say the table is of {date}"
        );
    }

    #[test]
    fn severity_follows_the_lifecycle() {
        assert_eq!(at("python2.7", 2026, 7, 1), Some(Severity::High));
        assert_eq!(at("nodejs20.x", 2026, 7, 1), Some(Severity::Medium));
        assert_eq!(at("nodejs20.x", 2026, 9, 30), Some(Severity::High));
        assert_eq!(at("python3.10", 2026, 7, 1), Some(Severity::Low));
        assert_eq!(at("python3.13", 2026, 7, 1), None);
        assert_eq!(at("python3.13", 2029, 1, 1), Some(Severity::Low));
        assert_eq!(at("dotnet9", 2027, 1, 1), Some(Severity::Medium));
        let (_, text) = judge(lifecycle("python3.10").unwrap(), Date::new(2026, 7, 1)).unwrap();
        assert_eq!(text, "will be deprecated on 2026-10-31 (in 122 days)");
    }

    #[test]
    fn rule_uses_runtime_location_and_skips_unknown() {
        use crate::rules::auth::testing::*;
        use perimeter_model::Attr;
        // Far-past and unknown runtimes do not depend on the pinned date.
        let mut app = app();
        let mut old = function("Old");
        old.runtime = Attr::explicit("nodejs4.3".into(), loc(3));
        let mut custom = function("Custom");
        custom.runtime = Attr::explicit("my-runtime".into(), loc(3));
        let mut image = function("Image");
        image.runtime = Attr::unresolved("no Runtime declared", loc(2));
        app.functions.extend([old, custom, image]);
        let found = run(&DeprecatedRuntime, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[0].location, loc(3));
        assert!(
            found[0].message.contains("Node.js 4.3 (`nodejs4.3`)"),
            "{}",
            found[0].message
        );
    }
}
