//! SAM APIs (`AWS::Serverless::Api`, `AWS::Serverless::HttpApi` and the implicit
//! `ServerlessRestApi` / `ServerlessHttpApi` the translator creates for events without an
//! API): the model [`Api`] with its stage settings, and the authorizers that decide how each
//! route is authenticated (`Auth.DefaultAuthorizer`, `Auth.Authorizers`, `ApiKeyRequired`,
//! per-event `Auth.Authorizer` overrides such as `NONE` and `AWS_IAM`).

use crate::cloudformation::context::Context;
use crate::cloudformation::parse_statements;
use crate::cloudformation::resources::apigw::{is_private, v2_cors};
use crate::doc::Node;
use perimeter_model::{
    Api, ApiKind, Attr, Auth, Condition, Cors, Effect, Principal, PrincipalKind, Statement, Value,
};
use std::collections::HashMap;

pub(crate) const IMPLICIT_REST: &str = "ServerlessRestApi";
pub(crate) const IMPLICIT_HTTP: &str = "ServerlessHttpApi";

/// What the event translation needs to know about one API.
pub(crate) struct ApiAuth {
    pub kind: ApiKind,
    /// `DefaultAuthorizer`, as written (`AWS_IAM` or an authorizer name).
    pub default_authorizer: Option<Attr<String>>,
    /// Authorizer name → its kind.
    pub authorizers: HashMap<String, Auth>,
    pub api_key_required: bool,
    /// The evaluated inline `DefinitionBody`, if any.
    pub body: Option<Node>,
    /// The definition is in `DefinitionUri` (outside the template): route auth is unknown.
    pub external_definition: bool,
    /// `Auth.AddDefaultAuthorizerToCorsPreflight` (REST APIs; `true` unless written).
    pub default_on_preflight: bool,
    /// Operations of the inline definition that declare their own `security`:
    /// (method, path) → (authorizer, API key required).
    pub body_security: HashMap<(String, String), (Auth, bool)>,
    /// Operations of the inline definition that already have an integration: the translator
    /// leaves them as written, so an event on the same route adds nothing.
    pub body_integrations: std::collections::HashSet<(String, String)>,
}

impl ApiAuth {
    /// The authentication of a route, given the event's `Auth.Authorizer` (if written).
    pub fn auth_for(
        &self,
        ctx: &Context,
        method: &str,
        event_authorizer: Option<&Node>,
        loc: perimeter_model::Location,
    ) -> Attr<Auth> {
        if self.external_definition {
            return Attr::unresolved("routes defined in DefinitionUri", loc);
        }
        // CORS preflights skip the default authorizer: always on HTTP APIs, and on REST APIs
        // with `AddDefaultAuthorizerToCorsPreflight: false`.
        let preflight_exempt = method.eq_ignore_ascii_case("OPTIONS")
            && (self.kind != ApiKind::Rest || !self.default_on_preflight);
        let chosen = match event_authorizer {
            Some(n) => ctx.string(n),
            None if preflight_exempt => return Attr::defaulted(Auth::None, loc),
            None => match &self.default_authorizer {
                Some(d) => d.clone(),
                None => return Attr::defaulted(Auth::None, loc),
            },
        };
        let location = chosen.location.clone();
        match chosen.as_str() {
            None => Attr::unresolved("authorizer cannot be evaluated", location),
            Some("NONE") => Attr::explicit(Auth::None, location),
            Some("AWS_IAM") if !self.authorizers.contains_key("AWS_IAM") => {
                Attr::explicit(Auth::Iam, location)
            }
            Some(name) => {
                let auth = self
                    .authorizers
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Auth::Other(name.to_string()));
                let mut a = Attr::explicit(auth, location);
                if event_authorizer.is_none() {
                    a.origin = perimeter_model::Origin::Inherited;
                }
                a
            }
        }
    }
}

/// The API model and auth table of one SAM API, from its (Globals-merged, evaluated) properties.
pub(crate) fn build(
    ctx: &Context,
    id: &str,
    kind: ApiKind,
    props: &Node,
    loc: perimeter_model::Location,
) -> (Api, ApiAuth) {
    let mut api = Api::new(id, kind, loc);
    let auth = props.get("Auth");
    api.private = is_private(ctx, props.get("EndpointConfiguration"));
    if let Some(t) = props.get("TracingEnabled") {
        api.tracing = ctx.bool(t);
    }
    if let Some(l) = props
        .get("AccessLogSetting")
        .or_else(|| props.get("AccessLogSettings"))
        && l.get("DestinationArn").is_some()
    {
        api.access_logging = Attr::explicit(true, ctx.loc(l));
    }
    let throttles: Vec<&Node> = match kind {
        ApiKind::Rest => props
            .get("MethodSettings")
            .map(|m| m.items().iter().collect())
            .unwrap_or_default(),
        _ => props.get("DefaultRouteSettings").into_iter().collect(),
    };
    for t in throttles {
        if let Some(r) = t.get("ThrottlingRateLimit") {
            let a = ctx.string(r);
            let loc = a.location.clone();
            api.throttle_rate = Some(match a.as_str().and_then(|v| v.parse::<f64>().ok()) {
                Some(v) => Attr::explicit(v, loc),
                None => Attr::unresolved("not a static number", loc),
            });
        }
        if let Some(b) = t.get("ThrottlingBurstLimit") {
            api.throttle_burst = Some(ctx.int(b));
        }
    }
    api.cors = match kind {
        ApiKind::Rest => props.get("Cors").map(|c| rest_cors(ctx, c)),
        _ => props.get("CorsConfiguration").map(|c| {
            if c.as_bool() == Some(true) {
                Cors {
                    allow_origins: vec![Attr::explicit("*".to_string(), ctx.loc(c))],
                    allow_credentials: None,
                    location: ctx.loc(c),
                }
            } else {
                v2_cors(ctx, c)
            }
        }),
    };
    if let Some(rp) = auth.and_then(|a| a.get("ResourcePolicy")) {
        api.policy = resource_policy(ctx, rp, "execute-api:/*");
    }
    if let Some(up) = auth
        .and_then(|a| a.get("UsagePlan"))
        .and_then(|u| u.get("CreateUsagePlan"))
    {
        api.usage_plan = ctx.string(up).as_str().is_some_and(|v| v != "NONE");
    }
    let mut authorizers = HashMap::new();
    for (name, def) in auth
        .and_then(|a| a.get("Authorizers"))
        .map(Node::entries)
        .unwrap_or_default()
    {
        let n = name.name.clone();
        let a = if def.get("UserPoolArn").is_some() {
            Auth::Cognito(n.clone())
        } else if def.get("JwtConfiguration").is_some() {
            Auth::Jwt(n.clone())
        } else if [
            "FunctionArn",
            "FunctionPayloadType",
            "AuthorizerPayloadFormatVersion",
            "FunctionInvokeRole",
        ]
        .iter()
        .any(|k| def.get(k).is_some())
        {
            Auth::Lambda(n.clone())
        } else {
            Auth::Other(n.clone())
        };
        authorizers.insert(n, a);
    }
    let default_authorizer = auth
        .and_then(|a| a.get("DefaultAuthorizer"))
        .map(|d| ctx.string(d));
    let api_key_required = auth
        .and_then(|a| a.get("ApiKeyRequired"))
        .is_some_and(|k| ctx.bool(k).known() == Some(&true));
    let body = props
        .get("DefinitionBody")
        .filter(|b| b.get("paths").is_some())
        .cloned();
    let mut body_security = HashMap::new();
    let mut body_integrations = std::collections::HashSet::new();
    if let Some(b) = &body {
        for r in crate::cloudformation::openapi::routes(ctx, b) {
            if r.op.get("x-amazon-apigateway-integration").is_some() {
                body_integrations.insert((r.method.clone(), r.path.clone()));
            }
            if r.op.get("security").is_some() {
                body_security.insert((r.method, r.path), (r.auth, r.api_key));
            }
        }
    }
    let default_on_preflight = auth
        .and_then(|a| a.get("AddDefaultAuthorizerToCorsPreflight"))
        .is_none_or(|v| ctx.bool(v).known() != Some(&false));
    let external_definition =
        props.get("DefinitionUri").is_some() && props.get("DefinitionBody").is_none();
    (
        api,
        ApiAuth {
            kind,
            default_authorizer,
            authorizers,
            api_key_required,
            body,
            external_definition,
            default_on_preflight,
            body_security,
            body_integrations,
        },
    )
}

/// A REST API's `Cors` (a quoted origin string, or a map with `AllowOrigin`).
fn rest_cors(ctx: &Context, c: &Node) -> Cors {
    if c.as_str().is_some() {
        return Cors {
            allow_origins: vec![ctx.string(c)],
            allow_credentials: None,
            location: ctx.loc(c),
        };
    }
    Cors {
        allow_origins: c
            .get("AllowOrigin")
            .map(|o| vec![ctx.string(o)])
            .unwrap_or_default(),
        allow_credentials: c.get("AllowCredentials").map(|v| ctx.bool(v)),
        location: ctx.loc(c),
    }
}

/// A SAM `ResourcePolicy` (`CustomStatements`, account, IP range and VPC allow and deny
/// lists) as the resource policy statements API Gateway enforces, on `resource`.
pub(crate) fn resource_policy(ctx: &Context, rp: &Node, resource: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    if let Some(custom) = rp.get("CustomStatements") {
        out.extend(parse_statements(ctx, custom));
    }
    let statement = |at: &Node, effect: Effect| {
        let loc = ctx.loc(at);
        let mut st = Statement::new(loc.clone());
        st.effect = Value::Known(effect);
        st.actions = vec![Attr::defaulted(
            "execute-api:Invoke".to_string(),
            loc.clone(),
        )];
        st.resources = vec![Attr::defaulted(resource.to_string(), loc)];
        st
    };
    let everyone = |at: &Node| Principal {
        kind: PrincipalKind::Everyone,
        value: Attr::defaulted("*".to_string(), ctx.loc(at)),
    };
    for (key, effect) in [
        ("AwsAccountWhitelist", Effect::Allow),
        ("AwsAccountBlacklist", Effect::Deny),
    ] {
        if let Some(list) = rp.get(key) {
            let mut st = statement(list, effect);
            st.principals = ctx
                .strings(list)
                .into_iter()
                .map(|value| Principal {
                    kind: PrincipalKind::Aws,
                    value,
                })
                .collect();
            out.push(st);
        }
    }
    // Allow lists: everyone is allowed, and denied unless the condition holds; deny lists:
    // everyone is allowed, and denied when it holds.
    let conditioned = [
        ("IpRangeWhitelist", "NotIpAddress", "aws:SourceIp"),
        ("IpRangeBlacklist", "IpAddress", "aws:SourceIp"),
        ("SourceVpcWhitelist", "StringNotEquals", "aws:SourceVpce"),
        ("SourceVpcBlacklist", "StringEquals", "aws:SourceVpce"),
        ("IntrinsicVpcWhitelist", "StringNotEquals", "aws:SourceVpc"),
        ("IntrinsicVpcBlacklist", "StringEquals", "aws:SourceVpc"),
        (
            "IntrinsicVpceWhitelist",
            "StringNotEquals",
            "aws:SourceVpce",
        ),
        ("IntrinsicVpceBlacklist", "StringEquals", "aws:SourceVpce"),
    ];
    for (key, operator, condition_key) in conditioned {
        let Some(list) = rp.get(key) else { continue };
        let mut allow = statement(list, Effect::Allow);
        allow.principals = vec![everyone(list)];
        let mut deny = statement(list, Effect::Deny);
        deny.principals = vec![everyone(list)];
        deny.conditions = vec![Condition {
            operator: operator.to_string(),
            key: condition_key.to_string(),
            values: ctx.strings(list),
        }];
        out.push(allow);
        out.push(deny);
    }
    out
}
