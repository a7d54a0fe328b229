//! Prints the ranked scores of a tree with every reason: `cargo run -p perimeter_score
//! --example scores -- PATH [FUNCTION...]` (only the named functions when some are given).
//! `docs/scoring.md`'s worked examples come from this output (a test keeps them true).

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: scores PATH [FUNCTION...]");
        std::process::exit(2);
    };
    let only: Vec<String> = args.collect();
    let root = std::path::Path::new(&path);
    let mut model = match perimeter_load::load_path(root, &perimeter_load::LoadOptions::default()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    perimeter_code::attach(&mut model, root, &perimeter_code::CodeOptions::default());
    let findings = perimeter_rules::check(&model);
    for s in perimeter_score::score(&model, &findings) {
        if !only.is_empty() && !only.contains(&s.function) {
            continue;
        }
        println!("{} {}", s.score, s.function);
        for r in &s.reasons {
            println!(
                "  {:>3} {:<11} {} {:?}",
                r.points, r.factor, r.text, r.codes
            );
        }
    }
}
