//! ## What it does
//! Flags Allow statements written with `NotAction` or `NotResource`.
//!
//! ## Why is this bad?
//! `Allow` + `NotAction: iam:*` does not mean "everything but IAM is denied"; it means
//! "allow every action of every other service", including services that did not exist when
//! the policy was written. `Allow` + `NotResource` grants the actions on every resource
//! except the listed ones, including every other account's resources that trust this one.
//! These are deny-lists written as allow-lists: they grow silently. With `Resource: "*"` (or
//! with `NotResource`) the statement is near-administrator and is reported as high.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               NotAction: iam:*
//!               Resource: '*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Queue:
//!     Type: AWS::SQS::Queue
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: sqs:SendMessage
//!               Resource: !GetAtt Queue.Arn
//! ```
//!
//! ## Remediation
//! Write the statement as an allow-list (`Action` and `Resource`). To keep a guard rail, add
//! a separate `Deny` statement (where `NotAction`/`NotResource` are fine) or a permissions
//! boundary.
//!
//! ## References
//! - CWE-183: Permissive List of Allowed Inputs
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html

use super::{allow_statements, describe_role, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct AllowNotAction;

static META: RuleMeta = RuleMeta {
    code: "IAM004",
    name: "iam-allow-not-action",
    family: Family::Iam,
    summary: "Allow statement with NotAction or NotResource",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("allow_not_action.rs"),
};

const REMEDIATION: &str = "Rewrite the Allow as an explicit Action/Resource list; express exceptions with a separate Deny statement.";

impl Rule for AllowNotAction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            for site in allow_statements(role) {
                let statement = site.statement;
                let (element, written) = if let Some(first) = statement.not_actions.first() {
                    (first, "NotAction")
                } else if let Some(first) = statement.not_resources.first() {
                    (first, "NotResource")
                } else {
                    continue;
                };
                let broad = !statement.not_resources.is_empty()
                    || statement.known_resources().any(|r| r.trim() == "*");
                let excluded: Vec<String> = if written == "NotAction" {
                    statement
                        .not_actions
                        .iter()
                        .filter_map(|a| a.as_str())
                        .map(|a| format!("`{a}`"))
                        .collect()
                } else {
                    Vec::new()
                };
                let detail = if excluded.is_empty() {
                    String::new()
                } else {
                    format!(" (everything except {})", excluded.join(", "))
                };
                let message = format!(
                    "{} has an Allow statement with `{written}`{detail} in policy `{}`.",
                    describe_role(app, role),
                    site.policy.name
                );
                let severity = if broad { Severity::High } else { META.severity };
                out.push(
                    role_finding(
                        &META,
                        app,
                        role,
                        &site.key(),
                        message,
                        element.location.clone(),
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
    use perimeter_model::{Attr, Effect, Value};

    #[test]
    fn not_action_on_star_is_high() {
        let mut s = allow(&[], &["*"], 5);
        s.not_actions.push(Attr::explicit("iam:*".into(), loc(6)));
        let found = run(&AllowNotAction, &app_with_role(role("R", vec![s])));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[0].location.line, 6);
        assert!(found[0].message.contains("everything except `iam:*`"));
    }

    #[test]
    fn not_action_on_scoped_resource_is_medium_and_not_resource_fires() {
        let mut a = allow(&[], &["arn:aws:s3:::b/*"], 5);
        a.not_actions
            .push(Attr::explicit("s3:DeleteObject".into(), loc(5)));
        let mut b = allow(&["s3:GetObject"], &[], 7);
        b.not_resources
            .push(Attr::explicit("arn:aws:s3:::secret/*".into(), loc(8)));
        let found = run(&AllowNotAction, &app_with_role(role("R", vec![a, b])));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[1].severity, Severity::High);
        assert!(found[1].message.contains("NotResource"));
    }

    #[test]
    fn deny_with_not_action_is_fine() {
        let mut s = allow(&[], &["*"], 5);
        s.effect = Value::Known(Effect::Deny);
        s.not_actions
            .push(Attr::explicit("s3:GetObject".into(), loc(6)));
        assert!(
            run(
                &AllowNotAction,
                &app_with_role(role("R", vec![s, allow(&["s3:GetObject"], &["*"], 9)]))
            )
            .is_empty()
        );
    }
}
