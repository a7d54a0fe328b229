//! ## What it does
//! Flags Allow statements that grant write or permissions-management actions on
//! `Resource: "*"`. Read- and list-only statements are left alone, and so are a few
//! low-impact actions that only support `*` or are routinely granted on it (writing the
//! function's own logs, X-Ray traces and metrics, the network interfaces of a VPC function,
//! vended log delivery for Step Functions and EventBridge; the list is `LOW_IMPACT_ACTIONS` in
//! the IAM rules module). SAM policy templates are not
//! judged: where AWS wrote `*` into one, the actions do not support anything narrower.
//! Tag-only actions are not reported. `*` on `*` is administrator access and is reported by
//! IAM003 instead.
//!
//! The access level of each action is AWS's, from the embedded action catalog (a wildcard has
//! every level of the real actions it covers). Statements reaching permissions management,
//! or actions of a privilege-escalation path (`iam:PassRole`, which AWS classes as Write),
//! are reported as high.
//!
//! ## Why is this bad?
//! `dynamodb:DeleteItem` on `*` lets a compromised function delete items from every table
//! in the account and region, not just its own; `sqs:SetQueueAttributes` on `*` lets it
//! rewrite the access policy of every queue. The blast radius of one bug becomes the account.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::Serverless::SimpleTable
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: [dynamodb:PutItem, dynamodb:DeleteItem]
//!               Resource: '*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::Serverless::SimpleTable
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: [dynamodb:PutItem, dynamodb:DeleteItem]
//!               Resource: !GetAtt Orders.Arn
//! ```
//!
//! ## Remediation
//! Name the resources: `!GetAtt Table.Arn`, `!Sub '${Bucket.Arn}/*'`, or a SAM policy
//! template with the resource as parameter (`DynamoDBCrudPolicy: {TableName: !Ref Table}`).
//!
//! ## References
//! - CWE-732: Incorrect Permission Assignment for Critical Resource
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//! - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

use super::{allow_statements, describe_role, is_low_impact, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{
    AccessLevel, expand_pattern, is_escalation_action, is_full_wildcard, pattern_access_levels,
};
use perimeter_model::{App, PolicySource};

pub struct WildcardResourceOnWrite;

static META: RuleMeta = RuleMeta {
    code: "IAM002",
    name: "iam-wildcard-resource-on-write",
    family: Family::Iam,
    summary: "Write or permissions-management actions on Resource `*`",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("wildcard_resource_on_write.rs"),
};

const REMEDIATION: &str = "Scope the statement's Resource to the ARNs the function uses (`!GetAtt Table.Arn`, `!Sub '${Bucket.Arn}/*'`).";

/// How many offending actions a message names before "and N more".
const NAMED: usize = 4;

impl Rule for WildcardResourceOnWrite {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            for site in allow_statements(role)
                .filter(|s| !matches!(s.policy.source, PolicySource::SamTemplate(_)))
            {
                let statement = site.statement;
                if !statement.not_actions.is_empty() {
                    continue;
                }
                let Some(star) = statement
                    .resources
                    .iter()
                    .find(|r| r.as_str().is_some_and(|r| r.trim() == "*"))
                else {
                    continue;
                };
                // `*` on `*` is IAM003's.
                if statement.known_actions().any(is_full_wildcard) {
                    continue;
                }
                let mut offending = Vec::new();
                let mut permissions = false;
                let mut escalation = false;
                for action in statement.known_actions().map(str::trim) {
                    if is_low_impact(action) {
                        continue;
                    }
                    let levels = pattern_access_levels(action);
                    if levels
                        .iter()
                        .any(|l| l.is_mutating() && *l != AccessLevel::Tagging)
                    {
                        permissions |= levels.contains(&AccessLevel::PermissionsManagement);
                        escalation |= expand_pattern(action)
                            .actions()
                            .any(|a| is_escalation_action(&a.full_name));
                        offending.push(action);
                    }
                }
                if offending.is_empty() {
                    continue;
                }
                let mut listed = offending
                    .iter()
                    .take(NAMED)
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if offending.len() > NAMED {
                    listed.push_str(&format!(" and {} more", offending.len() - NAMED));
                }
                let kind = match (permissions, escalation) {
                    (true, _) => "write and permissions-management",
                    (false, true) => "write and privilege-escalation",
                    (false, false) => "write",
                };
                let message = format!(
                    "{} grants {kind} actions {listed} on every resource (`Resource: \"*\"`) in policy `{}`.",
                    describe_role(app, role),
                    site.policy.name
                );
                let severity = if permissions || escalation {
                    Severity::High
                } else {
                    META.severity
                };
                out.push(
                    role_finding(
                        &META,
                        app,
                        role,
                        &site.key(),
                        message,
                        star.location.clone(),
                        REMEDIATION,
                    )
                    .with_severity(severity),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;

    #[test]
    fn write_on_star_fires_with_the_actions_named() {
        let app = app_with_role(role(
            "R",
            vec![allow(
                &["dynamodb:GetItem", "dynamodb:DeleteItem"],
                &["*"],
                5,
            )],
        ));
        let found = run(&WildcardResourceOnWrite, &app);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`dynamodb:DeleteItem`"));
        assert!(!found[0].message.contains("GetItem"));
        assert_eq!(found[0].severity, Severity::Medium);
    }

    #[test]
    fn permissions_management_is_high() {
        let app = app_with_role(role(
            "R",
            vec![allow(&["sqs:SetQueueAttributes"], &["*"], 5)],
        ));
        let found = run(&WildcardResourceOnWrite, &app);
        assert_eq!(found[0].severity, Severity::High);
        let app = app_with_role(role("R", vec![allow(&["s3:Put*"], &["*"], 5)]));
        assert_eq!(
            run(&WildcardResourceOnWrite, &app)[0].severity,
            Severity::High
        );
    }

    #[test]
    fn long_lists_are_shortened() {
        let actions = [
            "sqs:SendMessage",
            "sns:Publish",
            "s3:PutObject",
            "dynamodb:PutItem",
            "kinesis:PutRecord",
            "events:PutEvents",
        ];
        let app = app_with_role(role("R", vec![allow(&actions, &["*"], 5)]));
        assert!(
            run(&WildcardResourceOnWrite, &app)[0]
                .message
                .contains("and 2 more")
        );
    }

    #[test]
    fn silent_on_reads_low_impact_scoped_admin_and_sam_templates() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(
                    &[
                        "s3:GetObject",
                        "s3:List*",
                        "dynamodb:Query",
                        "ec2:Describe*",
                    ],
                    &["*"],
                    5,
                ),
                allow(
                    &[
                        "logs:CreateLogGroup",
                        "logs:PutLogEvents",
                        "xray:PutTraceSegments",
                    ],
                    &["*"],
                    6,
                ),
                allow(
                    &["dynamodb:PutItem"],
                    &["arn:aws:dynamodb:us-east-1:1:table/t"],
                    7,
                ),
                allow(&["*"], &["*"], 8),
                allow(&["dynamodb:TagResource"], &["*"], 9),
            ],
        ));
        assert!(run(&WildcardResourceOnWrite, &app).is_empty());
        let mut r = role("R", vec![allow(&["cloudwatch:PutDashboard"], &["*"], 5)]);
        r.policies[0].source = PolicySource::SamTemplate("CloudWatchDashboardPolicy".into());
        assert!(run(&WildcardResourceOnWrite, &app_with_role(r)).is_empty());
    }
}
