//! Explainable per-function risk: a 0–100 score and the reason for every point.
//!
//! A function's risk is not the sum of its findings. It is what an attacker gets by reaching
//! it: **exposure** (who can start it, and whether they must authenticate), **privilege**
//! (what its role lets it do), **data reach** (which data stores that role can read or
//! change), **weaknesses** (injection sinks fed by event data, secrets,
//! vulnerable dependencies, obsolete runtimes) and **operations** (no throttling, no
//! logs). Each factor adds a capped number of points, and **combinations** add more: a public
//! function with an admin role that reaches a table is far worse than three separate
//! half-problems, so `public × over-privileged`, `public × data reach`, `public × injectable`
//! and `public × secret` each add a bonus. Every point comes with a [`Reason`] naming the findings or model facts
//! behind it, so the score can be argued with. Past 70 raw points the scale compresses (see
//! `compress`), so the worst functions still rank apart instead of all reading 100.
//!
//! The scorer reads the model and the findings only; it never re-runs rules.

pub mod cost;
mod reach;

use perimeter_model::{App, Function, Location, Model, TriggerKind};
use perimeter_rules::Finding;
use serde::Serialize;
use std::collections::BTreeSet;

pub use reach::{Access, Reach, data_reach};

/// One contribution to a function's score.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// Points this reason adds (the sum of a function's reasons is its score, capped at 100).
    pub points: u32,
    /// `exposure`, `privilege`, `data`, `weakness`, `operations` or `combination`.
    pub factor: &'static str,
    pub text: String,
    /// Finding codes behind this reason.
    pub codes: Vec<&'static str>,
}

/// A function's score with its explanation.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionScore {
    pub app: String,
    /// Function id within the app.
    pub function: String,
    pub name: String,
    pub score: u32,
    pub reasons: Vec<Reason>,
    /// One short description per trigger, e.g. `api GET /users (no auth)`.
    pub triggers: Vec<String>,
    pub location: Location,
}

/// Points per factor. Kept together so the weighting can be read (and argued with) at once.
mod weight {
    pub const PUBLIC_DIRECT: u32 = 30;
    pub const PUBLIC_INDIRECT: u32 = 25;
    pub const AUTHENTICATED_INTERNET: u32 = 10;
    pub const EVENT_SOURCE: u32 = 5;
    pub const ADMIN: u32 = 25;
    pub const ESCALATION: u32 = 20;
    pub const BROAD: u32 = 12;
    pub const DATA_WRITE: u32 = 10;
    pub const DATA_READ: u32 = 6;
    pub const SECRET: u32 = 10;
    pub const RUNTIME: u32 = 5;
    pub const INJECTION: u32 = 15;
    pub const VULNERABLE_DEPENDENCY: u32 = 8;
    pub const OPERATIONS_EACH: u32 = 2;
    pub const OPERATIONS_CAP: u32 = 8;
    pub const PUBLIC_AND_PRIVILEGED: u32 = 15;
    pub const PUBLIC_AND_DATA: u32 = 10;
    pub const PUBLIC_AND_SECRET: u32 = 5;
    pub const PUBLIC_AND_INJECTION: u32 = 15;
    pub const PRIVILEGED_AND_DATA: u32 = 5;
}

/// Scores every function of every app, highest first (ties by app and function id).
pub fn score(model: &Model, findings: &[Finding]) -> Vec<FunctionScore> {
    let mut scores: Vec<FunctionScore> = model
        .apps
        .iter()
        .flat_map(|app| {
            app.functions
                .iter()
                .map(move |f| score_function(app, f, findings))
        })
        .collect();
    scores.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| (&a.app, &a.function).cmp(&(&b.app, &b.function)))
    });
    scores
}

/// Findings that concern `function`: reported on it, or on the role it runs with.
fn findings_of<'a>(
    app: &'a App,
    function: &'a Function,
    findings: &'a [Finding],
) -> Vec<&'a Finding> {
    let role = function.role.known().map(String::as_str);
    // Code findings (secrets in code, vulnerable packages) are reported once per file of a
    // bundle; they concern every function that deploys that bundle or uses it as a layer.
    let ships = |file: &str| {
        function.code.as_ref().is_some_and(|code| {
            std::iter::once(&code.bundle)
                .chain(&code.layers)
                .filter_map(|id| app.bundle(id))
                .any(|bundle| bundle.files.iter().any(|f| f.path == file))
        })
    };
    findings
        .iter()
        .filter(|f| f.app == app.id)
        .filter(|f| {
            f.function.as_deref() == Some(function.id.as_str())
                || f.resource == function.id
                || (role.is_some() && f.function.is_none() && Some(f.resource.as_str()) == role)
                || (f.function.is_none() && ships(&f.location.file))
        })
        .collect()
}

/// The strongest reason of one factor, from the findings whose codes are in `codes`.
fn factor_from(found: &[&Finding], codes: &[&str]) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = found
        .iter()
        .filter(|f| codes.contains(&f.code))
        .map(|f| f.code)
        .collect();
    set.into_iter().collect()
}

/// The distinct codes of one rule family (`INJ`, `SEC`, …) among `found`.
fn codes_of_family(found: &[&Finding], family: &str) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = found
        .iter()
        .filter(|f| f.code.starts_with(family))
        .map(|f| f.code)
        .collect();
    set.into_iter().collect()
}

fn score_function(app: &App, function: &Function, findings: &[Finding]) -> FunctionScore {
    let found = findings_of(app, function, findings);
    let mut reasons = Vec::new();

    // Exposure: who can start the function.
    let direct = factor_from(&found, &["AUTH001", "AUTH002", "AUTH003"]);
    let indirect = factor_from(&found, &["AUTH006"]);
    let public = !direct.is_empty() || !indirect.is_empty();
    if !direct.is_empty() {
        reasons.push(Reason {
            points: weight::PUBLIC_DIRECT,
            factor: "exposure",
            text: "anyone on the internet can invoke it without authenticating".into(),
            codes: direct,
        });
    } else if !indirect.is_empty() {
        reasons.push(Reason {
            points: weight::PUBLIC_INDIRECT,
            factor: "exposure",
            text: "anyone can write to a bucket, topic or queue that triggers it".into(),
            codes: indirect,
        });
    } else if function.url.is_some() || function.triggers.iter().any(|t| t.kind.is_http()) {
        reasons.push(Reason {
            points: weight::AUTHENTICATED_INTERNET,
            factor: "exposure",
            text: "reachable from the internet by authenticated callers".into(),
            codes: Vec::new(),
        });
    } else if function
        .triggers
        .iter()
        .any(|t| t.kind != TriggerKind::Schedule)
    {
        reasons.push(Reason {
            points: weight::EVENT_SOURCE,
            factor: "exposure",
            text: "started by events whose content other parties may control".into(),
            codes: Vec::new(),
        });
    }

    // Privilege: what its role allows.
    let admin = factor_from(&found, &["IAM003"]);
    let escalation = factor_from(&found, &["IAM006"]);
    let broad = factor_from(&found, &["IAM001", "IAM002", "IAM004"]);
    let privileged = !admin.is_empty() || !escalation.is_empty() || !broad.is_empty();
    // One privilege reason, the strongest: an administrator that can also escalate is no
    // worse off than an administrator.
    if !admin.is_empty() {
        let mut codes = admin;
        codes.extend(escalation);
        reasons.push(Reason {
            points: weight::ADMIN,
            factor: "privilege",
            text: "its role has administrator or account-wide power".into(),
            codes,
        });
    } else if !escalation.is_empty() {
        reasons.push(Reason {
            points: weight::ESCALATION,
            factor: "privilege",
            text: "its role can escalate its own privileges".into(),
            codes: escalation,
        });
    } else if !broad.is_empty() {
        reasons.push(Reason {
            points: weight::BROAD,
            factor: "privilege",
            text: "its role uses wildcard actions or resources".into(),
            codes: broad,
        });
    }

    // Data reach: which data stores its role can touch.
    let reach = data_reach(app, function);
    let writes: Vec<&Reach> = reach.iter().filter(|r| r.access == Access::Write).collect();
    let reaches_data = !reach.is_empty();
    if !writes.is_empty() {
        reasons.push(Reason {
            points: weight::DATA_WRITE,
            factor: "data",
            text: format!("can change data in {}", describe_reach(&writes)),
            codes: Vec::new(),
        });
    } else if reaches_data {
        let reads: Vec<&Reach> = reach.iter().collect();
        reasons.push(Reason {
            points: weight::DATA_READ,
            factor: "data",
            text: format!("can read data in {}", describe_reach(&reads)),
            codes: Vec::new(),
        });
    }

    // Weaknesses.
    let injection = codes_of_family(&found, "INJ");
    let injectable = !injection.is_empty();
    if injectable {
        reasons.push(Reason {
            points: weight::INJECTION,
            factor: "weakness",
            text: "event data reaches a command, code, query, file or URL sink in its code".into(),
            codes: injection,
        });
    }
    let secrets = codes_of_family(&found, "SEC");
    let has_secret = !secrets.is_empty();
    if has_secret {
        reasons.push(Reason {
            points: weight::SECRET,
            factor: "weakness",
            text: "a secret is stored in its configuration or code".into(),
            codes: secrets,
        });
    }
    let vulnerable: Vec<&'static str> = codes_of_family(&found, "DEP")
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
    let runtime = factor_from(&found, &["DEP001"]);
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

    // Combinations weigh more than their parts.
    if public && privileged {
        reasons.push(Reason {
            points: weight::PUBLIC_AND_PRIVILEGED,
            factor: "combination",
            text: "public AND over-privileged: an unauthenticated caller borrows its role".into(),
            codes: Vec::new(),
        });
    }
    if public && reaches_data {
        reasons.push(Reason {
            points: weight::PUBLIC_AND_DATA,
            factor: "combination",
            text: "public AND reaches a data store: a path from the internet to data".into(),
            codes: Vec::new(),
        });
    }
    if public && injectable {
        reasons.push(Reason {
            points: weight::PUBLIC_AND_INJECTION,
            factor: "combination",
            text:
                "public AND injectable: an unauthenticated caller's data reaches a dangerous sink"
                    .into(),
            codes: Vec::new(),
        });
    }
    if public && has_secret {
        reasons.push(Reason {
            points: weight::PUBLIC_AND_SECRET,
            factor: "combination",
            text: "public AND holds a secret that one code-execution bug would leak".into(),
            codes: Vec::new(),
        });
    }
    if privileged && reaches_data && !public {
        reasons.push(Reason {
            points: weight::PRIVILEGED_AND_DATA,
            factor: "combination",
            text: "over-privileged AND reaches a data store".into(),
            codes: Vec::new(),
        });
    }

    reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
    let score = compress(&mut reasons);

    FunctionScore {
        app: app.id.clone(),
        function: function.id.clone(),
        name: function.name.clone(),
        score,
        reasons,
        triggers: describe_triggers(function, &found),
        location: function.location.clone(),
    }
}

/// Keeps scores below 100 while preserving their order, and says so in the points.
///
/// Raw points up to [`LINEAR_UNTIL`] count as they are. Above it, the rest approaches 100
/// without reaching it (`70 + 30·x/(x+40)` for `x` raw points past 70), so two bad functions
/// still rank apart instead of both saturating at 100. Each reason's points are scaled by the
/// same ratio (largest-remainder rounding), so the reasons still add up to the score.
fn compress(reasons: &mut Vec<Reason>) -> u32 {
    let raw: u32 = reasons.iter().map(|r| r.points).sum();
    if raw <= LINEAR_UNTIL {
        return raw;
    }
    let over = f64::from(raw - LINEAR_UNTIL);
    let score = (f64::from(LINEAR_UNTIL) + f64::from(100 - LINEAR_UNTIL) * over / (over + 40.0))
        .round() as u32;
    let ratio = f64::from(score) / f64::from(raw);
    let scaled: Vec<f64> = reasons
        .iter()
        .map(|r| f64::from(r.points) * ratio)
        .collect();
    for (reason, exact) in reasons.iter_mut().zip(&scaled) {
        reason.points = exact.floor() as u32;
    }
    let mut missing = score - reasons.iter().map(|r| r.points).sum::<u32>();
    let mut order: Vec<usize> = (0..reasons.len()).collect();
    order.sort_by(|&a, &b| {
        (scaled[b] - scaled[b].floor()).total_cmp(&(scaled[a] - scaled[a].floor()))
    });
    for i in order {
        if missing == 0 {
            break;
        }
        reasons[i].points += 1;
        missing -= 1;
    }
    reasons.retain(|r| r.points > 0);
    score
}

/// Raw points that count one for one; see [`compress`].
const LINEAR_UNTIL: u32 = 70;

fn describe_reach(reach: &[&Reach]) -> String {
    let names: Vec<&str> = reach.iter().map(|r| r.target.as_str()).collect();
    match names.len() {
        0 => String::new(),
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

/// Short trigger descriptions: `api GET /users (no auth)`, `function URL (auth NONE)`, `s3 Uploads`.
fn describe_triggers(function: &Function, found: &[&Finding]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(url) = &function.url {
        let auth = url.auth_type.as_str().unwrap_or("unresolved");
        out.push(format!("function URL (auth {auth})"));
    }
    // A function URL is described once, from `function.url`, even when a loader also lists it
    // as a trigger.
    let url_listed = function.url.is_some();
    for trigger in function
        .triggers
        .iter()
        .filter(|t| !(url_listed && t.kind == TriggerKind::FunctionUrl))
    {
        let kind = serde_json::to_string(&trigger.kind)
            .unwrap_or_default()
            .trim_matches('"')
            .to_string();
        let text = match &trigger.http {
            Some(route) => {
                let auth = match route.auth.known() {
                    Some(a) if a.is_none() && route.api_key_required.known() != Some(&true) => {
                        " (no auth)"
                    }
                    Some(a) if a.is_none() => " (api key)",
                    Some(_) => "",
                    None => " (auth unresolved)",
                };
                format!("{kind} {} {}{auth}", route.method, route.path)
            }
            None => match trigger.source.as_ref().and_then(|s| s.as_str()) {
                Some(source) => format!("{kind} {source}"),
                None => kind,
            },
        };
        out.push(text);
    }
    if found.iter().any(|f| f.code == "AUTH003") {
        out.push("resource policy open to anyone".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(points: &[u32]) -> Vec<Reason> {
        points
            .iter()
            .map(|&p| Reason {
                points: p,
                factor: "exposure",
                text: String::new(),
                codes: vec![],
            })
            .collect()
    }

    #[test]
    fn compression_keeps_order_stays_below_100_and_adds_up() {
        let mut last = 0;
        for raw in [10u32, 50, 70, 71, 90, 120, 160, 300] {
            let mut r = reasons(&[raw / 2, raw - raw / 2]);
            let score = compress(&mut r);
            assert!(score >= last, "monotonic at {raw}");
            assert!(score < 100, "{raw} -> {score}");
            assert_eq!(score, r.iter().map(|x| x.points).sum::<u32>());
            if raw <= LINEAR_UNTIL {
                assert_eq!(score, raw);
            }
            last = score;
        }
    }
}
