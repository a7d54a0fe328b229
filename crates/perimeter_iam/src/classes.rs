//! Sensitive action classes, as data in one place: actions that read data in bulk
//! (exfiltration) and actions that hand out or reveal credentials (credential exposure).
//! Privilege escalation has its own catalog ([`crate::escalation`]); permissions management
//! is an access level of the catalog. [`sensitivity`] combines the four.
//!
//! Sources: the "data exfiltration" and "credentials exposure" lists of Salesforce's
//! Policy Sentry and Cloudsplaining (BSD-3), checked against the catalog (every entry here is
//! a real action; a unit test keeps it so).

use crate::access::AccessLevel;
use crate::catalog::Action;
use crate::escalation::ESCALATION_PATHS;
use crate::pattern::action_matches;

/// Actions that read stored data or secrets in bulk: on `*` they let a compromised function
/// read everything of their kind in the account. Entries may be patterns.
pub const DATA_EXFILTRATION: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PartiQLSelect",
    "dynamodb:GetRecords",
    "dynamodb:ExportTableToPointInTime",
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
    "sqs:ReceiveMessage",
    "kinesis:GetRecords",
    "rds-data:ExecuteStatement",
    "rds-data:BatchExecuteStatement",
    "rds:CreateDBSnapshot",
    "rds:ModifyDBSnapshotAttribute",
    "ec2:CreateSnapshot",
    "ec2:ModifySnapshotAttribute",
    "ec2:GetPasswordData",
    "ebs:GetSnapshotBlock",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "cloudwatch:GetMetricData",
    "athena:GetQueryResults",
    "glue:GetTable",
    "lambda:GetFunction",
    "codecommit:GitPull",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "es:ESHttpGet",
    "redshift-data:GetStatementResult",
    "cognito-idp:ListUsers",
    "backup:StartRestoreJob",
];

/// Actions that create, reveal or hand out credentials: access keys, session tokens, login
/// profiles, registry and repository passwords, and the environment of functions (where
/// secrets often live).
pub const CREDENTIAL_EXPOSURE: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UploadSSHPublicKey",
    "sts:GetSessionToken",
    "sts:GetFederationToken",
    "sts:AssumeRole",
    "sts:GetServiceBearerToken",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "ecr:GetAuthorizationToken",
    "ecr-public:GetAuthorizationToken",
    "codeartifact:GetAuthorizationToken",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "rds-db:connect",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "cognito-identity:GetCredentialsForIdentity",
    "cognito-identity:GetOpenIdToken",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "ec2-instance-connect:SendSSHPublicKey",
    "ec2:GetPasswordData",
    "ssm:StartSession",
    "lightsail:GetInstanceAccessDetails",
    "gamelift:GetInstanceAccess",
    "appsync:GetDataSource",
    "chime:CreateApiKey",
];

/// Why an action is sensitive. An action may be several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sensitivity {
    /// Part of a privilege-escalation path.
    PrivilegeEscalation,
    /// Permissions management (changes who may do what).
    PermissionsManagement,
    /// Hands out or reveals credentials.
    CredentialExposure,
    /// Reads data in bulk.
    DataExfiltration,
}

impl Sensitivity {
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::PrivilegeEscalation => "privilege escalation",
            Sensitivity::PermissionsManagement => "permissions management",
            Sensitivity::CredentialExposure => "credential exposure",
            Sensitivity::DataExfiltration => "data exfiltration",
        }
    }
}

fn listed(list: &[&str], action: &str) -> bool {
    list.iter().any(|p| action_matches(p, action))
}

/// `true` when the action reads data in bulk ([`DATA_EXFILTRATION`]).
pub fn is_data_exfiltration(action: &str) -> bool {
    listed(DATA_EXFILTRATION, action)
}

/// `true` when the action exposes credentials ([`CREDENTIAL_EXPOSURE`]).
pub fn is_credential_exposure(action: &str) -> bool {
    listed(CREDENTIAL_EXPOSURE, action)
}

/// `true` when the action is one of the privilege-escalation catalog's.
pub fn is_escalation_action(action: &str) -> bool {
    ESCALATION_PATHS
        .iter()
        .flat_map(|p| p.requires.iter())
        .flat_map(|g| g.iter())
        .any(|a| action_matches(a, action))
}

/// Every reason the action is sensitive, most serious first; empty when it is not.
pub fn sensitivity(action: &Action) -> Vec<Sensitivity> {
    let name = action.full_name.as_str();
    let mut out = Vec::new();
    if is_escalation_action(name) {
        out.push(Sensitivity::PrivilegeEscalation);
    }
    if action.level == AccessLevel::PermissionsManagement {
        out.push(Sensitivity::PermissionsManagement);
    }
    if is_credential_exposure(name) {
        out.push(Sensitivity::CredentialExposure);
    }
    if is_data_exfiltration(name) {
        out.push(Sensitivity::DataExfiltration);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn every_entry_is_a_real_action() {
        let c = catalog();
        for a in DATA_EXFILTRATION.iter().chain(CREDENTIAL_EXPOSURE) {
            assert!(c.count(a) > 0, "{a} is not in the catalog");
        }
    }

    #[test]
    fn classes() {
        let c = catalog();
        let s = |n: &str| sensitivity(c.action(n).unwrap());
        assert_eq!(
            s("iam:PutRolePolicy"),
            vec![
                Sensitivity::PrivilegeEscalation,
                Sensitivity::PermissionsManagement
            ]
        );
        assert_eq!(s("s3:GetObject"), vec![Sensitivity::DataExfiltration]);
        assert!(s("lambda:GetFunction").contains(&Sensitivity::CredentialExposure));
        assert!(s("s3:ListAllMyBuckets").is_empty());
    }
}
