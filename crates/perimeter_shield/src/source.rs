//! Event sources: recognizing which AWS service sent an event, and which of its fields an
//! attacker controls. Fields AWS fills itself (ARNs, request IDs, source IPs, timestamps)
//! are never inspected: they cannot carry a payload and only add false positives.

use crate::decode;
use crate::json::Json;
use crate::walk::Walker;
use std::borrow::Cow;

type Members<'j, 'a> = &'j [(Cow<'a, str>, Json<'a>)];

/// A recognized event source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    ApiGatewayRest,
    ApiGatewayHttp,
    WebSocket,
    Alb,
    FunctionUrl,
    Authorizer,
    VpcLattice,
    S3,
    Sqs,
    Sns,
    EventBridge,
    DynamoDb,
    Kinesis,
    Firehose,
    Kafka,
    Mq,
    CloudWatchLogs,
    Cognito,
    AppSync,
    Iot,
    Generic,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::ApiGatewayRest => "apigateway-rest",
            Source::ApiGatewayHttp => "apigateway-http",
            Source::WebSocket => "apigateway-websocket",
            Source::Alb => "alb",
            Source::FunctionUrl => "function-url",
            Source::Authorizer => "apigateway-authorizer",
            Source::VpcLattice => "vpc-lattice",
            Source::S3 => "s3",
            Source::Sqs => "sqs",
            Source::Sns => "sns",
            Source::EventBridge => "eventbridge",
            Source::DynamoDb => "dynamodb",
            Source::Kinesis => "kinesis",
            Source::Firehose => "firehose",
            Source::Kafka => "kafka",
            Source::Mq => "mq",
            Source::CloudWatchLogs => "cloudwatch-logs",
            Source::Cognito => "cognito",
            Source::AppSync => "appsync",
            Source::Iot => "iot",
            Source::Generic => "generic",
        }
    }
}

fn s<'a>(v: &'a Json<'_>, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Json::as_str)
}

/// Recognizes the source from the event's shape.
pub(crate) fn recognize(v: &Json<'_>) -> Source {
    if !v.is_object() {
        return Source::Generic;
    }
    if let Some(first) = v.get("Records").and_then(|r| r.at(0)) {
        let es = s(first, "eventSource")
            .or_else(|| s(first, "EventSource"))
            .unwrap_or("");
        return match es {
            "aws:s3" => Source::S3,
            "aws:sqs" => Source::Sqs,
            "aws:sns" => Source::Sns,
            "aws:dynamodb" => Source::DynamoDb,
            "aws:kinesis" => Source::Kinesis,
            _ if first.get("s3").is_some() => Source::S3,
            _ if first.get("Sns").is_some() => Source::Sns,
            _ if first.get("dynamodb").is_some() => Source::DynamoDb,
            _ if first.get("kinesis").is_some() => Source::Kinesis,
            _ => Source::Generic,
        };
    }
    if v.pointer("/awslogs/data").is_some() {
        return Source::CloudWatchLogs;
    }
    match s(v, "eventSource") {
        Some("aws:kafka" | "SelfManagedKafka") => return Source::Kafka,
        Some("aws:mq" | "aws:rmq" | "aws:amq") => return Source::Mq,
        _ => {}
    }
    if v.has("deliveryStreamArn") && v.has("records") {
        return Source::Firehose;
    }
    if v.has("detail-type") && v.has("detail") {
        return Source::EventBridge;
    }
    if v.has("triggerSource") && v.has("userPoolId") {
        return Source::Cognito;
    }
    if let Some(rc) = v.get("requestContext") {
        if rc.get("elb").is_some() {
            return Source::Alb;
        }
        if rc.get("connectionId").is_some() || rc.get("eventType").is_some() {
            return Source::WebSocket;
        }
        if s(v, "version") == Some("2.0") || rc.get("http").is_some() {
            let domain = s(rc, "domainName").unwrap_or("");
            return if domain.contains(".lambda-url.") {
                Source::FunctionUrl
            } else {
                Source::ApiGatewayHttp
            };
        }
    }
    if v.has("methodArn") || v.has("routeArn") {
        return Source::Authorizer;
    }
    if v.has("rawPath") {
        return Source::FunctionUrl;
    }
    if v.has("httpMethod") || v.has("resource") {
        return Source::ApiGatewayRest;
    }
    if v.has("raw_path") || (v.has("method") && v.has("query_string_parameters")) {
        return Source::VpcLattice;
    }
    if v.has("fieldName") && v.has("arguments") || v.has("info") && v.has("arguments") {
        return Source::AppSync;
    }
    if v.has("protocolData") || v.has("clickType") || v.has("deviceEvent") {
        return Source::Iot;
    }
    Source::Generic
}

/// Walks the attacker-controlled fields of `v` for `source`.
pub(crate) fn walk(source: Source, v: &Json<'_>, w: &mut Walker<'_>) {
    match source {
        Source::ApiGatewayRest
        | Source::ApiGatewayHttp
        | Source::WebSocket
        | Source::Alb
        | Source::FunctionUrl
        | Source::Authorizer
        | Source::VpcLattice => http(v, w),
        Source::S3 => records(v, w, "Records", |r, w| {
            if let Some(key) = r.pointer("/s3/object/key").and_then(Json::as_str) {
                // S3 notifications URL-encode keys, with '+' for spaces.
                let decoded = decode::form_component(key);
                w.key("s3", |w| {
                    w.key("object", |w| w.key("key", |w| w.scan(&decoded)))
                });
            }
        }),
        Source::Sqs => records(v, w, "Records", |r, w| {
            if let Some(body) = r.get("body") {
                w.key("body", |w| w.body(body, false, None));
            }
            if let Some(attrs) = r.get("messageAttributes").and_then(Json::as_object) {
                w.key("messageAttributes", |w| attributes(attrs, "stringValue", w));
            }
        }),
        Source::Sns => records(v, w, "Records", |r, w| {
            let Some(sns) = r.get("Sns") else { return };
            w.key("Sns", |w| {
                for field in ["Subject", "Message"] {
                    if let Some(t) = sns.get(field) {
                        w.key(field, |w| w.body(t, false, None));
                    }
                }
                if let Some(attrs) = sns.get("MessageAttributes").and_then(Json::as_object) {
                    w.key("MessageAttributes", |w| attributes(attrs, "Value", w));
                }
            });
        }),
        Source::EventBridge => {
            if let Some(d) = v.get("detail") {
                w.key("detail", |w| w.walk_value(d, 1));
            }
        }
        Source::DynamoDb => records(v, w, "Records", |r, w| {
            if let Some(img) = r.pointer("/dynamodb/NewImage") {
                w.key("dynamodb", |w| w.key("NewImage", |w| w.walk_value(img, 1)));
            }
        }),
        Source::Kinesis => records(v, w, "Records", |r, w| {
            if let Some(d) = r.pointer("/kinesis/data") {
                w.key("kinesis", |w| w.key("data", |w| w.body(d, true, None)));
            }
        }),
        Source::Firehose => records(v, w, "records", |r, w| {
            if let Some(d) = r.get("data") {
                w.key("data", |w| w.body(d, true, None));
            }
        }),
        Source::Kafka => {
            if let Some(topics) = v.get("records").and_then(Json::as_object) {
                w.key("records", |w| {
                    for (topic, recs) in topics {
                        w.key(topic, |w| {
                            for (i, r) in recs.as_array().into_iter().flatten().enumerate() {
                                w.index(i, |w| {
                                    for f in ["key", "value"] {
                                        if let Some(d) = r.get(f) {
                                            w.key(f, |w| w.body(d, true, None));
                                        }
                                    }
                                });
                            }
                        });
                    }
                });
            }
        }
        Source::Mq => {
            records(v, w, "messages", |r, w| {
                if let Some(d) = r.get("data") {
                    w.key("data", |w| w.body(d, true, None));
                }
            });
            if let Some(queues) = v.get("rmqMessagesByQueue").and_then(Json::as_object) {
                w.key("rmqMessagesByQueue", |w| {
                    for (q, msgs) in queues {
                        w.key(q, |w| {
                            for (i, m) in msgs.as_array().into_iter().flatten().enumerate() {
                                if let Some(d) = m.get("data") {
                                    w.index(i, |w| w.key("data", |w| w.body(d, true, None)));
                                }
                            }
                        });
                    }
                });
            }
        }
        Source::CloudWatchLogs => cloudwatch_logs(v, w),
        Source::Cognito => {
            if let Some(u) = v.get("userName") {
                w.key("userName", |w| w.walk_value(u, 1));
            }
            if let Some(req) = v.get("request") {
                w.key("request", |w| {
                    for f in [
                        "userAttributes",
                        "validationData",
                        "clientMetadata",
                        "challengeAnswer",
                    ] {
                        if let Some(x) = req.get(f) {
                            w.key(f, |w| w.walk_value(x, 1));
                        }
                    }
                    // The user migration trigger hands over the password the user typed:
                    // user-controlled text, inspected and never echoed.
                    if let Some(x) = req.get("password") {
                        w.key("password", |w| w.secret(|w| w.walk_value(x, 1)));
                    }
                });
            }
        }
        Source::AppSync => {
            for f in ["arguments", "source"] {
                if let Some(x) = v.get(f) {
                    w.key(f, |w| w.walk_value(x, 1));
                }
            }
            if let Some(h) = v.pointer("/request/headers").and_then(Json::as_object) {
                w.key("request", |w| w.key("headers", |w| headers(h, w)));
            }
        }
        Source::Iot | Source::Generic => w.walk_value(v, 0),
    }
}

fn records(v: &Json<'_>, w: &mut Walker<'_>, field: &str, f: impl Fn(&Json<'_>, &mut Walker<'_>)) {
    let Some(recs) = v.get(field).and_then(Json::as_array) else {
        return;
    };
    w.key(field, |w| {
        for (i, r) in recs.iter().enumerate() {
            w.index(i, |w| f(r, w));
        }
    });
}

fn attributes(attrs: Members<'_, '_>, value_field: &str, w: &mut Walker<'_>) {
    for (name, a) in attrs {
        if let Some(t) = a.get(value_field) {
            w.key(name, |w| w.key(value_field, |w| w.walk_value(t, 1)));
        }
    }
}

/// Request headers worth inspecting: those applications log, parse or forward. Standard
/// negotiation headers (Accept, Accept-Encoding, …) and AWS's own are skipped.
fn header_matters(name: &str) -> bool {
    // Lower-cased on the stack: a header name is short, and this runs for every header of
    // every HTTP event.
    let mut buf = [0u8; 48];
    let owned;
    let n: &str = match buf.get_mut(..name.len()) {
        Some(b) => {
            b.copy_from_slice(name.as_bytes());
            b.make_ascii_lowercase();
            std::str::from_utf8(b).unwrap_or("")
        }
        None => {
            owned = name.to_ascii_lowercase();
            &owned
        }
    };
    match n {
        "user-agent"
        | "referer"
        | "referrer"
        | "cookie"
        | "origin"
        | "host"
        | "forwarded"
        | "true-client-ip"
        | "client-ip"
        | "contact"
        | "from"
        | "via"
        | "authorization"
        | "proxy-authorization" => true,
        _ => {
            n.starts_with("x-")
                && !n.starts_with("x-amz")
                && !matches!(
                    n,
                    "x-forwarded-proto" | "x-forwarded-port" | "x-request-id" | "x-api-key"
                )
        }
    }
}

fn headers(h: Members<'_, '_>, w: &mut Walker<'_>) {
    let all = w.cfg.all_headers;
    for (name, value) in h {
        if !(all || header_matters(name)) {
            continue;
        }
        w.key(name, |w| {
            let visit = |w: &mut Walker<'_>, s: &str| {
                if name.eq_ignore_ascii_case("cookie") {
                    cookies(s.split(';'), w);
                } else if name.eq_ignore_ascii_case("authorization")
                    || name.eq_ignore_ascii_case("proxy-authorization")
                {
                    authorization(s, w);
                } else {
                    w.scan(s);
                }
            };
            match value {
                Json::Str(_) | Json::Esc(..) => {
                    if let Some(s) = value.as_str() {
                        visit(w, s);
                    }
                }
                Json::Arr(a) => {
                    for (i, x) in a.iter().enumerate() {
                        if let Some(s) = x.as_str() {
                            w.index(i, |w| visit(w, s));
                        }
                    }
                }
                _ => {}
            }
        });
    }
}

/// `name=value` cookies: each value (URL-decoded) at `…cookie.<name>`.
fn cookies<'a>(items: impl Iterator<Item = &'a str>, w: &mut Walker<'_>) {
    for c in items {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        let (name, value) = c.split_once('=').unwrap_or(("", c));
        let value = decode::form_component(value);
        w.key(name, |w| w.walk_string(&value, 1));
    }
}

fn header_value<'a>(v: &'a Json<'_>, name: &str) -> Option<&'a str> {
    for field in ["headers", "multiValueHeaders"] {
        if let Some(h) = v.get(field).and_then(Json::as_object) {
            for (k, val) in h {
                if k.eq_ignore_ascii_case(name) {
                    return match val {
                        Json::Str(_) | Json::Esc(..) => val.as_str(),
                        Json::Arr(a) => a.first().and_then(Json::as_str),
                        _ => None,
                    };
                }
            }
        }
    }
    None
}

/// API Gateway (REST, HTTP, WebSocket, authorizers), ALB, function URLs, VPC Lattice.
fn http(v: &Json<'_>, w: &mut Walker<'_>) {
    for f in ["path", "rawPath", "raw_path"] {
        if let Some(p) = v.get(f).and_then(Json::as_str) {
            w.key(f, |w| w.scan(p));
        }
    }
    if let Some(t) = v.get("authorizationToken").and_then(Json::as_str) {
        w.key("authorizationToken", |w| authorization(t, w));
    }
    if let Some(p) = v.get("pathParameters").and_then(Json::as_object) {
        w.key("pathParameters", |w| {
            for (k, x) in p {
                w.key(k, |w| w.walk_value(x, 1));
            }
        });
    }
    let mut had_query = false;
    // REST and ALB events carry each parameter and header twice (single- and multi-value);
    // the multi-value map is the superset, so only it is walked when present.
    let query_fields: &[&str] = if v
        .get("multiValueQueryStringParameters")
        .is_some_and(Json::is_object)
    {
        &["multiValueQueryStringParameters"]
    } else {
        &["queryStringParameters", "query_string_parameters"]
    };
    for f in query_fields.iter().copied() {
        if let Some(q) = v.get(f).and_then(Json::as_object) {
            had_query = true;
            w.key(f, |w| {
                for (k, x) in q {
                    w.key(k, |w| {
                        if k.contains(['[', '$', '<', '\'', '"', '(', ';']) {
                            w.scan(k);
                        }
                        w.walk_value(x, 1);
                    });
                }
            });
        }
    }
    if !had_query && let Some(raw) = v.get("rawQueryString").and_then(Json::as_str) {
        w.key("rawQueryString", |w| w.form(raw));
    }
    let header_field = if v.get("multiValueHeaders").is_some_and(Json::is_object) {
        "multiValueHeaders"
    } else {
        "headers"
    };
    if let Some(h) = v.get(header_field).and_then(Json::as_object) {
        w.key(header_field, |w| headers(h, w));
    }
    request_context(v, w);
    if let Some(c) = v.get("cookies").and_then(Json::as_array) {
        w.key("cookies", |w| cookies(c.iter().filter_map(Json::as_str), w));
    }
    if let Some(body) = v.get("body")
        && !body.is_null()
    {
        let b64 = v
            .get("isBase64Encoded")
            .or_else(|| v.get("is_base64_encoded"))
            .and_then(Json::as_bool)
            .unwrap_or(false);
        let ct = header_value(v, "content-type");
        w.key("body", |w| w.body(body, b64, ct));
    }
}

fn cloudwatch_logs(v: &Json<'_>, w: &mut Walker<'_>) {
    let Some(data) = v.pointer("/awslogs/data").and_then(Json::as_str) else {
        return;
    };
    let max = w.cfg.max_decompressed;
    let Some(gz) = decode::base64(data, max.saturating_mul(2)) else {
        w.error("awslogs.data is not base64");
        return;
    };
    let (bytes, truncated) = match decode::gunzip(&gz, max) {
        Ok(r) => r,
        Err(e) => {
            w.error(format!("awslogs.data is not gzip: {e}"));
            return;
        }
    };
    if truncated {
        w.error(format!(
            "awslogs.data decompresses to more than {max} bytes; not inspected"
        ));
        return;
    }
    let Ok(doc) = crate::json::parse_bytes(&bytes) else {
        w.error("awslogs.data is not JSON");
        return;
    };
    let Some(events) = doc.get("logEvents").and_then(Json::as_array) else {
        return;
    };
    w.key("awslogs", |w| {
        w.key("data", |w| {
            w.key("logEvents", |w| {
                for (i, e) in events.iter().enumerate() {
                    if let Some(m) = e.get("message").and_then(Json::as_str) {
                        w.index(i, |w| w.key("message", |w| w.walk_string(m, 1)));
                    }
                }
            });
        });
    });
}

/// `requestContext` fields an attacker sets. Most of the context is AWS's own (request and
/// account ids, stage, `domainName` — requests are routed by it, so it is one of the API's
/// own names —, `sourceIp` from the connection, IAM caller identities AWS verified). Two
/// kinds carry client-chosen text:
/// - the User-Agent copy (`identity.userAgent`, `http.userAgent`): inspected only when the
///   event has no User-Agent header (a mapping template or a stripped header), since the
///   header itself is inspected already;
/// - authorizer claims and context (`authorizer.claims`, `authorizer.jwt.claims`,
///   `authorizer.lambda`, custom authorizer context): a verified token still carries
///   attributes the user chose at sign-up (`name`, `email`, `custom:*`), and a Lambda
///   authorizer's context is often copied from the request.
fn request_context(v: &Json<'_>, w: &mut Walker<'_>) {
    let Some(rc) = v.get("requestContext") else {
        return;
    };
    w.key("requestContext", |w| {
        if header_value(v, "user-agent").is_none() {
            for (outer, field) in [("identity", "userAgent"), ("http", "userAgent")] {
                if let Some(ua) = rc
                    .get(outer)
                    .and_then(|o| o.get(field))
                    .and_then(Json::as_str)
                {
                    w.key(outer, |w| w.key(field, |w| w.scan(ua)));
                }
            }
        }
        let Some(auth) = rc.get("authorizer").and_then(Json::as_object) else {
            return;
        };
        w.key("authorizer", |w| {
            for (k, val) in auth {
                match &**k {
                    // IAM: AWS's own verified identity.
                    "iam" | "principalId" | "integrationLatency" => {}
                    "jwt" => {
                        if let Some(c) = val.get("claims") {
                            w.key("jwt", |w| w.key("claims", |w| w.walk_value(c, 1)));
                        }
                    }
                    _ => w.key(k, |w| w.walk_value(val, 1)),
                }
            }
        });
    });
}

/// An `Authorization` header or authorizer token. The credential is never logged: every
/// detection under it carries a redacted excerpt. Judged by scheme:
/// - `Basic`: the decoded `user:password`, each part on its own;
/// - a JWT (`Bearer` or bare): its header and claims, decoded and walked as JSON — the
///   `kid` header and user-chosen claims are classic injection points, and nothing here has
///   verified the signature;
/// - anything else (opaque tokens, SigV4): each part that is not plain token characters,
///   since a token alphabet cannot carry an injection.
fn authorization(value: &str, w: &mut Walker<'_>) {
    w.secret(|w| {
        let t = value.trim();
        let (scheme, cred) = match t.split_once(' ') {
            Some((s, c))
                if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                (s, c.trim())
            }
            _ => ("", t),
        };
        if scheme.eq_ignore_ascii_case("basic") {
            let Some(bytes) = decode::base64(cred, 4096) else {
                w.key("basic", |w| w.scan(cred));
                return;
            };
            let text = String::from_utf8_lossy(&bytes);
            let (user, pass) = text.split_once(':').unwrap_or((&text, ""));
            w.key("basic", |w| {
                w.key("username", |w| w.scan(user));
                w.key("password", |w| w.scan(pass));
            });
            return;
        }
        if let Some((header, claims)) = jwt_parts(cred) {
            w.key("jwt", |w| {
                for (name, part) in [("header", header), ("claims", claims)] {
                    if let Ok(j) = crate::json::parse(&part) {
                        w.key(name, |w| w.walk_value(&j, 1));
                    }
                }
            });
            return;
        }
        let token_char = |b: u8| b.is_ascii_alphanumeric() || b"._~+/=:-".contains(&b);
        if !cred
            .bytes()
            .all(|b| token_char(b) || matches!(b, b',' | b' ' | b';'))
        {
            w.scan(t);
        }
    });
}

/// The decoded header and payload of a JWT (`xxx.yyy.zzz`, base64url JSON objects).
fn jwt_parts(token: &str) -> Option<(String, String)> {
    let mut parts = token.split('.');
    let (h, p) = (parts.next()?, parts.next()?);
    parts.next()?;
    if !h.starts_with("eyJ") || !p.starts_with("eyJ") {
        return None;
    }
    let dec =
        |s: &str| decode::base64(s, 16 * 1024).map(|b| String::from_utf8_lossy(&b).into_owned());
    Some((dec(h)?, dec(p)?))
}
