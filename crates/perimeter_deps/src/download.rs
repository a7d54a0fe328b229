//! `perimeter db update`: downloads OSV's per-ecosystem exports
//! (`<base>/<Ecosystem>/all.zip`) into the database folder. The only network I/O in perimeter's
//! libraries, behind the `download` feature.
//!
//! Each export is streamed to a temporary file in the destination folder, checked to be a zip
//! archive, then renamed over the previous copy: a scan never sees a half-written database.

use crate::DepsError;
use perimeter_model::Ecosystem;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where OSV publishes its exports (override: `PERIMETER_OSV_URL`, for mirrors and tests).
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// Largest export accepted (npm's, the biggest, is a few hundred MB).
const MAX_DOWNLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// Every ecosystem perimeter matches.
pub const ALL: [Ecosystem; 7] = [
    Ecosystem::Npm,
    Ecosystem::PyPI,
    Ecosystem::Go,
    Ecosystem::CratesIo,
    Ecosystem::Maven,
    Ecosystem::RubyGems,
    Ecosystem::NuGet,
];

/// What one download produced.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub ecosystem: Ecosystem,
    pub path: PathBuf,
    pub bytes: u64,
}

/// The base URL: `PERIMETER_OSV_URL` when set, else [`DEFAULT_BASE_URL`].
pub fn base_url() -> String {
    std::env::var("PERIMETER_OSV_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// Parses an ecosystem name as OSV spells it (case-insensitive; `crates` for crates.io).
pub fn ecosystem_named(name: &str) -> Option<Ecosystem> {
    let lower = name.trim().to_ascii_lowercase();
    ALL.into_iter().find(|e| {
        e.osv_name().eq_ignore_ascii_case(&lower)
            || (lower == "crates" && *e == Ecosystem::CratesIo)
    })
}

/// Downloads the export of each ecosystem into `dir/<Ecosystem>/all.zip`.
pub fn update(dir: &Path, ecosystems: &[Ecosystem]) -> Result<Vec<Downloaded>, DepsError> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .user_agent(concat!("perimeter/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DepsError::Download(format!("cannot start an HTTP client: {e}")))?;
    let base = base_url();
    let mut out = Vec::new();
    for &ecosystem in ecosystems {
        let url = format!("{base}/{}/all.zip", ecosystem.osv_name());
        let folder = dir.join(ecosystem.osv_name());
        std::fs::create_dir_all(&folder).map_err(|e| DepsError::io(&folder, e))?;
        let target = folder.join("all.zip");
        let temp = folder.join(format!(".all.zip.{}.tmp", std::process::id()));
        let result = fetch(&client, &url, &temp).and_then(|bytes| {
            check_zip(&temp)?;
            std::fs::rename(&temp, &target).map_err(|e| DepsError::io(&target, e))?;
            Ok(bytes)
        });
        match result {
            Ok(bytes) => out.push(Downloaded {
                ecosystem,
                path: target,
                bytes,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        }
    }
    Ok(out)
}

fn fetch(client: &reqwest::blocking::Client, url: &str, temp: &Path) -> Result<u64, DepsError> {
    let response = client
        .get(url)
        .send()
        .map_err(|e| DepsError::Download(format!("{url}: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(DepsError::Download(format!("{url}: HTTP {status}")));
    }
    let mut file = std::fs::File::create(temp).map_err(|e| DepsError::io(temp, e))?;
    let mut limited = response.take(MAX_DOWNLOAD + 1);
    let bytes = std::io::copy(&mut limited, &mut file)
        .map_err(|e| DepsError::Download(format!("{url}: {e}")))?;
    if bytes > MAX_DOWNLOAD {
        return Err(DepsError::Download(format!("{url}: larger than 4 GB")));
    }
    file.flush().map_err(|e| DepsError::io(temp, e))?;
    file.sync_all().map_err(|e| DepsError::io(temp, e))?;
    Ok(bytes)
}

/// A download must be a readable zip archive before it replaces the previous one.
fn check_zip(path: &Path) -> Result<(), DepsError> {
    let file = std::fs::File::open(path).map_err(|e| DepsError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| DepsError::Download(format!("the download is not a zip archive: {e}")))?;
    if let Ok(mut first) = archive.by_index(0) {
        let mut probe = [0u8; 1];
        let _ = first.read(&mut probe);
    }
    Ok(())
}
