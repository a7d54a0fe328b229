//! Functions on Azure and Google Cloud, and CDK apps: Serverless Framework services with
//! `provider.name: azure` / `google`, Azure Functions projects (`host.json` +
//! `*/function.json` + `local.settings.json`), CDK construct paths and CDK apps without
//! synthesized output. Snapshots of complete, empty and unresolvable inputs, assertions on
//! the shared conventions (HTTP triggers, auth, runtimes, identities), and the real services
//! of the shared corpus.

use perimeter_load::{LoadOptions, doc, load_path, serverless};
use perimeter_model::{App, Auth, Cloud, Model, Origin, SourceKind, TriggerKind};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/iac/serverless-examples");
    assert!(
        dir.is_dir(),
        "the shared corpora are missing at {}",
        dir.display()
    );
    dir
}

/// Loads `root/file` as a Serverless service.
fn service_at(root: &Path, file: &str) -> Result<App, perimeter_model::LoadError> {
    let text = std::fs::read_to_string(root.join(file)).expect("service file");
    let node = doc::parse_yaml(&text)
        .expect("service parses")
        .expect("service not empty");
    serverless::load(file, &node, root, &LoadOptions::default())
}

fn service(name: &str) -> App {
    service_at(
        &fixtures().join("serverless"),
        &format!("{name}/serverless.yml"),
    )
    .expect("fixture loads")
}

fn scan(dir: &Path) -> Model {
    load_path(dir, &LoadOptions::default()).expect("load_path")
}

fn auth_of(app: &App, function: &str) -> Vec<(String, String, Option<Auth>)> {
    app.function(function)
        .expect("function")
        .triggers
        .iter()
        .filter_map(|t| t.http.as_ref())
        .map(|h| (h.method.clone(), h.path.clone(), h.auth.known().cloned()))
        .collect()
}

#[test]
fn serverless_azure_complete() {
    let app = service("azure-complete");
    assert_eq!(app.cloud, Cloud::Azure);
    assert_eq!(app.source, SourceKind::Serverless);
    assert!(app.roles.is_empty() && app.apis.is_empty());
    let list = app.function("list").expect("list");
    assert_eq!(list.runtime.as_str(), Some("node|18"));
    assert_eq!(list.runtime.origin, Origin::Inherited);
    assert!(
        list.triggers
            .iter()
            .all(|t| t.kind == TriggerKind::FunctionUrl)
    );
    assert_eq!(
        auth_of(&app, "list"),
        [
            ("GET".into(), "/api/orders/{id?}".into(), Some(Auth::None)),
            ("POST".into(), "/api/orders/{id?}".into(), Some(Auth::None)),
        ]
    );
    let names: Vec<&str> = list.environment.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["STORAGE", "TABLE", "EXTRA"]);
    // Legacy spelling: settings beside `http: true`.
    let key = Some(Auth::Other("function key".into()));
    assert_eq!(
        auth_of(&app, "legacy"),
        [("GET".into(), "/api/legacy".into(), key.clone())]
    );
    // No authLevel: Azure's default, a function key.
    let keyed = app.function("keyed").expect("keyed");
    let route = keyed.triggers[0].http.as_ref().expect("http");
    assert_eq!(route.auth.known(), key.as_ref());
    assert_eq!(route.auth.origin, Origin::Defaulted);
    assert_eq!(route.method, "ANY");
    let queued = app.function("queued").expect("queued");
    assert_eq!(queued.runtime.as_str(), Some("python|3.11"));
    let kinds: Vec<(TriggerKind, &str, Option<&str>)> = queued
        .triggers
        .iter()
        .map(|t| {
            (
                t.kind,
                t.type_name.as_str(),
                t.source.as_ref().and_then(|s| s.as_str()),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                TriggerKind::Other,
                "azure.serviceBusTrigger",
                Some("orders")
            ),
            (
                TriggerKind::Schedule,
                "azure.timerTrigger",
                Some("0 */5 * * * *")
            ),
        ]
    );
    // Nothing Lambda-specific is guessed.
    assert!(!list.role.value.is_known() && !list.timeout.value.is_known());
    assert!(!list.memory.value.is_known() && !list.tracing.value.is_known());
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn serverless_azure_empty_and_unresolvable() {
    let empty = service("azure-empty");
    assert_eq!(empty.cloud, Cloud::Azure);
    assert!(empty.functions.is_empty());
    insta::assert_yaml_snapshot!("serverless_azure_empty", empty);

    let app = service("azure-unresolvable");
    let f = app.function("f").expect("f");
    assert!(!f.runtime.value.is_known());
    assert!(!f.env("SECRET").expect("SECRET").value.value.is_known());
    let route = f.triggers[0].http.as_ref().expect("http");
    assert!(!route.auth.value.is_known(), "{:?}", route.auth);
    insta::assert_yaml_snapshot!("serverless_azure_unresolvable", app);
}

#[test]
fn serverless_google_complete() {
    let app = service("google-complete");
    assert_eq!(app.cloud, Cloud::Gcp);
    let public = app.function("public").expect("public");
    assert_eq!(public.name, "gcf-dev-public");
    assert_eq!(public.runtime.as_str(), Some("python312"));
    assert_eq!(public.memory.known(), Some(&1024));
    assert_eq!(public.timeout.known(), Some(&60));
    assert_eq!(public.timeout.origin, Origin::Defaulted);
    assert_eq!(
        public.role.as_str(),
        Some("my-proj@appspot.gserviceaccount.com")
    );
    assert_eq!(public.role.origin, Origin::Defaulted);
    assert_eq!(
        auth_of(&app, "public"),
        [("ANY".into(), "/gcf-dev-public".into(), Some(Auth::None))]
    );
    let tags: Vec<&str> = public.tags.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(tags, ["team", "tier"]);
    // The provider's binding gives every Google account the invoker role.
    let private = app.function("private").expect("private");
    assert_eq!(
        private.role.as_str(),
        Some("reader@my-proj.iam.gserviceaccount.com")
    );
    assert_eq!(private.timeout.known(), Some(&30));
    // `maxInstances` caps scale-out; without it there is no cap of the function's own.
    assert_eq!(
        private
            .reserved_concurrency
            .as_ref()
            .and_then(|c| c.known()),
        Some(&20)
    );
    assert!(public.reserved_concurrency.is_none());
    assert_eq!(
        auth_of(&app, "private")[0].2,
        Some(Auth::None),
        "allAuthenticatedUsers is anyone with a Google account"
    );
    let topic = app.function("topic").expect("topic");
    assert_eq!(topic.runtime.as_str(), Some("go122"));
    assert_eq!(topic.triggers[0].kind, TriggerKind::Other);
    assert_eq!(
        topic.triggers[0].type_name,
        "providers/cloud.pubsub/eventTypes/topic.publish"
    );
    assert_eq!(
        topic.triggers[0].source.as_ref().and_then(|s| s.as_str()),
        Some("projects/my-proj/topics/orders")
    );
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn google_http_is_private_unless_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("serverless.yml"),
        "service: s\nprovider: {name: google, project: p}\nfunctions:\n  f:\n    handler: f\n    events:\n      - http: path\n",
    )
    .expect("write");
    let app = service_at(dir.path(), "serverless.yml").expect("loads");
    let route = app.functions[0].triggers[0].http.clone().expect("http");
    assert_eq!(route.auth.known(), Some(&Auth::Iam));
    assert_eq!(route.auth.origin, Origin::Defaulted);
    assert_eq!(app.functions[0].runtime.as_str(), Some("nodejs10"));
}

#[test]
fn unsupported_providers_are_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("serverless.yml"),
        "service: s\nprovider:\n  name: openwhisk\nfunctions:\n  f:\n    handler: f.main\n",
    )
    .expect("write");
    let err = service_at(dir.path(), "serverless.yml").expect_err("not supported");
    assert_eq!(err.line, Some(3));
    assert!(
        err.message
            .contains("provider `openwhisk` is not supported"),
        "{}",
        err.message
    );
}

/// Every Azure and Google service of the corpus loads, with its HTTP endpoints.
#[test]
fn corpus_azure_and_google_services() {
    let root = corpus();
    let mut azure = 0;
    let mut google = 0;
    for dir in std::fs::read_dir(&root)
        .expect("corpus")
        .chain(std::fs::read_dir(root.join("legacy")).expect("legacy"))
        .flatten()
    {
        let path = dir.path().join("serverless.yml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let is_azure = text.contains("name: azure");
        if !is_azure && !text.contains("name: google") {
            continue;
        }
        let rel = path
            .strip_prefix(&root)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        let app = service_at(&root, &rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!app.functions.is_empty(), "{rel}: no function");
        for f in &app.functions {
            assert!(
                f.triggers
                    .iter()
                    .all(|t| t.kind != TriggerKind::Api && t.kind != TriggerKind::HttpApi),
                "{rel}: AWS trigger kinds on another cloud"
            );
        }
        if is_azure {
            azure += 1;
            assert_eq!(app.cloud, Cloud::Azure, "{rel}");
        } else {
            google += 1;
            assert_eq!(app.cloud, Cloud::Gcp, "{rel}");
        }
    }
    assert!(azure >= 7 && google >= 7, "azure {azure}, google {google}");

    // Two real shapes, checked in detail.
    let simple =
        service_at(&root, "azure-node-simple-http-endpoint/serverless.yml").expect("loads");
    assert_eq!(
        auth_of(&simple, "hello"),
        [("ANY".into(), "/api/hello".into(), Some(Auth::None))]
    );
    let bus = service_at(
        &root,
        "azure-node-typescript-servicebus-trigger-endpoint/serverless.yml",
    )
    .expect("loads");
    assert_eq!(
        auth_of(&bus, "sendMessage"),
        [("POST".into(), "/api/api/v3/send".into(), Some(Auth::None))]
    );
    let handler = bus.function("sampleHandler").expect("sampleHandler");
    assert_eq!(handler.triggers[0].type_name, "azure.serviceBusTrigger");
    assert_eq!(
        handler.triggers[0].source.as_ref().and_then(|s| s.as_str()),
        Some("myqueuename")
    );
    let go = service_at(&root, "legacy/google-go/serverless.yml").expect("loads");
    assert_eq!(go.functions[0].runtime.as_str(), Some("go111"));
    assert_eq!(
        go.functions[0].role.as_str(),
        Some("my-project@appspot.gserviceaccount.com")
    );
}

#[test]
fn azure_project_complete() {
    let model = scan(&fixtures().join("azure/complete"));
    assert_eq!(model.apps.len(), 1, "{:?}", model.errors);
    let app = &model.apps[0];
    assert_eq!(app.source, SourceKind::AzureFunctions);
    assert_eq!(app.cloud, Cloud::Azure);
    assert_eq!(app.id, "host.json");
    // The broken function.json is an error; the others load.
    let errors: Vec<String> = model.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Broken/function.json"), "{errors:?}");
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["Nightly", "Orders", "Worker"]);

    let orders = app.function("Orders").expect("Orders");
    assert_eq!(
        auth_of(app, "Orders"),
        [("GET".into(), "/v1/orders/{id}".into(), Some(Auth::None))]
    );
    assert_eq!(orders.handler.as_str(), Some("__init__.main"));
    assert_eq!(
        orders.code_path.as_ref().and_then(|c| c.as_str()),
        Some("Orders")
    );
    assert_eq!(orders.timeout.known(), Some(&450));
    // Python without a version: unresolved, with the reason.
    assert!(!orders.runtime.value.is_known());
    let db = orders.env("DB_URL").expect("DB_URL");
    assert_eq!(db.location.file, "local.settings.json");
    assert_eq!(db.location.line, 5);
    // A number is the setting's text, as the host reads it.
    assert_eq!(
        orders.env("PORT").and_then(|p| p.value.as_str()),
        Some("7071")
    );

    let nightly = app.function("Nightly").expect("Nightly");
    assert_eq!(nightly.handler.as_str(), Some("jobs.nightly"));
    assert_eq!(
        nightly.code_path.as_ref().and_then(|c| c.as_str()),
        Some("shared")
    );
    assert_eq!(nightly.triggers[0].kind, TriggerKind::Schedule);

    let worker = app.function("Worker").expect("Worker");
    let kinds: Vec<(&str, Option<&str>)> = worker
        .triggers
        .iter()
        .map(|t| {
            (
                t.type_name.as_str(),
                t.source.as_ref().and_then(|s| s.as_str()),
            )
        })
        .collect();
    // The output binding is not a trigger.
    assert_eq!(
        kinds,
        [
            ("azure.queueTrigger", Some("work")),
            ("azure.httpTrigger", None)
        ]
    );
    assert_eq!(
        auth_of(app, "Worker"),
        [(
            "ANY".into(),
            "/v1/Worker".into(),
            Some(Auth::Other("function key".into()))
        )]
    );
    insta::assert_yaml_snapshot!(model);
}

#[test]
fn azure_project_empty_and_not_azure() {
    let empty = scan(&fixtures().join("azure/empty"));
    assert_eq!(empty.apps.len(), 1);
    assert!(empty.apps[0].functions.is_empty());
    assert_eq!(empty.errors.len(), 1);
    assert!(
        empty.errors[0].message.contains("without function.json"),
        "{}",
        empty.errors[0]
    );
    insta::assert_yaml_snapshot!(empty);

    // A `host.json` of some other tool is no project and no error.
    let other = scan(&fixtures().join("azure/not-azure"));
    assert!(
        other.apps.is_empty() && other.errors.is_empty(),
        "{other:?}"
    );
}

#[test]
fn azure_node_runtime_from_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).expect("write");
    std::fs::write(
        root.join("local.settings.json"),
        r#"{"Values": {"FUNCTIONS_WORKER_RUNTIME": "node", "WEBSITE_NODE_DEFAULT_VERSION": "~20"}}"#,
    )
    .expect("write");
    std::fs::create_dir(root.join("Hello")).expect("mkdir");
    std::fs::write(
        root.join("Hello/function.json"),
        r#"{"bindings": [{"type": "httpTrigger", "authLevel": "anonymous"}]}"#,
    )
    .expect("write");
    let model = scan(root);
    let f = &model.apps[0].functions[0];
    assert_eq!(f.runtime.as_str(), Some("node|20"));
    assert_eq!(f.handler.as_str(), Some("index.default"));
    assert_eq!(
        auth_of(&model.apps[0], "Hello"),
        [("ANY".into(), "/api/Hello".into(), Some(Auth::None))]
    );
}

#[test]
fn cdk_app_without_synthesized_output() {
    let model = scan(&fixtures().join("cdk/unsynthesized"));
    assert!(model.apps.is_empty());
    assert_eq!(model.errors.len(), 1);
    assert_eq!(model.errors[0].file, "cdk.json");
    assert!(
        model.errors[0].message.contains("run `cdk synth`"),
        "{}",
        model.errors[0]
    );

    let model = scan(&fixtures().join("cdk/synthesized"));
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    assert_eq!(model.apps.len(), 1);
    let app = &model.apps[0];
    assert_eq!(app.source, SourceKind::Cdk);
    let f = &app.functions[0];
    assert_eq!(f.construct_path.as_deref(), Some("Stack/Handler/Resource"));
    assert_eq!(app.construct_path(&f.id), Some("Stack/Handler/Resource"));
    assert!(app.roles.iter().all(|r| r.construct_path.is_some()));
}
