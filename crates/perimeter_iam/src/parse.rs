//! Parses an IAM policy document written as JSON into the model's [`Policy`] and
//! [`Statement`]s: the same shape loaders build from templates, so one evaluator serves both.
//!
//! IAM's grammar is loose and every field may be a string or a list (`Action`, `Resource`,
//! `Principal` values, condition values), `Statement` may be one object or a list, and
//! `Principal` may be `"*"` or a map of kinds. Everything is kept as written (`NotAction`,
//! `NotResource`, `NotPrincipal`, conditions) and placed at one [`Location`], since a JSON
//! document from a data file has no line numbers worth citing. Sizes are capped: a document
//! is untrusted input.

use perimeter_model::{
    Attr, Condition, Effect, Location, Policy, PolicySource, Principal, PrincipalKind, Statement,
    Value,
};
use serde_json::Value as Json;

/// Most statements read from one document (AWS allows far fewer in practice).
pub const MAX_STATEMENTS: usize = 1_000;
/// Most entries read from one list (actions, resources, principals, condition values).
pub const MAX_LIST: usize = 10_000;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy document is not valid JSON: {0}")]
    Json(String),
    #[error("policy document has no `Statement`")]
    NoStatement,
    #[error("`Statement` must be an object or a list of objects")]
    BadStatement,
    #[error("policy document has more than {MAX_STATEMENTS} statements")]
    TooManyStatements,
}

/// Parses a policy document from JSON text.
pub fn parse_policy_json(
    text: &str,
    name: &str,
    source: PolicySource,
    location: &Location,
) -> Result<Policy, PolicyError> {
    let json: Json = serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
    parse_policy_document(&json, name, source, location)
}

/// Parses a policy document (`{"Version": …, "Statement": …}`) already read as JSON.
pub fn parse_policy_document(
    doc: &Json,
    name: &str,
    source: PolicySource,
    location: &Location,
) -> Result<Policy, PolicyError> {
    let statements = doc.get("Statement").ok_or(PolicyError::NoStatement)?;
    Ok(Policy {
        name: name.to_string(),
        source,
        location: location.clone(),
        statements: parse_statements(statements, location)?,
    })
}

/// Parses a `Statement` value: one object or a list of them.
pub fn parse_statements(value: &Json, location: &Location) -> Result<Vec<Statement>, PolicyError> {
    let items: Vec<&Json> = match value {
        Json::Object(_) => vec![value],
        Json::Array(list) => list.iter().collect(),
        _ => return Err(PolicyError::BadStatement),
    };
    if items.len() > MAX_STATEMENTS {
        return Err(PolicyError::TooManyStatements);
    }
    items
        .into_iter()
        .map(|s| parse_statement(s, location).ok_or(PolicyError::BadStatement))
        .collect()
}

/// One statement; `None` when it is not an object.
pub fn parse_statement(value: &Json, location: &Location) -> Option<Statement> {
    let obj = value.as_object()?;
    let mut s = Statement::new(location.clone());
    s.sid = obj.get("Sid").and_then(Json::as_str).map(str::to_string);
    s.effect = match obj.get("Effect").and_then(Json::as_str) {
        Some(e) if e.eq_ignore_ascii_case("allow") => Value::Known(Effect::Allow),
        Some(e) if e.eq_ignore_ascii_case("deny") => Value::Known(Effect::Deny),
        Some(other) => Value::Unresolved(other.to_string()),
        None => Value::Unresolved("missing Effect".to_string()),
    };
    let strings = |key: &str| -> Vec<Attr<String>> {
        obj.get(key)
            .map(|v| string_list(v, location))
            .unwrap_or_default()
    };
    s.actions = strings("Action");
    s.not_actions = strings("NotAction");
    s.resources = strings("Resource");
    s.not_resources = strings("NotResource");
    if let Some(p) = obj.get("Principal") {
        s.principals = principals(p, location);
    }
    if let Some(p) = obj.get("NotPrincipal") {
        s.not_principals = principals(p, location);
    }
    if let Some(c) = obj.get("Condition") {
        match conditions(c, location) {
            Some(list) => s.conditions = list,
            None => s.conditions_known = false,
        }
    }
    Some(s)
}

/// A string or a list of strings; anything else becomes an unresolved entry (so a rule sees
/// that something is there but cannot read it).
fn string_list(value: &Json, location: &Location) -> Vec<Attr<String>> {
    let one = |v: &Json| match v {
        Json::String(s) => Attr::explicit(s.clone(), location.clone()),
        Json::Number(n) => Attr::explicit(n.to_string(), location.clone()),
        Json::Bool(b) => Attr::explicit(b.to_string(), location.clone()),
        other => Attr::unresolved(kind_of(other), location.clone()),
    };
    match value {
        Json::Array(list) => list.iter().take(MAX_LIST).map(one).collect(),
        other => vec![one(other)],
    }
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Object(_) => "object",
        Json::Array(_) => "list",
        _ => "value",
    }
}

fn principals(value: &Json, location: &Location) -> Vec<Principal> {
    match value {
        Json::String(s) if s == "*" => vec![Principal {
            kind: PrincipalKind::Everyone,
            value: Attr::explicit("*".to_string(), location.clone()),
        }],
        Json::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                let kind = match k.to_ascii_lowercase().as_str() {
                    "aws" => PrincipalKind::Aws,
                    "service" => PrincipalKind::Service,
                    "federated" => PrincipalKind::Federated,
                    "canonicaluser" => PrincipalKind::CanonicalUser,
                    _ => PrincipalKind::Aws,
                };
                string_list(v, location)
                    .into_iter()
                    .map(move |value| Principal { kind, value })
            })
            .collect(),
        other => string_list(other, location)
            .into_iter()
            .map(|value| Principal {
                kind: PrincipalKind::Aws,
                value,
            })
            .collect(),
    }
}

/// `{"Operator": {"key": value-or-list}}`; `None` when the block's shape is not that.
fn conditions(value: &Json, location: &Location) -> Option<Vec<Condition>> {
    let mut out = Vec::new();
    for (operator, tests) in value.as_object()? {
        for (key, values) in tests.as_object()? {
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: string_list(values, location),
            });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::new("p.json", 1, 1)
    }

    #[test]
    fn string_or_list_and_every_element() {
        let p = parse_policy_json(
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"A","Effect":"Allow","NotAction":"iam:*","NotResource":["arn:aws:s3:::b","arn:aws:s3:::c"]},
                {"Effect":"Deny","Action":["s3:*"],"Resource":"*",
                 "Principal":{"AWS":["arn:aws:iam::111122223333:root","*"],"Service":"lambda.amazonaws.com"},
                 "Condition":{"StringEquals":{"aws:SourceAccount":"1","aws:PrincipalTag/x":["a","b"]}}},
                {"Effect":"Allow","Action":"sts:AssumeRole","NotPrincipal":"*"}
            ]}"#,
            "doc",
            PolicySource::Inline,
            &loc(),
        )
        .unwrap();
        let s = &p.statements;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].sid.as_deref(), Some("A"));
        assert_eq!(s[0].not_actions[0].as_str(), Some("iam:*"));
        assert_eq!(s[0].not_resources.len(), 2);
        assert!(matches!(s[1].effect, Value::Known(Effect::Deny)));
        assert_eq!(s[1].principals.len(), 3);
        assert!(s[1].principals.iter().any(|p| p.is_everyone()));
        assert_eq!(s[1].conditions.len(), 2);
        assert_eq!(s[2].not_principals[0].kind, PrincipalKind::Everyone);
    }

    #[test]
    fn single_statement_object_and_errors() {
        let p = parse_policy_json(
            r#"{"Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*","Condition":"x"}}"#,
            "d",
            PolicySource::Inline,
            &loc(),
        )
        .unwrap();
        assert!(p.statements[0].is_allow());
        assert!(!p.statements[0].conditions_known);
        let err = |t: &str| parse_policy_json(t, "d", PolicySource::Inline, &loc()).unwrap_err();
        assert_eq!(err("{}"), PolicyError::NoStatement);
        assert_eq!(err(r#"{"Statement":3}"#), PolicyError::BadStatement);
        assert!(matches!(err("{"), PolicyError::Json(_)));
    }
}
