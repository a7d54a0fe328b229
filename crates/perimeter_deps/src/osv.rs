//! OSV records (https://ossf.github.io/osv-schema/): the subset perimeter reads, as serde types.

use serde::Deserialize;

/// One OSV advisory record.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvRecord {
    pub id: String,
    #[serde(default)]
    pub modified: String,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<OsvSeverity>,
    #[serde(default)]
    pub affected: Vec<OsvAffected>,
    #[serde(default)]
    pub references: Vec<OsvReference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvSeverity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub score: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvAffected {
    #[serde(default)]
    pub package: Option<OsvPackage>,
    #[serde(default)]
    pub ranges: Vec<OsvRange>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub severity: Vec<OsvSeverity>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvPackage {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvRange {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<OsvEvent>,
}

/// One event of a range; exactly one field is set.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OsvEvent {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsvReference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

impl OsvRecord {
    /// `CRITICAL`/`HIGH`/`MODERATE`/`LOW`: the record's `database_specific.severity` (GitHub
    /// advisories), else the CVSS v3/v4 base score's rating.
    pub fn severity_label(&self) -> Option<String> {
        let specific = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .and_then(|d| d.get("severity"))
                .and_then(|s| s.as_str())
                .map(|s| s.to_ascii_uppercase())
                .filter(|s| {
                    matches!(
                        s.as_str(),
                        "CRITICAL" | "HIGH" | "MODERATE" | "MEDIUM" | "LOW"
                    )
                })
                .map(|s| {
                    if s == "MEDIUM" {
                        "MODERATE".to_string()
                    } else {
                        s
                    }
                })
        };
        if let Some(s) = specific(&self.database_specific) {
            return Some(s);
        }
        if let Some(s) = self
            .affected
            .iter()
            .find_map(|a| specific(&a.database_specific))
        {
            return Some(s);
        }
        let all = self
            .severity
            .iter()
            .chain(self.affected.iter().flat_map(|a| &a.severity));
        all.filter_map(|s| cvss_score(&s.score))
            .reduce(f64::max)
            .map(|score| rating(score).to_string())
    }

    /// The advisory page: an `ADVISORY` reference, else the first `WEB` one, else any.
    pub fn url(&self) -> Option<String> {
        let by = |kind: &str| self.references.iter().find(|r| r.kind == kind);
        by("ADVISORY")
            .or_else(|| by("WEB"))
            .or_else(|| self.references.first())
            .map(|r| r.url.clone())
    }
}

fn cvss_score(vector: &str) -> Option<f64> {
    if vector.starts_with("CVSS:3") {
        let base: cvss::v3::Vector = vector.parse().ok()?;
        Some(base.score().value())
    } else if vector.starts_with("CVSS:4") {
        let v: cvss::v4::Vector = vector.parse().ok()?;
        Some(v.score().value())
    } else {
        None
    }
}

fn rating(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "CRITICAL",
        s if s >= 7.0 => "HIGH",
        s if s >= 4.0 => "MODERATE",
        _ => "LOW",
    }
}
