//! `perimeter watch` and alert delivery on the real binary: two runs recorded as one source,
//! alerts as JSON lines on stdout, to webhooks on loopback listeners (generic JSON and
//! Slack), and to syslog on a Unix datagram socket; a dead webhook is only a warning.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

#[path = "support/history_app.rs"]
#[allow(dead_code)]
mod commands;

const SAFE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
            Auth:
              Authorizer: AWS_IAM
"#;

const OPEN: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: '*'
              Resource: '*'
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
"#;

fn watch(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .arg("watch")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PERIMETER_HISTORY_DB")
        .output()
        .expect("run perimeter")
}

fn text(out: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A one-shot HTTP server: accepts connections until one carries a body, answers 200, sends
/// the body on the channel.
fn webhook_receiver() -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/hooks/T000/secret",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut headers) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if tx
                .send((headers, String::from_utf8_lossy(&body).into_owned()))
                .is_err()
            {
                break;
            }
        }
    });
    (url, rx)
}

#[test]
fn two_runs_as_one_source_alert_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let (safe, open) = (tmp.path().join("safe"), tmp.path().join("open"));
    commands::write_app(&safe, SAFE, "x");
    commands::write_app(&open, OPEN, "x");
    let db = tmp.path().join("h.sqlite3");
    let socket_path = tmp.path().join("log.sock");
    let syslog = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    syslog
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let (json_url, json_rx) = webhook_receiver();
    let (slack_url, slack_rx) = webhook_receiver();
    // A port nobody listens on: delivery fails, the run goes on.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/x", dead.local_addr().unwrap());
    drop(dead);
    let config = tmp.path().join("alerts.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[alerts]
score-threshold = 40
permissions-grown = true
new-findings = "high"
families = ["IAM"]
stdout = true
syslog = "unix:{}"
[[alerts.webhook]]
url = "{json_url}"
[[alerts.webhook]]
url = "{slack_url}"
format = "slack"
[[alerts.webhook]]
url = "{dead_url}"
"#,
            socket_path.display()
        ),
    )
    .unwrap();
    let common = [
        "--db",
        db.to_str().unwrap(),
        "--source",
        "orders",
        "--config",
        config.to_str().unwrap(),
        "--runs",
        "1",
        "--every",
        "1s",
    ];

    // First run: the baseline, no alert.
    let out = watch(
        &[&[safe.to_str().unwrap()], &common[..]].concat(),
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("first scan recorded"));

    // Second run, other folder, same source: the route lost its authorizer and the role
    // became admin.
    let out = watch(
        &[&[open.to_str().unwrap()], &common[..]].concat(),
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("against #1"), "{stderr}");
    assert!(
        stderr.contains("new public entry: api GET /orders (no auth)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("alert not delivered to webhook http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret"),
        "the webhook path leaked: {stderr}"
    );

    // Standard output: JSON lines only.
    let alerts: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = alerts.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for expected in [
        "new-public-entry",
        "score-risen",
        "permissions-grown",
        "new-finding",
    ] {
        assert!(kinds.contains(&expected), "{expected} not in {kinds:?}");
    }
    // `families = ["IAM"]` and `high`: only IAM findings at or above high alert (IAM003, not
    // the medium IAM012 nor the medium AUTH001).
    for a in alerts.iter().filter(|a| a["kind"] == "new-finding") {
        assert!(a["title"].as_str().unwrap().starts_with("IAM"), "{a}");
        assert!(
            ["high", "critical"].contains(&a["severity"].as_str().unwrap()),
            "{a}"
        );
    }
    let public = alerts
        .iter()
        .find(|a| a["kind"] == "new-public-entry")
        .unwrap();
    assert_eq!(public["severity"], "high");
    assert_eq!(public["tool"], "perimeter");
    assert_eq!(public["details"]["scan"], 2);
    assert_eq!(public["details"]["previous_scan"], 1);
    assert_eq!(public["details"]["source"], "orders");
    assert_eq!(public["function"], "template.yaml#Orders");

    // The generic webhook got the same JSON; the Slack one a message with text and blocks.
    let (headers, body) = json_rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("content-type: application/json")
    );
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(first["kind"], alerts[0]["kind"]);
    assert_eq!(first["title"], alerts[0]["title"]);
    let (_, body) = slack_rx.recv_timeout(Duration::from_secs(60)).unwrap();
    let slack: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(slack["text"].as_str().unwrap().starts_with('['), "{slack}");
    assert_eq!(slack["blocks"][0]["type"], "section");

    // Syslog: one RFC 5424 datagram per alert.
    let mut buf = vec![0u8; 65_536];
    let mut lines = Vec::new();
    for _ in 0..alerts.len() {
        let n = syslog.recv(&mut buf).unwrap();
        lines.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    let line = &lines[0];
    assert!(line.starts_with('<') && line.contains(">1 "), "{line}");
    let parts: Vec<&str> = line.splitn(8, ' ').collect();
    assert_eq!(parts[3], "perimeter", "{line}");
    let msg: serde_json::Value = serde_json::from_str(parts[7]).unwrap();
    assert_eq!(msg["kind"], alerts[0]["kind"]);
}

#[test]
fn repeated_runs_without_change_report_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    commands::write_app(&app, SAFE, "x");
    let db = tmp.path().join("h.sqlite3");
    let out = watch(
        &[
            app.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--every",
            "1s",
            "--runs",
            "2",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("scan #1") && lines[0].contains("first scan recorded"));
    assert!(lines[1].contains("scan #2") && lines[1].ends_with("against #1: no change"));

    // A watch whose every run fails exits 2.
    let out = watch(
        &[
            "--snapshot",
            "/nonexistent.json",
            "--db",
            db.to_str().unwrap(),
            "--runs",
            "1",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("watch run 1 failed"));
}
