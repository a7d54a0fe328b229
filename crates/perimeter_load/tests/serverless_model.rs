//! Targeted checks of the serverless loader on small services: role selection, HTTP
//! authentication shapes, API settings, included resources, other providers.

use perimeter_load::{LoadOptions, doc, serverless};
use perimeter_model::{App, Auth, Origin, TriggerKind};
use std::path::Path;

fn load_in(root: &Path, file: &str, text: &str, options: &LoadOptions) -> App {
    let node = if file.ends_with(".json") {
        doc::parse_json(text)
    } else {
        doc::parse_yaml(text)
    };
    let node = node.expect("parses").expect("not empty");
    serverless::load(file, &node, root, options).expect("loads")
}

fn load(text: &str) -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    load_in(dir.path(), "serverless.yml", text, &LoadOptions::default())
}

fn auth(app: &App, function: &str, trigger: usize) -> Auth {
    let t = &app.function(function).expect("function").triggers[trigger];
    t.http
        .as_ref()
        .expect("http route")
        .auth
        .known()
        .cloned()
        .expect("known auth")
}

#[test]
fn provider_role_arn_replaces_the_generated_role() {
    let app = load(
        "service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::123456789012:role/existing\nfunctions:\n  a: {handler: a.h}\n  b: {handler: b.h, role: arn:aws:iam::123456789012:role/other}\n",
    );
    let a = app.function("a").expect("a");
    assert_eq!(
        a.role.as_str(),
        Some("arn:aws:iam::123456789012:role/existing")
    );
    assert_eq!(a.role.origin, Origin::Inherited);
    assert_eq!(
        app.function("b").and_then(|b| b.role.as_str()),
        Some("arn:aws:iam::123456789012:role/other")
    );
    assert!(
        app.roles.is_empty(),
        "no role is generated: {:?}",
        app.roles
    );

    let legacy = load(
        "service: s\nprovider:\n  name: aws\n  role: LegacyRole\nfunctions:\n  a: {handler: a.h}\n",
    );
    assert_eq!(
        legacy.function("a").and_then(|f| f.role.as_str()),
        Some("LegacyRole")
    );
    assert!(legacy.roles.is_empty());
}

#[test]
fn shared_role_holds_provider_statements_and_is_generated() {
    let app = load(
        "service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: 'dynamodb:*', Resource: '*'}\n      managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]\n      permissionsBoundary: arn:aws:iam::1:policy/boundary\nfunctions:\n  a: {handler: a.h}\n",
    );
    let role = app.role("IamRoleLambdaExecution").expect("shared role");
    assert!(role.generated);
    assert!(
        role.statements()
            .any(|(_, s)| s.known_actions().any(|a| a == "dynamodb:*"))
    );
    assert_eq!(
        role.managed_policy_arns[0].as_str(),
        Some("arn:aws:iam::aws:policy/AdministratorAccess")
    );
    assert_eq!(
        role.permissions_boundary.as_ref().and_then(|b| b.as_str()),
        Some("arn:aws:iam::1:policy/boundary")
    );
    assert_eq!(
        app.function("a").and_then(|f| f.role.as_str()),
        Some("IamRoleLambdaExecution")
    );
}

#[test]
fn rest_authorizer_shapes() {
    let app = load(concat!(
        "service: s\nprovider: {name: aws, endpointType: PRIVATE}\nfunctions:\n  f:\n    handler: f.h\n    events:\n",
        "      - http: {path: a, method: get, authorizer: authFn}\n",
        "      - http: {path: b, method: get, authorizer: 'arn:aws:cognito-idp:us-east-1:1:userpool/p'}\n",
        "      - http: {path: c, method: get, authorizer: {type: COGNITO_USER_POOLS, authorizerId: {Ref: Auth}}}\n",
        "      - http: {path: d, method: get, authorizer: {arn: 'arn:aws:lambda:us-east-1:1:function:auth'}}\n",
        "      - http: {path: e, method: get, authorizer: {type: AWS_IAM}}\n",
        "      - http: {path: f, method: any}\n",
        "  authFn: {handler: auth.h}\n",
    ));
    assert_eq!(auth(&app, "f", 0), Auth::Lambda("authFn".into()));
    assert!(matches!(auth(&app, "f", 1), Auth::Cognito(_)));
    assert!(matches!(auth(&app, "f", 2), Auth::Cognito(_)));
    assert!(matches!(auth(&app, "f", 3), Auth::Lambda(_)));
    assert_eq!(auth(&app, "f", 4), Auth::Iam);
    assert_eq!(auth(&app, "f", 5), Auth::None);
    let route = app.function("f").expect("f").triggers[5]
        .http
        .clone()
        .expect("route");
    assert_eq!((route.method.as_str(), route.path.as_str()), ("ANY", "/f"));
    assert_eq!(route.private.known(), Some(&true));
    assert!(app.api("ApiGatewayRestApi").expect("rest api").private);
}

#[test]
fn http_api_authorizers_come_from_the_provider() {
    let app = load(concat!(
        "service: s\nprovider:\n  name: aws\n  httpApi:\n    authorizers:\n",
        "      lambdaAuth: {type: request, functionName: auth}\n",
        "      jwt: {identitySource: $request.header.Authorization, issuerUrl: https://x, audience: [a]}\n",
        "functions:\n  f:\n    handler: f.h\n    events:\n",
        "      - httpApi: {method: GET, path: /a, authorizer: lambdaAuth}\n",
        "      - httpApi: {method: GET, path: /b, authorizer: {name: jwt, scopes: [s]}}\n",
        "      - httpApi: {method: GET, path: /c, authorizer: {name: undeclared}}\n",
        "      - httpApi: 'PATCH /d'\n",
    ));
    assert_eq!(auth(&app, "f", 0), Auth::Lambda("lambdaAuth".into()));
    assert_eq!(auth(&app, "f", 1), Auth::Jwt("jwt".into()));
    assert_eq!(auth(&app, "f", 2), Auth::Other("undeclared".into()));
    assert_eq!(auth(&app, "f", 3), Auth::None);
    assert_eq!(
        app.function("f").expect("f").triggers[3]
            .http
            .as_ref()
            .map(|h| h.method.as_str()),
        Some("PATCH")
    );
}

#[test]
fn the_connect_authorizer_guards_every_websocket_route() {
    let app = load(concat!(
        "service: s\nprovider: {name: aws, logs: {websocket: true}}\nfunctions:\n",
        "  connect:\n    handler: c.h\n    events:\n      - websocket: {route: $connect, authorizer: {name: auth, identitySource: [route.request.header.Auth]}}\n",
        "  message:\n    handler: m.h\n    events:\n      - websocket: $default\n",
        "  auth: {handler: a.h}\n",
    ));
    assert_eq!(auth(&app, "message", 0), Auth::Lambda("auth".into()));
    assert_eq!(auth(&app, "connect", 0), Auth::Lambda("auth".into()));
    assert_eq!(
        app.api("WebsocketsApi")
            .expect("ws api")
            .access_logging
            .known(),
        Some(&true)
    );

    let open = load(
        "service: s\nfunctions:\n  m:\n    handler: m.h\n    events:\n      - websocket: $default\n",
    );
    assert_eq!(auth(&open, "m", 0), Auth::None);
}

#[test]
fn v1_usage_plans_and_disabled_access_logs() {
    let app = load(concat!(
        "service: s\nprovider:\n  name: aws\n  apiKeys: [k]\n",
        "  usagePlan:\n    - free: {throttle: {rateLimit: 5, burstLimit: 10}}\n",
        "  logs: {restApi: {accessLogging: false, executionLogging: true}}\n",
        "functions:\n  f: {handler: f.h, events: [{http: 'GET /'}]}\n",
    ));
    let api = app.api("ApiGatewayRestApi").expect("rest api");
    assert!(api.usage_plan);
    assert_eq!(
        api.throttle_rate.as_ref().and_then(|r| r.known()).copied(),
        Some(5.0)
    );
    assert_eq!(
        api.throttle_burst.as_ref().and_then(|r| r.known()).copied(),
        Some(10)
    );
    assert_eq!(api.access_logging.known(), Some(&false));
}

#[test]
fn streams_queues_and_included_resources() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("svc/res")).expect("dirs");
    std::fs::write(
        dir.path().join("svc/res/queue.yml"),
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: jobs\n",
    )
    .expect("write");
    let app = load_in(
        dir.path(),
        "svc/serverless.yml",
        concat!(
            "service: s\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: f.h\n    events:\n",
            "      - stream: arn:aws:kinesis:us-east-1:1:stream/clicks\n",
            "      - stream: {type: dynamodb, arn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/x'}\n",
            "      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:jobs', batchSize: 5}\n",
            "      - sqs: {Fn::GetAtt: [Jobs, Arn]}\n",
            "      - kafka: {topic: t, bootstrapServers: [b]}\n",
            "      - rabbitmq: {arn: 'arn:aws:mq:us-east-1:1:broker:b', queue: q}\n",
            "resources:\n  - ${file(./res/queue.yml)}\n",
        ),
        &LoadOptions::default(),
    );
    let kinds: Vec<TriggerKind> = app
        .function("f")
        .expect("f")
        .triggers
        .iter()
        .map(|t| t.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            TriggerKind::Kinesis,
            TriggerKind::DynamoDb,
            TriggerKind::Sqs,
            TriggerKind::Sqs,
            TriggerKind::Kafka,
            TriggerKind::Mq
        ]
    );
    let sources: Vec<Option<&str>> = app
        .function("f")
        .expect("f")
        .triggers
        .iter()
        .map(|t| t.source.as_ref().and_then(|s| s.as_str()))
        .collect();
    assert_eq!(
        sources[2],
        Some("Jobs"),
        "an ARN naming a declared queue points at it"
    );
    assert_eq!(sources[3], Some("Jobs"));
    assert!(app.resource("Jobs").is_some());
    let role = app.role("IamRoleLambdaExecution").expect("shared role");
    assert!(
        role.statements()
            .any(|(_, s)| s.known_actions().any(|a| a == "kinesis:GetRecords"))
    );
    assert!(
        role.statements()
            .any(|(_, s)| s.known_actions().any(|a| a == "sqs:ReceiveMessage"))
    );
}

#[test]
fn stage_option_names_functions_and_code_paths_follow_handlers() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("svc/src/fns")).expect("dirs");
    let options = LoadOptions {
        stage: Some("prod".into()),
        ..LoadOptions::default()
    };
    std::fs::write(dir.path().join("svc/built.zip"), b"PK").expect("write");
    let app = load_in(
        dir.path(),
        "svc/serverless.yml",
        "service: shop\nprovider: {name: aws, stage: dev}\nfunctions:\n  a: {handler: src/fns/a.h}\n  b: {handler: ../../escape/b.h}\n  c: {handler: c.h, name: custom-name}\n  d: {handler: d.h, package: {artifact: built.zip}}\n  e: {handler: e.h, package: {artifact: ../../../etc/passwd}}\n",
        &options,
    );
    let artifact = app
        .function("d")
        .and_then(|d| d.code_path.as_ref())
        .and_then(|c| c.as_str());
    assert_eq!(artifact, Some("svc/built.zip"));
    let outside = app
        .function("e")
        .and_then(|d| d.code_path.as_ref())
        .and_then(|c| c.as_str());
    assert_eq!(
        outside,
        Some("svc"),
        "an artifact outside the root is ignored"
    );
    let a = app.function("a").expect("a");
    assert_eq!(a.name, "shop-prod-a");
    assert_eq!(
        a.code_path.as_ref().and_then(|c| c.as_str()),
        Some("svc/src/fns")
    );
    assert_eq!(
        app.function("b")
            .and_then(|b| b.code_path.as_ref())
            .and_then(|c| c.as_str()),
        Some("svc")
    );
    assert_eq!(
        app.function("c").map(|c| c.name.as_str()),
        Some("custom-name")
    );
}

#[test]
fn other_providers_and_json_services() {
    let app = load(
        "service: s\nprovider: {name: google, runtime: nodejs20}\nfunctions:\n  f:\n    handler: f\n    events:\n      - http: path\n",
    );
    let f = app.function("f").expect("f");
    assert!(app.roles.is_empty() && app.apis.is_empty());
    assert_eq!(app.cloud, perimeter_model::Cloud::Gcp);
    // No project: the default service account cannot be named.
    assert!(!f.role.value.is_known());
    assert_eq!(f.triggers[0].kind, TriggerKind::FunctionUrl);
    assert_eq!(f.triggers[0].type_name, "google.http");
    assert_eq!(
        f.triggers[0].http.as_ref().and_then(|h| h.api.clone()),
        None
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let json = load_in(
        dir.path(),
        "serverless.json",
        r#"{"service": "j", "provider": {"name": "aws", "runtime": "python3.12"}, "functions": {"f": {"handler": "f.h", "url": true}}}"#,
        &LoadOptions::default(),
    );
    let f = json.function("f").expect("f");
    assert_eq!(
        f.url.as_ref().and_then(|u| u.auth_type.as_str()),
        Some("NONE")
    );
    assert_eq!(json.permissions.len(), 1);
    assert_eq!(json.permissions[0].principal.as_str(), Some("*"));
}
