//! `perimeter db update|status`: the offline OSV advisory database, and how `scan` uses it.
//!
//! `update` downloads OSV's per-ecosystem exports into the cache (the only network I/O of
//! perimeter); `status` says where the database is, what it holds and how old it is. `scan`
//! calls [`check_advisories`] to annotate the model's dependencies before rules run.

use crate::{DbArgs, DbCommand};
use anyhow::{Context, Result, bail};
use perimeter_deps::{Database, download};
use perimeter_model::{Ecosystem, Model};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

pub fn run(args: &DbArgs) -> Result<ExitCode> {
    match &args.command {
        DbCommand::Update { ecosystem, dir } => update(ecosystem, dir.as_deref()),
        DbCommand::Status { dir } => status(dir.as_deref()),
    }
}

fn location(dir: Option<&Path>) -> Result<PathBuf> {
    match dir {
        Some(d) => Ok(d.to_path_buf()),
        None => perimeter_deps::default_location()
            .context("no cache directory on this system: pass --dir or set PERIMETER_VULN_DB"),
    }
}

fn update(names: &[String], dir: Option<&Path>) -> Result<ExitCode> {
    let dir = location(dir)?;
    if dir.is_file() {
        bail!(
            "{} is a file: `db update` writes a folder (pass --dir)",
            dir.display()
        );
    }
    let mut ecosystems: Vec<Ecosystem> = Vec::new();
    for name in names
        .iter()
        .flat_map(|n| n.split(','))
        .filter(|n| !n.trim().is_empty())
    {
        match download::ecosystem_named(name) {
            Some(e) if !ecosystems.contains(&e) => ecosystems.push(e),
            Some(_) => {}
            None => bail!(
                "unknown ecosystem `{name}`: expected one of {}",
                download::ALL.map(|e| e.osv_name()).join(", ")
            ),
        }
    }
    if ecosystems.is_empty() {
        ecosystems = download::ALL.to_vec();
    }
    for e in &ecosystems {
        eprintln!("perimeter: downloading {} advisories…", e.osv_name());
        let done = download::update(&dir, &[*e])?;
        for d in done {
            println!(
                "{}: {} ({:.1} MB)",
                d.ecosystem.osv_name(),
                d.path.display(),
                d.bytes as f64 / 1e6
            );
        }
    }
    status(Some(&dir))
}

fn status(dir: Option<&Path>) -> Result<ExitCode> {
    let dir = location(dir)?;
    if !dir.exists() {
        println!("location: {}", dir.display());
        println!("no database: run `perimeter db update` to download OSV's advisories");
        return Ok(ExitCode::from(1));
    }
    let db = Database::open(&dir)?;
    print!("{}", describe(&db, perimeter_deps::max_age_from_env()));
    Ok(ExitCode::SUCCESS)
}

/// The `db status` text.
fn describe(db: &Database, max_age: Duration) -> String {
    let mut out = format!("location: {}\n", db.path().display());
    match (db.updated(), db.age()) {
        (Some(updated), Some(age)) => {
            let days = age.as_secs() / 86_400;
            let state = if age > max_age {
                format!("stale: older than {} days", max_age.as_secs() / 86_400)
            } else {
                "fresh".to_string()
            };
            out.push_str(&format!(
                "updated:  {} ({days} days ago; {state})\n",
                perimeter_deps::date_of(updated)
            ));
        }
        _ => out.push_str("updated:  unknown (stale)\n"),
    }
    out.push_str("ecosystems:\n");
    for stats in db.ecosystems() {
        out.push_str(&format!(
            "  {:<10} {:>7} records\n",
            stats.ecosystem.osv_name(),
            stats.records
        ));
    }
    let (invalid, withdrawn) = db.skipped();
    if invalid + withdrawn > 0 {
        out.push_str(&format!(
            "skipped:  {invalid} unreadable, {withdrawn} withdrawn\n"
        ));
    }
    out
}

/// Opens the database a scan uses (`--vuln-db`, `PERIMETER_VULN_DB`, else the cache when it
/// exists) and fills the advisories of every dependency. Without one, says once on stderr that
/// dependencies were not checked; a stale one is used with a warning; one that was named but
/// cannot be read is an error. When the scan found no dependency, nothing is opened (a full
/// database takes seconds to read) unless `--vuln-db` names one: then it is still checked.
pub fn check_advisories(model: &mut Model, explicit: Option<&Path>) -> Result<()> {
    let has_dependencies = model
        .apps
        .iter()
        .any(|a| a.code.iter().any(|b| !b.dependencies.is_empty()));
    if !has_dependencies && explicit.is_none() {
        return Ok(());
    }
    let Some(db) = perimeter_deps::load_for_scan(explicit)? else {
        eprintln!(
            "perimeter: dependency advisories were not checked: no vulnerability database \
             (run `perimeter db update`, or pass --vuln-db PATH / set PERIMETER_VULN_DB)"
        );
        return Ok(());
    };
    let max_age = perimeter_deps::max_age_from_env();
    if db.is_stale(max_age) {
        let age = match db.age() {
            Some(age) => format!("{} days old", age.as_secs() / 86_400),
            None => "of unknown age".to_string(),
        };
        eprintln!(
            "perimeter: warning: the vulnerability database at {} is {age} (stale after {} days): \
             run `perimeter db update`",
            db.path().display(),
            max_age.as_secs() / 86_400
        );
    }
    perimeter_deps::annotate(model, &db);
    Ok(())
}
