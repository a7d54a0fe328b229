//! End to end on a real CDK app: `examples/vulnerable-cdk` (synthesized by `cdk synth`: a stack
//! with a `NestedStack`, function and layer code in `asset.*` folders, a second stack in a
//! `Stage`). Every planted flaw listed in its `MARKERS` file, and every `VULN:` comment in the
//! handler code CDK copied into `cdk.out`, is reported on its line, nothing else is, and the
//! findings in templates name their construct path. Fails if nested stacks or assets stop
//! being followed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = "examples/vulnerable-cdk";

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

fn scan(target: &str) -> serde_json::Value {
    let out = perimeter(&[
        "scan",
        target,
        "--format",
        "json",
        "--vuln-db",
        "examples/osv",
        "--as-of",
        "2026-11-01",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `(code, file, line)` of each planted flaw: the `MARKERS` lines (templates and other JSON
/// cannot carry comments) and the `VULN: what (CODES)` comments of files under `cdk.out/` (the
/// handler and layer copies CDK deploys; an own-line comment marks the next line).
fn planted(root: &Path) -> BTreeSet<(String, String, u64)> {
    let mut out = BTreeSet::new();
    let text = std::fs::read_to_string(root.join("MARKERS")).expect("MARKERS");
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut parts = line.splitn(3, ' ');
        let place = parts.next().unwrap_or_default();
        let codes = parts.next().unwrap_or_default();
        let (file, number) = place.rsplit_once(':').expect("file:line");
        for code in codes.split(',') {
            out.insert((
                code.to_string(),
                file.to_string(),
                number.parse().expect("line"),
            ));
        }
    }
    let mut stack = vec![root.join("cdk.out")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            for (i, line) in text.lines().enumerate() {
                let Some((before, marker)) = line
                    .split_once("# VULN:")
                    .or_else(|| line.split_once("// VULN:"))
                else {
                    continue;
                };
                let Some((_, codes)) = marker
                    .trim_end()
                    .strip_suffix(')')
                    .and_then(|m| m.rsplit_once('('))
                else {
                    continue;
                };
                let number = i as u64 + if before.trim().is_empty() { 2 } else { 1 };
                for code in codes.split(',').map(str::trim) {
                    out.insert((code.to_string(), rel.clone(), number));
                }
            }
        }
    }
    out
}

fn found(report: &serde_json::Value, prefix: &str) -> BTreeSet<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let loc = &f["location"];
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                format!("{prefix}{}", loc["file"].as_str().unwrap_or_default()),
                loc["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn every_planted_flaw_of_the_cdk_app_is_found_on_its_line_and_nothing_else() {
    let expected = planted(&repo().join(EXAMPLE));
    assert!(expected.len() >= 15, "only {} markers", expected.len());
    let report = scan(EXAMPLE);
    let got = found(&report, "");
    let missing: Vec<String> = expected
        .difference(&got)
        .map(|(c, f, l)| format!("{f}:{l} {c}"))
        .collect();
    let extra: Vec<String> = got
        .difference(&expected)
        .map(|(c, f, l)| format!("{f}:{l} {c}"))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "planted flaws not found on their line:\n{}\nfindings on no marker:\n{}",
        missing.join("\n"),
        extra.join("\n")
    );
    // What only works when the nested stack and the assets are followed.
    let in_file = |needle: &str| got.iter().any(|(_, f, _)| f.contains(needle));
    assert!(in_file(".nested.template.json"), "nested stack not loaded");
    assert!(in_file("cdk.out/asset."), "asset code not scanned");
    assert!(in_file("assembly-Prod/"), "Stage assembly not loaded");
    // Findings in templates name their construct.
    for f in report["findings"].as_array().expect("findings") {
        let file = f["location"]["file"].as_str().unwrap_or_default();
        if file.ends_with(".template.json") {
            let path = f["construct_path"].as_str().unwrap_or_default();
            assert!(
                path.starts_with("OrdersStack/") || path.starts_with("Prod/Reports/"),
                "{} at {file}:{} has construct path {path:?}",
                f["code"],
                f["location"]["line"]
            );
        }
    }
}

#[test]
fn the_cloud_assembly_folder_gives_the_same_findings() {
    let project = found(&scan(EXAMPLE), "");
    let assembly = found(&scan(&format!("{EXAMPLE}/cdk.out")), "cdk.out/");
    assert_eq!(project, assembly);
}
