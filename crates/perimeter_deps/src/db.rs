//! The OSV advisory database: a folder of OSV JSON records (searched recursively), OSV's
//! per-ecosystem `all.zip` exports (or a folder of them, as `db update` writes), or one record
//! file; indexed by (ecosystem, normalized package name).
//!
//! Archives are read entry by entry from the file, never extracted, with caps on entry size,
//! entry count and total uncompressed size. Its age is that of its newest record (`modified`),
//! or of its newest file when records carry no date.

use crate::DepsError;
use crate::osv::{OsvAffected, OsvRecord};
use crate::parse::python_normalize;
use perimeter_model::Ecosystem;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A database older than this many days is reported as stale (override:
/// `PERIMETER_VULN_DB_MAX_AGE_DAYS`). OSV's exports are rebuilt continuously; a week-old copy
/// misses the advisories published since, which matter most.
pub const DEFAULT_MAX_AGE_DAYS: u64 = 7;
/// Largest record accepted (real ones are < 1 MB).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;
/// Most entries read from one archive (npm's export has ~250k records).
const MAX_ZIP_ENTRIES: usize = 2_000_000;
/// Most bytes decompressed from one archive.
const MAX_ZIP_TOTAL: u64 = 16 * 1024 * 1024 * 1024;
/// Deepest folder nesting searched.
const MAX_DIR_DEPTH: usize = 16;
/// Records parsed per parallel batch when reading an archive.
const BATCH: usize = 4096;

/// What an advisory says about one package, shared by its index entries.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) record: Arc<Summary>,
    pub(crate) affected: OsvAffected,
}

/// The fields of a record that end up in an [`perimeter_model::Advisory`].
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) id: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) summary: String,
    pub(crate) severity: Option<String>,
    pub(crate) url: Option<String>,
}

/// Records per ecosystem, for `db status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcosystemStats {
    pub ecosystem: Ecosystem,
    pub records: usize,
}

/// An opened OSV database.
#[derive(Debug, Default)]
pub struct Database {
    path: PathBuf,
    index: HashMap<(Ecosystem, String), Vec<Entry>>,
    counts: BTreeMap<Ecosystem, usize>,
    newest_modified: Option<u64>,
    newest_file: Option<u64>,
    /// Files or entries that were not OSV records.
    invalid: usize,
    withdrawn: usize,
}

impl Database {
    /// Opens a folder (recursively: `*.json` records and `*.zip` exports), a `.zip` export, or
    /// one `.json` record.
    pub fn open(path: &Path) -> Result<Database, DepsError> {
        let meta = std::fs::metadata(path).map_err(|e| DepsError::io(path, e))?;
        let mut db = Database {
            path: path.to_path_buf(),
            ..Database::default()
        };
        let mut jsons = Vec::new();
        let mut zips = Vec::new();
        if meta.is_dir() {
            collect(path, 0, &mut jsons, &mut zips)?;
        } else if has_ext(path, "zip") {
            zips.push(path.to_path_buf());
        } else {
            jsons.push(path.to_path_buf());
        }
        if jsons.is_empty() && zips.is_empty() {
            return Err(DepsError::db(
                path,
                "no OSV records (*.json) or exports (*.zip) found",
            ));
        }
        for file in jsons.iter().chain(&zips) {
            db.note_mtime(file);
        }
        let parsed: Vec<Option<OsvRecord>> = jsons
            .par_iter()
            .map(|file| {
                let len = std::fs::metadata(file).map(|m| m.len()).unwrap_or(u64::MAX);
                if len > MAX_RECORD_BYTES {
                    return None;
                }
                let bytes = std::fs::read(file).ok()?;
                serde_json::from_slice(&bytes).ok()
            })
            .collect();
        db.add_all(parsed);
        for zip in &zips {
            db.read_zip(zip)?;
        }
        Ok(db)
    }

    fn note_mtime(&mut self, file: &Path) {
        let mtime = std::fs::metadata(file)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        if let Some(t) = mtime {
            self.newest_file = Some(self.newest_file.map_or(t, |n| n.max(t)));
        }
    }

    fn read_zip(&mut self, path: &Path) -> Result<(), DepsError> {
        let file = std::fs::File::open(path).map_err(|e| DepsError::io(path, e))?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| DepsError::db(path, format!("not a zip archive: {e}")))?;
        if archive.len() > MAX_ZIP_ENTRIES {
            return Err(DepsError::db(
                path,
                format!(
                    "{} entries, more than the {MAX_ZIP_ENTRIES} accepted",
                    archive.len()
                ),
            ));
        }
        let mut total = 0u64;
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(BATCH);
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| DepsError::db(path, format!("entry {i}: {e}")))?;
            let Some(name) = entry.enclosed_name() else {
                self.invalid += 1;
                continue;
            };
            if !entry.is_file() || !has_ext(&name, "json") {
                continue;
            }
            if entry.size() > MAX_RECORD_BYTES {
                self.invalid += 1;
                continue;
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            // `take` enforces the cap even if the header lies about the size.
            (&mut entry)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| DepsError::db(path, format!("{}: {e}", name.display())))?;
            total += bytes.len() as u64;
            if total > MAX_ZIP_TOTAL {
                return Err(DepsError::db(path, "archive expands beyond 16 GB"));
            }
            batch.push(bytes);
            if batch.len() == BATCH {
                self.add_batch(std::mem::take(&mut batch));
            }
        }
        self.add_batch(batch);
        Ok(())
    }

    fn add_batch(&mut self, batch: Vec<Vec<u8>>) {
        let parsed: Vec<Option<OsvRecord>> = batch
            .par_iter()
            .map(|bytes| serde_json::from_slice(bytes).ok())
            .collect();
        self.add_all(parsed);
    }

    fn add_all(&mut self, records: Vec<Option<OsvRecord>>) {
        for record in records {
            match record {
                Some(r) => self.add(r),
                None => self.invalid += 1,
            }
        }
    }

    /// Indexes one record (withdrawn ones are dropped).
    pub fn add(&mut self, record: OsvRecord) {
        if record.withdrawn.as_deref().is_some_and(|w| !w.is_empty()) {
            self.withdrawn += 1;
            return;
        }
        if let Some(t) = parse_rfc3339(&record.modified) {
            self.newest_modified = Some(self.newest_modified.map_or(t, |n| n.max(t)));
        }
        let summary = Arc::new(Summary {
            severity: record.severity_label(),
            url: record.url(),
            summary: summary_text(&record),
            id: record.id,
            aliases: record.aliases,
        });
        let mut seen_ecosystems: Vec<Ecosystem> = Vec::new();
        for affected in record.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            let Some(ecosystem) = ecosystem_of(&package.ecosystem) else {
                continue;
            };
            if !seen_ecosystems.contains(&ecosystem) {
                seen_ecosystems.push(ecosystem);
                *self.counts.entry(ecosystem).or_default() += 1;
            }
            let key = (ecosystem, normalize(ecosystem, &package.name));
            self.index.entry(key).or_default().push(Entry {
                record: Arc::clone(&summary),
                affected,
            });
        }
    }

    /// The index entries of one package.
    pub(crate) fn entries(&self, ecosystem: Ecosystem, name: &str) -> &[Entry] {
        self.index
            .get(&(ecosystem, normalize(ecosystem, name)))
            .map_or(&[], Vec::as_slice)
    }

    /// Where it was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records per ecosystem perimeter matches (others are not counted).
    pub fn ecosystems(&self) -> Vec<EcosystemStats> {
        self.counts
            .iter()
            .map(|(e, n)| EcosystemStats {
                ecosystem: *e,
                records: *n,
            })
            .collect()
    }

    /// Records that were not valid OSV JSON, and withdrawn records (both ignored).
    pub fn skipped(&self) -> (usize, usize) {
        (self.invalid, self.withdrawn)
    }

    /// When the data was last updated: the newest record's `modified`, else the newest file.
    pub fn updated(&self) -> Option<SystemTime> {
        self.newest_modified
            .or(self.newest_file)
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
    }

    /// How old the data is now.
    pub fn age(&self) -> Option<Duration> {
        self.age_at(SystemTime::now())
    }

    pub fn age_at(&self, now: SystemTime) -> Option<Duration> {
        now.duration_since(self.updated()?)
            .ok()
            .or(Some(Duration::ZERO))
    }

    /// Older than `max_age` (unknown age counts as stale).
    pub fn is_stale(&self, max_age: Duration) -> bool {
        self.age().is_none_or(|a| a > max_age)
    }
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Files under `dir`, without following symlinks.
fn collect(
    dir: &Path,
    depth: usize,
    jsons: &mut Vec<PathBuf>,
    zips: &mut Vec<PathBuf>,
) -> Result<(), DepsError> {
    if depth > MAX_DIR_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| DepsError::io(dir, e))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            collect(&path, depth + 1, jsons, zips)?;
        } else if kind.is_file() {
            if has_ext(&path, "json") {
                jsons.push(path);
            } else if has_ext(&path, "zip") {
                zips.push(path);
            }
        }
    }
    Ok(())
}

fn summary_text(record: &OsvRecord) -> String {
    let text = record
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(record.details.as_deref())
        .unwrap_or("");
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if first.chars().count() > 200 {
        let cut: String = first.chars().take(199).collect();
        format!("{cut}…")
    } else {
        first.to_string()
    }
}

/// Our ecosystem for an OSV ecosystem name (`PyPI`, `npm`, …; `Debian:12` and others: none).
pub(crate) fn ecosystem_of(name: &str) -> Option<Ecosystem> {
    Some(match name {
        "npm" => Ecosystem::Npm,
        "PyPI" => Ecosystem::PyPI,
        "Go" => Ecosystem::Go,
        "crates.io" => Ecosystem::CratesIo,
        "Maven" => Ecosystem::Maven,
        "RubyGems" => Ecosystem::RubyGems,
        "NuGet" => Ecosystem::NuGet,
        _ => return None,
    })
}

/// Index key of a package name: PEP 503 for PyPI, case-folded where the registry ignores case.
pub(crate) fn normalize(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::PyPI => python_normalize(name),
        Ecosystem::NuGet | Ecosystem::Npm => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

/// Seconds since the epoch of `2024-10-01T12:00:00Z` / `…00.123Z` / `…00+02:00`.
pub(crate) fn parse_rfc3339(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let mut secs = days * 86_400 + h * 3600 + mi * 60 + s;
    // A numeric offset: local time minus offset is UTC.
    let tail = &text[19..];
    let tail = tail.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if let Some(sign) = tail.chars().next().filter(|c| *c == '+' || *c == '-')
        && let (Some(oh), Some(om)) = (tail.get(1..3), tail.get(4..6))
        && let (Ok(oh), Ok(om)) = (oh.parse::<i64>(), om.parse::<i64>())
    {
        let offset = oh * 3600 + om * 60;
        secs += if sign == '+' { -offset } else { offset };
    }
    u64::try_from(secs).ok()
}

/// `YYYY-MM-DD` (UTC) of a time, for messages.
pub fn date_of(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The database location when none is given: `PERIMETER_VULN_DB`, else
/// `<user cache dir>/perimeter/osv` (`~/.cache/perimeter/osv` on Linux).
pub fn default_location() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PERIMETER_VULN_DB").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::cache_dir().map(|d| d.join("perimeter").join("osv"))
}

/// The staleness threshold: `PERIMETER_VULN_DB_MAX_AGE_DAYS` when set to a number, else
/// [`DEFAULT_MAX_AGE_DAYS`].
pub fn max_age_from_env() -> Duration {
    let days = std::env::var("PERIMETER_VULN_DB_MAX_AGE_DAYS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MAX_AGE_DAYS);
    Duration::from_secs(days * 86_400)
}

/// The database a scan uses: `explicit` (`--vuln-db`), else `PERIMETER_VULN_DB`, else the
/// default cache when it exists. `Ok(None)` when there is none (the scan then says once that
/// advisories were not checked); an error when a named database cannot be read.
pub fn load_for_scan(explicit: Option<&Path>) -> Result<Option<Database>, DepsError> {
    if let Some(path) = explicit {
        return Database::open(path).map(Some);
    }
    if let Some(p) = std::env::var_os("PERIMETER_VULN_DB").filter(|p| !p.is_empty()) {
        return Database::open(Path::new(&p)).map(Some);
    }
    match dirs::cache_dir().map(|d| d.join("perimeter").join("osv")) {
        Some(cache) if has_content(&cache) => Database::open(&cache).map(Some),
        _ => Ok(None),
    }
}

fn has_content(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut it| it.next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2024-10-01T00:00:00Z"), Some(1_727_740_800));
        assert_eq!(
            parse_rfc3339("2024-10-01T02:00:00.5+02:00"),
            Some(1_727_740_800)
        );
        assert_eq!(parse_rfc3339("garbage"), None);
        // PyPA's records use a space and microseconds; Go's use the zero time (ignored).
        assert_eq!(
            parse_rfc3339("2024-10-01 00:00:00.587279+00:00"),
            Some(1_727_740_800)
        );
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), None);
        let t = UNIX_EPOCH + Duration::from_secs(1_708_450_727);
        assert_eq!(date_of(t), "2024-02-20");
        assert_eq!(date_of(UNIX_EPOCH), "1970-01-01");
    }
}
