//! The binary as a Lambda function (custom runtime, `provided.al2023`): a scheduled event
//! scans its own account and region.
//!
//! `perimeter lambda-runtime` (or the binary named `bootstrap`, as Lambda starts it) loops over
//! the Runtime API ([`runtime_api`]). Each event: read the function's own account and region
//! ([`super::aws::read_live`]), judge it ([`super::pipeline`]), write the snapshot and the
//! findings to S3, send alerts, and optionally enforce. Settings come from the function's
//! environment:
//!
//! | Variable | Meaning |
//! |---|---|
//! | `PERIMETER_OUTPUT_BUCKET` | bucket for the results (required) |
//! | `PERIMETER_OUTPUT_PREFIX` | key prefix (default `perimeter`) |
//! | `PERIMETER_METRICS_DAYS` | days of `Invocations` metrics to read (default 30) |
//! | `PERIMETER_CONFIG` | path of a perimeter.toml in the package |
//! | `PERIMETER_CONFIG_TOML` | perimeter.toml's content itself (e.g. a stack parameter) |
//! | `PERIMETER_ENFORCE` | `off` (default), `plan` (plan in the result) or `apply` |
//!
//! Objects: `s3://BUCKET/PREFIX/ACCOUNT/REGION/TIME.snapshot.json` (the snapshot, scannable
//! with `perimeter scan --snapshot`) and `…/TIME.findings.json` (the JSON report).

mod runtime_api;

use super::alert::Alert;
use super::aws::LiveArgs;
use anyhow::{Context, Result, bail};
use perimeter_config::Config;
use runtime_api::{Invocation, RuntimeApi};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args, Default)]
pub struct LambdaArgs {
    /// Handle this many events, then exit (tests); default: until Lambda stops the process.
    #[arg(long, value_name = "N", hide = true)]
    pub max_events: Option<u64>,
}

/// The runtime loop.
pub fn run(args: &LambdaArgs) -> Result<ExitCode> {
    let address = std::env::var("AWS_LAMBDA_RUNTIME_API")
        .context("AWS_LAMBDA_RUNTIME_API is not set: `lambda-runtime` runs inside AWS Lambda (custom runtime)")?;
    let api = RuntimeApi::new(address);
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            let message = format!("{e:#}");
            api.init_error("Runtime.ConfigError", &message)?;
            bail!("{message}");
        }
    };
    let mut handled = 0u64;
    while args.max_events.is_none_or(|max| handled < max) {
        let invocation = api.next()?;
        handled += 1;
        match handle(&settings, &invocation) {
            Ok(result) => api.respond(&invocation.request_id, result.as_bytes())?,
            Err(e) => {
                let message = format!("{e:#}");
                eprintln!("perimeter: scan failed: {message}");
                api.fail(&invocation.request_id, "Perimeter.ScanError", &message)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the function's environment configures.
struct Settings {
    bucket: String,
    prefix: String,
    metrics_days: u32,
    config: Config,
    enforce: EnforceMode,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EnforceMode {
    Off,
    Plan,
    Apply,
}

impl Settings {
    fn from_env() -> Result<Settings> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bucket =
            var("PERIMETER_OUTPUT_BUCKET").context("PERIMETER_OUTPUT_BUCKET is not set")?;
        let prefix = var("PERIMETER_OUTPUT_PREFIX")
            .unwrap_or_else(|| "perimeter".into())
            .trim_matches('/')
            .to_string();
        let metrics_days = match var("PERIMETER_METRICS_DAYS") {
            Some(days) => days.trim().parse().with_context(|| {
                format!("PERIMETER_METRICS_DAYS `{days}` is not a number of days")
            })?,
            None => 30,
        };
        let rules = perimeter_rules::registry();
        let codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
        let config = if let Some(text) = var("PERIMETER_CONFIG_TOML") {
            Config::parse(&text, "PERIMETER_CONFIG_TOML", &codes)
                .map_err(|e| anyhow::anyhow!("{e}"))?
        } else if let Some(path) = var("PERIMETER_CONFIG") {
            super::load::load_config(Some(Path::new(&path)), Path::new("."), &codes)?
        } else {
            Config::default()
        };
        let enforce = match var("PERIMETER_ENFORCE").as_deref().map(str::trim) {
            None | Some("off") => EnforceMode::Off,
            Some("plan") => EnforceMode::Plan,
            Some("apply") => EnforceMode::Apply,
            Some(other) => bail!("PERIMETER_ENFORCE `{other}`: expected off, plan or apply"),
        };
        if enforce != EnforceMode::Off && config.enforce.is_none() {
            bail!(
                "PERIMETER_ENFORCE is `plan` or `apply` but the configuration has no [enforce] section"
            );
        }
        Ok(Settings {
            bucket,
            prefix,
            metrics_days,
            config,
            enforce,
        })
    }
}

/// One event: scan, write, alert, enforce. Returns the invocation's JSON result.
fn handle(settings: &Settings, invocation: &Invocation) -> Result<String> {
    // The function's own region: Lambda sets AWS_REGION; the invoked ARN says it too.
    let region = std::env::var("AWS_REGION")
        .ok()
        .or_else(|| {
            invocation
                .function_arn
                .as_deref()
                .and_then(|a| a.split(':').nth(3))
                .map(str::to_string)
        })
        .context("no region: AWS_REGION is not set")?;
    let live = LiveArgs {
        profile: None,
        regions: vec![region.clone()],
        all_regions: false,
        metrics_days: settings.metrics_days,
        code: false,
    };
    let read = super::aws::read_live(&live)?;
    let analysis = super::pipeline::analyze(&read.model, &settings.config, None);
    let account = read
        .model
        .apps
        .iter()
        .find_map(|a| a.live.as_ref().map(|l| l.account_id.clone()))
        .or_else(|| {
            invocation
                .function_arn
                .as_deref()
                .and_then(|a| a.split(':').nth(4))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown-account".into());

    let rules = perimeter_rules::registry();
    let findings_json = perimeter_report::json(&perimeter_report::ReportInput {
        root: Path::new("."),
        model: &read.model,
        findings: &analysis.findings,
        scores: &analysis.scores,
        errors: &analysis.errors,
        suppressed: analysis.suppressed,
        rules: &rules,
        tool_version: env!("CARGO_PKG_VERSION"),
        iam_catalog_date: perimeter_iam::DATA_DATE,
    });
    let stamp = super::enforce::now_rfc3339().replace([':', '-'], "");
    let base = object_base(&settings.prefix, &account, &region, &stamp);
    let keys = [
        (
            format!("{base}.snapshot.json"),
            read.snapshot_json.into_bytes(),
        ),
        (format!("{base}.findings.json"), findings_json.into_bytes()),
    ];
    let written = write_objects(&settings.bucket, &region, keys)?;

    let worst = analysis.findings.iter().map(|f| f.severity).max();
    if let Some(severity) = worst {
        let alert = Alert {
            kind: "scan-findings".into(),
            severity: severity.as_str().into(),
            title: format!(
                "perimeter: {} finding(s) in {account} {region}, worst {severity}",
                analysis.findings.len()
            ),
            function: None,
            details: serde_json::json!({
                "account": account,
                "region": region,
                "findings": analysis.findings.len(),
                "objects": written,
            }),
        };
        super::alert::send(&settings.config, &alert)?;
    }

    let enforce = match (settings.enforce, &settings.config.enforce) {
        (EnforceMode::Off, _) | (_, None) => None,
        (mode, Some(policy)) => {
            let verdicts = super::enforce::verdicts(&read.model, &analysis, policy);
            Some(super::enforce::carry_out(
                &verdicts,
                &settings.config,
                mode == EnforceMode::Apply,
                &live,
            )?)
        }
    };
    // The scheduled event's time, when it has one, ties the result to its schedule.
    let event_time = serde_json::from_slice::<serde_json::Value>(&invocation.event)
        .ok()
        .and_then(|e| e.get("time").and_then(|t| t.as_str()).map(str::to_string));
    Ok(serde_json::json!({
        "event_time": event_time,
        "account": account,
        "region": region,
        "functions": read.model.apps.iter().map(|a| a.functions.len()).sum::<usize>(),
        "findings": analysis.findings.len(),
        "objects": written,
        "enforce": enforce,
    })
    .to_string())
}

/// `PREFIX/ACCOUNT/REGION/TIME` (no leading slash when the prefix is empty).
fn object_base(prefix: &str, account: &str, region: &str, stamp: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !prefix.is_empty() {
        parts.push(prefix);
    }
    parts.extend([account, region, stamp]);
    parts.join("/")
}

#[cfg(feature = "aws")]
fn write_objects(
    bucket: &str,
    region: &str,
    objects: [(String, Vec<u8>); 2],
) -> Result<Vec<String>> {
    let output = perimeter_aws::output::Output::connect(&perimeter_aws::enforce::Connect {
        profile: None,
        region: Some(region.to_string()),
    })?;
    let mut written = Vec::new();
    for (key, body) in objects {
        output.put_json(bucket, &key, body)?;
        written.push(format!("s3://{bucket}/{key}"));
    }
    Ok(written)
}

#[cfg(not(feature = "aws"))]
fn write_objects(_: &str, _: &str, _: [(String, Vec<u8>); 2]) -> Result<Vec<String>> {
    bail!("this perimeter was built without live AWS support (cargo feature `aws`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys() {
        assert_eq!(
            object_base("perimeter", "123456789012", "eu-west-1", "20260701T100000Z"),
            "perimeter/123456789012/eu-west-1/20260701T100000Z"
        );
        assert_eq!(object_base("", "1", "r", "t"), "1/r/t");
    }
}
