//! The generic detector: a literal assigned to a secret-looking name.
//!
//! The automaton reports a keyword (`password`, `secret`, `token`, `key`, …); this module
//! widens it to the whole key name (`DB_PASSWORD`, `"apiKey"`, `client-secret`,
//! `config.jwtSecret`), judges the name by its words ([`crate::names::secret_like_name`]), then
//! reads what is assigned to it on the same line: `=`, `:`, `:=`, `=>`, `<name>…</name>`.
//! In source code only quoted literals count (`password = get_password()` is no secret); in
//! configuration files (`.env`, YAML, INI, properties, shell) bare values count too.
//!
//! The value must be a plausible secret: not a placeholder or reference, no whitespace, no
//! template syntax, not a URL, path, number or identifier-like label (`"password_reset"`),
//! and random enough for its name: a name that says *password* accepts a human-chosen value
//! (low confidence), other names want entropy (medium).

use crate::names::{aws_secret_key_name, name_words, secret_like_name};
use crate::paths::FileKind;
use crate::shape::{
    is_encoded_text, is_placeholder, is_reference, is_uuid, looks_like_aws_secret_key,
    shannon_entropy,
};
use perimeter_model::Confidence;

/// A generic finding: the value's byte span and how it was judged.
#[derive(Debug, Clone)]
pub(crate) struct GenericHit {
    pub start: usize,
    pub end: usize,
    pub id: &'static str,
    pub description: String,
    pub confidence: Confidence,
}

/// Longest key name considered.
const MAX_NAME: usize = 96;
/// Longest value considered.
const MAX_VALUE: usize = 512;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Judges the key name around the keyword at `kw_start..kw_end` of the line
/// `line_start..line_end`. `done` is the end of the last name judged, so one name holding
/// several keywords (`SECRET_KEY`) is judged once.
pub(crate) fn at_keyword(
    bytes: &[u8],
    kw_start: usize,
    kw_end: usize,
    line_start: usize,
    line_end: usize,
    kind: FileKind,
    done: &mut usize,
) -> Option<GenericHit> {
    let mut s = kw_start;
    while s > line_start && kw_start - s < MAX_NAME && is_name_byte(bytes[s - 1]) {
        s -= 1;
    }
    let mut e = kw_end;
    while e < line_end && e - kw_end < MAX_NAME && is_name_byte(bytes[e]) {
        e += 1;
    }
    if e <= *done {
        return None;
    }
    *done = e;
    // Part of an ARN, URL path or expression (`…:secret:name`, `/token/`), not a key name.
    if s > line_start && b":/@*!|\\^~=#%+".contains(&bytes[s - 1]) {
        return None;
    }
    // The assignment is checked before the name's words: most keyword hits are not keys.
    let (value_start, value_end) = assigned_value(bytes, s, e, line_start, line_end, kind)?;
    let name = std::str::from_utf8(&bytes[s..e])
        .ok()?
        .trim_matches(['.', '-']);
    let words = name_words(name);
    let authorization = words.last().is_some_and(|w| w == "AUTHORIZATION");
    let named = authorization || (secret_like_name(name) && secret_word_last(&words));
    if !named {
        return None;
    }
    let raw = std::str::from_utf8(&bytes[value_start..value_end]).ok()?;
    let (value, offset) = strip_scheme(raw);
    if authorization && offset == 0 {
        return None;
    }
    judge(name, &words, value, kind).map(|(id, description, confidence)| GenericHit {
        start: value_start + offset,
        end: value_start + offset + value.len(),
        id,
        description,
        confidence,
    })
}

/// Words after the secret word that still name the secret itself (`passwordValue`,
/// `API_KEY_PROD`); any other last word names something about it (`ApiKeySelectionExpression`).
const VALUE_SUFFIXES: &[&str] = &[
    "VALUE",
    "STRING",
    "STR",
    "TEXT",
    "PLAIN",
    "RAW",
    "B64",
    "BASE64",
    "HEX",
    "PROD",
    "PRODUCTION",
    "DEV",
    "LIVE",
    "STAGING",
    "STAGE",
    "PRIMARY",
    "SECONDARY",
    "OVERRIDE",
    "DEFAULT",
];

/// Qualifiers that make a token a protocol value, not a credential (`nextToken`,
/// `ClientRequestToken`, `ContinuationToken`).
const NON_SECRET_TOKENS: &[&str] = &[
    "NEXT",
    "CONTINUATION",
    "PAGE",
    "PAGINATION",
    "REQUEST",
    "ROTATION",
    "IDEMPOTENCY",
    "CANCEL",
    "CANCELLATION",
    "RESUME",
    "SYNC",
    "SOURCE",
    "CSRF",
    "XSRF",
    "STATE",
    "NONCE",
    "MARKER",
    "CURSOR",
    "TASK",
    "RECEIPT",
    "SKIP",
    "START",
    "END",
    "LAST",
];

/// The secret word (or a qualified `KEY`) ends the name, but for value suffixes and digits.
fn secret_word_last(words: &[String]) -> bool {
    let core: Vec<&String> = {
        let mut end = words.len();
        while end > 1
            && (VALUE_SUFFIXES.contains(&words[end - 1].as_str())
                || words[end - 1].bytes().all(|b| b.is_ascii_digit()))
        {
            end -= 1;
        }
        words[..end].iter().collect()
    };
    let Some(last) = core.last() else {
        return false;
    };
    if last.as_str() == "TOKEN" && core.iter().any(|w| NON_SECRET_TOKENS.contains(&w.as_str())) {
        return false;
    }
    secret_like_name(last)
        || (last.as_str() == "KEY"
            && core.len() > 1
            && secret_like_name(&format!("{}_KEY", core[core.len() - 2])))
}

/// `Bearer xyz` / `Basic xyz` / `Token xyz` → `xyz` and its offset.
fn strip_scheme(raw: &str) -> (&str, usize) {
    for prefix in ["Bearer ", "Basic ", "Token ", "bearer ", "token "] {
        if let Some(rest) = raw.strip_prefix(prefix) {
            let rest_t = rest.trim_start();
            return (rest_t, raw.len() - rest_t.len());
        }
    }
    (raw, 0)
}

/// The span of the literal assigned to the name at `s..e`, if any.
fn assigned_value(
    bytes: &[u8],
    s: usize,
    e: usize,
    line_start: usize,
    line_end: usize,
    kind: FileKind,
) -> Option<(usize, usize)> {
    let at = |i: usize| if i < line_end { bytes[i] } else { b'\n' };
    let before = if s > line_start { bytes[s - 1] } else { b'\n' };
    let mut j = e;
    // `<password>value</password>`
    if before == b'<' && at(j) == b'>' {
        let start = j + 1;
        let len = bytes[start..line_end].iter().position(|&b| b == b'<')?;
        return non_empty(start, start + len);
    }
    if is_quote(before) && at(j) == before {
        j += 1;
    }
    if at(j) == b']' {
        j += 1;
    }
    while matches!(at(j), b' ' | b'\t') {
        j += 1;
    }
    match (at(j), at(j + 1)) {
        (b':', b'=') | (b'=', b'>') | (b'?', b'=') => j += 2,
        (b'=', b'=') | (b'=', b'~') | (b':', b':') => return None,
        (b'=', _) => j += 1,
        (b':', _) => {
            j += 1;
            // A type annotation (`password: str = "…"`) leads to the real assignment.
            if kind == FileKind::Code {
                let mut k = j;
                while matches!(at(k), b' ' | b'\t') {
                    k += 1;
                }
                if at(k).is_ascii_alphabetic() {
                    while at(k).is_ascii_alphanumeric()
                        || matches!(
                            at(k),
                            b'_' | b'.' | b'[' | b']' | b'|' | b' ' | b'<' | b'>' | b','
                        )
                    {
                        k += 1;
                    }
                    if at(k) == b'=' && at(k + 1) != b'=' {
                        j = k + 1;
                    }
                }
            }
        }
        _ => return None,
    }
    while matches!(at(j), b' ' | b'\t') {
        j += 1;
    }
    // String prefixes: Python f/b/r/u, C# verbatim.
    if matches!(
        at(j),
        b'f' | b'b' | b'r' | b'u' | b'F' | b'B' | b'R' | b'U' | b'@'
    ) && is_quote(at(j + 1))
    {
        j += 1;
    }
    let first = at(j);
    if is_quote(first) {
        let start = j + 1;
        let mut k = start;
        while k < line_end && k - start <= MAX_VALUE {
            match bytes[k] {
                b'\\' => k += 2,
                b if b == first => return non_empty(start, k),
                _ => k += 1,
            }
        }
        return None;
    }
    if kind == FileKind::Code {
        return None;
    }
    if matches!(
        first,
        b'\n'
            | b'\r'
            | b'!'
            | b'$'
            | b'&'
            | b'*'
            | b'['
            | b'{'
            | b'%'
            | b'@'
            | b'('
            | b'<'
            | b'|'
            | b'>'
            | b'#'
    ) {
        return None;
    }
    let start = j;
    let mut k = start;
    while k < line_end && !matches!(bytes[k], b' ' | b'\t' | b'\r') && k - start <= MAX_VALUE {
        k += 1;
    }
    let mut end = k;
    while end > start && matches!(bytes[end - 1], b',' | b';') {
        end -= 1;
    }
    non_empty(start, end)
}

fn non_empty(start: usize, end: usize) -> Option<(usize, usize)> {
    (end > start).then_some((start, end))
}

/// Words in a value that make it a label or a lookup key rather than the secret.
const LABEL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "bearer",
];

/// Decides whether `value` assigned to `name` is reported, as what and how surely.
fn judge(
    name: &str,
    words: &[String],
    value: &str,
    kind: FileKind,
) -> Option<(&'static str, String, Confidence)> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let len = value.chars().count();
    if !(6..=MAX_VALUE).contains(&len)
        || value.contains(char::is_whitespace)
        || is_placeholder(value)
        || is_reference(value)
        || value.contains("://")
        || value.contains(['{', '}', '`', '\\'])
        || value.starts_with('$')
        || value.contains("$(")
        || value.contains("%s")
        || value.starts_with("./")
        || value.starts_with("~/")
        || value
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '_')
        || looks_like_file(value)
        || value.ends_with("...")
        || value.contains(['(', ')', ','])
        || value.contains("::")
        || value.to_ascii_lowercase().contains("arn:")
        || value.matches(':').count() >= 2
        || dotted_identifier(value)
        || aws_unique_id(value)
    {
        return None;
    }
    if aws_secret_key_name(name) && looks_like_aws_secret_key(value) {
        return Some((
            "aws-secret-access-key",
            "AWS secret access key".into(),
            Confidence::High,
        ));
    }
    if is_uuid(value) || uuid_like(value) {
        return (has("HEROKU") && is_uuid(value))
            .then(|| ("heroku-api-key", "Heroku API key".into(), Confidence::High));
    }
    let hex32 = value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit());
    if has("TWILIO") && hex32 {
        return Some((
            "twilio-auth-token",
            "Twilio auth token".into(),
            Confidence::High,
        ));
    }
    let lower = value.to_ascii_lowercase();
    let jwt = has("JWT") || ((has("SIGNING") || has("HMAC")) && (has("SECRET") || has("KEY")));
    if !jwt && LABEL_WORDS.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let entropy = shannon_entropy(value);
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    // Base64 of readable text (`bXlQYXNzd29yZA==`) is an encoded word, not key material.
    let random = len >= 12
        && entropy >= 3.3
        && classes >= 2
        && !is_encoded_text(value)
        && !padded_text(value);
    // Identifier-like words (`password_reset`, `x-api-key`, `myApp`) are labels, not secrets.
    let separators = value
        .bytes()
        .filter(|b| matches!(b, b'_' | b'-' | b'.'))
        .count();
    let wordy = !value.bytes().any(|b| b.is_ascii_digit())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'))
        && (entropy < 3.6 || separators >= 2);
    let password =
        has("PASSWORD") || has("PASSWD") || has("PWD") || has("PASS") || has("PASSPHRASE");
    let documentation = kind == FileKind::Docs;
    if jwt {
        let confidence = if random {
            Confidence::High
        } else {
            Confidence::Medium
        };
        return Some((
            "jwt-secret",
            format!("JWT signing secret assigned to `{name}`"),
            confidence,
        ));
    }
    if password {
        if wordy && documentation {
            return None;
        }
        let confidence = if random {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        return Some((
            "password-assignment",
            format!("hard-coded password assigned to `{name}`"),
            confidence,
        ));
    }
    if wordy {
        return None;
    }
    let confidence = if random {
        Confidence::Medium
    } else if len >= 8 && entropy >= 2.8 && classes >= 2 {
        Confidence::Low
    } else {
        return None;
    };
    Some((
        "generic-assignment",
        format!("secret assigned to `{name}`"),
        confidence,
    ))
}

/// `Api.RouteSelectionExpression`, `amzn1.ask.skill.…`, `aws_iam_role.x.arn`: two dots or
/// more between short segments.
fn dotted_identifier(value: &str) -> bool {
    value.matches('.').count() >= 2 && value.split('.').any(|seg| seg.len() < 16)
}

/// AWS unique ids (`AIDA…`, `AROA…`, `ARIA…`): identifiers, not keys.
fn aws_unique_id(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 20
        && b[0] == b'A'
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The 8-4-4-4-12 shape of a UUID, whatever the characters.
fn uuid_like(value: &str) -> bool {
    let parts: Vec<usize> = value.split('-').map(str::len).collect();
    parts == [8, 4, 4, 4, 12]
}

/// Padded base64 of a short readable word (`bXlQYXNzd29yZA==` is `myPassword`), too short
/// for [`is_encoded_text`].
fn padded_text(value: &str) -> bool {
    if !value.ends_with('=') || !value.len().is_multiple_of(4) {
        return false;
    }
    let bytes = crate::detectors::decode_base64url(value.trim_end_matches('=').as_bytes());
    !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
}

fn looks_like_file(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    [
        ".pem",
        ".key",
        ".json",
        ".txt",
        ".p12",
        ".pfx",
        ".crt",
        ".cer",
        ".yaml",
        ".yml",
        ".env",
        ".js",
        ".py",
        ".ts",
        ".html",
        ".jks",
        ".keystore",
        ".png",
        ".csv",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}
