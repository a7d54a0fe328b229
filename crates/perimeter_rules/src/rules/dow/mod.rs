//! DOW rules: denial of service and denial of wallet.

use crate::Rule;

mod long_timeout_on_synchronous_trigger;
mod recursive_trigger;
mod unthrottled_public_function;

pub use long_timeout_on_synchronous_trigger::MAX_SYNC_TIMEOUT;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &unthrottled_public_function::UnthrottledPublicFunction,
        &long_timeout_on_synchronous_trigger::LongTimeoutOnSynchronousTrigger,
        &recursive_trigger::RecursiveTrigger,
    ]
}
