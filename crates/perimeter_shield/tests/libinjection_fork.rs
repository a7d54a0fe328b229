//! The vendored libinjectionrs (`vendor/libinjectionrs`, patched for speed) answers exactly as
//! the crates.io release 0.1.1 did: SQLi verdict and fingerprint (as the shield asks them) and
//! XSS verdict over every line of every payload corpus file, the string values of the benign
//! events and a fixed set of seeded mutated inputs, digested per set and compared with digests
//! recorded from the unpatched release by the differential tool `vendor/libinjectionrs/diff`
//! (which also generates the inputs: its `src/digest.rs` is included here). A change to the
//! corpus or to `digest.rs` means regenerating the fixture from upstream, never from the fork:
//! `cd vendor/libinjectionrs/diff && cargo run --release -- fixture >
//! ../../../crates/perimeter_shield/tests/fixtures/libinjection_fork.digests`.

include!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vendor/libinjectionrs/diff/src/digest.rs"
));

use std::panic::{AssertUnwindSafe, catch_unwind};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpora/payloads"
);
const FIXTURE: &str = include_str!("fixtures/libinjection_fork.digests");

fn outcome(input: &[u8]) -> Outcome {
    let sqli = catch_unwind(AssertUnwindSafe(|| {
        let mut state = libinjectionrs::SqliState::new(input, libinjectionrs::SqliFlags::FLAG_NONE);
        let detected = state.detect();
        (
            detected,
            state.get_fingerprint().as_str().as_bytes().to_vec(),
        )
    }))
    .ok();
    Outcome {
        sqli: sqli.as_ref().map(|r| r.0),
        fingerprint: sqli.map(|r| r.1),
        xss: catch_unwind(|| libinjectionrs::detect_xss(input).is_injection()).ok(),
    }
}

#[test]
fn vendored_libinjectionrs_answers_as_upstream() {
    let expected: Vec<&str> = FIXTURE.lines().filter(|l| !l.starts_with('#')).collect();
    let got = fixture_lines(CORPUS, &outcome);
    assert_eq!(
        got, expected,
        "the vendored libinjectionrs no longer answers as upstream 0.1.1 on some set \
         (`name inputs digest`); find the input with `vendor/libinjectionrs/diff` \
         (`cargo run --release -- check`), see vendor/libinjectionrs/PERIMETER-PATCHES.md"
    );
}
