//! The Runtime API proxy: serves the Runtime API to the function's runtime on loopback and relays to the real
//! one, inspecting each event between the real `invocation/next` and the runtime.
//!
//! Everything but `GET …/invocation/next` is relayed as is (method, path, headers, streamed body), so
//! responses, errors, init errors, response streaming and SnapStart's `restore/next` pass through unchanged.
//! For `next`, the event is fetched, inspected and either handed to the runtime byte for byte, or — in block
//! mode, for a `block` verdict — answered here (403-shaped response for HTTP sources, invocation error
//! otherwise) after which the next event is fetched, so the runtime never sees it. Between invocations (when
//! the runtime asks for its next event after answering one) the hygiene checks run and the environment may be
//! ended.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{CONNECTION, HOST, HeaderMap, TRANSFER_ENCODING};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use perimeter_shield::{Detection, Verdict};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::{FailPolicy, Mode, Settings, glob_match};
use crate::event::{Action, Context, Finding, Severity, redact_excerpt};
use crate::hygiene::{self, Hygiene};
use crate::probe::{self, Probe};
use crate::sink::{Sink, log_line};
use crate::upstream::{Body, Client, UpstreamError, empty, full};
use crate::wallet::Guard;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const REQUEST_ID: &str = "lambda-runtime-aws-request-id";

/// Mutable per-environment state.
struct State {
    hygiene: Hygiene,
    guard: Guard,
    checks_due: bool,
}

/// Everything the proxy's connections share.
pub struct Shared {
    settings: Settings,
    shield: perimeter_shield::Config,
    ctx: Context,
    api: String,
    client: Client,
    sink: Sink,
    state: Mutex<State>,
    /// Set to a reason when the environment must end; `main` reports it and exits.
    pub end: watch::Sender<Option<String>>,
    /// How many invocations were answered so far (by the runtime or by a block). A count,
    /// not a notification: `main` waits for the answer to the `n`th INVOKE event it read,
    /// and answers that came before it looked (several, if it lags) all still count.
    pub completed: watch::Sender<u64>,
    fault_inspect: bool,
}

impl Shared {
    pub fn new(
        settings: Settings,
        ctx: Context,
        api: String,
        client: Client,
        sink: Sink,
    ) -> Shared {
        let started = Instant::now();
        let state = State {
            hygiene: Hygiene::new(&settings, started),
            guard: Guard::new(
                settings.dow_threshold,
                settings.dow_window,
                settings.dow_max_keys,
            ),
            checks_due: false,
        };
        // Test hook, compiled into debug builds only: make inspection fail to exercise the fail policy.
        let fault_inspect = cfg!(debug_assertions)
            && std::env::var("PERIMETER_SHIELD_FAULT_INJECT").is_ok_and(|v| v == "inspect-panic");
        Shared {
            shield: settings.shield_config(),
            settings,
            ctx,
            api,
            client,
            sink,
            state: Mutex::new(state),
            end: watch::channel(None).0,
            completed: watch::channel(0).0,
            fault_inspect,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock must not take the proxy down (fail open): keep the data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn invocation_done(&self) {
        let mut st = self.state();
        st.checks_due = true;
        // Counted while the state is held, so the checks it makes due see this invocation.
        self.completed.send_modify(|n| *n += 1);
    }

    /// Runs between invocations: hygiene checks and recycling. Never returns when the environment is ending.
    async fn between_invocations(&self) {
        let hygiene_on = self.settings.hygiene && self.settings.mode != Mode::Off;
        let (findings, recycle) = {
            let mut st = self.state();
            if !st.checks_due {
                if hygiene_on {
                    st.hygiene.baseline();
                }
                return;
            }
            st.checks_due = false;
            let findings = if hygiene_on {
                st.hygiene.check()
            } else {
                Vec::new()
            };
            let recycle = st
                .hygiene
                .recycle_reason(*self.completed.borrow(), Instant::now());
            (findings, recycle)
        };
        let block = self.settings.mode == Mode::Block;
        for f in &findings {
            self.emit_hygiene(f, block);
        }
        let reason = recycle.or_else(|| {
            (block && !findings.is_empty())
                .then(|| format!("{} hygiene finding(s) in block mode", findings.len()))
        });
        if let Some(reason) = reason {
            self.sink.emit(&self.ctx.render(&Finding {
                kind: "environment/recycle",
                title: "Execution environment ended by perimeter-shield",
                severity: Severity::Informational,
                action: Action::Denied,
                request_id: None,
                details: json!({"reason": reason}),
            }));
            let _ = self.end.send(Some(reason));
            // The runtime keeps waiting; the process exits and Lambda replaces the environment.
            std::future::pending::<()>().await;
        }
    }

    fn emit_hygiene(&self, f: &hygiene::Finding, block: bool) {
        let action = if block {
            Action::Denied
        } else {
            Action::Allowed
        };
        let (kind, title, severity, details) = match f {
            hygiene::Finding::ExecutableFile { path, reason } => (
                "hygiene/executable-file",
                "Executable file created in the temp directory between invocations",
                Severity::High,
                json!({"file": {"path": path.to_string_lossy(), "reason": reason}}),
            ),
            hygiene::Finding::UnexpectedFile { path } => (
                "hygiene/unexpected-file",
                "Unexpected file created in the temp directory between invocations",
                Severity::Low,
                json!({"file": {"path": path.to_string_lossy()}}),
            ),
            hygiene::Finding::LingeringProcess { pid, comm } => (
                "hygiene/lingering-process",
                "Process still running after the invocation returned",
                Severity::High,
                json!({"process": {"pid": pid, "name": comm}}),
            ),
        };
        self.sink.emit(&self.ctx.render(&Finding {
            kind,
            title,
            severity,
            action,
            request_id: None,
            details,
        }));
    }

    /// Inspects one event, logs what was found; true when it must be blocked.
    fn decide(&self, request_id: &str, event: &[u8], probe: &mut Option<Probe>) -> bool {
        if self.settings.mode == Mode::Off {
            return false;
        }
        let inspected = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if self.fault_inspect {
                panic!("injected inspection fault");
            }
            perimeter_shield::inspect_event(event, &self.shield)
        }));
        {
            let mut st = self.state();
            if st.guard.enabled() {
                let p = probe.get_or_insert_with(|| Probe::of(event));
                let (threshold, window) = (st.guard.threshold(), st.guard.window().as_secs());
                for c in st.guard.observe(&p.callers, Instant::now()) {
                    self.sink.emit(&self.ctx.render(&Finding {
                        kind: "wallet/threshold",
                        title: "Invocation rate from one caller crossed the denial-of-wallet threshold",
                        severity: Severity::Medium,
                        action: Action::Allowed,
                        request_id: Some(request_id),
                        details: json!({"caller": c.caller, "count": c.count, "threshold": threshold, "window_secs": window}),
                    }));
                }
            }
        }
        let block_mode = self.settings.mode == Mode::Block;
        let inspection = match inspected {
            Ok(i) => i,
            Err(_) => {
                let block = block_mode && self.settings.fail == FailPolicy::Closed;
                self.sink.emit(&self.ctx.render(&Finding {
                    kind: "shield/internal-error",
                    title: "Event inspection failed",
                    severity: Severity::Medium,
                    action: if block { Action::Denied } else { Action::Allowed },
                    request_id: Some(request_id),
                    details: json!({"fail": if self.settings.fail == FailPolicy::Closed { "closed" } else { "open" }}),
                }));
                return block;
            }
        };
        let incomplete_block =
            inspection.error.is_some() && block_mode && self.settings.fail == FailPolicy::Closed;
        if let Some(why) = &inspection.error {
            self.sink.emit(&self.ctx.render(&Finding {
                kind: "shield/incomplete-inspection",
                title: "Event could not be fully inspected",
                severity: Severity::Low,
                action: if incomplete_block {
                    Action::Denied
                } else {
                    Action::Allowed
                },
                request_id: Some(request_id),
                details: json!({"source": inspection.source, "reason": redact_excerpt(why)}),
            }));
        }
        let kept: Vec<Detection> = inspection
            .detections
            .iter()
            .filter(|d| !self.settings.allow_globs().any(|p| glob_match(p, &d.path)))
            .cloned()
            .collect();
        if kept.is_empty() {
            return incomplete_block;
        }
        let verdict = if kept.len() == inspection.detections.len() {
            inspection.verdict
        } else {
            perimeter_shield::verdict_of(&kept, &self.shield)
        };
        let block = incomplete_block || (block_mode && verdict == Verdict::Block);
        let severity = match verdict {
            Verdict::Block => Severity::High,
            Verdict::Alert => Severity::Medium,
            Verdict::Pass => Severity::Low,
        };
        for d in &kept {
            let kind = format!("injection/{}", d.kind);
            self.sink.emit(&self.ctx.render(&Finding {
                kind: &kind,
                title: "Injection attempt in Lambda event",
                severity,
                action: if block {
                    Action::Denied
                } else {
                    Action::Allowed
                },
                request_id: Some(request_id),
                details: json!({
                    "source": inspection.source,
                    "verdict": verdict,
                    "detection": {
                        "kind": d.kind,
                        "path": redact_excerpt(&d.path),
                        "confidence": d.confidence,
                        "excerpt": redact_excerpt(&d.excerpt),
                    },
                }),
            }));
        }
        block
    }

    /// Answers a blocked invocation on the runtime's behalf.
    async fn answer_blocked(&self, request_id: &str, probe: &Probe) -> Result<(), UpstreamError> {
        let (path, body, error_type) = match probe.http {
            Some(shape) => (
                "response",
                probe::forbidden_response(shape, request_id),
                None,
            ),
            None => (
                "error",
                probe::blocked_error(request_id),
                Some(probe::BLOCKED_ERROR_TYPE),
            ),
        };
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(format!(
                "http://{}{INVOCATION}{request_id}/{path}",
                self.api
            ))
            .header("content-type", "application/json");
        if let Some(t) = error_type {
            req = req.header("Lambda-Runtime-Function-Error-Type", t);
        }
        let resp = self.client.request(req.body(full(body))?).await?;
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        if !status.is_success() {
            return Err(UpstreamError::Status {
                what: "blocked answer",
                status: status.as_u16(),
            });
        }
        Ok(())
    }
}

/// Accepts the runtime's connections until the process ends.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors or similar: back off instead of spinning.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(shared.clone(), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let result = if req.method() == Method::GET && req.uri().path() == NEXT {
        next(&shared).await
    } else {
        relay(&shared, req).await
    };
    Ok(result.unwrap_or_else(|e| {
        log_line(&format!("proxy error: {e}"));
        let mut r = Response::new(full(
            json!({"errorMessage": e.to_string(), "errorType": "PerimeterShield.ProxyError"})
                .to_string(),
        ));
        *r.status_mut() = StatusCode::BAD_GATEWAY;
        r
    }))
}

async fn next(shared: &Shared) -> Result<Response<Body>, UpstreamError> {
    shared.between_invocations().await;
    loop {
        let req = Request::builder()
            .method(Method::GET)
            .uri(format!("http://{}{NEXT}", shared.api))
            .body(empty())?;
        let resp = shared.client.request(req).await?;
        let (mut parts, body) = resp.into_parts();
        let bytes: Bytes = body.collect().await?.to_bytes();
        let request_id = parts
            .headers
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if let (true, Some(id)) = (parts.status == StatusCode::OK, request_id) {
            let mut probe = None;
            if shared.decide(&id, &bytes, &mut probe) {
                let probe = probe.unwrap_or_else(|| Probe::of(&bytes));
                if let Err(e) = shared.answer_blocked(&id, &probe).await {
                    log_line(&format!("could not answer blocked invocation {id}: {e}"));
                }
                shared.invocation_done();
                shared.between_invocations().await;
                continue;
            }
        }
        strip_hop_headers(&mut parts.headers);
        return Ok(Response::from_parts(parts, full(bytes)));
    }
}

async fn relay(shared: &Shared, req: Request<Incoming>) -> Result<Response<Body>, UpstreamError> {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let completes =
        path.starts_with(INVOCATION) && (path.ends_with("/response") || path.ends_with("/error"));
    let pq = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    parts.uri = format!("http://{}{pq}", shared.api)
        .parse::<Uri>()
        .map_err(hyper::http::Error::from)?;
    parts.headers.remove(HOST);
    strip_hop_headers(&mut parts.headers);
    let resp = shared
        .client
        .request(Request::from_parts(parts, body.boxed()))
        .await?;
    if completes && resp.status().is_success() {
        shared.invocation_done();
    }
    let (mut parts, body) = resp.into_parts();
    strip_hop_headers(&mut parts.headers);
    Ok(Response::from_parts(parts, body.boxed()))
}

/// Connection-scoped headers belong to one hop; hyper sets its own framing on the other.
fn strip_hop_headers(h: &mut HeaderMap) {
    h.remove(CONNECTION);
    h.remove(TRANSFER_ENCODING);
    h.remove("keep-alive");
    h.remove("proxy-connection");
}
