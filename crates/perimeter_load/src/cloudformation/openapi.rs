//! Routes and their authentication from an inline OpenAPI 3 / Swagger 2 API definition
//! (`Body` of an API Gateway API, `DefinitionBody` of a SAM API), as API Gateway imports it.
//!
//! API Gateway reads the `security` requirements of an operation (or the document's
//! top-level default) with its own semantics: the first requirement naming an authorizer
//! picks the authorizer, and a requirement naming an `apiKey` scheme without an authorizer
//! (`x-api-key`) makes an API key required. `NONE` (written by the SAM translator) or an empty
//! list means no authorizer.

use super::context::Context;
use crate::doc::Node;
use perimeter_model::Auth;

/// One operation of a definition.
pub(crate) struct Route<'n> {
    /// Upper-case method or `ANY`.
    pub method: String,
    pub path: String,
    pub op: &'n Node,
    /// The integration's target URI, when it is a Lambda proxy or Lambda integration.
    pub uri: Option<&'n Node>,
    pub auth: Auth,
    pub api_key: bool,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operations of an evaluated definition. An operation behind an undecided `Fn::If` is
/// kept (it may be deployed), taking the branch that is not `AWS::NoValue`.
pub(crate) fn routes<'n>(ctx: &Context, body: &'n Node) -> Vec<Route<'n>> {
    let mut out = Vec::new();
    let Some(paths) = body.get("paths") else {
        return out;
    };
    let global = body.get("security");
    for (path_key, item) in paths.entries() {
        let item = undecided_branch(item);
        for (method_key, op) in item.entries() {
            let method = match method_key.name.as_str() {
                "x-amazon-apigateway-any-method" => "ANY".to_string(),
                m if METHODS.contains(&m.to_ascii_lowercase().as_str()) => m.to_ascii_uppercase(),
                _ => continue,
            };
            let op = undecided_branch(op);
            let uri = op
                .get("x-amazon-apigateway-integration")
                .map(undecided_branch)
                .and_then(|i| i.get("uri").map(undecided_branch));
            let security = op.get("security").or(global);
            let (auth, api_key) = security
                .map(|s| security_auth(ctx, body, s))
                .unwrap_or((Auth::None, false));
            // HTTP APIs write their catch-all route as `$default` or `/$default`.
            let path = match path_key.name.as_str() {
                "/$default" => "$default".to_string(),
                p => p.to_string(),
            };
            out.push(Route {
                method,
                path,
                op,
                uri,
                auth,
                api_key,
            });
        }
    }
    out
}

/// For an unresolved `{Fn::If: [c, a, b]}`, the branch that is not `AWS::NoValue`.
fn undecided_branch(node: &Node) -> &Node {
    let mut node = node;
    // Iterative: a chain of nested `Fn::If` cannot grow the stack.
    while let Some((k, arg)) = node.single_entry()
        && k.name == "Fn::If"
        && let [_, a, b] = arg.items()
    {
        let is_novalue = |n: &Node| n.get("Ref").and_then(Node::as_str) == Some("AWS::NoValue");
        node = if is_novalue(a) { b } else { a };
    }
    node
}

/// The security schemes of a definition (Swagger `securityDefinitions` or OpenAPI 3
/// `components.securitySchemes`).
fn scheme<'n>(body: &'n Node, name: &str) -> Option<&'n Node> {
    body.get("securityDefinitions")
        .and_then(|d| d.get(name))
        .or_else(|| {
            body.get("components")
                .and_then(|c| c.get("securitySchemes"))
                .and_then(|s| s.get(name))
        })
}

/// The authorizer and API-key requirement of a `security` list.
pub(crate) fn security_auth(ctx: &Context, body: &Node, security: &Node) -> (Auth, bool) {
    let mut auth = None;
    let mut api_key = false;
    for requirement in security.items() {
        for (name, _) in requirement.entries() {
            match classify(ctx, body, &name.name) {
                Scheme::ApiKey => api_key = true,
                Scheme::None => {}
                Scheme::Auth(a) => {
                    if auth.is_none() {
                        auth = Some(a);
                    }
                }
            }
        }
    }
    (auth.unwrap_or(Auth::None), api_key)
}

enum Scheme {
    None,
    ApiKey,
    Auth(Auth),
}

fn classify(ctx: &Context, body: &Node, name: &str) -> Scheme {
    let Some(def) = scheme(body, name) else {
        return match name {
            "NONE" => Scheme::None,
            "AWS_IAM" | "sigv4" => Scheme::Auth(Auth::Iam),
            "api_key" => Scheme::ApiKey,
            _ => Scheme::Auth(Auth::Other(name.to_string())),
        };
    };
    let text = |n: Option<&Node>| {
        n.and_then(|v| ctx.string(v).known().cloned())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let authtype = text(def.get("x-amazon-apigateway-authtype"));
    let authorizer = def.get("x-amazon-apigateway-authorizer");
    let atype = text(authorizer.and_then(|a| a.get("type")));
    let stype = text(def.get("type"));
    let n = name.to_string();
    match (authtype.as_str(), atype.as_str()) {
        ("awssigv4", _) => Scheme::Auth(Auth::Iam),
        ("cognito_user_pools", _) | (_, "cognito_user_pools") => Scheme::Auth(Auth::Cognito(n)),
        (_, "jwt") => Scheme::Auth(Auth::Jwt(n)),
        (_, "token" | "request") => Scheme::Auth(Auth::Lambda(n)),
        ("custom", _) => Scheme::Auth(Auth::Lambda(n)),
        _ if authorizer.is_some() => Scheme::Auth(Auth::Other(n)),
        _ if stype == "apikey" => Scheme::ApiKey,
        _ if stype == "oauth2" || stype == "openidconnect" => Scheme::Auth(Auth::Jwt(n)),
        _ => Scheme::Auth(Auth::Other(n)),
    }
}
