//! `AWS::IAM::Role`, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`: roles with their
//! inline policies, trust policy, boundary and managed policy ARNs; standalone and customer
//! managed policies attached to the roles they name.

use super::{Entry, Linker};
use crate::cloudformation::context::Context;
use crate::cloudformation::parse_statements;
use crate::doc::Node;
use perimeter_model::{App, Policy, PolicySource, Role};

pub(crate) fn is_link(type_name: &str) -> bool {
    matches!(type_name, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
}

pub(crate) fn role(app: &mut App, ctx: &Context, e: &Entry) {
    let mut r = Role::new(e.id, e.loc(ctx), false);
    for p in e.prop("Policies").map(Node::items).unwrap_or_default() {
        let name = p
            .get("PolicyName")
            .and_then(|n| ctx.string(n).known().cloned())
            .unwrap_or_else(|| e.id.to_string());
        if let Some(doc) = p.get("PolicyDocument") {
            r.policies.push(Policy {
                name,
                source: PolicySource::Inline,
                location: ctx.loc(p),
                statements: parse_statements(ctx, doc),
            });
        }
    }
    if let Some(arns) = e.prop("ManagedPolicyArns") {
        r.managed_policy_arns = ctx.strings(arns);
    }
    if let Some(doc) = e.prop("AssumeRolePolicyDocument") {
        r.trust = parse_statements(ctx, doc);
    }
    if let Some(b) = e.prop("PermissionsBoundary") {
        r.permissions_boundary = Some(ctx.string(b));
    }
    app.roles.push(r);
}

pub(crate) fn link(app: &mut App, linker: &Linker, e: &Entry) {
    let ctx = linker.ctx;
    match e.type_name {
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            let Some(doc) = e.prop("PolicyDocument") else {
                return;
            };
            let managed = e.type_name == "AWS::IAM::ManagedPolicy";
            let name = e
                .prop(if managed {
                    "ManagedPolicyName"
                } else {
                    "PolicyName"
                })
                .and_then(|n| ctx.string(n).known().cloned())
                .unwrap_or_else(|| e.id.to_string());
            let policy = Policy {
                name,
                source: if managed {
                    PolicySource::CustomerManaged(e.id.to_string())
                } else {
                    PolicySource::Inline
                },
                location: e.loc(ctx),
                statements: parse_statements(ctx, doc),
            };
            // Roles named by the policy itself.
            let mut targets: Vec<String> = e
                .prop("Roles")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|r| role_of(app, ctx, r))
                .collect();
            // Roles listing this managed policy among their ARNs.
            if managed {
                let me = format!("${{{}}}", e.id);
                for r in &app.roles {
                    if r.managed_policy_arns
                        .iter()
                        .any(|a| a.as_str() == Some(me.as_str()))
                        && !targets.contains(&r.id)
                    {
                        targets.push(r.id.clone());
                    }
                }
            }
            for t in targets {
                if let Some(r) = app.roles.iter_mut().find(|r| r.id == t) {
                    r.policies.push(policy.clone());
                }
            }
        }
        _ => {}
    }
}

/// The role in `app` a `Roles` element names (a `Ref` gives the role's logical ID; a literal
/// role name matches nothing declared).
fn role_of(app: &App, ctx: &Context, node: &Node) -> Option<String> {
    let id = ctx
        .ref_target(node)
        .or_else(|| ctx.string(node).known().cloned())?;
    app.role(&id).map(|r| r.id.clone())
}
