//! Serverless Framework services (`serverless.yml`/`.yaml`/`.json`) into the model.

use crate::doc::Node;
use crate::LoadOptions;
use perimeter_model::{App, LoadError, SourceKind};
use std::path::Path;

/// Loads one service file. `file` is its path relative to the scan root, `root` the scan root
/// on disk (the only tree `${file(…)}` may read from).
pub fn load(file: &str, doc: &Node, root: &Path, options: &LoadOptions) -> Result<App, LoadError> {
    let _ = (root, options);
    let name = doc.get("service").and_then(Node::as_str).unwrap_or(file).to_string();
    Ok(App::new(file, name, SourceKind::Serverless, file))
}
