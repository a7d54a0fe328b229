//! ## What it does
//! Flags execution roles with administrator or broad power: an Allow of `*` (or `*:*`) on
//! `Resource: "*"`, and the AWS managed policies `AdministratorAccess`, `PowerUserAccess`
//! and `IAMFullAccess` (high), and the `…FullAccess` family such as `AmazonS3FullAccess` or
//! `AmazonDynamoDBFullAccess` (medium: one whole service, every resource).
//!
//! Severity is high rather than critical on purpose: using the role needs code execution in
//! the function first (a vulnerable dependency, an injection). The scorer multiplies it with
//! the function's exposure; a public function with an admin role is where the risk adds up.
//! `IAMFullAccess` counts as administrator: `iam:AttachRolePolicy` on its own role is one API
//! call away from `AdministratorAccess`.
//!
//! ## Why is this bad?
//! Any code that runs in the function can do anything in the account: read every secret and
//! table, create users and access keys for persistence, delete backups, mine crypto on
//! expensive instances. A function's role should hold what the function's code calls.
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
//!         - AdministratorAccess
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
//!         - DynamoDBReadPolicy:
//!             TableName: !Ref Orders
//! ```
//!
//! ## Remediation
//! Replace the policy with statements for the actions and resources the code uses; for
//! `…FullAccess` policies, the matching SAM policy template (`S3CrudPolicy`,
//! `DynamoDBCrudPolicy`, `SQSSendMessagePolicy`) scoped to the app's own resource.
//!
//! ## References
//! - CWE-250: Execution with Unnecessary Privileges
//! - CWE-269: Improper Privilege Management
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html

use super::{allow_statements, describe_role, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{ManagedPolicyClass, classify_managed_policy, is_full_wildcard};
use perimeter_model::App;

pub struct AdminAccess;

static META: RuleMeta = RuleMeta {
    code: "IAM003",
    name: "iam-admin-access",
    family: Family::Iam,
    summary: "Administrator or full-service access on an execution role",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("admin_access.rs"),
};

const REMEDIATION: &str = "Replace administrator or full-access policies with the actions and resources the function's code uses.";

impl Rule for AdminAccess {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            let who = describe_role(app, role);
            for site in allow_statements(role) {
                let statement = site.statement;
                let on_everything = statement.known_resources().any(|r| r.trim() == "*")
                    || !statement.not_resources.is_empty();
                let Some(action) = statement
                    .actions
                    .iter()
                    .find(|a| a.as_str().is_some_and(is_full_wildcard))
                else {
                    continue;
                };
                if !on_everything {
                    continue;
                }
                let conditional = if statement.has_conditions() {
                    " (under conditions that may not narrow it)"
                } else {
                    ""
                };
                let message = format!(
                    "{who} allows every action on every resource (`*` on `*`) in policy `{}`{conditional}: administrator access.",
                    site.policy.name
                );
                out.push(role_finding(
                    &META,
                    app,
                    role,
                    &site.key(),
                    message,
                    action.location.clone(),
                    REMEDIATION,
                ));
            }
            for arn in &role.managed_policy_arns {
                let Some(info) = arn.as_str().and_then(classify_managed_policy) else {
                    continue;
                };
                let (what, severity) = match &info.class {
                    ManagedPolicyClass::Admin => (
                        "administrator access (`*` on `*`)".to_string(),
                        Severity::High,
                    ),
                    ManagedPolicyClass::PowerUser => (
                        "every action except IAM and Organizations".to_string(),
                        Severity::High,
                    ),
                    ManagedPolicyClass::IamFull => (
                        "`iam:*`, administrator access in one step".to_string(),
                        Severity::High,
                    ),
                    ManagedPolicyClass::ServiceFull(Some(service)) => (
                        format!("every `{service}` action on every resource"),
                        Severity::Medium,
                    ),
                    ManagedPolicyClass::ServiceFull(None) => (
                        "full access to a whole service".to_string(),
                        Severity::Medium,
                    ),
                    ManagedPolicyClass::Other => continue,
                };
                let message = format!(
                    "{who} attaches the AWS managed policy `{}`: {what}.",
                    info.name
                );
                out.push(
                    role_finding(
                        &META,
                        app,
                        role,
                        &format!("managed/{}", info.name),
                        message,
                        arn.location.clone(),
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
    use perimeter_model::{Attr, Condition};

    #[test]
    fn star_on_star_inline() {
        let mut cond = allow(&["*"], &["*"], 6);
        cond.conditions.push(Condition {
            operator: "StringEquals".into(),
            key: "aws:RequestedRegion".into(),
            values: vec![],
        });
        let app = app_with_role(role("R", vec![allow(&["*:*"], &["*"], 5), cond]));
        let found = run(&AdminAccess, &app);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("administrator access"));
        assert!(found[1].message.contains("under conditions"));
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn managed_policies_by_name() {
        let mut r = role("R", vec![]);
        for (i, arn) in [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess",
            "IAMFullAccess",
            "arn:aws:iam::aws:policy/AmazonS3FullAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::123456789012:policy/AdministratorAccess",
        ]
        .iter()
        .enumerate()
        {
            r.managed_policy_arns
                .push(Attr::explicit(arn.to_string(), loc(20 + i as u32)));
        }
        r.managed_policy_arns
            .push(Attr::unresolved("Fn::ImportValue", loc(30)));
        let found = run(&AdminAccess, &app_with_role(r));
        let sev: Vec<_> = found.iter().map(|f| f.severity).collect();
        assert_eq!(
            sev,
            vec![
                Severity::High,
                Severity::High,
                Severity::High,
                Severity::Medium
            ]
        );
        assert!(found[3].message.contains("every `s3` action"));
        assert_eq!(found[1].location.line, 21);
    }

    #[test]
    fn scoped_star_or_service_wildcard_is_not_admin() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["*"], &["arn:aws:s3:::b"], 5),
                allow(&["s3:*"], &["*"], 6),
            ],
        ));
        assert!(run(&AdminAccess, &app).is_empty());
    }
}
