//! The rule catalog, one folder per family and one file per rule.
//!
//! Each family's `mod.rs` lists its rules in `rules()`; [`all`] concatenates the families.

pub mod auth;
pub mod dep;
pub mod dow;
pub mod iam;
pub mod inj;
pub mod life;
pub mod log;
pub mod sec;
pub mod sign;

use crate::Rule;

/// Every rule of every family.
pub fn all() -> Vec<&'static dyn Rule> {
    let mut rules = Vec::new();
    rules.extend(auth::rules());
    rules.extend(iam::rules());
    rules.extend(sec::rules());
    rules.extend(dow::rules());
    rules.extend(log::rules());
    rules.extend(dep::rules());
    rules.extend(sign::rules());
    rules.extend(inj::rules());
    rules.extend(life::rules());
    rules.sort_by_key(|r| r.meta().code);
    rules
}
