//! `perimeter policy [PATH]`: the least-privilege policy of each function, written from what its
//! code calls, with the evidence, the permissions granted today but unused, and a template patch.
//!
//! Loading is the scan's own ([`super::load`]); then the code stage reads each function's code
//! and `perimeter_iam::least_privilege` synthesizes. Exit 0 on success, 2 on error (including
//! an unknown `--function`, whose message lists the functions there are).

use super::load::{LoadArgs, load_model};
use anyhow::{Context, Result, bail};
use perimeter_iam::least_privilege::{self, FunctionPolicy};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `policy`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyFormat {
    Text,
    Json,
    Yaml,
}

#[derive(clap::Args)]
pub struct PolicyArgs {
    /// Folder (or single file) to read.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Only this function (its id, its deployed name, or `APP#ID`).
    #[arg(long, value_name = "NAME")]
    pub function: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PolicyFormat::Text)]
    pub format: PolicyFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: PATH/perimeter.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serverless Framework stage for `${opt:stage}` / `${sls:stage}`.
    #[arg(long)]
    pub stage: Option<String>,
    /// Resolve Serverless `${env:…}` variables from this process's environment.
    #[arg(long)]
    pub resolve_env: bool,
}

pub fn run(args: &PolicyArgs) -> Result<ExitCode> {
    let loaded = load_model(&LoadArgs {
        path: &args.path,
        config: args.config.as_deref(),
        stage: args.stage.clone(),
        resolve_env: args.resolve_env,
        code: true,
    })?;
    let model = &loaded.model;
    if model.apps.is_empty() && !model.errors.is_empty() {
        for e in &model.errors {
            eprintln!("perimeter: {e}");
        }
        bail!(
            "no application could be loaded ({} file(s) with errors)",
            model.errors.len()
        );
    }
    // Call sites the code stage saw but could not name (`file:line: text`): a function whose
    // files hold one is not complete enough to judge what it does not use.
    let unrecognized: Vec<String> = loaded
        .code
        .as_ref()
        .map(|s| s.unrecognized.clone())
        .unwrap_or_default();
    let mut policies =
        least_privilege::synthesize_with(model, least_privilege::knowledge(), &unrecognized);
    if let Some(wanted) = &args.function {
        let matches = |p: &FunctionPolicy| {
            let name = model
                .apps
                .iter()
                .find(|a| a.id == p.app)
                .and_then(|a| a.function(&p.function))
                .map(|f| f.name.as_str());
            &p.function == wanted
                || name == Some(wanted.as_str())
                || format!("{}#{}", p.app, p.function) == *wanted
        };
        let available: Vec<String> = policies
            .iter()
            .map(|p| format!("{} ({})", p.function, p.app))
            .collect();
        policies.retain(matches);
        if policies.is_empty() {
            bail!(
                "no function `{wanted}`; the functions are: {}",
                if available.is_empty() {
                    "(none)".to_string()
                } else {
                    available.join(", ")
                }
            );
        }
    }
    let doc = json!({ "functions": policies });
    let rendered = match args.format {
        PolicyFormat::Json => {
            let mut s = serde_json::to_string_pretty(&doc)?;
            s.push('\n');
            s
        }
        PolicyFormat::Yaml => least_privilege::patch::yaml_of(&doc, false),
        PolicyFormat::Text => text(&policies),
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`perimeter policy | head`) is not an error worth a message.
            let _ = out
                .write_all(rendered.as_bytes())
                .and_then(|()| out.flush());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The human-readable report: per function, the policy, why each action is there, and what
/// to remove.
fn text(policies: &[FunctionPolicy]) -> String {
    let mut out = String::new();
    for p in policies {
        out.push_str(&format!("Function {} ({})", p.function, p.app));
        if let Some(role) = &p.role {
            out.push_str(&format!(" — role {role}"));
            if !p.role_shared_with.is_empty() {
                out.push_str(&format!(", shared with {}", p.role_shared_with.join(", ")));
            }
        }
        out.push('\n');
        out.push_str("  Least-privilege policy:\n");
        let policy = serde_json::to_string_pretty(&p.policy).unwrap_or_default();
        for line in policy.lines() {
            out.push_str(&format!("    {line}\n"));
        }
        out.push_str("  Evidence:\n");
        for e in &p.evidence {
            out.push_str(&format!(
                "    {:<34} {}:{}  {}\n",
                e.action, e.file, e.line, e.call
            ));
        }
        if p.granted_unused.is_empty() {
            out.push_str("  Granted but unused: nothing\n");
        } else {
            out.push_str(if p.complete {
                "  Granted but unused (remove):\n"
            } else {
                "  Granted but unused (indicative: the code analysis is incomplete):\n"
            });
            for u in &p.granted_unused {
                let mut what = u.action.clone();
                if !u.used_for.is_empty() {
                    what.push_str(&format!(" (used only for {})", u.used_for.join(", ")));
                }
                if let Some(n) = u.unused_count {
                    what.push_str(&format!(" [{n} actions unused]"));
                }
                out.push_str(&format!(
                    "    {what}\n      granted by {} statement {} at {}:{}\n",
                    u.granted_by.policy,
                    u.granted_by.statement,
                    u.granted_by.file,
                    u.granted_by.line
                ));
            }
        }
        if !p.unrecognized.is_empty() {
            out.push_str("  Unrecognized SDK calls (their permissions are not in the policy):\n");
            for u in &p.unrecognized {
                out.push_str(&format!("    {}:{}  {}\n", u.file, u.line, u.call));
            }
        }
        if !p.notes.is_empty() {
            out.push_str("  Notes:\n");
            for n in &p.notes {
                out.push_str(&format!("    - {n}\n"));
            }
        }
        out.push_str(&format!(
            "  Patch for {}:{}: {}\n",
            p.patch.file, p.patch.line, p.patch.instructions
        ));
        for line in p.patch.yaml.lines() {
            out.push_str(&format!("    {line}\n"));
        }
        out.push('\n');
    }
    if policies.is_empty() {
        out.push_str("No functions found.\n");
    }
    out
}
