//! SIGN rules: code integrity.

use crate::Rule;

mod no_code_signing;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&no_code_signing::NoCodeSigning]
}
