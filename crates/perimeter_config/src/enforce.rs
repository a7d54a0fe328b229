//! `[enforce]`: the kill switch's policy. Without the section `perimeter enforce` refuses to
//! act: stopping production functions must be something a team wrote down, never a default.
//!
//! ```toml
//! [enforce]
//! max-score = 80                  # block functions scored above 80
//! block-codes = ["AUTH002"]       # … or with a finding of these rules
//! block-public-unauth = true      # … or reachable from the internet without authentication
//! functions = ["prod-*"]          # only these function names (globs; default: all)
//! exclude = ["prod-healthcheck"]  # never these
//! ```
//!
//! Function globs match the deployed function name (`*` any characters; no path segments).

use globset::{GlobBuilder, GlobMatcher};
use std::ops::Range;
use toml::Spanned;
use toml::de::DeValue;

/// The parsed `[enforce]` section.
#[derive(Debug, Clone, Default)]
pub struct EnforceConfig {
    /// Block functions whose risk score is above this (0–100).
    pub max_score: Option<u32>,
    /// Block functions with a (kept, not suppressed) finding of one of these rules.
    pub block_codes: Vec<String>,
    /// Block functions reachable from the internet without authentication.
    pub block_public_unauth: bool,
    /// Function name globs the policy applies to (empty: every function).
    pub functions: Vec<String>,
    /// Function name globs never acted on.
    pub exclude: Vec<String>,
    functions_matchers: Vec<GlobMatcher>,
    exclude_matchers: Vec<GlobMatcher>,
    /// Line of the `[enforce]` header.
    pub line: u32,
}

impl EnforceConfig {
    /// `true` when the policy covers a function named `name` (in `functions`, or no
    /// `functions` given, and not in `exclude`).
    pub fn covers(&self, name: &str) -> bool {
        let included = self.functions_matchers.is_empty()
            || self.functions_matchers.iter().any(|m| m.is_match(name));
        included && !self.exclude_matchers.iter().any(|m| m.is_match(name))
    }

    /// `true` when the section asks for nothing (then there is nothing to enforce).
    pub fn is_empty(&self) -> bool {
        self.max_score.is_none() && self.block_codes.is_empty() && !self.block_public_unauth
    }
}

fn compile(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

/// Parses the value of the `enforce` key. `problem` reports a problem at a byte span;
/// `known_codes` are the rule codes `block-codes` may name; `line` is the section's line.
pub(crate) fn parse(
    value: &Spanned<DeValue<'_>>,
    known_codes: &[&str],
    line: u32,
    problem: &mut dyn FnMut(Range<usize>, String),
) -> Option<EnforceConfig> {
    let DeValue::Table(table) = value.get_ref() else {
        problem(
            value.span(),
            "`enforce` must be a table ([enforce])".to_string(),
        );
        return None;
    };
    let mut config = EnforceConfig {
        line,
        ..EnforceConfig::default()
    };
    for (key, v) in table.iter() {
        match key.get_ref().as_ref() {
            "max-score" => match v.get_ref() {
                DeValue::Integer(i) => match i.as_str().parse::<u32>() {
                    Ok(n) if i.radix() == 10 && n <= 100 => config.max_score = Some(n),
                    _ => problem(
                        v.span(),
                        "`max-score` must be an integer from 0 to 100".into(),
                    ),
                },
                _ => problem(
                    v.span(),
                    "`max-score` must be an integer from 0 to 100".into(),
                ),
            },
            "block-codes" => {
                for item in strings(v, "block-codes", problem) {
                    let (code, span) = item;
                    match known_codes.iter().find(|k| k.eq_ignore_ascii_case(&code)) {
                        Some(known) => config.block_codes.push(known.to_string()),
                        None => problem(span, format!("unknown rule code `{code}`")),
                    }
                }
            }
            "block-public-unauth" => match v.get_ref() {
                DeValue::Boolean(b) => config.block_public_unauth = *b,
                _ => problem(
                    v.span(),
                    "`block-public-unauth` must be true or false".into(),
                ),
            },
            "functions" | "exclude" => {
                let include = key.get_ref().as_ref() == "functions";
                for (pattern, span) in strings(v, key.get_ref(), problem) {
                    match compile(&pattern) {
                        Ok(m) if include => {
                            config.functions.push(pattern);
                            config.functions_matchers.push(m);
                        }
                        Ok(m) => {
                            config.exclude.push(pattern);
                            config.exclude_matchers.push(m);
                        }
                        Err(e) => problem(span, format!("invalid glob `{pattern}`: {e}")),
                    }
                }
            }
            other => problem(
                key.span(),
                format!(
                    "unknown key `{other}` in [enforce] (expected `max-score`, `block-codes`, `block-public-unauth`, `functions` or `exclude`)"
                ),
            ),
        }
    }
    if config.is_empty() {
        problem(
            value.span(),
            "[enforce] sets no condition: add `max-score`, `block-codes` or `block-public-unauth`"
                .into(),
        );
    }
    Some(config)
}

/// The strings of an array value, with their spans.
fn strings(
    value: &Spanned<DeValue<'_>>,
    what: &str,
    problem: &mut dyn FnMut(Range<usize>, String),
) -> Vec<(String, Range<usize>)> {
    let DeValue::Array(items) = value.get_ref() else {
        problem(
            value.span(),
            format!("`{what}` must be an array of strings"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) => out.push((s.to_string(), item.span())),
            _ => problem(item.span(), format!("`{what}` must hold strings")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::Config;

    const CODES: &[&str] = &["AUTH002", "IAM001"];

    #[test]
    fn parses_the_policy() {
        let config = Config::parse(
            "[enforce]\nmax-score = 80\nblock-codes = [\"auth002\"]\nblock-public-unauth = true\nfunctions = [\"prod-*\"]\nexclude = [\"prod-health\"]\n",
            "perimeter.toml",
            CODES,
        )
        .expect("valid");
        let e = config.enforce.expect("[enforce]");
        assert_eq!(e.max_score, Some(80));
        assert_eq!(e.block_codes, ["AUTH002"]);
        assert!(e.block_public_unauth);
        assert!(e.covers("prod-api"));
        assert!(!e.covers("prod-health"));
        assert!(!e.covers("dev-api"));
        assert_eq!(e.line, 1);
        assert!(
            Config::parse("fail-on = \"high\"\n", "p", CODES)
                .unwrap()
                .enforce
                .is_none()
        );
    }

    #[test]
    fn reports_every_problem_with_its_position() {
        let err = Config::parse(
            "[enforce]\nmax-score = 180\nblock-codes = [\"NOPE1\"]\nblock-public-unauth = \"yes\"\nkill = true\n",
            "perimeter.toml",
            CODES,
        )
        .expect_err("invalid");
        let text = err.to_string();
        for expected in [
            "perimeter.toml:2:13: `max-score` must be an integer from 0 to 100",
            "perimeter.toml:3:16: unknown rule code `NOPE1`",
            "perimeter.toml:4:23: `block-public-unauth` must be true or false",
            "perimeter.toml:5:1: unknown key `kill` in [enforce]",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        let empty = Config::parse("[enforce]\n", "perimeter.toml", CODES).expect_err("empty");
        assert!(empty.to_string().contains("sets no condition"), "{empty}");
    }
}
