//! Drift and change between IaC, the deployed account, snapshots and recorded scans.
//!
//! `--iac PATH` with `--aws` or `--snapshot FILE` is drift (what the IaC declares against what
//! is deployed); two `--snapshot`s, two `--iac`s, two `--scan`s or `--since-last` compare two
//! states of the same thing. Exit codes: 0 nothing differs, 1 something does, 2 an error.

use super::aws::LiveArgs;
use super::history;
use anyhow::{Context, Result, bail};
use perimeter_store::{Diff, DiffMode, ScanSummary, ValueHasher, diff};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    /// IaC folder or file (the left side of a drift check; twice: two versions of the IaC).
    #[arg(long, value_name = "PATH")]
    pub iac: Vec<PathBuf>,
    /// Read the live account (the right side of a drift check).
    #[arg(long)]
    pub aws: bool,
    #[command(flatten)]
    pub live: LiveArgs,
    /// A snapshot saved by `scan --aws --save-snapshot` (once with `--iac`: drift; twice:
    /// the older first).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Vec<PathBuf>,
    /// A recorded scan id (twice: the older first; see `perimeter history`).
    #[arg(long, value_name = "ID")]
    pub scan: Vec<i64>,
    /// The latest recorded scan against the previous scan of the same source.
    #[arg(long, conflicts_with = "scan")]
    pub since_last: bool,
    /// History database for `--scan` / `--since-last`.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Configuration file (default: perimeter.toml at the IaC root, else the working directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serverless Framework stage for `${opt:stage}` / `${sls:stage}` in the IaC.
    #[arg(long)]
    pub stage: Option<String>,
    /// `text` or `json`.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// One side of a comparison, before it is summarized.
enum Side<'a> {
    Iac(&'a Path),
    Aws,
    Snapshot(&'a Path),
}

pub fn run(args: &DiffArgs) -> Result<ExitCode> {
    let (result, mode) = if !args.scan.is_empty() || args.since_last {
        if args.aws || !args.iac.is_empty() || !args.snapshot.is_empty() {
            bail!(
                "--scan/--since-last compare recorded scans only: drop --iac, --aws and --snapshot"
            );
        }
        (recorded(args)?, DiffMode::Changes)
    } else {
        let mut sides: Vec<Side> = args.iac.iter().map(|p| Side::Iac(p)).collect();
        if args.aws {
            sides.push(Side::Aws);
        }
        sides.extend(args.snapshot.iter().map(|p| Side::Snapshot(p)));
        let [left, right] = &sides[..] else {
            bail!(
                "diff needs two sides: --iac PATH with --aws or --snapshot FILE (drift), two \
                 --snapshot, two --iac, two --scan ID, or --since-last"
            );
        };
        let mode = match (left, right) {
            (Side::Iac(_), Side::Iac(_)) | (Side::Snapshot(_), Side::Snapshot(_)) => {
                DiffMode::Changes
            }
            (Side::Iac(_), _) => DiffMode::Drift,
            _ => bail!("--aws and --snapshot compare with --iac (drift) or a second snapshot"),
        };
        // Hashes only need to compare within this process.
        let hasher = ValueHasher::new(format!("diff-{}", std::process::id()));
        let l = summarize_side(args, left, mode, &hasher)?;
        let r = summarize_side(args, right, mode, &hasher)?;
        (diff(&l, &r, mode), mode)
    };
    print(&result, mode, args.format)?;
    Ok(if result.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn recorded(args: &DiffArgs) -> Result<Diff> {
    let path = history::db_path(args.db.as_deref())?;
    if !path.exists() {
        bail!("{}: no history yet", path.display());
    }
    let (store, _) = history::open(Some(&path))?;
    let (old, new) = if args.since_last {
        let latest = store.latest()?.context("no scan recorded yet")?;
        let source = store.source_of(latest)?;
        let previous = store
            .latest_of(&source, Some(latest))?
            .with_context(|| format!("scan #{latest} is the only scan of {source}"))?;
        (previous, latest)
    } else {
        match args.scan[..] {
            [a, b] => (a, b),
            _ => bail!("--scan takes two scan ids (the older first)"),
        }
    };
    Ok(diff(
        &store.load(old)?,
        &store.load(new)?,
        DiffMode::Changes,
    ))
}

fn summarize_side(
    args: &DiffArgs,
    side: &Side,
    mode: DiffMode,
    hasher: &ValueHasher,
) -> Result<ScanSummary> {
    let rules = perimeter_rules::registry();
    let codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
    match side {
        Side::Iac(path) => {
            let loaded = super::load::load_model(&super::load::LoadArgs {
                path,
                config: args.config.as_deref(),
                stage: args.stage.clone(),
                resolve_env: false,
                code: true,
            })?;
            let config = super::load::load_config(args.config.as_deref(), path, &codes)?;
            let base = history::code_base(path);
            let analysis = super::pipeline::analyze(&loaded.model, &config, Some(&base));
            // A files hash never equals a deployed package's hash: unknown in drift.
            let code_base = (mode == DiffMode::Changes).then_some(base.as_path());
            Ok(history::summarize(
                &path.display().to_string(),
                &loaded.model,
                &analysis,
                hasher,
                code_base,
            ))
        }
        Side::Aws | Side::Snapshot(_) => {
            let (model, source) = match side {
                Side::Snapshot(p) => (super::aws::load_snapshot(p)?, p.display().to_string()),
                _ => {
                    let model = super::aws::read_live(&args.live)?.model;
                    let source = super::watch::live_source(&model);
                    (model, source)
                }
            };
            let config = super::load::load_config(args.config.as_deref(), Path::new("."), &codes)?;
            let analysis = super::pipeline::analyze(&model, &config, None);
            Ok(history::summarize(&source, &model, &analysis, hasher, None))
        }
    }
}

fn print(result: &Diff, mode: DiffMode, format: DiffFormat) -> Result<()> {
    match format {
        DiffFormat::Json => {
            let mut json = serde_json::to_value(result)?;
            json["mode"] = serde_json::json!(match mode {
                DiffMode::Changes => "changes",
                DiffMode::Drift => "drift",
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        DiffFormat::Text => print!("{}", render_text(result, mode)),
    }
    Ok(())
}

/// The text report `diff` and `watch` print.
pub fn render_text(result: &Diff, mode: DiffMode) -> String {
    let what = match mode {
        DiffMode::Changes => "changes",
        DiffMode::Drift => "drift",
    };
    let mut out = format!(
        "{what}: {} → {} ({} function(s) on both sides)\n",
        result.left, result.right, result.matched
    );
    for change in &result.changes {
        out.push_str("  ");
        out.push_str(&change.describe());
        out.push('\n');
    }
    if result.unrelated > 0 {
        out.push_str(&format!(
            "  ({} deployed function(s) of other stacks or services left out)\n",
            result.unrelated
        ));
    }
    if result.is_empty() {
        out.push_str(&format!("no {what}\n"));
    } else {
        out.push_str(&format!("{} change(s)\n", result.changes.len()));
    }
    out
}
