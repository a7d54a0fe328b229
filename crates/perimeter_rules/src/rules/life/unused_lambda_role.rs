//! ## What it does
//! Flags IAM roles that only AWS Lambda may assume (their trust policy names only
//! `lambda.amazonaws.com` or `edgelambda.amazonaws.com`) and that no function of the scanned
//! account uses.
//!
//! Roles are global while functions live in regions, so "unused" is only claimed when the scan
//! read every region enabled by default (`scan --aws --all-regions`, or every region of
//! [`DEFAULT_REGIONS`] named with `--region`): the finding is then **low**, or **medium** when
//! the role allows every action. After a partial scan the finding is **info** and names the
//! regions that were read, since a function elsewhere may still use the role. Silent on IaC
//! input, where a role may well be used by functions deployed from elsewhere.
//!
//! A role is used when a function's role (its ARN or name) names it; the rule compares role
//! names, which are unique in an account whatever their path.
//!
//! ## Why is this bad?
//! A role nobody runs with keeps its permissions and its trust in Lambda. Anyone allowed
//! `iam:PassRole` on it together with `lambda:CreateFunction` (a common pair in CI and developer
//! policies) can create a function with that role and act with its permissions: unused
//! privileged roles are ready-made privilege escalation targets, and nobody reviews them.
//!
//! ## Example
//! What the account holds (as perimeter's tests describe a live account):
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1, all-regions: true }
//! roles:
//!   - name: old-report-role
//!     trust: [lambda.amazonaws.com]
//! ```
//!
//! Use instead:
//! ```yaml
//! live: { account: "123456789012", region: eu-west-1, all-regions: true }
//! functions:
//!   - name: report
//!     runtime: python3.13
//!     role: report-role
//! roles:
//!   - name: report-role
//!     trust: [lambda.amazonaws.com]
//! ```
//!
//! ## Remediation
//! Check CloudTrail and IAM's "last used" information (`aws iam get-role --role-name NAME`,
//! `RoleLastUsed`) to confirm the role is unused, then detach its policies and delete it
//! (`aws iam delete-role`). Keep `iam:PassRole` grants scoped to the roles each pipeline
//! deploys.
//!
//! ## References
//! - CWE-250: Execution with Unnecessary Privileges
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_access-advisor.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html

use super::live;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, PrincipalKind, Role};

pub struct UnusedLambdaRole;

static META: RuleMeta = RuleMeta {
    code: "LIFE002",
    name: "unused-lambda-role",
    family: Family::Life,
    summary: "Role assumable by Lambda that no function of the account uses",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::Medium,
    confidence: Level::Medium,
    source: include_str!("unused_lambda_role.rs"),
};

const REMEDIATION: &str = "Confirm with IAM's last-used data that the role is unused, then detach its policies and delete it.";

/// The AWS commercial regions enabled by default in every account (opt-in regions excluded):
/// a scan that read all of them may call a role unused.
pub const DEFAULT_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "sa-east-1",
];

const LAMBDA_SERVICES: &[&str] = &["lambda.amazonaws.com", "edgelambda.amazonaws.com"];

/// `true` when the trust policy lets Lambda, and only Lambda, assume the role.
fn lambda_only(role: &Role) -> bool {
    let allows: Vec<_> = role.trust.iter().filter(|s| s.is_allow()).collect();
    let principals: Vec<_> = allows.iter().flat_map(|s| s.principals.iter()).collect();
    !principals.is_empty()
        && principals.iter().all(|p| {
            p.kind == PrincipalKind::Service
                && p.value
                    .as_str()
                    .is_some_and(|v| LAMBDA_SERVICES.contains(&v))
        })
        && allows.iter().all(|s| s.not_principals.is_empty())
}

/// The role name in an ARN (`arn:aws:iam::1:role/path/name`) or a plain name.
fn role_name(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn has_full_wildcard(role: &Role) -> bool {
    role.statements().any(|(_, s)| {
        s.is_allow()
            && s.known_actions().any(|a| a == "*")
            && s.resources.iter().any(|r| r.as_str() == Some("*"))
    })
}

impl Rule for UnusedLambdaRole {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        let Some(scope) = live(app) else {
            return;
        };
        let everywhere = DEFAULT_REGIONS
            .iter()
            .all(|r| scope.regions_scanned.iter().any(|s| s == r));
        for role in &app.roles {
            if !lambda_only(role) {
                continue;
            }
            let name = role_name(&role.id);
            let used = app
                .functions
                .iter()
                .any(|f| f.role.value.known().is_some_and(|r| role_name(r) == name));
            if used {
                continue;
            }
            let admin = has_full_wildcard(role);
            let (severity, scope_text) = if everywhere {
                (
                    if admin {
                        Severity::Medium
                    } else {
                        Severity::Low
                    },
                    format!("in any region of account {}", scope.account_id),
                )
            } else {
                let mut regions = scope.regions_scanned.clone();
                if regions.is_empty() {
                    regions.push(scope.region.clone());
                }
                (
                    Severity::Info,
                    format!(
                        "in the region(s) read ({}); other regions were not read and may use it (scan with --all-regions to be sure)",
                        regions.join(", ")
                    ),
                )
            };
            let admin_text = if admin {
                " It allows every action: anyone who may pass it to a new function gets administrator access."
            } else {
                ""
            };
            out.push(
                Finding::new(
                    &META,
                    &app.id,
                    None,
                    &role.id,
                    "unused-role",
                    format!(
                        "Role `{name}` can only be assumed by Lambda but no function uses it {scope_text}: it keeps its permissions for whoever may pass it to a new function.{admin_text} Delete it if it is no longer needed: `aws iam delete-role --role-name {name}` (after detaching its policies)."
                    ),
                    role.location.clone(),
                    REMEDIATION,
                )
                .with_severity(severity),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::life::testing::*;

    fn run(app: &App) -> Vec<Finding> {
        let mut out = Vec::new();
        UnusedLambdaRole.check(app, &mut out);
        out
    }

    #[test]
    fn unused_lambda_role_is_low_after_a_full_scan_and_info_after_a_partial_one() {
        let mut a = app(30, DEFAULT_REGIONS);
        a.roles.push(role("orphan", &["lambda.amazonaws.com"]));
        a.roles.push(role("used", &["lambda.amazonaws.com"]));
        a.roles.push(role("ecs", &["ecs-tasks.amazonaws.com"]));
        a.roles.push(role(
            "shared",
            &["lambda.amazonaws.com", "states.amazonaws.com"],
        ));
        a.functions.push(function("api", "used", Some(3)));
        let found = run(&a);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].resource, "orphan");
        assert_eq!(found[0].severity, Severity::Low);
        assert!(
            found[0]
                .message
                .contains("in any region of account 123456789012")
        );

        let mut partial = a.clone();
        partial.live.as_mut().unwrap().regions_scanned = vec![REGION.into()];
        let found = run(&partial);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
        assert!(
            found[0].message.contains("(eu-west-1)"),
            "{}",
            found[0].message
        );

        let mut iac = a.clone();
        iac.live = None;
        assert!(run(&iac).is_empty());
    }

    #[test]
    fn role_names_match_whatever_their_path() {
        let mut a = app(30, DEFAULT_REGIONS);
        a.roles
            .push(role("service-role/worker", &["lambda.amazonaws.com"]));
        a.functions.push(function("w", "service-role/worker", None));
        assert!(run(&a).is_empty());
    }
}
