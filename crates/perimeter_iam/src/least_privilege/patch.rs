//! The template text a user applies: where the generated policy goes depends on how the app
//! declares the role.
//!
//! - SAM function with a generated role: its `Policies:` list.
//! - A role written in the template (CloudFormation, SAM, CDK, Serverless `resources`): the
//!   role's `Policies:` property, with what every function sharing the role needs.
//! - Serverless shared role (`IamRoleLambdaExecution`): `provider.iam.role.statements`, the
//!   union of what the service's functions need; per-function roles: the function's
//!   `iamRoleStatements`.
//!
//! The text is YAML; CloudFormation and SAM get the short intrinsic tags (`!GetAtt`, `!Sub`,
//! `!Ref`), Serverless the long form (`Fn::GetAtt`), which every version of the framework reads.
//! Statements the tool adds on its own to generated roles (the log-writing statement) are left
//! out of those patches.

use super::{PolicyDocument, PolicyStatement};
use perimeter_model::{App, Function, Role, SourceKind};
use serde::Serialize;
use serde_json::Value as Json;

/// A patch for the template.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Patch {
    /// `sam-function-policies`, `cloudformation-role-policies`, `serverless-provider-statements`,
    /// `serverless-function-statements`, or `attach-to-role` (role declared elsewhere).
    pub kind: String,
    /// The file to edit.
    pub file: String,
    /// The line of the function or role whose policies it replaces.
    pub line: u32,
    /// What to do with `yaml`, in one sentence.
    pub instructions: String,
    pub yaml: String,
    /// The same content as data (JSON is YAML too: a one-line form for messages).
    #[serde(skip)]
    pub document: Json,
}

/// The patch for `function`; `role_policy` is the union over the functions sharing its role.
pub fn patch(
    app: &App,
    function: &Function,
    role: Option<&Role>,
    policy: &PolicyDocument,
    role_policy: &PolicyDocument,
    shared_with: &[String],
) -> Patch {
    let short = matches!(
        app.source,
        SourceKind::Sam | SourceKind::CloudFormation | SourceKind::Cdk
    ) && !app.file.ends_with(".json");
    let shared_note = if shared_with.is_empty() {
        String::new()
    } else {
        format!(
            " (the role is shared with {}: this is what all of them need)",
            shared_with.join(", ")
        )
    };
    let mut out = match role {
        Some(r) if r.generated && app.source == SourceKind::Sam => Patch {
            kind: "sam-function-policies".into(),
            file: app.file.clone(),
            line: function.location.line,
            instructions: format!(
                "Replace the `Policies` of function `{}` with this (SAM adds the log-writing policy itself).",
                function.id
            ),
            document: obj(vec![(
                "Policies",
                Json::Array(vec![doc_json(&without_logs(policy))]),
            )]),
            yaml: String::new(),
        },
        Some(r)
            if r.generated
                && app.source == SourceKind::Serverless
                && r.id == "IamRoleLambdaExecution" =>
        {
            let statements = statements_json(&without_logs(role_policy));
            let doc = obj(vec![(
                "provider",
                obj(vec![(
                    "iam",
                    obj(vec![("role", obj(vec![("statements", statements)]))]),
                )]),
            )]);
            Patch {
                kind: "serverless-provider-statements".into(),
                file: app.file.clone(),
                line: r.location.line,
                instructions: format!(
                    "Replace `provider.iam.role.statements` with this{shared_note}; the framework adds the log-writing statements itself."
                ),
                yaml: String::new(),
                document: doc,
            }
        }
        Some(r) if r.generated && app.source == SourceKind::Serverless => {
            let statements = statements_json(&without_logs(policy));
            let doc = obj(vec![(
                "functions",
                obj(vec![(
                    function.id.as_str(),
                    obj(vec![("iamRoleStatements", statements)]),
                )]),
            )]);
            Patch {
                kind: "serverless-function-statements".into(),
                file: app.file.clone(),
                line: function.location.line,
                instructions: format!(
                    "Replace the `iamRoleStatements` of function `{}` with this.",
                    function.id
                ),
                yaml: String::new(),
                document: doc,
            }
        }
        Some(r) => {
            let mut name = r.id.clone();
            name.push_str("LeastPrivilege");
            let doc = obj(vec![(
                "Policies",
                Json::Array(vec![obj(vec![
                    ("PolicyName", Json::String(name)),
                    ("PolicyDocument", doc_json(role_policy)),
                ])]),
            )]);
            Patch {
                kind: "cloudformation-role-policies".into(),
                file: r.location.file.clone(),
                line: r.location.line,
                instructions: format!(
                    "Replace the `Policies` (and drop the `ManagedPolicyArns` other than the basic execution role) of role `{}` with this{shared_note}.",
                    r.id
                ),
                yaml: String::new(),
                document: doc,
            }
        }
        None => Patch {
            kind: "attach-to-role".into(),
            file: app.file.clone(),
            line: function.role.location.line,
            instructions: format!(
                "The role of function `{}` is not declared in this app: give it this policy where it is declared.",
                function.id
            ),
            yaml: String::new(),
            document: doc_json(policy),
        },
    };
    out.yaml = yaml_of(&out.document, short);
    out
}

fn obj(entries: Vec<(&str, Json)>) -> Json {
    Json::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn doc_json(doc: &PolicyDocument) -> Json {
    serde_json::to_value(doc).unwrap_or(Json::Null)
}

fn statements_json(doc: &PolicyDocument) -> Json {
    Json::Array(
        doc.statement
            .iter()
            .map(|s| serde_json::to_value(s).unwrap_or(Json::Null))
            .collect(),
    )
}

/// The document without statements made only of log-writing actions.
fn without_logs(doc: &PolicyDocument) -> PolicyDocument {
    PolicyDocument {
        version: doc.version.clone(),
        statement: doc
            .statement
            .iter()
            .filter(|s: &&PolicyStatement| {
                !s.action
                    .iter()
                    .all(|a| a.to_ascii_lowercase().starts_with("logs:"))
            })
            .cloned()
            .collect(),
    }
}

/// Renders JSON as block-style YAML; with `short`, CloudFormation intrinsics use the short tags.
pub fn yaml_of(value: &Json, short: bool) -> String {
    let mut out = String::new();
    block(value, 0, short, &mut out);
    out
}

fn block(value: &Json, indent: usize, short: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                match inline(v, short) {
                    Some(text) => out.push_str(&format!("{pad}{}: {text}\n", scalar(k))),
                    None => {
                        out.push_str(&format!("{pad}{}:\n", scalar(k)));
                        block(v, indent + 2, short, out);
                    }
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                match inline(item, short) {
                    Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                    None => {
                        let mut sub = String::new();
                        block(item, indent + 2, short, &mut sub);
                        // Put the first line on the dash.
                        let inner_pad = " ".repeat(indent + 2);
                        let replaced = match sub.strip_prefix(&inner_pad) {
                            Some(rest) => format!("{pad}- {rest}"),
                            None => sub,
                        };
                        out.push_str(&replaced);
                    }
                }
            }
        }
        other => {
            if let Some(text) = inline(other, short) {
                out.push_str(&format!("{pad}{text}\n"));
            }
        }
    }
}

/// The one-line form of a value, when it has one.
fn inline(value: &Json, short: bool) -> Option<String> {
    match value {
        Json::Null => Some("null".into()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(scalar(s)),
        Json::Array(a) if a.is_empty() => Some("[]".into()),
        Json::Object(m) if m.is_empty() => Some("{}".into()),
        Json::Object(m) if short && m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            match (k.as_str(), v) {
                ("Ref", Json::String(id)) => Some(format!("!Ref {id}")),
                ("Fn::Sub", Json::String(s)) => Some(format!("!Sub {}", quoted(s))),
                ("Fn::GetAtt", Json::Array(parts)) => {
                    let parts: Vec<&str> = parts.iter().filter_map(Json::as_str).collect();
                    Some(format!("!GetAtt {}", parts.join(".")))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A string as a YAML scalar: plain when unambiguous, double-quoted otherwise.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain { s.to_string() } else { quoted(s) }
}

fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_short_and_long_intrinsics() {
        let v = json!({"Policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:PutItem"],
             "Resource": [{"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Table.Arn}/index/*"}, {"Ref": "Topic"}, "*"]}
        ]}]});
        let short = yaml_of(&v, true);
        assert_eq!(
            short,
            "Policies:\n  - Version: \"2012-10-17\"\n    Statement:\n      - Effect: Allow\n        Action:\n          - dynamodb:PutItem\n        Resource:\n          - !GetAtt Table.Arn\n          - !Sub \"${Table.Arn}/index/*\"\n          - !Ref Topic\n          - \"*\"\n"
        );
        let long = yaml_of(&v, false);
        assert!(
            long.contains("          - Fn::GetAtt:\n              - Table\n              - Arn\n"),
            "{long}"
        );
        assert!(
            long.contains("          - Fn::Sub: \"${Table.Arn}/index/*\"\n"),
            "{long}"
        );
    }

    #[test]
    fn scalars_that_need_quotes() {
        assert_eq!(scalar("dynamodb:PutItem"), "dynamodb:PutItem");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("2012-10-17"), "\"2012-10-17\"");
        assert_eq!(scalar("a \"b\""), "\"a \\\"b\\\"\"");
        assert_eq!(scalar("arn:aws:s3:::b/*"), "\"arn:aws:s3:::b/*\"");
    }
}
