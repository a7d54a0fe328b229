//! A light look at an event's envelope: is it an HTTP-shaped event (API Gateway REST/HTTP/WebSocket, ALB,
//! function URL), which answer shape does its integration expect, and who sent it (source IP, principal).
//!
//! Only the few fields needed are deserialized; everything else is skipped by serde without allocation.
//! An event that is not a JSON object simply has no envelope.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

/// Longest principal/IP key kept by the wallet guard.
const MAX_KEY_LEN: usize = 256;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    request_context: Option<RequestContext>,
    http_method: Option<IgnoredAny>,
    route_key: Option<IgnoredAny>,
    multi_value_headers: Option<IgnoredAny>,
    headers: Option<HashMap<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestContext {
    identity: Option<Identity>,
    http: Option<HttpCtx>,
    authorizer: Option<Value>,
    elb: Option<IgnoredAny>,
    connection_id: Option<IgnoredAny>,
    http_method: Option<IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    source_ip: Option<String>,
    user_arn: Option<String>,
    cognito_identity_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HttpCtx {
    source_ip: Option<String>,
}

/// The answer shape an HTTP integration expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpShape {
    /// API Gateway (REST, HTTP, WebSocket) and function URLs: `statusCode`, `headers`, `body`.
    ApiGateway,
    /// ALB: also `statusDescription`; `multiValueHeaders` when the target group enabled them.
    Alb { multi_value: bool },
}

/// What the extension needs to know about one event.
#[derive(Debug, Default, Clone)]
pub struct Probe {
    pub http: Option<HttpShape>,
    /// `ip:…` and `principal:…` keys for the wallet guard.
    pub callers: Vec<String>,
}

impl Probe {
    pub fn of(event: &[u8]) -> Probe {
        let Ok(env) = serde_json::from_slice::<Envelope>(event) else {
            return Probe::default();
        };
        let mut probe = Probe::default();
        let rc = env.request_context.as_ref();
        if rc.is_some_and(|rc| rc.elb.is_some()) {
            probe.http = Some(HttpShape::Alb {
                multi_value: env.multi_value_headers.is_some(),
            });
        } else if env.http_method.is_some()
            || env.route_key.is_some()
            || rc.is_some_and(|rc| {
                rc.http.is_some() || rc.connection_id.is_some() || rc.http_method.is_some()
            })
        {
            probe.http = Some(HttpShape::ApiGateway);
        }
        if let Some(rc) = rc {
            if let Some(id) = &rc.identity {
                push(&mut probe.callers, "ip", id.source_ip.as_deref());
                push(&mut probe.callers, "principal", id.user_arn.as_deref());
                push(
                    &mut probe.callers,
                    "principal",
                    id.cognito_identity_id.as_deref(),
                );
            }
            if let Some(h) = &rc.http {
                push(&mut probe.callers, "ip", h.source_ip.as_deref());
            }
            if let Some(a) = &rc.authorizer {
                for ptr in [
                    "/principalId",
                    "/lambda/principalId",
                    "/jwt/claims/sub",
                    "/claims/sub",
                    "/iam/userArn",
                ] {
                    push(
                        &mut probe.callers,
                        "principal",
                        a.pointer(ptr).and_then(Value::as_str),
                    );
                }
            }
            if rc.elb.is_some() {
                // ALB: the client is the first X-Forwarded-For hop.
                let xff = env.headers.as_ref().and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-forwarded-for"))
                        .and_then(|(_, v)| v.as_str())
                });
                let first = xff.and_then(|v| v.split(',').next()).map(str::trim);
                push(&mut probe.callers, "ip", first);
            }
        }
        probe.callers.sort();
        probe.callers.dedup();
        probe
    }
}

fn push(out: &mut Vec<String>, kind: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        let v: String = v.chars().take(MAX_KEY_LEN).collect();
        out.push(format!("{kind}:{v}"));
    }
}

/// The body of the 403 answer posted for a blocked HTTP event.
pub fn forbidden_response(shape: HttpShape, request_id: &str) -> Vec<u8> {
    let body = serde_json::json!({"message": "Forbidden", "requestId": request_id}).to_string();
    let v = match shape {
        HttpShape::ApiGateway => serde_json::json!({
            "statusCode": 403,
            "headers": {"content-type": "application/json"},
            "isBase64Encoded": false,
            "body": body,
        }),
        HttpShape::Alb { multi_value: false } => serde_json::json!({
            "statusCode": 403,
            "statusDescription": "403 Forbidden",
            "headers": {"content-type": "application/json"},
            "isBase64Encoded": false,
            "body": body,
        }),
        HttpShape::Alb { multi_value: true } => serde_json::json!({
            "statusCode": 403,
            "statusDescription": "403 Forbidden",
            "multiValueHeaders": {"content-type": ["application/json"]},
            "isBase64Encoded": false,
            "body": body,
        }),
    };
    v.to_string().into_bytes()
}

/// The error type posted for a blocked non-HTTP event (visible to the invoker, DLQs and destinations).
pub const BLOCKED_ERROR_TYPE: &str = "PerimeterShield.EventBlocked";

/// The body of the invocation error posted for a blocked non-HTTP event.
pub fn blocked_error(request_id: &str) -> Vec<u8> {
    serde_json::json!({
        "errorMessage": format!("event rejected by perimeter-shield (request {request_id})"),
        "errorType": BLOCKED_ERROR_TYPE,
        "stackTrace": [],
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_api_event() {
        let e = br#"{"resource":"/","httpMethod":"GET","multiValueHeaders":{},"requestContext":{"identity":{"sourceIp":"198.51.100.7"},"authorizer":{"principalId":"alice"}}}"#;
        let p = Probe::of(e);
        assert_eq!(p.http, Some(HttpShape::ApiGateway));
        assert_eq!(p.callers, vec!["ip:198.51.100.7", "principal:alice"]);
    }

    #[test]
    fn http_api_and_alb_and_sqs() {
        let e = br#"{"version":"2.0","routeKey":"$default","requestContext":{"http":{"sourceIp":"203.0.113.9"},"authorizer":{"jwt":{"claims":{"sub":"u-1"}}}}}"#;
        let p = Probe::of(e);
        assert_eq!(p.http, Some(HttpShape::ApiGateway));
        assert_eq!(p.callers, vec!["ip:203.0.113.9", "principal:u-1"]);

        let e = br#"{"requestContext":{"elb":{"targetGroupArn":"x"}},"multiValueHeaders":{"x-forwarded-for":["1.2.3.4"]},"httpMethod":"GET"}"#;
        assert_eq!(
            Probe::of(e).http,
            Some(HttpShape::Alb { multi_value: true })
        );
        let e =
            br#"{"requestContext":{"elb":{}},"headers":{"X-Forwarded-For":"1.2.3.4, 10.0.0.1"}}"#;
        assert_eq!(Probe::of(e).callers, vec!["ip:1.2.3.4"]);

        let e = br#"{"Records":[{"eventSource":"aws:sqs","body":"x"}]}"#;
        assert!(Probe::of(e).http.is_none());
        assert!(Probe::of(b"\"just a string\"").http.is_none());
        assert!(Probe::of(b"not json").callers.is_empty());
    }

    #[test]
    fn forbidden_is_valid_json() {
        let v: Value =
            serde_json::from_slice(&forbidden_response(HttpShape::ApiGateway, "r1")).unwrap();
        assert_eq!(v["statusCode"], 403);
        let v: Value = serde_json::from_slice(&forbidden_response(
            HttpShape::Alb { multi_value: true },
            "r1",
        ))
        .unwrap();
        assert_eq!(
            v["multiValueHeaders"]["content-type"][0],
            "application/json"
        );
    }
}
