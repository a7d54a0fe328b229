//! Alerts: what `watch` and `enforce` send, and where (`[alerts]` in perimeter.toml: a
//! webhook — generic JSON or Slack-compatible —, JSON lines on standard output for a SIEM, or
//! syslog).
//!
//! Delivery is best effort: a destination that fails (a webhook that times out or answers
//! 500, a syslog socket that is not there) gets a warning on standard error and the others
//! are still tried. Sending never fails the command.

use anyhow::{Context, Result, bail};
use perimeter_config::{AlertsConfig, SyslogTarget, Webhook, WebhookFormat};
use std::io::Write;
use std::time::Duration;

/// How long a webhook may take before it is given up on.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// Syslog messages longer than this are cut (RFC 5424 receivers must accept 480 bytes; most
/// take 8 KiB; UDP datagrams stay well under 64 KiB).
const MAX_SYSLOG_BYTES: usize = 8 * 1024;

/// One alert.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Alert {
    /// `new-public-entry`, `score-risen`, `new-finding`, `function-blocked`, `function-restored`,
    /// …
    pub kind: String,
    /// `info` … `critical`.
    pub severity: String,
    /// One line for a human.
    pub title: String,
    /// The function concerned (`APP#ID` or its ARN), when there is one.
    pub function: Option<String>,
    /// Kind-specific facts.
    pub details: serde_json::Value,
}

/// Sends `alert` to every destination the configuration names (none configured: nothing sent).
pub fn send(config: &perimeter_config::Config, alert: &Alert) -> Result<()> {
    send_to(&config.alerts, alert);
    Ok(())
}

/// Sends to each destination of `alerts`, warning on standard error for each that fails.
pub fn send_to(alerts: &AlertsConfig, alert: &Alert) {
    let json = envelope(alert);
    if alerts.stdout {
        let mut out = std::io::stdout().lock();
        let line = serde_json::to_string(&json).unwrap_or_default();
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            warn("stdout", &e.into());
        }
    }
    if let Some(target) = &alerts.syslog
        && let Err(e) = send_syslog(target, alert)
    {
        warn("syslog", &e);
    }
    for hook in &alerts.webhooks {
        if let Err(e) = send_webhook(hook, alert, &json) {
            warn(&format!("webhook {}", redact_url(&hook.url)), &e);
        }
    }
}

fn warn(destination: &str, error: &anyhow::Error) {
    eprintln!("perimeter: warning: alert not delivered to {destination}: {error:#}");
}

/// The JSON every destination but Slack receives: the alert, the time and the tool.
pub fn envelope(alert: &Alert) -> serde_json::Value {
    serde_json::json!({
        "time": perimeter_store::now_rfc3339(),
        "tool": "perimeter",
        "version": env!("CARGO_PKG_VERSION"),
        "kind": alert.kind,
        "severity": alert.severity,
        "title": alert.title,
        "function": alert.function,
        "details": alert.details,
    })
}

/// A webhook URL without its path and query (Slack's carry the secret token).
fn redact_url(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => format!("{}/…", &url[..after_scheme + i]),
        None => url.to_string(),
    }
}

fn send_webhook(hook: &Webhook, alert: &Alert, json: &serde_json::Value) -> Result<()> {
    let body = match hook.format {
        WebhookFormat::Json => json.clone(),
        WebhookFormat::Slack => slack_message(alert),
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .user_agent(concat!("perimeter/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot build the HTTP client")?;
    let response = client
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body)?)
        .send()
        .map_err(|e| anyhow::anyhow!("{}", e.without_url()))?;
    let status = response.status();
    if !status.is_success() {
        bail!("answered HTTP {status}");
    }
    Ok(())
}

/// A Slack incoming-webhook message: a fallback `text` and one section block.
fn slack_message(alert: &Alert) -> serde_json::Value {
    let icon = match alert.severity.as_str() {
        "critical" => ":red_circle:",
        "high" => ":large_orange_circle:",
        "medium" => ":large_yellow_circle:",
        _ => ":white_circle:",
    };
    let mut text = format!(
        "{icon} *[{}] {}*",
        alert.severity.to_uppercase(),
        escape_slack(&alert.title)
    );
    if let Some(f) = &alert.function {
        text.push_str(&format!("\nFunction: `{}`", escape_slack(f)));
    }
    text.push_str(&format!("\nKind: `{}`", alert.kind));
    serde_json::json!({
        "text": format!("[{}] {}", alert.severity.to_uppercase(), alert.title),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    })
}

/// Slack's three control characters.
fn escape_slack(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// RFC 5424 severity of an alert severity.
fn syslog_severity(severity: &str) -> u8 {
    match severity {
        "critical" => 2, // crit
        "high" => 3,     // err
        "medium" => 4,   // warning
        "low" => 5,      // notice
        _ => 6,          // info
    }
}

/// One RFC 5424 line: facility user (1), the alert's severity, the JSON envelope as message.
pub fn syslog_line(alert: &Alert) -> String {
    let pri = 8 + u32::from(syslog_severity(&alert.severity));
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty() && h.is_ascii() && !h.contains(' '))
        .unwrap_or_else(|| "-".to_string());
    let msg = serde_json::to_string(&envelope(alert)).unwrap_or_default();
    let mut line = format!(
        "<{pri}>1 {} {host} perimeter {} {} - {msg}",
        perimeter_store::now_rfc3339(),
        std::process::id(),
        sd_name(&alert.kind),
    );
    if line.len() > MAX_SYSLOG_BYTES {
        let mut cut = MAX_SYSLOG_BYTES;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
    }
    line
}

/// MSGID: printable ASCII without spaces, at most 32 characters.
fn sd_name(kind: &str) -> String {
    let id: String = kind
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(32)
        .collect();
    if id.is_empty() { "-".to_string() } else { id }
}

fn send_syslog(target: &SyslogTarget, alert: &Alert) -> Result<()> {
    let line = syslog_line(alert);
    match target {
        SyslogTarget::Udp(addr) => {
            let socket = std::net::UdpSocket::bind(if addr.starts_with('[') {
                "[::]:0"
            } else {
                "0.0.0.0:0"
            })?;
            socket.send_to(line.as_bytes(), addr.as_str())?;
        }
        SyslogTarget::Unix(path) => send_unix(path, line.as_bytes())?,
    }
    Ok(())
}

#[cfg(unix)]
fn send_unix(path: &str, bytes: &[u8]) -> Result<()> {
    let socket = std::os::unix::net::UnixDatagram::unbound()?;
    socket
        .send_to(bytes, path)
        .with_context(|| format!("cannot send to {path}"))?;
    Ok(())
}

#[cfg(not(unix))]
fn send_unix(path: &str, _bytes: &[u8]) -> Result<()> {
    bail!("{path}: Unix sockets are not available on this system")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> Alert {
        Alert {
            kind: "new-public-entry".into(),
            severity: "high".into(),
            title: "orders <api> is public".into(),
            function: Some("template.yaml#Orders".into()),
            details: serde_json::json!({}),
        }
    }

    #[test]
    fn syslog_lines_follow_rfc5424() {
        let line = syslog_line(&alert());
        assert!(line.starts_with("<11>1 20"), "{line}");
        let parts: Vec<&str> = line.splitn(8, ' ').collect();
        assert_eq!(parts[3], "perimeter");
        assert_eq!(parts[5], "new-public-entry");
        assert_eq!(parts[6], "-");
        let msg: serde_json::Value = serde_json::from_str(parts[7]).unwrap();
        assert_eq!(msg["kind"], "new-public-entry");
    }

    #[test]
    fn syslog_goes_over_udp() {
        let receiver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        receiver
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let addr = receiver.local_addr().unwrap().to_string();
        send_syslog(&SyslogTarget::Udp(addr), &alert()).unwrap();
        let mut buf = [0u8; 9000];
        let n = receiver.recv(&mut buf).unwrap();
        let line = String::from_utf8_lossy(&buf[..n]);
        assert!(line.starts_with("<11>1 "), "{line}");
        assert!(line.contains("\"kind\":\"new-public-entry\""), "{line}");
    }

    #[test]
    fn long_alerts_are_cut_on_a_char_boundary() {
        let mut a = alert();
        a.title = "é".repeat(MAX_SYSLOG_BYTES);
        let line = syslog_line(&a);
        assert!(line.len() <= MAX_SYSLOG_BYTES);
    }

    #[test]
    fn slack_messages_escape_and_hide_tokens() {
        let m = slack_message(&alert());
        let text = m["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(text.contains("orders &lt;api&gt; is public"), "{text}");
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T/B/secret"),
            "https://hooks.slack.com/…"
        );
    }
}
