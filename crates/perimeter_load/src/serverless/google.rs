//! `provider.name: google` services (the `serverless-google-cloudfunctions` plugin) into
//! the model.
//!
//! Each function is a Cloud Function (1st gen, as the plugin deploys them) with what the
//! plugin itself applies: `runtime` (function, else provider, else the plugin's `nodejs10`)
//! normalized to GCP's id (`nodejs18.x` → `nodejs18`, `python3.9` → `python39`),
//! `memorySize` (256 MB by default), `timeout` (`60s` by default), `environment`, `labels`
//! (as tags), and `serviceAccountEmail` as the identity. Without one, the function runs as
//! the project's App Engine default service account (`<project>@appspot.gserviceaccount.com`),
//! recorded as a defaulted identity with no bindings (what that account may do depends on
//! the project's settings, which a service file does not show).
//!
//! Events: `- http: …` is an HTTP endpoint ([`TriggerKind::FunctionUrl`], `google.http`, path
//! `/<function name>`). The plugin makes it public only when asked: `allowUnauthenticated:
//! true` (function or provider), or an `iam.bindings` entry granting an invoking role to
//! `allUsers`/`allAuthenticatedUsers`; otherwise callers need IAM (`roles/cloudfunctions.invoker`),
//! which is [`Auth::Iam`]. `- event: {eventType, resource}` is a [`TriggerKind::Other`] named by
//! its `eventType`, with the resource as its source.

use super::functions::{Service, code_path, environment};
use super::provider::Provider;
use super::read::{Reader, inherited};
use crate::doc::{Key, Node};
use perimeter_model::{Attr, Auth, Function, HttpRoute, Location, Trigger, TriggerKind};

/// The plugin's defaults (`compileFunctions.js`).
const DEFAULT_RUNTIME: &str = "nodejs10";
const DEFAULT_MEMORY: u32 = 256;
const DEFAULT_TIMEOUT: u32 = 60;

/// Roles that carry `cloudfunctions.functions.invoke`.
const INVOKING_ROLES: &[&str] = &[
    "roles/cloudfunctions.invoker",
    "roles/cloudfunctions.developer",
    "roles/cloudfunctions.admin",
    "roles/editor",
    "roles/owner",
];

/// Builds one entry of `functions:`.
pub fn build(
    reader: &Reader,
    provider: &Provider,
    service: &Service,
    key: &Key,
    node: &Node,
) -> Function {
    let location = reader.loc(&Node::null(key.line, key.column));
    let mut f = Function::new(key.name.clone(), location.clone());
    let own = |k: &str| node.get(k);
    let inherit = |k: &str| provider.get(k);
    let deployed = match own("name") {
        Some(n) => reader.string(n).as_str().map(str::to_string),
        None => provider.prefix().map(|p| format!("{p}-{}", key.name)),
    };
    f.name = deployed.clone().unwrap_or_else(|| key.name.clone());
    if let Some(h) = own("handler") {
        f.handler = reader.string(h);
    }
    // The plugin uploads the whole service folder; `handler` is an exported name.
    f.code_path = code_path(
        service,
        &Attr::explicit(String::new(), f.handler.location.clone()),
    );
    let gcp_runtime = |n: &Node| reader.string(n).map(|r| runtime_id(&r));
    f.runtime = match (own("runtime"), inherit("runtime")) {
        (Some(r), _) => gcp_runtime(r),
        (None, Some(r)) => inherited(gcp_runtime(r)),
        (None, None) => Attr::defaulted(DEFAULT_RUNTIME.to_string(), location.clone()),
    };
    f.memory = match (own("memorySize"), inherit("memorySize")) {
        (Some(m), _) => reader.u32(m),
        (None, Some(m)) => inherited(reader.u32(m)),
        (None, None) => Attr::defaulted(DEFAULT_MEMORY, location.clone()),
    };
    // A function's `maxInstances` caps scale-out (the plugin's `compileFunctions.js` copies
    // it to the function; there is no provider-level setting), as reserved concurrency does
    // on Lambda.
    f.reserved_concurrency = own("maxInstances").map(|m| reader.i64(m));
    f.timeout = match (own("timeout"), inherit("timeout")) {
        (Some(t), _) => seconds(reader, t),
        (None, Some(t)) => inherited(seconds(reader, t)),
        (None, None) => Attr::defaulted(DEFAULT_TIMEOUT, location.clone()),
    };
    f.tracing = Attr::unresolved("tracing is not a Cloud Functions setting", location.clone());
    f.environment = environment(reader, inherit("environment"), own("environment"));
    for (block, is_inherited) in [(inherit("labels"), true), (own("labels"), false)] {
        for (k, v) in block.map(Node::entries).unwrap_or_default() {
            let value = reader.string(v);
            let value = if is_inherited {
                inherited(value)
            } else {
                value
            };
            match f.tags.iter_mut().find(|(name, _)| *name == k.name) {
                Some(existing) => existing.1 = value,
                None => f.tags.push((k.name.clone(), value)),
            }
        }
    }
    f.role = match (own("serviceAccountEmail"), inherit("serviceAccountEmail")) {
        (Some(s), _) => reader.string(s),
        (None, Some(s)) => inherited(reader.string(s)),
        (None, None) => match inherit("project").and_then(Node::as_str) {
            Some(p) if !p.contains(['<', '$', '{']) => {
                Attr::defaulted(format!("{p}@appspot.gserviceaccount.com"), location.clone())
            }
            _ => Attr::unresolved(
                "the App Engine default service account of a project that is not known",
                location.clone(),
            ),
        },
    };
    let events = own("events").map(Node::items).unwrap_or_default();
    for (index, event) in events.iter().enumerate() {
        let Some((kind, body)) = event.single_entry() else {
            continue;
        };
        let loc = reader.loc(event);
        let trigger = match kind.name.as_str() {
            "http" => Trigger {
                id: format!("http-{index}"),
                kind: TriggerKind::FunctionUrl,
                type_name: "google.http".to_string(),
                location: loc.clone(),
                source: None,
                http: Some(HttpRoute {
                    api: None,
                    method: "ANY".to_string(),
                    path: format!("/{}", f.name),
                    auth: http_auth(reader, provider, node, &loc),
                    api_key_required: Attr::defaulted(false, loc.clone()),
                    private: Attr::defaulted(false, loc.clone()),
                    cors: None,
                }),
            },
            "event" => {
                let type_name = body
                    .get("eventType")
                    .and_then(Node::as_str)
                    .unwrap_or("google.event")
                    .to_string();
                Trigger {
                    id: format!("event-{index}"),
                    kind: TriggerKind::Other,
                    type_name,
                    location: loc,
                    source: body.get("resource").map(|r| reader.string(r)),
                    http: None,
                }
            }
            other => Trigger {
                id: format!("{other}-{index}"),
                kind: TriggerKind::Other,
                type_name: format!("google.{other}"),
                location: loc,
                source: None,
                http: None,
            },
        };
        f.triggers.push(trigger);
    }
    f
}

/// Who may call an HTTP function, as the plugin deploys it.
fn http_auth(reader: &Reader, provider: &Provider, node: &Node, event: &Location) -> Attr<Auth> {
    for allow in [
        node.get("allowUnauthenticated"),
        provider.get("allowUnauthenticated"),
    ]
    .into_iter()
    .flatten()
    {
        let a = reader.bool(allow);
        match a.known() {
            Some(true) => return Attr::explicit(Auth::None, a.location),
            Some(false) => {}
            None => return Attr::unresolved("allowUnauthenticated is not static", a.location),
        }
    }
    let bindings = [node, provider.node.unwrap_or(node)]
        .into_iter()
        .filter_map(|n| n.get("iam").and_then(|i| i.get("bindings")))
        .flat_map(Node::items);
    for binding in bindings {
        let invoking = binding
            .get("role")
            .and_then(Node::as_str)
            .is_some_and(|r| INVOKING_ROLES.contains(&r));
        if !invoking {
            continue;
        }
        for member in binding.get("members").map(Node::items).unwrap_or_default() {
            if matches!(member.as_str(), Some("allUsers" | "allAuthenticatedUsers")) {
                return Attr::explicit(Auth::None, reader.loc(member));
            }
        }
    }
    Attr::defaulted(Auth::Iam, event.clone())
}

/// `timeout: 60s` (or a bare number of seconds) into seconds.
fn seconds(reader: &Reader, node: &Node) -> Attr<u32> {
    let text = reader.string(node);
    let loc = text.location.clone();
    match text.as_str() {
        Some(t) => match t.trim().trim_end_matches('s').parse::<u32>() {
            Ok(s) => Attr {
                value: perimeter_model::Value::Known(s),
                origin: text.origin,
                location: loc,
            },
            Err(_) => Attr::unresolved(format!("timeout `{t}` is not in seconds"), loc),
        },
        None => text.map(|_| 0),
    }
}

/// GCP's runtime id: lower case, no `.x`, no dots (`python3.12` → `python312`,
/// `nodejs18.x` → `nodejs18`, `go1.22` → `go122`).
pub fn runtime_id(runtime: &str) -> String {
    let r = runtime.trim().to_ascii_lowercase();
    let r = r.strip_suffix(".x").unwrap_or(&r);
    r.replace('.', "")
}

#[cfg(test)]
mod tests {
    use super::runtime_id;

    #[test]
    fn runtime_ids() {
        assert_eq!(runtime_id("nodejs18.x"), "nodejs18");
        assert_eq!(runtime_id("python3.12"), "python312");
        assert_eq!(runtime_id("go111"), "go111");
        assert_eq!(runtime_id("ruby2.7"), "ruby27");
    }
}
