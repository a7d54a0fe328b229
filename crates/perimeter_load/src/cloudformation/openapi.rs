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
            // `api_key_false` is a marker the SAM translator may leave: no API key.
            "NONE" | "api_key_false" => Scheme::None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse_yaml;

    fn auths(body: &str) -> Vec<(String, String, Auth, bool)> {
        let t = parse_yaml("Conditions: {}\n").unwrap().unwrap();
        let ctx = Context::new("t.yaml", &t);
        let body = parse_yaml(body).unwrap().unwrap();
        routes(&ctx, &body)
            .into_iter()
            .map(|r| (r.method, r.path, r.auth, r.api_key))
            .collect()
    }

    #[test]
    fn swagger_security_schemes() {
        let r = auths(
            r#"
swagger: '2.0'
security: [{Pool: []}]
paths:
  /a: {get: {}}
  /b: {post: {security: [{NONE: []}, {api_key: []}]}}
  /c: {x-amazon-apigateway-any-method: {security: [{Token: []}]}}
  /d: {put: {security: [{AWS_IAM: []}]}}
  /e: {delete: {security: []}}
  /f: {patch: {security: [{Unknown: []}]}}
  /g: {options: {security: [{api_key_false: []}]}}
securityDefinitions:
  Pool: {type: apiKey, x-amazon-apigateway-authtype: cognito_user_pools}
  Token: {type: apiKey, x-amazon-apigateway-authtype: custom, x-amazon-apigateway-authorizer: {type: token}}
  AWS_IAM: {type: apiKey, x-amazon-apigateway-authtype: awsSigv4}
  api_key: {type: apiKey, name: x-api-key, in: header}
"#,
        );
        assert_eq!(
            r[0],
            (
                "GET".into(),
                "/a".into(),
                Auth::Cognito("Pool".into()),
                false
            )
        );
        assert_eq!(r[1], ("POST".into(), "/b".into(), Auth::None, true));
        assert_eq!(
            r[2],
            (
                "ANY".into(),
                "/c".into(),
                Auth::Lambda("Token".into()),
                false
            )
        );
        assert_eq!(r[3].2, Auth::Iam);
        assert_eq!(r[4].2, Auth::None);
        assert_eq!(r[5].2, Auth::Other("Unknown".into()));
        assert_eq!((r[6].2.clone(), r[6].3), (Auth::None, false));
    }

    #[test]
    fn openapi3_jwt_and_undecided_operations() {
        let r = auths(
            r#"
openapi: 3.0.1
paths:
  /$default:
    x-amazon-apigateway-any-method: {security: [{Jwt: [scope]}]}
  /x:
    get: !If [Undecided, {security: [{Lambda: []}]}, !Ref AWS::NoValue]
components:
  securitySchemes:
    Jwt: {type: oauth2, x-amazon-apigateway-authorizer: {type: jwt}}
    Lambda: {type: apiKey, x-amazon-apigateway-authorizer: {type: request}}
"#,
        );
        assert_eq!(
            r[0],
            (
                "ANY".into(),
                "$default".into(),
                Auth::Jwt("Jwt".into()),
                false
            )
        );
        assert_eq!(r[1].2, Auth::Lambda("Lambda".into()));
    }
}
