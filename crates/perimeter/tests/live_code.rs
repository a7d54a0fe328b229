//! `scan --aws --code` end to end: the real binary reads a moto server, downloads each zip
//! function's package and its layers into memory, checks them against `CodeSha256`, and the
//! code, secret and dependency stages report at the function's ARN.
//!
//! moto answers `GetFunction` with a `Code.Location` on a host that does not exist and
//! `GetLayerVersion` with `s3://`, so the packages are served by a loopback HTTP server in this
//! test, which the collector is pointed at with the test-only
//! `PERIMETER_TEST_CODE_BASE_URL`. Everything else is real: the API calls, the hashes moto
//! computed at upload, the download with its caps, the zip reading. The downloader itself
//! (size caps from `Content-Length` and while streaming, hash mismatch, refused URLs) is
//! unit-tested in `perimeter_aws::collect::download`.
//!
//! Scenario (`fixtures/live/setup_code.py`): `orders` with a GitHub token in a module and an
//! OS command built from the event, using the layer `deps:1` (PyYAML 5.3 pinned); `tampered`
//! whose served bytes differ from what was deployed (and that shares the layer); `bomb` with a
//! zip-bomb entry; `container`, an image function.

#[path = "support/moto.rs"]
mod moto;

use moto::Moto;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const ORDERS: &str = "arn:aws:lambda:us-east-1:123456789012:function:orders";
const LAYER: &str = "arn:aws:lambda:us-east-1:123456789012:layer:deps:1";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live")
}

fn advisories() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/advisories/osv-pypi")
}

/// Serves the files under `root` by path (`GET /function/orders`), counting the requests.
fn serve(root: PathBuf) -> (String, Arc<Mutex<BTreeMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(BTreeMap::new()));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            *counted.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
            let file = root.join(path.trim_start_matches('/'));
            let response = match std::fs::read(&file) {
                Ok(body) if !path.contains("..") => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/zip\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    (base, hits)
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

/// `(code, resource, location file)` of every finding.
fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (s(&f["code"]), s(&f["resource"]), s(&f["location"]["file"]))
        })
        .collect()
}

#[test]
fn code_of_a_live_account_is_downloaded_verified_and_scanned_in_memory() {
    let moto = Moto::start();
    let served = tempfile::tempdir().unwrap();
    let setup = Command::new(moto::python())
        .arg(fixtures().join("setup_code.py"))
        .arg(served.path())
        .envs(moto.env())
        .output()
        .expect("run setup_code.py");
    assert!(
        setup.status.success(),
        "setup_code.py failed: {}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let (base, hits) = serve(served.path().to_path_buf());
    let mut env = moto.env();
    env.push(("PERIMETER_TEST_CODE_BASE_URL", base));
    env.push(("PERIMETER_VULN_DB_MAX_AGE_DAYS", "100000".into()));
    let out_dir = tempfile::tempdir().unwrap();
    let snap = out_dir.path().join("account.json");
    let vuln_db = advisories();
    let args = [
        "scan",
        "--aws",
        "--code",
        "--metrics-days",
        "0",
        "--format",
        "json",
        "--vuln-db",
        vuln_db.to_str().unwrap(),
        "--save-snapshot",
        snap.to_str().unwrap(),
    ];
    let live = perimeter(&args, &env);
    let stderr = String::from_utf8_lossy(&live.stderr).to_string();
    assert_eq!(live.status.code(), Some(1), "{stderr}");
    let report: Value =
        serde_json::from_slice(&live.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
    let found = findings(&report);

    // The planted secret and the injectable handler, at the function's ARN and the path inside
    // its package.
    let at = |code: &str, file: &str| {
        found
            .iter()
            .any(|(c, r, f)| c == code && r == "orders" && f == file)
    };
    assert!(
        at("SEC003", &format!("{ORDERS}!/src/settings.py")),
        "{found:#?}\n{stderr}"
    );
    assert!(
        at("INJ001", &format!("{ORDERS}!/src/app.py")),
        "{found:#?}\n{stderr}"
    );
    // The layer's lockfile, read from the layer version's content.
    assert!(
        found
            .iter()
            .any(|(c, _, f)| c == "DEP002" && f == &format!("{LAYER}!/python/requirements.txt")),
        "{found:#?}\n{stderr}"
    );

    // A package that does not match its CodeSha256 is refused: a gap, nothing from it (its
    // configuration findings remain).
    assert!(
        stderr.contains("code of function tampered is not scanned: the bytes downloaded do not match the deployed CodeSha256"),
        "{stderr}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, _, f)| f.contains(":function:tampered!")),
        "{found:#?}"
    );
    // The zip bomb's entry is refused; the rest of the scan goes on.
    assert!(
        stderr.contains("code of function bomb is not fully scanned")
            && stderr.contains("zip bomb"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "code of image function container is not scanned: container images are not downloaded"
        ),
        "{stderr}"
    );

    // Each package fetched once; the layer shared by `orders` and `tampered` once.
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.get("/layer/deps/1"), Some(&1), "{hits:?}");
    assert_eq!(hits.get("/function/orders"), Some(&1), "{hits:?}");
    assert_eq!(hits.get("/function/container"), None, "{hits:?}");

    // The snapshot holds no code and no secret found in code.
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(!text.contains("ghp_"), "secret in the snapshot");
    assert!(!text.contains("os.system"), "code in the snapshot");
    assert!(!text.contains("settings.py"), "code facts in the snapshot");

    // Text output shows the same locations.
    let text_args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "json" && *a != "--format")
        .take_while(|a| *a != "--save-snapshot")
        .collect();
    let text_out = perimeter(&text_args, &env);
    let shown = String::from_utf8_lossy(&text_out.stdout);
    assert!(
        shown.contains(&format!("{ORDERS}!/src/app.py:6")),
        "{shown}"
    );
}
