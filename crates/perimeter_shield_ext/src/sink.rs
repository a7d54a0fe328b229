//! Where security events go: one JSON line each on stdout (CloudWatch Logs), and optionally a batched HTTPS
//! sink for a SIEM.
//!
//! The SIEM path never blocks an invocation: events enter a bounded queue with `try_send`; when it is full they
//! are dropped and counted, and the count is reported on stdout. A background task posts batches (a JSON array
//! per request) when a batch is full or the flush interval passes, and on demand before the environment freezes
//! or shuts down.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Counters a test or the shutdown report reads.
#[derive(Debug, Default)]
pub struct SinkStats {
    pub emitted: AtomicU64,
    pub dropped: AtomicU64,
    pub sent: AtomicU64,
    pub failed_batches: AtomicU64,
}

enum Msg {
    Event(String),
    Flush(oneshot::Sender<()>),
}

/// The event sink shared by every part of the extension.
#[derive(Clone)]
pub struct Sink {
    tx: Option<mpsc::Sender<Msg>>,
    pub stats: Arc<SinkStats>,
}

impl Sink {
    /// A sink that writes to stdout only.
    pub fn stdout_only() -> Sink {
        Sink {
            tx: None,
            stats: Arc::new(SinkStats::default()),
        }
    }

    /// A sink that also posts batches to `url`; spawns the sender task on the current runtime.
    pub fn with_siem(
        url: String,
        auth: Option<String>,
        batch: usize,
        queue: usize,
        flush_every: Duration,
    ) -> Sink {
        let (tx, rx) = mpsc::channel(queue);
        let stats = Arc::new(SinkStats::default());
        tokio::spawn(sender(rx, url, auth, batch, flush_every, stats.clone()));
        Sink {
            tx: Some(tx),
            stats,
        }
    }

    pub fn has_siem(&self) -> bool {
        self.tx.is_some()
    }

    /// Writes one event; never waits.
    pub fn emit(&self, event: &Value) {
        let line = event.to_string();
        {
            let mut out = std::io::stdout().lock();
            // A closed stdout must not take the extension down; the SIEM copy still goes out.
            let _ = out.write_all(line.as_bytes());
            let _ = out.write_all(b"\n");
            let _ = out.flush();
        }
        self.stats.emitted.fetch_add(1, Ordering::Relaxed);
        if let Some(tx) = &self.tx
            && tx.try_send(Msg::Event(line)).is_err()
        {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Asks the sender to post what it holds, waiting at most `limit`.
    pub async fn flush(&self, limit: Duration) {
        let Some(tx) = &self.tx else { return };
        let (done_tx, done_rx) = oneshot::channel();
        let _ = tokio::time::timeout(limit, async {
            if tx.send(Msg::Flush(done_tx)).await.is_ok() {
                let _ = done_rx.await;
            }
        })
        .await;
    }
}

async fn sender(
    mut rx: mpsc::Receiver<Msg>,
    url: String,
    auth: Option<String>,
    batch_size: usize,
    flush_every: Duration,
    stats: Arc<SinkStats>,
) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            log_line(&format!(
                "SIEM sink disabled: cannot build HTTP client: {e}"
            ));
            // Keep draining so senders never see a full queue forever.
            while rx.recv().await.is_some() {}
            return;
        }
    };
    let mut batch: Vec<String> = Vec::with_capacity(batch_size);
    let mut reported_drops = 0u64;
    loop {
        let msg = if batch.is_empty() {
            rx.recv().await
        } else {
            match tokio::time::timeout(flush_every, rx.recv()).await {
                Ok(m) => m,
                Err(_) => {
                    post(&client, &url, auth.as_deref(), &mut batch, &stats).await;
                    continue;
                }
            }
        };
        match msg {
            None => {
                post(&client, &url, auth.as_deref(), &mut batch, &stats).await;
                return;
            }
            Some(Msg::Event(line)) => {
                batch.push(line);
                if batch.len() >= batch_size {
                    post(&client, &url, auth.as_deref(), &mut batch, &stats).await;
                }
            }
            Some(Msg::Flush(done)) => {
                post(&client, &url, auth.as_deref(), &mut batch, &stats).await;
                let _ = done.send(());
            }
        }
        let dropped = stats.dropped.load(Ordering::Relaxed);
        if dropped > reported_drops {
            log_line(&format!(
                "SIEM queue full: {} events dropped so far (stdout copies kept)",
                dropped
            ));
            reported_drops = dropped;
        }
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    auth: Option<&str>,
    batch: &mut Vec<String>,
    stats: &SinkStats,
) {
    if batch.is_empty() {
        return;
    }
    let mut body = String::with_capacity(batch.iter().map(|l| l.len() + 1).sum::<usize>() + 2);
    body.push('[');
    body.push_str(&batch.join(","));
    body.push(']');
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    match req.send().await {
        Ok(r) if r.status().is_success() => {
            stats.sent.fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
        Ok(r) => {
            stats.failed_batches.fetch_add(1, Ordering::Relaxed);
            log_line(&format!(
                "SIEM sink answered {}; batch of {} dropped",
                r.status(),
                batch.len()
            ));
        }
        Err(e) => {
            stats.failed_batches.fetch_add(1, Ordering::Relaxed);
            log_line(&format!(
                "SIEM sink unreachable ({e}); batch of {} dropped",
                batch.len()
            ));
        }
    }
    batch.clear();
}

/// An operational (non-security) log line, JSON on stdout like everything else.
pub fn log_line(msg: &str) {
    let v = serde_json::json!({"level": "info", "logger": "perimeter-shield", "msg": msg});
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full queue drops and counts instead of waiting: on a current-thread runtime the sender task cannot
    /// run while `emit` is called, so the queue (2) fills and the other 3 events are dropped.
    #[test]
    fn full_queue_drops_and_counts() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let sink = Sink::with_siem(
                "http://127.0.0.1:9/never".into(),
                None,
                100,
                2,
                Duration::from_secs(60),
            );
            for i in 0..5 {
                sink.emit(&serde_json::json!({"test": i}));
            }
            assert_eq!(sink.stats.emitted.load(Ordering::Relaxed), 5);
            assert_eq!(sink.stats.dropped.load(Ordering::Relaxed), 3);
        });
    }
}
