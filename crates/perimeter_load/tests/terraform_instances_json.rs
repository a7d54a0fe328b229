//! Module calls with `count` / `for_each`, Terraform's JSON syntax (`.tf.json`, mixed with
//! `.tf` files), and API Gateway paths whose resources, methods and OpenAPI bodies are spread
//! over the files of one module.

use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{App, Auth, TriggerKind};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

fn load(name: &str) -> App {
    let model = load_path(&fixtures().join(name), &LoadOptions::default()).expect("scan");
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    assert_eq!(model.apps.len(), 1, "{:?}", model.apps);
    model.apps.into_iter().next().expect("one app")
}

fn ids(app: &App) -> Vec<&str> {
    let mut v: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    v.sort();
    v
}

#[test]
fn counted_module_calls_expand_per_instance() {
    let app = load("counted_modules");
    let orders = app
        .function(r#"module.api["orders"].aws_lambda_function.this"#)
        .unwrap_or_else(|| panic!("orders instance: {:?}", ids(&app)));
    assert_eq!(orders.name, "orders");
    assert_eq!(orders.memory.known(), Some(&512));
    assert_eq!(
        orders.role.as_str(),
        Some(r#"module.api["orders"].aws_iam_role.this"#)
    );
    assert_eq!(orders.location.file, "fn/main.tf");
    let users = app
        .function(r#"module.api["users"].aws_lambda_function.this"#)
        .expect("users instance");
    assert_eq!(users.memory.known(), Some(&256));
    // count: `count.index` in the call's arguments; the child's default where not given.
    let w0 = app
        .function("module.worker[0].aws_lambda_function.this")
        .expect("worker[0]");
    assert_eq!(w0.name, "worker-a");
    assert_eq!(w0.memory.known(), Some(&128));
    let w1 = app
        .function("module.worker[1].aws_lambda_function.this")
        .expect("worker[1]");
    assert_eq!(w1.name, "worker-b");
    // Nested: a counted call inside an instance of a counted call.
    for i in 0..2 {
        let id = format!(r#"module.jobs["nightly"].module.step[{i}].aws_lambda_function.this"#);
        let f = app
            .function(&id)
            .unwrap_or_else(|| panic!("{id}: {:?}", ids(&app)));
        assert_eq!(f.name, format!("nightly-{i}"));
        assert_eq!(f.memory.known(), Some(&1024));
    }
    // count = 0: no instance.
    assert!(!ids(&app).iter().any(|id| id.starts_with("module.none")));
    // Unknown for_each: one instance without index, its name unresolved.
    let unknown = app
        .function("module.unknown.aws_lambda_function.this")
        .expect("unknown module read once");
    assert_ne!(unknown.name, "never");
    // Nothing else: 2 + 2 + 2 + 1 functions.
    assert_eq!(app.functions.len(), 7, "{:?}", ids(&app));
    // Outputs of instances resolve: the permission and the URL link to their instance.
    let public: Vec<&str> = app
        .permissions
        .iter()
        .filter(|p| p.principal.as_str() == Some("*"))
        .filter_map(|p| p.function.as_str())
        .collect();
    assert_eq!(
        public,
        [r#"module.api["orders"].aws_lambda_function.this"#],
        "{:?}",
        app.permissions
    );
    assert!(
        w0.triggers
            .iter()
            .any(|t| t.kind == TriggerKind::FunctionUrl
                && t.http.as_ref().and_then(|h| h.auth.known()) == Some(&Auth::None)),
        "{:?}",
        w0.triggers
    );
    assert!(w1.triggers.is_empty());
    // `module.worker[*].arn`: one resource per instance, in a policy attached to an instance's
    // role through its output.
    let role = app
        .role(r#"module.api["orders"].aws_iam_role.this"#)
        .expect("orders role");
    let resources: Vec<_> = role
        .policies
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|s| {
            s.actions
                .iter()
                .any(|a| a.as_str() == Some("lambda:InvokeFunction"))
        })
        .flat_map(|s| &s.resources)
        .collect();
    assert_eq!(resources.len(), 2, "{resources:?}");
}

#[test]
fn self_calling_counted_modules_stay_bounded() {
    let model =
        load_path(&fixtures().join("fanout_modules"), &LoadOptions::default()).expect("scan");
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    let app = &model.apps[0];
    // 32 at the first level, then as many deeper instances as the file limit allows.
    assert!(app.functions.len() >= 32, "{}", app.functions.len());
    assert!(app.functions.len() <= 600, "{}", app.functions.len());
    assert!(
        app.function(r#"module.m[31].aws_lambda_function.f"#)
            .is_some()
    );
    assert!(
        app.function(r#"module.m[0].module.again[1].aws_lambda_function.f"#)
            .is_some_and(|f| f.name == "top-0-1")
    );
}

#[test]
fn json_syntax_files_load_with_hcl_files() {
    let app = load("tf_json");
    let f = app
        .function("aws_lambda_function.api")
        .unwrap_or_else(|| panic!("{:?}", ids(&app)));
    // terraform.tfvars.json wins over the default written in variables.tf.json.
    assert_eq!(f.name, "shop-api");
    assert_eq!(f.runtime.known().map(String::as_str), Some("python3.9"));
    assert_eq!(f.memory.known(), Some(&512));
    assert_eq!(f.timeout.known(), Some(&30));
    assert_eq!(f.role.as_str(), Some("aws_iam_role.fn"));
    // Locations point into the JSON file, at the line of what is reported.
    assert_eq!(f.location.file, "main.tf.json");
    assert_eq!(f.location.line, 11, "{:?}", f.location);
    assert_eq!(f.runtime.location.line, 13);
    let env: Vec<(String, Option<String>)> = f
        .environment
        .iter()
        .map(|e| (e.name.clone(), e.value.known().cloned()))
        .collect();
    assert!(
        env.contains(&("DB_PASSWORD".into(), Some("hunter2-shop".into()))),
        "{env:?}"
    );
    assert!(
        env.contains(&("MODE".into(), Some("literal ${not_a_reference}".into()))),
        "{env:?}"
    );
    // A JSON-syntax function URL (an array of blocks) and a policy from a JSON data source
    // attached by an HCL file.
    assert!(
        f.triggers
            .iter()
            .any(|t| t.kind == TriggerKind::FunctionUrl),
        "{:?}",
        f.triggers
    );
    let role = app.role("aws_iam_role.fn").expect("role");
    assert_eq!(role.trust.len(), 1);
    assert!(
        role.policies
            .iter()
            .flat_map(|p| &p.statements)
            .any(|s| s.actions.iter().any(|a| a.as_str() == Some("s3:*"))),
        "{:?}",
        role.policies
    );
}

#[test]
fn malformed_json_file_is_an_error_with_its_line() {
    let model =
        load_path(&fixtures().join("tf_json_broken"), &LoadOptions::default()).expect("scan");
    assert_eq!(model.errors.len(), 1, "{:?}", model.errors);
    let e = &model.errors[0];
    assert_eq!(e.file, "main.tf.json");
    assert_eq!(e.line, Some(4), "{e:?}");
    // The other file of the module still loads.
    assert_eq!(model.apps.len(), 1);
    assert!(model.apps[0].function("aws_lambda_function.ok").is_some());
}

#[test]
fn api_gateway_paths_across_files_and_openapi_bodies() {
    let app = load("api_split");
    let routes = |id: &str| -> Vec<(String, String)> {
        app.function(id)
            .map(|f| {
                f.triggers
                    .iter()
                    .filter_map(|t| t.http.as_ref())
                    .map(|h| (h.method.clone(), h.path.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        routes("aws_lambda_function.orders"),
        [("GET".to_string(), "/orders/{id}".to_string())]
    );
    assert_eq!(
        routes("aws_lambda_function.reports"),
        [("GET".to_string(), "/reports/{day}".to_string())]
    );
    assert_eq!(
        routes("aws_lambda_function.templated"),
        [("POST".to_string(), "/templated/{id}".to_string())]
    );
    // The method's location stays in the file that declares it.
    let t = &app
        .function("aws_lambda_function.orders")
        .expect("orders")
        .triggers[0];
    assert!(t.location.file.ends_with("methods.tf"), "{:?}", t.location);
}

/// What CDK for Terraform synthesizes (`cdktf.out/stacks/<stack>/cdk.tf.json`): JSON syntax
/// with `"//"` metadata everywhere and policies as JSON strings.
#[test]
fn cdktf_synthesized_stack() {
    let model = load_path(&fixtures().join("cdktf"), &LoadOptions::default()).expect("scan");
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    assert_eq!(model.apps.len(), 1, "{:?}", model.apps);
    let app = &model.apps[0];
    let f = app.function("aws_lambda_function.fn").expect("function");
    assert_eq!(f.name, "api");
    assert_eq!(f.runtime.known().map(String::as_str), Some("nodejs16.x"));
    assert_eq!(f.role.as_str(), Some("aws_iam_role.fn_role_8C1B2F3A"));
    assert_eq!(f.location.file, "cdktf.out/stacks/app/cdk.tf.json");
    assert_eq!(f.location.line, 16);
    let role = app.role("aws_iam_role.fn_role_8C1B2F3A").expect("role");
    assert_eq!(role.trust.len(), 1);
    assert!(
        f.triggers.iter().any(|t| t.kind == TriggerKind::FunctionUrl
            && t.http.as_ref().and_then(|h| h.auth.known()) == Some(&Auth::None)),
        "{:?}",
        f.triggers
    );
}
