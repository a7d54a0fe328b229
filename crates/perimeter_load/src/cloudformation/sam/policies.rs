//! SAM function `Policies`: AWS managed policy names and ARNs, inline documents, and SAM
//! policy templates expanded from the translator's own template list (embedded data, see
//! `README.md` next to this file), with their parameters substituted.

use crate::cloudformation::context::Context;
use crate::cloudformation::parse_statements;
use crate::doc::{Node, NodeKind, parse_json};
use perimeter_model::{Attr, Policy, PolicySource, Role};
use std::sync::OnceLock;

const TEMPLATES_JSON: &str = include_str!("policy_templates.json");

/// The policy templates, parsed once.
fn templates() -> Option<&'static Node> {
    static TEMPLATES: OnceLock<Option<Node>> = OnceLock::new();
    TEMPLATES
        .get_or_init(|| {
            parse_json(TEMPLATES_JSON)
                .ok()
                .flatten()
                .and_then(|d| d.get("Templates").cloned())
        })
        .as_ref()
}

/// `true` when `name` is a SAM policy template.
#[cfg(test)]
fn is_template(name: &str) -> bool {
    templates().is_some_and(|t| t.get(name).is_some())
}

/// AWS managed policies that live under a path, as the translator's policy map names them.
const PATHED: &[(&str, &str)] = &[
    ("AWSLambdaBasicExecutionRole", "service-role/"),
    ("AWSLambdaBasicDurableExecutionRolePolicy", "service-role/"),
    ("AWSLambdaVPCAccessExecutionRole", "service-role/"),
    ("AWSLambdaKinesisExecutionRole", "service-role/"),
    ("AWSLambdaDynamoDBExecutionRole", "service-role/"),
    ("AWSLambdaSQSQueueExecutionRole", "service-role/"),
    ("AWSLambdaMSKExecutionRole", "service-role/"),
    ("AWSLambdaRole", "service-role/"),
    ("AWSLambdaENIManagementAccess", "service-role/"),
    ("AWSCodeDeployRoleForLambda", "service-role/"),
    ("AWSCodeDeployRole", "service-role/"),
    ("AmazonAPIGatewayPushToCloudWatchLogs", "service-role/"),
    ("AWSAppSyncPushToCloudWatchLogs", "service-role/"),
    ("AWSConfigRulesExecutionRole", "service-role/"),
    ("AWSIoTRuleActions", "service-role/"),
    ("AWSIoTLogging", "service-role/"),
    ("AmazonS3ObjectLambdaExecutionRolePolicy", "service-role/"),
    ("AmazonECSTaskExecutionRolePolicy", "service-role/"),
    ("AWSGlueServiceRole", "service-role/"),
    ("AWSBatchServiceRole", "service-role/"),
    ("AmazonSSMAutomationRole", "service-role/"),
    ("ViewOnlyAccess", "job-function/"),
    ("DataScientist", "job-function/"),
    ("DatabaseAdministrator", "job-function/"),
    ("NetworkAdministrator", "job-function/"),
    ("SystemAdministrator", "job-function/"),
    ("SupportUser", "job-function/"),
    ("Billing", "job-function/"),
];

/// The ARN of an AWS managed policy named `name` (a name that is already an ARN, or that
/// cannot be a policy name, is returned as written).
pub(crate) fn managed_arn(name: &str) -> String {
    if name.starts_with("arn:") || name.contains([':', '/', '{', '$']) {
        return name.to_string();
    }
    let path = PATHED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
        .unwrap_or("");
    format!("arn:aws:iam::aws:policy/{path}{name}")
}

/// Adds the function's `Policies` to its generated role.
pub(crate) fn apply(ctx: &Context, role: &mut Role, function_id: &str, policies: &Node) {
    let items: Vec<&Node> = if policies.is_seq() {
        policies.items().iter().collect()
    } else {
        vec![policies]
    };
    for (i, p) in items.into_iter().enumerate() {
        let name = format!("{function_id}RolePolicy{i}");
        let p = ctx.evaluate(p);
        if p.as_str().is_some() {
            let arn = ctx.string(&p).map(|s| managed_arn(&s));
            // The generated role already has the basic execution policy, for instance.
            if arn.as_str().is_none()
                || !role
                    .managed_policy_arns
                    .iter()
                    .any(|a| a.as_str() == arn.as_str())
            {
                role.managed_policy_arns.push(arn);
            }
            continue;
        }
        if let Some((k, arg)) = p.single_entry() {
            if let Some(t) = templates().and_then(|t| t.get(&k.name)) {
                if let Some(def) = t.get("Definition") {
                    let doc = substitute(def, arg, &p, 0);
                    role.policies.push(Policy {
                        name,
                        source: PolicySource::SamTemplate(k.name.clone()),
                        location: ctx.loc(&p),
                        statements: parse_statements(ctx, &doc),
                    });
                }
                continue;
            }
            let is_name = |n: &Node| {
                n.as_str().is_some()
                    || n.get("Ref")
                        .is_some_and(|r| r.as_str() != Some("AWS::NoValue"))
                    || n.get("Fn::Sub").is_some()
            };
            if k.name == "Fn::If" && arg.items().iter().skip(1).any(is_name) {
                // An undecided choice between managed policy names: an unknown ARN.
                role.managed_policy_arns.push(ctx.string(&p));
                continue;
            }
            if k.name == "Fn::If" {
                // An undecided condition: neither branch is known to apply (as in CloudFormation,
                // where the plain loader cannot read the element either).
                continue;
            }
            if crate::cloudformation::intrinsics::is_intrinsic(&k.name, arg) {
                // An unresolved intrinsic: a managed policy ARN not known statically.
                role.managed_policy_arns.push(ctx.string(&p));
                continue;
            }
        }
        if p.get("Statement").is_some() {
            role.policies.push(Policy {
                name,
                source: PolicySource::Inline,
                location: ctx.loc(&p),
                statements: parse_statements(ctx, &p),
            });
        }
    }
}

/// The template definition with `{Ref: Param}` replaced by the parameter values given in the
/// function, positioned where the template is used.
fn substitute(def: &Node, args: &Node, at: &Node, depth: usize) -> Node {
    if depth > 64 {
        return Node::null(at.line, at.column);
    }
    if let Some((k, v)) = def.single_entry()
        && k.name == "Ref"
        && let Some(name) = v.as_str()
        && let Some(value) = args.get(name)
    {
        return value.clone();
    }
    let kind = match &def.kind {
        NodeKind::Map(m) => NodeKind::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, args, at, depth + 1)))
                .collect(),
        ),
        NodeKind::Seq(s) => NodeKind::Seq(
            s.iter()
                .map(|v| substitute(v, args, at, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        kind,
        line: at.line,
        column: at.column,
        tag: None,
    }
}

/// An inline policy generated by the translator (dead-letter queue, destinations, pollers).
pub(crate) fn generated(
    ctx: &Context,
    role: &mut Role,
    name: String,
    at: &Node,
    statements: &[(&[&str], Attr<String>)],
) {
    let mut out = Vec::new();
    for (actions, resource) in statements {
        let mut st = perimeter_model::Statement::new(ctx.loc(at));
        st.actions = actions
            .iter()
            .map(|a| Attr::defaulted(a.to_string(), ctx.loc(at)))
            .collect();
        st.resources = vec![resource.clone()];
        out.push(st);
    }
    role.policies.push(Policy {
        name,
        source: PolicySource::Inline,
        location: ctx.loc(at),
        statements: out,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_embedded_and_named() {
        assert!(is_template("DynamoDBCrudPolicy"));
        assert!(is_template("SQSPollerPolicy"));
        assert!(!is_template("AmazonS3ReadOnlyAccess"));
        assert_eq!(
            managed_arn("AmazonS3ReadOnlyAccess"),
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
        );
        assert_eq!(
            managed_arn("AWSLambdaBasicExecutionRole"),
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        );
        assert_eq!(
            managed_arn("arn:aws:iam::1:policy/x"),
            "arn:aws:iam::1:policy/x"
        );
    }
}
