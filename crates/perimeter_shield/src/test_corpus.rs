//! The payload corpus (`shared/corpora/payloads`: attack lists, benign lines, benign
//! events) for the equivalence tests: every line of every file.

/// The corpus directory.
pub(crate) const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpora/payloads"
);

/// Every line of every corpus file as written (split at `\n` only).
pub(crate) fn byte_lines() -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(DIR).expect("payload corpus") {
        let text = std::fs::read(entry.expect("entry").path()).expect("payload file");
        lines.extend(text.split(|&b| b == b'\n').map(<[u8]>::to_vec));
    }
    assert!(
        lines.len() > 1000,
        "payload corpus incomplete: {} lines",
        lines.len()
    );
    lines
}

/// Every line of every corpus file ([`str::lines`]).
pub(crate) fn lines() -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(DIR).expect("payload corpus") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("payload file");
        lines.extend(text.lines().map(str::to_string));
    }
    assert!(
        lines.len() > 1000,
        "payload corpus incomplete: {} lines",
        lines.len()
    );
    lines
}
