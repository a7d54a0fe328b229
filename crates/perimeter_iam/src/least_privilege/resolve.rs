//! Naming the resource a call acts on.
//!
//! A call's resource argument is an environment variable, a literal, or unknown
//! ([`ArgValue`]). An environment variable is looked up in the function's template-set
//! environment: the CloudFormation loader keeps `!Ref Table` as `${Table}`, `!GetAtt T.Arn` as
//! `${T.Arn}` and `!Sub` text with its `${…}` references in place, so a `${Id}` naming a
//! resource (or function) declared in the app resolves to that resource. The ARN for a
//! resource type comes from the action catalog's ARN format; for CloudFormation-family output
//! a declared resource is named by an intrinsic (`Fn::GetAtt`, `Ref`, `Fn::Sub`) so the policy
//! follows the resource wherever it is deployed. When nothing can be told, the narrowest safe
//! pattern is the resource type's ARN with `*` for the unknown parts, with a note saying so.

use super::catalog::ActionResourceType;
use perimeter_model::{App, ArgValue, Function, Resource, ResourceKind, Value};
use serde_json::{Value as Json, json};

/// What a resource argument names.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    /// A resource declared in the app.
    Declared(&'a Resource),
    /// A function declared in the app (for `lambda:InvokeFunction`).
    Function(&'a Function),
    /// A literal name (a queue URL is reduced to the queue's name).
    Name(String),
    /// A literal ARN.
    Arn(String),
    /// A name with `*` for the parts only known at deploy time (`*-orders`).
    Pattern(String),
    /// Not known; the reason.
    Unknown(String),
}

/// How resources are written in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// CloudFormation intrinsics (SAM, CloudFormation, CDK output, Serverless).
    CloudFormation,
    /// Plain ARN patterns.
    Arn,
}

/// The resource kinds a service's calls act on; empty for services without a model kind.
pub fn kinds_of_service(service: &str) -> &'static [ResourceKind] {
    match service {
        "s3" => &[ResourceKind::Bucket],
        "dynamodb" => &[ResourceKind::Table],
        "sqs" => &[ResourceKind::Queue],
        "sns" => &[ResourceKind::Topic],
        "secretsmanager" => &[ResourceKind::Secret],
        "kinesis" | "firehose" => &[ResourceKind::Stream],
        "kms" => &[ResourceKind::Key],
        "ssm" => &[ResourceKind::Parameter],
        "events" => &[ResourceKind::EventBus],
        "logs" => &[ResourceKind::LogGroup],
        _ => &[],
    }
}

/// Resolves one resource argument of a call to `service` made by `function`.
pub fn resolve<'a>(
    app: &'a App,
    function: &'a Function,
    service: &str,
    value: &ArgValue,
) -> Target<'a> {
    let target = match value {
        ArgValue::Unknown => Target::Unknown("the resource is computed in code".to_string()),
        ArgValue::Literal(s) => literal(s),
        ArgValue::EnvVar(name) => match function.env(name) {
            None => Target::Unknown(format!(
                "environment variable `{name}` is not set by the template"
            )),
            Some(var) => match &var.value.value {
                Value::Unresolved(reason) => Target::Unknown(format!(
                    "environment variable `{name}` cannot be read statically ({reason})"
                )),
                Value::Known(text) => from_template_text(app, service, name, text),
            },
        },
    };
    match target {
        Target::Name(n) => declared_by_name(app, service, &n).unwrap_or(Target::Name(n)),
        other => other,
    }
}

/// A resource of the app whose declared physical name is `name` (a Serverless
/// `${self:custom.table}` resolves to the same text in the environment and in `TableName`).
fn declared_by_name<'a>(app: &'a App, service: &str, name: &str) -> Option<Target<'a>> {
    let kinds = kinds_of_service(service);
    if kinds.is_empty() {
        return None;
    }
    app.resources
        .iter()
        .find(|r| kinds.contains(&r.kind) && r.name.as_ref().and_then(|n| n.as_str()) == Some(name))
        .map(Target::Declared)
}

/// A template-set value: `${Id}` / `${Id.Attr}` references to declared resources win.
fn from_template_text<'a>(app: &'a App, service: &str, var: &str, text: &str) -> Target<'a> {
    let refs = references(text);
    if refs.is_empty() {
        return literal(text);
    }
    for r in &refs {
        let id = r.split('.').next().unwrap_or(r);
        if let Some(resource) = app.resource(id) {
            let kinds = kinds_of_service(service);
            if kinds.is_empty() || kinds.contains(&resource.kind) {
                return Target::Declared(resource);
            }
            return Target::Unknown(format!(
                "environment variable `{var}` names `{id}` ({}), which is not what {service} acts on",
                resource.type_name
            ));
        }
        if service == "lambda"
            && let Some(f) = app.functions.iter().find(|f| f.id == id)
        {
            return Target::Function(f);
        }
    }
    // References to things not declared here (parameters without defaults were already
    // unresolved; these are pseudo-parameters and outside resources): keep the literal parts.
    let pattern = replace_refs(text, "*");
    if pattern.chars().all(|c| c == '*' || c == '-' || c == '/') {
        return Target::Unknown(format!(
            "environment variable `{var}` is `{text}`, built from values only known at deploy time"
        ));
    }
    match literal(&pattern) {
        Target::Name(n) => Target::Pattern(n),
        other => other,
    }
}

/// A literal: an ARN, an SQS queue URL (reduced to the queue name), or a name.
fn literal(s: &str) -> Target<'static> {
    let s = s.trim();
    if s.is_empty() {
        return Target::Unknown("empty value".to_string());
    }
    if s.starts_with("arn:") {
        return Target::Arn(s.to_string());
    }
    if let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        && rest.contains("amazonaws.com")
    {
        if let Some(name) = rest.rsplit('/').next().filter(|n| !n.is_empty()) {
            return Target::Name(name.to_string());
        }
        return Target::Unknown(format!("cannot tell the resource from `{s}`"));
    }
    if s.contains('*') {
        return Target::Pattern(s.to_string());
    }
    Target::Name(s.to_string())
}

/// The `${…}` references of a text (without the delimiters), pseudo-parameters excluded.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        if !inner.starts_with("AWS::") && !inner.is_empty() {
            out.push(inner.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

/// `text` with every `${…}` replaced by `with`.
pub(crate) fn replace_refs(text: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push_str(with);
                rest = &after[end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    // Collapse runs of stars.
    while out.contains("**") {
        out = out.replace("**", "*");
    }
    out
}

/// The catalog's resource type names that fit a declared resource's kind.
fn type_names_for(kind: ResourceKind, type_name: &str) -> &'static [&'static str] {
    match kind {
        ResourceKind::Bucket => &["bucket", "object"],
        ResourceKind::Table => &["table", "index"],
        ResourceKind::Queue => &["queue"],
        ResourceKind::Topic => &["topic"],
        ResourceKind::Secret => &["secret"],
        ResourceKind::Stream => &["stream", "deliverystream"],
        ResourceKind::Key => &["key"],
        ResourceKind::Parameter => &["parameter"],
        ResourceKind::EventBus => &["event-bus"],
        ResourceKind::LogGroup => &["log-group"],
        _ => match type_name {
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                &["statemachine"]
            }
            _ => &[],
        },
    }
}

/// The resource types of an action that apply to a target (all of them when the target does
/// not say which: an unknown or literal resource).
pub fn types_for_target<'t>(
    types: &'t [ActionResourceType],
    target: &Target<'_>,
) -> Vec<&'t ActionResourceType> {
    let wanted: &[&str] = match target {
        Target::Declared(r) => type_names_for(r.kind, &r.type_name),
        Target::Function(_) => &["function"],
        _ => &[],
    };
    let mut picked: Vec<&ActionResourceType> = if wanted.is_empty() {
        Vec::new()
    } else {
        types
            .iter()
            .filter(|t| wanted.iter().any(|w| t.name.eq_ignore_ascii_case(w)))
            .collect()
    };
    if picked.is_empty() {
        // Prefer the service's main types over access points, jobs, …: the ones whose
        // ARN format has the fewest placeholders after the account.
        picked = types.iter().collect();
        if picked.len() > 1 {
            let common = [
                "bucket",
                "object",
                "table",
                "index",
                "queue",
                "topic",
                "secret",
                "function",
                "stream",
                "key",
                "parameter",
                "statemachine",
                "event-bus",
                "log-group",
            ];
            let main: Vec<&ActionResourceType> = picked
                .iter()
                .copied()
                .filter(|t| common.iter().any(|c| t.name.eq_ignore_ascii_case(c)))
                .collect();
            if !main.is_empty() {
                picked = main;
            }
        }
    }
    picked
}

/// The CloudFormation logical ID of a function: the ID itself for templates, Serverless's
/// normalized `{Name}LambdaFunction` for Serverless services.
pub fn function_logical_id(app: &App, function: &Function) -> String {
    if app.source == perimeter_model::SourceKind::Serverless {
        let mut s = String::new();
        for (i, c) in function.id.chars().enumerate() {
            match c {
                '-' => s.push_str("Dash"),
                '_' => s.push_str("Underscore"),
                c if i == 0 => s.extend(c.to_uppercase()),
                c => s.push(c),
            }
        }
        return format!("{s}LambdaFunction");
    }
    function.id.clone()
}

fn get_att(id: &str, attr: &str) -> Json {
    json!({"Fn::GetAtt": [id, attr]})
}

fn sub(text: String) -> Json {
    json!({"Fn::Sub": text})
}

/// Fills an ARN format: partition, region and account as the flavor writes them, the first
/// other placeholder with `name`, the rest with `*`.
pub fn fill_arn(format: &str, name: Option<&str>, flavor: Flavor) -> String {
    let (partition, region, account) = match flavor {
        Flavor::CloudFormation => ("${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}"),
        Flavor::Arn => ("aws", "*", "*"),
    };
    let mut out = String::new();
    let mut rest = format;
    let mut name = name;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            rest = &rest[start..];
            break;
        };
        match &after[..end] {
            "Partition" => out.push_str(partition),
            "Region" => out.push_str(region),
            "Account" => out.push_str(account),
            _ => match name.take() {
                Some(n) => out.push_str(n),
                None => out.push('*'),
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A resource element for `resource type` of a target, and a note when it had to guess.
pub fn resource_element(
    app: &App,
    target: &Target<'_>,
    rtype: &ActionResourceType,
    flavor: Flavor,
) -> (Json, Option<String>) {
    let t = rtype.name.to_ascii_lowercase();
    match target {
        Target::Declared(r) => {
            if flavor == Flavor::CloudFormation {
                return (declared_intrinsic(r, &t, &rtype.arn), None);
            }
            match r.name.as_ref().and_then(|n| n.as_str()) {
                Some(n) => (
                    Json::String(named_arn(&rtype.arn, &t, n, Flavor::Arn)),
                    None,
                ),
                None => (
                    Json::String(fill_arn(&rtype.arn, None, Flavor::Arn)),
                    Some(format!(
                        "`{}` has no declared name: any {} is allowed",
                        r.id, rtype.name
                    )),
                ),
            }
        }
        Target::Function(f) => {
            if flavor == Flavor::CloudFormation {
                (get_att(&function_logical_id(app, f), "Arn"), None)
            } else {
                (
                    Json::String(fill_arn(&rtype.arn, Some(&f.name), Flavor::Arn)),
                    None,
                )
            }
        }
        Target::Name(n) => {
            let n = if flavor == Flavor::Arn {
                replace_refs(n, "*")
            } else {
                n.clone()
            };
            let text = named_arn(&rtype.arn, &t, &n, flavor);
            (wrap(text, flavor), None)
        }
        Target::Pattern(p) => (
            wrap(named_arn(&rtype.arn, &t, p, flavor), flavor),
            Some(format!(
                "the name is only partly known at deploy time: `{p}` is allowed"
            )),
        ),
        Target::Arn(a) => {
            let mut a = a.clone();
            if t == "object" && !a.contains('/') {
                a.push_str("/*");
            }
            (Json::String(a), None)
        }
        Target::Unknown(reason) => (
            Json::String(fill_arn(&rtype.arn, None, Flavor::Arn)),
            Some(format!("{reason}: any {} is allowed", rtype.name)),
        ),
    }
}

/// `Fn::Sub` for texts with `${…}` (CloudFormation flavor), a plain string otherwise.
fn wrap(text: String, flavor: Flavor) -> Json {
    if flavor == Flavor::CloudFormation && text.contains("${") {
        sub(text)
    } else {
        Json::String(text)
    }
}

/// The ARN of a named resource of type `t`: S3 objects get `name/*`, secrets their random
/// suffix `-??????`.
fn named_arn(format: &str, t: &str, name: &str, flavor: Flavor) -> String {
    match t {
        "secret" => fill_arn(format, Some(&format!("{name}-??????")), flavor),
        "parameter" => fill_arn(format, Some(name.trim_start_matches('/')), flavor),
        _ => fill_arn(format, Some(name), flavor),
    }
}

/// The intrinsic naming a declared resource's ARN for resource type `t`.
fn declared_intrinsic(r: &Resource, t: &str, arn_format: &str) -> Json {
    let id = r.id.as_str();
    match (r.kind, t) {
        (ResourceKind::Bucket, "object") => {
            sub(format!("arn:${{AWS::Partition}}:s3:::${{{id}}}/*"))
        }
        (ResourceKind::Bucket, _) => sub(format!("arn:${{AWS::Partition}}:s3:::${{{id}}}")),
        (ResourceKind::Table, "index") => sub(format!("${{{id}.Arn}}/index/*")),
        (ResourceKind::Table, "stream") => get_att(id, "StreamArn"),
        (ResourceKind::Topic, _) | (ResourceKind::Secret, _) => json!({"Ref": id}),
        // `Ref` gives the parameter's name; a name starting with `/` is written right after
        // `parameter` in the ARN, others after `parameter/`.
        (ResourceKind::Parameter, _) => match r.name.as_ref().and_then(|n| n.as_str()) {
            Some(name) => wrap(
                named_arn(arn_format, "parameter", name, Flavor::CloudFormation),
                Flavor::CloudFormation,
            ),
            None => sub(fill_arn(
                arn_format,
                Some(&format!("${{{id}}}")),
                Flavor::CloudFormation,
            )),
        },
        (ResourceKind::LogGroup, _) => get_att(id, "Arn"),
        _ if r.type_name.contains("StateMachine") => json!({"Ref": id}),
        _ => get_att(id, "Arn"),
    }
}
