//! Live AWS accounts, read-only: the collector reads an account with the AWS SDK for Rust into
//! a `perimeter_load::snapshot` (plain, versioned, redacted JSON), which `perimeter_load` turns into the
//! model like any other input; and the opt-in kill switch ([`enforce`]), the only code that
//! writes to an account.
//!
//! This crate is the only one that links the AWS SDK; the binary includes it behind its `aws`
//! feature.

pub mod collect;
pub mod enforce;
pub mod output;
