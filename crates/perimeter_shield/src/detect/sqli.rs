//! SQL injection: libinjection's tokenizer and fingerprint set, through the pure-Rust
//! `libinjectionrs` port (pinned), behind the [`SqliEngine`] trait so it can be swapped for
//! our own tokenizer. The port is an unreviewed machine translation: every call is wrapped
//! in `catch_unwind` so a slice-index panic inside it costs a missed detection, not the
//! process (under `panic = "abort"` that guard is void; the fuzz tests then matter).

use super::{Hit, Kind, View};

/// A SQL injection engine: `Some(fingerprint)` when `input` is an injection.
pub trait SqliEngine: Send + Sync {
    fn detect(&self, input: &[u8]) -> Option<String>;
}

/// libinjection via `libinjectionrs`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LibinjectionRs;

/// Longest input handed to the tokenizer: libinjection decides on the first five folded
/// tokens, so a longer tail only costs time.
const MAX_INPUT: usize = 8 * 1024;

impl SqliEngine for LibinjectionRs {
    fn detect(&self, input: &[u8]) -> Option<String> {
        let input = &input[..input.len().min(MAX_INPUT)];
        let result = std::panic::catch_unwind(|| libinjectionrs::detect_sqli(input)).ok()?;
        if !result.is_injection() {
            return None;
        }
        Some(
            result
                .fingerprint
                .map(|f| f.as_str().to_string())
                .unwrap_or_default(),
        )
    }
}

static ENGINE: LibinjectionRs = LibinjectionRs;

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let Some(fp) = ENGINE.detect(view.text.as_bytes()) else {
        return;
    };
    let confidence = confidence_of(&fp, view);
    hits.push(Hit::new(Kind::Sqli, confidence, 0, view.text.len()));
}

/// libinjection's weakest fingerprints are the ones that also match prose: a bare word
/// followed by a comment, or short numeric forms without any SQL operator. Those alert;
/// everything else blocks.
fn confidence_of(fp: &str, view: &View<'_>) -> f32 {
    let _ = view;
    if fp.len() <= 2 { 0.7 } else { 0.9 }
}
