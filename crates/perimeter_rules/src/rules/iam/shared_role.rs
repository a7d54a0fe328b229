//! ## What it does
//! Flags an execution role declared in the app that several functions run with. It reports
//! once per role and lists the functions. The Serverless Framework's generated
//! `IamRoleLambdaExecution` (every function of a service shares it unless configured
//! otherwise) counts. Roles that grant nothing beyond writing logs, traces and metrics and
//! the basic execution managed policies are not reported: sharing them shares nothing.
//!
//! Low severity, medium confidence: sharing is not a vulnerability by itself, and some
//! functions do need the same access. It matters because every function gets the union of
//! what all of them need, so one weak function (public, parsing untrusted input, with an old
//! dependency) holds the others' privileges.
//!
//! ## Why is this bad?
//! A read-only `GET /orders` handler sharing a role with the nightly purge job can delete
//! every order once an attacker gets code execution in the public handler. Per-function roles
//! keep the blast radius of each function to its own job, and make each role's policy short
//! enough to review.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::Serverless::SimpleTable
//!   SharedRole:
//!     Type: AWS::IAM::Role
//!     Properties:
//!       AssumeRolePolicyDocument:
//!         Version: '2012-10-17'
//!         Statement:
//!           - Effect: Allow
//!             Principal: { Service: lambda.amazonaws.com }
//!             Action: sts:AssumeRole
//!       Policies:
//!         - PolicyName: data
//!           PolicyDocument:
//!             Version: '2012-10-17'
//!             Statement:
//!               - Effect: Allow
//!                 Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:DeleteItem]
//!                 Resource: !GetAtt Orders.Arn
//!   ReadFn:
//!     Type: AWS::Serverless::Function
//!     Properties: { Runtime: python3.12, Handler: read.handler, CodeUri: src/, Role: !GetAtt SharedRole.Arn }
//!   PurgeFn:
//!     Type: AWS::Serverless::Function
//!     Properties: { Runtime: python3.12, Handler: purge.handler, CodeUri: src/, Role: !GetAtt SharedRole.Arn }
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::Serverless::SimpleTable
//!   ReadFn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: read.handler
//!       CodeUri: src/
//!       Policies:
//!         - DynamoDBReadPolicy: { TableName: !Ref Orders }
//!   PurgeFn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: purge.handler
//!       CodeUri: src/
//!       Policies:
//!         - DynamoDBCrudPolicy: { TableName: !Ref Orders }
//! ```
//!
//! ## Remediation
//! Give each function its own role: SAM `Policies` per function (SAM then generates one role
//! each), a role resource per function, or in the Serverless Framework per-function `iam`
//! statements with the `serverless-iam-roles-per-function` plugin (v3) or
//! `provider.iam.role` per function.
//!
//! ## References
//! - CWE-250: Execution with Unnecessary Privileges
//! - https://docs.aws.amazon.com/lambda/latest/operatorguide/one-function-one-role.html
//! - https://www.serverless.com/framework/docs/providers/aws/guide/iam

use super::{BASIC_MANAGED_POLICIES, is_low_impact};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::classify_managed_policy;
use perimeter_model::{App, Role, SourceKind};

pub struct SharedRole;

static META: RuleMeta = RuleMeta {
    code: "IAM005",
    name: "iam-shared-role",
    family: Family::Iam,
    summary: "One execution role shared by several functions",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::Medium,
    confidence: Level::Medium,
    source: include_str!("shared_role.rs"),
};

const REMEDIATION: &str =
    "Give each function its own role holding only what that function's code uses.";

/// How many function names a message lists before "and N more".
const NAMED: usize = 5;

impl Rule for SharedRole {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            let users: Vec<_> = app.functions_with_role(&role.id).collect();
            if users.len() < 2 || grants_only_basics(role) {
                continue;
            }
            let mut names = users
                .iter()
                .take(NAMED)
                .map(|f| format!("`{}`", f.id))
                .collect::<Vec<_>>()
                .join(", ");
            if users.len() > NAMED {
                names.push_str(&format!(" and {} more", users.len() - NAMED));
            }
            let serverless_default = app.source == SourceKind::Serverless && role.generated;
            let origin = if serverless_default {
                " (the Serverless Framework's shared default role)"
            } else {
                ""
            };
            let message = format!(
                "Role `{}`{origin} is shared by {} functions: {names}; each gets the permissions all of them need.",
                role.id,
                users.len()
            );
            let mut finding = Finding::new(
                &META,
                &app.id,
                None,
                &role.id,
                &role.id,
                message,
                role.location.clone(),
                REMEDIATION,
            );
            for f in users {
                finding = finding.with_related(
                    format!("function `{}` runs with this role", f.id),
                    f.role.location.clone(),
                );
            }
            out.push(finding);
        }
    }
}

/// `true` when every statement only writes logs, traces or metrics and every managed policy is
/// a basic execution policy. Anything unknown (an unresolved action or ARN) is not basic.
fn grants_only_basics(role: &Role) -> bool {
    let statements_basic = role.statements().all(|(_, s)| {
        !s.is_allow()
            || (s.not_actions.is_empty()
                && s.actions
                    .iter()
                    .all(|a| a.as_str().is_some_and(|a| is_low_impact(a.trim()))))
    });
    let managed_basic = role.managed_policy_arns.iter().all(|arn| {
        arn.as_str()
            .and_then(classify_managed_policy)
            .is_some_and(|info| BASIC_MANAGED_POLICIES.contains(&info.name.as_str()))
    });
    statements_basic && managed_basic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::Attr;

    fn shared(statements: Vec<perimeter_model::Statement>, users: usize) -> App {
        let mut a = app();
        a.roles.push(role("Shared", statements));
        for i in 0..users {
            a.functions
                .push(function(&format!("Fn{i}"), "Shared", 10 + 3 * i as u32));
        }
        a
    }

    #[test]
    fn reports_once_with_the_functions() {
        let a = shared(
            vec![allow(
                &["dynamodb:DeleteItem"],
                &["arn:aws:dynamodb:::table/t"],
                5,
            )],
            7,
        );
        let found = run(&SharedRole, &a);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("shared by 7 functions: `Fn0`"));
        assert!(found[0].message.contains("and 2 more"));
        assert_eq!(found[0].related.len(), 7);
        assert_eq!(found[0].function, None);
    }

    #[test]
    fn serverless_default_role_is_named() {
        let mut a = shared(vec![allow(&["s3:GetObject"], &["arn:aws:s3:::b/*"], 5)], 2);
        a.source = SourceKind::Serverless;
        a.roles[0].generated = true;
        assert!(
            run(&SharedRole, &a)[0]
                .message
                .contains("Serverless Framework's shared default role")
        );
    }

    #[test]
    fn silent_for_one_user_or_basic_roles() {
        assert!(
            run(
                &SharedRole,
                &shared(vec![allow(&["s3:GetObject"], &["*"], 5)], 1)
            )
            .is_empty()
        );
        let mut a = shared(
            vec![allow(
                &["logs:CreateLogStream", "logs:PutLogEvents"],
                &["*"],
                5,
            )],
            3,
        );
        a.roles[0].managed_policy_arns.push(Attr::explicit(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".into(),
            loc(6),
        ));
        assert!(run(&SharedRole, &a).is_empty());
        // An unknown managed policy makes it worth reporting.
        a.roles[0]
            .managed_policy_arns
            .push(Attr::unresolved("Fn::ImportValue", loc(7)));
        assert_eq!(run(&SharedRole, &a).len(), 1);
    }
}
