//! IAM policy documents as AWS returns them (plain JSON) into model statements, located at
//! the ARN of whatever holds them (live data has no lines).

use perimeter_model::{
    Attr, Condition, Effect, Location, Principal, PrincipalKind, Statement, Value,
};
use serde_json::Value as Json;

/// Most statements read from one document: a real policy has at most a few hundred.
const MAX_STATEMENTS: usize = 2_000;

/// The statements of a document (`{"Statement": …}`), of a statement list, or of a single
/// statement; anything else gives none.
pub fn statements(document: &Json, at: &Location) -> Vec<Statement> {
    let list = match document.get("Statement") {
        Some(s) => s,
        None => document,
    };
    let items: Vec<&Json> = match list {
        Json::Array(items) => items.iter().collect(),
        Json::Object(_) => vec![list],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter(|s| s.is_object())
        .take(MAX_STATEMENTS)
        .map(|s| statement(s, at))
        .collect()
}

fn statement(node: &Json, at: &Location) -> Statement {
    let mut st = Statement::new(at.clone());
    st.sid = node.get("Sid").and_then(Json::as_str).map(str::to_string);
    st.effect = match node.get("Effect").and_then(Json::as_str) {
        Some("Allow") => Value::Known(Effect::Allow),
        Some("Deny") => Value::Known(Effect::Deny),
        Some(other) => Value::Unresolved(format!("unknown Effect {other}")),
        None => Value::Unresolved("no Effect".to_string()),
    };
    let list = |key: &str| strings(node.get(key), at);
    st.actions = list("Action");
    st.not_actions = list("NotAction");
    st.resources = list("Resource");
    st.not_resources = list("NotResource");
    st.principals = node
        .get("Principal")
        .map(|p| principals(p, at))
        .unwrap_or_default();
    st.not_principals = node
        .get("NotPrincipal")
        .map(|p| principals(p, at))
        .unwrap_or_default();
    match node.get("Condition") {
        Some(Json::Object(ops)) => {
            for (op, block) in ops {
                let Json::Object(keys) = block else {
                    st.conditions_known = false;
                    continue;
                };
                for (key, values) in keys {
                    st.conditions.push(Condition {
                        operator: op.clone(),
                        key: key.clone(),
                        values: strings(Some(values), at),
                    });
                }
            }
        }
        Some(Json::Null) | None => {}
        Some(_) => st.conditions_known = false,
    }
    st
}

/// A string or a list of strings (numbers and booleans as their text).
pub fn strings(node: Option<&Json>, at: &Location) -> Vec<Attr<String>> {
    let one = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match node {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(one)
            .map(|s| Attr::explicit(s, at.clone()))
            .collect(),
        Some(v) => one(v)
            .map(|s| vec![Attr::explicit(s, at.clone())])
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

fn principals(node: &Json, at: &Location) -> Vec<Principal> {
    if node.as_str() == Some("*") {
        return vec![Principal {
            kind: PrincipalKind::Everyone,
            value: Attr::explicit("*".to_string(), at.clone()),
        }];
    }
    let Json::Object(map) = node else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let kind = match k.as_str() {
            "AWS" => PrincipalKind::Aws,
            "Service" => PrincipalKind::Service,
            "Federated" => PrincipalKind::Federated,
            "CanonicalUser" => PrincipalKind::CanonicalUser,
            _ => continue,
        };
        out.extend(
            strings(Some(v), at)
                .into_iter()
                .map(|value| Principal { kind, value }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_document_forms() {
        let at = Location::new("arn:aws:iam::1:role/r", 0, 0);
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": ["*"],
             "Principal": {"AWS": ["*", "arn:aws:iam::2:root"], "Service": "lambda.amazonaws.com"},
             "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}},
            {"Effect": "Deny", "NotAction": ["iam:*"], "Condition": "junk"},
            "junk"
        ]});
        let sts = statements(&doc, &at);
        assert_eq!(sts.len(), 2);
        assert_eq!(sts[0].sid.as_deref(), Some("A"));
        assert_eq!(sts[0].known_actions().collect::<Vec<_>>(), ["*"]);
        assert_eq!(sts[0].principals.len(), 3);
        assert!(sts[0].principals.iter().any(Principal::is_everyone));
        assert_eq!(sts[0].conditions[0].key, "aws:SourceAccount");
        assert!(!sts[1].is_allow());
        assert!(!sts[1].conditions_known);
        assert_eq!(
            statements(&json!({"Effect": "Allow", "Action": "s3:*"}), &at).len(),
            1
        );
        assert!(statements(&json!(3), &at).is_empty());
        assert_eq!(
            statements(&json!({"Principal": "*", "Effect": "Allow"}), &at)[0].principals[0].kind,
            PrincipalKind::Everyone
        );
    }
}
