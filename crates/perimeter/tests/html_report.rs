//! End to end: `perimeter scan examples/vulnerable-sam --format html` renders in headless
//! Chromium. The report's script must run (under the page's own Content-Security-Policy),
//! every function must appear in the DOM, and the attack graph must be drawn (SVG nodes
//! created by the script). A screenshot is kept as `target/test-artifacts/report.png`.
//!
//! Chromium is Debian's `chromium` (`apt-get install -y chromium`, done by `.ci/run`), or the
//! binary named by `PERIMETER_CHROMIUM`. The test fails, never skips, when it is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Longest a Chromium run may take before the test gives up (a hung browser must not hang CI).
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);

fn chromium() -> PathBuf {
    let path = std::env::var_os("PERIMETER_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "headless Chromium is needed by this test and was not found at {}: install it with \
         `apt-get install -y chromium` (as .ci/run does) or set PERIMETER_CHROMIUM to its path",
        path.display()
    );
    path
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/vulnerable-sam")
}

fn perimeter(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .env_remove("PERIMETER_LINK_BASE")
        .output()
        .expect("run perimeter");
    // 1: findings at or above --fail-on; anything else is a failure of the scan itself.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "perimeter {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs headless Chromium on `page` with the isolation flags, a fresh profile, and enough
/// virtual time for the page's script to run; returns its standard output.
fn run_chromium(page: &Path, extra: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    // Output goes to files, not pipes: a DOM larger than a pipe's buffer would block Chromium
    // while this test waits for it to exit.
    let stdout_path = profile.path().join("stdout");
    let stderr_path = profile.path().join("stderr");
    let stdout = std::fs::File::create(&stdout_path).expect("stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "chromium failed ({status}): {}",
        std::fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    std::fs::read_to_string(&stdout_path).expect("chromium's output")
}

/// The value of `name="…"` on the element that has `id="<id>"`.
fn attribute_of(dom: &str, id: &str, name: &str) -> Option<String> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = start + dom[start..].find('>')?;
    let tag = &dom[start..end];
    let key = format!("{name}=\"");
    let from = tag.find(&key)? + key.len();
    let to = from + tag[from..].find('"')?;
    Some(tag[from..to].to_string())
}

#[test]
fn the_html_report_renders_in_chromium_with_every_function_and_the_graph() {
    let _ = chromium();
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.html");
    let root = example();
    let root_arg = root.to_str().expect("utf-8 path");
    perimeter(&[
        "scan",
        root_arg,
        "--format",
        "html",
        "--output",
        report.to_str().expect("utf-8 path"),
    ]);
    let html = std::fs::read_to_string(&report).expect("the report was written");
    assert!(html.starts_with("<!DOCTYPE html>"));

    // The functions to find, from the JSON contract of the same scan.
    let json = perimeter(&["scan", root_arg, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    let functions: Vec<String> = doc["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(functions.len(), 5, "{functions:?}");

    let dom = run_chromium(&report, &["--dump-dom".to_string()]);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the report's script did not run (blocked by the CSP?)"
    );
    for name in &functions {
        assert!(
            dom.contains(name.as_str()),
            "function {name} missing from the DOM"
        );
    }
    // The graph: nodes and edges created by the script (none are in the file itself).
    assert!(
        !html.contains("class=\"node "),
        "graph nodes must come from the script"
    );
    let drawn: usize = attribute_of(&dom, "graph", "data-nodes")
        .and_then(|n| n.parse().ok())
        .expect("the script marks how many nodes it drew");
    let nodes = dom.matches("<g class=\"node ").count();
    assert_eq!(nodes, drawn);
    assert!(nodes >= functions.len() + 3, "{nodes} graph nodes");
    assert!(dom.matches("<path class=\"edge").count() >= functions.len());
    for name in &functions {
        assert!(
            dom.contains(&format!("<text x=\"8\" y=\"18\">{name}</text>")),
            "function {name} has no node in the graph"
        );
    }
    // Filters and pagination ran: the pager says how many functions are listed.
    assert!(dom.contains("(5 of 5 functions)"));

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let shot = artifacts.join("report.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &report,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,2200".to_string(),
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 20_000, "screenshot suspiciously small");
}
