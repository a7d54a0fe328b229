//! Discovery and loaders: from files on disk to the [`perimeter_model::Model`].
//!
//! `load_path` walks the scan root ([`discover`]), reads each candidate once, parses it into a
//! [`doc::Node`] tree, and hands it to the loader for its kind ([`cloudformation`] for SAM,
//! CloudFormation and CDK output, [`serverless`] for the Serverless Framework). Loaders never
//! report findings. A file that cannot be read becomes a [`perimeter_model::LoadError`] naming
//! the file and, where known, the line; the scan goes on with the other files.

pub mod cloudformation;
pub mod discover;
pub mod doc;
pub mod serverless;

use perimeter_model::{LoadError, Model};
use std::path::Path;

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

/// Discovers and loads every application under `root`.
pub fn load_path(root: &Path, options: &LoadOptions) -> Model {
    let _ = (root, options);
    Model::default()
}

/// A [`doc::DocError`] in `file`, as the model's per-file error.
pub fn load_error(file: &str, error: &doc::DocError) -> LoadError {
    LoadError { file: file.to_string(), line: error.line, column: error.column, message: error.message.clone() }
}
