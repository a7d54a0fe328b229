//! Synthesis on hand-built models: mapping, resource resolution, grouping, unused grants.

use super::*;
use perimeter_model::{
    ArgValue, Attr, Effect, EnvVar, FunctionCode, HandlerRef, Location, Policy, PolicySource,
    Resource, ResourceArg, ResourceKind, Role, Sdk, Statement, Value,
};
use serde_json::json;

fn loc(line: u32) -> Location {
    Location::new("template.yaml", line, 1)
}

/// The ARN formats of the catalog for the actions these tests use.
pub(crate) fn catalog() -> StaticCatalog {
    let table = (
        "table",
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",
    );
    let index = (
        "index",
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}",
    );
    let stream = (
        "stream",
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}",
    );
    let object = (
        "object",
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
    );
    let apobject = (
        "accesspointobject",
        "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}",
    );
    let bucket = ("bucket", "arn:${Partition}:s3:::${BucketName}");
    let queue = (
        "queue",
        "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
    );
    let secret = (
        "Secret",
        "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}",
    );
    let log = (
        "log-group",
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
    );
    StaticCatalog::default()
        .with("dynamodb:PutItem", &[table])
        .with("dynamodb:GetItem", &[table])
        .with("dynamodb:DeleteItem", &[table])
        .with("dynamodb:Query", &[index, table])
        .with("dynamodb:Scan", &[index, table])
        .with("dynamodb:BatchWriteItem", &[table])
        .with("dynamodb:GetRecords", &[stream])
        .with("dynamodb:GetShardIterator", &[stream])
        .with("dynamodb:DescribeStream", &[stream])
        .with("dynamodb:ListStreams", &[])
        .with("s3:GetObject", &[apobject, object])
        .with("s3:PutObject", &[apobject, object])
        .with("s3:DeleteObject", &[apobject, object])
        .with("s3:ListBucket", &[bucket])
        .with("s3:AbortMultipartUpload", &[apobject, object])
        .with("s3:ListMultipartUploadParts", &[apobject, object])
        .with("sqs:SendMessage", &[queue])
        .with("sqs:ReceiveMessage", &[queue])
        .with("sqs:DeleteMessage", &[queue])
        .with("sqs:GetQueueAttributes", &[queue])
        .with("secretsmanager:GetSecretValue", &[secret])
        .with("logs:CreateLogGroup", &[log])
        .with("logs:CreateLogStream", &[log])
        .with("logs:PutLogEvents", &[log])
        .with("xray:PutTraceSegments", &[])
        .with("xray:PutTelemetryRecords", &[])
}

fn call(service: &str, op: &str, args: &[(&str, ArgValue)], line: u32) -> SdkCall {
    SdkCall {
        sdk: Sdk::Boto3,
        service: service.into(),
        operation: op.into(),
        resources: args
            .iter()
            .map(|(p, v)| ResourceArg {
                param: p.to_string(),
                value: v.clone(),
            })
            .collect(),
        location: Location::new("src/app.py", line, 5),
    }
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Attr::explicit(value.into(), loc(20)),
        location: loc(20),
    }
}

fn function(id: &str, role: &str, calls: Vec<SdkCall>, vars: Vec<EnvVar>) -> Function {
    let mut f = Function::new(id, loc(10));
    f.role = Attr::explicit(role.to_string(), loc(11));
    f.environment = vars;
    f.code = Some(FunctionCode {
        bundle: "src".into(),
        layers: vec![],
        language: Language::Python,
        handler: Some(HandlerRef {
            file: "src/app.py".into(),
            symbol: "handler".into(),
            location: Location::new("src/app.py", 1, 1),
        }),
        problem: None,
        files: vec!["src/app.py".into()],
        sdk_calls: calls,
        flows: vec![],
    });
    f
}

fn statement(actions: &[&str], line: u32) -> Statement {
    let mut s = Statement::new(loc(line));
    s.effect = Value::Known(Effect::Allow);
    s.actions = actions
        .iter()
        .map(|a| Attr::explicit(a.to_string(), loc(line)))
        .collect();
    s.resources = vec![Attr::explicit("*".into(), loc(line))];
    s
}

fn role(id: &str, generated: bool, statements: Vec<Statement>) -> Role {
    let mut r = Role::new(id, loc(30), generated);
    r.policies.push(Policy {
        name: format!("{id}Policy"),
        source: PolicySource::Inline,
        location: loc(31),
        statements,
    });
    r
}

fn app(source: SourceKind) -> App {
    let mut app = App::new("template.yaml", "demo", source, "template.yaml");
    app.resources.push(Resource::new(
        "Table",
        ResourceKind::Table,
        "AWS::DynamoDB::Table",
        loc(50),
    ));
    app.resources.push(Resource::new(
        "Bucket",
        ResourceKind::Bucket,
        "AWS::S3::Bucket",
        loc(55),
    ));
    app.resources.push(Resource::new(
        "Queue",
        ResourceKind::Queue,
        "AWS::SQS::Queue",
        loc(60),
    ));
    app
}

fn statement_for<'a>(p: &'a FunctionPolicy, action: &str) -> &'a PolicyStatement {
    p.policy
        .statement
        .iter()
        .find(|s| s.action.iter().any(|a| a == action))
        .unwrap_or_else(|| panic!("no statement with {action}: {:#?}", p.policy))
}

#[test]
fn env_ref_to_declared_table_names_it_with_getatt_and_index_for_query() {
    let mut a = app(SourceKind::Sam);
    a.roles.push(role("FnRole", true, vec![]));
    a.functions.push(function(
        "Fn",
        "FnRole",
        vec![
            call(
                "dynamodb",
                "PutItem",
                &[("TableName", ArgValue::EnvVar("TABLE".into()))],
                3,
            ),
            call(
                "dynamodb",
                "Query",
                &[("TableName", ArgValue::EnvVar("TABLE".into()))],
                4,
            ),
        ],
        vec![env("TABLE", "${Table}")],
    ));
    let out = synthesize_app(&a, &catalog());
    let p = &out[0];
    let put = statement_for(p, "dynamodb:PutItem");
    assert_eq!(put.resource, vec![json!({"Fn::GetAtt": ["Table", "Arn"]})]);
    assert_eq!(put.sid, "DynamoDBTable");
    let query = statement_for(p, "dynamodb:Query");
    assert_eq!(
        query.resource,
        vec![
            json!({"Fn::Sub": "${Table.Arn}/index/*"}),
            json!({"Fn::GetAtt": ["Table", "Arn"]})
        ]
    );
    assert!(p.evidence.iter().any(|e| e.action == "dynamodb:Query"
        && e.line == 4
        && e.file == "src/app.py"
        && e.call == "boto3 dynamodb.Query"));
    assert!(p.complete);
    assert!(p.unrecognized.is_empty());
    assert_eq!(p.patch.kind, "sam-function-policies");
    assert!(
        p.patch.yaml.contains("!GetAtt Table.Arn"),
        "{}",
        p.patch.yaml
    );
    assert!(
        !p.patch.yaml.contains("logs:"),
        "SAM adds the log policy itself"
    );
}

#[test]
fn getatt_and_sub_values_resolve_too() {
    let mut a = app(SourceKind::CloudFormation);
    a.roles.push(role("R", false, vec![]));
    a.functions.push(function(
        "Fn",
        "R",
        vec![
            call(
                "s3",
                "GetObject",
                &[
                    ("Bucket", ArgValue::EnvVar("BUCKET".into())),
                    ("Key", ArgValue::Unknown),
                ],
                3,
            ),
            call(
                "s3",
                "ListObjectsV2",
                &[("Bucket", ArgValue::EnvVar("BUCKET".into()))],
                4,
            ),
            call(
                "sqs",
                "SendMessageBatch",
                &[("QueueUrl", ArgValue::EnvVar("QUEUE".into()))],
                5,
            ),
        ],
        vec![
            env("BUCKET", "${Bucket.Arn}"),
            env(
                "QUEUE",
                "https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/${Queue.QueueName}",
            ),
        ],
    ));
    let p = &synthesize_app(&a, &catalog())[0];
    assert_eq!(
        statement_for(p, "s3:GetObject").resource,
        vec![json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"})]
    );
    assert_eq!(
        statement_for(p, "s3:ListBucket").resource,
        vec![json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"})]
    );
    assert_eq!(
        statement_for(p, "sqs:SendMessage").resource,
        vec![json!({"Fn::GetAtt": ["Queue", "Arn"]})]
    );
    assert_eq!(p.patch.kind, "cloudformation-role-policies");
    assert!(
        p.patch.yaml.contains("PolicyName: RLeastPrivilege"),
        "{}",
        p.patch.yaml
    );
}

#[test]
fn literals_and_unknowns() {
    let mut a = app(SourceKind::Sam);
    a.roles.push(role("FnRole", true, vec![]));
    a.functions.push(function(
        "Fn",
        "FnRole",
        vec![
            call(
                "dynamodb",
                "GetItem",
                &[("TableName", ArgValue::Literal("orders".into()))],
                3,
            ),
            call(
                "dynamodb",
                "DeleteItem",
                &[("TableName", ArgValue::Unknown)],
                4,
            ),
            call(
                "secretsmanager",
                "GetSecretValue",
                &[("SecretId", ArgValue::EnvVar("SECRET".into()))],
                5,
            ),
            call(
                "s3",
                "@upload_file",
                &[("Bucket", ArgValue::EnvVar("NOPE".into()))],
                6,
            ),
            call(
                "s3",
                "PutObject",
                &[(
                    "Bucket",
                    ArgValue::Literal("arn:aws:s3:::logs-bucket".into()),
                )],
                7,
            ),
        ],
        vec![env("SECRET", "prod/db-${AWS::Region}")],
    ));
    let p = &synthesize_app(&a, &catalog())[0];
    assert_eq!(
        statement_for(p, "dynamodb:GetItem").resource,
        vec![
            json!({"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"})
        ]
    );
    // Unknown: the resource type with `*`, never a bare `*`, and a note.
    assert_eq!(
        statement_for(p, "dynamodb:DeleteItem").resource,
        vec![json!("arn:aws:dynamodb:*:*:table/*")]
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("dynamodb:DeleteItem: the resource is computed in code")),
        "{:?}",
        p.notes
    );
    // Pseudo-parameters stay for `Fn::Sub` to resolve; secrets get their random suffix.
    assert_eq!(
        statement_for(p, "secretsmanager:GetSecretValue").resource,
        vec![
            json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-${AWS::Region}-??????"})
        ]
    );
    // upload_file: PutObject and the multipart actions, on any object (the variable is not set).
    let put = statement_for(p, "s3:AbortMultipartUpload");
    assert!(put.resource.contains(&json!("arn:aws:s3:::*/*")), "{put:?}");
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("`NOPE` is not set by the template"))
    );
    // A literal ARN: objects under it.
    assert!(
        p.policy
            .statement
            .iter()
            .any(|s| s.action.contains(&"s3:PutObject".to_string())
                && s.resource.contains(&json!("arn:aws:s3:::logs-bucket/*")))
    );
}

#[test]
fn arn_flavor_for_non_cloudformation_apps() {
    let mut a = app(SourceKind::Terraform);
    a.functions.push(function(
        "fn",
        "arn:aws:iam::123456789012:role/x",
        vec![call(
            "dynamodb",
            "PutItem",
            &[("TableName", ArgValue::Literal("orders".into()))],
            3,
        )],
        vec![],
    ));
    let p = &synthesize_app(&a, &catalog())[0];
    assert_eq!(
        statement_for(p, "dynamodb:PutItem").resource,
        vec![json!("arn:aws:dynamodb:*:*:table/orders")]
    );
    assert_eq!(p.patch.kind, "attach-to-role");
    assert!(p.granted_unused.is_empty());
}

#[test]
fn granted_unused_against_the_role_and_its_other_users() {
    let mut a = app(SourceKind::CloudFormation);
    a.roles.push(role(
        "Shared",
        false,
        vec![
            statement(&["dynamodb:*"], 40),
            statement(&["s3:DeleteObject", "sqs:SendMessage"], 41),
            statement(&["logs:*"], 42),
        ],
    ));
    a.functions.push(function(
        "Writer",
        "Shared",
        vec![call(
            "dynamodb",
            "PutItem",
            &[("TableName", ArgValue::EnvVar("T".into()))],
            3,
        )],
        vec![env("T", "${Table}")],
    ));
    a.functions.push(function(
        "Sender",
        "Shared",
        vec![call(
            "sqs",
            "SendMessage",
            &[("QueueUrl", ArgValue::EnvVar("Q".into()))],
            3,
        )],
        vec![env("Q", "${Queue}")],
    ));
    let out = synthesize_app(&a, &catalog());
    let w = &out[0];
    assert_eq!(w.role_shared_with, ["Sender"]);
    let actions: Vec<&str> = w.granted_unused.iter().map(|u| u.action.as_str()).collect();
    // sqs:SendMessage is used by the other function of the role; logs:* by the baseline.
    assert_eq!(
        actions,
        ["dynamodb:*", "s3:DeleteObject"],
        "{:#?}",
        w.granted_unused
    );
    let wildcard = &w.granted_unused[0];
    assert_eq!(wildcard.used_for, ["dynamodb:PutItem"]);
    // The test catalog knows 10 dynamodb actions.
    assert_eq!(wildcard.unused_count, Some(9));
    assert_eq!(wildcard.granted_by.line, 40);
    assert_eq!(w.granted_unused[1].granted_by.statement, "1");
    // The role patch carries both functions' needs.
    assert!(
        w.patch.yaml.contains("dynamodb:PutItem") && w.patch.yaml.contains("sqs:SendMessage"),
        "{}",
        w.patch.yaml
    );
    assert!(w.complete);
}

#[test]
fn incomplete_analysis_is_said() {
    let mut a = app(SourceKind::Sam);
    a.roles
        .push(role("FnRole", true, vec![statement(&["s3:*"], 40)]));
    let mut f = function(
        "Fn",
        "FnRole",
        vec![
            call("sts", "GetCallerIdentity", &[], 3),
            call("s3", "@no_such_helper", &[], 4),
        ],
        vec![],
    );
    a.functions.push(f.clone());
    let p = &synthesize_app(&a, &catalog())[0];
    assert!(!p.complete);
    assert_eq!(p.unrecognized.len(), 1);
    assert_eq!(p.unrecognized[0].call, "boto3 s3.@no_such_helper");
    assert_eq!(
        p.calls,
        CallCounts {
            total: 2,
            mapped: 0,
            no_permission: 1,
            unrecognized: 1
        }
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("1 SDK call(s) were not recognized"))
    );
    // GetCallerIdentity needs nothing: only the log actions remain.
    assert!(
        p.policy
            .statement
            .iter()
            .all(|s| s.action.iter().all(|a| a.starts_with("logs:")))
    );

    if let Some(code) = f.code.as_mut() {
        code.handler = None;
        code.problem = Some("src/app.py: no function 'handler'".into());
    }
    assert_eq!(
        completeness(&f, 0),
        Err("the handler was not found (src/app.py: no function 'handler')".into())
    );
    f.code = None;
    assert!(completeness(&f, 0).is_err());
}

#[test]
fn baseline_logs_tracing_and_event_sources() {
    let mut a = app(SourceKind::Sam);
    a.roles.push(role("FnRole", true, vec![]));
    let mut f = function("Fn", "FnRole", vec![], vec![]);
    f.tracing = Attr::explicit(true, loc(12));
    f.triggers.push(perimeter_model::Trigger {
        id: "Stream".into(),
        kind: perimeter_model::TriggerKind::DynamoDb,
        type_name: "DynamoDB".into(),
        location: loc(14),
        source: Some(Attr::explicit("Table".into(), loc(15))),
        http: None,
    });
    f.dead_letter = Some(Attr::explicit("${Queue.Arn}".into(), loc(16)));
    a.functions.push(f);
    let p = &synthesize_app(&a, &catalog())[0];
    assert_eq!(
        statement_for(p, "logs:PutLogEvents").resource,
        vec![
            json!({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AWS::StackName}-Fn-*:*"})
        ]
    );
    assert_eq!(
        statement_for(p, "xray:PutTraceSegments").resource,
        vec![json!("*")]
    );
    assert_eq!(
        statement_for(p, "dynamodb:GetRecords").resource,
        vec![json!({"Fn::GetAtt": ["Table", "StreamArn"]})]
    );
    assert_eq!(
        statement_for(p, "dynamodb:ListStreams").resource,
        vec![json!("*")]
    );
    assert_eq!(
        statement_for(p, "sqs:SendMessage").resource,
        vec![json!({"Fn::GetAtt": ["Queue", "Arn"]})]
    );
    assert!(
        p.evidence
            .iter()
            .any(|e| e.call == "baseline: dead-letter target" && e.line == 16)
    );
}

#[test]
fn serverless_shared_role_patch_goes_to_provider_statements() {
    let mut a = app(SourceKind::Serverless);
    a.file = "serverless.yml".into();
    a.roles.push(role(
        "IamRoleLambdaExecution",
        true,
        vec![statement(&["dynamodb:*"], 40)],
    ));
    let mut f = function(
        "create",
        "IamRoleLambdaExecution",
        vec![call(
            "dynamodb",
            "@DocumentClient.put",
            &[("TableName", ArgValue::EnvVar("T".into()))],
            3,
        )],
        vec![env("T", "orders-dev")],
    );
    f.name = "shop-dev-create".into();
    a.functions.push(f);
    let p = &synthesize_app(&a, &catalog())[0];
    assert_eq!(p.patch.kind, "serverless-provider-statements");
    assert_eq!(
        p.patch.yaml,
        "provider:\n  iam:\n    role:\n      statements:\n        - Sid: DynamoDB\n          Effect: Allow\n          Action:\n            - dynamodb:PutItem\n          Resource:\n            - Fn::Sub: \"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-dev\"\n"
    );
    assert_eq!(
        statement_for(p, "logs:CreateLogStream").resource,
        vec![
            json!({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/shop-dev-create:*"})
        ]
    );
}

#[test]
fn json_shape() {
    let mut a = app(SourceKind::Sam);
    a.roles
        .push(role("FnRole", true, vec![statement(&["s3:GetObject"], 40)]));
    a.functions.push(function("Fn", "FnRole", vec![], vec![]));
    let p = &synthesize_app(&a, &catalog())[0];
    let v = serde_json::to_value(p).unwrap_or_default();
    let keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "function",
            "app",
            "policy",
            "evidence",
            "granted_unused",
            "unrecognized",
            "calls",
            "notes",
            "complete",
            "role",
            "role_shared_with",
            "patch"
        ]
    );
    assert_eq!(v["policy"]["Version"], "2012-10-17");
    assert_eq!(v["policy"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(v["granted_unused"][0]["action"], "s3:GetObject");
    assert_eq!(v["granted_unused"][0]["granted_by"]["line"], 40);
    assert_eq!(v["evidence"][0]["call"], "baseline: the function's logs");
}

#[test]
fn without_catalog_resources_fall_back_to_star_with_a_note() {
    let mut a = app(SourceKind::Sam);
    a.functions.push(function(
        "Fn",
        "FnRole",
        vec![call(
            "dynamodb",
            "PutItem",
            &[("TableName", ArgValue::EnvVar("T".into()))],
            3,
        )],
        vec![env("T", "${Table}")],
    ));
    let p = &synthesize_app(&a, &NoCatalog)[0];
    assert_eq!(
        statement_for(p, "dynamodb:PutItem").resource,
        vec![json!("*")]
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("not in the IAM action catalog"))
    );
}

#[test]
fn code_stage_unrecognized_sites_make_the_function_incomplete() {
    let mut a = app(SourceKind::Sam);
    a.roles.push(role("FnRole", true, vec![]));
    a.functions.push(function("Fn", "FnRole", vec![], vec![]));
    let sites = vec![
        "src/app.py:9: getattr(client, name)(**kw)".to_string(),
        "src/other.py:3: x.y()".to_string(),
        "garbage".to_string(),
    ];
    let p = &synthesize_app_with(&a, &catalog(), &sites)[0];
    assert!(!p.complete);
    assert_eq!(
        p.unrecognized,
        [Unrecognized {
            call: "getattr(client, name)(**kw)".into(),
            file: "src/app.py".into(),
            line: 9
        }]
    );
}

#[test]
fn every_action_the_map_names_is_in_the_catalog() {
    let cat = crate::catalog::catalog();
    let text = include_str!("../../data/sdk_actions.tsv");
    let mut unknown = Vec::new();
    let mut checked = 0;
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let lists: Vec<&str> = match cols.as_slice() {
            ["S", _, _, ops] => ops
                .split(' ')
                .filter_map(|o| o.split_once('=').map(|(_, v)| v))
                .filter(|v| *v != "-" && *v != "?")
                .collect(),
            ["K", _, kms] => vec![*kms],
            _ => continue,
        };
        for list in lists {
            for action in list.split(',') {
                checked += 1;
                if !cat.is_known(action) {
                    unknown.push(action.to_string());
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(unknown.is_empty(), "not in the catalog: {unknown:?}");
}

#[test]
fn with_the_real_catalog() {
    let mut a = app(SourceKind::Sam);
    a.roles
        .push(role("FnRole", true, vec![statement(&["dynamodb:*"], 40)]));
    a.functions.push(function(
        "Fn",
        "FnRole",
        vec![
            call(
                "dynamodb",
                "Query",
                &[("TableName", ArgValue::EnvVar("T".into()))],
                3,
            ),
            call(
                "s3",
                "HeadObject",
                &[("Bucket", ArgValue::EnvVar("B".into()))],
                4,
            ),
            call(
                "s3",
                "ListObjectsV2",
                &[("Bucket", ArgValue::Literal("raw-data".into()))],
                5,
            ),
        ],
        vec![env("T", "${Table}"), env("B", "${Bucket}")],
    ));
    let p = &synthesize_app(&a, knowledge())[0];
    let query = statement_for(p, "dynamodb:Query");
    assert!(
        query
            .resource
            .contains(&json!({"Fn::GetAtt": ["Table", "Arn"]}))
    );
    assert!(
        query
            .resource
            .contains(&json!({"Fn::Sub": "${Table.Arn}/index/*"}))
    );
    assert_eq!(
        statement_for(p, "s3:GetObject").resource,
        vec![json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"})]
    );
    assert_eq!(
        statement_for(p, "s3:ListBucket").resource,
        vec![json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::raw-data"})]
    );
    let wildcard = &p.granted_unused[0];
    assert_eq!(wildcard.action, "dynamodb:*");
    assert_eq!(wildcard.used_for, ["dynamodb:Query"]);
    assert!(
        wildcard.unused_count.is_some_and(|n| n > 40),
        "{wildcard:?}"
    );
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn a_literal_equal_to_a_declared_name_names_that_resource() {
    let mut a = app(SourceKind::Serverless);
    if let Some(t) = a.resources.iter_mut().find(|r| r.id == "Table") {
        t.name = Some(Attr::explicit("orders-dev".into(), loc(51)));
    }
    a.roles.push(role("IamRoleLambdaExecution", true, vec![]));
    a.functions.push(function(
        "create",
        "IamRoleLambdaExecution",
        vec![call(
            "dynamodb",
            "PutItem",
            &[("TableName", ArgValue::EnvVar("T".into()))],
            3,
        )],
        vec![env("T", "orders-dev")],
    ));
    let p = &synthesize_app(&a, &catalog())[0];
    assert_eq!(
        statement_for(p, "dynamodb:PutItem").resource,
        vec![json!({"Fn::GetAtt": ["Table", "Arn"]})]
    );
}

#[test]
fn denied_actions_are_not_granted_and_wildcard_counts_use_the_engine() {
    let mut a = app(SourceKind::CloudFormation);
    let mut deny = statement(&["s3:DeleteObject", "dynamodb:Delete*"], 41);
    deny.effect = Value::Known(Effect::Deny);
    a.roles.push(role(
        "R",
        false,
        vec![statement(&["dynamodb:*", "s3:DeleteObject"], 40), deny],
    ));
    a.functions.push(function(
        "Fn",
        "R",
        vec![call(
            "dynamodb",
            "PutItem",
            &[("TableName", ArgValue::EnvVar("T".into()))],
            3,
        )],
        vec![env("T", "${Table}")],
    ));
    let p = &synthesize_app(&a, knowledge())[0];
    let actions: Vec<&str> = p.granted_unused.iter().map(|u| u.action.as_str()).collect();
    assert_eq!(actions, ["dynamodb:*"], "{:#?}", p.granted_unused);
    let all = crate::catalog::catalog().count("dynamodb:*");
    let deletes = crate::catalog::catalog().count("dynamodb:Delete*");
    assert_eq!(p.granted_unused[0].unused_count, Some(all - deletes - 1));
}

#[test]
fn a_resource_encrypted_with_a_customer_key_needs_the_key_too() {
    let mut a = app(SourceKind::Sam);
    a.resources.push(Resource::new(
        "DataKey",
        ResourceKind::Key,
        "AWS::KMS::Key",
        loc(70),
    ));
    for r in a.resources.iter_mut() {
        match r.id.as_str() {
            "Bucket" => r.kms_key = Some(Attr::explicit("DataKey".to_string(), loc(56))),
            "Queue" => {
                r.kms_key = Some(Attr::explicit(
                    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                        .to_string(),
                    loc(61),
                ))
            }
            _ => {}
        }
    }
    a.roles.push(role("FnRole", true, vec![]));
    a.functions.push(function(
        "Fn",
        "FnRole",
        vec![
            call(
                "s3",
                "GetObject",
                &[("Bucket", ArgValue::EnvVar("B".into()))],
                3,
            ),
            call(
                "sqs",
                "SendMessage",
                &[("QueueUrl", ArgValue::EnvVar("Q".into()))],
                4,
            ),
            call(
                "dynamodb",
                "GetItem",
                &[("TableName", ArgValue::EnvVar("T".into()))],
                5,
            ),
        ],
        vec![
            env("B", "${Bucket}"),
            env("Q", "${Queue}"),
            env("T", "${Table}"),
        ],
    ));
    let p = &synthesize_app(&a, knowledge())[0];
    let queue_key =
        json!("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    // Reading an object decrypts with the bucket's key; sending to an encrypted queue both
    // generates a data key and decrypts with the queue's key (as AWS documents for SQS SSE).
    assert_eq!(
        statement_for(p, "kms:Decrypt").resource,
        vec![json!({"Fn::GetAtt": ["DataKey", "Arn"]}), queue_key.clone()]
    );
    assert_eq!(
        statement_for(p, "kms:GenerateDataKey").resource,
        vec![queue_key]
    );
    assert!(
        p.evidence
            .iter()
            .any(|e| e.action == "kms:Decrypt" && e.line == 3)
    );
    // The table has no customer key: no KMS action for it.
    assert_eq!(
        p.policy
            .statement
            .iter()
            .flat_map(|s| &s.action)
            .filter(|a| a.starts_with("kms:"))
            .count(),
        2,
        "kms:Decrypt and kms:GenerateDataKey, nothing for the table: {:#?}",
        p.policy
    );
}
