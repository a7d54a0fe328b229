//! `perimeter shield check` end to end: the real binary on temporary files.

use serde_json::Value;
use std::io::Write as _;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .output()
        .expect("run perimeter");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(content.as_bytes()).expect("write");
    f
}

fn jsonl(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn events_one_verdict_per_line_in_order() {
    let events = [
        r#"{"resource":"/x","path":"/x","httpMethod":"GET","queryStringParameters":{"id":"1' OR '1'='1"},"headers":{}}"#,
        r#"{"Records":[{"eventSource":"aws:s3","s3":{"object":{"key":"photos/cat+1.png"}}}]}"#,
        "this is not json",
        r#"{"resource":"/x","path":"/x","httpMethod":"GET","queryStringParameters":{"next":"http://localhost:8080/"},"headers":{}}"#,
    ]
    .join("\n");
    let f = file(&events);
    let (code, stdout, stderr) = run(&["shield", "check", "--events", f.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let lines = jsonl(&stdout);
    assert_eq!(lines.len(), 4);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["line"], i + 1);
    }
    assert_eq!(lines[0]["verdict"], "block");
    assert_eq!(lines[0]["source"], "apigateway-rest");
    assert_eq!(lines[0]["detections"][0]["kind"], "sqli");
    assert_eq!(
        lines[0]["detections"][0]["path"],
        "$.queryStringParameters.id"
    );
    assert!(lines[0]["detections"][0]["confidence"].as_f64().unwrap() >= 0.8);
    assert_eq!(lines[1]["verdict"], "pass");
    assert_eq!(lines[1]["source"], "s3");
    assert_eq!(lines[1]["detections"].as_array().unwrap().len(), 0);
    assert_eq!(lines[2]["verdict"], "error");
    assert!(lines[2]["error"].as_str().unwrap().contains("not JSON"));
    assert_eq!(lines[3]["verdict"], "alert");
    assert_eq!(lines[3]["detections"][0]["kind"], "ssrf");
}

#[test]
fn lines_mode_and_exit_zero_when_clean() {
    let f = file("hello world\nO'Brien\n/pets/42\n");
    let (code, stdout, _) = run(&["shield", "check", "--lines", f.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    let lines = jsonl(&stdout);
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["verdict"] == "pass"));

    let f = file("fine\n<script>alert(1)</script>\n; cat /etc/passwd\n");
    let (code, stdout, _) = run(&[
        "shield",
        "check",
        "--lines",
        f.path().to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 1);
    let kinds: Vec<Vec<String>> = jsonl(&stdout)
        .iter()
        .map(|l| {
            l["detections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["kind"].as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert!(kinds[0].is_empty());
    assert!(kinds[1].contains(&"xss".to_string()));
    assert!(kinds[2].contains(&"cmdi".to_string()));
}

#[test]
fn text_format() {
    let f = file("../../../etc/passwd\n");
    let (code, stdout, _) = run(&[
        "shield",
        "check",
        "--lines",
        f.path().to_str().unwrap(),
        "--format",
        "text",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("line 1: block"), "{stdout}");
    assert!(stdout.contains("path-traversal"), "{stdout}");
}

#[test]
fn unreadable_file_is_exit_two() {
    let (code, stdout, stderr) = run(&[
        "shield",
        "check",
        "--events",
        "/nonexistent/perimeter-shield-events.jsonl",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn input_mode_is_required_and_exclusive() {
    let (code, _, _) = run(&["shield", "check"]);
    assert_eq!(code, 2);
    let f = file("x\n");
    let p = f.path().to_str().unwrap();
    let (code, _, _) = run(&["shield", "check", "--events", p, "--lines", p]);
    assert_eq!(code, 2);
}

#[test]
fn invalid_utf8_lines_do_not_crash() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(b"ok\n\xff\xfe<script>\n").unwrap();
    let (code, stdout, _) = run(&["shield", "check", "--lines", f.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(jsonl(&stdout).len(), 2);
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(b"{\"body\": \"\xff\"}\n").unwrap();
    let (code, stdout, _) = run(&["shield", "check", "--events", f.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(jsonl(&stdout)[0]["verdict"], "error");
}
