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
    // The embedded AWS IAM data is dated: findings about actions are as current as it is.
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (AWS IAM catalog ",
        perimeter_iam::data_date!(),
        ")"
    ),
    about = "Serverless security: every function is its own perimeter"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan SAM/CloudFormation, Serverless Framework, Terraform and CDK output under PATH, a
    /// live AWS account (`--aws`) or a saved snapshot of one (`--snapshot`).
    Scan(ScanArgs),
    /// Scans recorded in the history database.
    History(commands::history::HistoryArgs),
    /// What changed: IaC against the deployed account (drift), two snapshots, or two recorded
    /// scans.
    Diff(commands::diff::DiffArgs),
    /// Re-scan on a schedule, report what changed and send alerts.
    Watch(commands::watch::WatchArgs),
    /// Kill switch: stop functions that break the policy in perimeter.toml (dry run unless
    /// `--apply`), or `--restore` one.
    Enforce(commands::enforce::EnforceArgs),
    /// Run as a Lambda function (custom runtime): each scheduled event scans this account.
    #[command(hide = true)]
    LambdaRuntime(commands::lambda::LambdaArgs),
    /// List the rule catalog.
    Rules {
        /// `text` (a table) or `json`.
        #[arg(long, value_enum, default_value_t = CatalogFormat::Text)]
        format: CatalogFormat,
    },
    /// Write the least-privilege policy of each function from what its code calls.
    Policy(commands::policy::PolicyArgs),
    /// Draw the attack graph (entry points → functions → roles → data) and its attack paths.
    Graph(commands::graph::GraphArgs),
    /// Print a rule's documentation (by code, e.g. AUTH002, or name).
    Explain {
        /// Rule code or name.
        rule: String,
    },
    /// Manage the offline OSV vulnerability database used for dependency advisories.
    Db(DbArgs),
    /// Runtime event inspection (the Lambda extension's detectors) from the command line.
    Shield {
        #[command(subcommand)]
        command: commands::shield::ShieldCommand,
    },
}

#[derive(clap::Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Download OSV's per-ecosystem advisory exports (the only command that uses the network).
    Update {
        /// Ecosystems to download (npm, PyPI, Go, crates.io, Maven, RubyGems, NuGet; comma
        /// separated or repeated). Default: all.
        #[arg(long, value_name = "NAME")]
        ecosystem: Vec<String>,
        /// Database folder. Default: PERIMETER_VULN_DB, else the user cache
        /// (~/.cache/perimeter/osv on Linux).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print the database's location, ecosystems, record counts, age and staleness.
    Status {
        /// Database folder (default as for `update`).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
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
    /// One self-contained HTML file (no network): ranked functions, findings, attack graph.
    Html,
    /// A summary fit for a pull-request comment.
    Markdown,
}

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Folder (or single file) to scan. Ignored with `--aws` or `--snapshot`.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Scan the live AWS account of the standard credential chain (read-only).
    #[arg(long, conflicts_with = "snapshot")]
    pub aws: bool,
    #[command(flatten)]
    pub live: commands::aws::LiveArgs,
    /// Scan a snapshot saved by `--save-snapshot` instead of PATH (offline, no credentials).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// With `--aws`: also save what was read as a snapshot FILE (secrets redacted).
    #[arg(long, value_name = "FILE", requires = "aws")]
    pub save_snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub record: commands::history::RecordArgs,
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
    /// OSV advisory database (a folder of OSV JSON or OSV `all.zip` exports) to check
    /// dependencies against. Default: PERIMETER_VULN_DB, else the `perimeter db update` cache.
    #[arg(long, value_name = "PATH")]
    pub vuln_db: Option<PathBuf>,
}

fn main() -> ExitCode {
    // Lambda's custom runtime starts the executable named `bootstrap`: that is the Lambda mode.
    let bootstrap = std::env::args_os()
        .next()
        .and_then(|a| PathBuf::from(a).file_name().map(|n| n == "bootstrap"))
        .unwrap_or(false);
    let cli = if bootstrap {
        Cli {
            command: Command::LambdaRuntime(commands::lambda::LambdaArgs::default()),
        }
    } else {
        Cli::parse()
    };
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(&args),
        Command::History(args) => commands::history::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Watch(args) => commands::watch::run(&args),
        Command::Enforce(args) => commands::enforce::run(&args),
        Command::LambdaRuntime(args) => commands::lambda::run(&args),
        Command::Policy(args) => commands::policy::run(&args),
        Command::Graph(args) => commands::graph::run(&args),
        Command::Rules { format } => commands::catalog::list(matches!(format, CatalogFormat::Json)),
        Command::Explain { rule } => commands::catalog::explain(&rule),
        Command::Db(args) => commands::db::run(&args),
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
