//! SAM connectors (`AWS::Serverless::Connector` and the `Connectors` property embedded in a
//! resource): the access they grant. A function source gets the IAM actions of the
//! connection added to its role; a source that invokes a function (API Gateway, SNS, S3,
//! EventBridge, …) becomes a resource-based permission on the function; a polled source
//! (SQS, DynamoDB and Kinesis streams) gives the destination function's role the poll actions.
//!
//! The action lists follow the AWS SAM connector reference (supported source and destination
//! types and the policies each connection creates).

use crate::cloudformation::context::Context;
use crate::cloudformation::resources::{Entry, source_attr};
use crate::doc::Node;
use perimeter_model::{App, Attr, Location, Permission, Policy, PolicySource, Statement};

/// What a connection endpoint is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Function,
    Table,
    Bucket,
    Queue,
    Topic,
    StateMachine,
    EventBus,
    PlaceIndex,
    Stream,
    Api,
    Invoker,
    Other,
}

fn kind(type_name: &str) -> Kind {
    match type_name {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => Kind::Function,
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => Kind::Table,
        "AWS::S3::Bucket" => Kind::Bucket,
        "AWS::SQS::Queue" => Kind::Queue,
        "AWS::SNS::Topic" => Kind::Topic,
        "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => Kind::StateMachine,
        "AWS::Events::EventBus" => Kind::EventBus,
        "AWS::Location::PlaceIndex" => Kind::PlaceIndex,
        "AWS::Kinesis::Stream" => Kind::Stream,
        "AWS::Serverless::Api"
        | "AWS::ApiGateway::RestApi"
        | "AWS::Serverless::HttpApi"
        | "AWS::ApiGatewayV2::Api" => Kind::Api,
        "AWS::Events::Rule" | "AWS::IoT::TopicRule" | "AWS::Serverless::WebSocketApi" => {
            Kind::Invoker
        }
        _ => Kind::Other,
    }
}

/// IAM actions a function gets on a destination, per permission.
fn function_actions(dest: Kind, permission: &str) -> &'static [&'static str] {
    match (dest, permission) {
        (Kind::Table, "Read") => &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:PartiQLSelect",
        ],
        (Kind::Table, "Write") => &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:PartiQLDelete",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLUpdate",
        ],
        (Kind::Bucket, "Read") => &[
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectLegalHold",
            "s3:GetObjectRetention",
            "s3:GetObjectTorrent",
            "s3:GetObjectVersion",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionTorrent",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:ListBucketVersions",
            "s3:ListMultipartUploadParts",
        ],
        (Kind::Bucket, "Write") => &[
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:PutObject",
            "s3:PutObjectLegalHold",
            "s3:PutObjectRetention",
            "s3:RestoreObject",
        ],
        (Kind::Queue, "Read") => &["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
        (Kind::Queue, "Write") => &[
            "sqs:DeleteMessage",
            "sqs:SendMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:PurgeQueue",
        ],
        (Kind::Topic, "Write") => &["sns:Publish"],
        (Kind::StateMachine, "Read") => &[
            "states:DescribeStateMachine",
            "states:ListExecutions",
            "states:DescribeExecution",
            "states:DescribeStateMachineForExecution",
            "states:GetExecutionHistory",
        ],
        (Kind::StateMachine, "Write") => &[
            "states:StartExecution",
            "states:StopExecution",
            "states:StartSyncExecution",
        ],
        (Kind::Function, "Write") => &["lambda:InvokeAsync", "lambda:InvokeFunction"],
        (Kind::EventBus, "Write") => &["events:PutEvents"],
        (Kind::PlaceIndex, "Read") => &[
            "geo:DescribePlaceIndex",
            "geo:GetPlace",
            "geo:SearchPlaceIndexForPosition",
            "geo:SearchPlaceIndexForSuggestions",
            "geo:SearchPlaceIndexForText",
        ],
        _ => &[],
    }
}

/// IAM actions a destination function's role gets to poll a source, per permission.
fn poll_actions(source: Kind, permission: &str) -> &'static [&'static str] {
    match (source, permission) {
        (Kind::Queue, "Read") => &["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
        (Kind::Queue, "Write") => &["sqs:DeleteMessage"],
        (Kind::Table, "Read") => &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        (Kind::Stream, "Read") => &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
        ],
        _ => &[],
    }
}

/// One end of a connection: its logical ID (when declared here), kind and ARN.
#[derive(Clone)]
struct End {
    id: Option<String>,
    kind: Kind,
    arn: Attr<String>,
    qualifier: Option<String>,
    /// `RoleName` of an end given by ARN: the role that gets the access.
    role: Option<String>,
}

fn end(ctx: &Context, node: &Node, implicit: Option<&Entry>) -> Option<End> {
    let written_id = match node.get("Id") {
        Some(i) => ctx.string(i).known().cloned(),
        None => implicit.map(|e| e.id.to_string()),
    };
    let type_name = match (&written_id, node.get("Type")) {
        (Some(i), _) => ctx.resource_type(i).map(str::to_string),
        (None, Some(t)) => ctx.string(t).known().cloned(),
        (None, None) => None,
    }?;
    // An end given by `ResourceId` or `Arn` may still be a resource of this template.
    let id = written_id.or_else(|| {
        node.get("ResourceId")
            .or_else(|| node.get("Arn"))
            .and_then(|n| ctx.ref_target(n))
    });
    let arn = match (&id, node.get("Arn")) {
        (_, Some(a)) => source_attr(ctx, a),
        (Some(i), None) => Attr::explicit(format!("${{{i}}}"), ctx.loc(node)),
        (None, None) => Attr::unresolved("connector end without Id or Arn", ctx.loc(node)),
    };
    let qualifier = node
        .get("Qualifier")
        .and_then(|q| ctx.string(q).known().cloned());
    let role = node
        .get("RoleName")
        .and_then(|r| ctx.ref_target(r).or_else(|| ctx.string(r).known().cloned()));
    Some(End {
        id,
        kind: kind(&type_name),
        arn,
        qualifier,
        role,
    })
}

/// The role a connection end acts with: the `RoleName` given, or a function's role.
fn role_of(app: &App, end: &End) -> Option<String> {
    let from_function = end
        .id
        .as_deref()
        .filter(|_| end.kind == Kind::Function)
        .and_then(|f| app.function(f))
        .and_then(|f| f.role.as_str().map(str::to_string));
    // A written `RoleName` wins over the function's own role, as in the translator.
    end.role.clone().or(from_function)
}

/// Applies every connector of the template. Runs after all roles are loaded.
pub(crate) fn apply(app: &mut App, ctx: &Context, entries: &[Entry]) {
    for e in entries {
        if e.type_name == "AWS::Serverless::Connector" {
            if let Some(source) = e.prop("Source").and_then(|s| end(ctx, s, None)) {
                connect(app, ctx, e.id, e.loc(ctx), &source, &e.props);
            }
            continue;
        }
        let Some(embedded) = e.node.get("Connectors") else {
            continue;
        };
        let Some(source) = end(ctx, &Node::null(e.key.line, e.key.column), Some(e)) else {
            continue;
        };
        for (name, c) in embedded.entries() {
            let props = c.get("Properties").map(|p| ctx.evaluate(p));
            let Some(props) = props else { continue };
            let id = format!("{}{}", e.id, name.name);
            let loc = Location::new(ctx.file, name.line, name.column);
            // `SourceReference` narrows the enclosing resource (an API route, a role).
            let mut source = source.clone();
            if let Some(r) = props.get("SourceReference") {
                if let Some(q) = r
                    .get("Qualifier")
                    .and_then(|q| ctx.string(q).known().cloned())
                {
                    source.qualifier = Some(q);
                }
                if let Some(role) = r
                    .get("RoleName")
                    .and_then(|q| ctx.string(q).known().cloned())
                {
                    source.role = Some(role);
                }
            }
            connect(app, ctx, &id, loc, &source, &props);
        }
    }
}

fn connect(app: &mut App, ctx: &Context, id: &str, loc: Location, source: &End, props: &Node) {
    let permissions: Vec<String> = props
        .get("Permissions")
        .map(|p| ctx.strings(p))
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.known().cloned())
        .collect();
    let dests: Vec<&Node> = match props.get("Destination") {
        Some(d) if d.is_seq() => d.items().iter().collect(),
        Some(d) => vec![d],
        None => Vec::new(),
    };
    for d in dests {
        let Some(dest) = end(ctx, d, None) else {
            continue;
        };
        // Any source that acts with a role (a function, or a `RoleName`) gets the access.
        if source.kind == Kind::Function || source.role.is_some() {
            let actions: Vec<&str> = permissions
                .iter()
                .flat_map(|p| function_actions(dest.kind, p).iter().copied())
                .collect();
            if let Some(role) = role_of(app, source) {
                grant(app, &role, id, &loc, &actions, &dest.arn);
            }
        }
        if dest.kind == Kind::Function {
            let poll: Vec<&str> = permissions
                .iter()
                .flat_map(|p| poll_actions(source.kind, p).iter().copied())
                .collect();
            if let Some(f) = &dest.id {
                if let Some(role) = role_of(app, &dest) {
                    grant(app, &role, id, &loc, &poll, &source.arn);
                }
                let principal = match source.kind {
                    Kind::Api => Some("apigateway.amazonaws.com"),
                    Kind::Topic => Some("sns.amazonaws.com"),
                    Kind::Bucket => Some("s3.amazonaws.com"),
                    Kind::Invoker | Kind::EventBus => Some("events.amazonaws.com"),
                    _ => None,
                };
                if let Some(principal) = principal
                    && permissions.iter().any(|p| p == "Write")
                {
                    let arn = match (&source.id, source.kind) {
                        (Some(s), Kind::Api) => {
                            let q = source.qualifier.clone().unwrap_or_else(|| "*".to_string());
                            format!(
                                "arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{s}}}/{q}"
                            )
                        }
                        _ => source.arn.as_str().unwrap_or("").to_string(),
                    };
                    app.permissions.push(Permission {
                        id: format!("{id}WriteLambdaPermission"),
                        function: Attr::explicit(f.clone(), loc.clone()),
                        action: Attr::defaulted("lambda:InvokeFunction".to_string(), loc.clone()),
                        principal: Attr::defaulted(principal.to_string(), loc.clone()),
                        source_arn: Some(Attr::defaulted(arn, loc.clone())),
                        source_account: None,
                        principal_org_id: None,
                        function_url_auth_type: None,
                        location: loc.clone(),
                    });
                }
            }
        }
    }
}

/// Adds a connector policy to role `role_id` (when the role is declared here).
fn grant(
    app: &mut App,
    role_id: &str,
    id: &str,
    loc: &Location,
    actions: &[&str],
    resource: &Attr<String>,
) {
    if actions.is_empty() {
        return;
    }
    let Some(role) = app.roles.iter_mut().find(|r| r.id == role_id) else {
        return;
    };
    let mut st = Statement::new(loc.clone());
    st.actions = actions
        .iter()
        .map(|a| Attr::defaulted(a.to_string(), loc.clone()))
        .collect();
    st.resources = vec![resource.clone()];
    role.policies.push(Policy {
        name: format!("{id}Policy"),
        source: PolicySource::CustomerManaged(id.to_string()),
        location: loc.clone(),
        statements: vec![st],
    });
}
