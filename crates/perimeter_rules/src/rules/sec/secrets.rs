//! The secret detection engine: what a secret looks like, by value and by name, and how to
//! show one without leaking it.
//!
//! Value shapes are one [`RegexSet`] over vendor token formats (AWS access key ids, PEM
//! private keys, GitHub, GitLab, Slack, Stripe, Google, Twilio, SendGrid, npm, OpenAI-style,
//! Shopify, Mailgun, Azure storage keys, JWTs, credentials in URLs), built once. A value that
//! matches none is tested for the shape of a generic random token: one word of 20 or more
//! characters from a token alphabet, with digits, upper- and lower-case letters mixed, and a
//! Shannon entropy of at least [`ENTROPY_BITS`] bits per character (hex strings: 32 or more
//! characters and [`HEX_ENTROPY_BITS`]). Placeholders (`changeme`, `<…>`, `${…}`, `xxx`,
//! `example`) and references to a secret store (`{{resolve:secretsmanager:…}}`,
//! `{{resolve:ssm-secure:…}}`, `${ssm:…}`, Secrets Manager and SSM ARNs, parameter paths) are
//! never secrets. Names are split into words (`DB_PASSWORD`, `stripeApiKey`) and judged
//! by their words: `*_SECRET_ARN`, `*_SECRET_NAME`, `*_TABLE`, `TOKEN_URL` name where a
//! secret is, not the secret.
//!
//! [`redact`] is the one way reports show a secret: at most its first four characters and
//! its length.

use regex::{Regex, RegexSet};
use std::sync::LazyLock;

/// What kind of secret a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    PrivateKey,
    GitHubToken,
    GitLabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    GoogleApiKey,
    TwilioApiKey,
    SendGridKey,
    NpmToken,
    OpenAiKey,
    ShopifyToken,
    MailgunKey,
    AzureStorageKey,
    Jwt,
    UrlCredentials,
    /// A generic random-looking token.
    HighEntropy,
}

impl SecretKind {
    /// Human label for messages.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::AwsSecretAccessKey => "an AWS secret access key",
            SecretKind::PrivateKey => "a PEM private key",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::GitLabToken => "a GitLab token",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::SlackWebhook => "a Slack webhook URL",
            SecretKind::StripeKey => "a Stripe secret key",
            SecretKind::GoogleApiKey => "a Google API key",
            SecretKind::TwilioApiKey => "a Twilio API key",
            SecretKind::SendGridKey => "a SendGrid API key",
            SecretKind::NpmToken => "an npm token",
            SecretKind::OpenAiKey => "an OpenAI-style API key",
            SecretKind::ShopifyToken => "a Shopify access token",
            SecretKind::MailgunKey => "a Mailgun API key",
            SecretKind::AzureStorageKey => "an Azure storage account key",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::UrlCredentials => "a password in a URL",
            SecretKind::HighEntropy => "a random-looking token",
        }
    }
}

/// A secret found in a value: its kind and its byte span in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueMatch {
    pub kind: SecretKind,
    pub start: usize,
    pub end: usize,
}

impl ValueMatch {
    /// The secret's text within `value`.
    pub fn text<'v>(&self, value: &'v str) -> &'v str {
        value.get(self.start..self.end).unwrap_or("")
    }
}

/// Minimum Shannon entropy (bits per character) of a generic token.
pub const ENTROPY_BITS: f64 = 3.7;
/// Minimum Shannon entropy of a hex-only generic token (at most 4 bits are possible).
pub const HEX_ENTROPY_BITS: f64 = 3.3;
/// Shortest generic token considered.
pub const MIN_TOKEN_LEN: usize = 20;

/// Patterns in priority order; the lowest index that matches wins. For `UrlCredentials` the
/// first capture group is the password.
const PATTERNS: &[(SecretKind, &str)] = &[
    (
        SecretKind::PrivateKey,
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
    ),
    (SecretKind::AwsAccessKeyId, r"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b"),
    (
        SecretKind::GitHubToken,
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b",
    ),
    (SecretKind::GitLabToken, r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    (
        SecretKind::SlackWebhook,
        r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}",
    ),
    (SecretKind::SlackToken, r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    (
        SecretKind::StripeKey,
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
    ),
    (SecretKind::GoogleApiKey, r"\bAIza[0-9A-Za-z_\-]{35}"),
    (
        SecretKind::SendGridKey,
        r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
    ),
    (SecretKind::NpmToken, r"\bnpm_[A-Za-z0-9]{36}\b"),
    (
        SecretKind::OpenAiKey,
        r"\bsk-(?:proj-|ant-[a-z0-9]+-|svcacct-)?[A-Za-z0-9_\-]{32,}",
    ),
    (
        SecretKind::ShopifyToken,
        r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
    ),
    (SecretKind::TwilioApiKey, r"\bSK[0-9a-fA-F]{32}\b"),
    (SecretKind::MailgunKey, r"\bkey-[0-9a-f]{32}\b"),
    (
        SecretKind::AzureStorageKey,
        r"AccountKey=[A-Za-z0-9+/]{80,}={0,2}",
    ),
    (
        SecretKind::Jwt,
        r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
    ),
    (
        SecretKind::UrlCredentials,
        r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@]{1,128}:([^\s/@]{1,256})@",
    ),
];

struct Engine {
    set: RegexSet,
    each: Vec<Regex>,
}

static ENGINE: LazyLock<Option<Engine>> = LazyLock::new(|| {
    // The patterns are constants tested below; `None` keeps a library from panicking anyway.
    let set = RegexSet::new(PATTERNS.iter().map(|(_, p)| *p)).ok()?;
    let each = PATTERNS
        .iter()
        .map(|(_, p)| Regex::new(p))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some(Engine { set, each })
});

static AWS_SECRET_SHAPE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9/+]{40}$").ok());

/// The strongest secret shape in `value`: a vendor format first, else a generic random token.
/// Placeholders and references give `None`.
pub fn scan_value(value: &str) -> Option<ValueMatch> {
    let value_t = value.trim();
    if value_t.is_empty() || is_placeholder(value_t) || is_reference(value_t) {
        return None;
    }
    if let Some(engine) = ENGINE.as_ref() {
        // The set tells which patterns match in one pass; only the winner is run again for
        // its span.
        if let Some(index) = engine.set.matches(value).iter().next() {
            let kind = PATTERNS[index].0;
            let caps = engine.each[index].captures(value)?;
            let m = if kind == SecretKind::UrlCredentials {
                caps.get(1)?
            } else {
                caps.get(0)?
            };
            if kind == SecretKind::UrlCredentials
                && (is_placeholder(m.as_str()) || m.as_str().starts_with('$'))
            {
                return None;
            }
            // A PEM block is one secret from its header to its end: redact all of it.
            if kind == SecretKind::PrivateKey {
                let start = value.find(value_t).unwrap_or(0);
                return Some(ValueMatch {
                    kind,
                    start,
                    end: start + value_t.len(),
                });
            }
            return Some(ValueMatch {
                kind,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    if looks_random(value_t) {
        let start = value.find(value_t).unwrap_or(0);
        return Some(ValueMatch {
            kind: SecretKind::HighEntropy,
            start,
            end: start + value_t.len(),
        });
    }
    None
}

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
fn looks_random(v: &str) -> bool {
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
fn is_encoded_text(v: &str) -> bool {
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
fn looks_mixed(v: &str) -> bool {
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
fn mostly_words(v: &str) -> bool {
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

fn is_uuid(v: &str) -> bool {
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

/// Words that make a variable name a secret's name.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "APIKEY",
    "PRIVATEKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "CLIENTSECRET",
    "SECRETKEY",
    "ACCESSTOKEN",
    "AUTHTOKEN",
];

/// Qualifiers that make `KEY` a secret (`API_KEY`, `SIGNING_KEY`) rather than a lookup key
/// (`PARTITION_KEY`, `S3_KEY`, `KMS_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "PRIVATE",
    "ACCESS",
    "SECRET",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "AUTH",
    "APP",
    "CLIENT",
    "LICENSE",
    "SERVICE",
    "ADMIN",
    "SUBSCRIPTION",
    "WRITE",
    "SESSION",
    "JWT",
    "HMAC",
    "AES",
    "RSA",
    "SSH",
    "PGP",
    "GPG",
    "WEBHOOK",
    "STRIPE",
    "SENDGRID",
    "TWILIO",
    "MAILGUN",
    "OPENAI",
    "GOOGLE",
    "MAPS",
    "RECAPTCHA",
    "ALGOLIA",
    "SEGMENT",
    "MAILCHIMP",
    "PUSHER",
    "FIREBASE",
    "SLACK",
    "GITHUB",
];

/// Last words that make the name a pointer to a secret, or a property of one.
const REFERENCE_SUFFIXES: &[&str] = &[
    "ARN",
    "NAME",
    "ID",
    "IDS",
    "PARAM",
    "PARAMETER",
    "PARAMS",
    "PATH",
    "TABLE",
    "BUCKET",
    "QUEUE",
    "TOPIC",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "REGION",
    "FILE",
    "LOCATION",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "EXPIRES",
    "LENGTH",
    "LEN",
    "HEADER",
    "FIELD",
    "TYPE",
    "ALGORITHM",
    "ALG",
    "VERSION",
    "KMS",
    "ROTATION",
    "ENABLED",
    "DISABLED",
    "POOL",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "DURATION",
    "LIFETIME",
    "TIMEOUT",
    "COUNT",
    "LIMIT",
    "POLICY",
    "ROLE",
    "PREFIX",
    "SUFFIX",
    "INDEX",
    "STREAM",
    "REF",
    "STORE",
    "PROVIDER",
    "MODE",
    "FORMAT",
    "SIZE",
    "COOKIE",
    "KEYID",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "AGE",
    "PORT",
    "USER",
    "USERNAME",
    "LOGIN",
    "EMAIL",
    "METHOD",
    "DIR",
    "FOLDER",
    "KEYNAME",
    "SECRETNAME",
    "SECRETARN",
    "ENV",
];

/// Words anywhere in the name that make it a reference or a public value.
const REFERENCE_WORDS: &[&str] = &["ARN", "SSM", "PARAM", "PARAMETER", "PUBLIC", "PUBLISHABLE"];

/// Splits a variable name into upper-case words: `DB_PASSWORD` → `DB`, `PASSWORD`;
/// `stripeApiKey` → `STRIPE`, `API`, `KEY`.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev = None;
            continue;
        }
        let boundary = matches!(prev, Some(p) if p.is_ascii_lowercase() && c.is_ascii_uppercase());
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_uppercase());
        prev = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `true` when the variable's name says it holds a secret (`DB_PASSWORD`, `STRIPE_API_KEY`,
/// `jwtSecret`), and not where one is kept (`DB_PASSWORD_SECRET_ARN`, `API_KEY_NAME`,
/// `TOKEN_URL`, `TOKENS_TABLE`).
pub fn secret_like_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if REFERENCE_SUFFIXES.contains(&last.as_str())
        || words.iter().any(|w| REFERENCE_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    // Plural table-ish names (`TOKENS`) and counts are not secrets either.
    if last == "TOKENS" {
        return false;
    }
    words.iter().enumerate().any(|(i, w)| {
        SECRET_WORDS.contains(&w.as_str())
            || (w == "KEY" && i > 0 && KEY_QUALIFIERS.contains(&words[i - 1].as_str()))
    })
}

/// `true` for a name that says it holds an AWS secret access key.
pub fn aws_secret_key_name(name: &str) -> bool {
    let words = name_words(name);
    let joined = words.join("_");
    joined.contains("SECRET_ACCESS_KEY")
        || (words.iter().any(|w| w == "AWS") && words.iter().any(|w| w == "SECRET"))
}

/// `true` when a literal under a secret-like name is worth reporting: not a placeholder, not
/// a reference, long enough, one word, not a plain URL, number or boolean.
pub fn literal_secret_candidate(value: &str) -> bool {
    let v = value.trim();
    v.chars().count() >= 6
        && !v.contains(char::is_whitespace)
        && !is_placeholder(v)
        && !is_reference(v)
        && !v.starts_with("http://")
        && !v.starts_with("https://")
        && !v
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
}

/// Shows a secret without leaking it: at most its first four characters (fewer for short
/// values: two under 16 characters, none under 8) and its length, e.g. `AKIA… (20 chars)`.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = match n {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    };
    let head: String = secret.chars().take(shown).collect();
    format!("{head}… ({n} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(v: &str) -> Option<SecretKind> {
        scan_value(v).map(|m| m.kind)
    }

    #[test]
    fn engine_compiles() {
        assert!(ENGINE.is_some());
        assert!(AWS_SECRET_SHAPE.is_some());
    }

    #[test]
    fn vendor_shapes() {
        // Test tokens assembled at run time so that secret scanners do not flag this file.
        let gh = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
        let cases: Vec<(String, SecretKind)> = vec![
            ("AKIA2OGYBAH6RHVLZ4QP".into(), SecretKind::AwsAccessKeyId),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...".into(), SecretKind::PrivateKey),
            (gh, SecretKind::GitHubToken),
            (format!("xoxb-{}-{}", "2342342342", "Zk3jH8sLq9"), SecretKind::SlackToken),
            (format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc"), SecretKind::StripeKey),
            (format!("AIza{}", "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"), SecretKind::GoogleApiKey),
            (format!("SG.{}.{}", "ngeVfQFYQlKU0ufo8x5d1A", "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"), SecretKind::SendGridKey),
            (format!("npm_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"), SecretKind::NpmToken),
            (format!("sk-proj-{}", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"), SecretKind::OpenAiKey),
            (format!("SK{}", "0123456789abcdef0123456789abcdef"), SecretKind::TwilioApiKey),
            ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U".into(), SecretKind::Jwt),
            ("postgres://app:S3cr3tPassw0rd@db.internal:5432/app".into(), SecretKind::UrlCredentials),
            ("Zx8Qp2Lm5Vt9Rk3Wn7Yb4Hc6Jd1Fg0".into(), SecretKind::HighEntropy),
            ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(), SecretKind::HighEntropy),
        ];
        for (value, want) in &cases {
            assert_eq!(kind(value), Some(*want), "{value}");
        }
    }

    #[test]
    fn spans_point_at_the_secret() {
        let v = "mysql://root:hunter22x@localhost/db";
        let m = scan_value(v).unwrap();
        assert_eq!(m.text(v), "hunter22x");
    }

    #[test]
    fn not_secrets() {
        for v in [
            "",
            "changeme",
            "AKIAIOSFODNN7EXAMPLE",
            "<your-api-key>",
            "${ssm:/prod/db/password}",
            "${env:API_KEY}",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            "{{resolve:ssm-secure:/prod/token}}",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "arn:aws:ssm:us-east-1:123456789012:parameter/prod/key",
            "/myapp/prod/db-password",
            "my-service-production-orders-table",
            "MyStackName2ProductionOrdersTable",
            "550e8400-e29b-41d4-a716-446655440000",
            "https://api.example.com/v1/token",
            "postgres://app:${DB_PASSWORD}@db/app",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "us-east-1",
            "1234567890123456789012",
            "DB_PASSWORD_FROM_VAULT",
        ] {
            assert_eq!(kind(v), None, "{v}");
        }
    }

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "PASSWORD",
            "JWT_SECRET",
            "jwtSecret",
            "API_KEY",
            "stripeApiKey",
            "GITHUB_TOKEN",
            "AUTH_TOKEN",
            "CLIENT_SECRET",
            "PRIVATE_KEY",
            "SECRET_KEY",
            "DB_PASS",
            "SLACK_WEBHOOK_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "SENDGRID_API_KEY",
            "ENCRYPTION_KEY",
            "MYSQL_PWD",
            "apiKey",
        ] {
            assert!(secret_like_name(n), "{n}");
        }
        for n in [
            "DB_PASSWORD_SECRET_ARN",
            "SECRET_NAME",
            "API_KEY_NAME",
            "TOKENS_TABLE",
            "TOKEN_URL",
            "TOKEN_TABLE",
            "PARTITION_KEY",
            "S3_KEY",
            "KMS_KEY",
            "KMS_KEY_ID",
            "API_KEY_ID",
            "SECRET_ARN",
            "DB_PASSWORD_PARAM",
            "PASSWORD_MIN_LENGTH",
            "TOKEN_TTL",
            "STRIPE_PUBLISHABLE_KEY",
            "RECAPTCHA_PUBLIC_KEY",
            "BUCKET",
            "TABLE_NAME",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_ENDPOINT",
            "PASSTHROUGH",
            "OBJECT_KEY",
            "SSM_SECRET_PATH",
            "SECRETS_EXTENSION_HTTP_PORT",
            "USER_POOL_CLIENT_ID",
        ] {
            assert!(!secret_like_name(n), "{n}");
        }
        assert_eq!(name_words("stripeApiKey"), vec!["STRIPE", "API", "KEY"]);
        assert!(aws_secret_key_name("AWS_SECRET_ACCESS_KEY") && aws_secret_key_name("awsSecret"));
    }

    #[test]
    fn literals_under_secret_names() {
        assert!(literal_secret_candidate("hunter2hunter2"));
        assert!(literal_secret_candidate("my-jwt-signing-secret"));
        for v in [
            "",
            "abc",
            "changeme",
            "${ssm:/x}",
            "https://x.y/z",
            "3600",
            "a b c d e f",
            "true",
            "MY_OTHER_VAR",
        ] {
            assert!(!literal_secret_candidate(v), "{v}");
        }
    }

    #[test]
    fn aws_secret_key_shape() {
        assert!(looks_like_aws_secret_key(
            "k7Rt2PqW9zXv4LmN8sYb3HcJ6dFg1QwEr5Ty0U/+"
        ));
        assert!(!looks_like_aws_secret_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
        assert!(!looks_like_aws_secret_key("short"));
    }

    #[test]
    fn redaction() {
        assert_eq!(redact("AKIA2OGYBAH6RHVLZ4QP"), "AKIA… (20 chars)");
        assert_eq!(redact("hunter22x"), "hu… (9 chars)");
        assert_eq!(redact("abc"), "… (3 chars)");
        assert_eq!(redact("ñandú-ñandú-ñandú"), "ñand… (17 chars)");
    }

    #[test]
    fn encoded_text_is_not_a_secret() {
        assert!(is_encoded_text("SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="));
        assert!(is_encoded_text("eyJrZXkiOiJ2YWx1ZSJ9"));
        assert!(!is_encoded_text("Zx8Qp2Lm5Vt9Rk3Wn7Yb4Hc6Jd1Fg0"));
        assert_eq!(kind("VGhpcyBpcyBvbmx5IGEgdGVzdC4="), None);
        assert_eq!(kind("MessageReceiptHandle-10"), None);
    }

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
