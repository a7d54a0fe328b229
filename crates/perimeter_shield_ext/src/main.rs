//! `perimeter-shield`: a Lambda extension that sits between the function's runtime and the Runtime API,
//! inspects every event with `perimeter_shield`, logs security events, and keeps warm containers clean.
//!
//! Start-up order matters: the proxy port is bound before registering, because Lambda starts the runtime once
//! every extension has registered and the wrapper script points the runtime at that port. Then the main task
//! follows the Extensions API lifecycle (INVOKE / SHUTDOWN) while the proxy serves the runtime. One
//! current-thread tokio runtime: the work is sequential per environment and cold start matters more than
//! parallelism.

mod config;
mod event;
mod extension;
mod hygiene;
mod probe;
mod proxy;
mod sink;
mod upstream;
mod wallet;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use config::{FailPolicy, Settings};
use extension::Extension;
use sink::{Sink, log_line};
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let started = Instant::now();
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run(started)),
        Err(e) => {
            log_line(&format!("cannot start the async runtime: {e}"));
            ExitCode::FAILURE
        }
    }
}

async fn run(started: Instant) -> ExitCode {
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        log_line("AWS_LAMBDA_RUNTIME_API is not set: not running inside Lambda");
        return ExitCode::from(2);
    };
    let (settings, errors) = Settings::from_env();
    for e in &errors {
        log_line(&format!("configuration error: {e}; using the default"));
    }
    // Lambda requires the registered name to be the executable's file name.
    let name = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "perimeter-shield".to_string());
    let client = upstream::client();
    let listener = TcpListener::bind(("127.0.0.1", settings.port)).await;
    let (ext, reg) = match Extension::register(client.clone(), &api, &name).await {
        Ok(r) => r,
        Err(e) => {
            log_line(&format!("cannot register with the Extensions API: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let listener = match listener {
        Ok(l) => l,
        Err(e) => {
            let msg = format!("cannot listen on 127.0.0.1:{}: {e}", settings.port);
            log_line(&msg);
            let _ = ext
                .report_error("init", "Extension.PerimeterShieldPort", &msg)
                .await;
            return ExitCode::FAILURE;
        }
    };
    if !errors.is_empty() && settings.fail == FailPolicy::Closed {
        let msg = format!(
            "invalid configuration with PERIMETER_SHIELD_FAIL=closed: {}",
            errors[0]
        );
        let _ = ext
            .report_error("init", "Extension.PerimeterShieldConfig", &msg)
            .await;
        return ExitCode::FAILURE;
    }
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let ctx = event::Context {
        function_name: if reg.function_name.is_empty() {
            env("AWS_LAMBDA_FUNCTION_NAME")
        } else {
            reg.function_name
        },
        function_version: if reg.function_version.is_empty() {
            env("AWS_LAMBDA_FUNCTION_VERSION")
        } else {
            reg.function_version
        },
        region: env("AWS_REGION"),
        mode: settings.mode.as_str(),
    };
    let sink = match &settings.siem_url {
        Some(url) => Sink::with_siem(
            url.clone(),
            settings.siem_auth.clone(),
            settings.siem_batch,
            settings.siem_queue,
            settings.siem_flush,
        ),
        None => Sink::stdout_only(),
    };
    let siem_flush = settings.siem_flush;
    let mode = settings.mode.as_str();
    let shared = Arc::new(proxy::Shared::new(settings, ctx, api, client, sink.clone()));
    let mut end = shared.end.subscribe();
    let mut completed = shared.completed.subscribe();
    // INVOKE events read so far: the `n`th is done once `completed` reaches `n`.
    let mut invokes = 0u64;
    tokio::spawn(proxy::serve(listener, shared.clone()));
    let v = serde_json::json!({
        "level": "info", "logger": "perimeter-shield", "msg": "ready",
        "mode": mode, "init_us": started.elapsed().as_micros() as u64,
    });
    println!("{v}");
    // The detectors' automata and patterns (~10 ms of work) are built now, while Lambda
    // starts the function's runtime and this one thread has nothing else to do, not on the
    // first invocation (which, arriving first, waits for them as it would have built them
    // itself). No thread of its own: the extension stays single-threaded.
    tokio::spawn(async { perimeter_shield::prepare() });

    loop {
        tokio::select! {
            ev = ext.next() => match ev {
                Ok(ev) if ev.event_type == "SHUTDOWN" => {
                    sink.flush(Duration::from_millis(1500)).await;
                    report_stats(&sink);
                    return ExitCode::SUCCESS;
                }
                Ok(ev) => {
                    invokes += 1;
                    // Before telling Lambda this extension is done with the invocation (which lets it freeze
                    // the environment), give the SIEM batch a chance to leave. The caller already has its
                    // answer by then; this only extends billed duration, bounded by the flush interval.
                    if sink.has_siem() {
                        let now_ms = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_millis() as u64)
                            .unwrap_or(0);
                        let left = ev.deadline_ms.unwrap_or(0).saturating_sub(now_ms).min(900_000);
                        let answered = completed.wait_for(|&n| n >= invokes);
                        let _ = tokio::time::timeout(Duration::from_millis(left), answered).await;
                        sink.flush(siem_flush).await;
                    }
                }
                Err(e) => {
                    log_line(&format!("Extensions API failed: {e}"));
                    return ExitCode::FAILURE;
                }
            },
            _ = end.changed() => {
                let reason = end.borrow().clone().unwrap_or_default();
                sink.flush(Duration::from_millis(500)).await;
                report_stats(&sink);
                let _ = ext.report_error("exit", "Extension.PerimeterShieldRecycle", &reason).await;
                return ExitCode::FAILURE;
            }
        }
    }
}

fn report_stats(sink: &Sink) {
    use std::sync::atomic::Ordering::Relaxed;
    let s = &sink.stats;
    let v = serde_json::json!({
        "level": "info", "logger": "perimeter-shield", "msg": "stats",
        "events": s.emitted.load(Relaxed), "siem_sent": s.sent.load(Relaxed),
        "siem_dropped": s.dropped.load(Relaxed), "siem_failed_batches": s.failed_batches.load(Relaxed),
    });
    println!("{v}");
}
