//! A bundle's files in memory: a folder walked on disk (skipping dependency folders and build
//! caches) or an archive read with [`crate::archive`]. Only the files the code stage uses are
//! kept: source files, dependency files and the files the secret scanner wants.

use crate::CodeOptions;
use crate::archive::{Archive, ArchiveError};
use crate::lang::language_of;
use perimeter_model::{BundleKind, Language, LoadError};
use std::collections::BTreeMap;
use std::path::Path;

/// Folders never read: installed dependencies, virtual environments, VCS and build caches.
pub const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "vendor",
    ".git",
    ".hg",
    "__pycache__",
    ".serverless",
    ".aws-sam",
    ".terraform",
    "cdk.out",
    "target",
    ".pytest_cache",
    ".mypy_cache",
    ".tox",
    ".idea",
    ".vscode",
    "coverage",
    ".gradle",
    ".next",
    "site-packages",
];

/// One file kept in memory.
#[derive(Debug)]
pub struct File {
    pub bytes: Vec<u8>,
    pub size: u64,
    pub language: Language,
}

/// A folder or archive loaded in memory.
#[derive(Debug)]
pub struct Bundle {
    /// The bundle's root relative to the scan root (its id).
    pub root: String,
    pub kind: BundleKind,
    /// Relative path inside the bundle → file.
    pub files: BTreeMap<String, File>,
    pub errors: Vec<LoadError>,
}

impl Bundle {
    /// The display path of a file of the bundle.
    pub fn display(&self, rel: &str) -> String {
        match self.kind {
            BundleKind::Archive => format!("{}!/{rel}", self.root),
            // Inline code is one file: the template and function name it.
            BundleKind::Inline => self.root.clone(),
            _ if self.root == "." || self.root.is_empty() => rel.to_string(),
            _ => format!("{}/{rel}", self.root),
        }
    }

    fn error(&mut self, file: String, message: String) {
        self.errors.push(LoadError {
            file,
            line: None,
            column: None,
            message,
        });
    }

    /// Whether the code stage keeps a file of this name and size, and why.
    fn wanted(display: &str, name: &str, size: u64, options: &CodeOptions) -> bool {
        let source = language_of(name) != Language::Other && size <= options.max_source_bytes;
        // `go.mod` names the module, to follow the handler's imports within it.
        source
            || name == "go.mod"
            || perimeter_deps::recognize(name).is_some()
            || perimeter_secrets::should_scan(display, size)
    }

    /// Loads a folder (`base/root`).
    pub fn folder(base: &Path, root: &str, kind: BundleKind, options: &CodeOptions) -> Bundle {
        let mut b = Bundle {
            root: root.to_string(),
            kind,
            files: BTreeMap::new(),
            errors: Vec::new(),
        };
        let mut stack = vec![(base.join(root), String::new(), 0usize)];
        let mut total = 0u64;
        while let Some((dir, rel, depth)) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    let d = b.display(&rel);
                    b.error(d, format!("cannot read folder: {e}"));
                    continue;
                }
            };
            let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let name = e.file_name().to_string_lossy().into_owned();
                let child = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                // Symlinks are not followed: they could leave the scanned tree or loop.
                let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                    continue;
                };
                if meta.is_dir() {
                    if depth < options.max_depth && !SKIP_DIRS.contains(&name.as_str()) {
                        stack.push((e.path(), child, depth + 1));
                    }
                    continue;
                }
                if !meta.is_file() {
                    continue;
                }
                let display = b.display(&child);
                let size = meta.len();
                if !Self::wanted(&display, &name, size, options) {
                    continue;
                }
                if b.files.len() >= options.max_files {
                    b.error(
                        b.display(""),
                        format!(
                            "more than {} files: the rest of the folder is not read",
                            options.max_files
                        ),
                    );
                    return b;
                }
                if size > options.max_file_bytes {
                    b.error(
                        display,
                        format!(
                            "file is {size} bytes, over the {}-byte limit: not read",
                            options.max_file_bytes
                        ),
                    );
                    continue;
                }
                total += size;
                if total > options.max_bundle_bytes {
                    b.error(
                        b.display(""),
                        format!(
                            "files total more than {} bytes: the rest of the folder is not read",
                            options.max_bundle_bytes
                        ),
                    );
                    return b;
                }
                match std::fs::read(e.path()) {
                    Ok(bytes) => {
                        b.files.insert(
                            child,
                            File {
                                size,
                                language: language_of(&name),
                                bytes,
                            },
                        );
                    }
                    Err(err) => b.error(display, format!("cannot read file: {err}")),
                }
            }
        }
        b
    }

    /// Inline code of a template (`Code.ZipFile`, `InlineCode`) as a one-file bundle. `root`
    /// is `"{template}#{FunctionId}"`, `file` the name Lambda gives it (`index.py`).
    pub fn inline(root: &str, file: &str, source: &str) -> Bundle {
        let mut files = BTreeMap::new();
        files.insert(
            file.to_string(),
            File {
                bytes: source.as_bytes().to_vec(),
                size: source.len() as u64,
                language: language_of(file),
            },
        );
        Bundle {
            root: root.to_string(),
            kind: BundleKind::Inline,
            files,
            errors: Vec::new(),
        }
    }

    /// Loads an archive file (`base/root`).
    pub fn archive(base: &Path, root: &str, kind: BundleKind, options: &CodeOptions) -> Bundle {
        let mut b = Bundle {
            root: root.to_string(),
            kind: if kind == BundleKind::Layer {
                kind
            } else {
                BundleKind::Archive
            },
            files: BTreeMap::new(),
            errors: Vec::new(),
        };
        let path = base.join(root);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > options.archive.max_archive_bytes {
            let e = ArchiveError::TooLarge {
                size,
                max: options.archive.max_archive_bytes,
            };
            b.error(root.to_string(), e.to_string());
            return b;
        }
        match std::fs::read(&path) {
            Ok(bytes) => b.read_archive(bytes, options),
            Err(e) => b.error(root.to_string(), format!("cannot read archive: {e}")),
        }
        b
    }

    /// Reads an archive's entries into the bundle.
    pub fn read_archive(&mut self, bytes: Vec<u8>, options: &CodeOptions) {
        let root = self.root.clone();
        let mut archive = match Archive::open(bytes, &options.archive) {
            Ok(a) => a,
            Err(e) => {
                self.error(root, e.to_string());
                return;
            }
        };
        for entry in archive.entries() {
            let (index, entry) = match entry {
                Ok(x) => x,
                Err(e) => {
                    self.error(root.clone(), e.to_string());
                    continue;
                }
            };
            let name = entry
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&entry.path)
                .to_string();
            if entry.path.split('/').any(|c| SKIP_DIRS.contains(&c)) {
                continue;
            }
            let display = self.display(&entry.path);
            if !Self::wanted(&display, &name, entry.size, options) {
                continue;
            }
            if entry.size > options.max_file_bytes {
                self.error(
                    display,
                    format!(
                        "file is {} bytes, over the {}-byte limit: not read",
                        entry.size, options.max_file_bytes
                    ),
                );
                continue;
            }
            if self.files.len() >= options.max_files {
                self.error(
                    root.clone(),
                    format!(
                        "more than {} files: the rest of the archive is not read",
                        options.max_files
                    ),
                );
                return;
            }
            match archive.read(index, options.max_file_bytes) {
                Ok(bytes) => {
                    self.files.insert(
                        entry.path.clone(),
                        File {
                            size: bytes.len() as u64,
                            language: language_of(&name),
                            bytes,
                        },
                    );
                }
                Err(e @ ArchiveError::TotalSize { .. }) => {
                    self.error(root.clone(), e.to_string());
                    return;
                }
                Err(e) => self.error(root.clone(), e.to_string()),
            }
        }
    }
}

/// `true` for file names the code stage opens as archives.
pub fn is_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".zip") || lower.ends_with(".jar")
}
