//! ## What it does
//! Flags resource-based policies (on buckets, queues, topics, keys, secrets, streams, REST
//! APIs, and function permissions) whose Allow statements name a principal of another AWS
//! account: a literal account ID or an ARN in an account that is not the app's own (the
//! accounts its own ARNs name — function roles, destinations, environment values, the
//! resources of its roles' policies; principals written with `${AWS::AccountId}` are the
//! deploying account). Principals `*` are reported by AUTH003 and
//! the exposure rules, not here. The message names the account, the actions granted (with how
//! many real actions a wildcard covers) and whether conditions narrow it.
//!
//! ## Why is this bad?
//! A grant to another account is a trust relationship that outlives the code: whoever
//! controls that account (a partner, a vendor, a former team, or an attacker who took it over)
//! can read or change the resource with their own credentials, outside your logs' usual
//! principals. Account IDs hard-coded in templates are also copied between stacks and
//! forgotten; a wildcard action (`s3:*`) hands the other account administration of the
//! resource, policy included.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Resources:
//!   Reports:
//!     Type: AWS::S3::Bucket
//!   ReportsPolicy:
//!     Type: AWS::S3::BucketPolicy
//!     Properties:
//!       Bucket: !Ref Reports
//!       PolicyDocument:
//!         Statement:
//!           - Effect: Allow
//!             Principal:
//!               AWS: arn:aws:iam::111122223333:root
//!             Action: s3:*
//!             Resource: !Sub '${Reports.Arn}/*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Resources:
//!   Reports:
//!     Type: AWS::S3::Bucket
//!   ReportsPolicy:
//!     Type: AWS::S3::BucketPolicy
//!     Properties:
//!       Bucket: !Ref Reports
//!       PolicyDocument:
//!         Statement:
//!           - Effect: Allow
//!             Principal:
//!               AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:role/report-reader'
//!             Action: s3:GetObject
//!             Resource: !Sub '${Reports.Arn}/*'
//! ```
//!
//! ## Remediation
//! Confirm the other account must have access; grant it the fewest actions on the fewest
//! resources, name a role rather than the account root, and add conditions
//! (`aws:PrincipalOrgID`, `aws:SourceVpce`). Prefer sharing through AWS RAM or an
//! organization-scoped policy.
//!
//! ## References
//! - CWE-284: Improper Access Control
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html

use super::expansion_summary;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::has_wildcard;
use perimeter_model::{App, Location, PrincipalKind, Statement};
use std::collections::BTreeSet;

pub struct CrossAccountResourcePolicy;

static META: RuleMeta = RuleMeta {
    code: "IAM010",
    name: "iam-cross-account-resource-policy",
    family: Family::Iam,
    summary: "Resource policy grants access to another AWS account",
    severity: Severity::Medium,
    likelihood: Level::Low,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("cross_account_resource_policy.rs"),
};

const REMEDIATION: &str = "Confirm the other account needs access; grant it the fewest actions, name a role, and add aws:PrincipalOrgID or other conditions.";

/// The 12-digit account of a principal written as an account ID or an ARN with a literal
/// account (`arn:aws:iam::111122223333:root`); `None` for `*`, services and intrinsics.
fn account_of(principal: &str) -> Option<&str> {
    let p = principal.trim();
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if is_account(p) {
        return Some(p);
    }
    let rest = p.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, _service, _region) = (parts.next()?, parts.next()?, parts.next()?);
    let account = parts.next()?;
    is_account(account).then_some(account)
}

/// The account of a principal when it is not one of the app's own.
fn foreign<'p>(home: &BTreeSet<String>, principal: &'p str) -> Option<&'p str> {
    account_of(principal).filter(|a| !home.contains(*a))
}

/// Accounts the app lives in, as far as its own ARNs tell: function roles given by ARN, the
/// destinations and environment values of its functions, and the resources its roles'
/// policies name (identity policies name the account's own resources). Layers are left out:
/// they are often published by other accounts.
fn home_accounts(app: &App) -> BTreeSet<String> {
    let mut own: Vec<&str> = Vec::new();
    for f in &app.functions {
        own.extend(f.role.as_str());
        own.extend(f.environment.iter().filter_map(|e| e.value.as_str()));
        for d in [&f.dead_letter, &f.on_failure, &f.on_success]
            .into_iter()
            .flatten()
        {
            own.extend(d.as_str());
        }
    }
    for role in &app.roles {
        for policy in &role.policies {
            for s in &policy.statements {
                own.extend(s.known_resources());
            }
        }
    }
    own.into_iter()
        .filter_map(account_of)
        .map(str::to_string)
        .collect()
}

impl Rule for CrossAccountResourcePolicy {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        let home = home_accounts(app);
        for resource in &app.resources {
            let what = format!("policy of `{}` ({})", resource.id, resource.type_name);
            check_statements(
                &META,
                app,
                &resource.id,
                &what,
                &resource.policy,
                &home,
                out,
            );
        }
        for api in &app.apis {
            let what = format!("resource policy of API `{}`", api.id);
            check_statements(&META, app, &api.id, &what, &api.policy, &home, out);
        }
        for permission in &app.permissions {
            let Some(principal) = permission.principal.as_str() else {
                continue;
            };
            let Some(account) = foreign(&home, principal) else {
                continue;
            };
            let action = permission
                .action
                .as_str()
                .unwrap_or("lambda:InvokeFunction");
            let function = permission.function.as_str().and_then(|id| app.function(id));
            let target = function
                .map(|f| format!("function `{}`", f.id))
                .unwrap_or_else(|| "its function".to_string());
            out.push(Finding::new(
                &META,
                &app.id,
                function.map(|f| f.id.as_str()),
                &permission.id,
                account,
                format!(
                    "Permission `{}` lets AWS account `{account}` call `{action}` on {target}.",
                    permission.id
                ),
                permission.principal.location.clone(),
                REMEDIATION,
            ));
        }
    }
}

fn check_statements(
    meta: &RuleMeta,
    app: &App,
    resource_id: &str,
    what: &str,
    statements: &[Statement],
    home: &BTreeSet<String>,
    out: &mut Vec<Finding>,
) {
    for (index, statement) in statements.iter().enumerate() {
        if !statement.is_allow() {
            continue;
        }
        let mut seen = BTreeSet::new();
        for principal in &statement.principals {
            if principal.kind != PrincipalKind::Aws {
                continue;
            }
            let Some(account) = principal.value.as_str().and_then(|p| foreign(home, p)) else {
                continue;
            };
            if !seen.insert(account.to_string()) {
                continue;
            }
            let actions = describe_actions(statement);
            let narrowed = if statement.has_conditions() {
                " (narrowed by conditions)"
            } else {
                ""
            };
            let key = format!("{index}/{account}");
            out.push(Finding::new(
                meta,
                &app.id,
                None,
                resource_id,
                &key,
                format!("The {what} grants AWS account `{account}` {actions}{narrowed}."),
                location_of(principal.value.location.clone(), statement),
                REMEDIATION,
            ));
        }
    }
}

fn location_of(principal: Location, statement: &Statement) -> Location {
    if principal.line == 0 {
        statement.location.clone()
    } else {
        principal
    }
}

/// "`s3:GetObject`", "`s3:*` (170 actions, including sensitive …)", or "every action but …".
fn describe_actions(statement: &Statement) -> String {
    if !statement.not_actions.is_empty() {
        return "every action but its `NotAction` list".to_string();
    }
    let list: Vec<String> = statement
        .known_actions()
        .map(str::trim)
        .map(|a| {
            if has_wildcard(a) {
                format!("`{a}` ({})", expansion_summary(a))
            } else {
                format!("`{a}`")
            }
        })
        .collect();
    if list.is_empty() {
        "actions that could not be read".to_string()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::{Attr, Principal, Resource, ResourceKind};

    fn principal(v: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Aws,
            value: Attr::explicit(v.to_string(), loc(7)),
        }
    }

    #[test]
    fn accounts() {
        assert_eq!(account_of("111122223333"), Some("111122223333"));
        assert_eq!(
            account_of("arn:aws:iam::111122223333:root"),
            Some("111122223333")
        );
        assert_eq!(account_of("arn:aws:iam::${AWS::AccountId}:root"), None);
        assert_eq!(account_of("*"), None);
        assert_eq!(account_of("arn:aws:iam::*:root"), None);
    }

    #[test]
    fn foreign_accounts_fire_home_and_star_do_not() {
        let mut a = app();
        let mut f = function("Fn", "arn:aws:iam::999999999999:role/fn", 3);
        f.role = Attr::explicit("arn:aws:iam::999999999999:role/fn".into(), loc(4));
        a.functions.push(f);
        let mut bucket = Resource::new("Reports", ResourceKind::Bucket, "AWS::S3::Bucket", loc(5));
        let mut s = allow(&["s3:*"], &["arn:aws:s3:::r/*"], 6);
        s.principals = vec![
            principal("arn:aws:iam::111122223333:root"),
            principal("arn:aws:iam::999999999999:role/x"),
            principal("*"),
        ];
        bucket.policy.push(s);
        a.resources.push(bucket);
        let found = run(&CrossAccountResourcePolicy, &a);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("`111122223333`"));
        assert!(
            found[0].message.contains("`s3:*` ("),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].location.line, 7);
    }
}
