//! DEP rules.

use crate::Rule;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![]
}
