//! Drift and change between IaC, the deployed account, snapshots and recorded scans.

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DiffArgs {}

pub fn run(_args: &DiffArgs) -> Result<ExitCode> {
    bail!("`diff` is not built yet")
}
