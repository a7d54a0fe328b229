//! XML external entities: a DOCTYPE declaring entities (external ones with `SYSTEM` or
//! `PUBLIC`, internal ones for entity expansion bombs), XInclude, and XSLT calls that reach
//! files or system properties.

use super::{Hit, Kind, View, find_any};

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower.as_str();
    let doctype = find_any(lower, &["<!doctype"]);
    let entity = find_any(lower, &["<!entity"]);
    let external = find_any(
        lower,
        &[
            " system ",
            " system\"",
            " system'",
            " public ",
            " public\"",
            " public'",
        ],
    );
    let hit = match (doctype, entity, external) {
        (_, Some(e), Some(x)) => Some((0.95, e.0, x.1.max(e.1))),
        (_, Some(e), None) => Some((0.9, e.0, e.1)),
        (Some(d), None, Some(x)) if x.0 > d.0 => Some((0.85, d.0, x.1)),
        (Some(d), None, None) => {
            find_any(lower, &["<!element", "<!attlist"]).map(|_| (0.6, d.0, d.1))
        }
        _ => None,
    }
    .or_else(|| find_any(lower, &["<xi:include", "xmlns:xi="]).map(|r| (0.9, r.0, r.1)))
    .or_else(|| {
        find_any(lower, &["<xsl:"]).and_then(|r| {
            find_any(
                lower,
                &[
                    "document(",
                    "system-property(",
                    "unparsed-text(",
                    "php:function",
                    "<xsl:include",
                ],
            )
            .map(|x| (0.85, r.0, x.1.max(r.1)))
        })
    });
    if let Some((c, s, e)) = hit {
        hits.push(Hit::new(Kind::Xxe, c, s, e));
    }
}
