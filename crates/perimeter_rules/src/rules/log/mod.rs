//! LOG rules: logging, tracing and failure visibility.

use crate::Rule;

mod api_access_logging_disabled;
mod async_without_failure_destination;
mod no_log_retention;
mod tracing_disabled;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &no_log_retention::NoLogRetention,
        &tracing_disabled::TracingDisabled,
        &api_access_logging_disabled::ApiAccessLoggingDisabled,
        &async_without_failure_destination::AsyncWithoutFailureDestination,
    ]
}
