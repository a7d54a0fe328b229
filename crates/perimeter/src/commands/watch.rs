//! `perimeter watch`: scheduled re-scans, change reports and alerts.
//!
//! Each run scans (a folder, the live account or a snapshot), records the scan in the
//! history, compares it with the previous recorded scan of the same source, prints what
//! changed and sends the alerts the `[alerts]` rules of perimeter.toml ask for; then it sleeps
//! `--every` and starts again, `--runs` times (forever by default). A run that fails (the
//! account cannot be read, a file is being written) is a warning: the next run tries again.
//!
//! When `[alerts] stdout = true`, standard output carries only the alerts' JSON lines and the
//! change report goes to standard error.

use super::alert::{Alert, send_to};
use super::aws::LiveArgs;
use super::history;
use anyhow::{Result, bail};
use perimeter_config::AlertsConfig;
use perimeter_rules::Severity;
use perimeter_store::{Change, Diff, DiffMode, diff};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct WatchArgs {
    /// Folder (or file) to scan. Ignored with `--aws` or `--snapshot`.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Scan the live account (read-only) instead of PATH.
    #[arg(long, conflicts_with = "snapshot")]
    pub aws: bool,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Scan this snapshot file instead of PATH (re-read each run).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Time between the start of two runs: `30s`, `15m`, `1h`, `1d`, `1h30m`.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_every)]
    pub every: Duration,
    /// Stop after N runs (default: never).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// History database file.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Record the scans under this source name instead of the path or account (to keep one
    /// history across renames).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Configuration file (default: PATH/perimeter.toml, or ./perimeter.toml for live scans).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serverless Framework stage for `${opt:stage}` / `${sls:stage}`.
    #[arg(long)]
    pub stage: Option<String>,
}

/// `90`, `30s`, `15m`, `1h`, `1d`, `1h30m` → a duration of at least one second.
pub fn parse_every(text: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration `{text}` (expected e.g. 30s, 15m, 1h, 1d, 1h30m)");
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() {
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = total.checked_add(n).ok_or_else(bad)?;
    }
    if total == 0 {
        return Err(format!("`{text}`: the interval must be at least 1s"));
    }
    Ok(Duration::from_secs(total))
}

pub fn run(args: &WatchArgs) -> Result<ExitCode> {
    let files = !args.aws && args.snapshot.is_none();
    if files && !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let mut failures = 0u64;
    let mut run = 0u64;
    loop {
        run += 1;
        let started = Instant::now();
        if let Err(e) = run_once(args, files) {
            failures += 1;
            eprintln!("perimeter: warning: watch run {run} failed: {e:#}");
        }
        if args.runs.is_some_and(|n| run >= n) {
            break;
        }
        std::thread::sleep(args.every.saturating_sub(started.elapsed()));
    }
    Ok(if failures == run {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_once(args: &WatchArgs, files: bool) -> Result<()> {
    let rules = perimeter_rules::registry();
    let codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
    let config_root = if files {
        args.path.as_path()
    } else {
        Path::new(".")
    };
    // Re-read each run: the rules may be edited while watching.
    let config = super::load::load_config(args.config.as_deref(), config_root, &codes)?;
    let (model, default_source, base) = if args.aws {
        let read = super::aws::read_live(&args.live)?;
        let source = live_source(&read.model);
        (read.model, source, None)
    } else if let Some(snapshot) = &args.snapshot {
        let model = super::aws::load_snapshot(snapshot)?;
        (model, snapshot.display().to_string(), None)
    } else {
        let loaded = super::load::load_model(&super::load::LoadArgs {
            path: &args.path,
            config: args.config.as_deref(),
            stage: args.stage.clone(),
            resolve_env: false,
            code: true,
        })?;
        let base = history::code_base(&args.path);
        (loaded.model, args.path.display().to_string(), Some(base))
    };
    let analysis = super::pipeline::analyze(&model, &config, base.as_deref());
    let source = args.source.clone().unwrap_or(default_source);

    let (mut store, _) = history::open(args.db.as_deref())?;
    let summary = history::summarize(&source, &model, &analysis, store.hasher(), base.as_deref());
    let previous = store.latest_of(&source, None)?;
    let id = store.record(&summary, env!("CARGO_PKG_VERSION"))?;

    let mut report: Box<dyn Write> = if config.alerts.stdout {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let time = perimeter_store::now_rfc3339();
    let Some(previous) = previous else {
        writeln!(
            report,
            "{time} scan #{id} of {source}: first scan recorded ({} function(s), top score {})",
            summary.functions.len(),
            summary.top_score()
        )?;
        return Ok(());
    };
    let before = store.load(previous)?;
    let changes = diff(&before, &summary, DiffMode::Changes);
    writeln!(
        report,
        "{time} scan #{id} of {source} against #{previous}: {}",
        if changes.is_empty() {
            "no change".to_string()
        } else {
            format!("{} change(s)", changes.changes.len())
        }
    )?;
    for change in &changes.changes {
        writeln!(report, "  {}", change.describe())?;
    }
    report.flush()?;
    drop(report);
    for alert in alerts_for(&changes, &config.alerts, (previous, id)) {
        send_to(&config.alerts, &alert);
    }
    Ok(())
}

/// `aws:ACCOUNT:REGIONS` as `scan` names live sources.
pub fn live_source(model: &perimeter_model::Model) -> String {
    match model.apps.iter().find_map(|a| a.live.as_ref()) {
        Some(live) => format!("aws:{}:{}", live.account_id, live.regions_scanned.join(",")),
        None => "aws".to_string(),
    }
}

/// The alerts the `[alerts]` rules ask for, one per change that matches a rule.
pub fn alerts_for(changes: &Diff, rules: &AlertsConfig, (before, after): (i64, i64)) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut push =
        |kind: &str, severity: &str, title: String, function: Option<&str>, change: &Change| {
            alerts.push(Alert {
                kind: kind.to_string(),
                severity: severity.to_string(),
                title,
                function: function.map(str::to_string),
                details: serde_json::json!({
                    "source": changes.right,
                    "scan": after,
                    "previous_scan": before,
                    "change": change,
                }),
            });
        };
    for change in &changes.changes {
        match change {
            Change::NewPublicEntry { function, entry } if rules.new_public_entry => push(
                "new-public-entry",
                "high",
                format!("{function}: new public entry point: {entry}"),
                Some(function),
                change,
            ),
            Change::ScoreRisen {
                function, after, ..
            } if rules.score_threshold.is_some_and(|t| *after >= t) => push(
                "score-risen",
                score_severity(*after),
                format!("{function}: risk score rose to {after}"),
                Some(function),
                change,
            ),
            Change::FunctionAdded {
                function, score, ..
            } if rules.score_threshold.is_some_and(|t| *score >= t) => push(
                "score-risen",
                score_severity(*score),
                format!("{function}: new function with risk score {score}"),
                Some(function),
                change,
            ),
            Change::PermissionsGrown {
                function,
                before,
                after,
                new_sensitive,
            } if rules.permissions_grown => push(
                "permissions-grown",
                if new_sensitive.is_empty() {
                    "medium"
                } else {
                    "high"
                },
                format!("{function}: permissions grew from {before} to {after} actions"),
                Some(function),
                change,
            ),
            Change::FindingNew {
                function,
                code,
                severity,
                message,
                ..
            } if Severity::parse(severity).is_some_and(|s| rules.wants_finding(code, s)) => push(
                "new-finding",
                severity,
                format!("{code}: {message}"),
                function.as_deref(),
                change,
            ),
            _ => {}
        }
    }
    alerts
}

fn score_severity(score: u32) -> &'static str {
    match score {
        80.. => "critical",
        60.. => "high",
        40.. => "medium",
        _ => "low",
    }
}

#[cfg(test)]
mod tests {
    use super::parse_every;
    use std::time::Duration;

    #[test]
    fn parses_intervals() {
        assert_eq!(parse_every("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_every("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_every("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_every("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_every("0s").is_err());
        assert!(parse_every("1w").is_err());
        assert!(parse_every("h").is_err());
        assert!(parse_every("99999999999999999999d").is_err());
    }
}
