//! The attack graph's layout, computed here so the report's script only draws: a layered
//! layout in five columns (entry → trigger → function → role → data store / resource), one
//! horizontal band per app (so an app can be collapsed into one box), and the shared entry
//! points and the account in a band of their own at the top.
//!
//! Within a band each column is ordered to reduce edge crossings with the barycenter
//! heuristic: a few alternating sweeps, each node moved to the mean row of its neighbours in
//! the other columns; the ordering with the fewest crossings between adjacent columns is
//! kept. Rows are fractional so a short column is centred against a long one.

use perimeter_graph::{Graph, NodeKind};
use std::collections::HashMap;

/// Sweeps of the barycenter heuristic (each one down and up the columns).
const SWEEPS: usize = 6;

/// Where one node of the graph goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub band: usize,
    pub column: u8,
    /// Row within the band, from 0; fractional when the column is centred.
    pub row: f64,
}

/// One horizontal band: the shared entry points (`app: None`) or one app.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Band {
    pub app: Option<String>,
    /// Rows of the band's longest column.
    pub rows: usize,
    pub nodes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    /// Indexed like `graph.nodes`.
    pub placed: Vec<Placed>,
    pub bands: Vec<Band>,
}

/// The column of a node kind.
pub(crate) fn column(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::Entry => 0,
        NodeKind::Trigger => 1,
        NodeKind::Function => 2,
        NodeKind::Role => 3,
        NodeKind::DataStore | NodeKind::Resource | NodeKind::Account => 4,
    }
}

/// Lays `graph` out. `app_order` ranks apps (lower first: the app of the riskiest function);
/// `node_order` gives an initial order for some nodes (functions by rank); others start in
/// graph order.
pub(crate) fn layout(
    graph: &Graph,
    app_order: &HashMap<&str, usize>,
    node_order: &HashMap<&str, usize>,
) -> Layout {
    // Bands: the shared band first, then apps by rank, then by id.
    let mut apps: Vec<&str> = graph
        .nodes
        .iter()
        .filter_map(|n| n.app.as_deref())
        .collect();
    apps.sort_by_key(|a| (app_order.get(a).copied().unwrap_or(usize::MAX), *a));
    apps.dedup();
    let band_of_app: HashMap<&str, usize> =
        apps.iter().enumerate().map(|(i, a)| (*a, i + 1)).collect();
    let band_of = |i: usize| {
        graph.nodes[i]
            .app
            .as_deref()
            .and_then(|a| band_of_app.get(a).copied())
            .unwrap_or(0)
    };

    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    // Undirected neighbours within the same band.
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
            && a != b
            && band_of(a) == band_of(b)
        {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }

    // columns[band][column] = node indices in order.
    let mut columns: Vec<[Vec<usize>; 5]> = vec![Default::default(); apps.len() + 1];
    let mut ordered: Vec<usize> = (0..graph.nodes.len()).collect();
    ordered.sort_by_key(|&i| {
        (
            node_order
                .get(graph.nodes[i].id.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            i,
        )
    });
    for i in ordered {
        columns[band_of(i)][column(graph.nodes[i].kind) as usize].push(i);
    }

    let mut placed = vec![
        Placed {
            band: 0,
            column: 0,
            row: 0.0,
        };
        graph.nodes.len()
    ];
    let mut bands = Vec::with_capacity(columns.len());
    for (band, cols) in columns.iter_mut().enumerate() {
        order_band(cols, &neighbours);
        let rows = cols.iter().map(Vec::len).max().unwrap_or(0);
        for (c, col) in cols.iter().enumerate() {
            let offset = (rows - col.len()) as f64 / 2.0;
            for (r, &i) in col.iter().enumerate() {
                placed[i] = Placed {
                    band,
                    column: c as u8,
                    row: offset + r as f64,
                };
            }
        }
        bands.push(Band {
            app: if band == 0 {
                None
            } else {
                Some(apps[band - 1].to_string())
            },
            rows,
            nodes: cols.iter().map(Vec::len).sum(),
        });
    }
    Layout { placed, bands }
}

/// Orders the columns of one band by barycenter sweeps, keeping the best ordering seen.
fn order_band(cols: &mut [Vec<usize>; 5], neighbours: &[Vec<usize>]) {
    let mut best = cols.clone();
    let mut best_crossings = crossings(cols, neighbours);
    if best_crossings == 0 {
        return;
    }
    for _ in 0..SWEEPS {
        for c in (1..5).chain((0..4).rev()) {
            reorder(cols, c, neighbours);
        }
        let now = crossings(cols, neighbours);
        if now < best_crossings {
            best_crossings = now;
            best = cols.clone();
            if now == 0 {
                break;
            }
        }
    }
    *cols = best;
}

/// Centred row of every node of the band.
fn rows_of(cols: &[Vec<usize>; 5]) -> HashMap<usize, f64> {
    let tallest = cols.iter().map(Vec::len).max().unwrap_or(0);
    let mut rows = HashMap::new();
    for col in cols {
        let offset = (tallest - col.len()) as f64 / 2.0;
        for (r, &i) in col.iter().enumerate() {
            rows.insert(i, offset + r as f64);
        }
    }
    rows
}

/// Sorts column `c` by the mean row of each node's neighbours in other columns (a node without
/// such neighbours keeps its row).
fn reorder(cols: &mut [Vec<usize>; 5], c: usize, neighbours: &[Vec<usize>]) {
    let rows = rows_of(cols);
    let members: std::collections::HashSet<usize> = cols[c].iter().copied().collect();
    let mut keyed: Vec<(f64, usize, usize)> = cols[c]
        .iter()
        .enumerate()
        .map(|(position, &i)| {
            let others: Vec<f64> = neighbours[i]
                .iter()
                .filter(|n| !members.contains(n))
                .filter_map(|n| rows.get(n).copied())
                .collect();
            let own = rows.get(&i).copied().unwrap_or(position as f64);
            let key = if others.is_empty() {
                own
            } else {
                others.iter().sum::<f64>() / others.len() as f64
            };
            (key, position, i)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    cols[c] = keyed.into_iter().map(|(_, _, i)| i).collect();
}

/// Edge crossings between adjacent columns of one band (each undirected edge once), counted
/// as inversions in O(E log E).
pub(crate) fn crossings(cols: &[Vec<usize>; 5], neighbours: &[Vec<usize>]) -> usize {
    let mut total = 0;
    for c in 0..4 {
        let right: HashMap<usize, usize> = cols[c + 1]
            .iter()
            .enumerate()
            .map(|(r, &i)| (i, r))
            .collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (r, &i) in cols[c].iter().enumerate() {
            for n in &neighbours[i] {
                if let Some(&s) = right.get(n) {
                    pairs.push((r, s));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut seconds: Vec<usize> = pairs.into_iter().map(|(_, s)| s).collect();
        total += inversions(&mut seconds);
    }
    total
}

/// Strict inversions of `v` (pairs i < j with v[i] > v[j]), by merge sort.
fn inversions(v: &mut [usize]) -> usize {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = inversions(&mut v[..mid]) + inversions(&mut v[mid..]);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if v[i] <= v[j] {
            merged.push(v[i]);
            i += 1;
        } else {
            count += mid - i;
            merged.push(v[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..n]);
    v.copy_from_slice(&merged);
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_graph::{Edge, EdgeKind, Node};

    fn node(id: &str, kind: NodeKind) -> Node {
        Node {
            id: id.to_string(),
            kind,
            label: id.to_string(),
            app: (kind != NodeKind::Entry).then(|| "app".to_string()),
            subtype: None,
            public: false,
            location: None,
            cost: None,
        }
    }

    fn edge(from: &str, to: &str) -> Edge {
        Edge {
            from: from.to_string(),
            to: to.to_string(),
            kind: EdgeKind::RunsAs,
            label: String::new(),
            ease: 0,
            reason: String::new(),
        }
    }

    #[test]
    fn inversions_are_counted() {
        assert_eq!(inversions(&mut [1, 2, 3]), 0);
        assert_eq!(inversions(&mut [3, 2, 1]), 3);
        assert_eq!(inversions(&mut [2, 2, 1]), 2);
    }

    #[test]
    fn crossings_are_removed_from_a_twisted_graph() {
        // Functions f0..f3 run as roles r3..r0: in graph order every pair crosses.
        let mut graph = Graph::default();
        for i in 0..4 {
            graph.nodes.push(node(&format!("f{i}"), NodeKind::Function));
        }
        for i in 0..4 {
            graph.nodes.push(node(&format!("r{i}"), NodeKind::Role));
        }
        for i in 0..4 {
            graph
                .edges
                .push(edge(&format!("f{i}"), &format!("r{}", 3 - i)));
        }
        let layout = layout(&graph, &HashMap::new(), &HashMap::new());
        assert_eq!(layout.bands.len(), 2);
        assert_eq!(layout.bands[1].rows, 4);
        for i in 0..4 {
            let f = &layout.placed[i];
            let r = &layout.placed[4 + 3 - i];
            assert_eq!((f.column, r.column), (2, 3));
            assert_eq!(f.row, r.row, "f{i} beside its role");
        }
    }

    #[test]
    fn shared_entries_get_their_own_band_and_short_columns_are_centred() {
        let mut graph = Graph::default();
        graph.nodes.push(node("internet", NodeKind::Entry));
        graph.nodes.push(node("f0", NodeKind::Function));
        graph.nodes.push(node("f1", NodeKind::Function));
        graph.nodes.push(node("f2", NodeKind::Function));
        graph.nodes.push(node("role", NodeKind::Role));
        let layout = layout(&graph, &HashMap::new(), &HashMap::new());
        assert_eq!(layout.placed[0].band, 0);
        assert_eq!(layout.placed[4].row, 1.0);
        assert_eq!(layout.bands[1].nodes, 4);
    }
}
