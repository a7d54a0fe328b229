//! What a secret's *name* looks like: variable, key and property names are split into words
//! (`DB_PASSWORD`, `stripeApiKey`, `client-secret`) and judged by their words, so
//! `*_SECRET_ARN`, `*_SECRET_NAME`, `*_TABLE` and `TOKEN_URL` name where a secret is kept, not
//! the secret.

use crate::shape::{is_placeholder, is_reference};

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
