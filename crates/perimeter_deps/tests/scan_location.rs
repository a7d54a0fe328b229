//! Which database a scan opens: `--vuln-db`, else `PERIMETER_VULN_DB`, else the user cache when
//! it holds something. One test in its own process, since it sets environment variables.

use perimeter_deps::{default_location, load_for_scan};
use std::path::Path;

#[test]
fn explicit_then_variable_then_cache() {
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/osv/npm");
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe {
        std::env::remove_var("PERIMETER_VULN_DB");
        std::env::set_var("XDG_CACHE_HOME", cache.path());
        std::env::set_var("HOME", cache.path());
    }
    assert_eq!(default_location(), Some(cache.path().join("perimeter/osv")));
    assert!(load_for_scan(None).unwrap().is_none(), "no cache yet");

    let cached = cache.path().join("perimeter/osv");
    std::fs::create_dir_all(&cached).unwrap();
    assert!(
        load_for_scan(None).unwrap().is_none(),
        "an empty cache is no database"
    );
    std::fs::copy(
        records.join("GHSA-35jh-r3h4-6jhm.json"),
        cached.join("a.json"),
    )
    .unwrap();
    assert_eq!(load_for_scan(None).unwrap().unwrap().path(), cached);

    unsafe { std::env::set_var("PERIMETER_VULN_DB", &records) };
    assert_eq!(default_location(), Some(records.clone()));
    assert_eq!(load_for_scan(None).unwrap().unwrap().path(), records);
    unsafe { std::env::set_var("PERIMETER_VULN_DB", cache.path().join("missing")) };
    assert!(load_for_scan(None).is_err(), "a named database must exist");

    assert_eq!(
        load_for_scan(Some(&cached)).unwrap().unwrap().path(),
        cached
    );
}
