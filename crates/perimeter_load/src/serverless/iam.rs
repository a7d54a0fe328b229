//! Execution roles: the shared role the framework generates (`IamRoleLambdaExecution`),
//! per-function roles of the `serverless-iam-roles-per-function` plugin shape
//! (`{Fn}IamRoleLambdaExecution`), and existing roles named by `role:`.
//!
//! A generated role holds what the framework really puts in it: the author's statements, the
//! log-writing statements for the service's log groups, the read statements for the SQS and
//! stream event sources, X-Ray writes when tracing is on, and the VPC managed policy when a
//! function is in a VPC. Statement documents go through the CloudFormation loader's
//! [`parse_statements`] so intrinsics inside them are read the same way as in templates.

use super::read::Reader;
use super::resources;
use super::variables::unresolved_reason;
use crate::cloudformation::parse_statements;
use crate::doc::{Node, NodeKind};
use perimeter_model::{
    App, Attr, Location, Policy, PolicySource, Principal, PrincipalKind, Role, Statement, Value,
};

/// The shared role's logical ID.
pub const SHARED_ROLE: &str = "IamRoleLambdaExecution";
/// The managed policy the framework attaches when a function runs in a VPC.
pub const VPC_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

/// What the functions that share a generated role add to it.
#[derive(Default)]
pub struct RoleNeeds {
    pub vpc: bool,
    pub tracing: bool,
    /// Read permissions for SQS queues and streams that trigger the functions.
    pub event_statements: Vec<Statement>,
    /// Names of the functions' log groups (`/aws/lambda/{name}`).
    pub log_groups: Vec<Attr<String>>,
}

/// The statements of each statement list (a list, one statement, or a policy document).
/// A list (or a statement) that a variable left unresolved becomes one statement whose
/// effect and elements are unresolved, so rules know something is granted there.
pub fn statements(reader: &Reader, lists: &[&Node]) -> Vec<Statement> {
    let mut out = Vec::new();
    for list in lists {
        if let Some(reason) = unresolved_reason(list) {
            out.push(unresolved_statement(reason, reader.loc(list)));
            continue;
        }
        if !list.is_seq() {
            if list.is_map() {
                out.extend(parse_statements(reader.ctx, list));
            }
            continue;
        }
        let mut plain = Vec::new();
        for item in list.items() {
            match unresolved_reason(item) {
                Some(reason) => out.push(unresolved_statement(reason, reader.loc(item))),
                None => plain.push(item.clone()),
            }
        }
        if !plain.is_empty() {
            let seq = Node {
                kind: NodeKind::Seq(plain),
                line: list.line,
                column: list.column,
                tag: None,
            };
            out.extend(parse_statements(reader.ctx, &seq));
        }
    }
    out
}

/// A statement nothing is known about.
pub fn unresolved_statement(reason: &str, location: Location) -> Statement {
    let mut s = Statement::new(location.clone());
    s.effect = Value::Unresolved(reason.to_string());
    s.actions.push(Attr::unresolved(reason, location.clone()));
    s.resources.push(Attr::unresolved(reason, location));
    s
}

/// An `Allow` of `actions` on `resources`, written by the framework (defaulted values).
pub fn framework_statement(
    actions: &[&str],
    resources: Vec<Attr<String>>,
    location: &Location,
) -> Statement {
    let mut s = Statement::new(location.clone());
    s.actions = actions
        .iter()
        .map(|a| Attr::defaulted(a.to_string(), location.clone()))
        .collect();
    s.resources = resources;
    s
}

/// The log statements the framework grants on the service's log groups.
fn log_statements(needs: &RoleNeeds, location: &Location) -> Vec<Statement> {
    let group_arn = |suffix: &str| -> Vec<Attr<String>> {
        needs
            .log_groups
            .iter()
            .map(|g| match g.as_str() {
                Some(name) => Attr::defaulted(
                    format!(
                        "arn:aws:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{name}{suffix}"
                    ),
                    g.location.clone(),
                ),
                None => g.clone(),
            })
            .collect()
    };
    if needs.log_groups.is_empty() {
        return Vec::new();
    }
    vec![
        framework_statement(
            &[
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "logs:TagResource",
            ],
            group_arn(":*"),
            location,
        ),
        framework_statement(&["logs:PutLogEvents"], group_arn(":*:*"), location),
    ]
}

/// The trust policy of every Lambda execution role.
fn lambda_trust(location: &Location) -> Vec<Statement> {
    let mut s = Statement::new(location.clone());
    s.actions.push(Attr::defaulted(
        "sts:AssumeRole".to_string(),
        location.clone(),
    ));
    s.principals.push(Principal {
        kind: PrincipalKind::Service,
        value: Attr::defaulted("lambda.amazonaws.com".to_string(), location.clone()),
    });
    vec![s]
}

/// A role generated by the framework (or the per-function plugin).
pub fn generated_role(
    id: &str,
    policy_name: &str,
    location: &Location,
    authored: Vec<Statement>,
    managed: Vec<Attr<String>>,
    boundary: Option<Attr<String>>,
    needs: RoleNeeds,
) -> Role {
    let mut role = Role::new(id, location.clone(), true);
    let mut statements = log_statements(&needs, location);
    statements.extend(authored);
    statements.extend(needs.event_statements);
    if needs.tracing {
        statements.push(framework_statement(
            &["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            vec![Attr::defaulted("*".to_string(), location.clone())],
            location,
        ));
    }
    role.policies.push(Policy {
        name: policy_name.to_string(),
        source: PolicySource::Inline,
        location: location.clone(),
        statements,
    });
    role.managed_policy_arns = managed;
    if needs.vpc
        && !role
            .managed_policy_arns
            .iter()
            .any(|a| a.as_str() == Some(VPC_POLICY))
    {
        role.managed_policy_arns
            .push(Attr::defaulted(VPC_POLICY.to_string(), location.clone()));
    }
    role.trust = lambda_trust(location);
    role.permissions_boundary = boundary;
    role
}

/// Managed policy ARNs from lists of them.
pub fn managed_arns(reader: &Reader, lists: &[&Node]) -> Vec<Attr<String>> {
    lists.iter().flat_map(|l| reader.strings(l)).collect()
}

/// What a `role:` setting names: a role declared in `resources:` (by reference or logical
/// ID) gives its logical ID; a name or ARN stays as written.
pub fn role_value(reader: &Reader, app: &App, node: &Node) -> Attr<String> {
    if let Some(id) = resources::declared_target(reader, node) {
        return Attr::explicit(id, reader.loc(node));
    }
    // A plain logical ID (`role: MyRole`) or an ARN stays as written.
    let _ = app;
    reader.string(node)
}
