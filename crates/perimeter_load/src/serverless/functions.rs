//! One entry of `functions:` into a [`Function`]: its own settings, those it inherits from
//! `provider:` (marked [`Origin::Inherited`](perimeter_model::Origin)), the framework's
//! defaults (1024 MB, 6 s), its URL, its triggers, and which role it runs with.

use super::events::Events;
use super::iam::{self, RoleNeeds, SHARED_ROLE};
use super::provider::Provider;
use super::read::{Reader, first, inherited, normalize_name};
use super::variables::unresolved_reason;
use crate::doc::{Key, Node};
use perimeter_model::{App, Attr, EnvVar, Function, FunctionUrl, Permission, Trigger, TriggerKind};
use perimeter_model::{Auth, HttpRoute};
use std::path::Path;

/// The framework's default memory size and timeout (not Lambda's 128 MB / 3 s).
const DEFAULT_MEMORY: u32 = 1024;
const DEFAULT_TIMEOUT: u32 = 6;

/// How a function gets its role.
pub enum RolePlan<'n> {
    /// `role:` on the function or the provider: nothing is generated.
    Existing,
    /// The shared `IamRoleLambdaExecution`.
    Shared,
    /// Its own generated role (`{Fn}IamRoleLambdaExecution`), from these statement and
    /// managed-policy lists, plus the provider's when `inherit` is set.
    Own {
        statements: Vec<&'n Node>,
        managed: Vec<&'n Node>,
        inherit: bool,
    },
    /// Not an AWS function: no role.
    None,
}

/// A function and what it asks of the roles and permissions around it.
pub struct Built<'n> {
    pub function: Function,
    pub plan: RolePlan<'n>,
    pub needs: RoleNeeds,
    pub permission: Option<Permission>,
}

/// Where the service lives, for code paths.
pub struct Service<'a> {
    /// The scan root on disk.
    pub root: &'a Path,
    /// The service folder relative to the root (`""` at the root).
    pub dir: &'a str,
    /// The service-level `package.artifact`, when set.
    pub artifact: Option<&'a Node>,
    /// Logical IDs of the layers the service's `layers:` block declares (`{Name}LambdaLayer`).
    pub layers: Vec<String>,
}

pub fn build<'n>(
    reader: &Reader,
    app: &App,
    provider: &Provider<'n>,
    events: &Events,
    service: &Service,
    key: &Key,
    node: &'n Node,
) -> Built<'n> {
    let location = reader.loc(&Node::null(key.line, key.column));
    let mut f = Function::new(key.name.clone(), location.clone());
    let aws = provider.is_aws();
    let own = |k: &str| node.get(k);
    let inherit = |k: &str| provider.get(k);

    // The deployed name: as written, else the framework's `{service}-{stage}-{key}`.
    let deployed = match own("name") {
        Some(n) => reader.string(n).as_str().map(str::to_string),
        None => provider.prefix().map(|p| format!("{p}-{}", key.name)),
    };
    f.name = deployed.clone().unwrap_or_else(|| key.name.clone());
    if let Some(h) = own("handler") {
        f.handler = reader.string(h);
    }
    let image = own("image").filter(|n| !n.is_null());
    if let Some(img) = image {
        f.package_type = Attr::explicit("Image".to_string(), reader.loc(img));
        f.runtime = Attr::unresolved(
            "container image (runtime inside the image)",
            reader.loc(img),
        );
    } else {
        // A prebuilt `package.artifact` (function level, else service level) is the code;
        // otherwise the handler's folder in the service.
        let artifact = own("package")
            .and_then(|p| p.get("artifact"))
            .or(service.artifact);
        f.code_path = artifact
            .and_then(|a| artifact_path(reader, service, a))
            .or_else(|| code_path(service, &f.handler));
        match (own("runtime"), inherit("runtime")) {
            (Some(r), _) => f.runtime = reader.string(r),
            (None, Some(r)) => f.runtime = inherited(reader.string(r)),
            (None, None) => {
                f.runtime = Attr::unresolved(
                    "no runtime declared (the framework's default depends on its version)",
                    location.clone(),
                )
            }
        }
    }
    match (own("timeout"), inherit("timeout")) {
        (Some(t), _) => f.timeout = reader.u32(t),
        (None, Some(t)) => f.timeout = inherited(reader.u32(t)),
        (None, None) if aws => f.timeout = Attr::defaulted(DEFAULT_TIMEOUT, location.clone()),
        _ => {}
    }
    match (own("memorySize"), inherit("memorySize")) {
        (Some(m), _) => f.memory = reader.u32(m),
        (None, Some(m)) => f.memory = inherited(reader.u32(m)),
        (None, None) if aws => f.memory = Attr::defaulted(DEFAULT_MEMORY, location.clone()),
        _ => {}
    }
    f.reserved_concurrency = own("reservedConcurrency").map(|n| reader.i64(n));
    f.environment = environment(reader, inherit("environment"), own("environment"));
    f.tracing = match (own("tracing"), provider.path(&["tracing", "lambda"])) {
        (Some(t), _) => tracing(reader, t),
        (None, Some(t)) => inherited(tracing(reader, t)),
        (None, None) => Attr::defaulted(false, location.clone()),
    };
    f.dead_letter = own("onError").map(|n| reader.string(n));
    if let Some(d) = own("destinations") {
        f.on_failure = d.get("onFailure").map(|n| destination(reader, n));
        f.on_success = d.get("onSuccess").map(|n| destination(reader, n));
    }
    f.layers = match (own("layers"), inherit("layers")) {
        (Some(l), _) => layers(reader, service, l),
        (None, Some(l)) => layers(reader, service, l)
            .into_iter()
            .map(inherited)
            .collect(),
        _ => Vec::new(),
    };
    f.vpc = match (own("vpc"), inherit("vpc")) {
        (Some(v), _) => Some(vpc(reader, v)),
        (None, Some(v)) => Some(inherited(vpc(reader, v))),
        _ => None,
    };
    f.log_retention_days = match (own("logRetentionInDays"), inherit("logRetentionInDays")) {
        (Some(r), _) => Some(reader.u32(r)),
        (None, Some(r)) => Some(inherited(reader.u32(r))),
        // The framework's log group then has no retention: it never expires.
        _ => None,
    };
    if let Some(a) = own("architecture")
        .or_else(|| inherit("architecture"))
        .and_then(Node::as_str)
    {
        f.architectures.push(a.to_string());
    }

    let mut needs = RoleNeeds {
        vpc: f.vpc.as_ref().is_some_and(|v| v.known() == Some(&true)),
        tracing: f.tracing.known() == Some(&true),
        ..RoleNeeds::default()
    };
    needs.log_groups.push(match deployed {
        Some(name) => Attr::defaulted(format!("/aws/lambda/{name}"), location.clone()),
        None => Attr::unresolved("function name not static", location.clone()),
    });
    for (index, event) in own("events")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let out = events.trigger(index, event);
        f.triggers.push(out.trigger);
        needs.event_statements.extend(out.statements);
    }

    let mut permission = None;
    if let Some(u) = own("url").and_then(|url| function_url(reader, url)) {
        if u.auth_type.as_str() == Some("NONE") {
            permission = Some(url_permission(&normalize_name(&key.name), &f.id, &u));
        }
        f.triggers.push(url_trigger(&u));
        f.url = Some(u);
    }

    let (role, plan) = role(reader, app, provider, node, &key.name, &location);
    f.role = role;
    Built {
        function: f,
        plan,
        needs,
        permission,
    }
}

/// The role attribute and the plan for generating it.
fn role<'n>(
    reader: &Reader,
    app: &App,
    provider: &Provider<'n>,
    node: &'n Node,
    key: &str,
    location: &perimeter_model::Location,
) -> (Attr<String>, RolePlan<'n>) {
    if let Some(r) = node.get("role").filter(|r| !r.is_null()) {
        return (iam::role_value(reader, app, r), RolePlan::Existing);
    }
    // serverless-iam-roles-per-function, and the same shape under `iam.role`.
    let own_role = node
        .get("iam")
        .and_then(|i| i.get("role"))
        .filter(|r| r.is_map());
    let statements: Vec<&Node> = node
        .get("iamRoleStatements")
        .into_iter()
        .chain(own_role.and_then(|r| r.get("statements")))
        .collect();
    let managed: Vec<&Node> = node
        .get("iamManagedPolicies")
        .into_iter()
        .chain(own_role.and_then(|r| r.get("managedPolicies")))
        .collect();
    if !statements.is_empty() || !managed.is_empty() {
        let id = format!("{}IamRoleLambdaExecution", normalize_name(key));
        let inherit = node
            .get("iamRoleStatementsInherit")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        return (
            Attr::defaulted(id, location.clone()),
            RolePlan::Own {
                statements,
                managed,
                inherit,
            },
        );
    }
    if let Some(r) = provider.existing_role() {
        return (
            inherited(iam::role_value(reader, app, r)),
            RolePlan::Existing,
        );
    }
    if !provider.is_aws() {
        let why = format!("provider {} has no IAM execution role", provider.name);
        return (Attr::unresolved(why, location.clone()), RolePlan::None);
    }
    (
        Attr::defaulted(SHARED_ROLE.to_string(), location.clone()),
        RolePlan::Shared,
    )
}

/// Provider variables, then the function's (which win on the same name).
pub(super) fn environment(
    reader: &Reader,
    provider: Option<&Node>,
    own: Option<&Node>,
) -> Vec<EnvVar> {
    let mut out: Vec<EnvVar> = Vec::new();
    for (block, is_inherited) in [(provider, true), (own, false)] {
        let Some(block) = block else { continue };
        for (k, v) in block.entries() {
            if k.name == super::variables::UNRESOLVED_KEY {
                continue;
            }
            let value = if is_inherited {
                inherited(reader.string(v))
            } else {
                reader.string(v)
            };
            let var = EnvVar {
                name: k.name.clone(),
                value,
                location: reader.loc(&Node::null(k.line, k.column)),
            };
            match out.iter_mut().find(|e| e.name == var.name) {
                Some(existing) => *existing = var,
                None => out.push(var),
            }
        }
    }
    out
}

/// Layer ARNs, or the logical ID of a layer the service declares itself
/// (`{Ref: CommonLambdaLayer}`).
fn layers(reader: &Reader, service: &Service, node: &Node) -> Vec<Attr<String>> {
    let items: Vec<&Node> = if node.is_seq() {
        node.items().iter().collect()
    } else {
        vec![node]
    };
    items
        .into_iter()
        .map(|n| match n.get("Ref").and_then(Node::as_str) {
            Some(id) if service.layers.iter().any(|l| l == id) => {
                Attr::explicit(id.to_string(), reader.loc(n))
            }
            _ => reader.string(n),
        })
        .collect()
}

/// `tracing: Active | PassThrough | true | false` (or `{lambda: …}` at provider level, read
/// by the caller).
fn tracing(reader: &Reader, node: &Node) -> perimeter_model::Attr<bool> {
    let loc = reader.loc(node);
    if let Some(reason) = unresolved_reason(node) {
        return Attr::unresolved(reason, loc);
    }
    match node.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("active" | "true") => Attr::explicit(true, loc),
        Some("passthrough" | "false") => Attr::explicit(false, loc),
        _ => Attr::unresolved("tracing mode not static", loc),
    }
}

/// `vpc: {securityGroupIds, subnetIds}`: in a VPC when subnets are given.
fn vpc(reader: &Reader, node: &Node) -> Attr<bool> {
    let loc = reader.loc(node);
    if let Some(reason) = unresolved_reason(node) {
        return Attr::unresolved(reason, loc);
    }
    match node.get("subnetIds") {
        Some(s) if s.is_seq() => Attr::explicit(!s.items().is_empty(), loc),
        Some(s) if s.is_null() => Attr::explicit(false, loc),
        Some(_) => Attr::explicit(true, loc),
        None if node.is_null() || (node.is_map() && node.entries().is_empty()) => {
            Attr::explicit(false, loc)
        }
        None => Attr::unresolved("VPC settings not static", loc),
    }
}

/// A destination: an ARN, a function name, or `{type, arn}`.
fn destination(reader: &Reader, node: &Node) -> Attr<String> {
    if node.is_map() && unresolved_reason(node).is_none() && node.get("arn").is_some() {
        return node
            .get("arn")
            .map(|a| reader.string(a))
            .unwrap_or_else(|| reader.string(node));
    }
    reader.string(node)
}

/// `url: true` (no authentication) or `url: {authorizer: aws_iam, cors: …}`.
fn function_url(reader: &Reader, node: &Node) -> Option<FunctionUrl> {
    let location = reader.loc(node);
    if let Some(reason) = unresolved_reason(node) {
        return Some(FunctionUrl {
            auth_type: Attr::unresolved(reason, location.clone()),
            cors: None,
            location,
        });
    }
    if !node.is_map() {
        let on = reader.bool(node);
        return match on.known() {
            Some(true) => Some(FunctionUrl {
                auth_type: Attr::defaulted("NONE".to_string(), location.clone()),
                cors: None,
                location,
            }),
            Some(false) => None,
            None => Some(FunctionUrl {
                auth_type: Attr::unresolved("url setting not static", location.clone()),
                cors: None,
                location,
            }),
        };
    }
    let auth_type = match first(node, &["authorizer", "authType"]) {
        None => Attr::defaulted("NONE".to_string(), location.clone()),
        Some(a) => match reader.string(a).value {
            perimeter_model::Value::Known(s) if s.eq_ignore_ascii_case("aws_iam") => {
                Attr::explicit("AWS_IAM".to_string(), reader.loc(a))
            }
            perimeter_model::Value::Known(s) if s.eq_ignore_ascii_case("none") => {
                Attr::explicit("NONE".to_string(), reader.loc(a))
            }
            perimeter_model::Value::Known(s) => Attr::explicit(s, reader.loc(a)),
            perimeter_model::Value::Unresolved(r) => Attr::unresolved(r, reader.loc(a)),
        },
    };
    let cors = node
        .get("cors")
        .and_then(|c| super::apis::cors(reader, c, &["allowedOrigins"]));
    Some(FunctionUrl {
        auth_type,
        cors,
        location,
    })
}

fn url_trigger(url: &FunctionUrl) -> Trigger {
    let auth = match url.auth_type.as_str() {
        Some("NONE") => Attr {
            value: perimeter_model::Value::Known(Auth::None),
            origin: url.auth_type.origin,
            location: url.auth_type.location.clone(),
        },
        Some("AWS_IAM") => Attr {
            value: perimeter_model::Value::Known(Auth::Iam),
            origin: url.auth_type.origin,
            location: url.auth_type.location.clone(),
        },
        Some(other) => Attr::explicit(
            Auth::Other(other.to_string()),
            url.auth_type.location.clone(),
        ),
        None => Attr::unresolved(
            "function URL authorizer not static",
            url.auth_type.location.clone(),
        ),
    };
    Trigger {
        id: "url".to_string(),
        kind: TriggerKind::FunctionUrl,
        type_name: "url".to_string(),
        location: url.location.clone(),
        source: None,
        http: Some(HttpRoute {
            api: None,
            method: "ANY".to_string(),
            path: "/".to_string(),
            auth,
            api_key_required: Attr::defaulted(false, url.location.clone()),
            private: Attr::defaulted(false, url.location.clone()),
            cors: url.cors.clone(),
        }),
    }
}

/// The public invoke permission the framework adds for a URL without authentication.
fn url_permission(norm: &str, function: &str, url: &FunctionUrl) -> Permission {
    let loc = url.location.clone();
    Permission {
        id: format!("{norm}LambdaPermissionFnUrl"),
        function: Attr::defaulted(function.to_string(), loc.clone()),
        action: Attr::defaulted("lambda:InvokeFunctionUrl".to_string(), loc.clone()),
        principal: Attr::defaulted("*".to_string(), loc.clone()),
        source_arn: None,
        source_account: None,
        principal_org_id: None,
        function_url_auth_type: Some(url.auth_type.clone()),
        location: loc,
    }
}

/// A `package.artifact` path, relative to the scan root, when it is a file inside it.
fn artifact_path(reader: &Reader, service: &Service, node: &Node) -> Option<Attr<String>> {
    let text = node.as_str()?;
    if text.contains("://") || Path::new(text).is_absolute() {
        return None;
    }
    let base = service.dir.trim_matches('/');
    let on_disk = service.root.join(base).join(text).canonicalize().ok()?;
    let root = service.root.canonicalize().ok()?;
    let rel = on_disk.strip_prefix(&root).ok()?;
    if !on_disk.is_file() {
        return None;
    }
    Some(Attr::explicit(
        rel.to_string_lossy().replace('\\', "/"),
        reader.loc(node),
    ))
}

/// The service folder joined with the handler's folder when that is on disk inside the
/// scan root.
pub(super) fn code_path(service: &Service, handler: &Attr<String>) -> Option<Attr<String>> {
    let base = service.dir.trim_matches('/');
    let handler_dir = handler
        .as_str()
        .and_then(|h| h.rsplit_once('/'))
        .map(|(d, _)| d.trim_matches('/'))
        .filter(|d| !d.is_empty());
    let join = |a: &str, b: &str| match (a.is_empty(), b.is_empty()) {
        (true, true) => ".".to_string(),
        (true, false) => b.to_string(),
        (false, true) => a.to_string(),
        (false, false) => format!("{a}/{b}"),
    };
    if let Some(dir) = handler_dir {
        let on_disk = service.root.join(base).join(dir);
        let inside = match (on_disk.canonicalize(), service.root.canonicalize()) {
            (Ok(p), Ok(r)) => p.is_dir() && p.starts_with(r),
            _ => false,
        };
        if inside && !dir.split('/').any(|c| c == "..") {
            return Some(Attr::explicit(join(base, dir), handler.location.clone()));
        }
    }
    Some(Attr::defaulted(join(base, ""), handler.location.clone()))
}
