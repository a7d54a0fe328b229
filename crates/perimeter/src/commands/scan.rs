//! `perimeter scan [PATH]`: obtain the model (files, a live account or a snapshot), judge it
//! ([`super::pipeline`]), report, and record it in the history when asked.

use crate::{Format, ScanArgs};
use anyhow::{Context, Result, bail};
use perimeter_load::LoadOptions;
use perimeter_report::{ReportInput, TextOptions};
use perimeter_rules::Severity;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// `--fail-on` when neither the flag nor perimeter.toml sets it.
const DEFAULT_FAIL_ON: &str = "low";

pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    if let Some(day) = &args.as_of {
        match perimeter_rules::rules::dep::Date::parse(day) {
            Some(date) => perimeter_rules::rules::dep::set_today(date),
            None => bail!("invalid --as-of `{day}`: expected YYYY-MM-DD"),
        }
    }
    let files_scan = !args.aws && args.snapshot.is_none();
    let root = args.path.as_path();
    if files_scan && !root.exists() {
        bail!("{}: no such file or directory", root.display());
    }
    // Live and snapshot scans read perimeter.toml from the working directory.
    let config_root = if files_scan { root } else { Path::new(".") };
    let rules = perimeter_rules::registry();
    let codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
    let config = super::load::load_config(args.config.as_deref(), config_root, &codes)?;
    let fail_on = match args.fail_on.as_deref() {
        Some(flag) => parse_fail_on(flag)?,
        None => match config.fail_on {
            Some(severity) => Some(severity),
            None => parse_fail_on(DEFAULT_FAIL_ON)?,
        },
    };

    // The scan root's files, read on demand for inline ignores and code frames; live data has
    // none (its locations are ARNs).
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let (mut model, source) = if args.aws {
        let read = super::aws::read_live(&args.live)?;
        if let Some(path) = &args.save_snapshot {
            super::aws::save_snapshot(path, &read)?;
        }
        let source = live_source_name(&read.model);
        (read.model, source)
    } else if let Some(snapshot) = &args.snapshot {
        let model = super::aws::load_snapshot(snapshot)?;
        (model, snapshot.display().to_string())
    } else {
        let options = LoadOptions {
            resolve_env: args.resolve_env,
            stage: args.stage.clone(),
            exclude: config.exclude.clone(),
        };
        let mut model = perimeter_load::load_path(root, &options)?;
        // The code stage: each function's handler code, dependencies, secrets and SDK calls.
        perimeter_code::attach(&mut model, root, &perimeter_code::CodeOptions::default());
        (model, root.display().to_string())
    };
    // Dependency advisories (after the code stage has filled the bundles' dependencies).
    super::db::check_advisories(&mut model, args.vuln_db.as_deref())?;
    let analysis = super::pipeline::analyze(&model, &config, files_scan.then_some(base));

    let version = env!("CARGO_PKG_VERSION");
    let input = ReportInput {
        root: base,
        model: &model,
        findings: &analysis.findings,
        scores: &analysis.scores,
        errors: &analysis.errors,
        suppressed: analysis.suppressed,
        rules: &rules,
        tool_version: version,
        iam_catalog_date: perimeter_iam::DATA_DATE,
    };
    let rendered = match args.format {
        Format::Text => {
            let color = args.output.is_none()
                && !args.no_color
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stdout().is_terminal();
            perimeter_report::text(
                &input,
                &TextOptions {
                    color,
                    ..TextOptions::default()
                },
            )
        }
        Format::Json => perimeter_report::json(&input),
        Format::Sarif => perimeter_report::sarif(&input),
        Format::Html => perimeter_report::html(&input),
        Format::Markdown => perimeter_report::markdown(&input),
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`perimeter scan | head`) is not an error worth a message.
            let _ = out
                .write_all(rendered.as_bytes())
                .and_then(|()| out.flush());
        }
    }
    super::history::record_if_asked(&args.record, &source, &model, &analysis)?;

    if model.apps.is_empty() && !model.errors.is_empty() {
        eprintln!(
            "perimeter: no application could be loaded ({} file(s) with errors)",
            model.errors.len()
        );
        return Ok(ExitCode::from(2));
    }
    let failing =
        fail_on.is_some_and(|threshold| analysis.findings.iter().any(|f| f.severity >= threshold));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `aws:ACCOUNT` plus the regions read, for the history.
fn live_source_name(model: &perimeter_model::Model) -> String {
    let mut name = String::from("aws");
    if let Some(live) = model.apps.iter().find_map(|a| a.live.as_ref()) {
        name.push(':');
        name.push_str(&live.account_id);
        name.push(':');
        name.push_str(&live.regions_scanned.join(","));
    }
    name
}

/// `never` disables failing; anything else must be a severity.
fn parse_fail_on(value: &str) -> Result<Option<Severity>> {
    if value.eq_ignore_ascii_case("never") || value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match Severity::parse(value) {
        Some(severity) => Ok(Some(severity)),
        None => bail!(
            "invalid --fail-on `{value}`: expected info, low, medium, high, critical or never"
        ),
    }
}
