//! What a rule reports, and the metadata every rule declares.

use perimeter_model::Location;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rule families (the letters of a code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Family {
    /// Exposure and authentication.
    Auth,
    /// Privilege.
    Iam,
    /// Data reach.
    Data,
    /// Dependencies and runtimes.
    Dep,
    /// Secrets.
    Sec,
    /// Injection sinks.
    Inj,
    /// Denial of service and of wallet.
    Dow,
    /// Logging and monitoring.
    Log,
    /// Dead or obsolete.
    Life,
    /// Code integrity.
    Sign,
}

impl Family {
    pub fn prefix(self) -> &'static str {
        match self {
            Family::Auth => "AUTH",
            Family::Iam => "IAM",
            Family::Data => "DATA",
            Family::Dep => "DEP",
            Family::Sec => "SEC",
            Family::Inj => "INJ",
            Family::Dow => "DOW",
            Family::Log => "LOG",
            Family::Life => "LIFE",
            Family::Sign => "SIGN",
        }
    }
}

/// A three-step scale for likelihood, impact and confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    Medium,
    High,
}

/// What every rule declares about itself. The user documentation is the rule file's `//!`
/// comment, kept in [`RuleMeta::doc`].
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    /// `AUTH001`, never reused.
    pub code: &'static str,
    /// Kebab-case name of the bad pattern: `public-function-url`.
    pub name: &'static str,
    pub family: Family,
    /// One line for the catalog.
    pub summary: &'static str,
    pub severity: Severity,
    pub likelihood: Level,
    pub impact: Level,
    pub confidence: Level,
    /// The rule file's own source (`include_str!(file!())`-style), whose `//!` comment is the
    /// rule's documentation: see [`RuleMeta::documentation`].
    #[serde(skip)]
    pub source: &'static str,
}

impl RuleMeta {
    /// The rule's user documentation (Markdown): the `//!` comment at the top of its file.
    pub fn documentation(&self) -> String {
        let mut doc = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                if line.trim().is_empty() && doc.is_empty() {
                    continue;
                }
                break;
            };
            doc.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            doc.push('\n');
        }
        doc
    }
}

/// A secondary location: another place that explains the finding (the role that grants the
/// access, the API that routes to the function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub message: String,
    pub location: Location,
}

/// One diagnostic.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The app (its id: declaring file) the finding belongs to.
    pub app: String,
    /// The function concerned, when there is one (its id within the app).
    pub function: Option<String>,
    /// The resource the finding names (logical ID of the function, role, API, bucket, …).
    pub resource: String,
    /// One or two sentences naming the resource; never a whole secret.
    pub message: String,
    /// The offending attribute.
    pub location: Location,
    pub related: Vec<Related>,
    pub remediation: &'static str,
    /// Stable across runs and line moves: hash of code, app, resource and a rule-chosen key.
    pub fingerprint: String,
}

impl Finding {
    /// Builds a finding for `meta`. `key` distinguishes several findings of one rule on one
    /// resource (the trigger id, the statement's action, the variable name); it must not
    /// contain line numbers, so fingerprints survive edits elsewhere in the file.
    // Every argument is a required field of a diagnostic; a builder would only hide that.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        meta: &RuleMeta,
        app: &str,
        function: Option<&str>,
        resource: &str,
        key: &str,
        message: impl Into<String>,
        location: Location,
        remediation: &'static str,
    ) -> Finding {
        Finding {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            app: app.to_string(),
            function: function.map(str::to_string),
            resource: resource.to_string(),
            message: message.into(),
            location,
            related: Vec::new(),
            remediation,
            fingerprint: fingerprint(&[meta.code, app, resource, key]),
        }
    }

    pub fn with_related(mut self, message: impl Into<String>, location: Location) -> Finding {
        self.related.push(Related {
            message: message.into(),
            location,
        });
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

/// Hex SHA-256 (first 16 bytes) of the parts joined by NUL.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part.as_bytes());
    }
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
