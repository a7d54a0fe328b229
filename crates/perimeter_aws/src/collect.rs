//! The collector: reads a live account, read-only, into a [`Snapshot`].
//!
//! Credentials come from the standard chain (`aws_config::defaults`: environment, the
//! `--profile`'s or default profile, SSO, credential process, container and instance roles),
//! and `AWS_ENDPOINT_URL` is honored by the SDK (emulators, VPC endpoints). Every call goes
//! through one [`Ctx`]: a semaphore bounds the calls in flight ([`CollectOptions::concurrency`]),
//! the SDK retries throttled and transient failures (standard mode), and every list is
//! paginated. A call that fails (denied, unsupported, throttled past the retries) never aborts
//! the read: it becomes one sentence in [`Snapshot::gaps`] saying what could not be read and
//! which findings may be missing ([`gaps`]), and the read goes on.

mod apigw;
pub mod code;
pub mod download;
pub mod gaps;
mod iam;
mod lambda;
mod metrics;
pub mod regions;
mod sources;

use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig};
use perimeter_load::snapshot::{RegionData, Snapshot};
use std::sync::Mutex;
use thiserror::Error;
use tokio::sync::Semaphore;

/// Every IAM action the collector calls (besides `sts:GetCallerIdentity`, which needs none):
/// the minimal read-only policy of `docs/live-aws.md`. A test checks that the code names no
/// other action and that the document lists exactly these.
pub const REQUIRED_ACTIONS: &[&str] = &[
    "apigateway:GET",
    "cloudwatch:GetMetricStatistics",
    "events:ListEventBuses",
    "events:ListRules",
    "events:ListTargetsByRule",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListRoles",
    "lambda:GetFunction",
    "lambda:GetFunctionCodeSigningConfig",
    "lambda:GetFunctionConcurrency",
    "lambda:GetFunctionUrlConfig",
    "lambda:GetLayerVersion",
    "lambda:GetPolicy",
    "lambda:ListEventSourceMappings",
    "lambda:ListFunctionEventInvokeConfigs",
    "lambda:ListFunctions",
    "lambda:ListTags",
    "logs:DescribeLogGroups",
    "s3:GetBucketLocation",
    "s3:GetBucketNotification",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:ListAllMyBuckets",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTopics",
    "sqs:GetQueueAttributes",
    "sqs:ListQueues",
];

/// What to read.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Named profile of the shared config files.
    pub profile: Option<String>,
    /// Regions to read; empty: the chain's region (or every region with `all_regions`).
    pub regions: Vec<String>,
    /// Probe every region of [`regions::LAMBDA_REGIONS`].
    pub all_regions: bool,
    /// Days of `Invocations` metrics per function (0: none).
    pub metrics_days: u32,
    /// Calls in flight at most.
    pub concurrency: usize,
    /// `--code`: download each zip function's package and its layers and read them with
    /// these caps (`None`: code is not read).
    pub code: Option<perimeter_code::CodeOptions>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            profile: None,
            regions: Vec::new(),
            all_regions: false,
            metrics_days: 30,
            concurrency: 8,
            code: None,
        }
    }
}

/// Why nothing could be read at all (everything smaller is a gap).
#[derive(Debug, Error)]
pub enum CollectError {
    #[error("no AWS region: pass --region REGION, set AWS_REGION, or set `region` in the profile")]
    NoRegion,
    #[error("cannot use the AWS credentials: {0}")]
    Credentials(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// What a read produced: the snapshot, and with [`CollectOptions::code`] the code read (kept
/// out of the snapshot: it never holds code or secrets found in code).
pub struct Collected {
    pub snapshot: Snapshot,
    pub code: code::CodeScan,
}

/// Reads the account (blocking: runs its own Tokio runtime).
pub fn collect(options: &CollectOptions) -> Result<Snapshot, CollectError> {
    collect_all(options).map(|c| c.snapshot)
}

/// Reads the account and, with [`CollectOptions::code`], the code (blocking).
pub fn collect_all(options: &CollectOptions) -> Result<Collected, CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(collect_all_async(options))
}

/// Reads the account.
pub async fn collect_async(options: &CollectOptions) -> Result<Snapshot, CollectError> {
    collect_all_async(options).await.map(|c| c.snapshot)
}

/// Reads the account and, with [`CollectOptions::code`], the code.
pub async fn collect_all_async(options: &CollectOptions) -> Result<Collected, CollectError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(5));
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    let base = loader.load().await;
    let ctx = Ctx::new(options.concurrency);
    let account_id = account_id(&ctx, &base).await?;

    let mut region_names: Vec<String> = if options.all_regions {
        regions::LAMBDA_REGIONS
            .iter()
            .map(|r| r.to_string())
            .collect()
    } else if !options.regions.is_empty() {
        options.regions.clone()
    } else {
        match base.region() {
            Some(r) => vec![r.to_string()],
            None => return Err(CollectError::NoRegion),
        }
    };
    region_names.sort();
    region_names.dedup();

    let configs: Vec<(String, SdkConfig)> = region_names
        .iter()
        .map(|r| {
            let conf = base.to_builder().region(Region::new(r.clone())).build();
            (r.clone(), conf)
        })
        .collect();
    // Regions are read one after the other; calls within a region run concurrently (the
    // semaphore is the bound either way, and per-region output stays simple).
    let mut region_data = Vec::new();
    let mut read_regions = Vec::new();
    let downloader = options
        .code
        .clone()
        .map(|caps| code::Downloader::new(&ctx, caps));
    for (name, conf) in &configs {
        match lambda::read_region(&ctx, conf, name, options.all_regions).await {
            Some(mut data) => {
                sources::read_region(&ctx, conf, &mut data).await;
                apigw::read_region(&ctx, conf, &mut data).await;
                if options.metrics_days > 0 {
                    metrics::read(&ctx, conf, &mut data, options.metrics_days).await;
                }
                if let Some(d) = &downloader {
                    d.read_region(&ctx, conf, &data).await;
                }
                read_regions.push(name.clone());
                region_data.push(data);
            }
            None => continue,
        }
    }
    let global = configs
        .first()
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| base.clone());
    let used_roles: Vec<String> = region_data
        .iter()
        .flat_map(|r: &RegionData| r.functions.iter())
        .filter_map(|f| f.role.clone())
        .collect();
    let roles = iam::read_roles(&ctx, &global, &used_roles).await;
    let buckets = sources::read_buckets(&ctx, &global, &configs, &read_regions).await;

    let mut snapshot = Snapshot::new(account_id, now_rfc3339());
    snapshot.regions = read_regions;
    snapshot.metrics_days = options.metrics_days;
    snapshot.roles = roles;
    snapshot.buckets = buckets;
    snapshot.region_data = region_data;
    snapshot.gaps = ctx.into_gaps();
    Ok(Collected {
        snapshot,
        code: downloader
            .map(code::Downloader::into_scan)
            .unwrap_or_default(),
    })
}

/// The caller's account (STS `GetCallerIdentity`, which needs no permission): the first
/// call, so unusable credentials stop the scan with one clear message.
async fn account_id(ctx: &Ctx, conf: &SdkConfig) -> Result<String, CollectError> {
    // STS needs a region even for the global endpoint.
    let conf = if conf.region().is_none() {
        conf.to_builder().region(Region::new("us-east-1")).build()
    } else {
        conf.clone()
    };
    let client = aws_sdk_sts::Client::new(&conf);
    let _permit = ctx.permit().await;
    match client.get_caller_identity().send().await {
        Ok(out) => Ok(out.account().unwrap_or("unknown").to_string()),
        Err(e) => Err(CollectError::Credentials(gaps::error_text(&e))),
    }
}

fn now_rfc3339() -> String {
    aws_sdk_lambda::primitives::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_sdk_lambda::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

/// What every read shares: the bound on calls in flight and the gaps met.
pub(crate) struct Ctx {
    semaphore: Semaphore,
    gaps: Mutex<Vec<String>>,
}

impl Ctx {
    fn new(concurrency: usize) -> Self {
        Ctx {
            semaphore: Semaphore::new(concurrency.max(1)),
            gaps: Mutex::new(Vec::new()),
        }
    }

    /// Waits for a slot; hold the permit for the duration of one call (or one page).
    pub(crate) async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.semaphore.acquire().await.ok()
    }

    /// Reads every page of a list call, one permit per page: `fetch` sends the call for a
    /// continuation token, `take` keeps a page's items and returns the next token. A failed page
    /// becomes the gap `(what, action, consequence)` and ends the listing with what was read.
    pub(crate) async fn pages<P, E, R, Fut>(
        &self,
        mut fetch: impl FnMut(Option<String>) -> Fut,
        mut take: impl FnMut(P) -> Option<String>,
        (what, action, consequence): (&str, &str, &str),
    ) where
        Fut: std::future::Future<Output = Result<P, gaps::SdkError<E, R>>>,
        E: gaps::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let mut token: Option<String> = None;
        for _ in 0..lambda::MAX_PAGES {
            let answer = {
                let _permit = self.permit().await;
                fetch(token.clone()).await
            };
            match answer {
                Ok(page) => {
                    let next = take(page);
                    if next.is_none() || next == token {
                        break;
                    }
                    token = next;
                }
                Err(e) => {
                    self.gap(gaps::sentence(
                        what,
                        action,
                        consequence,
                        &gaps::classify(&e),
                    ));
                    break;
                }
            }
        }
    }

    /// Records a gap once.
    pub(crate) fn gap(&self, sentence: String) {
        if let Ok(mut gaps) = self.gaps.lock()
            && !gaps.contains(&sentence)
        {
            gaps.push(sentence);
        }
    }

    fn into_gaps(self) -> Vec<String> {
        self.gaps.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `service:Action` string literals in a source file.
    fn actions_named(source: &str) -> BTreeSet<String> {
        source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.split_once(':').is_some_and(|(svc, action)| {
                    !svc.is_empty()
                        && svc
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && action
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_uppercase())
                        && action.chars().all(|c| c.is_ascii_alphanumeric())
                })
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_documented_policy_is_exactly_what_the_code_calls() {
        let code: BTreeSet<String> = [
            include_str!("collect/lambda.rs"),
            include_str!("collect/iam.rs"),
            include_str!("collect/apigw.rs"),
            include_str!("collect/sources.rs"),
            include_str!("collect/metrics.rs"),
            include_str!("collect/code.rs"),
        ]
        .iter()
        .flat_map(|s| actions_named(s))
        .collect();
        let required: BTreeSet<String> = REQUIRED_ACTIONS.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            code, required,
            "actions named in the collector vs REQUIRED_ACTIONS"
        );
        let doc = include_str!("../../../docs/live-aws.md");
        let block = doc
            .split("```json")
            .nth(1)
            .and_then(|b| b.split("```").next())
            .expect("the policy block");
        let policy: serde_json::Value = serde_json::from_str(block).expect("policy JSON");
        let documented: BTreeSet<String> = policy["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect();
        assert_eq!(documented, required, "docs/live-aws.md vs REQUIRED_ACTIONS");
    }
}
