//! End to end on other clouds and CDK apps: the real binary on `examples/vulnerable-azure`
//! (an Azure Functions project) and `examples/vulnerable-gcp` (a Serverless service on Google
//! Cloud), checked against their `VULN:` markers and `MARKERS` files, and on CDK apps with and
//! without synthesized output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
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

/// Rules whose subject exists on AWS only (Lambda log groups, Lambda code signing, Lambda
/// asynchronous-invocation destinations). They still fire on Azure and GCP functions until
/// they look at `App.cloud`; findings of these codes are tolerated, never required.
const AWS_ONLY: &[&str] = &["LOG001", "LOG004", "SIGN001"];

/// `(file, line, code)` of every checked marker: `VULN: what (CODES)` comments (an own-line
/// comment marks the next line) and `MARKERS` lines. `planned` families are skipped.
fn markers(root: &Path) -> Vec<(String, u64, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("example folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if rel == "MARKERS" {
                for line in text
                    .lines()
                    .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                {
                    let mut parts = line.splitn(3, ' ');
                    let place = parts.next().unwrap_or_default();
                    let codes = parts.next().unwrap_or_default();
                    let (file, number) = place.rsplit_once(':').expect("file:line");
                    for code in codes.split(',') {
                        out.push((
                            file.to_string(),
                            number.parse().expect("line"),
                            code.to_string(),
                        ));
                    }
                }
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                let Some(at) = line.find("VULN:") else {
                    continue;
                };
                let before = line[..at].trim_end_matches(['#', '/', ' ']).trim();
                let number = if before.is_empty() { i + 2 } else { i + 1 } as u64;
                let codes = line
                    .rsplit_once('(')
                    .and_then(|(_, c)| c.trim_end().strip_suffix(')'))
                    .unwrap_or_default();
                for code in codes.split(',') {
                    out.push((rel.clone(), number, code.trim().to_string()));
                }
            }
        }
    }
    out.retain(|(_, _, code)| {
        code.len() > 3 && code[code.len() - 3..].chars().all(|c| c.is_ascii_digit())
    });
    out.sort();
    out
}

fn check_example(example: &str) -> serde_json::Value {
    let out = perimeter(&["scan", example, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{example}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let findings = report["findings"].as_array().expect("findings");
    let at = |f: &serde_json::Value| -> Vec<(String, u64)> {
        std::iter::once(&f["location"])
            .chain(
                f["related"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| &r["location"]),
            )
            .map(|l| {
                (
                    l["file"].as_str().unwrap_or_default().to_string(),
                    l["line"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    let marked = markers(&repo().join(example));
    assert!(marked.len() >= 3, "{example}: markers {marked:?}");
    let mut used = BTreeSet::new();
    let mut missed = Vec::new();
    for (file, line, code) in &marked {
        let hits: Vec<usize> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f["code"] == code.as_str() && at(f).contains(&(file.clone(), *line)))
            .map(|(i, _)| i)
            .collect();
        if hits.is_empty() {
            missed.push(format!("{code} {file}:{line}"));
        }
        used.extend(hits);
    }
    let extra: Vec<String> = findings
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            !used.contains(i) && !AWS_ONLY.contains(&f["code"].as_str().unwrap_or_default())
        })
        .map(|(_, f)| format!("{} {}", f["code"], f["message"]))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{example}: missed {missed:#?}\nextra {extra:#?}"
    );
    report
}

#[test]
fn vulnerable_azure_project() {
    let report = check_example("examples/vulnerable-azure");
    assert_eq!(report["summary"]["functions"], 3);
    let triggers: Vec<String> = report["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .flat_map(|f| f["triggers"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    assert!(
        triggers
            .iter()
            .any(|t| t == "function-url POST /api/orders/{id?} (no auth)"),
        "{triggers:?}"
    );
}

#[test]
fn vulnerable_gcp_service() {
    let report = check_example("examples/vulnerable-gcp");
    assert_eq!(report["summary"]["functions"], 3);
}

#[test]
fn cdk_apps() {
    let fixtures = "crates/perimeter_load/tests/fixtures/cdk";
    let out = perimeter(&["scan", &format!("{fixtures}/unsynthesized")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cdk.json: CDK app without synthesized output")
            && stdout.contains("run `cdk synth`"),
        "{stdout}"
    );
    assert_ne!(out.status.code(), Some(0));

    let out = perimeter(&["scan", &format!("{fixtures}/synthesized")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  construct: Stack/Handler/Resource"),
        "{text}"
    );
    let report = json_of(&perimeter(&[
        "scan",
        &format!("{fixtures}/synthesized"),
        "--format",
        "json",
    ]));
    let paths: BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["construct_path"].as_str())
        .collect();
    assert!(paths.contains("Stack/Handler/Resource"), "{paths:?}");
}
