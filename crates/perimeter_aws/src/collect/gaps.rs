//! Failed calls into gap sentences: "cannot read S3 bucket policies (s3:GetBucketPolicy
//! denied): public-bucket findings may be missing".
//!
//! A denial (`AccessDenied`, `AccessDeniedException`, `AuthorizationError`, …) says which IAM
//! action to grant; any other failure (an API the endpoint does not speak, a region that
//! refuses the credentials, throttling past the retries) says what went wrong in a few words.

use aws_sdk_lambda::error::DisplayErrorContext;
pub use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use std::error::Error;
use std::fmt::Debug;

/// Error codes that mean "this principal may not call this action".
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "Forbidden",
    "ForbiddenException",
];

/// Error codes that mean "these credentials are not valid here" (an opt-in region not
/// enabled for the account, expired or unknown keys).
const REFUSED: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
];

/// How a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The action is denied to the caller.
    Denied,
    /// The credentials are refused (opt-in region, expired token).
    Refused(String),
    /// Anything else, with a short reason.
    Other(String),
}

/// Classifies an error by its code.
pub fn classify<E, R>(err: &SdkError<E, R>) -> Failure
where
    E: ProvideErrorMetadata + Error + 'static,
    R: Debug,
{
    let code = err.code().unwrap_or_default();
    if DENIED.contains(&code) {
        return Failure::Denied;
    }
    if REFUSED.contains(&code) {
        return Failure::Refused(code.to_string());
    }
    Failure::Other(error_text(err))
}

/// A short one-line description of an error: its code and message, else the SDK's chain.
pub fn error_text<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
    R: Debug,
{
    let text = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        // The SDK's chain ends with a Debug dump of the response: keep the readable head.
        _ => DisplayErrorContext(err)
            .to_string()
            .split(" (")
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    shorten(&text)
}

/// The `code` of an error, for callers that treat one code as "absent" (`ResourceNotFound`).
pub fn code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata + Error + 'static,
    R: Debug,
{
    err.code()
}

/// The gap sentence for a failure reading `what` with `action`.
pub fn sentence(what: &str, action: &str, consequence: &str, failure: &Failure) -> String {
    match failure {
        Failure::Denied => format!("cannot read {what} ({action} denied): {consequence}"),
        Failure::Refused(code) => {
            format!("cannot read {what} ({action} refused the credentials, {code}): {consequence}")
        }
        Failure::Other(reason) => {
            format!("cannot read {what} ({action} failed: {reason}): {consequence}")
        }
    }
}

/// One line, at most 200 characters.
fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 200 {
        let cut: String = line.chars().take(200).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_name_the_action_and_the_consequence() {
        assert_eq!(
            sentence(
                "S3 bucket policies",
                "s3:GetBucketPolicy",
                "public-bucket findings may be missing",
                &Failure::Denied
            ),
            "cannot read S3 bucket policies (s3:GetBucketPolicy denied): public-bucket findings may be missing"
        );
        assert!(
            sentence("x", "a:B", "c", &Failure::Other("boom".into()))
                .contains("(a:B failed: boom)")
        );
        assert_eq!(shorten(&"x".repeat(300)).chars().count(), 201);
        assert_eq!(shorten("one\ntwo"), "one");
    }

    #[test]
    fn codes_are_classified() {
        use aws_sdk_lambda::operation::get_policy::GetPolicyError;
        use aws_smithy_runtime_api::http::{Response, StatusCode};
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let make = |code: &str| {
            let meta = ErrorMetadata::builder().code(code).message("m").build();
            SdkError::service_error(
                GetPolicyError::generic(meta),
                Response::new(StatusCode::try_from(403).unwrap(), SdkBody::empty()),
            )
        };
        assert_eq!(classify(&make("AccessDeniedException")), Failure::Denied);
        assert_eq!(
            classify(&make("UnrecognizedClientException")),
            Failure::Refused("UnrecognizedClientException".into())
        );
        assert_eq!(
            classify(&make("ServiceException")),
            Failure::Other("ServiceException: m".into())
        );
    }
}
