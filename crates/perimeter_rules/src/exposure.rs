//! Exposure: who can trigger each function, read from the model alone.
//!
//! For every function this lists its entry points (`EntryPoint`: HTTP routes, the function URL,
//! resource policy grants to other accounts or to everyone, and the buckets, queues and topics
//! that feed it), each marked `public` (anyone on the internet can cause an invocation) and
//! `authenticated` (the caller must prove an identity first), with a short description such as
//! `api GET /users (no auth)`, `function URL (auth NONE)`, `s3 bucket Uploads (public write)` or
//! `sqs queue Jobs`. The AUTH/DOW/LOG rules and the scorer all read exposure from here, so
//! "public" means the same thing everywhere.
//!
//! What counts as public:
//! - an HTTP route (REST, HTTP API, ALB) whose auth is known to be none, that needs no API key,
//!   and whose API is not `PRIVATE`. WebSocket routes other than `$connect` are as public as the
//!   API's `$connect` route (the only one that can have an authorizer), and not public when no
//!   `$connect` route is known;
//! - a function URL with `AuthType: NONE`;
//! - a resource-based permission whose principal is `*` with no `SourceArn`, `SourceAccount` or
//!   `PrincipalOrgID` to narrow it (service principals are the plumbing of triggers, not entry
//!   points of their own);
//! - *indirectly*: a bucket, topic or queue that anyone may write to (a policy statement
//!   allowing principal `*` to `s3:PutObject` / `sns:Publish` / `sqs:SendMessage`, or a wildcard
//!   covering it, without a condition that narrows who; or a bucket ACL `PublicReadWrite`) and
//!   that triggers the function, either through a trigger whose source is that resource or
//!   through the resource's own notification configuration. S3 Block Public Access is honoured:
//!   `IgnorePublicAcls`/`BlockPublicAcls` disable a public ACL, `RestrictPublicBuckets`/
//!   `BlockPublicPolicy` a public bucket policy.
//!
//! A condition narrows who when its key restricts the caller or its origin (`aws:SourceArn`,
//! `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:SourceIp`,
//! `aws:SourceVpce`, …) or is a service-specific key we cannot judge; `aws:SecureTransport` and
//! other global keys about *how* a request is made do not narrow.
//!
//! A REST API resource policy keeps a route private when it has no unconditioned Allow of
//! `execute-api:Invoke` to `*`, or when it denies `execute-api:Invoke` to everyone under some
//! condition (the usual IP-range and VPC-endpoint allow lists).
//!
//! An unresolved value never makes something public: an unresolved auth, principal, action or
//! condition block counts as safe. Limits: on buckets, topics and queues a `Deny` statement is
//! only subtracted when it denies the same write action to everyone without conditions.

use perimeter_iam::{list_covers, not_action_allows};
use perimeter_model::{
    Api, App, Auth, Function, Location, Permission, PrincipalKind, Resource, ResourceKind,
    Statement, Trigger, TriggerKind,
};
use serde::Serialize;
use std::collections::HashMap;

/// One way a function can be invoked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryPoint {
    /// What kind of source it is (a function URL and a `*` permission count as `FunctionUrl`
    /// and `Other`).
    pub kind: TriggerKind,
    /// The trigger's id within the function, when the entry point is a declared trigger.
    pub trigger: Option<String>,
    /// The API, resource or permission it goes through, when declared in the app.
    pub source: Option<String>,
    /// Anyone on the internet can cause an invocation.
    pub public: bool,
    /// The caller must authenticate (IAM, an authorizer, an AWS service acting for an account).
    pub authenticated: bool,
    /// The caller waits for the function's answer.
    pub synchronous: bool,
    /// Short human description: `api GET /users (no auth)`, `function URL (auth NONE)`,
    /// `s3 bucket Uploads (public write)`, `sqs queue Jobs`.
    pub description: String,
    /// Where the entry point is declared (the trigger, the URL config, the permission).
    pub location: Location,
    /// For an indirectly public entry point: what makes the resource writable by anyone.
    pub public_because: Option<PublicWrite>,
}

impl EntryPoint {
    /// The trigger of `function` this entry point is, when it is a declared trigger.
    pub fn declared_trigger<'a>(&self, function: &'a Function) -> Option<&'a Trigger> {
        let id = self.trigger.as_deref()?;
        function.triggers.iter().find(|t| t.id == id)
    }
}

/// Why a bucket, topic or queue can be written by anyone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicWrite {
    /// One phrase: `bucket policy allows * to s3:PutObject`, `ACL PublicReadWrite`.
    pub reason: String,
    /// The policy statement or the ACL attribute.
    pub location: Location,
}

/// The entry points of one function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exposure {
    /// Function id within the app.
    pub function: String,
    pub entry_points: Vec<EntryPoint>,
}

impl Exposure {
    /// `true` when any entry point is public.
    pub fn is_public(&self) -> bool {
        self.entry_points.iter().any(|e| e.public)
    }

    /// The public entry points.
    pub fn public_entry_points(&self) -> impl Iterator<Item = &EntryPoint> {
        self.entry_points.iter().filter(|e| e.public)
    }

    /// `true` when some public entry point waits for the answer (HTTP-like).
    pub fn is_public_synchronous(&self) -> bool {
        self.entry_points.iter().any(|e| e.public && e.synchronous)
    }
}

/// The exposure of every function of `app`, in declaration order.
pub fn exposure(app: &App) -> Vec<Exposure> {
    let index = ExposureIndex::new(app);
    app.functions
        .iter()
        .map(|f| index.function_exposure(f))
        .collect()
}

/// The entry points of `function`.
///
/// This scans the app's resources and permissions once: to read the exposure of many functions
/// of one app, build an [`ExposureIndex`] once and ask it, which gives the same answers.
pub fn function_exposure(app: &App, function: &Function) -> Exposure {
    ExposureIndex::scan(app).function_exposure(function)
}

/// An app's resources, APIs, permissions and notifications, indexed once so that the exposure
/// of every function costs time in proportion to its own triggers rather than to the app's
/// size (without it, a 5,000-function app takes quadratic time). Answers are exactly those of
/// [`function_exposure`]: each lookup keeps the first match in declaration order, as the
/// linear scans do.
pub struct ExposureIndex<'a> {
    app: &'a App,
    /// `None` for a one-off question ([`function_exposure`]): scanning is cheaper than
    /// indexing then.
    maps: Option<Maps<'a>>,
}

struct Maps<'a> {
    resources: HashMap<&'a str, &'a Resource>,
    apis: HashMap<&'a str, &'a Api>,
    /// Function id → its resource-based permissions, in declaration order.
    permissions: HashMap<&'a str, Vec<&'a Permission>>,
    /// Function id → the resources whose own configuration notifies it, in declaration order.
    notifiers: HashMap<&'a str, Vec<&'a Resource>>,
    /// WebSocket API id → its first `$connect` route.
    connects: HashMap<Option<&'a str>, &'a Trigger>,
}

impl<'a> ExposureIndex<'a> {
    /// Indexes `app` (linear in its size).
    pub fn new(app: &'a App) -> Self {
        let mut maps = Maps {
            resources: HashMap::with_capacity(app.resources.len()),
            apis: HashMap::with_capacity(app.apis.len()),
            permissions: HashMap::new(),
            notifiers: HashMap::new(),
            connects: HashMap::new(),
        };
        for r in &app.resources {
            maps.resources.entry(r.id.as_str()).or_insert(r);
            // A resource that lists a function twice still notifies it once.
            let mut seen: Vec<&str> = Vec::new();
            for target in r.notifies.iter().filter_map(|n| n.as_str()) {
                if !seen.contains(&target) {
                    seen.push(target);
                    maps.notifiers.entry(target).or_default().push(r);
                }
            }
        }
        for a in &app.apis {
            maps.apis.entry(a.id.as_str()).or_insert(a);
        }
        for p in &app.permissions {
            if let Some(f) = p.function.value.known() {
                maps.permissions.entry(f.as_str()).or_default().push(p);
            }
        }
        for t in app.functions.iter().flat_map(|f| f.triggers.iter()) {
            if t.kind == TriggerKind::WebSocket
                && let Some(route) = t.http.as_ref().filter(|r| r.path == "$connect")
            {
                maps.connects.entry(route.api.as_deref()).or_insert(t);
            }
        }
        ExposureIndex {
            app,
            maps: Some(maps),
        }
    }

    fn scan(app: &'a App) -> Self {
        ExposureIndex { app, maps: None }
    }

    /// The app this index was built from.
    pub fn app(&self) -> &'a App {
        self.app
    }

    /// The declared resource `id` (the first one, as [`App::resource`]).
    pub fn resource(&self, id: &str) -> Option<&'a Resource> {
        match &self.maps {
            Some(m) => m.resources.get(id).copied(),
            None => self.app.resource(id),
        }
    }

    /// The declared API `id` (the first one, as [`App::api`]).
    pub fn api(&self, id: &str) -> Option<&'a Api> {
        match &self.maps {
            Some(m) => m.apis.get(id).copied(),
            None => self.app.api(id),
        }
    }

    /// The resource-based permissions of `function`, in declaration order.
    pub fn permissions_of(&self, function: &Function) -> Vec<&'a Permission> {
        match &self.maps {
            Some(m) => m
                .permissions
                .get(function.id.as_str())
                .cloned()
                .unwrap_or_default(),
            None => self
                .app
                .permissions
                .iter()
                .filter(|p| p.function.value.known() == Some(&function.id))
                .collect(),
        }
    }

    /// Resources whose own notification configuration names `function`, in declaration order.
    fn notifiers_of(&self, function: &Function) -> Vec<&'a Resource> {
        match &self.maps {
            Some(m) => m
                .notifiers
                .get(function.id.as_str())
                .cloned()
                .unwrap_or_default(),
            None => self
                .app
                .resources
                .iter()
                .filter(|r| {
                    r.notifies
                        .iter()
                        .any(|n| n.as_str() == Some(function.id.as_str()))
                })
                .collect(),
        }
    }

    /// The `$connect` route of the WebSocket API `api`, wherever in the app it is routed.
    fn websocket_connect(&self, api: Option<&str>) -> Option<&'a Trigger> {
        match &self.maps {
            Some(m) => m.connects.get(&api).copied(),
            None => websocket_connect(self.app, api),
        }
    }

    /// The entry points of `function` (a function of this index's app).
    pub fn function_exposure(&self, function: &Function) -> Exposure {
        let mut entry_points = Vec::new();
        for trigger in &function.triggers {
            // The URL is described once, from `function.url`, when the loader filled both.
            if trigger.kind == TriggerKind::FunctionUrl && function.url.is_some() {
                continue;
            }
            entry_points.push(self.trigger_entry(trigger));
        }
        if let Some(url) = &function.url {
            let auth = url.auth_type.as_str();
            let public = auth.is_some_and(|a| a.eq_ignore_ascii_case("NONE"));
            let authenticated = auth.is_some_and(|a| a.eq_ignore_ascii_case("AWS_IAM"));
            entry_points.push(EntryPoint {
                kind: TriggerKind::FunctionUrl,
                trigger: None,
                source: None,
                public,
                authenticated,
                synchronous: true,
                description: format!("function URL (auth {})", auth.unwrap_or("unresolved")),
                location: url.location.clone(),
                public_because: None,
            });
        }
        // Resources that notify the function by their own configuration, without a trigger on
        // the function's side naming them.
        for resource in self.notifiers_of(function) {
            let has_trigger = function
                .triggers
                .iter()
                .any(|t| t.source.as_ref().and_then(|s| s.as_str()) == Some(resource.id.as_str()));
            if !has_trigger {
                entry_points.push(resource_entry(
                    resource,
                    None,
                    resource_trigger_kind(resource.kind),
                    &resource.location,
                ));
            }
        }
        for permission in self.permissions_of(function) {
            let Some(principal) = permission.principal.as_str() else {
                continue;
            };
            // Service principals are the plumbing of the triggers above (AUTH004 judges them).
            if is_service_principal(principal) {
                continue;
            }
            // A URL permission is the function URL itself, already listed.
            if permission.function_url_auth_type.is_some() && function.url.is_some() {
                continue;
            }
            let everyone = is_any_account(principal);
            entry_points.push(EntryPoint {
                kind: if permission.function_url_auth_type.is_some() {
                    TriggerKind::FunctionUrl
                } else {
                    TriggerKind::Other
                },
                trigger: None,
                source: Some(permission.id.clone()),
                public: everyone && !is_narrowed_permission(permission),
                authenticated: !everyone,
                synchronous: true,
                description: format!("resource policy {} (principal {principal})", permission.id),
                location: permission.location.clone(),
                public_because: None,
            });
        }
        Exposure {
            function: function.id.clone(),
            entry_points,
        }
    }
}

/// `true` for a resource-policy principal that means "any AWS account": `*` or
/// `arn:aws:iam::*:root`.
pub fn is_any_account(principal: &str) -> bool {
    let p = principal.trim();
    p == "*" || p.eq_ignore_ascii_case("arn:aws:iam::*:root")
}

/// `true` when a permission is narrowed to a source or an organization (SourceArn,
/// SourceAccount or PrincipalOrgID), whatever its principal.
pub fn is_narrowed_permission(permission: &Permission) -> bool {
    permission.source_arn.is_some()
        || permission.source_account.is_some()
        || permission.principal_org_id.is_some()
}

/// `true` for `s3.amazonaws.com`, `events.amazonaws.com`, … (and the China partition's).
pub fn is_service_principal(principal: &str) -> bool {
    principal.ends_with(".amazonaws.com")
        || principal.ends_with(".amazonaws.com.cn")
        || principal.ends_with(".amazon.com")
}

/// The `$connect` route of the WebSocket API `api`, wherever in the app it is routed.
fn websocket_connect<'a>(app: &'a App, api: Option<&str>) -> Option<&'a Trigger> {
    app.functions
        .iter()
        .flat_map(|f| f.triggers.iter())
        .find(|t| {
            t.kind == TriggerKind::WebSocket
                && t.http
                    .as_ref()
                    .is_some_and(|r| r.path == "$connect" && r.api.as_deref() == api)
        })
}

impl ExposureIndex<'_> {
    fn trigger_entry(&self, trigger: &Trigger) -> EntryPoint {
        if let Some(route) = &trigger.http {
            let api = route.api.as_deref().and_then(|id| self.api(id));
            let auth = route.auth.known();
            let api_key = route.api_key_required.known().copied();
            let private = route.private.known().copied();
            let mut public = matches!(auth, Some(Auth::None))
                && api_key == Some(false)
                && private == Some(false)
                && !api.is_some_and(|a| a.private || policy_restricts_callers(&a.policy));
            let mut authenticated = matches!(auth, Some(a) if !a.is_none());
            // WebSocket APIs authenticate on `$connect` only: every other route is as open as the
            // connection. Without a `$connect` route in the model we cannot tell, so not public.
            let mut auth_text = describe_auth(auth, api_key == Some(true));
            if trigger.kind == TriggerKind::WebSocket && route.path != "$connect" {
                match self.websocket_connect(route.api.as_deref()) {
                    Some(connect) => {
                        let via = self.trigger_entry(connect);
                        public = via.public;
                        authenticated = via.authenticated;
                        let connect_auth = connect
                            .http
                            .as_ref()
                            .map(|r| describe_auth(r.auth.known(), false));
                        auth_text = format!("via $connect: {}", connect_auth.unwrap_or_default());
                    }
                    None => {
                        public = false;
                        auth_text = "no $connect route known".to_string();
                    }
                }
            }
            return EntryPoint {
                kind: trigger.kind,
                trigger: Some(trigger.id.clone()),
                source: route.api.clone(),
                public,
                authenticated,
                synchronous: trigger.kind.is_synchronous(),
                description: format!(
                    "{} {} {} ({auth_text})",
                    http_kind_name(trigger.kind),
                    route.method,
                    route.path
                ),
                location: trigger.location.clone(),
                public_because: None,
            };
        }
        let source_id = trigger.source.as_ref().and_then(|s| s.as_str());
        if let Some(resource) = source_id.and_then(|id| self.resource(id)) {
            return resource_entry(resource, Some(&trigger.id), trigger.kind, &trigger.location);
        }
        let name = source_id.map(str::to_string).unwrap_or_default();
        EntryPoint {
            kind: trigger.kind,
            trigger: Some(trigger.id.clone()),
            source: source_id.map(str::to_string),
            public: false,
            // Anything but an unauthenticated HTTP route is invoked by an AWS service on behalf of
            // someone with IAM permissions on the source.
            authenticated: !trigger.kind.is_http(),
            synchronous: trigger.kind.is_synchronous(),
            description: format!("{} {}", kind_name(trigger.kind), name)
                .trim_end()
                .to_string(),
            location: trigger.location.clone(),
            public_because: None,
        }
    }
}

fn resource_entry(
    resource: &Resource,
    trigger: Option<&str>,
    kind: TriggerKind,
    location: &Location,
) -> EntryPoint {
    let public_because = public_write(resource);
    let public = public_because.is_some();
    EntryPoint {
        kind,
        trigger: trigger.map(str::to_string),
        source: Some(resource.id.clone()),
        public,
        authenticated: !public,
        synchronous: kind.is_synchronous(),
        description: format!(
            "{} {}{}",
            resource_kind_name(resource.kind, kind),
            resource.id,
            if public { " (public write)" } else { "" }
        ),
        location: location.clone(),
        public_because,
    }
}

fn resource_trigger_kind(kind: ResourceKind) -> TriggerKind {
    match kind {
        ResourceKind::Bucket => TriggerKind::S3,
        ResourceKind::Queue => TriggerKind::Sqs,
        ResourceKind::Topic => TriggerKind::Sns,
        ResourceKind::Stream => TriggerKind::Kinesis,
        ResourceKind::Table => TriggerKind::DynamoDb,
        ResourceKind::EventBus => TriggerKind::EventBridge,
        _ => TriggerKind::Other,
    }
}

fn resource_kind_name(kind: ResourceKind, trigger: TriggerKind) -> &'static str {
    match kind {
        ResourceKind::Bucket => "s3 bucket",
        ResourceKind::Queue => "sqs queue",
        ResourceKind::Topic => "sns topic",
        ResourceKind::Table => "dynamodb table",
        ResourceKind::Stream => "kinesis stream",
        ResourceKind::EventBus => "event bus",
        _ => kind_name(trigger),
    }
}

fn http_kind_name(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::Api => "api",
        TriggerKind::HttpApi => "http-api",
        TriggerKind::WebSocket => "websocket",
        TriggerKind::Alb => "alb",
        TriggerKind::FunctionUrl => "function URL",
        _ => kind_name(kind),
    }
}

/// Lower-case name of a trigger kind for descriptions.
pub fn kind_name(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::Api => "api",
        TriggerKind::HttpApi => "http-api",
        TriggerKind::WebSocket => "websocket",
        TriggerKind::FunctionUrl => "function URL",
        TriggerKind::Alb => "alb",
        TriggerKind::CloudFront => "cloudfront",
        TriggerKind::S3 => "s3",
        TriggerKind::Sqs => "sqs",
        TriggerKind::Sns => "sns",
        TriggerKind::Kinesis => "kinesis",
        TriggerKind::DynamoDb => "dynamodb",
        TriggerKind::Schedule => "schedule",
        TriggerKind::EventBridge => "eventbridge",
        TriggerKind::IoT => "iot",
        TriggerKind::Cognito => "cognito",
        TriggerKind::Mq => "mq",
        TriggerKind::Msk => "msk",
        TriggerKind::Kafka => "kafka",
        TriggerKind::CloudWatchLogs => "cloudwatch-logs",
        TriggerKind::Alexa => "alexa",
        TriggerKind::Other => "other",
    }
}

/// How to name a function in a message: its deployed name, unless that is a template
/// expression (`${AWS::StackName}-api`), then its logical id.
pub fn function_label(function: &Function) -> &str {
    if function.name.contains("${") {
        &function.id
    } else {
        &function.name
    }
}

fn describe_auth(auth: Option<&Auth>, api_key: bool) -> String {
    let auth = match auth {
        None => "auth unresolved".to_string(),
        Some(Auth::None) => "no auth".to_string(),
        Some(Auth::Iam) => "iam".to_string(),
        Some(Auth::Cognito(n)) => format!("cognito {n}"),
        Some(Auth::Jwt(n)) => format!("jwt {n}"),
        Some(Auth::Lambda(n)) => format!("lambda authorizer {n}"),
        Some(Auth::Other(n)) => format!("authorizer {n}"),
    };
    if api_key {
        format!("{auth}, api key")
    } else {
        auth
    }
}

/// The write action whose grant to everyone makes a resource of `kind` a public trigger.
pub fn write_action(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::Bucket => Some("s3:PutObject"),
        ResourceKind::Topic => Some("sns:Publish"),
        ResourceKind::Queue => Some("sqs:SendMessage"),
        _ => None,
    }
}

/// `true` when a REST API resource policy keeps anonymous callers out: once an API has a
/// resource policy, an unauthenticated request needs an Allow for principal `*`, and any Deny to
/// everyone for `execute-api:Invoke` (the usual IP or VPC-endpoint allow lists are such a Deny
/// with a condition) restricts who gets in. A policy we cannot read counts as restricting.
fn policy_restricts_callers(policy: &[Statement]) -> bool {
    if policy.is_empty() {
        return false;
    }
    const INVOKE: &str = "execute-api:Invoke";
    let everyone = |s: &Statement| {
        s.principals
            .iter()
            .any(|p| p.is_everyone() || p.kind == PrincipalKind::Everyone)
    };
    let restricting_deny = policy.iter().any(|s| {
        !s.is_allow()
            && (!s.effect.is_known() || (everyone(s) && statement_covers_action(s, INVOKE)))
    });
    let open_allow = policy.iter().any(|s| {
        s.is_allow() && everyone(s) && statement_covers_action(s, INVOKE) && !is_narrowed(s)
    });
    restricting_deny || !open_allow
}

/// Why anyone can write to `resource` (a bucket, topic or queue), or `None` when nothing known
/// allows it.
pub fn public_write(resource: &Resource) -> Option<PublicWrite> {
    let action = write_action(resource.kind)?;
    let pab = resource.public_access_block.as_ref();
    if resource.kind == ResourceKind::Bucket {
        let acls_ignored = pab.is_some_and(|p| p.ignore_public_acls || p.block_public_acls);
        if let Some(acl) = &resource.acl
            && acl
                .as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case("PublicReadWrite"))
            && !acls_ignored
        {
            return Some(PublicWrite {
                reason: "ACL PublicReadWrite".to_string(),
                location: acl.location.clone(),
            });
        }
        if pab.is_some_and(|p| p.restrict_public_buckets || p.block_public_policy) {
            return None;
        }
    }
    let denied = resource.policy.iter().any(|s| {
        !s.is_allow() && s.effect.is_known() && grants_everyone(s, action) && !s.has_conditions()
    });
    if denied {
        return None;
    }
    let statement = resource
        .policy
        .iter()
        .find(|s| s.is_allow() && grants_everyone(s, action) && !is_narrowed(s))?;
    let policy = match resource.kind {
        ResourceKind::Bucket => "bucket policy",
        ResourceKind::Topic => "topic policy",
        _ => "queue policy",
    };
    // Point at the `*` principal itself when it is written, else at the statement.
    let location = statement
        .principals
        .iter()
        .find(|p| p.is_everyone())
        .map_or_else(|| statement.location.clone(), |p| p.value.location.clone());
    Some(PublicWrite {
        reason: format!("{policy} allows * to {action}"),
        location,
    })
}

/// `true` when `statement` names everyone as principal and covers `action`.
fn grants_everyone(statement: &Statement, action: &str) -> bool {
    let everyone = statement
        .principals
        .iter()
        .any(|p| p.is_everyone() || p.kind == PrincipalKind::Everyone);
    everyone && statement_covers_action(statement, action)
}

/// `true` when the statement's `Action` (or `NotAction`) covers `action`, matched with
/// `perimeter_iam`'s IAM wildcards. Unresolved elements never cover anything; an unresolved
/// `NotAction` element makes the whole statement unknown.
pub fn statement_covers_action(statement: &Statement, action: &str) -> bool {
    if !statement.not_actions.is_empty() {
        return not_action_allows(statement, action);
    }
    list_covers(statement.known_actions(), false, action)
}

/// Condition keys that restrict who the caller can be (or from where).
const NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principaltype",
    "aws:userid",
    "aws:username",
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:calledvia",
    "aws:principalservicename",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

/// `true` when a condition may restrict who can use the statement: a narrowing key, any
/// condition key we do not know to be harmless, or a condition block that could not be read.
fn is_narrowed(statement: &Statement) -> bool {
    if !statement.conditions_known {
        return true;
    }
    statement.conditions.iter().any(|c| {
        let key = c.key.to_ascii_lowercase();
        // `aws:SecureTransport` and the like only say how, not who.
        NARROWING_KEYS.contains(&key.as_str())
            || !key.starts_with("aws:")
            || key.starts_with("aws:principaltag")
    })
}

/// The API a trigger's route belongs to, when declared in the app.
pub fn api_of<'a>(app: &'a App, trigger: &Trigger) -> Option<&'a Api> {
    trigger
        .http
        .as_ref()
        .and_then(|r| r.api.as_deref())
        .and_then(|id| app.api(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Condition, Principal, PublicAccessBlock};

    #[test]
    fn unauthenticated_route_is_public_and_authorized_is_not() {
        let mut app = app();
        let mut f = function("Fn");
        f.triggers
            .push(api_trigger("Get", "GET", "/users", Auth::None));
        f.triggers.push(api_trigger(
            "Post",
            "POST",
            "/users",
            Auth::Cognito("Pool".into()),
        ));
        app.functions.push(f);
        app.apis.push(rest_api("ServerlessRestApi"));
        let e = &exposure(&app)[0];
        assert_eq!(e.entry_points.len(), 2);
        assert!(e.entry_points[0].public);
        assert_eq!(e.entry_points[0].description, "api GET /users (no auth)");
        assert!(!e.entry_points[1].public);
        assert!(e.entry_points[1].authenticated);
        assert!(e.is_public_synchronous());
    }

    #[test]
    fn private_api_and_api_key_and_unresolved_auth_are_not_public() {
        let mut app = app();
        let mut f = function("Fn");
        let mut keyed = api_trigger("K", "GET", "/k", Auth::None);
        keyed.http.as_mut().unwrap().api_key_required = Attr::explicit(true, loc(3));
        let mut unresolved = api_trigger("U", "GET", "/u", Auth::None);
        unresolved.http.as_mut().unwrap().auth = Attr::unresolved("Fn::If", loc(4));
        let mut private = api_trigger("P", "GET", "/p", Auth::None);
        private.http.as_mut().unwrap().api = Some("PrivateApi".into());
        f.triggers.extend([keyed, unresolved, private]);
        app.functions.push(f);
        let mut api = rest_api("PrivateApi");
        api.private = true;
        app.apis.push(api);
        let e = function_exposure(&app, &app.functions[0]);
        assert!(!e.is_public(), "{e:?}");
        assert_eq!(
            e.entry_points[0].description,
            "api GET /k (no auth, api key)"
        );
    }

    #[test]
    fn rest_api_resource_policy_can_keep_routes_private() {
        let mut app = app();
        let mut f = function("Fn");
        f.triggers.push(api_trigger("Get", "GET", "/", Auth::None));
        app.functions.push(f);
        app.apis.push(rest_api("ServerlessRestApi"));
        let invoke = |effect: perimeter_model::Effect, condition: Option<&str>| {
            let mut s = Statement::new(loc(90));
            s.effect = perimeter_model::Value::Known(effect);
            s.principals.push(Principal {
                kind: PrincipalKind::Everyone,
                value: Attr::explicit("*".into(), loc(91)),
            });
            s.actions
                .push(Attr::explicit("execute-api:Invoke".into(), loc(92)));
            if let Some(key) = condition {
                s.conditions.push(Condition {
                    operator: "NotIpAddress".into(),
                    key: key.into(),
                    values: vec![],
                });
            }
            s
        };
        use perimeter_model::Effect::{Allow, Deny};
        let public = |app: &App| function_exposure(app, &app.functions[0]).is_public();
        assert!(public(&app));
        app.apis[0].policy = vec![invoke(Allow, None)];
        assert!(public(&app), "an open Allow keeps it public");
        app.apis[0].policy = vec![invoke(Allow, None), invoke(Deny, Some("aws:SourceIp"))];
        assert!(!public(&app), "an IP allow list restricts it");
        app.apis[0].policy = vec![invoke(Allow, Some("aws:SourceVpce"))];
        assert!(
            !public(&app),
            "an Allow narrowed to a VPC endpoint restricts it"
        );
    }

    #[test]
    fn websocket_routes_follow_connect() {
        let mut app = app();
        let ws = |id: &str, path: &str, auth: Auth| {
            let mut t = api_trigger(id, "ANY", path, auth);
            t.kind = TriggerKind::WebSocket;
            t.http.as_mut().unwrap().api = Some("Ws".into());
            t
        };
        let mut f = function("Fn");
        f.triggers.push(ws("Msg", "sendmessage", Auth::None));
        app.functions.push(f);
        // No $connect in the model: unknown, so not public.
        assert!(!function_exposure(&app, &app.functions[0]).is_public());
        let mut c = function("Connect");
        c.triggers
            .push(ws("Connect", "$connect", Auth::Lambda("Auth".into())));
        app.functions.push(c);
        let e = function_exposure(&app, &app.functions[0]);
        assert!(!e.is_public() && e.entry_points[0].authenticated);
        app.functions[1].triggers[0] = ws("Connect", "$connect", Auth::None);
        assert!(function_exposure(&app, &app.functions[0]).is_public());
    }

    #[test]
    fn function_url_none_is_public() {
        let mut app = app();
        let mut f = function("Fn");
        f.url = Some(url("NONE"));
        app.functions.push(f);
        let e = function_exposure(&app, &app.functions[0]);
        assert!(e.is_public());
        assert_eq!(e.entry_points[0].description, "function URL (auth NONE)");
        app.functions[0].url = Some(url("AWS_IAM"));
        let e = function_exposure(&app, &app.functions[0]);
        assert!(!e.is_public());
        assert!(e.entry_points[0].authenticated);
    }

    #[test]
    fn star_permission_is_public_unless_narrowed() {
        let mut app = app();
        app.functions.push(function("Fn"));
        app.permissions.push(permission("Open", "Fn", "*"));
        let mut narrowed = permission("Narrow", "Fn", "*");
        narrowed.source_account = Some(Attr::explicit("123456789012".into(), loc(9)));
        app.permissions.push(narrowed);
        app.permissions
            .push(permission("S3Perm", "Fn", "s3.amazonaws.com"));
        let e = function_exposure(&app, &app.functions[0]);
        assert_eq!(
            e.entry_points.len(),
            2,
            "service permissions are not entry points: {e:?}"
        );
        assert!(e.entry_points[0].public);
        assert!(!e.entry_points[1].public);
    }

    #[test]
    fn any_account_root_is_as_public_as_star() {
        // The same principal AUTH003 reports, so DOW001 and the ranking agree with it.
        let mut app = app();
        app.functions.push(function("Fn"));
        app.permissions
            .push(permission("AnyRoot", "Fn", "arn:aws:iam::*:root"));
        let e = function_exposure(&app, &app.functions[0]);
        assert!(e.entry_points[0].public, "{e:?}");
        assert!(!e.entry_points[0].authenticated);
    }

    fn public_put_statement() -> Statement {
        let mut s = Statement::new(loc(20));
        s.principals.push(Principal {
            kind: PrincipalKind::Everyone,
            value: Attr::explicit("*".into(), loc(21)),
        });
        s.actions.push(Attr::explicit("s3:Put*".into(), loc(22)));
        s
    }

    #[test]
    fn bucket_writable_by_anyone_makes_its_trigger_public() {
        let mut app = app();
        let mut bucket = Resource::new("Uploads", ResourceKind::Bucket, "AWS::S3::Bucket", loc(10));
        bucket.policy.push(public_put_statement());
        app.resources.push(bucket);
        let mut f = function("Fn");
        f.triggers
            .push(source_trigger("Up", TriggerKind::S3, "Uploads"));
        app.functions.push(f);
        let e = function_exposure(&app, &app.functions[0]);
        assert!(e.is_public());
        assert_eq!(
            e.entry_points[0].description,
            "s3 bucket Uploads (public write)"
        );
        assert_eq!(
            e.entry_points[0].public_because.as_ref().unwrap().location,
            loc(21),
            "points at the `*` principal"
        );

        // Block Public Access switches the policy off.
        app.resources[0].public_access_block = Some(PublicAccessBlock {
            restrict_public_buckets: true,
            ..Default::default()
        });
        assert!(!function_exposure(&app, &app.functions[0]).is_public());
    }

    #[test]
    fn narrowing_conditions_and_unknown_conditions_keep_it_private() {
        let mut bucket = Resource::new("B", ResourceKind::Bucket, "AWS::S3::Bucket", loc(10));
        let mut s = public_put_statement();
        s.conditions.push(Condition {
            operator: "StringEquals".into(),
            key: "aws:SourceAccount".into(),
            values: vec![Attr::explicit("1".into(), loc(23))],
        });
        bucket.policy.push(s);
        assert!(public_write(&bucket).is_none());
        let mut s = public_put_statement();
        s.conditions_known = false;
        bucket.policy = vec![s];
        assert!(public_write(&bucket).is_none());
        let mut s = public_put_statement();
        s.conditions.push(Condition {
            operator: "Bool".into(),
            key: "aws:SecureTransport".into(),
            values: vec![],
        });
        bucket.policy = vec![s];
        assert!(
            public_write(&bucket).is_some(),
            "SecureTransport does not narrow who"
        );
    }

    #[test]
    fn public_read_write_acl_and_notifications() {
        let mut app = app();
        let mut bucket = Resource::new("Drop", ResourceKind::Bucket, "AWS::S3::Bucket", loc(10));
        bucket.acl = Some(Attr::explicit("PublicReadWrite".into(), loc(11)));
        bucket.notifies.push(Attr::explicit("Fn".into(), loc(12)));
        app.resources.push(bucket);
        app.functions.push(function("Fn"));
        let e = function_exposure(&app, &app.functions[0]);
        assert_eq!(e.entry_points.len(), 1);
        assert!(e.entry_points[0].public);
        assert_eq!(
            e.entry_points[0].public_because.as_ref().unwrap().reason,
            "ACL PublicReadWrite"
        );
        app.resources[0].public_access_block = Some(PublicAccessBlock {
            ignore_public_acls: true,
            ..Default::default()
        });
        assert!(!function_exposure(&app, &app.functions[0]).is_public());
    }

    #[test]
    fn the_index_answers_exactly_as_the_scan() {
        // Every lookup the index replaces: notifications (listed twice, and beside a trigger),
        // permissions, sources, APIs, and WebSocket `$connect` routes in another function.
        let mut app = app();
        let mut drop = Resource::new("Drop", ResourceKind::Bucket, "AWS::S3::Bucket", loc(10));
        drop.acl = Some(Attr::explicit("PublicReadWrite".into(), loc(11)));
        drop.notifies.push(Attr::explicit("A".into(), loc(12)));
        drop.notifies.push(Attr::explicit("A".into(), loc(13)));
        drop.notifies.push(Attr::explicit("B".into(), loc(14)));
        app.resources.push(drop);
        app.resources.push(Resource::new(
            "Drop",
            ResourceKind::Queue,
            "AWS::SQS::Queue",
            loc(15),
        ));
        app.apis.push(rest_api("ServerlessRestApi"));
        let ws = |id: &str, path: &str, auth: Auth| {
            let mut t = api_trigger(id, "ANY", path, auth);
            t.kind = TriggerKind::WebSocket;
            t.http.as_mut().unwrap().api = Some("Ws".into());
            t
        };
        let mut a = function("A");
        a.triggers.push(api_trigger("Get", "GET", "/", Auth::None));
        a.triggers.push(ws("Msg", "send", Auth::None));
        let mut b = function("B");
        b.triggers
            .push(source_trigger("Up", TriggerKind::S3, "Drop"));
        b.triggers.push(ws("Connect", "$connect", Auth::None));
        b.triggers.push(ws("Connect2", "$connect", Auth::Iam));
        app.functions.extend([a, b, function("C")]);
        app.permissions.push(permission("Open", "C", "*"));
        app.permissions
            .push(permission("Svc", "A", "s3.amazonaws.com"));
        app.permissions
            .push(permission("Other", "A", "123456789012"));
        let indexed = exposure(&app);
        let scanned: Vec<Exposure> = app
            .functions
            .iter()
            .map(|f| function_exposure(&app, f))
            .collect();
        assert_eq!(indexed, scanned);
        assert!(indexed.iter().all(Exposure::is_public), "{indexed:?}");
    }

    #[test]
    fn queue_trigger_is_authenticated_not_public() {
        let mut app = app();
        app.resources.push(Resource::new(
            "Jobs",
            ResourceKind::Queue,
            "AWS::SQS::Queue",
            loc(10),
        ));
        let mut f = function("Fn");
        f.triggers
            .push(source_trigger("Q", TriggerKind::Sqs, "Jobs"));
        app.functions.push(f);
        let e = function_exposure(&app, &app.functions[0]);
        assert_eq!(e.entry_points[0].description, "sqs queue Jobs");
        assert!(!e.entry_points[0].public && e.entry_points[0].authenticated);
    }
}
