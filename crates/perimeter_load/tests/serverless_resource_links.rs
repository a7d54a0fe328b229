//! A Serverless service whose `resources:` block refers to the framework's functions (by
//! generated logical ID, deployed name and ARN): the links the CloudFormation loader makes
//! to them (bucket notifications, permissions, subscriptions, event source mappings, log
//! group retention), the reasons of unresolved variables inside intrinsics, and ARNs built
//! from `${aws:accountId}` / `${aws:region}` / `${aws:partition}`.

use perimeter_load::{LoadOptions, doc, serverless};
use perimeter_model::{App, Origin, TriggerKind, Value};
use std::path::Path;

fn load_fixture() -> App {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serverless");
    let file = "resource-links/serverless.yml";
    let text = std::fs::read_to_string(root.join(file)).expect("fixture");
    let node = doc::parse_yaml(&text)
        .expect("fixture parses")
        .expect("fixture not empty");
    serverless::load(file, &node, &root, &LoadOptions::default()).expect("fixture loads")
}

fn load_text(text: &str) -> App {
    let node = doc::parse_yaml(text).expect("parses").expect("not empty");
    let root = tempfile::tempdir().expect("temp dir");
    serverless::load(
        "serverless.yml",
        &node,
        root.path(),
        &LoadOptions::default(),
    )
    .expect("loads")
}

fn known(attr: &perimeter_model::Attr<String>) -> &str {
    attr.as_str()
        .unwrap_or_else(|| panic!("unresolved: {:?}", attr.value))
}

fn reason<T: std::fmt::Debug>(value: &Value<T>) -> &str {
    match value {
        Value::Unresolved(r) => r,
        Value::Known(v) => panic!("expected unresolved, got {v:?}"),
    }
}

#[test]
fn snapshot() {
    insta::assert_yaml_snapshot!(load_fixture());
}

#[test]
fn function_ids_stay_the_serverless_keys() {
    let app = load_fixture();
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["receipt", "hello-world", "batch_job", "thumbnail"]);
}

#[test]
fn bucket_notifies_a_function_by_its_generated_logical_id() {
    let app = load_fixture();
    let bucket = app.resource("UploadsBucket").expect("bucket");
    let notified: Vec<&str> = bucket.notifies.iter().map(known).collect();
    assert_eq!(notified, ["receipt"]);
    let f = app.function("receipt").expect("receipt");
    let s3: Vec<_> = f
        .triggers
        .iter()
        .filter(|t| t.kind == TriggerKind::S3)
        .collect();
    assert_eq!(s3.len(), 1);
    assert_eq!(s3[0].source.as_ref().map(known), Some("UploadsBucket"));
}

#[test]
fn permissions_point_at_functions_by_logical_id_and_by_arn() {
    let app = load_fixture();
    let function_of = |id: &str| {
        let p = app
            .permissions
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("permission {id}"));
        known(&p.function).to_string()
    };
    assert_eq!(function_of("UploadsInvoke"), "receipt");
    assert_eq!(function_of("PublicInvoke"), "hello-world");
    assert_eq!(function_of("PartnerInvoke"), "thumbnail");
    let hello = app.function("hello-world").expect("hello-world");
    let public: Vec<&str> = app
        .permissions_of(hello)
        .map(|p| known(&p.principal))
        .collect();
    assert_eq!(public, ["*"]);
}

#[test]
fn subscription_and_event_source_mapping_become_triggers() {
    let app = load_fixture();
    let batch = app.function("batch_job").expect("batch_job");
    let kinds: Vec<TriggerKind> = batch.triggers.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TriggerKind::Sns, TriggerKind::Sqs]);
    let topic = app.resource("AlertsTopic").expect("topic");
    assert_eq!(
        topic.notifies.iter().map(known).collect::<Vec<_>>(),
        ["batch_job"]
    );
    let sqs = &batch.triggers[1];
    assert_eq!(sqs.source.as_ref().map(known), Some("JobsQueue"));
}

#[test]
fn declared_log_groups_set_retention() {
    let app = load_fixture();
    let retention = |id: &str| {
        let f = app.function(id).expect("function");
        f.log_retention_days
            .as_ref()
            .map(|r| (r.known().copied(), r.origin))
    };
    // The declared group wins over `provider.logRetentionInDays`.
    assert_eq!(retention("receipt"), Some((Some(30), Origin::Explicit)));
    assert_eq!(retention("hello-world"), Some((Some(7), Origin::Explicit)));
    assert_eq!(retention("batch_job"), Some((Some(14), Origin::Inherited)));
    assert_eq!(
        app.resource("ReceiptLogGroup")
            .and_then(|r| r.log_group_for.as_deref()),
        Some("receipt")
    );
    assert_eq!(
        app.resource("HelloLogs")
            .and_then(|r| r.log_group_for.as_deref()),
        Some("hello-world")
    );
}

#[test]
fn unresolved_variables_keep_their_reason_inside_resources() {
    let app = load_fixture();
    let name = |id: &str| {
        app.resource(id)
            .and_then(|r| r.name.clone())
            .unwrap_or_else(|| panic!("{id} has a name"))
    };
    let secret = name("DbSecret");
    assert!(
        reason(&secret.value).contains("${ssm:/receipts/db-secret-name}"),
        "{:?}",
        secret.value
    );
    let archive = name("ArchiveBucket");
    assert!(
        reason(&archive.value).contains("${ssm:/receipts/archive-suffix}"),
        "{:?}",
        archive.value
    );
    assert!(!reason(&archive.value).contains("is not evaluated"));
}

#[test]
fn aws_variables_build_known_shaped_arns() {
    let app = load_fixture();
    let receipt = app.function("receipt").expect("receipt");
    let env = receipt.env("JOBS_QUEUE_ARN").expect("env var");
    assert_eq!(
        known(&env.value),
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:receipts-jobs"
    );
    let bucket = app.resource("UploadsBucket").expect("bucket");
    assert_eq!(
        bucket.name.as_ref().map(known),
        Some("receipts-uploads-${AWS::AccountId}")
    );
    let p = app
        .permissions
        .iter()
        .find(|p| p.id == "UploadsInvoke")
        .expect("permission");
    assert_eq!(
        p.source_account.as_ref().map(known),
        Some("${AWS::AccountId}")
    );
    assert_eq!(
        p.source_arn.as_ref().map(known),
        Some("arn:aws:s3:::receipts-uploads-${AWS::AccountId}")
    );
    let role = app.role("IamRoleLambdaExecution").expect("shared role");
    assert!(
        role.statements()
            .flat_map(|(_, s)| s.known_resources())
            .any(|r| r == "arn:aws:s3:::receipts-uploads-${AWS::AccountId}/*")
    );
}

#[test]
fn other_aws_variables_stay_unresolved() {
    let app = load_text(
        "service: s\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: a.h\n    environment:\n      X: ${aws:somethingElse}\n",
    );
    let f = app.function("a").expect("function");
    let x = f.env("X").expect("env");
    assert!(reason(&x.value.value).contains("${aws:somethingElse}"));
}

#[test]
fn resources_refer_to_functions_by_deployed_name_and_unknown_ids_do_not_link() {
    let app = load_text(concat!(
        "service: s\nprovider: {name: aws, stage: dev}\n",
        "functions:\n  a: {handler: a.h}\n",
        "resources:\n  Resources:\n",
        "    ByName:\n      Type: AWS::Lambda::Permission\n      Properties: {FunctionName: s-dev-a, Action: lambda:InvokeFunction, Principal: '*'}\n",
        "    Ghost:\n      Type: AWS::Lambda::Permission\n      Properties: {FunctionName: {Ref: BLambdaFunction}, Action: lambda:InvokeFunction, Principal: '*'}\n",
        "    Rule:\n      Type: AWS::Events::Rule\n      Properties:\n        ScheduleExpression: rate(1 hour)\n        Targets: [{Id: t, Arn: {Fn::GetAtt: [ALambdaFunction, Arn]}}]\n",
    ));
    let by = |id: &str| {
        app.permissions
            .iter()
            .find(|p| p.id == id)
            .expect("permission")
    };
    assert_eq!(by("ByName").function.as_str(), Some("a"));
    assert!(!by("Ghost").function.value.is_known());
    let a = app.function("a").expect("a");
    assert_eq!(a.triggers.len(), 1);
    assert_eq!(a.triggers[0].kind, TriggerKind::Schedule);
}
