//! The `perimeter` command line: argument parsing, dispatch to a command, exit codes.
//!
//! Exit codes are a contract with CI pipelines: `0` nothing at or above `--fail-on`, `1`
//! findings at or above it, `2` an error that kept the scan from doing anything useful.

mod commands;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "perimeter",
    version,
    about = "Serverless security: every function is its own perimeter"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan SAM/CloudFormation, Serverless Framework and CDK output under PATH.
    Scan(ScanArgs),
    /// List the rule catalog.
    Rules {
        /// `text` (a table) or `json`.
        #[arg(long, value_enum, default_value_t = CatalogFormat::Text)]
        format: CatalogFormat,
    },
    /// Print a rule's documentation (by code, e.g. AUTH002, or name).
    Explain {
        /// Rule code or name.
        rule: String,
    },
    /// Runtime event inspection (the Lambda extension's detectors) from the command line.
    Shield {
        #[command(subcommand)]
        command: commands::shield::ShieldCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CatalogFormat {
    Text,
    Json,
}

/// Output formats of `scan`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Folder (or single file) to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding at or above this severity remains (info, low, medium, high,
    /// critical, or `never`). Default: `fail-on` in perimeter.toml, else `low`.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Configuration file (default: PATH/perimeter.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serverless Framework stage for `${opt:stage}` / `${sls:stage}`.
    #[arg(long)]
    pub stage: Option<String>,
    /// Resolve Serverless `${env:…}` variables from this process's environment. Off by default:
    /// a malicious pull request could otherwise copy CI secrets into the report.
    #[arg(long)]
    pub resolve_env: bool,
    /// Judge runtime end-of-life dates as of this day (YYYY-MM-DD) instead of today, for
    /// reproducible reports.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Never color the text output (also: NO_COLOR set, or output not a terminal).
    #[arg(long)]
    pub no_color: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(&args),
        Command::Rules { format } => commands::catalog::list(matches!(format, CatalogFormat::Json)),
        Command::Explain { rule } => commands::catalog::explain(&rule),
        Command::Shield { command } => commands::shield::run(&command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("perimeter: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
