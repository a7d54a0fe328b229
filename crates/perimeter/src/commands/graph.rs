//! `perimeter graph [PATH]`: the attack graph of the scanned apps (entry points, triggers,
//! functions, roles, data stores) and its attack paths, as DOT, Mermaid or JSON.
//!
//! Loading is the scan's own ([`super::load`]) with the code stage (SDK calls give
//! function-to-function edges); the graph is `perimeter_graph::build`. `--function` keeps one
//! function's neighbourhood and the paths through it. Exit 0 on success, 2 on error
//! (including a `--function` that matches nothing).

use super::load::{LoadArgs, load_model};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `graph`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz (`dot -Tsvg`).
    Dot,
    /// A Mermaid `flowchart LR` (renders in GitHub Markdown).
    Mermaid,
    /// `{"nodes":[…],"edges":[…],"paths":[…]}`, documented in docs/graph.md.
    Json,
}

#[derive(clap::Args)]
#[command(after_long_help = JSON_HELP)]
pub struct GraphArgs {
    /// Folder (or single file) to read.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Only this function's neighbourhood and the attack paths through it (its id, its
    /// deployed name, or `APP#ID`).
    #[arg(long, value_name = "NAME")]
    pub function: Option<String>,
    /// Start attack paths here instead of at `internet`, `authenticated` and `aws-accounts`:
    /// an entry (`internet`, `authenticated`, `aws-accounts`, `aws-services`, `schedule`) or any
    /// node id (e.g. `template.yaml#MyFunction`). Repeatable.
    #[arg(long, value_name = "NODE")]
    pub from: Vec<String>,
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

const JSON_HELP: &str = "JSON output (see docs/graph.md):
  nodes: [{id, kind, label, app, subtype?, public, location?}]
    kind: entry | trigger | function | role | data-store | resource | account
    id:   \"internet\", \"authenticated\", \"aws-accounts\", \"aws-services\", \"schedule\",
          \"account-admin\", or \"{app}#{logical id}\" (triggers: \"{app}#{function}/{trigger}\")
  edges: [{from, to, kind, label, ease, reason}]
    kind: can-invoke | triggers | runs-as | can-read | can-write | can-delete | can-admin
          | calls | can-escalate; ease 0-100 = how easy the step is for an attacker
  paths: [{from, to, kind, steps: [edge…], weakest: edge, explanation}]
    kind: data-access | exfiltration | privilege";

pub fn run(args: &GraphArgs) -> Result<ExitCode> {
    let loaded = load_model(&LoadArgs {
        path: &args.path,
        config: args.config.as_deref(),
        stage: args.stage.clone(),
        resolve_env: args.resolve_env,
        code: true,
    })?;
    let mut graph = perimeter_graph::build(&loaded.model);
    if !args.from.is_empty() {
        if let Some(unknown) = args.from.iter().find(|f| graph.node(f).is_none()) {
            let entries: Vec<&str> = graph
                .nodes
                .iter()
                .filter(|n| n.kind == perimeter_graph::NodeKind::Entry)
                .map(|n| n.id.as_str())
                .collect();
            bail!(
                "no node `{unknown}` in the graph; entry points: {}",
                entries.join(", ")
            );
        }
        let limits = perimeter_graph::PathLimits {
            from: args.from.clone(),
            ..perimeter_graph::PathLimits::default()
        };
        graph.paths = perimeter_graph::find_paths(&graph, &limits);
    }
    if let Some(name) = &args.function {
        let focused = graph.focus(name);
        if focused.nodes.is_empty() {
            let names: Vec<String> = loaded
                .model
                .apps
                .iter()
                .flat_map(|a| {
                    a.functions
                        .iter()
                        .map(move |f| format!("{}#{}", a.id, f.id))
                })
                .collect();
            bail!(
                "no function `{name}`; functions: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
        }
        graph = focused;
    }
    let rendered = match args.format {
        GraphFormat::Dot => perimeter_graph::render::dot(&graph),
        GraphFormat::Mermaid => perimeter_graph::render::mermaid(&graph),
        GraphFormat::Json => {
            let mut text = serde_json::to_string_pretty(&graph)?;
            text.push('\n');
            text
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(rendered.as_bytes())
            .context("cannot write to standard output")?,
    }
    Ok(ExitCode::SUCCESS)
}
