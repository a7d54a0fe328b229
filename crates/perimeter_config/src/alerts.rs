//! `[alerts]` in `perimeter.toml`: when `perimeter watch` (and `enforce`) alert, and where the
//! alerts go.
//!
//! ```toml
//! [alerts]
//! score-threshold = 70          # a function's score rose to 70 or more
//! new-public-entry = true       # a new way in from the internet (default true)
//! permissions-grown = true      # a role allows more than before (default false)
//! new-findings = "high"         # new findings at or above this severity (default "high", "off")
//! families = ["AUTH", "IAM"]    # only new findings of these families (default: all)
//! stdout = true                 # JSON lines on standard output (for a SIEM)
//! syslog = "unix:/dev/log"      # or "udp:host:514" (RFC 5424)
//! webhook = { url = "https://hooks.slack.com/services/…", format = "slack" }
//! # several webhooks: [[alerts.webhook]] tables; format "json" (default) or "slack"
//! ```
//!
//! Parsed by hand from toml's spanned tree like the rest of the file, so every problem is
//! reported at its position.

use perimeter_rules::{Family, Severity};
use std::ops::Range;
use toml::Spanned;
use toml::de::DeValue;

/// The alert rules and destinations. [`AlertsConfig::default`] is the configuration without an
/// `[alerts]` section: the rules' defaults, and no destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsConfig {
    /// Alert when a function's score rises to this or more.
    pub score_threshold: Option<u32>,
    /// Alert on a new public entry point.
    pub new_public_entry: bool,
    /// Alert when a role's permissions grow.
    pub permissions_grown: bool,
    /// Alert on new findings at or above this severity (`None`: never).
    pub new_findings: Option<Severity>,
    /// Upper-case family prefixes (`AUTH`, `IAM`, …) new findings must belong to; empty: all.
    pub families: Vec<String>,
    /// JSON lines on standard output.
    pub stdout: bool,
    pub syslog: Option<SyslogTarget>,
    pub webhooks: Vec<Webhook>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            score_threshold: None,
            new_public_entry: true,
            permissions_grown: false,
            new_findings: Some(Severity::High),
            families: Vec::new(),
            stdout: false,
            syslog: None,
            webhooks: Vec::new(),
        }
    }
}

impl AlertsConfig {
    /// `true` when alerts go somewhere.
    pub fn has_destination(&self) -> bool {
        self.stdout || self.syslog.is_some() || !self.webhooks.is_empty()
    }

    /// `true` when a new finding with this code and severity is worth an alert.
    pub fn wants_finding(&self, code: &str, severity: Severity) -> bool {
        let family_ok = self.families.is_empty()
            || self.families.iter().any(|f| {
                code.strip_prefix(f.as_str())
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            });
        family_ok && self.new_findings.is_some_and(|min| severity >= min)
    }
}

/// Where syslog lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyslogTarget {
    /// A Unix datagram socket (`unix:/dev/log`).
    Unix(String),
    /// `udp:host:port`.
    Udp(String),
}

/// One webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub format: WebhookFormat,
}

/// The body a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// The alert as JSON.
    Json,
    /// A Slack incoming-webhook message (`{"text": …, "blocks": …}`).
    Slack,
}

const FAMILIES: [Family; 10] = [
    Family::Auth,
    Family::Iam,
    Family::Data,
    Family::Dep,
    Family::Sec,
    Family::Inj,
    Family::Dow,
    Family::Log,
    Family::Life,
    Family::Sign,
];

type Problem<'p> = dyn FnMut(Range<usize>, String) + 'p;

/// Parses the `[alerts]` table; problems are reported through `problem` at their span.
pub(crate) fn parse(value: &Spanned<DeValue<'_>>, problem: &mut Problem<'_>) -> AlertsConfig {
    let mut config = AlertsConfig::default();
    let DeValue::Table(table) = value.get_ref() else {
        problem(value.span(), "[alerts] must be a table".to_string());
        return config;
    };
    for (key, v) in table.iter() {
        match key.get_ref().as_ref() {
            "score-threshold" => match v.get_ref() {
                DeValue::Integer(i) => match i.as_str().parse::<u32>() {
                    Ok(n) if n <= 100 => config.score_threshold = Some(n),
                    _ => problem(v.span(), "`score-threshold` must be 0 to 100".to_string()),
                },
                _ => problem(v.span(), "`score-threshold` must be an integer".to_string()),
            },
            "new-public-entry" => {
                if let Some(b) = boolean(v, "new-public-entry", problem) {
                    config.new_public_entry = b;
                }
            }
            "permissions-grown" => {
                if let Some(b) = boolean(v, "permissions-grown", problem) {
                    config.permissions_grown = b;
                }
            }
            "stdout" => {
                if let Some(b) = boolean(v, "stdout", problem) {
                    config.stdout = b;
                }
            }
            "new-findings" => {
                if let Some(s) = string(v, "new-findings", problem) {
                    if s.eq_ignore_ascii_case("off") || s.eq_ignore_ascii_case("never") {
                        config.new_findings = None;
                    } else {
                        match Severity::parse(&s) {
                            Some(sev) => config.new_findings = Some(sev),
                            None => problem(
                                v.span(),
                                format!(
                                    "unknown severity `{s}` (expected critical, high, medium, low, info or off)"
                                ),
                            ),
                        }
                    }
                }
            }
            "families" => match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        let Some(s) = string(item, "a family", problem) else {
                            continue;
                        };
                        let upper = s.to_ascii_uppercase();
                        if FAMILIES.iter().any(|f| f.prefix() == upper) {
                            config.families.push(upper);
                        } else {
                            let known: Vec<&str> = FAMILIES.iter().map(|f| f.prefix()).collect();
                            problem(
                                item.span(),
                                format!(
                                    "unknown family `{s}` (expected one of {})",
                                    known.join(", ")
                                ),
                            );
                        }
                    }
                }
                _ => problem(
                    v.span(),
                    "`families` must be an array of strings".to_string(),
                ),
            },
            "syslog" => {
                if let Some(s) = string(v, "syslog", problem) {
                    match parse_syslog(&s) {
                        Some(t) => config.syslog = Some(t),
                        None => problem(
                            v.span(),
                            format!(
                                "invalid syslog target `{s}` (expected \"unix:/path\" or \"udp:host:port\")"
                            ),
                        ),
                    }
                }
            }
            "webhook" => match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        if let Some(w) = webhook(item, problem) {
                            config.webhooks.push(w);
                        }
                    }
                }
                _ => {
                    if let Some(w) = webhook(v, problem) {
                        config.webhooks.push(w);
                    }
                }
            },
            other => problem(
                key.span(),
                format!(
                    "unknown key `{other}` in [alerts] (expected `score-threshold`, `new-public-entry`, \
                     `permissions-grown`, `new-findings`, `families`, `stdout`, `syslog` or `webhook`)"
                ),
            ),
        }
    }
    config
}

fn parse_syslog(s: &str) -> Option<SyslogTarget> {
    if let Some(path) = s.strip_prefix("unix:") {
        return (!path.is_empty()).then(|| SyslogTarget::Unix(path.to_string()));
    }
    let addr = s.strip_prefix("udp:")?;
    let (host, port) = addr.rsplit_once(':')?;
    (!host.is_empty() && port.parse::<u16>().is_ok()).then(|| SyslogTarget::Udp(addr.to_string()))
}

fn webhook(value: &Spanned<DeValue<'_>>, problem: &mut Problem<'_>) -> Option<Webhook> {
    let DeValue::Table(table) = value.get_ref() else {
        problem(
            value.span(),
            "`webhook` must be a table { url = \"…\", format = \"json\" | \"slack\" }".to_string(),
        );
        return None;
    };
    let (mut url, mut format) = (None, WebhookFormat::Json);
    for (key, v) in table.iter() {
        match key.get_ref().as_ref() {
            "url" => {
                if let Some(u) = string(v, "url", problem) {
                    if u.starts_with("http://") || u.starts_with("https://") {
                        url = Some(u);
                    } else {
                        problem(
                            v.span(),
                            format!("webhook url `{u}` must start with http:// or https://"),
                        );
                    }
                }
            }
            "format" => match string(v, "format", problem).as_deref() {
                Some("json") => format = WebhookFormat::Json,
                Some("slack") => format = WebhookFormat::Slack,
                Some(other) => problem(
                    v.span(),
                    format!("unknown webhook format `{other}` (expected \"json\" or \"slack\")"),
                ),
                None => {}
            },
            other => problem(
                key.span(),
                format!("unknown key `{other}` in a webhook (expected `url` or `format`)"),
            ),
        }
    }
    if url.is_none() && !table.iter().any(|(k, _)| k.get_ref() == "url") {
        problem(value.span(), "a webhook needs a `url`".to_string());
    }
    Some(Webhook { url: url?, format })
}

fn boolean(value: &Spanned<DeValue<'_>>, what: &str, problem: &mut Problem<'_>) -> Option<bool> {
    match value.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        _ => {
            problem(value.span(), format!("`{what}` must be true or false"));
            None
        }
    }
}

fn string(value: &Spanned<DeValue<'_>>, what: &str, problem: &mut Problem<'_>) -> Option<String> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        _ => {
            problem(value.span(), format!("`{what}` must be a string"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Config;
    use crate::alerts::{SyslogTarget, WebhookFormat};
    use perimeter_rules::Severity;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, "perimeter.toml", &[]).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_setting() {
        let c = parse(
            r#"
[alerts]
score-threshold = 70
new-public-entry = false
permissions-grown = true
new-findings = "medium"
families = ["auth", "IAM"]
stdout = true
syslog = "udp:127.0.0.1:514"
[[alerts.webhook]]
url = "http://127.0.0.1:9/hook"
[[alerts.webhook]]
url = "https://hooks.example/x"
format = "slack"
"#,
        )
        .unwrap();
        let a = &c.alerts;
        assert_eq!(a.score_threshold, Some(70));
        assert!(!a.new_public_entry && a.permissions_grown && a.stdout);
        assert_eq!(a.new_findings, Some(Severity::Medium));
        assert_eq!(a.families, ["AUTH", "IAM"]);
        assert_eq!(a.syslog, Some(SyslogTarget::Udp("127.0.0.1:514".into())));
        assert_eq!(a.webhooks.len(), 2);
        assert_eq!(a.webhooks[1].format, WebhookFormat::Slack);
        assert!(a.wants_finding("AUTH001", Severity::High));
        assert!(!a.wants_finding("SEC001", Severity::Critical));
        assert!(!a.wants_finding("IAM002", Severity::Low));
    }

    #[test]
    fn single_webhook_table_and_defaults() {
        let c = parse("[alerts]\nwebhook = { url = \"http://x/y\" }\nsyslog = \"unix:/dev/log\"\n")
            .unwrap();
        assert_eq!(c.alerts.webhooks[0].format, WebhookFormat::Json);
        assert_eq!(c.alerts.syslog, Some(SyslogTarget::Unix("/dev/log".into())));
        assert!(c.alerts.new_public_entry);
        assert_eq!(c.alerts.new_findings, Some(Severity::High));
        assert!(!Config::default().alerts.has_destination());
    }

    #[test]
    fn reports_each_problem_at_its_line() {
        let err = parse(
            "[alerts]\nscore-threshold = 700\nfamilies = [\"NOPE\"]\nsyslog = \"tcp:x\"\nwebhook = { format = \"xml\" }\ncolour = 1\n",
        )
        .unwrap_err();
        for expected in [
            "perimeter.toml:2:19: `score-threshold` must be 0 to 100",
            "perimeter.toml:3:13: unknown family `NOPE`",
            "perimeter.toml:4:10: invalid syslog target",
            "unknown webhook format `xml`",
            "a webhook needs a `url`",
            "perimeter.toml:6:1: unknown key `colour` in [alerts]",
        ] {
            assert!(err.contains(expected), "{expected} not in:\n{err}");
        }
    }
}
