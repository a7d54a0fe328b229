//! ## What it does
//! Flags execution roles allowed actions that create, reveal or hand out credentials: minting
//! IAM user credentials (`iam:CreateAccessKey`, `iam:CreateLoginProfile`,
//! `iam:UpdateLoginProfile`, service-specific credentials, SSH keys) on any resource, and on
//! `Resource: "*"` reading every secret and parameter (`secretsmanager:GetSecretValue`,
//! `ssm:GetParameter*`, which decrypt SecureStrings), every function's configuration and
//! environment (`lambda:GetFunction`, `lambda:GetFunctionConfiguration`), session and
//! federation tokens (`sts:GetSessionToken`, `sts:GetFederationToken`), registry and
//! repository tokens (`ecr:GetAuthorizationToken`, `codeartifact:GetAuthorizationToken`),
//! database credentials and Windows passwords. Grants come from the template or from attached
//! AWS managed policies; administrator roles are IAM003's. `ecr:GetAuthorizationToken` is
//! not reported: it only supports `*`, every image pull needs it, and the token carries no
//! more than the role's own ECR permissions.
//!
//! ## Why is this bad?
//! Credentials outlive the function: an attacker who runs code in it once can take access
//! keys, database passwords, other functions' environment variables (where API keys live) or
//! registry tokens and keep using them from anywhere, long after the function is fixed, and
//! without the function's role showing in the logs.
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
//!               Action: secretsmanager:GetSecretValue
//!               Resource: '*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   DbPassword:
//!     Type: AWS::SecretsManager::Secret
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: secretsmanager:GetSecretValue
//!               Resource: !Ref DbPassword
//! ```
//!
//! ## Remediation
//! Name the secrets, parameters and functions the code reads (`!Ref Secret`,
//! `!Sub 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/*'`), and
//! remove IAM credential and token actions from execution roles: a function should not mint
//! credentials for others.
//!
//! ## References
//! - CWE-522: Insufficiently Protected Credentials
//! - https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
//! - https://github.com/salesforce/cloudsplaining (credentials exposure actions)

use super::{broad_grants, describe_role, grants_finding, name_grants};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{EffectivePermissions, Grant, is_credential_exposure};
use perimeter_model::App;

pub struct CredentialExposure;

static META: RuleMeta = RuleMeta {
    code: "IAM008",
    name: "iam-credential-exposure",
    family: Family::Iam,
    summary: "Execution role may create or read credentials",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("credential_exposure.rs"),
};

const REMEDIATION: &str = "Scope secret, parameter and function reads to named ARNs, and remove credential-minting and token actions from the execution role.";

/// How many actions a message names before "and N more".
const NAMED: usize = 4;

/// Credential-class actions that only support `*` and carry no more than the caller's own
/// permissions: granting them is routine, not an exposure.
const ROUTINE_ON_STAR: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "ecr-public:GetAuthorizationToken",
];

/// `true` for actions that mint IAM user credentials: reported whatever their resource.
fn mints_user_credentials(action: &str) -> bool {
    const MINTING: &[&str] = &[
        "iam:CreateAccessKey",
        "iam:UpdateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:CreateServiceSpecificCredential",
        "iam:ResetServiceSpecificCredential",
        "iam:UploadSSHPublicKey",
    ];
    MINTING.iter().any(|m| m.eq_ignore_ascii_case(action))
}

impl Rule for CredentialExposure {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            let perms = EffectivePermissions::of_role(role);
            // Administrators are IAM003's: every action would be listed.
            if perms.admin_grant().is_some() || perms.managed.iter().any(|(_, m)| m.is_admin_like())
            {
                continue;
            }
            let mut grants = broad_grants(&perms, |a| {
                is_credential_exposure(a)
                    && !ROUTINE_ON_STAR.iter().any(|r| r.eq_ignore_ascii_case(a))
            });
            // Minting user credentials matters on any user, not only on `*`.
            for a in perms
                .allowed_actions()
                .filter(|a| mints_user_credentials(&a.full_name))
            {
                if grants.iter().any(|g| g.action.full_name == a.full_name) {
                    continue;
                }
                if let Some(g) = first_grant(&perms, &a.full_name) {
                    grants.push(g);
                }
            }
            let message = format!(
                "{} may create or read credentials: {}.",
                describe_role(app, role),
                name_grants(&grants, NAMED)
            );
            out.extend(grants_finding(
                &META,
                app,
                role,
                message,
                &grants,
                |g| format!("`{}` by policy `{}`", g.action.full_name, g.policy_name()),
                REMEDIATION,
            ));
        }
    }
}

fn first_grant<'a>(perms: &EffectivePermissions<'a>, action: &str) -> Option<Grant<'a>> {
    perms.grants_for(action).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;

    #[test]
    fn reads_on_star_and_minting_anywhere() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["ssm:GetParameter*"], &["*"], 5),
                allow(
                    &["secretsmanager:GetSecretValue"],
                    &["arn:aws:secretsmanager:us-east-1:1:secret:db"],
                    6,
                ),
                allow(&["iam:CreateAccessKey"], &["arn:aws:iam::1:user/ci"], 7),
            ],
        ));
        let found = run(&CredentialExposure, &app);
        assert_eq!(found.len(), 1);
        let m = &found[0].message;
        assert!(
            m.contains("`ssm:GetParameter`") && m.contains("`iam:CreateAccessKey`"),
            "{m}"
        );
        assert!(!m.contains("GetSecretValue"), "{m}");
        assert_eq!(found[0].location.line, 5);
    }

    #[test]
    fn scoped_reads_and_admins_are_silent() {
        let app = app_with_role(role(
            "R",
            vec![allow(
                &["secretsmanager:GetSecretValue", "lambda:GetFunction"],
                &["arn:aws:secretsmanager:us-east-1:1:secret:db"],
                5,
            )],
        ));
        assert!(run(&CredentialExposure, &app).is_empty());
        let admin = role("R", vec![allow(&["*"], &["*"], 5)]);
        assert!(run(&CredentialExposure, &app_with_role(admin)).is_empty());
    }
}
