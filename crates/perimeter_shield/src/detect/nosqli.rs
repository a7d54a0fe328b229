//! NoSQL (MongoDB) operator injection in strings: `user[$ne]=x` query-string objects,
//! `{"$gt": ""}` operator objects sent where a string is expected, `$where` JavaScript.
//! Operator objects inside parsed JSON bodies are found by the walker (`walk.rs`).

use super::{Hit, Kind, View};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// MongoDB query operators an attacker uses to turn an equality into a predicate.
pub(crate) const OPERATORS: &[&str] = &[
    "$ne",
    "$eq",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$regex",
    "$where",
    "$exists",
    "$not",
    "$or",
    "$and",
    "$nor",
    "$expr",
    "$elemmatch",
    "$size",
    "$type",
    "$all",
    "$options",
    "$function",
    "$accumulator",
    "$jsonschema",
    "$text",
    "$mod",
];

static BRACKET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"\[\s*\$(ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|or|and|nor|expr|elemmatch|size|type|all|options)\s*\]").ok()
});
static KEYED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r#"["']?\$(ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|not|or|and|nor|expr|elemmatch|function|comment)["']?\s*:"#).ok()
});
static JS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r#"(?:['"]\s*(?:;|\|\||&&)\s*(?:return\s*\(?\s*(?:true|1|!0)|sleep\s*\(|while\s*\(|this\.)|\bthis\.\w+\.match\s*\(|\bdb\.\w+\.(?:find|drop|insert|remove)|;\s*return\s*\(?\s*(?:true|\d|'[^']*'\s*==)|(?:\|\||&&)\s*['"]?[\w.]+['"]?\s*[!=]==?\s*['"]?[\w.]+|\bdo\s*\{[^}]*\}\s*while\s*\(|:\s*/[^/\s]*/[gimsx]*\s*\})"#).ok()
});

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    for (re, conf) in [(&BRACKET, 0.9), (&KEYED, 0.9), (&JS, 0.85)] {
        if let Some(m) = re.as_ref().and_then(|r| r.find(lower.as_bytes())) {
            hits.push(Hit::new(Kind::Nosqli, conf, m.start(), m.end()));
            return;
        }
    }
    if let Some(i) = memchr::memmem::find(lower.as_bytes(), b"$where") {
        hits.push(Hit::new(Kind::Nosqli, 0.85, i, i + 6));
    }
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    LazyLock::force(&BRACKET);
    LazyLock::force(&KEYED);
    LazyLock::force(&JS);
}
