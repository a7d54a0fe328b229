//! Scan history: `scan --record`/`--db` stores each scan in SQLite, `perimeter history` lists
//! them.

use super::pipeline::Analysis;
use anyhow::{Result, bail};
use perimeter_model::Model;
use std::path::PathBuf;
use std::process::ExitCode;

/// `scan` options that record the scan in the history database.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RecordArgs {
    /// Record this scan in the history database (default file in the user's data directory).
    #[arg(long)]
    pub record: bool,
    /// History database file (implies `--record`).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    /// History database file.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

pub fn run(_args: &HistoryArgs) -> Result<ExitCode> {
    bail!("history is not built yet")
}

/// Records a finished scan when asked (`--record` or `--db`); `source` names what was scanned
/// (a path, `aws:ACCOUNT:REGION`, a snapshot file).
pub fn record_if_asked(
    args: &RecordArgs,
    _source: &str,
    _model: &Model,
    _analysis: &Analysis,
) -> Result<()> {
    if args.record || args.db.is_some() {
        bail!("recording scans is not built yet");
    }
    Ok(())
}
