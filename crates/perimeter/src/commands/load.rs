//! Loading shared by the commands that read an application (`scan`, `policy`): the
//! configuration file, the IaC loaders with the same options, and (for `policy`) the code stage.

use anyhow::{Context, Result, bail};
use perimeter_config::Config;
use perimeter_load::LoadOptions;
use perimeter_model::Model;
use std::path::Path;

/// What a command needs to load a tree.
pub struct LoadArgs<'a> {
    pub path: &'a Path,
    pub config: Option<&'a Path>,
    pub stage: Option<String>,
    pub resolve_env: bool,
    /// Run the code stage (`perimeter_code::attach`) after the IaC loaders.
    pub code: bool,
}

/// A loaded tree.
pub struct Loaded {
    pub model: Model,
    /// What the code stage saw, when it ran.
    pub code: Option<perimeter_code::CodeStats>,
}

/// Loads the tree at `args.path` as `scan` does (configuration, exclusions, stage, env
/// resolution).
pub fn load_model(args: &LoadArgs) -> Result<Loaded> {
    let root = args.path;
    if !root.exists() {
        bail!("{}: no such file or directory", root.display());
    }
    let rules = perimeter_rules::registry();
    let codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
    let config = load_config(args.config, root, &codes)?;
    let options = LoadOptions {
        resolve_env: args.resolve_env,
        stage: args.stage.clone(),
        exclude: config.exclude.clone(),
    };
    let mut model = perimeter_load::load_path(root, &options)?;
    let code = args
        .code
        .then(|| perimeter_code::attach(&mut model, root, &perimeter_code::CodeOptions::default()));
    Ok(Loaded { model, code })
}

/// The configuration: `--config FILE`, else `perimeter.toml` at the scan root, else defaults.
/// Messages name the file as the user would: `perimeter.toml` when found at the root.
pub fn load_config(config: Option<&Path>, root: &Path, codes: &[&str]) -> Result<Config> {
    let (path, display) = match config {
        Some(path) => (path.to_path_buf(), path.display().to_string()),
        None => {
            let candidate = if root.is_dir() {
                root.join("perimeter.toml")
            } else {
                root.with_file_name("perimeter.toml")
            };
            if !candidate.is_file() {
                return Ok(Config::default());
            }
            (candidate, "perimeter.toml".to_string())
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Config::parse(&text, &display, codes).map_err(|e| anyhow::anyhow!("{e}"))
}
