//! AWS managed policies that mean administrator or broad power, known by name.
//!
//! Until the managed-policy catalog lands, a role that attaches
//! `arn:aws:iam::aws:policy/AdministratorAccess` is judged by that name: `AdministratorAccess`
//! is `*` on `*`; `PowerUserAccess` is everything but IAM, Organizations and Account
//! (`NotAction`); `IAMFullAccess` is `iam:*`, which is administrator in one step (attach
//! `AdministratorAccess` to oneself); and the `…FullAccess` family is `service:*` on one
//! service. Every partition (`aws`, `aws-cn`, `aws-us-gov`) and the CloudFormation form
//! `arn:${AWS::Partition}:iam::aws:policy/…` are accepted, as are bare policy names (SAM's
//! `Policies: [AdministratorAccess]`).

use crate::pattern::{action_matches, service_of};

/// How much power an AWS managed policy grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedPolicyClass {
    /// `AdministratorAccess`: `*` on `*`.
    Admin,
    /// `PowerUserAccess`: every service except IAM, Organizations and Account.
    PowerUser,
    /// `IAMFullAccess`: `iam:*`, administrator in one step.
    IamFull,
    /// A `…FullAccess`-style policy: every action of one service (`None` when the service is
    /// not known to this table).
    ServiceFull(Option<&'static str>),
    /// Any other AWS managed policy.
    Other,
}

/// An AWS managed policy recognised from its ARN or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicyInfo {
    /// The policy name (`AdministratorAccess`).
    pub name: String,
    /// The path between `policy/` and the name (`service-role/`, `job-function/`, or empty).
    pub path: String,
    pub class: ManagedPolicyClass,
}

/// `…FullAccess` policies (and a few equally broad ones) and the service they open fully.
const SERVICE_FULL: &[(&str, &str)] = &[
    ("AmazonS3FullAccess", "s3"),
    ("AmazonDynamoDBFullAccess", "dynamodb"),
    ("AmazonDynamoDBFullAccess_v2", "dynamodb"),
    ("AmazonSQSFullAccess", "sqs"),
    ("AmazonSNSFullAccess", "sns"),
    ("AWSLambda_FullAccess", "lambda"),
    ("AWSLambdaFullAccess", "lambda"),
    ("AmazonKinesisFullAccess", "kinesis"),
    ("AmazonKinesisFirehoseFullAccess", "firehose"),
    ("AmazonAPIGatewayAdministrator", "apigateway"),
    ("CloudWatchFullAccess", "cloudwatch"),
    ("CloudWatchFullAccessV2", "cloudwatch"),
    ("CloudWatchLogsFullAccess", "logs"),
    ("AmazonEC2FullAccess", "ec2"),
    ("AWSStepFunctionsFullAccess", "states"),
    ("SecretsManagerReadWrite", "secretsmanager"),
    ("AmazonSSMFullAccess", "ssm"),
    ("AWSKeyManagementServicePowerUser", "kms"),
    ("AmazonEventBridgeFullAccess", "events"),
    ("CloudWatchEventsFullAccess", "events"),
    ("AmazonCognitoPowerUser", "cognito-idp"),
    ("AmazonRDSFullAccess", "rds"),
    ("AmazonRDSDataFullAccess", "rds-data"),
    ("AWSXrayFullAccess", "xray"),
    ("AmazonSESFullAccess", "ses"),
    ("AmazonAthenaFullAccess", "athena"),
    ("AWSGlueConsoleFullAccess", "glue"),
    ("AmazonElastiCacheFullAccess", "elasticache"),
    ("AWSCloudFormationFullAccess", "cloudformation"),
    ("AmazonSageMakerFullAccess", "sagemaker"),
    ("AmazonECS_FullAccess", "ecs"),
    ("AmazonEC2ContainerRegistryFullAccess", "ecr"),
    ("AWSCodeCommitFullAccess", "codecommit"),
    ("AWSCodeBuildAdminAccess", "codebuild"),
    ("AmazonRoute53FullAccess", "route53"),
    ("AmazonOpenSearchServiceFullAccess", "es"),
    ("AmazonESFullAccess", "es"),
    ("AmazonBedrockFullAccess", "bedrock"),
    ("AmazonVPCFullAccess", "ec2"),
    ("AWSAppSyncAdministrator", "appsync"),
];

/// IAM and friends actions that `PowerUserAccess` grants despite its `NotAction`.
const POWER_USER_EXTRAS: &[&str] = &[
    "iam:CreateServiceLinkedRole",
    "iam:DeleteServiceLinkedRole",
    "iam:ListRoles",
    "organizations:DescribeOrganization",
    "account:ListRegions",
    "account:GetAccountInformation",
];

/// Recognises an AWS managed policy from its ARN (`arn:aws:iam::aws:policy/…`, any partition,
/// also `arn:${AWS::Partition}:…`) or its bare name. `None` for customer managed policy ARNs
/// (`arn:aws:iam::123456789012:policy/…`), intrinsics and other strings.
pub fn classify_managed_policy(arn_or_name: &str) -> Option<ManagedPolicyInfo> {
    let s = arn_or_name.trim();
    let (path, name) = if let Some(rest) = s.strip_prefix("arn:") {
        // Partition: `aws`, `aws-cn`, `aws-us-gov`, or `${AWS::Partition}`.
        let after_partition = if let Some(r) = rest.strip_prefix("${AWS::Partition}") {
            r
        } else {
            let end = rest.find(':')?;
            let partition = &rest[..end];
            if !partition.starts_with("aws") {
                return None;
            }
            &rest[end..]
        };
        let full = after_partition.strip_prefix(":iam::aws:policy/")?;
        match full.rfind('/') {
            Some(i) => (full[..=i].to_string(), full[i + 1..].to_string()),
            None => (String::new(), full.to_string()),
        }
    } else {
        let valid = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if !valid {
            return None;
        }
        (String::new(), s.to_string())
    };
    if name.is_empty() {
        return None;
    }
    let class = class_of(&name);
    Some(ManagedPolicyInfo { name, path, class })
}

fn class_of(name: &str) -> ManagedPolicyClass {
    match name {
        "AdministratorAccess" => ManagedPolicyClass::Admin,
        "PowerUserAccess" => ManagedPolicyClass::PowerUser,
        "IAMFullAccess" => ManagedPolicyClass::IamFull,
        _ => {
            if let Some((_, service)) = SERVICE_FULL
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                ManagedPolicyClass::ServiceFull(Some(service))
            } else if name.ends_with("FullAccess") || name.starts_with("AdministratorAccess-") {
                ManagedPolicyClass::ServiceFull(None)
            } else {
                ManagedPolicyClass::Other
            }
        }
    }
}

impl ManagedPolicyInfo {
    /// `true` when the policy is known to grant `action` (on every resource). Policies of
    /// unknown content answer `false`.
    pub fn allows(&self, action: &str) -> bool {
        match &self.class {
            ManagedPolicyClass::Admin => true,
            ManagedPolicyClass::PowerUser => {
                let service = service_of(action).unwrap_or_default();
                !matches!(service.as_str(), "iam" | "organizations" | "account")
                    || POWER_USER_EXTRAS.iter().any(|a| action_matches(a, action))
            }
            ManagedPolicyClass::IamFull => service_of(action).as_deref() == Some("iam"),
            ManagedPolicyClass::ServiceFull(Some(service)) => {
                service_of(action).as_deref() == Some(*service)
            }
            ManagedPolicyClass::ServiceFull(None) | ManagedPolicyClass::Other => false,
        }
    }

    /// `true` for administrator-equivalent policies (Admin, PowerUser, IAMFullAccess).
    pub fn is_admin_like(&self) -> bool {
        matches!(
            self.class,
            ManagedPolicyClass::Admin | ManagedPolicyClass::PowerUser | ManagedPolicyClass::IamFull
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_of_every_form() {
        let admin = classify_managed_policy("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(admin.class, ManagedPolicyClass::Admin);
        assert_eq!(admin.name, "AdministratorAccess");
        let sub = classify_managed_policy("arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess")
            .unwrap();
        assert_eq!(sub.class, ManagedPolicyClass::PowerUser);
        let gov = classify_managed_policy("arn:aws-us-gov:iam::aws:policy/IAMFullAccess").unwrap();
        assert_eq!(gov.class, ManagedPolicyClass::IamFull);
        let basic = classify_managed_policy(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        )
        .unwrap();
        assert_eq!(basic.class, ManagedPolicyClass::Other);
        assert_eq!(basic.path, "service-role/");
        let s3 = classify_managed_policy("AmazonS3FullAccess").unwrap();
        assert_eq!(s3.class, ManagedPolicyClass::ServiceFull(Some("s3")));
        let unknown =
            classify_managed_policy("arn:aws:iam::aws:policy/AmazonFooFullAccess").unwrap();
        assert_eq!(unknown.class, ManagedPolicyClass::ServiceFull(None));
    }

    #[test]
    fn not_aws_managed() {
        assert_eq!(
            classify_managed_policy("arn:aws:iam::123456789012:policy/AdministratorAccess"),
            None
        );
        assert_eq!(classify_managed_policy("arn:aws:s3:::bucket"), None);
        assert_eq!(classify_managed_policy("${self:custom.policy}"), None);
        assert_eq!(classify_managed_policy(""), None);
    }

    #[test]
    fn what_they_allow() {
        let power = classify_managed_policy("PowerUserAccess").unwrap();
        assert!(power.allows("s3:DeleteBucket"));
        assert!(!power.allows("iam:PutRolePolicy"));
        assert!(power.allows("iam:CreateServiceLinkedRole"));
        let iam = classify_managed_policy("IAMFullAccess").unwrap();
        assert!(iam.allows("iam:AttachRolePolicy") && !iam.allows("s3:GetObject"));
        assert!(iam.is_admin_like());
        let lambda = classify_managed_policy("AWSLambda_FullAccess").unwrap();
        assert!(lambda.allows("lambda:UpdateFunctionCode") && !lambda.is_admin_like());
    }
}
