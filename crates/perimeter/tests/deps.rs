//! End to end for the advisory database: `db update` against a local HTTP server started here
//! (never the internet), `db status`, and how `scan` reports a missing, stale or unreadable
//! database.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs the binary with a private, empty cache and no database from the environment.
fn perimeter(args: &[&str], env: &[(&str, &str)], cache: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_perimeter"));
    cmd.args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache)
        .env("HOME", cache)
        .env_remove("PERIMETER_VULN_DB")
        .env_remove("PERIMETER_VULN_DB_MAX_AGE_DAYS")
        .env_remove("PERIMETER_OSV_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run perimeter")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The hand-written npm records, zipped as OSV's `npm/all.zip` export is.
fn npm_export() -> Vec<u8> {
    let records = repo().join("crates/perimeter_deps/tests/osv/npm");
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut entries: Vec<_> = std::fs::read_dir(records).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            zip.start_file(entry.file_name().to_string_lossy(), options)
                .unwrap();
            zip.write_all(&std::fs::read(entry.path()).unwrap())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    buffer.into_inner()
}

/// Serves `/npm/all.zip` (and 404 for anything else) for `requests` connections, on loopback.
fn serve(body: Vec<u8>, requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut paths = Vec::new();
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string();
            if path == "/npm/all.zip" {
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .unwrap();
                stream.write_all(&body).unwrap();
            } else {
                stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .unwrap();
            }
            paths.push(path);
        }
        paths
    });
    (url, handle)
}

#[test]
fn db_update_downloads_exports_atomically_and_status_describes_them() {
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("db");
    let db_arg = db.to_str().unwrap();
    let (url, server) = serve(npm_export(), 2);

    let out = perimeter(
        &["db", "update", "--ecosystem", "npm", "--dir", db_arg],
        &[("PERIMETER_OSV_URL", &url)],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(db.join("npm/all.zip").is_file());
    assert!(stdout.contains("npm: "), "{stdout}");
    assert!(stdout.contains("npm              4 records"), "{stdout}");
    assert!(stdout.contains("updated:  2024-02-20"), "{stdout}");
    assert!(stdout.contains("stale: older than 7 days"), "{stdout}");

    // A failed download (404) is an error and leaves the previous export and no temp file.
    let out = perimeter(
        &["db", "update", "--ecosystem", "PyPI", "--dir", db_arg],
        &[("PERIMETER_OSV_URL", &url)],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("HTTP 404"),
        "{}",
        text(&out.stderr)
    );
    assert!(db.join("npm/all.zip").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(db.join("PyPI"))
        .unwrap()
        .flatten()
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(server.join().unwrap(), ["/npm/all.zip", "/PyPI/all.zip"]);

    // `status` reads the same folder, and the staleness threshold is configurable.
    let out = perimeter(
        &["db", "status", "--dir", db_arg],
        &[("PERIMETER_VULN_DB_MAX_AGE_DAYS", "100000")],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("fresh"), "{}", text(&out.stdout));
}

#[test]
fn db_status_without_a_database_says_how_to_get_one() {
    let cache = tempfile::tempdir().unwrap();
    let out = perimeter(&["db", "status"], &[], cache.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&cache.path().join("perimeter/osv").display().to_string()),
        "{stdout}"
    );
    assert!(stdout.contains("perimeter db update"), "{stdout}");
}

#[test]
fn unknown_ecosystem_is_refused_before_any_download() {
    let cache = tempfile::tempdir().unwrap();
    let out = perimeter(
        &["db", "update", "--ecosystem", "cocoapods"],
        &[],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown ecosystem `cocoapods`"));
}

#[test]
fn scan_warns_on_a_stale_database_and_fails_on_a_missing_one() {
    let cache = tempfile::tempdir().unwrap();
    let records = repo().join("crates/perimeter_deps/tests/osv/npm");
    let records = records.to_str().unwrap();
    let args = [
        "scan",
        "examples/clean-sam",
        "--fail-on",
        "never",
        "--vuln-db",
        records,
    ];
    let out = perimeter(&args, &[], cache.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is ") && stderr.contains("days old (stale after 7 days)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("perimeter db update").count(), 1, "{stderr}");

    let out = perimeter(
        &args,
        &[("PERIMETER_VULN_DB_MAX_AGE_DAYS", "100000")],
        cache.path(),
    );
    assert!(
        !text(&out.stderr).contains("stale"),
        "{}",
        text(&out.stderr)
    );

    let out = perimeter(
        &[
            "scan",
            "examples/clean-sam",
            "--vuln-db",
            "/nonexistent/osv",
        ],
        &[],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/nonexistent/osv"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scan_without_any_database_is_quiet_when_nothing_has_dependencies() {
    let cache = tempfile::tempdir().unwrap();
    // The template alone: no code folder, so no dependencies (even once the code stage runs).
    let app = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("examples/clean-sam/template.yaml"),
        app.path().join("template.yaml"),
    )
    .unwrap();
    let out = perimeter(
        &["scan", app.path().to_str().unwrap(), "--fail-on", "never"],
        &[],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("not checked"),
        "{}",
        text(&out.stderr)
    );
}
