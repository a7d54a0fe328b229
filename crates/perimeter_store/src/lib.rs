//! Scan history in an embedded SQLite database, and what changed between two scans (or between
//! the IaC and the deployed account).
//!
//! [`summarize`] keeps, per function, what matters to compare later ([`ScanSummary`]);
//! [`Store`] records summaries and lists and loads them; [`diff`] turns two summaries into
//! typed [`Change`]s, either between two scans of one source or as drift between the IaC and
//! the deployed account.

mod db;
mod diff;
mod summary;

pub use db::{SCHEMA_VERSION, ScanRecord, Store, now_rfc3339, rfc3339};
pub use diff::{Change, Diff, DiffMode, diff};
pub use summary::{
    Fact, FindingSummary, FunctionSummary, MAX_SENSITIVE_KEPT, RoleSummary, ScanSummary,
    SummaryInput, TriggerSummary, ValueHasher, summarize,
};

/// Why the history could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "history database: schema version {found} is newer than this perimeter supports ({supported}): upgrade perimeter"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("history database: a stored summary is unreadable: {0}")]
    Summary(#[from] serde_json::Error),
    #[error("no scan {0} in the history")]
    NoSuchScan(i64),
}
