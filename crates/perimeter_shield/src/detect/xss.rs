//! Cross-site scripting: script tags, event-handler attributes on any tag, `javascript:`
//! and `vbscript:` URLs (whitespace inside the scheme ignored, as browsers do), dangerous
//! embedding tags, CSS expressions, and quote-breaking calls to `alert`/`prompt`/`confirm`.
//! libinjection's HTML5 tokenizer is a last, weaker signal for markup none of these match.

use super::{Hit, Kind, View};
use regex::bytes::Regex;
use std::sync::LazyLock;

struct Rule {
    re: LazyLock<Option<Regex>>,
    confidence: f32,
}

macro_rules! rule {
    ($re:expr, $c:expr) => {
        Rule {
            re: LazyLock::new(|| super::re($re).ok()),
            confidence: $c,
        }
    };
}

static RULES: [Rule; 9] = [
    rule!(r"<\s*/?\s*script\b|<\s*script[\s/>]", 0.95),
    // UTF-7 markup (`+ADw-script+AD4-`), for parsers that still honour a UTF-7 charset.
    rule!(r"\+adw-[^+]{0,40}\+ad4", 0.8),
    rule!(
        r#"<[a-z!?/][^>]*?[\s/"'`;+]on[a-z]{3,}\s*=|^\s*on[a-z]{3,}\s*=\s*['"]?\s*[a-z_$.]+\s*\(|['"`]\s*on[a-z]{3,}\s*="#,
        0.95
    ),
    rule!(
        r"(?:^|[\s'\x22`=(<:])(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e)\s*s\s*c\s*r\s*i\s*p\s*t\s*:",
        0.9
    ),
    rule!(
        r"<\s*(?:iframe|frame|frameset|object|embed|applet|base|meta|link|svg|math|form|isindex|xss|xml|import|template|portal)\b",
        0.85
    ),
    rule!(
        r"data\s*:\s*(?:text/html|image/svg\+xml|application/(?:x-)?(?:javascript|xhtml))|expression\s*\(|-moz-binding|behavior\s*:\s*url|@import\s|\bsrcdoc\s*=|\bformaction\s*=|\bxlink:href\s*=",
        0.85
    ),
    rule!(
        r#"['"`]\s*[;)+,\-*/|&]*\s*(?:alert|prompt|confirm|eval|print)\s*[(`]|(?:^|[\s;>])(?:alert|prompt|confirm)\s*(?:\(\s*(?:\d+|['"`][^'"`]*['"`]|document\.\w+|window\.\w+|/[^/]*/)\s*\)|`[^`]*`)"#,
        0.85
    ),
    rule!(
        r"<\s*(?:img|image|video|audio|source|body|input|style|marquee|details|select|textarea|keygen|button|bgsound|blink|layer|ilayer)\b[^>]*(?:src|background|dynsrc|lowsrc|style)\s*=",
        0.7
    ),
    rule!(
        r"</?\s*(?:img|image|video|audio|body|style|marquee|details|textarea|keygen|bgsound|layer|ilayer|plaintext|noscript|title|xmp)\b",
        0.6
    ),
];

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    let mut best: Option<Hit> = None;
    for rule in &RULES {
        if best.is_some_and(|b| b.confidence >= rule.confidence) {
            continue;
        }
        if let Some(m) = rule.re.as_ref().and_then(|r| r.find(lower.as_bytes())) {
            best = Some(Hit::new(Kind::Xss, rule.confidence, m.start(), m.end()));
        }
    }
    if best.is_none() && looks_like_markup(lower) {
        // libinjection calls any `<?` XSS; an XML declaration is not one (XXE has its own
        // detector), so it is skipped.
        let mut input = &view.text.as_bytes()[..view.text.len().min(8 * 1024)];
        if lower.trim_start().starts_with("<?xml")
            && let Some(end) = memchr::memmem::find(input, b"?>")
        {
            input = &input[end + 2..];
        }
        let xss = std::panic::catch_unwind(|| libinjectionrs::detect_xss(input).is_injection());
        if xss.unwrap_or(false) {
            best = Some(Hit::new(Kind::Xss, 0.7, 0, view.text.len()));
        }
    }
    hits.extend(best);
}

/// `<` followed by a letter or `/`: markup that libinjection's HTML tokenizer
/// may call XSS; plain comparisons (`a < b`), doctypes and declarations never reach it.
fn looks_like_markup(lower: &str) -> bool {
    lower
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'))
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    for rule in &RULES {
        LazyLock::force(&rule.re);
    }
}
