//! Secret detection and redaction for every crate that shows or scans values: the engine
//! behind the SEC rules, re-exported from `rules::sec::secrets`. Reporters call [`redact`]
//! before printing anything that may be a secret.

pub use crate::rules::sec::secrets::*;
