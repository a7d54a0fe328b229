//! One module per subcommand.

pub mod catalog;
pub mod db;
pub mod scan;
