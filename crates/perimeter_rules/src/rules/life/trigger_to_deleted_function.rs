//! ## What it does
//! Flags event sources that still send events to a Lambda function that no longer exists: S3
//! bucket notifications, SNS subscriptions, EventBridge rule targets, event source mappings
//! and asynchronous-invocation destinations (`on-success` / `on-failure`) whose target is a
//! function ARN of the scanned account and region that is not among the account's functions.
//!
//! Only targets in the account and region the scan read are judged (a function in another
//! region or account may exist). Silent on IaC input, where targets are references the loader
//! resolves and a missing one means a function declared elsewhere.
//!
//! ## Why is this bad?
//! The event source keeps pointing at the function's name. Whoever can later create a function
//! with that name in the account (a developer, a compromised CI role, anyone with
//! `lambda:CreateFunction`) silently receives its events: object keys and metadata of uploads,
//! every message of the topic, the events the rule matches. Until then the events fail and are
//! dropped, which hides a broken pipeline.
//!
//! ## Example
//! What the account holds (as perimeter's tests describe a live account):
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1 }
//! resources:
//!   - name: uploads
//!     type: AWS::S3::Bucket
//!     notifies: ["arn:aws:lambda:eu-west-1:123456789012:function:make-thumbnails"]
//! ```
//!
//! Use instead:
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1 }
//! functions:
//!   - name: make-thumbnails
//!     runtime: python3.13
//!     role: thumbs-role
//! resources:
//!   - name: uploads
//!     type: AWS::S3::Bucket
//!     notifies: ["arn:aws:lambda:eu-west-1:123456789012:function:make-thumbnails"]
//! ```
//!
//! ## Remediation
//! Remove the stale target: the bucket's notification configuration
//! (`aws s3api put-bucket-notification-configuration`), the SNS subscription
//! (`aws sns unsubscribe`), the EventBridge target (`aws events remove-targets`), the event
//! source mapping (`aws lambda delete-event-source-mapping`) or the destination
//! (`aws lambda put-function-event-invoke-config`). Delete triggers together with their
//! function: with IaC, keep both in the same stack.
//!
//! ## References
//! - CWE-672: Operation on a Resource after Expiration or Release
//! - CSA, The 12 Most Critical Risks for Serverless Applications (2019), SAS-11: legacy and unused functions and cloud resources: https://cloudsecurityalliance.org/articles/critical-risks-serverless-applications
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html

use super::{is_named, live, parse_lambda_arn};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, Attr, LiveScope};

pub struct TriggerToDeletedFunction;

static META: RuleMeta = RuleMeta {
    code: "LIFE003",
    name: "trigger-to-deleted-function",
    family: Family::Life,
    summary: "Event source still targeting a function that no longer exists",
    severity: Severity::Medium,
    likelihood: Level::Low,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("trigger_to_deleted_function.rs"),
};

const REMEDIATION: &str = "Remove the stale notification, subscription, rule target, mapping or destination, or restore the function.";

/// The name of the deleted function `target` points at, when it is a function ARN of the
/// scanned account and region that is not in the app.
fn deleted_target<'a>(app: &App, scope: &LiveScope, target: &'a Attr<String>) -> Option<&'a str> {
    let arn = parse_lambda_arn(target.as_str()?)?;
    if arn.account != scope.account_id || arn.region != scope.region {
        return None;
    }
    if app.functions.iter().any(|f| is_named(f, arn.name)) {
        return None;
    }
    Some(arn.name)
}

impl Rule for TriggerToDeletedFunction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        let Some(scope) = live(app) else {
            return;
        };
        for resource in &app.resources {
            for target in &resource.notifies {
                let Some(name) = deleted_target(app, scope, target) else {
                    continue;
                };
                let what = resource
                    .name
                    .as_ref()
                    .and_then(|n| n.as_str())
                    .unwrap_or(&resource.id);
                out.push(Finding::new(
                    &META,
                    &app.id,
                    None,
                    &resource.id,
                    name,
                    format!(
                        "`{what}` ({}) still sends events to function `{name}`, which does not exist in {} {}: whoever creates a function with that name receives them.",
                        resource.type_name, scope.account_id, scope.region
                    ),
                    target.location.clone(),
                    REMEDIATION,
                ));
            }
        }
        for function in &app.functions {
            let destinations = [
                ("on-success", &function.on_success),
                ("on-failure", &function.on_failure),
            ];
            for (kind, destination) in destinations {
                let Some(target) = destination else {
                    continue;
                };
                let Some(name) = deleted_target(app, scope, target) else {
                    continue;
                };
                out.push(Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    &format!("{kind}:{name}"),
                    format!(
                        "Function `{}` sends its {kind} results to function `{name}`, which does not exist in {} {}: whoever creates a function with that name receives them.",
                        function.name, scope.account_id, scope.region
                    ),
                    target.location.clone(),
                    REMEDIATION,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::life::testing::*;
    use perimeter_model::{Resource, ResourceKind};

    fn run(app: &App) -> Vec<Finding> {
        let mut out = Vec::new();
        TriggerToDeletedFunction.check(app, &mut out);
        out
    }

    fn bucket(targets: &[String]) -> Resource {
        let mut r = Resource::new(
            "uploads",
            ResourceKind::Bucket,
            "AWS::S3::Bucket",
            loc("arn:aws:s3:::uploads"),
        );
        r.notifies = targets
            .iter()
            .map(|t| Attr::explicit(t.clone(), loc("arn:aws:s3:::uploads")))
            .collect();
        r
    }

    #[test]
    fn flags_targets_of_this_account_and_region_missing_from_the_app() {
        let mut a = app(30, &[REGION]);
        a.functions.push(function("live-one", "r", Some(1)));
        a.resources.push(bucket(&[
            arn("live-one"),
            format!("{}:prod", arn("gone")),
            "arn:aws:lambda:us-east-1:123456789012:function:elsewhere".into(),
            "arn:aws:lambda:eu-west-1:999999999999:function:partner".into(),
            "arn:aws:sqs:eu-west-1:123456789012:queue".into(),
        ]));
        let mut f = function("worker", "r", Some(1));
        f.on_failure = Some(Attr::explicit(arn("dead-letter-handler"), loc("x")));
        a.functions.push(f);
        let found = run(&a);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].message.contains("function `gone`"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("on-failure"),
            "{}",
            found[1].message
        );

        let mut iac = a.clone();
        iac.live = None;
        assert!(run(&iac).is_empty());
    }
}
