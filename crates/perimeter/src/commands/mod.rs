//! One module per subcommand.

pub mod catalog;
pub mod scan;
pub mod shield;
