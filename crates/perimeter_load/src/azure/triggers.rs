//! Azure Functions bindings into model [`Trigger`]s, shared by the `function.json` loader and
//! the Serverless Framework's `provider.name: azure` services.
//!
//! Conventions (shared with the Terraform loader): an `httpTrigger` is a
//! [`TriggerKind::FunctionUrl`] named `azure.httpTrigger` whose route says how callers
//! authenticate — `authLevel: anonymous` is [`Auth::None`]; `function` and `admin` (and no
//! `authLevel`, Azure's default being `function`) are `Auth::Other("function key")`, a shared
//! secret in the URL or a header rather than user authentication. A `timerTrigger` is a
//! [`TriggerKind::Schedule`]; every other trigger is [`TriggerKind::Other`] named
//! `azure.<type>` (`azure.queueTrigger`, `azure.serviceBusTrigger`, …).

use perimeter_model::{Attr, Auth, HttpRoute, Location, Trigger, TriggerKind};

/// The route prefix Azure Functions puts before every HTTP route unless `host.json` changes it.
pub const DEFAULT_ROUTE_PREFIX: &str = "api";

/// What the caller of an HTTP trigger must present.
pub const FUNCTION_KEY: &str = "function key";

/// `authLevel` as written (or `None` when absent) into the route's auth; an unresolved
/// level stays unresolved.
pub fn auth_level(level: Option<Attr<String>>, declared_at: &Location) -> Attr<Auth> {
    let Some(level) = level else {
        return Attr::defaulted(Auth::Other(FUNCTION_KEY.to_string()), declared_at.clone());
    };
    let loc = level.location.clone();
    match level.value {
        perimeter_model::Value::Unresolved(reason) => Attr::unresolved(reason, loc),
        perimeter_model::Value::Known(text) => match text.to_ascii_lowercase().as_str() {
            "anonymous" => Attr::explicit(Auth::None, loc),
            "function" | "admin" | "system" => {
                Attr::explicit(Auth::Other(FUNCTION_KEY.to_string()), loc)
            }
            _ => Attr::unresolved(format!("authLevel `{text}` is not static"), loc),
        },
    }
}

/// `/{prefix}/{route}` as Azure serves it (an empty prefix leaves `/{route}`).
pub fn http_path(prefix: &str, route: &str) -> String {
    let prefix = prefix.trim_matches('/');
    let route = route.trim_matches('/');
    match (prefix.is_empty(), route.is_empty()) {
        (true, _) => format!("/{route}"),
        (false, true) => format!("/{prefix}"),
        (false, false) => format!("/{prefix}/{route}"),
    }
}

/// One trigger per method of an `httpTrigger` (`ANY` when no method is listed, which is
/// what Azure does). `id` is the base trigger id (`http-0`); per-method triggers get
/// `http-0-get`, ….
pub fn http_triggers(
    id: &str,
    methods: &[String],
    path: &str,
    auth: Attr<Auth>,
    location: &Location,
) -> Vec<Trigger> {
    let methods: Vec<String> = if methods.is_empty() {
        vec!["ANY".to_string()]
    } else {
        methods.iter().map(|m| m.to_ascii_uppercase()).collect()
    };
    let key_required = matches!(auth.value.known(), Some(Auth::Other(_)));
    let single = methods.len() == 1;
    methods
        .into_iter()
        .map(|method| Trigger {
            id: if single {
                id.to_string()
            } else {
                format!("{id}-{}", method.to_ascii_lowercase())
            },
            kind: TriggerKind::FunctionUrl,
            type_name: "azure.httpTrigger".to_string(),
            location: location.clone(),
            source: None,
            http: Some(HttpRoute {
                api: None,
                method,
                path: path.to_string(),
                auth: auth.clone(),
                api_key_required: Attr {
                    value: perimeter_model::Value::Known(key_required),
                    origin: auth.origin,
                    location: auth.location.clone(),
                },
                private: Attr::defaulted(false, location.clone()),
                cors: None,
            }),
        })
        .collect()
}

/// A non-HTTP trigger binding (`timerTrigger`, `queueTrigger`, …). `source` is what it
/// listens to (queue, topic, blob path, schedule), when written.
pub fn other_trigger(
    id: &str,
    binding_type: &str,
    source: Option<Attr<String>>,
    location: &Location,
) -> Trigger {
    let kind = if binding_type.eq_ignore_ascii_case("timerTrigger") {
        TriggerKind::Schedule
    } else {
        TriggerKind::Other
    };
    Trigger {
        id: id.to_string(),
        kind,
        type_name: format!("azure.{binding_type}"),
        location: location.clone(),
        source,
        http: None,
    }
}

/// The binding setting that names what a trigger listens to, by binding type.
pub const SOURCE_KEYS: &[&str] = &[
    "queueName",
    "topicName",
    "eventHubName",
    "path",
    "schedule",
    "containerName",
    "collectionName",
    "databaseName",
    "connection",
];

/// `true` for binding types that start a function (Azure names them `*Trigger`).
pub fn is_trigger_type(binding_type: &str) -> bool {
    binding_type.ends_with("Trigger") || binding_type.ends_with("trigger")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::new("f.json", 1, 1)
    }

    #[test]
    fn auth_levels() {
        let l = loc();
        assert_eq!(
            auth_level(Some(Attr::explicit("Anonymous".into(), l.clone())), &l).known(),
            Some(&Auth::None)
        );
        assert_eq!(
            auth_level(Some(Attr::explicit("admin".into(), l.clone())), &l).known(),
            Some(&Auth::Other(FUNCTION_KEY.into()))
        );
        let default = auth_level(None, &l);
        assert_eq!(default.origin, perimeter_model::Origin::Defaulted);
        assert!(
            !auth_level(Some(Attr::explicit("%AUTH%".into(), l.clone())), &l)
                .value
                .is_known()
        );
    }

    #[test]
    fn paths_and_methods() {
        assert_eq!(http_path("api", "orders/{id}"), "/api/orders/{id}");
        assert_eq!(http_path("", "/x"), "/x");
        assert_eq!(http_path("/api/", ""), "/api");
        let l = loc();
        let t = http_triggers(
            "http-0",
            &["get".into(), "post".into()],
            "/api/x",
            Attr::explicit(Auth::None, l.clone()),
            &l,
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].id, "http-0-post");
        assert_eq!(t[1].http.as_ref().map(|h| h.method.as_str()), Some("POST"));
        let any = http_triggers("h", &[], "/api/x", auth_level(None, &l), &l);
        assert_eq!(any[0].http.as_ref().map(|h| h.method.as_str()), Some("ANY"));
        assert_eq!(
            any[0]
                .http
                .as_ref()
                .and_then(|h| h.api_key_required.known()),
            Some(&true)
        );
    }
}
