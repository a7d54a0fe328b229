//! Live AWS snapshots: the versioned JSON that `scan --aws` captures (and `--save-snapshot`
//! writes), and its conversion into the model ([`to_model`]).
//!
//! The format is plain serde data, close to the AWS API shapes (names in `snake_case`, only
//! the fields perimeter reads), so a snapshot can be read, diffed and shared without
//! credentials and scanned by a binary built without the AWS SDK. The collector
//! (`perimeter_aws::collect`) fills it; a live scan and a scan of the saved snapshot go through
//! the same [`to_model`], so they give the same findings.
//!
//! ```json
//! {"format": "perimeter-aws-snapshot", "version": 1, "captured_at": "2026-11-22T12:00:00Z",
//!  "account_id": "123456789012", "regions": ["us-east-1"], "metrics_days": 30,
//!  "gaps": ["cannot read S3 bucket policies (s3:GetBucketPolicy denied): …"],
//!  "roles": [...], "buckets": [...], "region_data": [{"region": "us-east-1", "functions": [...], ...}]}
//! ```
//!
//! **Secrets** never reach a snapshot whole: an environment value the secret detectors flag
//! is replaced at capture by a redaction marker ([`REDACTED_PREFIX`]`…`) that keeps the
//! detectors' verdict and the redacted display; the SEC rules recognise it, so a snapshot
//! still reports the secret without holding it. Version 1 is the first; a reader refuses any
//! other format name or a newer version.

mod model;
mod policy;

pub use model::to_model;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The `format` every snapshot carries.
pub const FORMAT: &str = "perimeter-aws-snapshot";
/// The version this build writes and the newest it reads.
pub const VERSION: u32 = 1;
/// Largest snapshot accepted (bytes): a big account is a few MB.
pub const MAX_SNAPSHOT_BYTES: usize = 256 * 1024 * 1024;
/// Start of an environment value redacted at capture. The full form is
/// `perimeter:redacted:<verdict>:<kind>:<severity>:<stand-in>` where `verdict` is `secret`
/// (the value looks like a secret, SEC001) or `name` (a secret-like name set to a literal,
/// SEC002), `kind` the detector's kind (`AwsAccessKeyId`, `HighEntropy`, … or `-`), and the
/// stand-in keeps at most the first four characters and the length (`AKIA••••…`), so the
/// report shows the same `AKIA… (20 chars)` as for the original.
pub const REDACTED_PREFIX: &str = "perimeter:redacted:";

/// Why a snapshot could not be read.
#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error("not a perimeter snapshot: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a perimeter snapshot (format `{0}`, expected `{FORMAT}`)")]
    Format(String),
    #[error(
        "snapshot version {0} is newer than this perimeter reads ({VERSION}): upgrade perimeter"
    )]
    Version(u32),
    #[error("snapshot is larger than {MAX_SNAPSHOT_BYTES} bytes")]
    TooLarge,
}

/// One capture of an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this build.
    pub version: u32,
    /// RFC 3339 time of the capture.
    pub captured_at: String,
    pub account_id: String,
    /// Regions read, sorted.
    pub regions: Vec<String>,
    /// Days of `Invocations` metrics read per function (0: none).
    #[serde(default)]
    pub metrics_days: u32,
    /// What could not be read, one sentence each.
    #[serde(default)]
    pub gaps: Vec<String>,
    /// IAM roles (global): those Lambda can assume and those functions use.
    #[serde(default)]
    pub roles: Vec<RoleData>,
    /// S3 buckets in the regions read.
    #[serde(default)]
    pub buckets: Vec<BucketData>,
    /// Per-region data.
    #[serde(default)]
    pub region_data: Vec<RegionData>,
}

impl Snapshot {
    /// An empty snapshot of the current format and version.
    pub fn new(account_id: impl Into<String>, captured_at: impl Into<String>) -> Self {
        Snapshot {
            format: FORMAT.to_string(),
            version: VERSION,
            captured_at: captured_at.into(),
            account_id: account_id.into(),
            ..Snapshot::default()
        }
    }

    /// Reads a snapshot from its JSON, checking format and version.
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        if text.len() > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::TooLarge);
        }
        // Check the header before the body so a wrong file says so plainly.
        #[derive(Deserialize)]
        struct Header {
            format: String,
            version: u32,
        }
        let header: Header = serde_json::from_str(text)?;
        if header.format != FORMAT {
            return Err(SnapshotError::Format(header.format));
        }
        if header.version > VERSION {
            return Err(SnapshotError::Version(header.version));
        }
        Ok(serde_json::from_str(text)?)
    }

    /// The snapshot as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// What was read in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionData {
    pub region: String,
    #[serde(default)]
    pub functions: Vec<FunctionData>,
    /// Every event source mapping of the region (read without a function filter, so mappings
    /// of deleted functions are kept).
    #[serde(default)]
    pub event_source_mappings: Vec<EventSourceMapping>,
    #[serde(default)]
    pub rest_apis: Vec<RestApi>,
    #[serde(default)]
    pub http_apis: Vec<HttpApi>,
    /// API IDs (v1) that a usage plan covers.
    #[serde(default)]
    pub usage_plan_api_ids: Vec<String>,
    #[serde(default)]
    pub topics: Vec<TopicData>,
    #[serde(default)]
    pub queues: Vec<QueueData>,
    #[serde(default)]
    pub event_rules: Vec<EventRule>,
    /// `/aws/lambda/*` log groups.
    #[serde(default)]
    pub log_groups: Vec<LogGroup>,
}

/// One Lambda function (`GetFunction` / `ListFunctions` configuration and the per-function
/// reads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionData {
    pub name: String,
    pub arn: String,
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub package_type: Option<String>,
    pub role: Option<String>,
    pub timeout: Option<u32>,
    pub memory: Option<u32>,
    /// Environment variables; flagged values hold a redaction marker ([`REDACTED_PREFIX`]).
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// `Active` or `PassThrough`.
    pub tracing_mode: Option<String>,
    #[serde(default)]
    pub layers: Vec<String>,
    /// `true` when attached to subnets.
    #[serde(default)]
    pub vpc: bool,
    pub dead_letter_target: Option<String>,
    #[serde(default)]
    pub architectures: Vec<String>,
    pub last_modified: Option<String>,
    pub code_sha256: Option<String>,
    pub code_size: Option<u64>,
    pub state: Option<String>,
    /// `GetFunctionUrlConfig` (none when the function has no URL).
    pub url: Option<UrlConfig>,
    /// The resource policy (`GetPolicy`), parsed.
    pub policy: Option<serde_json::Value>,
    /// `ListFunctionEventInvokeConfigs`.
    #[serde(default)]
    pub event_invoke_configs: Vec<EventInvokeConfig>,
    /// `GetFunctionConcurrency`.
    pub reserved_concurrency: Option<i64>,
    pub code_signing_config_arn: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Sum of `Invocations` over the last `metrics_days` days; `None` when not read.
    pub invocations: Option<u64>,
    /// Time of the last datapoint with invocations.
    pub last_invoked: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UrlConfig {
    pub url: Option<String>,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
    #[serde(default)]
    pub allow_origins: Vec<String>,
    pub allow_credentials: Option<bool>,
    /// `true` when a CORS block is set.
    #[serde(default)]
    pub cors: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventInvokeConfig {
    /// The function ARN, qualified or not, as returned.
    pub function_arn: Option<String>,
    pub on_failure: Option<String>,
    pub on_success: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    pub uuid: String,
    /// As written: may name a deleted function, or be qualified (`:alias`).
    pub function_arn: String,
    pub event_source_arn: Option<String>,
    /// `true` for self-managed Kafka.
    #[serde(default)]
    pub self_managed_kafka: bool,
    pub state: Option<String>,
}

/// An API Gateway REST API (v1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestApi {
    pub id: String,
    pub name: Option<String>,
    #[serde(default)]
    pub endpoint_types: Vec<String>,
    /// The resource policy, parsed.
    pub policy: Option<serde_json::Value>,
    #[serde(default)]
    pub methods: Vec<RestMethod>,
    #[serde(default)]
    pub authorizers: Vec<Authorizer>,
    #[serde(default)]
    pub stages: Vec<StageData>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestMethod {
    pub path: String,
    pub http_method: String,
    /// `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`.
    pub authorization_type: Option<String>,
    pub authorizer_id: Option<String>,
    #[serde(default)]
    pub api_key_required: bool,
    /// The integration's `uri` (`…/functions/<function ARN>/invocations` for Lambda).
    pub integration_uri: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Authorizer {
    pub id: String,
    pub name: Option<String>,
    /// v1: `TOKEN`, `REQUEST`, `COGNITO_USER_POOLS`; v2: `JWT`, `REQUEST`.
    pub authorizer_type: Option<String>,
}

/// A stage of either API kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageData {
    pub name: String,
    #[serde(default)]
    pub tracing: bool,
    /// `true` when access logs are written.
    #[serde(default)]
    pub access_logs: bool,
    pub throttle_rate: Option<f64>,
    pub throttle_burst: Option<i64>,
}

/// An API Gateway v2 API (HTTP or WebSocket).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpApi {
    pub id: String,
    pub name: Option<String>,
    /// `HTTP` or `WEBSOCKET`.
    pub protocol_type: Option<String>,
    #[serde(default)]
    pub cors_allow_origins: Vec<String>,
    pub cors_allow_credentials: Option<bool>,
    #[serde(default)]
    pub cors: bool,
    #[serde(default)]
    pub routes: Vec<HttpRoute>,
    #[serde(default)]
    pub authorizers: Vec<Authorizer>,
    /// Integration ID → integration URI.
    #[serde(default)]
    pub integrations: BTreeMap<String, String>,
    #[serde(default)]
    pub stages: Vec<StageData>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpRoute {
    /// `GET /items`, `$default`, `$connect`.
    pub route_key: String,
    /// `NONE`, `AWS_IAM`, `JWT`, `CUSTOM`.
    pub authorization_type: Option<String>,
    pub authorizer_id: Option<String>,
    #[serde(default)]
    pub api_key_required: bool,
    /// `integrations/<id>`.
    pub target: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketData {
    pub name: String,
    pub region: String,
    /// The bucket policy, parsed.
    pub policy: Option<serde_json::Value>,
    pub public_access_block: Option<PublicAccessBlockData>,
    /// Lambda function configurations of the bucket's notifications.
    #[serde(default)]
    pub lambda_notifications: Vec<Notification>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PublicAccessBlockData {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Option<String>,
    /// As written: may name a deleted function.
    pub function_arn: String,
    #[serde(default)]
    pub events: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicData {
    pub arn: String,
    pub policy: Option<serde_json::Value>,
    /// `lambda` subscriptions.
    #[serde(default)]
    pub lambda_subscriptions: Vec<Subscription>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub arn: Option<String>,
    /// The function ARN, as written.
    pub endpoint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueData {
    pub url: String,
    pub arn: String,
    pub policy: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventRule {
    pub name: String,
    pub arn: String,
    pub event_bus: Option<String>,
    pub schedule_expression: Option<String>,
    pub state: Option<String>,
    /// Lambda targets (ARNs as written).
    #[serde(default)]
    pub lambda_targets: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogGroup {
    pub name: String,
    pub arn: Option<String>,
    /// `None`: never expires.
    pub retention_days: Option<u32>,
}

/// An IAM role with its policies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleData {
    pub arn: String,
    pub name: String,
    /// The trust policy, decoded.
    pub trust: Option<serde_json::Value>,
    #[serde(default)]
    pub inline_policies: Vec<PolicyData>,
    /// Attached managed policies; AWS managed ones (`arn:aws:iam::aws:policy/…`) may have no
    /// document (perimeter knows their content).
    #[serde(default)]
    pub attached_policies: Vec<PolicyData>,
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyData {
    pub name: String,
    /// For managed policies.
    pub arn: Option<String>,
    /// The document, decoded.
    pub document: Option<serde_json::Value>,
}

/// Decodes an IAM policy document as IAM returns it (URL-encoded JSON; some emulators and
/// SDK layers return it already decoded).
pub fn decode_policy_document(text: &str) -> Option<serde_json::Value> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        && let Ok(v) = serde_json::from_str(text)
    {
        return Some(v);
    }
    serde_json::from_str(&percent_decode(text)).ok()
}

/// `%XX` and `+` decoding (IAM encodes documents as `application/x-www-form-urlencoded`-style
/// percent escapes; `+` never appears unescaped in JSON text it produced).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_and_plain_documents() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_policy_document(enc).unwrap()["Version"],
            "2012-10-17"
        );
        assert!(decode_policy_document("{\"Statement\": []}").is_some());
        assert!(decode_policy_document("%zz").is_none());
        assert!(decode_policy_document("%7").is_none());
    }

    #[test]
    fn header_is_checked() {
        let s = Snapshot::new("123456789012", "2026-01-01T00:00:00Z");
        let back = Snapshot::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        let wrong = r#"{"format": "other", "version": 1}"#;
        assert!(matches!(
            Snapshot::from_json(wrong),
            Err(SnapshotError::Format(_))
        ));
        let newer = r#"{"format": "perimeter-aws-snapshot", "version": 99}"#;
        assert!(matches!(
            Snapshot::from_json(newer),
            Err(SnapshotError::Version(99))
        ));
        assert!(Snapshot::from_json("[]").is_err());
    }
}
