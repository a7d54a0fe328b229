//! End to end: `perimeter policy` on the example apps (the real binary, the code stage, the
//! embedded action map and catalog), its JSON shape, formats and errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn perimeter(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("run perimeter")
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn policy_json(example: &str) -> serde_json::Value {
    let out = perimeter(&["policy", example, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out)
}

#[test]
fn json_shape() {
    let report = policy_json("examples/vulnerable-sam");
    let top: Vec<&String> = report.as_object().expect("object").keys().collect();
    assert_eq!(top, ["functions"]);
    let functions = report["functions"].as_array().expect("functions");
    assert!(!functions.is_empty());
    for f in functions {
        for key in ["function", "policy", "evidence", "granted_unused"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert_eq!(f["policy"]["Version"], "2012-10-17");
        for s in f["policy"]["Statement"].as_array().expect("statements") {
            assert_eq!(s["Effect"], "Allow");
            assert!(!s["Action"].as_array().expect("actions").is_empty());
            assert!(!s["Resource"].as_array().expect("resources").is_empty());
        }
        for e in f["evidence"].as_array().expect("evidence") {
            for key in ["action", "file", "line", "call"] {
                assert!(e.get(key).is_some(), "{key} missing in {e}");
            }
        }
    }
}

#[test]
fn sam_example_snapshot() {
    let report = policy_json("examples/vulnerable-sam");
    // The upload function writes the table its environment names: the policy names it.
    let upload = report["functions"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["function"] == "UploadPhotoFunction"))
        .expect("UploadPhotoFunction");
    assert!(
        upload["policy"]["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .any(|s| s["Resource"][0] == serde_json::json!({"Fn::GetAtt": ["PhotosTable", "Arn"]})),
        "{upload}"
    );
    insta::assert_json_snapshot!("policy-vulnerable-sam", report);
}

#[test]
fn serverless_example_snapshot() {
    let report = policy_json("examples/vulnerable-serverless");
    insta::assert_json_snapshot!("policy-vulnerable-serverless", report);
}

#[test]
fn one_function_as_text_and_yaml() {
    let out = perimeter(&[
        "policy",
        "examples/vulnerable-sam",
        "--function",
        "UploadPhotoFunction",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Function UploadPhotoFunction (template.yaml)"),
        "{text}"
    );
    assert!(text.contains("Least-privilege policy:"));
    assert!(text.contains("Evidence:"));
    assert!(text.contains("Granted but unused (remove):"), "{text}");
    assert!(text.contains("Patch for template.yaml:"));
    assert!(!text.contains("Function ListPhotosFunction"));

    let out = perimeter(&[
        "policy",
        "examples/vulnerable-sam",
        "--function",
        "UploadPhotoFunction",
        "--format",
        "yaml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(
        yaml.starts_with("functions:\n  - function: UploadPhotoFunction\n"),
        "{yaml}"
    );
}

#[test]
fn unknown_function_is_an_error_listing_the_functions() {
    let out = perimeter(&["policy", "examples/vulnerable-sam", "--function", "Nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no function `Nope`"), "{err}");
    assert!(err.contains("UploadPhotoFunction (template.yaml)"), "{err}");
}

#[test]
fn missing_path_is_an_error() {
    let out = perimeter(&["policy", "examples/does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("policy.json");
    let file_arg = file.to_string_lossy().to_string();
    let out = perimeter(&[
        "policy",
        "examples/vulnerable-serverless",
        "-f",
        "json",
        "-o",
        &file_arg,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("json");
    assert!(
        written["functions"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
}

/// The two hand-kept tables agree: every SDK helper the code stage can report
/// (`perimeter_code::sdk::helpers::HELPERS`) is in the action map's exceptions table.
#[test]
fn every_helper_the_code_stage_reports_is_mapped() {
    use perimeter_iam::least_privilege::{Mapping, action_map};
    let missing: Vec<String> = perimeter_code::sdk::helpers::HELPERS
        .iter()
        .filter(|h| action_map().lookup(h.service, h.name) == Mapping::Unknown)
        .map(|h| format!("{} {}", h.service, h.name))
        .collect();
    assert!(
        missing.is_empty(),
        "not in sdk_actions_exceptions.tsv: {missing:?}"
    );
}

/// `!Ref`, `!GetAtt` and `!Sub` values in the environment all name the declared resource; a
/// literal in code becomes an ARN of the catalog's format; an unknown name a `*` pattern.
#[test]
fn environment_intrinsics_resolve_to_the_declared_resources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::fs::write(
        root.join("template.yaml"),
        r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: !Ref Table
          BUCKET_ARN: !GetAtt Bucket.Arn
          QUEUE_URL: !Sub "https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/${Queue.QueueName}"
      Policies:
        - Statement:
            - Effect: Allow
              Action: ['dynamodb:*', 's3:*', 'sqs:*', 'sns:Publish']
              Resource: '*'
"#,
    )
    .expect("template");
    std::fs::write(
        root.join("src/app.py"),
        r#"import os
import boto3

ddb = boto3.client("dynamodb")
s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def handler(event, context):
    ddb.put_item(TableName=os.environ["TABLE"], Item={})
    s3.upload_file("/tmp/x", os.environ["BUCKET_ARN"], "k")
    sqs.send_message_batch(QueueUrl=os.environ["QUEUE_URL"], Entries=[])
    boto3.client("secretsmanager").get_secret_value(SecretId="prod/db")
"#,
    )
    .expect("code");
    let path = root.to_string_lossy().to_string();
    let out = perimeter(&["policy", &path, "-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let f = &report["functions"][0];
    let resources_of = |action: &str| -> Vec<serde_json::Value> {
        f["policy"]["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .filter(|s| {
                s["Action"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == action))
            })
            .flat_map(|s| s["Resource"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    use serde_json::json;
    assert_eq!(
        resources_of("dynamodb:PutItem"),
        [json!({"Fn::GetAtt": ["Table", "Arn"]})],
        "{f}"
    );
    assert_eq!(
        resources_of("s3:PutObject"),
        [json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"})],
        "{f}"
    );
    assert_eq!(
        resources_of("sqs:SendMessage"),
        [json!({"Fn::GetAtt": ["Queue", "Arn"]})],
        "{f}"
    );
    assert_eq!(
        resources_of("secretsmanager:GetSecretValue"),
        [
            json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-??????"})
        ],
        "{f}"
    );
    assert_eq!(f["complete"], true, "{f}");
    let unused: Vec<&str> = f["granted_unused"]
        .as_array()
        .expect("unused")
        .iter()
        .filter_map(|u| u["action"].as_str())
        .collect();
    assert_eq!(
        unused,
        ["dynamodb:*", "s3:*", "sqs:*", "sns:Publish"],
        "{f}"
    );
    assert_eq!(f["patch"]["kind"], "sam-function-policies");
    assert!(
        f["patch"]["yaml"]
            .as_str()
            .is_some_and(|y| y.contains("!GetAtt Table.Arn")),
        "{f}"
    );
}
