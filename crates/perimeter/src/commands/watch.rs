//! `perimeter watch`: scheduled re-scans, change reports and alerts.

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct WatchArgs {}

pub fn run(_args: &WatchArgs) -> Result<ExitCode> {
    bail!("`watch` is not built yet")
}
