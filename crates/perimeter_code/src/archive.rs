//! Deployment archives (`.zip`, `.jar`) read in memory, with limits: nothing is extracted to
//! disk or executed, entries whose path escapes the archive root (zip slip) are rejected, and
//! size, entry count, total size and per-entry compression ratio are capped.

use std::io::{Cursor, Read};

/// Caps on one archive.
#[derive(Debug, Clone)]
pub struct ArchiveLimits {
    /// Size of the archive file itself.
    pub max_archive_bytes: u64,
    pub max_entries: usize,
    /// Sum of the uncompressed sizes of the entries read.
    pub max_total_bytes: u64,
    /// Uncompressed / compressed size of one entry; above it the entry is a zip bomb.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_archive_bytes: 256 * 1024 * 1024,
            max_entries: 20_000,
            max_total_bytes: 512 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

/// Why an archive, or one of its entries, was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive is {size} bytes, over the {max}-byte limit")]
    TooLarge { size: u64, max: u64 },
    #[error("archive has {count} entries, over the {max}-entry limit")]
    TooManyEntries { count: usize, max: usize },
    #[error("not a readable zip archive: {0}")]
    Corrupt(String),
    #[error("entry '{0}' escapes the archive root (zip slip); rejected")]
    ZipSlip(String),
    #[error("entry '{name}' expands {ratio}x (over the {max}x limit): a zip bomb; rejected")]
    Ratio { name: String, ratio: u64, max: u64 },
    #[error(
        "entries expand to more than {max} bytes in total; the rest of the archive is not read"
    )]
    TotalSize { max: u64 },
    #[error("entry '{name}' could not be read: {message}")]
    Entry { name: String, message: String },
}

/// One file entry of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Normalized path inside the archive (`/`-separated, no `..`).
    pub path: String,
    pub size: u64,
}

/// An archive opened in memory.
pub struct Archive {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    limits: ArchiveLimits,
    total: u64,
}

impl Archive {
    /// Opens `bytes` as a zip archive, checking the size and entry-count limits.
    pub fn open(bytes: Vec<u8>, limits: &ArchiveLimits) -> Result<Archive, ArchiveError> {
        let size = bytes.len() as u64;
        if size > limits.max_archive_bytes {
            return Err(ArchiveError::TooLarge {
                size,
                max: limits.max_archive_bytes,
            });
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        if zip.len() > limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                count: zip.len(),
                max: limits.max_entries,
            });
        }
        Ok(Archive {
            zip,
            limits: limits.clone(),
            total: 0,
        })
    }

    /// The file entries, with the rejected ones (zip slip, zip bombs) as errors.
    pub fn entries(&mut self) -> Vec<Result<(usize, Entry), ArchiveError>> {
        let mut out = Vec::new();
        for i in 0..self.zip.len() {
            let f = match self.zip.by_index_raw(i) {
                Ok(f) => f,
                Err(e) => {
                    out.push(Err(ArchiveError::Corrupt(e.to_string())));
                    continue;
                }
            };
            if f.is_dir() {
                continue;
            }
            let name = f
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| "<unreadable name>".to_string());
            let Some(path) = f.enclosed_name() else {
                out.push(Err(ArchiveError::ZipSlip(name)));
                continue;
            };
            let path = path
                .components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("/");
            // `enclosed_name` accepts `a/../b`; an entry that names the root itself is not a file.
            if path.is_empty() {
                out.push(Err(ArchiveError::ZipSlip(name)));
                continue;
            }
            let compressed = f.compressed_size().max(1);
            let ratio = f.size() / compressed;
            if f.size() > 1024 * 1024 && ratio > self.limits.max_ratio {
                out.push(Err(ArchiveError::Ratio {
                    name,
                    ratio,
                    max: self.limits.max_ratio,
                }));
                continue;
            }
            out.push(Ok((
                i,
                Entry {
                    path,
                    size: f.size(),
                },
            )));
        }
        out
    }

    /// Reads entry `index` (as listed by [`entries`](Self::entries)), at most `max` bytes.
    pub fn read(&mut self, index: usize, max: u64) -> Result<Vec<u8>, ArchiveError> {
        let remaining = self.limits.max_total_bytes.saturating_sub(self.total);
        let mut f = self
            .zip
            .by_index(index)
            .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        let name = f
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| "<unreadable name>".to_string());
        let declared = f.size();
        if declared > remaining {
            return Err(ArchiveError::TotalSize {
                max: self.limits.max_total_bytes,
            });
        }
        // The header's size can lie: never read more than it says (nor than `max`), and
        // check the ratio again on what was really produced.
        let cap = declared.min(max).min(remaining);
        let mut buf = Vec::with_capacity(cap.min(16 * 1024 * 1024) as usize);
        (&mut f)
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ArchiveError::Entry {
                name: name.clone(),
                message: e.to_string(),
            })?;
        if buf.len() as u64 > cap {
            return Err(ArchiveError::Entry {
                name,
                message: format!("expands beyond its declared size of {declared} bytes"),
            });
        }
        let ratio = buf.len() as u64 / f.compressed_size().max(1);
        if buf.len() > 1024 * 1024 && ratio > self.limits.max_ratio {
            return Err(ArchiveError::Ratio {
                name,
                ratio,
                max: self.limits.max_ratio,
            });
        }
        self.total += buf.len() as u64;
        Ok(buf)
    }
}
