//! DEP rules: dependencies and runtimes.
//!
//! Also home of the scan clock ([`set_today`], [`today`]) that date-dependent rules read, and of
//! the built-in Lambda runtime lifecycle table ([`RUNTIMES`]).

use crate::Rule;

mod clock;
mod cloud_runtimes;
mod deprecated_runtime;
mod runtimes;
mod unpinned_dependencies;
mod vulnerable_dependency;

pub use clock::{Date, set_today, today};
pub use cloud_runtimes::{AZURE_RUNTIMES, CLOUD_RUNTIMES_AS_OF, GCP_RUNTIMES};
pub use deprecated_runtime::WARN_DAYS;
pub use runtimes::{RUNTIMES, RUNTIMES_AS_OF, RuntimeLifecycle, lifecycle, lifecycle_on};

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &deprecated_runtime::DeprecatedRuntime,
        &vulnerable_dependency::VulnerableDependency,
        &unpinned_dependencies::UnpinnedDependencies,
    ]
}
