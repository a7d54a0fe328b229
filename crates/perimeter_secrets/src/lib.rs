//! Secret detection in code and configuration files.
//!
//! [`scan`] runs every detector over a file's bytes in one pass of one Aho-Corasick automaton
//! (provider token prefixes, secret-name keywords and context words together; see
//! [`detectors`](crate::detectors)) and returns redacted [`SecretHit`]s located at the secret's
//! first character; the code stage stores them on the bundle and SEC003 reports them.
//! [`should_scan`] says which files are worth reading at all. [`scan_value`] judges a single
//! value (an environment variable) with the same detectors, for SEC001. [`redact`] is the one
//! way anything in perimeter shows a secret.
//!
//! Policy on stand-ins: placeholders (`changeme`, `<your-key>`, `${VAR}`, `{{…}}`, `xxxx`,
//! `process.env.X`), published documentation examples (`AKIAIOSFODNN7EXAMPLE`, values with
//! `EXAMPLE`, the jwt.io sample) and low-randomness bodies are **not reported**; real-looking
//! secrets in tests, fixtures, examples and documentation are reported one confidence level
//! lower. A line carrying `pragma: allowlist secret` (detect-secrets), `gitleaks:allow` or
//! `perimeter:allow` is not reported.

mod detectors;
mod generic;
mod kind;
pub mod names;
mod paths;
mod redact;
mod scan;
pub mod shape;
mod value;

pub use kind::SecretKind;
pub use paths::{MAX_FILE_BYTES, should_scan};
pub use perimeter_model::SecretHit;
pub use redact::redact;
pub use scan::{detectors, scan};
pub use value::{ValueMatch, scan_value};
