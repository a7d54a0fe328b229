//! The collector: the standard credential chain, bounded concurrency, retries, pagination.
