//! Where a value was declared, and what went wrong reading a file.

use serde::Serialize;
use std::fmt;

/// A position in a scanned file: path relative to the scan root, 1-based line and column
/// (columns count characters, not bytes). For live data, `file` holds the ARN and `line` is 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// A per-file problem met while discovering or loading. The scan goes on with other files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    /// Path relative to the scan root.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// One sentence saying what is wrong, e.g. `"YAML alias expansion exceeds 100000 nodes"`.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}
