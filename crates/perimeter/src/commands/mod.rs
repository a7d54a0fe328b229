//! One module per subcommand.

pub mod catalog;
pub mod db;
pub mod graph;
pub mod load;
pub mod policy;
pub mod scan;
pub mod shield;
