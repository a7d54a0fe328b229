//! The file pass: one walk of the automaton over a file's bytes, then the context detectors
//! the pass armed, then locations and redaction.
//!
//! Work on bytes throughout: files may hold invalid UTF-8, and every step is bounded (a
//! verification window, a key name, a value), so a minified megabyte-long line costs one
//! linear pass. Columns are counted incrementally, hits being in file order.

use crate::detectors::{AUTOMATON, Mode, PROVIDERS, Target, verify_or_example};
use crate::generic::at_keyword;
use crate::kind::SecretKind;
use crate::paths::{FileKind, MAX_FILE_BYTES, file_kind, is_test_or_example};
use crate::redact::redact;
use crate::shape::looks_like_aws_secret_key;
use perimeter_model::{Confidence, Location, SecretHit};

/// At most this many hits per file (a generated file full of keys says enough by then).
const MAX_HITS: usize = 500;

/// Comments that allow a secret on their line.
const ALLOW_MARKERS: &[&[u8]] = &[
    b"pragma: allowlist secret",
    b"gitleaks:allow",
    b"perimeter:allow",
];

/// One hit before it is located and redacted.
#[derive(Debug, Clone)]
struct Raw {
    start: usize,
    end: usize,
    id: &'static str,
    description: String,
    confidence: Confidence,
    /// Provider hits win over generic ones on the same bytes.
    provider: bool,
}

/// Finds the secrets in one file. `display_path` goes into every hit's location, which points
/// at the secret's first character (1-based line and character column). Binary files (a NUL
/// byte in the first 8 KiB) and files over [`MAX_FILE_BYTES`] give nothing.
pub fn scan(display_path: &str, content: &[u8]) -> Vec<SecretHit> {
    if content.len() as u64 > MAX_FILE_BYTES || content[..content.len().min(8192)].contains(&0) {
        return Vec::new();
    }
    let Some(auto) = AUTOMATON.as_ref() else {
        return Vec::new();
    };
    let kind = file_kind(display_path);
    let lines = LineIndex::new(content);
    let mut providers: Vec<Raw> = Vec::new();
    let mut generic: Vec<Raw> = Vec::new();
    let (mut twilio, mut service_account) = (false, false);
    let mut skip_until = 0usize;
    let mut name_done = 0usize;
    let mut examples: Vec<(usize, usize)> = Vec::new();
    for m in auto.ac.find_iter(content) {
        if m.start() < skip_until {
            continue;
        }
        match auto.targets[m.pattern().as_usize()] {
            Target::Provider(i) => {
                let verified = verify_or_example(auto, i, content, m.start(), Mode::File);
                if let Err(Some(end)) = verified {
                    // An example token: the generic detector must not report it either.
                    examples.push((m.start(), end));
                    skip_until = end;
                }
                if let Ok(h) = verified {
                    skip_until = h.token_end;
                    providers.push(Raw {
                        start: h.start,
                        end: h.end,
                        id: h.id,
                        description: h.description.to_string(),
                        confidence: h.confidence,
                        provider: true,
                    });
                }
            }
            Target::Keyword => {
                let (ls, le) = lines.bounds(m.start());
                if let Some(g) =
                    at_keyword(content, m.start(), m.end(), ls, le, kind, &mut name_done)
                {
                    generic.push(Raw {
                        start: g.start,
                        end: g.end,
                        id: g.id,
                        description: g.description,
                        confidence: g.confidence,
                        provider: false,
                    });
                }
            }
            Target::Twilio => twilio = true,
            Target::ServiceAccount => service_account = true,
        }
        if providers.len() + generic.len() >= MAX_HITS * 2 {
            break;
        }
    }
    if twilio {
        for m in auto.twilio.find_iter(content) {
            let sid = m.as_bytes().starts_with(b"AC");
            let text = String::from_utf8_lossy(m.as_bytes());
            if crate::detectors::is_example_token(SecretKind::TwilioApiKey, &text) {
                continue;
            }
            providers.push(Raw {
                start: m.start(),
                end: m.end(),
                id: if sid {
                    "twilio-account-sid"
                } else {
                    "twilio-api-key"
                },
                description: if sid {
                    "Twilio account SID"
                } else {
                    "Twilio API key"
                }
                .into(),
                confidence: if sid {
                    Confidence::Low
                } else {
                    Confidence::High
                },
                provider: true,
            });
        }
    }
    aws_secrets_near_key_ids(auto, content, &lines, &mut providers);
    if service_account {
        for h in providers.iter_mut().filter(|h| h.id == "private-key") {
            h.id = "gcp-service-account-key";
            h.description = "Google Cloud service-account private key".into();
        }
    }
    providers.sort_by_key(|h| h.start);
    providers.dedup_by(|b, a| b.start < a.end);
    // A generic hit on bytes a provider already explains adds nothing.
    generic.retain(|g| {
        !providers.iter().any(|p| g.start < p.end && p.start < g.end)
            && !examples.iter().any(|&(s, e)| g.start < e && s < g.end)
    });
    let mut all = providers;
    all.extend(generic);
    all.sort_by_key(|h| (h.start, !h.provider));
    // The line says the value is known and accepted (detect-secrets' and gitleaks' markers).
    all.retain(|h| {
        let (ls, le) = lines.bounds(h.start);
        let line = &content[ls..le];
        !ALLOW_MARKERS
            .iter()
            .any(|m| memchr::memmem::find(line, m).is_some())
    });
    all.truncate(MAX_HITS);

    let downgrade = is_test_or_example(display_path) || kind == FileKind::Docs;
    let mut cursor = ColumnCursor::default();
    all.into_iter()
        .map(|h| {
            let at = if h.id == "private-key" || h.id == "gcp-service-account-key" {
                block_scalar_key(content, &lines, h.start).unwrap_or(h.start)
            } else {
                h.start
            };
            let (line, column) = cursor.locate(&lines, content, at);
            let secret = String::from_utf8_lossy(&content[h.start..h.end]);
            SecretHit {
                detector: h.id.to_string(),
                description: h.description,
                redacted: redact(&secret),
                confidence: if downgrade {
                    lower(h.confidence)
                } else {
                    h.confidence
                },
                location: Location::new(display_path, line, column),
            }
        })
        .collect()
}

/// For a PEM block written as a YAML block scalar (`key: |` then the indented block), the
/// offset of the `|` / `>` indicator: the finding points at the key's line, so report frames
/// mask the whole indented block after it (they mask a secret's line and the deeper-indented
/// lines that continue it; the block's own lines are all at one indentation).
fn block_scalar_key(content: &[u8], lines: &LineIndex, start: usize) -> Option<usize> {
    let l = lines.line_of(start);
    let (ls, _) = lines.line_bounds(l);
    if l == 0 || !content[ls..start].iter().all(|&b| b == b' ' || b == b'\t') {
        return None;
    }
    let (ps, pe) = lines.line_bounds(l - 1);
    let prev = &content[ps..pe];
    let trimmed = prev.trim_ascii_end();
    let indicator = trimmed
        .iter()
        .rposition(|&b| b == b'|' || b == b'>')
        .filter(|&i| {
            trimmed[i + 1..]
                .iter()
                .all(|b| matches!(b, b'-' | b'+' | b'0'..=b'9'))
        })?;
    let indent = |line: &[u8]| line.iter().take_while(|&&b| b == b' ').count();
    (indent(prev) < start - ls && trimmed[..indicator].trim_ascii_end().ends_with(b":"))
        .then_some(ps + indicator)
}

fn lower(c: Confidence) -> Confidence {
    match c {
        Confidence::High => Confidence::Medium,
        _ => Confidence::Low,
    }
}

/// A 40-character AWS secret access key within three lines of an access key id.
fn aws_secrets_near_key_ids(
    auto: &crate::detectors::Automaton,
    content: &[u8],
    lines: &LineIndex,
    providers: &mut Vec<Raw>,
) {
    let ids: Vec<usize> = providers
        .iter()
        .filter(|h| h.id == "aws-access-key-id")
        .map(|h| lines.line_of(h.start))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for line in ids {
        for l in line.saturating_sub(3)..=line + 3 {
            if !seen.insert(l) || l >= lines.count() {
                continue;
            }
            let (ls, le) = lines.line_bounds(l);
            for c in auto.aws_secret.captures_iter(&content[ls..le]) {
                let Some(g) = c.get(1) else { continue };
                let Ok(text) = std::str::from_utf8(g.as_bytes()) else {
                    continue;
                };
                let (start, end) = (ls + g.start(), ls + g.end());
                if looks_like_aws_secret_key(text)
                    && !crate::detectors::is_example_token(SecretKind::AwsSecretAccessKey, text)
                    && !providers.iter().any(|p| start < p.end && p.start < end)
                {
                    providers.push(Raw {
                        start,
                        end,
                        id: "aws-secret-access-key",
                        description: "AWS secret access key".into(),
                        confidence: Confidence::High,
                        provider: true,
                    });
                }
            }
        }
    }
}

/// Line starts of a file.
struct LineIndex {
    /// Offsets of every `\n`.
    newlines: Vec<usize>,
    len: usize,
}

impl LineIndex {
    fn new(content: &[u8]) -> Self {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', content).collect(),
            len: content.len(),
        }
    }

    fn count(&self) -> usize {
        self.newlines.len() + 1
    }

    /// 0-based line of byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset)
    }

    /// Start and end (exclusive, before `\n`) of 0-based line `l`.
    fn line_bounds(&self, l: usize) -> (usize, usize) {
        let start = if l == 0 { 0 } else { self.newlines[l - 1] + 1 };
        let end = self.newlines.get(l).copied().unwrap_or(self.len);
        (start, end)
    }

    /// The bounds of the line holding `offset`.
    fn bounds(&self, offset: usize) -> (usize, usize) {
        self.line_bounds(self.line_of(offset))
    }
}

/// Counts character columns from the previous hit when it is on the same line, so many hits
/// on one huge line stay linear.
#[derive(Default)]
struct ColumnCursor {
    /// Line, byte offset and column of the previous hit.
    last: Option<(usize, usize, u32)>,
}

impl ColumnCursor {
    /// 1-based line and character column of `offset`.
    fn locate(&mut self, lines: &LineIndex, content: &[u8], offset: usize) -> (u32, u32) {
        let line = lines.line_of(offset);
        let (from, column) = match self.last {
            Some((l, o, c)) if l == line && o <= offset => (o, c),
            _ => (lines.line_bounds(line).0, 1),
        };
        let chars = content[from..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        let column = column.saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.last = Some((line, offset, column));
        (u32::try_from(line + 1).unwrap_or(u32::MAX), column)
    }
}

/// The provider table, for documentation and tests: `(detector id, description)`.
pub fn detectors() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> =
        PROVIDERS.iter().map(|p| (p.id, p.description)).collect();
    out.extend([
        ("database-url", "database connection URL with a password"),
        (
            "gcp-service-account-key",
            "Google Cloud service-account private key",
        ),
        ("aws-secret-access-key", "AWS secret access key"),
        ("twilio-api-key", "Twilio API key"),
        ("twilio-account-sid", "Twilio account SID"),
        ("twilio-auth-token", "Twilio auth token"),
        ("heroku-api-key", "Heroku API key"),
        ("jwt-secret", "JWT signing secret"),
        ("password-assignment", "hard-coded password"),
        (
            "generic-assignment",
            "secret assigned to a secret-like name",
        ),
    ]);
    out
}
