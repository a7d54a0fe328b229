//! Dependencies: lockfile and manifest parsers, the OSV advisory database, and version
//! matching per ecosystem.
//!
//! The code stage (`perimeter_code`) hands every file whose name [`recognize`]s to [`parse`],
//! and stores the packages on the bundle; the scan then opens the advisory database
//! ([`load_for_scan`]) and [`annotate`]s the model ([`perimeter_model::Dependency::advisories`])
//! before rules run. Only `db update` ([`download`], behind the `download` feature) touches the
//! network.

mod db;
#[cfg(feature = "download")]
pub mod download;
mod matching;
mod osv;
mod parse;
mod text;
pub mod version;
mod yaml;

pub use db::{
    DEFAULT_MAX_AGE_DAYS, Database, EcosystemStats, date_of, default_location, load_for_scan,
    max_age_from_env,
};
pub use matching::{annotate, matches};
pub use osv::OsvRecord;
pub use parse::{FileKind, parse, prefer_lockfiles, recognize};

/// Why a lockfile, manifest or advisory database could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DepsError {
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: u32,
        message: String,
    },
    #[error("{path}: {message}")]
    Database { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Download(String),
}

impl DepsError {
    pub(crate) fn parse(file: &str, line: u32, message: impl Into<String>) -> DepsError {
        DepsError::Parse {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn db(path: &std::path::Path, message: impl Into<String>) -> DepsError {
        DepsError::Database {
            path: path.display().to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> DepsError {
        DepsError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
