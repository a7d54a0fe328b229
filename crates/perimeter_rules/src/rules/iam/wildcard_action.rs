//! ## What it does
//! Flags Allow statements whose `Action` is `*` or a whole service (`s3:*`, `dynamodb:*`) on
//! specific resources, and partial wildcards (`iam:*Policy*`, `s3:Put*`) that reach
//! permissions-management or privilege-escalation actions. Each finding says how many real
//! actions the wildcard grants (from the embedded AWS action catalog) and names the first
//! sensitive ones. `*` on `Resource: "*"` is administrator access and is reported by IAM003
//! instead.
//!
//! ## Why is this bad?
//! A service wildcard grants every action of the service, today's and tomorrow's: `s3:*` on a
//! bucket includes `s3:PutBucketPolicy` (make the bucket public), `s3:DeleteBucket` and
//! `s3:PutLifecycleConfiguration` (expire every object). Whoever gets code execution in the
//! function (a vulnerable dependency, an injection) gets all of that instead of the two or
//! three calls the code makes. `iam:*` is administrator in one step and is reported as high.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Uploads:
//!     Type: AWS::S3::Bucket
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: s3:*
//!               Resource: !Sub '${Uploads.Arn}/*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Uploads:
//!     Type: AWS::S3::Bucket
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: [s3:GetObject, s3:PutObject]
//!               Resource: !Sub '${Uploads.Arn}/*'
//! ```
//!
//! ## Remediation
//! List the actions the code calls (`s3:GetObject`, `s3:PutObject`), or use a scoped SAM
//! policy template (`S3ReadPolicy`, `S3CrudPolicy`). IAM Access Analyzer can generate a
//! policy from CloudTrail activity.
//!
//! ## References
//! - CWE-250: Execution with Unnecessary Privileges
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
//! - https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html

use super::{allow_statements, describe_role, expansion_summary, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::{
    Sensitivity, expand_pattern, has_wildcard, is_full_wildcard, is_service_wildcard, sensitivity,
    service_of,
};
use perimeter_model::App;

pub struct WildcardAction;

static META: RuleMeta = RuleMeta {
    code: "IAM001",
    name: "iam-wildcard-action",
    family: Family::Iam,
    summary: "`*` or `service:*` action in an Allow statement",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("wildcard_action.rs"),
};

const REMEDIATION: &str = "List the actions the function calls instead of `service:*`, or use a scoped SAM policy template.";

/// Services whose wildcard is as good as administrator access.
const ADMIN_SERVICES: &[&str] = &["iam", "sts", "organizations"];

impl Rule for WildcardAction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            for site in allow_statements(role) {
                let statement = site.statement;
                let on_everything = statement.known_resources().any(|r| r.trim() == "*");
                for action in &statement.actions {
                    let Some(a) = action.as_str().map(str::trim) else {
                        continue;
                    };
                    let full = is_full_wildcard(a);
                    if full && on_everything {
                        continue;
                    }
                    let service = service_of(a).unwrap_or_default();
                    let (what, high) = if full {
                        ("every action of every service".to_string(), true)
                    } else if is_service_wildcard(a) {
                        (
                            format!("every `{service}` action"),
                            ADMIN_SERVICES.contains(&service.as_str()),
                        )
                    } else if has_wildcard(a) {
                        // A partial wildcard is reported only when it reaches actions that
                        // change who may do what.
                        let reach = partial_reach(a);
                        if reach.is_empty() {
                            continue;
                        }
                        let high = reach.contains(&Sensitivity::PrivilegeEscalation);
                        (
                            "a wildcard reaching permissions management".to_string(),
                            high,
                        )
                    } else {
                        continue;
                    };
                    let message = format!(
                        "{} allows `{a}` ({what}: {}) in policy `{}`.",
                        describe_role(app, role),
                        expansion_summary(a),
                        site.policy.name
                    );
                    let key = format!("{}/{}", site.key(), a.to_ascii_lowercase());
                    let severity = if high { Severity::High } else { META.severity };
                    out.push(
                        role_finding(
                            &META,
                            app,
                            role,
                            &key,
                            message,
                            action.location.clone(),
                            REMEDIATION,
                        )
                        .with_severity(severity),
                    );
                }
            }
        }
    }
}

/// The escalation and permissions-management classes a partial wildcard reaches.
fn partial_reach(pattern: &str) -> Vec<Sensitivity> {
    let mut out: Vec<Sensitivity> = expand_pattern(pattern)
        .actions()
        .flat_map(sensitivity)
        .filter(|s| {
            matches!(
                s,
                Sensitivity::PrivilegeEscalation | Sensitivity::PermissionsManagement
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::{Attr, PolicySource};

    #[test]
    fn service_wildcard_fires_once_per_action() {
        let app = app_with_role(role(
            "R",
            vec![allow(
                &["s3:*", "s3:GetObject", "sqs:*"],
                &["arn:aws:s3:::b/*"],
                5,
            )],
        ));
        let found = run(&WildcardAction, &app);
        assert_eq!(found.len(), 2);
        assert!(
            found[0].message.contains("`s3:*`")
                && found[0].message.contains("used by function `Fn`")
        );
        let n = perimeter_iam::catalog().count("s3:*");
        assert!(
            found[0]
                .message
                .contains(&format!("{n} actions, including sensitive `s3:")),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[0].function.as_deref(), Some("Fn"));
        assert_eq!(found[0].location.line, 5);
    }

    #[test]
    fn iam_wildcard_and_bare_star_on_scoped_resource_are_high() {
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["iam:*"], &["*"], 5),
                allow(&["*"], &["arn:aws:s3:::b"], 6),
            ],
        ));
        let found = run(&WildcardAction, &app);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.severity == Severity::High));
    }

    #[test]
    fn silent_on_admin_partial_wildcards_denies_and_unresolved() {
        let mut deny = allow(&["s3:*"], &["*"], 7);
        deny.effect = perimeter_model::Value::Known(perimeter_model::Effect::Deny);
        let mut unresolved = allow(&[], &["*"], 8);
        unresolved.actions.push(Attr::unresolved("Fn::If", loc(8)));
        let app = app_with_role(role(
            "R",
            vec![
                allow(&["*"], &["*"], 5),
                allow(&["s3:Get*", "dynamodb:*Item"], &["*"], 6),
                deny,
                unresolved,
            ],
        ));
        assert!(run(&WildcardAction, &app).is_empty());
    }

    #[test]
    fn partial_wildcards_reaching_permissions_management() {
        let app = app_with_role(role(
            "R",
            vec![allow(
                &["iam:*Policy*", "s3:Put*", "s3:Get*"],
                &["arn:aws:s3:::b"],
                5,
            )],
        ));
        let found = run(&WildcardAction, &app);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].message.contains("`iam:*Policy*`"));
        assert!(
            found[0].message.contains("`iam:PutRolePolicy`")
                || found[0].message.contains("`iam:AttachRolePolicy`"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].severity, Severity::High);
        assert!(found[1].message.contains("`s3:Put*`"));
        assert_eq!(found[1].severity, Severity::Medium);
    }

    #[test]
    fn aws_managed_content_is_not_judged() {
        let mut r = role("R", vec![]);
        r.policies[0].source = PolicySource::AwsManaged("AmazonS3FullAccess".into());
        r.policies[0].statements.push(allow(&["s3:*"], &["*"], 5));
        assert!(run(&WildcardAction, &app_with_role(r)).is_empty());
    }
}
