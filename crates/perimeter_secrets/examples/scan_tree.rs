//! Scans folders the way the code stage would (`should_scan`, then `scan` on each file) and
//! prints one tab-separated line per hit: `path line column detector confidence redacted`.
//! On stderr: files and bytes scanned, seconds, MB/s. Used by `bench/secrets/run.sh`.
//!
//! `cargo run --release -p perimeter_secrets --example scan_tree -- DIR [DIR…]`

use std::path::Path;
use std::time::{Duration, Instant};

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&entry.path(), out);
        } else if ft.is_file() {
            out.push(entry.path());
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for root in std::env::args().skip(1) {
        walk(Path::new(&root), &mut files);
    }
    files.sort();
    let (mut bytes, mut scanned) = (0u64, 0usize);
    let mut elapsed = Duration::ZERO;
    let mut lines = Vec::new();
    for path in &files {
        let display = path.to_string_lossy();
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let Ok(content) = std::fs::read(path) else {
            continue;
        };
        // Only detection is timed (reading files is the same cost for every scanner).
        let t = Instant::now();
        let hits = if perimeter_secrets::should_scan(&display, size) {
            scanned += 1;
            bytes += size;
            perimeter_secrets::scan(&display, &content)
        } else {
            Vec::new()
        };
        elapsed += t.elapsed();
        for h in hits {
            lines.push(format!(
                "{}\t{}\t{}\t{}\t{:?}\t{}",
                display, h.location.line, h.location.column, h.detector, h.confidence, h.redacted
            ));
        }
    }
    for l in &lines {
        println!("{l}");
    }
    let secs = elapsed.as_secs_f64();
    eprintln!(
        "files={} scanned={} bytes={} seconds={:.3} MB/s={:.1} hits={}",
        files.len(),
        scanned,
        bytes,
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9),
        lines.len()
    );
}
