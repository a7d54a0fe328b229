//! Azure and Google Cloud functions declared in Terraform: the model follows the shared
//! cross-cloud conventions (HTTP entry points as `FunctionUrl` triggers with their auth,
//! runtimes as each cloud writes them, identities as roles with bindings).

use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{App, Auth, Cloud, SourceKind, TriggerKind, Value};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

fn load(name: &str) -> App {
    let model = load_path(&fixtures().join(name), &LoadOptions::default()).expect("scan");
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    assert_eq!(model.apps.len(), 1);
    let app = model.apps.into_iter().next().expect("one app");
    assert_eq!(app.source, SourceKind::Terraform);
    app
}

fn http_auth(app: &App, id: &str) -> Vec<Value<Auth>> {
    app.function(id)
        .unwrap_or_else(|| panic!("{id}"))
        .triggers
        .iter()
        .filter(|t| t.kind == TriggerKind::FunctionUrl)
        .filter_map(|t| t.http.as_ref())
        .map(|h| h.auth.value.clone())
        .collect()
}

#[test]
fn gcp_functions() {
    let app = load("gcp");
    assert_eq!(app.cloud, Cloud::Gcp);
    assert_eq!(app.functions.len(), 4);

    let public = app
        .function("google_cloudfunctions_function.public")
        .expect("public");
    assert_eq!(public.name, "public-hello");
    assert_eq!(public.runtime.as_str(), Some("nodejs16"));
    assert_eq!(public.handler.as_str(), Some("hello"));
    assert_eq!(public.memory.known(), Some(&512));
    assert_eq!(public.timeout.known(), Some(&120));
    assert_eq!(
        public.code_path.as_ref().and_then(|c| c.as_str()),
        Some("src")
    );
    assert!(public.env("DB_PASSWORD").is_some());
    assert_eq!(
        http_auth(&app, "google_cloudfunctions_function.public"),
        vec![Value::Known(Auth::None)]
    );
    // Its service account is a role with the project binding.
    assert_eq!(public.role.as_str(), Some("google_service_account.fn"));
    let sa = app.role_of(public).expect("service account");
    assert_eq!(sa.bindings.len(), 1);
    assert_eq!(sa.bindings[0].role.as_str(), Some("roles/editor"));
    assert_eq!(sa.bindings[0].scope.as_str(), Some("projects/acme-prod"));

    // No public member: IAM-checked; the default service account, no binding assumed.
    assert_eq!(
        http_auth(&app, "google_cloudfunctions_function.private"),
        vec![Value::Known(Auth::Iam)]
    );
    let private = app
        .function("google_cloudfunctions_function.private")
        .expect("private");
    let default_sa = app.role_of(private).expect("default SA");
    assert!(default_sa.generated);
    assert!(default_sa.bindings.is_empty());

    let worker = app
        .function("google_cloudfunctions_function.worker")
        .expect("worker");
    assert_eq!(worker.triggers.len(), 1);
    assert_eq!(worker.triggers[0].kind, TriggerKind::Other);
    assert_eq!(worker.triggers[0].type_name, "google.pubsub.topic.publish");

    // 2nd gen: public invoker on the Cloud Run service, but internal ingress only.
    let v2 = app
        .function("google_cloudfunctions2_function.v2")
        .expect("v2");
    assert_eq!(v2.runtime.as_str(), Some("python38"));
    assert_eq!(v2.memory.known(), Some(&1024));
    assert_eq!(v2.timeout.known(), Some(&30));
    assert_eq!(
        v2.env("LOG_LEVEL").and_then(|e| e.value.as_str()),
        Some("info")
    );
    assert_eq!(
        v2.reserved_concurrency.as_ref().and_then(|c| c.known()),
        Some(&5)
    );
    let route = v2.triggers[0].http.as_ref().expect("http");
    assert_eq!(route.auth.known(), Some(&Auth::None));
    assert_eq!(route.private.known(), Some(&true));
}

#[test]
fn azure_function_apps() {
    let app = load("azure");
    assert_eq!(app.cloud, Cloud::Azure);
    assert_eq!(app.functions.len(), 2);
    let api = app.function("azurerm_linux_function_app.api").expect("api");
    assert_eq!(api.name, "acme-api");
    assert_eq!(api.runtime.as_str(), Some("node|16"));
    assert!(api.env("STORAGE_KEY").is_some());
    let mut auths = http_auth(&app, "azurerm_linux_function_app.api");
    auths.sort_by_key(|a| format!("{a:?}"));
    assert_eq!(
        auths,
        vec![
            Value::Known(Auth::None),
            Value::Known(Auth::Other("function key".into()))
        ]
    );
    let hello = api
        .triggers
        .iter()
        .find(|t| t.id.ends_with("#hello"))
        .and_then(|t| t.http.as_ref())
        .expect("hello route");
    assert_eq!(hello.method, "GET,POST");
    assert_eq!(hello.path, "/api/hello");
    let identity = app.role_of(api).expect("system identity");
    assert_eq!(identity.id, "azurerm_linux_function_app.api.identity");
    assert_eq!(identity.bindings.len(), 1);
    assert_eq!(identity.bindings[0].role.as_str(), Some("Contributor"));

    let internal = app
        .function("azurerm_windows_function_app.internal")
        .expect("internal");
    assert_eq!(internal.runtime.as_str(), Some("dotnet-isolated|8.0"));
    assert_eq!(
        http_auth(&app, "azurerm_windows_function_app.internal"),
        vec![Value::Known(Auth::Other("app service auth".into()))]
    );
    let ops = app.role_of(internal).expect("user identity");
    assert_eq!(ops.id, "azurerm_user_assigned_identity.ops");
    assert_eq!(
        ops.bindings[0].role.as_str(),
        Some("Storage Blob Data Reader")
    );
}

#[test]
fn azure_scale_limits_flex_and_worker_runtimes() {
    let app = load("azure-scale");
    assert_eq!(app.cloud, Cloud::Azure);
    let f = |id: &str| app.function(id).unwrap_or_else(|| panic!("{id}"));
    let capped = f("azurerm_linux_function_app.capped");
    assert_eq!(
        capped.reserved_concurrency.as_ref().and_then(|c| c.known()),
        Some(&5)
    );
    assert_eq!(capped.runtime.as_str(), Some("powershell|7.4"));
    let route = capped.triggers[0].http.as_ref().expect("http");
    assert_eq!(
        route.auth.known(),
        Some(&Auth::Other("function key".into()))
    );
    assert_eq!(route.api_key_required.known(), Some(&true));
    let flex = f("azurerm_function_app_flex_consumption.flex");
    assert_eq!(flex.runtime.as_str(), Some("python|3.11"));
    assert_eq!(
        flex.reserved_concurrency.as_ref().and_then(|c| c.known()),
        Some(&40)
    );
    let uncapped = f("azurerm_windows_function_app.uncapped");
    assert!(uncapped.reserved_concurrency.is_none());
    assert_eq!(uncapped.runtime.as_str(), Some("node|18"));
}
