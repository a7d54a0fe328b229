//! Function `events:` into [`Trigger`]s: HTTP routes with their authentication, queues,
//! topics, streams, buckets, schedules and the rest; unknown event types become
//! [`TriggerKind::Other`] named as written.
//!
//! Sources that name a resource declared in `resources:` (by `Ref`, `Fn::GetAtt`, logical
//! ID, physical name or ARN) point at its logical ID. SQS and stream sources also yield the
//! read statements the framework adds to the function's generated role.

use super::apis::{self, REST_API};
use super::iam;
use super::provider::Provider;
use super::read::{Reader, first, single};
use super::resources;
use super::variables::unresolved_reason;
use crate::doc::{Key, Node};
use perimeter_model::{App, Attr, Auth, HttpRoute, ResourceKind, Statement, Trigger, TriggerKind};

/// What the event readers need to know about the service.
pub struct Events<'a> {
    pub reader: &'a Reader<'a>,
    pub app: &'a App,
    pub provider: &'a Provider<'a>,
    /// Which implicit APIs exist (`None` when routes attach to an existing API).
    pub rest_api: Option<String>,
    pub http_api: Option<String>,
    pub websocket_api: Option<String>,
    /// The authentication of the service's `$connect` route, which guards every route of
    /// the WebSocket API.
    pub websocket_auth: Option<Attr<Auth>>,
    /// Whether the REST API is private (VPC endpoint only).
    pub rest_private: bool,
}

/// One trigger and the statements the framework adds to the function's role for it.
pub struct EventOut {
    pub trigger: Trigger,
    pub statements: Vec<Statement>,
}

impl Events<'_> {
    /// The trigger of the `index`-th event of a function.
    pub fn trigger(&self, index: usize, event: &Node) -> EventOut {
        let reader = self.reader;
        let location = reader.loc(event);
        let Some((type_name, body)) = event_shape(event) else {
            let reason = unresolved_reason(event).unwrap_or("event is not a mapping");
            let trigger = Trigger {
                id: format!("event-{index}"),
                kind: TriggerKind::Other,
                type_name: "unknown".to_string(),
                source: Some(Attr::unresolved(reason, location.clone())),
                location,
                http: None,
            };
            return EventOut {
                trigger,
                statements: Vec::new(),
            };
        };
        let mut statements = Vec::new();
        let mut http = None;
        let (kind, source) = match type_name {
            "http" => {
                http = Some(self.rest_route(event, body));
                (
                    TriggerKind::Api,
                    self.rest_api
                        .as_ref()
                        .map(|a| Attr::defaulted(a.clone(), location.clone())),
                )
            }
            "httpApi" => {
                http = Some(self.http_route(event, body));
                (
                    TriggerKind::HttpApi,
                    self.http_api
                        .as_ref()
                        .map(|a| Attr::defaulted(a.clone(), location.clone())),
                )
            }
            "websocket" => {
                http = Some(self.websocket_route(body));
                (
                    TriggerKind::WebSocket,
                    self.websocket_api
                        .as_ref()
                        .map(|a| Attr::defaulted(a.clone(), location.clone())),
                )
            }
            "alb" => {
                http = Some(self.alb_route(event, body));
                (
                    TriggerKind::Alb,
                    field(body, &["listenerArn"]).map(|n| self.source(n)),
                )
            }
            "s3" => (
                TriggerKind::S3,
                field(body, &["bucket"]).map(|n| self.source(n)),
            ),
            "sqs" => {
                let arn = field(body, &["arn", "queueArn"]);
                if let Some(arn) = arn {
                    let actions = [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                    ];
                    statements.push(iam::framework_statement(
                        &actions,
                        vec![reader.string(arn)],
                        &location,
                    ));
                }
                (TriggerKind::Sqs, arn.map(|n| self.source(n)))
            }
            "sns" => (
                TriggerKind::Sns,
                field(body, &["arn", "topicName"]).map(|n| self.source(n)),
            ),
            "stream" => {
                let arn = field(body, &["arn"]);
                let kind = self.stream_kind(body, arn);
                if let Some(arn) = arn {
                    let actions: &[&str] = match kind {
                        TriggerKind::DynamoDb => &[
                            "dynamodb:GetRecords",
                            "dynamodb:GetShardIterator",
                            "dynamodb:DescribeStream",
                            "dynamodb:ListStreams",
                        ],
                        TriggerKind::Kinesis => &[
                            "kinesis:GetRecords",
                            "kinesis:GetShardIterator",
                            "kinesis:DescribeStream",
                            "kinesis:DescribeStreamSummary",
                            "kinesis:ListShards",
                            "kinesis:ListStreams",
                        ],
                        _ => &[],
                    };
                    if !actions.is_empty() {
                        statements.push(iam::framework_statement(
                            actions,
                            vec![reader.string(arn)],
                            &location,
                        ));
                    }
                }
                (kind, arn.map(|n| self.source(n)))
            }
            "schedule" => (TriggerKind::Schedule, None),
            "eventBridge" => {
                let bus = body.get("eventBus").map(|n| self.source(n));
                (
                    TriggerKind::EventBridge,
                    Some(bus.unwrap_or_else(|| {
                        Attr::defaulted("default".to_string(), location.clone())
                    })),
                )
            }
            "cloudwatchEvent" => (
                TriggerKind::EventBridge,
                Some(Attr::defaulted("default".to_string(), location.clone())),
            ),
            "iot" | "iotFleetProvisioning" => (TriggerKind::IoT, None),
            "cognitoUserPool" => (
                TriggerKind::Cognito,
                field(body, &["pool"]).map(|n| self.source(n)),
            ),
            "cloudFront" => (TriggerKind::CloudFront, None),
            "alexaSkill" | "alexaSmartHome" => (
                TriggerKind::Alexa,
                field(body, &["appId"]).map(|n| self.source(n)),
            ),
            "cloudwatchLog" => (
                TriggerKind::CloudWatchLogs,
                field(body, &["logGroup"]).map(|n| self.source(n)),
            ),
            "kafka" => (
                TriggerKind::Kafka,
                field(body, &["topic"]).map(|n| self.source(n)),
            ),
            "msk" => (
                TriggerKind::Msk,
                field(body, &["arn"]).map(|n| self.source(n)),
            ),
            "activemq" | "rabbitmq" => (
                TriggerKind::Mq,
                field(body, &["arn"]).map(|n| self.source(n)),
            ),
            _ => (TriggerKind::Other, None),
        };
        let trigger = Trigger {
            id: format!("{type_name}-{index}"),
            kind,
            type_name: type_name.to_string(),
            location,
            source,
            http,
        };
        EventOut {
            trigger,
            statements,
        }
    }

    fn source(&self, node: &Node) -> Attr<String> {
        resources::source(self.reader, self.app, node)
    }

    /// DynamoDB or Kinesis: the `type`, else the ARN, else the declared resource's kind.
    fn stream_kind(&self, body: &Node, arn: Option<&Node>) -> TriggerKind {
        match body.get("type").and_then(Node::as_str) {
            Some("dynamodb") => return TriggerKind::DynamoDb,
            Some("kinesis") => return TriggerKind::Kinesis,
            _ => {}
        }
        let Some(arn) = arn else {
            return TriggerKind::Other;
        };
        if let Some(text) = arn.as_str() {
            if text.contains(":dynamodb:") {
                return TriggerKind::DynamoDb;
            }
            if text.contains(":kinesis:") {
                return TriggerKind::Kinesis;
            }
        }
        let attribute = arn.get("Fn::GetAtt").and_then(|g| match g.as_str() {
            Some(s) => s.split_once('.').map(|(_, a)| a.to_string()),
            None => g.items().get(1).and_then(Node::as_str).map(str::to_string),
        });
        if attribute.as_deref() == Some("StreamArn") {
            return TriggerKind::DynamoDb;
        }
        match resources::declared_target(self.reader, arn)
            .and_then(|id| self.app.resource(&id).map(|r| r.kind))
        {
            Some(ResourceKind::Table) => TriggerKind::DynamoDb,
            Some(ResourceKind::Stream) => TriggerKind::Kinesis,
            _ => TriggerKind::Other,
        }
    }

    /// `http: GET /path` or `{method, path, private, authorizer, cors}`.
    fn rest_route(&self, event: &Node, body: &Node) -> HttpRoute {
        let reader = self.reader;
        let (method, path) = method_and_path(body);
        let location = reader.loc(event);
        let api_key_required = match body.get("private") {
            Some(p) => reader.bool(p),
            None => Attr::defaulted(false, location.clone()),
        };
        let private = if self.rest_private && self.rest_api.is_some() {
            Attr::explicit(true, location.clone())
        } else {
            Attr::defaulted(false, location.clone())
        };
        HttpRoute {
            api: self.rest_api.clone().filter(|a| a == REST_API),
            method,
            path,
            auth: self.rest_auth(event, body.get("authorizer")),
            api_key_required,
            private,
            cors: body
                .get("cors")
                .and_then(|c| apis::cors(reader, c, &["origin", "origins"])),
        }
    }

    fn rest_auth(&self, event: &Node, authorizer: Option<&Node>) -> Attr<Auth> {
        let reader = self.reader;
        let Some(node) = authorizer else {
            // Azure functions: `authLevel: anonymous | function | admin` (keys required).
            let level = event
                .entries()
                .iter()
                .find_map(|(_, v)| v.get("authLevel"))
                .or_else(|| event.get("authLevel"));
            return match level.and_then(Node::as_str) {
                Some(l) if !l.eq_ignore_ascii_case("anonymous") => {
                    Attr::explicit(Auth::Other(format!("authLevel {l}")), reader.loc(event))
                }
                _ => Attr::defaulted(Auth::None, reader.loc(event)),
            };
        };
        let loc = reader.loc(node);
        if let Some(reason) = unresolved_reason(node) {
            return Attr::unresolved(reason, loc);
        }
        if let Some(text) = node.as_str() {
            return Attr::explicit(auth_from_text(text), loc);
        }
        let name = self.named(node, &["name", "arn", "authorizerId"]);
        let auth = match node
            .get("type")
            .and_then(Node::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("aws_iam") => Auth::Iam,
            Some("cognito_user_pools") => Auth::Cognito(name),
            Some("token" | "request") => Auth::Lambda(name),
            Some(_) => Auth::Other(name),
            None if node.get("authorizerId").is_some() && node.get("arn").is_none() => {
                Auth::Other(name)
            }
            None if name.contains("cognito-idp") => Auth::Cognito(name),
            None => Auth::Lambda(name),
        };
        Attr::explicit(auth, loc)
    }

    /// The first known string among `keys` of an authorizer (or what it looks like).
    fn named(&self, node: &Node, keys: &[&str]) -> String {
        keys.iter()
            .filter_map(|k| node.get(k))
            .find_map(|n| {
                let a = self.reader.string(n);
                a.as_str().map(str::to_string)
            })
            .unwrap_or_else(|| "unresolved".to_string())
    }

    /// `httpApi: '*'`, `'GET /x'`, or `{method, path, authorizer}`; named authorizers are
    /// looked up in `provider.httpApi.authorizers`.
    fn http_route(&self, event: &Node, body: &Node) -> HttpRoute {
        let reader = self.reader;
        let location = reader.loc(event);
        let (method, path) = match body.as_str().map(str::trim) {
            Some("*") => ("ANY".to_string(), "*".to_string()),
            _ => method_and_path(body),
        };
        let auth = match body.get("authorizer") {
            None => Attr::defaulted(Auth::None, location.clone()),
            Some(node) => {
                let loc = reader.loc(node);
                if let Some(reason) = unresolved_reason(node) {
                    Attr::unresolved(reason, loc)
                } else if let Some(name) = node.as_str() {
                    Attr::explicit(self.http_authorizer(name), loc)
                } else if node
                    .get("type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("aws_iam"))
                {
                    Attr::explicit(Auth::Iam, loc)
                } else if let Some(name) = node.get("name").and_then(Node::as_str) {
                    Attr::explicit(self.http_authorizer(name), loc)
                } else {
                    Attr::explicit(Auth::Other(self.named(node, &["id"])), loc)
                }
            }
        };
        HttpRoute {
            api: self.http_api.clone(),
            method,
            path,
            auth,
            api_key_required: Attr::defaulted(false, location.clone()),
            private: Attr::defaulted(false, location),
            cors: self
                .provider
                .path(&["httpApi", "cors"])
                .and_then(|c| apis::cors(reader, c, &["allowedOrigins"])),
        }
    }

    fn http_authorizer(&self, name: &str) -> Auth {
        let Some(def) = self.provider.path(&["httpApi", "authorizers", name]) else {
            return Auth::Other(name.to_string());
        };
        let name = name.to_string();
        match def
            .get("type")
            .and_then(Node::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("request") => Auth::Lambda(name),
            Some("jwt") => Auth::Jwt(name),
            _ if def.get("functionName").is_some() || def.get("functionArn").is_some() => {
                Auth::Lambda(name)
            }
            _ if def.get("issuerUrl").is_some() => Auth::Jwt(name),
            _ => Auth::Other(name),
        }
    }

    /// `websocket: $connect` or `{route, authorizer}`. Every route is guarded by the
    /// `$connect` route's authorizer, when there is one.
    fn websocket_route(&self, body: &Node) -> HttpRoute {
        let reader = self.reader;
        let location = reader.loc(body);
        let route = match body.as_str() {
            Some(r) => r.to_string(),
            None => body
                .get("route")
                .and_then(Node::as_str)
                .unwrap_or("$default")
                .to_string(),
        };
        let auth = self
            .websocket_auth
            .clone()
            .unwrap_or_else(|| Attr::defaulted(Auth::None, location.clone()));
        HttpRoute {
            api: self.websocket_api.clone(),
            method: "ANY".to_string(),
            path: route,
            auth,
            api_key_required: Attr::defaulted(false, location.clone()),
            private: Attr::defaulted(false, location),
            cors: None,
        }
    }

    /// `alb: {listenerArn, conditions: {path, method}, authorizer}`.
    fn alb_route(&self, event: &Node, body: &Node) -> HttpRoute {
        let reader = self.reader;
        let location = reader.loc(event);
        let conditions = body.get("conditions");
        let first_text = |key: &str| -> Option<String> {
            let n = conditions?.get(key)?;
            n.as_str()
                .or_else(|| n.items().first().and_then(Node::as_str))
                .map(str::to_string)
        };
        let auth = match body.get("authorizer") {
            None => Attr::defaulted(Auth::None, location.clone()),
            Some(node) => {
                let loc = reader.loc(node);
                match node
                    .as_str()
                    .or_else(|| node.items().first().and_then(Node::as_str))
                {
                    Some(name) => {
                        let kind = self
                            .provider
                            .path(&["alb", "authorizers", name, "type"])
                            .and_then(Node::as_str);
                        let auth = match kind.map(str::to_ascii_lowercase).as_deref() {
                            Some("cognito") => Auth::Cognito(name.to_string()),
                            Some("oidc") => Auth::Jwt(name.to_string()),
                            _ => Auth::Other(name.to_string()),
                        };
                        Attr::explicit(auth, loc)
                    }
                    None => Attr::unresolved(
                        unresolved_reason(node).unwrap_or("authorizer not static"),
                        loc,
                    ),
                }
            }
        };
        HttpRoute {
            api: None,
            method: first_text("method")
                .map(|m| m.to_ascii_uppercase())
                .unwrap_or_else(|| "ANY".to_string()),
            path: first_text("path").unwrap_or_else(|| "/".to_string()),
            auth,
            api_key_required: Attr::defaulted(false, location.clone()),
            private: Attr::defaulted(false, location),
            cors: None,
        }
    }
}

/// The authentication of a `$connect` route, when the service declares one.
pub fn websocket_connect_auth(reader: &Reader, functions: &[(&Key, &Node)]) -> Option<Attr<Auth>> {
    for (_, function) in functions {
        for event in function.get("events").map(Node::items).unwrap_or_default() {
            let Some(("websocket", body)) = single(event) else {
                continue;
            };
            let route = body
                .as_str()
                .or_else(|| body.get("route").and_then(Node::as_str));
            if route != Some("$connect") {
                continue;
            }
            let node = body.get("authorizer")?;
            let loc = reader.loc(node);
            if let Some(reason) = unresolved_reason(node) {
                return Some(Attr::unresolved(reason, loc));
            }
            let name = node
                .as_str()
                .or_else(|| first(node, &["name", "arn"]).and_then(Node::as_str))
                .unwrap_or("unresolved")
                .to_string();
            return Some(Attr::explicit(Auth::Lambda(name), loc));
        }
    }
    None
}

/// The event type and its settings: `- http: {…}`, a bare `- alexaSkill`, or (other
/// providers) a mapping of several keys whose first names the type and which holds the
/// settings itself (`{http: true, methods: [GET], authLevel: anonymous}`).
pub fn event_shape(event: &Node) -> Option<(&str, &Node)> {
    if unresolved_reason(event).is_some() {
        return None;
    }
    if let Some(name) = event.as_str() {
        return Some((name, event));
    }
    let (key, value) = event.entries().first()?;
    let settings = value.is_map() || (value.as_str().is_some() && value.as_bool().is_none());
    Some((
        key.name.as_str(),
        if settings || event.entries().len() == 1 {
            value
        } else {
            event
        },
    ))
}

/// An event's body field: the body itself when it is a plain value, else its first `keys`.
fn field<'n>(body: &'n Node, keys: &[&str]) -> Option<&'n Node> {
    if body.is_map()
        && unresolved_reason(body).is_none()
        && body
            .single_entry()
            .is_none_or(|(k, _)| !is_intrinsic(&k.name))
    {
        return first(body, keys);
    }
    (!body.is_null()).then_some(body)
}

fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// `GET /path`, or `{method, path}`; upper-case method, path with a leading `/`.
fn method_and_path(body: &Node) -> (String, String) {
    let (method, path) = match body.as_str() {
        Some(text) => {
            let mut parts = text.split_whitespace();
            let first = parts.next().unwrap_or("ANY");
            match parts.next() {
                Some(p) => (first.to_string(), p.to_string()),
                None => ("ANY".to_string(), first.to_string()),
            }
        }
        None => (
            first(body, &["method", "methods"])
                .and_then(|m| {
                    m.as_str()
                        .or_else(|| m.items().first().and_then(Node::as_str))
                })
                .unwrap_or("ANY")
                .to_string(),
            first(body, &["path", "route"])
                .and_then(Node::as_str)
                .unwrap_or("/")
                .to_string(),
        ),
    };
    let method = match method.to_ascii_uppercase() {
        m if m == "*" => "ANY".to_string(),
        m => m,
    };
    let path = if path.starts_with('/') || path == "*" {
        path
    } else {
        format!("/{path}")
    };
    (method, path)
}

/// A REST authorizer written as a string: `aws_iam`, a Cognito user-pool ARN, a Lambda ARN,
/// or the name of a function of the service.
fn auth_from_text(text: &str) -> Auth {
    if text.eq_ignore_ascii_case("aws_iam") {
        Auth::Iam
    } else if text.contains("cognito-idp") {
        Auth::Cognito(text.to_string())
    } else {
        Auth::Lambda(text.to_string())
    }
}
