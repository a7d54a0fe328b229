//! Building the graph from the model: nodes for everything declared, edges from exposure,
//! roles, effective permissions, escalation paths and the code's SDK calls.

use crate::cost::exposure_cost;
use crate::matching::{Reach, Target, grant_reach, references, services};
use crate::paths::{PathLimits, find_paths};
use crate::{Edge, EdgeKind, Graph, Node, NodeCost, NodeKind};
use perimeter_cost::{DEFAULT_ACCOUNT_CONCURRENCY, default_prices};
use perimeter_iam::ResourceScope;
use perimeter_iam::{AccessLevel, EffectivePermissions, find_escalations};
use perimeter_model::{App, ArgValue, Function, Location, Model, ResourceKind, TriggerKind};
use perimeter_rules::exposure::{EntryPoint, ExposureIndex, function_label, kind_name};
use std::collections::{BTreeMap, HashMap, HashSet};

pub const INTERNET: &str = "internet";
pub const AUTHENTICATED: &str = "authenticated";
pub const AWS_ACCOUNTS: &str = "aws-accounts";
pub const AWS_SERVICES: &str = "aws-services";
pub const SCHEDULE: &str = "schedule";
pub const ACCOUNT: &str = "account-admin";

/// At most this many action names are spelled in an edge label.
const LABEL_ACTIONS: usize = 3;

/// Builds the graph of every app of `model`, with its attack paths (default limits).
pub fn build(model: &Model) -> Graph {
    let mut graph = build_without_paths(model);
    graph.paths = find_paths(&graph, &PathLimits::default());
    graph
}

/// The nodes and edges of every app of `model`, without the attack-path search (the scorer
/// walks the graph itself; [`find_paths`] adds the paths later when wanted).
pub fn build_without_paths(model: &Model) -> Graph {
    let mut b = Builder::default();
    for app in &model.apps {
        b.app(app);
    }
    b.finish()
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// Ids already in `nodes`, and (from, to, kind) already in `edges`: large trees have
    /// thousands of each.
    node_ids: HashMap<String, usize>,
    edge_keys: HashSet<(String, String, EdgeKind)>,
}

fn loc(location: &Location) -> Option<String> {
    Some(location.to_string())
}

fn node_id(app: &App, id: &str) -> String {
    format!("{}#{id}", app.id)
}

impl Builder {
    fn node(&mut self, node: Node) {
        if !self.node_ids.contains_key(&node.id) {
            self.node_ids.insert(node.id.clone(), self.nodes.len());
            self.nodes.push(node);
        }
    }

    fn shared(&mut self, id: &str) {
        let (kind, label) = match id {
            INTERNET => (NodeKind::Entry, "Internet (anyone)"),
            AUTHENTICATED => (NodeKind::Entry, "Authenticated users"),
            AWS_ACCOUNTS => (NodeKind::Entry, "Other AWS accounts"),
            AWS_SERVICES => (NodeKind::Entry, "AWS services"),
            SCHEDULE => (NodeKind::Entry, "Schedules"),
            _ => (NodeKind::Account, "AWS account (administrator)"),
        };
        self.node(Node {
            id: id.to_string(),
            kind,
            label: label.to_string(),
            app: None,
            subtype: None,
            public: id == INTERNET,
            location: None,
            cost: None,
        });
    }

    fn edge(
        &mut self,
        from: &str,
        to: &str,
        kind: EdgeKind,
        label: String,
        ease: u8,
        reason: String,
    ) {
        if !self
            .edge_keys
            .insert((from.to_string(), to.to_string(), kind))
        {
            return;
        }
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            label,
            ease,
            reason,
        });
    }

    fn app(&mut self, app: &App) {
        for r in &app.resources {
            self.node(Node {
                id: node_id(app, &r.id),
                kind: if r.kind.is_data_store() {
                    NodeKind::DataStore
                } else {
                    NodeKind::Resource
                },
                label: r.id.clone(),
                app: Some(app.id.clone()),
                subtype: Some(resource_kind(r.kind).to_string()),
                public: false,
                location: loc(&r.location),
                cost: None,
            });
        }
        for role in &app.roles {
            self.node(Node {
                id: node_id(app, &role.id),
                kind: NodeKind::Role,
                label: role.id.clone(),
                app: Some(app.id.clone()),
                subtype: None,
                public: false,
                location: loc(&role.location),
                cost: None,
            });
        }
        for f in &app.functions {
            self.node(Node {
                id: node_id(app, &f.id),
                kind: NodeKind::Function,
                label: function_label(f).to_string(),
                app: Some(app.id.clone()),
                subtype: None,
                public: false,
                location: loc(&f.location),
                cost: None,
            });
        }
        // Indexed once per app: asking it per function is then linear in the app's size.
        let index = ExposureIndex::new(app);
        // The first role of each id, as `App::role_of` finds it, without scanning per function.
        let mut roles: HashMap<&str, &perimeter_model::Role> = HashMap::new();
        for role in &app.roles {
            roles.entry(role.id.as_str()).or_insert(role);
        }
        for f in &app.functions {
            self.exposure(&index, f);
            if let Some(role) = f.role.known().and_then(|id| roles.get(id.as_str())) {
                self.edge(
                    &node_id(app, &f.id),
                    &node_id(app, &role.id),
                    EdgeKind::RunsAs,
                    "runs as".into(),
                    0,
                    "the function runs with this role's permissions".into(),
                );
            }
            self.sdk_calls(app, f);
        }
        let targets = Targets::of(app);
        for role in &app.roles {
            self.permissions(app, role, &targets);
        }
    }

    fn exposure(&mut self, index: &ExposureIndex, f: &Function) {
        let app = index.app();
        let fid = node_id(app, &f.id);
        let exposure = index.function_exposure(f);
        let cost = exposure_cost(
            app,
            f,
            &exposure,
            default_prices(),
            DEFAULT_ACCOUNT_CONCURRENCY,
        )
        .map(|e| NodeCost {
            per_hour: (e.per_hour * 100.0).round() / 100.0,
            summary: e.summary(),
        });
        if let Some(node) = self.node_ids.get(&fid).and_then(|&i| self.nodes.get_mut(i)) {
            node.cost = cost;
        }
        for (i, entry) in exposure.entry_points.iter().enumerate() {
            let local = entry
                .trigger
                .clone()
                .or_else(|| entry.source.clone())
                .unwrap_or_else(|| format!("entry-{i}"));
            let tid = format!("{fid}/{local}");
            self.node(Node {
                id: tid.clone(),
                kind: NodeKind::Trigger,
                label: entry.description.clone(),
                app: Some(app.id.clone()),
                subtype: Some(kind_name(entry.kind).to_string()),
                public: entry.public,
                location: loc(&entry.location),
                cost: None,
            });
            self.edge(
                &tid,
                &fid,
                EdgeKind::CanInvoke,
                "invokes".into(),
                0,
                "the trigger starts the function".into(),
            );
            self.entry_source(index, entry, &tid);
        }
    }

    /// Who can fire a trigger.
    fn entry_source(&mut self, index: &ExposureIndex, entry: &EntryPoint, tid: &str) {
        let app = index.app();
        if let Some(resource) = entry.source.as_deref().and_then(|s| index.resource(s)) {
            let rid = node_id(app, &resource.id);
            self.edge(
                &rid,
                tid,
                EdgeKind::Triggers,
                "delivers events".into(),
                0,
                format!("events on {} start the trigger", resource.id),
            );
            if let Some(why) = &entry.public_because {
                self.shared(INTERNET);
                self.edge(
                    INTERNET,
                    &rid,
                    EdgeKind::CanWrite,
                    "public write".into(),
                    95,
                    format!("anyone can write to {}: {}", resource.id, why.reason),
                );
            }
            return;
        }
        let http = entry.kind.is_http() || entry.kind.is_synchronous();
        if entry.public {
            self.shared(INTERNET);
            let (label, reason) = if entry.kind == TriggerKind::Other {
                (
                    "public resource policy".to_string(),
                    "a resource policy lets any AWS account invoke the function".to_string(),
                )
            } else {
                (
                    "no authentication".to_string(),
                    format!("{}: nobody is asked who they are", entry.description),
                )
            };
            self.edge(INTERNET, tid, EdgeKind::CanInvoke, label, 100, reason);
        } else if entry.kind == TriggerKind::Schedule {
            self.shared(SCHEDULE);
            self.edge(
                SCHEDULE,
                tid,
                EdgeKind::CanInvoke,
                "schedule".into(),
                0,
                "runs on a schedule".into(),
            );
        } else if entry.kind == TriggerKind::Other && entry.source.is_some() {
            self.shared(AWS_ACCOUNTS);
            self.edge(
                AWS_ACCOUNTS,
                tid,
                EdgeKind::CanInvoke,
                "resource policy".into(),
                30,
                format!(
                    "{}: principals of another account may invoke it",
                    entry.description
                ),
            );
        } else if http && entry.authenticated {
            self.shared(AUTHENTICATED);
            self.edge(
                AUTHENTICATED,
                tid,
                EdgeKind::CanInvoke,
                "authenticated".into(),
                40,
                format!("{}: callers must authenticate first", entry.description),
            );
        } else if http {
            // Neither public nor known to authenticate (unresolved auth, API key, private API).
            self.shared(AUTHENTICATED);
            self.edge(
                AUTHENTICATED,
                tid,
                EdgeKind::CanInvoke,
                "restricted".into(),
                20,
                format!(
                    "{}: not open to anyone (API key, private endpoint or unresolved auth)",
                    entry.description
                ),
            );
        } else {
            self.shared(AWS_SERVICES);
            self.edge(
                AWS_SERVICES,
                tid,
                EdgeKind::CanInvoke,
                "event source".into(),
                10,
                format!("{}: an AWS service delivers the events", entry.description),
            );
        }
    }

    /// Edges from a role to what its effective permissions reach, and to the account when an
    /// escalation path is open.
    fn permissions(&mut self, app: &App, role: &perimeter_model::Role, targets: &Targets) {
        let perms = EffectivePermissions::of_role(role);
        let rid = node_id(app, &role.id);
        let grants = perms.grants();
        // (target node, kind) → (actions, strongest reach, a pattern that gave it).
        let mut found: BTreeMap<(String, EdgeKind), (Vec<&str>, Reach)> = BTreeMap::new();
        for grant in &grants {
            let service = grant.action.service();
            let all = targets.of_service(service);
            let named;
            let candidates: &[usize] = match targets.named_by(&grant.resources) {
                Some(list) => {
                    named = list;
                    &named
                }
                None => all,
            };
            for &i in candidates {
                let (tid, target, kind) = &targets.list[i];
                if !services(*kind).contains(&service) {
                    continue;
                }
                let Some(reach) = grant_reach(grant, &perms.denies, target) else {
                    continue;
                };
                let edge = edge_kind(&grant.action.full_name, grant.action.level, kind.is_none());
                // On a function only invoking it and changing it (code, configuration) are
                // attack steps; reading its settings is not.
                if kind.is_none() && !matches!(edge, EdgeKind::CanInvoke | EdgeKind::CanWrite) {
                    continue;
                }
                let slot = found
                    .entry((tid.clone(), edge))
                    .or_insert_with(|| (Vec::new(), reach));
                slot.1 = slot.1.max(reach);
                if !slot.0.contains(&grant.action.full_name.as_str()) {
                    slot.0.push(&grant.action.full_name);
                }
            }
        }
        for ((to, kind), (mut actions, reach)) in found {
            // The data-plane actions a reader recognises first, then catalog order.
            actions.sort_by_key(|a| !is_headline(a));
            let mut label = actions
                .iter()
                .take(LABEL_ACTIONS)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if actions.len() > LABEL_ACTIONS {
                label.push_str(&format!(" (+{})", actions.len() - LABEL_ACTIONS));
            }
            let (ease, reason) = match reach {
                Reach::Named => (50, format!("{} grants {label} on it by name", role.id)),
                Reach::Wildcard => (
                    80,
                    format!(
                        "{} grants {label} through a wildcard resource that covers it",
                        role.id
                    ),
                ),
            };
            self.edge(&rid, &to, kind, label, ease, reason);
        }
        let hits = find_escalations(&perms);
        if !hits.is_empty() {
            self.shared(ACCOUNT);
            let first = hits[0].path;
            let label = match hits.len() {
                1 => first.name.to_string(),
                n => format!("{} (+{} more)", first.name, n - 1),
            };
            self.edge(
                &rid,
                ACCOUNT,
                EdgeKind::CanEscalate,
                label,
                90,
                format!("{}: {}", first.name, first.explanation),
            );
        }
    }

    /// Function-to-function calls seen in the code (`lambda` SDK calls naming a declared
    /// function by literal or by an environment variable that refers to it).
    fn sdk_calls(&mut self, app: &App, f: &Function) {
        let Some(code) = &f.code else { return };
        for call in code.sdk_calls.iter().filter(|c| c.service == "lambda") {
            if !call.operation.starts_with("Invoke") && !call.operation.contains("invoke") {
                continue;
            }
            for arg in call.resources.iter().filter(|a| a.param == "FunctionName") {
                let text = match &arg.value {
                    ArgValue::Literal(s) => Some(s.as_str()),
                    ArgValue::EnvVar(var) => f.env(var).and_then(|e| e.value.as_str()),
                    ArgValue::Unknown => None,
                };
                let Some(text) = text else { continue };
                for callee in &app.functions {
                    let hit = references(text, &callee.id)
                        || text == callee.name
                        || text == callee.id
                        || text.ends_with(&format!(":function:{}", callee.name));
                    if hit && callee.id != f.id {
                        self.edge(
                            &node_id(app, &f.id),
                            &node_id(app, &callee.id),
                            EdgeKind::Calls,
                            format!("lambda {}", call.operation),
                            0,
                            format!("the code calls it at {}", call.location),
                        );
                    }
                }
            }
        }
    }

    fn finish(self) -> Graph {
        Graph {
            nodes: self.nodes,
            edges: self.edges,
            paths: Vec::new(),
        }
    }
}

/// The things of an app a policy may name, indexed so that a statement naming its resources
/// (the usual least-privilege shape) is matched without scanning every resource of the app.
struct Targets<'a> {
    list: Vec<(String, Target<'a>, Option<ResourceKind>)>,
    by_service: HashMap<&'static str, Vec<usize>>,
    by_key: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Targets<'a> {
    fn of(app: &'a App) -> Self {
        let mut list = Vec::new();
        for r in &app.resources {
            let name = r.name.as_ref().and_then(|n| n.as_str()).unwrap_or(&r.id);
            list.push((
                node_id(app, &r.id),
                Target::new(&r.id, name, Some(r.kind)),
                Some(r.kind),
            ));
        }
        for f in &app.functions {
            list.push((node_id(app, &f.id), Target::new(&f.id, &f.name, None), None));
        }
        let mut by_service: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut by_key: HashMap<&'a str, Vec<usize>> = HashMap::new();
        for (i, (_, t, kind)) in list.iter().enumerate() {
            for s in services(*kind) {
                by_service.entry(s).or_default().push(i);
            }
            by_key.entry(t.id).or_default().push(i);
            if t.name != t.id {
                by_key.entry(t.name).or_default().push(i);
            }
        }
        Targets {
            list,
            by_service,
            by_key,
        }
    }

    fn of_service(&self, service: &str) -> &[usize] {
        self.by_service.get(service).map_or(&[], Vec::as_slice)
    }

    /// The targets a resource list can name when none of its entries is a wildcard: those
    /// referred to (`${Id…}`) or named (the last `/` or `:` segment). `None` when some entry
    /// may cover resources it does not name (a wildcard, `*`, `NotResource`).
    fn named_by(&self, scope: &ResourceScope) -> Option<Vec<usize>> {
        let ResourceScope::Only(list) = scope else {
            return None;
        };
        let mut out: Vec<usize> = Vec::new();
        for entry in list.iter().filter_map(|r| r.as_str()) {
            let plain = strip_references(entry);
            if plain.contains('*') || plain.contains('?') {
                return None;
            }
            let mut rest = entry;
            while let Some(start) = rest.find("${") {
                let after = &rest[start + 2..];
                let end = after.find('}').unwrap_or(after.len());
                let inner = &after[..end];
                let id = inner.split('.').next().unwrap_or(inner);
                if let Some(hits) = self.by_key.get(id) {
                    out.extend(hits);
                }
                rest = &after[end.min(after.len())..];
            }
            let last = entry.rsplit(['/', ':']).next().unwrap_or(entry);
            for key in [entry, last] {
                if let Some(hits) = self.by_key.get(key) {
                    out.extend(hits);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

/// `entry` without its `${…}` references (whose text may hold no wildcard of its own).
fn strip_references(entry: &str) -> String {
    let mut out = String::new();
    let mut rest = entry;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The edge an action makes: invoking a function, or reading/writing/deleting/administering.
fn edge_kind(action: &str, level: AccessLevel, on_function: bool) -> EdgeKind {
    let verb = action.split_once(':').map_or(action, |(_, v)| v);
    if on_function && verb.starts_with("InvokeFunction") {
        return EdgeKind::CanInvoke;
    }
    match level {
        AccessLevel::PermissionsManagement => EdgeKind::CanAdmin,
        AccessLevel::Write if verb.starts_with("Delete") => EdgeKind::CanDelete,
        AccessLevel::Write | AccessLevel::Tagging => EdgeKind::CanWrite,
        AccessLevel::Read | AccessLevel::List => EdgeKind::CanRead,
    }
}

/// Actions worth naming first in a label: the ones that move data or code.
fn is_headline(action: &str) -> bool {
    const HEADLINE: &[&str] = &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:PutBucketPolicy",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:DeleteTable",
        "dynamodb:PutResourcePolicy",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
        "secretsmanager:PutResourcePolicy",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:ScheduleKeyDeletion",
        "kms:PutKeyPolicy",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:PutParameter",
        "ssm:DeleteParameter",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:SetQueueAttributes",
        "sns:Publish",
        "sns:SetTopicAttributes",
        "kinesis:GetRecords",
        "kinesis:PutRecord",
        "events:PutEvents",
        "lambda:InvokeFunction",
        "lambda:UpdateFunctionCode",
        "lambda:AddPermission",
    ];
    HEADLINE.contains(&action)
}

fn resource_kind(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Bucket => "bucket",
        ResourceKind::Table => "table",
        ResourceKind::Queue => "queue",
        ResourceKind::Topic => "topic",
        ResourceKind::Stream => "stream",
        ResourceKind::Secret => "secret",
        ResourceKind::Key => "key",
        ResourceKind::Parameter => "parameter",
        ResourceKind::LogGroup => "log-group",
        ResourceKind::Database => "database",
        ResourceKind::EventBus => "event-bus",
        ResourceKind::Layer => "layer",
        ResourceKind::Other => "other",
    }
}
