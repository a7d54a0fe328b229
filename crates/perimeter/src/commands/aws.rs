//! Live AWS input: `scan --aws` reads an account into the model, `--save-snapshot` keeps what
//! was read, `--snapshot` scans a saved one offline.

use anyhow::{Result, bail};
use perimeter_model::Model;
use std::path::{Path, PathBuf};

/// Options of a live read (`scan --aws`, `diff --aws`, `watch --aws`, `enforce`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LiveArgs {
    /// Named profile of the AWS config and credentials files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region to read (repeatable). Default: the profile's or AWS_REGION.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Read every region enabled for the account.
    #[arg(long, conflicts_with = "regions")]
    pub all_regions: bool,
    /// Days of CloudWatch `Invocations` metrics to read per function (0: none).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub metrics_days: u32,
    /// Also download deployment packages and layers and scan their code, secrets and
    /// dependencies (in memory).
    #[arg(long)]
    pub code: bool,
}

/// What a live read produced: the model, and the snapshot that can be saved.
pub struct LiveRead {
    pub model: Model,
    /// The snapshot as JSON (secrets redacted), ready for `--save-snapshot`.
    pub snapshot_json: String,
}

/// Reads the account into the model.
pub fn read_live(_args: &LiveArgs) -> Result<LiveRead> {
    bail!("live AWS scanning is not built into this binary yet")
}

/// Loads a saved snapshot into the model.
pub fn load_snapshot(path: &Path) -> Result<Model> {
    bail!("{}: snapshots are not supported yet", path.display())
}

/// Where `--save-snapshot` writes.
pub fn save_snapshot(path: &PathBuf, read: &LiveRead) -> Result<()> {
    std::fs::write(path, &read.snapshot_json)?;
    Ok(())
}
