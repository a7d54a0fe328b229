//! The SAM transform (`Transform: AWS::Serverless-2016-10-31`), applied to the model directly
//! rather than to the template: `Globals` are merged as the translator merges them (maps key
//! by key, lists concatenated, a local scalar or intrinsic wins) and the values they give are
//! marked [`Origin::Inherited`]; `AWS::Serverless::Function` becomes a function with its
//! triggers, URL and (unless `Role` is given) the role the translator would generate;
//! `AWS::Serverless::Api`/`HttpApi` and the implicit APIs become [`perimeter_model::Api`]s;
//! other serverless types become resources. Locations stay on the SAM source.

pub(crate) mod api;
mod connectors;
mod events;
mod policies;

use super::context::Context;
use super::intrinsics::is_intrinsic;
use super::resources::lambda::{code_path, read_common, set_url, url_cors};
use super::resources::{self, Entry, Linker, source_attr};
use crate::doc::{Node, NodeKind};
use api::{ApiAuth, IMPLICIT_HTTP, IMPLICIT_REST};
use perimeter_model::{
    ApiKind, App, Attr, Function, FunctionUrl, Origin, Principal, PrincipalKind, Resource,
    ResourceKind, Role, Statement,
};
use std::collections::HashMap;

pub const TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// `true` when the template declares the SAM transform (alone or in a list).
pub fn is_sam(template: &Node) -> bool {
    template.get("Transform").is_some_and(|t| {
        t.as_str() == Some(TRANSFORM) || t.items().iter().any(|i| i.as_str() == Some(TRANSFORM))
    })
}

/// Registers the logical IDs the translator generates, so references to them resolve.
pub fn register_generated_ids(ctx: &mut Context) {
    let Some(resources) = ctx.template.get("Resources") else {
        return;
    };
    let mut ids = vec![IMPLICIT_REST.to_string(), IMPLICIT_HTTP.to_string()];
    for (k, v) in resources.entries() {
        if v.get("Type").and_then(Node::as_str) == Some("AWS::Serverless::Function") {
            ids.push(format!("{}Role", k.name));
            ids.push(format!("{}Url", k.name));
            if let Some(alias) = v
                .get("Properties")
                .and_then(|p| p.get("AutoPublishAlias"))
                .and_then(Node::as_str)
            {
                ids.push(format!("{}Alias{}", k.name, alias));
            }
        }
    }
    for id in ids {
        ctx.add_resource_id(id);
    }
}

/// Merges a `Globals` section value under a resource's own value, as SAM does.
fn merge(global: &Node, local: &Node, depth: usize) -> Node {
    let intrinsic = |n: &Node| {
        n.single_entry()
            .is_some_and(|(k, a)| is_intrinsic(&k.name, a))
    };
    if depth > 64 || intrinsic(global) || intrinsic(local) {
        return local.clone();
    }
    match (&global.kind, &local.kind) {
        (NodeKind::Map(g), NodeKind::Map(l)) => {
            let mut out: Vec<_> = Vec::with_capacity(g.len() + l.len());
            for (k, v) in g {
                match l.iter().find(|(lk, _)| lk.name == k.name) {
                    Some((lk, lv)) => out.push((lk.clone(), merge(v, lv, depth + 1))),
                    None => out.push((k.clone(), v.clone())),
                }
            }
            for (k, v) in l {
                if !g.iter().any(|(gk, _)| gk.name == k.name) {
                    out.push((k.clone(), v.clone()));
                }
            }
            Node {
                kind: NodeKind::Map(out),
                ..local.clone()
            }
        }
        (NodeKind::Seq(g), NodeKind::Seq(l)) => Node {
            kind: NodeKind::Seq(g.iter().chain(l).cloned().collect()),
            ..local.clone()
        },
        _ => local.clone(),
    }
}

/// The `Globals` block for one section, and the line range it spans (for `Inherited`).
struct Globals<'t> {
    section: HashMap<&'static str, &'t Node>,
    lines: (u32, u32),
}

impl<'t> Globals<'t> {
    fn new(template: &'t Node) -> Self {
        let mut section = HashMap::new();
        let mut lines = (0, 0);
        if let Some(g) = template.get("Globals") {
            for name in ["Function", "Api", "HttpApi", "WebSocketApi"] {
                if let Some(s) = g.get(name) {
                    section.insert(name, s);
                }
            }
            lines = (g.line, max_line(g, 0));
        }
        Globals { section, lines }
    }

    /// The resource's properties with its section's globals merged under them.
    fn apply(&self, name: &str, props: Option<&Node>, at: &Node) -> Node {
        let empty = Node {
            kind: NodeKind::Map(Vec::new()),
            line: at.line,
            column: at.column,
            tag: None,
        };
        let local = props.filter(|p| p.is_map()).unwrap_or(&empty);
        let Some(g) = self.section.get(name) else {
            return local.clone();
        };
        // The resource attribute `IgnoreGlobals: '*'` (or a list of property names) opts
        // the resource out of (some) globals.
        let ignored: Vec<&str> = match at
            .get("IgnoreGlobals")
            .or_else(|| local.get("IgnoreGlobals"))
        {
            Some(i) if i.as_str().is_some() => i.as_str().into_iter().collect(),
            Some(i) => i.items().iter().filter_map(Node::as_str).collect(),
            None => Vec::new(),
        };
        if ignored.contains(&"*") {
            return local.clone();
        }
        if ignored.is_empty() {
            return merge(g, local, 0);
        }
        let kept = Node {
            kind: NodeKind::Map(
                g.entries()
                    .iter()
                    .filter(|(k, _)| !ignored.contains(&k.name.as_str()))
                    .cloned()
                    .collect(),
            ),
            ..(*g).clone()
        };
        merge(&kept, local, 0)
    }

    fn inherited<T>(&self, a: &mut Attr<T>) {
        if self.lines.0 > 0 && (self.lines.0..=self.lines.1).contains(&a.location.line) {
            a.origin = Origin::Inherited;
        }
    }
}

fn max_line(n: &Node, depth: usize) -> u32 {
    if depth > 300 {
        return n.line;
    }
    let children = match &n.kind {
        NodeKind::Map(m) => m
            .iter()
            .map(|(k, v)| k.line.max(max_line(v, depth + 1)))
            .max(),
        NodeKind::Seq(s) => s.iter().map(|v| max_line(v, depth + 1)).max(),
        _ => None,
    };
    children.unwrap_or(n.line).max(n.line)
}

/// Loads the `AWS::Serverless::*` resources of a SAM template into `app`. Run before
/// the plain resources (which skip them); [`finish`] runs after it.
pub(crate) fn load(app: &mut App, ctx: &Context, entries: &[Entry]) -> Pending {
    let globals = Globals::new(ctx.template);
    let linker = Linker::new(ctx, entries);
    let mut apis: HashMap<String, ApiAuth> = HashMap::new();

    // APIs first: events look their authorizers up.
    for e in entries {
        let (section, kind) = match e.type_name {
            "AWS::Serverless::Api" => ("Api", ApiKind::Rest),
            "AWS::Serverless::HttpApi" => ("HttpApi", ApiKind::Http),
            _ => continue,
        };
        let props = ctx.evaluate(&globals.apply(section, e.node.get("Properties"), e.node));
        let (mut model, auth) = api::build(ctx, e.id, kind, &props, e.loc(ctx));
        mark_api_inherited(&mut model, &globals);
        app.apis.push(model);
        apis.insert(e.id.to_string(), auth);
    }
    let uses = |ty: &str, api_key: &str| {
        entries
            .iter()
            .filter(|e| e.type_name == "AWS::Serverless::Function")
            .any(|e| {
                e.prop("Events").is_some_and(|ev| {
                    ev.entries().iter().any(|(_, v)| {
                        v.get("Type").and_then(Node::as_str) == Some(ty)
                            && v.get("Properties").and_then(|p| p.get(api_key)).is_none()
                    })
                })
            })
    };
    for (id, section, kind, ty, key) in [
        (IMPLICIT_REST, "Api", ApiKind::Rest, "Api", "RestApiId"),
        (IMPLICIT_HTTP, "HttpApi", ApiKind::Http, "HttpApi", "ApiId"),
    ] {
        if uses(ty, key) && !apis.contains_key(id) {
            let at = ctx.template.get("Resources").unwrap_or(ctx.template);
            let props = ctx.evaluate(&globals.apply(section, None, at));
            let (mut model, auth) = api::build(ctx, id, kind, &props, ctx.loc(at));
            mark_api_inherited(&mut model, &globals);
            app.apis.push(model);
            apis.insert(id.to_string(), auth);
        }
    }

    for e in entries {
        match e.type_name {
            "AWS::Serverless::Function" => function(app, ctx, &linker, &globals, &apis, e),
            "AWS::Serverless::SimpleTable" => {
                let mut r = Resource::new(e.id, ResourceKind::Table, e.type_name, e.loc(ctx));
                r.name = e.prop("TableName").map(|n| ctx.string(n));
                app.resources.push(r);
            }
            t if t.starts_with("AWS::Serverless::")
                && !matches!(t, "AWS::Serverless::Api" | "AWS::Serverless::HttpApi") =>
            {
                let layer = t == "AWS::Serverless::LayerVersion";
                let kind = if layer {
                    ResourceKind::Layer
                } else {
                    ResourceKind::Other
                };
                let mut r = Resource::new(e.id, kind, e.type_name, e.loc(ctx));
                if layer {
                    r.code_path = e.prop("ContentUri").and_then(|c| code_path(ctx, c));
                }
                r.name = e
                    .prop("LayerName")
                    .or_else(|| e.prop("Name"))
                    .map(|n| ctx.string(n));
                app.resources.push(r);
            }
            _ => {}
        }
    }

    for e in entries
        .iter()
        .filter(|e| e.type_name == "AWS::Serverless::WebSocketApi")
    {
        let props = ctx.evaluate(&globals.apply("WebSocketApi", e.node.get("Properties"), e.node));
        websocket(app, ctx, &linker, e, &props);
    }

    Pending { apis }
}

/// What [`load`] leaves for [`finish`]: the APIs' auth tables, for routes written only in an
/// inline definition (their functions may be plain `AWS::Lambda::Function`s loaded later).
pub(crate) struct Pending {
    apis: HashMap<String, ApiAuth>,
}

/// `AWS::Serverless::WebSocketApi`: the API and one trigger per route. `Auth` applies to the
/// `$connect` route only, as in API Gateway.
fn websocket(app: &mut App, ctx: &Context, linker: &Linker, e: &Entry, props: &Node) {
    use crate::cloudformation::resources::apigw::route_trigger;
    use perimeter_model::Auth;
    let mut model = perimeter_model::Api::new(e.id, ApiKind::WebSocket, e.loc(ctx));
    if let Some(l) = props.get("AccessLogSettings")
        && l.get("DestinationArn").is_some()
    {
        model.access_logging = Attr::explicit(true, ctx.loc(l));
    }
    app.apis.push(model);
    let auth_type = props
        .get("Auth")
        .and_then(|a| a.get("AuthType"))
        .map(|t| ctx.string(t));
    for (key, route) in props.get("Routes").map(Node::entries).unwrap_or_default() {
        let Some(f) = route
            .get("FunctionArn")
            .and_then(|n| linker.function_of(app, n))
        else {
            continue;
        };
        let loc = perimeter_model::Location::new(ctx.file, key.line, key.column);
        let auth = match (key.name.as_str(), &auth_type) {
            ("$connect", Some(t)) => match t.as_str() {
                Some("NONE") => Attr::explicit(Auth::None, t.location.clone()),
                Some("AWS_IAM") => Attr::explicit(Auth::Iam, t.location.clone()),
                Some("CUSTOM") => Attr::explicit(
                    Auth::Lambda(format!("{}Authorizer", e.id)),
                    t.location.clone(),
                ),
                _ => Attr::unresolved("AuthType cannot be evaluated", t.location.clone()),
            },
            _ => Attr::defaulted(Auth::None, loc.clone()),
        };
        let api_key = match route.get("ApiKeyRequired") {
            Some(k) => ctx.bool(k),
            None => Attr::defaulted(false, loc.clone()),
        };
        route_trigger(
            app,
            linker,
            &f,
            &key.name,
            "WebSocketApi",
            e.id,
            "ANY",
            &key.name,
            auth,
            api_key,
            loc,
        );
    }
}

/// Routes of an inline `DefinitionBody` not already added by an event.
fn body_only_routes(
    app: &mut App,
    ctx: &Context,
    linker: &Linker,
    api_id: &str,
    auth: &ApiAuth,
    body: &Node,
) {
    use crate::cloudformation::openapi;
    use crate::cloudformation::resources::apigw::route_trigger;
    for r in openapi::routes(ctx, body) {
        let Some(uri) = r.uri else { continue };
        let Some(f) = linker.function_of(app, uri) else {
            continue;
        };
        let exists = app.function(&f).is_some_and(|func| {
            func.triggers.iter().any(|t| {
                t.http.as_ref().is_some_and(|h| {
                    h.api.as_deref() == Some(api_id) && h.method == r.method && h.path == r.path
                })
            })
        });
        if exists {
            continue;
        }
        let loc = ctx.loc(r.op);
        let a = if r.op.get("security").is_none() && auth.default_authorizer.is_some() {
            auth.auth_for(ctx, &r.method, None, loc.clone())
        } else {
            Attr::explicit(r.auth, loc.clone())
        };
        let key = Attr::explicit(r.api_key || auth.api_key_required, loc.clone());
        let type_name = if auth.kind == ApiKind::Rest {
            "Api"
        } else {
            "HttpApi"
        };
        let id = format!("{} {}", r.method, r.path);
        route_trigger(
            app, linker, &f, &id, type_name, api_id, &r.method, &r.path, a, key, loc,
        );
    }
}

fn function(
    app: &mut App,
    ctx: &Context,
    linker: &Linker,
    globals: &Globals,
    apis: &HashMap<String, ApiAuth>,
    e: &Entry,
) {
    let props = ctx.evaluate(&globals.apply("Function", e.node.get("Properties"), e.node));
    let loc = e.loc(ctx);
    let mut f = Function::new(e.id, loc.clone());
    read_common(&mut f, ctx, &props);
    if let Some(c) = props.get("CodeUri") {
        f.code_path = code_path(ctx, c);
    }
    if let Some(inline) = props.get("InlineCode") {
        f.inline_code = Some(ctx.string(inline));
    }
    if props.get("ImageUri").is_some() && props.get("PackageType").is_none() {
        f.package_type = Attr::explicit("Image".to_string(), loc.clone());
    }
    if let Some(t) = props.get("Tracing").filter(|t| !t.is_null()) {
        f.tracing = ctx.string(t).map(|m| m == "Active");
    }
    if let Some(target) = props
        .get("DeadLetterQueue")
        .and_then(|d| d.get("TargetArn"))
    {
        f.dead_letter = Some(source_attr(ctx, target));
    }
    let dest = props
        .get("EventInvokeConfig")
        .and_then(|c| c.get("DestinationConfig"));
    let destination = |k: &str| {
        let d = dest.and_then(|d| d.get(k))?;
        match d.get("Destination") {
            Some(n) => Some(source_attr(ctx, n)),
            None => d
                .get("Type")
                .map(|t| ctx.string(t).map(|t| format!("{t} (generated)"))),
        }
    };
    f.on_failure = destination("OnFailure");
    f.on_success = destination("OnSuccess");
    let generated_role = props.get("Role").is_none();
    if generated_role {
        f.role = Attr::defaulted(format!("{}Role", e.id), loc.clone());
    }
    mark_inherited(&mut f, globals);
    app.functions.push(f);

    if let Some(url) = props.get("FunctionUrlConfig") {
        let u = FunctionUrl {
            auth_type: url
                .get("AuthType")
                .map(|a| ctx.string(a))
                .unwrap_or_else(|| Attr::unresolved("no AuthType", ctx.loc(url))),
            cors: url.get("Cors").map(|c| url_cors(ctx, c)),
            location: ctx.loc(url),
        };
        // The translator's public-access permission for an unauthenticated URL.
        if u.auth_type.as_str() == Some("NONE") {
            let at = u.auth_type.clone();
            app.permissions.push(perimeter_model::Permission {
                id: format!("{}UrlPublicPermissions", e.id),
                function: Attr::defaulted(e.id.to_string(), loc.clone()),
                action: Attr::defaulted(
                    "lambda:InvokeFunctionUrl".to_string(),
                    at.location.clone(),
                ),
                principal: Attr::defaulted("*".to_string(), at.location.clone()),
                source_arn: None,
                source_account: None,
                principal_org_id: None,
                function_url_auth_type: Some(at.clone()),
                location: at.location,
            });
        }
        set_url(app, linker, e.id, u);
    }

    let mut needs = events::RoleNeeds::default();
    for (key, ev) in props.get("Events").map(Node::entries).unwrap_or_default() {
        let Some(ty) = ev.get("Type").and_then(|t| ctx.string(t).known().cloned()) else {
            continue;
        };
        let empty = Node::null(key.line, key.column);
        let ev_props = ev.get("Properties").unwrap_or(&empty);
        events::event(app, ctx, linker, apis, e.id, key, &ty, ev_props, &mut needs);
    }

    if generated_role {
        app.roles.push(role(ctx, e, &props, needs));
    }
}

/// Marks the stage settings an API took from `Globals` as inherited.
fn mark_api_inherited(api: &mut perimeter_model::Api, g: &Globals) {
    g.inherited(&mut api.tracing);
    g.inherited(&mut api.access_logging);
    if let Some(a) = &mut api.throttle_rate {
        g.inherited(a);
    }
    if let Some(a) = &mut api.throttle_burst {
        g.inherited(a);
    }
}

/// Marks every value that came from `Globals` as inherited.
fn mark_inherited(f: &mut Function, g: &Globals) {
    g.inherited(&mut f.runtime);
    g.inherited(&mut f.handler);
    g.inherited(&mut f.package_type);
    g.inherited(&mut f.timeout);
    g.inherited(&mut f.memory);
    g.inherited(&mut f.tracing);
    g.inherited(&mut f.role);
    for a in [
        &mut f.code_path,
        &mut f.dead_letter,
        &mut f.on_failure,
        &mut f.on_success,
        &mut f.code_signing,
    ]
    .into_iter()
    .flatten()
    {
        g.inherited(a);
    }
    if let Some(a) = &mut f.reserved_concurrency {
        g.inherited(a);
    }
    if let Some(a) = &mut f.vpc {
        g.inherited(a);
    }
    for v in &mut f.environment {
        g.inherited(&mut v.value);
    }
    for l in &mut f.layers {
        g.inherited(l);
    }
}

/// The role the translator generates for a function without `Role`.
fn role(ctx: &Context, e: &Entry, props: &Node, needs: events::RoleNeeds) -> Role {
    let loc = e.loc(ctx);
    let mut r = Role::new(format!("{}Role", e.id), loc.clone(), true);
    let managed = |name: &str| Attr::defaulted(policies::managed_arn(name), loc.clone());
    let durable = props.get("DurableConfig").is_some();
    r.managed_policy_arns.push(managed(if durable {
        "AWSLambdaBasicDurableExecutionRolePolicy"
    } else {
        "AWSLambdaBasicExecutionRole"
    }));
    let tracing = props.get("Tracing").map(|t| ctx.string(t));
    // The translator adds X-Ray access for any tracing mode but `Disabled` (or empty).
    if tracing
        .as_ref()
        .and_then(|t| t.as_str())
        .is_some_and(|t| !matches!(t, "Disabled" | ""))
    {
        r.managed_policy_arns
            .push(managed("AWSXrayWriteOnlyAccess"));
    }
    if props.get("VpcConfig").is_some() {
        r.managed_policy_arns
            .push(managed("AWSLambdaVPCAccessExecutionRole"));
    }
    for m in needs.managed {
        let arn = managed(m);
        if !r
            .managed_policy_arns
            .iter()
            .any(|a| a.as_str() == arn.as_str())
        {
            r.managed_policy_arns.push(arn);
        }
    }
    if let Some(p) = props.get("Policies") {
        policies::apply(ctx, &mut r, e.id, p);
    }
    if let Some(dlq) = props.get("DeadLetterQueue") {
        let action: &'static [&'static str] = match dlq
            .get("Type")
            .and_then(|t| ctx.string(t).known().cloned())
            .as_deref()
        {
            Some("SNS") => &["sns:Publish"],
            _ => &["sqs:SendMessage"],
        };
        let target = dlq
            .get("TargetArn")
            .map(|t| ctx.string(t))
            .unwrap_or_else(|| Attr::unresolved("no TargetArn", loc.clone()));
        policies::generated(
            ctx,
            &mut r,
            "DeadLetterQueuePolicy".to_string(),
            dlq,
            &[(action, target)],
        );
    }
    if let Some(dest) = props
        .get("EventInvokeConfig")
        .and_then(|c| c.get("DestinationConfig"))
    {
        for which in ["OnSuccess", "OnFailure"] {
            let Some(d) = dest.get(which) else { continue };
            let ty = d
                .get("Type")
                .and_then(|t| ctx.string(t).known().cloned())
                .unwrap_or_default();
            let actions: &'static [&'static str] = match ty.as_str() {
                "SQS" => &["sqs:SendMessage"],
                "SNS" => &["sns:publish"],
                "Lambda" => &["lambda:InvokeFunction"],
                "EventBridge" => &["events:PutEvents"],
                "S3Bucket" | "S3" => &["s3:PutObject", "s3:ListBucket"],
                _ => continue,
            };
            let target = d
                .get("Destination")
                .map(|t| ctx.string(t))
                .unwrap_or_else(|| Attr::unresolved("generated destination", loc.clone()));
            let name = format!("{}EventInvokeConfig{which}{ty}Policy", e.id);
            policies::generated(ctx, &mut r, name, d, &[(actions, target)]);
        }
    }
    for (name, statements) in needs.inline {
        policies::generated(ctx, &mut r, name, e.node, &statements);
    }
    r.trust = match props.get("AssumeRolePolicyDocument") {
        Some(doc) => super::parse_statements(ctx, doc),
        None => {
            let mut st = Statement::new(loc.clone());
            st.actions = vec![Attr::defaulted("sts:AssumeRole".to_string(), loc.clone())];
            st.principals = vec![Principal {
                kind: PrincipalKind::Service,
                value: Attr::defaulted("lambda.amazonaws.com".to_string(), loc.clone()),
            }];
            vec![st]
        }
    };
    if let Some(b) = props.get("PermissionsBoundary") {
        r.permissions_boundary = Some(ctx.string(b));
    }
    r
}

/// After the plain resources are loaded: resources that SAM events subscribe to get the
/// function in `notifies` (S3 buckets, SNS topics).
pub(crate) fn finish(app: &mut App, ctx: &Context, entries: &[Entry], pending: Pending) {
    let linker = Linker::new(ctx, entries);
    // Routes written only in an explicit API's inline definition.
    let mut ids: Vec<&String> = pending.apis.keys().collect();
    ids.sort();
    for id in ids {
        let auth = &pending.apis[id];
        if let Some(body) = &auth.body {
            body_only_routes(app, ctx, &linker, id, auth, body);
        }
    }
    connectors::apply(app, ctx, entries);
    resources::apigw::permission_routes(app, &linker);
    let mut links: Vec<(String, Attr<String>)> = Vec::new();
    for f in &app.functions {
        for t in &f.triggers {
            if matches!(
                t.kind,
                perimeter_model::TriggerKind::S3 | perimeter_model::TriggerKind::Sns
            ) && matches!(t.type_name.as_str(), "S3" | "SNS")
                && let Some(src) = t.source.as_ref().and_then(|s| s.as_str())
            {
                links.push((
                    src.to_string(),
                    Attr::explicit(f.id.clone(), t.location.clone()),
                ));
            }
        }
    }
    for (rid, f) in links {
        if let Some(r) = app.resources.iter_mut().find(|r| r.id == rid) {
            r.notifies.push(f);
        }
    }
}
