//! End to end without AWS: fake Lambda APIs on loopback, the real `perimeter-shield` binary in between, and a
//! real runtime client (awslambdaric) running `fixtures/handler.py` behind the layer's wrapper script.
//!
//! `E2E_VERBOSE=1` echoes the extension's and the function's stdout; figures (cold start, memory, burst
//! throughput) are printed with `--nocapture`.

mod harness;

use std::time::{Duration, Instant};

use harness::{Env, Outcome};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const LONG: Duration = Duration::from_secs(60);

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn benign_events() -> Vec<Vec<u8>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/payloads/benign_events.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("shared corpus benign_events.jsonl");
    // Each line is {"source": <file>, "event": <the Lambda event>}: the runtime gets the event itself.
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("corpus line is JSON");
            serde_json::to_vec(&v["event"]).expect("event")
        })
        .collect()
}

/// An HTTP API (payload 2.0) event with `query` as the `id` query parameter.
fn http_api_event(query: &str, ip: &str) -> Vec<u8> {
    json!({
        "version": "2.0", "routeKey": "GET /items", "rawPath": "/items",
        "rawQueryString": format!("id={}", query.replace(' ', "%20")),
        "headers": {"host": "api.example.com", "x-marker": "zz-private-marker-zz"},
        "queryStringParameters": {"id": query},
        "requestContext": {"http": {"method": "GET", "path": "/items", "sourceIp": ip}, "requestId": "r", "stage": "$default"},
        "isBase64Encoded": false,
    })
    .to_string()
    .into_bytes()
}

fn rest_api_event(query: &str) -> Vec<u8> {
    json!({
        "resource": "/items", "path": "/items", "httpMethod": "GET",
        "headers": {"Host": "api.example.com"}, "multiValueHeaders": {"Host": ["api.example.com"]},
        "queryStringParameters": {"id": query}, "multiValueQueryStringParameters": {"id": [query]},
        "requestContext": {"identity": {"sourceIp": "192.0.2.1"}, "httpMethod": "GET", "stage": "prod"},
        "body": null, "isBase64Encoded": false,
    })
    .to_string()
    .into_bytes()
}

fn alb_event(query: &str) -> Vec<u8> {
    json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"}},
        "httpMethod": "GET", "path": "/items", "queryStringParameters": {"id": query},
        "headers": {"host": "alb.example.com", "x-forwarded-for": "203.0.113.5"}, "body": "", "isBase64Encoded": false,
    })
    .to_string()
    .into_bytes()
}

fn sqs_event(body: &str) -> Vec<u8> {
    json!({"Records": [{
        "messageId": "m-1", "receiptHandle": "h", "body": body, "attributes": {}, "messageAttributes": {},
        "md5OfBody": "x", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q", "awsRegion": "eu-west-1",
    }]})
    .to_string()
    .into_bytes()
}

const SQLI: &str = "1' OR '1'='1";

fn handled(o: &Outcome) -> bool {
    matches!(o, Outcome::Response { .. }) && o.json()["handled"] == true
}

#[test]
fn benign_events_reach_the_handler_byte_for_byte_and_responses_come_back_unchanged() {
    let mut env = Env::start(&[("PERIMETER_SHIELD_MODE", "monitor")]);
    let registered = env.lambda.registered_at().expect("registered") - env.ext.spawned_at;
    assert_eq!(
        env.lambda.registered_name().as_deref(),
        Some("perimeter-shield")
    );
    env.start_runtime();
    let events = benign_events();
    assert!(events.len() > 200);
    for (i, e) in events.iter().enumerate() {
        env.lambda.push(&format!("ev-{i:04}"), e.clone());
    }
    let outcomes = env.lambda.wait_outcomes(events.len(), LONG);
    assert_eq!(outcomes.len(), events.len());
    for (i, (o, e)) in outcomes.iter().zip(&events).enumerate() {
        assert_eq!(o.id(), format!("ev-{i:04}"));
        let v = o.json();
        assert!(handled(o), "event {i} not handled: {o:?}");
        assert_eq!(
            v["sha256"],
            sha(e),
            "event {i} changed on its way to the handler"
        );
        assert_eq!(v["len"], e.len());
        assert_eq!(v["request_id"], format!("ev-{i:04}"));
        assert_eq!(v["note"], "réponse ✓");
    }
    let (rss, hwm) = env.ext.rss_kib().unwrap_or((0, 0));
    let findings = env.ext.findings();
    let flagged: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["unmapped"]["request_id"].as_str())
        .collect();
    eprintln!(
        "figures: extension registered {:.1} ms after spawn (debug build); RSS {rss} KiB, peak {hwm} KiB after {} events; \
         {} findings on {} of these benign events (monitor mode: all passed)",
        registered.as_secs_f64() * 1e3,
        events.len(),
        findings.len(),
        flagged.len()
    );
    for f in &findings {
        eprintln!(
            "  benign finding: {} {} {} {}",
            f["unmapped"]["request_id"],
            f["finding_info"]["types"][0],
            f["unmapped"]["detection"]["path"],
            f["unmapped"]["reason"]
        );
    }
    env.lambda.shutdown();
    assert_eq!(
        env.ext.wait_exit(Duration::from_secs(10)),
        Some(0),
        "extension must exit 0 on SHUTDOWN"
    );
}

/// The proxy relays the runtime's traffic as is: event bytes and headers on the way in, response and error
/// bodies and headers on the way out (a runtime written in Rust here, to control every byte).
#[test]
fn raw_runtime_traffic_is_relayed_unchanged() {
    // No wrapper, so no runtime pid: the process check would watch every process on this (shared) machine
    // and, in block mode, end the environment when another test starts one.
    let env = Env::start(&[
        ("PERIMETER_SHIELD_MODE", "block"),
        ("PERIMETER_SHIELD_HYGIENE", "off"),
    ]);
    let proxy = format!("http://127.0.0.1:{}/2018-06-01/runtime", env.port);
    let odd: &[u8] = b"{ \"k\" :\t\"caf\\u00e9 \xe2\x9c\x93\" ,\n \"n\": 1.50e3 }  ";
    env.lambda.push("id-1", odd.to_vec());
    env.lambda.push("id-2", b"[1,2,3]".to_vec());
    env.lambda.push("id-3", b"\"bare string\"".to_vec());
    let client = reqwest::Client::new();
    env.lambda.rt.block_on(async {
        let r = client
            .get(format!("{proxy}/invocation/next"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(h["lambda-runtime-aws-request-id"], "id-1");
        assert!(h.contains_key("lambda-runtime-deadline-ms"));
        assert_eq!(
            h["lambda-runtime-invoked-function-arn"],
            "arn:aws:lambda:eu-west-1:123456789012:function:e2e-fn"
        );
        assert!(
            h["lambda-runtime-trace-id"]
                .to_str()
                .unwrap()
                .starts_with("Root=1-")
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), odd);
        let resp_body: &[u8] = b"not json \x00\xff at all";
        let r = client
            .post(format!("{proxy}/invocation/id-1/response"))
            .header("content-type", "application/octet-stream")
            .body(resp_body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);

        let r = client
            .get(format!("{proxy}/invocation/next"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"[1,2,3]");
        let r = client
            .post(format!("{proxy}/invocation/id-2/error"))
            .header("Lambda-Runtime-Function-Error-Type", "Runtime.Custom")
            .body(r#"{"errorMessage":"x","errorType":"Runtime.Custom"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);

        let r = client
            .get(format!("{proxy}/invocation/next"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"\"bare string\"");
        // Streamed (chunked) response body, as response streaming sends it.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            vec![Ok(b"part1-".to_vec()), Ok(b"part2".to_vec())];
        let r = client
            .post(format!("{proxy}/invocation/id-3/response"))
            .header("Lambda-Runtime-Function-Response-Mode", "streaming")
            .body(reqwest::Body::wrap_stream(futures_stream(chunks)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
    });
    let o = env.lambda.outcomes();
    assert_eq!(
        o,
        vec![
            Outcome::Response {
                id: "id-1".into(),
                body: b"not json \x00\xff at all".to_vec().into(),
                content_type: Some("application/octet-stream".into())
            },
            Outcome::Error {
                id: "id-2".into(),
                error_type: Some("Runtime.Custom".into()),
                body: br#"{"errorMessage":"x","errorType":"Runtime.Custom"}"#
                    .to_vec()
                    .into()
            },
            Outcome::Response {
                id: "id-3".into(),
                body: b"part1-part2".to_vec().into(),
                content_type: None
            },
        ]
    );
}

fn futures_stream(
    items: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    struct S(std::collections::VecDeque<Result<Vec<u8>, std::io::Error>>);
    impl futures_core::Stream for S {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.pop_front())
        }
    }
    S(items.into())
}

fn attack_round(env: &mut Env) -> Vec<Outcome> {
    env.start_runtime();
    env.lambda
        .push("benign-http", http_api_event("42", "198.51.100.7"));
    env.lambda
        .push("sqli-http", http_api_event(SQLI, "198.51.100.7"));
    env.lambda.push(
        "benign-sqs",
        sqs_event("{\"order\": 42, \"note\": \"O'Brien's order\"}"),
    );
    env.lambda
        .push("sqli-sqs", sqs_event(&format!("{{\"id\": \"{SQLI}\"}}")));
    env.lambda.push("sqli-rest", rest_api_event(SQLI));
    env.lambda.push("sqli-alb", alb_event(SQLI));
    env.lambda.push("last", http_api_event("7", "198.51.100.8"));
    env.lambda.wait_outcomes(7, LONG)
}

/// Needs the real detectors of `perimeter_shield` (SQL injection in a query string parameter and an SQS body).
#[test]
fn attacks_are_blocked_in_block_mode() {
    let mut env = Env::start(&[("PERIMETER_SHIELD_MODE", "block")]);
    let o = attack_round(&mut env);
    let ids: Vec<&str> = o.iter().map(Outcome::id).collect();
    assert_eq!(
        ids,
        [
            "benign-http",
            "sqli-http",
            "benign-sqs",
            "sqli-sqs",
            "sqli-rest",
            "sqli-alb",
            "last"
        ]
    );
    assert!(
        handled(&o[0]) && handled(&o[2]) && handled(&o[6]),
        "benign events must reach the handler: {o:?}"
    );
    for i in [1, 4] {
        let v = o[i].json();
        assert!(matches!(o[i], Outcome::Response { .. }), "{:?}", o[i]);
        assert_eq!(v["statusCode"], 403, "{} must get a 403: {v}", o[i].id());
        assert!(v.get("handled").is_none());
        assert_eq!(
            serde_json::from_str::<Value>(v["body"].as_str().unwrap()).unwrap()["message"],
            "Forbidden"
        );
    }
    assert_eq!(o[5].json()["statusDescription"], "403 Forbidden");
    match &o[3] {
        Outcome::Error { error_type, .. } => {
            assert_eq!(error_type.as_deref(), Some("PerimeterShield.EventBlocked"))
        }
        other => panic!("blocked SQS event must be an invocation error: {other:?}"),
    }
    let findings = env.ext.findings();
    let denied: Vec<&Value> = findings
        .iter()
        .filter(|f| f["action"] == "Denied")
        .collect();
    for id in ["sqli-http", "sqli-sqs", "sqli-rest", "sqli-alb"] {
        let f = denied
            .iter()
            .find(|f| f["unmapped"]["request_id"] == id)
            .unwrap_or_else(|| panic!("no Denied finding for {id}: {findings:?}"));
        assert_eq!(f["unmapped"]["detection"]["kind"], "sqli");
        assert_eq!(f["finding_info"]["types"][0], "injection/sqli");
        assert_eq!(f["unmapped"]["function_name"], "e2e-fn");
        assert!(f["unmapped"]["detection"]["path"].as_str().is_some());
    }
    assert!(
        !env.ext
            .lines()
            .iter()
            .any(|l| l.contains("zz-private-marker-zz")),
        "events must never carry the payload"
    );
    assert!(!findings.iter().any(|f| {
        ["benign-http", "benign-sqs", "last"]
            .contains(&f["unmapped"]["request_id"].as_str().unwrap_or(""))
    }));
}

/// Needs the real detectors of `perimeter_shield`.
#[test]
fn attacks_are_logged_and_passed_in_monitor_mode() {
    let mut env = Env::start(&[("PERIMETER_SHIELD_MODE", "monitor")]);
    let o = attack_round(&mut env);
    assert!(
        o.iter().all(handled),
        "monitor mode never changes what the handler sees: {o:?}"
    );
    let findings = env.ext.findings();
    for id in ["sqli-http", "sqli-sqs", "sqli-rest", "sqli-alb"] {
        let f = findings
            .iter()
            .find(|f| f["unmapped"]["request_id"] == id)
            .unwrap_or_else(|| panic!("no finding for {id}: {findings:?}"));
        assert_eq!(f["action"], "Allowed");
        assert_eq!(f["unmapped"]["mode"], "monitor");
    }
}

#[test]
fn internal_errors_fail_open_by_default_and_closed_on_request() {
    let fault = ("PERIMETER_SHIELD_FAULT_INJECT", "inspect-panic");
    let mut open = Env::start(&[("PERIMETER_SHIELD_MODE", "block"), fault]);
    let mut closed = Env::start(&[
        ("PERIMETER_SHIELD_MODE", "block"),
        ("PERIMETER_SHIELD_FAIL", "closed"),
        fault,
    ]);
    for env in [&mut open, &mut closed] {
        env.start_runtime();
        env.lambda.push("h", http_api_event("42", "198.51.100.7"));
        env.lambda.push("q", sqs_event("hello"));
    }
    let o = open.lambda.wait_outcomes(2, LONG);
    assert!(
        o.iter().all(handled),
        "fail-open lets events through: {o:?}"
    );
    let c = closed.lambda.wait_outcomes(2, LONG);
    assert_eq!(c[0].json()["statusCode"], 403, "{c:?}");
    assert!(
        matches!(&c[1], Outcome::Error { error_type: Some(t), .. } if t == "PerimeterShield.EventBlocked")
    );
    for (env, action) in [(&open, "Allowed"), (&closed, "Denied")] {
        let f = env.ext.findings();
        assert_eq!(
            f.iter()
                .filter(|f| f["finding_info"]["types"][0] == "shield/internal-error")
                .count(),
            2
        );
        assert!(f.iter().all(|f| f["action"] == action));
    }
}

#[test]
fn burst_of_10000_events_is_not_lost_duplicated_or_reordered() {
    const N: usize = 10_000;
    let hygiene = std::env::var("E2E_BURST_HYGIENE").unwrap_or_else(|_| "on".into());
    let mut env = Env::start(&[
        ("PERIMETER_SHIELD_MODE", "block"),
        ("PERIMETER_SHIELD_HYGIENE", &hygiene),
    ]);
    env.start_runtime();
    let events: Vec<Vec<u8>> = (0..N)
        .map(|i| {
            let mut e: Value = serde_json::from_slice(&http_api_event(
                "42",
                &format!("10.0.{}.{}", i / 256 % 256, i % 256),
            ))
            .unwrap();
            e["seq"] = json!(i);
            e["body"] = json!(format!("{{\"item\": {i}, \"name\": \"widget {i}\"}}"));
            e.to_string().into_bytes()
        })
        .collect();
    let t = Instant::now();
    for (i, e) in events.iter().enumerate() {
        env.lambda.push(&format!("b-{i:05}"), e.clone());
    }
    let o = env.lambda.wait_outcomes(N, Duration::from_secs(600));
    let took = t.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let o2 = env.lambda.outcomes();
    assert_eq!(o2.len(), N, "no duplicates after the burst");
    for (i, (o, e)) in o.iter().zip(&events).enumerate() {
        assert_eq!(o.id(), format!("b-{i:05}"), "outcome {i} out of order");
        let v = o.json();
        assert_eq!(v["seq"], i, "outcome {i} answers another event");
        assert_eq!(v["sha256"], sha(e));
    }
    let (rss, hwm) = env.ext.rss_kib().unwrap_or((0, 0));
    eprintln!(
        "figures: {N} events through awslambdaric + extension (debug build) in {:.2} s ({:.0} events/s); extension RSS {rss} KiB, peak {hwm} KiB",
        took.as_secs_f64(),
        N as f64 / took.as_secs_f64()
    );
}

#[test]
fn hygiene_findings_are_logged_in_monitor_mode() {
    let mut env = Env::start(&[("PERIMETER_SHIELD_MODE", "monitor")]);
    env.start_runtime();
    env.lambda.push("spawn", br#"{"action":"spawn"}"#.to_vec());
    env.lambda.push("drop", br#"{"action":"dropexe"}"#.to_vec());
    env.lambda.push("after", br#"{"seq":3}"#.to_vec());
    env.lambda.push("after2", br#"{"seq":4}"#.to_vec());
    let o = env.lambda.wait_outcomes(4, LONG);
    assert!(o.iter().all(handled), "{o:?}");
    env.lambda
        .wait_for("hygiene findings", Duration::from_secs(10), || {
            env.ext.findings().len() >= 2
        });
    let f = env.ext.findings();
    let lingering: Vec<&Value> = f
        .iter()
        .filter(|f| f["finding_info"]["types"][0] == "hygiene/lingering-process")
        .collect();
    assert_eq!(lingering.len(), 1, "{f:?}");
    assert_eq!(lingering[0]["unmapped"]["process"]["name"], "sleep");
    let exe: Vec<&Value> = f
        .iter()
        .filter(|f| f["finding_info"]["types"][0] == "hygiene/executable-file")
        .collect();
    assert_eq!(exe.len(), 1, "{f:?}");
    assert!(
        exe[0]["unmapped"]["file"]["path"]
            .as_str()
            .unwrap()
            .ends_with("/implant")
    );
    assert!(
        env.ext.child.try_wait().unwrap().is_none(),
        "monitor mode keeps the environment"
    );
}

#[test]
fn hygiene_findings_end_the_environment_in_block_mode() {
    let mut env = Env::start(&[("PERIMETER_SHIELD_MODE", "block")]);
    env.start_runtime();
    env.lambda.push("drop", br#"{"action":"dropexe"}"#.to_vec());
    env.lambda.push("never", br#"{"seq":2}"#.to_vec());
    let o = env.lambda.wait_outcomes(1, LONG);
    assert!(handled(&o[0]), "the invocation itself completes: {o:?}");
    assert_eq!(
        env.ext.wait_exit(Duration::from_secs(20)),
        Some(1),
        "extension must exit to end the environment"
    );
    assert_eq!(
        env.lambda.ext_errors(),
        vec![(
            "exit".to_string(),
            "Extension.PerimeterShieldRecycle".to_string()
        )]
    );
    assert_eq!(
        env.lambda.outcomes().len(),
        1,
        "no further event is served by this environment"
    );
    let f = env.ext.findings();
    assert!(f.iter().any(
        |f| f["finding_info"]["types"][0] == "hygiene/executable-file" && f["action"] == "Denied"
    ));
    assert!(
        f.iter()
            .any(|f| f["finding_info"]["types"][0] == "environment/recycle")
    );
}

#[test]
fn environment_is_recycled_after_n_invocations() {
    let mut env = Env::start(&[("PERIMETER_SHIELD_RECYCLE_INVOCATIONS", "3")]);
    env.start_runtime();
    for i in 0..5 {
        env.lambda
            .push(&format!("r{i}"), format!("{{\"seq\":{i}}}").into_bytes());
    }
    env.lambda.wait_outcomes(3, LONG);
    assert_eq!(env.ext.wait_exit(Duration::from_secs(20)), Some(1));
    assert_eq!(env.lambda.outcomes().len(), 3);
    assert_eq!(
        env.lambda.ext_errors(),
        vec![(
            "exit".to_string(),
            "Extension.PerimeterShieldRecycle".to_string()
        )]
    );
    let f = env.ext.findings();
    let r = f
        .iter()
        .find(|f| f["finding_info"]["types"][0] == "environment/recycle")
        .expect("recycle event");
    assert!(
        r["unmapped"]["reason"]
            .as_str()
            .unwrap()
            .contains("3 invocations")
    );
}

#[test]
fn denial_of_wallet_guard_alerts_once_per_caller_and_window() {
    let mut env = Env::start(&[
        ("PERIMETER_SHIELD_DOW_THRESHOLD", "3"),
        ("PERIMETER_SHIELD_HYGIENE", "off"),
    ]);
    env.start_runtime();
    for i in 0..6 {
        env.lambda
            .push(&format!("a{i}"), http_api_event("42", "198.51.100.7"));
    }
    for i in 0..2 {
        env.lambda
            .push(&format!("b{i}"), http_api_event("42", "198.51.100.8"));
    }
    let o = env.lambda.wait_outcomes(8, LONG);
    assert!(o.iter().all(handled));
    let f: Vec<Value> = env
        .ext
        .findings()
        .into_iter()
        .filter(|f| f["finding_info"]["types"][0] == "wallet/threshold")
        .collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["unmapped"]["caller"], "ip:198.51.100.7");
    assert_eq!(f[0]["unmapped"]["request_id"], "a3");
    assert_eq!(f[0]["unmapped"]["count"], 4);
}

#[test]
fn siem_sink_receives_every_event_in_batches() {
    // A second fake Lambda serves as the SIEM endpoint (its /siem route records the batches).
    let probe = harness::FakeLambda::start();
    let siem = format!("http://{}/siem", probe.addr);
    let mut env = Env::start(&[
        ("PERIMETER_SHIELD_SIEM_URL", siem.as_str()),
        ("PERIMETER_SHIELD_SIEM_BATCH", "2"),
        ("PERIMETER_SHIELD_FAULT_INJECT", "inspect-panic"),
    ]);
    env.start_runtime();
    for i in 0..5 {
        env.lambda
            .push(&format!("s{i}"), http_api_event("42", "198.51.100.7"));
    }
    env.lambda.wait_outcomes(5, LONG);
    env.lambda.shutdown();
    assert_eq!(env.ext.wait_exit(Duration::from_secs(10)), Some(0));
    let batches = probe.siem_batches();
    let events: Vec<&Value> = batches
        .iter()
        .flat_map(|b| b.as_array().unwrap().iter())
        .collect();
    assert_eq!(events.len(), 5, "{batches:?}");
    assert!(batches.iter().all(|b| b.as_array().unwrap().len() <= 2));
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["unmapped"]["request_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["s0", "s1", "s2", "s3", "s4"]);
    let stats = env
        .ext
        .json_lines()
        .into_iter()
        .find(|l| l["msg"] == "stats")
        .expect("stats line");
    assert_eq!(stats["siem_sent"], 5);
    assert_eq!(stats["siem_dropped"], 0);
}
