//! What every Lambda function needs whatever its code does: writing its own logs, X-Ray
//! segments when tracing is on, the network interfaces of a VPC function, polling its event
//! source mappings (SQS, Kinesis, DynamoDB streams), and sending to its dead-letter queue or
//! topic and its asynchronous-invocation destinations.

use super::resolve::{Flavor, Target};
use super::{ActionKnowledge, Evidence, Need, need};
use perimeter_model::{App, Attr, Function, ResourceKind, SourceKind, TriggerKind, Value};
use serde_json::{Value as Json, json};

const LOG_ACTIONS: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
];
/// What `AWSXrayWriteOnlyAccess` (the policy SAM and the Serverless Framework attach for
/// tracing) grants: the SDKs also read sampling rules.
const XRAY_ACTIONS: &[&str] = &[
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
];
const VPC_ACTIONS: &[&str] = &[
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];
const SQS_POLL: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];
const KINESIS_POLL: &[&str] = &[
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:ListShards",
    "kinesis:ListStreams",
];
const DYNAMODB_POLL: &[&str] = &[
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:DescribeStream",
    "dynamodb:ListStreams",
];

fn evidence(action: &str, attr_loc: &perimeter_model::Location, why: &str) -> Evidence {
    Evidence {
        action: action.to_string(),
        file: attr_loc.file.clone(),
        line: attr_loc.line,
        call: format!("baseline: {why}"),
    }
}

/// The baseline needs of `function`.
pub(crate) fn needs(
    app: &App,
    function: &Function,
    knowledge: &dyn ActionKnowledge,
    flavor: Flavor,
) -> Vec<Need> {
    let mut out = Vec::new();
    let log_group = log_group_arn(app, function, flavor);
    for a in LOG_ACTIONS {
        out.push(Need {
            action: a.to_string(),
            resource: log_group.clone(),
            evidence: evidence(a, &function.location, "the function's logs"),
            note: None,
            label: None,
        });
    }
    if function.tracing.value == Value::Known(true) {
        for a in XRAY_ACTIONS {
            out.push(Need {
                action: a.to_string(),
                resource: Json::String("*".into()),
                evidence: evidence(a, &function.tracing.location, "X-Ray tracing"),
                note: None,
                label: None,
            });
        }
    }
    if let Some(vpc) = &function.vpc
        && vpc.value == Value::Known(true)
    {
        for a in VPC_ACTIONS {
            out.push(Need {
                action: a.to_string(),
                resource: Json::String("*".into()),
                evidence: evidence(a, &vpc.location, "VPC network interfaces"),
                note: None,
                label: None,
            });
        }
    }
    for trigger in &function.triggers {
        let (actions, why): (&[&str], &str) = match trigger.kind {
            TriggerKind::Sqs => (SQS_POLL, "SQS event source mapping"),
            TriggerKind::Kinesis => (KINESIS_POLL, "Kinesis event source mapping"),
            TriggerKind::DynamoDb => (DYNAMODB_POLL, "DynamoDB stream event source mapping"),
            _ => continue,
        };
        let target = target_of(app, trigger.source.as_ref());
        for a in actions {
            out.extend(need(
                app,
                a,
                &target,
                knowledge,
                flavor,
                evidence(a, &trigger.location, why),
            ));
        }
    }
    let destinations = [
        (function.dead_letter.as_ref(), "dead-letter target"),
        (function.on_failure.as_ref(), "on-failure destination"),
        (function.on_success.as_ref(), "on-success destination"),
    ];
    for (attr, why) in destinations {
        let Some(attr) = attr else { continue };
        let target = target_of(app, Some(attr));
        let action = match &target {
            Target::Declared(r) => match r.kind {
                ResourceKind::Queue => "sqs:SendMessage",
                ResourceKind::Topic => "sns:Publish",
                ResourceKind::EventBus => "events:PutEvents",
                _ => continue,
            },
            Target::Function(_) => "lambda:InvokeFunction",
            Target::Arn(a) => match a.split(':').nth(2) {
                Some("sqs") => "sqs:SendMessage",
                Some("sns") => "sns:Publish",
                Some("events") => "events:PutEvents",
                Some("lambda") => "lambda:InvokeFunction",
                _ => continue,
            },
            _ => continue,
        };
        out.extend(need(
            app,
            action,
            &target,
            knowledge,
            flavor,
            evidence(action, &attr.location, why),
        ));
    }
    out
}

/// A trigger source or destination: a declared resource or function, an ARN, or unknown.
fn target_of<'a>(app: &'a App, attr: Option<&Attr<String>>) -> Target<'a> {
    let Some(value) = attr.and_then(|a| a.as_str()) else {
        return Target::Unknown("the source cannot be read statically".to_string());
    };
    let id = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .map(|v| v.split('.').next().unwrap_or(v))
        .unwrap_or(value);
    if let Some(r) = app.resource(id) {
        return Target::Declared(r);
    }
    if let Some(f) = app.function(id) {
        return Target::Function(f);
    }
    if value.starts_with("arn:") {
        return Target::Arn(value.to_string());
    }
    Target::Unknown(format!("`{value}` is not declared in this app"))
}

/// The function's log group: `/aws/lambda/{name}`, its streams included.
fn log_group_arn(app: &App, function: &Function, flavor: Flavor) -> Json {
    // The deployed name when it is known; SAM and CloudFormation otherwise generate
    // `{stack}-{LogicalId}-{suffix}` (naming the function itself would make the role depend on
    // the function that depends on the role: a circular dependency).
    let declared = function.name != function.id || app.source == SourceKind::Serverless;
    let name = match (declared, flavor) {
        // `Fn::Sub` resolves the `${…}` references the loader kept.
        (true, Flavor::CloudFormation) => function.name.clone(),
        (true, Flavor::Arn) => super::resolve::replace_refs(&function.name, "*"),
        (false, Flavor::CloudFormation) => format!("${{AWS::StackName}}-{}-*", function.id),
        (false, Flavor::Arn) => format!("*-{}-*", function.id),
    };
    match flavor {
        Flavor::CloudFormation => json!({"Fn::Sub": format!(
            "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{name}:*"
        )}),
        Flavor::Arn => Json::String(format!("arn:aws:logs:*:*:log-group:/aws/lambda/{name}:*")),
    }
}
