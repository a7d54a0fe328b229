//! Prints how long building the attack graph takes on a tree (after loading it and running
//! the code stage, which are timed apart): `cargo run -p perimeter_graph --example
//! graph_bench -- PATH...`. Used by `bench/graph/run.sh`.

use std::time::Instant;

fn main() {
    for arg in std::env::args().skip(1) {
        let root = std::path::Path::new(&arg);
        let t = Instant::now();
        let mut model =
            match perimeter_load::load_path(root, &perimeter_load::LoadOptions::default()) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("{arg}: {e}");
                    continue;
                }
            };
        perimeter_code::attach(&mut model, root, &perimeter_code::CodeOptions::default());
        let load = t.elapsed();
        let t = Instant::now();
        let graph = perimeter_graph::build(&model);
        let build = t.elapsed();
        let functions: usize = model.apps.iter().map(|a| a.functions.len()).sum();
        println!(
            "{arg}: {} apps, {functions} functions -> {} nodes, {} edges, {} paths; load+code {:.2} s, graph {:.3} s",
            model.apps.len(),
            graph.nodes.len(),
            graph.edges.len(),
            graph.paths.len(),
            load.as_secs_f64(),
            build.as_secs_f64()
        );
    }
}
