//! The history database: one SQLite file, WAL journal, a schema version in `PRAGMA
//! user_version` and migrations applied in order by version.
//!
//! One scan is one row of `scans` (time, source, counts, top score), its findings (one row
//! each) and one row per function holding the [`FunctionSummary`] as JSON. The `meta` table
//! holds the key environment values are hashed with (see [`ValueHasher`]).

use crate::StoreError;
use crate::summary::{FindingSummary, FunctionSummary, ScanSummary, ValueHasher, hex};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Migrations: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE scans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    time         TEXT NOT NULL,
    source       TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    functions    INTEGER NOT NULL,
    critical     INTEGER NOT NULL,
    high         INTEGER NOT NULL,
    medium       INTEGER NOT NULL,
    low          INTEGER NOT NULL,
    info         INTEGER NOT NULL,
    top_score    INTEGER NOT NULL,
    errors       INTEGER NOT NULL
);
CREATE INDEX scans_by_source ON scans (source, id);
CREATE TABLE findings (
    scan_id     INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    app         TEXT NOT NULL,
    function    TEXT,
    resource    TEXT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX findings_by_scan ON findings (scan_id);
CREATE TABLE functions (
    scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    score   INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX functions_by_scan ON functions (scan_id);
"#];

/// One row of `perimeter history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanRecord {
    pub id: i64,
    /// RFC 3339, UTC.
    pub time: String,
    pub source: String,
    pub tool_version: String,
    pub functions: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub top_score: u32,
    pub errors: usize,
}

/// An open history database.
pub struct Store {
    conn: Connection,
    hasher: ValueHasher,
}

impl Store {
    /// Opens (creating it and its folder when needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory database (tests, one-off comparisons).
    pub fn in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store, StoreError> {
        // Several `watch` processes or a scan during a watch may share the file: WAL lets
        // readers go on while one writes, and a busy timeout waits for the writer.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
            tx.commit()?;
        }
        let key: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'hash-key'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let key = match key {
            Some(k) => k,
            None => {
                let k = fresh_key();
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('hash-key', ?1)",
                    params![k],
                )?;
                k
            }
        };
        Ok(Store {
            conn,
            hasher: ValueHasher::new(key.into_bytes()),
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The hasher environment values must be summarized with to compare with this history.
    pub fn hasher(&self) -> &ValueHasher {
        &self.hasher
    }

    /// Records a scan; returns its id.
    pub fn record(&mut self, summary: &ScanSummary, tool_version: &str) -> Result<i64, StoreError> {
        let counts = summary.severity_counts();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO scans (time, source, tool_version, functions, critical, high, medium,
                                low, info, top_score, errors)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                now_rfc3339(),
                summary.source,
                tool_version,
                summary.functions.len() as i64,
                counts[0] as i64,
                counts[1] as i64,
                counts[2] as i64,
                counts[3] as i64,
                counts[4] as i64,
                summary.top_score(),
                summary.errors as i64,
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO findings (scan_id, fingerprint, code, severity, app, function,
                                       resource, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for f in &summary.findings {
                insert.execute(params![
                    id,
                    f.fingerprint,
                    f.code,
                    f.severity,
                    f.app,
                    f.function,
                    f.resource,
                    f.message
                ])?;
            }
            let mut insert = tx.prepare(
                "INSERT INTO functions (scan_id, key, score, summary) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for f in &summary.functions {
                insert.execute(params![id, f.key, f.score, serde_json::to_string(f)?])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// The most recent scans, newest first (`limit` 0: all).
    pub fn list(&self, limit: usize) -> Result<Vec<ScanRecord>, StoreError> {
        let limit = if limit == 0 { -1 } else { limit as i64 };
        let mut stmt = self.conn.prepare(
            "SELECT id, time, source, tool_version, functions, critical, high, medium, low,
                    info, top_score, errors
             FROM scans ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| {
            Ok(ScanRecord {
                id: r.get(0)?,
                time: r.get(1)?,
                source: r.get(2)?,
                tool_version: r.get(3)?,
                functions: r.get::<_, i64>(4)? as usize,
                critical: r.get::<_, i64>(5)? as usize,
                high: r.get::<_, i64>(6)? as usize,
                medium: r.get::<_, i64>(7)? as usize,
                low: r.get::<_, i64>(8)? as usize,
                info: r.get::<_, i64>(9)? as usize,
                top_score: r.get(10)?,
                errors: r.get::<_, i64>(11)? as usize,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The id of the latest scan of `source` (before `before`, when given).
    pub fn latest_of(&self, source: &str, before: Option<i64>) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM scans WHERE source = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
                params![source, before.unwrap_or(i64::MAX)],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The latest scan's id, whatever its source.
    pub fn latest(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT max(id) FROM scans", [], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// The source of scan `id`.
    pub fn source_of(&self, id: i64) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT source FROM scans WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NoSuchScan(id))
    }

    /// Loads the summary of scan `id`.
    pub fn load(&self, id: i64) -> Result<ScanSummary, StoreError> {
        let (source, errors): (String, i64) = self
            .conn
            .query_row(
                "SELECT source, errors FROM scans WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::NoSuchScan(id))?;
        let mut stmt = self
            .conn
            .prepare("SELECT summary FROM functions WHERE scan_id = ?1 ORDER BY rowid")?;
        let functions = stmt
            .query_map(params![id], |r| r.get::<_, String>(0))?
            .map(|text| -> Result<FunctionSummary, StoreError> {
                Ok(serde_json::from_str(&text?)?)
            })
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT fingerprint, code, severity, app, function, resource, message
             FROM findings WHERE scan_id = ?1 ORDER BY rowid",
        )?;
        let findings = stmt
            .query_map(params![id], |r| {
                Ok(FindingSummary {
                    fingerprint: r.get(0)?,
                    code: r.get(1)?,
                    severity: r.get(2)?,
                    app: r.get(3)?,
                    function: r.get(4)?,
                    resource: r.get(5)?,
                    message: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(ScanSummary {
            source,
            functions,
            findings,
            errors: errors as usize,
        })
    }
}

/// A key unique to this database: not a secret (it is stored beside the hashes), only a salt.
fn fresh_key() -> String {
    let mut h = Sha256::new();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    h.update(now.as_nanos().to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(format!("{:p}", &h as *const _).as_bytes());
    hex(&h.finalize()[..16])
}

/// Now, as `2026-11-22T12:34:56Z`.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the epoch as RFC 3339 UTC (Howard Hinnant's civil-from-days).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_350_896), "2026-11-22T12:34:56Z");
    }
}
