//! `perimeter shield check` without the CLI: the same JSONL verdicts from this crate alone,
//! so `bench/shield/accuracy.py --perimeter <this example>` runs without building the
//! whole `perimeter` binary. Usage: `check [shield check] --events|--lines FILE [...]`.

use perimeter_shield::{Config, inspect_event, inspect_value, verdict_of};
use serde_json::json;
use std::io::Write as _;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events = args.iter().any(|a| a == "--events");
    let Some(path) = args
        .iter()
        .position(|a| a == "--events" || a == "--lines")
        .and_then(|i| args.get(i + 1))
    else {
        eprintln!("usage: check --events FILE | --lines FILE");
        std::process::exit(2);
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let cfg = Config::default();
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in lines.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (verdict, source, dets) = if events {
            let ins = inspect_event(line, &cfg);
            (ins.verdict, Some(ins.source), ins.detections)
        } else {
            let d = inspect_value(&String::from_utf8_lossy(line), &cfg);
            (verdict_of(&d, &cfg), None, d)
        };
        let v = json!({"line": i + 1, "verdict": verdict, "source": source, "detections": dets});
        let _ = writeln!(out, "{v}");
    }
}
