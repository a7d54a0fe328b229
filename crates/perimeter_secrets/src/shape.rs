//! What a secret's *value* looks like, independently of any provider: placeholders and
//! references (never secrets), Shannon entropy, and the shape of a generic random token.
//!
//! A generic random token is one word of 20 or more characters from a token alphabet, with
//! digits, upper- and lower-case letters mixed, and a Shannon entropy of at least
//! [`ENTROPY_BITS`] bits per character (hex strings: 32 or more characters and
//! [`HEX_ENTROPY_BITS`]), that is not base64 of printable text.

use regex::Regex;
use std::sync::LazyLock;

/// Minimum Shannon entropy (bits per character) of a generic token.
pub const ENTROPY_BITS: f64 = 3.7;
/// Minimum Shannon entropy of a hex-only generic token (at most 4 bits are possible).
pub const HEX_ENTROPY_BITS: f64 = 3.3;
/// Shortest generic token considered.
pub const MIN_TOKEN_LEN: usize = 20;

static AWS_SECRET_SHAPE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9/+]{40}$").ok());

/// `true` when `value` has the shape of an AWS secret access key (40 base64 characters).
/// Only meaningful next to an access key id or under an AWS secret-key name.
pub fn looks_like_aws_secret_key(value: &str) -> bool {
    let v = value.trim();
    AWS_SECRET_SHAPE.as_ref().is_some_and(|r| r.is_match(v)) && !is_placeholder(v) && looks_mixed(v)
}

/// Shannon entropy of `s` in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// A generic random token: one word of token characters, long enough, mixed, high entropy,
/// and not a UUID.
pub fn looks_random(v: &str) -> bool {
    let len = v.chars().count();
    if !(MIN_TOKEN_LEN..=512).contains(&len) {
        return false;
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
        || is_uuid(v)
    {
        return false;
    }
    let hex = v.chars().all(|c| c.is_ascii_hexdigit());
    if hex {
        let has_digit = v.chars().any(|c| c.is_ascii_digit());
        let has_alpha = v.chars().any(|c| c.is_ascii_alphabetic());
        return len >= 32 && has_digit && has_alpha && shannon_entropy(v) >= HEX_ENTROPY_BITS;
    }
    looks_mixed(v) && shannon_entropy(v) >= ENTROPY_BITS && !is_encoded_text(v)
}

/// `true` for hex-only values: hashes, commit ids and ETags look like this, so a hex token
/// counts as a secret only under a secret-like name.
pub fn is_hex(v: &str) -> bool {
    !v.is_empty() && v.trim().chars().all(|c| c.is_ascii_hexdigit())
}

/// `true` when `v` is base64 (standard or URL-safe) of mostly printable text: encoded data
/// (`SGVsbG8s…`, `eyJrZXkiOi…`), not key material.
pub fn is_encoded_text(v: &str) -> bool {
    let body = v.trim_end_matches('=');
    if body.len() < 16 || v.len() - body.len() > 2 {
        return false;
    }
    let mut bits = 0u32;
    let mut nbits = 0u32;
    let mut bytes = Vec::with_capacity(body.len() * 3 / 4);
    for c in body.bytes() {
        let val = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return false,
        };
        bits = (bits << 6) | u32::from(val);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            bytes.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    let printable = bytes
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    !bytes.is_empty() && printable * 100 >= bytes.len() * 95
}

/// Digits, upper and lower case letters, at least two of each, and no long run of lower-case
/// letters (words): random tokens rarely spell.
pub fn looks_mixed(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let upper = v.chars().filter(char::is_ascii_uppercase).count();
    let lower = v.chars().filter(char::is_ascii_lowercase).count();
    let mut run = 0usize;
    let mut longest = 0usize;
    for c in v.chars() {
        run = if c.is_ascii_lowercase() { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    digits >= 2 && upper >= 2 && lower >= 2 && longest < 8 && !mostly_words(v)
}

/// `true` when capitalised words (`Message`, `Receipt`) cover half the value or more: an
/// identifier such as `MessageReceiptHandle-10`, not random characters.
pub fn mostly_words(v: &str) -> bool {
    let chars: Vec<char> = v.chars().collect();
    let mut covered = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        if chars[i].is_ascii_uppercase() {
            let run = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
            if run >= 3 {
                covered += run + 1;
                i += run + 1;
                continue;
            }
        }
        i += 1;
    }
    covered * 2 >= chars.len()
}

pub fn is_uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Words that mark a value as a stand-in rather than a real secret.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "placeholder",
    "example",
    "xxxx",
    "todo",
    "fixme",
    "dummy",
    "sample",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "replace",
    "redacted",
    "insert",
    "****",
    "....",
    "<",
    ">",
    "${",
    "{{",
    "$(",
    "%(",
    "#{",
    "fake",
    "notreal",
    "not-a-secret",
];

/// Whole values that are stand-ins.
const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "secret",
    "token",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "test",
    "testing",
    "default",
    "empty",
    "unset",
    "pass",
    "admin",
    "key",
    "apikey",
    "api_key",
    "value",
    "string",
    "tbd",
    "abc123",
    "123456",
    "12345678",
    "qwerty",
    "foobar",
    "letmein",
    "na",
    "n/a",
];

/// `true` for placeholders: empty, stand-in words, templating, one repeated character.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
    {
        return true;
    }
    let mut chars = v.chars();
    let first = chars.next();
    chars.all(|c| Some(c) == first)
}

/// `true` for references to where a secret is kept, not the secret: dynamic references,
/// Serverless variables, Secrets Manager / SSM / KMS ARNs, SSM parameter paths, and
/// other variables' names.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    lower.starts_with("{{resolve:")
        || lower.starts_with("${ssm")
        || lower.starts_with("${secretsmanager")
        || lower.starts_with("arn:")
        || lower.starts_with("ssm:")
        || lower.starts_with("secretsmanager:")
        || lower.contains("/aws/reference/secretsmanager/")
        // An SSM parameter name or a file path.
        || (v.starts_with('/') && !v.contains(char::is_whitespace))
        // Another environment variable's name (`SECRET_VAR: DB_PASSWORD`).
        || (v.contains('_')
            && v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
}
