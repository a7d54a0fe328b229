//! Sensitive action classes, as data in one place: actions that read data in bulk
//! (exfiltration) and actions that hand out or reveal credentials (credential exposure).
//! Privilege escalation has its own catalog ([`crate::escalation`]); permissions management
//! is an access level of the catalog. [`sensitivity`] combines the four.
//!
//! The two lists are disjoint: secrets, parameters and function configurations hold
//! credentials, so they are credential exposure, not data exfiltration.
//!
//! Sources: the "data exfiltration" and "credentials exposure" lists of Salesforce's
//! Policy Sentry and Cloudsplaining (BSD-3), checked against the catalog (every entry here is
//! a real action; a unit test keeps it so).

use crate::access::AccessLevel;
use crate::catalog::{Action, catalog};
use crate::effective::expand_pattern;
use crate::escalation::ESCALATION_PATHS;
use std::sync::OnceLock;

/// Actions that read stored data in bulk: on `*` they let a compromised function read
/// everything of their kind in the account. Entries may be patterns. Metrics and container
/// images are left out: they are not the data an attacker is after.
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
    "kms:Decrypt",
    "sqs:ReceiveMessage",
    "kinesis:GetRecords",
    "rds-data:ExecuteStatement",
    "rds-data:BatchExecuteStatement",
    "rds:CreateDBSnapshot",
    "rds:ModifyDBSnapshotAttribute",
    "ec2:CreateSnapshot",
    "ec2:ModifySnapshotAttribute",
    "ebs:GetSnapshotBlock",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "athena:GetQueryResults",
    "glue:GetTable",
    "codecommit:GitPull",
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
    "secretsmanager:BatchGetSecretValue",
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

const EXFILTRATION_BIT: u8 = 1;
const CREDENTIAL_BIT: u8 = 2;
const ESCALATION_BIT: u8 = 4;

/// The classes of every catalog action, by index, computed once by expanding each entry of
/// the lists (so a check is a lookup, not a glob against every entry).
fn table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![0u8; catalog().actions().len()];
        let mut mark = |pattern: &str, bit: u8| {
            for i in expand_pattern(pattern).indices() {
                if let Some(b) = t.get_mut(i) {
                    *b |= bit;
                }
            }
        };
        for a in DATA_EXFILTRATION {
            mark(a, EXFILTRATION_BIT);
        }
        for a in CREDENTIAL_EXPOSURE {
            mark(a, CREDENTIAL_BIT);
        }
        for a in ESCALATION_PATHS
            .iter()
            .flat_map(|p| p.requires.iter())
            .flat_map(|g| g.iter())
        {
            mark(a, ESCALATION_BIT);
        }
        t
    })
}

fn has(action: &str, bit: u8) -> bool {
    catalog()
        .action(action)
        .and_then(|a| table().get(a.index()))
        .is_some_and(|b| b & bit != 0)
}

/// `true` when the action reads data in bulk ([`DATA_EXFILTRATION`]).
pub fn is_data_exfiltration(action: &str) -> bool {
    has(action, EXFILTRATION_BIT)
}

/// `true` when the action exposes credentials ([`CREDENTIAL_EXPOSURE`]).
pub fn is_credential_exposure(action: &str) -> bool {
    has(action, CREDENTIAL_BIT)
}

/// `true` when the action is one of the privilege-escalation catalog's.
pub fn is_escalation_action(action: &str) -> bool {
    has(action, ESCALATION_BIT)
}

/// Every reason the action is sensitive, most serious first; empty when it is not.
pub fn sensitivity(action: &Action) -> Vec<Sensitivity> {
    let bits = table().get(action.index()).copied().unwrap_or(0);
    let mut out = Vec::new();
    if bits & ESCALATION_BIT != 0 {
        out.push(Sensitivity::PrivilegeEscalation);
    }
    if action.level == AccessLevel::PermissionsManagement {
        out.push(Sensitivity::PermissionsManagement);
    }
    if bits & CREDENTIAL_BIT != 0 {
        out.push(Sensitivity::CredentialExposure);
    }
    if bits & EXFILTRATION_BIT != 0 {
        out.push(Sensitivity::DataExfiltration);
    }
    out
}

/// How to order sensitive actions when a message can name only a few: the most serious class
/// first ([`sensitivity`]'s first), then, within it, the catalog order of escalation paths,
/// policy-writing before ACL, permission and grant actions (shorter names first), and list
/// order for the two classes above. `None` for actions that are not sensitive.
pub fn notability(action: &Action) -> Option<(Sensitivity, usize)> {
    let first = *sensitivity(action).first()?;
    let name = action.full_name.as_str();
    let position = |list: &[&str]| {
        list.iter()
            .position(|p| crate::pattern::action_matches(p, name))
            .unwrap_or(list.len())
    };
    let rank = match first {
        Sensitivity::PrivilegeEscalation => ESCALATION_PATHS
            .iter()
            .flat_map(|p| p.requires.iter())
            .flat_map(|g| g.iter())
            .position(|a| a.eq_ignore_ascii_case(name))
            .unwrap_or(usize::MAX),
        Sensitivity::PermissionsManagement => {
            // Writing a policy before removing one; among equals, the shorter (better
            // known) name first: `s3:PutBucketPolicy` before `s3:PutAccessPointPolicy`.
            let n = action.name();
            let word = ["Policy", "Acl", "Permission", "Grant", "PublicAccessBlock"]
                .iter()
                .position(|w| n.contains(w))
                .unwrap_or(9);
            let removing = ["Delete", "Remove", "Detach", "Revoke"]
                .iter()
                .any(|v| n.starts_with(v));
            (word * 2 + usize::from(removing)) * 256 + n.len()
        }
        Sensitivity::CredentialExposure => position(CREDENTIAL_EXPOSURE),
        Sensitivity::DataExfiltration => position(DATA_EXFILTRATION),
    };
    Some((first, rank))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for a in DATA_EXFILTRATION {
            assert!(!is_credential_exposure(a), "{a} is in both lists");
        }
        assert!(s("lambda:GetFunction").contains(&Sensitivity::CredentialExposure));
        assert!(s("s3:ListAllMyBuckets").is_empty());
        let rank = |n: &str| notability(c.action(n).unwrap());
        assert!(rank("iam:CreatePolicyVersion") < rank("iam:PassRole"));
        assert!(rank("s3:PutBucketPolicy") < rank("s3:BypassGovernanceRetention"));
        assert_eq!(rank("s3:ListAllMyBuckets"), None);
    }
}
