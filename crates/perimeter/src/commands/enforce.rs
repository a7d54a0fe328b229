//! `perimeter enforce`: the opt-in kill switch (reserved concurrency 0, tagged, alerted; `--restore`).

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EnforceArgs {}

pub fn run(_args: &EnforceArgs) -> Result<ExitCode> {
    bail!("`enforce` is not built yet")
}
