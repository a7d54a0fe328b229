//! The code stage: reads the code each function deploys and records what is in it.
//!
//! After the IaC loaders have built the model, [`attach`] finds each function's code (its
//! folder or archive), parses the handler and the project files it imports with tree-sitter,
//! and fills [`perimeter_model::App::code`] and [`perimeter_model::Function::code`]: files,
//! dependencies (via `perimeter_deps`), secrets (via `perimeter_secrets`), AWS SDK calls
//! ([`sdk`]), and event-to-sink flows ([`taint`]). Nothing is executed and nothing is written.

pub mod archive;
mod bundle;
pub mod handler;
mod imports;
pub mod lang;
mod parsed;
mod scope;
pub mod sdk;
mod stage;
pub mod taint;

pub use archive::{ArchiveError, ArchiveLimits};
pub use stage::{ArchiveRole, CodeStats, ScannedArchive, attach, scan_archive};

/// Limits of the code stage. Everything read is untrusted: every size is capped.
#[derive(Debug, Clone)]
pub struct CodeOptions {
    /// Source files larger than this are not parsed (generated bundles, minified code).
    pub max_source_bytes: u64,
    /// Any file larger than this is not read (lockfiles can be large).
    pub max_file_bytes: u64,
    /// Files kept per bundle.
    pub max_files: usize,
    /// Bytes read per folder bundle.
    pub max_bundle_bytes: u64,
    /// Folder depth walked below a bundle's root.
    pub max_depth: usize,
    /// Files followed from a handler through imports.
    pub max_reachable: usize,
    pub archive: ArchiveLimits,
}

impl Default for CodeOptions {
    fn default() -> Self {
        CodeOptions {
            max_source_bytes: 2 * 1024 * 1024,
            max_file_bytes: 16 * 1024 * 1024,
            max_files: 10_000,
            max_bundle_bytes: 256 * 1024 * 1024,
            max_depth: 24,
            max_reachable: 500,
            archive: ArchiveLimits::default(),
        }
    }
}
