//! ## What it does
//! Flags execution roles that may read stored data of every resource of a kind: actions of the
//! data-exfiltration class (`s3:GetObject`, `dynamodb:Scan`, `dynamodb:Query`, `kms:Decrypt`,
//! `sqs:ReceiveMessage`, `rds-data:ExecuteStatement`, snapshot sharing, …) allowed without
//! conditions on `Resource: "*"`, whether written in the template or granted by an attached
//! AWS managed policy (expanded from the embedded managed-policy data). Secrets and
//! parameters are credentials and reported by IAM008; administrator roles by IAM003.
//!
//! ## Why is this bad?
//! A function needs the data of the few tables and buckets it works on. With a read action on
//! `*`, code injected into the function (a vulnerable dependency, an injection in the handler)
//! can read every bucket, table and queue in the account, including those of other
//! applications, and decrypt with every key: one compromised function becomes a breach of
//! all stored data.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::DynamoDB::Table
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: [dynamodb:Query, dynamodb:Scan]
//!               Resource: '*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::DynamoDB::Table
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: [dynamodb:Query]
//!               Resource: !GetAtt Orders.Arn
//! ```
//!
//! ## Remediation
//! Name the resources the function reads (`!GetAtt Table.Arn`, `!Sub '${Bucket.Arn}/*'`), or
//! use a scoped SAM policy template (`DynamoDBReadPolicy`, `S3ReadPolicy`). For `kms:Decrypt`,
//! name the key or add a `kms:ViaService` condition.
//!
//! ## References
//! - CWE-732: Incorrect Permission Assignment for Critical Resource
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
//! - https://github.com/salesforce/cloudsplaining (data exfiltration actions)

use super::{broad_grants, describe_role, grants_finding, name_grants};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{EffectivePermissions, is_data_exfiltration};
use perimeter_model::App;

pub struct DataExfiltration;

static META: RuleMeta = RuleMeta {
    code: "IAM007",
    name: "iam-data-exfiltration",
    family: Family::Iam,
    summary: "Execution role may read data of every resource (`Resource: \"*\"`)",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("data_exfiltration.rs"),
};

const REMEDIATION: &str = "Scope data-reading actions to the ARNs of the tables, buckets, queues and keys the function uses.";

/// How many actions a message names before "and N more".
const NAMED: usize = 4;

impl Rule for DataExfiltration {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            let perms = EffectivePermissions::of_role(role);
            let grants = broad_grants(&perms, is_data_exfiltration);
            let message = format!(
                "{} may read data of every resource: {} allowed on `*`.",
                describe_role(app, role),
                name_grants(&grants, NAMED)
            );
            out.extend(grants_finding(
                &META,
                app,
                role,
                message,
                &grants,
                |g| {
                    format!(
                        "`{}` on `*` by policy `{}`",
                        g.action.full_name,
                        g.policy_name()
                    )
                },
                REMEDIATION,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::Attr;

    #[test]
    fn reads_on_star_fire_once_per_role() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["s3:GetObject"], &["*"], 5),
                allow(&["dynamodb:Scan", "dynamodb:PutItem"], &["*"], 6),
                allow(&["sqs:ReceiveMessage"], &["arn:aws:sqs:us-east-1:1:q"], 7),
            ],
        ));
        let found = run(&DataExfiltration, &app);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("`dynamodb:Scan` (policy `inline`)")
                && found[0].message.contains("`s3:GetObject`")
                && !found[0].message.contains("ReceiveMessage"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].location.line, 6);
    }

    #[test]
    fn managed_policies_count_and_admins_are_iam003s() {
        let mut r = role("R", vec![]);
        r.managed_policy_arns.push(Attr::explicit(
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into(),
            loc(9),
        ));
        let found = run(&DataExfiltration, &app_with_role(r));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("AmazonS3ReadOnlyAccess"));
        assert_eq!(found[0].location.line, 9);
        let admin = role("R", vec![allow(&["*"], &["*"], 5)]);
        assert!(run(&DataExfiltration, &app_with_role(admin)).is_empty());
    }
}
