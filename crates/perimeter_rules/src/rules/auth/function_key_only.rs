//! ## What it does
//! Flags Azure Functions HTTP triggers whose only protection is a function key: `authLevel:
//! function` or `admin` (and a trigger with no `authLevel`, whose default is `function`) in
//! `function.json`, a Terraform `azurerm_function_app_function`'s `config_json`, or a
//! Serverless `serverless-azure-functions` service, with no App Service authentication
//! ("EasyAuth") in front of the app.
//!
//! ## Why is this bad?
//! A function key is a shared secret, not an identity. It travels in the URL (`?code=…`) or
//! the `x-functions-key` header, so it ends up in browser history, proxy and CDN logs,
//! front-end code and chat messages; everyone who holds it is the same caller, it does not
//! expire, and revoking it breaks every legitimate client at once. The `admin` level uses the
//! app's master key, which also unlocks every other function and the admin API. A key keeps
//! anonymous scanners out (so AUTH002 stays quiet), but whoever gets it can call the function
//! as often as they like with whatever input they choose, and nothing says who they are.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_linux_function_app" "admin" {
//!   name                 = "acme-admin"
//!   resource_group_name  = "rg"
//!   location             = "westeurope"
//!   service_plan_id      = "plan"
//!   storage_account_name = "acmesa"
//!   site_config {}
//! }
//!
//! resource "azurerm_function_app_function" "report" {
//!   name            = "report"
//!   function_app_id = azurerm_linux_function_app.admin.id
//!   language        = "Javascript"
//!   config_json = jsonencode({
//!     bindings = [{ authLevel = "function", type = "httpTrigger", direction = "in", name = "req" }]
//!   })
//! }
//! ```
//!
//! Use instead: turn on App Service authentication for the function app (Microsoft Entra ID
//! or another identity provider) and reject unauthenticated requests:
//! ```hcl
//! resource "azurerm_linux_function_app" "admin" {
//!   name                 = "acme-admin"
//!   resource_group_name  = "rg"
//!   location             = "westeurope"
//!   service_plan_id      = "plan"
//!   storage_account_name = "acmesa"
//!   site_config {}
//!   auth_settings_v2 {
//!     auth_enabled           = true
//!     require_authentication = true
//!     unauthenticated_action = "Return401"
//!     active_directory_v2 {
//!       client_id            = "00000000-0000-0000-0000-000000000000"
//!       tenant_auth_endpoint = "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
//!     }
//!     login {}
//!   }
//! }
//!
//! resource "azurerm_function_app_function" "report" {
//!   name            = "report"
//!   function_app_id = azurerm_linux_function_app.admin.id
//!   language        = "Javascript"
//!   config_json = jsonencode({
//!     bindings = [{ authLevel = "function", type = "httpTrigger", direction = "in", name = "req" }]
//!   })
//! }
//! ```
//!
//! The same holds for a `function.json` binding (`"authLevel": "function"`) in an Azure
//! Functions project and for `authLevel` in a Serverless `serverless-azure-functions` service.
//!
//! ## Remediation
//! Put identity-based authentication in front of the function: App Service authentication
//! (`auth_settings_v2` with `require_authentication`), API Management with a `validate-jwt`
//! policy, or a check of an Entra ID token in the handler. Keep function keys as a second
//! layer only, per client (not the master key), rotated, and sent in the `x-functions-key`
//! header rather than the URL. For a machine-to-machine call inside Azure, use managed
//! identities. If a shared key is enough for this endpoint (a low-value webhook), suppress the
//! finding with that reason.
//!
//! ## References
//! - CWE-798: Use of Hard-coded Credentials (shared static secret)
//! - CWE-287: Improper Authentication
//! - https://learn.microsoft.com/en-us/azure/azure-functions/function-keys-how-to
//! - https://learn.microsoft.com/en-us/azure/azure-functions/security-concepts#function-access-keys
//! - https://learn.microsoft.com/en-us/azure/app-service/overview-authentication-authorization

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, Auth, Origin, TriggerKind};

pub struct FunctionKeyOnly;

static META: RuleMeta = RuleMeta {
    code: "AUTH007",
    name: "function-key-only",
    family: Family::Auth,
    summary: "HTTP trigger protected only by a shared function key (Azure)",
    severity: Severity::Low,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("function_key_only.rs"),
};

/// How the loaders name a function key in [`Auth::Other`] (see
/// `perimeter_load::azure::triggers::FUNCTION_KEY`).
const FUNCTION_KEY: &str = "function key";

const REMEDIATION: &str = "Turn on App Service authentication (auth_settings_v2 with require_authentication) or validate an Entra ID token (API Management validate-jwt, or in the handler); keep function keys per client, rotated and in the x-functions-key header, as a second layer only.";

impl Rule for FunctionKeyOnly {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            // One finding per route: the loaders split a trigger into one per method.
            let mut seen: Vec<(String, perimeter_model::Location)> = Vec::new();
            for trigger in &function.triggers {
                if trigger.kind != TriggerKind::FunctionUrl {
                    continue;
                }
                let Some(route) = &trigger.http else { continue };
                let is_key =
                    matches!(route.auth.known(), Some(Auth::Other(k)) if k == FUNCTION_KEY);
                // A private endpoint (no public network access) is not reachable with the key.
                if !is_key || route.private.known() == Some(&true) {
                    continue;
                }
                let key = (route.path.clone(), route.auth.location.clone());
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let how = if route.auth.origin == Origin::Defaulted {
                    "no authLevel (Azure's default is `function`)"
                } else {
                    "authLevel function/admin"
                };
                out.push(Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    &trigger.id,
                    format!(
                        "Function `{}` has an HTTP trigger (`{}`) with {how} and no App Service authentication: anyone holding the shared function key can call it, and nothing says who they are.",
                        function_label(function),
                        route.path
                    ),
                    route.auth.location.clone(),
                    REMEDIATION,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Cloud, HttpRoute, Trigger};

    fn http(auth: Attr<Auth>, private: bool) -> Trigger {
        Trigger {
            id: "http".into(),
            kind: TriggerKind::FunctionUrl,
            type_name: "azure.httpTrigger".into(),
            location: loc(4),
            source: None,
            http: Some(HttpRoute {
                api: None,
                method: "GET".into(),
                path: "/api/report".into(),
                auth,
                api_key_required: Attr::explicit(true, loc(4)),
                private: Attr::explicit(private, loc(5)),
                cors: None,
            }),
        }
    }

    #[test]
    fn fires_on_key_only_routes() {
        let key = || Auth::Other(FUNCTION_KEY.into());
        let mut app = app();
        app.cloud = Cloud::Azure;
        let mut keyed = function("Keyed");
        keyed
            .triggers
            .push(http(Attr::explicit(key(), loc(6)), false));
        // Two methods of one route: one finding.
        keyed
            .triggers
            .push(http(Attr::explicit(key(), loc(6)), false));
        let mut defaulted = function("Defaulted");
        defaulted
            .triggers
            .push(http(Attr::defaulted(key(), loc(3)), false));
        let mut private = function("Private");
        private
            .triggers
            .push(http(Attr::explicit(key(), loc(6)), true));
        let mut easy = function("EasyAuth");
        easy.triggers.push(http(
            Attr::explicit(Auth::Other("app service auth".into()), loc(6)),
            false,
        ));
        let mut anonymous = function("Anonymous");
        anonymous
            .triggers
            .push(http(Attr::explicit(Auth::None, loc(6)), false));
        app.functions
            .extend([keyed, defaulted, private, easy, anonymous]);
        let found = run(&FunctionKeyOnly, &app);
        let names: Vec<&str> = found.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(names, ["Keyed", "Defaulted"]);
        assert!(
            found[1].message.contains("no authLevel"),
            "{}",
            found[1].message
        );
    }
}
