//! Path globs of `exclude` and `[[ignore]] path`, relative to the scan root.
//!
//! `*` stays within one path segment and `**` crosses segments (`tests/**`, `legacy/*.yaml`);
//! a pattern ending with `/` means everything below that folder.

use globset::{GlobBuilder, GlobMatcher};

/// Compiles one pattern, or says why it is invalid.
pub(crate) fn compile(pattern: &str) -> Result<GlobMatcher, String> {
    let mut pattern = pattern.trim_start_matches("./").to_string();
    if pattern.ends_with('/') {
        pattern.push_str("**");
    }
    GlobBuilder::new(&pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

/// The path as globs see it: `/` separators, no leading `./`.
pub(crate) fn normalize(path: &str) -> String {
    path.replace('\\', "/").trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_path_segments() {
        let m = compile("tests/**").expect("glob");
        assert!(m.is_match("tests/a/b.yaml"));
        assert!(!m.is_match("src/tests/a.yaml"));
        let m = compile("legacy/*.yaml").expect("glob");
        assert!(m.is_match("legacy/x.yaml"));
        assert!(!m.is_match("legacy/sub/x.yaml"));
        let m = compile("examples/").expect("glob");
        assert!(m.is_match("examples/a/template.yaml"));
        assert!(compile("a/[b").is_err());
    }
}
