//! IAM rules: what a function's execution role allows.
//!
//! The rules read the roles declared in the app (inline policies, customer managed policies,
//! expanded SAM policy templates, and AWS managed policies by ARN) through `perimeter_iam`.
//! Statements of AWS managed policies whose content a loader expanded are not judged one by
//! one: AWS wrote them, and [`admin_access`] reports the managed policy by name instead.
//!
//! The rules share one walk over a role's judged Allow statements ([`allow_statements`]) and
//! one way to report on a role ([`role_finding`], [`describe_role`]), so every IAM finding is
//! keyed, attributed and worded about its role the same way.

mod admin_access;
mod allow_not_action;
mod credential_exposure;
mod cross_account_resource_policy;
mod data_exfiltration;
mod granted_unused;
mod over_privileged_binding;
mod privilege_escalation;
mod shared_role;
mod unknown_action;
mod wildcard_action;
mod wildcard_resource_on_write;

#[cfg(test)]
pub(crate) mod testkit;

use crate::{Finding, Rule, RuleMeta};
use perimeter_model::{App, Location, Policy, PolicySource, Role, Statement};

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &wildcard_action::WildcardAction,
        &wildcard_resource_on_write::WildcardResourceOnWrite,
        &admin_access::AdminAccess,
        &allow_not_action::AllowNotAction,
        &shared_role::SharedRole,
        &privilege_escalation::PrivilegeEscalation,
        &data_exfiltration::DataExfiltration,
        &credential_exposure::CredentialExposure,
        &unknown_action::UnknownAction,
        &cross_account_resource_policy::CrossAccountResourcePolicy,
        &granted_unused::GrantedUnused,
        &over_privileged_binding::OverPrivilegedBinding,
    ]
}

/// Actions that are harmless enough on `Resource: "*"` (or only support `*`): writing the
/// function's own logs, traces and metrics, and the network interfaces of a VPC function.
/// Entries may be service wildcards (`xray:*`).
pub(crate) const LOW_IMPACT_ACTIONS: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:TagResource",
    "logs:TagLogGroup",
    "xray:*",
    "cloudwatch:PutMetricData",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DetachNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "secretsmanager:GetRandomPassword",
    // Vended log delivery (Step Functions, EventBridge Pipes, API Gateway logging): these
    // actions only support `*`, and AWS's own setup guides grant exactly this list.
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "kms:CreateKey",
    "codepipeline:PutJobSuccessResult",
    "codepipeline:PutJobFailureResult",
];

/// AWS managed policies a basic execution role carries; sharing a role made only of these
/// (and low-impact statements) shares nothing worth reporting.
pub(crate) const BASIC_MANAGED_POLICIES: &[&str] = &[
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaENIManagementAccess",
    "AWSXRayDaemonWriteAccess",
    "AWSXrayWriteOnlyAccess",
    "CloudWatchLambdaInsightsExecutionRolePolicy",
    "AWSLambdaBasicExecutionRole-Default",
];

/// `true` when the written action (possibly a pattern) is within [`LOW_IMPACT_ACTIONS`].
pub(crate) fn is_low_impact(action: &str) -> bool {
    LOW_IMPACT_ACTIONS
        .iter()
        .any(|entry| perimeter_iam::action_matches(entry, action))
}

/// How many sensitive actions a wildcard message names before "and N more".
const SENSITIVE_NAMED: usize = 3;

/// What a written action pattern really grants, from the catalog: "42 actions, including
/// sensitive `s3:PutBucketPolicy`, `s3:PutBucketAcl`, `s3:PutObjectAcl` and 9 more", or
/// "42 actions" when none is sensitive. Escalation actions are named first, then permissions
/// management, credential exposure and data exfiltration.
pub(crate) fn expansion_summary(pattern: &str) -> String {
    let set = perimeter_iam::expand_pattern(pattern);
    let mut sensitive: Vec<((perimeter_iam::Sensitivity, usize), &str)> = set
        .actions()
        .filter_map(|a| perimeter_iam::notability(a).map(|n| (n, a.full_name.as_str())))
        .collect();
    sensitive.sort();
    let count = thousands(set.len());
    let noun = if set.len() == 1 { "action" } else { "actions" };
    if sensitive.is_empty() {
        return format!("{count} {noun}");
    }
    let mut named = sensitive
        .iter()
        .take(SENSITIVE_NAMED)
        .map(|(_, a)| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if sensitive.len() > SENSITIVE_NAMED {
        named.push_str(&format!(" and {} more", sensitive.len() - SENSITIVE_NAMED));
    }
    format!("{count} {noun}, including sensitive {named}")
}

/// AWS managed policies Lambda documents for reading an event source (queue, stream,
/// Kafka): they grant the poller's read actions on `*` and cannot be scoped, so the data rules
/// leave them to IAM001's advice rather than report the documented setup.
pub(crate) const EVENT_SOURCE_MANAGED_POLICIES: &[&str] = &[
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaMSKExecutionRole",
    "AWSLambdaInvocation-DynamoDB",
];

/// The allowed actions of `perms` that `wanted` selects, each with its first unconditional
/// grant on every resource (`*`, or `NotResource`), in catalog order; grants of the
/// [`EVENT_SOURCE_MANAGED_POLICIES`] do not count. Administrator roles (IAM003's) give
/// nothing: every action would be listed.
pub(crate) fn broad_grants<'a>(
    perms: &perimeter_iam::EffectivePermissions<'a>,
    wanted: impl Fn(&str) -> bool,
) -> Vec<perimeter_iam::Grant<'a>> {
    if perms.admin_grant().is_some() || perms.managed.iter().any(|(_, m)| m.is_admin_like()) {
        return Vec::new();
    }
    perms
        .allowed_actions()
        .filter(|a| wanted(&a.full_name))
        .filter_map(|a| {
            perms.grants_for(&a.full_name).into_iter().find(|g| {
                let event_source = g.attached_by.is_some()
                    && EVENT_SOURCE_MANAGED_POLICIES.contains(&g.policy_name());
                !event_source
                    && !g.conditional
                    && matches!(
                        g.resources,
                        perimeter_iam::ResourceScope::Any | perimeter_iam::ResourceScope::AllBut(_)
                    )
            })
        })
        .collect()
}

/// "`s3:GetObject` (policy `p`), `dynamodb:Scan` (policy `q`) and 3 more".
pub(crate) fn name_grants(grants: &[perimeter_iam::Grant<'_>], named: usize) -> String {
    let mut text = grants
        .iter()
        .take(named)
        .map(|g| format!("`{}` (policy `{}`)", g.action.full_name, g.policy_name()))
        .collect::<Vec<_>>()
        .join(", ");
    if grants.len() > named {
        text.push_str(&format!(" and {} more", grants.len() - named));
    }
    text
}

/// `22321` → `22,321`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Policies whose statements the IAM rules judge one by one (not AWS managed ones).
fn judged_policies(role: &Role) -> impl Iterator<Item = &Policy> {
    role.policies
        .iter()
        .filter(|p| !matches!(p.source, PolicySource::AwsManaged(_)))
}

/// An Allow statement of a policy the IAM rules judge, with where it stands in the role.
#[derive(Clone, Copy)]
pub(crate) struct AllowStatement<'a> {
    pub policy: &'a Policy,
    /// Position of the statement in its policy.
    pub index: usize,
    pub statement: &'a Statement,
}

impl AllowStatement<'_> {
    /// The statement's stable finding key ([`statement_key`]).
    pub fn key(&self) -> String {
        statement_key(self.policy, self.index, self.statement)
    }
}

/// The Allow statements of the policies of `role` that the IAM rules judge, in policy and
/// statement order: the walk IAM001-IAM004 each start from.
pub(crate) fn allow_statements(role: &Role) -> impl Iterator<Item = AllowStatement<'_>> {
    judged_policies(role).flat_map(|policy| {
        policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, statement)| statement.is_allow())
            .map(move |(index, statement)| AllowStatement {
                policy,
                index,
                statement,
            })
    })
}

/// A finding of `meta` on `role`: attributed to the function that runs with the role when
/// exactly one does, so a role shared by several functions is reported once, not once each.
pub(crate) fn role_finding(
    meta: &RuleMeta,
    app: &App,
    role: &Role,
    key: &str,
    message: String,
    location: Location,
    remediation: &'static str,
) -> Finding {
    Finding::new(
        meta,
        &app.id,
        sole_user(app, role),
        &role.id,
        key,
        message,
        location,
        remediation,
    )
}

/// A role finding about a set of grants: at the first grant's statement, with every grant as
/// a related location labelled by `related`. `None` when there is no grant.
pub(crate) fn grants_finding(
    meta: &RuleMeta,
    app: &App,
    role: &Role,
    message: String,
    grants: &[perimeter_iam::Grant<'_>],
    related: impl Fn(&perimeter_iam::Grant<'_>) -> String,
    remediation: &'static str,
) -> Option<Finding> {
    let first = grants.first()?;
    let finding = role_finding(
        meta,
        app,
        role,
        &role.id,
        message,
        first.location().clone(),
        remediation,
    );
    Some(grants.iter().fold(finding, |f, g| {
        f.with_related(related(g), g.location().clone())
    }))
}

/// A stable key for a statement: policy name and `Sid`, else its position.
fn statement_key(policy: &Policy, index: usize, statement: &Statement) -> String {
    match &statement.sid {
        Some(sid) => format!("{}/{}", policy.name, sid),
        None => format!("{}/{}", policy.name, index),
    }
}

/// The functions of `app` that run with `role`, by id.
fn users_of<'a>(app: &'a App, role: &'a Role) -> Vec<&'a perimeter_model::Function> {
    app.functions_with_role(&role.id).collect()
}

/// The function a role finding belongs to: the one function using the role, if exactly one.
fn sole_user<'a>(app: &'a App, role: &'a Role) -> Option<&'a str> {
    let users = users_of(app, role);
    match users.as_slice() {
        [only] => Some(only.id.as_str()),
        _ => None,
    }
}

/// "role `R` (used by `F`)" / "role `R` (used by 3 functions)" / "role `R`".
pub(crate) fn describe_role(app: &App, role: &Role) -> String {
    let users = users_of(app, role);
    match users.as_slice() {
        [] => format!("role `{}`", role.id),
        [only] => format!("role `{}` (used by function `{}`)", role.id, only.id),
        many => format!("role `{}` (used by {} functions)", role.id, many.len()),
    }
}
