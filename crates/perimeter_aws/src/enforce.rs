//! The kill switch: reserved concurrency 0, tagged with who, when, why and the previous
//! concurrency; restore undoes it.
