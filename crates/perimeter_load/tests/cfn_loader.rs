//! The CloudFormation / SAM / CDK-output loader on our own fixtures: snapshots of the whole
//! model (complete SAM, complete plain CloudFormation, empty, unresolvable, CDK output) and
//! targeted checks of what rules rely on.

use perimeter_load::cloudformation;
use perimeter_load::doc::{parse_json, parse_yaml};
use perimeter_model::{App, Auth, Origin, SourceKind, TriggerKind, Value};
use std::path::Path;

fn load(name: &str, source: SourceKind) -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cfn")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let doc = if name.ends_with(".json") {
        parse_json(&text)
    } else {
        parse_yaml(&text)
    };
    let doc = doc.expect("parses").expect("not empty");
    cloudformation::load(&format!("fixtures/cfn/{name}"), &doc, source)
}

#[test]
fn sam_complete_snapshot() {
    insta::assert_yaml_snapshot!(load("sam_complete.yaml", SourceKind::Sam));
}

#[test]
fn cfn_complete_snapshot() {
    insta::assert_yaml_snapshot!(load("cfn_complete.yaml", SourceKind::CloudFormation));
}

#[test]
fn empty_snapshot() {
    insta::assert_yaml_snapshot!(load("empty.yaml", SourceKind::CloudFormation));
}

#[test]
fn unresolvable_snapshot() {
    insta::assert_yaml_snapshot!(load("unresolvable.yaml", SourceKind::Sam));
}

#[test]
fn cdk_snapshot() {
    insta::assert_yaml_snapshot!(load("cdk.template.json", SourceKind::Cdk));
}

fn route<'a>(app: &'a App, function: &str, path: &str) -> &'a perimeter_model::HttpRoute {
    app.function(function)
        .and_then(|f| {
            f.triggers
                .iter()
                .filter_map(|t| t.http.as_ref())
                .find(|h| h.path == path)
        })
        .unwrap_or_else(|| panic!("{function} has no route {path}"))
}

#[test]
fn sam_routes_take_their_auth_from_api_and_event() {
    let app = load("sam_complete.yaml", SourceKind::Sam);
    assert!(matches!(
        route(&app, "OrdersFunction", "/orders/{id}").auth.value,
        Value::Known(Auth::Cognito(_))
    ));
    let create = route(&app, "OrdersFunction", "/orders");
    assert!(matches!(create.auth.value, Value::Known(Auth::Lambda(_))));
    assert_eq!(create.api_key_required.value, Value::Known(true));
    assert_eq!(
        route(&app, "OrdersFunction", "/health").auth.value,
        Value::Known(Auth::None)
    );
    assert_eq!(
        route(&app, "OrdersFunction", "/public").auth.value,
        Value::Known(Auth::None)
    );
    assert_eq!(
        route(&app, "OrdersFunction", "/iam").auth.value,
        Value::Known(Auth::Iam)
    );
    let legacy = route(&app, "OrdersFunction", "/legacy");
    assert_eq!(legacy.api.as_deref(), Some("ServerlessRestApi"));
    assert_eq!(legacy.method, "ANY");
    assert!(app.api("ServerlessRestApi").is_some() && app.api("ServerlessHttpApi").is_some());
    let orders_api = app.api("OrdersApi").expect("api");
    assert!(orders_api.usage_plan);
    assert_eq!(orders_api.tracing.value, Value::Known(true));
    assert_eq!(orders_api.tracing.origin, Origin::Inherited);
}

#[test]
fn sam_function_globals_role_and_triggers() {
    let app = load("sam_complete.yaml", SourceKind::Sam);
    let f = app.function("OrdersFunction").expect("function");
    assert_eq!(f.timeout.value, Value::Known(10));
    assert_eq!(f.timeout.origin, Origin::Inherited);
    assert_eq!(f.memory.origin, Origin::Explicit);
    assert_eq!(
        f.env("STAGE").map(|e| e.value.origin),
        Some(Origin::Inherited)
    );
    assert_eq!(
        f.code_path.as_ref().and_then(|c| c.as_str()),
        Some("fixtures/cfn/app/src")
    );
    assert_eq!(
        f.log_retention_days
            .as_ref()
            .and_then(|d| d.known().copied()),
        Some(30)
    );
    let kinds: Vec<TriggerKind> = f.triggers.iter().map(|t| t.kind).collect();
    for k in [
        TriggerKind::S3,
        TriggerKind::Sqs,
        TriggerKind::DynamoDb,
        TriggerKind::Sns,
        TriggerKind::Schedule,
        TriggerKind::EventBridge,
        TriggerKind::Kinesis,
        TriggerKind::IoT,
        TriggerKind::Cognito,
        TriggerKind::CloudWatchLogs,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    let s3 = f
        .triggers
        .iter()
        .find(|t| t.kind == TriggerKind::S3)
        .expect("s3");
    assert_eq!(s3.source.as_ref().and_then(|s| s.as_str()), Some("Uploads"));
    assert!(app.resource("Uploads").is_some_and(|r| {
        r.notifies
            .iter()
            .any(|n| n.as_str() == Some("OrdersFunction"))
    }));
    let role = app.role_of(f).expect("generated role");
    assert!(role.generated);
    assert_eq!(role.id, "OrdersFunctionRole");
    let actions: Vec<&str> = role
        .statements()
        .flat_map(|(_, s)| s.known_actions())
        .collect();
    assert!(actions.contains(&"dynamodb:PutItem"), "{actions:?}");
    assert!(actions.contains(&"sqs:ReceiveMessage"));
    assert!(actions.contains(&"kms:Decrypt"));
    let managed: Vec<&str> = role
        .managed_policy_arns
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(managed.contains(&"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"));
    assert!(managed.contains(&"arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"));
    assert!(
        managed.contains(&"arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
    );
    let auth = app.function("AuthorizerFunction").expect("authorizer");
    assert_eq!(auth.role.as_str(), Some("AuthorizerRole"));
    assert_eq!(
        auth.url.as_ref().and_then(|u| u.auth_type.as_str()),
        Some("NONE")
    );
}

#[test]
fn cfn_links_resources_to_functions() {
    let app = load("cfn_complete.yaml", SourceKind::CloudFormation);
    let handler = app.function("Handler").expect("handler");
    assert_eq!(handler.memory.value, Value::Known(256));
    assert_eq!(handler.timeout.value, Value::Known(10));
    assert_eq!(handler.name, "handler-dev");
    assert_eq!(handler.role.as_str(), Some("HandlerRole"));
    assert_eq!(
        handler
            .log_retention_days
            .as_ref()
            .and_then(|d| d.known().copied()),
        Some(14)
    );
    assert_eq!(
        handler.on_success.as_ref().and_then(|d| d.as_str()),
        Some("Topic")
    );
    assert_eq!(
        handler.url.as_ref().and_then(|u| u.auth_type.as_str()),
        Some("NONE")
    );
    let kinds: Vec<TriggerKind> = handler.triggers.iter().map(|t| t.kind).collect();
    for k in [
        TriggerKind::S3,
        TriggerKind::Sns,
        TriggerKind::Schedule,
        TriggerKind::Api,
        TriggerKind::FunctionUrl,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    let delete = route(&app, "Handler", "/items/{id}");
    assert!(matches!(delete.auth.value, Value::Known(Auth::Lambda(_))));
    assert_eq!(delete.api_key_required.value, Value::Known(true));
    assert_eq!(
        route(&app, "Handler", "/items").auth.value,
        Value::Known(Auth::None)
    );
    let worker = app.function("Worker").expect("worker");
    assert_eq!(
        worker.role.as_str(),
        Some("arn:aws:iam::123456789012:role/external")
    );
    let wk: Vec<TriggerKind> = worker.triggers.iter().map(|t| t.kind).collect();
    assert!(
        wk.contains(&TriggerKind::Sqs)
            && wk.contains(&TriggerKind::Kinesis)
            && wk.contains(&TriggerKind::HttpApi)
    );
    assert!(matches!(
        route(&app, "Worker", "/me").auth.value,
        Value::Known(Auth::Jwt(_))
    ));
    assert_eq!(
        route(&app, "Worker", "$default").auth.value,
        Value::Known(Auth::None)
    );
    let role = app.role("HandlerRole").expect("role");
    let policies: Vec<&str> = role.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(policies, ["data", "SharedPolicy", "extra"]);
    assert!(
        app.resource("ProdOnly").is_none(),
        "a resource whose condition is false is not deployed"
    );
    let data = app.resource("Data").expect("bucket");
    assert_eq!(
        data.acl.as_ref().and_then(|a| a.as_str()),
        Some("PublicRead")
    );
    assert!(
        data.policy
            .iter()
            .any(|s| s.principals.iter().any(|p| p.is_everyone()))
    );
    assert!(
        app.permissions
            .iter()
            .any(|p| p.function_url_auth_type.as_ref().and_then(|a| a.as_str()) == Some("NONE"))
    );
    let api = app.api("Api").expect("api");
    assert!(api.usage_plan);
    assert_eq!(
        api.throttle_rate.as_ref().and_then(|r| r.known().copied()),
        Some(10.0)
    );
}

#[test]
fn unresolvable_values_stay_unresolved() {
    let app = load("unresolvable.yaml", SourceKind::Sam);
    let f = app.function("Fn").expect("function");
    assert!(f.role.known().is_none());
    assert!(f.memory.known().is_none());
    assert!(f.runtime.known().is_none());
    assert!(f.code_path.is_none());
    assert!(f.env("ENDPOINT").is_some_and(|e| e.value.known().is_none()));
    let r = route(&app, "Fn", "/x");
    assert!(r.auth.known().is_none());
    assert!(app.roles.is_empty(), "Role is given: no role is generated");
    let plain = app.function("Plain").expect("plain");
    assert!(plain.role.known().is_none());
    assert!(app.permissions[0].function.known().is_none());
    let data = app.resource("Data").expect("bucket");
    assert!(data.acl.as_ref().is_some_and(|a| a.known().is_none()));
    let st = &data.policy[0];
    assert!(st.effect.known().is_none());
    assert!(!st.conditions_known);
}

#[test]
fn cdk_output_keeps_logical_ids() {
    let app = load("cdk.template.json", SourceKind::Cdk);
    assert_eq!(app.source, SourceKind::Cdk);
    let f = app.function("Handler886CB40B").expect("function");
    assert_eq!(f.role.as_str(), Some("HandlerServiceRoleFCDC14AE"));
    assert_eq!(
        f.url.as_ref().and_then(|u| u.auth_type.as_str()),
        Some("AWS_IAM")
    );
    let role = app.role_of(f).expect("role");
    assert!(
        role.statements()
            .any(|(_, s)| s.known_actions().any(|a| a == "dynamodb:PutItem"))
    );
    assert_eq!(
        role.managed_policy_arns[0].as_str(),
        Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    );
}

#[test]
fn hostile_templates_do_not_panic() {
    let cases = [
        "Resources: 3",
        "Resources: {A: {Type: 7}}",
        "Resources: {A: {Type: AWS::Lambda::Function, Properties: [1, 2]}}",
        "Resources: {A: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: Api, Properties: 5}}}}}",
        "Transform: AWS::Serverless-2016-10-31\nGlobals: 5\nResources: {F: {Type: AWS::Serverless::Function, Properties: {Policies: [{DynamoDBCrudPolicy: 1}, 7, [x]], Events: [1]}}}",
        "Conditions: {A: !Condition B, B: !Condition A}\nResources: {Q: {Type: AWS::SQS::Queue, Condition: A}}",
        "Resources: {R: {Type: AWS::IAM::Role, Properties: {Policies: {PolicyDocument: 5}, ManagedPolicyArns: !Ref R}}}",
        "Resources: {M: {Type: AWS::ApiGateway::Method, Properties: {ResourceId: !Ref M, RestApiId: !Ref M, Integration: {Uri: !Ref M}}}}",
    ];
    for (i, text) in cases.iter().enumerate() {
        let doc = parse_yaml(text).expect("yaml").expect("doc");
        for source in [SourceKind::Sam, SourceKind::CloudFormation] {
            let _ = cloudformation::load(&format!("case{i}.yaml"), &doc, source);
        }
    }
}

#[test]
fn resources_can_link_to_functions_added_between_the_passes() {
    let text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      NotificationConfiguration:\n        LambdaConfigurations:\n          - Event: s3:ObjectCreated:*\n            Function: !GetAtt HelloLambdaFunction.Arn\n";
    let doc = parse_yaml(text).expect("yaml").expect("doc");
    let mut ctx = cloudformation::Context::new("serverless.yml", &doc);
    ctx.add_resource_id("HelloLambdaFunction");
    let mut app = App::new(
        "serverless.yml",
        "svc",
        SourceKind::Serverless,
        "serverless.yml",
    );
    cloudformation::create_resources_into(&mut app, &ctx);
    let loc = perimeter_model::Location::new("serverless.yml", 1, 1);
    app.functions
        .push(perimeter_model::Function::new("HelloLambdaFunction", loc));
    cloudformation::link_resources_into(&mut app, &ctx);
    let f = app.function("HelloLambdaFunction").expect("function");
    assert_eq!(f.triggers.len(), 1);
    assert_eq!(f.triggers[0].kind, TriggerKind::S3);
    assert_eq!(app.resource("Bucket").map(|b| b.notifies.len()), Some(1));
}

#[test]
fn generated_functions_link_under_their_own_ids() {
    let text = r#"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        LambdaConfigurations:
          - {Event: "s3:ObjectCreated:*", Function: !GetAtt HelloDashworldLambdaFunction.Arn}
  Live:
    Type: AWS::Lambda::Alias
    Properties: {FunctionName: !Ref HelloDashworldLambdaFunction, Name: live}
  Invoke:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !Ref Live, Action: lambda:InvokeFunction, Principal: "*"}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/aws/lambda/${HelloDashworldLambdaFunction}", RetentionInDays: 3}
"#;
    let doc = parse_yaml(text).expect("yaml").expect("doc");
    let mut ctx = cloudformation::Context::new("serverless.yml", &doc);
    ctx.add_function_id("HelloDashworldLambdaFunction", "hello-world");
    let mut app = App::new(
        "serverless.yml",
        "svc",
        SourceKind::Serverless,
        "serverless.yml",
    );
    cloudformation::create_resources_into(&mut app, &ctx);
    let loc = perimeter_model::Location::new("serverless.yml", 1, 1);
    app.functions
        .push(perimeter_model::Function::new("hello-world", loc));
    cloudformation::link_resources_into(&mut app, &ctx);
    let f = app.function("hello-world").expect("function");
    assert_eq!(f.triggers.len(), 1);
    assert_eq!(f.triggers[0].kind, TriggerKind::S3);
    assert_eq!(
        f.log_retention_days
            .as_ref()
            .and_then(|r| r.known().copied()),
        Some(3)
    );
    assert_eq!(
        app.permissions.first().and_then(|p| p.function.as_str()),
        Some("hello-world")
    );
}

#[test]
fn load_balancer_edge_appsync_and_logging_config() {
    let text = r#"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::1:role/r
      LoggingConfig: {LogGroup: !Ref Logs}
  FnVersion:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Fn}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: custom, RetentionInDays: 7}
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Fn.Arn}]
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        DefaultCacheBehavior:
          LambdaFunctionAssociations:
            - {EventType: viewer-request, LambdaFunctionARN: !Ref FnVersion}
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: x
      Type: AWS_LAMBDA
      LambdaConfig: {LambdaFunctionArn: !GetAtt Fn.Arn}
"#;
    let doc = parse_yaml(text).expect("yaml").expect("doc");
    let app = cloudformation::load("t.yaml", &doc, SourceKind::CloudFormation);
    let f = app.function("Fn").expect("function");
    let kinds: Vec<TriggerKind> = f.triggers.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            TriggerKind::Alb,
            TriggerKind::CloudFront,
            TriggerKind::Other
        ]
    );
    assert!(
        f.triggers[0]
            .http
            .as_ref()
            .is_some_and(|h| h.auth.known().is_none())
    );
    assert_eq!(
        f.log_retention_days
            .as_ref()
            .and_then(|d| d.known().copied()),
        Some(7)
    );
    assert_eq!(
        app.resource("Logs")
            .and_then(|r| r.log_group_for.as_deref()),
        Some("Fn")
    );
}
