//! Insecure deserialization gadgets: node-serialize's `_$$ND_FUNC$$_`, Java serialization
//! (`rO0AB` base64, `aced0005` hex), Python pickle (opcodes and their base64), YAML tags
//! that construct objects (`!!python/object`, `!!javax…`), .NET BinaryFormatter and
//! Json.NET/fastjson type hints, PHP serialized objects.

use super::{Hit, Kind, View};
use regex::bytes::Regex;
use std::sync::LazyLock;

static PATTERNS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(
        r#"(?x)
        (?P<node>_\$\$nd_func\$\$_)
      | (?P<javahex>\baced0005)
      | (?P<yaml>!!python/|tag:yaml\.org,2002:python/|!!javax?\.|!!com\.(?:sun|mchange)|!!org\.(?:apache|spring)|!ruby/(?:object|hash|struct)|!!ruby/)
      | (?P<pickle>c__builtin__\s|cos\s*\n\s*system|cposix\s*\n\s*system|csubprocess\s*\n|cbuiltins\s*\n|\(s'\w+'\s*\np)
      | (?P<typehint>"\$type"\s*:\s*"(?:system\.|microsoft\.|windows\.)|"@type"\s*:\s*"(?:com\.|org\.|java\.|javax\.|oracle\.|sun\.))
      | (?P<php>(?:^|[;{])o:\d+:"[a-z_\\][\w\\]*":\d+:\{)
    "#,
    )
    .ok()
});

/// Case-sensitive base64 forms (the lower-case view would lose them).
const BASE64_PREFIXES: &[(&str, f32)] = &[
    ("rO0AB", 0.9),            // Java serialization stream
    ("AAEAAAD/////", 0.9),     // .NET BinaryFormatter
    ("gASV", 0.85),            // pickle protocol 4/5
    ("gANj", 0.85),            // pickle protocol 3 + GLOBAL
    ("gAJj", 0.85),            // pickle protocol 2 + GLOBAL
    ("Y29zCnN5c3RlbQ", 0.95),  // "cos\nsystem"
    ("Y19fYnVpbHRpbl9f", 0.9), // "c__builtin__"
    ("Y3Bvc2l4CnN5c3RlbQ", 0.95),
    ("Y3N1YnByb2Nlc3M", 0.95), // "csubprocess"
];

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    if let Some(m) = PATTERNS
        .as_ref()
        .and_then(|r| r.find(view.lower.as_bytes()))
    {
        hits.push(Hit::new(Kind::Deserialization, 0.9, m.start(), m.end()));
        return;
    }
    let text = view.text.trim_start_matches(['"', '\'', ' ']);
    let offset = view.text.len() - text.len();
    for (prefix, conf) in BASE64_PREFIXES {
        // At the start of the value, or of a token within it (a cookie, a field).
        if text.starts_with(prefix) {
            hits.push(Hit::new(
                Kind::Deserialization,
                *conf,
                offset,
                offset + prefix.len(),
            ));
            return;
        }
        if let Some(i) = memchr::memmem::find(view.text.as_bytes(), prefix.as_bytes())
            && i > 0
            && matches!(
                view.text.as_bytes()[i - 1],
                b'=' | b' ' | b':' | b'"' | b'\'' | b';' | b','
            )
        {
            hits.push(Hit::new(
                Kind::Deserialization,
                conf - 0.05,
                i,
                i + prefix.len(),
            ));
            return;
        }
    }
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    LazyLock::force(&PATTERNS);
}
