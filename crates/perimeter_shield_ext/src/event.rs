//! Security events: one JSON object per finding, shaped after OCSF's Detection Finding class (2004).
//!
//! The fields a SIEM indexes (class, category, severity, time, product, finding info, cloud, resource, action)
//! follow OCSF names; what OCSF has no slot for (request id, event source, detection path and confidence)
//! goes under `unmapped`. Events carry a redacted, bounded excerpt and never the payload itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Longest excerpt kept in an event, in characters.
const MAX_EXCERPT_CHARS: usize = 80;

/// OCSF severity ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Informational = 1,
    Low = 2,
    Medium = 3,
    High = 4,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Severity::Informational => "Informational",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
        }
    }
}

/// What the extension did about a finding (OCSF `action_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allowed = 1,
    Denied = 2,
}

/// The function the extension protects, stamped on every event.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub function_name: String,
    pub function_version: String,
    pub region: String,
    pub mode: &'static str,
}

/// One finding before it is rendered.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    /// Stable finding type: `injection/sqli`, `hygiene/executable-file`, `wallet/threshold`, …
    pub kind: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    pub action: Action,
    pub request_id: Option<&'a str>,
    /// Extra fields for `unmapped` (detection path, file path, counts, …).
    pub details: Value,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl Context {
    /// Renders one finding as an OCSF-style Detection Finding.
    pub fn render(&self, f: &Finding<'_>) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let uid = format!("{}-{}-{}", std::process::id(), now, seq);
        let mut unmapped = json!({
            "function_name": self.function_name,
            "function_version": self.function_version,
            "mode": self.mode,
        });
        if let Some(id) = f.request_id {
            unmapped["request_id"] = json!(id);
        }
        if let (Value::Object(dst), Value::Object(src)) = (&mut unmapped, &f.details) {
            for (k, v) in src {
                dst.insert(k.clone(), v.clone());
            }
        }
        json!({
            "class_uid": 2004,
            "class_name": "Detection Finding",
            "category_uid": 2,
            "category_name": "Findings",
            "activity_id": 1,
            "type_uid": 200401,
            "severity_id": f.severity as u8,
            "severity": f.severity.name(),
            "status_id": 1,
            "time": now,
            "action_id": f.action as u8,
            "action": if f.action == Action::Denied { "Denied" } else { "Allowed" },
            "metadata": {
                "version": "1.3.0",
                "uid": uid,
                "product": {
                    "name": "perimeter-shield",
                    "vendor_name": "perimeter",
                    "version": env!("CARGO_PKG_VERSION"),
                },
            },
            "finding_info": {
                "uid": uid,
                "title": f.title,
                "types": [f.kind],
            },
            "cloud": { "provider": "AWS", "region": self.region },
            "resources": [{
                "type": "AWS::Lambda::Function",
                "name": self.function_name,
                "version": self.function_version,
            }],
            "api": { "request": { "uid": f.request_id } },
            "unmapped": unmapped,
        })
    }
}

/// Bounds and cleans an excerpt: at most [`MAX_EXCERPT_CHARS`] characters, control characters replaced, so a
/// log line can neither carry a payload nor forge another line.
pub fn redact_excerpt(excerpt: &str) -> String {
    let mut out: String = excerpt
        .chars()
        .take(MAX_EXCERPT_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if excerpt.chars().nth(MAX_EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_ocsf_fields() {
        let ctx = Context {
            function_name: "orders".into(),
            function_version: "$LATEST".into(),
            region: "eu-west-1".into(),
            mode: "block",
        };
        let v = ctx.render(&Finding {
            kind: "injection/sqli",
            title: "SQL injection in event",
            severity: Severity::High,
            action: Action::Denied,
            request_id: Some("abc"),
            details: json!({"detection": {"path": "$.body.q"}}),
        });
        assert_eq!(v["class_uid"], 2004);
        assert_eq!(v["severity_id"], 4);
        assert_eq!(v["action"], "Denied");
        assert_eq!(v["metadata"]["product"]["name"], "perimeter-shield");
        assert_eq!(v["unmapped"]["request_id"], "abc");
        assert_eq!(v["unmapped"]["detection"]["path"], "$.body.q");
        assert_eq!(v["finding_info"]["types"][0], "injection/sqli");
    }

    #[test]
    fn excerpts_are_bounded_and_single_line() {
        let long = "x".repeat(500);
        assert_eq!(redact_excerpt(&long).chars().count(), MAX_EXCERPT_CHARS + 1);
        assert!(!redact_excerpt("a\nb\r").contains('\n'));
    }
}
