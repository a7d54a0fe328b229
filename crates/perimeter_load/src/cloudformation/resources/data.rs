//! Data stores and messaging resources (S3, SNS, SQS, DynamoDB, Secrets Manager, KMS, Logs,
//! Kinesis, SSM, EventBridge buses), their resource policies, and the links they make to
//! functions by their own configuration: bucket notifications, SNS subscriptions and log
//! groups named after a function.

use super::{Entry, Linker, lambda, source_attr, trigger};
use crate::cloudformation::context::Context;
use crate::cloudformation::parse_statements;
use crate::doc::Node;
use perimeter_model::{App, Attr, PublicAccessBlock, Resource, ResourceKind, TriggerKind};

/// Types that only attach something to another resource.
fn is_attachment(type_name: &str) -> bool {
    matches!(
        type_name,
        "AWS::S3::BucketPolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy"
            | "AWS::SNS::Subscription"
            | "AWS::SecretsManager::ResourcePolicy"
            | "AWS::Events::EventBusPolicy"
            | "AWS::Logs::SubscriptionFilter"
            | "AWS::Lambda::LayerVersionPermission"
    )
}

/// The kind and name property of a resource type.
pub(crate) fn kind_of(type_name: &str) -> (ResourceKind, Option<&'static str>) {
    match type_name {
        "AWS::S3::Bucket" => (ResourceKind::Bucket, Some("BucketName")),
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            (ResourceKind::Table, Some("TableName"))
        }
        "AWS::Serverless::SimpleTable" => (ResourceKind::Table, Some("TableName")),
        "AWS::SQS::Queue" => (ResourceKind::Queue, Some("QueueName")),
        "AWS::SNS::Topic" => (ResourceKind::Topic, Some("TopicName")),
        "AWS::Kinesis::Stream" => (ResourceKind::Stream, Some("Name")),
        "AWS::KinesisFirehose::DeliveryStream" => {
            (ResourceKind::Stream, Some("DeliveryStreamName"))
        }
        "AWS::SecretsManager::Secret" => (ResourceKind::Secret, Some("Name")),
        "AWS::KMS::Key" => (ResourceKind::Key, None),
        "AWS::SSM::Parameter" => (ResourceKind::Parameter, Some("Name")),
        "AWS::Logs::LogGroup" => (ResourceKind::LogGroup, Some("LogGroupName")),
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => {
            (ResourceKind::Database, Some("DBInstanceIdentifier"))
        }
        "AWS::Events::EventBus" => (ResourceKind::EventBus, Some("Name")),
        _ => (ResourceKind::Other, None),
    }
}

pub(crate) fn create(app: &mut App, ctx: &Context, e: &Entry) {
    if is_attachment(e.type_name) {
        return;
    }
    if e.type_name.starts_with("AWS::Lambda::") {
        app.resources.push(lambda::other_resource(ctx, e));
        return;
    }
    let (kind, name_prop) = kind_of(e.type_name);
    let mut r = Resource::new(e.id, kind, e.type_name, e.loc(ctx));
    if let Some(n) = name_prop.and_then(|p| e.prop(p)) {
        r.name = Some(ctx.string(n));
    }
    r.kms_key = kms_key(ctx, e);
    match e.type_name {
        "AWS::S3::Bucket" => {
            if let Some(acl) = e.prop("AccessControl") {
                r.acl = Some(ctx.string(acl));
            }
            if let Some(b) = e.prop("PublicAccessBlockConfiguration") {
                let flag = |k: &str| b.get(k).is_some_and(|v| ctx.bool(v).known() == Some(&true));
                r.public_access_block = Some(PublicAccessBlock {
                    block_public_acls: flag("BlockPublicAcls"),
                    ignore_public_acls: flag("IgnorePublicAcls"),
                    block_public_policy: flag("BlockPublicPolicy"),
                    restrict_public_buckets: flag("RestrictPublicBuckets"),
                });
            }
        }
        "AWS::KMS::Key" => {
            if let Some(doc) = e.prop("KeyPolicy") {
                r.policy = parse_statements(ctx, doc);
            }
        }
        "AWS::Logs::LogGroup" => {
            if let Some(days) = e.prop("RetentionInDays") {
                r.retention_days = Some(super::u32_attr(ctx, days));
            }
        }
        _ => {}
    }
    app.resources.push(r);
}

/// The customer managed key a data resource is encrypted with, where its type says so.
/// AWS-managed keys (`alias/aws/…`) need no IAM permission and are left out.
fn kms_key(ctx: &Context, e: &Entry) -> Option<perimeter_model::Attr<String>> {
    let node = match e.type_name {
        "AWS::S3::Bucket" => e
            .prop("BucketEncryption")
            .and_then(|b| b.get("ServerSideEncryptionConfiguration"))
            .and_then(|rules| {
                rules.items().iter().find_map(|rule| {
                    rule.get("ServerSideEncryptionByDefault")
                        .and_then(|d| d.get("KMSMasterKeyID"))
                })
            }),
        "AWS::DynamoDB::Table" => e
            .prop("SSESpecification")
            .and_then(|s| s.get("KMSMasterKeyId")),
        "AWS::SQS::Queue" | "AWS::SNS::Topic" => e.prop("KmsMasterKeyId"),
        "AWS::SecretsManager::Secret" => e.prop("KmsKeyId"),
        "AWS::Kinesis::Stream" => e.prop("StreamEncryption").and_then(|s| s.get("KeyId")),
        _ => None,
    }?;
    let key = super::source_attr(ctx, node);
    if key.as_str().is_some_and(|k| k.contains("alias/aws/")) {
        return None;
    }
    Some(key)
}

pub(crate) fn link(app: &mut App, linker: &Linker, e: &Entry) {
    let ctx = linker.ctx;
    match e.type_name {
        "AWS::S3::Bucket" => {
            let configs = e
                .prop("NotificationConfiguration")
                .and_then(|n| n.get("LambdaConfigurations"));
            for c in configs.map(Node::items).unwrap_or_default() {
                let Some(fnode) = c.get("Function") else {
                    continue;
                };
                let Some(f) = linker.function_of(app, fnode) else {
                    continue;
                };
                notify(app, linker, e, &f, ctx.loc(c), TriggerKind::S3);
            }
        }
        "AWS::SNS::Topic" => {
            for s in e.prop("Subscription").map(Node::items).unwrap_or_default() {
                if s.get("Protocol")
                    .and_then(|p| ctx.string(p).known().cloned())
                    .as_deref()
                    != Some("lambda")
                {
                    continue;
                }
                let Some(f) = s.get("Endpoint").and_then(|n| linker.function_of(app, n)) else {
                    continue;
                };
                notify(app, linker, e, &f, ctx.loc(s), TriggerKind::Sns);
            }
        }
        "AWS::SNS::Subscription" => {
            if e.prop("Protocol")
                .and_then(|p| ctx.string(p).known().cloned())
                .as_deref()
                != Some("lambda")
            {
                return;
            }
            let Some(f) = e.prop("Endpoint").and_then(|n| linker.function_of(app, n)) else {
                return;
            };
            let topic = e.prop("TopicArn").map(|t| source_attr(ctx, t));
            if let Some(Some(tid)) = topic.as_ref().map(|t| t.known().cloned())
                && let Some(r) = app.resources.iter_mut().find(|r| r.id == tid)
            {
                r.notifies.push(Attr::explicit(f.clone(), e.loc(ctx)));
            }
            let mut t = trigger(e.id, TriggerKind::Sns, e.type_name, e.loc(ctx));
            t.source = topic;
            linker.add_trigger(app, &f, t);
        }
        "AWS::S3::BucketPolicy" => attach_policy(app, ctx, e, "Bucket", "PolicyDocument"),
        "AWS::SQS::QueuePolicy" => attach_policy(app, ctx, e, "Queues", "PolicyDocument"),
        "AWS::SNS::TopicPolicy" => attach_policy(app, ctx, e, "Topics", "PolicyDocument"),
        "AWS::SecretsManager::ResourcePolicy" => {
            attach_policy(app, ctx, e, "SecretId", "ResourcePolicy")
        }
        "AWS::Events::EventBusPolicy" => {
            if let Some(s) = e.prop("Statement") {
                attach_statements(app, ctx, e, "EventBusName", s);
            }
        }
        "AWS::Logs::LogGroup" => {
            let Some(name) = e.prop("LogGroupName").map(|n| ctx.string(n)) else {
                return;
            };
            let Some(text) = name.as_str() else { return };
            let Some(rest) = text.strip_prefix("/aws/lambda/") else {
                return;
            };
            let Some(f) = linker.function_in_text(app, rest) else {
                return;
            };
            let retention = app.resource(e.id).and_then(|r| r.retention_days.clone());
            if let Some(r) = app.resources.iter_mut().find(|r| r.id == e.id) {
                r.log_group_for = Some(f.clone());
            }
            if let Some(func) = app.functions.iter_mut().find(|x| x.id == f) {
                func.log_retention_days = retention;
            }
        }
        _ => {}
    }
}

/// A function's `LoggingConfig.LogGroup` naming a log group of this template: the group holds
/// the function's logs, whatever its name.
pub(crate) fn logging_config(app: &mut App, linker: &Linker, e: &Entry) {
    let ctx = linker.ctx;
    let Some(group) = e.prop("LoggingConfig").and_then(|l| l.get("LogGroup")) else {
        return;
    };
    let id = ctx.ref_target(group).or_else(|| {
        let name = ctx.string(group).known().cloned()?;
        app.resources
            .iter()
            .find(|r| {
                r.kind == ResourceKind::LogGroup
                    && r.name.as_ref().and_then(|n| n.as_str()) == Some(name.as_str())
            })
            .map(|r| r.id.clone())
    });
    let Some(id) = id else { return };
    let Some(r) = app
        .resources
        .iter_mut()
        .find(|r| r.id == id && r.kind == ResourceKind::LogGroup)
    else {
        return;
    };
    r.log_group_for = Some(e.id.to_string());
    let retention = r.retention_days.clone();
    if let Some(f) = app.functions.iter_mut().find(|f| f.id == e.id) {
        f.log_retention_days = retention;
    }
}

/// A resource that invokes a function by its own configuration: `notifies` on the resource
/// and a trigger on the function.
fn notify(
    app: &mut App,
    linker: &Linker,
    e: &Entry,
    function: &str,
    loc: perimeter_model::Location,
    kind: TriggerKind,
) {
    if let Some(r) = app.resources.iter_mut().find(|r| r.id == e.id) {
        r.notifies
            .push(Attr::explicit(function.to_string(), loc.clone()));
    }
    let mut t = trigger(e.id, kind, e.type_name, loc.clone());
    t.source = Some(Attr::explicit(e.id.to_string(), loc));
    linker.add_trigger(app, function, t);
}

fn attach_policy(app: &mut App, ctx: &Context, e: &Entry, target: &str, doc: &str) {
    if let Some(d) = e.prop(doc) {
        attach_statements(app, ctx, e, target, d);
    }
}

fn attach_statements(app: &mut App, ctx: &Context, e: &Entry, target: &str, doc: &Node) {
    let Some(t) = e.prop(target) else { return };
    let statements = parse_statements(ctx, doc);
    let targets: Vec<&Node> = if t.is_seq() {
        t.items().iter().collect()
    } else {
        vec![t]
    };
    for t in targets {
        let id = ctx.ref_target(t).or_else(|| ctx.string(t).known().cloned());
        let Some(id) = id else { continue };
        // A literal name matches a resource by its declared name.
        let found = app
            .resources
            .iter_mut()
            .find(|r| r.id == id || r.name.as_ref().and_then(|n| n.as_str()) == Some(&id));
        if let Some(r) = found {
            r.policy.extend(statements.iter().cloned());
        }
    }
}
