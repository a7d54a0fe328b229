//! IAM policy documents (identity, trust and resource policies) into model statements.
//!
//! A document is read after static evaluation, so `Fn::If` branches with `AWS::NoValue` drop
//! whole statements or elements as CloudFormation would; an element that stays unresolved is
//! kept as an unresolved [`Attr`] (rules stay silent on it), and a `Condition` block that
//! cannot be read marks the statement's conditions as unknown.

use super::context::Context;
use crate::doc::Node;
use perimeter_model::{Condition, Effect, Principal, PrincipalKind, Statement, Value};

/// The statements of an IAM policy document (`{Version, Statement: [...]}`), of a bare
/// statement list, or of a single statement.
pub fn parse_statements(ctx: &Context, document: &Node) -> Vec<Statement> {
    let doc = ctx.evaluate(document);
    let list = match doc.get("Statement") {
        Some(s) => s.clone(),
        None if doc.get("Effect").is_some() || doc.get("Action").is_some() => doc.clone(),
        None if doc.is_seq() => doc.clone(),
        None => return Vec::new(),
    };
    let items: Vec<&Node> = if list.is_seq() {
        list.items().iter().collect()
    } else {
        vec![&list]
    };
    items
        .into_iter()
        .filter(|s| {
            ["Effect", "Action", "NotAction"]
                .iter()
                .any(|k| s.get(k).is_some())
        })
        .map(|s| parse_statement(ctx, s))
        .collect()
}

fn parse_statement(ctx: &Context, node: &Node) -> Statement {
    let mut st = Statement::new(ctx.loc(node));
    st.sid = node.get("Sid").and_then(|s| ctx.string(s).known().cloned());
    st.effect = match node.get("Effect").map(|e| ctx.string(e)) {
        Some(a) => match a.as_str() {
            Some("Allow") => Value::Known(Effect::Allow),
            Some("Deny") => Value::Known(Effect::Deny),
            Some(other) => Value::Unresolved(format!("unknown Effect {other}")),
            None => Value::Unresolved("Effect cannot be evaluated".to_string()),
        },
        None => Value::Unresolved("no Effect".to_string()),
    };
    let list = |key: &str| node.get(key).map(|n| ctx.strings(n)).unwrap_or_default();
    st.actions = list("Action");
    st.not_actions = list("NotAction");
    st.resources = list("Resource");
    st.not_resources = list("NotResource");
    st.principals = node
        .get("Principal")
        .map(|p| principals(ctx, p))
        .unwrap_or_default();
    st.not_principals = node
        .get("NotPrincipal")
        .map(|p| principals(ctx, p))
        .unwrap_or_default();
    if let Some(cond) = node.get("Condition") {
        if cond.is_map() && !is_call(cond) {
            for (op, block) in cond.entries() {
                if !block.is_map() || is_call(block) {
                    st.conditions_known = false;
                    continue;
                }
                for (key, values) in block.entries() {
                    st.conditions.push(Condition {
                        operator: op.name.clone(),
                        key: key.name.clone(),
                        values: ctx.strings(values),
                    });
                }
            }
        } else {
            st.conditions_known = false;
        }
    }
    st
}

/// `true` for a mapping that is an intrinsic call left unresolved by evaluation.
fn is_call(node: &Node) -> bool {
    node.single_entry()
        .is_some_and(|(k, arg)| super::intrinsics::is_intrinsic(&k.name, arg))
}

fn principals(ctx: &Context, node: &Node) -> Vec<Principal> {
    if node.as_str() == Some("*") {
        return vec![Principal {
            kind: PrincipalKind::Everyone,
            value: ctx.string(node),
        }];
    }
    if !node.is_map() || is_call(node) {
        // An unresolved principal: recorded as an unknown AWS principal.
        return vec![Principal {
            kind: PrincipalKind::Aws,
            value: ctx.string(node),
        }];
    }
    let mut out = Vec::new();
    for (k, v) in node.entries() {
        let kind = match k.name.as_str() {
            "AWS" => PrincipalKind::Aws,
            "Service" => PrincipalKind::Service,
            "Federated" => PrincipalKind::Federated,
            "CanonicalUser" => PrincipalKind::CanonicalUser,
            _ => continue,
        };
        out.extend(
            ctx.strings(v)
                .into_iter()
                .map(|value| Principal { kind, value }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse_yaml;

    #[test]
    fn document_forms() {
        let t = parse_yaml(
            "Parameters: {P: {Type: String, Default: tbl}}\nConditions: {No: !Equals [a, b]}\n",
        )
        .unwrap()
        .unwrap();
        let ctx = Context::new("t.yaml", &t);
        let doc = parse_yaml(
            r#"
Version: '2012-10-17'
Statement:
  - Sid: One
    Effect: Allow
    Action: [s3:GetObject, !If [No, s3:PutObject, !Ref AWS::NoValue]]
    Resource: !Sub 'arn:aws:dynamodb:*:*:table/${P}'
    Condition: {StringEquals: {'aws:SourceAccount': ['1', '2']}}
  - Effect: Deny
    NotAction: iam:*
    NotResource: !ImportValue x
    Principal: {AWS: '*', Service: [lambda.amazonaws.com]}
    Condition: !If [Unknown, {}, {}]
  - !If [No, {Effect: Allow, Action: '*', Resource: '*'}, !Ref AWS::NoValue]
"#,
        )
        .unwrap()
        .unwrap();
        let sts = parse_statements(&ctx, &doc);
        assert_eq!(sts.len(), 2);
        assert_eq!(sts[0].sid.as_deref(), Some("One"));
        assert_eq!(sts[0].known_actions().collect::<Vec<_>>(), ["s3:GetObject"]);
        assert_eq!(
            sts[0].known_resources().collect::<Vec<_>>(),
            ["arn:aws:dynamodb:*:*:table/tbl"]
        );
        assert_eq!(sts[0].conditions[0].values.len(), 2);
        assert!(sts[0].conditions_known);
        assert!(!sts[1].is_allow());
        assert_eq!(sts[1].not_actions.len(), 1);
        assert!(sts[1].not_resources[0].known().is_none());
        assert!(sts[1].principals.iter().any(Principal::is_everyone));
        assert_eq!(sts[1].principals.len(), 2);
        assert!(!sts[1].conditions_known);
        // A bare statement list and a single statement.
        let list = parse_yaml("- {Effect: Allow, Action: '*', Resource: '*'}")
            .unwrap()
            .unwrap();
        assert_eq!(parse_statements(&ctx, &list).len(), 1);
        let single = parse_yaml("{Effect: Allow, Action: '*', Resource: '*'}")
            .unwrap()
            .unwrap();
        assert_eq!(parse_statements(&ctx, &single).len(), 1);
        let junk = parse_yaml("[1, 2, {Statement: 3}]").unwrap().unwrap();
        assert!(parse_statements(&ctx, &junk).is_empty());
    }
}
