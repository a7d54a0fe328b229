//! Snapshots of the model the Terraform loader builds for its fixtures (a complete module, an
//! empty one, one full of values that cannot be known statically), and a syntax error that
//! must come back as a per-file error naming the file and line.

use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{App, Auth, ResourceKind, SourceKind, TriggerKind, Value};
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

#[test]
fn complete_module() {
    let app = load("complete");
    // count expands to addressed instances, linked to their role by reference.
    let w0 = app
        .function("aws_lambda_function.worker[0]")
        .expect("worker[0]");
    assert_eq!(w0.name, "worker-a");
    assert_eq!(w0.role.as_str(), Some("aws_iam_role.fn"));
    assert_eq!(w0.memory.known(), Some(&256));
    assert_eq!(w0.tracing.known(), Some(&true));
    assert_eq!(w0.code_path.as_ref().and_then(|c| c.as_str()), Some("src"));
    assert!(w0.triggers.iter().any(|t| t.kind == TriggerKind::S3));
    let w1 = app
        .function("aws_lambda_function.worker[1]")
        .expect("worker[1]");
    assert!(w1.triggers.iter().any(|t| t.kind == TriggerKind::Sns));
    assert!(w1.on_failure.is_some());
    // The REST API routes its methods to the function with their authorization.
    let api = app.function("aws_lambda_function.api").expect("api");
    let auths: Vec<_> = api
        .triggers
        .iter()
        .filter_map(|t| t.http.as_ref())
        .map(|h| (h.method.clone(), h.path.clone(), h.auth.known().cloned()))
        .collect();
    assert!(
        auths.contains(&("GET".into(), "/items".into(), Some(Auth::None))),
        "{auths:?}"
    );
    assert!(
        auths.contains(&("POST".into(), "/items".into(), Some(Auth::Iam))),
        "{auths:?}"
    );
    assert_eq!(
        api.log_retention_days.as_ref().and_then(|r| r.known()),
        Some(&14)
    );
    assert!(api.triggers.iter().any(|t| t.kind == TriggerKind::Schedule));
    assert!(api.triggers.iter().any(|t| t.kind == TriggerKind::Alb));
    let rest = app.api("aws_api_gateway_rest_api.rest").expect("rest api");
    assert_eq!(rest.access_logging.known(), Some(&true));
    assert!(
        rest.policy
            .iter()
            .any(|s| s.principals.iter().any(|p| p.is_everyone()))
    );
    let secret = app.resource("aws_secretsmanager_secret.s").expect("secret");
    assert!(
        secret
            .policy
            .iter()
            .any(|s| s.principals.iter().any(|p| p.is_everyone()))
    );
    // The role carries its trust (from a policy document data source), inline and attached policies.
    let role = app.role("aws_iam_role.fn").expect("role");
    assert_eq!(role.trust.len(), 1);
    assert!(role.trust[0].has_conditions());
    assert!(
        role.statements()
            .any(|(_, s)| s.known_actions().any(|a| a == "s3:GetObject"))
    );
    assert!(
        role.managed_policy_arns
            .iter()
            .any(|a| a.as_str() == Some("arn:aws:iam::aws:policy/ReadOnlyAccess"))
    );
    let bucket = app.resource("aws_s3_bucket.in").expect("bucket");
    assert_eq!(bucket.kind, ResourceKind::Bucket);
    assert_eq!(
        bucket.acl.as_ref().and_then(|a| a.as_str()),
        Some("PublicRead")
    );
    assert!(bucket.public_access_block.is_some());
    assert!(
        bucket
            .policy
            .iter()
            .any(|s| s.principals.iter().any(|p| p.is_everyone()))
    );
    assert!(app.resource("aws_sns_topic.t[\"orders\"]").is_some());
    let layer = app
        .resource("aws_lambda_layer_version.deps")
        .expect("layer");
    assert_eq!(
        layer.code_path.as_ref().and_then(|c| c.as_str()),
        Some("layer")
    );
    // Locations are 1-based and name the file each resource is written in.
    assert_eq!(rest.location.file, "api.tf");
    assert_eq!(rest.location.line, 1);
    assert_eq!(w0.location.file, "main.tf");
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn empty_module() {
    let app = load("empty");
    assert!(app.functions.is_empty() && app.roles.is_empty() && app.resources.is_empty());
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn unresolvable_module() {
    let app = load("unresolvable");
    let f = app.function("aws_lambda_function.f").expect("f");
    for v in [&f.runtime.value, &f.handler.value, &f.role.value] {
        assert!(matches!(v, Value::Unresolved(_)), "{v:?}");
    }
    assert!(matches!(f.timeout.value, Value::Unresolved(_)));
    assert!(f.environment.iter().all(|e| !e.value.value.is_known()));
    // An unknown `for_each` keeps one instance whose key-dependent values stay unresolved.
    let many = app.function("aws_lambda_function.many").expect("many");
    assert!(!many.role.value.is_known());
    insta::assert_yaml_snapshot!(app);
}

#[test]
fn syntax_error_names_file_and_line() {
    let model = load_path(&fixtures().join("broken"), &LoadOptions::default()).expect("scan");
    assert!(model.apps.is_empty());
    assert_eq!(model.errors.len(), 1, "{:?}", model.errors);
    let e = &model.errors[0];
    assert_eq!(e.file, "main.tf");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.starts_with("invalid HCL"), "{e}");
}

#[test]
fn local_child_modules_are_part_of_their_caller() {
    let app = load("modules");
    let f = app
        .function("module.api.aws_lambda_function.this")
        .expect("child function, addressed under its module");
    assert_eq!(f.name, "orders");
    assert_eq!(f.runtime.as_str(), Some("python3.8"));
    assert_eq!(f.location.file, "fn/main.tf");
    assert_eq!(f.role.as_str(), Some("module.api.aws_iam_role.this"));
    assert_eq!(
        f.code_path.as_ref().and_then(|c| c.as_str()),
        Some("fn/src")
    );
    // A module output used by the caller links back to the child's function.
    assert!(f.url.is_some(), "{:?}", f.url);
}

/// Hostile modules: a cycle of locals, and locals that fan out exponentially, load quickly
/// with the affected values unresolved.
#[test]
fn local_cycles_and_fan_out_stay_bounded() {
    let mut text = String::from("locals {\n  l0 = local.l1\n  l1 = local.l0\n");
    for i in 0..60 {
        text.push_str(&format!(
            "  f{i} = [local.f{}, local.f{}, local.f{}]\n",
            i + 1,
            i + 1,
            i + 1
        ));
    }
    text.push_str("  f60 = \"x\"\n}\n");
    text.push_str(
        "resource \"aws_lambda_function\" \"f\" {\n  runtime = local.l0\n  handler = local.f0\n}\n",
    );
    let out = perimeter_load::terraform::load_texts("", &[("main.tf", &text)], &[]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let app = out.app.expect("app");
    let f = app.function("aws_lambda_function.f").expect("function");
    assert!(!f.runtime.value.is_known());
    assert!(!f.handler.value.is_known());
}

/// A child module with a syntax error: reported once, naming the child's file and line; the
/// caller still loads.
#[test]
fn broken_child_module_is_reported_once() {
    let model = load_path(&fixtures().join("broken_child"), &LoadOptions::default()).expect("scan");
    assert_eq!(model.errors.len(), 1, "{:?}", model.errors);
    assert_eq!(model.errors[0].file, "child/main.tf");
    assert!(
        matches!(model.errors[0].line, Some(2 | 3)),
        "{:?}",
        model.errors
    );
    assert_eq!(model.apps.len(), 1);
    assert!(model.apps[0].resource("aws_sqs_queue.q").is_some());
}

/// String functions, and a log group whose name cannot be evaluated but is written as
/// `/aws/lambda/` + the function's own `function_name` text.
#[test]
fn functions_and_log_groups_written_alike() {
    let text = r#"
variable "prefix" {}
variable "env" { default = "Prod" }
locals { sizes = { f = 512 } }
resource "aws_lambda_function" "f" {
  function_name = "${var.prefix}-f"
  handler       = format("%s.%s", "app", lower(var.env))
  runtime       = element(["python3.12", "nodejs20.x"], 1)
  memory_size   = lookup(local.sizes, "f", 128)
  timeout       = try(var.missing, 30)
  description   = join("-", ["a", upper("b")])
}
resource "aws_cloudwatch_log_group" "f" {
  name              = "/aws/lambda/${var.prefix}-f"
  retention_in_days = 7
}
"#;
    let out = perimeter_load::terraform::load_texts("", &[("main.tf", text)], &[]);
    let app = out.app.expect("app");
    let f = app.function("aws_lambda_function.f").expect("function");
    assert_eq!(f.handler.as_str(), Some("app.prod"));
    assert_eq!(f.runtime.as_str(), Some("nodejs20.x"));
    assert_eq!(f.memory.known(), Some(&512));
    assert_eq!(f.timeout.known(), Some(&30));
    assert_eq!(
        f.log_retention_days.as_ref().and_then(|r| r.known()),
        Some(&7)
    );
}

#[test]
fn for_splat_dynamic_files_and_policy_documents() {
    let app = load("expressions");
    // `count = length([for …])` expands, names come from the `for` expression.
    let q1 = app.resource("aws_sqs_queue.q[1]").expect("queue 1");
    assert_eq!(q1.name.as_ref().and_then(|n| n.as_str()), Some("jobs-b"));
    let f = app.function("aws_lambda_function.fn").expect("fn");
    assert_eq!(
        f.env("FIRST").and_then(|e| e.value.as_str()),
        Some("jobs-a")
    );
    // The trust policy read with file() links the role.
    let role = app.role("aws_iam_role.fn").expect("role");
    assert_eq!(role.trust.len(), 1);
    let statements: Vec<(String, Vec<String>)> = role
        .statements()
        .map(|(p, s)| {
            (
                p.name.clone(),
                s.actions
                    .iter()
                    .map(|a| a.as_str().unwrap_or("?").to_string())
                    .chain(
                        s.resources
                            .iter()
                            .map(|r| r.as_str().unwrap_or("?").to_string()),
                    )
                    .collect(),
            )
        })
        .collect();
    let has = |policy: &str, want: &[&str]| {
        statements
            .iter()
            .any(|(p, items)| p == policy && want.iter().all(|w| items.iter().any(|i| i == w)))
    };
    // source documents, then the dynamic statements over a splat, then overrides by sid.
    assert!(
        has("aws_iam_role_policy.fn", &["logs:PutLogEvents"]),
        "{statements:?}"
    );
    assert!(
        has("aws_iam_role_policy.fn", &["s3:GetObject"]),
        "{statements:?}"
    );
    assert!(!has("aws_iam_role_policy.fn", &["s3:*"]), "{statements:?}");
    assert!(
        has(
            "aws_iam_role_policy.fn",
            &["sqs:SendMessage", "aws_sqs_queue.q[1]"]
        ) || statements.iter().any(|(p, i)| p == "aws_iam_role_policy.fn"
            && i.iter().any(|x| x == "sqs:SendMessage")
            && i.iter().any(|x| x.contains("aws_sqs_queue.q[1]"))),
        "{statements:?}"
    );
    // templatefile() fills its variables (a `for` expression with a condition feeds one).
    assert!(
        has(
            "aws_iam_role_policy.tpl",
            &[
                "dynamodb:GetItem",
                "arn:aws:dynamodb:us-east-1:123456789012:table/ORDERS-V2"
            ]
        ),
        "{statements:?}"
    );
    // Never outside the scan root; registry modules are not read.
    assert!(
        !statements
            .iter()
            .any(|(p, _)| p == "aws_iam_role_policy.outside")
    );
    let m = app.function("aws_lambda_function.from_module").expect("m");
    match &m.role.value {
        Value::Unresolved(why) => assert!(why.contains("registry"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn terraform_show_json_plan() {
    let model = load_path(&fixtures().join("plan"), &LoadOptions::default()).expect("scan");
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    assert_eq!(model.apps.len(), 1);
    let app = &model.apps[0];
    assert_eq!(app.source, SourceKind::Terraform);
    assert_eq!(app.id, "tfplan.json");
    let f = app
        .function("aws_lambda_function.orders_0")
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                app.functions.iter().map(|f| &f.id).collect::<Vec<_>>()
            )
        });
    // Values as planned; `${` in a value stays text.
    assert_eq!(f.name, "orders-${stage}");
    assert_eq!(f.runtime.as_str(), Some("python3.8"));
    assert_eq!(f.memory.known(), Some(&512));
    assert_eq!(f.tracing.known(), Some(&true));
    assert_eq!(f.env("STAGE").and_then(|e| e.value.as_str()), Some("prod"));
    // The role ARN is known only after apply: the configuration's reference links it.
    assert_eq!(f.role.as_str(), Some("aws_iam_role.fn"));
    let role = app.role_of(f).expect("role");
    assert!(role.statements().count() >= 1);
    // Resources of child modules are read too (other clouds included).
    assert!(
        app.functions
            .iter()
            .any(|f| f.id.contains("google_cloudfunctions_function")
                && f.runtime.as_str() == Some("nodejs20"))
    );
}
