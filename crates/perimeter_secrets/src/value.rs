//! Judging one value on its own (an environment variable, a parameter default): the same
//! provider detectors as files, then the generic random-token shape. SEC001 uses this, so a
//! token is recognised alike in a template and in code.

use crate::detectors::{AUTOMATON, Mode, PROVIDERS, Target, is_example_token, verify};
use crate::kind::SecretKind;
use crate::shape::{is_placeholder, is_reference, looks_random};

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

/// The strongest secret shape in `value`: a provider format first (the first in priority
/// order), else a generic random token. Placeholders and references give `None`.
pub fn scan_value(value: &str) -> Option<ValueMatch> {
    let value_t = value.trim();
    if value_t.is_empty() || is_placeholder(value_t) || is_reference(value_t) {
        return None;
    }
    let trimmed_start = value.find(value_t).unwrap_or(0);
    let whole = ValueMatch {
        kind: SecretKind::HighEntropy,
        start: trimmed_start,
        end: trimmed_start + value_t.len(),
    };
    if let Some(auto) = AUTOMATON.as_ref() {
        let bytes = value.as_bytes();
        let mut best: Option<(usize, ValueMatch)> = None;
        for m in auto.ac.find_iter(bytes) {
            let Target::Provider(i) = auto.targets[m.pattern().as_usize()] else {
                continue;
            };
            if best.as_ref().is_some_and(|(b, _)| *b <= i) {
                continue;
            }
            if let Some(h) = verify(auto, i, bytes, m.start(), Mode::Value) {
                let kind = PROVIDERS[i].kind;
                // A PEM block is one secret from its header to its end: redact all of it.
                let found = if kind == SecretKind::PrivateKey {
                    ValueMatch {
                        kind,
                        ..whole.clone()
                    }
                } else {
                    ValueMatch {
                        kind,
                        start: h.start,
                        end: h.end,
                    }
                };
                best = Some((i, found));
            }
        }
        if best.is_none()
            && let Some(m) = auto.twilio.find(bytes)
            && m.as_bytes().starts_with(b"SK")
            && !is_example_token(SecretKind::TwilioApiKey, value_t)
        {
            return Some(ValueMatch {
                kind: SecretKind::TwilioApiKey,
                start: m.start(),
                end: m.end(),
            });
        }
        if let Some((_, m)) = best {
            return Some(m);
        }
    }
    looks_random(value_t).then_some(whole)
}
