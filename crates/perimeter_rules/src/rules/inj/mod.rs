//! INJ rules: event data reaching dangerous sinks in handler code.
//!
//! The code stage (`perimeter_code::taint`) records each flow from a function's event to a
//! sink as a [`TaintFlow`] in `function.code.flows`; each INJ rule reports the flows of one
//! [`SinkKind`] (the mapping is [`SinkKind::rule_code`]), at the sink, naming who can choose
//! the data: the function's entry points, from [`crate::exposure`]. A public entry point (an
//! unauthenticated route, a bucket anyone can write to) raises the finding to critical; a
//! function only invoked by a schedule (fixed input) lowers it to medium.

use crate::exposure::{EntryPoint, function_exposure, function_label};
use crate::{Finding, Rule, RuleMeta, Severity};
use perimeter_model::{App, Function, SinkKind, TaintFlow, TriggerKind};

mod code_injection;
mod nosql_injection;
mod os_command_injection;
mod path_traversal;
mod sql_injection;
mod ssrf;
mod unsafe_deserialization;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &os_command_injection::OsCommandInjection,
        &code_injection::CodeInjection,
        &unsafe_deserialization::UnsafeDeserialization,
        &sql_injection::SqlInjection,
        &nosql_injection::NosqlInjection,
        &path_traversal::PathTraversal,
        &ssrf::Ssrf,
    ]
}

/// Related locations kept per finding (the steps of a long path are summarized).
const MAX_RELATED: usize = 16;

/// Reports every flow of `kind` in `app`'s functions. `what` names the consequence
/// (`runs as a shell command`).
pub(crate) fn check_flows(
    meta: &'static RuleMeta,
    kind: SinkKind,
    what: &str,
    remediation: &'static str,
    app: &App,
    out: &mut Vec<Finding>,
) {
    debug_assert_eq!(kind.rule_code(), meta.code);
    for function in &app.functions {
        let Some(code) = &function.code else {
            continue;
        };
        let flows: Vec<&TaintFlow> = code.flows.iter().filter(|f| f.kind == kind).collect();
        if flows.is_empty() {
            continue;
        }
        let exposure = function_exposure(app, function);
        let public = exposure.is_public();
        let fed_by = fed_by(function, &exposure.entry_points);
        let scheduled_only = !exposure.entry_points.is_empty()
            && exposure
                .entry_points
                .iter()
                .all(|e| e.kind == TriggerKind::Schedule);
        for flow in flows {
            let message = format!(
                "Function `{}` passes event data `{}` to `{}` ({} {}): {what}. It is fed by {fed_by}.",
                function_label(function),
                flow.source,
                flow.sink,
                flow.location.file,
                flow.location.line,
            );
            let key = format!(
                "{}\u{0}{}\u{0}{}",
                flow.sink, flow.location.file, flow.source
            );
            let mut finding = Finding::new(
                meta,
                &app.id,
                Some(&function.id),
                &function.id,
                &key,
                message,
                flow.location.clone(),
                remediation,
            );
            for step in steps_to_show(flow) {
                finding = finding.with_related(step.note.clone(), step.location.clone());
            }
            for entry in exposure.entry_points.iter().take(4) {
                finding = finding.with_related(
                    format!("event source: {}", entry.description),
                    entry.location.clone(),
                );
            }
            if public {
                finding = finding.with_severity(Severity::Critical);
            } else if scheduled_only {
                // Only the schedule's fixed input reaches the function.
                finding = finding.with_severity(Severity::Medium);
            }
            out.push(finding);
        }
    }
}

/// The steps as related locations: all but the last (the sink is the finding's own
/// location), the first and last few of a long path.
fn steps_to_show(flow: &TaintFlow) -> Vec<&perimeter_model::FlowStep> {
    let steps: Vec<_> = flow
        .steps
        .iter()
        .take(flow.steps.len().saturating_sub(1))
        .collect();
    if steps.len() <= MAX_RELATED {
        return steps;
    }
    let half = MAX_RELATED / 2;
    let mut kept: Vec<_> = steps[..half].to_vec();
    kept.extend_from_slice(&steps[steps.len() - half..]);
    kept
}

/// Who chooses the event data: one phrase per entry point, worst first.
fn fed_by(function: &Function, entries: &[EntryPoint]) -> String {
    if entries.is_empty() {
        return "whatever its invokers send (no trigger is declared: anyone allowed to invoke it chooses the event)".to_string();
    }
    let mut parts: Vec<(bool, String)> = entries
        .iter()
        .map(|e| {
            let trigger = e.declared_trigger(function);
            let source = trigger
                .and_then(|t| t.source.as_ref())
                .and_then(|s| s.as_str())
                .map(str::to_string)
                .or_else(|| e.source.clone())
                .unwrap_or_else(|| "?".to_string());
            let who = match e.kind {
                TriggerKind::Api
                | TriggerKind::HttpApi
                | TriggerKind::WebSocket
                | TriggerKind::FunctionUrl
                | TriggerKind::Alb
                | TriggerKind::CloudFront => {
                    if e.public {
                        format!("HTTP requests on {} — public: anyone on the internet chooses them", e.description)
                    } else {
                        format!("HTTP requests on {}: any authenticated caller chooses them", e.description)
                    }
                }
                TriggerKind::S3 => format!(
                    "S3 object keys from {}: anyone who can write to bucket {source} chooses them",
                    e.description
                ),
                TriggerKind::Sqs => format!(
                    "SQS message bodies from {}: anyone who can send to queue {source} chooses them",
                    e.description
                ),
                TriggerKind::Sns => format!(
                    "SNS messages from {}: anyone who can publish to topic {source} chooses them",
                    e.description
                ),
                TriggerKind::DynamoDb => format!(
                    "DynamoDB stream records from {}: anyone who can write to table {source} chooses them",
                    e.description
                ),
                TriggerKind::Kinesis | TriggerKind::Msk | TriggerKind::Kafka | TriggerKind::Mq => {
                    format!(
                        "stream records from {}: any producer to {source} chooses them",
                        e.description
                    )
                }
                TriggerKind::Schedule => format!(
                    "scheduled events from {} (fixed input: only who can edit the schedule chooses it)",
                    e.description
                ),
                _ => format!("events from {}", e.description),
            };
            (e.public, who)
        })
        .collect();
    parts.sort_by_key(|(public, _)| !*public);
    parts.dedup_by(|a, b| a.1 == b.1);
    parts
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join("; ")
}
