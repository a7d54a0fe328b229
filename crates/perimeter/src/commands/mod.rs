//! One module per subcommand, plus what several share (`load`, `pipeline`).

// Used by `watch` and `enforce`, being built on their branches.
#[allow(dead_code)]
pub mod alert;
pub mod aws;
pub mod catalog;
pub mod db;
pub mod diff;
pub mod enforce;
pub mod graph;
pub mod history;
pub mod lambda;
pub mod load;
pub mod pipeline;
pub mod policy;
pub mod scan;
pub mod shield;
pub mod watch;
