//! A loopback stand-in for Lambda: serves the Runtime API and the Extensions API (the documented HTTP
//! contract), runs the real `perimeter-shield` binary as the extension, and a real runtime client (Python's
//! `awslambdaric`, through the layer's wrapper script) as the function.
//!
//! Events are queued with [`FakeLambda::push`]; what the function (or the extension on its behalf) answered is
//! read back, in arrival order, with [`FakeLambda::outcomes`].

#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What came back for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response {
        id: String,
        body: Bytes,
        content_type: Option<String>,
    },
    Error {
        id: String,
        error_type: Option<String>,
        body: Bytes,
    },
}

impl Outcome {
    pub fn id(&self) -> &str {
        match self {
            Outcome::Response { id, .. } | Outcome::Error { id, .. } => id,
        }
    }
    pub fn json(&self) -> Value {
        let b = match self {
            Outcome::Response { body, .. } | Outcome::Error { body, .. } => body,
        };
        serde_json::from_slice(b).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct Recorded {
    outcomes: Vec<Outcome>,
    registered_at: Option<Instant>,
    registered_name: Option<String>,
    ext_errors: Vec<(String, String)>,
    init_errors: Vec<Bytes>,
    siem_batches: Vec<Value>,
    served: usize,
}

struct Inner {
    events_tx: mpsc::UnboundedSender<(String, Bytes)>,
    events_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<(String, Bytes)>>,
    ext_tx: mpsc::UnboundedSender<Value>,
    ext_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<Value>>,
    rec: Mutex<Recorded>,
}

/// The fake Lambda service.
pub struct FakeLambda {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    pub rt: tokio::runtime::Runtime,
}

impl FakeLambda {
    pub fn start() -> FakeLambda {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (ext_tx, ext_rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            events_tx,
            events_rx: tokio::sync::Mutex::new(events_rx),
            ext_tx,
            ext_rx: tokio::sync::Mutex::new(ext_rx),
            rec: Mutex::new(Recorded::default()),
        });
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let served = inner.clone();
        rt.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let inner = served.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| serve(inner.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        FakeLambda { addr, inner, rt }
    }

    /// Queues one event for the Runtime API's `next`.
    pub fn push(&self, id: &str, body: impl Into<Bytes>) {
        let _ = self.inner.events_tx.send((id.to_string(), body.into()));
    }

    /// Sends SHUTDOWN to the extension.
    pub fn shutdown(&self) {
        let _ = self.inner.ext_tx.send(serde_json::json!({"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": 0}));
    }

    pub fn outcomes(&self) -> Vec<Outcome> {
        self.inner.rec.lock().unwrap().outcomes.clone()
    }

    pub fn ext_errors(&self) -> Vec<(String, String)> {
        self.inner.rec.lock().unwrap().ext_errors.clone()
    }

    pub fn siem_batches(&self) -> Vec<Value> {
        self.inner.rec.lock().unwrap().siem_batches.clone()
    }

    pub fn registered_at(&self) -> Option<Instant> {
        self.inner.rec.lock().unwrap().registered_at
    }

    pub fn registered_name(&self) -> Option<String> {
        self.inner.rec.lock().unwrap().registered_name.clone()
    }

    /// Waits until `n` outcomes were recorded (or panics after `limit`).
    pub fn wait_outcomes(&self, n: usize, limit: Duration) -> Vec<Outcome> {
        let t = Instant::now();
        loop {
            let o = self.outcomes();
            if o.len() >= n {
                return o;
            }
            assert!(
                t.elapsed() < limit,
                "only {} of {n} outcomes after {limit:?} (rerun with E2E_VERBOSE=1 to see the runtime's stderr): {o:?}",
                o.len()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until `cond` holds (or panics after `limit`).
    pub fn wait_for(&self, what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
        let t = Instant::now();
        while !cond() {
            assert!(t.elapsed() < limit, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn reply(
    status: StatusCode,
    headers: &[(&str, String)],
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut r = Response::builder().status(status);
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.body(Full::new(body.into())).expect("response")
}

async fn serve(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let ext_name = header("lambda-extension-name");
    let error_type = header("lambda-runtime-function-error-type")
        .or(header("lambda-extension-function-error-type"));
    let content_type = header("content-type");
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let accepted = || reply(StatusCode::ACCEPTED, &[], r#"{"status":"OK"}"#);
    let r = match (method.as_str(), path.as_str()) {
        ("POST", "/2020-01-01/extension/register") => {
            let mut rec = inner.rec.lock().unwrap();
            rec.registered_at = Some(Instant::now());
            rec.registered_name = ext_name;
            reply(
                StatusCode::OK,
                &[("Lambda-Extension-Identifier", "ext-1".into())],
                r#"{"functionName":"e2e-fn","functionVersion":"$LATEST","handler":"handler.handler"}"#,
            )
        }
        ("GET", "/2020-01-01/extension/event/next") => {
            let ev = inner
                .ext_rx
                .lock()
                .await
                .recv()
                .await
                .unwrap_or(Value::Null);
            reply(
                StatusCode::OK,
                &[("content-type", "application/json".into())],
                ev.to_string(),
            )
        }
        ("POST", p) if p.starts_with("/2020-01-01/extension/") && p.ends_with("/error") => {
            let phase = p
                .trim_start_matches("/2020-01-01/extension/")
                .trim_end_matches("/error")
                .to_string();
            inner
                .rec
                .lock()
                .unwrap()
                .ext_errors
                .push((phase, error_type.unwrap_or_default()));
            accepted()
        }
        ("GET", "/2018-06-01/runtime/invocation/next") => {
            let Some((id, ev)) = inner.events_rx.lock().await.recv().await else {
                return Ok(reply(StatusCode::INTERNAL_SERVER_ERROR, &[], ""));
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + 30_000;
            inner.rec.lock().unwrap().served += 1;
            let _ = inner.ext_tx.send(serde_json::json!({
                "eventType": "INVOKE", "requestId": id, "deadlineMs": deadline as u64,
                "invokedFunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:e2e-fn",
            }));
            reply(
                StatusCode::OK,
                &[
                    ("Lambda-Runtime-Aws-Request-Id", id.clone()),
                    ("Lambda-Runtime-Deadline-Ms", deadline.to_string()),
                    (
                        "Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:eu-west-1:123456789012:function:e2e-fn".into(),
                    ),
                    (
                        "Lambda-Runtime-Trace-Id",
                        format!("Root=1-00000000-{id};Sampled=0"),
                    ),
                    ("content-type", "application/json".into()),
                ],
                ev,
            )
        }
        ("POST", "/2018-06-01/runtime/init/error") => {
            inner.rec.lock().unwrap().init_errors.push(body);
            accepted()
        }
        ("POST", p) if p.starts_with("/2018-06-01/runtime/invocation/") => {
            let rest = p.trim_start_matches("/2018-06-01/runtime/invocation/");
            let (id, kind) = rest.rsplit_once('/').unwrap_or((rest, ""));
            let o = match kind {
                "response" => Outcome::Response {
                    id: id.to_string(),
                    body,
                    content_type,
                },
                "error" => Outcome::Error {
                    id: id.to_string(),
                    error_type,
                    body,
                },
                _ => return Ok(reply(StatusCode::NOT_FOUND, &[], "")),
            };
            inner.rec.lock().unwrap().outcomes.push(o);
            accepted()
        }
        ("POST", "/siem") => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            inner.rec.lock().unwrap().siem_batches.push(v);
            reply(StatusCode::OK, &[], "")
        }
        _ => reply(StatusCode::NOT_FOUND, &[], ""),
    };
    Ok(r)
}

/// A running child whose stdout lines are collected; killed on drop.
pub struct Proc {
    pub child: Child,
    pub lines: Arc<Mutex<Vec<String>>>,
    pub spawned_at: Instant,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Proc {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
    /// Stdout lines that parse as JSON objects.
    pub fn json_lines(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
    /// Security events (OCSF findings) among stdout lines, once the output has settled: lines are read by a
    /// thread, so a line printed just before an outcome was recorded may still be in the pipe.
    pub fn findings(&self) -> Vec<Value> {
        let mut last = usize::MAX;
        loop {
            let n = self.lines.lock().unwrap().len();
            if n == last {
                break;
            }
            last = n;
            std::thread::sleep(Duration::from_millis(150));
        }
        self.json_lines()
            .into_iter()
            .filter(|v| v["class_uid"] == 2004)
            .collect()
    }
    pub fn rss_kib(&self) -> Option<(u64, u64)> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let field = |name: &str| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }
    /// Waits for exit up to `limit`; the exit code if it exited.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let t = Instant::now();
        while t.elapsed() < limit {
            if let Ok(Some(s)) = self.child.try_wait() {
                // Everything it printed is collected once its stdout reaches end of file.
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return Some(s.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect_stdout(
    child: &mut Child,
    echo: &'static str,
) -> (Arc<Mutex<Vec<String>>>, Option<std::thread::JoinHandle<()>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let mut reader = None;
    if let Some(out) = child.stdout.take() {
        let l = lines.clone();
        reader = Some(std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if std::env::var_os("E2E_VERBOSE").is_some() {
                    eprintln!("[{echo}] {line}");
                }
                l.lock().unwrap().push(line);
            }
        }));
    }
    (lines, reader)
}

/// A free loopback port (bound then released; good enough on a test machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One environment: the fake Lambda, the extension and (once started) the runtime.
pub struct Env {
    // Dropped in this order: the runtime, then the extension, then the fake Lambda.
    pub runtime: Option<Proc>,
    pub ext: Proc,
    pub lambda: FakeLambda,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub vars: HashMap<String, String>,
}

impl Env {
    /// Starts the fake Lambda and the extension with `vars` (PERIMETER_SHIELD_* settings) and waits for it to
    /// register and report ready.
    pub fn start(vars: &[(&str, &str)]) -> Env {
        let lambda = FakeLambda::start();
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        let port = free_port();
        let mut all: HashMap<String, String> = HashMap::new();
        all.insert("PERIMETER_SHIELD_PORT".into(), port.to_string());
        all.insert(
            "PERIMETER_SHIELD_TMP_DIR".into(),
            dir.path().join("tmp").display().to_string(),
        );
        all.insert(
            "PERIMETER_SHIELD_STATE_DIR".into(),
            dir.path().join("state").display().to_string(),
        );
        for (k, v) in vars {
            all.insert(k.to_string(), v.to_string());
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_perimeter-shield"));
        cmd.env("AWS_LAMBDA_RUNTIME_API", lambda.addr.to_string())
            .env("AWS_REGION", "eu-west-1")
            .envs(&all)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let spawned_at = Instant::now();
        let mut child = cmd.spawn().expect("spawn perimeter-shield");
        let (lines, reader) = collect_stdout(&mut child, "ext");
        let ext = Proc {
            child,
            lines,
            reader,
            spawned_at,
        };
        let env = Env {
            lambda,
            ext,
            runtime: None,
            port,
            dir,
            vars: all,
        };
        env.lambda
            .wait_for("extension ready", Duration::from_secs(20), || {
                env.ext
                    .lines()
                    .iter()
                    .any(|l| l.contains("\"msg\":\"ready\""))
            });
        env
    }

    /// Starts the function: the layer's wrapper script, then awslambdaric with tests/fixtures/handler.py.
    pub fn start_runtime(&mut self) {
        let python = python();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let wrapper =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/perimeter-shield-wrapper");
        let mut cmd = Command::new("/bin/sh");
        cmd.arg(wrapper)
            .arg(&python)
            .args(["-m", "awslambdaric", "handler.handler"])
            .current_dir(&fixtures)
            .env("AWS_LAMBDA_RUNTIME_API", self.lambda.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "e2e-fn")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/e2e-fn")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "e2e")
            .env("LAMBDA_TASK_ROOT", &fixtures)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(&self.vars)
            .stdout(Stdio::piped())
            // The runtime's tracebacks when an environment is torn down are expected noise.
            .stderr(if std::env::var_os("E2E_VERBOSE").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        let spawned_at = Instant::now();
        let mut child = cmd.spawn().expect("spawn the Python runtime");
        let (lines, reader) = collect_stdout(&mut child, "fn");
        self.runtime = Some(Proc {
            child,
            lines,
            reader,
            spawned_at,
        });
    }
}

/// The Python that has awslambdaric: `PERIMETER_SHIELD_TEST_PYTHON`, else `python3`. Panics — loudly, never
/// skips — when awslambdaric cannot be imported: these tests exist to run a real runtime client.
pub fn python() -> PathBuf {
    let python = std::env::var_os("PERIMETER_SHIELD_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = Command::new(&python)
        .args(["-c", "import awslambdaric.bootstrap"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "\n\n*** END-TO-END TESTS CANNOT RUN: `{}` cannot import awslambdaric. ***\n\
         Install the real Lambda runtime client: `pip install awslambdaric==4.2.2` (a manylinux wheel; no \
         compiler needed on x86_64/aarch64 CPython 3.9-3.13), or point PERIMETER_SHIELD_TEST_PYTHON at a \
         Python that has it.\n\n",
        python.display()
    );
    python
}
