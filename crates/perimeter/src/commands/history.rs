//! Scan history: `scan --record`/`--db` stores each scan in SQLite, `perimeter history` lists
//! them. Also what `diff` and `watch` share with it: where the database is, and how a judged
//! model becomes a [`ScanSummary`].

use super::pipeline::Analysis;
use anyhow::{Context, Result, bail};
use perimeter_model::{App, Function, Model, SourceKind};
use perimeter_store::{ScanSummary, Store, SummaryInput, ValueHasher};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Environment variable naming the history database (before the data directory default).
pub const DB_ENV: &str = "PERIMETER_HISTORY_DB";
/// Code bigger than this (per function) is not hashed: its hash is then unknown.
const MAX_CODE_HASH_BYTES: u64 = 256 * 1024 * 1024;

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

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    /// History database file. Default: PERIMETER_HISTORY_DB, else
    /// `$XDG_DATA_HOME/perimeter/history.sqlite3` (`~/.local/share/perimeter/…` on Linux).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Show the N most recent scans (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// `text` (a table) or `json`.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// The database file: `--db`, else `PERIMETER_HISTORY_DB`, else the user's data directory.
pub fn db_path(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    match dirs::data_dir() {
        Some(dir) => Ok(dir.join("perimeter").join("history.sqlite3")),
        None => bail!("no data directory for the history database: pass --db FILE"),
    }
}

/// Opens the history database.
pub fn open(explicit: Option<&Path>) -> Result<(Store, PathBuf)> {
    let path = db_path(explicit)?;
    let store = Store::open(&path).with_context(|| format!("{}", path.display()))?;
    Ok((store, path))
}

pub fn run(args: &HistoryArgs) -> Result<ExitCode> {
    let path = db_path(args.db.as_deref())?;
    if !path.exists() {
        bail!(
            "{}: no history yet (record scans with `perimeter scan --record`)",
            path.display()
        );
    }
    let (store, _) = open(Some(&path))?;
    let scans = store.list(args.limit)?;
    match args.format {
        ListFormat::Json => {
            let json = serde_json::json!({
                "database": path.display().to_string(),
                "schema_version": store.schema_version()?,
                "scans": scans,
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        ListFormat::Text => {
            println!(
                "{:>5}  {:<20}  {:>9}  {:>4} {:>4} {:>4} {:>4} {:>4}  {:>5}  source",
                "id", "time", "functions", "crit", "high", "med", "low", "info", "score"
            );
            for s in &scans {
                println!(
                    "{:>5}  {:<20}  {:>9}  {:>4} {:>4} {:>4} {:>4} {:>4}  {:>5}  {}",
                    s.id,
                    s.time,
                    s.functions,
                    s.critical,
                    s.high,
                    s.medium,
                    s.low,
                    s.info,
                    s.top_score,
                    s.source
                );
            }
            if scans.is_empty() {
                println!("(no scans recorded)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Records a finished scan when asked (`--record` or `--db`); `source` names what was scanned
/// (a path, `aws:ACCOUNT:REGION`, a snapshot file).
pub fn record_if_asked(
    args: &RecordArgs,
    source: &str,
    model: &Model,
    analysis: &Analysis,
) -> Result<()> {
    if !(args.record || args.db.is_some()) {
        return Ok(());
    }
    let (mut store, path) = open(args.db.as_deref())?;
    // A file scan's source is its root: code hashes are read from there. Live data and
    // snapshots carry the deployed package's hash instead.
    let root = Path::new(source);
    let files = model
        .apps
        .iter()
        .all(|a| a.live.is_none() && a.source != SourceKind::Aws);
    let base = (files && root.exists()).then(|| code_base(root));
    let summary = summarize(source, model, analysis, store.hasher(), base.as_deref());
    let id = store
        .record(&summary, env!("CARGO_PKG_VERSION"))
        .with_context(|| format!("{}", path.display()))?;
    eprintln!("perimeter: recorded scan #{id} in {}", path.display());
    Ok(())
}

/// The folder a scan's relative paths start from.
pub fn code_base(root: &Path) -> PathBuf {
    if root.is_file() {
        root.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        root.to_path_buf()
    }
}

/// Summarizes a judged model; `code_base` is the scan root of a file scan (code hashes are
/// computed from the files there), `None` for live data and snapshots (whose code hash is
/// the deployed package's).
pub fn summarize(
    source: &str,
    model: &Model,
    analysis: &Analysis,
    hasher: &ValueHasher,
    code_base: Option<&Path>,
) -> ScanSummary {
    let hash = |app: &App, f: &Function| code_base.and_then(|b| code_hash(b, app, f));
    perimeter_store::summarize(&SummaryInput {
        source,
        model,
        findings: &analysis.findings,
        scores: &analysis.scores,
        errors: analysis.errors.len(),
        hasher,
        code_hash: &hash,
    })
}

/// SHA-256 over the names and contents of the files of the function's bundle and layers
/// (an archive's entries hash as the archive). `None` when a file cannot be read or the code
/// is too big, or the function has no code in the tree.
fn code_hash(base: &Path, app: &App, function: &Function) -> Option<String> {
    let code = function.code.as_ref()?;
    let mut files: Vec<&str> = std::iter::once(&code.bundle)
        .chain(&code.layers)
        .filter_map(|id| app.bundle(id))
        .flat_map(|b| b.files.iter())
        .map(|f| f.path.split("!/").next().unwrap_or(&f.path))
        .collect();
    files.sort_unstable();
    files.dedup();
    if files.is_empty() {
        return None;
    }
    let mut h = Sha256::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for file in files {
        h.update(file.as_bytes());
        h.update([0]);
        let mut f = std::fs::File::open(base.join(file)).ok()?;
        loop {
            let n = f.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_CODE_HASH_BYTES {
                return None;
            }
            h.update(&buf[..n]);
        }
    }
    let digest = h.finalize();
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}
