//! `provider.name: azure` services (the `serverless-azure-functions` plugin) into the model.
//!
//! Each function is one Azure function of the service's function app: its `handler` and
//! code folder as for AWS, `provider.runtime` spelled the Azure way (`nodejs18.x` →
//! `node|18`, see [`crate::azure::runtime`]), `provider.environment` and the function's
//! `environment` (both become app settings) as environment. Its events become triggers with
//! the conventions of [`crate::azure::triggers`]: `- http: true` with `authLevel`, `methods`
//! and `route` (written under `x-azure-settings:`, or beside `http:` in older services) is a
//! public-or-keyed HTTP route under `/api`; `timer`, `queue`, `serviceBus`, `eventHub`,
//! `blob`, `cosmosDB`, `eventGrid` are their `*Trigger` bindings.
//!
//! The plugin declares no identity and no plan limits: the role, memory, timeout and tracing
//! stay unresolved (rules stay silent on them) rather than taking Lambda's defaults.

use super::functions::{Service, code_path, environment};
use super::provider::Provider;
use super::read::{Reader, inherited};
use crate::azure::{runtime, triggers};
use crate::doc::{Key, Node};
use perimeter_model::{Attr, Function};

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
    if let Some(h) = own("handler") {
        f.handler = reader.string(h);
    }
    f.code_path = code_path(service, &f.handler);
    let azure_runtime = |n: &Node| reader.string(n).map(|r| runtime::from_serverless(&r));
    f.runtime = match (own("runtime"), provider.get("runtime")) {
        (Some(r), _) => azure_runtime(r),
        (None, Some(r)) => inherited(azure_runtime(r)),
        (None, None) => Attr::unresolved(
            "no runtime declared (the plugin's default depends on its version)",
            location.clone(),
        ),
    };
    f.memory = Attr::unresolved(
        "memory is set by the function app's hosting plan",
        location.clone(),
    );
    f.timeout = Attr::unresolved(
        "timeout is the hosting plan's default (functionTimeout)",
        location.clone(),
    );
    f.tracing = Attr::unresolved(
        "tracing (Application Insights) is set on the function app",
        location.clone(),
    );
    f.role = Attr::unresolved(
        "serverless-azure-functions declares no managed identity",
        location.clone(),
    );
    // App settings: the plugin copies `environment` into the function app's settings;
    // some services spell them `appSettings`.
    f.environment = environment(reader, provider.get("environment"), own("environment"));
    let app_settings = environment(reader, provider.get("appSettings"), own("appSettings"));
    for var in app_settings {
        if f.env(&var.name).is_none() {
            f.environment.push(var);
        }
    }
    let events = own("events").map(Node::items).unwrap_or_default();
    for (index, event) in events.iter().enumerate() {
        add_event(reader, &mut f, &key.name, index, event);
    }
    f
}

/// One event: `{http: true, x-azure-settings: {…}}`, `{http: {x-azure-settings: …}}`,
/// `{queue: name, x-azure-settings: …}`, …
fn add_event(reader: &Reader, f: &mut Function, function: &str, index: usize, event: &Node) {
    let Some((kind, body)) = event
        .entries()
        .iter()
        .find(|(k, _)| k.name != "x-azure-settings")
    else {
        return;
    };
    let mut settings: Vec<&Node> = Vec::new();
    settings.extend(event.get("x-azure-settings"));
    if body.is_map() {
        settings.extend(body.get("x-azure-settings"));
        settings.push(body);
    }
    settings.push(event);
    let get = |name: &str| settings.iter().find_map(|s| s.get(name));
    let loc = reader.loc(event);
    let kind_name = kind.name.as_str();
    if kind_name.eq_ignore_ascii_case("http") || kind_name.eq_ignore_ascii_case("httpTrigger") {
        let level = get("authLevel").map(|n| reader.string(n));
        let auth = triggers::auth_level(level, &loc);
        let methods: Vec<String> = get("methods")
            .map(|m| {
                if m.is_seq() {
                    m.items()
                        .iter()
                        .filter_map(Node::as_str)
                        .map(str::to_string)
                        .collect()
                } else {
                    m.as_str().map(|s| vec![s.to_string()]).unwrap_or_default()
                }
            })
            .unwrap_or_default();
        let route = get("route").and_then(Node::as_str).unwrap_or(function);
        let path = triggers::http_path(triggers::DEFAULT_ROUTE_PREFIX, route);
        f.triggers.extend(triggers::http_triggers(
            &format!("http-{index}"),
            &methods,
            &path,
            auth,
            &loc,
        ));
        return;
    }
    let binding = binding_type(kind_name);
    let source = triggers::SOURCE_KEYS
        .iter()
        .find_map(|k| get(k).filter(|n| n.as_str().is_some()))
        .or_else(|| body.as_str().is_some().then_some(body))
        .map(|n| reader.string(n));
    f.triggers.push(triggers::other_trigger(
        &format!("{binding}-{index}"),
        &binding,
        source,
        &loc,
    ));
}

/// The plugin's event names into Azure binding types (`queue` → `queueTrigger`).
fn binding_type(event: &str) -> String {
    if event.ends_with("Trigger") {
        event.to_string()
    } else {
        format!("{event}Trigger")
    }
}
