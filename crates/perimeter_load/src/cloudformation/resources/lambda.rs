//! `AWS::Lambda::*`: functions (with the properties SAM shares), permissions, URLs, event
//! source mappings, asynchronous invoke configurations, code signing configs and layers.

use super::{Entry, Linker, source_attr, trigger, u32_attr};
use crate::cloudformation::context::Context;
use crate::doc::Node;
use perimeter_model::{
    App, Attr, Auth, Cors, EnvVar, Function, FunctionUrl, HttpRoute, Permission, Resource,
    ResourceKind, TriggerKind,
};

/// Types that only link other things together (no model object of their own).
pub(crate) fn is_link(type_name: &str) -> bool {
    matches!(
        type_name,
        "AWS::Lambda::Permission"
            | "AWS::Lambda::Url"
            | "AWS::Lambda::EventSourceMapping"
            | "AWS::Lambda::EventInvokeConfig"
            | "AWS::Lambda::Alias"
            | "AWS::Lambda::Version"
    )
}

pub(crate) fn function(app: &mut App, ctx: &Context, e: &Entry) {
    let mut f = Function::new(e.id, e.loc(ctx));
    read_common(&mut f, ctx, &e.props);
    if let Some(code) = e.prop("Code") {
        f.code_path = code_path(ctx, code);
        if let Some(zip_file) = code.get("ZipFile") {
            f.inline_code = Some(ctx.string(zip_file));
        }
    }
    if let Some(mode) = e.prop("TracingConfig").and_then(|t| t.get("Mode")) {
        f.tracing = ctx.string(mode).map(|m| m == "Active");
    }
    if let Some(target) = e.prop("DeadLetterConfig").and_then(|d| d.get("TargetArn")) {
        f.dead_letter = Some(source_attr(ctx, target));
    }
    app.functions.push(f);
}

/// Properties a plain function and a SAM function write the same way.
pub(crate) fn read_common(f: &mut Function, ctx: &Context, props: &Node) {
    if let Some(n) = props.get("FunctionName")
        && let Some(name) = ctx.string(n).known()
    {
        f.name = name.clone();
    }
    if let Some(n) = props.get("Runtime") {
        f.runtime = ctx.string(n);
    }
    if let Some(n) = props.get("Handler") {
        f.handler = ctx.string(n);
    }
    if let Some(n) = props.get("PackageType") {
        f.package_type = ctx.string(n);
    }
    if let Some(n) = props.get("Timeout") {
        f.timeout = u32_attr(ctx, n);
    }
    if let Some(n) = props.get("MemorySize") {
        f.memory = u32_attr(ctx, n);
    }
    if let Some(n) = props.get("ReservedConcurrentExecutions") {
        f.reserved_concurrency = Some(ctx.int(n));
    }
    if let Some(vars) = props.get("Environment").and_then(|e| e.get("Variables")) {
        for (k, v) in vars.entries() {
            f.environment.push(EnvVar {
                name: k.name.clone(),
                value: ctx.string(v),
                location: perimeter_model::Location::new(ctx.file, k.line, k.column),
            });
        }
    }
    if let Some(n) = props.get("Role") {
        f.role = match ctx.ref_target(n) {
            Some(id) => Attr::explicit(id, ctx.loc(n)),
            None => ctx.string(n),
        };
    }
    if let Some(n) = props.get("CodeSigningConfigArn") {
        f.code_signing = Some(source_attr(ctx, n));
    }
    if let Some(n) = props.get("Layers") {
        f.layers = n.items().iter().map(|l| source_attr(ctx, l)).collect();
    }
    if let Some(n) = props.get("VpcConfig") {
        let has_subnets = n
            .get("SubnetIds")
            .is_some_and(|s| !s.items().is_empty() || !s.is_seq());
        f.vpc = Some(Attr::explicit(has_subnets, ctx.loc(n)));
    }
    if let Some(n) = props.get("Architectures") {
        f.architectures = ctx
            .strings(n)
            .into_iter()
            .filter_map(|a| a.known().cloned())
            .collect();
    }
}

/// The on-disk code folder of `Code`/`CodeUri`, relative to the scan root: the template's
/// folder joined with a local path. S3 locations, inline code and images have none.
pub(crate) fn code_path(ctx: &Context, node: &Node) -> Option<Attr<String>> {
    let s = ctx.string(node);
    let path = s.as_str()?;
    if path.contains("://") || path.starts_with("${") || path.is_empty() {
        return None;
    }
    let dir = match ctx.file.rfind('/') {
        Some(i) => &ctx.file[..i],
        None => "",
    };
    Some(Attr::explicit(join_relative(dir, path), s.location))
}

/// Joins and normalises `dir/path` lexically (`.` and `..` resolved, no leading `./`).
pub(crate) fn join_relative(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let base = if absolute { "" } else { dir };
    for p in base.split('/').chain(path.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// A function URL's CORS block (`AllowOrigins`, `AllowCredentials`).
pub(crate) fn url_cors(ctx: &Context, node: &Node) -> Cors {
    Cors {
        allow_origins: node
            .get("AllowOrigins")
            .map(|o| ctx.strings(o))
            .unwrap_or_default(),
        allow_credentials: node.get("AllowCredentials").map(|c| ctx.bool(c)),
        location: ctx.loc(node),
    }
}

/// Sets a function URL and its `FunctionUrl` trigger.
pub(crate) fn set_url(app: &mut App, linker: &Linker, function: &str, url: FunctionUrl) {
    let auth = match url.auth_type.as_str() {
        Some("NONE") => Attr::explicit(Auth::None, url.auth_type.location.clone()),
        Some("AWS_IAM") => Attr::explicit(Auth::Iam, url.auth_type.location.clone()),
        _ => Attr::unresolved(
            "AuthType cannot be evaluated",
            url.auth_type.location.clone(),
        ),
    };
    let mut t = trigger(
        "FunctionUrl",
        TriggerKind::FunctionUrl,
        "FunctionUrl",
        url.location.clone(),
    );
    t.http = Some(HttpRoute {
        api: None,
        method: "ANY".to_string(),
        path: "/".to_string(),
        auth,
        api_key_required: Attr::defaulted(false, url.location.clone()),
        private: Attr::defaulted(false, url.location.clone()),
        cors: url.cors.clone(),
    });
    linker.add_trigger(app, function, t);
    if let Some(f) = app.functions.iter_mut().find(|f| f.id == function) {
        f.url = Some(url);
    }
}

/// The trigger kind of an event source mapping, from its source's ARN or declared type.
pub(crate) fn mapping_kind(linker: &Linker, e: &Entry) -> TriggerKind {
    let ctx = linker.ctx;
    if e.prop("SelfManagedEventSource").is_some() {
        return TriggerKind::Kafka;
    }
    let Some(arn) = e.prop("EventSourceArn") else {
        return TriggerKind::Other;
    };
    if let Some(id) = ctx.ref_target(arn) {
        match ctx.resource_type(id.as_str()) {
            Some("AWS::SQS::Queue") => return TriggerKind::Sqs,
            Some("AWS::Kinesis::Stream" | "AWS::Kinesis::StreamConsumer") => {
                return TriggerKind::Kinesis;
            }
            Some(
                "AWS::DynamoDB::Table"
                | "AWS::DynamoDB::GlobalTable"
                | "AWS::Serverless::SimpleTable",
            ) => {
                return TriggerKind::DynamoDb;
            }
            Some("AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster") => return TriggerKind::Msk,
            Some("AWS::AmazonMQ::Broker") => return TriggerKind::Mq,
            _ => {}
        }
    }
    let text = ctx.string(arn).as_str().unwrap_or("").to_string();
    kind_from_arn(&text).unwrap_or(if e.prop("Queues").is_some() {
        TriggerKind::Mq
    } else if e.prop("Topics").is_some() {
        TriggerKind::Msk
    } else {
        TriggerKind::Other
    })
}

/// The event source kind an ARN names (`arn:aws:sqs:…`, `…:kinesis:…`, …).
pub(crate) fn kind_from_arn(arn: &str) -> Option<TriggerKind> {
    let service = arn.strip_prefix("arn:")?.split(':').nth(1)?;
    Some(match service {
        "sqs" => TriggerKind::Sqs,
        "kinesis" => TriggerKind::Kinesis,
        "dynamodb" => TriggerKind::DynamoDb,
        "kafka" => TriggerKind::Msk,
        "mq" => TriggerKind::Mq,
        _ => return None,
    })
}

pub(crate) fn link(app: &mut App, linker: &Linker, e: &Entry) {
    let ctx = linker.ctx;
    let target = |name: &str| e.prop(name).and_then(|n| linker.function_of(app, n));
    match e.type_name {
        "AWS::Lambda::Permission" => {
            let Some(fnode) = e.prop("FunctionName") else {
                return;
            };
            // `InvokedViaFunctionUrl: true` only lets the function URL call the function: it
            // grants nothing beyond the URL's own `lambda:InvokeFunctionUrl` permission, and the
            // model has no field to tell it from a plain public invoke permission.
            if e.prop("InvokedViaFunctionUrl")
                .is_some_and(|v| ctx.bool(v).known() == Some(&true))
            {
                return;
            }
            let func = target("FunctionName");
            let function = match &func {
                Some(id) => Attr::explicit(id.clone(), ctx.loc(fnode)),
                None => ctx.string(fnode),
            };
            let get = |k: &str| e.prop(k).map(|n| ctx.string(n));
            let p = Permission {
                id: e.id.to_string(),
                function,
                action: get("Action").unwrap_or_else(|| Attr::unresolved("no Action", e.loc(ctx))),
                principal: get("Principal")
                    .unwrap_or_else(|| Attr::unresolved("no Principal", e.loc(ctx))),
                source_arn: get("SourceArn"),
                source_account: get("SourceAccount"),
                principal_org_id: get("PrincipalOrgID"),
                function_url_auth_type: get("FunctionUrlAuthType"),
                location: e.loc(ctx),
            };
            // Alexa skills exist only as a permission for the Alexa service.
            if p.principal.as_str() == Some("alexa-appkit.amazon.com")
                && let Some(f) = &func
            {
                let mut t = trigger(e.id, TriggerKind::Alexa, e.type_name, e.loc(ctx));
                t.source = p.source_arn.clone().or_else(|| get("EventSourceToken"));
                linker.add_trigger(app, f, t);
            }
            app.permissions.push(p);
        }
        "AWS::Lambda::Url" => {
            let Some(f) = target("TargetFunctionArn") else {
                return;
            };
            let url = FunctionUrl {
                auth_type: e
                    .prop("AuthType")
                    .map(|a| ctx.string(a))
                    .unwrap_or_else(|| Attr::unresolved("no AuthType", e.loc(ctx))),
                cors: e.prop("Cors").map(|c| url_cors(ctx, c)),
                location: e.loc(ctx),
            };
            set_url(app, linker, &f, url);
        }
        "AWS::Lambda::EventSourceMapping" => {
            let Some(f) = target("FunctionName") else {
                return;
            };
            let kind = mapping_kind(linker, e);
            let mut t = trigger(e.id, kind, e.type_name, e.loc(ctx));
            t.source = e
                .prop("EventSourceArn")
                .map(|a| source_attr(ctx, a))
                .or_else(|| {
                    e.prop("SelfManagedEventSource")
                        .and_then(|s| s.get("Endpoints"))
                        .and_then(|s| s.get("KafkaBootstrapServers"))
                        .and_then(|s| ctx.strings(s).into_iter().next())
                });
            linker.add_trigger(app, &f, t);
        }
        "AWS::Lambda::EventInvokeConfig" => {
            let Some(f) = target("FunctionName") else {
                return;
            };
            let dest = e.prop("DestinationConfig");
            let on = |k: &str| {
                dest.and_then(|d| d.get(k))
                    .and_then(|d| d.get("Destination"))
                    .map(|d| source_attr(ctx, d))
            };
            let (fail, success) = (on("OnFailure"), on("OnSuccess"));
            if let Some(func) = app.functions.iter_mut().find(|x| x.id == f) {
                func.on_failure = fail.or(func.on_failure.take());
                func.on_success = success.or(func.on_success.take());
            }
        }
        "AWS::Lambda::CodeSigningConfig"
        | "AWS::Lambda::LayerVersion"
        | "AWS::Lambda::LayerVersionPermission" => {}
        _ => {}
    }
}

/// Non-function Lambda resources worth keeping as resources.
pub(crate) fn other_resource(ctx: &Context, e: &Entry) -> Resource {
    let layer = e.type_name == "AWS::Lambda::LayerVersion";
    let kind = if layer {
        ResourceKind::Layer
    } else {
        ResourceKind::Other
    };
    let mut r = Resource::new(e.id, kind, e.type_name, e.loc(ctx));
    if layer {
        // `aws cloudformation package` accepts a local path for `Content`.
        r.code_path = e
            .prop("Content")
            .filter(|c| c.as_str().is_some())
            .and_then(|c| code_path(ctx, c));
    }
    if let Some(n) = e.prop("LayerName") {
        r.name = Some(ctx.string(n));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::join_relative;

    #[test]
    fn code_paths() {
        assert_eq!(join_relative("app", "./src"), "app/src");
        assert_eq!(join_relative("app/sub", "../src/"), "app/src");
        assert_eq!(join_relative("", "."), ".");
        assert_eq!(join_relative("", "../x"), "../x");
    }
}
