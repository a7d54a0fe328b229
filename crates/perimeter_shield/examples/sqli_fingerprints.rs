//! Prints, for each line of a file, the SQLi fingerprint `LibinjectionRs` reports (or `-`):
//! `bench/shield/libinjection_diff.py` compares it with the C libinjection line by line.

use perimeter_shield::{LibinjectionRs, SqliEngine};
use std::io::Write as _;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sqli_fingerprints FILE");
        std::process::exit(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let fp = LibinjectionRs
            .detect(line)
            .unwrap_or_else(|| "-".to_string());
        let _ = writeln!(out, "{fp}");
    }
}
