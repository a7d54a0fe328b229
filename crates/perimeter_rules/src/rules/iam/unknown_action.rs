//! ## What it does
//! Flags names in a policy's `Action` or `NotAction` that are not AWS actions: typos
//! (`s3:GetObjekt`, `sqss:SendMessage`), wrong case-insensitive spellings of real names are
//! fine, but invented or retired names and wildcards that match nothing (`s3:Gte*`) are not.
//! Names are checked against the embedded AWS action catalog, whose date `perimeter --version`
//! shows; the message suggests the closest real action when one is near. Policies AWS wrote
//! (AWS managed policies, SAM policy templates) are not judged.
//!
//! ## Why is this bad?
//! IAM accepts unknown action names silently and grants nothing for them. In an Allow, the
//! function fails at run time with `AccessDenied` on the call the author meant to allow, which
//! is often "fixed" by widening the statement to `service:*`. In a Deny or a `NotAction`, a
//! typo is worse: the guard the author wrote denies or excludes nothing, and nobody notices.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Uploads:
//!     Type: AWS::S3::Bucket
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: s3:GetObjects
//!               Resource: !Sub '${Uploads.Arn}/*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Uploads:
//!     Type: AWS::S3::Bucket
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: s3:GetObject
//!               Resource: !Sub '${Uploads.Arn}/*'
//! ```
//!
//! ## Remediation
//! Correct the name (the message suggests the closest real action), checking it in the
//! Service Authorization Reference. If the action is newer than perimeter's catalog, update
//! perimeter.
//!
//! ## References
//! - CWE-1068: Inconsistency Between Implementation and Documented Design
//! - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

use super::{describe_role, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{DATA_DATE, EffectivePermissions};
use perimeter_model::{App, Effect, PolicySource, Value};

pub struct UnknownAction;

static META: RuleMeta = RuleMeta {
    code: "IAM009",
    name: "iam-unknown-action",
    family: Family::Iam,
    summary: "Policy names an action that does not exist",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("unknown_action.rs"),
};

const REMEDIATION: &str =
    "Correct the action name; check it in AWS's Service Authorization Reference.";

impl Rule for UnknownAction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            let perms = EffectivePermissions::of_role(role);
            for u in &perms.unknown_actions {
                if matches!(u.policy.source, PolicySource::SamTemplate(_)) {
                    continue;
                }
                let Some(name) = u.written.as_str() else {
                    continue;
                };
                let statement = u.policy.statements.get(u.statement_index);
                let deny =
                    statement.is_some_and(|s| matches!(s.effect, Value::Known(Effect::Deny)));
                let what = match (deny, u.in_not_action) {
                    (_, true) => "so its `NotAction` excludes nothing",
                    (true, false) => "so the Deny denies nothing",
                    (false, false) => "so it grants nothing",
                };
                let hint = u
                    .suggestion
                    .as_ref()
                    .map(|s| format!(" Did you mean `{s}`?"))
                    .unwrap_or_default();
                let message = format!(
                    "`{name}` in policy `{}` of {} is not an AWS action (catalog of {DATA_DATE}), {what}.{hint}",
                    u.policy.name,
                    describe_role(app, role),
                );
                let key = format!(
                    "{}/{}/{}",
                    u.policy.name,
                    u.statement_index,
                    name.to_ascii_lowercase()
                );
                let severity = if deny || u.in_not_action {
                    Severity::Medium
                } else {
                    META.severity
                };
                out.push(
                    role_finding(
                        &META,
                        app,
                        role,
                        &key,
                        message,
                        u.written.location.clone(),
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
    fn typos_with_suggestions() {
        let mut deny = stmt(Effect::Deny, &["s3:DeleteBuckett"], &["*"], 6);
        deny.sid = Some("NoDelete".into());
        let app = app_with_role(role(
            "R",
            vec![
                allow(
                    &["s3:GetObjekt", "S3:GETOBJECT", "dynamodb:*Itme"],
                    &["*"],
                    5,
                ),
                deny,
            ],
        ));
        let found = run(&UnknownAction, &app);
        let messages: Vec<_> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:#?}");
        assert!(messages[0].contains("Did you mean `s3:GetObject`?"));
        assert!(messages[1].contains("`dynamodb:*Itme`") && messages[1].contains("grants nothing"));
        assert!(messages[2].contains("denies nothing"));
        assert_eq!(found[2].severity, Severity::Medium);
        assert_eq!(found[0].location.line, 5);
    }

    #[test]
    fn sam_templates_are_not_judged() {
        let mut r = role("R", vec![allow(&["sqs:DeleteMessageBatch"], &["*"], 5)]);
        r.policies[0].source = PolicySource::SamTemplate("SQSPollerPolicy".into());
        assert!(run(&UnknownAction, &app_with_role(r)).is_empty());
    }
}
