//! The binary as a Lambda function (custom runtime): a scheduled event scans its own account.

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct LambdaArgs {}

pub fn run(_args: &LambdaArgs) -> Result<ExitCode> {
    bail!("`lambda` is not built yet")
}
