//! The HTML report: one self-contained file (no network, no external font, script or style)
//! that works from disk and as a CI artifact.
//!
//! The page is rendered here as static HTML (summary, ranked functions, one section per
//! function with its findings and code frames, its least-privilege policy and its attack
//! paths), so it reads without JavaScript. A small hand-written script (`html/report.js`)
//! adds filters, pagination of the ranking, one function page at a time, and draws the attack
//! graph from a JSON island whose layout is computed in Rust ([`layout`]).
//!
//! Every text from the scan (names, messages, code lines) is attacker-controlled: it is
//! escaped for HTML, and the JSON island escapes `<`, `>` and `&` so no string can close its
//! `<script>` element. A Content-Security-Policy allows only this page's own script and style
//! (by hash) and no network load at all, so even an escaping mistake could not run a script or
//! fetch anything. Code frames go through the same masking as the text report.

mod layout;
mod page;

use crate::ReportInput;
use base64::Engine;
use sha2::{Digest, Sha256};

const TEMPLATE: &str = include_str!("html/template.html");
const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Renders the HTML report.
pub fn html(input: &ReportInput<'_>) -> String {
    let rendered = page::render(input);
    let csp = format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    );
    let generator = format!("{} {}", crate::TOOL_NAME, input.tool_version);
    fill(
        TEMPLATE,
        &[
            ("CSP", &csp),
            ("GENERATOR", &escape(&generator)),
            ("TITLE", &escape(&rendered.title)),
            ("STYLE", STYLE),
            ("BODY", &rendered.body),
            ("DATA", &rendered.data),
            ("SCRIPT", SCRIPT),
        ],
    )
}

/// `sha256-<base64>` of an inline element's content, for the Content-Security-Policy.
fn csp_hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Replaces each `{{NAME}}` of `template` once, in one pass over the template only, so a
/// value that contains `{{…}}` is never expanded.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push_str("{{");
                        out.push_str(name);
                        out.push_str("}}");
                    }
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML content and quoted attribute values, after removing control
/// characters.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push(' '),
            c if c.is_control() && c != '\n' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// JSON that can sit inside a `<script type="application/json">` element: `<`, `>` and `&`
/// (and the two JavaScript line separators) are written as `\u` escapes, so no value can end
/// the element or open a comment.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("<script>\"a\" & 'b'\u{1b}[31m"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;?[31m"
        );
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>&"});
        let s = script_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn fill_expands_each_placeholder_once() {
        assert_eq!(
            fill("a{{X}}b{{Y}}c{{Z}}", &[("X", "{{Y}}"), ("Y", "2")]),
            "a{{Y}}b2c{{Z}}"
        );
    }

    #[test]
    fn assets_are_self_contained() {
        for asset in [TEMPLATE, STYLE, SCRIPT] {
            assert!(!asset.contains("http://") || asset.contains("http://www.w3.org/2000/svg"));
            assert!(!asset.contains("https://"));
            assert!(!asset.contains("@import") && !asset.contains("url("));
        }
        assert!(!SCRIPT.contains("</script"));
        assert!(!STYLE.contains("</style"));
    }
}
