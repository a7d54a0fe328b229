//! `perimeter.toml` parsing: the full schema, and every kind of error with its position.

use perimeter_config::{Config, ConfigError};
use perimeter_rules::Severity;

const CODES: &[&str] = &["AUTH001", "AUTH002", "IAM005", "SEC001", "DOW001"];

fn errors(text: &str) -> String {
    match Config::parse(text, "perimeter.toml", CODES) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn full_schema() {
    let text = r#"
fail-on = "high"            # optional default for --fail-on
exclude = ["tests/**", "legacy/*.yaml"]

[rules]
AUTH001 = "off"
auth002 = "on"
IAM005 = { severity = "low" }

[[ignore]]
code = "SEC001"
path = "examples/**"
resource = "LegacyFunction"
reason = "test fixture"

[[ignore]]
code = "DOW001"
reason = "  batch job, bounded by its queue  "
"#;
    let config = Config::parse(text, "perimeter.toml", CODES).expect("valid");
    assert_eq!(config.fail_on, Some(Severity::High));
    assert_eq!(config.exclude, ["tests/**", "legacy/*.yaml"]);
    assert!(config.is_excluded("tests/unit/template.yaml"));
    assert!(config.is_excluded("./legacy/old.yaml"));
    assert!(!config.is_excluded("legacy/sub/old.yaml"));
    assert!(!config.is_excluded("template.yaml"));
    assert!(!config.is_enabled("AUTH001"));
    assert!(!config.is_enabled("auth001"));
    assert!(config.is_enabled("AUTH002"));
    assert!(config.is_enabled("SEC001"));
    assert_eq!(config.severity_of("IAM005"), Some(Severity::Low));
    assert_eq!(config.severity_of("AUTH002"), None);
    assert_eq!(config.ignores.len(), 2);
    let first = &config.ignores[0];
    assert_eq!(
        (first.code.as_str(), first.line, first.reason.as_str()),
        ("SEC001", 10, "test fixture")
    );
    assert!(first.matches("SEC001", "examples/a/template.yaml", "LegacyFunction", None));
    assert!(first.matches(
        "SEC001",
        "examples/a/template.yaml",
        "LegacyFunctionRole",
        Some("LegacyFunction")
    ));
    assert!(!first.matches("SEC001", "src/template.yaml", "LegacyFunction", None));
    assert!(!first.matches("SEC001", "examples/template.yaml", "Other", None));
    assert!(!first.matches("AUTH001", "examples/template.yaml", "LegacyFunction", None));
    assert_eq!(config.ignores[1].reason, "batch job, bounded by its queue");
}

#[test]
fn empty_file_is_the_default() {
    let config = Config::parse("", "perimeter.toml", CODES).expect("valid");
    assert_eq!(config.fail_on, None);
    assert!(config.ignores.is_empty() && config.rules.is_empty() && config.exclude.is_empty());
}

#[test]
fn syntax_error_has_its_position() {
    assert_eq!(
        errors("fail-on = \"high\"\n[rules]\nAUTH001 = off\n"),
        "perimeter.toml:3:11: string values must be quoted, expected literal string"
    );
    assert_eq!(
        errors("a = 1\na = 2\n").lines().next(),
        Some("perimeter.toml:2:1: duplicate key")
    );
}

#[test]
fn schema_errors_have_positions_and_are_all_reported() {
    let text = r#"fail_on = "high"
fail-on = "urgent"
exclude = ["ok/**", "bad/[x"]

[rules]
AUTH009 = "off"
AUTH001 = "disabled"
IAM005 = { severity = "low", level = 3 }
SEC001 = 3

[[ignore]]
code = "SEC001"
path = "examples/**"

[[ignore]]
code = "NOPE001"
reason = "x"
colour = "red"

[[ignore]]
code = "DOW001"
reason = "   "
"#;
    insta::assert_snapshot!(errors(text), @r#"
    perimeter.toml:1:1: unknown key `fail_on` (expected `fail-on`, `exclude`, `rules` or `[[ignore]]`)
    perimeter.toml:2:11: unknown severity `urgent` (expected critical, high, medium, low or info)
    perimeter.toml:3:21: invalid glob `bad/[x`: unclosed character class; missing ']'
    perimeter.toml:6:1: unknown rule code `AUTH009`
    perimeter.toml:7:11: expected "off", "on" or { severity = "…" }, found "disabled"
    perimeter.toml:8:30: unknown key `level` in a rule setting (expected `severity` or `enabled`)
    perimeter.toml:9:10: expected "off", "on" or { severity = "…" }, found an integer
    perimeter.toml:11:1: [[ignore]] needs a `reason`: say why this finding is ignored
    perimeter.toml:16:8: unknown rule code `NOPE001`
    perimeter.toml:18:1: unknown key `colour` in [[ignore]] (expected `code`, `path`, `resource` or `reason`)
    perimeter.toml:22:10: `reason` is empty: say why this finding is ignored
    "#);
}

#[test]
fn wrong_types_are_reported() {
    let out = errors("exclude = \"tests/**\"\nrules = 1\nignore = [1]\n");
    assert!(
        out.contains("perimeter.toml:1:11: `exclude` must be an array, found a string"),
        "{out}"
    );
    assert!(
        out.contains("perimeter.toml:2:9: [rules] must be a table, found an integer"),
        "{out}"
    );
    assert!(
        out.contains("perimeter.toml:3:11: an [[ignore]] entry must be a table, found an integer"),
        "{out}"
    );
}

#[test]
fn load_and_discover() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(
        Config::discover(dir.path(), CODES)
            .expect("no file is fine")
            .is_none()
    );
    std::fs::write(dir.path().join("perimeter.toml"), "fail-on = \"medium\"\n").expect("write");
    let config = Config::discover(dir.path(), CODES)
        .expect("valid")
        .expect("found");
    assert_eq!(config.fail_on, Some(Severity::Medium));
    assert_eq!(config.source, "perimeter.toml");

    let missing =
        Config::load(&dir.path().join("other.toml"), "other.toml", CODES).expect_err("missing");
    assert!(matches!(missing, ConfigError::Io { .. }));
    assert!(missing.to_string().starts_with("other.toml: "));

    let big = dir.path().join("big.toml");
    std::fs::write(&big, "#".repeat(2 * 1024 * 1024)).expect("write");
    assert!(matches!(
        Config::load(&big, "big.toml", CODES),
        Err(ConfigError::TooLarge { .. })
    ));
}
