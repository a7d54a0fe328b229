//! Per-function configuration, read from `PERIMETER_SHIELD_*` environment variables.
//!
//! The extension runs in the function's own environment, so the variables set on the function configure it.
//! Every variable has a safe default; a value that does not parse is an error the caller turns into a
//! fail-open (defaults, loud log line) or fail-closed (init error) decision according to `PERIMETER_SHIELD_FAIL`.

use std::path::PathBuf;
use std::time::Duration;

/// What the extension does with a detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Relay everything untouched; no inspection (the wrapper also bypasses the proxy).
    Off,
    /// Inspect and log; never change what the handler sees.
    Monitor,
    /// Inspect; events with a `block` verdict never reach the handler.
    Block,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Monitor => "monitor",
            Mode::Block => "block",
        }
    }
}

/// What happens when the extension itself fails (inspection panicked, bad configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPolicy {
    /// Let the event through (availability first). The default.
    Open,
    /// Reject the event (block mode) or refuse to start (bad configuration).
    Closed,
}

/// A configuration value that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{var}: cannot use {value:?}: {why}")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub why: &'static str,
}

/// Everything the extension reads from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub fail: FailPolicy,
    /// Loopback port of the Runtime API proxy (the wrapper points the runtime at it).
    pub port: u16,
    /// Detector kinds to act on (`sqli`, `xss`, …); `None` means all.
    pub detectors: Option<Vec<String>>,
    /// JSON path patterns (`*` matches any run of characters) whose detections are ignored.
    pub allow_paths: Vec<String>,
    pub max_body: Option<usize>,
    pub max_event: Option<usize>,
    /// Most string values inspected per event (`all`: no cap).
    pub max_values: Option<usize>,
    pub block_threshold: Option<f32>,
    pub alert_threshold: Option<f32>,
    pub all_headers: bool,
    pub siem_url: Option<String>,
    pub siem_auth: Option<String>,
    pub siem_batch: usize,
    pub siem_queue: usize,
    pub siem_flush: Duration,
    /// End the environment after this many invocations (0: never).
    pub recycle_invocations: u64,
    /// End the environment after it has lived this long (None: never).
    pub recycle_after: Option<Duration>,
    pub hygiene: bool,
    pub tmp_dir: PathBuf,
    /// Patterns (relative to `tmp_dir`) of files the function is expected to create; when set, any other new
    /// file is reported too (otherwise only executable ones are).
    pub tmp_allow: Vec<String>,
    /// Process names (`comm`) allowed to keep running after an invocation returned.
    pub proc_allow: Vec<String>,
    /// Where the wrapper leaves the runtime's pid.
    pub state_dir: PathBuf,
    /// Invocations per window from one source IP / principal before an alert (0: guard off).
    pub dow_threshold: u64,
    pub dow_window: Duration,
    pub dow_max_keys: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Monitor,
            fail: FailPolicy::Open,
            port: 9009,
            detectors: None,
            allow_paths: Vec::new(),
            max_body: None,
            max_event: None,
            max_values: None,
            block_threshold: None,
            alert_threshold: None,
            all_headers: false,
            siem_url: None,
            siem_auth: None,
            siem_batch: 100,
            siem_queue: 1000,
            siem_flush: Duration::from_millis(1000),
            recycle_invocations: 0,
            recycle_after: None,
            hygiene: true,
            tmp_dir: PathBuf::from("/tmp"),
            tmp_allow: Vec::new(),
            proc_allow: Vec::new(),
            state_dir: PathBuf::from("/tmp/.perimeter-shield"),
            dow_threshold: 600,
            dow_window: Duration::from_secs(60),
            dow_max_keys: 10_000,
        }
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> (Settings, Vec<ConfigError>) {
        Settings::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`; bad values keep their default and are returned as errors.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> (Settings, Vec<ConfigError>) {
        let mut s = Settings::default();
        let mut errors = Vec::new();
        let get = |k: &'static str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        if let Some(v) = get("PERIMETER_SHIELD_MODE") {
            match v.to_ascii_lowercase().as_str() {
                "off" => s.mode = Mode::Off,
                "monitor" => s.mode = Mode::Monitor,
                "block" => s.mode = Mode::Block,
                _ => errors.push(bad(
                    "PERIMETER_SHIELD_MODE",
                    v,
                    "expected off, monitor or block",
                )),
            }
        }
        if let Some(v) = get("PERIMETER_SHIELD_FAIL") {
            match v.to_ascii_lowercase().as_str() {
                "open" => s.fail = FailPolicy::Open,
                "closed" => s.fail = FailPolicy::Closed,
                _ => errors.push(bad("PERIMETER_SHIELD_FAIL", v, "expected open or closed")),
            }
        }
        number(&get, "PERIMETER_SHIELD_PORT", &mut errors, |n: u16| {
            s.port = n
        });
        if let Some(v) = get("PERIMETER_SHIELD_DETECTORS") {
            let list = split_list(&v);
            if let Some(unknown) = list
                .iter()
                .find(|k| !DETECTORS.contains(&k.as_str()) && *k != "all")
            {
                errors.push(bad(
                    "PERIMETER_SHIELD_DETECTORS",
                    unknown.clone(),
                    "unknown detector",
                ));
            } else if !list.iter().any(|k| k == "all") {
                s.detectors = Some(list);
            }
        }
        if let Some(v) = get("PERIMETER_SHIELD_ALLOW_PATHS") {
            s.allow_paths = split_list(&v);
        }
        number(
            &get,
            "PERIMETER_SHIELD_MAX_BODY",
            &mut errors,
            |n: usize| s.max_body = Some(n),
        );
        number(
            &get,
            "PERIMETER_SHIELD_MAX_EVENT",
            &mut errors,
            |n: usize| s.max_event = Some(n),
        );
        if let Some(v) = get("PERIMETER_SHIELD_MAX_VALUES") {
            match v.trim() {
                "all" => s.max_values = Some(usize::MAX),
                n => match n.parse::<usize>() {
                    Ok(n) => s.max_values = Some(n),
                    Err(_) => errors.push(bad(
                        "PERIMETER_SHIELD_MAX_VALUES",
                        v,
                        "expected a non-negative integer or all",
                    )),
                },
            }
        }
        for (var, slot) in [
            ("PERIMETER_SHIELD_BLOCK_THRESHOLD", &mut s.block_threshold),
            ("PERIMETER_SHIELD_ALERT_THRESHOLD", &mut s.alert_threshold),
        ] {
            if let Some(v) = get(var) {
                match v.parse::<f32>() {
                    Ok(x) if (0.0..=1.0).contains(&x) => *slot = Some(x),
                    _ => errors.push(bad(var, v, "expected a number between 0 and 1")),
                }
            }
        }
        if let Some(v) = get("PERIMETER_SHIELD_ALL_HEADERS") {
            match v.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" => s.all_headers = true,
                "off" | "false" | "0" => s.all_headers = false,
                _ => errors.push(bad("PERIMETER_SHIELD_ALL_HEADERS", v, "expected on or off")),
            }
        }
        s.siem_url = get("PERIMETER_SHIELD_SIEM_URL");
        if let Some(url) = &s.siem_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            errors.push(bad(
                "PERIMETER_SHIELD_SIEM_URL",
                url.clone(),
                "expected an https:// URL",
            ));
            s.siem_url = None;
        }
        s.siem_auth = get("PERIMETER_SHIELD_SIEM_AUTH");
        number(
            &get,
            "PERIMETER_SHIELD_SIEM_BATCH",
            &mut errors,
            |n: usize| s.siem_batch = n.clamp(1, 10_000),
        );
        number(
            &get,
            "PERIMETER_SHIELD_SIEM_QUEUE",
            &mut errors,
            |n: usize| s.siem_queue = n.clamp(1, 1_000_000),
        );
        number(
            &get,
            "PERIMETER_SHIELD_SIEM_FLUSH_MS",
            &mut errors,
            |n: u64| s.siem_flush = Duration::from_millis(n.max(10)),
        );
        number(
            &get,
            "PERIMETER_SHIELD_RECYCLE_INVOCATIONS",
            &mut errors,
            |n: u64| s.recycle_invocations = n,
        );
        number(
            &get,
            "PERIMETER_SHIELD_RECYCLE_MINUTES",
            &mut errors,
            |n: u64| s.recycle_after = (n > 0).then(|| Duration::from_secs(n.saturating_mul(60))),
        );
        if let Some(v) = get("PERIMETER_SHIELD_HYGIENE") {
            match v.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" => s.hygiene = true,
                "off" | "false" | "0" => s.hygiene = false,
                _ => errors.push(bad("PERIMETER_SHIELD_HYGIENE", v, "expected on or off")),
            }
        }
        if let Some(v) = get("PERIMETER_SHIELD_TMP_DIR") {
            s.tmp_dir = PathBuf::from(v);
        }
        if let Some(v) = get("PERIMETER_SHIELD_TMP_ALLOW") {
            s.tmp_allow = split_list(&v);
        }
        if let Some(v) = get("PERIMETER_SHIELD_PROC_ALLOW") {
            s.proc_allow = split_list(&v);
        }
        if let Some(v) = get("PERIMETER_SHIELD_STATE_DIR") {
            s.state_dir = PathBuf::from(v);
        }
        number(
            &get,
            "PERIMETER_SHIELD_DOW_THRESHOLD",
            &mut errors,
            |n: u64| s.dow_threshold = n,
        );
        number(
            &get,
            "PERIMETER_SHIELD_DOW_WINDOW_SECS",
            &mut errors,
            |n: u64| s.dow_window = Duration::from_secs(n.max(1)),
        );
        number(
            &get,
            "PERIMETER_SHIELD_DOW_MAX_KEYS",
            &mut errors,
            |n: usize| s.dow_max_keys = n.max(1),
        );
        (s, errors)
    }

    /// The library configuration these settings ask for. Allow-listed paths without `*` go to the library
    /// (those values are not inspected at all); patterns with `*` are applied to detections afterwards.
    pub fn shield_config(&self) -> perimeter_shield::Config {
        let mut c = perimeter_shield::Config::default();
        if let Some(n) = self.max_body {
            c.max_body = n;
        }
        if let Some(n) = self.max_event {
            c.max_event = n;
        }
        if let Some(n) = self.max_values {
            c.max_values = n;
        }
        if let Some(x) = self.block_threshold {
            c.block_threshold = x;
        }
        if let Some(x) = self.alert_threshold {
            c.alert_threshold = x;
        }
        c.all_headers = self.all_headers;
        if let Some(list) = &self.detectors {
            let on = |k: &str| list.iter().any(|x| x == k);
            c.detectors = perimeter_shield::Detectors {
                sqli: on("sqli"),
                nosqli: on("nosqli"),
                cmdi: on("cmdi"),
                code: on("code"),
                path_traversal: on("path-traversal"),
                ssrf: on("ssrf"),
                xxe: on("xxe"),
                xss: on("xss"),
                deserialization: on("deserialization"),
            };
        }
        c.allow_paths = self
            .allow_paths
            .iter()
            .filter(|p| !p.contains('*'))
            .cloned()
            .collect();
        c
    }

    /// Allow-list patterns the library cannot apply (they hold `*`).
    pub fn allow_globs(&self) -> impl Iterator<Item = &str> {
        self.allow_paths
            .iter()
            .filter(|p| p.contains('*'))
            .map(String::as_str)
    }
}

/// Detector kinds `PERIMETER_SHIELD_DETECTORS` accepts.
pub const DETECTORS: [&str; 9] = [
    "sqli",
    "nosqli",
    "cmdi",
    "code",
    "path-traversal",
    "ssrf",
    "xxe",
    "xss",
    "deserialization",
];

fn bad(var: &'static str, value: String, why: &'static str) -> ConfigError {
    ConfigError { var, value, why }
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&'static str) -> Option<String>,
    var: &'static str,
    errors: &mut Vec<ConfigError>,
    set: impl FnOnce(T),
) {
    if let Some(v) = get(var) {
        match v.parse::<T>() {
            Ok(n) => set(n),
            Err(_) => errors.push(bad(var, v, "expected a non-negative integer")),
        }
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Matches `text` against `pattern`, where `*` matches any run of characters (including none).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let env = [
            ("PERIMETER_SHIELD_MODE", "BLOCK"),
            ("PERIMETER_SHIELD_FAIL", "closed"),
            ("PERIMETER_SHIELD_DETECTORS", "sqli, xss"),
            ("PERIMETER_SHIELD_RECYCLE_MINUTES", "30"),
            ("PERIMETER_SHIELD_PORT", "not-a-port"),
            ("PERIMETER_SHIELD_MAX_VALUES", "all"),
        ];
        let (s, errors) = Settings::from_lookup(|k| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        });
        assert_eq!(s.mode, Mode::Block);
        assert_eq!(s.fail, FailPolicy::Closed);
        assert_eq!(
            s.detectors,
            Some(vec!["sqli".to_string(), "xss".to_string()])
        );
        assert_eq!(s.recycle_after, Some(Duration::from_secs(1800)));
        assert_eq!(s.port, 9009);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].var, "PERIMETER_SHIELD_PORT");
        let c = s.shield_config();
        assert!(c.detectors.sqli && c.detectors.xss && !c.detectors.cmdi);
        assert_eq!(c.max_values, usize::MAX);
        let (s, errors) = Settings::from_lookup(|k| {
            (k == "PERIMETER_SHIELD_MAX_VALUES").then(|| "many".to_string())
        });
        assert_eq!(errors.len(), 1);
        assert_eq!(s.shield_config().max_values, 10_000);
    }

    #[test]
    fn unknown_detector_and_allow_paths() {
        let env = [
            ("PERIMETER_SHIELD_DETECTORS", "sqli,rce"),
            ("PERIMETER_SHIELD_ALLOW_PATHS", "$.body.html, $.headers.x-*"),
            ("PERIMETER_SHIELD_BLOCK_THRESHOLD", "1.5"),
        ];
        let (s, errors) = Settings::from_lookup(|k| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        });
        assert_eq!(errors.len(), 2);
        assert!(s.detectors.is_none());
        assert_eq!(
            s.shield_config().allow_paths,
            vec!["$.body.html".to_string()]
        );
        assert_eq!(s.allow_globs().collect::<Vec<_>>(), vec!["$.headers.x-*"]);
    }

    #[test]
    fn globs() {
        assert!(glob_match("$.body.comment", "$.body.comment"));
        assert!(glob_match("$.body.*", "$.body.comment"));
        assert!(glob_match("*.html", "a/b.html"));
        assert!(glob_match("cache/*/x*", "cache/a/xyz"));
        assert!(!glob_match("$.body.*", "$.headers.x"));
        assert!(!glob_match("a*a", "a"));
    }
}
