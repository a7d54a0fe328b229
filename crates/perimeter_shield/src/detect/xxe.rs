//! XML external entities: a DOCTYPE declaring entities (external ones with `SYSTEM` or
//! `PUBLIC`, internal ones for entity expansion bombs) or opening an internal subset,
//! XInclude, XSLT calls that reach files or system properties, and (weaker) markup that
//! references entities XML does not predefine.

use super::{COLON, EQ, Hit, Kind, LT, View, find_any};

const EXTERNAL: &[&str] = &[
    " system ",
    " system\"",
    " system'",
    " public ",
    " public\"",
    " public'",
];

const XSLT_REACH: &[&str] = &[
    "document(",
    "system-property(",
    "unparsed-text(",
    "php:function",
    "<xsl:include",
];

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    if view.sig.class & LT == 0 {
        // Without markup only two signs can be here (every other needle holds a `<`): the
        // XInclude namespace and a lone entity reference. Prose with `&` and `;` ("Smith
        // & Sons; est. 1901") calls this detector and ends here.
        let hit = (view.sig.class & (COLON | EQ) == COLON | EQ)
            .then(|| find_any(lower, &["xmlns:xi="]))
            .flatten()
            .map(|r| (0.9, r.0, r.1))
            .or_else(|| lone_entity_reference(lower));
        if let Some((c, s, e)) = hit {
            hits.push(Hit::new(Kind::Xxe, c, s, e));
        }
        return;
    }
    let doctype = find_any(lower, &["<!doctype"]);
    let entity = find_any(lower, &["<!entity"]);
    let external = find_any(lower, EXTERNAL);
    let hit = match (doctype, entity, external) {
        (_, Some(e), Some(x)) => Some((0.95, e.0, x.1.max(e.1))),
        (_, Some(e), None) => Some((0.9, e.0, e.1)),
        (Some(d), None, Some(x)) if x.0 > d.0 => Some((0.85, d.0, x.1)),
        (Some(d), None, _) => {
            // A DOCTYPE opening an internal subset (`<!DOCTYPE foo [`) declares something.
            let subset = lower[d.1..]
                .split('>')
                .next()
                .is_some_and(|decl| decl.contains('['));
            if subset {
                Some((0.8, d.0, d.1))
            } else {
                find_any(lower, &["<!element", "<!attlist"]).map(|_| (0.6, d.0, d.1))
            }
        }
        (None, None, _) => {
            find_any(lower, &["<!element", "<!attlist", "<!notation"]).map(|r| (0.6, r.0, r.1))
        }
    }
    .or_else(|| find_any(lower, &["<xi:include", "xmlns:xi="]).map(|r| (0.9, r.0, r.1)))
    .or_else(|| {
        find_any(lower, &["<xsl:"])
            .and_then(|r| find_any(lower, XSLT_REACH).map(|x| (0.85, r.0, x.1.max(r.1))))
    })
    .or_else(|| custom_entity_in_markup(lower))
    .or_else(|| lone_entity_reference(lower));
    if let Some((c, s, e)) = hit {
        hits.push(Hit::new(Kind::Xxe, c, s, e));
    }
}

/// Entities XML predefines; any other reference in markup needs a DTD to declare it.
const PREDEFINED: &[&str] = &["lt", "gt", "amp", "quot", "apos"];

/// `<tag>&name;</tag>`: a reference to an entity XML does not predefine, inside markup,
/// is what an XXE document's body looks like when its DTD arrives separately.
fn custom_entity_in_markup(lower: &str) -> Option<(f32, usize, usize)> {
    let lt = lower.find('<')?;
    for (i, _) in lower.match_indices('&').take(32) {
        let rest = &lower[i + 1..];
        let Some(end) = rest.find(';') else { break };
        let name = &rest[..end];
        let ok = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if ok && !PREDEFINED.contains(&name) && i > lt && lower[lt..i].contains('>') {
            return Some((0.6, i, i + end + 2));
        }
    }
    None
}

/// A value that is nothing but a reference to an entity XML does not predefine (`&xxe;`,
/// `%remote;`): what is injected into a text node or attribute when the DTD that defines
/// the entity is already in place (or sent in another field).
fn lone_entity_reference(lower: &str) -> Option<(f32, usize, usize)> {
    let t = lower.trim();
    let name = t
        .strip_prefix('&')
        .or_else(|| t.strip_prefix('%'))?
        .strip_suffix(';')?;
    let ok = (1..=32).contains(&name.len())
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    (ok && !PREDEFINED.contains(&name)).then(|| {
        let start = lower.len() - lower.trim_start().len();
        (0.6, start, start + t.len())
    })
}
