//! Terraform resources into the CloudFormation shape the CloudFormation loader reads.
//!
//! Each supported `aws_*` resource instance becomes one `Resources` entry of a synthetic
//! template (one per `.tf` file, so every location names its real file), with its properties
//! renamed to CloudFormation's. Terraform's split resources that have no CloudFormation
//! counterpart are folded into the resource they configure: `aws_s3_bucket_acl`,
//! `_public_access_block` and `_notification` into the bucket, `aws_iam_role_policy_attachment`
//! into the role's managed policy ARNs, `aws_api_gateway_integration` into its method,
//! `aws_api_gateway_method_settings` into the API's stages.

use super::expr::{Ev, map, parse_json_at, scalar, seq, unresolved};
use super::module::{Instance, Module};
use crate::doc::{Key, Node, NodeKind};
use hcl_edit::Span;
use hcl_edit::structure::{Block, Body};
use std::collections::HashMap;

type Props = Vec<(String, Node)>;

/// Properties folded into another resource: target synthetic ID → properties to add.
#[derive(Default)]
struct Folded {
    props: HashMap<String, Props>,
    /// Extra `ManagedPolicyArns` items of roles.
    managed: HashMap<String, Vec<Node>>,
    /// `aws_api_gateway_integration` by (api, resource, method).
    integrations: HashMap<(String, String, String), Node>,
    /// `aws_api_gateway_method_settings` by API.
    method_settings: HashMap<String, Vec<Node>>,
    /// `aws_cloudwatch_event_target` by rule.
    event_targets: HashMap<String, Vec<Node>>,
    /// `aws_lb_target_group_attachment` by target group.
    lb_targets: HashMap<String, Vec<Node>>,
}

/// The synthetic template of every file of the module, in file order.
pub(crate) fn templates(module: &Module) -> Vec<Node> {
    let folded = fold(module);
    let mut per_file: Vec<Vec<(Key, Node)>> = vec![Vec::new(); module.files.len()];
    for inst in &module.instances {
        let Some(block) = module.block(inst.file, inst.block) else {
            continue;
        };
        let r = R::new(module, inst, block);
        let Some((ty, mut props)) = translate(&r, inst, &folded) else {
            continue;
        };
        if let Some(extra) = folded.props.get(&inst.syn) {
            props.extend(extra.iter().cloned());
        }
        let (line, col) = r.ev.pos(block.span());
        let entry = map(
            vec![
                ("Type".to_string(), scalar(ty, line, col)),
                ("Properties".to_string(), map(props, line, col)),
            ],
            line,
            col,
        );
        per_file[inst.file].push((
            Key {
                name: inst.syn.clone(),
                line,
                column: col,
            },
            entry,
        ));
    }
    share_api_resources(&mut per_file);
    per_file
        .into_iter()
        .map(|resources| {
            let r = Node {
                kind: NodeKind::Map(resources),
                line: 1,
                column: 1,
                tag: None,
            };
            map(vec![("Resources".to_string(), r)], 1, 1)
        })
        .collect()
}

/// API Gateway v1 paths are chains of `aws_api_gateway_resource` (`parent_id` → `path_part`)
/// that the CloudFormation loader follows inside one template, while a Terraform module often
/// writes the resources in one file and the methods in another. Every file with a method gets
/// a copy of the resources written elsewhere, under the same IDs: resources create nothing in
/// the model by themselves, so the copies only make the chain readable where it is needed.
fn share_api_resources(per_file: &mut [Vec<(Key, Node)>]) {
    let of_type = |e: &Node, t: &str| e.get("Type").and_then(Node::as_str) == Some(t);
    let all: Vec<(Key, Node)> = per_file
        .iter()
        .flatten()
        .filter(|(_, e)| of_type(e, "AWS::ApiGateway::Resource"))
        .cloned()
        .collect();
    if all.is_empty() {
        return;
    }
    for resources in per_file.iter_mut() {
        if !resources
            .iter()
            .any(|(_, e)| of_type(e, "AWS::ApiGateway::Method"))
        {
            continue;
        }
        for (k, e) in &all {
            if !resources.iter().any(|(own, _)| own.name == k.name) {
                resources.push((k.clone(), e.clone()));
            }
        }
    }
}

/// Reads one resource instance.
struct R<'m> {
    ev: Ev<'m>,
    body: &'m Body,
}

impl<'m> R<'m> {
    fn new(module: &'m Module, inst: &'m Instance, block: &'m Block) -> Self {
        R {
            ev: Ev {
                module,
                file: inst.file,
                bindings: &inst.bindings,
            },
            body: &block.body,
        }
    }

    fn a(&self, name: &str) -> Option<Node> {
        attr(&self.ev, self.body, name)
    }

    fn sub(&self, name: &str) -> Option<&'m Body> {
        self.body
            .blocks()
            .find(|b| b.ident.value().as_str() == name)
            .map(|b| &b.body)
    }

    fn subs(&self, name: &str) -> Vec<&'m Body> {
        self.body
            .blocks()
            .filter(|b| b.ident.value().as_str() == name)
            .map(|b| &b.body)
            .collect()
    }

    fn ab(&self, body: &Body, name: &str) -> Option<Node> {
        attr(&self.ev, body, name)
    }

    /// A policy attribute: a JSON string (heredoc), a `jsonencode(…)` structure, or a
    /// `data.aws_iam_policy_document.x.json` reference.
    fn policy(&self, body: &Body, name: &str) -> Option<Node> {
        self.ab(body, name).map(|n| as_document(&n))
    }
}

fn attr(ev: &Ev, body: &Body, name: &str) -> Option<Node> {
    body.get_attribute(name).map(|a| ev.node(&a.value))
}

/// A policy given as text is parsed as JSON where it stands.
fn as_document(n: &Node) -> Node {
    match n.as_str() {
        Some(text) if text.trim_start().starts_with('{') => parse_json_at(text, n.line, n.column),
        Some(_) => unresolved("policy is not a JSON document", n.line, n.column),
        None => n.clone(),
    }
}

fn put(props: &mut Props, key: &str, node: Option<Node>) {
    if let Some(n) = node {
        props.push((key.to_string(), n));
    }
}

/// The synthetic ID a reference node designates (`Ref`, `Fn::GetAtt`, `${Id…}`).
fn target(n: &Node) -> Option<String> {
    if let Some(r) = n.get("Ref").and_then(Node::as_str) {
        return Some(r.to_string());
    }
    if let Some(g) = n.get("Fn::GetAtt") {
        return g.items().first().and_then(Node::as_str).map(str::to_string);
    }
    let s = n.as_str()?;
    let start = s.find("${TfR")? + 2;
    let end = s[start..].find(['.', '}'])? + start;
    Some(s[start..end].to_string())
}

/// A node's value without positions, to match Terraform resources that name the same thing.
fn text_of(n: &Option<Node>) -> String {
    match n {
        Some(n) => target(n)
            .or_else(|| n.as_str().map(str::to_string))
            .unwrap_or_default(),
        None => String::new(),
    }
}

fn fold(module: &Module) -> Folded {
    let mut f = Folded::default();
    for inst in &module.instances {
        let Some(block) = module.block(inst.file, inst.block) else {
            continue;
        };
        let r = R::new(module, inst, block);
        let (line, col) = r.ev.pos(block.span());
        let tgt = |name: &str| r.a(name).as_ref().and_then(target);
        match inst.tf_type.as_str() {
            "aws_s3_bucket_acl" => {
                if let (Some(b), Some(acl)) = (tgt("bucket"), r.a("acl")) {
                    f.props
                        .entry(b)
                        .or_default()
                        .push(("AccessControl".into(), canned_acl(acl)));
                }
            }
            "aws_s3_bucket_public_access_block" => {
                if let Some(b) = tgt("bucket") {
                    let mut p = Props::new();
                    for (tf, cfn) in [
                        ("block_public_acls", "BlockPublicAcls"),
                        ("ignore_public_acls", "IgnorePublicAcls"),
                        ("block_public_policy", "BlockPublicPolicy"),
                        ("restrict_public_buckets", "RestrictPublicBuckets"),
                    ] {
                        put(&mut p, cfn, r.a(tf));
                    }
                    f.props
                        .entry(b)
                        .or_default()
                        .push(("PublicAccessBlockConfiguration".into(), map(p, line, col)));
                }
            }
            "aws_s3_bucket_notification" => {
                if let Some(b) = tgt("bucket") {
                    let configs: Vec<Node> = r
                        .subs("lambda_function")
                        .into_iter()
                        .map(|body| {
                            let mut p = Props::new();
                            put(&mut p, "Function", r.ab(body, "lambda_function_arn"));
                            put(&mut p, "Event", r.ab(body, "events"));
                            map(p, line, col)
                        })
                        .collect();
                    f.props.entry(b).or_default().push((
                        "NotificationConfiguration".into(),
                        map(
                            vec![("LambdaConfigurations".into(), seq(configs, line, col))],
                            line,
                            col,
                        ),
                    ));
                }
            }
            "aws_iam_role_policy_attachment" => {
                if let (Some(role), Some(arn)) = (tgt("role"), r.a("policy_arn")) {
                    f.managed.entry(role).or_default().push(arn);
                }
            }
            "aws_iam_policy_attachment" => {
                if let (Some(roles), Some(arn)) = (r.a("roles"), r.a("policy_arn")) {
                    for role in roles.items().iter().filter_map(target) {
                        f.managed.entry(role).or_default().push(arn.clone());
                    }
                }
            }
            "aws_api_gateway_integration" => {
                let key = (
                    text_of(&r.a("rest_api_id")),
                    text_of(&r.a("resource_id")),
                    text_of(&r.a("http_method")),
                );
                let mut p = Props::new();
                put(&mut p, "Type", r.a("type"));
                put(&mut p, "Uri", r.a("uri"));
                put(
                    &mut p,
                    "IntegrationHttpMethod",
                    r.a("integration_http_method"),
                );
                f.integrations.insert(key, map(p, line, col));
            }
            "aws_api_gateway_rest_api_policy" => {
                if let (Some(api), Some(doc)) = (tgt("rest_api_id"), r.policy(r.body, "policy")) {
                    f.props.entry(api).or_default().push(("Policy".into(), doc));
                }
            }
            "aws_cloudwatch_event_target" => {
                if let (Some(rule), Some(arn)) = (tgt("rule"), r.a("arn")) {
                    f.event_targets.entry(rule).or_default().push(map(
                        vec![("Arn".into(), arn)],
                        line,
                        col,
                    ));
                }
            }
            "aws_lb_target_group_attachment" | "aws_alb_target_group_attachment" => {
                if let (Some(group), Some(id)) = (tgt("target_group_arn"), r.a("target_id")) {
                    f.lb_targets.entry(group).or_default().push(map(
                        vec![("Id".into(), id)],
                        line,
                        col,
                    ));
                }
            }
            "aws_api_gateway_method_settings" => {
                if let (Some(api), Some(s)) = (tgt("rest_api_id"), r.sub("settings")) {
                    let mut p = Props::new();
                    put(
                        &mut p,
                        "ThrottlingRateLimit",
                        r.ab(s, "throttling_rate_limit"),
                    );
                    put(
                        &mut p,
                        "ThrottlingBurstLimit",
                        r.ab(s, "throttling_burst_limit"),
                    );
                    put(&mut p, "LoggingLevel", r.ab(s, "logging_level"));
                    put(&mut p, "MetricsEnabled", r.ab(s, "metrics_enabled"));
                    p.push(("ResourcePath".into(), scalar("/*", line, col)));
                    p.push(("HttpMethod".into(), scalar("*", line, col)));
                    f.method_settings
                        .entry(api)
                        .or_default()
                        .push(map(p, line, col));
                }
            }
            _ => {}
        }
    }
    f
}

/// An API definition (`body`): `jsonencode({...})` is already a mapping; a string (from
/// `file("openapi.json")`, `templatefile(...)` or a heredoc) is parsed as JSON, then YAML, with
/// its nodes placed at the attribute. Unparsable text stays as it is (no routes from it).
fn parsed_body(n: Node) -> Node {
    let Some(text) = n.as_str() else {
        return n;
    };
    let parsed = crate::doc::parse_json(text)
        .ok()
        .flatten()
        .or_else(|| crate::doc::parse_yaml(text).ok().flatten());
    match parsed {
        Some(doc) if doc.is_map() => super::expr::moved(&doc, n.line, n.column),
        _ => n,
    }
}

/// A mapping built from a nested block, placed where its first value is written (so two
/// blocks of one file never share a location, which rules use to tell configurations apart).
fn placed(p: Props) -> Node {
    let (l, c) = p.first().map(|(_, v)| (v.line, v.column)).unwrap_or((1, 1));
    map(p, l, c)
}

/// Terraform's canned ACL names (`public-read`) in CloudFormation's spelling (`PublicRead`).
fn canned_acl(n: Node) -> Node {
    match n.as_str() {
        Some(s) => {
            let pascal: String = s
                .split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            scalar(pascal, n.line, n.column)
        }
        None => n,
    }
}

fn translate(r: &R, inst: &Instance, folded: &Folded) -> Option<(&'static str, Props)> {
    let mut p = Props::new();
    let ty = match inst.tf_type.as_str() {
        "aws_lambda_function" => {
            put(&mut p, "FunctionName", r.a("function_name"));
            put(&mut p, "Runtime", r.a("runtime"));
            put(&mut p, "Handler", r.a("handler"));
            put(&mut p, "PackageType", r.a("package_type"));
            put(&mut p, "Timeout", r.a("timeout"));
            put(&mut p, "MemorySize", r.a("memory_size"));
            // -1, Terraform's default, means "no reservation".
            put(
                &mut p,
                "ReservedConcurrentExecutions",
                r.a("reserved_concurrent_executions")
                    .filter(|n| n.as_str() != Some("-1")),
            );
            put(&mut p, "Role", r.a("role"));
            put(&mut p, "Layers", r.a("layers"));
            put(&mut p, "Architectures", r.a("architectures"));
            put(
                &mut p,
                "CodeSigningConfigArn",
                r.a("code_signing_config_arn"),
            );
            if let Some(code) = r.a("filename") {
                p.push(("Code".into(), code));
            } else if let Some(image) = r.a("image_uri") {
                let (l, c) = (image.line, image.column);
                p.push(("Code".into(), map(vec![("ImageUri".into(), image)], l, c)));
            }
            if let Some(env) = r.sub("environment")
                && let Some(vars) = r.ab(env, "variables")
            {
                p.push((
                    "Environment".into(),
                    placed(vec![("Variables".into(), vars)]),
                ));
            }
            if let Some(t) = r.sub("tracing_config").and_then(|b| r.ab(b, "mode")) {
                p.push(("TracingConfig".into(), placed(vec![("Mode".into(), t)])));
            }
            if let Some(t) = r
                .sub("dead_letter_config")
                .and_then(|b| r.ab(b, "target_arn"))
            {
                p.push((
                    "DeadLetterConfig".into(),
                    placed(vec![("TargetArn".into(), t)]),
                ));
            }
            if let Some(v) = r.sub("vpc_config") {
                let mut vp = Props::new();
                put(&mut vp, "SubnetIds", r.ab(v, "subnet_ids"));
                put(&mut vp, "SecurityGroupIds", r.ab(v, "security_group_ids"));
                p.push(("VpcConfig".into(), placed(vp)));
            }
            if let Some(l) = r.sub("logging_config").and_then(|b| r.ab(b, "log_group")) {
                p.push(("LoggingConfig".into(), placed(vec![("LogGroup".into(), l)])));
            }
            "AWS::Lambda::Function"
        }
        "aws_lambda_permission" => {
            put(&mut p, "Action", r.a("action"));
            put(&mut p, "FunctionName", r.a("function_name"));
            put(&mut p, "Principal", r.a("principal"));
            put(&mut p, "SourceArn", r.a("source_arn"));
            put(&mut p, "SourceAccount", r.a("source_account"));
            put(&mut p, "PrincipalOrgID", r.a("principal_org_id"));
            put(&mut p, "FunctionUrlAuthType", r.a("function_url_auth_type"));
            put(&mut p, "EventSourceToken", r.a("event_source_token"));
            "AWS::Lambda::Permission"
        }
        "aws_lambda_function_url" => {
            put(&mut p, "TargetFunctionArn", r.a("function_name"));
            put(&mut p, "AuthType", r.a("authorization_type"));
            if let Some(c) = r.sub("cors") {
                let mut cp = Props::new();
                put(&mut cp, "AllowOrigins", r.ab(c, "allow_origins"));
                put(&mut cp, "AllowCredentials", r.ab(c, "allow_credentials"));
                p.push(("Cors".into(), placed(cp)));
            }
            "AWS::Lambda::Url"
        }
        "aws_lambda_event_source_mapping" => {
            put(&mut p, "EventSourceArn", r.a("event_source_arn"));
            put(&mut p, "FunctionName", r.a("function_name"));
            "AWS::Lambda::EventSourceMapping"
        }
        "aws_lambda_function_event_invoke_config" => {
            put(&mut p, "FunctionName", r.a("function_name"));
            if let Some(d) = r.sub("destination_config") {
                let mut dp = Props::new();
                for (tf, cfn) in [("on_failure", "OnFailure"), ("on_success", "OnSuccess")] {
                    if let Some(dest) = d
                        .get_blocks(tf)
                        .next()
                        .and_then(|b| r.ab(&b.body, "destination"))
                    {
                        dp.push((cfn.into(), placed(vec![("Destination".into(), dest)])));
                    }
                }
                p.push(("DestinationConfig".into(), placed(dp)));
            }
            "AWS::Lambda::EventInvokeConfig"
        }
        "aws_lambda_code_signing_config" => "AWS::Lambda::CodeSigningConfig",
        "aws_lambda_alias" => {
            put(&mut p, "FunctionName", r.a("function_name"));
            put(&mut p, "Name", r.a("name"));
            "AWS::Lambda::Alias"
        }
        "aws_lambda_layer_version" => {
            put(&mut p, "LayerName", r.a("layer_name"));
            put(&mut p, "Content", r.a("filename"));
            "AWS::Lambda::LayerVersion"
        }
        "aws_iam_role" => {
            put(&mut p, "RoleName", r.a("name"));
            put(
                &mut p,
                "AssumeRolePolicyDocument",
                r.policy(r.body, "assume_role_policy"),
            );
            put(&mut p, "PermissionsBoundary", r.a("permissions_boundary"));
            let mut arns: Vec<Node> = match r.a("managed_policy_arns") {
                Some(n) if n.is_seq() => n.items().to_vec(),
                Some(n) => vec![n],
                None => Vec::new(),
            };
            arns.extend(folded.managed.get(&inst.syn).into_iter().flatten().cloned());
            if !arns.is_empty() {
                p.push(("ManagedPolicyArns".into(), seq(arns, 1, 1)));
            }
            let inline: Vec<Node> = r
                .subs("inline_policy")
                .into_iter()
                .filter_map(|b| {
                    let doc = r.policy(b, "policy")?;
                    let name = r
                        .ab(b, "name")
                        .unwrap_or_else(|| scalar("inline", doc.line, doc.column));
                    Some(map(
                        vec![("PolicyName".into(), name), ("PolicyDocument".into(), doc)],
                        1,
                        1,
                    ))
                })
                .collect();
            if !inline.is_empty() {
                p.push(("Policies".into(), seq(inline, 1, 1)));
            }
            "AWS::IAM::Role"
        }
        "aws_iam_role_policy" => {
            put(
                &mut p,
                "PolicyName",
                r.a("name")
                    .or_else(|| Some(scalar(inst.address.clone(), 1, 1))),
            );
            put(&mut p, "PolicyDocument", r.policy(r.body, "policy"));
            if let Some(role) = r.a("role") {
                let (l, c) = (role.line, role.column);
                p.push(("Roles".into(), seq(vec![role], l, c)));
            }
            "AWS::IAM::Policy"
        }
        "aws_iam_policy" => {
            put(&mut p, "ManagedPolicyName", r.a("name"));
            put(&mut p, "PolicyDocument", r.policy(r.body, "policy"));
            "AWS::IAM::ManagedPolicy"
        }
        "aws_cloudwatch_log_group" => {
            let name = r.a("name").map(|n| {
                if super::expr::is_unresolved(&n)
                    && let Some(f) = log_group_function(r, inst)
                {
                    scalar(format!("/aws/lambda/${{{f}}}"), n.line, n.column)
                } else {
                    n
                }
            });
            put(&mut p, "LogGroupName", name);
            // Terraform's default 0 means "never expire", as an absent value does.
            put(
                &mut p,
                "RetentionInDays",
                r.a("retention_in_days").filter(|n| n.as_str() != Some("0")),
            );
            "AWS::Logs::LogGroup"
        }
        "aws_api_gateway_rest_api" => {
            put(&mut p, "Name", r.a("name"));
            put(&mut p, "Policy", r.policy(r.body, "policy"));
            put(&mut p, "Body", r.a("body").map(parsed_body));
            if let Some(types) = r
                .sub("endpoint_configuration")
                .and_then(|b| r.ab(b, "types"))
            {
                p.push((
                    "EndpointConfiguration".into(),
                    placed(vec![("Types".into(), types)]),
                ));
            }
            "AWS::ApiGateway::RestApi"
        }
        "aws_api_gateway_resource" => {
            put(&mut p, "RestApiId", r.a("rest_api_id"));
            put(&mut p, "ParentId", r.a("parent_id"));
            put(&mut p, "PathPart", r.a("path_part"));
            "AWS::ApiGateway::Resource"
        }
        "aws_api_gateway_method" => {
            let api = r.a("rest_api_id");
            let res = r.a("resource_id");
            let method = r.a("http_method");
            let key = (text_of(&api), text_of(&res), text_of(&method));
            put(&mut p, "RestApiId", api);
            put(&mut p, "ResourceId", res);
            put(&mut p, "HttpMethod", method);
            put(&mut p, "AuthorizationType", r.a("authorization"));
            put(&mut p, "AuthorizerId", r.a("authorizer_id"));
            put(&mut p, "ApiKeyRequired", r.a("api_key_required"));
            put(
                &mut p,
                "Integration",
                folded.integrations.get(&key).cloned(),
            );
            "AWS::ApiGateway::Method"
        }
        "aws_api_gateway_authorizer" => {
            put(&mut p, "RestApiId", r.a("rest_api_id"));
            put(&mut p, "Name", r.a("name"));
            put(
                &mut p,
                "Type",
                r.a("type").or_else(|| Some(scalar("TOKEN", 1, 1))),
            );
            put(&mut p, "AuthorizerUri", r.a("authorizer_uri"));
            put(&mut p, "ProviderARNs", r.a("provider_arns"));
            "AWS::ApiGateway::Authorizer"
        }
        "aws_api_gateway_stage" => {
            let api = r.a("rest_api_id");
            let settings = api
                .as_ref()
                .and_then(target)
                .and_then(|a| folded.method_settings.get(&a));
            put(&mut p, "RestApiId", api);
            put(&mut p, "StageName", r.a("stage_name"));
            put(&mut p, "TracingEnabled", r.a("xray_tracing_enabled"));
            if let Some(d) = r
                .sub("access_log_settings")
                .and_then(|b| r.ab(b, "destination_arn"))
            {
                p.push((
                    "AccessLogSetting".into(),
                    placed(vec![("DestinationArn".into(), d)]),
                ));
            }
            if let Some(s) = settings {
                p.push(("MethodSettings".into(), seq(s.clone(), 1, 1)));
            }
            "AWS::ApiGateway::Stage"
        }
        "aws_api_gateway_usage_plan" => {
            let stages: Vec<Node> = r
                .subs("api_stages")
                .into_iter()
                .map(|b| {
                    let mut sp = Props::new();
                    put(&mut sp, "ApiId", r.ab(b, "api_id"));
                    put(&mut sp, "Stage", r.ab(b, "stage"));
                    placed(sp)
                })
                .collect();
            p.push(("ApiStages".into(), seq(stages, 1, 1)));
            "AWS::ApiGateway::UsagePlan"
        }
        "aws_apigatewayv2_api" => {
            put(&mut p, "Name", r.a("name"));
            put(&mut p, "ProtocolType", r.a("protocol_type"));
            put(&mut p, "Target", r.a("target"));
            put(&mut p, "RouteKey", r.a("route_key"));
            put(&mut p, "Body", r.a("body").map(parsed_body));
            if let Some(c) = r.sub("cors_configuration") {
                let mut cp = Props::new();
                put(&mut cp, "AllowOrigins", r.ab(c, "allow_origins"));
                put(&mut cp, "AllowCredentials", r.ab(c, "allow_credentials"));
                p.push(("CorsConfiguration".into(), placed(cp)));
            }
            "AWS::ApiGatewayV2::Api"
        }
        "aws_apigatewayv2_route" => {
            put(&mut p, "ApiId", r.a("api_id"));
            put(&mut p, "RouteKey", r.a("route_key"));
            put(&mut p, "AuthorizationType", r.a("authorization_type"));
            put(&mut p, "AuthorizerId", r.a("authorizer_id"));
            put(&mut p, "ApiKeyRequired", r.a("api_key_required"));
            put(&mut p, "Target", r.a("target"));
            "AWS::ApiGatewayV2::Route"
        }
        "aws_apigatewayv2_integration" => {
            put(&mut p, "ApiId", r.a("api_id"));
            put(&mut p, "IntegrationType", r.a("integration_type"));
            put(&mut p, "IntegrationUri", r.a("integration_uri"));
            "AWS::ApiGatewayV2::Integration"
        }
        "aws_apigatewayv2_authorizer" => {
            put(&mut p, "ApiId", r.a("api_id"));
            put(&mut p, "Name", r.a("name"));
            put(&mut p, "AuthorizerType", r.a("authorizer_type"));
            put(&mut p, "AuthorizerUri", r.a("authorizer_uri"));
            "AWS::ApiGatewayV2::Authorizer"
        }
        "aws_apigatewayv2_stage" => {
            put(&mut p, "ApiId", r.a("api_id"));
            put(&mut p, "StageName", r.a("name"));
            if let Some(d) = r.sub("default_route_settings") {
                let mut dp = Props::new();
                put(
                    &mut dp,
                    "ThrottlingRateLimit",
                    r.ab(d, "throttling_rate_limit"),
                );
                put(
                    &mut dp,
                    "ThrottlingBurstLimit",
                    r.ab(d, "throttling_burst_limit"),
                );
                p.push(("DefaultRouteSettings".into(), placed(dp)));
            }
            if let Some(d) = r
                .sub("access_log_settings")
                .and_then(|b| r.ab(b, "destination_arn"))
            {
                p.push((
                    "AccessLogSettings".into(),
                    placed(vec![("DestinationArn".into(), d)]),
                ));
            }
            "AWS::ApiGatewayV2::Stage"
        }
        "aws_s3_bucket" => {
            put(&mut p, "BucketName", r.a("bucket"));
            put(&mut p, "AccessControl", r.a("acl").map(canned_acl));
            "AWS::S3::Bucket"
        }
        "aws_s3_bucket_policy" => {
            put(&mut p, "Bucket", r.a("bucket"));
            put(&mut p, "PolicyDocument", r.policy(r.body, "policy"));
            "AWS::S3::BucketPolicy"
        }
        "aws_sns_topic" => {
            put(&mut p, "TopicName", r.a("name"));
            put(&mut p, "KmsMasterKeyId", r.a("kms_master_key_id"));
            "AWS::SNS::Topic"
        }
        "aws_sns_topic_policy" => {
            if let Some(arn) = r.a("arn") {
                let (l, c) = (arn.line, arn.column);
                p.push(("Topics".into(), seq(vec![arn], l, c)));
            }
            put(&mut p, "PolicyDocument", r.policy(r.body, "policy"));
            "AWS::SNS::TopicPolicy"
        }
        "aws_sns_topic_subscription" => {
            put(&mut p, "TopicArn", r.a("topic_arn"));
            put(&mut p, "Protocol", r.a("protocol"));
            put(&mut p, "Endpoint", r.a("endpoint"));
            "AWS::SNS::Subscription"
        }
        "aws_cloudwatch_event_rule" => {
            put(&mut p, "Name", r.a("name"));
            put(&mut p, "ScheduleExpression", r.a("schedule_expression"));
            put(&mut p, "EventPattern", r.a("event_pattern"));
            put(&mut p, "EventBusName", r.a("event_bus_name"));
            if let Some(t) = folded.event_targets.get(&inst.syn) {
                p.push(("Targets".into(), seq(t.clone(), 1, 1)));
            }
            "AWS::Events::Rule"
        }
        "aws_scheduler_schedule" => {
            put(&mut p, "ScheduleExpression", r.a("schedule_expression"));
            if let Some(arn) = r.sub("target").and_then(|t| r.ab(t, "arn")) {
                p.push(("Target".into(), placed(vec![("Arn".into(), arn)])));
            }
            "AWS::Scheduler::Schedule"
        }
        "aws_lb_target_group" | "aws_alb_target_group" => {
            put(&mut p, "TargetType", r.a("target_type"));
            if let Some(t) = folded.lb_targets.get(&inst.syn) {
                p.push(("Targets".into(), seq(t.clone(), 1, 1)));
            }
            "AWS::ElasticLoadBalancingV2::TargetGroup"
        }
        "aws_cloudwatch_log_subscription_filter" => {
            put(&mut p, "DestinationArn", r.a("destination_arn"));
            put(&mut p, "LogGroupName", r.a("log_group_name"));
            "AWS::Logs::SubscriptionFilter"
        }
        "aws_secretsmanager_secret_policy" => {
            put(&mut p, "SecretId", r.a("secret_arn"));
            put(&mut p, "ResourcePolicy", r.policy(r.body, "policy"));
            "AWS::SecretsManager::ResourcePolicy"
        }
        "aws_sqs_queue" => {
            put(&mut p, "QueueName", r.a("name"));
            "AWS::SQS::Queue"
        }
        "aws_sqs_queue_policy" => {
            if let Some(url) = r.a("queue_url") {
                let (l, c) = (url.line, url.column);
                p.push(("Queues".into(), seq(vec![url], l, c)));
            }
            put(&mut p, "PolicyDocument", r.policy(r.body, "policy"));
            "AWS::SQS::QueuePolicy"
        }
        "aws_dynamodb_table" => {
            put(&mut p, "TableName", r.a("name"));
            "AWS::DynamoDB::Table"
        }
        "aws_kinesis_stream" => {
            put(&mut p, "Name", r.a("name"));
            "AWS::Kinesis::Stream"
        }
        "aws_secretsmanager_secret" => {
            put(&mut p, "Name", r.a("name"));
            "AWS::SecretsManager::Secret"
        }
        "aws_kms_key" => {
            put(&mut p, "KeyPolicy", r.policy(r.body, "policy"));
            "AWS::KMS::Key"
        }
        "aws_ssm_parameter" => {
            put(&mut p, "Name", r.a("name"));
            "AWS::SSM::Parameter"
        }
        _ => return None,
    };
    Some((ty, p))
}

/// The source text of attribute `name` of a block.
fn raw<'m>(module: &'m Module, file: usize, body: &Body, name: &str) -> Option<&'m str> {
    let span = body.get_attribute(name)?.value.span()?;
    module.files.get(file)?.text.get(span)
}

/// The function a log group is for when its name cannot be evaluated but is written as
/// `"/aws/lambda/<same text as the function's function_name>"` (both built from an unknown
/// variable, say): the synthetic ID of that function.
fn log_group_function(r: &R, inst: &Instance) -> Option<String> {
    let module = r.ev.module;
    let text = raw(module, inst.file, r.body, "name")?;
    let rest = text.trim_matches('"').strip_prefix("/aws/lambda/")?;
    module
        .instances
        .iter()
        .filter(|i| i.tf_type == "aws_lambda_function" && i.scope == inst.scope)
        .find(|i| {
            module
                .block(i.file, i.block)
                .and_then(|b| raw(module, i.file, &b.body, "function_name"))
                .is_some_and(|t| t.trim_matches('"') == rest)
        })
        .map(|i| i.syn.clone())
}

/// A `data "aws_iam_policy_document"` block as an IAM policy document node: the statements of
/// `source_policy_documents`, then its own (`statement` blocks, and `dynamic "statement"`
/// blocks over a known collection), then `override_policy_documents`, whose statements replace
/// those with the same `sid` as Terraform does.
pub(crate) fn policy_document(module: &Module, (file, block): (usize, &Block)) -> Node {
    let bindings = super::expr::Bindings::new();
    let ev = Ev {
        module,
        file,
        bindings: &bindings,
    };
    let (line, col) = ev.pos(block.span());
    let mut statements = Vec::new();
    let sid = |n: &Node| n.get("Sid").and_then(Node::as_str).map(str::to_string);
    let merge = |statements: &mut Vec<Node>, list: Node, replace: bool| -> bool {
        if !list.is_seq() {
            return false;
        }
        for doc in list.items() {
            let doc = as_document(doc);
            let Some(st) = doc.get("Statement") else {
                return false;
            };
            let items: Vec<Node> = if st.is_seq() {
                st.items().to_vec()
            } else {
                vec![st.clone()]
            };
            for item in items {
                if replace && let Some(s) = sid(&item) {
                    statements.retain(|e| sid(e).as_deref() != Some(s.as_str()));
                }
                statements.push(item);
            }
        }
        true
    };
    for (name, replace) in [("source_policy_documents", false), ("source_json", false)] {
        if let Some(a) = attr(&ev, &block.body, name) {
            let list = if a.is_seq() {
                a
            } else {
                seq(vec![a], line, col)
            };
            if !merge(&mut statements, list, replace) {
                return unresolved(format!("{name} not known statically"), line, col);
            }
        }
    }
    for st in block.body.blocks() {
        match st.ident.value().as_str() {
            "statement" => statements.push(statement(&ev, &st.body, st.span())),
            "dynamic" if block_label_is(st, "statement") => {
                let Some(each) = st.body.get_attribute("for_each") else {
                    continue;
                };
                let iterator = st
                    .body
                    .get_attribute("iterator")
                    .and_then(|a| match &a.value {
                        hcl_edit::expr::Expression::Variable(v) => {
                            Some(v.value().as_str().to_string())
                        }
                        _ => None,
                    })
                    .unwrap_or_else(|| "statement".to_string());
                let coll = ev.node(&each.value);
                let pairs: Vec<(Node, Node)> = if coll.is_seq() {
                    coll.items()
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (scalar(i.to_string(), v.line, v.column), v.clone()))
                        .collect()
                } else if coll.is_map() && !super::expr::is_unresolved(&coll) {
                    coll.entries()
                        .iter()
                        .map(|(k, v)| (scalar(k.name.clone(), k.line, k.column), v.clone()))
                        .collect()
                } else {
                    return unresolved("dynamic statements over an unknown collection", line, col);
                };
                let Some(content) = st
                    .body
                    .blocks()
                    .find(|b| b.ident.value().as_str() == "content")
                else {
                    continue;
                };
                for (k, v) in pairs.into_iter().take(256) {
                    let mut b = super::expr::Bindings::new();
                    let (l, c) = (v.line, v.column);
                    b.insert(
                        iterator.clone(),
                        map(vec![("key".into(), k), ("value".into(), v)], l, c),
                    );
                    let dev = Ev {
                        module,
                        file,
                        bindings: &b,
                    };
                    statements.push(statement(&dev, &content.body, content.span()));
                }
            }
            _ => {}
        }
    }
    for (name, replace) in [("override_policy_documents", true), ("override_json", true)] {
        if let Some(a) = attr(&ev, &block.body, name) {
            let list = if a.is_seq() {
                a
            } else {
                seq(vec![a], line, col)
            };
            if !merge(&mut statements, list, replace) {
                return unresolved(format!("{name} not known statically"), line, col);
            }
        }
    }
    map(
        vec![
            ("Version".into(), scalar("2012-10-17", line, col)),
            ("Statement".into(), seq(statements, line, col)),
        ],
        line,
        col,
    )
}

fn block_label_is(b: &Block, label: &str) -> bool {
    b.labels.first().is_some_and(|l| l.as_str() == label)
}

/// One `statement` block (or the `content` of a dynamic one) as an IAM statement node.
fn statement(ev: &Ev, b: &Body, span: Option<std::ops::Range<usize>>) -> Node {
    let (sl, sc) = ev.pos(span);
    let mut p = Props::new();
    put(&mut p, "Sid", attr(ev, b, "sid"));
    p.push((
        "Effect".into(),
        attr(ev, b, "effect").unwrap_or_else(|| scalar("Allow", sl, sc)),
    ));
    put(&mut p, "Action", attr(ev, b, "actions"));
    put(&mut p, "NotAction", attr(ev, b, "not_actions"));
    put(&mut p, "Resource", attr(ev, b, "resources"));
    put(&mut p, "NotResource", attr(ev, b, "not_resources"));
    for (tf, cfn) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let mut pr = Props::new();
        for pb in b.get_blocks(tf) {
            let (Some(t), Some(ids)) = (
                attr(ev, &pb.body, "type"),
                attr(ev, &pb.body, "identifiers"),
            ) else {
                continue;
            };
            let t = t.as_str().unwrap_or("AWS").to_string();
            // `type = "*"` with `identifiers = ["*"]` is everyone.
            let t = if t == "*" { "AWS".to_string() } else { t };
            pr.push((t, ids));
        }
        if !pr.is_empty() {
            p.push((cfn.into(), map(pr, sl, sc)));
        }
    }
    let mut cond: Vec<(String, Props)> = Vec::new();
    for cb in b.get_blocks("condition") {
        let (Some(test), Some(var), Some(values)) = (
            attr(ev, &cb.body, "test"),
            attr(ev, &cb.body, "variable"),
            attr(ev, &cb.body, "values"),
        ) else {
            continue;
        };
        let (Some(test), Some(var)) = (test.as_str(), var.as_str()) else {
            cond.push((
                "?".into(),
                vec![("?".into(), unresolved("condition", sl, sc))],
            ));
            continue;
        };
        match cond.iter_mut().find(|(t, _)| t == test) {
            Some((_, keys)) => keys.push((var.to_string(), values)),
            None => cond.push((test.to_string(), vec![(var.to_string(), values)])),
        }
    }
    if !cond.is_empty() {
        let c = cond
            .into_iter()
            .map(|(t, keys)| (t, map(keys, sl, sc)))
            .collect();
        p.push(("Condition".into(), map(c, sl, sc)));
    }
    map(p, sl, sc)
}
