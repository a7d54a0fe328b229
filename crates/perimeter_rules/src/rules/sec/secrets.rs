//! The secret detection engine, re-exported from `perimeter_secrets` so the SEC rules (and
//! reporters, through `perimeter_rules::secrets`) share one detector set and one [`redact`]
//! with the code stage: provider formats, placeholders and references, name words, the
//! generic random-token shape.

pub use perimeter_secrets::names::*;
pub use perimeter_secrets::shape::*;
pub use perimeter_secrets::{SecretKind, ValueMatch, redact, scan_value};
