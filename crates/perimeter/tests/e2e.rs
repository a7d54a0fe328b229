//! End to end: the real binary on real files, checking exit codes, stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
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

fn families(report: &serde_json::Value) -> std::collections::BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["code"]
                .as_str()
                .unwrap()
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_string()
        })
        .collect()
}

#[test]
fn vulnerable_examples_fail_with_findings_of_five_families() {
    for example in ["examples/vulnerable-sam", "examples/vulnerable-serverless"] {
        let out = perimeter(&["scan", example, "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{example}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json_of(&out);
        let fams = families(&report);
        assert!(fams.len() >= 5, "{example}: only {fams:?}");
        assert!(
            report["errors"].as_array().unwrap().is_empty(),
            "{example}: {}",
            report["errors"]
        );
        let top = &report["functions"][0];
        assert!(
            top["score"].as_u64().unwrap() > 50,
            "{example}: top function {top}"
        );
        assert!(!top["reasons"].as_array().unwrap().is_empty());
    }
}

#[test]
fn clean_example_scans_clean() {
    let out = perimeter(&["scan", "examples/clean-sam", "--format", "json"]);
    let report = json_of(&out);
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        0,
        "{}",
        report["findings"]
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!report["functions"].as_array().unwrap().is_empty());
}

#[test]
fn text_report_ranks_functions_then_lists_findings() {
    let out = perimeter(&["scan", "examples/vulnerable-sam"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("\u{1b}["), "no colors when NO_COLOR is set");
    assert!(
        text.contains("template.yaml:"),
        "findings carry file:line: {text}"
    );
}

#[test]
fn sarif_output_is_json_with_results() {
    let out = perimeter(&["scan", "examples/vulnerable-sam", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif = json_of(&out);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn fail_on_threshold_controls_exit_code() {
    let out = perimeter(&[
        "scan",
        "examples/vulnerable-sam",
        "--fail-on",
        "never",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = perimeter(&["scan", "examples/vulnerable-sam", "--fail-on", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fail-on"));
}

#[test]
fn missing_path_is_an_error() {
    let out = perimeter(&["scan", "does/not/exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist"));
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let out = perimeter(&[
        "scan",
        "examples/vulnerable-sam",
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
}

#[test]
fn broken_files_are_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("template.yaml"), b"\x00\x01\x02 binary").unwrap();
    std::fs::write(
        dir.path().join("good.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: NONE\n",
    )
    .unwrap();
    let out = perimeter(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["file"] == "broken.yaml" && e["line"].as_u64().is_some()),
        "{errors:?}"
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "AUTH002")
    );
}

#[test]
fn nothing_loadable_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("serverless.yml"),
        "service: x\nfunctions: [\n",
    )
    .unwrap();
    let out = perimeter(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_and_explain() {
    let out = perimeter(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for code in [
        "AUTH001", "AUTH002", "IAM001", "SEC001", "DOW001", "LOG001", "DEP001", "SIGN001",
    ] {
        assert!(text.contains(code), "{code} missing from the catalog");
    }
    let out = perimeter(&["explain", "auth002"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("## What it does") && text.contains("## Remediation"),
        "{text}"
    );
    let out = perimeter(&["explain", "NOPE999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn secrets_never_printed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "AKIA2OGYBAH6STMMNXNN";
    std::fs::write(
        dir.path().join("template.yaml"),
        format!("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n      Environment:\n        Variables:\n          AWS_ACCESS_KEY_ID: {secret}\n"),
    )
    .unwrap();
    for format in ["text", "json", "sarif"] {
        let out = perimeter(&["scan", dir.path().to_str().unwrap(), "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("SEC0"), "{format}: secret not found:\n{all}");
        assert!(
            !all.contains(secret),
            "{format}: whole secret printed:\n{all}"
        );
    }
}

#[test]
fn snapshot_of_the_serverless_example() {
    let out = perimeter(&[
        "scan",
        "examples/vulnerable-serverless",
        "--as-of",
        "2026-11-01",
    ]);
    let rendered = format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(rendered);
}

#[test]
fn bad_as_of_is_an_error() {
    let out = perimeter(&["scan", "examples/clean-sam", "--as-of", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
}

const PUBLIC_URL_TEMPLATE: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n      FunctionUrlConfig:\n        AuthType: NONE # perimeter:ignore AUTH002 public webhook, verifies an HMAC itself\n";

#[test]
fn config_and_inline_ignores_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), PUBLIC_URL_TEMPLATE).unwrap();
    let out = perimeter(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let report = json_of(&out);
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"AUTH002"),
        "inline ignore applies: {codes:?}"
    );
    assert!(!codes.is_empty(), "other findings remain");

    // Turn everything else off in perimeter.toml: the scan is clean and exits 0.
    let mut toml = String::new();
    for code in codes.iter().collect::<std::collections::BTreeSet<_>>() {
        toml.push_str(&format!(
            "[[ignore]]\ncode = \"{code}\"\nreason = \"accepted for this test\"\n"
        ));
    }
    std::fs::write(dir.path().join("perimeter.toml"), toml).unwrap();
    let out = perimeter(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        json_of(&out)["summary"]["suppressed"]
            .as_u64()
            .map(|n| n > 0),
        Some(true)
    );
}

#[test]
fn invalid_config_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), PUBLIC_URL_TEMPLATE).unwrap();
    std::fs::write(
        dir.path().join("perimeter.toml"),
        "fail-on = \"high\"\n[[ignore]]\ncode = \"AUTH002\"\n",
    )
    .unwrap();
    let out = perimeter(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("perimeter.toml:2") && stderr.contains("reason"),
        "{stderr}"
    );
}

/// The planted flaws of a vulnerable example: every `# VULN: … (CODE, CODE)` / `// VULN: …`
/// marker (one at the end of a line marks that line; one on a line of its own marks the next
/// line) and every entry of the example's `MARKERS` file (for JSON lockfiles, which cannot carry
/// a comment), as (code, file, line). `planned` families are left out.
fn planted(example: &Path) -> std::collections::BTreeSet<(String, String, u64)> {
    let code_pattern = |word: &str| {
        let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = &word[letters.len()..];
        !letters.is_empty() && letters.chars().all(|c| c.is_ascii_uppercase()) && digits.len() == 3
    };
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![example.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path
                .strip_prefix(example)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if name == "MARKERS" {
                for line in text
                    .lines()
                    .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                {
                    let mut parts = line.splitn(3, ' ');
                    let (place, codes) = (parts.next().unwrap(), parts.next().unwrap());
                    let (file, number) = place.rsplit_once(':').unwrap();
                    for code in codes.split(',') {
                        out.insert((code.to_string(), file.to_string(), number.parse().unwrap()));
                    }
                }
                continue;
            }
            if name.ends_with(".md") {
                continue;
            }
            for (index, line) in text.lines().enumerate() {
                let Some((before, marker)) = line
                    .split_once("# VULN:")
                    .or_else(|| line.split_once("// VULN:"))
                else {
                    continue;
                };
                let Some(codes) = marker
                    .trim_end()
                    .strip_suffix(')')
                    .and_then(|m| m.rsplit_once('('))
                    .map(|(_, c)| c)
                else {
                    continue;
                };
                let own_line = before.trim().is_empty();
                let number = index as u64 + if own_line { 2 } else { 1 };
                for code in codes.split(',').map(str::trim).filter(|c| code_pattern(c)) {
                    out.insert((code.to_string(), rel.clone(), number));
                }
            }
        }
    }
    out
}

/// Recall and precision on our own planted flaws: with the examples' advisory database, every
/// marker of the vulnerable examples (IaC, handler code, requirements files, lockfiles) is
/// reported on its very line, and nothing is reported that no marker names.
#[test]
fn every_planted_flaw_is_found_on_its_line_and_nothing_else() {
    let all = ["AUTH", "IAM", "INJ", "SEC", "DEP", "DOW", "LOG"];
    let iac_only = ["AUTH", "IAM", "DOW", "LOG"];
    for (example, at_least, families) in [
        ("examples/vulnerable-sam", 40, &all[..]),
        ("examples/vulnerable-serverless", 40, &all[..]),
        // Smaller: two functions, IaC only.
        ("examples/vulnerable-terraform", 15, &iac_only[..]),
    ] {
        let out = perimeter(&[
            "scan",
            example,
            "--format",
            "json",
            "--vuln-db",
            "examples/osv",
        ]);
        let report = json_of(&out);
        let found: std::collections::BTreeSet<(String, String, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let loc = &f["location"];
                (
                    f["code"].as_str().unwrap().to_string(),
                    loc["file"].as_str().unwrap().to_string(),
                    loc["line"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected = planted(&repo().join(example));
        assert!(
            expected.len() >= at_least,
            "{example}: only {} markers",
            expected.len()
        );
        for family in families {
            assert!(
                expected.iter().any(|(code, ..)| code.starts_with(family)),
                "{example}: no {family} marker"
            );
        }
        let missing: Vec<String> = expected
            .difference(&found)
            .map(|(c, f, l)| format!("{example}/{f}:{l} {c}"))
            .collect();
        assert!(
            missing.is_empty(),
            "planted flaws not found on their line:\n{}",
            missing.join("\n")
        );
        let extra: Vec<String> = found
            .difference(&expected)
            .map(|(c, f, l)| format!("{example}/{f}:{l} {c}"))
            .collect();
        assert!(
            extra.is_empty(),
            "findings on no marker (false positives, or flaws nobody marked):\n{}",
            extra.join("\n")
        );
    }
}
