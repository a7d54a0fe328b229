//! The binary as a Lambda function: each test serves the Lambda Runtime API on loopback (the
//! documented HTTP contract: `GET …/invocation/next`, `POST …/invocation/{id}/response` or
//! `…/error`, `POST …/init/error`), delivers one scheduled EventBridge event, and checks what
//! the runtime posts back; AWS itself is moto (see `tests/support/moto.rs`).
//!
//! Build with the `aws` feature (`cargo test -p perimeter --features aws`).
//! `scheduled_event_writes_snapshot_and_findings_to_s3` needs the live reader (`scan --aws`)
//! in the binary: it fails until that reader lands, by design.

#[path = "support/moto.rs"]
mod moto;

use moto::Moto;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:perimeter-scanner";
const SCHEDULED_EVENT: &str = r#"{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-07-01T06:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/perimeter-schedule"],"detail":{}}"#;

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

fn boto(script: &str) -> String {
    let output = Command::new(moto::python())
        .args(["-c", &format!("import boto3, io, json, zipfile\n{script}")])
        .envs(moto().env())
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "boto3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// One HTTP request as the runtime sent it.
#[derive(Debug)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> Request {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("request line");
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    }
}

fn answer(mut stream: &TcpStream, status: &str, headers: &[(&str, &str)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body.as_bytes()).expect("write body");
}

/// A Runtime API on loopback.
struct RuntimeApi {
    listener: TcpListener,
}

impl RuntimeApi {
    fn start() -> RuntimeApi {
        RuntimeApi {
            listener: TcpListener::bind("127.0.0.1:0").expect("bind"),
        }
    }

    fn address(&self) -> String {
        self.listener.local_addr().expect("address").to_string()
    }

    fn accept(&self) -> TcpStream {
        let (stream, _) = self.listener.accept().expect("accept");
        // A guard against a runtime that hangs, not a speed assertion.
        stream
            .set_read_timeout(Some(Duration::from_secs(300)))
            .expect("timeout");
        stream
    }

    /// Serves `GET next` with the scheduled event, then returns the runtime's next request
    /// (its response or error), answered 202.
    fn deliver_one_event(&self) -> Request {
        let stream = self.accept();
        let next = read_request(&stream);
        assert_eq!(
            (next.method.as_str(), next.path.as_str()),
            ("GET", "/2018-06-01/runtime/invocation/next")
        );
        answer(
            &stream,
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", REQUEST_ID),
                ("Lambda-Runtime-Deadline-Ms", "4102444800000"),
                ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
                (
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                ),
            ],
            SCHEDULED_EVENT,
        );
        drop(stream);
        let stream = self.accept();
        let posted = read_request(&stream);
        answer(&stream, "202 Accepted", &[], "{\"status\":\"OK\"}");
        posted
    }
}

fn spawn(
    program: &std::path::Path,
    args: &[&str],
    api: &RuntimeApi,
    env: &[(&str, &str)],
) -> Child {
    let mut command = Command::new(program);
    command
        .args(args)
        .envs(moto().env())
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "perimeter-scanner")
        .env_remove("PERIMETER_OUTPUT_BUCKET")
        .env_remove("PERIMETER_CONFIG")
        .env_remove("PERIMETER_CONFIG_TOML")
        .env_remove("PERIMETER_ENFORCE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("start the runtime")
}

fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().expect("wait");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains("built without live AWS support"),
        "build the tests with `--features aws`: {text}"
    );
    (output.status.code().unwrap_or(-1), text)
}

fn binary() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_perimeter"))
}

/// A failed scan is reported to Lambda as the invocation's error, and the runtime goes on.
/// (The bucket does not exist, so the scan fails whether or not the live reader is built in.)
#[test]
fn failed_scan_posts_the_invocation_error() {
    let api = RuntimeApi::start();
    let child = spawn(
        &binary(),
        &["lambda-runtime", "--max-events", "1"],
        &api,
        &[
            ("PERIMETER_OUTPUT_BUCKET", "no-such-bucket-perimeter"),
            ("PERIMETER_METRICS_DAYS", "0"),
        ],
    );
    let posted = api.deliver_one_event();
    let (code, text) = finish(child);
    assert_eq!(posted.method, "POST");
    assert_eq!(
        posted.path,
        format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/error")
    );
    assert_eq!(
        posted.header("Lambda-Runtime-Function-Error-Type"),
        Some("Perimeter.ScanError")
    );
    let body: serde_json::Value = serde_json::from_str(&posted.body).expect("error body is JSON");
    assert_eq!(body["errorType"], "Perimeter.ScanError");
    assert!(
        !body["errorMessage"].as_str().unwrap_or("").is_empty(),
        "{body}"
    );
    assert_eq!(code, 0, "{text}");
}

/// Started as `bootstrap` (how Lambda starts a custom runtime) without its settings: the
/// runtime reports an init error and exits with 2.
#[test]
fn bootstrap_without_a_bucket_reports_an_init_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bootstrap = dir.path().join("bootstrap");
    std::os::unix::fs::symlink(binary(), &bootstrap).expect("symlink");
    let api = RuntimeApi::start();
    let child = spawn(&bootstrap, &[], &api, &[]);
    let stream = api.accept();
    let posted = read_request(&stream);
    answer(&stream, "202 Accepted", &[], "{}");
    drop(stream);
    let (code, text) = finish(child);
    assert_eq!(
        (posted.method.as_str(), posted.path.as_str()),
        ("POST", "/2018-06-01/runtime/init/error")
    );
    assert!(
        posted.body.contains("PERIMETER_OUTPUT_BUCKET is not set"),
        "{}",
        posted.body
    );
    assert_eq!(code, 2, "{text}");
}

/// The success path: the scan's snapshot and findings land in S3 and the invocation's result
/// names them. Needs the live reader in the binary: fails until it lands.
#[test]
fn scheduled_event_writes_snapshot_and_findings_to_s3() {
    boto(
        "boto3.client('s3').create_bucket(Bucket='perimeter-results')\n\
         iam = boto3.client('iam')\n\
         role = iam.create_role(RoleName='scanned-role', AssumeRolePolicyDocument='{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}')['Role']['Arn']\n\
         buf = io.BytesIO()\n\
         with zipfile.ZipFile(buf, 'w') as z: z.writestr('app.py', 'def handler(e, c): return 1')\n\
         lam = boto3.client('lambda')\n\
         lam.create_function(FunctionName='scanned', Runtime='python3.13', Role=role, Handler='app.handler', Code={'ZipFile': buf.getvalue()})\n\
         lam.create_function_url_config(FunctionName='scanned', AuthType='NONE')",
    );
    let api = RuntimeApi::start();
    let child = spawn(
        &binary(),
        &["lambda-runtime", "--max-events", "1"],
        &api,
        &[
            ("PERIMETER_OUTPUT_BUCKET", "perimeter-results"),
            ("PERIMETER_OUTPUT_PREFIX", "scans"),
            ("PERIMETER_METRICS_DAYS", "0"),
        ],
    );
    let posted = api.deliver_one_event();
    let (code, text) = finish(child);
    assert_eq!(
        posted.path,
        format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/response"),
        "{}\n{text}",
        posted.body
    );
    assert_eq!(code, 0, "{text}");
    let result: serde_json::Value = serde_json::from_str(&posted.body).expect("result JSON");
    assert_eq!(result["region"], "us-east-1");
    let objects: Vec<String> = result["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter_map(|o| o.as_str().map(String::from))
        .collect();
    assert_eq!(objects.len(), 2, "{result}");
    assert!(
        objects[0].starts_with("s3://perimeter-results/scans/")
            && objects[0].ends_with(".snapshot.json")
    );
    assert!(objects[1].ends_with(".findings.json"));

    let listed = boto(
        "s3 = boto3.client('s3')\n\
         keys = [o['Key'] for o in s3.list_objects_v2(Bucket='perimeter-results', Prefix='scans/')['Contents']]\n\
         findings = [k for k in keys if k.endswith('.findings.json')][0]\n\
         body = json.loads(s3.get_object(Bucket='perimeter-results', Key=findings)['Body'].read())\n\
         print(json.dumps({'keys': keys, 'findings': [f['code'] for f in body['findings']]}))",
    );
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("listing");
    assert_eq!(listed["keys"].as_array().map(Vec::len), Some(2), "{listed}");
    assert!(
        listed["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|c| c == "AUTH002")),
        "the public function URL should be reported: {listed}"
    );
}
