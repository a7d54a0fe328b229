//! Reachability over a built graph, for the scorer: who can start each function (and by which
//! shortest route), and what each function can reach downstream (data stores, other functions,
//! the account).
//!
//! Control flows along the edges that carry an attacker's data in normal operation: an entry
//! or a resource starts a trigger, a trigger its function, a function runs as its role, a role
//! writes to a queue/topic/bucket/stream/table (whose `triggers` edges start more functions) or
//! invokes a function, and a function's code calls another. Reading, deleting, administering
//! and escalating end a route: they are what a function *can do*, not how control moves on.
//!
//! Both walks are breadth-first, so a route is a shortest one and, among equally short ones,
//! the first in the graph's (deterministic) edge order. [`GraphIndex::routes_from`] is one
//! walk per entry over the whole graph; [`GraphIndex::downstream`] is one walk per function,
//! capped at [`DOWNSTREAM_CAP`] nodes so a dense graph cannot make scoring quadratic.

use crate::build::ACCOUNT;
use crate::{Edge, EdgeKind, Graph, Node, NodeKind};
use std::collections::{HashMap, VecDeque};

/// Nodes one downstream walk visits at most.
pub const DOWNSTREAM_CAP: usize = 2_000;

/// Adjacency of a built graph, indexed once for many questions.
pub struct GraphIndex<'g> {
    graph: &'g Graph,
    ids: HashMap<&'g str, usize>,
    /// Edge indices leaving each node, in graph order.
    out: Vec<Vec<usize>>,
}

/// A shortest attacker route from an entry to a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Route<'g> {
    /// The edges in order, from the entry to the function.
    pub steps: Vec<&'g Edge>,
}

impl<'g> Route<'g> {
    /// The functions and resources the route goes through before its last function (its
    /// intermediaries): `ApiFunction`, `OrdersQueue`. Entry points, triggers and roles are
    /// left out: they are how, not through what.
    pub fn through<'a>(&self, index: &'a GraphIndex<'g>) -> Vec<&'g Node> {
        let mut out = Vec::new();
        for step in self.steps.iter().skip(1) {
            if let Some(node) = index.node(&step.from)
                && matches!(
                    node.kind,
                    NodeKind::Function | NodeKind::Resource | NodeKind::DataStore
                )
            {
                out.push(node);
            }
        }
        out
    }

    /// `true` when the route passes through another function (chained exposure).
    pub fn through_function(&self, index: &GraphIndex<'g>) -> bool {
        self.steps.iter().skip(1).any(|s| {
            index
                .node(&s.from)
                .is_some_and(|n| n.kind == NodeKind::Function)
        })
    }

    /// The first edge (the entry's own step).
    pub fn first(&self) -> Option<&'g Edge> {
        self.steps.first().copied()
    }
}

/// One data store a function can act on, with the strongest access.
#[derive(Debug, Clone, PartialEq)]
pub struct DataReach<'g> {
    pub store: &'g Node,
    /// `CanRead`, `CanWrite`, `CanDelete` or `CanAdmin`: the strongest (admin > delete > write
    /// > read) over every role that reaches it.
    pub access: EdgeKind,
    /// The edge that gives that access (its label names the actions).
    pub edge: &'g Edge,
    /// Every access kind reached on the store along the same way, strongest first.
    pub kinds: Vec<EdgeKind>,
    /// Functions the access goes through, empty when the function's own role has it.
    pub via: Vec<&'g Node>,
}

/// What a function reaches: its own role's data, and through the functions it can start,
/// theirs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Downstream<'g> {
    /// Data stores, strongest access first, then the function's own before those through
    /// other functions, then by node id. A store appears at most twice: once for the
    /// function's own role, once (if stronger there) through the functions it starts.
    pub data: Vec<DataReach<'g>>,
    /// Other functions it can start (through a queue, topic, bucket, stream or table it
    /// writes, an invoke permission or a call in its code), in walk order.
    pub functions: Vec<&'g Node>,
    /// The role that can escalate to account administrator, and the functions on the way
    /// (empty when it is the function's own role).
    pub escalation: Option<(&'g Edge, Vec<&'g Node>)>,
    /// The walk stopped at [`DOWNSTREAM_CAP`] nodes.
    pub truncated: bool,
}

/// Rank of an access edge: admin > delete > write > read.
pub fn access_rank(kind: EdgeKind) -> u8 {
    match kind {
        EdgeKind::CanAdmin => 4,
        EdgeKind::CanDelete => 3,
        EdgeKind::CanWrite => 2,
        EdgeKind::CanRead => 1,
        _ => 0,
    }
}

impl<'g> GraphIndex<'g> {
    pub fn new(graph: &'g Graph) -> Self {
        let ids: HashMap<&str, usize> = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let mut out = vec![Vec::new(); graph.nodes.len()];
        for (i, e) in graph.edges.iter().enumerate() {
            if let Some(&from) = ids.get(e.from.as_str()) {
                out[from].push(i);
            }
        }
        GraphIndex { graph, ids, out }
    }

    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    pub fn node(&self, id: &str) -> Option<&'g Node> {
        self.ids.get(id).map(|&i| &self.graph.nodes[i])
    }

    /// Edges leaving `id`, in graph order.
    pub fn out_edges(&self, id: &str) -> impl Iterator<Item = &'g Edge> + '_ {
        let list = self
            .ids
            .get(id)
            .map_or(&[][..], |&i| self.out[i].as_slice());
        list.iter().map(|&e| &self.graph.edges[e])
    }

    fn kind_of(&self, id: &str) -> Option<NodeKind> {
        self.node(id).map(|n| n.kind)
    }

    /// `true` when control moves along `edge` (see the module documentation).
    fn carries_control(&self, edge: &Edge) -> bool {
        match edge.kind {
            EdgeKind::CanInvoke | EdgeKind::Triggers | EdgeKind::RunsAs | EdgeKind::Calls => true,
            // Writing a queue, topic, bucket, stream or table starts what it triggers; changing
            // another function's code is privilege, not an event flow.
            EdgeKind::CanWrite => matches!(
                self.kind_of(&edge.to),
                Some(NodeKind::Resource | NodeKind::DataStore)
            ),
            _ => false,
        }
    }

    /// The shortest route from the entry node `entry` to every function it can start,
    /// directly or through other functions. Keyed by function node id.
    pub fn routes_from(&self, entry: &str) -> HashMap<&'g str, Route<'g>> {
        let mut routes = HashMap::new();
        let Some(&start) = self.ids.get(entry) else {
            return routes;
        };
        // Predecessor edge of every visited node.
        let mut pred: Vec<Option<usize>> = vec![None; self.graph.nodes.len()];
        let mut seen = vec![false; self.graph.nodes.len()];
        seen[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(at) = queue.pop_front() {
            for &e in &self.out[at] {
                let edge = &self.graph.edges[e];
                if !self.carries_control(edge) {
                    continue;
                }
                let Some(&to) = self.ids.get(edge.to.as_str()) else {
                    continue;
                };
                // Entries and the account are never passed through.
                if seen[to]
                    || matches!(
                        self.graph.nodes[to].kind,
                        NodeKind::Entry | NodeKind::Account
                    )
                {
                    continue;
                }
                seen[to] = true;
                pred[to] = Some(e);
                queue.push_back(to);
            }
        }
        for (i, node) in self.graph.nodes.iter().enumerate() {
            if node.kind != NodeKind::Function || !seen[i] || i == start {
                continue;
            }
            let mut steps = Vec::new();
            let mut at = i;
            while let Some(e) = pred[at] {
                let edge = &self.graph.edges[e];
                steps.push(edge);
                match self.ids.get(edge.from.as_str()) {
                    Some(&from) => at = from,
                    None => break,
                }
            }
            steps.reverse();
            routes.insert(node.id.as_str(), Route { steps });
        }
        routes
    }

    /// What the function node `function` reaches (see [`Downstream`]).
    pub fn downstream(&self, function: &str) -> Downstream<'g> {
        let mut out = Downstream::default();
        let Some(&start) = self.ids.get(function) else {
            return out;
        };
        // Per visited node: the functions on the way to it (the start excluded).
        let mut via: HashMap<usize, Vec<&'g Node>> = HashMap::from([(start, Vec::new())]);
        let mut queue = VecDeque::from([start]);
        // Keyed by (store, through another function): the function's own access is kept apart
        // from a stronger one it only has through a function it starts.
        let mut data: HashMap<(usize, bool), DataReach<'g>> = HashMap::new();
        while let Some(at) = queue.pop_front() {
            let here = via.get(&at).cloned().unwrap_or_default();
            let at_node = &self.graph.nodes[at];
            for &e in &self.out[at] {
                let edge = &self.graph.edges[e];
                let Some(&to) = self.ids.get(edge.to.as_str()) else {
                    continue;
                };
                let to_node = &self.graph.nodes[to];
                if at_node.kind == NodeKind::Role {
                    if edge.kind == EdgeKind::CanEscalate && edge.to == ACCOUNT {
                        if out.escalation.is_none() {
                            out.escalation = Some((edge, here.clone()));
                        }
                        continue;
                    }
                    if to_node.kind == NodeKind::DataStore && access_rank(edge.kind) > 0 {
                        let key = (to, !here.is_empty());
                        let slot = data.entry(key).or_insert_with(|| DataReach {
                            store: to_node,
                            access: edge.kind,
                            edge,
                            kinds: Vec::new(),
                            via: here.clone(),
                        });
                        if access_rank(edge.kind) > access_rank(slot.access) {
                            slot.access = edge.kind;
                            slot.edge = edge;
                        }
                        if !slot.kinds.contains(&edge.kind) {
                            slot.kinds.push(edge.kind);
                            slot.kinds
                                .sort_by_key(|k| std::cmp::Reverse(access_rank(*k)));
                        }
                    }
                }
                if !self.carries_control(edge)
                    || via.contains_key(&to)
                    || matches!(to_node.kind, NodeKind::Entry | NodeKind::Account)
                {
                    continue;
                }
                if via.len() >= DOWNSTREAM_CAP {
                    out.truncated = true;
                    continue;
                }
                let mut next = here.clone();
                if to_node.kind == NodeKind::Function {
                    out.functions.push(to_node);
                    next.push(to_node);
                }
                via.insert(to, next);
                queue.push_back(to);
            }
        }
        let mut data: Vec<DataReach<'g>> = data.into_values().collect();
        data.sort_by(|a, b| {
            access_rank(b.access)
                .cmp(&access_rank(a.access))
                .then_with(|| a.via.is_empty().cmp(&b.via.is_empty()).reverse())
                .then_with(|| a.store.id.cmp(&b.store.id))
        });
        // Through other functions, only what is stronger than the function's own access.
        let own: HashMap<&str, u8> = data
            .iter()
            .filter(|d| d.via.is_empty())
            .map(|d| (d.store.id.as_str(), access_rank(d.access)))
            .collect();
        data.retain(|d| {
            d.via.is_empty()
                || own
                    .get(d.store.id.as_str())
                    .is_none_or(|&r| access_rank(d.access) > r)
        });
        out.data = data;
        out
    }
}
