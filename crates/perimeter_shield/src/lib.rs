//! Runtime inspection of Lambda events for injection (library; no AWS SDK).
//!
//! [`inspect_event`] recognizes the event's source, walks only the fields an attacker
//! controls, and runs every enabled detector over each value. [`inspect_value`] runs the
//! detectors over one untrusted string. Neither panics on hostile input: sizes, nesting depth,
//! decompressed sizes and the number of values inspected are all capped by [`Config`].
//! The detectors' automata and patterns are built on first use (some 10 ms); a long-running
//! process calls [`prepare`] at start-up instead, as the Lambda extension does.

mod decode;
mod detect;
mod json;
mod key_memo;
mod path;
mod source;
#[cfg(test)]
mod test_corpus;
#[cfg(test)]
mod test_rng;
mod walk;

pub use detect::Kind;
pub use detect::sqli::{LibinjectionRs, SqliEngine};
use serde::Serialize;

/// Which detectors run. All on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detectors {
    pub sqli: bool,
    pub nosqli: bool,
    pub cmdi: bool,
    pub code: bool,
    pub path_traversal: bool,
    pub ssrf: bool,
    pub xxe: bool,
    pub xss: bool,
    pub deserialization: bool,
}

impl Default for Detectors {
    fn default() -> Self {
        Detectors::all(true)
    }
}

impl Detectors {
    /// Every detector on (`true`) or off (`false`): `Detectors { sqli: true,
    /// ..Detectors::all(false) }` runs only the SQL injection detector.
    pub const fn all(on: bool) -> Self {
        Detectors {
            sqli: on,
            nosqli: on,
            cmdi: on,
            code: on,
            path_traversal: on,
            ssrf: on,
            xxe: on,
            xss: on,
            deserialization: on,
        }
    }
}

impl Detectors {
    /// The enabled detectors, one bit per kind in the detectors' running order
    /// (`detect::ORDER`: sqli, nosqli, cmdi, code, path traversal, ssrf, xxe, xss,
    /// deserialization).
    pub(crate) fn mask(&self) -> u16 {
        [
            self.sqli,
            self.nosqli,
            self.cmdi,
            self.code,
            self.path_traversal,
            self.ssrf,
            self.xxe,
            self.xss,
            self.deserialization,
        ]
        .iter()
        .enumerate()
        .fold(0, |m, (i, &on)| m | u16::from(on) << i)
    }

    /// Whether the detector of `kind` is enabled.
    pub fn enabled(&self, kind: Kind) -> bool {
        match kind {
            Kind::Sqli => self.sqli,
            Kind::Nosqli => self.nosqli,
            Kind::Cmdi => self.cmdi,
            Kind::Code => self.code,
            Kind::PathTraversal => self.path_traversal,
            Kind::Ssrf => self.ssrf,
            Kind::Xxe => self.xxe,
            Kind::Xss => self.xss,
            Kind::Deserialization => self.deserialization,
        }
    }
}

/// What to inspect and how to decide.
#[derive(Debug, Clone)]
pub struct Config {
    /// Bodies (and any single value) longer than this many bytes are inspected up to this
    /// length only.
    pub max_body: usize,
    /// Largest event accepted by [`inspect_event`]; a larger one is not inspected and
    /// `Inspection::error` says so.
    pub max_event: usize,
    /// JSON nesting deeper than this is not walked (bodies, nested JSON strings).
    pub max_depth: usize,
    /// At most this many string values are inspected per event.
    pub max_values: usize,
    /// Cap on decompressed CloudWatch Logs data (gzip bombs stop here).
    pub max_decompressed: usize,
    /// Per-detector switches.
    pub detectors: Detectors,
    /// A detection at or above this confidence makes the verdict `block`.
    pub block_threshold: f32,
    /// A detection at or above this confidence (and below `block_threshold`) makes it `alert`;
    /// weaker detections are dropped.
    pub alert_threshold: f32,
    /// JSON paths never inspected: a value is skipped when its path equals one of these or
    /// starts with one followed by `.` or `[` (e.g. `$.body.html_template`).
    pub allow_paths: Vec<String>,
    /// Inspect every request header instead of the ones that usually carry attacks
    /// (User-Agent, Referer, Cookie, X-Forwarded-For, Origin, Host, custom `X-` headers).
    pub all_headers: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body: 1 << 20,
            max_event: 8 << 20,
            max_depth: 32,
            max_values: 10_000,
            max_decompressed: 1 << 20,
            detectors: Detectors::default(),
            block_threshold: 0.8,
            alert_threshold: 0.5,
            allow_paths: Vec::new(),
            all_headers: false,
        }
    }
}

/// The decision for one event or value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Alert,
    Block,
}

impl Verdict {
    /// `pass`, `alert` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Alert => "alert",
            Verdict::Block => "block",
        }
    }
}

/// One detection.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    /// `sqli`, `nosqli`, `cmdi`, `code`, `path-traversal`, `ssrf`, `xxe`, `xss`, `deserialization`.
    pub kind: &'static str,
    /// JSON path of the value in the event (`$.body.user.name`, `$.Records[0].s3.object.key`).
    pub path: String,
    /// 0.0 ..= 1.0.
    pub confidence: f32,
    /// A short, redacted excerpt around the match.
    pub excerpt: String,
}

/// The result of inspecting one event.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// The recognized source (`apigateway-rest`, `s3`, `sqs`, …, `generic`).
    pub source: &'static str,
    pub verdict: Verdict,
    pub detections: Vec<Detection>,
    /// Why part (or all) of the event could not be inspected: not JSON, too large, bad
    /// base64 or gzip, a cap reached. Inspection of the rest still happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How many string values the detectors saw.
    pub values: usize,
}

/// The verdict the detections lead to under `config`'s thresholds.
pub fn verdict_of(detections: &[Detection], config: &Config) -> Verdict {
    let top = detections
        .iter()
        .map(|d| d.confidence)
        .fold(0.0_f32, f32::max);
    if detections.is_empty() || top < config.alert_threshold {
        Verdict::Pass
    } else if top >= config.block_threshold {
        Verdict::Block
    } else {
        Verdict::Alert
    }
}

/// Builds every automaton and pattern the detectors would otherwise build on first use
/// (about 40 million instructions, some 10 ms): call it once at start-up, on a thread of
/// its own if start-up must not wait, so the first inspected event does not pay for it.
/// Inspections are correct without it; calling it again costs nothing.
pub fn prepare() {
    detect::prepare();
}

/// Inspects one Lambda event (JSON bytes).
pub fn inspect_event(event: &[u8], config: &Config) -> Inspection {
    walk::inspect_event(event, config)
}

/// The recognized source of `event` and the JSON path of every value [`inspect_event`]
/// would hand to the detectors, in walk order: for tests, documentation and debugging
/// which fields of an event are inspected.
pub fn walked_fields(event: &[u8], config: &Config) -> (&'static str, Vec<String>) {
    walk::walked_fields(event, config)
}

/// Inspects one untrusted string value.
pub fn inspect_value(value: &str, config: &Config) -> Vec<Detection> {
    // A value that is itself JSON is walked like a body, so its keys (`{"$ne": 1}`) and
    // each string inside are judged on their own.
    walk::inspect_value(value, config)
}
