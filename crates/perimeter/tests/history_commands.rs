//! `scan --record/--db`, `perimeter history` and `perimeter diff` on the real binary, with two
//! versions of an app in two folders.

use std::path::Path;
use std::process::{Command, Output};

#[path = "support/history_app.rs"]
mod app;
use app::{V1, V2, write_app};

fn perimeter(args: &[&str], data_home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_DATA_HOME", data_home)
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

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(out)))
}

#[test]
fn records_lists_and_diffs_scans() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("v1"), tmp.path().join("v2"));
    write_app(&a, V1, "one");
    write_app(&b, V2, "two");
    let data = tmp.path().join("data");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    // `--record` uses the data directory.
    let out = perimeter(&["scan", a, "--record", "--fail-on", "never"], &data);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let db = data.join("perimeter/history.sqlite3");
    assert!(db.is_file(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("recorded scan #1"));
    let out = perimeter(&["scan", b, "--record", "--fail-on", "never"], &data);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let out = perimeter(&["history"], &data);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.lines().next().unwrap().contains("functions"),
        "{listing}"
    );
    assert_eq!(listing.lines().count(), 3, "{listing}");

    let out = perimeter(&["history", "--format", "json", "--limit", "1"], &data);
    let list = json(&out);
    assert_eq!(list["schema_version"], 1);
    let scans = list["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0]["id"], 2);
    assert_eq!(scans[0]["functions"], 2);
    assert_eq!(scans[0]["source"], b);
    assert!(scans[0]["top_score"].as_u64().unwrap() > 0);

    // Two folders: functions match by their path relative to each root (`template.yaml#Orders`).
    let out = perimeter(&["diff", "--scan", "1", "--scan", "2", "-f", "json"], &data);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let d = json(&out);
    assert_eq!(d["mode"], "changes");
    assert_eq!(d["matched"], 1);
    assert_eq!(d["left"], a);

    // The same folder twice, then changed: --since-last sees only the change.
    let db_arg = db.to_str().unwrap();
    let c = tmp.path().join("app");
    write_app(&c, V1, "one");
    let c = c.to_str().unwrap();
    for template in [V1, V2] {
        write_app(Path::new(c), template, "one");
        let out = perimeter(&["scan", c, "--db", db_arg, "--fail-on", "never"], &data);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let out = perimeter(
        &["diff", "--since-last", "--db", db_arg, "-f", "json"],
        &data,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let d = json(&out);
    assert_eq!(d["matched"], 1, "{d:#}");
    let kinds: Vec<&str> = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    for expected in [
        "function-added",
        "new-public-entry",
        "permissions-grown",
        "environment-changed",
        "score-risen",
        "finding-new",
    ] {
        assert!(kinds.contains(&expected), "{expected} not in {kinds:?}");
    }
    // Names only: the value never reaches the report or the database.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("orders-secret-value"));
    let raw = std::fs::read(&db).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("orders-secret-value"));

    let out = perimeter(&["diff", "--since-last", "--db", db_arg], &data);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("new public entry: api GET /orders (no auth)"),
        "{report}"
    );
    assert!(report.contains("environment: changed TABLE"), "{report}");

    let out = perimeter(
        &["diff", "--scan", "1", "--scan", "99", "--db", db_arg],
        &data,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no scan 99"));
}

#[test]
fn diffs_two_iac_folders_and_exits_by_result() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    write_app(&a, V1, "one");
    write_app(&b, V1, "one");
    write_app(&c, V1, "changed code");
    let data = tmp.path().join("data");
    let p = |d: &Path| d.to_str().unwrap().to_string();

    let out = perimeter(&["diff", "--iac", &p(&a), "--iac", &p(&b)], &data);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no changes"));

    let out = perimeter(
        &["diff", "--iac", &p(&a), "--iac", &p(&c), "-f", "json"],
        &data,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let d = json(&out);
    assert_eq!(d["changes"][0]["kind"], "code-changed", "{d:#}");

    // One side only, or a snapshot that does not exist: errors.
    let out = perimeter(&["diff", "--iac", &p(&a)], &data);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = perimeter(
        &["diff", "--iac", &p(&a), "--snapshot", "/nonexistent.json"],
        &data,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // No history yet.
    let out = perimeter(&["history"], &data);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no history yet"));
}
