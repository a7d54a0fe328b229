//! `perimeter.toml`: parsing with positions, and the settings it holds.
//!
//! The file is parsed into toml's spanned document tree and walked by hand rather than
//! deserialized into structs: that way every problem (an unknown key, an unknown rule code, a
//! misspelt severity, an ignore without a reason) is reported at its own line and column, and
//! all problems are reported at once.

use crate::ConfigError;
use crate::glob;
use globset::GlobMatcher;
use perimeter_model::LoadError;
use perimeter_rules::Severity;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The configuration file's name at the scan root.
pub const CONFIG_FILE_NAME: &str = "perimeter.toml";
/// A configuration file larger than this is refused.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// What `perimeter.toml` says. [`Config::default`] is the configuration without a file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file as named in messages (`perimeter.toml`, or the `--config` path as given).
    pub source: String,
    /// Default for `--fail-on`.
    pub fail_on: Option<Severity>,
    /// Globs of paths (relative to the root) not to scan and not to report on.
    pub exclude: Vec<String>,
    exclude_matchers: Vec<GlobMatcher>,
    /// Per-rule settings by upper-case code.
    pub rules: BTreeMap<String, RuleSetting>,
    pub ignores: Vec<ConfigIgnore>,
    /// `[alerts]`: when `watch` and `enforce` alert, and where to.
    pub alerts: crate::alerts::AlertsConfig,
    /// The kill switch's policy (`[enforce]`); `None`: `perimeter enforce` refuses to act.
    pub enforce: Option<crate::enforce::EnforceConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            source: CONFIG_FILE_NAME.to_string(),
            fail_on: None,
            exclude: Vec::new(),
            exclude_matchers: Vec::new(),
            rules: BTreeMap::new(),
            ignores: Vec::new(),
            alerts: Default::default(),
            enforce: None,
        }
    }
}

/// `[rules] CODE = "off" | "on" | { severity = "low", enabled = true }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetting {
    pub enabled: bool,
    pub severity: Option<Severity>,
    /// Line of the setting in the file.
    pub line: u32,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone)]
pub struct ConfigIgnore {
    /// Upper-case rule code.
    pub code: String,
    /// Glob on the finding's file.
    pub path: Option<String>,
    matcher: Option<GlobMatcher>,
    /// Matches the finding's resource, or the function it concerns.
    pub resource: Option<String>,
    pub reason: String,
    /// Line of the entry (its `[[ignore]]` header) in the file.
    pub line: u32,
}

impl ConfigIgnore {
    /// `true` when this entry covers a finding with this code, file, resource and function.
    pub fn matches(&self, code: &str, file: &str, resource: &str, function: Option<&str>) -> bool {
        if !self.code.eq_ignore_ascii_case(code) {
            return false;
        }
        if let Some(m) = &self.matcher
            && !m.is_match(glob::normalize(file))
        {
            return false;
        }
        if let Some(r) = &self.resource
            && r != resource
            && function != Some(r.as_str())
        {
            return false;
        }
        true
    }
}

impl Config {
    /// Reads and parses a configuration file; `display` names it in messages.
    pub fn load(path: &Path, display: &str, known_codes: &[&str]) -> Result<Config, ConfigError> {
        let io = |source| ConfigError::Io {
            path: display.to_string(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge {
                path: display.to_string(),
                max: MAX_CONFIG_BYTES,
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Config::parse(&text, display, known_codes)
    }

    /// Loads `perimeter.toml` at `root` when there is one.
    pub fn discover(root: &Path, known_codes: &[&str]) -> Result<Option<Config>, ConfigError> {
        let path = root.join(CONFIG_FILE_NAME);
        if !path.is_file() {
            return Ok(None);
        }
        Config::load(&path, CONFIG_FILE_NAME, known_codes).map(Some)
    }

    /// Parses the text of a configuration file. `known_codes` is the rule catalog: a code not
    /// in it is an error (a typo would otherwise silently disable nothing).
    pub fn parse(text: &str, source: &str, known_codes: &[&str]) -> Result<Config, ConfigError> {
        let lines = LineIndex::new(text);
        let document = DeTable::parse(text).map_err(|e| {
            let (line, column) = lines.position(e.span().map_or(0, |s| s.start));
            ConfigError::Invalid {
                problems: vec![LoadError {
                    file: source.to_string(),
                    line: Some(line),
                    column: Some(column),
                    message: e.message().to_string(),
                }],
            }
        })?;
        let mut parser = Parser {
            source,
            lines: &lines,
            known_codes,
            problems: Vec::new(),
        };
        let config = parser.document(document.get_ref());
        // Table entries come in key order: report in file order.
        parser.problems.sort_by_key(|p| (p.line, p.column));
        if parser.problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid {
                problems: parser.problems,
            })
        }
    }

    /// `true` when `path` (relative to the root) matches an `exclude` glob.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = glob::normalize(path);
        self.exclude_matchers.iter().any(|m| m.is_match(&path))
    }

    /// `false` when the rule is switched off.
    pub fn is_enabled(&self, code: &str) -> bool {
        self.rule(code).is_none_or(|r| r.enabled)
    }

    /// The severity override for a rule, if any.
    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.rule(code).and_then(|r| r.severity)
    }

    fn rule(&self, code: &str) -> Option<&RuleSetting> {
        self.rules.get(&code.to_ascii_uppercase())
    }
}

/// Byte offsets to 1-based line and character column.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line as u32, column as u32)
    }
}

/// `a string`, `an integer`.
fn a(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

struct Parser<'a> {
    source: &'a str,
    lines: &'a LineIndex<'a>,
    known_codes: &'a [&'a str],
    problems: Vec<LoadError>,
}

type Table<'i> = DeTable<'i>;

impl Parser<'_> {
    fn problem(&mut self, span: Range<usize>, message: String) {
        let (line, column) = self.lines.position(span.start);
        self.problems.push(LoadError {
            file: self.source.to_string(),
            line: Some(line),
            column: Some(column),
            message,
        });
    }

    fn line(&self, span: &Range<usize>) -> u32 {
        self.lines.position(span.start).0
    }

    fn document(&mut self, table: &Table<'_>) -> Config {
        let mut config = Config {
            source: self.source.to_string(),
            ..Config::default()
        };
        for (key, value) in table.iter() {
            match key.get_ref().as_ref() {
                "fail-on" => config.fail_on = self.severity(value),
                "exclude" => {
                    for item in self.array(value, "exclude") {
                        if let Some(pattern) = self.string(item, "an exclude pattern") {
                            match glob::compile(&pattern) {
                                Ok(m) => {
                                    config.exclude.push(pattern);
                                    config.exclude_matchers.push(m);
                                }
                                Err(e) => self.problem(item.span(), format!("invalid glob `{pattern}`: {e}")),
                            }
                        }
                    }
                }
                "rules" => {
                    if let Some(rules) = self.table(value, "[rules]") {
                        for (code, setting) in rules.iter() {
                            // Both are checked, so one run reports every problem.
                            let code = self.code(code);
                            let setting = self.rule_setting(setting);
                            if let (Some(code), Some(setting)) = (code, setting) {
                                config.rules.insert(code, setting);
                            }
                        }
                    }
                }
                "ignore" => {
                    for item in self.array(value, "ignore") {
                        if let Some(ignore) = self.ignore(item) {
                            config.ignores.push(ignore);
                        }
                    }
                }
                "alerts" => config.alerts = crate::alerts::parse(value, &mut |s, m| self.problem(s, m)),
                "enforce" => {
                    let (known, line) = (self.known_codes, self.line(&key.span()));
                    config.enforce = crate::enforce::parse(value, known, line, &mut |span, message| self.problem(span, message));
                }
                other => self.problem(
                    key.span(),
                    format!("unknown key `{other}` (expected `fail-on`, `exclude`, `rules` or `[[ignore]]`)"),
                ),
            }
        }
        config
    }

    fn rule_setting(&mut self, value: &Spanned<DeValue<'_>>) -> Option<RuleSetting> {
        let line = self.line(&value.span());
        match value.get_ref() {
            DeValue::String(s) => {
                match s.as_ref() {
                    "off" => Some(RuleSetting {
                        enabled: false,
                        severity: None,
                        line,
                    }),
                    "on" => Some(RuleSetting {
                        enabled: true,
                        severity: None,
                        line,
                    }),
                    other => {
                        self.problem(value.span(), format!("expected \"off\", \"on\" or {{ severity = \"…\" }}, found \"{other}\""));
                        None
                    }
                }
            }
            DeValue::Table(table) => {
                let mut setting = RuleSetting {
                    enabled: true,
                    severity: None,
                    line,
                };
                for (key, v) in table.iter() {
                    match key.get_ref().as_ref() {
                        "severity" => setting.severity = self.severity(v),
                        "enabled" => match v.get_ref() {
                            DeValue::Boolean(b) => setting.enabled = *b,
                            _ => self.problem(v.span(), "`enabled` must be true or false".to_string()),
                        },
                        other => self.problem(
                            key.span(),
                            format!("unknown key `{other}` in a rule setting (expected `severity` or `enabled`)"),
                        ),
                    }
                }
                Some(setting)
            }
            other => {
                self.problem(
                    value.span(),
                    format!(
                        "expected \"off\", \"on\" or {{ severity = \"…\" }}, found {}",
                        a(other.type_str())
                    ),
                );
                None
            }
        }
    }

    fn ignore(&mut self, item: &Spanned<DeValue<'_>>) -> Option<ConfigIgnore> {
        let table = self.table(item, "an [[ignore]] entry")?;
        let (mut code, mut path, mut matcher, mut resource, mut reason) =
            (None, None, None, None, None);
        for (key, value) in table.iter() {
            match key.get_ref().as_ref() {
                "code" => {
                    if let Some(c) = self.string(value, "`code`") {
                        code = self.known_code(&c, value.span());
                    }
                }
                "path" => {
                    if let Some(p) = self.string(value, "`path`") {
                        match glob::compile(&p) {
                            Ok(m) => {
                                matcher = Some(m);
                                path = Some(p);
                            }
                            Err(e) => self.problem(value.span(), format!("invalid glob `{p}`: {e}")),
                        }
                    }
                }
                "resource" => resource = self.string(value, "`resource`"),
                "reason" => {
                    if let Some(r) = self.string(value, "`reason`") {
                        if r.trim().is_empty() {
                            self.problem(value.span(), "`reason` is empty: say why this finding is ignored".to_string());
                        } else {
                            reason = Some(r.trim().to_string());
                        }
                    }
                }
                other => self.problem(
                    key.span(),
                    format!("unknown key `{other}` in [[ignore]] (expected `code`, `path`, `resource` or `reason`)"),
                ),
            }
        }
        let span = item.span();
        if !table.iter().any(|(k, _)| k.get_ref() == "code") {
            self.problem(span.clone(), "[[ignore]] needs a `code`".to_string());
        }
        if !table.iter().any(|(k, _)| k.get_ref() == "reason") {
            self.problem(
                span.clone(),
                "[[ignore]] needs a `reason`: say why this finding is ignored".to_string(),
            );
        }
        Some(ConfigIgnore {
            code: code?,
            path,
            matcher,
            resource,
            reason: reason?,
            line: self.line(&span),
        })
    }

    fn severity(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Severity> {
        let s = self.string(value, "a severity")?;
        let severity = Severity::parse(&s);
        if severity.is_none() {
            self.problem(
                value.span(),
                format!("unknown severity `{s}` (expected critical, high, medium, low or info)"),
            );
        }
        severity
    }

    /// A rule code used as a key of `[rules]`.
    fn code(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>) -> Option<String> {
        self.known_code(key.get_ref(), key.span())
    }

    fn known_code(&mut self, code: &str, span: Range<usize>) -> Option<String> {
        let upper = code.to_ascii_uppercase();
        if self
            .known_codes
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&upper))
        {
            Some(upper)
        } else {
            self.problem(span, format!("unknown rule code `{code}`"));
            None
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be a string, found {}", a(other.type_str())),
                );
                None
            }
        }
    }

    fn table<'v, 'i>(
        &mut self,
        value: &'v Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'v Table<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be a table, found {}", a(other.type_str())),
                );
                None
            }
        }
    }

    fn array<'v, 'i>(
        &mut self,
        value: &'v Spanned<DeValue<'i>>,
        what: &str,
    ) -> &'v [Spanned<DeValue<'i>>] {
        match value.get_ref() {
            DeValue::Array(a) => a,
            other => {
                self.problem(
                    value.span(),
                    format!("`{what}` must be an array, found {}", a(other.type_str())),
                );
                &[]
            }
        }
    }
}
