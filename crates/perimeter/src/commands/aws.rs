//! Live AWS input: `scan --aws` reads an account into the model, `--save-snapshot` keeps what
//! was read, `--snapshot` scans a saved one offline.
//!
//! A live read captures a snapshot (`perimeter_aws::collect`) and builds the model from it
//! (`perimeter_load::snapshot::to_model`), exactly as `--snapshot` does, so both give the same
//! findings. Scanning a snapshot needs no AWS SDK: it works in a binary built without the
//! `aws` feature.

use anyhow::{Context, Result, bail};
use perimeter_load::snapshot::{self, Snapshot};
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
#[cfg(feature = "aws")]
pub fn read_live(args: &LiveArgs) -> Result<LiveRead> {
    let options = perimeter_aws::collect::CollectOptions {
        profile: args.profile.clone(),
        regions: args.regions.clone(),
        all_regions: args.all_regions,
        metrics_days: args.metrics_days,
        code: args.code.then(perimeter_code::CodeOptions::default),
        ..perimeter_aws::collect::CollectOptions::default()
    };
    let collected = perimeter_aws::collect::collect_all(&options)?;
    let captured = collected.snapshot;
    for gap in &captured.gaps {
        eprintln!("perimeter: {gap}");
    }
    let mut model = snapshot::to_model(&captured);
    // `--code`: the packages were read in memory during the collection; only their facts
    // join the model (the snapshot stays code-free).
    collected.code.attach(&mut model);
    Ok(LiveRead {
        model,
        snapshot_json: captured.to_json(),
    })
}

/// Without the `aws` feature there is no SDK to read an account with.
#[cfg(not(feature = "aws"))]
pub fn read_live(_args: &LiveArgs) -> Result<LiveRead> {
    bail!(
        "this perimeter was built without live AWS support (the `aws` cargo feature): \
         rebuild with `--features aws`, or scan a saved snapshot with `--snapshot FILE`"
    )
}

/// Loads a saved snapshot into the model.
pub fn load_snapshot(path: &Path) -> Result<Model> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.len() > snapshot::MAX_SNAPSHOT_BYTES as u64 {
        bail!(
            "{}: snapshot is larger than {} bytes",
            path.display(),
            snapshot::MAX_SNAPSHOT_BYTES
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let captured = Snapshot::from_json(&text).with_context(|| format!("{}", path.display()))?;
    Ok(snapshot::to_model(&captured))
}

/// Where `--save-snapshot` writes.
pub fn save_snapshot(path: &PathBuf, read: &LiveRead) -> Result<()> {
    std::fs::write(path, &read.snapshot_json)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
