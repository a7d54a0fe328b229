//! `perimeter shield check`: runs the runtime event inspector over a file of Lambda events
//! (`--events`, one JSON event per line) or of untrusted string values (`--lines`), and
//! prints one verdict per input line, in order.
//!
//! Exit codes: `0` every line passed; `1` at least one line was `block`, `alert` or
//! `error` (an `--events` line that is not JSON is an `error` verdict for that line, not a
//! failure of the run); `2` the input could not be read.

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use perimeter_shield::{Config, Detection, Verdict, inspect_event, inspect_value, verdict_of};
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// `perimeter shield …`.
#[derive(Subcommand)]
pub enum ShieldCommand {
    /// Inspect Lambda events or untrusted values for injection; one verdict per line.
    Check(CheckArgs),
}

/// Output formats of `shield check`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShieldFormat {
    Jsonl,
    Text,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Input {
    /// File with one Lambda event (JSON) per line (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// File with one untrusted string value per line (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    lines: Option<PathBuf>,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    input: Input,
    /// `jsonl` (one JSON verdict per line) or `text`.
    #[arg(long, short = 'f', value_enum, default_value_t = ShieldFormat::Jsonl)]
    format: ShieldFormat,
}

pub fn run(command: &ShieldCommand) -> Result<ExitCode> {
    match command {
        ShieldCommand::Check(args) => check(args),
    }
}

fn read_input(path: &PathBuf) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// One line's outcome.
struct Outcome {
    verdict: Result<Verdict, String>,
    source: Option<&'static str>,
    detections: Vec<Detection>,
}

fn check(args: &CheckArgs) -> Result<ExitCode> {
    let (path, events) = match (&args.input.events, &args.input.lines) {
        (Some(p), _) => (p, true),
        (None, Some(p)) => (p, false),
        (None, None) => anyhow::bail!("give --events FILE or --lines FILE"),
    };
    let data = read_input(path)?;
    let config = Config::default();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut flagged = false;
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for (i, line) in lines.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let outcome = if events {
            let ins = inspect_event(line, &config);
            let not_json = ins.source == "unknown" && ins.error.is_some();
            Outcome {
                verdict: if not_json {
                    Err(ins.error.unwrap_or_default())
                } else {
                    Ok(ins.verdict)
                },
                source: Some(ins.source),
                detections: ins.detections,
            }
        } else {
            let text = String::from_utf8_lossy(line);
            let detections = inspect_value(&text, &config);
            Outcome {
                verdict: Ok(verdict_of(&detections, &config)),
                source: None,
                detections,
            }
        };
        flagged |= !matches!(outcome.verdict, Ok(Verdict::Pass));
        write_outcome(&mut out, i + 1, &outcome, args.format)?;
    }
    out.flush()?;
    Ok(if flagged {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_outcome(
    out: &mut impl Write,
    line: usize,
    o: &Outcome,
    format: ShieldFormat,
) -> Result<()> {
    match format {
        ShieldFormat::Jsonl => {
            let mut obj = serde_json::Map::new();
            obj.insert("line".into(), line.into());
            match &o.verdict {
                Ok(v) => {
                    obj.insert("verdict".into(), v.as_str().into());
                }
                Err(e) => {
                    obj.insert("verdict".into(), "error".into());
                    obj.insert("error".into(), e.as_str().into());
                }
            }
            if let Some(s) = o.source {
                obj.insert("source".into(), s.into());
            }
            let dets: Vec<serde_json::Value> = o
                .detections
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "kind": d.kind,
                        "path": d.path,
                        "confidence": (f64::from(d.confidence) * 100.0).round() / 100.0,
                        "excerpt": d.excerpt,
                    })
                })
                .collect();
            obj.insert("detections".into(), dets.into());
            writeln!(out, "{}", serde_json::Value::Object(obj))?;
        }
        ShieldFormat::Text => {
            let verdict = match &o.verdict {
                Ok(v) => v.as_str().to_string(),
                Err(e) => format!("error: {e}"),
            };
            match o.source {
                Some(s) => writeln!(out, "line {line}: {verdict} ({s})")?,
                None => writeln!(out, "line {line}: {verdict}")?,
            }
            for d in &o.detections {
                writeln!(
                    out,
                    "  {:<16} {:.2}  {}  {:?}",
                    d.kind, d.confidence, d.path, d.excerpt
                )?;
            }
        }
    }
    Ok(())
}
