//! Plain CloudFormation resources into the model, in two passes.
//!
//! Pass one creates what stands alone (functions, roles, data stores, APIs) so that pass two
//! can link what refers to them: permissions, event source mappings, URLs, invoke configs,
//! standalone IAM policies, bucket notifications, subscriptions, rules, API methods and
//! routes, log groups. Links go through [`Linker::function_of`], which follows `Ref`,
//! `Fn::GetAtt`, ARNs built with `Fn::Sub`/`Fn::Join`, aliases and versions back to a function.
//!
//! `AWS::Serverless::*` resources are left to the SAM transform ([`super::sam`]).

pub(crate) mod apigw;
pub(crate) mod data;
mod events;
mod iam;
pub(crate) mod lambda;

use super::context::Context;
use crate::doc::{Key, Node};
use perimeter_model::{App, Attr, Location, Trigger, TriggerKind};
use std::collections::HashMap;

/// One resource of the template, with its properties evaluated once.
pub(crate) struct Entry<'t> {
    pub id: &'t str,
    pub key: &'t Key,
    pub node: &'t Node,
    pub type_name: &'t str,
    pub props: Node,
}

impl Entry<'_> {
    pub fn loc(&self, ctx: &Context) -> Location {
        Location::new(ctx.file, self.key.line, self.key.column)
    }

    pub fn prop(&self, name: &str) -> Option<&Node> {
        self.props.get(name)
    }
}

/// Evaluated entries of a template's `Resources`.
pub(crate) fn entries<'t>(ctx: &Context<'t>) -> Vec<Entry<'t>> {
    let Some(resources) = ctx.template.get("Resources") else {
        return Vec::new();
    };
    resources
        .entries()
        .iter()
        .filter_map(|(key, node)| {
            let type_name = node.get("Type").and_then(Node::as_str)?;
            // A resource whose condition is false on the parameter defaults is not deployed.
            if node
                .get("Condition")
                .and_then(Node::as_str)
                .and_then(|c| ctx.condition(c))
                == Some(false)
            {
                return None;
            }
            let props = node
                .get("Properties")
                .map(|p| ctx.evaluate(p))
                .unwrap_or_else(|| Node::null(key.line, key.column));
            Some(Entry {
                id: &key.name,
                key,
                node,
                type_name,
                props,
            })
        })
        .collect()
}

/// Shared state of the link pass.
pub(crate) struct Linker<'c, 't> {
    pub ctx: &'c Context<'t>,
    /// Alias, version and generated-function logical IDs → the function they stand for.
    pub aliases: HashMap<String, String>,
}

impl<'c, 't> Linker<'c, 't> {
    pub fn new(ctx: &'c Context<'t>, entries: &[Entry]) -> Self {
        let mut aliases = HashMap::new();
        for e in entries {
            if matches!(e.type_name, "AWS::Lambda::Alias" | "AWS::Lambda::Version")
                && let Some(f) = e.prop("FunctionName").and_then(|f| ctx.ref_target(f))
            {
                let f = ctx.function_ids.get(&f).cloned().unwrap_or(f);
                aliases.insert(e.id.to_string(), f);
            }
        }
        // Generated functions (a Serverless service's `…LambdaFunction`) go by another ID.
        for (logical, function) in &ctx.function_ids {
            aliases
                .entry(logical.clone())
                .or_insert_with(|| function.clone());
        }
        Linker { ctx, aliases }
    }

    /// The function in `app` that `node` (a name, ARN, `Ref`, `GetAtt` or an ARN built from
    /// them) designates.
    pub fn function_of(&self, app: &App, node: &Node) -> Option<String> {
        let s = self.ctx.string(node);
        let text = s.as_str()?;
        self.function_in_text(app, text)
    }

    pub fn function_in_text(&self, app: &App, text: &str) -> Option<String> {
        for id in referenced_ids(text) {
            let id = self.aliases.get(id).map(String::as_str).unwrap_or(id);
            if app.function(id).is_some() {
                return Some(id.to_string());
            }
        }
        // A literal name or ARN (`arn:aws:lambda:…:function:name[:alias]`).
        let name = match text.find(":function:") {
            Some(i) => text[i + 10..].split(':').next().unwrap_or(""),
            None => text,
        };
        app.functions
            .iter()
            .find(|f| f.name == name || f.id == name)
            .map(|f| f.id.clone())
    }

    /// `node` as the target of a trigger or link: the function it designates, else `None`.
    pub fn add_trigger(&self, app: &mut App, function: &str, trigger: Trigger) {
        if let Some(f) = app.functions.iter_mut().find(|f| f.id == function) {
            let mut trigger = trigger;
            // One S3 bucket or Cognito user pool invoking a function is one entry point,
            // however many event types or hooks it is configured for.
            let same_source = |t: &Trigger| {
                t.kind == trigger.kind
                    && t.source.as_ref().and_then(|s| s.as_str()).is_some()
                    && t.source.as_ref().and_then(|s| s.as_str())
                        == trigger.source.as_ref().and_then(|s| s.as_str())
            };
            if matches!(trigger.kind, TriggerKind::S3 | TriggerKind::Cognito)
                && f.triggers.iter().any(same_source)
            {
                return;
            }
            if f.triggers.iter().any(|t| t.id == trigger.id) {
                trigger.id = format!("{}-{}", trigger.id, f.triggers.len());
            }
            f.triggers.push(trigger);
        }
    }
}

/// The logical IDs written as `${Id}` / `${Id.Attr}` in an evaluated string.
pub(crate) fn referenced_ids(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        let id = inner.split('.').next().unwrap_or("");
        if !id.is_empty()
            && !id.starts_with("AWS::")
            && id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            out.push(id);
        }
        rest = &after[end + 1..];
    }
    out
}

/// A trigger with no HTTP route.
pub(crate) fn trigger(
    id: impl Into<String>,
    kind: TriggerKind,
    type_name: &str,
    location: Location,
) -> Trigger {
    Trigger {
        id: id.into(),
        kind,
        type_name: type_name.to_string(),
        location,
        source: None,
        http: None,
    }
}

/// An integer property as `u32` (negative or too large: unresolved).
pub(crate) fn u32_attr(ctx: &Context, node: &Node) -> Attr<u32> {
    let a = ctx.int(node);
    match a.known().map(|v| u32::try_from(*v)) {
        Some(Ok(v)) => Attr {
            value: perimeter_model::Value::Known(v),
            origin: a.origin,
            location: a.location,
        },
        Some(Err(_)) => Attr::unresolved("out of range", a.location),
        None => Attr {
            value: perimeter_model::Value::Unresolved(reason(&a.value)),
            origin: a.origin,
            location: a.location,
        },
    }
}

pub(crate) fn reason<T>(v: &perimeter_model::Value<T>) -> String {
    match v {
        perimeter_model::Value::Unresolved(r) => r.clone(),
        perimeter_model::Value::Known(_) => String::new(),
    }
}

/// The source of a trigger: the logical ID when `node` designates a declared resource, else
/// the written value.
pub(crate) fn source_attr(ctx: &Context, node: &Node) -> Attr<String> {
    match ctx.ref_target(node) {
        Some(id) => Attr::explicit(id, ctx.loc(node)),
        None => ctx.string(node),
    }
}

/// Adds every resource of `ctx.template` to `app` (both passes).
pub(crate) fn load_into(app: &mut App, ctx: &Context) {
    load_entries(app, ctx, &entries(ctx));
}

/// Both passes over already evaluated entries.
pub(crate) fn load_entries(app: &mut App, ctx: &Context, entries: &[Entry]) {
    create(app, ctx, entries);
    link(app, ctx, entries);
}

/// Pass one: functions, roles, data stores and APIs.
pub(crate) fn create(app: &mut App, ctx: &Context, entries: &[Entry]) {
    for e in entries {
        if e.type_name.starts_with("AWS::Serverless::") {
            continue;
        }
        match e.type_name {
            "AWS::Lambda::Function" => lambda::function(app, ctx, e),
            "AWS::IAM::Role" => iam::role(app, ctx, e),
            t if t.starts_with("AWS::ApiGateway") => apigw::create(app, ctx, e),
            t if !lambda::is_link(t) && !iam::is_link(t) => data::create(app, ctx, e),
            _ => {}
        }
    }
}

/// Pass two: everything that refers to a function, a role or an API of `app`.
pub(crate) fn link(app: &mut App, ctx: &Context, entries: &[Entry]) {
    let linker = Linker::new(ctx, entries);
    for e in entries {
        if matches!(
            e.type_name,
            "AWS::Lambda::Function" | "AWS::Serverless::Function"
        ) {
            data::logging_config(app, &linker, e);
        }
        if e.type_name.starts_with("AWS::Serverless::") {
            continue;
        }
        lambda::link(app, &linker, e);
        iam::link(app, &linker, e);
        data::link(app, &linker, e);
        events::link(app, &linker, e);
    }
    apigw::link(app, &linker, entries);
    apigw::permission_routes(app, &linker);
}
