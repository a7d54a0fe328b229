//! ## What it does
//! Flags execution roles that allow a known privilege-escalation path: single actions such as
//! `iam:PutRolePolicy`, `iam:AttachRolePolicy`, `iam:CreatePolicyVersion`,
//! `iam:SetDefaultPolicyVersion`, `iam:CreateAccessKey`, `iam:CreateLoginProfile`,
//! `iam:UpdateLoginProfile`, `iam:UpdateAssumeRolePolicy`, `iam:AddUserToGroup`,
//! `lambda:UpdateFunctionCode`, `lambda:UpdateFunctionConfiguration`,
//! `glue:UpdateDevEndpoint`, `sts:AssumeRole` on `*` and `lambda:InvokeFunction` on `*`; and
//! combinations that pass a role to a service that will run attacker-chosen code with it:
//! `iam:PassRole` with `lambda:CreateFunction` and a way to run it, or with
//! `glue:CreateDevEndpoint`, `cloudformation:CreateStack`, `ec2:RunInstances`, Data Pipeline,
//! CodeBuild or SageMaker. The catalog is `perimeter_iam::ESCALATION_PATHS`, after Rhino Security Labs'
//! list. Wildcards count (`iam:*`, `iam:Put*`); an unconditional Deny on `*` removes an
//! action. One finding per role lists every open path. Roles with administrator access (`*`
//! on `*`, `AdministratorAccess`, `IAMFullAccess`) are left to IAM003; `PowerUserAccess` is
//! not, since it excludes IAM and these paths are how a power user becomes administrator. Roles that no function of the app uses and that only AWS services which do
//! not run user code may assume (Step Functions, API Gateway, EventBridge…) are skipped: no
//! attacker-controlled code holds their credentials.
//!
//! Medium confidence: resource scoping is not analysed yet (`iam:PassRole` on one harmless
//! role is not an escalation), and conditions are not evaluated (the message says when the
//! path depends on one).
//!
//! ## Why is this bad?
//! A function with `iam:PutRolePolicy` on its own role is an administrator waiting for one bug:
//! the attacker's first call writes `{"Action": "*", "Resource": "*"}` into the role. The
//! policy looks narrow to a reviewer; the effective power is the whole account.
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
//!               Action: [iam:PutRolePolicy, iam:GetRole]
//!               Resource: '*'
//! ```
//!
//! Use instead:
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
//!               Action: [iam:GetRole]
//!               Resource: '*'
//! ```
//!
//! ## Remediation
//! Remove the IAM-writing and code-replacing actions from execution roles; let deployments
//! (CloudFormation, a CI role) change IAM and code. When a function must pass a role, scope
//! `iam:PassRole` to that role's ARN with an `iam:PassedToService` condition. Add a
//! permissions boundary to roles that must keep IAM write access.
//!
//! ## References
//! - CWE-269: Improper Privilege Management
//! - https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html

use super::{describe_role, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{EffectivePermissions, ManagedPolicyClass, find_escalations};
use perimeter_model::{App, PrincipalKind};

pub struct PrivilegeEscalation;

static META: RuleMeta = RuleMeta {
    code: "IAM006",
    name: "iam-privilege-escalation",
    family: Family::Iam,
    summary: "Execution role allows a privilege-escalation path",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("privilege_escalation.rs"),
};

const REMEDIATION: &str = "Remove IAM-writing, role-passing and code-replacing actions from the execution role, or scope them to specific ARNs with a permissions boundary.";

/// How many paths a message names before "and N more".
const NAMED: usize = 3;

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            if !runs_code(app, role) {
                continue;
            }
            let perms = EffectivePermissions::of_role(role);
            // Administrators need no escalation (IAM003 says so). PowerUserAccess is not
            // skipped: it excludes IAM, and these paths are how a power user becomes admin.
            let iam_full = perms
                .managed
                .iter()
                .any(|(_, info)| info.class == ManagedPolicyClass::IamFull);
            if perms.admin_grant().is_some() || iam_full {
                continue;
            }
            let hits = find_escalations(&perms);
            let Some(first) = hits.first() else { continue };
            let Some((_, first_allowance)) = first.satisfied_by.first() else {
                continue;
            };
            let describe = |h: &perimeter_iam::EscalationHit<'_>| {
                let actions = h
                    .satisfied_by
                    .iter()
                    .map(|(a, _)| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" + ");
                format!("{} ({actions})", h.path.name)
            };
            let mut paths = hits
                .iter()
                .take(NAMED)
                .map(describe)
                .collect::<Vec<_>>()
                .join("; ");
            if hits.len() > NAMED {
                paths.push_str(&format!("; and {} more", hits.len() - NAMED));
            }
            let conditional = if hits.iter().all(|h| h.conditional) {
                " (under conditions not evaluated)"
            } else {
                ""
            };
            let message = format!(
                "{} can escalate its privileges{conditional}: {paths}. An attacker running code in the function {}.",
                describe_role(app, role),
                first.path.explanation
            );
            let mut finding = role_finding(
                &META,
                app,
                role,
                &role.id,
                message,
                first_allowance.location().clone(),
                REMEDIATION,
            );
            for hit in &hits {
                for (action, allowance) in &hit.satisfied_by {
                    finding = finding.with_related(
                        format!(
                            "`{action}` allowed by `{}` ({})",
                            allowance.source_name(),
                            hit.path.id
                        ),
                        allowance.location().clone(),
                    );
                }
            }
            out.push(finding);
        }
    }
}

/// Service principals that run customer code with the role's credentials.
const CODE_RUNNERS: &[&str] = &[
    "lambda",
    "edgelambda",
    "ecs-tasks",
    "ec2",
    "codebuild",
    "glue",
    "sagemaker",
    "batch",
    "eks",
    "elasticmapreduce",
    "datapipeline",
    "ssm",
    "build.apprunner",
    "tasks.apprunner",
    "bedrock",
];

/// `true` unless the role is used by no function of the app and its trust policy is known to
/// name only service principals that do not run user code.
fn runs_code(app: &App, role: &perimeter_model::Role) -> bool {
    if app.functions_with_role(&role.id).next().is_some() || role.trust.is_empty() {
        return true;
    }
    let principals: Vec<_> = role
        .trust
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| &s.principals)
        .collect();
    if principals.is_empty() {
        return true;
    }
    principals.iter().any(|p| {
        if p.kind != PrincipalKind::Service {
            return true;
        }
        let Some(service) = p.value.as_str() else {
            return true;
        };
        let name = service
            .trim()
            .trim_end_matches(".amazonaws.com")
            .trim_end_matches(".amazonaws.com.cn");
        CODE_RUNNERS.contains(&name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::{Attr, Effect};

    #[test]
    fn single_action_path() {
        let app = app_with_role(role(
            "R",
            vec![allow(&["iam:PutRolePolicy", "iam:GetRole"], &["*"], 5)],
        ));
        let found = run(&PrivilegeEscalation, &app);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("write an inline policy (`iam:PutRolePolicy`)")
        );
        assert_eq!(found[0].location.line, 5);
        assert_eq!(found[0].function.as_deref(), Some("Fn"));
    }

    #[test]
    fn combination_across_statements_and_one_finding_per_role() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["iam:PassRole"], &["*"], 5),
                allow(
                    &["lambda:CreateFunction", "lambda:InvokeFunction"],
                    &["*"],
                    6,
                ),
            ],
        ));
        let found = run(&PrivilegeEscalation, &app);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("pass a role to a new Lambda function")
        );
        assert!(found[0].message.contains("invoke any function"));
        assert!(found[0].related.len() >= 4);
    }

    #[test]
    fn deny_closes_and_admin_is_left_to_iam003() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["iam:*"], &["*"], 5),
                stmt(Effect::Deny, &["iam:*"], &["*"], 6),
            ],
        ));
        assert!(run(&PrivilegeEscalation, &app).is_empty());
        let app = app_with_role(role("R", vec![allow(&["*"], &["*"], 5)]));
        assert!(run(&PrivilegeEscalation, &app).is_empty());
        let mut r = role("R", vec![]);
        r.managed_policy_arns.push(Attr::explicit(
            "arn:aws:iam::aws:policy/IAMFullAccess".into(),
            loc(3),
        ));
        assert!(run(&PrivilegeEscalation, &app_with_role(r)).is_empty());
        // PowerUserAccess plus an inline PassRole: the classic power user to admin path.
        let mut r = role("R", vec![allow(&["iam:PassRole"], &["*"], 5)]);
        r.managed_policy_arns.push(Attr::explicit(
            "arn:aws:iam::aws:policy/PowerUserAccess".into(),
            loc(3),
        ));
        let found = run(&PrivilegeEscalation, &app_with_role(r));
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("pass a role to a new Lambda function")
        );
    }

    #[test]
    fn orchestration_roles_are_skipped() {
        let mut r = role(
            "StatesRole",
            vec![allow(&["lambda:InvokeFunction"], &["*"], 5)],
        );
        let mut trust = stmt(Effect::Allow, &["sts:AssumeRole"], &[], 2);
        trust.principals.push(perimeter_model::Principal {
            kind: PrincipalKind::Service,
            value: Attr::explicit("states.amazonaws.com".into(), loc(2)),
        });
        r.trust.push(trust.clone());
        let mut a = app();
        a.roles.push(r.clone());
        assert!(run(&PrivilegeEscalation, &a).is_empty());
        // The same role used by a function, or trusted by Lambda, is reported.
        assert_eq!(
            run(&PrivilegeEscalation, &app_with_role(r.clone())).len(),
            1
        );
        trust.principals[0].value = Attr::explicit("lambda.amazonaws.com".into(), loc(2));
        r.trust = vec![trust];
        let mut a = app();
        a.roles.push(r);
        assert_eq!(run(&PrivilegeEscalation, &a).len(), 1);
    }

    #[test]
    fn harmless_roles_are_silent() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["iam:GetRole", "iam:List*"], &["*"], 5),
                allow(&["sts:AssumeRole"], &["arn:aws:iam::1:role/reader"], 6),
                allow(
                    &["lambda:InvokeFunction"],
                    &["arn:aws:lambda:us-east-1:1:function:next"],
                    7,
                ),
            ],
        ));
        assert!(run(&PrivilegeEscalation, &app).is_empty());
    }
}
