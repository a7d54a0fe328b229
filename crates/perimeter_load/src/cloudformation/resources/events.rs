//! Event routers that target functions: EventBridge rules (schedules and event patterns),
//! EventBridge Scheduler schedules, IoT topic rules, Cognito user pool triggers, CloudWatch
//! Logs subscription filters, load balancer target groups, CloudFront (Lambda@Edge)
//! associations and AppSync Lambda data sources.

use super::{Entry, Linker, source_attr, trigger};
use crate::doc::Node;
use perimeter_model::{App, Attr, HttpRoute, TriggerKind};

pub(crate) fn link(app: &mut App, linker: &Linker, e: &Entry) {
    let ctx = linker.ctx;
    let own = || Some(Attr::explicit(e.id.to_string(), e.loc(ctx)));
    match e.type_name {
        "AWS::Events::Rule" => {
            let kind = if e.prop("ScheduleExpression").is_some() {
                TriggerKind::Schedule
            } else {
                TriggerKind::EventBridge
            };
            for target in e.prop("Targets").map(Node::items).unwrap_or_default() {
                let Some(f) = target.get("Arn").and_then(|a| linker.function_of(app, a)) else {
                    continue;
                };
                let mut t = trigger(e.id, kind, e.type_name, ctx.loc(target));
                t.source = own();
                linker.add_trigger(app, &f, t);
            }
        }
        "AWS::Scheduler::Schedule" => {
            let Some(f) = e
                .prop("Target")
                .and_then(|t| t.get("Arn"))
                .and_then(|a| linker.function_of(app, a))
            else {
                return;
            };
            let mut t = trigger(e.id, TriggerKind::Schedule, e.type_name, e.loc(ctx));
            t.source = own();
            linker.add_trigger(app, &f, t);
        }
        "AWS::IoT::TopicRule" => {
            let actions = e.prop("TopicRulePayload").and_then(|p| p.get("Actions"));
            for a in actions.map(Node::items).unwrap_or_default() {
                let Some(f) = a
                    .get("Lambda")
                    .and_then(|l| l.get("FunctionArn"))
                    .and_then(|n| linker.function_of(app, n))
                else {
                    continue;
                };
                let mut t = trigger(e.id, TriggerKind::IoT, e.type_name, ctx.loc(a));
                t.source = own();
                linker.add_trigger(app, &f, t);
            }
        }
        "AWS::Cognito::UserPool" => {
            // One trigger per function and pool, however many hooks it serves.
            let mut seen: Vec<String> = Vec::new();
            for (_, v) in e
                .prop("LambdaConfig")
                .map(Node::entries)
                .unwrap_or_default()
            {
                let target = if v.is_map() && v.get("LambdaArn").is_some() {
                    v.get("LambdaArn")
                } else {
                    Some(v)
                };
                let Some(f) = target.and_then(|n| linker.function_of(app, n)) else {
                    continue;
                };
                if seen.contains(&f) {
                    continue;
                }
                seen.push(f.clone());
                let mut t = trigger(e.id, TriggerKind::Cognito, e.type_name, ctx.loc(v));
                t.source = own();
                linker.add_trigger(app, &f, t);
            }
        }
        "AWS::Logs::SubscriptionFilter" => {
            let Some(f) = e
                .prop("DestinationArn")
                .and_then(|a| linker.function_of(app, a))
            else {
                return;
            };
            let mut t = trigger(e.id, TriggerKind::CloudWatchLogs, e.type_name, e.loc(ctx));
            t.source = e.prop("LogGroupName").map(|n| source_attr(ctx, n));
            linker.add_trigger(app, &f, t);
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let is_lambda = e
                .prop("TargetType")
                .and_then(|t| ctx.string(t).known().cloned())
                .is_some_and(|t| t.eq_ignore_ascii_case("lambda"));
            if !is_lambda {
                return;
            }
            for target in e.prop("Targets").map(Node::items).unwrap_or_default() {
                let Some(f) = target.get("Id").and_then(|n| linker.function_of(app, n)) else {
                    continue;
                };
                let loc = ctx.loc(target);
                let mut t = trigger(e.id, TriggerKind::Alb, e.type_name, loc.clone());
                t.source = own();
                // Whether a listener authenticates (authenticate-oidc / -cognito actions) is
                // decided by listener rules elsewhere: not known from the target group.
                t.http = Some(HttpRoute {
                    api: None,
                    method: "ANY".to_string(),
                    path: "/".to_string(),
                    auth: Attr::unresolved(
                        "decided by the load balancer's listener rules",
                        loc.clone(),
                    ),
                    api_key_required: Attr::defaulted(false, loc.clone()),
                    private: Attr::unresolved("internal or internet-facing load balancer", loc),
                    cors: None,
                });
                linker.add_trigger(app, &f, t);
            }
        }
        "AWS::CloudFront::Distribution" => {
            let Some(config) = e.prop("DistributionConfig") else {
                return;
            };
            let behaviors = config.get("DefaultCacheBehavior").into_iter().chain(
                config
                    .get("CacheBehaviors")
                    .map(Node::items)
                    .unwrap_or_default(),
            );
            let mut seen: Vec<String> = Vec::new();
            for b in behaviors {
                let associations = b
                    .get("LambdaFunctionAssociations")
                    .map(Node::items)
                    .unwrap_or_default();
                for a in associations {
                    let Some(f) = a
                        .get("LambdaFunctionARN")
                        .and_then(|n| linker.function_of(app, n))
                    else {
                        continue;
                    };
                    if seen.contains(&f) {
                        continue;
                    }
                    seen.push(f.clone());
                    let mut t = trigger(e.id, TriggerKind::CloudFront, e.type_name, ctx.loc(a));
                    t.source = own();
                    linker.add_trigger(app, &f, t);
                }
            }
        }
        "AWS::AppSync::DataSource" => {
            let Some(f) = e
                .prop("LambdaConfig")
                .and_then(|l| l.get("LambdaFunctionArn"))
                .and_then(|n| linker.function_of(app, n))
            else {
                return;
            };
            let mut t = trigger(e.id, TriggerKind::Other, e.type_name, e.loc(ctx));
            t.source = e.prop("ApiId").map(|n| source_attr(ctx, n));
            linker.add_trigger(app, &f, t);
        }
        _ => {}
    }
}
