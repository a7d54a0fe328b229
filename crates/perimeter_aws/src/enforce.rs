//! The kill switch, the only code in perimeter that writes to an account: it stops a function
//! by setting its reserved concurrency to 0 (the function then takes no event: synchronous
//! callers get a throttling error, asynchronous events are retried, then dropped or sent to the
//! function's failure destination) and tags it with who did it, when, why and the concurrency
//! it had ([`tags`]); [`Enforcer::restore`] puts that concurrency back and removes the tags.
//!
//! Whether a function should be stopped is decided elsewhere (the `enforce` command judges the
//! scan against `[enforce]` in perimeter.toml); [`plan::decide`] turns that verdict and the
//! function's live state into an [`Action`], including re-applying a block someone lifted.
//!
//! The API is blocking: each [`Enforcer`] owns a small Tokio runtime for the SDK's calls.

pub mod plan;
pub mod tags;

pub use plan::{Action, FunctionState, decide};
pub use tags::{
    ALL_TAGS, BlockTags, NO_PREVIOUS, TAG_BLOCKED_AT, TAG_BLOCKED_BY, TAG_PREVIOUS, TAG_REASON,
};

use aws_config::BehaviorVersion;
use aws_sdk_lambda::error::DisplayErrorContext;
use std::collections::HashMap;

/// Where to connect: the standard credential chain, optionally a named profile and region
/// (`AWS_ENDPOINT_URL` is honored, which is how tests point at an emulator).
#[derive(Debug, Clone, Default)]
pub struct Connect {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// Why the kill switch could not act.
#[derive(Debug, thiserror::Error)]
pub enum EnforceError {
    #[error("cannot start the AWS client runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error("no AWS region: pass --region or set AWS_REGION")]
    NoRegion,
    /// An AWS call failed (missing permission, unknown function, throttling…).
    #[error("{operation} {target}: {message}")]
    Call {
        operation: &'static str,
        /// The function (or S3 object) the call was about.
        target: String,
        message: String,
    },
    /// `restore` on a function that carries no block of ours.
    #[error("{0}: not blocked by perimeter (no `perimeter:blocked-by` tag); nothing to restore")]
    NotBlocked(String),
}

/// A Tokio runtime and the SDK configuration, for the blocking APIs of this crate.
pub(crate) struct Session {
    pub runtime: tokio::runtime::Runtime,
    pub config: aws_config::SdkConfig,
}

impl Session {
    pub fn open(connect: &Connect) -> Result<Session, EnforceError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = &connect.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &connect.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        let config = runtime.block_on(loader.load());
        if config.region().is_none() {
            return Err(EnforceError::NoRegion);
        }
        Ok(Session { runtime, config })
    }
}

/// The kill switch for one account and region.
pub struct Enforcer {
    session: Session,
    lambda: aws_sdk_lambda::Client,
}

/// What one block or restore did, for the report and the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub arn: String,
    /// Reserved concurrency before the call.
    pub before: Option<i32>,
    /// Reserved concurrency after it.
    pub after: Option<i32>,
}

fn call_error<E>(operation: &'static str, function: &str, error: E) -> EnforceError
where
    E: std::error::Error,
{
    EnforceError::Call {
        operation,
        target: function.to_string(),
        message: DisplayErrorContext(&error).to_string(),
    }
}

impl Enforcer {
    pub fn connect(connect: &Connect) -> Result<Enforcer, EnforceError> {
        let session = Session::open(connect)?;
        let lambda = aws_sdk_lambda::Client::new(&session.config);
        Ok(Enforcer { session, lambda })
    }

    /// The region the enforcer acts in.
    pub fn region(&self) -> String {
        self.session
            .config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    /// Who is acting: the caller's ARN (STS `GetCallerIdentity`), or `None` when it cannot be
    /// read (the tag then says only `perimeter`).
    pub fn caller(&self) -> Option<String> {
        let sts = aws_sdk_sts::Client::new(&self.session.config);
        self.session
            .runtime
            .block_on(sts.get_caller_identity().send())
            .ok()
            .and_then(|o| o.arn().map(str::to_string))
    }

    /// Reads a function's ARN, reserved concurrency and block tags. `function` is a name or ARN.
    pub fn state(&self, function: &str) -> Result<FunctionState, EnforceError> {
        self.session.runtime.block_on(async {
            let got = self
                .lambda
                .get_function()
                .function_name(function)
                .send()
                .await
                .map_err(|e| call_error("GetFunction", function, e))?;
            let arn = got
                .configuration()
                .and_then(|c| c.function_arn())
                .unwrap_or(function)
                .to_string();
            // GetFunction's `Tags` and `Concurrency` are not filled by every implementation:
            // ask for each explicitly.
            let tags = self
                .lambda
                .list_tags()
                .resource(&arn)
                .send()
                .await
                .map_err(|e| call_error("ListTags", function, e))?
                .tags()
                .cloned()
                .unwrap_or_default();
            let reserved = self
                .lambda
                .get_function_concurrency()
                .function_name(function)
                .send()
                .await
                .map_err(|e| call_error("GetFunctionConcurrency", function, e))?
                .reserved_concurrent_executions();
            Ok(FunctionState {
                arn,
                reserved,
                block: BlockTags::from_tags(&tags),
            })
        })
    }

    /// Stops the function (reserved concurrency 0), then tags it with `block`. The
    /// concurrency goes first: a function must never run while its tags say it is blocked
    /// but not the other way round, and tags alone stop nothing.
    pub fn block(&self, state: &FunctionState, block: &BlockTags) -> Result<Outcome, EnforceError> {
        let arn = state.arn.as_str();
        self.session.runtime.block_on(async {
            self.lambda
                .put_function_concurrency()
                .function_name(arn)
                .reserved_concurrent_executions(0)
                .send()
                .await
                .map_err(|e| call_error("PutFunctionConcurrency", arn, e))?;
            let mut request = self.lambda.tag_resource().resource(arn);
            for (key, value) in block.to_tags() {
                request = request.tags(key, value);
            }
            request
                .send()
                .await
                .map_err(|e| call_error("TagResource", arn, e))?;
            Ok(Outcome {
                arn: arn.to_string(),
                before: state.reserved,
                after: Some(0),
            })
        })
    }

    /// Undoes a block: puts back the recorded reserved concurrency (or removes the
    /// reservation when it was `none`), then removes the tags.
    pub fn restore(&self, function: &str) -> Result<(Outcome, BlockTags), EnforceError> {
        let state = self.state(function)?;
        let Some(block) = state.block.clone() else {
            return Err(EnforceError::NotBlocked(function.to_string()));
        };
        let arn = state.arn.as_str();
        self.session.runtime.block_on(async {
            match block.previous {
                Some(previous) => {
                    self.lambda
                        .put_function_concurrency()
                        .function_name(arn)
                        .reserved_concurrent_executions(previous)
                        .send()
                        .await
                        .map_err(|e| call_error("PutFunctionConcurrency", arn, e))?;
                }
                None => {
                    self.lambda
                        .delete_function_concurrency()
                        .function_name(arn)
                        .send()
                        .await
                        .map_err(|e| call_error("DeleteFunctionConcurrency", arn, e))?;
                }
            }
            let mut request = self.lambda.untag_resource().resource(arn);
            for key in ALL_TAGS {
                request = request.tag_keys(key);
            }
            request
                .send()
                .await
                .map_err(|e| call_error("UntagResource", arn, e))?;
            Ok((
                Outcome {
                    arn: arn.to_string(),
                    before: state.reserved,
                    after: block.previous,
                },
                block,
            ))
        })
    }

    /// Tags of a function (for tests and reports).
    pub fn tags(&self, arn: &str) -> Result<HashMap<String, String>, EnforceError> {
        self.session.runtime.block_on(async {
            Ok(self
                .lambda
                .list_tags()
                .resource(arn)
                .send()
                .await
                .map_err(|e| call_error("ListTags", arn, e))?
                .tags()
                .cloned()
                .unwrap_or_default())
        })
    }
}
