//! The report's body: summary, filters, the ranked functions, the attack graph's place and
//! data, one page per function, findings not tied to a function, and errors.
//!
//! Everything here writes escaped HTML; the graph is only data (drawn by the script).

use super::layout::{Layout, layout};
use super::{escape, script_json};
use crate::frame::{Files, FrameLine, FrameStyle};
use crate::{ReportInput, Summary, qualified_function, severity_index, sorted_findings};
use perimeter_graph::{Graph, NodeKind, PathKind};
use perimeter_iam::least_privilege::{self, FunctionPolicy};
use perimeter_model::{App, Function};
use perimeter_rules::exposure::kind_name;
use perimeter_rules::{Finding, Severity};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write;

/// Apps are collapsed into one box each when the graph has more nodes than this.
const COLLAPSE_ABOVE: usize = 300;
/// Attack paths listed on one function's page.
const PATHS_PER_FUNCTION: usize = 25;
/// Attack paths listed in the graph section's text list.
const PATHS_LISTED: usize = 200;
/// Reasons shown per function in the ranking table.
const TABLE_REASONS: usize = 3;
/// Lines of context around a finding in its code frame, and the widest line shown.
const FRAME_CONTEXT: u32 = 2;
const FRAME_WIDTH: usize = 160;

pub(super) struct Rendered {
    pub title: String,
    pub body: String,
    /// The graph's JSON island (already safe inside a `<script>` element).
    pub data: String,
}

/// One function of the ranking, with what its page shows.
struct Entry<'a> {
    app: Option<&'a App>,
    function: Option<&'a Function>,
    findings: Vec<&'a Finding>,
    /// Node index in the graph.
    node: Option<usize>,
}

pub(super) fn render(input: &ReportInput<'_>) -> Rendered {
    let graph = perimeter_graph::build(input.model);
    let apps: HashMap<&str, &App> = input
        .model
        .apps
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let node_index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();

    // Findings of each ranked function; the rest are listed on their own.
    let findings = sorted_findings(input.findings);
    // How many functions each finding concerns (a role's finding concerns every function that
    // runs with it): one shared by several is written once, and referenced from their pages.
    let mut assigned = vec![0usize; findings.len()];
    let entries: Vec<Entry> = input
        .scores
        .iter()
        .map(|score| {
            let app = apps.get(score.app.as_str()).copied();
            let function = app.and_then(|a| a.function(&score.function));
            let mine: Vec<&Finding> = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| concerns(app, function, &score.app, &score.function, f))
                .map(|(i, f)| {
                    assigned[i] += 1;
                    *f
                })
                .collect();
            Entry {
                app,
                function,
                findings: mine,
                node: node_index
                    .get(qualified_function(&score.app, &score.function).as_str())
                    .copied(),
            }
        })
        .collect();
    let others: Vec<&Finding> = findings
        .iter()
        .zip(&assigned)
        .filter(|(_, a)| **a == 0)
        .map(|(f, _)| *f)
        .collect();
    let shared: Vec<&Finding> = findings
        .iter()
        .zip(&assigned)
        .filter(|(_, a)| **a > 1)
        .map(|(f, _)| *f)
        .collect();
    // Anchor of each shared finding, by address (findings are not comparable by value cheaply).
    let shared_ids: HashMap<*const Finding, usize> = shared
        .iter()
        .enumerate()
        .map(|(i, f)| (std::ptr::from_ref::<Finding>(f), i))
        .collect();

    let policies: HashMap<(String, String), FunctionPolicy> =
        least_privilege::synthesize(input.model, least_privilege::knowledge())
            .into_iter()
            .filter(|p| p.calls.total > 0)
            .map(|p| ((p.app.clone(), p.function.clone()), p))
            .collect();

    let mut app_order: HashMap<&str, usize> = HashMap::new();
    let mut function_order: HashMap<&str, usize> = HashMap::new();
    for (rank, (score, entry)) in input.scores.iter().zip(&entries).enumerate() {
        app_order.entry(score.app.as_str()).or_insert(rank);
        if let Some(i) = entry.node {
            function_order.insert(graph.nodes[i].id.as_str(), rank);
        }
    }
    let placed = layout(&graph, &app_order, &function_order);
    let page_of_node: HashMap<usize, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(page, e)| e.node.map(|n| (n, page)))
        .collect();
    let data = graph_data(&graph, &placed, &apps, &page_of_node);

    let mut files = Files::new(input.root);
    let secret_lines = secret_lines(input.findings);
    let mut body = String::new();
    header(&mut body, input);
    body.push_str("<main>\n");
    summary(&mut body, input, &graph);
    ranking(&mut body, input, &entries);
    graph_section(&mut body, &graph);
    body.push_str("<section class=\"card\" id=\"pages\"><h2>Functions</h2>\n<p class=\"muted\" id=\"fn-pages-hint\">Choose a function in the ranking (or a function node in the graph) to open its page.</p>\n");
    for (page, (score, entry)) in input.scores.iter().zip(&entries).enumerate() {
        let policy = policies.get(&(score.app.clone(), score.function.clone()));
        function_page(
            &mut body,
            page,
            score,
            entry,
            policy,
            (&graph, &shared_ids),
            (&mut files, &secret_lines),
        );
    }
    body.push_str("</section>\n");
    if !shared.is_empty() {
        let _ = writeln!(
            body,
            "<section class=\"card\" id=\"shared-findings\"><h2>Findings shared by several functions ({})</h2>",
            shared.len()
        );
        let mut framed: HashSet<&perimeter_model::Location> = HashSet::new();
        for (i, f) in shared.iter().enumerate() {
            let frame = framed.insert(&f.location);
            let _ = write!(body, "<div id=\"x-{i}\">");
            finding_html(&mut body, f, (&mut files, &secret_lines), frame);
            body.push_str("</div>\n");
        }
        body.push_str("</section>\n");
    }
    if !others.is_empty() {
        let _ = writeln!(
            body,
            "<section class=\"card\" id=\"other-findings\"><h2>Findings not tied to a function ({})</h2>",
            others.len()
        );
        let mut framed: HashSet<&perimeter_model::Location> = HashSet::new();
        for f in &others {
            let frame = framed.insert(&f.location);
            finding_html(&mut body, f, (&mut files, &secret_lines), frame);
        }
        body.push_str("</section>\n");
    }
    errors(&mut body, input);
    body.push_str("</main>\n");
    let _ = writeln!(
        body,
        "<footer>Generated by {} {} — a self-contained file: it loads nothing from the network.</footer>",
        crate::TOOL_NAME,
        escape(input.tool_version)
    );

    let title = match input.root.file_name().and_then(|n| n.to_str()) {
        Some(name) if !name.is_empty() => format!("perimeter report — {name}"),
        _ => "perimeter report".to_string(),
    };
    Rendered {
        title,
        body,
        data: script_json(&data),
    }
}

/// `true` when `f` concerns the function: reported on it, on the role it runs with, or on a
/// file of the code it ships (as the scorer attributes findings).
fn concerns(
    app: Option<&App>,
    function: Option<&Function>,
    app_id: &str,
    function_id: &str,
    f: &Finding,
) -> bool {
    if f.app != app_id {
        return false;
    }
    if f.function.as_deref() == Some(function_id) || f.resource == function_id {
        return true;
    }
    if f.function.is_some() {
        return false;
    }
    let Some(function) = function else {
        return false;
    };
    if function.role.known().map(String::as_str) == Some(f.resource.as_str()) {
        return true;
    }
    function.code.as_ref().is_some_and(|code| {
        std::iter::once(&code.bundle)
            .chain(&code.layers)
            .filter_map(|id| app.and_then(|a| a.bundle(id)))
            .any(|bundle| bundle.files.iter().any(|file| file.path == f.location.file))
    })
}

/// Lines that secret findings point at, per file: masked in every frame (as in the text report).
fn secret_lines(findings: &[Finding]) -> HashMap<String, Vec<u32>> {
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    for f in findings.iter().filter(|f| is_secret_finding(f)) {
        out.entry(f.location.file.clone())
            .or_default()
            .push(f.location.line);
    }
    out
}

fn is_secret_finding(f: &Finding) -> bool {
    f.code.starts_with("SEC")
}

/// The rule family of a code: its leading letters (`AUTH002` → `AUTH`).
pub(crate) fn family(code: &str) -> &str {
    code.trim_end_matches(|c: char| c.is_ascii_digit())
}

fn severity_class(s: Severity) -> &'static str {
    s.as_str()
}

fn header(out: &mut String, input: &ReportInput<'_>) {
    let _ = writeln!(
        out,
        "<header class=\"top\"><h1>perimeter report</h1><span class=\"muted\">{}</span><nav><a href=\"#summary\">Summary</a><a href=\"#ranking\">Ranking</a><a href=\"#graph-section\">Attack graph</a><a href=\"#pages\">Functions</a><a href=\"#shared-findings\">Shared findings</a><a href=\"#other-findings\">Other findings</a><a href=\"#errors\">Errors</a></nav></header>",
        escape(&input.root.display().to_string())
    );
}

fn summary(out: &mut String, input: &ReportInput<'_>, graph: &Graph) {
    let s = Summary::of(input);
    out.push_str("<section class=\"card\" id=\"summary\"><h2>Summary</h2>\n<ul class=\"counts\">");
    for sev in Severity::ALL.iter().rev() {
        let _ = write!(
            out,
            "<li><span class=\"sev sev-{0}\">{0}</span><b>{1}</b></li>",
            severity_class(*sev),
            s.count(*sev)
        );
    }
    let paths = |kind: PathKind| graph.paths.iter().filter(|p| p.kind == kind).count();
    for (label, n) in [
        ("findings", s.findings),
        ("functions", s.functions),
        ("apps", s.apps),
        ("data paths", paths(PathKind::DataAccess)),
        ("exfiltration paths", paths(PathKind::Exfiltration)),
        ("privilege paths", paths(PathKind::Privilege)),
        ("files with errors", s.files_with_errors),
        ("suppressed", s.suppressed),
    ] {
        let _ = write!(out, "<li>{label}<b>{n}</b></li>");
    }
    out.push_str("</ul>\n");
    let _ = writeln!(
        out,
        "<p class=\"muted\">{} ({} errors). AWS IAM catalog of {}. perimeter {}.</p></section>",
        escape(&crate::text::summary_line(&s)),
        s.errors,
        if input.iam_catalog_date.is_empty() {
            "unknown date".to_string()
        } else {
            escape(input.iam_catalog_date)
        },
        escape(input.tool_version)
    );
}

fn ranking(out: &mut String, input: &ReportInput<'_>, entries: &[Entry<'_>]) {
    let mut families: BTreeSet<&str> = BTreeSet::new();
    let mut triggers: BTreeMap<String, &str> = BTreeMap::new();
    for f in input.findings {
        families.insert(family(f.code));
    }
    for e in entries {
        for t in e.function.map_or(&[][..], |f| f.triggers.as_slice()) {
            let name = kind_name(t.kind);
            triggers.insert(slug(name), name);
        }
    }
    out.push_str("<section class=\"card\" id=\"ranking\"><h2>Functions by risk</h2>\n<div class=\"filters\">");
    out.push_str("<label>Severity <select id=\"f-sev\"><option value=\"-1\">any</option>");
    for sev in Severity::ALL.iter().rev() {
        let _ = write!(
            out,
            "<option value=\"{}\">{} or worse</option>",
            severity_index(*sev),
            sev.as_str()
        );
    }
    out.push_str(
        "</select></label><label>Family <select id=\"f-fam\"><option value=\"\">any</option>",
    );
    for fam in &families {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", escape(fam));
    }
    out.push_str(
        "</select></label><label>Trigger <select id=\"f-trig\"><option value=\"\">any</option>",
    );
    for (value, label) in &triggers {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(value),
            escape(label)
        );
    }
    out.push_str("</select></label><label>Name <input id=\"f-text\" type=\"search\" placeholder=\"filter by name\" /></label></div>\n");
    out.push_str("<table id=\"fn-table\"><thead><tr><th class=\"num\">Rank</th><th>Function</th><th class=\"num\">Score</th><th>Top reasons</th><th>Triggers</th><th>Findings</th></tr></thead><tbody>\n");
    for (i, (score, entry)) in input.scores.iter().zip(entries).enumerate() {
        let app_name = entry.app.map_or(score.app.as_str(), |a| a.name.as_str());
        let worst = entry.findings.iter().map(|f| f.severity).max();
        let fams: BTreeSet<&str> = entry.findings.iter().map(|f| family(f.code)).collect();
        let trigs: BTreeSet<String> = entry
            .function
            .map_or(&[][..], |f| f.triggers.as_slice())
            .iter()
            .map(|t| slug(kind_name(t.kind)))
            .collect();
        let _ = write!(
            out,
            "<tr data-sev=\"{}\" data-fam=\"{}\" data-trig=\"{}\" data-name=\"{}\"><td class=\"num\">{}</td><td><a href=\"#f-{i}\">{}</a><div class=\"muted\">{}</div></td><td class=\"num score\">{}</td><td><ul class=\"reasons\">",
            worst.map_or(-1, |s| severity_index(s) as i64),
            escape(&fams.into_iter().collect::<Vec<_>>().join(" ")),
            escape(&trigs.into_iter().collect::<Vec<_>>().join(" ")),
            escape(&format!("{app_name}/{}", score.name).to_lowercase()),
            i + 1,
            escape(&score.name),
            escape(app_name),
            score.score,
        );
        let mut reasons: Vec<_> = score.reasons.iter().collect();
        reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
        for r in reasons.iter().take(TABLE_REASONS) {
            let _ = write!(out, "<li>+{} {}</li>", r.points, escape(&r.text));
        }
        if reasons.len() > TABLE_REASONS {
            let _ = write!(
                out,
                "<li class=\"muted\">{} more</li>",
                reasons.len() - TABLE_REASONS
            );
        }
        out.push_str("</ul></td><td>");
        for t in &score.triggers {
            let _ = write!(out, "<span class=\"tag\">{}</span> ", escape(t));
        }
        out.push_str("</td><td>");
        severity_tags(out, &entry.findings);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n<div class=\"pager\"><button id=\"fn-prev\" type=\"button\">Previous</button><button id=\"fn-next\" type=\"button\">Next</button><span id=\"fn-page-info\" class=\"muted\"></span></div></section>\n");
}

/// `function URL` → `function-url`: a value the filter can match word by word.
fn slug(text: &str) -> String {
    text.to_ascii_lowercase().replace(' ', "-")
}

fn severity_tags(out: &mut String, findings: &[&Finding]) {
    for sev in Severity::ALL.iter().rev() {
        let n = findings.iter().filter(|f| f.severity == *sev).count();
        if n > 0 {
            let _ = write!(
                out,
                "<span class=\"sev sev-{}\">{n} {}</span> ",
                severity_class(*sev),
                sev.as_str()
            );
        }
    }
}

fn graph_section(out: &mut String, graph: &Graph) {
    let _ = writeln!(
        out,
        "<section class=\"card\" id=\"graph-section\"><h2>Attack graph</h2>\n<p class=\"muted\">{} nodes, {} edges, {} attack paths. Drag to pan, scroll to zoom, click a node to focus its neighbourhood and paths, click an app's title to collapse or expand it.</p>",
        graph.nodes.len(),
        graph.edges.len(),
        graph.paths.len()
    );
    out.push_str("<div class=\"graph-tools\"><button id=\"g-in\" type=\"button\">Zoom in</button><button id=\"g-out\" type=\"button\">Zoom out</button><button id=\"g-fit\" type=\"button\">Fit</button><button id=\"g-expand\" type=\"button\">Expand all apps</button><button id=\"g-collapse\" type=\"button\">Collapse all apps</button><span class=\"legend\"><span><i class=\"l-entry\"></i>entry</span><span><i class=\"l-trigger\"></i>trigger</span><span><i class=\"l-function\"></i>function</span><span><i class=\"l-role\"></i>role</span><span><i class=\"l-data\"></i>data store</span><span><i class=\"l-resource\"></i>resource</span></span></div>\n");
    out.push_str("<div id=\"graph-wrap\"><svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"attack graph\"></svg><div id=\"graph-info\" class=\"hidden\"></div></div>\n");
    if !graph.paths.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Attack paths ({})</summary><ol>",
            graph.paths.len()
        );
        for p in graph.paths.iter().take(PATHS_LISTED) {
            path_item(out, graph, p);
        }
        out.push_str("</ol>");
        if graph.paths.len() > PATHS_LISTED {
            let _ = write!(
                out,
                "<p class=\"muted\">{} more paths not listed (see each function's page, or <code>perimeter graph --format json</code>).</p>",
                graph.paths.len() - PATHS_LISTED
            );
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn path_kind(kind: PathKind) -> &'static str {
    match kind {
        PathKind::DataAccess => "data access",
        PathKind::Exfiltration => "exfiltration",
        PathKind::Privilege => "privilege",
    }
}

fn path_item(out: &mut String, graph: &Graph, p: &perimeter_graph::Path) {
    let label = |id: &str| graph.node(id).map_or(id, |n| n.label.as_str()).to_string();
    let mut chain = vec![label(&p.from)];
    chain.extend(p.steps.iter().map(|s| label(&s.to)));
    let _ = writeln!(
        out,
        "<li><span class=\"tag\">{}</span> {}<div class=\"muted\">{}; weakest link: {} ({})</div></li>",
        path_kind(p.kind),
        escape(&chain.join(" → ")),
        escape(&p.explanation),
        escape(&format!(
            "{} → {}",
            label(&p.weakest.from),
            label(&p.weakest.to)
        )),
        escape(&p.weakest.reason)
    );
}

fn function_page(
    out: &mut String,
    page: usize,
    score: &perimeter_score::FunctionScore,
    entry: &Entry<'_>,
    policy: Option<&FunctionPolicy>,
    (graph, shared): (&Graph, &HashMap<*const Finding, usize>),
    frames: (&mut Files<'_>, &HashMap<String, Vec<u32>>),
) {
    let app_name = entry.app.map_or(score.app.as_str(), |a| a.name.as_str());
    let worst = entry.findings.iter().map(|f| f.severity).max();
    let _ = writeln!(
        out,
        "<section class=\"fn-page\" id=\"f-{page}\" data-sev=\"{}\"><h2>{}. {} <span class=\"muted\">{}</span><span class=\"score\">score {}</span></h2>",
        worst.map_or(-1, |s| severity_index(s) as i64),
        page + 1,
        escape(&score.name),
        escape(app_name),
        score.score
    );
    let _ = write!(
        out,
        "<p class=\"loc\">{}</p>",
        escape(&score.location.to_string())
    );
    if let Some(function) = entry.function {
        let runtime = function.runtime.known().map_or("unknown", String::as_str);
        let _ = write!(
            out,
            "<p>Runtime {} · {} MB · {} s timeout · role {}</p>",
            escape(runtime),
            function
                .memory
                .known()
                .map_or("?".to_string(), u32::to_string),
            function
                .timeout
                .known()
                .map_or("?".to_string(), u32::to_string),
            escape(function.role.known().map_or("(unknown)", String::as_str)),
        );
    }
    if let Some(node) = entry.node {
        let _ = write!(
            out,
            "<p><button class=\"show-in-graph\" type=\"button\" data-node=\"{node}\">Show in the attack graph</button> <a href=\"#ranking\">Back to the ranking</a></p>"
        );
    }
    if !score.reasons.is_empty() {
        out.push_str("<h3>Why this score</h3><ul class=\"reasons\">");
        for r in &score.reasons {
            let codes = if r.codes.is_empty() {
                String::new()
            } else {
                format!(
                    " <span class=\"muted\">({})</span>",
                    escape(&r.codes.join(", "))
                )
            };
            let _ = write!(
                out,
                "<li>+{} <span class=\"tag\">{}</span> {}{codes}</li>",
                r.points,
                escape(r.factor),
                escape(&r.text)
            );
        }
        out.push_str("</ul>\n");
    }
    if !score.triggers.is_empty() {
        out.push_str("<h3>Triggers</h3><p>");
        for t in &score.triggers {
            let _ = write!(out, "<span class=\"tag\">{}</span> ", escape(t));
        }
        out.push_str("</p>\n");
    }
    let _ = writeln!(out, "<h3>Findings ({})</h3>", entry.findings.len());
    let (files, secrets) = frames;
    // Several findings on one spot (the function's declaration, its role's policy): one frame.
    let mut framed: HashSet<&perimeter_model::Location> = HashSet::new();
    for f in &entry.findings {
        if let Some(id) = shared.get(&std::ptr::from_ref::<Finding>(f)) {
            shared_ref(out, f, *id);
            continue;
        }
        let frame = framed.insert(&f.location);
        finding_html(out, f, (&mut *files, secrets), frame);
    }
    if let Some(policy) = policy {
        out.push_str("<h3>Least-privilege policy</h3>");
        let _ = write!(
            out,
            "<p class=\"muted\">Written from {} SDK call(s) found in the code ({} mapped, {} unrecognized){}.</p>",
            policy.calls.total,
            policy.calls.mapped,
            policy.calls.unrecognized,
            if policy.complete {
                ""
            } else {
                "; the code analysis was incomplete, so review before use"
            }
        );
        let document = serde_json::to_string_pretty(&policy.policy).unwrap_or_default();
        let _ = write!(out, "<pre class=\"policy\">{}</pre>", escape(&document));
        if !policy.granted_unused.is_empty() {
            let _ = write!(
                out,
                "<p>{} permission(s) granted today but used by no function of this role.</p>",
                policy.granted_unused.len()
            );
        }
        if !policy.notes.is_empty() {
            out.push_str("<ul class=\"muted\">");
            for n in &policy.notes {
                let _ = write!(out, "<li>{}</li>", escape(n));
            }
            out.push_str("</ul>");
        }
        out.push('\n');
    }
    let id = qualified_function(&score.app, &score.function);
    let paths: Vec<_> = graph
        .paths
        .iter()
        .filter(|p| p.steps.iter().any(|s| s.from == id || s.to == id))
        .collect();
    if !paths.is_empty() {
        let _ = write!(out, "<h3>Attack paths ({})</h3><ol>", paths.len());
        for p in paths.iter().take(PATHS_PER_FUNCTION) {
            path_item(out, graph, p);
        }
        out.push_str("</ol>");
        if paths.len() > PATHS_PER_FUNCTION {
            let _ = write!(
                out,
                "<p class=\"muted\">{} more paths.</p>",
                paths.len() - PATHS_PER_FUNCTION
            );
        }
    }
    out.push_str("</section>\n");
}

/// A one-line reference to a finding written once in the shared section.
fn shared_ref(out: &mut String, f: &Finding, id: usize) {
    let sev = severity_class(f.severity);
    let _ = writeln!(
        out,
        "<article class=\"finding s-{sev}\" data-sev=\"{}\" data-fam=\"{}\"><span class=\"sev sev-{sev}\">{sev}</span> <b>{}</b> {} <a href=\"#x-{id}\">shared with other functions: details</a> <span class=\"loc\">{}</span></article>",
        severity_index(f.severity),
        escape(family(f.code)),
        escape(f.code),
        escape(f.name),
        escape(&f.location.to_string())
    );
}

fn finding_html(
    out: &mut String,
    f: &Finding,
    frames: (&mut Files<'_>, &HashMap<String, Vec<u32>>),
    with_frame: bool,
) {
    let sev = severity_class(f.severity);
    let _ = write!(
        out,
        "<article class=\"finding s-{sev}\" data-sev=\"{}\" data-fam=\"{}\"><div><span class=\"sev sev-{sev}\">{sev}</span> <b>{}</b> {} <span class=\"loc\">{}</span></div>",
        severity_index(f.severity),
        escape(family(f.code)),
        escape(f.code),
        escape(f.name),
        escape(&f.location.to_string())
    );
    let message = escape(&f.message).replace('\n', "<br />");
    let _ = write!(out, "<p>{message}</p>");
    if with_frame {
        let (files, secrets) = frames;
        let style = FrameStyle {
            context: FRAME_CONTEXT,
            max_width: FRAME_WIDTH,
            mask_all: is_secret_finding(f),
            secret_lines: secrets.get(&f.location.file).map_or(&[][..], Vec::as_slice),
        };
        if let Some(frame) =
            files.frame(&f.location.file, f.location.line, f.location.column, &style)
        {
            frame_html(out, &frame);
        }
    }
    if !f.related.is_empty() {
        out.push_str("<ul>");
        for r in &f.related {
            let _ = write!(
                out,
                "<li><span class=\"loc\">{}</span> {}</li>",
                escape(&r.location.to_string()),
                escape(&r.message)
            );
        }
        out.push_str("</ul>");
    }
    if !f.remediation.is_empty() {
        let _ = write!(out, "<p class=\"muted\">Fix: {}</p>", escape(f.remediation));
    }
    out.push_str("</article>\n");
}

fn frame_html(out: &mut String, frame: &[FrameLine]) {
    let width = frame
        .iter()
        .filter_map(|l| match l {
            FrameLine::Code { number, .. } => Some(number.to_string().len()),
            FrameLine::Caret { .. } => None,
        })
        .max()
        .unwrap_or(1);
    // Plain lines (the gutter in `<i>`, the offending line in `<mark>`): frames are most of a
    // large report's weight, so the markup stays minimal.
    out.push_str("<pre class=\"frame\">");
    for (i, line) in frame.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match line {
            FrameLine::Code {
                number,
                text,
                marked,
            } => {
                let _ = write!(out, "<i>{number:>width$} </i>");
                if *marked {
                    let _ = write!(out, "<mark>{}</mark>", escape(text));
                } else {
                    out.push_str(&escape(text));
                }
            }
            FrameLine::Caret { offset } => {
                let _ = write!(out, "<i>{:>width$} </i>{}^", "", " ".repeat(*offset));
            }
        }
    }
    out.push_str("</pre>");
}

fn errors(out: &mut String, input: &ReportInput<'_>) {
    if input.errors.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section class=\"card\" id=\"errors\"><h2>Errors ({})</h2><ul>",
        input.errors.len()
    );
    for e in input.errors {
        let _ = writeln!(out, "<li class=\"loc\">{}</li>", escape(&e.to_string()));
    }
    out.push_str("</ul></section>\n");
}

fn kind_str(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Entry => "entry",
        NodeKind::Trigger => "trigger",
        NodeKind::Function => "function",
        NodeKind::Role => "role",
        NodeKind::DataStore => "data-store",
        NodeKind::Resource => "resource",
        NodeKind::Account => "account",
    }
}

/// The graph's JSON island: placed nodes, edges by node index, paths as node-index chains,
/// and the bands (one per app) the script stacks and collapses.
fn graph_data(
    graph: &Graph,
    placed: &Layout,
    apps: &HashMap<&str, &App>,
    page_of_node: &HashMap<usize, usize>,
) -> Value {
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let nodes: Vec<Value> = graph
        .nodes
        .iter()
        .zip(&placed.placed)
        .enumerate()
        .map(|(i, (n, p))| {
            json!({
                "k": kind_str(n.kind),
                "l": n.label,
                "b": p.band,
                "c": p.column,
                "r": p.row,
                "p": n.public,
                "loc": n.location,
                "cost": n.cost.as_ref().map(|c| c.summary.clone()),
                "f": page_of_node.get(&i),
            })
        })
        .collect();
    let edges: Vec<Value> = graph
        .edges
        .iter()
        .filter_map(|e| {
            let from = index.get(e.from.as_str())?;
            let to = index.get(e.to.as_str())?;
            Some(json!([from, to, e.kind.as_str(), e.label]))
        })
        .collect();
    let paths: Vec<Value> = graph
        .paths
        .iter()
        .map(|p| {
            let mut chain: Vec<usize> = index.get(p.from.as_str()).copied().into_iter().collect();
            chain.extend(
                p.steps
                    .iter()
                    .filter_map(|s| index.get(s.to.as_str()).copied()),
            );
            json!(chain)
        })
        .collect();
    let bands: Vec<Value> = placed
        .bands
        .iter()
        .map(|b| {
            let (name, functions) = match &b.app {
                None => ("Entry points".to_string(), 0),
                Some(id) => match apps.get(id.as_str()) {
                    Some(app) => (app.name.clone(), app.functions.len()),
                    None => (id.clone(), 0),
                },
            };
            json!({ "app": b.app, "name": name, "rows": b.rows, "nodes": b.nodes, "functions": functions })
        })
        .collect();
    json!({
        "nodes": nodes,
        "edges": edges,
        "paths": paths,
        "bands": bands,
        "collapse": graph.nodes.len() > COLLAPSE_ABOVE && placed.bands.len() > 2,
    })
}
