//! Scan history in an embedded SQLite database, and what changed between two scans (or between
//! the IaC and the deployed account).
