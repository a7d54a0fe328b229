//! The SAM translator as an oracle for the SAM transform.
//!
//! For every valid input of the translator's own test suite (`sam-translator/input/*.yaml`,
//! `error_*` skipped) with an expected output (`output/<same name>.json`), the SAM template is
//! loaded with the SAM transform and the translator's CloudFormation output with the plain
//! CloudFormation loader, and what both derive is compared: the function IDs, each function's
//! trigger kinds (as a multiset), the authentication of each HTTP route (authorizer kind and
//! API-key requirement), and the role of each function (the sorted set of policy actions from
//! inline and template policies, and the set of managed policy ARNs). The overall rate over
//! these four must reach 0.99. Each function's configuration (runtime, handler, timeout,
//! memory, tracing, concurrency, layers, environment names: what `Globals` merging decides)
//! is compared too and reported apart.
//!
//! The corpus lives beside the repository (`../shared/corpora`); the test fails when it is
//! missing. Set `ORACLE_VERBOSE=1` to print every disagreement.

use perimeter_load::cloudformation;
use perimeter_load::doc::{parse_json, parse_yaml};
use perimeter_model::{App, Auth, SourceKind, TriggerKind, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/iac/sam-translator");
    assert!(
        dir.join("input").is_dir() && dir.join("output").is_dir(),
        "the SAM translator corpus is missing at {} (clone shared/ beside the repository)",
        dir.display()
    );
    dir
}

fn kinds(app: &App) -> BTreeMap<String, Vec<TriggerKind>> {
    app.functions
        .iter()
        .map(|f| {
            let mut k: Vec<TriggerKind> = f.triggers.iter().map(|t| t.kind).collect();
            k.sort_by_key(|k| format!("{k:?}"));
            (f.id.clone(), k)
        })
        .collect()
}

fn auth_class(a: &Value<Auth>) -> &'static str {
    match a {
        Value::Known(Auth::None) => "none",
        Value::Known(Auth::Iam) => "iam",
        Value::Known(Auth::Cognito(_)) => "cognito",
        Value::Known(Auth::Jwt(_)) => "jwt",
        Value::Known(Auth::Lambda(_)) => "lambda",
        Value::Known(Auth::Other(_)) => "other",
        Value::Unresolved(_) => "unresolved",
    }
}

/// Per function: the sorted routes with their auth class and API-key requirement.
fn routes(app: &App) -> BTreeMap<String, Vec<String>> {
    app.functions
        .iter()
        .map(|f| {
            let mut r: Vec<String> = f
                .triggers
                .iter()
                .filter(|t| matches!(t.kind, TriggerKind::Api | TriggerKind::HttpApi))
                .filter_map(|t| t.http.as_ref())
                .map(|h| {
                    let key = match h.api_key_required.value {
                        Value::Known(true) => "key",
                        Value::Known(false) => "nokey",
                        Value::Unresolved(_) => "key?",
                    };
                    format!(
                        "{} {} {} {}",
                        h.method,
                        h.path,
                        auth_class(&h.auth.value),
                        key
                    )
                })
                .collect();
            r.sort();
            (f.id.clone(), r)
        })
        .collect()
}

/// Per function: (actions of its role, lower-cased; managed policy ARNs).
fn roles(app: &App) -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    app.functions
        .iter()
        .map(|f| {
            let (mut actions, mut managed) = (BTreeSet::new(), BTreeSet::new());
            if let Some(role) = app.role_of(f) {
                for (_, s) in role.statements() {
                    for a in s.actions.iter().chain(&s.not_actions) {
                        actions.insert(a.as_str().map_or("?".to_string(), str::to_ascii_lowercase));
                    }
                }
                for m in &role.managed_policy_arns {
                    managed.insert(m.as_str().unwrap_or("?").to_string());
                }
            }
            (f.id.clone(), (actions, managed))
        })
        .collect()
}

/// Per function: runtime, handler, timeout, memory, tracing, reserved concurrency, layers,
/// environment variable names (what `Globals` merging decides).
fn configs(app: &App) -> BTreeMap<String, String> {
    fn v<T: std::fmt::Debug>(a: &perimeter_model::Attr<T>) -> String {
        match &a.value {
            Value::Known(x) => format!("{x:?}"),
            Value::Unresolved(_) => "?".to_string(),
        }
    }
    app.functions
        .iter()
        .map(|f| {
            let mut env: Vec<&str> = f.environment.iter().map(|e| e.name.as_str()).collect();
            env.sort();
            let conc = f.reserved_concurrency.as_ref().map(v).unwrap_or_default();
            let layers = f.layers.len();
            let desc = format!(
                "{} {} {} {} {} {conc} {layers} {env:?}",
                v(&f.runtime),
                v(&f.handler),
                v(&f.timeout),
                v(&f.memory),
                v(&f.tracing)
            );
            (f.id.clone(), desc)
        })
        .collect()
}

/// Per API: its resource policy as sorted (effect, actions, principal kinds, condition
/// operators and keys) tuples.
fn api_policies(app: &App) -> BTreeMap<String, Vec<String>> {
    app.apis
        .iter()
        .map(|a| {
            let mut v: Vec<String> = a
                .policy
                .iter()
                .map(|s| {
                    let actions: Vec<&str> = s.known_actions().collect();
                    let principals: Vec<String> = s
                        .principals
                        .iter()
                        .map(|p| format!("{:?}", p.kind))
                        .collect();
                    let conds: Vec<String> = s
                        .conditions
                        .iter()
                        .map(|c| format!("{}:{}", c.operator, c.key))
                        .collect();
                    format!("{:?} {actions:?} {principals:?} {conds:?}", s.effect)
                })
                .collect();
            v.sort();
            (a.id.clone(), v)
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.agree += usize::from(ok);
    }

    fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.agree as f64 / self.total as f64
        }
    }
}

#[test]
fn sam_transform_agrees_with_the_translator() {
    let dir = corpus();
    let verbose = std::env::var_os("ORACLE_VERBOSE").is_some();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("input"))
        .expect("read input dir")
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .filter(|n| n.ends_with(".yaml") && !n.starts_with("error_"))
        .collect();
    names.sort();
    let mut config = Tally::default();
    let mut api_policy = Tally::default();
    let (mut ids, mut triggers, mut auth, mut policy) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    let mut compared = 0;
    for name in &names {
        let stem = name.trim_end_matches(".yaml");
        let out_path = dir.join("output").join(format!("{stem}.json"));
        let Ok(out_text) = std::fs::read_to_string(&out_path) else {
            continue;
        };
        let in_text = std::fs::read_to_string(dir.join("input").join(name)).expect("read input");
        let (Ok(Some(input)), Ok(Some(output))) = (parse_yaml(&in_text), parse_json(&out_text))
        else {
            panic!("{name}: input or output does not parse");
        };
        compared += 1;
        let sam = cloudformation::load(name, &input, SourceKind::Sam);
        let cfn =
            cloudformation::load(&format!("{stem}.json"), &output, SourceKind::CloudFormation);

        let sam_ids: BTreeSet<_> = sam.functions.iter().map(|f| f.id.clone()).collect();
        let cfn_ids: BTreeSet<_> = cfn.functions.iter().map(|f| f.id.clone()).collect();
        ids.add(sam_ids == cfn_ids);
        if verbose && sam_ids != cfn_ids {
            eprintln!("{stem}: functions {sam_ids:?} vs {cfn_ids:?}");
        }
        let (sk, ck) = (kinds(&sam), kinds(&cfn));
        let (sr, cr) = (routes(&sam), routes(&cfn));
        let (sp, cp) = (roles(&sam), roles(&cfn));
        let (sc, cc) = (configs(&sam), configs(&cfn));
        let (sa, ca) = (api_policies(&sam), api_policies(&cfn));
        for (id, sv) in &sa {
            if let Some(cv) = ca.get(id) {
                api_policy.add(sv == cv);
                if verbose && sv != cv {
                    eprintln!("{stem} api {id}: policy {sv:?} vs {cv:?}");
                }
            }
        }
        for id in sam_ids.intersection(&cfn_ids) {
            triggers.add(sk[id] == ck[id]);
            auth.add(sr[id] == cr[id]);
            policy.add(sp[id] == cp[id]);
            config.add(sc[id] == cc[id]);
            if verbose && sc[id] != cc[id] {
                eprintln!("{stem} {id}: config {} vs {}", sc[id], cc[id]);
            }
            if verbose {
                if sk[id] != ck[id] {
                    eprintln!("{stem} {id}: triggers {:?} vs {:?}", sk[id], ck[id]);
                }
                if sr[id] != cr[id] {
                    eprintln!("{stem} {id}: routes {:?} vs {:?}", sr[id], cr[id]);
                }
                if sp[id] != cp[id] {
                    let (sa, sm) = &sp[id];
                    let (ca, cm) = &cp[id];
                    eprintln!(
                        "{stem} {id}: actions only-sam {:?} only-cfn {:?}; managed only-sam {:?} only-cfn {:?}",
                        sa.difference(ca).collect::<Vec<_>>(),
                        ca.difference(sa).collect::<Vec<_>>(),
                        sm.difference(cm).collect::<Vec<_>>(),
                        cm.difference(sm).collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    let overall = Tally {
        agree: ids.agree + triggers.agree + auth.agree + policy.agree,
        total: ids.total + triggers.total + auth.total + policy.total,
    };
    println!("SAM oracle: {compared} templates compared");
    for (name, t) in [
        ("function ids", &ids),
        ("trigger kinds", &triggers),
        ("route auth", &auth),
        ("role policies", &policy),
        ("overall", &overall),
    ] {
        println!("  {name:<14} {:>5}/{:<5} {:.4}", t.agree, t.total, t.rate());
    }
    println!(
        "  (not in overall) function config {:>5}/{:<5} {:.4}",
        config.agree,
        config.total,
        config.rate()
    );
    println!(
        "  (not in overall) API resource policy {:>5}/{:<5} {:.4}",
        api_policy.agree,
        api_policy.total,
        api_policy.rate()
    );
    assert!(compared > 400, "only {compared} templates compared");
    assert!(
        config.rate() >= 0.99,
        "function configuration agreement {:.4} below 0.99",
        config.rate()
    );
    assert!(
        overall.rate() >= 0.99,
        "overall agreement {:.4} below 0.99",
        overall.rate()
    );
}
