//! What is kept of a scan to compare it later: per function, the facts whose change matters
//! to security (entry points and whether each is public, the role's effective permissions,
//! environment variable names with a keyed hash of each value — never the value —, layers,
//! code hash, runtime and sizing, score, findings' fingerprints), and every finding by
//! fingerprint.
//!
//! Every fact is a [`Fact`]: known, or unknown (an unresolved IaC value, a redacted snapshot
//! value, something the source does not carry such as an IaC code hash). The diff never
//! reports a change on an unknown side, so an unresolved value is never drift.

use perimeter_iam::EffectivePermissions;
use perimeter_model::{App, Function, Model, Value};
use perimeter_rules::Finding;
use perimeter_rules::exposure::{EntryPoint, function_exposure, kind_name};
use perimeter_score::FunctionScore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How many sensitive action names are kept per role (their count is always kept).
pub const MAX_SENSITIVE_KEPT: usize = 100;

/// A fact that may be unknown on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact<T> {
    Known(T),
    Unknown,
}

impl<T> Fact<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Unknown => None,
        }
    }
}

impl<T: Clone> From<&Value<T>> for Fact<T> {
    fn from(value: &Value<T>) -> Self {
        match value {
            Value::Known(v) => Fact::Known(v.clone()),
            Value::Unresolved(_) => Fact::Unknown,
        }
    }
}

/// Hashes environment values with a key, so that the history never holds a value and equal
/// values in two databases do not hash alike (a low-entropy secret cannot be looked up in a
/// table built once). Hashes from one hasher compare with each other only.
#[derive(Debug, Clone)]
pub struct ValueHasher {
    key: Vec<u8>,
}

impl ValueHasher {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        ValueHasher { key: key.into() }
    }

    /// Hex of the first 16 bytes of SHA-256(key ‖ 0 ‖ name ‖ 0 ‖ value).
    pub fn hash(&self, name: &str, value: &str) -> String {
        let mut h = Sha256::new();
        h.update(&self.key);
        h.update([0]);
        h.update(name.as_bytes());
        h.update([0]);
        h.update(value.as_bytes());
        hex(&h.finalize()[..16])
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One scan, summarized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    /// What was scanned: a path, `aws:ACCOUNT:REGIONS`, a snapshot file, or a chosen name.
    pub source: String,
    pub functions: Vec<FunctionSummary>,
    pub findings: Vec<FindingSummary>,
    /// Load and configuration problems of the scan.
    pub errors: usize,
}

impl ScanSummary {
    /// Findings per severity, `critical` first: `[critical, high, medium, low, info]`.
    pub fn severity_counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for f in &self.findings {
            let i = match f.severity.as_str() {
                "critical" => 0,
                "high" => 1,
                "medium" => 2,
                "low" => 3,
                _ => 4,
            };
            counts[i] += 1;
        }
        counts
    }

    /// The highest function score (0 without functions).
    pub fn top_score(&self) -> u32 {
        self.functions.iter().map(|f| f.score).max().unwrap_or(0)
    }
}

/// One finding, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingSummary {
    pub fingerprint: String,
    pub code: String,
    pub severity: String,
    pub app: String,
    /// The function's key (`APP#ID`) when the finding concerns one.
    pub function: Option<String>,
    pub resource: String,
    pub message: String,
}

/// What is kept of one function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionSummary {
    /// `APP#ID`: stable between scans of the same source.
    pub key: String,
    pub app: String,
    /// The app's human name (Serverless `service`, template stem, account).
    pub app_name: String,
    /// `sam`, `cloud-formation`, `serverless`, `terraform`, `aws`, …
    pub app_kind: String,
    pub id: String,
    /// The deployed name, when known.
    pub name: Fact<String>,
    /// `true` when the name was written in the IaC (not the logical ID used as a name).
    pub name_declared: bool,
    /// The ARN of a deployed function.
    pub arn: Option<String>,
    /// `aws:cloudformation:logical-id` / `aws:cloudformation:stack-name` tags.
    pub cfn_logical_id: Option<String>,
    pub cfn_stack: Option<String>,
    pub runtime: Fact<String>,
    pub memory: Fact<u32>,
    pub timeout: Fact<u32>,
    /// `Known(None)`: no reserved concurrency (the shared pool).
    pub reserved_concurrency: Fact<Option<i64>>,
    pub triggers: Vec<TriggerSummary>,
    pub role: RoleSummary,
    /// Variable name → keyed hash of its value.
    pub environment: BTreeMap<String, Fact<String>>,
    /// Layer ARNs (unknown when one is a logical ID or unresolved).
    pub layers: Fact<Vec<String>>,
    /// The deployment package's SHA-256 (deployed), or a hash of the code files' names and
    /// contents (IaC, when the code is in the tree).
    pub code_hash: Fact<String>,
    pub score: u32,
    /// Fingerprints of the findings concerning the function.
    pub findings: Vec<String>,
}

impl FunctionSummary {
    /// The name used in messages: the deployed name when known, else the key.
    pub fn label(&self) -> String {
        match &self.name {
            Fact::Known(n) if n != &self.id => format!("{} ({n})", self.key),
            _ => self.key.clone(),
        }
    }

    pub fn is_public(&self) -> bool {
        self.triggers.iter().any(|t| t.public)
    }
}

/// One entry point of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerSummary {
    /// What identifies the entry point across scans: `api GET /users`, `function-url`,
    /// `sqs Jobs`, `resource-policy *`.
    pub key: String,
    pub kind: String,
    /// `true` when `key` names a logical ID of the IaC rather than a deployed name (then it
    /// cannot be compared with a deployed trigger's key, only its kind can).
    pub key_is_logical: bool,
    pub public: bool,
    pub authenticated: bool,
    /// `api GET /users (no auth)`.
    pub description: String,
}

/// The role a function runs with, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    /// The role's id (logical ID, name or ARN as the model has it).
    pub role: Fact<String>,
    /// Number of allowed actions; unknown when the role is not in the model.
    pub actions: Fact<usize>,
    /// Hash of the allowed action set (equal counts may hide different sets).
    pub actions_hash: Fact<String>,
    /// Number of sensitive allowed actions (escalation, permissions management, credential
    /// exposure, bulk data reads).
    pub sensitive_count: usize,
    /// The first [`MAX_SENSITIVE_KEPT`] sensitive actions, sorted.
    pub sensitive: Vec<String>,
}

/// What [`summarize`] needs besides the model.
pub struct SummaryInput<'a> {
    pub source: &'a str,
    pub model: &'a Model,
    pub findings: &'a [Finding],
    pub scores: &'a [FunctionScore],
    pub errors: usize,
    pub hasher: &'a ValueHasher,
    /// Hash of a function's code when it is on disk (`None`: unknown).
    pub code_hash: &'a dyn Fn(&App, &Function) -> Option<String>,
}

/// Summarizes a judged model.
pub fn summarize(input: &SummaryInput<'_>) -> ScanSummary {
    let findings: Vec<FindingSummary> = input
        .findings
        .iter()
        .map(|f| FindingSummary {
            fingerprint: f.fingerprint.clone(),
            code: f.code.to_string(),
            severity: f.severity.as_str().to_string(),
            app: f.app.clone(),
            function: f.function.as_ref().map(|id| format!("{}#{id}", f.app)),
            resource: f.resource.clone(),
            message: f.message.clone(),
        })
        .collect();
    let mut functions = Vec::new();
    for app in &input.model.apps {
        for function in &app.functions {
            functions.push(summarize_function(input, app, function, &findings));
        }
    }
    ScanSummary {
        source: input.source.to_string(),
        functions,
        findings,
        errors: input.errors,
    }
}

fn summarize_function(
    input: &SummaryInput<'_>,
    app: &App,
    function: &Function,
    findings: &[FindingSummary],
) -> FunctionSummary {
    let key = format!("{}#{}", app.id, function.id);
    let score = input
        .scores
        .iter()
        .find(|s| s.app == app.id && s.function == function.id)
        .map_or(0, |s| s.score);
    let tag = |name: &str| {
        function
            .tags
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_str().map(str::to_string))
    };
    let deployed = function.deployed.as_ref();
    let code_hash = match deployed.and_then(|d| d.code_sha256.clone()) {
        Some(h) => Fact::Known(h),
        None => (input.code_hash)(app, function).map_or(Fact::Unknown, Fact::Known),
    };
    let environment = function
        .environment
        .iter()
        .map(|e| {
            let fact = match e.value.as_str() {
                Some(v) if !looks_redacted(v) => Fact::Known(input.hasher.hash(&e.name, v)),
                _ => Fact::Unknown,
            };
            (e.name.clone(), fact)
        })
        .collect();
    let layers = if function
        .layers
        .iter()
        .all(|l| l.as_str().is_some_and(|s| s.starts_with("arn:")))
    {
        Fact::Known(
            function
                .layers
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect(),
        )
    } else {
        Fact::Unknown
    };
    // A name the IaC did not write is the logical ID: CloudFormation generates the real one.
    let name_declared = function.name != function.id
        || deployed.is_some()
        // Serverless names every function `{service}-{stage}-{key}` (the loader fills it).
        || app.source == perimeter_model::SourceKind::Serverless;
    FunctionSummary {
        key: key.clone(),
        app: app.id.clone(),
        app_name: app.name.clone(),
        app_kind: serde_json::to_value(app.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        id: function.id.clone(),
        name: if name_declared {
            Fact::Known(function.name.clone())
        } else {
            Fact::Unknown
        },
        name_declared,
        arn: deployed.map(|d| d.arn.clone()),
        cfn_logical_id: tag("aws:cloudformation:logical-id"),
        cfn_stack: tag("aws:cloudformation:stack-name"),
        runtime: (&function.runtime.value).into(),
        memory: (&function.memory.value).into(),
        timeout: (&function.timeout.value).into(),
        reserved_concurrency: match &function.reserved_concurrency {
            None => Fact::Known(None),
            Some(attr) => match attr.known() {
                Some(v) => Fact::Known(Some(*v)),
                None => Fact::Unknown,
            },
        },
        triggers: function_exposure(app, function)
            .entry_points
            .iter()
            .map(|e| trigger_summary(app, function, e))
            .collect(),
        role: role_summary(app, function),
        environment,
        layers,
        code_hash,
        score,
        findings: findings
            .iter()
            .filter(|f| f.function.as_deref() == Some(key.as_str()))
            .map(|f| f.fingerprint.clone())
            .collect(),
    }
}

/// Values redacted at capture (`perimeter_secrets::redact`: `abcd… (40 chars)`) are not the
/// deployed value: comparing them would report drift on every secret.
fn looks_redacted(value: &str) -> bool {
    value.ends_with(" chars)") && value.contains("… (")
}

fn trigger_summary(app: &App, function: &Function, entry: &EntryPoint) -> TriggerSummary {
    let kind = kind_name(entry.kind).to_string();
    let declared = entry.declared_trigger(function);
    let (key, key_is_logical) = match declared {
        Some(t) => match &t.http {
            Some(route) => (format!("{kind} {} {}", route.method, route.path), false),
            None => match t.source.as_ref().map(|s| &s.value) {
                Some(Value::Known(src)) => match app.resource(src) {
                    Some(r) => match r.name.as_ref().and_then(|n| n.as_str()) {
                        Some(name) => (format!("{kind} {name}"), false),
                        None => (format!("{kind} {src}"), true),
                    },
                    None => (format!("{kind} {}", short_name(src)), false),
                },
                _ => (kind.clone(), true),
            },
        },
        None if entry.kind == perimeter_model::TriggerKind::FunctionUrl
            && function.url.is_some() =>
        {
            ("function-url".to_string(), false)
        }
        None => (entry.description.clone(), entry.source.is_some()),
    };
    TriggerSummary {
        key,
        kind,
        key_is_logical,
        public: entry.public,
        authenticated: entry.authenticated,
        description: entry.description.clone(),
    }
}

/// `arn:aws:sqs:eu-west-1:123:Jobs` → `Jobs`; `arn:aws:sns:…:topic/x` → `x`.
fn short_name(source: &str) -> &str {
    if !source.starts_with("arn:") {
        return source;
    }
    source
        .rsplit([':', '/'])
        .find(|s| !s.is_empty())
        .unwrap_or(source)
}

fn role_summary(app: &App, function: &Function) -> RoleSummary {
    let role = (&function.role.value).into();
    if app.role_of(function).is_none() {
        return RoleSummary {
            role,
            actions: Fact::Unknown,
            actions_hash: Fact::Unknown,
            sensitive_count: 0,
            sensitive: Vec::new(),
        };
    }
    let perms = EffectivePermissions::of_function(app, function);
    let mut hasher = Sha256::new();
    let mut count = 0;
    let mut sensitive = Vec::new();
    let mut sensitive_count = 0;
    for action in perms.allowed_actions() {
        count += 1;
        hasher.update(action.full_name.as_bytes());
        hasher.update([0]);
        if !perimeter_iam::sensitivity(action).is_empty() {
            sensitive_count += 1;
            if sensitive.len() < MAX_SENSITIVE_KEPT {
                sensitive.push(action.full_name.to_string());
            }
        }
    }
    sensitive.sort();
    RoleSummary {
        role,
        actions: Fact::Known(count),
        actions_hash: Fact::Known(hex(&hasher.finalize()[..16])),
        sensitive_count,
        sensitive,
    }
}
