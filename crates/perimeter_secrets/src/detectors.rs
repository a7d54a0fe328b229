//! The provider detectors and the one automaton that finds them all.
//!
//! Every provider token starts with a literal (`AKIA`, `ghp_`, `xoxb-`, `-----BEGIN `, `://`,
//! …). One Aho-Corasick automaton (ASCII case-insensitive, leftmost-longest) holds all those
//! literals *and* the keywords of the generic detector (`password`, `secret`, `token`, `key`,
//! …) *and* context words (`twilio`, `service_account`), so a file is read once; each literal
//! hit is then verified by a small anchored regex on a bounded window after it (exact case,
//! exact length), which is what keeps the pass fast: the regexes never scan the file.
//!
//! A verified token is then checked for being a stand-in: documentation examples
//! (`AKIAIOSFODNN7EXAMPLE`, the jwt.io sample, Stripe's published test keys), placeholder words
//! (`example`, `xxxx`, `your-`, …), and bodies with too little entropy or a run of consecutive
//! characters (`ghp_1234567890abcdef…`). Those are **not reported**: a documentation example is
//! not a leak, and reporting it at any confidence teaches users to ignore the rule.

use crate::kind::SecretKind;
use crate::shape::{is_placeholder, shannon_entropy};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use perimeter_model::Confidence;
use regex::bytes::Regex;
use std::sync::LazyLock;

/// How a provider's literal relates to its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// The token starts with the literal.
    Start,
    /// The literal is `://`: the token starts at the URL scheme before it.
    Scheme,
    /// A PEM header: the token runs to the matching `-----END` line.
    Pem,
}

/// One provider detector.
pub(crate) struct Provider {
    pub kind: SecretKind,
    /// Detector id in [`perimeter_model::SecretHit::detector`].
    pub id: &'static str,
    pub description: &'static str,
    /// Literal prefixes, lower case (the automaton ignores ASCII case; the regex does not).
    pub literals: &'static [&'static str],
    /// Anchored at the token's start; when it has a capture group 1, that group is the secret.
    pub pattern: &'static str,
    pub confidence: Confidence,
    /// The byte before the token must not be a letter, digit or `_`.
    pub boundary: bool,
    /// The longest token, which bounds the window the regex sees.
    pub max_len: usize,
    pub anchor: Anchor,
}

const fn p(
    kind: SecretKind,
    id: &'static str,
    description: &'static str,
    literals: &'static [&'static str],
    pattern: &'static str,
    confidence: Confidence,
    max_len: usize,
) -> Provider {
    Provider {
        kind,
        id,
        description,
        literals,
        pattern,
        confidence,
        boundary: true,
        max_len,
        anchor: Anchor::Start,
    }
}

use Confidence::{High, Medium};

/// The providers, in priority order: when one value matches several, the first wins.
pub(crate) const PROVIDERS: &[Provider] = &[
    Provider {
        kind: SecretKind::PrivateKey,
        id: "private-key",
        description: "private key",
        literals: &["-----begin "],
        pattern: r"^-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 )?PRIVATE KEY(?: BLOCK)?-----",
        confidence: High,
        boundary: false,
        max_len: 64,
        anchor: Anchor::Pem,
    },
    p(
        SecretKind::AwsAccessKeyId,
        "aws-access-key-id",
        "AWS access key ID",
        &["akia", "asia", "abia", "acca"],
        r"^(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        High,
        21,
    ),
    p(
        SecretKind::GitHubToken,
        "github-token",
        "GitHub token",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        r"^(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b",
        High,
        300,
    ),
    p(
        SecretKind::GitLabToken,
        "gitlab-token",
        "GitLab token",
        &["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-"],
        r"^gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_\-]{20,64}",
        High,
        80,
    ),
    Provider {
        kind: SecretKind::SlackWebhook,
        id: "slack-webhook",
        description: "Slack incoming webhook URL",
        literals: &["hooks.slack.com/services/"],
        pattern: r"^hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{16,32}",
        confidence: High,
        boundary: false,
        max_len: 100,
        anchor: Anchor::Start,
    },
    p(
        SecretKind::SlackToken,
        "slack-token",
        "Slack token",
        &[
            "xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xapp-",
        ],
        r"^(?:xox[abposre]-[0-9]{6,}-[A-Za-z0-9-]{8,250}|xapp-[0-9]-[A-Za-z0-9-]{10,250})",
        High,
        260,
    ),
    p(
        SecretKind::StripeKey,
        "stripe-key",
        "Stripe secret key",
        &["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
        r"^[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}",
        High,
        260,
    ),
    p(
        SecretKind::GoogleApiKey,
        "google-api-key",
        "Google API key",
        &["aiza"],
        r"^AIza[0-9A-Za-z_\-]{35}",
        High,
        40,
    ),
    p(
        SecretKind::SendGridKey,
        "sendgrid-api-key",
        "SendGrid API key",
        &["sg."],
        r"^SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
        High,
        70,
    ),
    p(
        SecretKind::NpmToken,
        "npm-token",
        "npm access token",
        &["npm_"],
        r"^npm_[A-Za-z0-9]{36}\b",
        High,
        41,
    ),
    p(
        SecretKind::AnthropicKey,
        "anthropic-api-key",
        "Anthropic API key",
        &["sk-ant-"],
        r"^sk-ant-[a-z]{3,8}[0-9]{2}-[A-Za-z0-9_\-]{80,120}",
        High,
        140,
    ),
    p(
        SecretKind::OpenAiKey,
        "openai-api-key",
        "OpenAI API key",
        &["sk-"],
        r"^sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,200}",
        High,
        220,
    ),
    p(
        SecretKind::ShopifyToken,
        "shopify-token",
        "Shopify access token",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"^shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
        High,
        40,
    ),
    p(
        SecretKind::MailgunKey,
        "mailgun-api-key",
        "Mailgun API key",
        &["key-"],
        r"^key-[0-9a-f]{32}\b",
        Medium,
        37,
    ),
    Provider {
        kind: SecretKind::AzureStorageKey,
        id: "azure-storage-key",
        description: "Azure storage account key",
        literals: &["accountkey=", "sharedaccesskey="],
        pattern: r"^(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{43,88}={0,2})",
        confidence: High,
        boundary: false,
        max_len: 110,
        anchor: Anchor::Start,
    },
    p(
        SecretKind::PypiToken,
        "pypi-token",
        "PyPI upload token",
        &["pypi-ageichlwas5vcmc"],
        r"^pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
        High,
        400,
    ),
    p(
        SecretKind::DigitalOceanToken,
        "digitalocean-token",
        "DigitalOcean token",
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"^do[opr]_v1_[a-f0-9]{64}\b",
        High,
        72,
    ),
    p(
        SecretKind::HuggingFaceToken,
        "huggingface-token",
        "Hugging Face token",
        &["hf_"],
        r"^hf_[A-Za-z]{34}\b",
        High,
        38,
    ),
    p(
        SecretKind::PostmanKey,
        "postman-api-key",
        "Postman API key",
        &["pmak-"],
        r"^PMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
        High,
        64,
    ),
    p(
        SecretKind::SquareToken,
        "square-token",
        "Square access token",
        &["sq0atp-", "sq0csp-"],
        r"^sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43}",
        High,
        50,
    ),
    Provider {
        kind: SecretKind::DiscordWebhook,
        id: "discord-webhook",
        description: "Discord webhook URL",
        literals: &["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"],
        pattern: r"^discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68}",
        confidence: High,
        boundary: false,
        max_len: 120,
        anchor: Anchor::Start,
    },
    p(
        SecretKind::Jwt,
        "jwt",
        "JSON Web Token",
        &["eyj"],
        r"^eyJ[A-Za-z0-9_\-]{10,2000}\.eyJ[A-Za-z0-9_\-]{10,8000}\.[A-Za-z0-9_\-]{10,1000}",
        Medium,
        11000,
    ),
    Provider {
        kind: SecretKind::UrlCredentials,
        id: "url-credentials",
        description: "password in a URL",
        literals: &["://"],
        pattern: r"^([a-zA-Z][a-zA-Z0-9+.\-]{1,20})://([^\s:/@'`<>()\x22]{1,128}):([^\s/@'`<>\x22]{1,256})@([^\s/:?'`#<>\x22]{1,255})",
        confidence: High,
        boundary: false,
        max_len: 700,
        anchor: Anchor::Scheme,
    },
];

/// Words whose presence in a key name starts the generic detector.
pub(crate) const KEYWORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "key",
    "credential",
    "creds",
    "authorization",
];

/// What an automaton literal stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Provider(usize),
    Keyword,
    /// The file mentions Twilio: its 34-character keys are worth looking for.
    Twilio,
    /// The file is a Google Cloud service-account key file.
    ServiceAccount,
}

pub(crate) struct Automaton {
    pub ac: AhoCorasick,
    pub targets: Vec<Target>,
    regexes: Vec<Regex>,
    /// Twilio API keys and account SIDs (run only where the file says Twilio).
    pub twilio: Regex,
    /// A standalone 40-character AWS secret key (run only near an access key id).
    pub aws_secret: Regex,
}

pub(crate) static AUTOMATON: LazyLock<Option<Automaton>> = LazyLock::new(build);

fn build() -> Option<Automaton> {
    let mut literals: Vec<&str> = Vec::new();
    let mut targets = Vec::new();
    for (i, provider) in PROVIDERS.iter().enumerate() {
        for lit in provider.literals {
            literals.push(lit);
            targets.push(Target::Provider(i));
        }
    }
    for kw in KEYWORDS {
        literals.push(kw);
        targets.push(Target::Keyword);
    }
    literals.push("twilio");
    targets.push(Target::Twilio);
    literals.push("service_account");
    targets.push(Target::ServiceAccount);
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(&literals)
        .ok()?;
    let regexes = PROVIDERS
        .iter()
        .map(|p| Regex::new(&format!("(?-u){}", p.pattern)))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some(Automaton {
        ac,
        targets,
        regexes,
        twilio: Regex::new(r"(?-u)\b(?:SK|AC)[0-9a-fA-F]{32}\b").ok()?,
        aws_secret: Regex::new(
            r"(?-u)(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
        )
        .ok()?,
    })
}

/// A verified provider token.
#[derive(Debug, Clone)]
pub(crate) struct ProviderHit {
    /// The whole token (for URLs, the whole URL up to the host).
    pub token_start: usize,
    pub token_end: usize,
    /// The secret itself (the password of a URL, the key of a connection string).
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
    /// A more precise detector id than the provider's (`database-url`).
    pub id: &'static str,
    pub description: &'static str,
    /// The token has the provider's shape but is a documentation example or placeholder.
    pub example: bool,
}

/// Whether a PEM header must be followed by key material to count (files: yes, so code that
/// merely tests for the header is not reported; environment values: no).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    File,
    Value,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Verifies the literal of provider `index` found at `pos` in `bytes`.
pub(crate) fn verify(
    auto: &Automaton,
    index: usize,
    bytes: &[u8],
    pos: usize,
    mode: Mode,
) -> Option<ProviderHit> {
    verify_or_example(auto, index, bytes, pos, mode).ok()
}

/// Like [`verify`], but tells a token rejected as a documentation example or placeholder
/// (`Err(Some(end))`, its end offset: nothing else may report those bytes) from no token at
/// all (`Err(None)`).
pub(crate) fn verify_or_example(
    auto: &Automaton,
    index: usize,
    bytes: &[u8],
    pos: usize,
    mode: Mode,
) -> Result<ProviderHit, Option<usize>> {
    let hit = verify_inner(auto, index, bytes, pos, mode).ok_or(None)?;
    if hit.example {
        return Err(Some(hit.token_end));
    }
    Ok(hit)
}

fn verify_inner(
    auto: &Automaton,
    index: usize,
    bytes: &[u8],
    pos: usize,
    mode: Mode,
) -> Option<ProviderHit> {
    let provider = &PROVIDERS[index];
    let start = match provider.anchor {
        Anchor::Scheme => scheme_start(bytes, pos)?,
        _ => pos,
    };
    if provider.boundary && start > 0 && is_word(bytes[start - 1]) {
        return None;
    }
    let window = &bytes[start..bytes.len().min(start + provider.max_len)];
    let caps = auto.regexes[index].captures(window)?;
    let whole = caps.get(0)?;
    let mut hit = ProviderHit {
        token_start: start,
        token_end: start + whole.end(),
        start,
        end: start + whole.end(),
        confidence: provider.confidence,
        id: provider.id,
        description: provider.description,
        example: false,
    };
    match provider.kind {
        SecretKind::PrivateKey => {
            let end = pem_end(bytes, hit.end, mode)?;
            hit.token_end = end;
            hit.end = end;
            return Some(hit);
        }
        SecretKind::UrlCredentials => {
            let scheme = caps.get(1)?.as_bytes();
            let user = caps.get(2)?.as_bytes();
            let password = caps.get(3)?;
            let host = caps.get(4)?.as_bytes();
            if !url_password_is_real(user, password.as_bytes()) {
                return None;
            }
            hit.start = start + password.start();
            hit.end = start + password.end();
            if is_database_scheme(scheme) {
                hit.id = "database-url";
                hit.description = "database connection URL with a password";
            }
            if is_local_host(host) {
                hit.confidence = Confidence::Low;
            }
            return Some(hit);
        }
        _ => {}
    }
    if let Some(g) = caps.get(1) {
        hit.start = start + g.start();
        hit.end = start + g.end();
    }
    let token = &bytes[hit.token_start..hit.token_end];
    let text = std::str::from_utf8(token).ok()?;
    if is_example_token(provider.kind, text) {
        hit.example = true;
        return Some(hit);
    }
    match provider.kind {
        SecretKind::StripeKey if text.contains("_test_") => hit.confidence = Confidence::Low,
        SecretKind::OpenAiKey | SecretKind::HuggingFaceToken if !mixed_case_digits(text) => {
            return None;
        }
        SecretKind::Jwt if !jwt_header_ok(text) => return None,
        _ => {}
    }
    Some(hit)
}

/// The start of the URL scheme that ends right before `://` at `pos`.
fn scheme_start(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut s = pos;
    while s > 0
        && pos - s < 24
        && (bytes[s - 1].is_ascii_alphanumeric() || matches!(bytes[s - 1], b'+' | b'.' | b'-'))
    {
        s -= 1;
    }
    (s < pos && bytes[s].is_ascii_alphabetic()).then_some(s)
}

/// Schemes of database and message-broker connection strings.
fn is_database_scheme(scheme: &[u8]) -> bool {
    let s = scheme.to_ascii_lowercase();
    [
        &b"postgres"[..],
        b"postgresql",
        b"mysql",
        b"mariadb",
        b"mongodb",
        b"mongodb+srv",
        b"redis",
        b"rediss",
        b"amqp",
        b"amqps",
        b"mssql",
        b"sqlserver",
        b"oracle",
        b"cockroachdb",
        b"neo4j",
        b"neo4j+s",
        b"bolt",
        b"clickhouse",
        b"couchbase",
        b"cassandra",
        b"memcached",
    ]
    .contains(&s.as_slice())
        || s.starts_with(b"jdbc:")
        || s.starts_with(b"postgresql+")
        || s.starts_with(b"mysql+")
}

fn is_local_host(host: &[u8]) -> bool {
    let h = host.to_ascii_lowercase();
    h == b"localhost"
        || h.starts_with(b"127.")
        || h == b"0.0.0.0"
        || h == b"host.docker.internal"
        || h.ends_with(b".example.com")
        || h == b"example.com"
        || h.ends_with(b".local")
}

/// A URL's password is real unless it is a placeholder, a template, or a stock word.
fn url_password_is_real(user: &[u8], password: &[u8]) -> bool {
    let (Ok(user), Ok(pw)) = (std::str::from_utf8(user), std::str::from_utf8(password)) else {
        return false;
    };
    // `%41` is URL encoding, but `%s` / `%(pw)s` are format templates.
    let template = pw.contains(['$', '{', '}', '[', ']'])
        || pw.contains("%s")
        || pw.contains("%(")
        || user.contains(['$', '{', '}', '<', '>']);
    if pw.len() < 3 || pw == user || is_placeholder(pw) || template || pw.starts_with(':') {
        return false;
    }
    let lower = pw.to_ascii_lowercase();
    ![
        "pass", "password", "passwd", "secret", "pwd", "pw", "root", "admin", "postgres", "mysql",
        "guest", "user", "username", "test", "redis", "mongo", "mongodb", "rabbitmq", "docker",
        "sa", "oracle", "example",
    ]
    .contains(&lower.as_str())
}

/// The end of a PEM block whose header ends at `header_end`: the end of its `-----END …-----`
/// line, or of its key material. In [`Mode::File`] a header without key material after it is
/// no key (code that tests for the header, documentation).
fn pem_end(bytes: &[u8], header_end: usize, mode: Mode) -> Option<usize> {
    let body_start = skip_pem_headers(bytes, header_end);
    let run = base64_run(bytes, body_start);
    if mode == Mode::File {
        if run < 40 {
            return None;
        }
        let body = &bytes[body_start..body_start + run];
        let lower = body.to_ascii_lowercase();
        if contains(&lower, b"example") || contains(&lower, b"xxxxxxxx") {
            return None;
        }
    }
    let limit = bytes.len().min(header_end + 16 * 1024);
    let tail = &bytes[header_end..limit];
    match find(tail, b"-----END ") {
        Some(i) => {
            let after = header_end + i + 9;
            let close = find(&bytes[after..limit], b"-----").map_or(after, |j| after + j + 5);
            Some(close)
        }
        None => Some(body_start + run),
    }
}

/// Skips separators (newlines, escaped `\n`, quotes, `+` of a concatenation) and armor
/// headers (`Proc-Type: …`, `Version: …`) after a PEM header.
fn skip_pem_headers(bytes: &[u8], mut i: usize) -> usize {
    let limit = bytes.len().min(i + 600);
    loop {
        while i < limit {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'+' | b',' => i += 1,
                b'\\' if bytes.get(i + 1).is_some_and(|&b| b == b'n' || b == b'r') => i += 2,
                _ => break,
            }
        }
        // An armor header line: `Word-Word: value`.
        let line_end = bytes[i..limit]
            .iter()
            .position(|&b| b == b'\n' || b == b'\\')
            .map_or(limit, |p| i + p);
        let line = &bytes[i..line_end];
        let is_header = line.len() < 120
            && line.iter().position(|&b| b == b':').is_some_and(|c| {
                c > 0
                    && line[..c]
                        .iter()
                        .all(|b| b.is_ascii_alphabetic() || *b == b'-')
            });
        if is_header && line_end < limit {
            i = line_end;
            continue;
        }
        return i;
    }
}

/// Length of the run of base64 characters at `i`, counting across line breaks (real and
/// escaped) of the same block.
fn base64_run(bytes: &[u8], mut i: usize) -> usize {
    let limit = bytes.len().min(i + 256);
    let mut n = 0;
    while i < limit {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=' {
            n += 1;
            i += 1;
        } else {
            break;
        }
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// Published documentation values, reported nowhere.
const KNOWN_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    // jwt.io's sample token signature.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // Stripe's documentation keys.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "rk_test_4eC39HqLyjWDarjtT1zdp7dc",
];

/// `true` for documentation examples and placeholders shaped like a provider token.
pub(crate) fn is_example_token(kind: SecretKind, token: &str) -> bool {
    if KNOWN_EXAMPLES.iter().any(|e| token.contains(e)) {
        return true;
    }
    // The random part: after the provider's prefix (up to its first `_`/`-`, or 4 chars).
    let body = match kind {
        SecretKind::AwsAccessKeyId | SecretKind::GoogleApiKey => token.get(4..).unwrap_or(""),
        SecretKind::Jwt => token.rsplit('.').next().unwrap_or(""),
        _ => token
            .rfind(['_', '-', '.'])
            .and_then(|i| token.get(i + 1..))
            .filter(|b| b.len() >= 16)
            .unwrap_or(token),
    };
    is_placeholder(body) || is_placeholder(token) || low_randomness(body)
}

/// Too little entropy, or built from consecutive characters (`abcdef…`, `123456…`).
fn low_randomness(body: &str) -> bool {
    let b = body.as_bytes();
    if b.len() < 12 {
        return false;
    }
    let consecutive = b
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1))
        .count();
    let threshold = if b.len() >= 24 { 3.0 } else { 2.7 };
    shannon_entropy(body) < threshold || consecutive * 3 >= b.len()
}

fn mixed_case_digits(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().any(|b| b.is_ascii_uppercase())
        && text.bytes().any(|b| b.is_ascii_lowercase())
        || (text.bytes().any(|b| b.is_ascii_uppercase())
            && text.bytes().filter(|b| b.is_ascii_lowercase()).count() >= 4)
}

/// A JWT's header decodes to JSON naming its algorithm.
fn jwt_header_ok(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or("");
    let decoded = decode_base64url(header.as_bytes());
    let text = String::from_utf8_lossy(&decoded);
    text.trim_start().starts_with('{') && text.contains("\"alg\"")
}

/// Lenient base64url (and standard base64) decoding; stops at the first other byte.
pub(crate) fn decode_base64url(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut bits = 0u32;
    let mut n = 0u32;
    for &c in input {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => break,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}
