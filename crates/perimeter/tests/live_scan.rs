//! Live scans end to end: the real binary reads a moto server (`scan --aws`), saves a
//! snapshot, scans it offline (`--snapshot`), and scans recorded snapshots of what moto
//! cannot produce (CloudWatch metrics, denied permissions, the secret redaction).
//!
//! One moto server for the whole binary, one scenario (`fixtures/live/setup_moto.py`,
//! boto3 against the server): a role with `*` actions, a function with a zip and a Slack
//! token in its environment, a public function URL, a `lambda:InvokeFunction` permission for
//! `*`, an HTTP API route without auth, a bucket notifying the function, a queue with an
//! event source mapping, and a mapping plus a bucket notification left behind by a deleted
//! function.

#[path = "support/moto.rs"]
mod moto;

use moto::Moto;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ACCOUNT: &str = "123456789012";
const FN_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:public-api";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live")
}

fn perimeter(args: &[&str], env: &[(&'static str, String)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_perimeter"));
    cmd.args(args).current_dir(dir.path()).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run perimeter")
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `(code, resource, location file)` of every finding.
fn findings(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["location"]["file"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn codes(report: &Value) -> BTreeSet<String> {
    findings(report).into_iter().map(|(c, _, _)| c).collect()
}

fn setup(moto: &Moto) {
    let out = Command::new(moto::python())
        .arg(fixtures().join("setup_moto.py"))
        .envs(moto.env())
        .output()
        .expect("run setup_moto.py");
    assert!(
        out.status.success(),
        "setup_moto.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn live_scan_of_moto_and_its_snapshot_round_trip() {
    let moto = Moto::start();
    setup(&moto);
    let env = moto.env();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("account.json");
    let snap_arg = snap.to_str().unwrap();

    let live = perimeter(
        &[
            "scan",
            "--aws",
            "--format",
            "json",
            "--save-snapshot",
            snap_arg,
        ],
        &env,
    );
    assert_eq!(
        live.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let report = json_of(&live);
    let found = findings(&report);
    let codes = codes(&report);
    // `*` on `*` is administrator access (IAM003), which IAM001 leaves to it.
    for code in ["AUTH001", "AUTH002", "AUTH003", "IAM003", "SEC001"] {
        assert!(codes.contains(code), "{code} missing from {found:#?}");
    }
    // Provenance is the ARN the value was read from.
    assert!(
        found
            .iter()
            .any(|(c, r, file)| c == "AUTH002" && r == "public-api" && file == FN_ARN),
        "{found:#?}"
    );
    // A resource-policy statement is named by its function's ARN, the statement as fragment.
    assert!(
        found.iter().any(|(c, r, file)| c == "AUTH003"
            && r.starts_with(&format!("{FN_ARN}#"))
            && file == FN_ARN),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|(c, _, file)| c == "IAM003"
            && file == &format!("arn:aws:iam::{ACCOUNT}:role/app-role")),
        "{found:#?}"
    );
    // moto's CloudWatch does not speak the SDK's protocol: a gap, not a failure.
    let stderr = String::from_utf8_lossy(&live.stderr);
    assert!(
        stderr.contains("cannot read CloudWatch invocation metrics"),
        "{stderr}"
    );

    // The snapshot: versioned, orphans kept, the secret redacted.
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(
        !text.contains("Zk3jH8sLq9WmXt4Rv7Ub"),
        "secret in the snapshot"
    );
    let saved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["format"], "perimeter-aws-snapshot");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["account_id"], ACCOUNT);
    assert_eq!(saved["regions"], serde_json::json!(["us-east-1"]));
    let region = &saved["region_data"][0];
    let mappings = region["event_source_mappings"].as_array().unwrap();
    assert!(
        mappings.iter().any(|m| m["function_arn"]
            .as_str()
            .unwrap()
            .ends_with(":function:gone")),
        "{mappings:?}"
    );
    let env_vars = &region["functions"][0]["environment"];
    assert_eq!(env_vars["TABLE"], "orders");
    assert!(
        env_vars["SLACK_TOKEN"]
            .as_str()
            .unwrap()
            .starts_with("perimeter:redacted:secret:SlackToken:high:xoxb")
    );

    // Offline: same findings from the saved snapshot, without credentials or endpoint.
    let offline = perimeter(&["scan", "--snapshot", snap_arg, "--format", "json"], &[]);
    assert_eq!(offline.status.code(), Some(1));
    let offline_report = json_of(&offline);
    assert_eq!(findings(&offline_report), found);

    // The model keeps the orphans visible on their sources (for the LIFE rules).
    let model = perimeter_model_of(&text);
    assert!(model.contains("arn:aws:lambda:us-east-1:123456789012:function:gone"));

    // Text output names the ARN.
    let text_out = perimeter(&["scan", "--snapshot", snap_arg], &[]);
    assert!(String::from_utf8_lossy(&text_out.stdout).contains(FN_ARN));
}

/// The snapshot's model, as debug text (through the library, as the binary does).
fn perimeter_model_of(snapshot: &str) -> String {
    let parsed = perimeter_load::snapshot::Snapshot::from_json(snapshot).unwrap();
    let model = perimeter_load::snapshot::to_model(&parsed);
    let bucket = model.apps[0]
        .resource("arn:aws:s3:::uploads-bucket")
        .expect("bucket");
    let queue = model.apps[0]
        .resource("arn:aws:sqs:us-east-1:123456789012:orphaned")
        .expect("orphaned queue");
    format!("{:?}\n{:?}", bucket.notifies, queue.notifies)
}

#[test]
fn recorded_snapshot_with_metrics_gaps_and_secrets() {
    let snap = fixtures().join("recorded.json");
    let out = perimeter(
        &[
            "scan",
            "--snapshot",
            snap.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let found = findings(&report);
    let codes = codes(&report);
    // The redacted AWS key pair and the secret-named literal still report.
    assert!(codes.contains("SEC001"), "{found:#?}");
    assert!(codes.contains("SEC002"), "{found:#?}");
    let text = serde_json::to_string(&report).unwrap();
    assert!(text.contains("AKIA… (20 chars)"), "{text}");
    insta::assert_snapshot!(
        "recorded_findings",
        found
            .iter()
            .map(|(c, r, f)| format!("{c} {r} {f}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn snapshot_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.json");
    std::fs::write(&wrong, r#"{"format": "something-else", "version": 1}"#).unwrap();
    let out = perimeter(&["scan", "--snapshot", wrong.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a perimeter snapshot"));
    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        r#"{"format": "perimeter-aws-snapshot", "version": 9}"#,
    )
    .unwrap();
    let out = perimeter(&["scan", "--snapshot", newer.to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("upgrade perimeter"));
}
