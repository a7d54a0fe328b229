//! The factors of one function's score, read from the attack graph and the findings, and the
//! combinations that weigh more than their parts. Each factor gives at most one reason (its
//! strongest case), except combinations, of which every applicable one counts.

use crate::compress::compress;
use crate::describe::{data_list, data_phrase, list, triggers};
use crate::findings::{codes_in, codes_of_family};
use crate::weight;
use crate::{FunctionScore, Reason};
use perimeter_graph::reach::{DataReach, Downstream, GraphIndex, Route, access_rank};
use perimeter_graph::{EdgeKind, Node};
use perimeter_model::{App, Function, TriggerKind};
use perimeter_rules::Finding;
use std::collections::{BTreeSet, HashMap};

/// The shortest route from each entry node to each function, one graph walk per entry.
pub struct Routes<'g> {
    internet: HashMap<&'g str, Route<'g>>,
    authenticated: HashMap<&'g str, Route<'g>>,
    accounts: HashMap<&'g str, Route<'g>>,
    services: HashMap<&'g str, Route<'g>>,
}

impl<'g> Routes<'g> {
    pub fn new(index: &GraphIndex<'g>) -> Self {
        Routes {
            internet: index.routes_from("internet"),
            authenticated: index.routes_from("authenticated"),
            accounts: index.routes_from("aws-accounts"),
            services: index.routes_from("aws-services"),
        }
    }
}

/// How exposed a function is, weakest first (the order is the ranking's third tie-break).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    EventSource,
    Authenticated,
    PublicChained,
    PublicWrite,
    PublicDirect,
}

impl Level {
    fn is_public(self) -> bool {
        self >= Level::PublicChained
    }
}

/// The exposure of one function: its level, the route (if the graph has one) and the phrase
/// combinations start with.
struct Exposure {
    level: Level,
    reason: Option<Reason>,
    /// `public, unauthenticated` / `triggered by Uploads, which anyone can write to` /
    /// `reachable from the internet through ApiFunction → OrdersQueue`.
    prefix: String,
    codes: Vec<&'static str>,
}

fn chain(route: &Route, index: &GraphIndex) -> String {
    route
        .through(index)
        .iter()
        .map(|n| n.label.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The label of the trigger a route enters by (`api GET /users (no auth)`).
fn entry_label<'g>(route: &Route<'g>, index: &GraphIndex<'g>) -> &'g str {
    route
        .first()
        .and_then(|e| index.node(&e.to))
        .map_or("", |n| n.label.as_str())
}

fn exposure<'g>(
    function: &Function,
    fid: &str,
    found: &[&Finding],
    index: &GraphIndex<'g>,
    routes: &'g Routes<'g>,
) -> Exposure {
    let direct_codes = codes_in(found, &["AUTH001", "AUTH002", "AUTH003"]);
    let write_codes = codes_in(found, &["AUTH006"]);
    let reason = |points, text: String, codes: Vec<&'static str>| {
        Some(Reason {
            points,
            factor: "exposure",
            text,
            codes,
        })
    };
    if let Some(route) = routes.internet.get(fid) {
        let through_function = route.through_function(index);
        let via = chain(route, index);
        let first_is_write = route.first().is_some_and(|e| e.kind == EdgeKind::CanWrite);
        // A rule's finding is the stronger word when the graph only found a longer route.
        if through_function && direct_codes.is_empty() && write_codes.is_empty() {
            return Exposure {
                level: Level::PublicChained,
                reason: reason(
                    weight::PUBLIC_CHAINED,
                    format!("reachable from the internet through {via}"),
                    Vec::new(),
                ),
                prefix: format!("reachable from the internet through {via}"),
                codes: Vec::new(),
            };
        }
        if first_is_write && !through_function && direct_codes.is_empty() {
            return Exposure {
                level: Level::PublicWrite,
                reason: reason(
                    weight::PUBLIC_WRITE,
                    format!("anyone can write to {via}, which triggers it"),
                    write_codes.clone(),
                ),
                prefix: format!("triggered by {via}, which anyone can write to"),
                codes: write_codes,
            };
        }
        if !through_function && !first_is_write {
            return Exposure {
                level: Level::PublicDirect,
                reason: reason(
                    weight::PUBLIC_DIRECT,
                    format!(
                        "anyone on the internet can invoke it without authenticating: {}",
                        entry_label(route, index)
                    ),
                    direct_codes.clone(),
                ),
                prefix: "public, unauthenticated".into(),
                codes: direct_codes,
            };
        }
    }
    // The rules report exposure the graph does not show as a route of its own (or only as a
    // longer one): trust the finding.
    if !direct_codes.is_empty() {
        return Exposure {
            level: Level::PublicDirect,
            reason: reason(
                weight::PUBLIC_DIRECT,
                "anyone on the internet can invoke it without authenticating".into(),
                direct_codes.clone(),
            ),
            prefix: "public, unauthenticated".into(),
            codes: direct_codes,
        };
    }
    if !write_codes.is_empty() {
        return Exposure {
            level: Level::PublicWrite,
            reason: reason(
                weight::PUBLIC_WRITE,
                "anyone can write to a bucket, topic or queue that triggers it".into(),
                write_codes.clone(),
            ),
            prefix: "triggered by a bucket, topic or queue anyone can write to".into(),
            codes: write_codes,
        };
    }
    let none = |level, reason| Exposure {
        level,
        reason,
        prefix: String::new(),
        codes: Vec::new(),
    };
    if let Some(route) = routes.authenticated.get(fid) {
        let text = if route.through_function(index) {
            format!(
                "reachable by authenticated callers through {}",
                chain(route, index)
            )
        } else {
            format!(
                "reachable from the internet by authenticated callers: {}",
                entry_label(route, index)
            )
        };
        return none(
            Level::Authenticated,
            reason(weight::AUTHENTICATED, text, Vec::new()),
        );
    }
    if let Some(route) = routes.accounts.get(fid) {
        let text = format!(
            "principals of other AWS accounts may invoke it: {}",
            entry_label(route, index)
        );
        return none(
            Level::Authenticated,
            reason(weight::AUTHENTICATED, text, Vec::new()),
        );
    }
    let services = routes.services.get(fid);
    if services.is_some()
        || function
            .triggers
            .iter()
            .any(|t| t.kind != TriggerKind::Schedule)
    {
        return none(
            Level::EventSource,
            reason(
                weight::EVENT_SOURCE,
                "started by events whose content other parties may control".into(),
                Vec::new(),
            ),
        );
    }
    none(Level::None, None)
}

/// What the ranking needs beyond the score: the raw points and the exposure level.
pub struct Rank {
    pub raw: u32,
    pub exposure: Level,
}

/// Scores one function; returns what the ranking needs with the score.
pub fn score_function<'g>(
    app: &App,
    function: &Function,
    found: &[&Finding],
    index: &GraphIndex<'g>,
    routes: &'g Routes<'g>,
) -> (Rank, FunctionScore) {
    let fid = format!("{}#{}", app.id, function.id);
    let down: Downstream = index.downstream(&fid);
    let mut reasons = Vec::new();

    // Exposure: who can start the function.
    let exposure = exposure(function, &fid, found, index, routes);
    let public = exposure.level.is_public();
    reasons.extend(exposure.reason.clone());

    // Privilege: what its role allows. One reason, the strongest: an administrator that can
    // also escalate is no worse off than an administrator.
    let admin = codes_in(found, &["IAM003"]);
    let escalation_codes = codes_in(found, &["IAM006"]);
    let own_escalation = down
        .escalation
        .as_ref()
        .filter(|(_, via)| via.is_empty())
        .map(|(edge, _)| *edge);
    let broad = codes_in(found, &["IAM001", "IAM002", "IAM004"]);
    let mut privilege: Option<(&str, Vec<&'static str>)> = None;
    if !admin.is_empty() {
        let mut codes = admin;
        codes.extend(escalation_codes.iter().copied());
        reasons.push(Reason {
            points: weight::ADMIN,
            factor: "privilege",
            text: "its role has administrator or account-wide power".into(),
            codes: codes.clone(),
        });
        privilege = Some(("its role has administrator power", codes));
    } else if own_escalation.is_some() || !escalation_codes.is_empty() {
        let text = match own_escalation {
            Some(edge) => format!(
                "its role can escalate to account administrator ({})",
                edge.label
            ),
            None => "its role can escalate its own privileges".to_string(),
        };
        reasons.push(Reason {
            points: weight::ESCALATION,
            factor: "privilege",
            text,
            codes: escalation_codes.clone(),
        });
        privilege = Some((
            "its role can escalate to account administrator",
            escalation_codes,
        ));
    } else if !broad.is_empty() {
        reasons.push(Reason {
            points: weight::BROAD,
            factor: "privilege",
            text: "its role uses wildcard actions or resources".into(),
            codes: broad.clone(),
        });
        privilege = Some(("its role uses wildcard actions or resources", broad));
    }

    // Data: what its own role can do to which store (the graph's access edges).
    let own: Vec<&DataReach> = down.data.iter().filter(|d| d.via.is_empty()).collect();
    let data_text = (!own.is_empty()).then(|| {
        let phrases: Vec<String> = own.iter().map(|d| data_phrase(d)).collect();
        format!("can {}", data_list(&phrases))
    });
    if let Some(text) = &data_text {
        let points = match own.iter().map(|d| access_rank(d.access)).max() {
            Some(4) => weight::DATA_ADMIN,
            Some(2..=3) => weight::DATA_WRITE,
            _ => weight::DATA_READ,
        };
        reasons.push(Reason {
            points,
            factor: "data",
            text: text.clone(),
            codes: Vec::new(),
        });
    }

    // Blast radius: how much is within reach, through its role and the functions it starts.
    blast(&down, own_escalation.is_some(), &mut reasons);

    // Weaknesses.
    let injection = codes_of_family(found, "INJ");
    if !injection.is_empty() {
        reasons.push(Reason {
            points: weight::INJECTION,
            factor: "weakness",
            text: "event data reaches a command, code, query, file or URL sink in its code".into(),
            codes: injection.clone(),
        });
    }
    let secrets = codes_of_family(found, "SEC");
    if !secrets.is_empty() {
        reasons.push(Reason {
            points: weight::SECRET,
            factor: "weakness",
            text: "a secret is stored in its configuration or code".into(),
            codes: secrets.clone(),
        });
    }
    let vulnerable: Vec<&'static str> = codes_of_family(found, "DEP")
        .into_iter()
        .filter(|code| *code != "DEP001")
        .collect();
    if !vulnerable.is_empty() {
        reasons.push(Reason {
            points: weight::VULNERABLE_DEPENDENCY,
            factor: "weakness",
            text: "it ships a dependency with a published vulnerability".into(),
            codes: vulnerable,
        });
    }
    let runtime = codes_in(found, &["DEP001"]);
    if !runtime.is_empty() {
        reasons.push(Reason {
            points: weight::RUNTIME,
            factor: "weakness",
            text: "its runtime no longer receives security patches (or soon won't)".into(),
            codes: runtime,
        });
    }

    // Operations: what makes an attack cheaper to run or harder to see.
    let operations: Vec<&'static str> = found
        .iter()
        .filter(|f| f.code.starts_with("DOW") || f.code.starts_with("LOG"))
        .map(|f| f.code)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !operations.is_empty() {
        let points =
            (operations.len() as u32 * weight::OPERATIONS_EACH).min(weight::OPERATIONS_CAP);
        reasons.push(Reason {
            points,
            factor: "operations",
            text: "attacks on it would be cheaper to run or harder to notice".into(),
            codes: operations,
        });
    }

    // Combinations weigh more than their parts, and say which facts they combine.
    let combination = |points, text: String, codes: Vec<&'static str>| Reason {
        points,
        factor: "combination",
        text,
        codes,
    };
    let with = |extra: &[&'static str]| {
        let mut codes: Vec<&'static str> = exposure.codes.clone();
        codes.extend(extra.iter().copied());
        codes.sort_unstable();
        codes.dedup();
        codes
    };
    let prefix = &exposure.prefix;
    if public && let Some((phrase, codes)) = &privilege {
        reasons.push(combination(
            weight::PUBLIC_AND_PRIVILEGED,
            format!("{prefix}, and {phrase}: a caller borrows its role"),
            with(codes),
        ));
    }
    if public && let Some(text) = &data_text {
        reasons.push(combination(
            weight::PUBLIC_AND_DATA,
            format!("{prefix}, and {text}"),
            with(&[]),
        ));
    }
    if public && !injection.is_empty() {
        reasons.push(combination(
            weight::PUBLIC_AND_INJECTION,
            format!(
                "{prefix}, and injectable: its event data reaches a dangerous sink in its code"
            ),
            with(&injection),
        ));
    }
    if public && !secrets.is_empty() {
        reasons.push(combination(
            weight::PUBLIC_AND_SECRET,
            format!("{prefix}, and it holds a secret that one code-execution bug would leak"),
            with(&secrets),
        ));
    }
    if !public && let (Some((phrase, codes)), Some(text)) = (&privilege, &data_text) {
        reasons.push(combination(
            weight::PRIVILEGED_AND_DATA,
            format!("{phrase}, and it {text}"),
            codes.clone(),
        ));
    }

    // Highest points first; equal points keep the order above (exposure, privilege, data, …).
    reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
    let raw = reasons.iter().map(|r| r.points).sum();
    let score = compress(&mut reasons);
    (
        Rank {
            raw,
            exposure: exposure.level,
        },
        FunctionScore {
            app: app.id.clone(),
            function: function.id.clone(),
            name: function.name.clone(),
            score,
            reasons,
            triggers: triggers(function, found),
            location: function.location.clone(),
        },
    )
}

/// The blast-radius reasons: breadth (data stores and functions within reach, beyond the
/// first) and escalation through a function it starts.
fn blast(down: &Downstream, own_escalation: bool, reasons: &mut Vec<Reason>) {
    let mut stores: Vec<&Node> = Vec::new();
    for d in &down.data {
        if !stores.iter().any(|s| s.id == d.store.id) {
            stores.push(d.store);
        }
    }
    stores.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.id.cmp(&b.id)));
    let items = stores.len() + down.functions.len();
    if items >= 2 {
        let points = (weight::BLAST_EACH * (items as u32 - 1)).min(weight::BLAST_CAP);
        let mut parts = Vec::new();
        if !stores.is_empty() {
            parts.push(plural(stores.len(), "data store", "data stores"));
        }
        if !down.functions.is_empty() {
            parts.push(plural(
                down.functions.len(),
                "other function",
                "other functions",
            ));
        }
        let names: Vec<String> = stores
            .iter()
            .chain(&down.functions)
            .map(|n| n.label.clone())
            .collect();
        reasons.push(Reason {
            points,
            factor: "blast",
            text: format!(
                "blast radius: {}{} within reach ({})",
                if down.truncated { "at least " } else { "" },
                parts.join(" and "),
                list(&names)
            ),
            codes: Vec::new(),
        });
    }
    if !own_escalation
        && let Some((edge, via)) = &down.escalation
        && !via.is_empty()
    {
        let names: Vec<&str> = via.iter().map(|n| n.label.as_str()).collect();
        reasons.push(Reason {
            points: weight::DOWNSTREAM_ESCALATION,
            factor: "blast",
            text: format!(
                "it can start {}, whose role can escalate to account administrator ({})",
                names.join(" → "),
                edge.label
            ),
            codes: Vec::new(),
        });
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
