//! Data reach: which data stores a function's role can read or change.
//!
//! Read from the role's Allow statements (inline, customer-managed and expanded SAM policy
//! templates) and from the names of AWS managed policies. A statement reaches a declared store
//! when one of its resources names it (`${Table.Arn}`, `arn:…:table/${Table}`, …) and reaches
//! every store of a service when its resource is `*`. Explicit denies and conditions are not
//! subtracted here: this is the scorer's estimate of blast radius, the IAM engine does the
//! precise evaluation.

use perimeter_model::{App, Function, ResourceKind, Statement};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
}

/// One data store (or every store of a service) a function can reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// A declared resource id, or `all S3 buckets`-style text for wildcard resources.
    pub target: String,
    pub access: Access,
}

/// Services that hold data, with the resource kind they store and a plural for wildcards.
const DATA_SERVICES: &[(&str, ResourceKind, &str)] = &[
    ("s3", ResourceKind::Bucket, "S3 buckets"),
    ("dynamodb", ResourceKind::Table, "DynamoDB tables"),
    ("secretsmanager", ResourceKind::Secret, "secrets"),
    ("ssm", ResourceKind::Parameter, "SSM parameters"),
    ("kms", ResourceKind::Key, "KMS keys"),
    ("rds", ResourceKind::Database, "RDS databases"),
    ("rds-data", ResourceKind::Database, "RDS databases"),
    ("kinesis", ResourceKind::Stream, "Kinesis streams"),
];

/// AWS managed policies (by name fragment) that grant data access, per service.
const MANAGED: &[(&str, &str, Access)] = &[
    ("AdministratorAccess", "*", Access::Write),
    ("PowerUserAccess", "*", Access::Write),
    ("AmazonS3FullAccess", "s3", Access::Write),
    ("AmazonS3ReadOnlyAccess", "s3", Access::Read),
    ("AmazonDynamoDBFullAccess", "dynamodb", Access::Write),
    ("AmazonDynamoDBReadOnlyAccess", "dynamodb", Access::Read),
    ("SecretsManagerReadWrite", "secretsmanager", Access::Write),
    ("AmazonSSMFullAccess", "ssm", Access::Write),
    ("AmazonSSMReadOnlyAccess", "ssm", Access::Read),
    ("AmazonRDSFullAccess", "rds", Access::Write),
    ("AmazonRDSDataFullAccess", "rds-data", Access::Write),
    ("AmazonKinesisFullAccess", "kinesis", Access::Write),
];

/// Every data store `function` can reach, strongest access per target, sorted.
pub fn data_reach(app: &App, function: &Function) -> Vec<Reach> {
    let mut out: Vec<Reach> = Vec::new();
    let mut add = |target: String, access: Access| match out.iter_mut().find(|r| r.target == target)
    {
        Some(existing) => existing.access = existing.access.max(access),
        None => out.push(Reach { target, access }),
    };
    let Some(role) = app.role_of(function) else {
        return Vec::new();
    };

    for (_, statement) in role.statements() {
        if !statement.is_allow() || !statement.not_actions.is_empty() {
            continue;
        }
        for (service, kind, plural) in DATA_SERVICES {
            let Some(access) = statement_access(statement, service) else {
                continue;
            };
            for resource in statement.known_resources() {
                if resource == "*" || resource.starts_with(&format!("arn:aws:{service}:*")) {
                    add(format!("all {plural}"), access);
                    continue;
                }
                for store in app.resources.iter().filter(|r| r.kind == *kind) {
                    if names_resource(resource, &store.id) {
                        add(store.id.clone(), access);
                    }
                }
            }
        }
    }
    for arn in role.managed_policy_arns.iter().filter_map(|a| a.as_str()) {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        for (policy, service, access) in MANAGED {
            if name == *policy {
                let target = match DATA_SERVICES.iter().find(|(s, _, _)| s == service) {
                    Some((_, _, plural)) => format!("all {plural}"),
                    None => "every data store".to_string(),
                };
                add(target, *access);
            }
        }
    }
    out.sort_by(|a, b| {
        b.access
            .cmp(&a.access)
            .then_with(|| a.target.cmp(&b.target))
    });
    out
}

/// The strongest access `statement` grants on `service`, if any.
fn statement_access(statement: &Statement, service: &str) -> Option<Access> {
    let mut best = None;
    for action in statement.known_actions() {
        let (svc, verb) = match action.split_once(':') {
            Some((s, v)) => (s.to_ascii_lowercase(), v.to_ascii_lowercase()),
            None if action == "*" => ("*".to_string(), "*".to_string()),
            None => continue,
        };
        if svc != service && svc != "*" {
            continue;
        }
        let access = if verb.starts_with("get")
            || verb.starts_with("list")
            || verb.starts_with("describe")
            || verb.starts_with("batchget")
            || verb.starts_with("query")
            || verb.starts_with("scan")
            || verb.starts_with("decrypt")
            || verb.starts_with("select")
        {
            Access::Read
        } else {
            Access::Write
        };
        best = best.max(Some(access));
    }
    best
}

/// `true` when an ARN-ish resource string names the declared resource `id` (`${Id}`,
/// `${Id.Arn}`, or `${Id}/*`).
fn names_resource(resource: &str, id: &str) -> bool {
    resource.contains(&format!("${{{id}}}")) || resource.contains(&format!("${{{id}."))
}
