//! Snapshot → model: one [`App`] per region read (`aws:ACCOUNT:REGION`), every value located
//! at the ARN it was read from (line 0).
//!
//! Functions are keyed by name. Triggers are attached to the function they invoke; a trigger
//! whose function does not exist (an event source mapping, bucket notification, SNS
//! subscription or EventBridge target left behind by a deleted function) stays visible on its
//! source resource: [`Resource::notifies`] holds the target's ARN as written rather than a
//! function ID, so rules can tell it points at nothing. Event source mappings add a
//! `notifies` entry only in that orphan case (the function polls them, they do not notify).

use super::policy::statements;
use super::{
    BucketData, EventSourceMapping, FunctionData, HttpApi, RegionData, RestApi, RoleData, Snapshot,
};
use perimeter_model::{
    Api, ApiKind, App, Attr, Auth, Cors, Deployed, EnvVar, Function, FunctionUrl, HttpRoute,
    LiveScope, Location, Model, Permission, Policy, PolicySource, PublicAccessBlock, Resource,
    ResourceKind, Role, SourceKind, Trigger, TriggerKind,
};
use serde_json::Value as Json;
use std::collections::BTreeSet;

/// Builds the model of a snapshot: one app per region, sorted by region.
pub fn to_model(snapshot: &Snapshot) -> Model {
    let mut regions: Vec<&RegionData> = snapshot.region_data.iter().collect();
    regions.sort_by(|a, b| a.region.cmp(&b.region));
    // Roles used by some function of any region; the others go to the first region's app
    // once, so an unused role is reported once and not per region.
    let used: BTreeSet<&str> = regions
        .iter()
        .flat_map(|r| r.functions.iter())
        .filter_map(|f| f.role.as_deref())
        .collect();
    let mut scanned: Vec<String> = snapshot.regions.clone();
    for r in &regions {
        if !scanned.contains(&r.region) {
            scanned.push(r.region.clone());
        }
    }
    scanned.sort();
    let apps = regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let mut b = Builder::new(snapshot, region, &scanned);
            b.functions();
            b.permissions();
            b.log_groups();
            b.roles(&used, i == 0);
            b.rest_apis();
            b.http_apis();
            b.buckets();
            b.topics();
            b.queues();
            b.event_rules();
            b.mappings();
            b.app
        })
        .collect();
    Model {
        apps,
        errors: Vec::new(),
    }
}

fn loc(arn: &str) -> Location {
    Location::new(arn, 0, 0)
}

fn known<T>(value: T, arn: &str) -> Attr<T> {
    Attr::explicit(value, loc(arn))
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → `(REGION, NAME)`.
fn function_arn_parts(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() >= 7 && parts[2] == "lambda" && parts[5] == "function" {
        Some((parts[3], parts[6]))
    } else {
        None
    }
}

/// The function ARN an API Gateway integration URI invokes
/// (`arn:aws:apigateway:R:lambda:path/2015-03-31/functions/<ARN>/invocations`), or the URI
/// itself when it is already a function ARN (HTTP API Lambda proxy integrations).
pub(crate) fn integration_function(uri: &str) -> Option<&str> {
    if function_arn_parts(uri).is_some() {
        return Some(uri);
    }
    let start = uri.find("/functions/")? + "/functions/".len();
    let rest = &uri[start..];
    let end = rest.find("/invocations").unwrap_or(rest.len());
    let arn = &rest[..end];
    function_arn_parts(arn).map(|_| arn)
}

/// The last `/`- or `:`-separated segment of an ARN.
fn arn_name(arn: &str) -> &str {
    arn.rsplit([':', '/']).next().unwrap_or(arn)
}

struct Builder<'s> {
    snapshot: &'s Snapshot,
    region: &'s RegionData,
    app: App,
}

impl<'s> Builder<'s> {
    fn new(snapshot: &'s Snapshot, region: &'s RegionData, scanned: &[String]) -> Self {
        let id = format!("aws:{}:{}", snapshot.account_id, region.region);
        let mut app = App::new(&id, &id, SourceKind::Aws, &id);
        app.live = Some(LiveScope {
            account_id: snapshot.account_id.clone(),
            region: region.region.clone(),
            regions_scanned: scanned.to_vec(),
            captured_at: snapshot.captured_at.clone(),
            metrics_days: snapshot.metrics_days,
            gaps: snapshot.gaps.clone(),
        });
        Builder {
            snapshot,
            region,
            app,
        }
    }

    /// The function ID (its name) an ARN names in this app, if that function exists here.
    fn function_id(&self, arn: &str) -> Option<String> {
        let (region, name) = function_arn_parts(arn)
            .or_else(|| (!arn.contains(':')).then_some((self.region.region.as_str(), arn)))?;
        (region == self.region.region && self.app.function(name).is_some())
            .then(|| name.to_string())
    }

    /// Adds `trigger` to the function `target` names; `false` when no such function exists.
    fn add_trigger(&mut self, target: &str, trigger: Trigger) -> bool {
        let Some(id) = self.function_id(target) else {
            return false;
        };
        if let Some(f) = self.app.functions.iter_mut().find(|f| f.id == id) {
            let n = f.triggers.iter().filter(|t| t.id == trigger.id).count();
            let mut trigger = trigger;
            if n > 0 {
                trigger.id = format!("{}-{}", trigger.id, n + 1);
            }
            f.triggers.push(trigger);
        }
        true
    }

    /// What a resource's `notifies` holds for a target: the function ID when it exists
    /// here, else the ARN as written.
    fn notify_target(&self, target: &str, at: &str) -> Attr<String> {
        known(
            self.function_id(target)
                .unwrap_or_else(|| target.to_string()),
            at,
        )
    }

    fn functions(&mut self) {
        for f in &self.region.functions {
            let func = function(f);
            self.app.functions.push(func);
        }
        self.app.functions.sort_by(|a, b| a.id.cmp(&b.id));
        for f in &self.region.functions {
            if let Some(url) = &f.url {
                self.url(f, url);
            }
        }
    }

    fn url(&mut self, f: &FunctionData, url: &super::UrlConfig) {
        let at = f.arn.as_str();
        let cors = url.cors.then(|| Cors {
            allow_origins: url
                .allow_origins
                .iter()
                .map(|o| known(o.clone(), at))
                .collect(),
            allow_credentials: url.allow_credentials.map(|c| known(c, at)),
            location: loc(at),
        });
        let auth = match url.auth_type.as_str() {
            "NONE" => known(Auth::None, at),
            "AWS_IAM" => known(Auth::Iam, at),
            other => Attr::unresolved(format!("unknown AuthType {other}"), loc(at)),
        };
        let trigger = Trigger {
            id: "FunctionUrl".to_string(),
            kind: TriggerKind::FunctionUrl,
            type_name: "FunctionUrl".to_string(),
            location: loc(at),
            source: url.url.as_ref().map(|u| known(u.clone(), at)),
            http: Some(HttpRoute {
                api: None,
                method: "ANY".to_string(),
                path: "/".to_string(),
                auth,
                api_key_required: Attr::defaulted(false, loc(at)),
                private: Attr::defaulted(false, loc(at)),
                cors: cors.clone(),
            }),
        };
        if let Some(func) = self.app.functions.iter_mut().find(|x| x.id == f.name) {
            func.url = Some(FunctionUrl {
                auth_type: known(url.auth_type.clone(), at),
                cors,
                location: loc(at),
            });
            func.triggers.push(trigger);
        }
    }

    /// Resource-based policy statements of each function become permissions.
    fn permissions(&mut self) {
        for f in &self.region.functions {
            let Some(doc) = &f.policy else { continue };
            let list: Vec<&Json> = match doc.get("Statement") {
                Some(Json::Array(items)) => items.iter().collect(),
                Some(one @ Json::Object(_)) => vec![one],
                _ => Vec::new(),
            };
            for (i, st) in list.into_iter().enumerate() {
                self.app.permissions.extend(permissions(f, i, st));
            }
        }
    }

    fn log_groups(&mut self) {
        for g in &self.region.log_groups {
            let at = g
                .arn
                .clone()
                .unwrap_or_else(|| format!("log-group:{}", g.name));
            let mut r = Resource::new(&at, ResourceKind::LogGroup, "AWS::Logs::LogGroup", loc(&at));
            r.name = Some(known(g.name.clone(), &at));
            r.retention_days = g.retention_days.map(|d| known(d, &at));
            if let Some(name) = g.name.strip_prefix("/aws/lambda/")
                && let Some(func) = self.app.functions.iter_mut().find(|f| f.id == name)
            {
                r.log_group_for = Some(name.to_string());
                func.log_retention_days = g.retention_days.map(|d| known(d, &at));
            }
            self.app.resources.push(r);
        }
    }

    fn roles(&mut self, used: &BTreeSet<&str>, first: bool) {
        let here: BTreeSet<&str> = self
            .region
            .functions
            .iter()
            .filter_map(|f| f.role.as_deref())
            .collect();
        for r in &self.snapshot.roles {
            if here.contains(r.arn.as_str()) || (first && !used.contains(r.arn.as_str())) {
                self.app.roles.push(role(r));
            }
        }
    }

    fn rest_apis(&mut self) {
        for api in &self.region.rest_apis {
            let at = format!(
                "arn:aws:apigateway:{}::/restapis/{}",
                self.region.region, api.id
            );
            let mut a = Api::new(&api.id, ApiKind::Rest, loc(&at));
            stage_settings(&mut a, &api.stages, &at);
            a.usage_plan = self.region.usage_plan_api_ids.contains(&api.id);
            a.private = api.endpoint_types.iter().any(|t| t == "PRIVATE");
            if let Some(doc) = &api.policy {
                a.policy = statements(doc, &loc(&at));
            }
            self.app.apis.push(a);
            self.rest_routes(api, &at);
        }
    }

    fn rest_routes(&mut self, api: &RestApi, at: &str) {
        let private = api.endpoint_types.iter().any(|t| t == "PRIVATE");
        for m in &api.methods {
            let Some(target) = m.integration_uri.as_deref().and_then(integration_function) else {
                continue;
            };
            let name = |id: &Option<String>| authorizer_name(&api.authorizers, id.as_deref());
            let auth = match m.authorization_type.as_deref().unwrap_or("NONE") {
                "NONE" => Auth::None,
                "AWS_IAM" => Auth::Iam,
                "COGNITO_USER_POOLS" => Auth::Cognito(name(&m.authorizer_id)),
                "CUSTOM" => Auth::Lambda(name(&m.authorizer_id)),
                other => Auth::Other(other.to_string()),
            };
            let trigger = Trigger {
                id: format!("Api-{}-{}-{}", api.id, m.http_method, m.path),
                kind: TriggerKind::Api,
                type_name: "AWS::ApiGateway::Method".to_string(),
                location: loc(at),
                source: Some(known(api.id.clone(), at)),
                http: Some(HttpRoute {
                    api: Some(api.id.clone()),
                    method: m.http_method.to_uppercase(),
                    path: m.path.clone(),
                    auth: known(auth, at),
                    api_key_required: known(m.api_key_required, at),
                    private: known(private, at),
                    cors: None,
                }),
            };
            self.add_trigger(target, trigger);
        }
    }

    fn http_apis(&mut self) {
        for api in &self.region.http_apis {
            let at = format!(
                "arn:aws:apigateway:{}::/apis/{}",
                self.region.region, api.id
            );
            let kind = if api.protocol_type.as_deref() == Some("WEBSOCKET") {
                ApiKind::WebSocket
            } else {
                ApiKind::Http
            };
            let mut a = Api::new(&api.id, kind, loc(&at));
            stage_settings(&mut a, &api.stages, &at);
            a.cors = http_cors(api, &at);
            self.app.apis.push(a);
            self.http_routes(api, kind, &at);
        }
    }

    fn http_routes(&mut self, api: &HttpApi, kind: ApiKind, at: &str) {
        for r in &api.routes {
            let Some(uri) = r
                .target
                .as_deref()
                .and_then(|t| t.strip_prefix("integrations/"))
                .and_then(|id| api.integrations.get(id))
            else {
                continue;
            };
            let Some(target) = integration_function(uri) else {
                continue;
            };
            let name = authorizer_name(&api.authorizers, r.authorizer_id.as_deref());
            let auth = match r.authorization_type.as_deref().unwrap_or("NONE") {
                "NONE" => Auth::None,
                "AWS_IAM" => Auth::Iam,
                "JWT" => Auth::Jwt(name),
                "CUSTOM" => Auth::Lambda(name),
                other => Auth::Other(other.to_string()),
            };
            let (method, path) = match r.route_key.split_once(' ') {
                Some((m, p)) => (m.to_uppercase(), p.to_string()),
                None => ("ANY".to_string(), r.route_key.clone()),
            };
            let trigger = Trigger {
                id: format!("HttpApi-{}-{}", api.id, r.route_key),
                kind: if kind == ApiKind::WebSocket {
                    TriggerKind::WebSocket
                } else {
                    TriggerKind::HttpApi
                },
                type_name: "AWS::ApiGatewayV2::Route".to_string(),
                location: loc(at),
                source: Some(known(api.id.clone(), at)),
                http: Some(HttpRoute {
                    api: Some(api.id.clone()),
                    method,
                    path,
                    auth: known(auth, at),
                    api_key_required: known(r.api_key_required, at),
                    private: known(false, at),
                    cors: http_cors(api, at),
                }),
            };
            self.add_trigger(target, trigger);
        }
    }

    fn buckets(&mut self) {
        let region = self.region.region.as_str();
        let buckets: Vec<&BucketData> = self
            .snapshot
            .buckets
            .iter()
            .filter(|b| b.region == region)
            .collect();
        for b in buckets {
            let at = format!("arn:aws:s3:::{}", b.name);
            let mut r = Resource::new(&at, ResourceKind::Bucket, "AWS::S3::Bucket", loc(&at));
            r.name = Some(known(b.name.clone(), &at));
            if let Some(doc) = &b.policy {
                r.policy = statements(doc, &loc(&at));
            }
            r.public_access_block = b.public_access_block.map(|p| PublicAccessBlock {
                block_public_acls: p.block_public_acls,
                ignore_public_acls: p.ignore_public_acls,
                block_public_policy: p.block_public_policy,
                restrict_public_buckets: p.restrict_public_buckets,
            });
            for (i, n) in b.lambda_notifications.iter().enumerate() {
                r.notifies.push(self.notify_target(&n.function_arn, &at));
                let trigger = source_trigger(
                    format!(
                        "S3-{}-{}",
                        b.name,
                        n.id.clone().unwrap_or_else(|| i.to_string())
                    ),
                    TriggerKind::S3,
                    "AWS::S3::Bucket",
                    &at,
                );
                self.add_trigger(&n.function_arn, trigger);
            }
            self.app.resources.push(r);
        }
    }

    fn topics(&mut self) {
        for t in &self.region.topics {
            let at = t.arn.as_str();
            let mut r = Resource::new(at, ResourceKind::Topic, "AWS::SNS::Topic", loc(at));
            r.name = Some(known(arn_name(at).to_string(), at));
            if let Some(doc) = &t.policy {
                r.policy = statements(doc, &loc(at));
            }
            for s in &t.lambda_subscriptions {
                r.notifies.push(self.notify_target(&s.endpoint, at));
                let trigger = source_trigger(
                    format!("Sns-{}", arn_name(at)),
                    TriggerKind::Sns,
                    "AWS::SNS::Subscription",
                    at,
                );
                self.add_trigger(&s.endpoint, trigger);
            }
            self.app.resources.push(r);
        }
    }

    fn queues(&mut self) {
        for q in &self.region.queues {
            let at = q.arn.as_str();
            let mut r = Resource::new(at, ResourceKind::Queue, "AWS::SQS::Queue", loc(at));
            r.name = Some(known(arn_name(at).to_string(), at));
            if let Some(doc) = &q.policy {
                r.policy = statements(doc, &loc(at));
            }
            self.app.resources.push(r);
        }
    }

    fn event_rules(&mut self) {
        for rule in &self.region.event_rules {
            let at = rule.arn.as_str();
            let mut r = Resource::new(at, ResourceKind::Other, "AWS::Events::Rule", loc(at));
            r.name = Some(known(rule.name.clone(), at));
            let kind = if rule.schedule_expression.is_some() {
                TriggerKind::Schedule
            } else {
                TriggerKind::EventBridge
            };
            for target in &rule.lambda_targets {
                r.notifies.push(self.notify_target(target, at));
                let trigger =
                    source_trigger(format!("Rule-{}", rule.name), kind, "AWS::Events::Rule", at);
                self.add_trigger(target, trigger);
            }
            self.app.resources.push(r);
        }
    }

    fn mappings(&mut self) {
        for m in &self.region.event_source_mappings {
            self.mapping(m);
        }
    }

    fn mapping(&mut self, m: &EventSourceMapping) {
        let (kind, rkind, type_name) = mapping_kind(m);
        let source = m.event_source_arn.clone();
        let at = source.clone().unwrap_or_else(|| m.uuid.clone());
        let mut trigger = source_trigger(
            format!("EventSourceMapping-{}", m.uuid),
            kind,
            "AWS::Lambda::EventSourceMapping",
            &at,
        );
        if source.is_none() {
            trigger.source = None;
        }
        let attached = self.add_trigger(&m.function_arn, trigger);
        let Some(source) = source else { return };
        if self.app.resource(&source).is_none() {
            let mut r = Resource::new(&source, rkind, type_name, loc(&source));
            r.name = Some(known(arn_name(&source).to_string(), &source));
            self.app.resources.push(r);
        }
        if !attached && let Some(r) = self.app.resources.iter_mut().find(|r| r.id == source) {
            r.notifies.push(known(m.function_arn.clone(), &source));
        }
    }
}

/// A trigger whose source is the resource at `arn`.
fn source_trigger(id: String, kind: TriggerKind, type_name: &str, arn: &str) -> Trigger {
    Trigger {
        id,
        kind,
        type_name: type_name.to_string(),
        location: loc(arn),
        source: Some(known(arn.to_string(), arn)),
        http: None,
    }
}

fn mapping_kind(m: &EventSourceMapping) -> (TriggerKind, ResourceKind, &'static str) {
    if m.self_managed_kafka {
        return (TriggerKind::Kafka, ResourceKind::Other, "Kafka");
    }
    let service = m
        .event_source_arn
        .as_deref()
        .and_then(|a| a.split(':').nth(2))
        .unwrap_or("");
    match service {
        "sqs" => (TriggerKind::Sqs, ResourceKind::Queue, "AWS::SQS::Queue"),
        "kinesis" => (
            TriggerKind::Kinesis,
            ResourceKind::Stream,
            "AWS::Kinesis::Stream",
        ),
        "dynamodb" => (
            TriggerKind::DynamoDb,
            ResourceKind::Table,
            "AWS::DynamoDB::Table",
        ),
        "kafka" => (TriggerKind::Msk, ResourceKind::Other, "AWS::MSK::Cluster"),
        "mq" => (
            TriggerKind::Mq,
            ResourceKind::Other,
            "AWS::AmazonMQ::Broker",
        ),
        _ => (TriggerKind::Other, ResourceKind::Other, "Other"),
    }
}

fn authorizer_name(list: &[super::Authorizer], id: Option<&str>) -> String {
    let Some(id) = id else {
        return String::new();
    };
    list.iter()
        .find(|a| a.id == id)
        .and_then(|a| a.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn http_cors(api: &HttpApi, at: &str) -> Option<Cors> {
    api.cors.then(|| Cors {
        allow_origins: api
            .cors_allow_origins
            .iter()
            .map(|o| known(o.clone(), at))
            .collect(),
        allow_credentials: api.cors_allow_credentials.map(|c| known(c, at)),
        location: loc(at),
    })
}

/// Access logging and tracing are on when any stage has them; throttling is the first
/// stage's that sets it.
fn stage_settings(api: &mut Api, stages: &[super::StageData], at: &str) {
    if stages.is_empty() {
        return;
    }
    api.access_logging = known(stages.iter().any(|s| s.access_logs), at);
    api.tracing = known(stages.iter().any(|s| s.tracing), at);
    api.throttle_rate = stages
        .iter()
        .find_map(|s| s.throttle_rate)
        .map(|r| known(r, at));
    api.throttle_burst = stages
        .iter()
        .find_map(|s| s.throttle_burst)
        .map(|b| known(b, at));
}

fn function(f: &FunctionData) -> Function {
    let at = f.arn.as_str();
    let mut func = Function::new(&f.name, loc(at));
    if let Some(r) = &f.runtime {
        func.runtime = known(r.clone(), at);
    } else if f.package_type.as_deref() == Some("Image") {
        func.runtime = Attr::unresolved("container image", loc(at));
    }
    if let Some(h) = &f.handler {
        func.handler = known(h.clone(), at);
    }
    if let Some(p) = &f.package_type {
        func.package_type = known(p.clone(), at);
    }
    if let Some(t) = f.timeout {
        func.timeout = known(t, at);
    }
    if let Some(m) = f.memory {
        func.memory = known(m, at);
    }
    func.reserved_concurrency = f.reserved_concurrency.map(|c| known(c, at));
    func.environment = f
        .environment
        .iter()
        .map(|(name, value)| EnvVar {
            name: name.clone(),
            value: known(value.clone(), at),
            location: loc(at),
        })
        .collect();
    func.tracing = known(f.tracing_mode.as_deref() == Some("Active"), at);
    func.role = match &f.role {
        Some(r) => known(r.clone(), at),
        None => Attr::unresolved("no role returned", loc(at)),
    };
    func.dead_letter = f.dead_letter_target.as_ref().map(|d| known(d.clone(), at));
    // The unqualified function's configuration, else $LATEST's, else the first one.
    let invoke = f
        .event_invoke_configs
        .iter()
        .find(|c| {
            c.function_arn
                .as_deref()
                .is_none_or(|a| a == f.arn || a.ends_with(":$LATEST"))
        })
        .or_else(|| f.event_invoke_configs.first());
    if let Some(c) = invoke {
        func.on_failure = c.on_failure.as_ref().map(|d| known(d.clone(), at));
        func.on_success = c.on_success.as_ref().map(|d| known(d.clone(), at));
    }
    func.code_signing = f
        .code_signing_config_arn
        .as_ref()
        .map(|c| known(c.clone(), at));
    func.layers = f.layers.iter().map(|l| known(l.clone(), at)).collect();
    func.vpc = Some(known(f.vpc, at));
    func.architectures = f.architectures.clone();
    func.deployed = Some(Deployed {
        arn: f.arn.clone(),
        last_modified: f.last_modified.clone(),
        code_sha256: f.code_sha256.clone(),
        code_size: f.code_size,
        state: f.state.clone(),
        invocations: f.invocations,
        last_invoked: f.last_invoked.clone(),
    });
    func.tags = f
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), known(v.clone(), at)))
        .collect();
    func
}

/// One permission per action of a resource-policy statement.
fn permissions(f: &FunctionData, index: usize, st: &Json) -> Vec<Permission> {
    let at = f.arn.as_str();
    let principal = match st.get("Principal") {
        Some(Json::String(s)) => Some(s.clone()),
        Some(Json::Object(map)) => ["Service", "AWS", "Federated"]
            .iter()
            .find_map(|k| map.get(*k))
            .and_then(|v| match v {
                Json::String(s) => Some(s.clone()),
                Json::Array(items) => items.first().and_then(Json::as_str).map(str::to_string),
                _ => None,
            }),
        _ => None,
    };
    let cond = |wanted: &str| -> Option<Attr<String>> {
        let Some(Json::Object(ops)) = st.get("Condition") else {
            return None;
        };
        ops.values().find_map(|block| {
            let Json::Object(keys) = block else {
                return None;
            };
            keys.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
                .and_then(|(_, v)| match v {
                    Json::String(s) => Some(s.clone()),
                    Json::Array(items) => items.first().and_then(Json::as_str).map(str::to_string),
                    _ => None,
                })
                .map(|s| known(s, at))
        })
    };
    // AWS puts the URL auth type under Condition; moto at the statement's top level.
    let url_auth = cond("lambda:FunctionUrlAuthType").or_else(|| {
        st.get("FunctionUrlAuthType")
            .and_then(Json::as_str)
            .map(|s| known(s.to_string(), at))
    });
    let actions: Vec<String> = match st.get("Action") {
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    // A statement of the function's resource policy is not a resource of its own: its id is
    // the function's ARN with the statement id as fragment (`…:function:api#public`), so
    // findings on it name the function and still say which statement.
    let sid = st
        .get("Sid")
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("statement-{index}"));
    let sid = format!("{}#{sid}", f.arn);
    let n = actions.len();
    actions
        .into_iter()
        .enumerate()
        .map(|(i, action)| Permission {
            id: if n > 1 {
                format!("{sid}-{i}")
            } else {
                sid.clone()
            },
            function: known(f.name.clone(), at),
            action: known(action, at),
            principal: match &principal {
                Some(p) => known(p.clone(), at),
                None => Attr::unresolved("no Principal", loc(at)),
            },
            source_arn: cond("AWS:SourceArn"),
            source_account: cond("AWS:SourceAccount"),
            principal_org_id: cond("aws:PrincipalOrgID"),
            function_url_auth_type: url_auth.clone(),
            location: loc(at),
        })
        .collect()
}

fn role(r: &RoleData) -> Role {
    let at = r.arn.as_str();
    let mut role = Role::new(&r.arn, loc(at), false);
    if let Some(doc) = &r.trust {
        role.trust = statements(doc, &loc(at));
    }
    for p in &r.inline_policies {
        role.policies.push(Policy {
            name: p.name.clone(),
            source: PolicySource::Inline,
            location: loc(at),
            statements: p
                .document
                .as_ref()
                .map(|d| statements(d, &loc(at)))
                .unwrap_or_default(),
        });
    }
    for p in &r.attached_policies {
        let arn = p.arn.clone().unwrap_or_else(|| p.name.clone());
        role.managed_policy_arns.push(known(arn.clone(), at));
        // AWS managed policies are expanded from their ARN by the IAM engine (its embedded
        // data); customer managed ones only exist as the document read.
        if arn.contains(":iam::aws:policy/") {
            continue;
        }
        role.policies.push(Policy {
            name: p.name.clone(),
            source: PolicySource::CustomerManaged(p.name.clone()),
            location: loc(&arn),
            statements: p
                .document
                .as_ref()
                .map(|d| statements(d, &loc(&arn)))
                .unwrap_or_default(),
        });
    }
    role.permissions_boundary = r
        .permissions_boundary
        .as_ref()
        .map(|b| known(b.clone(), at));
    role
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Notification, RegionData, Snapshot, Subscription, TopicData};
    use serde_json::json;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:api";

    fn snapshot() -> Snapshot {
        let mut s = Snapshot::new("123456789012", "2026-11-22T12:00:00Z");
        s.regions = vec!["us-east-1".into()];
        s.roles.push(RoleData {
            arn: "arn:aws:iam::123456789012:role/r".into(),
            name: "r".into(),
            trust: Some(json!({"Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
            inline_policies: vec![super::super::PolicyData {
                name: "all".into(),
                arn: None,
                document: Some(
                    json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
                ),
            }],
            attached_policies: vec![super::super::PolicyData {
                name: "AWSLambdaBasicExecutionRole".into(),
                arn: Some(
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".into(),
                ),
                document: None,
            }],
            ..RoleData::default()
        });
        s.roles.push(RoleData {
            arn: "arn:aws:iam::123456789012:role/unused".into(),
            name: "unused".into(),
            ..RoleData::default()
        });
        s.buckets.push(BucketData {
            name: "b".into(),
            region: "us-east-1".into(),
            lambda_notifications: vec![
                Notification {
                    id: Some("n1".into()),
                    function_arn: ARN.into(),
                    events: vec!["s3:ObjectCreated:*".into()],
                },
                Notification {
                    id: None,
                    function_arn: "arn:aws:lambda:us-east-1:123456789012:function:gone".into(),
                    events: vec![],
                },
            ],
            ..BucketData::default()
        });
        s.region_data.push(RegionData {
            region: "us-east-1".into(),
            functions: vec![FunctionData {
                name: "api".into(),
                arn: ARN.into(),
                runtime: Some("python3.12".into()),
                role: Some("arn:aws:iam::123456789012:role/r".into()),
                url: Some(super::super::UrlConfig {
                    auth_type: "NONE".into(),
                    ..Default::default()
                }),
                policy: Some(json!({"Statement": [{"Sid": "url", "Effect": "Allow",
                    "Principal": "*", "Action": "lambda:InvokeFunctionUrl", "Resource": ARN,
                    "FunctionUrlAuthType": "NONE"}]})),
                ..FunctionData::default()
            }],
            event_source_mappings: vec![EventSourceMapping {
                uuid: "u1".into(),
                function_arn: "arn:aws:lambda:us-east-1:123456789012:function:deleted".into(),
                event_source_arn: Some("arn:aws:sqs:us-east-1:123456789012:q".into()),
                ..Default::default()
            }],
            topics: vec![TopicData {
                arn: "arn:aws:sns:us-east-1:123456789012:t".into(),
                policy: None,
                lambda_subscriptions: vec![Subscription {
                    arn: None,
                    endpoint: ARN.into(),
                }],
            }],
            http_apis: vec![HttpApi {
                id: "h1".into(),
                routes: vec![super::super::HttpRoute {
                    route_key: "GET /items".into(),
                    authorization_type: Some("NONE".into()),
                    target: Some("integrations/i1".into()),
                    ..Default::default()
                }],
                integrations: [("i1".to_string(), ARN.to_string())].into(),
                ..Default::default()
            }],
            ..RegionData::default()
        });
        s
    }

    #[test]
    fn builds_one_app_per_region_with_arns_as_provenance() {
        let model = to_model(&snapshot());
        assert_eq!(model.apps.len(), 1);
        let app = &model.apps[0];
        assert_eq!(app.id, "aws:123456789012:us-east-1");
        assert_eq!(app.source, SourceKind::Aws);
        let f = app.function("api").unwrap();
        assert_eq!(f.location.file, ARN);
        assert_eq!(f.location.line, 0);
        assert_eq!(f.role.as_str(), Some("arn:aws:iam::123456789012:role/r"));
        assert!(app.role_of(f).is_some());
        let kinds: Vec<TriggerKind> = f.triggers.iter().map(|t| t.kind).collect();
        assert!(kinds.contains(&TriggerKind::FunctionUrl));
        assert!(kinds.contains(&TriggerKind::S3));
        assert!(kinds.contains(&TriggerKind::Sns));
        assert!(kinds.contains(&TriggerKind::HttpApi));
        let perm = app.permissions_of(f).next().unwrap();
        assert_eq!(perm.principal.as_str(), Some("*"));
        // The statement's id names the function by ARN, the statement as fragment.
        assert!(perm.id.starts_with(&format!("{ARN}#")), "{}", perm.id);
        assert_eq!(
            perm.function_url_auth_type
                .as_ref()
                .and_then(|a| a.as_str()),
            Some("NONE")
        );
        // Both roles: one used, one unused (kept once, in the first region).
        assert_eq!(app.roles.len(), 2);
        let r = app.role("arn:aws:iam::123456789012:role/r").unwrap();
        assert_eq!(r.policies.len(), 1);
        assert_eq!(r.managed_policy_arns.len(), 1);
    }

    #[test]
    fn orphans_stay_visible_on_their_source() {
        let model = to_model(&snapshot());
        let app = &model.apps[0];
        let bucket = app.resource("arn:aws:s3:::b").unwrap();
        let targets: Vec<&str> = bucket.notifies.iter().filter_map(|n| n.as_str()).collect();
        assert_eq!(
            targets,
            ["api", "arn:aws:lambda:us-east-1:123456789012:function:gone"]
        );
        let queue = app
            .resource("arn:aws:sqs:us-east-1:123456789012:q")
            .unwrap();
        assert_eq!(
            queue.notifies[0].as_str(),
            Some("arn:aws:lambda:us-east-1:123456789012:function:deleted")
        );
    }

    #[test]
    fn integration_uris() {
        assert_eq!(
            integration_function(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations"
            ),
            Some("arn:aws:lambda:us-east-1:1:function:f")
        );
        assert_eq!(integration_function("http://example.com"), None);
    }
}
