//! Attack-path queries over a built graph: from an entry point to each data store
//! (data access; exfiltration when a public entry ends in a read), and to the account through
//! a role that can escalate (privilege).
//!
//! The search is a depth-first walk over simple paths, bounded three ways so a dense graph
//! cannot blow up: a maximum path length, a maximum number of paths per (entry, target, kind),
//! and a total budget of visited steps. Data stores and the account end a path; queues,
//! topics and other resources are passed through (a function that can publish to a topic
//! reaches the functions the topic triggers).

use crate::build::{ACCOUNT, AUTHENTICATED, AWS_ACCOUNTS, INTERNET};
use crate::{Edge, EdgeKind, Graph, NodeKind, Path, PathKind};
use std::collections::{HashMap, HashSet};

/// Bounds of the search.
#[derive(Debug, Clone)]
pub struct PathLimits {
    /// Entry node ids to start from.
    pub from: Vec<String>,
    /// Longest path, in edges.
    pub max_len: usize,
    /// Paths kept per (entry, target, kind).
    pub per_target: usize,
    /// Paths kept in all.
    pub max_paths: usize,
    /// Edges examined in all, across every walk.
    pub budget: usize,
}

impl Default for PathLimits {
    fn default() -> Self {
        PathLimits {
            from: vec![
                INTERNET.to_string(),
                AUTHENTICATED.to_string(),
                AWS_ACCOUNTS.to_string(),
            ],
            max_len: 10,
            per_target: 3,
            max_paths: 500,
            budget: 200_000,
        }
    }
}

fn is_access(kind: EdgeKind) -> bool {
    matches!(
        kind,
        EdgeKind::CanRead | EdgeKind::CanWrite | EdgeKind::CanDelete | EdgeKind::CanAdmin
    )
}

/// Every bounded attack path of `graph` from the entries in `limits.from`.
pub fn find_paths(graph: &Graph, limits: &PathLimits) -> Vec<Path> {
    let mut out_edges: HashMap<&str, Vec<&Edge>> = HashMap::new();
    for e in &graph.edges {
        out_edges.entry(e.from.as_str()).or_default().push(e);
    }
    let kinds: HashMap<&str, NodeKind> = graph
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.kind))
        .collect();
    let labels = graph
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.label.as_str()))
        .collect();
    let mut search = Search {
        labels,
        out_edges,
        kinds,
        limits,
        counts: HashMap::new(),
        paths: Vec::new(),
        seen: HashSet::new(),
        spent: 0,
        depth: 0,
    };
    // Iterative deepening: shorter paths first, so the per-target cap keeps the most direct
    // routes rather than the first long detours a depth-first walk meets.
    for depth in 1..=limits.max_len {
        search.depth = depth;
        for from in &limits.from {
            if search.kinds.contains_key(from.as_str()) {
                let mut stack = Vec::new();
                search.walk(from, from, &mut stack);
            }
        }
    }
    search.paths
}

struct Search<'g> {
    out_edges: HashMap<&'g str, Vec<&'g Edge>>,
    kinds: HashMap<&'g str, NodeKind>,
    labels: HashMap<&'g str, &'g str>,
    limits: &'g PathLimits,
    counts: HashMap<(String, String, PathKind), usize>,
    paths: Vec<Path>,
    /// (kind, node sequence) already recorded: a second access kind over the same route adds
    /// nothing to a reader.
    seen: HashSet<(PathKind, Vec<String>)>,
    spent: usize,
    /// The exact length of the paths recorded in this round.
    depth: usize,
}

impl<'g> Search<'g> {
    fn walk(&mut self, start: &str, at: &str, stack: &mut Vec<&'g Edge>) {
        if stack.len() >= self.depth || self.paths.len() >= self.limits.max_paths {
            return;
        }
        let Some(edges) = self.out_edges.get(at).cloned() else {
            return;
        };
        for edge in edges {
            self.spent += 1;
            if self.spent > self.limits.budget {
                return;
            }
            let to = edge.to.as_str();
            if to == start || stack.iter().any(|s| s.from == to) {
                continue;
            }
            stack.push(edge);
            let last = stack.len() == self.depth;
            match self.kinds.get(to) {
                Some(NodeKind::DataStore) if last && is_access(edge.kind) => {
                    let kind = if start == INTERNET && edge.kind == EdgeKind::CanRead {
                        PathKind::Exfiltration
                    } else {
                        PathKind::DataAccess
                    };
                    self.record(start, to, kind, stack);
                }
                Some(NodeKind::DataStore) => {}
                Some(NodeKind::Account) => {
                    if last && to == ACCOUNT {
                        self.record(start, to, PathKind::Privilege, stack);
                    }
                }
                Some(NodeKind::Entry) => {}
                _ => self.walk(start, to, stack),
            }
            stack.pop();
        }
    }

    fn record(&mut self, from: &str, to: &str, kind: PathKind, stack: &[&Edge]) {
        if self.paths.len() >= self.limits.max_paths {
            return;
        }
        let count = self
            .counts
            .entry((from.to_string(), to.to_string(), kind))
            .or_default();
        if *count >= self.limits.per_target {
            return;
        }
        let mut route: Vec<String> = stack.iter().map(|e| e.from.clone()).collect();
        route.push(to.to_string());
        if !self.seen.insert((kind, route)) {
            return;
        }
        *count += 1;
        let steps: Vec<Edge> = stack.iter().map(|e| (*e).clone()).collect();
        let Some(weakest) = weakest(&steps) else {
            return;
        };
        let explanation = self.explain(&steps, &weakest, kind);
        self.paths.push(Path {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            steps,
            weakest,
            explanation,
        });
    }

    fn label(&self, id: &str) -> String {
        self.labels
            .get(id)
            .map_or_else(|| id.to_string(), |l| (*l).to_string())
    }

    fn explain(&self, steps: &[Edge], weakest: &Edge, kind: PathKind) -> String {
        let mut text = String::new();
        if let Some(first) = steps.first() {
            text.push_str(&self.label(&first.from));
        }
        for s in steps {
            text.push_str(&format!(" -[{}]-> {}", s.kind.as_str(), self.label(&s.to)));
        }
        let what = match kind {
            PathKind::DataAccess => "reaches the data",
            PathKind::Exfiltration => "can read the data out",
            PathKind::Privilege => "can become account administrator",
        };
        format!(
            "{text}. The attacker {what}; weakest link: {} ({}).",
            weakest.label, weakest.reason
        )
    }
}

/// The easiest edge for an attacker: highest ease, first on ties.
pub fn weakest(steps: &[Edge]) -> Option<Edge> {
    let mut best: Option<&Edge> = None;
    for s in steps {
        if best.is_none_or(|b| s.ease > b.ease) {
            best = Some(s);
        }
    }
    best.cloned()
}
