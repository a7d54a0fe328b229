//! `perimeter enforce`: the opt-in kill switch (reserved concurrency 0, tagged, alerted;
//! `--restore`).
//!
//! The account is read and judged as `scan --aws` does ([`super::pipeline`]); each deployed
//! function the `[enforce]` policy covers is checked against it ([`verdicts`]), and for those
//! that break it the live state decides the action (`perimeter_aws::enforce::decide`): block,
//! re-apply a block someone lifted, or nothing when already blocked. A dry run (the default)
//! prints that plan; `--apply` carries it out and sends an alert per function.
//!
//! Off by default: without an `[enforce]` section the command refuses to act. `--restore`
//! works without it (undoing our own block is always allowed).

use super::aws::LiveArgs;
use super::pipeline::Analysis;
use anyhow::{Result, bail};
use perimeter_config::{Config, EnforceConfig};
use perimeter_model::{App, Function, Model};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EnforceArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Act: stop the functions that break the policy. Without it, print the plan only.
    #[arg(long, conflicts_with = "restore")]
    pub apply: bool,
    /// Undo a block: put back FUNCTION's previous reserved concurrency and remove the tags.
    #[arg(long, value_name = "FUNCTION")]
    pub restore: Option<String>,
    /// Configuration file (default: ./perimeter.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `text` or `json`.
    #[arg(long, short = 'f', value_enum, default_value_t = EnforceFormat::Text)]
    pub format: EnforceFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnforceFormat {
    Text,
    Json,
}

/// Why one deployed function breaks (or not) the policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    /// App id (the account/region of a live read).
    pub app: String,
    /// Function id within the app.
    pub function: String,
    /// Deployed name.
    pub name: String,
    /// Unqualified function ARN.
    pub arn: String,
    pub region: String,
    /// One phrase per broken condition; empty: the function complies.
    pub reasons: Vec<String>,
    /// The function carries a `perimeter:blocked-by` tag (as the live read saw it).
    pub tagged_blocked: bool,
}

// Without the `aws` feature nothing carries out a plan: these helpers are then unused.
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
impl Verdict {
    pub fn violates(&self) -> bool {
        !self.reasons.is_empty()
    }

    /// The reasons as one line (also the tag value, after AWS's character rules).
    pub fn reason(&self) -> String {
        self.reasons.join("; ")
    }
}

/// The verdict on every deployed function of `model` that `policy` covers.
pub fn verdicts(model: &Model, analysis: &Analysis, policy: &EnforceConfig) -> Vec<Verdict> {
    let mut out = Vec::new();
    for app in &model.apps {
        for function in &app.functions {
            let Some(deployed) = &function.deployed else {
                continue;
            };
            if !policy.covers(&function.name) {
                continue;
            }
            let region = app
                .live
                .as_ref()
                .map(|l| l.region.clone())
                .or_else(|| deployed.arn.split(':').nth(3).map(str::to_string))
                .unwrap_or_default();
            out.push(Verdict {
                app: app.id.clone(),
                function: function.id.clone(),
                name: function.name.clone(),
                arn: deployed.arn.clone(),
                region,
                reasons: reasons(app, function, analysis, policy),
                tagged_blocked: function
                    .tags
                    .iter()
                    .any(|(k, _)| k == perimeter_aws_tags::BLOCKED_BY),
            });
        }
    }
    out
}

/// Tag names, repeated here so the judging part builds without the `aws` feature.
mod perimeter_aws_tags {
    pub const BLOCKED_BY: &str = "perimeter:blocked-by";
}

fn reasons(
    app: &App,
    function: &Function,
    analysis: &Analysis,
    policy: &EnforceConfig,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(max) = policy.max_score
        && let Some(score) = analysis
            .scores
            .iter()
            .find(|s| s.app == app.id && s.function == function.id)
        && score.score > max
    {
        reasons.push(format!("score {} above max-score {max}", score.score));
    }
    let mut codes: Vec<&str> = analysis
        .findings
        .iter()
        .filter(|f| f.app == app.id && f.function.as_deref() == Some(function.id.as_str()))
        .map(|f| f.code)
        .filter(|code| policy.block_codes.iter().any(|b| b == code))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if !codes.is_empty() {
        reasons.push(format!("finding {}", codes.join(" ")));
    }
    if policy.block_public_unauth {
        let exposure = perimeter_rules::exposure::function_exposure(app, function);
        if let Some(entry) = exposure.public_entry_points().next() {
            reasons.push(format!(
                "public without authentication: {}",
                entry.description
            ));
        }
    }
    reasons
}

/// The configuration and its `[enforce]` policy, or why enforcement is off.
fn policy(args: &EnforceArgs) -> Result<(Config, Option<EnforceConfig>)> {
    let rules = perimeter_rules::registry();
    let codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
    let config =
        super::load::load_config(args.config.as_deref(), std::path::Path::new("."), &codes)?;
    let policy = config.enforce.clone();
    Ok((config, policy))
}

/// The message when there is no `[enforce]` section.
const OFF: &str = "enforcement is off: the configuration has no [enforce] section. The kill switch stops production functions, so it only acts on a policy you wrote down, e.g.\n\n  [enforce]\n  max-score = 80\n  block-codes = [\"AUTH002\"]\n  block-public-unauth = true\n\nin perimeter.toml (or --config FILE); then `perimeter enforce` shows the plan and `--apply` acts";

pub fn run(args: &EnforceArgs) -> Result<ExitCode> {
    let (config, policy) = policy(args)?;
    if let Some(function) = &args.restore {
        return restore(args, &config, function);
    }
    let Some(policy) = policy else {
        bail!("{OFF}");
    };
    let read = super::aws::read_live(&args.live)?;
    let analysis = super::pipeline::analyze(&read.model, &config, None);
    let verdicts = verdicts(&read.model, &analysis, &policy);
    let report = carry_out(&verdicts, &config, args.apply, &args.live)?;
    print(&report, args.format);
    Ok(report.exit_code())
}

/// What happened (or would happen) to one function.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub function: String,
    pub arn: String,
    pub region: String,
    /// `block`, `reapply`, `already-blocked`, `blocked-but-fixed`.
    pub action: &'static str,
    pub reasons: Vec<String>,
    /// Reserved concurrency before (`null`: none).
    pub concurrency_before: Option<i32>,
    /// `true` once the action was carried out (`--apply`).
    pub applied: bool,
    /// Why the action failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The outcome of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub apply: bool,
    /// Functions the policy covers.
    pub checked: usize,
    pub steps: Vec<Step>,
}

impl Report {
    /// 0 nothing breaks the policy, 1 some function does, 2 an action failed.
    pub fn exit_code(&self) -> ExitCode {
        if self.steps.iter().any(|s| s.error.is_some()) {
            ExitCode::from(2)
        } else if self.steps.iter().any(|s| s.action != "blocked-but-fixed") {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Plans and (with `apply`) carries out the blocks for `verdicts`. Also what the Lambda mode
/// calls after its scan.
#[cfg(feature = "aws")]
pub fn carry_out(
    verdicts: &[Verdict],
    config: &Config,
    apply: bool,
    live: &LiveArgs,
) -> Result<Report> {
    use super::alert::Alert;
    use perimeter_aws::enforce::{Action, BlockTags, Connect, Enforcer, decide};
    use std::collections::BTreeMap;

    let mut enforcers: BTreeMap<String, Enforcer> = BTreeMap::new();
    let mut caller: Option<String> = None;
    let mut steps = Vec::new();
    let at = now_rfc3339();
    for verdict in verdicts {
        if !verdict.violates() && !verdict.tagged_blocked {
            continue;
        }
        if !enforcers.contains_key(&verdict.region) {
            let enforcer = Enforcer::connect(&Connect {
                profile: live.profile.clone(),
                region: Some(verdict.region.clone()).filter(|r| !r.is_empty()),
            })?;
            if caller.is_none() {
                caller = enforcer.caller();
            }
            enforcers.insert(verdict.region.clone(), enforcer);
        }
        let Some(enforcer) = enforcers.get(&verdict.region) else {
            continue;
        };
        let state = match enforcer.state(&verdict.arn) {
            Ok(state) => state,
            Err(e) => {
                steps.push(step(verdict, "block", None, false, Some(e.to_string())));
                continue;
            }
        };
        let action = decide(&state, verdict.violates());
        let (name, previous) = match action {
            Action::Nothing => continue,
            Action::AlreadyBlocked => {
                steps.push(step(
                    verdict,
                    "already-blocked",
                    state.reserved,
                    false,
                    None,
                ));
                continue;
            }
            Action::BlockedButFixed => {
                steps.push(step(
                    verdict,
                    "blocked-but-fixed",
                    state.reserved,
                    false,
                    None,
                ));
                continue;
            }
            Action::Block { previous } => ("block", previous),
            Action::Reapply { previous, .. } => ("reapply", previous),
        };
        if !apply {
            steps.push(step(verdict, name, state.reserved, false, None));
            continue;
        }
        let by = match &caller {
            Some(arn) => format!("perimeter {} as {arn}", env!("CARGO_PKG_VERSION")),
            None => format!("perimeter {}", env!("CARGO_PKG_VERSION")),
        };
        let block = BlockTags {
            by,
            at: at.clone(),
            reason: verdict.reason(),
            previous,
        };
        match enforcer.block(&state, &block) {
            Ok(_) => {
                let alert = Alert {
                    kind: "function-blocked".into(),
                    severity: "high".into(),
                    title: format!(
                        "{} {}: reserved concurrency set to 0 ({})",
                        if name == "reapply" {
                            "Re-blocked"
                        } else {
                            "Blocked"
                        },
                        verdict.name,
                        verdict.reason()
                    ),
                    function: Some(verdict.arn.clone()),
                    details: serde_json::json!({
                        "action": name,
                        "region": verdict.region,
                        "reasons": verdict.reasons,
                        "previous_concurrency": previous,
                        "lifted_to": if name == "reapply" { state.reserved } else { None },
                    }),
                };
                // The block stands even when the alert cannot be sent: say so and go on.
                if let Err(e) = super::alert::send(config, &alert) {
                    eprintln!("perimeter: {}: alert not sent: {e:#}", verdict.name);
                }
                steps.push(step(verdict, name, state.reserved, true, None));
            }
            Err(e) => steps.push(step(
                verdict,
                name,
                state.reserved,
                false,
                Some(e.to_string()),
            )),
        }
    }
    Ok(Report {
        apply,
        checked: verdicts.len(),
        steps,
    })
}

#[cfg(not(feature = "aws"))]
pub fn carry_out(_: &[Verdict], _: &Config, _: bool, _: &LiveArgs) -> Result<Report> {
    bail!("this perimeter was built without live AWS support (cargo feature `aws`)")
}

#[cfg_attr(not(feature = "aws"), allow(dead_code))]
fn step(
    verdict: &Verdict,
    action: &'static str,
    before: Option<i32>,
    applied: bool,
    error: Option<String>,
) -> Step {
    Step {
        function: verdict.name.clone(),
        arn: verdict.arn.clone(),
        region: verdict.region.clone(),
        action,
        reasons: verdict.reasons.clone(),
        concurrency_before: before,
        applied,
        error,
    }
}

#[cfg(feature = "aws")]
fn restore(args: &EnforceArgs, config: &Config, function: &str) -> Result<ExitCode> {
    use super::alert::Alert;
    use perimeter_aws::enforce::{Connect, Enforcer};
    // A function ARN names its region; a name is looked up in --region or the default one.
    let region = function
        .starts_with("arn:")
        .then(|| function.split(':').nth(3).map(str::to_string))
        .flatten()
        .or_else(|| args.live.regions.first().cloned());
    let enforcer = Enforcer::connect(&Connect {
        profile: args.live.profile.clone(),
        region,
    })?;
    let (outcome, block) = enforcer.restore(function)?;
    let previous = outcome
        .after
        .map(|n| n.to_string())
        .unwrap_or_else(|| "none (reservation removed)".into());
    match args.format {
        EnforceFormat::Text => println!(
            "restored {}: reserved concurrency {previous}; blocked at {} by {} for: {}",
            outcome.arn, block.at, block.by, block.reason
        ),
        EnforceFormat::Json => println!(
            "{}",
            serde_json::json!({
                "restored": outcome.arn,
                "concurrency": outcome.after,
                "blocked_at": block.at,
                "blocked_by": block.by,
                "reason": block.reason,
            })
        ),
    }
    let alert = Alert {
        kind: "function-restored".into(),
        severity: "info".into(),
        title: format!("Restored {}: reserved concurrency {previous}", outcome.arn),
        function: Some(outcome.arn.clone()),
        details: serde_json::json!({
            "previous_concurrency": outcome.after,
            "blocked_at": block.at,
            "blocked_by": block.by,
            "reason": block.reason,
        }),
    };
    super::alert::send(config, &alert)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "aws"))]
fn restore(_: &EnforceArgs, _: &Config, _: &str) -> Result<ExitCode> {
    bail!("this perimeter was built without live AWS support (cargo feature `aws`)")
}

fn print(report: &Report, format: EnforceFormat) {
    match format {
        EnforceFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(report).unwrap_or_default()
            );
        }
        EnforceFormat::Text => {
            if report.apply {
                println!("perimeter enforce: applying the policy");
            } else {
                println!("perimeter enforce: dry run (nothing changed; --apply to act)");
            }
            for s in &report.steps {
                let what = match (s.action, s.applied) {
                    ("block", true) => "BLOCKED",
                    ("block", false) => "WOULD BLOCK",
                    ("reapply", true) => "RE-BLOCKED",
                    ("reapply", false) => "WOULD RE-BLOCK",
                    ("already-blocked", _) => "STILL BLOCKED",
                    _ => "FIXED",
                };
                let before = s
                    .concurrency_before
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "none".into());
                print!("{what:<15} {} (concurrency {before})", s.arn);
                if s.action == "blocked-but-fixed" {
                    print!(
                        ": blocked earlier, no longer breaks the policy: `perimeter enforce --restore {}`",
                        s.function
                    );
                } else {
                    print!(": {}", s.reasons.join("; "));
                }
                match &s.error {
                    Some(e) => println!(" — FAILED: {e}"),
                    None => println!(),
                }
            }
            let breaking = report
                .steps
                .iter()
                .filter(|s| s.action != "blocked-but-fixed")
                .count();
            println!(
                "{} function(s) checked, {breaking} break the policy",
                report.checked
            );
        }
    }
}

/// The current UTC time as RFC 3339 (`2026-07-01T10:00:00Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let date = perimeter_rules::rules::dep::Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_model::{Attr, Deployed, FunctionUrl, LiveScope, Location, SourceKind};

    fn model() -> Model {
        let mut app = App::new(
            "aws:1:eu-west-1",
            "1/eu-west-1",
            SourceKind::Aws,
            "aws:1:eu-west-1",
        );
        app.live = Some(LiveScope {
            account_id: "1".into(),
            region: "eu-west-1".into(),
            regions_scanned: vec!["eu-west-1".into()],
            captured_at: "2026-07-01T00:00:00Z".into(),
            metrics_days: 30,
            gaps: vec![],
        });
        for name in ["prod-open", "prod-closed", "dev-open"] {
            let arn = format!("arn:aws:lambda:eu-west-1:1:function:{name}");
            let mut f = Function::new(name, Location::new(&arn, 1, 1));
            f.runtime = Attr::explicit("python3.13".into(), Location::new(&arn, 1, 1));
            if name.ends_with("open") {
                f.url = Some(FunctionUrl {
                    auth_type: Attr::explicit("NONE".into(), Location::new(&arn, 1, 1)),
                    cors: None,
                    location: Location::new(&arn, 1, 1),
                });
            }
            f.deployed = Some(Deployed {
                arn,
                last_modified: None,
                code_sha256: None,
                code_size: None,
                state: None,
                invocations: None,
                last_invoked: None,
            });
            app.functions.push(f);
        }
        Model {
            apps: vec![app],
            errors: vec![],
        }
    }

    #[test]
    fn policy_conditions_and_function_globs() {
        let model = model();
        let config = Config::parse(
            "[enforce]\nblock-public-unauth = true\nblock-codes = [\"AUTH001\"]\nmax-score = 99\nfunctions = [\"prod-*\"]\n",
            "perimeter.toml",
            &perimeter_rules::registry().iter().map(|r| r.meta().code).collect::<Vec<_>>(),
        )
        .expect("config");
        let mut analysis = super::super::pipeline::analyze(&model, &config, None);
        // A kept AUTH001 finding on the closed function: blocked by `block-codes`.
        let meta = perimeter_rules::find_rule("AUTH001")
            .expect("AUTH001")
            .meta();
        analysis.findings.push(perimeter_rules::Finding::new(
            meta,
            "aws:1:eu-west-1",
            Some("prod-closed"),
            "prod-closed",
            "k",
            "m",
            Location::new("x", 1, 1),
            "r",
        ));
        let policy = config.enforce.clone().expect("policy");
        let verdicts = verdicts(&model, &analysis, &policy);
        let names: Vec<_> = verdicts
            .iter()
            .map(|v| (v.name.as_str(), v.reasons.clone()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "prod-open",
                    vec!["public without authentication: function URL (auth NONE)".to_string()]
                ),
                ("prod-closed", vec!["finding AUTH001".to_string()]),
            ]
        );
        assert_eq!(verdicts[0].region, "eu-west-1");
        assert!(verdicts.iter().all(Verdict::violates));
    }

    #[test]
    fn time_is_rfc3339() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T', "{now}");
    }
}
