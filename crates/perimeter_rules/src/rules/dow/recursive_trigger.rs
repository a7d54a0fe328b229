//! ## What it does
//! Flags functions whose role lets them write to the very bucket, queue or topic that triggers
//! them: `s3:PutObject` on the triggering bucket, `sqs:SendMessage` on the triggering queue,
//! `sns:Publish` on the triggering topic (directly, through a wildcard action such as `s3:Put*`,
//! `s3:*` or `*`, or on resource `*`).
//!
//! ## Why is this bad?
//! A function that writes where its events come from can trigger itself: it processes an object
//! and writes a result into the same bucket, which fires the notification again, and so on. A
//! loop like this runs at full concurrency until someone notices, and bills every iteration: the
//! classic overnight five-figure serverless bill. Lambda's recursive loop detection stops some
//! SQS, SNS and S3 loops after about 16 iterations, but only with recent SDKs and when it has not
//! been turned off; prefix/suffix filters on the notification can also break the loop, and this
//! rule cannot see them (hence medium confidence). Check that the written keys or messages can
//! never match the trigger.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Images:
//!     Type: AWS::S3::Bucket
//!   Resizer:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: s3:PutObject
//!               Resource: !Sub '${Images.Arn}/*'
//!       Events:
//!         Upload:
//!           Type: S3
//!           Properties:
//!             Bucket: !Ref Images
//!             Events: s3:ObjectCreated:*
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Images:
//!     Type: AWS::S3::Bucket
//!   Thumbnails:
//!     Type: AWS::S3::Bucket
//!   Resizer:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: s3:PutObject
//!               Resource: !Sub '${Thumbnails.Arn}/*'
//!       Events:
//!         Upload:
//!           Type: S3
//!           Properties:
//!             Bucket: !Ref Images
//!             Events: s3:ObjectCreated:*
//! ```
//!
//! ## Remediation
//! Write results to a different bucket, queue or topic than the one that triggers the function,
//! and scope the role's write permission to that destination only. If the same bucket must be
//! used, filter the notification on a prefix the function never writes to, keep Lambda's
//! recursive loop detection on, and set reserved concurrency as a circuit breaker.
//!
//! ## References
//! - CWE-674: Uncontrolled Recursion
//! - https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/with-s3-example.html
//! - https://docs.aws.amazon.com/lambda/latest/operatorguide/recursive-runaway.html

use crate::exposure::function_label;
use crate::exposure::{statement_covers_action, write_action};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{action_matches, wildcard_match_case};
use perimeter_model::{App, Function, Resource, ResourceKind, Statement};

pub struct RecursiveTrigger;

static META: RuleMeta = RuleMeta {
    code: "DOW003",
    name: "recursive-trigger",
    family: Family::Dow,
    summary: "Function can write to the bucket, queue or topic that triggers it",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("recursive_trigger.rs"),
};

const REMEDIATION: &str = "Write to a different bucket/queue/topic than the trigger and scope the role's write permission to it; otherwise filter the trigger so the function's own writes never match.";

/// Stands for a part of an ARN that is not known statically; only a wildcard matches it.
const UNKNOWN: &str = "\u{1}";

/// An ARN for something the function would write to in `resource` (an object key for buckets).
fn target_arn(resource: &Resource) -> Option<String> {
    let name = resource
        .name
        .as_ref()
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("{UNKNOWN}{}", resource.id));
    match resource.kind {
        ResourceKind::Bucket => Some(format!("arn:aws:s3:::{name}/{UNKNOWN}")),
        ResourceKind::Queue => Some(format!("arn:aws:sqs:{UNKNOWN}:{UNKNOWN}:{name}")),
        ResourceKind::Topic => Some(format!("arn:aws:sns:{UNKNOWN}:{UNKNOWN}:{name}")),
        _ => None,
    }
}

/// `true` when the statement's resource `pattern` covers writes to `resource`.
fn resource_covers(pattern: &str, resource: &Resource) -> bool {
    if pattern == "*"
        || pattern.contains(&format!("${{{}}}", resource.id))
        || pattern.contains(&format!("${{{}.", resource.id))
    {
        return true;
    }
    // Pseudo-parameters stand for "this account / region": any value.
    let mut normalized = pattern.to_string();
    for pseudo in [
        "${AWS::Region}",
        "${AWS::AccountId}",
        "${AWS::Partition}",
        "${AWS::URLSuffix}",
    ] {
        normalized = normalized.replace(pseudo, "*");
    }
    target_arn(resource).is_some_and(|arn| wildcard_match_case(&normalized, &arn))
}

/// The first action element of `statement` that grants `action` on `resource`.
fn granting_action<'a>(
    statement: &'a Statement,
    action: &str,
    resource: &Resource,
) -> Option<&'a str> {
    if !statement.is_allow() || !statement_covers_action(statement, action) {
        return None;
    }
    if !statement
        .known_resources()
        .any(|r| resource_covers(r, resource))
    {
        return None;
    }
    statement
        .known_actions()
        .find(|a| action_matches(a, action))
        .or_else(|| statement.not_actions.first().and_then(|a| a.as_str()))
}

/// The resources that trigger `function`, with the place that says so.
fn triggering_resources<'a>(
    app: &'a App,
    function: &'a Function,
) -> Vec<(&'a Resource, perimeter_model::Location)> {
    let mut out: Vec<(&Resource, perimeter_model::Location)> = Vec::new();
    for trigger in &function.triggers {
        if let Some(r) = trigger
            .source
            .as_ref()
            .and_then(|s| s.as_str())
            .and_then(|id| app.resource(id))
            && !out.iter().any(|(o, _)| o.id == r.id)
        {
            out.push((r, trigger.location.clone()));
        }
    }
    for r in &app.resources {
        if let Some(n) = r
            .notifies
            .iter()
            .find(|n| n.as_str() == Some(function.id.as_str()))
            && !out.iter().any(|(o, _)| o.id == r.id)
        {
            out.push((r, n.location.clone()));
        }
    }
    out
}

impl Rule for RecursiveTrigger {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            let Some(role) = app.role_of(function) else {
                continue;
            };
            for (resource, trigger_at) in triggering_resources(app, function) {
                let Some(action) = write_action(resource.kind) else {
                    continue;
                };
                let grant = role
                    .statements()
                    .find_map(|(_, s)| granting_action(s, action, resource).map(|a| (s, a)));
                let Some((statement, granted)) = grant else {
                    continue;
                };
                let at = statement
                    .actions
                    .iter()
                    .find(|a| a.as_str() == Some(granted))
                    .map(|a| a.location.clone())
                    .unwrap_or_else(|| statement.location.clone());
                let kind = match resource.kind {
                    ResourceKind::Bucket => "bucket",
                    ResourceKind::Queue => "queue",
                    _ => "topic",
                };
                let grants = if granted.eq_ignore_ascii_case(action) {
                    format!("`{action}`")
                } else {
                    format!("`{granted}` (so {action})")
                };
                out.push(
                    Finding::new(
                        &META,
                        &app.id,
                        Some(&function.id),
                        &function.id,
                        &resource.id,
                        format!(
                            "Function `{}` is triggered by {kind} `{}` and its role `{}` allows {grants} on it: its own writes can trigger it again ({} -> {} -> {}).",
                            function_label(function), resource.id, role.id, resource.id, function_label(function), resource.id
                        ),
                        at,
                        REMEDIATION,
                    )
                    .with_related(format!("{kind} `{}` triggers `{}`", resource.id, function_label(function)), trigger_at),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, TriggerKind};

    fn setup(actions: &[&str], resources: &[&str]) -> App {
        let mut app = app();
        let mut bucket = Resource::new("Images", ResourceKind::Bucket, "AWS::S3::Bucket", loc(10));
        bucket.name = Some(Attr::explicit("my-images".into(), loc(11)));
        app.resources.push(bucket);
        let mut f = function("Resizer");
        f.triggers
            .push(source_trigger("Up", TriggerKind::S3, "Images"));
        app.functions.push(f);
        app.roles
            .push(role_allowing("ResizerRole", actions, resources));
        app
    }

    #[test]
    fn fires_on_write_to_own_trigger() {
        for (actions, resources) in [
            (&["s3:PutObject"][..], &["${Images.Arn}/*"][..]),
            (&["s3:Put*"], &["arn:aws:s3:::my-images/*"]),
            (&["*"], &["*"]),
            (&["s3:*"], &["arn:${AWS::Partition}:s3:::my-*"]),
        ] {
            let found = run(&RecursiveTrigger, &setup(actions, resources));
            assert_eq!(found.len(), 1, "{actions:?} {resources:?}");
            assert!(found[0].message.contains("Images -> Resizer -> Images"));
            assert_eq!(found[0].location, loc(82));
        }
    }

    #[test]
    fn silent_on_other_bucket_or_read_only() {
        for (actions, resources) in [
            (&["s3:PutObject"][..], &["${Thumbs.Arn}/*"][..]),
            (&["s3:GetObject"], &["*"]),
            (&["s3:PutObject"], &["arn:aws:s3:::my-images"]),
            (&["s3:PutObject"], &["arn:aws:s3:::other/*"]),
        ] {
            assert!(
                run(&RecursiveTrigger, &setup(actions, resources)).is_empty(),
                "{actions:?} {resources:?}"
            );
        }
    }

    #[test]
    fn queue_without_known_name_only_wildcards() {
        let mut app = app();
        app.resources.push(Resource::new(
            "Jobs",
            ResourceKind::Queue,
            "AWS::SQS::Queue",
            loc(10),
        ));
        let mut f = function("Worker");
        f.triggers
            .push(source_trigger("Q", TriggerKind::Sqs, "Jobs"));
        app.functions.push(f);
        app.roles.push(role_allowing(
            "WorkerRole",
            &["sqs:SendMessage"],
            &["arn:aws:sqs:*:*:other"],
        ));
        assert!(run(&RecursiveTrigger, &app).is_empty());
        app.roles[0] = role_allowing("WorkerRole", &["sqs:SendMessage"], &["arn:aws:sqs:*:*:*"]);
        assert_eq!(run(&RecursiveTrigger, &app).len(), 1);
    }
}
