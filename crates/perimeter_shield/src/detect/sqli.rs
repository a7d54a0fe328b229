//! SQL injection: libinjection's tokenizer and fingerprint set, through the pure-Rust
//! `libinjectionrs` port (pinned, and vendored with allocation-free keyword lookup and
//! folding: three times faster on prose, same answers, see
//! `vendor/libinjectionrs/PERIMETER-PATCHES.md` and `tests/libinjection_fork.rs`), behind the
//! [`SqliEngine`] trait so it can be swapped for our own tokenizer. The port is an
//! unreviewed machine translation: every call is wrapped
//! in `catch_unwind` so a slice-index panic inside it costs a missed detection, not the
//! process (under `panic = "abort"` that guard is void; the fuzz tests then matter).

use super::{
    AMP, ARITH, BACKTICK, CARET, EQ, GT, HASH, Hit, K_LIKE, K_SQLW, Kind, LT, PAREN, PERCENT, PIPE,
    QUOTE, SLASH, STAR, Signals, View,
};
use regex::bytes::Regex;
use std::sync::LazyLock;

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
        // What `libinjectionrs::detect_sqli` does, except that it also folds the input
        // once more for the fingerprint after deciding; only an injection needs it, and
        // most values that get here are clean prose ("or", "and", "from" are SQL words).
        std::panic::catch_unwind(|| {
            let mut state =
                libinjectionrs::SqliState::new(input, libinjectionrs::SqliFlags::FLAG_NONE);
            state
                .detect()
                .then(|| state.get_fingerprint().as_str().to_string())
        })
        .ok()?
    }
}

static ENGINE: LibinjectionRs = LibinjectionRs;

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    if !sql_sign(view.text, &view.sig) {
        return;
    }
    let Some(fp) = ENGINE.detect(view.text.as_bytes()) else {
        return;
    };
    let confidence = confidence_of(&fp, view);
    hits.push(Hit::new(Kind::Sqli, confidence, 0, view.text.len()));
}

/// libinjection's weakest fingerprints (only strings, numbers, bare words, variables,
/// parentheses, commas and operators) also match prose and phone numbers: `SMALL "&" SIGN`
/// is `sos`, `(0195)-621560` is `1)o1`. Those count only with some other sign of SQL: a
/// single quote, a comparison or comment, or a SQL word. Everything else blocks.
fn confidence_of(fp: &str, view: &View<'_>) -> f32 {
    let weak = fp.bytes().all(|b| {
        matches!(
            b,
            b's' | b'o' | b'&' | b'1' | b'n' | b'v' | b'(' | b')' | b','
        )
    });
    if !weak {
        return 0.9;
    }
    let lower = view.lower;
    let punct = lower.bytes().any(|b| {
        matches!(
            b,
            b'\'' | b'=' | b'`' | b';' | b'#' | b'<' | b'>' | b'^' | b'*' | b'|'
        )
    }) || lower.contains("--")
        || lower.contains("/*");
    if punct
        || SQL_WORDS
            .as_ref()
            .is_some_and(|r| r.is_match(lower.as_bytes()))
    {
        0.85
    } else {
        0.0
    }
}

static SQL_WORDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"\b(?:union|select|or|xor|rlike|regexp|between|null|sleep|benchmark|information_schema|substr|substring|ascii|char|concat|version|user|database|from|where|having)\b|@@").ok()
});

/// A necessary sign of SQL before the tokenizer runs (it costs about a microsecond per
/// value, and a quote or parenthesis alone is everyday text: `O'Neil`, `(front desk)`). An
/// injection has to do something once it is out of its literal: compare (`=`, `<`, `>`),
/// comment out the rest (`--`, `#`, `/*`), concatenate or compute next to a quote
/// (`'+'`, `' - '`, `'&'`), or use a SQL word or function (the prefilter's whole-word
/// [`K_SQLW`] group; `like` only next to a quote, see [`K_LIKE`]). On the corpus this gate drops none of the detections the tokenizer
/// made without it (sqli.txt, 12,550 lines) and skips the tokenizer for 90% of benign.txt.
///
/// An `=` compares only with something after it: the padding that ends a base64 value
/// (`AAEqQQ==`, every binary attribute of a DynamoDB stream record) is no sign.
pub(super) fn sql_sign(text: &str, sig: &Signals) -> bool {
    let c = sig.class;
    if c & (LT | GT | PIPE | CARET | BACKTICK) != 0
        || sig.kw & K_SQLW != 0
        || sig.kw & K_LIKE != 0 && c & QUOTE != 0
        || c & EQ != 0 && text.trim_end_matches('=').contains('=')
        // A MySQL `#` comment ends something: a string (`admin'#`) or a call or group
        // (`sleep(5)#`, which also has its SQL word). Elsewhere it is prose: "room #123
        // (rear)", "O'Neil, room #4".
        || c & HASH != 0 && c & (QUOTE | PAREN) != 0 && hash_after_close(text.as_bytes())
    {
        return true;
    }
    c & QUOTE != 0
        && c & (ARITH | STAR | SLASH | PERCENT | AMP) != 0
        && quote_beside_operator(text.as_bytes())
}

/// The ASCII whitespace the checks below skip: space, tab, newline, vertical tab, form feed
/// and carriage return.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Whether a `#` follows a quote or a closing parenthesis, with only ASCII whitespace
/// between (`admin'#`, `1') #`).
fn hash_after_close(s: &[u8]) -> bool {
    memchr::memchr_iter(b'#', s).any(|h| {
        s[..h]
            .iter()
            .rev()
            .find(|&&b| !is_space(b))
            .is_some_and(|b| matches!(b, b'\'' | b'"' | b')'))
    })
}

/// Whether a quote stands beside an operator (`-+*/%&`), with only ASCII whitespace
/// between (`'-`, `' || '`… `& '`): what `['"]\s*[-+*/%&]|[-+*/%&]\s*['"]` matches, read
/// from each quote outwards instead of by a regex (this runs for every value with a quote
/// and an operator byte anywhere, such as "O'Neil & Sons - est. 1901"). Each look stops at
/// the first byte that is not whitespace, so the whole costs a pass over the text.
fn quote_beside_operator(s: &[u8]) -> bool {
    let is_ws = |b: &&u8| is_space(**b);
    let is_op = |b: &u8| matches!(*b, b'-' | b'+' | b'*' | b'/' | b'%' | b'&');
    memchr::memchr2_iter(b'\'', b'"', s).any(|q| {
        s[q + 1..].iter().find(|b| !is_ws(b)).is_some_and(is_op)
            || s[..q].iter().rev().find(|b| !is_ws(b)).is_some_and(is_op)
    })
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    LazyLock::force(&SQL_WORDS);
    // Whatever the tokenizer sets up on its first call.
    let _ = ENGINE.detect(b"1' OR '1'='1");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(text: &str) -> bool {
        sql_sign(text, &super::super::signals(text))
    }

    /// The hand-written quote-beside-operator test says what the regex it replaced says,
    /// on every payload and benign line and on random texts over the bytes that matter.
    #[test]
    fn quote_beside_operator_matches_its_regex() {
        let re = super::super::re(r#"['"]\s*[-+*/%&]|[-+*/%&]\s*['"]"#).expect("regex");
        for line in crate::test_corpus::byte_lines() {
            assert_eq!(
                quote_beside_operator(&line),
                re.is_match(&line),
                "{:?}",
                String::from_utf8_lossy(&line)
            );
        }
        let alphabet = b"'\"-+*/%& \t\n\x0b\x0c\rax=";
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..50_000 {
            let seed = rng.next();
            let len = (seed % 12) as usize;
            let text: Vec<u8> = (0..len)
                .map(|k| {
                    alphabet[(seed.rotate_left(5 * k as u32) % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(quote_beside_operator(&text), re.is_match(&text), "{text:?}");
        }
    }

    /// The engine decides and fingerprints as `libinjectionrs::detect_sqli` does, on every
    /// payload and benign line (it skips only the fingerprint of a clean input).
    #[test]
    fn engine_matches_detect_sqli() {
        let mut injections = 0;
        for line in crate::test_corpus::byte_lines() {
            let line = &line[..line.len().min(MAX_INPUT)];
            let want = libinjectionrs::detect_sqli(line);
            let want = want.is_injection().then(|| {
                want.fingerprint
                    .map(|f| f.as_str().to_string())
                    .unwrap_or_default()
            });
            let got = ENGINE.detect(line);
            injections += usize::from(got.is_some());
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(line));
        }
        assert!(injections > 100, "{injections} injections");
    }

    /// A `#` is a sign right after a quote or a parenthesis (a comment ending a string or
    /// a call), not alone in prose, nor in prose that has a quote or a parenthesis
    /// elsewhere.
    #[test]
    fn a_hash_is_a_sign_only_after_a_string_or_call() {
        for text in [
            "admin'#",
            "x\"#",
            "sleep(5)#",
            "1)#",
            "admin' #",
            "1') \t#x",
        ] {
            assert!(sign(text), "{text}");
        }
        for text in [
            "room #123",
            "C# developer",
            "ticket #4b, floor 2",
            "O'Neil, room #4",
            "Apt #5 (rear entrance)",
            "(front desk) - O'Neil & sons #12",
        ] {
            assert!(!sign(text), "{text}");
        }
    }

    /// Base64 padding is no comparison; an `=` with anything after it still is.
    #[test]
    fn trailing_equals_is_no_sign_of_sql() {
        for text in ["AAEqQQ==", "QSoBAA==", "dGVzdA=", "abc="] {
            assert!(!sign(text), "{text}");
        }
        for text in ["a=b", "1=1", "x==y", "AAEq=QQ==", "id=1 ", "' or 'a'='a"] {
            assert!(sign(text), "{text}");
        }
    }
}
