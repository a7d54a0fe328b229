//! The attack graph: who can start what, what each function runs as, what each role can do to
//! each declared resource, and the attack paths that follow from it.
//!
//! Nodes are entry points (the internet, authenticated users, other AWS accounts, AWS
//! services, schedules), triggers, functions, roles, resources and the account itself (the
//! target of privilege escalation). Edges say "can invoke", "triggers", "runs as",
//! "can read/write/delete/admin", "calls" and "can escalate". Exposure comes from
//! [`perimeter_rules::exposure`] (so "public" means what the rules mean), permissions from the
//! IAM engine ([`perimeter_iam::EffectivePermissions`]).
//!
//! Node ids are stable: `{app id}#{logical id}` for declared things, `{app}#{function}/{trigger}`
//! for triggers, and fixed names (`internet`, `authenticated`, `aws-accounts`, `aws-services`,
//! `schedule`) for the shared entry points. [`Graph`] serializes to the JSON documented in
//! `docs/graph.md`; [`render`] writes DOT and Mermaid.

mod build;
pub mod cost;
mod matching;
mod paths;
pub mod reach;
pub mod render;

pub use build::{build, build_without_paths};
pub use paths::{PathLimits, find_paths};

use serde::Serialize;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// Where an attacker starts: `internet`, `authenticated`, `aws-accounts`, `aws-services`,
    /// `schedule`.
    Entry,
    /// One event source of one function (an API route, a queue subscription, a URL…).
    Trigger,
    Function,
    Role,
    /// A declared resource that holds data ([`perimeter_model::ResourceKind::is_data_store`]).
    DataStore,
    /// Any other declared resource (queue, topic, event bus, log group…).
    Resource,
    /// The AWS account as an administrator would hold it: the end of escalation paths.
    Account,
}

/// One node of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Stable id (see the crate documentation).
    pub id: String,
    pub kind: NodeKind,
    /// Short human label.
    pub label: String,
    /// The app id, `None` for the shared entry points and the account.
    pub app: Option<String>,
    /// Finer type: the trigger kind (`api`, `sqs`…), the resource kind (`table`, `bucket`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Anyone on the internet can reach it directly (public entry points and triggers).
    pub public: bool,
    /// `file:line` where it is declared, when it is declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// For a publicly reachable function: the worst-case cost of a request flood
    /// ([`cost`], us-east-1 prices, default account concurrency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<NodeCost>,
}

/// Denial of wallet on a function node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeCost {
    /// US dollars per hour.
    pub per_hour: f64,
    /// One sentence with the binding limit and the cap a setting would give.
    pub summary: String,
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// An entry point or a resource can start a trigger / a trigger starts its function /
    /// a role may `lambda:InvokeFunction` a function.
    CanInvoke,
    /// A resource (queue, topic, bucket, stream, bus) delivers events to a trigger.
    Triggers,
    /// A function runs with a role.
    RunsAs,
    CanRead,
    CanWrite,
    CanDelete,
    /// Permissions management on the resource (policies, grants).
    CanAdmin,
    /// The function's code calls another function (an SDK `lambda` call).
    Calls,
    /// The role's permissions open a privilege-escalation path to the account.
    CanEscalate,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::CanInvoke => "can invoke",
            EdgeKind::Triggers => "triggers",
            EdgeKind::RunsAs => "runs as",
            EdgeKind::CanRead => "can read",
            EdgeKind::CanWrite => "can write",
            EdgeKind::CanDelete => "can delete",
            EdgeKind::CanAdmin => "can admin",
            EdgeKind::Calls => "calls",
            EdgeKind::CanEscalate => "can escalate",
        }
    }
}

/// One directed edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Short human label: `no authentication`, `dynamodb:GetItem, dynamodb:Query (+3)`.
    pub label: String,
    /// How easy this step is for an attacker, 0 (an inherent step, not a control) to 100
    /// (nothing stands in the way). The weakest link of a path is its easiest edge.
    pub ease: u8,
    /// Why the step is that easy, as a sentence: `the route has no authentication`.
    pub reason: String,
}

/// What a path shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathKind {
    /// From an entry point to a data store, by any access.
    DataAccess,
    /// From a public entry point to a function that reads a data store.
    Exfiltration,
    /// From an entry point to a role that can escalate to account administrator.
    Privilege,
}

/// One attack path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    pub from: String,
    pub to: String,
    pub kind: PathKind,
    /// The edges in order (each a copy of an edge of the graph).
    pub steps: Vec<Edge>,
    /// The easiest step for an attacker (highest [`Edge::ease`], first on ties).
    pub weakest: Edge,
    /// One sentence: how the attacker gets from `from` to `to`.
    pub explanation: String,
}

/// The attack graph of a model.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub paths: Vec<Path>,
}

impl Graph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Edges leaving `id`.
    pub fn out_edges<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| e.from == id)
    }

    /// The neighbourhood of the nodes whose id or label is `name` (function ids, or
    /// deployed names): their own edges, and every path through them with its nodes.
    pub fn focus(&self, name: &str) -> Graph {
        let centres: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| {
                n.kind == NodeKind::Function
                    && (n.label == name || n.id.rsplit('#').next() == Some(name) || n.id == name)
            })
            .map(|n| n.id.as_str())
            .collect();
        let paths: Vec<Path> = self
            .paths
            .iter()
            .filter(|p| {
                p.steps
                    .iter()
                    .any(|s| centres.contains(&s.from.as_str()) || centres.contains(&s.to.as_str()))
            })
            .cloned()
            .collect();
        let mut edges: Vec<Edge> = Vec::new();
        let mut push = |e: &Edge| {
            if !edges
                .iter()
                .any(|x| x.from == e.from && x.to == e.to && x.kind == e.kind)
            {
                edges.push(e.clone());
            }
        };
        for e in &self.edges {
            if centres.contains(&e.from.as_str()) || centres.contains(&e.to.as_str()) {
                push(e);
            }
        }
        for p in &paths {
            for s in &p.steps {
                push(s);
            }
        }
        let nodes = self
            .nodes
            .iter()
            .filter(|n| {
                centres.contains(&n.id.as_str())
                    || edges.iter().any(|e| e.from == n.id || e.to == n.id)
            })
            .cloned()
            .collect();
        Graph {
            nodes,
            edges,
            paths,
        }
    }
}
