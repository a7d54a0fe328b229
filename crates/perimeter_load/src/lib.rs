//! Discovery and loaders: from files on disk to the [`perimeter_model::Model`].
//!
//! `load_path` walks the scan root ([`discover`]), reads each candidate once, parses it into a
//! [`doc::Node`] tree, and hands it to the loader for its kind ([`cloudformation`] for SAM,
//! CloudFormation and CDK output, [`serverless`] for the Serverless Framework, [`azure`] for
//! Azure Functions projects, [`terraform`] per folder). Loaders never
//! report findings. A file that cannot be read becomes a [`perimeter_model::LoadError`] naming
//! the file and, where known, the line; the scan goes on with the other files.

pub mod azure;
pub mod cloudformation;
pub mod discover;
pub mod doc;
mod scan;
pub mod serverless;
pub mod snapshot;
pub mod terraform;

use perimeter_model::{LoadError, Model};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What the user allowed the loaders to do.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Resolve Serverless `${env:…}` variables from this process's environment. Off by
    /// default: a malicious pull request could otherwise read a CI's secrets into a report.
    pub resolve_env: bool,
    /// Serverless `--stage` / `${opt:stage}` value, when given.
    pub stage: Option<String>,
    /// Glob patterns (relative to the root) to leave out, from `perimeter.toml`.
    pub exclude: Vec<String>,
}

/// Why a scan could not start at all (per-file problems are [`LoadError`]s in the model).
#[derive(Debug, Error)]
pub enum LoadPathError {
    #[error("{}: no such file or directory", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    InvalidExclude { pattern: String, message: String },
}

/// Discovers and loads every application under `root` (a folder, or a single file).
///
/// Files are independent, so they are read and loaded in parallel; apps and errors come back
/// sorted by file path so that two scans of the same tree give the same model.
pub fn load_path(root: &Path, options: &LoadOptions) -> Result<Model, LoadPathError> {
    let found = discover::discover(root, options)?;
    let (tf, others): (Vec<&discover::Candidate>, Vec<&discover::Candidate>) = found
        .candidates
        .iter()
        .partition(|c| c.kind == discover::CandidateKind::Terraform);
    let mut outcomes: Vec<scan::Outcome> = others
        .par_iter()
        .map(|c| scan::load_candidate(c, &found.base, options))
        .collect();
    outcomes.extend(scan::load_terraform(&tf, &found.base));
    let mut model = Model {
        apps: Vec::new(),
        errors: found.errors,
    };
    for outcome in outcomes.into_iter().flat_map(scan::Outcome::flatten) {
        match outcome {
            scan::Outcome::App(app) => model.apps.push(*app),
            scan::Outcome::Error(err) => model.errors.push(err),
            scan::Outcome::Skipped | scan::Outcome::Many(_) => {}
        }
    }
    // A nested stack's template found on its own is already part of its parent's app.
    cloudformation::drop_nested_duplicates(&mut model.apps);
    model
        .apps
        .sort_by(|a, b| a.file.cmp(&b.file).then_with(|| a.id.cmp(&b.id)));
    model.errors.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    // The same broken nested template may be met through its parent and on its own.
    model.errors.dedup();
    Ok(model)
}

/// A [`doc::DocError`] in `file`, as the model's per-file error.
pub fn load_error(file: &str, error: &doc::DocError) -> LoadError {
    LoadError {
        file: file.to_string(),
        line: error.line,
        column: error.column,
        message: error.message.clone(),
    }
}
