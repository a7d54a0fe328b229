//! Differential check: the vendored libinjectionrs (`fork`) against the crates.io release
//! (`upstream`), on the payload corpus, the string values of the benign events and seeded
//! generated inputs; and the generator of the CI fixture. Usage (see ../PERIMETER-PATCHES.md):
//!
//!   cargo run --release -- check [GENERATED [SEED]]   # zero differences or exit 1
//!   cargo run --release -- fixture [upstream|fork]    # the CI fixture, from upstream by default

include!("digest.rs");

use std::panic::{AssertUnwindSafe, catch_unwind};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/corpora/payloads"
);

/// Every flag combination `SqliState::new` accepts that `detect()` distinguishes: the quote
/// context (none, single, double) times the dialect (ANSI, MySQL), and FLAG_NONE.
const FLAGS: [u32; 7] = [0, 1 | 8, 1 | 16, 2 | 8, 2 | 16, 4 | 8, 4 | 16];

macro_rules! engine {
    ($m:ident, $krate:ident) => {
        mod $m {
            use super::*;
            use $krate as li;

            fn guard<T>(f: impl FnOnce() -> T) -> Option<T> {
                catch_unwind(AssertUnwindSafe(f)).ok()
            }

            /// What the shield (and the CI test) asks.
            pub fn outcome(input: &[u8]) -> Outcome {
                let r = guard(|| {
                    let mut st = li::SqliState::new(input, li::SqliFlags::FLAG_NONE);
                    let d = st.detect();
                    (d, st.get_fingerprint().as_str().as_bytes().to_vec())
                });
                Outcome {
                    sqli: r.as_ref().map(|r| r.0),
                    fingerprint: r.map(|r| r.1),
                    xss: guard(|| li::detect_xss(input).is_injection()),
                }
            }

            /// Everything observable through the public API, for every flag variant.
            pub fn full(input: &[u8]) -> String {
                let mut s = String::new();
                for &f in &FLAGS {
                    let flags = li::SqliFlags::new(f);
                    let r = guard(|| {
                        let mut st = li::SqliState::new(input, flags);
                        let d = st.detect();
                        let fp = st.get_fingerprint();
                        format!("detect={d} fp={:?}", fp.as_bytes())
                    });
                    s += &format!("[{f}] {r:?}\n");
                    let r = guard(|| {
                        let mut st = li::SqliState::new(input, flags);
                        let fp = st.get_fingerprint();
                        let mut t = format!(
                            "fp={:?} fpstr={} stats={},{},{},{},{} tokens=",
                            fp.as_bytes(),
                            st.fingerprint_string(),
                            st.stats_comment_ddw,
                            st.stats_comment_ddx,
                            st.stats_comment_c,
                            st.stats_comment_hash,
                            st.stats_tokens
                        );
                        for tok in st.tokens.iter() {
                            let n = tok.len.min(32);
                            t += &format!(
                                "({:?} pos={} len={} val={:?} open={} close={} count={})",
                                tok.token_type,
                                tok.pos,
                                tok.len,
                                &tok.val[..n],
                                tok.str_open,
                                tok.str_close,
                                tok.count
                            );
                        }
                        t
                    });
                    s += &format!("[{f} fresh] {r:?}\n");
                    let r = guard(|| {
                        let r = li::detect_sqli_with_flags(input, flags);
                        (
                            r.is_injection(),
                            r.fingerprint.map(|f| f.as_bytes().to_vec()),
                        )
                    });
                    s += &format!("[{f} detect_sqli_with_flags] {r:?}\n");
                }
                let r = guard(|| {
                    let r = li::detect_sqli(input);
                    (
                        r.is_injection(),
                        r.fingerprint.map(|f| f.as_bytes().to_vec()),
                    )
                });
                s += &format!("[detect_sqli] {r:?}\n");
                let r = guard(|| li::detect_xss(input).is_injection());
                s += &format!("[xss] {r:?}\n");
                s
            }
        }
    };
}

engine!(up, upstream);
engine!(fk, fork);

fn show(input: &[u8]) -> String {
    input.escape_ascii().to_string().chars().take(300).collect()
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fixture") => {
            let which = args.get(1).map(String::as_str).unwrap_or("upstream");
            let f: &dyn Fn(&[u8]) -> Outcome = match which {
                "upstream" => &up::outcome,
                "fork" => &fk::outcome,
                _ => panic!("fixture upstream|fork"),
            };
            println!(
                "# (sqli detect, fingerprint, xss) digests of libinjectionrs 0.1.1 ({which}), from\n\
                 # vendor/libinjectionrs/diff: `cargo run --release -- fixture > <this file>`"
            );
            for line in fixture_lines(CORPUS, f) {
                println!("{line}");
            }
        }
        Some("check") => {
            let generated: usize = args.get(1).map_or(1_000_000, |s| s.parse().expect("count"));
            let seed: u64 = args
                .get(2)
                .map_or(0xd1ff_5eed, |s| s.parse().expect("seed"));
            let files = corpus_files(CORPUS);
            let mut pool: Vec<Vec<u8>> = Vec::new();
            let mut sets: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
            for (name, lines) in &files {
                pool.extend(lines.iter().cloned());
                if name.ends_with(".jsonl") {
                    sets.push((format!("{name}#strings"), event_strings(lines)));
                }
            }
            sets.extend(files);
            let mut diffs = 0usize;
            let mut total = 0usize;
            let mut detected = 0usize;
            let mut compare = |input: &[u8], diffs: &mut usize| {
                let a = up::full(input);
                let b = fk::full(input);
                if a.contains("detect=true") {
                    detected += 1;
                }
                if a != b {
                    *diffs += 1;
                    if *diffs <= 20 {
                        eprintln!("DIFF on {}\n  upstream:\n{a}  fork:\n{b}", show(input));
                    }
                }
            };
            for (name, inputs) in &sets {
                let before = diffs;
                for input in inputs {
                    compare(input, &mut diffs);
                }
                total += inputs.len();
                println!(
                    "{name}: {} inputs, {} differences",
                    inputs.len(),
                    diffs - before
                );
            }
            let mut rng = Rng::new(seed);
            let before = diffs;
            let mut bytes = 0usize;
            let mut long = 0usize;
            for i in 0..generated {
                let input = generate(&mut rng, &pool);
                bytes += input.len();
                if input.len() > 1024 {
                    long += 1;
                }
                compare(&input, &mut diffs);
                if (i + 1) % 100_000 == 0 {
                    eprintln!("  {} generated, {} differences", i + 1, diffs - before);
                }
            }
            total += generated;
            println!(
                "generated (seed {seed:#x}): {generated} inputs ({bytes} bytes, {long} over 1 KiB), {} differences",
                diffs - before
            );
            println!(
                "total: {total} inputs x {} flag variants, {detected} with some variant detected, {diffs} differences",
                FLAGS.len()
            );
            if diffs > 0 {
                std::process::exit(1);
            }
        }
        _ => {
            eprintln!(
                "usage: libinjectionrs-diff check [GENERATED [SEED]] | fixture [upstream|fork]"
            );
            std::process::exit(2);
        }
    }
}
